//! The months of the PostgreSQL journal: one partition of `events` per calendar
//! month (UTC) of the instants written, `events_pYYYYMM`, holding `[first second of
//! the month, first second of the next)`.
//!
//! Owns the arithmetic from instants to months and back and the partitions' names.
//! It must never guess a month for an instant outside the calendar (years 0000 to
//! 9999): the journal refuses those events before they come here.

use chrono::{DateTime, Datelike, NaiveDate};

/// A calendar month, counted from January of year 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(i64);

impl Month {
    /// The month holding `at` (Unix seconds), in UTC.
    pub fn of(at: i64) -> Option<Month> {
        let date = DateTime::from_timestamp(at, 0)?.date_naive();
        Some(Month(
            i64::from(date.year()) * 12 + i64::from(date.month0()),
        ))
    }

    /// The month after this one.
    pub fn next(self) -> Month {
        Month(self.0 + 1)
    }

    /// Its first second (Unix seconds).
    pub fn start(self) -> Option<i64> {
        let year = i32::try_from(self.0.div_euclid(12)).ok()?;
        let month = u32::try_from(self.0.rem_euclid(12)).ok()? + 1;
        let midnight = NaiveDate::from_ymd_opt(year, month, 1)?.and_hms_opt(0, 0, 0)?;
        Some(midnight.and_utc().timestamp())
    }

    /// The name of its partition: `events_p202611` for November 2026.
    pub fn partition(self) -> String {
        let year = self.0.div_euclid(12);
        let month = self.0.rem_euclid(12) + 1;
        format!("events_p{year:04}{month:02}")
    }

    /// The month whose partition is named `name`, if it is one of ours.
    pub fn from_partition(name: &str) -> Option<Month> {
        let digits = name.strip_prefix("events_p")?;
        if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (year, month) = digits.split_at(4);
        let year: i64 = year.parse().ok()?;
        let month: i64 = month.parse().ok()?;
        (1..=12)
            .contains(&month)
            .then_some(Month(year * 12 + month - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_start_and_end_on_their_first_second() {
        // 2026-11-23T08:55:00Z.
        let month = Month::of(1_795_424_100).unwrap();
        assert_eq!(month.partition(), "events_p202611");
        assert_eq!(month.start(), Some(1_793_491_200)); // 2026-11-01
        assert_eq!(month.next().start(), Some(1_796_083_200)); // 2026-12-01
        assert_eq!(month.next().next().partition(), "events_p202701");
        assert_eq!(Month::from_partition("events_p202611"), Some(month));
        assert_eq!(Month::from_partition("events_p202613"), None);
        assert_eq!(Month::from_partition("events_default"), None);
        assert_eq!(
            Month::of(0).map(Month::partition).as_deref(),
            Some("events_p197001")
        );
        assert_eq!(
            Month::of(-1).map(Month::partition).as_deref(),
            Some("events_p196912")
        );
    }
}
