//! The control panel against fake PDs built from the codec and the PD side of the
//! secure channel, on a simulated clock.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::*;
use crate::osdp::command::{FileType, OutputControl, OutputControlCode};
use crate::osdp::reply::{
    Capability, CapabilityFunction, DeviceId, FileTransferAction, FileTransferCode,
    FileTransferStatus, Keypad, LocalStatus, Nak, NakCode, RawCard, RawFormat, Reply,
};
use crate::osdp::secure::PeripheralChannel;
use crate::osdp::{Command, Frame, Header, SecurityBlock, Sequence};

const STEP: Duration = Duration::from_millis(5);

fn address(value: u8) -> Address {
    Address::new(value).unwrap()
}

fn key() -> Scbk {
    Scbk::new([0x5A; 16])
}

fn device_id() -> DeviceId {
    DeviceId {
        vendor: [0x5C, 0x26, 0x23],
        model: 1,
        version: 2,
        serial: 0x1234_5678,
        firmware: [1, 0, 7],
    }
}

/// A command as the fake PD received it.
#[derive(Debug, Clone, PartialEq)]
struct Received {
    sequence: u8,
    secured: bool,
    command: Command,
}

/// A scripted PD: answers what it is sent, from the codec's types.
struct FakePd {
    address: Address,
    channel: Option<PeripheralChannel>,
    reports: VecDeque<Reply>,
    local: LocalStatus,
    capabilities: Vec<Capability>,
    file: Vec<u8>,
    file_script: VecDeque<FileTransferStatus>,
    /// Commands answered in silence from now on.
    silent: bool,
    /// How many of the next replies are lost.
    drop_replies: usize,
    /// How many of the next commands are answered `osdp_BUSY`.
    busy: usize,
    /// The code of a command to answer `osdp_BUSY` once.
    busy_once_for: Option<u8>,
    nak_out: bool,
    /// `osdp_PDCAP` answered with two bytes: not a whole capability.
    bad_pdcap: bool,
    last: Option<(Vec<u8>, Vec<u8>)>,
    received: Vec<Received>,
}

impl FakePd {
    fn new(address: Address, key: Option<Scbk>) -> Self {
        Self {
            address,
            channel: key.map(|key| PeripheralChannel::new(Some(key), *b"FAKEPD01")),
            reports: VecDeque::new(),
            local: LocalStatus::default(),
            capabilities: vec![Capability {
                function: CapabilityFunction::CHECK_CHARACTER,
                compliance: 1,
                count: 0,
            }],
            file: Vec::new(),
            file_script: VecDeque::new(),
            silent: false,
            drop_replies: 0,
            busy: 0,
            busy_once_for: None,
            nak_out: false,
            bad_pdcap: false,
            last: None,
            received: Vec::new(),
        }
    }

    /// The reply to `bytes`, if they are a command for this PD and it answers.
    fn answer(&mut self, bytes: &[u8]) -> Option<Vec<u8>> {
        let frame = Frame::decode(bytes).ok()?;
        if frame.header.address != self.address || self.silent {
            return None;
        }
        let reply = self.reply_bytes(bytes, &frame);
        if self.drop_replies > 0 {
            self.drop_replies -= 1;
            return None;
        }
        Some(reply)
    }

    fn reply_bytes(&mut self, bytes: &[u8], frame: &Frame) -> Vec<u8> {
        if let Some((command, reply)) = &self.last {
            if command == bytes && frame.header.sequence != Sequence::ZERO {
                return reply.clone();
            }
        }
        if self.busy > 0 {
            self.busy -= 1;
            return plain(frame.header, &Reply::Busy);
        }
        if self.busy_once_for == Some(frame.code) {
            self.busy_once_for = None;
            return plain(frame.header, &Reply::Busy);
        }
        let reply = self.fresh_reply(frame);
        self.last = Some((bytes.to_vec(), reply.clone()));
        reply
    }

