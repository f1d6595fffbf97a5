//! The encoder's operations against the simulated cards of
//! `accessctl_devices::pn532::sim::card`.

use super::*;
use accessctl_core::card_key::ReeditionReason;
use accessctl_core::model::{KeyOptions, Policy};
use accessctl_core::secret::Key;
use accessctl_core::{check, CompiledPolicy, Sources};
use accessctl_devices::card_io::CardType;
use accessctl_devices::pn532::sim::card::SimCard;

const POLICY: &str = r#"
site hq { timezone "Europe/Paris"  door store { offline }  door lab { offline }  DOORS }
account acme {
  user ana "Ana" { card 42  offline  allow store }
  user bob "Bob" { card 43  offline  allow store }
}
"#;

const ISSUED: Timestamp = Timestamp(1_795_000_000);
const EXPIRY: Timestamp = Timestamp(1_795_000_000 + 30 * 86_400);

fn compile(text: &str) -> (Policy, CompiledPolicy) {
    let mut sources = Sources::new();
    sources.add("hq.acl", text.replace("DOORS", ""));
    let checked = check(&sources);
    let policy = checked
        .policy
        .unwrap_or_else(|| panic!("{:#?}", checked.diagnostics));
    let compiled = CompiledPolicy::new(&policy);
    (policy, compiled)
}

fn keys<'a>(policy: &'a (Policy, CompiledPolicy)) -> CardKeys<'a> {
    CardKeys::for_site(&policy.0, &policy.1, "hq", &Key::from_entropy([8; 32])).unwrap()
}

fn user(policy: &(Policy, CompiledPolicy), name: &str) -> UserId {
    policy.0.user_named(name).unwrap()
}

const TYPES: [CardType; 4] = [
    CardType::Classic1k,
    CardType::Classic4k,
    CardType::Ntag215,
    CardType::Ntag216,
];

fn blank(card_type: CardType) -> SimCard {
    SimCard::new(card_type)
}

#[test]
fn info_tells_the_card_and_its_memory() {
    let mut card = blank(CardType::Ntag215);
    let info = info(&mut card).unwrap().unwrap();
    assert_eq!(info.card.card_type, CardType::Ntag215);
    assert_eq!((info.area, info.largest, info.safe), (504, 472, 236));
}

#[test]
fn a_written_key_reads_up_to_date() {
    let policy = compile(POLICY);
    let keys = keys(&policy);
    let ana = user(&policy, "ana");
    for card_type in TYPES {
        let mut card = blank(card_type);
        let written = write(&mut card, &keys, ana, ISSUED, EXPIRY).unwrap();
        assert!(written.written.personalised);
        let read = read(&mut card, &keys, None, ISSUED).unwrap();
        assert_eq!(read.holder, ana);
        assert_eq!(read.status, KeyStatus::UpToDate);
        assert_eq!(read.image, written.image);
        assert!(personalised(&read.card));
    }
}

#[test]
fn update_refuses_another_users_card() {
    let policy = compile(POLICY);
    let keys = keys(&policy);
    let (ana, bob) = (user(&policy, "ana"), user(&policy, "bob"));
    let mut card = blank(CardType::Classic1k);
    write(&mut card, &keys, bob, ISSUED, EXPIRY).unwrap();
    let before = card.clone();
    let error = update(&mut card, &keys, Some(ana), ISSUED, None).unwrap_err();
    assert_eq!(
        error,
        EncoderError::Refused(KeyStatus::InvalidUserKey { holder: Some(bob) })
    );
    assert_eq!(error.to_string(), "invalid user key");
    assert_eq!(card.memory(), before.memory(), "nothing written");
}

#[test]
fn update_rewrites_changed_access_and_renews_the_expiry() {
    let (policy, keys_of) = (compile(POLICY), keys);
    let ana = user(&policy, "ana");
    let mut card = blank(CardType::Ntag215);
    write(&mut card, &keys_of(&policy), ana, ISSUED, EXPIRY).unwrap();
    let changed =
        compile(&POLICY.replace("allow store }\n  user bob", "allow store lab }\n  user bob"));
    let keys = keys_of(&changed);
    let later = Timestamp(ISSUED.0 + 86_400);
    let Update::Updated { before, after } = update(&mut card, &keys, None, later, None).unwrap()
    else {
        panic!("not updated");
    };
    assert_eq!(before.status.code(), "update_required");
    assert_eq!(after.image.issued, later);
    assert_eq!(after.image.expiry.0, later.0 + 30 * 86_400, "the same life");
    assert_eq!(after.written.generation, 2);
    let read = read(&mut card, &keys, Some(ana), later).unwrap();
    assert_eq!(read.status, KeyStatus::UpToDate);
    assert!(matches!(
        update(&mut card, &keys, None, later, None).unwrap(),
        Update::UpToDate(_)
    ));
}

