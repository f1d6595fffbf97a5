//! The PD loop against a scripted CP: every command, sequence numbers, the secure
//! channel, file transfer, several PDs on one line, online state.

use std::time::{Duration, Instant};

use super::script::{device, setup, Cp, KEY};
use super::{PeripheralDevice, PeripheralEvent, Report};
use crate::osdp::command::*;
use crate::osdp::reply::*;
use crate::osdp::secure::Scbk;
use crate::osdp::{Address, Frame, SecurityBlock};

fn events(pd: &mut PeripheralDevice) -> Vec<PeripheralEvent> {
    std::iter::from_fn(|| pd.next_event()).collect()
}

fn nak(code: NakCode) -> Reply {
    Reply::Nak(Nak::new(code))
}

fn card() -> RawCard {
    RawCard {
        reader: 0,
        format: RawFormat::WIEGAND,
        bit_count: 26,
        data: vec![0x80, 0x80, 0x00, 0x80],
    }
}

fn out() -> Command {
    Command::Out(vec![OutputControl {
        output: 0,
        code: OutputControlCode::TEMPORARY_ON,
        timer: 30,
    }])
}

fn fragment(total: u32, offset: u32, data: &[u8]) -> Command {
    Command::FileTransfer(FileTransfer {
        file_type: FileType::OPAQUE,
        total_size: total,
        offset,
        data: data.to_vec(),
    })
}

/// A PD with the known key, and its CP with the secure channel up.
fn secure_pair(now: Instant) -> (PeripheralDevice, Cp) {
    let mut pd = device(setup(0x21, Some(Scbk::new(KEY))));
    let mut cp = Cp::new(0x21);
    cp.handshake(&mut pd, &Scbk::new(KEY), now).unwrap();
    assert!(pd.is_secure());
    (pd, cp)
}

#[test]
fn answers_every_command_in_clear() {
    let now = Instant::now();
    let mut pd = device(setup(0x21, None));
    let mut cp = Cp::new(0x21);
    let id = setup(0x21, None).id;
    assert_eq!(cp.ask(&mut pd, &Command::Poll, now), Reply::Ack);
    assert_eq!(
        cp.ask(&mut pd, &Command::Id(ReportRequest::default()), now),
        Reply::PdId(id)
    );
    let Reply::PdCap(capabilities) = cp.ask(&mut pd, &Command::Cap(ReportRequest::default()), now)
    else {
        panic!("PDCAP expected")
    };
    assert_eq!(capabilities.len(), 4);
    assert_eq!(
        cp.ask(&mut pd, &Command::LStat, now),
        Reply::LStatR(LocalStatus::default())
    );
    assert!(pd.set_input(2, true) && !pd.set_input(3, true));
    assert_eq!(
        cp.ask(&mut pd, &Command::IStat, now),
        Reply::IStatR(InputStatus(vec![0, 0, 1]))
    );
    assert!(pd.set_output(1, true));
    assert_eq!(
        cp.ask(&mut pd, &Command::OStat, now),
        Reply::OStatR(OutputStatus(vec![0, 1]))
    );
    assert!(pd.set_reader(0, ReaderTamper::TAMPER));
    assert_eq!(
        cp.ask(&mut pd, &Command::RStat, now),
        Reply::RStatR(ReaderStatus(vec![ReaderTamper::TAMPER]))
    );
    let led = vec![LedControl::default()];
    let buzzer = BuzzerControl {
        reader: 0,
        tone: ToneCode::DEFAULT,
        on_time: 2,
        off_time: 2,
        count: 1,
    };
    let text = TextOutput {
        reader: 0,
        command: TextCommand::PERMANENT,
        temp_time: 0,
        row: 1,
        column: 1,
        text: b"hello".to_vec(),
    };
    for command in [
        out(),
        Command::Led(led.clone()),
        Command::Buz(buzzer),
        Command::Text(text.clone()),
        Command::AcuRxSize(AcuRxSize { max_len: 128 }),
        Command::Abort,
        Command::KeepActive(KeepActive { millis: 500 }),
    ] {
        assert_eq!(cp.ask(&mut pd, &command, now), Reply::Ack, "{command:?}");
    }
    assert_eq!(pd.cp_max_reply_len(), Some(128));
    let Command::Out(records) = out() else {
        panic!("`out()` builds an OUT command")
    };
    assert_eq!(
        events(&mut pd),
        [
            PeripheralEvent::Online { secure: false },
            PeripheralEvent::Output(records),
            PeripheralEvent::Led(led),
            PeripheralEvent::Buzzer(buzzer),
            PeripheralEvent::Text(text),
        ]
    );
    let Reply::FtStat(status) = cp.ask(&mut pd, &fragment(2, 0, b"ab"), now) else {
        panic!("FTSTAT expected")
    };
    assert_eq!(status.status, FileTransferCode::PROCESSED);
    assert_eq!(
        cp.ask(&mut pd, &Command::KeySet(KeySet::scbk(Scbk::new(KEY))), now),
        nak(NakCode::SECURITY_CONDITIONS)
    );
    assert_eq!(
        cp.ask(
            &mut pd,
            &Command::Mfg(crate::osdp::Manufacturer {
                vendor: [1, 2, 3],
                data: vec![],
            }),
            now
        ),
        nak(NakCode::UNKNOWN_COMMAND)
    );
}

