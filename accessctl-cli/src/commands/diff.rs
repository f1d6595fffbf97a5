//! `accessctl diff OLD NEW [--emit-tests FILE]`: the semantic diff of two policies.
//!
//! Owns reading each side — a PATH as `--policy` takes it, or `git:REV:PATH` read
//! with `git ls-tree` and `git show` in the repository of the current directory —,
//! checking both (a side with errors stops the command, its diagnostics shown),
//! asking the core's `diff`, and rendering what it says: per door who gains and who
//! loses it and in which windows, with the clauses behind each at `file:line`; per
//! user the doors gained and lost; the other changes. With `--emit-tests FILE`, each
//! delta is written there as a `test` expectation of NEW. Exit 0 whatever the diff
//! says (it is informational; `review` judges), 2 when a side cannot be read or is
//! invalid, or FILE cannot be written. It must never decide anything itself.

use std::path::Path;
use std::process::Command;

use accessctl_controller::PolicyError;
use accessctl_core::diff::{self, AccessDelta, Cause, PolicyDiff, Version, Window};
use accessctl_core::{check, Checked, Sources};
use serde::Serialize;
use thiserror::Error;

use crate::args::{DiffArgs, Format};
use crate::atomic::{self, Existing};
use crate::census::plural;
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
use crate::load::load_policy;
use crate::render::json::{self, SCHEMA_VERSION};
use crate::render::Location;

/// Why a `git:REV:PATH` side cannot be read.
#[derive(Debug, Error)]
pub enum GitSideError {
    /// `git` could not be run at all.
    #[error("cannot run `git` for `{spec}`: {source}")]
    NoGit {
        /// The side as given.
        spec: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// The spec is not `git:REV:PATH`.
    #[error("`{spec}` is not `git:REV:PATH`")]
    Malformed {
        /// The side as given.
        spec: String,
    },
    /// The current directory is not in a git repository.
    #[error("`{spec}`: the current directory is not in a git repository")]
    NotRepository {
        /// The side as given.
        spec: String,
    },
    /// `git` refused (an unknown revision, …).
    #[error("`{spec}`: {message}")]
    Git {
        /// The side as given.
        spec: String,
        /// What git said, first line.
        message: String,
    },
    /// No `.acl` file at that path in that revision.
    #[error("`{spec}`: no `.acl` file at `{path}` in `{rev}`")]
    Missing {
        /// The side as given.
        spec: String,
        /// The revision.
        rev: String,
        /// The path.
        path: String,
    },
    /// A file is not UTF-8 text.
    #[error("`{spec}`: `{file}` is not UTF-8 text")]
    NotText {
        /// The side as given.
        spec: String,
        /// The file, as `REV:PATH`.
        file: String,
    },
}

impl GitSideError {
    /// The stable `kind` in JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            GitSideError::Malformed { .. } => "bad_git_spec",
            GitSideError::Missing { .. } | GitSideError::NotText { .. } => "unreadable",
            GitSideError::NoGit { .. }
            | GitSideError::NotRepository { .. }
            | GitSideError::Git { .. } => "git_failed",
        }
    }

    /// How to fix it.
    pub fn help(&self) -> Option<String> {
        match self {
            GitSideError::Malformed { .. } => {
                Some("write `git:REV:PATH`, e.g. `git:HEAD~1:policy`".into())
            }
            GitSideError::NotRepository { .. } => {
                Some("run the command inside the repository that holds the policy".into())
            }
            GitSideError::Missing { rev, .. } => {
                Some(format!("check the path with `git ls-tree -r {rev}`"))
            }
            _ => None,
        }
    }
}

/// Runs `diff`.
pub fn run(args: &DiffArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let old = Side::read(&args.old)?;
    let new = Side::read(&args.new)?;
    let changes = diff::diff(&old.checked, &new.checked);
    let mut emitted = None;
    if let Some(file) = &args.emit_tests {
        let policy = new.checked.policy.as_ref();
        let title = format!("diff {} {}", args.old, args.new);
        let text = policy
            .and_then(|p| diff::expectations(&changes, p, &title))
            .unwrap_or_else(|| format!("# {title}: no access gained or lost\n"));
        atomic::write(file, text.as_bytes(), 0o644, Existing::Replace)?;
        emitted = Some(file.display().to_string());
    }
    let document = Document::new(&old, &new, &changes, emitted);
    match args.format.value {
        Format::Human => console.out.write_all(document.human().as_bytes())?,
        Format::Json => console.out.write_all(&json::document(&document))?,
    }
    Ok(Exit::Success)
}

/// One side, read and checked (shared with `review`).
pub(crate) struct Side {
    pub(crate) spec: String,
    pub(crate) sources: Sources,
    pub(crate) checked: Checked,
}

