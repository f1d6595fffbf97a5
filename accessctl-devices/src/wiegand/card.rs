//! A card read from (or to be written into) a Wiegand frame.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::format::{FieldKind, Format};
use super::WiegandError;

/// A card: its format, its facility code (when the format has one) and its number.
///
/// A `Card` always fits its format: [`Card::new`] and deserialization refuse a facility
/// code or number too wide for its field, a missing facility code, or one given to a
/// format without a facility field. It prints as `facility:number` (`37:12345`), or the
/// number alone, and serializes as `{"format": "h10301", "facility": 37, "number":
/// 12345}` (`facility` omitted without one).
///
/// ```
/// use accessctl_devices::wiegand::{formats, Card};
///
/// let card = Card::new(formats::H10301, Some(37), 12345)?;
/// assert_eq!(card.to_string(), "37:12345");
/// assert_eq!(card.policy_number(), (37 << 16) | 12345);
/// assert!(Card::new(formats::H10301, Some(256), 1).is_err());
/// # Ok::<(), accessctl_devices::wiegand::WiegandError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "CardFields")]
pub struct Card {
    format: Format,
    #[serde(skip_serializing_if = "Option::is_none")]
    facility: Option<u32>,
    number: u64,
}

/// A card as written in JSON, before it is checked against its format.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CardFields {
    format: Format,
    #[serde(default)]
    facility: Option<u32>,
    number: u64,
}

impl TryFrom<CardFields> for Card {
    type Error = WiegandError;

    fn try_from(fields: CardFields) -> Result<Self, Self::Error> {
        Card::new(fields.format, fields.facility, fields.number)
    }
}

/// Checks that `facility` and `number` fit the fields of `format`.
pub(crate) fn check_fit(
    format: &Format,
    facility: Option<u32>,
    number: u64,
) -> Result<(), WiegandError> {
    match (format.facility_field(), facility) {
        (Some(field), Some(facility)) if u64::from(facility) > field.max() => {
            return Err(WiegandError::FieldOverflow {
                format: format.name(),
                field: FieldKind::Facility,
                value: u64::from(facility),
                bits: field.width(),
            });
        }
        (Some(_), None) => {
            return Err(WiegandError::MissingFacility {
                format: format.name(),
            })
        }
        (None, Some(facility)) => {
            return Err(WiegandError::UnexpectedFacility {
                format: format.name(),
                facility,
            })
        }
        _ => {}
    }
    match format.card_field() {
        Some(field) if number > field.max() => Err(WiegandError::FieldOverflow {
            format: format.name(),
            field: FieldKind::Card,
            value: number,
            bits: field.width(),
        }),
        _ => Ok(()),
    }
}

impl Card {
    /// The card of `format` with this facility code and number.
    ///
    /// Errors when a value does not fit its field, when `format` has a facility field
    /// and `facility` is `None`, or has none and `facility` is given. Any number fits
    /// the raw format.
    pub fn new(format: Format, facility: Option<u32>, number: u64) -> Result<Self, WiegandError> {
        check_fit(&format, facility, number)?;
        Ok(Self {
            format,
            facility,
            number,
        })
    }

    /// The format it was read with or is meant for.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Its facility code, if its format has one.
    pub fn facility(&self) -> Option<u32> {
        self.facility
    }

    /// Its card number: the card-number field alone.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The number a policy holds for this card (a policy's `card 12345678`).
    ///
    /// With a facility code, `(facility << card_bits) | number`, where `card_bits` is the
    /// width of the format's card-number field: the facility and number fields read as
    /// one integer, parity bits left out (H10301 facility 1, number 1 gives 65,537).
    /// Without one, the card number itself. Every catalogued format's fields add up to
    /// at most 64 bits, so nothing is lost, and two cards of one format have the same
    /// policy number only if they are the same card.
    pub fn policy_number(&self) -> u64 {
        match (self.facility, self.format.card_field()) {
            (Some(facility), Some(field)) => {
                u64::from(facility)
                    .checked_shl(u32::try_from(field.width()).unwrap_or(u32::MAX))
                    .unwrap_or(0)
                    | self.number
            }
            _ => self.number,
        }
    }

