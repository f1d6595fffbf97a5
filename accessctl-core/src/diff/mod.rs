//! The semantic diff of two policies: who gains and who loses which door, in which
//! time windows, and because of which clauses.
//!
//! Owns [`diff`]: both policies are compiled and every user is matched by name;
//! for each (user, door) the access the decision engine gives to a user query
//! (docs/decisions.md, step 6: `inactive`, validity, every sub-account ceiling, the
//! most specific grants and their schedules, the door's own hours, holidays) is read
//! from the compiled index and the two sides are compared exactly, as local
//! (date, minute) sets in the door's site zone — weekly patterns cut by the validity
//! dates, with the days holidays change listed. Only users whose inputs changed (their
//! clauses, their account chain's ceilings, the schedules, calendars and door sets
//! they reference) are compared on every door they reach; the others only on doors
//! whose own hours or zone changed. Each delta carries its [`Cause`]: the clauses of
//! OLD and of NEW, with their spans, that differ between the two decisions. Changes
//! that open no door by themselves (admin rights, `remote`, `offline`, ceilings,
//! schedules, calendars, doors) are listed as [`Change`]s.
//!
//! It must never read files or a clock, and never print a secret (PINs, QR codes and
//! mobile keys are only counted).
//!
//! ```
//! use accessctl_core::{check, diff::diff, Sources};
//!
//! let policy = |extra: &str| {
//!     let mut sources = Sources::new();
//!     sources.add("p.acl", format!(r#"
//! site hq {{ timezone "Europe/Paris"  door main  door lab }}
//! schedule evenings {{ mon..fri 18:00-20:00 }}
//! account acme {{ user ana "Ana" {{ allow main {extra} }} }}
//! "#));
//!     check(&sources)
//! };
//! let old = policy("");
//! let new = policy("allow lab schedule evenings");
//! let changes = diff(&old, &new);
//! assert!(changes.widens());
//! assert_eq!(changes.affected_users(), 1);
//! let delta = &changes.access[0];
//! assert_eq!((delta.gained, delta.user.as_str(), delta.door.as_str()), (true, "ana", "lab"));
//! assert_eq!(delta.windows[0].describe(), "mon..fri 18:00-20:00");
//! assert_eq!(delta.cause.clauses[0].text, "allow lab schedule evenings");
//! ```

mod access;
mod emit;
mod items;
mod origin;
mod side;
#[cfg(test)]
mod tests;
mod window;

pub use emit::expectations;

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::{DoorId, UserId, Weekdays};
use crate::source::Span;
use crate::Checked;

use access::{access, cause, inputs, reached};
use side::{Changes, Side};

/// Which of the two policies a clause is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Version {
    /// The policy before the change.
    Old,
    /// The policy after it.
    New,
}

/// A clause that produced a delta, where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// OLD or NEW.
    pub version: Version,
    /// What it says, shortly (`allow bureau_r2 schedule soirees`, `schedule soirees`,
    /// `valid 2026-03-01..`, `ceiling of cowork leaves out parking`).
    pub text: String,
    /// Where it is written, in the files of its version.
    pub span: Span,
}

/// The clauses of OLD and NEW behind a delta: those whose meaning the other side
/// lacks, OLD's first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cause {
    /// The clauses.
    pub clauses: Vec<Clause>,
}

/// Minutes `start..end` of a local day (`end` at most 1440).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinuteRange {
    /// First minute.
    pub start: u16,
    /// Minute after the last.
    pub end: u16,
}

/// Ranges that hold on some weekdays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklyWindow {
    /// The weekdays.
    pub days: Weekdays,
    /// The minutes of each of those days, ascending, disjoint.
    pub ranges: Vec<MinuteRange>,
}

/// The minutes of one date, instead of its weekday's (a holiday, or the day after
/// one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayWindow {
    /// The local date.
    pub date: NaiveDate,
    /// Its minutes (empty: none that day).
    pub ranges: Vec<MinuteRange>,
}

/// Local instants, in the door's site zone: the weekly pattern on every date from
/// `from` to `to` (inclusive; `None`: unbounded), except the dates listed in `days`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// First date.
    pub from: Option<NaiveDate>,
    /// Last date.
    pub to: Option<NaiveDate>,
    /// Weekdays with their minutes (days with none left out).
    pub weekly: Vec<WeeklyWindow>,
    /// Dates whose minutes differ from their weekday's.
    pub days: Vec<DayWindow>,
}

