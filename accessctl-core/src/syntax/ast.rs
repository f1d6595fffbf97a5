//! The syntax tree of a policy file.
//!
//! Owns the shape of what was written: every item and clause in source order, every
//! name with its [`Span`], every comment attached to the node it belongs to
//! ([`Trivia`]), and the author's blank lines between entries. Values are kept as
//! written (a date is three numbers, not a checked calendar date; a card number is its
//! digits) so that the validator, not the parser, judges them and reports where.
//!
//! It must never resolve names or judge meaning: that is the validator's job, which
//! turns this tree into the domain model. Spans take no part in equality (see
//! [`Span`]), so `parse(format(tree)) == tree` is the formatter's contract.

use crate::source::Span;
use serde::{Deserialize, Serialize};

/// A `#` comment: `text` is everything after the `#` up to the end of the line, with
/// trailing white space removed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Comment {
    /// The comment's text after `#`.
    pub text: String,
    /// Where the comment stands, `#` included.
    pub span: Span,
    /// A blank line separates it from the comment before it, so the two are distinct
    /// paragraphs (never set on the first comment of an entry, block or file).
    pub blank_line_before: bool,
}

/// What surrounds an entry: comments and blank lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Trivia {
    /// At least one blank line separates this entry from the one before it (never set
    /// on the first entry of a block or file).
    pub blank_line_before: bool,
    /// Comments on the lines before the entry, and any written between its tokens, in
    /// order.
    pub leading: Vec<Comment>,
    /// A comment after the entry on the line where it ends.
    pub trailing: Option<Comment>,
}

/// One entry of a file or block: a node with its comments.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Entry<T> {
    /// Comments and blank lines around the node.
    pub trivia: Trivia,
    /// The node itself.
    pub node: T,
    /// From the node's first token to its last (comments excluded).
    pub span: Span,
}

/// A `{ … }` block of entries.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Block<T> {
    /// A comment on the line of the opening `{`, after it.
    pub open_comment: Option<Comment>,
    /// The entries, in source order.
    pub entries: Vec<Entry<T>>,
    /// Comments after the last entry, before the closing `}`.
    pub dangling: Vec<Comment>,
    /// From `{` to `}`.
    pub span: Span,
}

/// A name as written: an identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Ident {
    /// The identifier's text.
    pub name: String,
    /// Where it stands.
    pub span: Span,
}

/// A string literal, unescaped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Str {
    /// The value, escapes resolved.
    pub value: String,
    /// Where the literal stands, quotes included.
    pub span: Span,
}

/// A whole number as written (digits only, leading zeros kept).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Number {
    /// The digits.
    pub digits: String,
    /// Where they stand.
    pub span: Span,
}

/// A calendar date as written, `YYYY-MM-DD`; not checked to exist.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Date {
    /// Year.
    pub year: u16,
    /// Month, as written (may be out of range).
    pub month: u8,
    /// Day of the month, as written (may be out of range).
    pub day: u8,
    /// Where it stands.
    pub span: Span,
}

/// A time of day as written, `HH:MM`; not checked to exist (`24:00` is legal as an
/// end, `25:00` is caught by the validator).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Time {
    /// Hour, as written.
    pub hour: u8,
    /// Minute, as written.
    pub minute: u8,
    /// Where it stands.
    pub span: Span,
}

/// `HH:MM-HH:MM`. An end at or before the start crosses midnight.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct TimeRange {
    /// First minute.
    pub start: Time,
    /// Minute after the last.
    pub end: Time,
    /// From start to end.
    pub span: Span,
}

/// A keyword-valued word, such as a reader mode or a weekday, with where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Word<K> {
    /// Which word.
    pub kind: K,
    /// Where it stands.
    pub span: Span,
}

/// An option of a data-on-card key, after `key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum KeyOption {
    /// `audit`: an audit trail on the key.
    Audit,
    /// `antipassback`: anti-passback on the key.
    Antipassback,
}

impl KeyOption {
    /// The option as written.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyOption::Audit => "audit",
            KeyOption::Antipassback => "antipassback",
        }
    }
}

/// A marker clause that is a single keyword (`offline`, `remote`, …).
pub type Flag = Span;

// ---------------------------------------------------------------------------------
// Files and items

/// One parsed `.acl` file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct File {
    /// The top-level items, in source order.
    pub items: Vec<Entry<Item>>,
    /// Comments after the last item.
    pub dangling: Vec<Comment>,
}

