//! One contract, both backends: what every event store does.

use std::time::Duration;

use accessctl_controller::journal::postgres::Postgres;
use accessctl_controller::journal::{EventKind, EventStore, Journal, Query};

use crate::postgres_server::fresh_database;
use crate::support::{entries, events, opened, sequences, NOVEMBER};

const DAY: i64 = 24 * 60 * 60;

/// Runs `check` on an SQLite journal and on a PostgreSQL database.
fn on_both(test: &str, check: impl Fn(&mut dyn EventStore)) {
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite = Journal::open(dir.path().join("journal.db")).unwrap();
    check(&mut sqlite);
    let mut postgres = Postgres::connect(&fresh_database(test)).unwrap();
    check(&mut postgres);
}

#[test]
fn an_identity_appended_twice_is_stored_once() {
    on_both("twice", |store| {
        let batch = entries("door-1", 1, events(50, NOVEMBER, "main"));
        assert_eq!(store.append(&batch).unwrap(), 50, "{}", store.name());
        assert_eq!(store.append(&batch).unwrap(), 0, "{}", store.name());
        let mut overlapping = entries("door-1", 40, events(20, NOVEMBER + 39, "main"));
        overlapping.extend(entries("door-2", 1, events(5, NOVEMBER, "side")));
        assert_eq!(store.append(&overlapping).unwrap(), 14);
        let found = sequences(store);
        assert_eq!(found["door-1"], (1..=59).collect::<Vec<_>>());
        assert_eq!(found["door-2"], (1..=5).collect::<Vec<_>>());
    });
}

#[test]
fn a_batch_with_a_refused_event_writes_nothing() {
    on_both("refused", |store| {
        let mut batch = entries("door-1", 1, events(3, NOVEMBER, "main"));
        batch[2].event.door.clear();
        assert!(store.append(&batch).is_err());
        assert!(
            store.query(&Query::default()).unwrap().is_empty(),
            "{}",
            store.name()
        );
    });
}

#[test]
fn queries_filter_and_order_alike() {
    on_both("filters", |store| {
        let mut batch = entries("door-1", 1, events(10, NOVEMBER, "main"));
        let mut refused = opened(NOVEMBER + 5, "side", "bob");
        refused.kind = EventKind::Denied;
        batch.extend(entries("door-2", 1, vec![refused]));
        store.append(&batch).unwrap();
        let window = Query {
            since: Some(NOVEMBER + 2),
            until: Some(NOVEMBER + 6),
            ..Query::default()
        };
        let found = store.query(&window).unwrap();
        let ids: Vec<(String, i64)> = found.iter().map(|e| (e.controller.clone(), e.id)).collect();
        let expected = [
            ("door-2", 1),
            ("door-1", 6),
            ("door-1", 5),
            ("door-1", 4),
            ("door-1", 3),
        ];
        let expected: Vec<(String, i64)> =
            expected.iter().map(|(c, i)| (c.to_string(), *i)).collect();
        assert_eq!(ids, expected, "{}", store.name());
        let door = Query {
            door: Some("side".into()),
            ..Query::default()
        };
        assert_eq!(
            store.query(&door).unwrap()[0].event.user.as_deref(),
            Some("bob")
        );
        let kinds = Query {
            kinds: vec![EventKind::Denied, EventKind::Tamper],
            ..Query::default()
        };
        assert_eq!(store.query(&kinds).unwrap().len(), 1);
        let user = Query {
            user: Some("ana".into()),
            limit: Some(3),
            ..Query::default()
        };
        let newest: Vec<i64> = store.query(&user).unwrap().iter().map(|e| e.id).collect();
        assert_eq!(newest, [10, 9, 8]);
    });
}

#[test]
fn the_purge_keeps_an_event_exactly_the_retention_old() {
    on_both("purge", |store| {
        let now = NOVEMBER + 90 * DAY;
        let at = [now - 61 * DAY, now - 60 * DAY, now - 60 * DAY + 1, now];
        let batch = entries(
            "door-1",
            1,
            at.iter().map(|at| opened(*at, "main", "ana")).collect(),
        );
        store.append(&batch).unwrap();
        let removed = store
            .purge(now, Duration::from_secs(60 * DAY as u64))
            .unwrap();
        assert_eq!(removed, 1, "{}", store.name());
        assert_eq!(sequences(store)["door-1"], [2, 3, 4]);
    });
}
