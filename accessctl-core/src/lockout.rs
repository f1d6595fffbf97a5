//! The keypad lockout: one rule for every secret typed at a reader — a user's PIN, a
//! permanent space code, an offline code — online at a controller and offline at a
//! lock.
//!
//! Owns [`Lockout`], the count of wrong entries at one keypad and the lockouts they
//! earn, and the rule's constants. Its state is plain data (`Serialize`,
//! `Deserialize`) so that a lock keeps it in its persistent memory and a controller in
//! its journal: a restart forgives nothing. It never reads a clock (every call takes
//! `now`) and never sees the secret typed: callers tell it only whether an entry was
//! wrong.
//!
//! # The rule
//!
//! - A **wrong entry** is a secret that opens nothing and belongs to nobody: a PIN no
//!   holder has (or another holder's PIN after a card at a two-factor door), a code no
//!   key made. A known secret refused for another reason (outside its schedule, an
//!   expired offline code) is not a guess and is not counted.
//! - On the 5th, 10th, 15th… wrong entry the keypad **locks**: the n-th lockout lasts
//!   5 min × 2ⁿ⁻¹, at most 24 h — 5, 10, 20, 40, 80, 160, 320, 640, 1280 minutes, then
//!   24 h each. While locked, every entry is refused unread (cards still open: the
//!   24-hour cap bounds how long a prankster can keep a keypad shut).
//! - Wrong entries and lockouts are **forgiven 7 days** after the last wrong entry.
//! - A **success forgives nothing**: if it did, the holder of one valid PIN could
//!   interleave it with guesses and guess without limit (four guesses, his own PIN,
//!   four guesses…). A legitimate user who mistypes pays at most one five-minute
//!   lockout on his fifth mistake of the week.
//!
//! # What it leaves an attacker
//!
//! From a clean state, batches of five wrong entries start at minutes 0, 5, 15, 35,
//! 75, 155, 315, 635 and 1275; the tenth cannot start before 1275 + 1280 = 2555 >
//! 1440, so **at most 45 wrong entries a day**. Waiting to be forgiven and starting
//! afresh pays best after nine batches: 45 entries per 1275 + 7 × 1440 = 11,355
//! minutes, about 5.71 a day, so **at most about 2,130 wrong entries a year**
//! ([`MAX_WRONG_PER_DAY`], [`MAX_WRONG_PER_YEAR`]; the tests simulate both).
//!
//! The chance that a stranger opens by guessing, with `k` valid secrets of `d` digits
//! at the keypad (each guess matches at most `k` of the 10ᵈ values):
//!
//! | secret | per guess | per day (45 guesses) | per year (2,130 guesses) |
//! |---|---|---|---|
//! | 4-digit PIN | k × 10⁻⁴ | k × 4.5 × 10⁻³ | k × 0.213 (at most 1) |
//! | 6-digit PIN or space code | k × 10⁻⁶ | k × 4.5 × 10⁻⁵ | k × 2.1 × 10⁻³ |
//! | 10-digit PIN | k × 10⁻¹⁰ | k × 4.5 × 10⁻⁹ | k × 2.1 × 10⁻⁷ |
//! | offline code (10 digits, 5 of them checked) | 10⁻⁵ | 4.5 × 10⁻⁴ | 2.1 × 10⁻² |
//!
//! Without the rule a 4-digit PIN falls in about ten minutes online and in one second
//! offline. With it, a stranger who tries every 4-digit PIN in order needs about
//! 4.7 years to try them all; four digits are still weak against a patient attacker,
//! which is why the table is printed here: sites that fear one should give six.

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// Wrong entries between lockouts.
pub const STRIKES_PER_LOCKOUT: u32 = 5;
/// Seconds of the first lockout; each further one lasts twice as long as the last.
pub const FIRST_LOCKOUT: i64 = 5 * 60;
/// Seconds a lockout lasts at most.
pub const MAX_LOCKOUT: i64 = 24 * 3600;
/// Seconds without a wrong entry after which wrong entries and lockouts are forgiven.
pub const FORGIVE_AFTER: i64 = 7 * 24 * 3600;
/// The most wrong entries the rule reads in any day.
pub const MAX_WRONG_PER_DAY: u32 = 45;
/// The most wrong entries the rule reads in any year (365 days), about.
pub const MAX_WRONG_PER_YEAR: u32 = 2_130;

/// One keypad's wrong entries and lockouts.
///
/// ```
/// use accessctl_core::lockout::{Lockout, FIRST_LOCKOUT};
/// use accessctl_core::Timestamp;
///
/// let mut keypad = Lockout::default();
/// let now = Timestamp(1_795_424_400);
/// for _ in 0..4 {
///     assert_eq!(keypad.admit(now), Ok(()));
///     assert_eq!(keypad.strike(now), None);
/// }
/// let until = keypad.strike(now); // the fifth wrong entry locks
/// assert_eq!(until, Some(Timestamp(now.0 + FIRST_LOCKOUT)));
/// assert_eq!(keypad.admit(Timestamp(now.0 + 60)), Err(Timestamp(now.0 + FIRST_LOCKOUT)));
/// assert_eq!(keypad.admit(Timestamp(now.0 + FIRST_LOCKOUT)), Ok(()));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lockout {
    /// Wrong entries since the last forgiveness.
    strikes: u32,
    /// Wrong entries since the last lockout began.
    pending: u32,
    /// Lockouts since the last forgiveness.
    lockouts: u32,
    /// The end of the lockout in force or last in force.
    until: Option<Timestamp>,
    /// The last wrong entry.
    last_strike: Option<Timestamp>,
}

