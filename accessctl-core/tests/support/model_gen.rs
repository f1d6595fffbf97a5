//! Random but valid policies and requests for the differential test, built directly as
//! model structs (no parsing).
//!
//! Strategies produce *raw* shapes whose references are [`Index`] values; [`build`]
//! resolves them against what exists, so every value is a well-formed model, and
//! proptest can shrink a failing case. Grants and owned appointments may reach beyond
//! their sub-account's ceiling on purpose: the engine must bound them even though the
//! validator rejects them.
//! Credentials are unique across the policy; one holder may hold a space code's
//! characters as its PIN (the validator allows it). Anti-passback zones list each
//! reader of a door at most once, and each request comes with a reader and the
//! presence a controller would pass ([`build_passage`]).

use std::sync::OnceLock;

use accessctl_core::compile::Holder;
use accessctl_core::decide::{Movement, Presence, Presented, Request, Subject};
use accessctl_core::model::{
    Account, AccountId, AdminRights, Appointment, AppointmentId, CalendarId, Ceiling, Connectivity,
    Credential, DateRange, Door, DoorGroup, DoorId, Grant, Guest, Holiday, HolidayCalendar,
    HolidayRule, Path, Policy, ReaderModes, Schedule, ScheduleId, Site, SiteId, SpaceCode, Target,
    TimeRange, User, UserId, Validity, Weekdays, WeeklyRule,
};
use accessctl_core::model::{Direction, FailMode, Tracking, Zone, ZoneDoor, ZoneKind};
use accessctl_core::Timestamp;
use chrono::{Duration, NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

/// The zones sites are drawn from: DST in both hemispheres, half- and quarter-hour
/// offsets, and both ends of the offset range (+14 and -11, whose local date differs
/// from UTC's most of the day).
pub const ZONES: [Tz; 12] = [
    Tz::Europe__Paris,
    Tz::America__New_York,
    Tz::America__Los_Angeles,
    Tz::Pacific__Auckland,
    Tz::Pacific__Kiritimati,
    Tz::Australia__Lord_Howe,
    Tz::UTC,
    Tz::Asia__Kolkata,
    Tz::America__St_Johns,
    Tz::Pacific__Chatham,
    Tz::Pacific__Pago_Pago,
    Tz::Asia__Kathmandu,
];

/// Days covered by generated dates: 2026-01-01 and the 729 after it.
const DAYS: u16 = 730;

/// Codes typed on keypads that no credential holds.
pub const SPACE_CODES: [&str; 4] = ["482913", "A1B2C3", "000000", "K9K9K9"];

/// The first generated day.
pub fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date")
}

/// Days where things happen at once: DST changes (Europe, America, Lord Howe), their
/// eves, and common public holidays. Calendars, appointments and validity windows draw
/// from them often, so that they overlap and meet DST.
const SPECIAL: [(i32, u32, u32); 12] = [
    (2026, 1, 1),
    (2026, 3, 8),
    (2026, 3, 28),
    (2026, 3, 29),
    (2026, 4, 5),
    (2026, 10, 4),
    (2026, 10, 25),
    (2026, 11, 1),
    (2026, 12, 31),
    (2027, 1, 1),
    (2027, 3, 28),
    (2027, 10, 31),
];

/// A day offset from [`epoch`]; offsets past [`DAYS`] stand for the [`SPECIAL`] days.
fn day(offset: u16) -> NaiveDate {
    match offset.checked_sub(DAYS) {
        Some(special) => {
            let (y, m, d) = SPECIAL[usize::from(special) % SPECIAL.len()];
            NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
        }
        None => epoch() + Duration::days(i64::from(offset)),
    }
}

/// A day offset, a special day half of the time.
fn any_day() -> impl Strategy<Value = u16> {
    prop_oneof![0..DAYS, DAYS..DAYS + SPECIAL.len() as u16]
}

// ---------------------------------------------------------------------------------
// Raw shapes

/// A reference to some target; the kind is resolved against what exists.
#[derive(Debug, Clone)]
pub struct RawTarget(u8, Index);

#[derive(Debug, Clone)]
pub struct RawDoor {
    site: Index,
    all_readers: bool,
    readers: u8,
    required: Option<u8>,
    offline: bool,
    schedule: Option<Index>,
}

#[derive(Debug, Clone)]
pub struct RawSet {
    site: Index,
    doors: Vec<Index>,
}

/// Minute ranges `(start, end)` of one day.
type RawRanges = Vec<(u16, u16)>;

#[derive(Debug, Clone)]
pub struct RawSchedule {
    weekly: Vec<(u8, RawRanges)>,
    closed_on: Vec<Index>,
    holiday_rules: Vec<(Vec<Index>, RawRanges)>,
}

#[derive(Debug, Clone)]
pub struct RawAccount {
    parent: Option<Index>,
    ceiling: Vec<RawTarget>,
    rights: u32,
    schedule: Option<Index>,
}

#[derive(Debug, Clone)]
pub struct RawUser {
    account: Index,
    active: bool,
    offline: bool,
    remote: bool,
    validity: (Option<u16>, Option<u16>),
    credentials: Vec<u8>,
    schedule: Option<Index>,
    grants: Vec<(Vec<RawTarget>, Option<Index>)>,
}

#[derive(Debug, Clone)]
pub struct RawAppointment {
    /// The owning account, if any (its ceilings bound the guests).
    account: Option<Index>,
    date: u16,
    start: u16,
    len: u16,
    targets: Vec<RawTarget>,
    guests: Vec<Vec<u8>>,
}

#[derive(Debug, Clone)]
pub struct RawSpaceCode {
    site: Index,
    code: usize,
    targets: Vec<RawTarget>,
}

#[derive(Debug, Clone)]
pub struct RawZone {
    /// Declared in a site (its doors only), or at the top level.
    site: Option<Index>,
    /// Door, reader (`None`: every reader), exit.
    doors: Vec<(Index, Option<u8>, bool)>,
    /// 0 hard, 1 soft, 2 timed.
    kind: u8,
    minutes: u32,
    per_card: bool,
    /// `unreachable open` (true) or `closed`; `None`: the kind's default.
    unreachable: Option<bool>,
}

