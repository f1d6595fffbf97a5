//! Schedules in Cedar, two ways.
//!
//! Owns the natural encoding — a schedule written out as a condition over the
//! context's weekday, minute and holiday calendars, the way a person would write
//! it ([`condition`]) — and the fastest one — a schedule as an entity whose
//! attributes are sets of time keys (kind of day, weekday, slot of the day) open
//! now, tested by two set lookups ([`keys`], [`open_at_keys`]). Both follow `docs/decisions.md`: a range belongs to the day
//! it starts on; one ending at or before its start runs into the next day; the
//! first holiday rule whose calendar holds the day replaces its ranges, else an
//! `except holidays` calendar closes it.

use accessctl_core::model::{CalendarId, Policy, Schedule, TimeRange, Weekdays};
use accessctl_core::time::day_number;

/// The minutes of a range on its own day and on the next: `[start, end)` pairs.
fn parts(range: TimeRange) -> ((u16, u16), Option<(u16, u16)>) {
    if range.end > range.start {
        ((range.start, range.end), None)
    } else {
        ((range.start, 1440), Some((0, range.end)))
    }
}

/// `lo <= context.minute < hi`, in Cedar.
fn minutes_between(lo: u16, hi: u16) -> String {
    match (lo, hi) {
        (0, 1440) => "true".into(),
        (0, hi) => format!("context.minute < {hi}"),
        (lo, 1440) => format!("context.minute >= {lo}"),
        (lo, hi) => format!("(context.minute >= {lo} && context.minute < {hi})"),
    }
}

/// The weekday test of a rule, against `var` (`context.weekday` or
/// `context.yesterday`).
fn days_test(days: Weekdays, var: &str) -> String {
    let list: Vec<String> = (0..7)
        .filter(|d| days.bits() & (1 << d) != 0)
        .map(|d| d.to_string())
        .collect();
    match list.as_slice() {
        [one] => format!("{var} == {one}"),
        _ => format!("[{}].contains({var})", list.join(", ")),
    }
}

/// A disjunction of the parts of `ranges` on their own day (`next` false) or on
/// the next day (`next` true); `None` when there is none.
fn ranges_test(ranges: &[TimeRange], next: bool) -> Option<String> {
    let tests: Vec<String> = ranges
        .iter()
        .filter_map(|r| {
            let (same, after) = parts(*r);
            if next {
                after
            } else {
                Some(same)
            }
        })
        .filter(|(lo, hi)| lo < hi)
        .map(|(lo, hi)| minutes_between(lo, hi))
        .collect();
    (!tests.is_empty()).then(|| tests.join(" || "))
}

/// `context.<holidays>.containsAny(["fr", …])`.
fn calendars_test(policy: &Policy, ids: &[CalendarId], holidays: &str) -> String {
    let names: Vec<String> = ids
        .iter()
        .filter_map(|id| policy.calendars.get(id.index()))
        .map(|c| format!("{:?}", c.name))
        .collect();
    format!("{holidays}.containsAny([{}])", names.join(", "))
}

/// Whether ranges starting on the day described by `weekday` and `holidays`
/// cover the minute (their own-day part, or the next-day part when `next`).
fn day_test(policy: &Policy, s: &Schedule, next: bool, weekday: &str, holidays: &str) -> String {
    let weekly: Vec<String> = s
        .weekly
        .iter()
        .filter_map(|rule| {
            let ranges = ranges_test(&rule.ranges, next)?;
            Some(format!("({} && ({ranges}))", days_test(rule.days, weekday)))
        })
        .collect();
    let mut test = if weekly.is_empty() {
        "false".to_string()
    } else {
        weekly.join(" || ")
    };
    if !s.closed_on.is_empty() {
        let closed = calendars_test(policy, &s.closed_on, holidays);
        test = format!("(if {closed} then false else ({test}))");
    }
    for rule in s.holiday_rules.iter().rev() {
        let on = calendars_test(policy, &rule.calendars, holidays);
        let ranges = ranges_test(&rule.ranges, next).unwrap_or_else(|| "false".into());
        test = format!("(if {on} then ({ranges}) else {test})");
    }
    test
}

/// Whether any range of the schedule runs past midnight.
fn spills(s: &Schedule) -> bool {
    let rules = s.weekly.iter().map(|r| &r.ranges);
    let holidays = s.holiday_rules.iter().map(|r| &r.ranges);
    rules
        .chain(holidays)
        .flatten()
        .any(|r| parts(*r).1.is_some())
}

/// The natural Cedar condition "schedule `s` is open now", over the context's
/// `weekday`, `yesterday` (yesterday's weekday), `minute`, `holidays` and
/// `yesterday_holidays` (the calendars holding today and yesterday).
pub fn condition(policy: &Policy, s: &Schedule) -> String {
    let today = day_test(policy, s, false, "context.weekday", "context.holidays");
    if !spills(s) {
        return today;
    }
    let yesterday = day_test(
        policy,
        s,
        true,
        "context.yesterday",
        "context.yesterday_holidays",
    );
    format!("({today}) || ({yesterday})")
}

