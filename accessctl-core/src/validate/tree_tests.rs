//! Validator tests on syntax trees built by hand, independent of the parser.
//!
//! Owns small tree builders and the tests of the rules that matter most whatever the
//! parser does: delegation, unique credentials, duplicate names, the model built, and
//! never panicking on odd trees. Text-level tests live in `tests/validate.rs`.

use super::validate;
use crate::diagnostic::Code;
use crate::model::{AccountId, Credential, DoorId, Target};
use crate::source::{FileId, Span};
use crate::syntax::ast::{
    self, Account, AccountClause, Block, Ceiling, Door, Entry, File, Group, Ident, Item, Site,
    SiteClause, Str, TargetKind, Trivia, User, UserClause, Word,
};
use std::cell::Cell;

thread_local! {
    static NEXT: Cell<usize> = const { Cell::new(0) };
}

/// A fresh span, distinct from every other one of the test.
fn sp() -> Span {
    let start = NEXT.with(|n| {
        let start = n.get();
        n.set(start + 10);
        start
    });
    Span::new(FileId(0), start, start + 5)
}

fn ident(name: &str) -> Ident {
    Ident {
        name: name.to_owned(),
        span: sp(),
    }
}

fn text(value: &str) -> Str {
    Str {
        value: value.to_owned(),
        span: sp(),
    }
}

fn entry<T>(node: T) -> Entry<T> {
    Entry {
        trivia: Trivia::default(),
        node,
        span: sp(),
    }
}

fn block<T>(nodes: Vec<T>) -> Block<T> {
    Block {
        open_comment: None,
        entries: nodes.into_iter().map(entry).collect(),
        dangling: Vec::new(),
        span: sp(),
    }
}

fn target(name: &str) -> ast::Target {
    ast::Target {
        kind: None,
        name: ident(name),
    }
}

fn typed(kind: TargetKind, name: &str) -> ast::Target {
    ast::Target {
        kind: Some(Word { kind, span: sp() }),
        name: ident(name),
    }
}

fn site(name: &str, mut clauses: Vec<SiteClause>) -> Item {
    clauses.insert(0, SiteClause::Timezone(text("UTC")));
    Item::Site(Site {
        name: ident(name),
        title: None,
        body: block(clauses),
    })
}

fn door(name: &str) -> SiteClause {
    SiteClause::Door(Door {
        name: ident(name),
        title: None,
        body: None,
    })
}

fn group(name: &str, doors: &[&str]) -> SiteClause {
    SiteClause::Group(Group {
        name: ident(name),
        doors: doors.iter().map(|d| ident(d)).collect(),
    })
}

fn account(name: &str, clauses: Vec<AccountClause>) -> Item {
    Item::Account(Account {
        sub: false,
        name: ident(name),
        title: None,
        body: block(clauses),
    })
}

fn sub(name: &str, clauses: Vec<AccountClause>) -> AccountClause {
    AccountClause::Subaccount(Account {
        sub: true,
        name: ident(name),
        title: None,
        body: block(clauses),
    })
}

fn ceiling(doors: Option<&[&str]>, rights: Option<&[&str]>) -> AccountClause {
    AccountClause::Ceiling(Ceiling {
        doors: doors.map(|ds| ds.iter().map(|d| target(d)).collect()),
        rights: rights.map(|rs| rs.iter().map(|r| ident(r)).collect()),
        schedule: None,
    })
}

fn user(name: &str, clauses: Vec<UserClause>) -> AccountClause {
    AccountClause::User(User {
        name: ident(name),
        title: None,
        body: Some(block(clauses)),
    })
}

fn card(digits: &str) -> UserClause {
    UserClause::Card(ast::Number {
        digits: digits.to_owned(),
        span: sp(),
    })
}

fn allow(targets: Vec<ast::Target>) -> UserClause {
    UserClause::Allow {
        targets,
        schedule: None,
    }
}

fn admin(rights: &[&str]) -> UserClause {
    UserClause::Admin {
        rights: rights.iter().map(|r| ident(r)).collect(),
        ip: None,
    }
}

