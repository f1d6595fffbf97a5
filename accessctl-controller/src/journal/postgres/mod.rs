//! The PostgreSQL event store: one database that a fleet of controllers (several
//! processes, several sites) flushes its events to, and that `journal show` reads
//! whole.
//!
//! Owns the connection (the blocking `postgres` client: no async runtime), the
//! versioned migrations of [`schema`] (refusing a database a newer tool migrated),
//! appending batches in one statement with `ON CONFLICT DO NOTHING` on the events'
//! identity, the monthly partitions of [`partition`] (created on demand for the
//! months written, dropped whole by the retention purge), and queries.
//!
//! It must never be on a door's path (controllers reach it through their spool,
//! [`super::spool`]), never print a password (see [`Database`]), never write an
//! identity twice, never leave a batch half-written, and never keep a controller's
//! local state (keypads, lock images).

mod database;
mod error;
pub mod partition;
pub mod schema;

use std::collections::BTreeSet;
use std::time::Duration;

use postgres::types::ToSql;
use postgres::{Client, GenericClient, NoTls, Row};

pub use database::{redact, Database, CONNECT_TIMEOUT};
pub use error::PostgresError;
use partition::Month;
/// The PostgreSQL client crate this store speaks through (for harnesses that make
/// databases, and for [`Database::config`]'s type).
pub use postgres as client;

use super::condition::{where_clause, Operand, NEWEST_FIRST};
use super::store::{EventStore, StoreError};
use super::{cutoff, reason_from_code, AccessType, Entry, Event, EventKind, Medium, Query};

/// The columns read back by queries, in [`Postgres::entry`] order.
const COLUMNS: &str =
    "seq, controller, at, site, door, kind, reason, \"user\", card, detail, medium, access_type";

/// An open connection to a PostgreSQL event store.
pub struct Postgres {
    client: Client,
    database: Database,
    /// The months whose partition this connection knows exists.
    partitions: BTreeSet<Month>,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
            .field("database", &self.database)
            .finish()
    }
}

impl Postgres {
    /// Connects to `database`, creating the journal or bringing its schema up to
    /// date. Refuses a schema newer than this code knows.
    pub fn connect(database: &Database) -> Result<Postgres, PostgresError> {
        Postgres::open(database, true)
    }

    /// Connects to `database` and brings its schema up to date, refusing a database
    /// that holds no journal yet (reading never creates one).
    pub fn connect_existing(database: &Database) -> Result<Postgres, PostgresError> {
        Postgres::open(database, false)
    }

    /// The database connected to.
    pub fn database(&self) -> &Database {
        &self.database
    }

    /// The names of the months' partitions, oldest first.
    pub fn partitions(&mut self) -> Result<Vec<String>, PostgresError> {
        let months =
            list_partitions(&mut self.client).map_err(|e| self.fail("list partitions", e))?;
        Ok(months.into_iter().map(Month::partition).collect())
    }

