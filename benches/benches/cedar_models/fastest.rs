//! The fastest Cedar model we could write: one `permit`, every test a set lookup
//! or an attribute comparison.
//!
//! Owns its entities and its one policy. Each door lists what may reach it — its
//! own name, its paths, its groups, its site —, the media combinations it accepts
//! and the sub-accounts whose ceiling holds it; each user lists the targets it is
//! granted per specificity (paths, groups, sites) with the one schedule it has on
//! each kind, its door grants as tags (door name → schedule), and the sub-accounts
//! whose ceilings bound it. Schedules are entities holding the time keys they are
//! open at (see `schedule::keys`), so "open now" is two set lookups of keys the
//! caller computes. The most specific grant is picked by an `if` chain: door tag,
//! then paths, then groups, then sites.
//!
//! It assumes what the generated sites satisfy and checks it while building: per
//! user, all grants on paths share one effective schedule, likewise on groups, on
//! sites, and on each door.

use super::schedule::{keys, open_at_keys, time_key};
use super::{
    boolean, effective_schedule, long, specificity, string_set, uid, user_basics, Caller,
    CedarModel, Facts,
};
use accessctl_core::model::{Connectivity, Door, Policy, ReaderModes, ScheduleId, Target, User};
use cedar_policy::{Context, Entity, EntityUid, RestrictedExpression};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The name of the schedule entity that is always open.
const ALWAYS: &str = "always";

/// The fastest model of `policy`.
///
/// # Errors
/// If the policy breaks an assumption of the model, or a Cedar error, as text.
pub fn build(policy: &Policy, caller: Arc<Caller>) -> Result<CedarModel, String> {
    let mut entities = schedules(policy, &caller);
    entities.extend(doors(policy));
    for user in &policy.users {
        entities.push(user_entity(policy, user)?);
    }
    CedarModel::new("fastest", caller, &policy_text(), entities, context)
}

/// The one policy.
fn policy_text() -> String {
    format!(
        "permit(principal, action == Action::\"open\", resource)\nwhen {{\n  \
         principal.active &&\n  \
         context.day >= principal.valid_from && context.day <= principal.valid_to &&\n  \
         (principal.offline || !(context.offline || resource.offline)) &&\n  \
         resource.accepts.contains(context.media) &&\n  \
         resource.ceilings.containsAll(principal.ceilings) &&\n  \
         (if principal.hasTag(resource.key) then {door}\n   \
         else if principal.paths.containsAny(resource.paths) then {paths}\n   \
         else if principal.groups.containsAny(resource.groups) then {groups}\n   \
         else (principal.sites.contains(resource.site) && {sites})) &&\n  {hours}\n}};\n",
        door = open_at_keys("principal.getTag(resource.key)"),
        paths = open_at_keys("principal.s2"),
        groups = open_at_keys("principal.s1"),
        sites = open_at_keys("principal.s0"),
        hours = open_at_keys("resource.hours"),
    )
}

fn schedule_uid(policy: &Policy, schedule: Option<ScheduleId>) -> EntityUid {
    let name = schedule
        .and_then(|s| policy.schedules.get(s.index()))
        .map_or(ALWAYS, |s| s.name.as_str());
    uid("Schedule", name)
}

fn long_set(values: &[i64]) -> RestrictedExpression {
    RestrictedExpression::new_set(values.iter().map(|&v| long(v)))
}

/// Every schedule as time keys, and the always-open one.
fn schedules(policy: &Policy, caller: &Caller) -> Vec<Entity> {
    let entity = |name: &str, schedule| {
        let keys = keys(schedule, &caller.day_kinds, caller.granularity);
        let attrs = [
            ("today".to_string(), long_set(&keys.today)),
            ("spill".to_string(), long_set(&keys.spill)),
        ];
        Entity::new(uid("Schedule", name), attrs.into(), Default::default())
            .unwrap_or_else(|e| panic!("schedule `{name}`: {e}"))
    };
    let mut out = vec![entity(ALWAYS, None)];
    out.extend(policy.schedules.iter().map(|s| entity(&s.name, Some(s))));
    out
}

/// The media combinations (as bits of `ReaderModes`) a door lets through: its
/// readers accept every medium, and a second-factor door sees them all.
fn accepted_media(door: &Door) -> Vec<i64> {
    (1..32u8)
        .map(ReaderModes::from_bits_truncate)
        .filter(|&m| door.readers.contains(m))
        .filter(|&m| {
            door.required.is_empty() || (m != ReaderModes::REMOTE && m.contains(door.required))
        })
        .map(|m| i64::from(m.bits()))
        .collect()
}

