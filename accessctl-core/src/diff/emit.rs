//! A diff written back as policy tests: each delta an expectation at an instant
//! inside its window, so that a reviewed change can be pinned.
//!
//! Owns picking, for each window of each delta, a local instant its door's zone does
//! not skip, and the text of one `test` block (`ana may open entree at
//! 2026-03-02T18:30+01:00`, `may not` for a loss), in NEW's names: a delta of a user
//! or door that NEW no longer has is left out (as a comment). Instants carry their
//! offset, so a repeated local hour is never ambiguous. It must never read a clock.

use std::fmt::Write as _;

use chrono::{LocalResult, NaiveDate, Offset, TimeZone};

use crate::model::Policy;

use super::{AccessDelta, PolicyDiff, Window};

/// The text of one `test` block titled `title` holding an expectation per window
/// of each delta, or `None` when there is no delta to pin.
pub fn expectations(diff: &PolicyDiff, new: &Policy, title: &str) -> Option<String> {
    let mut body = String::new();
    for delta in &diff.access {
        let known = new.user_named(&delta.user).is_some() && new.door_named(&delta.door).is_some();
        for window in &delta.windows {
            let sign = if delta.gained { '+' } else { '-' };
            let what = format!("{sign} {} {} {}", delta.user, delta.door, window.describe());
            if !known {
                let _ = writeln!(body, "  # {what}: not in the new policy");
                continue;
            }
            match instant(delta, window) {
                Some(at) => {
                    let verb = if delta.gained { "may" } else { "may not" };
                    let _ = writeln!(body, "  # {what}");
                    let _ = writeln!(body, "  {} {verb} open {} at {at}", delta.user, delta.door);
                }
                None => {
                    let _ = writeln!(body, "  # {what}: no instant found");
                }
            }
        }
    }
    if body.is_empty() {
        return None;
    }
    let title = title.replace('\\', "\\\\").replace('"', "\\\"");
    Some(format!("test \"{title}\" {{\n{body}}}\n"))
}

/// An instant inside `window` in the delta's zone, with its offset.
fn instant(delta: &AccessDelta, window: &Window) -> Option<String> {
    window
        .instants()
        .find_map(|(date, minute)| written(delta.timezone, date, minute))
}

fn written(zone: chrono_tz::Tz, date: NaiveDate, minute: u16) -> Option<String> {
    let time = date.and_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0)?;
    let at = match zone.from_local_datetime(&time) {
        LocalResult::Single(at) => at,
        LocalResult::Ambiguous(first, _) => first,
        LocalResult::None => return None,
    };
    let offset = at.offset().fix().local_minus_utc();
    let sign = if offset < 0 { '-' } else { '+' };
    let offset = offset.unsigned_abs();
    Some(format!(
        "{}{sign}{:02}:{:02}",
        time.format("%Y-%m-%dT%H:%M"),
        offset / 3600,
        offset % 3600 / 60
    ))
}
