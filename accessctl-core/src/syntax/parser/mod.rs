//! The parser: tokens in, syntax tree out, by recursive descent.
//!
//! Owns the grammar of `docs/language.md` (every item, clause and list, and where
//! each list ends), the attachment of comments and blank lines to entries
//! ([`Trivia`], [`Block`]), the wording of syntax errors (E01xx) and the recovery
//! that skips a failed top-level item (or, in a test block, a failed expectation) so
//! that every broken item of a file is reported once.
//!
//! This module is the driver: the parser's state and its cursor over the tokens
//! ahead, the comments it attaches, entries and blocks, the file's items and the
//! recovery after a failed one. The grammar of each item kind is in its own module,
//! each an `impl Parser` block: [`site`] (sites, doors, groups, paths, space codes),
//! [`zone`], [`schedule`] (schedules and holiday calendars), [`account`] (accounts,
//! sub-accounts, users, ceilings), [`appointment`] and [`policy_test`]; the values
//! they share are in [`values`], the wording of errors in [`errors`].
//!
//! It must never judge meaning (unknown names, impossible dates, duplicate clauses:
//! the validator's job), never panic, and never recurse without bound: sub-accounts
//! are the only recursive construct and nest at most [`MAX_SUBACCOUNT_DEPTH`] deep.

mod account;
mod appointment;
mod errors;
mod policy_test;
mod schedule;
mod site;
mod values;
mod zone;

use super::ast::{Block, Comment, Entry, File, Item, Trivia};
use super::lexer::{CommentMark, Keyword, Kind, Lexer, Token};
use super::Parsed;
use crate::diagnostic::Diagnostic;
use crate::source::FileId;
use crate::source::Span;

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
