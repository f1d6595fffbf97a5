//! The status of a key read from a card against the current policy, and the update
//! that any updater point may write.
//!
//! Owns the order of the checks given in the module docs of [`super`] (authentic,
//! holder, structure, expiry, access data) and the comparison of a key's access data
//! with what the policy says now. An update rewrites access data within the key's
//! structure and never changes it: only an edition ([`CardKeys::encode`]) does. It
//! never reads a clock.

use super::access::{self, Expected};
use super::image::{is_authentic, read_header, KeyImage, KeyImageError, LAYOUT_VERSION};
use super::{check_life, encode, CardKeys, EncodeError, HolderId};
use crate::model::UserId;
use crate::time::Timestamp;
use bitflags::bitflags;
use serde::Serialize;
use thiserror::Error;

bitflags! {
    /// The access data that changed since a key was written.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
    pub struct KeyChanges: u8 {
        /// The first or last valid day.
        const VALIDITY = 1 << 0;
        /// The doors, or when they open.
        const DOORS = 1 << 1;
        /// The schedules or holiday calendars.
        const TIMETABLE = 1 << 2;
        /// The revocations to carry.
        const REVOCATIONS = 1 << 3;
    }
}

/// Why only an encoder can bring a key up to date.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ReeditionReason {
    /// The key has another layout version.
    Layout {
        /// The key's version.
        found: u8,
    },
    /// Offline access was granted or withdrawn.
    OfflineAccess {
        /// Whether the user has it now.
        now: bool,
    },
    /// The key options that shape the structure changed: the audit trail or
    /// anti-passback on the key turned on or off.
    KeyOptions {
        /// The options the user has now.
        now: crate::model::KeyOptions,
    },
    /// The user's card number changed.
    Card {
        /// The user's card number now.
        now: Option<u64>,
    },
    /// More doors than the key has slots.
    Doors {
        /// Doors to carry.
        needed: usize,
        /// Slots on the key.
        slots: usize,
    },
    /// A larger timetable than the key has room for.
    Timetable {
        /// Bytes to carry.
        needed: usize,
        /// Bytes on the key.
        bytes: usize,
    },
    /// More revocations than the key has slots.
    Revocations {
        /// Revocations to carry.
        needed: usize,
        /// Slots on the key.
        slots: usize,
    },
}

impl std::fmt::Display for ReeditionReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReeditionReason::Layout { found } => {
                write!(
                    f,
                    "the key has layout version {found}, not {LAYOUT_VERSION}"
                )
            }
            ReeditionReason::OfflineAccess { now: true } => f.write_str("offline access granted"),
            ReeditionReason::OfflineAccess { now: false } => {
                f.write_str("offline access withdrawn")
            }
            ReeditionReason::Card { .. } => f.write_str("the user's card number changed"),
            ReeditionReason::KeyOptions { now } => {
                let audit = if now.contains(crate::model::KeyOptions::AUDIT) {
                    "on"
                } else {
                    "off"
                };
                let passback = if now.contains(crate::model::KeyOptions::ANTIPASSBACK) {
                    "on"
                } else {
                    "off"
                };
                write!(
                    f,
                    "the key options changed (audit trail {audit}, anti-passback {passback})"
                )
            }
            ReeditionReason::Doors { needed, slots } => {
                write!(f, "{needed} doors to carry, {slots} slots on the key")
            }
            ReeditionReason::Timetable { needed, bytes } => {
                write!(f, "a timetable of {needed} bytes, {bytes} bytes on the key")
            }
            ReeditionReason::Revocations { needed, slots } => {
                write!(f, "{needed} revocations to carry, {slots} slots on the key")
            }
        }
    }
}

