//! `accessctl journal show`, `journal export` and `journal purge`: the event journal
//! that `controller run` and `demo` write, read back for people, programs and
//! spreadsheets, from a controller's SQLite file or a fleet's PostgreSQL database.
//!
//! Owns the window of a query (at most 60 days, the retention; defaults filled from
//! the other bound or the clock), the renderings of the events (a table in UTC, one
//! JSON document, CSV, JSON lines), the export's file (written atomically) and the
//! purge's report. It must never create a journal that does not exist, never write
//! one except to purge, and never print a secret (the journal holds none, and a URL
//! is shown without its password).

use std::path::PathBuf;
use std::time::Duration;

use accessctl_core::time::WrittenTimestamp;
use accessctl_core::Timestamp;
use serde::Serialize;

use std::io::IsTerminal;

use crate::args::{
    ExportFormat, JournalExportArgs, JournalFilterArgs, JournalUnknownArgs, ListFormat,
};
use crate::args::{Format, JournalArgs, JournalCommand, JournalPurgeArgs, JournalShowArgs};
use crate::atomic::{EditError, Existing};
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
use crate::journal::postgres::{Postgres, PostgresError};
use crate::journal::{
    unknown_cards, Entry, EventKind, EventStore, Journal, JournalError, Location, Query,
    StoreError, UnknownCard,
};
use crate::query::QueryPolicy;
use crate::render::json::SCHEMA_VERSION;
use crate::{instant, table};

/// Seconds in a day.
const DAY: i64 = 24 * 60 * 60;

/// The first instant after [`instant::CALENDAR`], where every query window ends.
const CALENDAR_END: i64 = *instant::CALENDAR.end() + 1;

/// The longest window one query may cover, in days (the seed's rule, and the
/// journal's default retention).
pub const MAX_WINDOW_DAYS: i64 = 60;

/// Why `journal show` or `journal purge` cannot answer.
#[derive(Debug, thiserror::Error)]
pub enum JournalCommandError {
    /// `--journal` names no file; reading never creates one.
    #[error("journal {}: no such file", path.display())]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// The journal could not be opened, read or purged.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The journal (SQLite or PostgreSQL) could not be opened, read or purged.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// `--journal` starts like a PostgreSQL URL but does not read as one.
    #[error(transparent)]
    Location(PostgresError),
    /// The export's file could not be written (nothing was: it is atomic).
    #[error(transparent)]
    Output(#[from] EditError),
    /// `--since` to `--until` spans more than [`MAX_WINDOW_DAYS`].
    #[error("the window from {since} to {until} spans more than {MAX_WINDOW_DAYS} days")]
    WindowTooLong {
        /// The window's start, as shown.
        since: String,
        /// The window's end, as shown.
        until: String,
    },
    /// `--until` is not after `--since`.
    #[error("the window is empty: --until {until} is not after --since {since}")]
    EmptyWindow {
        /// The window's start, as shown.
        since: String,
        /// The window's end, as shown.
        until: String,
    },
}

impl JournalCommandError {
    /// The stable `kind` of the error in JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            JournalCommandError::Missing { .. } => "journal_missing",
            JournalCommandError::Journal(_) | JournalCommandError::Store(_) => "journal_failed",
            JournalCommandError::Output(_) => "write_failed",
            JournalCommandError::Location(_) => "invalid_journal",
            JournalCommandError::WindowTooLong { .. } => "window_too_long",
            JournalCommandError::EmptyWindow { .. } => "invalid_window",
        }
    }

    /// How to fix it, when known.
    pub fn help(&self) -> Option<String> {
        match self {
            JournalCommandError::Missing { .. } => {
                Some("give the file `controller run --journal` writes".into())
            }
            JournalCommandError::Store(StoreError::Postgres(PostgresError::Missing { .. })) => {
                Some("give the database `controller run --journal postgres://…` writes".into())
            }
            JournalCommandError::WindowTooLong { .. } => Some(format!(
                "ask for windows of at most {MAX_WINDOW_DAYS} days, one after the other"
            )),
            _ => None,
        }
    }
}

/// Runs `journal show` or `journal purge`.
pub fn run(args: &JournalArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    match &args.command {
        JournalCommand::Show(args) => show(args, console),
        JournalCommand::Export(args) => export(args, console),
        JournalCommand::Unknown(args) => unknown(args, console),
        JournalCommand::Purge(args) => purge(args, console),
    }
}

