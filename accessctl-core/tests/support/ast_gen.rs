//! Random syntax trees of the shape the parser produces, for the formatter's
//! round-trip test, and the comments of a tree or a text in document order.
//!
//! A generated tree is one the parser could have built: names match the name syntax
//! and are not reserved words, lists that the grammar requires non-empty are, dates
//! and times fit their digits, comments hold no line break and no trailing white
//! space, the first entry of a file or block never has a blank line before it, and
//! an account's `sub` says where it stands. Strings, emails and comments are
//! otherwise arbitrary (quotes, backslashes, control characters, any Unicode).
//!
//! A few sequences of entries are ambiguous in the language itself (see
//! [`fix_site_block`] and [`fix_user_block`]): the generator rewrites them into their
//! unambiguous neighbours rather than produce trees no text can denote. In a test
//! block, a reason is never `may` (`because may …` starts the next expectation, whose
//! user is named `because`) and a subject's credentials are of distinct kinds.

use accessctl_core::syntax::ast::{
    Account, AccountClause, Appointment, AppointmentClause, Block, Ceiling, Comment, Date,
    DateTime, DaySpec, Door, DoorClause, Entry, Expectation, File, Group, Guest, GuestCredential,
    Holiday, Holidays, Ident, Item, Number, PathDecl, ReaderMode, Schedule, ScheduleRule, Site,
    SiteClause, SpaceCode, Str, Target, TargetKind, Test, TestCredential, TestSubject, Time,
    TimeRange, Trivia, User, UserClause, Weekday, Word,
};
use accessctl_core::syntax::ast::{
    Duration, FailMode, KeyOption, Passback, Tracking, Zone, ZoneClause, ZoneDoor,
};
use accessctl_core::Span;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

/// The reserved words of `docs/language.md`.
pub const RESERVED: [&str; 44] = [
    "key",
    "site",
    "timezone",
    "keystore",
    "door",
    "id",
    "readers",
    "cards",
    "schedule",
    "offline",
    "capacity",
    "require",
    "group",
    "path",
    "code",
    "on",
    "holidays",
    "except",
    "account",
    "subaccount",
    "ceiling",
    "doors",
    "rights",
    "user",
    "email",
    "card",
    "pin",
    "qr",
    "mobile",
    "remote",
    "inactive",
    "valid",
    "tags",
    "allow",
    "admin",
    "ip",
    "created_by",
    "appointment",
    "guest",
    "organizer",
    "subject",
    "description",
    "badge",
    "zone",
];

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// How many subaccounts may nest in a generated account.
const ACCOUNT_DEPTH: u32 = 2;

fn sp() -> Span {
    Span::default()
}

// ---------------------------------------------------------------------------------
// Values

/// A name: random ones, and a few that sit next to the rules (weekday names,
/// trailing `-`, lone `_`, words that start like reserved ones).
fn name() -> impl Strategy<Value = String> {
    let tricky = select(vec![
        "mon", "sun", "all", "users", "r-and-d", "a-", "_", "x--y", "doors_", "Site", "on2",
        "remotes", "e",
    ]);
    prop_oneof![
        4 => "[A-Za-z_][A-Za-z0-9_-]{0,7}"
            .prop_filter("reserved word", |n| !RESERVED.contains(&n.as_str())),
        1 => tricky.prop_map(str::to_owned),
    ]
}

pub fn ident() -> impl Strategy<Value = Ident> {
    name().prop_map(|name| Ident { name, span: sp() })
}

/// A holiday calendar's name: never a weekday (a weekday ends a list of calendars,
/// where the next schedule rule starts).
fn calendar() -> impl Strategy<Value = Ident> {
    ident().prop_filter("weekday", |i| !WEEKDAYS.contains(&i.name.as_str()))
}

/// An admin right: a name, or `remote` and `mobile`, reserved words that are rights.
fn right() -> impl Strategy<Value = Ident> {
    prop_oneof![
        4 => ident(),
        1 => select(vec!["remote", "mobile"]).prop_map(|n| Ident { name: n.to_owned(), span: sp() }),
    ]
}

/// Characters that stress strings and comments.
fn tricky_char() -> impl Strategy<Value = char> {
    select(vec![
        '"', '\\', '\n', '\t', '\r', '\0', '#', '{', '}', '<', '>', 'é', '\u{7F}', '\u{85}',
        '\u{2028}', '\u{202E}', '\u{FEFF}', ' ', 'u', '😀',
    ])
}

