//! PN532 frames: normal and extended information frames, ACK, NACK, the error frame,
//! the HSU wake-up, and a reader that finds frames in a byte stream.
//!
//! Owns [`Frame`] (its encoding and decoding), [`FrameError`] and [`FrameReader`]. A
//! normal information frame is `00 00 FF LEN LCS TFI PD… DCS 00` (LEN counts TFI and
//! the data, LEN + LCS = 0, TFI + data + DCS = 0, all modulo 256); an extended one is
//! `00 00 FF FF FF LENM LENL LCS TFI PD… DCS 00`. TFI is `D4` from the host, `D5`
//! from the PN532. Every decoding error names its byte offset, counted from the first
//! byte given; nothing a peer sends makes it panic. What it must never do: interpret
//! the data (that is [`super::command`]).

use std::fmt;

/// An ACK frame: `00 00 FF 00 FF 00`.
pub const ACK: [u8; 6] = [0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00];
/// A NACK frame (asks the peer to send its last frame again): `00 00 FF FF 00 00`.
pub const NACK: [u8; 6] = [0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00];
/// The error frame the PN532 sends for a command it cannot parse (syntax error).
pub const ERROR_FRAME: [u8; 8] = [0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81, 0x00];
/// The HSU wake-up a host sends before its first frame: `55 55` then zeros.
pub const WAKE_UP: [u8; 16] = [
    0x55, 0x55, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
];
/// TFI of a frame from the host to the PN532.
pub const TFI_HOST: u8 = 0xD4;
/// TFI of a frame from the PN532 to the host.
pub const TFI_PN532: u8 = 0xD5;
/// The TFI of the error frame.
const TFI_ERROR: u8 = 0x7F;
/// The most data (after TFI) a normal frame carries; more needs an extended frame.
pub const MAX_NORMAL_DATA: usize = 254;
/// The most data an extended frame carries.
pub const MAX_EXTENDED_DATA: usize = 0xFFFF - 1;

/// Which way an information frame travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the host (TFI `D4`).
    ToPn532,
    /// From the PN532 (TFI `D5`).
    ToHost,
}

impl Direction {
    /// The frame identifier byte.
    pub fn tfi(self) -> u8 {
        match self {
            Direction::ToPn532 => TFI_HOST,
            Direction::ToHost => TFI_PN532,
        }
    }
}

/// One PN532 frame.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Frame {
    /// Acknowledges a frame received.
    Ack,
    /// Asks for the last frame again.
    Nack,
    /// The PN532's syntax error frame.
    Error,
    /// An information frame: a command (code then parameters) or a response.
    Information {
        /// Which way it goes.
        direction: Direction,
        /// The command or response code, then its parameters (PD0 to PDn).
        data: Vec<u8>,
    },
}

/// Why bytes were refused as a PN532 frame. Offsets count from the first byte given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// Fewer bytes than the frame needs.
    #[error("frame truncated at offset {offset}: {needed} more bytes needed")]
    Truncated {
        /// Where the missing bytes start.
        offset: usize,
        /// How many more are needed (at least).
        needed: usize,
    },
    /// No start code `00 FF` (after an optional preamble `00`).
    #[error("bad start code at offset {offset}: expected `00 FF`, found `{found:02X?}`")]
    BadStartCode {
        /// Where the start code was expected.
        offset: usize,
        /// The bytes found.
        found: Vec<u8>,
    },
    /// LEN + LCS is not 0 modulo 256.
    #[error("bad length checksum at offset {offset}: length {len}, checksum `{lcs:#04x}`")]
    BadLengthChecksum {
        /// The offset of LCS.
        offset: usize,
        /// The length announced.
        len: usize,
        /// The checksum found.
        lcs: u8,
    },
    /// A length of zero in an information frame (it must count the TFI).
    #[error("length 0 at offset {offset}: an information frame holds at least its TFI")]
    EmptyFrame {
        /// The offset of LEN.
        offset: usize,
    },
    /// The frame identifier is none of `D4`, `D5`, `7F`.
    #[error("bad frame identifier `{found:#04x}` at offset {offset}: expected `D4` or `D5`")]
    BadTfi {
        /// The offset of TFI.
        offset: usize,
        /// The byte found.
        found: u8,
    },
    /// TFI + data + DCS is not 0 modulo 256.
    #[error(
        "bad data checksum at offset {offset}: expected `{expected:#04x}`, found `{found:#04x}`"
    )]
    BadDataChecksum {
        /// The offset of DCS.
        offset: usize,
        /// The checksum the data needs.
        expected: u8,
        /// The checksum found.
        found: u8,
    },
    /// The error frame is not exactly `00 00 FF 01 FF 7F 81 00`.
    #[error("malformed error frame at offset {offset}")]
    BadErrorFrame {
        /// The offset of the frame's TFI.
        offset: usize,
    },
    /// The postamble is not `00`.
    #[error("bad postamble `{found:#04x}` at offset {offset}: expected `00`")]
    BadPostamble {
        /// Where.
        offset: usize,
        /// The byte found.
        found: u8,
    },
}

