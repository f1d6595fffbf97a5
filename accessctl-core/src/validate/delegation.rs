//! Delegation: nothing in a sub-account reaches beyond its ceiling (BRIEF §8).
//!
//! Owns the security invariant of sub-accounts: every door a member's grant reaches
//! (groups, paths and sites expanded) lies within the door ceiling of its sub-account
//! and of every ancestor sub-account (E0601), and so does every door of an appointment
//! the sub-account owns; a member's admin rights lie within every such rights ceiling
//! (E0602); a sub-account's ceiling is no wider than its parent sub-account's (E0603).
//! A top-level account is bounded by nothing.
//!
//! Each ceiling is expanded once into a door bitset, and each (sub-account, target)
//! pair is judged once, so the cost grows with the policy, not with users × doors.
//! It must never build the model nor resolve names with diagnostics: references were
//! checked by the lowering, and unresolvable ones are skipped here.

use super::doorset::DoorSet;
use super::names::{kind_word, Names};
use super::resolve::target_span;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{AccountId, AdminRights, DoorId, Policy, Target};
use crate::source::Span;
use crate::syntax::ast::{self, AccountClause, AppointmentClause, Ident, UserClause};
use rustc_hash::FxHashMap as HashMap;

/// The ceilings of every account: `None` for a top-level account (unbounded).
struct Ceilings<'p> {
    policy: &'p Policy,
    doors: Vec<Option<DoorSet>>,
    rights: Vec<Option<AdminRights>>,
    /// What each (account, target) pair was judged, so each is judged once.
    judged: HashMap<(AccountId, Target), Option<Beyond>>,
}

/// Doors of a target outside a ceiling: the first one, how many in all, and the
/// sub-account whose ceiling they exceed.
#[derive(Clone, Copy)]
struct Beyond {
    door: DoorId,
    count: usize,
    bound: AccountId,
}

/// Reports every grant, appointment, admin right and ceiling beyond a ceiling.
pub(super) fn check(names: &Names<'_>, policy: &Policy, diags: &mut Vec<Diagnostic>) {
    let mut ceilings = Ceilings::new(policy);
    for (index, (account, parent)) in names.accounts.iter().enumerate() {
        let Some(parent) = parent.filter(|p| ceilings.is_bounded(*p)) else {
            continue;
        };
        let child = AccountId(super::id(index));
        if let Some(written) = first_ceiling(account) {
            ceiling_within_parent(names, &ceilings, child, parent, written, diags);
        }
    }
    users_within(names, policy, &mut ceilings, diags);
    appointments_within(names, policy, &mut ceilings, diags);
}

/// E0601 and E0602 for members of sub-accounts. The resolved model is judged first;
/// the tree is read again only for a member found at fault, to report where.
fn users_within(
    names: &Names<'_>,
    policy: &Policy,
    ceilings: &mut Ceilings<'_>,
    diags: &mut Vec<Diagnostic>,
) {
    for ((user, account), lowered) in names.users.iter().zip(&policy.users) {
        let account = *account;
        if !ceilings.is_bounded(account) {
            continue;
        }
        let mut targets = lowered.grants.iter().flat_map(|g| &g.targets);
        if targets.any(|t| ceilings.beyond(account, *t).is_some()) {
            grants_within(names, ceilings, user, account, diags);
        }
        let rights = lowered.admin.as_ref().map(|a| a.rights).unwrap_or_default();
        if ceilings.rights_beyond(account, rights).is_some() {
            admins_within(names, ceilings, user, account, diags);
        }
    }
}

/// E0601 for appointments owned by sub-accounts.
fn appointments_within(
    names: &Names<'_>,
    policy: &Policy,
    ceilings: &mut Ceilings<'_>,
    diags: &mut Vec<Diagnostic>,
) {
    for ((appointment, account), lowered) in names.appointments.iter().zip(&policy.appointments) {
        let Some(account) = account.filter(|a| ceilings.is_bounded(*a)) else {
            continue;
        };
        if !lowered
            .targets
            .iter()
            .any(|t| ceilings.beyond(account, *t).is_some())
        {
            continue;
        }
        for entry in &appointment.body.entries {
            if let AppointmentClause::Doors(targets) = &entry.node {
                for target in targets {
                    ceilings.target_within(names, account, target, "opened to guests", diags);
                }
            }
        }
    }
}

