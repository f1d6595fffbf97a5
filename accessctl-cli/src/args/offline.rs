//! The command line of the offline commands: `keys init`, `codes issue|verify`,
//! `lock image|inspect`, `key status|encode`.
//!
//! Owns their options and help texts, like the rest of [`super`]. It must never read
//! files, policies or key stores, and never take a key on the command line: keys live
//! in the key store only.

use std::path::PathBuf;

use accessctl_core::time::WrittenTimestamp;
use clap::{Args, Subcommand};

use super::{parse_instant, Format, FormatArgs, PolicyArgs};
use crate::offline::WrittenDuration;

/// `--keystore FILE`: the key store to use instead of the ones the policy names.
#[derive(Debug, Clone, Args)]
pub struct StoreOption {
    /// The key store file (TOML), for every site, instead of the file each site's
    /// `keystore` clause names.
    #[arg(long, value_name = "FILE")]
    pub keystore: Option<PathBuf>,
}

/// `accessctl keys …`: the key store.
#[derive(Debug, Args)]
pub struct KeysArgs {
    /// What to do with the key store.
    #[command(subcommand)]
    pub command: KeysCommand,
}

/// A `keys` subcommand.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create the key store with a fresh key for every site (keys are never printed).
    Init(KeysInitArgs),
}

impl KeysArgs {
    /// The output format asked for.
    pub fn format(&self) -> Format {
        match &self.command {
            KeysCommand::Init(args) => args.format.value,
        }
    }
}

