//! The lock's keypad state for offline codes: strikes and lockouts, and the one-time
//! codes already used.
//!
//! Owns the bounded memory of used one-time codes documented in the parent module, and
//! applies it and the keypad [`Lockout`] rule around [`check_code`]. It never reads a
//! clock (every call takes `now`) and never forgets a one-time code that could still
//! be accepted.

use serde::{Deserialize, Serialize};

use super::{check_code, CodeRefusal, CodeWindow, DRIFT_TOLERANCE};
use crate::lockout::Lockout;
use crate::secret::Key;
use crate::time::Timestamp;

/// One-time codes a verifier remembers by default.
pub const DEFAULT_MEMORY: usize = 256;

/// A lock's verifier of offline codes: its door's code key, its wrong-entry count and
/// lockout, and the one-time codes it accepted that are still within their window.
///
/// ```
/// use accessctl_core::offline::code::{door_code_key, issue, CodeRefusal, CodeRequest, CodeVerifier};
/// use accessctl_core::secret::Key;
/// use accessctl_core::Timestamp;
///
/// let key = door_code_key(&Key::from_entropy([7; 32]), "main");
/// let start = Timestamp(1_795_424_400);
/// let issued = issue(&key, &CodeRequest { start, hours: 1, once: true, variant: 0 })?;
/// let mut lock = CodeVerifier::new(key);
/// let now = Timestamp(start.0 + 60);
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
    pub fn verify(&mut self, entered: &str, now: Timestamp) -> Result<CodeWindow, CodeRefusal> {
        if let Err(until) = self.lockout.admit(now) {
            return Err(CodeRefusal::LockedOut { until });
        }
        match self.check(entered, now) {
            Err(CodeRefusal::WrongCode { .. }) => Err(CodeRefusal::WrongCode {
                locked_until: self.lockout.strike(now),
            }),
            other => other,
        }
    }

    /// Checks a code entered at `now` against the key and the memory of used one-time
    /// codes, leaving the lockout to the caller: for a keypad whose one [`Lockout`]
    /// also covers PINs and space codes. A wrong code comes back as
    /// [`CodeRefusal::WrongCode`] with no lockout.
    pub fn check(&mut self, entered: &str, now: Timestamp) -> Result<CodeWindow, CodeRefusal> {
        match check_code(&self.key, entered, now) {
            Ok(window) if window.once => self.used.remember(window, now).map(|()| window),
            other => other,
        }
    }

    /// The one-time codes remembered, to keep in the lock's persistent memory.
    pub fn memory(&self) -> UsedCodes {
        self.used.clone()
    }

    /// Takes back a memory kept by [`CodeVerifier::memory`] (its capacity stays this
    /// verifier's).
    pub fn restore_memory(&mut self, memory: UsedCodes) {
        self.used.codes = memory.codes;
    }

    /// Wrong entries counted since the last forgiveness.
    pub fn strikes(&self) -> u32 {
        self.lockout.strikes()
    }

    /// Until when the keypad is locked, if it is at `now`.
    pub fn locked_until(&self, now: Timestamp) -> Option<Timestamp> {
        self.lockout.locked_until(now)
    }

    /// One-time codes remembered (some may have expired since the last call).
    pub fn remembered(&self) -> usize {
        self.used.codes.len()
    }
}

/// A one-time code accepted: 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// The one-time codes accepted and still within their window: part of a lock's
/// persistent memory, plain data to keep and restore.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsedCodes {
    #[serde(skip)]
    capacity: usize,
    codes: Vec<Used>,
}

impl UsedCodes {
    /// Records `window`'s code as used, unless it was already, or the memory is full
    /// of codes still valid.
    fn remember(&mut self, window: CodeWindow, now: Timestamp) -> Result<(), CodeRefusal> {
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
    fn a_used_code_takes_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<Used>(), 16);
    }
}
