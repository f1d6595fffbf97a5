//! Compilation: a validated [`Policy`] turned into an immutable decision index.
//!
//! Owns the layout built for speed: door sets as bitsets (one per group, path, site,
//! appointment, space code and effective sub-account ceiling), schedules as minute
//! bitmaps, time zones as offset tables, users with their grants flattened into one
//! array, a hash index from credentials to holders, and each door's anti-passback
//! readers (which zone, which way). The index is `Send + Sync` and never
//! changes once built. It decides nothing itself: `decide` reads it.

mod credentials;
mod door_set;

pub use credentials::{CredentialIndex, Holder};
pub use door_set::DoorSet;

use crate::model::{
    AccountId, CardFormat, Connectivity, Direction, DoorId, FailMode, Policy, ReaderModes,
    ScheduleId, SiteId, Target, Tracking, User, ZoneId, ZoneKind,
};
use crate::time::{day_number, CompiledCalendar, CompiledSchedule, ZoneTable};
use credentials::to_u32;

/// How a grant's target is tested: one door, or a door set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    Door(DoorId),
    Set(u32),
}

/// A grant target of one user, flattened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CompiledGrant {
    pub reach: Reach,
    /// Door 3, path 2, group 1, site 0: the most specific grants on a door decide its
    /// schedule.
    pub specificity: u8,
    pub schedule: Option<ScheduleId>,
    pub target: Target,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CompiledUser {
    pub account: AccountId,
    pub active: bool,
    pub offline: bool,
    pub remote: bool,
    /// Inclusive local day numbers.
    pub valid_from: i32,
    pub valid_to: i32,
    /// The user's own schedule, else the nearest sub-account default.
    pub base_schedule: Option<ScheduleId>,
    pub grants_start: u32,
    pub grants_len: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompiledDoor {
    pub site: SiteId,
    pub readers: ReaderModes,
    pub required: ReaderModes,
    pub schedule: Option<ScheduleId>,
    pub offline_lock: bool,
    /// The Wiegand formats it accepts, resolved (its own, its site's or the default).
    pub card_formats: Box<[CardFormat]>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompiledAccount {
    pub parent: Option<AccountId>,
    /// The sub-account's own door ceiling.
    pub own_ceiling: Option<u32>,
    /// The intersection of every ancestor sub-account's door ceiling; `None` when no
    /// ancestor is a sub-account.
    pub ceiling: Option<u32>,
}

/// The doors an appointment or a space code opens: their union as a door set for the
/// fast test, and the targets as written, to name the one that reached a door.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompiledTargets {
    pub set: u32,
    pub targets: Box<[Target]>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompiledAppointment {
    pub doors: CompiledTargets,
    /// The owning account, whose ceilings (and its ancestors') bound the guests.
    pub account: Option<AccountId>,
    /// How many guests it has.
    pub guests: u32,
    pub day: i32,
    pub start: u16,
    pub end: u16,
}

/// An anti-passback zone's rule, as decisions read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CompiledZone {
    pub kind: ZoneKind,
    pub tracking: Tracking,
    pub unreachable: FailMode,
}

/// A reader of a door that leads into or out of a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ZoneReader {
    /// `None`: every reader of the door.
    pub reader: Option<u8>,
    pub zone: ZoneId,
    pub direction: Direction,
}

/// A policy compiled for decisions. Build it with [`CompiledPolicy::new`]; ask it with
/// [`CompiledPolicy::decide`](crate::decide).
#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    pub(crate) zones: Vec<ZoneTable>,
    pub(crate) doors: Vec<CompiledDoor>,
    pub(crate) schedules: Vec<CompiledSchedule>,
    pub(crate) calendars: Vec<CompiledCalendar>,
    pub(crate) sets: Vec<DoorSet>,
    pub(crate) site_sets: Vec<u32>,
    pub(crate) group_sets: Vec<u32>,
    pub(crate) path_sets: Vec<u32>,
    pub(crate) accounts: Vec<CompiledAccount>,
    pub(crate) users: Vec<CompiledUser>,
    pub(crate) grants: Vec<CompiledGrant>,
    pub(crate) appointments: Vec<CompiledAppointment>,
    pub(crate) space_codes: Vec<CompiledTargets>,
    pub(crate) credentials: CredentialIndex,
    /// Anti-passback zones, by [`ZoneId`].
    pub(crate) passback_zones: Vec<CompiledZone>,
    /// Each door's zone readers, by [`DoorId`] (empty for most doors: no allocation).
    pub(crate) door_zones: Vec<Box<[ZoneReader]>>,
}

