//! The sports-centre example (the Neop seed) end to end: its locks are connected
//! doors that decide online, whose memory keeps the space codes and the credentials
//! of users with offline access (the manager alone), within each door's capacity.

use crate::support::{copy_dir, run, run_in, workspace};

const POLICY: &str = "examples/sports-centre";

/// Monday 2026-03-16, within the members' season and hours.
const MONDAY_18: &str = "2026-03-16T18:00";

#[test]
fn members_open_online_and_are_refused_during_an_outage() {
    let ask = |extra: &[&str]| {
        let args = [
            &["check", "--policy", POLICY, "--door", "court_2", "--user"][..],
            &["membre_julie", "--at", MONDAY_18, "--format", "json"],
            extra,
        ]
        .concat();
        run(&args)
    };
    let online = ask(&[]);
    assert_eq!(online.code, Some(0), "{}", online.stdout);
    assert_eq!(online.json()["reason"], "granted");
    let outage = ask(&["--offline"]);
    assert_eq!(outage.code, Some(1), "{}", outage.stdout);
    assert_eq!(outage.json()["reason"], "offline_not_allowed");
}

#[test]
fn the_space_code_opens_its_space_during_an_outage() {
    let args = [
        "check",
        "--policy",
        POLICY,
        "--door",
        "vestiaires",
        "--pin",
        "739154",
        "--at",
        MONDAY_18,
        "--offline",
    ];
    let out = run(&args);
    assert_eq!(out.code, Some(0), "{}", out.stdout);
    assert!(
        out.stdout.starts_with("allowed: space_code"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("739154"), "{}", out.stdout);
}

/// `(door, space codes its lock keeps, capacity)`: every lock keeps its space's codes
/// and the manager's three credentials (card, PIN, mobile key), nothing of the members.
const LOCKS: [(&str, u64, u64); 7] = [
    ("court_1", 2, 500),
    ("court_2", 2, 500),
    ("vestiaires", 1, 1000),
    ("padel_1", 1, 300),
    ("padel_2", 1, 300),
    ("club_entree", 1, 2000),
    ("caisse", 0, 50),
];

#[test]
fn each_lock_memory_keeps_the_space_codes_and_the_manager_within_its_capacity() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&workspace().join(POLICY), &dir.path().join("policy"));
    let init = run_in(dir.path(), &["keys", "init", "--policy", "policy"]);
    assert_eq!(init.code, Some(0), "{}", init.stderr);
    for (door, space_codes, capacity) in LOCKS {
        let file = format!("{door}.img");
        let args = [
            "lock", "image", "--policy", "policy", "--door", door, "-o", &file, "--at", MONDAY_18,
            "--format", "json",
        ];
        let out = run_in(dir.path(), &args);
        assert_eq!(out.code, Some(0), "{door}: {}{}", out.stdout, out.stderr);
        let image = out.json();
        assert_eq!(image["capacity"], capacity, "{door}");
        let counts = &image["image"]["counts"];
        assert_eq!(counts["space_codes"], space_codes, "{door}: {counts}");
        assert_eq!(counts["credentials"], 3, "{door}: {counts}");
        assert_eq!(counts["holders"], 1, "{door}: {counts}");
        assert!(counts["entries"].as_u64().unwrap() <= capacity, "{door}");
    }
}
