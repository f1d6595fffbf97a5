use super::*;
use crate::model::Policy;
use crate::time::Timestamp;
use crate::{check, CompiledPolicy, Request, Sources};
use chrono::{TimeZone, Timelike};
use proptest::prelude::*;

const SITES: &str = include_str!("../../../examples/coworking/00-sites.acl");
const SCHEDULES: &str = include_str!("../../../examples/coworking/10-schedules.acl");
const ACCOUNT: &str = include_str!("../../../examples/coworking/20-account.acl");

fn checked(files: &[(&str, String)]) -> Checked {
    let mut sources = Sources::new();
    for (name, text) in files {
        sources.add(*name, text.clone());
    }
    let checked = check(&sources);
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    checked
}

/// Edits of the coworking example that keep it valid, each applying once.
const EDITS: [(&str, &str, &str); 13] = [
    (
        "account",
        "    allow entree reunion bureau_rdc\n",
        "    allow entree reunion bureau_rdc\n    allow bureau_r2 schedule soirees\n",
    ),
    (
        "account",
        "tags marketing\n    schedule bureau\n    allow entree",
        "tags marketing\n    allow entree",
    ),
    (
        "account",
        "valid 2025-09-01..2026-02-28",
        "valid 2026-01-10..2026-03-15",
    ),
    (
        "account",
        "card 4000123459\n",
        "card 4000123459\n    inactive\n",
    ),
    (
        "sites",
        "id \"8c2e41a8\"\n",
        "id \"8c2e41a8\"\n    schedule soirees\n",
    ),
    (
        "schedules",
        "mon..fri 18:00-22:00\n",
        "mon..fri 18:00-22:00\n  except holidays feries\n",
    ),
    ("schedules", "sat 09:00-12:00", "sat 09:00-13:00"),
    (
        "schedules",
        "  2026-04-06 \"Lundi de Pâques\"\n",
        "  2026-03-10\n  2026-04-06 \"Lundi de Pâques\"\n",
    ),
    (
        "sites",
        "group communs = entree open_space reunion",
        "group communs = entree open_space reunion bureau_rdc",
    ),
    (
        "account",
        "appointments schedule bureau\n",
        "appointments schedule menage\n",
    ),
    (
        "account",
        "open_space\n    allow bureau_r2 schedule soirees\n",
        "open_space\n    allow bureau_r2\n",
    ),
    (
        "account",
        "    allow tennis\n",
        "    valid 2026-02-01..\n    allow tennis\n",
    ),
    ("schedules", "mon..fri 21:00-06:00", "mon..sat 22:00-05:00"),
];

fn coworking(edits: &[bool]) -> Checked {
    let (mut sites, mut schedules, mut account) = (
        SITES.to_string(),
        SCHEDULES.to_string(),
        ACCOUNT.to_string(),
    );
    for ((file, from, to), _) in EDITS.iter().zip(edits).filter(|(_, on)| **on) {
        let text = match *file {
            "sites" => &mut sites,
            "schedules" => &mut schedules,
            _ => &mut account,
        };
        assert_eq!(text.matches(from).count(), 1, "{from}");
        *text = text.replacen(from, to, 1);
    }
    checked(&[
        ("00-sites.acl", sites),
        ("10-schedules.acl", schedules),
        ("20-account.acl", account),
    ])
}

fn line_of(checked_text: &str, span: Span) -> usize {
    checked_text[..span.start as usize].matches('\n').count() + 1
}

