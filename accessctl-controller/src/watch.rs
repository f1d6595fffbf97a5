//! Noticing that the policy files changed.
//!
//! Owns [`PolicyWatch`]: the list of the policy's `.acl` files with their sizes and
//! modification times, compared with a fresh look at most every [`WATCH_INTERVAL`]. A
//! file added, removed, resized or touched is a change. It must never read the files'
//! text or judge them: the controller reloads and validates.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::load::policy_files;

/// How often the files are looked at.
pub const WATCH_INTERVAL: Duration = Duration::from_secs(1);

/// One file as last seen.
type Stamp = (PathBuf, Option<SystemTime>, u64);

/// The policy's files as last seen.
#[derive(Debug)]
pub struct PolicyWatch {
    path: PathBuf,
    seen: Vec<Stamp>,
    next_look: Instant,
}

impl PolicyWatch {
    /// Starts watching the policy at `path` (a file or a directory), as it is at `now`.
    pub fn new(path: &Path, now: Instant) -> PolicyWatch {
        PolicyWatch {
            path: path.to_path_buf(),
            seen: stamps(path),
            next_look: now + WATCH_INTERVAL,
        }
    }

    /// Whether the files changed since the last look, looking only when
    /// [`WATCH_INTERVAL`] has passed since then.
    pub fn changed(&mut self, now: Instant) -> bool {
        if now < self.next_look {
            return false;
        }
        self.next_look = now + WATCH_INTERVAL;
        let fresh = stamps(&self.path);
        let changed = fresh != self.seen;
        self.seen = fresh;
        changed
    }

    /// When the next look is due.
    pub fn next_look(&self) -> Instant {
        self.next_look
    }
}

/// Every policy file under `path` with its modification time and size; empty when the
/// path cannot be read (which is a change too, and the reload says what is wrong).
fn stamps(path: &Path) -> Vec<Stamp> {
    let files = policy_files(path).unwrap_or_default();
    files
        .into_iter()
        .map(|file| {
            let metadata = fs::metadata(&file).ok();
            let modified = metadata.as_ref().and_then(|m| m.modified().ok());
            let len = metadata.map_or(0, |m| m.len());
            (file, modified, len)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_is_seen_at_the_next_look() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hq.acl");
        fs::write(&file, "site hq { timezone \"UTC\" }\n").unwrap();
        let t0 = Instant::now();
        let mut watch = PolicyWatch::new(dir.path(), t0);
        assert!(!watch.changed(t0 + WATCH_INTERVAL));
        fs::write(&file, "site hq { timezone \"UTC\"  door main }\n").unwrap();
        assert!(
            !watch.changed(t0 + WATCH_INTERVAL),
            "not before the interval"
        );
        assert!(watch.changed(t0 + WATCH_INTERVAL * 2));
        assert!(!watch.changed(t0 + WATCH_INTERVAL * 3));
        fs::write(dir.path().join("more.acl"), "").unwrap();
        assert!(watch.changed(t0 + WATCH_INTERVAL * 4), "a new file");
    }
}
