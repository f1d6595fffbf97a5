//! The command line: every command, option and value, as clap derive types.
//!
//! Owns the shape of the command line (names, help texts, which options go together)
//! and the parsing of option values that can be judged alone (a card number, an
//! instant). It must never read files or policies: commands do. Usage errors are left
//! to clap, whose exit code for them is 2, as the contract wants.

use std::path::PathBuf;

use accessctl_core::time::{TimestampError, WrittenTimestamp};
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

mod devices;
mod edit;
mod encoder;
mod journal;
mod offline;
mod select;
mod sim;
mod zone;

pub use devices::{
    ChannelOptions, ControllerArgs, ControllerCommand, ControllerRunArgs, LockPushArgs,
};
pub use edit::{GiveArgs, TakeArgs, UserAddArgs, UserRmArgs, UserSetArgs, WriteArgs};
pub use encoder::{
    CardPolicyArgs, EncoderArgs, EncoderCommand, EncoderInfoArgs, EncoderReadArgs,
    EncoderUpdateArgs, EncoderWatchArgs, EncoderWriteArgs, PortArgs,
};
pub use journal::{
    ExportFormat, JournalArgs, JournalCommand, JournalExportArgs, JournalFilterArgs,
    JournalPurgeArgs, JournalShowArgs, JournalUnknownArgs,
};
pub use offline::{
    CodesArgs, CodesCommand, CodesIssueArgs, CodesVerifyArgs, KeyArgs, KeyCommand, KeyEncodeArgs,
    KeyStatusArgs, KeysArgs, KeysCommand, KeysInitArgs, LockArgs, LockCommand, LockImageArgs,
    LockInspectArgs, StoreOption,
};
pub use select::{
    ActorArgs, BulkArgs, FilterArgs, UserArgs, UserCommand, UserListArgs, UserShowArgs,
};
pub use sim::{
    parse_scbk, DemoArgs, SimArgs, SimCommand, SimEncoderArgs, SimLockArgs, SimReaderArgs,
};
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
    /// The semantic diff of two policies: who gains and loses which doors, when, and
    /// because of which clauses.
    Diff(DiffArgs),
    /// The delegated review for CI: every change from OLD to NEW checked against an
    /// admin's powers (`--as`), and/or refused when access widens.
    Review(ReviewArgs),
    /// The key store of the policy's secrets: `keys init`.
    Keys(KeysArgs),
    /// Offline codes a lock verifies without network: `codes issue`, `codes verify`.
    Codes(CodesArgs),
    /// Offline locks' memory images: `lock image`, `lock inspect`.
    Lock(LockArgs),
    /// Data-on-card keys: `key encode`, `key status`.
    Key(KeyArgs),
    /// A PN532 card encoder: `encoder info`, `write`, `read`, `update`, `watch`.
    Encoder(EncoderArgs),
    /// Simulated devices: `sim lock`, `sim reader` (OSDP), `sim encoder` (PN532).
    Sim(SimArgs),
    /// Run a shipped example site end to end on this machine: controller, simulated
    /// readers and an offline lock over TCP on loopback, a scripted day, the journal.
    Demo(DemoArgs),
    /// The door controller: `controller run`.
    Controller(ControllerArgs),
    /// The event journal: `journal show` (who was let in or refused, when),
    /// `journal export`, `journal unknown` (cards nobody holds), `journal purge`.
    Journal(JournalArgs),
    /// Anti-passback zones: `zone show` (who is inside), `zone reset` (an
    /// occupant's state forgotten).
    Zone(ZoneArgs),
    /// The policy's users: `user list` (filtered), `user show`.
    User(UserArgs),
    /// One change for every user a filter selects: how many, the diff, then the write.
    Bulk(Box<BulkArgs>),
}

