//! The changes to a user that `bulk` gives every selected user (and `user set` one):
//! the flags of `user set`, read into the core's `edit::UserPatch`.
//!
//! Owns the flags and their help, and the one reading of them into a patch
//! ([`UserChangeArgs::patch`]), so that every command that changes users parses them
//! the same way. It must never look at a policy: `edit::apply` judges the names.

use clap::Args;

use accessctl_core::edit::{parse_valid, EditRefused, Field, UserPatch};

/// `--tag T`, `--untag T`, `--allow TARGET`, `--deny TARGET`, `--schedule S`, … : what
/// changes in a user. Flags given together all apply; a flag and its opposite
/// (`--inactive` and `--active`) conflict.
#[derive(Debug, Clone, Default, Args)]
pub struct UserChangeArgs {
    /// The full name ("Prénom Nom").
    #[arg(long = "name", value_name = "FULL_NAME")]
    pub title: Option<String>,
    /// The email address, replacing any.
    #[arg(long, value_name = "EMAIL")]
    pub email: Option<String>,
    /// A card number to add (repeatable).
    #[arg(long = "card", value_name = "N")]
    pub cards: Vec<String>,
    /// A card number to take away (repeatable): the card is free again.
    #[arg(long = "no-card", value_name = "N")]
    pub no_cards: Vec<String>,
    /// The PIN code, replacing any (never printed).
    #[arg(long, value_name = "PIN", conflicts_with = "no_pin")]
    pub pin: Option<String>,
    /// Remove the PIN code.
    #[arg(long)]
    pub no_pin: bool,
    /// A tag to add (repeatable).
    #[arg(long = "tag", value_name = "T")]
    pub tags: Vec<String>,
    /// A tag to remove (repeatable).
    #[arg(long = "untag", value_name = "T")]
    pub untags: Vec<String>,
    /// A target to grant, as written in a policy: `entree`, `group communs`, `path
    /// vers_r2`, `site cowork` (repeatable).
    #[arg(long, value_name = "TARGET")]
    pub allow: Vec<String>,
    /// A target to take out of the user's grants, as written (repeatable).
    #[arg(long, value_name = "TARGET")]
    pub deny: Vec<String>,
    /// The user's own schedule, replacing any.
    #[arg(long, value_name = "S", conflicts_with = "no_schedule")]
    pub schedule: Option<String>,
    /// Remove the user's own schedule (the sub-account's default, or 24/7, applies).
    #[arg(long)]
    pub no_schedule: bool,
    /// The validity window, FROM..TO (either end may be left out: `2026-01-01..`).
    #[arg(long, value_name = "FROM..TO", conflicts_with = "no_valid")]
    pub valid: Option<String>,
    /// Remove the validity window (valid always).
    #[arg(long)]
    pub no_valid: bool,
    /// Deactivate access control (`inactive`).
    #[arg(long, conflicts_with = "active")]
    pub inactive: bool,
    /// Activate access control again.
    #[arg(long)]
    pub active: bool,
    /// Keep access while the site is offline (`offline`).
    #[arg(long, conflicts_with = "no_offline")]
    pub offline: bool,
    /// No access while the site is offline.
    #[arg(long)]
    pub no_offline: bool,
    /// Allow remote opening (`remote`).
    #[arg(long, conflicts_with = "no_remote")]
    pub remote: bool,
    /// No remote opening.
    #[arg(long)]
    pub no_remote: bool,
    /// Admin rights to give (words of docs/language.md, or `all`).
    #[arg(long = "admin", value_name = "RIGHT", num_args = 1..)]
    pub admin: Vec<String>,
    /// Admin rights to take away (`all`: every one).
    #[arg(long = "no-admin", value_name = "RIGHT", num_args = 1..)]
    pub no_admin: Vec<String>,
}

impl UserChangeArgs {
    /// The patch these flags make; a malformed `--valid` is refused.
    pub fn patch(&self) -> Result<UserPatch, EditRefused> {
        let field = |set: Option<&String>, clear: bool| match (set, clear) {
            (Some(value), _) => Field::Set(value.clone()),
            (None, true) => Field::Clear,
            (None, false) => Field::Keep,
        };
        let flag = |on: bool, off: bool| match (on, off) {
            (true, _) => Some(true),
            (false, true) => Some(false),
            (false, false) => None,
        };
        let valid = match (&self.valid, self.no_valid) {
            (Some(text), _) => Field::Set(parse_valid(text)?),
            (None, true) => Field::Clear,
            (None, false) => Field::Keep,
        };
        Ok(UserPatch {
            title: self.title.clone(),
            email: self.email.clone(),
            cards_added: self.cards.clone(),
            cards_removed: self.no_cards.clone(),
            pin: field(self.pin.as_ref(), self.no_pin),
            tags_added: self.tags.clone(),
            tags_removed: self.untags.clone(),
            allow: self.allow.clone(),
            deny: self.deny.clone(),
            schedule: field(self.schedule.as_ref(), self.no_schedule),
            valid,
            offline: flag(self.offline, self.no_offline),
            remote: flag(self.remote, self.no_remote),
            inactive: flag(self.inactive, self.active),
            admin_added: self.admin.clone(),
            admin_removed: self.no_admin.clone(),
            created_by: None,
        })
    }
}
