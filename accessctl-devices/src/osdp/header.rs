//! The fields every OSDP frame starts with, besides its length: who it is for, which
//! way it travels, its sequence number and its check kind.
//!
//! Owns [`Address`], [`Direction`], [`Sequence`] and [`Header`]. It validates values
//! when they are made, so a header always encodes; it never reads or writes bytes of a
//! frame body.

use std::fmt;

use super::Check;

/// The reply bit of the address byte: set on every frame a PD sends.
pub const REPLY_BIT: u8 = 0x80;

/// A PD's address on the bus: 0 to 126, or 127 ([`Address::BROADCAST`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address(u8);

impl Address {
    /// The configuration (broadcast) address, `0x7F`: every PD answers it.
    pub const BROADCAST: Address = Address(0x7F);

    /// The address `value`, or `None` above `0x7F`.
    pub const fn new(value: u8) -> Option<Self> {
        if value <= 0x7F {
            Some(Self(value))
        } else {
            None
        }
    }

    /// The address with the reply bit of `byte` cleared.
    pub(crate) const fn from_wire(byte: u8) -> Self {
        Self(byte & !REPLY_BIT)
    }

    /// The address as a number, 0 to 127.
    pub const fn value(self) -> u8 {
        self.0
    }

    /// Whether this is the broadcast address.
    pub const fn is_broadcast(self) -> bool {
        self.0 == Self::BROADCAST.0
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({:#04x})", self.0)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Which way a frame travels: a command from the control panel (CP) or a reply from a
/// peripheral device (PD), told apart by the reply bit of the address byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// CP to PD: reply bit clear.
    Command,
    /// PD to CP: reply bit set.
    Reply,
}

impl Direction {
    /// The direction the address byte `byte` says.
    pub(crate) const fn from_wire(byte: u8) -> Self {
        if byte & REPLY_BIT == 0 {
            Direction::Command
        } else {
            Direction::Reply
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Command => "command",
            Direction::Reply => "reply",
        })
    }
}

/// A sequence number, 0 to 3 (bits 0–1 of the control byte).
///
/// A CP starts a conversation with 0 and then counts 1, 2, 3, 1, 2, … ([`Sequence::next`]);
/// the PD answers with the number of the command it answers. 0 tells a PD to reset its
/// state (and drop any secure channel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Sequence(u8);

impl Sequence {
    /// The number that restarts a conversation.
    pub const ZERO: Sequence = Sequence(0);

    /// The sequence number `value`, or `None` above 3.
    pub const fn new(value: u8) -> Option<Self> {
        if value <= 3 {
            Some(Self(value))
        } else {
            None
        }
    }

    /// The sequence number held in the low two bits of `control`.
    pub(crate) const fn from_control(control: u8) -> Self {
        Self(control & 0x03)
    }

    /// The number, 0 to 3.
    pub const fn value(self) -> u8 {
        self.0
    }

    /// The number that follows: 1 after 0 and after 3, otherwise one more. 0 never
    /// follows anything.
    pub const fn next(self) -> Self {
        match self.0 {
            1 => Self(2),
            2 => Self(3),
            _ => Self(1),
        }
    }
}

/// What a frame says about itself before its body: address, direction, sequence number
/// and check kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header {
    /// The PD addressed (in a command) or answering (in a reply).
    pub address: Address,
    /// Command or reply.
    pub direction: Direction,
    /// The sequence number.
    pub sequence: Sequence,
    /// CRC-16 or checksum.
    pub check: Check,
}

impl Header {
    /// The header of a command to `address`.
    pub const fn command(address: Address, sequence: Sequence, check: Check) -> Self {
        Self {
            address,
            direction: Direction::Command,
            sequence,
            check,
        }
    }

    /// The header a PD gives its reply to a command with this header: same address,
    /// sequence number and check kind, reply direction.
    pub const fn reply(self) -> Self {
        Self {
            direction: Direction::Reply,
            ..self
        }
    }

    /// The address byte on the wire: the address, with the reply bit for replies.
    pub(crate) const fn address_byte(&self) -> u8 {
        match self.direction {
            Direction::Command => self.address.0,
            Direction::Reply => self.address.0 | REPLY_BIT,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(Address::new(0x7F), Some(Address::BROADCAST));
        assert_eq!(Address::new(0x80), None);
        assert_eq!(Address::from_wire(0xE5).value(), 0x65);
        assert_eq!(Direction::from_wire(0xE5), Direction::Reply);
        assert_eq!(Direction::from_wire(0x65), Direction::Command);
    }

    #[test]
    fn sequence_counts_one_to_three() {
        let mut seq = Sequence::ZERO;
        let mut seen = Vec::new();
        for _ in 0..5 {
            seq = seq.next();
            seen.push(seq.value());
        }
        assert_eq!(seen, [1, 2, 3, 1, 2]);
        assert_eq!(Sequence::new(4), None);
        assert_eq!(Sequence::from_control(0x0F).value(), 3);
    }

    #[test]
    fn reply_header_keeps_all_but_direction() {
        let command = Header::command(Address::BROADCAST, Sequence::ZERO, Check::Crc16);
        let reply = command.reply();
        assert_eq!(reply.direction, Direction::Reply);
        assert_eq!(reply.address_byte(), 0xFF);
        assert_eq!(command.address_byte(), 0x7F);
    }
}
