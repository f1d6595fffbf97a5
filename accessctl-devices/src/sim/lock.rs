//! The simulated offline lock: an OSDP peripheral device with a reader, a strike and a
//! lock memory image, which decides alone when its control panel is gone.
//!
//! Owns [`SimLock`]: while its control panel talks to it, a presentation is reported
//! (`osdp_RAW` or `osdp_KEYPAD`) and the control panel's `osdp_OUT`, `osdp_LED` and
//! `osdp_BUZ` are obeyed ([`LockEvent::ControlPanel`]); once the control panel has been
//! silent past the offline timeout, the lock reads the card with the Wiegand formats it
//! accepts and decides from its image with the core's offline evaluator
//! ([`AloneDecision`]). An image arriving by `osdp_FILETRANSFER` replaces the one in
//! force only when the lock key authenticates it and it is not older
//! ([`ImageRefusal`] otherwise; the old image is kept). Every decision taken alone is
//! kept in its [`AuditTrail`]; when its control panel is back, the trail is queued as
//! `osdp_MFGREP` reports, one record per reply on `osdp_POLL` (see
//! [`audit`](super::audit)). The lock judges each image
//! before its control panel hears the file processed, so a refused image ends the
//! transfer with "unrecognized file contents" rather than a confirmation.
//!
//! Sans-io: bytes and instants come in, reply bytes and events go out. It must never
//! decide while its control panel is online, accept an image its key does not
//! authenticate, show its key, or print a PIN.

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use accessctl_core::offline::{
    DecodeError, ImageSummary, KeypadMemory, KeypadOutcome, LockDecision, LockImage, LockKeypad,
};
use accessctl_core::secret::Key;
use accessctl_core::{Presented, Reason, Timestamp};
use thiserror::Error;

use super::audit::{AuditCredential, AuditRecord, AuditTrail};
use super::presentation::Presentation;
use super::response::ControlPanelResponse;
use super::setup::SIM_VENDOR;
use super::Entropy;
use crate::osdp::peripheral::{PeripheralDevice, PeripheralEvent, PeripheralSetup, Report};
use crate::osdp::secure::Scbk;
use crate::osdp::{Address, Manufacturer};
use crate::wiegand::{self, Card, Format, WiegandError};

/// The reader number a simulated device reports its presentations on.
pub const READER: u8 = 0;

/// What a simulated lock is: its OSDP setup, its key, what it reads, how it times out.
#[derive(Debug, Clone)]
pub struct SimLockSetup {
    /// Address, identity, capabilities, secure channel key.
    pub peripheral: PeripheralSetup,
    /// The lock key that authenticates its images (`accessctl_core::offline::lock_key`).
    pub lock_key: Key,
    /// The Wiegand formats its reader accepts, in order of preference.
    pub formats: Vec<Format>,
    /// How long its control panel may stay silent before it decides alone.
    pub offline_after: Duration,
    /// Its door's offline-code key (`accessctl_core::offline::code::door_code_key`):
    /// with it, the lock accepts the door's offline codes.
    pub code_key: Option<Key>,
}

/// Why an image sent to the lock was refused; the image in force stays.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImageRefusal {
    /// Not an image, or not authenticated by this lock's key.
    #[error("not an image for this lock: {0}")]
    NotAnImage(#[from] DecodeError),
    /// Issued before the image in force: replaying it would bring back what was
    /// revoked since.
    #[error("issued at {offered}, before the image in force (issued at {in_force})")]
    Older {
        /// Issue instant of the image in force, seconds since the epoch.
        in_force: i64,
        /// Issue instant of the image refused.
        offered: i64,
    },
}

/// Something the lock did or learnt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockEvent {
    /// Its control panel talks to it (again).
    Online {
        /// Whether through a secure channel.
        secure: bool,
    },
    /// Its control panel stopped talking to it.
    Offline,
    /// Its control panel switched the strike, an LED or the buzzer.
    ControlPanel(ControlPanelResponse),
    /// A new image is in force.
    ImageReplaced(ImageSummary),
    /// An image was refused; the one in force stays.
    ImageRefused(ImageRefusal),
    /// A new secure channel key (from `osdp_KEYSET`), to persist. Prints redacted.
    KeySet(Scbk),
    /// Wrong entries locked the keypad, deciding alone, until then.
    KeypadLocked {
        /// When entries are read again.
        until: Timestamp,
    },
}

