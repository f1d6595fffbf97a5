//! What a user's key must carry, as the current policy says.
//!
//! Owns choosing a key's access data: the doors of the key's site that the user may
//! open offline (within every ceiling above the user, by the most specific grants, as
//! the decision engine counts them) with the schedules that open each; those
//! schedules and the holiday calendars they name, in a canonical order and clipped to
//! the key's life; and the revocations (deactivated users with offline access and a
//! card whose grants reach the site). It never writes bytes and never decides a
//! request: it describes what a key holds.

use super::image::{
    CardCalendar, CardHolidayRule, CardSchedule, DoorEntry, HolderId, Minutes, Revocation,
    Timetable, ALWAYS, MAX_SCHEDULES,
};
use super::{CardKeys, EncodeError};
use crate::compile::CompiledUser;
use crate::model::{CalendarId, Credential, DoorId, Schedule, ScheduleId, User, UserId, Weekdays};
use crate::time::Timestamp;
use std::collections::BTreeSet;

const DAY: i64 = 86_400;

/// The access data a key must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Expected {
    pub holder: HolderId,
    pub offline: bool,
    pub card: Option<u64>,
    pub key_options: crate::model::KeyOptions,
    pub valid_from: i32,
    pub valid_to: i32,
    pub doors: Vec<DoorEntry>,
    pub timetable: Timetable,
    pub revocations: Vec<Revocation>,
}

/// When a door opens for the user: at any time, or when one of the schedules is open.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DoorAccess {
    Always,
    Schedules(Vec<ScheduleId>),
}

/// What `user`'s key, issued at `issued` and expiring at `expiry`, must carry.
pub(super) fn expected(
    keys: &CardKeys<'_>,
    user_id: UserId,
    issued: Timestamp,
    expiry: Timestamp,
) -> Result<Expected, EncodeError> {
    let user = keys
        .policy
        .users
        .get(user_id.index())
        .ok_or(EncodeError::UnknownUser(user_id.0))?;
    let compiled = keys
        .compiled
        .users
        .get(user_id.index())
        .ok_or(EncodeError::PolicyMismatch)?;
    let accesses = if user.active && user.offline {
        door_accesses(keys, compiled)
    } else {
        Vec::new()
    };
    let days = (day_of(issued) - 1, day_of(expiry) + 1);
    let (timetable, schedule_slots) = timetable(keys, user, &accesses, days)?;
    Ok(Expected {
        holder: keys.holder_id(user_id),
        offline: user.offline,
        card: first_card(user),
        key_options: user.key_options,
        valid_from: compiled.valid_from,
        valid_to: compiled.valid_to,
        doors: door_entries(keys, &accesses, &schedule_slots)?,
        timetable,
        revocations: revocations(keys, issued),
    })
}

fn first_card(user: &User) -> Option<u64> {
    user.credentials.iter().find_map(|c| match c {
        Credential::Card(number) => Some(*number),
        _ => None,
    })
}

fn day_of(at: Timestamp) -> i32 {
    let day = at.0.div_euclid(DAY);
    i32::try_from(day).unwrap_or(if day < 0 { i32::MIN + 1 } else { i32::MAX - 1 })
}

/// The doors of the key's site the user may open, and when.
fn door_accesses(keys: &CardKeys<'_>, user: &CompiledUser) -> Vec<(DoorId, DoorAccess)> {
    let Some(site) = keys.policy.sites.get(keys.site.index()) else {
        return Vec::new();
    };
    site.doors
        .iter()
        .filter(|door| within_ceiling(keys, user, **door))
        .filter_map(|door| counted_access(keys, user, *door).map(|a| (*door, a)))
        .collect()
}

/// Whether `door` lies within every ceiling above the user.
fn within_ceiling(keys: &CardKeys<'_>, user: &CompiledUser, door: DoorId) -> bool {
    let compiled = keys.compiled;
    let ceiling = compiled
        .accounts
        .get(user.account.index())
        .and_then(|a| a.ceiling);
    ceiling
        .and_then(|c| compiled.set(c))
        .is_none_or(|set| set.contains(door))
}