/// The presence passed with a request, before resolution against its instant.
#[derive(Debug, Clone)]
pub struct RawPresence {
    /// 0 unreachable, 1 nothing recorded, 2 an entry, 3 an exit.
    kind: u8,
    /// Minutes before the request the movement was recorded (negative: after it).
    ago: i64,
    /// A reader listed by a zone (when `true`), else `reader`.
    listed: bool,
    pick: Index,
    reader: u8,
}

/// A whole policy before its references are resolved.
#[derive(Debug, Clone)]
pub struct RawPolicy {
    sites: Vec<usize>,
    doors: Vec<RawDoor>,
    groups: Vec<RawSet>,
    paths: Vec<RawSet>,
    calendars: Vec<Vec<(u16, u16)>>,
    schedules: Vec<RawSchedule>,
    accounts: Vec<RawAccount>,
    users: Vec<RawUser>,
    appointments: Vec<RawAppointment>,
    space_codes: Vec<RawSpaceCode>,
    card_salt: u32,
    /// A user (`false`) or guest (`true`) who also holds one of [`SPACE_CODES`] as a
    /// PIN: the code then opens the space's doors as a space code and the holder's
    /// other doors as a PIN.
    pin_clash: Option<(bool, Index, usize)>,
    zones: Vec<RawZone>,
}

/// Who asks, before resolution.
#[derive(Debug, Clone)]
pub enum RawSubject {
    /// One existing credential.
    One(Index),
    /// A credential nobody holds, of kind `0..4`.
    Unknown(u8),
    /// A space code typed alone.
    SpaceAlone(Index),
    /// A space code typed with some card.
    SpacePlus(Index, Index),
    /// Two credentials of different kinds of one holder.
    TwoSame(Index),
    /// Two credentials of different kinds, of any holders.
    TwoAny(Index, Index),
    /// An existing credential with an unknown one.
    KnownPlusUnknown(Index, u8),
    /// An existing code presented through another medium (a QR string typed as a PIN).
    CrossKind(Index, u8),
    /// Three credentials or more: one holder's of distinct kinds, or any holders'
    /// (odd mix), with an unknown one added (mix ≥ 2).
    Three(Index, Index, u8),
    /// A remote opening (0), user query (1) or guest query (2) naming a holder the
    /// policy does not have.
    Nobody(u8),
    /// A remote opening by a user.
    Remote(Index),
    /// A user query.
    User(Index),
    /// A guest query.
    Guest(Index, Index),
}

/// When, before resolution against the door's zone.
#[derive(Debug, Clone)]
pub struct RawInstant {
    kind: u8,
    pick: Index,
    day: u16,
    minute: u16,
    delta: i16,
    secs: u8,
    wide: u32,
}

/// A request before resolution.
#[derive(Debug, Clone)]
pub struct RawRequest {
    subject: RawSubject,
    /// Ask about a door the policy does not have.
    unknown_door: bool,
    biased_door: bool,
    door: Index,
    at: RawInstant,
    offline: bool,
    presence: RawPresence,
}

// ---------------------------------------------------------------------------------
// Strategies

fn target() -> impl Strategy<Value = RawTarget> {
    (
        prop_oneof![2 => Just(0u8), 3 => Just(1u8), 2 => Just(2u8), 1 => Just(3u8)],
        any::<Index>(),
    )
        .prop_map(|(k, i)| RawTarget(k, i))
}

fn ceiling_target() -> impl Strategy<Value = RawTarget> {
    (
        prop_oneof![6 => Just(0u8), 2 => Just(1u8), 1 => Just(2u8), 1 => Just(3u8)],
        any::<Index>(),
    )
        .prop_map(|(k, i)| RawTarget(k, i))
}

fn minute() -> impl Strategy<Value = u16> {
    prop_oneof![
        2 => (0u16..=24).prop_map(|h| h * 60),
        1 => (0u16..=48).prop_map(|h| h * 30),
        2 => 0u16..=1440,
    ]
}

fn range() -> impl Strategy<Value = (u16, u16)> {
    (minute(), minute(), prop::bool::weighted(0.1)).prop_map(|(s, e, whole)| {
        let s = if s >= 1440 { 0 } else { s };
        // `S-S` runs for 24 hours from S.
        (s, if whole { s } else { e })
    })
}

fn raw_door() -> impl Strategy<Value = RawDoor> {
    (
        any::<Index>(),
        prop::bool::weighted(0.6),
        1u8..32,
        prop::option::weighted(0.2, 0u8..32),
        prop::bool::weighted(0.1),
        prop::option::weighted(0.35, any::<Index>()),
    )
        .prop_map(
            |(site, all_readers, readers, required, offline, schedule)| RawDoor {
                site,
                all_readers,
                readers,
                required,
                offline,
                schedule,
            },
        )
}

fn raw_set() -> impl Strategy<Value = RawSet> {
    (any::<Index>(), vec(any::<Index>(), 1..5)).prop_map(|(site, doors)| RawSet { site, doors })
}

fn raw_schedule() -> impl Strategy<Value = RawSchedule> {
    (
        vec((1u8..128, vec(range(), 1..3)), 0..4),
        vec(any::<Index>(), 0..2),
        vec((vec(any::<Index>(), 1..3), vec(range(), 0..3)), 0..3),
    )
        .prop_map(|(weekly, closed_on, holiday_rules)| RawSchedule {
            weekly,
            closed_on,
            holiday_rules,
        })
}

fn raw_account() -> impl Strategy<Value = RawAccount> {
    (
        prop::option::weighted(0.8, any::<Index>()),
        prop_oneof![9 => vec(ceiling_target(), 1..4), 1 => Just(Vec::new())],
        any::<u32>(),
        prop::option::weighted(0.3, any::<Index>()),
    )
        .prop_map(|(parent, ceiling, rights, schedule)| RawAccount {
            parent,
            ceiling,
            rights,
            schedule,
        })
}

