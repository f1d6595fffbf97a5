//! The values every item shares: names, strings, titles, e-mail addresses, numbers,
//! dates, times and time ranges, flags, targets (`[site|door|group|path] NAME`),
//! reader modes and admin rights.
//!
//! Each reads one value or list where the grammar wants one and says what it expected
//! when it is not there; none knows which item it stands in, and none judges meaning
//! (an impossible date or an unknown name is the validator's).

use super::{PResult, Parser};
use crate::model::CardFormat;
use crate::source::Span;
use crate::syntax::ast::{
    Date, Ident, Number, ReaderMode, Str, Target, TargetKind, Time, TimeRange, Word,
};
use crate::syntax::lexer::{self, Keyword, Kind};

// ---------------------------------------------------------------------------------
// Values

impl Parser<'_> {
    /// A name where one is required; `what` names it in errors ("a door name").
    pub(super) fn name(&mut self, what: &str) -> PResult<Ident> {
        match self.peek().kind {
            Kind::Name => Ok(self.ident()),
            Kind::Keyword(keyword) => Err(self.reserved(keyword, what)),
            _ => Err(self.expected(what)),
        }
    }

    /// Consumes the current token as an identifier.
    pub(super) fn ident(&mut self) -> Ident {
        let token = self.bump();
        Ident {
            name: self.slice(token).to_owned(),
            span: self.token_span(token),
        }
    }

    /// Names while the current token is a name (`tags a b c`), at least one.
    pub(super) fn names(&mut self, what: &str) -> PResult<Vec<Ident>> {
        let mut names = vec![self.name(what)?];
        while self.at(Kind::Name) {
            names.push(self.ident());
        }
        Ok(names)
    }

    /// A string literal, escapes resolved.
    pub(super) fn string(&mut self, what: &str) -> PResult<Str> {
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
    pub(super) fn title(&mut self) -> PResult<Option<Str>> {
        if self.at(Kind::Str) {
            self.string("a string").map(Some)
        } else {
            Ok(None)
        }
    }

    /// `<…>`, kept without the angle brackets.
    pub(super) fn email(&mut self) -> Str {
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

    pub(super) fn number(&mut self, what: &str) -> PResult<Number> {
        let token = self.expect(Kind::Number, what)?;
        Ok(Number {
            digits: self.slice(token).to_owned(),
            span: self.token_span(token),
        })
    }

    pub(super) fn date(&mut self, what: &str) -> PResult<Date> {
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
    pub(super) fn optional_date(&mut self) -> PResult<Option<Date>> {
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
    pub(super) fn time_range(&mut self, what: &str) -> PResult<TimeRange> {
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
    pub(super) fn time_ranges(&mut self, what: &str) -> PResult<Vec<TimeRange>> {
        let mut ranges = vec![self.time_range(what)?];
        while self.at(Kind::Time) {
            ranges.push(self.time_range(what)?);
        }
        Ok(ranges)
    }

    /// A single-keyword clause: the keyword's span.
    pub(super) fn flag(&mut self) -> Span {
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
    pub(super) fn targets(&mut self, what: &str) -> PResult<Vec<Target>> {
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
    pub(super) fn reader_modes(&mut self, after: &str) -> PResult<Vec<Word<ReaderMode>>> {
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
    pub(super) fn rights(&mut self, what: &str) -> PResult<Vec<Ident>> {
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
pub(super) fn card_formats_help() -> String {
    let names: Vec<String> = CardFormat::names().map(|n| format!("`{n}`")).collect();
    format!("card formats are {}", names.join(" "))
}

fn reader_mode(keyword: Keyword) -> Option<ReaderMode> {
    ReaderMode::from_keyword(keyword.as_str())
}
