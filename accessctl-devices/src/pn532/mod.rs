//! The PN532 NFC controller, as an encoder's reader: its wire protocol over HSU (UART),
//! a host client, and a simulated chip with simulated cards.
//!
//! - [`frame`]: normal and extended information frames, ACK, NACK, the error frame,
//!   the HSU wake-up, and a [`frame::FrameReader`] for a byte stream; every decoding
//!   error with its byte offset;
//! - [`command`]: typed commands and responses (GetFirmwareVersion, SAMConfiguration,
//!   RFConfiguration, InListPassiveTarget, InDataExchange, InCommunicateThru,
//!   InRelease/InDeselect, PowerDown, and what libnfc also sends: Diagnose,
//!   SetParameters, ReadRegister/WriteRegister, InAutoPoll);
//! - [`client`]: one command's exchange, sans I/O ([`client::Exchange`]), and the
//!   blocking [`client::Pn532`] over a [`crate::transport::Transport`], which is a
//!   [`crate::card_io::CardIo`] (MIFARE Classic authentication, READ and WRITE; NTAG
//!   READ, WRITE and PWD_AUTH);
//! - [`sim`]: a simulated PN532 answering frames as the chip does, with a simulated
//!   card ([`sim::card::SimCard`]) and fault injection.
//!
//! Like the OSDP code, everything but [`client::Pn532`] and [`crate::sim::SimLink`]
//! is fed bytes and `std::time::Instant`s, and nothing a peer sends makes it panic.
//!
//! ```
//! use accessctl_devices::pn532::command::Command;
//! use accessctl_devices::pn532::frame::Frame;
//!
//! let bytes = Frame::command(Command::GetFirmwareVersion.encode()).encode();
//! assert_eq!(bytes, [0x00, 0x00, 0xFF, 0x02, 0xFE, 0xD4, 0x02, 0x2A, 0x00]);
//! let Frame::Information { data, .. } = Frame::decode(&bytes)? else { unreachable!() };
//! assert_eq!(Command::decode(&data)?, Command::GetFirmwareVersion);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod client;
pub mod command;
pub mod frame;
pub mod sim;

#[cfg(test)]
mod tests;
