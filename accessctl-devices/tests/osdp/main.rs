//! The OSDP codec and secure channel, through the public API only: known frames from
//! public sources, property tests over every command and reply, and the secure channel
//! end to end. One test binary, one module per concern.

mod codec;
mod props;
mod secure;
mod strategies;
