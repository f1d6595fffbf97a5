//! Tests of lossless edits: what each edit writes, what it refuses, and the two
//! properties — every byte outside the edited users is kept, and the new text parses
//! to the edited trees.

use proptest::prelude::*;

use super::*;
use crate::syntax::parse;

const SITE: &str = "\
site hq { timezone \"Europe/Paris\"
  door main
  door r2
  door parking
  group offices = main r2
}
schedule office { mon..fri 08:00-19:00 }
schedule evenings { mon..fri 18:00-22:00 }
";

/// A file full of comments, blank lines and an author's own layout.
const ACCOUNT: &str = "\
# The staff.
account acme \"Acme\" {  # opened in 2020

  # Ana runs marketing.
  # She has two cards.
  user ana \"Ana\" {
    email \"ana@example.com\"
    card 1001
    card 1002   # spare
    tags marketing
    allow offices
  }   # end of ana

  user bob \"Bob\" {
      email   \"bob@example.com\"    # odd spacing, kept
      card 2001
      allow main
  }
  user carol \"Carol\" { email \"carol@example.com\" card 3001 allow main }

  subaccount tenants \"Tenants\" {
    ceiling doors main parking rights users
    user dan \"Dan\" {
      email \"dan@example.com\"
      card 4001
      allow main
    }
    # nobody after dan yet
  }
  # end of the staff
}
# trailing file comment
";

fn sources() -> Sources {
    let mut sources = Sources::new();
    sources.add("site.acl", SITE);
    sources.add("account.acl", ACCOUNT);
    sources
}

fn text(edited: &Edited, index: usize) -> &str {
    edited.sources.get(FileId(index as u32)).text()
}

fn change(user: &str, patch: UserPatch) -> Edit {
    Edit::ChangeUser {
        user: user.into(),
        patch,
    }
}

/// The lines of `new` that are not lines of `old`, and the other way round (a
/// multiset difference: enough to show what an edit touched).
fn changed_lines(old: &str, new: &str) -> (Vec<String>, Vec<String>) {
    let mut removed: Vec<String> = old.lines().map(str::to_owned).collect();
    let mut added = Vec::new();
    for line in new.lines() {
        match removed.iter().position(|l| l == line) {
            Some(i) => {
                removed.remove(i);
            }
            None => added.push(line.to_owned()),
        }
    }
    (removed, added)
}

#[test]
fn editing_one_user_in_a_file_full_of_comments_changes_only_that_users_lines() {
    let patch = UserPatch {
        tags_added: vec!["direction".into()],
        ..UserPatch::default()
    };
    let edited = apply(&sources(), &[change("bob", patch)]).unwrap();
    let new = text(&edited, 1);
    let expected = ACCOUNT.replace(
        "  user bob \"Bob\" {\n      email   \"bob@example.com\"    # odd spacing, kept\n      card 2001\n      allow main\n  }\n",
        "  user bob \"Bob\" {\n    email \"bob@example.com\"  # odd spacing, kept\n    card 2001\n    tags direction\n    allow main\n  }\n",
    );
    assert_eq!(new, expected);
    assert_eq!(edited.changed, vec![FileId(1)]);
    assert_eq!(text(&edited, 0), SITE);
    let (removed, added) = changed_lines(ACCOUNT, new);
    assert_eq!(
        removed,
        [
            "      email   \"bob@example.com\"    # odd spacing, kept",
            "      card 2001",
            "      allow main"
        ]
    );
    assert_eq!(
        added,
        [
            "    email \"bob@example.com\"  # odd spacing, kept",
            "    card 2001",
            "    tags direction",
            "    allow main"
        ]
    );
}

#[test]
fn a_user_keeps_its_comments_when_changed() {
    let patch = UserPatch {
        email: Some("ana@acme.example".into()),
        cards_removed: vec!["1002".into()],
        ..UserPatch::default()
    };
    let edited = apply(&sources(), &[change("ana", patch)]).unwrap();
    let new = text(&edited, 1);
    assert!(new.contains(
        "  # Ana runs marketing.\n  # She has two cards.\n  user ana \"Ana\" {\n    email \"ana@acme.example\"\n    card 1001\n    tags marketing\n    allow offices\n  }  # end of ana\n"
    ), "{new}");
    assert!(
        !new.contains("spare"),
        "the removed card takes its comment: {new}"
    );
}

