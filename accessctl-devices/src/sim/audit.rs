//! The simulated lock's audit trail: the decisions it took alone while its control
//! panel was gone, kept until the control panel is back and uploaded one per
//! `osdp_MFGREP` reply, vendor code [`SIM_VENDOR`](super::SIM_VENDOR).
//!
//! Owns [`AuditRecord`], its byte layout ([`AuditRecord::encode`],
//! [`AuditRecord::decode`]) and [`AuditTrail`], the bounded trail (the last
//! [`MAX_AUDIT_RECORDS`]; the oldest goes first and is counted). A record names the
//! credential only by what the image knows of it (the holder's or space code's index),
//! never by a PIN or a code. Decoding never panics, whatever the bytes.
//!
//! Record layout, version 1, integers little-endian:
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 1 | version, 1 |
//! | 1 | 1 | flags: bit 0 the door opened, bit 1 an image was in force |
//! | 2 | 8 | decision instant, UTC seconds since the epoch (signed) |
//! | 10 | 8 | issue instant of the image in force (0 without one) |
//! | 18 | 1 | who: 0 nobody recognised, 1 a holder, 2 a permanent space code |
//! | 19 | 2 | the holder's or space code's index in the image (0 for nobody) |
//! | 21 | 1 | credential: 0 a card, 1 a PIN, 2 an unreadable card |
//! | 22 | 4 | records dropped from the full trail just before this one |
//! | 26 | 1 | `N`, length of the reason code (at most [`MAX_REASON_LEN`]) |
//! | 27 | `N` | the reason code, ASCII (`granted`, `unknown_credential`, `no_image`, …) |
//!
//! Bytes after the reason code are ignored (room for later fields); a version other
//! than 1 is refused.

use std::collections::VecDeque;

use accessctl_core::offline::LockHolder;
use accessctl_core::Timestamp;
use thiserror::Error;

/// The layout version this module writes and reads.
pub const AUDIT_VERSION: u8 = 1;

/// The most records a lock keeps while its control panel is gone.
pub const MAX_AUDIT_RECORDS: usize = 256;

/// The longest reason code a record carries.
pub const MAX_REASON_LEN: usize = 32;

const OPENED: u8 = 1;
const WITH_IMAGE: u8 = 2;
const FIXED_LEN: usize = 27;

/// What the lock read, without its secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditCredential {
    /// A card of one of its formats.
    Card,
    /// A PIN (its digits never recorded).
    Pin,
    /// Card bits that read as none of its formats.
    UnreadableCard,
}

/// One decision the lock took alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// When, on the lock's clock.
    pub at: Timestamp,
    /// Whether the door opened.
    pub allowed: bool,
    /// The reason code: the engine's (`granted`, …), `unreadable_card` or `no_image`.
    pub reason: String,
    /// Who the image recognised.
    pub holder: Option<LockHolder>,
    /// What was presented.
    pub credential: AuditCredential,
    /// Issue instant of the image in force, if any: the holder index is its.
    pub image_issued: Option<Timestamp>,
    /// Records dropped from the full trail just before this one.
    pub dropped_before: u32,
}

/// Why bytes are not an audit record.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuditDecodeError {
    /// Fewer bytes than the layout needs.
    #[error("audit record truncated")]
    Truncated,
    /// A layout version this module does not read.
    #[error("audit record version {0} unknown")]
    Version(u8),
    /// A field holds a value the layout does not define.
    #[error("audit record field {0} invalid")]
    Invalid(&'static str),
}

impl AuditRecord {
    /// The record's bytes, as the layout in the module's comment has them; a reason
    /// code longer than [`MAX_REASON_LEN`] is cut.
    pub fn encode(&self) -> Vec<u8> {
        let mut flags = 0;
        if self.allowed {
            flags |= OPENED;
        }
        if self.image_issued.is_some() {
            flags |= WITH_IMAGE;
        }
        let (who, index) = match self.holder {
            None => (0, 0),
            Some(LockHolder::Holder(i)) => (1, i),
            Some(LockHolder::SpaceCode(i)) => (2, i),
        };
        let reason: Vec<u8> = self.reason.bytes().take(MAX_REASON_LEN).collect();
        let mut out = Vec::with_capacity(FIXED_LEN + reason.len());
        out.extend_from_slice(&[AUDIT_VERSION, flags]);
        out.extend_from_slice(&self.at.0.to_le_bytes());
        out.extend_from_slice(&self.image_issued.map_or(0, |i| i.0).to_le_bytes());
        out.push(who);
        out.extend_from_slice(&index.to_le_bytes());
        out.push(credential_code(self.credential));
        out.extend_from_slice(&self.dropped_before.to_le_bytes());
        out.push(u8::try_from(reason.len()).unwrap_or(0));
        out.extend_from_slice(&reason);
        out
    }