/// A user gains or loses a door at some local instants.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessDelta {
    /// Gained (NEW opens where OLD did not) or lost.
    pub gained: bool,
    /// The user's name.
    pub user: String,
    /// The door's name.
    pub door: String,
    /// The zone of the door's site (NEW's when the door is in NEW), the windows' time.
    pub timezone: chrono_tz::Tz,
    /// Where it is gained or lost; never empty.
    pub windows: Vec<Window>,
    /// The clauses behind it.
    pub cause: Cause,
}

/// What a [`Change`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Subject {
    /// A user.
    User,
    /// An account or sub-account (named by its chain, `top/sub`).
    Account,
    /// A schedule.
    Schedule,
    /// A holiday calendar.
    Holidays,
    /// A door.
    Door,
}

/// A change of a user, account, schedule, calendar or door, beside the access it
/// opens or closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What it is about.
    pub subject: Subject,
    /// Its name.
    pub name: String,
    /// What changed: `added`, `removed`, or the clause (`validity`, `schedule`,
    /// `inactive`, `remote`, `offline`, `admin`, `ip`, `credentials`, `account`,
    /// `ceiling doors`, `ceiling rights`, `ceiling schedule`, `rules`, `days`,
    /// `readers`, `require`, `site`).
    pub field: &'static str,
    /// The value in OLD (`None`: absent).
    pub old: Option<String>,
    /// The value in NEW (`None`: absent).
    pub new: Option<String>,
    /// Whether it gives someone more: a right, remote or offline opening, a wider
    /// ceiling, an IP restriction lifted.
    pub widens: bool,
    /// The clauses behind it.
    pub cause: Cause,
}

/// Everything that differs between two policies, in meaning.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyDiff {
    /// Doors gained and lost, by door then user, losses first.
    pub access: Vec<AccessDelta>,
    /// Other changes, by subject then name.
    pub changes: Vec<Change>,
}

impl PolicyDiff {
    /// Whether nothing differs.
    pub fn is_empty(&self) -> bool {
        self.access.is_empty() && self.changes.is_empty()
    }

    /// Whether access widens: someone gains a door or a time window, or a change
    /// gives more ([`Change::widens`]).
    pub fn widens(&self) -> bool {
        self.access.iter().any(|a| a.gained) || self.changes.iter().any(|c| c.widens)
    }

    /// How many distinct users a delta or a user change touches.
    pub fn affected_users(&self) -> usize {
        self.affected().len()
    }

    /// The names of the users a delta or a user change touches, sorted.
    pub fn affected(&self) -> Vec<&str> {
        let mut users: Vec<&str> = (self.access.iter().map(|a| a.user.as_str()))
            .chain(
                (self.changes.iter())
                    .filter(|c| c.subject == Subject::User)
                    .map(|c| c.name.as_str()),
            )
            .collect();
        users.sort_unstable();
        users.dedup();
        users
    }

    /// The doors gained, then lost, by one user.
    pub fn of_user<'a>(&'a self, user: &'a str) -> impl Iterator<Item = &'a AccessDelta> + 'a {
        self.access.iter().filter(move |a| a.user == user)
    }
}

