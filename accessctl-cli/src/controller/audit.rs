//! A lock's audit trail, read by the controller: what a simulated offline lock decided
//! alone while the controller was gone, uploaded once it is back as `osdp_MFGREP`
//! records ([`accessctl_devices::sim::AuditRecord`]).
//!
//! Owns [`lock_audit`], which turns one upload into the journal event of that decision
//! (opened or denied, the lock's reason, the user when the image's holder index can be
//! read back, taken at the lock's instant) and the operator's report line. Pure: no
//! bus, clock or file. It must never decide (the lock did), panic on a peer's bytes
//! (another vendor's or undecodable data is ignored), or journal a PIN or a code.

use accessctl_core::model::{Policy, UserId};
use accessctl_core::offline::{ImageMap, LockHolder};
use accessctl_core::{Instant, Reason};
use accessctl_devices::osdp::Manufacturer;
use accessctl_devices::sim::{AuditCredential, AuditRecord, SIM_VENDOR};

use super::door::DoorContext;
use super::report::Report;
use super::verdict::Outcome;
use crate::journal::{Event, EventKind};
use crate::offline::utc;

/// The image last sent to a lock: its issue instant and the names of its holders,
/// kept as they were when it was built (a later policy may renumber its users).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentImage {
    /// When it was issued; an audit record names the image it was decided with by it.
    pub issued: Instant,
    /// The user's name of each holder index.
    pub holders: Vec<String>,
}

impl SentImage {
    /// The image issued at `issued` whose holder indexes `map` reads in `policy`.
    pub fn new(issued: Instant, map: &ImageMap, policy: &Policy) -> SentImage {
        let name = |user: &UserId| {
            policy
                .users
                .get(user.index())
                .map_or_else(String::new, |u| u.name.clone())
        };
        SentImage {
            issued,
            holders: map.holders.iter().map(name).collect(),
        }
    }
}

/// The journal event and report line of one `osdp_MFGREP` from the lock of `door`;
/// `None` for another vendor's or undecodable data. `image`, the image last sent to
/// the lock, names the user when the record was decided with it.
pub fn lock_audit(
    upload: &Manufacturer,
    door: &DoorContext,
    image: Option<&SentImage>,
) -> Option<(Event, Report)> {
    if upload.vendor != SIM_VENDOR {
        return None;
    }
    let record = AuditRecord::decode(&upload.data).ok()?;
    let reason = Reason::ALL
        .into_iter()
        .find(|reason| reason.code() == record.reason);
    let user = user_of(&record, image);
    let detail = detail(&record, reason, user.is_some());
    let (kind, outcome) = match (record.allowed, record.credential) {
        (true, _) => (EventKind::Opened, Outcome::Opened),
        (false, AuditCredential::UnreadableCard) => {
            (EventKind::UnreadableCard, Outcome::Unreadable)
        }
        (false, _) => (EventKind::Denied, Outcome::Denied),
    };
    let event = Event {
        reason,
        user: user.clone(),
        detail: Some(detail.clone()),
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
    Some((event, report))
}

/// The user of the record's holder, when it was decided with `image`.
fn user_of(record: &AuditRecord, image: Option<&SentImage>) -> Option<String> {
    let image = image.filter(|image| Some(image.issued) == record.image_issued)?;
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
