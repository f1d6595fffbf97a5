//! The textual form of a connection, as a command line writes it.
//!
//! Owns [`Connection`] and its parse errors. It opens nothing and resolves no
//! address: it only reads and writes the text `serial:PATH[:BAUD]`, `tcp:HOST:PORT`
//! or `tcp-listen:HOST:PORT`.

use std::fmt;
use std::str::FromStr;

/// The line speed of a serial connection written without one.
pub const DEFAULT_BAUD: u32 = 9600;

/// The line speeds OSDP allows, and so the only ones a [`Connection`] accepts.
pub const BAUD_RATES: [u32; 6] = [9600, 19200, 38400, 57600, 115_200, 230_400];

/// Where a transport goes: a serial port, a TCP peer to connect to, or a TCP address
/// to accept one peer on.
///
/// Parsed from `serial:PATH[:BAUD]`, `tcp:HOST:PORT` or `tcp-listen:HOST:PORT`.
/// Displayed back in the same form, the baud rate always written (so a path whose
/// last part looks like a number reads back unchanged).
///
/// ```
/// use accessctl_devices::transport::Connection;
///
/// let serial: Connection = "serial:/dev/ttyUSB0".parse()?;
/// assert_eq!(serial, Connection::Serial { path: "/dev/ttyUSB0".into(), baud: 9600 });
/// assert_eq!(serial.to_string(), "serial:/dev/ttyUSB0:9600");
/// let tcp: Connection = "tcp-listen:0.0.0.0:4001".parse()?;
/// assert_eq!(tcp.to_string(), "tcp-listen:0.0.0.0:4001");
/// # Ok::<(), accessctl_devices::transport::ConnectionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Connection {
    /// A serial port at one of the [`BAUD_RATES`], 8N1, no flow control.
    Serial {
        /// The device path (`/dev/ttyUSB0`, `COM3`).
        path: String,
        /// The line speed in bits per second.
        baud: u32,
    },
    /// A TCP peer listening at `HOST:PORT`.
    Tcp {
        /// A host name or address (IPv6 in brackets).
        host: String,
        /// The port, never 0.
        port: u16,
    },
    /// Listen at `HOST:PORT` and accept one peer.
    TcpListen {
        /// The address to bind (IPv6 in brackets).
        host: String,
        /// The port; 0 lets the system choose.
        port: u16,
    },
}

/// Why a text is not a [`Connection`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectionError {
    /// No `KIND:` prefix.
    #[error("`{text}` names no kind of connection: expected `serial:PATH[:BAUD]`, `tcp:HOST:PORT` or `tcp-listen:HOST:PORT`")]
    MissingKind {
        /// The whole text.
        text: String,
    },
    /// A prefix other than `serial`, `tcp` or `tcp-listen`.
    #[error("unknown kind of connection `{kind}`: expected `serial`, `tcp` or `tcp-listen`")]
    UnknownKind {
        /// The prefix written.
        kind: String,
    },
    /// `serial:` without a path.
    #[error("a serial connection needs a device path, as in `serial:/dev/ttyUSB0`")]
    EmptyPath,
    /// A baud rate that OSDP does not allow.
    #[error(
        "unsupported baud rate `{baud}`: OSDP allows 9600, 19200, 38400, 57600, 115200 or 230400"
    )]
    UnsupportedBaud {
        /// The rate written.
        baud: String,
    },
    /// `tcp:` or `tcp-listen:` without `:PORT`.
    #[error("`{text}` has no port: expected `HOST:PORT`")]
    MissingPort {
        /// The text after the kind.
        text: String,
    },
    /// A host that is empty.
    #[error("`{text}` has no host: expected `HOST:PORT`")]
    EmptyHost {
        /// The text after the kind.
        text: String,
    },
    /// A port that is not a number from 1 to 65535 (0 allowed when listening).
    #[error("invalid port `{port}`: expected a number from 1 to 65535")]
    BadPort {
        /// The port written.
        port: String,
    },
}

impl FromStr for Connection {
    type Err = ConnectionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (kind, rest) = text
            .split_once(':')
            .ok_or_else(|| ConnectionError::MissingKind { text: text.into() })?;
        match kind {
            "serial" => parse_serial(rest),
            "tcp" => {
                let (host, port) = parse_host_port(rest, false)?;
                Ok(Self::Tcp { host, port })
            }
            "tcp-listen" => {
                let (host, port) = parse_host_port(rest, true)?;
                Ok(Self::TcpListen { host, port })
            }
            _ => Err(ConnectionError::UnknownKind { kind: kind.into() }),
        }
    }
}