#[test]
fn an_evening_window_added_on_one_door_is_exactly_that_window_with_its_cause() {
    let old = coworking(&[]);
    let new = coworking(&[true]);
    let changes = diff(&old, &new);
    assert_eq!(changes.access.len(), 1, "{changes:#?}");
    assert!(changes.changes.is_empty(), "{:#?}", changes.changes);
    let delta = &changes.access[0];
    assert!(delta.gained);
    assert_eq!(
        (delta.user.as_str(), delta.door.as_str()),
        ("ana", "bureau_r2")
    );
    assert_eq!(delta.timezone, chrono_tz::Europe::Paris);
    let windows: Vec<String> = delta.windows.iter().map(Window::describe).collect();
    assert_eq!(windows, ["mon..fri 18:00-22:00"]);
    let texts: Vec<(&str, Version)> = delta
        .cause
        .clauses
        .iter()
        .map(|c| (c.text.as_str(), c.version))
        .collect();
    assert_eq!(
        texts,
        [
            ("allow bureau_r2 schedule soirees", Version::New),
            ("schedule soirees", Version::New)
        ]
    );
    let account = ACCOUNT.replacen(EDITS[0].1, EDITS[0].2, 1);
    let allow = &delta.cause.clauses[0].span;
    assert_eq!(&account[allow.range()], "allow bureau_r2 schedule soirees");
    assert_eq!(allow.file, crate::FileId(2));
    assert!(line_of(&account, *allow) > 1);
    assert!(changes.widens());
    assert_eq!(changes.affected_users(), 1);
    assert_eq!(changes.affected(), ["ana"]);
}

#[test]
fn the_reverse_change_is_the_same_window_lost() {
    let changes = diff(&coworking(&[true]), &coworking(&[]));
    assert_eq!(changes.access.len(), 1);
    let delta = &changes.access[0];
    assert!(!delta.gained);
    assert_eq!(delta.windows[0].describe(), "mon..fri 18:00-22:00");
    assert_eq!(delta.cause.clauses[0].version, Version::Old);
    assert!(!changes.widens());
}

#[test]
fn validity_cuts_windows_by_date() {
    let changes = diff(&coworking(&[]), &coworking(&[false, false, true]));
    let lea: Vec<String> = (changes.of_user("lea"))
        .map(|d| {
            let windows: Vec<String> = d.windows.iter().map(Window::describe).collect();
            format!(
                "{} {} {}",
                if d.gained { '+' } else { '-' },
                d.door,
                windows.join("; ")
            )
        })
        .collect();
    assert!(
        lea.iter()
            .any(|l| l.starts_with("- entree ") && l.contains("from 2025-09-01 to 2026-01-09")),
        "{lea:#?}"
    );
    assert!(
        lea.iter()
            .any(|l| l.starts_with("+ entree ") && l.contains("from 2026-03-01 to 2026-03-15")),
        "{lea:#?}"
    );
    let validity = changes.changes.iter().find(|c| c.name == "lea").unwrap();
    assert_eq!(validity.field, "validity");
    assert_eq!(validity.new.as_deref(), Some("2026-01-10..2026-03-15"));
}

#[test]
fn a_new_holiday_shows_as_that_day() {
    let changes = diff(
        &coworking(&[]),
        &coworking(&[false; 7].iter().copied().chain([true]).collect::<Vec<_>>()),
    );
    let ana = changes.of_user("ana").find(|d| d.door == "entree").unwrap();
    assert!(!ana.gained);
    assert_eq!(ana.windows[0].describe(), "[2026-03-10 08:00-19:00]");
    assert!(changes
        .changes
        .iter()
        .any(|c| c.subject == Subject::Holidays && c.field == "days"));
}

#[test]
fn rights_and_flags_are_changes() {
    let old = coworking(&[]);
    let account = ACCOUNT.replacen(
        "    admin users badges codes appointments history export bulk\n",
        "    remote\n    admin users badges codes mobile appointments history export bulk\n",
        1,
    );
    let new = checked(&[
        ("00-sites.acl", SITES.into()),
        ("10-schedules.acl", SCHEDULES.into()),
        ("20-account.acl", account),
    ]);
    let changes = diff(&old, &new);
    assert!(changes.access.is_empty());
    let fields: Vec<(&str, &str, bool)> = changes
        .changes
        .iter()
        .map(|c| (c.name.as_str(), c.field, c.widens))
        .collect();
    assert_eq!(
        fields,
        [("claire", "remote", true), ("claire", "admin", true)]
    );
    assert!(changes.widens());
}

