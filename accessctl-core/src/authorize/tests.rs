//! `authorize`, `visible` and `require` on a small Welcomr-like policy: a main
//! account, a sub-account with a ceiling and its admin, a second admin created by that
//! admin, and a second sub-account.

use super::*;
use crate::{check, Sources};

const POLICY: &str = r#"site hq {
  timezone "UTC"
  door main door meeting door r2 door vault
  group offices = main meeting
}
schedule office { mon..fri 08:00-19:00 }
account acme {
  user root { card 1 allow site hq admin all }
  subaccount cowork {
    ceiling doors main meeting r2 rights users badges codes admins
    user lea { card 2 allow main admin users badges admins ip "10.0.0.7" created_by root }
    user max { card 3 allow main admin users badges created_by lea }
    user ana { card 4 allow main created_by max }
    user bob { card 5 allow meeting created_by lea }
    subaccount desk {
      ceiling doors main rights users
      user zoe { card 6 allow main }
    }
  }
  subaccount other {
    ceiling doors vault
    user eve { card 7 allow vault }
  }
}
"#;

fn checked(text: &str) -> Checked {
    let mut sources = Sources::new();
    sources.add("policy.acl", text);
    let checked = check(&sources);
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    checked
}

fn lea() -> Actor<'static> {
    Actor {
        admin: "lea",
        from: "10.0.0.7".parse().ok(),
    }
}

/// The rules broken when `actor` turns POLICY into `new`.
fn rules(new: &str, actor: &Actor<'_>) -> Vec<(Rule, String)> {
    let (old, new) = (checked(POLICY), checked(new));
    authorize(&old, &new, actor)
        .into_iter()
        .map(|v| (v.rule, v.user))
        .collect()
}

fn edited(from: &str, to: &str) -> String {
    assert!(POLICY.contains(from), "{from}");
    POLICY.replacen(from, to, 1)
}

#[test]
fn no_change_breaks_nothing() {
    assert!(rules(POLICY, &lea()).is_empty());
}

#[test]
fn a_sub_account_admin_sees_their_sub_account_and_below() {
    let policy = checked(POLICY).policy.expect("valid");
    let names = |actor: &Actor<'_>| -> Vec<String> {
        visible(&policy, actor)
            .expect("an admin")
            .into_iter()
            .map(|u| policy.users[u.index()].name.clone())
            .collect()
    };
    assert_eq!(names(&lea()), ["lea", "max", "ana", "bob", "zoe"]);
    let root = Actor {
        admin: "root",
        from: None,
    };
    assert_eq!(names(&root).len(), 7);
    // Max was created by lea, a sub-account's admin: he sees only whom he created.
    let max = Actor {
        admin: "max",
        from: None,
    };
    assert_eq!(names(&max), ["max", "ana"]);
}

#[test]
fn actors_without_powers_are_refused() {
    let policy = checked(POLICY).policy.expect("valid");
    let who = |admin, from: Option<&str>| {
        let actor = Actor {
            admin,
            from: from.and_then(|f| f.parse().ok()),
        };
        visible(&policy, &actor).map(|_| ())
    };
    assert_eq!(
        who("nobody", None),
        Err(ActorError::UnknownAdmin("nobody".into()))
    );
    assert_eq!(who("ana", None), Err(ActorError::NotAdmin("ana".into())));
    assert!(matches!(
        who("lea", Some("10.0.0.8")),
        Err(ActorError::WrongAddress { .. })
    ));
    assert!(matches!(
        who("lea", None),
        Err(ActorError::UnknownAddress { .. })
    ));
    assert_eq!(who("lea", Some("10.0.0.7")), Ok(()));
}

#[test]
fn the_wrong_address_is_refused_whatever_the_change() {
    let actor = Actor {
        admin: "lea",
        from: "192.168.1.1".parse().ok(),
    };
    let new = edited("user ana { card 4", "user ana { card 44");
    assert_eq!(rules(&new, &actor), [(Rule::Ip, "lea".to_owned())]);
}

#[test]
fn a_door_beyond_the_ceiling_is_refused() {
    let new = edited(
        "user ana { card 4 allow main",
        "user ana { card 4 allow main vault",
    );
    // vault is beyond cowork's ceiling: the validator refuses NEW already, so the
    // actor's reach is judged on a door within the member's ceiling but not lea's:
    // here, give zoe (desk) r2 through desk's ceiling widened by lea.
    let _ = new;
    let new = edited(
        "ceiling doors main rights users\n      user zoe { card 6 allow main }",
        "ceiling doors main r2 rights users\n      user zoe { card 6 allow main r2 }",
    );
    let got = rules(&new, &lea());
    assert!(
        got.contains(&(Rule::Right, "desk@cowork@acme".to_owned())),
        "{got:?}"
    );
    // A top-level admin may give cowork's members the vault after widening cowork.
    let new = edited(
        "ceiling doors main meeting r2 rights",
        "ceiling doors main meeting r2 vault rights",
    )
    .replacen(
        "user bob { card 5 allow meeting",
        "user bob { card 5 allow meeting vault",
        1,
    );
    let root = Actor {
        admin: "root",
        from: None,
    };
    assert!(rules(&new, &root).is_empty());
    let got = rules(&new, &lea());
    assert!(
        got.contains(&(Rule::Visibility, "cowork@acme".to_owned())),
        "{got:?}"
    );
    assert!(got.contains(&(Rule::Ceiling, "bob".to_owned())), "{got:?}");
}

