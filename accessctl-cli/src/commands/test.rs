//! `accessctl test PATH...`: run the expectations written beside each policy.
//!
//! Owns loading each PATH as one policy, running its `test` blocks against the
//! compiled policy (`policy_test::run`) and telling the result: each failing
//! expectation with its location, what was expected, what the engine decided and the
//! chain that decided, a line per policy, then the totals `N passed, N failed`. Exit 0
//! when every expectation passed, 1 when one failed or a policy is invalid (its
//! diagnostics are shown, none of its tests run), 2 when a PATH cannot be read; every
//! PATH is handled whatever happens to the others. It must never decide anything
//! itself, and never print a PIN, QR code or mobile key (`Expectation::describe`
//! masks them, and so does the source snippet).

use std::path::Path;

use accessctl_core::model::Policy;
use accessctl_core::policy_test::{self, Outcome};
use accessctl_core::{check, CompiledPolicy, Diagnostic, Sources};
use serde::Serialize;

use crate::args::{Format, TestArgs};
use crate::census::plural;
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
use crate::load::{display, load_policy};
use crate::render::json::{self, JsonDiagnostic, JsonError, JsonStep, SCHEMA_VERSION};
use crate::render::snippet::snippet;
use crate::render::{human, Location};

/// Runs `test`.
pub fn run(args: &TestArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let runs: Vec<PolicyRun> = args.paths.iter().map(|path| PolicyRun::new(path)).collect();
    match args.format.value {
        Format::Human => write_human(&runs, args.verbose, console)?,
        Format::Json => console
            .out
            .write_all(&json::document(&Document::new(&runs)))?,
    }
    Ok(runs.iter().map(PolicyRun::exit).max().unwrap_or_default())
}

/// What became of one PATH.
struct PolicyRun {
    /// The PATH as given.
    path: String,
    /// How far it went.
    ran: Ran,
}

/// How far a policy went: its tests ran, or it stopped before.
enum Ran {
    /// The policy is valid: its expectations ran, in source order.
    Tested(Vec<ExpectationResult>),
    /// The policy has errors: no test ran.
    Invalid {
        /// Its files, to show the diagnostics against.
        sources: Box<Sources>,
        /// Every diagnostic found (errors and warnings).
        diagnostics: Vec<Diagnostic>,
    },
    /// The PATH gives no policy text.
    Unreadable(CliError),
}

impl PolicyRun {
    /// Loads, checks, compiles and runs one policy's tests.
    fn new(path: &Path) -> PolicyRun {
        let loaded = match load_policy(path) {
            Ok(loaded) => loaded,
            Err(error) => {
                return PolicyRun {
                    path: display(path),
                    ran: Ran::Unreadable(error.into()),
                }
            }
        };
        let checked = check(&loaded.sources);
        let ran = match checked.policy {
            Some(policy) if !checked.has_errors() => {
                Ran::Tested(run_tests(&loaded.sources, &policy, &checked.tests))
            }
            _ => Ran::Invalid {
                sources: Box::new(loaded.sources),
                diagnostics: checked.diagnostics,
            },
        };
        PolicyRun {
            path: loaded.path,
            ran,
        }
    }

    fn results(&self) -> &[ExpectationResult] {
        match &self.ran {
            Ran::Tested(results) => results,
            Ran::Invalid { .. } | Ran::Unreadable(_) => &[],
        }
    }

    fn passed(&self) -> usize {
        self.results().iter().filter(|r| r.passed).count()
    }

    fn failed(&self) -> usize {
        self.results().len() - self.passed()
    }

    fn exit(&self) -> Exit {
        match &self.ran {
            Ran::Tested(_) => Exit::answer(self.failed() == 0),
            Ran::Invalid { .. } => Exit::Negative,
            Ran::Unreadable(_) => Exit::Failure,
        }
    }
}

/// Runs `tests` against the compiled `policy`.
fn run_tests(
    sources: &Sources,
    policy: &Policy,
    tests: &[policy_test::Expectation],
) -> Vec<ExpectationResult> {
    let compiled = CompiledPolicy::new(policy);
    policy_test::run(&compiled, tests)
        .iter()
        .map(|outcome| ExpectationResult::new(sources, policy, outcome))
        .collect()
}

