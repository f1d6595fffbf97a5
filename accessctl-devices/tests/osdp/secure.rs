//! The secure channel end to end: handshakes, messages both ways over the wire,
//! tampering, replay, keys.

use accessctl_devices::osdp::secure::{ControlPanelChannel, PeripheralChannel, Scbk, SecureError};
use accessctl_devices::osdp::*;

const CLIENT_ID: [u8; 8] = *b"accessPD";

fn header(sequence: u8) -> Header {
    Header::command(
        Address::new(0x21).unwrap(),
        Sequence::new(sequence).unwrap(),
        Check::Crc16,
    )
}

/// A frame sent over the wire: encoded, then decoded on the other side.
fn wire(frame: &Frame) -> Frame {
    Frame::decode(&frame.encode().unwrap()).unwrap()
}

fn handshake(
    cp: &mut ControlPanelChannel,
    pd: &mut PeripheralChannel,
    cp_random: [u8; 8],
    pd_random: [u8; 8],
) -> Result<[Frame; 4], SecureError> {
    let chlng = wire(&cp.challenge(header(1), cp_random)?);
    let ccrypt = wire(&pd.accept_chlng(&chlng, pd_random)?);
    let scrypt = wire(&cp.accept_ccrypt(&ccrypt, header(2))?);
    let rmac_i = wire(&pd.accept_scrypt(&scrypt)?);
    cp.accept_rmac_i(&rmac_i)?;
    Ok([chlng, ccrypt, scrypt, rmac_i])
}

fn established(key: [u8; 16]) -> (ControlPanelChannel, PeripheralChannel) {
    let mut cp = ControlPanelChannel::new(Scbk::new(key)).unwrap();
    let mut pd = PeripheralChannel::new(Some(Scbk::new(key)), CLIENT_ID);
    handshake(&mut cp, &mut pd, [0x11; 8], [0x22; 8]).unwrap();
    assert!(cp.is_established() && pd.is_established());
    (cp, pd)
}

fn from_hex(hex: &str) -> Vec<u8> {
    hex.split_whitespace()
        .map(|byte| u8::from_str_radix(byte, 16).unwrap())
        .collect()
}

/// The SIA OSDP 2.2 Annex E secure channel example (SCBK-D, RND.A = B0…B7,
/// RND.B = A0…A7; values as quoted in libosdp `tests/unit-tests/test-sc-sia-vectors.c`)
/// through the public state machines: the frames carry the published client
/// cryptogram, server cryptogram and initial R-MAC.
#[test]
fn annex_e_handshake() {
    let mut cp = ControlPanelChannel::install_mode();
    let mut pd = PeripheralChannel::new(None, CLIENT_ID);
    pd.allow_install_mode();
    let cp_random = [0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7];
    let pd_random = [0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7];
    let [chlng, ccrypt, scrypt, rmac_i] =
        handshake(&mut cp, &mut pd, cp_random, pd_random).unwrap();

    assert_eq!(
        chlng.security,
        Some(SecurityBlock::Scs11(KeySelector::Default))
    );
    assert_eq!(chlng.data, cp_random);
    assert_eq!(
        ccrypt.security,
        Some(SecurityBlock::Scs12(KeySelector::Default))
    );
    assert_eq!(ccrypt.data[..8], CLIENT_ID);
    assert_eq!(ccrypt.data[8..16], pd_random);
    assert_eq!(
        ccrypt.data[16..],
        from_hex("FD E5 D2 F4 28 EC 16 31 24 71 EA 3C 02 BD 77 96")
    );
    assert_eq!(
        scrypt.security,
        Some(SecurityBlock::Scs13(KeySelector::Default))
    );
    assert_eq!(
        scrypt.data,
        from_hex("26 D3 35 6E 07 76 2D 26 28 01 FC 8E 66 65 A8 91")
    );
    assert_eq!(rmac_i.security, Some(SecurityBlock::Scs14(true)));
    assert_eq!(
        rmac_i.data,
        from_hex("B2 A3 00 57 EB 98 BA 22 29 EC 1F 87 56 62 B5 24")
    );
    assert!(cp.is_established() && pd.is_established());
}

