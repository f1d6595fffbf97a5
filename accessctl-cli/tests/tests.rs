//! The integration tests of the `accessctl` tool, in one test binary (one link): each
//! file of `tests/` is a module of it, declared here, and `support/` (running the
//! binary, the fixtures) is shared by all. Run one file's tests with a filter on its
//! module, `cargo test -p accessctl-cli --test integration diagnostics::`. The
//! snapshots of `snapshots/` are named after the module path
//! (`integration__diagnostics__…`).
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

mod support;

mod bulk;
mod controller;
mod demo;
mod diagnostics;
mod diff;
mod encoder;
mod exit_codes;
mod fleet;
mod fmt;
mod journal;
mod journal_cli;
mod journal_history;
mod journal_postgres;
mod offline;
mod policy_tests;
mod queries;
mod review;
mod robustness;
mod sim;
mod sim_encoder;
mod sports_centre;
mod user_edit;
mod users;
