//! The key area of a card, as one run of bytes: two slots, each a key image and a
//! sealed header, and the plan of a write that leaves the old key or the new one.
//!
//! Owns the slot header (magic, layout, slot, generation, image length, seal), where
//! each slot lies, the choice of the newest valid slot, and the order of a write:
//! the new image's units first, into the slot that does not hold the current key, its
//! header last. It is pure: it reads bytes and returns bytes, and never panics on any.
//!
//! Slot 0's header is the first 16 bytes of the area and its image follows it; slot
//! 1's header is the last 16 bytes and its image ends just before it. A slot is valid
//! when its header's seal verifies (binding it to the card's UID, its slot, its
//! generation and its image's tag) and its image's own tag verifies under the card
//! key. A header is written only after the whole image it seals: a write cut before it
//! leaves a slot whose old header does not seal the new bytes (or whose image tag fails
//! on the mixed bytes), which no reader accepts, so the other slot — the old key — is
//! still the newest valid one.

use super::{CardSecrets, Geometry};
use crate::card_io::CardType;
use accessctl_core::card_key::{is_authentic, TAG_LEN};
use thiserror::Error;

/// The first two bytes of a slot header.
pub const SLOT_MAGIC: [u8; 2] = *b"AC";
/// The card layout this build writes and reads.
pub const CARD_LAYOUT_VERSION: u8 = 1;
/// Bytes of a slot header.
pub const SLOT_HEADER_LEN: usize = 16;
/// Bytes of a header's seal.
pub const SEAL_LEN: usize = 6;
/// Bytes of a header before its seal.
const SEALED_LEN: usize = SLOT_HEADER_LEN - SEAL_LEN;

/// Why a slot holds no acceptable key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SlotProblem {
    /// The header does not start with `AC`.
    #[error("no slot header")]
    BadMagic,
    /// A card layout this build cannot read.
    #[error("card layout {0} is unknown (this build reads 1)")]
    UnknownLayout(u8),
    /// The header names another slot.
    #[error("the header names slot {0}")]
    WrongSlot(u8),
    /// The image length does not fit the area.
    #[error("an image of {0} bytes does not fit the slot")]
    BadLength(u16),
    /// The seal does not verify: a header from another card, another site, or one
    /// left half-written.
    #[error("the header's seal does not verify")]
    BadSeal,
    /// The image's tag does not verify: an image left half-written, or forged.
    #[error("the key image does not verify")]
    NotAuthentic,
}

/// What one slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotState {
    /// Nothing: its header is all zeros.
    Empty,
    /// Something no reader accepts.
    Invalid(SlotProblem),
    /// A sealed, authentic key image.
    Valid {
        /// Its generation.
        generation: u32,
        /// Its image's bytes.
        length: u16,
    },
}

/// The key a card holds: the newest valid slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The slot, 0 or 1.
    pub slot: u8,
    /// Its generation: one more than the key it replaced.
    pub generation: u32,
    /// The key image (the core's layout, authenticated).
    pub image: Vec<u8>,
}

/// The key area read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaRead {
    /// What each slot holds.
    pub slots: [SlotState; 2],
    /// The key an offline lock would take: the valid slot of highest generation.
    pub key: Option<Stored>,
}

/// Why bytes are not a key area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum LayoutError {
    /// The bytes are not the size of the card's key area.
    #[error("{found} bytes read, the key area of the card ({card}) has {expected}")]
    AreaLength {
        /// The card family.
        card: CardName,
        /// Its key area.
        expected: usize,
        /// Bytes given.
        found: usize,
    },
}

/// A key image too large for the card, refused before anything is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error(
    "a key image of {image} bytes does not fit the card ({card}): a slot needs {needed} \
     bytes (image, padding and header), the card's key area has {free} bytes and takes \
     an image of {largest} bytes at most"
)]
pub struct TooLarge {
    /// The card family.
    pub card: CardName,
    /// The image's bytes.
    pub image: usize,
    /// Bytes the slot would take.
    pub needed: usize,
    /// The card's key area.
    pub free: usize,
    /// The largest image the card takes.
    pub largest: usize,
}

/// A card family's name, for messages: `MIFARE Classic 1K`, `NTAG215`, …
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardName(pub CardType);

impl std::fmt::Display for CardName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            CardType::Classic1k => "MIFARE Classic 1K",
            CardType::Classic4k => "MIFARE Classic 4K",
            CardType::Ntag215 => "NTAG215",
            CardType::Ntag216 => "NTAG216",
        })
    }
}

/// One unit to write: its index in the area's units, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitWrite {
    /// Index into [`Geometry::units`].
    pub unit: usize,
    /// The unit's bytes (16 or 4).
    pub data: Vec<u8>,
}

