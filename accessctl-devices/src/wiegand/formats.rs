//! The catalogue of Wiegand formats.
//!
//! Offsets count from 0 at the first bit transmitted; HID's documents count from 1. In
//! the diagrams, `E` is an even parity bit, `O` an odd one, `F` a facility-code bit, `C`
//! a card-number bit.

use super::format::{Field, Format, Parity, ParityRule};

/// HID H10301, the standard 26-bit format.
///
/// ```text
/// offset  0         1         2
///         01234567890123456789012345
///         EFFFFFFFFCCCCCCCCCCCCCCCCO
/// ```
///
/// - offset 0: even parity over offsets 1–12;
/// - offsets 1–8: facility code, 8 bits (0–255);
/// - offsets 9–24: card number, 16 bits (0–65,535);
/// - offset 25: odd parity over offsets 13–24.
pub const H10301: Format = Format::fixed(
    "h10301",
    "HID H10301 26-bit",
    26,
    &[
        ParityRule::over_range(0, Parity::Even, 1, 12),
        ParityRule::over_range(25, Parity::Odd, 13, 24),
    ],
    Some(Field::new(1, 8)),
    Field::new(9, 16),
);

/// HID H10304, 37 bits with a 16-bit facility code.
///
/// ```text
/// offset  0         1         2         3
///         0123456789012345678901234567890123456
///         EFFFFFFFFFFFFFFFFCCCCCCCCCCCCCCCCCCCO
/// ```
///
/// - offset 0: even parity over offsets 1–18;
/// - offsets 1–16: facility code, 16 bits (0–65,535);
/// - offsets 17–35: card number, 19 bits (0–524,287);
/// - offset 36: odd parity over offsets 18–35.
///
/// The two halves share offset 18 (the third card-number bit): it is covered by both
/// parity bits.
pub const H10304: Format = Format::fixed(
    "h10304",
    "HID H10304 37-bit",
    37,
    &[
        ParityRule::over_range(0, Parity::Even, 1, 18),
        ParityRule::over_range(36, Parity::Odd, 18, 35),
    ],
    Some(Field::new(1, 16)),
    Field::new(17, 19),
);

/// Offsets `first..=last` except those whose remainder modulo 3 is `skip`.
const fn two_of_three(first: u8, last: u8, skip: u8) -> u128 {
    let mut covers = 0u128;
    let mut at = first;
    while at <= last {
        if at % 3 != skip {
            covers |= 1u128 << at;
        }
        at += 1;
    }
    covers
}

/// HID Corporate 1000, 35 bits: a 12-bit company id and a 20-bit card number.
///
/// ```text
/// offset  0         1         2         3
///         01234567890123456789012345678901234
///         OEFFFFFFFFFFFFCCCCCCCCCCCCCCCCCCCCO
/// ```
///
/// - offset 0: odd parity over offsets 1–34 (the whole frame holds an odd number of
///   ones);
/// - offset 1: even parity over offsets 2, 3, 5, 6, 8, 9, … 32, 33 — two bits of every
///   three from offset 2 to 33, skipping 4, 7, 10, … 31;
/// - offsets 2–13: company id (the facility code here), 12 bits (0–4,095);
/// - offsets 14–33: card number, 20 bits (0–1,048,575);
/// - offset 34: odd parity over offsets 1, 2, 4, 5, 7, 8, … 31, 32 — two bits of every
///   three from offset 1 to 32, skipping 3, 6, 9, … 30. It covers the parity bit at
///   offset 1.
///
/// In HID's numbering from 1: bit 1 is odd parity over bits 1–35, bit 2 even parity over
/// bits 3–4, 6–7, … 33–34, bit 35 odd parity over bits 2–3, 5–6, … 32–33. An encoder
/// computes offset 1, then 34, then 0 — the order of [`Format::parity_rules`].
pub const CORPORATE_1000_35: Format = Format::fixed(
    "corp1000-35",
    "HID Corporate 1000 35-bit",
    35,
    &[
        ParityRule::over_mask(1, Parity::Even, two_of_three(2, 33, 1)),
        ParityRule::over_mask(34, Parity::Odd, two_of_three(1, 32, 0)),
        ParityRule::over_range(0, Parity::Odd, 1, 34),
    ],
    Some(Field::new(2, 12)),
    Field::new(14, 20),
);

