//! The decision step against a small policy: cards, bad reads, PINs and a two-factor
//! door, each with its commands and journal event.

use std::time::Duration;

use accessctl_core::{check, CompiledPolicy, Reason, Sources, Timestamp};
use accessctl_devices::osdp::{Command, FormattedCard, LedColor, OutputControlCode, RawCard};
use accessctl_devices::wiegand::{self, formats, WiegandBits};

use crate::door::DoorContext;
use crate::journal::{AccessType, EventKind, Medium};
use crate::presence::MemoryPresence;
use crate::query::QueryPolicy;
use crate::read::{self, CardRead};
use crate::reader::{DoorReader, Now, SECOND_FACTOR_TIMEOUT};
use crate::verdict::{Outcome, Verdict};

const POLICY: &str = r#"
site hq {
  timezone "Europe/Paris"
  door main { readers badge pin }
  door vault { readers badge pin  require badge pin }
  door back { readers badge }
}
account acme {
  user ana "Ana" { card 65537  pin "1234"  allow main vault }
  user bob "Bob" { card 65538  allow main }
}
"#;

fn policy() -> QueryPolicy {
    let mut sources = Sources::new();
    sources.add("hq.acl", POLICY);
    let policy = check(&sources).policy.expect("valid policy");
    QueryPolicy {
        compiled: CompiledPolicy::new(&policy),
        policy,
    }
}

fn door(policy: &QueryPolicy, name: &str) -> DoorReader {
    DoorReader::new(DoorContext::resolve(&policy.policy, name).unwrap())
}

/// Monday 2026-11-23 09:00 in Paris.
fn now() -> Now {
    Now {
        wall: Timestamp(1_795_420_800 + 8 * 3_600),
        mono: std::time::Instant::now(),
    }
}

fn later(now: Now, by: Duration) -> Now {
    Now {
        wall: Timestamp(now.wall.0 + i64::try_from(by.as_secs()).unwrap()),
        mono: now.mono + by,
    }
}

/// An H10301 read of facility 1, card `number`.
fn h10301(number: u64) -> CardRead {
    let card = wiegand::Card::new(formats::H10301, Some(1), number).unwrap();
    let bits = wiegand::encode(&card, &formats::H10301).unwrap();
    read::raw_card(&RawCard::from_wiegand(0, &bits), &[formats::H10301])
}

fn only(mut verdicts: Vec<Verdict>) -> Verdict {
    assert_eq!(verdicts.len(), 1, "{verdicts:?}");
    verdicts.remove(0)
}

fn strike_pulsed(verdict: &Verdict) -> bool {
    verdict.commands.iter().any(|c| {
        matches!(c, Command::Out(records)
            if records[0].output == 0 && records[0].code == OutputControlCode::TEMPORARY_ON)
    })
}

fn led(verdict: &Verdict) -> LedColor {
    verdict
        .commands
        .iter()
        .find_map(|c| match c {
            Command::Led(records) => Some(records[0].temporary.on_color),
            _ => None,
        })
        .expect("an LED command")
}

#[test]
fn an_allowed_card_pulses_the_strike_and_shows_green() {
    let policy = policy();
    let mut main = door(&policy, "main");
    let verdict = only(main.card(&policy, 0, &h10301(1), now(), &mut MemoryPresence::new()));
    assert_eq!(verdict.outcome, Outcome::Opened);
    assert!(strike_pulsed(&verdict));
    assert_eq!(led(&verdict), LedColor::GREEN);
    let event = verdict.event.unwrap();
    assert_eq!(event.kind, EventKind::Opened);
    assert_eq!(event.reason, Some(Reason::Granted));
    assert_eq!(event.user.as_deref(), Some("ana"));
    assert_eq!((event.site.as_str(), event.door.as_str()), ("hq", "main"));
    assert_eq!(event.at, now().wall.0);
    assert_eq!(event.medium, Some(Medium::Badge));
    assert_eq!(event.access_type, Some(AccessType::Permanent));
}

