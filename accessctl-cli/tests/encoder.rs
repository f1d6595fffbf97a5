//! `accessctl encoder …` end to end: the binary drives a simulated PN532 (with a
//! simulated card) on a pseudo-terminal, as it would a real encoder on a serial port.
//! Every output is checked never to show a key of the store.

use std::fs;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use accessctl_devices::card_io::CardType;
use accessctl_devices::pn532::sim::card::SimCard;
use accessctl_devices::pn532::sim::SimPn532;
use accessctl_devices::sim::SimLink;
use accessctl_devices::transport::serial::SerialTransport;
use serialport::{SerialPort, TTYPort};
use tempfile::TempDir;

use crate::support::{run_in, Run};

const POLICY: &str = r#"site hq {
  timezone "Europe/Paris"
  keystore "hq.keys"
  door store {
    offline
  }
  door lab {
    offline
  }
}

account acme {
  user ana "Ana" {
    card 42
    offline
    allow store
  }
  user bob "Bob" {
    card 43
    offline
    allow store
  }
}
"#;

/// A simulated encoder on a pty, and a policy with its key store.
struct Bench {
    dir: TempDir,
    port: String,
    sim: Arc<Mutex<SimPn532>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    _slave: TTYPort,
    runs: Vec<Run>,
}

impl Bench {
    fn new(card_type: CardType) -> Bench {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("policy")).unwrap();
        fs::write(dir.path().join("policy/site.acl"), POLICY).unwrap();
        let (master, slave) = TTYPort::pair().unwrap();
        let port = format!("serial:{}:115200", slave.name().unwrap());
        let sim = Arc::new(Mutex::new(SimPn532::new(SimCard::new(card_type))));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (sim, stop) = (Arc::clone(&sim), Arc::clone(&stop));
            std::thread::spawn(move || {
                let transport = SerialTransport::from_port(Box::new(master), "pty".into(), 115_200);
                let mut link = SimLink::new(Box::new(transport));
                while !stop.load(Ordering::Relaxed) {
                    let mut device = sim.lock().unwrap();
                    if link
                        .exchange(&mut *device, Duration::from_millis(5))
                        .is_err()
                    {
                        drop(device);
                        std::thread::sleep(Duration::from_millis(5));
                    }
                }
            })
        };
        let mut bench = Bench {
            dir,
            port,
            sim,
            stop,
            thread: Some(thread),
            _slave: slave,
            runs: Vec::new(),
        };
        let init = bench.run(&["keys", "init", "--policy", "policy"]);
        assert_eq!(init.code, Some(0), "{}", init.stderr);
        bench
    }

    fn run(&mut self, args: &[&str]) -> &Run {
        let run = run_in(self.dir.path(), args);
        self.runs.push(run);
        self.runs.last().unwrap()
    }

    /// `encoder COMMAND --port P [--policy policy] ARGS --format json`.
    fn encoder(&mut self, command: &str, args: &[&str]) -> &Run {
        let port = self.port.clone();
        let mut full = vec!["encoder", command, "--port", &port];
        if command != "info" {
            full.extend(["--policy", "policy"]);
        }
        full.extend(args);
        full.extend(["--format", "json"]);
        self.run(&full)
    }

    /// Puts `card` on the encoder; returns the card that was there.
    fn swap(&self, card: SimCard) -> SimCard {
        std::mem::replace(self.sim.lock().unwrap().card_mut(), card)
    }

    fn edit(&self, from: &str, to: &str) {
        let path = self.dir.path().join("policy/site.acl");
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{from}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if std::thread::panicking() {
            return;
        }
        let store = fs::read_to_string(self.dir.path().join("policy/hq.keys")).unwrap();
        let keys: Vec<&str> = store
            .split('"')
            .filter(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .collect();
        assert!(!keys.is_empty());
        for run in &self.runs {
            for key in &keys {
                assert!(!run.stdout.contains(key) && !run.stderr.contains(key));
            }
        }
    }
}

const AT: &str = "2026-11-23T09:00";
const EXPIRES: &str = "2026-12-23T09:00";

