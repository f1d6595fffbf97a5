//! The lock memory image: what an offline lock holds, as a compact, versioned,
//! authenticated binary format.
//!
//! Owns the contents of an image ([`ImageContents`]), its byte layout (below), the
//! encoder ([`ImageContents::seal`]) and the decoder ([`LockImage::decode`],
//! [`UnverifiedImage::read`]), the keys derived for one lock ([`lock_key`]) and the keyed
//! digests that stand for credentials. It never prints a key, never stores a
//! credential or a space code in clear, and its decoder never panics: every input is
//! either an image or a [`DecodeError`] naming the byte offset where it went wrong.
//!
//! # Keys
//!
//! Each lock holds its own key, `lock_key(site key, door name)` =
//! `site_key.derive("lock-image", door name)`; a lock never learns the site key, so a
//! stolen lock reveals no other door's key. From the lock key come two keys:
//! `derive("lock-image/tag", "")` authenticates the image (HMAC-SHA256 over every byte
//! before the trailer) and `derive("lock-image/credential", "")` computes the
//! credential digests.
//!
//! # Credential digests
//!
//! A credential is stored as the first 6 bytes of HMAC-SHA256(credential key, kind ‖
//! value), kind being 1 for a card (value: the number as 8 bytes big-endian), 2 for a
//! keypad code (a PIN or a permanent space code; value: its UTF-8 bytes), 3 for a QR
//! code, 4 for a mobile key. Reading an image does not reveal codes or card numbers
//! without the lock key. A credential nobody holds matches one of `n` digests with
//! probability `n / 2^48` (1.4·10⁻¹¹ per attempt for 4,000 entries, far below guessing a
//! valid card number); the builder refuses an image where two credentials share a
//! digest. An attacker who extracts the lock key itself can test guesses offline, so
//! short codes then fall: keep the lock key in the lock's secure element.
//!
//! # Layout, version 1
//!
//! Integers are little-endian; `i64` instants are seconds since 1970-01-01T00:00:00Z;
//! days are `u16` local day numbers (days since 1970-01-01 in the site's local time);
//! minutes are `u16` minutes since local midnight, `0..=1440`.
//!
//! Header, 48 bytes, then the door name:
//!
//! | offset | size | field |
//! |---:|---:|---|
//! | 0 | 4 | magic `ACLI` (`41 43 4c 49`) |
//! | 4 | 1 | layout version, `1` |
//! | 5 | 1 | reader modes the door accepts: bit 0 badge, 1 pin, 2 qr, 3 mobile, 4 remote; other bits 0 |
//! | 6 | 1 | factors the door requires, same bits (0: any one accepted medium) |
//! | 7 | 1 | `N`, length of the door name |
//! | 8 | 8 | issue instant (`i64`) |
//! | 16 | 8 | horizon (`i64`), after the issue instant: the image answers exactly for instants in `[issue, horizon)` |
//! | 24 | 4 | UTC offset in force at the issue instant (`i32` seconds east of UTC, `\|offset\| < 86,400`) |
//! | 28 | 2 | the door's own schedule: index into the schedules, `0xffff` for none |
//! | 30 | 2 | `T`, offset changes |
//! | 32 | 2 | `C`, holiday calendars |
//! | 34 | 2 | `S`, schedules |
//! | 36 | 2 | `R`, access rules |
//! | 38 | 2 | `H`, holders |
//! | 40 | 2 | `P`, permanent space codes |
//! | 42 | 2 | `E`, credentials |
//! | 44 | 2 | `V`, revoked credentials |
//! | 46 | 2 | reserved, `0` |
//! | 48 | `N` | the door name, UTF-8 |
//!
//! Then the sections, in this order, with no padding:
//!
//! 1. **Offset changes**, `T` × 12 bytes: the instant (`i64`) a new offset comes into
//!    force and that offset (`i32`, `|offset| < 86,400`); instants strictly ascending,
//!    strictly after the issue instant and before the horizon.
//! 2. **Holiday calendars**, `C` × (`u16` count `n`, then `n` × (first day `u16`, last
//!    day `u16`)): inclusive day spans, first ≤ last, ascending, neither overlapping
//!    nor touching (a span starts at least two days after the previous one ends).
//!    Only the days near the issue-to-horizon window are kept.
//! 3. **Schedules**, `S` × (seven *day ranges*, Monday to Sunday; `u8` count `k`, then
//!    `k` × `u16` calendars whose days close the schedule, strictly ascending; `u8`
//!    count `h`, then `h` holiday rules, each a `u8` count `m`, `m` × `u16` calendars
//!    strictly ascending, and one *day ranges*). The first holiday rule one of whose
//!    calendars holds a day gives that day's ranges; else a closing calendar closes it;
//!    else the weekday's ranges apply.
//!
//!    *Day ranges*: `u16` spill end `e` (`0..=1440`): ranges starting that day and
//!    running past midnight keep the next day open over `[0, e)`; then `u8` count `n`
//!    and `n` × (start `u16`, end `u16`): the minutes `[start, end)` open that day,
//!    `start < end ≤ 1440`, ascending, neither overlapping nor touching.
//! 4. **Access rules**, `R` × (`u8` kind, `u8` count `n`, `n` × `u16`). Kind 0: the
//!    schedules of the holder's most specific grants on this door, in grant order,
//!    without repeats; the door opens if any is open; `0xffff` stands for no schedule
//!    (always open) and may only come last. Kind 1: *inactive*, the holder's access
//!    control is deactivated (`n` = 0). No other kind exists in version 1.
//! 5. **Holders**, `H` × 6 bytes: first valid day (`u16`), last valid day (`u16`),
//!    access rule (`u16` index).
//! 6. **Permanent space codes**, `P` × 6 bytes: keypad digests, strictly ascending.
//! 7. **Credentials**, `E` × 8 bytes: digest (6 bytes), holder (`u16` index); digests
//!    strictly ascending.
//! 8. **Revoked credentials**, `V` × 8 bytes, as credentials: the credentials of
//!    holders who can no longer open this door (deactivated, or whose validity ended
//!    before the issue day), so that a lock also refuses them when they come with
//!    rights of their own (a card key); digests strictly ascending, none also among
//!    the credentials.
//!
//! Trailer, 32 bytes: HMAC-SHA256 under the tag key of every byte before it.
//!
//! An image is in canonical form: the decoder refuses any other byte string, so
//! decoding then encoding gives back the same bytes. For 4,000 holders with one card
//! each, an image takes about 56 KB.