#[test]
fn comset_answers_com_then_moves_address() {
    let now = Instant::now();
    let mut pd = device(setup(0x21, None));
    let mut cp = Cp::new(0x21);
    let settings = ComSettings {
        address: 0x22,
        baud_rate: 115_200,
    };
    assert_eq!(
        cp.ask(&mut pd, &Command::ComSet(settings), now),
        Reply::Com(settings)
    );
    assert_eq!(pd.address(), Address::new(0x22).unwrap());
    assert!(events(&mut pd).contains(&PeripheralEvent::ComSet(settings)));
    let bad = ComSettings {
        address: 0x7F,
        baud_rate: 9600,
    };
    cp.address = pd.address();
    assert_eq!(
        cp.ask(&mut pd, &Command::ComSet(bad), now),
        nak(NakCode::RECORD)
    );
}

#[test]
fn unknown_malformed_and_damaged_commands() {
    let now = Instant::now();
    let mut pd = device(setup(0x21, None));
    let mut cp = Cp::new(0x21);
    let unknown = Frame {
        code: 0x99,
        ..cp.frame(&Command::Poll)
    };
    let answer = pd.handle_input(&unknown.encode().unwrap(), now).unwrap();
    assert_eq!(cp.read(&answer), nak(NakCode::UNKNOWN_COMMAND));
    let long_poll = Frame {
        data: vec![0],
        ..cp.frame(&Command::Poll)
    };
    let answer = pd.handle_input(&long_poll.encode().unwrap(), now).unwrap();
    assert_eq!(cp.read(&answer), nak(NakCode::COMMAND_LENGTH));
    let mut damaged = cp.frame(&Command::Poll).encode().unwrap();
    let last = damaged.len() - 1;
    damaged[last] ^= 0x01;
    assert_eq!(pd.handle_input(&damaged, now), None);
}

#[test]
fn poll_reports_oldest_first() {
    let now = Instant::now();
    let mut pd = device(setup(0x21, None));
    let mut cp = Cp::new(0x21);
    let keypad = Keypad {
        reader: 0,
        digits: b"12".to_vec(),
    };
    pd.report(Report::Card(card()));
    pd.report(Report::Keypad(keypad.clone()));
    pd.report(Report::Tamper(true));
    assert_eq!(cp.ask(&mut pd, &Command::Poll, now), Reply::Raw(card()));
    assert_eq!(cp.ask(&mut pd, &Command::Poll, now), Reply::Keypad(keypad));
    let tampered = LocalStatus {
        tamper: true,
        power_failure: false,
    };
    assert_eq!(
        cp.ask(&mut pd, &Command::Poll, now),
        Reply::LStatR(tampered)
    );
    assert_eq!(cp.ask(&mut pd, &Command::Poll, now), Reply::Ack);
    assert_eq!(
        cp.ask(&mut pd, &Command::LStat, now),
        Reply::LStatR(tampered)
    );
}

