//! The check characters that close every OSDP frame: a CRC-16 or an 8-bit checksum,
//! chosen by bit 2 of the control byte.
//!
//! Owns the two algorithms and [`Check`], the choice between them. It computes over
//! bytes it is given and never decides which frame they belong to.

/// Which check closes a frame: bit 2 (`0x04`) of the control byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Check {
    /// A two-byte CRC-16, little-endian (control bit set).
    Crc16,
    /// A one-byte checksum (control bit clear). Every PD must accept it.
    Checksum,
}

impl Check {
    /// How many bytes the check takes on the wire.
    pub const fn len(self) -> usize {
        match self {
            Check::Crc16 => 2,
            Check::Checksum => 1,
        }
    }

    /// Always `false`: a check has at least one byte.
    pub const fn is_empty(self) -> bool {
        false
    }

    /// Appends the check of `bytes` to `bytes`.
    pub(crate) fn append(self, bytes: &mut Vec<u8>) {
        match self {
            Check::Crc16 => bytes.extend_from_slice(&crc16(bytes).to_le_bytes()),
            Check::Checksum => {
                let sum = checksum(bytes);
                bytes.push(sum);
            }
        }
    }
}

/// The CRC-16 lookup table for the polynomial `0x1021`, most significant bit first.
const CRC_TABLE: [u16; 256] = crc_table();

// PANIC SAFETY: evaluated at compile time (`CRC_TABLE`), so an index out of range
// would fail the build, never panic at run time; `byte` stays below 256 anyway.
#[allow(clippy::indexing_slicing)]
const fn crc_table() -> [u16; 256] {
    let mut table = [0u16; 256];
    let mut byte = 0;
    while byte < 256 {
        let mut crc = (byte as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
            bit += 1;
        }
        table[byte] = crc;
        byte += 1;
    }
    table
}

/// The CRC-16 OSDP uses: CRC-16/AUG-CCITT (polynomial `0x1021`, initial value
/// `0x1D0F`, no reflection, no final XOR), sent little-endian.
///
/// ```
/// use accessctl_devices::osdp::crc16;
///
/// // The check value of the CRC catalogue: CRC-16/SPI-FUJITSU a.k.a. AUG-CCITT.
/// assert_eq!(crc16(b"123456789"), 0xE5CC);
/// ```
pub fn crc16(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0x1D0F, |crc: u16, &byte| {
        let index = usize::from((crc >> 8) as u8 ^ byte);
        let entry = CRC_TABLE.get(index).copied().unwrap_or_default();
        (crc << 8) ^ entry
    })
}

/// The 8-bit checksum OSDP uses: the two's complement of the sum of the bytes, so that
/// the bytes and their checksum add up to 0 modulo 256.
///
/// ```
/// use accessctl_devices::osdp::checksum;
///
/// assert_eq!(checksum(&[0x53, 0x00, 0x08, 0x00, 0x00, 0x61, 0x00]), 0x44);
/// ```
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes
        .iter()
        .fold(0u8, |sum, &byte| sum.wrapping_add(byte))
        .wrapping_neg()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit by bit, straight from the definition, to check the table.
    fn crc16_bitwise(bytes: &[u8]) -> u16 {
        let mut crc: u16 = 0x1D0F;
        for &byte in bytes {
            crc ^= u16::from(byte) << 8;
            for _ in 0..8 {
                crc = if crc & 0x8000 != 0 {
                    (crc << 1) ^ 0x1021
                } else {
                    crc << 1
                };
            }
        }
        crc
    }

    #[test]
    fn table_matches_definition() {
        let data: Vec<u8> = (0..=255).collect();
        assert_eq!(crc16(&data), crc16_bitwise(&data));
        assert_eq!(crc16(&[]), 0x1D0F);
    }

    /// SIA OSDP 2.2, Annex E, "CRC Example 1" and "CRC Example 2", as quoted in
    /// libosdp's `tests/unit-tests/test-sc-sia-vectors.c`.
    #[test]
    fn annex_e_crc_examples() {
        let example1 = [
            0x53, 0x7F, 0x0D, 0x00, 0x04, 0x6E, 0x00, 0x80, 0x25, 0x00, 0x00,
        ];
        assert_eq!(crc16(&example1).to_le_bytes(), [0x6E, 0x38]);
        let example2 = [0x53, 0x00, 0x09, 0x00, 0x04, 0x61, 0x00];
        assert_eq!(crc16(&example2).to_le_bytes(), [0xC0, 0x66]);
    }

    /// SIA OSDP 2.2, Annex E, "Checksum Example 1" and "Checksum Example 2" (same
    /// source).
    #[test]
    fn annex_e_checksum_examples() {
        let example1 = [
            0x53, 0x7F, 0x0C, 0x00, 0x00, 0x6E, 0x00, 0x80, 0x25, 0x00, 0x00,
        ];
        assert_eq!(checksum(&example1), 0x0F);
        let example2 = [0x53, 0x00, 0x08, 0x00, 0x00, 0x61, 0x00];
        assert_eq!(checksum(&example2), 0x44);
    }

    #[test]
    fn append_writes_little_endian() {
        let mut crc = vec![0x53, 0x00, 0x09, 0x00, 0x04, 0x61, 0x00];
        Check::Crc16.append(&mut crc);
        assert_eq!(crc[7..], [0xC0, 0x66]);
        let mut sum = vec![0x53, 0x00, 0x08, 0x00, 0x00, 0x61, 0x00];
        Check::Checksum.append(&mut sum);
        assert_eq!(sum[7..], [0x44]);
        assert_eq!(sum.iter().fold(0u8, |a, &b| a.wrapping_add(b)), 0);
    }
}
