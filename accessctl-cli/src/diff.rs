//! Line diffs in unified format, to show what `fmt` would change.
//!
//! Owns a small, bounded line diff: the common head and tail are skipped, the middle
//! is aligned by a longest common subsequence when it is small enough, and otherwise
//! shown as removed then added. Output is the familiar `@@ -a,b +c,d @@` hunks with
//! three lines of context. It must never touch files, and never take time or memory
//! beyond its bound, whatever the input.

/// Above this many cells (old lines × new lines of the differing middle), the middle
/// is shown as one replacement instead of being aligned.
const MAX_CELLS: usize = 4_000_000;

/// Lines of context around each change.
const CONTEXT: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Removed,
    Added,
}

/// One line of the edit script, with its text (line break included, if any).
#[derive(Debug, Clone, Copy)]
struct Edit<'a> {
    op: Op,
    text: &'a str,
}

/// A unified diff of `old` into `new`, headed `--- a/NAME` and `+++ b/NAME`. Empty
/// when the texts are equal.
pub fn unified(old: &str, new: &str, name: &str) -> String {
    if old == new {
        return String::new();
    }
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let edits = script(&old_lines, &new_lines);
    let mut out = format!("--- a/{name}\n+++ b/{name}\n");
    for hunk in hunks(&edits) {
        print_hunk(&mut out, &edits, hunk);
    }
    out
}

/// The edit script: common head, aligned middle, common tail.
fn script<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<Edit<'a>> {
    let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    // Every split point below is clamped to its slice: no split can panic.
    let (old_head, old_rest) = old.split_at(head.min(old.len()));
    let new_rest = new.get(head..).unwrap_or_default();
    let tail = old_rest
        .iter()
        .rev()
        .zip(new_rest.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (old_middle, old_tail) = old_rest.split_at(old_rest.len().saturating_sub(tail));
    let (new_middle, _) = new_rest.split_at(new_rest.len().saturating_sub(tail));
    let same = |text: &&'a str| Edit { op: Op::Same, text };
    let mut edits: Vec<Edit<'a>> = old_head.iter().map(same).collect();
    edits.extend(middle(old_middle, new_middle));
    edits.extend(old_tail.iter().map(same));
    edits
}

/// Aligns two runs of lines by their longest common subsequence, or, past the bound,
/// removes the one and adds the other.
fn middle<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<Edit<'a>> {
    let removed = |text: &&'a str| Edit {
        op: Op::Removed,
        text,
    };
    let added = |text: &&'a str| Edit {
        op: Op::Added,
        text,
    };
    let cells = (old.len() + 1).saturating_mul(new.len() + 1);
    if cells > MAX_CELLS {
        return old
            .iter()
            .map(removed)
            .chain(new.iter().map(added))
            .collect();
    }
    let width = new.len() + 1;
    // lcs[i * width + j]: the longest common subsequence of old[i..] and new[j..].
    let mut lcs = vec![0u32; cells];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            let value = if old.get(i) == new.get(j) {
                cell(&lcs, (i + 1) * width + j + 1) + 1
            } else {
                cell(&lcs, (i + 1) * width + j).max(cell(&lcs, i * width + j + 1))
            };
            if let Some(slot) = lcs.get_mut(i * width + j) {
                *slot = value;
            }
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut edits = Vec::with_capacity(old.len() + new.len());
    while i < old.len() || j < new.len() {
        let (o, n) = (old.get(i), new.get(j));
        if o.is_some() && o == n {
            edits.extend(o.map(|text| Edit { op: Op::Same, text }));
            (i, j) = (i + 1, j + 1);
        } else if n.is_none()
            || (o.is_some() && cell(&lcs, (i + 1) * width + j) >= cell(&lcs, i * width + j + 1))
        {
            edits.extend(o.map(removed));
            i += 1;
        } else {
            edits.extend(n.map(added));
            j += 1;
        }
    }
    edits
}

fn cell(table: &[u32], index: usize) -> u32 {
    table.get(index).copied().unwrap_or(0)
}

/// Ranges of the edit script to print: each change with its context, overlapping
/// ranges merged.
fn hunks(edits: &[Edit<'_>]) -> Vec<std::ops::Range<usize>> {
    let mut hunks: Vec<std::ops::Range<usize>> = Vec::new();
    for (index, _) in edits.iter().enumerate().filter(|(_, e)| e.op != Op::Same) {
        let start = index.saturating_sub(CONTEXT);
        let end = (index + 1 + CONTEXT).min(edits.len());
        match hunks.last_mut() {
            Some(last) if last.end >= start => last.end = end,
            _ => hunks.push(start..end),
        }
    }
    hunks
}

/// Prints one hunk.
fn print_hunk(out: &mut String, edits: &[Edit<'_>], hunk: std::ops::Range<usize>) {
    let before = edits.get(..hunk.start).unwrap_or(&[]);
    let lines = edits.get(hunk).unwrap_or(&[]);
    let count = |slice: &[Edit<'_>], skip: Op| slice.iter().filter(|e| e.op != skip).count();
    let (old_len, new_len) = (count(lines, Op::Added), count(lines, Op::Removed));
    let old_start = count(before, Op::Added) + usize::from(old_len > 0);
    let new_start = count(before, Op::Removed) + usize::from(new_len > 0);
    out.push_str(&format!(
        "@@ -{old_start},{old_len} +{new_start},{new_len} @@\n"
    ));
    for edit in lines {
        let sign = match edit.op {
            Op::Same => ' ',
            Op::Removed => '-',
            Op::Added => '+',
        };
        out.push(sign);
        out.push_str(edit.text.trim_end_matches(['\n', '\r']));
        out.push('\n');
        if !edit.text.ends_with('\n') {
            out.push_str("\\ No newline at end of file\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_is_shown_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\n";
        assert_eq!(
            unified(old, new, "x.acl"),
            "--- a/x.acl\n+++ b/x.acl\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"
        );
    }

    #[test]
    fn insertions_deletions_and_a_missing_final_newline() {
        let diff = unified("x\ny", "x\n\ny\n", "f");
        assert_eq!(
            diff,
            "--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n x\n-y\n\\ No newline at end of file\n+\n+y\n"
        );
        assert_eq!(unified("same", "same", "f"), "");
        let diff = unified("", "a\n", "f");
        assert!(diff.ends_with("@@ -0,0 +1,1 @@\n+a\n"), "{diff}");
    }

    #[test]
    fn a_large_rewrite_is_shown_as_removed_then_added() {
        let old: String = (0..3000).map(|i| format!("{i}\n")).collect();
        let new: String = (0..3000).map(|i| format!(" {i}\n")).collect();
        let diff = unified(&old, &new, "f");
        assert_eq!(diff.lines().count(), 2 + 1 + 6000, "one hunk");
        assert!(diff.contains("\n-2999\n+ 0\n"));
    }
}
