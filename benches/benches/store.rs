//! Criterion benchmarks of the event store (issue 10): append throughput of each
//! backend, and a 60-day query over a large journal on each.
//!
//! Owns `store_append/…` (events a second: SQLite one event a transaction, as the
//! controller records; SQLite, PostgreSQL with one writer and with four writers at
//! once, 500 events a transaction, as the spool flushes) and `store_query_60d/…`
//! (over `ACCESSCTL_BENCH_EVENTS` events, 10,000,000 by default, spread over a year
//! at 500 doors of 4 controllers: the newest 100 of a 60-day window, one door's
//! 60 days, and `journal show --media`'s query: every event of the 60 days presented
//! by a rare medium (`qr`, 2 %) and by the commonest (`badge`, 70 %)).
//!
//! PostgreSQL: `ACCESSCTL_BENCH_POSTGRES` (a URL whose user may create databases),
//! else a throwaway cluster started here with the default durability (`fsync` on),
//! as the tests' harness does. The SQLite journal generated for the query benchmark
//! is kept in the target directory and reused by later runs.
//! `cargo bench -p accessctl-benches --bench store`.

#[path = "../../accessctl-controller/tests/store/postgres_server.rs"]
mod postgres_server;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use accessctl_controller::journal::postgres::{Database, Postgres};
use accessctl_controller::journal::{
    AccessType, Entry, Event, EventKind, EventStore, Journal, Medium, Query,
};
use accessctl_core::Reason;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use postgres_server::Server;

/// Events a batch (a transaction), as the spool flushes.
const BATCH: usize = 500;
/// 2027-01-01T00:00:00Z: the end of the generated year.
const END: i64 = 1_798_761_600;
const DAY: i64 = 24 * 60 * 60;
const DOORS: u64 = 500;
const CONTROLLERS: u64 = 4;

/// The server: `ACCESSCTL_BENCH_POSTGRES`, or one started here.
fn server() -> Server {
    match std::env::var("ACCESSCTL_BENCH_POSTGRES") {
        Ok(url) if !url.is_empty() => Server::at(url),
        _ => Server::start_durable(),
    }
}

/// Event number `n` of the generated journal (deterministic).
fn event(n: u64, total: u64) -> Entry {
    let mix = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let door = (mix >> 20) % DOORS;
    let span = 365 * DAY as u64;
    let at = END - span as i64 + (n * span / total.max(1)) as i64;
    let denied = (mix >> 40).is_multiple_of(10);
    let kind = if denied {
        EventKind::Denied
    } else {
        EventKind::Opened
    };
    let event = Event {
        reason: Some(if denied {
            Reason::OutsideSchedule
        } else {
            Reason::Granted
        }),
        user: Some(format!("user-{}", (mix >> 8) % 10_000)),
        medium: Some(match (mix >> 48) % 100 {
            0..70 => Medium::Badge,
            70..90 => Medium::Pin,
            90..96 => Medium::Mobile,
            96..98 => Medium::Code,
            _ => Medium::Qr,
        }),
        access_type: Some(match (mix >> 56) % 10 {
            0 => AccessType::Appointment,
            _ => AccessType::Permanent,
        }),
        ..Event::new(at, "hq", &format!("door-{door}"), kind)
    };
    Entry {
        id: (n / CONTROLLERS + 1) as i64,
        controller: format!("c-{}", n % CONTROLLERS),
        event,
    }
}

/// A batch of `BATCH` events of `controller`, numbered from `first`, in one month.
fn batch(controller: &str, first: i64) -> Vec<Entry> {
    (0..BATCH as i64)
        .map(|i| Entry {
            id: first + i,
            controller: controller.to_owned(),
            event: Event {
                reason: Some(Reason::Granted),
                user: Some("ana".to_owned()),
                ..Event::new(END - DAY + i, "hq", "main", EventKind::Opened)
            },
        })
        .collect()
}

/// Moves a batch's sequence numbers past themselves, so it is new again.
fn renumber(batch: &mut [Entry]) {
    for entry in batch {
        entry.id += BATCH as i64;
    }
}

