//! The domain model: a validated policy with every reference resolved.
//!
//! Owns the entities of BRIEF §3 (sites, doors, groups, paths, schedules, holiday
//! calendars, accounts and sub-accounts with ceilings, users with credentials and
//! grants, admins, permanent space codes, appointments, anti-passback zones) as plain
//! data with serde. Each
//! entity lives in one vector of [`Policy`] and is referred to by a typed index.
//!
//! It must never hold source positions, comments or secrets, and never reads a clock:
//! it is what the decision engine compiles. Only the validator builds it, so every
//! index it holds is in range and every invariant the validator checks holds.

mod card_format;
mod rights;
mod zone;

pub use crate::syntax::ast::{FailMode, ReaderMode, Tracking, Weekday};
pub use card_format::{CardFormat, UnknownCardFormat};
pub use rights::AdminRights;
pub use zone::{Direction, Zone, ZoneDoor, ZoneKind, MAX_TIMED_MINUTES};

use bitflags::bitflags;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

macro_rules! ids {
    ($($(#[doc = $doc:literal])* $name:ident;)*) => {$(
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// The index into its vector of [`Policy`].
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}

ids! {
    /// Index of a [`Site`] in [`Policy::sites`].
    SiteId;
    /// Index of a [`Door`] in [`Policy::doors`].
    DoorId;
    /// Index of a [`DoorGroup`] in [`Policy::groups`].
    GroupId;
    /// Index of a [`Path`] in [`Policy::paths`].
    PathId;
    /// Index of a [`Schedule`] in [`Policy::schedules`].
    ScheduleId;
    /// Index of a [`HolidayCalendar`] in [`Policy::calendars`].
    CalendarId;
    /// Index of an [`Account`] in [`Policy::accounts`].
    AccountId;
    /// Index of a [`User`] in [`Policy::users`].
    UserId;
    /// Index of an [`Appointment`] in [`Policy::appointments`].
    AppointmentId;
    /// Index of a [`Zone`] in [`Policy::zones`].
    ZoneId;
}

bitflags! {
    /// A set of reader modes (media).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
    pub struct ReaderModes: u8 {
        /// A card or fob.
        const BADGE = 1 << 0;
        /// A keypad code.
        const PIN = 1 << 1;
        /// A QR code.
        const QR = 1 << 2;
        /// A smartphone key.
        const MOBILE = 1 << 3;
        /// An opening over the network.
        const REMOTE = 1 << 4;
    }
}

impl From<ReaderMode> for ReaderModes {
    fn from(mode: ReaderMode) -> ReaderModes {
        match mode {
            ReaderMode::Badge => ReaderModes::BADGE,
            ReaderMode::Pin => ReaderModes::PIN,
            ReaderMode::Qr => ReaderModes::QR,
            ReaderMode::Mobile => ReaderModes::MOBILE,
            ReaderMode::Remote => ReaderModes::REMOTE,
        }
    }
}

bitflags! {
    /// Options of a user's data-on-card key that shape its structure (Salto's key
    /// options): changing one needs a re-edition by an encoder.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
    pub struct KeyOptions: u8 {
        /// `key audit`: offline locks append their openings to the key, which the next
        /// updater point uploads.
        const AUDIT = 1 << 0;
        /// `key antipassback`: the key carries its holder's last passage, which
        /// offline locks check.
        const ANTIPASSBACK = 1 << 1;
    }
}

bitflags! {
    /// A set of weekdays, bit 0 for Monday.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
    pub struct Weekdays: u8 {
        /// Monday.
        const MON = 1 << 0;
        /// Tuesday.
        const TUE = 1 << 1;
        /// Wednesday.
        const WED = 1 << 2;
        /// Thursday.
        const THU = 1 << 3;
        /// Friday.
        const FRI = 1 << 4;
        /// Saturday.
        const SAT = 1 << 5;
        /// Sunday.
        const SUN = 1 << 6;
    }
}

impl From<Weekday> for Weekdays {
    fn from(day: Weekday) -> Weekdays {
        Weekdays::from_bits_truncate(1 << day.index())
    }
}

/// A whole validated policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Sites, in source order.
    pub sites: Vec<Site>,
    /// Doors, in source order.
    pub doors: Vec<Door>,
    /// Door groups.
    pub groups: Vec<DoorGroup>,
    /// Paths.
    pub paths: Vec<Path>,
    /// Schedules.
    pub schedules: Vec<Schedule>,
    /// Holiday calendars.
    pub calendars: Vec<HolidayCalendar>,
    /// Accounts and sub-accounts; a parent always comes before its children.
    pub accounts: Vec<Account>,
    /// Users.
    pub users: Vec<User>,
    /// Permanent space codes.
    pub space_codes: Vec<SpaceCode>,
    /// Appointments.
    pub appointments: Vec<Appointment>,
    /// Anti-passback zones.
    #[serde(default)]
    pub zones: Vec<Zone>,
}

/// A place with a time zone; owns doors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    /// Name in the policy.
    pub name: String,
    /// Display title.
    pub title: Option<String>,
    /// The IANA zone of every local time at the site.
    pub timezone: chrono_tz::Tz,
    /// The key store file named for this site's secrets.
    pub keystore: Option<String>,
    /// The Wiegand formats its readers accept, in the order written, without repeats;
    /// empty when the policy lists none, which means [`CardFormat::DEFAULT`] (H10301).
    #[serde(default)]
    pub card_formats: Vec<CardFormat>,
    /// Its doors, in source order.
    pub doors: Vec<DoorId>,
}

/// Whether a door's lock reaches the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Connectivity {
    /// Decided by a controller or server.
    #[default]
    Online,
    /// A standalone lock deciding from its memory image.
    Offline,
}

