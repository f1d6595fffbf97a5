//! The OSDP secure channel base key (SCBK) of each controlled door, derived from the
//! key store.
//!
//! Owns the derivation: the door's key — its lock's own key when the store gives it
//! one, else its site's key, the same key its lock image derives from — derived for
//! the purpose `osdp-scbk` with the door's name as context (HMAC-SHA256, see
//! `accessctl_core::secret::Key::derive`), its first 16 bytes. A PD configured for
//! the door holds the same 16 bytes, set in install mode by `osdp_KEYSET` or by hand.
//! It must never print, log or return the key to a renderer.

use accessctl_core::model::DoorId;
use accessctl_core::secret::Key;
use accessctl_devices::osdp::secure::{Scbk, KEY_LEN};

use crate::offline::{OfflineError, OfflinePolicy};

/// The purpose the SCBK is derived for.
pub const SCBK_PURPOSE: &str = "osdp-scbk";

/// The SCBK of the door named `door` whose key is `door_key`.
pub fn derive_scbk(door_key: &Key, door: &str) -> Scbk {
    let derived = door_key.derive(SCBK_PURPOSE, door.as_bytes());
    let mut bytes = [0u8; KEY_LEN];
    for (to, from) in bytes.iter_mut().zip(derived.expose_bytes()) {
        *to = *from;
    }
    Scbk::new(bytes)
}

/// The SCBK of `door`, from the key store its site names (or `--keystore`).
pub fn door_scbk(policy: &OfflinePolicy, door: DoorId) -> Result<Scbk, OfflineError> {
    let key = policy.door_key(door)?;
    Ok(derive_scbk(&key, policy.door_name(door)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use accessctl_core::secret::KEY_LEN as CORE_KEY_LEN;

    #[test]
    fn each_door_has_its_own_key_and_none_is_the_default() {
        let site = Key::from_entropy([7; CORE_KEY_LEN]);
        let main = derive_scbk(&site, "main");
        assert_eq!(main, derive_scbk(&site, "main"));
        assert_ne!(main, derive_scbk(&site, "back"));
        assert_ne!(
            main,
            derive_scbk(&Key::from_entropy([8; CORE_KEY_LEN]), "main")
        );
        assert!(!main.is_default());
        assert_eq!(format!("{main:?}"), "Scbk(<redacted>)");
    }
}
