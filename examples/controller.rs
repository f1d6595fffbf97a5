//! Embedding accessctl-controller in a program: a door controller on an in-memory OSDP
//! bus, a simulated reader on the other end, a badge presented, the decision carried
//! out and journaled.
//!
//! ```sh
//! cargo run -p accessctl-controller --example controller
//! ```
//!
//! A real product passes a serial port or a TCP connection instead of the in-memory
//! pair, its own policy directory and journal file, and renders the [`Report`]s its
//! own way (the `accessctl controller run` command is one such renderer).

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant as Monotonic};

use accessctl_controller::journal::{EventKind, Journal, Query};
use accessctl_controller::{Channel, Controller, ControllerSetup, DoorBinding, Report, WallClock};
use accessctl_core::time::WrittenTimestamp;
use accessctl_devices::osdp::control_panel::Timing;
use accessctl_devices::osdp::Address;
use accessctl_devices::sim::{peripheral_setup, SimKind, SimLink, SimReader};
use accessctl_devices::transport::{memory, Transport};

/// One site, one door with a badge reader, one user.
const POLICY: &str = r#"
site hq {
  timezone "Europe/Paris"
  door main "Main entrance" { readers badge }
}
account acme {
  user ana "Ana" { card 65537  allow main }
}
"#;

fn main() -> ExitCode {
    match run() {
        Ok(opened) if opened => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<bool, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let policy = dir.path().join("hq.acl");
    std::fs::write(&policy, POLICY)?;
    let journal = Journal::open(dir.path().join("events.db"))?;

    // The bus: the controller's end and the reader's end of an in-memory pair.
    let (panel_end, reader_end) = memory::pair();
    let address = Address::new(1).ok_or("address 1 is a PD address")?;
    let at = WrittenTimestamp::parse("2026-11-23T09:00")?.resolve(chrono_tz::Europe::Paris)?;
    let setup = ControllerSetup {
        policy,
        keystore: None,
        doors: vec![DoorBinding {
            door: "main".into(),
            address,
        }],
        channel: Channel::Clear, // no key store here: a real site runs the secure channel
        timing: Timing::default(),
        clock: WallClock::starting_at(at),
    };
    let entropy = Box::new(|bytes: &mut [u8]| bytes.fill(7));
    let mut controller = Controller::new(setup, journal, entropy, move || {
        Ok(Box::new(panel_end) as Box<dyn Transport>)
    })?;

    // The reader: presents Ana's badge (H10301, facility 1, card 1) once online.
    let reader_setup = peripheral_setup(SimKind::Reader, address, None, false);
    let mut reader = SimReader::new(reader_setup, Box::new(|bytes: &mut [u8]| bytes.fill(9)));
    reader.present("card 65537".parse()?);
    let done = Arc::new(AtomicBool::new(false));
    let stop = Arc::clone(&done);
    let device = thread::spawn(move || {
        let mut link = SimLink::new(Box::new(reader_end));
        while !stop.load(Ordering::Relaxed) {
            if link
                .exchange(&mut reader, Duration::from_millis(10))
                .is_err()
            {
                break;
            }
        }
    });

    let opened = serve(&mut controller);
    done.store(true, Ordering::Relaxed);
    let opened = opened?;
    let events = controller.journal().query(&Query {
        kind: Some(EventKind::Opened),
        ..Query::default()
    })?;
    println!("journaled openings: {}", events.len());
    drop(controller);
    device.join().map_err(|_| "the reader's thread failed")?;
    Ok(opened)
}

/// Steps the controller until its first decision; prints what it reports.
fn serve(controller: &mut Controller) -> Result<bool, Box<dyn std::error::Error>> {
    let end = Monotonic::now() + Duration::from_secs(5);
    while Monotonic::now() < end {
        for report in controller.step(Duration::from_millis(10))? {
            println!("{}", serde_json::to_string(&report)?);
            if let Report::Decision { outcome, .. } = report {
                return Ok(outcome == accessctl_controller::Outcome::Opened);
            }
        }
    }
    Err("no decision within 5 s".into())
}
