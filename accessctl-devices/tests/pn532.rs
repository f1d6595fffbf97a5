//! The PN532 end to end over a real pseudo-terminal: our host client against the
//! simulated PN532 (Classic and NTAG operations, a wrong key, a card pulled
//! mid-operation), and libnfc 1.8.0's tools against the same simulator (`nfc-list`,
//! `nfc-mfclassic r` and `w`, `nfc-poll` seeing the card come and go).
//!
//! The libnfc tests need `nfc-list`, `nfc-mfclassic` and `nfc-poll` (Debian
//! `libnfc-bin` and `libnfc-examples`; `.ci/run` installs them): without them they
//! FAIL, never pass having done nothing. Every tool runs under a deadline and is
//! killed on every path; what is checked is its output, not its exit code (`nfc-list`
//! exits 0 when it could not open the device).

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use accessctl_devices::card_io::{CardIo, CardIoError, CardType, KeySlot};
use accessctl_devices::pn532::client::{Pn532, Timeouts};
use accessctl_devices::pn532::sim::card::{SimCard, TRANSPORT_KEY};
use accessctl_devices::pn532::sim::SimPn532;
use accessctl_devices::transport::serial::{pseudo_terminal, PtyPeer};
use accessctl_devices::transport::{SerialTransport, Transport};

/// What the test tells the simulator's thread.
enum Control {
    Present(bool),
    RemoveAfter(u32),
    Stop,
}

/// A simulated PN532 served on a pseudo-terminal by a thread.
struct Simulator {
    path: String,
    control: Sender<Control>,
    thread: Option<JoinHandle<SimPn532>>,
    _peer: PtyPeer,
}

impl Simulator {
    fn start(card: SimCard) -> Simulator {
        let (mut transport, peer) = pseudo_terminal(115_200).expect("a pseudo-terminal");
        let (control, orders): (Sender<Control>, Receiver<Control>) = mpsc::channel();
        let thread = thread::spawn(move || {
            let mut device = SimPn532::new(card);
            let mut buf = [0u8; 1024];
            loop {
                match orders.try_recv() {
                    Ok(Control::Stop) | Err(mpsc::TryRecvError::Disconnected) => return device,
                    Ok(Control::Present(present)) => device.card_mut().set_present(present),
                    Ok(Control::RemoveAfter(n)) => device.card_mut().remove_after(Some(n)),
                    Err(mpsc::TryRecvError::Empty) => {}
                }
                let count = match transport.receive(&mut buf, Duration::from_millis(5)) {
                    Ok(count) => count,
                    Err(_) => {
                        thread::sleep(Duration::from_millis(5));
                        0
                    }
                };
                let now = Instant::now();
                if let Some(reply) = device.handle_input(&buf[..count], now) {
                    let _ = transport.send(&reply);
                }
                if let Some(reply) = device.poll(now) {
                    let _ = transport.send(&reply);
                }
            }
        });
        Simulator {
            path: peer.path().to_owned(),
            control,
            thread: Some(thread),
            _peer: peer,
        }
    }

    fn tell(&self, order: Control) {
        self.control.send(order).unwrap();
    }

    fn stop(mut self) -> SimPn532 {
        self.tell(Control::Stop);
        self.thread.take().unwrap().join().unwrap()
    }