/// Runs `journal show`: exit 0 when events matched, 1 when none did.
fn show(args: &JournalShowArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let (entries, since, until) = select(&args.filter)?;
    let text = match args.format.value {
        ListFormat::Human => human(&entries, since, until),
        ListFormat::Json => json(&entries, since, until),
        ListFormat::Csv => csv(&entries).map_err(std::io::Error::from)?,
    };
    console.out.write_all(text.as_bytes())?;
    Ok(Exit::answer(!entries.is_empty()))
}

/// Runs `journal export`: the events oldest first, as CSV (with their controller)
/// or JSON lines, on standard output or atomically into `--output`; exit 0 when
/// events matched, 1 when none did (the file is written all the same).
fn export(args: &JournalExportArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let (mut entries, _, _) = select(&args.filter)?;
    entries.reverse();
    // A progress bar on a terminal only: none when standard error is piped.
    let progress = match std::io::stderr().is_terminal() {
        true => indicatif::ProgressBar::with_draw_target(
            u64::try_from(entries.len()).ok(),
            indicatif::ProgressDrawTarget::stderr(),
        ),
        false => indicatif::ProgressBar::hidden(),
    };
    let text = match args.format.value {
        ExportFormat::Csv => export_csv(&entries, &progress).map_err(std::io::Error::from)?,
        ExportFormat::Json => json_lines(&entries, &progress),
    };
    match &args.output {
        None => console.out.write_all(text.as_bytes())?,
        Some(path) => crate::atomic::write(path, text.as_bytes(), 0o644, Existing::Replace)
            .map_err(JournalCommandError::from)?,
    }
    progress.finish_and_clear();
    Ok(Exit::answer(!entries.is_empty()))
}

/// Runs `journal unknown`: the unknown cards of the window, the most recently seen
/// first; exit 0 when there was one, 1 when none.
fn unknown(args: &JournalUnknownArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let (since, until) = bounds(args.at.as_ref(), args.since.as_ref(), args.until.as_ref())?;
    let query = Query {
        kinds: vec![EventKind::UnknownCard],
        ..window_query(since, until)
    };
    let entries = open(&args.journal)?
        .query(&query)
        .map_err(JournalCommandError::from)?;
    let cards = unknown_cards(&entries);
    let text = match args.format.value {
        Format::Human => unknown_table(&cards, since, until),
        Format::Json => document(&UnknownDocument {
            version: SCHEMA_VERSION,
            since: utc(since),
            until: until.map(utc),
            cards: cards.iter().map(UnknownJson::new).collect(),
        }),
    };
    console.out.write_all(text.as_bytes())?;
    Ok(Exit::answer(!cards.is_empty()))
}

/// The unknown cards for people: a header line, then one line per card.
fn unknown_table(cards: &[UnknownCard], since: Timestamp, until: Option<Timestamp>) -> String {
    let window = window_text(since, until);
    if cards.is_empty() {
        return format!("no unknown cards {window}\n");
    }
    let mut rows = vec![[
        "card",
        "doors",
        "first seen (UTC)",
        "last seen (UTC)",
        "count",
    ]
    .map(str::to_owned)
    .to_vec()];
    rows.extend(cards.iter().map(|card| {
        let json = UnknownJson::new(card);
        vec![
            json.card.to_owned(),
            card.doors.join(", "),
            json.first_seen,
            json.last_seen,
            card.count.to_string(),
        ]
    }));
    let count = crate::census::plural(cards.len(), "unknown card");
    format!(
        "{count} {window}, most recently seen first:\n{}",
        table::render(&rows)
    )
}

/// The JSON document of `journal unknown`.
#[derive(Serialize)]
struct UnknownDocument<'a> {
    /// [`SCHEMA_VERSION`].
    version: u32,
    /// The window's start, included.
    since: String,
    /// The window's end, excluded; `null` when it has none.
    until: Option<String>,
    /// The cards, the most recently seen first.
    cards: Vec<UnknownJson<'a>>,
}

/// One unknown card in JSON, its instants in UTC.
#[derive(Serialize)]
struct UnknownJson<'a> {
    card: &'a str,
    doors: &'a [String],
    first_seen: String,
    last_seen: String,
    count: u64,
}

