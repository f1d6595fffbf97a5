//! Every exit code of every command (BRIEF §6): 0 success, 1 a negative answer, 2 a
//! usage error, unreadable input or an I/O failure.

use std::fs;

use crate::support::{fixtures, run, run_in, Run};

const VALID: &str = "valid/hq.acl";
const AT: &str = "2026-11-23T09:00";

fn in_fixtures(args: &[&str]) -> Run {
    run_in(&fixtures(), args)
}

fn assert_code(run: &Run, code: i32) {
    assert_eq!(
        run.code,
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
}

// ---------------------------------------------------------------------------------
// The tool itself

#[test]
fn help_and_version_exit_0() {
    for args in [&["--help"][..], &["--version"], &["validate", "--help"]] {
        let run = in_fixtures(args);
        assert_code(&run, 0);
        assert!(!run.stdout.is_empty());
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["frobnicate"],
        &["validate"],
        &["validate", "--format", "xml", VALID],
        &["fmt"],
        &["fmt", "--format", "github", VALID],
        &["check", "--policy", VALID, "--door", "main"],
        &["check", "--door", "main", "--user", "ana"],
        &[
            "check", "--policy", VALID, "--door", "main", "--user", "ana", "--card", "42",
        ],
        &[
            "check", "--policy", VALID, "--door", "main", "--remote", "ana", "--pin", "1",
        ],
        &[
            "check",
            "--policy",
            VALID,
            "--door",
            "main",
            "--card",
            "forty-two",
        ],
        &[
            "check", "--policy", VALID, "--door", "main", "--user", "ana", "--at", "noon",
        ],
        &["who-can", "--policy", VALID],
        &[
            "what-can",
            "--policy",
            VALID,
            "--user",
            "ana",
            "--at",
            "2026-13-01T09:00",
        ],
    ] {
        let run = in_fixtures(args);
        assert_code(&run, 2);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
        assert!(!run.stderr.is_empty(), "{args:?}");
    }
}

// ---------------------------------------------------------------------------------
// validate

#[test]
fn validate_exits_0_on_a_valid_policy_even_with_warnings() {
    let run = in_fixtures(&["validate", VALID]);
    assert_code(&run, 0);
    assert_eq!(
        run.stdout,
        "valid/hq.acl: 1 file, 1 site, 2 doors, 2 users, 0 tests — valid\n"
    );
    let run = in_fixtures(&["validate", "diagnostics/w0101_w0102_warnings.acl"]);
    assert_code(&run, 0);
    assert!(
        run.stdout.ends_with("— valid (2 warnings)\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn validate_exits_1_on_an_invalid_policy_in_every_format() {
    for format in ["human", "json", "github"] {
        let run = in_fixtures(&[
            "validate",
            "--format",
            format,
            VALID,
            "diagnostics/e0201_unknown_door.acl",
        ]);
        assert_code(&run, 1);
    }
}

#[test]
fn validate_exits_2_when_a_path_gives_no_policy() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("empty")).unwrap();
    fs::write(dir.path().join("notes.txt"), "site").unwrap();
    fs::write(dir.path().join("latin1.acl"), b"site caf\xe9 {}").unwrap();
    fs::copy(fixtures().join(VALID), dir.path().join("ok.acl")).unwrap();
    for (path, message) in [
        ("missing", "cannot read `missing`"),
        ("empty", "`empty` holds no `.acl` file"),
        ("notes.txt", "`notes.txt` is not an `.acl` file"),
        ("latin1.acl", "`latin1.acl` is not UTF-8 text"),
    ] {
        let run = run_in(dir.path(), &["validate", "ok.acl", path]);
        assert_code(&run, 2);
        assert!(run.stderr.contains("error[E0705]"), "{}", run.stderr);
        assert!(run.stderr.contains(message), "{}", run.stderr);
        assert!(
            run.stdout.contains("ok.acl: 1 file"),
            "the other PATH is still checked"
        );
        let json = run_in(dir.path(), &["validate", "--format", "json", path]);
        assert_code(&json, 2);
        assert_eq!(json.json()["policies"][0]["error"]["code"], "E0705");
        let github = run_in(dir.path(), &["validate", "--format", "github", path]);
        assert_code(&github, 2);
        assert!(github.stdout.starts_with("::error title=E0705::"));
    }
}

// ---------------------------------------------------------------------------------
// fmt

#[test]
fn fmt_exits_0_when_everything_is_canonical() {
    assert_code(&in_fixtures(&["fmt", "--check", VALID]), 0);
    assert_code(&in_fixtures(&["fmt", VALID]), 0);
    assert_code(&run(&["fmt", "--check", "examples"]), 0);
}

#[test]
fn fmt_exits_1_for_changes_to_make_or_syntax_errors() {
    assert_code(&in_fixtures(&["fmt", "--check", "fmt/messy.acl"]), 1);
    assert_code(&in_fixtures(&["fmt", "--diff", "fmt/messy.acl"]), 1);
    assert_code(&in_fixtures(&["fmt", "--check", "fmt/broken.acl"]), 1);
    let dir = tempfile::tempdir().unwrap();
    fs::copy(fixtures().join("fmt/broken.acl"), dir.path().join("b.acl")).unwrap();
    assert_code(&run_in(dir.path(), &["fmt", "b.acl"]), 1);
}

#[test]
fn fmt_exits_0_after_rewriting() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(fixtures().join("fmt/messy.acl"), dir.path().join("m.acl")).unwrap();
    assert_code(&run_in(dir.path(), &["fmt", "m.acl"]), 0);
    assert_code(&run_in(dir.path(), &["fmt", "--check", "m.acl"]), 0);
}

