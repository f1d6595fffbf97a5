//! What an encoder does to the card in its field, whatever speaks to it.
//!
//! Owns the seam between the card operations (`card_memory`) and whatever carries
//! them to a card: a PN532 over a serial line, or a simulated card. It must never know
//! a layout or a key's meaning.

use thiserror::Error;

/// The card families an encoder writes keys to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardType {
    /// MIFARE Classic 1K.
    Classic1k,
    /// MIFARE Classic 4K.
    Classic4k,
    /// NTAG215 (NFC Forum Type 2).
    Ntag215,
    /// NTAG216 (NFC Forum Type 2).
    Ntag216,
}

/// The card in the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardInField {
    /// Its family.
    pub card_type: CardType,
    /// Its UID (4 or 7 bytes).
    pub uid: Vec<u8>,
}

/// The key of a Classic sector used to authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySlot {
    /// Key A.
    A,
    /// Key B.
    B,
}

/// Why a card operation failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CardIoError {
    /// No card in the field.
    #[error("no card in the field")]
    NoCard,
    /// The card left the field.
    #[error("the card left the field")]
    Removed,
    /// The card refused the key of a block's sector.
    #[error("authentication refused for block {block}")]
    AuthenticationFailed {
        /// The block.
        block: u8,
    },
    /// The card refused the command.
    #[error("the card refused the command (status {status:#04x})")]
    Nak {
        /// The card's or reader's status.
        status: u8,
    },
    /// The wire: timeout, bad frame, …
    #[error("encoder link: {0}")]
    Link(String),
}

/// The operations on the card in an encoder's field.
pub trait CardIo {
    /// Looks for a card (and selects it): `InListPassiveTarget`.
    fn detect(&mut self) -> Result<Option<CardInField>, CardIoError>;
    /// Authenticates a Classic block's sector with one of its keys.
    fn authenticate(&mut self, block: u8, slot: KeySlot, key: [u8; 6]) -> Result<(), CardIoError>;
    /// Reads a Classic block (`0x30`).
    fn read_block(&mut self, block: u8) -> Result<[u8; 16], CardIoError>;
    /// Writes a Classic block (`0xA0`).
    fn write_block(&mut self, block: u8, data: [u8; 16]) -> Result<(), CardIoError>;
    /// Reads four NTAG pages from `page` (`READ`).
    fn read_pages(&mut self, page: u8) -> Result<[u8; 16], CardIoError>;
    /// Writes one NTAG page (`WRITE 0xA2`).
    fn write_page(&mut self, page: u8, data: [u8; 4]) -> Result<(), CardIoError>;
    /// NTAG `PWD_AUTH` (`0x1B`); returns the PACK.
    fn password_auth(&mut self, password: [u8; 4]) -> Result<[u8; 2], CardIoError>;
    /// Releases the card (`InRelease`).
    fn release(&mut self) -> Result<(), CardIoError>;
}
