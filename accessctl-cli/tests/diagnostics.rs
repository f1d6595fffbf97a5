//! Diagnostics as `accessctl validate` prints them, for each error class of
//! `docs/diagnostics.md`: each is checked at its line and column, and snapshotted in
//! the human, JSON and GitHub formats. The fixtures are run with a relative path, so
//! no snapshot holds an absolute path.

use crate::support::{fixtures, run_in, Run};

/// `(code, needle, nth)`: a diagnostic `code` stands at the `nth` (from 1) occurrence
/// of `needle` in the fixture.
type Expected = (&'static str, &'static str, usize);

/// Line and column (1-based, in characters) of the `nth` occurrence of `needle`.
fn position(text: &str, needle: &str, nth: usize) -> (u64, u64) {
    let (offset, _) = text
        .match_indices(needle)
        .nth(nth - 1)
        .unwrap_or_else(|| panic!("`{needle}` occurs fewer than {nth} times"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line as u64, column as u64)
}

fn validate(name: &str, format: &str) -> Run {
    run_in(
        &fixtures().join("diagnostics"),
        &["validate", "--format", format, name],
    )
}

/// Checks fixture `name` (a file, or a directory whose diagnostics all stand in
/// `file`) against `expected`, then snapshots its three renderings.
fn check_case(name: &str, file: &str, expected: &[Expected]) {
    let text = std::fs::read_to_string(fixtures().join("diagnostics").join(file)).unwrap();
    let json = validate(name, "json");
    let errors = expected.iter().any(|(code, _, _)| code.starts_with('E'));
    assert_eq!(
        json.code,
        Some(if errors { 1 } else { 0 }),
        "{}",
        json.stdout
    );
    let document = json.json();
    let diagnostics = document["policies"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .clone();
    let got: Vec<(String, String, u64, u64)> = diagnostics
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_owned(),
                d["file"].as_str().unwrap_or("").to_owned(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let mut want: Vec<(String, String, u64, u64)> = expected
        .iter()
        .map(|(code, needle, nth)| {
            let (line, column) = position(&text, needle, *nth);
            ((*code).to_owned(), file.to_owned(), line, column)
        })
        .collect();
    want.sort_by_key(|(_, _, line, column)| (*line, *column));
    assert_eq!(got, want, "{}", json.stdout);

    let human = validate(name, "human");
    let github = validate(name, "github");
    for (code, file, line, column) in &want {
        let place = format!("--> {file}:{line}:{column}\n");
        assert!(
            human.stdout.contains(&place),
            "{place} in\n{}",
            human.stdout
        );
        assert!(human.stdout.contains(&format!("[{code}]: ")));
        let annotation = format!("file={file},line={line},col={column},");
        assert!(
            github.stdout.contains(&annotation),
            "{annotation} in\n{}",
            github.stdout
        );
    }
    assert_eq!(human.code, json.code);
    assert_eq!(github.code, json.code);

    let stem = name.trim_end_matches(".acl");
    insta::assert_snapshot!(format!("{stem}__human"), human.stdout);
    insta::assert_snapshot!(format!("{stem}__json"), json.stdout);
    insta::assert_snapshot!(format!("{stem}__github"), github.stdout);
}

macro_rules! cases {
    ($($test:ident: $file:literal => [$(($code:literal, $needle:literal, $nth:literal)),* $(,)?];)*) => {$(
        #[test]
        fn $test() {
            check_case($file, $file, &[$(($code, $needle, $nth)),*]);
        }
    )*};
}

cases! {
    // Unknown references.
    unknown_door: "e0201_unknown_door.acl" => [("E0201", "mian", 1)];
    unknown_group: "e0202_unknown_group.acl" => [("E0202", "ofices", 1)];
    unknown_path: "e0203_unknown_path.acl" => [("E0203", "to_r3", 1)];
    unknown_schedule: "e0204_unknown_schedule.acl" => [("E0204", "ofice", 1)];
    unknown_holiday_calendar: "e0205_unknown_calendar.acl" => [("E0205", "frr", 1)];
    unknown_site_and_target: "e0206_e0207_unknown_site_and_target.acl" => [
        ("E0206", "centr\n", 1),
        ("E0207", "mian", 1),
    ];
    // Duplicate names and ids.
    duplicate_names: "e0210_duplicate_names.acl" => [
        ("E0210", "hq", 2),
        ("E0210", "office", 2),
    ];
    duplicate_door_ids: "e0211_duplicate_door_id.acl" => [("E0211", "\"5d1ecdd1\"", 2)];
    // A card, QR code or mobile key held twice.
    credentials_used_twice: "e0401_e0403_credentials_used_twice.acl" => [
        ("E0401", "0042", 1),
        ("E0402", "\"QR-ana\"", 2),
        ("E0403", "\"wm-ana\"", 2),
    ];
    // Values.
    invalid_time_zone: "e0301_invalid_timezone.acl" => [
        ("E0301", "\"Europe/Pariss\"", 1),
        ("E0301", "\"Mars/Olympus\"", 1),
    ];
    malformed_and_empty_time_ranges: "e0302_e0303_time_ranges.acl" => [
        ("E0302", "25:00", 1),
        ("E0302", "09:60", 1),
        ("E0303", "10:00-10:00", 1),
    ];
    validity_end_before_start: "e0305_validity_end_before_start.acl" => [
        ("E0305", "2026-01-01", 1),
    ];
    malformed_email: "e0306_malformed_email.acl" => [
        ("E0306", "\"ana@example\"", 1),
        ("E0306", "<bob@@example.com>", 1),
    ];
    card_formats_unknown_or_repeated: "e0316_e0317_card_formats.acl" => [
        ("E0316", "H10304", 1),
        ("E0316", "corp1000", 1),
        ("E0317", "h10301", 3),
    ];
    // Appointments.
    appointment_crossing_midnight: "e0501_appointment_crosses_midnight.acl" => [
        ("E0501", "22:00-02:00", 1),
    ];
    guest_without_email: "e0502_guest_without_email.acl" => [("E0502", "\"Ana\"", 1)];
    // Permanent space codes.
    space_code_not_6_characters: "e0405_space_code_length.acl" => [
        ("E0405", "\"12345\"", 1),
        ("E0405", "\"1234567\"", 1),
    ];
    space_codes_colliding_on_a_door: "e0406_space_code_collision.acl" => [
        ("E0406", "\"483920\"", 2),
    ];
    // Delegation, at every nesting depth.
    grant_beyond_a_ceiling_at_any_depth: "e0601_grant_beyond_ceiling.acl" => [
        ("E0601", "offices\n", 1),
        ("E0601", "meeting\n", 3),
        ("E0601", "r2\n", 3),
    ];
    admin_rights_beyond_own_or_ancestor_ceiling: "e0602_rights_beyond_ceiling.acl" => [
        ("E0602", "keys", 1),
        ("E0603", "history", 1),
        ("E0602", "history", 2),
    ];
    // Syntax and warnings.
    syntax_error: "e0102_syntax_error.acl" => [("E0102", "\"UTC", 1)];
    warnings: "w0101_w0102_warnings.acl" => [
        ("W0102", "storage", 1),
        ("W0101", "weekend", 1),
    ];
}

#[test]
fn a_duplicate_across_files_shows_both_places() {
    check_case(
        "across_files",
        "across_files/b.acl",
        &[("E0210", "main", 1)],
    );
    let human = validate("across_files", "human");
    assert!(
        human.stdout.contains("--> across_files/a.acl:3:8"),
        "{}",
        human.stdout
    );
}
