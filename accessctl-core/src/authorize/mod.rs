//! Delegation against the actor: a change between two policies checked against the
//! powers of the admin who makes it (BRIEF §8, issue #15 item 3).
//!
//! Owns who an admin is ([`Powers`]: their account, rights, door reach, address and
//! whether they see only the users they created), whom they see ([`visible`]), and the
//! judgement of every change between OLD and NEW ([`authorize`]): users added, removed
//! and changed, field by field, each against the right it needs; doors granted within
//! the actor's reach (their sub-account's ceiling and every ancestor's; a top-level
//! account's admin is bounded by nothing); admin rights given only when held; the
//! actor's own address; and the other items of the policy (sub-accounts, schedules,
//! holiday calendars, places, appointments) against `subaccounts`, `schedules`,
//! `configuration` and `appointments`. Entities of the two policies are matched by
//! name (accounts by their path `name@parent@…`), never by index.
//!
//! The actor's powers are read in OLD, so a change can never widen the powers it is
//! judged by. It must never read files, clocks or the network: the caller says where
//! the actor connects from.

#[cfg(test)]
mod tests;

use crate::model::{self, AccountId, AdminRights, Credential, Policy, Target, UserId, Validity};
use crate::syntax::ast::{self, AccountClause, Entry, Item, UserClause};
use crate::{Checked, Span};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

/// Who makes a change: an admin user's name, and the address they connect from
/// (`None`: unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor<'a> {
    /// The admin's user name.
    pub admin: &'a str,
    /// The address the admin connects from, if known.
    pub from: Option<IpAddr>,
}

/// The rule a change breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    /// A user, account or item the actor may not see: outside their sub-account, or
    /// not created by them when they see only the users they created.
    Visibility,
    /// An admin right the change needs that the actor does not hold, or one given
    /// that the actor does not hold.
    Right,
    /// A door beyond the actor's reach (their sub-account's ceiling or an ancestor's).
    Ceiling,
    /// A change of hours: a schedule or holiday calendar changed without the
    /// `schedules` right, or one that binds people the actor does not see.
    Schedule,
    /// The actor connects from an address their `admin … ip` clause does not allow.
    Ip,
}

impl Rule {
    /// The rule's word, as output shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Visibility => "visibility",
            Rule::Right => "right",
            Rule::Ceiling => "ceiling",
            Rule::Schedule => "schedule",
            Rule::Ip => "ip",
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change the actor may not make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The rule it breaks.
    pub rule: Rule,
    /// The user it concerns (the actor for a rule about themselves; the item's name
    /// for a change that is no user's).
    pub user: String,
    /// What is wrong, lowercase, names in backticks.
    pub message: String,
    /// The offending item in NEW (in OLD's absence, where its account is declared in
    /// NEW); `None` when NEW has no such place.
    #[serde(skip)]
    pub span: Option<Span>,
}

/// Why an actor has no powers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActorError {
    /// The policy is not valid, so nobody's powers can be read from it.
    #[error("the policy is not valid: nobody's powers can be read from it")]
    InvalidPolicy,
    /// No user has that name.
    #[error("no user `{0}`")]
    UnknownAdmin(String),
    /// The user holds no admin right.
    #[error("`{0}` holds no admin right")]
    NotAdmin(String),
    /// The admin connects from an address other than the one allowed.
    #[error("`{admin}` may act only from `{allowed}`, not from `{from}`")]
    WrongAddress {
        /// The admin.
        admin: String,
        /// The address of their `admin … ip` clause.
        allowed: IpAddr,
        /// Where they connect from.
        from: IpAddr,
    },
    /// The admin is bound to an address and the caller knows none.
    #[error("`{admin}` may act only from `{allowed}`, and this connection's address is unknown")]
    UnknownAddress {
        /// The admin.
        admin: String,
        /// The address of their `admin … ip` clause.
        allowed: IpAddr,
    },
}

impl ActorError {
    /// The rule an actor without powers breaks.
    pub fn rule(&self) -> Rule {
        match self {
            ActorError::WrongAddress { .. } | ActorError::UnknownAddress { .. } => Rule::Ip,
            _ => Rule::Right,
        }
    }
}

/// What an admin may do, read from one policy, by name so that it applies to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Powers {
    /// The admin's user name.
    pub admin: String,
    /// The path of their account (`name@parent@…`).
    pub account: String,
    /// Whether their account is a sub-account (bounded by a ceiling).
    pub bounded: bool,
    /// The rights they hold.
    pub rights: AdminRights,
    /// The doors they may grant, by name; `None`: every door (a top-level account).
    pub reach: Option<BTreeSet<String>>,
    /// The rights their account's ceilings allow; `None`: every right.
    pub rights_reach: Option<AdminRights>,
    /// Created by a sub-account's admin: they see only the users they created.
    pub only_created: bool,
    /// The only address they may act from.
    pub ip: Option<IpAddr>,
}

