//! The commands, one module each: `validate`, `fmt`, `check`, `who-can`, `what-can`,
//! `test`, `diff`, `journal`, `zone`, `user list` and `user show` (`user_list`,
//! `user_show`), `user add`, `user set` and `user rm` (`user_edit`), `bulk`; and the offline ones: `keys` (the key store), `codes`, `lock`, `key`
//! (`card_key`).
//!
//! Each module exposes `run(&Args, &mut Console) -> Result<Exit, CliError>`: it prints
//! its answer in the format asked for and says how the run ended; an `Err` is an error
//! that prevented an answer (exit 2), rendered by `lib.rs`. A command must never
//! write to the process's streams directly, nor exit the process.

pub mod acting;
pub mod bulk;
pub mod card_key;
pub mod check;
pub mod codes;
pub mod controller;
pub mod demo;
pub mod diff;
pub mod encoder;
pub mod fmt;
pub mod journal;
pub mod keys;
pub mod lock;
pub mod review;
pub mod sim;
pub mod test;
pub mod user_edit;
pub mod user_list;
pub mod user_show;
pub mod validate;
pub mod what_can;
pub mod who_can;
pub mod zone;
