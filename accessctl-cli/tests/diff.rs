//! `accessctl diff OLD NEW`: the semantic diff of copies of the examples — a gained
//! evening window on one door with its cause, validity and holiday windows, JSON,
//! `--emit-tests` pinned and passing on NEW, `git:REV:PATH` sides in a temporary
//! repository, and bad input (a missing path, an invalid side with its diagnostics,
//! bad git specs), each exit 2.

use std::path::Path;
use std::process::Command;

use crate::support::{copy_dir, run_in, workspace};

/// `dir/old` and `dir/new`, copies of `examples/NAME`.
fn copies(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let example = workspace().join("examples").join(name);
    copy_dir(&example, &dir.path().join("old"));
    copy_dir(&example, &dir.path().join("new"));
    dir
}

/// Replaces the one `from` of `file` by `to`.
fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{from}");
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

fn evening_for_ana(dir: &Path) {
    edit(
        &dir.join("20-account.acl"),
        "    allow entree reunion bureau_rdc\n",
        "    allow entree reunion bureau_rdc\n    allow bureau_r2 schedule soirees\n",
    );
}

#[test]
fn a_gained_evening_window_is_exactly_that_window_with_its_cause() {
    let dir = copies("coworking");
    evening_for_ana(&dir.path().join("new"));
    let human = run_in(dir.path(), &["diff", "old", "new"]);
    assert_eq!(human.code, Some(0), "{}", human.stderr);
    insta::assert_snapshot!("coworking_evening__human", human.stdout);
    let json = run_in(dir.path(), &["diff", "old", "new", "--format", "json"]);
    assert_eq!(json.code, Some(0));
    let doc = json.json();
    assert_eq!(doc["widens"], true);
    assert_eq!(doc["affected_users"], 1);
    let access = doc["access"].as_array().unwrap();
    assert_eq!(access.len(), 1);
    assert_eq!(access[0]["user"], "ana");
    assert_eq!(access[0]["door"], "bureau_r2");
    assert_eq!(access[0]["windows"][0]["text"], "mon..fri 18:00-22:00");
    assert_eq!(
        access[0]["cause"][0]["text"],
        "allow bureau_r2 schedule soirees"
    );
    assert_eq!(access[0]["cause"][0]["file"], "new/20-account.acl");
    insta::assert_snapshot!("coworking_evening__json", json.stdout);
}

#[test]
fn a_policy_against_itself_shows_no_difference() {
    let dir = copies("residences");
    let out = run_in(dir.path(), &["diff", "old", "new"]);
    assert_eq!(out.code, Some(0));
    assert!(
        out.stdout.contains("no difference in meaning"),
        "{}",
        out.stdout
    );
    let json = run_in(dir.path(), &["diff", "old", "new", "--format", "json"]);
    assert_eq!(json.json()["access"].as_array().unwrap().len(), 0);
    assert_eq!(json.json()["widens"], false);
}

