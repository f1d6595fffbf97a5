//! The key image: the bytes a card carries, written and read back.
//!
//! Owns layout version 1, byte by byte as the module docs of [`super`] give it: the
//! writer (with the limits of every count) and the reader, which checks every field,
//! zero padding and reserved bit, and reports the byte offset of the first problem. It
//! never interprets access data against a policy (`status` does), never computes a
//! tag itself (the caller passes the key), and never panics, whatever the bytes.

use super::reader::Reader;
use crate::model::KeyOptions;
use crate::secret::Key;
use crate::time::Timestamp;
use serde::Serialize;
use thiserror::Error;

/// The first two bytes of every key image.
pub const MAGIC: [u8; 2] = *b"AK";
/// The layout this build writes and reads.
pub const LAYOUT_VERSION: u8 = 1;
/// Bytes of the tag that ends an image.
pub const TAG_LEN: usize = 16;
/// Bytes before the door records.
pub const HEADER_LEN: usize = 54;
/// Bytes of a door record.
pub const DOOR_RECORD_LEN: usize = 10;
/// Bytes of a revocation record.
pub const REVOCATION_RECORD_LEN: usize = 16;
/// Schedules a key can carry (one bit each in a door record's mask).
pub const MAX_SCHEDULES: usize = 15;
/// The bit of a door record's mask meaning "at any time".
pub const ALWAYS: u16 = 1 << 15;

const OPTION_OFFLINE: u8 = 1 << 0;
const OPTION_CARD: u8 = 1 << 1;
const OPTION_AUDIT: u8 = 1 << 2;
const OPTION_ANTIPASSBACK: u8 = 1 << 3;

/// Who a key belongs to, without naming them: 8 bytes of a tag of the user's name.
pub type HolderId = [u8; 8];
/// Which door a record is for, without naming it: 8 bytes of a tag of its name.
pub type DoorRef = [u8; 8];

/// The room an image gives each section; fixed when a key is edited, kept by updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Capacity {
    /// Door records.
    pub door_slots: u16,
    /// Bytes of the timetable.
    pub timetable_bytes: u16,
    /// Revocation records.
    pub revocation_slots: u8,
}

/// A door the key opens, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct DoorEntry {
    /// The door.
    pub door: DoorRef,
    /// [`ALWAYS`], or bit `i` for each timetable schedule `i` that opens it.
    pub schedules: u16,
}

/// A holiday calendar as carried: inclusive ranges of day numbers (days since
/// 1970-01-01), clipped to the key's life.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CardCalendar {
    /// First and last day of each range.
    pub days: Vec<(i32, i32)>,
}

/// Minutes since local midnight: a start (0–1439) and an end (1–1440); an end at or
/// before the start runs past midnight.
pub type Minutes = (u16, u16);

/// A holiday rule as carried: on days of these calendars, these ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CardHolidayRule {
    /// Timetable calendar indexes.
    pub calendars: Vec<u8>,
    /// The ranges that start on those days.
    pub ranges: Vec<Minutes>,
}

/// A schedule as carried, in the local time of the door's site.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CardSchedule {
    /// The ranges starting on each weekday, Monday first.
    pub weekly: [Vec<Minutes>; 7],
    /// Timetable calendar indexes whose days start no range.
    pub closed_on: Vec<u8>,
    /// Holiday rules, first match wins.
    pub holidays: Vec<CardHolidayRule>,
}

/// The schedules and calendars a key carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Timetable {
    /// Calendars, referred to by index.
    pub calendars: Vec<CardCalendar>,
    /// Schedules, referred to by index from door masks.
    pub schedules: Vec<CardSchedule>,
}

/// A holder whose keys issued before an instant must be refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Revocation {
    /// The holder.
    pub holder: HolderId,
    /// Keys of the holder issued before this are refused.
    pub before: Timestamp,
}

/// A key image, decoded (layout version 1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct KeyImage {
    /// Whose key it is.
    pub holder: HolderId,
    /// Key option: the key opens offline locks.
    pub offline: bool,
    /// Key option: the card number the key is bound to.
    pub card: Option<u64>,
    /// Key options that shape the structure: audit trail, anti-passback.
    pub key_options: KeyOptions,
    /// When it was written.
    pub issued: Timestamp,
    /// When it stops opening anything unless refreshed.
    pub expiry: Timestamp,
    /// First valid local day (`i32::MIN`: no first day).
    pub valid_from: i32,
    /// Last valid local day (`i32::MAX`: no last day).
    pub valid_to: i32,
    /// Room in each section.
    pub capacity: Capacity,
    /// Doors, by ascending reference.
    pub doors: Vec<DoorEntry>,
    /// Schedules and calendars.
    pub timetable: Timetable,
    /// Revocations, by ascending holder.
    pub revocations: Vec<Revocation>,
    /// The tag over every byte before it.
    pub tag: [u8; TAG_LEN],
}

/// Why bytes are not a key image: the byte offset and the problem found there.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("byte {offset}: {problem}")]
pub struct KeyImageError {
    /// Offset of the first byte of the faulty field.
    pub offset: usize,
    /// What is wrong.
    pub problem: ImageProblem,
}

