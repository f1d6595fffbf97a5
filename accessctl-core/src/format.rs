//! The formatter: a syntax tree printed in the language's canonical form.
//!
//! Owns the canonical layout described in `docs/language.md` (indentation, one clause
//! per line, spacing, blank lines, where each comment goes). It is total and pure: any
//! tree prints, and `parse(format(tree)) == tree` for every tree the parser can
//! produce. It must never drop or reorder a comment, and never change meaning.
//!
//! # The canonical form, in detail
//!
//! - Two spaces of indentation per block level; one entry (item or clause) per line;
//!   a single space between tokens; every line ends with `\n`, so a non-empty file
//!   ends with exactly one; an empty tree prints as the empty string.
//! - A blank line stands before an entry iff its `blank_line_before` is set, except
//!   before the first entry of a file or block (never a blank line after `{`, nor
//!   before `}`, nor at the top of the file).
//! - Leading comments stand each on its own line, at the entry's indentation, above
//!   the entry (and below its blank line). A trailing comment follows the entry's last
//!   line (its `}` for an entry with a block) as `  #text`: two spaces, `#`, the text.
//!   A block's `open_comment` follows its `{` the same way (`door x {  #text`).
//!   Dangling comments stand at the block's inner indentation, after its last entry,
//!   before `}`. The file's dangling comments close the file, at column 0, with no
//!   blank line before them.
//! - A comment prints as `#` followed by its text, unchanged. The text cannot hold a
//!   line break (the parser never produces one); should a hand-built tree hold one,
//!   each `\n` prints as a space, so that a comment can never turn into code.
//! - A block prints `{`, its lines, `}`; an empty block with no comment prints `{}`
//!   on the entry's line (`door x "T" {}`), which the parser reads back as an empty
//!   block, distinct from a door or user written without one (`body: None`, printed
//!   with no braces at all). An `open_comment` or dangling comment forces the
//!   multi-line form.
//! - Strings print between quotes, with `\"`, `\\`, `\n`, `\t`, and `\u{X}`
//!   (uppercase hexadecimal) for every other control character, for the line and
//!   paragraph separators U+2028 and U+2029, and for the bidirectional controls
//!   (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), so that a string can
//!   neither break a line nor visually reorder the text around it. Every other
//!   character prints as itself. Any `String` round-trips.
//! - An email prints as `<value>`, unchanged.
//! - Dates print `YYYY-MM-DD`, times `HH:MM`, zero-padded. A value too wide for its
//!   field (a year above 9999, a month, day, hour or minute above 99, which the parser
//!   never produces) prints with all its digits: the text then fails to parse instead
//!   of silently meaning another date.
//! - Ceiling parts print in the order `doors`, `rights`, `schedule`, whatever order
//!   they were written in, each only when present. A `doors` or `rights` part with an
//!   empty list (which the parser never produces: it requires at least one element)
//!   prints like an absent part: both grant nothing.
//! - The keyword of an account is decided by where it stands, not by [`Account::sub`]:
//!   `account` at the top level, `subaccount` inside an account.
//! - An expectation of a test prints `SUBJECT may [not] open DOOR at INSTANT [offline]
//!   [because REASON]` on one line, its credentials joined by ` + ` in the order
//!   written; the instant prints as written (the lexer accepts only its canonical
//!   shape). A subject with no credential (which the parser never produces) prints
//!   nothing, and the text then fails to parse.
//! - Every other value (names, number digits, other lists) prints as it is; an empty
//!   list other than a ceiling part prints its keyword alone, which the parser rejects.
//!
//! [`Account::sub`]: crate::syntax::ast::Account::sub

use std::fmt::Write as _;

use crate::syntax::ast::{
    Account, AccountClause, Appointment, AppointmentClause, Block, Ceiling, Comment, Date, DaySpec,
    Door, DoorClause, Entry, Expectation, File, Group, Guest, GuestCredential, Holiday, Holidays,
    Ident, Item, PathDecl, ReaderMode, Schedule, ScheduleRule, Site, SiteClause, SpaceCode, Str,
    Target, Test, TestCredential, TestSubject, Time, TimeRange, User, UserClause, Word,
};
use crate::syntax::ast::{Passback, Zone, ZoneClause, ZoneDoor};

/// Prints `file` in canonical form, ending with a single newline (an empty file
/// prints as the empty string).
pub fn format(file: &File) -> String {
    let mut printer = Printer::default();
    printer.entries(0, &file.items, item);
    printer.comment_lines(0, &file.dangling);
    printer.out
}

/// Prints one entry of an account block (a user, a sub-account with everything in
/// it, a ceiling, an appointment) at block depth 0: its leading comments, its node and
/// its trailing comment, each line ending with `\n`, never the blank line before it.
/// These are the lines a lossless edit ([`crate::edit`]) puts in place of the entry's
/// own, each indented to where the entry stands.
pub fn format_account_entry(entry: &Entry<AccountClause>) -> String {
    let mut printer = Printer::default();
    printer.entry(0, true, entry, account_clause);
    printer.out
}

/// Prints one top-level item the way [`format_account_entry`] prints an entry of an
/// account block.
pub fn format_item(entry: &Entry<Item>) -> String {
    let mut printer = Printer::default();
    printer.entry(0, true, entry, item);
    printer.out
}

/// Prints one node of type `T` at block depth `depth`, without indentation before it
/// or a line break after it.
type NodeFn<T> = fn(&mut Printer, usize, &T);

/// The text being built, and whether the current line holds no token yet.
#[derive(Default)]
struct Printer {
    out: String,
    /// No token on the current line yet: the next one takes no space before it.
    fresh: bool,
}

