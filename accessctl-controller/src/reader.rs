//! The decision step of one door: reads and key presses in, verdicts out, with the
//! state two-factor doors and keypads need between reports.
//!
//! Owns [`DoorReader`]: the door's PIN entry ([`PinEntry`]) and the factor held while
//! a door that requires two waits for the other ([`SECOND_FACTOR_TIMEOUT`]): a card
//! at a `require badge pin` door is held until a PIN completes it, or a PIN until a
//! card does, in either order; when the wait runs out, the held factor is refused and
//! logged as `second_factor_required`. Every PIN goes through the door's
//! [`KeypadGuard`] first: refused unread while its reader's keypad is locked; one the
//! engine does not know is tried as an offline code of the door, else counted as a
//! wrong entry, and the fifth locks the keypad (a `keypad_lockout` verdict).
//! At a reader an anti-passback zone lists, the occupant's presence is asked of the
//! [`PresenceStore`] each call is given, and the passage let through recorded there.
//! Sans-io: every call is given the instant ([`Now`]) and the store; nothing here
//! reads a clock, touches a bus or a journal.

use std::time::Duration;

use accessctl_core::offline::Unknown;
use accessctl_core::secret::Key;
use accessctl_core::{Decision, Timestamp};

use crate::actions;
use crate::door::DoorContext;
use crate::guard::KeypadGuard;
use crate::journal::EventKind;
use crate::keypad::{Pin, PinEntry};
use crate::presence::PresenceStore;
use crate::query::QueryPolicy;
use crate::read::CardRead;
use crate::verdict::{self, event_of, Credentials, Factor, Outcome, Verdict};

/// How long a door requiring two factors waits for the second.
pub const SECOND_FACTOR_TIMEOUT: Duration = Duration::from_secs(10);

/// The instant of a step: the wall clock for decisions, the monotonic clock for waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    /// Seconds since the epoch, as decisions take them.
    pub wall: Timestamp,
    /// For timeouts.
    pub mono: std::time::Instant,
}

/// A factor held for a door requiring two.
#[derive(Debug)]
struct Held {
    card: Option<(u64, String)>,
    pin: Option<Pin>,
    reader: u8,
    until: std::time::Instant,
    decision: Decision,
}

/// One door's decision step.
#[derive(Debug)]
pub struct DoorReader {
    door: DoorContext,
    keypad: PinEntry,
    keypad_reader: u8,
    held: Option<Held>,
    guard: KeypadGuard,
}

impl DoorReader {
    /// A door with nothing typed and nothing held, whose keypads take no offline code.
    pub fn new(door: DoorContext) -> DoorReader {
        DoorReader::guarded(door, KeypadGuard::new(None))
    }

    /// A door with nothing typed and nothing held, its keypads behind `guard`.
    pub fn guarded(door: DoorContext, guard: KeypadGuard) -> DoorReader {
        DoorReader {
            door,
            keypad: PinEntry::new(),
            keypad_reader: 0,
            held: None,
            guard,
        }
    }

    /// The guard of the door's keypads.
    pub fn guard(&self) -> &KeypadGuard {
        &self.guard
    }

    /// The guard's memory, when it changed since the last call: due to be kept.
    pub fn keypad_memory_due(&mut self) -> Option<String> {
        self.guard.take_changed().then(|| self.guard.memory())
    }

    /// The door as the current policy sees it.
    pub fn door(&self) -> &DoorContext {
        &self.door
    }

    /// The door under a new policy, its offline codes under `code_key`; a held factor
    /// and a PIN entry are dropped, the keypads' wrong entries and used codes kept.
    pub fn set_door(&mut self, door: DoorContext, code_key: Option<Key>) {
        *self = DoorReader::guarded(door, self.guard.rekeyed(code_key));
    }

    /// A card read by reader `reader` of the door's PD.
    pub fn card(
        &mut self,
        policy: &QueryPolicy,
        reader: u8,
        read: &CardRead,
        now: Now,
        presence: &mut dyn PresenceStore,
    ) -> Vec<Verdict> {
        let mut verdicts = self.tick(policy, now, presence);
        let (number, shown) = match read {
            CardRead::Number { number, shown } => (*number, shown.as_str()),
            CardRead::BadParity { detail } => {
                let kind = EventKind::BadParity;
                verdicts.push(verdict::unreadable(
                    &self.door, reader, kind, detail, now.wall,
                ));
                return verdicts;
            }
            CardRead::Unreadable { detail } => {
                let kind = EventKind::UnreadableCard;
                let detail = format!("unreadable card: {detail}");
                verdicts.push(verdict::unreadable(
                    &self.door, reader, kind, &detail, now.wall,
                ));
                return verdicts;
            }
        };
        let held_pin = match self.held.take() {
            Some(Held {
                pin: Some(pin),
                card: None,
                ..
            }) => Some(pin),
            Some(other) => {
                verdicts.push(self.abandon(policy, other, now));
                None
            }
            None => None,
        };
        let credentials = Credentials {
            card: Some((number, shown)),
            pin: held_pin.as_ref(),
            newest: Factor::Card,
        };
        let verdict = verdict::present(policy, &self.door, reader, credentials, now.wall, presence);
        self.hold_if_awaiting(
            &verdict,
            Some((number, shown.to_owned())),
            None,
            reader,
            now,
        );
        verdicts.push(verdict);
        verdicts
    }