/// What a key read from a card needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum KeyStatus {
    /// Nothing.
    UpToDate,
    /// New access data, which any updater point can write.
    UpdateRequired {
        /// What changed.
        changes: KeyChanges,
    },
    /// A new structure, which only an encoder can write.
    ReeditionRequired {
        /// Why.
        why: ReeditionReason,
    },
    /// The key belongs to another user.
    InvalidUserKey {
        /// That user, if the policy has them.
        holder: Option<UserId>,
    },
    /// The key's expiry has passed; an updater point can renew it.
    Expired {
        /// The expiry.
        at: Timestamp,
    },
    /// The key's tag does not verify under the site's card key.
    NotAuthentic,
}

impl KeyStatus {
    /// A stable identifier for scripts.
    pub fn code(&self) -> &'static str {
        match self {
            KeyStatus::UpToDate => "up_to_date",
            KeyStatus::UpdateRequired { .. } => "update_required",
            KeyStatus::ReeditionRequired { .. } => "reedition_required",
            KeyStatus::InvalidUserKey { .. } => "invalid_user_key",
            KeyStatus::Expired { .. } => "expired",
            KeyStatus::NotAuthentic => "not_authentic",
        }
    }
}

impl std::fmt::Display for KeyStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyStatus::UpToDate => f.write_str("up to date"),
            KeyStatus::UpdateRequired { changes } => write!(f, "update required ({changes:?})"),
            KeyStatus::ReeditionRequired { why } => write!(f, "re-edition required: {why}"),
            KeyStatus::InvalidUserKey { .. } => f.write_str("invalid user key"),
            KeyStatus::Expired { at } => write!(f, "expired at {}", at.0),
            KeyStatus::NotAuthentic => f.write_str("not authentic"),
        }
    }
}

