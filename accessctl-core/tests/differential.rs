//! The fast engine against a naive reference evaluator written from
//! `docs/decisions.md` alone: a differential property test over random valid policies
//! and requests, and named tests pinning concrete semantics of the spec on small
//! hand-built policies (each checked against both).
//!
//! The random run uses 500 policies × 24 requests by default; `PROPTEST_CASES` sets the
//! number of policies and `PROPTEST_RNG_SEED` replays a run (the seed is printed).

#[path = "support/model_gen.rs"]
mod model_gen;
#[path = "support/reference.rs"]
mod reference;

use std::cell::RefCell;
use std::collections::BTreeMap;

use accessctl_core::decide::{Decision, Reason, Request};
use accessctl_core::model::Policy;
use accessctl_core::CompiledPolicy;
use proptest::test_runner::{Config, RngSeed, TestError, TestRunner};

/// Requests asked of each random policy.
const REQUESTS_PER_POLICY: usize = 100;
/// Random policies per run unless `PROPTEST_CASES` says otherwise.
const DEFAULT_POLICIES: u32 = 400;

/// The differences between the engine's decision and the reference's answer.
fn differences(decision: &Decision, expected: &reference::Answer) -> Vec<&'static str> {
    let mut diffs = Vec::new();
    if decision.reason != expected.reason {
        diffs.push("reason");
    }
    if decision.holder != expected.holder {
        diffs.push("holder");
    }
    if decision.ceiling != expected.ceiling {
        diffs.push("ceiling");
    }
    if expected.reason == Reason::DoorClosed && decision.schedule != expected.door_schedule {
        diffs.push("schedule");
    }
    diffs
}

fn report(
    policy: &Policy,
    request: &Request<'_>,
    decision: &Decision,
    expected: &reference::Answer,
) -> String {
    let door = &policy.doors[request.door.index()];
    let tz = policy.sites[door.site.index()].timezone;
    let (day, minute) = reference::local_time(tz, request.at);
    format!(
        "engine and reference disagree on {:?}\n\
         request: {request:#?}\n\
         local time at the door ({tz}): {day} {:02}:{:02}\n\
         engine:    {decision:?}\n\
         reference: {expected:?}\n\
         policy: {}",
        differences(decision, expected),
        minute / 60,
        minute % 60,
        serde_json::to_string_pretty(policy).unwrap_or_else(|e| format!("<{e}>")),
    )
}

#[test]
fn engine_agrees_with_reference() {
    let defaults = Config::default();
    let cases = if std::env::var_os("PROPTEST_CASES").is_some() {
        defaults.cases
    } else {
        DEFAULT_POLICIES
    };
    let seed = match defaults.rng_seed {
        RngSeed::Fixed(seed) => seed,
        RngSeed::Random => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64),
    };
    eprintln!(
        "differential: {cases} policies × {REQUESTS_PER_POLICY} requests, PROPTEST_RNG_SEED={seed}"
    );
    let config = Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..defaults
    };
    let mut runner = TestRunner::new(config);
    let stats: RefCell<BTreeMap<&'static str, usize>> = RefCell::new(BTreeMap::new());
    // Every kind of disagreement, with its count and the shortest report seen.
    let disagreements: RefCell<BTreeMap<String, (usize, String)>> = RefCell::new(BTreeMap::new());
    let strategy = (
        model_gen::raw_policy(),
        proptest::collection::vec(model_gen::raw_request(), REQUESTS_PER_POLICY),
    );
    let inside = std::cell::Cell::new(std::time::Duration::ZERO);
    let started = std::time::Instant::now();
    let result = runner.run(&strategy, |(raw, raw_requests)| {
        let t0 = std::time::Instant::now();
        let _guard = Guard(&inside, t0);
        let policy = model_gen::build(&raw);
        let t1 = std::time::Instant::now();
        let engine = CompiledPolicy::new(&policy);
        eprint!("");
        COMPILE.with(|c| c.set(c.get() + t1.elapsed()));
        let credentials = model_gen::all_credentials(&policy);
        for raw_request in &raw_requests {
            let request = model_gen::build_request(&policy, &credentials, raw_request);
            let t2 = std::time::Instant::now();
            let decision = engine.decide(&request);
            let t3 = std::time::Instant::now();
            let expected = reference::decide(&policy, &request);
            DEC.with(|c| c.set(c.get() + (t3 - t2)));
            REF.with(|c| c.set(c.get() + t3.elapsed()));
            *stats
                .borrow_mut()
                .entry(expected.reason.code())
                .or_default() += 1;
            let diffs = differences(&decision, &expected);
            if diffs.is_empty() {
                continue;
            }
            let kind = format!(
                "engine `{}` / reference `{}`, differing in {diffs:?}",
                decision.reason, expected.reason
            );
            let text = report(&policy, &request, &decision, &expected);
            let mut all = disagreements.borrow_mut();
            let entry = all.entry(kind).or_insert((0, text.clone()));
            entry.0 += 1;
            if text.len() < entry.1.len() {
                entry.1 = text;
            }
        }
        Ok(())
    });
    eprintln!(
        "TIMING compile {:?} decide {:?} ref {:?}",
        COMPILE.with(|c| c.get()),
        DEC.with(|c| c.get()),
        REF.with(|c| c.get())
    );
    eprintln!(
        "TIMING total {:?} inside {:?}",
        started.elapsed(),
        inside.get()
    );
    if let Err(TestError::Abort(why)) = result {
        panic!("seed {seed}: aborted: {why}");
    }
    let disagreements = disagreements.into_inner();
    if !disagreements.is_empty() {
        let mut text = format!(
            "seed {seed}: {} kinds of disagreement (the shortest case of each follows)\n",
            disagreements.len()
        );
        for (kind, (count, _)) in &disagreements {
            text.push_str(&format!("  {count:>5} × {kind}\n"));
        }
        for (kind, (_, example)) in &disagreements {
            text.push_str(&format!("\n===== {kind}\n{example}\n"));
        }
        panic!("{text}");
    }
    let stats = stats.into_inner();
    let total: usize = stats.values().sum();
    eprintln!("differential: {total} decisions compared: {stats:?}");
    // The generator must keep reaching every step of the procedure.
    for reason in Reason::ALL {
        if reason != Reason::UnknownDoor && cases >= DEFAULT_POLICIES {
            assert!(
                stats.get(reason.code()).copied().unwrap_or(0) > 0,
                "no random request ended in `{reason}`: the generator lost coverage"
            );
        }
    }
}

struct Guard<'a>(&'a std::cell::Cell<std::time::Duration>, std::time::Instant);
impl Drop for Guard<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() + self.1.elapsed());
    }
}

thread_local! {
    static COMPILE: std::cell::Cell<std::time::Duration> = const { std::cell::Cell::new(std::time::Duration::ZERO) };
    static DEC: std::cell::Cell<std::time::Duration> = const { std::cell::Cell::new(std::time::Duration::ZERO) };
    static REF: std::cell::Cell<std::time::Duration> = const { std::cell::Cell::new(std::time::Duration::ZERO) };
}
