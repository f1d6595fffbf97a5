//! `accessctl bulk --policy P FILTER… ACTION… [--dry-run] [--yes]`: one change for
//! every user a filter selects.
//!
//! Owns the run of a bulk action, as Welcomr's "actions groupées" do it: the core's
//! `select` picks the users (the filters of `user list`), one `edit::Edit` per user
//! (the changes of `user set`, parsed by the same code, or `--delete`) is applied by
//! one call to the core's `edit::apply`, which validates the result as a whole; then
//! "N users will be affected", the unified diff (with `--dry-run`, or on a terminal
//! without `--yes`, where the person is asked to confirm), and the atomic write of
//! each changed file, refused if a file changed since it was read.
//!
//! Exit 0 when written (or nothing to write, or `--dry-run`); 1 when the edit is
//! refused (an invalid result, its diagnostics shown) or the person declined; 2 for
//! an unknown tag, account or door, a policy with errors, a file that cannot be
//! written or changed meanwhile, and without `--yes` off a terminal (nothing is
//! written: it says to pass `--yes`). It must never write a file the core did not
//! return, nor write anything under `--dry-run` or before the confirmation.

use std::io::BufRead;
use std::path::Path;

use accessctl_core::edit::{self, Edit};
use accessctl_core::select::select;
use accessctl_core::{check, Sources};
use serde::Serialize;
use thiserror::Error;

use crate::args::{BulkArgs, Format};
use crate::atomic;
use crate::census::plural;
use crate::commands::user_list::today;
use crate::console::Console;
use crate::diff;
use crate::error::CliError;
use crate::exit::Exit;
use crate::load::load_policy;
use crate::render::json::{self, SCHEMA_VERSION};

/// Why `bulk` did not run its action.
#[derive(Debug, Error)]
pub enum BulkError {
    /// Not on a terminal to confirm, and no `--yes`.
    #[error("{} will be affected and there is no terminal to confirm; nothing was written", plural(*affected, "user"))]
    NotConfirmed {
        /// How many users were selected.
        affected: usize,
    },
}

impl BulkError {
    /// The stable `kind` of the error in JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            BulkError::NotConfirmed { .. } => "not_confirmed",
        }
    }

    /// How to fix it.
    pub fn help(&self) -> Option<String> {
        match self {
            BulkError::NotConfirmed { .. } => {
                Some("pass --yes to write, or --dry-run to see the diff".to_owned())
            }
        }
    }
}

/// Runs `bulk`.
pub fn run(args: &BulkArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let loaded = load_policy(&args.policy.path)?;
    let checked = check(&loaded.sources);
    let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
    let Some(policy) = checked.policy.as_ref().filter(|_| errors == 0) else {
        return Err(CliError::InvalidPolicy {
            path: loaded.path,
            sources: Box::new(loaded.sources),
            diagnostics: checked.diagnostics,
            errors,
        });
    };
    let today = today(policy, &args.filter);
    let selected = select(policy, &args.filter.filter(), today)?;
    let names: Vec<String> = selected
        .iter()
        .filter_map(|id| policy.users.get(id.index()))
        .map(|u| u.name.clone())
        .collect();
    let ask = !args.dry_run && !args.yes;
    if ask && console.terminal.is_none() && !names.is_empty() {
        return Err(BulkError::NotConfirmed {
            affected: names.len(),
        }
        .into());
    }
    let edits = edits(args, &names)?;
    let files = if edits.is_empty() {
        Vec::new()
    } else {
        changed_files(&loaded.sources, &edits)?
    };
    let mut outcome = Outcome {
        version: SCHEMA_VERSION,
        affected: names.len(),
        users: names,
        dry_run: args.dry_run,
        written: false,
        files,
    };
    let show_diff = args.dry_run || ask;
    if args.format.value == Format::Human {
        let mut text = format!("{} will be affected\n", plural(outcome.affected, "user"));
        if show_diff {
            for file in &outcome.files {
                text += &file.diff;
            }
        }
        console.out.write_all(text.as_bytes())?;
    }
    let mut exit = Exit::Success;
    if !outcome.files.is_empty() && !args.dry_run {
        if ask && !confirmed(console, outcome.files.len())? {
            exit = Exit::Negative;
        } else {
            write(&loaded.sources, &outcome.files)?;
            outcome.written = true;
        }
    }
    match args.format.value {
        Format::Human => {
            let said = match (outcome.written, args.dry_run, outcome.files.len()) {
                (true, _, n) => format!("written: {}\n", plural(n, "file")),
                (false, _, 0) => "nothing to change\n".to_owned(),
                (false, true, _) => "nothing written (--dry-run)\n".to_owned(),
                (false, false, _) => "nothing written\n".to_owned(),
            };
            console.out.write_all(said.as_bytes())?;
        }
        Format::Json => console.out.write_all(&json::document(&outcome))?,
    }
    Ok(exit)
}

/// The edits of the action, one per selected user.
fn edits(args: &BulkArgs, names: &[String]) -> Result<Vec<Edit>, CliError> {
    if args.delete {
        return Ok(names
            .iter()
            .map(|user| Edit::RemoveUser { user: user.clone() })
            .collect());
    }
    let patch = args.changes.patch()?;
    Ok(names
        .iter()
        .map(|user| Edit::ChangeUser {
            user: user.clone(),
            patch: patch.clone(),
        })
        .collect())
}

/// Each file the edits change: its path, its old and new text, and the diff.
fn changed_files(sources: &Sources, edits: &[Edit]) -> Result<Vec<FileChange>, CliError> {
    let edited = edit::apply(sources, edits)?;
    let mut files = Vec::new();
    for &id in &edited.changed {
        let (old, new) = (sources.get(id), edited.sources.get(id));
        files.push(FileChange {
            path: old.name().to_owned(),
            diff: diff::unified(old.text(), new.text(), old.name()),
            new: new.text().to_owned(),
        });
    }
    Ok(files)
}

/// Asks the person at the terminal; only `y` or `yes` writes.
fn confirmed(console: &mut Console<'_>, files: usize) -> Result<bool, CliError> {
    let Some(terminal) = console.terminal.as_mut() else {
        return Ok(false);
    };
    let question = format!("write {}? [y/N] ", plural(files, "file"));
    console.err.write_all(question.as_bytes())?;
    console.err.flush()?;
    let mut answer = String::new();
    terminal.read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

/// Writes every changed file atomically, each refused if it changed since it was
/// read. All are checked first, so that a file changed meanwhile stops the run before
/// any is written.
fn write(sources: &Sources, files: &[FileChange]) -> Result<(), CliError> {
    let old = |path: &str| {
        sources
            .iter()
            .find(|(_, f)| f.name() == path)
            .map(|(_, f)| f.text().to_owned())
            .unwrap_or_default()
    };
    for file in files {
        let now = crate::load::read_text(Path::new(&file.path))?;
        if now != old(&file.path) {
            return Err(atomic::EditError::Changed {
                path: file.path.clone(),
            }
            .into());
        }
    }
    for file in files {
        atomic::replace(Path::new(&file.path), &old(&file.path), &file.new)?;
    }
    Ok(())
}

/// The run, as JSON (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Outcome {
    version: u32,
    affected: usize,
    users: Vec<String>,
    dry_run: bool,
    written: bool,
    files: Vec<FileChange>,
}

/// One file the action changes.
#[derive(Serialize)]
struct FileChange {
    path: String,
    diff: String,
    #[serde(skip)]
    new: String,
}
