//! A cursor over the bytes of a key image.
//!
//! Owns reading big-endian integers and fixed-size fields with bounds checks, and
//! naming the absolute byte offset of whatever goes wrong. It knows nothing of the
//! layout's fields and never panics.

use super::image::{ImageProblem, KeyImageError};

/// Reads `bytes`, whose first byte is at offset `base` of the image.
#[derive(Debug, Clone)]
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8], base: usize) -> Reader<'a> {
        Reader {
            bytes,
            position: 0,
            base,
        }
    }

    /// The image offset of the next byte.
    pub fn offset(&self) -> usize {
        self.base + self.position
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.position)
    }

    /// An error at image offset `offset`.
    pub fn error_at(&self, offset: usize, problem: ImageProblem) -> KeyImageError {
        KeyImageError { offset, problem }
    }

    /// An error at the next byte.
    pub fn error(&self, problem: ImageProblem) -> KeyImageError {
        self.error_at(self.offset(), problem)
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], KeyImageError> {
        let end = self.position.saturating_add(n);
        let Some(taken) = self.bytes.get(self.position..end) else {
            let needed = n.saturating_sub(self.remaining());
            return Err(self.error(ImageProblem::Truncated { needed }));
        };
        self.position = end;
        Ok(taken)
    }

    /// The next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], KeyImageError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub fn u8(&mut self) -> Result<u8, KeyImageError> {
        self.array::<1>().map(|[b]| b)
    }

    pub fn u16(&mut self) -> Result<u16, KeyImageError> {
        self.array().map(u16::from_be_bytes)
    }

    pub fn i32(&mut self) -> Result<i32, KeyImageError> {
        self.array().map(i32::from_be_bytes)
    }

    pub fn i64(&mut self) -> Result<i64, KeyImageError> {
        self.array().map(i64::from_be_bytes)
    }

    pub fn u64(&mut self) -> Result<u64, KeyImageError> {
        self.array().map(u64::from_be_bytes)
    }

    /// Skips `n` bytes that must all be zero.
    pub fn zeros(&mut self, n: usize) -> Result<(), KeyImageError> {
        let start = self.offset();
        let taken = self.take(n)?;
        match taken.iter().position(|b| *b != 0) {
            Some(i) => Err(self.error_at(start + i, ImageProblem::NonZeroPadding)),
            None => Ok(()),
        }
    }
}
