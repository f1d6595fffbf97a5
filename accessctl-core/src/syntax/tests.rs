//! Tests of the lexer and the parser.

use super::parse;
use crate::source::FileId;

#[test]
fn scratch_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/parse");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for path in files {
        let data = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&data);
        let parsed = parse(FileId(0), &text);
        println!("== {} items={}", path.display(), parsed.file.items.len());
        for e in &parsed.errors {
            let s = e.primary.span;
            println!(
                "  {} {} [{}..{}] `{}` help={:?}",
                e.code,
                e.message,
                s.start,
                s.end,
                text.get(s.range())
                    .unwrap_or("?")
                    .chars()
                    .take(40)
                    .collect::<String>(),
                e.help
            );
        }
    }
}

#[test]
#[ignore]
fn scratch_throughput() {
    let text = std::fs::read_to_string("/tmp/ref.acl").unwrap();
    let mb = text.len() as f64 / 1e6;
    let mut best_lex = f64::MAX;
    let mut best_parse = f64::MAX;
    let only_parse = std::env::var("ONLY_PARSE").is_ok();
    for _ in 0..8 {
        if only_parse {
            drop(parse(FileId(0), std::hint::black_box(&text)));
            continue;
        }
        let t = std::time::Instant::now();
        let mut l = super::lexer::Lexer::new(&text);
        while l.next_token().kind != super::lexer::Kind::End {}
        std::hint::black_box(l);
        best_lex = best_lex.min(t.elapsed().as_secs_f64());
        let t = std::time::Instant::now();
        let parsed = parse(FileId(0), std::hint::black_box(&text));
        assert!(parsed.errors.is_empty());
        drop(parsed);
        best_parse = best_parse.min(t.elapsed().as_secs_f64());
    }
    println!(
        "lex {:.0} MB/s, parse+drop {:.0} MB/s",
        mb / best_lex,
        mb / best_parse
    );
}

// ---------------------------------------------------------------------------------
// Policy tests: instants, `+`, test items and their recovery

use super::ast::{Item, TestCredential, TestSubject};
use super::lexer::{Kind, Lexer};

/// The kinds and texts of the tokens of `text`.
fn tokens(text: &str) -> Vec<(Kind, &str)> {
    let mut lexer = Lexer::new(text);
    let mut out = Vec::new();
    loop {
        let token = lexer.next_token();
        if token.kind == Kind::End {
            return out;
        }
        out.push((token.kind, &text[token.start as usize..token.end as usize]));
    }
}

#[test]
fn instants_lex_as_one_token_and_dates_times_and_ranges_do_not_change() {
    use Kind::*;
    assert_eq!(
        tokens(
            "2026-11-23T09:00 2026-11-23T09:00:30Z 2026-11-23T09:00+01:00 2026-11-23T09:00-05:30"
        ),
        [
            (DateTime, "2026-11-23T09:00"),
            (DateTime, "2026-11-23T09:00:30Z"),
            (DateTime, "2026-11-23T09:00+01:00"),
            (DateTime, "2026-11-23T09:00-05:30"),
        ]
    );
    assert_eq!(
        tokens("2026-12-25 2026-01-01..2026-12-31 08:00-19:00 22:00-06:00 0123 2026-11-23 09:00"),
        [
            (Date, "2026-12-25"),
            (Date, "2026-01-01"),
            (DotDot, ".."),
            (Date, "2026-12-31"),
            (Time, "08:00"),
            (Dash, "-"),
            (Time, "19:00"),
            (Time, "22:00"),
            (Dash, "-"),
            (Time, "06:00"),
            (Number, "0123"),
            (Date, "2026-11-23"),
            (Time, "09:00"),
        ]
    );
    // Values are not judged; what does not fit the shape falls back to smaller tokens.
    assert_eq!(tokens("2026-13-45T99:99"), [(DateTime, "2026-13-45T99:99")]);
    assert_eq!(
        tokens("2026-11-23T9:00"),
        [
            (Date, "2026-11-23"),
            (Name, "T9"),
            (BadChar, ":"),
            (Number, "00")
        ]
    );
    assert_eq!(
        tokens("2026-11-23T09:00+1 a+b"),
        [
            (DateTime, "2026-11-23T09:00"),
            (Plus, "+"),
            (Number, "1"),
            (Name, "a"),
            (Plus, "+"),
            (Name, "b"),
        ]
    );
}

