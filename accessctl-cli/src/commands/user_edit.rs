//! `accessctl user add`, `user set`, `user rm`: a user added, changed or removed in
//! the policy's own files.
//!
//! Owns the run of an edit: the policy read, the options turned into the core's
//! [`Edit`]s, [`accessctl_core::edit::apply`] asked for the new texts (only the edited
//! users' lines rewritten, the result checked), then each changed file replaced
//! atomically — refused, with nothing written, when any of them changed since it was
//! read — or, with `--dry-run`, only the unified diff printed. With `--as ADMIN`, the
//! change is first checked by the core's `authorize` against that admin's powers
//! (the address from `--from`, else `SSH_CLIENT`), and refused on any violation. Exit
//! 0 when written (or writable), 1 when the policy refuses the edit (the result would
//! be invalid, a card is another user's, the admin may not make it), 2 for an unknown name, a malformed value, a policy with errors
//! or a file that cannot be written. It must never write a file the core did not
//! return, and never print a secret (PINs, QR codes and mobile keys in a diff are
//! shown as `"…"`).

use std::net::IpAddr;
use std::path::Path;

use accessctl_controller::load::{load_policy, read_text};
use accessctl_controller::PolicyError;
use accessctl_core::authorize::{self, Actor, Violation};
use accessctl_core::edit::{self, Applied, Edit, EditRefused, Edited};
use accessctl_core::{check, Diagnostic, Sources};
use serde::Serialize;

use crate::args::{Format, UserAddArgs, UserRmArgs, UserSetArgs};
use crate::atomic::{self, EditError};
use crate::console::Console;
use crate::diff;
use crate::error::CliError;
use crate::exit::Exit;
use crate::render::human;
use crate::render::json::{self, JsonDiagnostic, SCHEMA_VERSION};
use crate::render::Location;

/// Runs `user add`.
pub fn add(args: &UserAddArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let mut patch = args.give.patch().map_err(CliError::Refused)?;
    patch.title = Some(args.full_name.clone());
    patch.email = Some(args.email.clone());
    patch.created_by.clone_from(&args.actor.admin);
    let edit = Edit::AddUser {
        account: args.account.clone(),
        user: args.user.clone(),
        patch,
    };
    let run = EditRun {
        policy: &args.policy.path,
        dry_run: args.write.dry_run,
        actor: args.actor.admin.as_deref(),
        from: args.actor.from.or_else(ssh_client),
        format: args.format.value,
    };
    run.run(&[edit], console)
}

/// Runs `user set`.
pub fn set(args: &UserSetArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let mut patch = args.give.patch().map_err(CliError::Refused)?;
    args.take.apply_to(&mut patch);
    patch.title.clone_from(&args.full_name);
    patch.email.clone_from(&args.email);
    let edit = Edit::ChangeUser {
        user: args.user.clone(),
        patch,
    };
    let run = EditRun {
        policy: &args.policy.path,
        dry_run: args.write.dry_run,
        actor: args.actor.admin.as_deref(),
        from: args.actor.from.or_else(ssh_client),
        format: args.format.value,
    };
    run.run(&[edit], console)
}

/// Runs `user rm`.
pub fn rm(args: &UserRmArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let edits: Vec<Edit> = args
        .users
        .iter()
        .map(|user| Edit::RemoveUser { user: user.clone() })
        .collect();
    let run = EditRun {
        policy: &args.policy.path,
        dry_run: args.write.dry_run,
        actor: args.actor.admin.as_deref(),
        from: args.actor.from.or_else(ssh_client),
        format: args.format.value,
    };
    run.run(&edits, console)
}

/// One edit command's run.
pub struct EditRun<'a> {
    /// The policy's PATH.
    pub policy: &'a Path,
    /// Print the diff, write nothing.
    pub dry_run: bool,
    /// `--as ADMIN`: the admin whose powers the change must stay within.
    pub actor: Option<&'a str>,
    /// The address the admin acts from.
    pub from: Option<IpAddr>,
    /// The output format.
    pub format: Format,
}

