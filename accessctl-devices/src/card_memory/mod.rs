//! Card memory: where a key image lives on a MIFARE Classic 1K or 4K and on an
//! NTAG215 or NTAG216, how a card is personalised for a site, and how a key is
//! written so that a card pulled from the field mid-write never holds a half key.
//!
//! Owns the geometry of each card (its key area: the data blocks or user pages a key
//! may use, as one run of bytes), the card's secrets derived from the site's card key
//! (Classic sector keys A and B, the NTAG password and PACK, the seal key), the two
//! slots of the key area with their sealed headers ([`area`]), and the operations
//! over [`CardIo`](crate::card_io::CardIo) that read, personalise and write a card
//! ([`io`]). The layout is documented byte by byte in `docs/card-layout.md`. It must never judge a key against
//! a policy (the core's `card_key` does), never print or return a secret, and never
//! panic, whatever a card answers.
//!
//! # Secrets
//!
//! Every secret of a card is derived from the site's card key
//! (`accessctl_core::card_key::card_key`) with [`Key::derive`], per purpose and with
//! the card's UID in the context, so that one card's keys, recovered, open no other
//! card:
//!
//! | secret | purpose | context | bytes used |
//! |---|---|---|---|
//! | Classic key A of sector `s` (read) | `card-memory/classic-key-a` | UID ‖ `s` | first 6 |
//! | Classic key B of sector `s` (write) | `card-memory/classic-key-b` | UID ‖ `s` | first 6 |
//! | NTAG password (PWD) | `card-memory/ntag-password` | UID | first 4 |
//! | NTAG PACK | `card-memory/ntag-pack` | UID | first 2 |
//! | seal key | `card-memory/seal` | (empty) | all 32 |

pub mod area;
pub mod io;
#[cfg(test)]
mod test_card;
#[cfg(test)]
mod tests;

use crate::card_io::CardType;
#[cfg(test)]
use crate::card_io::{CardInField, CardIo, CardIoError, KeySlot};
use accessctl_core::secret::Key;

pub use area::{AreaRead, LayoutError, SlotProblem, SlotState, Stored, TooLarge, WritePlan};
pub use io::{read_card, write_card, CardError, CardRead, Personalisation, Written};

/// The transport key of a blank MIFARE Classic sector (keys A and B).
pub const TRANSPORT_KEY: [u8; 6] = [0xFF; 6];
/// Access bytes 6–8 of a personalised sector trailer: data blocks read with key A or
/// B and written with key B only (C1C2C3 = 100); the trailer's keys and access bits
/// written with key B only, key A and key B never readable (C1C2C3 = 011).
pub const PERSONALISED_ACCESS: [u8; 3] = [0x78, 0x77, 0x88];
/// The general-purpose byte (byte 9) written in a personalised trailer.
pub const TRAILER_GPB: u8 = 0x69;
/// The first NTAG user page a key may use (pages 0–3 hold the UID, lock bytes and
/// the capability container).
pub const NTAG_FIRST_PAGE: u8 = 4;
/// The NTAG `ACCESS` bit that protects reads as well as writes from `AUTH0` on.
pub const NTAG_PROT: u8 = 0x80;

/// The geometry of a card family: its key area and its configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// The family.
    pub card_type: CardType,
}

/// One unit of the key area: a Classic data block or an NTAG page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A Classic data block (16 bytes).
    Block(u8),
    /// An NTAG page (4 bytes).
    Page(u8),
}

impl Geometry {
    /// The geometry of `card_type`.
    pub fn of(card_type: CardType) -> Geometry {
        Geometry { card_type }
    }

    /// Bytes of one unit: 16 for a Classic block, 4 for an NTAG page.
    pub fn unit_len(self) -> usize {
        if self.is_classic() {
            16
        } else {
            4
        }
    }

    /// Whether the card is a MIFARE Classic.
    pub fn is_classic(self) -> bool {
        matches!(self.card_type, CardType::Classic1k | CardType::Classic4k)
    }

    /// The sectors of the key area (Classic): 1–15 on a 1K, 1–39 on a 4K. Sector 0
    /// (the manufacturer block and the MAD) is left as it is.
    pub fn sectors(self) -> std::ops::Range<u8> {
        match self.card_type {
            CardType::Classic1k => 1..16,
            CardType::Classic4k => 1..40,
            CardType::Ntag215 | CardType::Ntag216 => 0..0,
        }
    }

    /// The last user page (NTAG): 129 on an NTAG215, 225 on an NTAG216.
    pub fn last_user_page(self) -> u8 {
        match self.card_type {
            CardType::Ntag215 => 129,
            CardType::Ntag216 => 225,
            CardType::Classic1k | CardType::Classic4k => 0,
        }
    }

    /// The NTAG configuration pages: CFG0 (MIRROR, RFUI, MIRROR_PAGE, AUTH0), CFG1
    /// (ACCESS, RFUI×3), PWD, PACK (PACK×2, RFUI×2): the four pages after the dynamic
    /// lock bytes that follow the user memory.
    pub fn config_pages(self) -> [u8; 4] {
        let cfg0 = self.last_user_page().saturating_add(2);
        [
            cfg0,
            cfg0.saturating_add(1),
            cfg0.saturating_add(2),
            cfg0.saturating_add(3),
        ]
    }

    /// The units of the key area, in order.
    pub fn units(self) -> Vec<Unit> {
        if self.is_classic() {
            self.sectors()
                .flat_map(|sector| data_blocks(sector).map(Unit::Block))
                .collect()
        } else {
            (NTAG_FIRST_PAGE..=self.last_user_page())
                .map(Unit::Page)
                .collect()
        }
    }