#[test]
fn a_test_item_parses_with_every_subject() {
    let text = r#"# head
test "Ana's office hours" {
  ana may open main at 2026-11-23T09:00
  ana may not open r2 at 2026-11-23T09:00 because outside_schedule  # trailing
  card 12345678 + pin "482913" may open vault at 2026-11-23T09:00+01:00
  remote ana may not open main at 2026-11-23T09:00 offline
  guest "ak@example.com" may open r2 at 2026-05-07T17:00 because appointment
  qr "q" + mobile "m" may not open r2 at 2026-05-07T17:00Z because inactive
}
"#;
    let parsed = parse(FileId(0), text);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let [entry] = parsed.file.items.as_slice() else {
        panic!("one item")
    };
    assert_eq!(entry.trivia.leading.len(), 1);
    let Item::Test(test) = &entry.node else {
        panic!("a test")
    };
    assert_eq!(test.title.value, "Ana's office hours");
    let expectations: Vec<_> = test.body.entries.iter().map(|e| &e.node).collect();
    assert_eq!(expectations.len(), 6);
    assert!(matches!(&expectations[0].subject, TestSubject::User(u) if u.name == "ana"));
    assert!(expectations[0].allowed && !expectations[1].allowed);
    assert_eq!(
        expectations[1].because.as_ref().unwrap().name,
        "outside_schedule"
    );
    assert!(test.body.entries[1].trivia.trailing.is_some());
    let TestSubject::Credentials(credentials) = &expectations[2].subject else {
        panic!("credentials")
    };
    assert!(
        matches!(&credentials[..], [TestCredential::Card(c), TestCredential::Pin(p)]
        if c.digits == "12345678" && p.value == "482913")
    );
    assert_eq!(expectations[2].at.text, "2026-11-23T09:00+01:00");
    assert!(matches!(&expectations[3].subject, TestSubject::Remote(u) if u.name == "ana"));
    assert!(expectations[3].offline.is_some());
    assert!(
        matches!(&expectations[4].subject, TestSubject::Guest(e) if e.value == "ak@example.com")
    );
    // Reserved words that spell reason codes are reasons here.
    assert_eq!(
        expectations[4].because.as_ref().unwrap().name,
        "appointment"
    );
    assert_eq!(expectations[5].because.as_ref().unwrap().name, "inactive");
    // The expectation's span runs from its subject to its last word.
    let span = test.body.entries[1].span;
    assert_eq!(
        &text[span.range()],
        "ana may not open r2 at 2026-11-23T09:00 because outside_schedule"
    );
}

#[test]
fn test_words_are_names_elsewhere() {
    let text = "site test { timezone \"UTC\" door may door not door open door at door because }\n\
                account a { user test { allow may not open at because } }\n\
                test \"t\" { test may not open because at 2026-01-01T00:00 because not_granted\n\
                because may open at at 2026-01-01T00:00 }";
    let parsed = parse(FileId(0), text);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let Some(Item::Test(test)) = parsed.file.items.last().map(|e| &e.node) else {
        panic!("a test last")
    };
    let users: Vec<_> = test
        .body
        .entries
        .iter()
        .map(|e| match &e.node.subject {
            TestSubject::User(u) => (u.name.as_str(), e.node.door.name.as_str()),
            _ => panic!("users"),
        })
        .collect();
    assert_eq!(users, [("test", "because"), ("because", "at")]);
}

