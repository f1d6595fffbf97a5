//! Fuzz target `pn532_frame`: arbitrary bytes decoded as a PN532 frame (and fed to the
//! stream reader and to the simulated PN532) never panic, and every frame, command and
//! response that decodes encodes back to itself. Owns only the libFuzzer entry point;
//! the check is `device_checks::pn532_frame`.
#![no_main]

#[path = "../device_checks.rs"]
mod device_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| device_checks::pn532_frame(data));
