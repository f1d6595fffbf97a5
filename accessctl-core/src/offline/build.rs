//! The image builder: what one door's offline lock must hold, from a compiled policy.
//!
//! Owns choosing the entries (the door's permanent space codes; the credentials of
//! users with offline access whose most specific grants reach the door within their
//! ceilings; as revoked, those of deactivated or expired such users), deduplicating
//! schedules, calendars and access rules into tables, clipping holidays and offset
//! changes to the image's window, enforcing the door's `capacity`, and sealing the
//! result with the lock's key. It never reads a clock (the issue instant is given),
//! and it returns, beside the image, the map from image indexes back to the policy.

use super::image::{
    Calendar, DayRanges, DaySpan, Digest, Digester, Entry, HolderRecord, HolidayRanges,
    ImageContents, MinuteSpan, OffsetChange, Rule, SealError, WeeklySchedule,
};
use super::LockDecision;
use super::LockHolder;
use crate::compile::{CompiledPolicy, CompiledUser, Holder};
use crate::decide::Decision;
use crate::model::{
    CalendarId, Credential, DoorId, Policy, ScheduleId, TimeRange, UserId, Weekdays,
};
use crate::secret::Key;
use crate::time::{day_number, Timestamp, ZoneTable};
use rustc_hash::FxHashMap;
use thiserror::Error;

const DAY: i64 = 86_400;

/// When an image is issued and how long it answers exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Issue {
    /// The issue instant.
    pub issued: Timestamp,
    /// Days from the issue instant to the horizon.
    pub horizon_days: u32,
}

impl Issue {
    /// Two years.
    pub const DEFAULT_HORIZON_DAYS: u32 = 731;

    /// An image issued at `issued`, answering for two years.
    pub fn at(issued: Timestamp) -> Issue {
        Issue {
            issued,
            horizon_days: Issue::DEFAULT_HORIZON_DAYS,
        }
    }

    fn horizon(self) -> Timestamp {
        Timestamp(
            self.issued
                .0
                .saturating_add(i64::from(self.horizon_days) * DAY),
        )
    }
}

/// Why an image could not be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BuildError {
    /// The door is not in the policy.
    #[error("door #{0} is not in the policy")]
    UnknownDoor(u32),
    /// The compiled policy is not the policy's.
    #[error("the compiled policy does not match the policy")]
    PolicyMismatch,
    /// More entries than the door's memory holds.
    #[error("door `{door}` needs {entries} entries in its lock memory, beyond its capacity of {capacity}")]
    OverCapacity {
        /// The door's name.
        door: String,
        /// Entries the image would hold.
        entries: usize,
        /// The door's capacity.
        capacity: u32,
    },
    /// More of something than the layout can index.
    #[error("door `{door}` needs {count} {what} in its lock image, beyond the layout's {limit}")]
    TooLarge {
        /// The door's name.
        door: String,
        /// What was counted.
        what: &'static str,
        /// How many.
        count: usize,
        /// The most the layout holds.
        limit: usize,
    },
    /// The window does not fit the layout's days (1970–2149) or the zone tables (to 2100).
    #[error("an image issued at {issued} for {horizon_days} days is outside the years an image can cover (1970 to 2100)")]
    WindowOutOfRange {
        /// The issue instant, seconds since the epoch.
        issued: i64,
        /// The horizon in days.
        horizon_days: u32,
    },
    /// The door's name is longer than 255 bytes.
    #[error("door `{0}` has a name longer than 255 bytes, which a lock image cannot hold")]
    DoorNameTooLong(String),
    /// Two credentials share a digest (about one chance in 10^7 for 4,000 entries).
    #[error(
        "two credentials at door `{0}` share a digest; issue the image again with another site key"
    )]
    DigestCollision(String),
    /// The contents could not be sealed.
    #[error(transparent)]
    Seal(#[from] SealError),
}

/// An image, built and sealed.
#[derive(Debug, Clone)]
pub struct BuiltImage {
    /// The bytes to send to the lock.
    pub bytes: Vec<u8>,
    /// What they hold.
    pub contents: ImageContents,
    /// Image indexes back to the policy.
    pub map: ImageMap,
}

