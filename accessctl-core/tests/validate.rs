//! The validator through `accessctl_core::check`: one test per error class and
//! warning of `docs/diagnostics.md`, and a valid multi-site policy checked against the
//! model it yields.

use accessctl_core::model::{
    AdminRights, Connectivity, Credential, DoorId, ReaderModes, Target, TimeRange, Weekdays,
};
use accessctl_core::model::{Direction, FailMode, Tracking, ZoneDoor, ZoneKind};
use accessctl_core::{check, Checked, Diagnostic, Sources};

// ---------------------------------------------------------------------------------
// Helpers

/// Checks `files` (name, text) as one policy and fails on any syntax error.
fn check_files(files: &[(&str, &str)]) -> (Sources, Checked) {
    let mut sources = Sources::new();
    for (name, text) in files {
        sources.add(*name, *text);
    }
    let checked = check(&sources);
    let syntax: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str().starts_with("E01"))
        .collect();
    assert!(syntax.is_empty(), "syntax errors: {syntax:#?}");
    (sources, checked)
}

/// `(code, file name, line, col)` of every diagnostic, in order.
fn positions(sources: &Sources, checked: &Checked) -> Vec<(String, String, usize, usize)> {
    checked
        .diagnostics
        .iter()
        .map(|d| {
            let file = sources.get(d.primary.span.file);
            let (line, col) = file.line_col(d.primary.span.start as usize);
            (d.code.to_string(), file.name().to_owned(), line, col)
        })
        .collect()
}

/// The 1-based line and column of the `nth` (from 1) occurrence of `needle`.
fn at(text: &str, needle: &str, nth: usize) -> (usize, usize) {
    let offset = text
        .match_indices(needle)
        .nth(nth - 1)
        .map(|(i, _)| i)
        .unwrap_or_else(|| panic!("`{needle}` occurs fewer than {nth} times"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Asserts the diagnostics of one-file policy `text`: each `(code, needle, nth)` says
/// a diagnostic `code` stands at the `nth` occurrence of `needle`. Returns them.
fn expect(text: &str, expected: &[(&str, &str, usize)]) -> Vec<Diagnostic> {
    let (sources, checked) = check_files(&[("policy.acl", text)]);
    let got: Vec<(String, usize, usize)> = positions(&sources, &checked)
        .into_iter()
        .map(|(code, _, line, col)| (code, line, col))
        .collect();
    let mut want: Vec<(String, usize, usize)> = expected
        .iter()
        .map(|(code, needle, nth)| {
            let (line, col) = at(text, needle, *nth);
            ((*code).to_owned(), line, col)
        })
        .collect();
    want.sort_by_key(|(_, line, col)| (*line, *col));
    assert_eq!(got, want, "diagnostics: {:#?}", checked.diagnostics);
    if checked.has_errors() {
        assert!(
            checked.policy.is_none(),
            "a policy with errors must not be handed out"
        );
    } else {
        assert!(
            checked.policy.is_some(),
            "a policy without errors must be handed out"
        );
    }
    checked.diagnostics
}

fn help(diag: &Diagnostic) -> &str {
    diag.help.as_deref().unwrap_or("")
}

/// A site, two doors and a user opening them, so that snippets appended to it raise
/// only what they test.
const BASE: &str = r#"site hq { timezone "UTC" door main door side }
account acme { user root { card 1 allow site hq } }
"#;

fn with_base(text: &str) -> String {
    format!("{BASE}{text}")
}

// ---------------------------------------------------------------------------------
// The example of docs/language.md

const LANGUAGE_EXAMPLE: &str = r#"# Centre sportif: one site, its doors and who may open them.
site centre "Centre sportif" {
  timezone "Europe/Paris"
  keystore "centre.keys"

  door main "Entrée principale" {
    id "5d1ecdd1"
    readers badge pin qr mobile
    schedule office
  }
  door meeting "Salle de réunion" {
    readers badge mobile
  }
  door r2 "Bureau R+2"

  group offices = main meeting r2
  path to_r2 = main -> r2

  code "483920" on main  # permanent space code, kept in lock memory
}

holidays fr {
  2026-12-25 "Noël"
  2027-01-01
}

schedule office {
  mon..fri 08:00-19:00
  sat 09:00-12:00
  except holidays fr
}

schedule evenings {
  mon..fri 18:00-22:00
}

account welcomr "Welcomr" {
  user ana "Ana Marketing" {
    email "ana@example.com"
    card 12345678
    pin "482913"
    valid 2026-01-01..2026-12-31
    tags marketing
    offline
    allow offices schedule office
    allow r2 schedule evenings  # exception for one door
  }

  subaccount cowork "Membres du coworking" {
    ceiling doors main meeting rights users badges schedule office
  }
}

appointment demo on 2026-05-07 16:45-17:45 {
  doors path to_r2
  guest "Ana" <ak@example.com>
}
"#;

#[test]
fn the_language_example_is_valid_and_lowers() {
    expect(LANGUAGE_EXAMPLE, &[]);
    let (_, checked) = check_files(&[("example.acl", LANGUAGE_EXAMPLE)]);
    let policy = checked.policy.expect("valid");
    assert_eq!(policy.sites.len(), 1);
    assert_eq!(policy.sites[0].timezone, chrono_tz::Europe::Paris);
    assert_eq!(policy.sites[0].keystore.as_deref(), Some("centre.keys"));
    assert_eq!(policy.sites[0].doors, [DoorId(0), DoorId(1), DoorId(2)]);
    let main = &policy.doors[0];
    assert_eq!(main.external_id.as_deref(), Some("5d1ecdd1"));
    assert_eq!(
        main.readers,
        ReaderModes::BADGE | ReaderModes::PIN | ReaderModes::QR | ReaderModes::MOBILE
    );
    assert_eq!(policy.doors[2].readers, ReaderModes::all());
    let office = &policy.schedules[0];
    assert_eq!(office.name, "office");
    assert_eq!(office.weekly[0].days.bits().count_ones(), 5);
    assert_eq!(
        office.weekly[0].ranges,
        [TimeRange {
            start: 480,
            end: 1140
        }]
    );
    assert_eq!(office.closed_on.len(), 1);
    assert_eq!(policy.calendars[0].holidays.len(), 2);
    assert_eq!(policy.accounts.len(), 2);
    assert_eq!(policy.accounts[1].parent.map(|p| p.0), Some(0));
    let ceiling = policy.accounts[1].ceiling.as_ref().expect("ceiling");
    assert_eq!(ceiling.rights, AdminRights::USERS | AdminRights::BADGES);
    let ana = &policy.users[0];
    assert_eq!(ana.credentials[0], Credential::Card(12_345_678));
    assert_eq!(ana.grants.len(), 2);
    assert!(ana.offline && ana.active && !ana.remote);
    assert_eq!(policy.appointments[0].targets.len(), 1);
    assert_eq!(
        policy.appointments[0].range,
        TimeRange {
            start: 1005,
            end: 1065
        }
    );
}

#[test]
fn no_line_deleted_from_the_example_makes_check_panic() {
    let lines: Vec<&str> = LANGUAGE_EXAMPLE.lines().collect();
    for skip in 0..lines.len() {
        let text: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, l)| *l)
            .collect();
        let mut sources = Sources::new();
        sources.add("cut.acl", text.join("\n"));
        let checked = check(&sources);
        assert_eq!(checked.policy.is_some(), !checked.has_errors());
    }
}

// ---------------------------------------------------------------------------------
// A valid multi-site policy and its model

const MULTI_SITE: &str = r#"site paris "Paris" {
  timezone "Europe/Paris"
  door p_main "Entrée" { id "P-1" offline capacity 4000 readers badge pin require badge pin }
  door p_lab { schedule nights }
  door p_roof
  group p_all = p_main p_lab p_main p_roof
  path p_route = p_main -> p_lab -> p_roof
  code "Z9Z9Z9" on path p_route
}
site nyc "New York" {
  timezone "America/New_York"
  door n_main
}
schedule nights {
  fri..mon 22:00-06:00
  tue 00:00-24:00
  holidays closures 10:00-12:00
}
holidays closures { 2026-08-01..2026-08-15 "summer" }
account acme "ACME" {
  user boss { remote admin all ip "2001:db8::1" allow site paris site nyc }
  subaccount lab "Lab" {
    ceiling doors group p_all n_main rights users badges codes schedule nights
    user ana "Ana" {
      email "ana@example.com" card 0042 pin "1234" qr "QR-ana" mobile "M-ana"
      valid 2026-01-01.. tags a b a inactive
      allow p_main p_lab schedule nights
      allow path p_route
      admin users badges
    }
    subaccount night {
      ceiling doors p_lab rights users
      user bob { card 43 allow p_lab }
    }
    appointment visit on 2026-05-07 09:00-24:00 {
      doors n_main
      guest "Guest" <guest@example.com> pin "5678" qr "QR-guest"
      organizer "Ana" subject "Visit" remote
    }
  }
}
appointment open on 2026-05-08 10:00-11:00 { doors site nyc guest "Eve" <eve@example.com> }
"#;