#[test]
fn repeated_sequence_gets_the_same_reply_without_executing_again() {
    let now = Instant::now();
    let mut pd = device(setup(0x21, None));
    let mut cp = Cp::new(0x21);
    pd.report(Report::Card(card()));
    let poll = cp.frame(&Command::Poll).encode().unwrap();
    let first = pd.handle_input(&poll, now).unwrap();
    assert_eq!(cp.read(&first), Reply::Raw(card()));
    assert_eq!(pd.handle_input(&poll, now), Some(first));
    assert_eq!(cp.ask(&mut pd, &Command::Poll, now), Reply::Ack); // not duplicated
    let out = cp.frame(&out()).encode().unwrap();
    let answer = pd.handle_input(&out, now).unwrap();
    assert_eq!(pd.handle_input(&out, now), Some(answer));
    let outputs = events(&mut pd)
        .into_iter()
        .filter(|event| matches!(event, PeripheralEvent::Output(_)))
        .count();
    assert_eq!(outputs, 1);
}

#[test]
fn out_of_order_sequence_is_refused_and_zero_restarts() {
    let now = Instant::now();
    let mut pd = device(setup(0x21, None));
    let mut cp = Cp::new(0x21);
    assert_eq!(cp.ask(&mut pd, &Command::Poll, now), Reply::Ack); // sequence 1
    let skipped = Frame::command(cp.header(3), &Command::Poll).unwrap();
    let answer = pd.handle_input(&skipped.encode().unwrap(), now).unwrap();
    assert_eq!(cp.read(&answer), nak(NakCode::SEQUENCE));
    let restart = Frame::command(cp.header(0), &Command::Poll).unwrap();
    let answer = pd.handle_input(&restart.encode().unwrap(), now).unwrap();
    assert_eq!(cp.read(&answer), Reply::Ack);
    let answer = pd.handle_input(&skipped.encode().unwrap(), now).unwrap();
    assert_eq!(cp.read(&answer), nak(NakCode::SEQUENCE));
}

#[test]
fn reports_wait_for_sequence_one() {
    let now = Instant::now();
    let mut pd = device(setup(0x21, None));
    let mut cp = Cp::new(0x21);
    pd.report(Report::Card(card()));
    let restart = Frame::command(cp.header(0), &Command::Poll).unwrap();
    for _ in 0..2 {
        let answer = pd.handle_input(&restart.encode().unwrap(), now).unwrap();
        assert_eq!(cp.read(&answer), Reply::Ack);
    }
    assert_eq!(cp.ask(&mut pd, &Command::Poll, now), Reply::Raw(card()));
}

#[test]
fn secure_channel_carries_sealed_commands() {
    let now = Instant::now();
    let (mut pd, mut cp) = secure_pair(now);
    assert_eq!(
        events(&mut pd),
        [
            PeripheralEvent::Online { secure: false },
            PeripheralEvent::Online { secure: true }
        ]
    );
    pd.report(Report::Card(card()));
    let frame = cp.frame(&out());
    assert!(matches!(frame.security, Some(SecurityBlock::Scs17(_))));
    let answer = pd.handle_input(&frame.encode().unwrap(), now).unwrap();
    assert!(Frame::decode(&answer).unwrap().security.is_some());
    assert_eq!(cp.read(&answer), Reply::Ack);
    let Command::Out(records) = out() else {
        panic!("`out()` builds an OUT command")
    };
    assert_eq!(events(&mut pd), [PeripheralEvent::Output(records)]);
    assert_eq!(cp.ask(&mut pd, &Command::Poll, now), Reply::Raw(card()));
    // A repeat gets the sealed bytes again; the chain goes on.
    let poll = cp.frame(&Command::Poll).encode().unwrap();
    let first = pd.handle_input(&poll, now).unwrap();
    assert_eq!(pd.handle_input(&poll, now), Some(first.clone()));
    assert_eq!(cp.read(&first), Reply::Ack);
    assert_eq!(
        cp.ask(&mut pd, &Command::LStat, now),
        Reply::LStatR(LocalStatus::default())
    );
    // A command the PD does not carry out is refused inside the session, which goes on.
    let mfg = Command::Mfg(crate::osdp::Manufacturer {
        vendor: [1, 2, 3],
        data: vec![9],
    });
    let frame = cp.frame(&mfg);
    let answer = pd.handle_input(&frame.encode().unwrap(), now).unwrap();
    assert!(Frame::decode(&answer).unwrap().security.is_some());
    assert_eq!(cp.read(&answer), nak(NakCode::UNKNOWN_COMMAND));
    assert!(pd.is_secure());
    assert_eq!(cp.ask(&mut pd, &Command::Poll, now), Reply::Ack);
}

