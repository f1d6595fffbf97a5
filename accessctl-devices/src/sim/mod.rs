//! Simulated devices for demos and tests: an offline lock that decides alone with
//! `accessctl-core` when its control panel is gone, and a reader that presents a card
//! or a PIN to any control panel.
//!
//! - [`SimLock`] is an OSDP peripheral device with a reader, a strike and a lock
//!   memory image: online, it reports presentations and obeys its control panel's
//!   `osdp_OUT`; offline, it reads cards with its Wiegand formats and decides from its
//!   image with the core's offline evaluator; a new image arrives by
//!   `osdp_FILETRANSFER` and is put in force only if its key authenticates it and it
//!   is not older; a refused one fails the control panel's transfer. What it decided
//!   alone it keeps in an [`AuditTrail`] and uploads, once its control panel is back,
//!   as `osdp_MFGREP` [`AuditRecord`]s.
//! - [`SimReader`] is an OSDP peripheral device that presents a card (Wiegand bits) or
//!   a PIN once its control panel has it online, and gathers the control panel's
//!   answer ([`ControlPanelResponse`]: the strike pulse, the LED, the buzzer).
//! - [`Presentation`] is what a person presents, with its textual form (`card
//!   12345678`, `bits 1010…`, `pin 4821`); [`SimLink`] runs a device on a transport.
//!
//! Both devices are sans-io, fed with bytes and explicit instants, so tests are
//! deterministic; only [`SimLink`] reads a clock. What this module must never do: hold
//! policy logic of its own (the lock's decisions are the core's evaluator's), decide
//! for a lock whose control panel is online, or show a key or a PIN.
//!
//! ```
//! use accessctl_devices::sim::Presentation;
//!
//! let card: Presentation = "card 65537".parse()?; // H10301, facility 1, card 1
//! let Presentation::Card(bits) = &card else { unreachable!() };
//! assert_eq!(bits.to_string(), "10000000100000000000000010");
//! assert_eq!("pin 4821".parse::<Presentation>()?.to_string(), "PIN (4 digits)");
//! # Ok::<(), accessctl_devices::sim::PresentationError>(())
//! ```

mod audit;
mod bus;
mod lock;
mod presentation;
mod reader;
mod response;
mod setup;

#[cfg(test)]
mod tests;

/// A source of random bytes for a simulated device's secure channel (tests pass a
/// seeded closure, the command line the operating system's random source).
pub type Entropy = Box<dyn FnMut(&mut [u8]) + Send>;

pub use audit::{
    AuditCredential, AuditDecodeError, AuditRecord, AuditTrail, AUDIT_VERSION, MAX_AUDIT_RECORDS,
    MAX_REASON_LEN,
};
pub use bus::{SimDevice, SimLink};
pub use lock::{
    AloneDecision, Credential, ImageRefusal, LockEvent, LockOutcome, SimLock, SimLockSetup,
    KEYPAD_LOCKOUT, READER,
};
pub use presentation::{Pin, Presentation, PresentationError, MAX_PIN_DIGITS};
pub use reader::{ReaderEvent, SimReader, DEFAULT_SETTLE};
pub use response::ControlPanelResponse;
pub use setup::{peripheral_setup, SimKind, MAX_IMAGE_LEN, SIM_VENDOR};