#[test]
fn a_key_option_changed_needs_a_reedition() {
    let policy = compile(POLICY);
    let ana = user(&policy, "ana");
    let mut card = blank(CardType::Classic4k);
    write(&mut card, &keys(&policy), ana, ISSUED, EXPIRY).unwrap();
    let audited = compile(&POLICY.replace("card 42  offline", "card 42  offline  key audit"));
    let keys = keys(&audited);
    let status = read(&mut card, &keys, None, ISSUED).unwrap().status;
    assert_eq!(
        status,
        KeyStatus::ReeditionRequired {
            why: ReeditionReason::KeyOptions {
                now: KeyOptions::AUDIT
            }
        }
    );
    let error = update(&mut card, &keys, None, ISSUED, None).unwrap_err();
    assert!(
        error.to_string().starts_with("re-edition required"),
        "{error}"
    );
    // The automatic update station leaves it without --edit, re-edits it with.
    let mut station = Station::new(false);
    let left = station.poll(&mut card, &keys, ISSUED).unwrap().unwrap();
    assert!(matches!(left, Presented::Left(_)));
    assert_eq!(
        station.poll(&mut card, &keys, ISSUED).unwrap(),
        None,
        "handled once"
    );
    let mut station = Station::new(true);
    let edited = station.poll(&mut card, &keys, ISSUED).unwrap().unwrap();
    let Presented::Reedited { after, .. } = edited else {
        panic!("{edited:?}");
    };
    assert_eq!(after.image.key_options, KeyOptions::AUDIT);
    assert_eq!(
        read(&mut card, &keys, None, ISSUED).unwrap().status,
        KeyStatus::UpToDate
    );
}

#[test]
fn the_station_updates_every_card_that_needs_it() {
    let policy = compile(POLICY);
    let (ana, bob) = (user(&policy, "ana"), user(&policy, "bob"));
    let mut cards = [
        blank(CardType::Ntag216),
        SimCard::blank(CardType::Classic1k, &[9, 9, 9, 9]).unwrap(),
    ];
    write(&mut cards[0], &keys(&policy), ana, ISSUED, EXPIRY).unwrap();
    write(&mut cards[1], &keys(&policy), bob, ISSUED, EXPIRY).unwrap();
    let changed = compile(
        &POLICY
            .replace("DOORS", "door extra { offline }")
            .replace("allow store }\n}", "allow store extra }\n}"),
    );
    let keys = keys(&changed);
    let mut station = Station::new(false);
    let after_expiry = Timestamp(EXPIRY.0 + 1);
    let first = station
        .poll(&mut cards[0], &keys, after_expiry)
        .unwrap()
        .unwrap();
    assert!(
        matches!(first, Presented::Updated { ref before, .. } if before.status.code() == "expired"),
        "{first:?}"
    );
    let second = station
        .poll(&mut cards[1], &keys, after_expiry)
        .unwrap()
        .unwrap();
    assert!(matches!(second, Presented::Updated { .. }), "{second:?}");
    let mut empty = blank(CardType::Ntag215);
    let blank_card = station
        .poll(&mut empty, &keys, after_expiry)
        .unwrap()
        .unwrap();
    assert!(
        matches!(
            blank_card,
            Presented::Failed {
                error: EncoderError::NoKey,
                ..
            }
        ),
        "{blank_card:?}"
    );
}

#[test]
fn a_key_too_large_for_the_card_is_refused_before_any_write() {
    let doors: String = (0..60)
        .map(|i| format!("door d{i} {{ offline }} "))
        .collect();
    let text = POLICY
        .replace("DOORS", &doors)
        .replace("allow store }\n  user bob", "allow site hq }\n  user bob");
    let policy = compile(&text);
    let ana = user(&policy, "ana");
    let mut card = blank(CardType::Ntag215);
    let before = card.clone();
    let error = write(&mut card, &keys(&policy), ana, ISSUED, EXPIRY).unwrap_err();
    let EncoderError::Card(CardError::TooLarge(too_large)) = &error else {
        panic!("{error}");
    };
    assert_eq!(too_large.free, 504);
    assert!(
        error
            .to_string()
            .contains("does not fit the card (NTAG215)"),
        "{error}"
    );
    assert_eq!(card.memory(), before.memory(), "nothing written");
}
