//! Fuzz target `lock_image`: arbitrary bytes read as a lock memory image must never
//! panic, and whatever reads as an image must encode back to the same bytes and be
//! decided from without panicking. Owns only the libFuzzer entry point; the check is
//! `checks::lock_image`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::lock_image(data));
