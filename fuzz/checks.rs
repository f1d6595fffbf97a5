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

/// Arbitrary bytes read as a lock memory image never make the decoder panic: they are
/// refused with an error whose offset lies inside the input, or read into contents
/// that encode back to exactly the same bytes (the layout is canonical). Those
/// contents, sealed under a test key, decode to themselves, and the lock decides from
/// them — with credentials the image holds, around its window and its offset
/// changes — without panicking.
pub fn lock_image(data: &[u8]) {
    use accessctl_core::offline::image::PresentedDigests;
    use accessctl_core::offline::{LockImage, UnverifiedImage};
    use accessctl_core::secret::Key;
    use accessctl_core::Timestamp;

    let key = Key::from_entropy([0x42; 32]);
    if let Err(error) = LockImage::decode(data, &key) {
        assert!(
            error.offset() <= data.len(),
            "{error:?} beyond {} bytes",
            data.len()
        );
    }
    let image = match UnverifiedImage::read(data) {
        Ok(image) => image,
        Err(error) => {
            assert!(
                error.offset() <= data.len(),
                "{error:?} beyond {} bytes",
                data.len()
            );
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    let contents = image.contents();
    let mut again = contents
        .encode()
        .expect("contents read from an image encode");
    again.extend_from_slice(image.tag());
    assert!(again == data, "decoding then encoding changed the bytes");
    let _ = image.summary();
    let sealed = contents
        .seal(&key)
        .expect("contents read from an image seal");
    let lock = LockImage::decode(&sealed, &key).expect("a sealed image decodes");
    assert!(lock.contents() == contents, "sealing changed the contents");

    let (issued, horizon) = (contents.issued.0, contents.horizon.0);
    let mut instants = vec![
        issued.saturating_sub(1),
        issued,
        issued / 2 + horizon / 2,
        horizon.saturating_sub(1),
        horizon,
    ];
    instants.extend(contents.transitions.iter().map(|c| c.at.0));
    let digests: Vec<_> = contents
        .credentials
        .iter()
        .chain(&contents.revocations)
        .map(|e| e.digest)
        .chain(contents.space_codes.iter().copied())
        .take(6)
        .collect();
    for &digest in &digests {
        let other = digests.first().copied();
        let presented = [
            PresentedDigests {
                card: Some(digest),
                ..PresentedDigests::default()
            },
            PresentedDigests {
                keypad: Some(digest),
                ..PresentedDigests::default()
            },
            PresentedDigests {
                card: other,
                keypad: Some(digest),
                ..PresentedDigests::default()
            },
        ];
        for p in &presented {
            for &at in &instants {
                let _ = contents.decide_digests(p, Timestamp(at));
            }
        }
    }
}

/// Arbitrary bytes read as a card key image never make the decoder panic: they are
/// refused with an error whose offset lies inside the input (or at its end), or read
/// into an image that writes back to exactly the same bytes (the layout is canonical).
/// That image, given a known user's holder id and signed under a site's card key,
/// authenticates, reads back to itself, and gets a status against a policy without
/// panicking.
pub fn card_key(data: &[u8]) {
    use accessctl_core::card_key::{is_authentic, read_header, CardKeys, KeyImage};
    use accessctl_core::secret::Key;
    use accessctl_core::{CompiledPolicy, Timestamp};
    use std::sync::OnceLock;

    static POLICY: OnceLock<(accessctl_core::model::Policy, CompiledPolicy)> = OnceLock::new();
    let (policy, compiled) = POLICY.get_or_init(|| {
        let mut sources = Sources::new();
        sources.add(
            "card_key.acl",
            r#"site hq { timezone "Europe/Paris"  door store { offline }  door main }
schedule office { mon..fri 08:00-19:00  except holidays fr }
holidays fr { 2026-12-25 }
account acme {
  user ana "Ana" { card 42  offline  schedule office  allow store main }
  user carl "Carl" { card 44  offline  inactive  allow main }
}"#,
        );
        let policy = check(&sources).policy.expect("the fuzz policy is valid");
        let compiled = CompiledPolicy::new(&policy);
        (policy, compiled)
    });

    if let Err(error) = read_header(data) {
        assert!(
            error.offset <= data.len(),
            "{error:?} beyond {} bytes",
            data.len()
        );
    }
    let image = match KeyImage::decode(data) {
        Ok(image) => image,
        Err(error) => {
            assert!(
                error.offset <= data.len(),
                "{error:?} beyond {} bytes",
                data.len()
            );
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    let again = image.to_bytes().expect("an image read from bytes writes");
    assert!(again == data, "decoding then encoding changed the bytes");

    let site_key = Key::from_entropy([0x42; 32]);
    let keys = CardKeys::for_site(policy, compiled, "hq", &site_key).expect("the site exists");
    let ana = policy.user_named("ana").expect("ana exists");
    let mut signed = image.clone();
    signed.holder = keys.holder_id(ana);
    signed
        .sign(keys.card_key())
        .expect("an image read from bytes signs");
    let bytes = signed.to_bytes().expect("a signed image writes");
    assert!(
        is_authentic(&bytes, keys.card_key()),
        "a signed image authenticates"
    );
    assert!(
        KeyImage::decode(&bytes) == Ok(signed.clone()),
        "signing changed the image"
    );
    for at in [signed.issued, signed.expiry, Timestamp(0)] {
        let _ = keys.status(&bytes, ana, at);
    }
}
