//! The OSDP codec and secure channel, through the public API only: known frames from
//! public sources, property tests over every command and reply, the secure channel
//! end to end, and stalled frames on both sides of a bus, one module per concern.

mod codec;
mod frame_timeouts;
mod props;
mod secure;
mod strategies;
