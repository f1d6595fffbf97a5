//! Diagnostics for people, drawn by codespan-reporting:
//!
//! ```text
//! error[E0201]: unknown door `mian`
//!   --> policy.acl:1:47
//!   |
//! 1 | site hq { timezone "UTC"  door main  group lobby = mian }
//!   |                                                    ^^^^
//!   |
//!   = help: did you mean `main`?
//! ```
//!
//! Owns the mapping from the core's diagnostics to codespan's, with spans clamped to
//! the text so that no span can make rendering fail. It must never reword a message,
//! and never print a diagnostic without its code.

use std::ops::Range;

use accessctl_core::diagnostic::Label as CoreLabel;
use accessctl_core::{Diagnostic, Severity, Sources};
use codespan_reporting::diagnostic::{self as cs, LabelStyle};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::termcolor::Buffer;
use codespan_reporting::term::{self, Chars, Config};

/// Every diagnostic of `diagnostics` drawn with its source lines, each followed by
/// a blank line; with ANSI colours when `color`.
pub fn diagnostics(sources: &Sources, diagnostics: &[Diagnostic], color: bool) -> Vec<u8> {
    let mut files = SimpleFiles::new();
    for (_, file) in sources.iter() {
        files.add(file.name(), file.text());
    }
    let config = config();
    let mut buffer = buffer(color);
    for diagnostic in diagnostics {
        let drawn = to_codespan(sources, diagnostic);
        if term::emit_to_write_style(&mut buffer, &config, &files, &drawn).is_err() {
            buffer.clear();
            return plain(sources, diagnostics);
        }
    }
    buffer.into_inner()
}

/// An error that points at no source: `error[CODE]: message`, then `= help: …`.
pub fn error(code: Option<&str>, message: &str, help: Option<&str>, color: bool) -> Vec<u8> {
    let mut drawn = cs::Diagnostic::error().with_message(message);
    if let Some(code) = code {
        drawn = drawn.with_code(code);
    }
    if let Some(help) = help {
        drawn = drawn.with_notes(vec![format!("help: {help}")]);
    }
    let files: SimpleFiles<&str, &str> = SimpleFiles::new();
    let mut buffer = buffer(color);
    match term::emit_to_write_style(&mut buffer, &config(), &files, &drawn) {
        Ok(()) => buffer.into_inner(),
        Err(_) => format!("error: {message}\n").into_bytes(),
    }
}

/// A finding that is no diagnostic of the core (a `review` violation, say): `error[CODE]:
/// message`, with the source line of `span` under it and `label` at the caret.
pub fn finding(
    sources: &Sources,
    code: &str,
    message: &str,
    span: Option<accessctl_core::Span>,
    label: &str,
    color: bool,
) -> Vec<u8> {
    let mut files = SimpleFiles::new();
    for (_, file) in sources.iter() {
        files.add(file.name(), file.text());
    }
    let labels = span
        .filter(|s| (s.file.0 as usize) < sources.len())
        .map(|s| {
            let text = sources.get(s.file).text();
            let range = clamp(text, s.start as usize, s.end as usize);
            cs::Label::primary(s.file.0 as usize, range).with_message(label)
        });
    let drawn = cs::Diagnostic::error()
        .with_code(code)
        .with_message(message)
        .with_labels(labels.into_iter().collect());
    let mut buffer = buffer(color);
    match term::emit_to_write_style(&mut buffer, &config(), &files, &drawn) {
        Ok(()) => buffer.into_inner(),
        Err(_) => format!("error[{code}]: {message}\n").into_bytes(),
    }
}

fn config() -> Config {
    Config {
        chars: Chars::ascii(),
        ..Config::default()
    }
}

fn buffer(color: bool) -> Buffer {
    if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    }
}

fn to_codespan(sources: &Sources, diagnostic: &Diagnostic) -> cs::Diagnostic<usize> {
    let severity = match diagnostic.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let primary = label(sources, LabelStyle::Primary, &diagnostic.primary);
    let secondary = diagnostic
        .secondary
        .iter()
        .filter_map(|l| label(sources, LabelStyle::Secondary, l));
    let notes = diagnostic
        .help
        .iter()
        .map(|help| format!("help: {help}"))
        .collect();
    cs::Diagnostic::new(severity)
        .with_code(diagnostic.code.as_str())
        .with_message(&diagnostic.message)
        .with_labels(primary.into_iter().chain(secondary).collect())
        .with_notes(notes)
}

fn label(sources: &Sources, style: LabelStyle, label: &CoreLabel) -> Option<cs::Label<usize>> {
    let id = label.span.file.0 as usize;
    if id >= sources.len() {
        return None;
    }
    let text = sources.get(label.span.file).text();
    let range = clamp(text, label.span.start as usize, label.span.end as usize);
    Some(cs::Label::new(style, id, range).with_message(&label.message))
}

/// `start..end` moved inside `text` and onto character boundaries.
fn clamp(text: &str, start: usize, end: usize) -> Range<usize> {
    let start = floor_boundary(text, start);
    let end = floor_boundary(text, end.max(start));
    start..end
}

fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The fallback when codespan refuses: one `error[CODE]: message` and `--> place` each.
fn plain(sources: &Sources, diagnostics: &[Diagnostic]) -> Vec<u8> {
    let mut text = String::new();
    for d in diagnostics {
        let severity = if d.is_error() { "error" } else { "warning" };
        text.push_str(&format!("{severity}[{}]: {}\n", d.code, d.message));
        if let Some(place) = super::Location::of(sources, d.primary.span) {
            text.push_str(&format!("  --> {place}\n"));
        }
        if let Some(help) = &d.help {
            text.push_str(&format!("  = help: {help}\n"));
        }
        text.push('\n');
    }
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use accessctl_core::{Code, FileId, Span};

    fn render(text: &str, span: Span) -> String {
        let mut sources = Sources::new();
        sources.add("p.acl", text);
        let d = Diagnostic::error(Code::UnknownDoor, span, "unknown door `mian`")
            .with_help("did you mean `main`?");
        String::from_utf8(diagnostics(&sources, &[d], false)).unwrap()
    }

    #[test]
    fn a_diagnostic_shows_code_place_line_caret_and_help() {
        let out = render("group g = mian\n", Span::new(FileId(0), 10, 14));
        assert!(
            out.starts_with("error[E0201]: unknown door `mian`\n"),
            "{out}"
        );
        assert!(out.contains("--> p.acl:1:11"), "{out}");
        assert!(out.contains("^^^^"), "{out}");
        assert!(out.contains("= help: did you mean `main`?"), "{out}");
    }

    #[test]
    fn spans_past_the_end_or_inside_a_character_still_render() {
        for (start, end) in [(0, 1000), (1, 2), (900, 1000), (3, 1)] {
            let out = render("é\u{1F600}x", Span::new(FileId(0), start, end));
            assert!(out.starts_with("error[E0201]"), "{out}");
        }
        let out = render("", Span::new(FileId(0), 0, 0));
        assert!(out.starts_with("error[E0201]"), "{out}");
    }
}
