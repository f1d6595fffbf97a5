//! What stops the controller or `lock push`: the bus, the control panel's setup, the
//! journal, a door bound twice, a PD that never answers.
//!
//! Owns [`ControllerError`] and its stable `kind` for JSON output. A PD's faults are
//! not errors (they are events: offline, NAK, a failed transfer); neither is a policy
//! edit that does not validate (the previous policy stays in force). No error carries
//! a key or a PIN.

use std::time::Duration;

use accessctl_devices::osdp::control_panel::ControlPanelError;
use accessctl_devices::osdp::Address;
use accessctl_devices::transport::TransportError;
use thiserror::Error;

use crate::journal::{JournalError, OpenJournalError};

/// Why the controller (or `lock push`) cannot go on (exit 2).
#[derive(Debug, Error)]
pub enum ControllerError {
    /// The bus failed, or its peer closed it.
    #[error("bus {0}")]
    Transport(#[from] TransportError),
    /// The control panel refused its setup or a command.
    #[error("control panel: {0}")]
    Panel(#[from] ControlPanelError),
    /// The policy cannot be served, or a bound door is not in it.
    #[error(transparent)]
    Policy(#[from] crate::policy_error::PolicyError),
    /// The event journal failed.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The journal `--journal` names cannot be opened for recording.
    #[error(transparent)]
    OpenJournal(#[from] OpenJournalError),
    /// Two bindings name the same door, or the same address.
    #[error("`--door {binding}`: {problem}")]
    Binding {
        /// The binding as written.
        binding: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// The controller was stepped after its bus failed, before it was opened again
    /// ([`Controller::reconnect`](super::Controller::reconnect)).
    #[error("the bus failed and was not opened again")]
    BusLost,
    /// The keypad memory the journal keeps for a door cannot be read back.
    #[error("the journal's keypad memory of door `{door}` is malformed: {problem}")]
    KeypadMemory {
        /// The door.
        door: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A PD did not come online in time.
    #[error("the PD at address {} did not come online within {} s", address.value(), waited.as_secs())]
    NotOnline {
        /// The PD.
        address: Address,
        /// How long it was given.
        waited: Duration,
    },
}

impl ControllerError {
    /// The stable `kind` of the error in JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            ControllerError::Transport(_) | ControllerError::BusLost => "bus_failed",
            ControllerError::Panel(_) => "bus_setup",
            ControllerError::Journal(_)
            | ControllerError::OpenJournal(OpenJournalError::Journal(_))
            | ControllerError::KeypadMemory { .. } => "journal_failed",
            ControllerError::OpenJournal(OpenJournalError::NoSpool { .. }) => "spool_missing",
            ControllerError::Binding { .. } => "invalid_binding",
            ControllerError::Policy(_) => "invalid_policy",
            ControllerError::NotOnline { .. } => "pd_offline",
        }
    }

    /// How to fix it, when known.
    pub fn help(&self) -> Option<String> {
        match self {
            ControllerError::NotOnline { .. } => Some(
                "check the bus, the PD's address and its key (--install to provision a new PD, \
                 --clear for one without a secure channel)"
                    .into(),
            ),
            ControllerError::OpenJournal(OpenJournalError::NoSpool { .. }) => Some(
                "add `--spool FILE`: this controller's local database, where events wait for PostgreSQL"
                    .into(),
            ),
            _ => None,
        }
    }
}
