//! The command line of anti-passback zones: `zone show`, `zone reset`.
//!
//! Owns their options and help texts, like the rest of [`super`]. It must never open
//! the policy or the journal, nor find a zone or a user: [`crate::commands::zone`]
//! and the controller crate's `zone` module do.

use clap::{ArgGroup, Args, Subcommand};

use super::{Format, FormatArgs, PolicyArgs};

/// `accessctl zone show|reset`
#[derive(Debug, Args)]
pub struct ZoneArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ZoneCommand,
}

/// One `zone` command.
#[derive(Debug, Subcommand)]
pub enum ZoneCommand {
    /// Who is inside an anti-passback zone: occupant, since when, through which door
    /// (exit 1 when nobody is).
    Show(ZoneShowArgs),
    /// Forget one occupant's anti-passback state in a zone (their next passage is a
    /// first one), journaled as a `presence_reset` event (exit 1 when nothing was
    /// recorded).
    Reset(ZoneResetArgs),
}

impl ZoneArgs {
    /// The output format asked for.
    pub fn format(&self) -> Format {
        match &self.command {
            ZoneCommand::Show(args) => args.format.value,
            ZoneCommand::Reset(args) => args.format.value,
        }
    }
}

/// `accessctl zone show ZONE --policy P --journal DB`
#[derive(Debug, Args)]
pub struct ZoneShowArgs {
    /// The zone, by name.
    #[arg(value_name = "ZONE")]
    pub zone: String,
    /// `--policy`.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Where the presence store lives: the controller's local database
    /// (`controller run --journal`), or the fleet's `postgres://` URL, whose shared
    /// table holds the zones spanning controllers; never created here.
    #[arg(long, value_name = "DB|URL")]
    pub journal: String,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `accessctl zone reset ZONE (--user U | --card N) --policy P --journal DB`
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("whose").required(true).args(["user", "card"])))]
pub struct ZoneResetArgs {
    /// The zone, by name.
    #[arg(value_name = "ZONE")]
    pub zone: String,
    /// The user whose state to forget (as a user, and by each of their cards).
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// The card whose state to forget (as a card, and as its holder).
    #[arg(long, value_name = "N")]
    pub card: Option<u64>,
    /// `--policy`.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The controller's local database (`controller run --journal`), or the fleet's
    /// `postgres://` URL: its presence store, and the journal the reset is recorded
    /// in (on a fleet, as controller `zone-admin`); never created here.
    #[arg(long, value_name = "DB|URL")]
    pub journal: String,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}
