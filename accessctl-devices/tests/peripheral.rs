//! The PD loop through its public API: a `PeripheralBus` hosting two PDs on one
//! in-memory line, driven by a minimal scripted control panel on the other end.

use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use accessctl_devices::osdp::peripheral::{
    PeripheralBus, PeripheralDevice, PeripheralEvent, PeripheralSetup, Report,
};
use accessctl_devices::osdp::secure::{ControlPanelChannel, Scbk};
use accessctl_devices::osdp::*;
use accessctl_devices::transport::{memory, MemoryEnd, Transport};

const KEY: [u8; 16] = [0x3C; 16];
const WAIT: Duration = Duration::from_secs(2);

fn address(value: u8) -> Address {
    Address::new(value).unwrap()
}

fn pd(value: u8, scbk: Option<Scbk>) -> PeripheralDevice {
    let setup = PeripheralSetup {
        address: address(value),
        scbk,
        allow_install_mode: false,
        id: DeviceId {
            serial: u32::from(value),
            ..DeviceId::default()
        },
        capabilities: vec![],
        max_file_len: 64,
    };
    let mut counter = value;
    PeripheralDevice::new(
        setup,
        Box::new(move |bytes: &mut [u8]| {
            for byte in bytes {
                counter = counter.wrapping_mul(31).wrapping_add(7);
                *byte = counter;
            }
        }),
    )
}

type Event = (Address, PeripheralEvent);

/// Runs the bus on its own thread until the line closes; its events come out of the
/// receiver.
fn run(bus: Arc<Mutex<PeripheralBus>>) -> (Receiver<Event>, JoinHandle<()>) {
    let (sender, receiver) = mpsc::channel();
    let handle = thread::spawn(move || loop {
        let step = bus.lock().unwrap().step(Duration::from_millis(10));
        match step {
            Ok(events) => {
                for event in events {
                    if sender.send(event).is_err() {
                        return;
                    }
                }
            }
            Err(_) => return,
        }
    });
    (receiver, handle)
}

/// The CP's end of the line: sends commands, reads replies.
struct Cp {
    line: MemoryEnd,
    reader: FrameReader,
    sequences: [Sequence; 128],
    channel: Option<ControlPanelChannel>,
}

impl Cp {
    fn new(line: MemoryEnd) -> Self {
        Self {
            line,
            reader: FrameReader::new(),
            sequences: [Sequence::ZERO; 128],
            channel: None,
        }
    }

    fn header(&mut self, to: Address) -> Header {
        let slot = &mut self.sequences[usize::from(to.value())];
        let header = Header::command(to, *slot, Check::Crc16);
        *slot = slot.next();
        header
    }

    /// Sends `frame`; the reply frame, or `None` when none came in `wait`.
    fn exchange(&mut self, frame: &Frame, wait: Duration) -> Option<Frame> {
        self.line.send(&frame.encode().unwrap()).unwrap();
        let mut buf = [0; 256];
        let deadline = std::time::Instant::now() + wait;
        loop {
            if let Some(found) = self.reader.next_frame() {
                return Some(found.unwrap());
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return None;
            }
            let count = self.line.receive(&mut buf, left).unwrap();
            self.reader.push(&buf[..count]);
        }
    }

    /// Sends `command` to `to` (sealed when the session is up); the reply.
    fn ask(&mut self, to: Address, command: &Command) -> Reply {
        let header = self.header(to);
        let frame = match self.channel.as_mut() {
            Some(channel) => channel.seal(header, command).unwrap(),
            None => Frame::command(header, command).unwrap(),
        };
        let reply = self.exchange(&frame, WAIT).expect("a reply");
        assert_eq!(reply.header.address, to);
        match self.channel.as_mut() {
            Some(channel) => channel.open(&reply).unwrap(),
            None => reply.to_reply().unwrap(),
        }
    }

