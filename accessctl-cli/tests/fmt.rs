//! `accessctl fmt`: rewriting in canonical form, atomically and keeping permissions;
//! `--check` and `--diff` writing nothing; files with syntax errors left untouched.

mod support;

use std::fs;
use std::path::Path;

use support::{fixtures, run_in};

fn messy_in(dir: &Path, name: &str) -> String {
    let text = fs::read_to_string(fixtures().join("fmt/messy.acl")).unwrap();
    fs::write(dir.join(name), &text).unwrap();
    text
}

#[test]
fn check_lists_the_file_with_its_first_changed_lines_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let before = messy_in(dir.path(), "messy.acl");
    let run = run_in(dir.path(), &["fmt", "--check", "messy.acl"]);
    assert_eq!(run.code, Some(1));
    insta::assert_snapshot!("check_messy", run.stdout);
    assert_eq!(
        fs::read_to_string(dir.path().join("messy.acl")).unwrap(),
        before
    );
}

#[test]
fn diff_prints_the_whole_unified_diff_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let before = messy_in(dir.path(), "messy.acl");
    let run = run_in(dir.path(), &["fmt", "--diff", "messy.acl"]);
    assert_eq!(run.code, Some(1));
    insta::assert_snapshot!("diff_messy", run.stdout);
    assert_eq!(
        fs::read_to_string(dir.path().join("messy.acl")).unwrap(),
        before
    );
}

#[test]
fn fmt_rewrites_in_canonical_form_keeping_permissions() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("policy")).unwrap();
    messy_in(&dir.path().join("policy"), "messy.acl");
    fs::copy(
        fixtures().join("valid/hq.acl"),
        dir.path().join("policy/hq.acl"),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::Permissions::from_mode(0o640);
        fs::set_permissions(dir.path().join("policy/messy.acl"), mode).unwrap();
    }
    let run = run_in(dir.path(), &["fmt", "policy"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "formatted policy/messy.acl\n2 files formatted: 1 reformatted\n"
    );
    let after = fs::read_to_string(dir.path().join("policy/messy.acl")).unwrap();
    insta::assert_snapshot!("messy_formatted", after);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = fs::metadata(dir.path().join("policy/messy.acl")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o640);
    }
    let names: Vec<String> = fs::read_dir(dir.path().join("policy"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
    let again = run_in(dir.path(), &["fmt", "--check", "policy"]);
    assert_eq!(again.code, Some(0));
    assert_eq!(again.stdout, "2 files checked: all in canonical form\n");
}

#[test]
fn a_file_with_syntax_errors_is_reported_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let broken = fs::read_to_string(fixtures().join("fmt/broken.acl")).unwrap();
    fs::write(dir.path().join("broken.acl"), &broken).unwrap();
    messy_in(dir.path(), "messy.acl");
    let run = run_in(dir.path(), &["fmt", "."]);
    assert_eq!(run.code, Some(1));
    insta::assert_snapshot!("broken_and_messy", run.stdout);
    assert_eq!(
        fs::read_to_string(dir.path().join("broken.acl")).unwrap(),
        broken
    );
}

#[test]
fn json_lists_every_file_with_its_status() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(fixtures().join("fmt/broken.acl"), dir.path().join("a.acl")).unwrap();
    messy_in(dir.path(), "b.acl");
    fs::copy(fixtures().join("valid/hq.acl"), dir.path().join("c.acl")).unwrap();
    let run = run_in(
        dir.path(),
        &["fmt", "--check", "--format", "json", ".", "missing"],
    );
    assert_eq!(run.code, Some(2), "a PATH that cannot be read wins");
    let document = run.json();
    assert_eq!(document["version"], 1);
    assert_eq!(document["check"], true);
    assert_eq!(document["changed"], 1);
    let files = document["files"].as_array().unwrap();
    let statuses: Vec<(&str, &str)> = files
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("./a.acl", "syntax_errors"),
            ("./b.acl", "would_reformat"),
            ("./c.acl", "unchanged"),
            ("missing", "failed"),
        ]
    );
    assert_eq!(files[0]["diagnostics"][0]["code"], "E0101");
    assert_eq!(files[0]["diagnostics"][0]["line"], 3);
    assert!(files[1]["diff"]
        .as_str()
        .unwrap()
        .starts_with("--- a/./b.acl\n"));
    assert_eq!(files[3]["error"]["code"], "E0705");
}

#[test]
fn every_example_is_canonical() {
    let run = support::run(&["fmt", "--check", "examples"]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
}
