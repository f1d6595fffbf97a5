//! The blocking driver of a simulated device: its transport, and the bytes it answers.
//!
//! Owns [`SimLink`] and the [`SimDevice`] trait both simulated devices implement. It
//! reads the monotonic clock when bytes arrive and hands them on with that instant; it
//! must never look inside the bytes or decide anything.

use std::time::{Duration, Instant};

use super::lock::SimLock;
use super::reader::SimReader;
use crate::transport::{Transport, TransportError};

/// The largest read from the transport at once.
const READ_LEN: usize = 2048;

/// A sans-io device that answers the bytes of a bus.
pub trait SimDevice {
    /// Bytes from the bus at `now` (none: the line was silent until then); returns the
    /// reply to send, if any.
    fn handle_input(&mut self, bytes: &[u8], now: Instant) -> Option<Vec<u8>>;

    /// Lets time pass without bytes: the link may go offline.
    fn handle_timeout(&mut self, now: Instant);
}

impl SimDevice for SimLock {
    fn handle_input(&mut self, bytes: &[u8], now: Instant) -> Option<Vec<u8>> {
        SimLock::handle_input(self, bytes, now)
    }

    fn handle_timeout(&mut self, now: Instant) {
        SimLock::handle_timeout(self, now);
    }
}

impl SimDevice for SimReader {
    fn handle_input(&mut self, bytes: &[u8], now: Instant) -> Option<Vec<u8>> {
        SimReader::handle_input(self, bytes, now)
    }

    fn handle_timeout(&mut self, now: Instant) {
        SimReader::handle_timeout(self, now);
    }
}

/// Several devices on one multi-drop line: each sees every byte, only the one a
/// command names answers.
impl<D: SimDevice> SimDevice for Vec<D> {
    fn handle_input(&mut self, bytes: &[u8], now: Instant) -> Option<Vec<u8>> {
        let replies: Vec<u8> = self
            .iter_mut()
            .filter_map(|device| device.handle_input(bytes, now))
            .flatten()
            .collect();
        (!replies.is_empty()).then_some(replies)
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.iter_mut()
            .for_each(|device| device.handle_timeout(now));
    }
}

/// The transport a simulated device answers on. It holds no device, so that the
/// device stays usable (deciding alone) while the link is down or being reopened.
pub struct SimLink {
    transport: Box<dyn Transport>,
    buffer: Vec<u8>,
}

impl SimLink {
    /// A link over `transport`.
    pub fn new(transport: Box<dyn Transport>) -> SimLink {
        SimLink {
            transport,
            buffer: vec![0; READ_LEN],
        }
    }

    /// Waits up to `max_wait` for bytes, hands them to `device` and sends its reply.
    /// Without bytes, lets time pass for the device: its link may go offline, and a
    /// frame that stopped coming is dropped, a command found behind it answered.
    /// Returns whether bytes arrived.
    pub fn exchange<D: SimDevice>(
        &mut self,
        device: &mut D,
        max_wait: Duration,
    ) -> Result<bool, TransportError> {
        let count = self.transport.receive(&mut self.buffer, max_wait)?;
        let bytes = self.buffer.get(..count).unwrap_or_default();
        let now = Instant::now();
        if let Some(reply) = device.handle_input(bytes, now) {
            self.transport.send(&reply)?;
        }
        if bytes.is_empty() {
            device.handle_timeout(now);
        }
        Ok(!bytes.is_empty())
    }
}
