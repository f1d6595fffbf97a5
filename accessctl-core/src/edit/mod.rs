//! Lossless edits: users added, changed or removed in the policy's own text.
//!
//! Owns [`apply`]: a list of [`Edit`]s over the syntax trees of a valid policy, turned
//! into new source texts that rewrite **only** the entries they touch — each edited
//! user printed in canonical form by [`format`](crate::format), indented where it
//! stands — and keep every other byte of every file exactly: comments, blank lines,
//! the author's layout and order. A new user goes at the end of its account's (or
//! sub-account's) block, after its last entry and before the block's closing comments;
//! a removed user takes its lines out with its leading comments, and one of the blank
//! lines around it when two would meet. An entry that shares a line with another (an
//! account written on one line) cannot be cut out alone: the smallest enclosing entry
//! that stands on its own lines is rewritten instead, and the whole file when none does.
//!
//! The result is checked as a whole ([`crate::check`]) before anything is returned:
//! an edit whose result is invalid is refused with the diagnostics against the new
//! text, and an edit on an invalid policy with the policy's own.
//!
//! It must never do I/O, never return a text that does not check, and never touch a
//! byte outside the entries it edits (the property tests of `tests.rs` hold it to it).

mod locate;
mod patch;
mod splice;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use serde::Serialize;
use thiserror::Error;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Sources};
use crate::syntax::ast::{AccountClause, Block, Entry, Ident, Str, Trivia, User};
use crate::{check, Checked};

pub use patch::{parse_target, parse_valid, Field, UserPatch, ValidWindow};

/// One change to a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// A new user at the end of an account's block.
    AddUser {
        /// The account or sub-account: `name`, or `name@parent[@grandparent…]` where
        /// the name alone is ambiguous.
        account: String,
        /// The new user's name (handle).
        user: String,
        /// Its clauses: a full name (`title`) and an email are required.
        patch: UserPatch,
    },
    /// Clauses of an existing user changed.
    ChangeUser {
        /// The user's name.
        user: String,
        /// What changes.
        patch: UserPatch,
    },
    /// A user taken out, with its leading comments; its credentials are free again.
    RemoveUser {
        /// The user's name.
        user: String,
    },
}

impl Edit {
    /// The user the edit is about.
    pub fn user(&self) -> &str {
        match self {
            Edit::AddUser { user, .. }
            | Edit::ChangeUser { user, .. }
            | Edit::RemoveUser { user } => user,
        }
    }
}

/// The outcome of [`apply`]: the new texts, checked.
#[derive(Debug, Clone)]
pub struct Edited {
    /// Every file of the policy, in the same order and under the same names, with its
    /// new text (unchanged files byte for byte as they were).
    pub sources: Sources,
    /// The files whose text changed, in file order.
    pub changed: Vec<FileId>,
    /// The new policy, checked: valid (warnings allowed).
    pub checked: Checked,
    /// What each edit did, in the order given.
    pub applied: Vec<Applied>,
}

/// What one edit did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// `added`, `changed` or `removed`.
    pub action: Action,
    /// The user.
    pub user: String,
    /// The account it belongs (or belonged) to, as `name@parent…` from the innermost.
    pub account: String,
    /// The file it stands (or stood) in.
    #[serde(skip)]
    pub file: FileId,
}

/// The kind of an [`Applied`] edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// A new user.
    Added,
    /// An existing user's clauses changed.
    Changed,
    /// A user taken out.
    Removed,
}

impl Action {
    /// `added`, `changed`, `removed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Added => "added",
            Action::Changed => "changed",
            Action::Removed => "removed",
        }
    }
}

