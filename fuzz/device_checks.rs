//! The properties checked by the device fuzz targets (`osdp_frame`, `osdp_secure`,
//! `wiegand`), shared by their cargo-fuzz entry points (`fuzz/fuzz_targets/*.rs`) and
//! the stable corpus test (`accessctl-devices/tests/fuzz_corpus.rs`), which include
//! this file with `#[path]`.
//!
//! Owns the properties only: each function takes raw bytes and panics when a property
//! fails. It uses nothing but the public API of `accessctl-devices`. It lives apart
//! from `checks.rs` because `accessctl-core`'s corpus test includes that file and core
//! does not depend on the device crate.

// Each fuzz target uses one of the checks.
#![allow(dead_code)]

use accessctl_devices::osdp::secure::{ControlPanelChannel, PeripheralChannel, Scbk};
use accessctl_devices::osdp::{
    Address, Check, Command, Frame, FrameReader, Header, Reply, Sequence, MAX_FRAME_LEN,
};
use accessctl_devices::wiegand::{self, formats, WiegandBits};

/// Arbitrary bytes read as one OSDP frame never panic: they are refused with an error
/// whose offset lies inside the input, or decode to a frame that encodes back to
/// exactly the same bytes, whose data decode as a command or reply (or fail with an
/// offset inside the frame) and re-encode to the same data. The same bytes cut in two
/// and fed to a stream reader yield only frames that round-trip.
pub fn osdp_frame(data: &[u8]) {
    match Frame::decode(data) {
        Ok(frame) => {
            let again = frame.encode().expect("a decoded frame encodes");
            assert!(again == data, "decode then encode changed the bytes");
            assert_eq!(frame.wire_len(), data.len());
            check_messages(&frame, data.len());
        }
        Err(error) => {
            assert!(
                error.offset() <= data.len(),
                "{error:?} beyond {} bytes",
                data.len()
            );
            assert!(!error.to_string().is_empty());
        }
    }
    let cut = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    let mut reader = FrameReader::with_max_len(MAX_FRAME_LEN);
    for chunk in [&data[..cut], &data[cut..]] {
        reader.push(chunk);
        while let Some(next) = reader.next_frame() {
            if let Ok(frame) = next {
                let bytes = frame.encode().expect("a found frame encodes");
                assert!(
                    Frame::decode(&bytes).as_ref() == Ok(&frame),
                    "found frame round trip"
                );
            }
        }
    }
}

/// The data of a decoded frame, read as a command and as a reply, decode or fail
/// within the frame, and what decodes encodes back to the same data.
fn check_messages(frame: &Frame, len: usize) {
    match frame.to_command() {
        Ok(command) => {
            let data = command.encode_data().expect("a decoded command encodes");
            assert!(data == frame.data, "command round trip: {command:?}");
        }
        Err(error) => assert!(error.offset() <= len, "{error:?}"),
    }
    match frame.to_reply() {
        Ok(reply) => {
            let data = reply.encode_data().expect("a decoded reply encodes");
            assert!(data == frame.data, "reply round trip: {reply:?}");
        }
        Err(error) => assert!(error.offset() <= len, "{error:?}"),
    }
}

/// A CP and a PD with a session established under a fixed key.
fn established() -> (ControlPanelChannel, PeripheralChannel) {
    let key = Scbk::new([0x5C; 16]);
    let mut cp = ControlPanelChannel::new(key.clone()).expect("not the default key");
    let mut pd = PeripheralChannel::new(Some(key), *b"fuzz-pd!");
    let chlng = cp.challenge(header(1), [1; 8]).expect("challenge");
    let ccrypt = pd.accept_chlng(&chlng, [2; 8]).expect("ccrypt");
    let scrypt = cp.accept_ccrypt(&ccrypt, header(2)).expect("scrypt");
    let rmac_i = pd.accept_scrypt(&scrypt).expect("rmac_i");
    cp.accept_rmac_i(&rmac_i).expect("established");
    (cp, pd)
}

fn header(sequence: u8) -> Header {
    Header::command(
        Address::new(0x11).expect("an address"),
        Sequence::new(sequence).expect("a sequence number"),
        Check::Crc16,
    )
}

