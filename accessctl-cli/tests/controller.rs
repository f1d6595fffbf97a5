//! The door controller end to end over real TCP on loopback: an `accessctl controller
//! run` process on one side, scripted PDs (`PeripheralBus`) on the other, the
//! journal read back afterwards; and `accessctl lock push` to a scripted lock.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use accessctl_cli::controller::scbk::door_scbk;
use accessctl_cli::journal::{Entry, EventKind, Journal, Query};
use accessctl_cli::offline::OfflinePolicy;
use accessctl_devices::osdp::peripheral::{
    PeripheralBus, PeripheralDevice, PeripheralEvent, PeripheralSetup, Report,
};
use accessctl_devices::osdp::secure::Scbk;
use accessctl_devices::osdp::{
    Address, Capability, CapabilityFunction, DeviceId, LedColor, OutputControlCode, RawCard,
};
use accessctl_devices::transport::{TcpTransport, Transport};
use accessctl_devices::wiegand::{self, formats, Card};
use serde_json::Value;
use tempfile::TempDir;

use crate::support::{run_in, workspace};

/// How long anything may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(15);

/// A `controller run` process, killed when dropped; its output lines as JSON.
pub(crate) struct ControllerProcess {
    child: Child,
    lines: Receiver<Value>,
}

impl ControllerProcess {
    fn spawn(dir: &Path, args: &[&str]) -> ControllerProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_accessctl"))
            .current_dir(dir)
            .args(["controller", "run", "--format", "json"])
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                if send.send(value).is_err() {
                    break;
                }
            }
        });
        ControllerProcess { child, lines }
    }
}

impl Drop for ControllerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Listens on a free loopback port; returns the listener and `tcp:127.0.0.1:PORT`.
pub(crate) fn listen() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    (listener, format!("tcp:127.0.0.1:{port}"))
}

/// Accepts the controller's connection, failing after [`PATIENCE`].
pub(crate) fn accept(listener: TcpListener) -> Box<dyn Transport> {
    let (send, receive) = channel();
    std::thread::spawn(move || {
        let _ = send.send(TcpTransport::accept(&listener));
    });
    let transport = receive
        .recv_timeout(PATIENCE)
        .expect("the controller connects")
        .unwrap();
    Box::new(transport)
}

pub(crate) fn address(value: u8) -> Address {
    Address::new(value).unwrap()
}

/// A reader (or lock) PD with one output, one reader and file transfer.
pub(crate) fn pd(at: u8, scbk: Option<Scbk>) -> PeripheralDevice {
    pd_with(at, scbk, false)
}

/// [`pd`], accepting the install key when `install` says so.
fn pd_with(at: u8, scbk: Option<Scbk>, install: bool) -> PeripheralDevice {
    let capability = |function, count| Capability {
        function,
        compliance: 1,
        count,
    };
    let setup = PeripheralSetup {
        address: address(at),
        scbk,
        allow_install_mode: install,
        id: DeviceId {
            vendor: [0x0A, 0x0B, 0x0C],
            model: 1,
            version: 1,
            serial: u32::from(at),
            firmware: [1, 0, 0],
        },
        capabilities: vec![
            capability(CapabilityFunction::OUTPUT_CONTROL, 1),
            capability(CapabilityFunction::READERS, 1),
            capability(CapabilityFunction::COMMUNICATION_SECURITY, 1),
        ],
        max_file_len: 1 << 20,
    };
    let mut counter = at;
    PeripheralDevice::new(
        setup,
        Box::new(move |buf: &mut [u8]| {
            for byte in buf {
                counter = counter.wrapping_mul(31).wrapping_add(7);
                *byte = counter;
            }
        }),
    )
}

/// The PDs and the controller, run together: the PDs must keep answering polls
/// while the test waits for the controller to say something.
pub(crate) struct Scene {
    pub(crate) bus: PeripheralBus,
    pub(crate) controller: ControllerProcess,
    events: Vec<(Address, PeripheralEvent)>,
    lines: Vec<Value>,
}

impl Scene {
    pub(crate) fn new(bus: PeripheralBus, controller: ControllerProcess) -> Scene {
        Scene {
            bus,
            controller,
            events: Vec::new(),
            lines: Vec::new(),
        }
    }

    /// Forgets what was seen, then runs both sides until `done` holds for what is
    /// seen, failing after [`PATIENCE`].
    pub(crate) fn run_until(&mut self, what: &str, done: impl Fn(&Scene) -> bool) {
        self.events.clear();
        self.lines.clear();
        let end = Instant::now() + PATIENCE;
        while Instant::now() < end {
            let events = self.bus.step(Duration::from_millis(20)).unwrap();
            self.events.extend(events);
            self.lines.extend(self.controller.lines.try_iter());
            if done(self) {
                return;
            }
        }
        panic!(
            "never saw {what}; PD events {:?}, controller lines {:?}",
            self.events, self.lines
        );
    }

