//! The demo as the tool shows it: the test bed's scripted day
//! (`accessctl_controller::testbed`: a shipped example site, its controllers, readers
//! and offline lock on loopback) rendered step by step, then its journal ([`show`]).
//! It must never show a PIN or a key.

pub mod show;

pub use accessctl_controller::testbed::{site, Action, Played, Site, Stage, Step, SITES};
