//! Instants as people write them: `2026-11-23T09:00`, `2026-11-23T09:00:30+01:00`,
//! `2026-11-23T08:00Z`.
//!
//! Owns the one textual form of an instant shared by the policy tests and the command
//! line. A written instant without an offset is a local time of the site it is asked
//! about: it is resolved in that site's zone, and refused when the zone skips it (the
//! spring-forward gap) or passes it twice (the autumn fold), since guessing would
//! silently test the wrong hour. It never reads the clock.

use chrono::{FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use thiserror::Error;

use super::Timestamp;

/// An instant as written: a local date and time, with or without its offset from UTC.
///
/// ```
/// use accessctl_core::time::WrittenTimestamp;
/// use accessctl_core::Timestamp;
///
/// let paris = chrono_tz::Europe::Paris;
/// let local = WrittenTimestamp::parse("2026-11-23T09:30")?.resolve(paris)?;
/// let explicit = WrittenTimestamp::parse("2026-11-23T08:30Z")?.resolve(paris)?;
/// assert_eq!(local, explicit);
/// assert_eq!(local, Timestamp(1_795_422_600));
///
/// // 02:30 on 2026-03-29 never happens in Paris: the clocks jump from 02:00 to 03:00.
/// assert!(WrittenTimestamp::parse("2026-03-29T02:30")?.resolve(paris).is_err());
/// # Ok::<(), accessctl_core::time::TimestampError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WrittenTimestamp {
    /// The date and time as written.
    pub local: NaiveDateTime,
    /// Seconds east of UTC when an offset (or `Z`) is written.
    pub offset: Option<i32>,
}

/// Why a written instant was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TimestampError {
    /// Not of the form `YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]`.
    #[error("`{0}` is not an instant: write YYYY-MM-DDTHH:MM[:SS], optionally followed by Z or an offset such as +01:00")]
    Malformed(String),
    /// The local time does not exist in the zone (clocks jump over it).
    #[error("{local} does not exist in {zone}: the clocks skip it; write the offset explicitly")]
    Skipped {
        /// The local time as written.
        local: NaiveDateTime,
        /// The site's zone.
        zone: Tz,
    },
    /// The local time happens twice in the zone (clocks go back over it).
    #[error("{local} happens twice in {zone}: the clocks go back over it; write the offset explicitly (for example {first} or {second})")]
    Ambiguous {
        /// The local time as written.
        local: NaiveDateTime,
        /// The site's zone.
        zone: Tz,
        /// The first occurrence, with its offset.
        first: String,
        /// The second occurrence, with its offset.
        second: String,
    },
}

impl WrittenTimestamp {
    /// Parses `YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]` (a space may stand for the `T`).
    pub fn parse(text: &str) -> Result<WrittenTimestamp, TimestampError> {
        let malformed = || TimestampError::Malformed(text.to_owned());
        let (date, rest) = text.split_at_checked(10).ok_or_else(malformed)?;
        let rest = rest.strip_prefix(['T', ' ']).ok_or_else(malformed)?;
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| malformed())?;
        let zone_at = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
        let (time, zone) = rest.split_at(zone_at);
        let time = parse_time(time).ok_or_else(malformed)?;
        let offset = match zone {
            "" => None,
            "Z" | "z" => Some(0),
            _ => Some(parse_offset(zone).ok_or_else(malformed)?),
        };
        Ok(WrittenTimestamp {
            local: date.and_time(time),
            offset,
        })
    }

    /// The instant, reading a time without offset as local time in `zone`.
    pub fn resolve(&self, zone: Tz) -> Result<Timestamp, TimestampError> {
        if let Some(offset) = self.offset {
            let fixed = FixedOffset::east_opt(offset).ok_or(TimestampError::Malformed(format!(
                "{} with offset {offset}s",
                self.local
            )))?;
            let at = fixed.from_local_datetime(&self.local).single();
            return at
                .map(Timestamp::from)
                .ok_or(TimestampError::Malformed(self.local.to_string()));
        }
        match zone.from_local_datetime(&self.local) {
            LocalResult::Single(at) => Ok(Timestamp::from(at)),
            LocalResult::None => Err(TimestampError::Skipped {
                local: self.local,
                zone,
            }),
            LocalResult::Ambiguous(first, second) => Err(TimestampError::Ambiguous {
                local: self.local,
                zone,
                first: first.fixed_offset().to_rfc3339(),
                second: second.fixed_offset().to_rfc3339(),
            }),
        }
    }
}

/// `HH:MM` or `HH:MM:SS`, two digits each.
fn parse_time(text: &str) -> Option<NaiveTime> {
    let format = match text.len() {
        5 => "%H:%M",
        8 => "%H:%M:%S",
        _ => return None,
    };
    NaiveTime::parse_from_str(text, format).ok()
}

/// `±HH:MM` (or `±HHMM`) as seconds east of UTC, at most 18 hours.
fn parse_offset(text: &str) -> Option<i32> {
    let sign = match text.get(..1)? {
        "+" => 1,
        "-" => -1,
        _ => return None,
    };
    let digits = text.get(1..)?.replace(':', "");
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits.get(..2)?.parse().ok()?;
    let minutes: i32 = digits.get(2..)?.parse().ok()?;
    (hours <= 18 && minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARIS: Tz = chrono_tz::Europe::Paris;

    fn resolve(text: &str) -> Result<Timestamp, TimestampError> {
        WrittenTimestamp::parse(text)?.resolve(PARIS)
    }

    #[test]
    fn offsets_and_utc_name_the_same_instant() {
        let utc = resolve("2026-11-23T08:00Z").unwrap();
        assert_eq!(resolve("2026-11-23T09:00+01:00").unwrap(), utc);
        assert_eq!(resolve("2026-11-23T09:00:00+0100").unwrap(), utc);
        assert_eq!(resolve("2026-11-23 09:00").unwrap(), utc);
        assert_eq!(resolve("2026-11-23T03:00-05:00").unwrap(), utc);
    }

    #[test]
    fn local_times_follow_the_zone_across_daylight_saving() {
        // Summer time in Paris is UTC+2.
        let summer = resolve("2026-07-01T10:00").unwrap();
        assert_eq!(summer, resolve("2026-07-01T08:00Z").unwrap());
    }

    #[test]
    fn a_skipped_local_time_is_refused() {
        // 2026-03-29: Paris jumps from 02:00 to 03:00.
        let err = resolve("2026-03-29T02:30").unwrap_err();
        assert!(matches!(err, TimestampError::Skipped { .. }), "{err}");
    }

    #[test]
    fn a_repeated_local_time_is_refused_with_both_readings() {
        // 2026-10-25: Paris goes back from 03:00 to 02:00.
        let err = resolve("2026-10-25T02:30").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("+02:00") && text.contains("+01:00"), "{text}");
    }

    #[test]
    fn malformed_text_is_refused() {
        for text in [
            "",
            "2026-11-23",
            "2026-11-23T9:00",
            "2026-13-01T09:00",
            "2026-11-23T24:00",
            "2026-11-23T09:00+1",
            "2026-11-23T09:00+25:00",
            "2026-11-23T09:00Zx",
            "é",
            "2026-11-23T09:00:00:00",
        ] {
            assert!(WrittenTimestamp::parse(text).is_err(), "{text}");
        }
    }
}
