//! Known frames from public sources, and the errors malformed frames get.

use accessctl_devices::osdp::*;
use accessctl_devices::wiegand::{self, formats};

fn decode_hex(hex: &str) -> Vec<u8> {
    hex.split_whitespace()
        .map(|byte| u8::from_str_radix(byte, 16).unwrap())
        .collect()
}

/// SIA OSDP 2.2 Annex E, "CRC Example 1" / "Checksum Example 1" (quoted in libosdp
/// `tests/unit-tests/test-sc-sia-vectors.c`): `osdp_COMSET` on the broadcast address,
/// new address 0 at 9600 baud.
#[test]
fn annex_e_comset() {
    let expected = Command::ComSet(ComSettings {
        address: 0,
        baud_rate: 9600,
    });
    for hex in [
        "53 7F 0D 00 04 6E 00 80 25 00 00 6E 38",
        "53 7F 0C 00 00 6E 00 80 25 00 00 0F",
    ] {
        let bytes = decode_hex(hex);
        let frame = Frame::decode(&bytes).unwrap();
        assert_eq!(frame.header.address, Address::BROADCAST);
        assert_eq!(frame.header.direction, Direction::Command);
        assert_eq!(frame.header.sequence, Sequence::ZERO);
        assert_eq!(frame.to_command().unwrap(), expected);
        let rebuilt = Frame::command(frame.header, &expected).unwrap();
        assert_eq!(rebuilt.encode().unwrap(), bytes);
    }
}

/// SIA OSDP 2.2 Annex E, "CRC Example 2" / "Checksum Example 2" (same source):
/// `osdp_ID` to PD 0.
#[test]
fn annex_e_id() {
    let header = |check| Header::command(Address::new(0).unwrap(), Sequence::ZERO, check);
    let id = Command::Id(ReportRequest { kind: 0 });
    let crc = Frame::command(header(Check::Crc16), &id).unwrap();
    assert_eq!(
        crc.encode().unwrap(),
        decode_hex("53 00 09 00 04 61 00 C0 66")
    );
    let sum = Frame::command(header(Check::Checksum), &id).unwrap();
    assert_eq!(sum.encode().unwrap(), decode_hex("53 00 08 00 00 61 00 44"));
}

/// libosdp `tests/unit-tests/test-cp-phy.c`: `osdp_POLL` and `osdp_ID` to PD 0x65,
/// sequence 0, CRC (the leading mark byte `FF` is skipped by the reader).
#[test]
fn libosdp_cp_frames() {
    let mut reader = FrameReader::new();
    reader.push(&decode_hex(
        "FF 53 65 08 00 04 60 60 90 FF 53 65 09 00 04 61 00 d9 7a",
    ));
    let poll = reader.next_frame().unwrap().unwrap();
    assert_eq!(poll.to_command().unwrap(), Command::Poll);
    let id = reader.next_frame().unwrap().unwrap();
    assert_eq!(
        id.to_command().unwrap(),
        Command::Id(ReportRequest { kind: 0 })
    );
    assert!(reader.next_frame().is_none());
    assert_eq!(reader.skipped(), 0);
}

/// The "Present card" example of the SIA libosdp-conformance README: an `osdp_RAW`
/// reply from PD 0, sequence 3, CRC, 75 bits (0x4B). The README gives the bytes before
/// the CRC (its `sign` tool appends it); the CRC here is ours.
#[test]
fn conformance_raw_card() {
    let mut bytes = decode_hex("53 80 16 00 07 50 00 00 4b 00 09 a4 49 4a a3 27 4c d5 2b c0");
    bytes.extend_from_slice(&crc16(&bytes).to_le_bytes());
    let frame = Frame::decode(&bytes).unwrap();
    assert_eq!(frame.header.direction, Direction::Reply);
    assert_eq!(frame.header.sequence.value(), 3);
    let Reply::Raw(card) = frame.to_reply().unwrap() else {
        panic!("not a RAW reply");
    };
    assert_eq!(
        (card.reader, card.format, card.bit_count),
        (0, RawFormat::RAW, 75)
    );
    assert_eq!(card.data.len(), 10);
    assert_eq!(card.to_wiegand().unwrap().len(), 75);
}

/// A Wiegand read travels inside `osdp_RAW` and comes back as the same card.
#[test]
fn raw_reply_carries_wiegand_cards() {
    let bits: wiegand::WiegandBits = "10000000100000000000000010".parse().unwrap();
    let reply = Reply::Raw(RawCard::from_wiegand(1, &bits));
    let header = Header::command(
        Address::new(2).unwrap(),
        Sequence::new(1).unwrap(),
        Check::Crc16,
    );
    let bytes = Frame::reply(header.reply(), &reply)
        .unwrap()
        .encode()
        .unwrap();
    let Reply::Raw(card) = Frame::decode(&bytes).unwrap().to_reply().unwrap() else {
        panic!("not a RAW reply");
    };
    let card = wiegand::detect(&card.to_wiegand().unwrap(), &[formats::H10301]).unwrap();
    assert_eq!(card.to_string(), "1:1");
}

