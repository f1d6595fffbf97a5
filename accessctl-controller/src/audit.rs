//! A lock's audit trail, read by the controller: what a simulated offline lock decided
//! alone while the controller was gone, uploaded once it is back as `osdp_MFGREP`
//! records ([`accessctl_devices::sim::AuditRecord`]).
//!
//! Owns [`lock_audit`], which checks one upload before believing it and turns it into
//! a journal event and the operator's report line, and the rules of that check. A
//! record is believed only when all of these hold:
//!
//! - its door is bound to an offline lock (a reader has no trail to upload);
//! - it came through the secure channel opened with the door's own key, unless the
//!   controller runs its bus in clear (`--clear`, where no door has a key): never in
//!   clear from a door that has one, nor through a channel opened with the public
//!   install key;
//! - the controller sent this lock an image, and the record's instant lies between
//!   that image's issue time and the controller's now, widened on both sides by
//!   [`AUDIT_DRIFT`] (15 minutes) for the lock's clock; the image it names, when it
//!   names one, was not issued after the decision;
//! - its holder (or space code) exists in that image, and an opening names one (or
//!   is an opening by one of the door's offline codes, which have no holder).
//!
//! The image checked against is the one the record names among the last
//! [`SENT_IMAGES_KEPT`] sent (kept in the journal's database, so a restarted
//! controller knows those its previous runs sent), else the last sent. A record of the
//! lock's keypad locking (`keypad_lockout`) is journaled as a `keypad_lockout` event. A record believed becomes the event of that decision (opened or
//! denied, the lock's reason, the user when the record names an image the controller
//! sent, taken at the lock's instant); any other is journaled as `audit_refused` at the
//! controller's instant, with the PD's address and the [`AuditRefusal`] in the detail.
//! Another vendor's `osdp_MFGREP` is not an audit record and is ignored.
//!
//! Pure: no bus, clock or file. It must never decide (the lock did), panic on a peer's
//! bytes, journal a PIN or a code, or write a device's instant it has not checked.

use std::collections::VecDeque;

use accessctl_core::model::{Policy, UserId};
use accessctl_core::offline::{code::DRIFT_TOLERANCE, ImageMap, LockHolder};
use accessctl_core::{Reason, Timestamp};
use accessctl_devices::osdp::{Address, Manufacturer};
use accessctl_devices::sim::{
    AuditCredential, AuditDecodeError, AuditRecord, KEYPAD_LOCKOUT, SIM_VENDOR,
};

use crate::door::DoorContext;
use crate::instant::in_calendar;
use crate::journal::{AccessType, Event, EventKind, Medium};
use crate::offline::utc;
use crate::report::Report;
use crate::verdict::Outcome;

/// How far a lock's clock may stray from the controller's, in seconds, when its audit
/// records are checked: 15 minutes, the offline codes' drift tolerance (a clock off by
/// 20 ppm, a common crystal, drifts about 10.5 minutes a year).
pub const AUDIT_DRIFT: i64 = DRIFT_TOLERANCE;

/// The reason of a lock's record of an opening by one of its door's offline codes.
const OFFLINE_CODE: &str = "offline_code";

/// How many of the images last sent to a lock are kept to check its records by.
pub const SENT_IMAGES_KEPT: usize = 4;

/// The image last sent to a lock: its issue instant and the names of its holders,
/// kept as they were when it was built (a later policy may renumber its users). The
/// controller keeps it in its journal's database, so that a restart can still check
/// what the lock decided with it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SentImage {
    /// When it was issued; an audit record names the image it was decided with by it.
    pub issued: Timestamp,
    /// The user's name of each holder index.
    pub holders: Vec<String>,
    /// How many permanent space codes it holds.
    pub space_codes: usize,
}

impl SentImage {
    /// The image issued at `issued` whose holder indexes `map` reads in `policy`.
    pub fn new(issued: Timestamp, map: &ImageMap, policy: &Policy) -> SentImage {
        let name = |user: &UserId| {
            policy
                .users
                .get(user.index())
                .map_or_else(String::new, |u| u.name.clone())
        };
        SentImage {
            issued,
            holders: map.holders.iter().map(name).collect(),
            space_codes: map.space_codes.len(),
        }
    }
}

