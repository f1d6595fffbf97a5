//! `bulk` on copies of the shipped coworking and residences examples: the count and
//! the diff with `--dry-run`, the write with `--yes`, `--delete`, JSON, and the
//! refusals — an unknown tag, account or door, no `--yes` off a terminal, a change
//! that would make the policy invalid — each of which writes nothing.

use std::path::Path;

use crate::support::{copy_dir, run_in, workspace, Run};

/// A copy of `examples/NAME` in a temporary directory, as `NAME/`.
fn copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &workspace().join("examples").join(name),
        &dir.path().join(name),
    );
    dir
}

/// Every file of `dir/NAME`, concatenated in path order, to tell whether anything
/// was written.
fn contents(dir: &Path, name: &str) -> String {
    let mut files: Vec<_> = std::fs::read_dir(dir.join(name))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

fn bulk(dir: &Path, policy: &str, args: &[&str]) -> Run {
    run_in(dir, &[&["bulk", "--policy", policy][..], args].concat())
}

#[test]
fn bulk_dry_run_prints_how_many_users_and_the_diff() {
    let dir = copy("coworking");
    let before = contents(dir.path(), "coworking");
    let run = bulk(
        dir.path(),
        "coworking",
        &["--tagged", "technique", "--tag", "astreinte", "--dry-run"],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.starts_with("3 users will be affected\n"),
        "{}",
        run.stdout
    );
    insta::assert_snapshot!("bulk_dry_run_tag", run.stdout);
    assert_eq!(contents(dir.path(), "coworking"), before, "nothing written");
}

#[test]
fn bulk_with_yes_writes_only_the_selected_users() {
    let dir = copy("coworking");
    let run = bulk(
        dir.path(),
        "coworking",
        &[
            "--tagged",
            "technique",
            "--tagged",
            "sport",
            "--tag",
            "astreinte",
            "--yes",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout, "4 users will be affected\nwritten: 1 file\n",
        "no diff with --yes"
    );
    let listed = run_in(
        dir.path(),
        &[
            "user",
            "list",
            "--policy",
            "coworking",
            "--tagged",
            "astreinte",
            "--format",
            "json",
        ],
    );
    let names: Vec<String> = listed.json()["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["alexis", "alexandre", "ivan", "hugo"]);
    let valid = run_in(dir.path(), &["validate", "coworking"]);
    assert_eq!(valid.code, Some(0), "{}", valid.stdout);
}

#[test]
fn bulk_delete_in_a_sub_account_as_json() {
    let dir = copy("residences");
    let run = bulk(
        dir.path(),
        "residences",
        &[
            "--account",
            "antony@agence_sud",
            "--search",
            "blanc",
            "--delete",
            "--yes",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let outcome = run.json();
    assert_eq!(outcome["version"], 1);
    assert_eq!(outcome["affected"], 1);
    assert_eq!(outcome["users"][0], "paradis_5");
    assert_eq!(outcome["written"], true);
    assert_eq!(outcome["dry_run"], false);
    let diff = outcome["files"][0]["diff"].as_str().unwrap();
    assert!(
        diff.contains("-      user paradis_5 \"Hervé Blanc\" {"),
        "{diff}"
    );
    let shown = run_in(
        dir.path(),
        &["user", "show", "paradis_5", "--policy", "residences"],
    );
    assert_eq!(shown.code, Some(2), "gone: {}", shown.stdout);
}

#[test]
fn bulk_without_yes_off_a_terminal_is_refused_and_writes_nothing() {
    let dir = copy("coworking");
    let before = contents(dir.path(), "coworking");
    let run = bulk(
        dir.path(),
        "coworking",
        &["--tagged", "marketing", "--inactive"],
    );
    assert_eq!(run.code, Some(2), "{}", run.stdout);
    insta::assert_snapshot!("bulk_not_confirmed", run.stderr);
    let json = bulk(
        dir.path(),
        "coworking",
        &["--tagged", "marketing", "--inactive", "--format", "json"],
    );
    assert_eq!(json.code, Some(2));
    assert_eq!(json.json()["error"]["kind"], "not_confirmed");
    assert_eq!(contents(dir.path(), "coworking"), before);
}

#[test]
fn bulk_refuses_unknown_names_and_writes_nothing() {
    let dir = copy("coworking");
    let before = contents(dir.path(), "coworking");
    for (filter, kind, help) in [
        (
            ["--tagged", "techniqe"],
            "unknown_tag",
            "did you mean `technique`?",
        ),
        (
            ["--account", "acmee"],
            "unknown_account",
            "did you mean `acme`?",
        ),
        (
            ["--can-open", "parkin"],
            "unknown_door",
            "did you mean `parking`?",
        ),
    ] {
        let args = [&filter[..], &["--tag", "x", "--yes", "--format", "json"]].concat();
        let run = bulk(dir.path(), "coworking", &args);
        assert_eq!(run.code, Some(2), "{filter:?}: {}", run.stdout);
        let error = &run.json()["error"];
        assert_eq!(error["kind"], kind, "{filter:?}");
        assert_eq!(error["help"], help, "{filter:?}");
    }
    let human = bulk(
        dir.path(),
        "coworking",
        &["--tagged", "techniqe", "--tag", "x", "--yes"],
    );
    insta::assert_snapshot!("bulk_unknown_tag", human.stderr);
    assert_eq!(contents(dir.path(), "coworking"), before);
}

#[test]
fn bulk_refuses_a_change_beyond_a_ceiling_and_writes_nothing() {
    let dir = copy("coworking");
    let before = contents(dir.path(), "coworking");
    // The parking is outside the coworking sub-account's ceiling.
    let run = bulk(
        dir.path(),
        "coworking",
        &["--account", "coworkers", "--allow", "parking", "--yes"],
    );
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("outside the ceiling"), "{}", run.stdout);
    assert!(run.stdout.contains("nothing was written"), "{}", run.stdout);
    assert_eq!(contents(dir.path(), "coworking"), before);
}

#[test]
fn bulk_selecting_nobody_changes_nothing() {
    let dir = copy("coworking");
    let run = bulk(dir.path(), "coworking", &["--is-offline", "--tag", "x"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout, "0 users will be affected\nnothing to change\n");
}

#[test]
fn bulk_as_an_admin_needs_the_bulk_right_and_the_right_address() {
    let dir = copy("coworking");
    let before = contents(dir.path(), "coworking");
    // Camille administers the coworking sub-account without the `bulk` right.
    let run = bulk(
        dir.path(),
        "coworking",
        &[
            "--tagged",
            "residents",
            "--tag",
            "x",
            "--yes",
            "--as",
            "camille",
        ],
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "refused (right): `camille` does not hold the `bulk` right this needs\nnothing was written\n"
    );
    // David may act only from the office computer.
    let run = bulk(
        dir.path(),
        "coworking",
        &[
            "--tagged",
            "technique",
            "--tag",
            "x",
            "--yes",
            "--as",
            "david",
            "--from",
            "10.0.0.1",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.json()["violations"][0]["rule"], "ip");
    assert_eq!(contents(dir.path(), "coworking"), before, "nothing written");
    // Claire, of the main account, holds it.
    let run = bulk(
        dir.path(),
        "coworking",
        &[
            "--tagged",
            "technique",
            "--tag",
            "x",
            "--yes",
            "--as",
            "claire",
        ],
    );
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "3 users will be affected\nwritten: 1 file\n");
}