impl Powers {
    /// The powers of `admin` in `policy`.
    pub fn of(policy: &Policy, admin: &str) -> Result<Powers, ActorError> {
        let id = policy
            .user_named(admin)
            .ok_or_else(|| ActorError::UnknownAdmin(admin.to_owned()))?;
        let user = policy
            .users
            .get(id.index())
            .ok_or_else(|| ActorError::UnknownAdmin(admin.to_owned()))?;
        let held = user
            .admin
            .as_ref()
            .ok_or_else(|| ActorError::NotAdmin(admin.to_owned()))?;
        let mut reach: Option<BTreeSet<String>> = None;
        let mut rights_reach: Option<AdminRights> = None;
        for account in policy.ancestry(user.account).take(policy.accounts.len()) {
            let Some(ceiling) = policy
                .accounts
                .get(account.index())
                .and_then(|a| a.ceiling.as_ref())
            else {
                continue;
            };
            let doors: BTreeSet<String> = ceiling
                .doors
                .iter()
                .flat_map(|t| policy.doors_of(*t))
                .filter_map(|d| policy.doors.get(d.index()).map(|d| d.name.clone()))
                .collect();
            reach = Some(match reach {
                Some(r) => r.intersection(&doors).cloned().collect(),
                None => doors,
            });
            rights_reach = Some(rights_reach.unwrap_or(AdminRights::all()) & ceiling.rights);
        }
        let only_created = user
            .created_by
            .and_then(|c| policy.users.get(c.index()))
            .and_then(|c| policy.accounts.get(c.account.index()))
            .is_some_and(|a| a.parent.is_some());
        let bounded = policy
            .accounts
            .get(user.account.index())
            .is_some_and(|a| a.parent.is_some());
        Ok(Powers {
            admin: admin.to_owned(),
            account: policy.account_path(user.account),
            bounded,
            rights: held.rights,
            reach,
            rights_reach,
            only_created,
            ip: held.ip,
        })
    }

    /// Refuses an actor connecting from another address than their own, or from an
    /// unknown one when they are bound to an address.
    pub fn check_address(&self, from: Option<IpAddr>) -> Result<(), ActorError> {
        let Some(allowed) = self.ip else {
            return Ok(());
        };
        match from {
            Some(from) if from == allowed => Ok(()),
            Some(from) => Err(ActorError::WrongAddress {
                admin: self.admin.clone(),
                allowed,
                from,
            }),
            None => Err(ActorError::UnknownAddress {
                admin: self.admin.clone(),
                allowed,
            }),
        }
    }

    /// Whether the account at `path` is the actor's or below it.
    pub fn covers_account(&self, path: &str) -> bool {
        path == self.account
            || path
                .strip_suffix(self.account.as_str())
                .is_some_and(|head| head.ends_with('@'))
    }

    /// Whether the account at `path` is strictly below the actor's (one whose
    /// ceiling and title the actor may change).
    fn below(&self, path: &str) -> bool {
        path != self.account && self.covers_account(path)
    }

    /// Whether the actor sees `user` of `policy`: themselves, or a member of their
    /// account or of one below it (created by them, when they see only those).
    pub fn sees(&self, policy: &Policy, user: &model::User) -> bool {
        if user.name == self.admin {
            return true;
        }
        if !self.covers_account(&policy.account_path(user.account)) {
            return false;
        }
        !self.only_created || creator_name(policy, user) == Some(self.admin.as_str())
    }

    /// Whether the actor may grant the door named `door`.
    fn reaches(&self, door: &str) -> bool {
        self.reach.as_ref().is_none_or(|r| r.contains(door))
    }
}

/// The users `actor` may see and edit in `policy`, in policy order.
pub fn visible(policy: &Policy, actor: &Actor<'_>) -> Result<Vec<UserId>, ActorError> {
    let powers = Powers::of(policy, actor.admin)?;
    powers.check_address(actor.from)?;
    Ok(policy
        .users
        .iter()
        .enumerate()
        .filter(|(_, u)| powers.sees(policy, u))
        .filter_map(|(i, _)| u32::try_from(i).ok().map(UserId))
        .collect())
}

/// Refuses `actor` a command that needs `right` (`bulk` for bulk actions): an actor
/// without powers, from the wrong address, or not holding the right.
pub fn require(policy: &Policy, actor: &Actor<'_>, right: AdminRights) -> Result<(), Violation> {
    let refused = |rule, message: String| Violation {
        rule,
        user: actor.admin.to_owned(),
        message,
        span: None,
    };
    let powers = Powers::of(policy, actor.admin).map_err(|e| refused(e.rule(), e.to_string()))?;
    powers
        .check_address(actor.from)
        .map_err(|e| refused(e.rule(), e.to_string()))?;
    let missing = right.difference(powers.rights);
    if missing.is_empty() {
        return Ok(());
    }
    Err(refused(
        Rule::Right,
        format!(
            "`{}` does not hold the {} right this needs",
            actor.admin,
            quoted(missing)
        ),
    ))
}