impl EditRun<'_> {
    /// Applies `edits` to the policy, writes (or shows) the result and reports it.
    pub fn run(&self, edits: &[Edit], console: &mut Console<'_>) -> Result<Exit, CliError> {
        let loaded = load_policy(self.policy).map_err(PolicyError::Load)?;
        let edited = match edit::apply(&loaded.sources, edits) {
            Ok(edited) => edited,
            Err(EditRefused::InvalidPolicy { diagnostics }) => {
                let errors = diagnostics.iter().filter(|d| d.is_error()).count();
                return Err(CliError::Policy(PolicyError::InvalidPolicy {
                    path: loaded.path,
                    sources: Box::new(loaded.sources),
                    diagnostics,
                    errors,
                }));
            }
            Err(refused) if refused.is_refusal() => {
                self.refused(&refused, console)?;
                return Ok(Exit::Negative);
            }
            Err(refused) => return Err(CliError::Refused(refused)),
        };
        if let Some(admin) = self.actor {
            let actor = Actor {
                admin,
                from: self.from,
            };
            let violations = authorize::authorize(&check(&loaded.sources), &edited.checked, &actor);
            if !violations.is_empty() {
                self.not_authorized(admin, &violations, &edited.sources, console)?;
                return Ok(Exit::Negative);
            }
        }
        let files = changed_files(&loaded.sources, &edited);
        if !self.dry_run {
            write(&files)?;
        }
        self.report(&edited.applied, &files, console)?;
        Ok(Exit::Success)
    }

    /// Prints a refusal of the policy: what it refuses and, for an invalid result, the
    /// diagnostics against the new text.
    pub(crate) fn refused(
        &self,
        refused: &EditRefused,
        console: &mut Console<'_>,
    ) -> Result<(), CliError> {
        let (sources, diagnostics): (Option<&Sources>, &[Diagnostic]) = match refused {
            EditRefused::InvalidResult {
                sources,
                diagnostics,
            } => (Some(sources), diagnostics),
            _ => (None, &[]),
        };
        let help = refused.help();
        match self.format {
            Format::Human => {
                if let Some(sources) = sources {
                    let drawn = human::diagnostics(sources, diagnostics, console.color);
                    console.out.write_all(&drawn)?;
                }
                let message = format!("{refused}; nothing was written");
                let drawn = human::error(None, &message, help.as_deref(), console.color);
                console.out.write_all(&drawn)?;
            }
            Format::Json => {
                let document = Document {
                    version: SCHEMA_VERSION,
                    status: "refused",
                    dry_run: self.dry_run,
                    applied: Vec::new(),
                    files: Vec::new(),
                    refusal: Some(Refusal {
                        kind: refused.kind(),
                        message: refused.to_string(),
                        help,
                        diagnostics: sources
                            .map(|s| JsonDiagnostic::all(s, diagnostics))
                            .unwrap_or_default(),
                        violations: Vec::new(),
                    }),
                };
                console.out.write_all(&json::document(&document))?;
            }
        }
        Ok(())
    }

    /// Prints each change `admin` may not make, at its place in the new text.
    fn not_authorized(
        &self,
        admin: &str,
        violations: &[Violation],
        sources: &Sources,
        console: &mut Console<'_>,
    ) -> Result<(), CliError> {
        let located: Vec<ViolationJson> = violations
            .iter()
            .map(|v| ViolationJson {
                rule: v.rule.as_str(),
                user: v.user.clone(),
                message: v.message.clone(),
                location: v.span.and_then(|span| Location::of(sources, span)),
            })
            .collect();
        let message = format!(
            "`{admin}` may not make this edit ({} broken); nothing was written",
            crate::census::plural(violations.len(), "rule")
        );
        match self.format {
            Format::Human => {
                let mut out = Vec::new();
                for v in &located {
                    out.extend(format!("error: {}: {}\n", v.rule, v.message).bytes());
                    if let Some(at) = &v.location {
                        out.extend(
                            format!("  --> {}:{}:{}\n", at.file, at.line, at.column).bytes(),
                        );
                    }
                }
                out.extend(human::error(None, &message, None, console.color));
                console.out.write_all(&out)?;
            }
            Format::Json => {
                let document = Document {
                    version: SCHEMA_VERSION,
                    status: "refused",
                    dry_run: self.dry_run,
                    applied: Vec::new(),
                    files: Vec::new(),
                    refusal: Some(Refusal {
                        kind: "not_authorized",
                        message,
                        help: None,
                        diagnostics: Vec::new(),
                        violations: located,
                    }),
                };
                console.out.write_all(&json::document(&document))?;
            }
        }
        Ok(())
    }

    fn report(
        &self,
        applied: &[Applied],
        files: &[ChangedFile],
        console: &mut Console<'_>,
    ) -> Result<(), CliError> {
        match self.format {
            Format::Human => {
                let mut out = String::new();
                for done in applied {
                    out.push_str(&sentence(done, self.dry_run));
                    out.push('\n');
                }
                for file in files {
                    if self.dry_run {
                        out.push_str(&file.diff);
                    } else {
                        out.push_str(&format!("wrote {}\n", file.path));
                        for line in file.diff.lines().skip(2) {
                            if line.starts_with(['+', '-']) {
                                out.push_str(&format!("  {line}\n"));
                            }
                        }
                    }
                }
                if files.is_empty() {
                    out.push_str("nothing to write: the policy already says so\n");
                } else if self.dry_run {
                    out.push_str("nothing written (--dry-run)\n");
                }
                console.out.write_all(out.as_bytes())?;
            }
            Format::Json => {
                let document = Document {
                    version: SCHEMA_VERSION,
                    status: if self.dry_run { "dry_run" } else { "written" },
                    dry_run: self.dry_run,
                    applied: applied
                        .iter()
                        .map(|a| AppliedJson {
                            action: a.action.as_str(),
                            user: a.user.clone(),
                            account: a.account.clone(),
                        })
                        .collect(),
                    files: files
                        .iter()
                        .map(|f| FileJson {
                            path: f.path.clone(),
                            diff: f.diff.clone(),
                        })
                        .collect(),
                    refusal: None,
                };
                console.out.write_all(&json::document(&document))?;
            }
        }
        Ok(())
    }
}

