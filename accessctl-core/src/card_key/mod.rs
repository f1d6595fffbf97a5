//! Keys on cards (data on card): the key image a user's card carries to offline
//! locks, and its status against the current policy.
//!
//! Owns the key image (holder, key options, expiry, validity, doors with the
//! schedules that open them, the calendars those name, the revocations the card
//! carries to offline locks, and the layout version), its compact binary layout, its
//! authentication with a key derived from the site key, the encoder that writes a
//! fresh key (an edition), the updater that rewrites one within its structure (an
//! update), and the status of a key read from a card: up to date, update required
//! (any updater point can refresh it), re-edition required (only an encoder can),
//! invalid user key, expired, not authentic. It must never read a clock (instants come
//! from the caller), never panic on any bytes, and never show key material.
//!
//! # Keys and identifiers
//!
//! A site's keys are authenticated with its card key, [`card_key`]: `Key::derive(
//! "card-key", site name)` of the site key. Encoders, updaters and the site's offline
//! locks hold it. A card names neither its holder nor its doors: the holder id is the
//! first 8 bytes of `HMAC-SHA256(card key, "holder" ‖ 0x00 ‖ user name)`
//! ([`holder_id`]) and a door reference the first 8 bytes of `HMAC-SHA256(card key,
//! "door" ‖ 0x00 ‖ door name)` ([`door_ref`]); both stay the same when the policy
//! file is reordered.
//!
//! # Layout version 1, byte by byte
//!
//! Integers are big-endian; instants are seconds since 1970-01-01T00:00Z; days are
//! days since 1970-01-01, read in the local time of the door's site.
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 2 | magic: `AK` (0x41 0x4B) |
//! | 2 | 1 | layout version: 1 |
//! | 3 | 8 | holder id |
//! | 11 | 1 | key options: bit 0 offline access, bit 1 bound to a card, bit 2 audit trail on the key, bit 3 anti-passback on the key; bits 4–7 zero |
//! | 12 | 8 | card number, u64 (zero when bit 1 is clear) |
//! | 20 | 8 | issued, i64 |
//! | 28 | 8 | expiry, i64: from then on the key opens nothing until refreshed |
//! | 36 | 4 | first valid day, i32 (−2³¹: none) |
//! | 40 | 4 | last valid day, i32 (2³¹ − 1: none) |
//! | 44 | 2 | door slots `D` |
//! | 46 | 2 | doors used `d` ≤ `D` |
//! | 48 | 2 | timetable bytes `T` |
//! | 50 | 2 | timetable bytes used `t` ≤ `T` |
//! | 52 | 1 | revocation slots `R` |
//! | 53 | 1 | revocations used `r` ≤ `R` |
//! | 54 | 10 × `D` | door records, `d` used in strictly ascending order of reference, the others zero: door reference (8), schedule mask (2): 0x8000 alone for "at any time", else bit `i` for each timetable schedule `i` that opens the door |
//! | 54 + 10`D` | `T` | the timetable: `t` bytes (below), the others zero |
//! | 54 + 10`D` + `T` | 16 × `R` | revocation records, `r` used in strictly ascending order of holder, the others zero: holder id (8), before (i64): that holder's keys issued before this instant are refused |
//! | 54 + 10`D` + `T` + 16`R` | 16 | tag: the first 16 bytes of `HMAC-SHA256(card key, every byte before it)` |
//!
//! Bytes 0–10 are common to every layout version, so that a key of another version
//! can still be authenticated and attributed to its holder (the tag always ends the
//! image and covers everything before it).
//!
//! The timetable, `t` bytes:
//!
//! | bytes | field |
//! |---|---|
//! | 1 | calendar count `C` |
//! | for each calendar: 1 + 8`n` | range count `n`, then `n` × (first day i32, last day i32), inclusive, ascending, merged, clipped to the days from the day before issue to the day after expiry |
//! | 1 | schedule count `S` ≤ 15 |
//! | for each schedule: 7 × (1 + 4`n`) | for each weekday, Monday first, the ranges that start that day: count `n`, then `n` × (start u16 in 0–1439, end u16 in 0–1440) minutes; an end at or before its start runs past midnight |
//! | 1 + `c` | the calendars whose days start no range: count `c`, then `c` calendar indexes (u8 < `C`) |
//! | 1 + … | holiday rules, first match wins: count `h`, then for each: calendar count and indexes, range count and ranges |
//!
//! Capacities are chosen when a key is edited, with room to grow: `n + max(n/4, 4)`
//! slots rounded up to a multiple of 4 for doors and revocations (at most 65,535 and
//! 255), `t + max(t/4, 32)` bytes rounded up to a multiple of 16 for the timetable (at
//! most 65,535). An update keeps them, so the image keeps its length; only an edition
//! changes them. A key for three doors, two office schedules, a holiday calendar and
//! one revocation holds 198 bytes of data and, with that room, takes 406 bytes.
//!
//! # What a key carries, and what a lock does with it
//!
//! The doors are those of the key's site that the user may open offline, as the
//! decision engine counts them (docs/decisions.md, steps 6.5–6.7): within every
//! ceiling above the user, by the most specific grants, each with the schedules of
//! those grants (the user's or the sub-account's default when a grant names none; "at
//! any time" when one of them has none). A user without offline access, or
//! deactivated, gets no doors. The revocations are the deactivated users with offline
//! access and a card whose grants reach the site. A lock reading a key checks the tag,
//! refuses a holder it has learnt is revoked for keys issued that early, checks
//! `issued ≤ now < expiry` and the validity days, finds its door reference, checks a
//! schedule of the mask (and its own door schedule), and learns the key's
//! revocations.
//!
//! # Status
//!
//! [`CardKeys::status`] reads a key from a card and answers, checking in this order:
//!
//! 1. **not authentic**: the tag does not verify under the site's card key (forged,
//!    damaged, or another site's key);
//! 2. **invalid user key**: the key belongs to another user (named when the policy
//!    has them), as an encoder says when the wrong card is placed on it;
//! 3. **re-edition required**: the structure must change, which only an encoder can
//!    do — another layout version, a key option changed (offline access granted or
//!    withdrawn, another card number, the audit trail or anti-passback on the key
//!    turned on or off: `key audit antipassback` in the policy), or the access data no
//!    longer fits a section (more doors than its slots, a larger timetable, more
//!    revocations);
//! 4. **expired**: the expiry has passed (an updater can renew it);
//! 5. **update required**: the access data changed (validity, doors, schedules and
//!    calendars, revocations); any updater point rewrites it with
//!    [`CardKeys::refresh`];
//! 6. **up to date**.