/// The schedules of the user's most specific grants reaching `door` (step 6.6–6.7
/// of the decision procedure); `None` when no grant reaches it.
fn counted_access(keys: &CardKeys<'_>, user: &CompiledUser, door: DoorId) -> Option<DoorAccess> {
    let compiled = keys.compiled;
    let start = user.grants_start as usize;
    let grants = compiled
        .grants
        .get(start..start + user.grants_len as usize)?;
    let reaching = || grants.iter().filter(|g| compiled.reaches(g.reach, door));
    let best = reaching().map(|g| g.specificity).max()?;
    let mut schedules = BTreeSet::new();
    for grant in reaching().filter(|g| g.specificity == best) {
        match grant.schedule.or(user.base_schedule) {
            None => return Some(DoorAccess::Always),
            Some(schedule) => schedules.insert(schedule),
        };
    }
    Some(DoorAccess::Schedules(schedules.into_iter().collect()))
}

/// The timetable for the doors' schedules, and the slot of each schedule.
fn timetable(
    keys: &CardKeys<'_>,
    user: &User,
    accesses: &[(DoorId, DoorAccess)],
    days: (i32, i32),
) -> Result<(Timetable, Vec<(ScheduleId, u8)>), EncodeError> {
    let used: BTreeSet<ScheduleId> = accesses
        .iter()
        .flat_map(|(_, access)| match access {
            DoorAccess::Always => &[][..],
            DoorAccess::Schedules(ids) => ids.as_slice(),
        })
        .copied()
        .collect();
    let schedules: Vec<(ScheduleId, &Schedule)> = used
        .iter()
        .filter_map(|id| keys.policy.schedules.get(id.index()).map(|s| (*id, s)))
        .collect();
    let calendars = calendars(keys, &schedules, days);
    let slot_of = |id: CalendarId| calendar_slot(keys, &calendars, id, days);
    let cards: Vec<(ScheduleId, CardSchedule)> = schedules
        .iter()
        .map(|(id, schedule)| (*id, card_schedule(schedule, &slot_of)))
        .collect();
    let mut unique: Vec<CardSchedule> = cards.iter().map(|(_, c)| c.clone()).collect();
    unique.sort();
    unique.dedup();
    if unique.len() > MAX_SCHEDULES {
        return Err(EncodeError::TooManySchedules {
            user: user.name.clone(),
            count: unique.len(),
        });
    }
    let slots = cards
        .iter()
        .filter_map(|(id, card)| {
            let slot = unique.binary_search(card).ok()?;
            Some((*id, u8::try_from(slot).ok()?))
        })
        .collect();
    let timetable = Timetable {
        calendars,
        schedules: unique,
    };
    Ok((timetable, slots))
}

/// The calendars the schedules name, clipped to `days`, sorted, without repeats.
fn calendars(
    keys: &CardKeys<'_>,
    schedules: &[(ScheduleId, &Schedule)],
    days: (i32, i32),
) -> Vec<CardCalendar> {
    let named: BTreeSet<CalendarId> = schedules
        .iter()
        .flat_map(|(_, s)| {
            let rules = s.holiday_rules.iter().flat_map(|r| r.calendars.iter());
            s.closed_on.iter().chain(rules).copied()
        })
        .collect();
    let mut calendars: Vec<CardCalendar> = named
        .into_iter()
        .map(|id| card_calendar(keys, id, days))
        .collect();
    calendars.sort();
    calendars.dedup();
    calendars
}

fn calendar_slot(
    keys: &CardKeys<'_>,
    calendars: &[CardCalendar],
    id: CalendarId,
    days: (i32, i32),
) -> u8 {
    let card = card_calendar(keys, id, days);
    calendars
        .binary_search(&card)
        .ok()
        .and_then(|slot| u8::try_from(slot).ok())
        .unwrap_or(u8::MAX)
}

/// A calendar's days within `days`, as sorted, merged ranges.
fn card_calendar(keys: &CardKeys<'_>, id: CalendarId, (first, last): (i32, i32)) -> CardCalendar {
    let Some(calendar) = keys.policy.calendars.get(id.index()) else {
        return CardCalendar::default();
    };
    let mut ranges: Vec<(i32, i32)> = calendar
        .holidays
        .iter()
        .map(|h| {
            let from = crate::time::day_number(h.days.from).max(first);
            (from, crate::time::day_number(h.days.to).min(last))
        })
        .filter(|(from, to)| from <= to)
        .collect();
    ranges.sort_unstable();
    let mut days: Vec<(i32, i32)> = Vec::with_capacity(ranges.len());
    for (from, to) in ranges {
        match days.last_mut() {
            Some(previous) if from <= previous.1.saturating_add(1) => {
                previous.1 = previous.1.max(to)
            }
            _ => days.push((from, to)),
        }
    }
    CardCalendar { days }
}

