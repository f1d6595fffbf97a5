//! `accessctl who-can --policy P --door D [--at T] [--offline]`: everyone who may
//! open a door at an instant.
//!
//! Owns asking the engine about every user (whatever the medium), every appointment
//! guest and every permanent space code of the policy, and listing those allowed with
//! what reached the door. Exit 0 with the list (even an empty one), 2 for an unknown
//! door, a bad instant or a policy with errors. It must never decide anything itself,
//! and never show a space code's value: codes are numbered in policy order.

use accessctl_core::compile::Holder;
use accessctl_core::model::{AppointmentId, DoorId, UserId};
use accessctl_core::{Decision, Presented, Reason, Request, Subject};
use serde::Serialize;

use crate::args::{Format, WhoCanArgs};
use crate::census::plural;
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
use crate::instant;
use crate::query::{DoorView, QueryPolicy, ViaView, When};
use crate::render::json::{self, SCHEMA_VERSION};
use crate::table;

/// Runs `who-can`.
pub fn run(args: &WhoCanArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let query = QueryPolicy::load(&args.policy.path)?;
    let door = query.door(&args.door)?;
    let when = query.when(door, args.when.at.as_ref(), instant::now())?;
    let asker = Asker {
        query: &query,
        door,
        when,
        offline: args.when.offline,
    };
    let answer = Answer {
        version: SCHEMA_VERSION,
        door: query.door_view(door),
        at: when.local(),
        unix: when.at.0,
        timezone: when.zone.name(),
        offline: args.when.offline,
        users: asker.users(),
        guests: asker.guests(),
        space_codes: asker.space_codes(),
    };
    match args.format.value {
        Format::Human => console.out.write_all(answer.human().as_bytes())?,
        Format::Json => console.out.write_all(&json::document(&answer))?,
    }
    Ok(Exit::Success)
}

/// Asks the engine about one door at one instant.
struct Asker<'a> {
    query: &'a QueryPolicy,
    door: DoorId,
    when: When,
    offline: bool,
}

impl Asker<'_> {
    fn decide(&self, subject: Subject<'_>) -> Decision {
        self.query.compiled.decide(&Request {
            subject,
            door: self.door,
            at: self.when.at,
            offline: self.offline,
        })
    }

    fn users(&self) -> Vec<UserRow> {
        let q = self.query;
        (0u32..)
            .zip(&q.policy.users)
            .filter_map(|(id, user)| {
                let decision = self.decide(Subject::User(UserId(id)));
                decision.allowed().then(|| UserRow {
                    name: user.name.clone(),
                    title: user.title.clone(),
                    account: q.account_path(user.account),
                    via: q.via_view(decision.via),
                    schedule: q.schedule_name(decision.schedule),
                })
            })
            .collect()
    }

    fn guests(&self) -> Vec<GuestRow> {
        let q = self.query;
        let mut rows = Vec::new();
        for (id, appointment) in (0u32..).zip(&q.policy.appointments) {
            for (index, guest) in (0u32..).zip(&appointment.guests) {
                let decision = self.decide(Subject::Guest(AppointmentId(id), index));
                if decision.allowed() {
                    rows.push(GuestRow {
                        name: guest.name.clone(),
                        appointment: appointment.name.clone(),
                        via: q.via_view(decision.via),
                    });
                }
            }
        }
        rows
    }

    /// Space codes typed alone on the keypad; a code equal to another one is listed
    /// once, under the one the engine names.
    fn space_codes(&self) -> Vec<CodeRow> {
        let q = self.query;
        (0u32..)
            .zip(&q.policy.space_codes)
            .filter_map(|(number, code)| {
                let decision = self.decide(Subject::Credentials(Presented {
                    pin: Some(&code.code),
                    ..Presented::default()
                }));
                let this_code = decision.holder == Some(Holder::SpaceCode { code: number });
                (decision.reason == Reason::SpaceCode && this_code).then(|| CodeRow {
                    number: number + 1,
                    via: q.via_view(decision.via),
                })
            })
            .collect()
    }
}

/// The answer, as shown and as JSON (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Answer {
    version: u32,
    door: DoorView,
    at: String,
    unix: i64,
    timezone: &'static str,
    offline: bool,
    users: Vec<UserRow>,
    guests: Vec<GuestRow>,
    space_codes: Vec<CodeRow>,
}

/// A user who may open the door.
#[derive(Serialize)]
struct UserRow {
    name: String,
    title: Option<String>,
    account: String,
    via: Option<ViaView>,
    schedule: Option<String>,
}

/// An appointment guest who may open the door.
#[derive(Serialize)]
struct GuestRow {
    name: String,
    appointment: String,
    via: Option<ViaView>,
}

/// A permanent space code that opens the door.
#[derive(Serialize)]
struct CodeRow {
    number: u32,
    via: Option<ViaView>,
}

impl Answer {
    fn human(&self) -> String {
        let mut out = format!(
            "who can open {} at {} ({})",
            self.door, self.at, self.timezone
        );
        out += if self.offline { ", offline:\n" } else { ":\n" };
        out += &section("user", self.users.iter().map(UserRow::cells).collect());
        out += &section("guest", self.guests.iter().map(GuestRow::cells).collect());
        out += &section(
            "space code",
            self.space_codes.iter().map(CodeRow::cells).collect(),
        );
        out
    }
}

/// `users (2):` and the table, or `users: none`.
fn section(noun: &str, rows: Vec<Vec<String>>) -> String {
    if rows.is_empty() {
        return format!("{noun}s: none\n");
    }
    let count = plural(rows.len(), noun);
    format!("{count}:\n{}", table::render(&rows))
}

/// `via group communs`, or `via ?` when nothing was named.
pub fn via_cell(via: Option<&ViaView>) -> String {
    via.map_or_else(|| "via ?".to_owned(), |v| format!("via {v}"))
}

/// `schedule bureau`, or `at any time` for no schedule (24/7).
pub fn schedule_cell(schedule: Option<&String>) -> String {
    schedule.map_or_else(|| "at any time".to_owned(), |s| format!("schedule {s}"))
}

impl UserRow {
    fn cells(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            format!("account {}", self.account),
            via_cell(self.via.as_ref()),
            schedule_cell(self.schedule.as_ref()),
        ]
    }
}

impl GuestRow {
    fn cells(&self) -> Vec<String> {
        vec![
            format!("{:?}", self.name),
            format!("appointment {}", self.appointment),
            via_cell(self.via.as_ref()),
        ]
    }
}

impl CodeRow {
    fn cells(&self) -> Vec<String> {
        vec![format!("#{}", self.number), via_cell(self.via.as_ref())]
    }
}