mod access;
mod decode;
mod encode;
mod image;
mod reader;
mod status;
#[cfg(test)]
mod tests;

pub use image::{
    is_authentic, read_header, Capacity, CardCalendar, CardHolidayRule, CardSchedule, DoorEntry,
    DoorRef, HolderId, ImageProblem, KeyHeader, KeyImage, KeyImageError, Minutes, Revocation,
    Timetable, ALWAYS, DOOR_RECORD_LEN, HEADER_LEN, LAYOUT_VERSION, MAGIC, MAX_SCHEDULES,
    REVOCATION_RECORD_LEN, TAG_LEN,
};
pub use status::{KeyChanges, KeyStatus, ReeditionReason, RefreshError, StatusError};

use crate::compile::CompiledPolicy;
use crate::model::{DoorId, Policy, SiteId, UserId};
use crate::secret::Key;
use crate::time::Timestamp;
use thiserror::Error;

/// The key that authenticates a site's card keys: `site_key.derive("card-key", site
/// name)`.
pub fn card_key(site_key: &Key, site: &str) -> Key {
    site_key.derive("card-key", site.as_bytes())
}

/// The holder id of a user on a site's keys.
pub fn holder_id(card_key: &Key, user: &str) -> HolderId {
    first_eight(&card_key.tag_parts(&[b"holder", &[0], user.as_bytes()]))
}

