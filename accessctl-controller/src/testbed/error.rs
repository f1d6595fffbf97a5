//! Why the test bed cannot set a site's day up or play it.
//!
//! Owns [`TestbedError`]: the policy, the key store, a controller, a device or the
//! machine's loopback network would not do. It renders nothing and carries no key.

use std::io;

use accessctl_core::time::TimestampError;
use accessctl_devices::sim::PresentationError;
use thiserror::Error;

use crate::keystore::KeystoreError;
use crate::offline::OfflineError;
use crate::{ControllerError, PolicyError};

/// Why a scripted day cannot be set up or played.
#[derive(Debug, Error)]
pub enum TestbedError {
    /// The site's policy will not serve.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// A controller could not start or go on.
    #[error(transparent)]
    Controller(#[from] ControllerError),
    /// The key store could not be made or read.
    #[error(transparent)]
    Keystore(#[from] KeystoreError),
    /// A lock image could not be built or read.
    #[error(transparent)]
    Offline(#[from] OfflineError),
    /// A scripted time is not an instant of the site's day.
    #[error("a scripted time: {0}")]
    Timestamp(#[from] TimestampError),
    /// A scripted presentation does not read.
    #[error("cannot present that: {0}")]
    Presentation(#[from] PresentationError),
    /// A scripted number is not a PD address.
    #[error("{0} is not a PD address")]
    Address(u8),
    /// The machine's files or loopback network failed.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The devices did not all come online.
    #[error("the demo's devices did not all come online (online: {online})")]
    NotOnline {
        /// The doors whose device came online.
        online: String,
    },
}
