//! The parser: tokens in, syntax tree out, by recursive descent.
//!
//! Owns the grammar of `docs/language.md` (every item, clause and list, and where
//! each list ends), the attachment of comments and blank lines to entries
//! ([`Trivia`], [`Block`]), the wording of syntax errors (E01xx) and the recovery
//! that skips a failed top-level item (or, in a test block, a failed expectation) so
//! that every broken item of a file is reported once.
//!
//! It must never judge meaning (unknown names, impossible dates, duplicate clauses:
//! the validator's job), never panic, and never recurse without bound: sub-accounts
//! are the only recursive construct and nest at most [`MAX_SUBACCOUNT_DEPTH`] deep.

use super::ast::{
    Account, AccountClause, Appointment, AppointmentClause, Block, Ceiling, Comment, Date,
    DateTime, DaySpec, Door, DoorClause, Entry, Expectation, File, Group, Guest, GuestCredential,
    Holiday, Holidays, Ident, Item, Number, PathDecl, ReaderMode, Schedule, ScheduleRule, Site,
    SiteClause, SpaceCode, Str, Target, TargetKind, Test, TestCredential, TestSubject, Time,
    TimeRange, Trivia, User, UserClause, Weekday, Word,
};
use super::ast::{Duration, FailMode, Passback, Tracking, Zone, ZoneClause, ZoneDoor};
use super::lexer::{self, CommentMark, Keyword, Kind, Lexer, Token};
use super::Parsed;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::CardFormat;
use crate::source::{FileId, Span};

/// How deep sub-accounts may nest (the parser refuses deeper ones rather than
/// exhaust the stack).
pub(crate) const MAX_SUBACCOUNT_DEPTH: usize = 64;

/// Parses the text of file `file` into a tree and its syntax errors.
pub(super) fn parse(file: FileId, text: &str) -> Parsed {
    let mut lexer = Lexer::new(text);
    let ahead = [lexer.next_token(), lexer.next_token(), lexer.next_token()];
    let mut parser = Parser {
        file,
        text,
        lexer,
        ahead,
        consumed: 0,
        next_comment: 0,
        last: None,
        pending: Vec::new(),
        open_braces: Vec::new(),
        subaccount_depth: 0,
        resume_here: false,
        errors: Vec::new(),
    };
    let file = parser.file();
    Parsed {
        file,
        errors: parser.errors,
    }
}

/// A parse that failed; its diagnostic is already in [`Parser::errors`].
struct Failed;

type PResult<T> = Result<T, Failed>;

/// How many tokens the parser sees ahead of its position (the current one included).
const LOOKAHEAD: usize = 3;

/// The parser's state: the tokens ahead, where it stands, and what it has found.
struct Parser<'t> {
    file: FileId,
    text: &'t str,
    lexer: Lexer<'t>,
    /// The current token and the next ones.
    ahead: [Token; LOOKAHEAD],
    /// How many tokens were consumed or skipped.
    consumed: usize,
    /// Index of the first comment not yet attached to the tree.
    next_comment: usize,
    /// The last token consumed or skipped.
    last: Option<Token>,
    /// Comments met inside the entry being parsed, bound for its leading trivia.
    pending: Vec<Comment>,
    /// The `{` of every block being parsed, innermost last.
    open_braces: Vec<Span>,
    subaccount_depth: usize,
    /// The failing token starts the next item: recovery skips nothing.
    resume_here: bool,
    errors: Vec<Diagnostic>,
}

// ---------------------------------------------------------------------------------
// Tokens and comments

impl<'t> Parser<'t> {
    /// The current token.
    fn peek(&self) -> Token {
        self.nth(0)
    }

    /// The token `n` places after the current one (`n` < [`LOOKAHEAD`]).
    fn nth(&self, n: usize) -> Token {
        let [current, ..] = self.ahead;
        self.ahead.get(n).copied().unwrap_or(current)
    }

    /// Moves past the current token.
    fn advance(&mut self) -> Token {
        let [current, next, after] = self.ahead;
        if current.kind != Kind::End {
            self.ahead = [next, after, self.lexer.next_token()];
            self.consumed += 1;
            self.last = Some(current);
        }
        current
    }

    /// The current token's reserved word, if it is one.
    fn keyword(&self) -> Option<Keyword> {
        match self.peek().kind {
            Kind::Keyword(keyword) => Some(keyword),
            _ => None,
        }
    }

    fn at(&self, kind: Kind) -> bool {
        self.peek().kind == kind
    }

    fn span(&self, start: u32, end: u32) -> Span {
        Span::new(self.file, start as usize, end as usize)
    }

    fn token_span(&self, token: Token) -> Span {
        self.span(token.start, token.end)
    }

    /// The source text of a token.
    fn slice(&self, token: Token) -> &'t str {
        self.text
            .get(token.start as usize..token.end as usize)
            .unwrap_or_default()
    }

    /// Consumes the current token; the comments before it join the current entry's
    /// leading comments.
    fn bump(&mut self) -> Token {
        let token = self.peek();
        self.take_comments(token.comments_before as usize);
        self.advance()
    }

    /// Consumes a token of kind `kind`, or fails saying `expected`.
    fn expect(&mut self, kind: Kind, expected: &str) -> PResult<Token> {
        if self.at(kind) {
            Ok(self.bump())
        } else {
            Err(self.expected(expected))
        }
    }

    /// Consumes the current token if it is the reserved word `keyword`.
    fn eat_keyword(&mut self, keyword: Keyword) -> Option<Token> {
        (self.keyword() == Some(keyword)).then(|| self.bump())
    }

    fn comment(&self, mark: CommentMark) -> Comment {
        let text = self.text.get(mark.start as usize + 1..mark.end as usize);
        Comment {
            text: text.unwrap_or_default().to_owned(),
            span: self.span(mark.start, mark.end),
            blank_line_before: mark.blank_line_before,
        }
    }

    /// Moves the unattached comments before comment `until` to `pending`.
    fn take_comments(&mut self, until: usize) {
        while self.next_comment < until {
            if let Some(&mark) = self.lexer.comments().get(self.next_comment) {
                let comment = self.comment(mark);
                self.pending.push(comment);
            }
            self.next_comment += 1;
        }
    }

    /// The unattached comments before the current token; `alone` when nothing precedes
    /// them in their block, so no blank line can stand before the first.
    fn drain_comments(&mut self, alone: bool) -> Vec<Comment> {
        let outer = std::mem::take(&mut self.pending);
        self.take_comments(self.peek().comments_before as usize);
        let mut comments = std::mem::replace(&mut self.pending, outer);
        if let Some(first) = comments.first_mut().filter(|_| alone) {
            first.blank_line_before = false;
        }
        comments
    }

    /// The comment right after the last consumed token, on its line.
    fn trailing_comment(&mut self) -> Option<Comment> {
        if self.next_comment >= self.peek().comments_before as usize {
            return None;
        }
        let mark = *self.lexer.comments().get(self.next_comment)?;
        if mark.line_break_before {
            return None;
        }
        self.next_comment += 1;
        Some(self.comment(mark))
    }

    /// Whether a blank line stands before the next entry's first comment or token.
    fn blank_line_ahead(&self) -> bool {
        let token = self.peek();
        if self.next_comment < token.comments_before as usize {
            self.lexer
                .comments()
                .get(self.next_comment)
                .is_some_and(|mark| mark.blank_line_before)
        } else {
            token.blank_line_before
        }
    }
}

