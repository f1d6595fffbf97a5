//! Where the model's items were written: the syntax tree's spans, by model id.
//!
//! Owns the walk that numbers declarations exactly as the validator does (files in
//! order; a site's doors, groups and paths in order; accounts in pre-order, each
//! user with the account whose block holds it), so that the position of an origin
//! here is the id of its item in [`crate::model::Policy`]. It must never judge
//! anything: it only records spans.

use crate::source::Span;
use crate::syntax::ast::{self, AccountClause, Entry, Item, SiteClause, UserClause};

/// The spans of one user's clauses.
#[derive(Debug, Clone, Default)]
pub(crate) struct UserOrigin {
    /// The whole `user` entry.
    pub span: Span,
    /// Each `allow` clause, in order (the model's grants, one each).
    pub allows: Vec<(Span, String)>,
    pub schedule: Option<Span>,
    pub valid: Option<Span>,
    pub inactive: Option<Span>,
    pub remote: Option<Span>,
    pub offline: Option<Span>,
    pub admin: Option<Span>,
    /// Every credential clause, in order.
    pub credentials: Vec<Span>,
}

/// The spans of one account's block and ceiling.
#[derive(Debug, Clone, Default)]
pub(crate) struct AccountOrigin {
    pub span: Span,
    pub ceiling: Option<Span>,
}

/// The spans of one door.
#[derive(Debug, Clone, Default)]
pub(crate) struct DoorOrigin {
    pub span: Span,
    /// Its `schedule` clause.
    pub schedule: Option<Span>,
}

/// Every origin of a policy, by model id.
#[derive(Debug, Clone, Default)]
pub(crate) struct Origins {
    pub sites: Vec<Span>,
    pub doors: Vec<DoorOrigin>,
    pub groups: Vec<Span>,
    pub paths: Vec<Span>,
    pub schedules: Vec<Span>,
    pub calendars: Vec<Span>,
    pub accounts: Vec<AccountOrigin>,
    pub users: Vec<UserOrigin>,
}

impl Origins {
    /// Walks `files` as the validator numbers them.
    pub fn new(files: &[ast::File]) -> Origins {
        let mut origins = Origins::default();
        for entry in files.iter().flat_map(|f| &f.items) {
            match &entry.node {
                Item::Site(site) => origins.site(entry.span, site),
                Item::Schedule(_) => origins.schedules.push(entry.span),
                Item::Holidays(_) => origins.calendars.push(entry.span),
                Item::Account(account) => origins.accounts_of(entry.span, account),
                Item::Appointment(_) | Item::Test(_) | Item::Zone(_) => {}
            }
        }
        origins
    }

    fn site(&mut self, span: Span, site: &ast::Site) {
        self.sites.push(span);
        for entry in &site.body.entries {
            match &entry.node {
                SiteClause::Door(door) => {
                    let schedule = door.body.iter().flat_map(|b| &b.entries).find_map(|e| {
                        matches!(e.node, ast::DoorClause::Schedule(_)).then_some(e.span)
                    });
                    self.doors.push(DoorOrigin {
                        span: entry.span,
                        schedule,
                    });
                }
                SiteClause::Group(_) => self.groups.push(entry.span),
                SiteClause::Path(_) => self.paths.push(entry.span),
                _ => {}
            }
        }
    }

    /// An account and everything nested in it, in pre-order, without recursion.
    fn accounts_of(&mut self, span: Span, top: &ast::Account) {
        self.account(span, top);
        let mut stack = vec![top.body.entries.iter()];
        while let Some(entries) = stack.last_mut() {
            let Some(entry) = entries.next() else {
                stack.pop();
                continue;
            };
            match &entry.node {
                AccountClause::User(user) => self.user(entry, user),
                AccountClause::Subaccount(sub) => {
                    self.account(entry.span, sub);
                    stack.push(sub.body.entries.iter());
                }
                AccountClause::Appointment(_) | AccountClause::Ceiling(_) => {}
            }
        }
    }

    fn account(&mut self, span: Span, account: &ast::Account) {
        let ceiling = (account.body.entries.iter())
            .find_map(|e| matches!(e.node, AccountClause::Ceiling(_)).then_some(e.span));
        self.accounts.push(AccountOrigin { span, ceiling });
    }

    fn user(&mut self, entry: &Entry<AccountClause>, user: &ast::User) {
        let mut origin = UserOrigin {
            span: entry.span,
            ..UserOrigin::default()
        };
        for clause in user.body.iter().flat_map(|b| &b.entries) {
            let at = Some(clause.span);
            match &clause.node {
                UserClause::Allow { targets, schedule } => {
                    origin
                        .allows
                        .push((clause.span, allow_text(targets, schedule.as_ref())));
                }
                UserClause::Schedule(_) => origin.schedule = origin.schedule.or(at),
                UserClause::Valid { .. } => origin.valid = origin.valid.or(at),
                UserClause::Inactive(_) => origin.inactive = origin.inactive.or(at),
                UserClause::Remote(_) => origin.remote = origin.remote.or(at),
                UserClause::Offline(_) => origin.offline = origin.offline.or(at),
                UserClause::Admin { .. } => origin.admin = origin.admin.or(at),
                UserClause::Card(_)
                | UserClause::Pin(_)
                | UserClause::Qr(_)
                | UserClause::Mobile(_) => origin.credentials.push(clause.span),
                UserClause::Email(_)
                | UserClause::Tags(_)
                | UserClause::CreatedBy(_)
                | UserClause::Key(_) => {}
            }
        }
        self.users.push(origin);
    }
}

/// `allow TARGET… [schedule NAME]`, as written.
fn allow_text(targets: &[ast::Target], schedule: Option<&ast::Ident>) -> String {
    let mut text = String::from("allow");
    for target in targets {
        text.push(' ');
        if let Some(kind) = &target.kind {
            text.push_str(kind.kind.as_str());
            text.push(' ');
        }
        text.push_str(&target.name.name);
    }
    if let Some(schedule) = schedule {
        text.push_str(" schedule ");
        text.push_str(&schedule.name);
    }
    text
}
