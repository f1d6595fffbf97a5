//! The command line: every command, option and value, as clap derive types.
//!
//! Owns the shape of the command line (names, help texts, which options go together)
//! and the parsing of option values that can be judged alone (a card number, an
//! instant). It must never read files or policies: commands do. Usage errors are left
//! to clap, whose exit code for them is 2, as the contract wants.

use std::path::PathBuf;

use accessctl_core::time::{InstantError, WrittenInstant};
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

mod devices;
mod journal;
mod offline;
mod sim;
mod zone;

pub use devices::{
    ChannelOptions, ControllerArgs, ControllerCommand, ControllerRunArgs, LockPushArgs,
};
pub use journal::{
    ExportFormat, JournalArgs, JournalCommand, JournalExportArgs, JournalFilterArgs,
    JournalPurgeArgs, JournalShowArgs, ListFormat,
};
pub use offline::{
    CodesArgs, CodesCommand, CodesIssueArgs, CodesVerifyArgs, KeyArgs, KeyCommand, KeyEncodeArgs,
    KeyStatusArgs, KeysArgs, KeysCommand, KeysInitArgs, LockArgs, LockCommand, LockImageArgs,
    LockInspectArgs, StoreOption,
};
pub use sim::{parse_scbk, DemoArgs, SimArgs, SimCommand, SimLockArgs, SimReaderArgs};
pub use zone::{ZoneArgs, ZoneCommand, ZoneResetArgs, ZoneShowArgs};

/// `accessctl`: check, format and query physical access control policies.
#[derive(Debug, Parser)]
#[command(
    name = "accessctl",
    version,
    about = "Check, format and query physical access control policies",
    after_help = "Exit codes: 0 success, 1 a negative answer (invalid policy, access denied, \
                  files to reformat), 2 usage error, unreadable input or I/O failure.\n\
                  See docs/cli.md for the JSON schemas."
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// One command. Each has its module under `commands/`; adding a command is a variant
/// here, a module there and an arm in the dispatch of `lib.rs`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check policies: every diagnostic, then a one-line result per policy.
    Validate(ValidateArgs),
    /// Rewrite policy files in canonical form, atomically (or only check with --check).
    Fmt(FmtArgs),
    /// May this user or credential open this door at this instant, and why?
    Check(CheckArgs),
    /// Who may open a door at an instant: users, appointment guests and space codes.
    WhoCan(WhoCanArgs),
    /// Which doors a user may open at an instant.
    WhatCan(WhatCanArgs),
    /// Run the expectations of each policy's `test` blocks: `N passed, N failed`.
    Test(TestArgs),
    /// The key store of the policy's secrets: `keys init`.
    Keys(KeysArgs),
    /// Offline codes a lock verifies without network: `codes issue`, `codes verify`.
    Codes(CodesArgs),
    /// Offline locks' memory images: `lock image`, `lock inspect`.
    Lock(LockArgs),
    /// Data-on-card keys: `key encode`, `key status`.
    Key(KeyArgs),
    /// Simulated OSDP devices: `sim lock`, `sim reader`.
    Sim(SimArgs),
    /// Run a shipped example site end to end on this machine: controller, simulated
    /// readers and an offline lock over TCP on loopback, a scripted day, the journal.
    Demo(DemoArgs),
    /// The door controller: `controller run`.
    Controller(ControllerArgs),
    /// The event journal: `journal show` (who was let in or refused, when),
    /// `journal purge`.
    Journal(JournalArgs),
    /// Anti-passback zones: `zone show` (who is inside), `zone reset` (an
    /// occupant's state forgotten).
    Zone(ZoneArgs),
}

impl Command {
    /// The output format the command was asked for.
    pub fn format(&self) -> OutputFormat {
        match self {
            Command::Validate(args) => args.format.into(),
            Command::Fmt(args) => args.format.into(),
            Command::Check(args) => args.format.into(),
            Command::WhoCan(args) => args.format.into(),
            Command::WhatCan(args) => args.format.into(),
            Command::Test(args) => args.format.into(),
            Command::Keys(args) => args.format().into(),
            Command::Codes(args) => args.format().into(),
            Command::Lock(args) => args.format().into(),
            Command::Key(args) => args.format().into(),
            Command::Sim(args) => args.format().into(),
            Command::Demo(args) => args.format.into(),
            Command::Controller(args) => args.format().into(),
            Command::Journal(args) => args.format(),
            Command::Zone(args) => args.format().into(),
        }
    }
}

/// `--format` of commands that answer for people or programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// Text for people.
    #[default]
    Human,
    /// One JSON document on standard output (schemas in docs/cli.md).
    Json,
}

