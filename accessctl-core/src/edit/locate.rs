//! Where things are in the syntax trees being edited: users and accounts by name
//! (accounts also by `name@parent…`), the names a patch may refer to, who holds each
//! card, and the edits made so far (users changed in place, taken out, added).
//!
//! Users are found through an index built once, so that a bulk edit of many users
//! costs one pass over the trees. It must never change a tree's layout: removals are
//! marked here and carried out by [`splice`](super::splice), with the text.

use std::collections::{HashMap, HashSet};

use super::patch::{self, checked_name};
use super::{user_entry, Action, Applied, CardHolders, Edit, EditRefused};
use crate::model::{Credential, Policy};
use crate::syntax::ast::{
    Account, AccountClause, Entry, File, Item, Target, TargetKind, User, UserClause,
};

/// An entry's place: its file's index, then its index in each block down to it.
pub(super) type Loc = (usize, Vec<usize>);

/// The names a patch may refer to, and who holds each card.
pub(super) struct Names {
    sites: HashSet<String>,
    doors: HashSet<String>,
    groups: HashSet<String>,
    paths: HashSet<String>,
    schedules: HashSet<String>,
    /// Every tag some user holds.
    pub(super) tags: HashSet<String>,
    /// Card values to holders.
    pub(super) cards: CardHolders,
}

impl Names {
    pub(super) fn new(policy: &Policy) -> Names {
        let names = |it: &mut dyn Iterator<Item = &String>| it.cloned().collect::<HashSet<_>>();
        let mut cards = CardHolders::default();
        let mut tags = HashSet::new();
        for user in &policy.users {
            for credential in &user.credentials {
                if let Credential::Card(value) = credential {
                    cards.insert(*value, user.name.clone());
                }
            }
            tags.extend(user.tags.iter().cloned());
        }
        Names {
            sites: names(&mut policy.sites.iter().map(|s| &s.name)),
            doors: names(&mut policy.doors.iter().map(|d| &d.name)),
            groups: names(&mut policy.groups.iter().map(|g| &g.name)),
            paths: names(&mut policy.paths.iter().map(|p| &p.name)),
            schedules: names(&mut policy.schedules.iter().map(|s| &s.name)),
            tags,
            cards,
        }
    }

    pub(super) fn schedule(&self, name: &str) -> Result<(), EditRefused> {
        if self.schedules.contains(name) {
            return Ok(());
        }
        Err(EditRefused::UnknownSchedule {
            name: name.to_owned(),
            suggestion: nearest(name, &self.schedules),
        })
    }

    pub(super) fn known_tag(&self, tag: &str) -> Result<(), EditRefused> {
        if self.tags.contains(tag) {
            return Ok(());
        }
        Err(EditRefused::UnknownTag {
            tag: tag.to_owned(),
            suggestion: nearest(tag, &self.tags),
        })
    }

    /// `target` names a door, group, path or site (of its kind, when written).
    pub(super) fn target(&self, target: &Target, text: &str) -> Result<(), EditRefused> {
        let name = target.name.name.as_str();
        let sets: Vec<&HashSet<String>> = match target.kind.as_ref().map(|k| k.kind) {
            Some(TargetKind::Site) => vec![&self.sites],
            Some(TargetKind::Door) => vec![&self.doors],
            Some(TargetKind::Group) => vec![&self.groups],
            Some(TargetKind::Path) => vec![&self.paths],
            None => vec![&self.doors, &self.groups, &self.paths, &self.sites],
        };
        if sets.iter().any(|s| s.contains(name)) {
            return Ok(());
        }
        let suggestion =
            crate::suggest::nearest(name, sets.iter().flat_map(|s| s.iter().map(String::as_str)))
                .map(str::to_owned);
        Err(EditRefused::UnknownTarget {
            target: text.to_owned(),
            suggestion,
        })
    }
}

fn nearest(name: &str, set: &HashSet<String>) -> Option<String> {
    crate::suggest::nearest(name, set.iter().map(String::as_str)).map(str::to_owned)
}

/// Where a user is.
#[derive(Clone)]
enum Slot {
    /// In the trees: its entry, its account.
    Existing(Loc, Loc),
    /// Added by this run: its account, its index among the account's additions.
    New(Loc, usize),
}

/// An account: its names from the innermost up, and its place.
struct AccountInfo {
    chain: Vec<String>,
    loc: Loc,
}

