//! A deliberately naive reference evaluator, written from `docs/decisions.md` alone.
//!
//! It follows the steps of the spec one by one over the plain domain model: no index,
//! no bitmap, no precomputed table. Credentials are found by scanning every user and
//! guest, targets are expanded by walking the model, the instant is turned into local
//! time with `chrono_tz` directly, and schedules are checked rule by rule, walking the
//! holiday calendars' date ranges. It must stay independent of the engine: it uses
//! none of `accessctl_core::{compile, decide, time}` but their public request and
//! answer types (`Request`, `Reason`, `Holder`, `Timestamp`, and for anti-passback
//! `Presence`, `Movement`, `Occupant`, `PassbackCheck`).

use accessctl_core::compile::Holder;
use accessctl_core::decide::{
    Movement, Occupant, PassbackCheck, Presence, Presented, Reason, Request, Subject,
};
use accessctl_core::model::{
    AccountId, AppointmentId, CalendarId, Connectivity, Credential, Door, DoorId, Grant, Policy,
    ReaderModes, ScheduleId, Target, TimeRange, User, UserId, Weekdays,
};
use accessctl_core::model::{Direction, FailMode, Tracking, Zone, ZoneId, ZoneKind};
use accessctl_core::Timestamp;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike};

/// What the reference decides: every part of a decision the spec pins down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    /// The reason (says whether it is an allow).
    pub reason: Reason,
    /// The holder of the credentials, once known.
    pub holder: Option<Holder>,
    /// The target that reached the door.
    pub via: Option<Target>,
    /// The user schedule open (`granted`) or closed (`outside_schedule`), or the door's
    /// own schedule (`door_closed`).
    pub schedule: Option<ScheduleId>,
    /// The nearest sub-account whose ceiling leaves the door out (`beyond_ceiling`).
    pub ceiling: Option<AccountId>,
}

impl Answer {
    fn new(reason: Reason, holder: Option<Holder>) -> Answer {
        Answer {
            reason,
            holder,
            via: None,
            schedule: None,
            ceiling: None,
        }
    }

    fn via(self, via: Option<Target>) -> Answer {
        Answer { via, ..self }
    }

    fn schedule(self, schedule: Option<ScheduleId>) -> Answer {
        Answer { schedule, ..self }
    }
}

/// The local date and minute of the day at `at` in `tz`, as the wall clock shows it.
pub fn local_time(tz: chrono_tz::Tz, at: Timestamp) -> (NaiveDate, u16) {
    let utc = DateTime::from_timestamp(at.0, 0).expect("instant within chrono's range");
    let local = tz.from_utc_datetime(&utc.naive_utc());
    let minute = local.hour() * 60 + local.minute();
    (
        local.date_naive(),
        u16::try_from(minute).expect("minute of day"),
    )
}

// ---------------------------------------------------------------------------------
// Targets and schedules

/// Whether `target` stands for `door`, by walking the model.
fn target_has(policy: &Policy, target: Target, door: DoorId) -> bool {
    match target {
        Target::Door(d) => d == door,
        Target::Site(s) => policy.sites[s.index()].doors.contains(&door),
        Target::Group(g) => policy.groups[g.index()].doors.contains(&door),
        Target::Path(p) => policy.paths[p.index()].doors.contains(&door),
    }
}

/// The first of `targets` that stands for `door`.
fn first_target_with(policy: &Policy, targets: &[Target], door: DoorId) -> Option<Target> {
    targets
        .iter()
        .copied()
        .find(|t| target_has(policy, *t, door))
}

/// Whether `day` is one of the calendar's holidays.
fn in_calendar(policy: &Policy, calendar: CalendarId, day: NaiveDate) -> bool {
    policy.calendars[calendar.index()]
        .holidays
        .iter()
        .any(|h| h.days.from <= day && day <= h.days.to)
}