    fn fresh_reply(&mut self, frame: &Frame) -> Vec<u8> {
        let header = frame.header;
        if header.sequence == Sequence::ZERO {
            if let Some(channel) = &mut self.channel {
                channel.reset();
            }
        }
        let handshake = match (frame.security, &mut self.channel) {
            (Some(SecurityBlock::Scs11(_)), Some(channel)) => {
                Some(channel.accept_chlng(frame, [0xA5; 8]))
            }
            (Some(SecurityBlock::Scs13(_)), Some(channel)) => Some(channel.accept_scrypt(frame)),
            _ => None,
        };
        if let Some(answer) = handshake {
            return match answer {
                Ok(reply) => reply.encode().unwrap(),
                Err(error) => plain(header, &Reply::Nak(Nak::new(error.nak_code()))),
            };
        }
        let secured = frame.security.is_some();
        let command = match &mut self.channel {
            Some(channel) if secured => channel.open(frame),
            _ => Ok(frame.to_command().unwrap()),
        };
        let Ok(command) = command else {
            return plain(header, &Reply::Nak(Nak::new(NakCode::SECURITY_CONDITIONS)));
        };
        self.received.push(Received {
            sequence: header.sequence.value(),
            secured,
            command: command.clone(),
        });
        if self.bad_pdcap && matches!(command, Command::Cap(_)) {
            let frame = Frame {
                header: header.reply(),
                security: None,
                code: 0x46,
                data: vec![13, 0],
            };
            return frame.encode().unwrap();
        }
        let reply = self.respond(command);
        match &mut self.channel {
            Some(channel) if channel.is_established() => channel
                .seal(header.reply(), &reply)
                .unwrap()
                .encode()
                .unwrap(),
            _ => plain(header, &reply),
        }
    }

    fn respond(&mut self, command: Command) -> Reply {
        match command {
            Command::Poll => self.reports.pop_front().unwrap_or(Reply::Ack),
            Command::Id(_) => Reply::PdId(device_id()),
            Command::Cap(_) => Reply::PdCap(self.capabilities.clone()),
            Command::LStat => Reply::LStatR(self.local),
            Command::Out(_) if self.nak_out => Reply::Nak(Nak::new(NakCode::RECORD)),
            Command::FileTransfer(fragment) => Reply::FtStat(self.store(fragment)),
            _ => Reply::Ack,
        }
    }

    fn store(&mut self, fragment: crate::osdp::FileTransfer) -> FileTransferStatus {
        let offset = fragment.offset as usize;
        self.file.resize(offset, 0);
        self.file.extend_from_slice(&fragment.data);
        let done = self.file.len() == fragment.total_size as usize;
        self.file_script.pop_front().unwrap_or(FileTransferStatus {
            action: FileTransferAction(FileTransferAction::INTERLEAVE),
            delay: 0,
            status: if done {
                FileTransferCode::PROCESSED
            } else {
                FileTransferCode::OK
            },
            update_max: 0,
        })
    }
}

fn plain(header: Header, reply: &Reply) -> Vec<u8> {
    Frame::reply(header.reply(), reply)
        .unwrap()
        .encode()
        .unwrap()
}

/// A control panel and its fake PDs on a simulated bus and clock.
struct Bench {
    panel: ControlPanel,
    pds: Vec<FakePd>,
    now: Instant,
    sent: Vec<(Instant, Frame)>,
    events: Vec<ControlPanelEvent>,
}

impl Bench {
    fn new(setups: Vec<PdSetup>, pds: Vec<FakePd>, timing: Timing) -> Self {
        let mut counter = 0u8;
        let entropy = Box::new(move |buf: &mut [u8]| {
            for byte in buf {
                counter = counter.wrapping_add(1);
                *byte = counter;
            }
        });
        Self {
            panel: ControlPanel::new(setups, timing, entropy).unwrap(),
            pds,
            now: Instant::now(),
            sent: Vec::new(),
            events: Vec::new(),
        }
    }

    fn clear(pd: FakePd) -> Self {
        let setup = PdSetup {
            address: pd.address,
            security: Security::Clear,
        };
        Self::new(vec![setup], vec![pd], Timing::default())
    }

    fn secure(pd: FakePd, key: Scbk) -> Self {
        let setup = PdSetup {
            address: pd.address,
            security: Security::Secure(key),
        };
        Self::new(vec![setup], vec![pd], Timing::default())
    }

    /// Everything the panel sends at the current instant, answered.
    fn tick(&mut self) {
        while let Some(bytes) = self.panel.poll_transmit(self.now) {
            self.sent.push((self.now, Frame::decode(&bytes).unwrap()));
            let reply = self.pds.iter_mut().find_map(|pd| pd.answer(&bytes));
            match reply {
                Some(reply) => self.panel.handle_input(&reply, self.now),
                None => break,
            }
        }
        self.events
            .extend(std::iter::from_fn(|| self.panel.next_event()));
    }

    fn run(&mut self, duration: Duration) {
        let end = self.now + duration;
        while self.now < end {
            self.tick();
            self.now += STEP;
        }
    }

    fn pd(&mut self, index: usize) -> &mut FakePd {
        &mut self.pds[index]
    }

    fn take_events(&mut self) -> Vec<ControlPanelEvent> {
        std::mem::take(&mut self.events)
    }
}

