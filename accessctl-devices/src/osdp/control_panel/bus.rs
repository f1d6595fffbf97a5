//! The blocking driver: one control panel on one transport.
//!
//! Owns [`ControlPanelBus`]: it reads the clock, sends what the panel wants sent,
//! waits on the transport until the panel's next deadline, and hands the bytes
//! received to the panel. It holds no protocol logic of its own and never sleeps
//! longer than the panel's next deadline or the caller's wait.

use std::time::{Duration, Instant};

use super::event::ControlPanelEvent;
use super::panel::ControlPanel;
use crate::transport::{Transport, TransportError};

/// The shortest wait on the transport, so that a deadline just passed never spins.
const MIN_WAIT: Duration = Duration::from_millis(1);

/// The size of one read from the transport.
const READ_LEN: usize = 512;

/// A [`ControlPanel`] driven over a [`Transport`].
///
/// ```no_run
/// use std::time::Duration;
/// use accessctl_devices::osdp::control_panel::{
///     ControlPanel, ControlPanelBus, PdSetup, Security, Timing,
/// };
/// use accessctl_devices::osdp::Address;
/// use accessctl_devices::transport::{open, Connection};
///
/// let pds = vec![PdSetup { address: Address::new(1).unwrap(), security: Security::Clear }];
/// let panel = ControlPanel::new(pds, Timing::default(), Box::new(|_: &mut [u8]| {}))?;
/// let transport = open(&"serial:/dev/ttyUSB0:115200".parse::<Connection>()?)?;
/// let mut bus = ControlPanelBus::new(panel, transport);
/// loop {
///     for event in bus.step(Duration::from_secs(1))? {
///         println!("{event:?}");
///     }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ControlPanelBus {
    panel: ControlPanel,
    transport: Box<dyn Transport>,
}

impl std::fmt::Debug for ControlPanelBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlPanelBus")
            .field("panel", &self.panel)
            .field("transport", &self.transport.name())
            .finish()
    }
}

impl ControlPanelBus {
    /// Drives `panel` over `transport`.
    pub fn new(panel: ControlPanel, transport: Box<dyn Transport>) -> Self {
        Self { panel, transport }
    }

    /// The panel, to submit commands or files, or to read a PD's status.
    pub fn panel_mut(&mut self) -> &mut ControlPanel {
        &mut self.panel
    }

    /// Carries on over `transport`, a new line to the same PDs (after the old one
    /// failed and [`ControlPanel::line_lost`] took them offline).
    pub fn replace_transport(&mut self, transport: Box<dyn Transport>) {
        self.transport = transport;
    }

    /// The name of the transport in use.
    pub fn transport_name(&self) -> &str {
        self.transport.name()
    }

    /// Runs until an event is ready or `max_wait` passed; returns the events (none
    /// when the time ran out first).
    ///
    /// Errors when the transport fails or the peer closed it.
    pub fn step(&mut self, max_wait: Duration) -> Result<Vec<ControlPanelEvent>, TransportError> {
        let start = Instant::now();
        let end = start.checked_add(max_wait).unwrap_or(start);
        let mut buf = [0; READ_LEN];
        loop {
            let now = Instant::now();
            if let Some(bytes) = self.panel.poll_transmit(now) {
                self.transport.send(&bytes)?;
            }
            let events: Vec<_> = std::iter::from_fn(|| self.panel.next_event()).collect();
            if !events.is_empty() || now >= end {
                return Ok(events);
            }
            let until = self.panel.next_deadline().map_or(end, |due| due.min(end));
            let wait = until.saturating_duration_since(now).max(MIN_WAIT);
            let count = self.transport.receive(&mut buf, wait)?;
            if let Some(bytes) = buf.get(..count).filter(|bytes| !bytes.is_empty()) {
                self.panel.handle_input(bytes, Instant::now());
            }
        }
    }
}