/// The ranges of schedule `id` that start on local day `day`.
fn ranges_starting(policy: &Policy, id: ScheduleId, day: NaiveDate) -> Vec<TimeRange> {
    let schedule = &policy.schedules[id.index()];
    for rule in &schedule.holiday_rules {
        if rule.calendars.iter().any(|c| in_calendar(policy, *c, day)) {
            return rule.ranges.clone();
        }
    }
    if schedule
        .closed_on
        .iter()
        .any(|c| in_calendar(policy, *c, day))
    {
        return Vec::new();
    }
    let weekday = Weekdays::from_bits_truncate(1 << day.weekday().num_days_from_monday());
    let mut ranges = Vec::new();
    for rule in &schedule.weekly {
        if rule.days.contains(weekday) {
            ranges.extend(rule.ranges.iter().copied());
        }
    }
    ranges
}

/// Whether schedule `id` is open at local `(day, minute)`; `None` is always open.
pub fn schedule_open(policy: &Policy, id: Option<ScheduleId>, day: NaiveDate, minute: u16) -> bool {
    let Some(id) = id else {
        return true;
    };
    let today = ranges_starting(policy, id, day).into_iter().any(|r| {
        if r.end > r.start {
            r.start <= minute && minute < r.end
        } else {
            r.start <= minute
        }
    });
    if today {
        return true;
    }
    match day.pred_opt() {
        Some(yesterday) => ranges_starting(policy, id, yesterday)
            .into_iter()
            .any(|r| r.end <= r.start && minute < r.end),
        None => false,
    }
}

// ---------------------------------------------------------------------------------
// Holders and media

/// Who holds the credential matching `is`, scanning users first, then guests.
fn holder_of(policy: &Policy, is: impl Fn(&Credential) -> bool) -> Option<Holder> {
    for (u, user) in policy.users.iter().enumerate() {
        if user.credentials.iter().any(&is) {
            return Some(Holder::User {
                user: UserId(u as u32),
            });
        }
    }
    for (a, appointment) in policy.appointments.iter().enumerate() {
        for (g, guest) in appointment.guests.iter().enumerate() {
            if guest.credentials.iter().any(&is) {
                return Some(Holder::Guest {
                    appointment: AppointmentId(a as u32),
                    guest: g as u32,
                });
            }
        }
    }
    None
}

fn pin_holder(policy: &Policy, pin: &str) -> Option<Holder> {
    holder_of(policy, |c| matches!(c, Credential::Pin(s) if s == pin))
}

/// Every holder of the presented credentials, `None` for an unknown one.
fn presented_holders(policy: &Policy, p: &Presented<'_>) -> Vec<Option<Holder>> {
    let mut holders = Vec::new();
    if let Some(card) = p.card {
        holders.push(holder_of(policy, |c| *c == Credential::Card(card)));
    }
    if let Some(pin) = p.pin {
        holders.push(pin_holder(policy, pin));
    }
    if let Some(qr) = p.qr {
        holders.push(holder_of(
            policy,
            |c| matches!(c, Credential::Qr(s) if s == qr),
        ));
    }
    if let Some(mobile) = p.mobile {
        holders.push(holder_of(
            policy,
            |c| matches!(c, Credential::Mobile(s) if s == mobile),
        ));
    }
    holders
}

fn media_of(p: &Presented<'_>) -> ReaderModes {
    let mut media = ReaderModes::empty();
    if p.card.is_some() {
        media |= ReaderModes::BADGE;
    }
    if p.pin.is_some() {
        media |= ReaderModes::PIN;
    }
    if p.qr.is_some() {
        media |= ReaderModes::QR;
    }
    if p.mobile.is_some() {
        media |= ReaderModes::MOBILE;
    }
    media
}

/// Whether a holder named directly by a request exists in the policy.
fn exists(policy: &Policy, holder: Holder) -> bool {
    match holder {
        Holder::User { user } => user.index() < policy.users.len(),
        Holder::Guest { appointment, guest } => policy
            .appointments
            .get(appointment.index())
            .is_some_and(|a| (guest as usize) < a.guests.len()),
        Holder::SpaceCode { code } => (code as usize) < policy.space_codes.len(),
    }
}

// ---------------------------------------------------------------------------------
// The steps