    /// The card of `format` whose [policy number](Card::policy_number) is
    /// `policy_number`: the inverse of [`Card::policy_number`], for presenting a card a
    /// policy holds (`card 12345678`) to a reader of that format.
    ///
    /// With a facility field, the low `card_bits` bits are the card number and the
    /// bits above them the facility code; errors when the facility code does not fit
    /// its field. Without one, the number must fit the card field (any number fits
    /// the raw format).
    ///
    /// ```
    /// use accessctl_devices::wiegand::{formats, Card};
    ///
    /// let card = Card::from_policy_number(formats::H10301, 65_537)?;
    /// assert_eq!((card.facility(), card.number()), (Some(1), 1));
    /// assert!(Card::from_policy_number(formats::H10301, 1 << 24).is_err());
    /// # Ok::<(), accessctl_devices::wiegand::WiegandError>(())
    /// ```
    pub fn from_policy_number(format: Format, policy_number: u64) -> Result<Self, WiegandError> {
        let (Some(facility_field), Some(card_field)) =
            (format.facility_field(), format.card_field())
        else {
            return Card::new(format, None, policy_number);
        };
        let shift = u32::try_from(card_field.width()).unwrap_or(u32::MAX);
        let facility = policy_number.checked_shr(shift).unwrap_or(0);
        let too_wide = || WiegandError::FieldOverflow {
            format: format.name(),
            field: FieldKind::Facility,
            value: facility,
            bits: facility_field.width(),
        };
        let facility = u32::try_from(facility).map_err(|_| too_wide())?;
        Card::new(format, Some(facility), policy_number & card_field.max())
    }
}

impl fmt::Display for Card {
    /// `facility:number`, or the number alone when the format has no facility code.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.facility {
            Some(facility) => write!(f, "{facility}:{}", self.number),
            None => write!(f, "{}", self.number),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::formats::{CORPORATE_1000_35, H10301, H10304, H10306, RAW};
    use super::*;

    #[test]
    fn new_checks_fields() {
        assert!(Card::new(H10301, Some(255), 65_535).is_ok());
        assert_eq!(
            Card::new(H10301, Some(256), 0),
            Err(WiegandError::FieldOverflow {
                format: "h10301",
                field: FieldKind::Facility,
                value: 256,
                bits: 8
            })
        );
        assert_eq!(
            Card::new(H10301, Some(0), 65_536),
            Err(WiegandError::FieldOverflow {
                format: "h10301",
                field: FieldKind::Card,
                value: 65_536,
                bits: 16
            })
        );
        assert_eq!(
            Card::new(H10304, None, 1),
            Err(WiegandError::MissingFacility { format: "h10304" })
        );
        assert_eq!(
            Card::new(RAW, Some(1), 1),
            Err(WiegandError::UnexpectedFacility {
                format: "raw",
                facility: 1
            })
        );
        assert!(Card::new(RAW, None, u64::MAX).is_ok());
        assert!(Card::new(CORPORATE_1000_35, Some(4095), 1_048_575).is_ok());
        assert!(Card::new(CORPORATE_1000_35, Some(4096), 0).is_err());
        assert!(Card::new(H10306, Some(65_535), 65_535).is_ok());
        assert!(Card::new(H10304, Some(65_535), 524_288).is_err());
    }

    #[test]
    fn from_policy_number_inverts_policy_number() {
        for (format, facility, number) in [
            (H10301, Some(255), 65_535),
            (H10304, Some(37), 12_345),
            (CORPORATE_1000_35, Some(4095), 1_048_575),
            (H10306, Some(6294), 4242),
            (RAW, None, 3_300_000_001),
        ] {
            let card = Card::new(format, facility, number).unwrap();
            assert_eq!(
                Card::from_policy_number(format, card.policy_number()),
                Ok(card)
            );
        }
        assert_eq!(
            Card::from_policy_number(H10301, 256 << 16),
            Err(WiegandError::FieldOverflow {
                format: "h10301",
                field: FieldKind::Facility,
                value: 256,
                bits: 8
            })
        );
        assert!(Card::from_policy_number(H10306, u64::MAX).is_err());
    }

    #[test]
    fn policy_numbers_and_display() {
        let card = Card::new(H10301, Some(1), 1).unwrap();
        assert_eq!(card.policy_number(), 65_537);
        assert_eq!(card.to_string(), "1:1");
        let card = Card::new(H10304, Some(37), 12_345).unwrap();
        assert_eq!(card.policy_number(), (37 << 19) | 12_345);
        assert_eq!(card.to_string(), "37:12345");
        let card = Card::new(CORPORATE_1000_35, Some(4095), 1_048_575).unwrap();
        assert_eq!(card.policy_number(), (1 << 32) - 1);
        let card = Card::new(RAW, None, 987_654_321).unwrap();
        assert_eq!(card.policy_number(), 987_654_321);
        assert_eq!(card.to_string(), "987654321");
    }
}
