//! What an encoder does to the card in its field, whatever speaks to it.
//!
//! Owns the [`CardIo`] trait — detect the card in the field, authenticate to a MIFARE
//! Classic sector, read and write its blocks, read and write an NTAG's pages, present
//! an NTAG's password, release the card — and the types it speaks in: [`CardType`],
//! [`CardInField`], [`KeySlot`] and [`CardIoError`].
//!
//! Two kinds of implementations exist: a reader speaking to a card over a wire (the
//! PN532 host client), and a simulated card answering directly, without a wire (for the
//! encoder's tests). Both answer the same way: an operation the card refuses is an
//! error of the card ([`CardIoError::AuthenticationFailed`], [`CardIoError::Nak`]), a
//! card gone is [`CardIoError::Removed`], and anything wrong on the wire is
//! [`CardIoError::Link`].
//!
//! What this module must never do: know the layout of what a card holds (that is the
//! card memory's business), retry an operation on its own, or carry a key in an error.
//!
//! ```
//! use accessctl_devices::card_io::{CardType, KeySlot};
//!
//! let card_type: CardType = "ntag215".parse()?;
//! assert_eq!(card_type, CardType::Ntag215);
//! assert_eq!(card_type.to_string(), "ntag215");
//! assert!(!card_type.is_classic());
//! assert_eq!(KeySlot::B.to_string(), "B");
//! # Ok::<(), accessctl_devices::card_io::UnknownCardType>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The card families an encoder writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardType {
    /// MIFARE Classic 1K: 16 sectors of 4 blocks of 16 bytes.
    Classic1k,
    /// MIFARE Classic 4K: 32 sectors of 4 blocks, then 8 sectors of 16 blocks.
    Classic4k,
    /// NTAG215 (NFC Forum Type 2): 135 pages of 4 bytes, 504 bytes of user memory.
    Ntag215,
    /// NTAG216 (NFC Forum Type 2): 231 pages of 4 bytes, 888 bytes of user memory.
    Ntag216,
}

impl CardType {
    /// Every card type, in the order a listing shows them.
    pub const ALL: [CardType; 4] = [
        CardType::Classic1k,
        CardType::Classic4k,
        CardType::Ntag215,
        CardType::Ntag216,
    ];

    /// The name written on a command line and in JSON (`classic1k`, `ntag215`, …).
    pub fn name(self) -> &'static str {
        match self {
            CardType::Classic1k => "classic1k",
            CardType::Classic4k => "classic4k",
            CardType::Ntag215 => "ntag215",
            CardType::Ntag216 => "ntag216",
        }
    }

    /// Whether the card is a MIFARE Classic (sectors, keys A and B, 16-byte blocks);
    /// otherwise it is an NTAG (4-byte pages, a password).
    pub fn is_classic(self) -> bool {
        matches!(self, CardType::Classic1k | CardType::Classic4k)
    }
}