    /// The first PD event for which `wanted` holds.
    fn event(&self, wanted: impl Fn(&PeripheralEvent) -> bool) -> Option<&PeripheralEvent> {
        self.events.iter().map(|(_, e)| e).find(|e| wanted(e))
    }

    /// The first controller line of kind `event`.
    pub(crate) fn line(&self, event: &str) -> Option<&Value> {
        self.lines.iter().find(|l| l["event"] == event)
    }
}

/// An H10301 read of the card whose policy number is `number`.
pub(crate) fn h10301(number: u64) -> RawCard {
    let card = Card::from_policy_number(formats::H10301, number).unwrap();
    RawCard::from_wiegand(0, &wiegand::encode(&card, &formats::H10301).unwrap())
}

/// A policy with its key store and a journal path, in temporary directories.
pub(crate) struct Site {
    /// Where the controller runs and its journal lives.
    pub(crate) dir: TempDir,
    pub(crate) policy: PathBuf,
    store: PathBuf,
    journal: PathBuf,
    _keys: TempDir,
}

impl Site {
    /// `policy` (a file or directory), given a fresh key store.
    pub(crate) fn new(dir: TempDir, policy: PathBuf) -> Site {
        let keys = tempfile::tempdir().unwrap();
        let store = keys.path().join("site.keys");
        let run = run_in(
            keys.path(),
            &[
                "keys",
                "init",
                "--policy",
                text(&policy),
                "--keystore",
                text(&store),
            ],
        );
        assert_eq!(run.code, Some(0), "{run:?}");
        let journal = dir.path().join("events.db");
        Site {
            dir,
            policy,
            store,
            journal,
            _keys: keys,
        }
    }

    /// A shipped example site.
    pub(crate) fn example(name: &str) -> Site {
        Site::new(
            tempfile::tempdir().unwrap(),
            workspace().join("examples").join(name),
        )
    }

    /// [`small_policy`] with nothing extra, in a file of its own.
    fn small() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let policy = dir.path().join("hq.acl");
        std::fs::write(&policy, small_policy("")).unwrap();
        Site::new(dir, policy)
    }

    fn load(&self) -> OfflinePolicy {
        OfflinePolicy::load(&self.policy, Some(&self.store)).unwrap()
    }

    /// The secure channel key of `door`, derived from the key store.
    pub(crate) fn scbk(&self, door: &str) -> Scbk {
        let loaded = self.load();
        door_scbk(&loaded, loaded.query.door(door).unwrap()).unwrap()
    }

    /// `controller run` on `bus` for `doors`, with the site's policy, key store and
    /// journal, then `extra`.
    pub(crate) fn controller(
        &self,
        bus: &str,
        doors: &[&str],
        extra: &[&str],
    ) -> ControllerProcess {
        let journal = ["--journal", text(&self.journal)];
        self.controller_journaled(bus, doors, &journal, extra)
    }

    /// [`Site::controller`] with `journal`'s arguments instead of the site's journal
    /// file (a PostgreSQL URL and its spool, say).
    pub(crate) fn controller_journaled(
        &self,
        bus: &str,
        doors: &[&str],
        journal: &[&str],
        extra: &[&str],
    ) -> ControllerProcess {
        let mut args = vec!["--policy", text(&self.policy), "--bus", bus, "--door"];
        args.extend(doors);
        args.extend(["--keystore", text(&self.store)]);
        args.extend(journal);
        args.extend(extra);
        ControllerProcess::spawn(self.dir.path(), &args)
    }

    /// The journal's events of `kind`, newest first.
    fn journaled(&self, kind: EventKind) -> Vec<Entry> {
        let journal = Journal::open(&self.journal).unwrap();
        let query = Query {
            kind: Some(kind),
            ..Query::default()
        };
        journal.query(&query).unwrap()
    }
}

