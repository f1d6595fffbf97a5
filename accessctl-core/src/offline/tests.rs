//! Tests of the image builder and the offline evaluator on small written policies:
//! what goes in an image, the capacity limit, revocations, two factors, time zones
//! and the horizon, each checked against the engine in offline mode.

use super::*;
use crate::model::{DoorId, Policy};
use crate::secret::Key;
use crate::time::WrittenTimestamp;
use crate::{check, CompiledPolicy, Presented, Reason, Request, Sources, Subject, Timestamp};

const SITE: &str = r#"
site hq { timezone "Europe/Paris"
  door store { offline  capacity 10  readers badge pin  schedule days }
  door vault { offline  readers badge pin  require badge pin }
  door lobby
  code "483920" on store
  code "111111" on lobby
}
schedule office { mon..fri 08:00-19:00  except holidays fr }
schedule nights { mon..fri 22:00-06:00 }
schedule days { mon..sun 06:00-23:00 }
holidays fr { 2026-12-25  2027-01-01 }
account acme {
  user ana "Ana" { card 42  pin "4242"  offline  schedule office  allow store vault }
  user bob "Bob" { card 43  offline  allow store schedule nights }
  user cid "Cid" { card 44  offline  inactive  allow store }
  user dan "Dan" { card 45  offline  valid 2026-01-01..2026-06-30  allow store }
  user eve "Eve" { card 46  allow store }
  user fay "Fay" { card 47  pin "4747"  offline  allow vault }
}
"#;

struct Site {
    policy: Policy,
    compiled: CompiledPolicy,
}

fn site(text: &str) -> Site {
    let mut sources = Sources::new();
    sources.add("site.acl", text);
    let checked = check(&sources);
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    let policy = checked.policy.unwrap();
    let compiled = CompiledPolicy::new(&policy);
    Site { policy, compiled }
}

fn key() -> Key {
    image::lock_key(&Key::from_entropy([5; 32]), "store")
}

fn at(text: &str) -> Timestamp {
    WrittenTimestamp::parse(text)
        .and_then(|w| w.resolve(chrono_tz::Europe::Paris))
        .unwrap()
}

/// 2026-11-02, a Monday.
fn issued() -> Timestamp {
    at("2026-11-02T00:00")
}

impl Site {
    fn door(&self, name: &str) -> DoorId {
        self.policy.door_named(name).unwrap()
    }

    fn build(&self, door: &str) -> Result<BuiltImage, BuildError> {
        build_image(
            &self.policy,
            &self.compiled,
            self.door(door),
            &key(),
            Issue::at(issued()),
        )
    }

    /// The lock's decision, after checking it against the engine's in offline mode.
    fn decide(&self, door: &str, presented: Presented<'_>, when: &str) -> LockDecision {
        let built = self.build(door).unwrap();
        let image = LockImage::decode(&built.bytes, &key()).unwrap();
        let instant = at(when);
        let lock = image.decide(&presented, instant);
        let engine = self.compiled.decide(&Request {
            subject: Subject::Credentials(presented),
            door: self.door(door),
            at: instant,
            offline: true,
        });
        assert_eq!(lock.allowed(), engine.allowed(), "{lock:?} / {engine:?}");
        if lock.reason != Reason::UnknownCredential {
            let mapped = built.map.decision(&lock);
            assert_eq!(
                (mapped.reason, mapped.holder, mapped.schedule),
                (engine.reason, engine.holder, engine.schedule),
                "{lock:?} / {engine:?}"
            );
        }
        lock
    }
}

fn card(number: u64) -> Presented<'static> {
    Presented {
        card: Some(number),
        ..Presented::default()
    }
}

fn pin(code: &str) -> Presented<'_> {
    Presented {
        pin: Some(code),
        ..Presented::default()
    }
}

#[test]
fn an_image_holds_offline_users_space_codes_and_revocations() {
    let site = site(SITE);
    let built = site.build("store").unwrap();
    let summary = built.contents.summary();
    // ana and bob may open; cid and dan no longer; eve has no offline access.
    assert_eq!(summary.holders, 4);
    assert_eq!(summary.space_codes, 1);
    assert_eq!(summary.credentials, 3, "ana's card and PIN, bob's card");
    assert_eq!(
        summary.revocations, 2,
        "cid is deactivated, dan's validity ended"
    );
    assert_eq!(summary.entries, 6);
    assert!(summary.door_schedule);
    assert_eq!(summary.transitions.len(), 4, "two years of Paris changes");
    assert_eq!(built.bytes.len(), summary.bytes);
    let names: Vec<&str> = built
        .map
        .holders
        .iter()
        .map(|u| site.policy.users[u.index()].name.as_str())
        .collect();
    assert_eq!(names, ["ana", "bob", "cid", "dan"]);
}

#[test]
fn codes_and_card_numbers_are_never_in_clear() {
    let site = site(SITE);
    let bytes = site.build("store").unwrap().bytes;
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(!contains(b"483920"));
    assert!(!contains(b"4242"));
    for number in [42u64, 43, 44, 45] {
        assert!(!contains(&number.to_be_bytes()[4..]));
        assert!(!contains(&number.to_le_bytes()[..4]));
    }
}

