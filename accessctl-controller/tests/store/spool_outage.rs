//! PostgreSQL stopped under a running controller: the controller keeps recording
//! (nothing waits on the network), the spool grows, and once the server is back the
//! spool is flushed in order, none lost, none twice.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use accessctl_controller::journal::postgres::Postgres;
use accessctl_controller::journal::spool::SpoolReport;
use accessctl_controller::journal::Journal;

use crate::fleet::{flusher, wait_flushed};
use crate::postgres_server::Server;
use crate::support::{assert_complete, opened, sequences, NOVEMBER};

/// True when the events of `controller` in `store` are 1..=k for some k: flushed in
/// order, no gap.
fn is_prefix(ids: &[i64]) -> bool {
    ids.iter().zip(1..).all(|(id, n)| *id == n)
}

#[test]
fn a_stopped_server_costs_the_doors_nothing_and_loses_no_event() {
    // A cluster of our own: this test stops it.
    let server = Server::start();
    let database = server.fresh_database("outage");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("door-1.db");
    let mut journal = Journal::open(&path).unwrap();
    journal.claim_controller_id("door-1").unwrap();
    let flusher = flusher(&path, &database);
    let running = Arc::new(AtomicBool::new(true));
    let writer = {
        let running = Arc::clone(&running);
        std::thread::spawn(move || {
            let mut slowest = Duration::ZERO;
            let mut n = 0;
            while running.load(Ordering::Relaxed) {
                let started = Instant::now();
                journal
                    .record(&opened(NOVEMBER + n, "main", "ana"))
                    .unwrap();
                slowest = slowest.max(started.elapsed());
                n += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
            (journal, n, slowest)
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    server.stop();
    std::thread::sleep(Duration::from_millis(800));
    let spooled = Journal::open(&path).unwrap().pending().unwrap();
    assert!(
        spooled > 100,
        "the spool grows while the server is down ({spooled})"
    );
    server.restart();
    std::thread::sleep(Duration::from_millis(300));
    running.store(false, Ordering::Relaxed);
    let (journal, n, slowest) = writer.join().expect("the writer never failed");
    assert!(
        slowest < Duration::from_millis(250),
        "a record waited {slowest:?}"
    );

    let mut store = Postgres::connect(&database).unwrap();
    while journal.pending().unwrap() > 0 {
        let found = sequences(&mut store);
        let ids = found.get("door-1").cloned().unwrap_or_default();
        assert!(is_prefix(&ids), "flushed in order, without gaps");
        std::thread::sleep(Duration::from_millis(5));
    }
    wait_flushed(&journal);
    let reports = flusher.stop();
    assert_complete("door-1", &sequences(&mut store)["door-1"], n);
    let unreachable = reports
        .iter()
        .filter(|r| matches!(r, SpoolReport::Unreachable { .. }))
        .count();
    let connected = reports
        .iter()
        .filter(|r| matches!(r, SpoolReport::Connected { .. }))
        .count();
    assert!(unreachable >= 1, "the outage was reported: {reports:?}");
    assert!(connected >= 2, "so was the reconnection: {reports:?}");
    for report in &reports {
        if let SpoolReport::Unreachable { error, .. } = report {
            assert!(error.is_transient(), "{error}");
        }
    }
}
