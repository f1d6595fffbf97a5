//! UTC offsets of an IANA zone, precomputed for fast lookups.
//!
//! Owns the table of offset changes of one zone between 1970 and 2100, found once from
//! chrono-tz, and the lookup of the offset in force at an instant: a direct index by
//! period of about 24 days gives the change in force when the period starts, and a
//! short forward scan (rarely more than one step) finds the one in force at the
//! instant. Outside that span it asks chrono-tz directly. It never reads the clock.

use super::Timestamp;
use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::Tz;

const DAY: i64 = 86_400;
/// 1970-01-01T00:00:00Z.
const FIRST: i64 = 0;
/// 2100-01-01T00:00:00Z.
const LAST: i64 = 4_102_444_800;
/// Periods of the direct index are `2^PERIOD_SHIFT` seconds long (about 24 days).
const PERIOD_SHIFT: u32 = 21;

/// The offsets in force in one zone, as sorted change instants.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneTable {
    zone: Tz,
    /// Instants at which an offset comes into force, ascending; the first is `FIRST`.
    starts: Vec<i64>,
    /// The offset (seconds east of UTC) in force from the matching start.
    offsets: Vec<i32>,
    /// For each period from `FIRST`, the index in `starts` of the change in force at
    /// the period's first second.
    periods: Vec<u32>,
}

impl ZoneTable {
    /// Finds every offset change of `zone` between 1970 and 2100.
    pub fn new(zone: Tz) -> ZoneTable {
        let mut table = ZoneTable {
            zone,
            starts: vec![FIRST],
            offsets: vec![offset_of(zone, FIRST)],
            periods: Vec::new(),
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
        table.periods = period_index(&table.starts);
        table
    }

    /// The zone the table is for.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// Seconds east of UTC in force at `at`.
    #[inline]
    pub fn offset_at(&self, at: Timestamp) -> i32 {
        if !(FIRST..LAST).contains(&at.0) {
            return offset_of(self.zone, at.0);
        }
        let period = ((at.0 - FIRST) >> PERIOD_SHIFT) as usize;
        let Some(&first) = self.periods.get(period) else {
            return offset_of(self.zone, at.0);
        };
        let mut i = first as usize;
        while self.starts.get(i + 1).is_some_and(|&s| s <= at.0) {
            i += 1;
        }
        self.offsets
            .get(i)
            .copied()
            .unwrap_or_else(|| offset_of(self.zone, at.0))
    }

    /// The offset changes strictly after `from` and before `to`, in order, as the
    /// instant each comes into force and its offset; only changes within the table's
    /// span (1970–2100) are known. For lock memory images, which carry them.
    pub(crate) fn changes_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> impl Iterator<Item = (Timestamp, i32)> + '_ {
        let first = self.starts.partition_point(|&s| s <= from.0);
        let starts = self.starts.get(first..).unwrap_or(&[]);
        let offsets = self.offsets.get(first..).unwrap_or(&[]);
        starts
            .iter()
            .zip(offsets)
            .take_while(move |(s, _)| **s < to.0)
            .map(|(s, o)| (Timestamp(*s), *o))
    }

    /// The last instant the table covers; later offsets are not in it.
    pub(crate) fn span_end() -> Timestamp {
        Timestamp(LAST)
    }

    /// Heap bytes held.
    pub fn heap_size(&self) -> usize {
        self.starts.capacity() * 8 + self.offsets.capacity() * 4 + self.periods.capacity() * 4
    }
}

/// For each period of `2^PERIOD_SHIFT` seconds from `FIRST` to `LAST`, the index of
/// the last of `starts` (ascending, the first being `FIRST`) at or before its start.
fn period_index(starts: &[i64]) -> Vec<u32> {
    let periods = ((LAST - FIRST) >> PERIOD_SHIFT) + 1;
    let mut index = Vec::with_capacity(periods as usize);
    let mut i = 0usize;
    for period in 0..periods {
        let start = FIRST + (period << PERIOD_SHIFT);
        while starts.get(i + 1).is_some_and(|&s| s <= start) {
            i += 1;
        }
        index.push(u32::try_from(i).unwrap_or(u32::MAX));
    }
    index
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
        assert_eq!(table.offset_at(Timestamp(spring - 1)), 3600);
        assert_eq!(table.offset_at(Timestamp(spring)), 7200);
        // 2026-10-25T01:00:00Z: clocks go back from 03:00 to 02:00 local.
        let autumn = 1_792_890_000;
        assert_eq!(table.offset_at(Timestamp(autumn - 1)), 7200);
        assert_eq!(table.offset_at(Timestamp(autumn)), 3600);
    }

    #[test]
    fn agrees_with_chrono_tz_on_both_sides_of_every_change() {
        for zone in [
            chrono_tz::Europe::Paris,
            chrono_tz::Africa::Casablanca,
            chrono_tz::Australia::Lord_Howe,
        ] {
            let table = ZoneTable::new(zone);
            assert!(table.starts.len() > 2, "{zone} changes offset");
            for &change in &table.starts {
                for t in [change - 1, change, change + 1] {
                    if (FIRST..LAST).contains(&t) {
                        assert_eq!(
                            table.offset_at(Timestamp(t)),
                            offset_of(zone, t),
                            "{zone} {t}"
                        );
                    }
                }
            }
            assert_eq!(
                table.offset_at(Timestamp(LAST - 1)),
                offset_of(zone, LAST - 1)
            );
        }
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
                    table.offset_at(Timestamp(t)),
                    offset_of(zone, t),
                    "{zone} at {t}"
                );
                t += 7 * 3600 + 13;
            }
        }
    }
}