/// The trees being edited and the edits made to them so far.
pub(super) struct Workspace {
    pub(super) files: Vec<File>,
    pub(super) names: Names,
    users: HashMap<String, Slot>,
    accounts: Vec<AccountInfo>,
    /// Existing user entries changed in place.
    pub(super) dirty: HashSet<Loc>,
    /// Existing user entries taken out.
    pub(super) removed: HashSet<Loc>,
    /// New user entries by account (`None`: added, then removed again).
    pub(super) additions: HashMap<Loc, Vec<Option<Entry<AccountClause>>>>,
    /// Every account entry on the way to an edit.
    pub(super) touched: HashSet<Loc>,
}

impl Workspace {
    pub(super) fn new(files: Vec<File>, names: Names) -> Workspace {
        let mut work = Workspace {
            files: Vec::new(),
            names,
            users: HashMap::new(),
            accounts: Vec::new(),
            dirty: HashSet::new(),
            removed: HashSet::new(),
            additions: HashMap::new(),
            touched: HashSet::new(),
        };
        for (f, file) in files.iter().enumerate() {
            for (i, item) in file.items.iter().enumerate() {
                if let Item::Account(account) = &item.node {
                    work.index(account, (f, vec![i]), Vec::new());
                }
            }
        }
        work.files = files;
        work
    }

    fn index(&mut self, account: &Account, loc: Loc, mut chain: Vec<String>) {
        chain.insert(0, account.name.name.clone());
        for (j, entry) in account.body.entries.iter().enumerate() {
            let mut path = loc.1.clone();
            path.push(j);
            match &entry.node {
                AccountClause::User(user) => {
                    self.users.insert(
                        user.name.name.clone(),
                        Slot::Existing((loc.0, path), loc.clone()),
                    );
                }
                AccountClause::Subaccount(sub) => self.index(sub, (loc.0, path), chain.clone()),
                _ => {}
            }
        }
        self.accounts.push(AccountInfo { chain, loc });
    }

    /// The account an address (`name`, `name@parent…`) stands for.
    fn find_account(&self, address: &str) -> Result<&AccountInfo, EditRefused> {
        let parts: Vec<&str> = address.split('@').collect();
        let found: Vec<&AccountInfo> = self
            .accounts
            .iter()
            .filter(|a| {
                a.chain.len() >= parts.len() && a.chain.iter().zip(&parts).all(|(c, p)| c == p)
            })
            .collect();
        match found.as_slice() {
            [one] => Ok(one),
            [] => Err(EditRefused::UnknownAccount {
                name: address.to_owned(),
                suggestion: crate::suggest::nearest(
                    address,
                    self.accounts
                        .iter()
                        .filter_map(|a| a.chain.first().map(String::as_str)),
                )
                .map(str::to_owned),
            }),
            many => Err(EditRefused::AmbiguousAccount {
                name: address.to_owned(),
                candidates: many.iter().map(|a| a.chain.join("@")).collect(),
            }),
        }
    }

    fn address(&self, loc: &Loc) -> String {
        self.accounts
            .iter()
            .find(|a| &a.loc == loc)
            .map(|a| a.chain.join("@"))
            .unwrap_or_default()
    }

    fn touch(&mut self, account: &Loc) {
        for k in 1..=account.1.len() {
            let prefix = account
                .1
                .get(..k)
                .map(<[usize]>::to_vec)
                .unwrap_or_default();
            self.touched.insert((account.0, prefix));
        }
    }

    fn slot(&self, name: &str) -> Result<Slot, EditRefused> {
        self.users
            .get(name)
            .cloned()
            .ok_or_else(|| EditRefused::UnknownUser {
                name: name.to_owned(),
                suggestion: crate::suggest::nearest(name, self.users.keys().map(String::as_str))
                    .map(str::to_owned),
            })
    }

    /// The user a slot holds, to change.
    fn user_mut(&mut self, slot: &Slot) -> Option<&mut User> {
        let entry = match slot {
            Slot::Existing(loc, _) => entry_mut(&mut self.files, loc)?,
            Slot::New(account, index) => {
                self.additions.get_mut(account)?.get_mut(*index)?.as_mut()?
            }
        };
        match &mut entry.node {
            AccountClause::User(user) => Some(user),
            _ => None,
        }
    }