/// Why a key's status cannot be told.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StatusError {
    /// The bytes are not a key image.
    #[error("unreadable key: {0}")]
    Image(#[from] KeyImageError),
    /// What the policy says cannot be put on a key.
    #[error(transparent)]
    Policy(#[from] EncodeError),
}

/// Why an updater cannot refresh a key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RefreshError {
    /// The bytes are not a key image.
    #[error("unreadable key: {0}")]
    Image(#[from] KeyImageError),
    /// What the policy says cannot be put on a key.
    #[error(transparent)]
    Policy(#[from] EncodeError),
    /// The key needs an encoder, or is not this user's, or not authentic.
    #[error("an updater cannot refresh this key: {0}")]
    Refused(KeyStatus),
}

impl From<StatusError> for RefreshError {
    fn from(error: StatusError) -> RefreshError {
        match error {
            StatusError::Image(e) => RefreshError::Image(e),
            StatusError::Policy(e) => RefreshError::Policy(e),
        }
    }
}

/// A key judged up to its structure: either a final status, or a key whose access
/// data is to be compared.
enum Judged {
    Final(KeyStatus),
    Current(Box<KeyImage>, Box<Expected>),
}

impl CardKeys<'_> {
    /// The status of the key `bytes` read from a card that should be
    /// `expected_user`'s, at `at`.
    pub fn status(
        &self,
        bytes: &[u8],
        expected_user: UserId,
        at: Timestamp,
    ) -> Result<KeyStatus, StatusError> {
        let (image, expected) = match self.judge(bytes, expected_user)? {
            Judged::Final(status) => return Ok(status),
            Judged::Current(image, expected) => (image, expected),
        };
        if image.expired(at) {
            return Ok(KeyStatus::Expired { at: image.expiry });
        }
        let changes = changes(&image, &expected);
        Ok(if changes.is_empty() {
            KeyStatus::UpToDate
        } else {
            KeyStatus::UpdateRequired { changes }
        })
    }

    /// Rewrites the key `bytes` of `user` with the access data the policy gives now,
    /// issued at `issued` and expiring at `expiry`, within the key's structure: what an
    /// updater point does. Refused when the key needs an encoder (re-edition), is
    /// another user's, or is not authentic.
    pub fn refresh(
        &self,
        bytes: &[u8],
        user: UserId,
        issued: Timestamp,
        expiry: Timestamp,
    ) -> Result<KeyImage, RefreshError> {
        check_life(issued, expiry)?;
        let image = match self.judge(bytes, user)? {
            Judged::Final(status) => return Err(RefreshError::Refused(status)),
            Judged::Current(image, _) => image,
        };
        let expected = access::expected(self, user, issued, expiry)?;
        if let Some(why) = reedition(&image, &expected)? {
            return Err(RefreshError::Refused(KeyStatus::ReeditionRequired { why }));
        }
        Ok(self.written(expected, image.capacity, issued, expiry)?)
    }

    /// Checks authenticity, holder and structure.
    fn judge(&self, bytes: &[u8], user: UserId) -> Result<Judged, StatusError> {
        let header = read_header(bytes)?;
        if !is_authentic(bytes, &self.card_key) {
            return Ok(Judged::Final(KeyStatus::NotAuthentic));
        }
        if self.policy.users.get(user.index()).is_none() {
            return Err(EncodeError::UnknownUser(user.0).into());
        }
        if header.holder != self.holder_id(user) {
            let holder = self.user_with(header.holder);
            return Ok(Judged::Final(KeyStatus::InvalidUserKey { holder }));
        }
        if header.version != LAYOUT_VERSION {
            let why = ReeditionReason::Layout {
                found: header.version,
            };
            return Ok(Judged::Final(KeyStatus::ReeditionRequired { why }));
        }
        let image = KeyImage::decode(bytes)?;
        let expected = access::expected(self, user, image.issued, image.expiry)?;
        if let Some(why) = reedition(&image, &expected)? {
            return Ok(Judged::Final(KeyStatus::ReeditionRequired { why }));
        }
        Ok(Judged::Current(Box::new(image), Box::new(expected)))
    }

    /// The user whose holder id is `holder`, if the policy has them.
    pub fn user_with(&self, holder: HolderId) -> Option<UserId> {
        (0..self.policy.users.len())
            .filter_map(|i| u32::try_from(i).ok().map(UserId))
            .find(|user| self.holder_id(*user) == holder)
    }
}

/// Why the key's structure cannot hold what the policy says, if it cannot.
fn reedition(
    image: &KeyImage,
    expected: &Expected,
) -> Result<Option<ReeditionReason>, EncodeError> {
    let capacity = image.capacity;
    let timetable = encode::timetable_bytes(&expected.timetable, 0)?.len();
    let why = if image.offline != expected.offline {
        ReeditionReason::OfflineAccess {
            now: expected.offline,
        }
    } else if image.card != expected.card {
        ReeditionReason::Card { now: expected.card }
    } else if image.key_options != expected.key_options {
        ReeditionReason::KeyOptions {
            now: expected.key_options,
        }
    } else if expected.doors.len() > usize::from(capacity.door_slots) {
        ReeditionReason::Doors {
            needed: expected.doors.len(),
            slots: usize::from(capacity.door_slots),
        }
    } else if timetable > usize::from(capacity.timetable_bytes) {
        ReeditionReason::Timetable {
            needed: timetable,
            bytes: usize::from(capacity.timetable_bytes),
        }
    } else if expected.revocations.len() > usize::from(capacity.revocation_slots) {
        ReeditionReason::Revocations {
            needed: expected.revocations.len(),
            slots: usize::from(capacity.revocation_slots),
        }
    } else {
        return Ok(None);
    };
    Ok(Some(why))
}

/// The access data that differs between the key and what the policy says.
fn changes(image: &KeyImage, expected: &Expected) -> KeyChanges {
    let mut changes = KeyChanges::empty();
    let validity = (image.valid_from, image.valid_to) != (expected.valid_from, expected.valid_to);
    changes.set(KeyChanges::VALIDITY, validity);
    changes.set(KeyChanges::DOORS, image.doors != expected.doors);
    changes.set(KeyChanges::TIMETABLE, image.timetable != expected.timetable);
    changes.set(
        KeyChanges::REVOCATIONS,
        image.revocations != expected.revocations,
    );
    changes
}
