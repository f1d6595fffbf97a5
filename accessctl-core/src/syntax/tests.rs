//! Tests of the lexer and the parser.

use super::parse;
use crate::source::FileId;

#[test]
fn scratch_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/parse");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for path in files {
        let data = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&data);
        let parsed = parse(FileId(0), &text);
        println!("== {} items={}", path.display(), parsed.file.items.len());
        for e in &parsed.errors {
            let s = e.primary.span;
            println!(
                "  {} {} [{}..{}] `{}` help={:?}",
                e.code,
                e.message,
                s.start,
                s.end,
                text.get(s.range())
                    .unwrap_or("?")
                    .chars()
                    .take(40)
                    .collect::<String>(),
                e.help
            );
        }
    }
}

#[test]
#[ignore]
fn scratch_throughput() {
    let text = std::fs::read_to_string("/tmp/ref.acl").unwrap();
    let mb = text.len() as f64 / 1e6;
    let mut best_lex = f64::MAX;
    let mut best_parse = f64::MAX;
    let only_parse = std::env::var("ONLY_PARSE").is_ok();
    for _ in 0..8 {
        if only_parse {
            drop(parse(FileId(0), std::hint::black_box(&text)));
            continue;
        }
        let t = std::time::Instant::now();
        let mut l = super::lexer::Lexer::new(&text);
        while l.next_token().kind != super::lexer::Kind::End {}
        std::hint::black_box(l);
        best_lex = best_lex.min(t.elapsed().as_secs_f64());
        let t = std::time::Instant::now();
        let parsed = parse(FileId(0), std::hint::black_box(&text));
        assert!(parsed.errors.is_empty());
        drop(parsed);
        best_parse = best_parse.min(t.elapsed().as_secs_f64());
    }
    println!(
        "lex {:.0} MB/s, parse+drop {:.0} MB/s",
        mb / best_lex,
        mb / best_parse
    );
}
