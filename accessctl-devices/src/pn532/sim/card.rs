//! Simulated cards: a MIFARE Classic 1K/4K and an NTAG215/216, their memory and the
//! rules their chips enforce.
//!
//! Owns [`SimCard`]: a card's memory, its session state (selected, authenticated to a
//! sector or by password) and the removal counter of fault injection. A Classic
//! checks the sector's key A or B and its access bits on every read and write (a
//! blank card has the transport keys `FF…FF` and access bits `FF 07 80`); a read of a
//! sector trailer shows key A as zeros, and key B too unless the access bits let it be
//! read. An NTAG has its capability container, its configuration pages (AUTH0, ACCESS
//! with PROT, PWD, PACK) and answers GET_VERSION; pages from AUTH0 on need a password
//! authentication to be written (and to be read, with PROT set); PWD and PACK read as
//! zeros.
//!
//! A card answers both ways it is spoken to: as a [`CardIo`] directly (no wire, for the
//! encoder's tests), and through [`SimCard::exchange`], the MIFARE commands a PN532
//! passes on (the simulated PN532 of [`super`] calls it). Both go through the same
//! rules.
//!
//! A trailer write changes only what the key may write (the rest is kept, as a real
//! card does). Where it differs from a real card: a sector trailer written with
//! inconsistent access bits is refused (a real card accepts it and locks the sector for
//! good); lock
//! bytes are kept but not enforced; the NTAG's AUTHLIM is not counted. What it must
//! never do: panic on a command or a state file, however malformed.

use std::fmt;

use crate::card_io::{CardInField, CardIo, CardIoError, CardType, KeySlot};

/// A transport (factory default) key: six bytes `FF`.
pub const TRANSPORT_KEY: [u8; 6] = [0xFF; 6];

/// The access bits of a blank MIFARE Classic sector trailer (bytes 6 to 9):
/// data blocks readable and writable with key A or B, the trailer managed with key A.
pub const TRANSPORT_ACCESS_BITS: [u8; 4] = [0xFF, 0x07, 0x80, 0x69];

/// The code a card answers an operation it refuses with (a 4-bit NAK).
pub const NAK: u8 = 0x0;

/// Why [`SimCard::exchange`] got no data back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeError {
    /// The card is not in the field (or was removed by fault injection): it does not
    /// answer.
    NoAnswer,
    /// The Classic authentication failed (wrong key).
    Authentication,
    /// The card answered a NAK.
    Nak(u8),
}

/// A simulated card in (or out of) the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimCard {
    card_type: CardType,
    uid: Vec<u8>,
    /// The whole memory, flat: 16 bytes a block (Classic) or 4 bytes a page (NTAG).
    memory: Vec<u8>,
    present: bool,
    selected: bool,
    session: Session,
    /// Card operations left before the card leaves the field (fault injection).
    remove_after: Option<u32>,
}

/// What the card has been authenticated for since it was selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Session {
    None,
    /// A Classic sector, with the key slot that opened it.
    Sector {
        sector: u8,
        slot: KeySlot,
    },
    /// An NTAG after a correct PWD_AUTH.
    Password,
}

/// Why a card state file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CardStateError {
    /// The file does not start with the magic `ACSIMCARD1`.
    #[error("not a simulated card state (bad magic at offset 0)")]
    BadMagic,
    /// The card type byte is unknown.
    #[error("unknown card type {found} at offset {offset}")]
    UnknownType {
        /// Where.
        offset: usize,
        /// The byte.
        found: u8,
    },
    /// The UID or memory length disagrees with the card type.
    #[error("bad length at offset {offset}: expected {expected} bytes, found {found}")]
    BadLength {
        /// Where.
        offset: usize,
        /// The length the card type needs.
        expected: usize,
        /// The length found.
        found: usize,
    },
}

/// Why a UID was refused for a card type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {card_type} UID has {expected} bytes, not {found}")]
pub struct UidLengthError {
    /// The card type.
    pub card_type: CardType,
    /// 4 (Classic) or 7 (NTAG).
    pub expected: usize,
    /// The length given.
    pub found: usize,
}