/// The images last sent to one lock, oldest first, at most [`SENT_IMAGES_KEPT`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SentImages(VecDeque<SentImage>);

impl SentImages {
    /// The images as kept in the journal, oldest first; documents that do not read
    /// back are skipped (the records they would vouch for are then refused).
    pub fn restored(documents: &[String]) -> SentImages {
        let mut images = SentImages::default();
        for document in documents {
            if let Ok(image) = serde_json::from_str(document) {
                images.push(image);
            }
        }
        images
    }

    /// Keeps `image` as the last sent, forgetting the oldest beyond the limit.
    pub fn push(&mut self, image: SentImage) {
        if self.0.len() >= SENT_IMAGES_KEPT {
            self.0.pop_front();
        }
        self.0.push_back(image);
    }

    /// The image issued at `issued`, if it is kept.
    fn named(&self, issued: Option<Timestamp>) -> Option<&SentImage> {
        let issued = issued?;
        self.0.iter().rev().find(|image| image.issued == issued)
    }

    /// The image last sent.
    fn last(&self) -> Option<&SentImage> {
        self.0.back()
    }
}

/// How the upload reached the controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditChannel {
    /// Through the secure channel opened with the door's own key.
    OwnKey,
    /// The controller's bus runs in clear: no door has a key.
    Keyless,
    /// In clear, though the door has a key.
    Clear,
    /// Through a secure channel opened with the install key SCBK-D.
    InstallKey,
}

/// Where an upload came from and what the controller knows to check it.
#[derive(Debug, Clone, Copy)]
pub struct AuditSource<'a> {
    /// The door of the PD that sent it.
    pub door: &'a DoorContext,
    /// That PD's address.
    pub address: Address,
    /// How it came.
    pub channel: AuditChannel,
    /// The images last sent to the lock.
    pub images: &'a SentImages,
    /// The controller's now.
    pub now: Timestamp,
}

/// Why an audit record was not believed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditRefusal {
    /// The door is not an offline lock.
    #[error("the door is not an offline lock")]
    NotALock,
    /// Not through the secure channel of a door that has a key.
    #[error("sent in clear by a door that has a secure channel key")]
    InClear,
    /// Through a secure channel opened with the public install key.
    #[error("sent through a channel opened with the install key")]
    InstallKey,
    /// The sim vendor's data that is not an audit record.
    #[error("not an audit record: {0}")]
    Undecodable(AuditDecodeError),
    /// The controller has sent this lock no image to check the record by.
    #[error("no image was sent to this lock")]
    NoImage,
    /// An instant ISO 8601 cannot write.
    #[error("its instant, {0} seconds from 1970, is beyond the years 0000 to 9999")]
    BeyondCalendar(i64),
    /// Decided before the image was issued (less the drift).
    #[error("decided at {}, before its image was issued at {}", utc(*.at), utc(*.issued))]
    BeforeImage {
        /// The record's instant.
        at: Timestamp,
        /// The image's.
        issued: Timestamp,
    },
    /// Decided after the controller's now (plus the drift).
    #[error("decided at {}, after the controller's now {} (and 15 minutes)", utc(*.at), utc(*.now))]
    InTheFuture {
        /// The record's instant.
        at: Timestamp,
        /// The controller's.
        now: Timestamp,
    },
    /// The image the record names was issued after the decision.
    #[error("it names an image issued after the decision")]
    ImageAfterDecision,
    /// A holder index the image does not have.
    #[error("holder #{index} is not in its image ({count} holders)")]
    UnknownHolder {
        /// The record's index.
        index: u16,
        /// The image's holders.
        count: usize,
    },
    /// A space code index the image does not have.
    #[error("space code #{index} is not in its image ({count} space codes)")]
    UnknownSpaceCode {
        /// The record's index.
        index: u16,
        /// The image's space codes.
        count: usize,
    },
    /// An opening that names neither holder nor space code.
    #[error("an opening that names no holder")]
    OpenedForNobody,
}