/// A reader and/or lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Door {
    /// Name in the policy.
    pub name: String,
    /// Display title.
    pub title: Option<String>,
    /// The site it stands in.
    pub site: SiteId,
    /// The controller's external id.
    pub external_id: Option<String>,
    /// Media its reader accepts.
    pub readers: ReaderModes,
    /// Its own hours, binding every user.
    pub schedule: Option<ScheduleId>,
    /// Whether it reaches the network.
    pub connectivity: Connectivity,
    /// Entries its memory holds, if limited.
    pub capacity: Option<u32>,
    /// Factors that must all be presented by one user (empty: any one accepted medium).
    pub required: ReaderModes,
    /// The Wiegand formats its reader accepts, in the order written, without repeats,
    /// replacing its site's; `None`: the site's.
    #[serde(default)]
    pub card_formats: Option<Vec<CardFormat>>,
}

/// An unordered set of doors of one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorGroup {
    /// Name in the policy.
    pub name: String,
    /// Its site.
    pub site: SiteId,
    /// Its doors, in the order written, without repeats.
    pub doors: Vec<DoorId>,
}

/// An ordered route of doors of one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Path {
    /// Name in the policy.
    pub name: String,
    /// Its site.
    pub site: SiteId,
    /// Its doors, first to last.
    pub doors: Vec<DoorId>,
}

/// What a grant, ceiling, space code or appointment opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum Target {
    /// Every door of a site.
    Site(SiteId),
    /// One door.
    Door(DoorId),
    /// A door group.
    Group(GroupId),
    /// A path.
    Path(PathId),
}

/// Minutes since local midnight, `0..=1440`.
pub type Minute = u16;

/// A local time range; `end <= start` crosses midnight into the next day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TimeRange {
    /// First minute.
    pub start: Minute,
    /// Minute after the last (1440 for midnight at the end of the day).
    pub end: Minute,
}

impl TimeRange {
    /// Whether the range runs past midnight into the next day.
    pub fn crosses_midnight(self) -> bool {
        self.end <= self.start
    }
}

/// Ranges that apply on some weekdays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyRule {
    /// The days the ranges start on.
    pub days: Weekdays,
    /// The ranges.
    pub ranges: Vec<TimeRange>,
}

/// Ranges that apply on the days of some holiday calendars, instead of the weekly ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayRule {
    /// The calendars.
    pub calendars: Vec<CalendarId>,
    /// The ranges open on those days.
    pub ranges: Vec<TimeRange>,
}

/// Weekly hours in the local time of the door's site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// Name in the policy.
    pub name: String,
    /// Weekly rules.
    pub weekly: Vec<WeeklyRule>,
    /// Calendars whose days close the schedule.
    pub closed_on: Vec<CalendarId>,
    /// Calendars whose days have their own ranges.
    pub holiday_rules: Vec<HolidayRule>,
}

/// An inclusive range of local dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

/// A day or range of days off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    /// The days.
    pub days: DateRange,
    /// What they are.
    pub label: Option<String>,
}

/// A calendar of days off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayCalendar {
    /// Name in the policy.
    pub name: String,
    /// Its days, in the order written.
    pub holidays: Vec<Holiday>,
}

/// What a sub-account may never exceed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Ceiling {
    /// The only doors its members may be granted (empty: none).
    pub doors: Vec<Target>,
    /// The only admin rights its admins may hold.
    pub rights: AdminRights,
    /// Default schedule of members with none of their own.
    pub schedule: Option<ScheduleId>,
}

/// An account or sub-account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Name in the policy.
    pub name: String,
    /// Display title.
    pub title: Option<String>,
    /// The account it belongs to; `None` for a top-level account.
    pub parent: Option<AccountId>,
    /// Its ceiling; `None` for a top-level account.
    pub ceiling: Option<Ceiling>,
    /// Its direct members.
    pub users: Vec<UserId>,
    /// Its direct sub-accounts.
    pub children: Vec<AccountId>,
}

/// Something a user presents to a reader.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Credential {
    /// A card number.
    Card(u64),
    /// A PIN code.
    Pin(String),
    /// A QR code.
    Qr(String),
    /// A mobile key.
    Mobile(String),
}

/// Doors given to a user, with an optional schedule that replaces the user's on them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// What it opens.
    pub targets: Vec<Target>,
    /// The per-door exception.
    pub schedule: Option<ScheduleId>,
}

