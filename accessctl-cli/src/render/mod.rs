//! Rendering diagnostics: for people (source snippets), for programs (JSON) and for
//! GitHub Actions (workflow annotations); and source snippets outside diagnostics.
//!
//! Owns how a [`Diagnostic`](accessctl_core::Diagnostic) of the core is shown, and
//! where it points: file, 1-based line and column (counted in characters), and the
//! end of its span. It must never change what a diagnostic says, nor print a
//! source position the core did not give.

pub mod github;
pub mod human;
pub mod json;
pub mod report;
pub mod snippet;

use accessctl_core::{Sources, Span};
use serde::Serialize;

/// Where a span stands, for people: file, line and column of its start and its end
/// (1-based; columns counted in characters; the end is just after the last character).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file, named as it was loaded.
    pub file: String,
    /// Line of the first character.
    pub line: usize,
    /// Column of the first character.
    pub column: usize,
    /// Line of the end.
    pub end_line: usize,
    /// Column just after the last character.
    pub end_column: usize,
}

impl Location {
    /// Where `span` stands in `sources`; `None` if it points into no file of them.
    pub fn of(sources: &Sources, span: Span) -> Option<Location> {
        if span.file.0 as usize >= sources.len() {
            return None;
        }
        let file = sources.get(span.file);
        let (line, column) = file.line_col(span.start as usize);
        let (end_line, end_column) = file.line_col(span.end.max(span.start) as usize);
        Some(Location {
            file: file.name().to_owned(),
            line,
            column,
            end_line,
            end_column,
        })
    }
}

impl std::fmt::Display for Location {
    /// `file:line:col`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}
