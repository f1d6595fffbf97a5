//! The simulated devices driven by hand-written control panel frames, with explicit
//! instants: online reports and obeyed outputs, offline decisions from the image, image
//! replacement by file transfer (a refused image failing the control panel's
//! transfer), and a reader presenting once its link settled.

use std::time::{Duration, Instant};

use accessctl_core::lockout::{FIRST_LOCKOUT, MAX_WRONG_PER_DAY};
use accessctl_core::offline::code::{door_code_key, issue, CodeRequest};
use accessctl_core::offline::{build_image, lock_key, Issue, LockImage};
use accessctl_core::secret::Key;
use accessctl_core::{check, CompiledPolicy, Reason, Sources};

use super::*;
use crate::osdp::command::{
    FileTransfer, FileType, LedColor, LedControl, OutputControl, OutputControlCode, TemporaryLed,
    TemporaryLedCode,
};
use crate::osdp::control_panel::{ControlPanel, ControlPanelEvent, PdSetup, Security, Timing};
use crate::osdp::{Address, Check, Command, Frame, Header, Reply, Sequence};
use crate::wiegand::{self, formats, WiegandError};

const POLICY: &str = r#"
site hq { timezone "Europe/Paris"  door store { offline  capacity 100 }  code "483920" on store }
schedule office { mon..fri 08:00-19:00 }
account acme {
  user ana "Ana" { card 65537  offline  schedule office  allow store }
  user bob "Bob" { card 65538  allow store }
}
"#;

/// 2026-11-18 and 2026-11-23T09:00 in Paris (a Monday).
const ISSUED: accessctl_core::Timestamp = accessctl_core::Timestamp(1_795_000_000);
const MONDAY_9AM: accessctl_core::Timestamp = accessctl_core::Timestamp(1_795_420_800);

fn key() -> Key {
    lock_key(&Key::from_entropy([7; 32]), "store")
}

fn image_bytes(issued: accessctl_core::Timestamp) -> Vec<u8> {
    let mut sources = Sources::new();
    sources.add("hq.acl", POLICY);
    let policy = check(&sources).policy.unwrap();
    let compiled = CompiledPolicy::new(&policy);
    let store = policy.door_named("store").unwrap();
    build_image(&policy, &compiled, store, &key(), Issue::at(issued))
        .unwrap()
        .bytes
}

fn address() -> Address {
    Address::new(5).unwrap()
}

fn lock(image: bool) -> SimLock {
    lock_taking_codes(image, None)
}

fn code_key() -> Key {
    door_code_key(&Key::from_entropy([7; 32]), "store")
}

fn lock_taking_codes(image: bool, code_key: Option<Key>) -> SimLock {
    let image = image.then(|| LockImage::decode(&image_bytes(ISSUED), &key()).unwrap());
    let setup = SimLockSetup {
        peripheral: peripheral_setup(SimKind::Lock, address(), None, false),
        lock_key: key(),
        formats: vec![formats::H10301, formats::H10306],
        offline_after: Duration::from_secs(2),
        code_key,
    };
    SimLock::new(setup, image, Box::new(|bytes: &mut [u8]| bytes.fill(9)))
}

/// A control panel played by hand: one command at a time, sequence numbers in turn.
struct HandPanel {
    sequence: Sequence,
}

impl HandPanel {
    fn new() -> HandPanel {
        HandPanel {
            sequence: Sequence::ZERO,
        }
    }

    fn frame(&mut self, command: &Command) -> Vec<u8> {
        let header = Header::command(address(), self.sequence, Check::Crc16);
        self.sequence = self.sequence.next();
        Frame::command(header, command).unwrap().encode().unwrap()
    }

    fn send<D: SimDevice>(&mut self, device: &mut D, command: &Command, now: Instant) -> Reply {
        let reply = device.handle_input(&self.frame(command), now).unwrap();
        Frame::decode(&reply).unwrap().to_reply().unwrap()
    }
}

fn pulse() -> Command {
    Command::Out(vec![OutputControl {
        output: 0,
        code: OutputControlCode::TEMPORARY_ON,
        timer: 30,
    }])
}

fn events(lock: &mut SimLock) -> Vec<LockEvent> {
    std::iter::from_fn(|| lock.next_event()).collect()
}