/// `PATH[:BAUD]`: a last part made only of digits is the baud rate.
fn parse_serial(rest: &str) -> Result<Connection, ConnectionError> {
    let (path, baud) = match rest.rsplit_once(':') {
        Some((path, baud)) if is_digits(baud) => (path, parse_baud(baud)?),
        _ => (rest, DEFAULT_BAUD),
    };
    if path.is_empty() {
        return Err(ConnectionError::EmptyPath);
    }
    Ok(Connection::Serial {
        path: path.into(),
        baud,
    })
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
}

fn parse_baud(text: &str) -> Result<u32, ConnectionError> {
    text.parse::<u32>()
        .ok()
        .filter(|baud| BAUD_RATES.contains(baud))
        .ok_or_else(|| ConnectionError::UnsupportedBaud { baud: text.into() })
}

/// `HOST:PORT`, split at the last colon so that `[::1]:4001` works.
fn parse_host_port(rest: &str, listen: bool) -> Result<(String, u16), ConnectionError> {
    let (host, port) = rest
        .rsplit_once(':')
        .ok_or_else(|| ConnectionError::MissingPort { text: rest.into() })?;
    if host.is_empty() {
        return Err(ConnectionError::EmptyHost { text: rest.into() });
    }
    let number = port
        .parse::<u16>()
        .ok()
        .filter(|&number| is_digits(port) && (listen || number != 0))
        .ok_or_else(|| ConnectionError::BadPort { port: port.into() })?;
    Ok((host.into(), number))
}

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Serial { path, baud } => write!(f, "serial:{path}:{baud}"),
            Self::Tcp { host, port } => write!(f, "tcp:{host}:{port}"),
            Self::TcpListen { host, port } => write!(f, "tcp-listen:{host}:{port}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(text: &str) -> Result<Connection, ConnectionError> {
        text.parse()
    }

    #[test]
    fn serial_with_and_without_baud() {
        let with = parse("serial:/dev/ttyS0:115200").unwrap();
        assert_eq!(
            with,
            Connection::Serial {
                path: "/dev/ttyS0".into(),
                baud: 115_200
            }
        );
        assert_eq!(with.to_string(), "serial:/dev/ttyS0:115200");
        let without = parse("serial:COM3").unwrap();
        assert_eq!(without.to_string(), "serial:COM3:9600");
    }

    #[test]
    fn tcp_forms() {
        assert_eq!(
            parse("tcp:[::1]:4001").unwrap(),
            Connection::Tcp {
                host: "[::1]".into(),
                port: 4001
            }
        );
        assert_eq!(
            parse("tcp-listen:127.0.0.1:0").unwrap().to_string(),
            "tcp-listen:127.0.0.1:0"
        );
    }

    #[test]
    fn errors_name_what_is_wrong() {
        use ConnectionError as E;
        let cases: [(&str, E); 9] = [
            (
                "/dev/ttyS0",
                E::MissingKind {
                    text: "/dev/ttyS0".into(),
                },
            ),
            ("udp:a:1", E::UnknownKind { kind: "udp".into() }),
            ("serial:", E::EmptyPath),
            ("serial::9600", E::EmptyPath),
            (
                "serial:/dev/x:1200",
                E::UnsupportedBaud {
                    baud: "1200".into(),
                },
            ),
            (
                "tcp:localhost",
                E::MissingPort {
                    text: "localhost".into(),
                },
            ),
            ("tcp::80", E::EmptyHost { text: ":80".into() }),
            ("tcp:h:0", E::BadPort { port: "0".into() }),
            ("tcp-listen:h:+80", E::BadPort { port: "+80".into() }),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text), Err(expected), "{text}");
        }
        let message = parse("serial:/dev/x:1200").unwrap_err().to_string();
        assert!(message.contains("`1200`"), "{message}");
    }

    fn connections() -> impl Strategy<Value = Connection> {
        let baud = proptest::sample::select(BAUD_RATES.to_vec());
        prop_oneof![
            ("[^\\x00]{1,20}", baud).prop_map(|(path, baud)| Connection::Serial { path, baud }),
            ("[a-z0-9.\\-]{1,12}", 1u16..).prop_map(|(host, port)| Connection::Tcp { host, port }),
            ("[a-z0-9.:\\[\\]]{1,12}", any::<u16>())
                .prop_map(|(host, port)| Connection::TcpListen { host, port }),
        ]
    }

    proptest! {
        #[test]
        fn display_then_parse_gives_back_the_connection(connection in connections()) {
            prop_assert_eq!(parse(&connection.to_string()), Ok(connection));
        }

        #[test]
        fn parsing_never_panics(text in ".{0,40}") {
            let _ = parse(&text);
        }
    }
}
