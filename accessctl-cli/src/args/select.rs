//! The command line of selections: the filters `user list` and `bulk` share, `user
//! list`, `user show`, `bulk`.
//!
//! Owns their options and help texts, like the rest of [`super`]. It must never load
//! a policy nor judge a name: [`accessctl_core::select`] does.

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use accessctl_core::select::Filter;

use super::{
    ArgHelp, Format, FormatArgs, GiveArgs, ListFormat, OutputFormat, PolicyArgs, TakeArgs,
    WriteArgs,
};

/// `accessctl user …`: the policy's users.
#[derive(Debug, Args)]
pub struct UserArgs {
    /// What to do with the users.
    #[command(subcommand)]
    pub command: UserCommand,
}

impl UserArgs {
    /// The output format the subcommand was asked for.
    pub fn format(&self) -> OutputFormat {
        match &self.command {
            UserCommand::List(args) => args.format.value.into(),
            UserCommand::Show(args) => args.format.value.into(),
            UserCommand::Add(args) => args.format.value.into(),
            UserCommand::Set(args) => args.format.value.into(),
            UserCommand::Rm(args) => args.format.value.into(),
        }
    }
}

/// One `user` subcommand.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// The users a filter selects (every user without one): a table, JSON or CSV.
    List(UserListArgs),
    /// One user: every field, its account, the doors its grants reach.
    Show(UserShowArgs),
    /// A new user at the end of its account's block (full name and email required);
    /// every other line of the files kept as it is.
    Add(super::UserAddArgs),
    /// A user's fields changed (given with `--card`, `--tag`, `--allow`…, taken with
    /// `--no-card`, `--untag`, `--deny`…); only its lines rewritten.
    Set(super::UserSetArgs),
    /// Users removed with their leading comments; their cards are free again.
    Rm(super::UserRmArgs),
}

/// The filters of `user list` and `bulk`: each one given must hold; `--tagged`
/// repeated means any of the tags.
#[derive(Debug, Clone, Default, Args)]
pub struct FilterArgs {
    /// Users whose name, full name, email or a card number contains TEXT, ignoring
    /// case.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Users holding the tag T; repeated, users holding any of them (an "or").
    #[arg(long, value_name = "T")]
    pub tagged: Vec<String>,
    /// Members of the account A and of its sub-accounts: `name`, or `name@parent`
    /// when several sub-accounts have the name.
    #[arg(long, value_name = "A")]
    pub account: Option<String>,
    /// Users whose grants reach DOOR within every ceiling, at some time.
    #[arg(long, value_name = "DOOR")]
    pub can_open: Option<String>,
    /// Users whose validity ended before today.
    #[arg(long)]
    pub expired: bool,
    /// Users whose access control is not activated (`inactive`).
    #[arg(long = "is-inactive", id = "is_inactive")]
    pub inactive: bool,
    /// Users who keep access while the site is offline (`offline`).
    #[arg(long = "is-offline", id = "is_offline")]
    pub offline: bool,
    /// The date --expired is judged against, YYYY-MM-DD. Default: today in the
    /// first site's time zone.
    #[arg(long, value_name = "DATE")]
    pub today: Option<NaiveDate>,
}

impl FilterArgs {
    /// The core's filter.
    pub fn filter(&self) -> Filter {
        Filter {
            search: self.search.clone(),
            tagged: self.tagged.clone(),
            account: self.account.clone(),
            can_open: self.can_open.clone(),
            expired: self.expired,
            inactive: self.inactive,
            offline: self.offline,
        }
    }
}

/// `accessctl user list --policy P [FILTER…] [--format human|json|csv]`
#[derive(Debug, Args)]
#[command(arg_alias("is_inactive", "inactive"))]
#[command(arg_alias("is_offline", "offline"))]
pub struct UserListArgs {
    /// `--policy`.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The filters.
    #[command(flatten)]
    pub filter: FilterArgs,
    /// `--as` and `--from`.
    #[command(flatten)]
    pub actor: ActorArgs,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs<ListFormat>,
}

/// `accessctl user show NAME --policy P`
#[derive(Debug, Args)]
pub struct UserShowArgs {
    /// The user, by name.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// `--policy`.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// `--as` and `--from`.
    #[command(flatten)]
    pub actor: ActorArgs,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// The ids of the change flags of `bulk` (those of [`GiveArgs`] and [`TakeArgs`]).
const CHANGES: [&str; 20] = [
    "cards",
    "pin",
    "tags",
    "allow",
    "schedule",
    "valid",
    "offline",
    "remote",
    "inactive",
    "admin",
    "no_cards",
    "no_pin",
    "untag",
    "deny",
    "no_schedule",
    "no_valid",
    "active",
    "online",
    "no_remote",
    "no_admin",
];

/// `accessctl bulk --policy P FILTER… ACTION… [--dry-run] [--yes]`
#[derive(Debug, Args)]
#[command(group(
    clap::ArgGroup::new("action")
        .required(true)
        .multiple(true)
        .args(CHANGES)
        .arg("delete")
))]
pub struct BulkArgs {
    /// `--policy`.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// The filters (`--is-inactive` and `--is-offline` here: `--inactive` and
    /// `--offline` are changes).
    #[command(flatten)]
    pub filter: FilterArgs,
    /// What every selected user is given: the options of `user set`.
    #[command(flatten)]
    pub give: GiveArgs,
    /// What every selected user loses: the options of `user set`.
    #[command(flatten)]
    pub take: TakeArgs,
    /// Remove every selected user instead (their cards are free again).
    #[arg(long, conflicts_with_all = CHANGES)]
    pub delete: bool,
    /// `--dry-run`.
    #[command(flatten)]
    pub write: WriteArgs,
    /// Write without asking (needed when standard input is not a terminal).
    #[arg(long, short = 'y', conflicts_with = "dry_run")]
    pub yes: bool,
    /// `--as` and `--from`.
    #[command(flatten)]
    pub actor: ActorArgs,
    /// `--format`.
    #[command(flatten)]
    pub format: FormatArgs<Format>,
}

/// `--as ADMIN [--from IP]`: the admin a selection command acts as (`user list` and
/// `user show` show only the users they see; `bulk` is refused on any change they
/// may not make).
#[derive(Debug, Clone, Default, Args)]
pub struct ActorArgs {
    /// Act as this admin (a user of the policy holding admin rights): only the users
    /// they see, only the changes they may make.
    #[arg(id = "as_admin", long = "as", value_name = "ADMIN")]
    pub admin: Option<String>,
    /// The address the admin acts from (default: the first word of `SSH_CLIENT`).
    #[arg(
        id = "as_from",
        long = "from",
        value_name = "IP",
        requires = "as_admin"
    )]
    pub from: Option<std::net::IpAddr>,
}