#[test]
fn online_sequence_then_polls_with_counting_sequence_numbers() {
    let pd = FakePd::new(address(1), None);
    let mut bench = Bench::clear(pd);
    bench.run(Duration::from_millis(300));
    let received = &bench.pds[0].received;
    let seen: Vec<(u8, u8)> = received
        .iter()
        .take(8)
        .map(|r| (r.command.code(), r.sequence))
        .collect();
    assert_eq!(
        seen,
        [
            (0x60, 0),
            (0x61, 1),
            (0x62, 2),
            (0x64, 3),
            (0x60, 1),
            (0x60, 2),
            (0x60, 3),
            (0x60, 1)
        ]
    );
    assert_eq!(
        bench.events.first(),
        Some(&ControlPanelEvent::Online {
            address: address(1),
            secure: false,
            id: Some(device_id())
        })
    );
    assert_eq!(
        bench.panel.status(address(1)),
        Some(PdStatus::Online { secure: false })
    );
    // Polls are spaced by the poll interval.
    let polls: Vec<Instant> = bench.sent.iter().skip(4).map(|(at, _)| *at).collect();
    assert!(polls
        .windows(2)
        .all(|pair| pair[1] - pair[0] >= Timing::default().poll_interval));
}

#[test]
fn a_lost_reply_is_retried_with_the_same_sequence_number() {
    let mut bench = Bench::clear(FakePd::new(address(1), None));
    bench.run(Duration::from_millis(100));
    bench.take_events();
    bench.pd(0).drop_replies = 1;
    let before = bench.sent.len();
    bench.run(Duration::from_millis(400));
    let (first_at, first) = bench.sent[before].clone();
    let (again_at, again) = bench.sent[before + 1].clone();
    assert_eq!(first, again);
    assert_eq!(again_at - first_at, Timing::default().reply_timeout);
    // The PD answered the repeat with its kept reply; the next poll moves on.
    let next = &bench.sent[before + 2].1;
    assert_eq!(next.header.sequence, first.header.sequence.next());
    assert!(bench.events.is_empty(), "{:?}", bench.events);
}

#[test]
fn replies_with_another_sequence_or_address_are_ignored() {
    let mut bench = Bench::clear(FakePd::new(address(1), None));
    bench.run(Duration::from_millis(100));
    bench.take_events();
    bench.pd(0).silent = true;
    let now = bench.now;
    let poll = bench.panel.poll_transmit(now).unwrap();
    let frame = Frame::decode(&poll).unwrap();
    let wrong_sequence = Header {
        sequence: frame.header.sequence.next(),
        ..frame.header
    };
    let card = Reply::Raw(RawCard {
        reader: 0,
        format: RawFormat::WIEGAND,
        bit_count: 8,
        data: vec![0xFF],
    });
    bench.panel.handle_input(&plain(wrong_sequence, &card), now);
    let other_pd = Header {
        address: address(2),
        ..frame.header
    };
    bench.panel.handle_input(&plain(other_pd, &card), now);
    assert_eq!(bench.panel.next_event(), None);
    // Still awaiting: the timeout brings the same bytes again.
    assert_eq!(bench.panel.poll_transmit(now), None);
    let later = now + Timing::default().reply_timeout;
    assert_eq!(bench.panel.poll_transmit(later), Some(poll));
}

#[test]
fn a_silent_pd_goes_offline_once_and_comes_back_from_sequence_zero() {
    let mut bench = Bench::clear(FakePd::new(address(1), None));
    bench.run(Duration::from_millis(100));
    bench.take_events();
    bench.pd(0).silent = true;
    let before = bench.sent.len();
    bench.run(Duration::from_millis(3500));
    let offline = ControlPanelEvent::Offline {
        address: address(1),
    };
    assert_eq!(bench.take_events(), [offline]);
    assert_eq!(bench.panel.status(address(1)), Some(PdStatus::Offline));
    // One poll and two retries, then a sequence-0 poll every offline_retry.
    let tries: Vec<(Instant, u8)> = bench.sent[before..]
        .iter()
        .map(|(at, frame)| (*at, frame.header.sequence.value()))
        .collect();
    let first_restart = tries[3];
    assert_eq!(first_restart.1, 0);
    assert_eq!(tries[0].1, tries[2].1);
    let restart_gap = tries[6].0 - tries[3].0;
    assert_eq!(
        restart_gap,
        Timing::default().offline_retry + 3 * Timing::default().reply_timeout
    );
    bench.pd(0).silent = false;
    bench.run(Duration::from_millis(1500));
    let events = bench.take_events();
    assert!(
        matches!(
            events.as_slice(),
            [
                ControlPanelEvent::Online { secure: false, .. },
                ControlPanelEvent::Reply { .. }
            ]
        ),
        "{events:?}"
    );
    let restart = bench.pds[0]
        .received
        .iter()
        .rev()
        .find(|r| r.sequence == 0)
        .unwrap();
    assert_eq!(restart.command, Command::Poll);
}