mod decode;
mod encode;
#[cfg(test)]
mod tests;

pub use decode::{DecodeError, Malformed};
pub use encode::SealError;

use crate::decide::Presented;
use crate::model::{Credential, ReaderModes};
use crate::secret::{Key, KEY_LEN};
use crate::time::Timestamp;
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;

/// The first four bytes of every image.
pub const MAGIC: [u8; 4] = *b"ACLI";
/// The layout version this build writes and reads.
pub const LAYOUT_VERSION: u8 = 1;
/// Bytes of the fixed header, before the door name.
pub const HEADER_LEN: usize = 48;
/// Bytes of a credential digest.
pub const DIGEST_LEN: usize = 6;
/// Bytes of the trailer (the authentication tag).
pub const TAG_LEN: usize = KEY_LEN;
/// The index that stands for "no schedule".
pub const NO_SCHEDULE: u16 = 0xffff;

/// A keyed digest standing for a credential.
pub type Digest = [u8; DIGEST_LEN];

/// The key of the lock at door `door`, derived from its site's key.
pub fn lock_key(site_key: &Key, door: &str) -> Key {
    site_key.derive("lock-image", door.as_bytes())
}

fn tag_key(lock_key: &Key) -> Key {
    lock_key.derive("lock-image/tag", b"")
}

/// A change of the site's UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct OffsetChange {
    /// When the new offset comes into force.
    pub at: Timestamp,
    /// Seconds east of UTC from then on.
    pub offset: i32,
}

/// Inclusive local days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DaySpan {
    /// First day.
    pub first: u16,
    /// Last day.
    pub last: u16,
}

/// A holiday calendar's days near the image's window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Calendar {
    /// Ascending, disjoint, non-touching spans.
    pub spans: Vec<DaySpan>,
}

/// Minutes `[start, end)` of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MinuteSpan {
    /// First open minute.
    pub start: u16,
    /// Minute after the last open one.
    pub end: u16,
}

