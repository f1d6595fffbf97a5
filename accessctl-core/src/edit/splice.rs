//! The edits carried into the text: each changed user's lines replaced by its
//! canonical form, each removed run of users cut out (with one of the blank-line gaps
//! around it), each new user inserted after its block's last entry — and the trees
//! brought to what the new text parses to (removed entries gone, blank-line marks of
//! their neighbours adjusted, new entries appended).
//!
//! Every other byte is copied. An entry that does not stand on its own lines (another
//! entry, or a `{` or `}`, shares one of them) is never cut: its enclosing account
//! entry is printed whole instead, or the whole file when a top-level item shares a
//! line. It must never produce overlapping replacements: should it, the file is
//! printed whole.

use super::locate::{Loc, Workspace};
use crate::format::{format, format_account_entry, format_item};
use crate::source::Sources;
use crate::syntax::ast::{Account, AccountClause, Entry, File, Item};

/// A replacement of `start..end` of a file's text by `text`.
struct Op {
    start: usize,
    end: usize,
    text: String,
}

/// The text of one file, and how to write into it.
struct Ctx<'a> {
    text: &'a str,
    /// The file's lines end with `\r\n`: new lines do too.
    crlf: bool,
}

impl Ctx<'_> {
    /// `printed` (lines at depth 0, each ending with `\n`) indented by `indent`.
    fn indented(&self, printed: &str, indent: &str) -> String {
        let mut out = String::with_capacity(printed.len() + 16 * indent.len());
        for line in printed.split_inclusive('\n') {
            if line != "\n" {
                out.push_str(indent);
            }
            match line.strip_suffix('\n') {
                Some(body) if self.crlf => {
                    out.push_str(body);
                    out.push_str("\r\n");
                }
                _ => out.push_str(line),
            }
        }
        out
    }

    /// Where the line holding byte `at` starts.
    fn line_start(&self, at: usize) -> usize {
        self.text
            .get(..at)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1)
    }

    /// Where the line holding byte `at` ends, after its line break, if only white
    /// space stands between `at` and the line break.
    fn clean_line_end(&self, at: usize) -> Option<usize> {
        let rest = self.text.get(at..)?;
        let (before, end) = match rest.find('\n') {
            Some(i) => (rest.get(..i)?, at + i + 1),
            None => (rest, self.text.len()),
        };
        before
            .chars()
            .all(|c| matches!(c, ' ' | '\t' | '\r'))
            .then_some(end)
    }

    /// The start of the line holding byte `at`, if only white space stands before it.
    fn clean_line_start(&self, at: usize) -> Option<usize> {
        let start = self.line_start(at);
        self.text
            .get(start..at)?
            .chars()
            .all(|c| matches!(c, ' ' | '\t'))
            .then_some(start)
    }

    /// The white space that starts the line holding byte `at`.
    fn indent_at(&self, at: usize) -> String {
        let start = self.line_start(at);
        self.text
            .get(start..)
            .unwrap_or("")
            .chars()
            .take_while(|c| matches!(c, ' ' | '\t'))
            .collect()
    }
}

/// The first and last byte an entry covers, comments included.
fn extent<T>(entry: &Entry<T>) -> (usize, usize) {
    let mut first = entry.span.start;
    for comment in &entry.trivia.leading {
        first = first.min(comment.span.start);
    }
    let mut last = entry.span.end;
    if let Some(trailing) = &entry.trivia.trailing {
        last = last.max(trailing.span.end);
    }
    (first as usize, last as usize)
}

/// The whole lines entries `first..=last` stand on, if they stand alone on them.
fn lines<T>(ctx: &Ctx<'_>, first: &Entry<T>, last: &Entry<T>) -> Option<(usize, usize)> {
    let start = ctx.clean_line_start(extent(first).0)?;
    let end = ctx.clean_line_end(extent(last).1)?;
    Some((start, end))
}

/// Carries the workspace's edits into the texts: one new text per file that changed,
/// `None` for the others. Leaves the workspace's trees as the new texts parse.
pub(super) fn render(sources: &Sources, work: &mut Workspace) -> (Vec<Option<String>>, ()) {
    let mut files = std::mem::take(&mut work.files);
    let mut texts = Vec::with_capacity(files.len());
    for ((f, file), (_, source)) in files.iter_mut().enumerate().zip(sources.iter()) {
        let ctx = Ctx {
            text: source.text(),
            crlf: source.text().contains("\r\n"),
        };
        texts.push(render_file(&ctx, work, f, file));
    }
    work.files = files;
    (texts, ())
}

fn render_file(ctx: &Ctx<'_>, work: &mut Workspace, f: usize, file: &mut File) -> Option<String> {
    let mut ops = Vec::new();
    let mut whole = false;
    for (i, item) in file.items.iter_mut().enumerate() {
        let loc = (f, vec![i]);
        if !work.touched.contains(&loc) {
            continue;
        }
        let Item::Account(account) = &mut item.node else {
            continue;
        };
        let indent = ctx.indent_at(item.span.start as usize);
        let (inner, rewrite) = block(ctx, work, account, &loc, &indent);
        if !rewrite {
            ops.extend(inner);
            continue;
        }
        match lines(ctx, item, item) {
            Some((start, end)) => ops.push(Op {
                start,
                end,
                text: ctx.indented(&format_item(item), &indent),
            }),
            None => whole = true,
        }
    }
    if whole {
        return Some(format(file));
    }
    if ops.is_empty() {
        return None;
    }
    ops.sort_by_key(|op| (op.start, op.end));
    let mut out = String::with_capacity(ctx.text.len() + 256);
    let mut at = 0;
    for op in &ops {
        if op.start < at {
            return Some(format(file));
        }
        out.push_str(ctx.text.get(at..op.start)?);
        out.push_str(&op.text);
        at = op.end;
    }
    out.push_str(ctx.text.get(at..)?);
    Some(out)
}

