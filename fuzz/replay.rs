//! The walk over the fuzz targets' seed corpora, shared by the workspace tests that
//! replay them on stable (`accessctl-core/tests/fuzz_corpus.rs`,
//! `accessctl-devices/tests/fuzz_corpus.rs`, both including this file). Owns only
//! finding the files of `fuzz/corpus/<target>/` and running a check over each.

use std::path::{Path, PathBuf};

/// The files of `fuzz/corpus/<target>/`, sorted; fails when there are none.
pub fn corpus(target: &str) -> Vec<PathBuf> {
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
pub fn run(target: &str, check: fn(&[u8])) {
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
