//! The command line of the event journal's readers: `journal show`, `journal export`,
//! `journal purge`.
//!
//! Owns their options and help texts, like the rest of [`super`].
//! It must never open the journal, read `--journal` (a file path or a
//! `postgres://` URL: clap would repeat a URL's password in its error) nor judge a
//! window of time: [`crate::commands::journal`] does.

use std::path::PathBuf;

use accessctl_core::time::WrittenTimestamp;
use clap::{Args, Subcommand, ValueEnum};

use super::{parse_instant, FormatArgs, FormatChoice, ListFormat, OutputFormat};
use crate::journal::{AccessType, EventKind, Medium};

/// `accessctl journal …`: read and prune the event journal of `controller run`.
#[derive(Debug, Args)]
pub struct JournalArgs {
    /// What to do with the journal.
    #[command(subcommand)]
    pub command: JournalCommand,
}

/// A `journal` subcommand.
#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// The events of a window of at most 60 days, newest first, filtered by door,
    /// user, card and kind (exit 1 when none matched).
    Show(JournalShowArgs),
    /// The events of a window of at most 60 days, oldest first, as CSV or JSON
    /// lines, to standard output or atomically to a file (exit 1 when none matched).
    Export(JournalExportArgs),
    /// The card numbers nobody holds that were presented in a window of at most 60
    /// days: doors, first and last seen, count, the most recently seen first (exit 1
    /// when none was).
    Unknown(JournalUnknownArgs),
    /// Delete the events older than the retention (60 days by default).
    Purge(JournalPurgeArgs),
}

impl JournalArgs {
    /// The output format asked for (CSV output reports its errors as text).
    pub fn format(&self) -> OutputFormat {
        match &self.command {
            JournalCommand::Show(args) => match args.format.value {
                ListFormat::Json => OutputFormat::Json,
                ListFormat::Human | ListFormat::Csv => OutputFormat::Human,
            },
            JournalCommand::Export(_) => OutputFormat::Human,
            JournalCommand::Unknown(args) => args.format.value.into(),
            JournalCommand::Purge(args) => args.format.value.into(),
        }
    }
}

/// `--format` of `journal export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Comma-separated values with a header line (RFC 4180 quoting), with the
    /// controller of each event.
    Csv,
    /// One JSON object per line (JSON lines), as in `journal show --format json`.
    Json,
}

impl FormatChoice for ExportFormat {
    const DEFAULT: &'static str = "csv";
}

/// `accessctl journal show --journal DB|URL [filters]`
#[derive(Debug, Args)]
pub struct JournalShowArgs {
    /// The events to show.
    #[command(flatten)]
    pub filter: JournalFilterArgs,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs<ListFormat>,
}

