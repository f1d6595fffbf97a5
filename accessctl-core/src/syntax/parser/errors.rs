//! The wording of syntax errors (E01xx): what was expected and what was found, the
//! help that says how to fix it, unclosed blocks, reserved words, repeated parts,
//! nesting too deep, bad characters and escapes.
//!
//! It must never decide where parsing resumes (that is recovery's, in the parser's
//! root module): it only reports.

use super::{Failed, Parser, MAX_SUBACCOUNT_DEPTH};
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::syntax::lexer::{self, Keyword, Kind, Token};

const ITEMS: &str =
    "an item (`site`, `schedule`, `holidays`, `account`, `appointment`, `zone` or `test`)";

impl Parser<'_> {
    pub(super) fn fail(&mut self, diagnostic: Diagnostic) -> Failed {
        self.errors.push(diagnostic);
        Failed
    }

    /// Sets the help of the last error reported.
    pub(super) fn help_last(&mut self, help: &str) {
        if let Some(last) = self.errors.last_mut() {
            if last.code == Code::UnexpectedToken {
                last.help = Some(help.to_owned());
            }
        }
    }

    /// The current token is not what the grammar expects (`expected`): reports it,
    /// or the lexical error it is, or the block the end of the file leaves open.
    pub(super) fn expected(&mut self, expected: &str) -> Failed {
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

    pub(super) fn expected_item(&mut self) -> Failed {
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
    pub(super) fn expected_clause(&mut self, what: &str, help: &str) -> Failed {
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

    pub(super) fn reserved(&mut self, keyword: Keyword, what: &str) -> Failed {
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

    pub(super) fn repeated_part(&mut self, part: Keyword) -> Failed {
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

    pub(super) fn too_deep(&mut self, keyword: Token) -> Failed {
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

    pub(super) fn bad_escape(&mut self, token: Token, body: &str, bad: lexer::BadEscape) -> Failed {
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