fn file(items: Vec<Item>) -> File {
    File {
        items: items.into_iter().map(entry).collect(),
        dangling: Vec::new(),
    }
}

/// The site every test uses: three doors and a group of all three, opened by `boss`.
fn hq() -> Vec<Item> {
    vec![
        site(
            "hq",
            vec![
                door("main"),
                door("meeting"),
                door("r2"),
                group("offices", &["main", "meeting", "r2"]),
            ],
        ),
        account(
            "root",
            vec![user("boss", vec![card("1"), allow(vec![target("hq")])])],
        ),
    ]
}

fn codes(items: Vec<Item>) -> Vec<(Code, String)> {
    let validated = validate(&[file(items)]);
    assert_eq!(
        validated.policy.is_some(),
        !validated.diagnostics.iter().any(|d| d.is_error())
    );
    validated
        .diagnostics
        .into_iter()
        .map(|d| (d.code, d.message))
        .collect()
}

#[test]
fn grants_are_bounded_by_every_ancestor_ceiling() {
    let mut items = hq();
    items.push(account(
        "acme",
        vec![sub(
            "cowork",
            vec![
                ceiling(Some(&["main", "meeting"]), Some(&["users"])),
                user("ana", vec![card("2"), allow(vec![target("offices")])]),
                sub(
                    "desk",
                    vec![
                        ceiling(Some(&["main"]), None),
                        user("cy", vec![card("3"), allow(vec![target("meeting")])]),
                        user("dee", vec![card("4"), allow(vec![target("main")])]),
                    ],
                ),
            ],
        )],
    ));
    assert_eq!(
        codes(items),
        [
            (
                Code::GrantBeyondCeiling,
                "group `offices` reaches door `r2`, outside the ceiling of sub-account `cowork`"
                    .to_owned()
            ),
            (
                Code::GrantBeyondCeiling,
                "door `meeting` is outside the ceiling of sub-account `desk`".to_owned()
            ),
        ]
    );
}

#[test]
fn a_nested_ceiling_wider_than_its_parent_is_refused_and_still_bounded() {
    let mut items = hq();
    items.push(account(
        "acme",
        vec![sub(
            "cowork",
            vec![
                ceiling(Some(&["main"]), Some(&["users"])),
                sub(
                    "desk",
                    vec![
                        ceiling(Some(&["main", "r2"]), Some(&["users", "keys"])),
                        user(
                            "cy",
                            vec![card("3"), allow(vec![target("r2")]), admin(&["keys"])],
                        ),
                    ],
                ),
            ],
        )],
    ));
    let found = codes(items);
    let found: Vec<Code> = found.into_iter().map(|(c, _)| c).collect();
    assert_eq!(
        found,
        [
            Code::CeilingBeyondParent,
            Code::CeilingBeyondParent,
            Code::GrantBeyondCeiling,
            Code::RightsBeyondCeiling,
        ]
    );
}

#[test]
fn a_ceiling_part_left_out_grants_nothing() {
    let mut items = hq();
    items.push(account(
        "acme",
        vec![
            sub(
                "bare",
                vec![user("ana", vec![card("2"), allow(vec![target("main")])])],
            ),
            sub(
                "norights",
                vec![
                    ceiling(Some(&["main"]), None),
                    user(
                        "bob",
                        vec![card("3"), allow(vec![target("main")]), admin(&["history"])],
                    ),
                ],
            ),
        ],
    ));
    let found: Vec<Code> = codes(items).into_iter().map(|(c, _)| c).collect();
    assert_eq!(found, [Code::GrantBeyondCeiling, Code::RightsBeyondCeiling]);
}

#[test]
fn top_level_accounts_are_unbounded_and_have_no_ceiling() {
    let mut items = hq();
    items.push(account(
        "acme",
        vec![
            ceiling(Some(&["main"]), None),
            user(
                "ana",
                vec![card("2"), allow(vec![target("hq")]), admin(&["all"])],
            ),
        ],
    ));
    let found: Vec<Code> = codes(items).into_iter().map(|(c, _)| c).collect();
    assert_eq!(found, [Code::CeilingOnAccount]);
}

