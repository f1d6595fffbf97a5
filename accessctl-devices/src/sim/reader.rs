//! The simulated reader: an OSDP peripheral device that presents a card or a PIN once
//! its control panel has it online, and records what the control panel made it do.
//!
//! Owns [`SimReader`]: a presentation waits until the link is up — online, through
//! its secure channel when the reader has a key — and has stayed up for a settling
//! time (so that the control panel is through its online sequence), then goes out as
//! `osdp_RAW` or `osdp_KEYPAD` on the next poll. The `osdp_OUT`, `osdp_LED` and
//! `osdp_BUZ` that follow are gathered into a [`ControlPanelResponse`].
//!
//! Sans-io: bytes and instants come in, reply bytes and events go out. It never decides
//! anything about access and never shows a PIN or a key.

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

use super::lock::READER;
use super::presentation::Presentation;
use super::response::ControlPanelResponse;
use super::Entropy;
use crate::osdp::peripheral::{PeripheralDevice, PeripheralEvent, PeripheralSetup};
use crate::osdp::secure::Scbk;
use crate::osdp::Address;

/// How long the link stays up before a presentation goes out, by default.
pub const DEFAULT_SETTLE: Duration = Duration::from_millis(300);

/// Something the reader did or learnt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderEvent {
    /// Its control panel talks to it (again).
    Online {
        /// Whether through a secure channel.
        secure: bool,
    },
    /// Its control panel stopped talking to it.
    Offline,
    /// The presentation waiting went out to the control panel (on its next poll).
    Presented(Presentation),
    /// The control panel switched an output, an LED or the buzzer.
    ControlPanel(ControlPanelResponse),
    /// A new secure channel key (from `osdp_KEYSET`), to persist. Prints redacted.
    KeySet(Scbk),
}

/// A simulated reader, as the [`sim`](crate::sim) module describes it: it presents a card
/// or a PIN once its link is up and settled, and gathers what the control panel did.
pub struct SimReader {
    device: PeripheralDevice,
    keyed: bool,
    settle: Duration,
    up_since: Option<Instant>,
    waiting: Option<Presentation>,
    response: ControlPanelResponse,
    events: VecDeque<ReaderEvent>,
}

impl SimReader {
    /// A reader with this setup and the device's entropy source for the secure channel.
    pub fn new(setup: PeripheralSetup, entropy: Entropy) -> SimReader {
        let keyed = setup.scbk.is_some() || setup.allow_install_mode;
        SimReader {
            device: PeripheralDevice::new(setup, entropy),
            keyed,
            settle: DEFAULT_SETTLE,
            up_since: None,
            waiting: None,
            response: ControlPanelResponse::default(),
            events: VecDeque::new(),
        }
    }

    /// Sets how long the link must stay up before a presentation goes out.
    pub fn set_settle(&mut self, settle: Duration) {
        self.settle = settle;
    }

    /// Presents a card or PIN: it goes out once the link is up and settled, replacing
    /// any presentation still waiting. The response gathered so far is cleared.
    pub fn present(&mut self, presentation: Presentation) {
        self.waiting = Some(presentation);
        self.response = ControlPanelResponse::default();
    }

    /// The address it answers to.
    pub fn address(&self) -> Address {
        self.device.address()
    }

    /// Whether a presentation still waits for the link.
    pub fn is_waiting(&self) -> bool {
        self.waiting.is_some()
    }

    /// Bytes from the bus at `now`; returns the reply to send, if any.
    pub fn handle_input(&mut self, bytes: &[u8], now: Instant) -> Option<Vec<u8>> {
        let reply = self.device.handle_input(bytes, now);
        while let Some(event) = self.device.next_event() {
            self.obey(event);
        }
        self.release(now);
        reply
    }

    /// Lets time pass at `now`: the control panel may be declared gone.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.device.handle_timeout(now);
        while let Some(event) = self.device.next_event() {
            self.obey(event);
        }
    }

    /// What the control panel made it do since the last presentation.
    pub fn response(&self) -> &ControlPanelResponse {
        &self.response
    }

    /// Whether its control panel talked to it within the offline timeout.
    pub fn is_online(&self, now: Instant) -> bool {
        self.device.is_online(now)
    }

    /// The next thing it did or learnt.
    pub fn next_event(&mut self) -> Option<ReaderEvent> {
        self.events.pop_front()
    }

    /// Hands the waiting presentation to the device once the link is up and settled.
    fn release(&mut self, now: Instant) {
        let up = self.device.is_online(now) && (!self.keyed || self.device.is_secure());
        if !up {
            self.up_since = None;
            return;
        }
        let since = *self.up_since.get_or_insert(now);
        if now.saturating_duration_since(since) < self.settle {
            return;
        }
        if let Some(presentation) = self.waiting.take() {
            self.device.report(presentation.report(READER));
            self.events.push_back(ReaderEvent::Presented(presentation));
        }
    }

    /// Carries out one event of the peripheral device.
    fn obey(&mut self, event: PeripheralEvent) {
        let mut one = ControlPanelResponse::default();
        if one.record(&event) {
            self.response.record(&event);
            self.events.push_back(ReaderEvent::ControlPanel(one));
            return;
        }
        let translated = match event {
            PeripheralEvent::Online { secure } => ReaderEvent::Online { secure },
            PeripheralEvent::Offline => {
                self.up_since = None;
                ReaderEvent::Offline
            }
            PeripheralEvent::KeySet(key) => ReaderEvent::KeySet(key),
            _ => return,
        };
        self.events.push_back(translated);
    }
}

impl fmt::Debug for SimReader {
    /// The waiting presentation (a PIN by its length) and the response; never a key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimReader")
            .field("waiting", &self.waiting)
            .field("response", &self.response)
            .finish_non_exhaustive()
    }
}
