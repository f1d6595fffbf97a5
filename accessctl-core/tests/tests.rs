//! The integration tests of `accessctl-core`, in one test binary (one link): each
//! file of `tests/` is a module of it, declared here, and `support/` holds what
//! several of them share. Run one file's tests with a filter on its module,
//! `cargo test -p accessctl-core --test integration decide::`.
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

mod authorize;
mod decide;
mod differential;
mod format_roundtrip;
mod fuzz_corpus;
mod offline_differential;
mod policy_tests;
mod validate;
