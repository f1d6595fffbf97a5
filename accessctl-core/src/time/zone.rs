//! UTC offsets of an IANA zone, precomputed for fast lookups.
//!
//! Owns the table of offset changes of one zone between 1970 and 2100, found once from
//! chrono-tz, and the lookup of the offset in force at an instant. Outside that span it
//! asks chrono-tz directly. It never reads the clock.

use super::Instant;
use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::Tz;

const DAY: i64 = 86_400;
/// 1970-01-01T00:00:00Z.
const FIRST: i64 = 0;
/// 2100-01-01T00:00:00Z.
const LAST: i64 = 4_102_444_800;

/// The offsets in force in one zone, as sorted change instants.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneTable {
    zone: Tz,
    /// Instants at which an offset comes into force, ascending; the first is `FIRST`.
    starts: Vec<i64>,
    /// The offset (seconds east of UTC) in force from the matching start.
    offsets: Vec<i32>,
}

impl ZoneTable {
    /// Finds every offset change of `zone` between 1970 and 2100.
    pub fn new(zone: Tz) -> ZoneTable {
        let mut table = ZoneTable {
            zone,
            starts: vec![FIRST],
            offsets: vec![offset_of(zone, FIRST)],
        };
        let mut previous = FIRST;
        let mut previous_offset = offset_of(zone, FIRST);
        let mut t = FIRST + DAY;
        while t <= LAST {
            let offset = offset_of(zone, t);
            if offset != previous_offset {
                let change = first_change(zone, previous, t, previous_offset);
                table.starts.push(change);
                table.offsets.push(offset_of(zone, change));
                previous_offset = offset;
            }
            previous = t;
            t += DAY;
        }
        table
    }

    /// The zone the table is for.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// Seconds east of UTC in force at `at`.
    #[inline]
    pub fn offset_at(&self, at: Instant) -> i32 {
        if !(FIRST..LAST).contains(&at.0) {
            return offset_of(self.zone, at.0);
        }
        let i = self.starts.partition_point(|&s| s <= at.0);
        self.offsets
            .get(i.saturating_sub(1))
            .copied()
            .unwrap_or_else(|| offset_of(self.zone, at.0))
    }
}

/// The first second in `(before, after]` whose offset differs from `old`.
fn first_change(zone: Tz, mut before: i64, mut after: i64, old: i32) -> i64 {
    while after - before > 1 {
        let middle = before + (after - before) / 2;
        if offset_of(zone, middle) == old {
            before = middle;
        } else {
            after = middle;
        }
    }
    after
}

fn offset_of(zone: Tz, at: i64) -> i32 {
    DateTime::from_timestamp(at, 0)
        .map(|utc| {
            zone.offset_from_utc_datetime(&utc.naive_utc())
                .fix()
                .local_minus_utc()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_chrono_tz_around_paris_transitions() {
        let table = ZoneTable::new(chrono_tz::Europe::Paris);
        // 2026-03-29T01:00:00Z: clocks go from 02:00 to 03:00 local.
        let spring = 1_774_746_000;
        assert_eq!(table.offset_at(Instant(spring - 1)), 3600);
        assert_eq!(table.offset_at(Instant(spring)), 7200);
        // 2026-10-25T01:00:00Z: clocks go back from 03:00 to 02:00 local.
        let autumn = 1_792_890_000;
        assert_eq!(table.offset_at(Instant(autumn - 1)), 7200);
        assert_eq!(table.offset_at(Instant(autumn)), 3600);
    }

    #[test]
    fn agrees_with_chrono_tz_everywhere_sampled() {
        for zone in [
            chrono_tz::Europe::Paris,
            chrono_tz::Pacific::Kiritimati,
            chrono_tz::America::St_Johns,
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::UTC,
        ] {
            let table = ZoneTable::new(zone);
            let mut t = -10 * DAY;
            while t < LAST + 10 * DAY {
                assert_eq!(
                    table.offset_at(Instant(t)),
                    offset_of(zone, t),
                    "{zone} at {t}"
                );
                t += 7 * 3600 + 13;
            }
        }
    }
}
