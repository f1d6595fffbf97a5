//! A Wiegand frame: the bits a reader sent, in the order it sent them.

use std::fmt;
use std::str::FromStr;

use super::WiegandError;

/// The longest frame [`WiegandBits`] holds.
pub const MAX_BITS: usize = 128;

/// A Wiegand frame: a string of 1 to [`MAX_BITS`] bits, first transmitted bit first.
///
/// Read one from text with [`str::parse`] (`"0101…"`, with `_` allowed as a visual
/// separator), from the bytes of an OSDP `RAW` reply with [`WiegandBits::from_bytes`],
/// or from an integer with [`WiegandBits::from_value`]. It prints back as `0` and `1`
/// characters.
///
/// ```
/// use accessctl_devices::wiegand::WiegandBits;
///
/// let bits: WiegandBits = "1_0110".parse()?;
/// assert_eq!(bits.len(), 5);
/// assert_eq!(bits.get(0), Some(true));
/// assert_eq!(bits.get(1), Some(false));
/// assert_eq!(bits.get(5), None);
/// assert_eq!(bits.value(), 0b10110);
/// assert_eq!(bits, WiegandBits::from_bytes(&[0b1011_0000], 5)?);
/// assert_eq!(bits.to_string(), "10110");
/// # Ok::<(), accessctl_devices::wiegand::WiegandError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct WiegandBits {
    /// The frame read as an unsigned integer: the first bit transmitted is bit `len - 1`,
    /// the last is bit 0. Bits at `len` and above are always zero.
    value: u128,
    /// Between 1 and [`MAX_BITS`].
    len: u8,
}

/// `len` as a `u8`, if it is a valid frame length.
fn check_len(len: usize) -> Result<u8, WiegandError> {
    match u8::try_from(len) {
        Ok(short) if (1..=MAX_BITS).contains(&len) => Ok(short),
        _ => Err(WiegandError::BitCount { got: len }),
    }
}

/// A mask of the `width` low bits.
pub(crate) const fn low_mask(width: usize) -> u128 {
    if width >= 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    }
}

impl WiegandBits {
    /// The frame of `len` bits whose value, read as an unsigned integer with the first
    /// bit transmitted as the most significant, is `value`.
    ///
    /// Errors when `len` is not between 1 and [`MAX_BITS`], or `value` has bits set at
    /// `len` or above. This is also how a number is presented as a raw frame of a chosen
    /// length.
    pub fn from_value(value: u128, len: usize) -> Result<Self, WiegandError> {
        let short = check_len(len)?;
        if value & !low_mask(len) != 0 {
            return Err(WiegandError::ValueTooWide { value, bits: len });
        }
        Ok(Self { value, len: short })
    }

    /// The frame of `bit_count` bits carried by `bytes`, most significant bit of the
    /// first byte first, as an OSDP `RAW` card-data reply carries them.
    ///
    /// `bytes` must be exactly `ceil(bit_count / 8)` long; the unused low bits of the
    /// last byte are padding and ignored.
    pub fn from_bytes(bytes: &[u8], bit_count: usize) -> Result<Self, WiegandError> {
        let short = check_len(bit_count)?;
        let expected = bit_count.div_ceil(8);
        if bytes.len() != expected {
            return Err(WiegandError::ByteCount {
                bits: bit_count,
                expected,
                got: bytes.len(),
            });
        }
        let mut value = 0u128;
        let mut remaining = bit_count;
        for &byte in bytes {
            let take = remaining.min(8);
            // `take` is 1..=8, so the shifts stay in range.
            value = (value << take) | u128::from(byte >> (8 - take));
            remaining -= take;
        }
        Ok(Self { value, len: short })
    }

    /// The frame as bytes, most significant bit of the first byte first, the last byte
    /// padded with zero bits: the inverse of [`WiegandBits::from_bytes`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let count = self.len().div_ceil(8);
        // `count * 8 <= 128`, and the padding is under 8 bits, so nothing is lost.
        let padded = self.value << (count * 8 - self.len());
        padded.to_be_bytes().into_iter().skip(16 - count).collect()
    }

    /// How many bits the frame has, 1 to [`MAX_BITS`].
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Always `false`: a frame has at least one bit.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The bit at `offset` (0 is the first bit transmitted), or `None` past the end.
    pub fn get(&self, offset: usize) -> Option<bool> {
        (offset < self.len()).then(|| self.value >> (self.len() - 1 - offset) & 1 == 1)
    }

    /// The frame read as an unsigned integer, the first bit transmitted most significant.
    pub fn value(&self) -> u128 {
        self.value
    }

    /// The bits, first transmitted first.
    pub fn iter(&self) -> impl Iterator<Item = bool> {
        let this = *self;
        (0..self.len()).map(move |offset| this.value >> (this.len() - 1 - offset) & 1 == 1)
    }

    /// A copy with the bit at `offset` inverted, or `None` past the end — a line glitch,
    /// for tests and simulated readers.
    pub fn flipped(&self, offset: usize) -> Option<Self> {
        (offset < self.len()).then(|| Self {
            value: self.value ^ 1u128 << (self.len() - 1 - offset),
            len: self.len,
        })
    }

    /// A mask over [`WiegandBits::value`] selecting the bits at the given offsets, where
    /// bit `i` of `offsets` stands for offset `i`. Offsets past the end are dropped.
    pub(crate) fn value_mask(&self, offsets: u128) -> u128 {
        offsets.reverse_bits() >> (128 - self.len())
    }

    /// The `width` bits starting at `offset`, read most significant first. The caller
    /// guarantees `offset + width <= len` and `width <= 64`.
    pub(crate) fn field(&self, offset: usize, width: usize) -> u64 {
        let shift = self.len().saturating_sub(offset + width);
        // The mask keeps at most 64 bits, so the conversion cannot fail.
        u64::try_from(self.value >> shift & low_mask(width)).unwrap_or(u64::MAX)
    }

    /// Writes `value` into the `width` bits starting at `offset`. The caller guarantees
    /// the field lies inside the frame and `value` fits in it.
    pub(crate) fn set_field(&mut self, offset: usize, width: usize, value: u64) {
        let shift = self.len().saturating_sub(offset + width);
        let mask = low_mask(width) << shift;
        self.value = (self.value & !mask) | (u128::from(value) << shift & mask);
    }

    /// Sets the bit at `offset` (inside the frame) to `bit`.
    pub(crate) fn set(&mut self, offset: usize, bit: bool) {
        let mask = 1u128 << (self.len() - 1 - offset);
        if bit {
            self.value |= mask;
        } else {
            self.value &= !mask;
        }
    }
}