#[test]
fn fmt_exits_2_on_unreadable_or_unwritable_files() {
    let dir = tempfile::tempdir().unwrap();
    assert_code(&run_in(dir.path(), &["fmt", "missing.acl"]), 2);
    assert_code(&run_in(dir.path(), &["fmt", "--check", "."]), 2);
    let path = dir.path().join("m.acl");
    fs::copy(fixtures().join("fmt/messy.acl"), &path).unwrap();
    let mut permissions = fs::metadata(&path).unwrap().permissions();
    permissions.set_readonly(true);
    fs::set_permissions(&path, permissions).unwrap();
    let run = run_in(dir.path(), &["fmt", "m.acl"]);
    assert_code(&run, 2);
    assert!(
        run.stderr.contains("`m.acl` is read-only"),
        "{}",
        run.stderr
    );
    let json = run_in(dir.path(), &["fmt", "--format", "json", "m.acl"]);
    assert_code(&json, 2);
    assert_eq!(json.json()["files"][0]["status"], "failed");
    assert_eq!(json.json()["files"][0]["error"]["kind"], "edit_failed");
}

// ---------------------------------------------------------------------------------
// check, who-can, what-can

#[test]
fn check_exits_0_when_allowed_and_1_when_denied() {
    let base = ["check", "--policy", VALID, "--door", "main"];
    let allowed = in_fixtures(&[&base[..], &["--user", "ana", "--at", AT]].concat());
    assert_code(&allowed, 0);
    let denied = in_fixtures(&[&base[..], &["--user", "ana", "--at", "2026-11-22T09:00"]].concat());
    assert_code(&denied, 1);
    let unknown_card = in_fixtures(&[&base[..], &["--card", "7", "--at", AT]].concat());
    assert_code(&unknown_card, 1);
    assert!(unknown_card
        .stdout
        .starts_with("denied: unknown_credential"));
}

