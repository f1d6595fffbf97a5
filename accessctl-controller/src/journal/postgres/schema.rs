//! The PostgreSQL journal's schema as an ordered list of migrations, and the
//! advisory locks that keep two controllers from migrating or partitioning at once.
//!
//! Owns the SQL that creates and evolves the shared tables. A released migration is
//! never edited: a change is a new step at the end. The version lives in the one row
//! of `journal_schema`; all steps run in one transaction with it, under
//! [`LOCK_SCHEMA`], so a fleet starting together migrates once. It never creates a
//! month's partition (see [`super::partition`]) and never touches a controller's
//! local tables (keypads, lock images), which stay in its SQLite database.

use postgres::Transaction;

/// The advisory lock held while migrating (`'acct'`, `'sche'`).
pub const LOCK_SCHEMA: i64 = 0x6163_6374_7363_6865;

/// The advisory lock held while creating or dropping partitions (`'acct'`, `'part'`).
pub const LOCK_PARTITIONS: i64 = 0x6163_6374_7061_7274;

/// The advisory lock held while an event written straight to the database (by a tool
/// with no spool, such as `zone reset`) takes its controller's next sequence number
/// (`'acct'`, `'next'`).
pub const LOCK_NEXT_SEQ: i64 = 0x6163_6374_6e65_7874;

/// The migrations, in order: step `i` brings the schema to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // Version 1: the events of every controller, partitioned by month of their
    // instant (one partition per month written, created on demand, named
    // `events_pYYYYMM`). A partitioned table's unique key must hold its partition
    // key, so the identity is kept unique as (controller, seq, at): an event sent
    // again is the same event at the same instant, and conflicts.
    "CREATE TABLE events (
        controller TEXT   NOT NULL CHECK (controller <> ''),
        seq        BIGINT NOT NULL CHECK (seq > 0),
        at         BIGINT NOT NULL,
        site       TEXT   NOT NULL,
        door       TEXT   NOT NULL CHECK (door <> ''),
        kind       TEXT   NOT NULL CONSTRAINT events_kind CHECK (kind IN ('opened',
                       'denied', 'unknown_card', 'reader_offline', 'reader_online',
                       'tamper', 'bad_parity', 'unreadable_card', 'power',
                       'keypad_lockout', 'reader_fault', 'audit_refused')),
        reason     TEXT,
        \"user\"     TEXT,
        card       TEXT   CHECK (card IS NULL OR kind = 'unknown_card'),
        detail     TEXT,
        PRIMARY KEY (controller, seq, at)
    ) PARTITION BY RANGE (at);
    CREATE INDEX events_door_at ON events (door, at);
    CREATE INDEX events_at ON events (at);",
    // Version 2: the kind `presence_reset` (an admin's reset of one occupant's
    // anti-passback state; its door is the zone's name).
    "ALTER TABLE events DROP CONSTRAINT events_kind;
    ALTER TABLE events ADD CONSTRAINT events_kind CHECK (kind IN ('opened', 'denied',
        'unknown_card', 'reader_offline', 'reader_online', 'tamper', 'bad_parity',
        'unreadable_card', 'power', 'keypad_lockout', 'reader_fault', 'audit_refused',
        'presence_reset'));",
    // Version 3: the seeds' history filters. Each decision's medium and access type
    // (NULL for the rows of version 2, which did not record them; added on the
    // partitioned parent, so every month's partition has them), and indexes by
    // medium, access type and user with the instant (made on every partition).
    "ALTER TABLE events
        ADD COLUMN medium TEXT CONSTRAINT events_medium CHECK (medium IS NULL OR medium
            IN ('badge', 'pin', 'code', 'qr', 'mobile', 'remote')),
        ADD COLUMN access_type TEXT CONSTRAINT events_access_type CHECK (access_type
            IS NULL OR access_type IN ('permanent', 'appointment', 'space_code',
            'offline_code', 'remote'));
    CREATE INDEX events_medium_at ON events (medium, at);
    CREATE INDEX events_access_type_at ON events (access_type, at);
    CREATE INDEX events_user_at ON events (\"user\", at);",
];

/// The newest schema version this code knows.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

/// Takes the schema lock and makes the version table if there is none.
pub fn lock(tx: &mut Transaction<'_>) -> Result<(), postgres::Error> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_SCHEMA])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS journal_schema (version BIGINT NOT NULL)")
}

/// The version recorded (0 for a database without a journal).
pub fn version(tx: &mut Transaction<'_>) -> Result<i64, postgres::Error> {
    let row = tx.query_opt("SELECT max(version) FROM journal_schema", &[])?;
    Ok(row
        .and_then(|row| row.get::<_, Option<i64>>(0))
        .unwrap_or(0))
}

/// Runs the migrations after `from` and records the latest version.
pub fn migrate(tx: &mut Transaction<'_>, from: i64) -> Result<(), postgres::Error> {
    if from >= latest() {
        return Ok(());
    }
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        if index as i64 + 1 > from {
            tx.batch_execute(sql)?;
        }
    }
    tx.execute("DELETE FROM journal_schema", &[])?;
    tx.execute(
        "INSERT INTO journal_schema (version) VALUES ($1)",
        &[&latest()],
    )?;
    Ok(())
}