/// Why an edit was refused. Nothing is returned to write.
#[derive(Debug, Clone, Error)]
pub enum EditRefused {
    /// The policy has errors before any edit: fix them first.
    #[error("the policy has {count} and cannot be edited", count = plural_errors(diagnostics))]
    InvalidPolicy {
        /// The policy's own diagnostics, against its texts.
        diagnostics: Vec<Diagnostic>,
    },
    /// The edited policy would be invalid.
    #[error("the edit would make the policy invalid ({count})", count = plural_errors(diagnostics))]
    InvalidResult {
        /// The texts the diagnostics point into: for showing them, never for writing.
        sources: Box<Sources>,
        /// The diagnostics against those texts.
        diagnostics: Vec<Diagnostic>,
    },
    /// No user has this name.
    #[error("unknown user `{name}`")]
    UnknownUser {
        /// The name asked for.
        name: String,
        /// A likely intended name.
        suggestion: Option<String>,
    },
    /// A user with this name exists already.
    #[error("a user `{name}` exists already, in account `{account}`")]
    UserExists {
        /// The name.
        name: String,
        /// Where it is.
        account: String,
    },
    /// No account or sub-account answers to this address.
    #[error("unknown account `{name}`")]
    UnknownAccount {
        /// The address asked for.
        name: String,
        /// A likely intended one.
        suggestion: Option<String>,
    },
    /// Several sub-accounts have this name.
    #[error("account `{name}` is ambiguous: it may be {}", candidates.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "))]
    AmbiguousAccount {
        /// The address asked for.
        name: String,
        /// Each one's full address (`name@parent…`).
        candidates: Vec<String>,
    },
    /// No door, group, path or site has this name.
    #[error("unknown door `{target}` (no door, group, path or site has this name)")]
    UnknownTarget {
        /// The target as given.
        target: String,
        /// A likely intended name.
        suggestion: Option<String>,
    },
    /// No schedule has this name.
    #[error("unknown schedule `{name}`")]
    UnknownSchedule {
        /// The name asked for.
        name: String,
        /// A likely intended name.
        suggestion: Option<String>,
    },
    /// No user holds this tag: nothing to remove.
    #[error("unknown tag `{tag}`: no user has it")]
    UnknownTag {
        /// The tag asked for.
        tag: String,
        /// A likely intended tag.
        suggestion: Option<String>,
    },
    /// Not an admin right.
    #[error("unknown admin right `{right}`")]
    UnknownRight {
        /// The word given.
        right: String,
        /// A likely intended right.
        suggestion: Option<String>,
    },
    /// The card is another user's.
    #[error("card {card} is already held by `{holder}`")]
    CardHeld {
        /// The card number.
        card: String,
        /// Who holds it.
        holder: String,
    },
    /// `--no-card` of a card the user does not hold.
    #[error("`{user}` holds no card {card}")]
    CardNotHeld {
        /// The user.
        user: String,
        /// The card number.
        card: String,
    },
    /// `--deny` of a target none of the user's grants names.
    #[error("`{user}` has no grant written `{target}`")]
    NotGranted {
        /// The user.
        user: String,
        /// The target as given.
        target: String,
        /// The user's grants as written, for the help.
        grants: Vec<String>,
    },
    /// A value that cannot be written in a policy.
    #[error("malformed {what} `{value}`: {reason}")]
    Malformed {
        /// `card number`, `user name`, `tag`, `target`, `validity window`, …
        what: &'static str,
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A new user lacks a required field.
    #[error("a new user needs {field}")]
    MissingField {
        /// `a full name` or `an email`.
        field: &'static str,
    },
}

impl EditRefused {
    /// A stable name for scripts (the `kind` of the CLI's JSON error).
    pub fn kind(&self) -> &'static str {
        match self {
            EditRefused::InvalidPolicy { .. } => "invalid_policy",
            EditRefused::InvalidResult { .. } => "invalid_result",
            EditRefused::UnknownUser { .. } => "unknown_user",
            EditRefused::UserExists { .. } => "user_exists",
            EditRefused::UnknownAccount { .. } => "unknown_account",
            EditRefused::AmbiguousAccount { .. } => "ambiguous_account",
            EditRefused::UnknownTarget { .. } => "unknown_door",
            EditRefused::UnknownSchedule { .. } => "unknown_schedule",
            EditRefused::UnknownTag { .. } => "unknown_tag",
            EditRefused::UnknownRight { .. } => "unknown_right",
            EditRefused::CardHeld { .. } => "card_held",
            EditRefused::CardNotHeld { .. } => "card_not_held",
            EditRefused::NotGranted { .. } => "not_granted",
            EditRefused::Malformed { .. } => "malformed",
            EditRefused::MissingField { .. } => "missing_field",
        }
    }

    /// How to fix it, when known.
    pub fn help(&self) -> Option<String> {
        match self {
            EditRefused::UnknownUser {
                suggestion: Some(s),
                ..
            }
            | EditRefused::UnknownAccount {
                suggestion: Some(s),
                ..
            }
            | EditRefused::UnknownTarget {
                suggestion: Some(s),
                ..
            }
            | EditRefused::UnknownSchedule {
                suggestion: Some(s),
                ..
            }
            | EditRefused::UnknownTag {
                suggestion: Some(s),
                ..
            }
            | EditRefused::UnknownRight {
                suggestion: Some(s),
                ..
            } => Some(format!("did you mean `{s}`?")),
            EditRefused::AmbiguousAccount { .. } => {
                Some("name the sub-account with its parent: `name@parent`".into())
            }
            EditRefused::CardHeld { holder, .. } => Some(format!(
                "take it from `{holder}` first (`user set {holder} --no-card …`, or remove the user)"
            )),
            EditRefused::NotGranted { grants, .. } if !grants.is_empty() => {
                Some(format!("its grants: {}", grants.join("; ")))
            }
            EditRefused::InvalidPolicy { .. } => {
                Some("run `accessctl validate` and fix the errors first".into())
            }
            EditRefused::UnknownRight { .. } => Some(format!(
                "admin rights are {} or `all`",
                crate::model::AdminRights::words().collect::<Vec<_>>().join(" ")
            )),
            _ => None,
        }
    }

