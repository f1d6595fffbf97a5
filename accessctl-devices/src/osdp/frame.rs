//! One OSDP frame (the standard says "packet"): header, optional security control
//! block, message code, data, optional MAC, check characters.
//!
//! ```text
//! offset  0     1     2-3        4        5…              …            last 1 or 2
//!         SOM   ADDR  LEN (LE)   CTRL     [SCB]  CODE DATA [MAC ×4]    CKSUM | CRC (LE)
//!         0x53  b7 = reply       b0-1 sequence, b2 CRC, b3 SCB present
//! ```
//!
//! Owns [`Frame`]: the exact translation between those bytes and a value, both ways,
//! with every check of the packet layer (start of message, length, reserved control
//! bits, CRC or checksum, block layout). It never interprets the message data (see
//! [`Command`] and [`Reply`]) and never computes a MAC or decrypts (see
//! [`secure`](super::secure)). `Frame::decode(bytes)?.encode()? == bytes` for every
//! frame it accepts.

use super::check::{checksum, crc16, Check};
use super::command::Command;
use super::error::{EncodeError, FrameError, PayloadError};
use super::header::{Address, Direction, Header, Sequence};
use super::reply::Reply;
use super::security_block::{self, SecurityBlock, MAC_LEN};

/// The start-of-message byte every frame begins with.
pub const SOM: u8 = 0x53;

/// The optional mark byte a sender may put before the start of message (OSDP 2.2);
/// [`FrameReader`](super::FrameReader) skips it like any byte before a frame.
pub const MARK: u8 = 0xFF;

/// The header's length: start of message, address, two length bytes, control.
pub const HEADER_LEN: usize = 5;

/// The longest frame the 16-bit length field can describe.
pub const MAX_FRAME_LEN: usize = u16::MAX as usize;

/// Control byte bit: a CRC-16 closes the frame (clear: a checksum).
const CONTROL_CRC: u8 = 0x04;
/// Control byte bit: a security control block follows the header.
const CONTROL_SCB: u8 = 0x08;
/// Control byte bits the standard reserves.
const CONTROL_RESERVED: u8 = 0xF0;

/// One frame, its message data as it travels (encrypted when its security block says
/// so).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Frame {
    /// Address, direction, sequence number, check kind.
    pub header: Header,
    /// The security control block, with the MAC for `SCS_15`–`SCS_18`.
    pub security: Option<SecurityBlock>,
    /// The command or reply code.
    pub code: u8,
    /// The data after the code, up to the MAC or check characters.
    pub data: Vec<u8>,
}

impl Frame {
    /// The frame carrying `command` in clear, with no security block.
    pub fn command(header: Header, command: &Command) -> Result<Self, EncodeError> {
        Self::plain(
            header,
            Direction::Command,
            command.code(),
            command.encode_data()?,
        )
    }

    /// The frame carrying `reply` in clear, with no security block.
    pub fn reply(header: Header, reply: &Reply) -> Result<Self, EncodeError> {
        Self::plain(header, Direction::Reply, reply.code(), reply.encode_data()?)
    }

    fn plain(
        header: Header,
        direction: Direction,
        code: u8,
        data: Vec<u8>,
    ) -> Result<Self, EncodeError> {
        Ok(Self {
            header: Header {
                direction,
                ..header
            },
            security: None,
            code,
            data,
        })
    }

    /// The command this frame carries, read from its data as they are (so only for a
    /// frame whose data is not encrypted). Error offsets count from the start of message.
    pub fn to_command(&self) -> Result<Command, PayloadError> {
        Command::decode_at(self.code, &self.data, self.data_offset())
    }

    /// The reply this frame carries; see [`Frame::to_command`].
    pub fn to_reply(&self) -> Result<Reply, PayloadError> {
        Reply::decode_at(self.code, &self.data, self.data_offset())
    }

    /// Where the data starts in the encoded frame: after the header, the security block
    /// and the code.
    pub fn data_offset(&self) -> usize {
        HEADER_LEN
            + self
                .security
                .map_or(0, |block| block.wire_len() - self.mac_len())
            + 1
    }

    fn mac_len(&self) -> usize {
        match self.security.and_then(|block| block.mac()) {
            Some(_) => MAC_LEN,
            None => 0,
        }
    }

