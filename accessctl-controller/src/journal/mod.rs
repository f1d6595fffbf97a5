//! The event journal: what happened at the doors, kept in an embedded SQLite database
//! on the controller, and the [`EventStore`] trait that PostgreSQL implements too.
//!
//! Owns the controller's local database file: opening it with write-ahead logging,
//! running the versioned migrations of [`schema`] (the version lives in
//! `PRAGMA user_version`), the controller's identity and sequence numbers (every event
//! recorded here gets the next one, so its identity is stable wherever it goes),
//! recording events, reading them back by door, time and kind, and purging those past
//! the retention (60 days by default); the spool's watermark (how far the events are
//! committed to the shared store, see [`spool`]); the keypads' memory (wrong entries,
//! lockouts, one-time codes used) and the lock images sent, which a restarted
//! controller takes back and which never leave the controller.
//!
//! It must never store a secret (no PIN, no key: only a user's name or the number of
//! an unknown card), never open a database written by a newer schema, never leave a
//! batch half-written, never give two events one identity, never purge an event not
//! yet flushed, and never panic: every failure is a [`JournalError`] naming the file.

mod condition;
mod controller_journal;
mod error;
mod event;
pub mod postgres;
mod presence;
pub mod schema;
pub mod spool;
mod store;
mod unknown;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, Row, TransactionBehavior};

use condition::{where_clause, Operand, NEWEST_FIRST};
pub use controller_journal::{ControllerJournal, OpenJournalError};
pub use error::JournalError;
pub use event::{reason_from_code, AccessType, Entry, Event, EventKind, Medium, Query};
pub use store::{EventStore, Location, StoreError};
pub use unknown::{unknown_cards, UnknownCard};

/// How long events are kept unless told otherwise: 60 days.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(60 * 24 * 60 * 60);

/// The columns read back by queries, in [`raw_entry`] order.
const COLUMNS: &str =
    "seq, controller, at, site, door, kind, reason, user, card, detail, medium, access_type";

/// An open event journal.
#[derive(Debug)]
pub struct Journal {
    conn: Connection,
    path: PathBuf,
    /// This controller's identity, as kept in the database.
    controller: String,
}

impl Journal {
    /// Opens the journal at `path`, creating it if needed, and brings its schema up to
    /// date. Refuses a database whose schema is newer than this code knows.
    pub fn open(path: impl AsRef<Path>) -> Result<Journal, JournalError> {
        let path = path.as_ref().to_path_buf();
        match Connection::open(&path) {
            Ok(conn) => Journal::prepare(conn, path),
            Err(source) => Err(JournalError::Open { path, source }),
        }
    }

    /// A journal in memory, gone when dropped; for tests.
    pub fn in_memory() -> Result<Journal, JournalError> {
        let path = PathBuf::from(":memory:");
        match Connection::open_in_memory() {
            Ok(conn) => Journal::prepare(conn, path),
            Err(source) => Err(JournalError::Open { path, source }),
        }
    }

    /// The database file (`:memory:` for an in-memory journal).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version recorded in the database.
    pub fn schema_version(&self) -> Result<i64, JournalError> {
        schema::version(&self.conn).map_err(|e| self.fail("read the schema version", e))
    }

    /// The journal mode SQLite reports: `wal` for a file, `memory` in memory.
    pub fn journal_mode(&self) -> Result<String, JournalError> {
        self.conn
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .map_err(|e| self.fail("read the journal mode", e))
    }

    /// This controller's identity: drawn at random when the database was created (or
    /// given with [`Journal::claim_controller_id`] before the first event), then kept.
    pub fn controller_id(&self) -> &str {
        &self.controller
    }

    /// Makes `id` this controller's identity. Accepted when it already is, or while
    /// no event has been recorded under the identity kept; refused afterwards, since
    /// the events recorded would otherwise change owner.
    pub fn claim_controller_id(&mut self, id: &str) -> Result<(), JournalError> {
        if id == self.controller {
            return Ok(());
        }
        if id.is_empty() {
            let problem = "a controller id may not be empty";
            return Err(JournalError::InvalidEvent {
                path: self.path.clone(),
                problem,
            });
        }
        let claimed = self
            .conn
            .execute(
                "UPDATE controller SET id = ?1 WHERE next_seq = 1
                   AND NOT EXISTS (SELECT 1 FROM events WHERE controller = controller.id)",
                params![id],
            )
            .map_err(|e| self.fail("claim a controller id", e))?;
        if claimed == 0 {
            return Err(JournalError::ControllerIdKept {
                path: self.path.clone(),
                kept: self.controller.clone(),
                given: id.to_owned(),
            });
        }
        self.controller = id.to_owned();
        Ok(())
    }