/// One expectation and what the engine answered, as shown and as JSON.
#[derive(Debug, Serialize)]
struct ExpectationResult {
    /// The file it is written in, named as loaded.
    file: String,
    /// 1-based line of its first character.
    line: usize,
    /// 1-based column of its first character, counted in characters.
    column: usize,
    /// The title of its `test` block.
    title: String,
    /// The expectation as a line of the language, secrets masked.
    expectation: String,
    /// `allowed` (`may`) or `denied` (`may not`).
    expected: &'static str,
    /// The reason code written after `because`, if any.
    because: Option<&'static str>,
    /// What the engine decided: `allowed` or `denied`.
    decision: &'static str,
    /// The decision's reason code.
    reason: &'static str,
    /// The reason's one-line description.
    summary: &'static str,
    /// The decision is the one expected.
    passed: bool,
    /// The chain that decided.
    steps: Vec<JsonStep>,
    /// `denied (outside_schedule: …)`, for people.
    #[serde(skip)]
    verdict: String,
    /// The expectation's source lines, secrets masked, for people.
    #[serde(skip)]
    snippet: String,
}

impl ExpectationResult {
    fn new(sources: &Sources, policy: &Policy, outcome: &Outcome<'_>) -> ExpectationResult {
        let expectation = outcome.expectation;
        let place = Location::of(sources, expectation.span);
        let verdict = |allowed: bool| if allowed { "allowed" } else { "denied" };
        ExpectationResult {
            file: place.as_ref().map_or_else(String::new, |p| p.file.clone()),
            line: place.as_ref().map_or(0, |p| p.line),
            column: place.as_ref().map_or(0, |p| p.column),
            title: expectation.title.clone(),
            expectation: expectation.describe(policy),
            expected: verdict(expectation.allowed),
            because: expectation.because.map(|reason| reason.code()),
            decision: verdict(outcome.decision.allowed()),
            reason: outcome.decision.reason.code(),
            summary: outcome.decision.reason.summary(),
            passed: outcome.passed,
            steps: JsonStep::all(outcome.decision.explain(policy)),
            verdict: outcome.verdict(),
            snippet: snippet(sources, expectation.span),
        }
    }

    /// `file:line:col: test "Title": EXPECTATION`, then how it went; for a failure,
    /// the chain that decided and where it is written.
    fn human(&self) -> String {
        let mut text = format!(
            "{}:{}:{}: test \"{}\": {}\n",
            self.file, self.line, self.column, self.title, self.expectation
        );
        if self.passed {
            text.push_str(&format!("  passed: {}\n", self.verdict));
            return text;
        }
        text.push_str(&format!(
            "  expected {}, got {}\n",
            self.expected_text(),
            self.verdict
        ));
        for (number, step) in self.steps.iter().enumerate() {
            text.push_str(&format!("    {}. {}\n", number + 1, step.text));
        }
        text.push_str(&self.snippet);
        text.push('\n');
        text
    }

    /// `allowed`, or `denied because outside_schedule` when a reason was written.
    fn expected_text(&self) -> String {
        match self.because {
            Some(reason) => format!("{} because {reason}", self.expected),
            None => self.expected.to_owned(),
        }
    }
}

/// Each policy's failing expectations (every one with `verbose`) and its line, then
/// the totals.
fn write_human(
    runs: &[PolicyRun],
    verbose: bool,
    console: &mut Console<'_>,
) -> Result<(), CliError> {
    for run in runs {
        write_run(run, verbose, console)?;
        console.out.write_all(policy_line(run).as_bytes())?;
    }
    let (passed, failed) = totals(runs);
    console.out.write_all(
        format!(
            "{passed} passed, {failed} failed
"
        )
        .as_bytes(),
    )?;
    Ok(())
}

/// What one policy shows before its line: its failing expectations (every one with
/// `verbose`), its diagnostics, or why it could not be read (on standard error).
fn write_run(run: &PolicyRun, verbose: bool, console: &mut Console<'_>) -> Result<(), CliError> {
    match &run.ran {
        Ran::Tested(results) => {
            for result in results.iter().filter(|r| verbose || !r.passed) {
                console.out.write_all(result.human().as_bytes())?;
            }
        }
        Ran::Invalid {
            sources,
            diagnostics,
        } => {
            let drawn = human::diagnostics(sources, diagnostics, console.color);
            console.out.write_all(&drawn)?;
        }
        Ran::Unreadable(error) => {
            let help = error.help();
            let message = error.to_string();
            let drawn = human::error(error.code(), &message, help.as_deref(), console.err_color);
            console.err.write_all(&drawn)?;
        }
    }
    Ok(())
}