    /// The frame's length on the wire.
    pub fn wire_len(&self) -> usize {
        self.data_offset() + self.data.len() + self.mac_len() + self.header.check.len()
    }

    /// The frame's bytes.
    ///
    /// Errors when the frame would be longer than [`MAX_FRAME_LEN`] or its security
    /// block belongs to the other direction.
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut bytes = self.mac_input()?;
        if let Some(mac) = self.security.and_then(|block| block.mac()) {
            bytes.extend_from_slice(&mac);
        }
        self.header.check.append(&mut bytes);
        Ok(bytes)
    }

    /// The bytes a MAC covers: the whole frame, length field final, up to the end of
    /// the data (MAC and check characters excluded).
    pub fn mac_input(&self) -> Result<Vec<u8>, EncodeError> {
        let len = self.wire_len();
        let len_field = u16::try_from(len).map_err(|_| EncodeError::FrameTooLong { len })?;
        let [low, high] = len_field.to_le_bytes();
        let mut bytes = Vec::with_capacity(len);
        bytes.extend_from_slice(&[SOM, self.header.address_byte(), low, high, self.control()]);
        if let Some(block) = &self.security {
            block.encode(self.header.direction, &mut bytes)?;
        }
        bytes.push(self.code);
        bytes.extend_from_slice(&self.data);
        Ok(bytes)
    }

    fn control(&self) -> u8 {
        let crc = match self.header.check {
            Check::Crc16 => CONTROL_CRC,
            Check::Checksum => 0,
        };
        let scb = if self.security.is_some() {
            CONTROL_SCB
        } else {
            0
        };
        self.header.sequence.value() | crc | scb
    }

    /// Reads `bytes` as exactly one frame.
    ///
    /// Checks, in order: the start of message, the header's presence, the reserved
    /// control bits, the length field (against the minimum frame and against
    /// `bytes.len()`), the CRC or checksum, then the security block's layout. Every
    /// error names the offset of the faulty byte.
    ///
    /// ```
    /// use accessctl_devices::osdp::{Frame, Command};
    ///
    /// // osdp_POLL to PD 0x65, sequence 0, CRC (libosdp `test-cp-phy.c`).
    /// let frame = Frame::decode(&[0x53, 0x65, 0x08, 0x00, 0x04, 0x60, 0x60, 0x90])?;
    /// assert_eq!(frame.header.address.value(), 0x65);
    /// assert_eq!(frame.to_command()?, Command::Poll);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decode(bytes: &[u8]) -> Result<Self, FrameError> {
        let (header, has_scb) = read_header(bytes)?;
        let check = header.check;
        let declared = check_length(bytes, check, MAX_FRAME_LEN)?;
        let end = declared - check.len();
        verify_check(bytes, end, check)?;
        let room = bytes.get(HEADER_LEN..end).unwrap_or_default();
        let (security, body) = if has_scb {
            read_block(room, header.direction)?
        } else {
            (None, (HEADER_LEN, room))
        };
        let (body_offset, body) = body;
        let (code, data) = body.split_first().ok_or(FrameError::Truncated {
            offset: body_offset,
            needed: 1,
            available: 0,
        })?;
        Ok(Self {
            header,
            security,
            code: *code,
            data: data.to_vec(),
        })
    }
}

/// The header of `bytes` and whether a security block follows.
pub(crate) fn read_header(bytes: &[u8]) -> Result<(Header, bool), FrameError> {
    if let Some(&found) = bytes.first().filter(|&&byte| byte != SOM) {
        return Err(FrameError::BadSom { offset: 0, found });
    }
    let Some(&[_, address, _, _, control]) = bytes.first_chunk::<HEADER_LEN>() else {
        return Err(FrameError::Truncated {
            offset: 0,
            needed: HEADER_LEN,
            available: bytes.len(),
        });
    };
    if control & CONTROL_RESERVED != 0 {
        return Err(FrameError::ReservedControlBits { offset: 4, control });
    }
    let check = check_of(control);
    let header = Header {
        address: Address::from_wire(address),
        direction: Direction::from_wire(address),
        sequence: Sequence::from_control(control),
        check,
    };
    Ok((header, control & CONTROL_SCB != 0))
}

