//! Selecting users: the filters of `user list` and `bulk`, and accounts found by
//! `name` or `name@parent`.
//!
//! Owns [`Filter`] (search text, tags, an account and its sub-accounts, a door the
//! user's grants reach, expired, inactive, offline), the rule that filters AND together
//! while tags OR (as Welcomr's bulk actions do), and the typed errors for names the
//! policy does not have, each with its nearest-name suggestion. `--can-open` is the
//! engine's answer ([`CompiledPolicy::grant_reaching`]), never derived here. It must
//! never change a policy, and reads no clock: the caller passes today's date.

use chrono::NaiveDate;
use rustc_hash::FxHashSet;
use thiserror::Error;

use crate::compile::CompiledPolicy;
use crate::model::{AccountId, Credential, DoorId, Policy, User, UserId};
use crate::suggest;

/// Which users to select. Every filter given must hold (AND); the tags are
/// alternatives (OR). The default filter selects everyone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// A case-insensitive substring of the user's name, full name, email or one of
    /// their card numbers (in decimal).
    pub search: Option<String>,
    /// Users holding any of these tags; empty: no condition.
    pub tagged: Vec<String>,
    /// Members of this account or of any of its sub-accounts, `name` or
    /// `name@parent` (see [`find_account`]).
    pub account: Option<String>,
    /// Users whose grants reach this door within every ceiling, at some time.
    pub can_open: Option<String>,
    /// Users whose validity ended before today.
    pub expired: bool,
    /// Users whose access control is not activated (`inactive`).
    pub inactive: bool,
    /// Users who keep access while the site is offline (`offline`).
    pub offline: bool,
}

/// Why a filter selects nothing at all: it names something the policy does not have.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SelectError {
    /// No user holds this tag.
    #[error("unknown tag `{name}`: no user holds it")]
    UnknownTag {
        /// The tag asked for.
        name: String,
        /// The nearest tag users hold, if one is a likely typo.
        suggestion: Option<String>,
    },
    /// No account or sub-account has this name (under this parent).
    #[error("unknown account `{name}`")]
    UnknownAccount {
        /// The name asked for, as written.
        name: String,
        /// The nearest account, as `name@parent…` when its name alone is ambiguous.
        suggestion: Option<String>,
    },
    /// Several sub-accounts have this name; `name@parent` says which.
    #[error("`{name}` names {} accounts: {}", candidates.len(), backticked(candidates))]
    AmbiguousAccount {
        /// The name asked for.
        name: String,
        /// Each account so named, as `name@parent…`.
        candidates: Vec<String>,
    },
    /// No door has this name.
    #[error("unknown door `{name}`")]
    UnknownDoor {
        /// The name asked for.
        name: String,
        /// The nearest door, if one is a likely typo.
        suggestion: Option<String>,
    },
}

impl SelectError {
    /// The stable `kind` of the error in JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            SelectError::UnknownTag { .. } => "unknown_tag",
            SelectError::UnknownAccount { .. } => "unknown_account",
            SelectError::AmbiguousAccount { .. } => "ambiguous_account",
            SelectError::UnknownDoor { .. } => "unknown_door",
        }
    }

    /// How to fix it, when known.
    pub fn help(&self) -> Option<String> {
        match self {
            SelectError::UnknownTag { suggestion, .. }
            | SelectError::UnknownAccount { suggestion, .. }
            | SelectError::UnknownDoor { suggestion, .. } => {
                suggestion.as_ref().map(|s| format!("did you mean `{s}`?"))
            }
            SelectError::AmbiguousAccount { candidates, .. } => {
                Some(format!("name the parent too: {}", candidates.join(" or ")))
            }
        }
    }
}