    /// Records one event.
    pub fn record(&mut self, event: &Event) -> Result<(), JournalError> {
        self.record_many(std::slice::from_ref(event)).map(drop)
    }

    /// Records `events` in one transaction: all of them or, on any error, none. Each
    /// gets this controller's next sequence number; returns them as entries.
    pub fn record_many(&mut self, events: &[Event]) -> Result<Vec<Entry>, JournalError> {
        if let Some(problem) = events.iter().find_map(Event::problem) {
            let path = self.path.clone();
            return Err(JournalError::InvalidEvent { path, problem });
        }
        let controller = self.controller.clone();
        let write = |conn: &mut Connection| {
            // Immediate: a read that turns into a write would fail with a busy
            // snapshot while the spool's flusher writes its watermark.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let next: i64 =
                tx.query_row("SELECT next_seq FROM controller", [], |row| row.get(0))?;
            let mut entries = Vec::with_capacity(events.len());
            for (seq, event) in (next..).zip(events) {
                let entry = Entry {
                    id: seq,
                    controller: controller.clone(),
                    event: event.clone(),
                };
                insert(&tx, &entry)?;
                entries.push(entry);
            }
            let after = next.saturating_add(i64::try_from(events.len()).unwrap_or(i64::MAX));
            tx.execute("UPDATE controller SET next_seq = ?1", params![after])?;
            tx.commit().map(|()| entries)
        };
        write(&mut self.conn).map_err(|e| fail(&self.path, "record events", e))
    }

