//! The event journal on a real file: migrations, write-ahead logging, the version
//! guard, queries by door and time through the index, retention and atomic batches.

use accessctl_cli::journal::{
    schema, Event, EventKind, Journal, JournalError, Query, DEFAULT_RETENTION,
};
use accessctl_core::Reason;

const DAY: i64 = 24 * 60 * 60;

fn event(at: i64, door: &str, kind: EventKind) -> Event {
    Event {
        reason: Some(Reason::Granted),
        user: Some("ana".to_owned()),
        ..Event::new(at, "hq", door, kind)
    }
}

fn temp() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.db");
    (dir, path)
}

#[test]
fn migrations_run_once_and_reopening_keeps_the_events() {
    let (_dir, path) = temp();
    let mut journal = Journal::open(&path).unwrap();
    assert_eq!(journal.schema_version().unwrap(), schema::latest());
    journal
        .record(&event(10, "main", EventKind::Opened))
        .unwrap();
    drop(journal);
    let journal = Journal::open(&path).unwrap();
    assert_eq!(journal.schema_version().unwrap(), schema::latest());
    assert_eq!(journal.query(&Query::default()).unwrap().len(), 1);
}

#[test]
fn a_version_1_file_is_brought_up_keeping_its_events_and_indexes() {
    let (_dir, path) = temp();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    conn.execute_batch(
        "INSERT INTO events (at, site, door, kind, reason, user) VALUES
             (10, 'hq', 'main', 'opened', 'granted', 'ana');
         INSERT INTO events (at, site, door, kind, detail) VALUES
             (20, 'hq', 'main', 'denied', 'unreadable card: no accepted format reads 35-bit frames');",
    )
    .unwrap();
    drop(conn);
    let mut journal = Journal::open(&path).unwrap();
    assert_eq!(journal.schema_version().unwrap(), schema::latest());
    let unreadable = Query {
        kind: Some(EventKind::UnreadableCard),
        ..Query::default()
    };
    let found = journal.query(&unreadable).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].event.at, 20);
    journal
        .record(&Event {
            detail: Some("power failure".to_owned()),
            ..Event::new(30, "hq", "main", EventKind::Power)
        })
        .unwrap();
    let all = journal.query(&Query::default()).unwrap();
    let kinds: Vec<EventKind> = all.iter().map(|entry| entry.event.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::Power,
            EventKind::UnreadableCard,
            EventKind::Opened
        ]
    );
    assert_eq!(all[2].event, event(10, "main", EventKind::Opened));
    let by_door = Query {
        door: Some("main".to_owned()),
        since: Some(15),
        ..Query::default()
    };
    let plan = journal.plan(&by_door).unwrap().join("\n");
    assert!(plan.contains("events_door_at"), "{plan}");
}

#[test]
fn the_file_is_in_write_ahead_logging_mode() {
    let (_dir, path) = temp();
    let journal = Journal::open(&path).unwrap();
    assert_eq!(journal.journal_mode().unwrap(), "wal");
    let other = rusqlite::Connection::open(&path).unwrap();
    let mode: String = other
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_newer_schema_is_refused_with_a_clear_error() {
    let (_dir, path) = temp();
    let newer = schema::latest() + 1;
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", newer).unwrap();
    drop(conn);
    let error = Journal::open(&path).unwrap_err();
    assert!(
        matches!(error, JournalError::TooNew { found, .. } if found == newer),
        "{error}"
    );
    let message = error.to_string();
    assert!(message.contains("events.db"), "{message}");
    assert!(message.contains("newer"), "{message}");
}

#[test]
fn queries_by_door_and_time_window_use_the_index() {
    let (_dir, path) = temp();
    let mut journal = Journal::open(&path).unwrap();
    let events = [
        event(100, "main", EventKind::Opened),
        event(200, "main", EventKind::Denied),
        event(300, "main", EventKind::Opened),
        event(200, "back", EventKind::Opened),
    ];
    journal.record_many(&events).unwrap();
    let query = Query {
        door: Some("main".to_owned()),
        since: Some(150),
        until: Some(300),
        ..Query::default()
    };
    let found = journal.query(&query).unwrap();
    let found: Vec<&Event> = found.iter().map(|entry| &entry.event).collect();
    assert_eq!(found, [&events[1]]);
    let plan = journal.plan(&query).unwrap().join("\n");
    assert!(plan.contains("events_door_at"), "{plan}");
    let window = Query {
        since: Some(150),
        ..Query::default()
    };
    let plan = journal.plan(&window).unwrap().join("\n");
    assert!(plan.contains("INDEX events_at"), "{plan}");
}

#[test]
fn purge_removes_only_events_past_the_retention() {
    let (_dir, path) = temp();
    let mut journal = Journal::open(&path).unwrap();
    let now = 1_000 * DAY;
    let events = [
        event(now - 61 * DAY, "main", EventKind::Opened),
        event(now - 59 * DAY, "main", EventKind::Opened),
        event(now, "main", EventKind::Tamper),
    ];
    journal.record_many(&events).unwrap();
    assert_eq!(journal.purge(now, DEFAULT_RETENTION).unwrap(), 1);
    let left = journal.query(&Query::default()).unwrap();
    let left: Vec<i64> = left.iter().map(|entry| entry.event.at).collect();
    assert_eq!(left, [now, now - 59 * DAY]);
}

#[test]
fn a_failing_batch_leaves_nothing() {
    let (_dir, path) = temp();
    let mut journal = Journal::open(&path).unwrap();
    let bad = Event::new(30, "hq", "", EventKind::Opened);
    let batch = [
        event(10, "main", EventKind::Opened),
        event(20, "main", EventKind::Opened),
        bad,
    ];
    let error = journal.record_many(&batch).unwrap_err();
    assert!(error.to_string().contains("events.db"), "{error}");
    assert!(journal.query(&Query::default()).unwrap().is_empty());
    drop(journal);
    let journal = Journal::open(&path).unwrap();
    assert!(journal.query(&Query::default()).unwrap().is_empty());
}

#[test]
fn an_unopenable_path_names_the_file() {
    let (dir, _) = temp();
    let path = dir.path().join("no/such/dir/events.db");
    let error = Journal::open(&path).unwrap_err();
    assert!(error.to_string().contains("no/such/dir"), "{error}");
}
