//! Explanations: a decision told with the policy's names.
//!
//! Owns turning the indexes a [`Decision`] holds into named steps (who, through which
//! grant, group, path, appointment or code, under which schedule, bounded by which
//! ceiling, through which anti-passback zone). It runs only when someone asks why, never on the decision's hot path,
//! and never prints a secret (a space code is named by its doors, not its value).

use super::{Decision, Holder, Passage, PassbackCheck};
use crate::model::{Policy, Target};
use serde::Serialize;

/// One link of the chain that decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// The user who presented the credentials, and their (sub-)account.
    User {
        /// User name.
        name: String,
        /// Account name, `sub@parent` for sub-accounts.
        account: String,
    },
    /// An appointment's guest.
    Guest {
        /// Guest name.
        name: String,
        /// The appointment.
        appointment: String,
    },
    /// A permanent space code (its value is never shown).
    SpaceCode {
        /// The code's position among the policy's space codes, from 1.
        number: u32,
    },
    /// What reached the door: a door, group, path or site.
    Via {
        /// `door`, `group`, `path` or `site`.
        kind: &'static str,
        /// Its name.
        name: String,
    },
    /// A schedule consulted, and whether it was open.
    Schedule {
        /// Its name.
        name: String,
        /// Open at the instant asked.
        open: bool,
    },
    /// The sub-account whose ceiling leaves the door out.
    Ceiling {
        /// Its name, `sub@parent`.
        account: String,
    },
    /// The anti-passback zone the passage enters or leaves, and what it made of it.
    Zone {
        /// The zone's name.
        name: String,
        /// `entry` or `exit`.
        direction: &'static str,
        /// The outcome of the check.
        check: PassbackCheck,
    },
}

impl std::fmt::Display for Step {
    /// One line for people, e.g. `through group communs` or `schedule bureau: closed`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::User { name, account } => write!(f, "user {name} of account {account}"),
            Step::Guest { name, appointment } => {
                write!(f, "guest {name} of appointment {appointment}")
            }
            Step::SpaceCode { number } => write!(f, "permanent space code #{number}"),
            Step::Via { kind, name } => write!(f, "through {kind} {name}"),
            Step::Schedule { name, open } => {
                let state = if *open { "open" } else { "closed" };
                write!(f, "schedule {name}: {state}")
            }
            Step::Ceiling { account } => {
                write!(f, "beyond the door ceiling of sub-account {account}")
            }
            Step::Zone {
                name,
                direction,
                check,
            } => write!(f, "{direction} of zone {name}: {}", check_words(*check)),
        }
    }
}

impl Decision {
    /// The chain that decided, named after `policy` (the policy this decision's index
    /// was compiled from).
    ///
    /// ```
    /// use accessctl_core::{check, CompiledPolicy, Request, Sources, Subject, Timestamp};
    ///
    /// let mut sources = Sources::new();
    /// sources.add("hq.acl", r#"
    /// site hq { timezone "UTC"  door main  door lab  group floor = main lab }
    /// account acme { user ana "Ana" { card 42  allow floor } }
    /// "#);
    /// let policy = check(&sources).policy.expect("valid policy");
    /// let compiled = CompiledPolicy::new(&policy);
    /// let ana = policy.user_named("ana").expect("declared");
    /// let lab = policy.door_named("lab").expect("declared");
    /// let decision = compiled.decide(&Request {
    ///     subject: Subject::User(ana),
    ///     door: lab,
    ///     at: Timestamp(1_795_426_200),
    ///     offline: false,
    /// });
    /// let steps: Vec<String> = decision.explain(&policy).iter().map(|s| s.to_string()).collect();
    /// assert_eq!(steps, ["user ana of account acme", "through group floor"]);
    /// ```
    pub fn explain(&self, policy: &Policy) -> Vec<Step> {
        let mut steps = Vec::new();
        if let Some(holder) = self.holder {
            steps.extend(holder_step(policy, holder));
        }
        if let Some(via) = self.via {
            steps.extend(via_step(policy, via));
        }
        if let Some(schedule) = self.schedule.and_then(|s| policy.schedules.get(s.index())) {
            steps.push(Step::Schedule {
                name: schedule.name.clone(),
                open: self.allowed(),
            });
        }
        if let Some(account) = self.ceiling {
            steps.push(Step::Ceiling {
                account: account_path(policy, account),
            });
        }
        steps.extend(self.passage.and_then(|p| zone_step(policy, p)));
        steps
    }
}

fn zone_step(policy: &Policy, passage: Passage) -> Option<Step> {
    policy
        .zones
        .get(passage.zone.index())
        .map(|zone| Step::Zone {
            name: zone.name.clone(),
            direction: passage.direction.as_str(),
            check: passage.check,
        })
}

/// What a check says, for people.
fn check_words(check: PassbackCheck) -> &'static str {
    match check {
        PassbackCheck::NotChecked => "anti-passback not checked",
        PassbackCheck::Offline => "anti-passback not checked offline",
        PassbackCheck::Clear => "anti-passback clear",
        PassbackCheck::Violation => "passback allowed and reported",
        PassbackCheck::Refused => "passback refused",
        PassbackCheck::FailedOpen => "presence store unreachable, the zone fails open",
        PassbackCheck::FailedClosed => "presence store unreachable, the zone fails closed",
    }
}

fn holder_step(policy: &Policy, holder: Holder) -> Option<Step> {
    match holder {
        Holder::User { user } => policy.users.get(user.index()).map(|u| Step::User {
            name: u.name.clone(),
            account: account_path(policy, u.account),
        }),
        Holder::Guest { appointment, guest } => {
            let appointment = policy.appointments.get(appointment.index())?;
            appointment.guests.get(guest as usize).map(|g| Step::Guest {
                name: g.name.clone(),
                appointment: appointment.name.clone(),
            })
        }
        Holder::SpaceCode { code } => Some(Step::SpaceCode { number: code + 1 }),
    }
}

fn via_step(policy: &Policy, via: Target) -> Option<Step> {
    let (kind, name) = match via {
        Target::Door(d) => ("door", policy.doors.get(d.index()).map(|d| &d.name)),
        Target::Group(g) => ("group", policy.groups.get(g.index()).map(|g| &g.name)),
        Target::Path(p) => ("path", policy.paths.get(p.index()).map(|p| &p.name)),
        Target::Site(s) => ("site", policy.sites.get(s.index()).map(|s| &s.name)),
    };
    name.map(|name| Step::Via {
        kind,
        name: name.clone(),
    })
}

/// `name@parent@grandparent…`, Intratone style.
pub fn account_path(policy: &Policy, account: crate::model::AccountId) -> String {
    policy.account_path(account)
}
