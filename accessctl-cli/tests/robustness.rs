//! No input makes the tool crash: every `.acl` file of `examples/` is mutated at
//! random (seeded, so every run is the same) — bytes inserted, deleted, flipped,
//! tokens spliced in, the text truncated — and each mutant is run through
//! `validate` and `fmt --check` as a process. The exit code must be 0, 1 or 2: never
//! 101 (a panic) nor a signal.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{copy_dir, run_in, workspace};

/// Mutants per example file; with the fifteen or so files of `examples/` this is a few
/// hundred mutants, two runs each.
const MUTANTS_PER_FILE: usize = 20;

/// Snippets that steer mutants towards the parser's and validator's corners.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"\"",
    b"#",
    b"->",
    b"..",
    b"=",
    b"-",
    b",",
    b"<",
    b">",
    b"\\u{",
    b"\n",
    b"24:00",
    b"25:61",
    b"2026-02-30",
    b"site",
    b"door",
    b"user",
    b"subaccount",
    b"ceiling",
    b"allow",
    b"schedule",
    b"code",
    b"appointment",
    b"guest",
    b"require",
    b"\xff",
    "é".as_bytes(),
    "\u{202E}".as_bytes(),
    b"99999999999999999999999",
];

/// SplitMix64: a small, well-mixed, seedable generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// One to four random mutations of `text`.
fn mutate(text: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut bytes = text.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(6) {
            0 => bytes.insert(at, rng.next() as u8),
            1 => {
                let end = (at + 1 + rng.below(40)).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            2 if !bytes.is_empty() => {
                let i = at.min(bytes.len() - 1);
                bytes[i] ^= 1 << rng.below(8);
            }
            3 => bytes.truncate(at),
            4 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                bytes.splice(at..at, token.iter().copied());
            }
            _ => {
                let end = (at + rng.below(60)).min(bytes.len());
                let copy = bytes[at.min(end)..end].to_vec();
                let to = rng.below(bytes.len() + 1);
                bytes.splice(to..to, copy);
            }
        }
    }
    bytes
}

fn example_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in fs::read_dir(workspace().join("examples")).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            for file in fs::read_dir(&dir).unwrap() {
                let file = file.unwrap().path();
                if file.extension().is_some_and(|e| e == "acl") {
                    files.push(file);
                }
            }
        }
    }
    files.sort();
    files
}

fn assert_survives(dir: &Path, args: &[&str], what: &str) {
    let run = run_in(dir, args);
    assert!(
        matches!(run.code, Some(0..=2)),
        "{what}: `accessctl {}` ended with {:?}\nstderr:\n{}",
        args.join(" "),
        run.code,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{what}: {}", run.stderr);
}

#[test]
fn mutated_examples_never_crash_validate_or_fmt() {
    let files = example_files();
    assert!(files.len() >= 4, "examples/ holds policies: {files:?}");
    let mut rng = Rng(0x00AC_CE55_C71D);
    let mut mutants = 0;
    for file in &files {
        let original = fs::read(file).unwrap();
        let example = file.parent().unwrap();
        let name = file.file_name().unwrap();
        for n in 0..MUTANTS_PER_FILE {
            let work = tempfile::tempdir().unwrap();
            let policy = work.path().join("policy");
            copy_dir(example, &policy);
            fs::write(policy.join(name), mutate(&original, &mut rng)).unwrap();
            let what = format!("mutant {n} of {}", file.display());
            assert_survives(work.path(), &["validate", "policy"], &what);
            assert_survives(work.path(), &["fmt", "--check", "policy"], &what);
            mutants += 1;
        }
    }
    assert!(mutants >= 200, "{mutants} mutants");
}

#[test]
fn formatting_a_mutant_leaves_it_canonical_or_untouched() {
    let files = example_files();
    let mut rng = Rng(0x5EED);
    for file in files.iter().take(4) {
        let original = fs::read(file).unwrap();
        for _ in 0..5 {
            let work = tempfile::tempdir().unwrap();
            let mutant = mutate(&original, &mut rng);
            fs::write(work.path().join("m.acl"), &mutant).unwrap();
            let first = run_in(work.path(), &["fmt", "m.acl"]);
            assert!(matches!(first.code, Some(0..=2)), "{}", first.stderr);
            let after = fs::read(work.path().join("m.acl")).unwrap();
            if first.code == Some(0) {
                let check = run_in(work.path(), &["fmt", "--check", "m.acl"]);
                assert_eq!(check.code, Some(0), "fmt is idempotent: {}", check.stdout);
            } else {
                assert_eq!(after, mutant, "a file fmt refuses is left untouched");
            }
        }
    }
}