/// A path as an argument (the tests' paths are UTF-8).
pub(crate) fn text(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn an_allowed_card_pulses_the_strike_and_an_unknown_card_is_journaled() {
    let site = Site::example("flex-office");
    let scbk = site.scbk("ldn_street");
    let (listener, bus_name) = listen();
    let at = ["--at", "2026-11-23T09:00"];
    let controller = site.controller(&bus_name, &["ldn_street=1"], &at);
    let bus = PeripheralBus::new(vec![pd(1, Some(scbk))], accept(listener));
    let mut scene = Scene::new(bus, controller);
    scene.run_until("the reader online through its secure channel", |s| {
        s.line("reader_online").is_some_and(|l| l["secure"] == true)
    });

    // Hannah Price's card, 1000001 (facility 15, number 16961).
    let device = scene.bus.device_mut(address(1)).unwrap();
    device.report(Report::Card(h10301(1_000_001)));
    let pulsed = |e: &PeripheralEvent| matches!(e, PeripheralEvent::Output(_));
    scene.run_until("the strike pulsed and the opening", |s| {
        s.line("decision").is_some() && s.event(pulsed).is_some()
    });
    let Some(PeripheralEvent::Output(records)) = scene.event(pulsed) else {
        unreachable!()
    };
    assert_eq!(records[0].output, 0);
    assert_eq!(records[0].code, OutputControlCode::TEMPORARY_ON);
    assert_eq!(records[0].timer, 30);
    let opened = scene.line("decision").unwrap();
    assert_eq!(opened["outcome"], "opened", "{opened}");
    assert_eq!(opened["user"], "cm_london");
    assert_eq!(opened["reason"], "granted");

    // Facility 15, number 1: nobody's card.
    let device = scene.bus.device_mut(address(1)).unwrap();
    device.report(Report::Card(h10301(983_041)));
    let red = |e: &PeripheralEvent| matches!(e, PeripheralEvent::Led(leds) if leds[0].temporary.on_color == LedColor::RED);
    scene.run_until("the refusal shown red", |s| {
        s.line("decision").is_some() && s.event(red).is_some()
    });
    assert!(scene.event(pulsed).is_none(), "the strike stays shut");
    let refused = scene.line("decision").unwrap();
    assert_eq!(refused["outcome"], "unknown_card", "{refused}");
    assert_eq!(refused["card"], "983041");

    // The PD's power fails.
    let device = scene.bus.device_mut(address(1)).unwrap();
    device.report(Report::Power(true));
    scene.run_until("the power failure", |s| {
        s.line("power").is_some_and(|l| l["failure"] == true)
    });

    // The reader stops answering longer than the controller's retries last, then
    // answers again.
    std::thread::sleep(Duration::from_millis(1_500));
    scene.run_until("the reader offline, then back", |s| {
        s.line("reader_offline").is_some() && s.line("reader_online").is_some()
    });
    drop(scene);

    let unknown = site.journaled(EventKind::UnknownCard);
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert_eq!(unknown[0].event.card.as_deref(), Some("983041"));
    assert_eq!(unknown[0].event.door, "ldn_street");
    let opened = site.journaled(EventKind::Opened);
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].event.user.as_deref(), Some("cm_london"));
    let power = site.journaled(EventKind::Power);
    assert_eq!(power.len(), 1, "{power:?}");
    assert_eq!(power[0].event.detail.as_deref(), Some("power failure"));
    assert_eq!(power[0].event.door, "ldn_street");
    let online = site.journaled(EventKind::ReaderOnline);
    assert_eq!(online.len(), 2, "online, then back: {online:?}");
    assert_eq!(site.journaled(EventKind::ReaderOffline).len(), 1);
}

#[test]
fn a_bus_that_fails_is_journaled_offline_then_opened_again() {
    let site = Site::example("flex-office");
    let scbk = site.scbk("ldn_street");
    let (listener, bus_name) = listen();
    let at = ["--at", "2026-11-23T09:00"];
    let controller = site.controller(&bus_name, &["ldn_street=1"], &at);
    let first = accept(listener.try_clone().unwrap());
    let bus = PeripheralBus::new(vec![pd(1, Some(scbk.clone()))], first);
    let mut scene = Scene::new(bus, controller);
    scene.run_until("the reader online", |s| s.line("reader_online").is_some());

    // The line goes: the PD side closes its end of the TCP connection.
    let (placeholder, _other_end) = accessctl_devices::transport::memory::pair();
    scene.bus = PeripheralBus::new(Vec::new(), Box::new(placeholder));
    let lines = |scene: &mut Scene, what: &str, wanted: &[&str]| {
        let end = Instant::now() + PATIENCE;
        while Instant::now() < end {
            scene.lines.extend(scene.controller.lines.try_iter());
            if wanted.iter().all(|w| scene.line(w).is_some()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("never saw {what}: {:?}", scene.lines);
    };
    lines(&mut scene, "the bus lost", &["bus_lost", "reader_offline"]);

    // The controller connects again; the reader answers and opens as before.
    let again = accept(listener);
    scene.bus = PeripheralBus::new(vec![pd(1, Some(scbk))], again);
    lines(&mut scene, "the bus back", &["bus_back"]);
    scene.run_until("the reader online again", |s| {
        s.line("reader_online").is_some()
    });
    let device = scene.bus.device_mut(address(1)).unwrap();
    device.report(Report::Card(h10301(1_000_001)));
    scene.run_until("an opening on the new line", |s| {
        s.line("decision").is_some_and(|l| l["outcome"] == "opened")
    });
    drop(scene);

    // Oldest first; the controller may also see the final hang-up before it is killed.
    let ids = |kind| -> Vec<i64> { site.journaled(kind).iter().rev().map(|e| e.id).collect() };
    let (online, offline, opened) = (
        ids(EventKind::ReaderOnline),
        ids(EventKind::ReaderOffline),
        ids(EventKind::Opened),
    );
    assert_eq!(online.len(), 2, "online, then back: {online:?}");
    assert!(
        online[0] < offline[0] && offline[0] < online[1],
        "{online:?} {offline:?}"
    );
    assert!(opened.len() == 1 && online[1] < opened[0], "{opened:?}");
}

/// A site with an online door and an offline lock; `extra` is added to the account.
fn small_policy(extra: &str) -> String {
    format!(
        r#"site hq {{
  timezone "Europe/Paris"
  door main
  door store {{
    offline
    capacity 10
  }}
}}

account acme {{
  user ana "Ana" {{
    card 65537
    offline
    allow main store
  }}
{extra}}}
"#
    )
}