#[test]
fn a_right_the_actor_lacks_is_refused() {
    // codes: lea holds no `codes`.
    let new = edited("user ana { card 4", "user ana { card 4 pin \"4821\"");
    assert_eq!(rules(&new, &lea()), [(Rule::Right, "ana".to_owned())]);
    // Giving `codes` as an admin right: lea holds `admins` but not `codes`.
    let new = edited(
        "user bob { card 5 allow meeting",
        "user bob { card 5 allow meeting admin codes",
    );
    assert_eq!(rules(&new, &lea()), [(Rule::Right, "bob".to_owned())]);
    // Cards need `badges`, which lea holds.
    let new = edited("user bob { card 5", "user bob { card 55");
    assert!(rules(&new, &lea()).is_empty());
    // Remote opening needs `remote`.
    let new = edited("user bob { card 5", "user bob { remote card 5");
    assert_eq!(rules(&new, &lea()), [(Rule::Right, "bob".to_owned())]);
}

#[test]
fn another_sub_accounts_member_is_invisible() {
    let new = edited("user eve { card 7", "user eve { card 77");
    assert_eq!(rules(&new, &lea()), [(Rule::Visibility, "eve".to_owned())]);
    let new = edited("    user eve { card 7 allow vault }\n", "");
    assert_eq!(rules(&new, &lea()), [(Rule::Visibility, "eve".to_owned())]);
}

#[test]
fn an_admin_created_by_a_sub_account_admin_touches_only_their_own() {
    let max = Actor {
        admin: "max",
        from: None,
    };
    let new = edited("user bob { card 5", "user bob { card 55");
    assert_eq!(rules(&new, &max), [(Rule::Visibility, "bob".to_owned())]);
    let new = edited("user ana { card 4", "user ana { card 44");
    assert!(rules(&new, &max).is_empty());
    // A user max adds must record him as its creator, or he could not see it.
    let add = |line: &str| {
        edited(
            "    subaccount desk {",
            &format!("    {line}\n    subaccount desk {{"),
        )
    };
    let new = add("user kim { card 8 allow main created_by max }");
    assert_eq!(rules(&new, &max), [], "{new}");
    let new = add("user kim { card 8 allow main }");
    assert_eq!(rules(&new, &max), [(Rule::Visibility, "kim".to_owned())]);
    // Nor may he free himself of his creator.
    let new = edited("badges created_by lea }", "badges }");
    let got = rules(&new, &max);
    assert!(
        got.contains(&(Rule::Visibility, "max".to_owned())),
        "{got:?}"
    );
}

#[test]
fn schedules_need_their_right() {
    let new = edited("user bob { card 5", "user bob { schedule office card 5");
    assert_eq!(rules(&new, &lea()), [(Rule::Schedule, "bob".to_owned())]);
    let new = edited("mon..fri 08:00-19:00", "mon..sun 00:00-24:00");
    assert_eq!(rules(&new, &lea()), [(Rule::Schedule, "office".to_owned())]);
}

#[test]
fn require_demands_the_right() {
    let policy = checked(POLICY).policy.expect("valid");
    assert!(require(&policy, &lea(), AdminRights::USERS).is_ok());
    let refused = require(&policy, &lea(), AdminRights::BULK).expect_err("no bulk");
    assert_eq!(refused.rule, Rule::Right);
    assert_eq!(
        refused.message,
        "`lea` does not hold the `bulk` right this needs"
    );
    let root = Actor {
        admin: "root",
        from: None,
    };
    assert!(require(&policy, &root, AdminRights::BULK).is_ok());
}

#[test]
fn violations_stand_at_the_offending_item_in_new() {
    let new_text = edited("user ana { card 4", "user ana { card 4 pin \"4821\"");
    let (old, new) = (checked(POLICY), checked(&new_text));
    let found = authorize(&old, &new, &lea());
    let span = found[0].span.expect("a span");
    assert_eq!(
        &new_text[span.start as usize..span.end as usize],
        "pin \"4821\""
    );
    assert_eq!(
        found[0].message,
        "`lea` may not change PIN or QR codes: that needs the `codes` right"
    );
}