#[test]
fn the_lock_decides_as_the_engine_offline() {
    let site = site(SITE);
    let monday = "2026-11-23T09:00";
    assert_eq!(
        site.decide("store", card(42), monday).reason,
        Reason::Granted
    );
    assert_eq!(
        site.decide("store", card(42), "2026-11-22T09:00").reason,
        Reason::OutsideSchedule
    );
    assert_eq!(
        site.decide("store", card(42), "2026-12-25T09:00").reason,
        Reason::OutsideSchedule,
        "a holiday closes the office"
    );
    assert_eq!(
        site.decide("store", card(43), "2026-11-23T22:30").reason,
        Reason::Granted
    );
    assert_eq!(
        site.decide("store", card(43), "2026-11-24T02:00").reason,
        Reason::DoorClosed,
        "Monday's night runs into Tuesday, but the door's own hours bind everyone"
    );
    assert_eq!(
        site.decide("store", card(44), monday).reason,
        Reason::Inactive
    );
    assert_eq!(
        site.decide("store", card(45), monday).reason,
        Reason::OutsideValidity
    );
    assert_eq!(
        site.decide("store", card(46), monday).reason,
        Reason::UnknownCredential,
        "eve has no offline access: the lock does not know her card"
    );
    assert_eq!(
        site.decide("store", pin("483920"), "2026-11-22T03:00")
            .reason,
        Reason::SpaceCode
    );
    assert_eq!(
        site.decide("store", pin("111111"), monday).reason,
        Reason::UnknownCredential,
        "another door's space code"
    );
}

#[test]
fn two_factors_must_come_from_one_holder() {
    let site = site(SITE);
    let monday = "2026-11-23T09:00";
    let both = |c, p| Presented {
        card: Some(c),
        pin: Some(p),
        ..Presented::default()
    };
    assert_eq!(
        site.decide("vault", both(42, "4242"), monday).reason,
        Reason::Granted
    );
    assert_eq!(
        site.decide("vault", both(42, "4747"), monday).reason,
        Reason::FactorsMismatch
    );
    assert_eq!(
        site.decide("vault", card(47), monday).reason,
        Reason::SecondFactorRequired
    );
    let qr = Presented {
        qr: Some("x"),
        ..card(42)
    };
    assert_eq!(
        site.decide("vault", qr, monday).reason,
        Reason::UnknownCredential
    );
}

#[test]
fn local_time_follows_daylight_saving_across_the_horizon() {
    let site = site(
        r#"site hq { timezone "Europe/Paris"  door d { offline } }
        schedule early { mon..sun 07:00-08:00 }
        account a { user u "U" { card 1  offline  schedule early  allow d } }"#,
    );
    for day in [
        "2027-03-27",
        "2027-03-28",
        "2027-03-29",
        "2027-10-31",
        "2027-11-01",
    ] {
        for time in ["06:59", "07:00", "07:59", "08:00"] {
            site.decide("d", card(1), &format!("{day}T{time}"));
        }
    }
    let built = site.build("d").unwrap();
    let image = LockImage::decode(&built.bytes, &key()).unwrap();
    let inside = image.decide(&card(1), at("2027-06-01T07:30"));
    assert!(inside.within_horizon && inside.allowed());
    let after = image.decide(&card(1), at("2029-06-01T07:30"));
    assert!(!after.within_horizon);
    assert!(
        !image
            .decide(&card(1), at("2026-11-01T07:30"))
            .within_horizon
    );
}

#[test]
fn a_door_over_capacity_is_refused_naming_it_and_the_count() {
    let mut text = String::from(
        "site hq { timezone \"UTC\"  door small { offline  capacity 3 }  code \"123456\" on small }\naccount a {\n",
    );
    for i in 0..3 {
        text.push_str(&format!(
            "  user u{i} \"U\" {{ card {i}  offline  allow small }}\n"
        ));
    }
    text.push('}');
    let site = site(&text);
    let error = site.build("small").unwrap_err();
    assert_eq!(
        error,
        BuildError::OverCapacity {
            door: "small".into(),
            entries: 4,
            capacity: 3
        }
    );
    assert_eq!(
        error.to_string(),
        "door `small` needs 4 entries in its lock memory, beyond its capacity of 3"
    );
}

#[test]
fn windows_outside_the_layout_are_refused() {
    let site = site(SITE);
    let build = |issued, horizon_days| {
        build_image(
            &site.policy,
            &site.compiled,
            site.door("store"),
            &key(),
            Issue {
                issued: Timestamp(issued),
                horizon_days,
            },
        )
    };
    assert!(matches!(
        build(0, 731),
        Err(BuildError::WindowOutOfRange { .. })
    ));
    assert!(matches!(
        build(4_100_000_000, 731),
        Err(BuildError::WindowOutOfRange { .. })
    ));
    assert!(matches!(
        build(1_800_000_000, 0),
        Err(BuildError::WindowOutOfRange { .. })
    ));
    assert!(build(1_800_000_000, 1).is_ok());
    assert_eq!(
        build_image(
            &site.policy,
            &site.compiled,
            DoorId(99),
            &key(),
            Issue::at(issued())
        )
        .unwrap_err(),
        BuildError::UnknownDoor(99)
    );
}

#[test]
fn an_image_is_authentic_only_under_its_own_lock_key() {
    let site = site(SITE);
    let bytes = site.build("store").unwrap().bytes;
    let other = image::lock_key(&Key::from_entropy([5; 32]), "vault");
    assert_eq!(
        LockImage::decode(&bytes, &other).unwrap_err(),
        DecodeError::NotAuthentic
    );
    let seen = inspect(&bytes, None).unwrap();
    assert_eq!(seen.summary.door, "store");
    let json = serde_json::to_string(&seen).unwrap();
    assert!(json.contains("\"entries\":6"), "{json}");
}
