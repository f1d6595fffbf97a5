//! Properties of the Wiegand formats, through the public API only.
//!
//! Which single-bit-error property holds, per format:
//!
//! | format | one flipped bit |
//! |---|---|
//! | h10301, h10304, h10306 | always a parity error: every bit is a parity bit or covered by one |
//! | corp1000-35 | always a parity error: the bit at offset 0 covers the whole frame |
//! | raw | always a different card: no parity, every bit is part of the number |

use accessctl_devices::wiegand::{
    decode, detect, encode, formats, Card, Format, WiegandBits, WiegandError, MAX_BITS,
};
use proptest::prelude::*;

/// The fixed-length formats.
fn fixed() -> impl Iterator<Item = Format> {
    formats::ALL.iter().copied().filter(|f| !f.is_raw())
}

/// Any format of the catalogue.
fn any_format() -> impl Strategy<Value = Format> {
    proptest::sample::select(formats::ALL.to_vec())
}

/// A card that fits `format`.
fn card_of(format: Format) -> BoxedStrategy<Card> {
    let number_max = format.card_field().map_or(u64::MAX, |f| f.max());
    match format.facility_field() {
        Some(field) => (0..=field.max(), 0..=number_max)
            .prop_map(move |(facility, number)| {
                let facility = u32::try_from(facility).unwrap();
                Card::new(format, Some(facility), number).unwrap()
            })
            .boxed(),
        None => (0..=number_max)
            .prop_map(move |number| Card::new(format, None, number).unwrap())
            .boxed(),
    }
}

/// Any card of any catalogued format.
fn any_card() -> impl Strategy<Value = Card> {
    any_format().prop_flat_map(card_of)
}

/// Any frame of exactly `len` bits.
fn frame_of(len: usize) -> impl Strategy<Value = WiegandBits> {
    any::<u128>().prop_map(move |value| {
        let masked = if len == 128 {
            value
        } else {
            value & ((1 << len) - 1)
        };
        WiegandBits::from_value(masked, len).unwrap()
    })
}

