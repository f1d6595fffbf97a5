//! The small fixed-size command data: the report type of `osdp_ID` and `osdp_CAP`, the
//! CP's receive size of `osdp_ACURXSIZE`, the keep-alive time of `osdp_KEEPACTIVE`.
//!
//! Owns [`ReportRequest`], [`AcuRxSize`] and [`KeepActive`]; each is one field wide
//! and never interpreted here.

use crate::osdp::error::{EncodeError, PayloadError};
use crate::osdp::payload::Payload;
use crate::osdp::wire::Cursor;

/// `osdp_ID` and `osdp_CAP` data: which report is asked for (0: the standard one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReportRequest {
    /// The report type; 0 for the standard report.
    pub kind: u8,
}

impl Payload for ReportRequest {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            kind: cursor.u8("report type")?,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.push(self.kind);
        Ok(())
    }
}

/// `osdp_ACURXSIZE` data: the largest reply the CP can receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AcuRxSize {
    /// The largest frame, in bytes, the CP accepts.
    pub max_len: u16,
}

impl Payload for AcuRxSize {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            max_len: cursor.u16("receive size")?,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.max_len.to_le_bytes());
        Ok(())
    }
}

/// `osdp_KEEPACTIVE` data: keep the secure channel up this much longer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeepActive {
    /// How long, in milliseconds.
    pub millis: u16,
}

impl Payload for KeepActive {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            millis: cursor.u16("keep-active time")?,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.millis.to_le_bytes());
        Ok(())
    }
}
