//! Instants on the command line: `--at` resolved in a door's site zone, or the clock's
//! now, and instants shown back in a site's local time.
//!
//! Owns the only read of the clock in the tool (the core never reads one), the text
//! form of instants in answers (`2026-11-23T09:00:00+01:00`, `2026-11-23T08:00:00Z`)
//! and the [`CALENDAR`] that form can write: ISO 8601 with a four-digit year. Every
//! instant shown is ISO 8601, always: an instant that comes from outside (a device, a
//! file, the journal) is checked against the calendar where it enters and refused
//! beyond it, and the formatters here never write anything else. Parsing the written
//! form belongs to the core's `WrittenTimestamp`; this module must never parse instants
//! another way, nor guess a local time the zone skips or repeats.

use std::ops::RangeInclusive;
use std::time::{SystemTime, UNIX_EPOCH};

use accessctl_core::time::{TimestampError, WrittenTimestamp};
use accessctl_core::Timestamp;
use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

/// The instants ISO 8601 writes without an expanded year, in seconds since the epoch:
/// `0000-01-01T00:00:00Z` to `9999-12-31T23:59:59Z`.
pub const CALENDAR: RangeInclusive<i64> = -62_167_219_200..=253_402_300_799;

/// An instant [`CALENDAR`] does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the instant {} seconds from 1970 is beyond the years 0000 to 9999 ISO 8601 writes", .0 .0)]
pub struct BeyondCalendar(pub Timestamp);

/// `at` itself when [`CALENDAR`] holds it.
pub fn in_calendar(at: Timestamp) -> Result<Timestamp, BeyondCalendar> {
    if CALENDAR.contains(&at.0) {
        Ok(at)
    } else {
        Err(BeyondCalendar(at))
    }
}

/// `at` as a date and time, nearest edge of [`CALENDAR`] when beyond it.
fn calendar_time(at: Timestamp) -> DateTime<Utc> {
    let seconds = at.0.clamp(*CALENDAR.start(), *CALENDAR.end());
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// `at` in `zone`'s local time, as [`show`] reads it (for other layouts: `08:05`).
pub fn local(at: Timestamp, zone: Tz) -> DateTime<Tz> {
    calendar_time(at).with_timezone(&zone)
}

/// `at` in UTC, ISO 8601 with `Z`: `2026-11-23T08:00:00Z`; an error beyond
/// [`CALENDAR`].
pub fn iso8601(at: Timestamp) -> Result<String, BeyondCalendar> {
    in_calendar(at).map(utc)
}

/// `at` in UTC, ISO 8601 with `Z`: `2026-11-23T08:00:00Z`. For instants the tool made
/// or checked (the clock's, the policy's, or ones that passed [`in_calendar`]): one
/// beyond [`CALENDAR`] would show as its nearest edge, still ISO 8601.
pub fn utc(at: Timestamp) -> String {
    calendar_time(at).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The instant the clock shows now.
pub fn now() -> Timestamp {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(after) => Timestamp(i64::try_from(after.as_secs()).unwrap_or(i64::MAX)),
        Err(before) => Timestamp(-i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX)),
    }
}

/// `at` read in `zone` (a time written without offset is local time there), or `now`
/// when no `--at` was given.
pub fn resolve(
    at: Option<&WrittenTimestamp>,
    zone: Tz,
    now: Timestamp,
) -> Result<Timestamp, TimestampError> {
    match at {
        Some(written) => written.resolve(zone),
        None => Ok(now),
    }
}

/// `at` in `zone`'s local time with its offset, RFC 3339: `2026-11-23T09:00:00+01:00`.
/// As [`utc`], for instants the tool made or checked: one beyond [`CALENDAR`] would
/// show as its nearest edge.
pub fn show(at: Timestamp, zone: Tz) -> String {
    local(at, zone).to_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_read_and_shown_in_the_site_zone() {
        let paris = chrono_tz::Europe::Paris;
        let written = WrittenTimestamp::parse("2026-11-23T09:00").unwrap();
        let at = resolve(Some(&written), paris, Timestamp(0)).unwrap();
        assert_eq!(show(at, paris), "2026-11-23T09:00:00+01:00");
        assert_eq!(show(at, chrono_tz::UTC), "2026-11-23T08:00:00+00:00");
        assert_eq!(resolve(None, paris, Timestamp(7)).unwrap(), Timestamp(7));
    }

    #[test]
    fn instants_beyond_the_calendar_are_refused_and_never_shown_otherwise() {
        assert_eq!(utc(Timestamp(*CALENDAR.start())), "0000-01-01T00:00:00Z");
        assert_eq!(utc(Timestamp(*CALENDAR.end())), "9999-12-31T23:59:59Z");
        assert_eq!(iso8601(Timestamp(0)).as_deref(), Ok("1970-01-01T00:00:00Z"));
        for beyond in [
            i64::MIN,
            *CALENDAR.start() - 1,
            *CALENDAR.end() + 1,
            i64::MAX,
        ] {
            assert_eq!(
                iso8601(Timestamp(beyond)),
                Err(BeyondCalendar(Timestamp(beyond)))
            );
            assert!(!utc(Timestamp(beyond)).contains('@'));
            assert!(!show(Timestamp(beyond), chrono_tz::Europe::Paris).contains('@'));
        }
        assert_eq!(utc(Timestamp(i64::MIN)), "0000-01-01T00:00:00Z");
    }
}
