//! The unknown cards a journal saw: each card number nobody holds that was presented,
//! where, first and last when, and how often (Welcomr's badge enrolment, option 2:
//! present the badge at a reader, then pick its number out of the history).
//!
//! Owns the summary of a window's `unknown_card` events. It reads nothing itself (the
//! caller queries the store) and must never show anything but a card's number: the
//! journal keeps no other credential.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Entry, EventKind};

/// One card number nobody holds, as the journal saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownCard {
    /// The card number, as stored.
    pub card: String,
    /// The doors it was presented at, by name, sorted.
    pub doors: Vec<String>,
    /// The first time it was seen (Unix seconds).
    pub first_seen: i64,
    /// The last time it was seen (Unix seconds).
    pub last_seen: i64,
    /// How many times it was presented.
    pub count: u64,
}

/// The unknown cards of `entries` (other events are ignored), the most recently seen
/// first; cards last seen at the same instant by number.
pub fn unknown_cards(entries: &[Entry]) -> Vec<UnknownCard> {
    let mut cards: BTreeMap<&str, (BTreeSet<&str>, i64, i64, u64)> = BTreeMap::new();
    for entry in entries {
        let event = &entry.event;
        let (EventKind::UnknownCard, Some(card)) = (event.kind, event.card.as_deref()) else {
            continue;
        };
        let seen = cards
            .entry(card)
            .or_insert((BTreeSet::new(), event.at, event.at, 0));
        seen.0.insert(event.door.as_str());
        seen.1 = seen.1.min(event.at);
        seen.2 = seen.2.max(event.at);
        seen.3 = seen.3.saturating_add(1);
    }
    let mut found: Vec<UnknownCard> = cards
        .into_iter()
        .map(
            |(card, (doors, first_seen, last_seen, count))| UnknownCard {
                card: card.to_owned(),
                doors: doors.into_iter().map(str::to_owned).collect(),
                first_seen,
                last_seen,
                count,
            },
        )
        .collect();
    found.sort_by(|a, b| {
        b.last_seen
            .cmp(&a.last_seen)
            .then_with(|| a.card.cmp(&b.card))
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Event;

    fn unknown(id: i64, at: i64, door: &str, card: &str) -> Entry {
        Entry {
            id,
            controller: "c".into(),
            event: Event {
                card: Some(card.to_owned()),
                ..Event::new(at, "hq", door, EventKind::UnknownCard)
            },
        }
    }

    #[test]
    fn cards_are_summed_up_most_recently_seen_first() {
        let opened = Entry {
            id: 9,
            controller: "c".into(),
            event: Event::new(50, "hq", "main", EventKind::Opened),
        };
        let entries = [
            unknown(1, 10, "main", "42"),
            unknown(2, 20, "side", "7"),
            unknown(3, 30, "side", "42"),
            unknown(4, 20, "main", "8"),
            opened,
        ];
        let found = unknown_cards(&entries);
        let summary: Vec<_> = found
            .iter()
            .map(|c| {
                (
                    c.card.as_str(),
                    c.doors.join("+"),
                    c.first_seen,
                    c.last_seen,
                    c.count,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("42", "main+side".to_owned(), 10, 30, 2),
                ("7", "side".to_owned(), 20, 20, 1),
                ("8", "main".to_owned(), 20, 20, 1),
            ]
        );
        assert!(unknown_cards(&[]).is_empty());
    }
}
