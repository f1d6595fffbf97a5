//! The control panel's blocking driver over the in-memory transport pair, against a
//! minimal scripted PD on its own thread: the online sequence, a card read, a submitted
//! command, and the PD's silence seen as offline. Owns only the scripted PD.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use accessctl_devices::osdp::control_panel::{
    ControlPanel, ControlPanelBus, ControlPanelEvent, PdSetup, PdStatus, Security, Timing,
};
use accessctl_devices::osdp::{
    Address, Command, DeviceId, Frame, FrameReader, LocalStatus, OutputControl, OutputControlCode,
    RawCard, RawFormat, Reply,
};
use accessctl_devices::transport::{memory, MemoryEnd, Transport};

const PD: u8 = 0x21;

fn device_id() -> DeviceId {
    DeviceId {
        vendor: [1, 2, 3],
        model: 4,
        version: 5,
        serial: 6,
        firmware: [7, 8, 9],
    }
}

fn card() -> RawCard {
    RawCard {
        reader: 0,
        format: RawFormat::WIEGAND,
        bit_count: 26,
        data: vec![0x80, 0x80, 0x00, 0x80],
    }
}

/// The scripted PD: answers in clear, reports one card on its third poll, tells the
/// test every command it got, and falls silent after `answers` replies.
fn scripted_pd(mut end: MemoryEnd, commands: mpsc::Sender<Command>, answers: usize) {
    let mut reader = FrameReader::new();
    let mut buf = [0; 256];
    let (mut polls, mut answered) = (0, 0);
    loop {
        let count = match end.receive(&mut buf, Duration::from_millis(50)) {
            Ok(count) => count,
            Err(_) => return, // the control panel hung up
        };
        reader.push(&buf[..count]);
        while let Some(Ok(frame)) = reader.next_frame() {
            let command = frame.to_command().expect("a clear command");
            let reply = match &command {
                Command::Poll => {
                    polls += 1;
                    if polls == 3 {
                        Reply::Raw(card())
                    } else {
                        Reply::Ack
                    }
                }
                Command::Id(_) => Reply::PdId(device_id()),
                Command::Cap(_) => Reply::PdCap(Vec::new()),
                Command::LStat => Reply::LStatR(LocalStatus::default()),
                _ => Reply::Ack,
            };
            let _ = commands.send(command);
            if answered < answers {
                answered += 1;
                let bytes = Frame::reply(frame.header.reply(), &reply)
                    .and_then(|frame| frame.encode())
                    .expect("a reply encodes");
                end.send(&bytes).expect("the CP listens");
            }
        }
    }
}

fn bus_with_scripted_pd(answers: usize) -> (ControlPanelBus, mpsc::Receiver<Command>) {
    let (cp_end, pd_end) = memory::pair();
    let (sender, commands) = mpsc::channel();
    thread::spawn(move || scripted_pd(pd_end, sender, answers));
    let timing = Timing {
        reply_timeout: Duration::from_millis(100),
        poll_interval: Duration::from_millis(10),
        offline_retry: Duration::from_millis(200),
        ..Timing::default()
    };
    let pds = vec![PdSetup {
        address: Address::new(PD).unwrap(),
        security: Security::Clear,
    }];
    let panel = ControlPanel::new(pds, timing, Box::new(|_: &mut [u8]| {})).unwrap();
    (ControlPanelBus::new(panel, Box::new(cp_end)), commands)
}

/// Steps `bus` until an event matching `wanted` came, for at most 5 s.
fn wait_for(
    bus: &mut ControlPanelBus,
    wanted: impl Fn(&ControlPanelEvent) -> bool,
) -> Vec<ControlPanelEvent> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        let events = bus.step(Duration::from_millis(100)).unwrap();
        let found = events.iter().any(&wanted);
        seen.extend(events);
        if found {
            return seen;
        }
    }
    panic!("the awaited event never came; saw {seen:?}");
}

#[test]
fn online_card_and_command_over_the_memory_pair() {
    let address = Address::new(PD).unwrap();
    let (mut bus, commands) = bus_with_scripted_pd(usize::MAX);
    let events = wait_for(&mut bus, |e| matches!(e, ControlPanelEvent::Card { .. }));
    assert_eq!(
        events.first(),
        Some(&ControlPanelEvent::Online {
            address,
            secure: false,
            id: Some(device_id())
        })
    );
    assert!(events.contains(&ControlPanelEvent::Card {
        address,
        card: card()
    }));
    assert_eq!(
        bus.panel_mut().status(address),
        Some(PdStatus::Online { secure: false })
    );

    let open = Command::Out(vec![OutputControl {
        output: 0,
        code: OutputControlCode::TEMPORARY_ON,
        timer: 30,
    }]);
    bus.panel_mut().submit(address, open.clone()).unwrap();
    wait_for(&mut bus, |e| {
        matches!(
            e,
            ControlPanelEvent::Reply {
                reply: Reply::Ack,
                ..
            }
        )
    });
    let received: Vec<Command> = commands.try_iter().collect();
    let first: Vec<u8> = received.iter().take(4).map(Command::code).collect();
    assert_eq!(first, [0x60, 0x61, 0x62, 0x64]);
    assert!(received.contains(&open));
}

#[test]
fn a_pd_that_falls_silent_goes_offline() {
    let address = Address::new(PD).unwrap();
    // Online sequence (4 replies) and a few polls, then silence.
    let (mut bus, _commands) = bus_with_scripted_pd(8);
    wait_for(&mut bus, |e| matches!(e, ControlPanelEvent::Online { .. }));
    let events = wait_for(&mut bus, |e| matches!(e, ControlPanelEvent::Offline { .. }));
    assert_eq!(events.last(), Some(&ControlPanelEvent::Offline { address }));
    assert_eq!(bus.panel_mut().status(address), Some(PdStatus::Offline));
}