impl Side {
    /// Reads and checks the side `spec` (a path or `git:REV:PATH`); one with errors
    /// is refused with its diagnostics.
    pub(crate) fn read(spec: &str) -> Result<Side, CliError> {
        let sources = match spec.strip_prefix("git:") {
            Some(rest) => git_sources(spec, rest)?,
            None => {
                load_policy(Path::new(spec))
                    .map_err(accessctl_controller::PolicyError::Load)?
                    .sources
            }
        };
        let checked = check(&sources);
        if checked.has_errors() {
            let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
            return Err(CliError::Policy(PolicyError::InvalidPolicy {
                path: spec.to_string(),
                sources: Box::new(sources),
                diagnostics: checked.diagnostics,
                errors,
            }));
        }
        Ok(Side {
            spec: spec.to_string(),
            sources,
            checked,
        })
    }

    fn at(&self, span: accessctl_core::Span) -> Option<Location> {
        Location::of(&self.sources, span)
    }
}

/// Runs `git ARGS` in the current directory; its standard output, or what it said.
fn git(spec: &str, args: &[&str]) -> Result<Vec<u8>, GitSideError> {
    let output = Command::new("git")
        .args(args)
        .output()
        .map_err(|source| GitSideError::NoGit {
            spec: spec.to_string(),
            source,
        })?;
    if output.status.success() {
        return Ok(output.stdout);
    }
    let said = String::from_utf8_lossy(&output.stderr);
    let message = said
        .lines()
        .next()
        .unwrap_or("git failed")
        .trim()
        .to_string();
    let message = message
        .strip_prefix("fatal: ")
        .unwrap_or(&message)
        .to_string();
    Err(GitSideError::Git {
        spec: spec.to_string(),
        message,
    })
}

/// The `.acl` files at PATH in REV, named `REV:FILE`.
fn git_sources(spec: &str, rest: &str) -> Result<Sources, CliError> {
    let malformed = || GitSideError::Malformed {
        spec: spec.to_string(),
    };
    let (rev, path) = rest.split_once(':').ok_or_else(malformed)?;
    // A revision starting with `-` would be read by git as an option.
    if rev.is_empty() || path.is_empty() || rev.starts_with('-') {
        return Err(malformed().into());
    }
    if git(spec, &["rev-parse", "--is-inside-work-tree"]).is_err() {
        return Err(GitSideError::NotRepository {
            spec: spec.to_string(),
        }
        .into());
    }
    let commit = format!("{rev}^{{commit}}");
    git(spec, &["rev-parse", "--verify", "--quiet", &commit]).map_err(|_| GitSideError::Git {
        spec: spec.to_string(),
        message: format!("unknown revision `{rev}`"),
    })?;
    let listed = git(
        spec,
        &[
            "ls-tree",
            "-r",
            "-z",
            "--full-name",
            "--name-only",
            rev,
            "--",
            path,
        ],
    )?;
    let files: Vec<String> = (listed.split(|b| *b == 0))
        .filter(|name| !name.is_empty())
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .filter(|name| name.ends_with(".acl"))
        .filter(|name| !name.split('/').any(|part| part.starts_with('.')))
        .collect();
    if files.is_empty() {
        return Err(GitSideError::Missing {
            spec: spec.to_string(),
            rev: rev.to_string(),
            path: path.to_string(),
        }
        .into());
    }
    let mut sources = Sources::new();
    for file in files {
        let object = format!("{rev}:{file}");
        let bytes = git(spec, &["show", &object])?;
        let text = String::from_utf8(bytes).map_err(|_| GitSideError::NotText {
            spec: spec.to_string(),
            file: object.clone(),
        })?;
        sources.add(object, text);
    }
    Ok(sources)
}

/// The answer, as shown and as JSON (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Document {
    version: u32,
    old: String,
    new: String,
    widens: bool,
    affected_users: usize,
    access: Vec<DeltaView>,
    changes: Vec<ChangeView>,
    /// The file `--emit-tests` wrote.
    emitted_tests: Option<String>,
}

#[derive(Serialize)]
struct DeltaView {
    gained: bool,
    user: String,
    door: String,
    timezone: &'static str,
    windows: Vec<WindowView>,
    cause: Vec<ClauseView>,
}

#[derive(Serialize)]
struct WindowView {
    text: String,
    from: Option<String>,
    to: Option<String>,
    weekly: Vec<WeeklyView>,
    days: Vec<DayView>,
}

#[derive(Serialize)]
struct WeeklyView {
    days: Vec<&'static str>,
    ranges: Vec<String>,
}

#[derive(Serialize)]
struct DayView {
    date: String,
    ranges: Vec<String>,
}

#[derive(Serialize)]
struct ClauseView {
    version: Version,
    text: String,
    #[serde(flatten)]
    location: Option<Location>,
}

#[derive(Serialize)]
struct ChangeView {
    subject: diff::Subject,
    name: String,
    field: &'static str,
    old: Option<String>,
    new: Option<String>,
    widens: bool,
    cause: Vec<ClauseView>,
}