impl FrameError {
    /// The byte offset of the problem.
    pub fn offset(&self) -> usize {
        match self {
            FrameError::Truncated { offset, .. }
            | FrameError::BadStartCode { offset, .. }
            | FrameError::BadLengthChecksum { offset, .. }
            | FrameError::EmptyFrame { offset }
            | FrameError::BadTfi { offset, .. }
            | FrameError::BadDataChecksum { offset, .. }
            | FrameError::BadErrorFrame { offset }
            | FrameError::BadPostamble { offset, .. } => *offset,
        }
    }
}

/// The checksum that makes `bytes` plus it sum to 0 modulo 256.
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes
        .iter()
        .fold(0u8, |sum, byte| sum.wrapping_add(*byte))
        .wrapping_neg()
}

fn byte(bytes: &[u8], offset: usize) -> Result<u8, FrameError> {
    bytes
        .get(offset)
        .copied()
        .ok_or_else(|| FrameError::Truncated {
            offset: bytes.len(),
            needed: (offset + 1).saturating_sub(bytes.len()),
        })
}

impl Frame {
    /// A command from the host: its code, then its parameters.
    pub fn command(data: Vec<u8>) -> Self {
        Frame::Information {
            direction: Direction::ToPn532,
            data,
        }
    }

    /// A response from the PN532: its code, then its parameters.
    pub fn response(data: Vec<u8>) -> Self {
        Frame::Information {
            direction: Direction::ToHost,
            data,
        }
    }

    /// The frame's bytes, preamble and postamble included: a normal information frame
    /// when its data fits ([`MAX_NORMAL_DATA`]), else an extended one (data beyond
    /// [`MAX_EXTENDED_DATA`] is cut).
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Frame::Ack => ACK.to_vec(),
            Frame::Nack => NACK.to_vec(),
            Frame::Error => ERROR_FRAME.to_vec(),
            Frame::Information { direction, data } => {
                if data.len() <= MAX_NORMAL_DATA {
                    encode_information(direction.tfi(), data, false)
                } else {
                    encode_information(direction.tfi(), data, true)
                }
            }
        }
    }

    /// An information frame always in the extended form (ACK, NACK and error frames
    /// as [`Frame::encode`]).
    pub fn encode_extended(&self) -> Vec<u8> {
        match self {
            Frame::Information { direction, data } => {
                encode_information(direction.tfi(), data, true)
            }
            other => other.encode(),
        }
    }

    /// Decodes one frame at the start of `bytes` (the preamble `00` may be missing);
    /// returns it and how many bytes it took. Bytes after it are left alone.
    pub fn decode_prefix(bytes: &[u8]) -> Result<(Frame, usize), FrameError> {
        let start = match (bytes.first(), bytes.get(1), bytes.get(2)) {
            (Some(0x00), Some(0x00), Some(0xFF)) => 1,
            (Some(0x00), Some(0xFF), _) => 0,
            (Some(0x00), None, _) | (None, _, _) | (Some(0x00), Some(0x00), None) => {
                return Err(FrameError::Truncated {
                    offset: bytes.len(),
                    needed: 3usize.saturating_sub(bytes.len()).max(1),
                })
            }
            _ => {
                return Err(FrameError::BadStartCode {
                    offset: 0,
                    found: bytes.iter().take(3).copied().collect(),
                })
            }
        };
        let len_at = start + 2;
        let len = byte(bytes, len_at)?;
        let lcs = byte(bytes, len_at + 1)?;
        let postamble = |at: usize| -> Result<(), FrameError> {
            match byte(bytes, at)? {
                0x00 => Ok(()),
                found => Err(FrameError::BadPostamble { offset: at, found }),
            }
        };
        match (len, lcs) {
            (0x00, 0xFF) => {
                postamble(len_at + 2)?;
                return Ok((Frame::Ack, len_at + 3));
            }
            (0xFF, 0x00) => {
                postamble(len_at + 2)?;
                return Ok((Frame::Nack, len_at + 3));
            }
            _ => {}
        }
        let (length, tfi_at) = if (len, lcs) == (0xFF, 0xFF) {
            let lenm = byte(bytes, len_at + 2)?;
            let lenl = byte(bytes, len_at + 3)?;
            let lcs = byte(bytes, len_at + 4)?;
            let length = usize::from(lenm) << 8 | usize::from(lenl);
            if lenm.wrapping_add(lenl).wrapping_add(lcs) != 0 {
                return Err(FrameError::BadLengthChecksum {
                    offset: len_at + 4,
                    len: length,
                    lcs,
                });
            }
            if length == 0 {
                return Err(FrameError::EmptyFrame { offset: len_at + 2 });
            }
            (length, len_at + 5)
        } else {
            if len.wrapping_add(lcs) != 0 {
                return Err(FrameError::BadLengthChecksum {
                    offset: len_at + 1,
                    len: usize::from(len),
                    lcs,
                });
            }
            if len == 0 {
                return Err(FrameError::EmptyFrame { offset: len_at });
            }
            (usize::from(len), len_at + 2)
        };
        let tfi = byte(bytes, tfi_at)?;
        let direction = match tfi {
            TFI_HOST => Direction::ToPn532,
            TFI_PN532 => Direction::ToHost,
            TFI_ERROR => {
                let dcs = byte(bytes, tfi_at + 1)?;
                if length != 1 || dcs != 0x81 {
                    return Err(FrameError::BadErrorFrame { offset: tfi_at });
                }
                postamble(tfi_at + 2)?;
                return Ok((Frame::Error, tfi_at + 3));
            }
            found => {
                return Err(FrameError::BadTfi {
                    offset: tfi_at,
                    found,
                })
            }
        };
        let dcs_at = tfi_at + length;
        let body = bytes
            .get(tfi_at..dcs_at)
            .ok_or_else(|| FrameError::Truncated {
                offset: bytes.len(),
                needed: (dcs_at + 2).saturating_sub(bytes.len()),
            })?;
        let dcs = byte(bytes, dcs_at)?;
        let expected = checksum(body);
        if dcs != expected {
            return Err(FrameError::BadDataChecksum {
                offset: dcs_at,
                expected,
                found: dcs,
            });
        }
        postamble(dcs_at + 1)?;
        let data = body.get(1..).unwrap_or_default().to_vec();
        Ok((Frame::Information { direction, data }, dcs_at + 2))
    }

    /// Decodes exactly one frame: bytes after it are an error (a bad postamble when the
    /// first of them is not `00`; any other trailing byte, [`FrameError::BadStartCode`]
    /// at its offset).
    pub fn decode(bytes: &[u8]) -> Result<Frame, FrameError> {
        let (frame, used) = Frame::decode_prefix(bytes)?;
        match bytes.get(used..) {
            Some([]) | None => Ok(frame),
            Some(rest) => Err(FrameError::BadStartCode {
                offset: used,
                found: rest.iter().take(3).copied().collect(),
            }),
        }
    }
}