// ---------------------------------------------------------------------------------
// Layout: lines, entries, blocks and comments

impl Printer {
    /// Starts a line at `depth` levels of indentation.
    fn line_start(&mut self, depth: usize) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
        self.fresh = true;
    }

    /// Ends the current line.
    fn line_end(&mut self) {
        self.out.push('\n');
        self.fresh = true;
    }

    /// The entries of a file or block, one per line.
    fn entries<T>(&mut self, depth: usize, entries: &[Entry<T>], node: NodeFn<T>) {
        for (index, entry) in entries.iter().enumerate() {
            self.entry(depth, index == 0, entry, node);
        }
    }

    /// One entry: its blank line, leading comments, node and trailing comment.
    fn entry<T>(&mut self, depth: usize, first: bool, entry: &Entry<T>, node: NodeFn<T>) {
        if entry.trivia.blank_line_before && !first {
            self.line_end();
        }
        self.comment_lines(depth, &entry.trivia.leading);
        self.line_start(depth);
        node(self, depth, &entry.node);
        if let Some(trailing) = &entry.trivia.trailing {
            self.comment_after(trailing);
        }
        self.line_end();
    }

    /// ` { … }` after a header at `depth`: `{}` when empty, else one entry per line at
    /// `depth + 1`.
    fn block<T>(&mut self, depth: usize, block: &Block<T>, node: NodeFn<T>) {
        self.token("{");
        let empty = block.entries.is_empty() && block.dangling.is_empty();
        if empty && block.open_comment.is_none() {
            self.out.push('}');
            return;
        }
        if let Some(open) = &block.open_comment {
            self.comment_after(open);
        }
        self.line_end();
        self.entries(depth + 1, &block.entries, node);
        self.comment_lines(depth + 1, &block.dangling);
        self.line_start(depth);
        self.token("}");
    }

    /// Comments each on its own line at `depth`.
    fn comment_lines(&mut self, depth: usize, comments: &[Comment]) {
        for comment in comments {
            if comment.blank_line_before {
                self.out.push('\n');
            }
            self.line_start(depth);
            self.comment(comment);
            self.line_end();
        }
    }

    /// A comment after the last token of a line: `  #text`.
    fn comment_after(&mut self, comment: &Comment) {
        self.out.push_str("  ");
        self.comment(comment);
    }

    /// `#text`; a line break in the text (never parsed, only built) prints as a space.
    fn comment(&mut self, comment: &Comment) {
        self.out.push('#');
        if comment.text.contains('\n') {
            self.out.push_str(&comment.text.replace('\n', " "));
        } else {
            self.out.push_str(&comment.text);
        }
    }
}

// ---------------------------------------------------------------------------------
// Tokens

impl Printer {
    /// Separates the next token from the previous one on the line.
    fn space(&mut self) {
        if !self.fresh {
            self.out.push(' ');
        }
        self.fresh = false;
    }

    /// A token printed as is.
    fn token(&mut self, text: &str) {
        self.space();
        self.out.push_str(text);
    }

    fn ident(&mut self, ident: &Ident) {
        self.token(&ident.name);
    }

    fn idents(&mut self, idents: &[Ident]) {
        for ident in idents {
            self.ident(ident);
        }
    }

    /// A keyword followed by a string: `email "…"`.
    fn keyword_string(&mut self, keyword: &str, value: &Str) {
        self.token(keyword);
        self.string(value);
    }

    fn string(&mut self, value: &Str) {
        self.space();
        escape_string(&mut self.out, &value.value);
    }

    fn optional_string(&mut self, value: Option<&Str>) {
        if let Some(value) = value {
            self.string(value);
        }
    }

    fn words<K: Copy>(&mut self, words: &[Word<K>], as_str: fn(K) -> &'static str) {
        for word in words {
            self.token(as_str(word.kind));
        }
    }

    fn date(&mut self, date: &Date) {
        self.space();
        push_date(&mut self.out, date);
    }

    fn time_range(&mut self, range: &TimeRange) {
        self.space();
        push_time(&mut self.out, &range.start);
        self.out.push('-');
        push_time(&mut self.out, &range.end);
    }

    fn target(&mut self, target: &Target) {
        if let Some(kind) = &target.kind {
            self.token(kind.kind.as_str());
        }
        self.ident(&target.name);
    }

    fn targets(&mut self, targets: &[Target]) {
        for target in targets {
            self.target(target);
        }
    }
}