/// The ranges that start on one kind of day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DayRanges {
    /// The next day is open over `[0, spill)` (0: nothing spills past midnight).
    pub spill: u16,
    /// The minutes open on the day itself: ascending, disjoint, non-touching.
    pub open: Vec<MinuteSpan>,
}

/// Ranges that replace the weekly ones on the days of some calendars.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct HolidayRanges {
    /// Calendar indexes, strictly ascending.
    pub calendars: Vec<u16>,
    /// The ranges of those days.
    pub ranges: DayRanges,
}

/// A schedule in compact weekly form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct WeeklySchedule {
    /// Monday to Sunday.
    pub weekly: [DayRanges; 7],
    /// Calendars whose days close the schedule, strictly ascending.
    pub closed_on: Vec<u16>,
    /// Holiday rules, in order: the first that holds a day decides it.
    pub holiday_rules: Vec<HolidayRanges>,
}

/// What a holder may do at the door, once validity is checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Open when any of these schedules is open (`None`: always); in grant order.
    Schedules(Vec<Option<u16>>),
    /// Access control deactivated: denied `inactive`.
    Inactive,
}

/// One holder: a user with offline access to this door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HolderRecord {
    /// First valid local day (0: from the start).
    pub valid_from: u16,
    /// Last valid local day (`0xffff`: no end).
    pub valid_to: u16,
    /// Index of the access rule.
    pub rule: u16,
}

/// A credential digest and the holder it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Entry {
    /// The keyed digest.
    pub digest: Digest,
    /// Index of the holder.
    pub holder: u16,
}

/// Everything an image holds, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageContents {
    /// The door's name.
    pub door: String,
    /// Media the door accepts.
    pub readers: ReaderModes,
    /// Factors the door requires.
    pub required: ReaderModes,
    /// When the image was issued.
    pub issued: Timestamp,
    /// The end of the window the image answers exactly for.
    pub horizon: Timestamp,
    /// The UTC offset in force at issue.
    pub base_offset: i32,
    /// The later offset changes before the horizon.
    pub transitions: Vec<OffsetChange>,
    /// The door's own schedule.
    pub door_schedule: Option<u16>,
    /// Holiday calendars.
    pub calendars: Vec<Calendar>,
    /// Schedules.
    pub schedules: Vec<WeeklySchedule>,
    /// Access rules.
    pub rules: Vec<Rule>,
    /// Holders.
    pub holders: Vec<HolderRecord>,
    /// Permanent space codes covering the door, as keypad digests.
    pub space_codes: Vec<Digest>,
    /// Credentials that may open.
    pub credentials: Vec<Entry>,
    /// Credentials that may no longer open.
    pub revocations: Vec<Entry>,
}

impl ImageContents {
    /// The image's bytes before the trailer (see the layout above).
    pub fn encode(&self) -> Result<Vec<u8>, SealError> {
        encode::body(self)
    }

    /// The complete image, authenticated with `lock_key`. Refuses contents the
    /// decoder would refuse (out-of-order tables, dangling indexes, counts beyond the
    /// layout's), so every sealed image decodes to these contents.
    pub fn seal(&self, lock_key: &Key) -> Result<Vec<u8>, SealError> {
        let mut bytes = self.encode()?;
        if decode::parse(&bytes).map_err(SealError::Invalid)? != *self {
            return Err(SealError::ReservedIndex);
        }
        let tag = tag_key(lock_key).tag(&bytes);
        bytes.extend_from_slice(&tag);
        Ok(bytes)
    }

    /// A summary without secrets, for people and for `lock inspect`.
    pub fn summary(&self) -> ImageSummary {
        ImageSummary {
            layout_version: LAYOUT_VERSION,
            door: self.door.clone(),
            bytes: encode::len(self) + TAG_LEN,
            issued: self.issued,
            horizon: self.horizon,
            readers: self.readers,
            required: self.required,
            base_offset: self.base_offset,
            transitions: self.transitions.clone(),
            door_schedule: self.door_schedule.is_some(),
            calendars: self.calendars.len(),
            holidays: self.calendars.iter().map(|c| c.spans.len()).sum(),
            schedules: self.schedules.len(),
            rules: self.rules.len(),
            holders: self.holders.len(),
            space_codes: self.space_codes.len(),
            credentials: self.credentials.len(),
            revocations: self.revocations.len(),
            entries: self.entries(),
        }
    }