#[test]
fn a_policy_edit_pushes_the_offline_lock_image_and_a_broken_one_is_refused() {
    let site = Site::small();
    let policy = &site.policy;
    let (listener, bus_name) = listen();
    let controller = site.controller(&bus_name, &["main=1", "store=2"], &["--clear"]);
    let bus = PeripheralBus::new(vec![pd(1, None), pd(2, None)], accept(listener));
    let mut scene = Scene::new(bus, controller);
    let received = |s: &Scene| {
        s.events.iter().find_map(|(at, e)| match e {
            PeripheralEvent::FileReceived { contents, .. } if *at == address(2) => {
                Some(contents.clone())
            }
            _ => None,
        })
    };
    scene.run_until("the lock's first image", |s| {
        received(s).is_some() && s.line("image_pushed").is_some()
    });
    let first = received(&scene).unwrap();
    assert_eq!(scene.line("image_pushed").unwrap()["door"], "store");

    let bob = "  user bob \"Bob\" {\n    card 65538\n    offline\n    allow main store\n  }\n";
    std::fs::write(policy, small_policy(bob)).unwrap();
    scene.run_until("the new image after the edit", |s| {
        s.line("policy_reloaded").is_some() && received(s).is_some()
    });
    assert_ne!(received(&scene).unwrap(), first, "the new image holds bob");

    std::fs::write(policy, small_policy("  user carl {\n")).unwrap();
    scene.run_until("the broken edit refused", |s| {
        s.line("policy_refused").is_some()
    });
    let refused = scene.line("policy_refused").unwrap();
    assert!(
        !refused["diagnostics"].as_array().unwrap().is_empty(),
        "{refused}"
    );
    assert!(received(&scene).is_none(), "no image from a broken policy");

    let device = scene.bus.device_mut(address(1)).unwrap();
    device.report(Report::Card(h10301(65_538)));
    scene.run_until("bob let in by the policy still in force", |s| {
        s.line("decision")
            .is_some_and(|l| l["outcome"] == "opened" && l["user"] == "bob")
    });
}

#[test]
fn lock_push_sends_the_image_and_exits_0_once_confirmed() {
    let site = Site::small();
    let scbk = site.scbk("store");
    let (listener, bus_name) = listen();
    let mut child = Command::new(env!("CARGO_BIN_EXE_accessctl"))
        .args([
            "lock",
            "push",
            "--door",
            "store",
            "--address",
            "2",
            "--format",
            "json",
        ])
        .args(["--policy", text(&site.policy), "--bus", &bus_name])
        .args(["--keystore", text(&site.store)])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut bus = PeripheralBus::new(vec![pd(2, Some(scbk))], accept(listener));
    let end = Instant::now() + PATIENCE;
    let mut image = None;
    // Until `lock push` ends and closes the connection.
    while let Ok(events) = bus.step(Duration::from_millis(20)) {
        assert!(Instant::now() < end, "lock push never ended");
        for (_, event) in events {
            if let PeripheralEvent::FileReceived { contents, .. } = event {
                image = Some(contents);
            }
        }
    }
    let status = child.wait().unwrap();
    let output = child.wait_with_output().unwrap();
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(status.code(), Some(0), "{answer}");
    assert_eq!(answer["pushed"], true);
    let image = image.expect("the lock received the image");
    assert_eq!(answer["bytes"], image.len());
    let loaded = site.load();
    let from_policy = loaded
        .lock_image(
            loaded.query.door("store").unwrap(),
            accessctl_cli::instant::now(),
        )
        .unwrap();
    assert_eq!(
        image.len(),
        from_policy.bytes.len(),
        "the same layout as `lock image`"
    );
}