#[test]
fn a_new_user_goes_at_the_end_of_its_sub_account_before_its_closing_comments() {
    let patch = UserPatch {
        title: Some("Eve Martin".into()),
        email: Some("eve@example.com".into()),
        cards_added: vec!["5001".into()],
        allow: vec!["main".into()],
        valid: Field::Set(parse_valid("2026-01-01..2026-06-30").unwrap()),
        ..UserPatch::default()
    };
    let edit = Edit::AddUser {
        account: "tenants@acme".into(),
        user: "eve".into(),
        patch,
    };
    let edited = apply(&sources(), &[edit]).unwrap();
    let new = text(&edited, 1);
    let expected = ACCOUNT.replace(
        "      allow main\n    }\n    # nobody after dan yet\n",
        "      allow main\n    }\n    user eve \"Eve Martin\" {\n      email \"eve@example.com\"\n      card 5001\n      valid 2026-01-01..2026-06-30\n      allow main\n    }\n    # nobody after dan yet\n",
    );
    assert_eq!(new, expected);
    assert_eq!(edited.applied[0].account, "tenants@acme");
    assert_eq!(edited.applied[0].action, Action::Added);
}

#[test]
fn a_new_user_in_an_account_follows_the_blank_lines_between_its_entries() {
    let patch = UserPatch {
        title: Some("Fay".into()),
        email: Some("fay@example.com".into()),
        ..UserPatch::default()
    };
    let edit = Edit::AddUser {
        account: "acme".into(),
        user: "fay".into(),
        patch,
    };
    let edited = apply(&sources(), &[edit]).unwrap();
    let new = text(&edited, 1);
    assert!(
        new.contains("    # nobody after dan yet\n  }\n\n  user fay \"Fay\" {\n    email \"fay@example.com\"\n  }\n  # end of the staff\n}\n"),
        "{new}"
    );
}

#[test]
fn removing_a_user_takes_its_lines_and_leading_comments_out_and_frees_its_cards() {
    let remove = Edit::RemoveUser { user: "ana".into() };
    let give = change(
        "bob",
        UserPatch {
            cards_added: vec!["1001".into()],
            ..UserPatch::default()
        },
    );
    let edited = apply(&sources(), &[remove, give]).unwrap();
    let new = text(&edited, 1);
    assert!(
        new.starts_with("# The staff.\naccount acme \"Acme\" {  # opened in 2020\n\n  user bob \"Bob\" {\n    email"),
        "{new}"
    );
    assert!(!new.contains("Ana"), "{new}");
    // And across runs: the card is free once the removal is written.
    let mut after = Sources::new();
    after.add("site.acl", SITE);
    let removed = apply(&sources(), &[Edit::RemoveUser { user: "ana".into() }]).unwrap();
    after.add("account.acl", text(&removed, 1));
    let patch = UserPatch {
        cards_added: vec!["1002".into()],
        ..UserPatch::default()
    };
    assert!(apply(&after, &[change("carol", patch)]).is_ok());
}

#[test]
fn removing_the_last_user_of_a_block_and_a_one_line_user() {
    let edited = apply(
        &sources(),
        &[
            Edit::RemoveUser { user: "dan".into() },
            Edit::RemoveUser {
                user: "carol".into(),
            },
        ],
    )
    .unwrap();
    let new = text(&edited, 1);
    assert!(
        new.contains("      allow main\n  }\n\n  subaccount tenants \"Tenants\" {\n    ceiling doors main parking rights users\n    # nobody after dan yet\n  }\n"),
        "{new}"
    );
}

