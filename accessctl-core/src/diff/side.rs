//! One side of a diff (OLD or NEW): the policy, its compiled index, its origins and
//! its names; and what changed between the two sides, entity by entity.
//!
//! Owns matching the two policies by name (users, doors, groups, paths, sites,
//! schedules, calendars; accounts by their chain of names) and the conservative
//! change flags that let the diff skip users none of whose inputs changed. A flag
//! may say "changed" for an entity whose meaning did not change (the windows are then
//! computed and come out empty); it must never say "unchanged" for one that did.

use std::collections::HashMap;

use crate::compile::CompiledPolicy;
use crate::model::{
    AccountId, CalendarId, DoorId, Grant, Policy, ScheduleId, Target, User, UserId,
};
use crate::Checked;

use super::origin::Origins;

/// One policy, ready to be compared.
pub(crate) struct Side<'a> {
    pub policy: &'a Policy,
    pub compiled: CompiledPolicy,
    pub origins: Origins,
    pub users: HashMap<&'a str, UserId>,
    pub doors: HashMap<&'a str, DoorId>,
    pub places: HashMap<&'a str, Target>,
    pub schedules: HashMap<&'a str, ScheduleId>,
    pub calendars: HashMap<&'a str, CalendarId>,
    /// Each account's chain of names, top first, joined with `/`.
    pub account_paths: Vec<String>,
    pub accounts: HashMap<String, AccountId>,
    /// What each schedule says, in names (its calendars by name).
    pub schedule_keys: Vec<String>,
    /// What each calendar says (its days).
    pub calendar_keys: Vec<String>,
    /// Hashes of the keys, to tell causes apart cheaply (never to judge a change).
    pub schedule_hashes: Vec<u64>,
    pub calendar_hashes: Vec<u64>,
}

fn hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

fn index<T>(items: &[T], name: impl Fn(&T) -> &str) -> HashMap<&str, u32> {
    (0u32..)
        .zip(items)
        .map(|(i, item)| (name(item), i))
        .collect()
}

impl<'a> Side<'a> {
    /// `None` when the policy is not valid.
    pub fn new(checked: &'a Checked) -> Option<Side<'a>> {
        let policy = checked.policy.as_ref()?;
        let mut places = HashMap::new();
        for (i, site) in (0u32..).zip(&policy.sites) {
            places.insert(site.name.as_str(), Target::Site(crate::model::SiteId(i)));
        }
        for (i, door) in (0u32..).zip(&policy.doors) {
            places.insert(door.name.as_str(), Target::Door(DoorId(i)));
        }
        for (i, group) in (0u32..).zip(&policy.groups) {
            places.insert(group.name.as_str(), Target::Group(crate::model::GroupId(i)));
        }
        for (i, path) in (0u32..).zip(&policy.paths) {
            places.insert(path.name.as_str(), Target::Path(crate::model::PathId(i)));
        }
        let mut account_paths: Vec<String> = Vec::with_capacity(policy.accounts.len());
        for account in &policy.accounts {
            let parent = account.parent.and_then(|p| account_paths.get(p.index()));
            account_paths.push(match parent {
                Some(parent) => format!("{parent}/{}", account.name),
                None => account.name.clone(),
            });
        }
        let accounts = (0u32..)
            .zip(&account_paths)
            .map(|(i, p)| (p.clone(), AccountId(i)))
            .collect();
        let calendar_name = |id: &CalendarId| {
            policy
                .calendars
                .get(id.index())
                .map_or("", |c| c.name.as_str())
        };
        let schedule_keys: Vec<String> = (policy.schedules.iter())
            .map(|s| {
                let closed: Vec<&str> = s.closed_on.iter().map(calendar_name).collect();
                let rules: Vec<(Vec<&str>, _)> = (s.holiday_rules.iter())
                    .map(|r| (r.calendars.iter().map(calendar_name).collect(), &r.ranges))
                    .collect();
                format!("{:?} {closed:?} {rules:?}", s.weekly)
            })
            .collect();
        let calendar_keys: Vec<String> = (policy.calendars.iter())
            .map(|c| {
                let days: Vec<_> = c
                    .holidays
                    .iter()
                    .map(|h| (h.days.from, h.days.to))
                    .collect();
                format!("{days:?}")
            })
            .collect();
        let schedule_hashes = schedule_keys.iter().map(|k: &String| hash(k)).collect();
        let calendar_hashes = calendar_keys.iter().map(|k: &String| hash(k)).collect();
        Some(Side {
            policy,
            compiled: CompiledPolicy::new(policy),
            origins: Origins::new(&checked.files),
            users: map_ids(index(&policy.users, |u| &u.name), UserId),
            doors: map_ids(index(&policy.doors, |d| &d.name), DoorId),
            places,
            schedules: map_ids(index(&policy.schedules, |s| &s.name), ScheduleId),
            calendars: map_ids(index(&policy.calendars, |c| &c.name), CalendarId),
            account_paths,
            accounts,
            schedule_keys,
            calendar_keys,
            schedule_hashes,
            calendar_hashes,
        })
    }

    pub fn user(&self, id: UserId) -> Option<&'a User> {
        self.policy.users.get(id.index())
    }

