//! The fuzz targets' seed corpora, run as ordinary tests: every file of
//! `fuzz/corpus/<target>/` goes through the same check as the cargo-fuzz target of
//! that name (`fuzz/checks.rs`, included below), so CI exercises the properties on
//! stable Rust, with no nightly toolchain and no cargo-fuzz. Owns only the walk over
//! the corpus directories.

#[path = "../../fuzz/checks.rs"]
mod checks;

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the corpus {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a corpus entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "the corpus {} is empty", dir.display());
    files
}

/// Runs `check` on every file of the corpus and reports every file it fails on.
fn run(target: &str, check: fn(&[u8])) {
    let failed: Vec<String> = corpus(target)
        .into_iter()
        .filter(|path| {
            let data = std::fs::read(path).expect("a readable corpus file");
            std::panic::catch_unwind(|| check(&data)).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "fuzz check `{target}` failed on {failed:#?}"
    );
}

#[test]
fn parse_corpus() {
    run("parse", checks::parse);
}

#[test]
fn format_roundtrip_corpus() {
    run("format_roundtrip", checks::format_roundtrip);
}

#[test]
fn comments_are_found_outside_strings_and_emails() {
    let text = "door a \"x # y\" # one\n  guest \"G\" <a#b@c.d>  #two  \n#three";
    assert_eq!(checks::comments(text), [" one", "two", "three"]);
}

#[test]
fn lock_image_corpus() {
    run("lock_image", checks::lock_image);
}

#[test]
fn card_key_corpus() {
    run("card_key", checks::card_key);
}