/// Every change between `old` and `new` that `actor` may not make; empty when the
/// actor may make them all. Both policies must be valid (otherwise one violation
/// says so).
pub fn authorize(old: &Checked, new: &Checked, actor: &Actor<'_>) -> Vec<Violation> {
    let (Some(before), Some(after)) = (&old.policy, &new.policy) else {
        return vec![Violation {
            rule: Rule::Right,
            user: actor.admin.to_owned(),
            message: "a change is judged only between two valid policies".to_owned(),
            span: None,
        }];
    };
    let trees = Trees::new(&new.files);
    let refused = |e: ActorError| {
        vec![Violation {
            rule: e.rule(),
            user: actor.admin.to_owned(),
            message: e.to_string(),
            span: trees.user(actor.admin).map(|u| u.name.span),
        }]
    };
    let powers = match Powers::of(before, actor.admin) {
        Ok(p) => p,
        Err(e) => return refused(e),
    };
    if let Err(e) = powers.check_address(actor.from) {
        return refused(e);
    }
    let mut judge = Judge {
        powers: &powers,
        before,
        after,
        trees,
        found: Vec::new(),
    };
    judge.users();
    judge.accounts();
    judge.schedules();
    judge.places();
    judge.appointments();
    judge.found
}

// ---------------------------------------------------------------------------------
// Users

/// A user as compared between two policies: every field by name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UserView {
    title: Option<String>,
    account: String,
    email: Option<String>,
    tags: BTreeSet<String>,
    validity: Validity,
    active: bool,
    offline: bool,
    remote: bool,
    cards: BTreeSet<u64>,
    codes: BTreeSet<String>,
    mobiles: BTreeSet<String>,
    schedule: Option<String>,
    grants: Vec<(Vec<String>, Option<String>)>,
    doors: BTreeSet<String>,
    admin: Option<(AdminRights, Option<IpAddr>)>,
    created_by: Option<String>,
}

impl UserView {
    fn of(policy: &Policy, user: &model::User) -> UserView {
        let mut view = UserView {
            title: user.title.clone(),
            account: policy.account_path(user.account),
            email: user.email.clone(),
            tags: user.tags.iter().cloned().collect(),
            validity: user.validity,
            active: user.active,
            offline: user.offline,
            remote: user.remote,
            cards: BTreeSet::new(),
            codes: BTreeSet::new(),
            mobiles: BTreeSet::new(),
            schedule: schedule_name(policy, user.schedule),
            grants: Vec::new(),
            doors: BTreeSet::new(),
            admin: user.admin.as_ref().map(|a| (a.rights, a.ip)),
            created_by: creator_name(policy, user).map(str::to_owned),
        };
        for credential in &user.credentials {
            match credential {
                Credential::Card(n) => {
                    view.cards.insert(*n);
                }
                Credential::Pin(p) => {
                    view.codes.insert(format!("pin {p}"));
                }
                Credential::Qr(q) => {
                    view.codes.insert(format!("qr {q}"));
                }
                Credential::Mobile(m) => {
                    view.mobiles.insert(m.clone());
                }
            }
        }
        for grant in &user.grants {
            let targets = grant
                .targets
                .iter()
                .map(|t| target_name(policy, *t))
                .collect();
            view.grants
                .push((targets, schedule_name(policy, grant.schedule)));
            view.doors.extend(door_names(policy, &grant.targets));
        }
        view
    }

    /// The view of a user that does not exist: what an added user is compared with.
    fn nobody() -> UserView {
        UserView {
            title: None,
            account: String::new(),
            email: None,
            tags: BTreeSet::new(),
            validity: Validity::default(),
            active: true,
            offline: false,
            remote: false,
            cards: BTreeSet::new(),
            codes: BTreeSet::new(),
            mobiles: BTreeSet::new(),
            schedule: None,
            grants: Vec::new(),
            doors: BTreeSet::new(),
            admin: None,
            created_by: None,
        }
    }
}

struct Judge<'a> {
    powers: &'a Powers,
    before: &'a Policy,
    after: &'a Policy,
    trees: Trees<'a>,
    found: Vec<Violation>,
}

impl<'a> Judge<'a> {
    fn push(&mut self, rule: Rule, user: &str, message: String, span: Option<Span>) {
        self.found.push(Violation {
            rule,
            user: user.to_owned(),
            message,
            span,
        });
    }

    /// Where user `name` stands in NEW: its clause `keyword` when given, else its name;
    /// a user NEW no longer has, where its account is declared.
    fn user_span(&self, name: &str, keyword: Option<&str>) -> Option<Span> {
        let Some(user) = self.trees.user(name) else {
            let old = self.before.user_named(name)?;
            let account = self.before.users.get(old.index())?.account;
            return self.trees.account(&self.before.account_path(account));
        };
        keyword
            .and_then(|k| clause_span(user, k))
            .or(Some(user.name.span))
    }

    fn users(&mut self) {
        let old: BTreeMap<&str, &model::User> = self
            .before
            .users
            .iter()
            .map(|u| (u.name.as_str(), u))
            .collect();
        let new: BTreeMap<&str, &model::User> = self
            .after
            .users
            .iter()
            .map(|u| (u.name.as_str(), u))
            .collect();
        let names: BTreeSet<&str> = old.keys().chain(new.keys()).copied().collect();
        // Users in NEW order first, then removed users in OLD order, so violations
        // read top to bottom.
        let mut order: Vec<&str> = self.after.users.iter().map(|u| u.name.as_str()).collect();
        order.extend(
            self.before
                .users
                .iter()
                .map(|u| u.name.as_str())
                .filter(|n| !new.contains_key(n)),
        );
        order.retain(|n| names.contains(n));
        let mut seen = BTreeSet::new();
        for name in order {
            if !seen.insert(name) {
                continue;
            }
            let was = old.get(name).map(|u| (UserView::of(self.before, u), *u));
            let is = new.get(name).map(|u| (UserView::of(self.after, u), *u));
            match (was, is) {
                (Some((a, _)), Some((b, _))) if a == b => {}
                (was, is) => self.user(name, was, is),
            }
        }
    }

