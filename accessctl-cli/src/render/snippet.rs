//! Where something is written, for people: its source lines drawn the way
//! codespan draws a diagnostic, with carets under it and its secrets masked.
//!
//! ```text
//!    |
//! 20 |   card 42 + pin "…" may open main at 2026-11-23T20:00
//!    |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
//! ```
//!
//! Owns showing a span of a policy file outside a diagnostic, such as a failing
//! policy test's expectation. It must never show a secret, nor its length: the string
//! that follows `pin`, `qr`, `mobile` or `code` anywhere on a shown line is drawn as
//! `"…"`, as `Expectation::describe` does, and the carets follow the line as shown.

use accessctl_core::{Sources, Span};

/// The words whose next string is a secret: keypad codes (a user's or guest's PIN, a
/// permanent space code), QR codes and mobile keys.
const SECRET_WORDS: [&str; 4] = ["pin", "qr", "mobile", "code"];

/// The lines of `span`, numbered, each with carets under the part it covers, after an
/// empty gutter line; empty when the span points into no file of `sources`.
pub fn snippet(sources: &Sources, span: Span) -> String {
    if span.file.0 as usize >= sources.len() {
        return String::new();
    }
    let file = sources.get(span.file);
    let text = file.text();
    let start = floor_boundary(text, span.start as usize);
    let end = floor_boundary(text, (span.end as usize).max(start));
    let first = text[..start].rfind('\n').map_or(0, |at| at + 1);
    let last = text[end..].find('\n').map_or(text.len(), |at| end + at);
    let (first_number, _) = file.line_col(start);
    let lines: Vec<&str> = text[first..last].split('\n').collect();
    let width = (first_number + lines.len() - 1).to_string().len();
    let mut drawn = format!("{:width$} |\n", "");
    let mut offset = first;
    for (index, line) in lines.iter().enumerate() {
        let covered = covered_columns(line, offset, start, end);
        offset += line.len() + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        drawn.push_str(&format!(
            "{:>width$} | {}\n",
            first_number + index,
            mask(line)
        ));
        drawn.push_str(&format!("{:width$} | {}\n", "", carets(covered)));
    }
    drawn
}

/// The characters of `line` (which starts at byte `offset`) that `start..end` covers,
/// as a range of 0-based character columns of the masked line; at least one caret
/// wide.
fn covered_columns(line: &str, offset: usize, start: usize, end: usize) -> (usize, usize) {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let column = |at: usize| {
        let within = floor_boundary(line, at.saturating_sub(offset));
        line.get(..within)
            .map_or(0, |before| mask(before).chars().count())
    };
    let from = column(start);
    (from, column(end).max(from + 1))
}

/// `^` under columns `from..to`, after as many spaces as `from`.
fn carets((from, to): (usize, usize)) -> String {
    format!("{}{}", " ".repeat(from), "^".repeat(to - from))
}

/// `line` with the body of every secret string replaced by `…`. Comments (from a `#`
/// outside a string) are shown as written.
fn mask(line: &str) -> String {
    let mut masked = String::with_capacity(line.len());
    let (mut word, mut last_word) = (String::new(), String::new());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            masked.push(c);
            continue;
        }
        if !word.is_empty() {
            last_word = std::mem::take(&mut word);
        }
        masked.push(c);
        match c {
            '#' => {
                masked.extend(chars);
                break;
            }
            '"' => {
                let secret = SECRET_WORDS.contains(&last_word.as_str());
                string_body(&mut chars, &mut masked, secret);
                last_word.clear();
            }
            _ => {}
        }
    }
    masked
}

/// Copies a string's body and its closing quote from `chars` to `masked`; a secret
/// body becomes one `…`, whatever its length.
fn string_body(chars: &mut std::str::Chars<'_>, masked: &mut String, secret: bool) {
    if secret {
        masked.push('…');
    }
    let mut escaped = false;
    for c in chars.by_ref() {
        if c == '"' && !escaped {
            masked.push('"');
            return;
        }
        escaped = c == '\\' && !escaped;
        if !secret {
            masked.push(c);
        }
    }
}

/// `offset` moved into `text` and back onto a character boundary.
fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;
    use accessctl_core::FileId;

    fn draw(text: &str, needle: &str) -> String {
        let mut sources = Sources::new();
        sources.add("t.acl", text);
        let start = text.find(needle).unwrap();
        let span = Span::new(FileId(0), start, start + needle.len());
        snippet(&sources, span)
    }

    #[test]
    fn a_span_is_drawn_with_its_line_number_and_carets() {
        let text = "test \"t\" {\n  ana may open main at 2026-11-23T09:00\n}\n";
        let drawn = draw(text, "ana may open main at 2026-11-23T09:00");
        assert_eq!(
            drawn,
            "  |\n2 |   ana may open main at 2026-11-23T09:00\n  |   \
             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        );
    }

    #[test]
    fn secrets_are_masked_whatever_their_length() {
        let line = r#"card 42 + pin "48\"2913" may open main  # pin "1234" in a comment"#;
        assert_eq!(
            mask(line),
            r#"card 42 + pin "…" may open main  # pin "1234" in a comment"#
        );
        assert_eq!(
            mask(r#"guest "Ana" <a@b.example> qr "x" mobile "yz""#),
            r#"guest "Ana" <a@b.example> qr "…" mobile "…""#
        );
        assert_eq!(mask(r#"code "483920" on main"#), r#"code "…" on main"#);
        assert_eq!(mask(r#"test "pin" {"#), r#"test "pin" {"#);
    }

    #[test]
    fn carets_follow_the_masked_line() {
        let text =
            "test \"t\" {\n  card 42 + pin \"482913\" may open main at 2026-11-23T09:00\n}\n";
        let drawn = draw(
            text,
            "card 42 + pin \"482913\" may open main at 2026-11-23T09:00",
        );
        assert!(!drawn.contains("482913"), "{drawn}");
        let lines: Vec<&str> = drawn.lines().collect();
        assert_eq!(
            lines[1],
            "2 |   card 42 + pin \"…\" may open main at 2026-11-23T09:00"
        );
        assert_eq!(
            lines[2].chars().count(),
            lines[1].chars().count(),
            "{drawn}"
        );
    }

    #[test]
    fn no_span_makes_drawing_fail() {
        let mut sources = Sources::new();
        sources.add("t.acl", "é\u{1F600}x");
        for (start, end) in [(0, 1000), (1, 2), (900, 1000), (3, 1)] {
            let drawn = snippet(&sources, Span::new(FileId(0), start, end));
            assert!(drawn.contains("1 | "), "{drawn}");
        }
        assert_eq!(snippet(&sources, Span::new(FileId(7), 0, 1)), "");
    }
}
