//! Reading and writing the fields of command and reply data: bytes, little-endian
//! integers, fixed arrays and counted byte strings.
//!
//! Owns [`Cursor`], which reads fields in order and turns running out of bytes into a
//! [`PayloadError`] naming the field and its offset, and the small helpers that write
//! fields. It knows no message layout; each payload type says which fields it has.

use super::error::{EncodeError, PayloadError};

/// Reads fields from the front of a byte slice, keeping track of the offset.
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    /// How many bytes were read.
    pos: usize,
    /// The offset of `bytes[0]` in the frame, for errors.
    base: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor over `bytes`, whose first byte sits at offset `base`.
    pub(crate) fn new(bytes: &'a [u8], base: usize) -> Self {
        Self {
            bytes,
            pos: 0,
            base,
        }
    }

    /// The offset of the next byte to read.
    pub(crate) fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// How many bytes are left.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// Whether every byte was read.
    pub(crate) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The next `count` bytes, the field `field`.
    pub(crate) fn take(
        &mut self,
        count: usize,
        field: &'static str,
    ) -> Result<&'a [u8], PayloadError> {
        let taken = self
            .pos
            .checked_add(count)
            .and_then(|end| self.bytes.get(self.pos..end))
            .ok_or(PayloadError::Truncated {
                offset: self.offset(),
                field,
                needed: count,
                available: self.remaining(),
            })?;
        self.pos += count;
        Ok(taken)
    }

    /// The next `N` bytes as an array.
    pub(crate) fn array<const N: usize>(
        &mut self,
        field: &'static str,
    ) -> Result<[u8; N], PayloadError> {
        let bytes = self.take(N, field)?;
        Ok(bytes.first_chunk::<N>().copied().unwrap_or([0; N]))
    }

    /// One byte.
    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, PayloadError> {
        let [byte] = self.array::<1>(field)?;
        Ok(byte)
    }

    /// A little-endian `u16`.
    pub(crate) fn u16(&mut self, field: &'static str) -> Result<u16, PayloadError> {
        Ok(u16::from_le_bytes(self.array(field)?))
    }

    /// A little-endian `i16`.
    pub(crate) fn i16(&mut self, field: &'static str) -> Result<i16, PayloadError> {
        Ok(i16::from_le_bytes(self.array(field)?))
    }

    /// A little-endian `u32`.
    pub(crate) fn u32(&mut self, field: &'static str) -> Result<u32, PayloadError> {
        Ok(u32::from_le_bytes(self.array(field)?))
    }

    /// A flag byte: 0 is `false`, 1 is `true`, anything else an error.
    pub(crate) fn flag(&mut self, field: &'static str) -> Result<bool, PayloadError> {
        let offset = self.offset();
        match self.u8(field)? {
            0 => Ok(false),
            1 => Ok(true),
            value => Err(PayloadError::BadValue {
                offset,
                field,
                value: u64::from(value),
            }),
        }
    }

    /// A byte string preceded by a one-byte count, which must match the bytes left:
    /// the count `count_field` then the string `field`, to the end of the data.
    pub(crate) fn counted_rest(
        &mut self,
        count_field: &'static str,
    ) -> Result<&'a [u8], PayloadError> {
        let offset = self.offset();
        let declared = usize::from(self.u8(count_field)?);
        let rest = self.rest();
        if rest.len() != declared {
            return Err(PayloadError::CountMismatch {
                offset,
                field: count_field,
                declared,
                actual: rest.len(),
            });
        }
        Ok(rest)
    }

    /// Every byte left.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        self.pos = self.bytes.len();
        rest
    }

    /// Checks that every byte was read.
    pub(crate) fn finish(self) -> Result<(), PayloadError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(PayloadError::TrailingBytes {
                offset: self.offset(),
                count: self.remaining(),
            })
        }
    }
}

/// Appends `bytes` after a one-byte count.
pub(crate) fn put_counted(
    out: &mut Vec<u8>,
    bytes: &[u8],
    field: &'static str,
) -> Result<(), EncodeError> {
    let count = u8::try_from(bytes.len()).map_err(|_| EncodeError::FieldTooLong {
        field,
        len: bytes.len(),
        max: usize::from(u8::MAX),
    })?;
    out.push(count);
    out.extend_from_slice(bytes);
    Ok(())
}

/// A length as a `u16` field.
pub(crate) fn u16_len(len: usize, field: &'static str) -> Result<u16, EncodeError> {
    u16::try_from(len).map_err(|_| EncodeError::FieldTooLong {
        field,
        len,
        max: usize::from(u16::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_in_order() {
        let mut cursor = Cursor::new(&[1, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0xFF, 0xFF], 10);
        assert_eq!(cursor.u8("a").unwrap(), 1);
        assert_eq!(cursor.u16("b").unwrap(), 0x1234);
        assert_eq!(cursor.u32("c").unwrap(), 0x1234_5678);
        assert_eq!(cursor.offset(), 17);
        assert_eq!(cursor.i16("d").unwrap(), -1);
        assert!(cursor.finish().is_ok());
    }

    #[test]
    fn errors_name_field_and_offset() {
        let mut cursor = Cursor::new(&[1, 2], 6);
        cursor.u8("first").unwrap();
        assert_eq!(
            cursor.u16("second"),
            Err(PayloadError::Truncated {
                offset: 7,
                field: "second",
                needed: 2,
                available: 1
            })
        );
        assert_eq!(
            cursor.finish(),
            Err(PayloadError::TrailingBytes {
                offset: 7,
                count: 1
            })
        );
        let mut flag = Cursor::new(&[2], 0);
        assert!(matches!(
            flag.flag("f"),
            Err(PayloadError::BadValue { value: 2, .. })
        ));
        let mut counted = Cursor::new(&[3, 1, 2], 0);
        assert_eq!(
            counted.counted_rest("count"),
            Err(PayloadError::CountMismatch {
                offset: 0,
                field: "count",
                declared: 3,
                actual: 2
            })
        );
        assert!(Cursor::new(&[], 0).take(usize::MAX, "huge").is_err());
    }

    #[test]
    fn counted_fields_refuse_overflow() {
        let mut out = Vec::new();
        assert!(put_counted(&mut out, &[0; 256], "text").is_err());
        put_counted(&mut out, b"ab", "text").unwrap();
        assert_eq!(out, [2, b'a', b'b']);
        assert!(u16_len(65536, "data").is_err());
    }
}