/// `--format` of `validate`, which may also speak to GitHub Actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ReportFormat {
    /// Text for people, with source snippets.
    #[default]
    Human,
    /// One JSON document on standard output (schema in docs/cli.md).
    Json,
    /// GitHub Actions workflow commands: one `::error` or `::warning` per diagnostic.
    Github,
}

/// Every output format, whichever command asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Text for people.
    Human,
    /// A JSON document.
    Json,
    /// GitHub annotations.
    Github,
}

impl From<Format> for OutputFormat {
    fn from(format: Format) -> OutputFormat {
        match format {
            Format::Human => OutputFormat::Human,
            Format::Json => OutputFormat::Json,
        }
    }
}

impl From<ReportFormat> for OutputFormat {
    fn from(format: ReportFormat) -> OutputFormat {
        match format {
            ReportFormat::Human => OutputFormat::Human,
            ReportFormat::Json => OutputFormat::Json,
            ReportFormat::Github => OutputFormat::Github,
        }
    }
}

/// `accessctl validate PATH...`
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Policies to check: each PATH is one policy, an `.acl` file or a directory
    /// searched recursively for `.acl` files.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
}

/// `accessctl test [--verbose] PATH...`
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Policies whose tests to run: each PATH is one policy, an `.acl` file or a
    /// directory searched recursively for `.acl` files.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// List the passing expectations too.
    #[arg(long, short)]
    pub verbose: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `accessctl fmt [--check] [--diff] PATH...`
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files to format: `.acl` files, or directories searched recursively for them.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write nothing; list the files that would change (with their first changed
    /// lines) and exit 1 if there are any.
    #[arg(long)]
    pub check: bool,
    /// Write nothing; print a unified diff of every change (implies --check).
    #[arg(long)]
    pub diff: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

impl FmtArgs {
    /// Whether files are only checked, never written.
    pub fn checks_only(&self) -> bool {
        self.check || self.diff
    }
}

/// `accessctl check --policy P --door D (--user U | --card N | --pin X | ...)`
#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("subject")
        .required(true)
        .multiple(true)
        .args(["user", "card", "pin", "qr", "mobile", "remote"])
))]
pub struct CheckArgs {
    /// The policy: an `.acl` file or a directory of them.
    #[arg(long, value_name = "PATH")]
    pub policy: PathBuf,
    /// The door, by name.
    #[arg(long, value_name = "DOOR")]
    pub door: String,
    /// Ask for a user, whatever the medium.
    #[arg(long, value_name = "USER", conflicts_with_all = ["card", "pin", "qr", "mobile", "remote"])]
    pub user: Option<String>,
    /// A card number presented at the reader.
    #[arg(long, value_name = "NUMBER")]
    pub card: Option<u64>,
    /// A code typed on the keypad: a user's PIN or a permanent space code.
    #[arg(long, value_name = "CODE")]
    pub pin: Option<String>,
    /// A QR code scanned at the reader.
    #[arg(long, value_name = "CODE")]
    pub qr: Option<String>,
    /// A mobile key presented at the reader.
    #[arg(long, value_name = "KEY")]
    pub mobile: Option<String>,
    /// A remote opening (over the network) by this user.
    #[arg(long, value_name = "USER", conflicts_with_all = ["card", "pin", "qr", "mobile"])]
    pub remote: Option<String>,
    /// `--at` and `--offline`.
    #[command(flatten)]
    pub when: When,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `accessctl who-can --policy P --door D [--at T]`
#[derive(Debug, Args)]
pub struct WhoCanArgs {
    /// The policy: an `.acl` file or a directory of them.
    #[arg(long, value_name = "PATH")]
    pub policy: PathBuf,
    /// The door, by name.
    #[arg(long, value_name = "DOOR")]
    pub door: String,
    /// `--at` and `--offline`.
    #[command(flatten)]
    pub when: When,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `accessctl what-can --policy P --user U [--at T]`
#[derive(Debug, Args)]
pub struct WhatCanArgs {
    /// The policy: an `.acl` file or a directory of them.
    #[arg(long, value_name = "PATH")]
    pub policy: PathBuf,
    /// The user, by name.
    #[arg(long, value_name = "USER")]
    pub user: String,
    /// `--at` and `--offline`.
    #[command(flatten)]
    pub when: When,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// When a question is asked, and whether the network is up.
#[derive(Debug, Clone, Args)]
pub struct When {
    /// The instant, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS, optionally followed by Z or
    /// an offset such as +01:00. Without an offset it is the local time of the door's
    /// site. Default: now.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub at: Option<WrittenInstant>,
    /// The site's network is down (offline locks are always offline).
    #[arg(long)]
    pub offline: bool,
}

/// Parses an `--at` value.
fn parse_instant(text: &str) -> Result<WrittenInstant, InstantError> {
    WrittenInstant::parse(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
