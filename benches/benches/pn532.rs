//! Criterion benchmarks of the PN532 code. Owns two groups:
//!
//! - `pn532/frame`: encoding and decoding an InDataExchange frame carrying a 16-byte
//!   MIFARE write (the largest frame a Classic encoding sends), and finding it in a
//!   stream with the frame reader;
//! - `pn532/classic1k-read`: a full read of a MIFARE Classic 1K (16 authentications,
//!   64 block reads) through the host client against the simulated PN532 in memory (no
//!   pseudo-terminal, no clock on the wire). The bytes that read puts on the wire both
//!   ways are counted, and their time at 115,200 baud (8N1: 10 bits a byte) is printed
//!   beside it: the wire, not the code, is what a real encoder waits for.
//!
//! `cargo bench -p accessctl-benches --bench pn532`.

use std::hint::black_box;

use accessctl_devices::card_io::{CardIo, CardType, KeySlot};
use accessctl_devices::pn532::client::{Pn532, Timeouts};
use accessctl_devices::pn532::command::Command;
use accessctl_devices::pn532::frame::{Frame, FrameReader};
use accessctl_devices::pn532::sim::card::{SimCard, TRANSPORT_KEY};
use accessctl_devices::pn532::sim::{SimPn532, SimTransport};
use criterion::{criterion_group, criterion_main, Criterion};

/// Bits on the wire per byte at 8N1.
const BITS_PER_BYTE: f64 = 10.0;
/// The PN532's default HSU speed.
const BAUD: f64 = 115_200.0;

fn write_command() -> Command {
    let mut data = vec![0xA0, 5];
    data.extend_from_slice(&[0x42; 16]);
    Command::InDataExchange { target: 1, data }
}

fn frames(c: &mut Criterion) {
    let command = write_command();
    let bytes = Frame::command(command.encode()).encode();
    let mut group = c.benchmark_group("pn532/frame");
    group.bench_function("encode", |b| {
        b.iter(|| Frame::command(black_box(&command).encode()).encode())
    });
    group.bench_function("decode", |b| {
        b.iter(|| {
            let frame = Frame::decode(black_box(&bytes)).unwrap();
            let Frame::Information { data, .. } = frame else {
                unreachable!()
            };
            Command::decode(&data).unwrap()
        })
    });
    group.bench_function("stream-reader", |b| {
        let mut reader = FrameReader::new();
        b.iter(|| {
            reader.push(black_box(&bytes));
            reader.next_frame().unwrap().unwrap()
        })
    });
    group.finish();
}

/// Reads every block of the card in the field; returns the bytes read.
fn read_all(pn532: &mut Pn532<SimTransport>) -> usize {
    let mut read = 0;
    for sector in 0..16u8 {
        let first = sector * 4;
        pn532
            .authenticate(first, KeySlot::A, TRANSPORT_KEY)
            .unwrap();
        for block in first..first + 4 {
            read += pn532.read_block(block).unwrap().len();
        }
    }
    read
}

fn classic_read(c: &mut Criterion) {
    let transport = SimTransport::new(SimPn532::new(SimCard::new(CardType::Classic1k)));
    let mut pn532 = Pn532::open(transport, Timeouts::default()).unwrap();
    pn532.detect().unwrap().unwrap();
    let before = pn532.wire_bytes();
    assert_eq!(read_all(&mut pn532), 1024);
    let wire = pn532.wire_bytes() - before;
    let wire_ms = wire as f64 * BITS_PER_BYTE / BAUD * 1000.0;
    println!(
        "pn532/classic1k-read: {wire} bytes on the wire (both ways), {wire_ms:.1} ms at 115,200 baud"
    );
    let mut group = c.benchmark_group("pn532/classic1k-read");
    group.bench_function("client+simulator", |b| b.iter(|| read_all(&mut pn532)));
    group.finish();
}

criterion_group!(benches, frames, classic_read);
criterion_main!(benches);