const MAGIC: &[u8] = b"ACSIMCARD1";

/// The default UID of a simulated card of `card_type`.
pub fn default_uid(card_type: CardType) -> Vec<u8> {
    if card_type.is_classic() {
        vec![0xDE, 0xAD, 0xBE, 0xEF]
    } else {
        vec![0x04, 0x51, 0x3A, 0x12, 0x6B, 0x90, 0x80]
    }
}

/// How many bytes a card type's UID has: 4 for the Classic, 7 for the NTAG.
pub fn uid_len(card_type: CardType) -> usize {
    if card_type.is_classic() {
        4
    } else {
        7
    }
}

/// The memory size of a card type, in bytes.
fn memory_len(card_type: CardType) -> usize {
    match card_type {
        CardType::Classic1k => 1024,
        CardType::Classic4k => 4096,
        CardType::Ntag215 => 135 * 4,
        CardType::Ntag216 => 231 * 4,
    }
}

/// The sector of a Classic block (1K: 4 blocks each; 4K: 32 sectors of 4, then 8 of 16).
pub fn sector_of(block: u8) -> u8 {
    if block < 128 {
        block / 4
    } else {
        32 + (block - 128) / 16
    }
}

/// The first block and block count of a Classic sector.
pub fn sector_blocks(sector: u8) -> (u8, u8) {
    if sector < 32 {
        (sector.wrapping_mul(4), 4)
    } else {
        (128u8.wrapping_add((sector - 32).wrapping_mul(16)), 16)
    }
}

/// The block of a sector's trailer.
pub fn trailer_of(block: u8) -> u8 {
    let (first, count) = sector_blocks(sector_of(block));
    first.wrapping_add(count - 1)
}

/// The access conditions C1 C2 C3 (as a 3-bit number `C1 C2 C3`) of the four groups of
/// a sector (data groups 0–2, trailer 3), or `None` when the inverted copies disagree.
pub fn access_conditions(bits: [u8; 4]) -> Option<[u8; 4]> {
    let [b6, b7, b8, _] = bits;
    let c1 = b7 >> 4;
    let c2 = b8 & 0x0F;
    let c3 = b8 >> 4;
    if (!b6 & 0x0F) != c1 || (!b6 >> 4) != c2 || (!b7 & 0x0F) != c3 {
        return None;
    }
    let mut groups = [0u8; 4];
    for (group, value) in groups.iter_mut().enumerate() {
        let bit = |c: u8| (c >> group) & 1;
        *value = (bit(c1) << 2) | (bit(c2) << 1) | bit(c3);
    }
    Some(groups)
}

/// The access bits (bytes 6 to 8, and byte 9 as given) for the conditions of the four
/// groups, each a 3-bit number `C1 C2 C3`.
pub fn access_bits(conditions: [u8; 4], user_byte: u8) -> [u8; 4] {
    let (mut c1, mut c2, mut c3) = (0u8, 0u8, 0u8);
    for (group, value) in conditions.iter().enumerate() {
        c1 |= ((value >> 2) & 1) << group;
        c2 |= ((value >> 1) & 1) << group;
        c3 |= (value & 1) << group;
    }
    [
        ((!c2 & 0x0F) << 4) | (!c1 & 0x0F),
        (c1 << 4) | (!c3 & 0x0F),
        (c3 << 4) | c2,
        user_byte,
    ]
}

/// What a key slot may do to a data block under condition `c` (read, write).
fn data_rights(c: u8, slot: KeySlot) -> (bool, bool) {
    let b = slot == KeySlot::B;
    match c {
        0b000 => (true, true),
        0b010 | 0b001 => (true, false),
        0b100 | 0b110 => (true, b),
        0b011 => (b, b),
        0b101 => (b, false),
        _ => (false, false),
    }
}

/// What a key slot may do to a trailer under condition `c`.
#[derive(Debug, Clone, Copy)]
struct TrailerRights {
    write_key_a: bool,
    read_access: bool,
    write_access: bool,
    read_key_b: bool,
    write_key_b: bool,
}