#[test]
fn install_mode_gives_each_pd_its_door_key() {
    let site = Site::small();
    let expected = site.scbk("main");
    let (listener, bus_name) = listen();
    let controller = site.controller(&bus_name, &["main=1"], &["--install"]);
    let bus = PeripheralBus::new(vec![pd_with(1, None, true)], accept(listener));
    let mut scene = Scene::new(bus, controller);
    let key_set = |s: &Scene| {
        s.events.iter().find_map(|(_, e)| match e {
            PeripheralEvent::KeySet(key) => Some(key.clone()),
            _ => None,
        })
    };
    scene.run_until("the door's key installed", |s| {
        s.line("key_set").is_some() && key_set(s).is_some()
    });
    assert!(
        key_set(&scene).unwrap() == expected,
        "the key derived from the store"
    );
    let device = scene.bus.device_mut(address(1)).unwrap();
    device.report(Report::Card(h10301(65_537)));
    scene.run_until("an opening after provisioning", |s| {
        s.line("decision").is_some_and(|l| l["outcome"] == "opened")
    });
}

/// [`pd`] whose capabilities are `capabilities`.
fn pd_declaring(at: u8, scbk: Option<Scbk>, capabilities: Vec<Capability>) -> PeripheralDevice {
    let mut setup = PeripheralSetup {
        address: address(at),
        scbk,
        allow_install_mode: false,
        id: DeviceId {
            vendor: [0x0A, 0x0B, 0x0C],
            model: 1,
            version: 1,
            serial: u32::from(at),
            firmware: [1, 0, 0],
        },
        capabilities: Vec::new(),
        max_file_len: 1 << 20,
    };
    setup.capabilities = capabilities;
    PeripheralDevice::new(setup, Box::new(|buf: &mut [u8]| buf.fill(0x5A)))
}

/// Every JSON line's `at` is an ISO 8601 instant in UTC.
fn assert_iso_instants(lines: &[Value]) {
    for line in lines {
        let at = line["at"].as_str().unwrap_or_default();
        assert!(
            chrono::DateTime::parse_from_rfc3339(at).is_ok() && at.ends_with('Z'),
            "{line}"
        );
    }
}

/// The forged record of the finding: opened, at `i64::MIN`, by holder 65535.
fn forged_audit_record() -> Report {
    use accessctl_core::offline::LockHolder;
    use accessctl_devices::sim::{AuditCredential, AuditRecord, SIM_VENDOR};
    let record = AuditRecord {
        at: accessctl_core::Timestamp(i64::MIN),
        allowed: true,
        reason: "granted".into(),
        holder: Some(LockHolder::Holder(u16::MAX)),
        credential: AuditCredential::Card,
        image_issued: None,
        dropped_before: 0,
    };
    Report::Manufacturer(accessctl_devices::osdp::Manufacturer {
        vendor: SIM_VENDOR,
        data: record.encode(),
    })
}

#[test]
fn a_forged_audit_record_is_refused_and_journaled_with_the_pds_address() {
    let site = Site::small();
    let (listener, bus_name) = listen();
    let controller = site.controller(&bus_name, &["main=1", "store=2"], &["--clear"]);
    let bus = PeripheralBus::new(vec![pd(1, None), pd(2, None)], accept(listener));
    let mut scene = Scene::new(bus, controller);
    scene.run_until("the lock's image pushed", |s| {
        s.line("image_pushed").is_some()
    });

    // In clear, from a door that is not an offline lock.
    let device = scene.bus.device_mut(address(1)).unwrap();
    device.report(forged_audit_record());
    scene.run_until("the record from the reader refused", |s| {
        s.line("audit_refused").is_some()
    });
    let refused = scene.line("audit_refused").unwrap().clone();
    assert_eq!(refused["door"], "main", "{refused}");
    assert_eq!(refused["address"], 1);
    assert_eq!(refused["cause"], "not_a_lock");
    assert!(scene.line("decision").is_none(), "{:?}", scene.lines);
    assert_iso_instants(&scene.lines);

    // From the lock itself: its instant is beyond any calendar.
    let device = scene.bus.device_mut(address(2)).unwrap();
    device.report(forged_audit_record());
    scene.run_until("the record from the lock refused", |s| {
        s.line("audit_refused").is_some()
    });
    let refused = scene.line("audit_refused").unwrap().clone();
    assert_eq!(refused["door"], "store", "{refused}");
    assert_eq!(refused["cause"], "beyond_calendar");
    assert!(scene.line("decision").is_none(), "{:?}", scene.lines);
    assert_iso_instants(&scene.lines);

    // A record the lock could have kept, a minute ago, by its first holder: believed.
    let honest = accessctl_devices::sim::AuditRecord {
        at: accessctl_core::Timestamp(accessctl_cli::instant::now().0 - 60),
        allowed: true,
        reason: "granted".into(),
        holder: Some(accessctl_core::offline::LockHolder::Holder(0)),
        credential: accessctl_devices::sim::AuditCredential::Card,
        image_issued: None,
        dropped_before: 0,
    };
    let device = scene.bus.device_mut(address(2)).unwrap();
    device.report(Report::Manufacturer(
        accessctl_devices::osdp::Manufacturer {
            vendor: accessctl_devices::sim::SIM_VENDOR,
            data: honest.encode(),
        },
    ));
    scene.run_until("the honest record journaled", |s| {
        s.line("decision").is_some()
    });
    let decision = scene.line("decision").unwrap();
    assert_eq!(decision["outcome"], "opened", "{decision}");
    assert_eq!(decision["door"], "store");
    drop(scene);

    assert_eq!(site.journaled(EventKind::Opened).len(), 1);
    let refused = site.journaled(EventKind::AuditRefused);
    assert_eq!(refused.len(), 2, "{refused:?}");
    let details: Vec<_> = refused
        .iter()
        .map(|e| e.event.detail.clone().unwrap_or_default())
        .collect();
    assert!(details[1].contains("address 1"), "{details:?}");
    assert!(details[0].contains("address 2"), "{details:?}");
    let show = run_in(
        site.dir.path(),
        &[
            "journal",
            "show",
            "--journal",
            text(&site.journal),
            "--format",
            "json",
        ],
    );
    assert!(!show.stdout.contains('@'), "{}", show.stdout);
}

