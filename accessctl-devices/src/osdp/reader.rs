//! Finding frames in a byte stream, as they arrive from a serial line or a socket.
//!
//! Owns [`FrameReader`]: a buffer that skips whatever comes before a start of message
//! (line noise, the `0xFF` mark byte, the tail of a frame missed), waits until a whole
//! frame has arrived, and hands out decoded frames or the errors of malformed ones. It
//! never reads from a transport itself, never times out (a caller that waits too long
//! calls [`FrameReader::clear`]) and never holds more than one frame's worth of bytes
//! beyond what it was given.

use super::error::FrameError;
use super::frame::{announced_length, check_of, Frame, HEADER_LEN, MARK, SOM};

/// The longest frame a [`FrameReader`] accepts unless told otherwise.
pub const DEFAULT_MAX_FRAME_LEN: usize = 2048;

/// Reassembles frames from a byte stream.
///
/// Push bytes as they arrive with [`FrameReader::push`], then call
/// [`FrameReader::next_frame`] until it returns `None` (more bytes needed). Bytes before
/// a start of message are dropped and counted. When the bytes after a start of message
/// are not a valid frame, `next_frame` returns the error and drops only that start of
/// message byte, so a frame that begins inside the rejected bytes is still found.
///
/// ```
/// use accessctl_devices::osdp::{Command, FrameReader};
///
/// let poll = [0x53, 0x65, 0x08, 0x00, 0x04, 0x60, 0x60, 0x90];
/// let mut reader = FrameReader::new();
/// reader.push(&[0x00, 0x17, 0xFF]); // noise, then the mark byte
/// reader.push(&poll[..3]);
/// assert!(reader.next_frame().is_none()); // waits for the rest
/// reader.push(&poll[3..]);
/// let frame = reader.next_frame().unwrap()?;
/// assert_eq!(frame.to_command()?, Command::Poll);
/// assert_eq!(reader.skipped(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct FrameReader {
    buffer: Vec<u8>,
    max_len: usize,
    skipped: u64,
}

impl Default for FrameReader {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameReader {
    /// A reader accepting frames of up to [`DEFAULT_MAX_FRAME_LEN`] bytes.
    pub fn new() -> Self {
        Self::with_max_len(DEFAULT_MAX_FRAME_LEN)
    }

    /// A reader accepting frames of up to `max_len` bytes (the receive buffer a PD
    /// announces, or the size a CP set with `osdp_ACURXSIZE`). A longer announced
    /// length is reported as [`FrameError::BadLength`] without waiting for its bytes.
    pub fn with_max_len(max_len: usize) -> Self {
        Self {
            buffer: Vec::new(),
            max_len,
            skipped: 0,
        }
    }

    /// Appends bytes received.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next frame, the error of the next malformed one, or `None` when more bytes
    /// are needed.
    pub fn next_frame(&mut self) -> Option<Result<Frame, FrameError>> {
        self.skip_to_som();
        let header = self.buffer.get(..HEADER_LEN)?;
        let check = check_of(header.get(4).copied().unwrap_or_default());
        let len = match announced_length(header, check, self.max_len) {
            Ok(len) => len,
            Err(error) => return Some(Err(self.drop_som(error))),
        };
        let bytes = self.buffer.get(..len)?;
        match Frame::decode(bytes) {
            Ok(frame) => {
                self.buffer.drain(..len);
                Some(Ok(frame))
            }
            Err(error) => Some(Err(self.drop_som(error))),
        }
    }

    /// How many bytes were dropped before a start of message so far (mark bytes not
    /// counted).
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// How many bytes wait in the buffer.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }

    /// Forgets every buffered byte: after a timeout, or a change of line speed.
    pub fn clear(&mut self) {
        self.buffer.clear();
    }

    /// Drops the bytes before the first start of message (all of them when there is
    /// none).
    fn skip_to_som(&mut self) {
        let start = self
            .buffer
            .iter()
            .position(|&byte| byte == SOM)
            .unwrap_or(self.buffer.len());
        let dropped = self.buffer.drain(..start);
        let noise = dropped.filter(|&byte| byte != MARK).count();
        self.skipped += noise as u64;
    }

    /// Drops the start of message of a rejected frame, and returns its error.
    fn drop_som(&mut self, error: FrameError) -> FrameError {
        if !self.buffer.is_empty() {
            self.buffer.remove(0);
        }
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLL: [u8; 8] = [0x53, 0x65, 0x08, 0x00, 0x04, 0x60, 0x60, 0x90];

    #[test]
    fn finds_back_to_back_frames() {
        let mut reader = FrameReader::new();
        let mut stream = POLL.to_vec();
        stream.extend_from_slice(&POLL);
        reader.push(&stream);
        assert!(reader.next_frame().unwrap().is_ok());
        assert!(reader.next_frame().unwrap().is_ok());
        assert!(reader.next_frame().is_none());
        assert_eq!(reader.buffered(), 0);
    }

    #[test]
    fn byte_by_byte() {
        let mut reader = FrameReader::new();
        for (i, byte) in POLL.iter().enumerate() {
            reader.push(&[*byte]);
            let next = reader.next_frame();
            assert_eq!(next.is_some(), i == POLL.len() - 1);
        }
    }

    #[test]
    fn resynchronises_after_a_bad_frame() {
        let mut reader = FrameReader::new();
        let mut corrupt = POLL;
        corrupt[6] ^= 0xFF;
        // A corrupt frame whose tail hides nothing, then a good one.
        reader.push(&corrupt);
        reader.push(&POLL);
        assert!(matches!(
            reader.next_frame(),
            Some(Err(FrameError::BadCrc { .. }))
        ));
        let frame = loop {
            match reader.next_frame() {
                Some(Ok(frame)) => break frame,
                Some(Err(_)) => continue,
                None => panic!("the good frame was lost"),
            }
        };
        assert_eq!(frame.code, 0x60);
    }

    #[test]
    fn a_stray_som_with_a_long_length_is_reported_at_once() {
        let mut reader = FrameReader::with_max_len(64);
        reader.push(&[0x53, 0x00, 0xFF, 0x7F, 0x04]);
        assert!(matches!(
            reader.next_frame(),
            Some(Err(FrameError::BadLength { max: 64, .. }))
        ));
        assert!(reader.next_frame().is_none());
        assert_eq!(reader.buffered(), 0);
    }

    #[test]
    fn noise_is_counted_and_dropped() {
        let mut reader = FrameReader::new();
        reader.push(&[1, 2, 3, MARK]);
        assert!(reader.next_frame().is_none());
        assert_eq!(reader.skipped(), 3);
        assert_eq!(reader.buffered(), 0);
        reader.push(&[0x53, 0x65]);
        reader.clear();
        assert_eq!(reader.buffered(), 0);
    }
}