    fn handshake(&mut self, to: Address, key: Scbk) {
        let mut channel = ControlPanelChannel::new(key).unwrap();
        let header = self.header(to);
        let ccrypt = self
            .exchange(&channel.challenge(header, [0x42; 8]).unwrap(), WAIT)
            .unwrap();
        let header = self.header(to);
        let scrypt = channel.accept_ccrypt(&ccrypt, header).unwrap();
        let rmac_i = self.exchange(&scrypt, WAIT).unwrap();
        channel.accept_rmac_i(&rmac_i).unwrap();
        self.channel = Some(channel);
    }
}

fn next_event(events: &Receiver<Event>) -> Event {
    events.recv_timeout(WAIT).expect("an event")
}

#[test]
fn two_pds_on_one_line_clear_and_secure() {
    let (cp_end, pd_end) = memory::pair();
    let devices = vec![pd(0x01, Some(Scbk::new(KEY))), pd(0x02, None)];
    let bus = Arc::new(Mutex::new(PeripheralBus::new(devices, Box::new(pd_end))));
    let (events, handle) = run(Arc::clone(&bus));
    let mut cp = Cp::new(cp_end);
    let (secure, clear) = (address(0x01), address(0x02));

    // The clear PD: polled, switched, sent a file in fragments.
    assert_eq!(cp.ask(clear, &Command::Poll), Reply::Ack);
    assert_eq!(
        next_event(&events),
        (clear, PeripheralEvent::Online { secure: false })
    );
    let strike = vec![OutputControl {
        output: 0,
        code: OutputControlCode::TEMPORARY_ON,
        timer: 30,
    }];
    assert_eq!(cp.ask(clear, &Command::Out(strike.clone())), Reply::Ack);
    assert_eq!(
        next_event(&events),
        (clear, PeripheralEvent::Output(strike.clone()))
    );
    let image: Vec<u8> = (0..40).collect();
    for (index, chunk) in image.chunks(16).enumerate() {
        let fragment = FileTransfer {
            file_type: FileType::OPAQUE,
            total_size: 40,
            offset: u32::try_from(index * 16).unwrap(),
            data: chunk.to_vec(),
        };
        let Reply::FtStat(status) = cp.ask(clear, &Command::FileTransfer(fragment)) else {
            panic!("FTSTAT expected");
        };
        assert!(status.status.0 >= 0);
    }
    assert_eq!(
        next_event(&events),
        (
            clear,
            PeripheralEvent::FileReceived {
                file_type: FileType::OPAQUE,
                contents: image
            }
        )
    );

    // Nobody answers for an address no PD has.
    let header = cp.header(address(0x03));
    let nobody = Frame::command(header, &Command::Poll).unwrap();
    assert_eq!(cp.exchange(&nobody, Duration::from_millis(100)), None);

    // The keyed PD: a card waits for the secure channel.
    let card = RawCard {
        reader: 0,
        format: RawFormat::WIEGAND,
        bit_count: 26,
        data: vec![0x80, 0x80, 0x00, 0x80],
    };
    bus.lock()
        .unwrap()
        .device_mut(secure)
        .unwrap()
        .report(Report::Card(card.clone()));
    assert_eq!(cp.ask(secure, &Command::Poll), Reply::Ack);
    assert_eq!(
        cp.ask(secure, &Command::Out(strike.clone())),
        Reply::Nak(Nak::new(NakCode::SECURITY_CONDITIONS))
    );
    cp.handshake(secure, Scbk::new(KEY));
    assert_eq!(cp.ask(secure, &Command::Poll), Reply::Raw(card));
    assert_eq!(cp.ask(secure, &Command::Out(strike.clone())), Reply::Ack);
    let secure_events: Vec<Event> = std::iter::from_fn(|| events.recv_timeout(WAIT).ok())
        .take(3)
        .collect();
    assert_eq!(
        secure_events,
        [
            (secure, PeripheralEvent::Online { secure: false }),
            (secure, PeripheralEvent::Online { secure: true }),
            (secure, PeripheralEvent::Output(strike)),
        ]
    );
    assert!(bus.lock().unwrap().device_mut(secure).unwrap().is_secure());

    // A broadcast is answered by one PD only (the first), at the broadcast address.
    cp.channel = None;
    let reply = cp.ask(Address::BROADCAST, &Command::Id(ReportRequest::default()));
    let Reply::PdId(id) = reply else {
        panic!("PDID expected, got {reply:?}");
    };
    assert_eq!(id.serial, 1);
    let mut rest = [0; 64];
    assert_eq!(
        cp.line
            .receive(&mut rest, Duration::from_millis(100))
            .unwrap(),
        0
    );

    drop(cp);
    handle.join().unwrap();
}

