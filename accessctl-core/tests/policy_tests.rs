//! Policy tests end to end: `test` blocks go through check → compile →
//! `policy_test::run`. Every example's `tests.acl` must pass in full; small policies
//! show failing expectations, what they say about themselves, and the errors the
//! validator reports for expectations that cannot be run.

use std::path::{Path, PathBuf};

use accessctl_core::policy_test::{self, Outcome, Subject};
use accessctl_core::{check, Checked, CompiledPolicy, Reason, Sources};

/// Checks `text` as a one-file policy.
fn checked(text: &str) -> (Sources, Checked) {
    let mut sources = Sources::new();
    sources.add("policy.acl", text);
    let checked = check(&sources);
    (sources, checked)
}

/// `file:line:col: CODE message` for every diagnostic.
fn shown(sources: &Sources, checked: &Checked) -> Vec<String> {
    checked
        .diagnostics
        .iter()
        .map(|d| {
            let file = sources.get(d.primary.span.file);
            let (line, col) = file.line_col(d.primary.span.start as usize);
            format!(
                "{}:{line}:{col}: {} {} (help: {})",
                file.name(),
                d.code,
                d.message,
                d.help.as_deref().unwrap_or("")
            )
        })
        .collect()
}

/// Runs the tests of a policy that must be valid; returns the outcomes with the
/// failures described as `accessctl test` would, `file:line:col: expectation: verdict`.
fn run_valid(sources: &Sources, checked: &Checked) -> (usize, Vec<String>) {
    let diagnostics = shown(sources, checked);
    assert!(diagnostics.is_empty(), "{}", diagnostics.join("\n"));
    let policy = checked.policy.as_ref().expect("a valid policy");
    let compiled = CompiledPolicy::new(policy);
    let outcomes = policy_test::run(&compiled, &checked.tests);
    let failures = outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| failure(sources, policy, o))
        .collect();
    (outcomes.len(), failures)
}

fn failure(sources: &Sources, policy: &accessctl_core::model::Policy, o: &Outcome) -> String {
    let span = o.expectation.span;
    let file = sources.get(span.file);
    let (line, col) = file.line_col(span.start as usize);
    format!(
        "{}:{line}:{col}: [{}] {}: {}",
        file.name(),
        o.expectation.title,
        o.expectation.describe(policy),
        o.verdict()
    )
}

// ---------------------------------------------------------------------------------
// The examples

fn examples() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("an examples directory")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn load_dir(dir: &Path) -> Sources {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("a readable example")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "acl"))
        .collect();
    files.sort();
    let mut sources = Sources::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("a readable file");
        sources.add(path.display().to_string(), text);
    }
    sources
}

#[test]
fn every_example_ships_tests_and_they_all_pass() {
    let dirs = examples();
    assert!(dirs.len() >= 4, "examples: {dirs:?}");
    let mut report = Vec::new();
    for dir in dirs {
        if !dir.join("tests.acl").is_file() {
            report.push(format!("{} has no tests.acl", dir.display()));
            continue;
        }
        let sources = load_dir(&dir);
        let checked = check(&sources);
        let (count, failures) = run_valid(&sources, &checked);
        assert!(count >= 20, "{}: only {count} expectations", dir.display());
        let allowed = checked.tests.iter().filter(|e| e.allowed).count();
        assert!(
            allowed > 0 && allowed < count,
            "{}: tests must cover allowed and denied cases",
            dir.display()
        );
        report.extend(failures);
    }
    assert!(report.is_empty(), "\n{}", report.join("\n"));
}

// ---------------------------------------------------------------------------------
// Running expectations

/// The drafted example of `docs/language.md`, made whole.
const CENTRE: &str = r#"
site centre "Centre sportif" {
  timezone "Europe/Paris"
  door main "Entrée principale" {
    readers badge pin qr mobile
    schedule office
  }
  door r2 "Bureau R+2"
  door vault {
    readers badge pin
    require badge pin
  }
  code "483920" on main
}