    /// Entries the lock's memory holds: space codes, credentials and revoked
    /// credentials (what a door's `capacity` counts).
    pub fn entries(&self) -> usize {
        self.space_codes.len() + self.credentials.len() + self.revocations.len()
    }
}

/// What an image holds, without any digest or key: for `lock inspect`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageSummary {
    /// The layout version.
    pub layout_version: u8,
    /// The door's name.
    pub door: String,
    /// Size of the image in bytes, trailer included.
    pub bytes: usize,
    /// When it was issued.
    pub issued: Timestamp,
    /// The end of the window it answers exactly for.
    pub horizon: Timestamp,
    /// Media the door accepts.
    pub readers: ReaderModes,
    /// Factors the door requires.
    pub required: ReaderModes,
    /// UTC offset at issue, seconds east.
    pub base_offset: i32,
    /// Later offset changes.
    pub transitions: Vec<OffsetChange>,
    /// Whether the door has its own schedule.
    pub door_schedule: bool,
    /// Holiday calendars.
    pub calendars: usize,
    /// Holiday spans over all calendars.
    pub holidays: usize,
    /// Schedules.
    pub schedules: usize,
    /// Access rules.
    pub rules: usize,
    /// Holders.
    pub holders: usize,
    /// Permanent space codes.
    pub space_codes: usize,
    /// Credentials that may open.
    pub credentials: usize,
    /// Revoked credentials.
    pub revocations: usize,
    /// Space codes, credentials and revocations together.
    pub entries: usize,
}

/// An image whose layout was read but whose tag was not checked: enough to show what
/// it holds, never to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnverifiedImage<'a> {
    bytes: &'a [u8],
    contents: ImageContents,
}

impl<'a> UnverifiedImage<'a> {
    /// Reads the layout of `bytes` (the trailer must be there, unchecked).
    pub fn read(bytes: &'a [u8]) -> Result<UnverifiedImage<'a>, DecodeError> {
        let body = split(bytes)?.0;
        let contents = decode::parse(body)?;
        Ok(UnverifiedImage { bytes, contents })
    }

    /// What it holds.
    pub fn contents(&self) -> &ImageContents {
        &self.contents
    }

    /// Its trailer, as read.
    pub fn tag(&self) -> &'a [u8] {
        split(self.bytes).map_or(&[], |(_, tag)| tag)
    }

    /// A summary without secrets.
    pub fn summary(&self) -> ImageSummary {
        self.contents.summary()
    }

    /// Whether its tag is the one `lock_key` gives (compared in constant time).
    pub fn is_authentic(&self, lock_key: &Key) -> bool {
        authentic(self.bytes, lock_key)
    }

    /// The image, once its tag is checked against `lock_key`.
    pub fn authenticate(self, lock_key: &Key) -> Result<LockImage, DecodeError> {
        if !self.is_authentic(lock_key) {
            return Err(DecodeError::NotAuthentic);
        }
        Ok(LockImage {
            contents: self.contents,
            digester: Digester::new(lock_key),
        })
    }
}

/// What `lock inspect` shows: the summary, and whether the image is authentic when a
/// key was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inspection {
    /// What the image holds.
    #[serde(flatten)]
    pub summary: ImageSummary,
    /// `Some(true)` when the key given authenticates it; `None` without a key.
    pub authentic: Option<bool>,
}

/// Reads an image for display: its summary, and its authenticity under `lock_key` if
/// one is given. Never shows a digest or a key.
pub fn inspect(bytes: &[u8], lock_key: Option<&Key>) -> Result<Inspection, DecodeError> {
    let image = UnverifiedImage::read(bytes)?;
    Ok(Inspection {
        summary: image.summary(),
        authentic: lock_key.map(|key| image.is_authentic(key)),
    })
}

/// An authenticated image, ready to decide (see [`LockImage::decide`]).
#[derive(Clone)]
pub struct LockImage {
    pub(crate) contents: ImageContents,
    pub(crate) digester: Digester,
}

