//! What one user may do at one door on one side, read from the compiled index the
//! way `decide` reads it (docs/decisions.md, step 6 for a user query), and the
//! clauses that produce it.
//!
//! Owns [`Access`] (validity, the schedules the most specific grants give, the door's
//! own schedule), its open minutes on a weekday or a date, and the inputs a delta's
//! cause is chosen from. It must never invent a rule of its own: every step mirrors
//! one of `CompiledPolicy::decide`, and the differential test holds them together.

use std::collections::BTreeSet;

use crate::model::{DoorId, ScheduleId, Target, UserId};
use crate::time::{DayMinutes, LocalTime};

use super::side::Side;
use super::{Clause, Version};

/// A user's access to a door: open on the days of its validity, at the minutes one of
/// its schedules (none: 24/7) is open and the door's own schedule is too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Access {
    /// Inclusive local day numbers.
    pub from: i32,
    pub to: i32,
    /// The schedules of the most specific grants, sorted, without repeats; `[None]`
    /// when one of them is 24/7.
    pub schedules: Vec<Option<ScheduleId>>,
    pub door_schedule: Option<ScheduleId>,
}

/// The doors `user`'s grants reach within the ceilings of its sub-accounts,
/// ascending.
pub(crate) fn reached(side: &Side<'_>, user: UserId) -> Vec<DoorId> {
    let (Some(u), Some(cu)) = (side.user(user), side.compiled.users.get(user.index())) else {
        return Vec::new();
    };
    let targets: Vec<Target> = u
        .grants
        .iter()
        .flat_map(|g| g.targets.iter().copied())
        .collect();
    let mut set = side.compiled.union_of(side.policy.doors.len(), &targets);
    let ceiling = (side.compiled.accounts.get(cu.account.index()))
        .and_then(|a| a.ceiling)
        .and_then(|c| side.compiled.set(c));
    if let Some(ceiling) = ceiling {
        set.intersect_with(ceiling);
    }
    set.iter().collect()
}

/// `user`'s access to `door` (`None`: denied at every instant).
pub(crate) fn access(side: &Side<'_>, user: UserId, door: DoorId) -> Option<Access> {
    let c = &side.compiled;
    let cu = c.users.get(user.index())?;
    if !cu.active {
        return None;
    }
    let ceiling = (c.accounts.get(cu.account.index()))
        .and_then(|a| a.ceiling)
        .and_then(|s| c.set(s));
    if ceiling.is_some_and(|set| !set.contains(door)) {
        return None;
    }
    let grants = c.user_grants(cu);
    let reaching = || grants.iter().filter(|g| c.reaches(g.reach, door));
    let best = reaching().map(|g| g.specificity).max()?;
    let mut schedules: Vec<Option<ScheduleId>> = reaching()
        .filter(|g| g.specificity == best)
        .map(|g| g.schedule.or(cu.base_schedule))
        .collect();
    if schedules.contains(&None) {
        schedules = vec![None];
    }
    schedules.sort_unstable();
    schedules.dedup();
    Some(Access {
        from: cu.valid_from,
        to: cu.valid_to,
        schedules,
        door_schedule: c.doors.get(door.index()).and_then(|d| d.schedule),
    })
}

impl Access {
    /// Whether local day `day` is within the validity.
    pub fn valid(&self, day: i32) -> bool {
        self.from <= day && day <= self.to
    }

