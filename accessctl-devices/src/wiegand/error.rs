//! What can go wrong reading or writing a Wiegand frame.

use super::format::{FieldKind, Parity};

/// Why a bit string, a frame or a card was refused.
///
/// Offsets count from 0 at the first bit transmitted (see the [module
/// documentation](super#bit-numbering)); character offsets in text are byte offsets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WiegandError {
    /// A bit string had no bits or more than [`MAX_BITS`](super::MAX_BITS).
    #[error("a Wiegand frame has 1 to 128 bits, got {got}")]
    BitCount {
        /// How many bits were given.
        got: usize,
    },
    /// A character other than `0`, `1` or the separator `_` in a bit string.
    #[error("bad character `{found}` at offset {offset} in a bit string; use only `0` and `1`")]
    BadChar {
        /// Byte offset of the character in the text.
        offset: usize,
        /// The character.
        found: char,
    },
    /// The bytes given do not match the bit count (`ceil(bits / 8)` bytes are needed).
    #[error("{bits} bits take {expected} bytes, got {got}")]
    ByteCount {
        /// The bit count announced.
        bits: usize,
        /// How many bytes those bits take.
        expected: usize,
        /// How many bytes were given.
        got: usize,
    },
    /// A value given as a frame has bits set beyond the frame's length.
    #[error("value {value:#x} does not fit in {bits} bits")]
    ValueTooWide {
        /// The value.
        value: u128,
        /// The frame length asked for.
        bits: usize,
    },
    /// A frame's length is not its format's.
    #[error("format `{format}` has {expected} bits, got {got}")]
    WrongLength {
        /// The format's name.
        format: &'static str,
        /// The format's length.
        expected: usize,
        /// The frame's length.
        got: usize,
    },
    /// A parity bit does not agree with the bits it covers.
    #[error(
        "parity check {check} of format `{format}` fails: the {kind} parity bit at offset {offset} does not match"
    )]
    Parity {
        /// The format's name.
        format: &'static str,
        /// Which of the format's parity rules failed, counting from 1 in the order of
        /// [`Format::parity_rules`](super::Format::parity_rules).
        check: usize,
        /// The offset of that parity bit in the frame.
        offset: usize,
        /// Its kind.
        kind: Parity,
    },
    /// A facility code or card number too large for its field.
    #[error("{field} {value} does not fit the {bits}-bit field of format `{format}`")]
    FieldOverflow {
        /// The format's name.
        format: &'static str,
        /// Which field.
        field: FieldKind,
        /// The value that does not fit.
        value: u64,
        /// The field's width.
        bits: usize,
    },
    /// A card for a format with a facility code was given none.
    #[error("format `{format}` needs a facility code")]
    MissingFacility {
        /// The format's name.
        format: &'static str,
    },
    /// A facility code was given for a format that has no facility field.
    #[error("format `{format}` has no facility code, got facility {facility}")]
    UnexpectedFacility {
        /// The format's name.
        format: &'static str,
        /// The facility code given.
        facility: u32,
    },
    /// A raw frame too long to be read as a 64-bit card number.
    #[error("a raw frame of {bits} bits does not fit a 64-bit card number")]
    RawTooLong {
        /// The frame's length.
        bits: usize,
    },
    /// No format a site accepts reads frames of this length.
    #[error("no accepted format reads {bits}-bit frames")]
    NoFormat {
        /// The frame's length.
        bits: usize,
    },
    /// A format name that is not in the catalogue.
    #[error(
        "unknown Wiegand format `{name}`; known formats: {}",
        super::formats::names()
    )]
    UnknownFormat {
        /// The name given.
        name: String,
    },
}