schedule office {
  mon..fri 08:00-19:00
}

schedule evenings {
  mon..fri 18:00-22:00
}

account welcomr {
  user ana "Ana Marketing" {
    card 12345678
    pin "482913"
    remote
    allow main vault
    allow r2 schedule evenings
  }
}

appointment demo on 2026-05-07 16:45-17:45 {
  doors r2
  guest "Ana" <ak@example.com>
}
"#;

fn with_tests(tests: &str) -> String {
    format!("{CENTRE}\n{tests}")
}

#[test]
fn the_guide_example_passes() {
    let text = with_tests(
        r#"test "Ana's office hours" {
  ana may open main at 2026-11-23T09:00
  ana may not open r2 at 2026-11-23T09:00 because outside_schedule
  card 12345678 may open main at 2026-11-23T09:00+01:00
  card 12345678 + pin "482913" may open vault at 2026-11-23T09:00
  remote ana may not open main at 2026-11-23T09:00 offline
  guest "ak@example.com" may open r2 at 2026-05-07T17:00
  pin "483920" may open main at 2026-12-25T03:00 offline
}"#,
    );
    let (sources, checked) = checked(&text);
    let (count, failures) = run_valid(&sources, &checked);
    assert_eq!(count, 7);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn failing_expectations_say_where_and_why() {
    let text = with_tests(
        r#"test "wrong on purpose" {
  ana may open r2 at 2026-11-23T09:00
  ana may open main at 2026-11-23T09:00 because granted
  card 12345678 may not open vault at 2026-11-23T09:00 because second_factor_required
  pin "482913" may open main at 2026-11-23T09:00 because space_code
}"#,
    );
    let (sources, checked) = checked(&text);
    let (count, failures) = run_valid(&sources, &checked);
    assert_eq!(count, 4);
    assert_eq!(
        failures,
        [
            "policy.acl:40:3: [wrong on purpose] ana may open r2 at 2026-11-23T09:00+01:00: \
             denied (outside_schedule: the user's schedule is closed)",
            "policy.acl:43:3: [wrong on purpose] pin \"…\" may open main at \
             2026-11-23T09:00+01:00 because space_code: allowed (granted: a grant reaches \
             the door and its schedules are open)",
        ]
    );
}

#[test]
fn an_outcome_holds_the_decision() {
    let text = with_tests(
        r#"test "t" {
  remote ana may open r2 at 2026-11-23T19:30:15Z because granted
}"#,
    );
    let (sources, checked) = checked(&text);
    let policy = checked.policy.as_ref().expect("valid");
    let outcomes = policy_test::run(&CompiledPolicy::new(policy), &checked.tests);
    let [outcome] = outcomes.as_slice() else {
        panic!("one outcome: {outcomes:?}")
    };
    assert!(outcome.passed, "{}", failure(&sources, policy, outcome));
    assert_eq!(outcome.decision.reason, Reason::Granted);
    assert_eq!(outcome.expectation.title, "t");
    assert!(matches!(outcome.expectation.subject, Subject::Remote(_)));
    assert_eq!(
        outcome.expectation.describe(policy),
        "remote ana may open r2 at 2026-11-23T20:30:15+01:00 because granted"
    );
}

