//! What can go wrong with the PostgreSQL event store; every error names the database
//! as [`Database::name`](super::Database::name) writes it, never with its password.

/// A PostgreSQL event store operation that failed. Nothing is half-written: a failed
/// batch rolls back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PostgresError {
    /// `--journal` starts like a PostgreSQL URL but does not read as one.
    #[error("journal {name}: not a PostgreSQL URL: {problem}")]
    Url {
        /// The URL, its password masked.
        name: String,
        /// What the URL parser said.
        problem: String,
    },
    /// The server could not be reached, or refused the connection.
    #[error("journal {name}: cannot connect: {source}")]
    Connect {
        /// The database.
        name: String,
        /// What the client said.
        #[source]
        source: postgres::Error,
    },
    /// The database holds no journal, and reading never creates one.
    #[error("journal {name}: holds no event journal")]
    Missing {
        /// The database.
        name: String,
    },
    /// The database was migrated by a newer version of the tool.
    #[error("journal {name}: schema version {found} is newer than this tool knows ({known}); upgrade accessctl")]
    TooNew {
        /// The database.
        name: String,
        /// The version recorded in the database.
        found: i64,
        /// The newest version this code knows.
        known: i64,
    },
    /// A statement failed while doing `action`.
    #[error("journal {name}: cannot {action}: {source}")]
    Database {
        /// The database.
        name: String,
        /// What was being done, e.g. `append events`.
        action: &'static str,
        /// What the server or the client said.
        #[source]
        source: postgres::Error,
    },
    /// An event was refused before it was sent.
    #[error("journal {name}: refused event: {problem}")]
    InvalidEvent {
        /// The database.
        name: String,
        /// Why it was refused.
        problem: &'static str,
    },
    /// A stored row holds a value this code does not know.
    #[error("journal {name}: event {controller}#{id} has an unknown {column} `{value}`")]
    UnknownValue {
        /// The database.
        name: String,
        /// The event's controller.
        controller: String,
        /// The event's sequence number.
        id: i64,
        /// The column, `kind` or `reason`.
        column: &'static str,
        /// The stored text.
        value: String,
    },
}

impl PostgresError {
    /// True for a failure that may pass: the server unreachable, shutting down or
    /// not yet accepting connections, a connection lost, a serialization failure.
    pub fn is_transient(&self) -> bool {
        match self {
            PostgresError::Connect { .. } => true,
            PostgresError::Database { source, .. } => transient(source),
            _ => false,
        }
    }
}

/// True when `error` is the connection's, not the statement's.
fn transient(error: &postgres::Error) -> bool {
    if error.is_closed() {
        return true;
    }
    match error.code() {
        None => true,
        Some(code) => {
            let code = code.code();
            code.starts_with("08") || code.starts_with("57P") || code.starts_with("40")
        }
    }
}
