//! The lock's keypad state for offline codes: strikes and lockouts, and the one-time
//! codes already used.
//!
//! Owns the lockout rule and the bounded memory of used one-time codes documented in
//! the parent module, and applies them around [`check_code`]. It never reads a clock
//! (every call takes `now`) and never forgets a one-time code that could still be
//! accepted.

use super::{check_code, CodeRefusal, CodeWindow, DRIFT_TOLERANCE};
use crate::secret::Key;
use crate::time::Instant;

/// Wrong entries between lockouts.
pub const STRIKES_PER_LOCKOUT: u32 = 5;
/// Seconds of the first lockout; each further one lasts twice as long as the last.
pub const FIRST_LOCKOUT: i64 = 5 * 60;
/// Seconds a lockout lasts at most.
pub const MAX_LOCKOUT: i64 = 24 * 3600;
/// Seconds without a wrong entry after which strikes and lockouts are forgiven.
pub const FORGIVE_AFTER: i64 = 7 * 24 * 3600;
/// One-time codes a verifier remembers by default.
pub const DEFAULT_MEMORY: usize = 256;

/// A lock's verifier of offline codes: its door's code key, its wrong-entry count and
/// lockout, and the one-time codes it accepted that are still within their window.
///
/// ```
/// use accessctl_core::offline::code::{door_code_key, issue, CodeRefusal, CodeRequest, CodeVerifier};
/// use accessctl_core::secret::Key;
/// use accessctl_core::Instant;
///
/// let key = door_code_key(&Key::from_entropy([7; 32]), "main");
/// let start = Instant(1_795_424_400);
/// let issued = issue(&key, &CodeRequest { start, hours: 1, once: true, variant: 0 })?;
/// let mut lock = CodeVerifier::new(key);
/// let now = Instant(start.0 + 60);
/// assert!(lock.verify(issued.code.expose_digits(), now).is_ok());
/// assert_eq!(lock.verify(issued.code.expose_digits(), now), Err(CodeRefusal::AlreadyUsed));
/// # Ok::<(), accessctl_core::offline::code::IssueError>(())
/// ```
#[derive(Debug, Clone)]
pub struct CodeVerifier {
    key: Key,
    lockout: Lockout,
    used: UsedCodes,
}

impl CodeVerifier {
    /// A fresh verifier holding `door_key`, remembering up to [`DEFAULT_MEMORY`]
    /// one-time codes.
    pub fn new(door_key: Key) -> CodeVerifier {
        CodeVerifier::with_memory(door_key, DEFAULT_MEMORY)
    }

    /// A fresh verifier remembering up to `capacity` one-time codes.
    pub fn with_memory(door_key: Key, capacity: usize) -> CodeVerifier {
        CodeVerifier {
            key: door_key,
            lockout: Lockout::default(),
            used: UsedCodes {
                capacity,
                codes: Vec::new(),
            },
        }
    }

    /// Verifies a code entered at `now`: refused unread while locked out; a wrong
    /// code is a strike (every fifth locks the keypad); a one-time code is accepted
    /// once.
    pub fn verify(&mut self, entered: &str, now: Instant) -> Result<CodeWindow, CodeRefusal> {
        self.lockout.forgive_if_quiet(now);
        if let Some(until) = self.lockout.locked(now) {
            return Err(CodeRefusal::LockedOut { until });
        }
        match check_code(&self.key, entered, now) {
            Err(CodeRefusal::WrongCode { .. }) => Err(CodeRefusal::WrongCode {
                locked_until: self.lockout.strike(now),
            }),
            Ok(window) if window.once => self.used.remember(window, now).map(|()| window),
            other => other,
        }
    }

    /// Wrong entries counted since the last forgiveness.
    pub fn strikes(&self) -> u32 {
        self.lockout.strikes
    }

    /// Until when the keypad is locked, if it is at `now`.
    pub fn locked_until(&self, now: Instant) -> Option<Instant> {
        self.lockout.locked(now)
    }

    /// One-time codes remembered (some may have expired since the last call).
    pub fn remembered(&self) -> usize {
        self.used.codes.len()
    }
}

/// Strikes and lockouts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Lockout {
    strikes: u32,
    /// Strikes since the last lockout began.
    pending: u32,
    lockouts: u32,
    until: Option<Instant>,
    last_strike: Option<Instant>,
}

impl Lockout {
    fn forgive_if_quiet(&mut self, now: Instant) {
        if self
            .last_strike
            .is_some_and(|last| now.0 >= last.0.saturating_add(FORGIVE_AFTER))
        {
            *self = Lockout::default();
        }
    }

    fn locked(&self, now: Instant) -> Option<Instant> {
        self.until.filter(|until| now < *until)
    }

    /// Counts a wrong entry; returns the end of the lockout it starts, if it does.
    fn strike(&mut self, now: Instant) -> Option<Instant> {
        self.strikes = self.strikes.saturating_add(1);
        self.pending = self.pending.saturating_add(1);
        self.last_strike = Some(now);
        if self.pending < STRIKES_PER_LOCKOUT {
            return None;
        }
        self.pending = 0;
        self.lockouts = self.lockouts.saturating_add(1);
        let until = Instant(now.0.saturating_add(lockout_length(self.lockouts)));
        self.until = Some(until);
        self.until
    }
}

/// Seconds of the `n`-th lockout (from 1).
fn lockout_length(n: u32) -> i64 {
    let doublings = n.saturating_sub(1).min(30);
    FIRST_LOCKOUT
        .saturating_mul(1i64 << doublings)
        .min(MAX_LOCKOUT)
}

/// A one-time code accepted: 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Used {
    start: i64,
    hours: u32,
    variant: u8,
}

impl Used {
    fn of(window: CodeWindow) -> Used {
        let hours = (window.end.0.saturating_sub(window.start.0)) / 3600;
        Used {
            start: window.start.0,
            hours: u32::try_from(hours).unwrap_or(u32::MAX),
            variant: window.variant,
        }
    }

    /// The first instant at which the code can no longer be accepted.
    fn forgotten_at(&self) -> i64 {
        let end = self.start.saturating_add(i64::from(self.hours) * 3600);
        end.saturating_add(DRIFT_TOLERANCE)
    }
}

/// The one-time codes accepted and still within their window.
#[derive(Debug, Clone)]
struct UsedCodes {
    capacity: usize,
    codes: Vec<Used>,
}

impl UsedCodes {
    /// Records `window`'s code as used, unless it was already, or the memory is full
    /// of codes still valid.
    fn remember(&mut self, window: CodeWindow, now: Instant) -> Result<(), CodeRefusal> {
        self.codes.retain(|used| used.forgotten_at() > now.0);
        let used = Used::of(window);
        if self.codes.contains(&used) {
            return Err(CodeRefusal::AlreadyUsed);
        }
        if self.codes.len() >= self.capacity {
            return Err(CodeRefusal::MemoryFull);
        }
        self.codes.push(used);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockouts_double_up_to_a_day() {
        let minutes: Vec<i64> = (1..=12).map(|n| lockout_length(n) / 60).collect();
        assert_eq!(
            minutes,
            [5, 10, 20, 40, 80, 160, 320, 640, 1280, 1440, 1440, 1440]
        );
        assert_eq!(lockout_length(u32::MAX), MAX_LOCKOUT);
    }

    #[test]
    fn a_used_code_takes_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<Used>(), 16);
    }
}