/// What is wrong with a key image.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImageProblem {
    /// The bytes end inside a field.
    #[error("the image ends early: {needed} more bytes expected")]
    Truncated {
        /// Bytes missing.
        needed: usize,
    },
    /// Not `AK`.
    #[error("not a key image: it must start with `AK`")]
    BadMagic,
    /// A layout this build cannot read.
    #[error("layout version {0} is unknown (this build reads version 1)")]
    UnknownLayout(u8),
    /// A reserved bit is set, or a card number is given without the card option.
    #[error("reserved bits set: `{0:#04x}`")]
    ReservedBits(u64),
    /// A section holds more than its capacity.
    #[error("{used} used of {capacity} slots")]
    OverCapacity {
        /// Used.
        used: usize,
        /// Capacity.
        capacity: usize,
    },
    /// An unused slot or byte is not zero.
    #[error("unused space must be zero")]
    NonZeroPadding,
    /// Door references or revocation holders out of order or repeated.
    #[error("entries must be in strictly ascending order")]
    Unordered,
    /// A door mask that names no schedule, a missing one, or one beside "always".
    #[error("door schedule mask `{0:#06x}` is invalid")]
    BadMask(u16),
    /// A minute out of range.
    #[error("minute {0} is out of range")]
    BadMinute(u16),
    /// A day range whose first day is after its last.
    #[error("day range {0}..{1} is reversed")]
    ReversedDays(i32, i32),
    /// A calendar index past the calendars.
    #[error("calendar index {0} does not exist")]
    BadCalendar(u8),
    /// More schedules than masks can name.
    #[error("{0} schedules, beyond the 15 a key can carry")]
    TooManySchedules(u8),
    /// The timetable's content does not fill exactly its stated length.
    #[error("the timetable's content is {parsed} bytes, not the {stated} stated")]
    TimetableLength {
        /// Bytes its content takes.
        parsed: usize,
        /// Bytes the header states.
        stated: usize,
    },
    /// Bytes after the tag.
    #[error("{0} bytes after the tag")]
    TrailingBytes(usize),
    /// A count beyond what the layout can write (when writing).
    #[error("{count} {what}, beyond the layout's {limit}")]
    TooMany {
        /// What overflows.
        what: &'static str,
        /// How many there are.
        count: usize,
        /// The layout's limit.
        limit: usize,
    },
}

/// The part of the image that every layout shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyHeader {
    /// The layout version.
    pub version: u8,
    /// Whose key it is.
    pub holder: HolderId,
}

/// Reads the header every layout shares: magic, version, holder.
pub fn read_header(bytes: &[u8]) -> Result<KeyHeader, KeyImageError> {
    let mut reader = Reader::new(bytes, 0);
    if reader.array::<2>()? != MAGIC {
        return Err(reader.error_at(0, ImageProblem::BadMagic));
    }
    Ok(KeyHeader {
        version: reader.u8()?,
        holder: reader.array::<8>()?,
    })
}

/// Whether the last [`TAG_LEN`] bytes of `bytes` authenticate the rest under
/// `card_key` (compared in constant time).
pub fn is_authentic(bytes: &[u8], card_key: &Key) -> bool {
    bytes
        .len()
        .checked_sub(TAG_LEN)
        .map(|body| bytes.split_at(body))
        .is_some_and(|(body, tag)| card_key.verify(body, tag))
}

impl KeyImage {
    /// Reads an image of layout version 1. It does not authenticate it: see
    /// [`is_authentic`].
    pub fn decode(bytes: &[u8]) -> Result<KeyImage, KeyImageError> {
        super::decode::decode(bytes)
    }

    /// The image's bytes, tag included.
    pub fn to_bytes(&self) -> Result<Vec<u8>, KeyImageError> {
        let mut out = self.body()?;
        out.extend_from_slice(&self.tag);
        Ok(out)
    }

    /// Computes the tag under `card_key` and stores it.
    pub fn sign(&mut self, card_key: &Key) -> Result<(), KeyImageError> {
        let tag = card_key.tag(&self.body()?);
        self.tag.iter_mut().zip(tag).for_each(|(t, v)| *t = v);
        Ok(())
    }

    /// Every byte before the tag.
    fn body(&self) -> Result<Vec<u8>, KeyImageError> {
        super::encode::body(self)
    }

    /// Whether the key opens nothing at `at`: past its expiry.
    pub fn expired(&self, at: Timestamp) -> bool {
        at >= self.expiry
    }

    /// The options byte.
    pub(super) fn options(&self) -> u8 {
        let mut options = 0;
        if self.offline {
            options |= OPTION_OFFLINE;
        }
        if self.card.is_some() {
            options |= OPTION_CARD;
        }
        if self.key_options.contains(KeyOptions::AUDIT) {
            options |= OPTION_AUDIT;
        }
        if self.key_options.contains(KeyOptions::ANTIPASSBACK) {
            options |= OPTION_ANTIPASSBACK;
        }
        options
    }

    /// The offline, card and structural options from an options byte and a card
    /// number.
    pub(super) fn read_options(
        options: u8,
        card: u64,
    ) -> Result<(bool, Option<u64>, KeyOptions), u64> {
        let known = OPTION_OFFLINE | OPTION_CARD | OPTION_AUDIT | OPTION_ANTIPASSBACK;
        let reserved = options & !known;
        if reserved != 0 {
            return Err(u64::from(reserved));
        }
        let has_card = options & OPTION_CARD != 0;
        if !has_card && card != 0 {
            return Err(card);
        }
        let mut key_options = KeyOptions::empty();
        key_options.set(KeyOptions::AUDIT, options & OPTION_AUDIT != 0);
        key_options.set(KeyOptions::ANTIPASSBACK, options & OPTION_ANTIPASSBACK != 0);
        Ok((
            options & OPTION_OFFLINE != 0,
            has_card.then_some(card),
            key_options,
        ))
    }
}