    pub fn door_name(&self, id: DoorId) -> &'a str {
        self.policy.doors.get(id.index()).map_or("", |d| &d.name)
    }

    pub fn schedule_name(&self, id: ScheduleId) -> &'a str {
        self.policy
            .schedules
            .get(id.index())
            .map_or("", |s| &s.name)
    }

    pub fn calendar_name(&self, id: CalendarId) -> &'a str {
        self.policy
            .calendars
            .get(id.index())
            .map_or("", |c| &c.name)
    }

    pub fn account_path(&self, id: AccountId) -> &str {
        self.account_paths
            .get(id.index())
            .map_or("", String::as_str)
    }

    /// The name of what a target stands for.
    pub fn place_name(&self, target: Target) -> &'a str {
        let p = self.policy;
        match target {
            Target::Site(s) => p.sites.get(s.index()).map_or("", |s| &s.name),
            Target::Door(d) => p.doors.get(d.index()).map_or("", |d| &d.name),
            Target::Group(g) => p.groups.get(g.index()).map_or("", |g| &g.name),
            Target::Path(x) => p.paths.get(x.index()).map_or("", |x| &x.name),
        }
    }

    /// The door names a target stands for, in order.
    pub fn place_doors(&self, target: Target) -> Vec<&'a str> {
        (self.policy.doors_of(target))
            .map(|d| self.door_name(d))
            .collect()
    }

    /// The zone name of a door's site.
    pub fn door_zone(&self, door: DoorId) -> Option<chrono_tz::Tz> {
        let site = self.policy.doors.get(door.index())?.site;
        self.policy.sites.get(site.index()).map(|s| s.timezone)
    }
}

fn map_ids<I>(map: HashMap<&str, u32>, id: impl Fn(u32) -> I) -> HashMap<&str, I> {
    map.into_iter().map(|(k, v)| (k, id(v))).collect()
}

/// What changed from OLD to NEW, by NEW's ids.
pub(crate) struct Changes {
    pub schedules: Vec<bool>,
    pub sites: Vec<bool>,
    pub groups: Vec<bool>,
    pub paths: Vec<bool>,
    /// Door-level inputs of a decision: its site's zone, its own schedule.
    pub doors: Vec<bool>,
    /// An account's ceiling or any ancestor's.
    pub accounts: Vec<bool>,
}

