//! An established secure channel session: the session keys and the two ends of the MAC
//! chain, and the sealing and opening of messages with them.
//!
//! Owns [`Session`]. Sealing encrypts a message's data (`SCS_17`/`SCS_18`, or leaves
//! empty data in clear with `SCS_15`/`SCS_16`) and MACs the whole frame; opening checks
//! the MAC in constant time, then decrypts. Each side chains from the last MAC it
//! received: C-MAC (the last command's) and R-MAC (the last reply's, R-MAC-I at
//! first). Commands and replies alternate, a command first: a reply opened twice would
//! verify twice (its MAC chains from the command, which did not change), so a message
//! out of turn is refused. It never decides what to do after a failure: its owner ends
//! the session.

use super::crypto::{Block, SessionKeys};
use super::error::SecureError;
use super::key::constant_time_eq;
use crate::osdp::frame::Frame;
use crate::osdp::header::Direction;
use crate::osdp::security_block::{SecurityBlock, MAC_LEN};

/// The keys and MAC chain of one session.
pub(crate) struct Session {
    keys: SessionKeys,
    /// The MAC of the last command.
    c_mac: Block,
    /// The MAC of the last reply; R-MAC-I until the first reply.
    r_mac: Block,
    /// The direction of the next message: commands and replies alternate.
    turn: Direction,
}

impl Session {
    /// The session `keys` open, its chain seeded with the initial R-MAC.
    pub(crate) fn new(keys: SessionKeys, initial_rmac: Block) -> Self {
        Self {
            keys,
            c_mac: [0; 16],
            r_mac: initial_rmac,
            turn: Direction::Command,
        }
    }

    /// Checks that a message in `direction` comes in its turn.
    fn check_turn(&self, direction: Direction) -> Result<(), SecureError> {
        if direction == self.turn {
            Ok(())
        } else {
            Err(SecureError::OutOfTurn { direction })
        }
    }

    /// The last MAC the other side of `direction` sent: a command's sender chains from
    /// the last reply, a reply's sender from the last command.
    fn chain(&self, direction: Direction) -> Block {
        match direction {
            Direction::Command => self.r_mac,
            Direction::Reply => self.c_mac,
        }
    }

    /// Records the MAC of a message in `direction`, and passes the turn.
    fn record(&mut self, direction: Direction, mac: Block) {
        match direction {
            Direction::Command => {
                self.c_mac = mac;
                self.turn = Direction::Reply;
            }
            Direction::Reply => {
                self.r_mac = mac;
                self.turn = Direction::Command;
            }
        }
    }

    /// `frame` (in clear, no security block) encrypted and MACed.
    pub(crate) fn seal(&mut self, mut frame: Frame) -> Result<Frame, SecureError> {
        let direction = frame.header.direction;
        self.check_turn(direction)?;
        let chain = self.chain(direction);
        let encrypt = !frame.data.is_empty();
        if encrypt {
            frame.data = self.keys.encrypt_data(&chain, &frame.data);
        }
        frame.security = Some(block(direction, encrypt, [0; MAC_LEN]));
        let mac = self.keys.mac(&chain, &frame.mac_input()?);
        self.record(direction, mac);
        frame.security = Some(block(direction, encrypt, short(&mac)));
        Ok(frame)
    }

    /// The code and clear data of `frame`, a secured message travelling in `direction`,
    /// once its MAC is checked.
    pub(crate) fn open(
        &mut self,
        frame: &Frame,
        direction: Direction,
    ) -> Result<(u8, Vec<u8>), SecureError> {
        let Some(security) = frame.security else {
            return Err(SecureError::Plaintext { code: frame.code });
        };
        let Some(received) = security.mac() else {
            return Err(SecureError::UnexpectedMessage {
                expected: "a secured message",
                code: frame.code,
            });
        };
        if frame.header.direction != direction {
            return Err(SecureError::WrongDirection);
        }
        self.check_turn(direction)?;
        let chain = self.chain(direction);
        let mac = self.keys.mac(&chain, &frame.mac_input()?);
        if !constant_time_eq(&short(&mac), &received) {
            return Err(SecureError::MacMismatch);
        }
        self.record(direction, mac);
        let data = if security.is_encrypted() {
            self.keys.decrypt_data(&chain, &frame.data)?
        } else {
            frame.data.clone()
        };
        Ok((frame.code, data))
    }
}

impl std::fmt::Debug for Session {
    /// Shows neither the keys nor the chain.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Session(<redacted>)")
    }
}

/// The first bytes of a MAC, as sent.
fn short(mac: &Block) -> [u8; MAC_LEN] {
    mac.first_chunk::<MAC_LEN>().copied().unwrap_or_default()
}

/// The block marking a secured message.
fn block(direction: Direction, encrypted: bool, mac: [u8; MAC_LEN]) -> SecurityBlock {
    match (direction, encrypted) {
        (Direction::Command, false) => SecurityBlock::Scs15(mac),
        (Direction::Reply, false) => SecurityBlock::Scs16(mac),
        (Direction::Command, true) => SecurityBlock::Scs17(mac),
        (Direction::Reply, true) => SecurityBlock::Scs18(mac),
    }
}
