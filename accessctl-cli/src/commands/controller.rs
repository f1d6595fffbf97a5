//! `accessctl controller run --policy P --bus CONNECTION --door DOOR=ADDRESS...
//! --journal DB|URL`: the door controller, until it is stopped. A bus that fails is
//! opened again, every second, until it works.
//!
//! Owns the command: the journal, opened by the controller crate (an SQLite file; or,
//! for a PostgreSQL URL, the local `--spool` database and the spool's flusher thread),
//! the bus, starting the [`Controller`], and printing each of its reports and the spool's as they
//! come, one line each (text, or one JSON object per line), flushed at once. It must
//! never decide or journal anything itself (the controller does), never wait on
//! PostgreSQL (the flusher does, on its own thread), and never print a password.

use std::time::Duration;

use accessctl_devices::osdp::control_panel::Timing;
use accessctl_devices::transport::{self, Connection, Transport};

use crate::args::{ChannelOptions, ControllerArgs, ControllerCommand, ControllerRunArgs, Format};
use crate::commands::journal::JournalCommandError;
use crate::console::Console;
use crate::controller::{
    os_entropy, Channel, Controller, ControllerError, ControllerSetup, Report, WallClock,
};
use crate::error::CliError;
use crate::exit::Exit;
use crate::instant;
use crate::journal::spool::{Flusher, SpoolReport};
use crate::journal::{ControllerJournal, Location};
use accessctl_controller::presence::postgres::PostgresPresence;

/// The longest a step of the loop waits for the bus.
const STEP: Duration = Duration::from_millis(500);

/// How often a failed bus is tried again.
const REOPEN_EVERY: Duration = Duration::from_secs(1);

/// Runs `controller`.
pub fn run(args: &ControllerArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    match &args.command {
        ControllerCommand::Run(args) => run_controller(args, console),
    }
}

/// The channel the options ask for.
pub fn channel(options: ChannelOptions) -> Channel {
    match (options.install, options.clear) {
        (true, _) => Channel::Install,
        (false, true) => Channel::Clear,
        (false, false) => Channel::Secure,
    }
}

/// Runs `controller run` until the bus fails or the output cannot be written.
fn run_controller(args: &ControllerRunArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let ControllerJournal {
        journal,
        flusher,
        fleet,
    } = open_journal(args)?;
    let entropy = os_entropy().map_err(CliError::Output)?;
    let setup = ControllerSetup {
        policy: args.policy.path.clone(),
        keystore: args.store.keystore.clone(),
        doors: args.doors.clone(),
        channel: channel(args.channel),
        timing: Timing::default(),
        clock: WallClock::System,
    };
    let mut controller = Controller::new(setup, journal, entropy, || transport::open(&args.bus))?;
    // A fleet shares who is inside its zones through the same database.
    if let Some(database) = &fleet {
        controller.set_presence(Box::new(PostgresPresence::lazy(database)));
    }
    if let Some(written) = &args.at {
        let start = instant::resolve(Some(written), controller.zone(), instant::now())?;
        controller.set_clock(WallClock::starting_at(start));
    }
    show(
        &controller.started(&args.bus.to_string()),
        args.format.value,
        console,
    )?;
    let mut spool = SpoolState::default();
    loop {
        for report in controller.step(STEP)? {
            show(&report, args.format.value, console)?;
        }
        for report in flusher.iter().flat_map(Flusher::reports) {
            if let Some(line) = spool.line(&report, args.format.value) {
                console.out.write_all(line.as_bytes())?;
                console.out.flush()?;
            }
        }
        if controller.bus_lost() {
            let transport = reopen(&args.bus);
            show(&controller.reconnect(transport), args.format.value, console)?;
        }
    }
}

/// The journal `--journal` names, opened for recording (see [`ControllerJournal`]).
fn open_journal(args: &ControllerRunArgs) -> Result<ControllerJournal, CliError> {
    let location = Location::parse(&args.journal).map_err(JournalCommandError::Location)?;
    let id = args.controller_id.as_deref();
    let opened = ControllerJournal::open(&location, args.spool.as_deref(), id)
        .map_err(ControllerError::from)?;
    Ok(opened)
}

/// What the operator was last told about the spool, so that an outage is said once
/// (and its end), not at every retry.
#[derive(Default)]
struct SpoolState {
    unreachable: bool,
}

impl SpoolState {
    /// The line for `report`, if it says something new.
    fn line(&mut self, report: &SpoolReport, format: Format) -> Option<String> {
        let at = instant::utc(instant::now());
        let (kind, text, fields) = match report {
            SpoolReport::Connected { target, pending } => {
                self.unreachable = false;
                let text = format!("journal: connected to {target}, {pending} events to flush");
                (
                    "spool_connected",
                    text,
                    serde_json::json!({ "target": target, "pending": pending }),
                )
            }
            SpoolReport::Unreachable { error, retry_in }
                if !self.unreachable || format == Format::Json =>
            {
                self.unreachable = true;
                let text = format!("{error}; events kept in the spool, trying again");
                let fields = serde_json::json!({ "message": error.to_string(), "retry_in_ms": retry_in.as_millis() as u64 });
                ("spool_unreachable", text, fields)
            }
            SpoolReport::LocalFailed { error, .. } => {
                let text = format!("journal: {error}");
                (
                    "spool_failed",
                    text,
                    serde_json::json!({ "message": error.to_string() }),
                )
            }
            SpoolReport::Flushed { target, flushed } if format == Format::Json => {
                let fields = serde_json::json!({ "target": target, "sent": flushed.sent, "new": flushed.new, "through": flushed.through });
                ("spool_flushed", String::new(), fields)
            }
            _ => return None,
        };
        Some(match format {
            Format::Human => format!("{at}  {text}\n"),
            Format::Json => {
                let mut object = serde_json::json!({ "version": 1, "kind": kind, "at": at });
                if let (Some(object), Some(fields)) = (object.as_object_mut(), fields.as_object()) {
                    object.extend(fields.clone());
                }
                format!("{object}\n")
            }
        })
    }
}

/// Opens the bus again after it failed, trying every [`REOPEN_EVERY`] until it works
/// (a `tcp-listen` bus waits for its peer to connect again).
fn reopen(bus: &Connection) -> Box<dyn Transport> {
    loop {
        match transport::open(bus) {
            Ok(transport) => return transport,
            Err(_) => std::thread::sleep(REOPEN_EVERY),
        }
    }
}

/// Prints one report and flushes it, so that it shows as it happens.
fn show(report: &Report, format: Format, console: &mut Console<'_>) -> Result<(), CliError> {
    let line = match format {
        Format::Human => crate::render::report::human_line(report),
        Format::Json => crate::render::report::json_line(report),
    };
    console.out.write_all(line.as_bytes())?;
    console.out.flush()?;
    Ok(())
}