/// A schedule as carried: ranges per weekday, sorted and without repeats.
fn card_schedule(schedule: &Schedule, slot_of: &impl Fn(CalendarId) -> u8) -> CardSchedule {
    let mut card = CardSchedule::default();
    for rule in &schedule.weekly {
        for (day, ranges) in card.weekly.iter_mut().enumerate() {
            if rule.days.contains(Weekdays::from_bits_truncate(1 << day)) {
                ranges.extend(rule.ranges.iter().map(|r| (r.start, r.end)));
            }
        }
    }
    card.weekly.iter_mut().for_each(sort_ranges);
    card.closed_on = slots(&schedule.closed_on, slot_of);
    card.holidays = schedule
        .holiday_rules
        .iter()
        .map(|rule| {
            let mut ranges: Vec<Minutes> = rule.ranges.iter().map(|r| (r.start, r.end)).collect();
            sort_ranges(&mut ranges);
            CardHolidayRule {
                calendars: slots(&rule.calendars, slot_of),
                ranges,
            }
        })
        .collect();
    card
}

fn sort_ranges(ranges: &mut Vec<Minutes>) {
    ranges.sort_unstable();
    ranges.dedup();
}

fn slots(ids: &[CalendarId], slot_of: &impl Fn(CalendarId) -> u8) -> Vec<u8> {
    let mut slots: Vec<u8> = ids.iter().map(|id| slot_of(*id)).collect();
    slots.sort_unstable();
    slots.dedup();
    slots
}

/// The door records, by ascending reference.
fn door_entries(
    keys: &CardKeys<'_>,
    accesses: &[(DoorId, DoorAccess)],
    slots: &[(ScheduleId, u8)],
) -> Result<Vec<DoorEntry>, EncodeError> {
    let mask_of = |access: &DoorAccess| match access {
        DoorAccess::Always => ALWAYS,
        DoorAccess::Schedules(ids) => ids
            .iter()
            .filter_map(|id| slots.iter().find(|(s, _)| s == id).map(|(_, slot)| *slot))
            .fold(0u16, |mask, slot| mask | 1 << slot),
    };
    let mut entries: Vec<(DoorEntry, DoorId)> = accesses
        .iter()
        .map(|(door, access)| {
            let entry = DoorEntry {
                door: keys.door_ref(*door),
                schedules: mask_of(access),
            };
            (entry, *door)
        })
        .filter(|(entry, _)| entry.schedules != 0)
        .collect();
    entries.sort_unstable();
    let pairs = entries.iter().zip(entries.iter().skip(1));
    if let Some((a, b)) = pairs.into_iter().find(|(a, b)| a.0.door == b.0.door) {
        return Err(EncodeError::DoorRefCollision {
            first: keys.door_name(a.1),
            second: keys.door_name(b.1),
        });
    }
    Ok(entries.into_iter().map(|(entry, _)| entry).collect())
}

/// Deactivated users with offline access and a card whose grants reach the site.
fn revocations(keys: &CardKeys<'_>, before: Timestamp) -> Vec<Revocation> {
    let policy = keys.policy;
    let reaches_site = |user: &User| {
        user.grants.iter().flat_map(|g| g.targets.iter()).any(|t| {
            policy.doors_of(*t).any(|d| {
                policy
                    .doors
                    .get(d.index())
                    .is_some_and(|d| d.site == keys.site)
            })
        })
    };
    let mut revoked: Vec<Revocation> = policy
        .users
        .iter()
        .enumerate()
        .filter(|(_, u)| !u.active && u.offline && first_card(u).is_some() && reaches_site(u))
        .filter_map(|(i, _)| u32::try_from(i).ok())
        .map(|i| Revocation {
            holder: keys.holder_id(UserId(i)),
            before,
        })
        .collect();
    revoked.sort_unstable();
    revoked.dedup_by_key(|r| r.holder);
    revoked
}