#[test]
fn wrong_mac_is_refused_and_drops_the_session() {
    let now = Instant::now();
    let (mut pd, mut cp) = secure_pair(now);
    let mut frame = cp.frame(&out());
    frame.security = Some(SecurityBlock::Scs17([0xDE, 0xAD, 0xBE, 0xEF]));
    let answer = pd.handle_input(&frame.encode().unwrap(), now).unwrap();
    let answer = Frame::decode(&answer).unwrap();
    assert_eq!(answer.security, None);
    assert_eq!(
        answer.to_reply().unwrap(),
        nak(NakCode::SECURITY_CONDITIONS)
    );
    assert!(!pd.is_secure());
    assert!(!events(&mut pd)
        .iter()
        .any(|event| matches!(event, PeripheralEvent::Output(_))));
    cp.channel = None;
    // Clear text is now refused; a new handshake brings the channel back.
    assert_eq!(
        cp.ask(&mut pd, &out(), now),
        nak(NakCode::SECURITY_CONDITIONS)
    );
    cp.handshake(&mut pd, &Scbk::new(KEY), now).unwrap();
    assert_eq!(cp.ask(&mut pd, &out(), now), Reply::Ack);
}

#[test]
fn clear_text_with_a_key_only_handshake_poll_id_cap() {
    let now = Instant::now();
    let mut pd = device(setup(0x21, Some(Scbk::new(KEY))));
    let mut cp = Cp::new(0x21);
    pd.report(Report::Card(card()));
    assert_eq!(cp.ask(&mut pd, &Command::Poll, now), Reply::Ack); // no card in clear
    assert!(matches!(
        cp.ask(&mut pd, &Command::Id(ReportRequest::default()), now),
        Reply::PdId(_)
    ));
    assert!(matches!(
        cp.ask(&mut pd, &Command::Cap(ReportRequest::default()), now),
        Reply::PdCap(_)
    ));
    for command in [out(), Command::LStat, fragment(1, 0, b"a")] {
        assert_eq!(
            cp.ask(&mut pd, &command, now),
            nak(NakCode::SECURITY_CONDITIONS)
        );
    }
    cp.handshake(&mut pd, &Scbk::new(KEY), now).unwrap();
    assert_eq!(cp.ask(&mut pd, &Command::Poll, now), Reply::Raw(card()));
    // Clear text inside the session ends it.
    let clear = Frame::command(cp.next_header(), &Command::Poll).unwrap();
    let answer = pd.handle_input(&clear.encode().unwrap(), now).unwrap();
    assert_eq!(
        Frame::decode(&answer).unwrap().to_reply().unwrap(),
        nak(NakCode::SECURITY_CONDITIONS)
    );
    assert!(!pd.is_secure());
}

#[test]
fn sequence_zero_drops_the_session() {
    let now = Instant::now();
    let (mut pd, cp) = secure_pair(now);
    let restart = Frame::command(cp.header(0), &Command::Poll).unwrap();
    let answer = pd.handle_input(&restart.encode().unwrap(), now).unwrap();
    assert_eq!(
        Frame::decode(&answer).unwrap().to_reply().unwrap(),
        Reply::Ack
    );
    assert!(!pd.is_secure());
    assert_eq!(
        events(&mut pd).last(),
        Some(&PeripheralEvent::Online { secure: false })
    );
}

#[test]
fn wrong_key_is_refused() {
    let now = Instant::now();
    let mut pd = device(setup(0x21, Some(Scbk::new(KEY))));
    let mut cp = Cp::new(0x21);
    let refusal = cp.handshake(&mut pd, &Scbk::new([1; 16]), now).unwrap_err();
    assert!(matches!(refusal, Reply::CCrypt(_)));
    assert!(!pd.is_secure());
}