#[test]
fn a_reader_with_the_wrong_key_is_a_fault_once_with_its_cause() {
    let site = Site::small();
    let (listener, bus_name) = listen();
    let controller = site.controller(&bus_name, &["main=1"], &[]);
    let wrong = Scbk::new([0x42; 16]);
    let bus = PeripheralBus::new(vec![pd(1, Some(wrong))], accept(listener));
    let mut scene = Scene::new(bus, controller);
    scene.run_until("the wrong key reported", |s| {
        s.line("reader_fault").is_some()
    });
    let fault = scene.line("reader_fault").unwrap().clone();
    assert_eq!(fault["door"], "main", "{fault}");
    assert_eq!(fault["address"], 1);
    assert_eq!(fault["cause"], "wrong_key");
    assert_iso_instants(&scene.lines);
    // Retried every second: no second line, no second event.
    let end = Instant::now() + Duration::from_millis(3_500);
    let mut later = Vec::new();
    while Instant::now() < end {
        scene.bus.step(Duration::from_millis(20)).unwrap();
        later.extend(scene.controller.lines.try_iter());
    }
    assert!(
        later.iter().all(|l| l["event"] != "reader_fault"),
        "{later:?}"
    );
    assert!(
        later.iter().all(|l| l["event"] != "reader_online"),
        "{later:?}"
    );
    drop(scene);
    let faults = site.journaled(EventKind::ReaderFault);
    assert_eq!(faults.len(), 1, "{faults:?}");
    let detail = faults[0].event.detail.as_deref().unwrap_or_default();
    assert!(detail.starts_with("wrong key"), "{detail}");
    assert!(detail.contains("address 1"), "{detail}");
}

#[test]
fn a_reader_that_never_answers_is_a_fault_once() {
    let site = Site::small();
    let scbk = site.scbk("main");
    let (listener, bus_name) = listen();
    let controller = site.controller(&bus_name, &["main=1", "store=5"], &[]);
    let bus = PeripheralBus::new(vec![pd(1, Some(scbk))], accept(listener));
    let mut scene = Scene::new(bus, controller);
    scene.run_until("no answer from address 5", |s| {
        s.line("reader_fault").is_some()
    });
    let fault = scene.line("reader_fault").unwrap().clone();
    assert_eq!(fault["door"], "store", "{fault}");
    assert_eq!(fault["address"], 5);
    assert_eq!(fault["cause"], "no_answer");
    // Tried again every second: nothing more is said.
    let end = Instant::now() + Duration::from_millis(3_500);
    let mut later = Vec::new();
    while Instant::now() < end {
        scene.bus.step(Duration::from_millis(20)).unwrap();
        later.extend(scene.controller.lines.try_iter());
    }
    assert!(
        later.iter().all(|l| l["event"] != "reader_fault"),
        "{later:?}"
    );
    drop(scene);
    let faults = site.journaled(EventKind::ReaderFault);
    assert_eq!(faults.len(), 1, "once, not every retry: {faults:?}");
    assert_eq!(faults[0].event.door, "store");
}