#[test]
fn online_the_lock_reports_and_obeys_its_control_panel() {
    let (mut lock, mut panel, t0) = (lock(true), HandPanel::new(), Instant::now());
    assert_eq!(panel.send(&mut lock, &Command::Poll, t0), Reply::Ack);
    let card: Presentation = "card 65537".parse().unwrap();
    assert_eq!(lock.present(&card, t0, MONDAY_9AM), LockOutcome::Reported);
    let Reply::Raw(raw) = panel.send(&mut lock, &Command::Poll, t0) else {
        panic!("a card report")
    };
    let read = wiegand::detect(&raw.to_wiegand().unwrap(), &[formats::H10301]).unwrap();
    assert_eq!(read.policy_number(), 65_537);
    assert_eq!(panel.send(&mut lock, &pulse(), t0), Reply::Ack);
    let opened = events(&mut lock).into_iter().find_map(|event| match event {
        LockEvent::ControlPanel(response) => Some(response),
        _ => None,
    });
    assert!(opened.is_some_and(|r| r.opened()));
}

#[test]
fn a_lock_that_lost_its_controller_decides_from_its_image() {
    let (mut lock, mut panel, t0) = (lock(true), HandPanel::new(), Instant::now());
    panel.send(&mut lock, &Command::Poll, t0);
    let later = t0 + Duration::from_millis(2_001);
    let present = |lock: &mut SimLock, line: &str| match lock.present(
        &line.parse().unwrap(),
        later,
        MONDAY_9AM,
    ) {
        LockOutcome::Alone(decision) => decision,
        LockOutcome::Reported => panic!("reported while offline"),
    };
    let ana = present(&mut lock, "card 65537");
    assert!(ana.allowed(), "{ana}");
    assert_eq!(ana.to_string(), "card 1:1 (h10301): opened (granted)");
    assert!(events(&mut lock).contains(&LockEvent::Offline));
    // Bob has no offline access: the image does not hold him.
    let bob = present(&mut lock, "card 65538");
    assert_eq!(bob.reason(), Some(Reason::UnknownCredential));
    let code = present(&mut lock, "pin 483920");
    assert_eq!(code.reason(), Some(Reason::SpaceCode));
    assert_eq!(code.to_string(), "PIN: opened (space_code)");
    // One bit flipped: the parity check refuses it.
    let Presentation::Card(bits) = "card 65537".parse().unwrap() else {
        panic!("a card")
    };
    let flipped = Presentation::Card(bits.flipped(3).unwrap());
    let bad = lock.decide_alone(&flipped, MONDAY_9AM);
    assert!(matches!(
        bad,
        AloneDecision::Unreadable(WiegandError::Parity { .. })
    ));
    assert_eq!(bad.code(), "unreadable_card");
    // A 37-bit card: not a format this lock reads.
    let other = lock.decide_alone(&"card 1:1 h10304".parse().unwrap(), MONDAY_9AM);
    assert!(matches!(
        other,
        AloneDecision::Unreadable(WiegandError::NoFormat { bits: 37 })
    ));
}

#[test]
fn what_the_lock_decided_alone_is_uploaded_once_its_controller_is_back() {
    let (mut lock, mut panel, t0) = (lock(true), HandPanel::new(), Instant::now());
    panel.send(&mut lock, &Command::Poll, t0);
    let later = t0 + Duration::from_millis(2_001);
    for line in ["card 65537", "pin 483920", "card 65538"] {
        let outcome = lock.present(&line.parse().unwrap(), later, MONDAY_9AM);
        assert!(matches!(outcome, LockOutcome::Alone(_)));
    }
    assert_eq!(lock.audit_trail().len(), 3);
    // Back online: the first poll is answered before the lock knows; then one record
    // per poll, then nothing.
    let back = later + Duration::from_secs(60);
    assert_eq!(panel.send(&mut lock, &Command::Poll, back), Reply::Ack);
    assert!(lock.audit_trail().is_empty());
    let mut uploaded = Vec::new();
    while let Reply::MfgRep(report) = panel.send(&mut lock, &Command::Poll, back) {
        assert_eq!(report.vendor, SIM_VENDOR);
        uploaded.push(AuditRecord::decode(&report.data).unwrap());
    }
    let summary: Vec<_> = uploaded
        .iter()
        .map(|r| (r.at, r.allowed, r.reason.as_str(), r.credential))
        .collect();
    assert_eq!(
        summary,
        [
            (MONDAY_9AM, true, "granted", AuditCredential::Card),
            (MONDAY_9AM, true, "space_code", AuditCredential::Pin),
            (
                MONDAY_9AM,
                false,
                "unknown_credential",
                AuditCredential::Card
            ),
        ]
    );
    assert_eq!(
        uploaded[0].holder,
        Some(accessctl_core::offline::LockHolder::Holder(0))
    );
    assert!(matches!(
        uploaded[1].holder,
        Some(accessctl_core::offline::LockHolder::SpaceCode(_))
    ));
    assert_eq!(uploaded[0].image_issued, Some(ISSUED));
}

