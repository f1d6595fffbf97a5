use super::area::{capacity, plan_write, read_area, SlotState};
use super::test_card::TestCard;
use super::*;
use crate::card_io::{CardIo, CardIoError, CardType};
use accessctl_core::card_key::{Capacity, DoorEntry, KeyImage, Timetable, ALWAYS, TAG_LEN};
use accessctl_core::Timestamp;
use proptest::prelude::*;

const TYPES: [CardType; 4] = [
    CardType::Classic1k,
    CardType::Classic4k,
    CardType::Ntag215,
    CardType::Ntag216,
];

fn card_key() -> Key {
    Key::from_entropy([3; 32])
}

/// A signed key image with `doors` door records (capacity rounded up to 4).
fn image(doors: usize, issued: i64) -> Vec<u8> {
    let slots = doors.div_ceil(4) * 4;
    let mut image = KeyImage {
        holder: [1; 8],
        offline: true,
        card: Some(42),
        key_options: Default::default(),
        issued: Timestamp(issued),
        expiry: Timestamp(issued + 86_400),
        valid_from: i32::MIN,
        valid_to: i32::MAX,
        capacity: Capacity {
            door_slots: u16::try_from(slots).unwrap(),
            timetable_bytes: 16,
            revocation_slots: 0,
        },
        doors: (0..doors)
            .map(|i| DoorEntry {
                door: (i as u64 + 1).to_be_bytes(),
                schedules: ALWAYS,
            })
            .collect(),
        timetable: Timetable::default(),
        revocations: Vec::new(),
        tag: [0; TAG_LEN],
    };
    image.sign(&card_key()).unwrap();
    image.to_bytes().unwrap()
}

fn uid(card_type: CardType) -> Vec<u8> {
    match card_type {
        CardType::Classic1k | CardType::Classic4k => vec![0xDE, 0xAD, 0xBE, 0xEF],
        _ => vec![0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66],
    }
}

fn read(card: &mut TestCard) -> Result<CardRead, CardError> {
    let secrets = CardSecrets::new(&card_key(), &card.card.uid.clone());
    let info = card.card.clone();
    read_card(card, &info, &secrets)
}

fn write(card: &mut TestCard, image: &[u8]) -> Result<Written, CardError> {
    let secrets = CardSecrets::new(&card_key(), &card.card.uid.clone());
    let info = card.card.clone();
    write_card(card, &info, &secrets, image)
}

#[test]
fn areas_have_the_documented_sizes() {
    let sizes: Vec<usize> = TYPES.iter().map(|t| Geometry::of(*t).area_len()).collect();
    assert_eq!(sizes, [720, 3408, 504, 888]);
    let capacities: Vec<(usize, usize)> =
        TYPES.iter().map(|t| capacity(Geometry::of(*t))).collect();
    assert_eq!(
        capacities,
        [(688, 336), (3376, 1680), (472, 236), (856, 428)]
    );
}

#[test]
fn personalised_access_bits_are_78_77_88() {
    let data = (true, false, false);
    let trailer = (false, true, true);
    assert_eq!(
        access_bytes([data, data, data, trailer]),
        PERSONALISED_ACCESS
    );
    // The transport configuration, for comparison: data 000, trailer 001.
    let transport = (false, false, false);
    assert_eq!(
        access_bytes([transport, transport, transport, (false, false, true)]),
        [0xFF, 0x07, 0x80]
    );
}

#[test]
fn sector_geometry_of_a_4k() {
    assert_eq!(first_block(31), 124);
    assert_eq!(trailer_block(31), 127);
    assert_eq!(first_block(32), 128);
    assert_eq!(trailer_block(39), 255);
    assert_eq!(sector_of(143), 32);
    assert_eq!(sector_of(144), 33);
}