impl FromStr for WiegandBits {
    type Err = WiegandError;

    /// Reads `0` and `1` characters, first transmitted first; `_` may separate groups.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut value = 0u128;
        let mut count = 0usize;
        for (offset, found) in text.char_indices() {
            let bit = match found {
                '0' => 0,
                '1' => 1,
                '_' => continue,
                _ => return Err(WiegandError::BadChar { offset, found }),
            };
            if count < MAX_BITS {
                value = value << 1 | bit;
            }
            count += 1;
        }
        let len = check_len(count)?;
        Ok(Self { value, len })
    }
}

impl fmt::Display for WiegandBits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for bit in self.iter() {
            f.write_str(if bit { "1" } else { "0" })?;
        }
        Ok(())
    }
}

impl fmt::Debug for WiegandBits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WiegandBits(\"{self}\")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let bits: WiegandBits = "0101".parse().unwrap();
        assert_eq!(bits.len(), 4);
        assert_eq!(bits.value(), 0b0101);
        assert_eq!(bits.to_string(), "0101");
        assert_eq!(format!("{bits:?}"), "WiegandBits(\"0101\")");
        assert_eq!(bits.iter().collect::<Vec<_>>(), [false, true, false, true]);
    }

    #[test]
    fn refuses_bad_text() {
        assert_eq!(
            "01x1".parse::<WiegandBits>(),
            Err(WiegandError::BadChar {
                offset: 2,
                found: 'x'
            })
        );
        assert_eq!(
            "0é2".parse::<WiegandBits>(),
            Err(WiegandError::BadChar {
                offset: 1,
                found: 'é'
            })
        );
        assert_eq!(
            "".parse::<WiegandBits>(),
            Err(WiegandError::BitCount { got: 0 })
        );
        assert_eq!(
            "__".parse::<WiegandBits>(),
            Err(WiegandError::BitCount { got: 0 })
        );
        assert_eq!(
            "1".repeat(129).parse::<WiegandBits>(),
            Err(WiegandError::BitCount { got: 129 })
        );
        let longest = "1".repeat(128).parse::<WiegandBits>().unwrap();
        assert_eq!(longest.value(), u128::MAX);
    }

    #[test]
    fn bytes_msb_first() {
        let bits = WiegandBits::from_bytes(&[0x80, 0x80, 0x00, 0x80], 26).unwrap();
        assert_eq!(bits.to_string(), "10000000100000000000000010");
        assert_eq!(bits.to_bytes(), [0x80, 0x80, 0x00, 0x80]);
        // Padding bits are ignored on the way in and zero on the way out.
        let padded = WiegandBits::from_bytes(&[0xff], 3).unwrap();
        assert_eq!(padded.to_string(), "111");
        assert_eq!(padded.to_bytes(), [0xe0]);
        let full = WiegandBits::from_bytes(&[0xab; 16], 128).unwrap();
        assert_eq!(full.to_bytes(), [0xab; 16]);
        assert_eq!(
            WiegandBits::from_bytes(&[0, 0, 0], 26),
            Err(WiegandError::ByteCount {
                bits: 26,
                expected: 4,
                got: 3
            })
        );
        assert_eq!(
            WiegandBits::from_bytes(&[0; 5], 26),
            Err(WiegandError::ByteCount {
                bits: 26,
                expected: 4,
                got: 5
            })
        );
        assert_eq!(
            WiegandBits::from_bytes(&[], 0),
            Err(WiegandError::BitCount { got: 0 })
        );
    }

    #[test]
    fn from_value_checks_width() {
        assert_eq!(WiegandBits::from_value(5, 3).unwrap().to_string(), "101");
        assert_eq!(
            WiegandBits::from_value(8, 3),
            Err(WiegandError::ValueTooWide { value: 8, bits: 3 })
        );
        assert!(WiegandBits::from_value(u128::MAX, 128).is_ok());
        assert_eq!(
            WiegandBits::from_value(0, 129),
            Err(WiegandError::BitCount { got: 129 })
        );
    }

    #[test]
    fn fields_and_bits() {
        let mut bits = WiegandBits::from_value(0, 10).unwrap();
        bits.set_field(2, 4, 0b1011);
        assert_eq!(bits.to_string(), "0010110000");
        assert_eq!(bits.field(2, 4), 0b1011);
        bits.set(0, true);
        bits.set(3, true);
        assert_eq!(bits.to_string(), "1011110000");
        assert_eq!(bits.flipped(9).unwrap().to_string(), "1011110001");
        assert_eq!(bits.flipped(10), None);
        assert_eq!(bits.value_mask(0b11), 0b11 << 8);
    }
}