#[test]
fn a_lost_line_takes_every_online_pd_offline_at_once_then_they_come_back() {
    let mut bench = Bench::clear(FakePd::new(address(1), None));
    bench.run(Duration::from_millis(100));
    bench.take_events();
    bench.panel.line_lost(bench.now);
    let drained: Vec<_> = std::iter::from_fn(|| bench.panel.next_event()).collect();
    let offline = ControlPanelEvent::Offline {
        address: address(1),
    };
    assert_eq!(drained, [offline]);
    assert_eq!(bench.panel.status(address(1)), Some(PdStatus::Offline));
    // A second loss while offline says nothing more.
    bench.panel.line_lost(bench.now);
    assert_eq!(bench.panel.next_event(), None);
    // The new line: retried from sequence 0 after offline_retry, online again.
    bench.run(Timing::default().offline_retry + Duration::from_millis(200));
    let events = bench.take_events();
    assert!(
        matches!(events.first(), Some(ControlPanelEvent::Online { .. })),
        "{events:?}"
    );
    let restart = bench.pds[0].received.iter().rev().find(|r| r.sequence == 0);
    assert_eq!(restart.map(|r| &r.command), Some(&Command::Poll));
}

#[test]
fn secure_handshake_with_a_known_key_then_everything_sealed() {
    let mut bench = Bench::secure(FakePd::new(address(3), Some(key())), key());
    bench.run(Duration::from_millis(200));
    assert_eq!(
        bench.events.first(),
        Some(&ControlPanelEvent::Online {
            address: address(3),
            secure: true,
            id: Some(device_id())
        })
    );
    let codes: Vec<u8> = bench.sent.iter().take(5).map(|(_, f)| f.code).collect();
    assert_eq!(codes[..3], [0x60, 0x76, 0x77]);
    // After the handshake, every command carries a MAC.
    assert!(bench.sent[3..]
        .iter()
        .all(|(_, frame)| frame.security.and_then(|b| b.mac()).is_some()));
    assert!(bench.pds[0].received[1..].iter().all(|r| r.secured));
    assert_eq!(
        bench.panel.status(address(3)),
        Some(PdStatus::Online { secure: true })
    );
}

#[test]
fn a_wrong_key_never_goes_online_and_never_falls_back_to_clear() {
    let pd = FakePd::new(address(3), Some(Scbk::new([0x11; 16])));
    let mut bench = Bench::secure(pd, key());
    bench.run(Duration::from_millis(3500));
    // Said once, not on every retry.
    let fault = ControlPanelEvent::Fault {
        address: address(3),
        fault: PdFault::WrongKey,
    };
    assert_eq!(bench.events, [fault], "{:?}", bench.events);
    assert_eq!(bench.panel.status(address(3)), Some(PdStatus::Offline));
    // Only sequence-0 polls and challenges went out: no command in clear.
    assert!(bench
        .sent
        .iter()
        .all(|(_, f)| (f.code == 0x60 && f.header.sequence == Sequence::ZERO) || f.code == 0x76));
    let challenges = bench.sent.iter().filter(|(_, f)| f.code == 0x76).count();
    assert!((3..=4).contains(&challenges), "{challenges} handshakes");
}

#[test]
fn install_mode_uses_the_default_key_only_when_asked() {
    assert_eq!(
        ControlPanel::new(
            vec![PdSetup {
                address: address(1),
                security: Security::Secure(Scbk::DEFAULT)
            }],
            Timing::default(),
            Box::new(|_: &mut [u8]| {})
        )
        .err(),
        Some(ControlPanelError::DefaultKey {
            address: address(1)
        })
    );
    let mut pd = FakePd::new(address(1), None);
    let mut channel = PeripheralChannel::new(None, *b"FAKEPD01");
    channel.allow_install_mode();
    pd.channel = Some(channel);
    let setup = PdSetup {
        address: address(1),
        security: Security::Install,
    };
    let mut bench = Bench::new(vec![setup], vec![pd], Timing::default());
    bench.run(Duration::from_millis(100));
    let events = bench.take_events();
    assert!(
        matches!(
            events.first(),
            Some(ControlPanelEvent::Online { secure: true, .. })
        ),
        "{events:?}"
    );
    bench
        .panel
        .submit(
            address(1),
            Command::KeySet(crate::osdp::KeySet::scbk(key())),
        )
        .unwrap();
    bench.run(Duration::from_millis(50));
    assert!(bench.take_events().contains(&ControlPanelEvent::Reply {
        address: address(1),
        reply: Reply::Ack
    }));
}