#[test]
fn cards_compare_by_value() {
    let mut items = hq();
    items.push(account(
        "acme",
        vec![
            user("ana", vec![card("42")]),
            user("bob", vec![card("0042")]),
        ],
    ));
    let found = codes(items);
    assert_eq!(
        found,
        [(
            Code::DuplicateCard,
            "card `0042` is already held by `ana`".to_owned()
        )]
    );
}

#[test]
fn names_share_one_space_for_places() {
    let mut items = hq();
    items.push(site("offices", vec![door("hq")]));
    let found: Vec<Code> = codes(items).into_iter().map(|(c, _)| c).collect();
    assert_eq!(found, [Code::DuplicateName, Code::DuplicateName]);
}

#[test]
fn wrong_kind_and_unknown_targets() {
    let mut items = hq();
    items.push(account(
        "acme",
        vec![user(
            "ana",
            vec![
                card("2"),
                allow(vec![
                    typed(TargetKind::Path, "offices"),
                    typed(TargetKind::Group, "ofices"),
                    target("mian"),
                ]),
            ],
        )],
    ));
    let validated = validate(&[file(items)]);
    let found: Vec<(Code, Option<String>)> = validated
        .diagnostics
        .into_iter()
        .map(|d| (d.code, d.help))
        .collect();
    assert_eq!(found[0].0, Code::WrongKind);
    assert_eq!(
        found[1],
        (
            Code::UnknownGroup,
            Some("did you mean `offices`?".to_owned())
        )
    );
    assert_eq!(
        found[2],
        (Code::UnknownTarget, Some("did you mean `main`?".to_owned()))
    );
}

#[test]
fn a_valid_tree_lowers_in_pre_order() {
    let mut items = hq();
    items.push(account(
        "acme",
        vec![
            sub(
                "a",
                vec![
                    ceiling(Some(&["offices"]), Some(&["all"])),
                    sub("a1", vec![ceiling(Some(&["main"]), Some(&["users"]))]),
                ],
            ),
            user("late", vec![card("0042"), allow(vec![target("main")])]),
            sub("b", vec![]),
        ],
    ));
    let validated = validate(&[file(items)]);
    let policy = validated.policy.expect("valid");
    let names: Vec<&str> = policy.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["root", "acme", "a", "a1", "b"]);
    assert_eq!(policy.accounts[3].parent, Some(AccountId(2)));
    assert_eq!(policy.accounts[1].children, [AccountId(2), AccountId(4)]);
    assert_eq!(policy.accounts[1].ceiling, None);
    assert_eq!(
        policy.accounts[4].ceiling.as_ref().map(|c| c.doors.len()),
        Some(0)
    );
    assert_eq!(policy.users[1].credentials, [Credential::Card(42)]);
    assert_eq!(policy.users[1].account, AccountId(1));
    assert_eq!(policy.groups[0].doors, [DoorId(0), DoorId(1), DoorId(2)]);
    assert_eq!(
        policy.users[0].grants[0].targets,
        [Target::Site(crate::model::SiteId(0))]
    );
}

#[test]
fn deep_nesting_and_odd_values_do_not_panic() {
    let mut nested = sub(
        "leaf",
        vec![user("deep", vec![card("99999999999999999999999")])],
    );
    for depth in 0..2_000 {
        nested = sub(
            &format!("s{depth}"),
            vec![ceiling(Some(&[""]), Some(&[""])), nested],
        );
    }
    let mut items = hq();
    items.push(account("acme", vec![nested]));
    items.push(Item::Site(Site {
        name: ident(""),
        title: None,
        body: block(vec![SiteClause::Timezone(text("")), door("")]),
    }));
    let validated = validate(&[file(items)]);
    assert!(validated.policy.is_none());
    assert!(validated
        .diagnostics
        .iter()
        .any(|d| d.code == Code::MalformedCard));
}