fn raw_user() -> impl Strategy<Value = RawUser> {
    (
        any::<Index>(),
        prop::bool::weighted(0.9),
        any::<bool>(),
        any::<bool>(),
        (
            prop::option::weighted(0.25, any_day()),
            prop::option::weighted(0.25, 0u16..400),
        ),
        vec(0u8..4, 0..4),
        prop::option::weighted(0.4, any::<Index>()),
        vec(
            (
                vec(target(), 1..3),
                prop::option::weighted(0.4, any::<Index>()),
            ),
            0..4,
        ),
    )
        .prop_map(
            |(account, active, offline, remote, validity, credentials, schedule, grants)| RawUser {
                account,
                active,
                offline,
                remote,
                validity,
                credentials,
                schedule,
                grants,
            },
        )
}

fn raw_appointment() -> impl Strategy<Value = RawAppointment> {
    (
        prop::option::weighted(0.6, any::<Index>()),
        any_day(),
        0u16..1440,
        1u16..720,
        vec(target(), 1..3),
        vec(vec(0u8..4, 0..3), 1..3),
    )
        .prop_map(
            |(account, date, start, len, targets, guests)| RawAppointment {
                account,
                date,
                start,
                len,
                targets,
                guests,
            },
        )
}

fn raw_space_code() -> impl Strategy<Value = RawSpaceCode> {
    (any::<Index>(), 0..SPACE_CODES.len(), vec(target(), 0..3)).prop_map(|(site, code, targets)| {
        RawSpaceCode {
            site,
            code,
            targets,
        }
    })
}

fn raw_zone() -> impl Strategy<Value = RawZone> {
    (
        prop::option::weighted(0.5, any::<Index>()),
        vec(
            (
                any::<Index>(),
                prop::option::weighted(0.6, 0u8..3),
                prop::bool::weighted(0.35),
            ),
            1..5,
        ),
        0u8..3,
        prop_oneof![Just(30u32), 1u32..=120],
        any::<bool>(),
        prop::option::weighted(0.5, any::<bool>()),
    )
        .prop_map(
            |(site, doors, kind, minutes, per_card, unreachable)| RawZone {
                site,
                doors,
                kind,
                minutes,
                per_card,
                unreachable,
            },
        )
}

fn raw_presence() -> impl Strategy<Value = RawPresence> {
    (
        prop_oneof![1 => Just(0u8), 2 => Just(1u8), 4 => Just(2u8), 3 => Just(3u8)],
        prop_oneof![
            2 => -5i64..=5,
            2 => 25i64..=35,
            1 => 0i64..=200,
        ],
        prop::bool::weighted(0.8),
        any::<Index>(),
        0u8..4,
    )
        .prop_map(|(kind, ago, listed, pick, reader)| RawPresence {
            kind,
            ago,
            listed,
            pick,
            reader,
        })
}

/// A raw policy: 1–3 sites, 1–12 doors, up to 5 schedules over up to 2 calendars, an
/// account tree up to 3 levels of sub-accounts deep, users, appointments, space codes.
pub fn raw_policy() -> impl Strategy<Value = RawPolicy> {
    let zone = prop_oneof![3 => Just(0usize), 5 => 0..ZONES.len()];
    (
        (
            vec(zone, 1..=3),
            vec(raw_door(), 1..=12),
            vec(raw_set(), 0..4),
            vec(raw_set(), 0..3),
            vec(
                vec(
                    (any_day(), prop_oneof![3 => Just(0u16), 1 => 0u16..4]),
                    1..5,
                ),
                0..=2,
            ),
            vec(raw_schedule(), 0..=5),
        ),
        (
            vec(raw_account(), 1..7),
            vec(raw_user(), 1..9),
            vec(raw_appointment(), 0..3),
            vec(raw_space_code(), 0..4),
            any::<u32>(),
            prop::option::weighted(0.5, (any::<bool>(), any::<Index>(), 0..SPACE_CODES.len())),
            vec(raw_zone(), 0..4),
        ),
    )
        .prop_map(
            |(
                (sites, doors, groups, paths, calendars, schedules),
                (accounts, users, appointments, space_codes, card_salt, pin_clash, zones),
            )| RawPolicy {
                sites,
                doors,
                groups,
                paths,
                calendars,
                schedules,
                accounts,
                users,
                appointments,
                space_codes,
                card_salt,
                pin_clash,
                zones,
            },
        )
}

fn raw_subject() -> impl Strategy<Value = RawSubject> {
    prop_oneof![
        10 => any::<Index>().prop_map(RawSubject::One),
        1 => (0u8..4).prop_map(RawSubject::Unknown),
        2 => any::<Index>().prop_map(RawSubject::SpaceAlone),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| RawSubject::SpacePlus(a, b)),
        3 => any::<Index>().prop_map(RawSubject::TwoSame),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| RawSubject::TwoAny(a, b)),
        1 => (any::<Index>(), 0u8..4).prop_map(|(a, k)| RawSubject::KnownPlusUnknown(a, k)),
        1 => (any::<Index>(), 0u8..4).prop_map(|(a, k)| RawSubject::CrossKind(a, k)),
        1 => (any::<Index>(), any::<Index>(), 0u8..4)
            .prop_map(|(a, b, mix)| RawSubject::Three(a, b, mix)),
        1 => (0u8..3).prop_map(RawSubject::Nobody),
        3 => any::<Index>().prop_map(RawSubject::Remote),
        4 => any::<Index>().prop_map(RawSubject::User),
        3 => (any::<Index>(), any::<Index>()).prop_map(|(a, g)| RawSubject::Guest(a, g)),
    ]
}

fn raw_instant() -> impl Strategy<Value = RawInstant> {
    (
        prop_oneof![
            3 => Just(0u8), 2 => Just(1u8), 2 => Just(2u8), 2 => Just(3u8),
            3 => Just(4u8), 2 => Just(5u8), 1 => Just(6u8),
        ],
        any::<Index>(),
        any_day(),
        0u16..1440,
        -3i16..=3,
        prop_oneof![3 => Just(0u8), 1 => 0u8..60],
        any::<u32>(),
    )
        .prop_map(|(kind, pick, day, minute, delta, secs, wide)| RawInstant {
            kind,
            pick,
            day,
            minute,
            delta,
            secs,
            wide,
        })
}