/// Commands and replies both ways, over the wire, with and without data.
#[test]
fn messages_both_ways() {
    let (mut cp, mut pd) = established([0x5A; 16]);
    let commands = [
        Command::Poll,
        Command::Out(vec![OutputControl {
            output: 0,
            code: OutputControlCode::TEMPORARY_ON,
            timer: 30,
        }]),
        Command::Text(TextOutput {
            reader: 0,
            command: TextCommand::TEMPORARY,
            temp_time: 3,
            row: 1,
            column: 1,
            text: b"Welcome, a text longer than one AES block".to_vec(),
        }),
        Command::LStat,
    ];
    let replies = [
        Reply::Ack,
        Reply::Keypad(Keypad {
            reader: 0,
            digits: b"4829".to_vec(),
        }),
        Reply::Raw(RawCard {
            reader: 0,
            format: RawFormat::WIEGAND,
            bit_count: 26,
            data: vec![0x80, 0x80, 0x00, 0x80],
        }),
        Reply::LStatR(LocalStatus::default()),
    ];
    let mut sequence = Sequence::ZERO;
    for (command, reply) in commands.iter().zip(&replies) {
        sequence = sequence.next();
        let sealed = wire(&cp.seal(header(sequence.value()), command).unwrap());
        let expected_block = if command.encode_data().unwrap().is_empty() {
            0x15
        } else {
            0x17
        };
        assert_eq!(sealed.security.map(|b| b.kind()), Some(expected_block));
        assert_eq!(pd.open(&sealed).unwrap(), *command);

        let answer = wire(&pd.seal(sealed.header.reply(), reply).unwrap());
        let expected_block = if reply.encode_data().unwrap().is_empty() {
            0x16
        } else {
            0x18
        };
        assert_eq!(answer.security.map(|b| b.kind()), Some(expected_block));
        assert_eq!(cp.open(&answer).unwrap(), *reply);
    }
}

/// Encrypted data do not show the clear data.
#[test]
fn data_travel_encrypted() {
    let (mut cp, mut pd) = established([0x01; 16]);
    let new_key = Scbk::new([0xC3; 16]);
    let keyset = Command::KeySet(KeySet::scbk(new_key.clone()));
    let sealed = cp.seal(header(1), &keyset).unwrap();
    let bytes = sealed.encode().unwrap();
    assert!(!bytes.windows(16).any(|window| window == new_key.expose()));
    assert_eq!(sealed.data.len(), 32, "18 bytes padded to two blocks");
    assert_eq!(pd.open(&wire(&sealed)).unwrap(), keyset);
}

/// Flipping any bit of a sealed command — header, block, data or MAC — is refused,
/// even when the check characters are recomputed, and ends the session.
#[test]
fn tampering_is_refused() {
    let command = Command::Buz(BuzzerControl {
        reader: 0,
        tone: ToneCode::DEFAULT,
        on_time: 2,
        off_time: 2,
        count: 1,
    });
    let probe = {
        let (mut cp, _) = established([9; 16]);
        cp.seal(header(1), &command).unwrap().encode().unwrap()
    };
    let check_len = 2;
    for byte in 1..probe.len() - check_len {
        for bit in 0..8 {
            let (mut cp, mut pd) = established([9; 16]);
            let mut bytes = cp.seal(header(1), &command).unwrap().encode().unwrap();
            bytes[byte] ^= 1 << bit;
            let end = bytes.len() - check_len;
            let crc = crc16(&bytes[..end]).to_le_bytes();
            bytes[end..].copy_from_slice(&crc);
            let Ok(frame) = Frame::decode(&bytes) else {
                continue; // The packet layer refused it already.
            };
            assert!(
                pd.open(&frame).is_err(),
                "byte {byte} bit {bit} got through"
            );
            assert!(!pd.is_established());
        }
    }
}

