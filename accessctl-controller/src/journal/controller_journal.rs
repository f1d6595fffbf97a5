//! The journal a running controller records into, as `--journal` names it: an
//! SQLite file of its own, or a fleet's PostgreSQL reached through a local spool.
//!
//! Owns opening it: the local database (the `--journal` file, or the `--spool` file
//! beside a PostgreSQL URL), the controller id claimed there, and for PostgreSQL the
//! spool's [`Flusher`] thread, connecting again after each failure. It must never
//! connect to PostgreSQL on the caller's thread (the flusher does, on its own) and
//! never show a password.

use std::path::{Path, PathBuf};

use super::postgres::{Database, Postgres};
use super::spool::{Connect, Flusher, SpoolConfig};
use super::{EventStore, Journal, JournalError, Location};

/// A controller's journal, opened.
pub struct ControllerJournal {
    /// The local database every event is recorded in first.
    pub journal: Journal,
    /// The thread sending the spool to PostgreSQL (none for an SQLite journal).
    pub flusher: Option<Flusher>,
    /// The fleet's database (none for an SQLite journal), whose presence table the
    /// fleet's zones share.
    pub fleet: Option<Database>,
}

/// Why a controller's journal cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenJournalError {
    /// A PostgreSQL journal without a local spool.
    #[error("journal {database}: a PostgreSQL journal needs a local --spool database")]
    NoSpool {
        /// The database, without its password.
        database: String,
    },
    /// The local database failed.
    #[error(transparent)]
    Journal(#[from] JournalError),
}

impl ControllerJournal {
    /// Opens the journal at `location` (its events kept first in `spool` when it is
    /// a PostgreSQL database), claiming `controller_id` when given.
    pub fn open(
        location: &Location,
        spool: Option<&Path>,
        controller_id: Option<&str>,
    ) -> Result<ControllerJournal, OpenJournalError> {
        let local = local_database(location, spool)?;
        let mut journal = Journal::open(&local)?;
        if let Some(id) = controller_id {
            journal.claim_controller_id(id)?;
        }
        let (flusher, fleet) = match location {
            Location::Sqlite(_) => (None, None),
            Location::Postgres(database) => {
                let connect = connect((**database).clone());
                let flusher = Flusher::start(&local, connect, SpoolConfig::default())?;
                (Some(flusher), Some((**database).clone()))
            }
        };
        Ok(ControllerJournal {
            journal,
            flusher,
            fleet,
        })
    }
}

/// Where the controller records first: the journal file, or the spool beside a
/// PostgreSQL journal.
fn local_database(location: &Location, spool: Option<&Path>) -> Result<PathBuf, OpenJournalError> {
    match (location, spool) {
        (Location::Sqlite(path), _) => Ok(path.clone()),
        (Location::Postgres(_), Some(spool)) => Ok(spool.to_path_buf()),
        (Location::Postgres(database), None) => Err(OpenJournalError::NoSpool {
            database: database.name().to_owned(),
        }),
    }
}

/// Connects to `database` for the flusher, again after each failure.
fn connect(database: Database) -> Connect {
    Box::new(move || {
        let store: Box<dyn EventStore + Send> = Box::new(Postgres::connect(&database)?);
        Ok(store)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgresql_journal_without_a_spool_is_refused_without_its_password() {
        let location = Location::parse("postgres://ops:s3cret@db.example/fleet").unwrap();
        let Err(error) = ControllerJournal::open(&location, None, None) else {
            panic!("opened without a spool");
        };
        let text = error.to_string();
        assert!(text.contains("--spool"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }

    #[test]
    fn an_sqlite_journal_claims_its_controller_id() {
        let dir = tempfile::tempdir().unwrap();
        let location = Location::Sqlite(dir.path().join("events.db"));
        let opened = ControllerJournal::open(&location, None, Some("hq-1")).unwrap();
        assert!(opened.flusher.is_none() && opened.fleet.is_none());
        assert_eq!(opened.journal.controller_id(), "hq-1");
    }
}