/// `accessctl keys init --policy P [--keystore FILE] [--force]`
#[derive(Debug, Args)]
pub struct KeysInitArgs {
    /// `--policy`.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// `--keystore`.
    #[command(flatten)]
    pub store: StoreOption,
    /// Replace an existing key store; every lock image, offline code and card key made
    /// with its keys stops working.
    #[arg(long)]
    pub force: bool,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `accessctl codes …`: offline codes.
#[derive(Debug, Args)]
pub struct CodesArgs {
    /// What to do with offline codes.
    #[command(subcommand)]
    pub command: CodesCommand,
}

/// A `codes` subcommand.
#[derive(Debug, Subcommand)]
pub enum CodesCommand {
    /// Issue a time-limited code that the door's lock verifies without network.
    Issue(CodesIssueArgs),
    /// Check a code as the door's lock would, without its memory of used codes.
    Verify(CodesVerifyArgs),
}

impl CodesArgs {
    /// The output format asked for.
    pub fn format(&self) -> Format {
        match &self.command {
            CodesCommand::Issue(args) => args.format.value,
            CodesCommand::Verify(args) => args.format.value,
        }
    }
}

/// `accessctl codes issue --policy P --door D --from T --for DURATION [--once]`
#[derive(Debug, Args)]
pub struct CodesIssueArgs {
    /// `--policy`.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The door, by name.
    #[arg(long, value_name = "DOOR")]
    pub door: String,
    /// When the code starts to open (local time of the door's site without an offset);
    /// rounded down to the hour. Default: now.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub from: Option<WrittenTimestamp>,
    /// How long it opens: 90m, 2h, 3d, 1w… The code's window is the shortest the
    /// scheme offers that covers it.
    #[arg(long = "for", value_name = "DURATION", value_parser = WrittenDuration::parse)]
    pub length: WrittenDuration,
    /// The code opens once only (default: any number of times within its window).
    #[arg(long)]
    pub once: bool,
    /// Which of the distinct codes of the same door and window (from 0), to give
    /// several guests their own.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub variant: u8,
    /// `--keystore`.
    #[command(flatten)]
    pub store: StoreOption,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `accessctl codes verify --policy P --door D --code C [--at T]`
#[derive(Debug, Args)]
pub struct CodesVerifyArgs {
    /// `--policy`.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The door, by name.
    #[arg(long, value_name = "DOOR")]
    pub door: String,
    /// The code as typed (spaces and hyphens are ignored).
    #[arg(long, value_name = "CODE")]
    pub code: String,
    /// When it is typed (local time of the door's site without an offset). Default: now.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub at: Option<WrittenTimestamp>,
    /// `--keystore`.
    #[command(flatten)]
    pub store: StoreOption,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `accessctl lock …`: offline locks' memory images.
#[derive(Debug, Args)]
pub struct LockArgs {
    /// What to do with lock images.
    #[command(subcommand)]
    pub command: LockCommand,
}

/// A `lock` subcommand.
#[derive(Debug, Subcommand)]
pub enum LockCommand {
    /// Build the memory image of a door's offline lock and write it to a file.
    Image(LockImageArgs),
    /// Show what a lock image holds (never a secret); with --policy, check that it is
    /// authentic.
    Inspect(LockInspectArgs),
    /// Build a door's lock image and send it to the lock over OSDP (file transfer).
    Push(super::devices::LockPushArgs),
}

impl LockArgs {
    /// The output format asked for.
    pub fn format(&self) -> Format {
        match &self.command {
            LockCommand::Image(args) => args.format.value,
            LockCommand::Inspect(args) => args.format.value,
            LockCommand::Push(args) => args.format.value,
        }
    }
}

/// `accessctl lock image --policy P --door D -o FILE [--at T]`
#[derive(Debug, Args)]
pub struct LockImageArgs {
    /// `--policy`.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The door, by name.
    #[arg(long, value_name = "DOOR")]
    pub door: String,
    /// The file to write the image to (replaced atomically).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// The issue instant (local time of the door's site without an offset). Default:
    /// now.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub at: Option<WrittenTimestamp>,
    /// `--keystore`.
    #[command(flatten)]
    pub store: StoreOption,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `accessctl lock inspect FILE [--policy P]`
#[derive(Debug, Args)]
pub struct LockInspectArgs {
    /// The lock image file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The policy whose key store authenticates the image (optional).
    #[arg(long, value_name = "PATH")]
    pub policy: Option<PathBuf>,
    /// `--keystore` (with --policy).
    #[command(flatten)]
    pub store: StoreOption,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `accessctl key …`: data-on-card keys.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// What to do with card keys.
    #[command(subcommand)]
    pub command: KeyCommand,
}

/// A `key` subcommand.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// The status of a card key image against the policy: up to date, update
    /// required, re-edition required, invalid user key, expired, not authentic.
    Status(KeyStatusArgs),
    /// Write a user's card key image to a file, as an encoder writes it to a card.
    Encode(KeyEncodeArgs),
}

impl KeyArgs {
    /// The output format asked for.
    pub fn format(&self) -> Format {
        match &self.command {
            KeyCommand::Status(args) => args.format.value,
            KeyCommand::Encode(args) => args.format.value,
        }
    }
}

/// `accessctl key status --policy P --user U --image FILE [--at T]`
#[derive(Debug, Args)]
pub struct KeyStatusArgs {
    /// `--policy`.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The user the card should belong to.
    #[arg(long, value_name = "USER")]
    pub user: String,
    /// The card key image file.
    #[arg(long, value_name = "FILE")]
    pub image: PathBuf,
    /// The site whose card keys it is (default: the only site, or the only site the
    /// user's grants reach).
    #[arg(long, value_name = "SITE")]
    pub site: Option<String>,
    /// When the card is read (local time of the site without an offset). Default: now.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub at: Option<WrittenTimestamp>,
    /// `--keystore`.
    #[command(flatten)]
    pub store: StoreOption,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `accessctl key encode --policy P --user U --expires T -o FILE`
#[derive(Debug, Args)]
pub struct KeyEncodeArgs {
    /// `--policy`.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The user the key is for.
    #[arg(long, value_name = "USER")]
    pub user: String,
    /// When the key stops opening until refreshed (local time of the site without an
    /// offset).
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub expires: WrittenTimestamp,
    /// The file to write the key image to (replaced atomically).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// The site whose card keys it is (default: the only site, or the only site the
    /// user's grants reach).
    #[arg(long, value_name = "SITE")]
    pub site: Option<String>,
    /// The issue instant (local time of the site without an offset). Default: now.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub at: Option<WrittenTimestamp>,
    /// `--keystore`.
    #[command(flatten)]
    pub store: StoreOption,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}