#[test]
fn an_account_written_on_one_line_is_printed_whole() {
    let mut sources = Sources::new();
    sources.add("site.acl", SITE);
    sources.add(
        "one.acl",
        "# keep me\naccount a { user x \"X\" { email \"x@e.com\" } user y \"Y\" { email \"y@e.com\" } }\n# and me\n",
    );
    let patch = UserPatch {
        cards_added: vec!["77".into()],
        ..UserPatch::default()
    };
    let edited = apply(&sources, &[change("y", patch)]).unwrap();
    assert_eq!(
        text(&edited, 1),
        "# keep me\naccount a {\n  user x \"X\" {\n    email \"x@e.com\"\n  }\n  user y \"Y\" {\n    email \"y@e.com\"\n    card 77\n  }\n}\n# and me\n"
    );
}

#[test]
fn flags_pin_schedule_validity_and_admin_rights_set_and_cleared() {
    let patch = UserPatch {
        pin: Field::Set("482913".into()),
        schedule: Field::Set("office".into()),
        offline: Some(true),
        remote: Some(true),
        inactive: Some(true),
        admin_added: vec!["users".into(), "badges".into()],
        ..UserPatch::default()
    };
    let edited = apply(&sources(), &[change("bob", patch)]).unwrap();
    let new = text(&edited, 1);
    assert!(new.contains("  user bob \"Bob\" {\n    email \"bob@example.com\"  # odd spacing, kept\n    card 2001\n    pin \"482913\"\n    remote\n    offline\n    inactive\n    schedule office\n    allow main\n    admin users badges\n  }\n"), "{new}");
    let mut after = Sources::new();
    after.add("site.acl", SITE);
    after.add("account.acl", new);
    let undo = UserPatch {
        pin: Field::Clear,
        schedule: Field::Clear,
        offline: Some(false),
        remote: Some(false),
        inactive: Some(false),
        admin_removed: vec!["users".into(), "badges".into()],
        ..UserPatch::default()
    };
    let back = apply(&after, &[change("bob", undo)]).unwrap();
    assert!(text(&back, 1).contains("  user bob \"Bob\" {\n    email \"bob@example.com\"  # odd spacing, kept\n    card 2001\n    allow main\n  }\n"));
}

#[test]
fn a_new_user_records_its_creator() {
    let admin = change(
        "bob",
        UserPatch {
            admin_added: vec!["users".into()],
            ..UserPatch::default()
        },
    );
    let add = Edit::AddUser {
        account: "acme".into(),
        user: "gus".into(),
        patch: UserPatch {
            title: Some("Gus".into()),
            email: Some("gus@example.com".into()),
            created_by: Some("bob".into()),
            ..UserPatch::default()
        },
    };
    let edited = apply(&sources(), &[admin, add]).unwrap();
    assert!(text(&edited, 1).contains(
        "  user gus \"Gus\" {\n    email \"gus@example.com\"\n    created_by bob\n  }\n"
    ));
}

#[test]
fn allow_and_deny_targets_as_written() {
    let patch = UserPatch {
        allow: vec!["group offices".into(), "parking".into(), "main".into()],
        ..UserPatch::default()
    };
    let edited = apply(&sources(), &[change("bob", patch)]).unwrap();
    assert!(text(&edited, 1).contains("    allow main group offices parking\n"));
    let patch = UserPatch {
        deny: vec!["offices".into()],
        ..UserPatch::default()
    };
    let edited = apply(&sources(), &[change("ana", patch)]).unwrap();
    let new = text(&edited, 1);
    assert!(!new.contains("allow offices"), "{new}");
}

