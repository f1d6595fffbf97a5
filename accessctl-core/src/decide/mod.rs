//! Decisions: may these credentials open this door at this instant, and why?
//!
//! Owns the decision procedure of `docs/decisions.md`, run against a
//! [`CompiledPolicy`]: identify the holder, check the media and factors, the offline
//! rule, the user's state and validity, the sub-account ceilings, the grants, the
//! schedules, then allow with the reason and the chain that decided; at a zone door,
//! anti-passback last ([`CompiledPolicy::decide_passage`]). A decision
//! allocates nothing; [`Decision::explain`] turns it into named steps for people.
//! It must never consult anything but the compiled index and the request.

mod explain;
mod passage;
mod reach;
mod reason;
#[cfg(test)]
mod tests;

pub use explain::Step;
pub use passage::{Crossing, Movement, Occupant, Passage, PassbackCheck, Presence};
pub use reach::GrantReach;
pub use reason::Reason;

use crate::compile::{CompiledGrant, CompiledPolicy, CompiledUser, Holder};
use crate::model::{AccountId, AppointmentId, DoorId, ReaderModes, ScheduleId, Target, UserId};
use crate::time::{LocalTime, Timestamp};

/// The credentials presented at a reader; any combination, for two-factor doors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Presented<'a> {
    /// A card number read by the reader.
    pub card: Option<u64>,
    /// A code typed on the keypad (a user's PIN or a permanent space code).
    pub pin: Option<&'a str>,
    /// A QR code scanned.
    pub qr: Option<&'a str>,
    /// A mobile key presented.
    pub mobile: Option<&'a str>,
}

impl Presented<'_> {
    fn media(&self) -> ReaderModes {
        let mut media = ReaderModes::empty();
        media.set(ReaderModes::BADGE, self.card.is_some());
        media.set(ReaderModes::PIN, self.pin.is_some());
        media.set(ReaderModes::QR, self.qr.is_some());
        media.set(ReaderModes::MOBILE, self.mobile.is_some());
        media
    }
}

/// Who asks to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    /// Credentials presented at the door's reader.
    Credentials(Presented<'a>),
    /// A user opening over the network.
    Remote(UserId),
    /// A user, whatever medium (for "may this user open …" queries).
    User(UserId),
    /// An appointment's guest, whatever medium.
    Guest(AppointmentId, u32),
}

/// A question to the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    /// Who asks.
    pub subject: Subject<'a>,
    /// Which door.
    pub door: DoorId,
    /// When.
    pub at: Timestamp,
    /// The site's network is down (an offline lock is always offline).
    pub offline: bool,
}

/// The answer: allowed or denied, the reason, and what decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Why; says whether it is an allow.
    pub reason: Reason,
    /// The holder of the credentials, once known.
    pub holder: Option<Holder>,
    /// The grant, appointment or code target that reached the door.
    pub via: Option<Target>,
    /// The schedule that decided (open on allow, closed on a schedule denial).
    pub schedule: Option<ScheduleId>,
    /// The sub-account whose ceiling excluded the door.
    pub ceiling: Option<AccountId>,
    /// The door asked about.
    pub door: DoorId,
    /// At a reader of an anti-passback zone, what the zone made of the passage and
    /// what to record ([`CompiledPolicy::decide_passage`]); `None` from
    /// [`CompiledPolicy::decide`], which knows no reader.
    pub passage: Option<Passage>,
}

impl Decision {
    /// Whether the door opens.
    pub fn allowed(&self) -> bool {
        self.reason.is_allow()
    }

    fn new(door: DoorId, reason: Reason) -> Decision {
        Decision {
            reason,
            holder: None,
            via: None,
            schedule: None,
            ceiling: None,
            door,
            passage: None,
        }
    }

    fn because(mut self, reason: Reason) -> Decision {
        self.reason = reason;
        self
    }
}

/// Denies early with a reason.
type Step1<T> = Result<T, Decision>;