/// Decides `request` against `policy` by following `docs/decisions.md` step by step.
pub fn decide(policy: &Policy, request: &Request<'_>) -> Answer {
    let Some(door) = policy.doors.get(request.door.index()) else {
        return Answer::new(Reason::UnknownDoor, None);
    };
    let tz = policy.sites[door.site.index()].timezone;
    let (day, minute) = local_time(tz, request.at);
    let ask = Asked {
        policy,
        door,
        door_id: request.door,
        day,
        minute,
        offline: request.offline || door.connectivity == Connectivity::Offline,
    };
    if let Some(answer) = ask.space_code(&request.subject) {
        return answer;
    }
    let (holder, media, remote) = match ask.identify(&request.subject) {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let some = Some(holder);
    // 3. Media. "A door without `readers` accepts all": the validator lowers a door
    // without a `readers` clause to every mode, so `readers` is read literally here.
    if !media.is_empty() && !door.readers.contains(media) {
        return Answer::new(Reason::MediumNotAccepted, some);
    }
    // 4. Two factors; a remote opening never satisfies a `require`.
    if !media.is_empty() && !door.required.is_empty() && (remote || !media.contains(door.required))
    {
        return Answer::new(Reason::SecondFactorRequired, some);
    }
    match holder {
        Holder::Guest { appointment, .. } => ask.guest(appointment, some),
        Holder::User { user } => ask.user(&policy.users[user.index()], remote, some),
        Holder::SpaceCode { .. } => unreachable!("space codes are decided at step 1"),
    }
}

/// One request's door and local time, with the steps that read them.
struct Asked<'p> {
    policy: &'p Policy,
    door: &'p Door,
    door_id: DoorId,
    day: NaiveDate,
    minute: u16,
    offline: bool,
}

