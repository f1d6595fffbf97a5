//! The properties checked by the fuzz targets, shared by the cargo-fuzz entry points
//! (`fuzz/fuzz_targets/*.rs`) and the stable corpus test
//! (`accessctl-core/tests/fuzz_corpus.rs`), which include this file with `#[path]`.
//!
//! Owns the properties only: each function takes raw bytes and panics when a
//! property fails, which is how libFuzzer and `cargo test` both learn of it. It uses
//! nothing but the public API of `accessctl-core`.

// Each fuzz target uses one of the checks.
#![allow(dead_code)]

use accessctl_core::{check, format::format, syntax, FileId, Sources};

/// Arbitrary bytes, read as UTF-8 (lossily), are parsed and validated as one policy
/// file without panicking; every diagnostic points inside the text, on character
/// boundaries, and the policy is built exactly when no error was found.
pub fn parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut sources = Sources::new();
    let id = sources.add("fuzz.acl", text.as_ref());
    let checked = check(&sources);
    let file = sources.get(id);
    for diagnostic in &checked.diagnostics {
        let labels = std::iter::once(&diagnostic.primary).chain(&diagnostic.secondary);
        for span in labels.map(|label| label.span) {
            let (start, end) = (span.start as usize, span.end as usize);
            assert!(
                start <= end && end <= text.len(),
                "span {start}..{end} outside a text of {} bytes: {diagnostic:?}",
                text.len()
            );
            assert!(
                text.is_char_boundary(start) && text.is_char_boundary(end),
                "span {start}..{end} splits a character: {diagnostic:?}"
            );
            assert_eq!(span.file, id, "span in another file: {diagnostic:?}");
            let _ = file.line_col(start);
        }
    }
    assert_eq!(
        checked.policy.is_some(),
        !checked.has_errors(),
        "a policy must be built exactly when no error was found: {:?}",
        checked.diagnostics
    );
}

/// A text that parses without errors formats to a fixed point: the formatted text
/// parses without errors to a tree equal to the first (spans aside), formats to
/// itself, and keeps every comment, in order.
pub fn format_roundtrip(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let first = syntax::parse(FileId(0), &text);
    if !first.errors.is_empty() {
        return;
    }
    let printed = format(&first.file);
    let second = syntax::parse(FileId(0), &printed);
    assert!(
        second.errors.is_empty(),
        "the formatted text does not parse: {:?}\n--- formatted:\n{printed}",
        second.errors
    );
    assert!(
        second.file == first.file,
        "the formatted text parses to another tree\n--- input:\n{text}\n--- formatted:\n{printed}"
    );
    let again = format(&second.file);
    assert!(
        again == printed,
        "formatting is not idempotent\n--- once:\n{printed}\n--- twice:\n{again}"
    );
    assert_eq!(
        comments(&text),
        comments(&printed),
        "the formatter changed the comments\n--- formatted:\n{printed}"
    );
}

/// The texts of the `#` comments of a text that lexes cleanly, in order: a `#`
/// outside strings and `<…>` emails, to the end of its line, trailing white space
/// removed.
pub fn comments(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        i = match byte {
            b'"' => skip_string(bytes, i + 1),
            b'<' => bytes[i..]
                .iter()
                .position(|&b| b == b'>')
                .map_or(bytes.len(), |n| i + n + 1),
            b'#' => {
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                found.push(text[i + 1..end].trim_end());
                end
            }
            _ => i + 1,
        };
    }
    found
}

/// The index just past the closing quote of a string whose body starts at `i`.
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}
