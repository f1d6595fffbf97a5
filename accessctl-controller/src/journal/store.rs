//! The event store: one trait over the places events are kept, SQLite on the
//! controller and PostgreSQL for a fleet.
//!
//! Owns [`EventStore`] (append a batch of identified events atomically, read them back
//! with a [`Query`], purge those past the retention), the error every store's failure
//! becomes ([`StoreError`]), and [`Location`], the `--journal` value that says which
//! store: a file path (SQLite) or a `postgres://` URL.
//!
//! It must never print a password (a URL is shown only as
//! [`Database::name`](super::postgres::Database::name) writes it), never write an
//! identity twice, and never leave a batch half-written.

use std::path::PathBuf;
use std::time::Duration;

use super::postgres::{Database, Postgres, PostgresError};
use super::{Entry, Journal, JournalError, Query};

/// A place that keeps events: appended in batches, read by query, purged by age.
///
/// Every event carries its identity (controller and sequence number, see [`Entry`]):
/// appending an identity the store holds already changes nothing, so a batch sent
/// again after a failure, or by two flushers, is harmless.
pub trait EventStore {
    /// The store as people may read it: a file path, or a URL without its password.
    fn name(&self) -> String;

    /// Stores `entries` in one transaction: all of them or, on any error, none. An
    /// entry whose identity is stored already is skipped; returns how many were new.
    fn append(&mut self, entries: &[Entry]) -> Result<usize, StoreError>;

    /// The events `query` selects, newest first (ties by controller, then sequence
    /// number, descending).
    fn query(&mut self, query: &Query) -> Result<Vec<Entry>, StoreError>;

    /// Deletes the events older than `retention` before `now` (Unix seconds); returns
    /// how many went. An event exactly `retention` old is kept.
    fn purge(&mut self, now: i64, retention: Duration) -> Result<usize, StoreError>;

    /// The schema version recorded in the store.
    fn schema_version(&mut self) -> Result<i64, StoreError>;
}

impl EventStore for Journal {
    fn name(&self) -> String {
        self.path().display().to_string()
    }

    fn append(&mut self, entries: &[Entry]) -> Result<usize, StoreError> {
        Ok(Journal::append(self, entries)?)
    }

    fn query(&mut self, query: &Query) -> Result<Vec<Entry>, StoreError> {
        Ok(Journal::query(self, query)?)
    }

    fn purge(&mut self, now: i64, retention: Duration) -> Result<usize, StoreError> {
        Ok(Journal::purge(self, now, retention)?)
    }

    fn schema_version(&mut self) -> Result<i64, StoreError> {
        Ok(Journal::schema_version(self)?)
    }
}

/// An event store that failed; each variant names its store (never a password).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The SQLite journal failed.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The PostgreSQL store failed.
    #[error(transparent)]
    Postgres(#[from] PostgresError),
}

impl StoreError {
    /// True when the store could not be reached or answered with a failure that may
    /// pass (a lost connection, a server shutting down): worth trying again later.
    /// False for what trying again will not mend (a newer schema, a refused event).
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Journal(error) => matches!(error, JournalError::Database { .. }),
            StoreError::Postgres(error) => error.is_transient(),
        }
    }
}

/// Where the events are kept, as `--journal` says it.
#[derive(Debug, Clone)]
pub enum Location {
    /// An SQLite database file.
    Sqlite(PathBuf),
    /// A PostgreSQL database, given by a `postgres://` or `postgresql://` URL.
    Postgres(Box<Database>),
}

impl Location {
    /// Reads a `--journal` value: a URL starting `postgres://` or `postgresql://` is a
    /// PostgreSQL database, anything else a file path.
    pub fn parse(text: &str) -> Result<Location, PostgresError> {
        if Database::is_url(text) {
            Ok(Location::Postgres(Box::new(Database::parse(text)?)))
        } else {
            Ok(Location::Sqlite(PathBuf::from(text)))
        }
    }

    /// The location as people may read it (a URL without its password).
    pub fn name(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(database) => database.name().to_owned(),
        }
    }

    /// Opens the store, creating it or bringing its schema up to date.
    pub fn open(&self) -> Result<Box<dyn EventStore + Send>, StoreError> {
        match self {
            Location::Sqlite(path) => Ok(Box::new(Journal::open(path)?)),
            Location::Postgres(database) => Ok(Box::new(Postgres::connect(database)?)),
        }
    }
}
