//! How a simulated device introduces itself: its `osdp_PDID` identity and its
//! `osdp_PDCAP` capabilities, for a lock and for a reader.
//!
//! Owns [`peripheral_setup`] and the constants behind it. It never holds a key beyond
//! passing the one it is given into the setup.

use crate::osdp::peripheral::PeripheralSetup;
use crate::osdp::reply::{Capability, CapabilityFunction, DeviceId};
use crate::osdp::secure::Scbk;
use crate::osdp::Address;

/// The vendor code simulated devices report (a locally administered OUI).
pub const SIM_VENDOR: [u8; 3] = [0x0A, 0xC1, 0x00];

/// The largest lock memory image a simulated lock accepts by file transfer.
pub const MAX_IMAGE_LEN: usize = 1 << 20;

/// Which simulated device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimKind {
    /// A lock: a reader, a strike output and a memory image.
    Lock,
    /// A reader with a keypad, an LED and a buzzer.
    Reader,
}

impl SimKind {
    /// Its model number in `osdp_PDID`.
    fn model(self) -> u8 {
        match self {
            SimKind::Lock => 1,
            SimKind::Reader => 2,
        }
    }
}

/// The setup of a simulated device at `address`: its identity (serial number: the
/// address), its capabilities, and `scbk` for the secure channel (`install`: accept
/// one handshake with the default key, to receive its own).
pub fn peripheral_setup(
    kind: SimKind,
    address: Address,
    scbk: Option<Scbk>,
    install: bool,
) -> PeripheralSetup {
    PeripheralSetup {
        address,
        scbk,
        allow_install_mode: install,
        id: DeviceId {
            vendor: SIM_VENDOR,
            model: kind.model(),
            version: 1,
            serial: u32::from(address.value()),
            firmware: [0, 1, 0],
        },
        capabilities: capabilities(kind),
        max_file_len: match kind {
            SimKind::Lock => MAX_IMAGE_LEN,
            SimKind::Reader => 0,
        },
    }
}

/// What it reports in `osdp_PDCAP`.
fn capabilities(kind: SimKind) -> Vec<Capability> {
    let capability = |function, compliance, count| Capability {
        function,
        compliance,
        count,
    };
    let mut all = vec![
        capability(CapabilityFunction::CARD_DATA_FORMAT, 1, 0),
        capability(CapabilityFunction::LED_CONTROL, 1, 1),
        capability(CapabilityFunction::AUDIBLE_OUTPUT, 1, 1),
        capability(CapabilityFunction::CHECK_CHARACTER, 1, 0),
        capability(CapabilityFunction::COMMUNICATION_SECURITY, 1, 0),
        // 1,024 bytes: low byte in the compliance, high byte in the count.
        capability(CapabilityFunction::RECEIVE_BUFFER, 0x00, 0x04),
        capability(CapabilityFunction::READERS, 0, 1),
        capability(CapabilityFunction::OSDP_VERSION, 2, 0),
    ];
    if kind == SimKind::Lock {
        all.push(capability(CapabilityFunction::OUTPUT_CONTROL, 1, 1));
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_has_a_strike_and_takes_files_a_reader_neither() {
        let address = Address::new(3).unwrap();
        let lock = peripheral_setup(SimKind::Lock, address, None, false);
        let reader = peripheral_setup(SimKind::Reader, address, Some(Scbk::new([1; 16])), false);
        let has_output = |setup: &PeripheralSetup| {
            setup
                .capabilities
                .iter()
                .any(|c| c.function == CapabilityFunction::OUTPUT_CONTROL)
        };
        assert!(has_output(&lock) && !has_output(&reader));
        assert_eq!((lock.max_file_len, reader.max_file_len), (MAX_IMAGE_LEN, 0));
        assert_eq!(lock.id.serial, 3);
        assert_ne!(lock.id.model, reader.id.model);
    }
}
