//! From the card formats a policy names to the device crate's Wiegand layouts.
//!
//! Owns the one mapping from [`CardFormat`] (the policy's names) to
//! [`wiegand::Format`] (the layouts that read bits). It must never decode bits or
//! choose a format for a read: [`wiegand::detect`] does, among the formats given.

use accessctl_core::model::{CardFormat, DoorId, Policy};
use accessctl_devices::wiegand::{self, formats};

/// The Wiegand layout of `format`.
pub fn wiegand_format(format: CardFormat) -> wiegand::Format {
    match format {
        CardFormat::H10301 => formats::H10301,
        CardFormat::H10304 => formats::H10304,
        CardFormat::Corporate1000_35 => formats::CORPORATE_1000_35,
        CardFormat::H10306 => formats::H10306,
        CardFormat::Raw => formats::RAW,
    }
}

/// The Wiegand layouts `door`'s reader accepts, in the policy's order.
pub fn door_formats(policy: &Policy, door: DoorId) -> Vec<wiegand::Format> {
    policy
        .card_formats(door)
        .iter()
        .copied()
        .map(wiegand_format)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_policy_format_has_the_layout_of_the_same_name() {
        for format in CardFormat::ALL {
            assert_eq!(wiegand_format(format).name(), format.name());
        }
    }
}
