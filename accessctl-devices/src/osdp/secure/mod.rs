//! The OSDP secure channel: AES-128 mutual authentication, session keys, MAC chaining
//! and data encryption between a control panel (CP) and a peripheral device (PD).
//!
//! ```text
//!  CP                                                    PD
//!  osdp_CHLNG  SCS_11(key) RND.A ───────────────────────▶  derive S-ENC, S-MAC1, S-MAC2 from SCBK, RND.A
//!              ◀─────────────────────── osdp_CCRYPT SCS_12(key) cUID, RND.B, client cryptogram
//!  check the client cryptogram, derive the same keys
//!  osdp_SCRYPT SCS_13(key) server cryptogram ───────────▶  check it
//!              ◀─────────────────────── osdp_RMAC_I SCS_14(01) R-MAC-I
//!  then every message: SCS_15/16 (MAC) or SCS_17/18 (MAC, data encrypted),
//!  each MAC chained from the last MAC the other side sent (R-MAC-I first)
//! ```
//!
//! - [`Scbk`] is the shared base key; [`Scbk::DEFAULT`] (SCBK-D) is the public install
//!   key, accepted only in install mode ([`ControlPanelChannel::install_mode`],
//!   [`PeripheralChannel::allow_install_mode`]).
//! - [`ControlPanelChannel`] and [`PeripheralChannel`] are the two state machines: they
//!   build and check the handshake frames, then seal and open messages.
//! - [`SecureError`] says why a step failed; the PD answers it with
//!   [`SecureError::nak_code`].
//!
//! What this module must never do: draw randomness (callers pass RND.A and RND.B),
//! compare a secret in variable time, print or log a key, or keep a session alive after
//! a MAC, cryptogram or padding check failed. Sequence numbers, retries, timeouts and
//! the choice between secure and clear operation belong to the control panel and PD
//! loops.
//!
//! The derivations follow SIA OSDP 2.2 (IEC 60839-11-5); the known-answer tests use
//! the standard's Annex E example, as quoted in libosdp's test suite.

mod cp;
mod crypto;
mod error;
mod key;
mod pd;
mod session;

pub use cp::ControlPanelChannel;
pub use error::SecureError;
pub use key::{constant_time_eq, Scbk, KEY_LEN};
pub use pd::PeripheralChannel;
