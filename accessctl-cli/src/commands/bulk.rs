//! `accessctl bulk --policy P FILTER… ACTION… [--dry-run] [--yes]`: one change for
//! every user a filter selects.
//!
//! Owns the run of a bulk action, as Welcomr's "actions groupées" do it: the core's
//! `select` picks the users (the filters of `user list`), one `edit::Edit` per user
//! (the changes of `user set`, parsed by the same code, or `--delete`) is applied by
//! one call to the core's `edit::apply`, which validates the result as a whole; then
//! "N users will be affected", the unified diff (with `--dry-run`, or on a terminal
//! without `--yes`, where the person is asked to confirm), and the atomic write of
//! each changed file, refused if a file changed since it was read. With `--as ADMIN`,
//! only the users the admin sees are selected, the admin must hold the `bulk` right,
//! and the whole change is checked by the core's `authorize`: any violation refuses
//! it (exit 1, each violation named, nothing written).
//!
//! Exit 0 when written (or nothing to write, or `--dry-run`); 1 when the edit is
//! refused (an invalid result, its diagnostics shown) or the person declined; 2 for
//! an unknown tag, account or door, a policy with errors, a file that cannot be
//! written or changed meanwhile, and without `--yes` off a terminal (nothing is
//! written: it says to pass `--yes`). It must never write a file the core did not
//! return, nor write anything under `--dry-run` or before the confirmation.

use accessctl_controller::load::load_policy;
use accessctl_controller::PolicyError;
use accessctl_core::authorize;
use accessctl_core::check;
use accessctl_core::edit::{self, Edit, EditRefused};
use accessctl_core::model::AdminRights;
use accessctl_core::select::select;
use serde::Serialize;
use thiserror::Error;

use crate::args::{BulkArgs, Format};
use crate::census::plural;
use crate::commands::acting;
use crate::commands::user_edit::{changed_files, write, ChangedFile, EditRun};
use crate::commands::user_list::today;
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
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
    let loaded = load_policy(&args.policy.path).map_err(PolicyError::Load)?;
    let checked = check(&loaded.sources);
    let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
    let Some(policy) = checked.policy.as_ref().filter(|_| errors == 0) else {
        return Err(CliError::Policy(PolicyError::InvalidPolicy {
            path: loaded.path,
            sources: Box::new(loaded.sources),
            diagnostics: checked.diagnostics,
            errors,
        }));
    };
    let today = today(policy, &args.filter);
    let selected = select(policy, &args.filter.filter(), today)?;
    let actor = acting::actor(&args.actor);
    let mut selected = selected;
    if let Some(actor) = &actor {
        let powers = authorize::visible(policy, actor)
            .map_err(|e| acting::violation(actor.admin, &e))
            .and_then(|visible| {
                authorize::require(policy, actor, AdminRights::BULK).map(|()| visible)
            });
        match powers {
            Ok(visible) => selected.retain(|id| visible.binary_search(id).is_ok()),
            Err(violation) => return acting::refused(&[violation], args.format.value, console),
        }
    }
    let names: Vec<String> = selected
        .iter()
        .filter_map(|id| policy.users.get(id.index()))
        .map(|u| u.name.clone())
        .collect();
    let dry_run = args.write.dry_run;
    let ask = !dry_run && !args.yes;
    if ask && console.terminal.is_none() && !names.is_empty() {
        return Err(BulkError::NotConfirmed {
            affected: names.len(),
        }
        .into());
    }
    let edits = edits(args, &names).map_err(CliError::Refused)?;
    let files = if edits.is_empty() {
        Vec::new()
    } else {
        let before = actor.is_some().then(|| checked.clone());
        match edit::apply_checked(&loaded.sources, checked, &edits) {
            Ok(edited) => {
                if let (Some(actor), Some(before)) = (&actor, &before) {
                    let violations = authorize::authorize(before, &edited.checked, actor);
                    if !violations.is_empty() {
                        return acting::refused(&violations, args.format.value, console);
                    }
                }
                changed_files(&loaded.sources, &edited)
            }
            Err(refused) if refused.is_refusal() => {
                let run = EditRun {
                    policy: &args.policy.path,
                    dry_run,
                    actor: None,
                    from: None,
                    format: args.format.value,
                };
                run.refused(&refused, console)?;
                return Ok(Exit::Negative);
            }
            Err(refused) => return Err(CliError::Refused(refused)),
        }
    };
    let show_diff = dry_run || ask;
    if args.format.value == Format::Human {
        let mut text = format!("{} will be affected\n", plural(names.len(), "user"));
        if show_diff {
            for file in &files {
                text += &file.diff;
            }
        }
        console.out.write_all(text.as_bytes())?;
    }
    let mut written = false;
    let mut exit = Exit::Success;
    if !files.is_empty() && !dry_run {
        if ask && !confirmed(console, files.len())? {
            exit = Exit::Negative;
        } else {
            write(&files)?;
            written = true;
        }
    }
    match args.format.value {
        Format::Human => {
            let said = match (written, dry_run, files.len()) {
                (true, _, n) => format!("written: {}\n", plural(n, "file")),
                (false, _, 0) => "nothing to change\n".to_owned(),
                (false, true, _) => "nothing written (--dry-run)\n".to_owned(),
                (false, false, _) => "nothing written\n".to_owned(),
            };
            console.out.write_all(said.as_bytes())?;
        }
        Format::Json => console.out.write_all(&json::document(&Outcome {
            version: SCHEMA_VERSION,
            affected: names.len(),
            users: names,
            dry_run,
            written,
            files: files.iter().map(FileView::of).collect(),
        }))?,
    }
    Ok(exit)
}

/// The edits of the action, one per selected user.
fn edits(args: &BulkArgs, names: &[String]) -> Result<Vec<Edit>, EditRefused> {
    if args.delete {
        return Ok(names
            .iter()
            .map(|user| Edit::RemoveUser { user: user.clone() })
            .collect());
    }
    let mut patch = args.give.patch()?;
    args.take.apply_to(&mut patch);
    Ok(names
        .iter()
        .map(|user| Edit::ChangeUser {
            user: user.clone(),
            patch: patch.clone(),
        })
        .collect())
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
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}

/// The run, as JSON (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Outcome {
    version: u32,
    affected: usize,
    users: Vec<String>,
    dry_run: bool,
    written: bool,
    files: Vec<FileView>,
}

/// One file the action changes, with its diff (secrets redacted).
#[derive(Serialize)]
struct FileView {
    path: String,
    diff: String,
}

impl FileView {
    fn of(file: &ChangedFile) -> FileView {
        FileView {
            path: file.path.clone(),
            diff: file.diff.clone(),
        }
    }
}
