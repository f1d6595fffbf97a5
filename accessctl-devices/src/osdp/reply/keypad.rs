//! `osdp_KEYPAD`: keys pressed on a reader's keypad.
//!
//! Owns [`Keypad`]: reader and digits as sent (ASCII `0`–`9`, `*` as `0x7F`, `#` as
//! `0x0D`, per the standard). Collecting digits into a PIN is the controller's job.

use crate::osdp::error::{EncodeError, PayloadError};
use crate::osdp::payload::Payload;
use crate::osdp::wire::{put_counted, Cursor};

/// `osdp_KEYPAD` data: reader, digit count, digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Keypad {
    /// The reader, 0 for the first.
    pub reader: u8,
    /// The keys, in the order pressed, at most 255.
    pub digits: Vec<u8>,
}

impl Payload for Keypad {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            reader: cursor.u8("reader number")?,
            digits: cursor.counted_rest("digit count")?.to_vec(),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.push(self.reader);
        put_counted(out, &self.digits, "digits")
    }
}
