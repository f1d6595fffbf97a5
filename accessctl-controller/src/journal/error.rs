//! What can go wrong with the event journal; every error names the database file.

use std::path::PathBuf;

/// An event journal operation that failed. Nothing is half-written: a failed write
/// rolls back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// The database could not be opened or created.
    #[error("journal {}: cannot open: {source}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer version of the tool.
    #[error(
        "journal {}: schema version {found} is newer than this tool knows ({known}); \
         upgrade accessctl",
        path.display()
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// The version recorded in the file.
        found: i64,
        /// The newest version this code knows.
        known: i64,
    },
    /// `--controller-id` names another controller than the one whose events the
    /// database holds.
    #[error(
        "journal {}: it holds the events of controller `{kept}`, not `{given}`",
        path.display()
    )]
    ControllerIdKept {
        /// The database file.
        path: PathBuf,
        /// The identity kept in the file.
        kept: String,
        /// The identity asked for.
        given: String,
    },
    /// The spool's flusher thread could not be started.
    #[error("journal {}: cannot start the spool's flusher: {source}", path.display())]
    Thread {
        /// The database file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A statement failed while doing `action`.
    #[error("journal {}: cannot {action}: {source}", path.display())]
    Database {
        /// The database file.
        path: PathBuf,
        /// What was being done, e.g. `record events`.
        action: &'static str,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// An event was refused before it was written.
    #[error("journal {}: refused event: {problem}", path.display())]
    InvalidEvent {
        /// The database file.
        path: PathBuf,
        /// Why it was refused.
        problem: &'static str,
    },
    /// A stored row holds a value this code does not know.
    #[error("journal {}: event {id} has an unknown {column} `{value}`", path.display())]
    UnknownValue {
        /// The database file.
        path: PathBuf,
        /// The event's id.
        id: i64,
        /// The column, `kind` or `reason`.
        column: &'static str,
        /// The stored text.
        value: String,
    },
}