/// Where each index of an image comes from in the policy: for reading a lock's
/// decisions and audit trail on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageMap {
    /// The door.
    pub door: DoorId,
    /// The user of each holder.
    pub holders: Vec<UserId>,
    /// The permanent space code (index into `Policy::space_codes`) of each slot.
    pub space_codes: Vec<u32>,
    /// The schedule of each schedule index.
    pub schedules: Vec<ScheduleId>,
}

impl ImageMap {
    /// A lock's decision in the engine's terms (the `via` target and the ceiling are
    /// not in an image, so they are `None`).
    pub fn decision(&self, lock: &LockDecision) -> Decision {
        let holder = lock.holder.and_then(|h| match h {
            LockHolder::Holder(i) => self
                .holders
                .get(usize::from(i))
                .map(|&user| Holder::User { user }),
            LockHolder::SpaceCode(i) => self
                .space_codes
                .get(usize::from(i))
                .map(|&code| Holder::SpaceCode { code }),
        });
        let schedule = lock
            .schedule
            .and_then(|s| self.schedules.get(usize::from(s)).copied());
        Decision {
            reason: lock.reason,
            holder,
            via: None,
            schedule,
            ceiling: None,
            door: self.door,
            passage: None,
        }
    }
}

/// Builds and seals the memory image of the lock at `door`, issued at
/// `issue.issued`, authenticated with `lock_key` (see
/// [`lock_key`](super::image::lock_key)). `compiled` must be compiled from `policy`.
pub fn build_image(
    policy: &Policy,
    compiled: &CompiledPolicy,
    door: DoorId,
    lock_key: &Key,
    issue: Issue,
) -> Result<BuiltImage, BuildError> {
    let mut builder = Builder::new(policy, compiled, door, lock_key, issue)?;
    builder.space_codes();
    builder.users()?;
    builder.finish()
}

/// Local days near the window: holidays and validity are kept exact within them.
#[derive(Debug, Clone, Copy)]
struct Window {
    first_day: i32,
    last_day: i32,
}

struct Builder<'a> {
    policy: &'a Policy,
    compiled: &'a CompiledPolicy,
    door: DoorId,
    name: &'a str,
    lock_key: &'a Key,
    window: Window,
    digester: Digester,
    contents: ImageContents,
    map: ImageMap,
    schedule_index: FxHashMap<ScheduleId, u16>,
    calendar_index: FxHashMap<CalendarId, u16>,
    rule_index: FxHashMap<Rule, u16>,
    /// Space code digests and their codes, to tell collisions from repeats.
    space_digests: FxHashMap<Digest, &'a str>,
    /// Space code digests and the policy's index of each.
    space_slots: Vec<(Digest, u32)>,
    /// Credential digests, whether revoked, the holder, and the credential.
    entries: Vec<(Digest, bool, u16, &'a Credential)>,
}