impl AuditRefusal {
    /// The stable code of the cause, in the report's `cause` field.
    pub fn code(&self) -> &'static str {
        match self {
            AuditRefusal::NotALock => "not_a_lock",
            AuditRefusal::InClear => "in_clear",
            AuditRefusal::InstallKey => "install_key",
            AuditRefusal::Undecodable(_) => "undecodable",
            AuditRefusal::NoImage => "no_image",
            AuditRefusal::BeyondCalendar(_) => "beyond_calendar",
            AuditRefusal::BeforeImage { .. } => "before_image",
            AuditRefusal::InTheFuture { .. } => "in_the_future",
            AuditRefusal::ImageAfterDecision => "image_after_decision",
            AuditRefusal::UnknownHolder { .. } => "unknown_holder",
            AuditRefusal::UnknownSpaceCode { .. } => "unknown_space_code",
            AuditRefusal::OpenedForNobody => "opened_for_nobody",
        }
    }
}

/// The journal event and report line of one `osdp_MFGREP` from `source`: the lock's
/// decision when the record is believed, an `audit_refused` event otherwise; `None`
/// for another vendor's data.
pub fn lock_audit(upload: &Manufacturer, source: &AuditSource<'_>) -> Option<(Event, Report)> {
    if upload.vendor != SIM_VENDOR {
        return None;
    }
    Some(match believe(upload, source) {
        Ok((record, image)) => decision(&record, image, source.door),
        Err(refusal) => refused(&refusal, source),
    })
}

/// The record, and the image it was decided with if the controller sent it, or why
/// it is not believed.
fn believe<'a>(
    upload: &Manufacturer,
    source: &AuditSource<'a>,
) -> Result<(AuditRecord, Option<&'a SentImage>), AuditRefusal> {
    if !source.door.offline_lock {
        return Err(AuditRefusal::NotALock);
    }
    match source.channel {
        AuditChannel::OwnKey | AuditChannel::Keyless => {}
        AuditChannel::Clear => return Err(AuditRefusal::InClear),
        AuditChannel::InstallKey => return Err(AuditRefusal::InstallKey),
    }
    let record = AuditRecord::decode(&upload.data).map_err(AuditRefusal::Undecodable)?;
    let named = source.images.named(record.image_issued);
    let image = named
        .or_else(|| source.images.last())
        .ok_or(AuditRefusal::NoImage)?;
    check_instants(&record, image.issued, source.now)?;
    check_holder(&record, image)?;
    Ok((record, named))
}

/// The record's instants are calendar instants, the decision between the image's
/// issue and the controller's now (each widened by [`AUDIT_DRIFT`]), and the image it
/// names not issued after it.
fn check_instants(
    record: &AuditRecord,
    issued: Timestamp,
    now: Timestamp,
) -> Result<(), AuditRefusal> {
    for at in std::iter::once(record.at).chain(record.image_issued) {
        in_calendar(at).map_err(|_| AuditRefusal::BeyondCalendar(at.0))?;
    }
    let at = record.at;
    if at.0 < issued.0.saturating_sub(AUDIT_DRIFT) {
        return Err(AuditRefusal::BeforeImage { at, issued });
    }
    if at.0 > now.0.saturating_add(AUDIT_DRIFT) {
        return Err(AuditRefusal::InTheFuture { at, now });
    }
    if record.image_issued.is_some_and(|named| named.0 > at.0) {
        return Err(AuditRefusal::ImageAfterDecision);
    }
    Ok(())
}

/// The holder or space code the record names exists in `image`; an opening names one.
fn check_holder(record: &AuditRecord, image: &SentImage) -> Result<(), AuditRefusal> {
    match record.holder {
        Some(LockHolder::Holder(index)) if usize::from(index) >= image.holders.len() => {
            Err(AuditRefusal::UnknownHolder {
                index,
                count: image.holders.len(),
            })
        }
        Some(LockHolder::SpaceCode(index)) if usize::from(index) >= image.space_codes => {
            Err(AuditRefusal::UnknownSpaceCode {
                index,
                count: image.space_codes,
            })
        }
        // An offline code has no holder: the lock's key made it.
        None if record.allowed && record.reason != OFFLINE_CODE => {
            Err(AuditRefusal::OpenedForNobody)
        }
        _ => Ok(()),
    }
}

