//! Lowering of users: details, credentials, grants and admin rights.
//!
//! Owns each user clause: once-only clauses (E0212), emails (E0306), card numbers
//! (E0308), PINs (E0309), empty QR codes and mobile keys (E0312), validity windows
//! (E0304, E0305), grants and schedules (through name resolution), admin rights
//! (E0310) and IP addresses (E0307). Credentials keep the order written; tags are
//! kept once each.
//!
//! It must never check that a credential is unique or that a grant stays within a
//! ceiling: [`crate::validate::credentials`] and [`crate::validate::delegation`] do.

use super::once::Once;
use crate::diagnostic::Diagnostic;
use crate::model::{self, AccountId, Admin, Credential, Grant, KeyOptions, Policy, Validity};
use crate::syntax::ast::{self, Entry, KeyOption, UserClause};
use crate::validate::names::Names;
use crate::validate::values;

/// Lowers every user of `names` into `policy`.
pub(super) fn lower(names: &Names<'_>, policy: &mut Policy, diags: &mut Vec<Diagnostic>) {
    policy.users = names
        .users
        .iter()
        .map(|(u, account)| user(names, u, *account, diags))
        .collect();
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
