//! The validator: syntax trees in, the domain model and diagnostics out.
//!
//! Owns the order of the stages, each in its own file: `names` numbers every
//! declaration and builds one symbol table per name space, `resolve` turns written
//! references into typed ids (with "did you mean" suggestions), `lower` builds the
//! [`Policy`] and checks every value on the way, then `credentials`,
//! `space_codes` and `delegation` check the rules that span the whole policy,
//! `expectations` resolves the policy tests against the model, and `warnings` looks
//! for what is legal but suspicious. Every rule is listed in `docs/diagnostics.md`.
//!
//! It must never read files or clocks, never panic on any tree, and never stop at the
//! first error: it reports every problem it can. It hands out the [`Policy`] only when
//! no error was found; warnings are looked for only then, so that an error never
//! causes knock-on warnings.

mod card_formats;
mod credentials;
mod delegation;
mod doorset;
mod expectations;
mod lower;
mod names;
mod resolve;
mod space_codes;
#[cfg(test)]
mod tree_tests;
mod values;
mod warnings;

use crate::diagnostic::Diagnostic;
use crate::model::Policy;
use crate::policy_test::Expectation;
use crate::syntax::ast::File;

/// The outcome of validating a policy.
#[derive(Debug, Clone)]
pub struct Validated {
    /// The model; `None` if any error was found.
    pub policy: Option<Policy>,
    /// The expectations of the policy's tests, resolved against the model; empty if
    /// any error was found. They are not part of the model.
    pub tests: Vec<Expectation>,
    /// Errors and warnings, in the order found (callers sort them by position).
    pub diagnostics: Vec<Diagnostic>,
}

/// Validates the trees of every file of a policy, taken together.
///
/// A name defined in one file may be used in any other; entities are numbered in the
/// order of `files`, then in source order.
pub fn validate(files: &[File]) -> Validated {
    let mut diagnostics = Vec::new();
    let names = names::declare(files, &mut diagnostics);
    let policy = lower::lower(&names, &mut diagnostics);
    credentials::check(&names, &mut diagnostics);
    space_codes::check(&names, &policy, &mut diagnostics);
    delegation::check(&names, &policy, &mut diagnostics);
    let tests = expectations::lower(&names, &policy, &mut diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Validated {
            policy: None,
            tests: Vec::new(),
            diagnostics,
        };
    }
    warnings::check(&names, &policy, &mut diagnostics);
    Validated {
        policy: Some(policy),
        tests,
        diagnostics,
    }
}

/// Converts a vector position into the `u32` of a typed id.
fn id(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Code;

    #[test]
    fn every_code_is_in_the_catalogue() {
        let doc = include_str!("../../../docs/diagnostics.md");
        for code in Code::ALL {
            let heading = format!("## {}", code.as_str());
            assert!(
                doc.contains(&heading),
                "{heading} missing from docs/diagnostics.md"
            );
        }
    }

    #[test]
    fn an_empty_policy_is_valid() {
        let validated = super::validate(&[]);
        assert!(validated.diagnostics.is_empty());
        assert!(validated.policy.is_some());
    }
}