impl CompiledPolicy {
    /// Compiles a validated policy.
    pub fn new(policy: &Policy) -> CompiledPolicy {
        let mut builder = Builder::new(policy);
        let site_sets = builder.site_sets();
        let group_sets = builder.add_sets(policy.groups.iter().map(|g| g.doors.clone()));
        let path_sets = builder.add_sets(policy.paths.iter().map(|p| p.doors.clone()));
        let mut compiled = CompiledPolicy {
            zones: policy
                .sites
                .iter()
                .map(|s| ZoneTable::new(s.timezone))
                .collect(),
            doors: (policy.doors.iter().enumerate())
                .map(|(i, door)| compile_door(door, policy.card_formats(DoorId(to_u32(i)))))
                .collect(),
            schedules: policy.schedules.iter().map(CompiledSchedule::new).collect(),
            calendars: policy.calendars.iter().map(CompiledCalendar::new).collect(),
            sets: Vec::new(),
            site_sets,
            group_sets,
            path_sets,
            accounts: Vec::new(),
            users: Vec::with_capacity(policy.users.len()),
            grants: Vec::new(),
            appointments: Vec::new(),
            space_codes: Vec::new(),
            credentials: CredentialIndex::new(policy),
            passback_zones: policy.zones.iter().map(compile_zone).collect(),
            door_zones: door_zones(policy),
        };
        compiled.sets = std::mem::take(&mut builder.sets);
        compiled.accounts = compiled.compile_accounts(policy);
        compiled.compile_users(policy);
        compiled.appointments = compiled.compile_appointments(policy);
        compiled.space_codes = compiled.compile_space_codes(policy);
        compiled
    }

    /// The door set of a target, as a set index, or the single door.
    pub(crate) fn reach(&self, target: Target) -> Reach {
        let set = |sets: &[u32], i: usize| Reach::Set(sets.get(i).copied().unwrap_or(u32::MAX));
        match target {
            Target::Door(d) => Reach::Door(d),
            Target::Site(s) => set(&self.site_sets, s.index()),
            Target::Group(g) => set(&self.group_sets, g.index()),
            Target::Path(p) => set(&self.path_sets, p.index()),
        }
    }

    #[inline]
    pub(crate) fn reaches(&self, reach: Reach, door: DoorId) -> bool {
        match reach {
            Reach::Door(d) => d == door,
            Reach::Set(s) => self.set(s).is_some_and(|set| set.contains(door)),
        }
    }

    /// The first of `targets` that reaches `door`, if their union holds it.
    #[inline]
    pub(crate) fn via(&self, targets: &CompiledTargets, door: DoorId) -> Option<Target> {
        if !self.set(targets.set).is_some_and(|set| set.contains(door)) {
            return None;
        }
        let reaches = |t: &&Target| self.reaches(self.reach(**t), door);
        targets.targets.iter().find(reaches).copied()
    }

    #[inline]
    pub(crate) fn set(&self, index: u32) -> Option<&DoorSet> {
        self.sets.get(index as usize)
    }

    pub(crate) fn union_of(&self, doors: usize, targets: &[Target]) -> DoorSet {
        let mut set = DoorSet::with_capacity(doors);
        for &target in targets {
            match self.reach(target) {
                Reach::Door(d) => set.insert(d),
                Reach::Set(s) => self.set(s).into_iter().for_each(|o| set.union_with(o)),
            }
        }
        set
    }

    fn push_set(&mut self, set: DoorSet) -> u32 {
        self.sets.push(set);
        to_u32(self.sets.len() - 1)
    }

