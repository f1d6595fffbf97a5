//! The natural Cedar model: what a Cedar user would write first.
//!
//! Owns its entities and policies. Users are principals, children of their
//! (sub-)account and of their access levels; doors are resources, children of their
//! site, groups and paths (and of `DoorHours::"S"` when schedule `S` binds the
//! door). An access level is a grant target with its effective schedule; each gets
//! one `permit` whose `when` is the schedule written out over the context's
//! weekday, minute and holiday calendars, and whose `unless` steps aside on doors a
//! more specific grant of the user reaches. `forbid`s carry the other rules: one
//! for inactive users, validity, offline locks, readers and second factors, one per
//! sub-account ceiling, one per door schedule.

use super::schedule::condition;
use super::{
    boolean, door_basics, doors_above, effective_schedule, long, resource_in, specificity,
    string_set, target_uid, uid, uid_set, user_basics, Caller, CedarModel, Facts,
};
use accessctl_core::model::{Policy, ScheduleId, Target};
use cedar_policy::{Context, Entity, EntityUid};
use std::collections::HashMap;
use std::sync::Arc;

/// An access level: a target and the schedule that applies on it.
type Level = (Target, Option<ScheduleId>);

/// The natural model of `policy`.
///
/// # Errors
/// A Cedar parse or entity error, as text.
pub fn build(policy: &Policy, caller: Arc<Caller>) -> Result<CedarModel, String> {
    let levels = levels(policy);
    let mut text = String::new();
    for (i, &(target, schedule)) in levels.list.iter().enumerate() {
        text.push_str(&level_permit(policy, i, target, schedule));
    }
    text.push_str(&basic_forbids());
    text.push_str(&ceiling_forbids(policy));
    text.push_str(&door_hour_forbids(policy));
    let entities = entities(policy, &levels);
    CedarModel::new("natural", caller, &text, entities, context)
}

/// Every access level of the policy, numbered in the order first met.
#[derive(Default)]
struct Levels {
    list: Vec<Level>,
    numbers: HashMap<Level, usize>,
}

fn levels(policy: &Policy) -> Levels {
    let mut levels = Levels::default();
    for user in &policy.users {
        for grant in &user.grants {
            let schedule = effective_schedule(policy, user, grant);
            for &target in &grant.targets {
                let next = levels.list.len();
                levels.numbers.entry((target, schedule)).or_insert_with(|| {
                    levels.list.push((target, schedule));
                    next
                });
            }
        }
    }
    levels
}

fn level_uid(i: usize) -> EntityUid {
    uid("Level", &format!("L{i}"))
}

/// The `permit` of access level `i`.
fn level_permit(policy: &Policy, i: usize, target: Target, schedule: Option<ScheduleId>) -> String {
    let mut text = format!(
        "permit(principal in {}, action == Action::\"open\", {})",
        level_uid(i),
        resource_in(policy, target)
    );
    if let Some(s) = schedule.and_then(|s| policy.schedules.get(s.index())) {
        text.push_str(&format!("\nwhen {{ {} }}", condition(policy, s)));
    }
    let spec = specificity(target);
    if spec < 3 {
        text.push_str(&format!(
            "\nunless {{ principal.above{spec}.contains(resource) }}"
        ));
    }
    text.push_str(";\n");
    text
}

/// The rules every allow needs besides grants, ceilings and schedules.
fn basic_forbids() -> String {
    [
        "unless { principal.active }",
        "when { context.day < principal.valid_from || context.day > principal.valid_to }",
        "when { (context.offline || resource.offline) && !principal.offline }",
        "unless { resource.readers.containsAll(context.media) }",
        "unless { context.media.containsAll(resource.required) }",
    ]
    .iter()
    .map(|body| format!("forbid(principal, action == Action::\"open\", resource)\n{body};\n"))
    .collect()
}

/// One `forbid` per sub-account ceiling: members may not leave it.
fn ceiling_forbids(policy: &Policy) -> String {
    let mut text = String::new();
    for account in &policy.accounts {
        let Some(ceiling) = &account.ceiling else {
            continue;
        };
        let inside: Vec<String> = ceiling
            .doors
            .iter()
            .map(|&t| resource_in(policy, t))
            .collect();
        let inside = if inside.is_empty() {
            "false".to_string()
        } else {
            inside.join(" || ")
        };
        text.push_str(&format!(
            "forbid(principal in {}, action == Action::\"open\", resource)\nunless {{ {inside} }};\n",
            uid("Account", &account.name)
        ));
    }
    text
}

