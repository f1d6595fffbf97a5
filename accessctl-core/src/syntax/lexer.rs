//! The lexer: policy text in, tokens and comments out.
//!
//! Owns the token atoms of `docs/language.md` — names and reserved words, strings,
//! numbers, dates, times, instants, emails, punctuation and `#` comments — each
//! recognized by a nom parser over the text's bytes, and the line-break facts the
//! parser needs to attach comments and keep blank lines. Tokens are small `Copy`
//! values pointing into the text: nothing is allocated per token.
//!
//! It never fails: a character that starts no token, or a string left open, becomes an
//! error token that the parser reports where the grammar meets it. It must never know
//! the grammar nor judge values (`2026-13-45` is a date token, `99:99` a time token,
//! `2026-02-30T25:00` an instant token).

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_while, take_while1, take_while_m_n};
use nom::character::complete::digit1;
use nom::combinator::{map, map_opt, opt, recognize, value, verify};
use nom::multi::many0_count;
use nom::sequence::delimited;
use nom::{IResult, Parser};

/// A recognizer over the text's bytes; failures carry nothing (the lexer only needs
/// to know that an atom did not match).
type Scan<'a, O> = IResult<&'a [u8], O, ()>;

macro_rules! keywords {
    ($($variant:ident = $word:literal,)*) => {
        /// A reserved word of the language (`docs/language.md`, "Reserved words").
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(super) enum Keyword {
            $(#[doc = concat!("`", $word, "`")] $variant,)*
        }

        impl Keyword {
            /// The reserved word spelled by `word`, if any.
            fn from_word(word: &[u8]) -> Option<Keyword> {
                match word {
                    $(w if w == $word.as_bytes() => Some(Keyword::$variant),)*
                    _ => None,
                }
            }

            /// The word as written.
            pub(super) fn as_str(self) -> &'static str {
                match self {
                    $(Keyword::$variant => $word,)*
                }
            }
        }
    };
}

keywords! {
    Site = "site",
    Timezone = "timezone",
    Keystore = "keystore",
    Door = "door",
    Id = "id",
    Readers = "readers",
    Cards = "cards",
    Schedule = "schedule",
    Offline = "offline",
    Capacity = "capacity",
    Require = "require",
    Group = "group",
    Path = "path",
    Code = "code",
    On = "on",
    Holidays = "holidays",
    Except = "except",
    Account = "account",
    Subaccount = "subaccount",
    Ceiling = "ceiling",
    Doors = "doors",
    Rights = "rights",
    User = "user",
    Email = "email",
    Card = "card",
    Pin = "pin",
    Qr = "qr",
    Mobile = "mobile",
    Remote = "remote",
    Inactive = "inactive",
    Valid = "valid",
    Tags = "tags",
    Allow = "allow",
    Admin = "admin",
    Ip = "ip",
    CreatedBy = "created_by",
    Appointment = "appointment",
    Guest = "guest",
    Organizer = "organizer",
    Subject = "subject",
    Description = "description",
    Badge = "badge",
    Zone = "zone",
    Key = "key",
}

impl Keyword {
    /// Whether the word starts a top-level item (where error recovery resumes).
    pub(super) fn starts_item(self) -> bool {
        matches!(
            self,
            Keyword::Site
                | Keyword::Schedule
                | Keyword::Holidays
                | Keyword::Account
                | Keyword::Appointment
                | Keyword::Zone
        )
    }
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A name that is not a reserved word (weekday names included).
    Name,
    /// A reserved word.
    Keyword(Keyword),
    /// `"…"`, escapes not yet resolved (see [`unescape`]).
    Str,
    /// ASCII digits.
    Number,
    /// ASCII digits directly followed by ASCII letters (`30m`): a duration, its unit
    /// not yet judged.
    Duration,
    /// `YYYY-MM-DD`
    Date,
    /// `HH:MM`
    Time,
    /// `YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM|-HH:MM]`
    DateTime,
    /// `<…>`
    Email,
    /// `{`
    OpenBrace,
    /// `}`
    CloseBrace,
    /// `=`
    Equals,
    /// `->`
    Arrow,
    /// `..`
    DotDot,
    /// `-`
    Dash,
    /// `,`
    Comma,
    /// `+`
    Plus,
    /// One character that starts no token (an error).
    BadChar,
    /// A string with no closing quote on its line, from `"` to the end of the line
    /// (an error).
    OpenString,
    /// The end of the text; always the last token.
    End,
}