fn text_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>(),
        2 => tricky_char(),
        3 => proptest::char::range('a', 'z'),
    ]
}

/// Any string value.
fn text() -> impl Strategy<Value = String> {
    vec(text_char(), 0..10).prop_map(String::from_iter)
}

pub fn string() -> impl Strategy<Value = Str> {
    text().prop_map(|value| Str { value, span: sp() })
}

/// An email address: no ASCII white space, no `>`.
fn email() -> impl Strategy<Value = Str> {
    let char = text_char().prop_filter("email char", |c| !c.is_ascii_whitespace() && *c != '>');
    vec(char, 0..10).prop_map(|chars| Str {
        value: String::from_iter(chars),
        span: sp(),
    })
}

/// A comment's text: no line break, no trailing white space.
pub fn comment() -> impl Strategy<Value = Comment> {
    vec(text_char().prop_filter("line break", |c| *c != '\n'), 0..12).prop_map(|chars| Comment {
        text: String::from_iter(chars).trim_end().to_owned(),
        span: sp(),
        blank_line_before: false,
    })
}

fn number() -> impl Strategy<Value = Number> {
    "[0-9]{1,12}".prop_map(|digits| Number { digits, span: sp() })
}

fn date() -> impl Strategy<Value = Date> {
    (0u16..=9999, 0u8..=99, 0u8..=99).prop_map(|(year, month, day)| Date {
        year,
        month,
        day,
        span: sp(),
    })
}

fn time() -> impl Strategy<Value = Time> {
    (0u8..=99, 0u8..=99).prop_map(|(hour, minute)| Time {
        hour,
        minute,
        span: sp(),
    })
}

fn time_range() -> impl Strategy<Value = TimeRange> {
    (time(), time()).prop_map(|(start, end)| TimeRange {
        start,
        end,
        span: sp(),
    })
}

fn word<K: Clone + std::fmt::Debug + 'static>(kinds: &[K]) -> impl Strategy<Value = Word<K>> {
    select(kinds.to_vec()).prop_map(|kind| Word { kind, span: sp() })
}

fn target() -> impl Strategy<Value = Target> {
    let kinds = [
        TargetKind::Site,
        TargetKind::Door,
        TargetKind::Group,
        TargetKind::Path,
    ];
    (option::of(word(&kinds)), ident()).prop_map(|(kind, name)| Target { kind, name })
}

fn targets() -> impl Strategy<Value = Vec<Target>> {
    vec(target(), 1..4)
}

// ---------------------------------------------------------------------------------
// Entries and blocks

fn trivia() -> impl Strategy<Value = Trivia> {
    let leading = prop_oneof![3 => Just(Vec::new()), 1 => vec(comment(), 1..3)];
    (any::<bool>(), leading, option::weighted(0.25, comment())).prop_map(
        |(blank_line_before, leading, trailing)| Trivia {
            blank_line_before,
            leading,
            trailing,
        },
    )
}

fn entries<T: std::fmt::Debug>(
    node: impl Strategy<Value = T>,
    max: usize,
) -> impl Strategy<Value = Vec<Entry<T>>> {
    vec((trivia(), node), 0..max).prop_map(|entries| {
        let mut entries: Vec<Entry<T>> = entries
            .into_iter()
            .map(|(trivia, node)| Entry {
                trivia,
                node,
                span: sp(),
            })
            .collect();
        if let Some(first) = entries.first_mut() {
            first.trivia.blank_line_before = false;
        }
        entries
    })
}

fn block<T: std::fmt::Debug>(
    node: impl Strategy<Value = T>,
    max: usize,
) -> impl Strategy<Value = Block<T>> {
    let dangling = prop_oneof![3 => Just(Vec::new()), 1 => vec(comment(), 1..3)];
    (
        option::weighted(0.2, comment()),
        entries(node, max),
        dangling,
    )
        .prop_map(|(open_comment, entries, dangling)| Block {
            open_comment,
            entries,
            dangling,
            span: sp(),
        })
}

// ---------------------------------------------------------------------------------
// Sites and doors

fn site() -> impl Strategy<Value = Site> {
    let body = block(site_clause(), 6).prop_map(fix_site_block);
    (ident(), option::of(string()), body).prop_map(|(name, title, body)| Site { name, title, body })
}