#[test]
fn an_unknown_card_is_refused_and_logged_with_its_number() {
    let policy = policy();
    let mut main = door(&policy, "main");
    let verdict = only(main.card(&policy, 0, &h10301(5), now(), &mut MemoryPresence::new()));
    assert_eq!(verdict.outcome, Outcome::UnknownCard);
    assert!(!strike_pulsed(&verdict));
    assert_eq!(led(&verdict), LedColor::RED);
    let event = verdict.event.unwrap();
    assert_eq!(event.kind, EventKind::UnknownCard);
    assert_eq!(event.card.as_deref(), Some("65541"));
    assert_eq!(event.detail.as_deref(), Some("read as 1:5"));
    assert_eq!(event.problem(), None, "the journal accepts it");
    assert_eq!(
        event.medium,
        Some(Medium::Badge),
        "an unknown card is a badge"
    );
    assert_eq!(event.access_type, None, "nobody's right was judged");
}

#[test]
fn a_known_card_refused_is_denied_with_its_reason() {
    let policy = policy();
    let mut back = door(&policy, "back");
    let verdict = only(back.card(&policy, 0, &h10301(2), now(), &mut MemoryPresence::new()));
    let event = verdict.event.unwrap();
    assert_eq!(event.kind, EventKind::Denied);
    assert_eq!(event.reason, Some(Reason::NotGranted));
    assert_eq!(event.user.as_deref(), Some("bob"));
    assert_eq!(event.card, None);
}

#[test]
fn a_read_with_bad_parity_is_refused_and_logged_as_such() {
    let policy = policy();
    let mut main = door(&policy, "main");
    let good: WiegandBits = "10000000100000000000000010".parse().unwrap();
    let bad = good.flipped(25).unwrap();
    let read = read::raw_card(&RawCard::from_wiegand(0, &bad), &[formats::H10301]);
    let verdict = only(main.card(&policy, 0, &read, now(), &mut MemoryPresence::new()));
    assert_eq!(verdict.outcome, Outcome::BadParity);
    assert_eq!(verdict.decision, None);
    assert!(!strike_pulsed(&verdict));
    let event = verdict.event.unwrap();
    assert_eq!(event.kind, EventKind::BadParity);
    assert!(event.detail.unwrap().contains("parity"));
}

#[test]
fn a_read_no_accepted_format_reads_is_refused_and_logged_as_unreadable() {
    let policy = policy();
    let mut main = door(&policy, "main");
    let short: WiegandBits = "1000000010000000000000001".parse().unwrap();
    let read = read::raw_card(&RawCard::from_wiegand(0, &short), &[formats::H10301]);
    let verdict = only(main.card(&policy, 0, &read, now(), &mut MemoryPresence::new()));
    assert_eq!(verdict.outcome, Outcome::Unreadable);
    assert_eq!(verdict.decision, None);
    assert!(!strike_pulsed(&verdict));
    assert_eq!(led(&verdict), LedColor::RED);
    let event = verdict.event.unwrap();
    assert_eq!(event.kind, EventKind::UnreadableCard);
    assert_eq!((event.reason, event.card), (None, None));
    let detail = event.detail.unwrap();
    assert!(detail.starts_with("unreadable card: "), "{detail}");
    assert!(detail.contains("25-bit"), "{detail}");
}

#[test]
fn a_formatted_read_is_decided_like_a_raw_one() {
    let policy = policy();
    let mut main = door(&policy, "main");
    let fmt = FormattedCard {
        reader: 0,
        direction: 0,
        characters: b"65538".to_vec(),
    };
    let verdict = only(main.card(
        &policy,
        0,
        &read::formatted_card(&fmt),
        now(),
        &mut MemoryPresence::new(),
    ));
    assert_eq!(verdict.outcome, Outcome::Opened);
    assert_eq!(verdict.event.unwrap().user.as_deref(), Some("bob"));
}

