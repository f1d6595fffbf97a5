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
}
