//! Anti-passback at a door: the presence looked up before a decision at a zone's
//! reader, the movement recorded after it.
//!
//! Owns [`decide`]: asks the core where a request would cross a zone
//! (`CompiledPolicy::crossing`), asks the [`PresenceStore`] for the occupant's last
//! movement there (`Presence::Unreachable` when it cannot answer, so that the zone's
//! `unreachable open|closed` rule applies), decides with `decide_passage`, and
//! records the movement the decision says to record. What the journal must say of
//! it — a violation, a refusal, a store out of reach — comes back as words for the
//! event's detail. It must never decide by itself (every answer is the core's), never
//! read a clock (the instant is the request's), and never fail a read because the
//! store did: a store error is a fact for the zone's rule and the journal.

use accessctl_core::decide::{Crossing, Passage, PassbackCheck, Presence};
use accessctl_core::model::{Direction, ZoneKind};
use accessctl_core::{Decision, Request};

use crate::door::DoorContext;
use crate::offline::utc;
use crate::presence::{OccupantKey, PresenceStore};
use crate::query::QueryPolicy;

/// A decision at a door, and what anti-passback has to say of it for the journal.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    /// The core's decision.
    pub decision: Decision,
    /// Words for the journal: a violation, a refusal, the store out of reach, or a
    /// movement that could not be recorded; `None` when there is nothing to say.
    pub note: Option<String>,
}

/// Decides `request`, read by reader `reader` of `door`, with the anti-passback rule
/// of the zone that lists that reader (if any), against what `presence` says; records
/// the movement the decision lets through.
pub fn decide(
    policy: &QueryPolicy,
    door: &DoorContext,
    reader: u8,
    request: &Request<'_>,
    presence: &mut dyn PresenceStore,
) -> Judged {
    let compiled = &policy.compiled;
    let Some((crossing, zone, occupant)) = tracked(policy, request, reader) else {
        let decision = compiled.decide_passage(request, reader, Presence::NONE);
        return Judged {
            decision,
            note: None,
        };
    };
    let (known, unreachable) = match presence.last(zone, &occupant) {
        Ok(last) => (Presence::Known { last }, None),
        Err(error) => (Presence::Unreachable, Some(error.to_string())),
    };
    let decision = compiled.decide_passage(request, reader, known);
    let Some(passage) = decision.passage.filter(|p| p.zone == crossing.zone) else {
        return Judged {
            decision,
            note: None,
        };
    };
    let mut note = words(policy, &passage, zone, &occupant, known, unreachable);
    if let Some(movement) = passage.record() {
        if let Err(error) = presence.record(zone, &occupant, movement, &door.name) {
            let unrecorded = format!(
                "the {} was not recorded: {error}",
                direction_word(passage.direction)
            );
            note = Some(match note {
                Some(note) => format!("{note}; {unrecorded}"),
                None => unrecorded,
            });
        }
    }
    Judged { decision, note }
}

/// The crossing of `request` at `reader`, its zone's name and its occupant's key, if
/// the request crosses a zone whose presence must be looked up.
fn tracked<'p>(
    policy: &'p QueryPolicy,
    request: &Request<'_>,
    reader: u8,
) -> Option<(Crossing, &'p str, OccupantKey)> {
    let crossing = policy.compiled.crossing(request, reader)?;
    let zone = policy.policy.zones.get(crossing.zone.index())?;
    let occupant = OccupantKey::of(&policy.policy, crossing.occupant)?;
    Some((crossing, zone.name.as_str(), occupant))
}

/// What the journal says of a checked passage, if anything.
fn words(
    policy: &QueryPolicy,
    passage: &Passage,
    zone: &str,
    occupant: &OccupantKey,
    presence: Presence,
    unreachable: Option<String>,
) -> Option<String> {
    let last_at = match presence {
        Presence::Known { last: Some(last) } => utc(last.at),
        _ => String::new(),
    };
    let unreachable = unreachable.unwrap_or_default();
    match passage.check {
        PassbackCheck::Violation => Some(match passage.direction {
            Direction::Entry => format!(
                "anti-passback violation: {occupant} entered zone `{zone}` again without an exit (inside since {last_at})"
            ),
            Direction::Exit => format!(
                "anti-passback violation: {occupant} left zone `{zone}` without an entry (last exit {last_at})"
            ),
        }),
        PassbackCheck::Refused => {
            let kind = policy
                .policy
                .zones
                .get(passage.zone.index())
                .map(|z| z.kind);
            Some(match kind {
                Some(ZoneKind::Timed { minutes }) => format!(
                    "anti-passback: {occupant} entered zone `{zone}` at {last_at}, less than {minutes} min ago"
                ),
                _ => format!(
                    "anti-passback: {occupant} is inside zone `{zone}` since {last_at}, with no exit"
                ),
            })
        }
        PassbackCheck::FailedOpen => Some(format!(
            "anti-passback unchecked: the presence store is unreachable and zone `{zone}` fails open ({unreachable})"
        )),
        PassbackCheck::FailedClosed => Some(format!(
            "anti-passback: the presence store is unreachable and zone `{zone}` fails closed ({unreachable})"
        )),
        PassbackCheck::NotChecked
        | PassbackCheck::Offline
        | PassbackCheck::Clear => None,
    }
}

fn direction_word(direction: Direction) -> &'static str {
    match direction {
        Direction::Entry => "entry",
        Direction::Exit => "exit",
    }
}

#[cfg(test)]
#[path = "passback_tests.rs"]
mod tests;
