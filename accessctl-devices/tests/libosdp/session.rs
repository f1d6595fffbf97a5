//! One of our OSDP loops and its libosdp peer, run together until something happens.
//!
//! Owns [`Session`] over [`OurSide`]: [`PanelSession`] (our control panel, a libosdp
//! PD) and [`PeripheralSession`] (our PD, a libosdp control panel). Each steps our
//! blocking bus driver in short steps while watching the peer's JSON lines, and gives up
//! at one deadline for the whole test; a failure prints our events and everything the
//! peer printed. It never decides what a test expects.

use std::fmt::Debug;
use std::time::{Duration, Instant};

use accessctl_devices::osdp::control_panel::{ControlPanelBus, ControlPanelEvent};
use accessctl_devices::osdp::peripheral::{PeripheralBus, PeripheralEvent};
use accessctl_devices::transport::TransportError;
use serde_json::Value;

use super::peer::Peer;

/// How long one bus step may wait for bytes.
const STEP: Duration = Duration::from_millis(20);

/// Our blocking bus driver, as a session steps it.
pub trait OurSide {
    /// What it produces.
    type Event: Clone + Debug;
    /// Who it is, in a failure's dump: `control panel`, `PD`.
    const NAME: &'static str;
    /// One step of at most [`STEP`]; the events it produced.
    fn step_once(&mut self) -> Result<Vec<Self::Event>, TransportError>;
}

impl OurSide for ControlPanelBus {
    type Event = ControlPanelEvent;
    const NAME: &'static str = "control panel";

    fn step_once(&mut self) -> Result<Vec<ControlPanelEvent>, TransportError> {
        self.step(STEP)
    }
}

impl OurSide for PeripheralBus {
    type Event = PeripheralEvent;
    const NAME: &'static str = "PD";

    fn step_once(&mut self) -> Result<Vec<PeripheralEvent>, TransportError> {
        let events = self.step(STEP)?;
        Ok(events.into_iter().map(|(_, event)| event).collect())
    }
}

/// Our side `B` and its libosdp peer.
pub struct Session<B: OurSide> {
    /// Our side.
    pub bus: B,
    /// The libosdp peer.
    pub peer: Peer,
    /// Every event our side produced so far.
    pub seen: Vec<B::Event>,
    deadline: Instant,
}

/// Our control panel driving a libosdp PD.
pub type PanelSession = Session<ControlPanelBus>;

/// Our PD served to a libosdp control panel.
pub type PeripheralSession = Session<PeripheralBus>;

impl<B: OurSide> Session<B> {
    /// Runs `bus` against `peer` until `deadline` at the latest.
    pub fn new(bus: B, peer: Peer, deadline: Instant) -> Self {
        Self {
            bus,
            peer,
            seen: Vec::new(),
            deadline,
        }
    }

    fn step(&mut self, what: &str) {
        match self.bus.step_once() {
            Ok(events) => self.seen.extend(events),
            Err(error) => self.fail(&format!("{what} (our bus failed: {error})")),
        }
    }

    /// Steps until our side produced an event satisfying `wanted`.
    pub fn await_event(&mut self, what: &str, wanted: impl Fn(&B::Event) -> bool) -> B::Event {
        while Instant::now() < self.deadline {
            if let Some(found) = self.seen.iter().find(|event| wanted(event)) {
                return found.clone();
            }
            self.step(what);
        }
        self.fail(what)
    }

    /// Steps until the peer printed a line satisfying `wanted`.
    pub fn await_peer(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        while Instant::now() < self.deadline {
            self.step(what);
            if let Some(line) = self.peer.poll(&wanted, Instant::now()) {
                return line;
            }
        }
        self.fail(what)
    }

    fn fail(&mut self, what: &str) -> ! {
        eprintln!("our {}'s events: {:#?}", B::NAME, self.seen);
        self.peer.fail(what)
    }
}
