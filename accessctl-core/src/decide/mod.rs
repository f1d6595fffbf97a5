//! Decisions: may these credentials open this door at this instant, and why?
//!
//! Owns the decision procedure of `docs/decisions.md`, run against a
//! [`CompiledPolicy`]: identify the holder, check the media and factors, the offline
//! rule, the user's state and validity, the sub-account ceilings, the grants, the
//! schedules, then allow with the reason and the chain that decided. A decision
//! allocates nothing; [`Decision::explain`] turns it into named steps for people.
//! It must never consult anything but the compiled index and the request.

mod explain;
mod reason;

pub use explain::Step;
pub use reason::Reason;

use crate::compile::{CompiledGrant, CompiledPolicy, CompiledUser, Holder};
use crate::model::{AccountId, AppointmentId, DoorId, ReaderModes, ScheduleId, Target, UserId};
use crate::time::{Instant, LocalTime};

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
    pub at: Instant,
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
    /// use accessctl_core::time::WrittenInstant;
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
    ///     WrittenInstant::parse(text).and_then(|w| w.resolve(chrono_tz::Europe::Paris))
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
    /// # Ok::<(), accessctl_core::time::InstantError>(())
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
        if let Some(codes) = self.space_codes_typed(&request.subject) {
            return self.decide_space_code(codes, door.readers, decision);
        }
        let (holder, media) = self.identify(&request.subject, decision)?;
        let decision = Decision {
            holder: Some(holder),
            ..decision
        };
        if !door.readers.contains(media) {
            return Err(decision.because(Reason::MediumNotAccepted));
        }
        if !media.is_empty() && !media.contains(door.required) {
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

    fn offset_at(&self, site: crate::model::SiteId, at: Instant) -> i32 {
        self.zones.get(site.index()).map_or(0, |z| z.offset_at(at))
    }

    /// Finds the holder of the subject and the media it presented.
    fn identify(&self, subject: &Subject<'_>, decision: Decision) -> Step1<(Holder, ReaderModes)> {
        match *subject {
            Subject::User(user) => Ok((Holder::User { user }, ReaderModes::empty())),
            Subject::Remote(user) => Ok((Holder::User { user }, ReaderModes::REMOTE)),
            Subject::Guest(appointment, guest) => {
                Ok((Holder::Guest { appointment, guest }, ReaderModes::empty()))
            }
            Subject::Credentials(presented) => self
                .holder_of(&presented, decision)
                .map(|h| (h, presented.media())),
        }
    }

    fn holder_of(&self, presented: &Presented<'_>, decision: Decision) -> Step1<Holder> {
        let unknown = decision.because(Reason::UnknownCredential);
        let found = [
            presented.card.map(|c| self.credentials.card(c)),
            presented.pin.map(|p| self.credentials.pin(p)),
            presented.qr.map(|q| self.credentials.qr(q)),
            presented.mobile.map(|m| self.credentials.mobile(m)),
        ];
        let mut holder = None;
        for lookup in found.into_iter().flatten() {
            let this = lookup.ok_or(unknown)?;
            match holder {
                Some(previous) if previous != this => {
                    return Err(decision.because(Reason::FactorsMismatch));
                }
                _ => holder = Some(this),
            }
        }
        holder.ok_or(unknown)
    }

    /// The permanent space codes equal to a code typed alone on the keypad, if any.
    fn space_codes_typed(&self, subject: &Subject<'_>) -> Option<&[u32]> {
        let Subject::Credentials(Presented {
            pin: Some(pin),
            card: None,
            qr: None,
            mobile: None,
        }) = subject
        else {
            return None;
        };
        Some(self.credentials.space_codes(pin)).filter(|codes| !codes.is_empty())
    }

    /// A space code opens its doors at any time, online or offline, on a keypad.
    fn decide_space_code(
        &self,
        codes: &[u32],
        readers: ReaderModes,
        decision: Decision,
    ) -> Step1<Decision> {
        let opens = |code: &u32| {
            self.space_codes
                .get(*code as usize)
                .and_then(|&set| self.set(set))
                .is_some_and(|set| set.contains(decision.door))
        };
        let reaching = codes.iter().find(|c| opens(c));
        let code = reaching.or(codes.first()).copied().unwrap_or(0);
        let decision = Decision {
            holder: Some(Holder::SpaceCode { code }),
            ..decision
        };
        if reaching.is_none() {
            return Err(decision.because(Reason::NotGranted));
        }
        if !readers.contains(ReaderModes::PIN) {
            return Err(decision.because(Reason::MediumNotAccepted));
        }
        Ok(decision.because(Reason::SpaceCode))
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
        if !self.set(a.doors).is_some_and(|s| s.contains(decision.door)) {
            return Err(decision.because(Reason::NotGranted));
        }
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
        self.check_ceiling(user, decision)?;
        let decision = self.check_grants_and_schedule(user, local, decision)?;
        self.check_door_schedule(local, decision)?;
        Ok(decision.because(Reason::Granted))
    }

    fn check_ceiling(&self, user: &CompiledUser, decision: Decision) -> Step1<()> {
        let ceiling = self
            .accounts
            .get(user.account.index())
            .and_then(|a| a.ceiling);
        match ceiling.and_then(|c| self.set(c)) {
            Some(set) if !set.contains(decision.door) => Err(Decision {
                ceiling: self.excluding_ceiling(user.account, decision.door),
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

    fn user_grants(&self, user: &CompiledUser) -> &[CompiledGrant] {
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
