//! `accessctl encoder …`: a PN532 card encoder on a serial port — `info`, `write`,
//! `read`, `update` and `watch` (Salto's edition, update and automatic key update).
//!
//! Owns the options of the encoder commands; it must never open the port (the
//! command does).

use accessctl_core::time::WrittenTimestamp;
use accessctl_devices::transport::Connection;
use clap::{Args, Subcommand};

use super::{parse_instant, Format, FormatArgs, PolicyArgs, StoreOption};

/// `accessctl encoder …`
#[derive(Debug, Args)]
pub struct EncoderArgs {
    /// What to do with the card on the encoder.
    #[command(subcommand)]
    pub command: EncoderCommand,
}

/// An encoder command.
#[derive(Debug, Subcommand)]
pub enum EncoderCommand {
    /// The encoder's firmware and the card in its field: type, UID, memory.
    Info(EncoderInfoArgs),
    /// Write a fresh key for a user to the card (an edition), personalising a blank
    /// card; the options of `key encode`.
    Write(EncoderWriteArgs),
    /// Read and authenticate the card's key, and tell its status against the policy.
    Read(EncoderReadArgs),
    /// Update the card's key within its structure; refuses another user's key
    /// (`invalid user key`) and a key whose structure must change (`re-edition
    /// required`).
    Update(EncoderUpdateArgs),
    /// Run as an automatic key update station: every key presented that needs it is
    /// updated (re-edited only with --edit), each card reported.
    Watch(EncoderWatchArgs),
}

impl EncoderArgs {
    /// The output format asked for.
    pub fn format(&self) -> Format {
        match &self.command {
            EncoderCommand::Info(args) => args.port.format.value,
            EncoderCommand::Write(args) => args.port.format.value,
            EncoderCommand::Read(args) => args.port.format.value,
            EncoderCommand::Update(args) => args.port.format.value,
            EncoderCommand::Watch(args) => args.port.format.value,
        }
    }
}

/// `--port serial:PATH[:BAUD]` and `--format`, shared by every encoder command.
#[derive(Debug, Args)]
pub struct PortArgs {
    /// The encoder's serial port: `serial:PATH[:BAUD]` (115200 by default).
    #[arg(long, value_name = "CONNECTION")]
    pub port: Connection,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// The policy and its site's card keys.
#[derive(Debug, Args)]
pub struct CardPolicyArgs {
    /// `--policy`.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The site whose card keys the card carries (default: the only site, or the only
    /// site the user's grants reach).
    #[arg(long, value_name = "SITE")]
    pub site: Option<String>,
    /// When the card is read or written (local time of the site without an offset).
    /// Default: now.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub at: Option<WrittenTimestamp>,
    /// `--keystore`.
    #[command(flatten)]
    pub store: StoreOption,
}

/// `accessctl encoder info --port P`
#[derive(Debug, Args)]
pub struct EncoderInfoArgs {
    /// `--port`, `--format`.
    #[command(flatten)]
    pub port: PortArgs,
}

/// `accessctl encoder write --port P --policy P --user U --expires T`
#[derive(Debug, Args)]
pub struct EncoderWriteArgs {
    /// `--port`, `--format`.
    #[command(flatten)]
    pub port: PortArgs,
    /// `--policy`, `--site`, `--at`, `--keystore`.
    #[command(flatten)]
    pub card: CardPolicyArgs,
    /// The user the key is for.
    #[arg(long, value_name = "USER")]
    pub user: String,
    /// When the key stops opening until refreshed (local time of the site without an
    /// offset).
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub expires: WrittenTimestamp,
}

/// `accessctl encoder read --port P --policy P [--user U]`
#[derive(Debug, Args)]
pub struct EncoderReadArgs {
    /// `--port`, `--format`.
    #[command(flatten)]
    pub port: PortArgs,
    /// `--policy`, `--site`, `--at`, `--keystore`.
    #[command(flatten)]
    pub card: CardPolicyArgs,
    /// The user the card should belong to (default: whoever the key names).
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
}

/// `accessctl encoder update --port P --policy P [--user U] [--expires T]`
#[derive(Debug, Args)]
pub struct EncoderUpdateArgs {
    /// `--port`, `--format`.
    #[command(flatten)]
    pub port: PortArgs,
    /// `--policy`, `--site`, `--at`, `--keystore`.
    #[command(flatten)]
    pub card: CardPolicyArgs,
    /// The user whose key is expected: another user's key is refused (`invalid user
    /// key`).
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// The renewed key's expiry (default: the key's own period from now on).
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub expires: Option<WrittenTimestamp>,
}

/// `accessctl encoder watch --port P --policy P [--edit] [--count N]`
#[derive(Debug, Args)]
pub struct EncoderWatchArgs {
    /// `--port`, `--format` (JSON: one object per line, one line per card).
    #[command(flatten)]
    pub port: PortArgs,
    /// `--policy`, `--site`, `--keystore` (`--at` is ignored: each card at its now).
    #[command(flatten)]
    pub card: CardPolicyArgs,
    /// Re-edit keys whose structure must change (otherwise they are reported and
    /// left).
    #[arg(long)]
    pub edit: bool,
    /// Stop after this many cards (default: run until interrupted).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
}
