//! A deliberately naive reference evaluator, written from `docs/decisions.md` alone.
//!
//! It follows the steps of the spec one by one over the plain domain model: no index,
//! no bitmap, no precomputed table. Targets are expanded by walking the model, the
//! instant is turned into local time with `chrono_tz` directly, and schedules are
//! checked rule by rule, walking the holiday calendars' date ranges. It must stay
//! independent of `accessctl_core::{compile, decide, time}` internals: only their
//! public request and answer types are used.

use accessctl_core::compile::Holder;
use accessctl_core::decide::{Presented, Reason, Request, Subject};
use accessctl_core::model::{
    AccountId, Connectivity, Credential, DoorId, Policy, ReaderModes, ScheduleId, Target,
    TimeRange, Weekdays,
};
use accessctl_core::Instant;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike};

/// What the reference decides: the parts of a decision the spec pins down exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    /// The reason (says whether it is an allow).
    pub reason: Reason,
    /// The holder of the credentials, once known.
    pub holder: Option<Holder>,
    /// The nearest sub-account whose ceiling leaves the door out (`beyond_ceiling` only).
    pub ceiling: Option<AccountId>,
    /// The door's own schedule, when it is what denied (`door_closed` only).
    pub door_schedule: Option<ScheduleId>,
}

fn answer(reason: Reason, holder: Option<Holder>) -> Answer {
    Answer {
        reason,
        holder,
        ceiling: None,
        door_schedule: None,
    }
}

/// The local date and minute of the day at `at` in `tz`, as the wall clock shows it.
pub fn local_time(tz: chrono_tz::Tz, at: Instant) -> (NaiveDate, u16) {
    let utc = DateTime::from_timestamp(at.0, 0).expect("instant within chrono's range");
    let local = tz.from_utc_datetime(&utc.naive_utc());
    let minute = local.hour() * 60 + local.minute();
    (
        local.date_naive(),
        u16::try_from(minute).expect("minute of day"),
    )
}

/// Whether `target` stands for `door`, by walking the model.
fn target_has(policy: &Policy, target: Target, door: DoorId) -> bool {
    match target {
        Target::Door(d) => d == door,
        Target::Site(s) => policy.sites[s.index()].doors.contains(&door),
        Target::Group(g) => policy.groups[g.index()].doors.contains(&door),
        Target::Path(p) => policy.paths[p.index()].doors.contains(&door),
    }
}

fn targets_have(policy: &Policy, targets: &[Target], door: DoorId) -> bool {
    targets.iter().any(|t| target_has(policy, *t, door))
}

