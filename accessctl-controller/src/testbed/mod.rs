//! The test bed: a shipped example site run end to end on this machine, for
//! `accessctl demo`, tests and benchmarks.
//!
//! Owns the scripted day ([`script`]), its set-up ([`setup`]: the policy files and a
//! fresh key store in a directory, the controllers on listening TCP buses, the lock
//! with a sealed image, the readers), the stage it is played on ([`stage`]: two door
//! controllers on TCP buses on loopback sharing one event journal, simulated readers
//! on one multi-drop connection, an offline lock on its own — all through the real
//! OSDP control panel, peripheral devices and secure channel — in one process, with
//! threads), its devices' threads ([`devices`]) and what each step did ([`played`]).
//! Every decision comes from the core, through the controller or the lock's offline
//! evaluator; the test bed only sets the stage, presents, and watches. It renders
//! nothing, never shows a PIN or a key, and leaves nothing behind (its files live in a
//! temporary directory).

pub mod devices;
mod error;
pub mod played;
pub mod script;
pub mod setup;
pub mod stage;

pub use error::TestbedError;
pub use played::Played;
pub use script::{site, Action, Site, Step, SITES};
pub use stage::Stage;
