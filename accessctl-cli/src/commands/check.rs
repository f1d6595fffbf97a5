//! `accessctl check --policy P --door D (--user U | --card N | --pin X | --qr X |
//! --mobile X | --remote U) [--at INSTANT] [--offline]`: may this subject open this
//! door then, and why?
//!
//! Owns turning the options into one `Request`, and telling the `Decision` and its
//! explanation (`Decision::explain`). Exit 0 when allowed, 1 when denied, 2 for an
//! unknown door or user name, a bad instant or a policy with errors. It must never
//! decide anything itself, and never print a PIN, QR code or mobile key it was given:
//! only which media were presented.

use accessctl_core::{Decision, Presented, Request, Subject};
use serde::Serialize;

use crate::args::{CheckArgs, Format};
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
use crate::instant;
use crate::query::{DoorView, QueryPolicy, When};
use crate::render::json::{self, JsonStep, SCHEMA_VERSION};

/// Runs `check`.
pub fn run(args: &CheckArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let query = QueryPolicy::load(&args.policy.path)?;
    let door = query.door(&args.door)?;
    let subject = subject(&query, args)?;
    let when = query.when(door, args.when.at.as_ref(), instant::now())?;
    let decision = query.compiled.decide(&Request {
        subject,
        door,
        at: when.at,
        offline: args.when.offline,
    });
    let answer = Answer::new(&query, args, &decision, when);
    match args.format.value {
        Format::Human => console.out.write_all(answer.human().as_bytes())?,
        Format::Json => console.out.write_all(&json::document(&answer))?,
    }
    Ok(Exit::answer(decision.allowed()))
}

/// The subject the options name; users by name must exist.
fn subject<'a>(query: &QueryPolicy, args: &'a CheckArgs) -> Result<Subject<'a>, CliError> {
    if let Some(user) = &args.user {
        return Ok(Subject::User(query.user(user)?));
    }
    if let Some(user) = &args.remote {
        return Ok(Subject::Remote(query.user(user)?));
    }
    Ok(Subject::Credentials(Presented {
        card: args.card,
        pin: args.pin.as_deref(),
        qr: args.qr.as_deref(),
        mobile: args.mobile.as_deref(),
    }))
}

/// Who asked, without secrets: `{"kind": "credentials", "card": 42, "media": ["badge", "pin"]}`.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum SubjectView {
    /// `--user`.
    User { user: String },
    /// `--remote`.
    Remote { user: String },
    /// Credentials presented at the reader.
    Credentials {
        card: Option<u64>,
        media: Vec<&'static str>,
    },
}

impl SubjectView {
    fn new(args: &CheckArgs) -> SubjectView {
        if let Some(user) = &args.user {
            return SubjectView::User { user: user.clone() };
        }
        if let Some(user) = &args.remote {
            return SubjectView::Remote { user: user.clone() };
        }
        let media = [
            ("badge", args.card.is_some()),
            ("pin", args.pin.is_some()),
            ("qr", args.qr.is_some()),
            ("mobile", args.mobile.is_some()),
        ];
        SubjectView::Credentials {
            card: args.card,
            media: media
                .iter()
                .filter(|(_, on)| *on)
                .map(|(m, _)| *m)
                .collect(),
        }
    }
}

impl std::fmt::Display for SubjectView {
    /// `user ana`, `remote opening by ana`, `card 42 and pin`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SubjectView::User { user } => write!(f, "user {user}"),
            SubjectView::Remote { user } => write!(f, "remote opening by {user}"),
            SubjectView::Credentials { card, media } => {
                let shown: Vec<String> = media
                    .iter()
                    .map(|m| match (m, card) {
                        (&"badge", Some(card)) => format!("card {card}"),
                        _ => (*m).to_owned(),
                    })
                    .collect();
                f.write_str(&shown.join(" and "))
            }
        }
    }
}

/// The answer, as shown and as JSON (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Answer {
    version: u32,
    allowed: bool,
    reason: &'static str,
    summary: &'static str,
    door: DoorView,
    at: String,
    unix: i64,
    timezone: &'static str,
    offline: bool,
    subject: SubjectView,
    steps: Vec<JsonStep>,
}

impl Answer {
    fn new(query: &QueryPolicy, args: &CheckArgs, decision: &Decision, when: When) -> Answer {
        Answer {
            version: SCHEMA_VERSION,
            allowed: decision.allowed(),
            reason: decision.reason.code(),
            summary: decision.reason.summary(),
            door: query.door_view(decision.door),
            at: when.local(),
            unix: when.at.0,
            timezone: when.zone.name(),
            offline: args.when.offline,
            subject: SubjectView::new(args),
            steps: JsonStep::all(decision.explain(&query.policy)),
        }
    }

    fn human(&self) -> String {
        let verdict = if self.allowed { "allowed" } else { "denied" };
        let mut out = format!("{verdict}: {} — {}\n", self.reason, self.summary);
        out += &format!("  door:     {}\n", self.door);
        out += &format!("  at:       {} ({})\n", self.at, self.timezone);
        out += &format!("  subject:  {}\n", self.subject);
        if self.offline {
            out += "  offline:  yes\n";
        }
        if !self.steps.is_empty() {
            out += "  why:\n";
            for (n, step) in self.steps.iter().enumerate() {
                out += &format!("    {}. {}\n", n + 1, step.text);
            }
        }
        out
    }
}