impl<'a> Builder<'a> {
    fn new(
        policy: &'a Policy,
        compiled: &'a CompiledPolicy,
        door: DoorId,
        lock_key: &'a Key,
        issue: Issue,
    ) -> Result<Builder<'a>, BuildError> {
        let model = policy
            .doors
            .get(door.index())
            .ok_or(BuildError::UnknownDoor(door.0))?;
        let compiled_door = compiled.doors.get(door.index());
        if compiled_door.is_none() || compiled.users.len() != policy.users.len() {
            return Err(BuildError::PolicyMismatch);
        }
        if model.name.len() > usize::from(u8::MAX) {
            return Err(BuildError::DoorNameTooLong(model.name.clone()));
        }
        let window = window(issue)?;
        let zone = compiled.zones.get(model.site.index());
        let mut builder = Builder {
            policy,
            compiled,
            door,
            name: &model.name,
            lock_key,
            window,
            digester: Digester::new(lock_key),
            contents: empty_contents(model, issue, zone),
            map: ImageMap {
                door,
                holders: Vec::new(),
                space_codes: Vec::new(),
                schedules: Vec::new(),
            },
            schedule_index: FxHashMap::default(),
            calendar_index: FxHashMap::default(),
            rule_index: FxHashMap::default(),
            space_digests: FxHashMap::default(),
            space_slots: Vec::new(),
            entries: Vec::new(),
        };
        builder.contents.door_schedule = model.schedule.map(|s| builder.schedule(s));
        Ok(builder)
    }

    /// The permanent space codes covering the door, the first of equal codes kept.
    fn space_codes(&mut self) {
        let covering = self.compiled.space_codes.iter().enumerate();
        for (i, targets) in covering {
            if self.compiled.via(targets, self.door).is_none() {
                continue;
            }
            let Some(code) = self.policy.space_codes.get(i) else {
                continue;
            };
            let digest = self.digester.keypad(&code.code);
            if self.space_digests.contains_key(&digest) {
                continue;
            }
            self.space_digests.insert(digest, &code.code);
            self.space_slots.push((digest, to_u32(i)));
        }
    }

    /// Every user with offline access whose grants reach the door.
    fn users(&mut self) -> Result<(), BuildError> {
        for (i, user) in self.compiled.users.iter().enumerate() {
            if !user.offline {
                continue;
            }
            let Some(schedules) = self.counted_schedules(user) else {
                continue;
            };
            let revoked_rule = !user.active;
            if !revoked_rule && !self.within_ceiling(user) {
                continue;
            }
            let expired = user.valid_to < self.window.first_day;
            let rule = if revoked_rule {
                Rule::Inactive
            } else {
                Rule::Schedules(
                    schedules
                        .iter()
                        .map(|s| s.map(|s| self.schedule(s)))
                        .collect(),
                )
            };
            self.add_holder(i, user, rule, revoked_rule || expired)?;
        }
        Ok(())
    }

    /// The schedules of the user's most specific grants reaching the door, in order,
    /// without repeats, up to the first that is always open; `None` when no grant
    /// reaches it.
    fn counted_schedules(&self, user: &CompiledUser) -> Option<Vec<Option<ScheduleId>>> {
        let start = user.grants_start as usize;
        let grants = self
            .compiled
            .grants
            .get(start..start + user.grants_len as usize)?;
        let reaching = || {
            grants
                .iter()
                .filter(|g| self.compiled.reaches(g.reach, self.door))
        };
        let best = reaching().map(|g| g.specificity).max()?;
        let mut schedules: Vec<Option<ScheduleId>> = Vec::new();
        for grant in reaching().filter(|g| g.specificity == best) {
            let schedule = grant.schedule.or(user.base_schedule);
            if !schedules.contains(&schedule) {
                schedules.push(schedule);
            }
            if schedule.is_none() {
                break;
            }
        }
        Some(schedules)
    }

    /// Whether the door lies within every ceiling above the user.
    fn within_ceiling(&self, user: &CompiledUser) -> bool {
        let ceiling = self
            .compiled
            .accounts
            .get(user.account.index())
            .and_then(|a| a.ceiling);
        ceiling
            .and_then(|c| self.compiled.set(c))
            .is_none_or(|set| set.contains(self.door))
    }

    fn add_holder(
        &mut self,
        user_index: usize,
        user: &CompiledUser,
        rule: Rule,
        revoked: bool,
    ) -> Result<(), BuildError> {
        let holder = self.index("holders", self.contents.holders.len(), 0xffff)?;
        let rule = self.rule(rule)?;
        self.contents.holders.push(HolderRecord {
            valid_from: clamp_day(user.valid_from),
            valid_to: clamp_day(user.valid_to),
            rule,
        });
        self.map.holders.push(UserId(to_u32(user_index)));
        let credentials = self
            .policy
            .users
            .get(user_index)
            .map_or(&[][..], |u| &u.credentials);
        for credential in credentials {
            let digest = self.digester.credential(credential);
            self.entries.push((digest, revoked, holder, credential));
        }
        Ok(())
    }

    /// The image index of a schedule, added on first use.
    fn schedule(&mut self, id: ScheduleId) -> u16 {
        if let Some(&index) = self.schedule_index.get(&id) {
            return index;
        }
        let index = u16::try_from(self.contents.schedules.len()).unwrap_or(u16::MAX);
        let schedule = self.weekly_schedule(id);
        self.contents.schedules.push(schedule);
        self.map.schedules.push(id);
        self.schedule_index.insert(id, index);
        index
    }

    fn weekly_schedule(&mut self, id: ScheduleId) -> WeeklySchedule {
        let Some(schedule) = self.policy.schedules.get(id.index()) else {
            return WeeklySchedule::default();
        };
        let mut compact = WeeklySchedule::default();
        for (day, ranges) in compact.weekly.iter_mut().enumerate() {
            let bit = Weekdays::from_bits_truncate(1 << day);
            let on_day = schedule
                .weekly
                .iter()
                .filter(|rule| rule.days.contains(bit))
                .flat_map(|rule| rule.ranges.iter().copied());
            *ranges = day_ranges(on_day);
        }
        compact.closed_on = self.calendars(&schedule.closed_on);
        compact.holiday_rules = schedule
            .holiday_rules
            .iter()
            .map(|rule| HolidayRanges {
                calendars: self.calendars(&rule.calendars),
                ranges: day_ranges(rule.ranges.iter().copied()),
            })
            .collect();
        compact
    }

    /// Image indexes of calendars, strictly ascending.
    fn calendars(&mut self, ids: &[CalendarId]) -> Vec<u16> {
        let mut indexes: Vec<u16> = ids.iter().map(|&id| self.calendar(id)).collect();
        indexes.sort_unstable();
        indexes.dedup();
        indexes
    }

    fn calendar(&mut self, id: CalendarId) -> u16 {
        if let Some(&index) = self.calendar_index.get(&id) {
            return index;
        }
        let index = u16::try_from(self.contents.calendars.len()).unwrap_or(u16::MAX);
        let calendar = self.clipped_calendar(id);
        self.contents.calendars.push(calendar);
        self.calendar_index.insert(id, index);
        index
    }

    /// A calendar's days within the window, as merged spans.
    fn clipped_calendar(&self, id: CalendarId) -> Calendar {
        let Some(calendar) = self.policy.calendars.get(id.index()) else {
            return Calendar::default();
        };
        let Window {
            first_day,
            last_day,
        } = self.window;
        let mut spans: Vec<(i32, i32)> = calendar
            .holidays
            .iter()
            .map(|h| {
                let from = day_number(h.days.from).max(first_day);
                (from, day_number(h.days.to).min(last_day))
            })
            .filter(|(from, to)| from <= to)
            .collect();
        spans.sort_unstable();
        let mut merged: Vec<DaySpan> = Vec::with_capacity(spans.len());
        for (from, to) in spans {
            let (first, last) = (clamp_day(from), clamp_day(to));
            match merged.last_mut() {
                Some(span) if u32::from(first) <= u32::from(span.last) + 1 => {
                    span.last = span.last.max(last);
                }
                _ => merged.push(DaySpan { first, last }),
            }
        }
        Calendar { spans: merged }
    }

    fn rule(&mut self, rule: Rule) -> Result<u16, BuildError> {
        if let Some(&index) = self.rule_index.get(&rule) {
            return Ok(index);
        }
        let index = self.index("access rules", self.contents.rules.len(), 0xffff)?;
        self.contents.rules.push(rule.clone());
        self.rule_index.insert(rule, index);
        Ok(index)
    }

    /// The next index of a table, if the layout can hold it.
    fn index(&self, what: &'static str, len: usize, limit: usize) -> Result<u16, BuildError> {
        u16::try_from(len)
            .ok()
            .filter(|_| len < limit)
            .ok_or_else(|| BuildError::TooLarge {
                door: self.name.to_owned(),
                what,
                count: len + 1,
                limit,
            })
    }

    fn finish(mut self) -> Result<BuiltImage, BuildError> {
        if self.contents.schedules.len() >= usize::from(super::image::NO_SCHEDULE) {
            return Err(BuildError::TooLarge {
                door: self.name.to_owned(),
                what: "schedules",
                count: self.contents.schedules.len(),
                limit: usize::from(super::image::NO_SCHEDULE) - 1,
            });
        }
        self.sort_space_codes();
        self.sort_entries()?;
        self.check_capacity()?;
        let bytes = self.contents.seal(self.lock_key)?;
        Ok(BuiltImage {
            bytes,
            contents: self.contents,
            map: self.map,
        })
    }
}