/// `code "…" on a` followed by a door with neither title nor block reads as
/// `code "…" on a door d`: such a door gets a title.
fn fix_site_block(mut block: Block<SiteClause>) -> Block<SiteClause> {
    let mut after_code = false;
    for entry in &mut block.entries {
        if let SiteClause::Door(door) = &mut entry.node {
            if after_code && door.title.is_none() && door.body.is_none() {
                door.title = Some(Str {
                    value: "t".to_owned(),
                    span: sp(),
                });
            }
        }
        after_code = matches!(entry.node, SiteClause::Code(_));
    }
    block
}

fn site_clause() -> impl Strategy<Value = SiteClause> {
    prop_oneof![
        string().prop_map(SiteClause::Timezone),
        string().prop_map(SiteClause::Keystore),
        card_formats().prop_map(SiteClause::Cards),
        door().prop_map(SiteClause::Door),
        (ident(), vec(ident(), 1..4))
            .prop_map(|(name, doors)| SiteClause::Group(Group { name, doors })),
        (ident(), vec(ident(), 1..4))
            .prop_map(|(name, doors)| SiteClause::Path(PathDecl { name, doors })),
        (string(), targets())
            .prop_map(|(code, targets)| SiteClause::Code(SpaceCode { code, targets })),
        zone().prop_map(SiteClause::Zone),
    ]
}

// ---------------------------------------------------------------------------------
// Anti-passback zones

fn zone() -> impl Strategy<Value = Zone> {
    (ident(), option::of(string()), block(zone_clause(), 6)).prop_map(|(name, title, body)| Zone {
        name,
        title,
        body,
    })
}

/// Zone clauses; a door may be named like a zone clause's keyword (`entry exit`).
fn zone_clause() -> impl Strategy<Value = ZoneClause> {
    let door = || {
        let tricky = select(vec![
            "entry",
            "exit",
            "reader",
            "per",
            "hard",
            "antipassback",
        ])
        .prop_map(|n| Ident {
            name: n.to_owned(),
            span: sp(),
        });
        (prop_oneof![4 => ident(), 1 => tricky], option::of(number()))
            .prop_map(|(door, reader)| ZoneDoor { door, reader })
    };
    let duration = ("[0-9]{1,6}", "[a-zA-Z]{1,4}").prop_map(|(digits, unit)| Duration {
        digits,
        unit,
        span: sp(),
    });
    let passback = prop_oneof![
        Just(Passback::Hard(sp())),
        Just(Passback::Soft(sp())),
        duration.prop_map(|d| Passback::Timed(sp(), d)),
    ];
    prop_oneof![
        3 => door().prop_map(ZoneClause::Entry),
        2 => door().prop_map(ZoneClause::Exit),
        1 => passback.prop_map(ZoneClause::Antipassback),
        1 => word(&[Tracking::User, Tracking::Card]).prop_map(ZoneClause::Per),
        1 => word(&[FailMode::Open, FailMode::Closed]).prop_map(ZoneClause::Unreachable),
    ]
}

fn door() -> impl Strategy<Value = Door> {
    (
        ident(),
        option::of(string()),
        option::of(block(door_clause(), 5)),
    )
        .prop_map(|(name, title, body)| Door { name, title, body })
}

fn door_clause() -> impl Strategy<Value = DoorClause> {
    let modes = || vec(word(&ReaderMode::ALL), 1..4);
    prop_oneof![
        string().prop_map(DoorClause::Id),
        modes().prop_map(DoorClause::Readers),
        ident().prop_map(DoorClause::Schedule),
        Just(DoorClause::Offline(sp())),
        number().prop_map(DoorClause::Capacity),
        modes().prop_map(DoorClause::Require),
        card_formats().prop_map(DoorClause::Cards),
    ]
}

/// The list of a `cards` clause: known format names (`corp1000-35` has a `-` inside)
/// and any other name, which the parser keeps for the validator to judge.
fn card_formats() -> impl Strategy<Value = Vec<Ident>> {
    let known =
        select(vec!["h10301", "h10304", "corp1000-35", "h10306", "raw"]).prop_map(|n| Ident {
            name: n.to_owned(),
            span: sp(),
        });
    vec(prop_oneof![2 => known, 1 => ident()], 1..4)
}

// ---------------------------------------------------------------------------------
// Schedules and holidays

fn schedule() -> impl Strategy<Value = Schedule> {
    (ident(), block(schedule_rule(), 5)).prop_map(|(name, body)| Schedule { name, body })
}

