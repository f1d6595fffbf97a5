//! The secure channel base key (SCBK) and the constant-time comparison every secret
//! check goes through.
//!
//! Owns [`Scbk`], the default install key [`Scbk::DEFAULT`] (SCBK-D) and
//! [`constant_time_eq`]. A key never shows in `Debug` output, in an error or in a log
//! line, and comparing two keys takes a time that depends on their lengths only.

use std::fmt;

/// The length of an OSDP key: AES-128.
pub const KEY_LEN: usize = 16;

/// A secure channel base key: the 16-byte AES-128 key a CP and a PD share, from which
/// each session derives its own keys.
///
/// `Debug` prints `Scbk(<redacted>)`; equality runs in constant time.
///
/// ```
/// use accessctl_devices::osdp::secure::Scbk;
///
/// let key = Scbk::new([0x42; 16]);
/// assert_eq!(format!("{key:?}"), "Scbk(<redacted>)");
/// assert!(key != Scbk::DEFAULT);
/// ```
#[derive(Clone)]
pub struct Scbk([u8; KEY_LEN]);

impl Scbk {
    /// SCBK-D, the default key the standard gives every PD out of the box: `0x30`,
    /// `0x31`, … `0x3F`. Public knowledge, so usable only in install mode, to set a
    /// real key.
    pub const DEFAULT: Scbk = Scbk([
        0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E,
        0x3F,
    ]);

    /// The key with these bytes (from a key store, or from entropy the caller drew).
    pub const fn new(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// The key's bytes, to hand to a key store or to a PD in `osdp_KEYSET`. Never log
    /// them.
    pub fn expose(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// Whether this is SCBK-D.
    pub fn is_default(&self) -> bool {
        *self == Self::DEFAULT
    }
}

impl PartialEq for Scbk {
    /// Compares in constant time.
    fn eq(&self, other: &Self) -> bool {
        constant_time_eq(&self.0, &other.0)
    }
}

impl Eq for Scbk {}

impl fmt::Debug for Scbk {
    /// Never shows the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Scbk(<redacted>)")
    }
}

/// Whether `a` and `b` are equal, in a time that depends only on their lengths: for
/// MACs, cryptograms and keys.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // Keep the optimizer from turning the fold into an early exit.
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_key_is_0x30_to_0x3f() {
        let expected: Vec<u8> = (0x30..=0x3F).collect();
        assert_eq!(Scbk::DEFAULT.expose().as_slice(), expected.as_slice());
        assert!(Scbk::DEFAULT.is_default());
        assert!(!Scbk::new([0; 16]).is_default());
    }

    #[test]
    fn constant_time_eq_compares_contents_and_lengths() {
        assert!(constant_time_eq(b"abcd", b"abcd"));
        assert!(!constant_time_eq(b"abcd", b"abce"));
        assert!(!constant_time_eq(b"abcd", b"abc"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn debug_is_redacted() {
        let text = format!("{:?}", Scbk::new([0xAB; 16]));
        assert!(!text.to_lowercase().contains("ab,"));
        assert_eq!(text, "Scbk(<redacted>)");
    }
}