#[test]
fn a_pin_is_collected_until_enter_or_a_pause() {
    let policy = policy();
    let mut main = door(&policy, "main");
    let t0 = now();
    assert!(main
        .keys(&policy, 0, b"12", t0, &mut MemoryPresence::new())
        .is_empty());
    let verdict = only(main.keys(&policy, 0, b"34\r", t0, &mut MemoryPresence::new()));
    assert_eq!(verdict.outcome, Outcome::Opened);
    assert_eq!(verdict.event.unwrap().user.as_deref(), Some("ana"));

    assert!(main
        .keys(&policy, 0, b"99", t0, &mut MemoryPresence::new())
        .is_empty());
    let deadline = main.next_deadline().unwrap();
    let verdict = only(main.tick(
        &policy,
        Now {
            mono: deadline,
            ..t0
        },
        &mut MemoryPresence::new(),
    ));
    let event = verdict.event.unwrap();
    assert_eq!(event.kind, EventKind::Denied);
    assert_eq!(event.reason, Some(Reason::UnknownCredential));
    assert_eq!(event.card, None, "a PIN is never logged");
    assert!(!format!("{event:?}").contains("99"));
}

#[test]
fn a_two_factor_door_waits_for_the_pin_after_the_card() {
    let policy = policy();
    let mut vault = door(&policy, "vault");
    let t0 = now();
    let waiting = only(vault.card(&policy, 0, &h10301(1), t0, &mut MemoryPresence::new()));
    assert_eq!(waiting.outcome, Outcome::AwaitingFactor);
    assert_eq!(waiting.event, None);
    assert_eq!(led(&waiting), LedColor::AMBER);
    assert!(!strike_pulsed(&waiting));
    let opened = only(vault.keys(
        &policy,
        0,
        b"1234#",
        later(t0, Duration::from_secs(4)),
        &mut MemoryPresence::new(),
    ));
    assert_eq!(opened.outcome, Outcome::Opened);
    assert!(strike_pulsed(&opened));
    assert_eq!(vault.next_deadline(), None);
}

#[test]
fn a_two_factor_door_takes_the_pin_first_too() {
    let policy = policy();
    let mut vault = door(&policy, "vault");
    let t0 = now();
    let waiting = only(vault.keys(&policy, 0, b"1234#", t0, &mut MemoryPresence::new()));
    assert_eq!(waiting.outcome, Outcome::AwaitingFactor);
    let opened = only(vault.card(&policy, 0, &h10301(1), t0, &mut MemoryPresence::new()));
    assert_eq!(opened.outcome, Outcome::Opened);
}

#[test]
fn a_two_factor_door_refuses_a_wrong_pin_or_no_pin() {
    let policy = policy();
    let mut vault = door(&policy, "vault");
    let t0 = now();
    vault.card(&policy, 0, &h10301(1), t0, &mut MemoryPresence::new());
    let wrong = only(vault.keys(&policy, 0, b"9999#", t0, &mut MemoryPresence::new()));
    let event = wrong.event.unwrap();
    assert_eq!(event.kind, EventKind::Denied);
    assert_eq!(event.reason, Some(Reason::UnknownCredential));
    assert_eq!(event.card, None);

    vault.card(&policy, 0, &h10301(1), t0, &mut MemoryPresence::new());
    assert!(vault
        .tick(
            &policy,
            later(t0, Duration::from_secs(1)),
            &mut MemoryPresence::new()
        )
        .is_empty());
    let expired = only(vault.tick(
        &policy,
        later(t0, SECOND_FACTOR_TIMEOUT),
        &mut MemoryPresence::new(),
    ));
    assert_eq!(expired.outcome, Outcome::Denied);
    let event = expired.event.unwrap();
    assert_eq!(event.reason, Some(Reason::SecondFactorRequired));
    assert_eq!(event.user.as_deref(), Some("ana"));
}

