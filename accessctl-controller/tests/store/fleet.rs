//! Several controllers on one PostgreSQL: each records locally and flushes through
//! its own spool, all at once; every event arrives once.

use std::time::{Duration, Instant};

use accessctl_controller::journal::postgres::{Database, Postgres};
use accessctl_controller::journal::spool::{Flusher, SpoolConfig};
use accessctl_controller::journal::{EventStore, Journal, Query};

use crate::postgres_server::fresh_database;
use crate::support::{assert_complete, entries, events, opened, sequences, NOVEMBER};

/// A spool flushing to `database`, quick to retry.
pub fn flusher(local: &std::path::Path, database: &Database) -> Flusher {
    let database = database.clone();
    let connect = Box::new(move || {
        let store: Box<dyn EventStore + Send> = Box::new(Postgres::connect(&database)?);
        Ok(store)
    });
    let config = SpoolConfig {
        batch: 200,
        backoff_min: Duration::from_millis(20),
        backoff_max: Duration::from_millis(200),
        idle: Duration::from_millis(20),
    };
    Flusher::start(local, connect, config).expect("the flusher starts")
}

/// Waits until `journal`'s spool is empty (at most 20 s).
pub fn wait_flushed(journal: &Journal) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while journal.pending().unwrap() > 0 {
        assert!(
            Instant::now() < deadline,
            "the spool still holds {} events",
            journal.pending().unwrap()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn two_controllers_writing_at_once_store_every_event_once() {
    let database = fresh_database("two_controllers");
    let dir = tempfile::tempdir().unwrap();
    const N: i64 = 1500;
    let writers: Vec<_> = ["door-1", "door-2"]
        .into_iter()
        .map(|name| {
            let path = dir.path().join(format!("{name}.db"));
            let database = database.clone();
            std::thread::spawn(move || {
                let mut journal = Journal::open(&path).unwrap();
                journal.claim_controller_id(name).unwrap();
                let flusher = flusher(&path, &database);
                for (i, event) in events(N, NOVEMBER, name).iter().enumerate() {
                    journal.record(event).unwrap();
                    if i % 50 == 0 {
                        flusher.wake();
                    }
                }
                wait_flushed(&journal);
                flusher.stop();
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("a writer ran to the end");
    }
    let mut store = Postgres::connect(&database).unwrap();
    let found = sequences(&mut store);
    assert_eq!(found.len(), 2);
    for (controller, ids) in &found {
        assert_complete(controller, ids, N);
    }
    // `journal show` on the shared store sees both controllers' doors.
    let doors = Query {
        door: Some("door-2".into()),
        limit: Some(1),
        ..Query::default()
    };
    assert_eq!(store.query(&doors).unwrap()[0].controller, "door-2");
}

#[test]
fn two_connections_appending_at_once_create_each_month_once() {
    let database = fresh_database("two_connections");
    let appenders: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|controller| {
            let database = database.clone();
            std::thread::spawn(move || {
                let mut store = Postgres::connect(&database).unwrap();
                // Six months, one event a day, in batches of ten: both writers need
                // the same new partitions at the same moments.
                let day = 24 * 60 * 60;
                let all: Vec<_> = (0..180)
                    .map(|d| opened(NOVEMBER + d * day, "main", controller))
                    .collect();
                for (n, chunk) in entries(controller, 1, all).chunks(10).enumerate() {
                    assert_eq!(store.append(chunk).unwrap(), chunk.len(), "batch {n}");
                }
            })
        })
        .collect();
    for appender in appenders {
        appender.join().expect("an appender ran to the end");
    }
    let mut store = Postgres::connect(&database).unwrap();
    let found = sequences(&mut store);
    assert_complete("a", &found["a"], 180);
    assert_complete("b", &found["b"], 180);
    assert_eq!(store.partitions().unwrap().len(), 6);
}
