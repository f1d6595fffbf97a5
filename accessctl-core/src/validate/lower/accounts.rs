//! Lowering of accounts, sub-accounts and their ceilings.
//!
//! Owns the account tree (parents, children, members, in pre-order) and each
//! sub-account's ceiling: its door targets, rights (`all` is every right) and default
//! schedule; a ceiling part left out grants nothing, and a sub-account with no
//! `ceiling` at all has an empty one. It reports a ceiling on a top-level account
//! (E0604) and a second ceiling in one sub-account (E0212).
//!
//! It must never compare ceilings or grants with each other: that is
//! [`crate::validate::delegation`].

use super::once::{keyword_span, Once};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{self, AccountId, Ceiling, Policy, UserId};
use crate::syntax::ast::{self, AccountClause};
use crate::validate::names::Names;
use crate::validate::{id, values};

/// Lowers every account and sub-account of `names` into `policy`, with its members
/// and children.
pub(super) fn lower(names: &Names<'_>, policy: &mut Policy, diags: &mut Vec<Diagnostic>) {
    policy.accounts = names
        .accounts
        .iter()
        .map(|(a, parent)| account(names, a, *parent, diags))
        .collect();
    for (index, (_, parent)) in names.accounts.iter().enumerate() {
        let parent = parent.and_then(|p| policy.accounts.get_mut(p.index()));
        if let Some(parent) = parent {
            parent.children.push(AccountId(id(index)));
        }
    }
    for (index, (_, account)) in names.users.iter().enumerate() {
        if let Some(account) = policy.accounts.get_mut(account.index()) {
            account.users.push(UserId(id(index)));
        }
    }
}

fn account(
    names: &Names<'_>,
    account: &ast::Account,
    parent: Option<AccountId>,
    diags: &mut Vec<Diagnostic>,
) -> model::Account {
    let mut ceiling = parent.map(|_| Ceiling::default());
    let mut once = Once::new("sub-account");
    for entry in &account.body.entries {
        let AccountClause::Ceiling(written) = &entry.node else {
            continue;
        };
        if parent.is_none() {
            diags.push(ceiling_on_account(account, entry.span));
        } else if once.first("ceiling", entry.span, diags) {
            ceiling = Some(lower_ceiling(names, written, diags));
        }
    }
    model::Account {
        name: account.name.name.clone(),
        title: account.title.as_ref().map(|t| t.value.clone()),
        parent,
        ceiling,
        users: Vec::new(),
        children: Vec::new(),
    }
}

fn lower_ceiling(
    names: &Names<'_>,
    ceiling: &ast::Ceiling,
    diags: &mut Vec<Diagnostic>,
) -> Ceiling {
    Ceiling {
        doors: ceiling
            .doors
            .iter()
            .flatten()
            .filter_map(|t| names.target(t, diags))
            .collect(),
        rights: ceiling
            .rights
            .as_deref()
            .map(|words| values::rights(words, diags))
            .unwrap_or_default(),
        schedule: ceiling
            .schedule
            .as_ref()
            .and_then(|s| names.schedule(s, diags)),
    }
}

fn ceiling_on_account(account: &ast::Account, clause: crate::Span) -> Diagnostic {
    Diagnostic::error(
        Code::CeilingOnAccount,
        keyword_span(clause, "ceiling"),
        format!("top-level account `{}` cannot have a ceiling", account.name.name),
    )
    .with_label("only a sub-account has a ceiling")
    .with_help("move this ceiling into a `subaccount`, or remove it: a top-level account is bounded by nothing")
}
