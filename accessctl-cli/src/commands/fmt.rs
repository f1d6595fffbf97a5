//! `accessctl fmt [--check] [--diff] PATH...`: put policy files in canonical form.
//!
//! Owns the formatting run: each `.acl` file is parsed alone, printed by the core's
//! formatter, and rewritten atomically when it changed — or, with `--check` or
//! `--diff`, only reported with what would change. A file with syntax errors is
//! reported with its diagnostics and left untouched. Exit 0 when nothing is (or was)
//! out of form, 1 when a file would change or has syntax errors, 2 when a file cannot
//! be read or written or changed while it was being formatted (another editor saved
//! it: nothing is written, and the summary says so). It must never write a file whose new text does not parse back
//! to the same tree, and never write anything under `--check`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use accessctl_core::format::format;
use accessctl_core::syntax::parse;
use accessctl_core::{Diagnostic, FileId, Sources};
use serde::Serialize;

use crate::args::{FmtArgs, Format};
use crate::atomic::{self, EditError};
use crate::census::plural;
use crate::console::Console;
use crate::diff;
use crate::error::CliError;
use crate::exit::Exit;
use crate::load::{display, policy_files, read_text};
use crate::render::human;
use crate::render::json::{self, JsonDiagnostic, JsonError, SCHEMA_VERSION};

/// How many diff lines `--check` shows per file (`--diff` shows them all).
const SHORT_DIFF_LINES: usize = 12;

/// Runs `fmt`.
pub fn run(args: &FmtArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let mut run = FmtRun {
        checks_only: args.checks_only(),
        sources: Sources::new(),
        files: Vec::new(),
    };
    for target in targets(&args.paths) {
        let outcome = match target {
            Ok(file) => run.format_file(&file),
            Err(failed) => failed,
        };
        run.files.push(outcome);
    }
    match args.format.value {
        Format::Human => run.print_human(args.diff, console)?,
        Format::Json => console.out.write_all(&json::document(&run.document()))?,
    }
    Ok(run
        .files
        .iter()
        .map(Outcome::exit)
        .max()
        .unwrap_or_default())
}

/// Every file the PATHs stand for, each once, in the order given (a directory's in
/// path order); a PATH that stands for none is an error in its place.
fn targets(paths: &[PathBuf]) -> Vec<Result<PathBuf, Outcome>> {
    let mut seen = HashSet::new();
    let mut targets = Vec::new();
    for path in paths {
        match policy_files(path) {
            Ok(files) => {
                targets.extend(files.into_iter().filter(|f| seen.insert(f.clone())).map(Ok))
            }
            Err(error) => targets.push(Err(Outcome::Failed {
                path: display(path),
                error: error.into(),
            })),
        }
    }
    targets
}

/// What happened to one file.
enum Outcome {
    /// Already canonical.
    Unchanged { path: String },
    /// Rewritten in canonical form.
    Reformatted { path: String },
    /// Would be rewritten: the unified diff.
    WouldReformat { path: String, diff: String },
    /// Not parsed: its syntax errors.
    SyntaxErrors {
        path: String,
        errors: Vec<Diagnostic>,
    },
    /// Not readable, not writable, changed underneath, or not safely formattable.
    Failed { path: String, error: CliError },
}

impl Outcome {
    /// Whether the file changed while it was being formatted (lost a race).
    fn lost_race(&self) -> bool {
        matches!(
            self,
            Outcome::Failed {
                error: CliError::Edit(EditError::Changed { .. }),
                ..
            }
        )
    }

    fn exit(&self) -> Exit {
        match self {
            Outcome::Unchanged { .. } | Outcome::Reformatted { .. } => Exit::Success,
            Outcome::WouldReformat { .. } | Outcome::SyntaxErrors { .. } => Exit::Negative,
            Outcome::Failed { .. } => Exit::Failure,
        }
    }
}

struct FmtRun {
    checks_only: bool,
    /// Every file read, to show syntax errors against.
    sources: Sources,
    files: Vec<Outcome>,
}

impl FmtRun {
    fn format_file(&mut self, file: &Path) -> Outcome {
        let path = display(file);
        let text = match read_text(file) {
            Ok(text) => text,
            Err(error) => {
                return Outcome::Failed {
                    path,
                    error: error.into(),
                }
            }
        };
        let id = self.sources.add(path.clone(), text.clone());
        let parsed = parse(id, &text);
        if !parsed.errors.is_empty() {
            return Outcome::SyntaxErrors {
                path,
                errors: parsed.errors,
            };
        }
        let canonical = format(&parsed.file);
        if canonical == text {
            return Outcome::Unchanged { path };
        }
        let reparsed = parse(FileId(0), &canonical);
        if !reparsed.errors.is_empty() || reparsed.file != parsed.file {
            return Outcome::Failed {
                error: CliError::Unformattable { path: path.clone() },
                path,
            };
        }
        if self.checks_only {
            let diff = diff::unified(&text, &canonical, &path);
            return Outcome::WouldReformat { path, diff };
        }
        match atomic::replace(file, &text, &canonical) {
            Ok(()) => Outcome::Reformatted { path },
            Err(error) => Outcome::Failed {
                path,
                error: error.into(),
            },
        }
    }

