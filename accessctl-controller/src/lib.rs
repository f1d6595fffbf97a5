//! The runtime a door controller product embeds: the policy's decisions carried out at
//! the doors over OSDP, and what a site keeps on disk.
//!
//! Two layers, then the files:
//!
//! - **the decision step, pure** — [`read`] turns a reader's report into a card
//!   number (Wiegand bits read with the door's accepted [`formats`], or `osdp_FMT`
//!   characters); [`keypad`] turns key presses into PINs; [`reader::DoorReader`] holds
//!   what a door needs between reports (a PIN being typed, the first factor of a
//!   two-factor door, its keypads' [`guard`]) and yields [`verdict::Verdict`]s: the
//!   core's decision, the commands for the door's devices ([`actions`]: strike on
//!   output 0, LED, buzzer) and the journal event. No clock, bus or file is touched
//!   there.
//! - **the loop** — [`Controller`] owns the policy, the doors bound to PD addresses,
//!   the OSDP control panel on its bus, the event [`journal`] and the key store's
//!   derived keys ([`scbk`]); [`Controller::step`] turns what the bus reports into
//!   verdicts, submitted commands, journal events and [`Report`]s for the caller to
//!   render; it watches the policy files ([`watch`]) and, on a change, recompiles and
//!   pushes the memory image of every bound lock by file transfer ([`push`]); a lock's
//!   uploaded record of what it decided alone is checked, then journalled at its
//!   instant or refused ([`audit`]); a PD that cannot be brought online, or reports
//!   from a reader it does not declare, is journalled as a reader fault.
//! - **the files** — the policy loaded from disk ([`load`], [`query`], [`offline`]
//!   with the key store of each site), the [`keystore`] (the only place secrets are
//!   kept), [`atomic`] edits under a lock, the [`journal`], and [`instant`], the one
//!   place the clock is read ([`clock`] for a controller's wall clock).
//!
//! ```text
//!  bus ─▶ ControlPanelEvent ─▶ read / keypad ─▶ DoorReader ─▶ CompiledPolicy::decide
//!                                                      │
//!            OUT, LED, BUZ ◀── submit ◀── Verdict ─────┴──▶ Journal ──▶ Report
//! ```
//!
//! What this crate must never do: decide anything itself (every answer comes from
//! `CompiledPolicy::decide`), print (reports are data; callers render them), store or
//! show a PIN or a key, or keep serving a policy it could not compile (a broken edit
//! leaves the previous policy in force). Dependencies run
//! `accessctl-controller → accessctl-devices → accessctl-core`, never back.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod actions;
pub mod atomic;
pub mod audit;
pub mod clock;
pub mod door;
mod door_controller;
pub mod encoder;
pub mod error;
pub mod formats;
pub mod guard;
pub mod instant;
pub mod journal;
pub mod keypad;
pub mod keystore;
pub mod load;
pub mod offline;
pub mod passback;
pub mod policy_error;
pub mod presence;
pub mod push;
pub mod query;
pub mod read;
pub mod reader;
pub mod report;
pub mod scbk;
pub mod testbed;
pub mod verdict;
pub mod watch;
pub mod zone;

#[cfg(test)]
#[path = "controller_tests.rs"]
mod tests;

pub use clock::WallClock;
pub use door::{DoorBinding, DoorContext};
pub use door_controller::{os_entropy, Channel, Controller, ControllerSetup, IMAGE_FILE_TYPE};
pub use error::ControllerError;
pub use policy_error::PolicyError;
pub use reader::{DoorReader, Now};
pub use report::Report;
pub use verdict::{Outcome, Verdict};
