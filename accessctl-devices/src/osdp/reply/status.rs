//! The status reports: `osdp_LSTATR` (tamper and power), `osdp_ISTATR` (inputs),
//! `osdp_OSTATR` (outputs) and `osdp_RSTATR` (readers' tamper).
//!
//! Owns [`LocalStatus`], [`InputStatus`], [`OutputStatus`], [`ReaderStatus`] and
//! [`ReaderTamper`]. It reports states as the PD sent them; turning a door contact
//! input into "door forced open" is not its business.

use crate::osdp::code::code_type;
use crate::osdp::error::{EncodeError, PayloadError};
use crate::osdp::payload::Payload;
use crate::osdp::wire::Cursor;

/// `osdp_LSTATR` data: the PD's own tamper switch and power supply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LocalStatus {
    /// The enclosure is open (tamper switch tripped).
    pub tamper: bool,
    /// Power failure.
    pub power_failure: bool,
}

impl Payload for LocalStatus {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            tamper: cursor.flag("tamper status")?,
            power_failure: cursor.flag("power status")?,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&[u8::from(self.tamper), u8::from(self.power_failure)]);
        Ok(())
    }
}

/// `osdp_ISTATR` data: one byte per input, first input first (0 inactive, 1 active).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct InputStatus(pub Vec<u8>);

impl Payload for InputStatus {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self(cursor.rest().to_vec()))
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.0);
        Ok(())
    }
}

/// `osdp_OSTATR` data: one byte per output, first output first (0 inactive, 1 active).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct OutputStatus(pub Vec<u8>);

impl Payload for OutputStatus {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self(cursor.rest().to_vec()))
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.0);
        Ok(())
    }
}

code_type! {
    /// The state of a reader attached to a PD.
    ReaderTamper: u8 {
        /// Normal.
        NORMAL = 0, "normal";
        /// Not connected.
        NOT_CONNECTED = 1, "not connected";
        /// Tampered with.
        TAMPER = 2, "tamper";
    }
}

/// `osdp_RSTATR` data: one state per reader, first reader first.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ReaderStatus(pub Vec<ReaderTamper>);

impl Payload for ReaderStatus {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self(
            cursor.rest().iter().map(|&b| ReaderTamper(b)).collect(),
        ))
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend(self.0.iter().map(|state| state.0));
        Ok(())
    }
}
