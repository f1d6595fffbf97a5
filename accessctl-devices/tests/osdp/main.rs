//! The OSDP codec and secure channel, through the public API only: known frames from
//! public sources, property tests over every command and reply, the secure channel
//! end to end, and stalled frames on both sides of a bus. One test binary, one module
//! per concern.

// Tests may unwrap, expect, panic and index: a failing test is the point. clippy.toml
// lets `#[test]` functions do it; this covers the helpers of the test crate too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unreachable
)]

mod codec;
mod frame_timeouts;
mod props;
mod secure;
mod strategies;
