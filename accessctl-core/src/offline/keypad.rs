//! The keypad of a lock deciding alone: every secret typed at it — a holder's PIN, a
//! permanent space code, an offline code — behind the one [`Lockout`] rule.
//!
//! Owns [`LockKeypad`]: the lock's wrong-entry count and lockout, and the verifier of
//! its door's offline codes with the memory of one-time codes already used; and
//! [`KeypadMemory`], what of it the lock keeps across a restart; and [`judge_unknown`],
//! the rule for an entry no PIN matched, which a controller shares. An entry is read in
//! this order: refused unread while locked; the image decides it as a PIN or space
//! code; an entry the image does not know is tried as an offline code; what neither
//! knows is a wrong entry. It never reads a clock (every call takes the lock's
//! instant), never keeps an entry's digits, and never lets a success forgive a wrong
//! entry.

use serde::{Deserialize, Serialize};

use super::code::{CodeRefusal, CodeVerifier, CodeWindow, UsedCodes};
use super::{LockDecision, LockImage};
use crate::lockout::Lockout;
use crate::secret::Key;
use crate::time::Timestamp;
use crate::{Presented, Reason};

/// What became of an entry at a lock's keypad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeypadOutcome {
    /// The image knew the secret (a holder's PIN, a space code) and decided: opened,
    /// or refused for a reason that is not a guess (outside its schedule, …).
    Decided(LockDecision),
    /// An offline code of this door, within its window: opened.
    Code(CodeWindow),
    /// A genuine offline code refused: not yet valid, expired, already used, or the
    /// memory of one-time codes full. Not a wrong entry.
    CodeRefused(CodeRefusal),
    /// Nothing the lock knows: a wrong entry, counted; it may have locked the keypad.
    Wrong {
        /// The lockout this entry started, until then.
        locked_until: Option<Timestamp>,
    },
    /// The keypad is locked: refused unread.
    LockedOut {
        /// When entries are read again.
        until: Timestamp,
    },
}

impl KeypadOutcome {
    /// Whether the door opens.
    pub fn allowed(&self) -> bool {
        match self {
            KeypadOutcome::Decided(decision) => decision.allowed(),
            KeypadOutcome::Code(_) => true,
            _ => false,
        }
    }

    /// A stable code: the image's reason (`granted`, `space_code`, …), `offline_code`,
    /// the code's refusal (`expired`, `already_used`, …), `unknown_credential` for a
    /// wrong entry, `locked_out`.
    pub fn code(&self) -> &'static str {
        match self {
            KeypadOutcome::Decided(decision) => decision.reason.code(),
            KeypadOutcome::Code(_) => "offline_code",
            KeypadOutcome::CodeRefused(refusal) => refusal.code(),
            KeypadOutcome::Wrong { .. } => Reason::UnknownCredential.code(),
            KeypadOutcome::LockedOut { .. } => "locked_out",
        }
    }

    /// The lockout this entry started, if it started one.
    pub fn locked_until(&self) -> Option<Timestamp> {
        match self {
            KeypadOutcome::Wrong { locked_until } => *locked_until,
            _ => None,
        }
    }
}

/// What a lock's keypad keeps across a restart: its wrong entries and lockout, and the
/// one-time codes it accepted that are still within their window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeypadMemory {
    /// Wrong entries and lockouts.
    pub lockout: Lockout,
    /// One-time offline codes already used.
    pub used_codes: UsedCodes,
}

/// A lock's keypad: the lockout, and its door's offline codes when it holds their key.
#[derive(Debug, Clone)]
pub struct LockKeypad {
    lockout: Lockout,
    codes: Option<CodeVerifier>,
}

impl LockKeypad {
    /// A keypad that has seen nothing; `code_key`, the door's offline-code key
    /// ([`door_code_key`](super::code::door_code_key)), lets it accept offline codes.
    pub fn new(code_key: Option<Key>) -> LockKeypad {
        LockKeypad {
            lockout: Lockout::default(),
            codes: code_key.map(CodeVerifier::new),
        }
    }

    /// A keypad as it was when `memory` was kept.
    pub fn restored(code_key: Option<Key>, memory: KeypadMemory) -> LockKeypad {
        let mut keypad = LockKeypad::new(code_key);
        keypad.lockout = memory.lockout;
        if let Some(codes) = &mut keypad.codes {
            codes.restore_memory(memory.used_codes);
        }
        keypad
    }

    /// What to keep so that a restart forgets nothing.
    pub fn memory(&self) -> KeypadMemory {
        KeypadMemory {
            lockout: self.lockout,
            used_codes: self
                .codes
                .as_ref()
                .map(CodeVerifier::memory)
                .unwrap_or_default(),
        }
    }

    /// The wrong entries and lockout.
    pub fn lockout(&self) -> &Lockout {
        &self.lockout
    }

    /// Whether it accepts offline codes.
    pub fn takes_codes(&self) -> bool {
        self.codes.is_some()
    }

