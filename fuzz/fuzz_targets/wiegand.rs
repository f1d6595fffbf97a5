//! Fuzz target `wiegand`: arbitrary bytes read as Wiegand frames (text, raw bit
//! arrays, OSDP `RAW` replies) never panic, and decoded cards encode back to the same
//! bits. Owns only the libFuzzer entry point; the check is `device_checks::wiegand`.
#![no_main]

#[path = "../device_checks.rs"]
mod device_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| device_checks::wiegand(data));