    fn print_human(&self, full_diff: bool, console: &mut Console<'_>) -> Result<(), CliError> {
        for outcome in &self.files {
            match outcome {
                Outcome::Unchanged { .. } => {}
                Outcome::Reformatted { path } => writeln!(console.out, "formatted {path}")?,
                Outcome::WouldReformat { path, diff } => {
                    writeln!(console.out, "would reformat {path}")?;
                    console
                        .out
                        .write_all(shown_diff(diff, full_diff).as_bytes())?;
                }
                Outcome::SyntaxErrors { path, errors } => {
                    let drawn = human::diagnostics(&self.sources, errors, console.color);
                    console.out.write_all(&drawn)?;
                    let count = plural(errors.len(), "syntax error");
                    writeln!(console.out, "{path}: left as it is: {count}")?;
                }
                Outcome::Failed { error, .. } => {
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
        writeln!(console.out, "{}", self.summary())?;
        Ok(())
    }

    /// `5 files checked: 2 would be reformatted, 1 has syntax errors`.
    fn summary(&self) -> String {
        let count = |f: fn(&Outcome) -> bool| self.files.iter().filter(|o| f(o)).count();
        let changed = count(|o| {
            matches!(
                o,
                Outcome::Reformatted { .. } | Outcome::WouldReformat { .. }
            )
        });
        let broken = count(|o| matches!(o, Outcome::SyntaxErrors { .. }));
        let failed = count(|o| matches!(o, Outcome::Failed { .. }));
        let raced = count(Outcome::lost_race);
        let total = self.files.len() - failed;
        let (verb, done) = if self.checks_only {
            ("checked", "would be reformatted")
        } else {
            ("formatted", "reformatted")
        };
        let mut parts = Vec::new();
        if changed > 0 {
            parts.push(format!("{changed} {done}"));
        }
        if broken > 0 {
            parts.push(format!("{broken} with syntax errors"));
        }
        if raced > 0 {
            parts.push(format!("{raced} changed while being formatted"));
        }
        if failed > raced {
            parts.push(format!("{} not readable or writable", failed - raced));
        }
        if parts.is_empty() {
            parts.push("all in canonical form".to_owned());
        }
        format!("{} {verb}: {}", plural(total, "file"), parts.join(", "))
    }

    fn document(&self) -> Document {
        let files: Vec<FileJson> = self.files.iter().map(|o| self.file_json(o)).collect();
        Document {
            version: SCHEMA_VERSION,
            check: self.checks_only,
            changed: files
                .iter()
                .filter(|f| matches!(f.status, "reformatted" | "would_reformat"))
                .count(),
            files,
        }
    }

    fn file_json(&self, outcome: &Outcome) -> FileJson {
        let file = |path: &String, status| FileJson {
            path: path.clone(),
            status,
            diff: None,
            diagnostics: Vec::new(),
            error: None,
        };
        match outcome {
            Outcome::Unchanged { path } => file(path, "unchanged"),
            Outcome::Reformatted { path } => file(path, "reformatted"),
            Outcome::WouldReformat { path, diff } => FileJson {
                diff: Some(diff.clone()),
                ..file(path, "would_reformat")
            },
            Outcome::SyntaxErrors { path, errors } => FileJson {
                diagnostics: JsonDiagnostic::all(&self.sources, errors),
                ..file(path, "syntax_errors")
            },
            Outcome::Failed { path, error } => FileJson {
                error: Some(JsonError::new(error)),
                ..file(path, "failed")
            },
        }
    }
}

/// The diff as `--check` shows it: its first lines, or all of it with `--diff`.
fn shown_diff(diff: &str, full: bool) -> String {
    if full {
        return diff.to_owned();
    }
    let mut lines = diff.lines();
    let mut shown: String = lines
        .by_ref()
        .take(SHORT_DIFF_LINES + 2)
        .map(|l| format!("{l}\n"))
        .collect();
    if lines.next().is_some() {
        shown.push_str("...\n");
    }
    shown
}

/// The JSON document of `fmt` (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Document {
    version: u32,
    check: bool,
    changed: usize,
    files: Vec<FileJson>,
}

/// One file in the JSON document.
#[derive(Serialize)]
struct FileJson {
    path: String,
    status: &'static str,
    diff: Option<String>,
    diagnostics: Vec<JsonDiagnostic>,
    error: Option<JsonError>,
}
