//! Finding frames in a byte stream, as they arrive from a serial line or a socket.
//!
//! Owns [`FrameReader`]: a buffer that skips whatever comes before a start of message
//! (line noise, the `0xFF` mark byte, the tail of a frame missed), waits until a whole
//! frame has arrived, and hands out decoded frames or the errors of malformed ones; and
//! [`INTER_CHARACTER_GAP`], the silence that ends a frame still incomplete.
//!
//! A sender puts a frame on the line in one go, so a frame is never awaited across a
//! silence: once the caller's instants say that no byte came for the gap
//! ([`FrameReader::push_at`], [`FrameReader::expire`]), or the caller says the answer
//! is over (a reply timeout, [`FrameReader::end_burst`]), the frame being received is
//! dropped — its start of message only — and the bytes after it are searched again,
//! so that a real frame received behind noise is still found. A header that cannot
//! start a frame the reader accepts (a length beyond its maximum, reserved control
//! bits) is refused at once, without waiting for the bytes it announces.
//!
//! It never reads a clock or a transport (callers pass instants and bytes), and never
//! holds more than one frame's worth of bytes beyond what it was given.

use std::time::{Duration, Instant};

use super::error::FrameError;
use super::frame::{announced_length, read_header, Frame, HEADER_LEN, MARK, SOM};

/// The longest frame a [`FrameReader`] accepts unless told otherwise.
pub const DEFAULT_MAX_FRAME_LEN: usize = 2048;

/// How long the line may fall silent inside a frame: 50 ms. Longer, and the frame
/// being received is dropped.
///
/// A character takes 1.04 ms at 9,600 baud (8N1, the slowest OSDP speed) and 0.09 ms
/// at 115,200, so 50 ms is some fifty character times or more at every speed, while a
/// sender puts a frame on the line without a pause: what still misses after it will
/// not come. The margin covers what delivers a frame in pieces — a USB serial
/// adapter's latency timer (16 ms by default), the scheduling of the reading thread.
/// It is a quarter of the control panel's default reply timeout (200 ms), so that
/// line noise costs at most one reply timeout.
pub const INTER_CHARACTER_GAP: Duration = Duration::from_millis(50);

