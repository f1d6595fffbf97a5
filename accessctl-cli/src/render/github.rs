//! Diagnostics for GitHub Actions: one workflow command per diagnostic, which GitHub
//! shows as an annotation on the pull request's lines.
//!
//! ```text
//! ::error file=policy.acl,line=1,col=47,endLine=1,endColumn=51,title=E0201::unknown door `mian`%0Ahelp: did you mean `main`?
//! ```
//!
//! Columns are given only for a span on one line (GitHub refuses them otherwise);
//! `endColumn` is the column just after the span's last character.
//!
//! Owns the command syntax and GitHub's escaping rules: in the message `%`, CR and LF
//! become `%25`, `%0D`, `%0A`; in property values `:` and `,` also become `%3A` and
//! `%2C`. It must never let user text end a command early or start a new one.

use accessctl_core::{Diagnostic, Sources, Span};

use super::Location;

/// One `::error` or `::warning` line per diagnostic.
pub fn diagnostics(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| annotation(sources, d) + "\n")
        .collect()
}

/// An annotation that points at no file: `::error title=CODE::message`.
pub fn error(code: &str, message: &str) -> String {
    format!(
        "::error title={}::{}\n",
        escape_property(code),
        escape_data(message)
    )
}

/// An `::error` annotation at `span` (when it points into `sources`) titled `title`:
/// a finding that is no diagnostic of the core, such as a `review` violation.
pub fn finding(sources: &Sources, title: &str, message: &str, span: Option<Span>) -> String {
    let mut properties = Vec::new();
    if let Some(place) = span.and_then(|s| Location::of(sources, s)) {
        properties.push(format!("file={}", escape_property(&place.file)));
        properties.push(format!("line={}", place.line));
        if place.line == place.end_line {
            properties.push(format!("col={}", place.column));
        }
        properties.push(format!("endLine={}", place.end_line));
        if place.line == place.end_line {
            properties.push(format!("endColumn={}", place.end_column));
        }
    }
    properties.push(format!("title={}", escape_property(title)));
    format!(
        "::error {}::{}\n",
        properties.join(","),
        escape_data(message)
    )
}

fn annotation(sources: &Sources, d: &Diagnostic) -> String {
    let command = if d.is_error() { "error" } else { "warning" };
    let mut properties = Vec::new();
    if let Some(place) = Location::of(sources, d.primary.span) {
        properties.push(format!("file={}", escape_property(&place.file)));
        properties.push(format!("line={}", place.line));
        // GitHub refuses columns on an annotation that spans several lines.
        if place.line == place.end_line {
            properties.push(format!("col={}", place.column));
        }
        properties.push(format!("endLine={}", place.end_line));
        if place.line == place.end_line {
            properties.push(format!("endColumn={}", place.end_column));
        }
    }
    properties.push(format!("title={}", escape_property(d.code.as_str())));
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&message(sources, d))
    )
}

/// The message, then the other places (`file:line:col: note`), then the help, one per
/// line.
fn message(sources: &Sources, d: &Diagnostic) -> String {
    let mut lines = vec![d.message.clone()];
    for label in &d.secondary {
        if let Some(place) = Location::of(sources, label.span) {
            lines.push(format!("{place}: {}", label.message));
        }
    }
    if let Some(help) = &d.help {
        lines.push(format!("help: {help}"));
    }
    lines.join("\n")
}

/// Escapes the message part of a workflow command.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use accessctl_core::{Code, FileId, Span};

    #[test]
    fn escapes_follow_githubs_rules() {
        assert_eq!(escape_data("50%\r\nx::y,z"), "50%25%0D%0Ax::y,z");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn one_annotation_per_diagnostic_with_escaped_places() {
        let mut sources = Sources::new();
        sources.add("dir,1/p:x.acl", "door a\ngroup g = mian\n");
        let d = Diagnostic::warning(Code::UnknownDoor, Span::new(FileId(0), 17, 21), "50% off")
            .with_help("did you mean `main`?");
        assert_eq!(
            diagnostics(&sources, &[d]),
            "::warning file=dir%2C1/p%3Ax.acl,line=2,col=11,endLine=2,endColumn=15,title=E0201::50%25 off%0Ahelp: did you mean `main`?\n"
        );
    }

    #[test]
    fn a_span_over_several_lines_has_no_columns() {
        let mut sources = Sources::new();
        sources.add("p.acl", "door a\ngroup g = mian\n");
        let d = Diagnostic::error(Code::UnknownDoor, Span::new(FileId(0), 2, 10), "m");
        assert_eq!(
            diagnostics(&sources, &[d]),
            "::error file=p.acl,line=1,endLine=2,title=E0201::m\n"
        );
    }
}
