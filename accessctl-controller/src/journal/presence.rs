//! The presence store in the controller's local database: who is inside each
//! anti-passback zone its doors lead into.
//!
//! Owns the `presence` table (schema version 5): one row per zone and occupant, the
//! last movement (direction, instant) and the door passed. It serves the zones of one
//! controller; a zone spanning several is kept in the shared store
//! ([`crate::presence::postgres`]). It must never keep a PIN or a key (occupants are
//! names and card numbers), and never touch the events.

use rusqlite::{params, OptionalExtension, Row};

use super::Journal;
use crate::presence::{
    by_arrival, movement, OccupantKey, OccupantKind, PresenceError, PresenceStore, Whereabouts,
};
use accessctl_core::decide::Movement;

/// A row as stored: kind, occupant, direction, instant, door.
type RawRow = (String, String, String, i64, String);

impl Journal {
    /// Turns a stored row into whereabouts, refusing codes this code does not know.
    fn whereabouts(&self, zone: &str, raw: RawRow) -> Result<Whereabouts, PresenceError> {
        let (kind, name, direction, at, door) = raw;
        let unknown = |column, value: String| PresenceError::UnknownValue {
            name: self.path().display().to_string(),
            zone: zone.to_owned(),
            column,
            value,
        };
        let kind = OccupantKind::from_code(&kind).ok_or_else(|| unknown("kind", kind.clone()))?;
        let movement =
            movement(&direction, at).ok_or_else(|| unknown("direction", direction.clone()))?;
        Ok(Whereabouts {
            occupant: OccupantKey { kind, name },
            movement,
            door,
        })
    }

    /// The stored row of `occupant` in `zone`.
    fn presence_row(
        &self,
        zone: &str,
        occupant: &OccupantKey,
    ) -> Result<Option<Whereabouts>, PresenceError> {
        let read = || {
            self.conn
                .prepare_cached(
                    "SELECT kind, occupant, direction, at, door FROM presence
                     WHERE zone = ?1 AND kind = ?2 AND occupant = ?3",
                )?
                .query_row(params![zone, occupant.kind.code(), occupant.name], raw_row)
                .optional()
        };
        let raw = read().map_err(|e| self.fail("read a presence", e))?;
        raw.map(|raw| self.whereabouts(zone, raw)).transpose()
    }
}

impl PresenceStore for Journal {
    fn name(&self) -> String {
        self.path().display().to_string()
    }

    fn last(
        &mut self,
        zone: &str,
        occupant: &OccupantKey,
    ) -> Result<Option<Movement>, PresenceError> {
        Ok(self.presence_row(zone, occupant)?.map(|w| w.movement))
    }

    fn record(
        &mut self,
        zone: &str,
        occupant: &OccupantKey,
        movement: Movement,
        door: &str,
    ) -> Result<(), PresenceError> {
        self.conn
            .execute(
                "INSERT INTO presence (zone, kind, occupant, direction, at, door)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (zone, kind, occupant) DO UPDATE SET
                   direction = excluded.direction, at = excluded.at, door = excluded.door",
                params![
                    zone,
                    occupant.kind.code(),
                    occupant.name,
                    movement.direction.as_str(),
                    movement.at.0,
                    door
                ],
            )
            .map(drop)
            .map_err(|e| self.fail("record a presence", e).into())
    }

    fn inside(&mut self, zone: &str) -> Result<Vec<Whereabouts>, PresenceError> {
        let read = || {
            let mut statement = self.conn.prepare_cached(
                "SELECT kind, occupant, direction, at, door FROM presence
                 WHERE zone = ?1 AND direction = 'entry'",
            )?;
            let rows = statement.query_map(params![zone], raw_row)?;
            rows.collect::<rusqlite::Result<Vec<RawRow>>>()
        };
        let rows = read().map_err(|e| self.fail("list who is inside a zone", e))?;
        let mut inside = rows
            .into_iter()
            .map(|raw| self.whereabouts(zone, raw))
            .collect::<Result<Vec<_>, _>>()?;
        inside.sort_by(by_arrival);
        Ok(inside)
    }

    fn reset(
        &mut self,
        zone: &str,
        occupant: &OccupantKey,
    ) -> Result<Option<Whereabouts>, PresenceError> {
        let was = self.presence_row(zone, occupant)?;
        self.conn
            .execute(
                "DELETE FROM presence WHERE zone = ?1 AND kind = ?2 AND occupant = ?3",
                params![zone, occupant.kind.code(), occupant.name],
            )
            .map_err(|e| self.fail("reset a presence", e))?;
        Ok(was)
    }
}

/// Reads a row in `kind, occupant, direction, at, door` order.
fn raw_row(row: &Row<'_>) -> rusqlite::Result<RawRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    ))
}