#[test]
fn residences_losses_and_ceilings() {
    let dir = copies("residences");
    let new = dir.path().join("new/20-compte.acl");
    edit(
        &new,
        "allow avalon_hall_a avalon_parking",
        "allow avalon_hall_a",
    );
    edit(
        &new,
        "ceiling doors site louviere site dumbo site paradis rights",
        "ceiling doors site louviere site dumbo site paradis site avalon rights",
    );
    let out = run_in(dir.path(), &["diff", "old", "new"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    insta::assert_snapshot!("residences__human", out.stdout);
}

#[test]
fn emitted_tests_pass_on_the_new_policy() {
    let dir = copies("coworking");
    let new = dir.path().join("new");
    evening_for_ana(&new);
    edit(
        &new.join("20-account.acl"),
        "valid 2025-09-01..2026-02-28",
        "valid 2026-01-10..2026-03-15",
    );
    edit(
        &new.join("10-schedules.acl"),
        "  2026-04-06 \"Lundi de Pâques\"\n",
        "  2026-03-10\n  2026-04-06 \"Lundi de Pâques\"\n",
    );
    edit(
        &new.join("00-sites.acl"),
        "id \"8c2e41a8\"\n",
        "id \"8c2e41a8\"\n    schedule soirees\n",
    );
    // The example's own tests pin the old behaviour; only the emitted ones run.
    std::fs::remove_file(new.join("tests.acl")).unwrap();
    let out = run_in(
        dir.path(),
        &["diff", "old", "new", "--emit-tests", "new/pinned.acl"],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout.contains("tests written to new/pinned.acl"),
        "{}",
        out.stdout
    );
    let pinned = std::fs::read_to_string(new.join("pinned.acl")).unwrap();
    let expectations = pinned.lines().filter(|l| l.contains(" open ")).count();
    assert!(pinned.contains(" may not open "), "{pinned}");
    assert!(pinned.contains(" may open "), "{pinned}");
    assert!(expectations >= 10, "{pinned}");
    let tested = run_in(dir.path(), &["test", "new"]);
    assert_eq!(
        tested.code,
        Some(0),
        "{}\n{}\n{pinned}",
        tested.stdout,
        tested.stderr
    );
    let last = tested.stdout.lines().last().unwrap();
    assert_eq!(last, format!("{expectations} passed, 0 failed"));
    // The same expectations fail against OLD: they pin the change.
    copy_dir(&dir.path().join("old"), &dir.path().join("old2"));
    std::fs::remove_file(dir.path().join("old2/tests.acl")).unwrap();
    std::fs::copy(new.join("pinned.acl"), dir.path().join("old2/pinned.acl")).unwrap();
    let against_old = run_in(dir.path(), &["test", "old2"]);
    assert_eq!(against_old.code, Some(1), "{}", against_old.stdout);
    assert!(
        against_old.stdout.ends_with(
            "0 passed, {expectations} failed\n"
                .replace("{expectations}", &expectations.to_string())
                .as_str()
        ),
        "{}",
        against_old.stdout
    );
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn git_sides_are_read_at_their_revision() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    copy_dir(
        &workspace().join("examples/coworking"),
        &repo.join("policy"),
    );
    git(repo, &["add", "policy"]);
    git(repo, &["commit", "-q", "-m", "before"]);
    evening_for_ana(&repo.join("policy"));
    git(repo, &["commit", "-q", "-a", "-m", "after"]);
    let out = run_in(repo, &["diff", "git:HEAD~1:policy", "git:HEAD:policy"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    insta::assert_snapshot!("git__human", out.stdout);
    // A revision against the working tree, from a subdirectory: paths are the
    // current directory's.
    let sub = run_in(&repo.join("policy"), &["diff", "git:HEAD~1:.", "."]);
    assert_eq!(sub.code, Some(0), "{}", sub.stderr);
    assert!(
        sub.stdout.contains("+ ana mon..fri 18:00-22:00"),
        "{}",
        sub.stdout
    );
    assert!(
        sub.stdout.contains("new ./20-account.acl:"),
        "{}",
        sub.stdout
    );
    // One file.
    let file = run_in(
        repo,
        &[
            "diff",
            "git:HEAD~1:policy/20-account.acl",
            "git:HEAD:policy/20-account.acl",
        ],
    );
    assert_eq!(
        file.code,
        Some(2),
        "one file alone has unknown doors: {}",
        file.stdout
    );

    let missing = run_in(repo, &["diff", "git:HEAD~1:nowhere", "policy"]);
    assert_eq!(missing.code, Some(2));
    assert!(
        missing
            .stderr
            .contains("no `.acl` file at `nowhere` in `HEAD~1`"),
        "{}",
        missing.stderr
    );
    let bad_rev = run_in(
        repo,
        &["diff", "git:nosuchrev:policy", "policy", "--format", "json"],
    );
    assert_eq!(bad_rev.code, Some(2));
    assert_eq!(bad_rev.json()["error"]["kind"], "git_failed");
    assert!(
        bad_rev.stdout.contains("unknown revision `nosuchrev`"),
        "{}",
        bad_rev.stdout
    );
    let malformed = run_in(repo, &["diff", "git:HEAD", "policy", "--format", "json"]);
    assert_eq!(malformed.code, Some(2));
    assert_eq!(malformed.json()["error"]["kind"], "bad_git_spec");
    let option = run_in(repo, &["diff", "git:--output=x:policy", "policy"]);
    assert_eq!(option.code, Some(2));
    assert!(
        option.stderr.contains("is not `git:REV:PATH`"),
        "{}",
        option.stderr
    );
    assert!(!repo.join("x").exists());
}

#[test]
fn a_git_side_outside_a_repository_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &workspace().join("examples/coworking"),
        &dir.path().join("policy"),
    );
    let out = run_in(dir.path(), &["diff", "git:HEAD:policy", "policy"]);
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr.contains("not in a git repository"),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_sides_exit_2() {
    let dir = copies("coworking");
    let missing = run_in(dir.path(), &["diff", "old", "nowhere"]);
    assert_eq!(missing.code, Some(2));
    assert!(missing.stderr.contains("E0705"), "{}", missing.stderr);
    edit(
        &dir.path().join("new/20-account.acl"),
        "allow entree reunion bureau_rdc",
        "allow entree reunion bureau_rdx",
    );
    let invalid = run_in(dir.path(), &["diff", "old", "new"]);
    assert_eq!(invalid.code, Some(2));
    assert!(
        invalid.stderr.contains("unknown target `bureau_rdx`"),
        "{}",
        invalid.stderr
    );
    assert!(
        invalid.stderr.contains("new/20-account.acl"),
        "{}",
        invalid.stderr
    );
    insta::assert_snapshot!("invalid_side__stderr", invalid.stderr);
    let json = run_in(dir.path(), &["diff", "old", "new", "--format", "json"]);
    assert_eq!(json.code, Some(2));
    assert_eq!(json.json()["error"]["kind"], "invalid_policy");
    assert!(json.json()["diagnostics"]
        .as_array()
        .is_some_and(|d| !d.is_empty()));
}