#[test]
fn refusals_are_typed_and_name_what_is_wrong() {
    let refused = |edit: Edit| apply(&sources(), &[edit]).unwrap_err();
    let tag = |t: &str| UserPatch {
        tags_removed: vec![t.into()],
        ..UserPatch::default()
    };
    assert!(matches!(
        refused(Edit::RemoveUser { user: "anna".into() }),
        EditRefused::UnknownUser { suggestion: Some(s), .. } if s == "ana"
    ));
    let add = |account: &str| Edit::AddUser {
        account: account.into(),
        user: "zed".into(),
        patch: UserPatch {
            title: Some("Zed".into()),
            email: Some("z@e.com".into()),
            ..UserPatch::default()
        },
    };
    assert!(matches!(
        refused(add("tenant")),
        EditRefused::UnknownAccount { .. }
    ));
    assert!(matches!(
        refused(add("tenants@other")),
        EditRefused::UnknownAccount { .. }
    ));
    let card = UserPatch {
        cards_added: vec!["2001".into()],
        ..UserPatch::default()
    };
    let held = refused(change("ana", card));
    assert_eq!(held.to_string(), "card 2001 is already held by `bob`");
    assert!(held.is_refusal());
    let door = UserPatch {
        allow: vec!["mian".into()],
        ..UserPatch::default()
    };
    assert!(matches!(
        refused(change("ana", door)),
        EditRefused::UnknownTarget { suggestion: Some(s), .. } if s == "main"
    ));
    assert!(matches!(
        refused(change("ana", tag("marketting"))),
        EditRefused::UnknownTag { .. }
    ));
    let schedule = UserPatch {
        schedule: Field::Set("night".into()),
        ..UserPatch::default()
    };
    assert!(matches!(
        refused(change("ana", schedule)),
        EditRefused::UnknownSchedule { .. }
    ));
    let deny = UserPatch {
        deny: vec!["r2".into()],
        ..UserPatch::default()
    };
    assert!(matches!(
        refused(change("ana", deny)),
        EditRefused::NotGranted { .. }
    ));
    let exists = Edit::AddUser {
        account: "acme".into(),
        user: "bob".into(),
        patch: UserPatch::default(),
    };
    assert!(matches!(refused(exists), EditRefused::UserExists { .. }));
    let no_email = Edit::AddUser {
        account: "acme".into(),
        user: "new".into(),
        patch: UserPatch {
            title: Some("New".into()),
            ..UserPatch::default()
        },
    };
    assert!(matches!(
        refused(no_email),
        EditRefused::MissingField { .. }
    ));
}

#[test]
fn an_invalid_result_is_refused_with_diagnostics_against_the_new_text() {
    // Tenants may grant only main and parking.
    let patch = UserPatch {
        allow: vec!["r2".into()],
        ..UserPatch::default()
    };
    let EditRefused::InvalidResult {
        sources,
        diagnostics,
    } = apply(&self::sources(), &[change("dan", patch)]).unwrap_err()
    else {
        panic!("not an invalid result");
    };
    let error = diagnostics.iter().find(|d| d.is_error()).unwrap();
    let file = sources.get(error.primary.span.file);
    assert!(file.text()[error.primary.span.range()].contains("r2"));
}

#[test]
fn an_edit_on_an_invalid_policy_is_refused_with_its_own_diagnostics() {
    let mut broken = Sources::new();
    broken.add("site.acl", SITE);
    broken.add("account.acl", "account a { user x { allow nowhere } }\n");
    let refused = apply(&broken, &[Edit::RemoveUser { user: "x".into() }]).unwrap_err();
    let EditRefused::InvalidPolicy { diagnostics } = refused else {
        panic!("{refused:?}");
    };
    assert!(diagnostics.iter().any(Diagnostic::is_error));
}

#[test]
fn validity_windows_as_typed() {
    let window = parse_valid("2026-01-01..2026-06-30").unwrap();
    assert_eq!(window.from.unwrap().to_string(), "2026-01-01");
    assert!(parse_valid("..2026-06-30").unwrap().from.is_none());
    assert!(parse_valid("2026-01-01..").unwrap().to.is_none());
    for bad in [
        "2026-01-01",
        "2026-13-01..",
        "2026-06-30..2026-01-01",
        "..",
        "soon..later",
    ] {
        assert!(
            matches!(
                parse_valid(bad),
                Err(EditRefused::Malformed {
                    what: "validity window",
                    ..
                })
            ),
            "{bad}"
        );
    }
    assert!(parse_target("group communs").is_ok());
    assert!(parse_target("groups communs").is_err());
    assert!(parse_target("a b c").is_err());
    assert!(parse_target("1door").is_err());
}

