//! The door controller: the policy's decisions carried out at the doors over OSDP.
//!
//! Two layers:
//!
//! - **the decision step, pure** — [`read`] turns a reader's report into a card
//!   number (Wiegand bits read with the door's accepted [`formats`], or `osdp_FMT`
//!   characters); [`keypad`] turns key presses into PINs; [`reader::DoorReader`] holds
//!   what a door needs between reports (a PIN being typed, the first factor of a
//!   two-factor door) and yields [`verdict::Verdict`]s: the core's decision, the
//!   commands for the door's devices ([`actions`]: strike on output 0, LED, buzzer)
//!   and the journal event. No clock, bus or file is touched there.
//! - **the loop** — [`Controller`] owns the policy, the doors bound to PD addresses,
//!   the OSDP control panel on its bus, the event journal and the key store's
//!   derived keys ([`scbk`]); [`Controller::step`] turns what the bus reports into
//!   verdicts, submitted commands, journal events and [`Report`]s for the caller to
//!   print; it watches the policy files and, on a change, recompiles and pushes the
//!   memory image of every bound offline lock by file transfer ([`push`]); a lock's
//!   uploaded record of what it decided alone is checked, then journalled at its
//!   instant or refused ([`audit`]); a PD that cannot be brought online, or reports
//!   from a reader it does not declare, is journalled as a reader fault.
//!
//! ```text
//!  bus ─▶ ControlPanelEvent ─▶ read / keypad ─▶ DoorReader ─▶ CompiledPolicy::decide
//!                                                      │
//!            OUT, LED, BUZ ◀── submit ◀── Verdict ─────┴──▶ Journal ──▶ Report
//! ```
//!
//! What this module must never do: decide anything itself (every answer comes from
//! `CompiledPolicy::decide`), show or journal a PIN or key, or keep serving a policy
//! it could not compile (a broken edit leaves the previous policy in force).

pub mod actions;
pub mod audit;
pub mod clock;
pub mod door;
mod door_controller;
pub mod error;
pub mod formats;
pub mod guard;
pub mod keypad;
pub mod push;
pub mod read;
pub mod reader;
pub mod report;
pub mod scbk;
pub mod verdict;
pub mod watch;

#[cfg(test)]
mod tests;

pub use clock::WallClock;
pub use door::{DoorBinding, DoorContext};
pub use door_controller::{os_entropy, Channel, Controller, ControllerSetup, IMAGE_FILE_TYPE};
pub use error::ControllerError;
pub use reader::{DoorReader, Now};
pub use report::Report;
pub use verdict::{Outcome, Verdict};
