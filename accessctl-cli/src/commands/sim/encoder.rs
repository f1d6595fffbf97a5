//! `accessctl sim encoder`: a PN532 with a simulated card in its field, on a
//! pseudo-terminal, for `accessctl encoder …` and for libnfc's tools.
//!
//! Owns the simulator's run: the card (blank, or read from `--state`), the
//! pseudo-terminal whose path it prints, the loop that hands bytes to
//! `accessctl_devices::pn532::sim::SimPn532` and its answers back, the `remove` and
//! `present` lines of standard input, and the state file, written atomically (mode
//! 0600) after each change of the card's memory. It must never decide anything about
//! the card's contents: the simulated card's rules are the devices crate's.

use std::fs;
use std::io;
use std::path::Path;
use std::sync::mpsc::TryRecvError;
use std::time::{Duration, Instant};

use accessctl_devices::card_io::CardType;
use accessctl_devices::pn532::sim::card::{default_uid, CardStateError, SimCard, UidLengthError};
use accessctl_devices::pn532::sim::SimPn532;
use accessctl_devices::transport::{Transport, TransportError};
use serde::Serialize;
use thiserror::Error;

use super::{stdin_lines, SimError};
use crate::args::{Format, SimEncoderArgs};
use crate::atomic::{self, EditError, Existing};
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
use crate::load::display;
use crate::render::json::SCHEMA_VERSION;

/// How long one turn of the loop waits for bytes.
const TURN: Duration = Duration::from_millis(5);

/// The baud rate the simulator says it speaks (a pseudo-terminal ignores it).
const BAUD: u32 = 115_200;

/// Why the simulated encoder cannot start or keep its card.
#[derive(Debug, Error)]
pub enum EncoderSimError {
    /// The UID does not fit the card type.
    #[error(transparent)]
    Uid(#[from] UidLengthError),
    /// The state file cannot be read.
    #[error("cannot read the card state `{path}`: {source}")]
    Read {
        /// The file.
        path: String,
        /// What the system said.
        source: io::Error,
    },
    /// The state file is not a simulated card.
    #[error("`{path}` is not a simulated card's state: {source}")]
    Malformed {
        /// The file.
        path: String,
        /// What is wrong.
        source: CardStateError,
    },
    /// The state file holds another card than --card or --uid say.
    #[error("`{path}` holds a {found}, not what --card or --uid say ({asked})")]
    Mismatch {
        /// The file.
        path: String,
        /// The card in the file.
        found: String,
        /// The card asked for.
        asked: String,
    },
    /// The state file cannot be written.
    #[error(transparent)]
    Write(#[from] EditError),
    /// No pseudo-terminal.
    #[error("cannot open a pseudo-terminal: {0}")]
    Pty(TransportError),
}

impl EncoderSimError {
    /// The stable `kind` of the error in JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            EncoderSimError::Uid(_) => "invalid_uid",
            EncoderSimError::Read { .. } => "unreadable",
            EncoderSimError::Malformed { .. } | EncoderSimError::Mismatch { .. } => "card_state",
            EncoderSimError::Write(_) => "write_failed",
            EncoderSimError::Pty(_) => "bus_failed",
        }
    }
}

