//! Card reads as a reader reports them, turned into the card numbers policies hold.
//!
//! Owns reading an `osdp_RAW` report (Wiegand bits, read with the door's accepted
//! formats) and an `osdp_FMT` report (the card number as decimal characters) into a
//! [`CardRead`]: a policy card number, or why there is none (bad parity, unreadable).
//! It must never decide anything about access, and never guess: a frame no accepted
//! format reads is unreadable, not cut down to fit one.

use accessctl_devices::osdp::{FormattedCard, RawCard};
use accessctl_devices::wiegand::{self, WiegandError};

/// What a card read gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardRead {
    /// A card number a policy may hold.
    Number {
        /// The policy card number.
        number: u64,
        /// How it reads for people: `37:12345` (facility:number), or the number.
        shown: String,
    },
    /// The frame has the length of an accepted format but fails one of its parity
    /// checks: refused and logged as such.
    BadParity {
        /// Which check failed, in words.
        detail: String,
    },
    /// No accepted format reads the frame (or the characters are not a number).
    Unreadable {
        /// Why, in words.
        detail: String,
    },
}

/// Reads an `osdp_RAW` report with the formats the door accepts.
pub fn raw_card(card: &RawCard, accepted: &[wiegand::Format]) -> CardRead {
    let read = card
        .to_wiegand()
        .and_then(|bits| wiegand::detect(&bits, accepted));
    match read {
        Ok(card) => CardRead::Number {
            number: card.policy_number(),
            shown: card.to_string(),
        },
        Err(error @ WiegandError::Parity { .. }) => CardRead::BadParity {
            detail: error.to_string(),
        },
        Err(error) => CardRead::Unreadable {
            detail: error.to_string(),
        },
    }
}

/// Reads an `osdp_FMT` report: its characters are the card number in decimal.
pub fn formatted_card(card: &FormattedCard) -> CardRead {
    let text = String::from_utf8_lossy(&card.characters);
    let digits = text.trim();
    match digits.parse::<u64>() {
        Ok(number) if digits.bytes().all(|b| b.is_ascii_digit()) => CardRead::Number {
            number,
            shown: number.to_string(),
        },
        _ => CardRead::Unreadable {
            detail: format!(
                "a formatted card read of {} characters is not a decimal card number",
                card.characters.len()
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accessctl_devices::wiegand::{formats, WiegandBits};

    fn raw(bits: &str) -> RawCard {
        RawCard::from_wiegand(0, &bits.parse::<WiegandBits>().unwrap())
    }

    #[test]
    fn raw_reads_become_policy_numbers() {
        let read = raw_card(&raw("10000000100000000000000010"), &[formats::H10301]);
        assert_eq!(
            read,
            CardRead::Number {
                number: 65_537,
                shown: "1:1".into()
            }
        );
    }

    #[test]
    fn bad_parity_and_unknown_lengths_are_told_apart() {
        let flipped = raw("10000000100000000000000011");
        assert!(matches!(
            raw_card(&flipped, &[formats::H10301]),
            CardRead::BadParity { .. }
        ));
        let short = raw("1000000010000000000000001");
        assert!(matches!(
            raw_card(&short, &[formats::H10301]),
            CardRead::Unreadable { .. }
        ));
        let as_raw = raw_card(&short, &[formats::H10301, formats::RAW]);
        assert!(matches!(as_raw, CardRead::Number { .. }), "{as_raw:?}");
    }

    #[test]
    fn formatted_reads_are_decimal_numbers() {
        let fmt = |text: &str| FormattedCard {
            reader: 0,
            direction: 0,
            characters: text.as_bytes().to_vec(),
        };
        assert_eq!(
            formatted_card(&fmt("4000123456")),
            CardRead::Number {
                number: 4_000_123_456,
                shown: "4000123456".into()
            }
        );
        for bad in ["", "12a", "+12", "99999999999999999999999"] {
            assert!(
                matches!(formatted_card(&fmt(bad)), CardRead::Unreadable { .. }),
                "{bad}"
            );
        }
    }
}
