//! The runtime a door controller product embeds: what happens between the readers on
//! an OSDP bus, the rights engine and the event journal.
//!
//! Owns the door step (a card read, a keypad entry, a second factor → a verdict), the
//! controller loop over an OSDP bus, policy watching and lock image pushes, the key
//! store and atomic files, the policy loaded from disk, the event journal, and the one
//! place that reads the clock and the operating system's entropy.
//!
//! It never prints: what happens is returned as data (reports, events) for the caller
//! to render. It never stores a PIN, never shows a key, and never decides by itself:
//! every answer comes from `accessctl-core`. Dependencies run
//! `accessctl-controller → accessctl-devices → accessctl-core`, never back.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod instant;
pub mod journal;
