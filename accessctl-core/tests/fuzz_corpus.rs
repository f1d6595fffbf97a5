//! The fuzz targets' seed corpora, run as ordinary tests: every file of
//! `fuzz/corpus/<target>/` goes through the same check as the cargo-fuzz target of
//! that name (`fuzz/checks.rs`, included below), so CI exercises the properties on
//! stable Rust, with no nightly toolchain and no cargo-fuzz. The walk over the
//! corpus directories is `fuzz/replay.rs`.

#[path = "../../fuzz/checks.rs"]
mod checks;

#[path = "../../fuzz/replay.rs"]
mod replay;

use replay::run;

#[test]
fn parse_corpus() {
    run("parse", checks::parse);
}

#[test]
fn format_roundtrip_corpus() {
    run("format_roundtrip", checks::format_roundtrip);
}

#[test]
fn comments_are_found_outside_strings_and_emails() {
    let text = "door a \"x # y\" # one\n  guest \"G\" <a#b@c.d>  #two  \n#three";
    assert_eq!(checks::comments(text), [" one", "two", "three"]);
}

#[test]
fn lock_image_corpus() {
    run("lock_image", checks::lock_image);
}

#[test]
fn card_key_corpus() {
    run("card_key", checks::card_key);
}