fn schedule_rule() -> impl Strategy<Value = ScheduleRule> {
    let ranges = || vec(time_range(), 1..3);
    let calendars = || vec(calendar(), 1..3);
    prop_oneof![
        (vec(day_spec(), 1..3), ranges())
            .prop_map(|(days, ranges)| ScheduleRule::Weekly { days, ranges }),
        calendars().prop_map(|calendars| ScheduleRule::Except { calendars }),
        (calendars(), ranges())
            .prop_map(|(calendars, ranges)| ScheduleRule::Holidays { calendars, ranges }),
    ]
}

fn day_spec() -> impl Strategy<Value = DaySpec> {
    let day = || word(&Weekday::ALL);
    prop_oneof![
        day().prop_map(DaySpec::Day),
        (day(), day()).prop_map(|(from, to)| DaySpec::Range(from, to)),
    ]
}

fn holidays() -> impl Strategy<Value = Holidays> {
    let day = (date(), option::of(date()), option::of(string()))
        .prop_map(|(from, to, label)| Holiday { from, to, label });
    (ident(), block(day, 5)).prop_map(|(name, body)| Holidays { name, body })
}

// ---------------------------------------------------------------------------------
// Accounts and users

/// An account, `sub` when nested; sub-accounts nest at most `depth` deeper.
fn account(sub: bool, depth: u32) -> BoxedStrategy<Account> {
    (
        ident(),
        option::of(string()),
        block(account_clause(depth), 5),
    )
        .prop_map(move |(name, title, body)| Account {
            sub,
            name,
            title,
            body,
        })
        .boxed()
}

fn account_clause(depth: u32) -> BoxedStrategy<AccountClause> {
    let leaves = prop_oneof![
        ceiling().prop_map(AccountClause::Ceiling),
        user().prop_map(AccountClause::User),
        appointment().prop_map(AccountClause::Appointment),
    ];
    if depth == 0 {
        return leaves.boxed();
    }
    prop_oneof![
        3 => leaves,
        1 => account(true, depth - 1).prop_map(AccountClause::Subaccount),
    ]
    .boxed()
}

fn ceiling() -> impl Strategy<Value = Ceiling> {
    (
        option::of(targets()),
        option::of(vec(right(), 1..4)),
        option::of(ident()),
    )
        .prop_map(|(doors, rights, schedule)| Ceiling {
            doors,
            rights,
            schedule,
        })
}

fn user() -> impl Strategy<Value = User> {
    let body = option::of(block(user_clause(), 8).prop_map(fix_user_block));
    (ident(), option::of(string()), body).prop_map(|(name, title, body)| User { name, title, body })
}

/// `allow a` followed by `schedule s` reads as `allow a schedule s`, and `admin x`
/// followed by `remote` as `admin x remote`: such a grant gets the schedule, such an
/// admin clause an address.
fn fix_user_block(mut block: Block<UserClause>) -> Block<UserClause> {
    let mut next: Option<UserClause> = None;
    for entry in block.entries.iter_mut().rev() {
        match (&mut entry.node, &next) {
            (UserClause::Allow { schedule, .. }, Some(UserClause::Schedule(name))) => {
                schedule.get_or_insert_with(|| name.clone());
            }
            (UserClause::Admin { ip, .. }, Some(UserClause::Remote(_))) => {
                ip.get_or_insert_with(|| Str {
                    value: "10.0.0.1".to_owned(),
                    span: sp(),
                });
            }
            _ => {}
        }
        next = Some(entry.node.clone());
    }
    block
}

fn user_clause() -> impl Strategy<Value = UserClause> {
    prop_oneof![
        string().prop_map(UserClause::Email),
        number().prop_map(UserClause::Card),
        string().prop_map(UserClause::Pin),
        string().prop_map(UserClause::Qr),
        string().prop_map(UserClause::Mobile),
        Just(UserClause::Remote(sp())),
        Just(UserClause::Offline(sp())),
        Just(UserClause::Inactive(sp())),
        (option::of(date()), option::of(date()))
            .prop_map(|(from, to)| UserClause::Valid { from, to }),
        vec(ident(), 1..4).prop_map(UserClause::Tags),
        ident().prop_map(UserClause::Schedule),
        (targets(), option::of(ident()))
            .prop_map(|(targets, schedule)| UserClause::Allow { targets, schedule }),
        (vec(right(), 1..4), option::of(string()))
            .prop_map(|(rights, ip)| UserClause::Admin { rights, ip }),
        ident().prop_map(UserClause::CreatedBy),
        vec(
            select(vec![KeyOption::Audit, KeyOption::Antipassback])
                .prop_map(|kind| Word { kind, span: sp() }),
            1..3
        )
        .prop_map(UserClause::Key),
    ]
}

