//! Warnings: what is legal but probably a mistake (W01xx).
//!
//! Owns the usage survey of a valid policy: schedules nobody uses (W0101), doors
//! nobody can open (W0102: no grant, appointment or space code reaches them; a
//! ceiling alone opens nothing), users with no credential and no remote opening
//! (W0103), holiday calendars no schedule uses (W0104), groups and paths nobody names
//! (W0105), offline locks listed in an anti-passback zone, where it is never checked
//! (W0106).
//!
//! It runs only on a policy without errors (so an error never causes a knock-on
//! warning) and must never emit an error.

use super::doorset::DoorSet;
use super::names::Names;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Connectivity, Policy, Target};
use crate::source::Span;
use crate::syntax::ast::{Ident, ZoneClause};
use rustc_hash::FxHashSet as HashSet;

/// What the policy uses, gathered once.
struct Usage {
    schedules: Vec<bool>,
    calendars: Vec<bool>,
    /// Targets that open doors: grants, appointments, space codes.
    opening: HashSet<Target>,
    /// Targets named anywhere, ceilings included.
    named: HashSet<Target>,
}

/// Reports every warning of a valid policy.
pub(super) fn check(names: &Names<'_>, policy: &Policy, diags: &mut Vec<Diagnostic>) {
    let usage = Usage::of(policy);
    unused_schedules(names, &usage, diags);
    unused_calendars(names, &usage, diags);
    unused_groups(names, &usage, diags);
    unreachable_doors(names, policy, &usage, diags);
    users_without_credential(names, policy, diags);
    offline_zone_doors(names, policy, diags);
}

impl Usage {
    fn of(policy: &Policy) -> Usage {
        let mut usage = Usage {
            schedules: vec![false; policy.schedules.len()],
            calendars: vec![false; policy.calendars.len()],
            opening: HashSet::default(),
            named: HashSet::default(),
        };
        let door_schedules = policy.doors.iter().filter_map(|d| d.schedule);
        let user_schedules = policy.users.iter().filter_map(|u| u.schedule);
        let grants = policy.users.iter().flat_map(|u| &u.grants);
        let grant_schedules = grants.clone().filter_map(|g| g.schedule);
        let ceilings = policy.accounts.iter().filter_map(|a| a.ceiling.as_ref());
        let ceiling_schedules = ceilings.clone().filter_map(|c| c.schedule);
        for schedule in door_schedules
            .chain(user_schedules)
            .chain(grant_schedules)
            .chain(ceiling_schedules)
        {
            mark(&mut usage.schedules, schedule.index());
        }
        for schedule in &policy.schedules {
            let rules = schedule.holiday_rules.iter().flat_map(|r| &r.calendars);
            for calendar in schedule.closed_on.iter().chain(rules) {
                mark(&mut usage.calendars, calendar.index());
            }
        }
        let appointments = policy.appointments.iter().flat_map(|a| &a.targets);
        let codes = policy.space_codes.iter().flat_map(|c| &c.targets);
        let opening = grants
            .flat_map(|g| &g.targets)
            .chain(appointments)
            .chain(codes);
        usage.opening.extend(opening.copied());
        usage.named.extend(usage.opening.iter().copied());
        usage.named.extend(ceilings.flat_map(|c| &c.doors).copied());
        usage
    }
}

fn mark(flags: &mut [bool], index: usize) {
    if let Some(flag) = flags.get_mut(index) {
        *flag = true;
    }
}

fn unused_schedules(names: &Names<'_>, usage: &Usage, diags: &mut Vec<Diagnostic>) {
    for (schedule, used) in names.schedules.iter().zip(&usage.schedules) {
        if !used {
            diags.push(unused(
                Code::UnusedSchedule,
                "schedule",
                &schedule.name.name,
                schedule.name.span,
                "no door, user, grant or ceiling uses it",
            ));
        }
    }
}