#[test]
fn a_malformed_pdcap_is_a_fault_once_with_its_cause() {
    let site = Site::small();
    let (listener, bus_name) = listen();
    let controller = site.controller(&bus_name, &["main=1"], &["--clear"]);
    let mut transport = accept(listener);
    let mut device = pd(1, None);
    // The PD's PDCAP, cut to two bytes: not a whole capability.
    let mut lines = Vec::new();
    let end = Instant::now() + Duration::from_millis(4_000);
    let mut buf = [0; 512];
    while Instant::now() < end {
        let count = transport
            .receive(&mut buf, Duration::from_millis(20))
            .unwrap();
        let now = Instant::now();
        if let Some(reply) = device.handle_input(&buf[..count], now) {
            let mut frame = accessctl_devices::osdp::Frame::decode(&reply).unwrap();
            if frame.code == 0x46 {
                frame.data.truncate(2);
            }
            transport.send(&frame.encode().unwrap()).unwrap();
        }
        lines.extend(controller.lines.try_iter());
    }
    let faults: Vec<_> = lines
        .iter()
        .filter(|l| l["event"] == "reader_fault")
        .collect();
    assert_eq!(faults.len(), 1, "{lines:?}");
    assert_eq!(faults[0]["cause"], "bad_capabilities");
    assert_eq!(faults[0]["address"], 1);
    assert!(
        lines.iter().all(|l| l["event"] != "reader_online"),
        "{lines:?}"
    );
    drop(controller);
    let journaled = site.journaled(EventKind::ReaderFault);
    assert_eq!(journaled.len(), 1, "{journaled:?}");
    let detail = journaled[0].event.detail.as_deref().unwrap_or_default();
    assert!(detail.starts_with("bad capabilities"), "{detail}");
}

#[test]
fn a_card_from_a_reader_the_pd_does_not_declare_is_refused_not_decided() {
    let site = Site::example("flex-office");
    let scbk = site.scbk("ldn_street");
    let (listener, bus_name) = listen();
    let at = ["--at", "2026-11-23T09:00"];
    let controller = site.controller(&bus_name, &["ldn_street=1"], &at);
    let declared = vec![
        Capability {
            function: CapabilityFunction::OUTPUT_CONTROL,
            compliance: 1,
            count: 1,
        },
        Capability {
            function: CapabilityFunction::COMMUNICATION_SECURITY,
            compliance: 1,
            count: 1,
        },
    ];
    let bus = PeripheralBus::new(
        vec![pd_declaring(1, Some(scbk), declared)],
        accept(listener),
    );
    let mut scene = Scene::new(bus, controller);
    scene.run_until("the reader online", |s| s.line("reader_online").is_some());

    // Hannah Price's card, which opens this door, from reader 7.
    let mut card = h10301(1_000_001);
    card.reader = 7;
    let device = scene.bus.device_mut(address(1)).unwrap();
    device.report(Report::Card(card));
    scene.run_until("the report refused", |s| s.line("reader_fault").is_some());
    let fault = scene.line("reader_fault").unwrap().clone();
    assert_eq!(fault["cause"], "undeclared_reader", "{fault}");
    let pulsed = |e: &PeripheralEvent| matches!(e, PeripheralEvent::Output(_));
    let end = Instant::now() + Duration::from_millis(500);
    while Instant::now() < end {
        let events = scene.bus.step(Duration::from_millis(20)).unwrap();
        scene.events.extend(events);
        scene.lines.extend(scene.controller.lines.try_iter());
    }
    assert!(scene.event(pulsed).is_none(), "the strike stays shut");
    assert!(scene.line("decision").is_none(), "{:?}", scene.lines);

    // The same card from reader 0, the PD's own, opens.
    let device = scene.bus.device_mut(address(1)).unwrap();
    device.report(Report::Card(h10301(1_000_001)));
    scene.run_until("the opening", |s| {
        s.line("decision").is_some_and(|l| l["outcome"] == "opened")
    });
    drop(scene);
    assert_eq!(site.journaled(EventKind::Opened).len(), 1);
    let faults = site.journaled(EventKind::ReaderFault);
    assert_eq!(faults.len(), 1, "{faults:?}");
    let detail = faults[0].event.detail.as_deref().unwrap_or_default();
    assert!(detail.contains("reader 7"), "{detail}");
}

#[test]
fn ten_thousand_pins_at_a_reader_are_locked_out_long_before_they_finish() {
    // Found: `controller run` decided 317 PINs in 19 s and opened at the 317th.
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("hq.acl");
    let boss = r#"  user boss "Boss" {
    pin "7317"
    allow main
  }
