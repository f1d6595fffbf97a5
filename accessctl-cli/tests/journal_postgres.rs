//! `accessctl journal show`, `export` and `purge` on a fleet's PostgreSQL journal:
//! every controller's events, the controller named, a URL's password never shown.
//! Needs a real PostgreSQL (`ACCESSCTL_TEST_POSTGRES`, or one started here): without
//! one these tests fail.

#[path = "../../accessctl-controller/tests/store/postgres_server.rs"]
pub(crate) mod postgres_server;

use accessctl_cli::journal::postgres::{Database, Postgres};
use accessctl_cli::journal::spool::flush_once;
use accessctl_cli::journal::{Event, EventKind, Journal};
use accessctl_core::Reason;

use crate::support::run_in;

/// 2026-11-23T00:00:00Z.
const MONDAY: i64 = 1_795_392_000;
const HOUR: i64 = 60 * 60;
const DAY: i64 = 24 * HOUR;

/// A fleet database holding the mornings of two controllers at two sites, and one
/// event 70 days before.
fn fleet(test: &str) -> (tempfile::TempDir, Database) {
    let database = postgres_server::fresh_database(test);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Postgres::connect(&database).unwrap();
    for (controller, site, door, offset) in [
        ("hq-1", "hq", "main", 0),
        ("depot-1", "depot", "gate", 30 * 60),
    ] {
        let mut local = Journal::open(dir.path().join(format!("{controller}.db"))).unwrap();
        local.claim_controller_id(controller).unwrap();
        let opened = |at, user: &str| Event {
            reason: Some(Reason::Granted),
            user: Some(user.to_owned()),
            ..Event::new(at, site, door, EventKind::Opened)
        };
        let events = [
            opened(MONDAY - 70 * DAY + offset, "ana"),
            opened(MONDAY + 8 * HOUR + offset, "bo"),
            opened(MONDAY + 9 * HOUR + offset, "ana"),
        ];
        local.record_many(&events).unwrap();
        while flush_once(&mut local, &mut store, 2).unwrap().sent > 0 {}
    }
    (dir, database)
}

/// The database's URL, with a password the test server ignores.
fn url(database: &Database) -> String {
    database
        .name()
        .replacen("://postgres@", "://postgres:s3cret-pw@", 1)
}

const MONDAY_WINDOW: [&str; 4] = ["--since", "2026-11-23T00:00", "--until", "2026-11-24T00:00"];

#[test]
fn show_lists_every_controllers_events() {
    let (dir, database) = fleet("cli_show");
    let url = url(&database);
    let mut args = vec!["journal", "show", "--journal", &url];
    args.extend(MONDAY_WINDOW);
    let run = run_in(dir.path(), &args);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("4 events from"), "{}", run.stdout);
    assert!(lines[1].contains("controller"), "{}", lines[1]);
    assert!(
        lines[2].contains("depot-1") && lines[2].contains("gate"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].contains("hq-1") && lines[3].contains("main"),
        "{}",
        lines[3]
    );
    assert!(!run.stdout.contains("s3cret-pw"));

    args.extend(["--format", "json", "--user", "ana"]);
    let document = run_in(dir.path(), &args).json();
    let events = document["events"].as_array().unwrap();
    let who: Vec<(&str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["controller"].as_str().unwrap(),
                e["site"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(who, [("depot-1", "depot"), ("hq-1", "hq")]);
}

#[test]
fn export_writes_the_window_oldest_first_to_a_file() {
    let (dir, database) = fleet("cli_export");
    let url = url(&database);
    let out = dir.path().join("monday.csv");
    let mut args = vec![
        "journal",
        "export",
        "--journal",
        &url,
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend(MONDAY_WINDOW);
    let run = run_in(dir.path(), &args);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "");
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "id,controller,time,site,door,kind,reason,user,card,detail,medium,access_type"
    );
    assert!(
        lines[1].starts_with("2,hq-1,2026-11-23T08:00:00Z,hq,main,opened"),
        "{text}"
    );
    assert!(
        lines[4].starts_with("3,depot-1,2026-11-23T09:30:00Z,depot,gate"),
        "{text}"
    );

    let mut args = vec!["journal", "export", "--journal", &url, "--format", "json"];
    args.extend(MONDAY_WINDOW);
    let run = run_in(dir.path(), &args);
    let first: serde_json::Value =
        serde_json::from_str(run.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["controller"], "hq-1");
    assert_eq!(first["time"], "2026-11-23T08:00:00Z");
    assert_eq!(run.stdout.lines().count(), 4);
}

#[test]
fn purge_drops_the_old_months_of_the_fleet() {
    let (dir, database) = fleet("cli_purge");
    let url = url(&database);
    let args = [
        "journal",
        "purge",
        "--journal",
        &url,
        "--at",
        "2026-12-05T00:00",
        "--format",
        "json",
    ];
    let run = run_in(dir.path(), &args);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["removed"], 2);
    let mut store = Postgres::connect(&database).unwrap();
    assert_eq!(store.partitions().unwrap(), ["events_p202611"]);
}

#[test]
fn a_database_without_a_journal_is_refused_without_its_password() {
    let database = postgres_server::fresh_database("cli_missing");
    let dir = tempfile::tempdir().unwrap();
    let url = url(&database);
    let run = run_in(dir.path(), &["journal", "show", "--journal", &url]);
    assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("holds no event journal"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(database.name()), "{}", run.stderr);
    assert!(!run.stderr.contains("s3cret-pw"), "{}", run.stderr);
    let bad = "postgres://ana:s3cret-pw@localhost/db?nonsense=1";
    let run = run_in(dir.path(), &["journal", "show", "--journal", bad]);
    assert_eq!(run.code, Some(2));
    assert!(
        !format!("{}{}", run.stdout, run.stderr).contains("s3cret-pw"),
        "{}",
        run.stderr
    );
}
