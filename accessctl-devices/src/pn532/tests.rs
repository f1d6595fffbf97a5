//! Unit tests of the PN532 code: frames, commands, the simulated cards' rules, the
//! client against the simulated PN532 in memory (faults included).

use proptest::prelude::*;

use super::client::{ClientError, Pn532, Timeouts};
use super::command::{Command, FirmwareVersion, PayloadError, Response, TargetA};
use super::frame::{Direction, Frame, FrameError, FrameReader, ACK, ERROR_FRAME, NACK, WAKE_UP};
use super::sim::card::{
    access_bits, access_conditions, SimCard, TRANSPORT_ACCESS_BITS, TRANSPORT_KEY,
};
use super::sim::{SimPn532, SimTransport};
use crate::card_io::{CardIo, CardIoError, CardType, KeySlot};

fn info(frame: &Frame) -> Vec<u8> {
    match frame {
        Frame::Information { data, .. } => data.clone(),
        other => panic!("not an information frame: {other}"),
    }
}

#[test]
fn control_frames_round_trip() {
    for (frame, bytes) in [
        (Frame::Ack, ACK.to_vec()),
        (Frame::Nack, NACK.to_vec()),
        (Frame::Error, ERROR_FRAME.to_vec()),
    ] {
        assert_eq!(frame.encode(), bytes);
        assert_eq!(Frame::decode(&bytes), Ok(frame));
    }
}

#[test]
fn a_normal_frame_is_as_the_datasheet_draws_it() {
    // SAMConfiguration normal mode, as libnfc sends it.
    let bytes = Frame::command(vec![0x14, 0x01, 0x00, 0x00]).encode();
    assert_eq!(
        bytes,
        [0x00, 0x00, 0xFF, 0x05, 0xFB, 0xD4, 0x14, 0x01, 0x00, 0x00, 0x17, 0x00]
    );
    // The firmware version libnfc expects.
    let response = Frame::response(Response::FirmwareVersion(FirmwareVersion::PN532_V1_6).encode());
    assert_eq!(info(&response), [0x03, 0x32, 0x01, 0x06, 0x07]);
    assert_eq!(Frame::decode(&response.encode()), Ok(response));
}

#[test]
fn an_extended_frame_decodes_to_the_same_frame() {
    let frame = Frame::command(vec![0x40, 0x01, 0x30, 0x04]);
    let extended = frame.encode_extended();
    assert_eq!(&extended[..5], &[0x00, 0x00, 0xFF, 0xFF, 0xFF]);
    assert_eq!(Frame::decode(&extended), Ok(frame));
    let long = Frame::response((0..=255u8).cycle().take(300).collect());
    let bytes = long.encode();
    assert_eq!(bytes[3..5], [0xFF, 0xFF]);
    assert_eq!(Frame::decode(&bytes), Ok(long));
}

#[test]
fn the_preamble_is_optional() {
    let bytes = Frame::command(vec![0x02]).encode();
    assert_eq!(Frame::decode(&bytes[1..]), Ok(Frame::command(vec![0x02])));
}

#[test]
fn decoding_errors_name_their_offsets() {
    let good = Frame::command(vec![0x02]).encode(); // 00 00 FF 02 FE D4 02 2A 00
    let mut bad_lcs = good.clone();
    bad_lcs[4] = 0xFD;
    assert!(matches!(
        Frame::decode(&bad_lcs),
        Err(FrameError::BadLengthChecksum { offset: 4, .. })
    ));
    let mut bad_dcs = good.clone();
    bad_dcs[7] = 0x00;
    assert_eq!(
        Frame::decode(&bad_dcs),
        Err(FrameError::BadDataChecksum {
            offset: 7,
            expected: 0x2A,
            found: 0x00
        })
    );
    let mut bad_post = good.clone();
    bad_post[8] = 0x01;
    assert_eq!(
        Frame::decode(&bad_post),
        Err(FrameError::BadPostamble {
            offset: 8,
            found: 0x01
        })
    );
    let mut bad_tfi = good.clone();
    bad_tfi[5] = 0xD6;
    assert_eq!(
        Frame::decode(&bad_tfi),
        Err(FrameError::BadTfi {
            offset: 5,
            found: 0xD6
        })
    );
    assert!(matches!(
        Frame::decode(&good[..6]),
        Err(FrameError::Truncated { offset: 6, .. })
    ));
    assert!(matches!(
        Frame::decode(&[0x55, 0x55]),
        Err(FrameError::BadStartCode { offset: 0, .. })
    ));
    let mut trailing = good.clone();
    trailing.push(0x42);
    assert!(matches!(
        Frame::decode(&trailing),
        Err(FrameError::BadStartCode { offset: 9, .. })
    ));
    assert_eq!(
        Frame::decode(&[0x00, 0x00, 0xFF, 0x00, 0x00]),
        Err(FrameError::EmptyFrame { offset: 3 })
    );
}