    /// Keys pressed on reader `reader`'s keypad.
    pub fn keys(
        &mut self,
        policy: &QueryPolicy,
        reader: u8,
        keys: &[u8],
        now: Now,
        presence: &mut dyn PresenceStore,
    ) -> Vec<Verdict> {
        let mut verdicts = self.tick(policy, now, presence);
        self.keypad_reader = reader;
        for pin in self.keypad.keys(keys, now.mono) {
            verdicts.extend(self.pin(policy, reader, pin, now, presence));
        }
        verdicts
    }

    /// Ends what waited too long at `now`: a PIN entry (presented as typed) and a
    /// held factor (refused).
    pub fn tick(
        &mut self,
        policy: &QueryPolicy,
        now: Now,
        presence: &mut dyn PresenceStore,
    ) -> Vec<Verdict> {
        let mut verdicts = Vec::new();
        if self
            .held
            .as_ref()
            .is_some_and(|held| now.mono >= held.until)
        {
            if let Some(held) = self.held.take() {
                verdicts.push(self.abandon(policy, held, now));
            }
        }
        if let Some(pin) = self.keypad.expire(now.mono) {
            let reader = self.keypad_reader;
            verdicts.extend(self.pin(policy, reader, pin, now, presence));
        }
        verdicts
    }

    /// When [`DoorReader::tick`] next has something to do.
    pub fn next_deadline(&self) -> Option<std::time::Instant> {
        let held = self.held.as_ref().map(|held| held.until);
        match (held, self.keypad.deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// A completed PIN.
    fn pin(
        &mut self,
        policy: &QueryPolicy,
        reader: u8,
        pin: Pin,
        now: Now,
        presence: &mut dyn PresenceStore,
    ) -> Vec<Verdict> {
        if self.guard.admit(reader, now.wall).is_err() {
            return vec![verdict::locked_out(reader)];
        }
        let mut verdicts = Vec::new();
        let held_card = match self.held.take() {
            Some(Held {
                card: Some(card),
                pin: None,
                ..
            }) => Some(card),
            Some(other) => {
                verdicts.push(self.abandon(policy, other, now));
                None
            }
            None => None,
        };
        let credentials = Credentials {
            card: held_card.as_ref().map(|(n, s)| (*n, s.as_str())),
            pin: Some(&pin),
            newest: Factor::Pin,
        };
        let verdict = verdict::present(policy, &self.door, reader, credentials, now.wall, presence);
        let judged = match (verdict.outcome, verdict.decision) {
            (Outcome::Denied, Some(decision)) => {
                let card_held = held_card.is_some();
                self.guard
                    .judge(reader, decision.reason, &pin, card_held, now.wall)
            }
            _ => Unknown::Stands,
        };
        self.hold_if_awaiting(&verdict, None, Some(pin), reader, now);
        verdicts.extend(self.guarded_verdict(verdict, judged, reader, now.wall));
        verdicts
    }

    /// The verdicts of a PIN once the guard judged it: the engine's, an offline code's,
    /// or a wrong entry's with the lockout it began.
    fn guarded_verdict(
        &self,
        verdict: Verdict,
        judged: Unknown,
        reader: u8,
        at: Timestamp,
    ) -> Vec<Verdict> {
        let code =
            |accepted, detail| verdict::offline_code(&self.door, reader, accepted, detail, at);
        match judged {
            Unknown::Stands | Unknown::Wrong { locked_until: None } => vec![verdict],
            Unknown::Code(window) => vec![code(true, code_words(window))],
            Unknown::CodeRefused(refusal) => {
                vec![code(false, format!("offline code refused: {refusal}"))]
            }
            Unknown::Wrong {
                locked_until: Some(until),
            } => {
                let strikes = self.guard.strikes(reader);
                let detail = format!(
                    "{strikes} wrong entries at reader {reader}: its keypad reads nothing until {}",
                    crate::offline::utc(until)
                );
                vec![verdict, verdict::keypad_locked(&self.door, detail, at)]
            }
        }
    }

    fn hold_if_awaiting(
        &mut self,
        verdict: &Verdict,
        card: Option<(u64, String)>,
        pin: Option<Pin>,
        reader: u8,
        now: Now,
    ) {
        if let (Outcome::AwaitingFactor, Some(decision)) = (verdict.outcome, verdict.decision) {
            self.held = Some(Held {
                card,
                pin,
                reader,
                until: now.mono + SECOND_FACTOR_TIMEOUT,
                decision,
            });
        }
    }

    /// A held factor whose other never came: refused, `second_factor_required`.
    fn abandon(&self, policy: &QueryPolicy, held: Held, now: Now) -> Verdict {
        let mut event = event_of(&policy.policy, &self.door, &held.decision, now.wall);
        event.medium = Some(verdict::medium_of(
            held.card.is_some(),
            held.decision.holder,
        ));
        Verdict {
            outcome: Outcome::Denied,
            decision: Some(held.decision),
            commands: actions::refuse(held.reader),
            event: Some(event),
        }
    }
}

/// An accepted offline code in words: its use and window, never its digits.
fn code_words(window: accessctl_core::offline::code::CodeWindow) -> String {
    let used = if window.once {
        "one-time"
    } else {
        "repeatable"
    };
    format!(
        "{used} offline code, valid from {} to {}",
        crate::offline::utc(window.start),
        crate::offline::utc(window.end)
    )
}
