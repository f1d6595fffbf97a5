//! `osdp_FILETRANSFER`: one fragment of a file sent to a PD (firmware, or a lock's
//! memory image).
//!
//! Owns [`FileTransfer`] and [`FileType`]: type, total size, offset, fragment size and
//! fragment bytes. The fragment size on the wire always equals the bytes that follow;
//! splitting a file into fragments and pacing them is the control panel's job.

use crate::osdp::code::code_type;
use crate::osdp::error::{EncodeError, PayloadError};
use crate::osdp::payload::Payload;
use crate::osdp::wire::{u16_len, Cursor};

code_type! {
    /// What kind of file. 2 to 127 are reserved; 128 to 255 are for private use.
    FileType: u8 {
        /// An opaque file, whose meaning the PD knows.
        OPAQUE = 1, "opaque";
    }
}

/// `osdp_FILETRANSFER` data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileTransfer {
    /// What kind of file.
    pub file_type: FileType,
    /// The whole file's size, in bytes.
    pub total_size: u32,
    /// Where this fragment starts in the file.
    pub offset: u32,
    /// The fragment (its length is the fragment size field). May be empty: a keep-alive
    /// while the PD is busy.
    pub data: Vec<u8>,
}

impl Payload for FileTransfer {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        let file_type = cursor.u8("file type")?.into();
        let total_size = cursor.u32("total size")?;
        let offset = cursor.u32("offset")?;
        let size_offset = cursor.offset();
        let declared = usize::from(cursor.u16("fragment size")?);
        let data = cursor.rest();
        if data.len() != declared {
            return Err(PayloadError::CountMismatch {
                offset: size_offset,
                field: "fragment size",
                declared,
                actual: data.len(),
            });
        }
        Ok(Self {
            file_type,
            total_size,
            offset,
            data: data.to_vec(),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let size = u16_len(self.data.len(), "fragment")?;
        out.push(self.file_type.0);
        out.extend_from_slice(&self.total_size.to_le_bytes());
        out.extend_from_slice(&self.offset.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&self.data);
        Ok(())
    }
}
