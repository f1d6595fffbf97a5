//! `osdp_PDID`: who a PD is — vendor, model, version, serial number, firmware.
//!
//! Owns [`DeviceId`], the 12 bytes of the report. The serial number and vendor code
//! also make up the client UID a PD may present in the secure channel handshake; this
//! module does not derive it.

use crate::osdp::error::{EncodeError, PayloadError};
use crate::osdp::payload::Payload;
use crate::osdp::wire::Cursor;

/// `osdp_PDID` data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DeviceId {
    /// The vendor's IEEE OUI, as sent (3 bytes).
    pub vendor: [u8; 3],
    /// The vendor's model number.
    pub model: u8,
    /// The model's version.
    pub version: u8,
    /// The serial number (sent little-endian).
    pub serial: u32,
    /// Firmware major, minor and build numbers.
    pub firmware: [u8; 3],
}

impl Payload for DeviceId {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            vendor: cursor.array("vendor code")?,
            model: cursor.u8("model number")?,
            version: cursor.u8("version")?,
            serial: cursor.u32("serial number")?,
            firmware: cursor.array("firmware version")?,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.vendor);
        out.extend_from_slice(&[self.model, self.version]);
        out.extend_from_slice(&self.serial.to_le_bytes());
        out.extend_from_slice(&self.firmware);
        Ok(())
    }
}
