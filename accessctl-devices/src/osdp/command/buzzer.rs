//! `osdp_BUZ`: a reader's buzzer.
//!
//! Owns [`BuzzerControl`] (reader, tone, on and off times, repeat count) and
//! [`ToneCode`]. It never decides when a door should beep.

use crate::osdp::code::code_type;
use crate::osdp::error::{EncodeError, PayloadError};
use crate::osdp::payload::Payload;
use crate::osdp::wire::Cursor;

code_type! {
    /// Which tone.
    ToneCode: u8 {
        /// No tone (deprecated by the standard; use `OFF`).
        NO_TONE = 0, "no tone";
        /// Off.
        OFF = 1, "off";
        /// The PD's default tone.
        DEFAULT = 2, "default tone";
    }
}

/// `osdp_BUZ` data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BuzzerControl {
    /// The reader, 0 for the first.
    pub reader: u8,
    /// Which tone.
    pub tone: ToneCode,
    /// On time, in units of 100 ms.
    pub on_time: u8,
    /// Off time, in units of 100 ms.
    pub off_time: u8,
    /// How many on/off cycles; 0 repeats until told otherwise.
    pub count: u8,
}

impl Payload for BuzzerControl {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            reader: cursor.u8("reader number")?,
            tone: cursor.u8("tone code")?.into(),
            on_time: cursor.u8("on time")?,
            off_time: cursor.u8("off time")?,
            count: cursor.u8("count")?,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&[
            self.reader,
            self.tone.0,
            self.on_time,
            self.off_time,
            self.count,
        ]);
        Ok(())
    }
}
