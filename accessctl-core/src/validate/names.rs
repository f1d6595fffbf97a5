//! Declarations and symbol tables.
//!
//! Owns the numbering of every declared entity (the position of a declaration in its
//! vector here is its id in [`crate::model::Policy`], so later stages can zip the tree
//! with the model) and one symbol table per name space: sites, doors, groups and paths
//! share one; schedules, holiday calendars, users, appointments and anti-passback
//! zones each have their own; an account's name is scoped by its parent (siblings
//! only must differ). It reports names defined twice (E0210).
//!
//! It must never resolve a reference (that is [`super::resolve`]) nor judge a value.

use super::id;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{AccountId, DoorId, GroupId, PathId, SiteId, Target};
use crate::source::Span;
use crate::syntax::ast::{self, AccountClause, Entry, Ident, Item, SiteClause};
use rustc_hash::FxHashMap as HashMap;

/// Every declaration of a policy, numbered, with the symbol tables to find them.
#[derive(Default)]
pub(super) struct Names<'a> {
    /// Sites; the position is the [`SiteId`].
    pub sites: Vec<&'a ast::Site>,
    /// Doors with their site; the position is the [`DoorId`].
    pub doors: Vec<(&'a ast::Door, SiteId)>,
    /// Door groups with their site.
    pub groups: Vec<(&'a ast::Group, SiteId)>,
    /// Paths with their site.
    pub paths: Vec<(&'a ast::PathDecl, SiteId)>,
    /// Permanent space codes with their site.
    pub codes: Vec<(&'a ast::SpaceCode, SiteId)>,
    /// Schedules.
    pub schedules: Vec<&'a ast::Schedule>,
    /// Holiday calendars.
    pub calendars: Vec<&'a ast::Holidays>,
    /// Accounts and sub-accounts in pre-order, with their parent.
    pub accounts: Vec<(&'a ast::Account, Option<AccountId>)>,
    /// Users with their account.
    pub users: Vec<(&'a ast::User, AccountId)>,
    /// Appointments with their owning account.
    pub appointments: Vec<(&'a ast::Appointment, Option<AccountId>)>,
    /// Policy tests, in source order (they declare nothing).
    pub tests: Vec<&'a ast::Test>,
    /// Anti-passback zones with the site they were declared in (`None` at the top
    /// level); the position is the [`crate::model::ZoneId`].
    pub zones: Vec<(&'a ast::Zone, Option<SiteId>)>,
    /// Sites, doors, groups and paths by name (the first definition wins).
    pub places: HashMap<&'a str, Target>,
    /// Schedules by name: the [`crate::model::ScheduleId`] of the first definition.
    pub schedule_ids: HashMap<&'a str, u32>,
    /// Holiday calendars by name: the [`crate::model::CalendarId`] of the first one.
    pub calendar_ids: HashMap<&'a str, u32>,
    /// Users by name: the [`crate::model::UserId`] of the first definition.
    pub user_ids: HashMap<&'a str, u32>,
}

/// Numbers every declaration of `files` and reports duplicate names.
pub(super) fn declare<'a>(files: &'a [ast::File], diags: &mut Vec<Diagnostic>) -> Names<'a> {
    let mut names = Names::default();
    for item in files.iter().flat_map(|f| &f.items) {
        names.declare_item(&item.node, diags);
    }
    // Each of these name spaces holds one kind, numbered in source order, so its table
    // is built once the walk is done, at its final size.
    let schedule = |s: &&'a ast::Schedule| -> &'a Ident { &s.name };
    names.schedule_ids = table(&names.schedules, schedule, "schedule", diags);
    let calendar = |c: &&'a ast::Holidays| -> &'a Ident { &c.name };
    names.calendar_ids = table(&names.calendars, calendar, "holiday calendar", diags);
    account_table(&names.accounts, diags);
    let user = |u: &(&'a ast::User, AccountId)| -> &'a Ident { &u.0.name };
    names.user_ids = table(&names.users, user, "user", diags);
    let appointment = |a: &(&'a ast::Appointment, Option<AccountId>)| -> &'a Ident { &a.0.name };
    table(&names.appointments, appointment, "appointment", diags);
    let zone = |z: &(&'a ast::Zone, Option<SiteId>)| -> &'a Ident { &z.0.name };
    table(&names.zones, zone, "zone", diags);
    names
}

/// The table of one name space whose declarations are `decls`, in source order,
/// reporting each name defined twice.
fn table<'a, D>(
    decls: &[D],
    name: impl Fn(&D) -> &'a Ident,
    kind: &str,
    diags: &mut Vec<Diagnostic>,
) -> HashMap<&'a str, u32> {
    let mut table = HashMap::with_capacity_and_hasher(decls.len(), Default::default());
    for (index, decl) in decls.iter().enumerate() {
        let ident = name(decl);
        if let Some(first) = insert(&mut table, ident, id(index)) {
            let span = decls.get(first as usize).map(|d| name(d).span);
            diags.push(duplicate(kind, ident, kind, span));
        }
    }
    table
}

/// Reports each account or sub-account whose name a sibling already has: names are
/// scoped by their parent, as Intratone's `souscompte@moncompte`, so `antony` under
/// `regle` and `antony` under `autre` are two sub-accounts (`antony@regle`,
/// `antony@autre`); top-level accounts are siblings of each other.
fn account_table(accounts: &[(&ast::Account, Option<AccountId>)], diags: &mut Vec<Diagnostic>) {
    let mut table: HashMap<(Option<AccountId>, &str), usize> =
        HashMap::with_capacity_and_hasher(accounts.len(), Default::default());
    for (index, (account, parent)) in accounts.iter().enumerate() {
        let key = (*parent, account.name.name.as_str());
        match table.entry(key) {
            std::collections::hash_map::Entry::Occupied(first) => {
                let span = accounts.get(*first.get()).map(|(a, _)| a.name.span);
                let kind = if parent.is_some() {
                    "sub-account"
                } else {
                    "account"
                };
                diags.push(duplicate(kind, &account.name, kind, span).with_help(
                    "rename one of them: accounts under one parent (and top-level accounts) \
                     need distinct names; under different parents they may share one",
                ));
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(index);
            }
        }
    }
}

impl<'a> Names<'a> {
    fn declare_item(&mut self, item: &'a Item, diags: &mut Vec<Diagnostic>) {
        match item {
            Item::Site(site) => self.declare_site(site, diags),
            Item::Schedule(s) => self.schedules.push(s),
            Item::Holidays(h) => self.calendars.push(h),
            Item::Account(account) => self.declare_accounts(account),
            Item::Appointment(a) => self.appointments.push((a, None)),
            Item::Test(test) => self.tests.push(test),
            Item::Zone(zone) => self.zones.push((zone, None)),
        }
    }

    fn declare_site(&mut self, site: &'a ast::Site, diags: &mut Vec<Diagnostic>) {
        let sid = SiteId(id(self.sites.len()));
        self.sites.push(site);
        self.define_place(&site.name, Target::Site(sid), diags);
        for entry in &site.body.entries {
            match &entry.node {
                SiteClause::Door(door) => {
                    let did = DoorId(id(self.doors.len()));
                    self.doors.push((door, sid));
                    self.define_place(&door.name, Target::Door(did), diags);
                }
                SiteClause::Group(group) => {
                    let gid = GroupId(id(self.groups.len()));
                    self.groups.push((group, sid));
                    self.define_place(&group.name, Target::Group(gid), diags);
                }
                SiteClause::Path(path) => {
                    let pid = PathId(id(self.paths.len()));
                    self.paths.push((path, sid));
                    self.define_place(&path.name, Target::Path(pid), diags);
                }
                SiteClause::Code(code) => self.codes.push((code, sid)),
                SiteClause::Zone(zone) => self.zones.push((zone, Some(sid))),
                SiteClause::Timezone(_) | SiteClause::Keystore(_) | SiteClause::Cards(_) => {}
            }
        }
    }

    /// Declares an account and everything nested in it, in pre-order, without
    /// recursion (a deeply nested tree must not exhaust the stack).
    fn declare_accounts(&mut self, top: &'a ast::Account) {
        let top_id = self.declare_account(top, None);
        let mut stack: Vec<(AccountId, std::slice::Iter<'a, Entry<AccountClause>>)> =
            vec![(top_id, top.body.entries.iter())];
        while let Some((account, entries)) = stack.last_mut() {
            let account = *account;
            let Some(entry) = entries.next() else {
                stack.pop();
                continue;
            };
            match &entry.node {
                AccountClause::User(user) => self.users.push((user, account)),
                AccountClause::Subaccount(sub) => {
                    let sub_id = self.declare_account(sub, Some(account));
                    stack.push((sub_id, sub.body.entries.iter()));
                }
                AccountClause::Appointment(a) => self.appointments.push((a, Some(account))),
                AccountClause::Ceiling(_) => {}
            }
        }
    }

    fn declare_account(
        &mut self,
        account: &'a ast::Account,
        parent: Option<AccountId>,
    ) -> AccountId {
        let aid = AccountId(id(self.accounts.len()));
        self.accounts.push((account, parent));
        aid
    }

    fn define_place(&mut self, name: &'a Ident, target: Target, diags: &mut Vec<Diagnostic>) {
        if let Some(first) = insert(&mut self.places, name, target) {
            let span = self.place_span(first);
            diags.push(duplicate(kind_word(target), name, kind_word(first), span));
        }
    }

    /// Where the place `target` is named in its declaration.
    pub fn place_span(&self, target: Target) -> Option<Span> {
        match target {
            Target::Site(s) => self.sites.get(s.index()).map(|s| s.name.span),
            Target::Door(d) => self.doors.get(d.index()).map(|(d, _)| d.name.span),
            Target::Group(g) => self.groups.get(g.index()).map(|(g, _)| g.name.span),
            Target::Path(p) => self.paths.get(p.index()).map(|(p, _)| p.name.span),
        }
    }

    /// The site a place belongs to (a site, itself).
    pub fn site_of(&self, place: Target) -> Option<SiteId> {
        match place {
            Target::Site(s) => Some(s),
            Target::Door(d) => self.doors.get(d.index()).map(|(_, s)| *s),
            Target::Group(g) => self.groups.get(g.index()).map(|(_, s)| *s),
            Target::Path(p) => self.paths.get(p.index()).map(|(_, s)| *s),
        }
    }

    /// The name a place was declared with.
    pub fn place_name(&self, place: Target) -> &'a str {
        match place {
            Target::Site(s) => self.site_name(s),
            Target::Door(d) => self.door_name(d),
            Target::Group(g) => self
                .groups
                .get(g.index())
                .map_or("", |(g, _)| g.name.name.as_str()),
            Target::Path(p) => self
                .paths
                .get(p.index())
                .map_or("", |(p, _)| p.name.name.as_str()),
        }
    }

    /// The name of the door `door`.
    pub fn door_name(&self, door: DoorId) -> &'a str {
        self.doors
            .get(door.index())
            .map_or("", |(d, _)| d.name.name.as_str())
    }

    /// The name of the site `site`.
    pub fn site_name(&self, site: SiteId) -> &'a str {
        self.sites
            .get(site.index())
            .map_or("", |s| s.name.name.as_str())
    }

    /// The name of the account `account`.
    pub fn account_name(&self, account: AccountId) -> &'a str {
        self.accounts
            .get(account.index())
            .map_or("", |(a, _)| a.name.name.as_str())
    }

    /// How messages name the account `account`: its name when no other account has
    /// it, else its path `name@parent@…` up to its top-level account.
    pub fn account_label(&self, account: AccountId) -> String {
        let name = self.account_name(account);
        let shared = self
            .accounts
            .iter()
            .filter(|(a, _)| a.name.name == name)
            .nth(1)
            .is_some();
        if !shared {
            return name.to_owned();
        }
        let mut path = Vec::new();
        let mut at = Some(account);
        while let Some(id) = at.filter(|_| path.len() <= self.accounts.len()) {
            path.push(self.account_name(id));
            at = self
                .accounts
                .get(id.index())
                .and_then(|(_, parent)| *parent);
        }
        path.join("@")
    }
}

/// The keyword of a place's kind, as a reader would say it.
pub(super) fn kind_word(target: Target) -> &'static str {
    match target {
        Target::Site(_) => "site",
        Target::Door(_) => "door",
        Target::Group(_) => "group",
        Target::Path(_) => "path",
    }
}

/// Inserts `name` unless present; returns the id already there.
fn insert<'a, T: Copy>(table: &mut HashMap<&'a str, T>, name: &'a Ident, value: T) -> Option<T> {
    match table.entry(name.name.as_str()) {
        std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
        std::collections::hash_map::Entry::Vacant(slot) => {
            slot.insert(value);
            None
        }
    }
}

/// E0210: `name` (a `kind`) was already defined as a `first_kind` at `first`.
fn duplicate(kind: &str, name: &Ident, first_kind: &str, first: Option<Span>) -> Diagnostic {
    let message = if kind == first_kind {
        format!("{kind} `{}` is defined twice", name.name)
    } else {
        format!("{kind} `{}` reuses the name of a {first_kind}", name.name)
    };
    let help = if matches!(kind, "site" | "door" | "group" | "path") {
        "rename one of them: sites, doors, groups and paths share one name space"
    } else {
        "rename one of them"
    };
    let diag = Diagnostic::error(Code::DuplicateName, name.span, message)
        .with_label("defined again here")
        .with_help(help);
    match first {
        Some(span) => diag.with_secondary(span, format!("first defined here as a {first_kind}")),
        None => diag,
    }
}
