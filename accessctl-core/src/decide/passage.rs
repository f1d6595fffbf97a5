//! Anti-passback: a decision at a zone door, against the occupant's last movement.
//!
//! Owns the last step of `docs/decisions.md`: once every other rule would let a
//! passage through a zone door, the zone's rule (hard, soft, timed) is checked against
//! the presence the caller passes in ([`Presence`]), and the decision says what to
//! record ([`Passage::record`]). The engine keeps no presence: the controller owns it
//! (its store, shared by every controller of a zone) and passes it with each request.
//!
//! It must never read a clock or a store, never allocate, and never turn a denial
//! into an allow: anti-passback only ever refuses, or reports.

use super::{Decision, Reason, Request, Subject};
use crate::compile::{CompiledPolicy, CompiledZone, Holder, ZoneReader};
use crate::model::{
    AppointmentId, Direction, DoorId, FailMode, Tracking, UserId, ZoneId, ZoneKind,
};
use crate::time::Timestamp;
use serde::Serialize;

/// A passage recorded in a zone: which way, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Movement {
    /// Into or out of the zone.
    pub direction: Direction,
    /// When the door let it through.
    pub at: Timestamp,
}

/// What the controller's presence store says of an occupant in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Presence {
    /// The store answered: the occupant's last movement recorded in the zone, `None`
    /// when it has none (a first passage, or a state an admin reset).
    Known {
        /// The last movement recorded.
        last: Option<Movement>,
    },
    /// The store could not be reached: the zone's `unreachable` rule decides.
    Unreachable,
}

impl Default for Presence {
    /// Nothing recorded.
    fn default() -> Presence {
        Presence::NONE
    }
}

impl Presence {
    /// Nothing recorded: a first passage.
    pub const NONE: Presence = Presence::Known { last: None };

    /// The store knows `last` as the occupant's last movement.
    pub fn last(last: Movement) -> Presence {
        Presence::Known { last: Some(last) }
    }

    /// The movement this presence holds, if any.
    fn movement(self) -> Option<Movement> {
        match self {
            Presence::Known { last } => last,
            Presence::Unreachable => None,
        }
    }
}

/// Whose presence a zone tracks: the holder (`per user`) or the card presented
/// (`per card`; the holder when no card was presented).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Occupant {
    /// A user.
    User {
        /// The user.
        user: UserId,
    },
    /// An appointment's guest.
    Guest {
        /// The appointment.
        appointment: AppointmentId,
        /// The guest's position in it.
        guest: u32,
    },
    /// A card, whoever holds it.
    Card {
        /// The card number.
        number: u64,
    },
}

/// Where a request would pass, before presence is known: the zone, which way, and
/// whose presence to look up ([`CompiledPolicy::crossing`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Crossing {
    /// The zone.
    pub zone: ZoneId,
    /// Into or out of it.
    pub direction: Direction,
    /// Whose presence the zone tracks.
    pub occupant: Occupant,
}

/// What anti-passback made of a passage through a zone door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PassbackCheck {
    /// Not checked: the decision denies for another reason, or the opening lets
    /// nobody pass that a zone could track (a remote opening, a permanent space code).
    NotChecked,
    /// Not checked: decided offline, where no presence is known (as on a lock).
    Offline,
    /// Checked, nothing wrong.
    Clear,
    /// Allowed, but a passback: a second entry in a `soft` zone, or an exit after an
    /// exit (in any zone: exits are never refused). The controller journals it.
    Violation,
    /// Denied `anti_passback`: a second entry in a `hard` zone, or a re-entry in a
    /// `timed` zone before its time.
    Refused,
    /// The presence store was unreachable and the zone is `unreachable open`: allowed
    /// unchecked.
    FailedOpen,
    /// The presence store was unreachable and the zone is `unreachable closed`:
    /// denied `anti_passback`.
    FailedClosed,
}

