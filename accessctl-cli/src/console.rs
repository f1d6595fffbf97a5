//! Where a command writes: its standard output, its standard error, and whether colours
//! are wanted; and the person at the terminal, if there is one.
//!
//! Owns the streams a command talks through, so that commands never touch the
//! process's streams directly and can be run against buffers. It must never decide
//! what to print: commands and renderers do.

use std::io::{BufRead, Write};

/// The output streams of one run.
pub struct Console<'a> {
    /// Results: diagnostics of `validate`, answers of queries, JSON documents.
    pub out: &'a mut dyn Write,
    /// Errors that prevent an answer, in human format.
    pub err: &'a mut dyn Write,
    /// Whether what goes to `out` may use ANSI colours.
    pub color: bool,
    /// Whether what goes to `err` may use ANSI colours.
    pub err_color: bool,
    /// Standard input when it is a terminal, to ask the person there to confirm a
    /// write (`bulk` without `--yes`); `None` for scripts, pipes and tests.
    pub terminal: Option<&'a mut dyn BufRead>,
}
