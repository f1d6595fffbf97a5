//! What stops a command from answering: every such error exits with code 2.
//!
//! Owns the typed errors commands return ([`CliError`]) and their stable `kind` in
//! JSON output. Negative answers (an invalid policy for `validate`, a denial, files to
//! reformat) are not errors: commands report them and exit 1. This module must never
//! print: `lib.rs` renders errors in the format the command was asked for.

use std::io;

use accessctl_core::time::TimestampError;
use thiserror::Error;

use accessctl_controller::keystore::KeystoreError;
use accessctl_controller::testbed::TestbedError;
use accessctl_controller::{ControllerError, PolicyError};

use crate::atomic::EditError;
use crate::load::LoadError;

/// An error that prevents an answer.
#[derive(Debug, Error)]
pub enum CliError {
    /// The policy cannot be served: a PATH that gives no policy, a policy with
    /// errors (its diagnostics say which), a name it does not have, an instant that
    /// does not exist at the door's site, a key store that will not do.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// A file could not be rewritten.
    #[error(transparent)]
    Edit(#[from] EditError),
    /// `user add`, `user set` or `user rm` refused: a name the policy does not have, a
    /// malformed value, a policy with errors.
    #[error(transparent)]
    Refused(accessctl_core::edit::EditRefused),
    /// A policy file changed between the edit's reading and its writing.
    #[error("`{path}` changed since it was read; nothing was written: run the command again")]
    Changed {
        /// The file.
        path: String,
    },
    /// The canonical form of a file would not read back as the same tree (a bug of
    /// the formatter); the file is left as it is.
    #[error("the canonical form of `{path}` would not read back the same; left as it is (please report this bug)")]
    Unformattable {
        /// The file.
        path: String,
    },
    /// The output could not be written (a closed pipe, a full disk).
    #[error("cannot write the output: {0}")]
    Output(#[from] io::Error),
    /// An offline command (`keys`, `codes`, `lock`, `key`) cannot answer: a key store,
    /// an image file, a code or a site that will not do.
    #[error(transparent)]
    Offline(#[from] crate::offline::OfflineError),
    /// A simulated device or the demo cannot go on: its keys, its bus, its input.
    #[error(transparent)]
    Sim(#[from] crate::commands::sim::SimError),
    /// The door controller or `lock push` cannot go on: the bus, the journal, a PD.
    #[error(transparent)]
    Controller(crate::controller::ControllerError),
    /// `journal show` or `journal purge` cannot answer: the file, the window.
    #[error(transparent)]
    Journal(#[from] crate::commands::journal::JournalCommandError),
    /// `zone show` or `zone reset` cannot answer: the journal, its presence store.
    #[error(transparent)]
    Zone(accessctl_controller::zone::ZoneError),
    /// A filter of `user list` or `bulk` names a tag, account or door the policy does
    /// not have, or an account name several sub-accounts share.
    #[error(transparent)]
    Select(#[from] accessctl_core::select::SelectError),
    /// `bulk` did not run its action (no `--yes` off a terminal).
    #[error(transparent)]
    Bulk(#[from] crate::commands::bulk::BulkError),
    /// A `git:REV:PATH` side of `diff` cannot be read.
    #[error(transparent)]
    Git(#[from] crate::commands::diff::GitSideError),
    /// An encoder command cannot answer: the port, the PN532, the card.
    #[error(transparent)]
    Encoder(#[from] crate::commands::encoder::EncoderCommandError),
}

impl CliError {
    /// The stable `kind` of the error in JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            CliError::Policy(PolicyError::Load(_)) => "unreadable",
            CliError::Policy(PolicyError::InvalidPolicy { .. }) => "invalid_policy",
            CliError::Policy(PolicyError::UnknownName { kind: "door", .. }) => "unknown_door",
            CliError::Policy(PolicyError::UnknownName { kind: "zone", .. }) => "unknown_zone",
            CliError::Policy(PolicyError::UnknownName {
                kind: "account", ..
            }) => "unknown_account",
            CliError::Policy(PolicyError::UnknownName { .. }) => "unknown_user",
            CliError::Policy(PolicyError::Timestamp(_)) => "invalid_instant",
            CliError::Policy(PolicyError::Offline(error)) => error.kind(),
            CliError::Edit(_) => "edit_failed",
            CliError::Unformattable { .. } => "format_failed",
            CliError::Output(_) => "output_failed",
            CliError::Offline(error) => error.kind(),
            CliError::Sim(error) => error.kind(),
            CliError::Controller(error) => error.kind(),
            CliError::Journal(error) => error.kind(),
            CliError::Zone(error) => crate::commands::zone::error_kind(error),
            CliError::Select(error) => error.kind(),
            CliError::Refused(error) => error.kind(),
            CliError::Changed { .. } => "file_changed",
            CliError::Bulk(error) => error.kind(),
            CliError::Git(error) => error.kind(),
            CliError::Encoder(error) => error.kind(),
        }
    }

    /// How to fix it, when known.
    pub fn help(&self) -> Option<String> {
        match self {
            CliError::Policy(PolicyError::UnknownName {
                suggestion: Some(s),
                ..
            }) => Some(format!("did you mean `{s}`?")),
            CliError::Policy(PolicyError::InvalidPolicy { path, .. }) => Some(format!(
                "run `accessctl validate {path}` and fix the errors"
            )),
            CliError::Policy(PolicyError::Load(_)) => {
                Some("point the command at a `.acl` file or a directory holding some".into())
            }
            CliError::Policy(PolicyError::Offline(error)) => error.help(),
            CliError::Offline(error) => error.help(),
            CliError::Sim(error) => error.help(),
            CliError::Controller(error) => error.help(),
            CliError::Journal(error) => error.help(),
            CliError::Zone(error) => crate::commands::zone::error_help(error),
            CliError::Select(error) => error.help(),
            CliError::Refused(error) => error.help(),
            CliError::Bulk(error) => error.help(),
            CliError::Git(error) => error.help(),
            CliError::Encoder(error) => error.help(),
            _ => None,
        }
    }

    /// The diagnostic code that goes with the error, if any (`E0705` for a PATH that
    /// gives no policy text).
    pub fn code(&self) -> Option<&'static str> {
        match self {
            CliError::Policy(PolicyError::Load(_)) => Some(accessctl_core::Code::NoPolicy.as_str()),
            _ => None,
        }
    }
}

impl From<LoadError> for CliError {
    fn from(error: LoadError) -> CliError {
        CliError::Policy(PolicyError::Load(error))
    }
}

impl From<TimestampError> for CliError {
    fn from(error: TimestampError) -> CliError {
        CliError::Policy(PolicyError::Timestamp(error))
    }
}

impl From<ControllerError> for CliError {
    /// A controller that could not start on its policy reports it as any command.
    fn from(error: ControllerError) -> CliError {
        match error {
            ControllerError::Policy(error) => CliError::from(error),
            other => CliError::Controller(other),
        }
    }
}

impl From<KeystoreError> for CliError {
    fn from(error: KeystoreError) -> CliError {
        CliError::Offline(error.into())
    }
}

impl From<TestbedError> for CliError {
    /// The test bed's errors as the demo command reports them.
    fn from(error: TestbedError) -> CliError {
        use crate::commands::sim::SimError;
        match error {
            TestbedError::Policy(error) => CliError::from(error),
            TestbedError::Controller(error) => CliError::from(error),
            TestbedError::Keystore(error) => CliError::from(error),
            TestbedError::Offline(error) => CliError::Offline(error),
            TestbedError::Timestamp(error) => CliError::from(error),
            TestbedError::Presentation(error) => CliError::Sim(SimError::Presentation(error)),
            TestbedError::Address(number) => CliError::Sim(SimError::Input(io::Error::other(
                format!("{number} is not a PD address"),
            ))),
            TestbedError::Io(error) => CliError::Output(error),
            TestbedError::NotOnline { online } => CliError::Sim(SimError::NotOnline { online }),
        }
    }
}
