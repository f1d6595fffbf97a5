//! `accessctl sim lock`: a simulated offline lock on a real bus.
//!
//! Owns the lock's set-up (its image authenticated with the lock key from the key
//! store, its secure channel key derived as `controller run` derives it, its clock)
//! and its loop: the bus (a lost connection opened again), presentations read from
//! standard input, and one output line per event. It must never print a key or a PIN,
//! and never decide: the lock's decisions are the core's evaluator's.

use std::io;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant as Monotonic};

use accessctl_core::offline::code::door_code_key;
use accessctl_core::offline::{lock_key, LockImage, UnverifiedImage};
use accessctl_core::time::WrittenTimestamp;
use accessctl_core::Timestamp;
use accessctl_devices::sim::{
    peripheral_setup, ImageRefusal, LockEvent, LockOutcome, Presentation, PresentationError,
    SimKind, SimLink, SimLock, SimLockSetup,
};
use accessctl_devices::transport::Connection;
use accessctl_devices::wiegand::{formats, Format as CardFormat};
use serde::Serialize;

use super::{connect, door_key, entropy, memory, stdin_lines, SimError, TURN};
use crate::args::{Format, SimLockArgs};
use crate::console::Console;
use crate::controller::clock::WallClock;
use crate::controller::scbk::derive_scbk;
use crate::error::CliError;
use crate::exit::Exit;
use crate::keystore::KeyStore;
use crate::load::display;
use crate::offline::{read_image, utc, OfflineError};

/// How long the lock waits, once its input ended, for the answer to a presentation
/// it reported.
const LAST_ANSWER_WAIT: Duration = Duration::from_secs(3);

/// The formats a simulated lock reads unless told: every fixed-length one.
const DEFAULT_FORMATS: [CardFormat; 4] = [
    formats::H10301,
    formats::H10304,
    formats::CORPORATE_1000_35,
    formats::H10306,
];

/// Runs `sim lock`.
pub fn run(args: &SimLockArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let bytes = read_image(&args.image)?;
    let invalid = |source| OfflineError::LockImage {
        path: display(&args.image),
        source,
    };
    let named = UnverifiedImage::read(&bytes)
        .map_err(invalid)?
        .contents()
        .door
        .clone();
    let door = args.door.clone().unwrap_or(named);
    let store = KeyStore::open(&args.keystore)?;
    let door_key =
        door_key(&store, &args.keystore, &door, args.site.as_deref()).map_err(CliError::Sim)?;
    let key = lock_key(&door_key, &door);
    let image = LockImage::decode(&bytes, &key).map_err(invalid)?;
    let scbk = if args.clear || args.install {
        None
    } else {
        let given = super::channel_key::given(args.scbk.as_ref(), args.scbk_file.as_deref())
            .map_err(SimError::from)?;
        Some(given.unwrap_or_else(|| derive_scbk(&door_key, &door)))
    };
    let start = lock_start(args.at.as_ref(), &image)?;
    let formats = if args.card_formats.is_empty() {
        DEFAULT_FORMATS.to_vec()
    } else {
        args.card_formats.clone()
    };
    let code_key = door_code_key(&door_key, &door);
    let setup = SimLockSetup {
        peripheral: peripheral_setup(SimKind::Lock, args.address, scbk, args.install),
        lock_key: key,
        formats,
        offline_after: Duration::from_secs(args.offline_after),
        code_key: Some(code_key.clone()),
    };
    let state = args
        .state
        .clone()
        .unwrap_or_else(|| memory::default_path(&args.image));
    let mut lock = SimLock::new(setup, Some(image), entropy()?);
    lock.restore_keypad(
        memory::load(&state).map_err(SimError::from)?,
        Some(code_key),
    );
    let mut run = LockRun {
        lock,
        state,
        clock: match start {
            Some(start) => WallClock::starting_at(start),
            None => WallClock::System,
        },
        format: args.format.value,
        awaiting: None,
    };
    run.started(args, &door, console)?;
    run.serve(&args.bus, console)?;
    Ok(Exit::Success)
}

/// Where `--at` starts the lock's clock (`None`: the system's clock). A time written
/// without offset is the lock's local time, by the offsets its image carries.
fn lock_start(
    at: Option<&WrittenTimestamp>,
    image: &LockImage,
) -> Result<Option<Timestamp>, CliError> {
    let Some(written) = at else {
        return Ok(None);
    };
    let as_utc = written.resolve(chrono_tz::UTC)?;
    if written.offset.is_some() {
        return Ok(Some(as_utc));
    }
    let offset = i64::from(image.contents().offset_at(as_utc));
    Ok(Some(Timestamp(as_utc.0.saturating_sub(offset))))
}