#[test]
fn a_lock_without_image_refuses_everyone_alone() {
    let mut lock = lock(false);
    let outcome = lock.present(&"card 65537".parse().unwrap(), Instant::now(), MONDAY_9AM);
    let LockOutcome::Alone(decision) = outcome else {
        panic!("never online, so alone")
    };
    assert_eq!(decision.code(), "no_image");
    assert!(!decision.allowed());
}

#[test]
fn a_file_transfer_replaces_the_image_only_when_authentic_and_newer() {
    let (mut lock, mut panel, t0) = (lock(false), HandPanel::new(), Instant::now());
    panel.send(&mut lock, &Command::Poll, t0);
    let newer = image_bytes(accessctl_core::Timestamp(ISSUED.0 + 86_400));
    let transfer = |bytes: &[u8]| {
        Command::FileTransfer(FileTransfer {
            file_type: FileType::OPAQUE,
            total_size: u32::try_from(bytes.len()).unwrap(),
            offset: 0,
            data: bytes.to_vec(),
        })
    };
    assert!(matches!(
        panel.send(&mut lock, &transfer(&newer), t0),
        Reply::FtStat(_)
    ));
    assert!(matches!(
        events(&mut lock).last(),
        Some(LockEvent::ImageReplaced(summary)) if summary.door == "store"
    ));
    let mut forged = newer.clone();
    if let Some(byte) = forged.get_mut(60) {
        *byte ^= 1;
    }
    panel.send(&mut lock, &transfer(&forged), t0);
    assert!(matches!(
        events(&mut lock).last(),
        Some(LockEvent::ImageRefused(ImageRefusal::NotAnImage(_)))
    ));
    let older = image_bytes(ISSUED);
    assert!(matches!(
        lock.replace_image(&older),
        Err(ImageRefusal::Older { .. })
    ));
    let kept = lock.image().unwrap().contents().issued;
    assert_eq!(kept.0, ISSUED.0 + 86_400);
}

/// Our control panel sends `image` to `lock` from `*now` on, on a simulated clock
/// (moved on as the panel asks): how the transfer ended, `FileSent` or `FileFailed`.
fn push(lock: &mut SimLock, image: &[u8], now: &mut Instant) -> ControlPanelEvent {
    let pds = vec![PdSetup {
        address: address(),
        security: Security::Clear,
    }];
    let entropy = Box::new(|bytes: &mut [u8]| bytes.fill(2));
    let mut panel = ControlPanel::new(pds, Timing::default(), entropy).unwrap();
    for _ in 0..10_000 {
        match panel.poll_transmit(*now) {
            Some(command) => {
                if let Some(reply) = lock.handle_input(&command, *now) {
                    panel.handle_input(&reply, *now);
                }
            }
            None => {
                let step = *now + Duration::from_millis(1);
                *now = panel.next_deadline().map_or(step, |at| at.max(step));
            }
        }
        while let Some(event) = panel.next_event() {
            match event {
                ControlPanelEvent::Online { .. } => panel
                    .send_file(address(), FileType::OPAQUE, image.to_vec())
                    .unwrap(),
                ControlPanelEvent::FileSent { .. } | ControlPanelEvent::FileFailed { .. } => {
                    return event
                }
                _ => {}
            }
        }
    }
    panic!("the transfer never ended")
}

