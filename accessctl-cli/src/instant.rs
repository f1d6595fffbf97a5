//! Instants on the command line: `--at` resolved in a door's site zone, or the clock's
//! now, and instants shown back in a site's local time.
//!
//! Owns the only read of the clock in the tool (the core never reads one) and the
//! text form of instants in answers (`2026-11-23T09:00:00+01:00`). Parsing the written
//! form belongs to the core's `WrittenInstant`; this module must never parse instants
//! another way, nor guess a local time the zone skips or repeats.

use std::time::{SystemTime, UNIX_EPOCH};

use accessctl_core::time::{InstantError, WrittenInstant};
use accessctl_core::Instant;
use chrono::DateTime;
use chrono_tz::Tz;

/// The instant the clock shows now.
pub fn now() -> Instant {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(after) => Instant(i64::try_from(after.as_secs()).unwrap_or(i64::MAX)),
        Err(before) => Instant(-i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX)),
    }
}

/// `at` read in `zone` (a time written without offset is local time there), or `now`
/// when no `--at` was given.
pub fn resolve(
    at: Option<&WrittenInstant>,
    zone: Tz,
    now: Instant,
) -> Result<Instant, InstantError> {
    match at {
        Some(written) => written.resolve(zone),
        None => Ok(now),
    }
}

/// `at` in `zone`'s local time with its offset, RFC 3339: `2026-11-23T09:00:00+01:00`.
pub fn show(at: Instant, zone: Tz) -> String {
    match DateTime::from_timestamp(at.0, 0) {
        Some(utc) => utc.with_timezone(&zone).to_rfc3339(),
        None => format!("@{} (seconds since 1970, beyond the calendar)", at.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_read_and_shown_in_the_site_zone() {
        let paris = chrono_tz::Europe::Paris;
        let written = WrittenInstant::parse("2026-11-23T09:00").unwrap();
        let at = resolve(Some(&written), paris, Instant(0)).unwrap();
        assert_eq!(show(at, paris), "2026-11-23T09:00:00+01:00");
        assert_eq!(show(at, chrono_tz::UTC), "2026-11-23T08:00:00+00:00");
        assert_eq!(resolve(None, paris, Instant(7)).unwrap(), Instant(7));
        assert!(show(Instant(i64::MAX), paris).starts_with('@'));
    }
}