#[test]
fn install_mode_only_when_allowed_then_keyset() {
    let now = Instant::now();
    let mut pd = device(setup(0x21, None));
    let mut cp = Cp::new(0x21);
    assert_eq!(
        cp.handshake(&mut pd, &Scbk::DEFAULT, now),
        Err(nak(NakCode::UNSUPPORTED_SECURITY))
    );
    let mut provisioning = setup(0x21, None);
    provisioning.allow_install_mode = true;
    let mut pd = device(provisioning);
    cp.handshake(&mut pd, &Scbk::DEFAULT, now).unwrap();
    let new_key = Scbk::new([0x77; 16]);
    let keyset = cp.frame(&Command::KeySet(KeySet::scbk(new_key.clone())));
    assert!(matches!(keyset.security, Some(SecurityBlock::Scs17(_))));
    let answer = pd.handle_input(&keyset.encode().unwrap(), now).unwrap();
    assert_eq!(cp.read(&answer), Reply::Ack);
    assert!(events(&mut pd).contains(&PeripheralEvent::KeySet(new_key.clone())));
    assert!(pd.is_secure(), "the session under way goes on");
    assert_eq!(cp.ask(&mut pd, &Command::Poll, now), Reply::Ack);
    // Install mode is used up; the new key is in force.
    assert_eq!(
        cp.handshake(&mut pd, &Scbk::DEFAULT, now),
        Err(nak(NakCode::UNSUPPORTED_SECURITY))
    );
    cp.handshake(&mut pd, &new_key, now).unwrap();
    assert_eq!(cp.ask(&mut pd, &out(), now), Reply::Ack);
}

#[test]
fn file_transfer_in_fragments_oversize_and_abort() {
    let now = Instant::now();
    let (mut pd, mut cp) = secure_pair(now);
    events(&mut pd);
    let status = |reply: Reply| match reply {
        Reply::FtStat(status) => status.status,
        other => panic!("FTSTAT expected, got {other:?}"),
    };
    assert_eq!(
        status(cp.ask(&mut pd, &fragment(10, 0, b"0123"), now)),
        FileTransferCode::OK
    );
    assert_eq!(
        status(cp.ask(&mut pd, &fragment(10, 4, b"4567"), now)),
        FileTransferCode::OK
    );
    assert_eq!(
        status(cp.ask(&mut pd, &fragment(10, 8, b"89"), now)),
        FileTransferCode::PROCESSED
    );
    assert_eq!(
        events(&mut pd),
        [PeripheralEvent::FileReceived {
            file_type: FileType::OPAQUE,
            contents: b"0123456789".to_vec()
        }]
    );
    assert_eq!(
        status(cp.ask(&mut pd, &fragment(17, 0, b"01"), now)),
        FileTransferCode::ABORT
    );
    assert_eq!(
        status(cp.ask(&mut pd, &fragment(4, 0, b"01"), now)),
        FileTransferCode::OK
    );
    assert_eq!(cp.ask(&mut pd, &Command::Abort, now), Reply::Ack);
    assert_eq!(
        status(cp.ask(&mut pd, &fragment(4, 2, b"23"), now)),
        FileTransferCode::MALFORMED
    );
    assert_eq!(events(&mut pd), []);
}

#[test]
fn a_judged_file_is_finishing_until_the_application_gives_its_verdict() {
    let now = Instant::now();
    let (mut pd, mut cp) = secure_pair(now);
    pd.set_judge_files(true);
    events(&mut pd);
    let mut status = |pd: &mut PeripheralDevice, command: &Command| match cp.ask(pd, command, now) {
        Reply::FtStat(status) => status.status,
        other => panic!("FTSTAT expected, got {other:?}"),
    };
    assert_eq!(
        status(&mut pd, &fragment(4, 0, b"01")),
        FileTransferCode::OK
    );
    assert_eq!(
        status(&mut pd, &fragment(4, 2, b"23")),
        FileTransferCode::FINISHING
    );
    assert_eq!(
        events(&mut pd),
        [PeripheralEvent::FileReceived {
            file_type: FileType::OPAQUE,
            contents: b"0123".to_vec()
        }]
    );
    let keep_alive = fragment(4, 4, b"");
    assert_eq!(status(&mut pd, &keep_alive), FileTransferCode::FINISHING);
    assert!(pd.judge_file(false));
    assert_eq!(status(&mut pd, &keep_alive), FileTransferCode::UNRECOGNIZED);
    assert!(!pd.judge_file(true), "nothing left to judge");

    // The same file again, accepted this time.
    status(&mut pd, &fragment(4, 0, b"0123"));
    assert!(pd.judge_file(true));
    assert_eq!(status(&mut pd, &keep_alive), FileTransferCode::PROCESSED);
    assert_eq!(events(&mut pd).len(), 1, "one FileReceived, nothing else");
}

