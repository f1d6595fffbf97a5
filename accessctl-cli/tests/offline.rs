//! The offline commands end to end: `keys init`, `codes issue|verify`, `lock
//! image|inspect`, `key encode|status`, on copies of a shipped example and of a small
//! fixture made in a temporary directory (so that key stores are created there). Every
//! output is checked never to show a key of the store.

use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::support::{copy_dir, run_in, workspace, Run};

/// Monday 2026-11-23, 09:00 in London (UTC+00:00).
const MONDAY_9: &str = "2026-11-23T09:00";

/// One site, a door whose lock holds one entry, two users with offline access.
const SMALL: &str = r#"site hq {
  timezone "Europe/Paris"
  keystore "hq.keys"
  door store {
    offline
    capacity 1
  }
  door main
  door annexe {
    offline
    capacity 10
  }
}

account acme {
  user ana "Ana" {
    card 42
    offline
    allow store main annexe
  }
  user bob "Bob" {
    card 43
    offline
    allow store
  }
}
"#;

/// A temporary directory holding a policy, where every run is recorded so that its
/// outputs can be searched for key material.
struct Bench {
    dir: TempDir,
    runs: Vec<Run>,
}

impl Bench {
    /// A copy of `examples/flex-office` (two sites, one key store) as `policy/`.
    fn flex_office() -> Bench {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(
            &workspace().join("examples/flex-office"),
            &dir.path().join("policy"),
        );
        Bench {
            dir,
            runs: Vec::new(),
        }
    }