/// The secure channel's receiving path never panics. Arbitrary bytes that decode as a
/// frame go through every receiving step of both sides, before and after a session is
/// established, and are refused unless they are what the step expects. Bytes that read
/// as a command are sealed and opened back to the same command; the sealed frame with
/// one byte altered (which byte and how chosen by the input) is refused.
pub fn osdp_secure(data: &[u8]) {
    if let Ok(frame) = Frame::decode(data) {
        receive_everywhere(&frame);
    }
    let Some((&code, rest)) = data.split_first() else {
        return;
    };
    let Ok(command) = Command::decode(code, rest) else {
        return;
    };
    let (mut cp, mut pd) = established();
    let Ok(sealed) = cp.seal(header(3), &command) else {
        return; // Too long to encode.
    };
    let bytes = sealed.encode().expect("a sealed frame encodes");
    let opened = pd.open(&Frame::decode(&bytes).expect("a sealed frame decodes"));
    assert!(
        opened.as_ref() == Ok(&command),
        "open(seal(c)) != c: {opened:?}"
    );
    tamper(&bytes, data, &command);
}

/// Every receiving step, on fresh and on established channels.
fn receive_everywhere(frame: &Frame) {
    let mut pd = PeripheralChannel::new(Some(Scbk::new([0x5C; 16])), *b"fuzz-pd!");
    pd.allow_install_mode();
    let _ = pd.accept_chlng(frame, [3; 8]);
    let _ = pd.accept_scrypt(frame);
    let _ = pd.open(frame);
    let mut cp = ControlPanelChannel::install_mode();
    let _ = cp.accept_ccrypt(frame, header(2));
    let _ = cp.challenge(header(1), [4; 8]);
    let _ = cp.accept_ccrypt(frame, header(2));
    let _ = cp.accept_rmac_i(frame);
    let (mut cp, mut pd) = established();
    // Nothing but a frame sealed with this session's keys opens.
    assert!(pd.open(frame).is_err(), "an arbitrary frame opened");
    let _ = cp.seal(header(3), &Command::Poll);
    let _ = cp.open(frame);
}

/// `bytes` (a sealed command) with one byte altered, the check characters recomputed,
/// is refused by the PD.
fn tamper(bytes: &[u8], data: &[u8], command: &Command) {
    let body = bytes.len() - 2;
    let position = 1 + data.iter().map(|&b| usize::from(b)).sum::<usize>() % (body - 1);
    let flip = data.last().copied().filter(|&b| b != 0).unwrap_or(1);
    let mut altered = bytes.to_vec();
    altered[position] ^= flip;
    let crc = accessctl_devices::osdp::crc16(&altered[..body]).to_le_bytes();
    altered[body..].copy_from_slice(&crc);
    if let Ok(frame) = Frame::decode(&altered) {
        let (_, mut pd) = established();
        let opened = pd.open(&frame);
        assert!(
            opened.is_err(),
            "a tampered frame opened: {command:?} at {position}"
        );
    }
}

/// Arbitrary bytes read as a Wiegand frame — as text, and as an OSDP `RAW` bit array
/// whose first byte is the bit count — never panic; every frame that decodes with a
/// fixed-length format encodes back to itself, and detection agrees with decoding.
pub fn wiegand(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(bits) = text.parse::<WiegandBits>() {
        check_bits(&bits);
    }
    let Some((&count, rest)) = data.split_first() else {
        return;
    };
    if let Ok(bits) = WiegandBits::from_bytes(rest, usize::from(count)) {
        assert!(bits.to_bytes().len() == rest.len());
        check_bits(&bits);
    }
    let raw = Reply::decode(0x50, data);
    if let Ok(Reply::Raw(card)) = raw {
        if let Ok(bits) = card.to_wiegand() {
            check_bits(&bits);
        }
    }
}

fn check_bits(bits: &WiegandBits) {
    for format in formats::ALL {
        let Ok(card) = wiegand::decode(bits, format) else {
            continue;
        };
        if format.is_raw() {
            assert!(u128::from(card.number()) == bits.value());
            continue;
        }
        let again = wiegand::encode(&card, format).expect("a decoded card encodes");
        assert!(
            again == *bits,
            "{format}: decode then encode changed the bits"
        );
    }
    if let Ok(card) = wiegand::detect(bits, formats::ALL) {
        assert!(wiegand::decode(bits, &card.format()) == Ok(card));
    }
}
