//! Reading cards out of frames and writing them back.

use super::bits::WiegandBits;
use super::card::{check_fit, Card};
use super::format::{Format, Parity, ParityRule};
use super::WiegandError;

/// Reads `bits` as a card of `format`.
///
/// Checks the frame's length and every parity bit, then reads the facility code and
/// card number. Any frame of the format's length either decodes or fails a parity check;
/// nothing panics.
///
/// ```
/// use accessctl_devices::wiegand::{decode, formats, Parity, WiegandBits, WiegandError};
///
/// let bits: WiegandBits = "1_00000001_0000000000000001_0".parse()?;
/// let card = decode(&bits, &formats::H10301)?;
/// assert_eq!((card.facility(), card.number()), (Some(1), 1));
///
/// let glitch = bits.flipped(5).unwrap();
/// assert_eq!(
///     decode(&glitch, &formats::H10301),
///     Err(WiegandError::Parity { format: "h10301", check: 1, offset: 0, kind: Parity::Even })
/// );
/// # Ok::<(), WiegandError>(())
/// ```
pub fn decode(bits: &WiegandBits, format: &Format) -> Result<Card, WiegandError> {
    let Some(expected) = format.bit_len() else {
        if bits.len() > 64 {
            return Err(WiegandError::RawTooLong { bits: bits.len() });
        }
        let number = u64::try_from(bits.value())
            .map_err(|_| WiegandError::RawTooLong { bits: bits.len() })?;
        return Card::new(*format, None, number);
    };
    if bits.len() != expected {
        return Err(WiegandError::WrongLength {
            format: format.name(),
            expected,
            got: bits.len(),
        });
    }
    for (index, rule) in format.parity_rules().iter().enumerate() {
        if Some(parity_bit(bits, rule)) != bits.get(rule.offset()) {
            return Err(WiegandError::Parity {
                format: format.name(),
                check: index + 1,
                offset: rule.offset(),
                kind: rule.kind(),
            });
        }
    }
    let facility = format.facility_field().map(|field| {
        let value = bits.field(field.offset(), field.width());
        // A facility field wider than 32 bits would be refused by `Card::new`.
        u32::try_from(value).unwrap_or(u32::MAX)
    });
    let number = format
        .card_field()
        .map_or(0, |field| bits.field(field.offset(), field.width()));
    Card::new(*format, facility, number)
}

/// The value the parity bit of `rule` must have, given the bits it covers.
fn parity_bit(bits: &WiegandBits, rule: &ParityRule) -> bool {
    let ones = (bits.value() & bits.value_mask(rule.covers_mask())).count_ones();
    let odd = ones % 2 == 1;
    match rule.kind() {
        Parity::Even => odd,
        Parity::Odd => !odd,
    }
}

/// Writes `card`'s facility code and number into a frame of `format`, setting every
/// parity bit.
///
/// `format` may differ from the card's own format — re-encoding a 26-bit card as 37 bits
/// keeps its facility code and number — so the fields are checked against `format`:
/// errors when a value does not fit, a facility code is missing, or one is given to a
/// format without a facility field. For the raw format the frame is the shortest that
/// holds the number (one bit for 0); see [`formats::RAW`](super::formats::RAW).
///
/// ```
/// use accessctl_devices::wiegand::{decode, encode, formats, Card};
///
/// let card = Card::new(formats::H10301, Some(1), 1)?;
/// let bits = encode(&card, &formats::H10301)?;
/// assert_eq!(bits.to_string(), "10000000100000000000000010");
/// assert_eq!(decode(&bits, &formats::H10301)?, card);
/// assert!(encode(&Card::new(formats::H10306, Some(300), 1)?, &formats::H10301).is_err());
/// # Ok::<(), accessctl_devices::wiegand::WiegandError>(())
/// ```
pub fn encode(card: &Card, format: &Format) -> Result<WiegandBits, WiegandError> {
    check_fit(format, card.facility(), card.number())?;
    let Some(len) = format.bit_len() else {
        let len = (64 - card.number().leading_zeros() as usize).max(1);
        return WiegandBits::from_value(u128::from(card.number()), len);
    };
    let mut bits = WiegandBits::from_value(0, len)?;
    if let (Some(field), Some(facility)) = (format.facility_field(), card.facility()) {
        bits.set_field(field.offset(), field.width(), u64::from(facility));
    }
    if let Some(field) = format.card_field() {
        bits.set_field(field.offset(), field.width(), card.number());
    }
    for rule in format.parity_rules() {
        let bit = parity_bit(&bits, rule);
        bits.set(rule.offset(), bit);
    }
    Ok(bits)
}