/// A raw request.
pub fn raw_request() -> impl Strategy<Value = RawRequest> {
    (
        raw_subject(),
        prop::bool::weighted(0.005),
        prop::bool::weighted(0.8),
        any::<Index>(),
        raw_instant(),
        prop::bool::weighted(0.12),
        raw_presence(),
    )
        .prop_map(
            |(subject, unknown_door, biased_door, door, at, offline, presence)| RawRequest {
                subject,
                unknown_door,
                biased_door,
                door,
                at,
                offline,
                presence,
            },
        )
}

// ---------------------------------------------------------------------------------
// Building the policy

fn pick<T: Copy>(items: &[T], index: &Index) -> Option<T> {
    if items.is_empty() {
        None
    } else {
        Some(items[index.index(items.len())])
    }
}

fn build_target(policy: &Policy, raw: &RawTarget) -> Target {
    let RawTarget(kind, i) = raw;
    let door = Target::Door(DoorId(i.index(policy.doors.len()) as u32));
    match kind {
        0 => Target::Site(SiteId(i.index(policy.sites.len()) as u32)),
        2 if !policy.groups.is_empty() => Target::Group(accessctl_core::model::GroupId(
            i.index(policy.groups.len()) as u32,
        )),
        3 if !policy.paths.is_empty() => Target::Path(accessctl_core::model::PathId(
            i.index(policy.paths.len()) as u32,
        )),
        _ => door,
    }
}

fn build_ranges(raw: &[(u16, u16)]) -> Vec<TimeRange> {
    raw.iter()
        .map(|&(start, end)| TimeRange { start, end })
        .collect()
}

fn schedule_ref(n: usize, raw: &Option<Index>) -> Option<ScheduleId> {
    raw.as_ref()
        .filter(|_| n > 0)
        .map(|i| ScheduleId(i.index(n) as u32))
}

struct Counter {
    next: u32,
    salt: u32,
}

impl Counter {
    fn credential(&mut self, kind: u8) -> Credential {
        let k = self.next;
        self.next += 1;
        match kind {
            0 => Credential::Card((u64::from(self.salt) << 12) | u64::from(k)),
            1 => Credential::Pin(format!("{:04}", 1000 + k)),
            2 => Credential::Qr(format!("QR{k:03}")),
            _ => Credential::Mobile(format!("MK-{k}")),
        }
    }
}

