//! Anti-passback zones: doors (or readers of doors) that lead into and out of an
//! area, and the rule that holds at them.
//!
//! Owns the zone as the validator leaves it: every door resolved, at most one zone
//! and one direction per reader, the kind with its duration in minutes, whose
//! presence is tracked and what to do when the presence store is out of reach. It
//! holds no presence: who is inside is the controller's state, passed to the engine
//! with each request ([`crate::decide::Presence`]).

use super::{DoorId, FailMode, SiteId, Tracking};
use serde::{Deserialize, Serialize};

/// The longest wait a `timed` zone may impose: 24 hours, in minutes.
pub const MAX_TIMED_MINUTES: u32 = 24 * 60;

/// Which way a passage goes through a zone door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Into the zone (`entry`).
    Entry,
    /// Out of the zone (`exit`).
    Exit,
}

impl Direction {
    /// The keyword: `entry` or `exit`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Entry => "entry",
            Direction::Exit => "exit",
        }
    }
}

/// The anti-passback rule of a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ZoneKind {
    /// A second entry without an exit in between is refused.
    Hard,
    /// A second entry is allowed, and the decision reports the violation.
    Soft,
    /// A second entry is refused until `minutes` have passed since the last entry.
    Timed {
        /// Minutes, from 1 to [`MAX_TIMED_MINUTES`].
        minutes: u32,
    },
}

impl ZoneKind {
    /// The keyword: `hard`, `soft` or `timed`.
    pub fn as_str(self) -> &'static str {
        match self {
            ZoneKind::Hard => "hard",
            ZoneKind::Soft => "soft",
            ZoneKind::Timed { .. } => "timed",
        }
    }

    /// What a zone of this kind does when its `unreachable` clause is left out:
    /// a hard zone fails closed (it exists to refuse), soft and timed zones fail open
    /// (they exist to report, or only slow re-entry down).
    pub fn default_fail_mode(self) -> FailMode {
        match self {
            ZoneKind::Hard => FailMode::Closed,
            ZoneKind::Soft | ZoneKind::Timed { .. } => FailMode::Open,
        }
    }
}

/// A door, or one reader of it, that leads into or out of a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ZoneDoor {
    /// The door.
    pub door: DoorId,
    /// Only this reader of the door (its number on the door's controller); `None`:
    /// every reader of the door.
    pub reader: Option<u8>,
    /// Which way passing there goes.
    pub direction: Direction,
}

impl ZoneDoor {
    /// Whether a passage at reader `reader` of `door` goes through this zone door.
    pub fn covers(&self, door: DoorId, reader: u8) -> bool {
        self.door == door && self.reader.is_none_or(|r| r == reader)
    }
}

/// An anti-passback zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Zone {
    /// Name in the policy.
    pub name: String,
    /// Display title.
    pub title: Option<String>,
    /// The site it was declared in; `None` for a zone declared at the top level, which
    /// may span sites.
    pub site: Option<SiteId>,
    /// Its entries and exits, in the order written; no reader is listed twice.
    pub doors: Vec<ZoneDoor>,
    /// Its rule.
    pub kind: ZoneKind,
    /// Whose presence it tracks.
    pub tracking: Tracking,
    /// What a controller does when it cannot reach the presence store.
    pub unreachable: FailMode,
}
