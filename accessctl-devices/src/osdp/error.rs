//! What can go wrong reading or writing OSDP frames and payloads.
//!
//! Owns the three error types of the codec: [`FrameError`] (the packet layer: start of
//! message, length, control byte, check characters, security block), [`PayloadError`]
//! (the fields of one command or reply) and [`EncodeError`] (a value that cannot be put
//! on the wire). Every decoding error names the byte offset of the problem, counted
//! from the start of message; an error never carries key material.

use super::header::Direction;

/// Why bytes were refused as an OSDP frame.
///
/// Offsets count from 0 at the start-of-message byte (`0x53`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// Fewer bytes than the part of the frame being read needs.
    #[error("frame truncated at offset {offset}: {needed} bytes needed, {available} available")]
    Truncated {
        /// Where the missing part starts.
        offset: usize,
        /// How many bytes that part needs.
        needed: usize,
        /// How many bytes there are from `offset` on.
        available: usize,
    },
    /// The first byte is not the start of message `0x53`.
    #[error("bad start of message at offset {offset}: expected `0x53`, found `{found:#04x}`")]
    BadSom {
        /// Always 0.
        offset: usize,
        /// The byte found.
        found: u8,
    },
    /// The control byte has reserved bits set (bits 4 to 7 must be zero).
    #[error("control byte `{control:#04x}` at offset {offset} has reserved bits set")]
    ReservedControlBits {
        /// Always 4.
        offset: usize,
        /// The control byte.
        control: u8,
    },
    /// The length field announces fewer bytes than the smallest frame of its kind, or
    /// more than the reader accepts.
    #[error("length field at offset {offset} announces {declared} bytes; allowed: {min} to {max}")]
    BadLength {
        /// Always 2.
        offset: usize,
        /// The length announced.
        declared: usize,
        /// The shortest frame with this control byte.
        min: usize,
        /// The longest frame accepted.
        max: usize,
    },
    /// The length field disagrees with the number of bytes given.
    #[error("length field at offset {offset} announces {declared} bytes, got {actual}")]
    LengthMismatch {
        /// Always 2.
        offset: usize,
        /// The length announced.
        declared: usize,
        /// The bytes given.
        actual: usize,
    },
    /// The CRC-16 does not match the frame.
    #[error("bad CRC at offset {offset}: computed `{computed:#06x}`, found `{found:#06x}`")]
    BadCrc {
        /// Where the two CRC bytes start.
        offset: usize,
        /// The CRC of the bytes before it.
        computed: u16,
        /// The CRC the frame carries.
        found: u16,
    },
    /// The 8-bit checksum does not match the frame.
    #[error("bad checksum at offset {offset}: computed `{computed:#04x}`, found `{found:#04x}`")]
    BadChecksum {
        /// Where the checksum byte is.
        offset: usize,
        /// The checksum of the bytes before it.
        computed: u8,
        /// The checksum the frame carries.
        found: u8,
    },
    /// The security control block is malformed or does not fit its message.
    #[error("bad security control block at offset {offset}: {problem}")]
    BadScb {
        /// Where the faulty byte is.
        offset: usize,
        /// What is wrong with it.
        problem: ScbProblem,
    },
}

impl FrameError {
    /// The byte offset of the problem, from the start of message.
    pub fn offset(&self) -> usize {
        match *self {
            FrameError::Truncated { offset, .. }
            | FrameError::BadSom { offset, .. }
            | FrameError::ReservedControlBits { offset, .. }
            | FrameError::BadLength { offset, .. }
            | FrameError::LengthMismatch { offset, .. }
            | FrameError::BadCrc { offset, .. }
            | FrameError::BadChecksum { offset, .. }
            | FrameError::BadScb { offset, .. } => offset,
        }
    }
}

