//! Stalled frames: a lying length field, a truncated frame, noise between frames and an
//! announced length beyond what a receiver takes, on the PD side, the CP side and
//! between the two, on a simulated clock (the sans-io loops) and on the in-memory
//! transport with its line noise (the blocking drivers). Five bytes of noise must cost
//! at most one reply timeout, never an outage.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use accessctl_devices::osdp::control_panel::{
    ControlPanel, ControlPanelBus, ControlPanelEvent, PdSetup, Security, Timing,
};
use accessctl_devices::osdp::peripheral::{
    PeripheralBus, PeripheralDevice, PeripheralSetup, Report,
};
use accessctl_devices::osdp::{
    Address, Check, Command, DeviceId, Frame, Header, OutputControl, OutputControlCode, RawCard,
    RawFormat, Reply, Sequence, INTER_CHARACTER_GAP,
};
use accessctl_devices::sim::{peripheral_setup, SimKind, SimLink, SimReader};
use accessctl_devices::transport::{memory, MemoryEnd};

/// The PD's address.
const PD: u8 = 0x21;

/// The finding: a header announcing a 2,048-byte frame (SOM, address, LEN_LSB,
/// LEN_MSB, CTRL), and nothing after it.
const LYING_HEADER: [u8; 5] = [0x53, 0x21, 0x00, 0x08, 0x05];

/// Noise between frames: a mark byte, a stray byte, then what reads as the header of
/// a 64-byte frame, and one more byte.
const NOISE: [u8; 8] = [0xFF, 0x17, 0x53, 0x7E, 0x40, 0x00, 0x04, 0x99];

/// The simulated clock's step.
const STEP: Duration = Duration::from_millis(5);

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

fn address() -> Address {
    Address::new(PD).unwrap()
}

/// A PD in clear that announces no receive buffer size: it takes frames up to the
/// frame reader's default maximum, so a lying length within it must time out.
fn plain_pd() -> PeripheralDevice {
    let setup = PeripheralSetup {
        address: address(),
        scbk: None,
        allow_install_mode: false,
        id: DeviceId::default(),
        capabilities: Vec::new(),
        max_file_len: 0,
    };
    PeripheralDevice::new(setup, Box::new(|bytes: &mut [u8]| bytes.fill(7)))
}

/// The PD of a simulated device in clear: it announces a 1,024-byte receive buffer.
fn sim_pd(kind: SimKind) -> PeripheralDevice {
    let setup = peripheral_setup(kind, address(), None, false);
    PeripheralDevice::new(setup, Box::new(|bytes: &mut [u8]| bytes.fill(7)))
}

fn command(sequence: u8, command: &Command) -> Vec<u8> {
    let header = Header::command(address(), Sequence::new(sequence).unwrap(), Check::Crc16);
    Frame::command(header, command).unwrap().encode().unwrap()
}

fn poll(sequence: u8) -> Vec<u8> {
    command(sequence, &Command::Poll)
}

/// The one reply in `bytes`.
fn reply(bytes: Option<Vec<u8>>) -> Option<Reply> {
    let bytes = bytes?;
    let frame = Frame::decode(&bytes).unwrap();
    Some(frame.to_reply().unwrap())
}

fn card() -> RawCard {
    RawCard {
        reader: 0,
        format: RawFormat::WIEGAND,
        bit_count: 26,
        data: vec![0x80, 0x80, 0x00, 0x80],
    }
}

// The PD side, on a simulated clock.

#[test]
fn a_lying_length_field_costs_the_pd_one_poll_at_most() {
    for mut pd in [plain_pd(), sim_pd(SimKind::Reader), sim_pd(SimKind::Lock)] {
        let t0 = Instant::now();
        assert_eq!(reply(pd.handle_input(&poll(0), t0)), Some(Reply::Ack));
        assert_eq!(pd.handle_input(&LYING_HEADER, t0 + ms(10)), None);
        // The control panel's next poll, a poll interval later, is answered.
        let next = pd.handle_input(&poll(1), t0 + ms(60));
        assert_eq!(reply(next), Some(Reply::Ack), "{pd:?}");
        assert_eq!(
            reply(pd.handle_input(&poll(2), t0 + ms(120))),
            Some(Reply::Ack)
        );
    }
}

