//! The simulated devices end to end over real TCP on loopback, against a real
//! `accessctl controller run` process: a `sim lock` that reports while its controller
//! is there and, once the controller is gone, lets an offline user in from its image
//! alone and uploads what it decided to the controller come back, which refuses it
//! (court 1 is not an offline lock) and journals the refusal;
//! a `lock push` the lock confirms (a newer image) or refuses (an older one,
//! exit 1); a `sim reader` whose allowed card pulses the strike and whose unknown card
//! is refused and journaled with its number.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use accessctl_cli::controller::scbk::door_scbk;
use accessctl_cli::journal::{EventKind, Journal, Query};
use accessctl_cli::offline::OfflinePolicy;
use serde_json::Value;
use tempfile::TempDir;

use crate::support::{self, run_in, workspace};

/// How long anything may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(15);

/// Saturday 14 March 2026, 11:00 in Paris: the courts and the club-house are open.
const SATURDAY_11: &str = "2026-03-14T11:00";

/// A child process killed when dropped, its JSON output lines on a channel.
struct Process {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<Value>,
}

impl Process {
    fn spawn(dir: &Path, args: &[&str]) -> Process {
        let mut child = Command::new(env!("CARGO_BIN_EXE_accessctl"))
            .current_dir(dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let stdout = child.stdout.take().unwrap();
        let stdin = child.stdin.take();
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
        Process {
            child,
            stdin,
            lines,
        }
    }

    /// Waits for the first line `wanted` accepts, failing after [`PATIENCE`].
    fn wait_for(&self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let line = self
                .lines
                .recv_timeout(PATIENCE)
                .unwrap_or_else(|_| panic!("no {what} line in time"));
            if wanted(&line) {
                return line;
            }
        }
    }

