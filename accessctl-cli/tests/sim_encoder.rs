//! `accessctl sim encoder` as a process: it prints its pseudo-terminal, a PN532 host
//! (the devices crate's client) encodes the simulated card through it, and the card's
//! memory survives a restart through `--state`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::channel;
use std::time::Duration;

use accessctl_devices::card_io::{CardIo, CardType};
use accessctl_devices::pn532::client::{Pn532, Timeouts};
use accessctl_devices::transport::SerialTransport;
use serde_json::Value;
use tempfile::TempDir;

/// A `sim encoder` process, killed when dropped, and the port it printed.
struct Encoder {
    child: Child,
    port: String,
}

impl Encoder {
    fn spawn(state: &Path) -> Encoder {
        let mut child = Command::new(env!("CARGO_BIN_EXE_accessctl"))
            .args([
                "sim",
                "encoder",
                "--card",
                "ntag215",
                "--timeout",
                "30",
                "--format",
                "json",
            ])
            .arg("--state")
            .arg(state)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        let first = lines.recv_timeout(Duration::from_secs(15)).unwrap();
        let event: Value = serde_json::from_str(&first).unwrap();
        assert_eq!(event["event"], "listening");
        assert_eq!(event["card"], "ntag215");
        assert_eq!(event["uid"], "04513A126B9080");
        let port = event["port"].as_str().unwrap().to_owned();
        assert!(port.starts_with("serial:/dev/"), "{port}");
        Encoder { child, port }
    }

    fn client(&self) -> Pn532<SerialTransport> {
        let path = self.port.trim_start_matches("serial:");
        let transport = SerialTransport::open(path, 115_200).unwrap();
        Pn532::open(transport, Timeouts::default()).unwrap()
    }
}

impl Drop for Encoder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn sim_encoder_serves_a_pn532_host_and_keeps_the_card_between_runs() {
    let dir = TempDir::new().unwrap();
    let state = dir.path().join("card.bin");
    {
        let encoder = Encoder::spawn(&state);
        let mut pn532 = encoder.client();
        let card = pn532.detect().unwrap().unwrap();
        assert_eq!(card.card_type, CardType::Ntag215);
        pn532.write_page(4, *b"acl!").unwrap();
        pn532.release().unwrap();
        // The state file is written after each change; give the loop a turn.
        std::thread::sleep(Duration::from_millis(200));
    }
    {
        let encoder = Encoder::spawn(&state);
        let mut pn532 = encoder.client();
        pn532.detect().unwrap().unwrap();
        assert_eq!(&pn532.read_pages(4).unwrap()[..4], b"acl!");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&state).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn sim_encoder_refuses_a_uid_of_the_wrong_length() {
    let output = Command::new(env!("CARGO_BIN_EXE_accessctl"))
        .args([
            "sim", "encoder", "--card", "ntag216", "--uid", "01020304", "--format", "json",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("invalid_uid"), "{text}");
}