/// The greatest slot length (minutes) that divides every range boundary of every
/// schedule, so that a slot is wholly open or wholly closed.
pub fn granularity(policy: &Policy) -> u16 {
    fn gcd(a: u16, b: u16) -> u16 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    let weekly = policy
        .schedules
        .iter()
        .flat_map(|s| s.weekly.iter().flat_map(|r| r.ranges.iter()));
    let holidays = policy
        .schedules
        .iter()
        .flat_map(|s| s.holiday_rules.iter().flat_map(|r| r.ranges.iter()));
    weekly
        .chain(holidays)
        .fold(1440, |g, r| gcd(gcd(g, r.start), r.end))
        .max(1)
}

/// The kinds of day the calendars make: each is the set of calendars holding a
/// day, as bits (bit `i` for calendar `i`), over every day any calendar holds, and
/// the empty set for ordinary days. Ascending, so the empty set comes first.
pub fn day_kinds(policy: &Policy) -> Vec<u32> {
    let mut by_day: std::collections::BTreeMap<i32, u32> = Default::default();
    for (i, calendar) in policy.calendars.iter().enumerate() {
        for holiday in &calendar.holidays {
            let (from, to) = (day_number(holiday.days.from), day_number(holiday.days.to));
            for day in from..=to {
                *by_day.entry(day).or_default() |= 1 << i;
            }
        }
    }
    let mut kinds: Vec<u32> = by_day.into_values().chain([0]).collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// The fastest model's time key: `(kind × 7 + weekday) × slots per day + slot`,
/// where `kind` indexes [`day_kinds`] and a slot is `granularity` minutes.
pub fn time_key(kind: usize, weekday: u8, slot: u16, granularity: u16) -> i64 {
    let per_day = 1440 / i64::from(granularity.max(1));
    (kind as i64 * 7 + i64::from(weekday)) * per_day + i64::from(slot)
}

/// A schedule as two sets of time keys (see [`time_key`]): the slots open by
/// ranges starting on a day of that kind and weekday (`today`), and the slots of
/// the next day open by them (`spill`, keyed by the day they start on).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Keys {
    /// Keys of the own-day parts.
    pub today: Vec<i64>,
    /// Keys of the next-day parts, by the start day.
    pub spill: Vec<i64>,
}

/// The ranges that start on a day of the calendars `kind` and weekday `weekday`:
/// the first holiday rule naming one of them, else none if an `except holidays`
/// calendar is one of them, else the weekly ranges of the weekday.
fn ranges_on(s: &Schedule, kind: u32, weekday: u8) -> Vec<TimeRange> {
    let holds = |ids: &[CalendarId]| ids.iter().any(|id| kind & (1 << id.index()) != 0);
    if let Some(rule) = s.holiday_rules.iter().find(|r| holds(&r.calendars)) {
        return rule.ranges.clone();
    }
    if holds(&s.closed_on) {
        return Vec::new();
    }
    s.weekly
        .iter()
        .filter(|r| r.days.bits() & (1 << weekday) != 0)
        .flat_map(|r| r.ranges.iter().copied())
        .collect()
}

/// The time keys of schedule `s` (all keys for no schedule: always open).
pub fn keys(s: Option<&Schedule>, kinds: &[u32], granularity: u16) -> Keys {
    let g = granularity.max(1);
    let mut out = Keys::default();
    for (k, &kind) in kinds.iter().enumerate() {
        for weekday in 0..7u8 {
            let key = |slot: u16| time_key(k, weekday, slot, g);
            let Some(s) = s else {
                out.today.extend((0..1440 / g).map(key));
                continue;
            };
            for range in ranges_on(s, kind, weekday) {
                let (same, next) = parts(range);
                out.today.extend((same.0 / g..same.1 / g).map(key));
                if let Some((lo, hi)) = next {
                    out.spill.extend((lo / g..hi / g).map(key));
                }
            }
        }
    }
    for set in [&mut out.today, &mut out.spill] {
        set.sort_unstable();
        set.dedup();
    }
    out
}

/// The fastest model's test "schedule entity `SCHEDULE` is open now": today's key
/// among the slots its ranges of today open, or yesterday's key (yesterday's kind
/// and weekday, today's slot) among those its ranges of yesterday spill into
/// today. Replace `SCHEDULE` with an expression naming the entity.
const OPEN_AT_KEYS: &str =
    "(SCHEDULE.today.contains(context.tkey) || SCHEDULE.spill.contains(context.ykey))";

/// [`OPEN_AT_KEYS`] for the schedule entity named by `expr`.
pub fn open_at_keys(expr: &str) -> String {
    OPEN_AT_KEYS.replace("SCHEDULE", expr)
}