    /// Stores entries recorded elsewhere (or here) under their own identities, in
    /// one transaction; those whose identity is kept already are skipped. Returns how
    /// many were new. This controller's next sequence number moves past any of its
    /// own identities appended, so that it never gives one twice.
    pub fn append(&mut self, entries: &[Entry]) -> Result<usize, JournalError> {
        if let Some(problem) = entries.iter().find_map(|entry| entry.event.problem()) {
            let path = self.path.clone();
            return Err(JournalError::InvalidEvent { path, problem });
        }
        let write = |conn: &mut Connection| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut added = 0;
            for entry in entries {
                added += insert(&tx, entry)?;
            }
            tx.execute(
                "UPDATE controller SET next_seq = MAX(next_seq, 1 + COALESCE(
                   (SELECT MAX(seq) FROM events WHERE controller = controller.id), 0))",
                [],
            )?;
            tx.commit().map(|()| added)
        };
        write(&mut self.conn).map_err(|e| fail(&self.path, "append events", e))
    }

    /// The events `query` selects, newest first.
    pub fn query(&self, query: &Query) -> Result<Vec<Entry>, JournalError> {
        let (sql, values) = select(query, COLUMNS);
        let rows = self.read(&sql, values).map_err(|e| self.fail("query", e))?;
        rows.into_iter().map(|row| self.entry(row)).collect()
    }

    /// SQLite's plan for `query`, one line per step; shows which index it uses.
    pub fn plan(&self, query: &Query) -> Result<Vec<String>, JournalError> {
        let (sql, values) = select(query, COLUMNS);
        let explain = format!("EXPLAIN QUERY PLAN {sql}");
        self.explain(&explain, values)
            .map_err(|e| self.fail("explain a query", e))
    }

    /// Deletes the events older than `retention` before `now` (Unix seconds); returns
    /// how many went. An event exactly `retention` old is kept, and so is every event
    /// of this controller still in the spool (not yet committed to the shared store).
    pub fn purge(&mut self, now: i64, retention: Duration) -> Result<usize, JournalError> {
        let cutoff = cutoff(now, retention);
        self.conn
            .execute(
                "DELETE FROM events WHERE at < ?1 AND NOT (
                   controller = (SELECT id FROM controller)
                   AND seq > COALESCE((SELECT flushed FROM spool), seq))",
                params![cutoff],
            )
            .map_err(|e| self.fail("purge old events", e))
    }

    /// The keypad memory kept for `door` (a JSON document the controller wrote), if
    /// any.
    pub fn keypad_memory(&self, door: &str) -> Result<Option<String>, JournalError> {
        let read = || {
            let mut statement = self
                .conn
                .prepare_cached("SELECT state FROM keypads WHERE door = ?1")?;
            let mut rows = statement.query_map(params![door], |row| row.get(0))?;
            rows.next().transpose()
        };
        read().map_err(|e| self.fail("read a keypad's memory", e))
    }

    /// Keeps `state`, the keypad memory of `door`, in place of the one kept before.
    pub fn keep_keypad_memory(&mut self, door: &str, state: &str) -> Result<(), JournalError> {
        self.conn
            .execute(
                "INSERT INTO keypads (door, state) VALUES (?1, ?2)
                 ON CONFLICT (door) DO UPDATE SET state = excluded.state",
                params![door, state],
            )
            .map(drop)
            .map_err(|e| self.fail("keep a keypad's memory", e))
    }

    /// Keeps `image`, a lock image sent to `door` and issued at `issued` (a JSON
    /// document the controller wrote), and forgets all but the `keep` newest.
    pub fn keep_sent_image(
        &mut self,
        door: &str,
        issued: i64,
        image: &str,
        keep: usize,
    ) -> Result<(), JournalError> {
        let keep = i64::try_from(keep).unwrap_or(i64::MAX);
        let write = |conn: &mut Connection| {
            let tx = conn.transaction()?;
            tx.execute(
                "INSERT OR REPLACE INTO lock_images (door, issued, image) VALUES (?1, ?2, ?3)",
                params![door, issued, image],
            )?;
            tx.execute(
                "DELETE FROM lock_images WHERE door = ?1 AND issued NOT IN
                   (SELECT issued FROM lock_images WHERE door = ?1
                    ORDER BY issued DESC LIMIT ?2)",
                params![door, keep],
            )?;
            tx.commit()
        };
        write(&mut self.conn).map_err(|e| fail(&self.path, "keep a sent lock image", e))
    }

    /// The lock images kept for `door`, oldest first.
    pub fn sent_images(&self, door: &str) -> Result<Vec<String>, JournalError> {
        let read = || {
            let mut statement = self
                .conn
                .prepare_cached("SELECT image FROM lock_images WHERE door = ?1 ORDER BY issued")?;
            let rows = statement.query_map(params![door], |row| row.get(0))?;
            rows.collect::<rusqlite::Result<Vec<String>>>()
        };
        read().map_err(|e| self.fail("read the sent lock images", e))
    }

    /// Sets the pragmas, checks the version, runs the pending migrations and reads
    /// the controller's identity.
    fn prepare(mut conn: Connection, path: PathBuf) -> Result<Journal, JournalError> {
        configure(&conn).map_err(|e| fail(&path, "configure the database", e))?;
        let found =
            schema::version(&conn).map_err(|e| fail(&path, "read the schema version", e))?;
        let known = schema::latest();
        if found > known {
            return Err(JournalError::TooNew { path, found, known });
        }
        schema::migrate(&mut conn, found).map_err(|e| fail(&path, "migrate the schema", e))?;
        let controller = conn
            .query_row("SELECT id FROM controller", [], |row| row.get(0))
            .map_err(|e| fail(&path, "read the controller id", e))?;
        Ok(Journal {
            conn,
            path,
            controller,
        })
    }

    /// Runs a select and keeps the raw rows.
    fn read(&self, sql: &str, values: Vec<Value>) -> rusqlite::Result<Vec<RawEntry>> {
        let mut statement = self.conn.prepare_cached(sql)?;
        let rows = statement.query_map(params_from_iter(values), raw_entry)?;
        rows.collect()
    }

    /// Runs an `EXPLAIN QUERY PLAN` and keeps each step's text.
    fn explain(&self, sql: &str, values: Vec<Value>) -> rusqlite::Result<Vec<String>> {
        let mut statement = self.conn.prepare(sql)?;
        let rows = statement.query_map(params_from_iter(values), |row| row.get(3))?;
        rows.collect()
    }

    /// Turns a raw row into an entry, refusing codes this code does not know.
    fn entry(&self, raw: RawEntry) -> Result<Entry, JournalError> {
        let unknown = |column, value: String| JournalError::UnknownValue {
            path: self.path.clone(),
            id: raw.id,
            column,
            value,
        };
        let kind =
            EventKind::from_code(&raw.kind).ok_or_else(|| unknown("kind", raw.kind.clone()))?;
        let reason = match &raw.reason {
            None => None,
            Some(code) => {
                Some(reason_from_code(code).ok_or_else(|| unknown("reason", code.clone()))?)
            }
        };
        let medium = match &raw.medium {
            None => None,
            Some(code) => {
                Some(Medium::from_code(code).ok_or_else(|| unknown("medium", code.clone()))?)
            }
        };
        let access_type = match &raw.access_type {
            None => None,
            Some(code) => Some(
                AccessType::from_code(code).ok_or_else(|| unknown("access_type", code.clone()))?,
            ),
        };
        let event = Event {
            at: raw.at,
            site: raw.site,
            door: raw.door,
            kind,
            reason,
            user: raw.user,
            card: raw.card,
            detail: raw.detail,
            medium,
            access_type,
        };
        Ok(Entry {
            id: raw.id,
            controller: raw.controller,
            event,
        })
    }

    /// A database error while doing `action` on this journal.
    fn fail(&self, action: &'static str, source: rusqlite::Error) -> JournalError {
        fail(&self.path, action, source)
    }
}