// ---------------------------------------------------------------------------------
// Appointments

fn appointment() -> impl Strategy<Value = Appointment> {
    (
        ident(),
        date(),
        time_range(),
        block(appointment_clause(), 5),
    )
        .prop_map(|(name, date, range, body)| Appointment {
            name,
            date,
            range,
            body,
        })
}

fn appointment_clause() -> impl Strategy<Value = AppointmentClause> {
    prop_oneof![
        targets().prop_map(AppointmentClause::Doors),
        guest().prop_map(AppointmentClause::Guest),
        string().prop_map(AppointmentClause::Organizer),
        string().prop_map(AppointmentClause::Subject),
        string().prop_map(AppointmentClause::Description),
        Just(AppointmentClause::Remote(sp())),
    ]
}

fn guest() -> impl Strategy<Value = Guest> {
    let credential = prop_oneof![
        string().prop_map(GuestCredential::Qr),
        string().prop_map(GuestCredential::Pin),
        string().prop_map(GuestCredential::Mobile),
    ];
    (string(), option::of(email()), vec(credential, 0..3)).prop_map(|(name, email, credentials)| {
        Guest {
            name,
            email,
            credentials,
        }
    })
}

// ---------------------------------------------------------------------------------
// Policy tests

fn test() -> impl Strategy<Value = Test> {
    (string(), block(expectation(), 6)).prop_map(|(title, body)| Test { title, body })
}

fn expectation() -> impl Strategy<Value = Expectation> {
    (
        test_subject(),
        any::<bool>(),
        ident(),
        date_time(),
        any::<bool>(),
        option::of(reason()),
    )
        .prop_map(
            |(subject, allowed, door, at, offline, because)| Expectation {
                subject,
                allowed,
                door,
                at,
                offline: offline.then(sp),
                because,
            },
        )
}

fn test_subject() -> impl Strategy<Value = TestSubject> {
    prop_oneof![
        ident().prop_map(TestSubject::User),
        ident().prop_map(TestSubject::Remote),
        string().prop_map(TestSubject::Guest),
        vec(test_credential(), 1..5).prop_map(|credentials| {
            let mut distinct: Vec<TestCredential> = Vec::new();
            for credential in credentials {
                if distinct.iter().all(|c| c.keyword() != credential.keyword()) {
                    distinct.push(credential);
                }
            }
            TestSubject::Credentials(distinct)
        }),
    ]
}

fn test_credential() -> impl Strategy<Value = TestCredential> {
    prop_oneof![
        number().prop_map(TestCredential::Card),
        string().prop_map(TestCredential::Pin),
        string().prop_map(TestCredential::Qr),
        string().prop_map(TestCredential::Mobile),
    ]
}

/// A reason: a known code (two of them reserved words), or any name but `may`.
fn reason() -> impl Strategy<Value = Ident> {
    let codes = select(vec![
        "granted",
        "outside_schedule",
        "inactive",
        "appointment",
        "because",
        "offline",
        "site",
    ]);
    prop_oneof![
        1 => codes.prop_map(|n| Ident { name: n.to_owned(), span: sp() }),
        2 => ident().prop_filter("`because may` starts an expectation", |i| i.name != "may"),
    ]
}

/// `YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]`, digits of any value.
fn date_time() -> impl Strategy<Value = DateTime> {
    let offset = prop_oneof![
        Just(String::new()),
        Just("Z".to_owned()),
        (select(vec!['+', '-']), 0u8..=99, 0u8..=99)
            .prop_map(|(sign, h, m)| format!("{sign}{h:02}:{m:02}")),
    ];
    (
        (0u16..=9999, 0u8..=99, 0u8..=99),
        (0u8..=99, 0u8..=99, option::of(0u8..=99)),
        offset,
    )
        .prop_map(|((year, month, day), (hour, minute, second), offset)| {
            let second = second.map(|s| format!(":{s:02}")).unwrap_or_default();
            DateTime {
                text: format!(
                    "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}{second}{offset}"
                ),
                span: sp(),
            }
        })
}

// ---------------------------------------------------------------------------------
// Files

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        site().prop_map(Item::Site),
        schedule().prop_map(Item::Schedule),
        holidays().prop_map(Item::Holidays),
        account(false, ACCOUNT_DEPTH).prop_map(Item::Account),
        appointment().prop_map(Item::Appointment),
        test().prop_map(Item::Test),
        zone().prop_map(Item::Zone),
    ]
}

