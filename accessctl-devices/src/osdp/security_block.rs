//! The security control block (SCB): the optional part of a frame, after the header,
//! that marks a secure-channel message, and the MAC that closes MACed messages.
//!
//! Owns [`SecurityBlock`] and [`KeySelector`]: which of the eight block types
//! (`SCS_11`–`SCS_18`) a frame carries, its data byte, and the 4-byte MAC of types
//! `SCS_15`–`SCS_18`. It reads and writes the block's bytes; it never computes or checks
//! a MAC or a cryptogram — that is [`secure`](super::secure)'s job.

use super::error::{EncodeError, FrameError, ScbProblem};
use super::header::Direction;

/// The length of the MAC carried on the wire: the first 4 bytes of the 16-byte MAC.
pub const MAC_LEN: usize = 4;

/// Which base key a secure-channel handshake uses: the data byte of `SCS_11`–`SCS_13`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeySelector {
    /// `0x00`: the default key SCBK-D, for install mode only.
    Default,
    /// `0x01`: the PD's own secure channel base key, SCBK.
    Scbk,
}

impl KeySelector {
    fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            0x00 => Some(KeySelector::Default),
            0x01 => Some(KeySelector::Scbk),
            _ => None,
        }
    }

    fn byte(self) -> u8 {
        match self {
            KeySelector::Default => 0x00,
            KeySelector::Scbk => 0x01,
        }
    }
}

/// A security control block, named after its type byte.
///
/// `SCS_11`–`SCS_14` carry the four messages of the handshake; `SCS_15`–`SCS_18` mark a
/// message of an established secure channel and carry its MAC, which sits on the wire
/// after the message data, just before the check characters. Odd types travel from CP
/// to PD, even types from PD to CP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecurityBlock {
    /// `SCS_11`, with `osdp_CHLNG`: the CP begins a handshake with this key.
    Scs11(KeySelector),
    /// `SCS_12`, with `osdp_CCRYPT`: the PD answers the challenge with this key.
    Scs12(KeySelector),
    /// `SCS_13`, with `osdp_SCRYPT`: the CP sends its cryptogram.
    Scs13(KeySelector),
    /// `SCS_14`, with `osdp_RMAC_I`: the PD's verdict on the CP's cryptogram (`true`:
    /// accepted, data byte `0x01`; `false`: refused, `0xFF`).
    Scs14(bool),
    /// `SCS_15`: a command with a MAC, data in clear.
    Scs15([u8; MAC_LEN]),
    /// `SCS_16`: a reply with a MAC, data in clear.
    Scs16([u8; MAC_LEN]),
    /// `SCS_17`: a command with a MAC, data encrypted.
    Scs17([u8; MAC_LEN]),
    /// `SCS_18`: a reply with a MAC, data encrypted.
    Scs18([u8; MAC_LEN]),
}

/// A block as read from the bytes after the header: everything but the MAC, which is
/// read from the end of the frame once the block's type is known.
pub(crate) struct ParsedBlock {
    /// The block's length byte: how many bytes it takes after the header.
    pub(crate) len: usize,
    /// The type byte.
    pub(crate) kind: u8,
    /// The data byte, for the types that have one.
    pub(crate) data: Option<u8>,
}

impl ParsedBlock {
    /// Whether a MAC closes the message.
    pub(crate) fn has_mac(&self) -> bool {
        self.kind >= 0x15
    }

    /// The block, given the MAC when its type has one.
    pub(crate) fn finish(&self, mac: [u8; MAC_LEN]) -> Option<SecurityBlock> {
        let selector = self.data.and_then(KeySelector::from_byte);
        match (self.kind, self.data) {
            (0x11, _) => selector.map(SecurityBlock::Scs11),
            (0x12, _) => selector.map(SecurityBlock::Scs12),
            (0x13, _) => selector.map(SecurityBlock::Scs13),
            (0x14, Some(0x01)) => Some(SecurityBlock::Scs14(true)),
            (0x14, Some(0xFF)) => Some(SecurityBlock::Scs14(false)),
            (0x15, None) => Some(SecurityBlock::Scs15(mac)),
            (0x16, None) => Some(SecurityBlock::Scs16(mac)),
            (0x17, None) => Some(SecurityBlock::Scs17(mac)),
            (0x18, None) => Some(SecurityBlock::Scs18(mac)),
            _ => None,
        }
    }
}

impl SecurityBlock {
    /// The type byte, `0x11` to `0x18`.
    pub const fn kind(&self) -> u8 {
        match self {
            SecurityBlock::Scs11(_) => 0x11,
            SecurityBlock::Scs12(_) => 0x12,
            SecurityBlock::Scs13(_) => 0x13,
            SecurityBlock::Scs14(_) => 0x14,
            SecurityBlock::Scs15(_) => 0x15,
            SecurityBlock::Scs16(_) => 0x16,
            SecurityBlock::Scs17(_) => 0x17,
            SecurityBlock::Scs18(_) => 0x18,
        }
    }

    /// The direction this type travels in.
    pub const fn direction(&self) -> Direction {
        direction_of(self.kind())
    }

    /// The MAC, for `SCS_15`–`SCS_18`.
    pub const fn mac(&self) -> Option<[u8; MAC_LEN]> {
        match *self {
            SecurityBlock::Scs15(mac)
            | SecurityBlock::Scs16(mac)
            | SecurityBlock::Scs17(mac)
            | SecurityBlock::Scs18(mac) => Some(mac),
            _ => None,
        }
    }

    /// Whether the message data is encrypted (`SCS_17`, `SCS_18`).
    pub const fn is_encrypted(&self) -> bool {
        matches!(self, SecurityBlock::Scs17(_) | SecurityBlock::Scs18(_))
    }

