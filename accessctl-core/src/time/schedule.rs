//! Compiled schedules: "is this schedule open at this local time?"
//!
//! Owns the semantics of a schedule's rules once compiled into minute bitmaps:
//! - a range belongs to the day it starts on; a range whose end is at or before its
//!   start runs past midnight into the next day;
//! - on a day of a calendar named by a `holidays CAL… RANGE…` rule, that rule's ranges
//!   replace the weekly ones for ranges starting that day;
//! - otherwise, on a day of a calendar named by `except holidays`, no range starts;
//! - otherwise the weekly rules apply.
//!
//! It never converts instants (the caller passes a local time) and never reads a clock.

use super::{CompiledCalendar, DayMinutes, LocalTime};
use crate::model::{CalendarId, Schedule, TimeRange, Weekdays};

/// The ranges of one kind of day: the part on the day itself and the part that spills
/// past midnight into the next day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct DayRanges {
    same_day: DayMinutes,
    next_day: DayMinutes,
}

impl DayRanges {
    /// The minute from which the part past midnight is closed.
    fn spill_end(&self) -> u16 {
        self.next_day.end()
    }

    fn add(&mut self, range: TimeRange) {
        if range.crosses_midnight() {
            self.same_day.open(range.start, 1440);
            self.next_day.open(0, range.end);
        } else {
            self.same_day.open(range.start, range.end);
        }
    }
}

/// A schedule compiled for lookups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompiledSchedule {
    weekly: [DayRanges; 7],
    closed_on: Vec<CalendarId>,
    holiday_rules: Vec<(Vec<CalendarId>, DayRanges)>,
    /// No range that started the day before runs at or past this minute, so the
    /// day before need not be looked at from then on (0 when no range crosses
    /// midnight).
    spill_end: u16,
}

impl CompiledSchedule {
    /// Compiles a schedule of the model.
    pub fn new(schedule: &Schedule) -> CompiledSchedule {
        let mut weekly = [DayRanges::default(); 7];
        for rule in &schedule.weekly {
            for (day, ranges) in weekly.iter_mut().enumerate() {
                if rule.days.contains(Weekdays::from_bits_truncate(1 << day)) {
                    rule.ranges.iter().for_each(|r| ranges.add(*r));
                }
            }
        }
        let holiday_rules: Vec<(Vec<CalendarId>, DayRanges)> = schedule
            .holiday_rules
            .iter()
            .map(|rule| {
                let mut ranges = DayRanges::default();
                rule.ranges.iter().for_each(|r| ranges.add(*r));
                (rule.calendars.clone(), ranges)
            })
            .collect();
        let spill_end = weekly
            .iter()
            .chain(holiday_rules.iter().map(|(_, ranges)| ranges))
            .map(DayRanges::spill_end)
            .max()
            .unwrap_or(0);
        CompiledSchedule {
            weekly,
            closed_on: schedule.closed_on.clone(),
            holiday_rules,
            spill_end,
        }
    }

    /// Whether the schedule is open at `local`; `calendars` is indexed by
    /// [`CalendarId`].
    #[inline]
    pub fn is_open(&self, local: LocalTime, calendars: &[CompiledCalendar]) -> bool {
        let today = self.ranges_on(local.day, local.weekday(), calendars);
        if today.is_some_and(|r| r.same_day.contains(local.minute)) {
            return true;
        }
        if local.minute >= self.spill_end {
            return false;
        }
        let yesterday_weekday = (local.weekday() + 6) % 7;
        let yesterday = self.ranges_on(local.day.saturating_sub(1), yesterday_weekday, calendars);
        yesterday.is_some_and(|r| r.next_day.contains(local.minute))
    }

    /// The minutes open on local day `day` (of weekday `weekday`, 0 for Monday):
    /// the ranges starting that day and those of the day before that run past
    /// midnight, holidays applied. Agrees with [`CompiledSchedule::is_open`] minute
    /// for minute.
    pub fn open_minutes(
        &self,
        day: i32,
        weekday: usize,
        calendars: &[CompiledCalendar],
    ) -> DayMinutes {
        let today = self.ranges_on(day, weekday, calendars);
        let yesterday = self.ranges_on(day.saturating_sub(1), (weekday + 6) % 7, calendars);
        let same = today.map(|r| r.same_day).unwrap_or_default();
        let spill = yesterday.map(|r| r.next_day).unwrap_or_default();
        same.union(spill)
    }

    /// The minutes open on a weekday when neither it nor the day before is a day of
    /// any calendar the schedule names: its weekly ranges alone.
    pub fn weekly_minutes(&self, weekday: usize) -> DayMinutes {
        let same = self.weekly.get(weekday).map(|r| r.same_day);
        let spill = self.weekly.get((weekday + 6) % 7).map(|r| r.next_day);
        same.unwrap_or_default().union(spill.unwrap_or_default())
    }