#[test]
fn a_multi_site_policy_yields_its_model() {
    expect(MULTI_SITE, &[]);
    let (_, checked) = check_files(&[("multi.acl", MULTI_SITE)]);
    let p = checked.policy.expect("valid");
    // Sites and doors.
    assert_eq!(p.sites.len(), 2);
    assert_eq!(p.sites[1].timezone, chrono_tz::America::New_York);
    assert_eq!(p.sites[1].doors, [DoorId(3)]);
    assert_eq!(p.doors[3].site.0, 1);
    let main = &p.doors[0];
    assert_eq!(main.connectivity, Connectivity::Offline);
    assert_eq!(main.capacity, Some(4000));
    assert_eq!(main.required, ReaderModes::BADGE | ReaderModes::PIN);
    assert_eq!(p.doors[1].schedule.map(|s| s.0), Some(0));
    assert_eq!(p.doors[1].connectivity, Connectivity::Online);
    // Groups dedup, paths keep order.
    assert_eq!(p.groups[0].doors, [DoorId(0), DoorId(1), DoorId(2)]);
    assert_eq!(p.paths[0].doors, [DoorId(0), DoorId(1), DoorId(2)]);
    assert_eq!(p.space_codes[0].site.0, 0);
    assert_eq!(
        p.space_codes[0].targets,
        [Target::Path(accessctl_core::model::PathId(0))]
    );
    // Schedules.
    let nights = &p.schedules[0];
    assert_eq!(
        nights.weekly[0].days,
        Weekdays::FRI | Weekdays::SAT | Weekdays::SUN | Weekdays::MON
    );
    assert_eq!(
        nights.weekly[0].ranges,
        [TimeRange {
            start: 1320,
            end: 360
        }]
    );
    assert!(nights.weekly[0].ranges[0].crosses_midnight());
    assert_eq!(
        nights.weekly[1].ranges,
        [TimeRange {
            start: 0,
            end: 1440
        }]
    );
    assert_eq!(nights.holiday_rules[0].calendars.len(), 1);
    let summer = &p.calendars[0].holidays[0];
    assert_eq!(summer.days.to.to_string(), "2026-08-15");
    assert_eq!(summer.label.as_deref(), Some("summer"));
    // Accounts in pre-order.
    let names: Vec<&str> = p.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["acme", "lab", "night"]);
    assert_eq!(p.accounts[0].ceiling, None);
    assert_eq!(p.accounts[0].children.len(), 1);
    assert_eq!(p.accounts[1].children.len(), 1);
    assert_eq!(p.accounts[2].parent.map(|a| a.0), Some(1));
    let lab = p.accounts[1].ceiling.as_ref().expect("ceiling");
    assert_eq!(
        lab.rights,
        AdminRights::USERS | AdminRights::BADGES | AdminRights::CODES
    );
    assert_eq!(lab.doors.len(), 2);
    // Users.
    let boss = &p.users[0];
    let admin = boss.admin.as_ref().expect("admin");
    assert_eq!(admin.rights, AdminRights::all());
    assert_eq!(
        admin.ip.map(|ip| ip.to_string()).as_deref(),
        Some("2001:db8::1")
    );
    let ana = &p.users[1];
    assert_eq!(ana.account.0, 1);
    assert!(!ana.active);
    assert_eq!(ana.tags, ["a", "b"]);
    assert_eq!(ana.validity.to, None);
    assert_eq!(
        ana.credentials,
        [
            Credential::Card(42),
            Credential::Pin("1234".into()),
            Credential::Qr("QR-ana".into()),
            Credential::Mobile("M-ana".into()),
        ]
    );
    assert_eq!(ana.grants[0].schedule.map(|s| s.0), Some(0));
    assert_eq!(p.users[2].account.0, 2);
    assert_eq!(p.accounts[1].users.len(), 1);
    // Appointments.
    let visit = &p.appointments[0];
    assert_eq!(visit.account.map(|a| a.0), Some(1));
    assert_eq!(
        visit.range,
        TimeRange {
            start: 540,
            end: 1440
        }
    );
    assert_eq!(visit.guests[0].credentials.len(), 2);
    assert!(visit.remote);
    assert_eq!(visit.organizer.as_deref(), Some("Ana"));
    assert_eq!(p.appointments[1].account, None);
}