#[test]
fn a_guest_is_every_appointment_that_invites_its_email() {
    let text = format!(
        "{CENTRE}\n{}",
        r#"appointment later on 2026-05-11 07:00-11:00 {
  doors main
  guest "Ana K." <AK@example.com>
}

test "guests" {
  guest "ak@example.com" may open r2 at 2026-05-07T17:00 because appointment
  guest "AK@EXAMPLE.COM" may open main at 2026-05-11T10:30 because appointment
  guest "ak@example.com" may not open main at 2026-05-07T17:00 because appointment_not_now
  guest "ak@example.com" may not open vault at 2026-05-07T17:00 because not_granted
  guest "ak@example.com" may not open main at 2026-05-11T07:30 because door_closed
  guest "ak@example.com" may not open r2 at 2026-05-07T17:00 offline because offline_not_allowed
}"#
    );
    let (sources, checked) = checked(&text);
    let guests = match &checked.tests.first().expect("tests").subject {
        Subject::Guest { guests, .. } => guests.len(),
        other => panic!("a guest: {other:?}"),
    };
    assert_eq!(guests, 2);
    let (count, failures) = run_valid(&sources, &checked);
    assert_eq!(count, 6);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn local_times_are_the_door_sites() {
    let text = r#"
site nyc { timezone "America/New_York"  door lobby }
site paris { timezone "Europe/Paris"  door hall }
schedule days { mon..fri 09:00-17:00 }
account a { user bo { card 1  schedule days  allow lobby hall } }
test "zones" {
  bo may open lobby at 2026-11-23T09:00
  bo may open hall at 2026-11-23T09:00
  bo may not open lobby at 2026-11-23T08:59 because outside_schedule
  bo may not open hall at 2026-11-23T12:00-05:00 because outside_schedule
  bo may open lobby at 2026-11-23T14:00Z
}
"#;
    let (sources, checked) = checked(text);
    let (count, failures) = run_valid(&sources, &checked);
    assert_eq!(count, 5);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn contextual_keywords_stay_names_outside_test_blocks() {
    let text = r#"
site at { timezone "UTC"  door open  door may  door not  door because  door test }
account a {
  user test { card 1  allow open may }
  user because { card 2  allow not because }
  user may { card 3  allow test }
}
test "names" {
  test may open open at 2026-11-23T09:00
  test may not open not at 2026-11-23T09:00 because not_granted
  because may open not at 2026-11-23T09:00
  because may not open at at 2026-11-23T09:00
  may may open test at 2026-11-23T09:00
}
"#;
    let (sources, checked) = checked(text);
    let diagnostics = shown(&sources, &checked);
    assert_eq!(
        diagnostics,
        ["policy.acl:12:24: E0208 `at` is a site, not a door (help: name a door here, or write `site at` where any target is allowed)"]
    );
    let fixed = text.replace("because may not open at at", "because may not open may at");
    let (sources, checked) = self::checked(&fixed);
    let (count, failures) = run_valid(&sources, &checked);
    assert_eq!(count, 5);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_reason_after_because_is_any_known_code() {
    for reason in Reason::ALL {
        assert_eq!(policy_test::reason_named(reason.code()), Some(reason));
    }
    assert_eq!(policy_test::reason_named("outside_hours"), None);
}

// ---------------------------------------------------------------------------------
// Expectations that cannot be run

/// The codes and messages of the diagnostics of `tests` beside the centre policy; the
/// policy must then be refused, tests and all.
fn errors(tests: &str) -> Vec<String> {
    let (sources, checked) = checked(&with_tests(tests));
    assert!(checked.policy.is_none() && checked.tests.is_empty());
    shown(&sources, &checked)
}

#[test]
fn unknown_names_are_errors_with_suggestions() {
    let found = errors(
        r#"test "t" {
  anna may open main at 2026-11-23T09:00
  remote bob may open main at 2026-11-23T09:00
  ana may open mian at 2026-11-23T09:00
  guest "ak@exemple.com" may open r2 at 2026-05-07T17:00
  card 99999999999999999999 may not open main at 2026-11-23T09:00
}"#,
    );
    assert_eq!(
        found,
        [
            "policy.acl:40:3: E0214 unknown user `anna` (help: did you mean `ana`?)",
            "policy.acl:41:10: E0214 unknown user `bob` (help: declare a user named `bob`, or check the spelling)",
            "policy.acl:42:16: E0201 unknown door `mian` (help: did you mean `main`?)",
            "policy.acl:43:9: E0215 no appointment invites a guest `ak@exemple.com` (help: did you mean `ak@example.com`?)",
            "policy.acl:44:8: E0308 card number `99999999999999999999` does not fit in 64 bits (help: a card number is at most 18446744073709551615)",
        ]
    );
}

#[test]
fn reasons_must_exist_and_agree_with_may() {
    let found = errors(
        r#"test "t" {
  ana may not open r2 at 2026-11-23T09:00 because outside_shedule
  ana may open r2 at 2026-11-23T09:00 because outside_schedule
  ana may not open main at 2026-11-23T09:00 because granted
}"#,
    );
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found[0].starts_with(
            "policy.acl:40:51: E0315 unknown reason `outside_shedule` (help: did you mean \
         `outside_schedule`? the reasons that allow are `granted`, `appointment`, \
         `space_code`; those that deny are `unknown_door`,"
        ),
        "{found:#?}"
    );
    assert_eq!(
        found[1],
        "policy.acl:41:47: E0801 `outside_schedule` denies, but the expectation says `may` \
         (help: write `may not`, or a reason that allows: `granted`, `appointment`, `space_code`)"
    );
    assert!(found[2].starts_with(
        "policy.acl:42:53: E0801 `granted` allows, but the expectation says `may not` \
         (help: write `may`, or a reason that denies: `unknown_door`,"
    ));
}

