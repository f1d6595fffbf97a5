//! The device fuzz targets' seed corpora, run as ordinary tests: every file of
//! `fuzz/corpus/<target>/` goes through the same check as the cargo-fuzz target of that
//! name (`fuzz/device_checks.rs`, included below), so CI exercises the properties on
//! stable Rust, with no nightly toolchain and no cargo-fuzz. The policy-language
//! targets are replayed by `accessctl-core/tests/fuzz_corpus.rs`. The walk over the corpus
//! directories is `fuzz/replay.rs`.

#[path = "../../fuzz/device_checks.rs"]
mod device_checks;

#[path = "../../fuzz/replay.rs"]
mod replay;

use replay::{corpus, run};

#[test]
fn osdp_frame_corpus() {
    run("osdp_frame", device_checks::osdp_frame);
}

#[test]
fn osdp_secure_corpus() {
    run("osdp_secure", device_checks::osdp_secure);
}

#[test]
fn wiegand_corpus() {
    run("wiegand", device_checks::wiegand);
}

#[test]
fn osdp_peers_corpus() {
    run("osdp_peers", device_checks::osdp_peers);
}

#[test]
fn pn532_frame_corpus() {
    run("pn532_frame", device_checks::pn532_frame);
}

/// The seeds of `pn532_frame` are what their names say: `broken-*` are refused, the
/// `stream-*` ones are byte streams, every other one is one frame.
#[test]
fn pn532_frame_seeds_are_well_formed() {
    use accessctl_devices::pn532::frame::Frame;
    for path in corpus("pn532_frame") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let data = std::fs::read(&path).unwrap();
        if name.starts_with("stream-") {
            continue;
        }
        let frame = Frame::decode(&data);
        assert_eq!(
            name.starts_with("broken-"),
            frame.is_err(),
            "{name}: {frame:?}"
        );
    }
}

#[test]
fn device_text_corpus() {
    run("device_text", device_checks::device_text);
}

#[test]
fn card_memory_corpus() {
    run("card_memory", device_checks::card_memory);
}

/// The seeds of `card_memory` named `key-*` hold a key, written by
/// [`write_card_memory_seeds`]; the others are blank or broken areas.
#[test]
fn card_memory_key_seeds_hold_a_key() {
    use accessctl_devices::card_io::CardType;
    use accessctl_devices::card_memory::area::read_area;
    use accessctl_devices::card_memory::{CardSecrets, Geometry};
    let key = accessctl_core::secret::Key::from_entropy([0x5A; 32]);
    let mut seen = 0;
    for path in corpus("card_memory") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("key-") {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let geometry = Geometry::of(CardType::ALL[usize::from(data[0] % 4)]);
        let secrets = CardSecrets::new(&key, &data[3..10]);
        let read = read_area(geometry, &secrets, &data[10..]).unwrap();
        assert!(read.key.is_some(), "{name}");
        seen += 1;
    }
    assert!(seen >= 4);
}

/// Writes the `key-*` seeds of `card_memory`: each card type holding two keys.
/// Run by hand: `cargo test -p accessctl-devices --test integration
/// write_card_memory_seeds -- --ignored`.
#[test]
#[ignore]
fn write_card_memory_seeds() {
    use accessctl_devices::card_io::CardType;
    use accessctl_devices::card_memory::area::{plan_write, read_area};
    use accessctl_devices::card_memory::{CardSecrets, Geometry};
    let key = accessctl_core::secret::Key::from_entropy([0x5A; 32]);
    let uid = [4, 1, 2, 3, 4, 5, 6];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/card_memory");
    std::fs::create_dir_all(&dir).unwrap();
    for (index, card_type) in CardType::ALL.into_iter().enumerate() {
        let geometry = Geometry::of(card_type);
        let secrets = CardSecrets::new(&key, &uid);
        let mut area = vec![0u8; geometry.area_len()];
        for round in 0..2 {
            let image = device_checks::card_memory_image(4 + round, 10 + round as i64);
            let now = read_area(geometry, &secrets, &area).unwrap();
            let plan = plan_write(geometry, &secrets, &now, &image).unwrap();
            for write in &plan.writes {
                let at = write.unit * geometry.unit_len();
                area[at..at + geometry.unit_len()].copy_from_slice(&write.data);
            }
        }
        let data = device_checks::card_memory_input(index as u8, 7, 6, uid, &area);
        std::fs::write(dir.join(format!("key-{card_type}.bin")), &data).unwrap();
        let cut = device_checks::card_memory_input(index as u8, 2, 40, uid, &area);
        std::fs::write(dir.join(format!("key-{card_type}-large.bin")), &cut).unwrap();
    }
    std::fs::write(
        dir.join("blank-classic1k.bin"),
        device_checks::card_memory_input(0, 3, 1, uid, &[]),
    )
    .unwrap();
    std::fs::write(dir.join("short.bin"), [2u8, 1, 1]).unwrap();
}

/// The seeds of `osdp_frame` are what their names say: `broken-*` are refused, the
/// `stream-*` ones are byte streams, every other one is a frame whose message decodes.
#[test]
fn osdp_frame_seeds_are_well_formed() {
    use accessctl_devices::osdp::{Direction, Frame};
    for path in corpus("osdp_frame") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let data = std::fs::read(&path).unwrap();
        if name.starts_with("stream-") {
            continue;
        }
        let frame = Frame::decode(&data);
        if name.starts_with("broken-") {
            let payload_broken = frame.as_ref().is_ok_and(|f| f.to_command().is_err());
            assert!(frame.is_err() || payload_broken, "{name} is not broken");
            continue;
        }
        let frame = frame.unwrap_or_else(|e| panic!("{name}: {e}"));
        let secured = frame.security.is_some_and(|s| s.mac().is_some());
        if secured {
            continue; // Encrypted or MACed: the data are not the message's.
        }
        match frame.header.direction {
            Direction::Command => assert!(frame.to_command().is_ok(), "{name}"),
            Direction::Reply => assert!(frame.to_reply().is_ok(), "{name}"),
        }
    }
}

/// The seeds of `osdp_peers` are what their names say: `command-*` decode as a command
/// and `reply-*` as a reply (code, data); `frame-*` begin with a frame (`frame-bad-crc`
/// with one whose check fails).
#[test]
fn osdp_peers_seeds_are_well_formed() {
    use accessctl_devices::osdp::{Command, FrameReader, Reply};
    for path in corpus("osdp_peers") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let data = std::fs::read(&path).unwrap();
        let split = data.split_first();
        if name.starts_with("command-") {
            let (&code, rest) = split.unwrap();
            assert!(Command::decode(code, rest).is_ok(), "{name}");
        } else if name.starts_with("reply-") {
            let (&code, rest) = split.unwrap();
            assert!(Reply::decode(code, rest).is_ok(), "{name}");
        } else if name.starts_with("frame-") {
            let mut reader = FrameReader::new();
            reader.push(&data);
            let first = reader.next_frame().unwrap_or_else(|| panic!("{name}"));
            assert_eq!(first.is_ok(), name != "frame-bad-crc.bin", "{name}");
        }
    }
}