    /// The calendars whose days change the schedule (`except holidays` and
    /// `holidays …` rules).
    pub fn calendars(&self) -> impl Iterator<Item = CalendarId> + '_ {
        (self.closed_on.iter())
            .chain(self.holiday_rules.iter().flat_map(|(ids, _)| ids))
            .copied()
    }

    /// The ranges that start on local day `day`, or `None` when it is closed.
    fn ranges_on(
        &self,
        day: i32,
        weekday: usize,
        calendars: &[CompiledCalendar],
    ) -> Option<&DayRanges> {
        let in_any = |ids: &[CalendarId]| {
            ids.iter()
                .any(|id| calendars.get(id.index()).is_some_and(|c| c.contains(day)))
        };
        if let Some((_, ranges)) = self.holiday_rules.iter().find(|(ids, _)| in_any(ids)) {
            return Some(ranges);
        }
        if in_any(&self.closed_on) {
            return None;
        }
        self.weekly.get(weekday)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DateRange, Holiday, HolidayCalendar, HolidayRule, WeeklyRule};
    use crate::time::day_number;
    use chrono::NaiveDate;

    fn range(start: u16, end: u16) -> TimeRange {
        TimeRange { start, end }
    }

    fn at(y: i32, m: u32, d: u32, minute: u16) -> LocalTime {
        let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
        LocalTime {
            day: day_number(date),
            minute,
        }
    }

    fn schedule(weekly: Vec<WeeklyRule>) -> Schedule {
        Schedule {
            name: "s".into(),
            weekly,
            closed_on: vec![],
            holiday_rules: vec![],
        }
    }

    #[test]
    fn weekday_ranges() {
        let office = CompiledSchedule::new(&schedule(vec![WeeklyRule {
            days: Weekdays::MON | Weekdays::TUE | Weekdays::WED | Weekdays::THU | Weekdays::FRI,
            ranges: vec![range(480, 1140)],
        }]));
        // 2026-11-23 is a Monday, 2026-11-28 a Saturday.
        assert!(office.is_open(at(2026, 11, 23, 480), &[]));
        assert!(!office.is_open(at(2026, 11, 23, 479), &[]));
        assert!(!office.is_open(at(2026, 11, 23, 1140), &[]));
        assert!(!office.is_open(at(2026, 11, 28, 600), &[]));
    }

    #[test]
    fn ranges_cross_midnight_into_the_next_day_and_week() {
        let night = CompiledSchedule::new(&schedule(vec![WeeklyRule {
            days: Weekdays::SUN,
            ranges: vec![range(22 * 60, 6 * 60)],
        }]));
        // Sunday 2026-11-29 23:00, Monday 2026-11-30 05:59 and 06:00.
        assert!(night.is_open(at(2026, 11, 29, 23 * 60), &[]));
        assert!(night.is_open(at(2026, 11, 30, 5 * 60 + 59), &[]));
        assert!(!night.is_open(at(2026, 11, 30, 6 * 60), &[]));
        assert!(!night.is_open(at(2026, 11, 29, 5 * 60), &[]));
    }

    #[test]
    fn the_day_before_is_looked_at_only_while_a_range_may_spill() {
        let office = CompiledSchedule::new(&schedule(vec![WeeklyRule {
            days: Weekdays::all(),
            ranges: vec![range(480, 1140)],
        }]));
        assert_eq!(office.spill_end, 0);
        let night = CompiledSchedule::new(&schedule(vec![
            WeeklyRule {
                days: Weekdays::MON,
                ranges: vec![range(22 * 60, 5 * 60 + 30)],
            },
            WeeklyRule {
                days: Weekdays::FRI,
                ranges: vec![range(20 * 60, 60)],
            },
        ]));
        assert_eq!(night.spill_end, 5 * 60 + 30);
        // Tuesday 2026-11-24 05:29 is open from Monday; 05:30 is not.
        assert!(night.is_open(at(2026, 11, 24, 5 * 60 + 29), &[]));
        assert!(!night.is_open(at(2026, 11, 24, 5 * 60 + 30), &[]));
        // Saturday 2026-11-28 00:59 is open from Friday; 01:00 is not.
        assert!(night.is_open(at(2026, 11, 28, 59), &[]));
        assert!(!night.is_open(at(2026, 11, 28, 60), &[]));
    }

    #[test]
    fn holidays_close_or_replace_ranges_starting_that_day() {
        let christmas = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        let calendars = [CompiledCalendar::new(&HolidayCalendar {
            name: "fr".into(),
            holidays: vec![Holiday {
                days: DateRange {
                    from: christmas,
                    to: christmas,
                },
                label: None,
            }],
        })];
        let all_week = WeeklyRule {
            days: Weekdays::all(),
            ranges: vec![range(20 * 60, 2 * 60)],
        };
        let mut closed = schedule(vec![all_week.clone()]);
        closed.closed_on = vec![CalendarId(0)];
        let closed = CompiledSchedule::new(&closed);
        assert!(!closed.is_open(at(2026, 12, 25, 21 * 60), &calendars));
        // The range that started on the 24th still runs into the 25th.
        assert!(closed.is_open(at(2026, 12, 25, 60), &calendars));
        // The one that would start on the 25th does not run into the 26th.
        assert!(!closed.is_open(at(2026, 12, 26, 60), &calendars));

        let mut special = schedule(vec![all_week]);
        special.closed_on = vec![CalendarId(0)];
        special.holiday_rules = vec![HolidayRule {
            calendars: vec![CalendarId(0)],
            ranges: vec![range(10 * 60, 12 * 60)],
        }];
        let special = CompiledSchedule::new(&special);
        assert!(special.is_open(at(2026, 12, 25, 11 * 60), &calendars));
        assert!(!special.is_open(at(2026, 12, 25, 21 * 60), &calendars));
        assert!(special.is_open(at(2026, 12, 24, 21 * 60), &calendars));
    }
}