#[test]
fn a_length_beyond_the_receive_buffer_is_refused_from_its_header() {
    // 2,048 and 1,025 bytes announced to a PD whose buffer holds 1,024: the command
    // right behind the header, in the same burst, is answered at once.
    for header in [LYING_HEADER, [0x53, 0x21, 0x01, 0x04, 0x05]] {
        for mut pd in [sim_pd(SimKind::Reader), sim_pd(SimKind::Lock)] {
            let t0 = Instant::now();
            let burst = [&header[..], &poll(0)].concat();
            assert_eq!(reply(pd.handle_input(&burst, t0)), Some(Reply::Ack));
        }
    }
}

#[test]
fn a_command_behind_noise_in_the_same_burst_is_answered_after_the_gap() {
    let mut pd = plain_pd();
    let t0 = Instant::now();
    assert_eq!(reply(pd.handle_input(&poll(0), t0)), Some(Reply::Ack));
    let burst = [&LYING_HEADER[..], &poll(1)].concat();
    let at = t0 + ms(10);
    assert_eq!(pd.handle_input(&burst, at), None);
    // Silence within the gap: the frame may still be coming.
    assert_eq!(pd.handle_input(&[], at + INTER_CHARACTER_GAP / 2), None);
    // Silence for the gap: the lying frame is dropped, the poll behind it found.
    let answer = pd.handle_input(&[], at + INTER_CHARACTER_GAP);
    assert_eq!(reply(answer), Some(Reply::Ack));
}

#[test]
fn a_truncated_frame_is_dropped_after_the_gap() {
    let mut pd = plain_pd();
    let t0 = Instant::now();
    assert_eq!(reply(pd.handle_input(&poll(0), t0)), Some(Reply::Ack));
    // A command to the next PD of a multi-drop line, cut short by a glitch.
    let pulse = OutputControl {
        output: 0,
        code: OutputControlCode::TEMPORARY_ON,
        timer: 30,
    };
    let header = Header::command(Address::new(PD + 1).unwrap(), Sequence::ZERO, Check::Crc16);
    let out = Frame::command(header, &Command::Out(vec![pulse; 5]));
    let out = out.unwrap().encode().unwrap();
    assert_eq!(out.len(), 28);
    assert_eq!(pd.handle_input(&out[..12], t0 + ms(10)), None);
    // Our next poll, shorter than what the cut frame still lacks, is answered.
    let answer = pd.handle_input(&poll(1), t0 + ms(10) + INTER_CHARACTER_GAP);
    assert_eq!(reply(answer), Some(Reply::Ack));
}

#[test]
fn noise_between_frames_costs_nothing() {
    let mut pd = plain_pd();
    let t0 = Instant::now();
    assert_eq!(reply(pd.handle_input(&poll(0), t0)), Some(Reply::Ack));
    let noise_at = t0 + ms(30);
    assert_eq!(pd.handle_input(&NOISE, noise_at), None);
    let at = noise_at + INTER_CHARACTER_GAP;
    assert_eq!(reply(pd.handle_input(&poll(1), at)), Some(Reply::Ack));
    // Noise right after a frame, in its burst, is dropped with the next silence.
    let burst = [&poll(2)[..], &NOISE].concat();
    assert_eq!(reply(pd.handle_input(&burst, at + ms(5))), Some(Reply::Ack));
    let at = at + ms(5) + INTER_CHARACTER_GAP;
    assert_eq!(reply(pd.handle_input(&poll(3), at)), Some(Reply::Ack));
}

#[test]
fn frames_of_one_burst_are_never_cut_by_the_gap() {
    // Bytes that keep coming closer than the gap form one frame, however slowly the
    // whole frame arrives.
    let mut pd = plain_pd();
    let t0 = Instant::now();
    let frame = poll(0);
    let mut at = t0;
    let mut answer = None;
    for byte in &frame {
        answer = pd.handle_input(&[*byte], at);
        at += INTER_CHARACTER_GAP / 2;
    }
    assert_eq!(reply(answer), Some(Reply::Ack));
}

// The control panel side, on a simulated clock, against a real PD.

/// A control panel and one PD on a simulated line and clock; noise can be put on the
/// line towards either.
struct Line {
    panel: ControlPanel,
    pd: PeripheralDevice,
    now: Instant,
    events: Vec<ControlPanelEvent>,
    /// The instants the PD answered at.
    answers: Vec<Instant>,
}

impl Line {
    fn new(pd: PeripheralDevice) -> Line {
        let pds = vec![PdSetup {
            address: address(),
            security: Security::Clear,
        }];
        let panel = ControlPanel::new(pds, Timing::default(), Box::new(|_: &mut [u8]| {}));
        Line {
            panel: panel.unwrap(),
            pd,
            now: Instant::now(),
            events: Vec::new(),
            answers: Vec::new(),
        }
    }

