//! The integration tests of `accessctl-devices`, in one test binary (one link): each
//! file of `tests/` (or directory, `osdp/` and `libosdp/`) is a module of it, declared
//! here. Run one module's tests with a filter,
//! `cargo test -p accessctl-devices --test integration libosdp::`.
//!
//! Cargo's discovery of test targets is off (`autotests = false`): a new file under
//! `tests/` runs only once it is declared below.

// Tests may unwrap, expect, panic and index: a failing test is the point. clippy.toml
// lets `#[test]` functions do it; this covers the helpers of the test crate too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unreachable
)]

mod control_panel;
mod fuzz_corpus;
mod libosdp;
mod osdp;
mod osdp_link;
mod peripheral;
mod pn532;
mod transport;
mod wiegand;