impl PassbackCheck {
    /// The stable code, e.g. `refused`.
    pub fn code(self) -> &'static str {
        match self {
            PassbackCheck::NotChecked => "not_checked",
            PassbackCheck::Offline => "offline",
            PassbackCheck::Clear => "clear",
            PassbackCheck::Violation => "violation",
            PassbackCheck::Refused => "refused",
            PassbackCheck::FailedOpen => "failed_open",
            PassbackCheck::FailedClosed => "failed_closed",
        }
    }

    /// Whether it refuses the passage.
    pub fn refuses(self) -> bool {
        matches!(self, PassbackCheck::Refused | PassbackCheck::FailedClosed)
    }
}

/// A decision's passage through a zone door: what was checked, and what to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Passage {
    /// The zone.
    pub zone: ZoneId,
    /// Into or out of it.
    pub direction: Direction,
    /// Whose presence the zone tracks; `None` when nobody a zone could track passes
    /// (an unknown credential, a permanent space code).
    pub occupant: Option<Occupant>,
    /// What anti-passback made of it.
    pub check: PassbackCheck,
    /// The instant of the request.
    pub at: Timestamp,
}

impl Passage {
    /// The movement the controller must store for [`Passage::occupant`] in the zone:
    /// `Some` when the passage was let through and checked (clear, a violation, or
    /// unchecked because the store was unreachable: store it once the store is back).
    pub fn record(&self) -> Option<Movement> {
        matches!(
            self.check,
            PassbackCheck::Clear | PassbackCheck::Violation | PassbackCheck::FailedOpen
        )
        .then_some(Movement {
            direction: self.direction,
            at: self.at,
        })
    }
}

impl CompiledPolicy {
    /// The zone and direction of reader `reader` of `door`, if a zone lists it.
    pub fn zone_door(&self, door: DoorId, reader: u8) -> Option<(ZoneId, Direction)> {
        self.zone_reader(door, reader)
            .map(|z| (z.zone, z.direction))
    }

    fn zone_reader(&self, door: DoorId, reader: u8) -> Option<ZoneReader> {
        let readers = self.door_zones.get(door.index())?;
        readers
            .iter()
            .find(|z| z.reader.is_none_or(|r| r == reader))
            .copied()
    }

    /// Where `request`, presented at reader `reader` of its door, would cross a zone
    /// and whose presence the controller must look up before
    /// [`CompiledPolicy::decide_passage`]; `None` when there is nothing to look up:
    /// the reader is in no zone, or the passage would be denied or not checked anyway.
    pub fn crossing(&self, request: &Request<'_>, reader: u8) -> Option<Crossing> {
        let passage = self
            .decide_passage(request, reader, Presence::NONE)
            .passage?;
        let checked = matches!(
            passage.check,
            PassbackCheck::Clear | PassbackCheck::Violation
        );
        Some(Crossing {
            zone: passage.zone,
            direction: passage.direction,
            occupant: passage.occupant.filter(|_| checked)?,
        })
    }

