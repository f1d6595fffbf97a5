//! Criterion benchmark of the door controller's processing of one card read, next to
//! the time the frames take on the wire (issue 5: the controller's processing time
//! per frame at 9,600 and 115,200 baud).
//!
//! Owns `controller/raw-to-commands/KIND`: from the bytes of an `osdp_RAW` reply as
//! they come off the bus (a 26-bit H10301 read, clear text, CRC-16) to the encoded
//! command frames the controller sends back — frame decoding, the reply's payload,
//! Wiegand decoding with the door's formats, the decision
//! (`accessctl_cli::controller::DoorReader`, hence `CompiledPolicy::decide`), the
//! verdict's journal event, and encoding `osdp_OUT`, `osdp_LED` and `osdp_BUZ` (or
//! `LED` and `BUZ` for a refusal). Each iteration takes the next of 4,096 sampled
//! reads of the reference site (100,000 users, 5,000 doors), allowed or unknown
//! cards. Writing the journal (SQLite) and the secure channel's MAC and encryption
//! are not included.
//!
//! Before measuring it prints each frame's length and time on the wire at 9,600 and
//! 115,200 baud (8N1: 10 bits a byte). Setting up generates and compiles the
//! reference site (about 20 s on 2 cores).
//! `cargo bench -p accessctl-benches --bench controller`.

use std::hint::black_box;
use std::time::Duration;

use accessctl_benches::workload::{CardRequest, Kind, Workload, BENCH_SEED, ROTATION};
use accessctl_benches::SiteParams;
use accessctl_cli::controller::presence::MemoryPresence;
use accessctl_cli::controller::read::raw_card;
use accessctl_cli::controller::{DoorContext, DoorReader, Now, Outcome};
use accessctl_cli::query::QueryPolicy;
use accessctl_devices::osdp::{Address, Check, Command, Frame, Header, RawCard, Reply, Sequence};
use accessctl_devices::wiegand::{self, formats, Card};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

/// Line speeds compared.
const BAUDS: [u32; 2] = [9_600, 115_200];

/// The PD's address.
fn address() -> Address {
    Address::new(1).expect("a PD address")
}

/// One sampled read: the reply's bytes and the door it is read at.
struct Read {
    bytes: Vec<u8>,
    door: usize,
    at: accessctl_core::Timestamp,
}

/// The `osdp_RAW` reply frame of an H10301 read of `card`.
fn raw_reply(card: u64) -> Vec<u8> {
    let card = Card::from_policy_number(formats::H10301, card).expect("an H10301 card");
    let bits = wiegand::encode(&card, &formats::H10301).expect("encodes");
    let header = Header::command(address(), Sequence::new(1).expect("1"), Check::Crc16).reply();
    let reply = Reply::Raw(RawCard::from_wiegand(0, &bits));
    Frame::reply(header, &reply)
        .and_then(|frame| frame.encode())
        .expect("the reply encodes")
}

/// The controller's work on one reply: the command frames' total length.
fn process(policy: &QueryPolicy, doors: &mut [DoorReader], read: &Read, now: Now) -> usize {
    let Ok(frame) = Frame::decode(&read.bytes) else {
        return 0;
    };
    let Ok(Reply::Raw(card)) = frame.to_reply() else {
        return 0;
    };
    let Some(door) = doors.get_mut(read.door) else {
        return 0;
    };
    let card_read = raw_card(&card, &door.door().formats);
    let now = Now {
        wall: read.at,
        ..now
    };
    let mut sent = 0;
    let header = Header::command(address(), Sequence::new(2).expect("2"), Check::Crc16);
    for verdict in door.card(
        policy,
        card.reader,
        &card_read,
        now,
        &mut MemoryPresence::new(),
    ) {
        black_box(&verdict.event);
        for command in &verdict.commands {
            sent += command_frame(header, command).len();
        }
    }
    sent
}

