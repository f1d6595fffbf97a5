//! One of our OSDP loops and its libosdp peer, run together until something happens.
//!
//! Owns [`PanelSession`] (our control panel, a libosdp PD) and [`PeripheralSession`]
//! (our PD, a libosdp control panel). Each steps our blocking bus driver in short steps
//! while watching the peer's JSON lines, and gives up at one deadline for the whole
//! test; a failure prints our events and everything the peer printed. It never decides
//! what a test expects.

use std::time::{Duration, Instant};

use accessctl_devices::osdp::control_panel::{ControlPanelBus, ControlPanelEvent};
use accessctl_devices::osdp::peripheral::{PeripheralBus, PeripheralEvent};
use serde_json::Value;

use super::peer::Peer;

/// How long one bus step may wait for bytes.
const STEP: Duration = Duration::from_millis(20);

/// Our control panel driving a libosdp PD.
pub struct PanelSession {
    /// Our side.
    pub bus: ControlPanelBus,
    /// The libosdp PD.
    pub peer: Peer,
    /// Every event our control panel produced so far.
    pub seen: Vec<ControlPanelEvent>,
    deadline: Instant,
}

impl PanelSession {
    /// Runs `bus` against `peer` until `deadline` at the latest.
    pub fn new(bus: ControlPanelBus, peer: Peer, deadline: Instant) -> Self {
        Self {
            bus,
            peer,
            seen: Vec::new(),
            deadline,
        }
    }

    fn step(&mut self, what: &str) {
        match self.bus.step(STEP) {
            Ok(events) => self.seen.extend(events),
            Err(error) => self.fail(&format!("{what} (our bus failed: {error})")),
        }
    }

    /// Steps until our control panel produced an event satisfying `wanted`.
    pub fn await_event(
        &mut self,
        what: &str,
        wanted: impl Fn(&ControlPanelEvent) -> bool,
    ) -> ControlPanelEvent {
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
        eprintln!("our control panel's events: {:#?}", self.seen);
        self.peer.fail(what)
    }
}

/// Our PD served to a libosdp control panel.
pub struct PeripheralSession {
    /// Our side.
    pub bus: PeripheralBus,
    /// The libosdp control panel.
    pub peer: Peer,
    /// Every event our PD produced so far.
    pub seen: Vec<PeripheralEvent>,
    deadline: Instant,
}

impl PeripheralSession {
    /// Runs `bus` against `peer` until `deadline` at the latest.
    pub fn new(bus: PeripheralBus, peer: Peer, deadline: Instant) -> Self {
        Self {
            bus,
            peer,
            seen: Vec::new(),
            deadline,
        }
    }

    fn step(&mut self, what: &str) {
        match self.bus.step(STEP) {
            Ok(events) => self.seen.extend(events.into_iter().map(|(_, event)| event)),
            Err(error) => self.fail(&format!("{what} (our bus failed: {error})")),
        }
    }

    /// Steps until our PD produced an event satisfying `wanted`.
    pub fn await_event(
        &mut self,
        what: &str,
        wanted: impl Fn(&PeripheralEvent) -> bool,
    ) -> PeripheralEvent {
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
        eprintln!("our PD's events: {:#?}", self.seen);
        self.peer.fail(what)
    }
}