#[test]
fn card_keypad_and_tamper_become_events() {
    let mut bench = Bench::clear(FakePd::new(address(1), None));
    bench.run(Duration::from_millis(100));
    bench.take_events();
    let card = RawCard {
        reader: 0,
        format: RawFormat::WIEGAND,
        bit_count: 26,
        data: vec![0x80, 0x80, 0x00, 0x80],
    };
    let keypad = Keypad {
        reader: 0,
        digits: b"1234".to_vec(),
    };
    bench.pd(0).reports.extend([
        Reply::Raw(card.clone()),
        Reply::Keypad(keypad.clone()),
        Reply::LStatR(LocalStatus {
            tamper: true,
            power_failure: false,
        }),
    ]);
    bench.run(Duration::from_millis(300));
    let a = address(1);
    assert_eq!(
        bench.take_events(),
        [
            ControlPanelEvent::Card { address: a, card },
            ControlPanelEvent::Keypad { address: a, keypad },
            ControlPanelEvent::Tamper {
                address: a,
                tamper: true
            },
        ]
    );
}

#[test]
fn a_submitted_command_is_sealed_and_its_nak_reported() {
    let mut bench = Bench::secure(FakePd::new(address(2), Some(key())), key());
    bench.run(Duration::from_millis(100));
    bench.take_events();
    let open = Command::Out(vec![OutputControl {
        output: 0,
        code: OutputControlCode::TEMPORARY_ON,
        timer: 30,
    }]);
    bench.panel.submit(address(2), open.clone()).unwrap();
    bench.run(Duration::from_millis(20));
    let (_, frame) = bench
        .sent
        .iter()
        .rev()
        .find(|(_, f)| f.code == 0x68)
        .unwrap();
    assert!(matches!(frame.security, Some(SecurityBlock::Scs17(_))));
    assert_ne!(frame.data, open.encode_data().unwrap());
    let received = bench.pds[0].received.last().unwrap();
    assert_eq!((received.secured, &received.command), (true, &open));

    bench.pd(0).nak_out = true;
    bench.panel.submit(address(2), open).unwrap();
    bench.run(Duration::from_millis(20));
    assert!(bench.take_events().contains(&ControlPanelEvent::Nak {
        address: address(2),
        command: 0x68,
        nak: Nak::new(NakCode::RECORD)
    }));
    assert_eq!(
        bench.panel.submit(address(9), Command::Poll),
        Err(ControlPanelError::UnknownPd {
            address: address(9)
        })
    );
}

#[test]
fn busy_resends_the_same_command_later_without_going_offline() {
    let mut bench = Bench::clear(FakePd::new(address(1), None));
    bench.run(Duration::from_millis(100));
    bench.take_events();
    bench.pd(0).busy = 5;
    let before = bench.sent.len();
    bench.run(Duration::from_millis(600));
    assert!(bench.events.is_empty(), "{:?}", bench.events);
    let first = &bench.sent[before].1;
    assert!(bench.sent[before..before + 6]
        .iter()
        .all(|(_, frame)| frame == first));
    assert_ne!(&bench.sent[before + 6].1, first);
}