/// A whole file of the parser's shape.
pub fn file() -> impl Strategy<Value = File> {
    let dangling = prop_oneof![3 => Just(Vec::new()), 1 => vec(comment(), 1..3)];
    (entries(item(), 5), dangling).prop_map(|(items, dangling)| File { items, dangling })
}

// ---------------------------------------------------------------------------------
// Comments in document order

/// The texts of every comment of `file`, in the order they stand in the document.
pub fn comments_of_tree(file: &File) -> Vec<String> {
    let mut out = Vec::new();
    for entry in &file.items {
        visit_entry(&mut out, entry, item_comments);
    }
    push_all(&mut out, &file.dangling);
    out
}

fn push_all(out: &mut Vec<String>, comments: &[Comment]) {
    out.extend(comments.iter().map(|c| c.text.clone()));
}

fn visit_entry<T>(out: &mut Vec<String>, entry: &Entry<T>, node: fn(&mut Vec<String>, &T)) {
    push_all(out, &entry.trivia.leading);
    node(out, &entry.node);
    push_all(out, entry.trivia.trailing.as_slice());
}

fn visit_block<T>(out: &mut Vec<String>, block: &Block<T>, node: fn(&mut Vec<String>, &T)) {
    push_all(out, block.open_comment.as_slice());
    for entry in &block.entries {
        visit_entry(out, entry, node);
    }
    push_all(out, &block.dangling);
}

/// For nodes with no comments of their own.
fn no_comments<T>(_: &mut Vec<String>, _: &T) {}

fn item_comments(out: &mut Vec<String>, item: &Item) {
    match item {
        Item::Site(site) => visit_block(out, &site.body, site_clause_comments),
        Item::Schedule(schedule) => visit_block(out, &schedule.body, no_comments),
        Item::Holidays(holidays) => visit_block(out, &holidays.body, no_comments),
        Item::Account(account) => visit_block(out, &account.body, account_clause_comments),
        Item::Appointment(appointment) => visit_block(out, &appointment.body, no_comments),
        Item::Test(test) => visit_block(out, &test.body, no_comments),
        Item::Zone(zone) => visit_block(out, &zone.body, no_comments),
    }
}

fn site_clause_comments(out: &mut Vec<String>, clause: &SiteClause) {
    match clause {
        SiteClause::Door(Door {
            body: Some(body), ..
        }) => visit_block(out, body, no_comments),
        SiteClause::Zone(zone) => visit_block(out, &zone.body, no_comments),
        _ => {}
    }
}

fn account_clause_comments(out: &mut Vec<String>, clause: &AccountClause) {
    match clause {
        AccountClause::User(User {
            body: Some(body), ..
        }) => visit_block(out, body, no_comments),
        AccountClause::Subaccount(account) => {
            visit_block(out, &account.body, account_clause_comments)
        }
        AccountClause::Appointment(appointment) => visit_block(out, &appointment.body, no_comments),
        _ => {}
    }
}

/// The texts of every `#` comment of a policy text, in order, found by a scanner
/// independent of the parser: it skips string literals and `<…>` emails, and takes a
/// comment from `#` to the end of its line, trailing white space removed.
pub fn comments_of_text(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        rest = match c {
            '#' => {
                let end = rest.find('\n').unwrap_or(rest.len());
                found.push(rest[1..end].trim_end().to_owned());
                &rest[end..]
            }
            '"' => skip_string(rest),
            '<' => skip_email(rest),
            c => &rest[c.len_utf8()..],
        };
    }
    found
}

/// `rest` after the string literal it starts with (or after its line, unclosed).
fn skip_string(rest: &str) -> &str {
    let mut chars = rest.char_indices().skip(1);
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return &rest[at + 1..],
            '\n' | '\r' => return &rest[at..],
            '\\' => {
                if let Some((at, '\n' | '\r')) = chars.next() {
                    return &rest[at..];
                }
            }
            _ => {}
        }
    }
    ""
}

/// `rest` after the `<…>` email it starts with, or after its `<` if there is none.
fn skip_email(rest: &str) -> &str {
    let body = &rest[1..];
    let end = body.find(|c: char| c == '>' || c.is_ascii_whitespace());
    match end {
        Some(end) if body[end..].starts_with('>') => &body[end + 1..],
        _ => body,
    }
}