    fn client(&self) -> Pn532<SerialTransport> {
        let transport = SerialTransport::open(&self.path, 115_200).unwrap();
        Pn532::open(transport, Timeouts::default()).unwrap()
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.control.send(Control::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[test]
fn the_client_encodes_a_classic_over_a_pseudo_terminal() {
    let sim = Simulator::start(SimCard::new(CardType::Classic1k));
    let mut pn532 = sim.client();
    let card = pn532.detect().unwrap().expect("a card in the field");
    assert_eq!(card.card_type, CardType::Classic1k);
    assert_eq!(card.uid, [0xDE, 0xAD, 0xBE, 0xEF]);
    // A wrong key is refused, and the card can be authenticated at once after.
    assert_eq!(
        pn532.authenticate(8, KeySlot::A, [1; 6]),
        Err(CardIoError::AuthenticationFailed { block: 8 })
    );
    pn532.authenticate(8, KeySlot::A, TRANSPORT_KEY).unwrap();
    pn532.write_block(9, [0x5A; 16]).unwrap();
    assert_eq!(pn532.read_block(9).unwrap(), [0x5A; 16]);
    // Personalise the sector: new keys, then the transport key no longer opens it.
    let mut trailer = pn532.read_block(11).unwrap();
    trailer[..6].copy_from_slice(&[0xA0; 6]);
    trailer[10..].copy_from_slice(&[0xB0; 6]);
    pn532.write_block(11, trailer).unwrap();
    assert_eq!(
        pn532.authenticate(8, KeySlot::A, TRANSPORT_KEY),
        Err(CardIoError::AuthenticationFailed { block: 8 })
    );
    pn532.authenticate(8, KeySlot::A, [0xA0; 6]).unwrap();
    assert_eq!(pn532.read_block(9).unwrap(), [0x5A; 16]);
    pn532.release().unwrap();
    pn532.close().unwrap();
    let device = sim.stop();
    assert_eq!(&device.card().memory()[9 * 16..10 * 16], &[0x5A; 16]);
}

#[test]
fn the_client_encodes_an_ntag_over_a_pseudo_terminal() {
    let sim = Simulator::start(SimCard::new(CardType::Ntag215));
    let mut pn532 = sim.client();
    let card = pn532.detect().unwrap().unwrap();
    assert_eq!(card.card_type, CardType::Ntag215);
    assert_eq!(card.uid.len(), 7);
    pn532.write_page(4, [1, 2, 3, 4]).unwrap();
    // Protect from page 4 on, read and write, with a password.
    pn532.write_page(0x85, [9, 8, 7, 6]).unwrap();
    pn532.write_page(0x86, [0xAB, 0xCD, 0, 0]).unwrap();
    pn532.write_page(0x84, [0x80, 0x05, 0, 0]).unwrap();
    pn532.write_page(0x83, [0x04, 0, 0, 0x04]).unwrap();
    pn532.release().unwrap();
    pn532.detect().unwrap().unwrap();
    assert!(matches!(
        pn532.read_pages(4),
        Err(CardIoError::Nak { address: 4, .. })
    ));
    assert_eq!(
        pn532.password_auth([0xFF; 4]),
        Err(CardIoError::AuthenticationFailed { block: 0 })
    );
    assert_eq!(pn532.password_auth([9, 8, 7, 6]), Ok([0xAB, 0xCD]));
    assert_eq!(&pn532.read_pages(4).unwrap()[..4], &[1, 2, 3, 4]);
}

#[test]
fn a_card_pulled_mid_operation_is_reported_removed_over_a_pseudo_terminal() {
    let sim = Simulator::start(SimCard::new(CardType::Classic4k));
    let mut pn532 = sim.client();
    assert_eq!(
        pn532.detect().unwrap().unwrap().card_type,
        CardType::Classic4k
    );
    sim.tell(Control::RemoveAfter(2));
    thread::sleep(Duration::from_millis(50));
    pn532.authenticate(4, KeySlot::A, TRANSPORT_KEY).unwrap();
    pn532.write_block(4, [1; 16]).unwrap();
    assert_eq!(pn532.write_block(5, [1; 16]), Err(CardIoError::Removed));
    assert_eq!(pn532.read_block(4), Err(CardIoError::NoCard));
    assert_eq!(pn532.detect(), Ok(None));
    sim.tell(Control::Present(true));
    thread::sleep(Duration::from_millis(50));
    assert!(pn532.detect().unwrap().is_some());
}

/// The environment that points libnfc at the simulator, and nothing else.
fn libnfc(sim: &Simulator, tool: &str, args: &[&str]) -> Command {
    let mut command = Command::new(tool);
    command
        .args(args)
        .env("LIBNFC_DEVICE", format!("pn532_uart:{}", sim.path))
        .env("LIBNFC_AUTO_SCAN", "false")
        .env("LIBNFC_INTRUSIVE_SCAN", "false")
        .env_remove("LIBNFC_LOG_LEVEL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Runs a libnfc tool to its end or its deadline (then kills it); its output, stdout
/// then stderr. Fails when the tool is not installed.
fn run_tool(mut command: Command, deadline: Duration) -> String {
    let name = command.get_program().to_string_lossy().into_owned();
    let mut child = command.spawn().unwrap_or_else(|error| {
        panic!(
            "cannot run `{name}` ({error}): install libnfc's tools \
             (`apt-get install -y libnfc-bin libnfc-examples`)"
        )
    });
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > deadline {
            let _ = child.kill();
            let output = output_of(&mut child);
            panic!("`{name}` did not finish within {deadline:?}; its output:\n{output}");
        }
        thread::sleep(Duration::from_millis(20));
    }
    output_of(&mut child)
}

fn output_of(child: &mut Child) -> String {
    let _ = child.wait();
    let mut text = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut text);
    }
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut text);
    }
    text
}