#[test]
fn a_blank_card_is_personalised_then_holds_the_key() {
    for card_type in TYPES {
        let mut card = TestCard::blank(card_type, &uid(card_type));
        assert_eq!(
            read(&mut card).unwrap().personalisation,
            Personalisation::Blank
        );
        let key = image(4, 1_000);
        let written = write(&mut card, &key).unwrap();
        assert!(written.personalised);
        let after = read(&mut card).unwrap();
        assert_eq!(after.personalisation, Personalisation::Personalised);
        assert_eq!(after.area.key.unwrap().image, key, "{card_type:?}");
        let secrets = CardSecrets::new(&card_key(), &uid(card_type));
        if Geometry::of(card_type).is_classic() {
            // Never the transport key once personalised: every sector's trailer holds
            // the derived keys and the documented access bits.
            for sector in Geometry::of(card_type).sectors() {
                let trailer = card.memory[usize::from(trailer_block(sector))];
                assert_eq!(trailer, secrets.trailer(sector));
                assert_ne!(trailer[0..6], TRANSPORT_KEY);
            }
        } else {
            let [cfg0, cfg1, ..] = Geometry::of(card_type).config_pages();
            assert_eq!(card.pages[usize::from(cfg0)][3], NTAG_FIRST_PAGE);
            assert_eq!(card.pages[usize::from(cfg1)][0] & NTAG_PROT, NTAG_PROT);
        }
    }
}

#[test]
fn another_sites_card_is_refused_unread() {
    for card_type in TYPES {
        let mut card = TestCard::blank(card_type, &uid(card_type));
        write(&mut card, &image(2, 1)).unwrap();
        card.back();
        let other = CardSecrets::new(&Key::from_entropy([9; 32]), &uid(card_type));
        let info = card.card.clone();
        let error = read_card(&mut card, &info, &other).unwrap_err();
        assert!(
            matches!(
                error,
                CardError::ForeignSector { .. } | CardError::ForeignTag
            ),
            "{error}"
        );
    }
}

#[test]
fn an_image_too_large_is_refused_before_any_write() {
    for card_type in TYPES {
        let (largest, _) = capacity(Geometry::of(card_type));
        let doors = (largest / 10) + 8;
        let big = image(doors, 1);
        let mut card = TestCard::blank(card_type, &uid(card_type));
        let before = card.clone();
        let error = write(&mut card, &big).unwrap_err();
        let CardError::TooLarge(too_large) = error else {
            panic!("{error}");
        };
        assert_eq!(too_large.image, big.len());
        assert_eq!(too_large.free, Geometry::of(card_type).area_len());
        assert!(too_large.to_string().contains(&big.len().to_string()));
        assert_eq!(card.operations, 0, "nothing sent to the card");
        assert_eq!(card.memory, before.memory);
        assert_eq!(card.pages, before.pages);
    }
}

#[test]
fn each_write_alternates_slots_and_counts_generations() {
    for card_type in TYPES {
        let mut card = TestCard::blank(card_type, &uid(card_type));
        for (n, expected_slot) in [(1u32, 0u8), (2, 1), (3, 0)] {
            let key = image(4, i64::from(n));
            let written = write(&mut card, &key).unwrap();
            assert_eq!((written.generation, written.slot), (n, expected_slot));
            let now = read(&mut card).unwrap();
            assert_eq!(now.area.key.unwrap().image, key);
        }
    }
}

