//! Card reads: `osdp_RAW` (the bits a reader read) and `osdp_FMT` (a card number as
//! characters, deprecated by the standard but still sent by old readers).
//!
//! Owns [`RawCard`], [`RawFormat`] and [`FormattedCard`]. A raw read becomes
//! [`WiegandBits`] through [`RawCard::to_wiegand`]; reading a card number out of the
//! bits belongs to [`wiegand`](crate::wiegand).

use crate::osdp::code::code_type;
use crate::osdp::error::{EncodeError, PayloadError};
use crate::osdp::payload::Payload;
use crate::osdp::wire::{put_counted, u16_len, Cursor};
use crate::wiegand::{WiegandBits, WiegandError};

code_type! {
    /// How the bits of `osdp_RAW` are to be read.
    RawFormat: u8 {
        /// Not specified: a raw bit array.
        RAW = 0, "raw";
        /// Wiegand, parity bits included.
        WIEGAND = 1, "wiegand";
    }
}

/// `osdp_RAW` data: reader, format, bit count, bits (most significant bit of the first
/// byte first; the last byte padded with zero bits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RawCard {
    /// The reader, 0 for the first.
    pub reader: u8,
    /// How to read the bits.
    pub format: RawFormat,
    /// How many bits were read.
    pub bit_count: u16,
    /// The bits, `ceil(bit_count / 8)` bytes.
    pub data: Vec<u8>,
}

impl RawCard {
    /// The read of `bits` as a Wiegand reader reports it.
    pub fn from_wiegand(reader: u8, bits: &WiegandBits) -> Self {
        Self {
            reader,
            format: RawFormat::WIEGAND,
            // A frame holds at most 128 bits.
            bit_count: u16::try_from(bits.len()).unwrap_or(u16::MAX),
            data: bits.to_bytes(),
        }
    }

    /// The bits as a Wiegand frame, for [`wiegand::detect`](crate::wiegand::detect).
    ///
    /// Errors when there are no bits or more than
    /// [`wiegand::MAX_BITS`](crate::wiegand::MAX_BITS).
    pub fn to_wiegand(&self) -> Result<WiegandBits, WiegandError> {
        WiegandBits::from_bytes(&self.data, usize::from(self.bit_count))
    }
}

impl Payload for RawCard {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        let reader = cursor.u8("reader number")?;
        let format = cursor.u8("format code")?.into();
        let count_offset = cursor.offset();
        let bit_count = cursor.u16("bit count")?;
        let data = cursor.rest();
        let declared = usize::from(bit_count).div_ceil(8);
        if data.len() != declared {
            return Err(PayloadError::CountMismatch {
                offset: count_offset,
                field: "bit count",
                declared,
                actual: data.len(),
            });
        }
        Ok(Self {
            reader,
            format,
            bit_count,
            data: data.to_vec(),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let declared = usize::from(self.bit_count).div_ceil(8);
        if self.data.len() != declared {
            return Err(EncodeError::CountMismatch {
                field: "bit count",
                declared,
                actual: self.data.len(),
            });
        }
        u16_len(self.data.len(), "card data")?;
        out.extend_from_slice(&[self.reader, self.format.0]);
        out.extend_from_slice(&self.bit_count.to_le_bytes());
        out.extend_from_slice(&self.data);
        Ok(())
    }
}

/// `osdp_FMT` data: reader, read direction, characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FormattedCard {
    /// The reader, 0 for the first.
    pub reader: u8,
    /// 0: read forward, 1: read in reverse.
    pub direction: u8,
    /// The characters (ASCII), at most 255.
    pub characters: Vec<u8>,
}

impl Payload for FormattedCard {
    fn decode(cursor: &mut Cursor<'_>) -> Result<Self, PayloadError> {
        Ok(Self {
            reader: cursor.u8("reader number")?,
            direction: cursor.u8("read direction")?,
            characters: cursor.counted_rest("character count")?.to_vec(),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&[self.reader, self.direction]);
        put_counted(out, &self.characters, "characters")
    }
}