/// The writes that put a new key in a card's key area, in the order they must be
/// done: the target slot's header wiped (its first unit zeroed), the image's units,
/// then the header's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WritePlan {
    /// The slot written.
    pub slot: u8,
    /// Its new generation.
    pub generation: u32,
    /// Whether the current key survives a write cut short: true unless the new slot
    /// overlaps it (an image larger than half the area).
    pub keeps_current: bool,
    /// The writes, in order; the last ones are the header.
    pub writes: Vec<UnitWrite>,
}

/// Bytes an image takes in a slot, padded to whole units.
fn padded(geometry: Geometry, image: usize) -> usize {
    image
        .div_ceil(geometry.unit_len())
        .saturating_mul(geometry.unit_len())
}

/// The largest image `geometry`'s key area takes, and the largest whose two slots fit
/// side by side (so that a write cut short keeps the old key).
pub fn capacity(geometry: Geometry) -> (usize, usize) {
    let room = geometry.area_len().saturating_sub(2 * SLOT_HEADER_LEN);
    let unit = geometry.unit_len();
    let largest = room.min(usize::from(u16::MAX));
    let safe = (room / 2 / unit * unit).min(usize::from(u16::MAX));
    (largest, safe)
}

/// Where slot `slot`'s header and image (padded) lie in an area of `area` bytes.
fn extents(slot: u8, padded: usize, area: usize) -> (usize, std::ops::Range<usize>) {
    if slot == 0 {
        (0, SLOT_HEADER_LEN..SLOT_HEADER_LEN.saturating_add(padded))
    } else {
        let header = area.saturating_sub(SLOT_HEADER_LEN);
        (header, header.saturating_sub(padded)..header)
    }
}

/// The seal of a header's first 10 bytes over the image tag `tag`.
fn seal(secrets: &CardSecrets, sealed: &[u8], tag: &[u8]) -> [u8; SEAL_LEN] {
    let uid = secrets.uid();
    let uid_len = [u8::try_from(uid.len()).unwrap_or(u8::MAX)];
    let full = secrets
        .seal_key()
        .tag_parts(&[b"slot", &uid_len, uid, sealed, tag]);
    let mut out = [0u8; SEAL_LEN];
    out.iter_mut().zip(full).for_each(|(o, f)| *o = f);
    out
}

/// Reads slot `slot` of `area`.
fn read_slot(
    geometry: Geometry,
    secrets: &CardSecrets,
    area: &[u8],
    slot: u8,
) -> (SlotState, Option<Stored>) {
    let (at, _) = extents(slot, 0, area.len());
    let Some(header) = area.get(at..at.saturating_add(SLOT_HEADER_LEN)) else {
        return (SlotState::Invalid(SlotProblem::BadMagic), None);
    };
    match check_slot(geometry, secrets, area, slot, header) {
        Ok(stored) => (
            SlotState::Valid {
                generation: stored.generation,
                length: u16::try_from(stored.image.len()).unwrap_or(u16::MAX),
            },
            Some(stored),
        ),
        Err(SlotProblem::BadMagic) if header.iter().all(|b| *b == 0) => (SlotState::Empty, None),
        Err(problem) => (SlotState::Invalid(problem), None),
    }
}

fn check_slot(
    geometry: Geometry,
    secrets: &CardSecrets,
    area: &[u8],
    slot: u8,
    header: &[u8],
) -> Result<Stored, SlotProblem> {
    let byte = |i: usize| header.get(i).copied().unwrap_or(0);
    if header.get(..2) != Some(&SLOT_MAGIC[..]) {
        return Err(SlotProblem::BadMagic);
    }
    if byte(2) != CARD_LAYOUT_VERSION {
        return Err(SlotProblem::UnknownLayout(byte(2)));
    }
    if byte(3) != slot {
        return Err(SlotProblem::WrongSlot(byte(3)));
    }
    let generation = u32::from_be_bytes([byte(4), byte(5), byte(6), byte(7)]);
    let length = u16::from_be_bytes([byte(8), byte(9)]);
    let (largest, _) = capacity(geometry);
    let len = usize::from(length);
    if len < TAG_LEN || len > largest {
        return Err(SlotProblem::BadLength(length));
    }
    let (_, body) = extents(slot, padded(geometry, len), area.len());
    let image = area
        .get(body.start..body.start.saturating_add(len))
        .ok_or(SlotProblem::BadLength(length))?;
    let tag = image.get(len - TAG_LEN..).unwrap_or(&[]);
    let sealed = header.get(..SEALED_LEN).unwrap_or(&[]);
    let expected = seal(secrets, sealed, tag);
    let written = header.get(SEALED_LEN..).unwrap_or(&[]);
    if !accessctl_core::secret::constant_time_eq(&expected, written) {
        return Err(SlotProblem::BadSeal);
    }
    if !is_authentic(image, secrets.card_key()) {
        return Err(SlotProblem::NotAuthentic);
    }
    Ok(Stored {
        slot,
        generation,
        image: image.to_vec(),
    })
}

