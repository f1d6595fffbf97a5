//! Decision queries on the shipped coworking example and on a small fixture:
//! `check`, `who-can`, `what-can`, in human and JSON form.

use crate::support::{self, fixtures, run, run_in};

const COWORKING: &str = "examples/coworking";

/// Monday 2026-11-23, 09:00 in Paris.
const MONDAY_9: &str = "2026-11-23T09:00";

fn check(args: &[&str]) -> support::Run {
    run(&[&["check", "--policy", COWORKING][..], args].concat())
}

#[test]
fn ana_may_open_the_meeting_room_on_monday_morning() {
    let run = check(&["--door", "reunion", "--user", "ana", "--at", MONDAY_9]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "allowed: granted — a grant reaches the door and its schedules are open
  door:     reunion \"Salle de réunion\" (site cowork)
  at:       2026-11-23T09:00:00+01:00 (Europe/Paris)
  subject:  user ana
  why:
    1. user ana of account welcomr
    2. through door reunion
    3. schedule bureau: open
"
    );
}

#[test]
fn ana_may_not_open_it_on_sunday_and_the_json_says_why() {
    let args = [
        "--door",
        "reunion",
        "--user",
        "ana",
        "--at",
        "2026-11-22T09:00",
    ];
    let run = check(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let answer = run.json();
    assert_eq!(answer["version"], 1);
    assert_eq!(answer["allowed"], false);
    assert_eq!(answer["reason"], "outside_schedule");
    assert_eq!(answer["summary"], "the user's schedule is closed");
    assert_eq!(answer["door"]["name"], "reunion");
    assert_eq!(answer["door"]["site"], "cowork");
    assert_eq!(answer["at"], "2026-11-22T09:00:00+01:00");
    assert_eq!(answer["timezone"], "Europe/Paris");
    assert_eq!(answer["subject"]["kind"], "user");
    let steps = answer["steps"].as_array().expect("steps");
    assert_eq!(steps[0]["step"], "user");
    assert_eq!(steps[0]["name"], "ana");
    assert_eq!(steps[2]["step"], "schedule");
    assert_eq!(steps[2]["open"], false);
    assert_eq!(steps[2]["text"], "schedule bureau: closed");
}

#[test]
fn ivan_is_refused_at_the_ground_floor_office() {
    // The guide's history shows Ivan refused at "Bureau RDC": not in his perimeter.
    let run = check(&[
        "--door",
        "bureau_rdc",
        "--card",
        "4000123459",
        "--at",
        MONDAY_9,
    ]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stdout.starts_with("denied: not_granted"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("subject:  card 4000123459\n"));
}

#[test]
fn a_card_and_a_pin_of_the_same_user_open_together() {
    let run = check(&[
        "--door",
        "entree",
        "--card",
        "4000123456",
        "--pin",
        "739105",
        "--at",
        MONDAY_9,
        "--format",
        "json",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    let answer = run.json();
    assert_eq!(
        answer["subject"]["media"],
        serde_json::json!(["badge", "pin"])
    );
    assert!(!run.stdout.contains("739105"), "a PIN is never printed");
}

#[test]
fn factors_of_two_holders_are_refused() {
    let run = check(&[
        "--door",
        "entree",
        "--card",
        "4000123456",
        "--pin",
        "482913",
        "--at",
        MONDAY_9,
    ]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stdout.starts_with("denied: factors_mismatch"),
        "{}",
        run.stdout
    );
}

#[test]
fn remote_openings_and_the_offline_flag() {
    let run = check(&["--door", "entree", "--remote", "david", "--at", MONDAY_9]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    let run = check(&["--door", "entree", "--remote", "ana", "--at", MONDAY_9]);
    assert_eq!(run.code, Some(1));
    assert!(run.stdout.starts_with("denied: remote_not_allowed"));
    let run = check(&[
        "--door",
        "entree",
        "--remote",
        "david",
        "--at",
        MONDAY_9,
        "--offline",
    ]);
    assert_eq!(run.code, Some(1));
    assert!(run.stdout.contains("offline:  yes"), "{}", run.stdout);
}

#[test]
fn an_instant_with_an_offset_is_shown_in_the_site_zone() {
    let run = check(&[
        "--door",
        "reunion",
        "--user",
        "ana",
        "--at",
        "2026-11-23T08:00Z",
    ]);
    assert_eq!(run.code, Some(0));
    assert!(run
        .stdout
        .contains("at:       2026-11-23T09:00:00+01:00 (Europe/Paris)"));
}

#[test]
fn who_can_lists_users_guests_and_space_codes() {
    let run = run(&[
        "who-can",
        "--policy",
        COWORKING,
        "--door",
        "startinbox",
        "--at",
        "2025-05-07T17:00",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let answer = run.json();
    let users: Vec<&str> = answer["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["name"].as_str().expect("name"))
        .collect();
    assert_eq!(users, ["david", "camille", "sacha", "ines"]);
    assert_eq!(
        answer["users"][2]["account"],
        "start_inbox@coworkers@welcomr"
    );
    assert_eq!(answer["users"][2]["via"]["kind"], "path");
    assert_eq!(answer["users"][2]["via"]["name"], "vers_startinbox");
    assert_eq!(answer["users"][2]["schedule"], "bureau");
    assert_eq!(answer["users"][0]["schedule"], serde_json::Value::Null);
    assert_eq!(answer["guests"][0]["appointment"], "demo_startinbox");
    assert_eq!(answer["guests"][0]["via"]["name"], "startinbox");
    assert_eq!(answer["space_codes"], serde_json::json!([]));
}

#[test]
fn who_can_names_space_codes_by_number_never_by_value() {
    let run = run_in(
        &fixtures(),
        &[
            "who-can",
            "--policy",
            "valid/hq.acl",
            "--door",
            "main",
            "--at",
            "2026-11-23T10:30",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "who can open main \"Main entrance\" (site hq) at 2026-11-23T10:30:00+01:00 (Europe/Paris):
2 users:
  ana  account acme  via group floor  schedule office
  bob  account acme  via door main    at any time
1 guest:
  \"Eve\"  appointment visit  via door main
1 space code:
  #1  via door main
"
    );
    assert!(!run.stdout.contains("483920"));
}

#[test]
fn what_can_lists_doors_with_via_and_schedule() {
    let run = run(&[
        "what-can",
        "--policy",
        COWORKING,
        "--user",
        "alexandre",
        "--at",
        "2026-11-23T20:00",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "what alexandre of account welcomr can open at 2026-11-23T20:00:00+01:00 (Europe/Paris):
1 door:
  bureau_r2  site cowork  via door bureau_r2  schedule soirees
"
    );
    let json = run_in(
        &support::workspace(),
        &[
            "what-can",
            "--policy",
            COWORKING,
            "--user",
            "alexandre",
            "--at",
            MONDAY_9,
            "--format",
            "json",
        ],
    );
    let answer = json.json();
    assert_eq!(answer["user"]["name"], "alexandre");
    let doors: Vec<&str> = answer["doors"]
        .as_array()
        .expect("doors")
        .iter()
        .map(|d| d["name"].as_str().expect("name"))
        .collect();
    assert_eq!(doors, ["entree", "open_space"]);
    assert_eq!(answer["doors"][0]["via"]["kind"], "path");
    assert_eq!(answer["times"][0]["timezone"], "Europe/Paris");
}