fn encode_information(tfi: u8, data: &[u8], extended: bool) -> Vec<u8> {
    let data = data.get(..MAX_EXTENDED_DATA).unwrap_or(data);
    let length = data.len() + 1;
    let mut out = Vec::with_capacity(length + 11);
    out.extend_from_slice(&[0x00, 0x00, 0xFF]);
    if extended {
        let [lenm, lenl] = u16::try_from(length).unwrap_or(u16::MAX).to_be_bytes();
        out.extend_from_slice(&[0xFF, 0xFF, lenm, lenl, checksum(&[lenm, lenl])]);
    } else {
        let len = u8::try_from(length).unwrap_or(u8::MAX);
        out.extend_from_slice(&[len, len.wrapping_neg()]);
    }
    out.push(tfi);
    out.extend_from_slice(data);
    let dcs = checksum(data).wrapping_sub(tfi);
    out.extend_from_slice(&[dcs, 0x00]);
    out
}

impl fmt::Display for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Frame::Ack => f.write_str("ACK"),
            Frame::Nack => f.write_str("NACK"),
            Frame::Error => f.write_str("error frame"),
            Frame::Information { direction, data } => {
                write!(f, "{:02X}", direction.tfi())?;
                for byte in data {
                    write!(f, " {byte:02X}")?;
                }
                Ok(())
            }
        }
    }
}

/// The most bytes a [`FrameReader`] holds while waiting for the rest of a frame.
pub const MAX_BUFFERED: usize = 70_000;

/// Finds frames in a byte stream: skips what precedes a start code `00 FF` (the HSU
/// wake-up, line noise), waits for the rest of a frame, and reports a malformed one
/// (its offsets counted from its first byte) before looking for the next.
#[derive(Debug, Clone, Default)]
pub struct FrameReader {
    buffer: Vec<u8>,
}

impl FrameReader {
    /// A reader with nothing buffered.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes received.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() > MAX_BUFFERED {
            let excess = self.buffer.len() - MAX_BUFFERED;
            self.buffer.drain(..excess);
        }
    }

    /// Forgets everything buffered.
    pub fn clear(&mut self) {
        self.buffer.clear();
    }

    /// How many bytes are buffered.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }

    /// The next frame (or malformed frame) in what was pushed; `None` until one is
    /// complete.
    pub fn next_frame(&mut self) -> Option<Result<Frame, FrameError>> {
        let start = self.buffer.windows(2).position(|w| w == [0x00, 0xFF]);
        let Some(start) = start else {
            // Keep a last `00`: it may be the first half of a start code.
            let keep = usize::from(self.buffer.last() == Some(&0x00));
            let drop = self.buffer.len() - keep;
            self.buffer.drain(..drop);
            return None;
        };
        self.buffer.drain(..start);
        match Frame::decode_prefix(&self.buffer) {
            Ok((frame, used)) => {
                self.buffer.drain(..used);
                Some(Ok(frame))
            }
            Err(FrameError::Truncated { .. }) => None,
            Err(error) => {
                // Skip this start code and look for the next.
                self.buffer.drain(..1);
                Some(Err(error))
            }
        }
    }
}
