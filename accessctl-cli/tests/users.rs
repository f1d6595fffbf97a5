//! `user list` and `user show` on the shipped coworking and residences examples: the
//! filters (tags OR, everything else AND), the table, JSON and CSV, one user shown
//! whole, and the refusals of names the policy does not have.

use crate::support::{run, Run};

const COWORKING: &str = "examples/coworking";
const RESIDENCES: &str = "examples/residences";

/// A date after Léa's internship ended (2026-02-28), so `--expired` reads the same
/// every day.
const TODAY: &str = "2026-03-01";

fn list(policy: &str, args: &[&str]) -> Run {
    run(&[
        &["user", "list", "--policy", policy, "--today", TODAY][..],
        args,
    ]
    .concat())
}

fn names(run: &Run) -> Vec<String> {
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    run.json()["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn user_list_shows_every_user_in_a_table() {
    let run = list(COWORKING, &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    insta::assert_snapshot!("user_list_coworking", run.stdout);
}

#[test]
fn user_list_json_of_a_sub_account_and_its_own() {
    let run = list(
        RESIDENCES,
        &["--account", "antony@agence_sud", "--format", "json"],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let answer = run.json();
    assert_eq!(answer["version"], 1);
    assert_eq!(answer["count"], 6);
    insta::assert_snapshot!("user_list_residences_antony_json", run.stdout);
}

#[test]
fn user_list_csv_with_two_tags_is_their_union() {
    let run = list(
        COWORKING,
        &[
            "--tagged",
            "stagiaires",
            "--tagged",
            "sport",
            "--format",
            "csv",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    insta::assert_snapshot!("user_list_csv_tags", run.stdout);
}

#[test]
fn user_list_filters_add_up() {
    let json = ["--format", "json"];
    let marketing = names(&list(
        COWORKING,
        &[&["--tagged", "marketing"][..], &json].concat(),
    ));
    assert_eq!(marketing, ["ana", "abderahim", "lea"]);
    let expired = list(
        COWORKING,
        &[&["--tagged", "marketing", "--expired"][..], &json].concat(),
    );
    assert_eq!(names(&expired), ["lea"]);
    let search = list(
        COWORKING,
        &[&["--search", "WELCOMR.com"][..], &json].concat(),
    );
    assert_eq!(names(&search), ["ana", "abderahim", "ivan"]);
    let card = list(COWORKING, &[&["--search", "40002000"][..], &json].concat());
    assert_eq!(names(&card), ["camille", "judit"]);
    let nested = list(
        COWORKING,
        &[&["--account", "coworkers"][..], &json].concat(),
    );
    assert_eq!(
        names(&nested),
        ["camille", "judit", "noah", "sacha", "ines"]
    );
    let nested = list(
        COWORKING,
        &[&["--account", "start_inbox@coworkers"][..], &json].concat(),
    );
    assert_eq!(names(&nested), ["sacha", "ines"]);
    // The engine's reach: group `communs` holds the lobby, path `vers_startinbox`
    // passes it, and the acme ceiling allows it.
    let parking = list(COWORKING, &[&["--can-open", "parking"][..], &json].concat());
    assert_eq!(names(&parking), ["david", "claire", "paul"]);
    let none = list(COWORKING, &[&["--inactive"][..], &json].concat());
    assert!(names(&none).is_empty());
    let human = list(COWORKING, &["--is-offline"]);
    assert_eq!(human.stdout, "no user selected\n");
}

#[test]
fn user_list_refuses_unknown_names_with_a_suggestion() {
    let tag = list(
        COWORKING,
        &["--tagged", "marketing", "--tagged", "stagaires"],
    );
    assert_eq!(tag.code, Some(2));
    assert!(tag.stdout.is_empty());
    insta::assert_snapshot!("user_list_unknown_tag", tag.stderr);
    let account = list(RESIDENCES, &["--account", "agence_sdu", "--format", "json"]);
    assert_eq!(account.code, Some(2));
    let error = &account.json()["error"];
    assert_eq!(error["kind"], "unknown_account");
    assert_eq!(error["help"], "did you mean `agence_sud`?");
    let door = list(COWORKING, &["--can-open", "parkin", "--format", "json"]);
    assert_eq!(door.code, Some(2));
    assert_eq!(door.json()["error"]["kind"], "unknown_door");
    assert_eq!(door.json()["error"]["message"], "unknown door `parkin`");
    let under = list(RESIDENCES, &["--account", "antony@david"]);
    assert_eq!(under.code, Some(2));
    assert!(
        under.stderr.contains("unknown account `antony@david`"),
        "{}",
        under.stderr
    );
    // Intratone's two sub-accounts named `antony`, under two agencies.
    let twins = list(RESIDENCES, &["--account", "antony"]);
    assert_eq!(twins.code, Some(2));
    insta::assert_snapshot!("user_list_ambiguous_account", twins.stderr);
    let json = list(RESIDENCES, &["--account", "antony", "--format", "json"]);
    assert_eq!(json.json()["error"]["kind"], "ambiguous_account");
}

#[test]
fn user_show_tells_every_field_and_the_doors_reached() {
    let run = run(&["user", "show", "alexandre", "--policy", COWORKING]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    insta::assert_snapshot!("user_show_alexandre", run.stdout);
    let json = crate::support::run(&[
        "user", "show", "paul", "--policy", COWORKING, "--format", "json",
    ]);
    assert_eq!(json.code, Some(0), "{}", json.stderr);
    insta::assert_snapshot!("user_show_paul_json", json.stdout);
}

#[test]
fn user_show_never_prints_a_secret() {
    let run = run(&[
        "user", "show", "claire", "--policy", COWORKING, "--format", "json",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!run.stdout.contains("739105"), "{}", run.stdout);
    assert_eq!(run.json()["user"]["pin"], true);
    let human = crate::support::run(&["user", "show", "ana", "--policy", COWORKING]);
    assert!(!human.stdout.contains("482913"), "{}", human.stdout);
    assert!(!human.stdout.contains("wm-1b9e44d0"), "{}", human.stdout);
}

#[test]
fn user_show_refuses_an_unknown_user() {
    let run = run(&["user", "show", "anna", "--policy", COWORKING]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("unknown user `anna`"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `ana`?"), "{}", run.stderr);
}

#[test]
fn user_list_and_show_as_a_sub_account_admin_see_only_its_members() {
    let run = list(COWORKING, &["--as", "camille", "--format", "json"]);
    assert_eq!(names(&run), ["camille", "judit", "noah", "sacha", "ines"]);
    let run = list(COWORKING, &["--as", "camille", "--tagged", "technique"]);
    assert_eq!(run.stdout, "no user selected\n");
    let shown = crate::support::run(&[
        "user", "show", "judit", "--policy", COWORKING, "--as", "camille",
    ]);
    assert_eq!(shown.code, Some(0), "{}", shown.stderr);
    let hidden = crate::support::run(&[
        "user", "show", "paul", "--policy", COWORKING, "--as", "camille",
    ]);
    assert_eq!(hidden.code, Some(1));
    assert_eq!(
        hidden.stdout,
        "refused (visibility): `camille` may not see `paul`\nnothing was written\n"
    );
    let wrong = list(COWORKING, &["--as", "david", "--from", "10.0.0.1"]);
    assert_eq!(wrong.code, Some(1));
    assert!(
        wrong.stdout.starts_with("refused (ip):"),
        "{}",
        wrong.stdout
    );
}