"#;
    std::fs::write(&policy, small_policy(boss)).unwrap();
    let site = Site::new(dir, policy);
    let (listener, bus_name) = listen();
    let controller = site.controller(&bus_name, &["main=1"], &["--at", "2026-11-23T09:00"]);
    let bus = PeripheralBus::new(vec![pd(1, Some(site.scbk("main")))], accept(listener));
    let mut scene = Scene::new(bus, controller);
    scene.run_until("the reader online", |s| s.line("reader_online").is_some());
    // 0000# 0001# … 9999#, fifty PINs to a keypad report.
    let device = scene.bus.device_mut(address(1)).unwrap();
    for batch in 0..200 {
        let digits: String = (batch * 50..batch * 50 + 50)
            .map(|pin| format!("{pin:04}#"))
            .collect();
        device.report(Report::Keypad(accessctl_devices::osdp::Keypad {
            reader: 0,
            digits: digits.into_bytes(),
        }));
    }
    let mut seen = Vec::new();
    let end = Instant::now() + Duration::from_secs(120);
    while seen.len() < 10_001 && Instant::now() < end {
        scene.run_until("a decision", |s| s.line("decision").is_some());
        seen.extend(
            scene
                .lines
                .iter()
                .filter(|l| l["event"] == "decision")
                .cloned(),
        );
    }
    assert!(seen.len() >= 10_001, "{} decisions seen", seen.len());
    assert!(
        seen.iter().all(|l| l["outcome"] != "opened"),
        "a PIN opened"
    );
    let read = seen.iter().filter(|l| l["outcome"] == "denied").count();
    assert_eq!(read, 5, "five PINs read, the others refused unread");
    let locked: Vec<_> = seen
        .iter()
        .filter(|l| l["outcome"] == "keypad_locked")
        .collect();
    assert_eq!(locked.len(), 1, "{locked:?}");
    drop(scene);
    let lockouts = site.journaled(EventKind::KeypadLockout);
    assert_eq!(lockouts.len(), 1, "{lockouts:?}");
    assert!(lockouts[0]
        .event
        .detail
        .as_deref()
        .unwrap()
        .contains("5 wrong entries"));
    assert_eq!(site.journaled(EventKind::Denied).len(), 5);
}

#[test]
fn a_hard_zone_refuses_a_second_entry_and_zone_show_lists_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("hq.acl");
    std::fs::write(
        &policy,
        r#"site hq {
  timezone "Europe/Paris"
  door turnstile
  zone hall "Main hall" {
    entry turnstile reader 0
    exit turnstile reader 1
    antipassback hard
  }
}

account acme {
  user ana "Ana" {
    card 65537
    allow turnstile
  }
}
"#,
    )
    .unwrap();
    let site = Site::new(dir, policy);
    let scbk = site.scbk("turnstile");
    let (listener, bus_name) = listen();
    let at = ["--at", "2026-11-23T09:00"];
    let controller = site.controller(&bus_name, &["turnstile=1"], &at);
    let bus = PeripheralBus::new(vec![pd(1, Some(scbk))], accept(listener));
    let mut scene = Scene::new(bus, controller);
    scene.run_until("the reader online", |s| s.line("reader_online").is_some());

    // Ana enters by the entry reader: let in.
    let device = scene.bus.device_mut(address(1)).unwrap();
    device.report(Report::Card(h10301(65_537)));
    scene.run_until("the entry", |s| s.line("decision").is_some());
    let entered = scene.line("decision").unwrap();
    assert_eq!(entered["outcome"], "opened", "{entered}");

    // Her card, passed back over the turnstile to a friend: refused.
    let device = scene.bus.device_mut(address(1)).unwrap();
    device.report(Report::Card(h10301(65_537)));
    scene.run_until("the second entry", |s| s.line("decision").is_some());
    let again = scene.line("decision").unwrap();
    assert_eq!(again["outcome"], "denied", "{again}");
    assert_eq!(again["reason"], "anti_passback", "{again}");
    drop(scene);

    let denied = site.journaled(EventKind::Denied);
    assert_eq!(denied.len(), 1, "{denied:?}");
    assert_eq!(
        denied[0].event.reason.map(|r| r.code()),
        Some("anti_passback")
    );
    assert_eq!(denied[0].event.user.as_deref(), Some("ana"));

    let policy = text(&site.policy);
    let journal = text(&site.journal);
    let show = [
        "zone",
        "show",
        "hall",
        "--policy",
        policy,
        "--journal",
        journal,
    ];
    let run = run_in(
        site.dir.path(),
        &[&show[..], &["--format", "json"]].concat(),
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    let shown: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(shown["zone"], "hall");
    assert_eq!(shown["kind"], "hard");
    let inside = shown["inside"].as_array().unwrap();
    assert_eq!(inside.len(), 1, "{shown}");
    assert_eq!(inside[0]["kind"], "user");
    assert_eq!(inside[0]["name"], "ana");
    assert_eq!(inside[0]["door"], "turnstile");
    assert_eq!(inside[0]["since"], "2026-11-23T08:00:00Z");
    let human = run_in(site.dir.path(), &show);
    assert_eq!(human.code, Some(0), "{human:?}");
    assert!(human.stdout.contains("user ana"), "{}", human.stdout);

    // An admin resets her state: journaled, and nobody is inside any more.
    let reset = ["zone", "reset", "hall", "--user", "ana", "--policy", policy];
    let run = run_in(
        site.dir.path(),
        &[&reset[..], &["--journal", journal]].concat(),
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout.contains("reset in zone `hall`"),
        "{}",
        run.stdout
    );
    let resets = site.journaled(EventKind::PresenceReset);
    assert_eq!(resets.len(), 1, "{resets:?}");
    assert_eq!(resets[0].event.door, "hall");
    let run = run_in(site.dir.path(), &show);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("nobody inside"), "{}", run.stdout);
}
