//! A verdict: what the controller does after a read at a door — the decision, the
//! commands for the door's devices and the event for the journal.
//!
//! Owns [`present`], the pure step from presented credentials to a [`Verdict`]: ask the
//! core, then translate its [`Decision`] into device actions ([`actions`]) and a
//! journal [`Event`] (opened, denied with its reason, unknown card with its number).
//! At an anti-passback zone's reader the decision is `decide_passage`'s, against the
//! presence store ([`passback`]).
//! It must never decide by itself (every answer is `CompiledPolicy::decide`'s), never
//! put a PIN in an event or a message, and never read a clock: the instant is given.

use accessctl_core::compile::Holder;
use accessctl_core::model::Policy;
use accessctl_core::{Decision, Presented, Reason, Request, Subject, Timestamp};
use accessctl_devices::osdp::Command;
use serde::Serialize;

use crate::actions;
use crate::door::DoorContext;
use crate::journal::{AccessType, Event, EventKind, Medium};
use crate::keypad::Pin;
use crate::passback;
use crate::presence::PresenceStore;
use crate::query::QueryPolicy;

/// How a read at a door ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The door opened.
    Opened,
    /// A known credential (or a PIN nobody holds) was refused.
    Denied,
    /// A card nobody holds was presented.
    UnknownCard,
    /// A card read failed its parity check.
    BadParity,
    /// A card read no accepted format reads.
    Unreadable,
    /// The door requires another factor; the controller waits for it.
    AwaitingFactor,
    /// The keypad is locked after wrong entries: the entry was refused unread.
    LockedOut,
    /// Wrong entries locked the keypad (journaled `keypad_lockout`).
    KeypadLocked,
}

impl Outcome {
    /// How it reads for people: `opened`, `unknown card`, `bad parity`, …
    pub fn words(self) -> &'static str {
        match self {
            Outcome::Opened => "opened",
            Outcome::Denied => "denied",
            Outcome::UnknownCard => "unknown card",
            Outcome::BadParity => "bad parity",
            Outcome::Unreadable => "unreadable card",
            Outcome::AwaitingFactor => "waiting for a second factor",
            Outcome::LockedOut => "refused unread (keypad locked)",
            Outcome::KeypadLocked => "keypad locked",
        }
    }
}

/// What the controller does after a read.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// How the read ended.
    pub outcome: Outcome,
    /// The engine's decision, when one was asked.
    pub decision: Option<Decision>,
    /// The commands for the door's PD, in order.
    pub commands: Vec<Command>,
    /// The journal's record of it (none while waiting for a second factor).
    pub event: Option<Event>,
}

/// The credentials of one presentation; the card also as shown to people.
#[derive(Debug, Clone, Copy, Default)]
pub struct Credentials<'a> {
    /// A card's policy number and how it reads (`1:1`).
    pub card: Option<(u64, &'a str)>,
    /// A PIN.
    pub pin: Option<&'a Pin>,
    /// Which factor arrived last: the one an `unknown_credential` refers to.
    pub newest: Factor,
}

/// A kind of factor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Factor {
    /// A card.
    #[default]
    Card,
    /// A PIN.
    Pin,
}

/// Asks the core about `credentials` presented at `door` (read by reader `reader` of
/// its PD) at `at`, and says what follows. A door requiring another factor yields
/// [`Outcome::AwaitingFactor`] with no event: the caller keeps the factor and asks
/// again with both.
///
/// At a reader an anti-passback zone lists, the occupant's presence is looked up in
/// `presence` and the passage let through recorded there ([`passback::decide`]); what
/// anti-passback says of it (a violation, a refusal, the store unreachable) is the
/// event's detail.
pub fn present(
    policy: &QueryPolicy,
    door: &DoorContext,
    reader: u8,
    credentials: Credentials<'_>,
    at: Timestamp,
    presence: &mut dyn PresenceStore,
) -> Verdict {
    let request = Request {
        subject: Subject::Credentials(Presented {
            card: credentials.card.map(|(number, _)| number),
            pin: credentials.pin.map(Pin::expose),
            ..Presented::default()
        }),
        door: door.id,
        at,
        offline: false,
    };
    // A refusal (a factor still awaited included) crosses no zone: nothing is
    // looked up or recorded.
    let judged = passback::decide(policy, door, reader, &request, presence);
    let decision = judged.decision;
    let lone = credentials.card.is_none() || credentials.pin.is_none();
    if decision.reason == Reason::SecondFactorRequired && lone {
        return Verdict {
            outcome: Outcome::AwaitingFactor,
            decision: Some(decision),
            commands: actions::ask_second_factor(reader, crate::reader::SECOND_FACTOR_TIMEOUT),
            event: None,
        };
    }
    let mut event = event_of(&policy.policy, door, &decision, at);
    event.medium = Some(medium_of(credentials.card.is_some(), decision.holder));
    if let Some(note) = judged.note {
        event.detail = Some(match event.detail.take() {
            Some(detail) => format!("{detail}; {note}"),
            None => note,
        });
    }
    let outcome = match (decision.allowed(), credentials.card) {
        (true, _) => Outcome::Opened,
        (false, Some((number, shown)))
            if decision.reason == Reason::UnknownCredential
                && credentials.newest == Factor::Card =>
        {
            event.kind = EventKind::UnknownCard;
            event.card = Some(number.to_string());
            if shown != number.to_string() {
                event.detail = Some(format!("read as {shown}"));
            }
            Outcome::UnknownCard
        }
        (false, _) => Outcome::Denied,
    };
    let commands = match outcome {
        Outcome::Opened => actions::open(reader),
        _ => actions::refuse(reader),
    };
    Verdict {
        outcome,
        decision: Some(decision),
        commands,
        event: Some(event),
    }
}

