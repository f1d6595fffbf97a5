//! The event store's tests: both backends under one contract, and fleets of
//! controllers on a real PostgreSQL (see `postgres_server.rs`: a test that needs it
//! fails when none can be had, never passes having done nothing).

mod contract;
mod fleet;
mod postgres_schema;
mod postgres_server;
mod spool_crash;
mod spool_outage;
mod support;
