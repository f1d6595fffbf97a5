//! Decision workloads: the requests the decision benchmarks ask, drawn from a
//! generated site.
//!
//! Owns [`Workload`] (a site checked and compiled once) and the deterministic
//! sampling of card presentations whose answer is of a wanted [`Kind`]: allowed
//! within schedule, denied outside schedule, denied for a door not granted, and
//! denied for an unknown card. Requests are found by asking the engine itself, so
//! every sample is known to give its kind's reason. It times nothing.

use crate::{reference_site, Rng, SiteParams};
use accessctl_core::model::{Credential, DoorId, Policy, UserId};
use accessctl_core::{
    check, CompiledPolicy, Presented, Reason, Request, Sources, Subject, Timestamp,
};

/// 2026-01-05T00:00:00Z, a Monday: the start of the window requests are drawn from.
pub const WINDOW_START: i64 = 1_767_571_200;
/// The window spans 40 weeks (to mid-October 2026): weekdays, weekends, holidays
/// and both daylight-saving regimes of every zone.
pub const WINDOW_SECONDS: i64 = 40 * 7 * 86_400;

/// Samples per kind the benchmarks rotate over (a power of two).
pub const ROTATION: usize = 4_096;
/// The seed of the benchmarks' samples, shared so that they ask the same requests.
pub const BENCH_SEED: u64 = 0xBE7C;

/// What a sampled request is expected to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A card at a door its holder may open, within schedule: `granted`.
    Allowed,
    /// A card at a door its holder is granted, outside the holder's schedule:
    /// `outside_schedule`.
    OutsideSchedule,
    /// A card at a door of the holder's site that no grant reaches: `not_granted`.
    NotGranted,
    /// A card number nobody holds: `unknown_credential`.
    UnknownCard,
}

impl Kind {
    /// Every kind, allowed first.
    pub const ALL: [Kind; 4] = [
        Kind::Allowed,
        Kind::OutsideSchedule,
        Kind::NotGranted,
        Kind::UnknownCard,
    ];

    /// The reason every request of this kind gets.
    pub fn reason(self) -> Reason {
        match self {
            Kind::Allowed => Reason::Granted,
            Kind::OutsideSchedule => Reason::OutsideSchedule,
            Kind::NotGranted => Reason::NotGranted,
            Kind::UnknownCard => Reason::UnknownCredential,
        }
    }

    /// A short name for benchmark ids.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Allowed => "allowed",
            Kind::OutsideSchedule => "denied-schedule",
            Kind::NotGranted => "denied-not-granted",
            Kind::UnknownCard => "denied-unknown-card",
        }
    }
}

/// One card presentation: the card number, the door and the instant. Online
/// network (a door declared `offline` is still offline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardRequest {
    /// The card number read.
    pub card: u64,
    /// The door.
    pub door: DoorId,
    /// When, UTC seconds.
    pub at: Timestamp,
}

impl CardRequest {
    /// The engine's request for this presentation.
    pub fn request(&self) -> Request<'static> {
        Request {
            subject: Subject::Credentials(Presented {
                card: Some(self.card),
                ..Presented::default()
            }),
            door: self.door,
            at: self.at,
            offline: false,
        }
    }
}

/// A generated site, validated and compiled.
pub struct Workload {
    /// The site's size.
    pub params: SiteParams,
    /// Bytes of policy text.
    pub text_len: usize,
    /// The validated model.
    pub policy: Policy,
    /// The decision index.
    pub compiled: CompiledPolicy,
}

impl Workload {
    /// Generates, checks and compiles a site.
    ///
    /// # Panics
    /// If the generated text does not validate (a generator bug).
    pub fn new(params: SiteParams) -> Workload {
        let text = reference_site(&params);
        let mut sources = Sources::new();
        sources.add("site.acl", text.as_str());
        let checked = check(&sources);
        let policy = checked.policy.expect("the generated site validates");
        let compiled = CompiledPolicy::new(&policy);
        Workload {
            params,
            text_len: text.len(),
            policy,
            compiled,
        }
    }

    /// `count` distinct-seeded card presentations of `kind`, deterministic for a
    /// given site and seed.
    ///
    /// # Panics
    /// If the site offers no such request after many tries (a far too small site).
    pub fn sample(&self, kind: Kind, count: usize, seed: u64) -> Vec<CardRequest> {
        let mut rng = Rng::new(seed ^ kind as u64);
        let holders = self.card_holders();
        let mut out = Vec::with_capacity(count);
        let mut tries = 0usize;
        while out.len() < count {
            tries += 1;
            assert!(
                tries < count * 1_000 + 100_000,
                "no {kind:?} requests found"
            );
            if let Some(request) = self.candidate(kind, &holders, &mut rng) {
                if self.compiled.decide(&request.request()).reason == kind.reason() {
                    out.push(request);
                }
            }
        }
        out
    }

    /// Every user holding a card, with its first card number.
    pub fn card_holders(&self) -> Vec<(UserId, u64)> {
        let card = |u: &accessctl_core::model::User| {
            u.credentials.iter().find_map(|c| match c {
                Credential::Card(n) => Some(*n),
                _ => None,
            })
        };
        (0..self.policy.users.len())
            .filter_map(|i| {
                let user = self.policy.users.get(i)?;
                Some((UserId(u32::try_from(i).ok()?), card(user)?))
            })
            .collect()
    }

    /// A random presentation that may be of `kind`; the caller checks it.
    fn candidate(
        &self,
        kind: Kind,
        holders: &[(UserId, u64)],
        rng: &mut Rng,
    ) -> Option<CardRequest> {
        let at = Timestamp(WINDOW_START + rng.below(WINDOW_SECONDS as usize) as i64);
        if kind == Kind::UnknownCard {
            // Generated card numbers lie in 10,000,000 + 50 × users; beyond is free.
            let card = 9_000_000_000 + rng.next() % 1_000_000_000;
            let door = DoorId(rng.below(self.policy.doors.len()) as u32);
            return Some(CardRequest { card, door, at });
        }
        let &(user, card) = rng.pick(holders);
        let granted = self.granted_doors(user);
        if granted.is_empty() {
            return None;
        }
        let door = match kind {
            Kind::NotGranted => {
                let site = self.policy.doors.get(rng.pick(&granted).index())?.site;
                *rng.pick(&self.policy.sites.get(site.index())?.doors)
            }
            _ => *rng.pick(&granted),
        };
        Some(CardRequest { card, door, at })
    }

    /// The doors any grant of `user` reaches.
    pub fn granted_doors(&self, user: UserId) -> Vec<DoorId> {
        let Some(user) = self.policy.users.get(user.index()) else {
            return Vec::new();
        };
        let mut doors: Vec<DoorId> = user
            .grants
            .iter()
            .flat_map(|g| g.targets.iter())
            .flat_map(|&t| self.policy.doors_of(t))
            .collect();
        doors.sort_unstable();
        doors.dedup();
        doors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_give_their_kind_and_are_deterministic() {
        let workload = Workload::new(SiteParams::small());
        for kind in Kind::ALL {
            let sample = workload.sample(kind, 20, 1);
            assert_eq!(sample.len(), 20);
            for request in &sample {
                let decision = workload.compiled.decide(&request.request());
                assert_eq!(decision.reason, kind.reason(), "{kind:?} {request:?}");
            }
            assert_eq!(sample, workload.sample(kind, 20, 1));
        }
    }

    #[test]
    fn the_window_starts_on_a_monday() {
        let local = accessctl_core::time::LocalTime::at(Timestamp(WINDOW_START), 0);
        assert_eq!((local.weekday(), local.minute), (0, 0));
    }
}
