//! Tests of the layout: round trips of random canonical contents, tampering, and the
//! decoder's refusals with their byte offsets.

use super::*;
use proptest::collection::{btree_map, btree_set, vec};
use proptest::prelude::*;

fn key(byte: u8) -> Key {
    Key::from_entropy([byte; KEY_LEN])
}

fn day_ranges() -> impl Strategy<Value = DayRanges> {
    (0u16..=1440, btree_set(0u16..=1440, 0..8)).prop_map(|(spill, bounds)| {
        let bounds: Vec<u16> = bounds.into_iter().collect();
        let open = bounds
            .chunks_exact(2)
            .map(|pair| MinuteSpan {
                start: pair[0],
                end: pair[1],
            })
            .collect();
        DayRanges { spill, open }
    })
}

fn calendar() -> impl Strategy<Value = Calendar> {
    (0u16..60_000, vec((0u16..100, 0u16..10), 0..6)).prop_map(|(start, steps)| {
        let mut next = start;
        let spans = steps
            .into_iter()
            .map(|(gap, len)| {
                let first = next + gap;
                let span = DaySpan {
                    first,
                    last: first + len,
                };
                next = span.last + 2;
                span
            })
            .collect();
        Calendar { spans }
    })
}

/// Strictly ascending indexes below `count`, from raw picks.
fn indexes(raw: &std::collections::BTreeSet<u16>, count: usize) -> Vec<u16> {
    let mut picked: Vec<u16> = raw
        .iter()
        .filter_map(|&r| u16::try_from(usize::from(r) % count.max(1)).ok())
        .filter(|_| count > 0)
        .collect();
    picked.sort_unstable();
    picked.dedup();
    picked
}

type RawSchedule = (
    Vec<DayRanges>,
    std::collections::BTreeSet<u16>,
    Vec<(std::collections::BTreeSet<u16>, DayRanges)>,
);

fn raw_schedule() -> impl Strategy<Value = RawSchedule> {
    (
        vec(day_ranges(), 7),
        btree_set(any::<u16>(), 0..3),
        vec((btree_set(any::<u16>(), 0..3), day_ranges()), 0..3),
    )
}

fn schedule(raw: RawSchedule, calendars: usize) -> WeeklySchedule {
    let (days, closed_on, holiday_rules) = raw;
    let mut schedule = WeeklySchedule::default();
    for (slot, day) in schedule.weekly.iter_mut().zip(days) {
        *slot = day;
    }
    schedule.closed_on = indexes(&closed_on, calendars);
    schedule.holiday_rules = holiday_rules
        .into_iter()
        .map(|(ids, ranges)| HolidayRanges {
            calendars: indexes(&ids, calendars),
            ranges,
        })
        .collect();
    schedule
}

/// Random contents in canonical form: every table ordered, every index in range.
fn contents() -> impl Strategy<Value = ImageContents> {
    let header = (
        "[a-zé0-9_-]{0,24}",
        0u8..32,
        0u8..32,
        0i64..4_000_000_000,
        1i64..100_000_000,
        -86_399i32..86_400,
        btree_map(any::<u32>(), -86_399i32..86_400, 0..6),
        any::<Option<u16>>(),
    );
    let tables = (
        vec(calendar(), 0..4),
        vec(raw_schedule(), 0..4),
        vec(
            (any::<bool>(), btree_set(any::<u16>(), 0..4), any::<bool>()),
            0..5,
        ),
        vec((any::<u16>(), any::<u16>(), any::<u16>()), 0..20),
        btree_set(any::<[u8; DIGEST_LEN]>(), 0..6),
        btree_map(
            any::<[u8; DIGEST_LEN]>(),
            (any::<u16>(), any::<bool>()),
            0..40,
        ),
    );
    (header, tables).prop_map(assemble)
}

type RawHeader = (
    String,
    u8,
    u8,
    i64,
    i64,
    i32,
    std::collections::BTreeMap<u32, i32>,
    Option<u16>,
);
type RawRule = (bool, std::collections::BTreeSet<u16>, bool);
type RawTables = (
    Vec<Calendar>,
    Vec<RawSchedule>,
    Vec<RawRule>,
    Vec<(u16, u16, u16)>,
    std::collections::BTreeSet<Digest>,
    std::collections::BTreeMap<Digest, (u16, bool)>,
);