#[test]
fn names_defined_in_one_file_are_seen_in_another() {
    let (sources, checked) = check_files(&[
        (
            "a.acl",
            "account acme { user ana { card 1 allow main schedule day } }\n",
        ),
        (
            "b.acl",
            "site hq { timezone \"UTC\" door main }\nschedule day { mon 08:00-18:00 }\n",
        ),
    ]);
    assert!(
        positions(&sources, &checked).is_empty(),
        "{:#?}",
        checked.diagnostics
    );
    assert_eq!(
        checked.policy.expect("valid").users[0].grants[0]
            .targets
            .len(),
        1
    );
}

// ---------------------------------------------------------------------------------
// Names: E0210–E0212

#[test]
fn e0210_duplicate_names() {
    let text = with_base(
        r#"site hq2 { timezone "UTC" door hq2 door d2 group main = d2 }
schedule s { mon 08:00-09:00 }
schedule s { tue 08:00-09:00 }
account acme { user root { card 2 } }
account other { user root2 { card 3 } }
appointment x on 2026-01-01 08:00-09:00 { doors main guest "G" <g@example.com> }
appointment x on 2026-01-02 08:00-09:00 { doors main guest "G" <g@example.com> }
"#,
    );
    let diags = expect(
        &text,
        &[
            ("E0210", "hq2", 2),
            ("E0210", "main", 2),
            ("E0210", "s {", 2),
            ("E0210", "acme", 2),
            ("E0210", "root", 2),
            ("E0210", "x on", 2),
        ],
    );
    let place = diags
        .iter()
        .find(|d| d.message.contains("`hq2`"))
        .expect("hq2");
    assert_eq!(place.message, "door `hq2` reuses the name of a site");
    assert_eq!(place.secondary.len(), 1);
}

#[test]
fn same_named_sub_accounts_under_different_parents_are_distinct() {
    let text = format!(
        "{DELEGATION_SITE}{}",
        r#"account regle {
  subaccount agence_sud {
    ceiling doors main meeting rights users
    subaccount antony { ceiling doors main rights users  user ana { card 91 allow main } }
  }
  subaccount autre {
    ceiling doors r2
    subaccount antony { ceiling doors r2  user bob { card 92 allow r2 } }
  }
  subaccount antony { ceiling doors meeting  user eve { card 93 allow meeting } }
}
account antony { user max { card 94 allow offices } }
"#
    );
    expect(&text, &[]);
    let (_, checked) = check_files(&[("policy.acl", &text)]);
    let policy = checked.policy.expect("valid");
    let antonys: Vec<String> = (0..policy.accounts.len())
        .filter(|&i| policy.accounts[i].name == "antony")
        .map(|i| policy.account_path(accessctl_core::model::AccountId(i as u32)))
        .collect();
    assert_eq!(
        antonys,
        [
            "antony@agence_sud@regle",
            "antony@autre@regle",
            "antony@regle",
            "antony"
        ]
    );
}

#[test]
fn e0210_sibling_sub_accounts_share_no_name() {
    let text = format!(
        "{DELEGATION_SITE}{}",
        r#"account regle {
  subaccount antony { ceiling doors main  user ana { card 91 allow main } }
  subaccount antony { ceiling doors r2  user bob { card 92 allow r2 } }
}
"#
    );
    let diags = expect(&text, &[("E0210", "antony", 2)]);
    assert_eq!(diags[0].message, "sub-account `antony` is defined twice");
}

#[test]
fn e0601_names_a_shared_sub_account_by_its_path() {
    let text = format!(
        "{DELEGATION_SITE}{}",
        r#"account regle {
  subaccount sud { ceiling doors main  subaccount antony { ceiling doors main  user ana { card 91 allow r2 } } }
  subaccount autre { ceiling doors offices  subaccount antony { ceiling doors r2  user bob { card 92 allow r2 } } }
}
"#
    );
    let diags = expect(&text, &[("E0601", "r2 }", 1)]);
    assert_eq!(
        diags[0].message,
        "door `r2` is outside the ceiling of sub-account `antony@sud@regle`"
    );
}

#[test]
fn e0210_across_files() {
    let (sources, checked) = check_files(&[
        ("a.acl", "site hq { timezone \"UTC\" door main }\n"),
        ("b.acl", "site hq2 { timezone \"UTC\" door main }\n"),
    ]);
    let got = positions(&sources, &checked);
    assert_eq!(got, [("E0210".to_owned(), "b.acl".to_owned(), 1, 32)]);
    let first = &checked.diagnostics[0].secondary[0];
    assert_eq!(sources.get(first.span.file).name(), "a.acl");
}

#[test]
fn e0211_duplicate_door_id() {
    let text = with_base(
        r#"site two { timezone "UTC" door a { id "X1" } door b { id "X1" } }
account more { user u { card 2 allow site two } }
"#,
    );
    expect(&text, &[("E0211", "\"X1\"", 2)]);
}

