//! The digits of an offline code: the table of window classes, the window field, the
//! check part and the Damm check digit.
//!
//! Owns the arithmetic between a [`CodeWindow`](super::CodeWindow) and the ten digits
//! that carry it, and nothing else: it computes no key material itself (the check
//! part is cut from a tag the caller computes) and keeps no state.

/// Seconds in an hour.
pub(super) const HOUR: i64 = 3_600;
/// Seconds in a day.
pub(super) const DAY: i64 = 86_400;

/// Digits of a code.
pub const CODE_LENGTH: usize = 10;
/// Digits of the window field (digits 1–4).
pub const FIELD_DIGITS: usize = 4;
/// Digits of the check part (digits 5–9).
pub const CHECK_DIGITS: usize = 5;

/// One kind of window: its use, its length, the unit its start is rounded to, how
/// many starts (residues) and variants its share of the window field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Class {
    /// One entry, or any number within the window.
    pub once: bool,
    /// Length of the window, in hours.
    pub hours: u32,
    /// The start is a whole number of these seconds since the epoch (UTC).
    pub unit: i64,
    /// Starts are carried modulo this many units.
    pub residues: u16,
    /// Distinct codes for the same window.
    pub variants: u8,
}

const fn class(once: bool, hours: u32, unit: i64, residues: u16, variants: u8) -> Class {
    Class {
        once,
        hours,
        unit,
        residues,
        variants,
    }
}

/// The classes, in the order of their ranges in the window field.
pub(super) const CLASSES: [Class; 23] = [
    class(true, 1, HOUR, 72, 4),
    class(true, 2, HOUR, 72, 4),
    class(true, 4, HOUR, 72, 4),
    class(true, 8, HOUR, 72, 4),
    class(true, 12, HOUR, 72, 4),
    class(true, 24, HOUR, 72, 4),
    class(false, 1, HOUR, 72, 2),
    class(false, 2, HOUR, 72, 2),
    class(false, 3, HOUR, 72, 2),
    class(false, 4, HOUR, 72, 2),
    class(false, 6, HOUR, 72, 2),
    class(false, 8, HOUR, 72, 2),
    class(false, 12, HOUR, 72, 2),
    class(false, 24, HOUR, 72, 2),
    class(false, 48, HOUR, 240, 1),
    class(false, 72, HOUR, 240, 1),
    class(false, 120, HOUR, 240, 1),
    class(false, 7 * 24, HOUR, 1344, 1),
    class(false, 14 * 24, HOUR, 1344, 1),
    class(false, 28 * 24, HOUR, 1344, 1),
    class(false, 91 * 24, DAY, 730, 1),
    class(false, 182 * 24, DAY, 730, 1),
    class(false, 365 * 24, DAY, 730, 1),
];

/// First value of the window field past every class: `RESERVED..=9999` are unused.
pub(super) const RESERVED: u16 = field_end();

const fn field_end() -> u16 {
    let mut end = 0u16;
    let mut rest: &[Class] = &CLASSES;
    while let [first, tail @ ..] = rest {
        end += first.size();
        rest = tail;
    }
    end
}

impl Class {
    /// Values of the window field it takes.
    pub const fn size(&self) -> u16 {
        self.residues * self.variants as u16
    }

    /// Length of the window, in seconds.
    pub fn length(&self) -> i64 {
        i64::from(self.hours) * HOUR
    }

    /// The period after which a carried start repeats.
    pub fn period(&self) -> i64 {
        i64::from(self.residues) * self.unit
    }

    /// How long before its start, and after its end, the lock still recognizes a
    /// code of this class as its own (to say "not yet valid" or "expired"):
    /// half of what the period leaves beside the window.
    pub fn margin(&self) -> i64 {
        (self.period() - self.length()) / 2
    }
}

/// The window field's value for `class` (an index into [`CLASSES`]), `variant` and a
/// start that is a whole number of the class's units.
pub(super) fn field(class: usize, variant: u8, start: i64) -> Option<u16> {
    let base: u16 = CLASSES.get(..class)?.iter().map(Class::size).sum();
    let c = CLASSES.get(class)?;
    let residue = u16::try_from(start.div_euclid(c.unit).rem_euclid(i64::from(c.residues))).ok()?;
    Some(base + u16::from(variant) * c.residues + residue)
}

/// The class index, variant and residue a window field stands for; `None` for the
/// reserved values.
pub(super) fn split_field(field: u16) -> Option<(usize, u8, u16)> {
    if field >= RESERVED {
        return None;
    }
    let mut base = 0u16;
    for (i, c) in CLASSES.iter().enumerate() {
        if field < base + c.size() {
            let offset = field - base;
            let variant = u8::try_from(offset / c.residues).ok()?;
            return Some((i, variant, offset % c.residues));
        }
        base += c.size();
    }
    None
}