fn edition_then_update_then_reedition(card_type: CardType) {
    let mut bench = Bench::new(card_type);
    let info = bench.encoder("info", &[]);
    assert_eq!(info.code, Some(0), "{}", info.stderr);
    assert_eq!(info.json()["card"]["type"], card_type.to_string());
    assert_eq!(info.json()["firmware"], "1.6");

    let write = bench.encoder(
        "write",
        &["--user", "ana", "--at", AT, "--expires", EXPIRES],
    );
    assert_eq!(write.code, Some(0), "{}", write.stderr);
    assert_eq!(write.json()["personalised"], true);
    assert_eq!(write.json()["generation"], 1);

    let read = bench.encoder("read", &["--at", AT]);
    assert_eq!(read.code, Some(0), "{}{}", read.stdout, read.stderr);
    assert_eq!(read.json()["status"], "up_to_date");
    assert_eq!(read.json()["user"], "ana");

    // The access data changes: update required, and an update writes it.
    bench.edit(
        "allow store\n  }\n  user bob",
        "allow store lab\n  }\n  user bob",
    );
    let read = bench.encoder("read", &["--at", AT]);
    assert_eq!(read.code, Some(1));
    assert_eq!(read.json()["status"], "update_required");
    let update = bench.encoder("update", &["--user", "ana", "--at", AT]);
    assert_eq!(update.code, Some(0), "{}{}", update.stdout, update.stderr);
    assert_eq!(update.json()["action"], "updated");
    assert_eq!(update.json()["written"]["generation"], 2);
    assert_eq!(
        bench.encoder("read", &["--at", AT]).json()["status"],
        "up_to_date"
    );

    // Bob's card refused where Ana's is expected.
    let anas = bench.swap(SimCard::new(card_type));
    let write = bench.encoder(
        "write",
        &["--user", "bob", "--at", AT, "--expires", EXPIRES],
    );
    assert_eq!(write.code, Some(0), "{}", write.stderr);
    let refused = bench.encoder("update", &["--user", "ana", "--at", AT]);
    assert_eq!(refused.code, Some(1));
    assert_eq!(refused.json()["status"], "invalid_user_key");
    assert_eq!(refused.json()["action"], "refused");
    bench.swap(anas);

    // A key option changed: re-edition required, refused by update, re-edited by
    // the station with --edit.
    bench.edit(
        "card 42\n    offline",
        "card 42\n    offline\n    key audit",
    );
    let read = bench.encoder("read", &["--at", AT]);
    assert_eq!(read.json()["status"], "reedition_required");
    assert_eq!(read.json()["reedition"], "key_options");
    let refused = bench.encoder("update", &["--at", AT]);
    assert_eq!(refused.code, Some(1));
    assert_eq!(refused.json()["status"], "reedition_required");
    let watch = bench.encoder("watch", &["--edit", "--count", "1"]);
    assert_eq!(watch.code, Some(0), "{}", watch.stderr);
    let line: serde_json::Value =
        serde_json::from_str(watch.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(line["action"], "reedited", "{line}");
    let read = bench.encoder("read", &[]);
    assert_eq!(read.json()["status"], "up_to_date", "{}", read.stdout);
    assert_eq!(read.json()["key_options"][0], "audit");
}

#[test]
fn a_classic_1k_is_edited_updated_and_reedited() {
    edition_then_update_then_reedition(CardType::Classic1k);
}

#[test]
fn an_ntag215_is_edited_updated_and_reedited() {
    edition_then_update_then_reedition(CardType::Ntag215);
}

#[test]
fn no_card_and_a_blank_card_are_said_plainly() {
    let mut bench = Bench::new(CardType::Ntag215);
    bench.sim.lock().unwrap().card_mut().set_present(false);
    let info = bench.encoder("info", &[]);
    assert_eq!(info.code, Some(1), "{}", info.stderr);
    assert!(info.json()["card"].is_null());
    let read = bench.encoder("read", &[]);
    assert_eq!(read.code, Some(2));
    assert_eq!(read.json()["error"]["kind"], "no_card");
    bench.sim.lock().unwrap().card_mut().set_present(true);
    let read = bench.encoder("read", &[]);
    assert_eq!(read.code, Some(2));
    assert_eq!(read.json()["error"]["kind"], "no_key");
    // Human output too.
    let port = bench.port.clone();
    let info = bench.run(&["encoder", "info", "--port", &port]);
    assert!(info.stdout.contains("ntag215"), "{}", info.stdout);
}