fn backticked(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The users `filter` selects, in policy order. `today` is the local date against
/// which `expired` is judged.
///
/// ```
/// use accessctl_core::{check, select::{select, Filter}, Sources};
///
/// let mut sources = Sources::new();
/// sources.add("p.acl", r#"
/// site hq { timezone "Europe/Paris"  door main }
/// account acme {
///   user ana "Ana" { tags marketing  allow main }
///   user bob "Bob" { tags technique }
///   user cid "Cid" { tags sport }
/// }
/// "#);
/// let policy = check(&sources).policy.expect("valid policy");
/// let filter = Filter { tagged: vec!["marketing".into(), "sport".into()], ..Filter::default() };
/// let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date");
/// let names: Vec<_> = select(&policy, &filter, today)?
///     .into_iter()
///     .map(|u| policy.users[u.index()].name.as_str())
///     .collect();
/// assert_eq!(names, ["ana", "cid"]);
/// # Ok::<(), accessctl_core::select::SelectError>(())
/// ```
pub fn select(
    policy: &Policy,
    filter: &Filter,
    today: NaiveDate,
) -> Result<Vec<UserId>, SelectError> {
    let tags = known_tags(policy, &filter.tagged)?;
    let accounts = match &filter.account {
        Some(name) => Some(subtree(policy, find_account(policy, name)?)),
        None => None,
    };
    let reach = match &filter.can_open {
        Some(name) => Some((find_door(policy, name)?, CompiledPolicy::new(policy))),
        None => None,
    };
    let search = filter.search.as_deref().map(str::to_lowercase);
    let selected = (0u32..)
        .zip(&policy.users)
        .filter(|(_, user)| {
            (tags.is_empty() || user.tags.iter().any(|t| tags.contains(t.as_str())))
                && accounts
                    .as_ref()
                    .is_none_or(|set| set.get(user.account.index()).copied().unwrap_or(false))
                && (!filter.expired || user.validity.to.is_some_and(|to| to < today))
                && (!filter.inactive || !user.active)
                && (!filter.offline || user.offline)
                && search.as_deref().is_none_or(|needle| matches(user, needle))
        })
        .map(|(id, _)| UserId(id))
        .filter(|&id| {
            reach
                .as_ref()
                .is_none_or(|(door, compiled)| compiled.grant_reaching(id, *door).is_some())
        })
        .collect();
    Ok(selected)
}

/// The tags asked for, each checked to be held by some user.
fn known_tags<'a>(
    policy: &Policy,
    tagged: &'a [String],
) -> Result<FxHashSet<&'a str>, SelectError> {
    if tagged.is_empty() {
        return Ok(FxHashSet::default());
    }
    let held: FxHashSet<&str> = policy
        .users
        .iter()
        .flat_map(|u| u.tags.iter().map(String::as_str))
        .collect();
    for tag in tagged {
        if !held.contains(tag.as_str()) {
            let mut candidates: Vec<&str> = held.iter().copied().collect();
            candidates.sort_unstable();
            return Err(SelectError::UnknownTag {
                name: tag.clone(),
                suggestion: suggest::nearest(tag, candidates).map(str::to_owned),
            });
        }
    }
    Ok(tagged.iter().map(String::as_str).collect())
}

/// Whether `needle` (lowercase) is in the user's name, full name, email or a card
/// number.
fn matches(user: &User, needle: &str) -> bool {
    let within = |text: &str| text.to_lowercase().contains(needle);
    within(&user.name)
        || user.title.as_deref().is_some_and(within)
        || user.email.as_deref().is_some_and(within)
        || user.credentials.iter().any(|c| match c {
            Credential::Card(number) => number.to_string().contains(needle),
            _ => false,
        })
}

/// Which accounts lie in the tree under `root` (itself included), by index.
fn subtree(policy: &Policy, root: AccountId) -> Vec<bool> {
    (0u32..)
        .zip(&policy.accounts)
        .map(|(id, _)| policy.ancestry(AccountId(id)).any(|a| a == root))
        .collect()
}

/// The door named `name`.
pub fn find_door(policy: &Policy, name: &str) -> Result<DoorId, SelectError> {
    policy
        .door_named(name)
        .ok_or_else(|| SelectError::UnknownDoor {
            name: name.to_owned(),
            suggestion: suggest::nearest(name, policy.doors.iter().map(|d| d.name.as_str()))
                .map(str::to_owned),
        })
}

