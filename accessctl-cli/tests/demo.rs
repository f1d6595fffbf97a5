//! `accessctl demo`: the sports centre's scripted day, end to end on loopback — every
//! step goes as the script says, the lock keeps deciding during the network cut, and
//! the journal follows.

use crate::support::run;

#[test]
fn the_sports_centre_day_goes_as_scripted() {
    let demo = run(&["demo"]);
    assert_eq!(demo.code, Some(0), "{}{}", demo.stdout, demo.stderr);
    let out = &demo.stdout;
    for line in [
        "00:00  court_1      online (address 3, secure channel)",
        "08:05  club_entree  Marc, the coach, badges: opened, coach_marc (granted) · output 0 pulsed 3.0 s · LED green",
        "08:12  club_entree  Théo badges (his grants stop at the courts): denied, membre_theo (not_granted) · LED red",
        "08:40  caisse       Sylvie badges at the cash office (badge and PIN required): waiting for a second factor (second_factor_required)",
        "08:40  caisse       Sylvie types her PIN: opened, gerant (granted)",
        "09:30  club_entree  Julie types her PIN: opened, membre_julie (granted)",
        "10:00  club_entree  a badge nobody holds: unknown card 3276800042 (unknown_credential)",
        "no accepted format reads 35-bit frames",
        "a badge read with a flipped bit (bad parity): bad parity",
        "11:00  court_1      Marc badges at court 1's lock (online): opened, coach_marc (granted)",
        "12:00  court_1      the network to court 1's lock is cut: offline: the lock decides alone from its image (5 entries)",
        "12:10  court_1      Sylvie, the manager (offline access), badges: opened by the lock alone, gerant (granted)",
        "12:15  court_1      Marc badges (no offline access): denied by the lock alone (unknown_credential)",
        "12:20  court_1      the space's emergency code is typed: opened by the lock alone, a space code (space_code)",
        "13:00  court_1      the network to court 1's lock is back: online: the lock uploads the 3 decisions it took alone, journaled at their instants",
        "18:30  padel_2      Romain, an appointment guest, types his code: opened, Romain Faure (appointment)",
        "19:30  padel_2      Romain comes back after his booked hour: denied, Romain Faure (appointment_not_now)",
        "journal (20 events):",
    ] {
        assert!(out.contains(line), "missing `{line}` in:\n{out}");
    }
    assert!(!out.contains("UNEXPECTED"), "{out}");
    for secret in ["839201", "4072913", "739154", "102938", "7316"] {
        assert!(!out.contains(secret), "a PIN shown: {secret}");
    }
    let journal = out.split("journal (20 events):").nth(1).unwrap();
    let row = |cells: &[&str]| {
        journal.lines().any(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            words.windows(cells.len()).any(|run| run == cells)
        })
    };
    assert!(
        row(&["10:00", "club_entree", "unknown_card", "3276800042"]),
        "{journal}"
    );
    assert!(
        row(&["10:20", "club_entree", "unreadable_card"]),
        "an unreadable card has its own kind: {journal}"
    );
    assert!(row(&["10:25", "club_entree", "bad_parity"]), "{journal}");
    assert!(
        row(&["12:00", "court_1", "reader_offline"]),
        "the cut is journaled: {journal}"
    );
    // Once back online, the lock's own decisions are journaled at their instants.
    assert!(
        row(&["12:10", "court_1", "opened", "gerant", "granted"]),
        "{journal}"
    );
    assert!(row(&["12:15", "court_1", "denied"]), "{journal}");
    assert!(
        row(&["12:20", "court_1", "opened", "space_code"]),
        "{journal}"
    );
    assert!(row(&["13:00", "court_1", "reader_online"]), "{journal}");
}

#[test]
fn the_json_lines_mark_every_step_as_expected() {
    let demo = run(&["demo", "sports-centre", "--format", "json"]);
    assert_eq!(demo.code, Some(0), "{}", demo.stderr);
    let lines: Vec<serde_json::Value> = demo
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let steps: Vec<_> = lines.iter().filter(|l| l.get("time").is_some()).collect();
    assert_eq!(steps.len(), 17);
    assert!(steps.iter().all(|s| s["expected"] == true), "{steps:?}");
    let alone = steps
        .iter()
        .filter(|s| s["alone"] == true && s["opened"] == true);
    assert_eq!(alone.count(), 2);
    let journal = lines.iter().filter(|l| l.get("journal").is_some()).count();
    assert_eq!(journal, 20);
}

#[test]
fn an_unknown_site_is_a_usage_error() {
    let demo = run(&["demo", "nowhere"]);
    assert_eq!(demo.code, Some(2));
    assert!(demo.stderr.contains("sports-centre"), "{}", demo.stderr);
}