fn assemble((header, tables): (RawHeader, RawTables)) -> ImageContents {
    let (door, readers, required, issued, span, base_offset, changes, door_schedule) = header;
    let (calendars, schedules, rules, holders, space_codes, entries) = tables;
    let n_calendars = calendars.len();
    let schedules: Vec<WeeklySchedule> = schedules
        .into_iter()
        .map(|s| schedule(s, n_calendars))
        .collect();
    let n_schedules = schedules.len();
    let rules: Vec<Rule> = rules
        .into_iter()
        .map(|(inactive, ids, always)| {
            if inactive {
                return Rule::Inactive;
            }
            let mut list: Vec<Option<u16>> =
                indexes(&ids, n_schedules).into_iter().map(Some).collect();
            if always {
                list.push(None);
            }
            Rule::Schedules(list)
        })
        .collect();
    let holders: Vec<HolderRecord> = holders
        .into_iter()
        .filter(|_| !rules.is_empty())
        .map(|(valid_from, valid_to, rule)| HolderRecord {
            valid_from,
            valid_to,
            rule: rule % rules.len() as u16,
        })
        .collect();
    let (mut credentials, mut revocations) = (Vec::new(), Vec::new());
    for (digest, (holder, revoked)) in entries.into_iter().filter(|_| !holders.is_empty()) {
        let entry = Entry {
            digest,
            holder: holder % holders.len() as u16,
        };
        if revoked {
            revocations.push(entry);
        } else {
            credentials.push(entry);
        }
    }
    let horizon = Timestamp(issued + span);
    let transitions = changes
        .into_iter()
        .map(|(delta, offset)| {
            let at = Timestamp(issued + 1 + i64::from(delta) % (span - 1).max(1));
            (at, offset)
        })
        .filter(|(at, _)| *at < horizon)
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_iter()
        .map(|(at, offset)| OffsetChange { at, offset })
        .collect();
    ImageContents {
        door,
        readers: ReaderModes::from_bits_truncate(readers),
        required: ReaderModes::from_bits_truncate(required),
        issued: Timestamp(issued),
        horizon,
        base_offset,
        transitions,
        door_schedule: door_schedule
            .filter(|_| n_schedules > 0)
            .map(|s| s % n_schedules as u16),
        calendars,
        schedules,
        rules,
        holders,
        space_codes: space_codes.into_iter().collect(),
        credentials,
        revocations,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sealed_contents_decode_to_themselves(contents in contents()) {
        let lock = key(1);
        let bytes = contents.seal(&lock).unwrap();
        prop_assert_eq!(bytes.len(), encode::len(&contents) + TAG_LEN);
        prop_assert_eq!(bytes.len(), contents.summary().bytes);
        let image = LockImage::decode(&bytes, &lock).unwrap();
        prop_assert_eq!(image.contents(), &contents);
        let unverified = UnverifiedImage::read(&bytes).unwrap();
        let mut again = unverified.contents().encode().unwrap();
        again.extend_from_slice(unverified.tag());
        prop_assert_eq!(again, bytes);
    }

    #[test]
    fn any_prefix_or_byte_change_is_refused(contents in contents(), at in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let lock = key(2);
        let bytes = contents.seal(&lock).unwrap();
        let cut = at.index(bytes.len());
        prop_assert!(LockImage::decode(&bytes[..cut], &lock).is_err());
        prop_assert!(UnverifiedImage::read(&bytes[..cut]).is_err() || cut + TAG_LEN <= bytes.len());
        let mut changed = bytes.clone();
        changed[cut] ^= flip;
        prop_assert_eq!(LockImage::decode(&changed, &lock).unwrap_err(), DecodeError::NotAuthentic);
    }
}

/// Contents with a little of everything, for the fixed tests.
fn sample() -> ImageContents {
    let ranges = DayRanges {
        spill: 120,
        open: vec![MinuteSpan {
            start: 480,
            end: 1140,
        }],
    };
    let mut schedule = WeeklySchedule::default();
    schedule.weekly[0] = ranges.clone();
    schedule.closed_on = vec![0];
    schedule.holiday_rules = vec![HolidayRanges {
        calendars: vec![0],
        ranges,
    }];
    ImageContents {
        door: "main".into(),
        readers: ReaderModes::BADGE | ReaderModes::PIN,
        required: ReaderModes::empty(),
        issued: Timestamp(1_790_000_000),
        horizon: Timestamp(1_790_000_000 + 731 * 86_400),
        base_offset: 3600,
        transitions: vec![OffsetChange {
            at: Timestamp(1_792_890_000),
            offset: 3600,
        }],
        door_schedule: Some(0),
        calendars: vec![Calendar {
            spans: vec![DaySpan {
                first: 20_800,
                last: 20_801,
            }],
        }],
        schedules: vec![schedule],
        rules: vec![Rule::Schedules(vec![Some(0), None]), Rule::Inactive],
        holders: vec![
            HolderRecord {
                valid_from: 0,
                valid_to: u16::MAX,
                rule: 0,
            },
            HolderRecord {
                valid_from: 20_500,
                valid_to: 20_600,
                rule: 1,
            },
        ],
        space_codes: vec![[1; DIGEST_LEN], [9; DIGEST_LEN]],
        credentials: vec![Entry {
            digest: [3; DIGEST_LEN],
            holder: 0,
        }],
        revocations: vec![Entry {
            digest: [4; DIGEST_LEN],
            holder: 1,
        }],
    }
}

#[test]
fn every_flipped_byte_and_every_wrong_key_is_not_authentic() {
    let lock = key(3);
    let bytes = sample().seal(&lock).unwrap();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut changed = bytes.clone();
            changed[i] ^= 1 << bit;
            assert_eq!(
                LockImage::decode(&changed, &lock).unwrap_err(),
                DecodeError::NotAuthentic,
                "byte {i} bit {bit}"
            );
        }
    }
    assert_eq!(
        LockImage::decode(&bytes, &key(4)).unwrap_err(),
        DecodeError::NotAuthentic
    );
    let other_door = super::lock_key(&key(5), "other");
    assert!(!UnverifiedImage::read(&bytes)
        .unwrap()
        .is_authentic(&other_door));
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(LockImage::decode(&longer, &lock).is_err());
}