    fn compile_accounts(&mut self, policy: &Policy) -> Vec<CompiledAccount> {
        let mut accounts: Vec<CompiledAccount> = Vec::with_capacity(policy.accounts.len());
        for account in &policy.accounts {
            let inherited = account
                .parent
                .and_then(|p| accounts.get(p.index()))
                .and_then(|p| p.ceiling);
            let (own_ceiling, ceiling) = match &account.ceiling {
                None => (None, inherited),
                Some(own) => {
                    let set = self.union_of(policy.doors.len(), &own.doors);
                    let mut effective = set.clone();
                    if let Some(parent) = inherited.and_then(|i| self.set(i)) {
                        effective.intersect_with(parent);
                    }
                    (Some(self.push_set(set)), Some(self.push_set(effective)))
                }
            };
            accounts.push(CompiledAccount {
                parent: account.parent,
                own_ceiling,
                ceiling,
            });
        }
        accounts
    }

    fn compile_users(&mut self, policy: &Policy) {
        for user in &policy.users {
            let start = to_u32(self.grants.len());
            for grant in &user.grants {
                for &target in &grant.targets {
                    self.grants.push(CompiledGrant {
                        reach: self.reach(target),
                        specificity: specificity(target),
                        schedule: grant.schedule,
                        target,
                    });
                }
            }
            let compiled = compile_user(policy, user, start, to_u32(self.grants.len()) - start);
            self.users.push(compiled);
        }
    }

    fn compile_appointments(&mut self, policy: &Policy) -> Vec<CompiledAppointment> {
        let mut out = Vec::with_capacity(policy.appointments.len());
        for appointment in &policy.appointments {
            out.push(CompiledAppointment {
                doors: self.compile_targets(policy, &appointment.targets),
                account: appointment.account,
                guests: to_u32(appointment.guests.len()),
                day: day_number(appointment.date),
                start: appointment.range.start,
                end: appointment.range.end,
            });
        }
        out
    }

    fn compile_space_codes(&mut self, policy: &Policy) -> Vec<CompiledTargets> {
        policy
            .space_codes
            .iter()
            .map(|code| self.compile_targets(policy, &code.targets))
            .collect()
    }

    fn compile_targets(&mut self, policy: &Policy, targets: &[Target]) -> CompiledTargets {
        let set = self.union_of(policy.doors.len(), targets);
        CompiledTargets {
            set: self.push_set(set),
            targets: targets.into(),
        }
    }

    /// The Wiegand formats `door`'s reader accepts, in the order the policy lists
    /// them: the door's own `cards` clause, else its site's, else
    /// [`CardFormat::DEFAULT`] (H10301 alone). Empty for a door the policy does not
    /// have, which accepts nothing.
    ///
    /// ```
    /// use accessctl_core::model::CardFormat;
    /// use accessctl_core::{check, CompiledPolicy, Sources};
    ///
    /// let mut sources = Sources::new();
    /// sources.add("site.acl", r#"
    /// site hq {
    ///   timezone "Europe/Paris"
    ///   cards h10301
    ///   door main
    ///   door lab { cards corp1000-35 h10301 }
    /// }
    /// site annex { timezone "Europe/Paris"  door side }
    /// "#);
    /// let policy = check(&sources).policy.expect("valid policy");
    /// let compiled = CompiledPolicy::new(&policy);
    /// let door = |name| policy.door_named(name).expect("a door");
    ///
    /// assert_eq!(compiled.card_formats(door("main")), [CardFormat::H10301]);
    /// assert_eq!(
    ///     compiled.card_formats(door("lab")),
    ///     [CardFormat::Corporate1000_35, CardFormat::H10301]
    /// );
    /// assert_eq!(compiled.card_formats(door("side")), CardFormat::DEFAULT);
    /// ```
    pub fn card_formats(&self, door: DoorId) -> &[CardFormat] {
        self.doors
            .get(door.index())
            .map_or(&[], |d| &d.card_formats)
    }