    /// Reads a record; never panics, whatever `bytes`.
    pub fn decode(bytes: &[u8]) -> Result<AuditRecord, AuditDecodeError> {
        let mut fields = Fields(bytes);
        let version = fields.byte()?;
        if version != AUDIT_VERSION {
            return Err(AuditDecodeError::Version(version));
        }
        let flags = fields.byte()?;
        let at = Timestamp(i64::from_le_bytes(fields.array()?));
        let issued = Timestamp(i64::from_le_bytes(fields.array()?));
        let who = fields.byte()?;
        let index = u16::from_le_bytes(fields.array()?);
        let holder = match who {
            0 => None,
            1 => Some(LockHolder::Holder(index)),
            2 => Some(LockHolder::SpaceCode(index)),
            _ => return Err(AuditDecodeError::Invalid("who")),
        };
        let credential = match fields.byte()? {
            0 => AuditCredential::Card,
            1 => AuditCredential::Pin,
            2 => AuditCredential::UnreadableCard,
            _ => return Err(AuditDecodeError::Invalid("credential")),
        };
        let dropped_before = u32::from_le_bytes(fields.array()?);
        let reason = fields.reason()?;
        Ok(AuditRecord {
            at,
            allowed: flags & OPENED != 0,
            reason,
            holder,
            credential,
            image_issued: (flags & WITH_IMAGE != 0).then_some(issued),
            dropped_before,
        })
    }
}

fn credential_code(credential: AuditCredential) -> u8 {
    match credential {
        AuditCredential::Card => 0,
        AuditCredential::Pin => 1,
        AuditCredential::UnreadableCard => 2,
    }
}

/// The bytes not read yet.
struct Fields<'a>(&'a [u8]);

impl Fields<'_> {
    fn take(&mut self, len: usize) -> Result<&[u8], AuditDecodeError> {
        let head = self.0.get(..len).ok_or(AuditDecodeError::Truncated)?;
        self.0 = self.0.get(len..).unwrap_or_default();
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, AuditDecodeError> {
        Ok(u8::from_le_bytes(self.array()?))
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], AuditDecodeError> {
        self.take(N)?
            .try_into()
            .map_err(|_| AuditDecodeError::Truncated)
    }

    /// A length-prefixed reason code of lower-case letters and underscores.
    fn reason(&mut self) -> Result<String, AuditDecodeError> {
        let len = usize::from(self.byte()?);
        if len > MAX_REASON_LEN {
            return Err(AuditDecodeError::Invalid("reason length"));
        }
        let code = self.take(len)?;
        if !code.iter().all(|b| b.is_ascii_lowercase() || *b == b'_') {
            return Err(AuditDecodeError::Invalid("reason"));
        }
        Ok(code.iter().map(|&b| char::from(b)).collect())
    }
}

/// The decisions taken alone and not uploaded yet: the last [`MAX_AUDIT_RECORDS`],
/// with a count of the older ones dropped.
#[derive(Debug, Default)]
pub struct AuditTrail {
    records: VecDeque<AuditRecord>,
    dropped: u32,
}

impl AuditTrail {
    /// Keeps `record`; a full trail drops its oldest and counts it.
    pub fn push(&mut self, record: AuditRecord) {
        if self.records.len() >= MAX_AUDIT_RECORDS {
            self.records.pop_front();
            self.dropped = self.dropped.saturating_add(1);
        }
        self.records.push_back(record);
    }

    /// Takes every record, oldest first; the first carries the count of those
    /// dropped since the last upload.
    pub fn take_all(&mut self) -> Vec<AuditRecord> {
        let mut records: Vec<AuditRecord> = self.records.drain(..).collect();
        if let Some(first) = records.first_mut() {
            first.dropped_before = first.dropped_before.saturating_add(self.dropped);
            self.dropped = 0;
        }
        records
    }

