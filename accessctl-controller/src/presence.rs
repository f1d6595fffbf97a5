//! Who is inside each anti-passback zone: the presence store the controller asks
//! before a passage through a zone door, and tells after one.
//!
//! Owns [`PresenceStore`] (the last movement of an occupant in a zone, recording a
//! movement, listing who is inside, an admin's reset of one occupant), its vocabulary
//! ([`OccupantKey`], [`Whereabouts`]), the error every store's failure becomes
//! ([`PresenceError`]) and [`MemoryPresence`], a store in memory for tests and for
//! embedders with one controller and no disk. The SQLite store is the journal's
//! database ([`crate::journal::Journal`]); the PostgreSQL one, shared by every
//! controller of a zone, is [`postgres::PostgresPresence`].
//!
//! Zones and occupants are kept by name (a zone's name, a user's name, a card's
//! number, a guest's appointment and name), never by the policy's indexes, so that a
//! policy edit does not move anyone. It must never decide (the core's
//! `decide_passage` does, against what a store says), and never keep a PIN or a key.

pub mod postgres;

use std::collections::BTreeMap;
use std::fmt;

use accessctl_core::decide::{Movement, Occupant};
use accessctl_core::model::{Direction, Policy};
use accessctl_core::Timestamp;
use serde::Serialize;

use crate::journal::JournalError;

/// Whose presence a zone tracks, as a store keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OccupantKind {
    /// A user, by name.
    User,
    /// A card, by number.
    Card,
    /// An appointment's guest, as `APPOINTMENT/GUEST`.
    Guest,
}

impl OccupantKind {
    /// The stable code stored: `user`, `card` or `guest`.
    pub fn code(self) -> &'static str {
        match self {
            OccupantKind::User => "user",
            OccupantKind::Card => "card",
            OccupantKind::Guest => "guest",
        }
    }

    /// The kind whose code is `code`, if any.
    pub fn from_code(code: &str) -> Option<OccupantKind> {
        [OccupantKind::User, OccupantKind::Card, OccupantKind::Guest]
            .into_iter()
            .find(|kind| kind.code() == code)
    }
}

/// An occupant as a store keeps it: a kind and a name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct OccupantKey {
    /// User, card or guest.
    pub kind: OccupantKind,
    /// The user's name, the card's number, or `APPOINTMENT/GUEST`.
    pub name: String,
}

impl OccupantKey {
    /// A user, by name.
    pub fn user(name: &str) -> OccupantKey {
        OccupantKey {
            kind: OccupantKind::User,
            name: name.to_owned(),
        }
    }

    /// A card, by number.
    pub fn card(number: u64) -> OccupantKey {
        OccupantKey {
            kind: OccupantKind::Card,
            name: number.to_string(),
        }
    }

    /// The core's occupant named as `policy` names it; `None` for an index the policy
    /// does not have.
    pub fn of(policy: &Policy, occupant: Occupant) -> Option<OccupantKey> {
        match occupant {
            Occupant::User { user } => policy
                .users
                .get(user.index())
                .map(|u| OccupantKey::user(&u.name)),
            Occupant::Card { number } => Some(OccupantKey::card(number)),
            Occupant::Guest { appointment, guest } => {
                let appointment = policy.appointments.get(appointment.index())?;
                let guest = appointment.guests.get(usize::try_from(guest).ok()?)?;
                Some(OccupantKey {
                    kind: OccupantKind::Guest,
                    name: format!("{}/{}", appointment.name, guest.name),
                })
            }
        }
    }
}

impl fmt::Display for OccupantKey {
    /// `user ana`, `card 42`, `guest visit/zoe`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.code(), self.name)
    }
}

/// What a store knows of an occupant in a zone: the last movement, and the door.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Whereabouts {
    /// Who.
    pub occupant: OccupantKey,
    /// The last movement recorded: inside when it is an entry, since its instant.
    pub movement: Movement,
    /// The door passed.
    pub door: String,
}

impl Whereabouts {
    /// Whether the occupant is inside: the last movement was an entry.
    pub fn inside(&self) -> bool {
        self.movement.direction == Direction::Entry
    }
}

