//! The door step at anti-passback zones: hard, soft and timed zones, per card, and a
//! presence store out of reach (fail open, fail closed); the SQLite store.

use accessctl_core::decide::Movement;
use accessctl_core::model::Direction;
use accessctl_core::{check, CompiledPolicy, Reason, Sources, Timestamp};

use crate::door::DoorContext;
use crate::journal::{EventKind, Journal};
use crate::presence::{MemoryPresence, OccupantKey, PresenceError, PresenceStore, Whereabouts};
use crate::query::QueryPolicy;
use crate::read::CardRead;
use crate::reader::{DoorReader, Now};
use crate::verdict::{Outcome, Verdict};

const POLICY: &str = r#"
site hq {
  timezone "Europe/Paris"
  door gate { readers badge }
  door pool { readers badge }
  door court { readers badge }
  door lab { readers badge }
  zone building { entry gate reader 0  exit gate reader 1  antipassback hard }
  zone swim { entry pool reader 0  exit pool reader 1  antipassback soft }
  zone courts { entry court reader 0  exit court reader 1  antipassback timed 30m  per card }
  zone labs { entry lab reader 0  exit lab reader 1  antipassback hard  unreachable open }
}
account acme {
  user ana "Ana" { card 42  card 43  allow gate pool court lab }
}
"#;

fn policy() -> QueryPolicy {
    let mut sources = Sources::new();
    sources.add("hq.acl", POLICY);
    let checked = check(&sources);
    let policy = checked.policy.expect("valid policy");
    QueryPolicy {
        compiled: CompiledPolicy::new(&policy),
        policy,
    }
}

fn door(policy: &QueryPolicy, name: &str) -> DoorReader {
    DoorReader::new(DoorContext::resolve(&policy.policy, name).unwrap())
}

/// Monday 2026-11-23 09:00 in Paris, and `minutes` later.
fn at(minutes: i64) -> Now {
    Now {
        wall: Timestamp(1_795_420_800 + 8 * 3_600 + minutes * 60),
        mono: std::time::Instant::now(),
    }
}

fn card(number: u64) -> CardRead {
    CardRead::Number {
        number,
        shown: number.to_string(),
    }
}

/// Card `number` at reader `reader` of `door`, `minutes` into the day.
fn pass(
    policy: &QueryPolicy,
    door: &mut DoorReader,
    reader: u8,
    number: u64,
    minutes: i64,
    store: &mut dyn PresenceStore,
) -> Verdict {
    let mut verdicts = door.card(policy, reader, &card(number), at(minutes), store);
    assert_eq!(verdicts.len(), 1, "{verdicts:?}");
    verdicts.remove(0)
}

fn detail(verdict: &Verdict) -> &str {
    verdict
        .event
        .as_ref()
        .and_then(|e| e.detail.as_deref())
        .unwrap_or("")
}

#[test]
fn a_hard_zone_refuses_a_second_entry_and_lets_in_again_after_an_exit() {
    let policy = policy();
    let mut gate = door(&policy, "gate");
    let mut store = MemoryPresence::new();

    let first = pass(&policy, &mut gate, 0, 42, 0, &mut store);
    assert_eq!(first.outcome, Outcome::Opened);
    let inside = store.inside("building").unwrap();
    assert_eq!(inside.len(), 1);
    assert_eq!(inside[0].occupant, OccupantKey::user("ana"));
    assert_eq!(inside[0].door, "gate");

    // Her other card, handed back over the gate: per user, still Ana.
    let again = pass(&policy, &mut gate, 0, 43, 1, &mut store);
    assert_eq!(again.outcome, Outcome::Denied);
    let event = again.event.as_ref().unwrap();
    assert_eq!(event.kind, EventKind::Denied);
    assert_eq!(event.reason, Some(Reason::AntiPassback));
    assert_eq!(event.user.as_deref(), Some("ana"));
    assert!(
        detail(&again).contains("is inside zone `building`"),
        "{again:?}"
    );
    assert_eq!(
        store.inside("building").unwrap().len(),
        1,
        "a refusal records nothing"
    );

    let out = pass(&policy, &mut gate, 1, 42, 5, &mut store);
    assert_eq!(out.outcome, Outcome::Opened);
    assert!(store.inside("building").unwrap().is_empty());
    let back = pass(&policy, &mut gate, 0, 42, 6, &mut store);
    assert_eq!(back.outcome, Outcome::Opened);
}

#[test]
fn a_soft_zone_lets_a_second_entry_through_and_journals_the_violation() {
    let policy = policy();
    let mut pool = door(&policy, "pool");
    let mut store = MemoryPresence::new();
    let first = pass(&policy, &mut pool, 0, 42, 0, &mut store);
    assert_eq!(detail(&first), "");

    let again = pass(&policy, &mut pool, 0, 42, 2, &mut store);
    assert_eq!(again.outcome, Outcome::Opened);
    let event = again.event.as_ref().unwrap();
    assert_eq!(event.kind, EventKind::Opened);
    assert_eq!(event.reason, Some(Reason::Granted));
    assert!(
        detail(&again).starts_with("anti-passback violation:"),
        "{again:?}"
    );

    // An exit after an exit is a violation too, never refused.
    pass(&policy, &mut pool, 1, 42, 3, &mut store);
    let twice = pass(&policy, &mut pool, 1, 42, 4, &mut store);
    assert_eq!(twice.outcome, Outcome::Opened);
    assert!(detail(&twice).contains("left zone `swim` without an entry"));
}

