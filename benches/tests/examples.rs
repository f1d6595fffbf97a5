//! The example policies of `examples/` stay valid and canonical. Owns only that
//! check: each example (a directory of `.acl` files read in name order, or a single
//! file) must validate with no error and no warning, and every file must already be
//! in the formatter's canonical form.

use accessctl_core::{check, format::format, Sources};
use std::path::{Path, PathBuf};

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// Every example, as the sorted list of its `.acl` files.
fn examples() -> Vec<(String, Vec<PathBuf>)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(examples_dir()).expect("an examples directory") {
        let path = entry.expect("an entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let files = if path.is_dir() {
            acl_files(&path)
        } else if is_acl(&path) {
            vec![path]
        } else {
            continue;
        };
        found.push((name, files));
    }
    found.sort();
    found
}

fn acl_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("a readable example directory")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| is_acl(path))
        .collect();
    files.sort();
    files
}

fn is_acl(path: &Path) -> bool {
    path.is_file() && path.extension().is_some_and(|ext| ext == "acl")
}

fn load(files: &[PathBuf]) -> Sources {
    let mut sources = Sources::new();
    for path in files {
        let text = std::fs::read_to_string(path).expect("a readable example");
        sources.add(path.display().to_string(), text);
    }
    sources
}

#[test]
fn the_four_examples_exist() {
    let names: Vec<String> = examples().into_iter().map(|(name, _)| name).collect();
    for wanted in ["coworking", "flex-office", "residences", "sports-centre"] {
        assert!(names.iter().any(|n| n == wanted), "no example `{wanted}`");
    }
}

#[test]
fn examples_validate_without_diagnostics() {
    for (name, files) in examples() {
        let sources = load(&files);
        let checked = check(&sources);
        let shown: Vec<String> = checked
            .diagnostics
            .iter()
            .map(|d| {
                let file = sources.get(d.primary.span.file);
                let (line, col) = file.line_col(d.primary.span.start as usize);
                format!("{}:{line}:{col}: {} {}", file.name(), d.code, d.message)
            })
            .collect();
        assert!(shown.is_empty(), "example `{name}`:\n{}", shown.join("\n"));
        assert!(checked.policy.is_some(), "example `{name}` built no policy");
    }
}

#[test]
fn examples_are_canonical() {
    for (_, files) in examples() {
        let sources = load(&files);
        let checked = check(&sources);
        for ((_, file), tree) in sources.iter().zip(&checked.files) {
            let printed = format(tree);
            if let Some((line, written, canonical)) = first_difference(file.text(), &printed) {
                panic!(
                    "{}:{line} is not in canonical form; run `accessctl fmt` on it\n  written:   {written:?}\n  canonical: {canonical:?}",
                    file.name()
                );
            }
        }
    }
}

/// The first line (1-based) where two texts differ, with both versions of it.
fn first_difference<'a>(a: &'a str, b: &'a str) -> Option<(usize, &'a str, &'a str)> {
    let (mut left, mut right) = (a.lines(), b.lines());
    for line in 1.. {
        match (left.next(), right.next()) {
            (None, None) => return (a != b).then_some((line, "", "")),
            (x, y) if x == y => continue,
            (x, y) => return Some((line, x.unwrap_or("<end>"), y.unwrap_or("<end>"))),
        }
    }
    None
}