// ---------------------------------------------------------------------------------
// Entries, blocks and the file

impl Parser<'_> {
    fn file(&mut self) -> File {
        let mut items = Vec::new();
        while !self.at(Kind::End) {
            let start = self.consumed;
            match self.entry(items.is_empty(), Self::item) {
                Ok(item) => items.push(item),
                Err(Failed) => self.recover(start),
            }
        }
        let dangling = self.drain_comments(items.is_empty());
        File { items, dangling }
    }

    /// Parses one entry of a file or block with `node`, with its comments.
    fn entry<T>(
        &mut self,
        first: bool,
        node: impl FnOnce(&mut Self) -> PResult<T>,
    ) -> PResult<Entry<T>> {
        let blank_line_before = !first && self.blank_line_ahead();
        let outer = std::mem::take(&mut self.pending);
        self.take_comments(self.peek().comments_before as usize);
        let start = self.peek().start;
        let node = node(self);
        let mut leading = std::mem::replace(&mut self.pending, outer);
        if let Some(first) = leading.first_mut() {
            first.blank_line_before = false;
        }
        let node = node?;
        let end = self.last.map_or(start, |last| last.end);
        let span = self.span(start, end);
        let trailing = self.trailing_comment();
        Ok(Entry {
            trivia: Trivia {
                blank_line_before,
                leading,
                trailing,
            },
            node,
            span,
        })
    }

    /// A block if one opens here (doors and users may be written without one).
    fn optional_block<T>(
        &mut self,
        clause: fn(&mut Self) -> PResult<T>,
    ) -> PResult<Option<Block<T>>> {
        if self.at(Kind::OpenBrace) {
            self.block("`{`", clause).map(Some)
        } else {
            Ok(None)
        }
    }

    /// `{ ENTRY… }`, each entry parsed by `clause`.
    fn block<T>(
        &mut self,
        opening: &str,
        clause: fn(&mut Self) -> PResult<T>,
    ) -> PResult<Block<T>> {
        let open = self.expect(Kind::OpenBrace, opening)?;
        let open = self.token_span(open);
        self.open_braces.push(open);
        let open_comment = self.trailing_comment();
        let mut entries = Vec::new();
        while !self.at(Kind::CloseBrace) {
            let entry = self.entry(entries.is_empty(), clause)?;
            entries.push(entry);
        }
        let dangling = self.drain_comments(entries.is_empty());
        let close = self.bump();
        self.open_braces.pop();
        Ok(Block {
            open_comment,
            entries,
            dangling,
            span: open.to(self.token_span(close)),
        })
    }

    /// After a failed item that began at token `start`: skips to the next top-level
    /// keyword outside any block, so that the next item is parsed afresh.
    fn recover(&mut self, start: usize) {
        let mut depth = self.open_braces.len();
        self.open_braces.clear();
        self.subaccount_depth = 0;
        self.pending.clear();
        let resume_here = std::mem::take(&mut self.resume_here) && self.consumed > start;
        if !resume_here {
            if self.consumed == start {
                depth = self.skip_token(depth);
            }
            loop {
                match self.peek().kind {
                    Kind::End => break,
                    Kind::Keyword(keyword) if depth == 0 && keyword.starts_item() => break,
                    Kind::Name if depth == 0 && self.test_ahead() => break,
                    _ => depth = self.skip_token(depth),
                }
            }
        }
        if let Some(before) = self.last {
            self.next_comment = self.next_comment.max(before.comments_before as usize);
        }
    }

    /// Skips the current token, returning the brace depth after it.
    fn skip_token(&mut self, depth: usize) -> usize {
        match self.advance().kind {
            Kind::OpenBrace => depth + 1,
            Kind::CloseBrace => depth.saturating_sub(1),
            _ => depth,
        }
    }

    fn item(&mut self) -> PResult<Item> {
        match self.keyword() {
            Some(Keyword::Site) => self.site().map(Item::Site),
            Some(Keyword::Schedule) => self.schedule().map(Item::Schedule),
            Some(Keyword::Holidays) => self.holidays().map(Item::Holidays),
            Some(Keyword::Account) => self.account(false).map(Item::Account),
            Some(Keyword::Appointment) => self.appointment().map(Item::Appointment),
            Some(Keyword::Zone) => self.zone().map(Item::Zone),
            None if self.test_keyword_ahead() => self.test().map(Item::Test),
            _ => Err(self.expected_item()),
        }
    }
}

// ---------------------------------------------------------------------------------
// Values

impl Parser<'_> {
    /// A name where one is required; `what` names it in errors ("a door name").
    fn name(&mut self, what: &str) -> PResult<Ident> {
        match self.peek().kind {
            Kind::Name => Ok(self.ident()),
            Kind::Keyword(keyword) => Err(self.reserved(keyword, what)),
            _ => Err(self.expected(what)),
        }
    }

    /// Consumes the current token as an identifier.
    fn ident(&mut self) -> Ident {
        let token = self.bump();
        Ident {
            name: self.slice(token).to_owned(),
            span: self.token_span(token),
        }
    }

    /// Names while the current token is a name (`tags a b c`), at least one.
    fn names(&mut self, what: &str) -> PResult<Vec<Ident>> {
        let mut names = vec![self.name(what)?];
        while self.at(Kind::Name) {
            names.push(self.ident());
        }
        Ok(names)
    }

    /// A string literal, escapes resolved.
    fn string(&mut self, what: &str) -> PResult<Str> {
        let token = self.expect(Kind::Str, what)?;
        let raw = self.slice(token);
        let body = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
        match lexer::unescape(body) {
            Ok(value) => Ok(Str {
                value,
                span: self.token_span(token),
            }),
            Err(bad) => Err(self.bad_escape(token, body, bad)),
        }
    }

    /// A string if one comes next (an optional title or label).
    fn title(&mut self) -> PResult<Option<Str>> {
        if self.at(Kind::Str) {
            self.string("a string").map(Some)
        } else {
            Ok(None)
        }
    }

    /// `<…>`, kept without the angle brackets.
    fn email(&mut self) -> Str {
        let token = self.bump();
        let raw = self.slice(token);
        Str {
            value: raw
                .get(1..raw.len().saturating_sub(1))
                .unwrap_or_default()
                .to_owned(),
            span: self.token_span(token),
        }
    }

    fn number(&mut self, what: &str) -> PResult<Number> {
        let token = self.expect(Kind::Number, what)?;
        Ok(Number {
            digits: self.slice(token).to_owned(),
            span: self.token_span(token),
        })
    }

    fn date(&mut self, what: &str) -> PResult<Date> {
        let token = self.expect(Kind::Date, what)?;
        let digits = self.slice(token).as_bytes();
        Ok(Date {
            year: u16::try_from(decimal(digits.get(0..4))).unwrap_or(u16::MAX),
            month: u8::try_from(decimal(digits.get(5..7))).unwrap_or(u8::MAX),
            day: u8::try_from(decimal(digits.get(8..10))).unwrap_or(u8::MAX),
            span: self.token_span(token),
        })
    }

    /// A date if one comes next.
    fn optional_date(&mut self) -> PResult<Option<Date>> {
        if self.at(Kind::Date) {
            self.date("a date").map(Some)
        } else {
            Ok(None)
        }
    }

    fn time(&mut self, what: &str) -> PResult<Time> {
        let token = self.expect(Kind::Time, what)?;
        let digits = self.slice(token).as_bytes();
        Ok(Time {
            hour: u8::try_from(decimal(digits.get(0..2))).unwrap_or(u8::MAX),
            minute: u8::try_from(decimal(digits.get(3..5))).unwrap_or(u8::MAX),
            span: self.token_span(token),
        })
    }

    /// `HH:MM-HH:MM`
    fn time_range(&mut self, what: &str) -> PResult<TimeRange> {
        let start = self.time(what)?;
        self.expect(
            Kind::Dash,
            "`-` between the start and the end of a time range",
        )?;
        let end = self.time("the end of the time range (`HH:MM`)")?;
        let span = start.span.to(end.span);
        Ok(TimeRange { start, end, span })
    }

    /// Time ranges while one comes next, at least one.
    fn time_ranges(&mut self, what: &str) -> PResult<Vec<TimeRange>> {
        let mut ranges = vec![self.time_range(what)?];
        while self.at(Kind::Time) {
            ranges.push(self.time_range(what)?);
        }
        Ok(ranges)
    }

    /// A single-keyword clause: the keyword's span.
    fn flag(&mut self) -> Span {
        let token = self.bump();
        self.token_span(token)
    }
}