    /// Delivers what each end sends at the current instant.
    fn tick(&mut self) {
        let idle = self.pd.handle_input(&[], self.now);
        self.deliver(idle);
        while let Some(bytes) = self.panel.poll_transmit(self.now) {
            let answer = self.pd.handle_input(&bytes, self.now);
            if !self.deliver(answer) {
                break;
            }
        }
        self.pd.handle_timeout(self.now);
        while self.pd.next_event().is_some() {}
        self.events
            .extend(std::iter::from_fn(|| self.panel.next_event()));
    }

    fn deliver(&mut self, answer: Option<Vec<u8>>) -> bool {
        let Some(answer) = answer else {
            return false;
        };
        self.answers.push(self.now);
        self.panel.handle_input(&answer, self.now);
        true
    }

    fn run(&mut self, duration: Duration) {
        let end = self.now + duration;
        while self.now < end {
            self.tick();
            self.now += STEP;
        }
    }

    /// Online, its events taken.
    fn online(pd: PeripheralDevice) -> Line {
        let mut line = Line::new(pd);
        line.run(ms(300));
        assert!(
            matches!(line.events.first(), Some(ControlPanelEvent::Online { .. })),
            "{:?}",
            line.events
        );
        line.events.clear();
        line
    }

    /// The next command the panel sends, the clock moved on to it.
    fn next_command(&mut self) -> Vec<u8> {
        loop {
            if let Some(bytes) = self.panel.poll_transmit(self.now) {
                return bytes;
            }
            self.now += STEP;
        }
    }

    /// The longest time between two answers of the PD.
    fn longest_silence(&self) -> Duration {
        self.answers
            .windows(2)
            .map(|pair| pair[1] - pair[0])
            .max()
            .unwrap_or_default()
    }
}

#[test]
fn noise_towards_the_pd_never_takes_it_offline() {
    // The finding: between a controller and a lock, five bytes of noise made 136 s of
    // outage. Now the poll cycle goes on, late by one reply timeout at most.
    for pd in [plain_pd(), sim_pd(SimKind::Lock), sim_pd(SimKind::Reader)] {
        let mut line = Line::online(pd);
        line.answers.clear();
        line.run(ms(100));
        assert_eq!(line.pd.handle_input(&LYING_HEADER, line.now), None);
        line.run(ms(3000));
        assert!(line.events.is_empty(), "{:?}", line.events);
        let timing = Timing::default();
        let cycle = timing.reply_timeout + timing.poll_interval;
        assert!(
            line.longest_silence() <= cycle,
            "silent for {:?}",
            line.longest_silence()
        );
    }
}

/// Card read waiting at the PD, then the panel's next poll and the PD's answer.
fn card_answer(line: &mut Line) -> (Instant, Vec<u8>) {
    line.pd.report(Report::Card(card()));
    let poll = line.next_command();
    let sent_at = line.now;
    let answer = line.pd.handle_input(&poll, sent_at).unwrap();
    (sent_at, answer)
}

fn card_event(events: &[ControlPanelEvent]) -> bool {
    events
        .iter()
        .any(|event| matches!(event, ControlPanelEvent::Card { card: read, .. } if *read == card()))
}

#[test]
fn a_reply_behind_noise_in_the_same_burst_is_taken_after_the_gap() {
    let mut line = Line::online(plain_pd());
    let (sent_at, answer) = card_answer(&mut line);
    let at = sent_at + ms(2);
    let burst = [&LYING_HEADER[..], &answer].concat();
    line.panel.handle_input(&burst, at);
    assert_eq!(line.panel.next_event(), None);
    // The panel wants to be called when the gap ends, not at the reply timeout...
    let due = line.panel.next_deadline().unwrap();
    assert!(due <= at + INTER_CHARACTER_GAP, "{:?}", due - at);
    // ...and then finds the reply behind the noise: no retry.
    assert_eq!(line.panel.poll_transmit(due), None);
    let events: Vec<_> = std::iter::from_fn(|| line.panel.next_event()).collect();
    assert!(card_event(&events), "{events:?}");
}