#[test]
fn broken_expectations_are_reported_once_each_and_the_rest_is_kept() {
    let text = "test \"t\" {\n  ana may opn main at 2026-11-23T09:00\n  \
                card 1 + card 2 may open main at 2026-11-23T09:00\n  \
                ana may open main at 2026-11-23T09:00 because\n  = { } may\n  \
                bob may open main at 2026-11-23T09:00\n}\n\
                test \"u\" {\n  ana may open main at 2026-11-23T09:00\n\
                site x { timezone \"UTC\" }\n";
    let parsed = parse(FileId(0), text);
    let found: Vec<(&str, &str)> = parsed
        .errors
        .iter()
        .map(|e| (e.code.as_str(), &text[e.primary.span.range()]))
        .collect();
    assert_eq!(
        found,
        [
            ("E0103", "opn"),
            ("E0107", "card 2"),
            ("E0103", "="),
            ("E0103", "site"),
        ]
    );
    // The first test keeps its good expectation; the second, missing its `}`, is
    // left out, and parsing resumes at the site.
    let kinds: Vec<&str> = parsed
        .file
        .items
        .iter()
        .map(|e| match &e.node {
            Item::Test(t) => {
                assert_eq!(t.body.entries.len(), 1);
                "test"
            }
            Item::Site(_) => "site",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["test", "site"]);
}

// ---------------------------------------------------------------------------------
// `cards` clauses

use super::ast::{DoorClause, SiteClause};

/// The names and spans (as text) of the `cards` clauses of the first site of `text`,
/// the site's first, then its doors'.
fn cards_clauses(text: &str) -> Vec<Vec<(String, &str)>> {
    let parsed = parse(FileId(0), text);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let Some(Item::Site(site)) = parsed.file.items.first().map(|e| &e.node) else {
        panic!("a site first")
    };
    let written = |names: &[super::ast::Ident]| {
        names
            .iter()
            .map(|n| (n.name.clone(), &text[n.span.range()]))
            .collect::<Vec<_>>()
    };
    let mut out = Vec::new();
    for entry in &site.body.entries {
        match &entry.node {
            SiteClause::Cards(names) => out.push(written(names)),
            SiteClause::Door(door) => {
                for clause in door.body.iter().flat_map(|b| &b.entries) {
                    if let DoorClause::Cards(names) = &clause.node {
                        out.push(written(names));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn cards_clauses_parse_in_sites_and_doors_with_spans() {
    let text = "site hq {\n  timezone \"UTC\"\n  cards h10301 h10304\n  \
                door lab { readers badge cards corp1000-35 raw offline }\n}\n";
    let owned = |pairs: &[(&str, &'static str)]| -> Vec<(String, &'static str)> {
        pairs.iter().map(|(n, t)| ((*n).to_owned(), *t)).collect()
    };
    assert_eq!(
        cards_clauses(text),
        [
            owned(&[("h10301", "h10301"), ("h10304", "h10304")]),
            owned(&[("corp1000-35", "corp1000-35"), ("raw", "raw")]),
        ]
    );
}

#[test]
fn cards_keeps_unknown_names_for_the_validator() {
    let text = "site hq { timezone \"UTC\" cards h10302 H10301 door main }";
    let names: Vec<Vec<String>> = cards_clauses(text)
        .into_iter()
        .map(|c| c.into_iter().map(|(n, _)| n).collect())
        .collect();
    assert_eq!(names, [["h10302", "H10301"]]);
}

#[test]
fn cards_needs_a_format_name() {
    for (text, found) in [
        ("site hq { cards }", "}"),
        ("site hq { door d { cards badge } }", "badge"),
        ("site hq { cards \"h10301\" }", "\"h10301\""),
    ] {
        let parsed = parse(FileId(0), text);
        let errors: Vec<_> = parsed
            .errors
            .iter()
            .map(|e| (e.code.as_str(), &text[e.primary.span.range()]))
            .collect();
        assert_eq!(errors, [("E0103", found)], "{text}");
        let error = &parsed.errors[0];
        assert!(error.message.contains("a card format name after `cards`"));
        assert!(error
            .help
            .as_deref()
            .unwrap_or("")
            .contains("`corp1000-35`"));
    }
}

#[test]
fn cards_is_a_reserved_word() {
    let parsed = parse(FileId(0), "site hq { timezone \"UTC\" door cards }");
    let codes: Vec<_> = parsed.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["E0106"]);
}

// ---------------------------------------------------------------------------------
// Anti-passback zones

use super::ast::{FailMode, Passback, Tracking, Zone, ZoneClause};

#[test]
fn durations_lex_as_one_token_and_numbers_do_not_change() {
    use Kind::*;
    assert_eq!(
        tokens("30m 2h 30x 30m5 30_m 1234 30 m"),
        [
            (Duration, "30m"),
            (Duration, "2h"),
            (Duration, "30x"),
            (Number, "30"),
            (Name, "m5"),
            (Number, "30"),
            (Name, "_m"),
            (Number, "1234"),
            (Number, "30"),
            (Name, "m"),
        ]
    );
}

fn zones(text: &str) -> Vec<Zone> {
    let parsed = parse(FileId(0), text);
    assert!(parsed.errors.is_empty(), "{:#?}", parsed.errors);
    let mut zones = Vec::new();
    for item in parsed.file.items {
        match item.node {
            Item::Zone(zone) => zones.push(zone),
            Item::Site(site) => {
                zones.extend(site.body.entries.into_iter().filter_map(|e| match e.node {
                    SiteClause::Zone(zone) => Some(zone),
                    _ => None,
                }))
            }
            _ => {}
        }
    }
    zones
}

#[test]
fn a_zone_parses_at_the_top_level_and_in_a_site() {
    let found = zones(
        r#"zone pool "Bassin" {
  entry turnstile reader 0  # outside
  exit turnstile reader 1
  antipassback timed 30m
  per card
  unreachable open
}
site centre { door exit  zone gym { entry exit  exit reader  antipassback soft } }"#,
    );
    let [pool, gym] = found.as_slice() else {
        panic!("two zones: {found:#?}");
    };
    assert_eq!(pool.name.name, "pool");
    assert_eq!(pool.title.as_ref().unwrap().value, "Bassin");
    let clauses: Vec<&ZoneClause> = pool.body.entries.iter().map(|e| &e.node).collect();
    let ZoneClause::Entry(entry) = clauses[0] else {
        panic!("an entry: {:?}", clauses[0]);
    };
    assert_eq!(
        (
            entry.door.name.as_str(),
            entry.reader.as_ref().map(|r| r.digits.as_str())
        ),
        ("turnstile", Some("0"))
    );
    assert_eq!(
        pool.body.entries[0].trivia.trailing.as_ref().unwrap().text,
        " outside"
    );
    let ZoneClause::Antipassback(Passback::Timed(_, after)) = clauses[2] else {
        panic!("timed: {:?}", clauses[2]);
    };
    assert_eq!((after.digits.as_str(), after.unit.as_str()), ("30", "m"));
    assert!(matches!(clauses[3], ZoneClause::Per(w) if w.kind == Tracking::Card));
    assert!(matches!(clauses[4], ZoneClause::Unreachable(w) if w.kind == FailMode::Open));
    // Clause words are names elsewhere: a door may be called `exit` or `reader`.
    let doors: Vec<String> = gym
        .body
        .entries
        .iter()
        .filter_map(|e| match &e.node {
            ZoneClause::Entry(d) | ZoneClause::Exit(d) => Some(d.door.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(doors, ["exit", "reader"]);
}

#[test]
fn broken_zone_clauses_say_what_was_expected() {
    for (text, found, expected) in [
        (
            "zone z { antipassback strict }",
            "strict",
            "`hard`, `soft` or `timed`",
        ),
        (
            "zone z { antipassback timed 30 }",
            "30",
            "a duration (`30m`)",
        ),
        (
            "zone z { per badge }",
            "badge",
            "`user` or `card` after `per`",
        ),
        (
            "zone z { unreachable maybe }",
            "maybe",
            "`open` or `closed`",
        ),
        ("zone z { entry main reader x }", "x", "a reader number"),
        ("zone z { inside main }", "inside", "a zone clause"),
        ("zone z { entry door }", "door", "a door name after `entry`"),
    ] {
        let parsed = parse(FileId(0), text);
        let errors: Vec<_> = parsed
            .errors
            .iter()
            .map(|e| (e.code.as_str(), &text[e.primary.span.range()]))
            .collect();
        assert_eq!(errors.len(), 1, "{text}: {errors:?}");
        assert_eq!(errors[0].1, found, "{text}");
        assert!(
            parsed.errors[0].message.contains(expected),
            "{text}: {}",
            parsed.errors[0].message
        );
    }
}

#[test]
fn zone_is_a_reserved_word_that_starts_an_item() {
    let parsed = parse(FileId(0), "site hq { door zone }");
    let codes: Vec<_> = parsed.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["E0106"]);
    // After a broken item, recovery resumes at a top-level `zone`.
    let parsed = parse(
        FileId(0),
        "schedule s { nope }\nzone z { entry a antipassback hard }",
    );
    assert_eq!(parsed.errors.len(), 1, "{:#?}", parsed.errors);
    assert!(matches!(
        parsed.file.items.last().map(|i| &i.node),
        Some(Item::Zone(_))
    ));
}

// ---------------------------------------------------------------------------------
// Key options

use super::ast::{AccountClause, KeyOption, UserClause};

fn key_clauses(text: &str) -> Vec<Vec<KeyOption>> {
    let parsed = parse(FileId(0), text);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let mut out = Vec::new();
    for item in &parsed.file.items {
        let Item::Account(account) = &item.node else {
            continue;
        };
        for clause in &account.body.entries {
            let AccountClause::User(user) = &clause.node else {
                continue;
            };
            for entry in user.body.iter().flat_map(|b| &b.entries) {
                if let UserClause::Key(options) = &entry.node {
                    out.push(options.iter().map(|o| o.kind).collect());
                }
            }
        }
    }
    out
}

#[test]
fn key_options_parse_after_key() {
    assert_eq!(
        key_clauses("account a { user ana { key audit antipassback  tags x } user bob { key antipassback } }"),
        [
            vec![KeyOption::Audit, KeyOption::Antipassback],
            vec![KeyOption::Antipassback]
        ]
    );
}

#[test]
fn key_needs_an_option_and_is_reserved() {
    for (text, found) in [
        ("account a { user ana { key } }", "}"),
        ("account a { user ana { key wiegand } }", "wiegand"),
    ] {
        let parsed = parse(FileId(0), text);
        let errors: Vec<_> = parsed
            .errors
            .iter()
            .map(|e| &text[e.primary.span.range()])
            .collect();
        assert_eq!(errors, [found], "{text}");
        assert!(parsed.errors[0]
            .message
            .contains("`audit` or `antipassback` after `key`"));
    }
    let parsed = parse(FileId(0), "site hq { door key }");
    let codes: Vec<_> = parsed.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["E0106"]);
}
