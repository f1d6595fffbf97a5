//! The guard of one door's keypads at the controller: the lockout rule online, and the
//! door's offline codes accepted while it is online too.
//!
//! Owns [`KeypadGuard`]: a [`Lockout`] per reader of the door's PD (an attacker at the
//! outer keypad cannot lock the inner one), the verifier of the door's offline codes
//! with its memory of one-time codes used, and that memory as a JSON document the
//! controller keeps in its journal after every change, so that a restart forgives
//! nothing. The rule itself is the core's ([`judge_unknown`]), the one a lock applies
//! alone. It never reads a clock (instants are given), never keeps an entry's digits,
//! and never decides a PIN (the engine does, before the guard is asked).

use std::collections::BTreeMap;

use accessctl_core::lockout::Lockout;
use accessctl_core::offline::code::{CodeVerifier, UsedCodes};
use accessctl_core::offline::{judge_unknown, Unknown};
use accessctl_core::secret::Key;
use accessctl_core::{Reason, Timestamp};
use serde::{Deserialize, Serialize};

use crate::keypad::Pin;

/// A door's keypads: each reader's lockout, and the door's offline codes.
#[derive(Debug, Clone)]
pub struct KeypadGuard {
    readers: BTreeMap<u8, Lockout>,
    codes: Option<CodeVerifier>,
    changed: bool,
}

/// What a guard keeps across a restart.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Memory {
    readers: BTreeMap<u8, Lockout>,
    used_codes: UsedCodes,
}

impl KeypadGuard {
    /// A guard that has seen nothing; with `code_key`, the door's offline-code key, it
    /// accepts the door's offline codes.
    pub fn new(code_key: Option<Key>) -> KeypadGuard {
        KeypadGuard {
            readers: BTreeMap::new(),
            codes: code_key.map(CodeVerifier::new),
            changed: false,
        }
    }

    /// A guard as [`KeypadGuard::memory`] kept it.
    pub fn restored(code_key: Option<Key>, memory: &str) -> Result<KeypadGuard, serde_json::Error> {
        let memory: Memory = serde_json::from_str(memory)?;
        let mut guard = KeypadGuard::new(code_key);
        guard.readers = memory.readers;
        if let Some(codes) = &mut guard.codes {
            codes.restore_memory(memory.used_codes);
        }
        Ok(guard)
    }

    /// The guard under a new policy: the lockouts and used codes stay, the code key
    /// is the new one.
    pub fn rekeyed(&self, code_key: Option<Key>) -> KeypadGuard {
        let mut guard = KeypadGuard::new(code_key);
        guard.readers = self.readers.clone();
        if let (Some(codes), Some(old)) = (&mut guard.codes, &self.codes) {
            codes.restore_memory(old.memory());
        }
        guard
    }

    /// What to keep so that a restart forgets nothing (a JSON document).
    pub fn memory(&self) -> String {
        let memory = Memory {
            readers: self.readers.clone(),
            used_codes: self
                .codes
                .as_ref()
                .map(CodeVerifier::memory)
                .unwrap_or_default(),
        };
        // Numbers, instants and booleans only: it always serializes.
        serde_json::to_string(&memory).unwrap_or_default()
    }

    /// Whether something changed since the last call: the memory is due to be kept.
    pub fn take_changed(&mut self) -> bool {
        std::mem::take(&mut self.changed)
    }

    /// Whether reader `reader`'s keypad reads an entry at `at`: `Err(until)` while it
    /// is locked.
    pub fn admit(&mut self, reader: u8, at: Timestamp) -> Result<(), Timestamp> {
        self.readers.entry(reader).or_default().admit(at)
    }

    /// What follows for `pin`, typed on reader `reader` at `at`, which the engine
    /// refused with `reason`: an offline code (never with a card held: a code is no
    /// second factor), a wrong entry counted, or the refusal standing.
    pub fn judge(
        &mut self,
        reader: u8,
        reason: Reason,
        pin: &Pin,
        card_held: bool,
        at: Timestamp,
    ) -> Unknown {
        let lockout = self.readers.entry(reader).or_default();
        let codes = self.codes.as_mut().filter(|_| !card_held);
        let unknown = judge_unknown(lockout, codes, reason, pin.expose(), at);
        if unknown != Unknown::Stands {
            self.changed = true;
        }
        unknown
    }

    /// Wrong entries counted at reader `reader`.
    pub fn strikes(&self, reader: u8) -> u32 {
        self.readers.get(&reader).map_or(0, Lockout::strikes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accessctl_core::lockout::FIRST_LOCKOUT;

    #[test]
    fn each_reader_counts_alone_and_the_memory_survives_a_restart() {
        let mut guard = KeypadGuard::new(None);
        let at = Timestamp(1_795_424_400);
        for _ in 0..4 {
            let wrong = guard.judge(0, Reason::UnknownCredential, &Pin::new("0000"), false, at);
            assert_eq!(wrong, Unknown::Wrong { locked_until: None });
        }
        assert!(guard.take_changed());
        assert!(!guard.take_changed());
        let mut restarted = KeypadGuard::restored(None, &guard.memory()).unwrap();
        assert_eq!(restarted.strikes(0), 4);
        let fifth = restarted.judge(0, Reason::UnknownCredential, &Pin::new("1"), false, at);
        let until = Timestamp(at.0 + FIRST_LOCKOUT);
        assert_eq!(
            fifth,
            Unknown::Wrong {
                locked_until: Some(until)
            }
        );
        assert_eq!(restarted.admit(0, at), Err(until));
        assert_eq!(
            restarted.admit(1, at),
            Ok(()),
            "the other reader still reads"
        );
        let known = restarted.judge(1, Reason::OutsideSchedule, &Pin::new("2"), false, at);
        assert_eq!(known, Unknown::Stands);
        assert!(KeypadGuard::restored(None, "{").is_err());
    }
}