/// Resolves a raw policy into a valid model.
pub fn build(raw: &RawPolicy) -> Policy {
    let mut policy = Policy::default();
    for (i, &zone) in raw.sites.iter().enumerate() {
        policy.sites.push(Site {
            name: format!("site{i}"),
            title: None,
            timezone: ZONES[zone],
            keystore: None,
            card_formats: Vec::new(),
            doors: Vec::new(),
        });
    }
    let n_schedules = raw.schedules.len();
    for (i, d) in raw.doors.iter().enumerate() {
        let site = d.site.index(policy.sites.len());
        // A door without a `readers` clause accepts every mode.
        let readers = if d.all_readers {
            ReaderModes::all()
        } else {
            ReaderModes::from_bits_truncate(d.readers)
        };
        let required = d
            .required
            .map(|bits| ReaderModes::from_bits_truncate(bits) & readers)
            .filter(|r| r.bits().count_ones() >= 2)
            .unwrap_or_default();
        policy.doors.push(Door {
            name: format!("door{i}"),
            title: None,
            site: SiteId(site as u32),
            external_id: None,
            readers,
            schedule: schedule_ref(n_schedules, &d.schedule),
            connectivity: if d.offline {
                Connectivity::Offline
            } else {
                Connectivity::Online
            },
            capacity: None,
            required,
            card_formats: None,
        });
        policy.sites[site].doors.push(DoorId(i as u32));
    }
    let site_doors = |policy: &Policy, set: &RawSet| -> (SiteId, Vec<DoorId>) {
        let site = set.site.index(policy.sites.len());
        let available = &policy.sites[site].doors;
        let mut doors = Vec::new();
        for i in &set.doors {
            if let Some(d) = pick(available, i) {
                if !doors.contains(&d) {
                    doors.push(d);
                }
            }
        }
        (SiteId(site as u32), doors)
    };
    for (i, g) in raw.groups.iter().enumerate() {
        let (site, doors) = site_doors(&policy, g);
        if !doors.is_empty() {
            policy.groups.push(DoorGroup {
                name: format!("group{i}"),
                site,
                doors,
            });
        }
    }
    for (i, p) in raw.paths.iter().enumerate() {
        let (site, doors) = site_doors(&policy, p);
        if !doors.is_empty() {
            policy.paths.push(Path {
                name: format!("path{i}"),
                site,
                doors,
            });
        }
    }
    for (i, holidays) in raw.calendars.iter().enumerate() {
        policy.calendars.push(HolidayCalendar {
            name: format!("cal{i}"),
            holidays: holidays
                .iter()
                .map(|&(from, len)| Holiday {
                    days: DateRange {
                        from: day(from),
                        to: day(from) + Duration::days(i64::from(len)),
                    },
                    label: None,
                })
                .collect(),
        });
    }
    let n_calendars = policy.calendars.len();
    let calendar = |i: &Index| CalendarId(i.index(n_calendars) as u32);
    for (i, s) in raw.schedules.iter().enumerate() {
        let mut schedule = Schedule {
            name: format!("sched{i}"),
            weekly: s
                .weekly
                .iter()
                .map(|(days, ranges)| WeeklyRule {
                    days: Weekdays::from_bits_truncate(*days),
                    ranges: build_ranges(ranges),
                })
                .collect(),
            closed_on: Vec::new(),
            holiday_rules: Vec::new(),
        };
        if n_calendars > 0 {
            for c in &s.closed_on {
                let c = calendar(c);
                if !schedule.closed_on.contains(&c) {
                    schedule.closed_on.push(c);
                }
            }
            for (calendars, ranges) in &s.holiday_rules {
                let mut cals = Vec::new();
                for c in calendars {
                    let c = calendar(c);
                    if !cals.contains(&c) {
                        cals.push(c);
                    }
                }
                schedule.holiday_rules.push(HolidayRule {
                    calendars: cals,
                    ranges: build_ranges(ranges),
                });
            }
        }
        policy.schedules.push(schedule);
    }
    // The account tree: account 0 is top-level; a parent comes before its children and
    // sub-accounts nest at most 3 levels below a top-level account.
    let mut depth: Vec<usize> = Vec::new();
    for (i, a) in raw.accounts.iter().enumerate() {
        let candidates: Vec<usize> = (0..i).filter(|&j| depth[j] < 3).collect();
        let parent = if i == 0 {
            None
        } else {
            a.parent.as_ref().and_then(|p| pick(&candidates, p))
        };
        let ceiling = parent.map(|_| Ceiling {
            doors: a.ceiling.iter().map(|t| build_target(&policy, t)).collect(),
            rights: AdminRights::from_bits_truncate(a.rights),
            schedule: schedule_ref(n_schedules, &a.schedule),
        });
        depth.push(parent.map_or(0, |p| depth[p] + 1));
        policy.accounts.push(Account {
            name: format!("acct{i}"),
            title: None,
            parent: parent.map(|p| AccountId(p as u32)),
            ceiling,
            users: Vec::new(),
            children: Vec::new(),
        });
        if let Some(p) = parent {
            policy.accounts[p].children.push(AccountId(i as u32));
        }
    }
    let mut counter = Counter {
        next: 0,
        salt: raw.card_salt,
    };
    for (i, u) in raw.users.iter().enumerate() {
        let account = u.account.index(policy.accounts.len());
        let from = u.validity.0.map(day);
        let to = match (u.validity.0, u.validity.1) {
            (Some(f), Some(len)) => Some(day(f) + Duration::days(i64::from(len))),
            (None, Some(off)) => Some(day(off.saturating_mul(2) % (DAYS + SPECIAL.len() as u16))),
            _ => None,
        };
        let grants = u
            .grants
            .iter()
            .map(|(targets, schedule)| Grant {
                targets: targets.iter().map(|t| build_target(&policy, t)).collect(),
                schedule: schedule_ref(n_schedules, schedule),
            })
            .collect();
        policy.users.push(User {
            name: format!("user{i}"),
            title: None,
            account: AccountId(account as u32),
            email: None,
            tags: Vec::new(),
            validity: Validity { from, to },
            active: u.active,
            offline: u.offline,
            remote: u.remote,
            key_options: Default::default(),
            credentials: u
                .credentials
                .iter()
                .map(|&k| counter.credential(k))
                .collect(),
            schedule: schedule_ref(n_schedules, &u.schedule),
            grants,
            admin: None,
            created_by: None,
        });
        policy.accounts[account].users.push(UserId(i as u32));
    }
    for (i, a) in raw.appointments.iter().enumerate() {
        policy.appointments.push(Appointment {
            name: format!("appt{i}"),
            account: a
                .account
                .as_ref()
                .map(|i| AccountId(i.index(policy.accounts.len()) as u32)),
            date: day(a.date),
            range: TimeRange {
                start: a.start,
                end: (a.start + a.len).min(1440),
            },
            targets: a.targets.iter().map(|t| build_target(&policy, t)).collect(),
            guests: a
                .guests
                .iter()
                .enumerate()
                .map(|(g, kinds)| Guest {
                    name: format!("guest{g}"),
                    email: format!("guest{g}@appt{i}.example"),
                    credentials: kinds.iter().map(|&k| counter.credential(k)).collect(),
                })
                .collect(),
            organizer: None,
            subject: None,
            description: None,
            remote: false,
        });
    }
    for s in &raw.space_codes {
        let site = SiteId(s.site.index(policy.sites.len()) as u32);
        let code = SPACE_CODES[s.code];
        if policy
            .space_codes
            .iter()
            .any(|c| c.code == code && c.site == site)
        {
            continue;
        }
        // A space code opens doors of its own site only.
        let targets = s
            .targets
            .iter()
            .map(|t| build_target(&policy, t))
            .map(|t| {
                let same_site = match t {
                    Target::Site(s) => s == site,
                    Target::Door(d) => policy.doors[d.index()].site == site,
                    Target::Group(g) => policy.groups[g.index()].site == site,
                    Target::Path(p) => policy.paths[p.index()].site == site,
                };
                if same_site {
                    t
                } else {
                    Target::Site(site)
                }
            })
            .collect();
        policy.space_codes.push(SpaceCode {
            code: code.to_owned(),
            site,
            targets,
        });
    }
    if let Some((guest, holder, code)) = &raw.pin_clash {
        clash_pin(&mut policy, *guest, holder, SPACE_CODES[*code]);
    }
    build_zones(&mut policy, &raw.zones);
    policy
}

/// Zones as the validator leaves them: no reader listed twice, an entry in each.
fn build_zones(policy: &mut Policy, raw: &[RawZone]) {
    let mut taken: Vec<(DoorId, Option<u8>)> = Vec::new();
    for (i, z) in raw.iter().enumerate() {
        let site = z
            .site
            .as_ref()
            .map(|s| SiteId(s.index(policy.sites.len()) as u32));
        let available: Vec<DoorId> = match site {
            Some(s) => policy.sites[s.index()].doors.clone(),
            None => (0..policy.doors.len() as u32).map(DoorId).collect(),
        };
        let mut doors = Vec::new();
        for (d, reader, exit) in &z.doors {
            let Some(door) = pick(&available, d) else {
                continue;
            };
            let clash = taken
                .iter()
                .any(|(td, tr)| *td == door && (tr.is_none() || reader.is_none() || tr == reader));
            if clash {
                continue;
            }
            taken.push((door, *reader));
            let direction = if *exit {
                Direction::Exit
            } else {
                Direction::Entry
            };
            doors.push(ZoneDoor {
                door,
                reader: *reader,
                direction,
            });
        }
        if !doors.iter().any(|d| d.direction == Direction::Entry) {
            continue;
        }
        let kind = match z.kind {
            0 => ZoneKind::Hard,
            1 => ZoneKind::Soft,
            _ => ZoneKind::Timed { minutes: z.minutes },
        };
        let unreachable = match z.unreachable {
            Some(true) => FailMode::Open,
            Some(false) => FailMode::Closed,
            None => kind.default_fail_mode(),
        };
        policy.zones.push(Zone {
            name: format!("zone{i}"),
            title: None,
            site,
            doors,
            kind,
            tracking: if z.per_card {
                Tracking::Card
            } else {
                Tracking::User
            },
            unreachable,
        });
    }
}

