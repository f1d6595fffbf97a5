//! Transports: the byte pipes that carry device protocols.
//!
//! Owns the [`Transport`] trait (blocking sends, receives with a timeout), its
//! implementations — [`memory`] (an in-memory pair for tests, with fault injection and
//! line noise), [`tcp`] and [`serial`] (through the `serialport` crate, RS-485 half
//! duplex included) — the textual [`Connection`] a command line names, and [`open`], which
//! turns one into the other.
//!
//! What it must never do: look inside the bytes it carries (framing belongs to
//! [`crate::osdp::FrameReader`] and its kin), retry or reorder on its own, or panic on
//! anything a peer or the operating system does. Every error names the connection.

mod connection;
mod error;
pub mod memory;
pub mod serial;
pub mod tcp;

use std::net::TcpListener;
use std::time::Duration;

pub use connection::{Connection, ConnectionError, BAUD_RATES, DEFAULT_BAUD};
pub use error::TransportError;
pub use memory::{FaultInjection, LineNoise, MemoryEnd};
pub use serial::SerialTransport;
pub use tcp::TcpTransport;

/// How long [`open`] waits for a TCP connection to be established.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A blocking, bidirectional byte pipe to one peer.
///
/// Implementations keep no framing: a receive may return part of what the peer sent,
/// or several of its sends at once.
pub trait Transport: Send {
    /// The connection this transport speaks over, as errors name it.
    fn name(&self) -> &str;

    /// Sends every byte of `bytes`, or fails.
    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError>;

    /// Waits up to `timeout` for bytes and copies what arrived into `buf`; returns how
    /// many, 0 when none came in time (or when `buf` is empty).
    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, TransportError>;

    /// Discards every byte received and not yet read.
    fn flush_input(&mut self) -> Result<(), TransportError>;
}

/// Opens the transport a [`Connection`] names.
///
/// `tcp-listen` binds, then blocks until one peer connects; `tcp` gives up after
/// [`CONNECT_TIMEOUT`].
pub fn open(connection: &Connection) -> Result<Box<dyn Transport>, TransportError> {
    match connection {
        Connection::Serial { path, baud } => Ok(Box::new(SerialTransport::open(path, *baud)?)),
        Connection::Tcp { host, port } => {
            let address = format!("{host}:{port}");
            Ok(Box::new(TcpTransport::connect(&address, CONNECT_TIMEOUT)?))
        }
        Connection::TcpListen { host, port } => {
            let address = format!("{host}:{port}");
            let listener = TcpListener::bind(&address)
                .map_err(|source| TransportError::io(connection.to_string(), source))?;
            Ok(Box::new(TcpTransport::accept(&listener)?))
        }
    }
}

/// A boxed transport is a transport (so that a driver generic over its transport takes
/// what [`open`] returns).
impl<T: Transport + ?Sized> Transport for Box<T> {
    fn name(&self) -> &str {
        (**self).name()
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        (**self).send(bytes)
    }

    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, TransportError> {
        (**self).receive(buf, timeout)
    }

    fn flush_input(&mut self) -> Result<(), TransportError> {
        (**self).flush_input()
    }
}
