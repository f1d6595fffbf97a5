//! The audit check against a small policy: one reader door and one offline lock, and
//! records as a lock would send them and as a forger would.

use accessctl_core::offline::LockHolder;
use accessctl_core::{check, Reason, Sources, Timestamp};
use accessctl_devices::osdp::{Address, Manufacturer};
use accessctl_devices::sim::{AuditCredential, AuditRecord, SIM_VENDOR};

use super::*;
use crate::journal::EventKind;

const POLICY: &str = r#"
site hq {
  timezone "Europe/Paris"
  door main
  door store {
    offline
    capacity 10
  }
}
account acme {
  user ana "Ana" { card 65537  offline  allow main store }
}
"#;

/// The image's issue: Monday 2026-11-23 08:00 UTC.
const ISSUED: Timestamp = Timestamp(1_795_420_800);
/// The lock's decision, 12:10 UTC.
const DECIDED: Timestamp = Timestamp(1_795_435_800);
/// The controller's now when the record arrives, 12:30 UTC.
const NOW: Timestamp = Timestamp(1_795_437_000);

fn door(name: &str) -> DoorContext {
    let mut sources = Sources::new();
    sources.add("hq.acl", POLICY);
    let policy = check(&sources).policy.expect("valid policy");
    DoorContext::resolve(&policy, name).unwrap()
}

fn upload(record: &AuditRecord) -> Manufacturer {
    Manufacturer {
        vendor: SIM_VENDOR,
        data: record.encode(),
    }
}

fn ana_opened() -> AuditRecord {
    AuditRecord {
        at: DECIDED,
        allowed: true,
        reason: "granted".into(),
        holder: Some(LockHolder::Holder(0)),
        credential: AuditCredential::Card,
        image_issued: Some(ISSUED),
        dropped_before: 0,
    }
}

fn image(issued: Timestamp) -> SentImage {
    SentImage {
        issued,
        holders: vec!["ana".into()],
        space_codes: 1,
    }
}

fn sent(images: &[SentImage]) -> SentImages {
    let mut sent = SentImages::default();
    for image in images {
        sent.push(image.clone());
    }
    sent
}

/// What the controller makes of `record` from `door` at address 2, over `channel`.
fn audit(record: &AuditRecord, door: &DoorContext, channel: AuditChannel) -> (Event, Report) {
    let images = sent(&[image(ISSUED)]);
    let source = AuditSource {
        door,
        address: Address::new(2).unwrap(),
        channel,
        images: &images,
        now: NOW,
    };
    lock_audit(&upload(record), &source).unwrap()
}

/// The refusal's cause code and the event, asserting it is journaled as refused at
/// the controller's instant with the PD's address.
fn refusal(record: &AuditRecord, door: &DoorContext, channel: AuditChannel) -> &'static str {
    let (event, report) = audit(record, door, channel);
    assert_eq!(event.kind, EventKind::AuditRefused, "{event:?}");
    assert_eq!(event.at, NOW.0);
    let detail = event.detail.unwrap();
    assert!(detail.contains("address 2"), "{detail}");
    assert_eq!(event.user, None);
    let Report::AuditRefused { cause, at, .. } = report else {
        panic!("{report:?}");
    };
    assert_eq!(at, "2026-11-23T12:30:00Z");
    cause
}

#[test]
fn a_decision_taken_alone_is_journalled_at_the_locks_instant() {
    let (event, report) = audit(&ana_opened(), &door("store"), AuditChannel::OwnKey);
    assert_eq!(event.at, DECIDED.0);
    assert_eq!(event.kind, EventKind::Opened);
    assert_eq!(event.reason, Some(Reason::Granted));
    assert_eq!(event.user.as_deref(), Some("ana"));
    assert_eq!(
        event.detail.as_deref(),
        Some("decided by the lock alone at 2026-11-23T12:10:00Z")
    );
    assert!(matches!(report, Report::Decision { at, .. } if at == "2026-11-23T12:10:00Z"));
}

