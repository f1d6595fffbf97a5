//! `engine-figures [--small] [--spin KIND]`: prints the decision engine's figures on the reference
//! site (BRIEF §7): policy text size, check and compile times, the compiled index's
//! memory per user, and the spread of decision latency over sampled requests of
//! each kind (50th, 90th and 99th percentiles). Owns only this report; criterion
//! benchmarks (`cargo bench -p accessctl-benches --bench decide`) give the figures
//! of record.
//!
//! Latency: each sampled request is decided `REPEAT` times in a row and timed as one
//! batch, so a figure is the mean time of one request, warm; percentiles are over
//! the requests.
//!
//! `--spin KIND [N [ROUNDS]]` (a kind's benchmark name, e.g. `allowed`) instead
//! decides N (default 4096) samples of that kind ROUNDS times (default: for ten
//! seconds), for a profiler such as `perf record` or `perf stat`; a small N keeps
//! them in cache.

use accessctl_benches::workload::{Kind, Workload, BENCH_SEED, ROTATION};
use accessctl_benches::SiteParams;
use accessctl_core::CompiledPolicy;
use std::hint::black_box;
use std::time::Instant;

const REPEAT: u32 = 64;

fn main() {
    let small = std::env::args().any(|a| a == "--small");
    let params = if small {
        SiteParams::small()
    } else {
        SiteParams::reference()
    };
    let started = Instant::now();
    let workload = Workload::new(params);
    println!(
        "site: {} users, {} doors, {} bytes of policy text (generated, checked and compiled in {:.2} s)",
        workload.policy.users.len(),
        workload.policy.doors.len(),
        workload.text_len,
        started.elapsed().as_secs_f64()
    );
    let mut spin = std::env::args().skip_while(|a| a != "--spin").skip(1);
    if let Some(name) = spin.next() {
        let kind = Kind::ALL.into_iter().find(|k| k.name() == name);
        let count = spin.next().and_then(|n| n.parse().ok()).unwrap_or(ROTATION);
        let rounds = spin.next().and_then(|n| n.parse().ok());
        return spin_on(&workload, kind.unwrap_or(Kind::Allowed), count, rounds);
    }
    compile_figures(&workload);
    for kind in Kind::ALL {
        latency_figures(&workload, kind);
    }
}

fn compile_figures(workload: &Workload) {
    let runs = 5;
    let mut best = f64::MAX;
    let mut bytes = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let compiled = CompiledPolicy::new(black_box(&workload.policy));
        best = best.min(started.elapsed().as_secs_f64());
        bytes = compiled.memory_size();
    }
    let users = workload.policy.users.len().max(1);
    println!("compile: {:.1} ms (best of {runs})", best * 1e3);
    println!(
        "memory: {bytes} bytes, {:.1} bytes per user",
        bytes as f64 / users as f64
    );
}

fn latency_figures(workload: &Workload, kind: Kind) {
    let requests: Vec<_> = workload
        .sample(kind, ROTATION, BENCH_SEED)
        .iter()
        .map(|r| r.request())
        .collect();
    let mut times: Vec<f64> = requests
        .iter()
        .map(|request| {
            let started = Instant::now();
            for _ in 0..REPEAT {
                black_box(workload.compiled.decide(black_box(request)));
            }
            started.elapsed().as_nanos() as f64 / f64::from(REPEAT)
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "decide {:<20} p50 {:6.1} ns  p90 {:6.1} ns  p99 {:6.1} ns  max {:7.1} ns",
        kind.name(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
}

fn spin_on(workload: &Workload, kind: Kind, count: usize, rounds: Option<u64>) {
    let requests: Vec<_> = workload
        .sample(kind, count.max(1), BENCH_SEED)
        .iter()
        .map(|r| r.request())
        .collect();
    let started = Instant::now();
    let mut decided = 0u64;
    let mut round = 0;
    while rounds.map_or(started.elapsed().as_secs() < 10, |n| round < n) {
        round += 1;
        for request in &requests {
            black_box(workload.compiled.decide(black_box(request)));
        }
        decided += requests.len() as u64;
    }
    let per = started.elapsed().as_nanos() as f64 / decided as f64;
    println!(
        "{} decisions of kind {}: {per:.1} ns each",
        decided,
        kind.name()
    );
}