/// A database error while doing `action` on the file at `path`.
fn fail(path: &Path, action: &'static str, source: rusqlite::Error) -> JournalError {
    JournalError::Database {
        path: path.to_path_buf(),
        action,
        source,
    }
}

/// Write-ahead logging, normal syncing, enforced foreign keys, a patient lock.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    let _mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")
}

/// The first instant kept by a purge at `now` with `retention`.
pub(crate) fn cutoff(now: i64, retention: Duration) -> i64 {
    let age = i64::try_from(retention.as_secs()).unwrap_or(i64::MAX);
    now.saturating_sub(age)
}

/// Inserts one entry unless its identity is kept already; returns 1 if it was new.
fn insert(conn: &Connection, entry: &Entry) -> rusqlite::Result<usize> {
    let mut statement = conn.prepare_cached(
        "INSERT INTO events (controller, seq, at, site, door, kind, reason, user, card,
                             detail, medium, access_type)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (controller, seq) DO NOTHING",
    )?;
    let event = &entry.event;
    statement.execute(params![
        entry.controller,
        entry.id,
        event.at,
        event.site,
        event.door,
        event.kind.code(),
        event.reason.map(|reason| reason.code()),
        event.user,
        event.card,
        event.detail,
        event.medium.map(Medium::code),
        event.access_type.map(AccessType::code),
    ])
}

/// The select for `query`, newest first, with its parameters. Only the conditions
/// asked for appear, so SQLite can pick the (door, at) or (at) index.
fn select(query: &Query, columns: &str) -> (String, Vec<Value>) {
    let mut values = Vec::new();
    let mut written = Vec::new();
    for condition in query.conditions() {
        let operands = match condition.operand {
            Operand::Text(text) => vec![Value::Text(text)],
            Operand::Integer(number) => vec![Value::Integer(number)],
            Operand::Texts(texts) => texts.into_iter().map(Value::Text).collect(),
        };
        let first = values.len() + 1;
        let marks: Vec<String> = (first..first + operands.len())
            .map(|n| format!("?{n}"))
            .collect();
        values.extend(operands);
        let column = condition.column;
        written.push(match condition.test.operator() {
            Some(operator) => format!("{column} {operator} {}", marks.join(", ")),
            None => format!("{column} IN ({})", marks.join(", ")),
        });
    }
    let filter = where_clause(&written);
    let limit = query.limit.map_or(-1, i64::from);
    let sql = format!("SELECT {columns} FROM events{filter} {NEWEST_FIRST} LIMIT {limit}");
    (sql, values)
}

/// A row as stored, before its codes are checked.
struct RawEntry {
    id: i64,
    controller: String,
    at: i64,
    site: String,
    door: String,
    kind: String,
    reason: Option<String>,
    user: Option<String>,
    card: Option<String>,
    detail: Option<String>,
    medium: Option<String>,
    access_type: Option<String>,
}

/// Reads a row in [`COLUMNS`] order.
fn raw_entry(row: &Row<'_>) -> rusqlite::Result<RawEntry> {
    Ok(RawEntry {
        id: row.get(0)?,
        controller: row.get(1)?,
        at: row.get(2)?,
        site: row.get(3)?,
        door: row.get(4)?,
        kind: row.get(5)?,
        reason: row.get(6)?,
        user: row.get(7)?,
        card: row.get(8)?,
        detail: row.get(9)?,
        medium: row.get(10)?,
        access_type: row.get(11)?,
    })
}

#[cfg(test)]
mod tests;
