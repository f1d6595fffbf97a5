//! An in-memory pair of transports, for tests and simulations.
//!
//! Owns [`pair`], [`MemoryEnd`], [`FaultInjection`] and [`LineNoise`]. Each direction
//! is a byte queue behind a `Mutex` and a `Condvar`; dropping one end closes both
//! directions. It must never touch the operating system's devices or sockets, and
//! never lose, alter or add a byte unless fault injection was asked for.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::{Transport, TransportError};

/// The name memory ends give in errors.
const NAME: &str = "memory";

/// Bytes to drop or corrupt as an end sends them, counted from the first byte sent.
///
/// Deterministic, so that a failing test fails the same way each time. A period of 0
/// disables that fault.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultInjection {
    /// Drop every n-th byte sent (0: never).
    pub drop_every: u64,
    /// Flip the bits of `corrupt_mask` in every n-th byte sent (0: never).
    pub corrupt_every: u64,
    /// The bits flipped in a corrupted byte (0 would leave it intact; 0xFF is used then).
    pub corrupt_mask: u8,
}

/// Bytes put on the line towards one end, between what its peer sends, as noise from
/// nowhere would be ([`MemoryEnd::noise`]). The handle is cloned freely and outlives
/// neither end's line: once either end is dropped, what it injects is lost.
#[derive(Debug, Clone)]
pub struct LineNoise {
    pipe: Arc<Pipe>,
}

impl LineNoise {
    /// Puts `bytes` on the line now, after whatever is already in flight.
    pub fn inject(&self, bytes: &[u8]) {
        let mut queue = self.pipe.lock();
        if queue.closed {
            return;
        }
        queue.bytes.extend(bytes.iter().copied());
        drop(queue);
        self.pipe.ready.notify_all();
    }
}

/// One direction: bytes in flight, and whether either end went away.
#[derive(Debug, Default)]
struct Queue {
    bytes: VecDeque<u8>,
    closed: bool,
}

#[derive(Debug, Default)]
struct Pipe {
    queue: Mutex<Queue>,
    ready: Condvar,
}

impl Pipe {
    /// Locks the queue; a panic elsewhere while holding it leaves plain bytes, still
    /// usable, so poisoning is ignored.
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
    }
}

/// One end of an in-memory pair; what it sends, the other end receives.
#[derive(Debug)]
pub struct MemoryEnd {
    incoming: Arc<Pipe>,
    outgoing: Arc<Pipe>,
    faults: FaultInjection,
    sent: u64,
}

/// Two connected ends.
///
/// ```
/// use std::time::Duration;
/// use accessctl_devices::transport::{memory, Transport};
///
/// let (mut a, mut b) = memory::pair();
/// a.send(b"hello")?;
/// let mut buf = [0; 8];
/// assert_eq!(b.receive(&mut buf, Duration::from_millis(100))?, 5);
/// assert_eq!(&buf[..5], b"hello");
/// assert_eq!(b.receive(&mut buf, Duration::from_millis(1))?, 0); // timeout
/// # Ok::<(), accessctl_devices::transport::TransportError>(())
/// ```
pub fn pair() -> (MemoryEnd, MemoryEnd) {
    let forward = Arc::new(Pipe::default());
    let backward = Arc::new(Pipe::default());
    let end = |incoming, outgoing| MemoryEnd {
        incoming,
        outgoing,
        faults: FaultInjection::default(),
        sent: 0,
    };
    (
        end(Arc::clone(&backward), Arc::clone(&forward)),
        end(forward, backward),
    )
}

impl MemoryEnd {
    /// Damages what this end sends from now on, as `faults` says.
    pub fn set_faults(&mut self, faults: FaultInjection) {
        self.faults = faults;
    }

    /// A handle that puts noise on the line this end sends on, so that the other end
    /// receives it, even once this end has moved into a driver.
    pub fn noise(&self) -> LineNoise {
        LineNoise {
            pipe: Arc::clone(&self.outgoing),
        }
    }