    /// PostgreSQL's plan for `query` (`EXPLAIN`), one line per step: shows which
    /// partitions and indexes it reads.
    pub fn plan(&mut self, query: &Query) -> Result<Vec<String>, PostgresError> {
        let (sql, values) = select(query);
        let explain = format!("EXPLAIN {sql}");
        let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_sql()).collect();
        let rows = self
            .client
            .query(explain.as_str(), &params)
            .map_err(|e| self.fail("explain a query", e))?;
        Ok(rows.iter().map(|row| row.get::<_, String>(0)).collect())
    }

    /// Loads `entries` with `COPY`, the fast path for filling a database (benchmarks,
    /// imports): no identity check, so only into a store that holds none of them.
    pub fn bulk_load(&mut self, entries: &[Entry]) -> Result<u64, PostgresError> {
        self.ensure_partitions(entries)?;
        let load = |client: &mut Client| -> Result<u64, postgres::Error> {
            let mut writer = client.copy_in(
                "COPY events (controller, seq, at, site, door, kind, reason, \"user\", card, detail, medium, access_type) FROM STDIN",
            )?;
            let mut line = String::new();
            for entry in entries {
                line.clear();
                copy_line(&mut line, entry);
                // A write fails only when the connection did: `finish` says why.
                if std::io::Write::write_all(&mut writer, line.as_bytes()).is_err() {
                    break;
                }
            }
            writer.finish()
        };
        load(&mut self.client).map_err(|e| self.fail("bulk load events", e))
    }

    /// Connects and migrates (`create`) or refuses an empty database.
    fn open(database: &Database, create: bool) -> Result<Postgres, PostgresError> {
        let name = || database.name().to_owned();
        let mut client =
            database
                .config()
                .connect(NoTls)
                .map_err(|source| PostgresError::Connect {
                    name: name(),
                    source,
                })?;
        let fail = |action, source| PostgresError::Database {
            name: name(),
            action,
            source,
        };
        let mut tx = client
            .transaction()
            .map_err(|e| fail("begin a transaction", e))?;
        schema::lock(&mut tx).map_err(|e| fail("lock the schema", e))?;
        let found = schema::version(&mut tx).map_err(|e| fail("read the schema version", e))?;
        let known = schema::latest();
        if found > known {
            return Err(PostgresError::TooNew {
                name: name(),
                found,
                known,
            });
        }
        if found == 0 && !create {
            return Err(PostgresError::Missing { name: name() });
        }
        schema::migrate(&mut tx, found).map_err(|e| fail("migrate the schema", e))?;
        tx.commit().map_err(|e| fail("migrate the schema", e))?;
        let database = database.clone();
        Ok(Postgres {
            client,
            database,
            partitions: BTreeSet::new(),
        })
    }

    /// Creates the partitions of the months of `entries` that this connection does
    /// not know, under [`schema::LOCK_PARTITIONS`] so two writers never race.
    fn ensure_partitions(&mut self, entries: &[Entry]) -> Result<(), PostgresError> {
        let months: BTreeSet<Month> = entries
            .iter()
            .filter_map(|e| Month::of(e.event.at))
            .collect();
        let missing: Vec<Month> = months.difference(&self.partitions).copied().collect();
        if missing.is_empty() {
            return Ok(());
        }
        let create = |client: &mut Client| -> Result<(), postgres::Error> {
            let mut tx = client.transaction()?;
            tx.execute(
                "SELECT pg_advisory_xact_lock($1)",
                &[&schema::LOCK_PARTITIONS],
            )?;
            for month in &missing {
                let (Some(start), Some(end)) = (month.start(), month.next().start()) else {
                    continue;
                };
                tx.batch_execute(&format!(
                    "CREATE TABLE IF NOT EXISTS {} PARTITION OF events FOR VALUES FROM ({start}) TO ({end})",
                    month.partition()
                ))?;
            }
            tx.commit()
        };
        create(&mut self.client).map_err(|e| self.fail("create a month's partition", e))?;
        self.partitions.extend(missing);
        Ok(())
    }

    /// Inserts `entries` in one statement, skipping identities already stored.
    fn insert(&mut self, entries: &[Entry]) -> Result<u64, postgres::Error> {
        insert_rows(&mut self.client, entries, "ON CONFLICT DO NOTHING")
    }

    /// Writes `event` straight to the database as the next event of `controller`,
    /// for a tool that has no spool of its own (an admin's `zone reset` on a fleet).
    /// The sequence number is taken under [`schema::LOCK_NEXT_SEQ`], so two such
    /// tools writing at once never take the same one; returns the event with its
    /// identity.
    pub fn record_next(&mut self, controller: &str, event: &Event) -> Result<Entry, StoreError> {
        if let Some(problem) = event.problem() {
            let name = self.database.name().to_owned();
            return Err(PostgresError::InvalidEvent { name, problem }.into());
        }
        let mut entry = Entry {
            id: 1,
            controller: controller.to_owned(),
            event: event.clone(),
        };
        self.ensure_partitions(std::slice::from_ref(&entry))?;
        let next = |client: &mut Client| -> Result<i64, postgres::Error> {
            let mut tx = client.transaction()?;
            tx.execute(
                "SELECT pg_advisory_xact_lock($1)",
                &[&schema::LOCK_NEXT_SEQ],
            )?;
            let row = tx.query_one(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE controller = $1",
                &[&controller],
            )?;
            let seq: i64 = row.get(0);
            let numbered = Entry {
                id: seq,
                ..entry.clone()
            };
            insert_rows(&mut tx, std::slice::from_ref(&numbered), "")?;
            tx.commit()?;
            Ok(seq)
        };
        entry.id = next(&mut self.client).map_err(|e| self.fail("record an event", e))?;
        Ok(entry)
    }

    /// Drops the partitions wholly before `cutoff` and deletes the older rows of the
    /// edge month, in one transaction; returns how many events went.
    fn purge_before(&mut self, cutoff: i64) -> Result<u64, postgres::Error> {
        let mut tx = self.client.transaction()?;
        tx.execute(
            "SELECT pg_advisory_xact_lock($1)",
            &[&schema::LOCK_PARTITIONS],
        )?;
        let mut removed = 0;
        let mut dropped = Vec::new();
        for month in list_partitions(&mut tx)? {
            if month.next().start().is_some_and(|end| end <= cutoff) {
                let name = month.partition();
                let count: i64 = tx
                    .query_one(&format!("SELECT count(*) FROM {name}"), &[])?
                    .get(0);
                tx.batch_execute(&format!("DROP TABLE {name}"))?;
                removed += count.unsigned_abs();
                dropped.push(month);
            }
        }
        removed += tx.execute("DELETE FROM events WHERE at < $1", &[&cutoff])?;
        tx.commit()?;
        for month in dropped {
            self.partitions.remove(&month);
        }
        Ok(removed)
    }

    /// Turns a row into an entry, refusing codes this code does not know.
    fn entry(&self, row: &Row) -> Result<Entry, PostgresError> {
        let id: i64 = row.get(0);
        let controller: String = row.get(1);
        let unknown = |column, value: String| PostgresError::UnknownValue {
            name: self.database.name().to_owned(),
            controller: controller.clone(),
            id,
            column,
            value,
        };
        let kind: String = row.get(5);
        let kind = EventKind::from_code(&kind).ok_or_else(|| unknown("kind", kind.clone()))?;
        let reason = match row.get::<_, Option<String>>(6) {
            None => None,
            Some(code) => Some(reason_from_code(&code).ok_or_else(|| unknown("reason", code))?),
        };
        let medium = match row.get::<_, Option<String>>(10) {
            None => None,
            Some(code) => Some(Medium::from_code(&code).ok_or_else(|| unknown("medium", code))?),
        };
        let access_type = match row.get::<_, Option<String>>(11) {
            None => None,
            Some(code) => {
                Some(AccessType::from_code(&code).ok_or_else(|| unknown("access_type", code))?)
            }
        };
        let event = Event {
            at: row.get(2),
            site: row.get(3),
            door: row.get(4),
            kind,
            reason,
            user: row.get(7),
            card: row.get(8),
            detail: row.get(9),
            medium,
            access_type,
        };
        Ok(Entry {
            id,
            controller,
            event,
        })
    }

    /// A statement error while doing `action` on this database.
    fn fail(&self, action: &'static str, source: postgres::Error) -> PostgresError {
        PostgresError::Database {
            name: self.database.name().to_owned(),
            action,
            source,
        }
    }
}

