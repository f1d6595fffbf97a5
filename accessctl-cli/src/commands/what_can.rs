//! `accessctl what-can --policy P --user U [--at T] [--offline]`: every door a user
//! may open at an instant.
//!
//! Owns asking the engine about the user on every door of the policy and listing the
//! doors allowed, with what reached each and the schedule that was open. An instant
//! written without offset is read in each door's own site zone. Exit 0 with the list
//! (even an empty one), 2 for an unknown user, a bad instant or a policy with errors.
//! It must never decide anything itself.

use accessctl_core::model::{DoorId, UserId};
use accessctl_core::{Request, Subject};
use serde::Serialize;

use crate::args::{Format, WhatCanArgs, When};
use crate::census::plural;
use crate::commands::who_can::{schedule_cell, via_cell};
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
use crate::instant;
use crate::query::{DoorView, QueryPolicy, ViaView};
use crate::render::json::{self, SCHEMA_VERSION};
use crate::table;

/// Runs `what-can`.
pub fn run(args: &WhatCanArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let query = QueryPolicy::load(&args.policy.path)?;
    let user = query.user(&args.user)?;
    let (doors, times) = doors(&query, user, &args.when)?;
    let found = query.policy.users.get(user.index());
    let answer = Answer {
        version: SCHEMA_VERSION,
        user: UserView {
            name: found.map(|u| u.name.clone()).unwrap_or_default(),
            title: found.and_then(|u| u.title.clone()),
            account: found
                .map(|u| query.account_path(u.account))
                .unwrap_or_default(),
        },
        times,
        offline: args.when.offline,
        doors,
    };
    match args.format.value {
        Format::Human => console.out.write_all(answer.human().as_bytes())?,
        Format::Json => console.out.write_all(&json::document(&answer))?,
    }
    Ok(Exit::Success)
}

/// The doors `user` may open, and the instant in each zone asked about.
fn doors(
    query: &QueryPolicy,
    user: UserId,
    when: &When,
) -> Result<(Vec<DoorRow>, Vec<LocalInstant>), CliError> {
    let now = instant::now();
    let mut doors = Vec::new();
    let mut times = Vec::new();
    for door in (0u32..).take(query.policy.doors.len()).map(DoorId) {
        let resolved = query.when(door, when.at.as_ref(), now)?;
        let time = LocalInstant {
            at: resolved.local(),
            timezone: resolved.zone.name(),
        };
        if !times.contains(&time) {
            times.push(time);
        }
        let decision = query.compiled.decide(&Request {
            subject: Subject::User(user),
            door,
            at: resolved.at,
            offline: when.offline,
        });
        if decision.allowed() {
            doors.push(DoorRow {
                door: query.door_view(door),
                at: resolved.local(),
                via: query.via_view(decision.via),
                schedule: query.schedule_name(decision.schedule),
            });
        }
    }
    Ok((doors, times))
}

/// The answer, as shown and as JSON (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Answer {
    version: u32,
    user: UserView,
    /// The instant in the local time of each zone that has doors, each zone once.
    times: Vec<LocalInstant>,
    offline: bool,
    doors: Vec<DoorRow>,
}

/// The instant asked about, in one zone's local time.
#[derive(Serialize, PartialEq, Eq)]
struct LocalInstant {
    at: String,
    timezone: &'static str,
}

/// The user asked about.
#[derive(Serialize)]
struct UserView {
    name: String,
    title: Option<String>,
    account: String,
}

/// A door the user may open.
#[derive(Serialize)]
struct DoorRow {
    #[serde(flatten)]
    door: DoorView,
    at: String,
    via: Option<ViaView>,
    schedule: Option<String>,
}

impl Answer {
    fn human(&self) -> String {
        let times: Vec<String> = self
            .times
            .iter()
            .map(|t| format!("{} ({})", t.at, t.timezone))
            .collect();
        let mut out = format!(
            "what {} of account {} can open",
            self.user.name, self.user.account
        );
        if !times.is_empty() {
            out += &format!(" at {}", times.join(", "));
        }
        out += if self.offline { ", offline:\n" } else { ":\n" };
        if self.doors.is_empty() {
            out += "doors: none\n";
            return out;
        }
        let rows: Vec<Vec<String>> = self
            .doors
            .iter()
            .map(|d| {
                vec![
                    d.door.name.clone(),
                    format!("site {}", d.door.site),
                    via_cell(d.via.as_ref()),
                    schedule_cell(d.schedule.as_ref()),
                ]
            })
            .collect();
        out += &format!("{}:\n{}", plural(rows.len(), "door"), table::render(&rows));
        out
    }
}
