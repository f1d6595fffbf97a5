//! The blocking driver: one or several PDs answering on one transport (a multi-drop
//! RS-485 line, or a socket).
//!
//! Owns [`PeripheralBus`]: it reads the transport, finds frames (none longer than the
//! largest receive buffer of its PDs; a partial one dropped after
//! [`INTER_CHARACTER_GAP`](crate::osdp::INTER_CHARACTER_GAP) of silence), hands each
//! command to the PD it names (a broadcast to the first PD only: on a shared line only
//! one may answer), sends the replies, lets time pass for every PD and collects their
//! events.
//! It is the only part of the PD loop that reads the clock or waits; it decides
//! nothing a [`PeripheralDevice`] does not.

use std::time::{Duration, Instant};

use super::device::PeripheralDevice;
use super::event::PeripheralEvent;
use crate::osdp::header::{Address, Direction};
use crate::osdp::reader::{FrameReader, DEFAULT_MAX_FRAME_LEN};
use crate::osdp::Frame;
use crate::transport::{Transport, TransportError};

/// The longest single wait on the transport, so that time-outs are noticed.
const SLICE: Duration = Duration::from_millis(50);

/// PDs on one transport.
pub struct PeripheralBus {
    devices: Vec<PeripheralDevice>,
    transport: Box<dyn Transport>,
    reader: FrameReader,
}

impl std::fmt::Debug for PeripheralBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeripheralBus")
            .field("transport", &self.transport.name())
            .field("devices", &self.devices)
            .finish_non_exhaustive()
    }
}

impl PeripheralBus {
    /// `devices` answering on `transport`, each at its own address.
    pub fn new(devices: Vec<PeripheralDevice>, transport: Box<dyn Transport>) -> Self {
        let max_len = devices
            .iter()
            .map(PeripheralDevice::max_frame_len)
            .max()
            .unwrap_or(DEFAULT_MAX_FRAME_LEN);
        Self {
            devices,
            transport,
            reader: FrameReader::with_max_len(max_len),
        }
    }

    /// The PD answering at `address`: to queue a report, set an input, read its state.
    pub fn device_mut(&mut self, address: Address) -> Option<&mut PeripheralDevice> {
        self.devices
            .iter_mut()
            .find(|device| device.address() == address)
    }

    /// Answers commands until some PD has events or `max_wait` passed; returns the
    /// events, each with the address of its PD.
    ///
    /// Errors when the transport fails (its peer closed it, say).
    pub fn step(
        &mut self,
        max_wait: Duration,
    ) -> Result<Vec<(Address, PeripheralEvent)>, TransportError> {
        let start = Instant::now();
        let mut buf = [0; 512];
        loop {
            let left = max_wait.saturating_sub(start.elapsed());
            let count = self.transport.receive(&mut buf, left.min(SLICE))?;
            let now = Instant::now();
            self.reader
                .push_at(buf.get(..count).unwrap_or_default(), now);
            while let Some(found) = self.reader.next_frame() {
                let Ok(frame) = found else { continue };
                if let Some(reply) = self.dispatch(&frame, now) {
                    self.transport.send(&reply)?;
                }
            }
            let events = self.collect_events(now);
            if !events.is_empty() || left.is_zero() {
                return Ok(events);
            }
        }
    }

    /// The reply of the PD `frame` names.
    fn dispatch(&mut self, frame: &Frame, now: Instant) -> Option<Vec<u8>> {
        if frame.header.direction != Direction::Command {
            return None;
        }
        let address = frame.header.address;
        let device = if address.is_broadcast() {
            self.devices.first_mut()
        } else {
            self.device_mut(address)
        }?;
        device.handle_frame(frame, now)
    }

    fn collect_events(&mut self, now: Instant) -> Vec<(Address, PeripheralEvent)> {
        let mut events = Vec::new();
        for device in &mut self.devices {
            device.handle_timeout(now);
            while let Some(event) = device.next_event() {
                events.push((device.address(), event));
            }
        }
        events
    }
}