impl Asked<'_> {
    /// Step 1: a keypad code alone equal to one or more permanent space codes.
    fn space_code(&self, subject: &Subject<'_>) -> Option<Answer> {
        let Subject::Credentials(Presented {
            card: None,
            pin: Some(code),
            qr: None,
            mobile: None,
        }) = *subject
        else {
            return None;
        };
        let equal: Vec<usize> = (0..self.policy.space_codes.len())
            .filter(|&i| self.policy.space_codes[i].code == code)
            .collect();
        let first = *equal.first()?;
        for &i in &equal {
            let targets = &self.policy.space_codes[i].targets;
            if let Some(via) = first_target_with(self.policy, targets, self.door_id) {
                let holder = Some(Holder::SpaceCode { code: i as u32 });
                let reason = if self.door.readers.contains(ReaderModes::PIN) {
                    Reason::SpaceCode
                } else {
                    Reason::MediumNotAccepted
                };
                return Some(Answer::new(reason, holder).via(Some(via)));
            }
        }
        if pin_holder(self.policy, code).is_some() {
            return None;
        }
        let holder = Some(Holder::SpaceCode { code: first as u32 });
        Some(Answer::new(Reason::NotGranted, holder))
    }

    /// Step 2: the holder, the media presented, and whether the opening is remote.
    fn identify(&self, subject: &Subject<'_>) -> Result<(Holder, ReaderModes, bool), Answer> {
        let (holder, media, remote) = match *subject {
            Subject::Credentials(p) => {
                let holders = presented_holders(self.policy, &p);
                if holders.is_empty() || holders.iter().any(Option::is_none) {
                    return Err(Answer::new(Reason::UnknownCredential, None));
                }
                let first = holders[0].expect("known");
                if holders.iter().any(|h| *h != Some(first)) {
                    return Err(Answer::new(Reason::FactorsMismatch, None));
                }
                (first, media_of(&p), false)
            }
            Subject::Remote(user) => (Holder::User { user }, ReaderModes::REMOTE, true),
            Subject::User(user) => (Holder::User { user }, ReaderModes::empty(), false),
            Subject::Guest(appointment, guest) => (
                Holder::Guest { appointment, guest },
                ReaderModes::empty(),
                false,
            ),
        };
        if !exists(self.policy, holder) {
            return Err(Answer::new(Reason::UnknownCredential, None));
        }
        Ok((holder, media, remote))
    }

    fn open(&self, schedule: Option<ScheduleId>) -> bool {
        schedule_open(self.policy, schedule, self.day, self.minute)
    }

    /// The nearest sub-account, from `account` up, whose ceiling leaves the door out.
    fn beyond_ceiling(&self, account: AccountId) -> Option<AccountId> {
        let mut current = Some(account);
        while let Some(a) = current {
            let acc = &self.policy.accounts[a.index()];
            if let Some(ceiling) = &acc.ceiling {
                if first_target_with(self.policy, &ceiling.doors, self.door_id).is_none() {
                    return Some(a);
                }
            }
            current = acc.parent;
        }
        None
    }

    /// Step 5: a guest.
    fn guest(&self, appointment: AppointmentId, some: Option<Holder>) -> Answer {
        let appointment = &self.policy.appointments[appointment.index()];
        if self.offline {
            return Answer::new(Reason::OfflineNotAllowed, some);
        }
        if let Some(bound) = appointment.account.and_then(|a| self.beyond_ceiling(a)) {
            return Answer {
                ceiling: Some(bound),
                ..Answer::new(Reason::BeyondCeiling, some)
            };
        }
        let Some(via) = first_target_with(self.policy, &appointment.targets, self.door_id) else {
            return Answer::new(Reason::NotGranted, some);
        };
        let reached = |reason| Answer::new(reason, some).via(Some(via));
        if self.day != appointment.date
            || self.minute < appointment.range.start
            || self.minute >= appointment.range.end
        {
            return reached(Reason::AppointmentNotNow);
        }
        if !self.open(self.door.schedule) {
            return reached(Reason::DoorClosed).schedule(self.door.schedule);
        }
        reached(Reason::Appointment)
    }

    /// Step 6: a user.
    fn user(&self, user: &User, remote: bool, some: Option<Holder>) -> Answer {
        if remote && !user.remote {
            return Answer::new(Reason::RemoteNotAllowed, some);
        }
        if self.offline && (remote || !user.offline) {
            return Answer::new(Reason::OfflineNotAllowed, some);
        }
        if !user.active {
            return Answer::new(Reason::Inactive, some);
        }
        if user.validity.from.is_some_and(|from| self.day < from)
            || user.validity.to.is_some_and(|to| self.day > to)
        {
            return Answer::new(Reason::OutsideValidity, some);
        }
        if let Some(bound) = self.beyond_ceiling(user.account) {
            return Answer {
                ceiling: Some(bound),
                ..Answer::new(Reason::BeyondCeiling, some)
            };
        }
        let counted = self.counted_grants(user);
        if counted.is_empty() {
            return Answer::new(Reason::NotGranted, some);
        }
        let default = self.default_schedule(user.account);
        let schedule_of = |grant: &Grant| grant.schedule.or(user.schedule).or(default);
        let Some((via, grant)) = counted
            .iter()
            .copied()
            .find(|(_, g)| self.open(schedule_of(g)))
        else {
            let (via, grant) = counted[0];
            return Answer::new(Reason::OutsideSchedule, some)
                .via(Some(via))
                .schedule(schedule_of(grant));
        };
        if !self.open(self.door.schedule) {
            return Answer::new(Reason::DoorClosed, some)
                .via(Some(via))
                .schedule(self.door.schedule);
        }
        Answer::new(Reason::Granted, some)
            .via(Some(via))
            .schedule(schedule_of(grant))
    }

    /// The grants that count, in the order written, each with its first target that
    /// reaches the door at the most specific level of all (door > path > group > site).
    fn counted_grants<'u>(&self, user: &'u User) -> Vec<(Target, &'u Grant)> {
        let rank = |t: &Target| match t {
            Target::Site(_) => 1,
            Target::Group(_) => 2,
            Target::Path(_) => 3,
            Target::Door(_) => 4,
        };
        let reaching = |g: &'u Grant| {
            g.targets
                .iter()
                .filter(|t| target_has(self.policy, **t, self.door_id))
        };
        let best = user
            .grants
            .iter()
            .flat_map(reaching)
            .map(rank)
            .max()
            .unwrap_or(0);
        user.grants
            .iter()
            .filter_map(|g| {
                let via = reaching(g).find(|t| rank(t) == best)?;
                Some((*via, g))
            })
            .collect()
    }

    /// The default schedule of the nearest sub-account, from `account` up, that has one.
    fn default_schedule(&self, account: AccountId) -> Option<ScheduleId> {
        let mut current = Some(account);
        while let Some(a) = current {
            let acc = &self.policy.accounts[a.index()];
            if let Some(s) = acc.ceiling.as_ref().and_then(|c| c.schedule) {
                return Some(s);
            }
            current = acc.parent;
        }
        None
    }
}

