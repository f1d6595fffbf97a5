//! The event journal: what happened at the doors, kept in an embedded SQLite database.
//!
//! Owns the database file: opening it with write-ahead logging, running the versioned
//! migrations of [`schema`] (the version lives in `PRAGMA user_version`), recording
//! events, reading them back by door, time and kind, and purging those past the
//! retention (60 days by default); and the keypads' memory (wrong entries, lockouts,
//! one-time codes used) that a restarted controller takes back.
//!
//! It must never store a secret (no PIN, no key: only a user's name or the number of
//! an unknown card), never open a database written by a newer schema, never leave a
//! batch half-written, and never panic: every failure is a [`JournalError`] naming the
//! file.

mod error;
mod event;
pub mod schema;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, Row};

pub use error::JournalError;
pub use event::{reason_from_code, Entry, Event, EventKind, Query};

/// How long events are kept unless told otherwise: 60 days.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(60 * 24 * 60 * 60);

/// The columns read back by queries, in [`entry_from_row`] order.
const COLUMNS: &str = "id, at, site, door, kind, reason, user, card, detail";

/// An open event journal.
#[derive(Debug)]
pub struct Journal {
    conn: Connection,
    path: PathBuf,
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

    /// Records one event.
    pub fn record(&mut self, event: &Event) -> Result<(), JournalError> {
        self.record_many(std::slice::from_ref(event))
    }

    /// Records `events` in one transaction: all of them or, on any error, none.
    pub fn record_many(&mut self, events: &[Event]) -> Result<(), JournalError> {
        let tx = self
            .conn
            .transaction()
            .map_err(|e| fail(&self.path, "begin a transaction", e))?;
        for event in events {
            if let Some(problem) = event.problem() {
                let path = self.path.clone();
                return Err(JournalError::InvalidEvent { path, problem });
            }
            insert(&tx, event).map_err(|e| fail(&self.path, "record events", e))?;
        }
        tx.commit()
            .map_err(|e| fail(&self.path, "record events", e))
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
    /// how many went. An event exactly `retention` old is kept.
    pub fn purge(&mut self, now: i64, retention: Duration) -> Result<usize, JournalError> {
        let age = i64::try_from(retention.as_secs()).unwrap_or(i64::MAX);
        let cutoff = now.saturating_sub(age);
        self.conn
            .execute("DELETE FROM events WHERE at < ?1", params![cutoff])
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

    /// Sets the pragmas, checks the version and runs the pending migrations.
    fn prepare(mut conn: Connection, path: PathBuf) -> Result<Journal, JournalError> {
        configure(&conn).map_err(|e| fail(&path, "configure the database", e))?;
        let found =
            schema::version(&conn).map_err(|e| fail(&path, "read the schema version", e))?;
        let known = schema::latest();
        if found > known {
            return Err(JournalError::TooNew { path, found, known });
        }
        schema::migrate(&mut conn, found).map_err(|e| fail(&path, "migrate the schema", e))?;
        Ok(Journal { conn, path })
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
        let event = Event {
            at: raw.at,
            site: raw.site,
            door: raw.door,
            kind,
            reason,
            user: raw.user,
            card: raw.card,
            detail: raw.detail,
        };
        Ok(Entry { id: raw.id, event })
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

/// Inserts one event.
fn insert(conn: &Connection, event: &Event) -> rusqlite::Result<()> {
    let mut statement = conn.prepare_cached(
        "INSERT INTO events (at, site, door, kind, reason, user, card, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    statement.execute(params![
        event.at,
        event.site,
        event.door,
        event.kind.code(),
        event.reason.map(|reason| reason.code()),
        event.user,
        event.card,
        event.detail,
    ])?;
    Ok(())
}

/// The select for `query`, newest first, with its parameters. Only the conditions
/// asked for appear, so SQLite can pick the (door, at) or (at) index.
fn select(query: &Query, columns: &str) -> (String, Vec<Value>) {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    let mut add = |condition: &str, value: Value| {
        values.push(value);
        conditions.push(format!("{condition} ?{}", values.len()));
    };
    if let Some(door) = &query.door {
        add("door =", Value::Text(door.clone()));
    }
    if let Some(since) = query.since {
        add("at >=", Value::Integer(since));
    }
    if let Some(until) = query.until {
        add("at <", Value::Integer(until));
    }
    if let Some(kind) = query.kind {
        add("kind =", Value::Text(kind.code().to_owned()));
    }
    if let Some(user) = &query.user {
        add("user =", Value::Text(user.clone()));
    }
    if let Some(card) = &query.card {
        add("card =", Value::Text(card.clone()));
    }
    if !query.kinds.is_empty() {
        let first = values.len() + 1;
        let marks: Vec<String> = (first..first + query.kinds.len())
            .map(|n| format!("?{n}"))
            .collect();
        conditions.push(format!("kind IN ({})", marks.join(", ")));
        let codes = query.kinds.iter().map(|k| Value::Text(k.code().to_owned()));
        values.extend(codes);
    }
    let filter = match conditions.is_empty() {
        true => String::new(),
        false => format!(" WHERE {}", conditions.join(" AND ")),
    };
    let limit = query.limit.map_or(-1, i64::from);
    let sql =
        format!("SELECT {columns} FROM events{filter} ORDER BY at DESC, id DESC LIMIT {limit}");
    (sql, values)
}

/// A row as stored, before its codes are checked.
struct RawEntry {
    id: i64,
    at: i64,
    site: String,
    door: String,
    kind: String,
    reason: Option<String>,
    user: Option<String>,
    card: Option<String>,
    detail: Option<String>,
}

/// Reads a row in [`COLUMNS`] order.
fn raw_entry(row: &Row<'_>) -> rusqlite::Result<RawEntry> {
    Ok(RawEntry {
        id: row.get(0)?,
        at: row.get(1)?,
        site: row.get(2)?,
        door: row.get(3)?,
        kind: row.get(4)?,
        reason: row.get(5)?,
        user: row.get(6)?,
        card: row.get(7)?,
        detail: row.get(8)?,
    })
}

#[cfg(test)]
mod tests;