fn trailer_rights(c: u8, slot: KeySlot) -> TrailerRights {
    let a = slot == KeySlot::A;
    let b = !a;
    let (write_key_a, read_access, write_access, read_key_b, write_key_b) = match c {
        0b000 => (a, a, false, a, a),
        0b010 => (false, a, false, a, false),
        0b100 => (b, true, false, false, b),
        0b001 => (a, a, a, a, a),
        0b011 => (b, true, b, false, b),
        0b101 => (false, true, b, false, false),
        _ => (false, true, false, false, false),
    };
    TrailerRights {
        write_key_a,
        read_access,
        write_access,
        read_key_b,
        write_key_b,
    }
}

/// The NTAG configuration pages of a card type: (CFG0, CFG1, PWD, PACK).
fn ntag_config(card_type: CardType) -> (u8, u8, u8, u8) {
    match card_type {
        CardType::Ntag216 => (0xE3, 0xE4, 0xE5, 0xE6),
        _ => (0x83, 0x84, 0x85, 0x86),
    }
}

impl SimCard {
    /// A blank card of `card_type` with `uid` (4 bytes for a Classic, 7 for an NTAG),
    /// in the field: a Classic with transport keys and access bits in every trailer,
    /// an NTAG with its capability container and factory configuration (AUTH0 `FF`,
    /// password `FF FF FF FF`, PACK `00 00`).
    pub fn blank(card_type: CardType, uid: &[u8]) -> Result<Self, UidLengthError> {
        let expected = uid_len(card_type);
        if uid.len() != expected {
            return Err(UidLengthError {
                card_type,
                expected,
                found: uid.len(),
            });
        }
        let mut card = SimCard {
            card_type,
            uid: uid.to_vec(),
            memory: vec![0; memory_len(card_type)],
            present: true,
            selected: false,
            session: Session::None,
            remove_after: None,
        };
        if card_type.is_classic() {
            card.format_classic();
        } else {
            card.format_ntag();
        }
        Ok(card)
    }

    /// A blank card with the default UID of its type.
    pub fn new(card_type: CardType) -> Self {
        let uid = default_uid(card_type);
        // The default UID has the length of its type.
        Self::blank(card_type, &uid).unwrap_or_else(|_| SimCard {
            card_type,
            uid,
            memory: vec![0; memory_len(card_type)],
            present: true,
            selected: false,
            session: Session::None,
            remove_after: None,
        })
    }

    fn format_classic(&mut self) {
        let uid = self.uid.clone();
        let bcc = uid.iter().fold(0u8, |acc, byte| acc ^ byte);
        let (sak, atqa) = self.sak_atqa();
        let mut block0 = [0u8; 16];
        block0[..4].copy_from_slice(uid.get(..4).unwrap_or(&[0; 4]));
        block0[4] = bcc;
        block0[5] = sak;
        block0[6] = atqa[1];
        block0[7] = atqa[0];
        self.put_block(0, block0);
        let sectors = if self.card_type == CardType::Classic4k {
            40
        } else {
            16
        };
        for sector in 0..sectors {
            let (first, count) = sector_blocks(sector);
            let mut trailer = [0u8; 16];
            trailer[..6].copy_from_slice(&TRANSPORT_KEY);
            trailer[6..10].copy_from_slice(&TRANSPORT_ACCESS_BITS);
            trailer[10..].copy_from_slice(&TRANSPORT_KEY);
            self.put_block(first.wrapping_add(count - 1), trailer);
        }
    }

