//! The journal's vocabulary: events, their kinds and the queries over them.
//!
//! An event holds no secret: a user is named, an unknown card is given by its number,
//! and there is no field for a PIN or a key.

use accessctl_core::Reason;
use serde::Serialize;

/// What happened at a door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The door opened for someone.
    Opened,
    /// A known credential was refused.
    Denied,
    /// A card nobody holds was presented.
    UnknownCard,
    /// The door's reader stopped answering.
    ReaderOffline,
    /// The door's reader answers again.
    ReaderOnline,
    /// The reader or the lock reported tampering.
    Tamper,
    /// A card read failed its parity check.
    BadParity,
    /// A card read that no accepted format reads.
    UnreadableCard,
    /// The door's PD reported a power failure or its end.
    Power,
    /// A keypad locked after repeated wrong entries (the detail says until when).
    KeypadLockout,
    /// A PD that fails its secure-channel handshake, declares malformed capabilities,
    /// never answers, or reports from a reader it does not declare (the detail says
    /// which, and the PD's address).
    ReaderFault,
    /// A lock's audit record the controller refused to believe (the detail says why,
    /// and the PD's address).
    AuditRefused,
    /// An admin reset one occupant's anti-passback state in a zone (the event's door
    /// is the zone's name; the detail says whose state, and what it was).
    PresenceReset,
}

impl EventKind {
    /// Every kind, in catalogue order.
    pub const ALL: [EventKind; 13] = [
        EventKind::Opened,
        EventKind::Denied,
        EventKind::UnknownCard,
        EventKind::ReaderOffline,
        EventKind::ReaderOnline,
        EventKind::Tamper,
        EventKind::BadParity,
        EventKind::UnreadableCard,
        EventKind::Power,
        EventKind::KeypadLockout,
        EventKind::ReaderFault,
        EventKind::AuditRefused,
        EventKind::PresenceReset,
    ];

    /// The stable code stored in the journal, e.g. `unknown_card`.
    pub fn code(self) -> &'static str {
        match self {
            EventKind::Opened => "opened",
            EventKind::Denied => "denied",
            EventKind::UnknownCard => "unknown_card",
            EventKind::ReaderOffline => "reader_offline",
            EventKind::ReaderOnline => "reader_online",
            EventKind::Tamper => "tamper",
            EventKind::BadParity => "bad_parity",
            EventKind::UnreadableCard => "unreadable_card",
            EventKind::Power => "power",
            EventKind::KeypadLockout => "keypad_lockout",
            EventKind::ReaderFault => "reader_fault",
            EventKind::AuditRefused => "audit_refused",
            EventKind::PresenceReset => "presence_reset",
        }
    }

    /// The kind whose code is `code`, if any.
    pub fn from_code(code: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|kind| kind.code() == code)
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// How a credential was presented at the door: the seeds' "média".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Medium {
    /// A card read (a known card, an unknown one, or one no format reads).
    Badge,
    /// A user's (or a guest's) personal PIN typed on a keypad.
    Pin,
    /// A code typed that is no one's PIN: a space code, an offline code.
    Code,
    /// A QR code shown to a reader.
    Qr,
    /// A mobile key (a smartphone).
    Mobile,
    /// A remote opening (over the network).
    Remote,
}

impl Medium {
    /// Every medium, in catalogue order.
    pub const ALL: [Medium; 6] = [
        Medium::Badge,
        Medium::Pin,
        Medium::Code,
        Medium::Qr,
        Medium::Mobile,
        Medium::Remote,
    ];

    /// The stable code stored in the journal, e.g. `badge`.
    pub fn code(self) -> &'static str {
        match self {
            Medium::Badge => "badge",
            Medium::Pin => "pin",
            Medium::Code => "code",
            Medium::Qr => "qr",
            Medium::Mobile => "mobile",
            Medium::Remote => "remote",
        }
    }

    /// The medium whose code is `code`, if any.
    pub fn from_code(code: &str) -> Option<Medium> {
        Medium::ALL.into_iter().find(|medium| medium.code() == code)
    }
}

impl std::fmt::Display for Medium {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Under what right a credential was judged: the seeds' "type d'accès".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessType {
    /// A user's own grants (Welcomr's "accès permanent").
    Permanent,
    /// A guest of an appointment ("rendez-vous").
    Appointment,
    /// A permanent space code, bound to a space and no user.
    SpaceCode,
    /// An offline code, made from the door's key.
    OfflineCode,
    /// A remote opening.
    Remote,
}

