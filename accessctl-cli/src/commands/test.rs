//! `accessctl test PATH...`: run the expectations written beside each policy.
//!
//! Owns loading each policy, running its `test` blocks against the compiled policy
//! (`policy_test::run`) and telling the result: each failing expectation with its
//! location, what was expected, what the engine decided and why, then the line
//! `N passed, N failed`. Exit 0 when every expectation passed, 1 when one failed or a
//! policy is invalid, 2 when a path cannot be read. It must never decide anything
//! itself, and never print a PIN, QR code or mobile key (`Expectation::describe`
//! masks them).

use std::path::Path;

use accessctl_core::decide::Step;
use accessctl_core::model::Policy;
use accessctl_core::policy_test::{self, Outcome};
use accessctl_core::{check, CompiledPolicy, Sources};
use serde::Serialize;

use crate::args::{Format, TestArgs};
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
use crate::load::load_policy;
use crate::render::human;
use crate::render::json::{self, JsonDiagnostic, SCHEMA_VERSION};

/// Runs `test`.
pub fn run(args: &TestArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let mut report = Report {
        version: SCHEMA_VERSION,
        ..Report::default()
    };
    for path in &args.paths {
        let policy = run_policy(path)?;
        report.exit = report.exit.max(policy.exit());
        report.passed += policy.passed();
        report.failed += policy.failed();
        report.policies.push(policy);
    }
    match args.format {
        Format::Human => write_human(&report, args.verbose, console)?,
        Format::Json => console.out.write_all(&json::document(&report))?,
    }
    Ok(report.exit)
}

/// Every policy's results and the totals.
#[derive(Default, Serialize)]
struct Report {
    version: u32,
    policies: Vec<PolicyReport>,
    passed: usize,
    failed: usize,
    #[serde(skip)]
    exit: Exit,
}

/// One policy: its expectations' results, or the diagnostics that stopped it.
#[derive(Default, Serialize)]
struct PolicyReport {
    path: String,
    valid: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    diagnostics: Vec<JsonDiagnostic>,
    results: Vec<ExpectationResult>,
    #[serde(skip)]
    drawn: Vec<u8>,
}

impl PolicyReport {
    fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed).count()
    }

    fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }

    fn exit(&self) -> Exit {
        Exit::answer(self.valid && self.failed() == 0)
    }
}

/// One expectation and what the engine answered.
#[derive(Serialize)]
struct ExpectationResult {
    file: String,
    line: usize,
    column: usize,
    test: String,
    expectation: String,
    expected: &'static str,
    decision: &'static str,
    reason: &'static str,
    summary: &'static str,
    passed: bool,
    steps: Vec<Step>,
}

impl ExpectationResult {
    fn new(sources: &Sources, policy: &Policy, outcome: &Outcome<'_>) -> ExpectationResult {
        let expectation = outcome.expectation;
        let file = sources.get(expectation.span.file);
        let (line, column) = file.line_col(expectation.span.range().start);
        let verdict = |allowed: bool| if allowed { "allowed" } else { "denied" };
        ExpectationResult {
            file: file.name().to_owned(),
            line,
            column,
            test: expectation.title.clone(),
            expectation: expectation.describe(policy),
            expected: verdict(expectation.allowed),
            decision: verdict(outcome.decision.allowed()),
            reason: outcome.decision.reason.code(),
            summary: outcome.decision.reason.summary(),
            passed: outcome.passed,
            steps: outcome.decision.explain(policy),
        }
    }

    fn expected_text(&self) -> String {
        match self.expectation.rsplit_once(" because ") {
            Some((_, reason)) => format!("{} because {reason}", self.expected),
            None => self.expected.to_owned(),
        }
    }
}

/// Loads, checks, compiles and runs one policy's tests.
fn run_policy(path: &Path) -> Result<PolicyReport, CliError> {
    let loaded = load_policy(path)?;
    let checked = check(&loaded.sources);
    let mut report = PolicyReport {
        path: loaded.path,
        valid: false,
        diagnostics: Vec::new(),
        results: Vec::new(),
        drawn: Vec::new(),
    };
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    let Some(policy) = checked.policy.filter(|_| errors.is_empty()) else {
        report.diagnostics = JsonDiagnostic::all(&loaded.sources, &errors);
        report.drawn = human::diagnostics(&loaded.sources, &errors, false);
        return Ok(report);
    };
    report.valid = true;
    let compiled = CompiledPolicy::new(&policy);
    report.results = policy_test::run(&compiled, &checked.tests)
        .iter()
        .map(|outcome| ExpectationResult::new(&loaded.sources, &policy, outcome))
        .collect();
    Ok(report)
}

/// Failing expectations (every one with `verbose`), a line per policy, then the totals.
fn write_human(report: &Report, verbose: bool, console: &mut Console<'_>) -> Result<(), CliError> {
    let mut text = String::new();
    for policy in &report.policies {
        if !policy.valid {
            console.err.write_all(&policy.drawn)?;
            text.push_str(&format!("{}: invalid policy, no test run\n", policy.path));
            continue;
        }
        for result in policy.results.iter().filter(|r| verbose || !r.passed) {
            text.push_str(&result_text(result));
        }
        text.push_str(&policy_line(policy));
    }
    text.push_str(&format!(
        "{} passed, {} failed\n",
        report.passed, report.failed
    ));
    console.out.write_all(text.as_bytes())?;
    Ok(())
}

/// `file:line:col: FAILED test "Title": EXPECTATION`, then what happened and why.
fn result_text(result: &ExpectationResult) -> String {
    let status = if result.passed { "ok" } else { "FAILED" };
    let mut text = format!(
        "{}:{}:{}: {status}: test \"{}\": {}\n",
        result.file, result.line, result.column, result.test, result.expectation
    );
    if !result.passed {
        text.push_str(&format!(
            "  expected {}, got {} ({}: {})\n",
            result.expected_text(),
            result.decision,
            result.reason,
            result.summary
        ));
        for (number, step) in result.steps.iter().enumerate() {
            text.push_str(&format!("    {}. {step}\n", number + 1));
        }
    }
    text
}

fn policy_line(policy: &PolicyReport) -> String {
    if policy.results.is_empty() {
        return format!("{}: no tests\n", policy.path);
    }
    format!(
        "{}: {} passed, {} failed\n",
        policy.path,
        policy.passed(),
        policy.failed()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(passed: bool) -> ExpectationResult {
        ExpectationResult {
            file: "tests.acl".into(),
            line: 3,
            column: 3,
            test: "Office hours".into(),
            expectation: "ana may open main at 2026-11-23T20:00+01:00 because granted".into(),
            expected: "allowed",
            decision: if passed { "allowed" } else { "denied" },
            reason: if passed {
                "granted"
            } else {
                "outside_schedule"
            },
            summary: "the user's schedule is closed",
            passed,
            steps: Vec::new(),
        }
    }

    #[test]
    fn a_failure_names_its_place_and_both_answers() {
        let text = result_text(&result(false));
        assert!(text.starts_with("tests.acl:3:3: FAILED: test \"Office hours\": ana may open"));
        assert!(text.contains(
            "expected allowed because granted, got denied (outside_schedule: the user's schedule is closed)"
        ));
    }

    #[test]
    fn totals_count_every_policy() {
        let mut policy = PolicyReport {
            valid: true,
            ..PolicyReport::default()
        };
        policy.results = vec![result(true), result(false), result(true)];
        assert_eq!((policy.passed(), policy.failed()), (2, 1));
        assert_eq!(policy.exit(), Exit::Negative);
        assert_eq!(policy_line(&policy), ": 2 passed, 1 failed\n");
    }
}