/// The check kind the control byte `control` announces.
pub(crate) fn check_of(control: u8) -> Check {
    if control & CONTROL_CRC != 0 {
        Check::Crc16
    } else {
        Check::Checksum
    }
}

/// The length the header of `bytes` announces, once checked against the shortest
/// frame, `max` and the bytes given. `bytes` holds at least a header.
pub(crate) fn announced_length(
    bytes: &[u8],
    check: Check,
    max: usize,
) -> Result<usize, FrameError> {
    let declared = match bytes.get(2..4) {
        Some(&[low, high]) => usize::from(u16::from_le_bytes([low, high])),
        _ => 0,
    };
    let min = HEADER_LEN + 1 + check.len();
    if declared < min || declared > max {
        return Err(FrameError::BadLength {
            offset: 2,
            declared,
            min,
            max,
        });
    }
    Ok(declared)
}

fn check_length(bytes: &[u8], check: Check, max: usize) -> Result<usize, FrameError> {
    let declared = announced_length(bytes, check, max)?;
    if declared != bytes.len() {
        return Err(FrameError::LengthMismatch {
            offset: 2,
            declared,
            actual: bytes.len(),
        });
    }
    Ok(declared)
}

/// Checks the CRC or checksum that starts at `end`.
fn verify_check(bytes: &[u8], end: usize, check: Check) -> Result<(), FrameError> {
    let (covered, found) = bytes.split_at_checked(end).unwrap_or((bytes, &[]));
    match (check, found) {
        (Check::Crc16, &[low, high]) => {
            let (computed, found) = (crc16(covered), u16::from_le_bytes([low, high]));
            if computed != found {
                return Err(FrameError::BadCrc {
                    offset: end,
                    computed,
                    found,
                });
            }
        }
        (Check::Checksum, &[found]) => {
            let computed = checksum(covered);
            if computed != found {
                return Err(FrameError::BadChecksum {
                    offset: end,
                    computed,
                    found,
                });
            }
        }
        _ => {
            return Err(FrameError::Truncated {
                offset: end,
                needed: check.len(),
                available: found.len(),
            })
        }
    }
    Ok(())
}

/// A message body: its offset in the frame and its bytes (code and data).
type Body<'a> = (usize, &'a [u8]);

