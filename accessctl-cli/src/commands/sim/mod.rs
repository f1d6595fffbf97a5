//! `accessctl sim lock` and `accessctl sim reader`: simulated OSDP devices on a real
//! bus, for demos and for testing any control panel.
//!
//! Owns what both share: their errors ([`SimError`]), finding a lock's key in the key
//! store as `lock image` does, the secure channel key given (`channel_key`), the
//! entropy of their secure channel, opening the bus in the background (a `tcp` peer
//! waited for) and reading standard input in the background. `lock` is the lock's
//! loop, `reader` the reader's single presentation. It must never print a key or a
//! PIN, and never decide: the lock's decisions are the core's evaluator's, through
//! `accessctl_devices::sim`.

mod channel_key;
mod encoder;
mod lock;
mod memory;
mod reader;

use std::io::{self, BufRead};
use std::path::Path;
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use accessctl_core::secret::Key;
use accessctl_devices::sim::{Entropy, PresentationError};
use accessctl_devices::transport::{self, Connection, Transport, TransportError};
use thiserror::Error;

use crate::args::{SimArgs, SimCommand};
use crate::console::Console;
use crate::controller::os_entropy;
use crate::error::CliError;
use crate::exit::Exit;
use crate::keystore::{KeyStore, KeystoreError};
use crate::load::display;

/// How long one turn of a device's loop waits for bytes.
const TURN: Duration = Duration::from_millis(20);

/// How long to wait before connecting again after a failure.
const RECONNECT_DELAY: Duration = Duration::from_millis(500);