impl Builder<'_> {
    /// Sorts the space codes by digest, keeping the map in step.
    fn sort_space_codes(&mut self) {
        let mut slots = std::mem::take(&mut self.space_slots);
        slots.sort_unstable();
        self.contents.space_codes = slots.iter().map(|(d, _)| *d).collect();
        self.map.space_codes = slots.iter().map(|(_, c)| *c).collect();
    }

    /// Sorts the credentials by digest into the valid and revoked tables; a
    /// credential held twice keeps its first holder; two credentials sharing a digest
    /// (or a PIN sharing one with another space code) are refused.
    fn sort_entries(&mut self) -> Result<(), BuildError> {
        let collision = || BuildError::DigestCollision(self.name.to_owned());
        let mut entries = std::mem::take(&mut self.entries);
        entries.sort_by_key(|a| a.0);
        let mut kept: Vec<(Digest, bool, u16, &Credential)> = Vec::with_capacity(entries.len());
        for entry in entries {
            match kept.last() {
                Some(last) if last.0 == entry.0 && last.3 == entry.3 => continue,
                Some(last) if last.0 == entry.0 => return Err(collision()),
                _ => {}
            }
            if let Some(code) = self.space_digests.get(&entry.0) {
                if !matches!(entry.3, Credential::Pin(pin) if pin == code) {
                    return Err(collision());
                }
            }
            kept.push(entry);
        }
        for (digest, revoked, holder, _) in kept {
            let table = if revoked {
                &mut self.contents.revocations
            } else {
                &mut self.contents.credentials
            };
            table.push(Entry { digest, holder });
        }
        Ok(())
    }

    /// Refuses an image with more entries than the door's memory holds.
    fn check_capacity(&self) -> Result<(), BuildError> {
        let capacity = self
            .policy
            .doors
            .get(self.door.index())
            .and_then(|d| d.capacity);
        let entries = self.contents.entries();
        match capacity {
            Some(capacity) if entries > capacity as usize => Err(BuildError::OverCapacity {
                door: self.name.to_owned(),
                entries,
                capacity,
            }),
            _ => Ok(()),
        }
    }
}