impl<'a> UnknownJson<'a> {
    fn new(card: &'a UnknownCard) -> UnknownJson<'a> {
        UnknownJson {
            card: &card.card,
            doors: &card.doors,
            first_seen: utc(Timestamp(card.first_seen)),
            last_seen: utc(Timestamp(card.last_seen)),
            count: card.count,
        }
    }
}

/// The window of `--at`, `--since` and `--until`: see [`window`].
fn bounds(
    at: Option<&WrittenTimestamp>,
    since: Option<&WrittenTimestamp>,
    until: Option<&WrittenTimestamp>,
) -> Result<(Timestamp, Option<Timestamp>), CliError> {
    let now = resolve(at)?.unwrap_or_else(instant::now);
    Ok(window(resolve(since)?, resolve(until)?, now)?)
}

/// A query of the window `[since, until)`, within the calendar.
fn window_query(since: Timestamp, until: Option<Timestamp>) -> Query {
    Query {
        since: Some(since.0.max(*instant::CALENDAR.start())),
        // An open window still ends with the calendar: a row beyond it (recorded
        // before the journal refused such instants) is never shown.
        until: Some(until.map_or(CALENDAR_END, |until| until.0.min(CALENDAR_END))),
        ..Query::default()
    }
}

/// The events the filter selects, newest first, with the window they were read in.
fn select(
    args: &JournalFilterArgs,
) -> Result<(Vec<Entry>, Timestamp, Option<Timestamp>), CliError> {
    let (since, until) = bounds(args.at.as_ref(), args.since.as_ref(), args.until.as_ref())?;
    let mut users = args.users.clone();
    if let (Some(account), Some(policy)) = (&args.account, &args.policy) {
        let members = QueryPolicy::load(policy)?.users_of_account(account)?;
        users = match users.is_empty() {
            true => members,
            false => users.into_iter().filter(|u| members.contains(u)).collect(),
        };
        if users.is_empty() {
            // Nobody in the account (or none of the users named): no event can match.
            return Ok((Vec::new(), since, until));
        }
    }
    let query = Query {
        doors: args.doors.clone(),
        users,
        card: args.card.clone(),
        kinds: args.kinds.clone(),
        media: args.media.clone(),
        access_types: args.access_types.clone(),
        limit: args.limit,
        ..window_query(since, until)
    };
    let entries = open(&args.journal)?
        .query(&query)
        .map_err(JournalCommandError::from)?;
    Ok((entries, since, until))
}

/// Runs `journal purge`: exit 0 with the count of events removed.
fn purge(args: &JournalPurgeArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let now = resolve(args.at.as_ref())?.unwrap_or_else(instant::now);
    let retention = Duration::from_secs(u64::from(args.older_than) * DAY.unsigned_abs());
    let mut journal = open(&args.journal)?;
    let removed = journal
        .purge(now.0, retention)
        .map_err(JournalCommandError::from)?;
    let before = utc(Timestamp(
        now.0.saturating_sub(i64::from(args.older_than) * DAY),
    ));
    let text = match args.format.value {
        Format::Human => format!(
            "removed {} older than {} (before {before})\n",
            crate::census::plural(removed, "event"),
            crate::census::plural(args.older_than as usize, "day")
        ),
        Format::Json => document(&PurgeDocument {
            version: SCHEMA_VERSION,
            removed,
            older_than_days: args.older_than,
            before,
        }),
    };
    console.out.write_all(text.as_bytes())?;
    Ok(Exit::Success)
}

/// An instant given on the command line, read as UTC when written without offset.
fn resolve(written: Option<&WrittenTimestamp>) -> Result<Option<Timestamp>, CliError> {
    match written {
        Some(written) => Ok(Some(written.resolve(chrono_tz::UTC)?)),
        None => Ok(None),
    }
}

/// The window `[since, until)` of a query: at most [`MAX_WINDOW_DAYS`] long. A
/// missing bound is filled from the other one; with neither, the window is the last
/// [`MAX_WINDOW_DAYS`] before `now`, without end (so that events stamped by a clock a
/// little ahead still show).
pub fn window(
    since: Option<Timestamp>,
    until: Option<Timestamp>,
    now: Timestamp,
) -> Result<(Timestamp, Option<Timestamp>), JournalCommandError> {
    let span = MAX_WINDOW_DAYS * DAY;
    match (since, until) {
        (None, None) => Ok((Timestamp(now.0.saturating_sub(span)), None)),
        (Some(since), None) => Ok((since, Some(Timestamp(since.0.saturating_add(span))))),
        (None, Some(until)) => Ok((Timestamp(until.0.saturating_sub(span)), Some(until))),
        (Some(since), Some(until)) => {
            let shown = || (utc(since), utc(until));
            if until.0 <= since.0 {
                let (since, until) = shown();
                Err(JournalCommandError::EmptyWindow { since, until })
            } else if until.0 - since.0 > span {
                let (since, until) = shown();
                Err(JournalCommandError::WindowTooLong { since, until })
            } else {
                Ok((since, Some(until)))
            }
        }
    }
}

/// Opens the journal at `location`, refusing to create it: an SQLite file must
/// exist, a PostgreSQL database must hold a journal already. `journal` is the
/// `--journal` text: a `postgres://` URL or a path.
fn open(journal: &str) -> Result<Box<dyn EventStore>, JournalCommandError> {
    match Location::parse(journal).map_err(JournalCommandError::Location)? {
        Location::Sqlite(path) => {
            if !path.exists() {
                return Err(JournalCommandError::Missing { path });
            }
            Ok(Box::new(Journal::open(path)?))
        }
        Location::Postgres(database) => {
            let store = Postgres::connect_existing(&database).map_err(StoreError::from)?;
            Ok(Box::new(store))
        }
    }
}

/// `at` in UTC, ISO 8601: `2026-11-23T08:55:00Z` (see [`instant::utc`]; the
/// journal refuses to record an event beyond its calendar).
pub use crate::instant::utc;

/// The window as people read it: `from … to …` or `from … on`.
fn window_text(since: Timestamp, until: Option<Timestamp>) -> String {
    match until {
        Some(until) => format!("from {} to {}", utc(since), utc(until)),
        None => format!("from {} on", utc(since)),
    }
}

/// The table for people: a header line, then one line per event, newest first.
fn human(entries: &[Entry], since: Timestamp, until: Option<Timestamp>) -> String {
    let window = window_text(since, until);
    if entries.is_empty() {
        return format!("no events {window}\n");
    }
    let head = [
        "time (UTC)",
        "site",
        "door",
        "event",
        "medium",
        "access",
        "who",
        "reason",
        "detail",
    ];
    // A fleet's journal names each event's controller; one controller's does not.
    let first = entries.first().map(|e| &e.controller);
    let fleet = entries.iter().any(|e| Some(&e.controller) != first);
    let row = |mut cells: Vec<String>, controller: &str| {
        if fleet {
            cells.insert(1, controller.to_owned());
        }
        cells
    };
    let mut rows = vec![row(head.map(str::to_owned).to_vec(), "controller")];
    rows.extend(
        entries
            .iter()
            .map(|entry| row(cells(entry).to_vec(), &entry.controller)),
    );
    let count = crate::census::plural(entries.len(), "event");
    format!("{count} {window}, newest first:\n{}", table::render(&rows))
}

/// The cells of one event for the table: time, site, door, kind, medium, access
/// type, who, reason, detail.
fn cells(entry: &Entry) -> [String; 9] {
    let event = &entry.event;
    let who = event.user.clone().or_else(|| event.card.clone());
    [
        utc(Timestamp(event.at)),
        event.site.clone(),
        event.door.clone(),
        event.kind.to_string(),
        event.medium.map(|m| m.to_string()).unwrap_or_default(),
        event.access_type.map(|a| a.to_string()).unwrap_or_default(),
        who.unwrap_or_default(),
        event
            .reason
            .map(|r| r.code().to_owned())
            .unwrap_or_default(),
        event.detail.clone().unwrap_or_default(),
    ]
}

/// One event in the JSON document: the entry with its time in UTC.
#[derive(Serialize)]
struct JsonEvent<'a> {
    /// `2026-11-23T08:55:00Z`.
    time: String,
    /// The entry: id, at (Unix seconds), site, door, kind, reason, user, card, detail.
    #[serde(flatten)]
    entry: &'a Entry,
}

