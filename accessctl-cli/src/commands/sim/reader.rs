//! `accessctl sim reader`: a simulated reader presenting one card or PIN to a control
//! panel on a real bus.
//!
//! Owns the reader's run — online, present, gather the control panel's answer — and
//! its exit code: 0 when the control panel released the strike, 1 when it refused,
//! did not answer or never brought the reader online. It never shows a PIN or a key
//! (its key comes from `--scbk`, `--scbk-file` or `ACCESSCTL_SCBK`: `channel_key`).

use std::time::{Duration, Instant as Monotonic};

use accessctl_devices::sim::{
    peripheral_setup, Pin, Presentation, ReaderEvent, SimKind, SimLink, SimReader,
};
use accessctl_devices::transport::Connection;
use serde::Serialize;

use super::{channel_key, connect, entropy, SimError, TURN};
use crate::args::{Format, SimReaderArgs};
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
use crate::render::json::{self, SCHEMA_VERSION};

/// How long a reader waits, after the control panel's first command, for the rest
/// of its answer (the LED after the strike, or the reverse).
const ANSWER_GRACE: Duration = Duration::from_millis(500);

/// Runs `sim reader`.
pub fn run(args: &SimReaderArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let presentation = reader_presentation(args).map_err(CliError::Sim)?;
    // `--install` takes no key: clap refuses it beside --scbk and --scbk-file, and the
    // environment's is not asked for.
    let scbk = if args.install {
        None
    } else {
        channel_key::given(args.scbk.as_ref(), args.scbk_file.as_deref()).map_err(SimError::from)?
    };
    let setup = peripheral_setup(SimKind::Reader, args.address, scbk, args.install);
    let mut reader = SimReader::new(setup, entropy()?);
    reader.present(presentation.clone());
    let deadline = Monotonic::now() + Duration::from_secs(args.timeout);
    let answer = serve_reader(&mut reader, &args.bus, deadline)?;
    let outcome = ReaderOutcome {
        version: SCHEMA_VERSION,
        presented: presentation.to_string(),
        online: answer.online,
        secure: answer.secure,
        answered: !reader.response().is_empty(),
        opened: reader.response().opened(),
        did: reader.response().to_string(),
        timeout_seconds: args.timeout,
    };
    match args.format.value {
        Format::Human => console.out.write_all(outcome.human().as_bytes())?,
        Format::Json => console.out.write_all(&json::document(&outcome))?,
    }
    Ok(Exit::answer(outcome.opened))
}

/// The presentation `--card`, `--bits` or `--pin` asks for.
fn reader_presentation(args: &SimReaderArgs) -> Result<Presentation, SimError> {
    if let Some(card) = &args.card {
        let line = match &args.card_format {
            Some(format) => format!("card {card} {}", format.name()),
            None => format!("card {card}"),
        };
        return Ok(line.parse()?);
    }
    if let Some(bits) = &args.bits {
        return Ok(format!("bits {bits}").parse()?);
    }
    let pin = args.pin.as_deref().unwrap_or_default();
    Ok(Presentation::Pin(Pin::new(pin)?))
}

/// What the link did while the reader waited.
struct LinkState {
    online: bool,
    secure: bool,
}

/// Serves the bus until the control panel answered the presentation (and a little
/// more, for the rest of its answer) or `deadline`.
fn serve_reader(
    reader: &mut SimReader,
    bus: &Connection,
    deadline: Monotonic,
) -> Result<LinkState, CliError> {
    let connecting = connect(bus);
    let mut state = LinkState {
        online: false,
        secure: false,
    };
    let transport = loop {
        let left = deadline.saturating_duration_since(Monotonic::now());
        if left.is_zero() {
            return Ok(state);
        }
        match connecting.recv_timeout(left.min(TURN)) {
            Ok(result) => break result.map_err(SimError::from)?,
            Err(_) => continue,
        }
    };
    let mut link = SimLink::new(transport);
    let mut answered_at: Option<Monotonic> = None;
    while Monotonic::now() < deadline {
        link.exchange(reader, TURN).map_err(SimError::from)?;
        while let Some(event) = reader.next_event() {
            match event {
                ReaderEvent::Online { secure } => {
                    state.online = true;
                    state.secure = secure;
                }
                ReaderEvent::ControlPanel(_) => {
                    answered_at.get_or_insert_with(Monotonic::now);
                }
                _ => {}
            }
        }
        if answered_at.is_some_and(|at| at.elapsed() >= ANSWER_GRACE) {
            break;
        }
    }
    Ok(state)
}

/// What `sim reader` prints (schema in `docs/cli.md`).
#[derive(Serialize)]
struct ReaderOutcome {
    version: u32,
    presented: String,
    online: bool,
    secure: bool,
    answered: bool,
    opened: bool,
    did: String,
    timeout_seconds: u64,
}

impl ReaderOutcome {
    fn human(&self) -> String {
        if !self.online {
            return format!(
                "no control panel brought the reader online within {} s; {} not presented\n",
                self.timeout_seconds, self.presented
            );
        }
        if !self.answered {
            return format!(
                "presented {}; no answer from the control panel within {} s\n",
                self.presented, self.timeout_seconds
            );
        }
        let verdict = if self.opened { "opened" } else { "refused" };
        format!("presented {}: {}\n{verdict}\n", self.presented, self.did)
    }
}
