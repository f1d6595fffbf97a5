//! Criterion benchmarks of the decision engine on the reference site (BRIEF §7:
//! one decision ≤ 100 ns median, compile ≤ 1 s, ≤ 256 bytes per user).
//!
//! Owns three measurements on the full reference site (100,000 users, 5,000 doors):
//! - `compile`: `CompiledPolicy::new` from the validated model;
//! - `decide/KIND`: one decision, asking the same card presentation again and
//!   again (warm caches, the usual criterion figure), for each kind of request of
//!   `accessctl_benches::workload` — allowed within schedule, denied outside
//!   schedule, denied for a door not granted, denied for an unknown card;
//! - `decide-rotating/KIND`: one decision, each iteration the next of 4,096
//!   sampled presentations of that kind (different cards, doors and instants, so
//!   the index is mostly out of cache, as on a busy server).
//!
//! Before measuring it prints the compiled index's memory per user.
//! `cargo bench -p accessctl-benches --bench decide`.

use accessctl_benches::workload::{Kind, Workload, BENCH_SEED, ROTATION};
use accessctl_benches::SiteParams;
use accessctl_core::{CompiledPolicy, Request};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};
use std::hint::black_box;
use std::time::Duration;

fn engine(c: &mut Criterion) {
    let workload = Workload::new(SiteParams::reference());
    print_memory(&workload);
    compile(c, &workload);
    let mut hot = c.benchmark_group("decide");
    for kind in Kind::ALL {
        let requests = requests(&workload, kind);
        let request = requests[0];
        hot.bench_function(kind.name(), |b| {
            b.iter(|| workload.compiled.decide(black_box(&request)))
        });
    }
    hot.finish();
    let mut rotating = c.benchmark_group("decide-rotating");
    for kind in Kind::ALL {
        let requests = requests(&workload, kind);
        rotating.bench_function(BenchmarkId::from_parameter(kind.name()), |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) & (ROTATION - 1);
                workload.compiled.decide(black_box(&requests[i]))
            })
        });
    }
    rotating.finish();
}

/// The engine's requests for the samples of `kind`.
fn requests(workload: &Workload, kind: Kind) -> Vec<Request<'static>> {
    workload
        .sample(kind, ROTATION, BENCH_SEED)
        .iter()
        .map(|r| r.request())
        .collect()
}

fn print_memory(workload: &Workload) {
    let bytes = workload.compiled.memory_size();
    let users = workload.policy.users.len().max(1);
    println!(
        "compiled reference site: {bytes} bytes for {users} users, {:.1} bytes per user",
        bytes as f64 / users as f64
    );
}

fn compile(c: &mut Criterion, workload: &Workload) {
    let mut group = c.benchmark_group("reference-site");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    group.bench_function("compile", |b| {
        b.iter(|| CompiledPolicy::new(black_box(&workload.policy)))
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