/// The JSON document: `{"version": 1, "since", "until", "events": [...]}`.
fn json(entries: &[Entry], since: Timestamp, until: Option<Timestamp>) -> String {
    let events: Vec<JsonEvent<'_>> = entries
        .iter()
        .map(|entry| JsonEvent {
            time: utc(Timestamp(entry.event.at)),
            entry,
        })
        .collect();
    document(&ShowDocument {
        version: SCHEMA_VERSION,
        since: utc(since),
        until: until.map(utc),
        events,
    })
}

/// The JSON document of `journal show`.
#[derive(Serialize)]
struct ShowDocument<'a> {
    /// [`SCHEMA_VERSION`].
    version: u32,
    /// The window's start, included.
    since: String,
    /// The window's end, excluded; `null` when it has none.
    until: Option<String>,
    /// The events, newest first.
    events: Vec<JsonEvent<'a>>,
}

/// The JSON document of `journal purge`.
#[derive(Serialize)]
struct PurgeDocument {
    /// [`SCHEMA_VERSION`].
    version: u32,
    /// How many events were deleted.
    removed: usize,
    /// The retention, in days.
    older_than_days: u32,
    /// The events before this instant were deleted.
    before: String,
}

/// `value` as pretty JSON with a final newline.
fn document(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON lines of `journal export`: one object per event, as in `journal show
/// --format json` (with `time`), each on its line.
fn json_lines(entries: &[Entry], progress: &indicatif::ProgressBar) -> String {
    let mut text = String::new();
    for entry in entries {
        progress.inc(1);
        let line = JsonEvent {
            time: utc(Timestamp(entry.event.at)),
            entry,
        };
        text.push_str(&serde_json::to_string(&line).unwrap_or_default());
        text.push('\n');
    }
    text
}

/// The CSV of `journal export`: [`csv`]'s columns with the event's controller after
/// its id (which is its sequence number there).
fn export_csv(entries: &[Entry], progress: &indicatif::ProgressBar) -> Result<String, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record([
        "id",
        "controller",
        "time",
        "site",
        "door",
        "kind",
        "reason",
        "user",
        "card",
        "detail",
        "medium",
        "access_type",
    ])?;
    for entry in entries {
        progress.inc(1);
        let mut record = record(entry);
        record.insert(1, entry.controller.clone());
        writer.write_record(record)?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The CSV (RFC 4180, CRLF line ends, fields quoted only when needed): a header
/// record, then one record per event, newest first.
fn csv(entries: &[Entry]) -> Result<String, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record([
        "id",
        "time",
        "site",
        "door",
        "kind",
        "reason",
        "user",
        "card",
        "detail",
        "medium",
        "access_type",
    ])?;
    for entry in entries {
        writer.write_record(record(entry))?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The CSV fields of one event: id, time, site, door, kind, reason, user, card,
/// detail, medium, access type.
fn record(entry: &Entry) -> Vec<String> {
    let event = &entry.event;
    let optional = |value: &Option<String>| value.clone().unwrap_or_default();
    vec![
        entry.id.to_string(),
        utc(Timestamp(event.at)),
        event.site.clone(),
        event.door.clone(),
        event.kind.to_string(),
        event
            .reason
            .map(|r| r.code().to_owned())
            .unwrap_or_default(),
        optional(&event.user),
        optional(&event.card),
        optional(&event.detail),
        event
            .medium
            .map(|m| m.code().to_owned())
            .unwrap_or_default(),
        event
            .access_type
            .map(|a| a.code().to_owned())
            .unwrap_or_default(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::{Event, EventKind};

    #[test]
    fn a_window_is_at_most_sixty_days() {
        let day = |n: i64| Timestamp(n * DAY);
        assert_eq!(window(None, None, day(100)).unwrap(), (day(40), None));
        assert_eq!(
            window(Some(day(1)), None, day(0)).unwrap(),
            (day(1), Some(day(61)))
        );
        assert_eq!(
            window(None, Some(day(70)), day(0)).unwrap(),
            (day(10), Some(day(70)))
        );
        assert!(window(Some(day(1)), Some(day(61)), day(0)).is_ok());
        let long = window(Some(day(1)), Some(Timestamp(61 * DAY + 1)), day(0));
        assert_eq!(long.unwrap_err().kind(), "window_too_long");
        let empty = window(Some(day(2)), Some(day(2)), day(0));
        assert_eq!(empty.unwrap_err().kind(), "invalid_window");
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        let event = Event {
            detail: Some("say \"hi\", twice".to_owned()),
            ..Event::new(0, "hq", "main", EventKind::Denied)
        };
        let entry = Entry {
            id: 7,
            controller: "door-1".into(),
            event,
        };
        let text = csv(std::slice::from_ref(&entry)).unwrap();
        let mut lines = text.split("\r\n");
        assert_eq!(
            lines.next(),
            Some("id,time,site,door,kind,reason,user,card,detail,medium,access_type")
        );
        assert_eq!(
            lines.next(),
            Some("7,1970-01-01T00:00:00Z,hq,main,denied,,,,\"say \"\"hi\"\", twice\",,")
        );
        let exported = export_csv(&[entry], &indicatif::ProgressBar::hidden()).unwrap();
        let mut lines = exported.split("\r\n");
        assert_eq!(
            lines.next(),
            Some("id,controller,time,site,door,kind,reason,user,card,detail,medium,access_type")
        );
        assert_eq!(
            lines.next(),
            Some("7,door-1,1970-01-01T00:00:00Z,hq,main,denied,,,,\"say \"\"hi\"\", twice\",,")
        );
    }

    #[test]
    fn times_are_shown_in_utc() {
        assert_eq!(utc(Timestamp(0)), "1970-01-01T00:00:00Z");
        assert_eq!(utc(Timestamp(i64::MAX)), "9999-12-31T23:59:59Z");
    }
}
