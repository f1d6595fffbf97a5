//! Fuzz target `format_roundtrip`: every text that parses cleanly formats to a fixed
//! point that parses back to the same tree, with every comment kept in order. Owns
//! only the libFuzzer entry point; the check is `checks::format_roundtrip`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::format_roundtrip(data));
