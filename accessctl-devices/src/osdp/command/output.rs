//! `osdp_OUT`: switching a PD's outputs (relays: the door strike, an alarm).
//!
//! Owns [`OutputControl`], one 4-byte record (output number, control code, timer), and
//! [`OutputControlCode`]. A command carries one or more records; it never says what an
//! output is wired to.

use crate::osdp::code::code_type;
use crate::osdp::error::{EncodeError, PayloadError};
use crate::osdp::payload::Payload;
use crate::osdp::wire::Cursor;

code_type! {
    /// What to do with an output.
    OutputControlCode: u8 {
        /// Leave the output as it is.
        NOP = 0x00, "nop";
        /// Permanent state off; abort any timed operation.
        PERMANENT_OFF_ABORT_TIMED = 0x01, "permanent off, abort timed";
        /// Permanent state on; abort any timed operation.
        PERMANENT_ON_ABORT_TIMED = 0x02, "permanent on, abort timed";
        /// Permanent state off; let a timed operation finish first.
        PERMANENT_OFF_AFTER_TIMED = 0x03, "permanent off, after timed";
        /// Permanent state on; let a timed operation finish first.
        PERMANENT_ON_AFTER_TIMED = 0x04, "permanent on, after timed";
        /// On for the timer, then back to the permanent state (a door strike pulse).
        TEMPORARY_ON = 0x05, "temporary on";
        /// Off for the timer, then back to the permanent state.
        TEMPORARY_OFF = 0x06, "temporary off";
    }
}

/// One output control record of `osdp_OUT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OutputControl {
    /// The output, 0 for the first.
    pub output: u8,
    /// What to do.
    pub code: OutputControlCode,
    /// For the temporary codes, how long, in units of 100 ms (0: forever, for some PDs).
    pub timer: u16,
}

impl OutputControl {
    fn decode_one(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            output: cursor.u8("output number")?,
            code: cursor.u8("output control code")?.into(),
            timer: cursor.u16("output timer")?,
        })
    }

    fn encode_one(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&[self.output, self.code.0]);
        out.extend_from_slice(&self.timer.to_le_bytes());
    }
}

/// `osdp_OUT` data: one or more records, back to back.
impl Payload for Vec<OutputControl> {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        let mut records = vec![OutputControl::decode_one(cursor)?];
        while !cursor.is_empty() {
            records.push(OutputControl::decode_one(cursor)?);
        }
        Ok(records)
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        if self.is_empty() {
            return Err(EncodeError::Empty {
                field: "output records",
            });
        }
        self.iter().for_each(|record| record.encode_one(out));
        Ok(())
    }
}
