//! `osdp_LED`: the colours and blinking of a reader's LEDs.
//!
//! Owns [`LedControl`], one 14-byte record (reader, LED, temporary settings, permanent
//! settings), its two halves [`TemporaryLed`] and [`PermanentLed`], and the codes
//! [`LedColor`], [`TemporaryLedCode`], [`PermanentLedCode`]. It never decides what a
//! colour means to a user.

use crate::osdp::code::code_type;
use crate::osdp::error::{EncodeError, PayloadError};
use crate::osdp::payload::Payload;
use crate::osdp::wire::Cursor;

code_type! {
    /// An LED colour.
    LedColor: u8 {
        /// Off (black).
        BLACK = 0, "black";
        /// Red.
        RED = 1, "red";
        /// Green.
        GREEN = 2, "green";
        /// Amber.
        AMBER = 3, "amber";
        /// Blue.
        BLUE = 4, "blue";
        /// Magenta.
        MAGENTA = 5, "magenta";
        /// Cyan.
        CYAN = 6, "cyan";
        /// White.
        WHITE = 7, "white";
    }
}

code_type! {
    /// What to do with an LED's temporary settings.
    TemporaryLedCode: u8 {
        /// Leave them as they are.
        NOP = 0, "nop";
        /// Cancel any temporary operation and show the permanent state now.
        CANCEL = 1, "cancel";
        /// Set them as given and start the timer now.
        SET = 2, "set";
    }
}

code_type! {
    /// What to do with an LED's permanent settings.
    PermanentLedCode: u8 {
        /// Leave them as they are.
        NOP = 0, "nop";
        /// Set them as given.
        SET = 1, "set";
    }
}

/// The temporary half of an LED record: a pattern shown for a while.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TemporaryLed {
    /// What to do with these settings.
    pub code: TemporaryLedCode,
    /// On time of a flash, in units of 100 ms.
    pub on_time: u8,
    /// Off time of a flash, in units of 100 ms.
    pub off_time: u8,
    /// Colour while on.
    pub on_color: LedColor,
    /// Colour while off.
    pub off_color: LedColor,
    /// How long the temporary state lasts, in units of 100 ms.
    pub timer: u16,
}

/// The permanent half of an LED record: the pattern shown otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PermanentLed {
    /// What to do with these settings.
    pub code: PermanentLedCode,
    /// On time of a flash, in units of 100 ms.
    pub on_time: u8,
    /// Off time of a flash, in units of 100 ms.
    pub off_time: u8,
    /// Colour while on.
    pub on_color: LedColor,
    /// Colour while off.
    pub off_color: LedColor,
}

/// One LED control record of `osdp_LED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LedControl {
    /// The reader, 0 for the first.
    pub reader: u8,
    /// The LED, 0 for the first.
    pub led: u8,
    /// The temporary settings.
    pub temporary: TemporaryLed,
    /// The permanent settings.
    pub permanent: PermanentLed,
}

impl LedControl {
    fn decode_one(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        let reader = cursor.u8("reader number")?;
        let led = cursor.u8("LED number")?;
        let temporary = TemporaryLed {
            code: cursor.u8("temporary control code")?.into(),
            on_time: cursor.u8("temporary on time")?,
            off_time: cursor.u8("temporary off time")?,
            on_color: cursor.u8("temporary on color")?.into(),
            off_color: cursor.u8("temporary off color")?.into(),
            timer: cursor.u16("temporary timer")?,
        };
        let permanent = PermanentLed {
            code: cursor.u8("permanent control code")?.into(),
            on_time: cursor.u8("permanent on time")?,
            off_time: cursor.u8("permanent off time")?,
            on_color: cursor.u8("permanent on color")?.into(),
            off_color: cursor.u8("permanent off color")?.into(),
        };
        Ok(Self {
            reader,
            led,
            temporary,
            permanent,
        })
    }

    fn encode_one(&self, out: &mut Vec<u8>) {
        let (t, p) = (&self.temporary, &self.permanent);
        out.extend_from_slice(&[self.reader, self.led]);
        out.extend_from_slice(&[t.code.0, t.on_time, t.off_time, t.on_color.0, t.off_color.0]);
        out.extend_from_slice(&t.timer.to_le_bytes());
        out.extend_from_slice(&[p.code.0, p.on_time, p.off_time, p.on_color.0, p.off_color.0]);
    }
}

/// `osdp_LED` data: one or more records, back to back.
impl Payload for Vec<LedControl> {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        let mut records = vec![LedControl::decode_one(cursor)?];
        while !cursor.is_empty() {
            records.push(LedControl::decode_one(cursor)?);
        }
        Ok(records)
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        if self.is_empty() {
            return Err(EncodeError::Empty {
                field: "LED records",
            });
        }
        self.iter().for_each(|record| record.encode_one(out));
        Ok(())
    }
}