/// HID H10306, 34 bits with a 16-bit facility code and a 16-bit card number.
///
/// ```text
/// offset  0         1         2         3
///         0123456789012345678901234567890123
///         EFFFFFFFFFFFFFFFFCCCCCCCCCCCCCCCCO
/// ```
///
/// - offset 0: even parity over offsets 1–16 (the facility code);
/// - offsets 1–16: facility code, 16 bits (0–65,535);
/// - offsets 17–32: card number, 16 bits (0–65,535);
/// - offset 33: odd parity over offsets 17–32 (the card number).
pub const H10306: Format = Format::fixed(
    "h10306",
    "HID H10306 34-bit",
    34,
    &[
        ParityRule::over_range(0, Parity::Even, 1, 16),
        ParityRule::over_range(33, Parity::Odd, 17, 32),
    ],
    Some(Field::new(1, 16)),
    Field::new(17, 16),
);

/// Raw: any length, no parity, no facility code; the whole frame, read as an unsigned
/// integer with the first bit most significant, is the card number.
///
/// Frames of up to 64 bits decode; longer ones are refused. [`encode`](super::encode)
/// writes the shortest frame that holds the number (one bit for 0); to present a number
/// at a chosen length, use [`WiegandBits::from_value`](super::WiegandBits::from_value).
pub const RAW: Format = Format::raw("raw", "raw bits, no parity");

/// Every format of the catalogue, fixed-length formats first.
pub const ALL: &[Format] = &[H10301, H10304, CORPORATE_1000_35, H10306, RAW];

/// The names of every format, comma-separated, for messages.
pub(crate) fn names() -> String {
    ALL.iter()
        .map(|format| format.name())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every offset set in a mask.
    fn offsets(mask: u128) -> Vec<usize> {
        (0..128).filter(|&i| mask >> i & 1 == 1).collect()
    }

    #[test]
    fn corporate_1000_masks_match_hid_numbering() {
        let [even, odd_tail, odd_all] = CORPORATE_1000_35.parity_rules() else {
            panic!("three rules");
        };
        // HID bit 2: even over 3-4, 6-7, ..., 33-34 (numbered from 1).
        let hid_even: Vec<usize> = (1..=11)
            .flat_map(|k| [3 * k, 3 * k + 1])
            .map(|hid| hid - 1)
            .collect();
        assert_eq!(even.offset(), 1);
        assert_eq!(even.kind(), Parity::Even);
        assert_eq!(offsets(even.covers_mask()), hid_even);
        // HID bit 35: odd over 2-3, 5-6, ..., 32-33.
        let hid_odd: Vec<usize> = (0..=10)
            .flat_map(|k| [3 * k + 2, 3 * k + 3])
            .map(|hid| hid - 1)
            .collect();
        assert_eq!(odd_tail.offset(), 34);
        assert_eq!(odd_tail.kind(), Parity::Odd);
        assert_eq!(offsets(odd_tail.covers_mask()), hid_odd);
        assert_eq!(hid_even.len(), 22);
        assert_eq!(hid_odd.len(), 22);
        assert_eq!(odd_all.offset(), 0);
        assert_eq!(
            odd_all.covered().collect::<Vec<_>>(),
            (1..=34).collect::<Vec<_>>()
        );
    }

    /// The catalogue is well formed: fields and parity bits inside the frame and
    /// disjoint, every data bit in a field, each rule covering only bits set before it,
    /// facility and card fields together at most 64 bits wide.
    #[test]
    fn catalogue_is_well_formed() {
        for format in ALL {
            assert!(Format::by_name(format.name()) == Some(*format));
            assert_eq!(format.name(), format.name().to_ascii_lowercase());
            let Some(len) = format.bit_len() else {
                assert!(format.is_raw());
                continue;
            };
            // Which offsets are taken, and which are final before each parity rule.
            let mut taken = vec![false; len];
            let fields = format
                .facility_field()
                .into_iter()
                .chain(format.card_field());
            let mut data_width = 0;
            for field in fields {
                data_width += field.width();
                let bits = taken.iter_mut().skip(field.offset()).take(field.width());
                assert_eq!(bits.len(), field.width(), "{format}: field past the end");
                for bit in bits {
                    assert!(!*bit, "{format}: fields overlap");
                    *bit = true;
                }
            }
            assert!(data_width <= 64, "{format}: fields wider than 64 bits");
            for rule in format.parity_rules() {
                for covered in rule.covered() {
                    assert!(
                        taken[covered],
                        "{format}: rule at {} covers {covered} before it is final",
                        rule.offset()
                    );
                }
                assert!(!taken[rule.offset()], "{format}: parity bit taken twice");
                taken[rule.offset()] = true;
            }
            assert!(taken.iter().all(|&bit| bit), "{format}: unused bits");
        }
    }
}
