//! The shared presence store on PostgreSQL: who is inside a zone that spans several
//! controllers, in the database their event store flushes to.
//!
//! Owns the `presence` table there (its own versioned migrations in
//! `presence_schema`, run under an advisory lock so that a fleet starting together
//! migrates once) and the connection to it, made again on the next call once lost.
//! Unlike the event store, it is on the door's path: a controller asks it before a
//! passage through a zone door, and when it cannot answer the zone's
//! `unreachable open|closed` rule applies. It must never print a password (the
//! database is shown by [`Database::name`]), never wait longer than the URL's
//! `connect_timeout`, and never touch the events.

use accessctl_core::decide::Movement;
use postgres::{Client, NoTls, Row};

use super::Whereabouts;
use super::{by_arrival, movement, OccupantKey, OccupantKind, PresenceError, PresenceStore};
use crate::journal::postgres::Database;

/// The advisory lock held while migrating the presence table (`'acct'`, `'pres'`).
pub const LOCK_PRESENCE: i64 = 0x6163_6374_7072_6573;

/// The migrations, in order: step `i` brings the presence schema to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // Version 1: one row per zone and occupant, its last movement and door.
    "CREATE TABLE presence (
        zone      TEXT   NOT NULL CHECK (zone <> ''),
        kind      TEXT   NOT NULL CHECK (kind IN ('user', 'card', 'guest')),
        occupant  TEXT   NOT NULL CHECK (occupant <> ''),
        direction TEXT   NOT NULL CHECK (direction IN ('entry', 'exit')),
        at        BIGINT NOT NULL,
        door      TEXT   NOT NULL,
        PRIMARY KEY (zone, kind, occupant)
    );
    CREATE INDEX presence_zone_direction ON presence (zone, direction);",
];

/// The presence of a fleet's zones, kept in PostgreSQL.
pub struct PostgresPresence {
    database: Database,
    client: Option<Client>,
}

impl std::fmt::Debug for PostgresPresence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresPresence")
            .field("database", &self.database.name())
            .finish_non_exhaustive()
    }
}

impl PostgresPresence {
    /// The store of `database`, connected (and its table brought up to date) on first
    /// use: a controller starts even while the database is out of reach, and its zones
    /// then fail open or closed as they say.
    pub fn lazy(database: &Database) -> PostgresPresence {
        PostgresPresence {
            database: database.clone(),
            client: None,
        }
    }

    /// Connects to `database` and brings the presence table up to date.
    pub fn connect(database: &Database) -> Result<PostgresPresence, PresenceError> {
        let mut store = PostgresPresence {
            database: database.clone(),
            client: None,
        };
        store.client()?;
        Ok(store)
    }

    /// The connection, made (and the schema migrated) if there is none.
    fn client(&mut self) -> Result<&mut Client, PresenceError> {
        if self.client.as_ref().is_some_and(Client::is_closed) {
            self.client = None;
        }
        if self.client.is_none() {
            let mut client = self
                .database
                .config()
                .connect(NoTls)
                .map_err(|e| self.fail("connect", e))?;
            migrate(&mut client).map_err(|e| self.fail("migrate the presence table", e))?;
            self.client = Some(client);
        }
        match self.client.as_mut() {
            Some(client) => Ok(client),
            None => Err(PresenceError::Unreachable {
                name: self.database.name().to_owned(),
            }),
        }
    }