    /// Reads `entered`, typed at `at` on the lock's clock, deciding PINs and space
    /// codes with `image` (none: only offline codes can open).
    pub fn enter(
        &mut self,
        image: Option<&LockImage>,
        entered: &str,
        at: Timestamp,
    ) -> KeypadOutcome {
        if let Err(until) = self.lockout.admit(at) {
            return KeypadOutcome::LockedOut { until };
        }
        let decided = image.map(|image| image.decide(&pin(entered), at));
        // No image: nobody's PIN is known, as if none matched.
        let reason = decided.map_or(Reason::UnknownCredential, |d| d.reason);
        match judge_unknown(&mut self.lockout, self.codes.as_mut(), reason, entered, at) {
            Unknown::Stands => match decided {
                Some(decision) => KeypadOutcome::Decided(decision),
                None => KeypadOutcome::Wrong { locked_until: None },
            },
            Unknown::Code(window) => KeypadOutcome::Code(window),
            Unknown::CodeRefused(refusal) => KeypadOutcome::CodeRefused(refusal),
            Unknown::Wrong { locked_until } => KeypadOutcome::Wrong { locked_until },
        }
    }
}

/// What a keypad makes of an entry once its PINs and space codes were decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unknown {
    /// The decision stands: the secret was known (opened, or refused for a reason
    /// that is not a guess), or nothing typed here can open.
    Stands,
    /// An offline code of the door, within its window: it opens.
    Code(CodeWindow),
    /// A genuine offline code refused (not yet valid, expired, used, memory full):
    /// not a guess.
    CodeRefused(CodeRefusal),
    /// A wrong entry, counted; it may have locked the keypad.
    Wrong {
        /// The lockout this entry started, until then.
        locked_until: Option<Timestamp>,
    },
}

/// The rule for an entry whose PIN decision gave `reason`, shared by locks and
/// controllers: a secret nobody holds (`unknown_credential`), or a PIN that is not the
/// held card's (`factors_mismatch`), is tried as an offline code when `codes` is
/// given, then counted against `lockout`; an entry at a door that takes no PIN
/// (`medium_not_accepted`) is tried as a code and counted only where codes are taken.
/// Call it only for an entry `lockout` admitted.
pub fn judge_unknown(
    lockout: &mut Lockout,
    codes: Option<&mut CodeVerifier>,
    reason: Reason,
    entered: &str,
    at: Timestamp,
) -> Unknown {
    let wrong = |lockout: &mut Lockout| Unknown::Wrong {
        locked_until: lockout.strike(at),
    };
    match (reason, codes) {
        (Reason::FactorsMismatch, _) | (Reason::UnknownCredential, None) => wrong(lockout),
        (Reason::UnknownCredential | Reason::MediumNotAccepted, Some(codes)) => {
            match codes.check(entered, at) {
                Ok(window) => Unknown::Code(window),
                Err(
                    refusal @ (CodeRefusal::NotYetValid { .. }
                    | CodeRefusal::Expired { .. }
                    | CodeRefusal::AlreadyUsed
                    | CodeRefusal::MemoryFull),
                ) => Unknown::CodeRefused(refusal),
                // A mistyped code counts too: on a keypad that takes PINs, ten digits
                // with a wrong check digit may be a PIN guessed.
                Err(_) => wrong(lockout),
            }
        }
        _ => Unknown::Stands,
    }
}

