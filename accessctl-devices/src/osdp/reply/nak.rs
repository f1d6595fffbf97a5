//! `osdp_NAK`: a PD refuses a command, and says why.
//!
//! Owns [`Nak`] and [`NakCode`]. It never decides whether to retry.

use crate::osdp::code::code_type;
use crate::osdp::error::{EncodeError, PayloadError};
use crate::osdp::payload::Payload;
use crate::osdp::wire::Cursor;

code_type! {
    /// Why a PD refused a command.
    NakCode: u8 {
        /// No error.
        NONE = 0, "no error";
        /// The CRC or checksum did not match.
        MESSAGE_CHECK = 1, "bad check characters";
        /// The command's length was wrong.
        COMMAND_LENGTH = 2, "bad command length";
        /// The PD does not know the command.
        UNKNOWN_COMMAND = 3, "unknown command";
        /// Unexpected sequence number.
        SEQUENCE = 4, "bad sequence number";
        /// The PD does not support the security block, or the secure channel.
        UNSUPPORTED_SECURITY = 5, "security block not supported";
        /// Security conditions not met (encryption required, MAC failed, …).
        SECURITY_CONDITIONS = 6, "security conditions not met";
        /// Biometric type not supported.
        BIO_TYPE = 7, "biometric type not supported";
        /// Biometric format not supported.
        BIO_FORMAT = 8, "biometric format not supported";
        /// The PD cannot process the command record.
        RECORD = 9, "cannot process record";
    }
}

/// `osdp_NAK` data: the reason, and optional details.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Nak {
    /// Why.
    pub code: NakCode,
    /// Details some reasons carry; usually empty.
    pub details: Vec<u8>,
}

impl Nak {
    /// A NAK with this reason and no details.
    pub fn new(code: NakCode) -> Self {
        Self {
            code,
            details: Vec::new(),
        }
    }
}

impl Payload for Nak {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            code: cursor.u8("error code")?.into(),
            details: cursor.rest().to_vec(),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.push(self.code.0);
        out.extend_from_slice(&self.details);
        Ok(())
    }
}