/// What is wrong with a security control block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScbProblem {
    /// Its length byte does not match its type (3 for `SCS_11`–`SCS_14`, 2 for
    /// `SCS_15`–`SCS_18`), or leaves no room for the message code and MAC.
    #[error("length {len} does not fit type `{kind:#04x}` and the frame")]
    Length {
        /// The block's length byte.
        len: u8,
        /// The block's type byte (0 when the block is too short to have one).
        kind: u8,
    },
    /// Its type is not one of `SCS_11` to `SCS_18`.
    #[error("unknown type `{kind:#04x}`")]
    UnknownType {
        /// The type byte.
        kind: u8,
    },
    /// Its type belongs to the other direction (a reply type in a command or the
    /// reverse).
    #[error("type `{kind:#04x}` cannot travel in a {direction}")]
    WrongDirection {
        /// The type byte.
        kind: u8,
        /// The frame's direction.
        direction: Direction,
    },
    /// Its data byte is not a value the type allows (a key selector other than 0 or 1,
    /// a cryptogram verdict other than `0x01` or `0xFF`).
    #[error("data byte `{value:#04x}` not allowed for type `{kind:#04x}`")]
    BadData {
        /// The type byte.
        kind: u8,
        /// The data byte.
        value: u8,
    },
}

/// Why the data of a command or reply was refused.
///
/// Offsets count from the start of message when the data came from a frame (see
/// [`Frame::command`](super::Frame::command)), from the first data byte otherwise.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// A command code this crate does not know.
    #[error("unknown command code `{code:#04x}` at offset {offset}")]
    UnknownCommand {
        /// Where the code is.
        offset: usize,
        /// The code.
        code: u8,
    },
    /// A reply code this crate does not know.
    #[error("unknown reply code `{code:#04x}` at offset {offset}")]
    UnknownReply {
        /// Where the code is.
        offset: usize,
        /// The code.
        code: u8,
    },
    /// The data ends inside a field.
    #[error(
        "`{field}` truncated at offset {offset}: {needed} bytes needed, {available} available"
    )]
    Truncated {
        /// Where the field starts.
        offset: usize,
        /// The field's name.
        field: &'static str,
        /// How many bytes it needs.
        needed: usize,
        /// How many bytes are left.
        available: usize,
    },
    /// Bytes after the last field.
    #[error("{count} unexpected bytes at offset {offset} after the last field")]
    TrailingBytes {
        /// Where the extra bytes start.
        offset: usize,
        /// How many there are.
        count: usize,
    },
    /// A field holds a value the standard does not allow there.
    #[error("`{field}` at offset {offset} cannot be {value}")]
    BadValue {
        /// Where the field is.
        offset: usize,
        /// The field's name.
        field: &'static str,
        /// The value found.
        value: u64,
    },
    /// A count or size field disagrees with the bytes that follow it.
    #[error("`{field}` at offset {offset} announces {declared} bytes, {actual} follow")]
    CountMismatch {
        /// Where the count field is.
        offset: usize,
        /// The count field's name.
        field: &'static str,
        /// The number of bytes it announces.
        declared: usize,
        /// The number of bytes that follow.
        actual: usize,
    },
}

impl PayloadError {
    /// The byte offset of the problem.
    pub fn offset(&self) -> usize {
        match *self {
            PayloadError::UnknownCommand { offset, .. }
            | PayloadError::UnknownReply { offset, .. }
            | PayloadError::Truncated { offset, .. }
            | PayloadError::TrailingBytes { offset, .. }
            | PayloadError::BadValue { offset, .. }
            | PayloadError::CountMismatch { offset, .. } => offset,
        }
    }
}

/// Why a value could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A variable-length field longer than its count field can say.
    #[error("`{field}` has {len} bytes; at most {max} fit")]
    FieldTooLong {
        /// The field's name.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The most its count field allows.
        max: usize,
    },
    /// A record list that must hold at least one record is empty.
    #[error("`{field}` needs at least one record")]
    Empty {
        /// The field's name.
        field: &'static str,
    },
    /// A count field given separately disagrees with the bytes it counts (the bit count
    /// of `osdp_RAW` and its data).
    #[error("`{field}` announces {declared} bytes, {actual} given")]
    CountMismatch {
        /// The count field's name.
        field: &'static str,
        /// The number of bytes the count implies.
        declared: usize,
        /// The number of bytes given.
        actual: usize,
    },
    /// The whole frame would be longer than its 16-bit length field allows.
    #[error("a frame of {len} bytes is longer than 65535")]
    FrameTooLong {
        /// The frame's length.
        len: usize,
    },
    /// A security control block type that cannot travel in this direction.
    #[error("security block type `{kind:#04x}` cannot travel in a {direction}")]
    ScbDirection {
        /// The block's type byte.
        kind: u8,
        /// The frame's direction.
        direction: Direction,
    },
}