fn unused_calendars(names: &Names<'_>, usage: &Usage, diags: &mut Vec<Diagnostic>) {
    for (calendar, used) in names.calendars.iter().zip(&usage.calendars) {
        if !used {
            diags.push(unused(
                Code::UnusedCalendar,
                "holiday calendar",
                &calendar.name.name,
                calendar.name.span,
                "no schedule uses it",
            ));
        }
    }
}

fn unused_groups(names: &Names<'_>, usage: &Usage, diags: &mut Vec<Diagnostic>) {
    let label = "no grant, ceiling, space code or appointment names it";
    for (index, (group, _)) in names.groups.iter().enumerate() {
        let id = crate::model::GroupId(super::id(index));
        if !usage.named.contains(&Target::Group(id)) {
            diags.push(unused(
                Code::UnusedGroup,
                "group",
                &group.name.name,
                group.name.span,
                label,
            ));
        }
    }
    for (index, (path, _)) in names.paths.iter().enumerate() {
        let id = crate::model::PathId(super::id(index));
        if !usage.named.contains(&Target::Path(id)) {
            diags.push(unused(
                Code::UnusedGroup,
                "path",
                &path.name.name,
                path.name.span,
                label,
            ));
        }
    }
}

fn unused(code: Code, what: &str, name: &str, at: Span, label: &str) -> Diagnostic {
    Diagnostic::warning(code, at, format!("{what} `{name}` is never used"))
        .with_label(label)
        .with_help(format!("use it, or remove the {what}"))
}

fn unreachable_doors(
    names: &Names<'_>,
    policy: &Policy,
    usage: &Usage,
    diags: &mut Vec<Diagnostic>,
) {
    let mut opened = DoorSet::with_doors(policy.doors.len());
    for door in usage.opening.iter().flat_map(|t| policy.doors_of(*t)) {
        opened.insert(door);
    }
    for (index, (door, _)) in names.doors.iter().enumerate() {
        if opened.contains(crate::model::DoorId(super::id(index))) {
            continue;
        }
        diags.push(
            Diagnostic::warning(
                Code::UnreachableDoor,
                door.name.span,
                format!("door `{}` cannot be opened by anyone", door.name.name),
            )
            .with_label("no grant, appointment or space code reaches it")
            .with_help("grant it to a user (a ceiling alone opens nothing), or remove the door"),
        );
    }
}

fn users_without_credential(names: &Names<'_>, policy: &Policy, diags: &mut Vec<Diagnostic>) {
    for ((user, _), lowered) in names.users.iter().zip(&policy.users) {
        if !lowered.credentials.is_empty() || lowered.remote {
            continue;
        }
        diags.push(
            Diagnostic::warning(
                Code::UserWithoutCredential,
                user.name.span,
                format!("user `{}` has no credential", user.name.name),
            )
            .with_label("no card, PIN, QR code or mobile key, and no remote opening")
            .with_help("give the user a `card`, `pin`, `qr` or `mobile`, or `remote`"),
        );
    }
}

/// W0106: an offline lock decides from its memory alone, with no presence to read, so
/// the zone is never checked at it.
fn offline_zone_doors(names: &Names<'_>, policy: &Policy, diags: &mut Vec<Diagnostic>) {
    for (zone, _) in &names.zones {
        for entry in &zone.body.entries {
            let (ZoneClause::Entry(listed) | ZoneClause::Exit(listed)) = &entry.node else {
                continue;
            };
            let Some(Target::Door(door)) = names.places.get(listed.door.name.as_str()) else {
                continue;
            };
            let offline = policy
                .doors
                .get(door.index())
                .is_some_and(|d| d.connectivity == Connectivity::Offline);
            if offline {
                diags.push(offline_zone_door(&listed.door, &zone.name.name));
            }
        }
    }
}

fn offline_zone_door(door: &Ident, zone: &str) -> Diagnostic {
    Diagnostic::warning(
        Code::OfflineZoneDoor,
        door.span,
        format!("door `{}` of zone `{zone}` is an offline lock", door.name),
    )
    .with_label("an offline lock knows no presence: anti-passback is never checked here")
    .with_help("connect the door to a controller, or remove it from the zone")
}
