//! The policy behind a decision query (`check`, `who-can`, `what-can`): loaded,
//! checked, compiled, with its doors and users found by name.
//!
//! Owns turning `--policy`, `--door`, `--user` and `--at` into what the engine takes:
//! a compiled policy, typed ids and instants in the door's site zone. A policy with
//! errors or a name it does not have stops the query (exit 2) with the diagnostics or
//! a "did you mean". It must never decide anything itself: every answer comes from
//! `CompiledPolicy::decide`.

use std::path::Path;

use accessctl_core::model::{DoorId, Policy, Target, UserId};
use accessctl_core::time::WrittenTimestamp;
use accessctl_core::{check, suggest, CompiledPolicy, Timestamp};
use chrono_tz::Tz;
use serde::Serialize;

use crate::instant;
use crate::load::load_policy;
use crate::policy_error::PolicyError;

/// A valid policy, ready for decisions.
pub struct QueryPolicy {
    /// The validated model, for names.
    pub policy: Policy,
    /// The decision index.
    pub compiled: CompiledPolicy,
}

impl QueryPolicy {
    /// Loads, checks and compiles the policy at `path`.
    pub fn load(path: &Path) -> Result<QueryPolicy, PolicyError> {
        let loaded = load_policy(path)?;
        let checked = check(&loaded.sources);
        let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
        match checked.policy {
            Some(policy) if errors == 0 => Ok(QueryPolicy {
                compiled: CompiledPolicy::new(&policy),
                policy,
            }),
            _ => Err(PolicyError::InvalidPolicy {
                path: loaded.path,
                sources: Box::new(loaded.sources),
                diagnostics: checked.diagnostics,
                errors,
            }),
        }
    }

    /// The door named `name`.
    pub fn door(&self, name: &str) -> Result<DoorId, PolicyError> {
        self.policy
            .door_named(name)
            .ok_or_else(|| PolicyError::UnknownName {
                kind: "door",
                name: name.to_owned(),
                suggestion: nearest(name, self.policy.doors.iter().map(|d| d.name.as_str())),
            })
    }

    /// The user named `name`.
    pub fn user(&self, name: &str) -> Result<UserId, PolicyError> {
        self.policy
            .user_named(name)
            .ok_or_else(|| PolicyError::UnknownName {
                kind: "user",
                name: name.to_owned(),
                suggestion: nearest(name, self.policy.users.iter().map(|u| u.name.as_str())),
            })
    }

    /// The names of the users of the account or sub-account `name` (or its path,
    /// `name@parent…`) and of all its sub-accounts, and of the guests of their
    /// appointments: whose events `journal show --account` keeps. Sorted, once each.
    pub fn users_of_account(&self, name: &str) -> Result<Vec<String>, PolicyError> {
        let p = &self.policy;
        let mut pending: Vec<accessctl_core::model::AccountId> = (0..p.accounts.len())
            .filter_map(|i| u32::try_from(i).ok())
            .map(accessctl_core::model::AccountId)
            .filter(|&a| {
                p.accounts
                    .get(a.index())
                    .is_some_and(|account| account.name == name)
                    || self.account_path(a) == name
            })
            .collect();
        if pending.is_empty() {
            return Err(PolicyError::UnknownName {
                kind: "account",
                name: name.to_owned(),
                suggestion: nearest(name, p.accounts.iter().map(|a| a.name.as_str())),
            });
        }
        let mut within = std::collections::BTreeSet::new();
        while let Some(account) = pending.pop() {
            if within.insert(account.index()) {
                if let Some(found) = p.accounts.get(account.index()) {
                    pending.extend(found.children.iter().copied());
                }
            }
        }
        let mut names = std::collections::BTreeSet::new();
        for user in &p.users {
            if within.contains(&user.account.index()) {
                names.insert(user.name.clone());
            }
        }
        for appointment in &p.appointments {
            if appointment
                .account
                .is_some_and(|a| within.contains(&a.index()))
            {
                names.extend(appointment.guests.iter().map(|g| g.name.clone()));
            }
        }
        Ok(names.into_iter().collect())
    }

    /// The time zone of `door`'s site (UTC for a door the policy does not have).
    pub fn zone_of(&self, door: DoorId) -> Tz {
        self.policy
            .doors
            .get(door.index())
            .and_then(|d| self.policy.sites.get(d.site.index()))
            .map_or(chrono_tz::UTC, |s| s.timezone)
    }

    /// `at` resolved at `door`'s site, with that site's zone.
    pub fn when(
        &self,
        door: DoorId,
        at: Option<&WrittenTimestamp>,
        now: Timestamp,
    ) -> Result<When, PolicyError> {
        let zone = self.zone_of(door);
        let at = instant::resolve(at, zone, now)?;
        Ok(When { at, zone })
    }