/// Any frame, 1 to 128 bits.
fn any_frame() -> impl Strategy<Value = WiegandBits> {
    (1..=MAX_BITS).prop_flat_map(frame_of)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// `decode(encode(card)) == card`, for every format.
    #[test]
    fn decode_inverts_encode(card in any_card()) {
        let bits = encode(&card, &card.format()).unwrap();
        prop_assert!(card.format().accepts_len(bits.len()));
        prop_assert_eq!(decode(&bits, &card.format()), Ok(card));
        prop_assert_eq!(detect(&bits, &[card.format()]), Ok(card));
    }

    /// For fixed-length formats, `encode(decode(bits)) == bits` whenever `bits` decodes.
    #[test]
    fn encode_inverts_decode(bits in prop_oneof![any_frame(), frame_of(26), frame_of(34), frame_of(35), frame_of(37)]) {
        for format in fixed() {
            if let Ok(card) = decode(&bits, &format) {
                prop_assert_eq!(encode(&card, &format), Ok(bits));
            }
        }
    }

    /// A frame of a format's length decodes or fails a parity check, and nothing else;
    /// a frame of another length is refused for its length.
    #[test]
    fn right_length_decodes_or_fails_parity(bits in prop_oneof![any_frame(), frame_of(26), frame_of(34), frame_of(35), frame_of(37)]) {
        for format in fixed() {
            let result = decode(&bits, &format);
            if format.bit_len() == Some(bits.len()) {
                prop_assert!(
                    matches!(result, Ok(_) | Err(WiegandError::Parity { .. })),
                    "{format}: {result:?}"
                );
            } else {
                prop_assert!(matches!(result, Err(WiegandError::WrongLength { .. })), "{result:?}");
            }
        }
        match decode(&bits, &formats::RAW) {
            Ok(card) => {
                prop_assert!(bits.len() <= 64);
                prop_assert_eq!(u128::from(card.number()), bits.value());
            }
            Err(error) => {
                prop_assert!(bits.len() > 64);
                prop_assert_eq!(error, WiegandError::RawTooLong { bits: bits.len() });
            }
        }
    }

    /// Flipping any one bit of a valid frame: a parity error for every format with
    /// parity, a different card for raw.
    #[test]
    fn single_bit_flips_are_caught(card in any_card()) {
        let format = card.format();
        let bits = encode(&card, &format).unwrap();
        for offset in 0..bits.len() {
            let glitch = bits.flipped(offset).unwrap();
            let result = decode(&glitch, &format);
            if format.is_raw() {
                let other = result.unwrap();
                prop_assert_ne!(other, card);
            } else {
                prop_assert!(
                    matches!(result, Err(WiegandError::Parity { .. })),
                    "{format} offset {offset}: {result:?}"
                );
            }
        }
    }

    /// Detection never reads a frame with a format of another length, and never panics.
    #[test]
    fn detect_respects_length(
        bits in prop_oneof![any_frame(), frame_of(26), frame_of(34), frame_of(35), frame_of(37)],
        accepted in proptest::sample::subsequence(formats::ALL.to_vec(), 0..=formats::ALL.len()),
    ) {
        match detect(&bits, &accepted) {
            Ok(card) => {
                prop_assert!(accepted.contains(&card.format()));
                prop_assert!(card.format().accepts_len(bits.len()));
                if card.format().is_raw() {
                    prop_assert!(accepted.iter().all(|f| f.bit_len() != Some(bits.len())));
                }
            }
            Err(WiegandError::NoFormat { bits: len }) => {
                prop_assert_eq!(len, bits.len());
                prop_assert!(accepted.iter().all(|f| !f.accepts_len(len)));
            }
            Err(WiegandError::Parity { format, .. }) => {
                let format = Format::by_name(format).unwrap();
                prop_assert_eq!(format.bit_len(), Some(bits.len()));
            }
            Err(WiegandError::RawTooLong { bits: len }) => prop_assert!(len > 64),
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
    }

    /// Arbitrary text never makes the bit-string parser panic, and what parses prints
    /// back to the same bits.
    #[test]
    fn any_text_parses_or_errs(text in ".*") {
        if let Ok(bits) = text.parse::<WiegandBits>() {
            let clean: String = text.chars().filter(|&c| c != '_').collect();
            prop_assert_eq!(bits.to_string(), clean);
        }
    }

    /// Text made of bits and separators: an error only for a bad length.
    #[test]
    fn bit_text_round_trips(text in "[01_]{0,140}") {
        let count = text.chars().filter(|&c| c != '_').count();
        match text.parse::<WiegandBits>() {
            Ok(bits) => {
                prop_assert_eq!(bits.len(), count);
                prop_assert_eq!(bits.to_string().parse::<WiegandBits>(), Ok(bits));
            }
            Err(error) => {
                prop_assert!(count == 0 || count > MAX_BITS);
                prop_assert_eq!(error, WiegandError::BitCount { got: count });
            }
        }
    }

    /// Arbitrary bytes and bit counts never make `from_bytes` panic; what it accepts
    /// comes back from `to_bytes` up to padding.
    #[test]
    fn any_bytes_parse_or_err(bytes in proptest::collection::vec(any::<u8>(), 0..20), count in 0usize..200) {
        if let Ok(bits) = WiegandBits::from_bytes(&bytes, count) {
            prop_assert_eq!(bits.len(), count);
            let back = bits.to_bytes();
            prop_assert_eq!(back.len(), bytes.len());
            prop_assert_eq!(WiegandBits::from_bytes(&back, count), Ok(bits));
            for offset in 0..count {
                let byte = bytes[offset / 8];
                prop_assert_eq!(bits.get(offset), Some(byte >> (7 - offset % 8) & 1 == 1));
            }
        }
    }

    /// Cards survive JSON.
    #[test]
    fn cards_round_trip_through_json(card in any_card()) {
        let json = serde_json::to_string(&card).unwrap();
        prop_assert_eq!(serde_json::from_str::<Card>(&json).unwrap(), card);
    }
}

#[test]
fn json_shape() {
    let card = Card::new(formats::H10301, Some(37), 12_345).unwrap();
    assert_eq!(
        serde_json::to_string(&card).unwrap(),
        r#"{"format":"h10301","facility":37,"number":12345}"#
    );
    let raw = Card::new(formats::RAW, None, 5).unwrap();
    assert_eq!(
        serde_json::to_string(&raw).unwrap(),
        r#"{"format":"raw","number":5}"#
    );
    assert_eq!(
        serde_json::from_str::<Card>(r#"{"format":"raw","number":5}"#).unwrap(),
        raw
    );
    assert_eq!(
        serde_json::to_string(&formats::CORPORATE_1000_35).unwrap(),
        r#""corp1000-35""#
    );
    assert_eq!(
        serde_json::from_str::<Format>(r#""H10306""#).unwrap(),
        formats::H10306
    );

    let unknown = serde_json::from_str::<Format>(r#""h99999""#).unwrap_err();
    assert!(
        unknown
            .to_string()
            .starts_with("unknown Wiegand format `h99999`; known formats: h10301, h10304, corp1000-35, h10306, raw"),
        "{unknown}"
    );
    let overflow = serde_json::from_str::<Card>(r#"{"format":"h10301","facility":256,"number":1}"#)
        .unwrap_err();
    assert!(
        overflow
            .to_string()
            .starts_with("facility code 256 does not fit the 8-bit field of format `h10301`"),
        "{overflow}"
    );
    assert!(serde_json::from_str::<Card>(r#"{"format":"h10301","number":1}"#).is_err());
    assert!(serde_json::from_str::<Card>(r#"{"format":"raw","number":1,"pin":2}"#).is_err());
}

#[test]
fn by_name() {
    for format in formats::ALL {
        assert_eq!(Format::by_name(format.name()), Some(*format));
        assert_eq!(format.name().parse::<Format>(), Ok(*format));
    }
    assert_eq!(Format::by_name("H10301"), Some(formats::H10301));
    assert_eq!(Format::by_name("wiegand26"), None);
}

/// Error messages are lowercase and end without a period.
#[test]
fn error_messages() {
    let errors = [
        "".parse::<WiegandBits>().unwrap_err(),
        "2".parse::<WiegandBits>().unwrap_err(),
        WiegandBits::from_bytes(&[0], 26).unwrap_err(),
        WiegandBits::from_value(4, 2).unwrap_err(),
        decode(&"1".parse().unwrap(), &formats::H10301).unwrap_err(),
        decode(&"1".repeat(26).parse().unwrap(), &formats::H10301).unwrap_err(),
        Card::new(formats::H10301, Some(0), 1 << 16).unwrap_err(),
        Card::new(formats::H10301, None, 1).unwrap_err(),
        Card::new(formats::RAW, Some(1), 1).unwrap_err(),
        decode(&"1".repeat(65).parse().unwrap(), &formats::RAW).unwrap_err(),
        detect(&"1".parse().unwrap(), &[]).unwrap_err(),
        "nope".parse::<Format>().unwrap_err(),
    ];
    for error in errors {
        let message = error.to_string();
        let first = message.chars().next().unwrap();
        assert!(!first.is_uppercase(), "{message}");
        assert!(!message.ends_with('.'), "{message}");
    }
    assert_eq!(
        "01x".parse::<WiegandBits>().unwrap_err().to_string(),
        "bad character `x` at offset 2 in a bit string; use only `0` and `1`"
    );
    assert_eq!(
        decode(&"1".repeat(34).parse().unwrap(), &formats::H10301)
            .unwrap_err()
            .to_string(),
        "format `h10301` has 26 bits, got 34"
    );
}
