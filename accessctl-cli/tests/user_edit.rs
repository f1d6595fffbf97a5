//! `user add`, `user set`, `user rm` on copies of the shipped coworking and residences
//! examples: what each writes (only the edited user's lines), `--dry-run` writing
//! nothing, the JSON document, and every refusal leaving the files as they were.

use std::fs;
use std::path::Path;

use crate::support::{copy_dir, run_in, workspace, Run};

/// A copy of `examples/NAME` as `policy/` in a fresh directory.
fn copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &workspace().join("examples").join(name),
        &dir.path().join("policy"),
    );
    dir
}

fn user(dir: &Path, args: &[&str]) -> Run {
    run_in(
        dir,
        &[&["user"][..], args, &["--policy", "policy"]].concat(),
    )
}

fn read(dir: &Path, file: &str) -> String {
    fs::read_to_string(dir.join("policy").join(file)).unwrap()
}

fn original(example: &str, file: &str) -> String {
    fs::read_to_string(workspace().join("examples").join(example).join(file)).unwrap()
}

/// Lines only in `old`, lines only in `new` (a multiset difference).
fn changed_lines(old: &str, new: &str) -> (Vec<String>, Vec<String>) {
    let mut removed: Vec<String> = old.lines().map(str::to_owned).collect();
    let mut added = Vec::new();
    for line in new.lines() {
        match removed.iter().position(|l| l == line) {
            Some(i) => {
                removed.remove(i);
            }
            None => added.push(line.to_owned()),
        }
    }
    (removed, added)
}

/// Every file of the copy is as shipped.
fn untouched(dir: &Path, example: &str) {
    for entry in fs::read_dir(workspace().join("examples").join(example)).unwrap() {
        let name = entry.unwrap().file_name();
        let name = name.to_str().unwrap();
        assert_eq!(read(dir, name), original(example, name), "{name} changed");
    }
}