/// The value of ASCII digits (0 when absent).
fn decimal(digits: Option<&[u8]>) -> u32 {
    digits.unwrap_or_default().iter().fold(0, |n, d| {
        n.saturating_mul(10)
            .saturating_add(u32::from(d.wrapping_sub(b'0')))
    })
}

// ---------------------------------------------------------------------------------
// Targets, reader modes and admin rights

impl Parser<'_> {
    /// `[site|door|group|path] NAME`
    fn target(&mut self, what: &str) -> PResult<Target> {
        let kind = match self.keyword() {
            Some(Keyword::Site) => Some(TargetKind::Site),
            Some(Keyword::Door) => Some(TargetKind::Door),
            Some(Keyword::Group) => Some(TargetKind::Group),
            Some(Keyword::Path) => Some(TargetKind::Path),
            _ => None,
        };
        let kind = kind.map(|kind| Word {
            kind,
            span: self.flag(),
        });
        let what = match kind.as_ref().map(|word| word.kind) {
            Some(TargetKind::Site) => "a site name",
            Some(TargetKind::Door) => "a door name",
            Some(TargetKind::Group) => "a group name",
            Some(TargetKind::Path) => "a path name",
            None => what,
        };
        let name = self.name(what)?;
        Ok(Target { kind, name })
    }

    /// Targets, at least one. After the first, a kind keyword continues the list
    /// unless it starts a declaration of the site block (`group g =`, `path p =`,
    /// `door d "Title"`, `door d {`).
    fn targets(&mut self, what: &str) -> PResult<Vec<Target>> {
        let mut targets = vec![self.target(what)?];
        while self.target_continues() {
            targets.push(self.target(what)?);
        }
        Ok(targets)
    }

    fn target_continues(&self) -> bool {
        let after_name = self.nth(2).kind;
        match self.keyword() {
            None => self.at(Kind::Name),
            Some(Keyword::Site) => true,
            Some(Keyword::Group | Keyword::Path) => after_name != Kind::Equals,
            Some(Keyword::Door) => !matches!(after_name, Kind::Str | Kind::OpenBrace),
            Some(_) => false,
        }
    }

    /// Reader modes (`badge pin qr mobile remote`), at least one.
    fn reader_modes(&mut self, after: &str) -> PResult<Vec<Word<ReaderMode>>> {
        let mut modes = Vec::new();
        while let Some(kind) = self.keyword().and_then(reader_mode) {
            modes.push(Word {
                kind,
                span: self.flag(),
            });
        }
        if modes.is_empty() {
            let what = format!("a reader mode after `{after}`");
            let failed = self.expected(&what);
            self.help_last("reader modes are `badge`, `pin`, `qr`, `mobile` and `remote`");
            return Err(failed);
        }
        Ok(modes)
    }

    /// Admin rights, at least one. `mobile` and `remote` are rights here, although
    /// reserved; `mobile` followed by a string is the user's mobile key clause.
    fn rights(&mut self, what: &str) -> PResult<Vec<Ident>> {
        if !self.right_ahead() {
            return self.name(what).map(|right| vec![right]);
        }
        let mut rights = Vec::new();
        while self.right_ahead() {
            rights.push(self.ident());
        }
        Ok(rights)
    }

    fn right_ahead(&self) -> bool {
        match self.peek().kind {
            Kind::Name | Kind::Keyword(Keyword::Remote) => true,
            Kind::Keyword(Keyword::Mobile) => self.nth(1).kind != Kind::Str,
            _ => false,
        }
    }
}

/// The help that lists the card format names, from the model's catalogue.
fn card_formats_help() -> String {
    let names: Vec<String> = CardFormat::names().map(|n| format!("`{n}`")).collect();
    format!("card formats are {}", names.join(" "))
}

fn reader_mode(keyword: Keyword) -> Option<ReaderMode> {
    ReaderMode::from_keyword(keyword.as_str())
}

// ---------------------------------------------------------------------------------
// Sites and doors

const SITE_CLAUSES: &str = "a site holds `timezone`, `keystore`, `cards`, `door`, `group`, \
     `path`, `code` and `zone` clauses";
const DOOR_CLAUSES: &str = "a door holds `id`, `readers`, `cards`, `schedule`, `offline`, \
     `capacity` and `require` clauses";

impl Parser<'_> {
    /// `site NAME ["Title"] { … }`
    fn site(&mut self) -> PResult<Site> {
        self.bump();
        let name = self.name("a site name")?;
        let title = self.title()?;
        let body = self.block("`{` to open the site", Self::site_clause)?;
        Ok(Site { name, title, body })
    }

    fn site_clause(&mut self) -> PResult<SiteClause> {
        match self.keyword() {
            Some(Keyword::Timezone) => {
                self.bump();
                let zone = self.string("a time zone string after `timezone`")?;
                Ok(SiteClause::Timezone(zone))
            }
            Some(Keyword::Keystore) => {
                self.bump();
                let file = self.string("a key store file name after `keystore`")?;
                Ok(SiteClause::Keystore(file))
            }
            Some(Keyword::Cards) => self.card_formats().map(SiteClause::Cards),
            Some(Keyword::Door) => self.door().map(SiteClause::Door),
            Some(Keyword::Group) => self.group().map(SiteClause::Group),
            Some(Keyword::Path) => self.path().map(SiteClause::Path),
            Some(Keyword::Code) => self.space_code().map(SiteClause::Code),
            Some(Keyword::Zone) => self.zone().map(SiteClause::Zone),
            _ => Err(self.expected_clause("a site clause", SITE_CLAUSES)),
        }
    }

    /// `door NAME ["Title"] [{ … }]`
    fn door(&mut self) -> PResult<Door> {
        self.bump();
        let name = self.name("a door name")?;
        let title = self.title()?;
        let body = self.optional_block(Self::door_clause)?;
        Ok(Door { name, title, body })
    }

    fn door_clause(&mut self) -> PResult<DoorClause> {
        let Some(keyword) = self.keyword() else {
            return Err(self.expected_clause("a door clause", DOOR_CLAUSES));
        };
        Ok(match keyword {
            Keyword::Id => {
                self.bump();
                DoorClause::Id(self.string("an external id string after `id`")?)
            }
            Keyword::Readers => {
                self.bump();
                DoorClause::Readers(self.reader_modes("readers")?)
            }
            Keyword::Schedule => {
                self.bump();
                DoorClause::Schedule(self.name("a schedule name after `schedule`")?)
            }
            Keyword::Offline => DoorClause::Offline(self.flag()),
            Keyword::Capacity => {
                self.bump();
                DoorClause::Capacity(self.number("a number after `capacity`")?)
            }
            Keyword::Require => {
                self.bump();
                DoorClause::Require(self.reader_modes("require")?)
            }
            Keyword::Cards => DoorClause::Cards(self.card_formats()?),
            _ => return Err(self.expected_clause("a door clause", DOOR_CLAUSES)),
        })
    }

    /// `cards FORMAT…`: Wiegand format names, at least one (the validator knows them).
    fn card_formats(&mut self) -> PResult<Vec<Ident>> {
        self.bump();
        if !self.at(Kind::Name) {
            let failed = self.expected("a card format name after `cards`");
            self.help_last(&card_formats_help());
            return Err(failed);
        }
        self.names("a card format name after `cards`")
    }

    /// `group NAME = DOOR…`
    fn group(&mut self) -> PResult<Group> {
        self.bump();
        let name = self.name("a group name")?;
        self.expect(Kind::Equals, "`=` after the group name")?;
        let doors = self.names("a door name after `=`")?;
        Ok(Group { name, doors })
    }

    /// `path NAME = DOOR -> DOOR …`
    fn path(&mut self) -> PResult<PathDecl> {
        self.bump();
        let name = self.name("a path name")?;
        self.expect(Kind::Equals, "`=` after the path name")?;
        let mut doors = vec![self.name("a door name after `=`")?];
        while self.at(Kind::Arrow) {
            self.bump();
            doors.push(self.name("a door name after `->`")?);
        }
        Ok(PathDecl { name, doors })
    }

    /// `code "XXXXXX" on TARGET…`
    fn space_code(&mut self) -> PResult<SpaceCode> {
        self.bump();
        let code = self.string("the code as a string after `code` (`code \"483920\"`)")?;
        if self.eat_keyword(Keyword::On).is_none() {
            return Err(self.expected("`on` after the space code"));
        }
        let targets = self.targets("a target after `on`")?;
        Ok(SpaceCode { code, targets })
    }
}

