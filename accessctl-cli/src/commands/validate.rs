//! `accessctl validate PATH...`: check policies and report every diagnostic.
//!
//! Owns the report of a validation: each PATH is one policy, checked by the core; its
//! diagnostics are shown (human, JSON or GitHub annotations), then one result line
//! per policy saying what was checked. Exit 0 when every policy is valid (warnings
//! allowed), 1 when one has an error, 2 when a PATH cannot be read. It must never
//! judge a policy itself, nor stop at the first PATH that fails.

use std::path::Path;

use accessctl_core::{check, Checked, Severity, Sources};
use serde::Serialize;

use crate::args::{OutputFormat, ValidateArgs};
use crate::census::{plural, Census};
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
use crate::load::{display, load_policy};
use crate::render::json::{self, JsonDiagnostic, JsonError, SCHEMA_VERSION};
use crate::render::{github, human};

/// Runs `validate`.
pub fn run(args: &ValidateArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let reports: Vec<Report> = args.paths.iter().map(|p| Report::new(p)).collect();
    match OutputFormat::from(args.format.value) {
        OutputFormat::Human => print_human(&reports, console)?,
        OutputFormat::Json => console
            .out
            .write_all(&json::document(&document(&reports)))?,
        OutputFormat::Github => print_github(&reports, console)?,
    }
    Ok(reports.iter().map(Report::exit).max().unwrap_or_default())
}

/// The outcome of one PATH.
enum Report {
    /// Read and checked.
    Checked(Box<Validated>),
    /// Not readable as a policy.
    Unreadable { path: String, error: CliError },
}

/// A policy read and checked.
struct Validated {
    path: String,
    sources: Sources,
    checked: Checked,
    census: Census,
}

impl Report {
    fn new(path: &Path) -> Report {
        match load_policy(path) {
            Ok(loaded) => {
                let checked = check(&loaded.sources);
                Report::Checked(Box::new(Validated {
                    census: Census::of(&checked.files),
                    path: loaded.path,
                    sources: loaded.sources,
                    checked,
                }))
            }
            Err(error) => Report::Unreadable {
                path: display(path),
                error: error.into(),
            },
        }
    }

    fn exit(&self) -> Exit {
        match self {
            Report::Checked(v) => Exit::answer(!v.checked.has_errors()),
            Report::Unreadable { .. } => Exit::Failure,
        }
    }
}

/// `examples/coworking: 3 files, 2 sites, 10 doors, 21 users — valid (1 warning)`.
fn result_line(path: &str, checked: &Checked, census: &Census) -> String {
    let count = |severity| {
        checked
            .diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    };
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let verdict = match (errors, warnings) {
        (0, 0) => "valid".to_owned(),
        (0, w) => format!("valid ({})", plural(w, "warning")),
        (e, 0) => format!("invalid ({})", plural(e, "error")),
        (e, w) => format!("invalid ({}, {})", plural(e, "error"), plural(w, "warning")),
    };
    format!("{path}: {} — {verdict}\n", census.summary())
}

fn print_human(reports: &[Report], console: &mut Console<'_>) -> Result<(), CliError> {
    for report in reports {
        match report {
            Report::Checked(v) => {
                let Validated {
                    path,
                    sources,
                    checked,
                    census,
                } = v.as_ref();
                let drawn = human::diagnostics(sources, &checked.diagnostics, console.color);
                console.out.write_all(&drawn)?;
                console
                    .out
                    .write_all(result_line(path, checked, census).as_bytes())?;
            }
            Report::Unreadable { error, .. } => {
                let help = error.help();
                let drawn = human::error(
                    error.code(),
                    &error.to_string(),
                    help.as_deref(),
                    console.err_color,
                );
                console.err.write_all(&drawn)?;
            }
        }
    }
    Ok(())
}

fn print_github(reports: &[Report], console: &mut Console<'_>) -> Result<(), CliError> {
    for report in reports {
        let text = match report {
            Report::Checked(v) => {
                let Validated {
                    path,
                    sources,
                    checked,
                    census,
                } = v.as_ref();
                github::diagnostics(sources, &checked.diagnostics)
                    + &result_line(path, checked, census)
            }
            Report::Unreadable { error, .. } => {
                github::error(error.code().unwrap_or("error"), &error.to_string())
            }
        };
        console.out.write_all(text.as_bytes())?;
    }
    Ok(())
}

/// The JSON document of `validate` (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Document {
    version: u32,
    valid: bool,
    policies: Vec<PolicyJson>,
}

/// One policy in the JSON document.
#[derive(Serialize)]
struct PolicyJson {
    path: String,
    valid: bool,
    files: Vec<String>,
    counts: Option<Census>,
    errors: usize,
    warnings: usize,
    diagnostics: Vec<JsonDiagnostic>,
    error: Option<JsonError>,
}

fn document(reports: &[Report]) -> Document {
    let policies: Vec<PolicyJson> = reports.iter().map(policy_json).collect();
    Document {
        version: SCHEMA_VERSION,
        valid: policies.iter().all(|p| p.valid),
        policies,
    }
}

fn policy_json(report: &Report) -> PolicyJson {
    match report {
        Report::Checked(v) => {
            let Validated {
                path,
                sources,
                checked,
                census,
            } = v.as_ref();
            let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
            PolicyJson {
                path: path.clone(),
                valid: errors == 0,
                files: sources.iter().map(|(_, f)| f.name().to_owned()).collect(),
                counts: Some(*census),
                errors,
                warnings: checked.diagnostics.len() - errors,
                diagnostics: JsonDiagnostic::all(sources, &checked.diagnostics),
                error: None,
            }
        }
        Report::Unreadable { path, error } => PolicyJson {
            path: path.clone(),
            valid: false,
            files: Vec::new(),
            counts: None,
            errors: 0,
            warnings: 0,
            diagnostics: Vec::new(),
            error: Some(JsonError::new(error)),
        },
    }
}
