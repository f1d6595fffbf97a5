//! `accessctl fmt`: rewriting in canonical form, atomically and keeping permissions;
//! `--check` and `--diff` writing nothing; files with syntax errors left untouched.

use std::fs;
use std::path::Path;

use crate::support::{self, fixtures, run_in};

fn messy_in(dir: &Path, name: &str) -> String {
    let text = fs::read_to_string(fixtures().join("fmt/messy.acl")).unwrap();
    fs::write(dir.join(name), &text).unwrap();
    text
}

#[test]
fn check_lists_the_file_with_its_first_changed_lines_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let before = messy_in(dir.path(), "messy.acl");
    let run = run_in(dir.path(), &["fmt", "--check", "messy.acl"]);
    assert_eq!(run.code, Some(1));
    insta::assert_snapshot!("check_messy", run.stdout);
    assert_eq!(
        fs::read_to_string(dir.path().join("messy.acl")).unwrap(),
        before
    );
}

#[test]
fn diff_prints_the_whole_unified_diff_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let before = messy_in(dir.path(), "messy.acl");
    let run = run_in(dir.path(), &["fmt", "--diff", "messy.acl"]);
    assert_eq!(run.code, Some(1));
    insta::assert_snapshot!("diff_messy", run.stdout);
    assert_eq!(
        fs::read_to_string(dir.path().join("messy.acl")).unwrap(),
        before
    );
}

#[test]
fn fmt_rewrites_in_canonical_form_keeping_permissions() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("policy")).unwrap();
    messy_in(&dir.path().join("policy"), "messy.acl");
    fs::copy(
        fixtures().join("valid/hq.acl"),
        dir.path().join("policy/hq.acl"),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::Permissions::from_mode(0o640);
        fs::set_permissions(dir.path().join("policy/messy.acl"), mode).unwrap();
    }
    let run = run_in(dir.path(), &["fmt", "policy"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "formatted policy/messy.acl\n2 files formatted: 1 reformatted\n"
    );
    let after = fs::read_to_string(dir.path().join("policy/messy.acl")).unwrap();
    insta::assert_snapshot!("messy_formatted", after);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = fs::metadata(dir.path().join("policy/messy.acl")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o640);
    }
    let names: Vec<String> = fs::read_dir(dir.path().join("policy"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
    let again = run_in(dir.path(), &["fmt", "--check", "policy"]);
    assert_eq!(again.code, Some(0));
    assert_eq!(again.stdout, "2 files checked: all in canonical form\n");
}

#[test]
fn a_file_with_syntax_errors_is_reported_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let broken = fs::read_to_string(fixtures().join("fmt/broken.acl")).unwrap();
    fs::write(dir.path().join("broken.acl"), &broken).unwrap();
    messy_in(dir.path(), "messy.acl");
    let run = run_in(dir.path(), &["fmt", "."]);
    assert_eq!(run.code, Some(1));
    insta::assert_snapshot!("broken_and_messy", run.stdout);
    assert_eq!(
        fs::read_to_string(dir.path().join("broken.acl")).unwrap(),
        broken
    );
}

#[test]
fn json_lists_every_file_with_its_status() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(fixtures().join("fmt/broken.acl"), dir.path().join("a.acl")).unwrap();
    messy_in(dir.path(), "b.acl");
    fs::copy(fixtures().join("valid/hq.acl"), dir.path().join("c.acl")).unwrap();
    let run = run_in(
        dir.path(),
        &["fmt", "--check", "--format", "json", ".", "missing"],
    );
    assert_eq!(run.code, Some(2), "a PATH that cannot be read wins");
    let document = run.json();
    assert_eq!(document["version"], 1);
    assert_eq!(document["check"], true);
    assert_eq!(document["changed"], 1);
    let files = document["files"].as_array().unwrap();
    let statuses: Vec<(&str, &str)> = files
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("./a.acl", "syntax_errors"),
            ("./b.acl", "would_reformat"),
            ("./c.acl", "unchanged"),
            ("missing", "failed"),
        ]
    );
    assert_eq!(files[0]["diagnostics"][0]["code"], "E0101");
    assert_eq!(files[0]["diagnostics"][0]["line"], 3);
    assert!(files[1]["diff"]
        .as_str()
        .unwrap()
        .starts_with("--- a/./b.acl\n"));
    assert_eq!(files[3]["error"]["code"], "E0705");
}

#[test]
fn every_example_is_canonical() {
    let run = support::run(&["fmt", "--check", "examples"]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
}

/// A policy of `users` users written in a hurry, about 46 bytes a user: big enough
/// that `fmt` takes a while over it.
fn big_messy_in(dir: &Path, name: &str, users: usize) -> String {
    let mut text = String::from("site hq {  timezone \"UTC\"\n    door main   # the lobby\n}\n");
    text.push_str("account acme {\n");
    for i in 0..users {
        text.push_str(&format!(
            "  user u{i}   {{ card {}   allow site hq }}\n",
            1000 + i
        ));
    }
    text.push_str("}\n");
    fs::write(dir.join(name), &text).unwrap();
    text
}

/// The temporary files of atomic writes in `dir`.
fn temporaries(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".accessctl-") && name.ends_with(".tmp"))
        .collect()
}

