//! PIN entry on a reader's keypad: keys in, PINs out.
//!
//! Owns the rule that turns `osdp_KEYPAD` key presses into PINs: digits `0`–`9`
//! collect; `#` (sent as `0x0D`, Enter) ends the entry; `*` (sent as `0x7F`) clears it;
//! an entry left alone for [`PIN_TIMEOUT`] ends by itself, as if `#` had been pressed;
//! an entry longer than [`MAX_PIN_LEN`] digits is dropped. Any other byte is ignored.
//! It must never show a PIN: [`Pin`]'s `Debug` is redacted and it has no `Display`.

use std::fmt;
use std::time::{Duration, Instant};

/// How long an entry waits for its next key before it ends by itself.
pub const PIN_TIMEOUT: Duration = Duration::from_secs(3);

/// The longest PIN collected; a longer entry is dropped.
pub const MAX_PIN_LEN: usize = 16;

/// `#` as a keypad sends it: Enter.
pub const KEY_ENTER: u8 = 0x0D;

/// `*` as a keypad sends it: clear.
pub const KEY_CLEAR: u8 = 0x7F;

/// A PIN typed on a keypad. A secret: never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl Pin {
    /// A PIN of these digits (for tests and scripted readers).
    pub fn new(digits: &str) -> Pin {
        Pin(digits.to_owned())
    }

    /// The digits, to hand to the decision engine only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(<redacted>)")
    }
}

/// The digits typed so far at one reader.
#[derive(Debug, Default)]
pub struct PinEntry {
    digits: String,
    last_key: Option<Instant>,
}

impl PinEntry {
    /// An empty entry.
    pub fn new() -> PinEntry {
        PinEntry::default()
    }

    /// Takes the keys of one `osdp_KEYPAD` report, pressed at `now`; returns the PINs
    /// they complete (usually none or one). An entry already timed out ends first.
    pub fn keys(&mut self, keys: &[u8], now: Instant) -> Vec<Pin> {
        let mut done: Vec<Pin> = self.expire(now).into_iter().collect();
        for &key in keys {
            match key {
                b'0'..=b'9' => self.push(char::from(key)),
                KEY_ENTER | b'#' => done.extend(self.take()),
                KEY_CLEAR | b'*' => self.clear(),
                _ => {}
            }
        }
        self.last_key = (!self.digits.is_empty()).then_some(now);
        done
    }

    /// The PIN of an entry left alone for [`PIN_TIMEOUT`] at `now`, if any.
    pub fn expire(&mut self, now: Instant) -> Option<Pin> {
        match self.deadline() {
            Some(deadline) if now >= deadline => self.take(),
            _ => None,
        }
    }

    /// When the entry under way ends by itself.
    pub fn deadline(&self) -> Option<Instant> {
        self.last_key.map(|at| at + PIN_TIMEOUT)
    }

    /// Whether digits are waiting.
    pub fn is_empty(&self) -> bool {
        self.digits.is_empty()
    }

    fn push(&mut self, digit: char) {
        if self.digits.len() >= MAX_PIN_LEN {
            self.clear();
            return;
        }
        self.digits.push(digit);
    }

    fn take(&mut self) -> Option<Pin> {
        self.last_key = None;
        let digits = std::mem::take(&mut self.digits);
        (!digits.is_empty()).then_some(Pin(digits))
    }

    fn clear(&mut self) {
        self.digits.clear();
        self.last_key = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enter_ends_an_entry_and_star_clears_it() {
        let t0 = Instant::now();
        let mut entry = PinEntry::new();
        assert!(entry.keys(b"12", t0).is_empty());
        assert_eq!(entry.keys(b"34\r", t0), [Pin::new("1234")]);
        assert!(entry.is_empty());
        assert!(entry.keys(&[b'9', KEY_CLEAR, b'5', b'6', b'#'], t0) == [Pin::new("56")]);
        assert_eq!(entry.keys(b"1#2#", t0), [Pin::new("1"), Pin::new("2")]);
        assert!(entry.keys(b"#", t0).is_empty(), "an empty entry is no PIN");
    }

    #[test]
    fn an_entry_left_alone_ends_by_itself() {
        let t0 = Instant::now();
        let mut entry = PinEntry::new();
        entry.keys(b"7316", t0);
        assert_eq!(entry.deadline(), Some(t0 + PIN_TIMEOUT));
        assert_eq!(entry.expire(t0 + PIN_TIMEOUT / 2), None);
        entry.keys(b"9", t0 + PIN_TIMEOUT / 2);
        assert_eq!(
            entry.expire(t0 + PIN_TIMEOUT),
            None,
            "each key restarts the wait"
        );
        assert_eq!(entry.expire(t0 + PIN_TIMEOUT * 2), Some(Pin::new("73169")));
        assert_eq!(entry.deadline(), None);
        entry.keys(b"12", t0);
        assert_eq!(
            entry.keys(b"34#", t0 + PIN_TIMEOUT),
            [Pin::new("12"), Pin::new("34")]
        );
    }

    #[test]
    fn an_overlong_entry_is_dropped_and_pins_never_show() {
        let t0 = Instant::now();
        let mut entry = PinEntry::new();
        assert!(entry.keys(&[b'1'; MAX_PIN_LEN + 1], t0).is_empty());
        assert!(entry.is_empty());
        assert_eq!(format!("{:?}", Pin::new("7316")), "Pin(<redacted>)");
    }
}
