//! TCP transports: connecting to a listening peer, or accepting one.
//!
//! Owns [`TcpTransport`]. Sockets are set `TCP_NODELAY`, since device protocols send
//! short frames and wait for answers. It must never listen for more than the one peer
//! it was asked to accept, and never hide a closed connection as a timeout.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::{Transport, TransportError};

/// The shortest read timeout given to the socket (a zero timeout means "none" there).
const MIN_TIMEOUT: Duration = Duration::from_millis(1);

/// A TCP connection to one peer.
#[derive(Debug)]
pub struct TcpTransport {
    stream: TcpStream,
    name: String,
}

impl TcpTransport {
    /// Connects to `address` (`HOST:PORT`), trying each address it resolves to for up
    /// to `timeout`.
    pub fn connect(address: &str, timeout: Duration) -> Result<Self, TransportError> {
        let name = format!("tcp:{address}");
        let addresses = address
            .to_socket_addrs()
            .map_err(|source| TransportError::io(&name, source))?;
        let mut last = None;
        for candidate in addresses {
            match TcpStream::connect_timeout(&candidate, timeout) {
                Ok(stream) => return Self::from_stream(stream, name),
                Err(error) => last = Some(error),
            }
        }
        Err(match last {
            Some(source) => TransportError::io(name, source),
            None => TransportError::NoAddress { connection: name },
        })
    }

    /// Blocks until one peer connects to `listener`, and speaks to it.
    pub fn accept(listener: &TcpListener) -> Result<Self, TransportError> {
        let local = listener
            .local_addr()
            .map(|address| address.to_string())
            .unwrap_or_else(|_| "?".into());
        let name = format!("tcp-listen:{local}");
        let (stream, _) = listener
            .accept()
            .map_err(|source| TransportError::io(&name, source))?;
        Self::from_stream(stream, name)
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> Result<SocketAddr, TransportError> {
        self.stream.peer_addr().map_err(|source| self.error(source))
    }

    fn from_stream(stream: TcpStream, name: String) -> Result<Self, TransportError> {
        stream
            .set_nodelay(true)
            .map_err(|source| TransportError::io(&name, source))?;
        Ok(Self { stream, name })
    }

    fn error(&self, source: io::Error) -> TransportError {
        TransportError::io(&self.name, source)
    }

    /// Reads whatever is already there without waiting.
    fn drain_now(&mut self) -> io::Result<()> {
        let mut scratch = [0u8; 512];
        loop {
            match self.stream.read(&mut scratch) {
                Ok(0) => return Ok(()),
                Ok(_) => continue,
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            }
        }
    }
}

impl Transport for TcpTransport {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        self.stream
            .write_all(bytes)
            .and_then(|()| self.stream.flush())
            .map_err(|source| self.error(source))
    }

    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, TransportError> {
        if buf.is_empty() {
            return Ok(0);
        }
        let timeout = timeout.max(MIN_TIMEOUT);
        self.stream
            .set_read_timeout(Some(timeout))
            .map_err(|source| self.error(source))?;
        match self.stream.read(buf) {
            Ok(0) => Err(TransportError::closed(&self.name)),
            Ok(count) => Ok(count),
            Err(error) if is_timeout(&error) => Ok(0),
            Err(source) => Err(self.error(source)),
        }
    }

    fn flush_input(&mut self) -> Result<(), TransportError> {
        self.stream
            .set_nonblocking(true)
            .map_err(|source| self.error(source))?;
        let drained = self.drain_now();
        let restored = self.stream.set_nonblocking(false);
        drained.and(restored).map_err(|source| self.error(source))
    }
}

/// Whether a read error only means that nothing came in time.
fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}