    fn format_ntag(&mut self) {
        let u: [u8; 7] = self.uid.as_slice().try_into().unwrap_or([0; 7]);
        let bcc0 = 0x88 ^ u[0] ^ u[1] ^ u[2];
        let bcc1 = u[3] ^ u[4] ^ u[5] ^ u[6];
        self.put_page(0, [u[0], u[1], u[2], bcc0]);
        self.put_page(1, [u[3], u[4], u[5], u[6]]);
        self.put_page(2, [bcc1, 0x48, 0x00, 0x00]);
        let size = if self.card_type == CardType::Ntag216 {
            0x6D
        } else {
            0x3E
        };
        self.put_page(3, [0xE1, 0x10, size, 0x00]);
        let (cfg0, cfg1, pwd, pack) = ntag_config(self.card_type);
        self.put_page(cfg0.wrapping_sub(1), [0x00, 0x00, 0x00, 0xBD]);
        self.put_page(cfg0, [0x04, 0x00, 0x00, 0xFF]);
        self.put_page(cfg1, [0x00, 0x05, 0x00, 0x00]);
        self.put_page(pwd, [0xFF; 4]);
        self.put_page(pack, [0x00; 4]);
    }

    /// The card's type.
    pub fn card_type(&self) -> CardType {
        self.card_type
    }

    /// The card's UID.
    pub fn uid(&self) -> &[u8] {
        &self.uid
    }

    /// Its answer to selection: SAK and ATQA (as sent, least significant byte second
    /// in the PN532's `SENS_RES`: `00 04` for a Classic 1K).
    pub fn sak_atqa(&self) -> (u8, [u8; 2]) {
        match self.card_type {
            CardType::Classic1k => (0x08, [0x00, 0x04]),
            CardType::Classic4k => (0x18, [0x00, 0x02]),
            CardType::Ntag215 | CardType::Ntag216 => (0x00, [0x00, 0x44]),
        }
    }

    /// Whether the card is in the field.
    pub fn is_present(&self) -> bool {
        self.present
    }

    /// Puts the card in the field (or takes it out); either way it is no longer
    /// selected nor authenticated.
    pub fn set_present(&mut self, present: bool) {
        self.present = present;
        self.selected = false;
        self.session = Session::None;
    }

    /// Fault injection: the card leaves the field after `operations` more card
    /// operations (authentications, reads, writes, password authentications, version
    /// queries) have been answered; `None` cancels.
    pub fn remove_after(&mut self, operations: Option<u32>) {
        self.remove_after = operations;
    }

    /// The whole memory (blocks or pages, in order), keys and password included.
    pub fn memory(&self) -> &[u8] {
        &self.memory
    }

    /// Counts one card operation; false when the card is (or has just gone) out of
    /// the field.
    fn operate(&mut self) -> bool {
        if !self.present {
            return false;
        }
        match self.remove_after {
            Some(0) => {
                self.remove_after = None;
                self.set_present(false);
                false
            }
            Some(left) => {
                self.remove_after = Some(left - 1);
                true
            }
            None => true,
        }
    }

    /// Selects the card (ISO 14443-A anticollision): false when it is not in the field.
    pub fn select(&mut self) -> bool {
        if self.present {
            self.selected = true;
            self.session = Session::None;
        }
        self.present
    }

    /// Halts (deselects) the card.
    pub fn halt(&mut self) {
        self.selected = false;
        self.session = Session::None;
    }

    fn block(&self, block: u8) -> Option<[u8; 16]> {
        let start = usize::from(block) * 16;
        self.memory.get(start..start + 16)?.try_into().ok()
    }

    fn put_block(&mut self, block: u8, data: [u8; 16]) {
        let start = usize::from(block) * 16;
        if let Some(slot) = self.memory.get_mut(start..start + 16) {
            slot.copy_from_slice(&data);
        }
    }

    fn page_count(&self) -> u8 {
        u8::try_from(self.memory.len() / 4).unwrap_or(u8::MAX)
    }

    fn page(&self, page: u8) -> Option<[u8; 4]> {
        let start = usize::from(page) * 4;
        self.memory.get(start..start + 4)?.try_into().ok()
    }

    fn put_page(&mut self, page: u8, data: [u8; 4]) {
        let start = usize::from(page) * 4;
        if let Some(slot) = self.memory.get_mut(start..start + 4) {
            slot.copy_from_slice(&data);
        }
    }

