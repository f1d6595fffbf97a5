//! `osdp_MFG` and `osdp_MFGREP`: a manufacturer's own command or reply, tunnelled
//! through OSDP.
//!
//! Owns [`Manufacturer`]: a vendor code and opaque bytes, which it never interprets.

use super::error::{EncodeError, PayloadError};
use super::payload::Payload;
use super::wire::Cursor;

/// `osdp_MFG` and `osdp_MFGREP` data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Manufacturer {
    /// The vendor's IEEE OUI, as sent (3 bytes, least significant first).
    pub vendor: [u8; 3],
    /// The vendor's bytes.
    pub data: Vec<u8>,
}

impl Payload for Manufacturer {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            vendor: cursor.array("vendor code")?,
            data: cursor.rest().to_vec(),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.vendor);
        out.extend_from_slice(&self.data);
        Ok(())
    }
}