/// The start carried by `residue` for a code of class `c` entered at `now`: the one
/// start in `[now − length − margin, now + margin)` that leaves `residue`.
pub(super) fn resolve_start(c: &Class, residue: u16, now: i64) -> i64 {
    let lowest = i128::from(now) - i128::from(c.length()) - i128::from(c.margin());
    let first = i128::from(residue) * i128::from(c.unit);
    let period = i128::from(c.period());
    let steps = (lowest - first + period - 1).div_euclid(period);
    let start = first + steps * period;
    i64::try_from(start).unwrap_or(if start < 0 { i64::MIN } else { i64::MAX })
}

/// The check part of a tag: its first eight bytes as a big-endian number, modulo
/// `10^digits`, written with leading zeros into `out` (`digits` = `out.len()`).
pub(super) fn check_part(tag: &[u8], out: &mut [u8]) {
    let mut head = [0u8; 8];
    head.iter_mut().zip(tag).for_each(|(h, t)| *h = *t);
    let mut value = u64::from_be_bytes(head);
    for digit in out.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// The Damm quasigroup of order 10 (totally anti-symmetric, zero diagonal).
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The Damm interim digit after `digits` (ASCII); a number ending in its Damm check
/// digit gives 0.
pub(super) fn damm(digits: &[u8]) -> u8 {
    digits.iter().fold(0u8, |interim, d| {
        let row = DAMM.get(usize::from(interim)).copied().unwrap_or_default();
        row.get(usize::from(d.wrapping_sub(b'0')))
            .copied()
            .unwrap_or(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_classes_fill_the_documented_ranges() {
        assert_eq!(RESERVED, 9822);
        let mut base = 0u16;
        for (i, c) in CLASSES.iter().enumerate() {
            assert_eq!(field(i, 0, 0), Some(base), "class {i}");
            base += c.size();
            assert!(c.margin() > super::super::DRIFT_TOLERANCE, "class {i}");
            assert_eq!(c.period() % c.unit, 0);
            assert!(c.length() % c.unit == 0, "windows are whole units");
        }
        assert_eq!(split_field(9821), Some((22, 0, 729)));
        assert_eq!(split_field(RESERVED), None);
        assert_eq!(split_field(9999), None);
    }

    #[test]
    fn every_field_value_splits_and_joins_back() {
        for value in 0..RESERVED {
            let (class, variant, residue) = split_field(value).unwrap();
            let c = CLASSES[class];
            let start = i64::from(residue) * c.unit;
            assert_eq!(field(class, variant, start), Some(value));
            assert_eq!(field(class, variant, start + 5 * c.period()), Some(value));
        }
    }

    #[test]
    fn the_start_is_resolved_inside_the_recognition_range() {
        let c = CLASSES[0];
        for now in [-10 * DAY, 0, 1, 1_795_426_200, 1_795_426_199] {
            for residue in [0u16, 1, 71] {
                let s = resolve_start(&c, residue, now);
                assert!(s >= now - c.length() - c.margin() && s < now + c.margin());
                assert_eq!((s / c.unit).rem_euclid(72), i64::from(residue));
            }
        }
        assert!(resolve_start(&c, 3, i64::MAX) > 0);
        assert!(resolve_start(&c, 3, i64::MIN) < 0);
    }

    #[test]
    fn damm_matches_the_published_example_and_catches_typos() {
        // Damm (2004): 572 gets the check digit 4.
        assert_eq!(damm(b"572"), 4);
        assert_eq!(damm(b"5724"), 0);
        let base = *b"3141592653";
        let check = damm(&base);
        let mut number = base.to_vec();
        number.push(b'0' + check);
        assert_eq!(damm(&number), 0);
        for i in 0..number.len() {
            for d in b'0'..=b'9' {
                let mut typo = number.clone();
                if typo[i] != d {
                    typo[i] = d;
                    assert_ne!(damm(&typo), 0, "substitution at {i}");
                }
            }
            if i + 1 < number.len() && number[i] != number[i + 1] {
                let mut swapped = number.clone();
                swapped.swap(i, i + 1);
                assert_ne!(damm(&swapped), 0, "transposition at {i}");
            }
        }
    }

    #[test]
    fn the_check_part_keeps_leading_zeros() {
        let mut out = [0u8; 5];
        check_part(&[0, 0, 0, 0, 0, 0, 0, 7, 0xff], &mut out);
        assert_eq!(&out, b"00007");
        check_part(&[0xff; 8], &mut out);
        assert_eq!(&out, b"51615"); // 18446744073709551615 mod 10^5
    }
}