    /// Decides `request`, presented at reader `reader` of its door, with the
    /// anti-passback rule of the zone that lists that reader, against `presence`: the
    /// last movement in that zone of the [`Crossing::occupant`] (see
    /// [`CompiledPolicy::crossing`]). Without a zone it is [`CompiledPolicy::decide`].
    /// The check comes last: only a decision that would allow is refused
    /// [`Reason::AntiPassback`]. A decision allocates nothing.
    ///
    /// ```
    /// use accessctl_core::decide::{Movement, Presence};
    /// use accessctl_core::{check, CompiledPolicy, Timestamp, Presented, Reason, Request, Sources, Subject};
    ///
    /// let mut sources = Sources::new();
    /// sources.add("pool.acl", r#"
    /// site centre {
    ///   timezone "UTC"
    ///   door turnstile
    ///   zone pool { entry turnstile reader 0  exit turnstile reader 1  antipassback hard }
    /// }
    /// account club { user ana { card 42  allow turnstile } }
    /// "#);
    /// let policy = check(&sources).policy.expect("valid policy");
    /// let compiled = CompiledPolicy::new(&policy);
    /// let card = Subject::Credentials(Presented { card: Some(42), ..Presented::default() });
    /// let request = Request { subject: card, door: policy.door_named("turnstile").expect("declared"), at: Timestamp(1_800_000_000), offline: false };
    ///
    /// // Ana enters by reader 0: the controller looks up her presence, finds none.
    /// let crossing = compiled.crossing(&request, 0).expect("a zone door");
    /// let first = compiled.decide_passage(&request, 0, Presence::Known { last: None });
    /// assert!(first.allowed());
    /// let entered = first.passage.and_then(|p| p.record()).expect("an entry to store");
    ///
    /// // She passes her card back over the turnstile: a second entry is refused.
    /// let again = compiled.decide_passage(&request, 0, Presence::last(entered));
    /// assert_eq!(again.reason, Reason::AntiPassback);
    /// # let _ = crossing;
    /// ```
    pub fn decide_passage(
        &self,
        request: &Request<'_>,
        reader: u8,
        presence: Presence,
    ) -> Decision {
        let decision = self.decide(request);
        let Some(zone_reader) = self.zone_reader(request.door, reader) else {
            return decision;
        };
        let Some(zone) = self.passback_zones.get(zone_reader.zone.index()).copied() else {
            return decision;
        };
        let occupant = occupant(zone.tracking, decision.holder, &request.subject);
        let offline = request.offline
            || self
                .doors
                .get(request.door.index())
                .is_some_and(|d| d.offline_lock);
        let remote = matches!(request.subject, Subject::Remote(_));
        let check = match occupant {
            _ if !decision.allowed() => PassbackCheck::NotChecked,
            None => PassbackCheck::NotChecked,
            Some(_) if remote => PassbackCheck::NotChecked,
            Some(_) if offline => PassbackCheck::Offline,
            Some(_) => judge(zone, zone_reader.direction, presence, request.at),
        };
        let passage = Passage {
            zone: zone_reader.zone,
            direction: zone_reader.direction,
            occupant,
            check,
            at: request.at,
        };
        let reason = if check.refuses() {
            Reason::AntiPassback
        } else {
            decision.reason
        };
        Decision {
            reason,
            passage: Some(passage),
            ..decision
        }
    }
}

/// Whose presence `tracking` follows for the holder of a decision; `None` for a
/// permanent space code (it names nobody) or no holder.
fn occupant(tracking: Tracking, holder: Option<Holder>, subject: &Subject<'_>) -> Option<Occupant> {
    let card = match subject {
        Subject::Credentials(presented) => presented.card,
        Subject::Remote(_) | Subject::User(_) | Subject::Guest(..) => None,
    };
    match (holder?, card) {
        (Holder::SpaceCode { .. }, _) => None,
        (_, Some(number)) if tracking == Tracking::Card => Some(Occupant::Card { number }),
        (Holder::User { user }, _) => Some(Occupant::User { user }),
        (Holder::Guest { appointment, guest }, _) => Some(Occupant::Guest { appointment, guest }),
    }
}

/// The zone's rule for a passage `direction` at `at`, after the movement `presence`
/// holds. Exits are never refused; a first passage is always clear.
fn judge(
    zone: CompiledZone,
    direction: Direction,
    presence: Presence,
    at: Timestamp,
) -> PassbackCheck {
    if presence == Presence::Unreachable {
        return match zone.unreachable {
            FailMode::Open => PassbackCheck::FailedOpen,
            FailMode::Closed => PassbackCheck::FailedClosed,
        };
    }
    let Some(last) = presence.movement() else {
        return PassbackCheck::Clear;
    };
    match (direction, last.direction) {
        (Direction::Exit, Direction::Exit) => PassbackCheck::Violation,
        (Direction::Exit, Direction::Entry) | (Direction::Entry, Direction::Exit) => {
            PassbackCheck::Clear
        }
        (Direction::Entry, Direction::Entry) => second_entry(zone.kind, last.at, at),
    }
}

/// An entry after an entry, with no exit between.
fn second_entry(kind: ZoneKind, last: Timestamp, at: Timestamp) -> PassbackCheck {
    match kind {
        ZoneKind::Hard => PassbackCheck::Refused,
        ZoneKind::Soft => PassbackCheck::Violation,
        ZoneKind::Timed { minutes } => {
            let waited = at.0.saturating_sub(last.0);
            if waited >= i64::from(minutes) * 60 {
                PassbackCheck::Clear
            } else {
                PassbackCheck::Refused
            }
        }
    }
}