// ---------------------------------------------------------------------------------
// Properties

/// How one user of a generated policy is written.
#[derive(Debug, Clone)]
struct GenUser {
    comment: Option<String>,
    trailing: bool,
    blank_before: bool,
    one_line: bool,
    tags: bool,
    indent: usize,
}

fn gen_user() -> impl Strategy<Value = GenUser> {
    (
        proptest::option::of("[a-z ]{0,12}"),
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.2),
        any::<bool>(),
        0usize..3,
    )
        .prop_map(
            |(comment, trailing, blank_before, one_line, tags, indent)| GenUser {
                comment,
                trailing,
                blank_before,
                one_line,
                tags,
                indent,
            },
        )
}

/// A generated policy: the account file's text and its users' names.
fn account_text(main: &[GenUser], sub: &[GenUser]) -> String {
    let mut out = String::from("# generated\naccount acme \"Acme\" {\n");
    let mut n = 0;
    let mut user = |out: &mut String, u: &GenUser, depth: usize| {
        n += 1;
        let pad = " ".repeat(depth * (2 + u.indent));
        if u.blank_before {
            out.push('\n');
        }
        if let Some(c) = &u.comment {
            out.push_str(&format!("{pad}#{c}\n"));
        }
        let tags = if u.tags { " tags t1" } else { "" };
        if u.one_line {
            out.push_str(&format!(
                "{pad}user u{n} \"U {n}\" {{ email \"u{n}@e.com\" card {n}{tags} allow main }}"
            ));
        } else {
            let inner = " ".repeat(depth * (2 + u.indent) + 2);
            out.push_str(&format!(
                "{pad}user u{n} \"U {n}\" {{\n{inner}email \"u{n}@e.com\"\n{inner}card {n}\n"
            ));
            if u.tags {
                out.push_str(&format!("{inner}tags t1\n"));
            }
            out.push_str(&format!("{inner}allow main\n{pad}}}"));
        }
        if u.trailing {
            out.push_str("   # t");
        }
        out.push('\n');
    };
    for u in main {
        user(&mut out, u, 1);
    }
    out.push_str("  subaccount sub {\n    ceiling doors main rights users\n");
    for u in sub {
        user(&mut out, u, 2);
    }
    out.push_str("    # closing\n  }\n  # end\n}\n");
    out
}

/// One generated edit of user `k` (1-based), or a new user.
#[derive(Debug, Clone)]
enum GenEdit {
    Tag(usize),
    Untag(usize),
    Card(usize),
    Remove(usize),
    Offline(usize),
    Add(bool),
}

fn gen_edit(users: usize) -> impl Strategy<Value = GenEdit> {
    let k = 1..=users.max(1);
    prop_oneof![
        k.clone().prop_map(GenEdit::Tag),
        k.clone().prop_map(GenEdit::Untag),
        k.clone().prop_map(GenEdit::Card),
        k.clone().prop_map(GenEdit::Remove),
        k.prop_map(GenEdit::Offline),
        any::<bool>().prop_map(GenEdit::Add),
    ]
}

fn to_edit(edit: &GenEdit, index: usize) -> Edit {
    let user = |k: &usize| format!("u{k}");
    let patch = |f: &dyn Fn(&mut UserPatch)| {
        let mut p = UserPatch::default();
        f(&mut p);
        p
    };
    match edit {
        GenEdit::Tag(k) => change(&user(k), patch(&|p| p.tags_added = vec!["t2".into()])),
        GenEdit::Untag(k) => change(&user(k), patch(&|p| p.tags_removed = vec!["t1".into()])),
        GenEdit::Card(k) => change(
            &user(k),
            patch(&|p| p.cards_added = vec![format!("{}", 90_000 + index)]),
        ),
        GenEdit::Remove(k) => Edit::RemoveUser { user: user(k) },
        GenEdit::Offline(k) => change(&user(k), patch(&|p| p.offline = Some(true))),
        GenEdit::Add(sub) => Edit::AddUser {
            account: if *sub { "sub".into() } else { "acme".into() },
            user: format!("new{index}"),
            patch: patch(&|p| {
                p.title = Some("New".into());
                p.email = Some("new@e.com".into());
                p.allow = vec!["main".into()];
            }),
        },
    }
}

