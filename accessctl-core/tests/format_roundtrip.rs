//! The formatter's contract, checked against the parser: for every tree the parser
//! can produce, `parse(format(tree)) == tree` with no error, formatting is
//! idempotent, and every comment is kept, in order. Also checked on every `.acl` file
//! under `examples/` and on the example of `docs/language.md`.

use std::path::{Path, PathBuf};

use accessctl_core::format::format;
use accessctl_core::syntax::{ast::File, parse};
use accessctl_core::FileId;
use proptest::prelude::*;

use crate::support::ast_gen;

/// Parses `text`, failing with the text and the errors if there are any.
fn parse_clean(text: &str) -> File {
    let parsed = parse(FileId(0), text);
    assert!(
        parsed.errors.is_empty(),
        "syntax errors in\n{text}\n{:#?}",
        parsed.errors
    );
    parsed.file
}

/// 256 cases, or `PROPTEST_CASES` when set.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn parse_of_format_is_identity(tree in ast_gen::file()) {
        let text = format(&tree);
        let parsed = parse(FileId(0), &text);
        prop_assert!(parsed.errors.is_empty(), "syntax errors in\n{}\n{:#?}", text, parsed.errors);
        prop_assert_eq!(&parsed.file, &tree, "formatted as\n{}", text);
        prop_assert_eq!(format(&parsed.file), text);
    }

    #[test]
    fn format_keeps_every_comment_in_order(tree in ast_gen::file()) {
        let text = format(&tree);
        prop_assert_eq!(ast_gen::comments_of_text(&text), ast_gen::comments_of_tree(&tree));
    }
}

/// Every `.acl` file under `dir`, at any depth, in name order.
fn acl_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            files.extend(acl_files(&path));
        } else if path.extension().is_some_and(|e| e == "acl") {
            files.push(path);
        }
    }
    files
}

/// `text` formats to a fixed point that keeps every comment of the text, in order.
fn assert_formats_stably(name: &str, text: &str) -> String {
    let tree = parse_clean(text);
    let formatted = format(&tree);
    let reparsed = parse_clean(&formatted);
    assert_eq!(
        reparsed, tree,
        "{name}: the formatted text means another tree"
    );
    assert_eq!(
        format(&reparsed),
        formatted,
        "{name}: formatting is not idempotent"
    );
    assert_eq!(
        ast_gen::comments_of_text(&formatted),
        ast_gen::comments_of_text(text),
        "{name}: comments lost or reordered"
    );
    assert_eq!(
        ast_gen::comments_of_tree(&tree),
        ast_gen::comments_of_text(text)
    );
    formatted
}

#[test]
fn examples_format_stably_and_keep_their_comments() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    for path in acl_files(&root) {
        let text = std::fs::read_to_string(&path).expect("readable example");
        assert_formats_stably(&path.display().to_string(), &text);
    }
}

#[test]
fn the_language_guide_example_is_canonical() {
    let guide = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/language.md");
    let guide = std::fs::read_to_string(guide).expect("readable guide");
    let start = guide.find("```acl\n").expect("an acl example") + "```acl\n".len();
    let length = guide[start..].find("```").expect("a closed example");
    let example = &guide[start..start + length];
    assert_eq!(assert_formats_stably("docs/language.md", example), example);
}

#[test]
fn layout_is_normalised() {
    let messy = "\n\n# head\nsite a \"A\" { timezone \"UTC\"   door d\n\n\n door e { offline\n\
                 # inside\n id \"x\" } # after e\n code \"123456\" on # between\n d }\n\
                 schedule s { mon..fri 08:00-19:00 sat 09:00-12:00 except holidays fr }\n\
                 account x { user u { allow d schedule s  card 007 } subaccount y { ceiling \
                 schedule s rights remote doors d } }\n# tail\n";
    let expected = "# head\nsite a \"A\" {\n  timezone \"UTC\"\n  door d\n\n  door e {\n    \
                    offline\n    # inside\n    id \"x\"\n  }  # after e\n  # between\n  code \
                    \"123456\" on d\n}\nschedule s {\n  mon..fri 08:00-19:00\n  sat \
                    09:00-12:00\n  except holidays fr\n}\naccount x {\n  user u {\n    allow \
                    d schedule s\n    card 007\n  }\n  subaccount y {\n    ceiling doors d \
                    rights remote schedule s\n  }\n}\n# tail\n";
    assert_eq!(format(&parse_clean(messy)), expected);
    assert_formats_stably("messy", messy);
}

#[test]
#[ignore]
fn show_samples() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::default();
    for _ in 0..3 {
        let tree = ast_gen::file().new_tree(&mut runner).unwrap().current();
        println!("-----\n{}", format(&tree));
    }
}