#[test]
fn the_forged_record_of_the_finding_is_refused_and_never_shown_with_at() {
    // In clear, from a door that is not a lock, at i64::MIN, holder 65535.
    let forged = AuditRecord {
        at: Timestamp(i64::MIN),
        holder: Some(LockHolder::Holder(u16::MAX)),
        ..ana_opened()
    };
    assert_eq!(
        refusal(&forged, &door("main"), AuditChannel::Clear),
        "not_a_lock"
    );
    // Even from the lock, through its secure channel.
    let store = door("store");
    assert_eq!(
        refusal(&forged, &store, AuditChannel::OwnKey),
        "beyond_calendar"
    );
    let (event, report) = audit(&forged, &store, AuditChannel::OwnKey);
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains('@'), "{json}");
    assert!(!event.detail.unwrap().contains('@'));
    let holder = AuditRecord {
        holder: Some(LockHolder::Holder(u16::MAX)),
        ..ana_opened()
    };
    assert_eq!(
        refusal(&holder, &store, AuditChannel::OwnKey),
        "unknown_holder"
    );
}

#[test]
fn only_the_secure_channel_of_a_door_with_a_key_is_believed() {
    let store = door("store");
    assert_eq!(
        refusal(&ana_opened(), &store, AuditChannel::Clear),
        "in_clear"
    );
    assert_eq!(
        refusal(&ana_opened(), &store, AuditChannel::InstallKey),
        "install_key"
    );
    let (event, _) = audit(&ana_opened(), &store, AuditChannel::Keyless);
    assert_eq!(event.kind, EventKind::Opened, "a bus in clear has no key");
}

#[test]
fn instants_lie_between_the_image_and_now_within_the_drift() {
    let store = door("store");
    let at = |at: i64| AuditRecord {
        at: Timestamp(at),
        image_issued: None,
        ..ana_opened()
    };
    let believed = |record: &AuditRecord| {
        audit(record, &store, AuditChannel::OwnKey).0.kind == EventKind::Opened
    };
    assert!(believed(&at(ISSUED.0 - AUDIT_DRIFT)));
    assert!(believed(&at(NOW.0 + AUDIT_DRIFT)));
    let before = at(ISSUED.0 - AUDIT_DRIFT - 1);
    assert_eq!(
        refusal(&before, &store, AuditChannel::OwnKey),
        "before_image"
    );
    let after = at(NOW.0 + AUDIT_DRIFT + 1);
    assert_eq!(
        refusal(&after, &store, AuditChannel::OwnKey),
        "in_the_future"
    );
    let (event, _) = audit(&after, &store, AuditChannel::OwnKey);
    assert_eq!(
        event.detail.as_deref(),
        Some(
            "audit record from the PD at address 2 refused: decided at \
             2026-11-23T12:45:01Z, after the controller's now 2026-11-23T12:30:00Z \
             (and 15 minutes)"
        )
    );
    let later_image = AuditRecord {
        image_issued: Some(Timestamp(DECIDED.0 + 1)),
        ..ana_opened()
    };
    assert_eq!(
        refusal(&later_image, &store, AuditChannel::OwnKey),
        "image_after_decision"
    );
}

#[test]
fn holders_and_space_codes_exist_in_the_image_and_an_opening_names_one() {
    let store = door("store");
    let code = |index| AuditRecord {
        holder: Some(LockHolder::SpaceCode(index)),
        reason: "space_code".into(),
        credential: AuditCredential::Pin,
        ..ana_opened()
    };
    let (event, _) = audit(&code(0), &store, AuditChannel::OwnKey);
    assert_eq!(event.kind, EventKind::Opened);
    assert_eq!(
        refusal(&code(1), &store, AuditChannel::OwnKey),
        "unknown_space_code"
    );
    let nobody = AuditRecord {
        holder: None,
        ..ana_opened()
    };
    assert_eq!(
        refusal(&nobody, &store, AuditChannel::OwnKey),
        "opened_for_nobody"
    );
    let refused_nobody = AuditRecord {
        allowed: false,
        reason: "unknown_credential".into(),
        ..nobody
    };
    let (event, _) = audit(&refused_nobody, &store, AuditChannel::OwnKey);
    assert_eq!(event.kind, EventKind::Denied);
}

