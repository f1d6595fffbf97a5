//! Wiegand card formats: from the raw bits a reader sends to the card a policy holds.
//!
//! A Wiegand reader sends a card as a string of bits — directly on its D0/D1 wires, or
//! inside an OSDP `RAW` reply (bytes, most significant bit first, plus a bit count). A
//! *format* says how to read that string: how many bits it has, which bits are parity
//! bits and what they cover, and where the facility code and the card number lie.
//!
//! - [`WiegandBits`] is a frame: 1 to 128 bits, read from text (`"0101…"`) or from bytes.
//! - [`Format`] describes a layout; [`formats`] is the catalogue of known layouts, also
//!   reachable by name with [`Format::by_name`] (`"h10301"`, `"h10304"`,
//!   `"corp1000-35"`, `"h10306"`, `"raw"`).
//! - [`decode`] reads a frame with a format, checking its length and every parity bit;
//!   [`encode`] writes a card into a frame, setting the parity bits; [`detect`] picks,
//!   among the formats a site accepts, the one whose length matches the frame.
//! - [`Card`] is the result: format, facility code, card number.
//!
//! # Bit numbering
//!
//! Bit offsets count from 0 at the **first bit transmitted** — the leading parity bit of
//! most formats, the most significant bit of the first byte of an OSDP `RAW` reply. HID's
//! documents number the same bits from 1; every offset here is theirs minus one. Fields
//! are read most significant bit first.
//!
//! # From a card to a policy's card number
//!
//! Policies hold one 64-bit number per card. [`Card::policy_number`] defines it:
//!
//! - for a format with a facility code, `(facility << card_bits) | number`, where
//!   `card_bits` is the width of the format's card-number field — that is, the facility
//!   and number fields read together as one integer, parity bits left out. An H10301
//!   card with facility 1 and number 1 has policy number `(1 << 16) | 1 = 65537`;
//! - for a format without one ([`formats::RAW`]), the card number itself.
//!
//! The same card printed for people reads `facility:number` (`37:12345`), or the number
//! alone without a facility. A policy number is meaningful within one site, whose
//! accepted formats fix how it was read; a `facility:number` notation in policies may
//! come later.
//!
//! # Detection
//!
//! [`detect`] chooses by exact bit length and nothing else: a 34-bit frame is read as a
//! 34-bit format or refused — never cut down and read as 26 bits, the misreading users of
//! other systems keep reporting. A frame whose length matches an accepted fixed-length
//! format but fails its parity is refused, not read as raw.

mod bits;
mod card;
mod decode;
mod error;
mod format;
pub mod formats;

pub use bits::{WiegandBits, MAX_BITS};
pub use card::Card;
pub use decode::{decode, detect, encode};
pub use error::WiegandError;
pub use format::{Field, FieldKind, Format, Parity, ParityRule};