    /// Whether the edit itself is well formed but the policy refuses it (the result
    /// would be invalid, or a card is someone else's): a negative answer, not an input
    /// error.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            EditRefused::InvalidResult { .. } | EditRefused::CardHeld { .. }
        )
    }
}

fn plural_errors(diagnostics: &[Diagnostic]) -> String {
    let n = diagnostics.iter().filter(|d| d.is_error()).count();
    if n == 1 {
        "1 error".to_owned()
    } else {
        format!("{n} errors")
    }
}

/// Applies `edits`, in order, to the valid policy `sources` and returns its new texts,
/// checked. Nothing is applied unless every edit is.
pub fn apply(sources: &Sources, edits: &[Edit]) -> Result<Edited, EditRefused> {
    apply_checked(sources, check(sources), edits)
}

/// [`apply`] to `sources` already checked as `checked` (what `check(sources)`
/// returned), for a caller that needed the policy first — `bulk` selects its users
/// from it — and should not check the same texts twice.
pub fn apply_checked(
    sources: &Sources,
    checked: Checked,
    edits: &[Edit],
) -> Result<Edited, EditRefused> {
    let (texts, _, applied) = run(sources, checked, edits)?;
    finish(sources, texts, applied)
}

/// The new texts (`None`: unchanged), the trees they should parse to, and what was
/// done; not yet checked.
#[allow(clippy::type_complexity)]
fn run(
    sources: &Sources,
    checked: Checked,
    edits: &[Edit],
) -> Result<
    (
        Vec<Option<String>>,
        Vec<crate::syntax::ast::File>,
        Vec<Applied>,
    ),
    EditRefused,
> {
    let Some(policy) = checked.policy.as_ref().filter(|_| !checked.has_errors()) else {
        return Err(EditRefused::InvalidPolicy {
            diagnostics: checked.diagnostics,
        });
    };
    let names = locate::Names::new(policy);
    let mut work = locate::Workspace::new(checked.files, names);
    let mut applied = Vec::with_capacity(edits.len());
    for edit in edits {
        applied.push(work.apply(edit)?);
    }
    let (texts, _) = splice::render(sources, &mut work);
    Ok((texts, work.files, applied))
}

/// The new sources, checked.
fn finish(
    sources: &Sources,
    texts: Vec<Option<String>>,
    applied: Vec<Applied>,
) -> Result<Edited, EditRefused> {
    let mut new = Sources::new();
    let mut changed = Vec::new();
    for ((id, file), text) in sources.iter().zip(texts) {
        match text {
            Some(text) if text != file.text() => {
                changed.push(id);
                new.add(file.name(), text);
            }
            _ => {
                new.add(file.name(), file.text());
            }
        }
    }
    let checked = check(&new);
    if checked.has_errors() || checked.policy.is_none() {
        return Err(EditRefused::InvalidResult {
            sources: Box::new(new),
            diagnostics: checked.diagnostics,
        });
    }
    Ok(Edited {
        sources: new,
        changed,
        checked,
        applied,
    })
}

/// A fresh entry of an account block holding `user`.
fn user_entry(user: User) -> Entry<AccountClause> {
    Entry {
        trivia: Trivia::default(),
        node: AccountClause::User(user),
        span: crate::source::Span::default(),
    }
}

/// A name as a fresh identifier.
fn ident(name: &str) -> Ident {
    Ident {
        name: name.to_owned(),
        span: crate::source::Span::default(),
    }
}

/// A value as a fresh string literal.
fn string(value: &str) -> Str {
    Str {
        value: value.to_owned(),
        span: crate::source::Span::default(),
    }
}

/// An empty block.
fn empty_block<T>() -> Block<T> {
    Block {
        open_comment: None,
        entries: Vec::new(),
        dangling: Vec::new(),
        span: crate::source::Span::default(),
    }
}

/// Card numbers by value, to their holder's name.
type CardHolders = HashMap<u64, String>;