// ---------------------------------------------------------------------------------
// Anti-passback, the last step

/// What the reference makes of a passage through a zone door.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassageAnswer {
    /// The zone listing the reader.
    pub zone: ZoneId,
    /// Which way it lists it.
    pub direction: Direction,
    /// Whose presence the zone tracks.
    pub occupant: Option<Occupant>,
    /// The outcome.
    pub check: PassbackCheck,
    /// The movement to store.
    pub record: Option<Movement>,
}

/// Decides `request` at reader `reader` of its door, then, at a zone door, applies the
/// last step of `docs/decisions.md` against `presence`.
pub fn decide_passage(
    policy: &Policy,
    request: &Request<'_>,
    reader: u8,
    presence: Presence,
) -> (Answer, Option<PassageAnswer>) {
    let mut answer = decide(policy, request);
    let listed = policy.zones.iter().enumerate().find_map(|(i, zone)| {
        let door = zone
            .doors
            .iter()
            .find(|d| d.door == request.door && (d.reader.is_none() || d.reader == Some(reader)))?;
        Some((ZoneId(i as u32), zone, door.direction))
    });
    let Some((id, zone, direction)) = listed else {
        return (answer, None);
    };
    let allowed = matches!(
        answer.reason,
        Reason::Granted | Reason::Appointment | Reason::SpaceCode
    );
    let occupant = occupant_of(zone, answer.holder, &request.subject);
    let door_offline = policy.doors[request.door.index()].connectivity == Connectivity::Offline;
    let check = if !allowed || occupant.is_none() || matches!(request.subject, Subject::Remote(_)) {
        PassbackCheck::NotChecked
    } else if request.offline || door_offline {
        PassbackCheck::Offline
    } else {
        rule(zone, direction, presence, request.at)
    };
    if matches!(check, PassbackCheck::Refused | PassbackCheck::FailedClosed) {
        answer.reason = Reason::AntiPassback;
    }
    let record = matches!(
        check,
        PassbackCheck::Clear | PassbackCheck::Violation | PassbackCheck::FailedOpen
    )
    .then_some(Movement {
        direction,
        at: request.at,
    });
    let passage = PassageAnswer {
        zone: id,
        direction,
        occupant,
        check,
        record,
    };
    (answer, Some(passage))
}

/// "Per user" tracks the holder; "per card" the card presented, else the holder. A
/// permanent space code names nobody.
fn occupant_of(zone: &Zone, holder: Option<Holder>, subject: &Subject<'_>) -> Option<Occupant> {
    let card = match subject {
        Subject::Credentials(p) => p.card,
        _ => None,
    };
    match holder? {
        Holder::SpaceCode { .. } => None,
        _ if zone.tracking == Tracking::Card && card.is_some() => Some(Occupant::Card {
            number: card.expect("a card"),
        }),
        Holder::User { user } => Some(Occupant::User { user }),
        Holder::Guest { appointment, guest } => Some(Occupant::Guest { appointment, guest }),
    }
}

/// The zone's rule, from the table of `docs/decisions.md`.
fn rule(zone: &Zone, direction: Direction, presence: Presence, at: Timestamp) -> PassbackCheck {
    let last = match presence {
        Presence::Unreachable if zone.unreachable == FailMode::Open => {
            return PassbackCheck::FailedOpen
        }
        Presence::Unreachable => return PassbackCheck::FailedClosed,
        Presence::Known { last: None } => return PassbackCheck::Clear,
        Presence::Known { last: Some(last) } => last,
    };
    if direction == Direction::Exit {
        return if last.direction == Direction::Exit {
            PassbackCheck::Violation
        } else {
            PassbackCheck::Clear
        };
    }
    if last.direction == Direction::Exit {
        return PassbackCheck::Clear;
    }
    match zone.kind {
        ZoneKind::Hard => PassbackCheck::Refused,
        ZoneKind::Soft => PassbackCheck::Violation,
        ZoneKind::Timed { minutes } if at.0 - last.at.0 >= i64::from(minutes) * 60 => {
            PassbackCheck::Clear
        }
        ZoneKind::Timed { .. } => PassbackCheck::Refused,
    }
}
