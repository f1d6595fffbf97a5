//! What a policy holds, counted: files, sites, doors, accounts, users, appointments,
//! and the expectations of its `test` blocks.
//!
//! Owns the counts shown in `validate`'s one-line result. They are taken from the
//! syntax trees, so that an invalid policy is counted too (as far as it parsed). It
//! must never judge the policy: it counts what was written.

use accessctl_core::syntax::ast::{AccountClause, Block, File, Item, SiteClause};
use serde::Serialize;

/// The counts of one policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Census {
    /// Files read.
    pub files: usize,
    /// Sites declared.
    pub sites: usize,
    /// Doors declared, in every site.
    pub doors: usize,
    /// Accounts and sub-accounts.
    pub accounts: usize,
    /// Users, at any depth of sub-accounts.
    pub users: usize,
    /// Appointments, top-level or in accounts.
    pub appointments: usize,
    /// Expectations written in `test` blocks: what `accessctl test` runs and counts.
    pub tests: usize,
}

impl Census {
    /// Counts what `files` declare.
    pub fn of(files: &[File]) -> Census {
        let mut census = Census {
            files: files.len(),
            ..Census::default()
        };
        for item in files.iter().flat_map(|f| &f.items) {
            census.item(&item.node);
        }
        census
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Site(site) => {
                self.sites += 1;
                self.doors += site
                    .body
                    .entries
                    .iter()
                    .filter(|e| matches!(e.node, SiteClause::Door(_)))
                    .count();
            }
            Item::Account(account) => self.account(&account.body),
            Item::Appointment(_) => self.appointments += 1,
            Item::Test(test) => self.tests += test.body.entries.len(),
            _ => {}
        }
    }

    fn account(&mut self, body: &Block<AccountClause>) {
        self.accounts += 1;
        for entry in &body.entries {
            match &entry.node {
                AccountClause::User(_) => self.users += 1,
                AccountClause::Subaccount(sub) => self.account(&sub.body),
                AccountClause::Appointment(_) => self.appointments += 1,
                AccountClause::Ceiling(_) => {}
            }
        }
    }

    /// `3 files, 2 sites, 14 doors, 12 users, 42 tests`.
    pub fn summary(&self) -> String {
        [
            plural(self.files, "file"),
            plural(self.sites, "site"),
            plural(self.doors, "door"),
            plural(self.users, "user"),
            plural(self.tests, "test"),
        ]
        .join(", ")
    }
}

/// `1 door`, `2 doors`, `0 doors`.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accessctl_core::{check, Sources};

    #[test]
    fn counts_nested_users_and_appointments() {
        let mut sources = Sources::new();
        sources.add(
            "a.acl",
            r#"site hq { timezone "UTC" door a door b group g = a b }
account acme {
  user u1
  subaccount s { ceiling doors a  user u2  subaccount t { user u3 } }
  appointment x on 2026-01-01 08:00-09:00 { doors a guest "G" <g@example.com> }
}
appointment y on 2026-01-01 08:00-09:00 { doors a guest "G" <g@example.com> }
test "t1" {
  u1 may open a at 2026-01-01T08:00
  u2 may not open b at 2026-01-01T08:00
}
test "t2" { u3 may open a at 2026-01-01T08:00 }
"#,
        );
        let census = Census::of(&check(&sources).files);
        assert_eq!(
            census,
            Census {
                files: 1,
                sites: 1,
                doors: 2,
                accounts: 3,
                users: 3,
                appointments: 2,
                tests: 3
            }
        );
        assert_eq!(
            census.summary(),
            "1 file, 1 site, 2 doors, 3 users, 3 tests"
        );
    }
}
