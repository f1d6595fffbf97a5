//! Fuzz target `device_text`: arbitrary text read as a transport connection and as a
//! simulated device's presentation line never panics, and what parses writes back to
//! text that parses to the same value. Owns only the libFuzzer entry point; the check
//! is `device_checks::device_text`.
#![no_main]

#[path = "../device_checks.rs"]
mod device_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| device_checks::device_text(data));