#[test]
fn e0212_clauses_given_twice() {
    let text = with_base(
        r#"site two {
  timezone "UTC"
  timezone "UTC"
  keystore "a" keystore "b"
  cards h10301 cards raw
  door a { readers badge pin readers pin offline offline schedule s schedule s id "1" id "2" capacity 1 capacity 2 require badge pin require badge pin cards raw cards raw }
}
schedule s { mon 08:00-09:00 }
account more {
  user u { card 2 allow site two email "u@example.com" email "u@example.com" remote remote inactive inactive valid ..2026-01-01 valid 2026-01-01.. schedule s schedule s offline offline admin users admin users }
  subaccount sub { ceiling doors a ceiling doors a }
  appointment x on 2026-01-01 08:00-09:00 { doors a guest "G" <g@example.com> organizer "o" organizer "o" subject "s" subject "s" description "d" description "d" remote remote }
}
"#,
    );
    let twice = |needle: &'static str| ("E0212", needle, 2);
    let diags = expect(
        &text,
        &[
            ("E0212", "timezone", 3),
            twice("keystore"),
            twice("cards"),
            twice("readers"),
            ("E0212", "offline", 2),
            ("E0212", "schedule s", 2),
            twice("id \""),
            twice("capacity"),
            twice("require"),
            ("E0212", "cards", 4),
            twice("email"),
            twice("remote"),
            twice("inactive"),
            twice("valid"),
            ("E0212", "schedule s", 5),
            ("E0212", "offline", 4),
            twice("admin"),
            twice("ceiling"),
            twice("organizer"),
            twice("subject"),
            twice("description"),
            ("E0212", "remote", 4),
        ],
    );
    let tz = &diags[0];
    assert_eq!(tz.message, "`timezone` given twice in one site");
    assert_eq!(tz.secondary.len(), 1);
}

// ---------------------------------------------------------------------------------
// References: E0201–E0208

#[test]
fn e0201_unknown_door() {
    let text = with_base(
        r#"site two { timezone "UTC" door lobby group g = lobbby path p = lobby -> lobby2 }
account more { user u { card 2 allow door lobyb group g path p } }
"#,
    );
    let diags = expect(
        &text,
        &[
            ("E0201", "lobbby", 1),
            ("E0201", "lobby2", 1),
            ("E0201", "lobyb", 1),
        ],
    );
    assert!(
        diags.iter().all(|d| help(d) == "did you mean `lobby`?"),
        "{diags:#?}"
    );
}

#[test]
fn e0202_to_e0207_unknown_targets() {
    let text = with_base(
        r#"site two { timezone "UTC" door lobby { schedule offfice } group offices = lobby path route = lobby -> side2 }
site three { timezone "UTC" door side2 }
schedule office { mon 08:00-09:00 except holidays frr }
holidays fr { 2026-12-25 }
account more { user u { card 2 allow group ofices path routee site thre lobbyy allow lobby schedule ofice } }
"#,
    );
    let diags = expect(
        &text,
        &[
            ("E0204", "offfice", 1),
            ("E0702", "side2", 1),
            ("E0205", "frr", 1),
            ("E0202", "ofices", 1),
            ("E0203", "routee", 1),
            ("E0206", "thre lobbyy", 1),
            ("E0207", "lobbyy", 1),
            ("E0204", "ofice }", 1),
        ],
    );
    let helps: Vec<&str> = diags.iter().map(help).collect();
    assert!(helps.contains(&"did you mean `offices`?"), "{helps:?}");
    assert!(helps.contains(&"did you mean `route`?"), "{helps:?}");
    assert!(helps.contains(&"did you mean `three`?"), "{helps:?}");
    assert!(helps.contains(&"did you mean `lobby`?"), "{helps:?}");
    assert!(helps.contains(&"did you mean `fr`?"), "{helps:?}");
    assert!(helps.contains(&"did you mean `office`?"), "{helps:?}");
    let unknown = diags
        .iter()
        .find(|d| d.code.as_str() == "E0207")
        .expect("E0207");
    assert_eq!(unknown.message, "unknown target `lobbyy`");
}

#[test]
fn e0208_wrong_kind() {
    let text = with_base(
        r#"site two { timezone "UTC" door a door b group offices = a b path route = a -> offices }
account more { user u { card 2 allow path offices door route site a group offices } }
"#,
    );
    let diags = expect(
        &text,
        &[
            ("E0208", "offices", 2),
            ("E0208", "path offices", 1),
            ("E0208", "door route", 1),
            ("E0208", "site a", 1),
        ],
    );
    let wrong = diags
        .iter()
        .find(|d| d.message.contains("not a path"))
        .expect("path");
    assert_eq!(wrong.message, "`offices` is a group, not a path");
}

// ---------------------------------------------------------------------------------
// Values: E0301–E0312

#[test]
fn e0301_unknown_timezone() {
    let text = with_base(
        r#"site two { timezone "Europe/Pariss" door a }
site three { timezone "Mars/Olympus" door b }
account more { user u { card 2 allow site two site three } }
"#,
    );
    let diags = expect(
        &text,
        &[("E0301", "\"Europe/Pariss\"", 1), ("E0301", "\"Mars", 1)],
    );
    assert_eq!(help(&diags[0]), "did you mean `Europe/Paris`?");
    assert!(!help(&diags[1]).contains("did you mean"));
}

#[test]
fn e0302_e0303_times_and_ranges() {
    let text = with_base(
        r#"schedule s {
  mon 25:00-26:00 08:60-09:00 24:00-06:00 08:00-24:01
  tue 08:00-08:00 22:00-06:00 00:00-24:00
}
account more { user u { card 2 schedule s } }
"#,
    );
    expect(
        &text,
        &[
            ("E0302", "25:00", 1),
            ("E0302", "26:00", 1),
            ("E0302", "08:60", 1),
            ("E0302", "24:00", 1),
            ("E0302", "24:01", 1),
            ("E0303", "08:00-08:00", 1),
        ],
    );
}

#[test]
fn e0304_e0305_dates() {
    let text = with_base(
        r#"holidays h { 2026-02-30 2026-13-01 2026-08-15..2026-08-01 2028-02-29 }
schedule s { mon 08:00-09:00 except holidays h }
account more { user u { card 2 schedule s valid 2026-12-31..2026-01-01 } user v { card 3 valid 2027-02-29.. } }
"#,
    );
    expect(
        &text,
        &[
            ("E0304", "2026-02-30", 1),
            ("E0304", "2026-13-01", 1),
            ("E0305", "2026-08-01", 1),
            ("E0305", "2026-01-01", 1),
            ("E0304", "2027-02-29", 1),
        ],
    );
}

