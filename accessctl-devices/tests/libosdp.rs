//! Interoperability with libosdp, the C implementation of OSDP, through its Python
//! bindings (`interop/libosdp/`): our control panel with a libosdp PD, a libosdp control
//! panel with our PD, and file transfers both ways, all over TCP on the loopback with
//! the secure channel on.
//!
//! The peers need a Python with `libosdp==3.2.9` (`.ci/run` installs it): the one named
//! by `ACCESSCTL_LIBOSDP_PYTHON`, else `.venv-libosdp/bin/python` at the workspace root.
//! Without one each test prints a notice and passes, unless `ACCESSCTL_REQUIRE_LIBOSDP=1`
//! (set by CI), which makes it fail. Each test has one deadline; the peer processes are
//! killed on every path.

mod peer;
mod session;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use accessctl_devices::osdp::control_panel::{
    ControlPanel, ControlPanelBus, ControlPanelEvent, Entropy, PdSetup, Security, Timing,
};
use accessctl_devices::osdp::peripheral::{
    PeripheralBus, PeripheralDevice, PeripheralEvent, PeripheralSetup, Report,
};
use accessctl_devices::osdp::secure::Scbk;
use accessctl_devices::osdp::{
    Address, Capability, CapabilityFunction, Command, DeviceId, FileType, KeySet, LedColor,
    OutputControl, OutputControlCode, PermanentLedCode, RawCard, RawFormat,
};
use accessctl_devices::transport::TcpTransport;
use accessctl_devices::wiegand::{self, Format, WiegandBits};
use peer::{is_event, Peer};
use session::{PanelSession, PeripheralSession};

/// The fixed test key both sides share (a test vector, not a secret).
const TEST_SCBK: [u8; 16] = [
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
];
/// The PD's address on the test bus.
const PD_ADDRESS: u8 = 0x65;
/// An H10301 card, facility 18, number 12345, parity bits included.
const CARD_BITS: &str = "00001001000110000001110011";
/// How long any one test may take before it fails.
const TEST_DEADLINE: Duration = Duration::from_secs(20);