    fn block_count(&self) -> usize {
        self.memory.len() / 16
    }

    /// The MIFARE command a PN532 passes on (`InDataExchange` data, or
    /// `InCommunicateThru` with `raw`): Classic `60`/`61` (block, key, UID), `30`,
    /// `A0`; NTAG `30`, `A2`, `1B`, `60` (GET_VERSION, raw only), `3A` (FAST_READ).
    pub fn exchange(&mut self, command: &[u8], raw: bool) -> Result<Vec<u8>, ExchangeError> {
        if !self.present || !self.selected {
            return Err(ExchangeError::NoAnswer);
        }
        let Some((&code, rest)) = command.split_first() else {
            return Err(ExchangeError::NoAnswer);
        };
        let nak = ExchangeError::Nak(NAK);
        let classic = self.card_type.is_classic();
        if classic && raw {
            // A Classic speaks crypto only through the PN532's InDataExchange; a RATS or
            // any other raw frame gets no answer.
            return Err(ExchangeError::NoAnswer);
        }
        match (classic, code) {
            (true, 0x60 | 0x61) => {
                let slot = if code == 0x60 { KeySlot::A } else { KeySlot::B };
                let (&block, rest) = rest.split_first().ok_or(nak)?;
                let key: [u8; 6] = rest.get(..6).and_then(|k| k.try_into().ok()).ok_or(nak)?;
                match self.classic_auth(block, slot, key) {
                    Ok(()) => Ok(Vec::new()),
                    Err(CardIoError::AuthenticationFailed { .. }) => {
                        Err(ExchangeError::Authentication)
                    }
                    Err(CardIoError::Removed) => Err(ExchangeError::NoAnswer),
                    Err(_) => Err(nak),
                }
            }
            (true, 0x30) => {
                let &block = rest.first().ok_or(nak)?;
                self.classic_read(block)
                    .map(|b| b.to_vec())
                    .map_err(map_err)
            }
            (true, 0xA0) => {
                let &block = rest.first().ok_or(nak)?;
                let data: [u8; 16] = rest.get(1..17).and_then(|d| d.try_into().ok()).ok_or(nak)?;
                self.classic_write(block, data)
                    .map(|()| Vec::new())
                    .map_err(map_err)
            }
            (false, 0x30) => {
                let &page = rest.first().ok_or(nak)?;
                self.ntag_read(page).map(|b| b.to_vec()).map_err(map_err)
            }
            (false, 0x3A) => {
                let (&start, rest) = rest.split_first().ok_or(nak)?;
                let &end = rest.first().ok_or(nak)?;
                if end < start || end >= self.page_count() {
                    return Err(nak);
                }
                let mut out = Vec::new();
                for page in start..=end {
                    out.extend(self.ntag_page_readable(page).map_err(map_err)?);
                }
                Ok(out)
            }
            (false, 0xA2) => {
                let (&page, rest) = rest.split_first().ok_or(nak)?;
                let data: [u8; 4] = rest.get(..4).and_then(|d| d.try_into().ok()).ok_or(nak)?;
                self.ntag_write(page, data)
                    .map(|()| Vec::new())
                    .map_err(map_err)
            }
            (false, 0x1B) => {
                let password: [u8; 4] = rest.get(..4).and_then(|d| d.try_into().ok()).ok_or(nak)?;
                self.ntag_password(password)
                    .map(|p| p.to_vec())
                    .map_err(map_err)
            }
            (false, 0x60) if raw => {
                if !self.operate() {
                    return Err(ExchangeError::NoAnswer);
                }
                let size = if self.card_type == CardType::Ntag216 {
                    0x13
                } else {
                    0x11
                };
                Ok(vec![0x00, 0x04, 0x04, 0x02, 0x01, 0x00, size, 0x03])
            }
            _ => Err(nak),
        }
    }

    fn require_selected(&self) -> Result<(), CardIoError> {
        if !self.present {
            Err(CardIoError::Removed)
        } else if !self.selected {
            Err(CardIoError::NoCard)
        } else {
            Ok(())
        }
    }

