//! The side-by-side benchmark: the decision engine against the `cedar-policy` crate
//! answering the same card presentations on the same generated site, in one run
//! (issue target: our median decision ≥ 35× faster than the fastest Cedar model).
//!
//! Owns the comparison. For each kind of request (allowed within schedule; denied
//! outside schedule, for a door not granted, for an unknown card) one group times:
//! - `accessctl`: `CompiledPolicy::decide`;
//! - `cedar-fastest`: the fastest Cedar model (`cedar_models::fastest`), the
//!   caller's work included — card lookup, local time, context, request — as an
//!   integrator must do it;
//! - `cedar-fastest-authorize`: the same model, `Authorizer::is_authorized` alone
//!   on a request built beforehand (not for unknown cards: Cedar is never asked);
//! - `cedar-natural`: the natural Cedar model (`cedar_models::natural`), caller's
//!   work included.
//!
//! Each times one presentation asked again and again; the `rotating` group asks
//! the next of 4,096 allowed presentations each time instead. Before timing, every
//! model's answers are checked against the engine's on the samples.
//!
//! The site is the full reference site; `ACCESSCTL_CEDAR_SITE=slice` uses a
//! smaller site of the same shape for a quicker run (both sides on the same site).
//! `cargo bench -p accessctl-benches --bench versus_cedar`.

mod cedar_models;

use accessctl_benches::workload::{CardRequest, Kind, Workload, BENCH_SEED, ROTATION};
use accessctl_benches::SiteParams;
use cedar_models::{fastest, natural, Caller, CedarModel};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Presentations of each kind checked against the engine before timing, by the
/// fastest model and by the natural one (far slower).
const CHECKED: [usize; 2] = [256, 16];

/// Seconds of measurement for each benchmark of the natural model (tens of
/// milliseconds a decision on the reference site).
const NATURAL_SECONDS: u64 = 10;

/// The site: the reference site, or a same-shaped tenth of it.
fn site() -> SiteParams {
    match std::env::var("ACCESSCTL_CEDAR_SITE").as_deref() {
        Ok("slice") => SiteParams {
            users: 10_000,
            doors: 500,
            schedules: 50,
            subaccounts: 20,
            ..SiteParams::reference()
        },
        _ => SiteParams::reference(),
    }
}

/// The engine and both Cedar models of one site.
struct Contestants {
    workload: Workload,
    fastest: CedarModel,
    natural: CedarModel,
}

impl Contestants {
    fn new() -> Contestants {
        let started = Instant::now();
        let workload = Workload::new(site());
        let caller = Arc::new(Caller::new(&workload.policy).expect("a site the models cover"));
        let built = Instant::now();
        let fastest = fastest::build(&workload.policy, caller.clone()).expect("fastest model");
        let fastest_time = built.elapsed();
        let built = Instant::now();
        let natural = natural::build(&workload.policy, caller).expect("natural model");
        println!(
            "site: {} users, {} doors (engine ready in {:.1} s); cedar fastest: {} policy, \
             {} entities, built in {:.1} s; cedar natural: {} policies, {} entities, built in {:.1} s",
            workload.policy.users.len(),
            workload.policy.doors.len(),
            (built - started - fastest_time).as_secs_f64(),
            fastest.policy_count,
            fastest.entity_count,
            fastest_time.as_secs_f64(),
            natural.policy_count,
            natural.entity_count,
            built.elapsed().as_secs_f64(),
        );
        Contestants {
            workload,
            fastest,
            natural,
        }
    }

    /// Panics unless both models answer like the engine, without errors, on the
    /// first requests.
    fn check(&self, requests: &[CardRequest]) {
        for (model, count) in [&self.fastest, &self.natural].into_iter().zip(CHECKED) {
            for request in requests.iter().take(count) {
                let ours = self.workload.compiled.decide(&request.request()).allowed();
                let expected = (ours, Vec::new());
                assert_eq!(
                    model.answer(request),
                    expected,
                    "{} on {request:?}",
                    model.name
                );
            }
        }
    }
}

fn versus(c: &mut Criterion) {
    let contestants = Contestants::new();
    let engine = &contestants.workload.compiled;
    for kind in Kind::ALL {
        let samples = contestants.workload.sample(kind, ROTATION, BENCH_SEED);
        contestants.check(&samples);
        let card = samples[0];
        let request = card.request();
        let mut group = c.benchmark_group(format!("versus-cedar/{}", kind.name()));
        group.bench_function("accessctl", |b| {
            b.iter(|| engine.decide(black_box(&request)))
        });
        group.bench_function("cedar-fastest", |b| {
            b.iter(|| contestants.fastest.is_allowed(black_box(&card)))
        });
        if let Some(prepared) = contestants.fastest.request(&card) {
            group.bench_function("cedar-fastest-authorize", |b| {
                b.iter(|| contestants.fastest.authorize(black_box(&prepared)))
            });
        }
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .measurement_time(Duration::from_secs(NATURAL_SECONDS));
        group.bench_function("cedar-natural", |b| {
            b.iter(|| contestants.natural.is_allowed(black_box(&card)))
        });
        group.finish();
    }
    rotating(c, &contestants);
}

/// Each iteration the next of the allowed samples.
fn rotating(c: &mut Criterion, contestants: &Contestants) {
    let samples = contestants
        .workload
        .sample(Kind::Allowed, ROTATION, BENCH_SEED);
    let requests: Vec<_> = samples.iter().map(CardRequest::request).collect();
    let engine = &contestants.workload.compiled;
    let mut group = c.benchmark_group("versus-cedar-rotating/allowed");
    group.bench_function("accessctl", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) & (ROTATION - 1);
            engine.decide(black_box(&requests[i]))
        })
    });
    for model in [&contestants.fastest, &contestants.natural] {
        if model.name == "natural" {
            group
                .sampling_mode(SamplingMode::Flat)
                .sample_size(10)
                .measurement_time(Duration::from_secs(NATURAL_SECONDS));
        }
        group.bench_function(format!("cedar-{}", model.name), |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) & (ROTATION - 1);
                model.is_allowed(black_box(&samples[i]))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, versus);
criterion_main!(benches);