#[test]
fn file_transfer_in_fragments_follows_ftstat() {
    let mut pd = FakePd::new(address(1), Some(key()));
    pd.file_script.extend([
        // After the first fragment: wait 100 ms, then messages of at most 141 bytes
        // (100 bytes of data once the frame's overhead is counted).
        FileTransferStatus {
            action: FileTransferAction(FileTransferAction::INTERLEAVE),
            delay: 100,
            status: FileTransferCode::OK,
            update_max: 141,
        },
    ]);
    let mut bench = Bench::secure(pd, key());
    bench.run(Duration::from_millis(100));
    bench.take_events();
    let contents: Vec<u8> = (0..=255).cycle().take(400).collect();
    bench
        .panel
        .send_file(address(1), FileType::OPAQUE, contents.clone())
        .unwrap();
    assert_eq!(
        bench.panel.send_file(address(1), FileType::OPAQUE, vec![1]),
        Err(ControlPanelError::FileTransferBusy {
            address: address(1)
        })
    );
    bench.run(Duration::from_millis(600));
    let fragments: Vec<(Instant, u32, usize)> = bench.pds[0]
        .received
        .iter()
        .filter_map(|r| match &r.command {
            Command::FileTransfer(f) => Some((f.offset, f.data.len(), f.total_size)),
            _ => None,
        })
        .zip(bench.sent.iter().filter(|(_, f)| f.code == 0x7C))
        .map(|((offset, len, total), (at, _))| {
            assert_eq!(total, 400);
            (*at, offset, len)
        })
        .collect();
    let shape: Vec<(u32, usize)> = fragments.iter().map(|f| (f.1, f.2)).collect();
    assert_eq!(shape, [(0, 128), (128, 100), (228, 100), (328, 72)]);
    assert!(fragments[1].0 - fragments[0].0 >= Duration::from_millis(100));
    assert_eq!(bench.pds[0].file, contents);
    let a = address(1);
    let events = bench.take_events();
    let progress: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            ControlPanelEvent::FileProgress {
                sent, total: 400, ..
            } => Some(*sent),
            _ => None,
        })
        .collect();
    assert_eq!(progress, [128, 228, 328]);
    assert_eq!(
        events.last(),
        Some(&ControlPanelEvent::FileSent { address: a })
    );
    // Polls went on during the delay.
    let during: Vec<u8> = bench
        .sent
        .iter()
        .filter(|(at, _)| *at > fragments[0].0 && *at < fragments[1].0)
        .map(|(_, f)| f.code)
        .collect();
    assert!(!during.is_empty());
}

#[test]
fn a_refused_file_fails() {
    let mut pd = FakePd::new(address(1), None);
    pd.file_script.push_back(FileTransferStatus {
        action: FileTransferAction::default(),
        delay: 0,
        status: FileTransferCode::UNRECOGNIZED,
        update_max: 0,
    });
    let mut bench = Bench::clear(pd);
    bench.run(Duration::from_millis(100));
    bench.take_events();
    bench
        .panel
        .send_file(address(1), FileType::OPAQUE, vec![7; 300])
        .unwrap();
    bench.run(Duration::from_millis(100));
    let events = bench.take_events();
    assert!(matches!(
        events.as_slice(),
        [ControlPanelEvent::FileFailed { reason, .. }] if reason.contains("unrecognized")
    ));
}

#[test]
fn two_pds_share_the_bus_and_a_file_interleaves_with_polls() {
    let setups = vec![
        PdSetup {
            address: address(1),
            security: Security::Clear,
        },
        PdSetup {
            address: address(2),
            security: Security::Secure(key()),
        },
    ];
    let pds = vec![
        FakePd::new(address(1), None),
        FakePd::new(address(2), Some(key())),
    ];
    let mut bench = Bench::new(setups, pds, Timing::default());
    bench.run(Duration::from_millis(200));
    let mut online: Vec<(u8, bool)> = bench
        .take_events()
        .into_iter()
        .filter_map(|e| match e {
            ControlPanelEvent::Online {
                address, secure, ..
            } => Some((address.value(), secure)),
            _ => None,
        })
        .collect();
    online.sort();
    assert_eq!(online, [(1, false), (2, true)]);
    // The two online sequences were interleaved: PD 2 did not wait for PD 1's.
    let first_two: Vec<u8> = bench
        .sent
        .iter()
        .take(2)
        .map(|(_, f)| f.header.address.value())
        .collect();
    assert_eq!(first_two, [1, 2]);

    bench
        .panel
        .send_file(address(2), FileType::OPAQUE, vec![9; 1000])
        .unwrap();
    let before = bench.sent.len();
    bench.run(Duration::from_millis(300));
    assert_eq!(bench.pds[1].file, vec![9; 1000]);
    let window = &bench.sent[before..before + 10];
    let to_pd1 = window
        .iter()
        .filter(|(_, f)| f.header.address == address(1))
        .count();
    assert!(to_pd1 >= 1, "PD 1 starved during the transfer");
    assert!(bench.take_events().contains(&ControlPanelEvent::FileSent {
        address: address(2)
    }));
    // Each PD kept its own sequence numbers.
    for pd in [address(1), address(2)] {
        let sequences: Vec<u8> = bench
            .sent
            .iter()
            .filter(|(_, f)| f.header.address == pd)
            .map(|(_, f)| f.header.sequence.value())
            .collect();
        assert!(sequences
            .windows(2)
            .all(|w| w[1] == Sequence::new(w[0]).unwrap().next().value()));
    }
}

