//! How the demo shows its day: one line per step as it happens, then the journal as a
//! table (or one JSON object per line).
//!
//! Owns the lines' text and fields. It must never show a PIN (steps name people, not
//! digits) or a key.

use accessctl_core::Timestamp;
use chrono_tz::Tz;
use serde::Serialize;

use super::Played;
use crate::journal::Entry;
use crate::render::json::SCHEMA_VERSION;
use crate::table;

/// `08:05  club_entree  Marc, the coach, badges: opened, coach_marc (granted) · output 0
/// pulsed 3.0 s · LED green · buzzer 1 beep`.
pub fn step_line(played: &Played) -> String {
    let step = &played.step;
    let mut line = format!(
        "{}  {:<12} {}: {}",
        step.time, played.door, step.who, played.outcome
    );
    if played.alone && played.step.opens.is_some() {
        line += " by the lock alone";
    }
    if let Some(card) = &played.card {
        line += &format!(" {card}");
    }
    if let Some(user) = &played.user {
        line += &format!(", {user}");
    }
    if let Some(reason) = &played.reason {
        line += &format!(" ({reason})");
    }
    if let Some(detail) = &played.detail {
        let prefix = format!("{}: ", played.outcome);
        line += &format!(": {}", detail.strip_prefix(&prefix).unwrap_or(detail));
    }
    if played.did != "nothing" {
        line += &format!(" · {}", played.did);
    }
    if !played.as_expected() {
        line += "  [UNEXPECTED]";
    }
    line.push('\n');
    line
}

/// One step as a JSON object on one line.
#[derive(Serialize)]
pub struct StepJson<'a> {
    version: u32,
    time: &'a str,
    door: &'a str,
    who: &'a str,
    outcome: &'a str,
    opened: bool,
    alone: bool,
    reason: Option<&'a str>,
    user: Option<&'a str>,
    card: Option<&'a str>,
    detail: Option<&'a str>,
    did: &'a str,
    expected: bool,
}

impl<'a> StepJson<'a> {
    /// The JSON form of `played`.
    pub fn new(played: &'a Played) -> StepJson<'a> {
        StepJson {
            version: SCHEMA_VERSION,
            time: played.step.time,
            door: &played.door,
            who: played.step.who,
            outcome: &played.outcome,
            opened: played.opened,
            alone: played.alone,
            reason: played.reason.as_deref(),
            user: played.user.as_deref(),
            card: played.card.as_deref(),
            detail: played.detail.as_deref(),
            did: &played.did,
            expected: played.as_expected(),
        }
    }
}

/// The journal, oldest first, as an aligned table.
pub fn journal_table(entries: &[Entry], zone: Tz) -> String {
    let mut rows = vec![["time", "door", "event", "who", "reason", "detail"]
        .map(str::to_owned)
        .to_vec()];
    for entry in entries {
        let event = &entry.event;
        let who = event.user.clone().or_else(|| event.card.clone());
        rows.push(vec![
            local_time(Timestamp(event.at), zone),
            event.door.clone(),
            event.kind.to_string(),
            who.unwrap_or_default(),
            event
                .reason
                .map(|r| r.code().to_owned())
                .unwrap_or_default(),
            event.detail.clone().unwrap_or_default(),
        ]);
    }
    table::render(&rows)
}

/// `08:05` in `zone`.
fn local_time(at: Timestamp, zone: Tz) -> String {
    crate::instant::local(at, zone).format("%H:%M").to_string()
}