#[test]
fn the_reader_skips_the_wake_up_and_resynchronises() {
    let mut reader = FrameReader::new();
    let command = Frame::command(vec![0x14, 0x01]);
    let mut stream = WAKE_UP.to_vec();
    stream.extend(command.encode());
    let mut corrupt = Frame::command(vec![0x02]).encode();
    corrupt[7] ^= 1;
    stream.extend(&corrupt);
    stream.extend([0x13, 0x37]);
    stream.extend(ACK);
    reader.push(&stream);
    assert_eq!(reader.next_frame(), Some(Ok(command)));
    assert!(matches!(
        reader.next_frame(),
        Some(Err(FrameError::BadDataChecksum { .. }))
    ));
    assert_eq!(reader.next_frame(), Some(Ok(Frame::Ack)));
    assert_eq!(reader.next_frame(), None);
}

fn every_command() -> Vec<Command> {
    vec![
        Command::Diagnose {
            test: 0,
            parameters: b"libnfc".to_vec(),
        },
        Command::GetFirmwareVersion,
        Command::GetGeneralStatus,
        Command::ReadRegister {
            addresses: vec![0x6305, 0x633C],
        },
        Command::WriteRegister {
            writes: vec![(0x6305, 0x80), (0x633D, 0)],
        },
        Command::SetParameters { flags: 0x14 },
        Command::SamConfiguration {
            mode: 1,
            timeout: None,
            irq: None,
        },
        Command::SamConfiguration {
            mode: 1,
            timeout: Some(0x14),
            irq: Some(1),
        },
        Command::PowerDown {
            wake_up_enable: 0xF0,
            generate_irq: None,
        },
        Command::PowerDown {
            wake_up_enable: 0x20,
            generate_irq: Some(1),
        },
        Command::RfConfiguration {
            item: 5,
            data: vec![0xFF, 1, 2],
        },
        Command::InListPassiveTarget {
            max_targets: 1,
            modulation: 0,
            initiator_data: vec![],
        },
        Command::InListPassiveTarget {
            max_targets: 1,
            modulation: 0,
            initiator_data: vec![1, 2, 3, 4],
        },
        Command::InDataExchange {
            target: 1,
            data: vec![0x60, 4, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4],
        },
        Command::InCommunicateThru { data: vec![0x60] },
        Command::InDeselect { target: 0 },
        Command::InRelease { target: 1 },
        Command::InAutoPoll {
            poll_count: 20,
            period: 2,
            types: vec![0x10, 0x20],
        },
    ]
}

fn every_response() -> Vec<Response> {
    let target = TargetA {
        number: 1,
        sens_res: [0, 4],
        sel_res: 8,
        uid: vec![1, 2, 3, 4],
        ats: None,
    };
    vec![
        Response::Diagnose {
            data: vec![0, 1, 2],
        },
        Response::FirmwareVersion(FirmwareVersion::PN532_V1_6),
        Response::GeneralStatus {
            data: vec![0, 1, 0, 0],
        },
        Response::ReadRegister { values: vec![1, 2] },
        Response::WriteRegister,
        Response::SetParameters,
        Response::SamConfiguration,
        Response::PowerDown { status: 0 },
        Response::RfConfiguration,
        Response::InListPassiveTarget {
            count: 1,
            data: target.encode(),
        },
        Response::InListPassiveTarget {
            count: 0,
            data: vec![],
        },
        Response::InDataExchange {
            status: 0,
            data: vec![0; 16],
        },
        Response::InCommunicateThru {
            status: 1,
            data: vec![],
        },
        Response::InDeselect { status: 0 },
        Response::InRelease { status: 0 },
        Response::InAutoPoll {
            targets: vec![(0x10, target.encode())],
        },
    ]
}

#[test]
fn every_command_and_response_round_trips_through_a_frame() {
    for command in every_command() {
        let frame = Frame::decode(&Frame::command(command.encode()).encode()).unwrap();
        assert_eq!(
            Command::decode(&info(&frame)),
            Ok(command.clone()),
            "{command:?}"
        );
    }
    for response in every_response() {
        let frame = Frame::decode(&Frame::response(response.encode()).encode()).unwrap();
        assert_eq!(
            Response::decode(&info(&frame)),
            Ok(response.clone()),
            "{response:?}"
        );
    }
}

