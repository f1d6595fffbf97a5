//! The minutes of one day as a bitmap.
//!
//! Owns setting ranges of minutes and testing one. It knows nothing of weekdays,
//! zones or holidays.

/// 1440 bits, one per minute of a day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DayMinutes([u64; 23]);

impl DayMinutes {
    /// Marks minutes `start..end` (`end` ≤ 1440) as open.
    pub fn open(&mut self, start: u16, end: u16) {
        for minute in start..end.min(1440) {
            if let Some(word) = self.0.get_mut(usize::from(minute / 64)) {
                *word |= 1 << (minute % 64);
            }
        }
    }

    /// Whether `minute` is open.
    #[inline]
    pub fn contains(&self, minute: u16) -> bool {
        self.0
            .get(usize::from(minute / 64))
            .is_some_and(|word| word & (1 << (minute % 64)) != 0)
    }

    /// Whether no minute is open.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    /// Every minute of the day open.
    pub fn full() -> DayMinutes {
        let mut day = DayMinutes::default();
        day.open(0, 1440);
        day
    }

    /// The minutes open in `self` or in `other`.
    pub fn union(self, other: DayMinutes) -> DayMinutes {
        let mut out = self;
        out.0.iter_mut().zip(other.0).for_each(|(w, o)| *w |= o);
        out
    }

    /// The minutes open in both `self` and `other`.
    pub fn intersection(self, other: DayMinutes) -> DayMinutes {
        let mut out = self;
        out.0.iter_mut().zip(other.0).for_each(|(w, o)| *w &= o);
        out
    }

    /// The minutes open in `self` but not in `other`.
    pub fn difference(self, other: DayMinutes) -> DayMinutes {
        let mut out = self;
        out.0.iter_mut().zip(other.0).for_each(|(w, o)| *w &= !o);
        out
    }

    /// The open minutes as maximal half-open ranges `start..end`, ascending.
    pub fn ranges(&self) -> Vec<(u16, u16)> {
        let mut out = Vec::new();
        let mut start = None;
        for minute in 0..=1440u16 {
            let open = minute < 1440 && self.contains(minute);
            match (open, start) {
                (true, None) => start = Some(minute),
                (false, Some(s)) => {
                    out.push((s, minute));
                    start = None;
                }
                _ => {}
            }
        }
        out
    }

    /// The first open minute, if any.
    pub fn first(&self) -> Option<u16> {
        let (i, w) = self.0.iter().enumerate().find(|(_, w)| **w != 0)?;
        u16::try_from(64 * i as u32 + w.trailing_zeros()).ok()
    }

    /// One past the last open minute (0 when none is open).
    pub fn end(&self) -> u16 {
        let last = self.0.iter().enumerate().rev().find(|(_, w)| **w != 0);
        last.map_or(0, |(i, w)| {
            let bits = 64 * i as u32 + (64 - w.leading_zeros());
            u16::try_from(bits).unwrap_or(1440)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_half_open() {
        let mut day = DayMinutes::default();
        day.open(480, 1140);
        assert!(!day.contains(479));
        assert!(day.contains(480));
        assert!(day.contains(1139));
        assert!(!day.contains(1140));
        day.open(1400, 1440);
        assert!(day.contains(1439));
        assert!(!day.contains(1440));
    }

    #[test]
    fn set_operations_and_ranges() {
        let mut a = DayMinutes::default();
        a.open(60, 120);
        let mut b = DayMinutes::default();
        b.open(100, 200);
        assert_eq!(a.union(b).ranges(), [(60, 200)]);
        assert_eq!(a.intersection(b).ranges(), [(100, 120)]);
        assert_eq!(a.difference(b).ranges(), [(60, 100)]);
        assert_eq!(b.difference(a).first(), Some(120));
        assert_eq!(DayMinutes::full().ranges(), [(0, 1440)]);
        assert_eq!(DayMinutes::default().first(), None);
    }

    #[test]
    fn end_is_one_past_the_last_open_minute() {
        let mut day = DayMinutes::default();
        assert_eq!(day.end(), 0);
        day.open(0, 1);
        assert_eq!(day.end(), 1);
        day.open(60, 64);
        assert_eq!(day.end(), 64);
        day.open(300, 330);
        assert_eq!(day.end(), 330);
        day.open(1430, 1440);
        assert_eq!(day.end(), 1440);
    }
}
