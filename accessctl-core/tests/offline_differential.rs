//! The offline lock against the engine: a differential property test over random
//! policies and requests (`support/model_gen.rs`, read-only here).
//!
//! For each random policy, every door gets a lock memory image (built, sealed,
//! decoded again and compared with what was built). Every request whose subject is
//! presented credentials is asked of each door's lock, from the image alone, and of
//! the compiled engine with the network down (`offline: true`). The lock must
//! always agree on allow or deny; whenever it recognises the credentials (its answer
//! is not `unknown_credential`, which is how a lock says "not in my memory"), it must
//! give the same reason, holder and schedule as the engine.
//!
//! A run asks 100 requests of each of 120 random policies at every door (about 50,000
//! cases, 5,000 of them recognised by the lock; about 10 s in a debug build), and fails
//! unless every reason a lock can give was reached. The number of policies follows
//! `PROPTEST_CASES`; `PROPTEST_RNG_SEED` replays a run (the seed is printed).

use std::collections::BTreeMap;

use accessctl_core::decide::{Decision, Reason, Request, Subject};
use accessctl_core::model::{DoorId, Policy};
use accessctl_core::offline::{build_image, lock_key, BuiltImage, Issue, LockImage};
use accessctl_core::secret::Key;
use accessctl_core::{CompiledPolicy, Timestamp};
use proptest::test_runner::{Config, RngSeed, TestError, TestRunner};

use crate::support::model_gen;

const REQUESTS_PER_POLICY: usize = 100;
const DEFAULT_POLICIES: u32 = 120;
/// Below this many answered cases a run is too small to be held to coverage.
const COVERAGE_FLOOR: usize = 3_000;
/// 2025-12-01T00:00:00Z: every generated instant (2026 and 2027) lies after it.
const ISSUED: i64 = 1_764_547_200;
/// The images answer until February 2028.
const HORIZON_DAYS: u32 = 800;

/// Every reason a lock recognising the credentials can give.
const LOCK_REASONS: [Reason; 9] = [
    Reason::Granted,
    Reason::SpaceCode,
    Reason::MediumNotAccepted,
    Reason::SecondFactorRequired,
    Reason::FactorsMismatch,
    Reason::Inactive,
    Reason::OutsideValidity,
    Reason::OutsideSchedule,
    Reason::DoorClosed,
];

/// One door's lock: the image as built (with its map) and as the lock decoded it.
struct Lock {
    built: BuiltImage,
    image: LockImage,
}

fn locks(policy: &Policy, engine: &CompiledPolicy) -> Vec<Lock> {
    let site_key = Key::from_entropy([0x5e; 32]);
    (0..policy.doors.len())
        .map(|d| {
            let door = DoorId(d as u32);
            let key = lock_key(&site_key, &policy.doors[d].name);
            let issue = Issue {
                issued: Timestamp(ISSUED),
                horizon_days: HORIZON_DAYS,
            };
            let built = build_image(policy, engine, door, &key, issue)
                .unwrap_or_else(|e| panic!("door {d}: {e}"));
            let image = LockImage::decode(&built.bytes, &key).expect("an authentic image");
            assert_eq!(image.contents(), &built.contents, "door {d}: round trip");
            Lock { built, image }
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    /// Answered cases per reason; `unknown_credential` counts the lock's refusals.
    reached: BTreeMap<&'static str, usize>,
    outside_horizon: usize,
    failures: Vec<String>,
}

impl Tally {
    fn run_policy(&mut self, raw: &model_gen::RawPolicy, requests: &[model_gen::RawRequest]) {
        let policy = model_gen::build(raw);
        let engine = CompiledPolicy::new(&policy);
        let locks = locks(&policy, &engine);
        let credentials = model_gen::all_credentials(&policy);
        for raw_request in requests {
            let request = model_gen::build_request(&policy, &credentials, raw_request);
            if !matches!(request.subject, Subject::Credentials(_)) {
                continue;
            }
            for (d, lock) in locks.iter().enumerate() {
                let at_door = Request {
                    door: DoorId(d as u32),
                    offline: true,
                    ..request
                };
                self.compare(&policy, &engine, lock, &at_door);
            }
        }
    }

    fn compare(
        &mut self,
        policy: &Policy,
        engine: &CompiledPolicy,
        lock: &Lock,
        request: &Request<'_>,
    ) {
        let Subject::Credentials(presented) = request.subject else {
            return;
        };
        let decided = lock.image.decide(&presented, request.at);
        if !decided.within_horizon {
            self.outside_horizon += 1;
            return;
        }
        let expected = engine.decide(request);
        let answered = lock.built.map.decision(&decided);
        *self.reached.entry(decided.reason.code()).or_default() += 1;
        let agrees = if decided.reason == Reason::UnknownCredential {
            !expected.allowed()
        } else {
            same(&answered, &expected)
        };
        if !agrees && self.failures.len() < 5 {
            self.failures.push(format!(
                "lock and engine disagree\nrequest: {request:#?}\nlock:   {answered:?}\n\
                 engine: {expected:?}\npolicy: {}",
                serde_json::to_string_pretty(policy).unwrap_or_default()
            ));
        }
    }

    fn cases(&self) -> usize {
        self.reached.values().sum()
    }
}

fn same(lock: &Decision, engine: &Decision) -> bool {
    (lock.reason, lock.holder, lock.schedule) == (engine.reason, engine.holder, engine.schedule)
}

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
fn the_lock_decides_as_the_engine_offline() {
    let (policies, seed) = config();
    eprintln!(
        "offline differential: {policies} policies × {REQUESTS_PER_POLICY} requests at every \
         door, PROPTEST_RNG_SEED={seed}"
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
    let started = std::time::Instant::now();
    let result = runner.run(&strategy, |(raw, requests)| {
        tally.borrow_mut().run_policy(&raw, &requests);
        Ok(())
    });
    if let Err(TestError::Abort(why)) = result {
        panic!("seed {seed}: aborted: {why}");
    }
    let tally = tally.into_inner();
    eprintln!(
        "offline differential: {} cases in {:.1?} ({} outside the horizon)",
        tally.cases(),
        started.elapsed(),
        tally.outside_horizon
    );
    for (reason, n) in &tally.reached {
        eprintln!("  {n:>7}  {reason}");
    }
    assert!(
        tally.failures.is_empty(),
        "seed {seed}:\n{}",
        tally.failures.join("\n\n")
    );
    let answered = tally.cases() - tally.reached.get("unknown_credential").unwrap_or(&0);
    if answered < COVERAGE_FLOOR {
        eprintln!(
            "offline differential: under {COVERAGE_FLOOR} answered cases, coverage not asserted"
        );
        return;
    }
    let missing: Vec<&str> = LOCK_REASONS
        .iter()
        .map(|r| r.code())
        .filter(|code| !tally.reached.contains_key(code))
        .collect();
    assert!(missing.is_empty(), "seed {seed}: never reached {missing:?}");
}