#[test]
fn targets_decode_with_and_without_ats() {
    let plain = TargetA {
        number: 1,
        sens_res: [0, 0x44],
        sel_res: 0,
        uid: vec![4, 1, 2, 3, 4, 5, 6],
        ats: None,
    };
    let iso = TargetA {
        number: 2,
        sens_res: [0, 4],
        sel_res: 0x20,
        uid: vec![9; 4],
        ats: Some(vec![3, 0x78, 0x80]),
    };
    let mut data = plain.encode();
    data.extend(iso.encode());
    assert_eq!(TargetA::decode_all(2, &data, 2), Ok(vec![plain, iso]));
    assert!(matches!(
        TargetA::decode_all(1, &[1, 0, 4, 8, 4, 1], 2),
        Err(PayloadError::Truncated { .. })
    ));
}

#[test]
fn payload_errors_name_their_offsets() {
    assert_eq!(Command::decode(&[]), Err(PayloadError::Empty));
    assert_eq!(
        Command::decode(&[0x99]),
        Err(PayloadError::UnknownCode { code: 0x99 })
    );
    assert_eq!(
        Command::decode(&[0x52]),
        Err(PayloadError::Truncated {
            offset: 1,
            needed: 1
        })
    );
    assert_eq!(
        Command::decode(&[0x52, 1, 2]),
        Err(PayloadError::Trailing {
            offset: 2,
            count: 1
        })
    );
    assert_eq!(
        Response::decode(&[0x03, 0x32]),
        Err(PayloadError::Truncated {
            offset: 2,
            needed: 1
        })
    );
    assert_eq!(
        Response::decode(&[0x02]),
        Err(PayloadError::UnknownCode { code: 0x02 })
    );
}

#[test]
fn access_bits_encode_their_conditions() {
    assert_eq!(
        access_conditions(TRANSPORT_ACCESS_BITS),
        Some([0, 0, 0, 0b001])
    );
    assert_eq!(access_bits([0, 0, 0, 0b001], 0x69), TRANSPORT_ACCESS_BITS);
    for c in 0..8 {
        let conditions = [c, (c + 1) % 8, (c + 2) % 8, (c + 3) % 8];
        assert_eq!(
            access_conditions(access_bits(conditions, 0)),
            Some(conditions)
        );
    }
    assert_eq!(access_conditions([0xFF, 0xFF, 0x80, 0]), None);
}

fn classic(card_type: CardType) -> SimCard {
    let mut card = SimCard::new(card_type);
    assert!(card.detect().unwrap().is_some());
    card
}

#[test]
fn a_blank_classic_opens_with_the_transport_key() {
    let mut card = classic(CardType::Classic1k);
    assert_eq!(
        card.read_block(4),
        Err(CardIoError::Nak {
            address: 4,
            code: 0
        })
    );
    card.authenticate(4, KeySlot::A, TRANSPORT_KEY).unwrap();
    assert_eq!(card.read_block(4).unwrap(), [0; 16]);
    card.write_block(5, [7; 16]).unwrap();
    assert_eq!(card.read_block(5).unwrap(), [7; 16]);
    // Key A reads as zeros; key B is readable under the transport conditions.
    let trailer = card.read_block(7).unwrap();
    assert_eq!(&trailer[..6], &[0; 6]);
    assert_eq!(&trailer[6..10], &TRANSPORT_ACCESS_BITS);
    assert_eq!(&trailer[10..], &TRANSPORT_KEY);
    // Another sector needs its own authentication.
    assert_eq!(
        card.read_block(8),
        Err(CardIoError::Nak {
            address: 8,
            code: 0
        })
    );
    // Block 0 (manufacturer) holds the UID and cannot be written.
    card.authenticate(0, KeySlot::A, TRANSPORT_KEY).unwrap();
    assert_eq!(&card.read_block(0).unwrap()[..4], card.uid());
    assert!(card.write_block(0, [0; 16]).is_err());
}