impl Command {
    /// The output format the command was asked for.
    pub fn format(&self) -> OutputFormat {
        match self {
            Command::Validate(args) => args.format.value.into(),
            Command::Fmt(args) => args.format.value.into(),
            Command::Check(args) => args.format.value.into(),
            Command::WhoCan(args) => args.format.value.into(),
            Command::WhatCan(args) => args.format.value.into(),
            Command::Test(args) => args.format.value.into(),
            Command::Diff(args) => args.format.value.into(),
            Command::Review(args) => args.format.value.into(),
            Command::Keys(args) => args.format().into(),
            Command::Codes(args) => args.format().into(),
            Command::Lock(args) => args.format().into(),
            Command::Key(args) => args.format().into(),
            Command::Encoder(args) => args.format().into(),
            Command::Sim(args) => args.format().into(),
            Command::Demo(args) => args.format.value.into(),
            Command::Controller(args) => args.format().into(),
            Command::Journal(args) => args.format(),
            Command::Zone(args) => args.format().into(),
            Command::User(args) => args.format(),
            Command::Bulk(args) => args.format.value.into(),
        }
    }
}

/// `--policy PATH`: the policy a command reads, flattened into every command that
/// reads one (`validate`, `fmt` and `test` take theirs as `PATH` operands instead, and
/// `lock inspect` an optional one of its own).
///
/// A command whose policy means more says so over this help with
/// `#[command(arg_help("policy", ...))]`, as `controller run` does.
#[derive(Debug, Clone, Args)]
pub struct PolicyArgs {
    /// The policy: an `.acl` file or a directory of them.
    #[arg(id = "policy", long = "policy", value_name = "PATH")]
    pub path: PathBuf,
}

/// `--format F`: how a command answers, flattened into every command. `F` is the set of
/// formats it offers: [`Format`] (human or JSON) unless it offers more.
///
/// A command whose output is a stream says so over this help with
/// `#[command(arg_help("format", ...))]`, as `controller run` does.
#[derive(Debug, Clone, Copy, Args)]
pub struct FormatArgs<F: FormatChoice = Format> {
    /// Output format.
    #[arg(
        id = "format",
        long = "format",
        value_name = "FORMAT",
        value_enum,
        default_value = F::DEFAULT
    )]
    pub value: F,
}

/// A set of output formats that a command's `--format` chooses among.
///
/// Its default is named here rather than by [`Default`]: clap's `default_value_t` keeps
/// the default's name in a static, which every `FormatArgs<F>` would share.
pub trait FormatChoice: ValueEnum + Copy + Send + Sync + 'static {
    /// The name of the format used without `--format`: one of the values (a test
    /// checks it; clap would only refuse it when parsing a command line without one).
    const DEFAULT: &'static str;
}

impl FormatChoice for Format {
    const DEFAULT: &'static str = "human";
}

impl FormatChoice for ReportFormat {
    const DEFAULT: &'static str = "human";
}

impl FormatChoice for ListFormat {
    const DEFAULT: &'static str = "human";
}

/// The help of `--format` of the commands that print one line per event as it happens
/// (`controller run`, `sim lock`), over [`FormatArgs`]' own.
const EVENT_LINES_HELP: &str =
    "Output format: one line per event (`json`: one JSON object per line)";

/// A shared option's help told for one command:
/// `#[command(arg_help("format", EVENT_LINES_HELP))]` on the command's arguments.
trait ArgHelp {
    /// This command with `help` for its argument `id`, which stays where it is in the
    /// usage line (`Command::mut_arg` would move it last).
    fn arg_help(self, id: &str, help: &'static str) -> Self;
    /// This command with `alias` as a second long name of its argument `id`, shown in
    /// the help (`user list --inactive` for the filter `--is-inactive`).
    fn arg_alias(self, id: &str, alias: &'static str) -> Self;
}

impl ArgHelp for clap::Command {
    fn arg_help(self, id: &str, help: &'static str) -> Self {
        self.mut_args(|arg| {
            if arg.get_id() == id {
                arg.help(help)
            } else {
                arg
            }
        })
    }

    fn arg_alias(self, id: &str, alias: &'static str) -> Self {
        self.mut_args(|arg| {
            if arg.get_id() == id {
                arg.visible_alias(alias)
            } else {
                arg
            }
        })
    }
}

/// `--format` of commands that answer for people or programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for people.
    Human,
    /// One JSON document on standard output (schemas in docs/cli.md).
    Json,
}

/// `--format` of `validate`, which may also speak to GitHub Actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Text for people, with source snippets.
    Human,
    /// One JSON document on standard output (schema in docs/cli.md).
    Json,
    /// GitHub Actions workflow commands: one `::error` or `::warning` per diagnostic.
    Github,
}

