//! `accessctl journal show` and `journal purge` on real journal files: the table's
//! header, the JSON document, CSV quoting, filters, the 60-day window, exit codes and
//! a missing file that is never created.

use std::path::{Path, PathBuf};

use accessctl_cli::journal::{Event, EventKind, Journal, Query};
use accessctl_core::Reason;

use crate::support::{self, run_in};

/// 2026-11-23T00:00:00Z.
const MONDAY: i64 = 1_795_392_000;
const HOUR: i64 = 60 * 60;
const DAY: i64 = 24 * HOUR;

/// A journal in a temporary directory holding a morning at `main` and `store`, and
/// one event 70 days before.
fn journal() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    let mut journal = Journal::open(&path).unwrap();
    let person = |at, door: &str, kind, reason, user: &str| Event {
        reason: Some(reason),
        user: Some(user.to_owned()),
        ..Event::new(at, "hq", door, kind)
    };
    let unknown = Event {
        card: Some("3276800042".to_owned()),
        reason: Some(Reason::UnknownCredential),
        detail: Some("read as 50000:42, \"twice\"".to_owned()),
        ..Event::new(MONDAY + 9 * HOUR, "hq", "main", EventKind::UnknownCard)
    };
    let events = [
        person(
            MONDAY - 70 * DAY,
            "main",
            EventKind::Opened,
            Reason::Granted,
            "ana",
        ),
        person(
            MONDAY + 8 * HOUR,
            "main",
            EventKind::Opened,
            Reason::Granted,
            "bo",
        ),
        person(
            MONDAY + 8 * HOUR + 55 * 60,
            "main",
            EventKind::Denied,
            Reason::OutsideSchedule,
            "ana",
        ),
        unknown,
        person(
            MONDAY + 10 * HOUR,
            "store",
            EventKind::Opened,
            Reason::Granted,
            "ana",
        ),
    ];
    journal.record_many(&events).unwrap();
    (dir, path)
}

/// `journal show --journal DB` with `args`, run in the journal's directory.
fn show(path: &Path, args: &[&str]) -> support::Run {
    let mut all = vec!["journal", "show", "--journal", path.to_str().unwrap()];
    all.extend(args);
    run_in(path.parent().unwrap(), &all)
}

const MONDAY_WINDOW: [&str; 4] = ["--since", "2026-11-23T00:00", "--until", "2026-11-24T00:00"];

#[test]
fn the_table_answers_why_ana_was_refused() {
    let (_dir, path) = journal();
    let mut args = MONDAY_WINDOW.to_vec();
    args.extend(["--door", "main", "--user", "ana"]);
    let run = show(&path, &args);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "1 event from 2026-11-23T00:00:00Z to 2026-11-24T00:00:00Z, newest first:"
    );
    let header: Vec<&str> = lines[1].split("  ").filter(|c| !c.is_empty()).collect();
    let header: Vec<&str> = header.iter().map(|c| c.trim()).collect();
    assert_eq!(
        header,
        [
            "time (UTC)",
            "site",
            "door",
            "event",
            "medium",
            "access",
            "who",
            "reason",
            "detail"
        ]
    );
    assert!(lines[2].contains("2026-11-23T08:55:00Z"), "{}", lines[2]);
    assert!(lines[2].contains("denied"), "{}", lines[2]);
    assert!(lines[2].contains("outside_schedule"), "{}", lines[2]);
    assert_eq!(lines.len(), 3, "{}", run.stdout);
}

#[test]
fn the_json_document_lists_the_events_newest_first() {
    let (_dir, path) = journal();
    let mut args = MONDAY_WINDOW.to_vec();
    args.extend(["--format", "json"]);
    let run = show(&path, &args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.starts_with("{\n  \"version\": 1,"),
        "{}",
        run.stdout
    );
    let document = run.json();
    assert_eq!(document["version"], 1);
    assert_eq!(document["since"], "2026-11-23T00:00:00Z");
    assert_eq!(document["until"], "2026-11-24T00:00:00Z");
    let events = document["events"].as_array().unwrap();
    let doors: Vec<&str> = events.iter().map(|e| e["door"].as_str().unwrap()).collect();
    assert_eq!(doors, ["store", "main", "main", "main"]);
    let unknown = &events[1];
    assert_eq!(unknown["time"], "2026-11-23T09:00:00Z");
    assert_eq!(unknown["at"], MONDAY + 9 * HOUR);
    assert_eq!(unknown["kind"], "unknown_card");
    assert_eq!(unknown["card"], "3276800042");
    assert_eq!(unknown["site"], "hq");
    assert!(unknown["id"].is_i64());
    assert!(unknown["user"].is_null());
}

