//! The delegation invariant of BRIEF §8 against the actor: no sequence of random
//! edits made by a sub-account admin, each accepted by `authorize`, ever yields a
//! policy in which a user gains a door beyond that admin's reach or an admin right
//! the admin does not hold, nor changes a user the admin may not see.
//!
//! Edits are written to the policy's text directly (a clause added to a user, a user
//! added to or removed from an account, a ceiling widened, a creator recorded); an
//! edit whose result is invalid is dropped, as a command would refuse it.

use accessctl_core::authorize::{authorize, Actor};
use accessctl_core::model::{AdminRights, Policy};
use accessctl_core::{check, Checked, Sources};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

const POLICY: &str = r#"site hq {
  timezone "UTC"
  door main door meeting door r2 door vault door roof
  group offices = main meeting r2
}
schedule office { mon..fri 08:00-19:00 }
account acme {
  user root { card 1 allow site hq admin all }
  user boss { card 2 allow vault }
  subaccount cowork {
    ceiling doors main meeting r2 rights users badges codes remote admins subaccounts schedules
    user lea { card 3 allow main admin users badges remote admins subaccounts schedules created_by root }
    user max { card 4 allow main admin users badges created_by lea }
    user ana { card 5 allow main created_by max }
    user bob { card 6 allow meeting created_by lea }
    subaccount desk {
      ceiling doors main meeting rights users badges
      user zoe { card 7 allow main }
    }
  }
  subaccount other {
    ceiling doors vault roof rights users
    user eve { card 8 allow vault }
  }
}
"#;

const USERS: [&str; 9] = [
    "root", "boss", "lea", "max", "ana", "bob", "zoe", "eve", "kim",
];
const ACCOUNTS: [&str; 4] = ["cowork", "desk", "other", "acme"];
const TARGETS: [&str; 7] = [
    "main", "meeting", "r2", "vault", "roof", "offices", "site hq",
];
const RIGHTS: [&str; 6] = ["users", "badges", "codes", "history", "admins", "all"];

/// One edit of the text.
#[derive(Debug, Clone)]
enum Edit {
    /// A clause added at the start of a user's block.
    Clause(usize, String),
    /// A user block removed.
    Remove(usize),
    /// A user added at the start of an account's block.
    Add(usize, String),
    /// A door added to a sub-account's ceiling.
    Widen(usize, usize),
}

fn clause() -> impl Strategy<Value = String> {
    prop_oneof![
        (0..TARGETS.len()).prop_map(|t| format!("allow {}", TARGETS[t])),
        (0..RIGHTS.len()).prop_map(|r| format!("admin {}", RIGHTS[r])),
        Just("remote".to_owned()),
        (100u32..999).prop_map(|n| format!("card {n}")),
        (1000u32..9999).prop_map(|n| format!("pin \"{n}\"")),
        Just("schedule office".to_owned()),
        (0..USERS.len()).prop_map(|u| format!("created_by {}", USERS[u])),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (0..USERS.len(), clause()).prop_map(|(u, c)| Edit::Clause(u, c)),
        1 => (0..USERS.len()).prop_map(Edit::Remove),
        2 => (0..ACCOUNTS.len(), clause(), any::<bool>()).prop_map(|(a, c, mine)| {
            let creator = if mine { " created_by max" } else { "" };
            Edit::Add(a, format!("user kim {{ card 9 {c}{creator} }}"))
        }),
        1 => (0..3usize, 0..TARGETS.len()).prop_map(|(a, t)| Edit::Widen(a, t)),
    ]
}

/// The text after `edit`, if it applies.
fn apply(text: &str, edit: &Edit) -> Option<String> {
    match edit {
        Edit::Clause(u, clause) => {
            let head = format!("user {} {{ ", USERS[*u]);
            text.contains(&head)
                .then(|| text.replacen(&head, &format!("{head}{clause} "), 1))
        }
        Edit::Remove(u) => {
            let head = format!("user {} {{", USERS[*u]);
            let start = text.find(&head)?;
            let end = start + text[start..].find('}')? + 1;
            Some(format!("{}{}", &text[..start], &text[end..]))
        }
        Edit::Add(a, user) => {
            let name = ACCOUNTS[*a];
            let head = if name == "acme" {
                "account acme {".to_owned()
            } else {
                format!("subaccount {name} {{")
            };
            text.contains(&head)
                .then(|| text.replacen(&head, &format!("{head}\n  {user}"), 1))
        }
        Edit::Widen(a, t) => {
            let head = format!("subaccount {} {{\n", ACCOUNTS[*a]);
            let start = text.find(&head)? + head.len();
            let line = &text[start..start + text[start..].find('\n')?];
            let widened = line.replacen(
                "ceiling doors ",
                &format!("ceiling doors {} ", TARGETS[*t]),
                1,
            );
            Some(format!(
                "{}{widened}{}",
                &text[..start],
                &text[start + line.len()..]
            ))
        }
    }
}