/// The journal event and report of a record believed, at the lock's instant.
fn decision(
    record: &AuditRecord,
    image: Option<&SentImage>,
    door: &DoorContext,
) -> (Event, Report) {
    let reason = Reason::ALL
        .into_iter()
        .find(|reason| reason.code() == record.reason);
    let user = user_of(record, image);
    let detail = detail(record, reason, user.is_some());
    let (kind, outcome) = match (record.allowed, record.credential) {
        (false, _) if record.reason == KEYPAD_LOCKOUT => {
            (EventKind::KeypadLockout, Outcome::KeypadLocked)
        }
        (true, _) => (EventKind::Opened, Outcome::Opened),
        (false, AuditCredential::UnreadableCard) => {
            (EventKind::UnreadableCard, Outcome::Unreadable)
        }
        (false, _) => (EventKind::Denied, Outcome::Denied),
    };
    let (medium, access_type) = presented(record, kind);
    let event = Event {
        reason,
        user: user.clone(),
        detail: Some(detail.clone()),
        medium,
        access_type,
        ..Event::new(record.at.0, &door.site, &door.name, kind)
    };
    let report = Report::Decision {
        at: utc(record.at),
        site: door.site.clone(),
        door: door.name.clone(),
        outcome,
        reason,
        user,
        card: None,
        detail: Some(detail),
    };
    (event, report)
}

/// The medium and access type of a lock's decision: a card is a badge, an offline
/// code or a space code typed is a code, another PIN a holder's PIN; the image's
/// holders are users (their own grants), its space codes space codes. A keypad
/// lockout is no decision: neither.
fn presented(record: &AuditRecord, kind: EventKind) -> (Option<Medium>, Option<AccessType>) {
    if kind == EventKind::KeypadLockout {
        return (None, None);
    }
    let offline_code = record.reason == OFFLINE_CODE;
    let medium = match (record.credential, record.holder) {
        (AuditCredential::Card | AuditCredential::UnreadableCard, _) => Medium::Badge,
        (AuditCredential::Pin, Some(LockHolder::SpaceCode(_))) => Medium::Code,
        (AuditCredential::Pin, _) if offline_code => Medium::Code,
        (AuditCredential::Pin, _) => Medium::Pin,
    };
    let access_type = match record.holder {
        Some(LockHolder::Holder(_)) => Some(AccessType::Permanent),
        Some(LockHolder::SpaceCode(_)) => Some(AccessType::SpaceCode),
        None if offline_code => Some(AccessType::OfflineCode),
        None => None,
    };
    (Some(medium), access_type)
}

/// The `audit_refused` event and report of a record not believed, at the controller's
/// instant.
fn refused(refusal: &AuditRefusal, source: &AuditSource<'_>) -> (Event, Report) {
    let address = source.address.value();
    let door = source.door;
    let detail = format!("audit record from the PD at address {address} refused: {refusal}");
    let event = Event {
        detail: Some(detail),
        ..Event::new(
            source.now.0,
            &door.site,
            &door.name,
            EventKind::AuditRefused,
        )
    };
    let report = Report::AuditRefused {
        at: utc(source.now),
        door: door.name.clone(),
        address,
        cause: refusal.code(),
        detail: refusal.to_string(),
    };
    (event, report)
}

/// The user of the record's holder, when it was decided with `image`.
fn user_of(record: &AuditRecord, image: Option<&SentImage>) -> Option<String> {
    let image = image?;
    let Some(LockHolder::Holder(index)) = record.holder else {
        return None;
    };
    let name = image.holders.get(usize::from(index))?;
    (!name.is_empty()).then(|| name.clone())
}

/// `decided by the lock alone at <time>`, and what the event's fields cannot say.
fn detail(record: &AuditRecord, reason: Option<Reason>, named: bool) -> String {
    let mut detail = format!("decided by the lock alone at {}", utc(record.at));
    if reason.is_none() {
        detail.push_str(&format!(" ({})", record.reason));
    }
    let issued = record
        .image_issued
        .map_or_else(String::new, |at| format!(" issued at {}", utc(at)));
    match (record.holder, named) {
        (Some(LockHolder::Holder(index)), false) => {
            detail.push_str(&format!(", holder #{index} of its image{issued}"));
        }
        (Some(LockHolder::SpaceCode(index)), _) => {
            detail.push_str(&format!(", space code #{index} of its image{issued}"));
        }
        _ => {}
    }
    if record.dropped_before > 0 {
        detail.push_str(&format!(
            "; {} earlier decisions lost from its full trail",
            record.dropped_before
        ));
    }
    detail
}

#[cfg(test)]
mod tests;