#[test]
fn a_reply_after_noise_and_a_gap_is_taken_at_once() {
    let mut line = Line::online(plain_pd());
    let (sent_at, answer) = card_answer(&mut line);
    line.panel.handle_input(&LYING_HEADER, sent_at + ms(1));
    line.panel
        .handle_input(&answer, sent_at + ms(1) + INTER_CHARACTER_GAP);
    let events: Vec<_> = std::iter::from_fn(|| line.panel.next_event()).collect();
    assert!(card_event(&events), "{events:?}");
}

#[test]
fn noise_between_replies_costs_the_panel_nothing() {
    let mut line = Line::online(plain_pd());
    let (sent_at, answer) = card_answer(&mut line);
    line.panel.handle_input(&NOISE, sent_at + ms(1));
    line.panel
        .handle_input(&answer, sent_at + ms(1) + INTER_CHARACTER_GAP);
    let events: Vec<_> = std::iter::from_fn(|| line.panel.next_event()).collect();
    assert!(card_event(&events), "{events:?}");
}

#[test]
fn a_reply_length_beyond_the_largest_frame_is_refused_from_its_header() {
    let mut line = Line::online(plain_pd());
    let (sent_at, answer) = card_answer(&mut line);
    // 4,096 bytes announced, more than the panel takes: the reply behind the header,
    // in the same burst, is taken at once.
    let burst = [&[0x53, 0xA1, 0x00, 0x10, 0x05][..], &answer].concat();
    line.panel.handle_input(&burst, sent_at + ms(2));
    let events: Vec<_> = std::iter::from_fn(|| line.panel.next_event()).collect();
    assert!(card_event(&events), "{events:?}");
}

// The blocking drivers, on the in-memory transport with line noise.

/// A control panel bus to one clear PD over `end`.
fn panel_bus(end: MemoryEnd) -> ControlPanelBus {
    let pds = vec![PdSetup {
        address: address(),
        security: Security::Clear,
    }];
    let panel = ControlPanel::new(pds, Timing::default(), Box::new(|_: &mut [u8]| {})).unwrap();
    ControlPanelBus::new(panel, Box::new(end))
}

/// Steps `bus` for `duration`; the events.
fn run_bus(bus: &mut ControlPanelBus, duration: Duration) -> Vec<ControlPanelEvent> {
    let end = Instant::now() + duration;
    let mut events = Vec::new();
    while Instant::now() < end {
        events.extend(bus.step(end - Instant::now()).unwrap());
    }
    events
}

/// Brings the PD online, puts the lying header on the line towards it, and checks
/// that it stays online for the next two seconds.
fn survives_the_lying_header(bus: &mut ControlPanelBus, noise: &memory::LineNoise) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut events = Vec::new();
    while !events
        .iter()
        .any(|event| matches!(event, ControlPanelEvent::Online { .. }))
    {
        assert!(Instant::now() < deadline, "never online: {events:?}");
        events.extend(bus.step(ms(100)).unwrap());
    }
    run_bus(bus, ms(200));
    noise.inject(&LYING_HEADER);
    let events = run_bus(bus, ms(2000));
    assert!(
        !events
            .iter()
            .any(|event| matches!(event, ControlPanelEvent::Offline { .. })),
        "{events:?}"
    );
}

#[test]
fn a_simulated_reader_on_its_link_answers_through_the_noise() {
    let (cp_end, pd_end) = memory::pair();
    let noise = cp_end.noise();
    let mut bus = panel_bus(cp_end);
    let done = Arc::new(AtomicBool::new(false));
    let stop = Arc::clone(&done);
    let device = thread::spawn(move || {
        let setup = peripheral_setup(SimKind::Reader, address(), None, false);
        let mut reader = SimReader::new(setup, Box::new(|bytes: &mut [u8]| bytes.fill(7)));
        let mut link = SimLink::new(Box::new(pd_end));
        while !stop.load(Ordering::Relaxed) {
            if link.exchange(&mut reader, ms(20)).is_err() {
                return;
            }
        }
    });
    survives_the_lying_header(&mut bus, &noise);
    done.store(true, Ordering::Relaxed);
    drop(bus);
    device.join().unwrap();
}

#[test]
fn a_peripheral_bus_answers_through_the_noise() {
    let (cp_end, pd_end) = memory::pair();
    let noise = cp_end.noise();
    let mut bus = panel_bus(cp_end);
    let device = thread::spawn(move || {
        let mut pds = PeripheralBus::new(vec![plain_pd()], Box::new(pd_end));
        while pds.step(ms(50)).is_ok() {}
    });
    survives_the_lying_header(&mut bus, &noise);
    drop(bus);
    device.join().unwrap();
}