/// `--format` of commands that answer with a list of records (`journal show`, `user
/// list`), which may also be CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table for people.
    Human,
    /// One JSON document on standard output (schema in docs/cli.md).
    Json,
    /// Comma-separated values with a header line (RFC 4180 quoting).
    Csv,
}

impl From<ListFormat> for OutputFormat {
    /// CSV is data on standard output; its errors are text, as for people.
    fn from(format: ListFormat) -> OutputFormat {
        match format {
            ListFormat::Json => OutputFormat::Json,
            ListFormat::Human | ListFormat::Csv => OutputFormat::Human,
        }
    }
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
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs<ReportFormat>,
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
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `accessctl diff OLD NEW [--emit-tests FILE]`
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The policy before: an `.acl` file, a directory of them, or `git:REV:PATH`
    /// (read from the repository of the current directory).
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The policy after, in the same forms.
    #[arg(value_name = "NEW")]
    pub new: String,
    /// Write each access gained or lost as a `test` expectation of NEW into FILE.
    #[arg(long, value_name = "FILE")]
    pub emit_tests: Option<PathBuf>,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `accessctl review [--as ADMIN [--from IP]] [--fail-on-widening] [--max-affected N] OLD NEW`
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("judgement").required(true).multiple(true).args(["actor", "fail_on_widening", "max_affected"]))]
pub struct ReviewArgs {
    /// The policy before: an `.acl` file, a directory of them, or `git:REV:PATH`.
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The policy after, in the same forms; violations are reported in its files.
    #[arg(value_name = "NEW")]
    pub new: String,
    /// The admin (a user of OLD holding admin rights) who made the change.
    #[arg(id = "actor", long = "as", value_name = "ADMIN")]
    pub actor: Option<String>,
    /// The address the admin acts from (default: the first word of `SSH_CLIENT`).
    #[arg(long, value_name = "IP", requires = "actor")]
    pub from: Option<std::net::IpAddr>,
    /// Fail when anyone gains a door or a time window.
    #[arg(long)]
    pub fail_on_widening: bool,
    /// Fail when the change touches more than N users.
    #[arg(long, value_name = "N")]
    pub max_affected: Option<usize>,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs<ReportFormat>,
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
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
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
    /// `--policy`.
    #[command(flatten)]
    pub policy: PolicyArgs,
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
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `accessctl who-can --policy P --door D [--at T]`
#[derive(Debug, Args)]
pub struct WhoCanArgs {
    /// `--policy`.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The door, by name.
    #[arg(long, value_name = "DOOR")]
    pub door: String,
    /// `--at` and `--offline`.
    #[command(flatten)]
    pub when: When,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `accessctl what-can --policy P --user U [--at T]`
#[derive(Debug, Args)]
pub struct WhatCanArgs {
    /// `--policy`.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The user, by name.
    #[arg(long, value_name = "USER")]
    pub user: String,
    /// `--at` and `--offline`.
    #[command(flatten)]
    pub when: When,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// When a question is asked, and whether the network is up.
#[derive(Debug, Clone, Args)]
pub struct When {
    /// The instant, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS, optionally followed by Z or
    /// an offset such as +01:00. Without an offset it is the local time of the door's
    /// site. Default: now.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub at: Option<WrittenTimestamp>,
    /// The site's network is down (offline locks are always offline).
    #[arg(long)]
    pub offline: bool,
}

/// Parses an `--at` value.
fn parse_instant(text: &str) -> Result<WrittenTimestamp, TimestampError> {
    WrittenTimestamp::parse(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// A command line of each command (every leaf of the tree) with `--format json`,
    /// and the format its errors are then rendered in.
    const JSON_COMMAND_LINES: &[(&str, OutputFormat)] = &[
        ("validate p.acl", OutputFormat::Json),
        ("fmt p.acl", OutputFormat::Json),
        ("check --policy p --door d --user u", OutputFormat::Json),
        ("who-can --policy p --door d", OutputFormat::Json),
        ("what-can --policy p --user u", OutputFormat::Json),
        ("test p.acl", OutputFormat::Json),
        ("diff old new", OutputFormat::Json),
        ("review --as lea old new", OutputFormat::Json),
        ("keys init --policy p", OutputFormat::Json),
        (
            "codes issue --policy p --door d --for 2h",
            OutputFormat::Json,
        ),
        (
            "codes verify --policy p --door d --code 1234",
            OutputFormat::Json,
        ),
        ("lock image --policy p --door d -o f", OutputFormat::Json),
        ("lock inspect f", OutputFormat::Json),
        (
            "lock push --policy p --door d --bus tcp:127.0.0.1:9 --address 1",
            OutputFormat::Json,
        ),
        (
            "key status --policy p --user u --image f",
            OutputFormat::Json,
        ),
        (
            "key encode --policy p --user u --expires 2026-03-14T10:00 -o f",
            OutputFormat::Json,
        ),
        (
            "sim lock --bus tcp:127.0.0.1:9 --address 1 --image f --keystore k",
            OutputFormat::Json,
        ),
        (
            "sim reader --bus tcp:127.0.0.1:9 --address 1 --card 1",
            OutputFormat::Json,
        ),
        ("sim encoder --card ntag215", OutputFormat::Json),
        ("demo", OutputFormat::Json),
        (
            "controller run --policy p --bus tcp:127.0.0.1:9 --door d=1 --journal j",
            OutputFormat::Json,
        ),
        ("journal show --journal j", OutputFormat::Json),
        ("encoder info --port serial:/dev/null", OutputFormat::Json),
        (
            "encoder write --port serial:/dev/null --policy p --user u --expires 2026-12-01T00:00",
            OutputFormat::Json,
        ),
        (
            "encoder read --port serial:/dev/null --policy p",
            OutputFormat::Json,
        ),
        (
            "encoder update --port serial:/dev/null --policy p",
            OutputFormat::Json,
        ),
        (
            "encoder watch --port serial:/dev/null --policy p",
            OutputFormat::Json,
        ),
        // JSON lines on success; its errors are text.
        ("journal export --journal j", OutputFormat::Human),
        ("journal purge --journal j", OutputFormat::Json),
        ("journal unknown --journal j", OutputFormat::Json),
        ("zone show z --policy p --journal j", OutputFormat::Json),
        (
            "zone reset z --user u --policy p --journal j",
            OutputFormat::Json,
        ),
        ("user list --policy p", OutputFormat::Json),
        ("user show u --policy p", OutputFormat::Json),
        ("bulk --policy p --tagged t --tag u", OutputFormat::Json),
        (
            "user add u --account a --name N --email e --policy p",
            OutputFormat::Json,
        ),
        ("user set u --policy p", OutputFormat::Json),
        ("user rm u --policy p", OutputFormat::Json),
    ];

    /// The leaves of the command tree, as `sim lock`.
    fn leaves(command: &clap::Command, path: &str, found: &mut Vec<String>) {
        let mut subcommands = command.get_subcommands().peekable();
        if subcommands.peek().is_none() {
            found.push(path.trim_start().to_owned());
        }
        for subcommand in subcommands {
            let path = format!("{path} {}", subcommand.get_name());
            leaves(subcommand, &path, found);
        }
    }

    fn parse(line: &str) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("accessctl").chain(line.split_whitespace()))
    }