    fn user(
        &mut self,
        name: &str,
        was: Option<(UserView, &model::User)>,
        is: Option<(UserView, &model::User)>,
    ) {
        let powers = self.powers;
        let verb = match (&was, &is) {
            (None, _) => "add",
            (_, None) => "remove",
            _ => "change",
        };
        if let Some((_, user)) = &was {
            if !powers.sees(self.before, user) {
                let message = self.unseen(self.before, user, verb);
                self.push(Rule::Visibility, name, message, self.user_span(name, None));
                return;
            }
        }
        if let Some((_, user)) = &is {
            if !powers.sees(self.after, user) {
                let message = match was {
                    Some(_) => format!(
                        "this change moves `{name}` out of what `{}` may see: {}",
                        powers.admin,
                        self.unseen_reason(self.after, user)
                    ),
                    None => self.unseen(self.after, user, verb),
                };
                self.push(Rule::Visibility, name, message, self.user_span(name, None));
                return;
            }
        }
        self.needs(name, AdminRights::USERS, &format!("{verb} users"), None);
        let (old, new) = (
            was.map(|(v, _)| v).unwrap_or_else(UserView::nobody),
            is.map(|(v, _)| v),
        );
        let Some(new) = new else {
            return;
        };
        self.fields(name, &old, &new);
    }

    /// "`ana` is a member of `desk@acme`, outside `cowork@acme` where `lea` acts", as
    /// the refusal to `verb` an unseen user.
    fn unseen(&self, policy: &Policy, user: &model::User, verb: &str) -> String {
        format!(
            "`{}` may not {verb} `{}`: {}",
            self.powers.admin,
            user.name,
            self.unseen_reason(policy, user)
        )
    }

    fn unseen_reason(&self, policy: &Policy, user: &model::User) -> String {
        let path = policy.account_path(user.account);
        if self.powers.covers_account(&path) {
            format!(
                "`{}` sees only the users they created, and `{}` records {}",
                self.powers.admin,
                user.name,
                match creator_name(policy, user) {
                    Some(c) => format!("`{c}` as its creator"),
                    None => "no creator".to_owned(),
                }
            )
        } else {
            format!(
                "it is a member of `{path}`, outside `{}` where `{}` is an admin",
                self.powers.account, self.powers.admin
            )
        }
    }

    /// A violation of rule Right unless the actor holds `right`.
    fn needs(&mut self, name: &str, right: AdminRights, what: &str, keyword: Option<&str>) {
        self.needs_as(Rule::Right, name, right, what, keyword);
    }

    fn needs_as(
        &mut self,
        rule: Rule,
        name: &str,
        right: AdminRights,
        what: &str,
        keyword: Option<&str>,
    ) {
        if self.powers.rights.contains(right) {
            return;
        }
        let message = format!(
            "`{}` may not {what}: that needs the {} right",
            self.powers.admin,
            quoted(right)
        );
        let span = self.user_span(name, keyword);
        self.push(rule, name, message, span);
    }

    /// Each changed field of a user against the right it needs, the doors gained
    /// against the actor's reach, the admin rights given against those held.
    fn fields(&mut self, name: &str, old: &UserView, new: &UserView) {
        if old.cards != new.cards {
            self.needs(name, AdminRights::BADGES, "change cards", Some("card"));
        }
        if old.codes != new.codes {
            let keyword = if new.codes.iter().any(|c| c.starts_with("qr ")) {
                "qr"
            } else {
                "pin"
            };
            self.needs(
                name,
                AdminRights::CODES,
                "change PIN or QR codes",
                Some(keyword),
            );
        }
        if old.mobiles != new.mobiles {
            self.needs(
                name,
                AdminRights::MOBILE,
                "change mobile keys",
                Some("mobile"),
            );
        }
        if old.remote != new.remote {
            self.needs(
                name,
                AdminRights::REMOTE,
                "give or take remote opening",
                Some("remote"),
            );
        }
        // The schedules of a user's grants: each target with the exception on it.
        let exceptions = |v: &UserView| -> BTreeSet<(String, String)> {
            v.grants
                .iter()
                .filter_map(|(targets, s)| s.as_ref().map(|s| (targets, s)))
                .flat_map(|(targets, s)| targets.iter().map(|t| (t.clone(), s.clone())))
                .collect()
        };
        if old.schedule != new.schedule || exceptions(old) != exceptions(new) {
            self.needs_as(
                Rule::Schedule,
                name,
                AdminRights::SCHEDULES,
                "change a user's schedules",
                Some("schedule"),
            );
        }
        if old.admin != new.admin {
            self.needs(
                name,
                AdminRights::ADMINS,
                "change admin rights",
                Some("admin"),
            );
        }
        // Recording oneself as the creator is what adding a user does; any other
        // change of the creator changes who sees the user.
        let by_actor = new.created_by.as_deref() == Some(self.powers.admin.as_str());
        if old.created_by != new.created_by && !by_actor {
            self.needs(
                name,
                AdminRights::ADMINS,
                "change who created a user",
                Some("created_by"),
            );
        }
        if name == self.powers.admin && old.created_by != new.created_by {
            let message = format!("`{name}` may not change who created them");
            let span = self.user_span(name, Some("created_by"));
            self.push(Rule::Visibility, name, message, span);
        }
        self.doors(name, old, new);
        let (had, has) = (
            old.admin.map(|a| a.0).unwrap_or_default(),
            new.admin.map(|a| a.0).unwrap_or_default(),
        );
        let beyond = has.difference(had).difference(self.powers.rights);
        if !beyond.is_empty() {
            let message = format!(
                "`{}` may not give {}: they do not hold {}",
                self.powers.admin,
                quoted(beyond),
                if beyond.bits().count_ones() == 1 {
                    "it"
                } else {
                    "them"
                }
            );
            let span = self.user_span(name, Some("admin"));
            self.push(Rule::Right, name, message, span);
        }
    }