/// `value` as a string literal, quotes included (see the module documentation).
fn escape_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if needs_unicode_escape(c) => {
                let _ = write!(out, "\\u{{{:X}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Control characters, line and paragraph separators, and bidirectional controls.
fn needs_unicode_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `n` in decimal, zero-padded to at least `width` digits.
fn push_padded(out: &mut String, n: u32, width: usize) {
    let _ = write!(out, "{n:0width$}");
}

/// `YYYY-MM-DD`
fn push_date(out: &mut String, date: &Date) {
    push_padded(out, u32::from(date.year), 4);
    out.push('-');
    push_padded(out, u32::from(date.month), 2);
    out.push('-');
    push_padded(out, u32::from(date.day), 2);
}

/// `HH:MM`
fn push_time(out: &mut String, time: &Time) {
    push_padded(out, u32::from(time.hour), 2);
    out.push(':');
    push_padded(out, u32::from(time.minute), 2);
}

// ---------------------------------------------------------------------------------
// Items, sites and doors

fn item(p: &mut Printer, depth: usize, item: &Item) {
    match item {
        Item::Site(site_) => site(p, depth, site_),
        Item::Schedule(schedule_) => schedule(p, depth, schedule_),
        Item::Holidays(holidays_) => holidays(p, depth, holidays_),
        Item::Account(account_) => account(p, depth, "account", account_),
        Item::Appointment(appointment_) => appointment(p, depth, appointment_),
        Item::Test(test_) => test(p, depth, test_),
        Item::Zone(zone_) => zone(p, depth, zone_),
    }
}

fn site(p: &mut Printer, depth: usize, site: &Site) {
    p.token("site");
    p.ident(&site.name);
    p.optional_string(site.title.as_ref());
    p.block(depth, &site.body, site_clause);
}

fn site_clause(p: &mut Printer, depth: usize, clause: &SiteClause) {
    match clause {
        SiteClause::Timezone(zone) => p.keyword_string("timezone", zone),
        SiteClause::Keystore(file) => p.keyword_string("keystore", file),
        SiteClause::Cards(formats) => {
            p.token("cards");
            p.idents(formats);
        }
        SiteClause::Door(door_) => door(p, depth, door_),
        SiteClause::Group(group_) => group(p, group_),
        SiteClause::Path(path_) => path(p, path_),
        SiteClause::Code(code) => space_code(p, code),
        SiteClause::Zone(zone_) => zone(p, depth, zone_),
    }
}

fn door(p: &mut Printer, depth: usize, door: &Door) {
    p.token("door");
    p.ident(&door.name);
    p.optional_string(door.title.as_ref());
    if let Some(body) = &door.body {
        p.block(depth, body, door_clause);
    }
}

fn door_clause(p: &mut Printer, _depth: usize, clause: &DoorClause) {
    match clause {
        DoorClause::Id(id) => p.keyword_string("id", id),
        DoorClause::Readers(modes) => {
            p.token("readers");
            p.words(modes, ReaderMode::as_str);
        }
        DoorClause::Schedule(name) => {
            p.token("schedule");
            p.ident(name);
        }
        DoorClause::Offline(_) => p.token("offline"),
        DoorClause::Capacity(n) => {
            p.token("capacity");
            p.token(&n.digits);
        }
        DoorClause::Require(modes) => {
            p.token("require");
            p.words(modes, ReaderMode::as_str);
        }
        DoorClause::Cards(formats) => {
            p.token("cards");
            p.idents(formats);
        }
    }
}

/// `group NAME = DOOR…`
fn group(p: &mut Printer, group: &Group) {
    p.token("group");
    p.ident(&group.name);
    p.token("=");
    p.idents(&group.doors);
}

/// `path NAME = DOOR -> DOOR…`
fn path(p: &mut Printer, path: &PathDecl) {
    p.token("path");
    p.ident(&path.name);
    p.token("=");
    for (index, door) in path.doors.iter().enumerate() {
        if index > 0 {
            p.token("->");
        }
        p.ident(door);
    }
}

/// `code "XXXXXX" on TARGET…`
fn space_code(p: &mut Printer, code: &SpaceCode) {
    p.keyword_string("code", &code.code);
    p.token("on");
    p.targets(&code.targets);
}

// ---------------------------------------------------------------------------------
// Anti-passback zones

/// `zone NAME ["Title"] { … }`
fn zone(p: &mut Printer, depth: usize, zone: &Zone) {
    p.token("zone");
    p.ident(&zone.name);
    p.optional_string(zone.title.as_ref());
    p.block(depth, &zone.body, zone_clause);
}

fn zone_clause(p: &mut Printer, _depth: usize, clause: &ZoneClause) {
    match clause {
        ZoneClause::Entry(door) => zone_door(p, "entry", door),
        ZoneClause::Exit(door) => zone_door(p, "exit", door),
        ZoneClause::Antipassback(rule) => {
            p.token("antipassback");
            match rule {
                Passback::Hard(_) => p.token("hard"),
                Passback::Soft(_) => p.token("soft"),
                Passback::Timed(_, after) => {
                    p.token("timed");
                    p.token(&after.digits);
                    p.out.push_str(&after.unit);
                }
            }
        }
        ZoneClause::Per(tracking) => {
            p.token("per");
            p.token(tracking.kind.as_str());
        }
        ZoneClause::Unreachable(mode) => {
            p.token("unreachable");
            p.token(mode.kind.as_str());
        }
    }
}

/// `entry DOOR [reader N]` or `exit …`
fn zone_door(p: &mut Printer, keyword: &str, door: &ZoneDoor) {
    p.token(keyword);
    p.ident(&door.door);
    if let Some(reader) = &door.reader {
        p.token("reader");
        p.token(&reader.digits);
    }
}

// ---------------------------------------------------------------------------------
// Schedules and holidays

fn schedule(p: &mut Printer, depth: usize, schedule: &Schedule) {
    p.token("schedule");
    p.ident(&schedule.name);
    p.block(depth, &schedule.body, schedule_rule);
}

fn schedule_rule(p: &mut Printer, _depth: usize, rule: &ScheduleRule) {
    match rule {
        ScheduleRule::Weekly { days, ranges } => {
            day_specs(p, days);
            time_ranges(p, ranges);
        }
        ScheduleRule::Except { calendars } => {
            p.token("except");
            p.token("holidays");
            p.idents(calendars);
        }
        ScheduleRule::Holidays { calendars, ranges } => {
            p.token("holidays");
            p.idents(calendars);
            time_ranges(p, ranges);
        }
    }
}

/// `mon..fri,sat`: one token.
fn day_specs(p: &mut Printer, days: &[DaySpec]) {
    p.space();
    for (index, day) in days.iter().enumerate() {
        if index > 0 {
            p.out.push(',');
        }
        match day {
            DaySpec::Day(day) => p.out.push_str(day.kind.as_str()),
            DaySpec::Range(from, to) => {
                p.out.push_str(from.kind.as_str());
                p.out.push_str("..");
                p.out.push_str(to.kind.as_str());
            }
        }
    }
}

fn time_ranges(p: &mut Printer, ranges: &[TimeRange]) {
    for range in ranges {
        p.time_range(range);
    }
}

fn holidays(p: &mut Printer, depth: usize, holidays: &Holidays) {
    p.token("holidays");
    p.ident(&holidays.name);
    p.block(depth, &holidays.body, holiday);
}

/// `2026-12-25 ["Label"]` or `2026-08-01..2026-08-15 ["Label"]`
fn holiday(p: &mut Printer, _depth: usize, holiday: &Holiday) {
    p.date(&holiday.from);
    if let Some(to) = &holiday.to {
        p.out.push_str("..");
        push_date(&mut p.out, to);
    }
    p.optional_string(holiday.label.as_ref());
}

// ---------------------------------------------------------------------------------
// Accounts and users

/// `account …` or `subaccount …`, as `keyword` says.
fn account(p: &mut Printer, depth: usize, keyword: &str, account: &Account) {
    p.token(keyword);
    p.ident(&account.name);
    p.optional_string(account.title.as_ref());
    p.block(depth, &account.body, account_clause);
}

fn account_clause(p: &mut Printer, depth: usize, clause: &AccountClause) {
    match clause {
        AccountClause::Ceiling(ceiling_) => ceiling(p, ceiling_),
        AccountClause::User(user_) => user(p, depth, user_),
        AccountClause::Subaccount(sub) => account(p, depth, "subaccount", sub),
        AccountClause::Appointment(appointment_) => appointment(p, depth, appointment_),
    }
}

/// `ceiling [doors TARGET…] [rights RIGHT…] [schedule NAME]`, in that order.
fn ceiling(p: &mut Printer, ceiling: &Ceiling) {
    p.token("ceiling");
    if let Some(doors) = ceiling.doors.as_deref().filter(|d| !d.is_empty()) {
        p.token("doors");
        p.targets(doors);
    }
    if let Some(rights) = ceiling.rights.as_deref().filter(|r| !r.is_empty()) {
        p.token("rights");
        p.idents(rights);
    }
    if let Some(schedule) = &ceiling.schedule {
        p.token("schedule");
        p.ident(schedule);
    }
}

fn user(p: &mut Printer, depth: usize, user: &User) {
    p.token("user");
    p.ident(&user.name);
    p.optional_string(user.title.as_ref());
    if let Some(body) = &user.body {
        p.block(depth, body, user_clause);
    }
}

fn user_clause(p: &mut Printer, _depth: usize, clause: &UserClause) {
    match clause {
        UserClause::Email(email) => p.keyword_string("email", email),
        UserClause::Card(number) => {
            p.token("card");
            p.token(&number.digits);
        }
        UserClause::Pin(pin) => p.keyword_string("pin", pin),
        UserClause::Qr(qr) => p.keyword_string("qr", qr),
        UserClause::Mobile(key) => p.keyword_string("mobile", key),
        UserClause::Remote(_) => p.token("remote"),
        UserClause::Offline(_) => p.token("offline"),
        UserClause::Inactive(_) => p.token("inactive"),
        UserClause::Valid { from, to } => valid(p, from.as_ref(), to.as_ref()),
        UserClause::Tags(tags) => {
            p.token("tags");
            p.idents(tags);
        }
        UserClause::Schedule(name) => {
            p.token("schedule");
            p.ident(name);
        }
        UserClause::Allow { targets, schedule } => allow(p, targets, schedule.as_ref()),
        UserClause::Admin { rights, ip } => admin(p, rights, ip.as_ref()),
        UserClause::CreatedBy(name) => {
            p.token("created_by");
            p.ident(name);
        }
        UserClause::Key(options) => {
            p.token("key");
            for option in options {
                p.token(option.kind.as_str());
            }
        }
    }
}

/// `valid [DATE]..[DATE]`, the window as one token.
fn valid(p: &mut Printer, from: Option<&Date>, to: Option<&Date>) {
    p.token("valid");
    p.space();
    if let Some(from) = from {
        push_date(&mut p.out, from);
    }
    p.out.push_str("..");
    if let Some(to) = to {
        push_date(&mut p.out, to);
    }
}

/// `allow TARGET… [schedule NAME]`
fn allow(p: &mut Printer, targets: &[Target], schedule: Option<&Ident>) {
    p.token("allow");
    p.targets(targets);
    if let Some(schedule) = schedule {
        p.token("schedule");
        p.ident(schedule);
    }
}

/// `admin RIGHT… [ip "ADDRESS"]`
fn admin(p: &mut Printer, rights: &[Ident], ip: Option<&Str>) {
    p.token("admin");
    p.idents(rights);
    if let Some(ip) = ip {
        p.keyword_string("ip", ip);
    }
}

// ---------------------------------------------------------------------------------
// Appointments

/// `appointment NAME on DATE HH:MM-HH:MM { … }`
fn appointment(p: &mut Printer, depth: usize, appointment: &Appointment) {
    p.token("appointment");
    p.ident(&appointment.name);
    p.token("on");
    p.date(&appointment.date);
    p.time_range(&appointment.range);
    p.block(depth, &appointment.body, appointment_clause);
}

fn appointment_clause(p: &mut Printer, _depth: usize, clause: &AppointmentClause) {
    match clause {
        AppointmentClause::Doors(targets) => {
            p.token("doors");
            p.targets(targets);
        }
        AppointmentClause::Guest(guest_) => guest(p, guest_),
        AppointmentClause::Organizer(s) => p.keyword_string("organizer", s),
        AppointmentClause::Subject(s) => p.keyword_string("subject", s),
        AppointmentClause::Description(s) => p.keyword_string("description", s),
        AppointmentClause::Remote(_) => p.token("remote"),
    }
}

/// `guest "Name" [<email>] [qr "…"] [pin "…"] [mobile "…"]`
fn guest(p: &mut Printer, guest: &Guest) {
    p.keyword_string("guest", &guest.name);
    if let Some(email) = &guest.email {
        p.space();
        p.out.push('<');
        p.out.push_str(&email.value);
        p.out.push('>');
    }
    for credential in &guest.credentials {
        match credential {
            GuestCredential::Qr(s) => p.keyword_string("qr", s),
            GuestCredential::Pin(s) => p.keyword_string("pin", s),
            GuestCredential::Mobile(s) => p.keyword_string("mobile", s),
        }
    }
}

// ---------------------------------------------------------------------------------
// Policy tests

/// `test "Title" { … }`
fn test(p: &mut Printer, depth: usize, test: &Test) {
    p.keyword_string("test", &test.title);
    p.block(depth, &test.body, expectation);
}

/// `SUBJECT may [not] open DOOR at INSTANT [offline] [because REASON]`
fn expectation(p: &mut Printer, _depth: usize, expectation: &Expectation) {
    test_subject(p, &expectation.subject);
    p.token("may");
    if !expectation.allowed {
        p.token("not");
    }
    p.token("open");
    p.ident(&expectation.door);
    p.token("at");
    p.token(&expectation.at.text);
    if expectation.offline.is_some() {
        p.token("offline");
    }
    if let Some(reason) = &expectation.because {
        p.token("because");
        p.ident(reason);
    }
}

/// `USER`, `remote USER`, `guest "EMAIL"` or `CREDENTIAL + CREDENTIAL…`
fn test_subject(p: &mut Printer, subject: &TestSubject) {
    match subject {
        TestSubject::User(user) => p.ident(user),
        TestSubject::Remote(user) => {
            p.token("remote");
            p.ident(user);
        }
        TestSubject::Guest(email) => p.keyword_string("guest", email),
        TestSubject::Credentials(credentials) => {
            for (index, credential) in credentials.iter().enumerate() {
                if index > 0 {
                    p.token("+");
                }
                match credential {
                    TestCredential::Card(number) => {
                        p.token("card");
                        p.token(&number.digits);
                    }
                    TestCredential::Pin(s) => p.keyword_string("pin", s),
                    TestCredential::Qr(s) => p.keyword_string("qr", s),
                    TestCredential::Mobile(s) => p.keyword_string("mobile", s),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;
    use crate::syntax::ast::{Number, ReaderMode, TargetKind, Trivia, Weekday};

    fn id(name: &str) -> Ident {
        Ident {
            name: name.to_owned(),
            span: Span::default(),
        }
    }

    fn s(value: &str) -> Str {
        Str {
            value: value.to_owned(),
            span: Span::default(),
        }
    }

    fn c(text: &str) -> Comment {
        Comment {
            text: text.to_owned(),
            span: Span::default(),
            blank_line_before: false,
        }
    }

    fn e<T>(node: T) -> Entry<T> {
        Entry {
            trivia: Trivia::default(),
            node,
            span: Span::default(),
        }
    }

    /// An entry with a blank line before it, leading comments and a trailing one.
    fn et<T>(blank: bool, leading: &[&str], trailing: Option<&str>, node: T) -> Entry<T> {
        Entry {
            trivia: Trivia {
                blank_line_before: blank,
                leading: leading.iter().map(|t| c(t)).collect(),
                trailing: trailing.map(c),
            },
            node,
            span: Span::default(),
        }
    }

    fn b<T>(entries: Vec<Entry<T>>) -> Block<T> {
        Block {
            open_comment: None,
            entries,
            dangling: Vec::new(),
            span: Span::default(),
        }
    }

    fn file(items: Vec<Entry<Item>>) -> File {
        File {
            items,
            dangling: Vec::new(),
        }
    }

    fn date(year: u16, month: u8, day: u8) -> Date {
        Date {
            year,
            month,
            day,
            span: Span::default(),
        }
    }

    fn range(h1: u8, m1: u8, h2: u8, m2: u8) -> TimeRange {
        let time = |hour, minute| Time {
            hour,
            minute,
            span: Span::default(),
        };
        TimeRange {
            start: time(h1, m1),
            end: time(h2, m2),
            span: Span::default(),
        }
    }

    fn w<K>(kind: K) -> Word<K> {
        Word {
            kind,
            span: Span::default(),
        }
    }

    fn t(kind: Option<TargetKind>, name: &str) -> Target {
        Target {
            kind: kind.map(w),
            name: id(name),
        }
    }

    fn site(name: &str, title: Option<&str>, body: Block<SiteClause>) -> Item {
        Item::Site(Site {
            name: id(name),
            title: title.map(s),
            body,
        })
    }

    fn door(name: &str, title: Option<&str>, body: Option<Block<DoorClause>>) -> SiteClause {
        SiteClause::Door(Door {
            name: id(name),
            title: title.map(s),
            body,
        })
    }

    fn user(name: &str, body: Vec<Entry<UserClause>>) -> AccountClause {
        AccountClause::User(User {
            name: id(name),
            title: None,
            body: Some(b(body)),
        })
    }

    fn account(sub: bool, name: &str, body: Vec<Entry<AccountClause>>) -> Account {
        Account {
            sub,
            name: id(name),
            title: None,
            body: b(body),
        }
    }

    #[test]
    fn empty_file_prints_nothing() {
        assert_eq!(format(&file(Vec::new())), "");
    }

    #[test]
    fn site_doors_groups_paths_codes() {
        let tree = file(vec![e(site(
            "centre",
            Some("Centre sportif"),
            b(vec![
                e(SiteClause::Timezone(s("Europe/Paris"))),
                e(SiteClause::Keystore(s("centre.keys"))),
                e(SiteClause::Cards(vec![id("h10301"), id("h10304")])),
                et(
                    true,
                    &[],
                    None,
                    door(
                        "main",
                        Some("Entrée principale"),
                        Some(b(vec![
                            e(DoorClause::Id(s("5d1ecdd1"))),
                            e(DoorClause::Readers(vec![
                                w(ReaderMode::Badge),
                                w(ReaderMode::Pin),
                                w(ReaderMode::Remote),
                            ])),
                            e(DoorClause::Schedule(id("office"))),
                            e(DoorClause::Offline(Span::default())),
                            e(DoorClause::Capacity(Number {
                                digits: "0500".to_owned(),
                                span: Span::default(),
                            })),
                            e(DoorClause::Require(vec![
                                w(ReaderMode::Qr),
                                w(ReaderMode::Mobile),
                            ])),
                            e(DoorClause::Cards(vec![id("corp1000-35"), id("raw")])),
                        ])),
                    ),
                ),
                e(door("meeting", None, Some(b(Vec::new())))),
                e(door("r2", Some("Bureau R+2"), None)),
                et(
                    true,
                    &[],
                    None,
                    SiteClause::Group(Group {
                        name: id("offices"),
                        doors: vec![id("main"), id("meeting"), id("r2")],
                    }),
                ),
                e(SiteClause::Path(PathDecl {
                    name: id("to_r2"),
                    doors: vec![id("main"), id("r2")],
                })),
                et(
                    false,
                    &[],
                    Some(" permanent space code"),
                    SiteClause::Code(SpaceCode {
                        code: s("483920"),
                        targets: vec![
                            t(None, "main"),
                            t(Some(TargetKind::Group), "offices"),
                            t(Some(TargetKind::Path), "to_r2"),
                            t(Some(TargetKind::Site), "centre"),
                            t(Some(TargetKind::Door), "r2"),
                        ],
                    }),
                ),
            ]),
        ))]);
        let expected = r#"site centre "Centre sportif" {
  timezone "Europe/Paris"
  keystore "centre.keys"
  cards h10301 h10304

  door main "Entrée principale" {
    id "5d1ecdd1"
    readers badge pin remote
    schedule office
    offline
    capacity 0500
    require qr mobile
    cards corp1000-35 raw
  }
  door meeting {}
  door r2 "Bureau R+2"

  group offices = main meeting r2
  path to_r2 = main -> r2
  code "483920" on main group offices path to_r2 site centre door r2  # permanent space code
}
"#;
        assert_eq!(format(&tree), expected);
    }

    #[test]
    fn comments_in_every_position() {
        let mut inner = b(vec![et(
            false,
            &[" before id", ""],
            Some(" after id"),
            DoorClause::Id(s("x")),
        )]);
        inner.open_comment = Some(c(" on the brace"));
        inner.dangling = vec![c(" dangling in door"), c("")];
        let mut empty_open = b(Vec::new());
        empty_open.open_comment = Some(c("open only"));
        let mut empty_dangling = b(Vec::new());
        empty_dangling.dangling = vec![c("dangling only")];
        let mut tree = file(vec![
            et(
                true, // ignored: the first entry never has a blank line before it
                &[" file head", "  indented text"],
                Some(" after the site"),
                site(
                    "a",
                    None,
                    b(vec![
                        // A blank line after `{` is never printed either.
                        et(true, &["lead"], Some("trail"), door("d", None, Some(inner))),
                        et(
                            true,
                            &[],
                            Some("after an empty block"),
                            door("e", None, Some(b(Vec::new()))),
                        ),
                        e(door("f", None, Some(empty_open))),
                        et(false, &[], Some("t"), door("g", None, Some(empty_dangling))),
                    ]),
                ),
            ),
            et(true, &[" second"], None, site("b", None, b(Vec::new()))),
        ]);
        tree.dangling = vec![c(" the end"), c("#")];
        let expected = "\
# file head
#  indented text
site a {
  #lead
  door d {  # on the brace
    # before id
    #
    id \"x\"  # after id
    # dangling in door
    #
  }  #trail

  door e {}  #after an empty block
  door f {  #open only
  }
  door g {
    #dangling only
  }  #t
}  # after the site

# second
site b {}
# the end
##
";
        assert_eq!(format(&tree), expected);
    }

    #[test]
    fn first_entry_of_a_block_takes_no_blank_line() {
        let tree = file(vec![e(site(
            "a",
            None,
            b(vec![et(true, &[], None, SiteClause::Timezone(s("UTC")))]),
        ))]);
        assert_eq!(format(&tree), "site a {\n  timezone \"UTC\"\n}\n");
    }

    #[test]
    fn only_comments() {
        let mut tree = file(Vec::new());
        tree.dangling = vec![c(" a"), c(" b")];
        assert_eq!(format(&tree), "# a\n# b\n");
    }

    #[test]
    fn a_line_break_in_a_built_comment_prints_as_a_space() {
        let mut tree = file(Vec::new());
        tree.dangling = vec![c(" a\nsite x {}")];
        assert_eq!(format(&tree), "# a site x {}\n");
    }

    #[test]
    fn schedules_and_holidays() {
        let day = |d| DaySpec::Day(w(d));
        let days = |a, z| DaySpec::Range(w(a), w(z));
        let tree = file(vec![
            e(Item::Holidays(Holidays {
                name: id("fr"),
                body: b(vec![
                    e(Holiday {
                        from: date(2026, 12, 25),
                        to: None,
                        label: Some(s("Noël")),
                    }),
                    e(Holiday {
                        from: date(2026, 8, 1),
                        to: Some(date(2026, 8, 15)),
                        label: None,
                    }),
                    e(Holiday {
                        from: date(7, 1, 2),
                        to: None,
                        label: None,
                    }),
                ]),
            })),
            et(
                true,
                &[],
                None,
                Item::Schedule(Schedule {
                    name: id("office"),
                    body: b(vec![
                        e(ScheduleRule::Weekly {
                            days: vec![days(Weekday::Mon, Weekday::Fri), day(Weekday::Sat)],
                            ranges: vec![range(8, 0, 19, 0), range(14, 0, 18, 5)],
                        }),
                        e(ScheduleRule::Weekly {
                            days: vec![day(Weekday::Sun)],
                            ranges: vec![range(22, 0, 6, 0)],
                        }),
                        e(ScheduleRule::Except {
                            calendars: vec![id("fr"), id("de")],
                        }),
                        e(ScheduleRule::Holidays {
                            calendars: vec![id("fr")],
                            ranges: vec![range(10, 0, 12, 0)],
                        }),
                    ]),
                }),
            ),
        ]);
        let expected = "\
holidays fr {
  2026-12-25 \"Noël\"
  2026-08-01..2026-08-15
  0007-01-02
}

schedule office {
  mon..fri,sat 08:00-19:00 14:00-18:05
  sun 22:00-06:00
  except holidays fr de
  holidays fr 10:00-12:00
}
";
        assert_eq!(format(&tree), expected);
    }

    #[test]
    fn accounts_users_and_ceilings() {
        let valid = |from, to| UserClause::Valid { from, to };
        let ana = user(
            "ana",
            vec![
                e(UserClause::Email(s("ana@example.com"))),
                e(UserClause::Card(Number {
                    digits: "0123".to_owned(),
                    span: Span::default(),
                })),
                e(UserClause::Pin(s("482913"))),
                e(UserClause::Qr(s("q"))),
                e(UserClause::Mobile(s("m"))),
                e(UserClause::Remote(Span::default())),
                e(UserClause::Offline(Span::default())),
                e(UserClause::Inactive(Span::default())),
                e(valid(Some(date(2026, 1, 1)), Some(date(2026, 12, 31)))),
                e(valid(Some(date(2026, 1, 1)), None)),
                e(valid(None, Some(date(2026, 12, 31)))),
                e(valid(None, None)),
                e(UserClause::Tags(vec![id("marketing"), id("r-and-d")])),
                e(UserClause::Schedule(id("office"))),
                e(UserClause::Allow {
                    targets: vec![t(None, "a"), t(Some(TargetKind::Group), "b")],
                    schedule: Some(id("s")),
                }),
                e(UserClause::Allow {
                    targets: vec![t(None, "r2")],
                    schedule: None,
                }),
                e(UserClause::Admin {
                    rights: vec![id("users"), id("badges")],
                    ip: Some(s("10.0.0.1")),
                }),
                e(UserClause::Admin {
                    rights: vec![id("all")],
                    ip: None,
                }),
                e(UserClause::CreatedBy(id("root"))),
            ],
        );
        let ceiling = |doors, rights, schedule| {
            e(AccountClause::Ceiling(Ceiling {
                doors,
                rights,
                schedule,
            }))
        };
        // A sub-account's keyword follows its place, whatever `sub` says.
        let cowork = account(
            false,
            "cowork",
            vec![
                ceiling(
                    Some(vec![t(None, "main"), t(Some(TargetKind::Path), "p")]),
                    Some(vec![id("users"), id("remote")]),
                    Some(id("office")),
                ),
                ceiling(Some(Vec::new()), None, Some(id("office"))),
                ceiling(None, Some(Vec::new()), None),
                e(AccountClause::User(User {
                    name: id("bob"),
                    title: Some(s("Bob")),
                    body: None,
                })),
            ],
        );
        let tree = file(vec![e(Item::Account(Account {
            title: Some(s("Welcomr")),
            ..account(
                true,
                "welcomr",
                vec![
                    e(ana),
                    et(true, &[], None, AccountClause::Subaccount(cowork)),
                ],
            )
        }))]);
        let expected = r#"account welcomr "Welcomr" {
  user ana {
    email "ana@example.com"
    card 0123
    pin "482913"
    qr "q"
    mobile "m"
    remote
    offline
    inactive
    valid 2026-01-01..2026-12-31
    valid 2026-01-01..
    valid ..2026-12-31
    valid ..
    tags marketing r-and-d
    schedule office
    allow a group b schedule s
    allow r2
    admin users badges ip "10.0.0.1"
    admin all
    created_by root
  }

  subaccount cowork {
    ceiling doors main path p rights users remote schedule office
    ceiling schedule office
    ceiling
    user bob "Bob"
  }
}
"#;
        assert_eq!(format(&tree), expected);
    }

    #[test]
    fn appointments_and_guests() {
        let guest = |name: &str, email: Option<&str>, credentials| {
            e(AppointmentClause::Guest(Guest {
                name: s(name),
                email: email.map(s),
                credentials,
            }))
        };
        let appointment = Appointment {
            name: id("demo"),
            date: date(2026, 5, 7),
            range: range(16, 45, 17, 45),
            body: b(vec![
                e(AppointmentClause::Doors(vec![
                    t(Some(TargetKind::Path), "to_r2"),
                    t(None, "x"),
                ])),
                guest(
                    "Ana",
                    Some("ak@example.com"),
                    vec![GuestCredential::Qr(s("q"))],
                ),
                guest(
                    "Bo",
                    None,
                    vec![
                        GuestCredential::Pin(s("1234")),
                        GuestCredential::Mobile(s("m")),
                    ],
                ),
                e(AppointmentClause::Organizer(s("Org"))),
                e(AppointmentClause::Subject(s("Sub"))),
                e(AppointmentClause::Description(s("Desc"))),
                e(AppointmentClause::Remote(Span::default())),
            ]),
        };
        let in_account = account(
            false,
            "acme",
            vec![e(AccountClause::Appointment(appointment.clone()))],
        );
        let tree = file(vec![
            e(Item::Appointment(appointment)),
            e(Item::Account(in_account)),
        ]);
        let body = r#"  doors path to_r2 x
  guest "Ana" <ak@example.com> qr "q"
  guest "Bo" pin "1234" mobile "m"
  organizer "Org"
  subject "Sub"
  description "Desc"
  remote
"#;
        let nested: String = body.lines().map(|l| format!("  {l}\n")).collect();
        let expected = format!(
            "appointment demo on 2026-05-07 16:45-17:45 {{\n{body}}}\naccount acme {{\n  \
             appointment demo on 2026-05-07 16:45-17:45 {{\n{nested}  }}\n}}\n"
        );
        assert_eq!(format(&tree), expected);
    }

    #[test]
    fn tests_print_one_expectation_per_line() {
        use crate::syntax::ast::DateTime;
        let at = |text: &str| DateTime {
            text: text.to_owned(),
            span: Span::default(),
        };
        let expect =
            |subject, allowed, door: &str, instant: &str, offline: bool, because: Option<&str>| {
                Expectation {
                    subject,
                    allowed,
                    door: id(door),
                    at: at(instant),
                    offline: offline.then(Span::default),
                    because: because.map(id),
                }
            };
        let card = TestCredential::Card(Number {
            digits: "0123".to_owned(),
            span: Span::default(),
        });
        let tree = file(vec![
            e(Item::Test(Test {
                title: s("Ana's \"hours\""),
                body: b(vec![
                    e(expect(
                        TestSubject::User(id("ana")),
                        true,
                        "main",
                        "2026-11-23T09:00",
                        false,
                        None,
                    )),
                    et(
                        true,
                        &[" lead"],
                        Some(" trail"),
                        expect(
                            TestSubject::Credentials(vec![
                                card,
                                TestCredential::Pin(s("4829")),
                                TestCredential::Qr(s("q")),
                                TestCredential::Mobile(s("m")),
                            ]),
                            false,
                            "vault",
                            "2026-11-23T09:00:30+01:00",
                            true,
                            Some("offline_not_allowed"),
                        ),
                    ),
                    e(expect(
                        TestSubject::Remote(id("ana")),
                        false,
                        "r2",
                        "2026-11-23T08:00Z",
                        false,
                        Some("remote_not_allowed"),
                    )),
                    e(expect(
                        TestSubject::Guest(s("ak@example.com")),
                        true,
                        "r2",
                        "2026-05-07T17:00",
                        false,
                        Some("appointment"),
                    )),
                ]),
            })),
            e(Item::Test(Test {
                title: s(""),
                body: b(Vec::new()),
            })),
        ]);
        let expected = r#"test "Ana's \"hours\"" {
  ana may open main at 2026-11-23T09:00

  # lead
  card 0123 + pin "4829" + qr "q" + mobile "m" may not open vault at 2026-11-23T09:00:30+01:00 offline because offline_not_allowed  # trail
  remote ana may not open r2 at 2026-11-23T08:00Z because remote_not_allowed
  guest "ak@example.com" may open r2 at 2026-05-07T17:00 because appointment
}
test "" {}
"#;
        assert_eq!(format(&tree), expected);
    }

    #[test]
    fn strings_escape_quotes_backslashes_and_controls() {
        let mut out = String::new();
        escape_string(
            &mut out,
            "a\"b\\c\nd\te\r\u{0}\u{7F}\u{85}\u{2028}\u{202E}é😀#",
        );
        assert_eq!(
            out,
            r#""a\"b\\c\nd\te\u{D}\u{0}\u{7F}\u{85}\u{2028}\u{202E}é😀#""#
        );
    }

    #[test]
    fn dates_and_times_pad_and_never_truncate() {
        let mut out = String::new();
        push_date(&mut out, &date(12, 3, 4));
        out.push(' ');
        push_date(&mut out, &date(65535, 255, 100));
        out.push(' ');
        push_time(&mut out, &range(7, 5, 0, 0).start);
        out.push(' ');
        push_time(&mut out, &range(255, 100, 0, 0).start);
        assert_eq!(out, "0012-03-04 65535-255-100 07:05 255:100");
    }
}