/// [`TEST_SCBK`] as the scripts' `--scbk` takes it.
fn test_scbk_hex() -> String {
    TEST_SCBK.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn address() -> Address {
    Address::new(PD_ADDRESS).expect("a valid address")
}

/// A deterministic entropy source (the tests need no real randomness).
fn entropy() -> Entropy {
    let mut state: u32 = 0x2545_F491;
    Box::new(move |buf: &mut [u8]| {
        for byte in buf {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            *byte = state.to_le_bytes()[0];
        }
    })
}

/// 5,000 bytes that are not all alike, so a misplaced fragment shows.
fn test_file() -> Vec<u8> {
    (0..5000u32)
        .map(|index| index.wrapping_mul(2_654_435_761).to_be_bytes()[0])
        .collect()
}

/// A file in the temporary directory, removed when dropped (on every path).
struct TemporaryFile(PathBuf);

impl TemporaryFile {
    fn new(name: &str) -> Self {
        let file_name = format!("accessctl-libosdp-{}-{name}", std::process::id());
        Self(std::env::temp_dir().join(file_name))
    }

    fn path_text(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temporary path")
    }
}

impl Drop for TemporaryFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn card_bits() -> WiegandBits {
    let value = u128::from_str_radix(CARD_BITS, 2).expect("binary digits");
    WiegandBits::from_value(value, CARD_BITS.len()).expect("26 bits")
}

/// Starts `script` listening on a free loopback port, with the test address and
/// `extra` arguments, and connects to it.
fn start_peer(python: &Path, script: &'static str, extra: &[&str]) -> (Peer, TcpTransport) {
    let address_text = PD_ADDRESS.to_string();
    let mut arguments = vec![
        "--listen",
        "127.0.0.1:0",
        "--address",
        &address_text,
        "--timeout",
        "30",
    ];
    arguments.extend_from_slice(extra);
    let mut peer = Peer::spawn(python, script, &arguments);
    let deadline = Instant::now() + Duration::from_secs(10);
    let listening = peer.expect("listening address", deadline, |line| {
        is_event(line, "listening")
    });
    let at = listening["address"].as_str().expect("an address string");
    let transport = TcpTransport::connect(at, Duration::from_secs(5)).expect("connected");
    (peer, transport)
}

/// Our control panel with a libosdp PD, both with the test key, the PD started with
/// `extra` arguments.
fn our_control_panel_with_libosdp_pd(python: &Path, extra: &[&str]) -> PanelSession {
    let key = test_scbk_hex();
    let mut arguments = vec!["--scbk", key.as_str()];
    arguments.extend_from_slice(extra);
    let security = Security::Secure(Scbk::new(TEST_SCBK));
    our_control_panel_with(python, security, &arguments)
}

/// Our control panel talking to a libosdp PD (started with `arguments`) with `security`.
fn our_control_panel_with(python: &Path, security: Security, arguments: &[&str]) -> PanelSession {
    let deadline = Instant::now() + TEST_DEADLINE;
    let (peer, transport) = start_peer(python, "pd.py", arguments);
    let setup = PdSetup {
        address: address(),
        security,
    };
    let panel = ControlPanel::new(vec![setup], Timing::default(), entropy()).expect("one PD");
    let bus = ControlPanelBus::new(panel, Box::new(transport));
    PanelSession::new(bus, peer, deadline)
}

/// Our PD (the test key, an output, a reader, the secure channel announced in PDCAP,
/// which libosdp's CP needs to open one) with a libosdp CP started with `extra`.
fn libosdp_control_panel_with_our_pd(python: &Path, extra: &[&str]) -> PeripheralSession {
    let deadline = Instant::now() + TEST_DEADLINE;
    let key = test_scbk_hex();
    let mut arguments = vec!["--scbk", key.as_str()];
    arguments.extend_from_slice(extra);
    let (peer, transport) = start_peer(python, "cp.py", &arguments);
    let capability = |function, compliance, count| Capability {
        function,
        compliance,
        count,
    };
    let setup = PeripheralSetup {
        address: address(),
        scbk: Some(Scbk::new(TEST_SCBK)),
        allow_install_mode: false,
        id: DeviceId {
            vendor: [0x0A, 0x0B, 0x0C],
            model: 1,
            version: 2,
            serial: 0x1234_5678,
            firmware: [1, 2, 3],
        },
        capabilities: vec![
            capability(CapabilityFunction::OUTPUT_CONTROL, 1, 1),
            capability(CapabilityFunction::LED_CONTROL, 1, 1),
            capability(CapabilityFunction::AUDIBLE_OUTPUT, 1, 1),
            capability(CapabilityFunction::CARD_DATA_FORMAT, 1, 0),
            capability(CapabilityFunction::READERS, 0, 1),
            capability(CapabilityFunction::CHECK_CHARACTER, 1, 0),
            capability(CapabilityFunction::COMMUNICATION_SECURITY, 1, 0),
        ],
        max_file_len: 64 * 1024,
    };
    let device = PeripheralDevice::new(setup, entropy());
    let bus = PeripheralBus::new(vec![device], Box::new(transport));
    PeripheralSession::new(bus, peer, deadline)
}

fn is_secure_online(event: &ControlPanelEvent) -> bool {
    matches!(event, ControlPanelEvent::Online { secure: true, .. })
}

#[test]
fn our_control_panel_reads_a_card_and_drives_an_output_of_a_libosdp_pd() {
    let Some(python) = peer::python("libosdp PD with our CP") else {
        return;
    };
    let extra = ["--card-bits", CARD_BITS, "--keypad", "1234"];
    let mut session = our_control_panel_with_libosdp_pd(&python, &extra);

    session.await_event("secure Online", is_secure_online);
    session.await_peer("status online and secure", |line| {
        is_event(line, "status") && line["online"] == true && line["secure"] == true
    });
    let card = session.await_event("Card", |event| {
        matches!(event, ControlPanelEvent::Card { .. })
    });
    let ControlPanelEvent::Card {
        address: from,
        card,
    } = card
    else {
        unreachable!("matched a Card")
    };
    assert_eq!(from, address());
    assert_eq!(card.format, RawFormat::WIEGAND);
    assert_eq!(card.bit_count, 26);
    let bits = card.to_wiegand().expect("Wiegand bits");
    assert_eq!(bits, card_bits());
    let h10301 = Format::by_name("h10301").expect("H10301 is in the catalogue");
    let read = wiegand::decode(&bits, &h10301).expect("a valid H10301 read");
    assert_eq!((read.facility(), read.number()), (Some(18), 12345));
    let keypad = session.await_event("Keypad", |event| {
        matches!(event, ControlPanelEvent::Keypad { .. })
    });
    let ControlPanelEvent::Keypad { keypad, .. } = keypad else {
        unreachable!("matched a Keypad")
    };
    assert_eq!(keypad.digits, b"1234");

    let pulse = OutputControl {
        output: 0,
        code: OutputControlCode::TEMPORARY_ON,
        timer: 30,
    };
    let panel = session.bus.panel_mut();
    panel
        .submit(address(), Command::Out(vec![pulse]))
        .expect("a known PD");
    let output = session.await_peer("output command", |line| {
        is_event(line, "command") && line["kind"] == "output"
    });
    assert_eq!(output["output_no"], 0);
    assert_eq!(output["control_code"], 5);
    assert_eq!(output["timer_count"], 30);
}

#[test]
fn our_control_panel_sends_a_multi_fragment_file_to_a_libosdp_pd() {
    let Some(python) = peer::python("file transfer to a libosdp PD") else {
        return;
    };
    let out = TemporaryFile::new("received.bin");
    let extra = ["--file-out", out.path_text()];
    let mut session = our_control_panel_with_libosdp_pd(&python, &extra);
    session.await_event("secure Online", is_secure_online);

    let contents = test_file();
    let panel = session.bus.panel_mut();
    panel
        .send_file(address(), FileType::OPAQUE, contents.clone())
        .expect("a known PD");
    let file = session.await_peer("whole file", |line| is_event(line, "file"));
    session.await_event("FileSent", |event| {
        matches!(event, ControlPanelEvent::FileSent { .. })
    });
    let received = std::fs::read(&out.0).expect("the PD wrote the file");
    assert_eq!(file["size"], 5000);
    assert_eq!(file["id"], 1, "FileType::OPAQUE");
    assert!(received == contents, "the file the PD received differs");
    let fragments = session
        .seen
        .iter()
        .filter(|event| matches!(event, ControlPanelEvent::FileProgress { .. }))
        .count();
    assert!(
        fragments > 1,
        "a 5 KB file takes several fragments: {fragments}"
    );
}

#[test]
fn a_libosdp_control_panel_reads_a_card_from_our_pd_and_drives_its_output() {
    let Some(python) = peer::python("libosdp CP with our PD") else {
        return;
    };
    let extra = ["--output", "0", "--led", "--buzzer"];
    let mut session = libosdp_control_panel_with_our_pd(&python, &extra);

    session.await_peer("status online and secure", |line| {
        is_event(line, "status") && line["online"] == true && line["secure"] == true
    });
    let device = session.bus.device_mut(address()).expect("our PD");
    assert!(
        device.is_secure(),
        "libosdp sees a secure channel, so must we"
    );
    device.report(Report::Card(RawCard::from_wiegand(0, &card_bits())));
    let card = session.await_peer("card", |line| is_event(line, "card"));
    assert_eq!(card["bits"], 26);
    assert_eq!(card["bit_string"], CARD_BITS);
    assert_eq!(card["format"], 1, "libosdp's CARD_FMT_RAW_WIEGAND");

    let output = session.await_event("Output", |event| {
        matches!(event, PeripheralEvent::Output(_))
    });
    let pulse = OutputControl {
        output: 0,
        code: OutputControlCode::TEMPORARY_ON,
        timer: 10,
    };
    assert_eq!(output, PeripheralEvent::Output(vec![pulse]));
    let led = session.await_event("Led", |event| matches!(event, PeripheralEvent::Led(_)));
    let PeripheralEvent::Led(leds) = led else {
        unreachable!("matched a Led")
    };
    assert_eq!(leds.len(), 1);
    assert_eq!(leds[0].permanent.code, PermanentLedCode::SET);
    assert_eq!(leds[0].permanent.on_color, LedColor::GREEN);
    let buzzer = session.await_event("Buzzer", |event| {
        matches!(event, PeripheralEvent::Buzzer(_))
    });
    let PeripheralEvent::Buzzer(buzzer) = buzzer else {
        unreachable!("matched a Buzzer")
    };
    assert_eq!((buzzer.on_time, buzzer.off_time, buzzer.count), (2, 2, 1));
    let online = PeripheralEvent::Online { secure: true };
    assert!(session.seen.contains(&online), "{:#?}", session.seen);
}

#[test]
fn a_libosdp_control_panel_sends_a_file_to_our_pd() {
    let Some(python) = peer::python("file transfer from a libosdp CP") else {
        return;
    };
    let contents = test_file();
    let source = TemporaryFile::new("sent.bin");
    std::fs::write(&source.0, &contents).expect("a temporary file");
    let extra = ["--send-file", source.path_text(), "--file-id", "1"];
    let mut session = libosdp_control_panel_with_our_pd(&python, &extra);

    let received = session.await_event("FileReceived", |event| {
        matches!(event, PeripheralEvent::FileReceived { .. })
    });
    let PeripheralEvent::FileReceived {
        file_type,
        contents: got,
    } = received
    else {
        unreachable!("matched a FileReceived")
    };
    assert_eq!(file_type, FileType::OPAQUE);
    assert!(got == contents, "the file our PD received differs");
    session.await_peer("file_sent", |line| is_event(line, "file_sent"));
}

#[test]
fn our_control_panel_provisions_a_libosdp_pd_in_install_mode() {
    let Some(python) = peer::python("install mode with a libosdp PD") else {
        return;
    };
    // Without a key, libosdp's PD is in install mode: it accepts SCBK-D once.
    let mut session = our_control_panel_with(&python, Security::Install, &[]);
    session.await_event("secure Online (SCBK-D)", is_secure_online);

    let keyset = Command::KeySet(KeySet::scbk(Scbk::new(TEST_SCBK)));
    let panel = session.bus.panel_mut();
    panel.submit(address(), keyset).expect("a known PD");
    let command = session.await_peer("keyset command", |line| {
        is_event(line, "command") && line["kind"] == "keyset"
    });
    assert_eq!(command["type"], 1, "an SCBK");
    assert!(command.get("data").is_none(), "pd.py never prints a key");
}