/// Why a simulated device cannot go on (exit 2).
#[derive(Debug, Error)]
pub enum SimError {
    /// The key store has no key for the door's lock nor for a site.
    #[error(
        "the key store `{store}` holds no key for door `{door}`'s lock (nor for its site `{site}`)"
    )]
    NoKey {
        /// The key store.
        store: String,
        /// The door.
        door: String,
        /// The site looked for.
        site: String,
    },
    /// The key store holds several sites' keys and `--site` was not given.
    #[error(
        "say which site door `{door}` belongs to: the key store holds several sites ({sites})"
    )]
    SiteRequired {
        /// The door.
        door: String,
        /// The sites of the store, comma-separated.
        sites: String,
    },
    /// The secure channel key given (file or environment) will not do.
    #[error(transparent)]
    ChannelKey(#[from] channel_key::ChannelKeyError),
    /// The bus failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// Standard input could not be read.
    #[error("cannot read standard input: {0}")]
    Input(io::Error),
    /// The card, bits or PIN given cannot be presented.
    #[error("cannot present that: {0}")]
    Presentation(#[from] PresentationError),
    /// `demo` has no scripted day for this site.
    #[error("the demo has no scripted day for `{name}`; it ships: {known}")]
    UnknownSite {
        /// The name given.
        name: String,
        /// The sites it ships.
        known: String,
    },
    /// The lock's persistent memory cannot be read or kept.
    #[error(transparent)]
    Memory(#[from] memory::MemoryError),
    /// The simulated encoder's card cannot be made or kept.
    #[error(transparent)]
    Encoder(#[from] encoder::EncoderSimError),
    /// The demo's devices did not all come online.
    #[error("the demo's devices did not all come online (online: {online})")]
    NotOnline {
        /// The doors whose device came online.
        online: String,
    },
}

impl SimError {
    /// The stable `kind` of the error in JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            SimError::NoKey { .. } => "missing_key",
            SimError::SiteRequired { .. } => "site_required",
            SimError::ChannelKey(error) => error.kind(),
            SimError::Transport(_) => "bus_failed",
            SimError::Input(_) => "unreadable",
            SimError::Presentation(_) => "invalid_presentation",
            SimError::UnknownSite { .. } => "unknown_site",
            SimError::NotOnline { .. } => "not_online",
            SimError::Memory(_) => "lock_memory",
            SimError::Encoder(error) => error.kind(),
        }
    }

    /// How to fix it, when known.
    pub fn help(&self) -> Option<String> {
        match self {
            SimError::SiteRequired { .. } => Some("pass --site SITE".into()),
            SimError::NoKey { .. } => {
                Some("run `accessctl keys init` for the policy, or pass --keystore FILE".into())
            }
            SimError::ChannelKey(error) => error.help(),
            _ => None,
        }
    }
}

/// Runs `sim`.
pub fn run(args: &SimArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    match &args.command {
        SimCommand::Lock(args) => lock::run(args, console),
        SimCommand::Reader(args) => reader::run(args, console),
        SimCommand::Encoder(args) => encoder::run(args, console),
    }
}

/// Random bytes from the operating system for the secure channel (the controller's
/// source).
pub fn entropy() -> Result<Entropy, CliError> {
    os_entropy().map_err(|e| CliError::from(KeystoreError::Entropy(e)))
}

/// The key the lock of `door` derives from: its own in the store, else its site's.
pub fn door_key(
    store: &KeyStore,
    path: &Path,
    door: &str,
    site: Option<&str>,
) -> Result<Key, SimError> {
    if let Some(key) = store.lock_key(door) {
        return Ok(key.clone());
    }
    let site = match site {
        Some(site) => site.to_owned(),
        None => {
            let sites: Vec<&str> = store.sites().collect();
            match sites.as_slice() {
                [only] => (*only).to_owned(),
                _ => {
                    return Err(SimError::SiteRequired {
                        door: door.to_owned(),
                        sites: sites.join(", "),
                    })
                }
            }
        }
    };
    store
        .site_key(&site)
        .cloned()
        .ok_or_else(|| SimError::NoKey {
            store: display(path),
            door: door.to_owned(),
            site,
        })
}

/// Opens `connection` in a thread, so that the caller keeps serving while it waits
/// for a peer; a `tcp` connection is retried until its peer listens.
pub(crate) fn connect(
    connection: &Connection,
) -> Receiver<Result<Box<dyn Transport>, TransportError>> {
    let (sender, receiver) = mpsc::channel();
    let connection = connection.clone();
    thread::spawn(move || loop {
        match transport::open(&connection) {
            Err(_) if matches!(connection, Connection::Tcp { .. }) => {
                thread::sleep(RECONNECT_DELAY);
            }
            result => {
                let _ = sender.send(result);
                return;
            }
        }
    });
    receiver
}

/// The lines of standard input, read in a thread.
pub(crate) fn stdin_lines() -> Receiver<io::Result<String>> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        for line in io::stdin().lock().lines() {
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    receiver
}

#[cfg(test)]
mod tests {
    use super::*;
    use accessctl_core::secret::KEY_LEN;

    fn store(sites: &[&str]) -> KeyStore {
        let mut store = KeyStore::new();
        for (i, site) in sites.iter().enumerate() {
            let byte = u8::try_from(i).unwrap();
            store.set_site_key(site, Key::from_entropy([byte; KEY_LEN]));
        }
        store
    }

    #[test]
    fn the_lock_key_comes_from_the_only_site_or_the_one_named() {
        let path = Path::new("demo.keys");
        let one = store(&["courts"]);
        let key = door_key(&one, path, "court_1", None).unwrap();
        assert_eq!(&key, one.site_key("courts").unwrap());
        let two = store(&["club", "courts"]);
        let named = door_key(&two, path, "court_1", Some("courts")).unwrap();
        assert_eq!(&named, two.site_key("courts").unwrap());
        assert!(matches!(
            door_key(&two, path, "court_1", None),
            Err(SimError::SiteRequired { .. })
        ));
        let missing = door_key(&two, path, "court_1", Some("padel")).unwrap_err();
        assert_eq!(missing.kind(), "missing_key");
        assert!(!format!("{missing:?}").contains("Key("), "no key shown");
    }

    #[test]
    fn a_lock_with_its_own_key_uses_it() {
        let path = Path::new("demo.keys");
        let text = format!(
            "version = 1\n[sites.courts]\nkey = \"{}\"\n[locks.court_1]\nkey = \"{}\"\n",
            "11".repeat(32),
            "22".repeat(32)
        );
        let store = KeyStore::parse(path, &text).unwrap();
        let key = door_key(&store, path, "court_1", None).unwrap();
        assert_eq!(&key, store.lock_key("court_1").unwrap());
        let other = door_key(&store, path, "court_2", None).unwrap();
        assert_eq!(&other, store.site_key("courts").unwrap());
    }
}
