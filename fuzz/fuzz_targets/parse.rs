//! Fuzz target `parse`: arbitrary bytes, read as UTF-8 (lossily), parsed and
//! validated as a policy must never panic. Owns only the libFuzzer entry point; the
//! check is `checks::parse`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::parse(data));