impl Lockout {
    /// Whether an entry at `now` is read: `Err(until)` while the keypad is locked.
    /// Forgives first when the keypad has been quiet for [`FORGIVE_AFTER`].
    pub fn admit(&mut self, now: Timestamp) -> Result<(), Timestamp> {
        self.forgive_if_quiet(now);
        match self.locked_until(now) {
            Some(until) => Err(until),
            None => Ok(()),
        }
    }

    /// Counts a wrong entry at `now`; returns the end of the lockout it starts, if it
    /// starts one.
    pub fn strike(&mut self, now: Timestamp) -> Option<Timestamp> {
        self.forgive_if_quiet(now);
        self.strikes = self.strikes.saturating_add(1);
        self.pending = self.pending.saturating_add(1);
        self.last_strike = Some(now);
        if self.pending < STRIKES_PER_LOCKOUT {
            return None;
        }
        self.pending = 0;
        self.lockouts = self.lockouts.saturating_add(1);
        let until = Timestamp(now.0.saturating_add(lockout_length(self.lockouts)));
        self.until = Some(until);
        self.until
    }

    /// Until when the keypad is locked, if it is at `now`.
    pub fn locked_until(&self, now: Timestamp) -> Option<Timestamp> {
        self.until.filter(|until| now < *until)
    }

    /// Wrong entries counted since the last forgiveness.
    pub fn strikes(&self) -> u32 {
        self.strikes
    }

    /// Lockouts since the last forgiveness.
    pub fn lockouts(&self) -> u32 {
        self.lockouts
    }

    /// Whether nothing is counted: the state of a keypad never mistyped (or forgiven).
    pub fn is_clear(&self) -> bool {
        *self == Lockout::default()
    }

    fn forgive_if_quiet(&mut self, now: Timestamp) {
        if self
            .last_strike
            .is_some_and(|last| now.0 >= last.0.saturating_add(FORGIVE_AFTER))
        {
            *self = Lockout::default();
        }
    }
}

/// Seconds of the `n`-th lockout (from 1).
pub fn lockout_length(n: u32) -> i64 {
    let doublings = n.saturating_sub(1).min(30);
    FIRST_LOCKOUT
        .saturating_mul(1i64 << doublings)
        .min(MAX_LOCKOUT)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 24 * 3600;

    /// An attacker who types a wrong entry whenever the keypad reads one, from `start`
    /// for `seconds`, waiting out every lockout; returns how many were read.
    fn relentless(keypad: &mut Lockout, start: i64, seconds: i64) -> u32 {
        let mut now = start;
        let mut read = 0;
        while now < start + seconds {
            match keypad.admit(Timestamp(now)) {
                Err(until) => now = until.0,
                Ok(()) => {
                    keypad.strike(Timestamp(now));
                    read += 1;
                    now += 1;
                }
            }
        }
        read
    }

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
    fn a_day_reads_at_most_the_documented_wrong_entries() {
        let mut keypad = Lockout::default();
        assert_eq!(relentless(&mut keypad, 0, DAY), MAX_WRONG_PER_DAY);
        let second_day = relentless(&mut keypad, DAY, DAY);
        assert!(second_day <= 10, "{second_day}");
    }

    #[test]
    fn a_year_reads_at_most_the_documented_wrong_entries() {
        // The best an attacker can do: nine batches, then wait to be forgiven.
        let mut best = 0;
        for batches in 1..=12u32 {
            let mut keypad = Lockout::default();
            let mut now = 0i64;
            let mut read = 0;
            while now < 365 * DAY {
                let mut typed = 0;
                while typed < batches * STRIKES_PER_LOCKOUT && now < 365 * DAY {
                    match keypad.admit(Timestamp(now)) {
                        Err(until) => now = until.0,
                        Ok(()) => {
                            keypad.strike(Timestamp(now));
                            typed += 1;
                            read += 1;
                        }
                    }
                }
                now += FORGIVE_AFTER;
            }
            best = best.max(read);
        }
        assert!(best <= MAX_WRONG_PER_YEAR, "{best}");
        let mut keypad = Lockout::default();
        assert!(relentless(&mut keypad, 0, 365 * DAY) <= MAX_WRONG_PER_YEAR);
    }

    #[test]
    fn quiet_keypads_are_forgiven_and_successes_forgive_nothing() {
        let mut keypad = Lockout::default();
        for _ in 0..4 {
            keypad.strike(Timestamp(0));
        }
        // A success between guesses changes nothing: the fifth wrong entry locks.
        assert_eq!(
            keypad.strike(Timestamp(10)),
            Some(Timestamp(10 + FIRST_LOCKOUT))
        );
        assert_eq!(keypad.admit(Timestamp(10 + FORGIVE_AFTER - 1)), Ok(()));
        assert_eq!(keypad.strikes(), 5);
        assert_eq!(keypad.admit(Timestamp(10 + FORGIVE_AFTER)), Ok(()));
        assert!(keypad.is_clear());
    }

    #[test]
    fn the_state_survives_a_round_trip_through_json() {
        let mut keypad = Lockout::default();
        for _ in 0..5 {
            keypad.strike(Timestamp(100));
        }
        let text = serde_json::to_string(&keypad).unwrap();
        let back: Lockout = serde_json::from_str(&text).unwrap();
        assert_eq!(back, keypad);
        assert_eq!(
            back.locked_until(Timestamp(101)),
            Some(Timestamp(100 + FIRST_LOCKOUT))
        );
    }
}