#[test]
fn the_control_panel_hears_a_refused_image_as_a_failed_transfer() {
    let (mut lock, mut now) = (lock(true), Instant::now());
    let older = image_bytes(accessctl_core::Timestamp(ISSUED.0 - 86_400));
    let outcome = push(&mut lock, &older, &mut now);
    assert!(
        matches!(&outcome, ControlPanelEvent::FileFailed { reason, .. } if reason.contains("unrecognized")),
        "{outcome:?}"
    );
    assert!(events(&mut lock)
        .iter()
        .any(|event| matches!(event, LockEvent::ImageRefused(ImageRefusal::Older { .. }))));
    assert_eq!(lock.image().unwrap().contents().issued, ISSUED);

    let newer = image_bytes(accessctl_core::Timestamp(ISSUED.0 + 86_400));
    let outcome = push(&mut lock, &newer, &mut now);
    assert!(
        matches!(outcome, ControlPanelEvent::FileSent { .. }),
        "{outcome:?}"
    );
    assert_eq!(lock.image().unwrap().contents().issued.0, ISSUED.0 + 86_400);
}

#[test]
fn a_reader_presents_once_its_link_settled_and_gathers_the_answer() {
    let setup = peripheral_setup(SimKind::Reader, address(), None, false);
    let mut reader = SimReader::new(setup, Box::new(|bytes: &mut [u8]| bytes.fill(3)));
    let (mut panel, t0) = (HandPanel::new(), Instant::now());
    reader.present("pin 4821".parse().unwrap());
    assert_eq!(panel.send(&mut reader, &Command::Poll, t0), Reply::Ack);
    let soon = t0 + DEFAULT_SETTLE / 2;
    assert_eq!(panel.send(&mut reader, &Command::Poll, soon), Reply::Ack);
    assert!(reader.is_waiting());
    let settled = t0 + DEFAULT_SETTLE;
    assert_eq!(panel.send(&mut reader, &Command::Poll, settled), Reply::Ack);
    assert!(!reader.is_waiting());
    let Reply::Keypad(keypad) = panel.send(&mut reader, &Command::Poll, settled) else {
        panic!("a keypad report")
    };
    assert_eq!(keypad.digits, b"4821\r");
    panel.send(&mut reader, &pulse(), settled);
    let green = LedControl {
        temporary: TemporaryLed {
            code: TemporaryLedCode::SET,
            on_color: LedColor::GREEN,
            timer: 30,
            ..TemporaryLed::default()
        },
        ..LedControl::default()
    };
    panel.send(&mut reader, &Command::Led(vec![green]), settled);
    assert!(reader.response().opened());
    assert_eq!(
        reader.response().to_string(),
        "output 0 pulsed 3.0 s · LED green"
    );
    let events: Vec<ReaderEvent> = std::iter::from_fn(|| reader.next_event()).collect();
    assert!(events.contains(&ReaderEvent::Online { secure: false }));
    assert!(events
        .iter()
        .any(|e| matches!(e, ReaderEvent::Presented(Presentation::Pin(_)))));
}

#[test]
fn several_readers_share_one_line_and_only_the_one_named_answers() {
    let reader = |at: u8| {
        let address = Address::new(at).unwrap();
        let setup = peripheral_setup(SimKind::Reader, address, None, false);
        SimReader::new(setup, Box::new(|bytes: &mut [u8]| bytes.fill(1)))
    };
    let mut line = vec![reader(4), reader(5)];
    let (mut panel, t0) = (HandPanel::new(), Instant::now());
    // HandPanel talks to address 5: the second reader.
    assert_eq!(panel.send(&mut line, &Command::Poll, t0), Reply::Ack);
    assert!(!line[0].is_online(t0));
    assert!(line[1].is_online(t0));
    line.handle_timeout(t0 + Duration::from_secs(9));
    assert!(!line[1].is_online(t0 + Duration::from_secs(9)));
    assert_eq!(line[1].address(), address());
}

/// The lock's decision for `line` presented at `at`, its control panel long gone.
fn alone(lock: &mut SimLock, line: &str, at: accessctl_core::Timestamp) -> AloneDecision {
    let gone = Instant::now() + Duration::from_secs(3);
    match lock.present(&line.parse().unwrap(), gone, at) {
        LockOutcome::Alone(decision) => decision,
        LockOutcome::Reported => panic!("reported while offline"),
    }
}

