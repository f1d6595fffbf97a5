//! The policy language's syntax: text in, syntax tree out.
//!
//! Owns the lexer (tokens and comments, built from nom recognizers), the
//! recursive-descent parser with error recovery, and the tree ([`ast`]). It reports
//! malformed text as [`Diagnostic`]s with spans and never panics, whatever the input.
//! It must never judge meaning (unknown names, impossible dates): the validator does.

pub mod ast;
mod lexer;
mod parser;
#[cfg(test)]
mod tests;

use crate::diagnostic::Diagnostic;
use crate::source::FileId;

/// The outcome of parsing one file.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The tree; partial when there are errors (the items that failed are left out).
    pub file: ast::File,
    /// Syntax errors, in source order.
    pub errors: Vec<Diagnostic>,
}

/// Parses the text of file `file`.
pub fn parse(file: FileId, text: &str) -> Parsed {
    parser::parse(file, text)
}
