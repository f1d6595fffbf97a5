//! The PD's two handshake messages: `osdp_CCRYPT` (its identity, random number and
//! cryptogram) and `osdp_RMAC_I` (the initial reply MAC).
//!
//! Owns [`ClientCryptogram`] and [`InitialRmac`], their bytes only; computing and
//! checking them belong to [`secure`](crate::osdp::secure).

use crate::osdp::error::{EncodeError, PayloadError};
use crate::osdp::payload::Payload;
use crate::osdp::wire::Cursor;

/// `osdp_CCRYPT` data: client UID, RND.B, client cryptogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientCryptogram {
    /// The PD's client UID, 8 bytes (vendor, model, serial number).
    pub client_id: [u8; 8],
    /// The PD's random number RND.B.
    pub pd_random: [u8; 8],
    /// AES-128 of RND.A ‖ RND.B under S-ENC.
    pub cryptogram: [u8; 16],
}

impl Payload for ClientCryptogram {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            client_id: cursor.array("client UID")?,
            pd_random: cursor.array("random number")?,
            cryptogram: cursor.array("client cryptogram")?,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.client_id);
        out.extend_from_slice(&self.pd_random);
        out.extend_from_slice(&self.cryptogram);
        Ok(())
    }
}

/// `osdp_RMAC_I` data: the initial R-MAC, 16 bytes, which seeds the MAC chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InitialRmac {
    /// The initial R-MAC.
    pub mac: [u8; 16],
}

impl Payload for InitialRmac {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            mac: cursor.array("initial R-MAC")?,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.mac);
        Ok(())
    }
}
