//! The command line of edits: `user add`, `user set`, `user rm`, and the options they
//! share (what a user gets, what it loses, how the edit is written).
//!
//! Owns their options and help texts, like the rest of [`super`]. It must never judge
//! a value beyond its shape as clap sees it: the core's
//! [`accessctl_core::edit`] reads the validity window and the targets and refuses
//! what does not fit the policy.

use clap::Args;

use accessctl_core::edit::{parse_valid, EditRefused, Field, UserPatch};

use super::{FormatArgs, PolicyArgs};

/// How an edit is written.
#[derive(Debug, Clone, Args)]
pub struct WriteArgs {
    /// Print the unified diff the edit would write, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// What a user is given: the options `user add` and `user set` share.
#[derive(Debug, Clone, Default, Args)]
pub struct GiveArgs {
    /// A card number (digits), given to the user; repeatable. Refused when another
    /// user holds it.
    #[arg(long = "card", value_name = "N")]
    pub cards: Vec<String>,
    /// The user's PIN code (replacing any).
    #[arg(long, value_name = "P")]
    pub pin: Option<String>,
    /// A tag added to the user's; repeatable.
    #[arg(long = "tag", value_name = "T")]
    pub tags: Vec<String>,
    /// A target granted as written in a policy: `entree`, `"group communs"`,
    /// `"site cowork"`, `"path vers_r2"`; repeatable.
    #[arg(long = "allow", value_name = "TARGET")]
    pub allow: Vec<String>,
    /// The user's own schedule, on every door.
    #[arg(long, value_name = "S")]
    pub schedule: Option<String>,
    /// The validity window, inclusive local dates: FROM..TO (2026-01-01..2026-06-30;
    /// either end may be left out).
    #[arg(long, value_name = "FROM..TO")]
    pub valid: Option<String>,
    /// Keeps access while the site is offline.
    #[arg(long)]
    pub offline: bool,
    /// May open doors over the network.
    #[arg(long)]
    pub remote: bool,
    /// Access control not activated: opens nothing.
    #[arg(long)]
    pub inactive: bool,
    /// Admin rights given (`users badges …` or `all`).
    #[arg(long = "admin", value_name = "RIGHT", num_args = 1.., value_delimiter = ',')]
    pub admin: Vec<String>,
}

impl GiveArgs {
    /// The patch these options make (the validity window read by the core).
    pub fn patch(&self) -> Result<UserPatch, EditRefused> {
        let set = |on: bool| on.then_some(true);
        Ok(UserPatch {
            cards_added: self.cards.clone(),
            pin: self.pin.clone().map_or(Field::Keep, Field::Set),
            tags_added: self.tags.clone(),
            allow: self.allow.clone(),
            schedule: self.schedule.clone().map_or(Field::Keep, Field::Set),
            valid: match &self.valid {
                Some(text) => Field::Set(parse_valid(text)?),
                None => Field::Keep,
            },
            offline: set(self.offline),
            remote: set(self.remote),
            inactive: set(self.inactive),
            admin_added: self.admin.clone(),
            ..UserPatch::default()
        })
    }
}

/// What a user loses: the options only `user set` (and `bulk`) take.
#[derive(Debug, Clone, Default, Args)]
pub struct TakeArgs {
    /// A card number taken from the user; repeatable.
    #[arg(long = "no-card", value_name = "N")]
    pub no_cards: Vec<String>,
    /// Removes the user's PIN code.
    #[arg(long, conflicts_with = "pin")]
    pub no_pin: bool,
    /// A tag removed from the user's; repeatable.
    #[arg(long = "untag", value_name = "T")]
    pub untag: Vec<String>,
    /// A target taken out of the user's grants, as written there; repeatable.
    #[arg(long = "deny", value_name = "TARGET")]
    pub deny: Vec<String>,
    /// Removes the user's own schedule.
    #[arg(long, conflicts_with = "schedule")]
    pub no_schedule: bool,
    /// Removes the validity window.
    #[arg(long, conflicts_with = "valid")]
    pub no_valid: bool,
    /// Activates access control (removes `inactive`).
    #[arg(long, conflicts_with = "inactive")]
    pub active: bool,
    /// No more access while the site is offline (removes `offline`).
    #[arg(long, conflicts_with = "offline")]
    pub online: bool,
    /// No more remote opening (removes `remote`).
    #[arg(long, conflicts_with = "remote")]
    pub no_remote: bool,
    /// Admin rights taken (`all`: every one, the whole `admin` clause).
    #[arg(long = "no-admin", value_name = "RIGHT", num_args = 1.., value_delimiter = ',')]
    pub no_admin: Vec<String>,
}

impl TakeArgs {
    /// These removals added to `patch`.
    pub fn apply_to(&self, patch: &mut UserPatch) {
        patch.cards_removed.clone_from(&self.no_cards);
        if self.no_pin {
            patch.pin = Field::Clear;
        }
        patch.tags_removed.clone_from(&self.untag);
        patch.deny.clone_from(&self.deny);
        if self.no_schedule {
            patch.schedule = Field::Clear;
        }
        if self.no_valid {
            patch.valid = Field::Clear;
        }
        if self.active {
            patch.inactive = Some(false);
        }
        if self.online {
            patch.offline = Some(false);
        }
        if self.no_remote {
            patch.remote = Some(false);
        }
        patch.admin_removed.clone_from(&self.no_admin);
    }
}

/// `accessctl user add NAME --account A --name "Full name" --email E [FIELD…]`
#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// The new user's name (handle): letters, digits, `_` and `-`.
    #[arg(value_name = "NAME")]
    pub user: String,
    /// The account or sub-account it joins: `name`, or `name@parent` when several
    /// sub-accounts have the name.
    #[arg(long, value_name = "ACCOUNT")]
    pub account: String,
    /// The full name ("Prénom Nom"), required.
    #[arg(long = "name", value_name = "FULL NAME")]
    pub full_name: String,
    /// The email address, required.
    #[arg(long, value_name = "E")]
    pub email: String,
    /// What the user is given.
    #[command(flatten)]
    pub give: GiveArgs,
    /// How the edit is written.
    #[command(flatten)]
    pub write: WriteArgs,
    /// `--as ADMIN [--from IP]`: refused, with nothing written, unless every change
    /// is within that admin's powers; `user add --as` records them as `created_by`.
    #[command(flatten)]
    pub actor: super::ActorArgs,
    /// The policy.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Output format.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `accessctl user set NAME [FIELD…]`
#[derive(Debug, Args)]
pub struct UserSetArgs {
    /// The user's name.
    #[arg(value_name = "NAME")]
    pub user: String,
    /// A new full name.
    #[arg(long = "name", value_name = "FULL NAME")]
    pub full_name: Option<String>,
    /// A new email address.
    #[arg(long, value_name = "E")]
    pub email: Option<String>,
    /// What the user is given.
    #[command(flatten)]
    pub give: GiveArgs,
    /// What the user loses.
    #[command(flatten)]
    pub take: TakeArgs,
    /// How the edit is written.
    #[command(flatten)]
    pub write: WriteArgs,
    /// `--as ADMIN [--from IP]`: refused, with nothing written, unless every change
    /// is within that admin's powers; `user add --as` records them as `created_by`.
    #[command(flatten)]
    pub actor: super::ActorArgs,
    /// The policy.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Output format.
    #[command(flatten)]
    pub format: FormatArgs,
}

/// `accessctl user rm NAME…`
#[derive(Debug, Args)]
pub struct UserRmArgs {
    /// The users to remove (their cards and codes are free again).
    #[arg(value_name = "NAME", required = true)]
    pub users: Vec<String>,
    /// How the edit is written.
    #[command(flatten)]
    pub write: WriteArgs,
    /// `--as ADMIN [--from IP]`: refused, with nothing written, unless every change
    /// is within that admin's powers; `user add --as` records them as `created_by`.
    #[command(flatten)]
    pub actor: super::ActorArgs,
    /// The policy.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Output format.
    #[command(flatten)]
    pub format: FormatArgs,
}
