//! `accessctl codes issue --policy P --door D [--from T] --for DURATION [--once]
//! [--variant N]` and `accessctl codes verify --policy P --door D --code C [--at T]`:
//! offline codes, issued from the door's key and checked as its lock would.
//!
//! Owns choosing the code's window (the shortest window of the scheme, after the core
//! rounds its start down, that covers the start and length asked for), showing the
//! code with its window in the site's local time and in UTC, and telling a check's
//! outcome: exit 0 accepted, 1 refused (with the refusal's stable code). The issued
//! code is the one secret this tool prints, on purpose: it is meant for a guest. It
//! must never print a key, never echo a code given to `verify`, and never judge a
//! code itself: `accessctl_core::offline::code` does.

use accessctl_core::model::DoorId;
use accessctl_core::offline::code::{
    check_code, door_code_key, durations, issue, variants, CodeRefusal, CodeRequest, CodeWindow,
    IssueError, IssuedCode, DRIFT_TOLERANCE,
};
use accessctl_core::secret::Key;
use accessctl_core::Timestamp;
use chrono_tz::Tz;
use serde::Serialize;

use crate::args::{CodesArgs, CodesCommand, CodesIssueArgs, CodesVerifyArgs, Format};
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
use crate::instant;
use crate::offline::{
    hours_text, resolve, OfflineError, OfflinePolicy, WindowView, WrittenDuration,
};
use crate::query::DoorView;
use crate::render::json::{self, SCHEMA_VERSION};

/// Runs `codes`.
pub fn run(args: &CodesArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    match &args.command {
        CodesCommand::Issue(args) => run_issue(args, console),
        CodesCommand::Verify(args) => run_verify(args, console),
    }
}

/// The door named on the command line, its zone and its code key.
struct CodeDoor {
    door: DoorView,
    zone: Tz,
    key: Key,
}

impl CodeDoor {
    fn load(policy: &OfflinePolicy, name: &str) -> Result<CodeDoor, CliError> {
        let door: DoorId = policy.query.door(name)?;
        let root = policy.door_key(door)?;
        Ok(CodeDoor {
            door: policy.query.door_view(door),
            zone: policy.query.zone_of(door),
            key: door_code_key(&root, policy.door_name(door)),
        })
    }
}

/// Runs `codes issue`.
fn run_issue(args: &CodesIssueArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let policy = OfflinePolicy::load(&args.policy.path, args.store.keystore.as_deref())?;
    let door = CodeDoor::load(&policy, &args.door)?;
    let from = resolve("--from", args.from.as_ref(), door.zone)?;
    let issued = issue_covering(&door.key, from, &args.length, args.once, args.variant)?;
    let answer = Issued::new(&door, &issued, from, &args.length);
    match args.format.value {
        Format::Human => console.out.write_all(answer.human().as_bytes())?,
        Format::Json => console.out.write_all(&json::document(&answer))?,
    }
    Ok(Exit::Success)
}

/// The code of the shortest offered window that covers `[from, from + length)` once
/// its start is rounded down.
fn issue_covering(
    key: &Key,
    from: Timestamp,
    length: &WrittenDuration,
    once: bool,
    variant: u8,
) -> Result<IssuedCode, OfflineError> {
    let until = from.0.saturating_add(length.seconds);
    let mut variant_error = None;
    for hours in durations(once) {
        if variant >= variants(hours, once) {
            variant_error.get_or_insert(IssueError::NoSuchVariant {
                variant,
                variants: variants(hours, once),
            });
            continue;
        }
        let request = CodeRequest {
            start: from,
            hours,
            once,
            variant,
        };
        let issued = issue(key, &request)?;
        if issued.window.start <= from && issued.window.end.0 >= until {
            return Ok(issued);
        }
    }
    if let Some(error) = variant_error {
        return Err(error.into());
    }
    Err(OfflineError::NoCoveringCode {
        use_: if once { "one-time" } else { "repeatable" },
        length: length.text.clone(),
        longest: durations(once).last().unwrap_or(0),
    })
}

/// A code issued (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Issued {
    version: u32,
    code: String,
    door: DoorView,
    once: bool,
    variant: u8,
    variants: u8,
    hours: u32,
    asked: Asked,
    window: WindowView,
    drift_minutes: i64,
}

/// What was asked for.
#[derive(Serialize)]
struct Asked {
    from: String,
    length: String,
}