const DAY_WORDS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn window_view(window: &Window) -> WindowView {
    let ranges = |r: &[diff::MinuteRange]| r.iter().map(ToString::to_string).collect();
    WindowView {
        text: window.describe(),
        from: window.from.map(|d| d.to_string()),
        to: window.to.map(|d| d.to_string()),
        weekly: (window.weekly.iter())
            .map(|w| WeeklyView {
                days: (DAY_WORDS.iter().enumerate())
                    .filter(|(i, _)| w.days.bits() & (1 << i) != 0)
                    .map(|(_, d)| *d)
                    .collect(),
                ranges: ranges(&w.ranges),
            })
            .collect(),
        days: (window.days.iter())
            .map(|d| DayView {
                date: d.date.to_string(),
                ranges: ranges(&d.ranges),
            })
            .collect(),
    }
}

fn clauses(cause: &Cause, old: &Side, new: &Side) -> Vec<ClauseView> {
    (cause.clauses.iter())
        .map(|c| ClauseView {
            version: c.version,
            text: c.text.clone(),
            location: match c.version {
                Version::Old => old.at(c.span),
                Version::New => new.at(c.span),
            },
        })
        .collect()
}

impl Document {
    fn new(old: &Side, new: &Side, changes: &PolicyDiff, emitted: Option<String>) -> Document {
        let delta = |d: &AccessDelta| DeltaView {
            gained: d.gained,
            user: d.user.clone(),
            door: d.door.clone(),
            timezone: d.timezone.name(),
            windows: d.windows.iter().map(window_view).collect(),
            cause: clauses(&d.cause, old, new),
        };
        Document {
            version: SCHEMA_VERSION,
            old: old.spec.clone(),
            new: new.spec.clone(),
            widens: changes.widens(),
            affected_users: changes.affected_users(),
            access: changes.access.iter().map(delta).collect(),
            changes: (changes.changes.iter())
                .map(|c| ChangeView {
                    subject: c.subject,
                    name: c.name.clone(),
                    field: c.field,
                    old: c.old.clone(),
                    new: c.new.clone(),
                    widens: c.widens,
                    cause: clauses(&c.cause, old, new),
                })
                .collect(),
            emitted_tests: emitted,
        }
    }

    fn human(&self) -> String {
        let mut out = format!("diff {} → {}\n", self.old, self.new);
        if self.access.is_empty() && self.changes.is_empty() {
            out += "no difference in meaning\n";
            return out;
        }
        let sign = |gained: bool| if gained { '+' } else { '-' };
        if !self.access.is_empty() {
            out += "\naccess by door:\n";
            let mut door = "";
            for d in &self.access {
                if d.door != door {
                    door = &d.door;
                    out += &format!("  {door} ({})\n", d.timezone);
                }
                for w in &d.windows {
                    out += &format!("    {} {} {}\n", sign(d.gained), d.user, w.text);
                }
                for c in &d.cause {
                    out += &format!("        {}\n", clause_line(c));
                }
            }
            out += "\naccess by user:\n";
            let mut users: Vec<&str> = self.access.iter().map(|d| d.user.as_str()).collect();
            users.sort_unstable();
            users.dedup();
            for user in users {
                let doors: Vec<String> = (self.access.iter())
                    .filter(|d| d.user == user)
                    .map(|d| format!("{}{}", sign(d.gained), d.door))
                    .collect();
                out += &format!("  {user}: {}\n", doors.join(" "));
            }
        }
        if !self.changes.is_empty() {
            out += "\nchanges:\n";
            for c in &self.changes {
                let subject = match c.subject {
                    diff::Subject::User => "user",
                    diff::Subject::Account => "account",
                    diff::Subject::Schedule => "schedule",
                    diff::Subject::Holidays => "holidays",
                    diff::Subject::Door => "door",
                };
                let value = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
                let what = match c.field {
                    "added" | "removed" => c.field.to_string(),
                    field => format!("{field}: {} → {}", value(&c.old), value(&c.new)),
                };
                let widens = if c.widens { " (widens)" } else { "" };
                out += &format!("  {subject} {} {what}{widens}\n", c.name);
                for clause in &c.cause {
                    out += &format!("        {}\n", clause_line(clause));
                }
            }
        }
        let gained = self.access.iter().filter(|d| d.gained).count();
        let lost = self.access.len() - gained;
        out += &format!(
            "\n{} affected: {} gained, {} lost, {}{}\n",
            plural(self.affected_users, "user"),
            plural(gained, "door"),
            plural(lost, "door"),
            plural(self.changes.len(), "other change"),
            if self.widens { "; access widens" } else { "" }
        );
        if let Some(file) = &self.emitted_tests {
            out += &format!("tests written to {file}\n");
        }
        out
    }
}

fn clause_line(clause: &ClauseView) -> String {
    let version = match clause.version {
        Version::Old => "old",
        Version::New => "new",
    };
    match &clause.location {
        Some(at) => format!("{version} {}:{}  {}", at.file, at.line, clause.text),
        None => format!("{version}  {}", clause.text),
    }
}