#[test]
fn a_personalised_classic_refuses_the_old_key_and_enforces_its_access_bits() {
    let mut card = classic(CardType::Classic1k);
    let key_a = [1, 2, 3, 4, 5, 6];
    let key_b = [9, 8, 7, 6, 5, 4];
    card.authenticate(7, KeySlot::A, TRANSPORT_KEY).unwrap();
    // Data blocks: 4 read-only (A or B read, never written), 5 and 6 read with A or B,
    // written with B; trailer managed with key B (011).
    let bits = access_bits([0b010, 0b100, 0b100, 0b011], 0x69);
    let mut trailer = [0u8; 16];
    trailer[..6].copy_from_slice(&key_a);
    trailer[6..10].copy_from_slice(&bits);
    trailer[10..].copy_from_slice(&key_b);
    card.write_block(7, trailer).unwrap();
    assert_eq!(
        card.authenticate(4, KeySlot::A, TRANSPORT_KEY),
        Err(CardIoError::AuthenticationFailed { block: 4 })
    );
    card.authenticate(4, KeySlot::A, key_a).unwrap();
    assert_eq!(card.read_block(4).unwrap(), [0; 16]);
    assert!(matches!(
        card.write_block(5, [1; 16]),
        Err(CardIoError::Nak { address: 5, .. })
    ));
    // Key B cannot be read any more.
    assert_eq!(&card.read_block(7).unwrap()[10..], &[0; 6]);
    card.authenticate(4, KeySlot::B, key_b).unwrap();
    card.write_block(5, [1; 16]).unwrap();
    assert!(card.write_block(4, [1; 16]).is_err());
    assert_eq!(card.read_block(5).unwrap(), [1; 16]);
    // A trailer with inconsistent access bits is refused.
    let mut broken = trailer;
    broken[6] = 0;
    assert!(card.write_block(7, broken).is_err());
}

#[test]
fn a_classic_4k_has_large_sectors() {
    let mut card = classic(CardType::Classic4k);
    // Key B is readable in the transport configuration: authenticating with it
    // succeeds, but it may not read or write the data.
    card.authenticate(200, KeySlot::B, TRANSPORT_KEY).unwrap();
    assert!(card.read_block(200).is_err());
    card.authenticate(200, KeySlot::A, TRANSPORT_KEY).unwrap();
    card.write_block(200, [3; 16]).unwrap();
    assert_eq!(card.read_block(200).unwrap(), [3; 16]);
    assert_eq!(
        &card.read_block(143 + 64).unwrap()[6..10],
        &TRANSPORT_ACCESS_BITS
    );
    assert!(card.read_block(128).is_err()); // another sector
}

#[test]
fn an_ntag_protects_its_pages_with_its_password() {
    let mut card = SimCard::new(CardType::Ntag215);
    let found = card.detect().unwrap().unwrap();
    assert_eq!(found.card_type, CardType::Ntag215);
    assert_eq!(found.uid.len(), 7);
    let first = card.read_pages(0).unwrap();
    assert_eq!(&first[..3], &found.uid[..3]);
    assert_eq!(&first[12..], &[0xE1, 0x10, 0x3E, 0x00]);
    card.write_page(4, [1, 2, 3, 4]).unwrap();
    assert_eq!(&card.read_pages(4).unwrap()[..4], &[1, 2, 3, 4]);
    assert_eq!(card.password_auth([0xFF; 4]), Ok([0, 0]));
    // Password, PACK, AUTH0 = 4 and PROT (read and write protected).
    card.write_page(0x85, [0xA1, 0xB2, 0xC3, 0xD4]).unwrap();
    card.write_page(0x86, [0x12, 0x34, 0, 0]).unwrap();
    card.write_page(0x84, [0x80, 0x05, 0, 0]).unwrap();
    card.write_page(0x83, [0x04, 0, 0, 0x04]).unwrap();
    card.release().unwrap();
    card.detect().unwrap();
    assert!(matches!(
        card.read_pages(4),
        Err(CardIoError::Nak { address: 4, .. })
    ));
    assert!(matches!(
        card.write_page(5, [0; 4]),
        Err(CardIoError::Nak { address: 5, .. })
    ));
    assert_eq!(card.read_pages(0).map(|p| p[12]), Ok(0xE1));
    assert_eq!(
        card.password_auth([0xFF; 4]),
        Err(CardIoError::AuthenticationFailed { block: 0 })
    );
    assert_eq!(
        card.password_auth([0xA1, 0xB2, 0xC3, 0xD4]),
        Ok([0x12, 0x34])
    );
    assert_eq!(&card.read_pages(4).unwrap()[..4], &[1, 2, 3, 4]);
    // PWD and PACK read as zeros.
    assert_eq!(&card.read_pages(0x85).unwrap()[..8], &[0; 8]);
    assert!(card.read_pages(0x87).is_err());
}

