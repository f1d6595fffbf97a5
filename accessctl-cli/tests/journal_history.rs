//! The seeds' history on a journal `accessctl demo` filled: `journal show` filtered
//! by several doors, media, access types, kinds, users and an account; `journal
//! export` of the whole filtered window to a file; `journal unknown`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::support::{run_in, workspace};

/// The journal the sports centre's demo day leaves, made once for this module.
fn demo_journal() -> &'static Path {
    static JOURNAL: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = JOURNAL.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.db");
        let demo = run_in(dir.path(), &["demo", "--journal", path.to_str().unwrap()]);
        assert_eq!(demo.code, Some(0), "{}{}", demo.stdout, demo.stderr);
        (dir, path)
    });
    path
}

/// `journal SUB --journal DEMO --at (the day after the demo) ARGS`.
fn journal(sub: &str, args: &[&str]) -> crate::support::Run {
    let path = demo_journal();
    let mut all = vec![
        "journal",
        sub,
        "--journal",
        path.to_str().unwrap(),
        "--at",
        "2026-03-15T00:00",
    ];
    all.extend(args);
    run_in(path.parent().unwrap(), &all)
}

#[test]
fn show_filters_by_medium_and_access_type() {
    let none = journal(
        "show",
        &["--media", "badge", "--access-type", "appointment"],
    );
    assert_eq!(none.code, Some(1), "{}", none.stderr);
    assert_eq!(none.stdout, "no events from 2026-01-14T00:00:00Z on\n");
    let guests = journal(
        "show",
        &["--media", "badge", "pin", "--access-type", "appointment"],
    );
    assert_eq!(guests.code, Some(0), "{}", guests.stderr);
    insta::assert_snapshot!(guests.stdout);
    let json = journal(
        "show",
        &[
            "--media",
            "code",
            "--access-type",
            "space_code",
            "--format",
            "json",
        ],
    )
    .json();
    let events = json["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{json}");
    assert_eq!(events[0]["medium"], "code");
    assert_eq!(events[0]["access_type"], "space_code");
    assert_eq!(events[0]["door"], "court_1");
}

#[test]
fn show_filters_by_several_doors_kinds_and_users() {
    let run = journal(
        "show",
        &[
            "--door",
            "club_entree",
            "--door",
            "caisse",
            "--kind",
            "opened",
            "denied",
            "--user",
            "gerant",
            "--user",
            "membre_theo",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
    let badges = journal("show", &["--media", "badge", "--format", "json"]).json();
    let kinds: Vec<&str> = badges["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"unknown_card"),
        "an unknown card is a badge: {kinds:?}"
    );
    assert!(!kinds.contains(&"reader_online"), "{kinds:?}");
}

#[test]
fn show_by_account_keeps_its_users_and_guests() {
    let policy = workspace().join("examples/sports-centre");
    let policy = policy.to_str().unwrap();
    let run = journal(
        "show",
        &[
            "--account",
            "tc_tours",
            "--policy",
            policy,
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let json = run.json();
    let users: Vec<&str> = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["user"].as_str().unwrap())
        .collect();
    assert_eq!(users.len(), 9, "{users:?}");
    assert!(
        users.contains(&"gerant") && users.contains(&"Romain Faure"),
        "{users:?}"
    );
    let one = journal(
        "show",
        &[
            "--account",
            "tc_tours",
            "--policy",
            policy,
            "--user",
            "gerant",
        ],
    );
    assert_eq!(one.code, Some(0), "{}", one.stderr);
    assert!(one.stdout.starts_with("2 events"), "{}", one.stdout);
    let unknown = journal("show", &["--account", "tc_tour", "--policy", policy]);
    assert_eq!(unknown.code, Some(2), "{}", unknown.stdout);
    assert!(unknown.stderr.contains("tc_tours"), "{}", unknown.stderr);
    let no_policy = journal("show", &["--account", "tc_tours"]);
    assert_eq!(no_policy.code, Some(2));
    assert!(
        no_policy.stderr.contains("--policy"),
        "{}",
        no_policy.stderr
    );
}

#[test]
fn an_unknown_medium_or_access_type_is_a_usage_error() {
    let medium = journal("show", &["--media", "smartphone"]);
    assert_eq!(medium.code, Some(2));
    assert!(medium
        .stderr
        .contains("one of badge, pin, code, qr, mobile, remote"));
    let access = journal("export", &["--access-type", "guest"]);
    assert_eq!(access.code, Some(2));
    assert!(access.stderr.contains("appointment"), "{}", access.stderr);
}

#[test]
fn export_writes_the_filtered_window_to_a_file_without_a_progress_bar_when_piped() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("history.csv");
    let run = journal(
        "export",
        &[
            "--media",
            "badge",
            "pin",
            "--access-type",
            "permanent",
            "appointment",
            "--door",
            "club_entree",
            "--door",
            "padel_2",
            "-o",
            csv.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
    let text = std::fs::read_to_string(&csv).unwrap();
    // The controller's id is drawn at random: shown as `C`.
    let text: String = text
        .lines()
        .map(|line| {
            let mut fields: Vec<&str> = line.split(',').collect();
            if fields[1].starts_with("c-") {
                fields[1] = "C";
            }
            fields.join(",") + "\n"
        })
        .collect();
    insta::assert_snapshot!(text);
    let json = dir.path().join("history.jsonl");
    let run = journal(
        "export",
        &[
            "--format",
            "json",
            "--kind",
            "unknown_card",
            "-o",
            json.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&json)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["card"], "3276800042");
    assert_eq!(lines[0]["medium"], "badge");
    assert!(lines[0]["access_type"].is_null());
}

#[test]
fn unknown_lists_the_cards_nobody_holds() {
    let run = journal("unknown", &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
    let json = journal("unknown", &["--format", "json"]).json();
    assert_eq!(
        json,
        serde_json::json!({
            "version": 1,
            "since": "2026-01-14T00:00:00Z",
            "until": null,
            "cards": [{
                "card": "3276800042",
                "doors": ["club_entree"],
                "first_seen": "2026-03-14T09:00:00Z",
                "last_seen": "2026-03-14T09:00:00Z",
                "count": 1
            }]
        })
    );
    let before = journal("unknown", &["--until", "2026-03-14T08:00"]);
    assert_eq!(before.code, Some(1));
    assert!(
        before.stdout.starts_with("no unknown cards from"),
        "{}",
        before.stdout
    );
    let long = journal(
        "unknown",
        &["--since", "2026-01-01T00:00", "--until", "2026-03-14T00:00"],
    );
    assert_eq!(long.code, Some(2));
    assert!(long.stderr.contains("60 days"), "{}", long.stderr);
}
