//! `accessctl user list --policy P [FILTER…] [--as ADMIN]`: the users a filter selects
//! (of those the admin sees).
//!
//! Owns loading the policy, asking the core's `select` for the users, and rendering
//! them: a table for people, one JSON document, or CSV; and [`UserView`], a user as
//! every selection command shows it (`user show`, `bulk`). Exit 0 with the list (even
//! an empty one), 1 when `--as` names an admin without powers (or from the wrong
//! address), 2 for an unknown tag, account or door, or a policy with errors. It
//! must never select anything itself, and never show a secret (a PIN, QR code or
//! mobile key is only said to be there).

use accessctl_core::model::{Credential, Policy, User, UserId};
use accessctl_core::select::{self, account_path};
use chrono::NaiveDate;
use serde::Serialize;

use accessctl_core::authorize;

use crate::args::{FilterArgs, Format, ListFormat, UserListArgs};
use crate::census::plural;
use crate::commands::acting;
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
use crate::instant;
use crate::query::QueryPolicy;
use crate::render::json::{self, SCHEMA_VERSION};
use crate::table;

/// Runs `user list`.
pub fn run(args: &UserListArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let query = QueryPolicy::load(&args.policy.path)?;
    let today = today(&query.policy, &args.filter);
    let mut selected = select::select(&query.policy, &args.filter.filter(), today)?;
    if let Some(actor) = acting::actor(&args.actor) {
        let format = match args.format.value {
            ListFormat::Json => Format::Json,
            ListFormat::Human | ListFormat::Csv => Format::Human,
        };
        match authorize::visible(&query.policy, &actor) {
            Ok(visible) => selected.retain(|id| visible.binary_search(id).is_ok()),
            Err(error) => {
                return acting::refused(&[acting::violation(actor.admin, &error)], format, console)
            }
        }
    }
    let users: Vec<UserView> = selected
        .iter()
        .filter_map(|&id| UserView::of(&query.policy, id, today))
        .collect();
    match args.format.value {
        ListFormat::Human => console.out.write_all(human(&users).as_bytes())?,
        ListFormat::Json => console.out.write_all(&json::document(&Answer {
            version: SCHEMA_VERSION,
            count: users.len(),
            users,
        }))?,
        ListFormat::Csv => console
            .out
            .write_all(csv(&users).map_err(std::io::Error::other)?.as_bytes())?,
    }
    Ok(Exit::Success)
}

/// The date `--expired` is judged against: `--today`, else today in the first site's
/// zone (UTC for a policy without sites).
pub fn today(policy: &Policy, filter: &FilterArgs) -> NaiveDate {
    filter.today.unwrap_or_else(|| {
        let zone = policy.sites.first().map_or(chrono_tz::UTC, |s| s.timezone);
        instant::local(instant::now(), zone).date_naive()
    })
}

/// The answer as JSON (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Answer {
    version: u32,
    count: usize,
    users: Vec<UserView>,
}

/// A user as the selection commands show it.
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    /// Its handle.
    pub name: String,
    /// Its full name.
    pub title: Option<String>,
    /// `name@parent…`.
    pub account: String,
    /// Its email.
    pub email: Option<String>,
    /// Its tags.
    pub tags: Vec<String>,
    /// Its card numbers (printed: they are written on the cards).
    pub cards: Vec<u64>,
    /// Whether it has a PIN (never shown).
    pub pin: bool,
    /// Whether it has a QR code (never shown).
    pub qr: bool,
    /// Whether it has a mobile key (never shown).
    pub mobile: bool,
    /// Access control activated.
    pub active: bool,
    /// Validity ended before today.
    pub expired: bool,
    /// Keeps access while the site is offline.
    pub offline: bool,
    /// May open over the network.
    pub remote: bool,
    /// Its validity window.
    pub valid: ValidView,
    /// Its own schedule.
    pub schedule: Option<String>,
}

/// A validity window: inclusive local dates, `null` for an open end.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ValidView {
    /// First valid day.
    pub from: Option<NaiveDate>,
    /// Last valid day.
    pub to: Option<NaiveDate>,
}

impl UserView {
    /// The view of user `id` of `policy`, judged expired against `today`.
    pub fn of(policy: &Policy, id: UserId, today: NaiveDate) -> Option<UserView> {
        let user: &User = policy.users.get(id.index())?;
        let has = |kind: fn(&Credential) -> bool| user.credentials.iter().any(kind);
        Some(UserView {
            name: user.name.clone(),
            title: user.title.clone(),
            account: account_path(policy, user.account),
            email: user.email.clone(),
            tags: user.tags.clone(),
            cards: user
                .credentials
                .iter()
                .filter_map(|c| match c {
                    Credential::Card(n) => Some(*n),
                    _ => None,
                })
                .collect(),
            pin: has(|c| matches!(c, Credential::Pin(_))),
            qr: has(|c| matches!(c, Credential::Qr(_))),
            mobile: has(|c| matches!(c, Credential::Mobile(_))),
            active: user.active,
            expired: user.validity.to.is_some_and(|to| to < today),
            offline: user.offline,
            remote: user.remote,
            valid: ValidView {
                from: user.validity.from,
                to: user.validity.to,
            },
            schedule: user
                .schedule
                .and_then(|s| policy.schedules.get(s.index()))
                .map(|s| s.name.clone()),
        })
    }

    /// `active`, or `inactive`, then `expired`, `offline`, `remote` as they hold.
    pub fn state(&self) -> String {
        let mut words = vec![if self.active { "active" } else { "inactive" }];
        for (holds, word) in [
            (self.expired, "expired"),
            (self.offline, "offline"),
            (self.remote, "remote"),
        ] {
            if holds {
                words.push(word);
            }
        }
        words.join(", ")
    }
}

/// `7 users:` and a table with a header, or `no user selected`.
fn human(users: &[UserView]) -> String {
    if users.is_empty() {
        return "no user selected\n".to_owned();
    }
    let mut rows = vec![["NAME", "FULL NAME", "ACCOUNT", "EMAIL", "TAGS", "STATE"]
        .map(str::to_owned)
        .to_vec()];
    rows.extend(users.iter().map(|u| {
        vec![
            u.name.clone(),
            u.title.clone().unwrap_or_default(),
            u.account.clone(),
            u.email.clone().unwrap_or_default(),
            u.tags.join(" "),
            u.state(),
        ]
    }));
    format!("{}:\n{}", plural(users.len(), "user"), table::render(&rows))
}

/// RFC 4180 CSV with a header record; lists joined by spaces, booleans `true` or
/// `false`, open dates empty.
fn csv(users: &[UserView]) -> Result<String, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record([
        "name",
        "title",
        "account",
        "email",
        "tags",
        "cards",
        "active",
        "expired",
        "offline",
        "remote",
        "valid_from",
        "valid_to",
        "schedule",
    ])?;
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for u in users {
        let cards: Vec<String> = u.cards.iter().map(u64::to_string).collect();
        writer.write_record([
            u.name.clone(),
            u.title.clone().unwrap_or_default(),
            u.account.clone(),
            u.email.clone().unwrap_or_default(),
            u.tags.join(" "),
            cards.join(" "),
            u.active.to_string(),
            u.expired.to_string(),
            u.offline.to_string(),
            u.remote.to_string(),
            date(u.valid.from),
            date(u.valid.to),
            u.schedule.clone().unwrap_or_default(),
        ])?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