    /// The byte that goes on the wire for the next byte sent, if any.
    fn inject(&mut self, byte: u8) -> Option<u8> {
        self.sent += 1;
        let hits = |every: u64| every != 0 && self.sent.is_multiple_of(every);
        if hits(self.faults.drop_every) {
            return None;
        }
        if hits(self.faults.corrupt_every) {
            let mask = match self.faults.corrupt_mask {
                0 => 0xFF,
                mask => mask,
            };
            return Some(byte ^ mask);
        }
        Some(byte)
    }
}

impl Transport for MemoryEnd {
    fn name(&self) -> &str {
        NAME
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        let damaged: Vec<u8> = bytes.iter().filter_map(|&b| self.inject(b)).collect();
        let mut queue = self.outgoing.lock();
        if queue.closed {
            return Err(TransportError::closed(NAME));
        }
        queue.bytes.extend(damaged);
        drop(queue);
        self.outgoing.ready.notify_all();
        Ok(())
    }

    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, TransportError> {
        if buf.is_empty() {
            return Ok(0);
        }
        let deadline = Instant::now().checked_add(timeout);
        let mut queue = self.incoming.lock();
        while queue.bytes.is_empty() {
            if queue.closed {
                return Err(TransportError::closed(NAME));
            }
            let left = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => timeout,
            };
            if left.is_zero() {
                return Ok(0);
            }
            queue = self
                .incoming
                .ready
                .wait_timeout(queue, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        let count = buf.len().min(queue.bytes.len());
        for (slot, byte) in buf.iter_mut().zip(queue.bytes.drain(..count)) {
            *slot = byte;
        }
        Ok(count)
    }

    fn flush_input(&mut self) -> Result<(), TransportError> {
        self.incoming.lock().bytes.clear();
        Ok(())
    }
}

impl Drop for MemoryEnd {
    fn drop(&mut self) {
        self.incoming.close();
        self.outgoing.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHORT: Duration = Duration::from_millis(20);

    #[test]
    fn bytes_left_before_closing_are_still_received() {
        let (mut a, mut b) = pair();
        a.send(&[1, 2, 3]).unwrap();
        drop(a);
        let mut buf = [0; 2];
        assert_eq!(b.receive(&mut buf, SHORT).unwrap(), 2);
        assert_eq!(b.receive(&mut buf, SHORT).unwrap(), 1);
        assert!(matches!(
            b.receive(&mut buf, SHORT),
            Err(TransportError::Closed { .. })
        ));
        assert!(b.send(&[0]).is_err());
    }

    #[test]
    fn faults_drop_and_corrupt() {
        let (mut a, mut b) = pair();
        a.set_faults(FaultInjection {
            drop_every: 3,
            corrupt_every: 2,
            corrupt_mask: 0x0F,
        });
        a.send(&[0x10, 0x20, 0x30, 0x40, 0x50, 0x60]).unwrap();
        let mut buf = [0; 8];
        let count = b.receive(&mut buf, SHORT).unwrap();
        assert_eq!(&buf[..count], &[0x10, 0x2F, 0x4F, 0x50]);
    }

    #[test]
    fn noise_comes_between_what_the_peer_sends() {
        let (mut a, mut b) = pair();
        let noise = a.noise();
        a.send(&[1]).unwrap();
        noise.inject(&[0x53, 0x21]);
        a.send(&[2]).unwrap();
        let mut buf = [0; 8];
        let count = b.receive(&mut buf, SHORT).unwrap();
        assert_eq!(&buf[..count], &[1, 0x53, 0x21, 2]);
        drop(b);
        noise.inject(&[3]); // lost with the line, no panic
    }

    #[test]
    fn flush_input_discards() {
        let (mut a, mut b) = pair();
        a.send(&[1, 2]).unwrap();
        b.flush_input().unwrap();
        assert_eq!(b.receive(&mut [0; 4], SHORT).unwrap(), 0);
    }
}
