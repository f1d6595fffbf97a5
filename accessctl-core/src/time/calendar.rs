//! Compiled holiday calendars.
//!
//! Owns the sorted, merged day ranges of a calendar and the membership test. It does
//! not decide what a holiday means for a schedule: `schedule` does.

use super::day_number;
use crate::model::HolidayCalendar;

/// A calendar's days as sorted, disjoint inclusive ranges of day numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompiledCalendar {
    ranges: Vec<(i32, i32)>,
}

impl CompiledCalendar {
    /// Compiles a calendar of the model.
    pub fn new(calendar: &HolidayCalendar) -> CompiledCalendar {
        let mut ranges: Vec<(i32, i32)> = calendar
            .holidays
            .iter()
            .map(|h| (day_number(h.days.from), day_number(h.days.to)))
            .filter(|(from, to)| from <= to)
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(i32, i32)> = Vec::with_capacity(ranges.len());
        for (from, to) in ranges {
            match merged.last_mut() {
                Some(last) if from <= last.1.saturating_add(1) => last.1 = last.1.max(to),
                _ => merged.push((from, to)),
            }
        }
        CompiledCalendar { ranges: merged }
    }

    /// The calendar's days as sorted, disjoint inclusive ranges of day numbers.
    pub fn ranges(&self) -> &[(i32, i32)] {
        &self.ranges
    }

    /// Whether local day `day` is a holiday of this calendar.
    #[inline]
    pub fn contains(&self, day: i32) -> bool {
        let i = self.ranges.partition_point(|&(_, to)| to < day);
        self.ranges.get(i).is_some_and(|&(from, _)| from <= day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DateRange, Holiday};
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn days_and_ranges_are_inclusive() {
        let holiday = |from, to| Holiday {
            days: DateRange { from, to },
            label: None,
        };
        let calendar = CompiledCalendar::new(&HolidayCalendar {
            name: "fr".into(),
            holidays: vec![
                holiday(day(2026, 12, 25), day(2026, 12, 25)),
                holiday(day(2026, 8, 1), day(2026, 8, 15)),
                holiday(day(2026, 8, 10), day(2026, 8, 20)),
            ],
        });
        assert!(calendar.contains(day_number(day(2026, 12, 25))));
        assert!(!calendar.contains(day_number(day(2026, 12, 24))));
        assert!(calendar.contains(day_number(day(2026, 8, 1))));
        assert!(calendar.contains(day_number(day(2026, 8, 20))));
        assert!(!calendar.contains(day_number(day(2026, 8, 21))));
        assert_eq!(calendar.ranges.len(), 2);
    }
}