    fn start_operation(&mut self) -> Result<(), CardIoError> {
        self.require_selected()?;
        if self.operate() {
            Ok(())
        } else {
            Err(CardIoError::Removed)
        }
    }

    fn require_kind(&self, classic: bool, address: u8) -> Result<(), CardIoError> {
        if self.card_type.is_classic() == classic {
            Ok(())
        } else {
            Err(CardIoError::Nak { address, code: NAK })
        }
    }

    fn classic_auth(&mut self, block: u8, slot: KeySlot, key: [u8; 6]) -> Result<(), CardIoError> {
        self.require_kind(true, block)?;
        self.start_operation()?;
        self.session = Session::None;
        let trailer = self
            .block(trailer_of(block))
            .filter(|_| usize::from(block) < self.block_count())
            .ok_or(CardIoError::Nak {
                address: block,
                code: NAK,
            })?;
        let stored = match slot {
            KeySlot::A => trailer.get(..6),
            KeySlot::B => trailer.get(10..16),
        };
        if stored != Some(&key[..]) {
            return Err(CardIoError::AuthenticationFailed { block });
        }
        self.session = Session::Sector {
            sector: sector_of(block),
            slot,
        };
        Ok(())
    }

    /// The slot the block's sector was opened with, and its trailer's conditions.
    fn classic_rights(&self, block: u8) -> Result<(KeySlot, [u8; 4], [u8; 16]), CardIoError> {
        let nak = CardIoError::Nak {
            address: block,
            code: NAK,
        };
        if usize::from(block) >= self.block_count() {
            return Err(nak);
        }
        let Session::Sector { sector, slot } = self.session else {
            return Err(nak);
        };
        if sector != sector_of(block) {
            return Err(nak);
        }
        let trailer = self.block(trailer_of(block)).ok_or(nak.clone())?;
        let bits: [u8; 4] = [trailer[6], trailer[7], trailer[8], trailer[9]];
        let conditions = access_conditions(bits).ok_or(nak)?;
        Ok((slot, conditions, trailer))
    }

    /// The access group (0–2 data, 3 trailer) of a block within its sector.
    fn group_of(block: u8) -> usize {
        let (first, count) = sector_blocks(sector_of(block));
        let offset = block.wrapping_sub(first);
        if offset == count - 1 {
            3
        } else if count == 4 {
            usize::from(offset)
        } else {
            usize::from(offset / 5)
        }
    }

    fn key_b_readable(conditions: [u8; 4]) -> bool {
        matches!(conditions[3], 0b000..=0b010)
    }

    fn classic_read(&mut self, block: u8) -> Result<[u8; 16], CardIoError> {
        self.require_kind(true, block)?;
        self.start_operation()?;
        let (slot, conditions, trailer) = self.classic_rights(block)?;
        let nak = CardIoError::Nak {
            address: block,
            code: NAK,
        };
        let group = Self::group_of(block);
        if group == 3 {
            let rights = trailer_rights(conditions[3], slot);
            let mut out = [0u8; 16];
            if rights.read_access {
                out[6..10].copy_from_slice(&trailer[6..10]);
            }
            if rights.read_key_b {
                out[10..].copy_from_slice(&trailer[10..]);
            }
            return Ok(out);
        }
        if slot == KeySlot::B && Self::key_b_readable(conditions) {
            return Err(nak);
        }
        let condition = conditions.get(group).copied().unwrap_or(0b111);
        if !data_rights(condition, slot).0 {
            return Err(nak);
        }
        self.block(block).ok_or(nak)
    }