    /// [`SMALL`] as `policy/site.acl`.
    fn small() -> Bench {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("policy")).unwrap();
        fs::write(dir.path().join("policy/site.acl"), SMALL).unwrap();
        Bench {
            dir,
            runs: Vec::new(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs the binary in the directory; returns (a copy of) what it gave.
    fn run(&mut self, args: &[&str]) -> &Run {
        let run = run_in(self.dir.path(), args);
        self.runs.push(run);
        self.runs.last().unwrap()
    }

    /// `keys init`, which must succeed.
    fn init(&mut self) -> &mut Bench {
        let run = self.run(&["keys", "init", "--policy", "policy"]);
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        self
    }

    /// Rewrites the policy file `file` by replacing `from` with `to`.
    fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.path(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{from}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    /// Checks that no output shows a key of the store at `store`.
    fn assert_no_key_shown(&self, store: &str) {
        let keys = store_keys(&self.path(store));
        assert!(!keys.is_empty());
        for run in &self.runs {
            for key in &keys {
                assert!(!run.stdout.contains(key.as_str()), "{}", run.stdout);
                assert!(!run.stderr.contains(key.as_str()), "{}", run.stderr);
                let upper = key.to_uppercase();
                assert!(!run.stdout.contains(&upper) && !run.stderr.contains(&upper));
            }
        }
    }
}

impl Drop for Bench {
    /// Every bench ends with the check that no output showed a key.
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        for store in ["policy/flex-office.keys", "policy/hq.keys"] {
            if self.path(store).exists() {
                self.assert_no_key_shown(store);
            }
        }
    }
}

/// The hexadecimal keys of a store file.
fn store_keys(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|line| line.strip_prefix("key = \""))
        .map(|rest| rest.trim_end_matches('"').to_owned())
        .collect()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
#[test]
fn keys_init_creates_a_private_store_and_refuses_a_second_time() {
    let mut bench = Bench::flex_office();
    let run = bench.run(&["keys", "init", "--policy", "policy"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "created policy/flex-office.keys (mode 0600): 2 site keys (clerkenwell, flatiron)\n\
         2 site keys in 1 key store; keys are never printed: keep the files private and out of \
         version control\n"
    );
    let store = bench.path("policy/flex-office.keys");
    assert_eq!(mode(&store), 0o600);
    let text = fs::read_to_string(&store).unwrap();
    assert!(text.contains("version = 1\n"), "{text}");
    assert!(text.contains("[sites.clerkenwell]\n") && text.contains("[sites.flatiron]\n"));
    assert_eq!(store_keys(&store).len(), 2);

    let run = bench.run(&["keys", "init", "--policy", "policy"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains("`policy/flex-office.keys` already exists"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(&store).unwrap(), text, "left as it was");

    let args = [
        "keys", "init", "--policy", "policy", "--force", "--format", "json",
    ];
    let run = bench.run(&args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let answer = run.json();
    assert_eq!(answer["sites"], 2);
    assert_eq!(answer["stores"][0]["path"], "policy/flex-office.keys");
    assert_eq!(answer["stores"][0]["replaced"], true);
    assert_ne!(fs::read_to_string(&store).unwrap(), text, "fresh keys");
    assert_eq!(mode(&store), 0o600);
}

#[test]
fn a_site_without_a_key_store_is_named_and_keystore_overrides() {
    let mut bench = Bench::small();
    bench.edit("policy/site.acl", "  keystore \"hq.keys\"\n", "");
    let run = bench.run(&["keys", "init", "--policy", "policy", "--format", "json"]);
    assert_eq!(run.code, Some(2));
    assert_eq!(run.json()["error"]["kind"], "no_keystore");
    let args = [
        "keys",
        "init",
        "--policy",
        "policy",
        "--keystore",
        "elsewhere.keys",
    ];
    let run = bench.run(&args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(bench.path("elsewhere.keys").exists());
    let args = [
        "lock",
        "image",
        "--policy",
        "policy",
        "--door",
        "annexe",
        "-o",
        "a.img",
        "--keystore",
        "elsewhere.keys",
    ];
    assert_eq!(bench.run(&args).code, Some(0));
}

#[cfg(unix)]
#[test]
fn a_store_other_users_can_read_is_refused_with_the_fix() {
    let mut bench = Bench::small();
    bench.init();
    set_mode(&bench.path("policy/hq.keys"), 0o644);
    let args = [
        "codes", "issue", "--policy", "policy", "--door", "store", "--for", "2h",
    ];
    let run = bench.run(&args);
    assert_eq!(run.code, Some(2));
    assert!(run.stdout.is_empty(), "no code without a private store");
    assert!(run.stderr.contains("`policy/hq.keys`"), "{}", run.stderr);
    assert!(run.stderr.contains("other users"), "{}", run.stderr);
    assert!(
        run.stderr.contains("chmod 600 policy/hq.keys"),
        "{}",
        run.stderr
    );
    let run = bench.run(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(run.code, Some(2));
    assert_eq!(run.json()["error"]["kind"], "keystore_exposed");
    set_mode(&bench.path("policy/hq.keys"), 0o600);
    assert_eq!(bench.run(&args).code, Some(0));
}

/// Issues a code for `door` and returns its digits.
fn issue(bench: &mut Bench, door: &str, extra: &[&str]) -> (String, serde_json::Value) {
    let args = [
        &[
            "codes", "issue", "--policy", "policy", "--door", door, "--format", "json",
        ][..],
        extra,
    ]
    .concat();
    let run = bench.run(&args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let answer = run.json();
    (answer["code"].as_str().unwrap().to_owned(), answer)
}

fn verify<'a>(bench: &'a mut Bench, door: &str, code: &str, at: &str) -> &'a Run {
    let args = [
        "codes", "verify", "--policy", "policy", "--door", door, "--code", code, "--at", at,
        "--format", "json",
    ];
    bench.run(&args)
}

#[test]
fn an_issued_code_opens_its_door_within_its_window_only() {
    let mut bench = Bench::flex_office();
    bench.init();
    let (code, answer) = issue(
        &mut bench,
        "ldn_bikes",
        &["--from", "2026-11-23T09:30", "--for", "90m", "--once"],
    );
    assert_eq!(code.len(), 10);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(answer["once"], true);
    assert_eq!(answer["hours"], 2);
    assert_eq!(answer["window"]["start"], "2026-11-23T09:00:00+00:00");
    assert_eq!(answer["window"]["end"], "2026-11-23T11:00:00+00:00");
    assert_eq!(answer["window"]["start_utc"], "2026-11-23T09:00:00Z");
    assert_eq!(answer["window"]["timezone"], "Europe/London");
    assert_eq!(answer["door"]["site"], "clerkenwell");

    let run = verify(&mut bench, "ldn_bikes", &code, "2026-11-23T10:00");
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    let answer = run.json();
    assert_eq!(answer["accepted"], true);
    assert_eq!(answer["window"]["end"], "2026-11-23T11:00:00+00:00");
    assert!(!run.stdout.contains(&code), "verify never echoes the code");

    for (at, refusal) in [
        ("2026-11-23T08:00", "not_yet_valid"),
        ("2026-11-23T12:00", "expired"),
    ] {
        let run = verify(&mut bench, "ldn_bikes", &code, at);
        assert_eq!(run.code, Some(1), "{at}");
        assert_eq!(run.json()["refusal"], refusal);
    }
    let run = verify(&mut bench, "ldn_street", &code, "2026-11-23T10:00");
    assert_eq!(run.code, Some(1));
    assert_eq!(run.json()["refusal"], "wrong_code");
    let run = verify(&mut bench, "ldn_bikes", "12345", "2026-11-23T10:00");
    assert_eq!(run.json()["refusal"], "mistyped");
}

#[test]
fn codes_are_shown_for_people_with_their_window() {
    let mut bench = Bench::flex_office();
    bench.init();
    let args = [
        "codes",
        "issue",
        "--policy",
        "policy",
        "--door",
        "ldn_bikes",
        "--from",
        MONDAY_9,
        "--for",
        "3d",
    ];
    let run = bench.run(&args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.starts_with("code:    "), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "window:  2026-11-23T09:00:00+00:00 → 2026-11-26T09:00:00+00:00 (Europe/London)"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("(UTC)"), "{}", run.stdout);
    let code = run.stdout.lines().next().unwrap()["code:    ".len()..].to_owned();
    let run = bench.run(&[
        "codes",
        "verify",
        "--policy",
        "policy",
        "--door",
        "ldn_bikes",
        "--code",
        &code,
        "--at",
        "2026-11-25T23:00",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert!(run.stdout.starts_with("accepted: "), "{}", run.stdout);
}

#[test]
fn codes_that_the_scheme_cannot_give_are_usage_errors() {
    let mut bench = Bench::small();
    bench.init();
    let base = [
        "codes", "issue", "--policy", "policy", "--door", "store", "--format", "json",
    ];
    let too_long = bench.run(&[&base[..], &["--for", "500d"]].concat());
    assert_eq!(too_long.code, Some(2));
    assert_eq!(too_long.json()["error"]["kind"], "cannot_issue");
    let variant = bench.run(&[&base[..], &["--for", "2h", "--once", "--variant", "9"]].concat());
    assert_eq!(variant.code, Some(2));
    assert!(bench.run(&[&base[..], &["--for", "2y"]].concat()).code == Some(2));
}

#[test]
fn a_lock_image_is_written_then_inspected_and_authenticated() {
    let mut bench = Bench::flex_office();
    bench.init();
    let args = [
        "lock",
        "image",
        "--policy",
        "policy",
        "--door",
        "ldn_bikes",
        "-o",
        "bikes.img",
        "--at",
        MONDAY_9,
        "--format",
        "json",
    ];
    let run = bench.run(&args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let built = run.json();
    assert_eq!(built["built"], true);
    assert_eq!(built["file"], "bikes.img");
    let size = fs::metadata(bench.path("bikes.img")).unwrap().len();
    assert_eq!(built["image"]["bytes"], size);
    assert_eq!(built["image"]["issued"], "2026-11-23T09:00:00+00:00");

    let run = bench.run(&["lock", "inspect", "bikes.img", "--format", "json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let inspected = run.json();
    assert_eq!(inspected["image"]["door"], "ldn_bikes");
    assert_eq!(inspected["image"]["counts"], built["image"]["counts"]);
    assert_eq!(inspected["image"]["bytes"], size);
    assert_eq!(inspected["authentic"], serde_json::Value::Null);

    let with_key = ["lock", "inspect", "bikes.img", "--policy", "policy"];
    let run = bench.run(&with_key);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.contains("lock image of door ldn_bikes"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("authentic: yes"), "{}", run.stdout);

    // One byte of the tag changed: still readable, no longer authentic.
    let mut bytes = fs::read(bench.path("bikes.img")).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    fs::write(bench.path("forged.img"), &bytes).unwrap();
    let run = bench.run(&["lock", "inspect", "forged.img", "--policy", "policy"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stdout.contains("authentic: NO"), "{}", run.stdout);

    fs::write(bench.path("junk.img"), b"not an image").unwrap();
    let run = bench.run(&["lock", "inspect", "junk.img", "--format", "json"]);
    assert_eq!(run.code, Some(2));
    assert_eq!(run.json()["error"]["kind"], "invalid_image");
}

#[test]
fn a_door_over_its_capacity_gets_no_image() {
    let mut bench = Bench::small();
    bench.init();
    let args = [
        "lock",
        "image",
        "--policy",
        "policy",
        "--door",
        "store",
        "-o",
        "store.img",
    ];
    let run = bench.run(&args);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stdout
            .contains("door `store` needs 2 entries in its lock memory, beyond its capacity of 1"),
        "{}",
        run.stdout
    );
    assert!(!bench.path("store.img").exists());
    let run = bench.run(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(run.code, Some(1));
    let answer = run.json();
    assert_eq!(answer["built"], false);
    assert_eq!(answer["refusal"], "over_capacity");
    assert_eq!(answer["door"]["name"], "store");
    assert_eq!(answer["count"], 2);
    assert_eq!(answer["capacity"], 1);
}

/// Encodes ana's card key into `ana.key`, issued on Monday, expiring at year end.
fn encode_ana(bench: &mut Bench) {
    let args = [
        "key",
        "encode",
        "--policy",
        "policy",
        "--user",
        "ana",
        "--at",
        "2026-11-23T09:00",
        "--expires",
        "2026-12-31T00:00",
        "-o",
        "ana.key",
        "--format",
        "json",
    ];
    let run = bench.run(&args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let answer = run.json();
    assert_eq!(answer["user"], "ana");
    assert_eq!(answer["site"], "hq");
    assert_eq!(answer["doors"], 3);
    assert_eq!(
        answer["bytes"],
        fs::metadata(bench.path("ana.key")).unwrap().len()
    );
}

fn status<'a>(bench: &'a mut Bench, user: &str, at: &str) -> &'a Run {
    let args = [
        "key", "status", "--policy", "policy", "--user", user, "--image", "ana.key", "--at", at,
        "--format", "json",
    ];
    bench.run(&args)
}

#[test]
fn a_card_key_is_up_to_date_then_needs_an_update_then_a_reedition() {
    let mut bench = Bench::small();
    bench.init();
    encode_ana(&mut bench);
    let run = status(&mut bench, "ana", "2026-11-24T09:00");
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert_eq!(run.json()["status"], "up_to_date");

    bench.edit(
        "policy/site.acl",
        "allow store main annexe",
        "allow store annexe",
    );
    let run = status(&mut bench, "ana", "2026-11-24T09:00");
    assert_eq!(run.code, Some(1));
    let answer = run.json();
    assert_eq!(answer["status"], "update_required");
    assert_eq!(answer["changes"], serde_json::json!(["doors"]));

    bench.edit("policy/site.acl", "card 42\n    offline\n", "card 42\n");
    let run = status(&mut bench, "ana", "2026-11-24T09:00");
    assert_eq!(run.code, Some(1));
    let answer = run.json();
    assert_eq!(answer["status"], "reedition_required");
    assert_eq!(answer["reedition"], "offline_access");
}

#[test]
fn a_card_key_is_another_users_expired_or_not_authentic() {
    let mut bench = Bench::small();
    bench.init();
    encode_ana(&mut bench);
    let run = status(&mut bench, "bob", "2026-11-24T09:00");
    assert_eq!(run.code, Some(1));
    let answer = run.json();
    assert_eq!(answer["status"], "invalid_user_key");
    assert_eq!(answer["holder"], "ana");

    let run = status(&mut bench, "ana", "2027-01-04T09:00");
    assert_eq!(run.code, Some(1));
    let answer = run.json();
    assert_eq!(answer["status"], "expired");
    assert_eq!(answer["expired_at"], "2026-12-31T00:00:00+01:00");

    let args = [
        "key", "status", "--policy", "policy", "--user", "ana", "--image", "ana.key",
    ];
    let at = ["--at", "2026-11-24T09:00"];
    let run = bench.run(&[&args[..], &at].concat());
    assert_eq!(run.code, Some(0));
    assert!(run.stdout.starts_with("up to date: "), "{}", run.stdout);

    // A key store made again: the old key is no longer authentic.
    let run = bench.run(&["keys", "init", "--policy", "policy", "--force"]);
    assert_eq!(run.code, Some(0));
    let run = status(&mut bench, "ana", "2026-11-24T09:00");
    assert_eq!(run.code, Some(1));
    assert_eq!(run.json()["status"], "not_authentic");
}

#[test]
fn json_outputs_of_every_offline_command_parse() {
    let mut bench = Bench::small();
    let run = bench.run(&["keys", "init", "--policy", "policy", "--format", "json"]);
    assert_eq!(run.code, Some(0));
    assert_eq!(run.json()["version"], 1);
    encode_ana(&mut bench);
    let commands: [&[&str]; 4] = [
        &[
            "codes", "issue", "--policy", "policy", "--door", "annexe", "--for", "1w",
        ],
        &[
            "lock",
            "image",
            "--policy",
            "policy",
            "--door",
            "annexe",
            "-o",
            "annexe.img",
        ],
        &["lock", "inspect", "annexe.img", "--policy", "policy"],
        &[
            "key", "status", "--policy", "policy", "--user", "ana", "--image", "ana.key",
        ],
    ];
    for args in commands {
        let run = bench.run(&[args, &["--format", "json"]].concat());
        assert!(run.code.is_some_and(|c| c < 2), "{args:?}: {}", run.stdout);
        assert_eq!(run.json()["version"], 1, "{args:?}");
    }
    let run = bench.run(&[
        "codes", "verify", "--policy", "policy", "--door", "nowhere", "--code", "0", "--format",
        "json",
    ]);
    assert_eq!(run.code, Some(2));
    assert_eq!(run.json()["error"]["kind"], "unknown_door");
}