impl CompiledPolicy {
    /// Decides `request`. An unknown door (an index out of range) is denied as
    /// [`Reason::UnknownDoor`]. A decision allocates nothing.
    ///
    /// ```
    /// use accessctl_core::{check, CompiledPolicy, Presented, Reason, Request, Sources, Subject};
    /// use accessctl_core::time::WrittenTimestamp;
    ///
    /// let mut sources = Sources::new();
    /// sources.add("hq.acl", r#"
    /// site hq { timezone "Europe/Paris"  door main }
    /// schedule office { mon..fri 08:00-19:00 }
    /// account acme { user ana "Ana" { card 42  schedule office  allow main } }
    /// "#);
    /// let policy = check(&sources).policy.expect("valid policy");
    /// let compiled = CompiledPolicy::new(&policy);
    /// let main = policy.door_named("main").expect("declared");
    /// let at = |text: &str| {
    ///     WrittenTimestamp::parse(text).and_then(|w| w.resolve(chrono_tz::Europe::Paris))
    /// };
    ///
    /// // Card 42 at 09:00 on a Monday, Paris time: open.
    /// let card = Subject::Credentials(Presented { card: Some(42), ..Presented::default() });
    /// let monday = compiled.decide(&Request { subject: card, door: main, at: at("2026-11-23T09:00")?, offline: false });
    /// assert!(monday.allowed());
    ///
    /// // The same card on Sunday: the schedule is closed, and the decision says so.
    /// let sunday = compiled.decide(&Request { subject: card, door: main, at: at("2026-11-22T09:00")?, offline: false });
    /// assert_eq!(sunday.reason, Reason::OutsideSchedule);
    /// assert_eq!(sunday.reason.code(), "outside_schedule");
    /// # Ok::<(), accessctl_core::time::TimestampError>(())
    /// ```
    pub fn decide(&self, request: &Request<'_>) -> Decision {
        match self.decide_inner(request) {
            Ok(decision) | Err(decision) => decision,
        }
    }

    fn decide_inner(&self, request: &Request<'_>) -> Step1<Decision> {
        let door_id = request.door;
        let decision = Decision::new(door_id, Reason::Granted);
        let door = self
            .doors
            .get(door_id.index())
            .ok_or(decision.because(Reason::UnknownDoor))?;
        let offline = request.offline || door.offline_lock;
        if let Some(decided) = self.space_code_typed(&request.subject, door.readers, decision) {
            return decided;
        }
        let (holder, media) = self.identify(&request.subject, decision)?;
        let decision = Decision {
            holder: Some(holder),
            ..decision
        };
        if !door.readers.contains(media) {
            return Err(decision.because(Reason::MediumNotAccepted));
        }
        if !media.is_empty()
            && !door.required.is_empty()
            && (media == ReaderModes::REMOTE || !media.contains(door.required))
        {
            return Err(decision.because(Reason::SecondFactorRequired));
        }
        let local = LocalTime::at(request.at, self.offset_at(door.site, request.at));
        match holder {
            Holder::User { user } => {
                let remote = matches!(request.subject, Subject::Remote(_));
                self.decide_user(user, remote, offline, local, decision)
            }
            Holder::Guest { appointment, .. } => {
                self.decide_guest(appointment, offline, local, decision)
            }
            Holder::SpaceCode { .. } => Ok(decision),
        }
    }

    fn offset_at(&self, site: crate::model::SiteId, at: Timestamp) -> i32 {
        self.zones.get(site.index()).map_or(0, |z| z.offset_at(at))
    }

    /// Finds the holder of the subject and the media it presented; a holder named
    /// directly (a remote opening, a user or guest query) must exist.
    fn identify(&self, subject: &Subject<'_>, decision: Decision) -> Step1<(Holder, ReaderModes)> {
        let (holder, media) = match *subject {
            Subject::User(user) => (Holder::User { user }, ReaderModes::empty()),
            Subject::Remote(user) => (Holder::User { user }, ReaderModes::REMOTE),
            Subject::Guest(appointment, guest) => {
                (Holder::Guest { appointment, guest }, ReaderModes::empty())
            }
            Subject::Credentials(presented) => {
                return self
                    .holder_of(&presented, decision)
                    .map(|h| (h, presented.media()));
            }
        };
        if self.exists(holder) {
            Ok((holder, media))
        } else {
            Err(decision.because(Reason::UnknownCredential))
        }
    }