#[test]
fn e0306_emails() {
    let text = with_base(
        r#"account more {
  user u { card 2 email "u@example" }
  user v { card 3 email "v @example.com" }
  user w { card 4 email "w@@example.com" }
}
appointment x on 2026-01-01 08:00-09:00 { doors main guest "G" <@example.com> }
"#,
    );
    expect(
        &text,
        &[
            ("E0306", "\"u@example\"", 1),
            ("E0306", "\"v @", 1),
            ("E0306", "\"w@@", 1),
            ("E0306", "<@example.com>", 1),
        ],
    );
}

#[test]
fn e0307_to_e0312_values() {
    let text = with_base(
        r#"site two { timezone "UTC" door a { capacity 0 id "" } door b { capacity 4294967296 } }
account more {
  user u { card 18446744073709551616 pin "123" allow site two }
  user v { card 18446744073709551615 pin "12a4" admin users ip "192.168.1" }
  user w { pin "1234567890123" admin usres badges }
  user x { qr "" mobile "" }
}
appointment y on 2026-01-01 08:00-09:00 { doors main guest "G" <g@example.com> pin "12" qr "" }
"#,
    );
    let diags = expect(
        &text,
        &[
            ("E0311", "0 id", 1),
            ("E0312", "\"\"", 1),
            ("E0311", "4294967296", 1),
            ("E0308", "18446744073709551616", 1),
            ("E0309", "\"123\"", 1),
            ("E0309", "\"12a4\"", 1),
            ("E0307", "\"192.168.1\"", 1),
            ("E0309", "\"1234567890123\"", 1),
            ("E0310", "usres", 1),
            ("E0312", "\"\"", 2),
            ("E0312", "\"\"", 3),
            ("E0309", "\"12\"", 1),
            ("E0312", "\"\"", 4),
        ],
    );
    let right = diags
        .iter()
        .find(|d| d.code.as_str() == "E0310")
        .expect("E0310");
    assert_eq!(right.message, "unknown admin right `usres`");
    assert_eq!(help(right), "did you mean `users`?");
    for pin in diags.iter().filter(|d| d.code.as_str() == "E0309") {
        assert!(!pin.message.contains("123") && !pin.message.contains("12a4"));
    }
}

#[test]
fn e0316_e0317_card_formats() {
    let text = with_base(
        r#"site cards_site {
  timezone "UTC"
  cards h10301 H10304 wiegand h10301
  door lab { cards corp1000 raw raw }
}
account more { user u { card 2 allow lab } }
"#,
    );
    let diags = expect(
        &text,
        &[
            ("E0316", "H10304", 1),
            ("E0316", "wiegand", 1),
            ("E0317", "h10301", 2),
            ("E0316", "corp1000 ", 1),
            ("E0317", "raw", 2),
        ],
    );
    let codes: Vec<(&str, &str, &str)> = diags
        .iter()
        .map(|d| (d.code.as_str(), d.message.as_str(), help(d)))
        .collect();
    assert_eq!(
        codes[0],
        (
            "E0316",
            "unknown card format `H10304`",
            "did you mean `h10304`?"
        )
    );
    assert_eq!(codes[1].1, "unknown card format `wiegand`");
    assert_eq!(
        codes[1].2,
        "card formats are `h10301` (26-bit), `h10304` (37-bit), `corp1000-35` (35-bit), \
         `h10306` (34-bit), `raw` (any length)"
    );
    assert_eq!(
        codes[2].1,
        "card format `h10301` listed twice in one `cards` clause"
    );
    assert_eq!(diags[2].secondary.len(), 1, "the first mention is shown");
    assert_eq!(codes[3].2, "did you mean `corp1000-35`?");
}

#[test]
fn card_formats_lower_with_the_door_override_and_the_default() {
    let text = r#"site hq {
  timezone "UTC"
  cards h10306 h10301
  door main
  door lab { cards corp1000-35 }
}
site annex { timezone "UTC" door side }
account acme { user root { card 1 allow site hq site annex } }
"#;
    let (_, checked) = check_files(&[("policy.acl", text)]);
    let policy = checked.policy.expect("a valid policy");
    use accessctl_core::model::CardFormat::{Corporate1000_35, H10301, H10306};
    assert_eq!(policy.sites[0].card_formats, [H10306, H10301]);
    assert!(policy.sites[1].card_formats.is_empty());
    assert_eq!(policy.doors[0].card_formats, None);
    assert_eq!(policy.doors[1].card_formats, Some(vec![Corporate1000_35]));
    let formats = |name| policy.card_formats(policy.door_named(name).expect("a door"));
    assert_eq!(formats("main"), [H10306, H10301]);
    assert_eq!(formats("lab"), [Corporate1000_35]);
    assert_eq!(formats("side"), [H10301]);
    assert!(policy.card_formats(DoorId(99)).is_empty());
    let compiled = accessctl_core::CompiledPolicy::new(&policy);
    for door in 0..3 {
        let door = DoorId(door);
        assert_eq!(compiled.card_formats(door), policy.card_formats(door));
    }
    assert!(compiled.card_formats(DoorId(99)).is_empty());
}

// ---------------------------------------------------------------------------------
// Credentials and space codes: E0401–E0406

#[test]
fn e0401_duplicate_card_by_value() {
    let text = with_base(
        r#"account more { user ana { card 42 } user bob { card 0042 } user cy { card 7 card 7 } }
"#,
    );
    let diags = expect(&text, &[("E0401", "0042", 1), ("E0401", "7", 2)]);
    assert_eq!(diags[0].message, "card `0042` is already held by `ana`");
    assert_eq!(diags[0].secondary.len(), 1);
}

#[test]
fn e0402_to_e0404_duplicate_secrets() {
    let text = with_base(
        r#"account more {
  user ana { pin "482913" qr "Q-1" mobile "M-1" }
  user bob { pin "482913" qr "Q-1" mobile "M-1" }
}
appointment x on 2026-01-01 08:00-09:00 { doors main guest "G" <g@example.com> pin "482913" qr "Q-1" mobile "M-1" }
"#,
    );
    let diags = expect(
        &text,
        &[
            ("E0404", "\"482913\"", 2),
            ("E0402", "\"Q-1\"", 2),
            ("E0403", "\"M-1\"", 2),
            ("E0404", "\"482913\"", 3),
            ("E0402", "\"Q-1\"", 3),
            ("E0403", "\"M-1\"", 3),
        ],
    );
    assert_eq!(diags[0].message, "this PIN is already held by `ana`");
    assert_eq!(diags[3].message, "this PIN is already held by `ana`");
    for d in &diags {
        assert!(
            !d.message.contains("482913")
                && !d.message.contains("Q-1")
                && !d.message.contains("M-1")
        );
    }
}