    #[test]
    fn every_command_accepts_format_json() {
        let mut commands = Vec::new();
        leaves(&Cli::command(), "", &mut commands);
        commands.sort();
        let mut tested: Vec<&String> = JSON_COMMAND_LINES
            .iter()
            .filter_map(|(line, _)| {
                let of = |command: &&String| {
                    line.strip_prefix(command.as_str())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
                };
                commands.iter().find(of)
            })
            .collect();
        tested.sort();
        assert_eq!(
            tested,
            commands.iter().collect::<Vec<_>>(),
            "one command line per command"
        );

        for (line, rendered) in JSON_COMMAND_LINES {
            let without = parse(line).unwrap_or_else(|error| panic!("{line}: {error}"));
            let with = parse(&format!("{line} --format json"))
                .unwrap_or_else(|error| panic!("{line} --format json: {error}"));
            assert_eq!(with.command.format(), *rendered, "{line} --format json");
            assert_eq!(without.command.format(), OutputFormat::Human, "{line}");
            let refused = parse(&format!("{line} --format xml")).unwrap_err();
            assert_eq!(
                refused.kind(),
                clap::error::ErrorKind::InvalidValue,
                "{line}"
            );
        }
    }

    #[test]
    fn the_formats_with_more_values_keep_them() {
        let validate = parse("validate p.acl --format github").unwrap();
        assert_eq!(validate.command.format(), OutputFormat::Github);
        assert!(parse("journal show --journal j --format csv").is_ok());
        let Command::Journal(journal) = parse("journal export --journal j").unwrap().command else {
            panic!("not journal export");
        };
        let JournalCommand::Export(export) = journal.command else {
            panic!("not journal export");
        };
        assert_eq!(export.format.value, ExportFormat::Csv, "its default");
        assert!(parse("check --policy p --door d --user u --format github").is_err());
    }