/// The simulated lock at work.
struct LockRun {
    lock: SimLock,
    /// The lock's persistent memory.
    state: std::path::PathBuf,
    clock: WallClock,
    format: Format,
    /// When a presentation was reported and its answer not yet seen.
    awaiting: Option<Monotonic>,
}

impl LockRun {
    /// Prints what the lock is.
    fn started(
        &self,
        args: &SimLockArgs,
        door: &str,
        console: &mut Console<'_>,
    ) -> Result<(), CliError> {
        let entries = self.lock.image().map_or(0, |i| i.contents().entries());
        let line = LockLine::Started {
            at: self.stamp(),
            door: door.to_owned(),
            address: args.address.value(),
            bus: args.bus.to_string(),
            entries,
        };
        self.print(&line, console)
    }

    /// Serves the bus and standard input until input ends.
    fn serve(&mut self, bus: &Connection, console: &mut Console<'_>) -> Result<(), CliError> {
        let input = stdin_lines();
        let mut connecting = Some(connect(bus));
        let mut link: Option<SimLink> = None;
        let mut input_open = true;
        loop {
            if let Some(pending) = &connecting {
                match pending.try_recv() {
                    Ok(Ok(transport)) => {
                        link = Some(SimLink::new(transport));
                        connecting = None;
                    }
                    Ok(Err(error)) => return Err(SimError::Transport(error).into()),
                    Err(_) => {}
                }
            }
            let lost = match &mut link {
                Some(open) => open.exchange(&mut self.lock, TURN).err(),
                None => {
                    self.lock.handle_timeout(Monotonic::now());
                    None
                }
            };
            if let Some(error) = lost {
                self.print(
                    &LockLine::ConnectionLost {
                        at: self.stamp(),
                        error: error.to_string(),
                    },
                    console,
                )?;
                link = None;
                connecting = Some(connect(bus));
            }
            self.events(console)?;
            if input_open {
                input_open = self.input(&input, link.is_none(), console)?;
            } else if self
                .awaiting
                .is_none_or(|since| since.elapsed() > LAST_ANSWER_WAIT)
            {
                return Ok(());
            }
        }
    }

    /// Takes the lines waiting on standard input; `false` once it ended.
    fn input(
        &mut self,
        input: &Receiver<io::Result<String>>,
        idle: bool,
        console: &mut Console<'_>,
    ) -> Result<bool, CliError> {
        let wait = if idle { TURN } else { Duration::ZERO };
        loop {
            let line = match input.recv_timeout(wait) {
                Ok(line) => line.map_err(|e| CliError::Sim(SimError::Input(e)))?,
                Err(RecvTimeoutError::Timeout) => return Ok(true),
                Err(RecvTimeoutError::Disconnected) => return Ok(false),
            };
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            self.present(&line, console)?;
        }
    }

    /// One line of standard input presented at the lock.
    fn present(&mut self, text: &str, console: &mut Console<'_>) -> Result<(), CliError> {
        let presentation: Presentation = match text.parse() {
            Ok(presentation) => presentation,
            Err(error) => {
                let line = LockLine::Invalid {
                    at: self.stamp(),
                    error: PresentationError::to_string(&error),
                };
                return self.print(&line, console);
            }
        };
        let now = self.clock.now();
        let before = self.lock.keypad_memory();
        let line = match self.lock.present(&presentation, now.mono, now.wall) {
            LockOutcome::Reported => {
                self.awaiting = Some(now.mono);
                LockLine::Reported {
                    at: self.stamp(),
                    presented: presentation.to_string(),
                }
            }
            LockOutcome::Alone(decision) => {
                let after = self.lock.keypad_memory();
                if after != before {
                    memory::save(&self.state, &after).map_err(SimError::from)?;
                }
                LockLine::Decision {
                    at: self.stamp(),
                    alone: true,
                    allowed: decision.allowed(),
                    reason: decision.code(),
                    text: decision.to_string(),
                }
            }
        };
        self.print(&line, console)?;
        self.events(console)
    }