    /// Rule Ceiling for each door `new` gains beyond the actor's reach.
    fn doors(&mut self, name: &str, old: &UserView, new: &UserView) {
        let beyond: Vec<&String> = new
            .doors
            .difference(&old.doors)
            .filter(|d| !self.powers.reaches(d))
            .collect();
        let Some(first) = beyond.first() else {
            return;
        };
        let mut message = format!(
            "door `{first}` is beyond the reach of `{}` (the ceiling of `{}`)",
            self.powers.admin, self.powers.account
        );
        if beyond.len() > 1 {
            message.push_str(&format!(" (and {} more doors)", beyond.len() - 1));
        }
        let span = self
            .grant_span(name, first)
            .or(self.user_span(name, Some("allow")));
        self.push(Rule::Ceiling, name, message, span);
    }

    /// The target of `name`'s grants in NEW that reaches `door`.
    fn grant_span(&self, name: &str, door: &str) -> Option<Span> {
        let tree = self.trees.user(name)?;
        let user = self.after.users.get(self.after.user_named(name)?.index())?;
        let allows = tree
            .body
            .iter()
            .flat_map(|b| &b.entries)
            .filter_map(|e| match &e.node {
                UserClause::Allow { targets, .. } => Some(targets),
                _ => None,
            });
        for (grant, written) in user.grants.iter().zip(allows) {
            for (target, ident) in grant.targets.iter().zip(written) {
                if door_names(self.after, &[*target]).any(|d| d == door) {
                    return Some(ident.name.span);
                }
            }
        }
        None
    }

    // -----------------------------------------------------------------------------
    // Sub-accounts

    fn accounts(&mut self) {
        let view = |p: &Policy, a: &model::Account| {
            let ceiling = a.ceiling.as_ref().map(|c| {
                (
                    door_names(p, &c.doors).collect::<BTreeSet<_>>(),
                    c.rights,
                    schedule_name(p, c.schedule),
                )
            });
            (a.title.clone(), ceiling)
        };
        let old: BTreeMap<String, _> = ids(&self.before.accounts)
            .map(|(id, a)| (self.before.account_path(id), view(self.before, a)))
            .collect();
        let new: BTreeMap<String, _> = ids(&self.after.accounts)
            .map(|(id, a)| (self.after.account_path(id), view(self.after, a)))
            .collect();
        let paths: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        for path in paths {
            let (was, is) = (old.get(path), new.get(path));
            if was == is {
                continue;
            }
            let span = self.trees.account(path);
            let verb = match (was, is) {
                (None, _) => "add",
                (_, None) => "remove",
                _ => "change",
            };
            if !self.powers.below(path) {
                let message = format!(
                    "`{}` may not {verb} `{path}`: only sub-accounts below `{}`",
                    self.powers.admin, self.powers.account
                );
                self.push(Rule::Visibility, path, message, span);
                continue;
            }
            if !self.powers.rights.contains(AdminRights::SUBACCOUNTS) {
                let message = format!(
                    "`{}` may not {verb} sub-account `{path}`: that needs the `subaccounts` right",
                    self.powers.admin
                );
                self.push(Rule::Right, path, message, span);
            }
            let Some((_, Some((doors, rights, _)))) = is else {
                continue;
            };
            if let Some(door) = doors.iter().find(|d| !self.powers.reaches(d)) {
                let message = format!(
                    "the ceiling of `{path}` reaches door `{door}`, beyond the reach of `{}`",
                    self.powers.admin
                );
                self.push(Rule::Ceiling, path, message, span);
            }
            let beyond = rights.difference(self.powers.rights);
            if !beyond.is_empty() {
                let message = format!(
                    "the ceiling of `{path}` gives {}, which `{}` does not hold",
                    quoted(beyond),
                    self.powers.admin
                );
                self.push(Rule::Right, path, message, span);
            }
        }
    }

    // -----------------------------------------------------------------------------
    // Schedules and holiday calendars

