//! Secrets: the keys that authenticate lock images, offline codes and card keys.
//!
//! Owns the one type that holds key material, [`Key`], and the three things done with
//! it: deriving a key for one purpose (HMAC-SHA256 as a key-derivation function),
//! computing an authentication tag, and checking a tag in constant time. It must never
//! print, log or serialize a key by accident: `Debug` is redacted, there is no
//! `Display` or `Serialize`, and the only way to see the bytes is the explicitly named
//! [`Key::expose_hex`], meant for writing a key store. It never draws randomness: new
//! keys come from entropy the caller passes in.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use thiserror::Error;

/// Length in bytes of every key and tag.
pub const KEY_LEN: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// A 256-bit secret key.
#[derive(Clone, PartialEq, Eq)]
pub struct Key([u8; KEY_LEN]);

/// An authentication tag: HMAC-SHA256 of some data under a [`Key`].
pub type Tag = [u8; KEY_LEN];

/// Why bytes or text are not a key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyError {
    /// Not 32 bytes.
    #[error("a key is {KEY_LEN} bytes (64 hexadecimal digits), not {0} bytes")]
    Length(usize),
    /// A character that is not a hexadecimal digit.
    #[error("a key is written in hexadecimal digits; found `{0}`")]
    NotHex(char),
}

impl Key {
    /// A key made of `entropy`, which must come from a cryptographic random source.
    pub fn from_entropy(entropy: [u8; KEY_LEN]) -> Key {
        Key(entropy)
    }

    /// A key from its bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Key, KeyError> {
        <[u8; KEY_LEN]>::try_from(bytes)
            .map(Key)
            .map_err(|_| KeyError::Length(bytes.len()))
    }

    /// A key from 64 hexadecimal digits (either case).
    pub fn from_hex(text: &str) -> Result<Key, KeyError> {
        let mut bytes = Vec::with_capacity(KEY_LEN);
        let mut digits = text.chars();
        while let Some(high) = digits.next() {
            let low = digits.next().ok_or(KeyError::Length(text.len() / 2))?;
            bytes.push(hex_value(high)? << 4 | hex_value(low)?);
        }
        Key::from_bytes(&bytes)
    }

    /// The key in hexadecimal: only for writing a key store, never for display.
    pub fn expose_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The key's bytes: only for cryptographic primitives outside this module.
    pub fn expose_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// The key for one `purpose` (a fixed label such as `"lock-image"`) and `context`
    /// (such as a door's name): HMAC-SHA256(self, purpose ‖ 0x00 ‖ context). Keys
    /// derived for different purposes or contexts are independent.
    pub fn derive(&self, purpose: &str, context: &[u8]) -> Key {
        Key(self.tag_parts(&[purpose.as_bytes(), &[0], context]))
    }

    /// The authentication tag of `data`.
    pub fn tag(&self, data: &[u8]) -> Tag {
        self.tag_parts(&[data])
    }

    /// The authentication tag of the concatenation of `parts`.
    pub fn tag_parts(&self, parts: &[&[u8]]) -> Tag {
        let mut mac = self.mac();
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// Whether `tag` (or its first `tag.len()` bytes, at least 4) authenticates `data`,
    /// compared in constant time.
    pub fn verify(&self, data: &[u8], tag: &[u8]) -> bool {
        if tag.len() < 4 || tag.len() > KEY_LEN {
            return false;
        }
        let full = self.tag(data);
        full.get(..tag.len())
            .is_some_and(|expected| constant_time_eq(expected, tag))
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length, so this never fails; the fallback is for
        // the type system only.
        HmacSha256::new_from_slice(&self.0).unwrap_or_else(|_| HmacSha256::new(&Default::default()))
    }
}

impl std::fmt::Debug for Key {
    /// Never shows the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

/// Whether `a` and `b` are equal, in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // Keep the optimizer from turning the fold into an early exit.
    std::hint::black_box(difference) == 0
}

fn hex_value(digit: char) -> Result<u8, KeyError> {
    digit
        .to_digit(16)
        .and_then(|v| u8::try_from(v).ok())
        .ok_or(KeyError::NotHex(digit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> Key {
        Key::from_entropy([byte; KEY_LEN])
    }

    #[test]
    fn hex_round_trips_and_refuses_bad_text() {
        let k = Key::from_entropy(core::array::from_fn(|i| i as u8 * 7));
        assert_eq!(Key::from_hex(&k.expose_hex()).unwrap(), k);
        assert_eq!(Key::from_hex(&k.expose_hex().to_uppercase()).unwrap(), k);
        assert_eq!(Key::from_hex("00"), Err(KeyError::Length(1)));
        assert!(matches!(
            Key::from_hex(&"g".repeat(64)),
            Err(KeyError::NotHex('g'))
        ));
        assert!(Key::from_hex(&"0".repeat(63)).is_err());
    }

    #[test]
    fn debug_never_shows_the_key() {
        let shown = format!("{:?}", key(0xab));
        assert_eq!(shown, "Key(<redacted>)");
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        // RFC 4231 test case 2 uses a 4-byte key; HMAC pads keys, so compute it directly.
        let mut mac = HmacSha256::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let tag: Tag = mac.finalize().into_bytes().into();
        let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn derived_keys_depend_on_purpose_and_context() {
        let master = key(1);
        let a = master.derive("lock-image", b"main");
        assert_eq!(a, master.derive("lock-image", b"main"));
        assert_ne!(a, master.derive("lock-image", b"r2"));
        assert_ne!(a, master.derive("offline-code", b"main"));
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(master.derive("ab", b"c"), master.derive("a", b"bc"));
    }

    #[test]
    fn tags_verify_in_full_or_truncated_and_refuse_changes() {
        let k = key(2);
        let tag = k.tag(b"door main");
        assert!(k.verify(b"door main", &tag));
        assert!(k.verify(b"door main", &tag[..8]));
        assert!(!k.verify(b"door r2", &tag));
        assert!(!key(3).verify(b"door main", &tag));
        assert!(
            !k.verify(b"door main", &tag[..3]),
            "too short to mean anything"
        );
        assert_eq!(k.tag_parts(&[b"door ", b"main"]), tag);
    }

    #[test]
    fn constant_time_eq_compares_contents_and_lengths() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }
}