/// A top-level item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum Item {
    /// `site NAME ["Title"] { … }`
    Site(Site),
    /// `schedule NAME { … }`
    Schedule(Schedule),
    /// `holidays NAME { … }`
    Holidays(Holidays),
    /// `account NAME ["Title"] { … }`
    Account(Account),
    /// `appointment NAME on DATE HH:MM-HH:MM { … }`, owned by no account.
    Appointment(Appointment),
    /// `test "Title" { … }`: expectations checked against the decision engine.
    Test(Test),
    /// `zone NAME ["Title"] { … }`: an anti-passback zone, over doors of any site.
    Zone(Zone),
}

// ---------------------------------------------------------------------------------
// Sites and doors

/// `site NAME ["Title"] { … }`: a place with a time zone, owning doors.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Site {
    /// The site's name.
    pub name: Ident,
    /// Its display title.
    pub title: Option<Str>,
    /// Its clauses.
    pub body: Block<SiteClause>,
}

/// A clause of a site block.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum SiteClause {
    /// `timezone "Europe/Paris"`
    Timezone(Str),
    /// `keystore "centre.keys"`: the secrets file this site's keys live in.
    Keystore(Str),
    /// `cards h10301 h10304`: the Wiegand formats the site's readers accept, as
    /// written (the validator checks the names).
    Cards(Vec<Ident>),
    /// `door NAME ["Title"] [{ … }]`
    Door(Door),
    /// `group NAME = DOOR…`
    Group(Group),
    /// `path NAME = DOOR -> DOOR …`
    Path(PathDecl),
    /// `code "483920" on TARGET…`
    Code(SpaceCode),
    /// `zone NAME ["Title"] { … }`: an anti-passback zone over doors of this site.
    Zone(Zone),
}

/// `door NAME ["Title"] [{ … }]`
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Door {
    /// The door's name.
    pub name: Ident,
    /// Its display title.
    pub title: Option<Str>,
    /// Its clauses; `None` when written without a block.
    pub body: Option<Block<DoorClause>>,
}

/// A clause of a door block.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum DoorClause {
    /// `id "5d1ecdd1"`: the external id of the controller.
    Id(Str),
    /// `readers badge pin …`: the media the door's reader accepts.
    Readers(Vec<Word<ReaderMode>>),
    /// `schedule NAME`: hours that bind every user of the door.
    Schedule(Ident),
    /// `offline`: a lock with no network that decides alone from its memory.
    Offline(Flag),
    /// `capacity N`: how many entries the lock's memory holds.
    Capacity(Number),
    /// `require badge pin`: the factors that must all be presented, by one user.
    Require(Vec<Word<ReaderMode>>),
    /// `cards corp1000-35 h10301`: the Wiegand formats the door's reader accepts,
    /// replacing its site's, as written (the validator checks the names).
    Cards(Vec<Ident>),
}

/// A medium a reader accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReaderMode {
    /// `badge`: a card or fob.
    Badge,
    /// `pin`: a keypad code.
    Pin,
    /// `qr`: a QR code.
    Qr,
    /// `mobile`: a smartphone key.
    Mobile,
    /// `remote`: an opening over the network.
    Remote,
}

impl ReaderMode {
    /// Every mode, in canonical order.
    pub const ALL: [ReaderMode; 5] = [
        ReaderMode::Badge,
        ReaderMode::Pin,
        ReaderMode::Qr,
        ReaderMode::Mobile,
        ReaderMode::Remote,
    ];

    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            ReaderMode::Badge => "badge",
            ReaderMode::Pin => "pin",
            ReaderMode::Qr => "qr",
            ReaderMode::Mobile => "mobile",
            ReaderMode::Remote => "remote",
        }
    }

    /// The mode a keyword names.
    pub fn from_keyword(word: &str) -> Option<ReaderMode> {
        ReaderMode::ALL.into_iter().find(|m| m.as_str() == word)
    }
}

/// `group NAME = DOOR…`: an unordered set of doors of the site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Group {
    /// The group's name.
    pub name: Ident,
    /// Its doors.
    pub doors: Vec<Ident>,
}

/// `path NAME = DOOR -> DOOR …`: an ordered route of doors.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PathDecl {
    /// The path's name.
    pub name: Ident,
    /// Its doors, from the first to the last.
    pub doors: Vec<Ident>,
}

