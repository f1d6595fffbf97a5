//! `osdp_COMSET` and its answer `osdp_COM`: a PD's address and baud rate.
//!
//! Owns [`ComSettings`], the 5 bytes both messages carry. It never changes a port's
//! speed; transports do.

use crate::osdp::error::{EncodeError, PayloadError};
use crate::osdp::payload::Payload;
use crate::osdp::wire::Cursor;

/// An address and a baud rate: what `osdp_COMSET` asks for and `osdp_COM` confirms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ComSettings {
    /// The address the PD answers to once the change takes effect (0 to 126).
    pub address: u8,
    /// The baud rate, such as 9600, 19200, 38400, 57600, 115200 or 230400.
    pub baud_rate: u32,
}

impl Payload for ComSettings {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            address: cursor.u8("address")?,
            baud_rate: cursor.u32("baud rate")?,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.push(self.address);
        out.extend_from_slice(&self.baud_rate.to_le_bytes());
        Ok(())
    }
}