/// A read that gave no card number: refused at once, logged as `kind`.
pub fn unreadable(
    door: &DoorContext,
    reader: u8,
    kind: EventKind,
    detail: &str,
    at: Timestamp,
) -> Verdict {
    let outcome = match kind {
        EventKind::BadParity => Outcome::BadParity,
        _ => Outcome::Unreadable,
    };
    let event = Event {
        detail: Some(detail.to_owned()),
        medium: Some(Medium::Badge),
        ..Event::new(at.0, &door.site, &door.name, kind)
    };
    Verdict {
        outcome,
        decision: None,
        commands: actions::refuse(reader),
        event: Some(event),
    }
}

/// An entry typed on reader `reader` while its keypad is locked: refused unread, and
/// not journaled (the lockout was, once; a locked keypad must not let anyone flood the
/// journal).
pub fn locked_out(reader: u8) -> Verdict {
    Verdict {
        outcome: Outcome::LockedOut,
        decision: None,
        commands: actions::refuse(reader),
        event: None,
    }
}

/// The lockout that the wrong entry just refused began: reader `reader`'s keypad
/// reads nothing until `until`. `detail` says how many wrong entries and until when.
pub fn keypad_locked(door: &DoorContext, detail: String, at: Timestamp) -> Verdict {
    Verdict {
        outcome: Outcome::KeypadLocked,
        decision: None,
        commands: Vec::new(),
        event: Some(Event {
            detail: Some(detail),
            ..Event::new(at.0, &door.site, &door.name, EventKind::KeypadLockout)
        }),
    }
}

/// An offline code of the door typed on reader `reader`: opened if `accepted`, else
/// refused; `detail` says which code window, or why (never the code's digits).
pub fn offline_code(
    door: &DoorContext,
    reader: u8,
    accepted: bool,
    detail: String,
    at: Timestamp,
) -> Verdict {
    let (outcome, kind, commands) = match accepted {
        true => (Outcome::Opened, EventKind::Opened, actions::open(reader)),
        false => (Outcome::Denied, EventKind::Denied, actions::refuse(reader)),
    };
    Verdict {
        outcome,
        decision: None,
        commands,
        event: Some(Event {
            detail: Some(detail),
            medium: Some(Medium::Code),
            access_type: Some(AccessType::OfflineCode),
            ..Event::new(at.0, &door.site, &door.name, kind)
        }),
    }
}

/// How a credential was presented: a card read is a badge (with or without a PIN
/// beside it); a PIN alone is the holder's PIN, or a code when it is a space code.
pub fn medium_of(card: bool, holder: Option<Holder>) -> Medium {
    match (card, holder) {
        (true, _) => Medium::Badge,
        (false, Some(Holder::SpaceCode { .. })) => Medium::Code,
        (false, _) => Medium::Pin,
    }
}

/// Under what right a holder was judged: a user's grants, an appointment, a space
/// code; none when no holder was found.
pub fn access_type_of(holder: Option<Holder>) -> Option<AccessType> {
    match holder? {
        Holder::User { .. } => Some(AccessType::Permanent),
        Holder::Guest { .. } => Some(AccessType::Appointment),
        Holder::SpaceCode { .. } => Some(AccessType::SpaceCode),
    }
}

/// The journal event of a decision: opened or denied, with its reason, holder and
/// access type (the caller says the medium).
pub fn event_of(policy: &Policy, door: &DoorContext, decision: &Decision, at: Timestamp) -> Event {
    let kind = match decision.allowed() {
        true => EventKind::Opened,
        false => EventKind::Denied,
    };
    let (user, detail) = holder_names(policy, decision.holder);
    Event {
        reason: Some(decision.reason),
        user,
        detail,
        access_type: access_type_of(decision.holder),
        ..Event::new(at.0, &door.site, &door.name, kind)
    }
}

/// The user's name, or for others a word about who it was (never a credential).
pub(crate) fn holder_names(
    policy: &Policy,
    holder: Option<Holder>,
) -> (Option<String>, Option<String>) {
    match holder {
        Some(Holder::User { user }) => {
            (policy.users.get(user.index()).map(|u| u.name.clone()), None)
        }
        Some(Holder::Guest { appointment, guest }) => {
            let appointment = policy.appointments.get(appointment.index());
            let guest = appointment.and_then(|a| a.guests.get(guest as usize));
            let detail = appointment.map(|a| format!("guest of appointment {}", a.name));
            (guest.map(|g| g.name.clone()), detail)
        }
        Some(Holder::SpaceCode { .. }) => (None, Some("space code".to_owned())),
        None => (None, None),
    }
}
