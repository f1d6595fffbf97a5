//! A set of doors as a bitset over door ids.
//!
//! Owns fast membership for the checks that compare many doors against a few sets
//! (ceilings, reachable doors): one bit per door of the policy, so a membership test
//! is one shift and one mask. It must never know what the doors mean.

use crate::model::DoorId;

/// A set of doors of one policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct DoorSet {
    words: Vec<u64>,
}

impl DoorSet {
    /// An empty set able to hold doors `0..doors` without growing.
    pub fn with_doors(doors: usize) -> DoorSet {
        DoorSet {
            words: vec![0; doors.div_ceil(64)],
        }
    }

    /// Adds `door`.
    pub fn insert(&mut self, door: DoorId) {
        let (word, bit) = split(door);
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        if let Some(w) = self.words.get_mut(word) {
            *w |= bit;
        }
    }

    /// Whether `door` is in the set.
    pub fn contains(&self, door: DoorId) -> bool {
        let (word, bit) = split(door);
        self.words.get(word).is_some_and(|w| w & bit != 0)
    }
}

impl FromIterator<DoorId> for DoorSet {
    fn from_iter<I: IntoIterator<Item = DoorId>>(doors: I) -> DoorSet {
        let mut set = DoorSet::default();
        for door in doors {
            set.insert(door);
        }
        set
    }
}

fn split(door: DoorId) -> (usize, u64) {
    (door.index() / 64, 1u64 << (door.0 % 64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_what_was_inserted() {
        let mut set = DoorSet::with_doors(10);
        set.insert(DoorId(3));
        set.insert(DoorId(200));
        assert!(set.contains(DoorId(3)));
        assert!(set.contains(DoorId(200)));
        assert!(!set.contains(DoorId(4)));
        assert!(!set.contains(DoorId(100_000)));
        let collected: DoorSet = [DoorId(1), DoorId(64)].into_iter().collect();
        assert!(collected.contains(DoorId(64)) && !collected.contains(DoorId(0)));
    }
}