/// `added user eve to tenants@acme`, or `would add …` with `--dry-run`.
fn sentence(done: &Applied, dry_run: bool) -> String {
    let (verb, preposition) = match (done.action, dry_run) {
        (edit::Action::Added, false) => ("added", "to"),
        (edit::Action::Added, true) => ("would add", "to"),
        (edit::Action::Changed, false) => ("changed", "in"),
        (edit::Action::Changed, true) => ("would change", "in"),
        (edit::Action::Removed, false) => ("removed", "from"),
        (edit::Action::Removed, true) => ("would remove", "from"),
    };
    format!(
        "{verb} user {} {preposition} account {}",
        done.user, done.account
    )
}

/// A file the edit rewrites.
pub(crate) struct ChangedFile {
    pub(crate) path: String,
    old: String,
    new: String,
    /// The unified diff, secrets shown as `"…"`.
    pub(crate) diff: String,
}

pub(crate) fn changed_files(sources: &Sources, edited: &Edited) -> Vec<ChangedFile> {
    edited
        .changed
        .iter()
        .map(|id| {
            let old = sources.get(*id);
            let new = edited.sources.get(*id).text();
            ChangedFile {
                path: old.name().to_owned(),
                old: old.text().to_owned(),
                new: new.to_owned(),
                diff: redact(&diff::unified(old.text(), new, old.name())),
            }
        })
        .collect()
}

/// Every file replaced, none if any changed since it was read.
pub(crate) fn write(files: &[ChangedFile]) -> Result<(), CliError> {
    for file in files {
        let now = read_text(Path::new(&file.path)).map_err(PolicyError::Load)?;
        if now != file.old {
            return Err(CliError::Changed {
                path: file.path.clone(),
            });
        }
    }
    for file in files {
        atomic::replace(Path::new(&file.path), &file.old, &file.new).map_err(|e| match e {
            EditError::Changed { path } => CliError::Changed { path },
            other => CliError::Edit(other),
        })?;
    }
    Ok(())
}

/// `text` with the strings after `pin`, `qr`, `mobile` and `code` shown as `"…"`.
fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        out.push_str(&redact_line(line));
    }
    out
}

fn redact_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = ["pin \"", "qr \"", "mobile \"", "code \""]
        .iter()
        .filter_map(|k| rest.find(k).map(|i| (i, k.len())))
        .min()
    {
        let (i, len) = at;
        let (head, tail) = rest.split_at(i + len);
        out.push_str(head);
        let mut escaped = false;
        let mut end = tail.len();
        for (j, c) in tail.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = j;
                    break;
                }
                _ => escaped = false,
            }
        }
        out.push('…');
        rest = tail.get(end..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// The JSON document of `user add`, `user set` and `user rm` (schema in docs/cli.md).
#[derive(Serialize)]
struct Document {
    version: u32,
    /// `written`, `dry_run` or `refused`.
    status: &'static str,
    dry_run: bool,
    applied: Vec<AppliedJson>,
    files: Vec<FileJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refusal: Option<Refusal>,
}

#[derive(Serialize)]
struct AppliedJson {
    action: &'static str,
    user: String,
    account: String,
}

#[derive(Serialize)]
struct FileJson {
    path: String,
    diff: String,
}

#[derive(Serialize)]
struct Refusal {
    kind: &'static str,
    message: String,
    help: Option<String>,
    diagnostics: Vec<JsonDiagnostic>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    violations: Vec<ViolationJson>,
}

/// A change the admin may not make.
#[derive(Serialize)]
struct ViolationJson {
    /// `visibility`, `right`, `ceiling`, `schedule` or `ip`.
    rule: &'static str,
    user: String,
    message: String,
    /// Where in the new text (`null` when nowhere).
    location: Option<Location>,
}

/// The address in `SSH_CLIENT` (`ADDRESS PORT PORT`), if any.
fn ssh_client() -> Option<IpAddr> {
    let value = std::env::var("SSH_CLIENT").ok()?;
    value.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_changed_since_it_was_read_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.acl"), dir.path().join("b.acl"));
        std::fs::write(&a, "old a\n").unwrap();
        std::fs::write(&b, "changed underneath\n").unwrap();
        let file = |path: &Path, old: &str| ChangedFile {
            path: path.display().to_string(),
            old: old.to_owned(),
            new: "new\n".to_owned(),
            diff: String::new(),
        };
        let files = [file(&a, "old a\n"), file(&b, "old b\n")];
        let error = write(&files).unwrap_err();
        assert!(matches!(&error, CliError::Changed { path } if path.ends_with("b.acl")));
        assert_eq!(error.kind(), "file_changed");
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a\n");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "changed underneath\n");
    }

    #[test]
    fn secrets_in_a_diff_are_redacted() {
        assert_eq!(
            redact("+    pin \"482913\"\n-  mobile \"wm-\\\"x\" qr \"Q\"\n"),
            "+    pin \"…\"\n-  mobile \"…\" qr \"…\"\n"
        );
        assert_eq!(redact(" email \"a@b\"\n"), " email \"a@b\"\n");
    }
}