#[test]
fn an_unknown_card_at_a_two_factor_door_is_logged_with_its_number() {
    let policy = policy();
    let mut vault = door(&policy, "vault");
    let t0 = now();
    vault.keys(&policy, 0, b"1234#", t0, &mut MemoryPresence::new());
    let verdict = only(vault.card(&policy, 0, &h10301(9), t0, &mut MemoryPresence::new()));
    assert_eq!(verdict.outcome, Outcome::UnknownCard);
    assert_eq!(verdict.event.unwrap().card.as_deref(), Some("65545"));
}

mod keypad_guard {
    //! The attacks on the controller's keypads, as they were found: 317 PINs decided
    //! in 19 s, the 317th opening; every 4-digit PIN within ten minutes.

    use accessctl_core::lockout::{FIRST_LOCKOUT, MAX_WRONG_PER_YEAR};
    use accessctl_core::offline::code::{door_code_key, issue, CodeRequest};
    use accessctl_core::secret::Key;

    use super::*;
    use crate::guard::KeypadGuard;

    const MANAGER: &str = r#"
site hq { timezone "Europe/Paris"  door office { readers badge pin } }
account acme { user boss "Boss" { pin "7317"  allow office } }
"#;

    fn manager_policy() -> QueryPolicy {
        let mut sources = Sources::new();
        sources.add("hq.acl", MANAGER);
        let policy = check(&sources).policy.expect("valid policy");
        QueryPolicy {
            compiled: CompiledPolicy::new(&policy),
            policy,
        }
    }

    fn office(policy: &QueryPolicy, guard: KeypadGuard) -> DoorReader {
        DoorReader::guarded(
            DoorContext::resolve(&policy.policy, "office").unwrap(),
            guard,
        )
    }

    fn code_key() -> Key {
        door_code_key(&Key::from_entropy([3; 32]), "office")
    }

    fn typed(door: &mut DoorReader, policy: &QueryPolicy, pin: &str, at: Now) -> Vec<Verdict> {
        door.keys(
            policy,
            0,
            format!("{pin}#").as_bytes(),
            at,
            &mut MemoryPresence::new(),
        )
    }

    #[test]
    fn every_four_digit_pin_in_order_does_not_open_within_a_year() {
        let policy = manager_policy();
        let mut door = office(&policy, KeypadGuard::new(Some(code_key())));
        let start = now();
        let (mut at, mut next, mut read) = (start, 0u32, 0u32);
        let year = Duration::from_secs(365 * 24 * 3600);
        while at.mono < start.mono + year && next < 10_000 {
            let verdicts = typed(&mut door, &policy, &format!("{next:04}"), at);
            assert!(
                verdicts.iter().all(|v| v.outcome != Outcome::Opened),
                "opened by {next:04}"
            );
            if verdicts.iter().any(|v| v.outcome == Outcome::LockedOut) {
                at = later(at, Duration::from_secs(60)); // tries again every minute
            } else {
                read += 1;
                next += 1;
                at = later(at, Duration::from_secs(1));
            }
        }
        assert!(read <= MAX_WRONG_PER_YEAR, "{read} PINs read in a year");
        assert!(next < 7317, "the manager's PIN is never reached");
    }