/// The reference of a door on a site's keys.
pub fn door_ref(card_key: &Key, door: &str) -> DoorRef {
    first_eight(&card_key.tag_parts(&[b"door", &[0], door.as_bytes()]))
}

fn first_eight(tag: &[u8]) -> [u8; 8] {
    let mut out = [0u8; 8];
    out.iter_mut().zip(tag).for_each(|(o, t)| *o = *t);
    out
}

/// Why a key cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EncodeError {
    /// The site is not in the policy.
    #[error("site #{0} is not in the policy")]
    UnknownSite(u32),
    /// No site has this name.
    #[error("no site is named `{0}`")]
    NoSuchSite(String),
    /// The user is not in the policy.
    #[error("user #{0} is not in the policy")]
    UnknownUser(u32),
    /// The compiled policy is not the policy's.
    #[error("the compiled policy does not match the policy")]
    PolicyMismatch,
    /// The expiry is not after the issue instant.
    #[error("the expiry `{expiry}` is not after the issue instant `{issued}`")]
    ExpiryNotAfterIssue {
        /// Issue instant (seconds).
        issued: i64,
        /// Expiry (seconds).
        expiry: i64,
    },
    /// More distinct schedules than door masks can name.
    #[error("user `{user}` needs {count} schedules on a key, beyond the 15 a key carries")]
    TooManySchedules {
        /// The user's name.
        user: String,
        /// Distinct schedules.
        count: usize,
    },
    /// Two doors with the same reference (about one chance in 10^12 for 5,000 doors).
    #[error("doors `{first}` and `{second}` have the same key reference; rename one")]
    DoorRefCollision {
        /// One door.
        first: String,
        /// The other.
        second: String,
    },
    /// The access data does not fit the layout.
    #[error("the key does not fit its layout: {0}")]
    Layout(#[from] KeyImageError),
}

/// A site's card keys: what is needed to write keys and judge them against a policy.
///
/// ```
/// use accessctl_core::card_key::{CardKeys, KeyStatus};
/// use accessctl_core::secret::Key;
/// use accessctl_core::{check, CompiledPolicy, Timestamp, Sources};
///
/// let mut sources = Sources::new();
/// sources.add("hq.acl", r#"
/// site hq { timezone "Europe/Paris"  door store { offline } }
/// account acme { user ana "Ana" { card 42  offline  allow store } }
/// "#);
/// let policy = check(&sources).policy.expect("valid policy");
/// let compiled = CompiledPolicy::new(&policy);
/// let site_key = Key::from_entropy([7; 32]);
/// let keys = CardKeys::for_site(&policy, &compiled, "hq", &site_key)?;
/// let ana = policy.user_named("ana").expect("declared");
///
/// let issued = Timestamp(1_795_000_000);
/// let image = keys.encode(ana, issued, Timestamp(issued.0 + 30 * 86_400))?;
/// let bytes = image.to_bytes()?;
/// assert_eq!(keys.status(&bytes, ana, issued)?, KeyStatus::UpToDate);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct CardKeys<'a> {
    policy: &'a Policy,
    compiled: &'a CompiledPolicy,
    site: SiteId,
    card_key: Key,
}