/// An entry presented as a PIN.
fn pin(entered: &str) -> Presented<'_> {
    Presented {
        pin: Some(entered),
        ..Presented::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockout::{FIRST_LOCKOUT, MAX_WRONG_PER_YEAR};
    use crate::offline::code::{door_code_key, issue, CodeRequest};
    use crate::offline::{build_image, lock_key, Issue};
    use crate::{check, CompiledPolicy, Sources};

    const ISSUED: Timestamp = Timestamp(1_795_000_000);
    /// 2026-11-23T09:00Z, a Monday.
    const MONDAY: Timestamp = Timestamp(1_795_424_400);

    fn store_image(site_key: &Key) -> LockImage {
        let mut sources = Sources::new();
        sources.add(
            "hq.acl",
            r#"
site hq { timezone "Europe/Paris"  door store { offline  capacity 100 }  code "483920" on store }
account acme {
  user boss "Boss" { pin "7317"  offline  allow store }
}
"#,
        );
        let policy = check(&sources).policy.unwrap();
        let compiled = CompiledPolicy::new(&policy);
        let store = policy.door_named("store").unwrap();
        let key = lock_key(site_key, "store");
        let built = build_image(&policy, &compiled, store, &key, Issue::at(ISSUED)).unwrap();
        LockImage::decode(&built.bytes, &key).unwrap()
    }

    fn keypad(site_key: &Key) -> LockKeypad {
        LockKeypad::new(Some(door_code_key(site_key, "store")))
    }

    #[test]
    fn pins_space_codes_and_offline_codes_open() {
        let site = Key::from_entropy([7; 32]);
        let image = store_image(&site);
        let mut keypad = keypad(&site);
        let code_key = door_code_key(&site, "store");
        let request = CodeRequest {
            start: MONDAY,
            hours: 2,
            once: true,
            variant: 0,
        };
        let issued = issue(&code_key, &request).unwrap();
        let code = issued.code.expose_digits();
        assert_eq!(keypad.enter(Some(&image), "7317", MONDAY).code(), "granted");
        assert_eq!(
            keypad.enter(Some(&image), "483920", MONDAY).code(),
            "space_code"
        );
        let later = Timestamp(MONDAY.0 + 600);
        assert_eq!(
            keypad.enter(Some(&image), code, later),
            KeypadOutcome::Code(issued.window)
        );
        let again = keypad.enter(Some(&image), code, later);
        assert_eq!(again, KeypadOutcome::CodeRefused(CodeRefusal::AlreadyUsed));
        assert!(keypad.lockout().is_clear(), "no entry above was a guess");
    }

    #[test]
    fn five_wrong_entries_lock_pins_codes_and_space_codes_alike() {
        let site = Key::from_entropy([7; 32]);
        let image = store_image(&site);
        let mut keypad = keypad(&site);
        for guess in ["0000", "0001", "123456", "0000000000"] {
            let outcome = keypad.enter(Some(&image), guess, MONDAY);
            assert_eq!(outcome, KeypadOutcome::Wrong { locked_until: None });
        }
        let fifth = keypad.enter(Some(&image), "0002", MONDAY);
        let until = Timestamp(MONDAY.0 + FIRST_LOCKOUT);
        assert_eq!(fifth.locked_until(), Some(until));
        for secret in ["7317", "483920"] {
            let outcome = keypad.enter(Some(&image), secret, MONDAY);
            assert_eq!(outcome, KeypadOutcome::LockedOut { until });
        }
        assert_eq!(keypad.enter(Some(&image), "7317", until).code(), "granted");
    }

    #[test]
    fn a_restart_forgets_no_wrong_entry_and_no_used_code() {
        let site = Key::from_entropy([7; 32]);
        let image = store_image(&site);
        let code_key = door_code_key(&site, "store");
        let request = CodeRequest {
            start: MONDAY,
            hours: 1,
            once: true,
            variant: 0,
        };
        let issued = issue(&code_key, &request).unwrap();
        let mut keypad = keypad(&site);
        assert!(keypad
            .enter(Some(&image), issued.code.expose_digits(), MONDAY)
            .allowed());
        for guess in ["1111", "2222", "3333", "4444"] {
            keypad.enter(Some(&image), guess, MONDAY);
        }
        let kept = serde_json::to_string(&keypad.memory()).unwrap();
        let memory: KeypadMemory = serde_json::from_str(&kept).unwrap();
        let mut restarted = LockKeypad::restored(Some(code_key), memory);
        let reused = restarted.enter(Some(&image), issued.code.expose_digits(), MONDAY);
        assert_eq!(reused, KeypadOutcome::CodeRefused(CodeRefusal::AlreadyUsed));
        let fifth = restarted.enter(Some(&image), "5555", MONDAY);
        assert!(
            fifth.locked_until().is_some(),
            "the fifth wrong entry locks"
        );
    }

    #[test]
    fn every_four_digit_pin_in_order_does_not_open_within_a_year() {
        // The attack as it was found: 0000, 0001, … as fast as the lock reads them;
        // the manager's PIN 7317 fell at the 7,317th try in one second.
        let site = Key::from_entropy([7; 32]);
        let image = store_image(&site);
        let mut keypad = keypad(&site);
        let year_end = MONDAY.0 + 365 * 24 * 3600;
        let (mut now, mut next, mut read) = (MONDAY.0, 0u32, 0u32);
        while now < year_end && next < 10_000 {
            let guess = format!("{next:04}");
            match keypad.enter(Some(&image), &guess, Timestamp(now)) {
                KeypadOutcome::LockedOut { until } => now = until.0,
                outcome => {
                    assert!(!outcome.allowed(), "opened at try {} ({guess})", read + 1);
                    read += 1;
                    next += 1;
                    now += 2;
                }
            }
        }
        assert!(read <= MAX_WRONG_PER_YEAR, "{read} entries read in a year");
        assert!(next < 7317);
    }

    #[test]
    fn without_an_image_only_offline_codes_open() {
        let site = Key::from_entropy([7; 32]);
        let mut keypad = keypad(&site);
        let code_key = door_code_key(&site, "store");
        let request = CodeRequest {
            start: MONDAY,
            hours: 24,
            once: false,
            variant: 0,
        };
        let issued = issue(&code_key, &request).unwrap();
        assert!(keypad
            .enter(None, issued.code.expose_digits(), MONDAY)
            .allowed());
        assert_eq!(
            keypad.enter(None, "7317", MONDAY).code(),
            "unknown_credential"
        );
        let mut codeless = LockKeypad::new(None);
        assert!(!codeless.takes_codes());
        assert!(!codeless
            .enter(None, issued.code.expose_digits(), MONDAY)
            .allowed());
    }
}
