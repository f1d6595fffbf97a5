//! Clauses that may appear once per block (E0212).
//!
//! Owns remembering which once-only clauses a block has given, and where, so that a
//! second one is reported at its keyword with the first one shown. It must never
//! decide which clauses are once-only: each caller asks only about those.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;

/// The once-only clauses seen so far in one block.
pub(super) struct Once {
    block: &'static str,
    seen: Vec<(&'static str, Span)>,
}

impl Once {
    /// A tracker for a block of kind `block` ("site", "door", …).
    pub fn new(block: &'static str) -> Once {
        Once {
            block,
            seen: Vec::new(),
        }
    }

    /// Records clause `keyword` written at `clause`; on a second one reports E0212 and
    /// returns `false` (the caller then ignores it: the first one wins).
    pub fn first(
        &mut self,
        keyword: &'static str,
        clause: Span,
        diags: &mut Vec<Diagnostic>,
    ) -> bool {
        let here = keyword_span(clause, keyword);
        let Some((_, first)) = self.seen.iter().find(|(k, _)| *k == keyword) else {
            self.seen.push((keyword, here));
            return true;
        };
        diags.push(
            Diagnostic::error(
                Code::DuplicateClause,
                here,
                format!("`{keyword}` given twice in one {}", self.block),
            )
            .with_label("given again here")
            .with_secondary(*first, "first given here")
            .with_help(format!("keep a single `{keyword}` clause")),
        );
        false
    }
}

/// The span of `keyword` at the start of a clause written at `clause`.
pub(super) fn keyword_span(clause: Span, keyword: &str) -> Span {
    let length = u32::try_from(keyword.len()).unwrap_or(0);
    Span {
        file: clause.file,
        start: clause.start,
        end: clause
            .start
            .saturating_add(length)
            .min(clause.end.max(clause.start)),
    }
}