#[test]
fn an_ntag216_is_larger() {
    let mut card = SimCard::new(CardType::Ntag216);
    card.detect().unwrap();
    assert_eq!(card.read_pages(3).unwrap()[2], 0x6D);
    card.write_page(0xE1, [5; 4]).unwrap();
    assert!(card.write_page(0xE7, [5; 4]).is_err());
}

#[test]
fn a_card_removed_after_n_operations_is_gone() {
    let mut card = classic(CardType::Classic1k);
    card.remove_after(Some(2));
    card.authenticate(4, KeySlot::A, TRANSPORT_KEY).unwrap();
    card.read_block(4).unwrap();
    assert_eq!(card.write_block(4, [1; 16]), Err(CardIoError::Removed));
    assert_eq!(card.detect(), Ok(None));
    card.set_present(true);
    assert!(card.detect().unwrap().is_some());
    // Operations need a detected card.
    card.release().unwrap();
    assert_eq!(card.read_block(4), Err(CardIoError::NoCard));
}

#[test]
fn card_state_round_trips_and_refuses_garbage() {
    let mut card = classic(CardType::Ntag216);
    card.write_page(10, [1, 2, 3, 4]).unwrap();
    let state = card.to_state();
    let back = SimCard::from_state(&state).unwrap();
    assert_eq!(back.memory(), card.memory());
    assert_eq!(back.uid(), card.uid());
    assert!(SimCard::from_state(b"nope").is_err());
    assert!(SimCard::from_state(&state[..state.len() - 1]).is_err());
    assert!(SimCard::blank(CardType::Classic1k, &[1, 2, 3]).is_err());
}

fn client(card: SimCard) -> Pn532<SimTransport> {
    Pn532::open(SimTransport::new(SimPn532::new(card)), Timeouts::default()).unwrap()
}

#[test]
fn the_client_reads_and_writes_a_classic_through_the_simulated_pn532() {
    let mut pn532 = client(SimCard::new(CardType::Classic1k));
    assert_eq!(pn532.firmware(), FirmwareVersion::PN532_V1_6);
    let card = pn532.detect().unwrap().unwrap();
    assert_eq!(card.card_type, CardType::Classic1k);
    assert_eq!(card.uid, [0xDE, 0xAD, 0xBE, 0xEF]);
    assert_eq!(
        pn532.authenticate(4, KeySlot::A, [0; 6]),
        Err(CardIoError::AuthenticationFailed { block: 4 })
    );
    pn532.authenticate(4, KeySlot::A, TRANSPORT_KEY).unwrap();
    pn532.write_block(6, [0x42; 16]).unwrap();
    assert_eq!(pn532.read_block(6).unwrap(), [0x42; 16]);
    assert!(matches!(
        pn532.read_block(8),
        Err(CardIoError::Nak { address: 8, .. })
    ));
    pn532.release().unwrap();
    assert_eq!(pn532.read_block(6), Err(CardIoError::NoCard));
    pn532.close().unwrap();
}

#[test]
fn the_client_tells_an_ntag216_and_its_password() {
    let mut pn532 = client(SimCard::new(CardType::Ntag216));
    let card = pn532.detect().unwrap().unwrap();
    assert_eq!(card.card_type, CardType::Ntag216);
    pn532.write_page(4, [1, 2, 3, 4]).unwrap();
    assert_eq!(&pn532.read_pages(4).unwrap()[..4], &[1, 2, 3, 4]);
    assert_eq!(pn532.password_auth([0xFF; 4]), Ok([0, 0]));
    assert_eq!(
        pn532.password_auth([1; 4]),
        Err(CardIoError::AuthenticationFailed { block: 0 })
    );
}

#[test]
fn the_client_recovers_from_a_bad_checksum_and_a_dropped_ack() {
    let mut pn532 = client(SimCard::new(CardType::Classic1k));
    pn532.transport_mut().device.faults_mut().bad_checksums = 1;
    assert!(pn532.detect().unwrap().is_some());
    pn532.transport_mut().device.faults_mut().dropped_acks = 1;
    pn532.authenticate(1, KeySlot::A, TRANSPORT_KEY).unwrap();
    // Two bad checksums in a row: the client asks once, then gives up.
    pn532.transport_mut().device.faults_mut().bad_checksums = 2;
    let error = pn532.read_block(1).unwrap_err();
    assert!(
        matches!(&error, CardIoError::Link(m) if m.contains("checksum")),
        "{error:?}"
    );
}