#[test]
fn a_record_is_checked_by_the_image_it_names_or_else_the_last_sent() {
    let store = door("store");
    let older = image(ISSUED);
    let newer = SentImage {
        holders: vec!["bob".into(), "ana".into()],
        ..image(Timestamp(NOW.0 - 60))
    };
    let images = sent(&[older, newer]);
    let source = AuditSource {
        door: &store,
        address: Address::new(2).unwrap(),
        channel: AuditChannel::OwnKey,
        images: &images,
        now: NOW,
    };
    // Decided with the older image, before the newer was issued: ana, by the older.
    let (event, _) = lock_audit(&upload(&ana_opened()), &source).unwrap();
    assert_eq!(event.user.as_deref(), Some("ana"));
    // An image the controller never sent: checked by the last, the holder unnamed.
    let unknown_image = AuditRecord {
        at: Timestamp(NOW.0 - 30),
        image_issued: Some(Timestamp(NOW.0 - 3_600)),
        allowed: false,
        reason: "outside_schedule".into(),
        dropped_before: 3,
        ..ana_opened()
    };
    let (event, _) = lock_audit(&upload(&unknown_image), &source).unwrap();
    assert_eq!(event.kind, EventKind::Denied);
    assert_eq!(event.reason, Some(Reason::OutsideSchedule));
    assert_eq!(event.user, None);
    let detail = event.detail.unwrap();
    assert!(
        detail.contains("holder #0 of its image issued at 2026-11-23T11:30:00Z"),
        "{detail}"
    );
    assert!(detail.contains("3 earlier decisions lost"), "{detail}");
    // The same decision, older than the last image by more than the drift.
    let (event, _) = lock_audit(
        &upload(&AuditRecord {
            at: DECIDED,
            ..unknown_image
        }),
        &source,
    )
    .unwrap();
    assert_eq!(event.kind, EventKind::AuditRefused);
}

#[test]
fn without_an_image_sent_nothing_is_believed() {
    let store = door("store");
    let none = SentImages::default();
    let source = AuditSource {
        door: &store,
        address: Address::new(2).unwrap(),
        channel: AuditChannel::OwnKey,
        images: &none,
        now: NOW,
    };
    let (event, report) = lock_audit(&upload(&ana_opened()), &source).unwrap();
    assert_eq!(event.kind, EventKind::AuditRefused);
    assert!(matches!(
        report,
        Report::AuditRefused {
            cause: "no_image",
            ..
        }
    ));
}

#[test]
fn another_vendors_data_is_ignored_and_the_sim_vendors_garbage_refused() {
    let store = door("store");
    let images = sent(&[image(ISSUED)]);
    let source = AuditSource {
        door: &store,
        address: Address::new(2).unwrap(),
        channel: AuditChannel::OwnKey,
        images: &images,
        now: NOW,
    };
    let other = Manufacturer {
        vendor: [0, 0x0B, 0xDA],
        ..upload(&ana_opened())
    };
    assert!(lock_audit(&other, &source).is_none());
    for data in [vec![], vec![1], vec![9; 40]] {
        let garbage = Manufacturer {
            vendor: SIM_VENDOR,
            data,
        };
        let (event, _) = lock_audit(&garbage, &source).unwrap();
        assert_eq!(event.kind, EventKind::AuditRefused);
    }
}

#[test]
fn the_images_kept_are_the_last_few() {
    let mut images = SentImages::default();
    for at in 0..10 {
        images.push(image(Timestamp(ISSUED.0 + at)));
    }
    assert!(images.named(Some(ISSUED)).is_none());
    let last = Timestamp(ISSUED.0 + 9);
    assert_eq!(images.last().map(|i| i.issued), Some(last));
    let kept = i64::try_from(SENT_IMAGES_KEPT).unwrap();
    assert!(images
        .named(Some(Timestamp(ISSUED.0 + 10 - kept)))
        .is_some());
}

#[test]
fn a_locks_keypad_lockout_and_its_offline_codes_are_journaled_as_such() {
    let store = door("store");
    let lockout = AuditRecord {
        allowed: false,
        reason: accessctl_devices::sim::KEYPAD_LOCKOUT.into(),
        holder: None,
        credential: AuditCredential::Pin,
        ..ana_opened()
    };
    let (event, _) = audit(&lockout, &store, AuditChannel::OwnKey);
    assert_eq!(event.kind, EventKind::KeypadLockout, "{event:?}");
    assert_eq!(event.at, DECIDED.0);
    // An offline code opens for no holder: the lock's key made it.
    let code = AuditRecord {
        reason: "offline_code".into(),
        holder: None,
        credential: AuditCredential::Pin,
        ..ana_opened()
    };
    let (event, _) = audit(&code, &store, AuditChannel::OwnKey);
    assert_eq!(event.kind, EventKind::Opened, "{event:?}");
    assert!(event.detail.unwrap().contains("(offline_code)"));
    // Any other opening for nobody is still refused.
    let nobody = AuditRecord {
        holder: None,
        ..ana_opened()
    };
    assert_eq!(
        refusal(&nobody, &store, AuditChannel::OwnKey),
        "opened_for_nobody"
    );
}
