//! The doors a controller serves: which PD on the bus reads for which door of the
//! policy, and what the decision step needs to know of each.
//!
//! Owns [`DoorBinding`] (`--door DOOR=ADDRESS`, read and checked alone) and
//! [`DoorContext`] (the binding resolved against one policy: the door's id, site,
//! accepted card formats). It must never decide: contexts only carry the policy's
//! facts to the decision step, and are rebuilt whenever the policy is.

use std::fmt;
use std::str::FromStr;

use accessctl_core::model::{Connectivity, DoorId, Policy};
use accessctl_devices::osdp::Address;
use accessctl_devices::wiegand;

use crate::formats::door_formats;

/// A door of the policy served by the PD at an address: `--door main=1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorBinding {
    /// The door, by name.
    pub door: String,
    /// The PD's OSDP address, 0 to 126.
    pub address: Address,
}

impl FromStr for DoorBinding {
    type Err = String;

    /// Reads `DOOR=ADDRESS`, the address in decimal (0 to 126) or hexadecimal
    /// (`0x65`).
    fn from_str(text: &str) -> Result<DoorBinding, String> {
        let (door, address) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}` is not DOOR=ADDRESS (for example main=1)"))?;
        let door = door.trim();
        if door.is_empty() {
            return Err(format!("`{text}` names no door"));
        }
        let address = parse_address(address.trim())?;
        Ok(DoorBinding {
            door: door.to_owned(),
            address,
        })
    }
}

impl fmt::Display for DoorBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.door, self.address.value())
    }
}

/// Reads an OSDP address of a PD: 0 to 126 (127 is the broadcast address), decimal
/// or `0x` hexadecimal.
pub fn parse_address(text: &str) -> Result<Address, String> {
    let value = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u8::from_str_radix(hex, 16),
        None => text.parse::<u8>(),
    };
    value
        .ok()
        .and_then(Address::new)
        .filter(|address| !address.is_broadcast())
        .ok_or_else(|| format!("`{text}` is not a PD address: write 0 to 126"))
}

/// A bound door as one policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorContext {
    /// The door's id in the policy.
    pub id: DoorId,
    /// The door's name.
    pub name: String,
    /// Its site's name.
    pub site: String,
    /// The Wiegand formats its reader accepts, in the policy's order.
    pub formats: Vec<wiegand::Format>,
    /// Whether the policy makes it a lock with a memory image: a standalone offline
    /// lock, or a connected lock with a memory capacity that decides alone during an
    /// outage (its image is pushed on every policy change, its audit trail believed).
    pub offline_lock: bool,
}

impl DoorContext {
    /// The door named `name` in `policy`, if it has one.
    pub fn resolve(policy: &Policy, name: &str) -> Option<DoorContext> {
        let id = policy.door_named(name)?;
        let door = policy.doors.get(id.index())?;
        let site = policy
            .sites
            .get(door.site.index())
            .map_or(String::new(), |s| s.name.clone());
        Some(DoorContext {
            id,
            name: door.name.clone(),
            site,
            formats: door_formats(policy, id),
            offline_lock: door.connectivity == Connectivity::Offline || door.capacity.is_some(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bindings_read_door_equals_address() {
        let binding: DoorBinding = "main=1".parse().unwrap();
        assert_eq!(binding.door, "main");
        assert_eq!(binding.address.value(), 1);
        assert_eq!(binding.to_string(), "main=1");
        let hex: DoorBinding = "back = 0x65".parse().unwrap();
        assert_eq!(hex.address.value(), 0x65);
        for bad in ["main", "=1", "main=127", "main=0x80", "main=-1", "main=x"] {
            assert!(bad.parse::<DoorBinding>().is_err(), "{bad}");
        }
    }
}