/// Reads the key area `area` of a card: what each slot holds, and the key a lock
/// would take.
pub fn read_area(
    geometry: Geometry,
    secrets: &CardSecrets,
    area: &[u8],
) -> Result<AreaRead, LayoutError> {
    if area.len() != geometry.area_len() {
        return Err(LayoutError::AreaLength {
            card: CardName(geometry.card_type),
            expected: geometry.area_len(),
            found: area.len(),
        });
    }
    let (first, first_key) = read_slot(geometry, secrets, area, 0);
    let (second, second_key) = read_slot(geometry, secrets, area, 1);
    let key = match (first_key, second_key) {
        (Some(a), Some(b)) => Some(if b.generation > a.generation { b } else { a }),
        (a, b) => a.or(b),
    };
    Ok(AreaRead {
        slots: [first, second],
        key,
    })
}

/// Plans the write of `image` into the card whose key area reads `now`.
pub fn plan_write(
    geometry: Geometry,
    secrets: &CardSecrets,
    now: &AreaRead,
    image: &[u8],
) -> Result<WritePlan, TooLarge> {
    let (largest, _) = capacity(geometry);
    let area = geometry.area_len();
    let body_len = padded(geometry, image.len());
    let too_large = TooLarge {
        card: CardName(geometry.card_type),
        image: image.len(),
        needed: body_len.saturating_add(SLOT_HEADER_LEN),
        free: area,
        largest,
    };
    if image.len() > largest || image.len() < TAG_LEN {
        return Err(too_large);
    }
    let length = u16::try_from(image.len()).map_err(|_| too_large)?;
    let (slot, generation, keeps_current) = match &now.key {
        None => (0, 1, true),
        Some(current) => {
            let slot = 1 - current.slot.min(1);
            let (cur_header, cur_body) =
                extents(current.slot, padded(geometry, current.image.len()), area);
            let (new_header, new_body) = extents(slot, body_len, area);
            let overlaps = |a: &std::ops::Range<usize>, b: &std::ops::Range<usize>| {
                a.start < b.end && b.start < a.end
            };
            let header = |at: usize| at..at.saturating_add(SLOT_HEADER_LEN);
            let new_extents = [header(new_header), new_body];
            let current_extents = [header(cur_header), cur_body];
            let keeps = !new_extents
                .iter()
                .any(|n| current_extents.iter().any(|c| overlaps(n, c)));
            (slot, current.generation.saturating_add(1), keeps)
        }
    };
    let mut bytes = vec![0u8; area];
    let (header_at, body) = extents(slot, body_len, area);
    if let Some(target) = bytes.get_mut(body.start..body.start.saturating_add(image.len())) {
        target.copy_from_slice(image);
    }
    let mut header = [0u8; SLOT_HEADER_LEN];
    let generation_bytes = generation.to_be_bytes();
    let length_bytes = length.to_be_bytes();
    let sealed = SLOT_MAGIC
        .into_iter()
        .chain([CARD_LAYOUT_VERSION, slot])
        .chain(generation_bytes)
        .chain(length_bytes);
    header.iter_mut().zip(sealed).for_each(|(h, s)| *h = s);
    let tag = image.get(image.len() - TAG_LEN..).unwrap_or(&[]);
    let sealed_part = header.get(..SEALED_LEN).unwrap_or(&[]).to_vec();
    let seal_bytes = seal(secrets, &sealed_part, tag);
    header
        .iter_mut()
        .skip(SEALED_LEN)
        .zip(seal_bytes)
        .for_each(|(h, s)| *h = s);
    if let Some(target) = bytes.get_mut(header_at..header_at.saturating_add(SLOT_HEADER_LEN)) {
        target.copy_from_slice(&header);
    }
    let unit = geometry.unit_len();
    let units_of = |range: std::ops::Range<usize>| (range.start / unit)..range.end.div_ceil(unit);
    let write = |index: usize| UnitWrite {
        unit: index,
        data: bytes
            .get(index * unit..(index + 1) * unit)
            .unwrap_or(&[])
            .to_vec(),
    };
    let header_units = units_of(header_at..header_at.saturating_add(SLOT_HEADER_LEN));
    // The target slot's old header is wiped first, so that an older key it may hold
    // never outlives the current one when the new image overlaps the current key.
    let mut writes = vec![UnitWrite {
        unit: header_units.start,
        data: vec![0; unit],
    }];
    writes.extend(units_of(body).map(write));
    writes.extend(header_units.map(write));
    Ok(WritePlan {
        slot,
        generation,
        keeps_current,
        writes,
    })
}