/// One token: what it is, where it stands, and what separates it from what precedes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Token {
    /// What it is.
    pub(super) kind: Kind,
    /// Byte offset of its first byte.
    pub(super) start: u32,
    /// Byte offset one past its last byte.
    pub(super) end: u32,
    /// How many comments stand before it in the text: the comments between this token
    /// and the previous one are `comments[previous.comments_before..comments_before]`.
    pub(super) comments_before: u32,
    /// A line break separates it from the previous token or comment.
    pub(super) line_break_before: bool,
    /// At least one blank line separates it from the previous token or comment.
    pub(super) blank_line_before: bool,
}

/// Where a `#` comment stands, and what separates it from what precedes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct CommentMark {
    /// Offset of the `#`.
    pub(super) start: u32,
    /// Offset one past the comment's last character, trailing white space excluded.
    pub(super) end: u32,
    /// A line break separates it from the previous token or comment.
    pub(super) line_break_before: bool,
    /// At least one blank line separates it from the previous token or comment.
    pub(super) blank_line_before: bool,
}

/// Produces tokens one at a time, on demand, and records the comments it passes.
#[derive(Debug, Clone)]
pub(super) struct Lexer<'t> {
    text: &'t str,
    pos: usize,
    /// Line breaks seen since the previous token or comment.
    line_breaks: usize,
    /// The comments passed so far, in order.
    comments: Vec<CommentMark>,
}

impl<'t> Lexer<'t> {
    /// A lexer at the start of `text` (after a byte-order mark, if any).
    pub(super) fn new(text: &'t str) -> Lexer<'t> {
        Lexer {
            text,
            pos: if text.starts_with('\u{FEFF}') { 3 } else { 0 },
            line_breaks: 0,
            comments: Vec::new(),
        }
    }

    /// The comments passed so far: [`Token::comments_before`] indexes them.
    pub(super) fn comments(&self) -> &[CommentMark] {
        &self.comments
    }

    /// The next token, passing white space and comments. Never fails: malformed text
    /// becomes [`Kind::BadChar`] and [`Kind::OpenString`] tokens; at the end of the
    /// text, every call returns a [`Kind::End`] token.
    pub(super) fn next_token(&mut self) -> Token {
        loop {
            self.skip_space();
            let rest = self.text.as_bytes().get(self.pos..).unwrap_or_default();
            match rest.first() {
                None => return self.token(Kind::End, 0),
                Some(b'#') => self.push_comment(rest),
                Some(_) => {
                    let (kind, len) = match atom(rest) {
                        Ok((after, kind)) => (kind, rest.len() - after.len()),
                        Err(_) => self.malformed(rest),
                    };
                    return self.token(kind, len);
                }
            }
        }
    }

    fn skip_space(&mut self) {
        let rest = self.text.as_bytes().get(self.pos..).unwrap_or_default();
        let space: Scan<&[u8]> = take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))(rest);
        if let Ok((_, space)) = space {
            self.line_breaks += space.iter().filter(|&&b| b == b'\n').count();
            self.pos += space.len();
        }
    }

    /// The error token at the start of `rest`, which no atom matches, and its length.
    fn malformed(&self, rest: &[u8]) -> (Kind, usize) {
        if rest.first() == Some(&b'"') {
            let line = rest.iter().position(|&b| b == b'\n' || b == b'\r');
            return (Kind::OpenString, line.unwrap_or(rest.len()));
        }
        let len = self
            .text
            .get(self.pos..)
            .and_then(|s| s.chars().next())
            .map_or(1, char::len_utf8);
        (Kind::BadChar, len)
    }

    /// The token of kind `kind` and length `len` at the position, which it passes.
    fn token(&mut self, kind: Kind, len: usize) -> Token {
        let end = self.pos + len;
        let token = Token {
            kind,
            start: offset(self.pos),
            end: offset(end),
            comments_before: offset(self.comments.len()),
            line_break_before: self.line_breaks > 0,
            blank_line_before: self.line_breaks > 1,
        };
        self.line_breaks = 0;
        self.pos = end;
        token
    }

    fn push_comment(&mut self, rest: &[u8]) {
        let line: Scan<&[u8]> = take_till(|b| b == b'\n')(rest);
        let len = line.map_or(rest.len(), |(_, line)| line.len());
        let end = self.pos + len;
        let trimmed = self
            .text
            .get(self.pos..end)
            .map_or(len, |comment| comment.trim_end().len());
        self.comments.push(CommentMark {
            start: offset(self.pos),
            end: offset(self.pos + trimmed),
            line_break_before: self.line_breaks > 0,
            blank_line_before: self.line_breaks > 1,
        });
        self.line_breaks = 0;
        self.pos = end;
    }
}