    fn classic_write(&mut self, block: u8, data: [u8; 16]) -> Result<(), CardIoError> {
        self.require_kind(true, block)?;
        self.start_operation()?;
        let (slot, conditions, trailer) = self.classic_rights(block)?;
        let nak = CardIoError::Nak {
            address: block,
            code: NAK,
        };
        if block == 0 {
            return Err(nak);
        }
        let group = Self::group_of(block);
        if group == 3 {
            let rights = trailer_rights(conditions[3], slot);
            // As a real card does, a part the key may not write is left as it was.
            let mut new = trailer;
            if rights.write_key_a {
                new[..6].copy_from_slice(&data[..6]);
            }
            if rights.write_access && data[6..10] != trailer[6..10] {
                let bits = [data[6], data[7], data[8], data[9]];
                if access_conditions(bits).is_none() {
                    return Err(nak);
                }
                new[6..10].copy_from_slice(&data[6..10]);
            }
            if rights.write_key_b {
                new[10..].copy_from_slice(&data[10..]);
            }
            self.put_block(block, new);
            return Ok(());
        }
        if slot == KeySlot::B && Self::key_b_readable(conditions) {
            return Err(nak);
        }
        let condition = conditions.get(group).copied().unwrap_or(0b111);
        if !data_rights(condition, slot).1 {
            return Err(nak);
        }
        self.put_block(block, data);
        Ok(())
    }

    /// AUTH0 and whether reads are protected too (PROT).
    fn ntag_protection(&self) -> (u8, bool) {
        let (cfg0, cfg1, _, _) = ntag_config(self.card_type);
        let auth0 = self.page(cfg0).map_or(0xFF, |p| p[3]);
        let prot = self.page(cfg1).is_some_and(|p| p[0] & 0x80 != 0);
        (auth0, prot)
    }

    fn ntag_page_readable(&self, page: u8) -> Result<[u8; 4], CardIoError> {
        let nak = CardIoError::Nak {
            address: page,
            code: NAK,
        };
        let (auth0, prot) = self.ntag_protection();
        if prot && page >= auth0 && self.session != Session::Password {
            return Err(nak);
        }
        let (_, _, pwd, pack) = ntag_config(self.card_type);
        if page == pwd || page == pack {
            return Ok([0; 4]);
        }
        self.page(page).ok_or(nak)
    }

    fn ntag_read(&mut self, page: u8) -> Result<[u8; 16], CardIoError> {
        self.require_kind(false, page)?;
        self.start_operation()?;
        let count = self.page_count();
        if page >= count {
            return Err(CardIoError::Nak {
                address: page,
                code: NAK,
            });
        }
        let mut out = [0u8; 16];
        for (i, chunk) in out.chunks_exact_mut(4).enumerate() {
            let index = (usize::from(page) + i) % usize::from(count);
            let index = u8::try_from(index).unwrap_or(0);
            chunk.copy_from_slice(&self.ntag_page_readable(index)?);
        }
        Ok(out)
    }

    fn ntag_write(&mut self, page: u8, data: [u8; 4]) -> Result<(), CardIoError> {
        self.require_kind(false, page)?;
        self.start_operation()?;
        let nak = CardIoError::Nak {
            address: page,
            code: NAK,
        };
        let (auth0, _) = self.ntag_protection();
        if page < 2 || page >= self.page_count() {
            return Err(nak);
        }
        if page >= auth0 && self.session != Session::Password {
            return Err(nak);
        }
        let old = self.page(page).ok_or(nak)?;
        let new = match page {
            // Lock bytes are one-time programmable; the first two bytes are not
            // writable.
            2 => [old[0], old[1], old[2] | data[2], old[3] | data[3]],
            // The capability container is one-time programmable.
            3 => [
                old[0] | data[0],
                old[1] | data[1],
                old[2] | data[2],
                old[3] | data[3],
            ],
            _ => data,
        };
        self.put_page(page, new);
        Ok(())
    }

    fn ntag_password(&mut self, password: [u8; 4]) -> Result<[u8; 2], CardIoError> {
        self.require_kind(false, 0)?;
        self.start_operation()?;
        let (_, _, pwd, pack) = ntag_config(self.card_type);
        if self.page(pwd) != Some(password) {
            self.session = Session::None;
            return Err(CardIoError::AuthenticationFailed { block: 0 });
        }
        self.session = Session::Password;
        let pack = self.page(pack).unwrap_or([0; 4]);
        Ok([pack[0], pack[1]])
    }