#[test]
fn e0405_e0406_space_codes() {
    let text = with_base(
        r#"site two {
  timezone "UTC"
  door a door b
  group g = a b
  code "12345" on a
  code "éééééé" on b
  code "ABCDEF" on a
  code "ABCDEF" on g
  code "ABCDEF" on site two
}
account more { user u { card 2 allow site two } }
"#,
    );
    let diags = expect(
        &text,
        &[
            ("E0405", "\"12345\"", 1),
            ("E0406", "\"ABCDEF\"", 2),
            ("E0406", "\"ABCDEF\"", 3),
            ("E0406", "\"ABCDEF\"", 3),
        ],
    );
    assert!(diags.iter().all(|d| !d.message.contains("ABCDEF")));
}

// ---------------------------------------------------------------------------------
// Appointments: E0501–E0503

#[test]
fn e0501_to_e0503_appointments() {
    let text = with_base(
        r#"appointment late on 2026-05-07 22:00-02:00 { doors main guest "A" <a@example.com> }
appointment noon on 2026-05-07 12:00-24:00 { doors main guest "B" <b@example.com> }
appointment anon on 2026-05-07 10:00-11:00 { doors main guest "Nobody" }
appointment empty on 2026-05-07 10:00-11:00 { guest "C" <c@example.com> }
appointment lonely on 2026-05-07 10:00-11:00 { doors main }
"#,
    );
    let diags = expect(
        &text,
        &[
            ("E0501", "22:00-02:00", 1),
            ("E0502", "\"Nobody\"", 1),
            ("E0503", "empty", 1),
            ("E0503", "lonely", 1),
        ],
    );
    assert_eq!(diags[2].message, "appointment `empty` has no door");
}

// ---------------------------------------------------------------------------------
// Delegation: E0601–E0604

const DELEGATION_SITE: &str = r#"site hq {
  timezone "UTC"
  door main door meeting door r2
  group offices = main meeting r2
}
account root { user boss { card 1 allow site hq } }
"#;

#[test]
fn e0601_grant_beyond_the_ceiling() {
    let text = format!(
        "{DELEGATION_SITE}{}",
        r#"account acme {
  subaccount cowork {
    ceiling doors main meeting
    user ana { card 2 allow main offices }
    user bob { card 3 allow group offices site hq }
    subaccount desk {
      ceiling doors main
      user cy { card 4 allow meeting }
    }
    appointment visit on 2026-05-07 10:00-11:00 { doors r2 guest "G" <g@example.com> }
  }
}
"#
    );
    let diags = expect(
        &text,
        &[
            ("E0601", "offices", 2),
            ("E0601", "group offices", 2),
            ("E0601", "site hq", 3),
            ("E0601", "meeting }", 1),
            ("E0601", "r2 guest", 1),
        ],
    );
    let ana = &diags[0];
    assert_eq!(
        ana.message,
        "group `offices` reaches door `r2`, outside the ceiling of sub-account `cowork`"
    );
    let cy = diags
        .iter()
        .find(|d| d.message.contains("`meeting`"))
        .expect("cy");
    assert_eq!(
        cy.message,
        "door `meeting` is outside the ceiling of sub-account `desk`"
    );
}

#[test]
fn e0601_an_ancestor_ceiling_binds_too() {
    let text = format!(
        "{DELEGATION_SITE}{}",
        r#"account acme {
  subaccount cowork {
    ceiling doors main
    subaccount desk {
      ceiling doors main r2
      user cy { card 4 allow r2 }
    }
  }
}
"#
    );
    let diags = expect(&text, &[("E0603", "r2", 3), ("E0601", "r2", 4)]);
    assert!(
        diags[1].message.contains("sub-account `cowork`"),
        "{diags:#?}"
    );
}

#[test]
fn e0601_a_part_left_out_grants_nothing() {
    let text = format!(
        "{DELEGATION_SITE}{}",
        r#"account acme {
  subaccount bare { user ana { card 2 allow main admin history } }
  subaccount rightsonly { ceiling rights users user bob { card 3 allow main } }
}
"#
    );
    expect(
        &text,
        &[
            ("E0601", "main admin", 1),
            ("E0602", "history", 1),
            ("E0601", "main }", 1),
        ],
    );
}

#[test]
fn e0602_rights_beyond_the_ceiling() {
    let text = format!(
        "{DELEGATION_SITE}{}",
        r#"account acme {
  user top { card 2 admin all }
  subaccount cowork {
    ceiling doors main rights users badges
    user ana { card 3 admin users keys export }
    user bob { card 4 admin all }
    subaccount desk { ceiling rights users user cy { card 5 admin badges } }
  }
}
"#
    );
    let diags = expect(
        &text,
        &[
            ("E0602", "keys", 1),
            ("E0602", "all }", 2),
            ("E0602", "badges }", 1),
        ],
    );
    assert_eq!(
        diags[0].message,
        "admin rights `export`, `keys` exceed the ceiling of sub-account `cowork`"
    );
    assert!(diags[2].message.contains("`desk`"));
}

#[test]
fn e0603_ceiling_beyond_the_parent() {
    let text = format!(
        "{DELEGATION_SITE}{}",
        r#"account acme {
  subaccount cowork {
    ceiling doors main rights users
    subaccount desk { ceiling doors main offices rights users keys }
  }
  subaccount free { ceiling doors site hq rights all }
}
"#
    );
    expect(
        &text,
        &[("E0603", "offices rights", 1), ("E0603", "keys", 1)],
    );
}

#[test]
fn e0604_ceiling_on_a_top_level_account() {
    let text = format!(
        "{DELEGATION_SITE}{}",
        "account acme { ceiling doors main user ana { card 2 } }\n"
    );
    expect(&text, &[("E0604", "ceiling", 1)]);
}

