//! Fuzz target `osdp_peers`: arbitrary bytes fed to the receive paths of the OSDP
//! peripheral device (without a key, with one, with a secure channel up) and of the
//! control panel awaiting a reply never panic, and every reply a PD gives decodes.
//! Owns only the libFuzzer entry point; the check is `device_checks::osdp_peers`.
#![no_main]

#[path = "../device_checks.rs"]
mod device_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| device_checks::osdp_peers(data));
