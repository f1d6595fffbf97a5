//! Tests of key images, their encoder, their status and their update.

use super::*;
use crate::model::Policy;
use crate::{check, CompiledPolicy, Sources};
use proptest::prelude::*;

const BASE: &str = r#"
site hq { timezone "Europe/Paris"
  door store { offline }
  door main
  door r2
  door lab
  door d1 door d2 door d3 door d4 door d5 door d6 door d7 door d8 door d9 door d10
  group offices = main r2
  group many = d1 d2 d3 d4 d5 d6 d7 d8 d9 d10
}
site annex { timezone "Europe/Paris"  door far }
schedule office { mon..fri 08:00-19:00  sat 09:00-12:00  except holidays fr }
schedule evenings { mon..fri 18:00-23:00 }
holidays fr { 2026-12-25 2027-01-01 2030-05-01 }
account acme {
  user ana "Ana" { card 42  offline  schedule office  valid 2026-01-01..2027-12-31  allow store group offices  allow r2 schedule evenings  allow far }
  user bob "Bob" { card 43  offline  allow site hq }
  user carl "Carl" { card 44  offline  inactive  allow main }
  user dan "Dan" { card 45  allow main }
  subaccount cowork "Cowork" {
    ceiling doors main store schedule evenings
    user eve "Eve" { card 46  offline  allow main store }
  }
}
"#;

/// 2026-11-18T…Z.
const ISSUED: Timestamp = Timestamp(1_795_000_000);
const DAY: i64 = 86_400;
const EXPIRY: Timestamp = Timestamp(ISSUED.0 + 60 * DAY);

fn site_key() -> Key {
    Key::from_entropy([5; 32])
}

fn compile(text: &str) -> (Policy, CompiledPolicy) {
    let mut sources = Sources::new();
    sources.add("keys.acl", text);
    let checked = check(&sources);
    let policy = checked
        .policy
        .unwrap_or_else(|| panic!("{:#?}", checked.diagnostics));
    let compiled = CompiledPolicy::new(&policy);
    (policy, compiled)
}

/// The base policy with `from` replaced by `to`.
fn changed(from: &str, to: &str) -> (Policy, CompiledPolicy) {
    assert!(BASE.contains(from), "{from}");
    compile(&BASE.replacen(from, to, 1))
}

fn user(policy: &Policy, name: &str) -> UserId {
    policy.user_named(name).unwrap()
}

/// The bytes of `name`'s key on the base policy.
fn key_of(name: &str) -> Vec<u8> {
    let (policy, compiled) = compile(BASE);
    let keys = CardKeys::for_site(&policy, &compiled, "hq", &site_key()).unwrap();
    let image = keys.encode(user(&policy, name), ISSUED, EXPIRY).unwrap();
    image.to_bytes().unwrap()
}

fn status_in(
    policy: &(Policy, CompiledPolicy),
    bytes: &[u8],
    name: &str,
    at: Timestamp,
) -> KeyStatus {
    let keys = CardKeys::for_site(&policy.0, &policy.1, "hq", &site_key()).unwrap();
    keys.status(bytes, user(&policy.0, name), at).unwrap()
}

fn refs(keys: &CardKeys<'_>, policy: &Policy, doors: &[&str]) -> Vec<DoorRef> {
    let mut refs: Vec<DoorRef> = doors
        .iter()
        .map(|d| keys.door_ref(policy.door_named(d).unwrap()))
        .collect();
    refs.sort();
    refs
}