/// The credential the lock read from a presentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A card of one of its formats.
    Card(Card),
    /// A PIN (its digits never kept).
    Pin,
}

impl fmt::Display for Credential {
    /// `card 1:1 (h10301)` or `PIN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Card(card) => write!(f, "card {card} ({})", card.format().name()),
            Credential::Pin => f.write_str("PIN"),
        }
    }
}

/// What the lock decided alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AloneDecision {
    /// Its image decided a card.
    Decided {
        /// What it read.
        credential: Credential,
        /// The evaluator's decision.
        decision: LockDecision,
    },
    /// Its keypad read an entry: a PIN or space code the image decided, an offline
    /// code, a wrong entry, or nothing while locked out.
    Keypad(KeypadOutcome),
    /// The card's bits read as none of its formats (bad parity, unknown length):
    /// refused.
    Unreadable(WiegandError),
    /// It holds no image: it refuses every card.
    NoImage(Credential),
}

impl AloneDecision {
    /// Whether the door opened.
    pub fn allowed(&self) -> bool {
        match self {
            AloneDecision::Decided { decision, .. } => decision.allowed(),
            AloneDecision::Keypad(outcome) => outcome.allowed(),
            _ => false,
        }
    }

    /// The stable code of the reason: the engine's (`granted`, `unknown_credential`,
    /// …), the keypad's (`offline_code`, `locked_out`, a code's refusal such as
    /// `already_used`), `unreadable_card` or `no_image`.
    pub fn code(&self) -> &'static str {
        match self {
            AloneDecision::Decided { decision, .. } => decision.reason.code(),
            AloneDecision::Keypad(outcome) => outcome.code(),
            AloneDecision::Unreadable(_) => "unreadable_card",
            AloneDecision::NoImage(_) => "no_image",
        }
    }

    /// The engine's reason, when the image decided.
    pub fn reason(&self) -> Option<Reason> {
        match self {
            AloneDecision::Decided { decision, .. } => Some(decision.reason),
            AloneDecision::Keypad(KeypadOutcome::Decided(decision)) => Some(decision.reason),
            AloneDecision::Keypad(KeypadOutcome::Wrong { .. }) => Some(Reason::UnknownCredential),
            _ => None,
        }
    }
}