/// Whether `day` is one of the calendar's holidays.
fn in_calendar(
    policy: &Policy,
    calendar: accessctl_core::model::CalendarId,
    day: NaiveDate,
) -> bool {
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

/// Who holds the credential matching `is`, users first, then guests.
fn holder_of(policy: &Policy, is: impl Fn(&Credential) -> bool) -> Option<Holder> {
    for (u, user) in policy.users.iter().enumerate() {
        if user.credentials.iter().any(&is) {
            return Some(Holder::User {
                user: accessctl_core::model::UserId(u as u32),
            });
        }
    }
    for (a, appointment) in policy.appointments.iter().enumerate() {
        for (g, guest) in appointment.guests.iter().enumerate() {
            if guest.credentials.iter().any(&is) {
                return Some(Holder::Guest {
                    appointment: accessctl_core::model::AppointmentId(a as u32),
                    guest: g as u32,
                });
            }
        }
    }
    None
}

/// Every holder of the presented credentials, `None` for an unknown one.
fn presented_holders(policy: &Policy, p: &Presented<'_>) -> Vec<Option<Holder>> {
    let mut holders = Vec::new();
    if let Some(card) = p.card {
        holders.push(holder_of(policy, |c| *c == Credential::Card(card)));
    }
    if let Some(pin) = p.pin {
        holders.push(holder_of(
            policy,
            |c| matches!(c, Credential::Pin(s) if s == pin),
        ));
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

/// Decides `request` against `policy` by following `docs/decisions.md` step by step.
pub fn decide(policy: &Policy, request: &Request<'_>) -> Answer {
    let Some(door) = policy.doors.get(request.door.index()) else {
        return answer(Reason::UnknownDoor, None);
    };
    let door_id = request.door;
    let tz = policy.sites[door.site.index()].timezone;
    let (day, minute) = local_time(tz, request.at);
    let offline = request.offline || door.connectivity == Connectivity::Offline;
    // "A door without `readers` accepts all": the validator lowers a door without a
    // `readers` clause to every mode, so in the model `readers` is read literally.
    let accepts = |media: ReaderModes| door.readers.contains(media);

    // 1. Space code: a keypad code alone equal to one or more permanent space codes.
    if let Subject::Credentials(Presented {
        card: None,
        pin: Some(code),
        qr: None,
        mobile: None,
    }) = request.subject
    {
        let equal: Vec<usize> = (0..policy.space_codes.len())
            .filter(|&i| policy.space_codes[i].code == code)
            .collect();
        if let Some(&first) = equal.first() {
            let covering = equal
                .iter()
                .copied()
                .find(|&i| targets_have(policy, &policy.space_codes[i].targets, door_id));
            let Some(i) = covering else {
                return answer(
                    Reason::NotGranted,
                    Some(Holder::SpaceCode { code: first as u32 }),
                );
            };
            let holder = Some(Holder::SpaceCode { code: i as u32 });
            if !accepts(ReaderModes::PIN) {
                return answer(Reason::MediumNotAccepted, holder);
            }
            return answer(Reason::SpaceCode, holder);
        }
    }

    // 2. Identify the holder.
    let (holder, media, remote) = match request.subject {
        Subject::Credentials(p) => {
            let holders = presented_holders(policy, &p);
            if holders.is_empty() || holders.iter().any(Option::is_none) {
                return answer(Reason::UnknownCredential, None);
            }
            let first = holders[0].expect("known");
            if holders.iter().any(|h| *h != Some(first)) {
                return answer(Reason::FactorsMismatch, None);
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
    let some = Some(holder);

    // 3. Media.
    if !media.is_empty() && !accepts(media) {
        return answer(Reason::MediumNotAccepted, some);
    }

    // 4. Two factors; a remote opening never satisfies a `require`.
    if !media.is_empty() && !door.required.is_empty() && (remote || !media.contains(door.required))
    {
        return answer(Reason::SecondFactorRequired, some);
    }

    let door_closed = Answer {
        reason: Reason::DoorClosed,
        holder: some,
        ceiling: None,
        door_schedule: door.schedule,
    };

    match holder {
        // 5. A guest.
        Holder::Guest { appointment, .. } => {
            let appointment = &policy.appointments[appointment.index()];
            if offline {
                return answer(Reason::OfflineNotAllowed, some);
            }
            if !targets_have(policy, &appointment.targets, door_id) {
                return answer(Reason::NotGranted, some);
            }
            if day != appointment.date
                || minute < appointment.range.start
                || minute >= appointment.range.end
            {
                return answer(Reason::AppointmentNotNow, some);
            }
            if !schedule_open(policy, door.schedule, day, minute) {
                return door_closed;
            }
            answer(Reason::Appointment, some)
        }
        // 6. A user.
        Holder::User { user: user_id } => {
            let user = &policy.users[user_id.index()];
            if remote && !user.remote {
                return answer(Reason::RemoteNotAllowed, some);
            }
            if offline && (remote || !user.offline) {
                return answer(Reason::OfflineNotAllowed, some);
            }
            if !user.active {
                return answer(Reason::Inactive, some);
            }
            if user.validity.from.is_some_and(|from| day < from)
                || user.validity.to.is_some_and(|to| day > to)
            {
                return answer(Reason::OutsideValidity, some);
            }
            // Ceilings: the user's sub-account first, then every ancestor sub-account.
            let mut account = Some(user.account);
            while let Some(a) = account {
                let acc = &policy.accounts[a.index()];
                if let Some(ceiling) = &acc.ceiling {
                    if !targets_have(policy, &ceiling.doors, door_id) {
                        return Answer {
                            reason: Reason::BeyondCeiling,
                            holder: some,
                            ceiling: Some(a),
                            door_schedule: None,
                        };
                    }
                }
                account = acc.parent;
            }
            // Grants: only the most specific ones count.
            let rank = |t: &Target| match t {
                Target::Site(_) => 1,
                Target::Group(_) => 2,
                Target::Path(_) => 3,
                Target::Door(_) => 4,
            };
            let mut best = 0;
            let mut counted = Vec::new();
            for grant in &user.grants {
                let level = grant
                    .targets
                    .iter()
                    .filter(|t| target_has(policy, **t, door_id))
                    .map(rank)
                    .max()
                    .unwrap_or(0);
                if level == 0 {
                    continue;
                }
                if level > best {
                    best = level;
                    counted.clear();
                }
                if level == best {
                    counted.push(grant);
                }
            }
            if counted.is_empty() {
                return answer(Reason::NotGranted, some);
            }
            // User schedule: the grant's own, else the user's, else the nearest default.
            let mut default = None;
            let mut account = Some(user.account);
            while let Some(a) = account {
                let acc = &policy.accounts[a.index()];
                if let Some(s) = acc.ceiling.as_ref().and_then(|c| c.schedule) {
                    default = Some(s);
                    break;
                }
                account = acc.parent;
            }
            let open = counted.iter().any(|grant| {
                let schedule = grant.schedule.or(user.schedule).or(default);
                schedule_open(policy, schedule, day, minute)
            });
            if !open {
                return answer(Reason::OutsideSchedule, some);
            }
            if !schedule_open(policy, door.schedule, day, minute) {
                return door_closed;
            }
            answer(Reason::Granted, some)
        }
        Holder::SpaceCode { .. } => unreachable!("space codes are decided at step 1"),
    }
}