    #[test]
    fn the_fifth_wrong_pin_locks_the_keypad_is_journaled_and_survives_a_restart() {
        let policy = manager_policy();
        let mut door = office(&policy, KeypadGuard::new(None));
        let at = now();
        for guess in ["0000", "0001", "0002", "0003"] {
            let verdict = only(typed(&mut door, &policy, guess, at));
            assert_eq!(verdict.decision.unwrap().reason, Reason::UnknownCredential);
        }
        let fifth = typed(&mut door, &policy, "0004", at);
        assert_eq!(fifth.len(), 2, "{fifth:?}");
        assert_eq!(fifth[0].outcome, Outcome::Denied);
        assert_eq!(fifth[1].outcome, Outcome::KeypadLocked);
        let event = fifth[1].event.clone().unwrap();
        assert_eq!(event.kind, EventKind::KeypadLockout);
        assert!(event
            .detail
            .unwrap()
            .contains("5 wrong entries at reader 0"));
        // The right PIN now: refused unread, not decided, not journaled.
        let locked = only(typed(&mut door, &policy, "7317", at));
        assert_eq!(locked.outcome, Outcome::LockedOut);
        assert!(locked.decision.is_none() && locked.event.is_none());
        assert_eq!(led(&locked), LedColor::RED);
        // A restart, from the memory the controller keeps in its journal.
        let memory = door.keypad_memory_due().expect("the memory changed");
        let guard = KeypadGuard::restored(None, &memory).unwrap();
        let mut restarted = office(&policy, guard);
        let still = only(typed(&mut restarted, &policy, "7317", at));
        assert_eq!(still.outcome, Outcome::LockedOut);
        let after = later(at, Duration::from_secs(FIRST_LOCKOUT as u64));
        let opened = only(typed(&mut restarted, &policy, "7317", after));
        assert_eq!(opened.outcome, Outcome::Opened);
        // A card is no keypad entry: it opens while the keypad is locked.
    }

    #[test]
    fn an_offline_code_opens_online_too_and_a_one_time_code_once() {
        let policy = manager_policy();
        let mut door = office(&policy, KeypadGuard::new(Some(code_key())));
        let at = now();
        let request = CodeRequest {
            start: at.wall,
            hours: 1,
            once: true,
            variant: 0,
        };
        let issued = issue(&code_key(), &request).unwrap();
        let code = issued.code.expose_digits().to_owned();
        let opened = only(typed(&mut door, &policy, &code, at));
        assert_eq!(opened.outcome, Outcome::Opened);
        assert!(strike_pulsed(&opened));
        let detail = opened.event.unwrap().detail.unwrap();
        assert!(detail.starts_with("one-time offline code"), "{detail}");
        assert!(!detail.contains(&code), "never the code's digits");
        let again = only(typed(&mut door, &policy, &code, at));
        assert_eq!(again.outcome, Outcome::Denied);
        assert!(again
            .event
            .unwrap()
            .detail
            .unwrap()
            .contains("already used"));
        assert_eq!(door.guard().strikes(0), 0, "a genuine code is no guess");
    }
}

#[test]
fn a_pin_typed_alone_is_journaled_as_a_pin_under_its_holders_grants() {
    let policy = policy();
    let mut main = door(&policy, "main");
    let mut presence = MemoryPresence::new();
    let verdicts = main.keys(&policy, 0, b"1234#", now(), &mut presence);
    let event = verdicts
        .iter()
        .find_map(|v| v.event.clone())
        .expect("an event");
    assert_eq!(event.kind, EventKind::Opened, "{verdicts:?}");
    assert_eq!(event.medium, Some(Medium::Pin));
    assert_eq!(event.access_type, Some(AccessType::Permanent));
}

#[test]
fn unreadable_cards_are_badges_and_other_events_have_no_medium() {
    let door = DoorContext::resolve(&policy().policy, "main").unwrap();
    let verdict = crate::verdict::unreadable(&door, 0, EventKind::BadParity, "bit 3", now().wall);
    let event = verdict.event.unwrap();
    assert_eq!(
        (event.medium, event.access_type),
        (Some(Medium::Badge), None)
    );
    let locked = crate::verdict::keypad_locked(&door, "5 wrong".into(), now().wall);
    let event = locked.event.unwrap();
    assert_eq!((event.medium, event.access_type), (None, None));
    let code = crate::verdict::offline_code(&door, 0, true, "window".into(), now().wall);
    let event = code.event.unwrap();
    assert_eq!(
        (event.medium, event.access_type),
        (Some(Medium::Code), Some(AccessType::OfflineCode))
    );
}