impl LockImage {
    /// Checks the tag of `bytes` under `lock_key`, then reads them. Any byte changed
    /// makes it [`DecodeError::NotAuthentic`].
    pub fn decode(bytes: &[u8], lock_key: &Key) -> Result<LockImage, DecodeError> {
        if bytes.len() < TAG_LEN {
            return Err(DecodeError::Truncated {
                offset: bytes.len(),
                what: "the trailer",
            });
        }
        if !authentic(bytes, lock_key) {
            return Err(DecodeError::NotAuthentic);
        }
        UnverifiedImage::read(bytes)?.authenticate(lock_key)
    }

    /// What it holds.
    pub fn contents(&self) -> &ImageContents {
        &self.contents
    }

    /// A summary without secrets.
    pub fn summary(&self) -> ImageSummary {
        self.contents.summary()
    }

    /// The digests of presented credentials, as this lock computes them.
    pub fn digests(&self, presented: &Presented<'_>) -> PresentedDigests {
        self.digester.presented(presented)
    }
}

impl std::fmt::Debug for LockImage {
    /// Shows the door and counts, never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LockImage")
            .field("door", &self.contents.door)
            .field("entries", &self.contents.entries())
            .finish_non_exhaustive()
    }
}

/// The digests of the credentials presented at a reader.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PresentedDigests {
    /// Of the card number.
    pub card: Option<Digest>,
    /// Of the code typed on the keypad.
    pub keypad: Option<Digest>,
    /// Of the QR code.
    pub qr: Option<Digest>,
    /// Of the mobile key.
    pub mobile: Option<Digest>,
}

/// The body and trailer of an image.
fn split(bytes: &[u8]) -> Result<(&[u8], &[u8]), DecodeError> {
    let body_len = bytes
        .len()
        .checked_sub(TAG_LEN)
        .ok_or(DecodeError::Truncated {
            offset: bytes.len(),
            what: "the trailer",
        })?;
    Ok(bytes.split_at(body_len))
}

fn authentic(bytes: &[u8], lock_key: &Key) -> bool {
    split(bytes).is_ok_and(|(body, tag)| tag_key(lock_key).verify(body, tag))
}

type HmacSha256 = Hmac<Sha256>;

/// Computes credential digests under one lock's credential key.
#[derive(Clone)]
pub(crate) struct Digester(HmacSha256);

impl Digester {
    pub(crate) fn new(lock_key: &Key) -> Digester {
        let key = lock_key.derive("lock-image/credential", b"");
        // HMAC takes keys of any length: the fallback never runs.
        let mac = HmacSha256::new_from_slice(key.expose_bytes())
            .unwrap_or_else(|_| HmacSha256::new(&Default::default()));
        Digester(mac)
    }

    fn digest(&self, kind: u8, value: &[u8]) -> Digest {
        let mut mac = self.0.clone();
        mac.update(&[kind]);
        mac.update(value);
        let full = mac.finalize().into_bytes();
        let mut digest = [0; DIGEST_LEN];
        digest
            .iter_mut()
            .zip(full.iter())
            .for_each(|(d, f)| *d = *f);
        digest
    }

    pub(crate) fn card(&self, number: u64) -> Digest {
        self.digest(1, &number.to_be_bytes())
    }

    pub(crate) fn keypad(&self, code: &str) -> Digest {
        self.digest(2, code.as_bytes())
    }

    pub(crate) fn credential(&self, credential: &Credential) -> Digest {
        match credential {
            Credential::Card(number) => self.card(*number),
            Credential::Pin(code) => self.keypad(code),
            Credential::Qr(code) => self.digest(3, code.as_bytes()),
            Credential::Mobile(key) => self.digest(4, key.as_bytes()),
        }
    }

    pub(crate) fn presented(&self, presented: &Presented<'_>) -> PresentedDigests {
        PresentedDigests {
            card: presented.card.map(|n| self.card(n)),
            keypad: presented.pin.map(|p| self.keypad(p)),
            qr: presented.qr.map(|q| self.digest(3, q.as_bytes())),
            mobile: presented.mobile.map(|m| self.digest(4, m.as_bytes())),
        }
    }
}

impl std::fmt::Debug for Digester {
    /// Never shows the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Digester(<redacted>)")
    }
}
