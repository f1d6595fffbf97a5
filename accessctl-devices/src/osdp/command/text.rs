//! `osdp_TEXT`: text on a reader's display.
//!
//! Owns [`TextOutput`] (reader, command, temporary time, position, characters) and
//! [`TextCommand`]. The characters are bytes as the PD shows them; it never transcodes.

use crate::osdp::code::code_type;
use crate::osdp::error::{EncodeError, PayloadError};
use crate::osdp::payload::Payload;
use crate::osdp::wire::{put_counted, Cursor};

code_type! {
    /// How to show the text.
    TextCommand: u8 {
        /// Permanent text, no wrap.
        PERMANENT = 1, "permanent, no wrap";
        /// Permanent text, wrapped.
        PERMANENT_WRAP = 2, "permanent, wrap";
        /// Temporary text, no wrap.
        TEMPORARY = 3, "temporary, no wrap";
        /// Temporary text, wrapped.
        TEMPORARY_WRAP = 4, "temporary, wrap";
    }
}

/// `osdp_TEXT` data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TextOutput {
    /// The reader, 0 for the first.
    pub reader: u8,
    /// How to show the text.
    pub command: TextCommand,
    /// For temporary text, how long, in seconds.
    pub temp_time: u8,
    /// The row of the first character, 1 for the top.
    pub row: u8,
    /// The column of the first character, 1 for the leftmost.
    pub column: u8,
    /// The characters, at most 255.
    pub text: Vec<u8>,
}

impl Payload for TextOutput {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            reader: cursor.u8("reader number")?,
            command: cursor.u8("text command")?.into(),
            temp_time: cursor.u8("temporary text time")?,
            row: cursor.u8("row")?,
            column: cursor.u8("column")?,
            text: cursor.counted_rest("text length")?.to_vec(),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&[
            self.reader,
            self.command.0,
            self.temp_time,
            self.row,
            self.column,
        ]);
        put_counted(out, &self.text, "text")
    }
}
