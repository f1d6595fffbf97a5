//! Lowering of users: details, credentials, grants and admin rights.
//!
//! Owns each user clause: once-only clauses (E0212), emails (E0306), card numbers
//! (E0308), PINs (E0309), empty QR codes and mobile keys (E0312), validity windows
//! (E0304, E0305), grants and schedules (through name resolution), admin rights
//! (E0310) and IP addresses (E0307); `created_by` names a user (E0214) who is an admin
//! (E0605) of the user's account or of an account above it (E0606). Credentials keep
//! the order written; tags are kept once each.
//!
//! It must never check that a credential is unique or that a grant stays within a
//! ceiling: [`crate::validate::credentials`] and [`crate::validate::delegation`] do.

use super::once::{keyword_span, Once};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{
    self, AccountId, Admin, Credential, Grant, KeyOptions, Policy, UserId, Validity,
};
use crate::syntax::ast::{self, Entry, Ident, KeyOption, UserClause};
use crate::validate::names::Names;
use crate::validate::{resolve, values};

/// Lowers every user of `names` into `policy`.
pub(super) fn lower(names: &Names<'_>, policy: &mut Policy, diags: &mut Vec<Diagnostic>) {
    policy.users = names
        .users
        .iter()
        .map(|(u, account)| user(names, u, *account, diags))
        .collect();
    creators(names, policy, diags);
}

/// Resolves every user's `created_by` (the first one: later ones are E0212), once all
/// users are lowered, since a creator may be declared after the users it created.
fn creators(names: &Names<'_>, policy: &mut Policy, diags: &mut Vec<Diagnostic>) {
    for (index, (user, account)) in names.users.iter().enumerate() {
        let written = user
            .body
            .iter()
            .flat_map(|b| &b.entries)
            .find_map(|e| match &e.node {
                UserClause::CreatedBy(name) => Some((name, e.span)),
                _ => None,
            });
        let Some((name, clause)) = written else {
            continue;
        };
        let creator = creator(names, policy, (user, *account), name, clause, diags);
        if let Some(lowered) = policy.users.get_mut(index) {
            lowered.created_by = creator;
        }
    }
}