// ---------------------------------------------------------------------------------
// Anti-passback zones

const ZONE_CLAUSES: &str = "a zone holds `entry`, `exit`, `antipassback`, `per` and \
     `unreachable` clauses";

impl Parser<'_> {
    /// `zone NAME ["Title"] { … }`
    fn zone(&mut self) -> PResult<Zone> {
        self.bump();
        let name = self.name("a zone name")?;
        let title = self.title()?;
        let body = self.block("`{` to open the zone", Self::zone_clause)?;
        Ok(Zone { name, title, body })
    }

    /// A zone clause: each starts with a contextual keyword (a name elsewhere, so that
    /// a door may still be called `exit`).
    fn zone_clause(&mut self) -> PResult<ZoneClause> {
        let token = self.peek();
        let word = if token.kind == Kind::Name {
            self.slice(token)
        } else {
            ""
        };
        match word {
            "entry" => self
                .after_keyword(|p| p.zone_door("entry"))
                .map(ZoneClause::Entry),
            "exit" => self
                .after_keyword(|p| p.zone_door("exit"))
                .map(ZoneClause::Exit),
            "antipassback" => self
                .after_keyword(Self::passback)
                .map(ZoneClause::Antipassback),
            "per" => self.after_keyword(Self::tracking).map(ZoneClause::Per),
            "unreachable" => self
                .after_keyword(Self::fail_mode)
                .map(ZoneClause::Unreachable),
            _ => Err(self.expected_clause("a zone clause", ZONE_CLAUSES)),
        }
    }

    /// `DOOR [reader N]`, after `entry` or `exit`.
    fn zone_door(&mut self, after: &str) -> PResult<ZoneDoor> {
        let door = self.name(&format!("a door name after `{after}`"))?;
        let reader = if self.at_word("reader") {
            self.bump();
            Some(self.number("a reader number after `reader`")?)
        } else {
            None
        };
        Ok(ZoneDoor { door, reader })
    }

    /// `hard`, `soft` or `timed DURATION`, after `antipassback`.
    fn passback(&mut self) -> PResult<Passback> {
        let token = self.peek();
        let word = if token.kind == Kind::Name {
            self.slice(token)
        } else {
            ""
        };
        match word {
            "hard" => Ok(Passback::Hard(self.flag())),
            "soft" => Ok(Passback::Soft(self.flag())),
            "timed" => {
                let keyword = self.flag();
                Ok(Passback::Timed(keyword, self.duration()?))
            }
            _ => {
                let failed = self.expected("`hard`, `soft` or `timed` after `antipassback`");
                self.help_last(
                    "write `antipassback hard`, `antipassback soft` or `antipassback timed 30m`",
                );
                Err(failed)
            }
        }
    }

    /// `30m`: digits directly followed by a unit, both kept as written.
    fn duration(&mut self) -> PResult<Duration> {
        if !self.at(Kind::Duration) {
            let failed = self.expected("a duration (`30m`) after `timed`");
            self.help_last("a duration is a number directly followed by its unit: `30m` or `2h`");
            return Err(failed);
        }
        let token = self.bump();
        let text = self.slice(token);
        let split = text
            .find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(text.len());
        let (digits, unit) = text.split_at_checked(split).unwrap_or((text, ""));
        Ok(Duration {
            digits: digits.to_owned(),
            unit: unit.to_owned(),
            span: self.token_span(token),
        })
    }

    /// `user` or `card`, after `per`.
    fn tracking(&mut self) -> PResult<Word<Tracking>> {
        let kind = match self.keyword() {
            Some(Keyword::User) => Tracking::User,
            Some(Keyword::Card) => Tracking::Card,
            _ => {
                let failed = self.expected("`user` or `card` after `per`");
                self.help_last("a zone tracks presence `per user` (the default) or `per card`");
                return Err(failed);
            }
        };
        Ok(Word {
            kind,
            span: self.flag(),
        })
    }

    /// `open` or `closed`, after `unreachable`.
    fn fail_mode(&mut self) -> PResult<Word<FailMode>> {
        let token = self.peek();
        let kind = (token.kind == Kind::Name)
            .then(|| FailMode::from_keyword(self.slice(token)))
            .flatten();
        match kind {
            Some(kind) => Ok(Word {
                kind,
                span: self.flag(),
            }),
            None => {
                let failed = self.expected("`open` or `closed` after `unreachable`");
                self.help_last(
                    "`unreachable open` lets people pass unchecked while the presence store \
                     is out of reach; `unreachable closed` refuses them",
                );
                Err(failed)
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Schedules and holidays

const SCHEDULE_RULES: &str = "a rule starts with weekdays (`mon..fri 08:00-19:00`), \
     `except holidays CAL` or `holidays CAL 10:00-16:00`; weekdays are written `mon` \
     `tue` `wed` `thu` `fri` `sat` `sun`";
const HOLIDAY_DAYS: &str = "a holiday is a date, `2026-12-25`, or an inclusive range, \
     `2026-08-01..2026-08-15`, with an optional label string";

impl Parser<'_> {
    /// `schedule NAME { … }`
    fn schedule(&mut self) -> PResult<Schedule> {
        self.bump();
        let name = self.name("a schedule name")?;
        let body = self.block("`{` to open the schedule", Self::schedule_rule)?;
        Ok(Schedule { name, body })
    }

    fn schedule_rule(&mut self) -> PResult<ScheduleRule> {
        if self.weekday_ahead() {
            let days = self.day_specs()?;
            let ranges = self.time_ranges("a time range (`08:00-19:00`) after the days")?;
            return Ok(ScheduleRule::Weekly { days, ranges });
        }
        match self.keyword() {
            Some(Keyword::Except) => {
                self.bump();
                if self.eat_keyword(Keyword::Holidays).is_none() {
                    return Err(self.expected("`holidays` after `except`"));
                }
                let calendars = self.calendars("a holiday calendar after `except holidays`")?;
                Ok(ScheduleRule::Except { calendars })
            }
            Some(Keyword::Holidays) => {
                self.bump();
                let calendars = self.calendars("a holiday calendar after `holidays`")?;
                let ranges = self.time_ranges("a time range (`10:00-16:00`) or a calendar")?;
                Ok(ScheduleRule::Holidays { calendars, ranges })
            }
            _ => Err(self.expected_clause("a schedule rule", SCHEDULE_RULES)),
        }
    }

    fn weekday_ahead(&self) -> bool {
        self.at(Kind::Name) && Weekday::from_keyword(self.slice(self.peek())).is_some()
    }

    /// `mon..fri,sat`
    fn day_specs(&mut self) -> PResult<Vec<DaySpec>> {
        let mut days = vec![self.day_spec()?];
        while self.at(Kind::Comma) {
            self.bump();
            days.push(self.day_spec()?);
        }
        Ok(days)
    }

    /// `mon` or `mon..fri`
    fn day_spec(&mut self) -> PResult<DaySpec> {
        let first = self.weekday()?;
        if !self.at(Kind::DotDot) {
            return Ok(DaySpec::Day(first));
        }
        self.bump();
        Ok(DaySpec::Range(first, self.weekday()?))
    }

    fn weekday(&mut self) -> PResult<Word<Weekday>> {
        let token = self.peek();
        let day = (token.kind == Kind::Name)
            .then(|| Weekday::from_keyword(self.slice(token)))
            .flatten();
        match day {
            Some(kind) => Ok(Word {
                kind,
                span: self.flag(),
            }),
            None => {
                let failed = self.expected("a weekday");
                self.help_last("weekdays are written `mon` `tue` `wed` `thu` `fri` `sat` `sun`");
                Err(failed)
            }
        }
    }

    /// Calendar names, at least one; in a schedule, the list also ends at a weekday
    /// (where the next rule starts).
    fn calendars(&mut self, what: &str) -> PResult<Vec<Ident>> {
        let mut calendars = vec![self.name(what)?];
        while self.at(Kind::Name) && !self.weekday_ahead() {
            calendars.push(self.ident());
        }
        Ok(calendars)
    }

    /// `holidays NAME { … }`
    fn holidays(&mut self) -> PResult<Holidays> {
        self.bump();
        let name = self.name("a calendar name")?;
        let body = self.block("`{` to open the calendar", Self::holiday)?;
        Ok(Holidays { name, body })
    }

    /// `2026-12-25 ["Noël"]` or `2026-08-01..2026-08-15 ["Fermeture"]`
    fn holiday(&mut self) -> PResult<Holiday> {
        if !self.at(Kind::Date) {
            return Err(self.expected_clause("a holiday date", HOLIDAY_DAYS));
        }
        let from = self.date("a date")?;
        let to = if self.at(Kind::DotDot) {
            self.bump();
            Some(self.date("the last day of the range after `..`")?)
        } else {
            None
        };
        let label = self.title()?;
        Ok(Holiday { from, to, label })
    }
}

// ---------------------------------------------------------------------------------
// Accounts and users

const ACCOUNT_CLAUSES: &str =
    "an account holds `user`, `subaccount`, `appointment` and `ceiling` clauses";
const USER_CLAUSES: &str = "a user holds `email`, `card`, `pin`, `qr`, `mobile`, `remote`, \
     `offline`, `inactive`, `valid`, `tags`, `schedule`, `allow` and `admin` clauses";

impl Parser<'_> {
    /// `account NAME ["Title"] { … }`, or `subaccount …` when `sub`.
    fn account(&mut self, sub: bool) -> PResult<Account> {
        let keyword = self.bump();
        if sub && self.subaccount_depth >= MAX_SUBACCOUNT_DEPTH {
            return Err(self.too_deep(keyword));
        }
        let name = self.name(if sub {
            "a sub-account name"
        } else {
            "an account name"
        })?;
        let title = self.title()?;
        self.subaccount_depth += usize::from(sub);
        let body = self.block("`{` to open the account", Self::account_clause)?;
        self.subaccount_depth -= usize::from(sub);
        Ok(Account {
            sub,
            name,
            title,
            body,
        })
    }

    fn account_clause(&mut self) -> PResult<AccountClause> {
        match self.keyword() {
            Some(Keyword::Ceiling) => self.ceiling().map(AccountClause::Ceiling),
            Some(Keyword::User) => self.user().map(AccountClause::User),
            Some(Keyword::Subaccount) => self.account(true).map(AccountClause::Subaccount),
            Some(Keyword::Appointment) => self.appointment().map(AccountClause::Appointment),
            Some(Keyword::Account) => {
                let failed = self.expected_clause("an account clause", ACCOUNT_CLAUSES);
                self.help_last("nest an account with `subaccount`, or close this one with `}`");
                Err(failed)
            }
            _ => Err(self.expected_clause("an account clause", ACCOUNT_CLAUSES)),
        }
    }

    /// `ceiling [doors TARGET…] [rights RIGHT…] [schedule NAME]`, parts in any order,
    /// each at most once.
    fn ceiling(&mut self) -> PResult<Ceiling> {
        self.bump();
        let mut ceiling = Ceiling {
            doors: None,
            rights: None,
            schedule: None,
        };
        while let Some(part) = self.keyword() {
            let given = match part {
                Keyword::Doors => ceiling.doors.is_some(),
                Keyword::Rights => ceiling.rights.is_some(),
                Keyword::Schedule => ceiling.schedule.is_some(),
                _ => break,
            };
            if given {
                return Err(self.repeated_part(part));
            }
            self.ceiling_part(part, &mut ceiling)?;
        }
        Ok(ceiling)
    }

    fn ceiling_part(&mut self, part: Keyword, ceiling: &mut Ceiling) -> PResult<()> {
        self.bump();
        match part {
            Keyword::Doors => ceiling.doors = Some(self.targets("a target after `doors`")?),
            Keyword::Rights => ceiling.rights = Some(self.rights("an admin right after `rights`")?),
            _ => ceiling.schedule = Some(self.name("a schedule name after `schedule`")?),
        }
        Ok(())
    }

    /// `user NAME ["Full name"] [{ … }]`
    fn user(&mut self) -> PResult<User> {
        self.bump();
        let name = self.name("a user name")?;
        let title = self.title()?;
        let body = self.optional_block(Self::user_clause)?;
        Ok(User { name, title, body })
    }

    fn user_clause(&mut self) -> PResult<UserClause> {
        let Some(keyword) = self.keyword() else {
            return Err(self.expected_clause("a user clause", USER_CLAUSES));
        };
        Ok(match keyword {
            Keyword::Email => self
                .after_keyword(|p| p.string("an email string after `email`"))
                .map(UserClause::Email)?,
            Keyword::Card => self
                .after_keyword(|p| p.number("a card number (digits) after `card`"))
                .map(UserClause::Card)?,
            Keyword::Pin => self
                .after_keyword(|p| p.string("a PIN string after `pin`"))
                .map(UserClause::Pin)?,
            Keyword::Qr => self
                .after_keyword(|p| p.string("a QR code string after `qr`"))
                .map(UserClause::Qr)?,
            Keyword::Mobile => self
                .after_keyword(|p| p.string("a mobile key string after `mobile`"))
                .map(UserClause::Mobile)?,
            Keyword::Remote => UserClause::Remote(self.flag()),
            Keyword::Offline => UserClause::Offline(self.flag()),
            Keyword::Inactive => UserClause::Inactive(self.flag()),
            Keyword::Valid => self.valid()?,
            Keyword::Tags => self
                .after_keyword(|p| p.names("a tag after `tags`"))
                .map(UserClause::Tags)?,
            Keyword::Schedule => self
                .after_keyword(|p| p.name("a schedule name after `schedule`"))
                .map(UserClause::Schedule)?,
            Keyword::Allow => self.allow()?,
            Keyword::Admin => self.admin()?,
            _ => return Err(self.expected_clause("a user clause", USER_CLAUSES)),
        })
    }

    /// Consumes the clause's keyword, then parses its value with `value`.
    fn after_keyword<T>(&mut self, value: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        self.bump();
        value(self)
    }

    /// `valid [DATE]..[DATE]`
    fn valid(&mut self) -> PResult<UserClause> {
        self.bump();
        let from = self.optional_date()?;
        if !self.at(Kind::DotDot) {
            let failed = self.expected("`..` in the validity window");
            self.help_last(
                "write `valid 2026-01-01..2026-12-31`; either end may be left out, \
                 as in `valid 2026-01-01..`",
            );
            return Err(failed);
        }
        self.bump();
        let to = self.optional_date()?;
        Ok(UserClause::Valid { from, to })
    }

    /// `allow TARGET… [schedule NAME]`
    fn allow(&mut self) -> PResult<UserClause> {
        self.bump();
        let targets = self.targets("a target after `allow`")?;
        let schedule = match self.eat_keyword(Keyword::Schedule) {
            Some(_) => Some(self.name("a schedule name after `schedule`")?),
            None => None,
        };
        Ok(UserClause::Allow { targets, schedule })
    }

    /// `admin RIGHT… [ip "ADDRESS"]`
    fn admin(&mut self) -> PResult<UserClause> {
        self.bump();
        let rights = self.rights("an admin right after `admin`")?;
        let ip = match self.eat_keyword(Keyword::Ip) {
            Some(_) => Some(self.string("an address string after `ip`")?),
            None => None,
        };
        Ok(UserClause::Admin { rights, ip })
    }
}

// ---------------------------------------------------------------------------------
// Appointments

const APPOINTMENT_CLAUSES: &str = "an appointment holds `doors`, `guest`, `organizer`, \
     `subject`, `description` and `remote` clauses";

impl Parser<'_> {
    /// `appointment NAME on DATE HH:MM-HH:MM { … }`
    fn appointment(&mut self) -> PResult<Appointment> {
        self.bump();
        let name = self.name("an appointment name")?;
        if self.eat_keyword(Keyword::On).is_none() {
            return Err(self.expected("`on` after the appointment name"));
        }
        let date = self.date("the appointment's date (`YYYY-MM-DD`) after `on`")?;
        let range = self.time_range("the appointment's hours (`16:45-17:45`)")?;
        let body = self.block("`{` to open the appointment", Self::appointment_clause)?;
        Ok(Appointment {
            name,
            date,
            range,
            body,
        })
    }

    fn appointment_clause(&mut self) -> PResult<AppointmentClause> {
        let Some(keyword) = self.keyword() else {
            return Err(self.expected_clause("an appointment clause", APPOINTMENT_CLAUSES));
        };
        Ok(match keyword {
            Keyword::Doors => self
                .after_keyword(|p| p.targets("a target after `doors`"))
                .map(AppointmentClause::Doors)?,
            Keyword::Guest => AppointmentClause::Guest(self.guest()?),
            Keyword::Organizer => self
                .after_keyword(|p| p.string("a string after `organizer`"))
                .map(AppointmentClause::Organizer)?,
            Keyword::Subject => self
                .after_keyword(|p| p.string("a string after `subject`"))
                .map(AppointmentClause::Subject)?,
            Keyword::Description => self
                .after_keyword(|p| p.string("a string after `description`"))
                .map(AppointmentClause::Description)?,
            Keyword::Remote => AppointmentClause::Remote(self.flag()),
            _ => return Err(self.expected_clause("an appointment clause", APPOINTMENT_CLAUSES)),
        })
    }

    /// `guest "Name" [<email>] [qr "…"] [pin "…"] [mobile "…"]`
    fn guest(&mut self) -> PResult<Guest> {
        self.bump();
        let name = self.string("the guest's name as a string after `guest`")?;
        let email = self.at(Kind::Email).then(|| self.email());
        let mut credentials = Vec::new();
        while let Some(keyword) = self.keyword() {
            let credential: fn(Str) -> GuestCredential = match keyword {
                Keyword::Qr => GuestCredential::Qr,
                Keyword::Pin => GuestCredential::Pin,
                Keyword::Mobile => GuestCredential::Mobile,
                _ => break,
            };
            self.bump();
            credentials.push(credential(self.string("a string after the credential")?));
        }
        Ok(Guest {
            name,
            email,
            credentials,
        })
    }
}