/// The reader a raw request is presented at, and the presence passed with it.
pub fn build_passage(policy: &Policy, request: &Request<'_>, raw: &RawRequest) -> (u8, Presence) {
    let p = &raw.presence;
    let listed: Vec<u8> = policy
        .zones
        .iter()
        .flat_map(|z| &z.doors)
        .filter(|d| d.door == request.door)
        .map(|d| d.reader.unwrap_or(p.reader))
        .collect();
    let reader = match pick(&listed, &p.pick) {
        Some(r) if p.listed => r,
        _ => p.reader,
    };
    let at = Timestamp(request.at.0 - p.ago * 60);
    let presence = match p.kind {
        0 => Presence::Unreachable,
        1 => Presence::NONE,
        2 => Presence::last(Movement {
            direction: Direction::Entry,
            at,
        }),
        _ => Presence::last(Movement {
            direction: Direction::Exit,
            at,
        }),
    };
    (reader, presence)
}

/// Gives `code` as a PIN (instead of any PIN it had) to a user, or to a guest when
/// asked and there is one.
fn clash_pin(policy: &mut Policy, guest: bool, holder: &Index, code: &str) {
    let set_pin = |credentials: &mut Vec<Credential>| {
        credentials.retain(|c| !matches!(c, Credential::Pin(_)));
        credentials.push(Credential::Pin(code.to_owned()));
    };
    let guests: Vec<(usize, usize)> = policy
        .appointments
        .iter()
        .enumerate()
        .flat_map(|(a, appt)| (0..appt.guests.len()).map(move |g| (a, g)))
        .collect();
    match pick(&guests, holder) {
        Some((a, g)) if guest => set_pin(&mut policy.appointments[a].guests[g].credentials),
        _ => {
            let user = holder.index(policy.users.len());
            set_pin(&mut policy.users[user].credentials);
        }
    }
}

// ---------------------------------------------------------------------------------
// Building requests

/// Every credential of the policy with its holder.
pub fn all_credentials(policy: &Policy) -> Vec<(Holder, &Credential)> {
    let mut all = Vec::new();
    for (u, user) in policy.users.iter().enumerate() {
        for c in &user.credentials {
            all.push((
                Holder::User {
                    user: UserId(u as u32),
                },
                c,
            ));
        }
    }
    for (a, appointment) in policy.appointments.iter().enumerate() {
        for (g, guest) in appointment.guests.iter().enumerate() {
            for c in &guest.credentials {
                all.push((
                    Holder::Guest {
                        appointment: AppointmentId(a as u32),
                        guest: g as u32,
                    },
                    c,
                ));
            }
        }
    }
    all
}

fn kind_of(c: &Credential) -> u8 {
    match c {
        Credential::Card(_) => 0,
        Credential::Pin(_) => 1,
        Credential::Qr(_) => 2,
        Credential::Mobile(_) => 3,
    }
}

fn present<'a>(p: &mut Presented<'a>, c: &'a Credential) {
    match c {
        Credential::Card(n) => p.card = Some(*n),
        Credential::Pin(s) => p.pin = Some(s),
        Credential::Qr(s) => p.qr = Some(s),
        Credential::Mobile(s) => p.mobile = Some(s),
    }
}

fn present_as<'a>(p: &mut Presented<'a>, c: &'a Credential, kind: u8) {
    let text: &'a str = match c {
        Credential::Card(_) => return present(p, c),
        Credential::Pin(s) | Credential::Qr(s) | Credential::Mobile(s) => s,
    };
    match kind {
        1 => p.pin = Some(text),
        2 => p.qr = Some(text),
        _ => p.mobile = Some(text),
    }
}

fn present_unknown(p: &mut Presented<'_>, kind: u8) {
    match kind {
        0 => p.card = Some(u64::MAX - 1),
        1 => p.pin = Some("99999"),
        2 => p.qr = Some("QR-unknown"),
        _ => p.mobile = Some("MK-unknown"),
    }
}

/// The doors a holder has any business with, to aim requests where decisions are made.
fn doors_of_interest(policy: &Policy, holder: Option<Holder>) -> Vec<DoorId> {
    let mut targets: Vec<Target> = Vec::new();
    match holder {
        Some(Holder::User { user }) => {
            for g in &policy.users[user.index()].grants {
                targets.extend(g.targets.iter().copied());
            }
        }
        Some(Holder::Guest { appointment, .. }) => {
            targets.extend(
                policy.appointments[appointment.index()]
                    .targets
                    .iter()
                    .copied(),
            );
        }
        Some(Holder::SpaceCode { code }) => {
            targets.extend(policy.space_codes[code as usize].targets.iter().copied());
        }
        None => {}
    }
    let mut doors = Vec::new();
    for t in targets {
        doors.extend(policy.doors_of(t));
    }
    doors
}

fn transitions() -> &'static Vec<Vec<i64>> {
    static TRANSITIONS: OnceLock<Vec<Vec<i64>>> = OnceLock::new();
    TRANSITIONS.get_or_init(|| {
        let offset = |tz: Tz, t: i64| {
            let utc = chrono::DateTime::from_timestamp(t, 0).expect("in range");
            tz.offset_from_utc_datetime(&utc.naive_utc())
                .fix()
                .local_minus_utc()
        };
        let start = epoch()
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_utc()
            .timestamp()
            - 86_400;
        let end = start + i64::from(DAYS + 2) * 86_400;
        ZONES
            .iter()
            .map(|&tz| {
                let mut found = Vec::new();
                let mut t = start;
                while t < end {
                    if offset(tz, t) != offset(tz, t + 3600) {
                        let mut s = t;
                        while offset(tz, s) == offset(tz, t) {
                            s += 900;
                        }
                        found.push(s);
                    }
                    t += 3600;
                }
                found
            })
            .collect()
    })
}

