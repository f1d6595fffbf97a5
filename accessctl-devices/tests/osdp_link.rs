//! Our control panel against our peripheral device, each on its own end of the
//! in-memory transport pair, secure channel on: the online sequence, a card read, a
//! file transfer; then the same with bytes dropped on the line both ways, which the
//! control panel's retries must absorb. Owns only the PD thread's harness.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use accessctl_devices::osdp::control_panel::{
    ControlPanel, ControlPanelBus, ControlPanelEvent, Entropy, PdSetup, PdStatus, Security, Timing,
};
use accessctl_devices::osdp::peripheral::{
    PeripheralBus, PeripheralDevice, PeripheralEvent, PeripheralSetup, Report,
};
use accessctl_devices::osdp::secure::Scbk;
use accessctl_devices::osdp::{
    Address, Capability, CapabilityFunction, DeviceId, FileType, RawCard, RawFormat,
};
use accessctl_devices::transport::{memory, FaultInjection, MemoryEnd};

const KEY: [u8; 16] = [0x3C; 16];

fn address() -> Address {
    Address::new(0x12).unwrap()
}

/// A deterministic entropy source, different for each side.
fn entropy(seed: u8) -> Entropy {
    let mut state = seed;
    Box::new(move |buf: &mut [u8]| {
        for byte in buf {
            state = state.wrapping_mul(31).wrapping_add(7);
            *byte = state;
        }
    })
}

fn card() -> RawCard {
    RawCard {
        reader: 0,
        format: RawFormat::WIEGAND,
        bit_count: 26,
        data: vec![0x80, 0x80, 0x00, 0x80],
    }
}

/// Runs our PD on `end` until the control panel hangs up: queues the reports it is
/// sent, passes its events on.
fn run_pd(end: MemoryEnd, reports: mpsc::Receiver<Report>, events: mpsc::Sender<PeripheralEvent>) {
    let setup = PeripheralSetup {
        address: address(),
        scbk: Some(Scbk::new(KEY)),
        allow_install_mode: false,
        id: DeviceId::default(),
        capabilities: vec![Capability {
            function: CapabilityFunction::COMMUNICATION_SECURITY,
            compliance: 1,
            count: 0,
        }],
        max_file_len: 64 * 1024,
    };
    let device = PeripheralDevice::new(setup, entropy(0x5D));
    let mut bus = PeripheralBus::new(vec![device], Box::new(end));
    loop {
        for report in reports.try_iter() {
            if let Some(device) = bus.device_mut(address()) {
                device.report(report);
            }
        }
        let Ok(stepped) = bus.step(Duration::from_millis(20)) else {
            return; // the control panel hung up
        };
        for (_, event) in stepped {
            let _ = events.send(event);
        }
    }
}

struct Link {
    bus: ControlPanelBus,
    reports: mpsc::Sender<Report>,
    pd_events: mpsc::Receiver<PeripheralEvent>,
    seen: Vec<ControlPanelEvent>,
}

impl Link {
    fn new(cp_faults: FaultInjection, pd_faults: FaultInjection, timing: Timing) -> Self {
        let (mut cp_end, mut pd_end) = memory::pair();
        cp_end.set_faults(cp_faults);
        pd_end.set_faults(pd_faults);
        let (reports, pd_reports) = mpsc::channel();
        let (pd_sender, pd_events) = mpsc::channel();
        thread::spawn(move || run_pd(pd_end, pd_reports, pd_sender));
        let pds = vec![PdSetup {
            address: address(),
            security: Security::Secure(Scbk::new(KEY)),
        }];
        let panel = ControlPanel::new(pds, timing, entropy(0xA3)).unwrap();
        Self {
            bus: ControlPanelBus::new(panel, Box::new(cp_end)),
            reports,
            pd_events,
            seen: Vec::new(),
        }
    }

    /// Steps the control panel until an event matching `wanted` came (10 s at most).
    fn wait_for(&mut self, wanted: impl Fn(&ControlPanelEvent) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let events = self.bus.step(Duration::from_millis(100)).unwrap();
            let found = events.iter().any(&wanted);
            self.seen.extend(events);
            if found {
                return;
            }
        }
        panic!("the awaited event never came; saw {:?}", self.seen);
    }

    /// The card read and the file transfer, start to end.
    fn card_and_file(&mut self) {
        self.wait_for(|e| matches!(e, ControlPanelEvent::Online { .. }));
        assert_eq!(
            self.seen.first(),
            Some(&ControlPanelEvent::Online {
                address: address(),
                secure: true,
                id: Some(DeviceId::default())
            })
        );
        self.reports.send(Report::Card(card())).unwrap();
        self.wait_for(|e| matches!(e, ControlPanelEvent::Card { .. }));
        assert!(self.seen.contains(&ControlPanelEvent::Card {
            address: address(),
            card: card()
        }));

        let contents: Vec<u8> = (0..1500u32).map(|i| (i * 7 % 251) as u8).collect();
        let panel = self.bus.panel_mut();
        panel
            .send_file(address(), FileType::OPAQUE, contents.clone())
            .unwrap();
        self.wait_for(|e| {
            matches!(
                e,
                ControlPanelEvent::FileSent { .. } | ControlPanelEvent::FileFailed { .. }
            )
        });
        assert_eq!(
            self.seen.last(),
            Some(&ControlPanelEvent::FileSent { address: address() })
        );
        let received =
            std::iter::from_fn(|| self.pd_events.recv_timeout(Duration::from_secs(5)).ok())
                .find_map(|event| match event {
                    PeripheralEvent::FileReceived { contents, .. } => Some(contents),
                    _ => None,
                });
        assert_eq!(received, Some(contents));
        assert_eq!(
            self.bus.panel_mut().status(address()),
            Some(PdStatus::Online { secure: true })
        );
    }
}

#[test]
fn secure_card_read_and_file_transfer() {
    let mut link = Link::new(
        FaultInjection::default(),
        FaultInjection::default(),
        Timing::default(),
    );
    link.card_and_file();
    assert!(!link
        .seen
        .iter()
        .any(|e| matches!(e, ControlPanelEvent::Offline { .. })));
}

#[test]
fn dropped_bytes_are_absorbed_by_retries() {
    let timing = Timing {
        reply_timeout: Duration::from_millis(100),
        retries: 4,
        ..Timing::default()
    };
    let drop = |every| FaultInjection {
        drop_every: every,
        ..FaultInjection::default()
    };
    // Commands lose one byte in 401, replies one in 89: a frame may be lost, never
    // three times in a row, and the PD stays online.
    let mut link = Link::new(drop(401), drop(89), timing);
    link.card_and_file();
    assert!(
        !link
            .seen
            .iter()
            .any(|e| matches!(e, ControlPanelEvent::Offline { .. })),
        "{:?}",
        link.seen
    );
}