/// Reassembles frames from a byte stream.
///
/// Push bytes as they arrive with [`FrameReader::push_at`] (or [`FrameReader::push`]
/// for bytes of the same burst), then call [`FrameReader::next_frame`] until it
/// returns `None` (more bytes needed). Bytes before a start of message are dropped and
/// counted. When the bytes after a start of message are not a valid frame, or stopped
/// coming for [`INTER_CHARACTER_GAP`] before the frame was whole, `next_frame` returns
/// the error (for a stalled frame, [`FrameError::Truncated`] at the offset where the
/// silence fell) and drops only that start of message byte, so a frame that begins
/// inside the rejected bytes is still found.
///
/// ```
/// use std::time::{Duration, Instant};
/// use accessctl_devices::osdp::{Command, FrameError, FrameReader, INTER_CHARACTER_GAP};
///
/// let poll = [0x53, 0x65, 0x08, 0x00, 0x04, 0x60, 0x60, 0x90];
/// let mut reader = FrameReader::new();
/// let t0 = Instant::now();
/// reader.push_at(&[0x00, 0x17, 0xFF], t0); // noise, then the mark byte
/// reader.push_at(&poll[..3], t0);
/// assert!(reader.next_frame().is_none()); // waits for the rest
/// reader.push_at(&poll[3..], t0 + Duration::from_millis(1));
/// let frame = reader.next_frame().unwrap()?;
/// assert_eq!(frame.to_command()?, Command::Poll);
/// assert_eq!(reader.skipped(), 2);
///
/// // A header announcing 2,048 bytes, then silence: the poll after it is found.
/// reader.push_at(&[0x53, 0x21, 0x00, 0x08, 0x05], t0);
/// reader.push_at(&poll, t0 + INTER_CHARACTER_GAP);
/// assert!(matches!(reader.next_frame(), Some(Err(FrameError::Truncated { .. }))));
/// assert_eq!(reader.next_frame().unwrap()?.to_command()?, Command::Poll);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct FrameReader {
    buffer: Vec<u8>,
    max_len: usize,
    gap: Duration,
    skipped: u64,
    stalled: u64,
    /// When the last byte was pushed with its instant.
    last_byte: Option<Instant>,
    /// How many of the buffered bytes came before a silence (or the end of a burst):
    /// a frame they start must end within them.
    settled: usize,
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
            gap: INTER_CHARACTER_GAP,
            skipped: 0,
            stalled: 0,
            last_byte: None,
            settled: 0,
        }
    }

    /// The same reader, dropping a partial frame after `gap` of silence instead of
    /// [`INTER_CHARACTER_GAP`].
    pub fn with_gap(mut self, gap: Duration) -> Self {
        self.gap = gap;
        self
    }

    /// Appends bytes received right after the last ones, in the same burst.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// Appends bytes received at `now` (none: lets time pass). After a silence of the
    /// gap since the last byte, the frame being received is over: the next calls to
    /// [`FrameReader::next_frame`] drop it and search the bytes after it.
    pub fn push_at(&mut self, bytes: &[u8], now: Instant) {
        self.expire(now);
        if !bytes.is_empty() {
            self.last_byte = Some(now);
            self.push(bytes);
        }
    }

    /// Lets time pass until `now`: when no byte came for the gap, ends the burst.
    pub fn expire(&mut self, now: Instant) {
        let silent = self
            .last_byte
            .is_some_and(|last| now.saturating_duration_since(last) >= self.gap);
        if silent {
            self.end_burst();
        }
    }

    /// Says that every byte buffered is all there is of its frames (the silence was
    /// noticed elsewhere, or the reply timeout ran out): a frame they leave incomplete
    /// is dropped by the next calls to [`FrameReader::next_frame`].
    pub fn end_burst(&mut self) {
        self.settled = self.buffer.len();
    }

    /// When the frame being received will be dropped unless more bytes come: the last
    /// byte's instant plus the gap. `None` when no frame is under way (or no instant was
    /// given).
    pub fn deadline(&self) -> Option<Instant> {
        if self.buffer.len() <= self.settled {
            return None;
        }
        self.last_byte
            .map(|last| last.checked_add(self.gap).unwrap_or(last))
    }

    /// The next frame, the error of the next malformed or stalled one, or `None` when
    /// more bytes are needed.
    pub fn next_frame(&mut self) -> Option<Result<Frame, FrameError>> {
        self.skip_to_som();
        let len = match self.announced() {
            Ok(len) => len,
            Err(error) => return Some(Err(self.drop_som(error))),
        };
        if self.settled > 0 && len > self.settled {
            return Some(Err(self.drop_stalled(len)));
        }
        let bytes = self.buffer.get(..len)?;
        match Frame::decode(bytes) {
            Ok(frame) => {
                self.consume(len);
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

    /// How many partial frames were dropped after a silence so far.
    pub fn stalled(&self) -> u64 {
        self.stalled
    }

    /// How many bytes wait in the buffer.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }

    /// Forgets every buffered byte: after a change of line speed, or when what came
    /// before a new command cannot matter.
    pub fn clear(&mut self) {
        self.buffer.clear();
        self.settled = 0;
    }

    /// The length of the frame starting the buffer, as far as its header tells:
    /// [`HEADER_LEN`] while the header is incomplete (before the silence, if one
    /// fell); an error when the header cannot start a frame this reader accepts.
    fn announced(&self) -> Result<usize, FrameError> {
        let frame_bytes = match self.settled {
            0 => self.buffer.as_slice(),
            settled => self.buffer.get(..settled).unwrap_or_default(),
        };
        let Some(header) = frame_bytes.get(..HEADER_LEN) else {
            return Ok(HEADER_LEN);
        };
        let (header_fields, _) = read_header(header)?;
        announced_length(header, header_fields.check, self.max_len)
    }

    /// Drops the bytes before the first start of message (all of them when there is
    /// none).
    fn skip_to_som(&mut self) {
        let start = self
            .buffer
            .iter()
            .position(|&byte| byte == SOM)
            .unwrap_or(self.buffer.len());
        let noise = self
            .buffer
            .get(..start)
            .unwrap_or_default()
            .iter()
            .filter(|&&byte| byte != MARK)
            .count();
        self.skipped += noise as u64;
        self.consume(start);
    }

    /// Drops the start of message of a rejected frame, and returns its error.
    fn drop_som(&mut self, error: FrameError) -> FrameError {
        self.consume(1);
        error
    }

    /// Drops the start of message of a frame of `len` bytes the silence cut, and
    /// returns the error saying where.
    fn drop_stalled(&mut self, len: usize) -> FrameError {
        let offset = self.settled;
        self.stalled += 1;
        self.drop_som(FrameError::Truncated {
            offset,
            needed: len.saturating_sub(offset),
            available: 0,
        })
    }

    /// Removes the first `count` buffered bytes (fewer when fewer are buffered).
    fn consume(&mut self, count: usize) {
        let count = count.min(self.buffer.len());
        self.buffer.drain(..count);
        self.settled = self.settled.saturating_sub(count);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::time::{Duration, Instant};

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

    /// The header of a 2,048-byte frame, as line noise once made it.
    const LYING: [u8; 5] = [0x53, 0x21, 0x00, 0x08, 0x05];

    fn frames(reader: &mut FrameReader) -> Vec<Result<Frame, FrameError>> {
        std::iter::from_fn(|| reader.next_frame()).collect()
    }

    #[test]
    fn a_lying_length_is_dropped_after_the_gap_and_the_next_frame_found() {
        let t0 = Instant::now();
        let mut reader = FrameReader::new();
        reader.push_at(&LYING, t0);
        assert!(frames(&mut reader).is_empty());
        assert_eq!(reader.deadline(), Some(t0 + INTER_CHARACTER_GAP));
        reader.push_at(&POLL, t0 + INTER_CHARACTER_GAP);
        let found = frames(&mut reader);
        assert!(matches!(
            found.as_slice(),
            [
                Err(FrameError::Truncated {
                    offset: 5,
                    needed: 2043,
                    available: 0
                }),
                Ok(_)
            ]
        ));
        assert_eq!((reader.stalled(), reader.buffered()), (1, 0));
        assert_eq!(reader.deadline(), None);
    }

    #[test]
    fn a_frame_behind_noise_in_one_burst_is_found_when_the_burst_ends() {
        let t0 = Instant::now();
        let mut reader = FrameReader::new();
        let mut burst = LYING.to_vec();
        burst.extend_from_slice(&POLL);
        reader.push_at(&burst, t0);
        assert!(frames(&mut reader).is_empty());
        reader.expire(t0 + INTER_CHARACTER_GAP / 2);
        assert!(frames(&mut reader).is_empty());
        reader.expire(t0 + INTER_CHARACTER_GAP);
        let found = frames(&mut reader);
        assert!(matches!(found.as_slice(), [Err(_), Ok(frame)] if frame.code == 0x60));
        // The same without a clock: the caller ends the burst (a reply timeout).
        reader.push(&burst);
        assert!(frames(&mut reader).is_empty());
        reader.end_burst();
        assert!(matches!(frames(&mut reader).as_slice(), [Err(_), Ok(_)]));
    }

    #[test]
    fn bytes_closer_than_the_gap_make_one_frame() {
        let t0 = Instant::now();
        let mut reader = FrameReader::new().with_gap(Duration::from_millis(10));
        for (i, byte) in POLL.iter().enumerate() {
            let at = t0 + Duration::from_millis(9) * u32::try_from(i).unwrap();
            reader.push_at(&[*byte], at);
            let next = reader.next_frame();
            assert_eq!(next.is_some(), i == POLL.len() - 1, "{next:?}");
        }
        assert_eq!(reader.stalled(), 0);
    }

    #[test]
    fn a_header_cut_by_a_silence_is_dropped_too() {
        let t0 = Instant::now();
        let mut reader = FrameReader::new();
        reader.push_at(&POLL[..3], t0);
        reader.push_at(&POLL, t0 + INTER_CHARACTER_GAP);
        let found = frames(&mut reader);
        assert!(matches!(
            found.as_slice(),
            [Err(FrameError::Truncated { offset: 3, .. }), Ok(_)]
        ));
    }

    #[test]
    fn reserved_control_bits_are_refused_from_the_header() {
        let mut reader = FrameReader::new();
        reader.push(&[0x53, 0x21, 0x00, 0x04, 0xF5]);
        assert!(matches!(
            reader.next_frame(),
            Some(Err(FrameError::ReservedControlBits { .. }))
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
