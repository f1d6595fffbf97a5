//! `osdp_KEYSET`: the CP gives a PD a new secure channel base key.
//!
//! Owns [`KeySet`] and [`KeyType`]. The key is a [`Scbk`], so it never shows in `Debug`
//! output. The standard's only key type is the 16-byte SCBK; a key of another length is
//! refused. Sending it in clear is the secure channel's business to prevent (it must
//! travel encrypted, `SCS_17`).

use crate::osdp::code::code_type;
use crate::osdp::error::{EncodeError, PayloadError};
use crate::osdp::payload::Payload;
use crate::osdp::secure::{Scbk, KEY_LEN};
use crate::osdp::wire::Cursor;

code_type! {
    /// Which key `osdp_KEYSET` sets.
    KeyType: u8 {
        /// The secure channel base key.
        SCBK = 1, "SCBK";
    }
}

/// `osdp_KEYSET` data: key type, key length (16), key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySet {
    /// Which key.
    pub key_type: KeyType,
    /// The new key.
    pub key: Scbk,
}

impl KeySet {
    /// A `KEYSET` giving the PD `key` as its new SCBK.
    pub fn scbk(key: Scbk) -> Self {
        Self {
            key_type: KeyType::SCBK,
            key,
        }
    }
}

impl Payload for KeySet {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        let key_type = cursor.u8("key type")?.into();
        let offset = cursor.offset();
        let len = cursor.u8("key length")?;
        if usize::from(len) != KEY_LEN {
            return Err(PayloadError::BadValue {
                offset,
                field: "key length",
                value: u64::from(len),
            });
        }
        let key = Scbk::new(cursor.array::<KEY_LEN>("key")?);
        Ok(Self { key_type, key })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&[self.key_type.0, KEY_LEN as u8]);
        out.extend_from_slice(self.key.expose());
        Ok(())
    }
}
