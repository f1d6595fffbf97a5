//! Fuzz target `card_memory`: arbitrary bytes read as a card's key area (MIFARE
//! Classic 1K/4K, NTAG215/216) never panic, and a write cut at any unit over any state
//! leaves the old key or the new one. Owns only the libFuzzer entry point; the check
//! is `device_checks::card_memory`.
#![no_main]

#[path = "../device_checks.rs"]
mod device_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| device_checks::card_memory(data));