#[test]
fn instants_must_exist_at_the_door_site() {
    let found = errors(
        r#"test "t" {
  ana may open main at 2026-02-30T09:00
  ana may open main at 2026-11-23T24:00+01:00
  ana may open main at 2026-11-23T09:00+19:00
  ana may open r2 at 2026-03-29T02:30
  ana may open r2 at 2026-10-25T02:30
  ana may open r2 at 2026-10-25T02:30+01:00
  ana may open nowhere at 2026-13-01T09:00
}"#,
    );
    let codes: Vec<&str> = found.iter().filter_map(|d| d.split(' ').nth(1)).collect();
    assert_eq!(
        codes,
        ["E0313", "E0313", "E0313", "E0314", "E0314", "E0201", "E0313"],
        "{found:#?}"
    );
    assert!(found[0].starts_with("policy.acl:40:24: E0313 `2026-02-30T09:00` is not an instant"));
    assert!(found[3]
        .contains("`2026-03-29T02:30` never happens at site `centre`: Europe/Paris skips it"));
    assert!(found[4].contains(
        "`2026-10-25T02:30` happens twice at site `centre`: Europe/Paris goes back over it \
         (help: write which one with its offset: `2026-10-25T02:30:00+02:00` or \
         `2026-10-25T02:30:00+01:00`)"
    ));
}

#[test]
fn a_group_is_not_a_door() {
    let text = r#"
site hq { timezone "UTC"  door a  door b  group both = a b }
account x { user u { card 1  allow both } }
test "t" { u may open both at 2026-01-01T00:00 }
"#;
    let (sources, checked) = checked(text);
    let found = shown(&sources, &checked);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("E0208 `both` is a group, not a door"),
        "{found:?}"
    );
}

#[test]
fn syntax_errors_in_a_test_are_reported_once_each() {
    let text = with_tests(
        r#"test "t" {
  ana may opn main at 2026-11-23T09:00
  ana may open main at 2026-11-23 09:00
  card 1 + card 2 may open main at 2026-11-23T09:00
  ana may open main at 2026-11-23T09:00
}
test "u" { guest <ak@example.com> may open r2 at 2026-05-07T17:00 }"#,
    );
    let (sources, checked) = checked(&text);
    let found = shown(&sources, &checked);
    let codes: Vec<&str> = found.iter().filter_map(|d| d.split(' ').nth(1)).collect();
    assert_eq!(codes, ["E0103", "E0103", "E0107", "E0103"], "{found:#?}");
    assert!(
        found[1].contains("join the date and the time with `T`"),
        "{found:#?}"
    );
}