impl<'a> CardKeys<'a> {
    /// The card keys of `site`, authenticated with [`card_key`] of `site_key`.
    pub fn new(
        policy: &'a Policy,
        compiled: &'a CompiledPolicy,
        site: SiteId,
        site_key: &Key,
    ) -> Result<CardKeys<'a>, EncodeError> {
        let name = &policy
            .sites
            .get(site.index())
            .ok_or(EncodeError::UnknownSite(site.0))?
            .name;
        if compiled.users.len() != policy.users.len() || compiled.doors.len() != policy.doors.len()
        {
            return Err(EncodeError::PolicyMismatch);
        }
        Ok(CardKeys {
            policy,
            compiled,
            site,
            card_key: card_key(site_key, name),
        })
    }

    /// The card keys of the site named `site`.
    pub fn for_site(
        policy: &'a Policy,
        compiled: &'a CompiledPolicy,
        site: &str,
        site_key: &Key,
    ) -> Result<CardKeys<'a>, EncodeError> {
        let index = policy
            .sites
            .iter()
            .position(|s| s.name == site)
            .and_then(|i| u32::try_from(i).ok())
            .ok_or_else(|| EncodeError::NoSuchSite(site.to_owned()))?;
        CardKeys::new(policy, compiled, SiteId(index), site_key)
    }

    /// The site's card key, for its locks and updaters.
    pub fn card_key(&self) -> &Key {
        &self.card_key
    }

    /// Writes a new key for `user` (an edition), issued at `issued`, opening nothing
    /// from `expiry` on; its capacities leave room for the access data to grow.
    pub fn encode(
        &self,
        user: UserId,
        issued: Timestamp,
        expiry: Timestamp,
    ) -> Result<KeyImage, EncodeError> {
        check_life(issued, expiry)?;
        let expected = access::expected(self, user, issued, expiry)?;
        let timetable = encode::timetable_bytes(&expected.timetable, 0)?.len();
        let capacity = Capacity {
            door_slots: room(expected.doors.len(), 4, 4, u16::MAX.into()),
            timetable_bytes: room(timetable, 32, 16, u16::MAX.into()),
            revocation_slots: room(expected.revocations.len(), 4, 4, u8::MAX.into()),
        };
        self.written(expected, capacity, issued, expiry)
    }

    /// A signed image of `expected` with `capacity`.
    fn written(
        &self,
        expected: access::Expected,
        capacity: Capacity,
        issued: Timestamp,
        expiry: Timestamp,
    ) -> Result<KeyImage, EncodeError> {
        let mut image = KeyImage {
            holder: expected.holder,
            offline: expected.offline,
            card: expected.card,
            key_options: expected.key_options,
            issued,
            expiry,
            valid_from: expected.valid_from,
            valid_to: expected.valid_to,
            capacity,
            doors: expected.doors,
            timetable: expected.timetable,
            revocations: expected.revocations,
            tag: [0; TAG_LEN],
        };
        image.sign(&self.card_key)?;
        Ok(image)
    }

    /// The holder id of `user` on this site's keys.
    pub fn holder_id(&self, user: UserId) -> HolderId {
        let name = self.policy.users.get(user.index()).map_or("", |u| &u.name);
        holder_id(&self.card_key, name)
    }

    /// The reference of `door` on this site's keys.
    pub fn door_ref(&self, door: DoorId) -> DoorRef {
        door_ref(&self.card_key, &self.door_name(door))
    }

    fn door_name(&self, door: DoorId) -> String {
        self.policy
            .doors
            .get(door.index())
            .map(|d| d.name.clone())
            .unwrap_or_default()
    }
}

fn check_life(issued: Timestamp, expiry: Timestamp) -> Result<(), EncodeError> {
    if expiry > issued {
        return Ok(());
    }
    Err(EncodeError::ExpiryNotAfterIssue {
        issued: issued.0,
        expiry: expiry.0,
    })
}

/// Room for `used` items: `used + max(used / 4, least)` rounded up to a multiple of
/// `step`, at most `limit` (and never below `used`, which `to_bytes` then refuses if
/// it is beyond the limit).
fn room<T: TryFrom<usize> + Default>(used: usize, least: usize, step: usize, limit: usize) -> T {
    let wanted = used.saturating_add((used / 4).max(least));
    let rounded = wanted.div_ceil(step).saturating_mul(step).min(limit);
    T::try_from(rounded.max(used.min(limit))).unwrap_or_default()
}
