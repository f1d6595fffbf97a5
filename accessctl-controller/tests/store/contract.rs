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

/// A decision presented by `medium` under `access` for `user` at `door`.
fn decided(
    at: i64,
    door: &str,
    user: &str,
    medium: accessctl_controller::journal::Medium,
    access: accessctl_controller::journal::AccessType,
) -> accessctl_controller::journal::Event {
    accessctl_controller::journal::Event {
        medium: Some(medium),
        access_type: Some(access),
        ..opened(at, door, user)
    }
}

#[test]
fn the_history_filters_select_alike() {
    use accessctl_controller::journal::{AccessType, Medium};
    on_both("history_filters", |store| {
        let batch = entries(
            "door-1",
            1,
            vec![
                decided(
                    NOVEMBER + 1,
                    "main",
                    "ana",
                    Medium::Badge,
                    AccessType::Permanent,
                ),
                decided(
                    NOVEMBER + 2,
                    "side",
                    "guest",
                    Medium::Pin,
                    AccessType::Appointment,
                ),
                decided(
                    NOVEMBER + 3,
                    "back",
                    "bob",
                    Medium::Badge,
                    AccessType::Appointment,
                ),
                decided(
                    NOVEMBER + 4,
                    "main",
                    "bob",
                    Medium::Code,
                    AccessType::SpaceCode,
                ),
                accessctl_controller::journal::Event::new(
                    NOVEMBER + 5,
                    "hq",
                    "main",
                    EventKind::Tamper,
                ),
            ],
        );
        store.append(&batch).unwrap();
        let ids = |store: &mut dyn EventStore, query: Query| -> Vec<i64> {
            store.query(&query).unwrap().iter().map(|e| e.id).collect()
        };
        let name = store.name();
        let doors = Query {
            doors: vec!["main".into(), "side".into()],
            ..Query::default()
        };
        assert_eq!(ids(store, doors), [5, 4, 2, 1], "{name}");
        let users = Query {
            users: vec!["bob".into(), "guest".into()],
            ..Query::default()
        };
        assert_eq!(ids(store, users), [4, 3, 2], "{name}");
        let media = Query {
            media: vec![Medium::Pin, Medium::Code],
            ..Query::default()
        };
        assert_eq!(ids(store, media), [4, 2], "{name}");
        let access = Query {
            access_types: vec![AccessType::Appointment],
            media: vec![Medium::Badge],
            ..Query::default()
        };
        assert_eq!(ids(store, access), [3], "{name}");
        let kinds = Query {
            kinds: vec![EventKind::Tamper],
            doors: vec!["main".into()],
            ..Query::default()
        };
        assert_eq!(ids(store, kinds), [5], "{name}");
        let all = store.query(&Query::default()).unwrap();
        assert_eq!(all[0].event.medium, None, "{name}");
        assert_eq!(all[1].event.medium, Some(Medium::Code), "{name}");
        assert_eq!(all[1].event.access_type, Some(AccessType::SpaceCode));
    });
}