#[test]
fn an_offline_code_opens_the_lock_alone_and_a_one_time_code_once() {
    // Found: a code from `codes issue` was refused by the lock (unknown_credential).
    let mut store = lock_taking_codes(true, Some(code_key()));
    let request = CodeRequest {
        start: MONDAY_9AM,
        hours: 2,
        once: true,
        variant: 0,
    };
    let issued = issue(&code_key(), &request).unwrap();
    let line = format!("pin {}", issued.code.expose_digits());
    let first = alone(&mut store, &line, MONDAY_9AM);
    assert!(first.allowed(), "{first}");
    assert_eq!(first.to_string(), "offline code: opened (offline_code)");
    let again = alone(&mut store, &line, MONDAY_9AM);
    assert_eq!(again.code(), "already_used");
    let late = accessctl_core::Timestamp(MONDAY_9AM.0 + 3 * 3600);
    let other = issue(
        &code_key(),
        &CodeRequest {
            variant: 1,
            ..request
        },
    )
    .unwrap();
    let expired = alone(
        &mut store,
        &format!("pin {}", other.code.expose_digits()),
        late,
    );
    assert_eq!(expired.code(), "expired");
    // A lock without the door's code key knows no code.
    let mut keyless = lock(true);
    assert_eq!(
        alone(&mut keyless, &line, MONDAY_9AM).code(),
        "unknown_credential"
    );
}

#[test]
fn ten_thousand_pins_at_the_lock_are_locked_out_long_before_they_finish() {
    // Found: 0000, 0001, … opened the lock at the 7,317th try within one second.
    let mut lock = lock_taking_codes(true, Some(code_key()));
    let at = MONDAY_9AM;
    let mut read = 0;
    let mut locked = Vec::new();
    for guess in 0..10_000 {
        let decision = alone(&mut lock, &format!("pin {guess:04}"), at);
        assert!(!decision.allowed(), "opened by {guess:04}");
        if decision.code() != "locked_out" {
            read += 1;
        }
        locked.extend(events(&mut lock).into_iter().filter_map(|e| match e {
            LockEvent::KeypadLocked { until } => Some(until),
            _ => None,
        }));
    }
    assert_eq!(
        read, 5,
        "five entries read, the 9,995 others refused unread"
    );
    let until = accessctl_core::Timestamp(MONDAY_9AM.0 + FIRST_LOCKOUT);
    assert_eq!(locked, [until]);
    // The space code waits out the lockout like any secret typed.
    assert_eq!(alone(&mut lock, "pin 483920", at).code(), "locked_out");
    assert_eq!(alone(&mut lock, "pin 483920", until).code(), "space_code");
    // The lockout is in the audit trail the controller will journal.
    let reasons: Vec<_> = lock
        .audit_trail()
        .records()
        .map(|r| r.reason.clone())
        .filter(|r| r == KEYPAD_LOCKOUT)
        .collect();
    assert_eq!(reasons.len(), 1);
}

#[test]
fn a_day_of_guessing_at_the_lock_reads_at_most_the_documented_entries() {
    let mut lock = lock_taking_codes(true, Some(code_key()));
    let (start, mut at, mut read) = (MONDAY_9AM.0, MONDAY_9AM.0, 0u32);
    while at < start + 24 * 3600 {
        let decision = alone(
            &mut lock,
            &format!("pin {:04}", read % 10_000),
            accessctl_core::Timestamp(at),
        );
        assert!(!decision.allowed());
        match decision {
            AloneDecision::Keypad(accessctl_core::offline::KeypadOutcome::LockedOut { until }) => {
                at = until.0
            }
            _ => {
                read += 1;
                at += 1;
            }
        }
    }
    assert_eq!(read, MAX_WRONG_PER_DAY);
}

#[test]
fn the_keypad_memory_survives_a_restart_of_the_lock() {
    let mut lock = lock_taking_codes(true, Some(code_key()));
    for guess in ["0000", "0001", "0002", "0003"] {
        alone(&mut lock, &format!("pin {guess}"), MONDAY_9AM);
    }
    let memory = lock.keypad_memory();
    let mut restarted = lock_taking_codes(true, Some(code_key()));
    restarted.restore_keypad(memory, Some(code_key()));
    alone(&mut restarted, "pin 0004", MONDAY_9AM);
    assert_eq!(
        alone(&mut restarted, "pin 483920", MONDAY_9AM).code(),
        "locked_out"
    );
}