/// `examples/coworking: 122 passed, 0 failed`, `examples/x: no tests`,
/// `policy: invalid (2 errors), no test run` or `missing: unreadable, no test run`.
fn policy_line(run: &PolicyRun) -> String {
    let path = &run.path;
    match &run.ran {
        Ran::Tested(results) if results.is_empty() => format!("{path}: no tests\n"),
        Ran::Tested(_) => format!("{path}: {} passed, {} failed\n", run.passed(), run.failed()),
        Ran::Invalid { diagnostics, .. } => {
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            format!(
                "{path}: invalid ({}), no test run\n",
                plural(errors, "error")
            )
        }
        Ran::Unreadable(_) => format!("{path}: unreadable, no test run\n"),
    }
}

/// Expectations passed and failed, over every policy.
fn totals(runs: &[PolicyRun]) -> (usize, usize) {
    runs.iter()
        .fold((0, 0), |(p, f), run| (p + run.passed(), f + run.failed()))
}

/// The JSON document of `test` (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    passed: usize,
    failed: usize,
    policies: Vec<PolicyJson<'a>>,
}

/// One policy in the JSON document.
#[derive(Serialize)]
struct PolicyJson<'a> {
    path: &'a str,
    valid: bool,
    passed: usize,
    failed: usize,
    results: &'a [ExpectationResult],
    diagnostics: Vec<JsonDiagnostic>,
    error: Option<JsonError>,
}

impl<'a> Document<'a> {
    fn new(runs: &'a [PolicyRun]) -> Document<'a> {
        let (passed, failed) = totals(runs);
        Document {
            version: SCHEMA_VERSION,
            passed,
            failed,
            policies: runs.iter().map(PolicyJson::new).collect(),
        }
    }
}

impl<'a> PolicyJson<'a> {
    fn new(run: &'a PolicyRun) -> PolicyJson<'a> {
        let (diagnostics, error) = match &run.ran {
            Ran::Tested(_) => (Vec::new(), None),
            Ran::Invalid {
                sources,
                diagnostics,
            } => (JsonDiagnostic::all(sources, diagnostics), None),
            Ran::Unreadable(error) => (Vec::new(), Some(JsonError::new(error))),
        };
        PolicyJson {
            path: &run.path,
            valid: matches!(run.ran, Ran::Tested(_)),
            passed: run.passed(),
            failed: run.failed(),
            results: run.results(),
            diagnostics,
            error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(passed: bool) -> ExpectationResult {
        ExpectationResult {
            file: "tests.acl".into(),
            line: 3,
            column: 3,
            title: "Office hours".into(),
            expectation: "ana may open main at 2026-11-23T20:00+01:00 because granted".into(),
            expected: "allowed",
            because: Some("granted"),
            decision: if passed { "allowed" } else { "denied" },
            reason: if passed {
                "granted"
            } else {
                "outside_schedule"
            },
            summary: "the user's schedule is closed",
            passed,
            steps: Vec::new(),
            verdict: if passed {
                "allowed (granted: a grant reaches the door and its schedules are open)".into()
            } else {
                "denied (outside_schedule: the user's schedule is closed)".into()
            },
            snippet: "  |\n3 |   ana may open main at 2026-11-23T20:00 because granted\n".into(),
        }
    }

    fn tested(results: Vec<ExpectationResult>) -> PolicyRun {
        PolicyRun {
            path: "policy".into(),
            ran: Ran::Tested(results),
        }
    }

    #[test]
    fn a_failure_names_its_place_both_answers_and_its_source() {
        let text = result(false).human();
        assert!(
            text.starts_with("tests.acl:3:3: test \"Office hours\": ana may open main at"),
            "{text}"
        );
        assert!(text.contains(
            "\n  expected allowed because granted, got denied (outside_schedule: the user's schedule is closed)\n"
        ), "{text}");
        assert!(text.contains("3 |   ana may open"), "{text}");
    }

    #[test]
    fn a_pass_is_its_place_and_its_verdict() {
        let text = result(true).human();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.ends_with(
            "\n  passed: allowed (granted: a grant reaches the door and its schedules are open)\n"
        ));
    }

    #[test]
    fn totals_count_every_policy() {
        let runs = [
            tested(vec![result(true), result(false), result(true)]),
            tested(Vec::new()),
            tested(vec![result(true)]),
        ];
        assert_eq!(totals(&runs), (3, 1));
        assert_eq!(runs[0].exit(), Exit::Negative);
        assert_eq!(runs[1].exit(), Exit::Success);
        assert_eq!(policy_line(&runs[0]), "policy: 2 passed, 1 failed\n");
        assert_eq!(policy_line(&runs[1]), "policy: no tests\n");
    }
}
