//! What a person presents at a simulated reader or lock: a card, as the bits its reader
//! sends, or a PIN typed on the keypad.
//!
//! Owns [`Presentation`], its textual form (one line of a script or of standard input:
//! `card 12345678`, `card 37:12345 h10301`, `bits 10000000100000000000000010`,
//! `pin 4821`), the choice of a Wiegand format for a card a policy holds, and the OSDP
//! report that carries a presentation to a control panel. It must never show a PIN:
//! `Debug` and `Display` give its length only.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crate::osdp::peripheral::Report;
use crate::osdp::reply::{Keypad, RawCard};
use crate::wiegand::{self, formats, Card, Format, WiegandBits, WiegandError};

/// The most digits a PIN may have.
pub const MAX_PIN_DIGITS: usize = 32;

/// `#` as a keypad sends it (Enter), ending a PIN entry.
const KEY_ENTER: u8 = 0x0D;

/// The formats tried, shortest first, for a card number given without a format.
const BY_LENGTH: [Format; 4] = [
    formats::H10301,
    formats::H10306,
    formats::CORPORATE_1000_35,
    formats::H10304,
];

/// A card or a PIN, as a reader hands it on.
#[derive(Clone, PartialEq, Eq)]
pub enum Presentation {
    /// A card: the bits its reader sends, parity bits included.
    Card(WiegandBits),
    /// Digits typed on the keypad.
    Pin(Pin),
}

/// Digits typed on a keypad, `0` to `9`. Never shown: `Debug` prints its length only.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl Pin {
    /// The digits of `text`; refused unless they are 1 to [`MAX_PIN_DIGITS`] ASCII digits.
    pub fn new(text: &str) -> Result<Pin, PresentationError> {
        let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        if !digits || text.len() > MAX_PIN_DIGITS {
            return Err(PresentationError::Pin);
        }
        Ok(Pin(text.to_owned()))
    }

    /// The digits, for the evaluator and the keypad report only; never print them.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// How many digits.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it has no digit (never, once built).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Pin {
    /// The length, never the digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pin(<{} digits>)", self.0.len())
    }
}

/// Why a presentation cannot be read from its text.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PresentationError {
    /// The line is empty.
    #[error("nothing to present; write `card NUMBER [FORMAT]`, `bits 0101…` or `pin DIGITS`")]
    Empty,
    /// The first word is not `card`, `bits` or `pin`.
    #[error(
        "unknown presentation `{0}`; write `card NUMBER [FORMAT]`, `bits 0101…` or `pin DIGITS`"
    )]
    UnknownKind(String),
    /// A word is missing or one too many.
    #[error("`{kind}` takes {expected}")]
    Arity {
        /// `card`, `bits` or `pin`.
        kind: &'static str,
        /// What it takes.
        expected: &'static str,
    },
    /// A card number that is not a number (or `FACILITY:NUMBER`).
    #[error("`{0}` is not a card number; write a number or FACILITY:NUMBER")]
    CardNumber(String),
    /// A PIN that is not 1 to 32 digits.
    #[error("a PIN is 1 to 32 digits")]
    Pin,
    /// The card does not fit the format, or the bits are not a frame.
    #[error(transparent)]
    Wiegand(#[from] WiegandError),
}

impl Presentation {
    /// The card a policy holds as `policy_number` (`card 12345678`), in `format`, or
    /// without one in the shortest catalogued format whose fields hold it (H10301,
    /// H10306, Corporate 1000, H10304, then raw bits).
    pub fn card(policy_number: u64, format: Option<Format>) -> Result<Presentation, WiegandError> {
        let card = match format {
            Some(format) => Card::from_policy_number(format, policy_number)?,
            None => shortest_card(policy_number)?,
        };
        Ok(Presentation::Card(wiegand::encode(&card, &card.format())?))
    }

    /// The card with this facility code and number, in `format`.
    pub fn card_fields(
        format: Format,
        facility: Option<u32>,
        number: u64,
    ) -> Result<Presentation, WiegandError> {
        let card = Card::new(format, facility, number)?;
        Ok(Presentation::Card(wiegand::encode(&card, &format)?))
    }

    /// What a reader reports to its control panel: `osdp_RAW` for a card (Wiegand
    /// bits), `osdp_KEYPAD` for a PIN (its digits, then `#` to end the entry).
    pub fn report(&self, reader: u8) -> Report {
        match self {
            Presentation::Card(bits) => Report::Card(RawCard::from_wiegand(reader, bits)),
            Presentation::Pin(pin) => Report::Keypad(Keypad {
                reader,
                digits: pin.0.bytes().chain([KEY_ENTER]).collect(),
            }),
        }
    }
}

/// The card of the first format of [`BY_LENGTH`] that holds `policy_number`, else raw.
fn shortest_card(policy_number: u64) -> Result<Card, WiegandError> {
    BY_LENGTH
        .iter()
        .find_map(|format| Card::from_policy_number(*format, policy_number).ok())
        .map_or_else(|| Card::new(formats::RAW, None, policy_number), Ok)
}

impl FromStr for Presentation {
    type Err = PresentationError;