// ---------------------------------------------------------------------------------
// Policy tests

const EXPECTATION_FORM: &str = "an expectation is written `SUBJECT may [not] open DOOR at \
     2026-11-23T09:00 [offline] [because REASON]`, where SUBJECT is a user's name, \
     `remote USER`, `guest \"EMAIL\"` or credentials joined by `+` (`card 12345678`, \
     `pin \"…\"`, `qr \"…\"`, `mobile \"…\"`)";

impl Parser<'_> {
    /// Whether the current token is the word `test` (which starts a test item at the
    /// top level, where no other item starts with a name).
    fn test_keyword_ahead(&self) -> bool {
        self.at(Kind::Name) && self.slice(self.peek()) == "test"
    }

    /// Whether a test item starts here: `test` followed by its title. Recovery and the
    /// missing-`}` heuristic resume only there (a user named `test` stays a user).
    fn test_ahead(&self) -> bool {
        self.test_keyword_ahead() && self.nth(1).kind == Kind::Str
    }

    /// Whether the current token is the contextual keyword `word` (a name elsewhere).
    fn at_word(&self, word: &str) -> bool {
        self.at(Kind::Name) && self.slice(self.peek()) == word
    }

    /// Consumes the contextual keyword `word`, or fails saying `expected`.
    fn word(&mut self, word: &str, expected: &str) -> PResult<()> {
        if self.at_word(word) {
            self.bump();
            Ok(())
        } else {
            let failed = self.expected(expected);
            self.help_last(EXPECTATION_FORM);
            Err(failed)
        }
    }

    /// `test "Title" { EXPECTATION… }`
    fn test(&mut self) -> PResult<Test> {
        self.bump();
        if !self.at(Kind::Str) {
            let failed = self.expected("the test's title as a string after `test`");
            self.help_last("a test is written `test \"Title\" { EXPECTATION… }`");
            return Err(failed);
        }
        let title = self.string("the test's title as a string after `test`")?;
        let body = self.recovering_block("`{` to open the test", Self::expectation)?;
        Ok(Test { title, body })
    }

    /// `{ ENTRY… }` like [`Parser::block`], except that an entry that fails is
    /// reported and skipped (up to the next line, where the next entry starts), so that
    /// every broken entry of the block is reported once.
    fn recovering_block<T>(
        &mut self,
        opening: &str,
        clause: fn(&mut Self) -> PResult<T>,
    ) -> PResult<Block<T>> {
        let open = self.expect(Kind::OpenBrace, opening)?;
        let open = self.token_span(open);
        self.open_braces.push(open);
        let open_comment = self.trailing_comment();
        let mut entries = Vec::new();
        let mut failed_at = None;
        while !self.at(Kind::CloseBrace) {
            let start = self.consumed;
            match self.entry(entries.is_empty(), clause) {
                Ok(entry) => entries.push(entry),
                Err(Failed) => {
                    failed_at = self.forget_repeated_error(failed_at);
                    self.skip_entry(start)?;
                }
            }
        }
        let dangling = self.drain_comments(entries.is_empty());
        let close = self.bump();
        self.open_braces.pop();
        Ok(Block {
            open_comment,
            entries,
            dangling,
            span: open.to(self.token_span(close)),
        })
    }

    /// Where the last error stands; drops it when it stands where the error of the
    /// previous failed entry (`before`) stood: an entry cut short at a line break
    /// already reported the token that starts the next line.
    fn forget_repeated_error(&mut self, before: Option<Span>) -> Option<Span> {
        let last = self.errors.last().map(|e| e.primary.span);
        if last.is_some_and(|l| before.is_some_and(|b| (b.start, b.end) == (l.start, l.end))) {
            self.errors.pop();
        }
        last
    }

    /// After a failed entry that began at token `start`: skips to the first token of
    /// a later line or to the `}` that closes the block. Fails, leaving recovery to the
    /// item level, where an item seems to start (a `}` is missing) or the text ends.
    fn skip_entry(&mut self, start: usize) -> PResult<()> {
        if self.resume_here {
            return Err(Failed);
        }
        let mut depth = 0;
        if self.consumed == start {
            depth = self.skip_token(depth);
        }
        loop {
            let token = self.peek();
            match token.kind {
                Kind::End => return Err(self.expected("`}`")),
                Kind::CloseBrace if depth == 0 => return Ok(()),
                _ if depth == 0 && token.line_break_before => return Ok(()),
                _ => depth = self.skip_token(depth),
            }
        }
    }

    /// `SUBJECT (may | may not) open DOOR at INSTANT [offline] [because REASON]`
    fn expectation(&mut self) -> PResult<Expectation> {
        let subject = self.test_subject()?;
        self.word("may", "`may` or `may not` after the subject")?;
        let allowed = !self.at_word("not");
        if !allowed {
            self.bump();
        }
        let after = if allowed { "`may`" } else { "`may not`" };
        self.word("open", &format!("`open` after {after}"))?;
        let door = self.name("a door name after `open`")?;
        self.word("at", "`at` and an instant after the door")?;
        let at = self.date_time()?;
        let offline = self
            .eat_keyword(Keyword::Offline)
            .map(|t| self.token_span(t));
        let because = if self.because_ahead() {
            self.bump();
            Some(self.reason()?)
        } else {
            None
        };
        Ok(Expectation {
            subject,
            allowed,
            door,
            at,
            offline,
            because,
        })
    }

    /// `USER`, `remote USER`, `guest "EMAIL"` or `CREDENTIAL [+ CREDENTIAL]…`
    fn test_subject(&mut self) -> PResult<TestSubject> {
        let item_ahead = self.test_ahead() && self.peek().line_break_before;
        match self.peek().kind {
            Kind::Name if !item_ahead => Ok(TestSubject::User(self.ident())),
            Kind::Keyword(Keyword::Remote) => {
                self.bump();
                Ok(TestSubject::Remote(
                    self.name("a user name after `remote`")?,
                ))
            }
            Kind::Keyword(Keyword::Guest) => {
                self.bump();
                if self.at(Kind::Email) {
                    let failed = self.expected("the guest's email as a string after `guest`");
                    self.help_last("write the email between quotes: `guest \"ak@example.com\"`");
                    return Err(failed);
                }
                let email = self.string("the guest's email as a string after `guest`")?;
                Ok(TestSubject::Guest(email))
            }
            Kind::Keyword(Keyword::Card | Keyword::Pin | Keyword::Qr | Keyword::Mobile) => {
                self.test_credentials().map(TestSubject::Credentials)
            }
            _ => Err(self.expected_clause("an expectation", EXPECTATION_FORM)),
        }
    }

    /// Credentials joined by `+`, each kind at most once.
    fn test_credentials(&mut self) -> PResult<Vec<TestCredential>> {
        let mut credentials = vec![self.test_credential()?];
        while self.at(Kind::Plus) {
            self.bump();
            let start = self.token_span(self.peek());
            let credential = self.test_credential()?;
            let kind = credential.keyword();
            if credentials.iter().any(|c| c.keyword() == kind) {
                let end = self.last.map_or(start, |t| self.token_span(t));
                return Err(self.repeated_credential(kind, start.to(end)));
            }
            credentials.push(credential);
        }
        Ok(credentials)
    }

    fn test_credential(&mut self) -> PResult<TestCredential> {
        let credential = match self.keyword() {
            Some(Keyword::Card) => {
                self.bump();
                TestCredential::Card(self.number("a card number (digits) after `card`")?)
            }
            Some(Keyword::Pin) => {
                self.bump();
                TestCredential::Pin(self.string("a code string after `pin`")?)
            }
            Some(Keyword::Qr) => {
                self.bump();
                TestCredential::Qr(self.string("a QR code string after `qr`")?)
            }
            Some(Keyword::Mobile) => {
                self.bump();
                TestCredential::Mobile(self.string("a mobile key string after `mobile`")?)
            }
            _ => {
                let failed = self.expected("a credential after `+`");
                self.help_last(
                    "credentials are `card DIGITS`, `pin \"…\"`, `qr \"…\"` and `mobile \"…\"`",
                );
                return Err(failed);
            }
        };
        Ok(credential)
    }

    /// `2026-11-23T09:00[:SS][Z|+HH:MM|-HH:MM]`
    fn date_time(&mut self) -> PResult<DateTime> {
        if self.at(Kind::DateTime) {
            let token = self.bump();
            return Ok(DateTime {
                text: self.slice(token).to_owned(),
                span: self.token_span(token),
            });
        }
        let date = self.at(Kind::Date);
        let failed = self.expected("an instant (`2026-11-23T09:00`) after `at`");
        self.help_last(if date {
            "join the date and the time with `T`, with no space: `2026-11-23T09:00`, \
             optionally followed by `Z` or an offset such as `+01:00`"
        } else {
            "an instant is written `YYYY-MM-DDTHH:MM`, optionally with seconds (`:SS`) and \
             `Z` or an offset such as `+01:00`; without an offset it is the door's local time"
        });
        Err(failed)
    }

    /// `because` starts the reason clause, unless it is the name of the user of the
    /// next expectation (`because may …`).
    fn because_ahead(&self) -> bool {
        let next = self.nth(1);
        self.at_word("because") && !(next.kind == Kind::Name && self.slice(next) == "may")
    }

    /// A reason code: a name, or a reserved word that spells one (`inactive`,
    /// `appointment`).
    fn reason(&mut self) -> PResult<Ident> {
        match self.peek().kind {
            Kind::Name | Kind::Keyword(_) => Ok(self.ident()),
            _ => {
                let failed = self.expected("a reason code after `because`");
                self.help_last(
                    "reason codes are snake_case words such as `granted` or `outside_schedule`",
                );
                Err(failed)
            }
        }
    }

    /// A credential kind given twice in one subject.
    fn repeated_credential(&mut self, kind: &str, span: Span) -> Failed {
        let diagnostic = Diagnostic::error(
            Code::RepeatedPart,
            span,
            format!("`{kind}` given twice in one subject"),
        )
        .with_label(format!("second `{kind}`"))
        .with_help("a reader reads at most one credential of each kind at once");
        self.fail(diagnostic)
    }
}

