//! Fuzz target `osdp_frame`: arbitrary bytes decoded as an OSDP frame (and fed to
//! the stream reader) never panic, and every frame that decodes encodes back to the
//! same bytes. Owns only the libFuzzer entry point; the check is
//! `device_checks::osdp_frame`.
#![no_main]

#[path = "../device_checks.rs"]
mod device_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| device_checks::osdp_frame(data));