/// The edits inside one account's block, as text operations — or `true` when the
/// account entry must be printed whole. Either way the account's tree is left as the
/// new text reads.
fn block(
    ctx: &Ctx<'_>,
    work: &mut Workspace,
    account: &mut Account,
    loc: &Loc,
    header_indent: &str,
) -> (Vec<Op>, bool) {
    let mut ops = Vec::new();
    let mut rewrite = false;
    let child = |j: usize| {
        let mut path = loc.1.clone();
        path.push(j);
        (loc.0, path)
    };
    // Changed users and touched sub-accounts, in place.
    for (j, entry) in account.body.entries.iter_mut().enumerate() {
        let path = child(j);
        let indent = ctx.indent_at(entry.span.start as usize);
        let print = match &mut entry.node {
            AccountClause::Subaccount(sub) if work.touched.contains(&path) => {
                let (inner, whole) = block(ctx, work, sub, &path, &indent);
                if !whole {
                    ops.extend(inner);
                }
                whole
            }
            AccountClause::User(_) => work.dirty.contains(&path) && !work.removed.contains(&path),
            _ => false,
        };
        if print {
            match lines(ctx, entry, entry) {
                Some((start, end)) => ops.push(Op {
                    start,
                    end,
                    text: ctx.indented(&format_account_entry(entry), &indent),
                }),
                None => rewrite = true,
            }
        }
    }
    // Removed runs.
    let entries = &mut account.body.entries;
    let removed: Vec<bool> = (0..entries.len())
        .map(|j| work.removed.contains(&child(j)))
        .collect();
    let mut j = 0;
    while j < entries.len() {
        if !removed.get(j).copied().unwrap_or(false) {
            j += 1;
            continue;
        }
        let first = j;
        while removed.get(j).copied().unwrap_or(false) {
            j += 1;
        }
        match cut(ctx, entries, first, j) {
            Some(op) => ops.push(op),
            None => rewrite = true,
        }
    }
    // Where new entries go: after the last entry's line, or after the `{` line.
    let insert_at = match entries.last() {
        Some(last) => ctx.clean_line_end(extent(last).1),
        None => {
            let open = account.body.span.start as usize + 1;
            let after = account
                .body
                .open_comment
                .as_ref()
                .map_or(open, |c| c.span.end as usize);
            ctx.clean_line_end(after)
        }
    };
    let new_indent = match entries.last() {
        Some(last) => ctx.indent_at(last.span.start as usize),
        None => format!("{header_indent}  "),
    };
    compact(entries, &removed);
    let added: Vec<Entry<AccountClause>> = work
        .additions
        .remove(loc)
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect();
    if added.is_empty() {
        return (ops, rewrite);
    }
    let mut text = String::new();
    for mut entry in added {
        entry.trivia.blank_line_before = entries.last().is_some_and(|last| {
            !matches!(last.node, AccountClause::User(_)) || last.trivia.blank_line_before
        });
        if entry.trivia.blank_line_before {
            text.push_str(if ctx.crlf { "\r\n" } else { "\n" });
        }
        text.push_str(&ctx.indented(&format_account_entry(&entry), &new_indent));
        entries.push(entry);
    }
    match insert_at {
        Some(at) => ops.push(Op {
            start: at,
            end: at,
            text,
        }),
        None => rewrite = true,
    }
    (ops, rewrite)
}

/// The text operation that takes entries `first..end` out: their lines, and the
/// blank-line gap after them when they open the block or a gap before them stays.
fn cut(ctx: &Ctx<'_>, entries: &[Entry<AccountClause>], first: usize, end: usize) -> Option<Op> {
    let (start, stop) = lines(ctx, entries.get(first)?, entries.get(end.checked_sub(1)?)?)?;
    let prev = first.checked_sub(1).and_then(|p| entries.get(p));
    let next = entries.get(end);
    let (start, stop) = match (prev, next) {
        // Also the gap after: the next entry opens the block, or the gap before stays.
        (None, Some(next)) => (start, ctx.clean_line_start(extent(next).0)?),
        (Some(_), Some(next)) if entries.get(first)?.trivia.blank_line_before => {
            (start, ctx.clean_line_start(extent(next).0)?)
        }
        // Also the gap before: the previous entry is now the block's last.
        (Some(prev), None) => (ctx.clean_line_end(extent(prev).1)?, stop),
        _ => (start, stop),
    };
    Some(Op {
        start,
        end: stop,
        text: String::new(),
    })
}

/// The removed entries taken out of the tree, and the blank-line marks of the entries
/// after each removed run set as the text now reads.
fn compact(entries: &mut Vec<Entry<AccountClause>>, removed: &[bool]) {
    if !removed.iter().any(|r| *r) {
        return;
    }
    let mut j = 0;
    while j < entries.len() {
        if !removed.get(j).copied().unwrap_or(false) {
            j += 1;
            continue;
        }
        let first = j;
        while removed.get(j).copied().unwrap_or(false) {
            j += 1;
        }
        let before = first > 0
            && entries
                .get(first)
                .is_some_and(|e| e.trivia.blank_line_before);
        if let Some(next) = entries.get_mut(j) {
            next.trivia.blank_line_before = first > 0 && (before || next.trivia.blank_line_before);
        }
    }
    let mut index = 0;
    entries.retain(|_| {
        let keep = !removed.get(index).copied().unwrap_or(false);
        index += 1;
        keep
    });
}