/// `name@parent@grandparent…` up to the top-level account: how an account is
/// addressed when its name alone is ambiguous (Intratone's `antony@regle`).
pub fn account_path(policy: &Policy, account: AccountId) -> String {
    policy
        .ancestry(account)
        .filter_map(|a| policy.accounts.get(a.index()))
        .map(|a| a.name.as_str())
        .collect::<Vec<_>>()
        .join("@")
}

/// The account named `name`, written `name` or `name@parent` (more `@ancestor`s may
/// follow, each the next one up). A bare name that several sub-accounts have (under
/// different parents) is [`SelectError::AmbiguousAccount`], listing each as
/// `name@parent…`.
pub fn find_account(policy: &Policy, name: &str) -> Result<AccountId, SelectError> {
    match accounts_addressed(policy, name).as_slice() {
        [one] => Ok(*one),
        [] => Err(SelectError::UnknownAccount {
            name: name.to_owned(),
            suggestion: nearest_account(policy, name),
        }),
        many => Err(SelectError::AmbiguousAccount {
            name: name.to_owned(),
            candidates: many.iter().map(|&a| shortest_address(policy, a)).collect(),
        }),
    }
}

/// Every account whose chain of names, from itself up, starts with the parts of
/// `address` (`name@parent…`).
fn accounts_addressed(policy: &Policy, address: &str) -> Vec<AccountId> {
    let wanted: Vec<&str> = address.split('@').collect();
    (0u32..)
        .zip(&policy.accounts)
        .map(|(id, _)| AccountId(id))
        .filter(|&id| {
            let mut chain = policy
                .ancestry(id)
                .filter_map(|a| policy.accounts.get(a.index()))
                .map(|a| a.name.as_str());
            wanted.iter().all(|w| chain.next() == Some(*w))
        })
        .collect()
}

/// The shortest `name@parent…` that names `account` alone.
fn shortest_address(policy: &Policy, account: AccountId) -> String {
    let full = account_path(policy, account);
    let parts: Vec<&str> = full.split('@').collect();
    (1..parts.len())
        .filter_map(|n| parts.get(..n))
        .map(|p| p.join("@"))
        .find(|candidate| accounts_addressed(policy, candidate).len() == 1)
        .unwrap_or(full)
}

/// The nearest account address to `name`: among bare names, then `name@parent…`.
fn nearest_account(policy: &Policy, name: &str) -> Option<String> {
    let addresses: Vec<String> = (0u32..)
        .zip(&policy.accounts)
        .map(|(id, _)| shortest_address(policy, AccountId(id)))
        .collect();
    suggest::nearest(name, addresses.iter().map(String::as_str)).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check, Sources};

    const POLICY: &str = r#"