/// `accessctl journal export --journal DB|URL [filters] [--format csv|json] [-o FILE]`
#[derive(Debug, Args)]
pub struct JournalExportArgs {
    /// The events to export.
    #[command(flatten)]
    pub filter: JournalFilterArgs,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs<ExportFormat>,
    /// Write to this file (replaced whole, atomically) instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The journal and the events of `journal show` and `journal export`.
#[derive(Debug, Args)]
pub struct JournalFilterArgs {
    /// The journal: an SQLite file (`controller run --journal`), never created here,
    /// or a PostgreSQL URL (`postgres://USER@HOST/DB`, or on a Unix socket
    /// `postgres://USER@/DB?host=DIR`) holding a fleet's events.
    #[arg(long, value_name = "DB|URL")]
    pub journal: String,
    /// Only this door; repeated, any of these doors.
    #[arg(long = "door", value_name = "DOOR")]
    pub doors: Vec<String>,
    /// Only this user's events; repeated, any of these users.
    #[arg(long = "user", value_name = "USER")]
    pub users: Vec<String>,
    /// Only the events of the users of this account or sub-account (its name, or
    /// `name@parent…`) and of its sub-accounts, and of their appointments' guests, as
    /// --policy names them.
    #[arg(long, value_name = "ACCOUNT", requires = "policy")]
    pub account: Option<String>,
    /// The policy --account is read in: an `.acl` file or a directory of them.
    #[arg(long, value_name = "PATH")]
    pub policy: Option<PathBuf>,
    /// Only these media, how the credential was presented: badge, pin, code, qr,
    /// mobile, remote. One or more.
    #[arg(long = "media", value_name = "MEDIUM", num_args = 1.., value_parser = parse_medium)]
    pub media: Vec<Medium>,
    /// Only these access types, under what right: permanent, appointment,
    /// space_code, offline_code, remote. One or more.
    #[arg(long = "access-type", value_name = "TYPE", num_args = 1.., value_parser = parse_access_type)]
    pub access_types: Vec<AccessType>,
    /// Only this card number (the journal keeps numbers of unknown cards only).
    #[arg(long, value_name = "NUMBER")]
    pub card: Option<String>,
    /// Only these kinds: opened, denied, unknown_card, reader_offline, reader_online,
    /// tamper, bad_parity, unreadable_card, power, keypad_lockout, reader_fault,
    /// audit_refused. One or more.
    #[arg(long = "kind", value_name = "KIND", num_args = 1.., value_parser = parse_kind)]
    pub kinds: Vec<EventKind>,
    /// The window's start (included). Without an offset, UTC. Default: 60 days
    /// before --until, or before now.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub since: Option<WrittenTimestamp>,
    /// The window's end (excluded). Without an offset, UTC. Default: 60 days after
    /// --since, or no end when --since is not given either.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub until: Option<WrittenTimestamp>,
    /// The instant taken as now for the default window. Default: the clock.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub at: Option<WrittenTimestamp>,
    /// At most this many events (the newest).
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
}

/// `accessctl journal unknown --journal DB|URL [--since I] [--until I] [--at I]`
#[derive(Debug, Args)]
pub struct JournalUnknownArgs {
    /// The journal: an SQLite file, never created here, or a PostgreSQL URL.
    #[arg(long, value_name = "DB|URL")]
    pub journal: String,
    /// The window's start (included). Without an offset, UTC. Default: 60 days
    /// before --until, or before now.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub since: Option<WrittenTimestamp>,
    /// The window's end (excluded). Without an offset, UTC. Default: 60 days after
    /// --since, or no end when --since is not given either.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub until: Option<WrittenTimestamp>,
    /// The instant taken as now for the default window. Default: the clock.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub at: Option<WrittenTimestamp>,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `accessctl journal purge --journal DB|URL [--older-than DAYS] [--at INSTANT]`
#[derive(Debug, Args)]
pub struct JournalPurgeArgs {
    /// The journal: an SQLite file, never created here, or a PostgreSQL URL (whole
    /// months past the retention are dropped as partitions).
    #[arg(long, value_name = "DB|URL")]
    pub journal: String,
    /// Delete the events older than this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 60)]
    pub older_than: u32,
    /// The instant the age is counted from. Without an offset, UTC. Default: now.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub at: Option<WrittenTimestamp>,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// Reads a `--kind` value: an event kind's code.
fn parse_kind(text: &str) -> Result<EventKind, String> {
    EventKind::from_code(text).ok_or_else(|| {
        let known: Vec<&str> = EventKind::ALL.iter().map(|kind| kind.code()).collect();
        format!("unknown event kind; one of {}", known.join(", "))
    })
}

/// Reads a `--media` value: a medium's code.
fn parse_medium(text: &str) -> Result<Medium, String> {
    Medium::from_code(text).ok_or_else(|| {
        let known: Vec<&str> = Medium::ALL.iter().map(|m| m.code()).collect();
        format!("unknown medium; one of {}", known.join(", "))
    })
}

/// Reads an `--access-type` value: an access type's code.
fn parse_access_type(text: &str) -> Result<AccessType, String> {
    AccessType::from_code(text).ok_or_else(|| {
        let known: Vec<&str> = AccessType::ALL.iter().map(|a| a.code()).collect();
        format!("unknown access type; one of {}", known.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_read_by_their_code() {
        assert_eq!(parse_kind("unknown_card"), Ok(EventKind::UnknownCard));
        let refused = parse_kind("opnened").unwrap_err();
        assert!(refused.contains("reader_offline"), "{refused}");
        assert_eq!(parse_medium("qr"), Ok(Medium::Qr));
        assert!(parse_medium("smartphone").unwrap_err().contains("mobile"));
        assert_eq!(parse_access_type("space_code"), Ok(AccessType::SpaceCode));
        assert!(parse_access_type("guest")
            .unwrap_err()
            .contains("appointment"));
    }
}