    /// The card as a state file: `ACSIMCARD1`, the type (0–3), the UID's length and
    /// UID, then the whole memory.
    pub fn to_state(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        let index = CardType::ALL
            .iter()
            .position(|t| *t == self.card_type)
            .unwrap_or(0);
        out.push(u8::try_from(index).unwrap_or(0));
        out.push(u8::try_from(self.uid.len()).unwrap_or(0));
        out.extend_from_slice(&self.uid);
        out.extend_from_slice(&self.memory);
        out
    }

    /// A card from [`SimCard::to_state`]'s bytes, in the field, not selected.
    pub fn from_state(bytes: &[u8]) -> Result<Self, CardStateError> {
        let rest = bytes.strip_prefix(MAGIC).ok_or(CardStateError::BadMagic)?;
        let offset = MAGIC.len();
        let (&kind, rest) = rest.split_first().ok_or(CardStateError::BadLength {
            offset,
            expected: 1,
            found: 0,
        })?;
        let card_type =
            *CardType::ALL
                .get(usize::from(kind))
                .ok_or(CardStateError::UnknownType {
                    offset,
                    found: kind,
                })?;
        let (&len, rest) = rest.split_first().ok_or(CardStateError::BadLength {
            offset: offset + 1,
            expected: 1,
            found: 0,
        })?;
        let expected = uid_len(card_type);
        if usize::from(len) != expected {
            return Err(CardStateError::BadLength {
                offset: offset + 1,
                expected,
                found: usize::from(len),
            });
        }
        let uid = rest.get(..expected).ok_or(CardStateError::BadLength {
            offset: offset + 2,
            expected,
            found: rest.len(),
        })?;
        let memory = rest.get(expected..).unwrap_or_default();
        if memory.len() != memory_len(card_type) {
            return Err(CardStateError::BadLength {
                offset: offset + 2 + expected,
                expected: memory_len(card_type),
                found: memory.len(),
            });
        }
        Ok(SimCard {
            card_type,
            uid: uid.to_vec(),
            memory: memory.to_vec(),
            present: true,
            selected: false,
            session: Session::None,
            remove_after: None,
        })
    }
}

fn map_err(error: CardIoError) -> ExchangeError {
    match error {
        CardIoError::AuthenticationFailed { .. } => ExchangeError::Authentication,
        CardIoError::Removed | CardIoError::NoCard | CardIoError::Link(_) => {
            ExchangeError::NoAnswer
        }
        CardIoError::Nak { code, .. } => ExchangeError::Nak(code),
    }
}

impl fmt::Display for SimCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} UID ", self.card_type)?;
        for byte in &self.uid {
            write!(f, "{byte:02X}")?;
        }
        Ok(())
    }
}

impl CardIo for SimCard {
    fn detect(&mut self) -> Result<Option<CardInField>, CardIoError> {
        Ok(self.select().then(|| CardInField {
            card_type: self.card_type,
            uid: self.uid.clone(),
        }))
    }

    fn authenticate(&mut self, block: u8, slot: KeySlot, key: [u8; 6]) -> Result<(), CardIoError> {
        self.classic_auth(block, slot, key)
    }

    fn read_block(&mut self, block: u8) -> Result<[u8; 16], CardIoError> {
        self.classic_read(block)
    }

    fn write_block(&mut self, block: u8, data: [u8; 16]) -> Result<(), CardIoError> {
        self.classic_write(block, data)
    }

    fn read_pages(&mut self, page: u8) -> Result<[u8; 16], CardIoError> {
        self.ntag_read(page)
    }

    fn write_page(&mut self, page: u8, data: [u8; 4]) -> Result<(), CardIoError> {
        self.ntag_write(page, data)
    }

    fn password_auth(&mut self, password: [u8; 4]) -> Result<[u8; 2], CardIoError> {
        self.ntag_password(password)
    }

    fn release(&mut self) -> Result<(), CardIoError> {
        self.halt();
        Ok(())
    }
}