    /// Runs `query` with `params` and keeps the rows; a failure drops a closed
    /// connection so that the next call connects again.
    fn rows(
        &mut self,
        action: &'static str,
        query: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<Row>, PresenceError> {
        let result = self.client()?.query(query, params);
        result.map_err(|e| self.fail(action, e))
    }

    fn fail(&mut self, action: &'static str, source: postgres::Error) -> PresenceError {
        if self.client.as_ref().is_some_and(Client::is_closed) {
            self.client = None;
        }
        PresenceError::Postgres {
            name: self.database.name().to_owned(),
            action,
            source,
        }
    }

    fn whereabouts(&self, zone: &str, row: &Row) -> Result<Whereabouts, PresenceError> {
        let unknown = |column, value: String| PresenceError::UnknownValue {
            name: self.database.name().to_owned(),
            zone: zone.to_owned(),
            column,
            value,
        };
        let (kind, name): (String, String) = (row.get(0), row.get(1));
        let (direction, at, door): (String, i64, String) = (row.get(2), row.get(3), row.get(4));
        let kind = OccupantKind::from_code(&kind).ok_or_else(|| unknown("kind", kind.clone()))?;
        let movement =
            movement(&direction, at).ok_or_else(|| unknown("direction", direction.clone()))?;
        Ok(Whereabouts {
            occupant: OccupantKey { kind, name },
            movement,
            door,
        })
    }

    fn row_of(
        &mut self,
        zone: &str,
        occupant: &OccupantKey,
    ) -> Result<Option<Whereabouts>, PresenceError> {
        let rows = self.rows(
            "read a presence",
            "SELECT kind, occupant, direction, at, door FROM presence
             WHERE zone = $1 AND kind = $2 AND occupant = $3",
            &[&zone, &occupant.kind.code(), &occupant.name],
        )?;
        rows.first()
            .map(|row| self.whereabouts(zone, row))
            .transpose()
    }
}

impl PresenceStore for PostgresPresence {
    fn name(&self) -> String {
        self.database.name().to_owned()
    }

    fn last(
        &mut self,
        zone: &str,
        occupant: &OccupantKey,
    ) -> Result<Option<Movement>, PresenceError> {
        Ok(self.row_of(zone, occupant)?.map(|w| w.movement))
    }

    fn record(
        &mut self,
        zone: &str,
        occupant: &OccupantKey,
        movement: Movement,
        door: &str,
    ) -> Result<(), PresenceError> {
        self.rows(
            "record a presence",
            "INSERT INTO presence (zone, kind, occupant, direction, at, door)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (zone, kind, occupant) DO UPDATE SET
               direction = excluded.direction, at = excluded.at, door = excluded.door",
            &[
                &zone,
                &occupant.kind.code(),
                &occupant.name,
                &movement.direction.as_str(),
                &movement.at.0,
                &door,
            ],
        )
        .map(drop)
    }

    fn inside(&mut self, zone: &str) -> Result<Vec<Whereabouts>, PresenceError> {
        let rows = self.rows(
            "list who is inside a zone",
            "SELECT kind, occupant, direction, at, door FROM presence
             WHERE zone = $1 AND direction = 'entry'",
            &[&zone],
        )?;
        let mut inside = rows
            .iter()
            .map(|row| self.whereabouts(zone, row))
            .collect::<Result<Vec<_>, _>>()?;
        inside.sort_by(by_arrival);
        Ok(inside)
    }

    fn reset(
        &mut self,
        zone: &str,
        occupant: &OccupantKey,
    ) -> Result<Option<Whereabouts>, PresenceError> {
        let rows = self.rows(
            "reset a presence",
            "DELETE FROM presence WHERE zone = $1 AND kind = $2 AND occupant = $3
             RETURNING kind, occupant, direction, at, door",
            &[&zone, &occupant.kind.code(), &occupant.name],
        )?;
        rows.first()
            .map(|row| self.whereabouts(zone, row))
            .transpose()
    }
}

/// Runs the presence migrations not yet recorded, in one transaction under
/// [`LOCK_PRESENCE`].
fn migrate(client: &mut Client) -> Result<(), postgres::Error> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_PRESENCE])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS presence_schema (version BIGINT NOT NULL)")?;
    let found: i64 = tx
        .query_opt("SELECT max(version) FROM presence_schema", &[])?
        .and_then(|row| row.get::<_, Option<i64>>(0))
        .unwrap_or(0);
    let latest = MIGRATIONS.len() as i64;
    if found >= latest {
        return tx.commit();
    }
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        if index as i64 + 1 > found {
            tx.batch_execute(sql)?;
        }
    }
    tx.execute("DELETE FROM presence_schema", &[])?;
    tx.execute(
        "INSERT INTO presence_schema (version) VALUES ($1)",
        &[&latest],
    )?;
    tx.commit()
}
