//! Admin rights: the flags an admin holds and a sub-account's ceiling bounds.
//!
//! Owns the set of rights, their policy-language names and set algebra. It knows
//! nothing of who holds them: delegation checks live in the validator and, later, in
//! the delegation module.

use bitflags::bitflags;
use serde::{Deserialize, Serialize};

bitflags! {
    /// A set of admin rights.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
    pub struct AdminRights: u32 {
        /// Configure sites and doors.
        const CONFIGURATION = 1 << 0;
        /// Create and edit schedules and holiday calendars.
        const SCHEDULES = 1 << 1;
        /// Create, edit and delete users.
        const USERS = 1 << 2;
        /// Enrol and remove cards.
        const BADGES = 1 << 3;
        /// Manage PIN, QR and permanent space codes.
        const CODES = 1 << 4;
        /// Send and revoke mobile keys.
        const MOBILE = 1 << 5;
        /// Open doors remotely and give remote opening.
        const REMOTE = 1 << 6;
        /// Create and edit sub-accounts.
        const SUBACCOUNTS = 1 << 7;
        /// Give and take admin rights.
        const ADMINS = 1 << 8;
        /// Consult the event history.
        const HISTORY = 1 << 9;
        /// Export the event history.
        const EXPORT = 1 << 10;
        /// Run bulk actions over filtered users.
        const BULK = 1 << 11;
        /// Create appointments.
        const APPOINTMENTS = 1 << 12;
        /// Generate API keys for integrations.
        const INTEGRATIONS = 1 << 13;
        /// Encode and update keys on cards.
        const KEYS = 1 << 14;
    }
}

const NAMES: [(&str, AdminRights); 15] = [
    ("configuration", AdminRights::CONFIGURATION),
    ("schedules", AdminRights::SCHEDULES),
    ("users", AdminRights::USERS),
    ("badges", AdminRights::BADGES),
    ("codes", AdminRights::CODES),
    ("mobile", AdminRights::MOBILE),
    ("remote", AdminRights::REMOTE),
    ("subaccounts", AdminRights::SUBACCOUNTS),
    ("admins", AdminRights::ADMINS),
    ("history", AdminRights::HISTORY),
    ("export", AdminRights::EXPORT),
    ("bulk", AdminRights::BULK),
    ("appointments", AdminRights::APPOINTMENTS),
    ("integrations", AdminRights::INTEGRATIONS),
    ("keys", AdminRights::KEYS),
];

impl AdminRights {
    /// The right (or `all`) a policy-language word names.
    pub fn from_word(word: &str) -> Option<AdminRights> {
        if word == "all" {
            return Some(AdminRights::all());
        }
        NAMES.iter().find(|(n, _)| *n == word).map(|(_, r)| *r)
    }

    /// Every right's word, in canonical order (without `all`).
    pub fn words() -> impl Iterator<Item = &'static str> {
        NAMES.iter().map(|(n, _)| *n)
    }

    /// The words of the rights in this set, in canonical order.
    pub fn to_words(self) -> Vec<&'static str> {
        NAMES
            .iter()
            .filter(|(_, r)| self.contains(*r))
            .map(|(n, _)| *n)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_has_one_word() {
        let union = NAMES
            .iter()
            .fold(AdminRights::empty(), |acc, (_, r)| acc | *r);
        assert_eq!(union, AdminRights::all());
        for (word, right) in NAMES {
            assert_eq!(AdminRights::from_word(word), Some(right));
        }
        assert_eq!(AdminRights::from_word("all"), Some(AdminRights::all()));
        assert_eq!(AdminRights::from_word("root"), None);
        assert_eq!(
            (AdminRights::USERS | AdminRights::BADGES).to_words(),
            ["users", "badges"]
        );
    }
}