    fn each_schedule(&self) -> impl Iterator<Item = Option<ScheduleId>> + '_ {
        self.schedules.iter().copied()
    }

    /// The open minutes of a weekday no holiday touches (validity aside).
    pub fn weekly(&self, side: &Side<'_>, weekday: usize) -> DayMinutes {
        let open = |s: Option<ScheduleId>| match s {
            None => DayMinutes::full(),
            Some(id) => (side.compiled.schedules.get(id.index()))
                .map(|s| s.weekly_minutes(weekday))
                .unwrap_or_default(),
        };
        let user = (self.each_schedule()).fold(DayMinutes::default(), |m, s| m.union(open(s)));
        user.intersection(open(self.door_schedule))
    }

    /// The open minutes of local day `day`, validity and holidays applied.
    pub fn on(&self, side: &Side<'_>, day: i32) -> DayMinutes {
        if !self.valid(day) {
            return DayMinutes::default();
        }
        let weekday = LocalTime { day, minute: 0 }.weekday();
        let calendars = &side.compiled.calendars;
        let open = |s: Option<ScheduleId>| match s {
            None => DayMinutes::full(),
            Some(id) => (side.compiled.schedules.get(id.index()))
                .map(|s| s.open_minutes(day, weekday, calendars))
                .unwrap_or_default(),
        };
        let user = (self.each_schedule()).fold(DayMinutes::default(), |m, s| m.union(open(s)));
        user.intersection(open(self.door_schedule))
    }

    /// Adds the days on which a holiday may make the day differ from its weekday:
    /// each day of a calendar one of the schedules names, and the day after.
    pub fn holiday_days(&self, side: &Side<'_>, days: &mut BTreeSet<i32>) {
        let schedules = self.each_schedule().chain([self.door_schedule]).flatten();
        for id in schedules {
            let Some(schedule) = side.compiled.schedules.get(id.index()) else {
                continue;
            };
            for calendar in schedule.calendars() {
                let Some(calendar) = side.compiled.calendars.get(calendar.index()) else {
                    continue;
                };
                for &(from, to) in calendar.ranges() {
                    let (from, to) = (from.max(self.from), to.saturating_add(1).min(self.to));
                    days.extend(from..=to);
                }
            }
        }
    }
}

/// One input of a decision, with what identifies its meaning across the two sides.
#[derive(Debug, Clone)]
pub(crate) struct Input {
    pub key: String,
    pub clause: Clause,
}

