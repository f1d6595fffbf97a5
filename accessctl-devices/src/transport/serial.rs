//! Serial transports through the `serialport` crate: RS-232, or RS-485 half duplex.
//!
//! Owns [`SerialTransport`]: 8 data bits, no parity, 1 stop bit, no flow control, at
//! the baud rate asked for.
//!
//! RS-485 half duplex: direction control (driving the transmitter only while sending)
//! is left to the adapter — nearly every USB RS-485 adapter switches by itself — and
//! the kernel's RS-485 mode and RTS toggling are *not* configured here (they need
//! platform ioctls that `serialport` does not offer). What is done: adapters that hear
//! their own transmission can be told to drain that echo after each send
//! ([`SerialTransport::set_drain_echo`]); the echo is read back and compared, so a
//! collision on the bus is reported instead of being taken for a reply.
//!
//! It must never change line settings behind its caller's back, nor read more than
//! the echo it expects while draining.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use serialport::{ClearBuffer, DataBits, FlowControl, Parity, SerialPort, StopBits};

use super::{Transport, TransportError};

/// Extra time allowed for an echo, beyond the time the bytes take on the line.
const ECHO_MARGIN: Duration = Duration::from_millis(50);

/// The timeout the port is opened with (each receive sets its own).
const OPEN_TIMEOUT: Duration = Duration::from_millis(100);

/// A serial port speaking 8N1 without flow control.
pub struct SerialTransport {
    port: Box<dyn SerialPort>,
    name: String,
    baud: u32,
    drain_echo: bool,
}

impl std::fmt::Debug for SerialTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerialTransport")
            .field("name", &self.name)
            .field("baud", &self.baud)
            .field("drain_echo", &self.drain_echo)
            .finish_non_exhaustive()
    }
}

impl SerialTransport {
    /// Opens the serial port at `path`, 8N1, no flow control, at `baud`.
    pub fn open(path: &str, baud: u32) -> Result<Self, TransportError> {
        let port = serialport::new(path, baud)
            .data_bits(DataBits::Eight)
            .parity(Parity::None)
            .stop_bits(StopBits::One)
            .flow_control(FlowControl::None)
            .timeout(OPEN_TIMEOUT)
            .open()
            .map_err(|source| TransportError::Serial {
                connection: format!("serial:{path}:{baud}"),
                source,
            })?;
        Ok(Self::from_port(port, format!("serial:{path}:{baud}"), baud))
    }

    /// Wraps a port opened elsewhere (a pseudo-terminal in tests), named `name` in
    /// errors; `baud` sets how long an echo may take.
    pub fn from_port(port: Box<dyn SerialPort>, name: String, baud: u32) -> Self {
        Self {
            port,
            name,
            baud,
            drain_echo: false,
        }
    }

    /// On an RS-485 adapter that echoes what it sends, read that echo back after each
    /// send and check it (off by default).
    pub fn set_drain_echo(&mut self, drain: bool) {
        self.drain_echo = drain;
    }

    fn error(&self, source: io::Error) -> TransportError {
        TransportError::io(&self.name, source)
    }

    fn serial_error(&self, source: serialport::Error) -> TransportError {
        TransportError::Serial {
            connection: self.name.clone(),
            source,
        }
    }

    /// How long `len` bytes take on the line (10 bits each), plus a margin.
    fn echo_time(&self, len: usize) -> Duration {
        let bits = (len as u64).saturating_mul(10);
        let micros = bits.saturating_mul(1_000_000) / u64::from(self.baud.max(1));
        Duration::from_micros(micros).saturating_add(ECHO_MARGIN)
    }

    /// Reads back the echo of `sent` and checks it.
    fn drain_echo_of(&mut self, sent: &[u8]) -> Result<(), TransportError> {
        let start = Instant::now();
        let deadline = start
            .checked_add(self.echo_time(sent.len()))
            .unwrap_or(start);
        let mut echo = vec![0u8; sent.len()];
        let mut got = 0;
        while let Some(rest) = echo.get_mut(got..).filter(|rest| !rest.is_empty()) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            got += read_with_timeout(self.port.as_mut(), rest, left)
                .map_err(|source| TransportError::io(&self.name, source))?;
        }
        if echo.get(..got) == Some(sent) {
            return Ok(());
        }
        Err(TransportError::EchoMismatch {
            connection: self.name.clone(),
            sent: sent.len(),
            echoed: got,
        })
    }
}

/// One read of up to `buf.len()` bytes waiting up to `timeout`; 0 when none came.
fn read_with_timeout(
    port: &mut dyn SerialPort,
    buf: &mut [u8],
    timeout: Duration,
) -> io::Result<usize> {
    port.set_timeout(timeout).map_err(io::Error::from)?;
    match port.read(buf) {
        Ok(count) => Ok(count),
        Err(error) if is_timeout(&error) => Ok(0),
        Err(error) => Err(error),
    }
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}

impl Transport for SerialTransport {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        self.port
            .write_all(bytes)
            .and_then(|()| self.port.flush())
            .map_err(|source| self.error(source))?;
        if self.drain_echo && !bytes.is_empty() {
            self.drain_echo_of(bytes)?;
        }
        Ok(())
    }

    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, TransportError> {
        if buf.is_empty() {
            return Ok(0);
        }
        read_with_timeout(self.port.as_mut(), buf, timeout).map_err(|source| self.error(source))
    }

    fn flush_input(&mut self) -> Result<(), TransportError> {
        self.port
            .clear(ClearBuffer::Input)
            .map_err(|source| self.serial_error(source))
    }
}

/// The far end of a pseudo-terminal made by [`pseudo_terminal`]: kept open, so that
/// its path stays usable by the programs that open it, one after another.
#[cfg(unix)]
pub struct PtyPeer {
    _slave: serialport::TTYPort,
    path: String,
}

#[cfg(unix)]
impl std::fmt::Debug for PtyPeer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PtyPeer").field("path", &self.path).finish()
    }
}

#[cfg(unix)]
impl PtyPeer {
    /// The path another program opens (`/dev/pts/N`).
    pub fn path(&self) -> &str {
        &self.path
    }
}

/// A pseudo-terminal pair: this side as a transport (named `pty:PATH`), and the far
/// end a program opens as a serial port at [`PtyPeer::path`].
#[cfg(unix)]
pub fn pseudo_terminal(baud: u32) -> Result<(SerialTransport, PtyPeer), TransportError> {
    let (master, slave) = serialport::TTYPort::pair().map_err(|source| TransportError::Serial {
        connection: "pty".into(),
        source,
    })?;
    let path = slave.name().unwrap_or_default();
    let transport = SerialTransport::from_port(Box::new(master), format!("pty:{path}"), baud);
    Ok((
        transport,
        PtyPeer {
            _slave: slave,
            path,
        },
    ))
}
