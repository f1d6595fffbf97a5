//! A libosdp peer in a child process: finds the Python interpreter that has libosdp,
//! spawns one of the scripts of `interop/libosdp/`, and reads its JSON lines.
//!
//! Owns [`Peer`] and [`python`]. A peer is killed when dropped, on every path (a
//! failed assertion included), and every wait has a deadline, so that a hang fails a
//! test instead of blocking CI. It never decides what a test expects.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The environment variable naming the Python interpreter that has libosdp.
const PYTHON_VARIABLE: &str = "ACCESSCTL_LIBOSDP_PYTHON";
/// The environment variable that turns a missing libosdp into a failure (CI sets it).
const REQUIRE_VARIABLE: &str = "ACCESSCTL_REQUIRE_LIBOSDP";

/// The workspace root (this crate's parent directory).
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// The interpreter to run the peers with: `$ACCESSCTL_LIBOSDP_PYTHON`, else the
/// workspace's `.venv-libosdp`. `None` (after a notice) when there is none and the
/// environment does not require one; a panic when it does.
pub fn python(test: &str) -> Option<PathBuf> {
    let candidate = match std::env::var_os(PYTHON_VARIABLE) {
        Some(path) => PathBuf::from(path),
        None => workspace_root().join(".venv-libosdp/bin/python"),
    };
    if candidate.exists() {
        return Some(candidate);
    }
    let required = std::env::var(REQUIRE_VARIABLE).is_ok_and(|value| value == "1");
    assert!(
        !required,
        "{test}: {REQUIRE_VARIABLE}=1 but no libosdp interpreter at {} \
         (set {PYTHON_VARIABLE}, or create the venv as interop/libosdp/README.md says)",
        candidate.display()
    );
    eprintln!(
        "{test}: skipped, no libosdp interpreter at {} (see interop/libosdp/README.md)",
        candidate.display()
    );
    None
}

/// A running libosdp script and the JSON lines it printed.
pub struct Peer {
    name: &'static str,
    child: Child,
    lines: Receiver<Value>,
    seen: Vec<Value>,
    ended: bool,
    stderr: Arc<Mutex<String>>,
}

impl Peer {
    /// Starts `interop/libosdp/<script>` with `arguments`.
    pub fn spawn(python: &Path, script: &'static str, arguments: &[&str]) -> Peer {
        let path = workspace_root().join("interop/libosdp").join(script);
        let mut child = Command::new(python)
            .arg("-u")
            .arg("-B")
            .arg(&path)
            .args(arguments)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", path.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let (sender, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value = serde_json::from_str(&line)
                    .unwrap_or_else(|_| Value::String(format!("not JSON: {line}")));
                if sender.send(value).is_err() {
                    break;
                }
            }
        });
        let log = Arc::new(Mutex::new(String::new()));
        let collected = Arc::clone(&log);
        thread::spawn(move || {
            let mut text = String::new();
            let mut stderr = stderr;
            let mut buf = [0u8; 4096];
            while let Ok(count) = stderr.read(&mut buf) {
                if count == 0 {
                    break;
                }
                text.push_str(&String::from_utf8_lossy(&buf[..count]));
                if let Ok(mut shared) = collected.lock() {
                    shared.clone_from(&text);
                }
            }
        });
        Peer {
            name: script,
            child,
            lines,
            seen: Vec::new(),
            ended: false,
            stderr: log,
        }
    }

    /// The next line satisfying `matches`, waiting until `deadline`; panics with what
    /// the peer printed when none came.
    pub fn expect(
        &mut self,
        what: &str,
        deadline: Instant,
        matches: impl Fn(&Value) -> bool,
    ) -> Value {
        loop {
            if let Some(found) = self.poll(&matches, deadline) {
                return found;
            }
            if self.ended {
                self.fail(&format!("{what} (it exited)"));
            }
            if Instant::now() >= deadline {
                self.fail(what);
            }
        }
    }

    /// A line satisfying `matches` if one arrives before `until` (or at once, when
    /// `until` has passed); lines that do not match are kept for failure reports.
    /// After the peer exited, waits at most a few milliseconds.
    pub fn poll(&mut self, matches: impl Fn(&Value) -> bool, until: Instant) -> Option<Value> {
        loop {
            let wait = until.saturating_duration_since(Instant::now());
            let line = match self.lines.recv_timeout(wait) {
                Ok(line) => line,
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => {
                    // It exited: no line will come any more.
                    self.ended = true;
                    thread::sleep(wait.min(Duration::from_millis(20)));
                    return None;
                }
            };
            self.seen.push(line.clone());
            if matches(&line) {
                return Some(line);
            }
        }
    }

    /// Panics saying what was awaited, what the peer printed and its log.
    pub fn fail(&mut self, what: &str) -> ! {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
        }
        let printed: Vec<String> = self.seen.iter().map(Value::to_string).collect();
        let log = self
            .stderr
            .lock()
            .map(|log| log.clone())
            .unwrap_or_default();
        panic!(
            "{}: no {what}\n--- its JSON lines:\n{}\n--- its stderr (libosdp log):\n{}",
            self.name,
            printed.join("\n"),
            log
        );
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `line` is `{"event": event, ...}`.
pub fn is_event(line: &Value, event: &str) -> bool {
    line.get("event").and_then(Value::as_str) == Some(event)
}
