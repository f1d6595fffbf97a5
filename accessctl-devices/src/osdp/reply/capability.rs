//! `osdp_PDCAP`: what a PD can do, as function code / compliance level / count triples.
//!
//! Owns [`Capability`] and [`CapabilityFunction`]. It reports capabilities as sent and
//! never decides which commands a CP may use because of them.

use crate::osdp::code::code_type;
use crate::osdp::error::{EncodeError, PayloadError};
use crate::osdp::payload::Payload;
use crate::osdp::wire::Cursor;

code_type! {
    /// Which function a capability describes.
    CapabilityFunction: u8 {
        /// Contact status monitoring (inputs).
        CONTACT_STATUS = 1, "contact status monitoring";
        /// Output control (relays).
        OUTPUT_CONTROL = 2, "output control";
        /// Card data format.
        CARD_DATA_FORMAT = 3, "card data format";
        /// Reader LED control.
        LED_CONTROL = 4, "reader LED control";
        /// Reader audible output.
        AUDIBLE_OUTPUT = 5, "reader audible output";
        /// Reader text output.
        TEXT_OUTPUT = 6, "reader text output";
        /// Time keeping.
        TIME_KEEPING = 7, "time keeping";
        /// Check character support (compliance 1: CRC-16).
        CHECK_CHARACTER = 8, "check character support";
        /// Communication security (compliance bit 0: AES-128 secure channel).
        COMMUNICATION_SECURITY = 9, "communication security";
        /// Receive buffer size (compliance: low byte, count: high byte).
        RECEIVE_BUFFER = 10, "receive buffer size";
        /// Largest combined message size (compliance: low byte, count: high byte).
        COMBINED_MESSAGE = 11, "largest combined message size";
        /// Smart card support.
        SMART_CARD = 12, "smart card support";
        /// Readers.
        READERS = 13, "readers";
        /// Biometrics.
        BIOMETRICS = 14, "biometrics";
        /// Secure PIN entry.
        SECURE_PIN_ENTRY = 15, "secure PIN entry";
        /// OSDP version (compliance 1: IEC 60839-11-5, 2: SIA OSDP 2.2).
        OSDP_VERSION = 16, "OSDP version";
    }
}

/// One capability triple of `osdp_PDCAP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Capability {
    /// Which function.
    pub function: CapabilityFunction,
    /// What the PD can do with it; the meaning depends on the function.
    pub compliance: u8,
    /// How many of it the PD has (or a second byte, for the sizes).
    pub count: u8,
}

impl Capability {
    fn decode_one(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            function: cursor.u8("function code")?.into(),
            compliance: cursor.u8("compliance level")?,
            count: cursor.u8("number of objects")?,
        })
    }
}

/// `osdp_PDCAP` data: triples back to back.
impl Payload for Vec<Capability> {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        let mut capabilities = Vec::with_capacity(cursor.remaining() / 3);
        while !cursor.is_empty() {
            capabilities.push(Capability::decode_one(cursor)?);
        }
        Ok(capabilities)
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        for capability in self {
            out.extend_from_slice(&[
                capability.function.0,
                capability.compliance,
                capability.count,
            ]);
        }
        Ok(())
    }
}
