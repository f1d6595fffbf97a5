//! Sets of doors as bitsets.
//!
//! Owns membership, insertion and intersection over door indexes. It knows nothing of
//! what a set stands for (a group, a path, a ceiling).

use crate::model::DoorId;

/// A set of doors, one bit per door of the policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DoorSet {
    words: Box<[u64]>,
}

impl DoorSet {
    /// An empty set able to hold `doors` doors.
    pub fn with_capacity(doors: usize) -> DoorSet {
        DoorSet {
            words: vec![0; doors.div_ceil(64)].into_boxed_slice(),
        }
    }

    /// A set of the given doors.
    pub fn of(doors: usize, members: impl IntoIterator<Item = DoorId>) -> DoorSet {
        let mut set = DoorSet::with_capacity(doors);
        members.into_iter().for_each(|d| set.insert(d));
        set
    }

    /// Adds a door (ignored if out of capacity).
    pub fn insert(&mut self, door: DoorId) {
        if let Some(word) = self.words.get_mut(door.index() / 64) {
            *word |= 1 << (door.index() % 64);
        }
    }

    /// Whether the set holds `door`.
    #[inline]
    pub fn contains(&self, door: DoorId) -> bool {
        self.words
            .get(door.index() / 64)
            .is_some_and(|word| word & (1 << (door.index() % 64)) != 0)
    }

    /// Keeps only the doors also in `other`.
    pub fn intersect_with(&mut self, other: &DoorSet) {
        for (i, word) in self.words.iter_mut().enumerate() {
            *word &= other.words.get(i).copied().unwrap_or(0);
        }
    }

    /// Adds every door of `other`.
    pub fn union_with(&mut self, other: &DoorSet) {
        for (word, theirs) in self.words.iter_mut().zip(other.words.iter()) {
            *word |= theirs;
        }
    }

    /// The doors in the set, ascending.
    pub fn iter(&self) -> impl Iterator<Item = DoorId> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &word)| {
            (0..64)
                .filter(move |bit| word & (1 << bit) != 0)
                .map(move |bit| DoorId(u32::try_from(i * 64 + bit).unwrap_or(u32::MAX)))
        })
    }

    /// Heap bytes held.
    pub fn heap_size(&self) -> usize {
        self.words.len() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_contains_intersect() {
        let mut a = DoorSet::of(130, [DoorId(0), DoorId(64), DoorId(129)]);
        assert!(a.contains(DoorId(64)));
        assert!(!a.contains(DoorId(63)));
        assert!(!a.contains(DoorId(500)));
        a.intersect_with(&DoorSet::of(130, [DoorId(64), DoorId(5)]));
        assert_eq!(a.iter().collect::<Vec<_>>(), [DoorId(64)]);
        a.union_with(&DoorSet::of(130, [DoorId(5)]));
        assert_eq!(a.iter().collect::<Vec<_>>(), [DoorId(5), DoorId(64)]);
    }
}
