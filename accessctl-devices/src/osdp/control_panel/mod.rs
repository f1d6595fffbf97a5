//! The OSDP control panel (CP): the polling loop that drives the peripheral devices
//! (PDs) of one multi-drop bus.
//!
//! ```text
//!            ┌─ Offline ◀──────────── retries exhausted, handshake failed ─────────┐
//!            ▼  (every offline_retry)                                              │
//!  POLL (sequence 0) ─▶ [CHLNG ─▶ SCRYPT] ─▶ ID ─▶ CAP ─▶ LSTAT ─▶ Online: POLL, commands, file fragments
//! ```
//!
//! Owns [`ControlPanel`], a sans-io state machine: callers hand it the bytes the bus
//! delivered and the current [`Timestamp`](std::time::Instant), and take out the bytes to
//! send and the [`ControlPanelEvent`]s (card reads, key presses, tamper, PDs going
//! online or offline, file transfer progress). [`ControlPanelBus`] is the blocking
//! driver that runs it over a [`Transport`](crate::transport::Transport).
//!
//! The bus is half duplex: one command is outstanding at a time, until its reply or its
//! timeout. PDs are served in turn. Each PD keeps its own sequence numbers (0 on a
//! restart, then 1, 2, 3, 1, …; a retry repeats the same bytes and so the same
//! number), its own secure channel ([`ControlPanelChannel`](super::secure::ControlPanelChannel)),
//! its queue of commands and its file transfer.
//!
//! - A reply counts only when it comes from the PD addressed, with the command's
//!   sequence number; anything else, and a frame with a bad CRC, is ignored, so the
//!   command runs into its timeout and is sent again, `retries` times; then the PD is
//!   offline ([`ControlPanelEvent::Offline`] once, if it was online) and tried again
//!   from sequence 0 every `offline_retry`.
//! - Timing, by default ([`Timing`]): a reply is awaited 200 ms, a command sent three
//!   times in all, a PD polled every 50 ms after its last answer and, once offline,
//!   tried again every second. A reply that stops coming for
//!   [`INTER_CHARACTER_GAP`](crate::osdp::INTER_CHARACTER_GAP) (50 ms), or is still
//!   incomplete at the reply timeout, is dropped and the bytes after its start of
//!   message searched again for the real reply; a length beyond
//!   [`DEFAULT_MAX_FRAME_LEN`](crate::osdp::DEFAULT_MAX_FRAME_LEN) is refused from the
//!   header. So line noise costs at most one reply timeout, never the PD.
//! - `osdp_BUSY` sends the same bytes again after a poll interval, no retry counted.
//! - With [`Security::Secure`] or [`Security::Install`], the handshake follows the
//!   first answer to sequence 0, and every later command is sealed. A failed handshake
//!   counts as a lost PD (never a fall back to clear text). A reply failing its MAC
//!   check, a plain `osdp_NAK` inside the session or a NAK for a security or sequence
//!   reason ends the session (the channel allows no second try): the PD goes through
//!   sequence 0 and a new handshake, and stays online if that succeeds.
//! - An acknowledged `osdp_KEYSET` makes the new key the one of the next handshakes.
//! - A PD that cannot be brought online says why, once per change of cause
//!   ([`ControlPanelEvent::Fault`] with a [`PdFault`]): a handshake whose cryptograms
//!   do not verify (a wrong key), an `osdp_PDCAP` that cannot be read or declares a
//!   function twice (then offline, retried like a silent PD), or no answer at all. A
//!   card read or key press from a reader number the PD does not declare (`0..count`
//!   of its readers function, or 0 alone when it lists none) is dropped with a fault,
//!   never passed on.
//!
//! What this module must never do: read a clock, draw randomness of its own, sleep or
//! touch a transport (only [`ControlPanelBus`] does); fall back to clear text when a secure channel
//! was asked for; use the default key SCBK-D unless [`Security::Install`] says so; log
//! or show a key; decide what a card read means for a door.

mod bus;
mod error;
mod event;
mod fault;
mod file;
mod panel;
mod pd;
mod timing;

#[cfg(test)]
mod tests;

pub use bus::ControlPanelBus;
pub use error::ControlPanelError;
pub use event::ControlPanelEvent;
pub use fault::PdFault;
pub use panel::{ControlPanel, Entropy};
pub use timing::Timing;

use super::header::Address;
use super::secure::Scbk;

/// How the CP talks to one PD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Security {
    /// In clear: no secure channel.
    Clear,
    /// Through a secure channel opened with the PD's own base key; never in clear.
    Secure(Scbk),
    /// Through a secure channel opened with the public install key SCBK-D, to provision
    /// the PD (send it `osdp_KEYSET`). Only when the caller asks for it.
    Install,
}

/// One PD on the bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdSetup {
    /// Its address, 0 to 126.
    pub address: Address,
    /// How to talk to it.
    pub security: Security,
}

/// Where a PD stands, as the CP sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PdStatus {
    /// Not answering, or not yet through its online sequence.
    Offline,
    /// Answering polls.
    Online {
        /// Whether its secure channel is established.
        secure: bool,
    },
}