/// The admin `name` names as the creator of `user`: E0214 when no user has that name,
/// E0605 when that user holds no admin right, E0606 when its account is neither the
/// user's nor one above it.
fn creator(
    names: &Names<'_>,
    policy: &Policy,
    (user, account): (&ast::User, AccountId),
    name: &Ident,
    clause: crate::Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<UserId> {
    let Some(&creator) = names.user_ids.get(name.name.as_str()) else {
        let candidates = names.users.iter().map(|(u, _)| u.name.name.as_str());
        diags.push(resolve::unknown(
            Code::UnknownUser,
            "user",
            name,
            candidates,
        ));
        return None;
    };
    let id = UserId(creator);
    let found = policy.users.get(id.index())?;
    if found.admin.is_none() {
        diags.push(
            Diagnostic::error(
                Code::CreatorNotAdmin,
                name.span,
                format!("`created_by` names `{}`, who is no admin", name.name),
            )
            .with_label("holds no admin right")
            .with_secondary(keyword_span(clause, "created_by"), "in this clause")
            .with_help(format!(
                "name the admin who created `{}`, or give `{}` an `admin` clause",
                user.name.name, name.name
            )),
        );
        return None;
    }
    if !policy.ancestry(account).any(|a| a == found.account) {
        let creator_account = names.account_label(found.account);
        diags.push(
            Diagnostic::error(
                Code::CreatorOutOfReach,
                name.span,
                format!(
                    "`{}` is an admin of `{creator_account}`, which `{}` is not a member of",
                    name.name, user.name.name
                ),
            )
            .with_label("an admin of another account")
            .with_help(format!(
                "an admin creates users only in their own account and its sub-accounts: \
                 name an admin of `{}` or of an account above it",
                names.account_label(account)
            )),
        );
        return None;
    }
    Some(id)
}

fn user(
    names: &Names<'_>,
    user: &ast::User,
    account: AccountId,
    diags: &mut Vec<Diagnostic>,
) -> model::User {
    let mut lowered = model::User {
        name: user.name.name.clone(),
        title: user.title.as_ref().map(|t| t.value.clone()),
        account,
        email: None,
        tags: Vec::new(),
        validity: Validity::default(),
        active: true,
        offline: false,
        remote: false,
        key_options: KeyOptions::empty(),
        credentials: Vec::new(),
        schedule: None,
        grants: Vec::new(),
        admin: None,
        created_by: None,
    };
    let mut once = Once::new("user");
    for entry in user.body.iter().flat_map(|b| &b.entries) {
        if !credential(entry, &mut lowered, diags) {
            clause(names, entry, &mut lowered, &mut once, diags);
        }
    }
    lowered
}

/// Lowers a credential clause; `false` if the clause is no credential.
fn credential(
    entry: &Entry<UserClause>,
    user: &mut model::User,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let lowered = match &entry.node {
        UserClause::Card(number) => values::card(number, diags).map(Credential::Card),
        UserClause::Pin(pin) => values::pin(pin, diags).then(|| Credential::Pin(pin.value.clone())),
        UserClause::Qr(qr) => {
            values::non_empty(qr, "QR code", diags).then(|| Credential::Qr(qr.value.clone()))
        }
        UserClause::Mobile(key) => values::non_empty(key, "mobile key", diags)
            .then(|| Credential::Mobile(key.value.clone())),
        _ => return false,
    };
    user.credentials.extend(lowered);
    true
}

/// Lowers every clause but credentials.
fn clause(
    names: &Names<'_>,
    entry: &Entry<UserClause>,
    user: &mut model::User,
    once: &mut Once,
    diags: &mut Vec<Diagnostic>,
) {
    let at = entry.span;
    match &entry.node {
        UserClause::Email(email) => {
            if once.first("email", at, diags) && values::email(email, diags) {
                user.email = Some(email.value.clone());
            }
        }
        UserClause::Remote(_) => user.remote |= once.first("remote", at, diags),
        UserClause::Offline(_) => user.offline |= once.first("offline", at, diags),
        UserClause::Inactive(_) => user.active &= !once.first("inactive", at, diags),
        UserClause::Valid { from, to } => {
            if once.first("valid", at, diags) {
                user.validity = validity(from.as_ref(), to.as_ref(), diags);
            }
        }
        UserClause::Tags(tags) => {
            for tag in tags {
                if !user.tags.contains(&tag.name) {
                    user.tags.push(tag.name.clone());
                }
            }
        }
        UserClause::Schedule(name) => {
            if once.first("schedule", at, diags) {
                user.schedule = names.schedule(name, diags);
            }
        }
        UserClause::Allow { targets, schedule } => user.grants.push(Grant {
            targets: targets
                .iter()
                .filter_map(|t| names.target(t, diags))
                .collect(),
            schedule: schedule.as_ref().and_then(|s| names.schedule(s, diags)),
        }),
        UserClause::Key(options) => {
            if once.first("key", at, diags) {
                for option in options {
                    user.key_options |= match option.kind {
                        KeyOption::Audit => KeyOptions::AUDIT,
                        KeyOption::Antipassback => KeyOptions::ANTIPASSBACK,
                    };
                }
            }
        }
        UserClause::Admin { rights, ip } => {
            if once.first("admin", at, diags) {
                user.admin = Some(Admin {
                    rights: values::rights(rights, diags),
                    ip: ip.as_ref().and_then(|ip| values::ip(ip, diags)),
                });
            }
        }
        UserClause::CreatedBy(_) => {
            // Resolved once every user is lowered (`creators`).
            once.first("created_by", at, diags);
        }
        UserClause::Card(_) | UserClause::Pin(_) | UserClause::Qr(_) | UserClause::Mobile(_) => {}
    }
}

fn validity(
    from: Option<&ast::Date>,
    to: Option<&ast::Date>,
    diags: &mut Vec<Diagnostic>,
) -> Validity {
    let first = from.and_then(|d| values::date(d, diags));
    let last = to.and_then(|d| values::date(d, diags));
    if let (Some(first), Some(last), Some(written)) = (first, last, to) {
        values::ordered_dates(first, last, written, "validity window", diags);
    }
    Validity {
        from: first,
        to: last,
    }
}