    /// The block's bytes after the header, MAC excluded.
    pub(crate) fn encode(
        &self,
        direction: Direction,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        if self.direction() != direction {
            return Err(EncodeError::ScbDirection {
                kind: self.kind(),
                direction,
            });
        }
        match self {
            SecurityBlock::Scs11(key) | SecurityBlock::Scs12(key) | SecurityBlock::Scs13(key) => {
                out.extend_from_slice(&[3, self.kind(), key.byte()]);
            }
            SecurityBlock::Scs14(accepted) => {
                out.extend_from_slice(&[3, self.kind(), if *accepted { 0x01 } else { 0xFF }]);
            }
            _ => out.extend_from_slice(&[2, self.kind()]),
        }
        Ok(())
    }

    /// How many bytes the block adds to a frame, MAC included.
    pub(crate) fn wire_len(&self) -> usize {
        match self.mac() {
            Some(_) => 2 + MAC_LEN,
            None => 3,
        }
    }
}

/// The direction a block type travels in: odd types are commands.
const fn direction_of(kind: u8) -> Direction {
    if kind % 2 == 1 {
        Direction::Command
    } else {
        Direction::Reply
    }
}

/// Reads the block at `offset` (just after the header) from `room`, the bytes between
/// the header and the check characters. Leaves the MAC to the caller.
pub(crate) fn parse(
    room: &[u8],
    offset: usize,
    direction: Direction,
) -> Result<ParsedBlock, FrameError> {
    let bad = |at: usize, problem| FrameError::BadScb {
        offset: offset + at,
        problem,
    };
    let len_byte = room.first().copied().unwrap_or(0);
    let kind = room.get(1).copied().unwrap_or(0);
    let len = usize::from(len_byte);
    let length_problem = ScbProblem::Length {
        len: len_byte,
        kind,
    };
    if len < 2 || room.len() < 2 {
        return Err(bad(0, length_problem));
    }
    if !(0x11..=0x18).contains(&kind) {
        return Err(bad(1, ScbProblem::UnknownType { kind }));
    }
    if direction_of(kind) != direction {
        return Err(bad(1, ScbProblem::WrongDirection { kind, direction }));
    }
    let expected = if kind >= 0x15 { 2 } else { 3 };
    let mac = if kind >= 0x15 { MAC_LEN } else { 0 };
    // The block, the message code and the MAC must all fit before the check.
    if len != expected || room.len() < len + 1 + mac {
        return Err(bad(0, length_problem));
    }
    let data = (len == 3).then(|| room.get(2).copied()).flatten();
    let parsed = ParsedBlock { len, kind, data };
    match parsed.finish([0; MAC_LEN]) {
        Some(_) => Ok(parsed),
        None => Err(bad(
            2,
            ScbProblem::BadData {
                kind,
                value: data.unwrap_or(0),
            },
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_type() {
        let chlng = parse(&[3, 0x11, 0x00, 0x76], 5, Direction::Command).unwrap();
        assert_eq!(
            chlng.finish([0; 4]),
            Some(SecurityBlock::Scs11(KeySelector::Default))
        );
        let rmac = parse(&[3, 0x14, 0xFF, 0x78], 5, Direction::Reply).unwrap();
        assert_eq!(rmac.finish([0; 4]), Some(SecurityBlock::Scs14(false)));
        let mac = parse(&[2, 0x18, 0x40, 1, 2, 3, 4], 5, Direction::Reply).unwrap();
        assert!(mac.has_mac());
        assert_eq!(
            mac.finish([1, 2, 3, 4]),
            Some(SecurityBlock::Scs18([1, 2, 3, 4]))
        );
    }

    #[test]
    fn refuses_bad_blocks() {
        let err = |room: &[u8], direction| parse(room, 5, direction).err().unwrap();
        assert_eq!(
            err(&[2, 0x19, 0x60, 0, 0, 0, 0], Direction::Command),
            FrameError::BadScb {
                offset: 6,
                problem: ScbProblem::UnknownType { kind: 0x19 }
            }
        );
        assert_eq!(
            err(&[2, 0x16, 0x60, 0, 0, 0, 0], Direction::Command),
            FrameError::BadScb {
                offset: 6,
                problem: ScbProblem::WrongDirection {
                    kind: 0x16,
                    direction: Direction::Command
                }
            }
        );
        assert_eq!(
            err(&[3, 0x11, 0x02, 0x76], Direction::Command),
            FrameError::BadScb {
                offset: 7,
                problem: ScbProblem::BadData {
                    kind: 0x11,
                    value: 2
                }
            }
        );
        // No room for the MAC.
        assert!(matches!(
            err(&[2, 0x15, 0x60, 0, 0], Direction::Command),
            FrameError::BadScb {
                offset: 5,
                problem: ScbProblem::Length { .. }
            }
        ));
        assert!(matches!(
            err(&[1], Direction::Command),
            FrameError::BadScb { .. }
        ));
        assert!(matches!(
            err(&[], Direction::Command),
            FrameError::BadScb { .. }
        ));
    }

    #[test]
    fn encode_checks_direction() {
        let mut out = Vec::new();
        assert_eq!(
            SecurityBlock::Scs12(KeySelector::Scbk).encode(Direction::Command, &mut out),
            Err(EncodeError::ScbDirection {
                kind: 0x12,
                direction: Direction::Command
            })
        );
        SecurityBlock::Scs17([0; 4])
            .encode(Direction::Command, &mut out)
            .unwrap();
        assert_eq!(out, [2, 0x17]);
    }
}