/// A byte offset as stored in tokens (texts beyond 4 GiB are clamped, never wrapped).
fn offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The token at the start of `input`, chosen by its first byte: digits try a date
/// (an instant when a time follows it), then a time, then a number.
fn atom(input: &[u8]) -> Scan<'_, Kind> {
    match input.first() {
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => word(input),
        Some(b) if b.is_ascii_digit() => alt((
            date_or_instant,
            value(Kind::Time, time),
            value(Kind::Duration, duration),
            value(Kind::Number, digit1),
        ))
        .parse(input),
        Some(b'"') => value(Kind::Str, string).parse(input),
        Some(b'<') => value(Kind::Email, email).parse(input),
        _ => punctuation(input),
    }
}

/// A name, or the reserved word it spells.
fn word(input: &[u8]) -> Scan<'_, Kind> {
    map(name, |w| {
        Keyword::from_word(w).map_or(Kind::Name, Kind::Keyword)
    })
    .parse(input)
}

/// `[A-Za-z_][A-Za-z0-9_-]*`, where a `-` directly followed by `>` ends the name.
fn name(input: &[u8]) -> Scan<'_, &[u8]> {
    let run = take_while1(|b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    let starts_name = |run: &[u8]| {
        run.first()
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
    };
    let (after, run) = verify(run, starts_name).parse(input)?;
    // `>` is no name character, so an arrow can only cut the run's last `-`.
    match (run.split_last(), after.first()) {
        (Some((b'-', name)), Some(b'>')) => Ok((input.get(name.len()..).unwrap_or_default(), name)),
        _ => Ok((after, run)),
    }
}

/// Exactly `n` ASCII digits.
fn digits<'a>(n: usize) -> impl Parser<&'a [u8], Output = &'a [u8], Error = ()> {
    take_while_m_n(n, n, |b: u8| b.is_ascii_digit())
}

/// Digits directly followed by letters, with no name character after them (`30m`,
/// `2h`; `30m5` is no duration).
fn duration(input: &[u8]) -> Scan<'_, &[u8]> {
    let letters = take_while1(|b: u8| b.is_ascii_alphabetic());
    let (after, run) = recognize((digit1, letters)).parse(input)?;
    match after.first() {
        Some(b) if b.is_ascii_digit() || *b == b'_' => Err(nom::Err::Error(())),
        _ => Ok((after, run)),
    }
}

/// `YYYY-MM-DD`
fn date(input: &[u8]) -> Scan<'_, &[u8]> {
    recognize((digits(4), tag("-"), digits(2), tag("-"), digits(2))).parse(input)
}

/// `HH:MM`
fn time(input: &[u8]) -> Scan<'_, &[u8]> {
    recognize((digits(2), tag(":"), digits(2))).parse(input)
}

/// `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM|-HH:MM]`: a date, and an instant
/// when `T` and a time follow it (with optional seconds and offset from UTC).
fn date_or_instant(input: &[u8]) -> Scan<'_, Kind> {
    let (after_date, _) = date(input)?;
    let seconds = (tag(":"), digits(2));
    let sign = alt((tag("+"), tag("-")));
    let offset = alt((tag("Z"), recognize((sign, time))));
    let time_of_day: Scan<&[u8]> =
        recognize((tag("T"), time, opt(seconds), opt(offset))).parse(after_date);
    Ok(match time_of_day {
        Ok((after, _)) => (after, Kind::DateTime),
        Err(_) => (after_date, Kind::Date),
    })
}

