//! What the controller tells its operator as it happens: one [`Report`] per decision
//! or bus event, as data for the caller to render (the CLI prints one line each, text
//! for people or one JSON object).
//!
//! Owns the reports' fields (the JSON schema of `docs/cli.md`, `controller run`). It
//! renders nothing, and must never hold a PIN or a key: a PIN nobody holds shows as
//! `unknown_credential`, and only unknown cards show their number.

use std::sync::Arc;

use accessctl_core::{Diagnostic, Reason, Sources};
use serde::Serialize;

use crate::offline::utc;
use crate::verdict::{Outcome, Verdict};

/// One thing the controller did or saw.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Report {
    /// The controller started.
    Started {
        /// When (UTC).
        at: String,
        /// The bus.
        bus: String,
        /// The doors and their PD addresses, `DOOR=ADDRESS`.
        doors: Vec<String>,
        /// `secure`, `install` or `clear`.
        channel: &'static str,
    },
    /// A read at a door was decided (or refused unread).
    Decision {
        /// When (UTC).
        at: String,
        /// The door's site.
        site: String,
        /// The door.
        door: String,
        /// How it ended.
        outcome: Outcome,
        /// The engine's reason, when it was asked.
        reason: Option<Reason>,
        /// The holder's name, when known.
        user: Option<String>,
        /// The number of an unknown card.
        card: Option<String>,
        /// More, for people (a space code, a failed parity check…).
        detail: Option<String>,
    },
    /// A door's PD answers (again).
    ReaderOnline {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
        /// Its PD's address.
        address: u8,
        /// Whether the secure channel is up.
        secure: bool,
    },
    /// A door's PD stopped answering.
    ReaderOffline {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
        /// Its PD's address.
        address: u8,
    },
    /// A door's PD reported its tamper switch.
    Tamper {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
        /// Whether the enclosure is open.
        tamper: bool,
    },
    /// A door's PD reported its power.
    Power {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
        /// Whether power failed.
        failure: bool,
    },
    /// A door's PD cannot be brought online (said once per change of cause), or one of
    /// its reports was refused (a reader it does not declare).
    ReaderFault {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
        /// Its PD's address.
        address: u8,
        /// `wrong_key`, `no_secure_channel`, `bad_capabilities`, `no_answer` or
        /// `undeclared_reader`.
        cause: &'static str,
        /// The cause in words.
        detail: String,
    },
    /// A lock's audit record was not believed, and journaled as refused.
    AuditRefused {
        /// When (UTC), on the controller's clock.
        at: String,
        /// The door.
        door: String,
        /// Its PD's address.
        address: u8,
        /// Why, as a stable code (`not_a_lock`, `in_clear`, `before_image`, …).
        cause: &'static str,
        /// Why, in words.
        detail: String,
    },
    /// In install mode, a PD was given its own secure channel key.
    KeySet {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
    },
    /// A PD refused a command.
    Nak {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
        /// The command's code.
        command: u8,
        /// The PD's reason, in words.
        nak: String,
    },
    /// The policy files changed and the new policy is in force.
    PolicyReloaded {
        /// When (UTC).
        at: String,
        /// The policy's PATH.
        path: String,
    },
    /// The policy files changed but the new policy cannot be used; the previous one
    /// stays in force.
    PolicyRefused {
        /// When (UTC).
        at: String,
        /// The policy's PATH.
        path: String,
        /// Why.
        message: String,
        /// Its sources and diagnostics, when it does not validate (for the caller to
        /// render; not serialized as they are).
        #[serde(skip)]
        diagnosed: Option<Arc<Diagnosed>>,
    },
    /// An offline lock's memory image is being sent.
    ImagePush {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
        /// The image's size.
        bytes: usize,
    },
    /// Part of an image was accepted.
    ImageProgress {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
        /// Bytes accepted so far.
        sent: usize,
        /// The image's size.
        total: usize,
    },
    /// The lock confirmed the whole image.
    ImagePushed {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
    },
    /// The image could not be built or sent.
    ImageFailed {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
        /// Why.
        reason: String,
    },
    /// The bus itself failed (a serial port gone, a TCP peer that closed): its PDs
    /// are offline until it is opened again.
    BusLost {
        /// When (UTC).
        at: String,
        /// The bus, as the command line named it.
        bus: String,
        /// What went wrong.
        problem: String,
    },
    /// The bus is open again after [`Report::BusLost`]; its PDs come back as they
    /// answer.
    BusBack {
        /// When (UTC).
        at: String,
        /// The bus.
        bus: String,
    },
    /// An event could not be written to the journal (the controller goes on).
    JournalFailed {
        /// When (UTC).
        at: String,
        /// Why.
        message: String,
    },
}

/// A policy's files and the diagnostics found in them.
#[derive(Debug, Clone)]
pub struct Diagnosed {
    /// The files, to show the diagnostics against.
    pub sources: Sources,
    /// Every diagnostic found.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// The report of a verdict at `door` of `site`, at `at`. A door waiting for a
    /// second factor shows as [`Outcome::AwaitingFactor`], without a name yet.
    pub fn of_verdict(
        verdict: &Verdict,
        site: &str,
        door: &str,
        at: accessctl_core::Timestamp,
    ) -> Report {
        match &verdict.event {
            Some(event) => Report::Decision {
                at: utc(accessctl_core::Timestamp(event.at)),
                site: event.site.clone(),
                door: event.door.clone(),
                outcome: verdict.outcome,
                reason: event.reason,
                user: event.user.clone(),
                card: event.card.clone(),
                detail: event.detail.clone(),
            },
            None => Report::Decision {
                at: utc(at),
                site: site.to_owned(),
                door: door.to_owned(),
                outcome: verdict.outcome,
                reason: verdict.decision.map(|d| d.reason),
                user: None,
                card: None,
                detail: Some(
                    match verdict.outcome {
                        Outcome::LockedOut => "the keypad is locked after wrong entries",
                        _ => "present the other factor",
                    }
                    .to_owned(),
                ),
            },
        }
    }
}

/// A PD's power report in words: `power failure` or `power restored`.
pub fn power_words(failure: bool) -> &'static str {
    match failure {
        true => "power failure",
        false => "power restored",
    }
}

/// A PD's tamper report in words, as journaled: `enclosure open` or `tamper cleared`.
pub fn tamper_words(tamper: bool) -> &'static str {
    match tamper {
        true => "enclosure open",
        false => "tamper cleared",
    }
}