/// `code "483920" on TARGET…`: a permanent space code, bound to doors, held by no
/// user, kept in the locks' memory.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SpaceCode {
    /// The code.
    pub code: Str,
    /// What it opens.
    pub targets: Vec<Target>,
}

/// A reference to doors: a door, a group, a path or a whole site, optionally
/// qualified by its kind (`path to_r2`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Target {
    /// The kind written before the name, if any.
    pub kind: Option<Word<TargetKind>>,
    /// The name.
    pub name: Ident,
}

/// The kind that may qualify a [`Target`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// `site NAME`: every door of the site.
    Site,
    /// `door NAME`
    Door,
    /// `group NAME`
    Group,
    /// `path NAME`
    Path,
}

impl TargetKind {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Site => "site",
            TargetKind::Door => "door",
            TargetKind::Group => "group",
            TargetKind::Path => "path",
        }
    }
}

// ---------------------------------------------------------------------------------
// Anti-passback zones

/// `zone NAME ["Title"] { … }`: doors whose readers lead into and out of an area,
/// and the anti-passback rule that holds at them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Zone {
    /// The zone's name.
    pub name: Ident,
    /// Its display title.
    pub title: Option<Str>,
    /// Its clauses.
    pub body: Block<ZoneClause>,
}

/// A clause of a zone block.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum ZoneClause {
    /// `entry DOOR [reader N]`: passing there enters the zone.
    Entry(ZoneDoor),
    /// `exit DOOR [reader N]`: passing there leaves the zone.
    Exit(ZoneDoor),
    /// `antipassback hard|soft|timed DURATION`
    Antipassback(Passback),
    /// `per user` or `per card`: whose presence the zone tracks.
    Per(Word<Tracking>),
    /// `unreachable open|closed`: what a controller does when it cannot reach the
    /// presence store.
    Unreachable(Word<FailMode>),
}

/// `DOOR [reader N]`: a door, or one reader of it (by its number on the door's
/// controller), as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ZoneDoor {
    /// The door's name.
    pub door: Ident,
    /// `reader N`: only that reader of the door; `None`: every reader of it.
    pub reader: Option<Number>,
}

/// The anti-passback rule of a zone, as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum Passback {
    /// `hard`: a second entry without an exit is refused.
    Hard(Span),
    /// `soft`: a second entry is allowed and reported as a violation.
    Soft(Span),
    /// `timed 30m`: a second entry is refused until the duration has passed since the
    /// last one.
    Timed(Span, Duration),
}

/// A duration as written, digits directly followed by a unit (`30m`, `2h`); neither
/// is judged here.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Duration {
    /// The digits.
    pub digits: String,
    /// The letters after them.
    pub unit: String,
    /// Where it stands.
    pub span: Span,
}

/// Whose presence a zone tracks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tracking {
    /// `per user`: the holder, whatever credential they present.
    #[default]
    User,
    /// `per card`: the card presented (the holder when no card is).
    Card,
}

impl Tracking {
    /// The keyword after `per`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tracking::User => "user",
            Tracking::Card => "card",
        }
    }
}

/// What a controller does at a zone door when it cannot reach the presence store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailMode {
    /// `open`: decide as if the zone were not there.
    Open,
    /// `closed`: refuse every passage the zone would check.
    Closed,
}

impl FailMode {
    /// The keyword after `unreachable`.
    pub fn as_str(self) -> &'static str {
        match self {
            FailMode::Open => "open",
            FailMode::Closed => "closed",
        }
    }

    /// The mode a keyword names.
    pub fn from_keyword(word: &str) -> Option<FailMode> {
        [FailMode::Open, FailMode::Closed]
            .into_iter()
            .find(|m| m.as_str() == word)
    }
}

// ---------------------------------------------------------------------------------
// Time

/// `schedule NAME { … }`: weekly hours in the local time of the door's site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Schedule {
    /// The schedule's name.
    pub name: Ident,
    /// Its rules.
    pub body: Block<ScheduleRule>,
}

