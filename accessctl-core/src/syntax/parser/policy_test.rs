//! The `test` item: a title and expectations (`SUBJECT may [not] open DOOR at
//! INSTANT [offline] [because REASON]`), their subjects and credentials, and the
//! recovery inside a test block that reports and skips a failed expectation so that
//! every broken one is reported once.
//!
//! `test` is a contextual keyword: a user named `test` stays a user.

use super::{Failed, PResult, Parser};
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::syntax::ast::{Block, DateTime, Expectation, Ident, Test, TestCredential, TestSubject};
use crate::syntax::lexer::{Keyword, Kind};

const EXPECTATION_FORM: &str = "an expectation is written `SUBJECT may [not] open DOOR at \
     2026-11-23T09:00 [offline] [because REASON]`, where SUBJECT is a user's name, \
     `remote USER`, `guest \"EMAIL\"` or credentials joined by `+` (`card 12345678`, \
     `pin \"…\"`, `qr \"…\"`, `mobile \"…\"`)";

impl Parser<'_> {
    /// Whether the current token is the word `test` (which starts a test item at the
    /// top level, where no other item starts with a name).
    pub(super) fn test_keyword_ahead(&self) -> bool {
        self.at(Kind::Name) && self.slice(self.peek()) == "test"
    }

    /// Whether a test item starts here: `test` followed by its title. Recovery and the
    /// missing-`}` heuristic resume only there (a user named `test` stays a user).
    pub(super) fn test_ahead(&self) -> bool {
        self.test_keyword_ahead() && self.nth(1).kind == Kind::Str
    }

    /// Whether the current token is the contextual keyword `word` (a name elsewhere).
    pub(super) fn at_word(&self, word: &str) -> bool {
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
    pub(super) fn test(&mut self) -> PResult<Test> {
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