#[test]
fn a_key_carries_the_doors_of_its_site_with_their_schedules() {
    let (policy, compiled) = compile(BASE);
    let keys = CardKeys::for_site(&policy, &compiled, "hq", &site_key()).unwrap();
    let ana = keys.encode(user(&policy, "ana"), ISSUED, EXPIRY).unwrap();
    assert_eq!(ana.holder, keys.holder_id(user(&policy, "ana")));
    assert!(ana.offline);
    assert_eq!(ana.card, Some(42));
    assert_eq!(
        ana.valid_from,
        crate::time::day_number(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
    );
    let doors: Vec<DoorRef> = ana.doors.iter().map(|d| d.door).collect();
    assert_eq!(
        doors,
        refs(&keys, &policy, &["store", "main", "r2"]),
        "`far` is the annex's"
    );
    // Two schedules: office (with Saturday and the holidays) and evenings.
    let schedules = &ana.timetable.schedules;
    assert_eq!(schedules.len(), 2);
    let office = schedules
        .iter()
        .position(|s| !s.weekly[5].is_empty())
        .unwrap();
    let evenings = 1 - office;
    assert_eq!(schedules[office].weekly[0], [(480, 1140)]);
    assert_eq!(schedules[office].closed_on, [0]);
    assert_eq!(schedules[evenings].weekly[4], [(1080, 1380)]);
    // Holidays within the key's life only.
    assert_eq!(ana.timetable.calendars.len(), 1);
    assert_eq!(
        ana.timetable.calendars[0].days.len(),
        2,
        "2030 is past the expiry"
    );
    let mask = |door: &str| {
        let r = keys.door_ref(policy.door_named(door).unwrap());
        ana.doors.iter().find(|d| d.door == r).unwrap().schedules
    };
    assert_eq!(mask("store"), 1 << office);
    assert_eq!(mask("main"), 1 << office);
    assert_eq!(
        mask("r2"),
        1 << evenings,
        "the per-door exception is more specific"
    );
    // Carl is deactivated, has offline access, a card and a grant on the site.
    assert_eq!(
        ana.revocations,
        [Revocation {
            holder: keys.holder_id(user(&policy, "carl")),
            before: ISSUED
        }]
    );
}

#[test]
fn who_gets_no_doors_and_who_gets_them_at_any_time() {
    let (policy, compiled) = compile(BASE);
    let keys = CardKeys::for_site(&policy, &compiled, "hq", &site_key()).unwrap();
    let key = |name| keys.encode(user(&policy, name), ISSUED, EXPIRY).unwrap();
    let bob = key("bob");
    assert_eq!(bob.doors.len(), 14);
    assert!(bob.doors.iter().all(|d| d.schedules == ALWAYS));
    assert!(bob.timetable.schedules.is_empty());
    assert!(key("carl").doors.is_empty(), "deactivated");
    let dan = key("dan");
    assert!(!dan.offline && dan.doors.is_empty(), "no offline access");
    // Eve's sub-account gives its default schedule; its ceiling bounds her doors.
    let eve = key("eve");
    assert_eq!(eve.doors.len(), 2);
    assert_eq!(eve.timetable.schedules[0].weekly[0], [(1080, 1380)]);
    assert!(eve.doors.iter().all(|d| d.schedules == 1));
    // The annex's keys carry the annex's doors, under another card key.
    let annex = CardKeys::for_site(&policy, &compiled, "annex", &site_key()).unwrap();
    let far = annex.encode(user(&policy, "ana"), ISSUED, EXPIRY).unwrap();
    assert_eq!(far.doors.len(), 1);
    assert_ne!(annex.card_key(), keys.card_key());
}

#[test]
fn images_round_trip_and_authenticate() {
    let bytes = key_of("ana");
    let image = KeyImage::decode(&bytes).unwrap();
    assert_eq!(image.to_bytes().unwrap(), bytes);
    assert_eq!(image.capacity.door_slots, 8);
    assert_eq!(image.capacity.revocation_slots, 8);
    assert_eq!(image.capacity.timetable_bytes % 16, 0);
    let hq = card_key(&site_key(), "hq");
    assert!(is_authentic(&bytes, &hq));
    assert!(!is_authentic(&bytes, &card_key(&site_key(), "annex")));
    let mut flipped = bytes.clone();
    flipped[30] ^= 1;
    assert!(!is_authentic(&flipped, &hq));
    assert!(!is_authentic(&bytes[..10], &hq));
    // Header, 8 door slots, 128 timetable bytes, 8 revocation slots, tag.
    assert_eq!(bytes.len(), 54 + 8 * 10 + 128 + 8 * 16 + 16);
    // Of which data: header, 3 doors, an 82-byte timetable, 1 revocation, tag.
    let timetable = u16::from_be_bytes([bytes[50], bytes[51]]);
    assert_eq!(timetable, 82);
    assert_eq!(54 + 3 * 10 + usize::from(timetable) + 16 + 16, 198);
}

#[test]
fn a_fresh_key_is_up_to_date_until_its_expiry() {
    let base = compile(BASE);
    let bytes = key_of("ana");
    assert_eq!(status_in(&base, &bytes, "ana", ISSUED), KeyStatus::UpToDate);
    assert_eq!(
        status_in(&base, &bytes, "ana", Timestamp(EXPIRY.0 - 1)),
        KeyStatus::UpToDate
    );
    assert_eq!(
        status_in(&base, &bytes, "ana", EXPIRY),
        KeyStatus::Expired { at: EXPIRY }
    );
}

#[test]
fn access_data_changes_require_an_update() {
    let bytes = key_of("ana");
    let at = ISSUED;
    let update = |changes| KeyStatus::UpdateRequired { changes };
    let new_door = changed("allow store group offices", "allow store lab group offices");
    assert_eq!(
        status_in(&new_door, &bytes, "ana", at),
        update(KeyChanges::DOORS)
    );
    let validity = changed(
        "valid 2026-01-01..2027-12-31",
        "valid 2026-01-01..2027-06-30",
    );
    assert_eq!(
        status_in(&validity, &bytes, "ana", at),
        update(KeyChanges::VALIDITY)
    );
    let bob_gone = changed("card 43  offline", "card 43  offline  inactive");
    assert_eq!(
        status_in(&bob_gone, &bytes, "ana", at),
        update(KeyChanges::REVOCATIONS)
    );
    let hours = changed("sat 09:00-12:00", "sat 09:00-13:00");
    let KeyStatus::UpdateRequired { changes } = status_in(&hours, &bytes, "ana", at) else {
        panic!("an update");
    };
    assert!(changes.contains(KeyChanges::TIMETABLE));
    let holiday = changed("2026-12-25 2027-01-01", "2026-12-24..2026-12-25 2027-01-01");
    let KeyStatus::UpdateRequired { changes } = status_in(&holiday, &bytes, "ana", at) else {
        panic!("an update");
    };
    assert!(changes.contains(KeyChanges::TIMETABLE));
    // Beyond the key's life a holiday changes nothing.
    let later = changed("2030-05-01", "2030-05-02");
    assert_eq!(status_in(&later, &bytes, "ana", at), KeyStatus::UpToDate);
}

#[test]
fn reordering_the_policy_changes_no_key() {
    let bytes = key_of("ana");
    let reordered = changed("  door main\n  door r2\n", "  door r2\n  door main\n");
    assert_eq!(
        status_in(&reordered, &bytes, "ana", ISSUED),
        KeyStatus::UpToDate
    );
    let schedules = changed(
        "schedule office { mon..fri 08:00-19:00  sat 09:00-12:00  except holidays fr }\nschedule evenings { mon..fri 18:00-23:00 }",
        "schedule evenings { mon..fri 18:00-23:00 }\nschedule office { sat 09:00-12:00  mon..fri 08:00-19:00  except holidays fr }",
    );
    assert_eq!(
        status_in(&schedules, &bytes, "ana", ISSUED),
        KeyStatus::UpToDate
    );
}

#[test]
fn structure_changes_require_a_reedition() {
    let bytes = key_of("ana");
    let at = ISSUED;
    let reedition = |why| KeyStatus::ReeditionRequired { why };
    let no_offline = changed("card 42  offline", "card 42");
    assert_eq!(
        status_in(&no_offline, &bytes, "ana", at),
        reedition(ReeditionReason::OfflineAccess { now: false })
    );
    let new_card = changed("card 42", "card 99");
    assert_eq!(
        status_in(&new_card, &bytes, "ana", at),
        reedition(ReeditionReason::Card { now: Some(99) })
    );
    let many = changed("allow far", "allow far group many");
    assert_eq!(
        status_in(&many, &bytes, "ana", at),
        reedition(ReeditionReason::Doors {
            needed: 13,
            slots: 8
        })
    );
    // Salto's key options: the audit trail and anti-passback on the key.
    let audit = changed("card 42  offline", "card 42  offline  key audit");
    assert_eq!(
        status_in(&audit, &bytes, "ana", at),
        reedition(ReeditionReason::KeyOptions {
            now: crate::model::KeyOptions::AUDIT
        })
    );
    let both = changed(
        "card 42  offline",
        "card 42  offline  key audit antipassback",
    );
    let (policy, compiled) = &both;
    let keys = CardKeys::for_site(policy, compiled, "hq", &site_key()).unwrap();
    let ana = user(policy, "ana");
    let edited = keys.encode(ana, ISSUED, EXPIRY).unwrap();
    assert_eq!(edited.key_options, crate::model::KeyOptions::all());
    let edited_bytes = edited.to_bytes().unwrap();
    assert_eq!(KeyImage::decode(&edited_bytes).unwrap(), edited);
    assert_eq!(
        status_in(&both, &edited_bytes, "ana", at),
        KeyStatus::UpToDate
    );
    // Turned off again: a re-edition too, and an updater refuses it.
    let status = status_in(&compile(BASE), &edited_bytes, "ana", at);
    assert_eq!(
        status,
        reedition(ReeditionReason::KeyOptions {
            now: crate::model::KeyOptions::empty()
        })
    );
    assert_eq!(status.code(), "reedition_required");
    // Another layout version, authentic and Ana's.
    let mut other = bytes.clone();
    other[2] = 2;
    let body = other.len() - TAG_LEN;
    let tag = card_key(&site_key(), "hq").tag(&other[..body]);
    other[body..].copy_from_slice(&tag[..TAG_LEN]);
    assert_eq!(
        status_in(&compile(BASE), &other, "ana", at),
        reedition(ReeditionReason::Layout { found: 2 })
    );
}

#[test]
fn timetable_and_revocation_overflows_require_a_reedition() {
    let bytes = key_of("ana");
    let image = KeyImage::decode(&bytes).unwrap();
    let revoked: String = (0..12)
        .map(|i| {
            format!(
                "  user gone{i} {{ card {}  offline  inactive  allow main }}\n",
                900 + i
            )
        })
        .collect();
    let crowd = changed("  user dan", &format!("{revoked}  user dan"));
    assert_eq!(
        status_in(&crowd, &bytes, "ana", ISSUED),
        KeyStatus::ReeditionRequired {
            why: ReeditionReason::Revocations {
                needed: 13,
                slots: usize::from(image.capacity.revocation_slots)
            }
        }
    );
    let sunday: String = (0..15).map(|i| format!(" {i:02}:00-{i:02}:30")).collect();
    let busy = changed("sat 09:00-12:00", &format!("sat 09:00-12:00 sun{sunday}"));
    assert!(matches!(
        status_in(&busy, &bytes, "ana", ISSUED),
        KeyStatus::ReeditionRequired {
            why: ReeditionReason::Timetable { .. }
        }
    ));
}

#[test]
fn another_users_key_is_an_invalid_user_key() {
    let base = compile(BASE);
    let bytes = key_of("ana");
    assert_eq!(
        status_in(&base, &bytes, "bob", ISSUED),
        KeyStatus::InvalidUserKey {
            holder: Some(user(&base.0, "ana"))
        }
    );
    let renamed = changed("user ana \"Ana\"", "user anna \"Ana\"");
    assert_eq!(
        status_in(&renamed, &bytes, "bob", ISSUED),
        KeyStatus::InvalidUserKey { holder: None }
    );
}

#[test]
fn forged_or_foreign_keys_are_not_authentic() {
    let base = compile(BASE);
    let mut bytes = key_of("ana");
    let foreign = {
        let keys = CardKeys::for_site(&base.0, &base.1, "hq", &Key::from_entropy([6; 32])).unwrap();
        keys.encode(user(&base.0, "ana"), ISSUED, EXPIRY)
            .unwrap()
            .to_bytes()
            .unwrap()
    };
    assert_eq!(
        status_in(&base, &foreign, "ana", ISSUED),
        KeyStatus::NotAuthentic
    );
    // Pushing the expiry back a year breaks the tag.
    bytes[28..36].copy_from_slice(&(EXPIRY.0 + 365 * DAY).to_be_bytes());
    assert_eq!(
        status_in(&base, &bytes, "ana", ISSUED),
        KeyStatus::NotAuthentic
    );
    let keys = CardKeys::for_site(&base.0, &base.1, "hq", &site_key()).unwrap();
    assert!(matches!(
        keys.status(b"A", user(&base.0, "ana"), ISSUED),
        Err(StatusError::Image(KeyImageError {
            offset: 0,
            problem: ImageProblem::Truncated { .. }
        }))
    ));
}

#[test]
fn an_updater_refreshes_within_the_structure_and_refuses_the_rest() {
    let bytes = key_of("ana");
    let new_door = changed("allow store group offices", "allow store lab group offices");
    let keys = CardKeys::for_site(&new_door.0, &new_door.1, "hq", &site_key()).unwrap();
    let ana = user(&new_door.0, "ana");
    let later = Timestamp(ISSUED.0 + 70 * DAY);
    assert!(matches!(
        keys.status(&bytes, ana, later).unwrap(),
        KeyStatus::Expired { .. }
    ));
    let refreshed = keys
        .refresh(&bytes, ana, later, Timestamp(later.0 + 30 * DAY))
        .unwrap()
        .to_bytes()
        .unwrap();
    assert_eq!(
        refreshed.len(),
        bytes.len(),
        "an update keeps the structure"
    );
    assert_eq!(
        keys.status(&refreshed, ana, later).unwrap(),
        KeyStatus::UpToDate
    );
    assert_eq!(KeyImage::decode(&refreshed).unwrap().doors.len(), 4);
    // Bob's card, offered as Ana's, is refused.
    assert!(matches!(
        keys.refresh(&key_of("bob"), ana, later, Timestamp(later.0 + DAY)),
        Err(RefreshError::Refused(KeyStatus::InvalidUserKey { .. }))
    ));
    let new_card = changed("card 42", "card 99");
    let keys = CardKeys::for_site(&new_card.0, &new_card.1, "hq", &site_key()).unwrap();
    assert!(matches!(
        keys.refresh(&bytes, ana, later, Timestamp(later.0 + DAY)),
        Err(RefreshError::Refused(KeyStatus::ReeditionRequired { .. }))
    ));
    assert!(matches!(
        keys.refresh(&bytes, ana, later, later),
        Err(RefreshError::Policy(
            EncodeError::ExpiryNotAfterIssue { .. }
        ))
    ));
}

#[test]
fn encoding_refuses_what_no_key_can_carry() {
    let (policy, compiled) = compile(BASE);
    assert!(matches!(
        CardKeys::for_site(&policy, &compiled, "nowhere", &site_key()),
        Err(EncodeError::NoSuchSite(_))
    ));
    let keys = CardKeys::for_site(&policy, &compiled, "hq", &site_key()).unwrap();
    assert_eq!(
        keys.encode(UserId(999), ISSUED, EXPIRY),
        Err(EncodeError::UnknownUser(999))
    );
    let schedules: String = (0..16)
        .map(|i| format!("schedule s{i} {{ mon 08:{i:02}-10:00 }}\n"))
        .collect();
    let grants: String = (0..16)
        .map(|i| format!("allow d{} schedule s{i}  ", i % 10 + 1))
        .collect();
    let text = format!("{schedules}{}", BASE.replace("allow site hq", &grants));
    let (policy, compiled) = compile(&text);
    let keys = CardKeys::for_site(&policy, &compiled, "hq", &site_key()).unwrap();
    assert_eq!(
        keys.encode(user(&policy, "bob"), ISSUED, EXPIRY),
        Err(EncodeError::TooManySchedules {
            user: "bob".into(),
            count: 16
        })
    );
}

/// Decodes `bytes`, expecting a problem at `offset`.
fn problem_at(bytes: &[u8]) -> (usize, ImageProblem) {
    let error = KeyImage::decode(bytes).unwrap_err();
    (error.offset, error.problem)
}

#[test]
fn malformed_images_are_refused_with_the_offset() {
    let bytes = key_of("ana");
    let image = KeyImage::decode(&bytes).unwrap();
    let edit = |at: usize, value: u8| {
        let mut b = bytes.clone();
        b[at] = value;
        b
    };
    assert_eq!(problem_at(&edit(0, b'X')), (0, ImageProblem::BadMagic));
    assert_eq!(problem_at(&edit(2, 9)), (2, ImageProblem::UnknownLayout(9)));
    assert_eq!(
        problem_at(&edit(11, 0x83)),
        (11, ImageProblem::ReservedBits(0x80))
    );
    assert_eq!(
        problem_at(&bytes[..40]),
        (40, ImageProblem::Truncated { needed: 4 })
    );
    assert_eq!(
        problem_at(&edit(47, 9)),
        (
            46,
            ImageProblem::OverCapacity {
                used: 9,
                capacity: 8
            }
        )
    );
    // The last door slot is unused: it must be zero.
    let last_slot = HEADER_LEN + 7 * DOOR_RECORD_LEN + 3;
    assert_eq!(
        problem_at(&edit(last_slot, 1)),
        (last_slot, ImageProblem::NonZeroPadding)
    );
    // Swap the first two doors.
    let mut swapped = bytes.clone();
    let (first, second) = (HEADER_LEN, HEADER_LEN + DOOR_RECORD_LEN);
    let a = swapped[first..second].to_vec();
    let b = swapped[second..second + DOOR_RECORD_LEN].to_vec();
    swapped[first..second].copy_from_slice(&b);
    swapped[second..second + DOOR_RECORD_LEN].copy_from_slice(&a);
    assert_eq!(problem_at(&swapped), (second, ImageProblem::Unordered));
    // A mask naming a schedule the key does not carry.
    let mask_at = HEADER_LEN + 8;
    let mut bad_mask = bytes.clone();
    bad_mask[mask_at..mask_at + 2].copy_from_slice(&0x0004u16.to_be_bytes());
    assert_eq!(problem_at(&bad_mask), (mask_at, ImageProblem::BadMask(4)));
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(
        problem_at(&longer),
        (bytes.len(), ImageProblem::TrailingBytes(1))
    );
    assert_eq!(image.to_bytes().unwrap(), bytes);
    let message = KeyImage::decode(&edit(0, b'X')).unwrap_err().to_string();
    assert_eq!(message, "byte 0: not a key image: it must start with `AK`");
}

#[test]
fn writing_refuses_counts_beyond_capacity() {
    let mut image = KeyImage::decode(&key_of("bob")).unwrap();
    image.capacity.door_slots = 3;
    assert_eq!(
        image.to_bytes().unwrap_err(),
        KeyImageError {
            offset: 46,
            problem: ImageProblem::OverCapacity {
                used: 14,
                capacity: 3
            }
        }
    );
}

#[test]
fn room_leaves_headroom() {
    assert_eq!(room::<u16>(0, 4, 4, 65_535), 4);
    assert_eq!(room::<u16>(3, 4, 4, 65_535), 8);
    assert_eq!(room::<u16>(100, 4, 4, 65_535), 128);
    assert_eq!(room::<u8>(250, 4, 4, 255), 255);
    assert_eq!(room::<u16>(70, 32, 16, 65_535), 112);
}

fn minutes() -> impl Strategy<Value = Minutes> {
    (0u16..1440, 0u16..=1440)
}

fn schedule(calendars: usize) -> impl Strategy<Value = CardSchedule> {
    let most = if calendars == 0 { 0 } else { 2 };
    let indexes = move || prop::collection::vec(0..calendars.max(1) as u8, 0..=most);
    let day = || prop::collection::vec(minutes(), 0..3);
    let weekly = [day(), day(), day(), day(), day(), day(), day()];
    let rule = (indexes(), prop::collection::vec(minutes(), 0..3))
        .prop_map(|(calendars, ranges)| CardHolidayRule { calendars, ranges });
    (weekly, indexes(), prop::collection::vec(rule, 0..2)).prop_map(
        |(weekly, closed_on, holidays)| CardSchedule {
            weekly,
            closed_on,
            holidays,
        },
    )
}

fn timetable() -> impl Strategy<Value = Timetable> {
    let range = (any::<i32>(), any::<i32>()).prop_map(|(a, b)| (a.min(b), a.max(b)));
    let calendar = prop::collection::vec(range, 0..4).prop_map(|days| CardCalendar { days });
    prop::collection::vec(calendar, 0..3).prop_flat_map(|calendars| {
        let n = calendars.len();
        (Just(calendars), prop::collection::vec(schedule(n), 0..4)).prop_map(
            |(calendars, schedules)| Timetable {
                calendars,
                schedules,
            },
        )
    })
}

fn key_image() -> impl Strategy<Value = KeyImage> {
    let head = (
        any::<[u8; 8]>(),
        any::<bool>(),
        any::<Option<u64>>(),
        any::<i64>(),
        any::<i64>(),
        any::<i32>(),
        any::<i32>(),
    );
    let revocations = prop::collection::btree_map(any::<[u8; 8]>(), any::<i64>(), 0..5);
    let room = (0u16..5, 0u16..40, 0u8..5);
    (head, timetable(), revocations, room)
        .prop_flat_map(|(head, timetable, revocations, room)| {
            let schedules = timetable.schedules.len();
            let mask = prop_oneof![Just(ALWAYS), 1u16..(1u16 << schedules).max(2)]
                .prop_map(move |m| if schedules == 0 { ALWAYS } else { m });
            let doors = prop::collection::btree_map(any::<[u8; 8]>(), mask, 0..6);
            (
                Just(head),
                Just(timetable),
                Just(revocations),
                Just(room),
                doors,
            )
        })
        .prop_map(|(head, timetable, revocations, room, doors)| {
            let (holder, offline, card, issued, expiry, valid_from, valid_to) = head;
            let used = encode::timetable_bytes(&timetable, 0).unwrap().len() as u16;
            let doors: Vec<DoorEntry> = doors
                .into_iter()
                .map(|(door, schedules)| DoorEntry { door, schedules })
                .collect();
            let revocations: Vec<Revocation> = revocations
                .into_iter()
                .map(|(holder, before)| Revocation {
                    holder,
                    before: Timestamp(before),
                })
                .collect();
            KeyImage {
                holder,
                offline,
                card,
                key_options: Default::default(),
                issued: Timestamp(issued),
                expiry: Timestamp(expiry),
                valid_from,
                valid_to,
                capacity: Capacity {
                    door_slots: doors.len() as u16 + room.0,
                    timetable_bytes: used + room.1,
                    revocation_slots: revocations.len() as u8 + room.2,
                },
                doors,
                timetable,
                revocations,
                tag: [7; TAG_LEN],
            }
        })
}

proptest! {
    #[test]
    fn any_image_round_trips(image in key_image()) {
        let bytes = image.to_bytes().unwrap();
        let decoded = KeyImage::decode(&bytes);
        prop_assert_eq!(decoded.clone(), Ok(image.clone()));
        prop_assert_eq!(decoded.unwrap().to_bytes().unwrap(), bytes);
    }

    #[test]
    fn damaged_images_never_panic_and_decode_canonically(
        image in key_image(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = image.to_bytes().unwrap();
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        for candidate in [&bytes[..], &bytes[..cut.index(bytes.len())]] {
            if let Ok(decoded) = KeyImage::decode(candidate) {
                prop_assert_eq!(decoded.to_bytes().unwrap(), candidate.to_vec());
            }
        }
    }
}