#[test]
fn csv_quotes_commas_and_quotes() {
    let (_dir, path) = journal();
    let mut args = MONDAY_WINDOW.to_vec();
    args.extend(["--format", "csv", "--kind", "unknown_card", "denied"]);
    let run = show(&path, &args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "id,time,site,door,kind,reason,user,card,detail,medium,access_type"
    );
    assert!(
        lines[1].ends_with(
            ",2026-11-23T09:00:00Z,hq,main,unknown_card,unknown_credential,,3276800042,\
             \"read as 50000:42, \"\"twice\"\"\",,"
        ),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].ends_with(",denied,outside_schedule,ana,,,,"),
        "{}",
        lines[2]
    );
    assert_eq!(lines[3], "");
    assert_eq!(lines.len(), 4, "{}", run.stdout);
}

#[test]
fn filters_by_card_and_limit() {
    let (_dir, path) = journal();
    let mut args = MONDAY_WINDOW.to_vec();
    args.extend(["--card", "3276800042", "--format", "json"]);
    let events = show(&path, &args).json()["events"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(events, 1);
    let mut args = MONDAY_WINDOW.to_vec();
    args.extend(["--limit", "2", "--format", "json"]);
    let run = show(&path, &args);
    let document = run.json();
    let times: Vec<&str> = document["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["time"].as_str().unwrap())
        .collect();
    assert_eq!(times, ["2026-11-23T10:00:00Z", "2026-11-23T09:00:00Z"]);
}

#[test]
fn no_match_exits_1() {
    let (_dir, path) = journal();
    let mut args = MONDAY_WINDOW.to_vec();
    args.extend(["--user", "nobody"]);
    let run = show(&path, &args);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stdout.starts_with("no events from"), "{}", run.stdout);
    args.extend(["--format", "json"]);
    let run = show(&path, &args);
    assert_eq!(run.code, Some(1));
    assert_eq!(run.json()["events"].as_array().unwrap().len(), 0);
}

#[test]
fn the_default_window_is_the_last_60_days() {
    let (_dir, path) = journal();
    let run = show(&path, &["--at", "2026-11-24T00:00Z", "--format", "json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let document = run.json();
    assert_eq!(document["since"], "2026-09-25T00:00:00Z");
    assert!(document["until"].is_null());
    assert_eq!(document["events"].as_array().unwrap().len(), 4);
    let old = ["--until", "2026-09-20T00:00Z", "--format", "json"];
    let run = show(&path, &old);
    assert_eq!(run.json()["events"][0]["user"], "ana");
}

#[test]
fn a_window_longer_than_60_days_is_refused() {
    let (_dir, path) = journal();
    let args = ["--since", "2026-09-01T00:00", "--until", "2026-11-24T00:00"];
    let run = show(&path, &args);
    assert_eq!(run.code, Some(2));
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("more than 60 days"), "{}", run.stderr);
    let mut json = args.to_vec();
    json.extend(["--format", "json"]);
    let run = show(&path, &json);
    assert_eq!(run.code, Some(2));
    assert_eq!(run.json()["error"]["kind"], "window_too_long");
    let empty = ["--since", "2026-11-24T00:00", "--until", "2026-11-23T00:00"];
    assert_eq!(show(&path, &empty).code, Some(2));
}

#[test]
fn a_missing_journal_is_an_error_and_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.db");
    let run = show(&path, &["--format", "json"]);
    assert_eq!(run.code, Some(2));
    assert_eq!(run.json()["error"]["kind"], "journal_missing");
    let purge = ["journal", "purge", "--journal", path.to_str().unwrap()];
    assert_eq!(run_in(dir.path(), &purge).code, Some(2));
    assert!(!path.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn purge_removes_the_events_past_the_retention() {
    let (dir, path) = journal();
    let db = path.to_str().unwrap();
    let args = [
        "journal",
        "purge",
        "--journal",
        db,
        "--at",
        "2026-11-24T00:00Z",
    ];
    let run = run_in(dir.path(), &args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "removed 1 event older than 60 days (before 2026-09-25T00:00:00Z)\n"
    );
    assert_eq!(
        Journal::open(&path)
            .unwrap()
            .query(&Query::default())
            .unwrap()
            .len(),
        4
    );
    let mut json = args.to_vec();
    json.extend(["--older-than", "0", "--format", "json"]);
    let document = run_in(dir.path(), &json).json();
    assert_eq!(document["removed"], 4);
    assert_eq!(document["older_than_days"], 0);
    assert!(Journal::open(&path)
        .unwrap()
        .query(&Query::default())
        .unwrap()
        .is_empty());
}