    /// Who `door` is, for answers.
    pub fn door_view(&self, door: DoorId) -> DoorView {
        let found = self.policy.doors.get(door.index());
        DoorView {
            name: found.map(|d| d.name.clone()).unwrap_or_default(),
            title: found.and_then(|d| d.title.clone()),
            site: found
                .and_then(|d| self.policy.sites.get(d.site.index()))
                .map(|s| s.name.clone())
                .unwrap_or_default(),
        }
    }

    /// What `via` names, for answers.
    pub fn via_view(&self, via: Option<Target>) -> Option<ViaView> {
        let p = &self.policy;
        let (kind, name) = match via? {
            Target::Door(d) => ("door", p.doors.get(d.index()).map(|d| &d.name)),
            Target::Group(g) => ("group", p.groups.get(g.index()).map(|g| &g.name)),
            Target::Path(x) => ("path", p.paths.get(x.index()).map(|x| &x.name)),
            Target::Site(s) => ("site", p.sites.get(s.index()).map(|s| &s.name)),
        };
        name.map(|name| ViaView {
            kind,
            name: name.clone(),
        })
    }

    /// `name@parent@grandparent…`, the way sub-accounts are addressed.
    pub fn account_path(&self, account: accessctl_core::model::AccountId) -> String {
        self.policy
            .ancestry(account)
            .filter_map(|a| self.policy.accounts.get(a.index()))
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join("@")
    }

    /// The name of a schedule, if any.
    pub fn schedule_name(
        &self,
        schedule: Option<accessctl_core::model::ScheduleId>,
    ) -> Option<String> {
        schedule
            .and_then(|s| self.policy.schedules.get(s.index()))
            .map(|s| s.name.clone())
    }
}

fn nearest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    suggest::nearest(name, candidates).map(str::to_owned)
}

/// An instant and the zone it is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When {
    /// The instant asked about.
    pub at: Timestamp,
    /// The zone of the door's site.
    pub zone: Tz,
}

impl When {
    /// `2026-11-23T09:00:00+01:00`.
    pub fn local(&self) -> String {
        instant::show(self.at, self.zone)
    }
}

/// A door in answers.
#[derive(Debug, Clone, Serialize)]
pub struct DoorView {
    /// Its name.
    pub name: String,
    /// Its title.
    pub title: Option<String>,
    /// Its site's name.
    pub site: String,
}

impl std::fmt::Display for DoorView {
    /// `reunion "Salle de réunion" (site cowork)`; the title escaped so that it cannot
    /// carry terminal control characters.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.title {
            Some(title) => write!(f, "{} {title:?} (site {})", self.name, self.site),
            None => write!(f, "{} (site {})", self.name, self.site),
        }
    }
}

/// What reached a door in answers: `{"kind": "group", "name": "communs"}`.
#[derive(Debug, Clone, Serialize)]
pub struct ViaView {
    /// `door`, `group`, `path` or `site`.
    pub kind: &'static str,
    /// Its name.
    pub name: String,
}

impl std::fmt::Display for ViaView {
    /// `group communs`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind, self.name)
    }
}

#[cfg(test)]
mod tests {
    use accessctl_core::{check, CompiledPolicy, Sources};

    use super::*;

    const POLICY: &str = r#"
site hq {
  timezone "Europe/Paris"
  door main { readers badge }
}
account acme {
  user ana { card 1  allow main }
  subaccount tenants {
    ceiling doors site hq
    user bob { card 2  allow main }
    subaccount team {
      ceiling doors site hq
      user dan { card 4  allow main }
    }
  }
  subaccount other {
    ceiling doors site hq
    user eve { card 5  allow main }
  }
}
"#;

    #[test]
    fn an_accounts_users_include_its_sub_accounts() {
        let mut sources = Sources::new();
        sources.add("hq.acl", POLICY);
        let policy = check(&sources).policy.expect("valid policy");
        let query = QueryPolicy {
            compiled: CompiledPolicy::new(&policy),
            policy,
        };
        assert_eq!(
            query.users_of_account("acme").unwrap(),
            ["ana", "bob", "dan", "eve"]
        );
        assert_eq!(query.users_of_account("tenants").unwrap(), ["bob", "dan"]);
        assert_eq!(
            query.users_of_account("team@tenants@acme").unwrap(),
            ["dan"]
        );
        let unknown = query.users_of_account("tenant").unwrap_err();
        assert!(
            matches!(&unknown, PolicyError::UnknownName { kind: "account", suggestion: Some(s), .. } if s == "tenants"),
            "{unknown:?}"
        );
    }
}