    /// Whether the policy has `holder`.
    fn exists(&self, holder: Holder) -> bool {
        match holder {
            Holder::User { user } => user.index() < self.users.len(),
            Holder::Guest { appointment, guest } => self
                .appointments
                .get(appointment.index())
                .is_some_and(|a| guest < a.guests),
            Holder::SpaceCode { code } => (code as usize) < self.space_codes.len(),
        }
    }

    /// The one holder of every presented credential: any unknown credential denies
    /// `unknown_credential` before two known ones of different holders deny
    /// `factors_mismatch`, however many were presented.
    fn holder_of(&self, presented: &Presented<'_>, decision: Decision) -> Step1<Holder> {
        let unknown = decision.because(Reason::UnknownCredential);
        let found = [
            presented.card.map(|c| self.credentials.card(c)),
            presented.pin.map(|p| self.credentials.pin(p)),
            presented.qr.map(|q| self.credentials.qr(q)),
            presented.mobile.map(|m| self.credentials.mobile(m)),
        ];
        let mut holders = found.into_iter().flatten();
        if holders.clone().any(|lookup| lookup.is_none()) {
            return Err(unknown);
        }
        let first = holders.next().flatten().ok_or(unknown)?;
        if holders.any(|lookup| lookup != Some(first)) {
            return Err(decision.because(Reason::FactorsMismatch));
        }
        Ok(first)
    }

    /// Step 1, a code typed alone on the keypad that equals permanent space codes. A
    /// space code opens its doors at any time, online or offline. `None` when the code
    /// equals no space code, or when none of them covers the door and a user or guest
    /// holds the code as a PIN: that holder is then identified like any other.
    fn space_code_typed(
        &self,
        subject: &Subject<'_>,
        readers: ReaderModes,
        decision: Decision,
    ) -> Option<Step1<Decision>> {
        let Subject::Credentials(Presented {
            pin: Some(pin),
            card: None,
            qr: None,
            mobile: None,
        }) = subject
        else {
            return None;
        };
        let codes = self.credentials.space_codes(pin);
        let first = *codes.first()?;
        let covering = codes.iter().find_map(|&code| {
            let targets = self.space_codes.get(code as usize)?;
            self.via(targets, decision.door).map(|via| (code, via))
        });
        let Some((code, via)) = covering else {
            let denied = Decision {
                holder: Some(Holder::SpaceCode { code: first }),
                ..decision.because(Reason::NotGranted)
            };
            return self.credentials.pin(pin).is_none().then_some(Err(denied));
        };
        let decision = Decision {
            holder: Some(Holder::SpaceCode { code }),
            via: Some(via),
            ..decision
        };
        Some(if readers.contains(ReaderModes::PIN) {
            Ok(decision.because(Reason::SpaceCode))
        } else {
            Err(decision.because(Reason::MediumNotAccepted))
        })
    }

    fn decide_guest(
        &self,
        appointment: AppointmentId,
        offline: bool,
        local: LocalTime,
        decision: Decision,
    ) -> Step1<Decision> {
        if offline {
            return Err(decision.because(Reason::OfflineNotAllowed));
        }
        let Some(a) = self.appointments.get(appointment.index()) else {
            return Err(decision.because(Reason::UnknownCredential));
        };
        if let Some(account) = a.account {
            self.check_ceiling(account, decision)?;
        }
        let Some(via) = self.via(&a.doors, decision.door) else {
            return Err(decision.because(Reason::NotGranted));
        };
        let decision = Decision {
            via: Some(via),
            ..decision
        };
        if local.day != a.day || local.minute < a.start || local.minute >= a.end {
            return Err(decision.because(Reason::AppointmentNotNow));
        }
        self.check_door_schedule(local, decision)?;
        Ok(decision.because(Reason::Appointment))
    }