#[test]
fn queries_exit_2_on_unknown_names_with_a_suggestion() {
    for (args, message, help) in [
        (
            &[
                "check", "--policy", VALID, "--door", "mian", "--user", "ana",
            ][..],
            "unknown door `mian`",
            "did you mean `main`?",
        ),
        (
            &[
                "check", "--policy", VALID, "--door", "main", "--user", "anna",
            ],
            "unknown user `anna`",
            "did you mean `ana`?",
        ),
        (
            &[
                "check", "--policy", VALID, "--door", "main", "--remote", "boob",
            ],
            "unknown user `boob`",
            "did you mean `bob`?",
        ),
        (
            &["who-can", "--policy", VALID, "--door", "lba"],
            "unknown door `lba`",
            "did you mean `lab`?",
        ),
        (
            &["what-can", "--policy", VALID, "--user", "aan"],
            "unknown user `aan`",
            "did you mean `ana`?",
        ),
    ] {
        let run = in_fixtures(args);
        assert_code(&run, 2);
        assert!(run.stderr.contains(message), "{}", run.stderr);
        assert!(run.stderr.contains(help), "{}", run.stderr);
        let json = in_fixtures(&[args, &["--format", "json"]].concat());
        assert_code(&json, 2);
        let error = &json.json()["error"];
        assert_eq!(error["message"], message);
        assert_eq!(error["help"], help);
    }
}

#[test]
fn queries_exit_2_on_a_policy_with_errors_and_show_its_diagnostics() {
    let policy = "diagnostics/e0201_unknown_door.acl";
    for args in [
        &[
            "check", "--policy", policy, "--door", "main", "--user", "root",
        ][..],
        &["who-can", "--policy", policy, "--door", "main"],
        &["what-can", "--policy", policy, "--user", "root"],
    ] {
        let run = in_fixtures(args);
        assert_code(&run, 2);
        assert!(run.stderr.contains("error[E0201]"), "{}", run.stderr);
        assert!(run.stderr.contains("has 1 error and cannot be queried"));
        let json = in_fixtures(&[args, &["--format", "json"]].concat());
        assert_code(&json, 2);
        let document = json.json();
        assert_eq!(document["error"]["kind"], "invalid_policy");
        assert_eq!(document["diagnostics"][0]["code"], "E0201");
    }
}

#[test]
fn queries_exit_2_on_a_missing_policy_or_an_instant_the_zone_skips() {
    for args in [
        &[
            "check", "--policy", "nope", "--door", "main", "--user", "ana",
        ][..],
        &["who-can", "--policy", "nope", "--door", "main"],
        &["what-can", "--policy", "nope", "--user", "ana"],
    ] {
        let run = in_fixtures(args);
        assert_code(&run, 2);
        assert!(run.stderr.contains("error[E0705]: cannot read `nope`"));
    }
    // 2026-03-29 02:30 never happens in Paris.
    for args in [
        &[
            "check", "--policy", VALID, "--door", "main", "--user", "ana",
        ][..],
        &["who-can", "--policy", VALID, "--door", "main"],
        &["what-can", "--policy", VALID, "--user", "ana"],
    ] {
        let run = in_fixtures(&[args, &["--at", "2026-03-29T02:30"]].concat());
        assert_code(&run, 2);
        assert!(run.stderr.contains("the clocks skip it"), "{}", run.stderr);
    }
}

#[test]
fn who_can_and_what_can_exit_0_even_when_nobody_or_nothing_opens() {
    let run = in_fixtures(&[
        "who-can",
        "--policy",
        VALID,
        "--door",
        "lab",
        "--at",
        "2026-11-22T03:00",
    ]);
    assert_code(&run, 0);
    let run = in_fixtures(&[
        "what-can",
        "--policy",
        VALID,
        "--user",
        "ana",
        "--at",
        "2026-11-22T03:00",
    ]);
    assert_code(&run, 0);
    assert!(run.stdout.ends_with("doors: none\n"), "{}", run.stdout);
}

#[test]
fn at_defaults_to_now() {
    let run = in_fixtures(&[
        "check", "--policy", VALID, "--door", "main", "--user", "bob",
    ]);
    assert_code(&run, 0);
    assert_code(
        &in_fixtures(&["who-can", "--policy", VALID, "--door", "main"]),
        0,
    );
    assert_code(
        &in_fixtures(&["what-can", "--policy", VALID, "--user", "bob"]),
        0,
    );
}
