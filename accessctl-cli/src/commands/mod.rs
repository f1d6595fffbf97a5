//! The commands, one module each: `validate`, `fmt`, `check`, `who-can`, `what-can`,
//! `test`, `journal`, `zone`; and the offline ones: `keys` (the key store), `codes`, `lock`, `key`
//! (`card_key`).
//!
//! Each module exposes `run(&Args, &mut Console) -> Result<Exit, CliError>`: it prints
//! its answer in the format asked for and says how the run ended; an `Err` is an error
//! that prevented an answer (exit 2), rendered by `lib.rs`. A command must never
//! write to the process's streams directly, nor exit the process.

pub mod card_key;
pub mod check;
pub mod codes;
pub mod controller;
pub mod demo;
pub mod encoder;
pub mod fmt;
pub mod journal;
pub mod keys;
pub mod lock;
pub mod sim;
pub mod test;
pub mod validate;
pub mod what_can;
pub mod who_can;
pub mod zone;