    /// Prints what the lock did or learnt.
    fn events(&mut self, console: &mut Console<'_>) -> Result<(), CliError> {
        while let Some(event) = self.lock.next_event() {
            let at = self.stamp();
            let line = match event {
                LockEvent::Online { secure } => LockLine::Online { at, secure },
                LockEvent::Offline => LockLine::Offline { at },
                LockEvent::ControlPanel(response) => {
                    self.awaiting = None;
                    LockLine::ControlPanel {
                        at,
                        opened: response.opened(),
                        did: response.to_string(),
                    }
                }
                LockEvent::ImageReplaced(summary) => LockLine::ImageReplaced {
                    at,
                    entries: summary.entries,
                },
                LockEvent::ImageRefused(refusal) => LockLine::ImageRefused {
                    at,
                    why: refusal_text(&refusal),
                },
                LockEvent::KeySet(_) => LockLine::KeySet { at },
                LockEvent::KeypadLocked { until } => LockLine::KeypadLocked {
                    at,
                    until: self.local(until),
                },
            };
            self.print(&line, console)?;
        }
        Ok(())
    }

    /// The lock's clock in its local time, by its image's offsets (RFC 3339).
    fn stamp(&self) -> String {
        self.local(self.clock.now().wall)
    }

    /// `at` in the lock's local time, by its image's offsets (RFC 3339).
    fn local(&self, at: Timestamp) -> String {
        let offset = self.lock.image().map_or(0, |i| i.contents().offset_at(at));
        let local = chrono::FixedOffset::east_opt(offset).and_then(|zone| {
            chrono::DateTime::from_timestamp(at.0, 0).map(|t| t.with_timezone(&zone))
        });
        match local {
            Some(local) => local.to_rfc3339(),
            None => utc(at),
        }
    }

    fn print(&self, line: &LockLine, console: &mut Console<'_>) -> Result<(), CliError> {
        let text = match self.format {
            Format::Human => line.human(),
            Format::Json => serde_json::to_string(line).unwrap_or_default(),
        };
        console.out.write_all(text.as_bytes())?;
        console.out.write_all(b"\n")?;
        console.out.flush()?;
        Ok(())
    }
}

/// Why an image was refused, its instants in UTC.
fn refusal_text(refusal: &ImageRefusal) -> String {
    match refusal {
        ImageRefusal::Older { in_force, offered } => format!(
            "issued at {}, before the image in force (issued at {})",
            utc(Timestamp(*offered)),
            utc(Timestamp(*in_force))
        ),
        other => other.to_string(),
    }
}

/// One line of `sim lock`'s output (schema in `docs/cli.md`).
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
enum LockLine {
    Started {
        at: String,
        door: String,
        address: u8,
        bus: String,
        entries: usize,
    },
    Online {
        at: String,
        secure: bool,
    },
    Offline {
        at: String,
    },
    ConnectionLost {
        at: String,
        error: String,
    },
    Reported {
        at: String,
        presented: String,
    },
    ControlPanel {
        at: String,
        opened: bool,
        did: String,
    },
    Decision {
        at: String,
        alone: bool,
        allowed: bool,
        reason: &'static str,
        text: String,
    },
    ImageReplaced {
        at: String,
        entries: usize,
    },
    ImageRefused {
        at: String,
        why: String,
    },
    KeySet {
        at: String,
    },
    KeypadLocked {
        at: String,
        until: String,
    },
    Invalid {
        at: String,
        error: String,
    },
}

impl LockLine {
    fn human(&self) -> String {
        match self {
            LockLine::Started { at, door, address, bus, entries } => format!(
                "{at}  lock of door {door} at address {address} on {bus}, its image holding {entries} entries"
            ),
            LockLine::Online { at, secure: true } => format!("{at}  control panel online (secure channel)"),
            LockLine::Online { at, secure: false } => format!("{at}  control panel online (clear)"),
            LockLine::Offline { at } => {
                format!("{at}  control panel gone: deciding alone from the image")
            }
            LockLine::ConnectionLost { at, error } => format!("{at}  connection lost: {error}"),
            LockLine::Reported { at, presented } => {
                format!("{at}  {presented}: reported to the control panel")
            }
            LockLine::ControlPanel { at, did, .. } => format!("{at}  control panel: {did}"),
            LockLine::Decision { at, text, .. } => format!("{at}  alone: {text}"),
            LockLine::ImageReplaced { at, entries } => {
                format!("{at}  new image in force: {entries} entries")
            }
            LockLine::ImageRefused { at, why } => {
                format!("{at}  image refused, the old one kept: {why}")
            }
            LockLine::KeySet { at } => {
                format!("{at}  new secure channel key set (kept in memory only)")
            }
            LockLine::KeypadLocked { at, until } => format!(
                "{at}  keypad locked after repeated wrong entries, until {until} (cards still open)"
            ),
            LockLine::Invalid { at, error } => format!("{at}  ignored: {error}"),
        }
    }
}
