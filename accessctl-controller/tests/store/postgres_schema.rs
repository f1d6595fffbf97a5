//! The PostgreSQL journal's schema: migrations from an empty database, a newer
//! schema refused (naming the database, never its password), monthly partitions
//! made on demand, read by a 60-day query and dropped whole by the purge.

use std::time::Duration;

use accessctl_controller::journal::postgres::{schema, Database, Postgres, PostgresError};
use accessctl_controller::journal::{EventStore, Query};

use crate::postgres_server::fresh_database;
use crate::support::{entries, opened, NOVEMBER};

const DAY: i64 = 24 * 60 * 60;

/// `database` reached with a password in its URL (the test server trusts anyone).
fn with_password(database: &Database) -> Database {
    let user = database.config().get_user().unwrap_or_default();
    let name = database.name();
    let url = name.replacen(&format!("://{user}@"), &format!("://{user}:s3cret-pw@"), 1);
    assert!(url.contains("s3cret-pw"), "{url}");
    Database::parse(&url).unwrap()
}

#[test]
fn an_empty_database_is_migrated_once_and_a_newer_one_refused() {
    let database = fresh_database("migrations");
    let refused = Postgres::connect_existing(&database).unwrap_err();
    assert!(
        matches!(refused, PostgresError::Missing { .. }),
        "{refused}"
    );
    let mut store = Postgres::connect(&database).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::latest());
    drop(store);
    let mut again = Postgres::connect_existing(&database).unwrap();
    assert_eq!(again.schema_version().unwrap(), schema::latest());
    drop(again);

    let mut admin = database.config().connect(postgres::NoTls).unwrap();
    admin
        .execute("UPDATE journal_schema SET version = version + 1", &[])
        .unwrap();
    let secret = with_password(&database);
    let error = Postgres::connect(&secret).unwrap_err();
    let PostgresError::TooNew { found, known, .. } = &error else {
        panic!("not refused as newer: {error}");
    };
    assert_eq!((*found, *known), (schema::latest() + 1, schema::latest()));
    let shown = format!("{error} {error:?} {secret:?}");
    assert!(
        shown.contains(database.config().get_dbname().unwrap()),
        "{shown}"
    );
    assert!(
        !shown.contains("s3cret-pw"),
        "a password was shown: {shown}"
    );
}

#[test]
fn a_wrong_server_is_named_without_its_password() {
    let url = "postgres://ana:s3cret-pw@localhost:1/fleet?connect_timeout=2";
    let error = Postgres::connect(&Database::parse(url).unwrap()).unwrap_err();
    assert!(error.is_transient());
    let shown = format!("{error} {error:?}");
    assert!(
        shown.contains("postgres://ana@localhost:1/fleet"),
        "{shown}"
    );
    assert!(!shown.contains("s3cret-pw"), "{shown}");
}

#[test]
fn months_are_partitions_read_by_a_60_day_query_and_dropped_by_the_purge() {
    let database = fresh_database("partitions");
    let mut store = Postgres::connect(&database).unwrap();
    // One event a day from November 2026 to March 2027 (5 months).
    let days = 150;
    let all: Vec<_> = (0..days)
        .map(|d| opened(NOVEMBER + d * DAY + 3600, "main", "ana"))
        .collect();
    store.append(&entries("door-1", 1, all)).unwrap();
    let partitions = store.partitions().unwrap();
    assert_eq!(
        partitions,
        [
            "events_p202611",
            "events_p202612",
            "events_p202701",
            "events_p202702",
            "events_p202703"
        ]
    );

    // 60 days from 2027-01-10: January to March only.
    let since = NOVEMBER + 70 * DAY;
    let window = Query {
        since: Some(since),
        until: Some(since + 60 * DAY),
        ..Query::default()
    };
    assert_eq!(store.query(&window).unwrap().len(), 60);
    let plan = store.plan(&window).unwrap().join("\n");
    assert!(
        !plan.contains("events_p202611") && !plan.contains("events_p202612"),
        "{plan}"
    );
    assert!(plan.contains("events_p202701"), "{plan}");

    // Purge at 2027-03-20 keeping 60 days: November and December go whole, January
    // loses its days before the 19th.
    let now = NOVEMBER + 139 * DAY;
    let cutoff = now - 60 * DAY;
    let removed = store
        .purge(now, Duration::from_secs((60 * DAY) as u64))
        .unwrap();
    let kept = store.query(&Query::default()).unwrap();
    assert_eq!(removed + kept.len(), days as usize);
    assert!(kept.iter().all(|e| e.event.at >= cutoff));
    assert_eq!(
        kept.iter().filter(|e| e.event.at >= cutoff).count(),
        kept.len()
    );
    assert_eq!(
        store.partitions().unwrap(),
        ["events_p202701", "events_p202702", "events_p202703"]
    );
    // Writing to a month that was dropped makes its partition again.
    let late = entries(
        "door-1",
        1000,
        vec![opened(NOVEMBER + 5 * DAY, "main", "bob")],
    );
    assert_eq!(store.append(&late).unwrap(), 1);
    assert_eq!(store.partitions().unwrap().len(), 4);
}

