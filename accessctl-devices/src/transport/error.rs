//! The errors of transports. Owns [`TransportError`]; every variant names the
//! connection it happened on, and none carries bytes that were transferred.

use std::io;

/// Why a transport could not be opened, or could not send or receive.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The operating system refused an operation.
    #[error("{connection}: {source}")]
    Io {
        /// The connection, as written on a command line or named by the transport.
        connection: String,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The serial port could not be opened or configured.
    #[error("{connection}: {source}")]
    Serial {
        /// The connection.
        connection: String,
        /// What `serialport` said.
        #[source]
        source: serialport::Error,
    },
    /// The peer closed its end.
    #[error("{connection}: the peer closed the connection")]
    Closed {
        /// The connection.
        connection: String,
    },
    /// An address resolved to nothing.
    #[error("{connection}: the address resolves to no socket address")]
    NoAddress {
        /// The connection.
        connection: String,
    },
    /// On an RS-485 bus, the echo of what was sent did not come back intact: another
    /// device talked at the same time, or the adapter does not echo.
    #[error("{connection}: the echo of {sent} bytes sent came back as {echoed} bytes differing from them")]
    EchoMismatch {
        /// The connection.
        connection: String,
        /// How many bytes were sent.
        sent: usize,
        /// How many bytes came back before the echo timeout.
        echoed: usize,
    },
}

impl TransportError {
    /// An [`TransportError::Io`] on `connection`.
    pub fn io(connection: impl Into<String>, source: io::Error) -> Self {
        Self::Io {
            connection: connection.into(),
            source,
        }
    }

    /// A [`TransportError::Closed`] on `connection`.
    pub fn closed(connection: impl Into<String>) -> Self {
        Self::Closed {
            connection: connection.into(),
        }
    }

    /// The connection the error happened on.
    pub fn connection(&self) -> &str {
        match self {
            Self::Io { connection, .. }
            | Self::Serial { connection, .. }
            | Self::Closed { connection }
            | Self::NoAddress { connection }
            | Self::EchoMismatch { connection, .. } => connection,
        }
    }

    /// What went wrong, without the connection's name (for a log that names it once).
    ///
    /// ```
    /// use accessctl_devices::transport::TransportError;
    ///
    /// let error = TransportError::closed("tcp:127.0.0.1:4001");
    /// assert_eq!(error.connection(), "tcp:127.0.0.1:4001");
    /// assert_eq!(error.problem(), "the peer closed the connection");
    /// ```
    pub fn problem(&self) -> String {
        let full = self.to_string();
        match full.strip_prefix(self.connection()) {
            Some(rest) => rest.trim_start_matches(": ").to_owned(),
            None => full,
        }
    }
}