/// The local days the image must know, with a margin for offsets and the day before.
fn window(issue: Issue) -> Result<Window, BuildError> {
    let horizon = issue.horizon();
    let window = Window {
        first_day: day_of(issue.issued.0) - 2,
        last_day: day_of(horizon.0) + 2,
    };
    let fits = issue.horizon_days > 0
        && window.first_day >= 1
        && window.last_day < i32::from(u16::MAX)
        && horizon <= ZoneTable::span_end();
    if fits {
        Ok(window)
    } else {
        Err(BuildError::WindowOutOfRange {
            issued: issue.issued.0,
            horizon_days: issue.horizon_days,
        })
    }
}

fn to_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn day_of(seconds: i64) -> i32 {
    i32::try_from(seconds.div_euclid(DAY)).unwrap_or(i32::MAX)
}

/// A day number as the layout's `u16`; exact for every day in a window.
fn clamp_day(day: i32) -> u16 {
    u16::try_from(day.clamp(0, i32::from(u16::MAX))).unwrap_or(u16::MAX)
}

/// The header and offsets of an image with no entries yet.
fn empty_contents(
    door: &crate::model::Door,
    issue: Issue,
    zone: Option<&ZoneTable>,
) -> ImageContents {
    let horizon = issue.horizon();
    let transitions = zone
        .map(|z| {
            z.changes_between(issue.issued, horizon)
                .map(|(at, offset)| OffsetChange { at, offset })
                .collect()
        })
        .unwrap_or_default();
    ImageContents {
        door: door.name.clone(),
        readers: door.readers,
        required: door.required,
        issued: issue.issued,
        horizon,
        base_offset: zone.map_or(0, |z| z.offset_at(issue.issued)),
        transitions,
        door_schedule: None,
        calendars: Vec::new(),
        schedules: Vec::new(),
        rules: Vec::new(),
        holders: Vec::new(),
        space_codes: Vec::new(),
        credentials: Vec::new(),
        revocations: Vec::new(),
    }
}

/// The compact form of the ranges starting on one kind of day: the minutes open that
/// day, merged, and how far the ranges crossing midnight run into the next.
fn day_ranges(ranges: impl Iterator<Item = TimeRange>) -> DayRanges {
    let mut spill = 0;
    let mut spans: Vec<(u16, u16)> = Vec::new();
    for range in ranges {
        let start = range.start.min(1440);
        if range.crosses_midnight() {
            spans.push((start, 1440));
            spill = spill.max(range.end.min(1440));
        } else {
            spans.push((start, range.end.min(1440)));
        }
    }
    spans.retain(|(start, end)| start < end);
    spans.sort_unstable();
    let mut open: Vec<MinuteSpan> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match open.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => open.push(MinuteSpan { start, end }),
        }
    }
    DayRanges { spill, open }
}
