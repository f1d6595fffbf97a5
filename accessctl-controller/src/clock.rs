//! The controller's clocks: the wall clock its decisions are taken at, and the
//! monotonic clock its waits run on.
//!
//! Owns [`WallClock`]: the system's clock, or a clock started at a chosen instant that
//! runs on from there (for demos and tests: a scripted day at a fixed date). It reads
//! the system clock only through [`crate::instant::now`].

use std::time::Instant as Monotonic;

use accessctl_core::Timestamp;

use crate::instant;
use crate::reader::Now;

/// Where the controller's wall clock comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WallClock {
    /// The system's clock.
    System,
    /// `start` at `since`, running on at the monotonic clock's pace.
    StartedAt {
        /// The instant shown at `since`.
        start: Timestamp,
        /// When it showed `start`.
        since: Monotonic,
    },
}

impl WallClock {
    /// A clock showing `start` now and running on.
    pub fn starting_at(start: Timestamp) -> WallClock {
        WallClock::StartedAt {
            start,
            since: Monotonic::now(),
        }
    }

    /// Both clocks, now.
    pub fn now(&self) -> Now {
        let mono = Monotonic::now();
        let wall = match *self {
            WallClock::System => instant::now(),
            WallClock::StartedAt { start, since } => {
                let elapsed = mono.saturating_duration_since(since).as_secs();
                Timestamp(
                    start
                        .0
                        .saturating_add(i64::try_from(elapsed).unwrap_or(i64::MAX)),
                )
            }
        };
        Now { wall, mono }
    }
}