/// The sibling control panel (`osdp::control_panel`, sans-io) and two PDs, one keyed,
/// one in clear, on a simulated line with simulated time.
mod with_the_control_panel {
    use std::time::Instant;

    use accessctl_devices::osdp::control_panel::{
        ControlPanel, ControlPanelEvent, PdSetup, PdStatus, Security, Timing,
    };

    use super::*;

    /// Both loops on one line for `steps` ticks of 10 ms: what each side reported.
    struct Line {
        cp: ControlPanel,
        pds: Vec<PeripheralDevice>,
        now: Instant,
    }

    impl Line {
        fn run(&mut self, steps: usize) -> (Vec<ControlPanelEvent>, Vec<Event>) {
            let (mut cp_events, mut pd_events) = (Vec::new(), Vec::new());
            for _ in 0..steps {
                self.now += Duration::from_millis(10);
                if let Some(bytes) = self.cp.poll_transmit(self.now) {
                    for pd in &mut self.pds {
                        if let Some(reply) = pd.handle_input(&bytes, self.now) {
                            self.cp.handle_input(&reply, self.now);
                        }
                    }
                }
                for pd in &mut self.pds {
                    pd.handle_timeout(self.now);
                    let at = pd.address();
                    pd_events.extend(std::iter::from_fn(|| pd.next_event()).map(|e| (at, e)));
                }
                cp_events.extend(std::iter::from_fn(|| self.cp.next_event()));
            }
            (cp_events, pd_events)
        }
    }

    #[test]
    fn online_secure_then_card_output_and_file() {
        let setups = vec![
            PdSetup {
                address: address(1),
                security: Security::Secure(Scbk::new(KEY)),
            },
            PdSetup {
                address: address(2),
                security: Security::Clear,
            },
        ];
        let mut seed = 0u8;
        let entropy = Box::new(move |bytes: &mut [u8]| {
            for byte in bytes {
                seed = seed.wrapping_add(13);
                *byte = seed;
            }
        });
        let mut line = Line {
            cp: ControlPanel::new(setups, Timing::default(), entropy).unwrap(),
            pds: vec![pd(1, Some(Scbk::new(KEY))), pd(2, None)],
            now: Instant::now(),
        };
        line.run(100);
        assert_eq!(
            line.cp.status(address(1)),
            Some(PdStatus::Online { secure: true })
        );
        assert_eq!(
            line.cp.status(address(2)),
            Some(PdStatus::Online { secure: false })
        );
        assert!(line.pds[0].is_secure());

        let card = RawCard {
            reader: 0,
            format: RawFormat::WIEGAND,
            bit_count: 26,
            data: vec![0x80, 0x80, 0x00, 0x80],
        };
        let strike = vec![OutputControl {
            output: 0,
            code: OutputControlCode::TEMPORARY_ON,
            timer: 30,
        }];
        let image: Vec<u8> = (0..60).collect();
        line.pds[0].report(Report::Card(card.clone()));
        line.cp
            .submit(address(1), Command::Out(strike.clone()))
            .unwrap();
        line.cp
            .send_file(address(2), FileType::OPAQUE, image.clone())
            .unwrap();
        let (cp_events, pd_events) = line.run(200);
        assert!(cp_events.contains(&ControlPanelEvent::Card {
            address: address(1),
            card
        }));
        assert!(cp_events.contains(&ControlPanelEvent::FileSent {
            address: address(2)
        }));
        assert!(pd_events.contains(&(address(1), PeripheralEvent::Output(strike))));
        assert!(pd_events.contains(&(
            address(2),
            PeripheralEvent::FileReceived {
                file_type: FileType::OPAQUE,
                contents: image
            }
        )));
    }
}