/// Reads `bits` with the format a site accepts for its length.
///
/// The choice is by exact length: the fixed-length formats of `accepted` whose length
/// is the frame's are tried in order and the first whose parity holds wins; if one or
/// more match the length but none decodes, the first one's error is returned. Only when
/// no fixed-length accepted format has the frame's length is [`formats::RAW`]
/// (if accepted) used. A frame is never truncated or padded to fit another length: a
/// 34-bit frame is never read as 26 bits.
///
/// ```
/// use accessctl_devices::wiegand::{detect, encode, formats, Card, WiegandError};
///
/// let site = [formats::H10301, formats::H10306];
/// let card = Card::new(formats::H10306, Some(1000), 4242)?;
/// let bits = encode(&card, &formats::H10306)?;
/// assert_eq!(detect(&bits, &site)?, card);
/// assert_eq!(
///     detect(&bits, &[formats::H10301]),
///     Err(WiegandError::NoFormat { bits: 34 })
/// );
/// # Ok::<(), WiegandError>(())
/// ```
///
/// [`formats::RAW`]: super::formats::RAW
pub fn detect(bits: &WiegandBits, accepted: &[Format]) -> Result<Card, WiegandError> {
    let mut first_error = None;
    for format in accepted.iter().filter(|f| f.bit_len() == Some(bits.len())) {
        match decode(bits, format) {
            Ok(card) => return Ok(card),
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    if let Some(error) = first_error {
        return Err(error);
    }
    match accepted.iter().find(|f| f.is_raw()) {
        Some(raw) => decode(bits, raw),
        None => Err(WiegandError::NoFormat { bits: bits.len() }),
    }
}

#[cfg(test)]
mod tests {
    use super::super::formats::{ALL, CORPORATE_1000_35, H10301, H10304, H10306, RAW};
    use super::*;

    fn bits(text: &str) -> WiegandBits {
        text.parse().unwrap()
    }

    fn card(format: Format, facility: u32, number: u64) -> Card {
        Card::new(format, Some(facility), number).unwrap()
    }

    /// An independent reading of a published layout, numbered from 1 as HID numbers
    /// bits: whether the ones at the given 1-based positions, plus the parity bit, make
    /// the parity given.
    fn holds(frame: &str, parity_at: usize, over: &[usize], even: bool) -> bool {
        let bit = |pos: usize| frame.as_bytes()[pos - 1] == b'1';
        let ones = over.iter().filter(|&&p| bit(p)).count() + usize::from(bit(parity_at));
        (ones % 2 == 0) == even
    }

    /// H10301 vectors computed by hand.
    ///
    /// facility 1, card 1: data `00000001 0000000000000001`; the first 12 data bits
    /// `000000010000` hold one 1, so the even parity bit is 1; the last 12
    /// `000000000001` hold one 1, already odd, so the odd parity bit is 0.
    ///
    /// facility 255, card 65535: all 24 data bits are 1; each half holds twelve ones,
    /// so even parity is 0 and odd parity is 1.
    ///
    /// facility 123 (`01111011`), card 4567 (`0001000111010111`): first half
    /// `011110110001` holds seven ones → even parity 1; second half `000111010111` holds
    /// seven ones → odd parity 0.
    #[test]
    fn h10301_vectors() {
        let vectors = [
            ("10000000100000000000000010", 1, 1),
            ("01111111111111111111111111", 255, 65_535),
            ("00000000000000000000000001", 0, 0),
            ("10111101100010001110101110", 123, 4_567),
        ];
        for (frame, facility, number) in vectors {
            let expected = card(H10301, facility, number);
            assert_eq!(decode(&bits(frame), &H10301), Ok(expected), "{frame}");
            assert_eq!(encode(&expected, &H10301).unwrap().to_string(), frame);
            assert!(holds(frame, 1, &(2..=13).collect::<Vec<_>>(), true));
            assert!(holds(frame, 26, &(14..=25).collect::<Vec<_>>(), false));
        }
        assert_eq!(
            "10111101100010001110101110"
                .parse::<WiegandBits>()
                .unwrap()
                .to_bytes(),
            [0b1011_1101, 0b1000_1000, 0b1110_1011, 0b1000_0000]
        );
    }

    /// H10306, facility 1, card 1: the 16 facility bits hold one 1 → even parity 1;
    /// the 16 card bits hold one 1 → odd parity 0. Facility 0xffff, card 0: sixteen
    /// ones → even 0; no ones → odd 1.
    #[test]
    fn h10306_vectors() {
        let vectors = [
            ("1000000000000000100000000000000010", 1, 1),
            ("0111111111111111100000000000000001", 65_535, 0),
        ];
        for (frame, facility, number) in vectors {
            let expected = card(H10306, facility, number);
            assert_eq!(decode(&bits(frame), &H10306), Ok(expected), "{frame}");
            assert_eq!(encode(&expected, &H10306).unwrap().to_string(), frame);
        }
    }

    /// H10304, facility 1, card 1: offsets 1–18 hold the facility's 1 → even parity 1;
    /// offsets 18–35 hold the card's 1 → odd parity 0. Facility 0, card 0x40000 (the
    /// top card bit, offset 17, covered by the first rule only): even 1, odd 1. Card
    /// 0x20000 (offset 18, covered by both): even 1, odd 0.
    #[test]
    fn h10304_vectors() {
        let vectors = [
            ("1000000000000000100000000000000000010", 1, 1),
            ("1000000000000000010000000000000000001", 0, 0x40000),
            ("1000000000000000001000000000000000000", 0, 0x20000),
        ];
        for (frame, facility, number) in vectors {
            let expected = card(H10304, facility, number);
            assert_eq!(decode(&bits(frame), &H10304), Ok(expected), "{frame}");
            assert_eq!(encode(&expected, &H10304).unwrap().to_string(), frame);
            assert!(holds(frame, 1, &(2..=19).collect::<Vec<_>>(), true));
            assert!(holds(frame, 37, &(19..=36).collect::<Vec<_>>(), false));
        }
    }

    /// Corporate 1000, checked against HID's 1-based description by an independent
    /// reading.
    ///
    /// Company 1, card 1, by hand: company `000000000001` puts a 1 at HID bit 14, card
    /// `00000000000000000001` a 1 at HID bit 34. Bit 2 (even over 3-4, 6-7, … 33-34)
    /// sees bits 34 (in 33-34) and not 14 (14 ≡ 2 mod 3 is skipped): one 1 → bit 2 = 1.
    /// Bit 35 (odd over 2-3, 5-6, … 32-33) sees bit 2 and bit 14 (in 14-15), not 34:
    /// two ones → bit 35 = 1. Bit 1 (odd over all): bits 2, 14, 34, 35 are four ones →
    /// bit 1 = 1.
    #[test]
    fn corporate_1000_vectors() {
        let frame = "11000000000001000000000000000000011";
        let expected = card(CORPORATE_1000_35, 1, 1);
        assert_eq!(decode(&bits(frame), &CORPORATE_1000_35), Ok(expected));
        assert_eq!(
            encode(&expected, &CORPORATE_1000_35).unwrap().to_string(),
            frame
        );

        let hid_even: Vec<usize> = (1..=11).flat_map(|k| [3 * k, 3 * k + 1]).collect();
        let hid_odd: Vec<usize> = (0..=10).flat_map(|k| [3 * k + 2, 3 * k + 3]).collect();
        let all: Vec<usize> = (2..=35).collect();
        for (company, number) in [
            (1, 1),
            (0, 0),
            (4095, 1_048_575),
            (1234, 567_890),
            (2730, 699_050),
        ] {
            let card = card(CORPORATE_1000_35, company, number);
            let frame = encode(&card, &CORPORATE_1000_35).unwrap().to_string();
            assert!(holds(&frame, 2, &hid_even, true), "{frame}");
            assert!(holds(&frame, 35, &hid_odd, false), "{frame}");
            assert!(holds(&frame, 1, &all, false), "{frame}");
            assert_eq!(&frame[2..14], format!("{company:012b}"));
            assert_eq!(&frame[14..34], format!("{number:020b}"));
        }
    }

    #[test]
    fn parity_errors_name_the_bit() {
        // H10301 1:1 with its trailing odd parity bit flipped.
        assert_eq!(
            decode(&bits("10000000100000000000000011"), &H10301),
            Err(WiegandError::Parity {
                format: "h10301",
                check: 2,
                offset: 25,
                kind: Parity::Odd
            })
        );
        let error = decode(&bits("10000000100000000000000011"), &H10301).unwrap_err();
        assert_eq!(
            error.to_string(),
            "parity check 2 of format `h10301` fails: the odd parity bit at offset 25 does not match"
        );
    }

    #[test]
    fn wrong_length() {
        assert_eq!(
            decode(&bits("1000000000000000100000000000000010"), &H10301),
            Err(WiegandError::WrongLength {
                format: "h10301",
                expected: 26,
                got: 34
            })
        );
    }

    #[test]
    fn raw_reads_the_whole_frame() {
        let card = decode(&bits("0000101"), &RAW).unwrap();
        assert_eq!((card.facility(), card.number()), (None, 5));
        assert_eq!(encode(&card, &RAW).unwrap().to_string(), "101");
        let zero = Card::new(RAW, None, 0).unwrap();
        assert_eq!(encode(&zero, &RAW).unwrap().to_string(), "0");
        let max = Card::new(RAW, None, u64::MAX).unwrap();
        assert_eq!(encode(&max, &RAW).unwrap().len(), 64);
        assert_eq!(decode(&bits(&"1".repeat(64)), &RAW), Ok(max));
        assert_eq!(
            decode(&bits(&"0".repeat(65)), &RAW),
            Err(WiegandError::RawTooLong { bits: 65 })
        );
    }

    #[test]
    fn encode_into_another_format() {
        let small = card(H10301, 37, 12_345);
        let wide = encode(&small, &H10304).unwrap();
        assert_eq!(decode(&wide, &H10304), Ok(card(H10304, 37, 12_345)));
        assert_eq!(
            encode(&small, &RAW),
            Err(WiegandError::UnexpectedFacility {
                format: "raw",
                facility: 37
            })
        );
        let raw = Card::new(RAW, None, 5).unwrap();
        assert_eq!(
            encode(&raw, &H10301),
            Err(WiegandError::MissingFacility { format: "h10301" })
        );
    }

    #[test]
    fn detect_by_exact_length() {
        let site = [H10301, H10306, H10304, CORPORATE_1000_35];
        for format in [H10301, H10306, H10304, CORPORATE_1000_35] {
            let expected = card(format, 3, 7);
            let frame = encode(&expected, &format).unwrap();
            assert_eq!(detect(&frame, &site), Ok(expected));
            assert_eq!(detect(&frame, ALL), Ok(expected));
        }
        // A 34-bit frame at a 26-bit-only site is refused, never truncated.
        let long = encode(&card(H10306, 1, 1), &H10306).unwrap();
        assert_eq!(
            detect(&long, &[H10301]),
            Err(WiegandError::NoFormat { bits: 34 })
        );
        // With raw accepted, it is read whole, as raw, not as 26 bits.
        let raw = detect(&long, &[H10301, RAW]).unwrap();
        assert_eq!(raw.format(), RAW);
        assert_eq!(u128::from(raw.number()), long.value());
        // A corrupted 26-bit frame is refused even when raw is accepted.
        let glitch = encode(&card(H10301, 1, 1), &H10301)
            .unwrap()
            .flipped(3)
            .unwrap();
        assert!(matches!(
            detect(&glitch, &[H10301, RAW]),
            Err(WiegandError::Parity { .. })
        ));
        assert_eq!(
            detect(&bits("101"), &[]),
            Err(WiegandError::NoFormat { bits: 3 })
        );
    }
}
