//! The index from presented credentials to their holders.
//!
//! Owns hash maps from card numbers, PINs, QR codes and mobile keys to the user or
//! appointment guest holding them, and from permanent space codes to the codes'
//! indexes. It never judges whether a holder may open anything.

use crate::model::{AppointmentId, Credential, Policy, UserId};
use rustc_hash::FxHashMap;

/// Who holds a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Holder {
    /// A user.
    User {
        /// Which.
        user: UserId,
    },
    /// A guest of an appointment.
    Guest {
        /// The appointment.
        appointment: AppointmentId,
        /// The guest's index in the appointment.
        guest: u32,
    },
    /// A permanent space code (index into `Policy::space_codes`).
    SpaceCode {
        /// Which code.
        code: u32,
    },
}

/// Credential lookups.
#[derive(Debug, Clone, Default)]
pub struct CredentialIndex {
    cards: FxHashMap<u64, Holder>,
    pins: FxHashMap<Box<str>, Holder>,
    qrs: FxHashMap<Box<str>, Holder>,
    mobiles: FxHashMap<Box<str>, Holder>,
    space_codes: FxHashMap<Box<str>, Vec<u32>>,
}

impl CredentialIndex {
    /// Indexes every credential of `policy`. A credential held twice (which the
    /// validator forbids) resolves to its first holder.
    pub fn new(policy: &Policy) -> CredentialIndex {
        let mut index = CredentialIndex::default();
        for (i, user) in policy.users.iter().enumerate() {
            let holder = Holder::User {
                user: UserId(to_u32(i)),
            };
            user.credentials.iter().for_each(|c| index.add(c, holder));
        }
        for (a, appointment) in policy.appointments.iter().enumerate() {
            for (g, guest) in appointment.guests.iter().enumerate() {
                let holder = Holder::Guest {
                    appointment: AppointmentId(to_u32(a)),
                    guest: to_u32(g),
                };
                guest.credentials.iter().for_each(|c| index.add(c, holder));
            }
        }
        for (i, code) in policy.space_codes.iter().enumerate() {
            index
                .space_codes
                .entry(code.code.as_str().into())
                .or_default()
                .push(to_u32(i));
        }
        index
    }

    fn add(&mut self, credential: &Credential, holder: Holder) {
        match credential {
            Credential::Card(n) => {
                self.cards.entry(*n).or_insert(holder);
            }
            Credential::Pin(s) => insert(&mut self.pins, s, holder),
            Credential::Qr(s) => insert(&mut self.qrs, s, holder),
            Credential::Mobile(s) => insert(&mut self.mobiles, s, holder),
        }
    }

    /// The holder of card `number`.
    #[inline]
    pub fn card(&self, number: u64) -> Option<Holder> {
        self.cards.get(&number).copied()
    }

    /// The holder of PIN `pin`.
    #[inline]
    pub fn pin(&self, pin: &str) -> Option<Holder> {
        self.pins.get(pin).copied()
    }

    /// The holder of QR code `qr`.
    #[inline]
    pub fn qr(&self, qr: &str) -> Option<Holder> {
        self.qrs.get(qr).copied()
    }

    /// The holder of mobile key `key`.
    #[inline]
    pub fn mobile(&self, key: &str) -> Option<Holder> {
        self.mobiles.get(key).copied()
    }

    /// The permanent space codes equal to `code`.
    #[inline]
    pub fn space_codes(&self, code: &str) -> &[u32] {
        self.space_codes.get(code).map_or(&[], Vec::as_slice)
    }

    /// Heap bytes held, estimated from the maps' capacities.
    pub fn heap_size(&self) -> usize {
        let entry = std::mem::size_of::<(Box<str>, Holder)>() + 1;
        let strings = |m: &FxHashMap<Box<str>, Holder>| {
            m.capacity() * entry + m.keys().map(|k| k.len()).sum::<usize>()
        };
        self.cards.capacity() * (std::mem::size_of::<(u64, Holder)>() + 1)
            + strings(&self.pins)
            + strings(&self.qrs)
            + strings(&self.mobiles)
            + self.space_codes.capacity() * (std::mem::size_of::<(Box<str>, Vec<u32>)>() + 1)
    }
}

fn insert(map: &mut FxHashMap<Box<str>, Holder>, key: &str, holder: Holder) {
    map.entry(key.into()).or_insert(holder);
}

pub(crate) fn to_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}