/// The instant at which the wall clock in `tz` shows about `date` + `minutes` (within an
/// hour around DST changes, which is all the weighting needs).
pub fn local_instant(tz: Tz, date: NaiveDate, minutes: i64, secs: u8) -> Timestamp {
    let naive = date.and_hms_opt(0, 0, 0).expect("midnight") + Duration::minutes(minutes);
    let offset = tz.offset_from_utc_datetime(&naive).fix().local_minus_utc();
    Timestamp(naive.and_utc().timestamp() - i64::from(offset) + i64::from(secs))
}

fn build_instant(
    policy: &Policy,
    door: DoorId,
    holder: Option<Holder>,
    raw: &RawInstant,
) -> Timestamp {
    let site = policy.doors[door.index()].site;
    let tz = policy.sites[site.index()].timezone;
    let secs = raw.secs;
    let delta = i64::from(raw.delta);
    let near_midnight = i64::from(raw.minute % 181) - 90;
    let fallback = || {
        let start = epoch()
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_utc()
            .timestamp();
        Timestamp(start + i64::from(raw.wide % (u32::from(DAYS) * 86_400)))
    };
    let kind = match (holder, raw.kind) {
        (Some(Holder::Guest { .. }), 0 | 2) => 5,
        (_, kind) => kind,
    };
    match kind {
        1 => {
            let zone = ZONES.iter().position(|z| *z == tz).unwrap_or(0);
            let own = &transitions()[zone];
            let list = if own.is_empty() {
                &transitions()[0]
            } else {
                own
            };
            let at = pick(list, &raw.pick).expect("Paris has transitions");
            // The change itself and the second before it, or up to 3 hours around.
            match raw.delta {
                0 => Timestamp(at),
                1 => Timestamp(at - 1),
                _ => {
                    let minutes = i64::from(raw.minute % 361) - 180;
                    Timestamp(at + minutes * 60 + i64::from(secs))
                }
            }
        }
        2 => local_instant(tz, day(raw.day), near_midnight, secs),
        3 => {
            let days: Vec<NaiveDate> = policy
                .calendars
                .iter()
                .flat_map(|c| c.holidays.iter())
                .flat_map(|h| [h.days.from, h.days.to])
                .collect();
            match pick(&days, &raw.pick) {
                Some(d) => {
                    let minutes = if raw.day.is_multiple_of(2) {
                        near_midnight
                    } else {
                        i64::from(raw.minute)
                    };
                    local_instant(tz, d + Duration::days(delta % 2), minutes, secs)
                }
                None => fallback(),
            }
        }
        4 => {
            let mut edges: Vec<u16> = Vec::new();
            for s in &policy.schedules {
                for r in s.weekly.iter().flat_map(|w| w.ranges.iter()) {
                    edges.extend([r.start, r.end]);
                }
                for r in s.holiday_rules.iter().flat_map(|h| h.ranges.iter()) {
                    edges.extend([r.start, r.end]);
                }
            }
            let holidays: Vec<NaiveDate> = policy
                .calendars
                .iter()
                .flat_map(|c| c.holidays.iter())
                .flat_map(|h| [h.days.from, h.days.to + Duration::days(1)])
                .collect();
            let date = match pick(&holidays, &raw.pick) {
                Some(d) if raw.wide.is_multiple_of(2) => d,
                _ => day(raw.day),
            };
            match pick(&edges, &raw.pick) {
                Some(edge) => local_instant(tz, date, i64::from(edge) + delta % 2, secs),
                None => fallback(),
            }
        }
        5 => {
            let appointment = match holder {
                Some(Holder::Guest { appointment, .. }) => Some(appointment.index()),
                _ if policy.appointments.is_empty() => None,
                _ => Some(raw.pick.index(policy.appointments.len())),
            };
            match appointment.map(|a| &policy.appointments[a]) {
                Some(a) => {
                    let edge = match raw.wide % 3 {
                        0 => a.range.start,
                        1 => a.range.end,
                        _ => (a.range.start + a.range.end) / 2,
                    };
                    let date = a.date
                        + Duration::days(i64::from(raw.wide.is_multiple_of(5)) * (delta % 2));
                    local_instant(tz, date, i64::from(edge) + delta % 2, secs)
                }
                None => fallback(),
            }
        }
        6 => {
            let days: Vec<NaiveDate> = policy
                .users
                .iter()
                .flat_map(|u| [u.validity.from, u.validity.to])
                .flatten()
                .collect();
            match pick(&days, &raw.pick) {
                Some(d) => local_instant(tz, d + Duration::days(delta % 2), near_midnight, secs),
                None => fallback(),
            }
        }
        _ => fallback(),
    }
}

