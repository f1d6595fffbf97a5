//! `accessctl controller run --policy P --bus CONNECTION --door DOOR=ADDRESS...
//! --journal DB`: the door controller, until it is stopped. A bus that fails is opened
//! again, every second, until it works.
//!
//! Owns the command: opening the journal and the bus, starting the [`Controller`],
//! and printing each of its reports as it comes, one line each (text, or one JSON
//! object per line), flushed at once. It must never decide or journal anything
//! itself: the controller does.

use std::time::Duration;

use accessctl_devices::osdp::control_panel::Timing;
use accessctl_devices::transport::{self, Connection, Transport};

use crate::args::{ChannelOptions, ControllerArgs, ControllerCommand, ControllerRunArgs, Format};
use crate::console::Console;
use crate::controller::{
    os_entropy, Channel, Controller, ControllerError, ControllerSetup, Report, WallClock,
};
use crate::error::CliError;
use crate::exit::Exit;
use crate::instant;
use crate::journal::Journal;

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
    let journal = Journal::open(&args.journal).map_err(ControllerError::from)?;
    let entropy = os_entropy().map_err(CliError::Output)?;
    let setup = ControllerSetup {
        policy: args.policy.clone(),
        keystore: args.store.keystore.clone(),
        doors: args.doors.clone(),
        channel: channel(args.channel),
        timing: Timing::default(),
        clock: WallClock::System,
    };
    let mut controller = Controller::new(setup, journal, entropy, || transport::open(&args.bus))?;
    if let Some(written) = &args.at {
        let start = instant::resolve(Some(written), controller.zone(), instant::now())?;
        controller.set_clock(WallClock::starting_at(start));
    }
    show(
        &controller.started(&args.bus.to_string()),
        args.format,
        console,
    )?;
    loop {
        for report in controller.step(STEP)? {
            show(&report, args.format, console)?;
        }
        if controller.bus_lost() {
            let transport = reopen(&args.bus);
            show(&controller.reconnect(transport), args.format, console)?;
        }
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