/// One line of the simulator's output.
#[derive(Debug, Serialize)]
struct Event {
    version: u32,
    /// `listening`, `removed`, `present`, `stopped`.
    event: &'static str,
    /// The `--port` to give `accessctl encoder`.
    port: String,
    card: CardType,
    /// The UID, hexadecimal.
    uid: String,
    present: bool,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The card to simulate: the state file's when it exists, else a blank one.
fn load_card(args: &SimEncoderArgs) -> Result<SimCard, EncoderSimError> {
    let card_type = args.card.unwrap_or(CardType::Classic1k);
    if let Some(path) = &args.state {
        match fs::read(path) {
            Ok(bytes) => {
                let card =
                    SimCard::from_state(&bytes).map_err(|source| EncoderSimError::Malformed {
                        path: display(path),
                        source,
                    })?;
                let type_differs = args.card.is_some_and(|t| t != card.card_type());
                let uid_differs = args.uid.as_ref().is_some_and(|uid| uid.0 != card.uid());
                if type_differs || uid_differs {
                    return Err(EncoderSimError::Mismatch {
                        path: display(path),
                        found: card.to_string(),
                        asked: format!(
                            "{} UID {}",
                            args.card.unwrap_or(card.card_type()),
                            hex(args.uid.as_ref().map_or(card.uid(), |uid| uid.0.as_slice()))
                        ),
                    });
                }
                return Ok(card);
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(EncoderSimError::Read {
                    path: display(path),
                    source,
                })
            }
        }
    }
    let uid = args
        .uid
        .as_ref()
        .map_or_else(|| default_uid(card_type), |uid| uid.0.clone());
    Ok(SimCard::blank(card_type, &uid)?)
}

fn save(path: &Path, card: &SimCard) -> Result<(), EncoderSimError> {
    atomic::write(path, &card.to_state(), 0o600, Existing::Replace)?;
    Ok(())
}

/// Runs `sim encoder`.
pub fn run(args: &SimEncoderArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let mut card = load_card(args).map_err(SimError::from)?;
    card.set_present(!args.absent);
    card.remove_after(args.remove_after);
    if let Some(path) = &args.state {
        if !path.exists() {
            save(path, &card).map_err(SimError::from)?;
        }
    }
    let (mut transport, peer) = accessctl_devices::transport::serial::pseudo_terminal(BAUD)
        .map_err(|e| SimError::from(EncoderSimError::Pty(e)))?;
    let mut device = SimPn532::new(card);
    let port = format!("serial:{}", peer.path());
    let event = |device: &SimPn532, event: &'static str| Event {
        version: SCHEMA_VERSION,
        event,
        port: port.clone(),
        card: device.card().card_type(),
        uid: hex(device.card().uid()),
        present: device.card().is_present(),
    };
    let print = |console: &mut Console<'_>, event: Event| -> io::Result<()> {
        let line = match args.format.value {
            Format::Json => serde_json::to_string(&event).unwrap_or_default(),
            Format::Human => match event.event {
                "listening" => format!(
                    "PN532 simulator with a {} (UID {}) {}: use --port {}",
                    event.card,
                    event.uid,
                    if event.present {
                        "in its field"
                    } else {
                        "out of its field"
                    },
                    event.port
                ),
                "removed" => "the card left the field".to_owned(),
                "present" => "the card is in the field".to_owned(),
                other => other.to_owned(),
            },
        };
        console.out.write_all(format!("{line}\n").as_bytes())?;
        console.out.flush()
    };
    print(console, event(&device, "listening"))?;
    let lines = stdin_lines();
    let mut stdin_open = true;
    let deadline = args
        .timeout
        .map(|s| Instant::now() + Duration::from_secs(s));
    let mut saved = device.card().memory().to_vec();
    let mut buf = [0u8; 1024];
    loop {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let count = transport.receive(&mut buf, TURN).map_err(SimError::from)?;
        let now = Instant::now();
        if let Some(reply) = device.handle_input(buf.get(..count).unwrap_or_default(), now) {
            transport.send(&reply).map_err(SimError::from)?;
        }
        if let Some(reply) = device.poll(now) {
            transport.send(&reply).map_err(SimError::from)?;
        }
        if let Some(path) = &args.state {
            if device.card().memory() != saved.as_slice() {
                save(path, device.card()).map_err(SimError::from)?;
                saved = device.card().memory().to_vec();
            }
        }
        while stdin_open {
            match lines.try_recv() {
                Ok(Ok(line)) => match line.trim() {
                    "remove" => {
                        device.card_mut().set_present(false);
                        print(console, event(&device, "removed"))?;
                    }
                    "present" => {
                        device.card_mut().set_present(true);
                        print(console, event(&device, "present"))?;
                    }
                    _ => {}
                },
                Ok(Err(_)) | Err(TryRecvError::Disconnected) => {
                    stdin_open = false;
                    // Standard input ended: with no --timeout, run until interrupted.
                }
                Err(TryRecvError::Empty) => break,
            }
        }
    }
    print(console, event(&device, "stopped"))?;
    drop(peer);
    Ok(Exit::Success)
}