#[test]
fn setup_errors() {
    let pd = |value, security| PdSetup {
        address: address(value),
        security,
    };
    let new = |pds| ControlPanel::new(pds, Timing::default(), Box::new(|_: &mut [u8]| {}));
    assert_eq!(
        new(vec![pd(1, Security::Clear), pd(1, Security::Install)]).err(),
        Some(ControlPanelError::DuplicateAddress {
            address: address(1)
        })
    );
    assert_eq!(
        new(vec![pd(0x7F, Security::Clear)]).err(),
        Some(ControlPanelError::BroadcastAddress {
            address: Address::BROADCAST
        })
    );
    let mut panel = new(vec![pd(1, Security::Clear)]).unwrap();
    assert!(matches!(
        panel.submit(
            address(1),
            Command::Chlng(crate::osdp::Challenge { cp_random: [0; 8] })
        ),
        Err(ControlPanelError::ReservedCommand { code: 0x76 })
    ));
    assert_eq!(panel.next_deadline(), None);
    let now = Instant::now();
    panel.poll_transmit(now).unwrap();
    assert_eq!(
        panel.next_deadline(),
        Some(now + Timing::default().reply_timeout)
    );
}

#[test]
fn debug_output_never_shows_the_key() {
    let mut bench = Bench::secure(FakePd::new(address(1), Some(key())), key());
    bench.run(Duration::from_millis(100));
    bench
        .panel
        .submit(
            address(1),
            Command::KeySet(crate::osdp::KeySet::scbk(key())),
        )
        .unwrap();
    let text = format!("{:?}", bench.panel);
    assert!(text.contains("Scbk(<redacted>)"), "{text}");
    assert!(!text.contains("90, 90, 90"), "{text}");
    assert!(!text.to_lowercase().contains("5a, 5a"), "{text}");
}

#[test]
fn a_pd_that_lost_its_session_gets_a_new_handshake_without_going_offline() {
    let mut bench = Bench::secure(FakePd::new(address(4), Some(key())), key());
    bench.run(Duration::from_millis(100));
    bench.take_events();
    let handshakes = |bench: &Bench| bench.sent.iter().filter(|(_, f)| f.code == 0x76).count();
    assert_eq!(handshakes(&bench), 1);
    // The PD forgets the session (a reboot, say): it refuses the next sealed poll.
    bench.pd(0).channel.as_mut().unwrap().reset();
    bench.run(Duration::from_millis(200));
    assert_eq!(handshakes(&bench), 2);
    assert!(bench.events.is_empty(), "{:?}", bench.events);
    assert_eq!(
        bench.panel.status(address(4)),
        Some(PdStatus::Online { secure: true })
    );
    let last = &bench.sent.last().unwrap().1;
    assert!(last.security.and_then(|b| b.mac()).is_some());
}

#[test]
fn fragments_fit_the_receive_buffer_the_pd_announced() {
    let mut pd = FakePd::new(address(1), None);
    pd.capabilities.push(Capability {
        function: CapabilityFunction::RECEIVE_BUFFER,
        compliance: 100,
        count: 0,
    });
    let mut bench = Bench::clear(pd);
    bench.run(Duration::from_millis(100));
    bench
        .panel
        .send_file(address(1), FileType::OPAQUE, vec![3; 200])
        .unwrap();
    bench.run(Duration::from_millis(200));
    let sizes: Vec<usize> = bench
        .sent
        .iter()
        .filter(|(_, f)| f.code == 0x7C)
        .map(|(_, f)| f.wire_len())
        .collect();
    assert!(sizes.len() >= 4, "{sizes:?}");
    assert!(sizes.iter().all(|&len| len <= 100), "{sizes:?}");
    assert_eq!(bench.pds[0].file, vec![3; 200]);
}

#[test]
fn busy_during_the_handshake_waits_instead_of_failing() {
    let mut pd = FakePd::new(address(2), Some(key()));
    pd.busy_once_for = Some(0x77); // osdp_SCRYPT
    let mut bench = Bench::secure(pd, key());
    bench.run(Duration::from_millis(200));
    let scrypts: Vec<&Frame> = bench
        .sent
        .iter()
        .filter(|(_, f)| f.code == 0x77)
        .map(|(_, f)| f)
        .collect();
    assert_eq!(scrypts.len(), 2);
    assert_eq!(scrypts[0], scrypts[1]);
    assert!(matches!(
        bench.events.first(),
        Some(ControlPanelEvent::Online { secure: true, .. })
    ));
}

