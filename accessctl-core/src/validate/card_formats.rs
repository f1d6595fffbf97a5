//! The list of a `cards` clause: written names to Wiegand formats (E0316, E0317).
//!
//! Owns the rules for one list: every name is a format of [`CardFormat::ALL`] (an
//! unknown one is reported with the nearest known name), and no format is listed twice
//! (a repeat is an error, since it most often stands where another format was meant).
//!
//! It must never decide which formats a door accepts when it lists none: that is
//! [`crate::model::Policy::card_formats`].

use crate::diagnostic::{Code, Diagnostic};
use crate::model::CardFormat;
use crate::suggest;
use crate::syntax::ast::Ident;

/// The formats written in one `cards` clause, in order, without the unknown and
/// repeated names, which are reported.
pub(super) fn card_formats(written: &[Ident], diags: &mut Vec<Diagnostic>) -> Vec<CardFormat> {
    let mut formats: Vec<(CardFormat, &Ident)> = Vec::with_capacity(written.len());
    for name in written {
        let Some(format) = known(name, diags) else {
            continue;
        };
        match formats.iter().find(|(f, _)| *f == format) {
            Some((_, first)) => diags.push(repeated(name, first)),
            None => formats.push((format, name)),
        }
    }
    formats.into_iter().map(|(format, _)| format).collect()
}

/// The format `name` names, or E0316 with a suggestion.
fn known(name: &Ident, diags: &mut Vec<Diagnostic>) -> Option<CardFormat> {
    let found = CardFormat::by_name(&name.name);
    if found.is_none() {
        let help = match nearest(&name.name) {
            Some(near) => format!("did you mean `{near}`?"),
            None => catalogue(),
        };
        diags.push(
            Diagnostic::error(
                Code::UnknownCardFormat,
                name.span,
                format!("unknown card format `{}`", name.name),
            )
            .with_label("not a card format")
            .with_help(help),
        );
    }
    found
}

/// The format name closest to `name`: a likely typo, else the one `name` starts
/// (`corp1000` for `corp1000-35`).
fn nearest(name: &str) -> Option<&'static str> {
    let starts = |n: &&str| !name.is_empty() && n.starts_with(name);
    suggest::nearest(name, CardFormat::names()).or_else(|| CardFormat::names().find(starts))
}

/// Every format with its length, for a help.
fn catalogue() -> String {
    let described: Vec<String> = CardFormat::ALL
        .into_iter()
        .map(|f| match f.bit_length() {
            Some(bits) => format!("`{f}` ({bits}-bit)"),
            None => format!("`{f}` (any length)"),
        })
        .collect();
    format!("card formats are {}", described.join(", "))
}

/// E0317 for the second mention of a format in one clause.
fn repeated(name: &Ident, first: &Ident) -> Diagnostic {
    Diagnostic::error(
        Code::RepeatedCardFormat,
        name.span,
        format!(
            "card format `{}` listed twice in one `cards` clause",
            name.name
        ),
    )
    .with_label("listed again here")
    .with_secondary(first.span, "first listed here")
    .with_help("list each format once; was another format meant?")
}