// ---------------------------------------------------------------------------------
// Errors

const ITEMS: &str =
    "an item (`site`, `schedule`, `holidays`, `account`, `appointment`, `zone` or `test`)";

impl Parser<'_> {
    fn fail(&mut self, diagnostic: Diagnostic) -> Failed {
        self.errors.push(diagnostic);
        Failed
    }

    /// Sets the help of the last error reported.
    fn help_last(&mut self, help: &str) {
        if let Some(last) = self.errors.last_mut() {
            if last.code == Code::UnexpectedToken {
                last.help = Some(help.to_owned());
            }
        }
    }

    /// The current token is not what the grammar expects (`expected`): reports it,
    /// or the lexical error it is, or the block the end of the file leaves open.
    fn expected(&mut self, expected: &str) -> Failed {
        let token = self.peek();
        let span = self.token_span(token);
        let diagnostic = match token.kind {
            Kind::BadChar => self.bad_char(token),
            Kind::OpenString => {
                Diagnostic::error(Code::UnterminatedString, span, "unterminated string")
                    .with_label("this string has no closing `\"` on its line")
                    .with_help(
                        "close the string with `\"` on the same line; strings may not span lines",
                    )
            }
            Kind::End if !self.open_braces.is_empty() => self.unclosed(expected),
            _ => Diagnostic::error(
                Code::UnexpectedToken,
                span,
                format!("expected {expected}, found {}", self.describe(token)),
            )
            .with_label(format!("expected {expected}")),
        };
        self.fail(diagnostic)
    }

    fn expected_item(&mut self) -> Failed {
        let keyword = self.keyword();
        let failed = self.expected(ITEMS);
        let inside = match keyword {
            Some(Keyword::Door | Keyword::Group | Keyword::Path | Keyword::Code) => "a `site`",
            Some(Keyword::User | Keyword::Subaccount | Keyword::Ceiling) => "an `account`",
            _ => return failed,
        };
        if let Some(keyword) = keyword {
            self.help_last(&format!(
                "`{}` goes inside {inside} block",
                keyword.as_str()
            ));
        }
        failed
    }

    /// Neither `}` nor a clause of the block: `what` names the clause, `help` lists
    /// them. An item keyword at the start of a line probably follows a missing `}`:
    /// recovery then resumes at it.
    fn expected_clause(&mut self, what: &str, help: &str) -> Failed {
        let token = self.peek();
        let failed = self.expected(&format!("`}}` or {what}"));
        let starts_item =
            matches!(token.kind, Kind::Keyword(k) if k.starts_item()) || self.test_ahead();
        let open = self.open_braces.last().copied();
        match open {
            Some(open) if starts_item && token.line_break_before => {
                self.resume_here = true;
                self.help_last("a `}` may be missing before this line");
                if let Some(last) = self.errors.last_mut() {
                    last.secondary.push(crate::diagnostic::Label {
                        span: open,
                        message: "the block opened here is not closed".to_owned(),
                    });
                }
            }
            _ => self.help_last(help),
        }
        failed
    }

    fn unclosed(&self, expected: &str) -> Diagnostic {
        let open = self.open_braces.last().copied().unwrap_or_default();
        Diagnostic::error(Code::UnclosedBlock, open, "unclosed `{`")
            .with_label("this `{` has no matching `}`")
            .with_help(format!(
                "close the block with `}}` (the file ends where {expected} was expected)"
            ))
    }

    fn reserved(&mut self, keyword: Keyword, what: &str) -> Failed {
        let span = self.token_span(self.peek());
        let word = keyword.as_str();
        let diagnostic = Diagnostic::error(
            Code::ReservedWord,
            span,
            format!("expected {what}, found the reserved word `{word}`"),
        )
        .with_label("reserved word")
        .with_help(format!("`{word}` is a reserved word; choose another name"));
        self.fail(diagnostic)
    }

    fn repeated_part(&mut self, part: Keyword) -> Failed {
        let span = self.token_span(self.peek());
        let word = part.as_str();
        let diagnostic = Diagnostic::error(
            Code::RepeatedPart,
            span,
            format!("`{word}` given twice in one ceiling"),
        )
        .with_label("second `".to_owned() + word + "`")
        .with_help(format!("list everything after a single `{word}`"));
        self.fail(diagnostic)
    }

    fn too_deep(&mut self, keyword: Token) -> Failed {
        let diagnostic = Diagnostic::error(
            Code::UnexpectedToken,
            self.token_span(keyword),
            format!("sub-accounts nested more than {MAX_SUBACCOUNT_DEPTH} deep"),
        )
        .with_label("too deep")
        .with_help("flatten the hierarchy of sub-accounts");
        self.fail(diagnostic)
    }

    fn bad_char(&self, token: Token) -> Diagnostic {
        let found = self.slice(token);
        let shown: String = found.chars().flat_map(char::escape_debug).collect();
        let help = match found {
            "<" => "an email address is written `<name@example.com>`, with no space inside",
            ":" => "a time is written `HH:MM`, with two digits each (`08:00`)",
            "." => "a range is written with two dots: `mon..fri`, `2026-01-01..2026-12-31`",
            c if !c.is_ascii() => {
                "names are ASCII letters, digits, `_` and `-`; put other text in a string (`\"…\"`)"
            }
            _ => "remove the character, or put the text in a string (`\"…\"`) or a comment (`#`)",
        };
        Diagnostic::error(
            Code::UnexpectedCharacter,
            self.token_span(token),
            format!("unexpected character `{shown}`"),
        )
        .with_label("no token starts with this character")
        .with_help(help)
    }

    fn bad_escape(&mut self, token: Token, body: &str, bad: lexer::BadEscape) -> Failed {
        let start = token.start as usize + 1;
        let span = Span::new(self.file, start + bad.range.start, start + bad.range.end);
        let escape = body.get(bad.range).unwrap_or("\\");
        let (message, help) = if bad.unicode {
            (
                format!("invalid unicode escape `{escape}`"),
                "`\\u{…}` takes 1 to 6 hexadecimal digits naming a Unicode scalar value",
            )
        } else {
            (
                format!("unknown escape `{escape}`"),
                "the escapes are `\\\"` `\\\\` `\\n` `\\t` and `\\u{…}`; write `\\\\` for a backslash",
            )
        };
        let diagnostic = Diagnostic::error(Code::InvalidEscape, span, message)
            .with_label("invalid escape")
            .with_help(help);
        self.fail(diagnostic)
    }

    /// A token as error messages show it.
    fn describe(&self, token: Token) -> String {
        if token.kind == Kind::End {
            return "the end of the file".to_owned();
        }
        let text = self.slice(token);
        match text.char_indices().nth(24) {
            Some((cut, _)) => format!("`{}…`", text.get(..cut).unwrap_or_default()),
            None => format!("`{text}`"),
        }
    }
}