/// Asserts that the first samples get the outcome their kind expects.
fn check_outcomes(
    policy: &QueryPolicy,
    doors: &mut [DoorReader],
    reads: &[Read],
    kind: Kind,
    now: Now,
) {
    let expected = match kind {
        Kind::Allowed => Outcome::Opened,
        Kind::UnknownCard => Outcome::UnknownCard,
        _ => Outcome::Denied,
    };
    for read in reads.iter().take(64) {
        let frame = Frame::decode(&read.bytes).expect("the reply decodes");
        let Ok(Reply::Raw(card)) = frame.to_reply() else {
            panic!("an osdp_RAW reply");
        };
        let door = &mut doors[read.door];
        let card_read = raw_card(&card, &door.door().formats);
        let now = Now {
            wall: read.at,
            ..now
        };
        let verdicts = door.card(policy, 0, &card_read, now, &mut MemoryPresence::new());
        assert_eq!(verdicts.len(), 1);
        assert_eq!(verdicts[0].outcome, expected, "{:?}", verdicts[0].decision);
    }
    assert!(
        process(policy, doors, &reads[0], now) > 0,
        "the controller answers"
    );
}

fn command_frame(header: Header, command: &Command) -> Vec<u8> {
    Frame::command(header, command)
        .and_then(|frame| frame.encode())
        .unwrap_or_default()
}

/// The samples of `kind`, each with the reader of its door.
fn reads(workload: &Workload, kind: Kind) -> (Vec<Read>, Vec<DoorReader>) {
    let samples: Vec<CardRequest> = workload.sample(kind, ROTATION, BENCH_SEED);
    let mut doors = Vec::with_capacity(samples.len());
    let reads = samples
        .iter()
        .enumerate()
        .map(|(i, sample)| {
            let name = &workload.policy.doors[sample.door.index()].name;
            let context = DoorContext::resolve(&workload.policy, name).expect("a door");
            doors.push(DoorReader::new(context));
            // Every card of the reference site is 10,000,000 or more: below that,
            // an H10301 number nobody holds.
            let card = match kind {
                Kind::UnknownCard => sample.card % 10_000_000,
                _ => sample.card,
            };
            Read {
                bytes: raw_reply(card),
                door: i,
                at: sample.at,
            }
        })
        .collect();
    (reads, doors)
}

/// Milliseconds a frame of `bytes` takes on the wire at `baud` (10 bits a byte).
fn wire_millis(bytes: usize, baud: u32) -> f64 {
    bytes as f64 * 10.0 * 1e3 / f64::from(baud)
}

fn print_wire_times(reply_len: usize, commands: &[(&str, usize)]) {
    println!("frames on the wire (clear text, CRC-16; 8N1 = 10 bits a byte):");
    let mut lines = vec![("osdp_RAW reply (26-bit read)", reply_len)];
    lines.extend(commands.iter().copied());
    for (name, len) in lines {
        let times: Vec<String> = BAUDS
            .iter()
            .map(|&baud| format!("{:>6.2} ms at {baud} baud", wire_millis(len, baud)))
            .collect();
        println!("  {name:<40} {len:>3} bytes: {}", times.join(", "));
    }
}

fn controller(c: &mut Criterion) {
    let workload = Workload::new(SiteParams::reference());
    let samples = [Kind::Allowed, Kind::UnknownCard].map(|kind| {
        let (reads, doors) = reads(&workload, kind);
        (kind, reads, doors)
    });
    let policy = QueryPolicy {
        policy: workload.policy,
        compiled: workload.compiled,
    };
    let now = Now {
        wall: accessctl_core::Timestamp(0),
        mono: std::time::Instant::now(),
    };
    let header = Header::command(address(), Sequence::new(2).expect("2"), Check::Crc16);
    let open = accessctl_cli::controller::actions::open(0);
    let refuse = accessctl_cli::controller::actions::refuse(0);
    let total = |commands: &[Command]| -> usize {
        commands
            .iter()
            .map(|c| command_frame(header, c).len())
            .sum()
    };
    print_wire_times(
        raw_reply(10_000_000).len(),
        &[
            ("opening: osdp_OUT + osdp_LED + osdp_BUZ", total(&open)),
            ("refusal: osdp_LED + osdp_BUZ", total(&refuse)),
        ],
    );
    let mut group = c.benchmark_group("controller/raw-to-commands");
    for (kind, reads, mut doors) in samples {
        check_outcomes(&policy, &mut doors, &reads, kind, now);
        group.bench_function(BenchmarkId::from_parameter(kind.name()), |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) & (ROTATION - 1);
                process(&policy, &mut doors, black_box(&reads[i]), now)
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(5));
    targets = controller
}
criterion_main!(benches);