/// Cuts the field after every possible operation of a write, for every card type and
/// for a first write, an update within two slots and an image overlapping the current
/// key: what the card holds then reads as the old key or the new one (or, only when
/// the new image overlaps the old, nothing a lock accepts), never anything else.
#[test]
fn a_card_pulled_mid_write_holds_the_old_key_or_the_new_one() {
    for card_type in TYPES {
        let (_, safe) = capacity(Geometry::of(card_type));
        let small_doors = 4;
        let large_doors = (safe / 10).min(200) + 4; // larger than half the area
        for (old_doors, new_doors) in [
            (0, small_doors),
            (small_doors, small_doors),
            (small_doors, large_doors),
        ] {
            let mut pristine = TestCard::blank(card_type, &uid(card_type));
            let old = (old_doors > 0).then(|| image(old_doors, 10));
            if let Some(old) = &old {
                write(&mut pristine, old).unwrap();
                // A second write, so that both slots hold a key (the older one must
                // never come back).
                let older = image(old_doors, 5);
                write(&mut pristine, &older).unwrap();
                write(&mut pristine, old).unwrap();
            }
            pristine.back();
            let new = image(new_doors, 20);
            if new.len() > capacity(Geometry::of(card_type)).0 {
                continue;
            }
            let mut full = pristine.clone();
            full.operations = 0;
            write(&mut full, &new).unwrap();
            let steps = full.operations;
            let overlapping = new.len() > safe;
            for cut in 0..steps {
                let mut card = pristine.clone();
                card.operations_left = Some(cut);
                let result = write(&mut card, &new);
                assert!(result.is_err(), "{card_type:?} cut at {cut} of {steps}");
                card.back();
                let holds = read(&mut card).unwrap().area.key.map(|k| k.image);
                let ok = holds.as_ref() == Some(&new)
                    || holds == old
                    || (holds.is_none() && (overlapping || old.is_none()));
                assert!(
                    ok,
                    "{card_type:?} {old_doors}->{new_doors} cut at {cut} of {steps}: holds {:?} bytes",
                    holds.map(|h| h.len())
                );
                if !overlapping && old.is_some() {
                    assert!(
                        holds.is_some(),
                        "{card_type:?} cut at {cut}: the old key survives"
                    );
                }
            }
        }
    }
}

#[test]
fn a_slot_moved_to_another_card_is_refused() {
    let card_type = CardType::Ntag215;
    let mut card = TestCard::blank(card_type, &uid(card_type));
    write(&mut card, &image(4, 1)).unwrap();
    let geometry = Geometry::of(card_type);
    let area: Vec<u8> = card.pages[4..=129].iter().flatten().copied().collect();
    let here = CardSecrets::new(&card_key(), &uid(card_type));
    assert!(read_area(geometry, &here, &area).unwrap().key.is_some());
    let elsewhere = CardSecrets::new(&card_key(), &[4, 9, 9, 9, 9, 9, 9]);
    let read = read_area(geometry, &elsewhere, &area).unwrap();
    assert_eq!(read.key, None);
    assert_eq!(read.slots[0], SlotState::Invalid(SlotProblem::BadSeal));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Encode → write → read → decode gives the image back, for every card type and
    /// random images that fit.
    #[test]
    fn write_then_read_gives_the_image_back(
        type_index in 0usize..4,
        doors in 0usize..300,
        issued in 0i64..1_000_000,
        uid_bytes in proptest::collection::vec(any::<u8>(), 7),
    ) {
        let card_type = TYPES[type_index];
        let key = image(doors, issued);
        prop_assume!(key.len() <= capacity(Geometry::of(card_type)).0);
        let mut card = TestCard::blank(card_type, &uid_bytes);
        write(&mut card, &key).unwrap();
        let back = read(&mut card).unwrap().area.key.unwrap().image;
        prop_assert_eq!(&back, &key);
        let decoded = KeyImage::decode(&back).unwrap();
        prop_assert_eq!(decoded, KeyImage::decode(&key).unwrap());
    }

    /// The area decoder never panics and accepts only sealed, authentic images.
    #[test]
    fn the_area_decoder_takes_any_bytes(
        type_index in 0usize..4,
        bytes in proptest::collection::vec(any::<u8>(), 0..1000),
    ) {
        let geometry = Geometry::of(TYPES[type_index]);
        let secrets = CardSecrets::new(&card_key(), &[1, 2, 3, 4]);
        let mut area = bytes.clone();
        area.resize(geometry.area_len(), 0);
        let read = read_area(geometry, &secrets, &area).unwrap();
        prop_assert!(read.key.is_none());
        prop_assert!(read_area(geometry, &secrets, &bytes).is_ok() == (bytes.len() == geometry.area_len()));
    }

    /// A plan applied to the area reads back as the new key.
    #[test]
    fn a_plan_applied_reads_back(type_index in 0usize..4, doors in 0usize..40, twice in any::<bool>()) {
        let geometry = Geometry::of(TYPES[type_index]);
        let secrets = CardSecrets::new(&card_key(), &[1, 2, 3, 4]);
        let mut area = vec![0u8; geometry.area_len()];
        let rounds = if twice { 2 } else { 1 };
        for round in 0..rounds {
            let key = image(doors, round);
            prop_assume!(key.len() <= capacity(geometry).0);
            let now = read_area(geometry, &secrets, &area).unwrap();
            let plan = plan_write(geometry, &secrets, &now, &key).unwrap();
            let unit = geometry.unit_len();
            for write in &plan.writes {
                area[write.unit * unit..(write.unit + 1) * unit].copy_from_slice(&write.data);
            }
            let read = read_area(geometry, &secrets, &area).unwrap();
            prop_assert_eq!(read.key.unwrap().image, key);
        }
    }
}

