//! OSDP, the Open Supervised Device Protocol (SIA OSDP 2.2, IEC 60839-11-5): the
//! RS-485 protocol between a door controller — the control panel (CP) — and its readers
//! and I/O modules — the peripheral devices (PD).
//!
//! This module is the protocol's codec and secure channel:
//!
//! - [`Frame`] is one packet: [`Header`] (address with the reply bit, sequence number
//!   0–3, CRC-16 or checksum), an optional [`SecurityBlock`] (`SCS_11`–`SCS_18`, with
//!   the MAC), the message code and its data. [`Frame::decode`] and [`Frame::encode`]
//!   translate exactly, both ways; every refusal is a [`FrameError`] naming the byte
//!   offset at fault.
//! - [`FrameReader`] finds frames in a byte stream: skips noise before a start of
//!   message, waits for the rest of a frame, refuses from its header a length beyond
//!   its maximum, drops a frame the line left unfinished for [`INTER_CHARACTER_GAP`],
//!   and resynchronises on the next start of message after a bad or dropped one.
//! - [`Command`] and [`Reply`] are the messages, one variant per code, each with a
//!   typed payload (`osdp_OUT`'s output records, `osdp_LED`'s temporary and permanent
//!   settings, `osdp_RAW`'s card bits, `osdp_FILETRANSFER`'s fragments, …), decoded
//!   exactly: a field too short or too long is a [`PayloadError`] with its offset.
//! - [`secure`] is the secure channel: key derivation, handshake, MAC chaining and
//!   encryption, as a state machine for each side.
//!
//! ```
//! use accessctl_devices::osdp::{Address, Check, Command, Frame, Header, Sequence};
//!
//! let header = Header::command(Address::new(0x65).unwrap(), Sequence::ZERO, Check::Crc16);
//! let bytes = Frame::command(header, &Command::Poll)?.encode()?;
//! assert_eq!(bytes, [0x53, 0x65, 0x08, 0x00, 0x04, 0x60, 0x60, 0x90]);
//! assert_eq!(Frame::decode(&bytes)?.to_command()?, Command::Poll);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - [`control_panel`] and [`peripheral`] are the two ends of a bus: the CP's polling
//!   loop (sequence numbers, retries, offline detection, file transfer) and the PD's
//!   answers, both as state machines fed with bytes and instants, each with a blocking
//!   driver over a [`Transport`](crate::transport::Transport).
//!
//! What this module must never do: panic on any input, or decide anything about
//! access: a card read is handed on as bits, which [`wiegand`](crate::wiegand) reads.
//! Only the two loops keep state between frames; the codec and the secure channel
//! never send, wait or retry.

mod check;
mod code;
pub mod command;
pub mod control_panel;
mod error;
mod frame;
mod header;
mod manufacturer;
mod payload;
pub mod peripheral;
mod reader;
pub mod reply;
pub mod secure;
mod security_block;
mod wire;

pub use check::{checksum, crc16, Check};
pub use command::{
    AcuRxSize, BuzzerControl, Challenge, ComSettings, Command, FileTransfer, FileType, KeepActive,
    KeySet, KeyType, LedColor, LedControl, OutputControl, OutputControlCode, PermanentLed,
    PermanentLedCode, ReportRequest, ServerCryptogram, TemporaryLed, TemporaryLedCode, TextCommand,
    TextOutput, ToneCode,
};
pub use error::{EncodeError, FrameError, PayloadError, ScbProblem};
pub use frame::{Frame, HEADER_LEN, MARK, MAX_FRAME_LEN, SOM};
pub use header::{Address, Direction, Header, Sequence, REPLY_BIT};
pub use manufacturer::Manufacturer;
pub use reader::{FrameReader, DEFAULT_MAX_FRAME_LEN, INTER_CHARACTER_GAP};
pub use reply::{
    Capability, CapabilityFunction, ClientCryptogram, DeviceId, FileTransferAction,
    FileTransferCode, FileTransferStatus, FormattedCard, InitialRmac, InputStatus, Keypad,
    LocalStatus, Nak, NakCode, OutputStatus, RawCard, RawFormat, ReaderStatus, ReaderTamper, Reply,
};
pub use security_block::{KeySelector, SecurityBlock, MAC_LEN};
