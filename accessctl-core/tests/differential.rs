//! The fast engine against a naive reference evaluator written from
//! `docs/decisions.md` alone (`support/reference.rs`): a differential property test
//! over random policies and requests (`support/model_gen.rs`). For every case the two
//! must give the same reason, holder, via, schedule and ceiling, and at an
//! anti-passback zone's reader (each request comes with a reader and a presence) the
//! same passage: zone, direction, occupant, check and movement to record.
//!
//! A run asks 100 requests of each of 300 random policies (30,000 cases, about 15 s
//! in a debug build) and fails unless every [`Reason`] was reached, and each pairing
//! of reason and holder kind listed in [`MUST_REACH`]. The number of
//! policies follows `PROPTEST_CASES`; `PROPTEST_RNG_SEED` replays a run (the seed is
//! printed). The named tests of `tests/decide.rs` pin the same semantics on small
//! hand-written policies and check every one of them against both evaluators.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use accessctl_core::compile::Holder;
use accessctl_core::decide::{Decision, PassbackCheck, Reason, Request, Subject};
use accessctl_core::model::Policy;
use accessctl_core::CompiledPolicy;
use proptest::test_runner::{Config, RngSeed, TestError, TestRunner};

use crate::support::{model_gen, reference};

/// Requests asked of each random policy.
const REQUESTS_PER_POLICY: usize = 100;
/// Random policies per run unless `PROPTEST_CASES` says otherwise.
const DEFAULT_POLICIES: u32 = 300;
/// Below this many cases a run is too small to be held to [`MUST_REACH`].
const COVERAGE_FLOOR: usize = 10_000;

/// Pairings of reason and holder kind every full run must reach, beyond each reason
/// at least once: the guest's and the space code's own paths, and the corners the
/// generator was written to hit.
const MUST_REACH: [(Reason, &str); 16] = [
    (Reason::Granted, "user"),
    (Reason::Appointment, "guest"),
    (Reason::SpaceCode, "space code"),
    (Reason::NotGranted, "space code"),
    (Reason::MediumNotAccepted, "space code"),
    (Reason::MediumNotAccepted, "guest"),
    (Reason::SecondFactorRequired, "guest"),
    (Reason::OfflineNotAllowed, "guest"),
    (Reason::BeyondCeiling, "guest"),
    (Reason::NotGranted, "guest"),
    (Reason::DoorClosed, "guest"),
    (Reason::DoorClosed, "user"),
    (Reason::UnknownCredential, "none"),
    (Reason::FactorsMismatch, "none"),
    (Reason::UnknownDoor, "none"),
    (Reason::Granted, "user by a space code's PIN"),
];

/// The engine's passage, in the reference's terms.
fn passage_of(decision: &Decision) -> Option<reference::PassageAnswer> {
    decision.passage.map(|p| reference::PassageAnswer {
        zone: p.zone,
        direction: p.direction,
        occupant: p.occupant,
        check: p.check,
        record: p.record(),
    })
}

/// Every outcome of the anti-passback check, each of which a full run must reach.
const PASSBACK_CHECKS: [PassbackCheck; 7] = [
    PassbackCheck::NotChecked,
    PassbackCheck::Offline,
    PassbackCheck::Clear,
    PassbackCheck::Violation,
    PassbackCheck::Refused,
    PassbackCheck::FailedOpen,
    PassbackCheck::FailedClosed,
];

/// The parts of a decision where the engine and the reference disagree.
fn differences(
    decision: &Decision,
    expected: &reference::Answer,
    passage: Option<reference::PassageAnswer>,
) -> Vec<&'static str> {
    let mut diffs = Vec::new();
    if passage_of(decision) != passage {
        diffs.push("passage");
    }
    if decision.reason != expected.reason {
        diffs.push("reason");
    }
    if decision.holder != expected.holder {
        diffs.push("holder");
    }
    if decision.via != expected.via {
        diffs.push("via");
    }
    if decision.schedule != expected.schedule {
        diffs.push("schedule");
    }
    if decision.ceiling != expected.ceiling {
        diffs.push("ceiling");
    }
    diffs
}

