//! `osdp_FTSTAT`: a PD's answer to a file transfer fragment.
//!
//! Owns [`FileTransferStatus`], [`FileTransferAction`] (its flag byte) and
//! [`FileTransferCode`] (its signed status). It never decides when to send the next
//! fragment.

use crate::osdp::code::code_type;
use crate::osdp::error::{EncodeError, PayloadError};
use crate::osdp::payload::Payload;
use crate::osdp::wire::Cursor;

code_type! {
    /// How a file transfer stands, from the PD's side. Negative values are errors.
    FileTransferCode: i16 {
        /// Fragment accepted; send the next one.
        OK = 0, "ok, proceed";
        /// The whole file was received and processed.
        PROCESSED = 1, "file contents processed";
        /// The PD is rebooting now; expect a communication reset.
        REBOOTING = 2, "rebooting now";
        /// The PD is still finishing; keep polling with empty fragments.
        FINISHING = 3, "finishing";
        /// Abort the transfer.
        ABORT = -1, "abort file transfer";
        /// The PD does not recognise the file's contents.
        UNRECOGNIZED = -2, "unrecognized file contents";
        /// The file's data are unacceptable (malformed).
        MALFORMED = -3, "malformed file data";
    }
}

/// The action flags of `osdp_FTSTAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FileTransferAction(pub u8);

impl FileTransferAction {
    /// Bit 0: other commands may be interleaved with the transfer.
    pub const INTERLEAVE: u8 = 0x01;
    /// Bit 1: the PD may leave the secure channel for the transfer.
    pub const LEAVE_SECURE_CHANNEL: u8 = 0x02;
    /// Bit 2: poll responses are available separately.
    pub const POLL_RESPONSE: u8 = 0x04;

    /// Whether every bit of `flag` is set.
    pub fn contains(self, flag: u8) -> bool {
        self.0 & flag == flag
    }
}

/// `osdp_FTSTAT` data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileTransferStatus {
    /// Action flags.
    pub action: FileTransferAction,
    /// How long to wait before the next fragment, in milliseconds.
    pub delay: u16,
    /// How the transfer stands.
    pub status: FileTransferCode,
    /// The largest fragment the PD accepts from now on; 0 leaves it unchanged.
    pub update_max: u16,
}

impl Payload for FileTransferStatus {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            action: FileTransferAction(cursor.u8("action")?),
            delay: cursor.u16("request delay")?,
            status: cursor.i16("status detail")?.into(),
            update_max: cursor.u16("update message max")?,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.push(self.action.0);
        out.extend_from_slice(&self.delay.to_le_bytes());
        out.extend_from_slice(&self.status.0.to_le_bytes());
        out.extend_from_slice(&self.update_max.to_le_bytes());
        Ok(())
    }
}
