//! Wiegand card formats: which bit layouts a site's or a door's readers accept.
//!
//! Owns the names of the formats a policy may list in a `cards` clause, spelled exactly
//! as the device crate's catalogue names them (`accessctl_devices::wiegand::formats`),
//! and the format a site accepts when it lists none ([`CardFormat::DEFAULT`]).
//!
//! It must never decode bits: that is the device crate's job, which this crate does
//! not depend on. Only the names and their order live here.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A Wiegand card format, by the name the policy language and the device crate share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CardFormat {
    /// `h10301`: HID H10301, the standard 26-bit format (8-bit facility code, 16-bit
    /// card number).
    #[serde(rename = "h10301")]
    H10301,
    /// `h10304`: HID H10304, 37 bits (16-bit facility code, 19-bit card number).
    #[serde(rename = "h10304")]
    H10304,
    /// `corp1000-35`: HID Corporate 1000, 35 bits (12-bit company code, 20-bit card
    /// number).
    #[serde(rename = "corp1000-35")]
    Corporate1000_35,
    /// `h10306`: HID H10306, 34 bits (16-bit facility code, 16-bit card number).
    #[serde(rename = "h10306")]
    H10306,
    /// `raw`: any length up to 64 bits, no parity; the bits are the card number.
    #[serde(rename = "raw")]
    Raw,
}

impl CardFormat {
    /// Every format, in the device catalogue's order.
    pub const ALL: [CardFormat; 5] = [
        CardFormat::H10301,
        CardFormat::H10304,
        CardFormat::Corporate1000_35,
        CardFormat::H10306,
        CardFormat::Raw,
    ];

    /// What a site accepts when its policy lists no format: H10301 alone.
    pub const DEFAULT: &'static [CardFormat] = &[CardFormat::H10301];

    /// The name as written in a policy, e.g. `h10301`.
    pub fn name(self) -> &'static str {
        match self {
            CardFormat::H10301 => "h10301",
            CardFormat::H10304 => "h10304",
            CardFormat::Corporate1000_35 => "corp1000-35",
            CardFormat::H10306 => "h10306",
            CardFormat::Raw => "raw",
        }
    }

    /// How many bits a frame of this format has; `None` for `raw`, of any length.
    pub fn bit_length(self) -> Option<u32> {
        match self {
            CardFormat::H10301 => Some(26),
            CardFormat::H10304 => Some(37),
            CardFormat::Corporate1000_35 => Some(35),
            CardFormat::H10306 => Some(34),
            CardFormat::Raw => None,
        }
    }

    /// The format named `name` (case-sensitive, like every name of the language).
    pub fn by_name(name: &str) -> Option<CardFormat> {
        CardFormat::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Every name, in order, for messages.
    pub fn names() -> impl Iterator<Item = &'static str> {
        CardFormat::ALL.into_iter().map(CardFormat::name)
    }
}

impl fmt::Display for CardFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is no [`CardFormat`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown card format `{0}`")]
pub struct UnknownCardFormat(pub String);

impl FromStr for CardFormat {
    type Err = UnknownCardFormat;

    fn from_str(name: &str) -> Result<CardFormat, UnknownCardFormat> {
        CardFormat::by_name(name).ok_or_else(|| UnknownCardFormat(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_from_str_display_and_serde() {
        for format in CardFormat::ALL {
            assert_eq!(format.name().parse::<CardFormat>(), Ok(format));
            assert_eq!(format.to_string(), format.name());
            let json = serde_json::to_string(&format).unwrap();
            assert_eq!(json, format!("\"{}\"", format.name()));
            assert_eq!(serde_json::from_str::<CardFormat>(&json).unwrap(), format);
        }
    }

    #[test]
    fn unknown_and_differently_cased_names_are_refused() {
        assert_eq!(
            "h10302".parse::<CardFormat>(),
            Err(UnknownCardFormat("h10302".to_owned()))
        );
        assert!("H10301".parse::<CardFormat>().is_err());
    }

    #[test]
    fn the_default_is_h10301() {
        assert_eq!(CardFormat::DEFAULT, &[CardFormat::H10301]);
    }
}