fn checked(text: &str) -> Checked {
    let mut sources = Sources::new();
    sources.add("policy.acl", text);
    check(&sources)
}

/// Each user's doors (by name) and admin rights.
fn powers(policy: &Policy) -> BTreeMap<String, (BTreeSet<String>, AdminRights)> {
    policy
        .users
        .iter()
        .map(|u| {
            let doors = u
                .grants
                .iter()
                .flat_map(|g| &g.targets)
                .flat_map(|t| policy.doors_of(*t))
                .map(|d| policy.doors[d.index()].name.clone())
                .collect();
            let rights = u.admin.as_ref().map(|a| a.rights).unwrap_or_default();
            (u.name.clone(), (doors, rights))
        })
        .collect()
}

/// The doors the ceilings above `admin` leave them (from the model, independently
/// of `authorize`), and their rights.
fn reach(policy: &Policy, admin: &str) -> (BTreeSet<String>, AdminRights) {
    let user = &policy.users[policy.user_named(admin).unwrap().index()];
    let mut doors: Option<BTreeSet<String>> = None;
    for account in policy.ancestry(user.account) {
        if let Some(ceiling) = &policy.accounts[account.index()].ceiling {
            let here: BTreeSet<String> = ceiling
                .doors
                .iter()
                .flat_map(|t| policy.doors_of(*t))
                .map(|d| policy.doors[d.index()].name.clone())
                .collect();
            doors = Some(match doors {
                Some(d) => d.intersection(&here).cloned().collect(),
                None => here,
            });
        }
    }
    (doors.unwrap(), user.admin.as_ref().unwrap().rights)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn accepted_edits_never_reach_beyond_the_actor(
        admin in prop_oneof![Just("lea"), Just("max")],
        edits in proptest::collection::vec(edit(), 1..12),
    ) {
        let actor = Actor { admin, from: None };
        let original = checked(POLICY);
        let start = original.policy.clone().unwrap();
        let (doors, rights) = reach(&start, admin);
        let mut text = POLICY.to_owned();
        let mut current = original;
        let mut accepted = 0;
        for edit in &edits {
            let Some(next_text) = apply(&text, edit) else { continue };
            let next = checked(&next_text);
            if next.has_errors() || !authorize(&current, &next, &actor).is_empty() {
                continue;
            }
            // Each accepted step, and the whole sequence, keeps the invariant.
            text = next_text;
            current = next;
            accepted += 1;
        }
        let end = current.policy.as_ref().unwrap();
        let (before, after) = (powers(&start), powers(end));
        let visible: BTreeSet<String> = accessctl_core::authorize::visible(&start, &actor)
            .unwrap()
            .into_iter()
            .map(|u| start.users[u.index()].name.clone())
            .collect();
        for (name, (now_doors, now_rights)) in &after {
            let (had_doors, had_rights) = before.get(name).cloned().unwrap_or_default();
            let gained: Vec<&String> = now_doors.difference(&had_doors).collect();
            prop_assert!(
                gained.iter().all(|d| doors.contains(*d)),
                "{name} gained {gained:?} beyond {doors:?} after {accepted} edits:\n{text}"
            );
            let new_rights = now_rights.difference(had_rights);
            prop_assert!(
                rights.contains(new_rights),
                "{name} gained {new_rights:?} beyond {rights:?}:\n{text}"
            );
        }
        // Users the actor could not see are exactly as they were.
        for user in &start.users {
            if visible.contains(&user.name) {
                continue;
            }
            let id = end.user_named(&user.name);
            prop_assert!(id.is_some(), "{} removed:\n{text}", user.name);
            let now = &end.users[id.unwrap().index()];
            prop_assert_eq!(
                (&now.credentials, now.remote, now.admin.as_ref()),
                (&user.credentials, user.remote, user.admin.as_ref()),
                "{} changed:\n{}", user.name, text
            );
            prop_assert_eq!(&after[&user.name], &before[&user.name]);
        }
    }
}

#[test]
fn the_generated_edits_apply_to_the_policy() {
    assert!(
        !checked(POLICY).has_errors(),
        "{:#?}",
        checked(POLICY).diagnostics
    );
    let add = apply(
        POLICY,
        &Edit::Add(0, "user kim { card 9 allow main }".into()),
    )
    .unwrap();
    assert!(!checked(&add).has_errors());
    let widened = apply(POLICY, &Edit::Widen(1, 2)).unwrap();
    assert!(
        widened.contains("ceiling doors r2 main meeting rights"),
        "{widened}"
    );
    let removed = apply(POLICY, &Edit::Remove(4)).unwrap();
    assert!(!removed.contains("user ana"));
}