/// A rule of a schedule block.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum ScheduleRule {
    /// `mon..fri,sat 08:00-12:00 14:00-18:00`
    Weekly {
        /// The days the ranges apply to.
        days: Vec<DaySpec>,
        /// The ranges, each starting on one of those days.
        ranges: Vec<TimeRange>,
    },
    /// `except holidays NAME…`: closed on those calendars' days.
    Except {
        /// The calendars.
        calendars: Vec<Ident>,
    },
    /// `holidays NAME… HH:MM-HH:MM…`: on those calendars' days, these ranges instead of
    /// the weekly ones.
    Holidays {
        /// The calendars.
        calendars: Vec<Ident>,
        /// The ranges open on those days.
        ranges: Vec<TimeRange>,
    },
}

/// A weekday or an inclusive range of weekdays (`fri..mon` wraps over the weekend).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum DaySpec {
    /// `mon`
    Day(Word<Weekday>),
    /// `mon..fri`
    Range(Word<Weekday>, Word<Weekday>),
}

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    /// `mon`
    Mon,
    /// `tue`
    Tue,
    /// `wed`
    Wed,
    /// `thu`
    Thu,
    /// `fri`
    Fri,
    /// `sat`
    Sat,
    /// `sun`
    Sun,
}

impl Weekday {
    /// Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    /// The day a keyword names.
    pub fn from_keyword(word: &str) -> Option<Weekday> {
        Weekday::ALL.into_iter().find(|d| d.as_str() == word)
    }

    /// 0 for Monday … 6 for Sunday.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// `holidays NAME { … }`: a calendar of days off.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Holidays {
    /// The calendar's name.
    pub name: Ident,
    /// Its days.
    pub body: Block<Holiday>,
}

/// `2026-12-25 ["Noël"]` or `2026-08-01..2026-08-15 ["Fermeture"]`
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Holiday {
    /// The first day.
    pub from: Date,
    /// The last day, for a range.
    pub to: Option<Date>,
    /// What the day is.
    pub label: Option<Str>,
}

// ---------------------------------------------------------------------------------
// Accounts and users

/// `account NAME ["Title"] { … }` or, nested, `subaccount NAME ["Title"] { … }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Account {
    /// Whether it was written `subaccount`.
    pub sub: bool,
    /// The account's name.
    pub name: Ident,
    /// Its display title.
    pub title: Option<Str>,
    /// Its clauses.
    pub body: Block<AccountClause>,
}

/// A clause of an account block.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum AccountClause {
    /// `ceiling doors … rights … schedule …` (sub-accounts only).
    Ceiling(Ceiling),
    /// `user NAME ["Title"] [{ … }]`
    User(User),
    /// `subaccount NAME ["Title"] { … }`
    Subaccount(Account),
    /// `appointment …`, owned by this account.
    Appointment(Appointment),
}

/// `ceiling [doors TARGET…] [rights RIGHT…] [schedule NAME]`: what a sub-account may
/// never exceed. A part left out grants nothing (no door, no right, no default
/// schedule).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Ceiling {
    /// `doors TARGET…`
    pub doors: Option<Vec<Target>>,
    /// `rights RIGHT…` (or `rights all`)
    pub rights: Option<Vec<Ident>>,
    /// `schedule NAME`: given to members that have no schedule of their own.
    pub schedule: Option<Ident>,
}

/// `user NAME ["Full name"] [{ … }]`
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct User {
    /// The user's name (a handle).
    pub name: Ident,
    /// The full name.
    pub title: Option<Str>,
    /// Its clauses; `None` when written without a block.
    pub body: Option<Block<UserClause>>,
}

/// A clause of a user block.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum UserClause {
    /// `email "…"`
    Email(Str),
    /// `card 12345678`
    Card(Number),
    /// `pin "482913"`
    Pin(Str),
    /// `qr "…"`
    Qr(Str),
    /// `mobile "…"`: a mobile key.
    Mobile(Str),
    /// `remote`: may open over the network.
    Remote(Flag),
    /// `offline`: keeps access while the site is offline.
    Offline(Flag),
    /// `inactive`: access control not activated.
    Inactive(Flag),
    /// `valid [DATE]..[DATE]`: inclusive local dates.
    Valid {
        /// First valid day.
        from: Option<Date>,
        /// Last valid day.
        to: Option<Date>,
    },
    /// `tags NAME…`
    Tags(Vec<Ident>),
    /// `schedule NAME`: the user's own schedule, on every door.
    Schedule(Ident),
    /// `allow TARGET… [schedule NAME]`: a grant; its schedule replaces the user's on
    /// those doors.
    Allow {
        /// What the grant opens.
        targets: Vec<Target>,
        /// The per-door exception.
        schedule: Option<Ident>,
    },
    /// `key OPTION…`: options of the user's data-on-card key (`audit`,
    /// `antipassback`), which shape its structure.
    Key(Vec<Word<KeyOption>>),
    /// `admin RIGHT… [ip "…"]`: admin rights.
    Admin {
        /// The rights (or `all`).
        rights: Vec<Ident>,
        /// The only address the admin may connect from.
        ip: Option<Str>,
    },
    /// `created_by NAME`: the admin user who created this user (an admin created by a
    /// sub-account's admin sees only the users they created).
    CreatedBy(Ident),
}