    fn decide_user(
        &self,
        user_id: UserId,
        remote: bool,
        offline: bool,
        local: LocalTime,
        decision: Decision,
    ) -> Step1<Decision> {
        let Some(user) = self.users.get(user_id.index()) else {
            return Err(decision.because(Reason::UnknownCredential));
        };
        if remote && !user.remote {
            return Err(decision.because(Reason::RemoteNotAllowed));
        }
        if offline && (remote || !user.offline) {
            return Err(decision.because(Reason::OfflineNotAllowed));
        }
        if !user.active {
            return Err(decision.because(Reason::Inactive));
        }
        if local.day < user.valid_from || local.day > user.valid_to {
            return Err(decision.because(Reason::OutsideValidity));
        }
        self.check_ceiling(user.account, decision)?;
        let decision = self.check_grants_and_schedule(user, local, decision)?;
        self.check_door_schedule(local, decision)?;
        Ok(decision.because(Reason::Granted))
    }

    /// The door must lie within the door ceiling of `account` (a user's or an
    /// appointment's owner) and of every sub-account above it.
    fn check_ceiling(&self, account: AccountId, decision: Decision) -> Step1<()> {
        let ceiling = self.accounts.get(account.index()).and_then(|a| a.ceiling);
        match ceiling.and_then(|c| self.set(c)) {
            Some(set) if !set.contains(decision.door) => Err(Decision {
                ceiling: self.excluding_ceiling(account, decision.door),
                ..decision.because(Reason::BeyondCeiling)
            }),
            _ => Ok(()),
        }
    }

    /// The nearest sub-account, from `account` up, whose own ceiling leaves `door` out.
    fn excluding_ceiling(&self, account: AccountId, door: DoorId) -> Option<AccountId> {
        let mut current = Some(account);
        while let Some(id) = current {
            let compiled = self.accounts.get(id.index())?;
            if compiled
                .own_ceiling
                .and_then(|c| self.set(c))
                .is_some_and(|set| !set.contains(door))
            {
                return Some(id);
            }
            current = compiled.parent;
        }
        None
    }

    pub(crate) fn user_grants(&self, user: &CompiledUser) -> &[CompiledGrant] {
        let start = user.grants_start as usize;
        self.grants
            .get(start..start + user.grants_len as usize)
            .unwrap_or(&[])
    }

    /// Finds the most specific grants reaching the door and checks their schedules:
    /// open if any of them is open (a grant without schedule uses the user's base).
    fn check_grants_and_schedule(
        &self,
        user: &CompiledUser,
        local: LocalTime,
        decision: Decision,
    ) -> Step1<Decision> {
        let grants = self.user_grants(user);
        let reaching = || {
            grants
                .iter()
                .filter(|g| self.reaches(g.reach, decision.door))
        };
        let Some(best) = reaching().map(|g| g.specificity).max() else {
            return Err(decision.because(Reason::NotGranted));
        };
        let mut closed = None;
        for grant in reaching().filter(|g| g.specificity == best) {
            let schedule = grant.schedule.or(user.base_schedule);
            let step = Decision {
                via: Some(grant.target),
                schedule,
                ..decision
            };
            if self.is_open(schedule, local) {
                return Ok(step);
            }
            closed.get_or_insert(step);
        }
        Err(closed.unwrap_or(decision).because(Reason::OutsideSchedule))
    }

    fn check_door_schedule(&self, local: LocalTime, decision: Decision) -> Step1<()> {
        let schedule = self
            .doors
            .get(decision.door.index())
            .and_then(|d| d.schedule);
        if self.is_open(schedule, local) {
            Ok(())
        } else {
            Err(Decision {
                schedule,
                ..decision.because(Reason::DoorClosed)
            })
        }
    }

    /// Whether `schedule` is open at `local`; no schedule is always open.
    #[inline]
    fn is_open(&self, schedule: Option<ScheduleId>, local: LocalTime) -> bool {
        match schedule {
            None => true,
            Some(id) => self
                .schedules
                .get(id.index())
                .is_some_and(|s| s.is_open(local, &self.calendars)),
        }
    }
}
