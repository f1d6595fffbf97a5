//! `accessctl test`: every example's expectations pass; failures are located and
//! counted; exit codes 0, 1 and 2.

mod support;

use support::{copy_dir, run, run_in, workspace};

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

#[test]
fn every_example_passes_its_tests() {
    let mut examples: Vec<_> = std::fs::read_dir(workspace().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    examples.sort();
    assert!(examples.len() >= 4);
    for example in examples {
        let name = format!(
            "examples/{}",
            example.file_name().unwrap().to_string_lossy()
        );
        let out = run(&["test", &name]);
        assert_eq!(out.code, Some(0), "{name}:\n{}{}", out.stdout, out.stderr);
        let last = out.stdout.lines().last().unwrap();
        assert!(last.ends_with(" passed, 0 failed"), "{name}: {last}");
        assert_ne!(last, "0 passed, 0 failed", "{name} has no tests");
    }
}

#[test]
fn a_failing_expectation_is_located_explained_and_counted() {
    let dir = policy(SITE);
    let out = run_in(dir.path(), &["test", "hq.acl"]);
    assert_eq!(out.code, Some(1), "{}", out.stdout);
    assert!(
        out.stdout.contains("hq.acl:20:3: FAILED: test \"office hours\": ana may open main at 2026-11-23T20:00+01:00"),
        "{}",
        out.stdout
    );
    assert!(out
        .stdout
        .contains("expected allowed, got denied (outside_schedule"));
    assert!(out.stdout.contains("schedule office: closed"));
    assert!(
        !out.stdout.contains("hq.acl:22:3"),
        "passing ones are quiet"
    );
    assert_eq!(out.stdout.lines().last(), Some("2 passed, 1 failed"));
}

#[test]
fn verbose_lists_the_passing_expectations() {
    let dir = policy(SITE);
    let out = run_in(dir.path(), &["test", "--verbose", "hq.acl"]);
    assert!(
        out.stdout
            .contains("hq.acl:19:3: ok: test \"office hours\""),
        "{}",
        out.stdout
    );
}

#[test]
fn json_gives_each_result_and_the_totals() {
    let dir = policy(SITE);
    let out = run_in(dir.path(), &["test", "--format", "json", "hq.acl"]);
    assert_eq!(out.code, Some(1));
    let json = out.json();
    assert_eq!(
        (json["passed"].as_u64(), json["failed"].as_u64()),
        (Some(2), Some(1))
    );
    let results = json["policies"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[1]["line"], 20);
    assert_eq!(results[1]["reason"], "outside_schedule");
    assert_eq!(results[1]["passed"], false);
    assert_eq!(results[2]["expected"], "denied");
}

#[test]
fn secrets_in_expectations_are_never_printed() {
    let text = SITE
        .replace("card 42\n", "card 42\n    pin \"482913\"\n")
        .replace("card 42 may not", "card 42 + pin \"482913\" may not");
    let dir = policy(&text);
    for format in ["human", "json"] {
        let out = run_in(
            dir.path(),
            &["test", "--verbose", "--format", format, "hq.acl"],
        );
        assert!(!out.stdout.contains("482913"), "{}", out.stdout);
    }
}

#[test]
fn an_invalid_policy_fails_with_its_diagnostics() {
    let dir = policy(&SITE.replace("allow main", "allow mian"));
    let out = run_in(dir.path(), &["test", "hq.acl"]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("E0207"), "{}", out.stderr);
    assert!(out.stdout.contains("hq.acl: invalid policy, no test run"));
    assert_eq!(out.stdout.lines().last(), Some("0 passed, 0 failed"));
}

#[test]
fn a_policy_without_tests_says_so() {
    let dir = policy(&SITE[..SITE.find("test \"").unwrap()]);
    let out = run_in(dir.path(), &["test", "hq.acl"]);
    assert_eq!(out.code, Some(0));
    assert!(out.stdout.contains("hq.acl: no tests"));
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let out = run(&["test", "no/such/policy"]);
    assert_eq!(out.code, Some(2));
    let out = run(&["test"]);
    assert_eq!(out.code, Some(2));
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
    let last = out.stdout.lines().last().unwrap();
    assert!(last.ends_with(" passed, 1 failed"), "{last}");
}