    #[test]
    fn the_defaults_are_values() {
        assert_eq!(Format::from_str(Format::DEFAULT, false), Ok(Format::Human));
        assert_eq!(
            ReportFormat::from_str(ReportFormat::DEFAULT, false),
            Ok(ReportFormat::Human)
        );
        assert_eq!(
            ListFormat::from_str(ListFormat::DEFAULT, false),
            Ok(ListFormat::Human)
        );
        assert_eq!(
            ExportFormat::from_str(ExportFormat::DEFAULT, false),
            Ok(ExportFormat::Csv)
        );
    }

    /// The long help of a command line such as `check`.
    fn help(line: &str) -> String {
        let error = parse(&format!("{line} --help")).unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::DisplayHelp, "{line}");
        error.to_string()
    }

    #[test]
    fn the_help_still_shows_the_policy() {
        for line in ["check", "who-can", "keys init", "lock push", "zone show"] {
            let help = help(line);
            assert!(help.contains("--policy <PATH>"), "{line}: {help}");
            assert!(
                help.contains("The policy: an `.acl` file or a directory of them\n"),
                "{line}: {help}"
            );
            assert!(help.contains("[default: human]"), "{line}: {help}");
        }
        let run = help("controller run");
        assert!(
            run.contains("--policy <PATH> --bus <CONNECTION>"),
            "usage order: {run}"
        );
        assert!(
            run.contains("Watched: an edit that validates replaces"),
            "{run}"
        );
        assert!(run.contains("Output format: one line per event"), "{run}");
        let demo = help("demo");
        assert!(
            demo.contains("Output format: one line per decision, then"),
            "{demo}"
        );
        let inspect = help("lock inspect");
        assert!(
            inspect.contains("authenticates the image (optional)"),
            "{inspect}"
        );
        assert!(help("journal export").contains("[default: csv]"));
    }
}
