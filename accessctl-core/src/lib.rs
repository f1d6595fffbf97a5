//! The rights engine of accessctl: the domain model of physical access control, the
//! policy language that describes it, and the validator that checks it.
//!
//! The crate is pure: it reads no file, no clock and no random source. Callers hand it
//! source texts, instants and entropy. It is `#![forbid(unsafe_code)]` and denies
//! `unwrap`, `expect`, `panic!` and slice indexing outside tests, so no input can make
//! it panic.
//!
//! ```
//! use accessctl_core::{check, Sources};
//!
//! let mut sources = Sources::new();
//! sources.add("site.acl", r#"
//! site hq { timezone "Europe/Paris"  door main }
//! account acme { user ana "Ana" { card 42  allow main } }
//! "#);
//! let checked = check(&sources);
//! assert!(checked.diagnostics.iter().all(|d| !d.is_error()));
//! let policy = checked.policy.expect("valid policy");
//! assert_eq!(policy.users[0].name, "ana");
//! ```
//!
//! The stages, each in its own module: [`syntax`] parses text into a tree that keeps
//! spans and comments; [`format`](mod@format) prints a tree back in canonical form; [`validate`]
//! resolves names, checks every rule and builds the [`model::Policy`]; [`diagnostic`]
//! is how every stage reports problems; [`edit`] changes users in the texts
//! themselves, keeping every other byte.

#![forbid(unsafe_code)]

pub mod authorize;
pub mod card_key;
pub mod compile;
pub mod decide;
pub mod diagnostic;
pub mod diff;
pub mod edit;
pub mod format;
pub mod lockout;
pub mod model;
pub mod offline;
pub mod policy_test;
pub mod secret;
pub mod select;
pub mod source;
pub mod suggest;
pub mod syntax;
pub mod time;
pub mod validate;

pub use compile::CompiledPolicy;
pub use decide::{Decision, Presented, Reason, Request, Subject};
pub use diagnostic::{Code, Diagnostic, Severity};
pub use source::{FileId, Sources, Span};
pub use time::Timestamp;

/// The outcome of checking a policy: its syntax trees, the model when it is valid,
/// and every diagnostic found.
#[derive(Debug, Clone)]
pub struct Checked {
    /// One tree per source file, in the order of [`Sources`] (partial where a file has
    /// syntax errors).
    pub files: Vec<syntax::ast::File>,
    /// The validated model; `None` if any error was found.
    pub policy: Option<model::Policy>,
    /// The expectations of the policy's `test` blocks, in source order, names
    /// resolved against [`Checked::policy`]; empty if any error was found.
    pub tests: Vec<policy_test::Expectation>,
    /// Errors and warnings, in file order, then by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses and validates every file of `sources` as one policy.
///
/// Syntax errors in a file do not stop the others from being parsed; validation runs
/// only when every file parsed cleanly, so that it never reports knock-on errors.
pub fn check(sources: &Sources) -> Checked {
    let mut diagnostics = Vec::new();
    let mut files = Vec::with_capacity(sources.len());
    for (id, file) in sources.iter() {
        let parsed = syntax::parse(id, file.text());
        diagnostics.extend(parsed.errors);
        files.push(parsed.file);
    }
    let mut policy = None;
    let mut tests = Vec::new();
    if diagnostics.is_empty() {
        let validated = validate::validate(&files);
        diagnostics.extend(validated.diagnostics);
        policy = validated.policy;
        tests = validated.tests;
    }
    diagnostics.sort_by_key(|d| (d.primary.span.file, d.primary.span.start));
    Checked {
        files,
        policy,
        tests,
        diagnostics,
    }
}
