//! Fuzz target `osdp_secure`: the OSDP secure channel's receiving path never panics,
//! and sealed messages open to themselves and refuse tampering. Owns only the
//! libFuzzer entry point; the check is `device_checks::osdp_secure`.
#![no_main]

#[path = "../device_checks.rs"]
mod device_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| device_checks::osdp_secure(data));