    fn schedules(&mut self) {
        let old = schedule_views(self.before);
        let new = schedule_views(self.after);
        let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        for name in names {
            let (was, is) = (old.get(name), new.get(name));
            if was == is {
                continue;
            }
            let span = self.trees.schedule(name);
            if !self.powers.rights.contains(AdminRights::SCHEDULES) {
                let message = format!(
                    "`{}` may not change schedule `{name}`: that needs the `schedules` right",
                    self.powers.admin
                );
                self.push(Rule::Schedule, name, message, span);
                continue;
            }
            if was.is_some() {
                if let Some(who) = self.bound_elsewhere(name) {
                    let message = format!(
                        "schedule `{name}` also binds {who}, which `{}` may not change",
                        self.powers.admin
                    );
                    self.push(Rule::Schedule, name, message, span);
                }
            }
        }
        let calendars = |p: &Policy| -> BTreeMap<String, String> {
            p.calendars
                .iter()
                .map(|c| (c.name.clone(), format!("{:?}", c.holidays)))
                .collect()
        };
        let (old, new) = (calendars(self.before), calendars(self.after));
        let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        for name in names {
            if old.get(name) == new.get(name) {
                continue;
            }
            let span = self.trees.calendar(name);
            if !self.powers.rights.contains(AdminRights::SCHEDULES) || self.powers.bounded {
                let message = format!(
                    "`{}` may not change holiday calendar `{name}`: {}",
                    self.powers.admin,
                    if self.powers.bounded {
                        "a calendar binds the whole policy, beyond one sub-account"
                    } else {
                        "that needs the `schedules` right"
                    }
                );
                self.push(Rule::Schedule, name, message, span);
            }
        }
    }

    /// Whom the schedule `name` binds, in OLD or NEW, that the actor may not see: a
    /// user, a door, or a ceiling of an account not below theirs.
    fn bound_elsewhere(&self, name: &str) -> Option<String> {
        for policy in [self.before, self.after] {
            let uses =
                |s: Option<model::ScheduleId>| schedule_name(policy, s).as_deref() == Some(name);
            for user in &policy.users {
                let uses_it = uses(user.schedule) || user.grants.iter().any(|g| uses(g.schedule));
                if uses_it && !self.powers.sees(policy, user) {
                    return Some(format!("user `{}`", user.name));
                }
            }
            if self.powers.bounded {
                if let Some(door) = policy.doors.iter().find(|d| uses(d.schedule)) {
                    return Some(format!("door `{}`", door.name));
                }
            }
            for (id, account) in ids(&policy.accounts) {
                let path = policy.account_path(id);
                let uses_it = account.ceiling.as_ref().is_some_and(|c| uses(c.schedule));
                if uses_it && !self.powers.below(&path) {
                    return Some(format!("the members of `{path}`"));
                }
            }
        }
        None
    }

    // -----------------------------------------------------------------------------
    // Places and appointments

    fn places(&mut self) {
        let old = place_views(self.before);
        let new = place_views(self.after);
        let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        for name in names {
            let (was, is) = (old.get(name), new.get(name));
            if was == is {
                continue;
            }
            let span = self.trees.place(name);
            if !self.powers.rights.contains(AdminRights::CONFIGURATION) {
                let message = format!(
                    "`{}` may not change `{name}`: that needs the `configuration` right",
                    self.powers.admin
                );
                self.push(Rule::Right, name, message, span);
                continue;
            }
            let mut touched = [was, is].into_iter().flatten().flat_map(|(_, doors)| doors);
            if let Some(door) = touched.find(|d| !self.powers.reaches(d)) {
                let message = format!(
                    "`{}` may not change `{name}`: door `{door}` is beyond their reach",
                    self.powers.admin
                );
                self.push(Rule::Ceiling, name, message, span);
            }
        }
    }