/// The semantic diff from `old` to `new`. An invalid side (no model) is taken as
/// giving nothing, so diffing against it lists everything; callers refuse invalid
/// policies first.
pub fn diff(old: &Checked, new: &Checked) -> PolicyDiff {
    let empty = Checked {
        files: Vec::new(),
        policy: Some(crate::model::Policy::default()),
        tests: Vec::new(),
        diagnostics: Vec::new(),
    };
    let (Some(o), Some(n)) = (
        Side::new(old).or_else(|| Side::new(&empty)),
        Side::new(new).or_else(|| Side::new(&empty)),
    ) else {
        return PolicyDiff::default();
    };
    let changes = Changes::new(&o, &n);
    let mut out = PolicyDiff::default();
    let door_changed: Vec<(DoorId, DoorId)> = (0u32..)
        .zip(&changes.doors)
        .filter(|(_, changed)| **changed)
        .filter_map(|(i, _)| {
            let nd = DoorId(i);
            o.doors.get(n.door_name(nd)).map(|&od| (od, nd))
        })
        .collect();
    for (i, user) in (0u32..).zip(&n.policy.users) {
        let nu = UserId(i);
        let ou = o.users.get(user.name.as_str()).copied();
        let same = ou
            .and_then(|ou| o.user(ou))
            .is_some_and(|old_user| changes.same_user(&o, old_user, &n, user));
        if same {
            for &(od, nd) in &door_changed {
                compare(&o, ou, Some(od), &n, Some(nu), Some(nd), &mut out.access);
            }
        } else {
            compare_reached(&o, ou, &n, Some(nu), &mut out.access);
        }
    }
    for (i, user) in (0u32..).zip(&o.policy.users) {
        if !n.users.contains_key(user.name.as_str()) {
            compare_reached(&o, Some(UserId(i)), &n, None, &mut out.access);
        }
    }
    out.access.sort_by(|a, b| {
        (a.door.as_str(), a.user.as_str(), a.gained).cmp(&(
            b.door.as_str(),
            b.user.as_str(),
            b.gained,
        ))
    });
    out.changes = items::changes(&o, &n, &changes);
    out
}

/// Compares a user on every door it reaches on either side.
fn compare_reached(
    o: &Side<'_>,
    ou: Option<UserId>,
    n: &Side<'_>,
    nu: Option<UserId>,
    out: &mut Vec<AccessDelta>,
) {
    let mut doors: Vec<&str> = Vec::new();
    if let Some(ou) = ou {
        doors.extend(reached(o, ou).into_iter().map(|d| o.door_name(d)));
    }
    if let Some(nu) = nu {
        doors.extend(reached(n, nu).into_iter().map(|d| n.door_name(d)));
    }
    doors.sort_unstable();
    doors.dedup();
    for door in doors {
        let od = o.doors.get(door).copied();
        let nd = n.doors.get(door).copied();
        compare(o, ou, od, n, nu, nd, out);
    }
}

/// Compares one user at one door; pushes what is gained and what is lost.
fn compare(
    o: &Side<'_>,
    ou: Option<UserId>,
    od: Option<DoorId>,
    n: &Side<'_>,
    nu: Option<UserId>,
    nd: Option<DoorId>,
    out: &mut Vec<AccessDelta>,
) {
    let old_access = ou.zip(od).and_then(|(u, d)| access(o, u, d));
    let new_access = nu.zip(nd).and_then(|(u, d)| access(n, u, d));
    if old_access.is_none() && new_access.is_none() {
        return;
    }
    let old_eval = old_access.as_ref().map(|a| (o, a));
    let new_eval = new_access.as_ref().map(|a| (n, a));
    let gained = window::windows(old_eval, new_eval);
    let lost = window::windows(new_eval, old_eval);
    if gained.is_empty() && lost.is_empty() {
        return;
    }
    let old_inputs = ou
        .zip(od)
        .map(|(u, d)| inputs(o, Version::Old, u, d))
        .unwrap_or_default();
    let new_inputs = nu
        .zip(nd)
        .map(|(u, d)| inputs(n, Version::New, u, d))
        .unwrap_or_default();
    let cause = Cause {
        clauses: cause(&old_inputs, &new_inputs),
    };
    let user = (nu.and_then(|u| n.user(u)))
        .or_else(|| ou.and_then(|u| o.user(u)))
        .map_or(String::new(), |u| u.name.clone());
    let door = nd
        .map(|d| n.door_name(d))
        .or_else(|| od.map(|d| o.door_name(d)));
    let timezone = (nd.and_then(|d| n.door_zone(d)))
        .or_else(|| od.and_then(|d| o.door_zone(d)))
        .unwrap_or(chrono_tz::UTC);
    for (is_gain, windows) in [(false, lost), (true, gained)] {
        if !windows.is_empty() {
            out.push(AccessDelta {
                gained: is_gain,
                user: user.clone(),
                door: door.unwrap_or_default().to_string(),
                timezone,
                windows,
                cause: cause.clone(),
            });
        }
    }
}