#[test]
fn a_silent_pn532_times_out() {
    let transport = SimTransport::new(SimPn532::new(SimCard::new(CardType::Classic1k)));
    let timeouts = Timeouts {
        ack: std::time::Duration::from_millis(20),
        response: std::time::Duration::from_millis(20),
    };
    let mut pn532 = Pn532::open(transport, timeouts).unwrap();
    pn532.transport_mut().device.faults_mut().silences = 1;
    let error = pn532.execute(&Command::GetFirmwareVersion).unwrap_err();
    assert!(
        matches!(
            error,
            ClientError::Timeout {
                waiting_for: "ACK",
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn the_client_reports_a_card_removed_mid_operation() {
    let mut pn532 = client(SimCard::new(CardType::Classic1k));
    pn532.detect().unwrap();
    pn532
        .transport_mut()
        .device
        .card_mut()
        .remove_after(Some(1));
    pn532.authenticate(4, KeySlot::A, TRANSPORT_KEY).unwrap();
    assert_eq!(pn532.write_block(4, [1; 16]), Err(CardIoError::Removed));
    assert_eq!(pn532.detect(), Ok(None));
}

#[test]
fn the_simulated_pn532_answers_what_libnfc_sends() {
    let mut device = SimPn532::new(SimCard::new(CardType::Classic1k));
    let now = std::time::Instant::now();
    let mut input = WAKE_UP.to_vec();
    input.extend(Frame::command(vec![0x00, 0x00, b'l', b'i', b'b']).encode());
    let out = device.handle_input(&input, now).unwrap();
    assert_eq!(&out[..6], &ACK);
    let (frame, _) = Frame::decode_prefix(&out[6..]).unwrap();
    assert_eq!(info(&frame), [0x01, 0x00, b'l', b'i', b'b']);
    // An unknown command: ACK, then the error frame.
    let out = device
        .handle_input(&Frame::command(vec![0x7E]).encode(), now)
        .unwrap();
    assert_eq!(&out[6..], &ERROR_FRAME);
    // A host's NACK: the last response again.
    let out = device.handle_input(&NACK, now).unwrap();
    assert_eq!(out, ERROR_FRAME);
    // A frame from the PN532's side is ignored.
    assert_eq!(
        device.handle_input(&Frame::response(vec![0x03]).encode(), now),
        None
    );
    let _ = Direction::ToHost;
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn information_frames_round_trip(data in proptest::collection::vec(any::<u8>(), 0..600), host in any::<bool>()) {
        let frame = if host { Frame::command(data) } else { Frame::response(data) };
        prop_assert_eq!(Frame::decode(&frame.encode()), Ok(frame.clone()));
        prop_assert_eq!(Frame::decode(&frame.encode_extended()), Ok(frame));
    }

    #[test]
    fn decoding_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        match Frame::decode(&bytes) {
            Ok(frame) => {
                if let Frame::Information { data, .. } = &frame {
                    let _ = Command::decode(data);
                    let _ = Response::decode(data);
                }
            }
            Err(error) => prop_assert!(error.offset() <= bytes.len()),
        }
        let _ = Command::decode(&bytes);
        let _ = Response::decode(&bytes);
        let mut device = SimPn532::new(SimCard::new(CardType::Ntag215));
        let _ = device.handle_input(&bytes, std::time::Instant::now());
        let _ = SimCard::from_state(&bytes);
    }

    #[test]
    fn the_reader_finds_every_frame_in_random_chunks(
        payloads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 1..8),
        chunk in 1usize..17,
    ) {
        let frames: Vec<Frame> = payloads.into_iter().map(Frame::command).collect();
        let mut stream = WAKE_UP.to_vec();
        for frame in &frames {
            stream.extend(frame.encode());
        }
        let mut reader = FrameReader::new();
        let mut found = Vec::new();
        for piece in stream.chunks(chunk) {
            reader.push(piece);
            while let Some(frame) = reader.next_frame() {
                found.push(frame.unwrap());
            }
        }
        prop_assert_eq!(found, frames);
    }

    #[test]
    fn a_simulated_card_never_panics_on_any_command(command in proptest::collection::vec(any::<u8>(), 0..24), raw in any::<bool>(), classic in any::<bool>()) {
        let card_type = if classic { CardType::Classic4k } else { CardType::Ntag216 };
        let mut card = SimCard::new(card_type);
        card.select();
        let _ = card.exchange(&command, raw);
    }
}
