//! Time: instants, local time in a site's zone, compiled schedules and calendars.
//!
//! Owns the arithmetic that turns an absolute instant into a local day and minute in
//! a site's IANA zone (daylight-saving transitions included), and the compiled forms
//! of schedules and holiday calendars that answer "is it open now?" in a few
//! nanoseconds. It never reads the clock: every instant comes from the caller.

mod calendar;
mod minutes;
mod schedule;
mod written;
mod zone;

pub use calendar::CompiledCalendar;
pub use minutes::DayMinutes;
pub use schedule::CompiledSchedule;
pub use written::{TimestampError, WrittenTimestamp};
pub use zone::ZoneTable;

use chrono::{DateTime, NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};

/// An absolute instant, in whole seconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl<Tz: TimeZone> From<DateTime<Tz>> for Timestamp {
    fn from(at: DateTime<Tz>) -> Timestamp {
        Timestamp(at.timestamp())
    }
}

/// A local day and minute at a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalTime {
    /// Days since 1970-01-01 in local time.
    pub day: i32,
    /// Minutes since local midnight, `0..1440`.
    pub minute: u16,
}

const SECONDS_PER_DAY: i64 = 86_400;

impl LocalTime {
    /// The local time `offset` seconds east of UTC at `at`.
    pub fn at(at: Timestamp, offset: i32) -> LocalTime {
        let local = at.0.saturating_add(i64::from(offset));
        let day = local.div_euclid(SECONDS_PER_DAY);
        let minute = local.rem_euclid(SECONDS_PER_DAY) / 60;
        LocalTime {
            day: i32::try_from(day).unwrap_or(if day < 0 { i32::MIN } else { i32::MAX }),
            minute: u16::try_from(minute).unwrap_or(0),
        }
    }

    /// 0 for Monday … 6 for Sunday.
    pub fn weekday(self) -> usize {
        // 1970-01-01 was a Thursday.
        usize::try_from((i64::from(self.day) + 3).rem_euclid(7)).unwrap_or(0)
    }
}

/// Days since 1970-01-01 of a calendar date.
pub fn day_number(date: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    i32::try_from(date.signed_duration_since(epoch).num_days()).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_splits_day_and_minute() {
        // 2026-11-23T09:30:00Z is a Monday.
        let at = Timestamp(1_795_426_200);
        let utc = LocalTime::at(at, 0);
        assert_eq!(utc.minute, 9 * 60 + 30);
        assert_eq!(utc.weekday(), 0);
        let paris = LocalTime::at(at, 3600);
        assert_eq!(paris.minute, 10 * 60 + 30);
        let samoa = LocalTime::at(at, 14 * 3600);
        assert_eq!(samoa.weekday(), 0);
        assert_eq!(samoa.minute, 23 * 60 + 30);
        let before_epoch = LocalTime::at(Timestamp(-1), 0);
        assert_eq!((before_epoch.day, before_epoch.minute), (-1, 1439));
        assert_eq!(before_epoch.weekday(), 2); // 1969-12-31, a Wednesday
    }

    #[test]
    fn day_numbers_count_from_the_epoch() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(day_number(d(1970, 1, 1)), 0);
        assert_eq!(day_number(d(1970, 1, 2)), 1);
        assert_eq!(day_number(d(1969, 12, 31)), -1);
    }
}