#[test]
fn replay_and_reordering_are_refused() {
    let (mut cp, mut pd) = established([3; 16]);
    let first = wire(&cp.seal(header(1), &Command::Poll).unwrap());
    assert_eq!(pd.open(&first).unwrap(), Command::Poll);
    let ack = pd.seal(first.header.reply(), &Reply::Ack).unwrap();
    assert_eq!(cp.open(&wire(&ack)).unwrap(), Reply::Ack);
    // The same command again: its MAC was chained from an older reply.
    assert_eq!(pd.open(&first), Err(SecureError::MacMismatch));

    let (mut cp, mut pd) = established([3; 16]);
    let one = cp.seal(header(1), &Command::Poll).unwrap();
    let ack = pd
        .open(&wire(&one))
        .map(|_| pd.seal(one.header.reply(), &Reply::Ack));
    assert!(ack.is_ok());
    // A reply opened twice.
    let ack = wire(&ack.unwrap().unwrap());
    assert_eq!(cp.open(&ack).unwrap(), Reply::Ack);
    assert_eq!(
        cp.open(&ack),
        Err(SecureError::OutOfTurn {
            direction: Direction::Reply
        })
    );
    assert!(!cp.is_established());

    // Two commands before a reply: the PD takes the first only.
    let (mut cp, mut pd) = established([3; 16]);
    let first = wire(&cp.seal(header(1), &Command::Poll).unwrap());
    assert!(matches!(
        cp.seal(header(2), &Command::Poll),
        Err(SecureError::OutOfTurn { .. })
    ));
    assert_eq!(pd.open(&first).unwrap(), Command::Poll);
    assert!(matches!(
        pd.open(&first),
        Err(SecureError::OutOfTurn { .. })
    ));
}

/// A PD too busy to look at a command answers a plain BUSY; the CP sends the same
/// frame again and the chain goes on.
#[test]
fn busy_moves_nothing() {
    let (mut cp, mut pd) = established([5; 16]);
    let command = wire(&cp.seal(header(1), &Command::LStat).unwrap());
    let busy = Frame::reply(
        Header {
            sequence: Sequence::ZERO,
            ..header(1)
        }
        .reply(),
        &Reply::Busy,
    )
    .unwrap();
    assert_eq!(cp.open(&wire(&busy)).unwrap(), Reply::Busy);
    assert!(cp.is_established());
    assert_eq!(pd.open(&command).unwrap(), Command::LStat);
    let status = pd
        .seal(
            command.header.reply(),
            &Reply::LStatR(LocalStatus::default()),
        )
        .unwrap();
    assert_eq!(
        cp.open(&wire(&status)).unwrap(),
        Reply::LStatR(LocalStatus::default())
    );
}

#[test]
fn plaintext_inside_the_channel_is_refused() {
    let (mut cp, mut pd) = established([4; 16]);
    let plain = Frame::command(header(1), &Command::Poll).unwrap();
    assert_eq!(pd.open(&plain), Err(SecureError::Plaintext { code: 0x60 }));
    assert!(!pd.is_established());
    // A plain NAK tells the CP the PD dropped the session.
    let nak = Frame::reply(
        header(1).reply(),
        &Reply::Nak(Nak::new(NakCode::SECURITY_CONDITIONS)),
    )
    .unwrap();
    assert_eq!(
        cp.open(&nak),
        Err(SecureError::Refused {
            code: NakCode::SECURITY_CONDITIONS
        })
    );
    assert!(!cp.is_established());
    assert_eq!(
        cp.seal(header(1), &Command::Poll),
        Err(SecureError::NotEstablished)
    );
}

#[test]
fn a_wrong_key_is_found_out() {
    let mut cp = ControlPanelChannel::new(Scbk::new([1; 16])).unwrap();
    let mut pd = PeripheralChannel::new(Some(Scbk::new([2; 16])), CLIENT_ID);
    assert_eq!(
        handshake(&mut cp, &mut pd, [5; 8], [6; 8]).err(),
        Some(SecureError::BadCryptogram { side: "client" })
    );
    assert!(!cp.is_established());

    // A forged server cryptogram is refused by the PD.
    let mut cp = ControlPanelChannel::new(Scbk::new([1; 16])).unwrap();
    let mut pd = PeripheralChannel::new(Some(Scbk::new([1; 16])), CLIENT_ID);
    let chlng = cp.challenge(header(1), [5; 8]).unwrap();
    let ccrypt = pd.accept_chlng(&chlng, [6; 8]).unwrap();
    let mut scrypt = cp.accept_ccrypt(&ccrypt, header(2)).unwrap();
    scrypt.data[0] ^= 1;
    let error = pd.accept_scrypt(&scrypt).unwrap_err();
    assert_eq!(error, SecureError::BadCryptogram { side: "server" });
    assert_eq!(error.nak_code(), NakCode::UNSUPPORTED_SECURITY);
    assert!(!pd.is_established());
}