fn append(c: &mut Criterion) {
    let server = server();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut group = c.benchmark_group("store_append");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));

    let mut journal = Journal::open(dir.path().join("one.db")).expect("a journal");
    let one = batch("c-0", 1).swap_remove(0).event;
    group.throughput(Throughput::Elements(1));
    group.bench_function("sqlite/record_one", |b| {
        b.iter(|| journal.record(black_box(&one)).expect("recorded"))
    });

    group.throughput(Throughput::Elements(BATCH as u64));
    let mut sqlite = Journal::open(dir.path().join("batch.db")).expect("a journal");
    let mut entries = batch("c-0", 1);
    group.bench_function(BenchmarkId::new("sqlite", BATCH), |b| {
        b.iter(|| {
            renumber(&mut entries);
            sqlite.append(black_box(&entries)).expect("appended")
        })
    });

    let database = server.fresh_database("bench_append");
    let mut postgres = Postgres::connect(&database).expect("PostgreSQL");
    let mut entries = batch("c-0", 1);
    group.bench_function(BenchmarkId::new("postgres_1_writer", BATCH), |b| {
        b.iter(|| {
            renumber(&mut entries);
            EventStore::append(&mut postgres, black_box(&entries)).expect("appended")
        })
    });

    group.throughput(Throughput::Elements(4 * BATCH as u64));
    let mut writers: Vec<(Postgres, Vec<Entry>)> = (0..4)
        .map(|w| {
            let store = Postgres::connect(&database).expect("PostgreSQL");
            (store, batch(&format!("w-{w}"), 1))
        })
        .collect();
    group.bench_function(BenchmarkId::new("postgres_4_writers", BATCH), |b| {
        b.iter_custom(|iters| {
            let started = Instant::now();
            std::thread::scope(|scope| {
                for (store, entries) in writers.iter_mut() {
                    scope.spawn(move || {
                        for _ in 0..iters {
                            renumber(entries);
                            EventStore::append(store, entries).expect("appended");
                        }
                    });
                }
            });
            started.elapsed()
        })
    });
    group.finish();
}

/// How many events the query benchmark's journals hold.
fn total() -> u64 {
    std::env::var("ACCESSCTL_BENCH_EVENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000_000)
}

/// The generated SQLite journal of `total` events, made once and kept.
fn sqlite_journal(total: u64) -> Journal {
    let path =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-journal-v6-{total}.db"));
    let mut journal = Journal::open(&path).expect("a journal");
    let held = journal
        .query(&Query {
            limit: Some(1),
            ..Query::default()
        })
        .map_or(0, |e| e.len());
    if held == 0 {
        let started = Instant::now();
        for chunk in (0..total).step_by(100_000) {
            let entries: Vec<Entry> = (chunk..(chunk + 100_000).min(total))
                .map(|n| event(n, total))
                .collect();
            journal.append(&entries).expect("generated");
        }
        eprintln!(
            "sqlite: {total} events generated in {:.1?}",
            started.elapsed()
        );
    }
    journal
}

/// A PostgreSQL journal of `total` events, loaded with COPY.
fn postgres_journal(database: &Database, total: u64) -> Postgres {
    let mut store = Postgres::connect(database).expect("PostgreSQL");
    let started = Instant::now();
    for chunk in (0..total).step_by(100_000) {
        let entries: Vec<Entry> = (chunk..(chunk + 100_000).min(total))
            .map(|n| event(n, total))
            .collect();
        store.bulk_load(&entries).expect("generated");
    }
    let mut admin = database
        .config()
        .connect(accessctl_controller::journal::postgres::client::NoTls)
        .expect("PostgreSQL");
    admin
        .batch_execute("VACUUM ANALYZE events")
        .expect("analyzed");
    eprintln!(
        "postgres: {total} events loaded in {:.1?}",
        started.elapsed()
    );
    store
}

fn query(c: &mut Criterion) {
    let total = total();
    let server = server();
    let window = |door: Option<&str>, limit| Query {
        door: door.map(str::to_owned),
        since: Some(END - 60 * DAY),
        until: Some(END),
        limit,
        ..Query::default()
    };
    let newest = window(None, Some(100));
    let one_door = window(Some("door-7"), None);
    let by_media = |media: Medium| Query {
        media: vec![media],
        ..window(None, None)
    };
    let (qr, badge) = (by_media(Medium::Qr), by_media(Medium::Badge));
    let mut stores: Vec<(&str, Box<dyn EventStore>)> =
        vec![("sqlite", Box::new(sqlite_journal(total)))];
    let database = server.fresh_database("bench_query");
    stores.push(("postgres", Box::new(postgres_journal(&database, total))));
    let mut group = c.benchmark_group(format!("store_query_60d_of_{total}"));
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(5));
    for (name, store) in &mut stores {
        let rows = store.query(&one_door).expect("answered").len();
        eprintln!("{name}: one door's 60 days holds {rows} events");
        group.bench_function(BenchmarkId::new("newest_100", *name), |b| {
            b.iter(|| store.query(black_box(&newest)).expect("answered"))
        });
        group.bench_function(BenchmarkId::new("one_door", *name), |b| {
            b.iter(|| store.query(black_box(&one_door)).expect("answered"))
        });
        for (medium, query) in [("qr", &qr), ("badge", &badge)] {
            let rows = store.query(query).expect("answered").len();
            eprintln!("{name}: 60 days by medium {medium} hold {rows} events");
            group.bench_function(BenchmarkId::new(format!("media_{medium}"), *name), |b| {
                b.iter(|| store.query(black_box(query)).expect("answered"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, append, query);
criterion_main!(benches);