    fn appointments(&mut self) {
        let view = |p: &Policy, a: &model::Appointment| {
            (
                a.account.map(|id| p.account_path(id)),
                format!(
                    "{:?}",
                    (
                        a.date,
                        a.range,
                        &a.guests,
                        &a.organizer,
                        &a.subject,
                        &a.description,
                        a.remote
                    )
                ),
                door_names(p, &a.targets).collect::<BTreeSet<_>>(),
            )
        };
        let old: BTreeMap<&str, _> = self
            .before
            .appointments
            .iter()
            .map(|a| (a.name.as_str(), view(self.before, a)))
            .collect();
        let new: BTreeMap<&str, _> = self
            .after
            .appointments
            .iter()
            .map(|a| (a.name.as_str(), view(self.after, a)))
            .collect();
        let names: BTreeSet<&str> = old.keys().chain(new.keys()).copied().collect();
        for name in names {
            let (was, is) = (old.get(name), new.get(name));
            if was == is {
                continue;
            }
            let span = self.trees.appointment(name);
            let owners = was.iter().chain(is.iter()).map(|(owner, _, _)| owner);
            if let Some(owner) = owners.into_iter().find(|o| {
                o.as_deref()
                    .is_none_or(|path| !self.powers.covers_account(path))
            }) {
                let message = format!(
                    "`{}` may not change appointment `{name}` of {}",
                    self.powers.admin,
                    owner
                        .as_deref()
                        .map_or("no account".to_owned(), |p| format!("`{p}`"))
                );
                self.push(Rule::Visibility, name, message, span);
                continue;
            }
            if !self.powers.rights.contains(AdminRights::APPOINTMENTS) {
                let message = format!(
                    "`{}` may not change appointment `{name}`: that needs the `appointments` right",
                    self.powers.admin
                );
                self.push(Rule::Right, name, message, span);
            }
            if let Some((_, _, doors)) = is {
                if let Some(door) = doors.iter().find(|d| !self.powers.reaches(d)) {
                    let message = format!(
                        "appointment `{name}` opens door `{door}`, beyond the reach of `{}`",
                        self.powers.admin
                    );
                    self.push(Rule::Ceiling, name, message, span);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Names across policies

fn ids<T>(items: &[T]) -> impl Iterator<Item = (AccountId, &T)> {
    items
        .iter()
        .enumerate()
        .filter_map(|(i, t)| u32::try_from(i).ok().map(|i| (AccountId(i), t)))
}

fn creator_name<'p>(policy: &'p Policy, user: &model::User) -> Option<&'p str> {
    user.created_by
        .and_then(|c| policy.users.get(c.index()))
        .map(|c| c.name.as_str())
}

fn schedule_name(policy: &Policy, schedule: Option<model::ScheduleId>) -> Option<String> {
    schedule
        .and_then(|s| policy.schedules.get(s.index()))
        .map(|s| s.name.clone())
}

fn target_name(policy: &Policy, target: Target) -> String {
    let name = match target {
        Target::Site(s) => policy
            .sites
            .get(s.index())
            .map(|s| format!("site {}", s.name)),
        Target::Door(d) => policy.doors.get(d.index()).map(|d| d.name.clone()),
        Target::Group(g) => policy
            .groups
            .get(g.index())
            .map(|g| format!("group {}", g.name)),
        Target::Path(p) => policy
            .paths
            .get(p.index())
            .map(|p| format!("path {}", p.name)),
    };
    name.unwrap_or_default()
}

fn door_names<'p>(policy: &'p Policy, targets: &'p [Target]) -> impl Iterator<Item = String> + 'p {
    targets
        .iter()
        .flat_map(|t| policy.doors_of(*t))
        .filter_map(|d| policy.doors.get(d.index()).map(|d| d.name.clone()))
}

/// Each schedule by name, as compared between policies.
fn schedule_views(policy: &Policy) -> BTreeMap<String, String> {
    let calendar = |c: &model::CalendarId| {
        policy
            .calendars
            .get(c.index())
            .map_or(String::new(), |c| c.name.clone())
    };
    policy
        .schedules
        .iter()
        .map(|s| {
            let closed: Vec<String> = s.closed_on.iter().map(calendar).collect();
            let holidays: Vec<(Vec<String>, &Vec<model::TimeRange>)> = s
                .holiday_rules
                .iter()
                .map(|h| (h.calendars.iter().map(calendar).collect(), &h.ranges))
                .collect();
            (
                s.name.clone(),
                format!("{:?}", (&s.weekly, closed, holidays)),
            )
        })
        .collect()
}

/// Each site, door, group, path, space code and zone by name (space codes by site
/// and position), as compared between policies: what it is, and the doors it holds.
fn place_views(policy: &Policy) -> BTreeMap<String, (String, BTreeSet<String>)> {
    let door = |d: &model::DoorId| {
        policy
            .doors
            .get(d.index())
            .map_or(String::new(), |d| d.name.clone())
    };
    let site = |s: model::SiteId| {
        policy
            .sites
            .get(s.index())
            .map_or(String::new(), |s| s.name.clone())
    };
    let mut views = BTreeMap::new();
    for s in &policy.sites {
        let what = format!("{:?}", (&s.title, s.timezone, &s.keystore, &s.card_formats));
        views.insert(s.name.clone(), (what, s.doors.iter().map(door).collect()));
    }
    for d in &policy.doors {
        let what = format!(
            "{:?}",
            (
                &d.title,
                site(d.site),
                &d.external_id,
                d.readers,
                schedule_name(policy, d.schedule),
                d.connectivity,
                d.capacity,
                d.required,
                &d.card_formats
            )
        );
        views.insert(d.name.clone(), (what, BTreeSet::from([d.name.clone()])));
    }
    for g in &policy.groups {
        let what = format!("group {:?}", g.doors.iter().map(door).collect::<Vec<_>>());
        views.insert(g.name.clone(), (what, g.doors.iter().map(door).collect()));
    }
    for p in &policy.paths {
        let what = format!("path {:?}", p.doors.iter().map(door).collect::<Vec<_>>());
        views.insert(p.name.clone(), (what, p.doors.iter().map(door).collect()));
    }
    let mut per_site: BTreeMap<String, usize> = BTreeMap::new();
    for c in &policy.space_codes {
        let site = site(c.site);
        let n = per_site.entry(site.clone()).or_default();
        *n += 1;
        let doors: BTreeSet<String> = door_names(policy, &c.targets).collect();
        views.insert(
            format!("space code {n} of {site}"),
            (format!("{:?}", (&c.code, &doors)), doors),
        );
    }
    for z in &policy.zones {
        let doors: BTreeSet<String> = z.doors.iter().map(|zd| door(&zd.door)).collect();
        let readers: Vec<_> = z
            .doors
            .iter()
            .map(|zd| (door(&zd.door), zd.reader, zd.direction))
            .collect();
        let what = format!(
            "{:?}",
            (
                &z.title,
                z.site.map(site),
                readers,
                z.kind,
                z.tracking,
                z.unreachable
            )
        );
        views.insert(format!("zone {}", z.name), (what, doors));
    }
    views
}

/// "`users`, `badges`"
fn quoted(rights: AdminRights) -> String {
    rights
        .to_words()
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------
// Where things stand in NEW

/// The declarations of NEW's trees by name, for spans.
struct Trees<'a> {
    users: BTreeMap<&'a str, &'a ast::User>,
    accounts: BTreeMap<String, Span>,
    schedules: BTreeMap<&'a str, Span>,
    calendars: BTreeMap<&'a str, Span>,
    places: BTreeMap<&'a str, Span>,
    appointments: BTreeMap<&'a str, Span>,
}

impl<'a> Trees<'a> {
    fn new(files: &'a [ast::File]) -> Trees<'a> {
        let mut trees = Trees {
            users: BTreeMap::new(),
            accounts: BTreeMap::new(),
            schedules: BTreeMap::new(),
            calendars: BTreeMap::new(),
            places: BTreeMap::new(),
            appointments: BTreeMap::new(),
        };
        for item in files.iter().flat_map(|f| &f.items) {
            match &item.node {
                Item::Account(account) => trees.account_tree(account),
                Item::Schedule(s) => {
                    trees.schedules.entry(&s.name.name).or_insert(s.name.span);
                }
                Item::Holidays(h) => {
                    trees.calendars.entry(&h.name.name).or_insert(h.name.span);
                }
                Item::Appointment(a) => {
                    trees
                        .appointments
                        .entry(&a.name.name)
                        .or_insert(a.name.span);
                }
                Item::Site(site) => trees.site(site),
                Item::Zone(z) => {
                    trees.places.entry(&z.name.name).or_insert(z.name.span);
                }
                Item::Test(_) => {}
            }
        }
        trees
    }

    fn site(&mut self, site: &'a ast::Site) {
        self.places.entry(&site.name.name).or_insert(site.name.span);
        for entry in &site.body.entries {
            let name = match &entry.node {
                ast::SiteClause::Door(d) => &d.name,
                ast::SiteClause::Group(g) => &g.name,
                ast::SiteClause::Path(p) => &p.name,
                ast::SiteClause::Zone(z) => &z.name,
                _ => continue,
            };
            self.places.entry(&name.name).or_insert(name.span);
        }
    }

    /// An account and everything in it, without recursion.
    fn account_tree(&mut self, top: &'a ast::Account) {
        let mut stack: Vec<(String, &'a ast::Account)> = vec![(top.name.name.clone(), top)];
        while let Some((path, account)) = stack.pop() {
            self.accounts
                .entry(path.clone())
                .or_insert(account.name.span);
            for entry in &account.body.entries {
                match &entry.node {
                    AccountClause::User(user) => {
                        self.users.entry(&user.name.name).or_insert(user);
                    }
                    AccountClause::Subaccount(sub) => {
                        stack.push((format!("{}@{path}", sub.name.name), sub));
                    }
                    AccountClause::Appointment(a) => {
                        self.appointments.entry(&a.name.name).or_insert(a.name.span);
                    }
                    AccountClause::Ceiling(_) => {}
                }
            }
        }
    }

    fn user(&self, name: &str) -> Option<&'a ast::User> {
        self.users.get(name).copied()
    }

    fn account(&self, path: &str) -> Option<Span> {
        self.accounts.get(path).copied()
    }

    fn schedule(&self, name: &str) -> Option<Span> {
        self.schedules.get(name).copied()
    }

    fn calendar(&self, name: &str) -> Option<Span> {
        self.calendars.get(name).copied()
    }

    fn place(&self, name: &str) -> Option<Span> {
        let bare = name.strip_prefix("zone ").unwrap_or(name);
        self.places.get(bare).copied()
    }

    fn appointment(&self, name: &str) -> Option<Span> {
        self.appointments.get(name).copied()
    }
}

/// Where the first clause `keyword` of `user` stands.
fn clause_span(user: &ast::User, keyword: &str) -> Option<Span> {
    let matches = |e: &&Entry<UserClause>| {
        matches!(
            (&e.node, keyword),
            (UserClause::Card(_), "card")
                | (UserClause::Pin(_), "pin")
                | (UserClause::Qr(_), "qr")
                | (UserClause::Mobile(_), "mobile")
                | (UserClause::Remote(_), "remote")
                | (UserClause::Schedule(_), "schedule")
                | (UserClause::Allow { .. }, "allow")
                | (UserClause::Admin { .. }, "admin")
                | (UserClause::CreatedBy(_), "created_by")
        )
    };
    user.body
        .iter()
        .flat_map(|b| &b.entries)
        .find(matches)
        .map(|e| e.span)
}