/// Resolves a raw request against `policy`.
pub fn build_request<'a>(
    policy: &'a Policy,
    credentials: &[(Holder, &'a Credential)],
    raw: &RawRequest,
) -> Request<'a> {
    let mut p = Presented::default();
    let n_users = policy.users.len();
    let space_codes: Vec<usize> = (0..policy.space_codes.len()).collect();
    let mut intended: Option<Holder> = None;
    let subject = match &raw.subject {
        RawSubject::One(i) => {
            match pick(credentials, i) {
                Some((h, c)) => {
                    intended = Some(h);
                    present(&mut p, c);
                }
                None => present_unknown(&mut p, 0),
            }
            Subject::Credentials(p)
        }
        RawSubject::Unknown(kind) => {
            present_unknown(&mut p, *kind);
            Subject::Credentials(p)
        }
        RawSubject::SpaceAlone(i) => {
            match pick(&space_codes, i) {
                Some(s) => {
                    intended = Some(Holder::SpaceCode { code: s as u32 });
                    p.pin = Some(&policy.space_codes[s].code);
                }
                None => p.pin = Some(SPACE_CODES[0]),
            }
            Subject::Credentials(p)
        }
        RawSubject::SpacePlus(i, j) => {
            p.pin = Some(match pick(&space_codes, i) {
                Some(s) => &policy.space_codes[s].code,
                None => SPACE_CODES[1],
            });
            let cards: Vec<_> = credentials
                .iter()
                .filter(|(_, c)| kind_of(c) == 0)
                .collect();
            match pick(&cards, j) {
                Some((h, c)) => {
                    intended = Some(*h);
                    present(&mut p, c);
                }
                None => present_unknown(&mut p, 0),
            }
            Subject::Credentials(p)
        }
        RawSubject::TwoSame(i) => {
            // Holders with two credentials of different kinds.
            let mut pairs = Vec::new();
            for (a, (ha, ca)) in credentials.iter().enumerate() {
                for (hb, cb) in credentials.iter().skip(a + 1) {
                    if ha == hb && kind_of(ca) != kind_of(cb) {
                        pairs.push((*ha, *ca, *cb));
                    }
                }
            }
            match pick(&pairs, i) {
                Some((h, a, b)) => {
                    intended = Some(h);
                    present(&mut p, a);
                    present(&mut p, b);
                }
                None => match pick(credentials, i) {
                    Some((h, c)) => {
                        intended = Some(h);
                        present(&mut p, c);
                    }
                    None => present_unknown(&mut p, 1),
                },
            }
            Subject::Credentials(p)
        }
        RawSubject::TwoAny(i, j) => {
            if let Some((h, a)) = pick(credentials, i) {
                intended = Some(h);
                present(&mut p, a);
                let others: Vec<_> = credentials
                    .iter()
                    .filter(|(_, c)| kind_of(c) != kind_of(a))
                    .collect();
                if let Some((_, b)) = pick(&others, j) {
                    present(&mut p, b);
                }
            } else {
                present_unknown(&mut p, 2);
            }
            Subject::Credentials(p)
        }
        RawSubject::KnownPlusUnknown(i, kind) => {
            if let Some((h, c)) = pick(credentials, i) {
                intended = Some(h);
                present(&mut p, c);
                let kind = if *kind == kind_of(c) {
                    (kind + 1) % 4
                } else {
                    *kind
                };
                present_unknown(&mut p, kind);
            } else {
                present_unknown(&mut p, *kind);
            }
            Subject::Credentials(p)
        }
        RawSubject::CrossKind(i, kind) => {
            match pick(credentials, i) {
                Some((h, c)) => {
                    intended = Some(h);
                    present_as(&mut p, c, 1 + kind % 3);
                }
                None => present_unknown(&mut p, *kind),
            }
            Subject::Credentials(p)
        }
        RawSubject::Three(i, j, mix) => {
            match pick(credentials, i) {
                Some((h, c)) => {
                    intended = Some(h);
                    present_three(&mut p, credentials, (h, c), j, *mix);
                }
                None => present_unknown(&mut p, 0),
            }
            Subject::Credentials(p)
        }
        RawSubject::Nobody(kind) => {
            let user = UserId(n_users as u32);
            match kind {
                0 => Subject::Remote(user),
                1 => Subject::User(user),
                _ => {
                    let appointment = AppointmentId(policy.appointments.len() as u32);
                    match policy.appointments.first() {
                        Some(a) if n_users.is_multiple_of(2) => {
                            Subject::Guest(AppointmentId(0), a.guests.len() as u32)
                        }
                        _ => Subject::Guest(appointment, 0),
                    }
                }
            }
        }
        RawSubject::Remote(i) if n_users > 0 => {
            let user = UserId(i.index(n_users) as u32);
            intended = Some(Holder::User { user });
            Subject::Remote(user)
        }
        RawSubject::User(i) if n_users > 0 => {
            let user = UserId(i.index(n_users) as u32);
            intended = Some(Holder::User { user });
            Subject::User(user)
        }
        RawSubject::Guest(a, g) if !policy.appointments.is_empty() => {
            let appointment = a.index(policy.appointments.len());
            let guest = g.index(policy.appointments[appointment].guests.len()) as u32;
            let appointment = AppointmentId(appointment as u32);
            intended = Some(Holder::Guest { appointment, guest });
            Subject::Guest(appointment, guest)
        }
        RawSubject::Remote(_) | RawSubject::User(_) | RawSubject::Guest(..) => {
            present_unknown(&mut p, 3);
            Subject::Credentials(p)
        }
    };
    let interesting = doors_of_interest(policy, intended);
    let door = match pick(&interesting, &raw.door) {
        Some(d) if raw.biased_door => d,
        _ => DoorId(raw.door.index(policy.doors.len()) as u32),
    };
    let at = build_instant(policy, door, intended, &raw.at);
    let door = if raw.unknown_door {
        DoorId((policy.doors.len() + raw.door.index(3)) as u32)
    } else {
        door
    };
    Request {
        subject,
        door,
        at,
        offline: raw.offline,
    }
}

/// Presents `first`, then credentials of other kinds: the same holder's (even `mix`)
/// or anyone's (odd `mix`, starting from `from`), and an unknown one when `mix` ≥ 2.
fn present_three<'a>(
    p: &mut Presented<'a>,
    credentials: &[(Holder, &'a Credential)],
    first: (Holder, &'a Credential),
    from: &Index,
    mix: u8,
) {
    present(p, first.1);
    let mut kinds = vec![kind_of(first.1)];
    let start = from.index(credentials.len().max(1));
    let others = credentials
        .iter()
        .cycle()
        .skip(start)
        .take(credentials.len());
    for (holder, c) in others {
        let same = *holder == first.0;
        if (same || mix % 2 == 1) && !kinds.contains(&kind_of(c)) && kinds.len() < 3 {
            kinds.push(kind_of(c));
            present(p, c);
        }
    }
    if mix >= 2 {
        if let Some(kind) = (0..4).find(|k| !kinds.contains(k)) {
            present_unknown(p, kind);
        }
    }
}
