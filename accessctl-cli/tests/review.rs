//! `accessctl review`: a sub-account admin's changes made directly in copies of
//! `examples/coworking` and `examples/residences`, each refused at its line with the
//! rule it breaks (exit 1), an allowed change passing (exit 0), in human, JSON and
//! GitHub annotations; `--fail-on-widening` and `--max-affected`.

use crate::support::{copy_dir, run_in, workspace, Run};

/// `old/` and `new/`, two copies of example `name`, in a fresh directory.
fn copies(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let example = workspace().join("examples").join(name);
    copy_dir(&example, &dir.path().join("old"));
    copy_dir(&example, &dir.path().join("new"));
    dir
}

/// Replaces the first `from` of `new/FILE` with `to`.
fn edit(dir: &tempfile::TempDir, file: &str, from: &str, to: &str) {
    let path = dir.path().join("new").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "`{from}` not in {file}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn review(dir: &tempfile::TempDir, args: &[&str]) -> Run {
    run_in(
        dir.path(),
        &[&["review"][..], args, &["old", "new"]].concat(),
    )
}

const ACCOUNT: &str = "20-account.acl";

/// Judit, a member of the coworking sub-account that camille administers.
const JUDIT: &str = "      card 4000200002\n";

#[test]
fn a_door_beyond_the_ceiling_is_flagged_at_the_grant() {
    let dir = copies("coworking");
    // To give judit an office, camille must widen her own sub-account's ceiling.
    edit(
        &dir,
        ACCOUNT,
        "ceiling doors group communs path vers_startinbox rights",
        "ceiling doors group communs path vers_startinbox bureau_r2 rights",
    );
    edit(
        &dir,
        ACCOUNT,
        "      allow group communs\n    }",
        "      allow group communs bureau_r2\n    }",
    );
    let out = review(&dir, &["--as", "camille"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    insta::assert_snapshot!("ceiling__human", out.stdout);
}

#[test]
fn a_right_the_admin_lacks_is_flagged() {
    let dir = copies("coworking");
    edit(&dir, ACCOUNT, JUDIT, &format!("{JUDIT}      remote\n"));
    let out = review(&dir, &["--as", "camille"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    insta::assert_snapshot!("right__human", out.stdout);
    // Giving an admin right she does not hold is refused too.
    let dir = copies("coworking");
    edit(
        &dir,
        ACCOUNT,
        JUDIT,
        &format!("{JUDIT}      admin users appointments\n"),
    );
    let out = review(&dir, &["--as", "camille", "--format", "json"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let rules: Vec<String> = out.json()["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("{} {}", v["rule"], v["message"]))
        .collect();
    assert_eq!(
        rules,
        [
            "\"right\" \"`camille` may not change admin rights: that needs the `admins` right\"",
            "\"right\" \"`camille` may not give `appointments`: they do not hold it\""
        ]
    );
}

#[test]
fn another_sub_accounts_member_is_flagged() {
    let dir = copies("coworking");
    edit(
        &dir,
        ACCOUNT,
        "      card 4000400002\n",
        "      card 4000400009\n",
    );
    let out = review(&dir, &["--as", "camille", "--format", "json"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    insta::assert_snapshot!("visibility__json", out.stdout);
}

#[test]
fn the_wrong_address_is_flagged() {
    let dir = copies("coworking");
    edit(
        &dir,
        ACCOUNT,
        "      card 4000400002\n",
        "      card 4000400009\n",
    );
    let out = review(&dir, &["--as", "paul", "--from", "203.0.113.5"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    insta::assert_snapshot!("ip__human", out.stdout);
    // The address of the SSH connection counts when --from is not given.
    let ssh = crate::support::accessctl()
        .current_dir(dir.path())
        .env("SSH_CLIENT", "198.51.100.23 52814 22")
        .args(["review", "--as", "paul", "old", "new"])
        .output()
        .unwrap();
    assert_eq!(
        ssh.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ssh.stdout)
    );
}

#[test]
fn an_allowed_change_passes() {
    let dir = copies("coworking");
    edit(
        &dir,
        ACCOUNT,
        JUDIT,
        &format!("{JUDIT}      card 4000200003\n"),
    );
    let out = review(&dir, &["--as", "camille"]);
    assert_eq!(out.code, Some(0), "{}", out.stdout);
    assert_eq!(out.stdout, "review old -> new as `camille`: no violation\n");
}

#[test]
fn github_annotations_stand_at_each_line() {
    let dir = copies("coworking");
    edit(&dir, ACCOUNT, JUDIT, &format!("{JUDIT}      remote\n"));
    edit(
        &dir,
        ACCOUNT,
        "      card 4000400002\n",
        "      card 4000400009\n",
    );
    let out = review(&dir, &["--as", "camille", "--format", "github"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    insta::assert_snapshot!("github", out.stdout);
}

#[test]
fn same_named_sub_accounts_are_told_apart() {
    // antony@agence_paris@regle may not touch a member of antony@agence_sud@regle.
    let dir = copies("residences");
    edit(
        &dir,
        "20-compte.acl",
        "        card 7700002201\n",
        "        card 7700002209\n",
    );
    let out = review(&dir, &["--as", "antony_kibolt"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    insta::assert_snapshot!("residences_visibility__human", out.stdout);
    // Nor give a PIN without the `codes` right, even to a resident he created.
    let dir = copies("residences");
    edit(
        &dir,
        "20-compte.acl",
        "        tags apt-502\n",
        "        tags apt-502\n        pin \"558812\"\n",
    );
    let out = review(&dir, &["--as", "antony_kibolt", "--format", "json"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let v = &out.json()["violations"][0];
    assert_eq!(v["rule"], "right");
    assert_eq!(v["user"], "kibolt_502");
    assert_eq!(v["location"]["file"], "new/20-compte.acl");
}

#[test]
fn widening_and_the_number_of_people_touched_fail_without_an_actor() {
    let dir = copies("coworking");
    edit(
        &dir,
        ACCOUNT,
        "    allow entree reunion bureau_rdc\n",
        "    allow entree reunion bureau_rdc bureau_r2\n",
    );
    let out = review(&dir, &["--fail-on-widening"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    insta::assert_snapshot!("widening__human", out.stdout);
    let out = review(&dir, &["--max-affected", "1", "--format", "json"]);
    assert_eq!(out.code, Some(0), "{}", out.stdout);
    assert_eq!(out.json()["affected_users"], 1);
    let out = review(&dir, &["--max-affected", "0"]);
    assert_eq!(out.code, Some(1), "{}", out.stdout);
    // A change that only narrows passes --fail-on-widening.
    let dir = copies("coworking");
    edit(
        &dir,
        ACCOUNT,
        "    allow entree reunion bureau_rdc\n",
        "    allow entree reunion\n",
    );
    assert_eq!(review(&dir, &["--fail-on-widening"]).code, Some(0));
}

#[test]
fn review_needs_something_to_judge_and_valid_sides() {
    let dir = copies("coworking");
    assert_eq!(review(&dir, &[]).code, Some(2));
    edit(&dir, ACCOUNT, JUDIT, &format!("{JUDIT}      allow mian\n"));
    let out = review(&dir, &["--as", "camille"]);
    assert_eq!(out.code, Some(2), "{}", out.stdout);
    assert!(out.stderr.contains("E0207"), "{}", out.stderr);
}