impl Issued {
    fn new(
        door: &CodeDoor,
        issued: &IssuedCode,
        from: Timestamp,
        length: &WrittenDuration,
    ) -> Issued {
        let w = issued.window;
        let hours = u32::try_from((w.end.0 - w.start.0) / 3_600).unwrap_or(u32::MAX);
        Issued {
            version: SCHEMA_VERSION,
            code: issued.code.expose_digits().to_owned(),
            door: door.door.clone(),
            once: w.once,
            variant: w.variant,
            variants: variants(hours, w.once),
            hours,
            asked: Asked {
                from: instant::show(from, door.zone),
                length: length.text.clone(),
            },
            window: WindowView::new(w.start, w.end, door.zone),
            drift_minutes: DRIFT_TOLERANCE / 60,
        }
    }

    fn human(&self) -> String {
        let use_ = if self.once {
            format!(
                "once (one-time code, variant {} of {})",
                self.variant, self.variants
            )
        } else {
            format!(
                "any number of times within the window (variant {} of {})",
                self.variant, self.variants
            )
        };
        let mut out = format!("code:    {}\n", self.code);
        out += &format!("door:    {}\n", self.door);
        out += &format!("window:  {}", self.window.human("         "));
        out += &format!(
            "length:  {} (asked: {} from {}; windows start on the hour)\n",
            hours_text(self.hours),
            self.asked.length,
            self.asked.from
        );
        out += &format!("use:     {use_}\n");
        out += &format!(
            "the lock accepts it from {} minutes before its window to {} minutes after, to allow for clock drift\n",
            self.drift_minutes, self.drift_minutes
        );
        out
    }
}

/// Runs `codes verify`.
fn run_verify(args: &CodesVerifyArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let policy = OfflinePolicy::load(&args.policy.path, args.store.keystore.as_deref())?;
    let door = CodeDoor::load(&policy, &args.door)?;
    let at = resolve("--at", args.at.as_ref(), door.zone)?;
    let outcome = check_code(&door.key, &args.code, at);
    let answer = Verified::new(&door, at, outcome);
    match args.format.value {
        Format::Human => console.out.write_all(answer.human().as_bytes())?,
        Format::Json => console.out.write_all(&json::document(&answer))?,
    }
    Ok(Exit::answer(answer.accepted))
}

/// A code checked (schema in `docs/cli.md`); the code itself is never echoed.
#[derive(Serialize)]
struct Verified {
    version: u32,
    accepted: bool,
    door: DoorView,
    at: String,
    unix: i64,
    timezone: &'static str,
    window: Option<WindowView>,
    once: Option<bool>,
    refusal: Option<&'static str>,
    message: String,
}

impl Verified {
    fn new(door: &CodeDoor, at: Timestamp, outcome: Result<CodeWindow, CodeRefusal>) -> Verified {
        let (window, once, refusal, message) = match outcome {
            Ok(w) => (
                Some(WindowView::new(w.start, w.end, door.zone)),
                Some(w.once),
                None,
                accepted_message(w.once),
            ),
            Err(refusal) => (
                None,
                None,
                Some(refusal.code()),
                refusal_message(refusal, door.zone),
            ),
        };
        Verified {
            version: SCHEMA_VERSION,
            accepted: refusal.is_none(),
            door: door.door.clone(),
            at: instant::show(at, door.zone),
            unix: at.0,
            timezone: door.zone.name(),
            window,
            once,
            refusal,
            message,
        }
    }

    fn human(&self) -> String {
        let mut out = match self.refusal {
            None => format!("accepted: {}\n", self.message),
            Some(code) => format!("refused: {code} — {}\n", self.message),
        };
        out += &format!("  door:    {}\n", self.door);
        out += &format!("  at:      {} ({})\n", self.at, self.timezone);
        if let Some(window) = &self.window {
            out += &format!("  window:  {}", window.human("           "));
        }
        out
    }
}

fn accepted_message(once: bool) -> String {
    if once {
        "a one-time code of this door, within its window (the lock accepts it once)".into()
    } else {
        "a code of this door, within its window".into()
    }
}

/// Why a code is refused, with instants in the site's local time.
fn refusal_message(refusal: CodeRefusal, zone: Tz) -> String {
    match refusal {
        CodeRefusal::Mistyped => {
            "not ten digits, or a wrong last digit: a typo (a lock does not count it as a wrong entry)".into()
        }
        CodeRefusal::WrongCode { .. } => {
            "not a code of this door for a window around this instant".into()
        }
        CodeRefusal::NotYetValid { starts } => {
            format!("a code of this door whose window opens at {}", instant::show(starts, zone))
        }
        CodeRefusal::Expired { ended } => {
            format!("a code of this door whose window closed at {}", instant::show(ended, zone))
        }
        other => other.to_string(),
    }
}