    /// `card NUMBER [FORMAT]` (NUMBER: a policy's card number, or FACILITY:NUMBER with a
    /// format), `bits 0101…`, `pin DIGITS`.
    fn from_str(line: &str) -> Result<Presentation, PresentationError> {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] => Err(PresentationError::Empty),
            ["card", number] => card_from_text(number, None),
            ["card", number, format] => card_from_text(number, Some(format)),
            ["card", ..] => Err(PresentationError::Arity {
                kind: "card",
                expected: "a number and an optional format name",
            }),
            ["bits", bits] => Ok(Presentation::Card(bits.parse()?)),
            ["bits", ..] => Err(PresentationError::Arity {
                kind: "bits",
                expected: "one string of 0 and 1",
            }),
            ["pin", digits] => Ok(Presentation::Pin(Pin::new(digits)?)),
            ["pin", ..] => Err(PresentationError::Arity {
                kind: "pin",
                expected: "one string of digits",
            }),
            [other, ..] => Err(PresentationError::UnknownKind((*other).to_owned())),
        }
    }
}

/// `card NUMBER [FORMAT]`.
fn card_from_text(number: &str, format: Option<&str>) -> Result<Presentation, PresentationError> {
    let format = format.map(str::parse::<Format>).transpose()?;
    let bad = || PresentationError::CardNumber(number.to_owned());
    if let Some((facility, card)) = number.split_once(':') {
        let facility = facility.parse().map_err(|_| bad())?;
        let card = card.parse().map_err(|_| bad())?;
        let format = format.unwrap_or(formats::H10301);
        return Ok(Presentation::card_fields(format, Some(facility), card)?);
    }
    let number = number.parse().map_err(|_| bad())?;
    Ok(Presentation::card(number, format)?)
}

impl fmt::Display for Presentation {
    /// `card (26 bits)` or `PIN (4 digits)`: never the digits of a PIN.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Presentation::Card(bits) => write!(f, "card ({} bits)", bits.len()),
            Presentation::Pin(pin) => write!(f, "PIN ({} digits)", pin.len()),
        }
    }
}

impl fmt::Debug for Presentation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Presentation::Card(bits) => f.debug_tuple("Card").field(bits).finish(),
            Presentation::Pin(pin) => f.debug_tuple("Pin").field(pin).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_take_the_shortest_format_that_holds_them() {
        let Presentation::Card(bits) = "card 65537".parse().unwrap() else {
            panic!("a card")
        };
        assert_eq!(bits.to_string(), "10000000100000000000000010");
        let Presentation::Card(bits) = "card 3300000001".parse().unwrap() else {
            panic!("a card")
        };
        assert_eq!(bits.len(), 34);
        let card = wiegand::detect(&bits, formats::ALL).unwrap();
        assert_eq!(card.policy_number(), 3_300_000_001);
    }

    #[test]
    fn a_named_format_and_facility_notation() {
        let Presentation::Card(bits) = "card 37:12345 h10304".parse().unwrap() else {
            panic!("a card")
        };
        let card = wiegand::decode(&bits, &formats::H10304).unwrap();
        assert_eq!((card.facility(), card.number()), (Some(37), 12_345));
        assert_eq!(
            "card 1:70000".parse::<Presentation>(),
            Err(PresentationError::Wiegand(WiegandError::FieldOverflow {
                format: "h10301",
                field: wiegand::FieldKind::Card,
                value: 70_000,
                bits: 16
            }))
        );
        assert!(matches!(
            "card 5 h99".parse::<Presentation>(),
            Err(PresentationError::Wiegand(
                WiegandError::UnknownFormat { .. }
            ))
        ));
    }

    #[test]
    fn bits_and_pins() {
        let bits: Presentation = "bits 1010".parse().unwrap();
        assert_eq!(bits.to_string(), "card (4 bits)");
        let pin: Presentation = "pin 4821".parse().unwrap();
        assert_eq!(pin.to_string(), "PIN (4 digits)");
        assert_eq!(format!("{pin:?}"), "Pin(Pin(<4 digits>))");
        assert_eq!(
            pin.report(0),
            Report::Keypad(Keypad {
                reader: 0,
                digits: b"4821\r".to_vec()
            })
        );
    }

    #[test]
    fn malformed_lines_are_refused() {
        assert_eq!("".parse::<Presentation>(), Err(PresentationError::Empty));
        assert_eq!(
            "badge 1".parse::<Presentation>(),
            Err(PresentationError::UnknownKind("badge".into()))
        );
        assert_eq!(
            "pin 12a".parse::<Presentation>(),
            Err(PresentationError::Pin)
        );
        assert!(matches!(
            "pin".parse::<Presentation>(),
            Err(PresentationError::Arity { kind: "pin", .. })
        ));
        assert!(matches!(
            "card x".parse::<Presentation>(),
            Err(PresentationError::CardNumber(_))
        ));
        assert!(matches!(
            "bits 102".parse::<Presentation>(),
            Err(PresentationError::Wiegand(WiegandError::BadChar { .. }))
        ));
    }
}