impl<'p> Ceilings<'p> {
    fn new(policy: &'p Policy) -> Ceilings<'p> {
        let doors = policy
            .accounts
            .iter()
            .map(|a| {
                let ceiling = a.ceiling.as_ref()?;
                let mut set = DoorSet::with_doors(policy.doors.len());
                for door in ceiling.doors.iter().flat_map(|t| policy.doors_of(*t)) {
                    set.insert(door);
                }
                Some(set)
            })
            .collect();
        let rights = policy
            .accounts
            .iter()
            .map(|a| a.ceiling.as_ref().map(|c| c.rights))
            .collect();
        Ceilings {
            policy,
            doors,
            rights,
            judged: HashMap::default(),
        }
    }

    /// Whether `account` is a sub-account (bounded by a ceiling).
    fn is_bounded(&self, account: AccountId) -> bool {
        matches!(self.doors.get(account.index()), Some(Some(_)))
    }

    fn door_ceiling(&self, account: AccountId) -> Option<&DoorSet> {
        self.doors.get(account.index()).and_then(Option::as_ref)
    }

    fn rights_ceiling(&self, account: AccountId) -> Option<AdminRights> {
        self.rights.get(account.index()).copied().flatten()
    }

    /// The rights of `held` outside the rights ceiling of `account` or of an
    /// ancestor: the nearest sub-account exceeded and the rights in excess.
    fn rights_beyond(
        &self,
        account: AccountId,
        held: AdminRights,
    ) -> Option<(AccountId, AdminRights)> {
        if held.is_empty() {
            return None;
        }
        self.policy.ancestry(account).find_map(|bound| {
            let excess = held.difference(self.rights_ceiling(bound)?);
            (!excess.is_empty()).then_some((bound, excess))
        })
    }

    /// The doors of `target` outside the ceiling of `account` or of an ancestor.
    fn beyond(&mut self, account: AccountId, target: Target) -> Option<Beyond> {
        if let Some(judged) = self.judged.get(&(account, target)) {
            return *judged;
        }
        let found = self
            .policy
            .ancestry(account)
            .find_map(|bound| self.outside(target, bound));
        self.judged.insert((account, target), found);
        found
    }

    /// The doors of `target` outside the ceiling of `bound` itself.
    fn outside(&self, target: Target, bound: AccountId) -> Option<Beyond> {
        let set = self.door_ceiling(bound)?;
        let mut doors: Vec<DoorId> = self
            .policy
            .doors_of(target)
            .filter(|d| !set.contains(*d))
            .collect();
        let door = *doors.first()?;
        doors.sort_unstable();
        doors.dedup();
        Some(Beyond {
            door,
            count: doors.len(),
            bound,
        })
    }

    /// E0601 when the doors of `target` leave the ceilings above `account`.
    fn target_within(
        &mut self,
        names: &Names<'_>,
        account: AccountId,
        target: &ast::Target,
        verb: &str,
        diags: &mut Vec<Diagnostic>,
    ) {
        let Some(place) = names.quiet_target(target) else {
            return;
        };
        let Some(beyond) = self.beyond(account, place) else {
            return;
        };
        let door = names.door_name(beyond.door);
        let bound = names.account_label(beyond.bound);
        let mut message = match place {
            Target::Door(_) => {
                format!("door `{door}` is outside the ceiling of sub-account `{bound}`")
            }
            _ => format!(
                "{} `{}` reaches door `{door}`, outside the ceiling of sub-account `{bound}`",
                kind_word(place),
                names.place_name(place)
            ),
        };
        if beyond.count > 1 {
            message.push_str(&format!(" (and {} more doors)", beyond.count - 1));
        }
        let diag = Diagnostic::error(Code::GrantBeyondCeiling, target_span(target), message)
            .with_label(format!("{verb} here"))
            .with_help(format!(
                "grant only doors within the ceiling of `{bound}`, or widen that ceiling"
            ));
        diags.push(with_account(names, diag, beyond.bound));
    }
}

/// E0601 at each grant target of a member of `account` that leaves its ceilings.
fn grants_within(
    names: &Names<'_>,
    ceilings: &mut Ceilings<'_>,
    user: &ast::User,
    account: AccountId,
    diags: &mut Vec<Diagnostic>,
) {
    for entry in user.body.iter().flat_map(|b| &b.entries) {
        if let UserClause::Allow { targets, .. } = &entry.node {
            for target in targets {
                ceilings.target_within(names, account, target, "granted", diags);
            }
        }
    }
}

/// E0602 at each `admin` clause of a member of `account` holding rights outside its
/// ceilings.
fn admins_within(
    names: &Names<'_>,
    ceilings: &Ceilings<'_>,
    user: &ast::User,
    account: AccountId,
    diags: &mut Vec<Diagnostic>,
) {
    for entry in user.body.iter().flat_map(|b| &b.entries) {
        if let UserClause::Admin { rights, .. } = &entry.node {
            rights_within(names, ceilings, rights, account, diags);
        }
    }
}

/// E0602 when `words` hold rights outside the ceilings above `account`.
fn rights_within(
    names: &Names<'_>,
    ceilings: &Ceilings<'_>,
    words: &[Ident],
    account: AccountId,
    diags: &mut Vec<Diagnostic>,
) {
    let Some((bound, excess)) = ceilings.rights_beyond(account, words_to_rights(words)) else {
        return;
    };
    let at = first_word_in(words, excess);
    let bound_name = names.account_label(bound);
    let (noun, verb, them) = if excess.bits().count_ones() == 1 {
        ("admin right", "exceeds", "it")
    } else {
        ("admin rights", "exceed", "them")
    };
    let diag = Diagnostic::error(
        Code::RightsBeyondCeiling,
        at,
        format!(
            "{noun} {} {verb} the ceiling of sub-account `{bound_name}`",
            quoted(excess)
        ),
    )
    .with_label("beyond the ceiling")
    .with_help(format!(
        "remove {them}, or add {them} to the `rights` of the ceiling of `{bound_name}`"
    ));
    diags.push(with_account(names, diag, bound));
}

/// E0603 when the ceiling of `child` reaches doors or rights outside its parent's.
fn ceiling_within_parent(
    names: &Names<'_>,
    ceilings: &Ceilings<'_>,
    child: AccountId,
    parent: AccountId,
    written: &ast::Ceiling,
    diags: &mut Vec<Diagnostic>,
) {
    let (child_name, parent_name) = (names.account_label(child), names.account_label(parent));
    for target in written.doors.iter().flatten() {
        let Some(place) = names.quiet_target(target) else {
            continue;
        };
        let Some(beyond) = ceilings.outside(place, parent) else {
            continue;
        };
        let door = names.door_name(beyond.door);
        let diag = Diagnostic::error(
            Code::CeilingBeyondParent,
            target_span(target),
            format!(
                "the ceiling of `{child_name}` reaches door `{door}`, outside the ceiling of its parent `{parent_name}`"
            ),
        )
        .with_label("wider than the parent's ceiling")
        .with_help(format!(
            "a sub-account's ceiling may not be wider than its parent's: remove `{door}` here, or add it to the ceiling of `{parent_name}`"
        ));
        diags.push(with_account(names, diag, parent));
    }
    let parent_rights = ceilings.rights_ceiling(parent).unwrap_or_default();
    for word in written.rights.iter().flatten() {
        let Some(right) = AdminRights::from_word(&word.name) else {
            continue;
        };
        let excess = right.difference(parent_rights);
        if excess.is_empty() {
            continue;
        }
        let diag = Diagnostic::error(
            Code::CeilingBeyondParent,
            word.span,
            format!(
                "the ceiling of `{child_name}` gives {}, beyond the ceiling of its parent `{parent_name}`",
                quoted(excess)
            ),
        )
        .with_label("wider than the parent's ceiling")
        .with_help(format!(
            "a sub-account's ceiling may not be wider than its parent's: remove it here, or add it to the ceiling of `{parent_name}`"
        ));
        diags.push(with_account(names, diag, parent));
    }
}

/// The first `ceiling` clause of a sub-account (later ones are E0212).
fn first_ceiling(account: &ast::Account) -> Option<&ast::Ceiling> {
    account.body.entries.iter().find_map(|e| match &e.node {
        AccountClause::Ceiling(c) => Some(c),
        _ => None,
    })
}

fn words_to_rights(words: &[Ident]) -> AdminRights {
    words
        .iter()
        .filter_map(|w| AdminRights::from_word(&w.name))
        .fold(AdminRights::empty(), |acc, r| acc | r)
}

/// Where the first word granting one of `rights` stands.
fn first_word_in(words: &[Ident], rights: AdminRights) -> Span {
    words
        .iter()
        .find(|w| AdminRights::from_word(&w.name).is_some_and(|r| r.intersects(rights)))
        .or(words.first())
        .map(|w| w.span)
        .unwrap_or_default()
}

/// "`keys`, `export`"
fn quoted(rights: AdminRights) -> String {
    rights
        .to_words()
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Shows where the sub-account whose ceiling is exceeded is declared.
fn with_account(names: &Names<'_>, diag: Diagnostic, account: AccountId) -> Diagnostic {
    match names.accounts.get(account.index()) {
        Some((a, _)) => diag.with_secondary(
            a.name.span,
            format!(
                "sub-account `{}` is declared here",
                names.account_label(account)
            ),
        ),
        None => diag,
    }
}
