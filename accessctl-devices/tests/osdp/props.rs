//! Round trips and robustness, for every command, every reply and random frames.

use accessctl_devices::osdp::*;
use proptest::prelude::*;

use super::strategies::{any_command, any_frame, any_header, any_reply, bytes};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// `decode(encode(c)) == c` for every command, alone and inside a frame.
    #[test]
    fn commands_round_trip(command in any_command(), header in any_header(Direction::Command)) {
        let data = command.encode_data().unwrap();
        prop_assert_eq!(Command::decode(command.code(), &data), Ok(command.clone()));
        let bytes = Frame::command(header, &command).unwrap().encode().unwrap();
        let frame = Frame::decode(&bytes).unwrap();
        prop_assert_eq!(frame.header, header);
        prop_assert_eq!(frame.to_command(), Ok(command));
    }

    /// `decode(encode(r)) == r` for every reply, alone and inside a frame.
    #[test]
    fn replies_round_trip(reply in any_reply(), header in any_header(Direction::Reply)) {
        let data = reply.encode_data().unwrap();
        prop_assert_eq!(Reply::decode(reply.code(), &data), Ok(reply.clone()));
        let bytes = Frame::reply(header, &reply).unwrap().encode().unwrap();
        let frame = Frame::decode(&bytes).unwrap();
        prop_assert_eq!(frame.header, header);
        prop_assert_eq!(frame.to_reply(), Ok(reply));
    }

    /// Any frame — random address, direction, sequence number, CRC or checksum,
    /// security block, code and data — decodes to itself.
    #[test]
    fn frames_round_trip(frame in any_frame()) {
        let bytes = frame.encode().unwrap();
        prop_assert_eq!(bytes.len(), frame.wire_len());
        prop_assert_eq!(Frame::decode(&bytes), Ok(frame));
    }

    /// Every single-bit error in a frame is caught.
    #[test]
    fn single_bit_errors_are_caught(frame in any_frame(), bit in any::<prop::sample::Index>()) {
        let mut bytes = frame.encode().unwrap();
        let at = bit.index(bytes.len() * 8);
        bytes[at / 8] ^= 1 << (at % 8);
        prop_assert!(Frame::decode(&bytes).is_err());
    }

    /// Arbitrary bytes never panic the decoder; whatever decodes encodes back to the
    /// same bytes, and its data decode or fail cleanly.
    #[test]
    fn arbitrary_bytes(data in bytes(300)) {
        if let Ok(frame) = Frame::decode(&data) {
            prop_assert_eq!(frame.encode().unwrap(), data);
            let _ = frame.to_command();
            let _ = frame.to_reply();
        }
    }

    /// Arbitrary data after any code decode or fail cleanly, and what decodes encodes
    /// back to the same data.
    #[test]
    fn arbitrary_payloads(code in any::<u8>(), data in bytes(64)) {
        if let Ok(command) = Command::decode(code, &data) {
            prop_assert_eq!(command.encode_data().unwrap(), data.clone());
        }
        if let Ok(reply) = Reply::decode(code, &data) {
            prop_assert_eq!(reply.encode_data().unwrap(), data);
        }
    }

    /// Every frame of a stream is found, whatever the noise between frames and however
    /// the bytes are cut.
    #[test]
    fn reader_finds_every_frame(
        frames in proptest::collection::vec(any_frame(), 1..6),
        noise in proptest::collection::vec(bytes(8), 6),
        cut in 1usize..40,
    ) {
        let mut stream = Vec::new();
        for (frame, noise) in frames.iter().zip(&noise) {
            // Noise without a start of message: a reader cannot tell a frame from
            // noise that looks like one.
            stream.extend(noise.iter().map(|&b| if b == SOM { 0 } else { b }));
            stream.extend(frame.encode().unwrap());
        }
        let mut reader = FrameReader::with_max_len(MAX_FRAME_LEN);
        let mut found = Vec::new();
        for chunk in stream.chunks(cut) {
            reader.push(chunk);
            while let Some(next) = reader.next_frame() {
                if let Ok(frame) = next {
                    found.push(frame);
                }
            }
        }
        prop_assert_eq!(found, frames);
    }
}
