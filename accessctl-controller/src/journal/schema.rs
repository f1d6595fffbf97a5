//! The journal's schema as an ordered list of migrations.
//!
//! Owns the SQL that creates and evolves the tables. A released migration is never
//! edited: a change is a new step at the end. Each step runs in its own transaction
//! together with the `PRAGMA user_version` that records it.

use rusqlite::Connection;

/// The migrations, in order: step `i` brings the schema to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // Version 1: the events table and its indexes.
    "CREATE TABLE events (
        id      INTEGER PRIMARY KEY,
        at      INTEGER NOT NULL,
        site    TEXT    NOT NULL,
        door    TEXT    NOT NULL CHECK (door <> ''),
        kind    TEXT    NOT NULL CHECK (kind IN ('opened', 'denied', 'unknown_card',
                    'reader_offline', 'reader_online', 'tamper', 'bad_parity')),
        reason  TEXT,
        user    TEXT,
        card    TEXT    CHECK (card IS NULL OR kind = 'unknown_card'),
        detail  TEXT
    );
    CREATE INDEX events_door_at ON events (door, at);
    CREATE INDEX events_at ON events (at);",
    // Version 2: the kinds `unreadable_card` and `power`. SQLite cannot change a CHECK,
    // so the table is rebuilt with its rows and indexes; the unreadable reads version 1
    // kept as `denied` (no reason, an `unreadable card: …` detail) take their own kind.
    "CREATE TABLE events_v2 (
        id      INTEGER PRIMARY KEY,
        at      INTEGER NOT NULL,
        site    TEXT    NOT NULL,
        door    TEXT    NOT NULL CHECK (door <> ''),
        kind    TEXT    NOT NULL CHECK (kind IN ('opened', 'denied', 'unknown_card',
                    'reader_offline', 'reader_online', 'tamper', 'bad_parity',
                    'unreadable_card', 'power')),
        reason  TEXT,
        user    TEXT,
        card    TEXT    CHECK (card IS NULL OR kind = 'unknown_card'),
        detail  TEXT
    );
    INSERT INTO events_v2 (id, at, site, door, kind, reason, user, card, detail)
        SELECT id, at, site, door, kind, reason, user, card, detail FROM events;
    UPDATE events_v2 SET kind = 'unreadable_card'
        WHERE kind = 'denied' AND reason IS NULL AND detail LIKE 'unreadable card: %';
    DROP TABLE events;
    ALTER TABLE events_v2 RENAME TO events;
    CREATE INDEX events_door_at ON events (door, at);
    CREATE INDEX events_at ON events (at);",
    // Version 3: the kinds `keypad_lockout` (a keypad locked after wrong entries),
    // `reader_fault` (a PD that will not come online, or reports what it does not
    // declare, with the cause) and `audit_refused` (a lock's audit record the
    // controller would not believe); and the keypads' memory, one row per door (a
    // JSON document: each reader's wrong entries and lockout, the one-time offline
    // codes used), so that a restarted controller forgets none of them; and the lock
    // images each door was sent (issue instant, holders' names, space codes: a JSON
    // document), so that a restarted controller can still check the audit records a
    // lock decided with an image its previous run sent.
    "CREATE TABLE events_v3 (
        id      INTEGER PRIMARY KEY,
        at      INTEGER NOT NULL,
        site    TEXT    NOT NULL,
        door    TEXT    NOT NULL CHECK (door <> ''),
        kind    TEXT    NOT NULL CHECK (kind IN ('opened', 'denied', 'unknown_card',
                    'reader_offline', 'reader_online', 'tamper', 'bad_parity',
                    'unreadable_card', 'power', 'keypad_lockout', 'reader_fault',
                    'audit_refused')),
        reason  TEXT,
        user    TEXT,
        card    TEXT    CHECK (card IS NULL OR kind = 'unknown_card'),
        detail  TEXT
    );
    INSERT INTO events_v3 (id, at, site, door, kind, reason, user, card, detail)
        SELECT id, at, site, door, kind, reason, user, card, detail FROM events;
    DROP TABLE events;
    ALTER TABLE events_v3 RENAME TO events;
    CREATE INDEX events_door_at ON events (door, at);
    CREATE INDEX events_at ON events (at);
    CREATE TABLE keypads (
        door    TEXT    PRIMARY KEY CHECK (door <> ''),
        state   TEXT    NOT NULL
    );
    CREATE TABLE lock_images (
        door    TEXT    NOT NULL CHECK (door <> ''),
        issued  INTEGER NOT NULL,
        image   TEXT    NOT NULL,
        PRIMARY KEY (door, issued)
    );",
    // Version 4: every event's stable identity, the controller that recorded it and
    // its sequence number there, unique together, so that a store receiving an event
    // twice (a flush retried after a crash) keeps it once. The controller's own
    // identity (drawn at random once, or given by its operator before its first
    // event) and its next sequence number are kept in `controller`; rows of version 3
    // become this controller's, their row ids their sequence numbers. `spool` is how
    // far this controller's events are committed to the shared store it flushes to
    // (PostgreSQL): the events after `flushed` are its spool.
    "CREATE TABLE controller (
        one      INTEGER PRIMARY KEY CHECK (one = 1),
        id       TEXT    NOT NULL CHECK (id <> ''),
        next_seq INTEGER NOT NULL CHECK (next_seq > 0)
    );
    INSERT INTO controller (one, id, next_seq)
        SELECT 1, 'c-' || lower(hex(randomblob(8))), COALESCE(MAX(id), 0) + 1 FROM events;
    CREATE TABLE events_v4 (
        id         INTEGER PRIMARY KEY,
        controller TEXT    NOT NULL CHECK (controller <> ''),
        seq        INTEGER NOT NULL CHECK (seq > 0),
        at         INTEGER NOT NULL,
        site       TEXT    NOT NULL,
        door       TEXT    NOT NULL CHECK (door <> ''),
        kind       TEXT    NOT NULL CHECK (kind IN ('opened', 'denied', 'unknown_card',
                       'reader_offline', 'reader_online', 'tamper', 'bad_parity',
                       'unreadable_card', 'power', 'keypad_lockout', 'reader_fault',
                       'audit_refused')),
        reason     TEXT,
        user       TEXT,
        card       TEXT    CHECK (card IS NULL OR kind = 'unknown_card'),
        detail     TEXT,
        UNIQUE (controller, seq)
    );
    INSERT INTO events_v4 (id, controller, seq, at, site, door, kind, reason, user, card,
                           detail)
        SELECT id, (SELECT id FROM controller), id, at, site, door, kind, reason, user,
               card, detail
        FROM events;
    DROP TABLE events;
    ALTER TABLE events_v4 RENAME TO events;
    CREATE INDEX events_door_at ON events (door, at);
    CREATE INDEX events_at ON events (at);
    CREATE TABLE spool (
        one     INTEGER PRIMARY KEY CHECK (one = 1),
        target  TEXT    NOT NULL,
        flushed INTEGER NOT NULL CHECK (flushed >= 0)
    );",
    // Version 5: anti-passback. `presence` keeps who is inside each zone this
    // controller's doors lead into: per zone and occupant (a user's name, a card's
    // number, a guest as `APPOINTMENT/GUEST`), the last movement (entry or exit, its
    // instant) and the door passed. The kind `presence_reset` journals an admin's
    // reset of one occupant's state (its `door` column holds the zone's name).
    "CREATE TABLE presence (
        zone      TEXT    NOT NULL CHECK (zone <> ''),
        kind      TEXT    NOT NULL CHECK (kind IN ('user', 'card', 'guest')),
        occupant  TEXT    NOT NULL CHECK (occupant <> ''),
        direction TEXT    NOT NULL CHECK (direction IN ('entry', 'exit')),
        at        INTEGER NOT NULL,
        door      TEXT    NOT NULL,
        PRIMARY KEY (zone, kind, occupant)
    );
    CREATE INDEX presence_zone_direction ON presence (zone, direction);
    CREATE TABLE events_v5 (
        id         INTEGER PRIMARY KEY,
        controller TEXT    NOT NULL CHECK (controller <> ''),
        seq        INTEGER NOT NULL CHECK (seq > 0),
        at         INTEGER NOT NULL,
        site       TEXT    NOT NULL,
        door       TEXT    NOT NULL CHECK (door <> ''),
        kind       TEXT    NOT NULL CHECK (kind IN ('opened', 'denied', 'unknown_card',
                       'reader_offline', 'reader_online', 'tamper', 'bad_parity',
                       'unreadable_card', 'power', 'keypad_lockout', 'reader_fault',
                       'audit_refused', 'presence_reset')),
        reason     TEXT,
        user       TEXT,
        card       TEXT    CHECK (card IS NULL OR kind = 'unknown_card'),
        detail     TEXT,
        UNIQUE (controller, seq)
    );
    INSERT INTO events_v5 (id, controller, seq, at, site, door, kind, reason, user, card,
                           detail)
        SELECT id, controller, seq, at, site, door, kind, reason, user, card, detail
        FROM events;
    DROP TABLE events;
    ALTER TABLE events_v5 RENAME TO events;
    CREATE INDEX events_door_at ON events (door, at);
    CREATE INDEX events_at ON events (at);",
    // Version 6: the seeds' history filters. Each decision's medium (how the
    // credential was presented: `badge`, `pin`, `code`, `qr`, `mobile`, `remote`) and
    // access type (under what right: `permanent`, `appointment`, `space_code`,
    // `offline_code`, `remote`); rows of version 5 keep both NULL (not recorded then).
    // Indexes by medium, access type and user, each with the instant, so that a
    // 60-day window filtered by one of them reads only its rows.
    "ALTER TABLE events ADD COLUMN medium TEXT CHECK (medium IS NULL OR medium IN
        ('badge', 'pin', 'code', 'qr', 'mobile', 'remote'));
    ALTER TABLE events ADD COLUMN access_type TEXT CHECK (access_type IS NULL OR
        access_type IN ('permanent', 'appointment', 'space_code', 'offline_code',
        'remote'));
    CREATE INDEX events_medium_at ON events (medium, at);
    CREATE INDEX events_access_type_at ON events (access_type, at);
    CREATE INDEX events_user_at ON events (user, at);",
];

/// The newest schema version this code knows.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

/// The version recorded in the database.
pub fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Runs the migrations after `from`, each in one transaction with its version.
pub fn migrate(conn: &mut Connection, from: i64) -> rusqlite::Result<()> {
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let to = index as i64 + 1;
        if to > from {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", to)?;
            tx.commit()?;
        }
    }
    Ok(())
}
