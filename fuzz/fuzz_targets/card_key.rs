//! Fuzz target `card_key`: arbitrary bytes read as a card key image must never panic,
//! and whatever reads as an image must write back to the same bytes, sign, and get a
//! status without panicking. Owns only the libFuzzer entry point; the check is
//! `checks::card_key`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::card_key(data));
