//! The device layer of accessctl: the wire protocols spoken by readers, locks and card
//! encoders, the transports that carry them, and simulated devices for tests and demos.
//!
//! What this crate owns:
//!
//! - **wire protocols** — the [`wiegand`] card formats, which turn the raw bits a reader
//!   sends into the card numbers policies hold; the [`osdp`] codec (frames, commands and
//!   replies, a stream reader), its secure channel, and both ends of a bus: the
//!   [`osdp::control_panel`] (polling, retries, offline detection, file transfer) and
//!   the [`osdp::peripheral`] device; the [`pn532`] NFC
//!   controller an encoder speaks to (frames, commands, a host client, a simulated
//!   chip with simulated MIFARE Classic and NTAG cards);
//! - **card encoding** — [`card_io`]: the [`card_io::CardIo`] operations an encoder
//!   performs on the card in its field (MIFARE Classic blocks, NTAG pages), whatever
//!   speaks to the card;
//! - **transports** — [`transport`]: serial ports, TCP (connect or listen) and an
//!   in-memory pair, named on the command line as a `Connection`;
//! - **simulated devices** — [`sim`]: a lock that decides offline with
//!   `accessctl-core` from its memory image, a reader that presents a card or a PIN
//!   (an encoder holding a card is to come).
//!
//! What it must never do: hold policy logic. Whether a card may open a door is decided
//! by `accessctl-core`; this crate only moves and translates what devices say. A
//! Wiegand [`wiegand::Card`] becomes a policy's card number through
//! [`wiegand::Card::policy_number`], and that is the whole of the interface.
//!
//! ```
//! use accessctl_devices::wiegand::{self, formats, WiegandBits};
//!
//! // A 26-bit frame as a reader sends it: parity, facility 1, card 1, parity.
//! let bits: WiegandBits = "10000000100000000000000010".parse()?;
//! let card = wiegand::detect(&bits, &[formats::H10301, formats::H10306])?;
//! assert_eq!(card.format(), formats::H10301);
//! assert_eq!(card.to_string(), "1:1");
//! assert_eq!(card.policy_number(), (1 << 16) | 1);
//! # Ok::<(), wiegand::WiegandError>(())
//! ```
//!
//! The crate is `#![forbid(unsafe_code)]` and denies `unwrap`, `expect`, `panic!` and
//! slice indexing outside tests: bytes from a device, however malformed, produce an
//! error, never a panic.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod card_io;
pub mod card_memory;
pub mod osdp;
pub mod pn532;
pub mod sim;
pub mod transport;
pub mod wiegand;