#[test]
fn secrets_never_show_in_debug() {
    let secrets = CardSecrets::new(&card_key(), &[1, 2, 3, 4]);
    assert_eq!(format!("{secrets:?}"), "CardSecrets(<redacted>)");
    let _ = TestCard::blank(CardType::Ntag215, &[1]).release();
}

// ---------------------------------------------------------------------------------
// The same against the simulated cards of `pn532::sim::card` (access bits, keys and
// NTAG protection as the chips enforce them).

use crate::pn532::sim::card::SimCard;

fn sim_blank(card_type: CardType) -> SimCard {
    SimCard::blank(card_type, &uid(card_type)).unwrap()
}

fn sim_write(card: &mut SimCard, image: &[u8]) -> Result<Written, CardError> {
    let info = card.detect()?.ok_or(CardIoError::NoCard)?;
    let secrets = CardSecrets::new(&card_key(), &info.uid);
    write_card(card, &info, &secrets, image)
}

fn sim_read(card: &mut SimCard) -> Result<CardRead, CardError> {
    let info = card.detect()?.ok_or(CardIoError::NoCard)?;
    let secrets = CardSecrets::new(&card_key(), &info.uid);
    read_card(card, &info, &secrets)
}

#[test]
fn the_simulated_cards_take_and_give_back_a_key() {
    for card_type in TYPES {
        let mut card = sim_blank(card_type);
        for round in 0..3 {
            let key = image(6, round);
            let written =
                sim_write(&mut card, &key).unwrap_or_else(|e| panic!("{card_type:?}: {e}"));
            assert_eq!(written.personalised, round == 0);
            let read = sim_read(&mut card).unwrap();
            assert_eq!(read.personalisation, Personalisation::Personalised);
            assert_eq!(read.area.key.unwrap().image, key, "{card_type:?}");
        }
        // Another site's encoder reads nothing of it.
        let info = card.detect().unwrap().unwrap();
        let other = CardSecrets::new(&Key::from_entropy([1; 32]), &info.uid);
        assert!(read_card(&mut card, &info, &other).is_err());
    }
}

/// The removed-card test on the simulated cards: the field cut after every card
/// operation of a write (a first write, and an update over a card holding two keys).
#[test]
fn a_simulated_card_pulled_mid_write_holds_the_old_key_or_the_new_one() {
    for card_type in TYPES {
        for old_rounds in [0, 2] {
            let mut pristine = sim_blank(card_type);
            let mut old = None;
            for round in 0..old_rounds {
                let key = image(4, round);
                sim_write(&mut pristine, &key).unwrap();
                old = Some(key);
            }
            let new = image(4, 100);
            let mut cut = 0;
            loop {
                let mut card = pristine.clone();
                card.remove_after(Some(cut));
                let result = sim_write(&mut card, &new);
                card.remove_after(None);
                card.set_present(true);
                let holds = sim_read(&mut card).unwrap().area.key.map(|k| k.image);
                if result.is_ok() {
                    assert_eq!(holds.as_ref(), Some(&new));
                    break;
                }
                assert!(
                    holds.as_ref() == Some(&new) || holds == old,
                    "{card_type:?} cut after {cut} operations: {:?}",
                    holds.map(|h| h.len())
                );
                cut += 1;
                assert!(cut < 2000);
            }
            assert!(cut > 10, "{card_type:?}: the write was cut {cut} ways");
        }
    }
}