/// Who decided, for the coverage table: the holder's kind, and whether a user or guest
/// was identified by a PIN typed alone that is also a permanent space code.
fn holder_kind(policy: &Policy, request: &Request<'_>, holder: Option<Holder>) -> &'static str {
    let typed_space_code = match request.subject {
        Subject::Credentials(p) if p.card.is_none() && p.qr.is_none() && p.mobile.is_none() => p
            .pin
            .is_some_and(|pin| policy.space_codes.iter().any(|c| c.code == pin)),
        _ => false,
    };
    match holder {
        None => "none",
        Some(Holder::SpaceCode { .. }) => "space code",
        Some(Holder::User { .. }) if typed_space_code => "user by a space code's PIN",
        Some(Holder::Guest { .. }) if typed_space_code => "guest by a space code's PIN",
        Some(Holder::User { .. }) => "user",
        Some(Holder::Guest { .. }) => "guest",
    }
}

fn report(
    policy: &Policy,
    request: &Request<'_>,
    decision: &Decision,
    expected: &reference::Answer,
    passage: Option<reference::PassageAnswer>,
) -> String {
    let local = policy
        .doors
        .get(request.door.index())
        .map(|door| {
            let tz = policy.sites[door.site.index()].timezone;
            let (day, minute) = reference::local_time(tz, request.at);
            format!("{day} {:02}:{:02} ({tz})", minute / 60, minute % 60)
        })
        .unwrap_or_else(|| "unknown door".to_owned());
    format!(
        "engine and reference disagree on {:?}\n\
         request: {request:#?}\n\
         local time at the door: {local}\n\
         engine:    {decision:?}\n\
         reference: {expected:?}\n\
         reference passage: {passage:?}\n\
         policy: {}",
        differences(decision, expected, passage),
        serde_json::to_string_pretty(policy).unwrap_or_else(|e| format!("<{e}>")),
    )
}

/// What a run saw: cases per (reason, holder kind), and each kind of disagreement
/// with its count and shortest report.
#[derive(Default)]
struct Tally {
    reached: BTreeMap<(&'static str, &'static str), usize>,
    /// Cases per anti-passback check (passages through zone readers only).
    checks: BTreeMap<&'static str, usize>,
    disagreements: BTreeMap<String, (usize, String)>,
    compile: Duration,
}

impl Tally {
    /// Asks every request of one policy of both evaluators.
    fn run_policy(&mut self, raw: &model_gen::RawPolicy, requests: &[model_gen::RawRequest]) {
        let policy = model_gen::build(raw);
        let started = Instant::now();
        let engine = CompiledPolicy::new(&policy);
        self.compile += started.elapsed();
        let credentials = model_gen::all_credentials(&policy);
        for raw_request in requests {
            let request = model_gen::build_request(&policy, &credentials, raw_request);
            let (reader, presence) = model_gen::build_passage(&policy, &request, raw_request);
            let decision = engine.decide_passage(&request, reader, presence);
            let plain = engine.decide(&request);
            assert!(
                plain.passage.is_none()
                    && (plain.reason == decision.reason || decision.reason == Reason::AntiPassback)
                    && plain.holder == decision.holder,
                "decide and decide_passage part on {request:?}: {plain:?} / {decision:?}"
            );
            let (expected, passage) =
                reference::decide_passage(&policy, &request, reader, presence);
            if let Some(p) = passage {
                *self.checks.entry(p.check.code()).or_default() += 1;
            }
            let kind = holder_kind(&policy, &request, expected.holder);
            *self
                .reached
                .entry((expected.reason.code(), kind))
                .or_default() += 1;
            let diffs = differences(&decision, &expected, passage);
            if !diffs.is_empty() {
                let text = report(&policy, &request, &decision, &expected, passage);
                self.disagree(&decision, &expected, &diffs, text);
            }
        }
    }

    fn disagree(
        &mut self,
        decision: &Decision,
        expected: &reference::Answer,
        diffs: &[&str],
        text: String,
    ) {
        let kind = format!(
            "engine `{}` / reference `{}`, differing in {diffs:?}",
            decision.reason, expected.reason
        );
        let entry = self.disagreements.entry(kind).or_insert((0, text.clone()));
        entry.0 += 1;
        if text.len() < entry.1.len() {
            entry.1 = text;
        }
    }

    fn cases(&self) -> usize {
        self.reached.values().sum()
    }

    fn by_reason(&self, reason: Reason) -> usize {
        self.reached
            .iter()
            .filter(|((code, _), _)| *code == reason.code())
            .map(|(_, n)| n)
            .sum()
    }

    /// Panics with every kind of disagreement and the shortest case of each.
    fn assert_agreement(&self, seed: u64) {
        if self.disagreements.is_empty() {
            return;
        }
        let mut text = format!(
            "seed {seed}: {} kinds of disagreement (the shortest case of each follows)\n",
            self.disagreements.len()
        );
        for (kind, (count, _)) in &self.disagreements {
            text.push_str(&format!("  {count:>5} × {kind}\n"));
        }
        for (kind, (_, example)) in &self.disagreements {
            text.push_str(&format!("\n===== {kind}\n{example}\n"));
        }
        panic!("{text}");
    }

    /// Panics unless every reason and every pairing of [`MUST_REACH`] was reached.
    fn assert_coverage(&self, seed: u64) {
        let mut missing: Vec<String> = Reason::ALL
            .iter()
            .filter(|r| self.by_reason(**r) == 0)
            .map(|r| format!("`{r}`"))
            .collect();
        missing.extend(
            MUST_REACH
                .iter()
                .filter(|(r, kind)| !self.reached.contains_key(&(r.code(), *kind)))
                .map(|(r, kind)| format!("`{r}` for a {kind}")),
        );
        missing.extend(
            PASSBACK_CHECKS
                .iter()
                .filter(|c| !self.checks.contains_key(c.code()))
                .map(|c| format!("the anti-passback check `{}`", c.code())),
        );
        assert!(
            missing.is_empty(),
            "seed {seed}: no random request ended in {}: the generator lost coverage",
            missing.join(", ")
        );
    }
}

/// The configured number of policies and the seed of this run.
fn config() -> (u32, u64) {
    let defaults = Config::default();
    let policies = if std::env::var_os("PROPTEST_CASES").is_some() {
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
    (policies, seed)
}

#[test]
fn engine_agrees_with_reference() {
    let (policies, seed) = config();
    eprintln!(
        "differential: {policies} policies × {REQUESTS_PER_POLICY} requests, \
         PROPTEST_RNG_SEED={seed}"
    );
    let mut runner = TestRunner::new(Config {
        cases: policies,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        model_gen::raw_policy(),
        proptest::collection::vec(model_gen::raw_request(), REQUESTS_PER_POLICY),
    );
    let tally = std::cell::RefCell::new(Tally::default());
    let started = Instant::now();
    let result = runner.run(&strategy, |(raw, requests)| {
        tally.borrow_mut().run_policy(&raw, &requests);
        Ok(())
    });
    if let Err(TestError::Abort(why)) = result {
        panic!("seed {seed}: aborted: {why}");
    }
    let tally = tally.into_inner();
    eprintln!(
        "differential: {} cases compared in {:.1?} ({:.1?} compiling)",
        tally.cases(),
        started.elapsed(),
        tally.compile
    );
    for ((reason, kind), n) in &tally.reached {
        eprintln!("  {n:>6}  {reason} ({kind})");
    }
    for (check, n) in &tally.checks {
        eprintln!("  {n:>6}  anti-passback {check}");
    }
    tally.assert_agreement(seed);
    if tally.cases() >= COVERAGE_FLOOR {
        tally.assert_coverage(seed);
    } else {
        eprintln!("differential: under {COVERAGE_FLOOR} cases, coverage not asserted");
    }
}