#[test]
fn created_by_lowers_to_the_creating_admin() {
    let text = format!(
        "{DELEGATION_SITE}{}",
        r#"account acme {
  user root { card 91 admin all allow offices }
  subaccount cowork {
    ceiling doors main rights users admins
    user lea { card 92 admin users admins created_by root }
    user ana { card 93 created_by lea }
  }
  user bob { card 94 }
}
"#
    );
    expect(&text, &[]);
    let (_, checked) = check_files(&[("policy.acl", &text)]);
    let policy = checked.policy.expect("valid");
    let id = |name: &str| policy.user_named(name).expect(name);
    let created_by = |name: &str| policy.users[id(name).index()].created_by;
    assert_eq!(created_by("lea"), Some(id("root")));
    assert_eq!(created_by("ana"), Some(id("lea")));
    assert_eq!(created_by("bob"), None);
}

#[test]
fn e0214_e0605_e0606_e0212_created_by() {
    let text = format!(
        "{DELEGATION_SITE}{}",
        r#"account acme {
  user root { card 91 admin all }
  user bob { card 92 }
  subaccount cowork {
    ceiling doors main rights users
    user lea { card 93 admin users }
  }
  subaccount desk {
    ceiling doors main
    user ana { card 94 created_by bob }
    user eve { card 95 created_by lea }
    user zoe { card 96 created_by rot }
    user max { card 97 created_by root created_by root }
  }
}
"#
    );
    let diags = expect(
        &text,
        &[
            ("E0605", "bob }", 1),
            ("E0606", "lea }", 1),
            ("E0214", "rot", 1),
            ("E0212", "created_by root", 2),
        ],
    );
    let not_admin = diags
        .iter()
        .find(|d| d.code.as_str() == "E0605")
        .expect("E0605");
    assert_eq!(
        not_admin.message,
        "`created_by` names `bob`, who is no admin"
    );
    let unknown = diags
        .iter()
        .find(|d| d.code.as_str() == "E0214")
        .expect("E0214");
    assert_eq!(help(unknown), "did you mean `root`?");
    let reach = diags
        .iter()
        .find(|d| d.code.as_str() == "E0606")
        .expect("E0606");
    assert_eq!(
        reach.message,
        "`lea` is an admin of `cowork`, which `eve` is not a member of"
    );
}

// ---------------------------------------------------------------------------------
// Structure: E0701–E0704

#[test]
fn e0701_site_without_timezone() {
    let text = with_base("site bare { door b }\naccount more { user u { card 2 allow b } }\n");
    expect(&text, &[("E0701", "bare", 1)]);
}

#[test]
fn e0702_door_of_another_site() {
    let text = with_base(
        r#"site two {
  timezone "UTC"
  door a
  group g = a main
  path p = a -> side
  code "123456" on main
  code "654321" on site hq
}
account more { user u { card 2 allow g p } }
"#,
    );
    let diags = expect(
        &text,
        &[
            ("E0702", "main", 2),
            ("E0702", "side", 2),
            ("E0702", "main", 3),
            ("E0702", "site hq", 3),
        ],
    );
    assert_eq!(
        diags[0].message,
        "door `main` belongs to site `hq`, not to site `two`"
    );
}

#[test]
fn e0703_malformed_paths() {
    let text = with_base(
        r#"site two { timezone "UTC" door a door b path one = a path twice = a -> b -> b -> a }
account more { user u { card 2 allow one twice } }
"#,
    );
    expect(&text, &[("E0703", "one =", 1), ("E0703", "b -> a", 1)]);
}

#[test]
fn e0704_malformed_factors() {
    let text = with_base(
        r#"site two {
  timezone "UTC"
  door a { require badge }
  door b { readers badge require badge pin }
  door c { require badge badge }
  door d { require badge mobile }
}
account more { user u { card 2 allow site two } }
"#,
    );
    expect(
        &text,
        &[
            ("E0704", "require badge }", 1),
            ("E0704", "pin }", 1),
            ("E0704", "require badge badge", 1),
        ],
    );
}

// ---------------------------------------------------------------------------------
// Warnings: W0101–W0105

#[test]
fn w0101_unused_schedule() {
    let text = with_base("schedule weekend { sat,sun 10:00-18:00 }\n");
    let diags = expect(&text, &[("W0101", "weekend", 1)]);
    assert_eq!(diags[0].message, "schedule `weekend` is never used");
}

#[test]
fn w0102_door_nobody_can_open() {
    let text = with_base(
        r#"site two { timezone "UTC" door storage door coded door visited door ceilinged code "123456" on coded }
account more {
  subaccount sub { ceiling doors ceilinged }
}
appointment x on 2026-01-01 08:00-09:00 { doors visited guest "G" <g@example.com> }
"#,
    );
    expect(&text, &[("W0102", "storage", 1), ("W0102", "ceilinged", 1)]);
}

#[test]
fn w0103_user_without_credential() {
    let text = with_base(
        "account more { user ana { email \"ana@example.com\" allow main } user bob { remote allow main } }\n",
    );
    expect(&text, &[("W0103", "ana", 1)]);
}

#[test]
fn w0104_unused_calendar() {
    let text = with_base(
        r#"holidays fr { 2026-12-25 }
holidays us { 2026-07-04 }
schedule s { mon 08:00-09:00 except holidays fr }
account more { user u { card 2 schedule s } }
"#,
    );
    expect(&text, &[("W0104", "us {", 1)]);
}

#[test]
fn w0105_unused_group_or_path() {
    let text = with_base(
        r#"site two { timezone "UTC" door a door b group spare = a b path route = a -> b group used = a path seen = a -> b }
account more { user u { card 2 allow used site two } subaccount sub { ceiling doors seen } }
"#,
    );
    expect(&text, &[("W0105", "spare", 1), ("W0105", "route", 1)]);
}

#[test]
fn errors_hide_warnings() {
    let text = with_base("schedule weekend { sat,sun 10:00-18:00 }\nsite bare { door b }\n");
    expect(&text, &[("E0701", "bare", 1)]);
}

// ---------------------------------------------------------------------------------
// Anti-passback zones