impl Changes {
    pub fn new(old: &Side<'_>, new: &Side<'_>) -> Changes {
        let calendars: Vec<bool> = (0u32..)
            .zip(&new.policy.calendars)
            .map(|(i, c)| match old.calendars.get(c.name.as_str()) {
                Some(o) => old.calendar_keys.get(o.index()) != new.calendar_keys.get(i as usize),
                None => true,
            })
            .collect();
        let schedules = (0u32..)
            .zip(&new.policy.schedules)
            .map(|(i, s)| {
                let differs = match old.schedules.get(s.name.as_str()) {
                    Some(o) => {
                        old.schedule_keys.get(o.index()) != new.schedule_keys.get(i as usize)
                    }
                    None => true,
                };
                let calendar_changed = (new.compiled.schedules.get(i as usize)).is_some_and(|c| {
                    c.calendars()
                        .any(|c| calendars.get(c.index()).copied().unwrap_or(true))
                });
                differs || calendar_changed
            })
            .collect();
        let mut changes = Changes {
            schedules,
            sites: Vec::new(),
            groups: Vec::new(),
            paths: Vec::new(),
            doors: Vec::new(),
            accounts: Vec::new(),
        };
        let place_changed = |target: Target| match old.places.get(new.place_name(target)) {
            Some(&o) if same_kind(o, target) => {
                old.place_doors(o) != new.place_doors(target)
                    || zone_of(old, o) != zone_of(new, target)
            }
            _ => true,
        };
        let ids = |n: usize| (0u32..).take(n);
        changes.sites = (ids(new.policy.sites.len()))
            .map(|i| place_changed(Target::Site(crate::model::SiteId(i))))
            .collect();
        changes.groups = (ids(new.policy.groups.len()))
            .map(|i| place_changed(Target::Group(crate::model::GroupId(i))))
            .collect();
        changes.paths = (ids(new.policy.paths.len()))
            .map(|i| place_changed(Target::Path(crate::model::PathId(i))))
            .collect();
        changes.doors = (ids(new.policy.doors.len()))
            .map(|i| {
                let door = DoorId(i);
                let Some(&o) = old.doors.get(new.door_name(door)) else {
                    return true;
                };
                let schedule = |side: &Side<'_>, d: DoorId| {
                    side.policy.doors.get(d.index()).and_then(|d| d.schedule)
                };
                old.door_zone(o) != new.door_zone(door)
                    || !changes.same_schedule(old, schedule(old, o), new, schedule(new, door))
            })
            .collect();
        changes.accounts = changes.account_changes(old, new);
        changes
    }

    fn account_changes(&self, old: &Side<'_>, new: &Side<'_>) -> Vec<bool> {
        let mut out: Vec<bool> = Vec::with_capacity(new.policy.accounts.len());
        for (i, account) in (0u32..).zip(&new.policy.accounts) {
            let path = new.account_path(AccountId(i));
            let parent_changed = account
                .parent
                .is_some_and(|p| out.get(p.index()).copied().unwrap_or(true));
            let own = match old.accounts.get(path) {
                None => true,
                Some(&o) => {
                    let old_ceiling = old.policy.accounts.get(o.index()).map(|a| &a.ceiling);
                    match (old_ceiling, &account.ceiling) {
                        (Some(None), None) => false,
                        (Some(Some(oc)), Some(nc)) => {
                            oc.rights != nc.rights
                                || !self.same_schedule(old, oc.schedule, new, nc.schedule)
                                || !self.same_targets(old, &oc.doors, new, &nc.doors)
                        }
                        _ => true,
                    }
                }
            };
            out.push(own || parent_changed);
        }
        out
    }

    /// Whether two schedule references mean the same hours.
    pub fn same_schedule(
        &self,
        old: &Side<'_>,
        o: Option<ScheduleId>,
        new: &Side<'_>,
        n: Option<ScheduleId>,
    ) -> bool {
        match (o, n) {
            (None, None) => true,
            (Some(o), Some(n)) => {
                old.schedule_name(o) == new.schedule_name(n)
                    && !self.schedules.get(n.index()).copied().unwrap_or(true)
            }
            _ => false,
        }
    }

    fn place_changed(&self, target: Target) -> bool {
        let flag = |v: &[bool], i: usize| v.get(i).copied().unwrap_or(true);
        match target {
            Target::Site(s) => flag(&self.sites, s.index()),
            Target::Group(g) => flag(&self.groups, g.index()),
            Target::Path(p) => flag(&self.paths, p.index()),
            Target::Door(_) => false,
        }
    }

    /// Whether two lists of targets name the same places, none of which changed.
    pub fn same_targets(&self, old: &Side<'_>, o: &[Target], new: &Side<'_>, n: &[Target]) -> bool {
        o.len() == n.len()
            && o.iter().zip(n).all(|(&o, &n)| {
                same_kind(o, n) && old.place_name(o) == new.place_name(n) && !self.place_changed(n)
            })
    }

    fn same_grants(&self, old: &Side<'_>, o: &[Grant], new: &Side<'_>, n: &[Grant]) -> bool {
        o.len() == n.len()
            && o.iter().zip(n).all(|(o, n)| {
                self.same_schedule(old, o.schedule, new, n.schedule)
                    && self.same_targets(old, &o.targets, new, &n.targets)
            })
    }

    /// Whether every input of a user's decisions but the doors' own is unchanged:
    /// account chain, state, validity, schedule, grants.
    pub fn same_user(&self, old: &Side<'_>, o: &User, new: &Side<'_>, n: &User) -> bool {
        old.account_path(o.account) == new.account_path(n.account)
            && !self
                .accounts
                .get(n.account.index())
                .copied()
                .unwrap_or(true)
            && o.active == n.active
            && o.validity == n.validity
            && self.same_schedule(old, o.schedule, new, n.schedule)
            && self.same_grants(old, &o.grants, new, &n.grants)
    }
}

fn same_kind(a: Target, b: Target) -> bool {
    std::mem::discriminant(&a) == std::mem::discriminant(&b)
}

fn zone_of(side: &Side<'_>, target: Target) -> Option<chrono_tz::Tz> {
    match target {
        Target::Site(s) => side.policy.sites.get(s.index()).map(|s| s.timezone),
        _ => None,
    }
}