/// Each field of `osdp_LED` lands where the standard puts it.
#[test]
fn led_layout() {
    let led = Command::Led(vec![LedControl {
        reader: 0,
        led: 1,
        temporary: TemporaryLed {
            code: TemporaryLedCode::SET,
            on_time: 5,
            off_time: 5,
            on_color: LedColor::GREEN,
            off_color: LedColor::BLACK,
            timer: 0x0102,
        },
        permanent: PermanentLed {
            code: PermanentLedCode::SET,
            on_time: 1,
            off_time: 0,
            on_color: LedColor::RED,
            off_color: LedColor::BLACK,
        },
    }]);
    assert_eq!(
        led.encode_data().unwrap(),
        [0, 1, 2, 5, 5, 2, 0, 0x02, 0x01, 1, 1, 0, 1, 0]
    );
}

/// `osdp_FILETRANSFER` and `osdp_FTSTAT` layouts: type, total size, offset, fragment
/// size, data; action, delay, status, update max.
#[test]
fn file_transfer_layout() {
    let fragment = Command::FileTransfer(FileTransfer {
        file_type: FileType::OPAQUE,
        total_size: 0x0001_0000,
        offset: 0x80,
        data: vec![0xAA, 0xBB],
    });
    assert_eq!(
        fragment.encode_data().unwrap(),
        [1, 0, 0, 1, 0, 0x80, 0, 0, 0, 2, 0, 0xAA, 0xBB]
    );
    let status = Reply::decode(0x7A, &[0x01, 0x0A, 0x00, 0xFF, 0xFF, 0x00, 0x01]).unwrap();
    assert_eq!(
        status,
        Reply::FtStat(FileTransferStatus {
            action: FileTransferAction(FileTransferAction::INTERLEAVE),
            delay: 10,
            status: FileTransferCode::ABORT,
            update_max: 256,
        })
    );
}

#[test]
fn payload_errors_point_into_the_frame() {
    let header = Header::command(
        Address::new(1).unwrap(),
        Sequence::new(1).unwrap(),
        Check::Crc16,
    );
    // osdp_OUT with a record cut short.
    let short = Frame {
        header,
        security: None,
        code: 0x68,
        data: vec![0x00, 0x05, 0x1E],
    };
    assert_eq!(
        short.to_command(),
        Err(PayloadError::Truncated {
            offset: 8,
            field: "output timer",
            needed: 2,
            available: 1
        })
    );
    let unknown = Frame {
        data: vec![],
        code: 0x99,
        ..short.clone()
    };
    assert_eq!(
        unknown.to_command(),
        Err(PayloadError::UnknownCommand {
            offset: 5,
            code: 0x99
        })
    );
    let trailing = Frame {
        data: vec![0],
        code: 0x60,
        ..short.clone()
    };
    assert_eq!(
        trailing.to_command(),
        Err(PayloadError::TrailingBytes {
            offset: 6,
            count: 1
        })
    );
    let keypad = Frame {
        header: header.reply(),
        data: vec![0, 3, b'1', b'2'],
        code: 0x53,
        security: None,
    };
    assert_eq!(
        keypad.to_reply(),
        Err(PayloadError::CountMismatch {
            offset: 7,
            field: "digit count",
            declared: 3,
            actual: 2
        })
    );
}

#[test]
fn encoding_refuses_what_does_not_fit() {
    let text = Command::Text(TextOutput {
        reader: 0,
        command: TextCommand::PERMANENT,
        temp_time: 0,
        row: 1,
        column: 1,
        text: vec![b'x'; 256],
    });
    assert_eq!(
        text.encode_data(),
        Err(EncodeError::FieldTooLong {
            field: "text",
            len: 256,
            max: 255
        })
    );
    assert_eq!(
        Command::Out(vec![]).encode_data(),
        Err(EncodeError::Empty {
            field: "output records"
        })
    );
    let raw = Reply::Raw(RawCard {
        reader: 0,
        format: RawFormat::WIEGAND,
        bit_count: 26,
        data: vec![0; 3],
    });
    assert!(matches!(
        raw.encode_data(),
        Err(EncodeError::CountMismatch { .. })
    ));
}

#[test]
fn codes_have_names() {
    assert_eq!(Command::name(command::code::POLL), Some("osdp_POLL"));
    assert_eq!(Reply::name(reply::code::RMAC_I), Some("osdp_RMAC_I"));
    assert_eq!(Reply::name(0x00), None);
    assert_eq!(
        format!("{:?}", NakCode::SEQUENCE),
        "NakCode(bad sequence number)"
    );
    assert_eq!(format!("{:?}", LedColor(0x42)), "LedColor(0x42)");
    assert_eq!(OutputControlCode::from(5), OutputControlCode::TEMPORARY_ON);
}