/// `"…"` on one line: any byte but `"`, `\` and line breaks, or `\` and any byte but a
/// line break (escapes are judged later, by [`unescape`]).
fn string(input: &[u8]) -> Scan<'_, &[u8]> {
    let plain = take_while1(|b: u8| !matches!(b, b'"' | b'\\' | b'\n' | b'\r'));
    let escape = recognize((
        tag("\\"),
        take_while_m_n(1, 1, |b: u8| b != b'\n' && b != b'\r'),
    ));
    recognize((tag("\""), many0_count(alt((plain, escape))), tag("\""))).parse(input)
}

/// `<…>` with no white space or `>` inside.
fn email(input: &[u8]) -> Scan<'_, &[u8]> {
    let address = take_while(|b: u8| b != b'>' && !b.is_ascii_whitespace());
    recognize(delimited(tag("<"), address, tag(">"))).parse(input)
}

/// `{ } = -> .. - , +`
fn punctuation(input: &[u8]) -> Scan<'_, Kind> {
    alt((
        value(Kind::OpenBrace, tag("{")),
        value(Kind::CloseBrace, tag("}")),
        value(Kind::Equals, tag("=")),
        value(Kind::Arrow, tag("->")),
        value(Kind::Dash, tag("-")),
        value(Kind::DotDot, tag("..")),
        value(Kind::Comma, tag(",")),
        value(Kind::Plus, tag("+")),
    ))
    .parse(input)
}

/// An escape the language does not know, inside a string's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct BadEscape {
    /// Byte range of the escape in the body, from its `\`.
    pub(super) range: std::ops::Range<usize>,
    /// Whether it is a malformed `\u{…}` (rather than an unknown letter).
    pub(super) unicode: bool,
}

/// The value of a string body (the text between the quotes), escapes resolved:
/// `\"` `\\` `\n` `\t` `\u{1F600}` (1 to 6 hexadecimal digits naming a Unicode scalar
/// value).
pub(super) fn unescape(body: &str) -> Result<String, BadEscape> {
    let Some(first) = body.find('\\') else {
        return Ok(body.to_owned());
    };
    let mut value = String::with_capacity(body.len());
    let mut rest = body;
    let mut at = first;
    loop {
        value.push_str(rest.get(..at).unwrap_or_default());
        let escape = rest.get(at + 1..).unwrap_or_default();
        let consumed = body.len() - rest.len() + at;
        match escaped_char(escape) {
            Ok((after, c)) => {
                value.push(c);
                rest = after;
            }
            Err(_) => return Err(bad_escape(escape, consumed)),
        }
        match rest.find('\\') {
            Some(next) => at = next,
            None => {
                value.push_str(rest);
                return Ok(value);
            }
        }
    }
}

/// What follows a `\`: the character it stands for.
fn escaped_char(input: &str) -> IResult<&str, char, ()> {
    let hex = take_while_m_n(1, 6, |c: char| c.is_ascii_hexdigit());
    let unicode = map_opt(delimited(tag("u{"), hex, tag("}")), |hex: &str| {
        u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
    });
    alt((
        value('"', tag("\"")),
        value('\\', tag("\\")),
        value('\n', tag("n")),
        value('\t', tag("t")),
        unicode,
    ))
    .parse(input)
}

/// The extent of a bad escape whose `\` is at `at` in the body; `escape` is what
/// follows the `\`.
fn bad_escape(escape: &str, at: usize) -> BadEscape {
    let unicode = escape.starts_with('u');
    let len = if unicode {
        let braced: IResult<&str, &str, ()> = recognize((
            tag("u"),
            take_while(|c: char| c == '{' || c.is_ascii_alphanumeric()),
            opt(tag("}")),
        ))
        .parse(escape);
        braced.map_or(1, |(_, s)| s.len())
    } else {
        escape.chars().next().map_or(0, char::len_utf8)
    };
    BadEscape {
        range: at..at + 1 + len,
        unicode,
    }
}