site hq { timezone "Europe/Paris"  door main  door lab  door roof }
account regle {
  user ana "Ana Marketing" { email "Ana@Example.com"  card 4000123456  tags marketing  allow main }
  user bob "Bob" { tags technique  inactive  allow lab }
  user lea "Léa Fontaine" { tags marketing stagiaires  valid 2025-09-01..2026-02-28  allow main }
  user hugo "Hugo" { offline  tags sport  allow roof }
  subaccount agence {
    ceiling doors main lab
    user cid "Cid" { tags technique  allow main lab }
    subaccount antony {
      ceiling doors main
      user dan "Dan" { allow main }
    }
  }
  subaccount paris {
    ceiling doors lab
    user eve "Eve" { tags technique  allow lab }
  }
}
"#;

    fn policy() -> Policy {
        let mut sources = Sources::new();
        sources.add("p.acl", POLICY);
        let checked = check(&sources);
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        checked.policy.unwrap()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    }

    fn names(policy: &Policy, filter: &Filter) -> Vec<String> {
        select(policy, filter, today())
            .unwrap()
            .into_iter()
            .map(|u| policy.users[u.index()].name.clone())
            .collect()
    }

    #[test]
    fn the_empty_filter_selects_everyone_in_policy_order() {
        let p = policy();
        assert_eq!(
            names(&p, &Filter::default()),
            ["ana", "bob", "lea", "hugo", "cid", "dan", "eve"]
        );
    }

    #[test]
    fn search_looks_in_names_titles_emails_and_cards_ignoring_case() {
        let p = policy();
        let search = |text: &str| Filter {
            search: Some(text.into()),
            ..Filter::default()
        };
        assert_eq!(names(&p, &search("MARKET")), ["ana"]);
        assert_eq!(names(&p, &search("example.COM")), ["ana"]);
        assert_eq!(names(&p, &search("0123")), ["ana"]);
        assert_eq!(names(&p, &search("fontaine")), ["lea"]);
        assert_eq!(names(&p, &search("léa")), ["lea"]);
        assert!(names(&p, &search("nobody")).is_empty());
    }

    #[test]
    fn tags_are_alternatives_and_filters_add_up() {
        let p = policy();
        let filter = Filter {
            tagged: vec!["sport".into(), "stagiaires".into()],
            ..Filter::default()
        };
        assert_eq!(names(&p, &filter), ["lea", "hugo"]);
        let filter = Filter {
            tagged: vec!["technique".into()],
            account: Some("agence".into()),
            ..Filter::default()
        };
        assert_eq!(names(&p, &filter), ["cid"]);
    }

    #[test]
    fn state_filters_read_the_user() {
        let p = policy();
        let expired = Filter {
            expired: true,
            ..Filter::default()
        };
        assert_eq!(names(&p, &expired), ["lea"]);
        let inactive = Filter {
            inactive: true,
            ..Filter::default()
        };
        assert_eq!(names(&p, &inactive), ["bob"]);
        let offline = Filter {
            offline: true,
            ..Filter::default()
        };
        assert_eq!(names(&p, &offline), ["hugo"]);
        // The last valid day is not expired yet.
        let on_the_last_day = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
        assert!(select(&p, &expired, on_the_last_day).unwrap().is_empty());
    }

    #[test]
    fn an_account_brings_its_sub_accounts() {
        let p = policy();
        let of = |account: &str| Filter {
            account: Some(account.into()),
            ..Filter::default()
        };
        assert_eq!(names(&p, &of("agence")), ["cid", "dan"]);
        assert_eq!(names(&p, &of("antony@agence")), ["dan"]);
        assert_eq!(names(&p, &of("antony@agence@regle")), ["dan"]);
        assert_eq!(names(&p, &of("regle")).len(), 7);
    }

    #[test]
    fn can_open_is_the_engines_reach_within_ceilings() {
        let p = policy();
        let can_open = |door: &str| Filter {
            can_open: Some(door.into()),
            ..Filter::default()
        };
        // Bob is inactive, but his grant reaches the lab; Cid's ceiling allows it.
        assert_eq!(names(&p, &can_open("lab")), ["bob", "cid", "eve"]);
        assert_eq!(names(&p, &can_open("main")), ["ana", "lea", "cid", "dan"]);
        assert_eq!(names(&p, &can_open("roof")), ["hugo"]);
    }

    #[test]
    fn unknown_names_are_refused_with_a_suggestion() {
        let p = policy();
        let refused = |filter: Filter| select(&p, &filter, today()).unwrap_err();
        let error = refused(Filter {
            tagged: vec!["marketing".into(), "techniqe".into()],
            ..Filter::default()
        });
        assert_eq!(
            error,
            SelectError::UnknownTag {
                name: "techniqe".into(),
                suggestion: Some("technique".into())
            }
        );
        assert_eq!(error.kind(), "unknown_tag");
        assert_eq!(error.help().as_deref(), Some("did you mean `technique`?"));
        let error = refused(Filter {
            can_open: Some("laab".into()),
            ..Filter::default()
        });
        assert_eq!(error.help().as_deref(), Some("did you mean `lab`?"));
        assert_eq!(error.to_string(), "unknown door `laab`");
        let error = refused(Filter {
            account: Some("agense".into()),
            ..Filter::default()
        });
        assert_eq!(error.help().as_deref(), Some("did you mean `agence`?"));
        let error = refused(Filter {
            account: Some("antony@paris".into()),
            ..Filter::default()
        });
        assert_eq!(error.kind(), "unknown_account");
    }

    #[test]
    fn odd_account_addresses_never_panic() {
        let p = policy();
        for name in [
            "",
            "@",
            "@@",
            "antony@",
            "@agence",
            "regle@agence",
            "a@b@c@d@e",
        ] {
            assert!(find_account(&p, name).is_err(), "{name}");
        }
    }

    proptest::proptest! {
        /// `bulk --tagged a --tagged b` selects exactly the union of `--tagged a` and
        /// `--tagged b` (Welcomr: several groups are an "or"), in policy order; and it
        /// is refused exactly when one of them is.
        #[test]
        fn two_tags_select_the_union_of_each(
            users in proptest::collection::vec(proptest::collection::vec(0usize..4, 0..3), 0..12),
            a in 0usize..4,
            b in 0usize..4,
            inactive in proptest::bool::ANY,
        ) {
            const TAGS: [&str; 4] = ["a", "b", "c", "d"];
            let mut text = String::from("site hq { timezone \"UTC\"  door main }\naccount x {\n");
            for (i, tags) in users.iter().enumerate() {
                let tags: Vec<&str> = tags.iter().map(|&t| TAGS[t]).collect();
                let mut uniq = tags.clone();
                uniq.sort_unstable();
                uniq.dedup();
                let clause = if uniq.is_empty() { String::new() } else { format!("tags {}", uniq.join(" ")) };
                let state = if inactive && i % 2 == 0 { "inactive" } else { "" };
                text += &format!("  user u{i} {{ {clause}  {state} }}\n");
            }
            text += "}\n";
            let mut sources = Sources::new();
            sources.add("p.acl", text);
            let checked = check(&sources);
            proptest::prop_assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
            let p = checked.policy.unwrap();
            let with = |tags: &[usize]| {
                let filter = Filter {
                    tagged: tags.iter().map(|&t| TAGS[t].to_owned()).collect(),
                    inactive,
                    ..Filter::default()
                };
                select(&p, &filter, today())
            };
            match (with(&[a]), with(&[b]), with(&[a, b])) {
                (Ok(one), Ok(other), Ok(both)) => {
                    let mut union: Vec<UserId> = one.into_iter().chain(other).collect();
                    union.sort();
                    union.dedup();
                    proptest::prop_assert_eq!(both, union);
                }
                (Ok(_), Ok(_), Err(e)) => proptest::prop_assert!(false, "refused: {e}"),
                (one, other, both) => proptest::prop_assert!(
                    both.is_err() && (one.is_err() || other.is_err())
                ),
            }
        }
    }

    /// Two sub-accounts of the same name under different parents, as Intratone has
    /// them. Built on the model directly: the validator of this branch may not accept
    /// such a policy yet.
    #[test]
    fn a_name_shared_by_two_sub_accounts_is_ambiguous_alone() {
        let mut p = policy();
        let paris = find_account(&p, "paris").unwrap();
        let mut twin = p.accounts[find_account(&p, "antony").unwrap().index()].clone();
        twin.parent = Some(paris);
        twin.users.clear();
        twin.children.clear();
        p.accounts.push(twin);
        let second = AccountId(u32::try_from(p.accounts.len() - 1).unwrap());
        let error = find_account(&p, "antony").unwrap_err();
        assert_eq!(
            error,
            SelectError::AmbiguousAccount {
                name: "antony".into(),
                candidates: vec!["antony@agence".into(), "antony@paris".into()]
            }
        );
        assert_eq!(
            error.to_string(),
            "`antony` names 2 accounts: `antony@agence`, `antony@paris`"
        );
        assert_eq!(
            error.help().as_deref(),
            Some("name the parent too: antony@agence or antony@paris")
        );
        assert_eq!(find_account(&p, "antony@paris"), Ok(second));
        assert_eq!(account_path(&p, second), "antony@paris@regle");
        let error = find_account(&p, "antony@pari").unwrap_err();
        assert_eq!(
            error.help().as_deref(),
            Some("did you mean `antony@paris`?")
        );
    }
}
