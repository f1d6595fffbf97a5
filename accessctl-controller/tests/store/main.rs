//! The event store's tests: both backends under one contract, and fleets of
//! controllers on a real PostgreSQL (see `postgres_server.rs`: a test that needs it
//! fails when none can be had, never passes having done nothing).

// Tests may unwrap, expect, panic and index: a failing test is the point. clippy.toml
// lets `#[test]` functions do it; this covers the helpers of the test crate too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unreachable
)]

mod contract;
mod fleet;
mod postgres_schema;
mod postgres_server;
mod spool_crash;
mod spool_outage;
mod support;
