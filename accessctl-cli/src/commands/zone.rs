//! `accessctl zone show` and `zone reset`: who is inside an anti-passback zone, and
//! an admin's reset of one occupant's state, from the presence store `--journal`
//! names: a controller's local database, or a fleet's PostgreSQL.
//!
//! Owns the commands' renderings (a table in UTC, one JSON document) and their exit
//! codes. The zone, its occupants and the reset are the controller crate's
//! ([`crate::controller::zone`]). It must never create a journal that does not exist,
//! and never write one except to reset (and journal the reset).

use accessctl_core::Timestamp;
use serde::Serialize;

use crate::args::{Format, ZoneArgs, ZoneCommand, ZoneResetArgs, ZoneShowArgs};
use crate::commands::journal::JournalCommandError;
use crate::console::Console;
use crate::controller::presence::Whereabouts;
use crate::controller::zone::{self, Reset, Whose, ZoneError, ZoneStore, ZoneView};
use crate::error::CliError;
use crate::exit::Exit;
use crate::journal::Location;
use crate::query::QueryPolicy;
use crate::render::json::{document, SCHEMA_VERSION};
use crate::{instant, table};

impl From<ZoneError> for CliError {
    fn from(error: ZoneError) -> CliError {
        match error {
            ZoneError::Policy(error) => CliError::from(error),
            other => CliError::Zone(other),
        }
    }
}

/// The stable `kind` of a zone command's error in JSON output.
pub fn error_kind(error: &ZoneError) -> &'static str {
    match error {
        ZoneError::Missing { .. } => "journal_missing",
        ZoneError::Journal(_) | ZoneError::Store(_) => "journal_failed",
        ZoneError::Presence(_) => "presence_failed",
        ZoneError::Policy(_) => "invalid_policy",
    }
}

/// How to fix a zone command's error, when known.
pub fn error_help(error: &ZoneError) -> Option<String> {
    match error {
        ZoneError::Missing { .. } => Some(
            "give the file `controller run --journal` writes, or the fleet's postgres:// URL"
                .into(),
        ),
        _ => None,
    }
}

/// Runs `zone show` or `zone reset`.
pub fn run(args: &ZoneArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    match &args.command {
        ZoneCommand::Show(args) => show(args, console),
        ZoneCommand::Reset(args) => reset(args, console),
    }
}

/// Runs `zone show`: exit 0 when someone is inside, 1 when nobody is.
fn show(args: &ZoneShowArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let policy = QueryPolicy::load(&args.policy.path)?;
    let mut store = open(&args.journal)?;
    let view = zone::inside(&policy, &args.zone, store.presence())?;
    let text = match args.format.value {
        Format::Human => human(&view).into_bytes(),
        Format::Json => document(&ShowDocument {
            version: SCHEMA_VERSION,
            zone: &view.zone,
            title: view.title.as_deref(),
            kind: &view.kind,
            tracking: view.tracking,
            inside: view.inside.iter().map(JsonOccupant::of).collect(),
        }),
    };
    console.out.write_all(&text)?;
    Ok(Exit::answer(!view.inside.is_empty()))
}

/// Runs `zone reset`: exit 0 when a state was forgotten, 1 when none was recorded
/// (journaled all the same).
fn reset(args: &ZoneResetArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let policy = QueryPolicy::load(&args.policy.path)?;
    let mut store = open(&args.journal)?;
    let whose = match (&args.user, args.card) {
        (Some(user), _) => Whose::User(user.clone()),
        (None, Some(card)) => Whose::Card(card),
        // clap requires one of the two.
        (None, None) => Whose::User(String::new()),
    };
    let done = zone::reset_recorded(&policy, &args.zone, &whose, &mut store, instant::now())?;
    let text = match args.format.value {
        Format::Human => reset_human(&done).into_bytes(),
        Format::Json => document(&ResetDocument {
            version: SCHEMA_VERSION,
            zone: &done.zone,
            reset: !done.was.is_empty(),
            was: done.was.iter().map(JsonOccupant::of).collect(),
            detail: done.event.detail.as_deref().unwrap_or_default(),
        }),
    };
    console.out.write_all(&text)?;
    Ok(Exit::answer(!done.was.is_empty()))
}

/// The store `--journal` names, which must exist.
fn open(journal: &str) -> Result<ZoneStore, CliError> {
    let location = Location::parse(journal).map_err(JournalCommandError::Location)?;
    Ok(ZoneStore::open(&location)?)
}

fn utc(at: Timestamp) -> String {
    instant::utc(at)
}

/// The table of who is inside.
fn human(view: &ZoneView) -> String {
    let title = view
        .title
        .as_ref()
        .map(|t| format!(" \"{t}\""))
        .unwrap_or_default();
    let head = format!(
        "zone {}{title} ({}, per {})",
        view.zone, view.kind, view.tracking
    );
    if view.inside.is_empty() {
        return format!("{head}: nobody inside\n");
    }
    let mut rows = vec![["occupant", "since (UTC)", "through"]
        .map(str::to_owned)
        .to_vec()];
    rows.extend(
        view.inside
            .iter()
            .map(|w| vec![w.occupant.to_string(), utc(w.movement.at), w.door.clone()]),
    );
    let count = crate::census::plural(view.inside.len(), "occupant");
    format!(
        "{head}: {count} inside, longest first:\n{}",
        table::render(&rows)
    )
}

/// The reset in a line.
fn reset_human(done: &Reset) -> String {
    format!("{}\n", done.event.detail.as_deref().unwrap_or_default())
}

/// The JSON document of `zone show`.
#[derive(Serialize)]
struct ShowDocument<'a> {
    /// [`SCHEMA_VERSION`].
    version: u32,
    /// The zone's name.
    zone: &'a str,
    /// Its title, `null` when it has none.
    title: Option<&'a str>,
    /// `hard`, `soft` or `timed N min`.
    kind: &'a str,
    /// `user` or `card`.
    tracking: &'static str,
    /// Who is inside, longest first.
    inside: Vec<JsonOccupant<'a>>,
}

/// The JSON document of `zone reset`.
#[derive(Serialize)]
struct ResetDocument<'a> {
    /// [`SCHEMA_VERSION`].
    version: u32,
    /// The zone's name.
    zone: &'a str,
    /// Whether a state was forgotten.
    reset: bool,
    /// What was recorded before.
    was: Vec<JsonOccupant<'a>>,
    /// The journal event's detail.
    detail: &'a str,
}

/// One occupant in JSON.
#[derive(Serialize)]
struct JsonOccupant<'a> {
    /// `user`, `card` or `guest`.
    kind: &'static str,
    /// The user's name, the card's number, or `APPOINTMENT/GUEST`.
    name: &'a str,
    /// `entry` (inside) or `exit`.
    direction: &'static str,
    /// Since when, `2026-11-23T08:55:00Z`.
    since: String,
    /// The door passed.
    door: &'a str,
}

impl<'a> JsonOccupant<'a> {
    fn of(w: &'a Whereabouts) -> JsonOccupant<'a> {
        JsonOccupant {
            kind: w.occupant.kind.code(),
            name: &w.occupant.name,
            direction: w.movement.direction.as_str(),
            since: utc(w.movement.at),
            door: &w.door,
        }
    }
}
