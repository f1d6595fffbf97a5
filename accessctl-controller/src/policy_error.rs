//! Why a policy cannot be served: the files will not read, they do not validate, a
//! name on the command line is not in them, an instant does not exist at a door's
//! site, or a site's key store will not do.
//!
//! Owns [`PolicyError`], what loading a policy from disk and finding its doors and
//! users by name returns. It carries the policy's sources and diagnostics so that the
//! caller can show them; it renders nothing itself, and never holds a key.

use accessctl_core::time::TimestampError;
use accessctl_core::{Diagnostic, Sources};
use thiserror::Error;

use crate::load::LoadError;
use crate::offline::OfflineError;

/// Why a policy, or a name or instant in it, cannot be used.
#[derive(Debug, Error)]
pub enum PolicyError {
    /// A PATH could not be read as a policy.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The policy has errors; its diagnostics say which.
    #[error("the policy `{path}` has {errors} error{} and cannot be queried", if *errors == 1 { "" } else { "s" })]
    InvalidPolicy {
        /// The policy's PATH.
        path: String,
        /// Its files, to show the diagnostics against.
        sources: Box<Sources>,
        /// Every diagnostic found (errors and warnings).
        diagnostics: Vec<Diagnostic>,
        /// How many of them are errors.
        errors: usize,
    },
    /// A door or user name the policy does not have.
    #[error("unknown {kind} `{name}`")]
    UnknownName {
        /// `door` or `user`.
        kind: &'static str,
        /// The name asked for.
        name: String,
        /// The nearest known name, if one is a likely typo.
        suggestion: Option<String>,
    },
    /// An instant that does not exist at the door's site.
    #[error("--at: {0}")]
    Timestamp(#[from] TimestampError),
    /// A site's key store, or what it holds, will not do.
    #[error(transparent)]
    Offline(#[from] OfflineError),
}

impl From<crate::keystore::KeystoreError> for PolicyError {
    fn from(error: crate::keystore::KeystoreError) -> PolicyError {
        PolicyError::Offline(error.into())
    }
}
