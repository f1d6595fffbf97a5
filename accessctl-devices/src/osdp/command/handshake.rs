//! The CP's two handshake messages: `osdp_CHLNG` (its random number) and `osdp_SCRYPT`
//! (its cryptogram).
//!
//! Owns [`Challenge`] and [`ServerCryptogram`], their bytes only. Drawing the random
//! number and computing or checking the cryptogram belong to
//! [`secure`](crate::osdp::secure).

use crate::osdp::error::{EncodeError, PayloadError};
use crate::osdp::payload::Payload;
use crate::osdp::wire::Cursor;

/// `osdp_CHLNG` data: the CP's random number RND.A, 8 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Challenge {
    /// RND.A.
    pub cp_random: [u8; 8],
}

impl Payload for Challenge {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            cp_random: cursor.array("random number")?,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.cp_random);
        Ok(())
    }
}

/// `osdp_SCRYPT` data: the server (CP) cryptogram, 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServerCryptogram {
    /// AES-128 of RND.B ‖ RND.A under S-ENC.
    pub cryptogram: [u8; 16],
}

impl Payload for ServerCryptogram {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            cryptogram: cursor.array("server cryptogram")?,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.cryptogram);
        Ok(())
    }
}