#[test]
fn libnfc_nfc_list_lists_the_simulated_card() {
    let sim = Simulator::start(SimCard::new(CardType::Classic1k));
    let output = run_tool(
        libnfc(&sim, "nfc-list", &["-t", "1"]),
        Duration::from_secs(20),
    );
    assert!(
        output.contains("1 ISO14443A passive target(s) found"),
        "{output}"
    );
    assert!(output.contains("UID (NFCID1): de  ad  be  ef"), "{output}");
    assert!(output.contains("ATQA (SENS_RES): 00  04"), "{output}");
    assert!(output.contains("SAK (SEL_RES): 08"), "{output}");
}

#[test]
fn libnfc_nfc_mfclassic_reads_and_writes_the_simulated_card() {
    let mut card = SimCard::new(CardType::Classic1k);
    // Something recognisable in block 4 before the read.
    card.detect().unwrap();
    card.authenticate(4, KeySlot::A, TRANSPORT_KEY).unwrap();
    card.write_block(4, *b"accessctl block4").unwrap();
    card.release().unwrap();
    let sim = Simulator::start(card);
    let dir = tempfile_dir();
    let dump = dir.join("read.mfd");
    let output = run_tool(
        libnfc(
            &sim,
            "nfc-mfclassic",
            &["r", "a", "u", dump.to_str().unwrap()],
        ),
        Duration::from_secs(60),
    );
    assert!(output.contains("Done, 64 of 64 blocks read."), "{output}");
    let read = std::fs::read(&dump).unwrap();
    assert_eq!(read.len(), 1024);
    assert_eq!(&read[..4], &[0xDE, 0xAD, 0xBE, 0xEF]);
    assert_eq!(&read[64..80], b"accessctl block4");
    // Write new data: the 1.8.0 tool writes the first block of sectors 1 to 15.
    let mut new = read.clone();
    for sector in 1..16usize {
        for block in 0..3 {
            let at = (sector * 4 + block) * 16;
            new[at..at + 16].fill(u8::try_from(sector * 16 + block).unwrap());
        }
    }
    let source = dir.join("write.mfd");
    std::fs::write(&source, &new).unwrap();
    let output = run_tool(
        libnfc(
            &sim,
            "nfc-mfclassic",
            &["w", "a", "u", source.to_str().unwrap()],
        ),
        Duration::from_secs(60),
    );
    assert!(output.contains("blocks written."), "{output}");
    let device = sim.stop();
    let memory = device.card().memory();
    for sector in 1..16usize {
        let at = sector * 64;
        assert_eq!(&memory[at..at + 16], &new[at..at + 16], "sector {sector}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn libnfc_nfc_poll_sees_the_card_come_and_go() {
    let mut card = SimCard::new(CardType::Classic1k);
    card.set_present(false);
    let sim = Simulator::start(card);
    let mut child = libnfc(&sim, "nfc-poll", &[])
        .spawn()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run `nfc-poll` ({error}): install libnfc's tools \
                 (`apt-get install -y libnfc-bin libnfc-examples`)"
            )
        });
    // The tool's output is block-buffered on a pipe: act on time, read it at its end.
    // It polls (InAutoPoll, which the simulator holds while the field is empty), the
    // card comes, the tool prints it and pings it until it goes, then says "done.".
    thread::sleep(Duration::from_millis(1500));
    sim.tell(Control::Present(true));
    thread::sleep(Duration::from_millis(1500));
    sim.tell(Control::Present(false));
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let output = output_of(&mut child);
    assert!(output.contains("NFC device will poll"), "{output}");
    assert!(output.contains("UID (NFCID1): de  ad  be  ef"), "{output}");
    let came = output.find("UID (NFCID1)").unwrap();
    let waiting = output.find("Waiting for card removing").expect(&output);
    let went = output.rfind("done.").expect(&output);
    assert!(came < waiting && waiting < went, "{output}");
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "accessctl-pn532-{}-{:?}",
        std::process::id(),
        thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The simulator's transport is a real serial transport: its name says which pty.
#[test]
fn the_pseudo_terminal_is_named() {
    let (transport, peer) = pseudo_terminal(115_200).unwrap();
    assert!(peer.path().starts_with("/dev/"), "{}", peer.path());
    assert_eq!(transport.name(), format!("pty:{}", peer.path()));
}