#[test]
fn a_zone_lowers_with_its_defaults() {
    let text = with_base(
        r#"zone hall "Hall" { entry main reader 0  exit main reader 1  antipassback hard }
site pool { timezone "UTC" door turnstile
  zone bassin { entry turnstile  antipassback timed 2h  per card }
}
account more { user u { card 2 allow turnstile } }
"#,
    );
    expect(&text, &[]);
    let (_, checked) = check_files(&[("policy.acl", &text)]);
    let policy = checked.policy.expect("valid");
    let hall = &policy.zones[0];
    assert_eq!(hall.site, None);
    assert_eq!(hall.unreachable, FailMode::Closed, "hard fails closed");
    assert_eq!(
        hall.doors,
        [
            ZoneDoor {
                door: DoorId(0),
                reader: Some(0),
                direction: Direction::Entry
            },
            ZoneDoor {
                door: DoorId(0),
                reader: Some(1),
                direction: Direction::Exit
            },
        ]
    );
    let bassin = &policy.zones[1];
    assert_eq!(bassin.kind, ZoneKind::Timed { minutes: 120 });
    assert_eq!(bassin.tracking, Tracking::Card);
    assert_eq!(bassin.unreachable, FailMode::Open, "timed fails open");
    assert!(bassin.site.is_some());
}

#[test]
fn zone_doors_resolve_like_any_door() {
    let text = r#"site hq { timezone "UTC" door main door side group both = main side }
account acme { user root { card 1 allow both } }
zone z { entry mian  exit both  antipassback soft }
"#;
    let diags = expect(text, &[("E0201", "mian", 1), ("E0208", "both", 3)]);
    assert_eq!(help(&diags[0]), "did you mean `main`?");
}

#[test]
fn e0210_e0212_zone_names_and_clauses() {
    let text = with_base(
        r#"zone z { entry main  antipassback hard  antipassback soft  per user  per card }
zone z { entry side  antipassback soft  unreachable open  unreachable closed }
"#,
    );
    let diags = expect(
        &text,
        &[
            ("E0212", "antipassback", 2),
            ("E0212", "per", 2),
            ("E0210", "z {", 2),
            ("E0212", "unreachable", 2),
        ],
    );
    assert_eq!(diags[2].message, "zone `z` is defined twice");
}

#[test]
fn e0318_bad_durations() {
    let text = with_base(
        r#"zone a { entry main reader 0  antipassback timed 30s }
zone b { entry main reader 1  antipassback timed 0m }
zone c { entry side reader 0  antipassback timed 25h }
zone d { entry side reader 1  antipassback timed 99999999999m }
zone e { entry side reader 2  antipassback timed 30min }
"#,
    );
    let diags = expect(
        &text,
        &[
            ("E0318", "30s", 1),
            ("E0318", "0m", 1),
            ("E0318", "25h", 1),
            ("E0318", "99999999999m", 1),
            ("E0318", "30min", 1),
        ],
    );
    assert_eq!(diags[0].message, "`30s` is not a duration");
    assert_eq!(help(&diags[4]), "write `30m`");
}

#[test]
fn e0319_reader_numbers() {
    let text = with_base("zone a { entry main reader 256  antipassback hard }\n");
    let diags = expect(&text, &[("E0319", "256", 1)]);
    assert_eq!(diags[0].message, "`256` is not a reader number");
}

#[test]
fn e0702_a_site_zone_holds_its_own_doors() {
    let text = with_base(
        r#"site pool { timezone "UTC" door turnstile
  zone bassin { entry turnstile  exit main  antipassback hard }
}
account more { user u { card 2 allow turnstile } }
"#,
    );
    let diags = expect(&text, &[("E0702", "main", 2)]);
    assert_eq!(
        help(&diags[0]),
        "a zone holds only doors of its own site `pool`"
    );
}

#[test]
fn e0901_a_reader_both_ways() {
    let text = with_base(
        r#"zone a { entry main  exit main reader 1  antipassback hard }
zone b { entry side reader 0  exit side reader 0  antipassback hard }
"#,
    );
    let diags = expect(
        &text,
        &[("E0901", "exit main", 1), ("E0901", "exit side", 1)],
    );
    assert_eq!(
        diags[0].message,
        "door `main` is both an entry and an exit of zone `a`"
    );
    assert_eq!(
        diags[1].message,
        "reader 0 of door `side` is both an entry and an exit of zone `b`"
    );
    assert!(help(&diags[0]).contains("`entry main reader 0` and `exit main reader 1`"));
}

#[test]
fn e0902_a_reader_listed_twice() {
    let text = with_base(
        r#"zone a { entry main reader 0  entry main reader 0  antipassback hard }
zone b { entry main reader 1  entry side  antipassback soft }
zone c { entry side reader 2  antipassback soft }
"#,
    );
    let diags = expect(
        &text,
        &[
            ("E0902", "entry main reader 0", 2),
            ("E0902", "entry side reader 2", 1),
        ],
    );
    assert_eq!(
        diags[0].message,
        "reader 0 of door `main` is listed twice in zone `a`"
    );
    assert_eq!(diags[1].message, "door `side` is already in zone `b`");
    // Two readers of one door in two zones are fine.
    let text = with_base(
        "zone a { entry main reader 0  antipassback hard }\nzone b { entry main reader 1  antipassback soft }\n",
    );
    expect(&text, &[]);
}

#[test]
fn e0903_e0904_incomplete_zones() {
    let text = with_base(
        r#"zone exits { exit main  antipassback hard }
zone nothing {}
zone norule { entry side }
"#,
    );
    let diags = expect(
        &text,
        &[
            ("E0903", "exits", 1),
            ("E0903", "nothing", 1),
            ("E0904", "nothing", 1),
            ("E0904", "norule", 1),
        ],
    );
    assert_eq!(diags[0].message, "zone `exits` has no entry");
    assert_eq!(
        diags[3].message,
        "zone `norule` has no `antipassback` clause"
    );
}

#[test]
fn w0106_an_offline_lock_in_a_zone() {
    let text = with_base(
        r#"site lockers { timezone "UTC" door locker { offline }
  zone vestiaire { entry locker  antipassback hard }
}
account more { user u { card 2 allow locker } }
"#,
    );
    let diags = expect(&text, &[("W0106", "locker", 3)]);
    assert_eq!(
        diags[0].message,
        "door `locker` of zone `vestiaire` is an offline lock"
    );
}