#[test]
fn a_timed_zone_lets_a_card_back_in_after_its_minutes() {
    let policy = policy();
    let mut court = door(&policy, "court");
    let mut store = MemoryPresence::new();
    assert_eq!(
        pass(&policy, &mut court, 0, 42, 0, &mut store).outcome,
        Outcome::Opened
    );

    let early = pass(&policy, &mut court, 0, 42, 29, &mut store);
    assert_eq!(early.decision.map(|d| d.reason), Some(Reason::AntiPassback));
    assert!(detail(&early).contains("less than 30 min ago"), "{early:?}");
    // Per card: Ana's other card is another occupant.
    assert_eq!(
        pass(&policy, &mut court, 0, 43, 29, &mut store).outcome,
        Outcome::Opened
    );

    let late = pass(&policy, &mut court, 0, 42, 30, &mut store);
    assert_eq!(late.outcome, Outcome::Opened);
    let inside = store.inside("courts").unwrap();
    let cards: Vec<_> = inside.iter().map(|w| w.occupant.name.as_str()).collect();
    assert_eq!(cards, ["43", "42"], "longest inside first");
}

/// A store that cannot be reached.
struct Down;

impl PresenceStore for Down {
    fn name(&self) -> String {
        "down".to_owned()
    }
    fn last(&mut self, _: &str, _: &OccupantKey) -> Result<Option<Movement>, PresenceError> {
        Err(PresenceError::Unreachable { name: self.name() })
    }
    fn record(
        &mut self,
        _: &str,
        _: &OccupantKey,
        _: Movement,
        _: &str,
    ) -> Result<(), PresenceError> {
        Err(PresenceError::Unreachable { name: self.name() })
    }
    fn inside(&mut self, _: &str) -> Result<Vec<Whereabouts>, PresenceError> {
        Err(PresenceError::Unreachable { name: self.name() })
    }
    fn reset(&mut self, _: &str, _: &OccupantKey) -> Result<Option<Whereabouts>, PresenceError> {
        Err(PresenceError::Unreachable { name: self.name() })
    }
}

#[test]
fn an_unreachable_store_fails_closed_or_open_as_the_zone_says() {
    let policy = policy();
    let mut gate = door(&policy, "gate");
    let closed = pass(&policy, &mut gate, 0, 42, 0, &mut Down);
    assert_eq!(closed.outcome, Outcome::Denied);
    assert_eq!(
        closed.decision.map(|d| d.reason),
        Some(Reason::AntiPassback)
    );
    assert!(detail(&closed).contains("unreachable and zone `building` fails closed"));
    assert!(detail(&closed).contains("presence store down is unreachable"));

    let mut lab = door(&policy, "lab");
    let open = pass(&policy, &mut lab, 0, 42, 0, &mut Down);
    assert_eq!(open.outcome, Outcome::Opened);
    assert!(detail(&open).contains("zone `labs` fails open"), "{open:?}");
    assert!(
        detail(&open).contains("the entry was not recorded"),
        "{open:?}"
    );

    // Soft and timed zones fail open by default.
    let mut pool = door(&policy, "pool");
    assert_eq!(
        pass(&policy, &mut pool, 0, 42, 0, &mut Down).outcome,
        Outcome::Opened
    );
}

#[test]
fn an_unknown_card_at_a_zone_door_asks_the_store_nothing() {
    let policy = policy();
    let mut gate = door(&policy, "gate");
    let verdict = pass(&policy, &mut gate, 0, 99, 0, &mut Down);
    assert_eq!(verdict.outcome, Outcome::UnknownCard);
    assert_eq!(detail(&verdict), "");
}

#[test]
fn the_journal_keeps_presence_lists_who_is_inside_and_resets_one_occupant() {
    let policy = policy();
    let mut journal = Journal::in_memory().unwrap();
    let mut gate = door(&policy, "gate");
    assert_eq!(
        pass(&policy, &mut gate, 0, 42, 0, &mut journal).outcome,
        Outcome::Opened
    );
    assert_eq!(
        pass(&policy, &mut gate, 0, 42, 1, &mut journal).outcome,
        Outcome::Denied
    );

    let ana = OccupantKey::user("ana");
    let inside = journal.inside("building").unwrap();
    assert_eq!(inside.len(), 1);
    assert_eq!(
        inside[0].movement,
        Movement {
            direction: Direction::Entry,
            at: at(0).wall
        }
    );
    assert!(journal.inside("swim").unwrap().is_empty());

    let was = journal.reset("building", &ana).unwrap();
    assert_eq!(was.map(|w| w.door), Some("gate".to_owned()));
    assert_eq!(journal.last("building", &ana).unwrap(), None);
    assert_eq!(journal.reset("building", &ana).unwrap(), None);
    assert_eq!(
        pass(&policy, &mut gate, 0, 42, 2, &mut journal).outcome,
        Outcome::Opened
    );
}
