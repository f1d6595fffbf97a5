//! Criterion benchmarks of card memory (issue 13): a key image encoded into a card's
//! key area and decoded back, for each card type. Owns two groups:
//!
//! - `card-memory/encode`: planning the write of a key image into a card's key area
//!   (slot chosen, units cut, header sealed);
//! - `card-memory/decode`: reading the key area back (both slots' seals checked, the
//!   newest image's tag verified);
//! - `card-memory/sim-card`: a whole write then read over `CardIo` against a
//!   simulated card without a wire (personalised), the card operations included.
//!
//! `cargo bench -p accessctl-benches --bench card_memory`.

use accessctl_core::card_key::{Capacity, DoorEntry, KeyImage, Timetable, ALWAYS, TAG_LEN};
use accessctl_core::secret::Key;
use accessctl_core::Timestamp;
use accessctl_devices::card_io::{CardIo, CardType};
use accessctl_devices::card_memory::area::{plan_write, read_area};
use accessctl_devices::card_memory::{read_card, write_card, CardSecrets, Geometry};
use accessctl_devices::pn532::sim::card::SimCard;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn card_key() -> Key {
    Key::from_entropy([0x4b; 32])
}

/// A signed image with `doors` door records (16 doors: 310 bytes).
fn image(doors: usize) -> Vec<u8> {
    let mut image = KeyImage {
        holder: [1; 8],
        offline: true,
        card: Some(42),
        key_options: Default::default(),
        issued: Timestamp(1_795_000_000),
        expiry: Timestamp(1_795_000_000 + 30 * 86_400),
        valid_from: i32::MIN,
        valid_to: i32::MAX,
        capacity: Capacity {
            door_slots: (doors.div_ceil(4) * 4) as u16,
            timetable_bytes: 64,
            revocation_slots: 4,
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
    image.sign(&card_key()).expect("signs");
    image.to_bytes().expect("encodes")
}

fn card_memory(c: &mut Criterion) {
    let key = image(12);
    println!("card-memory: a key image of {} bytes", key.len());
    for card_type in CardType::ALL {
        let geometry = Geometry::of(card_type);
        let secrets = CardSecrets::new(&card_key(), &[4, 1, 2, 3, 4, 5, 6]);
        let empty = read_area(geometry, &secrets, &vec![0; geometry.area_len()]).expect("reads");
        c.bench_function(&format!("card-memory/encode/{card_type}"), |b| {
            b.iter(|| plan_write(geometry, &secrets, black_box(&empty), black_box(&key)))
        });
        // A card holding two keys: the decoder checks both slots.
        let mut area = vec![0u8; geometry.area_len()];
        for _ in 0..2 {
            let now = read_area(geometry, &secrets, &area).expect("reads");
            let plan = plan_write(geometry, &secrets, &now, &key).expect("fits");
            for write in &plan.writes {
                let at = write.unit * geometry.unit_len();
                area[at..at + geometry.unit_len()].copy_from_slice(&write.data);
            }
        }
        c.bench_function(&format!("card-memory/decode/{card_type}"), |b| {
            b.iter(|| read_area(geometry, &secrets, black_box(&area)))
        });
        let mut card = SimCard::new(card_type);
        let info = card.detect().expect("detects").expect("a card");
        let secrets = CardSecrets::new(&card_key(), &info.uid);
        write_card(&mut card, &info, &secrets, &key).expect("personalises and writes");
        c.bench_function(
            &format!("card-memory/sim-card/write+read/{card_type}"),
            |b| {
                b.iter(|| {
                    write_card(&mut card, &info, &secrets, black_box(&key)).expect("writes");
                    read_card(&mut card, &info, &secrets).expect("reads")
                })
            },
        );
    }
}

criterion_group!(benches, card_memory);
criterion_main!(benches);