// ---------------------------------------------------------------------------------
// Appointments

/// `appointment NAME on DATE HH:MM-HH:MM { … }`: temporary access for guests, on one
/// local day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Appointment {
    /// The appointment's name.
    pub name: Ident,
    /// Its local day.
    pub date: Date,
    /// Its hours on that day.
    pub range: TimeRange,
    /// Its clauses.
    pub body: Block<AppointmentClause>,
}

/// A clause of an appointment block.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum AppointmentClause {
    /// `doors TARGET…`
    Doors(Vec<Target>),
    /// `guest "Name" [<email>] [credential…]`
    Guest(Guest),
    /// `organizer "…"` (admins only)
    Organizer(Str),
    /// `subject "…"` (admins only)
    Subject(Str),
    /// `description "…"` (admins only)
    Description(Str),
    /// `remote`: guests may also open over the network.
    Remote(Flag),
}

/// `guest "Name" <email> [qr "…"] [pin "…"] [mobile "…"]`
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Guest {
    /// The guest's name.
    pub name: Str,
    /// The address the access is sent to, without the angle brackets.
    pub email: Option<Str>,
    /// Credentials the guest presents, in the order written.
    pub credentials: Vec<GuestCredential>,
}

/// A credential given to a guest.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum GuestCredential {
    /// `qr "…"`
    Qr(Str),
    /// `pin "…"`
    Pin(Str),
    /// `mobile "…"`
    Mobile(Str),
}

// ---------------------------------------------------------------------------------
// Policy tests

/// `test "Title" { EXPECTATION… }`: what the policy's author expects the decision
/// engine to answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Test {
    /// What the test is about.
    pub title: Str,
    /// Its expectations.
    pub body: Block<Expectation>,
}

/// `SUBJECT (may | may not) open DOOR at INSTANT [offline] [because REASON]`
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Expectation {
    /// Who asks to open.
    pub subject: TestSubject,
    /// `may` (true) or `may not` (false).
    pub allowed: bool,
    /// The door's name.
    pub door: Ident,
    /// When.
    pub at: DateTime,
    /// `offline`: the site's network is down.
    pub offline: Option<Flag>,
    /// `because REASON`: the reason code the decision must give, as written.
    pub because: Option<Ident>,
}

/// Who asks to open, in an expectation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum TestSubject {
    /// `NAME`: a user, whatever the medium.
    User(Ident),
    /// `remote NAME`: a user opening over the network.
    Remote(Ident),
    /// `guest "EMAIL"`: the appointments' guest with this email.
    Guest(Str),
    /// `CREDENTIAL [+ CREDENTIAL]…`: what is presented at the reader, in the order
    /// written (at least one).
    Credentials(Vec<TestCredential>),
}

/// A credential presented at a reader, in an expectation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum TestCredential {
    /// `card DIGITS`
    Card(Number),
    /// `pin "…"`: a code typed on the keypad.
    Pin(Str),
    /// `qr "…"`
    Qr(Str),
    /// `mobile "…"`
    Mobile(Str),
}

impl TestCredential {
    /// The keyword that introduces the credential.
    pub fn keyword(&self) -> &'static str {
        match self {
            TestCredential::Card(_) => "card",
            TestCredential::Pin(_) => "pin",
            TestCredential::Qr(_) => "qr",
            TestCredential::Mobile(_) => "mobile",
        }
    }
}

/// An instant as written, `YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM|-HH:MM]`, kept as its text:
/// not checked to exist (the validator reads it with
/// [`WrittenTimestamp`](crate::time::WrittenTimestamp)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct DateTime {
    /// The text as written.
    pub text: String,
    /// Where it stands.
    pub span: Span,
}