    /// Bytes of the key area: 720 (Classic 1K), 3,408 (4K), 504 (NTAG215), 888
    /// (NTAG216).
    pub fn area_len(self) -> usize {
        self.units().len().saturating_mul(self.unit_len())
    }
}

/// The first block of a Classic sector: 4 blocks each in sectors 0–31, 16 in 32–39.
pub fn first_block(sector: u8) -> u8 {
    if sector < 32 {
        sector.saturating_mul(4)
    } else {
        128u8.saturating_add((sector - 32).saturating_mul(16))
    }
}

/// The trailer block of a Classic sector.
pub fn trailer_block(sector: u8) -> u8 {
    let blocks = if sector < 32 { 4 } else { 16 };
    first_block(sector).saturating_add(blocks - 1)
}

/// The sector of a Classic block.
pub fn sector_of(block: u8) -> u8 {
    if block < 128 {
        block / 4
    } else {
        32 + (block - 128) / 16
    }
}

/// The data blocks of a Classic sector (its trailer left out).
pub fn data_blocks(sector: u8) -> std::ops::Range<u8> {
    first_block(sector)..trailer_block(sector)
}

/// The secrets of one card, derived from the site's card key and the card's UID.
/// Its `Debug` shows nothing of them.
#[derive(Clone)]
pub struct CardSecrets {
    uid: Vec<u8>,
    card_key: Key,
    seal: Key,
}

impl std::fmt::Debug for CardSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardSecrets(<redacted>)")
    }
}

impl CardSecrets {
    /// The secrets of the card `uid` under the site's `card_key`.
    pub fn new(card_key: &Key, uid: &[u8]) -> CardSecrets {
        CardSecrets {
            uid: uid.to_vec(),
            card_key: card_key.clone(),
            seal: card_key.derive("card-memory/seal", &[]),
        }
    }

    /// The card's UID.
    pub fn uid(&self) -> &[u8] {
        &self.uid
    }

    /// The site's card key, which authenticates key images.
    pub fn card_key(&self) -> &Key {
        &self.card_key
    }

    /// The key that seals slot headers.
    pub(crate) fn seal_key(&self) -> &Key {
        &self.seal
    }

    fn derived<const N: usize>(&self, purpose: &str, extra: &[u8]) -> [u8; N] {
        let mut context = self.uid.clone();
        context.extend_from_slice(extra);
        let key = self.card_key.derive(purpose, &context);
        let mut out = [0u8; N];
        out.iter_mut()
            .zip(key.expose_bytes())
            .for_each(|(o, k)| *o = *k);
        out
    }

    /// Key A (reading) of a Classic sector.
    pub(crate) fn key_a(&self, sector: u8) -> [u8; 6] {
        not_transport(self.derived("card-memory/classic-key-a", &[sector]))
    }

    /// Key B (writing) of a Classic sector.
    pub(crate) fn key_b(&self, sector: u8) -> [u8; 6] {
        not_transport(self.derived("card-memory/classic-key-b", &[sector]))
    }

    /// The NTAG password.
    pub(crate) fn password(&self) -> [u8; 4] {
        let password: [u8; 4] = self.derived("card-memory/ntag-password", &[]);
        if password == [0xFF; 4] {
            [0xFF, 0xFF, 0xFF, 0xFE]
        } else {
            password
        }
    }

    /// The NTAG PACK the card answers a right password with.
    pub(crate) fn pack(&self) -> [u8; 2] {
        self.derived("card-memory/ntag-pack", &[])
    }

    /// The personalised trailer of a Classic sector: key A, access bytes, GPB, key B.
    pub(crate) fn trailer(&self, sector: u8) -> [u8; 16] {
        let mut trailer = [0u8; 16];
        let parts = self
            .key_a(sector)
            .into_iter()
            .chain(PERSONALISED_ACCESS)
            .chain([TRAILER_GPB])
            .chain(self.key_b(sector));
        trailer.iter_mut().zip(parts).for_each(|(t, p)| *t = p);
        trailer
    }
}

/// A derived key equal to the transport key (one chance in 2⁴⁸) is changed in its
/// last bit, so that a personalised sector never answers the transport key.
fn not_transport(key: [u8; 6]) -> [u8; 6] {
    if key == TRANSPORT_KEY {
        [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE]
    } else {
        key
    }
}

/// The access bytes 6–8 of a trailer for the conditions `(c1, c2, c3)` of blocks 0–3
/// (block 3 the trailer; on a 16-block sector, groups of five blocks): byte 6 is
/// `¬C2 ¬C1`, byte 7 `C1 ¬C3`, byte 8 `C3 C2`, one nibble each, bit `i` for block `i`.
pub fn access_bytes(conditions: [(bool, bool, bool); 4]) -> [u8; 3] {
    let nibble = |pick: fn(&(bool, bool, bool)) -> bool| {
        conditions
            .iter()
            .enumerate()
            .fold(0u8, |n, (i, c)| if pick(c) { n | (1 << i) } else { n })
    };
    let c1 = nibble(|c| c.0);
    let c2 = nibble(|c| c.1);
    let c3 = nibble(|c| c.2);
    [
        ((!c2 & 0x0F) << 4) | (!c1 & 0x0F),
        (c1 << 4) | (!c3 & 0x0F),
        (c3 << 4) | c2,
    ]
}
