//! The Cedar models of the side-by-side benchmark answer like the engine. Owns
//! only that check, on the small generated site so that it stays fast: every
//! model allows exactly the card presentations the engine allows, without
//! evaluation errors, over samples of every kind of request, over presentations
//! spread over card holders, doors and the window, and over presentations on
//! holidays and the days after them.

#[path = "../benches/cedar_models/mod.rs"]
mod cedar_models;

use accessctl_benches::workload::{CardRequest, Kind, Workload, WINDOW_SECONDS, WINDOW_START};
use accessctl_benches::SiteParams;
use accessctl_core::model::DoorId;
use accessctl_core::time::day_number;
use accessctl_core::{Reason, Timestamp};
use cedar_models::{fastest, natural, Caller, CedarModel};
use std::sync::Arc;

fn models(workload: &Workload) -> [CedarModel; 2] {
    let caller = Arc::new(Caller::new(&workload.policy).expect("a site the models cover"));
    [
        fastest::build(&workload.policy, caller.clone()).expect("the fastest model"),
        natural::build(&workload.policy, caller).expect("the natural model"),
    ]
}

/// Presentations on holidays and the days after them (where ranges spill past
/// midnight from a holiday), at instants spread over those days.
fn on_holidays(workload: &Workload, count: usize) -> Vec<CardRequest> {
    let mut days: Vec<i64> = workload
        .policy
        .calendars
        .iter()
        .flat_map(|c| c.holidays.iter())
        .flat_map(|h| {
            let (from, to) = (day_number(h.days.from), day_number(h.days.to));
            (from..=to + 1).map(i64::from)
        })
        .collect();
    days.sort_unstable();
    days.dedup();
    let mut requests = spread(workload, count);
    for (i, request) in requests.iter_mut().enumerate() {
        let day = days[(i * 31) % days.len()];
        request.at = Timestamp(day * 86_400 + (i as i64 * 4_919) % 86_400);
    }
    requests
}

/// Presentations by every card holder at doors spread over the site and instants
/// spread over the window, deterministic.
fn spread(workload: &Workload, count: usize) -> Vec<CardRequest> {
    let holders = workload.card_holders();
    let doors = workload.policy.doors.len();
    (0..count)
        .map(|i| {
            let (_, card) = holders[(i * 7_919) % holders.len()];
            let door = DoorId(((i * 104_729) % doors) as u32);
            let at = Timestamp(WINDOW_START + (i as i64 * 1_234_567) % WINDOW_SECONDS);
            CardRequest { card, door, at }
        })
        .collect()
}

fn assert_agree(workload: &Workload, models: &[CedarModel], requests: &[CardRequest]) {
    for request in requests {
        let ours = workload.compiled.decide(&request.request());
        for model in models {
            let (allowed, errors) = model.answer(request);
            assert!(
                errors.is_empty(),
                "{} errors on {request:?}: {errors:?}",
                model.name
            );
            assert_eq!(
                allowed,
                ours.allowed(),
                "{} on {request:?}, the engine says {}",
                model.name,
                ours.reason
            );
        }
    }
}

#[test]
fn both_models_answer_like_the_engine() {
    let workload = Workload::new(SiteParams::small());
    let models = models(&workload);
    for kind in Kind::ALL {
        assert_agree(&workload, &models, &workload.sample(kind, 40, 3));
    }
    let spread = spread(&workload, 600);
    let mut reasons: Vec<Reason> = spread
        .iter()
        .map(|r| workload.compiled.decide(&r.request()).reason)
        .collect();
    let allowed = reasons.iter().filter(|r| r.is_allow()).count();
    reasons.sort_by_key(|r| r.code());
    reasons.dedup();
    assert!(allowed > 10, "the spread sample allows some: {allowed}");
    assert!(
        reasons.len() >= 6,
        "the spread sample meets many rules: {reasons:?}"
    );
    assert_agree(&workload, &models, &spread);
    assert_agree(&workload, &models, &on_holidays(&workload, 300));
}