    fn say(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A free loopback port (bound, then released for the process to take).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The sports centre in a temporary directory, with its key store.
fn site() -> TempDir {
    let dir = TempDir::new().unwrap();
    let example = workspace().join("examples/sports-centre/centre.acl");
    std::fs::copy(example, dir.path().join("centre.acl")).unwrap();
    let keys = run_in(dir.path(), &["keys", "init", "--policy", "centre.acl"]);
    assert_eq!(keys.code, Some(0), "{}", keys.stderr);
    dir
}

/// `controller run` for `door=ADDRESS` listening on `port`.
fn controller(dir: &Path, port: u16, binding: &str) -> Process {
    let bus = format!("tcp-listen:127.0.0.1:{port}");
    let args = [
        "controller",
        "run",
        "--policy",
        "centre.acl",
        "--bus",
        &bus,
        "--door",
        binding,
        "--journal",
        "journal.db",
        "--at",
        SATURDAY_11,
        "--format",
        "json",
    ];
    // It says it started once a device connected: nothing to wait for here.
    Process::spawn(dir, &args)
}

fn event(line: &Value, name: &str) -> bool {
    line["event"] == name
}

/// `lock image` of `court_1` issued at `at`, written to `court_1.img`.
fn court_1_image(dir: &Path, at: &str) {
    let args = [
        "lock",
        "image",
        "--policy",
        "centre.acl",
        "--door",
        "court_1",
        "-o",
        "court_1.img",
        "--at",
        at,
    ];
    let image = run_in(dir, &args);
    assert_eq!(image.code, Some(0), "{}", image.stderr);
}

/// `sim lock` of `court_1` at address 3 on `bus`, holding `court_1.img`, with the
/// `options` given; JSON lines.
fn court_1_lock(dir: &Path, bus: &str, options: &[&str]) -> Process {
    let args = [
        &[
            "sim",
            "lock",
            "--bus",
            bus,
            "--address",
            "3",
            "--image",
            "court_1.img",
            "--keystore",
            "centre-sportif.keys",
            "--site",
            "courts",
        ][..],
        options,
        &["--format", "json"],
    ]
    .concat();
    Process::spawn(dir, &args)
}

/// `lock push` of `court_1`'s image issued at `at` to the lock listening on `port`.
fn push_court_1(dir: &Path, port: u16, at: &str) -> support::Run {
    let bus = format!("tcp:127.0.0.1:{port}");
    let args = [
        "lock",
        "push",
        "--policy",
        "centre.acl",
        "--door",
        "court_1",
        "--bus",
        &bus,
        "--address",
        "3",
        "--at",
        at,
        "--timeout",
        "10",
        "--format",
        "json",
    ];
    run_in(dir, &args)
}

#[test]
fn a_lock_that_lost_its_controller_lets_an_offline_user_in_from_its_image() {
    let dir = site();
    court_1_image(dir.path(), "2026-03-14T00:00");
    let port = free_port();
    let mut controller = controller(dir.path(), port, "court_1=3");
    let bus = format!("tcp:127.0.0.1:{port}");
    let options = ["--offline-after", "1", "--at", SATURDAY_11];
    let mut lock = court_1_lock(dir.path(), &bus, &options);
    lock.wait_for("started", |l| event(l, "started") && l["entries"] == 5);
    lock.wait_for("secure online", |l| {
        event(l, "online") && l["secure"] == true
    });
    // A lock with a memory: the controller sends it the image of the policy in force.
    lock.wait_for("the controller's image", |l| event(l, "image_replaced"));

    // Online, the coach's badge goes to the controller, which pulses the strike.
    lock.say("card 3300000101");
    lock.wait_for("reported", |l| event(l, "reported"));
    lock.wait_for("strike", |l| {
        event(l, "control_panel") && l["opened"] == true
    });

    // The controller goes away: the lock decides alone, from its image.
    controller.kill();
    lock.wait_for("offline", |l| event(l, "offline"));
    lock.say("card 3300000001");
    let manager = lock.wait_for("decision", |l| event(l, "decision"));
    assert_eq!(manager["alone"], true, "{manager}");
    assert_eq!(manager["allowed"], true, "{manager}");
    assert_eq!(manager["reason"], "granted", "{manager}");
    lock.say("card 3300000101");
    let coach = lock.wait_for("decision", |l| event(l, "decision"));
    assert_eq!(coach["allowed"], false, "{coach}");
    assert_eq!(coach["reason"], "unknown_credential", "{coach}");
    lock.say("pin 739154");
    let code = lock.wait_for("decision", |l| event(l, "decision"));
    assert_eq!(code["reason"], "space_code", "{code}");

    // The controller comes back: the lock uploads its three decisions, journalled at
    // the instants the lock took them. They are believed: court 1 is a lock with a
    // memory, and the image they were decided with is the one the first controller
    // sent (its journal keeps what it sent, for the controllers after it).
    let controller = self::controller(dir.path(), port, "court_1=3");
    let alone = |l: &Value| {
        event(l, "decision")
            && l["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("decided by the lock alone at "))
    };
    let uploaded: Vec<Value> = (0..3)
        .map(|_| controller.wait_for("uploaded decision", alone))
        .collect();
    let outcomes: Vec<_> = uploaded
        .iter()
        .map(|l| {
            (
                l["outcome"].as_str(),
                l["reason"].as_str(),
                l["user"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            (Some("opened"), Some("granted"), Some("gerant")),
            (Some("denied"), Some("unknown_credential"), None),
            (Some("opened"), Some("space_code"), None),
        ],
        "{uploaded:?}"
    );
    let journal = Journal::open(dir.path().join("journal.db")).unwrap();
    let journalled = journal.query(&Query::default()).unwrap();
    let alone: Vec<_> = journalled
        .iter()
        .filter(|e| {
            e.event
                .detail
                .as_deref()
                .is_some_and(|d| d.starts_with("decided by the lock alone"))
        })
        .collect();
    assert_eq!(alone.len(), 3);
    assert!(journalled
        .iter()
        .all(|e| e.event.kind != EventKind::AuditRefused));
    // Saturday 14 March 2026, 10:00 UTC (11:00 in Paris), as the lock's clock had it.
    assert!(alone
        .iter()
        .all(|e| (1_773_482_400..1_773_482_400 + 60).contains(&e.event.at)));

    // Standard input ends: so does the lock.
    lock.stdin = None;
    let status = lock.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

/// A `sim lock` of court 1 started with an image issued `in_force`, then `lock push`
/// of an image issued `pushed` to it; returns the site, the lock and the push's run.
fn push_to_a_running_lock(in_force: &str, pushed: &str) -> (TempDir, Process, support::Run) {
    let dir = site();
    court_1_image(dir.path(), in_force);
    let port = free_port();
    let listen = format!("tcp-listen:127.0.0.1:{port}");
    let lock = court_1_lock(dir.path(), &listen, &[]);
    lock.wait_for("started", |l| event(l, "started"));
    let run = push_court_1(dir.path(), port, pushed);
    (dir, lock, run)
}

#[test]
fn a_pushed_newer_image_replaces_the_locks_and_the_push_is_confirmed() {
    let (_dir, lock, pushed) = push_to_a_running_lock("2026-03-14T00:00", "2026-03-15T00:00");
    assert_eq!(pushed.code, Some(0), "{}{}", pushed.stdout, pushed.stderr);
    assert_eq!(pushed.json()["pushed"], true);
    lock.wait_for("new image", |l| {
        event(l, "image_replaced") && l["entries"] == 5
    });
}

#[test]
fn a_pushed_older_image_is_refused_and_the_push_says_so() {
    // An image older than the one in force would bring back what was revoked since.
    let (_dir, lock, pushed) = push_to_a_running_lock("2026-03-15T00:00", "2026-03-14T12:00");
    assert_eq!(pushed.code, Some(1), "{}{}", pushed.stdout, pushed.stderr);
    let answer = pushed.json();
    assert_eq!(answer["pushed"], false, "{answer}");
    let reason = answer["reason"].as_str().unwrap();
    assert!(
        reason.contains("did not take the image") && reason.contains("unrecognized"),
        "{answer}"
    );
    let refused = lock.wait_for("refusal", |l| event(l, "image_refused"));
    assert!(
        refused["why"]
            .as_str()
            .unwrap()
            .contains("before the image in force"),
        "{refused}"
    );
}

/// How a test gives `sim reader` its secure channel key.
#[derive(Clone, Copy)]
enum KeyBy {
    /// `--scbk HEX`.
    Argument,
    /// `--scbk-file PATH`, a file only its owner can read.
    File,
    /// `ACCESSCTL_SCBK`.
    Environment,
}

/// The secure channel key of `club_entree`, as `controller run` derives it, in hex.
fn club_entree_scbk(dir: &Path) -> String {
    let policy = OfflinePolicy::load(&dir.join("centre.acl"), None).unwrap();
    let door = policy.query.door("club_entree").unwrap();
    let scbk = door_scbk(&policy, door).unwrap();
    scbk.expose().iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `text` to `dir/name` with the Unix permissions `mode`.
#[cfg(unix)]
fn key_file(dir: &Path, name: &str, text: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `sim reader` presenting `presentation` to a fresh controller of `club_entree`.
fn present(dir: &Path, presentation: &[&str]) -> support::Run {
    present_keyed(dir, KeyBy::Argument, presentation)
}

/// `sim reader` presenting `presentation` to a fresh controller of `club_entree`, its
/// key given `by` the command line, a file or the environment.
fn present_keyed(dir: &Path, by: KeyBy, presentation: &[&str]) -> support::Run {
    let port = free_port();
    let _controller = controller(dir, port, "club_entree=1");
    let hex = club_entree_scbk(dir);
    let bus = format!("tcp:127.0.0.1:{port}");
    let mut command = support::accessctl();
    command
        .current_dir(dir)
        .args(["sim", "reader", "--bus", &bus, "--address", "1"])
        .args(presentation)
        .args(["--format", "json"]);
    match by {
        KeyBy::Argument => {
            command.args(["--scbk", &hex]);
        }
        KeyBy::File => {
            #[cfg(unix)]
            key_file(dir, "reader.scbk", &format!("{hex}\n"), 0o600);
            command.args(["--scbk-file", "reader.scbk"]);
        }
        KeyBy::Environment => {
            command.env("ACCESSCTL_SCBK", &hex);
        }
    }
    let output = command.output().expect("the binary runs");
    support::Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn a_reader_opens_with_an_allowed_card_and_an_unknown_card_is_journaled() {
    let dir = site();
    let allowed = present(dir.path(), &["--card", "3300000101"]);
    assert_eq!(
        allowed.code,
        Some(0),
        "{}{}",
        allowed.stdout,
        allowed.stderr
    );
    let answer = allowed.json();
    assert_eq!(answer["secure"], true, "{answer}");
    assert!(
        answer["did"]
            .as_str()
            .unwrap()
            .contains("output 0 pulsed 3.0 s"),
        "{answer}"
    );

    let unknown = present(
        dir.path(),
        &["--card", "50000:42", "--card-format", "h10306"],
    );
    assert_eq!(
        unknown.code,
        Some(1),
        "{}{}",
        unknown.stdout,
        unknown.stderr
    );
    let answer = unknown.json();
    assert_eq!(answer["opened"], false, "{answer}");
    assert!(
        answer["did"].as_str().unwrap().contains("LED red"),
        "{answer}"
    );

    let journal = Journal::open(dir.path().join("journal.db")).unwrap();
    let query = Query {
        kind: Some(EventKind::UnknownCard),
        ..Query::default()
    };
    let unknown = journal.query(&query).unwrap();
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].event.card.as_deref(), Some("3276800042"));
}

#[test]
fn a_reader_nobody_polls_gives_up_and_says_so() {
    let dir = TempDir::new().unwrap();
    let port = free_port();
    let bus = format!("tcp:127.0.0.1:{port}");
    let run = run_in(
        dir.path(),
        &[
            "sim",
            "reader",
            "--bus",
            &bus,
            "--address",
            "1",
            "--pin",
            "1234",
            "--timeout",
            "1",
        ],
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stdout.contains("PIN (4 digits) not presented"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("1234"), "a PIN is never shown");
}

#[test]
fn a_reader_takes_its_key_from_a_private_file_or_the_environment() {
    for by in [KeyBy::File, KeyBy::Environment] {
        // A site each: the club-house turnstile is an anti-passback zone, and the
        // coach already inside would be refused a second entry.
        let dir = site();
        let hex = club_entree_scbk(dir.path());
        let run = present_keyed(dir.path(), by, &["--card", "3300000101"]);
        assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
        let answer = run.json();
        assert_eq!(answer["secure"], true, "{answer}");
        assert_eq!(answer["opened"], true, "{answer}");
        assert!(!run.stdout.contains(&hex) && !run.stderr.contains(&hex));
    }
}

#[cfg(unix)]
#[test]
fn a_key_file_others_can_read_is_refused_and_no_key_is_shown() {
    let dir = site();
    court_1_image(dir.path(), "2026-03-14T00:00");
    let hex = club_entree_scbk(dir.path());
    key_file(dir.path(), "shared.scbk", &hex, 0o644);
    key_file(dir.path(), "broken.scbk", &format!("{hex}ff"), 0o600);
    let reader = |extra: &[&str]| {
        let args = [
            &[
                "sim",
                "reader",
                "--bus",
                "tcp:127.0.0.1:1",
                "--address",
                "1",
            ][..],
            &["--pin", "1234", "--timeout", "1"],
            extra,
        ]
        .concat();
        run_in(dir.path(), &args)
    };
    let lock = |extra: &[&str]| {
        let args = [
            &["sim", "lock", "--bus", "tcp:127.0.0.1:1", "--address", "3"][..],
            &[
                "--image",
                "court_1.img",
                "--keystore",
                "centre-sportif.keys",
            ],
            &["--site", "courts"],
            extra,
        ]
        .concat();
        run_in(dir.path(), &args)
    };
    for run in [
        reader(&["--scbk-file", "shared.scbk"]),
        lock(&["--scbk-file", "shared.scbk"]),
    ] {
        assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
        assert!(
            run.stderr
                .contains("the key file `shared.scbk` can be read by other users (mode 0644)"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("chmod 600 shared.scbk"),
            "{}",
            run.stderr
        );
        assert!(!run.stdout.contains(&hex) && !run.stderr.contains(&hex));
    }
    let broken = reader(&["--scbk-file", "broken.scbk"]);
    assert_eq!(broken.code, Some(2), "{}", broken.stderr);
    assert!(
        broken
            .stderr
            .contains("`broken.scbk` does not hold a secure channel key"),
        "{}",
        broken.stderr
    );
    assert!(!broken.stderr.contains(&hex), "{}", broken.stderr);
    let missing = reader(&["--scbk-file", "missing.scbk"]);
    assert_eq!(missing.code, Some(2), "{}", missing.stderr);
    assert!(
        missing.stderr.contains("`missing.scbk`"),
        "{}",
        missing.stderr
    );
}

#[test]
fn a_malformed_key_in_the_environment_is_refused_without_showing_it() {
    let output = support::accessctl()
        .args([
            "sim",
            "reader",
            "--bus",
            "tcp:127.0.0.1:1",
            "--address",
            "1",
        ])
        .args(["--pin", "1234", "--timeout", "1"])
        .env("ACCESSCTL_SCBK", "not-a-key-0123456789")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("ACCESSCTL_SCBK does not hold a secure channel key"),
        "{stderr}"
    );
    assert!(!stderr.contains("not-a-key-0123456789"), "{stderr}");
}

#[test]
fn the_help_says_why_a_key_is_better_kept_off_the_command_line() {
    for device in ["reader", "lock"] {
        let output = support::accessctl()
            .args(["sim", device, "--help"])
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(help.contains("--scbk-file"), "{help}");
        assert!(help.contains("ACCESSCTL_SCBK"), "{help}");
        assert!(help.contains("visible to every user"), "{help}");
    }
}

/// `sim lock` of court 1 with nobody to poll it: it decides alone after a second.
fn court_1_alone(dir: &Path) -> Process {
    let bus = format!("tcp-listen:127.0.0.1:{}", free_port());
    let options = ["--offline-after", "1", "--at", SATURDAY_11];
    let lock = court_1_lock(dir, &bus, &options);
    lock.wait_for("started", |l| event(l, "started"));
    lock
}

fn decision(lock: &mut Process, line: &str) -> Value {
    lock.say(line);
    lock.wait_for("a decision", |l| event(l, "decision"))
}

#[test]
fn an_offline_code_opens_the_lock_alone_and_a_one_time_code_only_once() {
    // Found: a code `codes issue` gave was refused by `sim lock` (unknown_credential).
    let dir = site();
    court_1_image(dir.path(), "2026-03-14T00:00");
    let args = [
        "codes",
        "issue",
        "--policy",
        "centre.acl",
        "--door",
        "court_1",
        "--from",
        SATURDAY_11,
        "--for",
        "2h",
        "--once",
        "--format",
        "json",
    ];
    let issued = run_in(dir.path(), &args);
    assert_eq!(issued.code, Some(0), "{}", issued.stderr);
    let issued: Value = serde_json::from_str(&issued.stdout).unwrap();
    let code = issued["code"].as_str().unwrap().to_owned();

    let mut lock = court_1_alone(dir.path());
    let opened = decision(&mut lock, &format!("pin {code}"));
    assert_eq!(opened["allowed"], true, "{opened}");
    assert_eq!(opened["reason"], "offline_code", "{opened}");
    let again = decision(&mut lock, &format!("pin {code}"));
    assert_eq!(again["allowed"], false, "{again}");
    assert_eq!(again["reason"], "already_used", "{again}");
    drop(lock);

    // Restarted, the lock still remembers the code was used.
    let mut restarted = court_1_alone(dir.path());
    let reused = decision(&mut restarted, &format!("pin {code}"));
    assert_eq!(reused["reason"], "already_used", "{reused}");
    let memory = std::fs::read_to_string(dir.path().join("court_1.img.state")).unwrap();
    assert!(!memory.contains(&code), "the memory never holds a code");
}

#[test]
fn ten_thousand_pins_at_the_lock_are_locked_out_and_a_restart_forgives_nothing() {
    // Found: 0000, 0001, … at `sim lock` opened at the 7,317th try within one second.
    let dir = site();
    court_1_image(dir.path(), "2026-03-14T00:00");
    let mut lock = court_1_alone(dir.path());
    lock.say("pin 0000");
    lock.wait_for("deciding alone", |l| event(l, "decision"));
    let stdin = lock.stdin.as_mut().unwrap();
    let guesses: String = (1..10_000).map(|pin| format!("pin {pin:04}\n")).collect();
    stdin.write_all(guesses.as_bytes()).unwrap();
    lock.stdin = None;
    let mut decisions = 1;
    let mut read = 1;
    let mut locked = Vec::new();
    while decisions < 10_000 {
        let line = lock.wait_for("decisions", |l| {
            event(l, "decision") || event(l, "keypad_locked")
        });
        if event(&line, "keypad_locked") {
            locked.push(line);
            continue;
        }
        decisions += 1;
        assert_eq!(line["allowed"], false, "{line}");
        if line["reason"] != "locked_out" {
            read += 1;
        }
    }
    assert_eq!(read, 5, "five PINs read, then the keypad is locked");
    assert_eq!(locked.len(), 1, "{locked:?}");
    assert!(locked[0]["until"]
        .as_str()
        .unwrap()
        .starts_with("2026-03-14T11:0"));
    assert_eq!(lock.child.wait().unwrap().code(), Some(0));

    // Restarted at once: still locked, even for the space code.
    let mut restarted = court_1_alone(dir.path());
    let refused = decision(&mut restarted, "pin 739154");
    assert_eq!(refused["reason"], "locked_out", "{refused}");
}