#[test]
fn user_add_writes_the_new_user_at_the_end_of_its_sub_account() {
    let dir = copy("coworking");
    let run = user(
        dir.path(),
        &[
            "add",
            "eve",
            "--account",
            "start_inbox",
            "--name",
            "Eve Martin",
            "--email",
            "eve@startinbox.example",
            "--card",
            "4000300009",
            "--allow",
            "path vers_startinbox",
            "--valid",
            "2026-01-01..2026-06-30",
            "--tag",
            "stagiaires",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    insta::assert_snapshot!("user_add_eve", run.stdout);
    let (removed, added) = changed_lines(
        &original("coworking", "20-account.acl"),
        &read(dir.path(), "20-account.acl"),
    );
    assert!(removed.is_empty(), "{removed:?}");
    assert_eq!(added.len(), 7, "{added:?}");
    let valid = run_in(dir.path(), &["validate", "policy"]);
    assert_eq!(valid.code, Some(0), "{}", valid.stdout);
}

#[test]
fn user_set_in_a_file_full_of_comments_changes_only_that_users_lines() {
    let dir = copy("residences");
    let run = user(
        dir.path(),
        &[
            "set",
            "louviere_12",
            "--tag",
            "bailleur",
            "--no-remote",
            "--card",
            "7700002999",
            "--deny",
            "site louviere",
            "--allow",
            "louviere_hall",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    insta::assert_snapshot!("user_set_louviere_12", run.stdout);
    let (removed, added) = changed_lines(
        &original("residences", "20-compte.acl"),
        &read(dir.path(), "20-compte.acl"),
    );
    assert_eq!(
        removed,
        [
            "        tags apt-12",
            "        allow site louviere",
            "        remote"
        ]
    );
    assert_eq!(
        added,
        [
            "        card 7700002999",
            "        tags apt-12 bailleur",
            "        allow louviere_hall"
        ]
    );
}

#[test]
fn user_set_dry_run_prints_the_diff_and_writes_nothing() {
    let dir = copy("coworking");
    let run = user(
        dir.path(),
        &[
            "set",
            "ana",
            "--pin",
            "123456",
            "--schedule",
            "soirees",
            "--offline",
            "--dry-run",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    insta::assert_snapshot!("user_set_ana_dry_run", run.stdout);
    assert!(!run.stdout.contains("123456"), "a PIN is never printed");
    untouched(dir.path(), "coworking");
}

#[test]
fn user_set_json_says_what_it_did() {
    let dir = copy("coworking");
    let run = user(
        dir.path(),
        &[
            "set", "ivan", "--admin", "users", "badges", "--format", "json",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let document = run.json();
    assert_eq!(document["status"], "written");
    assert_eq!(document["applied"][0]["action"], "changed");
    assert_eq!(document["applied"][0]["user"], "ivan");
    assert_eq!(document["applied"][0]["account"], "welcomr");
    assert_eq!(document["files"][0]["path"], "policy/20-account.acl");
    insta::assert_snapshot!("user_set_ivan_json", run.stdout);
}

#[test]
fn user_rm_takes_the_user_out_and_frees_its_card() {
    let dir = copy("residences");
    let run = user(dir.path(), &["rm", "sapins_lot7"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    insta::assert_snapshot!("user_rm_sapins_lot7", run.stdout);
    assert!(!read(dir.path(), "20-compte.acl").contains("sapins_lot7"));
    // Olivier's card 7700000102 is free again (essensys: delete the user, the card
    // can be given to someone else).
    let run = user(dir.path(), &["set", "paradis_5", "--card", "7700000102"]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
}

#[test]
fn user_rm_dry_run_writes_nothing() {
    let dir = copy("residences");
    let run = user(
        dir.path(),
        &["rm", "sapins_lot7", "--dry-run", "--format", "json"],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.json()["status"], "dry_run");
    untouched(dir.path(), "residences");
}

#[test]
fn user_add_to_a_sub_account_named_with_its_parent() {
    let dir = copy("residences");
    let run = user(
        dir.path(),
        &[
            "add",
            "paradis_9",
            "--account",
            "antony@agence_sud",
            "--name",
            "Rémi Noël",
            "--email",
            "remi@example.com",
            "--allow",
            "site paradis",
            "--remote",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run
        .stdout
        .contains("added user paradis_9 to account antony@agence_sud@regle"));
}

/// A refusal: its exit code, its message on standard error (or standard output for a
/// negative answer), nothing written.
fn refused(example: &str, args: &[&str], code: i32) -> Run {
    let dir = copy(example);
    let run = user(dir.path(), args);
    assert_eq!(run.code, Some(code), "{}{}", run.stdout, run.stderr);
    untouched(dir.path(), example);
    run
}

#[test]
fn user_set_unknown_user_is_refused() {
    let run = refused("coworking", &["set", "anna", "--tag", "x"], 2);
    insta::assert_snapshot!("user_set_unknown_user", run.stderr);
}

#[test]
fn user_add_unknown_account_is_refused() {
    let run = refused(
        "coworking",
        &[
            "add",
            "eve",
            "--account",
            "coworker",
            "--name",
            "Eve",
            "--email",
            "e@x.com",
        ],
        2,
    );
    insta::assert_snapshot!("user_add_unknown_account", run.stderr);
}

#[test]
fn user_set_unknown_door_is_refused() {
    let run = refused("coworking", &["set", "ana", "--allow", "bureau_r3"], 2);
    insta::assert_snapshot!("user_set_unknown_door", run.stderr);
}

#[test]
fn user_set_unknown_tag_is_refused() {
    let run = refused("coworking", &["set", "ana", "--untag", "marketting"], 2);
    insta::assert_snapshot!("user_set_unknown_tag", run.stderr);
}

#[test]
fn user_set_unknown_schedule_is_refused() {
    let run = refused("coworking", &["set", "ana", "--schedule", "nuit"], 2);
    assert!(
        run.stderr.contains("unknown schedule `nuit`"),
        "{}",
        run.stderr
    );
}

#[test]
fn user_set_card_already_held_names_the_holder() {
    let run = refused("coworking", &["set", "ana", "--card", "4000123459"], 1);
    insta::assert_snapshot!("user_set_card_held", run.stdout);
    let dir = copy("coworking");
    let json = user(
        dir.path(),
        &["set", "ana", "--card", "4000123459", "--format", "json"],
    );
    assert_eq!(json.code, Some(1));
    assert_eq!(json.json()["refusal"]["kind"], "card_held");
}

#[test]
fn user_set_malformed_valid_is_refused() {
    let run = refused(
        "coworking",
        &["set", "ana", "--valid", "2026-01-01-2026-06-30"],
        2,
    );
    insta::assert_snapshot!("user_set_malformed_valid", run.stderr);
}

#[test]
fn user_set_outside_the_ceiling_is_refused_with_the_new_texts_diagnostics() {
    // The coworkers' ceiling holds no car park.
    let run = refused("coworking", &["set", "judit", "--allow", "parking"], 1);
    insta::assert_snapshot!("user_set_outside_ceiling", run.stdout);
}

#[test]
fn user_edit_on_an_invalid_policy_shows_its_own_diagnostics() {
    let dir = copy("coworking");
    let path = dir.path().join("policy/20-account.acl");
    let broken = fs::read_to_string(&path)
        .unwrap()
        .replace("allow group communs bureau_rdc parking", "allow nowhere");
    fs::write(&path, &broken).unwrap();
    let run = user(dir.path(), &["set", "ana", "--tag", "x"]);
    assert_eq!(run.code, Some(2));
    insta::assert_snapshot!("user_set_invalid_policy", run.stderr);
    assert_eq!(fs::read_to_string(&path).unwrap(), broken);
}

#[test]
fn user_rm_of_a_user_the_policy_tests_name_is_refused() {
    let run = refused("residences", &["rm", "dumbo_3"], 1);
    assert!(
        run.stdout.contains("unknown user `dumbo_3`"),
        "{}",
        run.stdout
    );
}

#[test]
fn user_add_without_its_required_fields_is_a_usage_error() {
    let run = refused("coworking", &["add", "eve", "--account", "welcomr"], 2);
    assert!(run.stderr.contains("--name"), "{}", run.stderr);
}