#[test]
fn users_added_and_removed() {
    let old = coworking(&[]);
    let account = ACCOUNT.replacen("user hugo ", "user hugues ", 1);
    let new = checked(&[
        ("00-sites.acl", SITES.into()),
        ("10-schedules.acl", SCHEDULES.into()),
        ("20-account.acl", account),
    ]);
    let changes = diff(&old, &new);
    let access: Vec<(&str, &str, bool)> = changes
        .access
        .iter()
        .map(|a| (a.user.as_str(), a.door.as_str(), a.gained))
        .collect();
    assert_eq!(
        access,
        [("hugo", "tennis", false), ("hugues", "tennis", true)]
    );
    assert_eq!(changes.affected_users(), 2);
    let emitted = expectations(&changes, new.policy.as_ref().unwrap(), "diff").unwrap();
    assert!(emitted.contains("# - hugo tennis"), "{emitted}");
    assert!(
        emitted.contains("hugues may open tennis at 2026-01-05T"),
        "{emitted}"
    );
}

/// Local date and minute of `at` in `zone`.
fn local(zone: chrono_tz::Tz, at: i64) -> (chrono::NaiveDate, u16) {
    let t = zone.timestamp_opt(at, 0).unwrap();
    (t.date_naive(), (t.hour() * 60 + t.minute()) as u16)
}

fn inside(delta: Option<&AccessDelta>, at: i64) -> bool {
    delta.is_some_and(|d| {
        let (date, minute) = local(d.timezone, at);
        d.windows.iter().any(|w| {
            w.ranges_on(date)
                .iter()
                .any(|r| r.start <= minute && minute < r.end)
        })
    })
}

/// Every instant's decision changes exactly where the diff says.
fn agrees_with_decide(old: &Checked, new: &Checked, instants: &[i64]) {
    let changes = diff(old, new);
    let (op, np): (&Policy, &Policy) = (old.policy.as_ref().unwrap(), new.policy.as_ref().unwrap());
    let (oc, nc) = (CompiledPolicy::new(op), CompiledPolicy::new(np));
    for user in &np.users {
        for door in &np.doors {
            let find = |gained| {
                (changes.access.iter())
                    .find(|a| a.gained == gained && a.user == user.name && a.door == door.name)
            };
            let (gain, loss) = (find(true), find(false));
            for &at in instants {
                let ask = |p: &Policy, c: &CompiledPolicy| {
                    let (Some(u), Some(d)) = (p.user_named(&user.name), p.door_named(&door.name))
                    else {
                        return false;
                    };
                    let request = Request {
                        subject: crate::Subject::User(u),
                        door: d,
                        at: Timestamp(at),
                        offline: false,
                    };
                    c.decide(&request).allowed()
                };
                let (was, is) = (ask(op, &oc), ask(np, &nc));
                let what = || format!("{} {} at {at}: {changes:#?}", user.name, door.name);
                assert_eq!(is && !was, inside(gain, at), "gain {}", what());
                assert_eq!(was && !is, inside(loss, at), "loss {}", what());
            }
        }
    }
}

fn edits() -> impl Strategy<Value = Vec<bool>> {
    proptest::collection::vec(any::<bool>(), EDITS.len())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn a_policy_has_no_diff_with_itself(edits in edits()) {
        let p = coworking(&edits);
        prop_assert!(diff(&p, &p).is_empty());
    }

    #[test]
    fn gains_one_way_are_losses_the_other(a in edits(), b in edits()) {
        let (a, b) = (coworking(&a), coworking(&b));
        let key = |d: &PolicyDiff, gained: bool| {
            let mut v: Vec<(String, String, Vec<Window>)> = (d.access.iter())
                .filter(|x| x.gained == gained)
                .map(|x| (x.user.clone(), x.door.clone(), x.windows.clone()))
                .collect();
            v.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
            v
        };
        let (ab, ba) = (diff(&a, &b), diff(&b, &a));
        prop_assert_eq!(key(&ab, true), key(&ba, false));
        prop_assert_eq!(key(&ab, false), key(&ba, true));
    }

    #[test]
    fn the_diff_agrees_with_decide(
        a in edits(),
        b in edits(),
        instants in proptest::collection::vec(1_735_689_600i64..1_798_761_600, 24),
    ) {
        // 2025-01-01 to 2027-01-01, plus the evenings and nights around the holidays
        // the edits touch.
        let mut instants = instants;
        instants.extend([1_773_165_600, 1_773_100_800, 1_773_180_000, 1_778_608_800]);
        agrees_with_decide(&coworking(&a), &coworking(&b), &instants);
    }
}
