//! How fast the control panel polls, how long it waits, how often it retries.
//!
//! Owns [`Timing`] and the one helper that adds a duration to an instant without
//! overflowing. It never reads a clock.

use std::time::{Duration, Instant};

/// The control panel's timing and sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// How long to wait for a reply before sending the command again.
    pub reply_timeout: Duration,
    /// How many times a command is sent again before its PD is declared offline.
    pub retries: u8,
    /// How long between two polls of the same PD.
    pub poll_interval: Duration,
    /// How long an offline PD is left alone before the CP tries it again.
    pub offline_retry: Duration,
    /// The largest file fragment sent (the PD may ask for less).
    pub fragment_len: usize,
}

impl Default for Timing {
    /// 200 ms reply timeout, 2 retries, a poll every 50 ms, an offline PD tried again
    /// every second, 128-byte file fragments.
    fn default() -> Self {
        Self {
            reply_timeout: Duration::from_millis(200),
            retries: 2,
            poll_interval: Duration::from_millis(50),
            offline_retry: Duration::from_secs(1),
            fragment_len: 128,
        }
    }
}

/// `now + duration`, or `now` when that instant cannot be represented.
pub(super) fn later(now: Instant, duration: Duration) -> Instant {
    now.checked_add(duration).unwrap_or(now)
}