impl AccessType {
    /// Every access type, in catalogue order.
    pub const ALL: [AccessType; 5] = [
        AccessType::Permanent,
        AccessType::Appointment,
        AccessType::SpaceCode,
        AccessType::OfflineCode,
        AccessType::Remote,
    ];

    /// The stable code stored in the journal, e.g. `space_code`.
    pub fn code(self) -> &'static str {
        match self {
            AccessType::Permanent => "permanent",
            AccessType::Appointment => "appointment",
            AccessType::SpaceCode => "space_code",
            AccessType::OfflineCode => "offline_code",
            AccessType::Remote => "remote",
        }
    }

    /// The access type whose code is `code`, if any.
    pub fn from_code(code: &str) -> Option<AccessType> {
        AccessType::ALL
            .into_iter()
            .find(|access| access.code() == code)
    }
}

impl std::fmt::Display for AccessType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The reason whose stable code is `code`, if any.
pub fn reason_from_code(code: &str) -> Option<Reason> {
    Reason::ALL.into_iter().find(|reason| reason.code() == code)
}

/// One thing that happened at a door.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// When, in Unix seconds.
    pub at: i64,
    /// The site of the door.
    pub site: String,
    /// The door.
    pub door: String,
    /// What happened.
    pub kind: EventKind,
    /// The decision's reason, for openings and refusals.
    pub reason: Option<Reason>,
    /// The user's name, when the holder is known.
    pub user: Option<String>,
    /// The card number; only for [`EventKind::UnknownCard`].
    pub card: Option<String>,
    /// Free text for people (never a secret).
    pub detail: Option<String>,
    /// How the credential was presented; only for decisions (openings, refusals,
    /// unknown and unreadable cards), `None` for other events and for events
    /// recorded before the journal kept it.
    pub medium: Option<Medium>,
    /// Under what right the credential was judged, when a holder was found; `None`
    /// otherwise, and for events recorded before the journal kept it.
    pub access_type: Option<AccessType>,
}

impl Event {
    /// An event with only its instant, site, door and kind.
    pub fn new(at: i64, site: &str, door: &str, kind: EventKind) -> Event {
        Event {
            at,
            site: site.to_owned(),
            door: door.to_owned(),
            kind,
            reason: None,
            user: None,
            card: None,
            detail: None,
            medium: None,
            access_type: None,
        }
    }

    /// Why this event may not be stored, if it may not: no door, a card number kept
    /// for another kind than an unknown card, or an instant ISO 8601 cannot write
    /// (beyond [`CALENDAR`](crate::instant::CALENDAR)), which no reader could show.
    pub fn problem(&self) -> Option<&'static str> {
        if self.door.is_empty() {
            Some("the door is empty")
        } else if crate::instant::in_calendar(accessctl_core::Timestamp(self.at)).is_err() {
            Some("its instant is beyond the years 0000 to 9999 ISO 8601 writes")
        } else if self.card.is_some() && self.kind != EventKind::UnknownCard {
            Some("a card number is kept only for unknown cards")
        } else {
            None
        }
    }
}

/// An event as stored, with its stable identity: the controller that recorded it and
/// its sequence number there. No two events share an identity, in any store: a store
/// given an identity it holds already keeps the first and skips the second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The sequence number at its controller: 1, 2, 3… in order of recording.
    pub id: i64,
    /// The controller that recorded it (see [`Journal::controller_id`](super::Journal::controller_id)).
    pub controller: String,
    /// The event.
    #[serde(flatten)]
    pub event: Event,
}

/// Which events to read; every field left `None` (or list left empty) matches
/// everything, and the fields combine (all must hold).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Only this door.
    pub door: Option<String>,
    /// Only these doors (any of them); empty matches every door.
    pub doors: Vec<String>,
    /// Only events at or after this instant (Unix seconds).
    pub since: Option<i64>,
    /// Only events strictly before this instant (Unix seconds).
    pub until: Option<i64>,
    /// Only this kind.
    pub kind: Option<EventKind>,
    /// Only these kinds (any of them); empty matches every kind.
    pub kinds: Vec<EventKind>,
    /// Only events of this user, by name.
    pub user: Option<String>,
    /// Only events of these users (any of them), by name; empty matches every
    /// event, a user's or not.
    pub users: Vec<String>,
    /// Only events presented by these media (any of them); empty matches every
    /// event, with a medium or not.
    pub media: Vec<Medium>,
    /// Only events judged under these access types (any of them); empty matches
    /// every event, with an access type or not.
    pub access_types: Vec<AccessType>,
    /// Only events of this card number (as stored: unknown cards only).
    pub card: Option<String>,
    /// At most this many events (the newest).
    pub limit: Option<u32>,
}