/// The security block at the start of `room` (the bytes between header and check),
/// and the message body after it, MAC removed.
fn read_block(
    room: &[u8],
    direction: Direction,
) -> Result<(Option<SecurityBlock>, Body<'_>), FrameError> {
    let parsed = security_block::parse(room, HEADER_LEN, direction)?;
    let after = room.get(parsed.len..).unwrap_or_default();
    let (body, mac) = if parsed.has_mac() {
        let split = after.len().saturating_sub(MAC_LEN);
        let (body, mac) = after.split_at_checked(split).unwrap_or((after, &[]));
        (
            body,
            mac.first_chunk::<MAC_LEN>().copied().unwrap_or_default(),
        )
    } else {
        (after, [0; MAC_LEN])
    };
    // `parse` has checked the data byte and the room for code and MAC.
    let block = parsed.finish(mac).ok_or(FrameError::BadScb {
        offset: HEADER_LEN,
        problem: super::error::ScbProblem::UnknownType { kind: parsed.kind },
    })?;
    Ok((Some(block), (HEADER_LEN + parsed.len, body)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osdp::security_block::KeySelector;

    fn header(address: u8, sequence: u8, check: Check) -> Header {
        Header::command(
            Address::new(address).unwrap(),
            Sequence::new(sequence).unwrap(),
            check,
        )
    }

    /// libosdp `tests/unit-tests/test-cp-phy.c`: `osdp_POLL` and `osdp_ID` to PD 0x65,
    /// sequence 0, CRC-16 (mark byte left out).
    #[test]
    fn libosdp_poll_and_id() {
        let poll = [0x53, 0x65, 0x08, 0x00, 0x04, 0x60, 0x60, 0x90];
        let frame = Frame::command(header(0x65, 0, Check::Crc16), &Command::Poll).unwrap();
        assert_eq!(frame.encode().unwrap(), poll);
        assert_eq!(Frame::decode(&poll).unwrap(), frame);
        let id = [0x53, 0x65, 0x09, 0x00, 0x04, 0x61, 0x00, 0xd9, 0x7a];
        let frame = Frame::decode(&id).unwrap();
        assert_eq!((frame.code, frame.data.as_slice()), (0x61, &[0x00][..]));
        assert_eq!(frame.encode().unwrap(), id);
    }

    /// SIA OSDP 2.2 Annex E, CRC example 1 and checksum example 1 (quoted in libosdp
    /// `test-sc-sia-vectors.c`): `osdp_COMSET` broadcast, address 0, 9600 baud.
    #[test]
    fn annex_e_comset_frames() {
        let crc = [
            0x53, 0x7F, 0x0D, 0x00, 0x04, 0x6E, 0x00, 0x80, 0x25, 0x00, 0x00, 0x6E, 0x38,
        ];
        let frame = Frame::decode(&crc).unwrap();
        assert!(frame.header.address.is_broadcast());
        assert_eq!(frame.code, 0x6E);
        let sum = [
            0x53, 0x7F, 0x0C, 0x00, 0x00, 0x6E, 0x00, 0x80, 0x25, 0x00, 0x00, 0x0F,
        ];
        let frame = Frame::decode(&sum).unwrap();
        assert_eq!(frame.header.check, Check::Checksum);
        assert_eq!(frame.encode().unwrap(), sum);
    }

    #[test]
    fn errors_name_offsets() {
        let poll = [0x53, 0x65, 0x08, 0x00, 0x04, 0x60, 0x60, 0x90];
        assert_eq!(
            Frame::decode(&[0x54]),
            Err(FrameError::BadSom {
                offset: 0,
                found: 0x54
            })
        );
        assert_eq!(
            Frame::decode(&[]),
            Err(FrameError::Truncated {
                offset: 0,
                needed: 5,
                available: 0
            })
        );
        assert_eq!(
            Frame::decode(&poll[..7]),
            Err(FrameError::LengthMismatch {
                offset: 2,
                declared: 8,
                actual: 7
            })
        );
        let mut bad_crc = poll;
        bad_crc[7] ^= 1;
        assert!(matches!(
            Frame::decode(&bad_crc),
            Err(FrameError::BadCrc { offset: 6, .. })
        ));
        let mut reserved = poll;
        reserved[4] |= 0x10;
        assert_eq!(
            Frame::decode(&reserved),
            Err(FrameError::ReservedControlBits {
                offset: 4,
                control: 0x14
            })
        );
        assert!(matches!(
            Frame::decode(&[0x53, 0x65, 0x07, 0x00, 0x04, 0x60, 0x60]),
            Err(FrameError::BadLength {
                offset: 2,
                declared: 7,
                min: 8,
                ..
            })
        ));
    }

    #[test]
    fn security_block_round_trip() {
        let frame = Frame {
            header: header(3, 2, Check::Crc16),
            security: Some(SecurityBlock::Scs11(KeySelector::Scbk)),
            code: 0x76,
            data: vec![0xB0; 8],
        };
        let bytes = frame.encode().unwrap();
        assert_eq!(bytes[..8], [0x53, 0x03, 0x13, 0x00, 0x0E, 0x03, 0x11, 0x01]);
        assert_eq!(frame.data_offset(), 9);
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        let maced = Frame {
            header: header(3, 1, Check::Checksum),
            security: Some(SecurityBlock::Scs15([1, 2, 3, 4])),
            code: 0x60,
            data: vec![],
        };
        let bytes = maced.encode().unwrap();
        assert_eq!(bytes.len(), maced.wire_len());
        assert_eq!(bytes[5..12], [2, 0x15, 0x60, 1, 2, 3, 4]);
        assert_eq!(maced.mac_input().unwrap(), bytes[..8]);
        assert_eq!(Frame::decode(&bytes).unwrap(), maced);
    }

    #[test]
    fn refuses_oversized_frames() {
        let frame = Frame {
            header: header(0, 0, Check::Crc16),
            security: None,
            code: 0x7C,
            data: vec![0; MAX_FRAME_LEN],
        };
        assert!(matches!(
            frame.encode(),
            Err(EncodeError::FrameTooLong { .. })
        ));
    }
}