/// Doors with what reaches them and the ceilings that hold them.
fn doors(policy: &Policy) -> Vec<Entity> {
    let n = policy.doors.len();
    let mut groups: Vec<Vec<&str>> = vec![Vec::new(); n];
    let mut paths: Vec<Vec<&str>> = vec![Vec::new(); n];
    let mut ceilings: Vec<Vec<&str>> = vec![Vec::new(); n];
    for group in &policy.groups {
        for d in &group.doors {
            push(&mut groups, d.index(), &group.name);
        }
    }
    for path in &policy.paths {
        for d in &path.doors {
            push(&mut paths, d.index(), &path.name);
        }
    }
    for account in &policy.accounts {
        let Some(ceiling) = &account.ceiling else {
            continue;
        };
        let mut doors: Vec<usize> = ceiling
            .doors
            .iter()
            .flat_map(|&t| policy.doors_of(t))
            .map(|d| d.index())
            .collect();
        doors.sort_unstable();
        doors.dedup();
        for d in doors {
            push(&mut ceilings, d, &account.name);
        }
    }
    let lists = groups.into_iter().zip(paths).zip(ceilings);
    policy
        .doors
        .iter()
        .zip(lists)
        .map(|(door, ((groups, paths), ceilings))| {
            let site = policy.sites.get(door.site.index()).map_or("", |s| &s.name);
            let attrs = [
                ("key", RestrictedExpression::new_string(door.name.clone())),
                ("site", RestrictedExpression::new_string(site.to_string())),
                ("groups", string_set(groups)),
                ("paths", string_set(paths)),
                ("ceilings", string_set(ceilings)),
                ("accepts", long_set(&accepted_media(door))),
                (
                    "offline",
                    boolean(door.connectivity == Connectivity::Offline),
                ),
                (
                    "hours",
                    RestrictedExpression::new_entity_uid(schedule_uid(policy, door.schedule)),
                ),
            ];
            let attrs = attrs.into_iter().map(|(k, v)| (k.to_string(), v));
            Entity::new(uid("Door", &door.name), attrs.collect(), Default::default())
                .unwrap_or_else(|e| panic!("door `{}`: {e}", door.name))
        })
        .collect()
}

fn push<'a>(lists: &mut [Vec<&'a str>], i: usize, name: &'a str) {
    if let Some(list) = lists.get_mut(i) {
        list.push(name);
    }
}

/// What a user is granted, by specificity: target names and the one schedule of
/// each kind (sites 0, groups 1, paths 2), and door name → schedule.
#[derive(Default)]
struct Grants<'a> {
    names: [Vec<&'a str>; 3],
    schedules: [Option<Option<ScheduleId>>; 3],
    doors: BTreeMap<&'a str, Option<ScheduleId>>,
}

fn target_name(policy: &Policy, target: Target) -> &str {
    match target {
        Target::Site(s) => policy.sites.get(s.index()).map(|s| s.name.as_str()),
        Target::Group(g) => policy.groups.get(g.index()).map(|g| g.name.as_str()),
        Target::Path(p) => policy.paths.get(p.index()).map(|p| p.name.as_str()),
        Target::Door(d) => policy.doors.get(d.index()).map(|d| d.name.as_str()),
    }
    .unwrap_or("")
}

fn grants<'a>(policy: &'a Policy, user: &'a User) -> Result<Grants<'a>, String> {
    let mut out = Grants::default();
    let clash = |what: &str| format!("user `{}` has several schedules on {what}", user.name);
    for grant in &user.grants {
        let schedule = effective_schedule(policy, user, grant);
        for &target in &grant.targets {
            let name = target_name(policy, target);
            let spec = specificity(target);
            let kept = match out.schedules.get_mut(spec) {
                Some(kind) => *kind.get_or_insert(schedule),
                None => *out.doors.entry(name).or_insert(schedule),
            };
            if kept != schedule {
                return Err(clash(name));
            }
            if let Some(names) = out.names.get_mut(spec) {
                names.push(name);
            }
        }
    }
    Ok(out)
}

fn user_entity(policy: &Policy, user: &User) -> Result<Entity, String> {
    let grants = grants(policy, user)?;
    let ceilings: Vec<&str> = policy
        .ancestry(user.account)
        .filter_map(|a| policy.accounts.get(a.index()))
        .filter(|a| a.ceiling.is_some())
        .map(|a| a.name.as_str())
        .collect();
    let mut attrs = user_basics(user);
    attrs.push(("ceilings".into(), string_set(ceilings)));
    let kinds = grants.names.iter().zip(grants.schedules);
    for (spec, (names, schedule)) in kinds.enumerate() {
        let key = ["sites", "groups", "paths"][spec];
        attrs.push((key.to_string(), string_set(names.iter().copied())));
        let schedule = schedule_uid(policy, schedule.flatten());
        attrs.push((
            format!("s{spec}"),
            RestrictedExpression::new_entity_uid(schedule),
        ));
    }
    let tags = grants.doors.iter().map(|(door, schedule)| {
        let schedule = schedule_uid(policy, *schedule);
        (
            door.to_string(),
            RestrictedExpression::new_entity_uid(schedule),
        )
    });
    Entity::new_with_tags(uid("User", &user.name), attrs, [], tags)
        .map_err(|e| format!("user `{}`: {e}", user.name))
}

/// The fastest model's context: the local day, today's and yesterday's time keys
/// (at today's slot), the media presented as bits, and the network state.
fn context(caller: &Caller, facts: &Facts) -> Context {
    let g = caller.granularity.max(1);
    let slot = facts.minute / g;
    let yesterday = (facts.weekday + 6) % 7;
    let today_kind = caller.kind_of(facts.today);
    let yesterday_kind = caller.kind_of(facts.yesterday);
    let pairs = [
        ("day", long(i64::from(facts.day))),
        ("tkey", long(time_key(today_kind, facts.weekday, slot, g))),
        ("ykey", long(time_key(yesterday_kind, yesterday, slot, g))),
        ("media", long(i64::from(ReaderModes::BADGE.bits()))),
        ("offline", boolean(false)),
    ];
    Context::from_pairs(pairs.into_iter().map(|(k, v)| (k.to_string(), v)))
        .unwrap_or_else(|e| panic!("fastest context: {e}"))
}
