//! The peripheral device (PD) loop: a reader or a lock answering its control panel (CP).
//!
//! Sans-io: [`PeripheralDevice`] is a state machine fed with the bytes a bus delivers and
//! the `Timestamp` they arrived at; it hands back the reply bytes to send and
//! [`PeripheralEvent`]s for the application (outputs to switch, LEDs, a file received,
//! a new key to persist). [`PeripheralBus`] is the thin blocking driver that hosts one
//! or several PDs on one [`Transport`](crate::transport::Transport).
//!
//! ```text
//!  bytes ─▶ FrameReader ─▶ for us? ─▶ sequence (0: reset, repeat: resend the same reply)
//!                                 ─▶ secure channel (handshake, open, or refuse clear text)
//!                                 ─▶ answer (ACK, PDID, PDCAP, LSTATR, a queued report, FTSTAT, NAK…)
//!                                 ─▶ seal if the command was sealed ─▶ reply bytes
//! ```
//!
//! What the PD does, following SIA OSDP 2.2 and libosdp where the standard leaves room:
//!
//! - **Framing**: a frame announcing more than the PD's receive buffer (its
//!   `RECEIVE_BUFFER` capability, else
//!   [`DEFAULT_MAX_FRAME_LEN`](crate::osdp::DEFAULT_MAX_FRAME_LEN)) is refused from
//!   its header; one that stops coming for
//!   [`INTER_CHARACTER_GAP`](crate::osdp::INTER_CHARACTER_GAP) (50 ms) is dropped and
//!   the bytes after its start of message searched again, so a command behind line
//!   noise is answered once the line falls silent, and the next one at once: noise
//!   costs the CP one reply timeout at most.
//! - **Addressing**: frames for another address and replies from other PDs are ignored;
//!   a command to the broadcast address `0x7F` is answered with `0x7F` in the reply
//!   (on a multi-drop [`PeripheralBus`], by the first PD only, since only one may talk).
//! - **Sequence numbers**: 0 resets the link (the secure channel and any file transfer
//!   under way are dropped); a command repeating the last number and code gets the
//!   very bytes of the last reply again, without being executed again, so a card report
//!   is neither lost nor duplicated; any other number than the next one is refused with
//!   `NAK` (sequence error). `osdp_POLL` with sequence 0 is answered `osdp_ACK` even
//!   when reports wait: a CP retrying it would reset again rather than repeat, and the
//!   report given the first time would be lost.
//! - **Security**: a PD with a key refuses, while no secure channel is up, every clear
//!   command but the handshake (`osdp_CHLNG`, `osdp_SCRYPT`), `osdp_ID`, `osdp_CAP` and
//!   `osdp_POLL`, with `NAK` (security conditions not met). This is libosdp's
//!   `ENFORCE_SECURE`, with one difference: libosdp refuses `osdp_POLL` too, we answer
//!   it with a bare `osdp_ACK` (never a queued report) so a CP may probe and reset the
//!   link with sequence 0 before its handshake. A PD without a key works in clear; in
//!   install mode it accepts one handshake with SCBK-D, then expects `osdp_KEYSET`.
//!   Any MAC, padding or turn failure drops the session and is answered in clear with
//!   [`SecureError::nak_code`](crate::osdp::secure::SecureError::nak_code). The session
//!   also ends after `offline_after` without a command (extended by
//!   `osdp_KEEPACTIVE`). After `osdp_KEYSET` the session under way goes on; the new key
//!   is used from the next handshake.
//! - **File transfer**: fragments must come in order, the file within `max_file_len`;
//!   each is answered with `osdp_FTSTAT`. By default the last fragment is answered
//!   "processed" and the file handed over in [`PeripheralEvent::FileReceived`]. An
//!   application that must judge a file first (a lock checking that an image is
//!   authentic and newer) calls [`PeripheralDevice::set_judge_files`]: the last
//!   fragment is then answered "finishing", and so is each empty fragment the CP sends
//!   after it (as SIA OSDP 2.2 has it, the CP keeps sending them while the PD
//!   finishes), until the application calls [`PeripheralDevice::judge_file`]; the next
//!   empty fragment is answered "processed" (accepted) or "unrecognized file contents"
//!   (refused), so the CP learns the refusal. A new transfer, `osdp_ABORT`, a link
//!   reset or going offline forgets the file awaiting its verdict.
//!
//! What this module must never do: read a clock, draw randomness itself (the caller
//! passes an entropy source), block (except [`PeripheralBus`]), panic on any bytes, or
//! show a key: events carrying one print it redacted.

mod bus;
mod command;
mod device;
mod event;
mod file;
mod report;
mod sequence;

#[cfg(test)]
mod script;
#[cfg(test)]
mod tests;

use std::time::Duration;

pub use bus::PeripheralBus;
pub use device::{Entropy, PeripheralDevice};
pub use event::PeripheralEvent;
pub use report::{Report, MAX_QUEUED_REPORTS};

use super::reply::{Capability, DeviceId};
use super::secure::Scbk;
use super::Address;

/// How long a PD stays online without a command for it, unless told otherwise
/// ([`PeripheralDevice::set_offline_after`]); libosdp uses the same 8 s.
pub const DEFAULT_OFFLINE_AFTER: Duration = Duration::from_secs(8);

/// What a PD is: its address, keys, identity, capabilities and limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeripheralSetup {
    /// The address it answers to, 0 to 126.
    pub address: Address,
    /// Its secure channel base key; `None`: clear only (unless install mode is allowed).
    pub scbk: Option<Scbk>,
    /// Accept one handshake with the default key SCBK-D, then expect `osdp_KEYSET`.
    pub allow_install_mode: bool,
    /// What `osdp_PDID` reports.
    pub id: DeviceId,
    /// What `osdp_PDCAP` reports; the counts of contact status monitoring, output
    /// control and readers also size the `ISTATR`, `OSTATR` and `RSTATR` reports.
    pub capabilities: Vec<Capability>,
    /// The largest file `osdp_FILETRANSFER` may send (0: no file transfer).
    pub max_file_len: usize,
}