#[test]
fn a_version_2_database_is_read_with_no_medium_and_filtered_by_index() {
    use accessctl_controller::journal::{AccessType, Event, EventKind, Medium};
    let database = fresh_database("version_2");
    let mut admin = database.config().connect(postgres::NoTls).unwrap();
    // The journal as the previous release left it: migrations 1 and 2, one month,
    // one event.
    admin
        .batch_execute("CREATE TABLE journal_schema (version BIGINT NOT NULL)")
        .unwrap();
    for sql in schema::MIGRATIONS.iter().take(2) {
        admin.batch_execute(sql).unwrap();
    }
    admin
        .batch_execute(&format!(
            "INSERT INTO journal_schema (version) VALUES (2);
             CREATE TABLE events_p202611 PARTITION OF events
                 FOR VALUES FROM ({NOVEMBER}) TO ({});
             INSERT INTO events (controller, seq, at, site, door, kind, reason, \"user\")
                 VALUES ('door-1', 1, {}, 'hq', 'main', 'opened', 'granted', 'ana');",
            NOVEMBER + 30 * DAY,
            NOVEMBER + 10
        ))
        .unwrap();
    let mut store = Postgres::connect_existing(&database).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::latest());
    let old = store.query(&Query::default()).unwrap();
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].event, opened(NOVEMBER + 10, "main", "ana"));
    let badge = Event {
        medium: Some(Medium::Badge),
        access_type: Some(AccessType::Appointment),
        ..Event::new(NOVEMBER + 20, "hq", "main", EventKind::Opened)
    };
    // A month made after the migration has the new columns too.
    let december = Event {
        medium: Some(Medium::Pin),
        ..Event::new(NOVEMBER + 40 * DAY, "hq", "side", EventKind::Denied)
    };
    store
        .append(&entries("door-1", 2, vec![badge.clone(), december.clone()]))
        .unwrap();
    let badges = Query {
        media: vec![Medium::Badge],
        access_types: vec![AccessType::Appointment],
        ..Query::default()
    };
    let found = store.query(&badges).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].event, badge);
    let pins = Query {
        media: vec![Medium::Pin],
        ..Query::default()
    };
    assert_eq!(store.query(&pins).unwrap()[0].event, december);

    // A 60-day window by medium reads the (medium, at) index once the table is large
    // enough for an index to matter.
    let many: Vec<Event> = (0..20_000)
        .map(|i| Event {
            medium: Some(if i % 50 == 0 {
                Medium::Qr
            } else {
                Medium::Badge
            }),
            ..opened(NOVEMBER + 100 + i, "main", "ana")
        })
        .collect();
    store.bulk_load(&entries("door-2", 1, many)).unwrap();
    admin.batch_execute("ANALYZE events").unwrap();
    let window = Query {
        media: vec![Medium::Qr],
        since: Some(NOVEMBER),
        until: Some(NOVEMBER + 60 * DAY),
        ..Query::default()
    };
    let plan = store.plan(&window).unwrap().join("\n");
    assert!(plan.contains("medium_at"), "{plan}");
    assert_eq!(store.query(&window).unwrap().len(), 400);
}
