//! The demo: a shipped example site run end to end on this machine.
//!
//! Owns the scripted day ([`script`]), the stage it is played on ([`stage`]: two door
//! controllers on TCP buses on loopback sharing one event journal, simulated readers
//! on one multi-drop connection, an offline lock on its own — all through the real
//! OSDP control panel, peripheral devices and secure channel — in one process, with
//! threads), its devices' threads ([`devices`]) and how it is shown ([`show`]). Every
//! decision comes from the core, through the controller or the lock's offline
//! evaluator; the demo only sets the stage, presents, and watches. It must never show a
//! PIN or a key, and leaves nothing behind (its files live in a temporary directory).

pub mod devices;
pub mod played;
pub mod script;
pub mod setup;
pub mod show;
pub mod stage;

pub use played::Played;
pub use script::{site, Action, Site, Step, SITES};
pub use stage::Stage;