/// Inserts `entries` in one statement through `client` (a connection or a
/// transaction), `conflict` saying what an identity already stored does.
fn insert_rows(
    client: &mut impl GenericClient,
    entries: &[Entry],
    conflict: &str,
) -> Result<u64, postgres::Error> {
    let columns = Columns::of(entries);
    let sql = format!(
        "INSERT INTO events (controller, seq, at, site, door, kind, reason, \"user\", card, detail,
                             medium, access_type)
         SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[],
                              $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                              $11::text[], $12::text[])
         {conflict}"
    );
    client.execute(
        sql.as_str(),
        &[
            &columns.controller,
            &columns.seq,
            &columns.at,
            &columns.site,
            &columns.door,
            &columns.kind,
            &columns.reason,
            &columns.user,
            &columns.card,
            &columns.detail,
            &columns.medium,
            &columns.access_type,
        ],
    )
}

impl EventStore for Postgres {
    fn name(&self) -> String {
        self.database.name().to_owned()
    }

    fn append(&mut self, entries: &[Entry]) -> Result<usize, StoreError> {
        if let Some(problem) = entries.iter().find_map(|entry| entry.event.problem()) {
            let name = self.database.name().to_owned();
            return Err(PostgresError::InvalidEvent { name, problem }.into());
        }
        if entries.is_empty() {
            return Ok(0);
        }
        self.ensure_partitions(entries)?;
        let added = match self.insert(entries) {
            // A partition another controller's purge dropped since: make it again.
            Err(e) if e.code() == Some(&postgres::error::SqlState::CHECK_VIOLATION) => {
                self.partitions.clear();
                self.ensure_partitions(entries)?;
                self.insert(entries)
            }
            other => other,
        };
        let added = added.map_err(|e| self.fail("append events", e))?;
        Ok(usize::try_from(added).unwrap_or(usize::MAX))
    }

    fn query(&mut self, query: &Query) -> Result<Vec<Entry>, StoreError> {
        let (sql, values) = select(query);
        let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_sql()).collect();
        let rows = self
            .client
            .query(sql.as_str(), &params)
            .map_err(|e| self.fail("query", e))?;
        Ok(rows
            .iter()
            .map(|row| self.entry(row))
            .collect::<Result<_, _>>()?)
    }

    fn purge(&mut self, now: i64, retention: Duration) -> Result<usize, StoreError> {
        let removed = self
            .purge_before(cutoff(now, retention))
            .map_err(|e| self.fail("purge old events", e))?;
        Ok(usize::try_from(removed).unwrap_or(usize::MAX))
    }

    fn schema_version(&mut self) -> Result<i64, StoreError> {
        let row = self
            .client
            .query_one("SELECT max(version) FROM journal_schema", &[])
            .map_err(|e| self.fail("read the schema version", e))?;
        Ok(row.get::<_, Option<i64>>(0).unwrap_or(0))
    }
}