#[test]
fn a_pd_that_never_answers_is_a_fault_once_then_online_when_it_answers() {
    let mut pd = FakePd::new(address(1), None);
    pd.silent = true;
    let mut bench = Bench::clear(pd);
    bench.run(Duration::from_millis(3500));
    let no_answer = ControlPanelEvent::Fault {
        address: address(1),
        fault: PdFault::NoAnswer,
    };
    assert_eq!(bench.take_events(), [no_answer]);
    bench.pd(0).silent = false;
    bench.run(Duration::from_millis(1500));
    let events = bench.take_events();
    assert!(
        matches!(events.first(), Some(ControlPanelEvent::Online { .. })),
        "{events:?}"
    );
    // Online clears the fault; silent again, the offline event says it, and the
    // retries that follow add nothing.
    bench.pd(0).silent = true;
    bench.run(Duration::from_millis(3500));
    let offline = ControlPanelEvent::Offline {
        address: address(1),
    };
    assert_eq!(bench.take_events(), [offline], "the offline event says it");
}

#[test]
fn a_malformed_pdcap_is_a_fault_once_and_the_pd_stays_offline() {
    let mut pd = FakePd::new(address(1), None);
    pd.bad_pdcap = true;
    let mut bench = Bench::clear(pd);
    bench.run(Duration::from_millis(3500));
    let fault = ControlPanelEvent::Fault {
        address: address(1),
        fault: PdFault::BadCapabilities,
    };
    assert_eq!(bench.take_events(), [fault]);
    assert_eq!(bench.panel.status(address(1)), Some(PdStatus::Offline));
    let caps = bench.pds[0]
        .received
        .iter()
        .filter(|r| matches!(r.command, Command::Cap(_)))
        .count();
    assert!(caps >= 3, "retried like a silent PD: {caps}");
    bench.pd(0).bad_pdcap = false;
    bench.run(Duration::from_millis(1500));
    let events = bench.take_events();
    assert!(
        matches!(events.first(), Some(ControlPanelEvent::Online { .. })),
        "{events:?}"
    );
}

#[test]
fn a_malformed_pdcap_through_the_secure_channel_is_the_same_fault() {
    let mut pd = FakePd::new(address(3), Some(key()));
    pd.capabilities.push(Capability {
        function: CapabilityFunction::CHECK_CHARACTER,
        compliance: 1,
        count: 0,
    });
    let mut bench = Bench::secure(pd, key());
    bench.run(Duration::from_millis(2500));
    let fault = ControlPanelEvent::Fault {
        address: address(3),
        fault: PdFault::BadCapabilities,
    };
    assert_eq!(bench.take_events(), [fault]);
}

#[test]
fn reports_from_readers_the_pd_does_not_declare_are_refused() {
    let mut bench = Bench::clear(FakePd::new(address(1), None));
    bench.run(Duration::from_millis(100));
    bench.take_events();
    let card = |reader| RawCard {
        reader,
        format: RawFormat::WIEGAND,
        bit_count: 26,
        data: vec![0x80, 0x80, 0x00, 0x80],
    };
    let keypad = Keypad {
        reader: 2,
        digits: b"1234".to_vec(),
    };
    bench.pd(0).reports.extend([
        Reply::Raw(card(7)),
        Reply::Keypad(keypad),
        Reply::Raw(card(0)),
    ]);
    bench.run(Duration::from_millis(300));
    let a = address(1);
    let refused = |reader| ControlPanelEvent::Fault {
        address: a,
        fault: PdFault::UndeclaredReader {
            reader,
            declared: 1,
        },
    };
    assert_eq!(
        bench.take_events(),
        [
            refused(7),
            refused(2),
            ControlPanelEvent::Card {
                address: a,
                card: card(0)
            },
        ]
    );
}

#[test]
fn a_pd_declaring_two_readers_reports_from_both() {
    let mut pd = FakePd::new(address(1), None);
    pd.capabilities.push(Capability {
        function: CapabilityFunction::READERS,
        compliance: 0,
        count: 2,
    });
    let mut bench = Bench::clear(pd);
    bench.run(Duration::from_millis(100));
    bench.take_events();
    let keypad = |reader| Keypad {
        reader,
        digits: b"1".to_vec(),
    };
    bench
        .pd(0)
        .reports
        .extend([Reply::Keypad(keypad(1)), Reply::Keypad(keypad(2))]);
    bench.run(Duration::from_millis(300));
    let a = address(1);
    assert_eq!(
        bench.take_events(),
        [
            ControlPanelEvent::Keypad {
                address: a,
                keypad: keypad(1)
            },
            ControlPanelEvent::Fault {
                address: a,
                fault: PdFault::UndeclaredReader {
                    reader: 2,
                    declared: 2
                },
            },
        ]
    );
}