impl fmt::Display for AloneDecision {
    /// `card 1:1 (h10301): opened (granted)`, `card (26 bits): refused (unreadable_card:
    /// …)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.allowed() { "opened" } else { "refused" };
        match self {
            AloneDecision::Decided { credential, .. } | AloneDecision::NoImage(credential) => {
                write!(f, "{credential}: {verdict} ({})", self.code())
            }
            AloneDecision::Unreadable(error) => {
                write!(f, "card: {verdict} ({}: {error})", self.code())
            }
            AloneDecision::Keypad(KeypadOutcome::LockedOut { .. }) => {
                f.write_str("PIN: refused unread (locked_out)")
            }
            AloneDecision::Keypad(outcome) => {
                let what = match outcome {
                    KeypadOutcome::Code(_) | KeypadOutcome::CodeRefused(_) => "offline code",
                    _ => "PIN",
                };
                write!(f, "{what}: {verdict} ({})", self.code())?;
                match outcome.locked_until() {
                    Some(_) => f.write_str(", the keypad locks"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// What became of a presentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockOutcome {
    /// The control panel is online: reported to it, which decides (its answer comes as
    /// [`LockEvent::ControlPanel`]).
    Reported,
    /// The control panel is gone: the lock decided alone.
    Alone(AloneDecision),
}

/// A simulated lock, as the [`sim`](crate::sim) module describes it: an OSDP peripheral
/// device that reports while its control panel is online and decides alone from its
/// image once the control panel is gone.
pub struct SimLock {
    device: PeripheralDevice,
    lock_key: Key,
    image: Option<LockImage>,
    formats: Vec<Format>,
    keypad: LockKeypad,
    events: VecDeque<LockEvent>,
    audit: AuditTrail,
}

impl SimLock {
    /// A lock with `image` (already authenticated, or none yet) and the device's
    /// entropy source for the secure channel.
    pub fn new(setup: SimLockSetup, image: Option<LockImage>, entropy: Entropy) -> SimLock {
        let mut device = PeripheralDevice::new(setup.peripheral, entropy);
        device.set_offline_after(setup.offline_after);
        device.set_judge_files(true);
        SimLock {
            device,
            lock_key: setup.lock_key,
            image,
            formats: setup.formats,
            keypad: LockKeypad::new(setup.code_key),
            events: VecDeque::new(),
            audit: AuditTrail::default(),
        }
    }

    /// Bytes from the bus at `now`; returns the reply to send, if any.
    pub fn handle_input(&mut self, bytes: &[u8], now: std::time::Instant) -> Option<Vec<u8>> {
        let reply = self.device.handle_input(bytes, now);
        while let Some(event) = self.device.next_event() {
            self.obey(event);
        }
        reply
    }

    /// Lets time pass at `now`: the control panel may be declared gone.
    pub fn handle_timeout(&mut self, now: std::time::Instant) {
        self.device.handle_timeout(now);
        while let Some(event) = self.device.next_event() {
            self.obey(event);
        }
    }

    /// A card or PIN presented at `now` (monotonic, for the link) and `at` (the lock's
    /// clock, for the image): reported while the control panel is online, else decided
    /// alone and kept in the audit trail.
    pub fn present(
        &mut self,
        presentation: &Presentation,
        now: std::time::Instant,
        at: Timestamp,
    ) -> LockOutcome {
        self.handle_timeout(now);
        if self.device.is_online(now) {
            self.device.report(presentation.report(READER));
            return LockOutcome::Reported;
        }
        let decision = self.decide_alone(presentation, at);
        // Entries refused unread are not kept: a locked keypad would otherwise let
        // anyone flush the trail of the decisions that matter.
        if !matches!(
            decision,
            AloneDecision::Keypad(KeypadOutcome::LockedOut { .. })
        ) {
            self.audit.push(self.audit_record(&decision, at));
        }
        if let AloneDecision::Keypad(outcome) = &decision {
            if let Some(until) = outcome.locked_until() {
                self.audit.push(lockout_record(at, self.image_issued()));
                self.events.push_back(LockEvent::KeypadLocked { until });
            }
        }
        LockOutcome::Alone(decision)
    }

    /// What the keypad must keep across a restart: wrong entries, lockout, one-time
    /// codes used. The caller keeps it in the lock's persistent memory after every
    /// keypad entry decided alone.
    pub fn keypad_memory(&self) -> KeypadMemory {
        self.keypad.memory()
    }

    /// Takes back the keypad's memory after a restart.
    pub fn restore_keypad(&mut self, memory: KeypadMemory, code_key: Option<Key>) {
        self.keypad = LockKeypad::restored(code_key, memory);
    }

    /// The issue instant of the image in force, if any.
    fn image_issued(&self) -> Option<Timestamp> {
        self.image.as_ref().map(|image| image.contents().issued)
    }

    /// The audit record of `decision`, taken alone at `at`: no PIN, no code.
    fn audit_record(&self, decision: &AloneDecision, at: Timestamp) -> AuditRecord {
        let read = |credential: &Credential| match credential {
            Credential::Card(_) => AuditCredential::Card,
            Credential::Pin => AuditCredential::Pin,
        };
        let (credential, holder) = match decision {
            AloneDecision::Decided {
                credential,
                decision,
            } => (read(credential), decision.holder),
            AloneDecision::Keypad(KeypadOutcome::Decided(decision)) => {
                (AuditCredential::Pin, decision.holder)
            }
            AloneDecision::Keypad(_) => (AuditCredential::Pin, None),
            AloneDecision::NoImage(credential) => (read(credential), None),
            AloneDecision::Unreadable(_) => (AuditCredential::UnreadableCard, None),
        };
        AuditRecord {
            at,
            allowed: decision.allowed(),
            reason: decision.code().to_owned(),
            holder,
            credential,
            image_issued: self.image_issued(),
            dropped_before: 0,
        }
    }

    /// The decisions taken alone that wait for the control panel.
    pub fn audit_trail(&self) -> &AuditTrail {
        &self.audit
    }

    /// Queues the audit trail for the control panel, one `osdp_MFGREP` per record.
    fn upload_audit(&mut self) {
        for record in self.audit.take_all() {
            self.device.report(Report::Manufacturer(Manufacturer {
                vendor: SIM_VENDOR,
                data: record.encode(),
            }));
        }
    }

    /// What the lock decides alone for `presentation` at `at`: a card from its image,
    /// a keypad entry through its keypad's lockout.
    pub fn decide_alone(&mut self, presentation: &Presentation, at: Timestamp) -> AloneDecision {
        let (credential, presented) = match presentation {
            Presentation::Card(bits) => match wiegand::detect(bits, &self.formats) {
                Ok(card) => (
                    Credential::Card(card),
                    Presented {
                        card: Some(card.policy_number()),
                        ..Presented::default()
                    },
                ),
                Err(error) => return AloneDecision::Unreadable(error),
            },
            Presentation::Pin(pin) => {
                let outcome = self.keypad.enter(self.image.as_ref(), pin.expose(), at);
                return AloneDecision::Keypad(outcome);
            }
        };
        match &self.image {
            Some(image) => AloneDecision::Decided {
                credential,
                decision: image.decide(&presented, at),
            },
            None => AloneDecision::NoImage(credential),
        }
    }

    /// Whether its control panel talked to it within the offline timeout.
    pub fn is_online(&self, now: std::time::Instant) -> bool {
        self.device.is_online(now)
    }

    /// The address it answers to.
    pub fn address(&self) -> Address {
        self.device.address()
    }

    /// The image in force, if any.
    pub fn image(&self) -> Option<&LockImage> {
        self.image.as_ref()
    }

    /// The next thing it did or learnt.
    pub fn next_event(&mut self) -> Option<LockEvent> {
        self.events.pop_front()
    }

    /// Carries out one event of the peripheral device.
    fn obey(&mut self, event: PeripheralEvent) {
        let mut response = ControlPanelResponse::default();
        if response.record(&event) {
            self.events.push_back(LockEvent::ControlPanel(response));
            return;
        }
        let translated = match event {
            PeripheralEvent::Online { secure } => {
                self.upload_audit();
                LockEvent::Online { secure }
            }
            PeripheralEvent::Offline => LockEvent::Offline,
            PeripheralEvent::FileReceived { contents, .. } => {
                let replaced = self.replace_image(&contents);
                // The control panel learns the verdict from its next fragment.
                self.device.judge_file(replaced.is_ok());
                match replaced {
                    Ok(summary) => LockEvent::ImageReplaced(summary),
                    Err(refusal) => LockEvent::ImageRefused(refusal),
                }
            }
            PeripheralEvent::KeySet(key) => LockEvent::KeySet(key),
            _ => return,
        };
        self.events.push_back(translated);
    }

    /// Puts `bytes` in force if its key authenticates them and they are not older.
    pub fn replace_image(&mut self, bytes: &[u8]) -> Result<ImageSummary, ImageRefusal> {
        let image = LockImage::decode(bytes, &self.lock_key)?;
        let offered = image.contents().issued;
        if let Some(in_force) = &self.image {
            let in_force = in_force.contents().issued;
            if offered < in_force {
                return Err(ImageRefusal::Older {
                    in_force: in_force.0,
                    offered: offered.0,
                });
            }
        }
        let summary = image.summary();
        self.image = Some(image);
        Ok(summary)
    }
}

/// The audit record of a lockout the keypad began at `at`.
fn lockout_record(at: Timestamp, image_issued: Option<Timestamp>) -> AuditRecord {
    AuditRecord {
        at,
        allowed: false,
        reason: KEYPAD_LOCKOUT.to_owned(),
        holder: None,
        credential: AuditCredential::Pin,
        image_issued,
        dropped_before: 0,
    }
}

/// The reason of the audit record a lock keeps when its keypad locks.
pub const KEYPAD_LOCKOUT: &str = "keypad_lockout";

impl fmt::Debug for SimLock {
    /// The image's door and counts and the formats; never the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimLock")
            .field("image", &self.image)
            .field("formats", &self.formats)
            .finish_non_exhaustive()
    }
}
