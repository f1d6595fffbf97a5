//! `accessctl user show NAME --policy P`: one user, every field.
//!
//! Owns showing a user as the policy has it (account path, email, tags, credentials
//! without their secrets, validity, state, schedule, grants as written, admin rights)
//! and the doors its grants reach within every ceiling, as the engine sees them
//! (`CompiledPolicy::grant_reaching`). With `--as`, only a user the admin sees. Exit 0,
//! 1 for a user the admin may not see (or an admin without powers), 2 for an unknown user or a policy with
//! errors. It must never decide anything itself, and never show a PIN, QR code or
//! mobile key.

use accessctl_controller::PolicyError;
use accessctl_core::authorize::{self, Rule, Violation};
use accessctl_core::model::{DoorId, Target, UserId};
use serde::Serialize;

use crate::args::{Format, UserShowArgs};
use crate::commands::acting;
use crate::commands::user_list::{UserView, ValidView};
use crate::commands::who_can::{schedule_cell, via_cell};
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
use crate::instant;
use crate::query::{DoorView, QueryPolicy, ViaView};
use crate::render::json::{self, SCHEMA_VERSION};
use crate::table;

/// Runs `user show`.
pub fn run(args: &UserShowArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let query = QueryPolicy::load(&args.policy.path)?;
    let id = query.user(&args.name)?;
    if let Some(actor) = acting::actor(&args.actor) {
        let refusal = match authorize::visible(&query.policy, &actor) {
            Ok(visible) if visible.contains(&id) => None,
            Ok(_) => Some(Violation {
                rule: Rule::Visibility,
                user: args.name.clone(),
                message: format!("`{}` may not see `{}`", actor.admin, args.name),
                span: None,
            }),
            Err(error) => Some(acting::violation(actor.admin, &error)),
        };
        if let Some(refusal) = refusal {
            return acting::refused(&[refusal], args.format.value, console);
        }
    }
    let zone = query
        .policy
        .sites
        .first()
        .map_or(chrono_tz::UTC, |s| s.timezone);
    let today = instant::local(instant::now(), zone).date_naive();
    let Some(user) = UserView::of(&query.policy, id, today) else {
        return Err(CliError::Policy(PolicyError::UnknownName {
            kind: "user",
            name: args.name.clone(),
            suggestion: None,
        }));
    };
    let answer = Answer {
        version: SCHEMA_VERSION,
        grants: grants(&query, id),
        admin: admin(&query, id),
        doors: doors(&query, id),
        user,
    };
    match args.format.value {
        Format::Human => console.out.write_all(answer.human().as_bytes())?,
        Format::Json => console.out.write_all(&json::document(&answer))?,
    }
    Ok(Exit::Success)
}

/// The answer, as shown and as JSON (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Answer {
    version: u32,
    user: UserView,
    grants: Vec<GrantView>,
    admin: Option<AdminView>,
    doors: Vec<DoorRow>,
}

/// A grant as written: its targets and its per-door schedule.
#[derive(Serialize)]
struct GrantView {
    targets: Vec<ViaView>,
    schedule: Option<String>,
}

/// Admin rights and the one address they may be used from.
#[derive(Serialize)]
struct AdminView {
    rights: Vec<&'static str>,
    ip: Option<String>,
}

/// A door the user's grants reach.
#[derive(Serialize)]
struct DoorRow {
    door: DoorView,
    via: Option<ViaView>,
    schedule: Option<String>,
}

fn grants(query: &QueryPolicy, id: UserId) -> Vec<GrantView> {
    let Some(user) = query.policy.users.get(id.index()) else {
        return Vec::new();
    };
    user.grants
        .iter()
        .map(|g| GrantView {
            targets: g
                .targets
                .iter()
                .filter_map(|&t: &Target| query.via_view(Some(t)))
                .collect(),
            schedule: query.schedule_name(g.schedule),
        })
        .collect()
}

fn admin(query: &QueryPolicy, id: UserId) -> Option<AdminView> {
    let admin = query.policy.users.get(id.index())?.admin.as_ref()?;
    Some(AdminView {
        rights: admin.rights.to_words(),
        ip: admin.ip.map(|ip| ip.to_string()),
    })
}

fn doors(query: &QueryPolicy, id: UserId) -> Vec<DoorRow> {
    (0u32..)
        .take(query.policy.doors.len())
        .map(DoorId)
        .filter_map(|door| {
            let reach = query.compiled.grant_reaching(id, door)?;
            Some(DoorRow {
                door: query.door_view(door),
                via: query.via_view(Some(reach.via)),
                schedule: query.schedule_name(reach.schedule),
            })
        })
        .collect()
}

impl Answer {
    fn human(&self) -> String {
        let u = &self.user;
        let mut out = match &u.title {
            Some(title) => format!("user {} {title:?}\n", u.name),
            None => format!("user {}\n", u.name),
        };
        let none = || "none".to_owned();
        let mut credentials: Vec<String> = u.cards.iter().map(|c| format!("card {c}")).collect();
        for (held, what) in [(u.pin, "pin"), (u.qr, "qr"), (u.mobile, "mobile")] {
            if held {
                credentials.push(format!("{what} (hidden)"));
            }
        }
        let list = |items: Vec<String>| {
            if items.is_empty() {
                none()
            } else {
                items.join(", ")
            }
        };
        let grants = self.grants.iter().map(|g| {
            // As written in the language: `entree`, `group communs`, `path vers_r2`.
            let targets: Vec<String> = g
                .targets
                .iter()
                .map(|t| match t.kind {
                    "door" => t.name.clone(),
                    _ => t.to_string(),
                })
                .collect();
            match &g.schedule {
                Some(s) => format!("{} schedule {s}", targets.join(" ")),
                None => targets.join(" "),
            }
        });
        let admin = self.admin.as_ref().map_or_else(none, |a| {
            let rights = a.rights.join(" ");
            match &a.ip {
                Some(ip) => format!("{rights} ip {ip}"),
                None => rights,
            }
        });
        let rows = [
            ("account", u.account.clone()),
            ("email", u.email.clone().unwrap_or_else(none)),
            ("tags", list(u.tags.clone())),
            ("credentials", list(credentials)),
            ("valid", valid(u.valid)),
            ("state", u.state()),
            ("schedule", u.schedule.clone().unwrap_or_else(none)),
            ("grants", list(grants.collect())),
            ("admin", admin),
        ];
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|(k, v)| vec![k.to_owned(), v])
            .collect();
        out += &table::render(&rows);
        if self.doors.is_empty() {
            out += "doors: none\n";
        } else {
            let rows: Vec<Vec<String>> = self
                .doors
                .iter()
                .map(|d| {
                    vec![
                        d.door.to_string(),
                        via_cell(d.via.as_ref()),
                        schedule_cell(d.schedule.as_ref()),
                    ]
                })
                .collect();
            out += &format!(
                "{} its grants reach:\n{}",
                crate::census::plural(self.doors.len(), "door"),
                table::render(&rows)
            );
        }
        out
    }
}

/// `always`, `2025-09-01..2026-02-28`, `2025-01-06..` or `..2026-02-28`.
fn valid(valid: ValidView) -> String {
    match (valid.from, valid.to) {
        (None, None) => "always".to_owned(),
        (from, to) => format!(
            "{}..{}",
            from.map(|d| d.to_string()).unwrap_or_default(),
            to.map(|d| d.to_string()).unwrap_or_default()
        ),
    }
}