#[test]
fn a_temporary_file_left_by_a_killed_writer_is_swept_at_the_next_fmt() {
    let dir = tempfile::tempdir().unwrap();
    messy_in(dir.path(), "messy.acl");
    // What a writer killed an hour ago left: old, and nobody holds its lock.
    let stale = dir.path().join(".accessctl-Ab12Cd.tmp");
    fs::write(&stale, "site hq { door ma").unwrap();
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    // A writer at work: it holds the lock of its temporary file.
    let working = dir.path().join(".accessctl-Ef34Gh.tmp");
    let live = fs::File::create(&working).unwrap();
    live.lock().unwrap();
    // Not a temporary file of accessctl's, whatever its name says.
    let other = dir.path().join(".accessctl-notes.txt");
    fs::write(&other, "mine").unwrap();

    let run = run_in(dir.path(), &["fmt", "messy.acl"]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(
        !stale.exists(),
        "the killed writer's temporary file is swept"
    );
    assert!(
        working.exists(),
        "a live writer's temporary file is left alone"
    );
    assert!(other.exists());
    assert_eq!(temporaries(dir.path()), [".accessctl-Ef34Gh.tmp"]);
    drop(live);
}

/// A small random source for the kill points, seeded from the clock (the seed is
/// printed, so a failing run can be told apart).
fn kill_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let seed = u64::from(nanos) | 1;
    println!("kill seed {seed}");
    seed
}

fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Spawns `fmt big.acl` in `dir` and kills it with SIGKILL: either a moment after its
/// temporary file appeared (`in_write`), or after a random time.
fn kill_fmt(dir: &Path, in_write: bool, random: &mut u64) {
    use std::time::{Duration, Instant};
    let left_before = temporaries(dir);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_accessctl"))
        .current_dir(dir)
        .args(["fmt", "big.acl"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    if in_write {
        let writing = || temporaries(dir).iter().any(|t| !left_before.contains(t));
        while !writing() && started.elapsed() < Duration::from_secs(10) {
            if child.try_wait().unwrap().is_some() {
                return;
            }
        }
        std::thread::sleep(Duration::from_micros(next(random) % 3000));
    } else {
        std::thread::sleep(Duration::from_millis(next(random) % 600));
    }
    let _ = child.kill();
    child.wait().unwrap();
}

#[test]
fn a_killed_fmt_leaves_the_old_or_the_new_text_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let old = big_messy_in(dir.path(), "big.acl", 30_000);
    let formatted = tempfile::tempdir().unwrap();
    big_messy_in(formatted.path(), "big.acl", 30_000);
    assert_eq!(run_in(formatted.path(), &["fmt", "big.acl"]).code, Some(0));
    let new = fs::read_to_string(formatted.path().join("big.acl")).unwrap();
    let mut random = kill_seed();
    for round in 0..8 {
        fs::write(dir.path().join("big.acl"), &old).unwrap();
        kill_fmt(dir.path(), round % 2 == 0, &mut random);
        let text = fs::read_to_string(dir.path().join("big.acl")).unwrap();
        assert!(text == old || text == new, "round {round}: a partial file");
    }
    let run = run_in(dir.path(), &["fmt", "big.acl"]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert_eq!(fs::read_to_string(dir.path().join("big.acl")).unwrap(), new);
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
}

/// How many bytes process `pid` has read so far (Linux's `/proc/PID/io`).
#[cfg(target_os = "linux")]
fn bytes_read(pid: u32) -> u64 {
    let io = fs::read_to_string(format!("/proc/{pid}/io")).unwrap_or_default();
    io.lines()
        .find_map(|line| line.strip_prefix("rchar: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(target_os = "linux")]
#[test]
fn a_fmt_that_loses_a_race_says_the_file_changed_and_writes_nothing() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let old = big_messy_in(dir.path(), "big.acl", 30_000);
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_accessctl"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["fmt", "big.acl"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once fmt has read the file, and while it formats it, someone else saves theirs.
    let started = Instant::now();
    while bytes_read(child.id()) < old.len() as u64 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "fmt never read it"
        );
    }
    let theirs = "site hq {\n  timezone \"UTC\"\n  door main\n}\n";
    fs::write(dir.path().join("theirs.tmp"), theirs).unwrap();
    fs::rename(dir.path().join("theirs.tmp"), dir.path().join("big.acl")).unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains(
            "`big.acl` changed while it was being formatted; nothing was written: run fmt again"
        ),
        "{stderr}"
    );
    assert!(
        stdout.contains("1 changed while being formatted"),
        "{stdout}"
    );
    assert!(!stdout.contains("not readable or writable"), "{stdout}");
    assert_eq!(
        fs::read_to_string(dir.path().join("big.acl")).unwrap(),
        theirs
    );
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
}