/// The old lines outside the edited users, in order, must all be in the new text in
/// that order; what lies between them in the new text is blank or an edited user.
fn kept_outside(old: &str, new: &str, edited: &[String]) -> Result<(), String> {
    let is_edited = |line: &str| {
        let line = line.trim_start();
        edited
            .iter()
            .any(|u| line.starts_with(&format!("user {u} ")))
    };
    // Old lines inside an edited user: from its first comment line to its closing line.
    let old_lines: Vec<&str> = old.lines().collect();
    let mut keep = vec![true; old_lines.len()];
    let mut i = 0;
    while i < old_lines.len() {
        if is_edited(old_lines[i]) {
            let mut start = i;
            while start > 0
                && old_lines[start - 1].trim_start().starts_with('#')
                && !old_lines[start - 1].starts_with('#')
                && old_lines[start - 1].trim_start() != "# closing"
                && old_lines[start - 1].trim_start() != "# end"
            {
                start -= 1;
            }
            let mut end = i;
            if !old_lines[i].contains('}') {
                while !old_lines[end].trim_start().starts_with('}') {
                    end += 1;
                }
            }
            for k in keep.iter_mut().take(end + 1).skip(start) {
                *k = false;
            }
            i = end + 1;
        } else {
            i += 1;
        }
    }
    let mut new_lines = new.lines().peekable();
    for (line, kept) in old_lines.iter().zip(&keep) {
        if !kept || line.trim().is_empty() {
            continue;
        }
        loop {
            let Some(next) = new_lines.next() else {
                return Err(format!("old line {line:?} lost"));
            };
            if next == *line {
                break;
            }
            let t = next.trim_start();
            let allowed = next.trim().is_empty()
                || t.starts_with("user ")
                || t.starts_with('#')
                || t.starts_with("email ")
                || t.starts_with("card ")
                || t.starts_with("tags ")
                || t.starts_with("offline")
                || t.starts_with("allow ")
                || t.starts_with('}');
            if !allowed {
                return Err(format!("unexpected new line {next:?} before {line:?}"));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn edits_keep_every_byte_outside_the_edited_users_and_parse_to_the_edited_trees(
        main in prop::collection::vec(gen_user(), 0..5),
        sub in prop::collection::vec(gen_user(), 0..4),
        edits in prop::collection::vec(gen_edit(8), 1..5),
    ) {
        let text = account_text(&main, &sub);
        let mut sources = Sources::new();
        sources.add("site.acl", SITE);
        sources.add("account.acl", text.as_str());
        prop_assume!(!check(&sources).has_errors());
        let edits: Vec<Edit> = edits.iter().enumerate().map(|(i, e)| to_edit(e, i)).collect();
        let Ok((texts, trees, applied)) = run(&sources, crate::check(&sources), &edits) else {
            return Ok(());
        };
        let new = texts[1].clone().unwrap_or_else(|| text.clone());
        prop_assert!(texts[0].is_none());
        let parsed = parse(FileId(1), &new);
        prop_assert!(parsed.errors.is_empty(), "{:?}\n{}", parsed.errors, new);
        prop_assert_eq!(&parsed.file, &trees[1], "\n{}", new);
        let names: Vec<String> = applied.iter().map(|a| a.user.clone()).collect();
        let one_line = main.iter().chain(&sub).any(|u| u.one_line);
        if !one_line {
            if let Err(why) = kept_outside(&text, &new, &names) {
                prop_assert!(false, "{}\nold:\n{}\nnew:\n{}", why, text, new);
            }
        }
        prop_assert!(finish(&sources, texts, applied).is_ok());
    }
}