/// Every clause of `side` that takes part in `user`'s decisions at `door`.
pub(crate) fn inputs(side: &Side<'_>, version: Version, user: UserId, door: DoorId) -> Vec<Input> {
    let mut out = Vec::new();
    let Some(u) = side.user(user) else {
        return out;
    };
    let fallback = super::origin::UserOrigin::default();
    let origin = side.origins.users.get(user.index()).unwrap_or(&fallback);
    let door_name = side.door_name(door);
    let mut push = |key: String, text: String, span: Option<crate::Span>| {
        out.push(Input {
            key,
            clause: Clause {
                version,
                text,
                span: span.unwrap_or(origin.span),
            },
        });
    };
    push("user".into(), format!("user {}", u.name), Some(origin.span));
    if !u.active {
        push("inactive".into(), "inactive".into(), origin.inactive);
    }
    if u.validity.from.is_some() || u.validity.to.is_some() {
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let text = format!("valid {}..{}", date(u.validity.from), date(u.validity.to));
        push(text.clone(), text, origin.valid);
    }
    for account in side.policy.ancestry(u.account) {
        let compiled = side.compiled.accounts.get(account.index());
        let Some(own) = compiled
            .and_then(|a| a.own_ceiling)
            .and_then(|s| side.compiled.set(s))
        else {
            continue;
        };
        let name = side
            .policy
            .accounts
            .get(account.index())
            .map_or("", |a| &a.name);
        let holds = own.contains(door);
        let verb = if holds { "holds" } else { "leaves out" };
        let span = side
            .origins
            .accounts
            .get(account.index())
            .map(|a| a.ceiling.unwrap_or(a.span));
        push(
            format!("ceiling {} {holds}", side.account_path(account)),
            format!("ceiling of {name} {verb} {door_name}"),
            span,
        );
    }
    let mut schedules: Vec<ScheduleId> = Vec::new();
    let reaching: Vec<(usize, Target)> = (u.grants.iter().enumerate())
        .flat_map(|(i, g)| g.targets.iter().map(move |&t| (i, t)))
        .filter(|&(_, t)| side.compiled.reaches(side.compiled.reach(t), door))
        .collect();
    let best = reaching.iter().map(|&(_, t)| specificity(t)).max();
    let base = u
        .schedule
        .or_else(|| crate::compile::default_schedule(side.policy, u.account));
    let mut counted: Vec<usize> = Vec::new();
    let mut uses_base = false;
    for &(grant, target) in reaching
        .iter()
        .filter(|(_, t)| Some(specificity(*t)) == best)
    {
        if !counted.contains(&grant) {
            counted.push(grant);
            let (span, text) = origin.allows.get(grant).cloned().unwrap_or_default();
            push(text.clone(), text, Some(span));
        }
        if !matches!(target, Target::Door(_)) {
            let (kind, span) = place_origin(side, target);
            let text = format!("{kind} {} holds {door_name}", side.place_name(target));
            push(text.clone(), text, span);
        }
        let own = u.grants.get(grant).and_then(|g| g.schedule);
        match own {
            Some(s) => schedules.push(s),
            None => {
                uses_base = true;
                if let Some(s) = base {
                    schedules.push(s);
                }
            }
        }
    }
    if uses_base {
        if let Some(s) = u.schedule {
            let text = format!("schedule {}", side.schedule_name(s));
            push(format!("user {text}"), text, origin.schedule);
        } else if let Some(s) = base {
            let owner = (side.policy.ancestry(u.account)).find(|a| {
                (side.policy.accounts.get(a.index()))
                    .and_then(|a| a.ceiling.as_ref())
                    .is_some_and(|c| c.schedule.is_some())
            });
            if let Some(owner) = owner {
                let span =
                    (side.origins.accounts.get(owner.index())).map(|a| a.ceiling.unwrap_or(a.span));
                let name = side.schedule_name(s);
                push(
                    format!("default {name} {}", side.account_path(owner)),
                    format!("ceiling schedule {name}"),
                    span,
                );
            }
        }
    }
    let door_schedule = side.policy.doors.get(door.index()).and_then(|d| d.schedule);
    if let Some(s) = door_schedule {
        let span = side
            .origins
            .doors
            .get(door.index())
            .and_then(|d| d.schedule);
        let text = format!("door {door_name} schedule {}", side.schedule_name(s));
        push(text.clone(), text, span);
        schedules.push(s);
    }
    schedules.sort_unstable();
    schedules.dedup();
    for s in schedules {
        let key = side
            .schedule_hashes
            .get(s.index())
            .copied()
            .unwrap_or_default();
        let name = side.schedule_name(s);
        let span = side.origins.schedules.get(s.index()).copied();
        push(
            format!("schedule {name} {key}"),
            format!("schedule {name}"),
            span,
        );
        let calendars: Vec<_> = (side.compiled.schedules.get(s.index()))
            .map(|c| c.calendars().collect())
            .unwrap_or_default();
        for c in calendars {
            let key = side
                .calendar_hashes
                .get(c.index())
                .copied()
                .unwrap_or_default();
            let name = side.calendar_name(c);
            let span = side.origins.calendars.get(c.index()).copied();
            push(
                format!("holidays {name} {key}"),
                format!("holidays {name}"),
                span,
            );
        }
    }
    out
}

fn specificity(target: Target) -> u8 {
    match target {
        Target::Door(_) => 3,
        Target::Path(_) => 2,
        Target::Group(_) => 1,
        Target::Site(_) => 0,
    }
}

fn place_origin(side: &Side<'_>, target: Target) -> (&'static str, Option<crate::Span>) {
    let o = &side.origins;
    match target {
        Target::Site(s) => ("site", o.sites.get(s.index()).copied()),
        Target::Group(g) => ("group", o.groups.get(g.index()).copied()),
        Target::Path(p) => ("path", o.paths.get(p.index()).copied()),
        Target::Door(d) => ("door", o.doors.get(d.index()).map(|d| d.span)),
    }
}

/// The clauses of one side whose meaning the other side lacks, then the other's.
pub(crate) fn cause(old: &[Input], new: &[Input]) -> Vec<Clause> {
    let mut out: Vec<Clause> = Vec::new();
    let lacks = |others: &[Input], key: &str| !others.iter().any(|o| o.key == key);
    for input in old.iter().filter(|i| lacks(new, &i.key)) {
        out.push(input.clause.clone());
    }
    for input in new.iter().filter(|i| lacks(old, &i.key)) {
        out.push(input.clause.clone());
    }
    out
}