    /// Bytes held by the index: its own size, its vectors and sets, the credential
    /// maps (estimated from their capacities).
    pub fn memory_size(&self) -> usize {
        fn vec<T>(v: &[T]) -> usize {
            std::mem::size_of_val(v)
        }
        std::mem::size_of::<CompiledPolicy>()
            + self
                .zones
                .iter()
                .map(|z| std::mem::size_of_val(z) + z.heap_size())
                .sum::<usize>()
            + vec(&self.doors)
            + self
                .doors
                .iter()
                .map(|d| vec(&d.card_formats))
                .sum::<usize>()
            + self
                .schedules
                .iter()
                .map(|s| std::mem::size_of_val(s) + 64)
                .sum::<usize>()
            + self
                .calendars
                .iter()
                .map(|c| std::mem::size_of_val(c) + 64)
                .sum::<usize>()
            + self.sets.iter().map(|s| 16 + s.heap_size()).sum::<usize>()
            + vec(&self.site_sets)
            + vec(&self.group_sets)
            + vec(&self.path_sets)
            + vec(&self.accounts)
            + vec(&self.users)
            + vec(&self.grants)
            + vec(&self.appointments)
            + self
                .appointments
                .iter()
                .map(|a| vec(&a.doors.targets))
                .sum::<usize>()
            + vec(&self.space_codes)
            + self
                .space_codes
                .iter()
                .map(|c| vec(&c.targets))
                .sum::<usize>()
            + self.credentials.heap_size()
            + vec(&self.passback_zones)
            + vec(&self.door_zones)
            + self.door_zones.iter().map(|z| vec(z)).sum::<usize>()
    }
}

/// Collects door sets while the index is built.
struct Builder {
    doors: usize,
    sets: Vec<DoorSet>,
    site_doors: Vec<Vec<DoorId>>,
}

impl Builder {
    fn new(policy: &Policy) -> Builder {
        Builder {
            doors: policy.doors.len(),
            sets: Vec::new(),
            site_doors: policy.sites.iter().map(|s| s.doors.clone()).collect(),
        }
    }

    fn site_sets(&mut self) -> Vec<u32> {
        let sites = std::mem::take(&mut self.site_doors);
        self.add_sets(sites.into_iter())
    }

    fn add_sets(&mut self, sets: impl Iterator<Item = Vec<DoorId>>) -> Vec<u32> {
        sets.map(|doors| {
            self.sets.push(DoorSet::of(self.doors, doors));
            to_u32(self.sets.len() - 1)
        })
        .collect()
    }
}

fn compile_door(door: &crate::model::Door, card_formats: &[CardFormat]) -> CompiledDoor {
    CompiledDoor {
        site: door.site,
        readers: door.readers,
        required: door.required,
        schedule: door.schedule,
        offline_lock: door.connectivity == Connectivity::Offline,
        card_formats: card_formats.into(),
    }
}

fn compile_zone(zone: &crate::model::Zone) -> CompiledZone {
    CompiledZone {
        kind: zone.kind,
        tracking: zone.tracking,
        unreachable: zone.unreachable,
    }
}

/// For each door, the readers of it that zones list, with their zone and direction.
fn door_zones(policy: &Policy) -> Vec<Box<[ZoneReader]>> {
    let mut doors: Vec<Vec<ZoneReader>> = vec![Vec::new(); policy.doors.len()];
    for (index, zone) in policy.zones.iter().enumerate() {
        for listed in &zone.doors {
            if let Some(readers) = doors.get_mut(listed.door.index()) {
                readers.push(ZoneReader {
                    reader: listed.reader,
                    zone: ZoneId(to_u32(index)),
                    direction: listed.direction,
                });
            }
        }
    }
    doors.into_iter().map(Vec::into_boxed_slice).collect()
}

fn compile_user(policy: &Policy, user: &User, grants_start: u32, grants_len: u32) -> CompiledUser {
    CompiledUser {
        account: user.account,
        active: user.active,
        offline: user.offline,
        remote: user.remote,
        valid_from: user.validity.from.map_or(i32::MIN, day_number),
        valid_to: user.validity.to.map_or(i32::MAX, day_number),
        base_schedule: user
            .schedule
            .or_else(|| default_schedule(policy, user.account)),
        grants_start,
        grants_len,
    }
}

/// The default schedule of the nearest sub-account, from `account` up, that gives one.
pub(crate) fn default_schedule(policy: &Policy, account: AccountId) -> Option<ScheduleId> {
    policy
        .ancestry(account)
        .filter_map(|a| policy.accounts.get(a.index()))
        .find_map(|a| a.ceiling.as_ref().and_then(|c| c.schedule))
}

fn specificity(target: Target) -> u8 {
    match target {
        Target::Door(_) => 3,
        Target::Path(_) => 2,
        Target::Group(_) => 1,
        Target::Site(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<CompiledPolicy>();
    }
}