/// Admin rights held by a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Admin {
    /// The rights.
    pub rights: AdminRights,
    /// The only address the admin may connect from.
    pub ip: Option<IpAddr>,
}

/// Inclusive local dates a user's access is valid; an open end is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Validity {
    /// First valid day.
    pub from: Option<NaiveDate>,
    /// Last valid day.
    pub to: Option<NaiveDate>,
}

/// A person with access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Name (handle) in the policy.
    pub name: String,
    /// Full name.
    pub title: Option<String>,
    /// The account or sub-account it belongs to.
    pub account: AccountId,
    /// Contact address.
    pub email: Option<String>,
    /// Labels.
    pub tags: Vec<String>,
    /// Validity window.
    pub validity: Validity,
    /// Access control activated.
    pub active: bool,
    /// Keeps access while the site is offline.
    pub offline: bool,
    /// May open over the network.
    pub remote: bool,
    /// Its data-on-card key's options (`key audit antipassback`).
    #[serde(default)]
    pub key_options: KeyOptions,
    /// What it presents.
    pub credentials: Vec<Credential>,
    /// Its own schedule on every door.
    pub schedule: Option<ScheduleId>,
    /// Its grants.
    pub grants: Vec<Grant>,
    /// Its admin rights.
    pub admin: Option<Admin>,
    /// The admin user who created it (`created_by`), if recorded.
    #[serde(default)]
    pub created_by: Option<UserId>,
}

/// A permanent space code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceCode {
    /// The 6-character code.
    pub code: String,
    /// Its site.
    pub site: SiteId,
    /// What it opens.
    pub targets: Vec<Target>,
}

/// A guest of an appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guest {
    /// Name.
    pub name: String,
    /// Where the access is sent.
    pub email: String,
    /// What the guest presents.
    pub credentials: Vec<Credential>,
}

/// Temporary access for guests on one local day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    /// Name in the policy.
    pub name: String,
    /// The owning account, if any.
    pub account: Option<AccountId>,
    /// Local day.
    pub date: NaiveDate,
    /// Hours that day (never crosses midnight).
    pub range: TimeRange,
    /// What the guests may open.
    pub targets: Vec<Target>,
    /// Guests.
    pub guests: Vec<Guest>,
    /// Organizer (admins only).
    pub organizer: Option<String>,
    /// Subject (admins only).
    pub subject: Option<String>,
    /// Description (admins only).
    pub description: Option<String>,
    /// Guests may also open over the network.
    pub remote: bool,
}

impl Policy {
    /// The doors a target stands for, in order.
    pub fn doors_of(&self, target: Target) -> impl Iterator<Item = DoorId> + '_ {
        let (one, many): (Option<DoorId>, &[DoorId]) = match target {
            Target::Door(d) => (Some(d), &[]),
            Target::Site(s) => (None, self.sites.get(s.index()).map_or(&[], |s| &s.doors)),
            Target::Group(g) => (None, self.groups.get(g.index()).map_or(&[], |g| &g.doors)),
            Target::Path(p) => (None, self.paths.get(p.index()).map_or(&[], |p| &p.doors)),
        };
        one.into_iter().chain(many.iter().copied())
    }

    /// The sub-account chain from `account` up to its top-level account, `account` first.
    pub fn ancestry(&self, account: AccountId) -> impl Iterator<Item = AccountId> + '_ {
        std::iter::successors(Some(account), |a| {
            self.accounts.get(a.index()).and_then(|a| a.parent)
        })
    }

    /// How an account is addressed: `name@parent@grandparent…` up to its top-level
    /// account (Intratone's `souscompte@moncompte`), the one name that tells apart
    /// sub-accounts of the same name under different parents.
    pub fn account_path(&self, account: AccountId) -> String {
        self.ancestry(account)
            .take(self.accounts.len())
            .filter_map(|a| self.accounts.get(a.index()))
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join("@")
    }

    /// The user named `name`.
    pub fn user_named(&self, name: &str) -> Option<UserId> {
        position(&self.users, |u| u.name == name).map(UserId)
    }

    /// The door named `name`.
    pub fn door_named(&self, name: &str) -> Option<DoorId> {
        position(&self.doors, |d| d.name == name).map(DoorId)
    }

    /// The anti-passback zone named `name`.
    pub fn zone_named(&self, name: &str) -> Option<ZoneId> {
        position(&self.zones, |z| z.name == name).map(ZoneId)
    }

    /// The Wiegand formats `door` accepts: its own list, else its site's, else
    /// [`CardFormat::DEFAULT`]; empty for a door the policy does not have.
    pub fn card_formats(&self, door: DoorId) -> &[CardFormat] {
        let Some(door) = self.doors.get(door.index()) else {
            return &[];
        };
        if let Some(own) = &door.card_formats {
            return own;
        }
        match self.sites.get(door.site.index()) {
            Some(site) if !site.card_formats.is_empty() => &site.card_formats,
            _ => CardFormat::DEFAULT,
        }
    }
}

fn position<T>(items: &[T], pred: impl Fn(&T) -> bool) -> Option<u32> {
    items
        .iter()
        .position(pred)
        .and_then(|i| u32::try_from(i).ok())
}