    /// The records waiting, oldest first.
    pub fn records(&self) -> impl Iterator<Item = &AuditRecord> {
        self.records.iter()
    }

    /// How many records wait.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no record waits.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// How many records were dropped since the last upload.
    pub fn dropped(&self) -> u32 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn record(at: i64) -> AuditRecord {
        AuditRecord {
            at: Timestamp(at),
            allowed: true,
            reason: "granted".into(),
            holder: Some(LockHolder::Holder(3)),
            credential: AuditCredential::Card,
            image_issued: Some(Timestamp(1_700_000_000)),
            dropped_before: 0,
        }
    }

    #[test]
    fn a_record_round_trips_and_has_the_documented_layout() {
        let bytes = record(-5).encode();
        assert_eq!(bytes.len(), FIXED_LEN + "granted".len());
        assert_eq!(&bytes[..2], &[1, OPENED | WITH_IMAGE]);
        assert_eq!(&bytes[2..10], &(-5i64).to_le_bytes());
        assert_eq!(&bytes[18..21], &[1, 3, 0]);
        assert_eq!(&bytes[27..], b"granted");
        assert_eq!(AuditRecord::decode(&bytes), Ok(record(-5)));
        let denied = AuditRecord {
            allowed: false,
            reason: "no_image".into(),
            holder: None,
            credential: AuditCredential::Pin,
            image_issued: None,
            dropped_before: 7,
            ..record(9)
        };
        assert_eq!(AuditRecord::decode(&denied.encode()), Ok(denied));
    }

    #[test]
    fn bad_records_are_refused() {
        let bytes = record(1).encode();
        for len in 0..bytes.len() {
            assert_eq!(
                AuditRecord::decode(&bytes[..len]),
                Err(AuditDecodeError::Truncated),
                "{len}"
            );
        }
        let mut other = bytes.clone();
        other[0] = 2;
        assert_eq!(
            AuditRecord::decode(&other),
            Err(AuditDecodeError::Version(2))
        );
        let mut who = bytes.clone();
        who[18] = 9;
        assert_eq!(
            AuditRecord::decode(&who),
            Err(AuditDecodeError::Invalid("who"))
        );
        let mut reason = bytes;
        reason[27] = b'G';
        assert_eq!(
            AuditRecord::decode(&reason),
            Err(AuditDecodeError::Invalid("reason"))
        );
    }

    #[test]
    fn the_trail_keeps_the_last_records_and_counts_the_dropped() {
        let mut trail = AuditTrail::default();
        for at in 0..i64::try_from(MAX_AUDIT_RECORDS).unwrap() + 2 {
            trail.push(record(at));
        }
        assert_eq!((trail.len(), trail.dropped()), (MAX_AUDIT_RECORDS, 2));
        let records = trail.take_all();
        assert_eq!(records.len(), MAX_AUDIT_RECORDS);
        assert_eq!(
            (records[0].at, records[0].dropped_before),
            (Timestamp(2), 2)
        );
        assert_eq!(records[1].dropped_before, 0);
        assert!(trail.is_empty() && trail.dropped() == 0);
        assert!(trail.take_all().is_empty());
    }

    proptest! {
        #[test]
        fn decoding_any_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(record) = AuditRecord::decode(&bytes) {
                let again = AuditRecord::decode(&record.encode());
                prop_assert_eq!(again, Ok(record));
            }
        }

        #[test]
        fn any_record_round_trips(
            at in any::<i64>(),
            allowed in any::<bool>(),
            reason in "[a-z_]{0,32}",
            who in 0u8..3,
            index in any::<u16>(),
            issued in proptest::option::of(any::<i64>()),
            dropped_before in any::<u32>(),
        ) {
            let holder = match who {
                0 => None,
                1 => Some(LockHolder::Holder(index)),
                _ => Some(LockHolder::SpaceCode(index)),
            };
            let record = AuditRecord {
                at: Timestamp(at),
                allowed,
                reason,
                holder,
                credential: AuditCredential::UnreadableCard,
                image_issued: issued.map(Timestamp),
                dropped_before,
            };
            prop_assert_eq!(AuditRecord::decode(&record.encode()), Ok(record));
        }
    }
}