/// One `forbid` per schedule that binds doors, while it is closed.
fn door_hour_forbids(policy: &Policy) -> String {
    let mut used: Vec<ScheduleId> = policy.doors.iter().filter_map(|d| d.schedule).collect();
    used.sort_unstable();
    used.dedup();
    used.iter()
        .filter_map(|&s| policy.schedules.get(s.index()))
        .map(|s| {
            format!(
                "forbid(principal, action == Action::\"open\", resource in {})\nunless {{ {} }};\n",
                uid("DoorHours", &s.name),
                condition(policy, s)
            )
        })
        .collect()
}

fn entities(policy: &Policy, levels: &Levels) -> Vec<Entity> {
    let mut out = Vec::new();
    let plain = |e: EntityUid, parents: Vec<EntityUid>| {
        Entity::new_no_attrs(e, parents.into_iter().collect())
    };
    for account in &policy.accounts {
        let parent = account.parent.and_then(|p| policy.accounts.get(p.index()));
        let parents = parent
            .map(|p| uid("Account", &p.name))
            .into_iter()
            .collect();
        out.push(plain(uid("Account", &account.name), parents));
    }
    for site in &policy.sites {
        out.push(plain(uid("Site", &site.name), Vec::new()));
    }
    for group in &policy.groups {
        out.push(plain(uid("Group", &group.name), Vec::new()));
    }
    for path in &policy.paths {
        out.push(plain(uid("Path", &path.name), Vec::new()));
    }
    for schedule in &policy.schedules {
        out.push(plain(uid("DoorHours", &schedule.name), Vec::new()));
    }
    for i in 0..levels.list.len() {
        out.push(plain(level_uid(i), Vec::new()));
    }
    out.extend(doors(policy));
    out.extend(users(policy, levels));
    out
}

fn doors(policy: &Policy) -> Vec<Entity> {
    let mut parents: Vec<Vec<EntityUid>> = policy
        .doors
        .iter()
        .map(|d| vec![target_uid(policy, Target::Site(d.site))])
        .collect();
    let mut add = |doors: &[accessctl_core::model::DoorId], parent: EntityUid| {
        for d in doors {
            if let Some(p) = parents.get_mut(d.index()) {
                p.push(parent.clone());
            }
        }
    };
    for group in &policy.groups {
        add(&group.doors, uid("Group", &group.name));
    }
    for path in &policy.paths {
        add(&path.doors, uid("Path", &path.name));
    }
    policy
        .doors
        .iter()
        .zip(parents)
        .map(|(door, mut parents)| {
            if let Some(s) = door.schedule.and_then(|s| policy.schedules.get(s.index())) {
                parents.push(uid("DoorHours", &s.name));
            }
            Entity::new(
                uid("Door", &door.name),
                door_basics(door).into_iter().collect(),
                parents.into_iter().collect(),
            )
            .unwrap_or_else(|e| panic!("door `{}`: {e}", door.name))
        })
        .collect()
}

fn users(policy: &Policy, levels: &Levels) -> Vec<Entity> {
    let door_uid = |d: &usize| uid("Door", policy.doors.get(*d).map_or("", |d| &d.name));
    policy
        .users
        .iter()
        .map(|user| {
            let mut parents = vec![account_uid(policy, user.account)];
            for grant in &user.grants {
                let schedule = effective_schedule(policy, user, grant);
                for &target in &grant.targets {
                    if let Some(&i) = levels.numbers.get(&(target, schedule)) {
                        parents.push(level_uid(i));
                    }
                }
            }
            let mut attrs = user_basics(user);
            for (k, doors) in doors_above(policy, user).iter().enumerate() {
                attrs.push((format!("above{k}"), uid_set(doors.iter().map(door_uid))));
            }
            Entity::new(
                uid("User", &user.name),
                attrs.into_iter().collect(),
                parents.into_iter().collect(),
            )
            .unwrap_or_else(|e| panic!("user `{}`: {e}", user.name))
        })
        .collect()
}

fn account_uid(policy: &Policy, account: accessctl_core::model::AccountId) -> EntityUid {
    uid(
        "Account",
        policy.accounts.get(account.index()).map_or("", |a| &a.name),
    )
}

/// The natural context: the local day, weekday, yesterday's weekday, minute, the
/// calendars holding today and yesterday, the network state and the media.
fn context(caller: &Caller, facts: &Facts) -> Context {
    let pairs = [
        ("day", long(i64::from(facts.day))),
        ("weekday", long(i64::from(facts.weekday))),
        ("yesterday", long(i64::from((facts.weekday + 6) % 7))),
        ("minute", long(i64::from(facts.minute))),
        ("holidays", caller.calendar_set(facts.today)),
        ("yesterday_holidays", caller.calendar_set(facts.yesterday)),
        ("offline", boolean(false)),
        ("media", string_set(["badge"])),
    ];
    Context::from_pairs(pairs.into_iter().map(|(k, v)| (k.to_string(), v)))
        .unwrap_or_else(|e| panic!("natural context: {e}"))
}
