//! `accessctl test`: every example's expectations pass (and `validate` counts them);
//! failures are located, explained and counted; secrets stay hidden; exit codes 0, 1
//! and 2.

use crate::support::{copy_dir, run, run_in, workspace};

const SITE: &str = r#"site hq {
  timezone "Europe/Paris"
  door main
}

schedule office {
  mon..fri 08:00-19:00
}

account acme {
  user ana "Ana" {
    card 42
    schedule office
    allow main
  }
}

test "office hours" {
  ana may open main at 2026-11-23T09:00
  ana may open main at 2026-11-23T20:00
  card 42 may not open main at 2026-11-22T09:00 because outside_schedule
}
"#;

fn policy(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hq.acl"), text).unwrap();
    dir
}

/// The examples' directories, as `examples/NAME`, sorted.
fn examples() -> Vec<String> {
    let mut examples: Vec<String> = std::fs::read_dir(workspace().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| format!("examples/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    examples.sort();
    assert!(examples.len() >= 4);
    examples
}

#[test]
fn every_example_passes_its_tests() {
    for name in examples() {
        let out = run(&["test", &name]);
        assert_eq!(out.code, Some(0), "{name}:\n{}{}", out.stdout, out.stderr);
        let last = out.stdout.lines().last().unwrap();
        let passed = last
            .strip_suffix(" passed, 0 failed")
            .unwrap_or_else(|| panic!("{name}: {last}"));
        assert_ne!(passed, "0", "{name} has no tests");
        let validated = run(&["validate", &name]);
        assert!(
            validated
                .stdout
                .contains(&format!(", {passed} tests — valid")),
            "{name}: validate counts other tests than the {passed} run:\n{}",
            validated.stdout
        );
    }
}

#[test]
fn a_failing_expectation_is_located_explained_and_counted() {
    let dir = policy(SITE);
    let out = run_in(dir.path(), &["test", "hq.acl"]);
    assert_eq!(out.code, Some(1), "{}", out.stdout);
    let expected = "\
hq.acl:20:3: test \"office hours\": ana may open main at 2026-11-23T20:00+01:00
  expected allowed, got denied (outside_schedule: the user's schedule is closed)
    1. user ana of account acme
    2. through door main
    3. schedule office: closed
   |
20 |   ana may open main at 2026-11-23T20:00
   |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^

hq.acl: 2 passed, 1 failed
2 passed, 1 failed
";
    assert_eq!(out.stdout, expected);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}

#[test]
fn a_wrong_reason_fails_and_says_which_was_expected() {
    let dir = policy(&SITE.replace("because outside_schedule", "because door_closed"));
    let out = run_in(dir.path(), &["test", "hq.acl"]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stdout.contains("  expected denied because door_closed, got denied (outside_schedule: the user's schedule is closed)\n"),
        "{}",
        out.stdout
    );
    assert_eq!(out.stdout.lines().last(), Some("1 passed, 2 failed"));
}

#[test]
fn verbose_lists_the_passing_expectations() {
    let dir = policy(SITE);
    let out = run_in(dir.path(), &["test", "--verbose", "hq.acl"]);
    assert!(
        out.stdout.contains(
            "hq.acl:19:3: test \"office hours\": ana may open main at 2026-11-23T09:00+01:00\n  passed: allowed (granted: "
        ),
        "{}",
        out.stdout
    );
    let short = run_in(dir.path(), &["test", "-v", "hq.acl"]);
    assert_eq!(short.stdout, out.stdout);
    let quiet = run_in(dir.path(), &["test", "hq.acl"]);
    assert!(!quiet.stdout.contains("hq.acl:19:3"), "{}", quiet.stdout);
    assert!(!quiet.stdout.contains("hq.acl:21:3"), "{}", quiet.stdout);
}

#[test]
fn json_gives_each_result_and_totals_that_agree() {
    let dir = policy(SITE);
    std::fs::write(
        dir.path().join("quiet.acl"),
        &SITE[..SITE.find("test \"").unwrap()],
    )
    .unwrap();
    let out = run_in(
        dir.path(),
        &["test", "--format", "json", "hq.acl", "quiet.acl"],
    );
    assert_eq!(out.code, Some(1));
    let json = out.json();
    assert_eq!(json["version"], 1);
    let policies = json["policies"].as_array().unwrap();
    assert_eq!(policies.len(), 2);
    let results: Vec<&serde_json::Value> = policies
        .iter()
        .flat_map(|p| p["results"].as_array().unwrap())
        .collect();
    let passed = results.iter().filter(|r| r["passed"] == true).count() as u64;
    let failed = results.len() as u64 - passed;
    assert_eq!((passed, failed), (2, 1));
    assert_eq!(
        (json["passed"].as_u64(), json["failed"].as_u64()),
        (Some(passed), Some(failed))
    );
    assert_eq!(
        (
            policies[0]["passed"].as_u64(),
            policies[0]["failed"].as_u64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(policies[1]["results"].as_array().unwrap().len(), 0);
    let failure = &policies[0]["results"][1];
    assert_eq!(failure["file"], "hq.acl");
    assert_eq!(
        (failure["line"].as_u64(), failure["column"].as_u64()),
        (Some(20), Some(3))
    );
    assert_eq!(failure["title"], "office hours");
    assert_eq!(
        failure["expectation"],
        "ana may open main at 2026-11-23T20:00+01:00"
    );
    assert_eq!(failure["expected"], "allowed");
    assert_eq!(failure["decision"], "denied");
    assert_eq!(failure["reason"], "outside_schedule");
    assert_eq!(failure["passed"], false);
    assert_eq!(failure["steps"][2]["step"], "schedule");
    assert_eq!(failure["steps"][2]["text"], "schedule office: closed");
    assert_eq!(policies[0]["results"][2]["because"], "outside_schedule");
}

#[test]
fn secrets_in_expectations_are_never_printed() {
    let text = SITE
        .replace(
            "card 42\n",
            "card 42\n    pin \"482913\"\n    qr \"QR-SECRET\"\n",
        )
        .replace("card 42 may not", "card 42 + pin \"482913\" may not")
        .replace(
            "ana may open main at 2026-11-23T20:00",
            "qr \"QR-SECRET\" may open main at 2026-11-23T20:00",
        );
    let dir = policy(&text);
    for format in ["human", "json"] {
        let out = run_in(
            dir.path(),
            &["test", "--verbose", "--format", format, "hq.acl"],
        );
        assert_eq!(out.code, Some(1), "{}", out.stdout);
        for secret in ["482913", "QR-SECRET"] {
            assert!(!out.stdout.contains(secret), "{}", out.stdout);
        }
    }
    let out = run_in(dir.path(), &["test", "hq.acl"]);
    assert!(
        out.stdout
            .contains("22 |   qr \"…\" may open main at 2026-11-23T20:00\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn an_invalid_policy_fails_with_its_diagnostics() {
    let dir = policy(&SITE.replace("allow main", "allow mian"));
    let out = run_in(dir.path(), &["test", "hq.acl"]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stdout
            .starts_with("error[E0207]: unknown target `mian`"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("--> hq.acl:14:11"), "{}", out.stdout);
    assert!(out
        .stdout
        .contains("\nhq.acl: invalid (1 error), no test run\n"));
    assert_eq!(out.stdout.lines().last(), Some("0 passed, 0 failed"));

    let out = run_in(dir.path(), &["test", "--format", "json", "hq.acl"]);
    assert_eq!(out.code, Some(1));
    let json = out.json();
    assert_eq!(json["policies"][0]["valid"], false);
    assert_eq!(json["policies"][0]["diagnostics"][0]["code"], "E0207");
    assert_eq!(json["policies"][0]["diagnostics"][0]["line"], 14);
    assert_eq!(
        (json["passed"].as_u64(), json["failed"].as_u64()),
        (Some(0), Some(0))
    );
}

#[test]
fn a_policy_without_tests_says_so_and_counts_nothing() {
    let dir = policy(&SITE[..SITE.find("test \"").unwrap()]);
    let out = run_in(dir.path(), &["test", "hq.acl"]);
    assert_eq!(out.code, Some(0));
    assert_eq!(out.stdout, "hq.acl: no tests\n0 passed, 0 failed\n");
}

#[test]
fn a_missing_path_is_an_input_error_and_the_others_still_run() {
    let out = run(&["test", "no/such/policy"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("E0705"), "{}", out.stderr);
    let out = run(&["test"]);
    assert_eq!(out.code, Some(2));

    let out = run(&["test", "no/such/policy", "examples/sports-centre"]);
    assert_eq!(out.code, Some(2), "{}", out.stdout);
    assert!(out
        .stdout
        .contains("no/such/policy: unreadable, no test run\n"));
    assert!(out.stdout.contains("examples/sports-centre: "));
    assert!(out
        .stdout
        .lines()
        .last()
        .unwrap()
        .ends_with(" passed, 0 failed"));

    let out = run(&["test", "--format", "json", "no/such/policy"]);
    assert_eq!(out.code, Some(2));
    let json = out.json();
    assert_eq!(json["policies"][0]["error"]["kind"], "unreadable");
    assert_eq!(json["policies"][0]["error"]["code"], "E0705");
}

#[test]
fn several_policies_share_one_total() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &workspace().join("examples/sports-centre"),
        &dir.path().join("a"),
    );
    std::fs::write(dir.path().join("b.acl"), SITE).unwrap();
    let out = run_in(dir.path(), &["test", "a", "b.acl"]);
    assert_eq!(out.code, Some(1));
    let lines: Vec<&str> = out.stdout.lines().collect();
    let count = |line: &str, prefix: &str| -> u64 {
        let rest = line
            .strip_prefix(prefix)
            .unwrap_or_else(|| panic!("{line}"));
        rest.split(' ').next().unwrap().parse().unwrap()
    };
    let a = lines.iter().find(|l| l.starts_with("a: ")).unwrap();
    assert!(a.ends_with(" passed, 0 failed"), "{a}");
    assert!(lines.contains(&"b.acl: 2 passed, 1 failed"));
    let last = lines.last().unwrap();
    assert_eq!(count(last, ""), count(a, "a: ") + 2, "{last}");
    assert!(last.ends_with(" passed, 1 failed"), "{last}");
}