impl fmt::Display for CardType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A card type name that is none of [`CardType::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown card type `{0}`; expected one of: classic1k, classic4k, ntag215, ntag216")]
pub struct UnknownCardType(pub String);

impl FromStr for CardType {
    type Err = UnknownCardType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CardType::ALL
            .into_iter()
            .find(|card_type| card_type.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownCardType(s.to_owned()))
    }
}

/// The card an encoder found in its field.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CardInField {
    /// Its family, told from its answer to selection (ATQA, SAK) and, for an NTAG,
    /// its version.
    pub card_type: CardType,
    /// Its unique identifier: 4 bytes (Classic) or 7 (Classic with a 7-byte UID, NTAG).
    pub uid: Vec<u8>,
}

/// Which of a MIFARE Classic sector's two keys an authentication presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeySlot {
    /// Key A (MIFARE command `0x60`).
    A,
    /// Key B (MIFARE command `0x61`).
    B,
}

impl KeySlot {
    /// The MIFARE Classic authentication command for this key: `0x60` or `0x61`.
    pub fn command(self) -> u8 {
        match self {
            KeySlot::A => 0x60,
            KeySlot::B => 0x61,
        }
    }
}

impl fmt::Display for KeySlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeySlot::A => "A",
            KeySlot::B => "B",
        })
    }
}

/// Why an operation on the card in the field failed.
///
/// No variant carries a key or the card's data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CardIoError {
    /// No card is in the field (or none was detected before the operation).
    #[error("no card in the field")]
    NoCard,
    /// The card left the field during the operation; what it was doing may or may not
    /// have been done.
    #[error("the card was removed from the field")]
    Removed,
    /// The key presented for a MIFARE Classic sector is not the card's.
    #[error("authentication to block {block} refused: wrong key")]
    AuthenticationFailed {
        /// The block the authentication named.
        block: u8,
    },
    /// The card refused an operation on a block or page: not authenticated for it,
    /// forbidden by the access bits or the NTAG's protection, or out of its memory.
    #[error("the card refused the operation on block or page {address} (code {code:#04x})")]
    Nak {
        /// The block (Classic) or page (NTAG) the operation named.
        address: u8,
        /// What the card or the reader answered: the card's 4-bit NAK (`0x0`, `0x1`,
        /// `0x4`, `0x5`) or the reader's status byte.
        code: u8,
    },
    /// The wire to the reader failed: a timeout, a malformed frame, a reader error, a
    /// transport that closed.
    #[error("reader link: {0}")]
    Link(String),
}

/// The operations an encoder performs on the card in its field.
///
/// A session is: [`CardIo::detect`], then operations on that card, then
/// [`CardIo::release`]. Operations on a MIFARE Classic need an
/// [`CardIo::authenticate`] to the block's sector first; a new authentication replaces
/// the previous one. After [`CardIoError::AuthenticationFailed`] the card stays
/// selected and unauthenticated, so the caller may try another key at once (an
/// implementation over a real reader selects the card again, as a failed
/// authentication halts a real card). After [`CardIoError::Removed`] the caller must
/// [`CardIo::detect`] again.
pub trait CardIo {
    /// Looks for one card in the field (ISO 14443-A, 106 kbit/s) and selects it;
    /// `None` when there is none.
    fn detect(&mut self) -> Result<Option<CardInField>, CardIoError>;

    /// Authenticates to the sector of `block` with the key in `slot` (MIFARE Classic
    /// `0x60`/`0x61`, with the card's UID).
    fn authenticate(&mut self, block: u8, slot: KeySlot, key: [u8; 6]) -> Result<(), CardIoError>;

    /// Reads one 16-byte block of a MIFARE Classic (`0x30`). A sector trailer reads
    /// with its key A as zeros, as a real card answers.
    fn read_block(&mut self, block: u8) -> Result<[u8; 16], CardIoError>;

    /// Writes one 16-byte block of a MIFARE Classic (`0xA0`).
    fn write_block(&mut self, block: u8, data: [u8; 16]) -> Result<(), CardIoError>;

    /// Reads four pages of an NTAG from `page` on (`0x30`), wrapping past the last page
    /// as the tag does.
    fn read_pages(&mut self, page: u8) -> Result<[u8; 16], CardIoError>;

    /// Writes one 4-byte page of an NTAG (`0xA2`).
    fn write_page(&mut self, page: u8, data: [u8; 4]) -> Result<(), CardIoError>;

    /// Presents an NTAG's 32-bit password (`0x1B`); returns the tag's 2-byte PACK.
    /// A wrong password is [`CardIoError::AuthenticationFailed`] (block 0).
    fn password_auth(&mut self, password: [u8; 4]) -> Result<[u8; 2], CardIoError>;

    /// Deselects the card: the next operation needs a [`CardIo::detect`].
    fn release(&mut self) -> Result<(), CardIoError>;
}

/// `CardIo` for a pointer to a `CardIo`: every call passed through.
macro_rules! forward_card_io {
    ($pointer:ty) => {
        impl<T: CardIo + ?Sized> CardIo for $pointer {
            fn detect(&mut self) -> Result<Option<CardInField>, CardIoError> {
                (**self).detect()
            }

            fn authenticate(
                &mut self,
                block: u8,
                slot: KeySlot,
                key: [u8; 6],
            ) -> Result<(), CardIoError> {
                (**self).authenticate(block, slot, key)
            }

            fn read_block(&mut self, block: u8) -> Result<[u8; 16], CardIoError> {
                (**self).read_block(block)
            }

            fn write_block(&mut self, block: u8, data: [u8; 16]) -> Result<(), CardIoError> {
                (**self).write_block(block, data)
            }

            fn read_pages(&mut self, page: u8) -> Result<[u8; 16], CardIoError> {
                (**self).read_pages(page)
            }

            fn write_page(&mut self, page: u8, data: [u8; 4]) -> Result<(), CardIoError> {
                (**self).write_page(page, data)
            }

            fn password_auth(&mut self, password: [u8; 4]) -> Result<[u8; 2], CardIoError> {
                (**self).password_auth(password)
            }

            fn release(&mut self) -> Result<(), CardIoError> {
                (**self).release()
            }
        }
    };
}

forward_card_io!(&mut T);
forward_card_io!(Box<T>);