#[test]
fn a_file_awaiting_its_verdict_is_forgotten_on_abort() {
    let now = Instant::now();
    let mut pd = device(setup(0x01, None));
    let mut cp = Cp::new(0x01);
    pd.set_judge_files(true);
    cp.ask(&mut pd, &fragment(2, 0, b"ab"), now);
    assert_eq!(cp.ask(&mut pd, &Command::Abort, now), Reply::Ack);
    assert!(!pd.judge_file(true));
    let Reply::FtStat(status) = cp.ask(&mut pd, &fragment(2, 2, b""), now) else {
        panic!("FTSTAT expected")
    };
    assert_eq!(status.status, FileTransferCode::MALFORMED);
}

#[test]
fn two_pds_on_one_line_only_the_addressed_answers() {
    let now = Instant::now();
    let mut first = device(setup(0x01, None));
    let mut second = device(setup(0x02, None));
    let mut cp = Cp::new(0x02);
    let poll = cp.frame(&Command::Poll).encode().unwrap();
    assert_eq!(first.handle_input(&poll, now), None);
    let answer = second.handle_input(&poll, now).unwrap();
    // The reply on the line reaches the other PD too, which ignores it.
    assert_eq!(first.handle_input(&answer, now), None);
    assert_eq!(second.handle_input(&answer, now), None);
    assert!(!first.is_online(now) && second.is_online(now));
    // The broadcast address is answered, with 0x7F in the reply.
    let broadcast = Frame::command(
        crate::osdp::Header {
            address: Address::BROADCAST,
            ..cp.header(0)
        },
        &Command::Id(ReportRequest::default()),
    )
    .unwrap();
    let answer = first
        .handle_input(&broadcast.encode().unwrap(), now)
        .unwrap();
    assert_eq!(
        Frame::decode(&answer).unwrap().header.address,
        Address::BROADCAST
    );
}

#[test]
fn online_within_offline_after() {
    let start = Instant::now();
    let (mut pd, _cp) = secure_pair(start);
    events(&mut pd);
    assert!(pd.is_online(start + Duration::from_secs(7)));
    assert!(!pd.is_online(start + Duration::from_secs(8)));
    pd.handle_timeout(start + Duration::from_secs(8));
    assert_eq!(events(&mut pd), [PeripheralEvent::Offline]);
    assert!(!pd.is_secure(), "the session idled out with the link");
    pd.set_offline_after(Duration::from_secs(20));
    assert!(pd.is_online(start + Duration::from_secs(19)));
}

#[test]
fn keepactive_keeps_the_session_past_offline() {
    let start = Instant::now();
    let mut pd = device(setup(0x21, Some(Scbk::new(KEY))));
    pd.set_offline_after(Duration::from_secs(2));
    let mut cp = Cp::new(0x21);
    cp.handshake(&mut pd, &Scbk::new(KEY), start).unwrap();
    let keep = Command::KeepActive(KeepActive { millis: 3000 });
    assert_eq!(cp.ask(&mut pd, &keep, start), Reply::Ack);
    events(&mut pd);
    pd.handle_timeout(start + Duration::from_secs(3));
    assert_eq!(events(&mut pd), [PeripheralEvent::Offline]);
    assert!(pd.is_secure(), "kept active for 2 s + 3 s");
    let later = start + Duration::from_millis(4500);
    assert_eq!(cp.ask(&mut pd, &Command::Poll, later), Reply::Ack);
    assert_eq!(events(&mut pd), [PeripheralEvent::Online { secure: true }]);
    pd.handle_timeout(later + Duration::from_secs(2));
    assert!(!pd.is_secure());
}

mod never_panics {
    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn on_any_bytes(chunks in vec(vec(any::<u8>(), 0..64), 0..8)) {
            let now = Instant::now();
            let mut pd = device(setup(0x21, Some(Scbk::new(KEY))));
            for chunk in chunks {
                let _ = pd.handle_input(&chunk, now);
            }
        }

        #[test]
        fn on_any_well_framed_command(
            code in any::<u8>(),
            data in vec(any::<u8>(), 0..48),
            sequence in 0u8..4,
            sealed in any::<bool>(),
            mac in any::<[u8; 4]>(),
        ) {
            let now = Instant::now();
            let (mut pd, cp) = secure_pair(now);
            let frame = Frame {
                header: cp.header(sequence),
                security: sealed.then_some(SecurityBlock::Scs17(mac)),
                code,
                data,
            };
            let answer = pd.handle_input(&frame.encode().unwrap(), now);
            if let Some(answer) = answer {
                prop_assert!(Frame::decode(&answer).is_ok());
            }
        }
    }
}