    /// Applies one edit.
    pub(super) fn apply(&mut self, edit: &Edit) -> Result<Applied, EditRefused> {
        match edit {
            Edit::AddUser {
                account,
                user,
                patch,
            } => {
                checked_name("user name", user)?;
                if let Some(slot) = self.users.get(user) {
                    let at = match slot {
                        Slot::Existing(_, a) | Slot::New(a, _) => a.clone(),
                    };
                    return Err(EditRefused::UserExists {
                        name: user.clone(),
                        account: self.address(&at),
                    });
                }
                if patch.title.is_none() {
                    return Err(EditRefused::MissingField {
                        field: "a full name",
                    });
                }
                if patch.email.is_none() {
                    return Err(EditRefused::MissingField { field: "an email" });
                }
                let info = self.find_account(account)?;
                let (loc, address) = (info.loc.clone(), info.chain.join("@"));
                let mut node = User {
                    name: super::ident(user),
                    title: None,
                    body: None,
                };
                patch::apply(&mut node, patch, &mut self.names)?;
                let list = self.additions.entry(loc.clone()).or_default();
                list.push(Some(user_entry(node)));
                let index = list.len() - 1;
                self.users
                    .insert(user.clone(), Slot::New(loc.clone(), index));
                self.touch(&loc);
                Ok(Applied {
                    action: Action::Added,
                    user: user.clone(),
                    account: address,
                    file: crate::FileId(u32::try_from(loc.0).unwrap_or(u32::MAX)),
                })
            }
            Edit::ChangeUser { user, patch } => {
                let slot = self.slot(user)?;
                let mut names = std::mem::replace(&mut self.names, Names::empty());
                let result = match self.user_mut(&slot) {
                    Some(node) => patch::apply(node, patch, &mut names),
                    None => Ok(()),
                };
                self.names = names;
                result?;
                let account = match &slot {
                    Slot::Existing(loc, account) => {
                        self.dirty.insert(loc.clone());
                        account.clone()
                    }
                    Slot::New(account, _) => account.clone(),
                };
                self.touch(&account);
                Ok(Applied {
                    action: Action::Changed,
                    user: user.clone(),
                    account: self.address(&account),
                    file: crate::FileId(u32::try_from(account.0).unwrap_or(u32::MAX)),
                })
            }
            Edit::RemoveUser { user } => {
                let slot = self.slot(user)?;
                let cards: Vec<u64> = self
                    .user_mut(&slot)
                    .and_then(|u| u.body.as_ref())
                    .map(|b| {
                        b.entries
                            .iter()
                            .filter_map(|e| match &e.node {
                                UserClause::Card(n) => n.digits.parse().ok(),
                                _ => None,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                for card in cards {
                    if self.names.cards.get(&card).is_some_and(|h| h == user) {
                        self.names.cards.remove(&card);
                    }
                }
                self.users.remove(user);
                let account = match &slot {
                    Slot::Existing(loc, account) => {
                        self.removed.insert(loc.clone());
                        self.dirty.remove(loc);
                        account.clone()
                    }
                    Slot::New(account, index) => {
                        if let Some(entry) = self
                            .additions
                            .get_mut(account)
                            .and_then(|list| list.get_mut(*index))
                        {
                            *entry = None;
                        }
                        account.clone()
                    }
                };
                self.touch(&account);
                Ok(Applied {
                    action: Action::Removed,
                    user: user.clone(),
                    account: self.address(&account),
                    file: crate::FileId(u32::try_from(account.0).unwrap_or(u32::MAX)),
                })
            }
        }
    }
}

impl Names {
    fn empty() -> Names {
        Names {
            sites: HashSet::new(),
            doors: HashSet::new(),
            groups: HashSet::new(),
            paths: HashSet::new(),
            schedules: HashSet::new(),
            tags: HashSet::new(),
            cards: CardHolders::default(),
        }
    }
}

/// The account an account location points at.
pub(super) fn account_mut<'a>(files: &'a mut [File], loc: &Loc) -> Option<&'a mut Account> {
    let (first, rest) = loc.1.split_first()?;
    let Item::Account(top) = &mut files.get_mut(loc.0)?.items.get_mut(*first)?.node else {
        return None;
    };
    let mut account = top;
    for index in rest {
        match &mut account.body.entries.get_mut(*index)?.node {
            AccountClause::Subaccount(sub) => account = sub,
            _ => return None,
        }
    }
    Some(account)
}

/// The entry (of an account block) an entry location points at.
fn entry_mut<'a>(files: &'a mut [File], loc: &Loc) -> Option<&'a mut Entry<AccountClause>> {
    let (last, parent) = loc.1.split_last()?;
    let account = account_mut(files, &(loc.0, parent.to_vec()))?;
    account.body.entries.get_mut(*last)
}