/// The months that have a partition, oldest first.
fn list_partitions(
    client: &mut impl postgres::GenericClient,
) -> Result<Vec<Month>, postgres::Error> {
    let rows = client.query(
        "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'events'::regclass AND c.relkind = 'r'",
        &[],
    )?;
    let mut months: Vec<Month> = rows
        .iter()
        .filter_map(|row| Month::from_partition(row.get(0)))
        .collect();
    months.sort();
    Ok(months)
}

/// One parameter of a query.
enum Value {
    Text(String),
    Integer(i64),
    Texts(Vec<String>),
}

impl Value {
    fn as_sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Value::Text(text) => text,
            Value::Integer(number) => number,
            Value::Texts(texts) => texts,
        }
    }
}

/// The select for `query`, newest first, with its parameters. Only the conditions
/// asked for appear, so that PostgreSQL prunes partitions by `at` and picks the
/// (door, at) or (at) index.
fn select(query: &Query) -> (String, Vec<Value>) {
    let mut values = Vec::new();
    let mut written = Vec::new();
    for condition in query.conditions() {
        values.push(match condition.operand {
            Operand::Text(text) => Value::Text(text),
            Operand::Integer(number) => Value::Integer(number),
            Operand::Texts(texts) => Value::Texts(texts),
        });
        let (column, n) = (condition.column, values.len());
        written.push(match condition.test.operator() {
            Some(operator) => format!("{column} {operator} ${n}"),
            None => format!("{column} = ANY(${n})"),
        });
    }
    let filter = where_clause(&written);
    let limit = query.limit.map_or("ALL".to_owned(), |n| n.to_string());
    let sql = format!("SELECT {COLUMNS} FROM events{filter} {NEWEST_FIRST} LIMIT {limit}");
    (sql, values)
}

/// A batch of entries as one array per column, for `UNNEST`.
struct Columns<'a> {
    controller: Vec<&'a str>,
    seq: Vec<i64>,
    at: Vec<i64>,
    site: Vec<&'a str>,
    door: Vec<&'a str>,
    kind: Vec<&'static str>,
    reason: Vec<Option<&'static str>>,
    user: Vec<Option<&'a str>>,
    card: Vec<Option<&'a str>>,
    detail: Vec<Option<&'a str>>,
    medium: Vec<Option<&'static str>>,
    access_type: Vec<Option<&'static str>>,
}

impl<'a> Columns<'a> {
    fn of(entries: &'a [Entry]) -> Columns<'a> {
        let column = |f: &dyn Fn(&'a Entry) -> Option<&'a str>| entries.iter().map(f).collect();
        Columns {
            controller: entries.iter().map(|e| e.controller.as_str()).collect(),
            seq: entries.iter().map(|e| e.id).collect(),
            at: entries.iter().map(|e| e.event.at).collect(),
            site: entries.iter().map(|e| e.event.site.as_str()).collect(),
            door: entries.iter().map(|e| e.event.door.as_str()).collect(),
            kind: entries.iter().map(|e| e.event.kind.code()).collect(),
            reason: entries
                .iter()
                .map(|e| e.event.reason.map(|r| r.code()))
                .collect(),
            user: column(&|e| e.event.user.as_deref()),
            card: column(&|e| e.event.card.as_deref()),
            detail: column(&|e| e.event.detail.as_deref()),
            medium: entries
                .iter()
                .map(|e| e.event.medium.map(Medium::code))
                .collect(),
            access_type: entries
                .iter()
                .map(|e| e.event.access_type.map(AccessType::code))
                .collect(),
        }
    }
}

/// Appends `entry` to `line` as one line of `COPY`'s text format.
fn copy_line(line: &mut String, entry: &Entry) {
    let event = &entry.event;
    let fields: [Option<&str>; 12] = [
        Some(&entry.controller),
        None,
        None,
        Some(&event.site),
        Some(&event.door),
        Some(event.kind.code()),
        event.reason.map(|r| r.code()),
        event.user.as_deref(),
        event.card.as_deref(),
        event.detail.as_deref(),
        event.medium.map(Medium::code),
        event.access_type.map(AccessType::code),
    ];
    for (index, field) in fields.iter().enumerate() {
        if index > 0 {
            line.push('\t');
        }
        match index {
            1 => line.push_str(&entry.id.to_string()),
            2 => line.push_str(&event.at.to_string()),
            _ => match field {
                None => line.push_str("\\N"),
                Some(text) => escape_copy(line, text),
            },
        }
    }
    line.push('\n');
}

/// `text` escaped for `COPY`'s text format.
fn escape_copy(line: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => line.push_str("\\\\"),
            '\t' => line.push_str("\\t"),
            '\n' => line.push_str("\\n"),
            '\r' => line.push_str("\\r"),
            c => line.push(c),
        }
    }
}