#[test]
fn handshake_steps_must_come_in_order() {
    let mut cp = ControlPanelChannel::new(Scbk::new([1; 16])).unwrap();
    let mut pd = PeripheralChannel::new(Some(Scbk::new([1; 16])), CLIENT_ID);
    let chlng = cp.challenge(header(1), [5; 8]).unwrap();
    assert!(matches!(
        pd.accept_scrypt(&chlng),
        Err(SecureError::UnexpectedMessage { .. })
    ));
    let ccrypt = pd.accept_chlng(&chlng, [6; 8]).unwrap();
    assert!(matches!(
        cp.accept_rmac_i(&ccrypt),
        Err(SecureError::UnexpectedMessage { .. })
    ));
    // A challenge without its security block.
    let mut bare = chlng.clone();
    bare.security = None;
    assert!(matches!(
        pd.accept_chlng(&bare, [6; 8]),
        Err(SecureError::WrongSecurityBlock { kind: 0x11, .. })
    ));
    // A NAK instead of CCRYPT.
    cp.challenge(header(1), [5; 8]).unwrap();
    let nak = Frame::reply(
        header(1).reply(),
        &Reply::Nak(Nak::new(NakCode::UNSUPPORTED_SECURITY)),
    )
    .unwrap();
    assert_eq!(
        cp.accept_ccrypt(&nak, header(2)).err(),
        Some(SecureError::Refused {
            code: NakCode::UNSUPPORTED_SECURITY
        })
    );
}

#[test]
fn the_default_key_needs_install_mode() {
    assert_eq!(
        ControlPanelChannel::new(Scbk::DEFAULT).err(),
        Some(SecureError::InstallModeRefused)
    );
    let mut cp = ControlPanelChannel::install_mode();
    let mut pd = PeripheralChannel::new(Some(Scbk::new([8; 16])), CLIENT_ID);
    let error = handshake(&mut cp, &mut pd, [1; 8], [2; 8]).unwrap_err();
    assert_eq!(error, SecureError::InstallModeRefused);
    assert_eq!(error.nak_code(), NakCode::UNSUPPORTED_SECURITY);

    // A PD with no key yet cannot answer a handshake with SCBK.
    let mut cp = ControlPanelChannel::new(Scbk::new([8; 16])).unwrap();
    let mut blank = PeripheralChannel::new(Some(Scbk::DEFAULT), CLIENT_ID);
    assert_eq!(
        handshake(&mut cp, &mut blank, [1; 8], [2; 8]).unwrap_err(),
        SecureError::NoKey
    );
}

/// Provisioning: install mode, KEYSET inside the SCBK-D session, then only the new key.
#[test]
fn provisioning_with_keyset() {
    let new_key = Scbk::new([0x6B; 16]);
    let mut cp = ControlPanelChannel::install_mode();
    let mut pd = PeripheralChannel::new(None, CLIENT_ID);
    pd.allow_install_mode();
    handshake(&mut cp, &mut pd, [1; 8], [2; 8]).unwrap();
    assert!(
        !pd.install_mode_allowed(),
        "install mode serves one handshake"
    );

    let keyset = wire(
        &cp.seal(header(3), &Command::KeySet(KeySet::scbk(new_key.clone())))
            .unwrap(),
    );
    let Command::KeySet(received) = pd.open(&keyset).unwrap() else {
        panic!("not a KEYSET");
    };
    pd.set_key(received.key).unwrap();
    let ack = wire(&pd.seal(keyset.header.reply(), &Reply::Ack).unwrap());
    assert_eq!(cp.open(&ack).unwrap(), Reply::Ack);
    cp.set_key(new_key).unwrap();

    handshake(&mut cp, &mut pd, [3; 8], [4; 8]).unwrap();
    let mut again = ControlPanelChannel::install_mode();
    assert_eq!(
        handshake(&mut again, &mut pd, [5; 8], [6; 8]).unwrap_err(),
        SecureError::InstallModeRefused
    );
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let (cp, pd) = established([0xAB; 16]);
    for text in [format!("{cp:?}"), format!("{pd:?}")] {
        assert!(text.contains("<redacted>"), "{text}");
        assert!(!text.contains("171"), "{text}"); // 0xAB
    }
    let keyset = Command::KeySet(KeySet::scbk(Scbk::new([0xAB; 16])));
    assert!(!format!("{keyset:?}").contains("171"));
}