/// A presence store that could not answer. The controller then passes
/// `Presence::Unreachable`, and the zone's `unreachable open|closed` rule applies.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PresenceError {
    /// The journal's database (SQLite) failed.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The shared PostgreSQL store failed or could not be reached.
    #[error("presence store {name}: cannot {action}: {source}")]
    Postgres {
        /// The database, without its password.
        name: String,
        /// What was being done.
        action: &'static str,
        /// What PostgreSQL said.
        #[source]
        source: ::postgres::Error,
    },
    /// A stored row holds a value this code does not know.
    #[error("presence store {name}: zone `{zone}` holds an unknown {column} `{value}`")]
    UnknownValue {
        /// The store.
        name: String,
        /// The zone.
        zone: String,
        /// The column.
        column: &'static str,
        /// The stored text.
        value: String,
    },
    /// The store is out of reach (a test's stand-in, or a store shut down).
    #[error("presence store {name} is unreachable")]
    Unreachable {
        /// The store.
        name: String,
    },
}

/// Where the controller keeps who is inside each zone.
///
/// A zone is named by its name in the policy; a store keeps, per zone and occupant,
/// only the last movement and the door it went through.
pub trait PresenceStore {
    /// The store as people may read it (a file path, or a URL without password).
    fn name(&self) -> String;

    /// The last movement of `occupant` in `zone`, `None` when none is recorded.
    fn last(
        &mut self,
        zone: &str,
        occupant: &OccupantKey,
    ) -> Result<Option<Movement>, PresenceError>;

    /// Records `movement` of `occupant` through `door` as its last in `zone`.
    fn record(
        &mut self,
        zone: &str,
        occupant: &OccupantKey,
        movement: Movement,
        door: &str,
    ) -> Result<(), PresenceError>;

    /// Who is inside `zone` (last movement an entry), longest inside first.
    fn inside(&mut self, zone: &str) -> Result<Vec<Whereabouts>, PresenceError>;

    /// Forgets what is recorded of `occupant` in `zone` (an admin's reset: the next
    /// passage is a first one); returns what was recorded, if anything.
    fn reset(
        &mut self,
        zone: &str,
        occupant: &OccupantKey,
    ) -> Result<Option<Whereabouts>, PresenceError>;
}

/// A presence store in memory: gone with the process.
#[derive(Debug, Clone, Default)]
pub struct MemoryPresence {
    zones: BTreeMap<(String, OccupantKey), Whereabouts>,
}

impl MemoryPresence {
    /// An empty store.
    pub fn new() -> MemoryPresence {
        MemoryPresence::default()
    }
}

impl PresenceStore for MemoryPresence {
    fn name(&self) -> String {
        "memory".to_owned()
    }

    fn last(
        &mut self,
        zone: &str,
        occupant: &OccupantKey,
    ) -> Result<Option<Movement>, PresenceError> {
        let key = (zone.to_owned(), occupant.clone());
        Ok(self.zones.get(&key).map(|w| w.movement))
    }

    fn record(
        &mut self,
        zone: &str,
        occupant: &OccupantKey,
        movement: Movement,
        door: &str,
    ) -> Result<(), PresenceError> {
        let whereabouts = Whereabouts {
            occupant: occupant.clone(),
            movement,
            door: door.to_owned(),
        };
        self.zones
            .insert((zone.to_owned(), occupant.clone()), whereabouts);
        Ok(())
    }

    fn inside(&mut self, zone: &str) -> Result<Vec<Whereabouts>, PresenceError> {
        let mut inside: Vec<Whereabouts> = self
            .zones
            .iter()
            .filter(|((z, _), w)| z == zone && w.inside())
            .map(|(_, w)| w.clone())
            .collect();
        inside.sort_by(by_arrival);
        Ok(inside)
    }

    fn reset(
        &mut self,
        zone: &str,
        occupant: &OccupantKey,
    ) -> Result<Option<Whereabouts>, PresenceError> {
        Ok(self.zones.remove(&(zone.to_owned(), occupant.clone())))
    }
}

/// Longest inside first, then by occupant.
pub(crate) fn by_arrival(a: &Whereabouts, b: &Whereabouts) -> std::cmp::Ordering {
    (a.movement.at, &a.occupant).cmp(&(b.movement.at, &b.occupant))
}

/// The movement stored as `direction` (`entry` or `exit`) at `at`, if the direction
/// is one.
pub(crate) fn movement(direction: &str, at: i64) -> Option<Movement> {
    let direction = match direction {
        "entry" => Direction::Entry,
        "exit" => Direction::Exit,
        _ => return None,
    };
    Some(Movement {
        direction,
        at: Timestamp(at),
    })
}