/// Re-seals `bytes` after `change`, so the decoder's own checks are reached.
fn resealed(change: impl FnOnce(&mut Vec<u8>)) -> Result<ImageContents, DecodeError> {
    let lock = key(6);
    let mut body = sample().encode().unwrap();
    change(&mut body);
    body.extend_from_slice(&tag_key(&lock).tag(&body));
    LockImage::decode(&body, &lock).map(|image| image.contents().clone())
}

#[test]
fn the_decoder_names_the_offset_of_each_problem() {
    assert_eq!(resealed(|_| {}), Ok(sample()));
    assert_eq!(resealed(|b| b[0] = b'X'), Err(DecodeError::BadMagic));
    assert_eq!(
        resealed(|b| b[4] = 2),
        Err(DecodeError::UnsupportedVersion { version: 2 })
    );
    let malformed = |offset, problem| Err(DecodeError::Malformed { offset, problem });
    assert_eq!(
        resealed(|b| b[5] = 0x20),
        malformed(5, Malformed::UnknownModes)
    );
    assert_eq!(resealed(|b| b[46] = 1), malformed(46, Malformed::Reserved));
    assert_eq!(
        resealed(|b| b[48] = 0xff),
        malformed(48, Malformed::DoorName)
    );
    assert_eq!(
        resealed(|b| b[28] = 5),
        malformed(28, Malformed::ScheduleIndex)
    );
    // The horizon before the issue instant.
    assert_eq!(
        resealed(|b| b[16..24].fill(0)),
        malformed(16, Malformed::Horizon)
    );
    // The two space codes swapped out of order.
    let end = encode::len(&sample());
    let space = end - 16 - 2 * DIGEST_LEN;
    assert_eq!(
        resealed(|b| b[space] = 10),
        malformed(space + DIGEST_LEN, Malformed::DigestOrder)
    );
    // The revoked credential's digest made equal to the valid one's.
    let revoked = end - 8;
    assert_eq!(
        resealed(|b| b[revoked..revoked + DIGEST_LEN].fill(3)),
        malformed(revoked, Malformed::RevokedAndValid)
    );
    // A holder index out of range.
    assert_eq!(
        resealed(|b| b[end - 2] = 7),
        malformed(end - 2, Malformed::HolderIndex)
    );
    assert_eq!(
        resealed(|b| b.push(0)),
        Err(DecodeError::TrailingBytes {
            offset: end,
            count: 1
        })
    );
    assert_eq!(
        resealed(|b| b.truncate(end - 1)),
        Err(DecodeError::Truncated {
            offset: end - 2,
            what: "a credential's holder"
        })
    );
}

#[test]
fn every_prefix_is_refused_without_panicking() {
    let lock = key(7);
    let bytes = sample().seal(&lock).unwrap();
    for cut in 0..bytes.len() {
        let prefix = &bytes[..cut];
        let error = LockImage::decode(prefix, &lock).unwrap_err();
        assert!(error.offset() <= cut, "{error}");
        if let Err(error) = UnverifiedImage::read(prefix) {
            assert!(error.offset() <= cut, "{error}");
            assert!(!error.to_string().is_empty());
        }
    }
}

#[test]
fn seal_refuses_what_the_decoder_would() {
    let lock = key(8);
    let mut dangling = sample();
    dangling.credentials[0].holder = 9;
    assert!(matches!(
        dangling.seal(&lock),
        Err(SealError::Invalid(DecodeError::Malformed {
            problem: Malformed::HolderIndex,
            ..
        }))
    ));
    let mut reserved = sample();
    reserved.door_schedule = Some(NO_SCHEDULE);
    assert!(reserved.seal(&lock).is_err());
    let mut long = sample();
    long.door = "x".repeat(300);
    assert!(matches!(long.seal(&lock), Err(SealError::TooMany { .. })));
}

#[test]
fn inspection_shows_counts_never_digests_or_keys() {
    let lock = key(9);
    let bytes = sample().seal(&lock).unwrap();
    let seen = inspect(&bytes, Some(&lock)).unwrap();
    assert_eq!(seen.authentic, Some(true));
    assert_eq!(seen.summary.door, "main");
    assert_eq!(seen.summary.entries, 4);
    assert_eq!(seen.summary.bytes, bytes.len());
    assert_eq!(
        inspect(&bytes, Some(&key(10))).unwrap().authentic,
        Some(false)
    );
    assert_eq!(inspect(&bytes, None).unwrap().authentic, None);
    let image = LockImage::decode(&bytes, &lock).unwrap();
    let shown = format!("{image:?}");
    assert!(!shown.contains(&lock.expose_hex()), "{shown}");
    assert_eq!(shown, "LockImage { door: \"main\", entries: 4, .. }");
}
