//! Events, local journals and checks shared by the store tests.

use std::collections::BTreeMap;

use accessctl_controller::journal::{Entry, Event, EventKind, EventStore, Query};
use accessctl_core::Reason;

/// 2026-11-01T00:00:00Z.
pub const NOVEMBER: i64 = 1_793_491_200;

/// A door opened for `user` at `at`.
pub fn opened(at: i64, door: &str, user: &str) -> Event {
    Event {
        reason: Some(Reason::Granted),
        user: Some(user.to_owned()),
        ..Event::new(at, "hq", door, EventKind::Opened)
    }
}

/// `n` events, one a second from `start`, on door `door`.
pub fn events(n: i64, start: i64, door: &str) -> Vec<Event> {
    (0..n).map(|i| opened(start + i, door, "ana")).collect()
}

/// Entries of `controller` numbered `first..first + events.len()`.
pub fn entries(controller: &str, first: i64, events: Vec<Event>) -> Vec<Entry> {
    (first..)
        .zip(events)
        .map(|(id, event)| Entry {
            id,
            controller: controller.to_owned(),
            event,
        })
        .collect()
}

/// Every event of `store`, by controller: the sequence numbers found, in order.
pub fn sequences(store: &mut dyn EventStore) -> BTreeMap<String, Vec<i64>> {
    let all = store.query(&Query::default()).expect("the store answers");
    let mut found: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for entry in all {
        found.entry(entry.controller).or_default().push(entry.id);
    }
    for ids in found.values_mut() {
        ids.sort_unstable();
    }
    found
}

/// Asserts that `ids` is exactly 1..=n: none lost, none twice.
pub fn assert_complete(controller: &str, ids: &[i64], n: i64) {
    let expected: Vec<i64> = (1..=n).collect();
    if ids != expected {
        let mut seen = std::collections::BTreeSet::new();
        let twice: Vec<i64> = ids.iter().copied().filter(|id| !seen.insert(*id)).collect();
        let lost: Vec<i64> = expected
            .iter()
            .copied()
            .filter(|id| !seen.contains(id))
            .collect();
        panic!(
            "controller {controller}: {} events, expected {n}; twice: {:?}; lost: {:?}",
            ids.len(),
            &twice[..twice.len().min(10)],
            &lost[..lost.len().min(10)]
        );
    }
}
