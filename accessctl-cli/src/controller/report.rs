//! What the controller tells its operator as it happens: one [`Report`] per decision
//! or bus event, one line each (text for people, or one JSON object per line).
//!
//! Owns the reports' fields (the JSON schema of `docs/cli.md`, `controller run`) and
//! their one-line text. It must never show a PIN or a key: a PIN nobody holds shows as
//! `unknown_credential`, and only unknown cards show their number.

use accessctl_core::Reason;
use serde::Serialize;

use super::verdict::{Outcome, Verdict};
use crate::offline::utc;
use crate::render::json::{JsonDiagnostic, SCHEMA_VERSION};

/// One thing the controller did or saw.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Report {
    /// The controller started.
    Started {
        /// When (UTC).
        at: String,
        /// The bus.
        bus: String,
        /// The doors and their PD addresses, `DOOR=ADDRESS`.
        doors: Vec<String>,
        /// `secure`, `install` or `clear`.
        channel: &'static str,
    },
    /// A read at a door was decided (or refused unread).
    Decision {
        /// When (UTC).
        at: String,
        /// The door's site.
        site: String,
        /// The door.
        door: String,
        /// How it ended.
        outcome: Outcome,
        /// The engine's reason, when it was asked.
        reason: Option<Reason>,
        /// The holder's name, when known.
        user: Option<String>,
        /// The number of an unknown card.
        card: Option<String>,
        /// More, for people (a space code, a failed parity check…).
        detail: Option<String>,
    },
    /// A door's PD answers (again).
    ReaderOnline {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
        /// Its PD's address.
        address: u8,
        /// Whether the secure channel is up.
        secure: bool,
    },
    /// A door's PD stopped answering.
    ReaderOffline {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
        /// Its PD's address.
        address: u8,
    },
    /// A door's PD reported its tamper switch.
    Tamper {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
        /// Whether the enclosure is open.
        tamper: bool,
    },
    /// A door's PD reported its power.
    Power {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
        /// Whether power failed.
        failure: bool,
    },
    /// A door's PD cannot be brought online (said once per change of cause), or one of
    /// its reports was refused (a reader it does not declare).
    ReaderFault {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
        /// Its PD's address.
        address: u8,
        /// `wrong_key`, `no_secure_channel`, `bad_capabilities`, `no_answer` or
        /// `undeclared_reader`.
        cause: &'static str,
        /// The cause in words.
        detail: String,
    },
    /// A lock's audit record was not believed, and journaled as refused.
    AuditRefused {
        /// When (UTC), on the controller's clock.
        at: String,
        /// The door.
        door: String,
        /// Its PD's address.
        address: u8,
        /// Why, as a stable code (`not_a_lock`, `in_clear`, `before_image`, …).
        cause: &'static str,
        /// Why, in words.
        detail: String,
    },
    /// In install mode, a PD was given its own secure channel key.
    KeySet {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
    },
    /// A PD refused a command.
    Nak {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
        /// The command's code.
        command: u8,
        /// The PD's reason, in words.
        nak: String,
    },
    /// The policy files changed and the new policy is in force.
    PolicyReloaded {
        /// When (UTC).
        at: String,
        /// The policy's PATH.
        path: String,
    },
    /// The policy files changed but the new policy cannot be used; the previous one
    /// stays in force.
    PolicyRefused {
        /// When (UTC).
        at: String,
        /// The policy's PATH.
        path: String,
        /// Why.
        message: String,
        /// Its diagnostics, when it does not validate.
        diagnostics: Vec<JsonDiagnostic>,
        /// The diagnostics drawn for people.
        #[serde(skip)]
        drawn: String,
    },
    /// An offline lock's memory image is being sent.
    ImagePush {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
        /// The image's size.
        bytes: usize,
    },
    /// Part of an image was accepted.
    ImageProgress {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
        /// Bytes accepted so far.
        sent: usize,
        /// The image's size.
        total: usize,
    },
    /// The lock confirmed the whole image.
    ImagePushed {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
    },
    /// The image could not be built or sent.
    ImageFailed {
        /// When (UTC).
        at: String,
        /// The door.
        door: String,
        /// Why.
        reason: String,
    },
    /// The bus itself failed (a serial port gone, a TCP peer that closed): its PDs
    /// are offline until it is opened again.
    BusLost {
        /// When (UTC).
        at: String,
        /// The bus, as the command line named it.
        bus: String,
        /// What went wrong.
        problem: String,
    },
    /// The bus is open again after [`Report::BusLost`]; its PDs come back as they
    /// answer.
    BusBack {
        /// When (UTC).
        at: String,
        /// The bus.
        bus: String,
    },
    /// An event could not be written to the journal (the controller goes on).
    JournalFailed {
        /// When (UTC).
        at: String,
        /// Why.
        message: String,
    },
}

/// A report line for programs: the schema version, then the report's fields.
#[derive(Serialize)]
struct Line<'a> {
    version: u32,
    #[serde(flatten)]
    report: &'a Report,
}

impl Report {
    /// The report of a verdict at `door` of `site`, at `at`. A door waiting for a
    /// second factor shows as [`Outcome::AwaitingFactor`], without a name yet.
    pub fn of_verdict(
        verdict: &Verdict,
        site: &str,
        door: &str,
        at: accessctl_core::Instant,
    ) -> Report {
        match &verdict.event {
            Some(event) => Report::Decision {
                at: utc(accessctl_core::Instant(event.at)),
                site: event.site.clone(),
                door: event.door.clone(),
                outcome: verdict.outcome,
                reason: event.reason,
                user: event.user.clone(),
                card: event.card.clone(),
                detail: event.detail.clone(),
            },
            None => Report::Decision {
                at: utc(at),
                site: site.to_owned(),
                door: door.to_owned(),
                outcome: verdict.outcome,
                reason: verdict.decision.map(|d| d.reason),
                user: None,
                card: None,
                detail: Some(
                    match verdict.outcome {
                        Outcome::LockedOut => "the keypad is locked after wrong entries",
                        _ => "present the other factor",
                    }
                    .to_owned(),
                ),
            },
        }
    }

    /// One JSON object on one line.
    pub fn json_line(&self) -> String {
        let line = Line {
            version: SCHEMA_VERSION,
            report: self,
        };
        // A report holds strings, numbers and booleans only: it always serializes.
        let mut text = serde_json::to_string(&line).unwrap_or_default();
        text.push('\n');
        text
    }

    /// One line for people (more for a refused policy's diagnostics).
    pub fn human_line(&self) -> String {
        let mut line = match self {
            Report::Started {
                at,
                bus,
                doors,
                channel,
            } => {
                format!("{at}  started on {bus} ({channel}): {}", doors.join(" "))
            }
            Report::Decision {
                at,
                door,
                outcome,
                reason,
                user,
                card,
                detail,
                ..
            } => decision_line(at, door, *outcome, *reason, user, card, detail),
            Report::ReaderOnline {
                at,
                door,
                address,
                secure,
            } => {
                let channel = if *secure { "secure channel" } else { "clear" };
                format!("{at}  {door}  reader online (address {address}, {channel})")
            }
            Report::ReaderOffline { at, door, address } => {
                format!("{at}  {door}  reader offline (address {address})")
            }
            Report::Tamper { at, door, tamper } => {
                let state = if *tamper {
                    "tamper: enclosure open"
                } else {
                    "tamper cleared"
                };
                format!("{at}  {door}  {state}")
            }
            Report::Power { at, door, failure } => {
                format!("{at}  {door}  {}", power_words(*failure))
            }
            Report::ReaderFault {
                at,
                door,
                address,
                detail,
                ..
            } => format!("{at}  {door}  reader fault (address {address}): {detail}"),
            Report::AuditRefused {
                at,
                door,
                address,
                detail,
                ..
            } => format!("{at}  {door}  audit record refused (address {address}): {detail}"),
            Report::KeySet { at, door } => format!("{at}  {door}  secure channel key installed"),
            Report::Nak {
                at,
                door,
                command,
                nak,
            } => {
                format!("{at}  {door}  command {command:#04x} refused: {nak}")
            }
            Report::PolicyReloaded { at, path } => format!("{at}  policy {path} reloaded"),
            Report::PolicyRefused {
                at,
                path,
                message,
                drawn,
                ..
            } => {
                format!("{drawn}{at}  policy {path} refused, the previous one stays in force: {message}")
            }
            Report::ImagePush { at, door, bytes } => {
                format!("{at}  {door}  sending the lock image ({bytes} bytes)")
            }
            Report::ImageProgress {
                at,
                door,
                sent,
                total,
            } => {
                format!("{at}  {door}  lock image {sent}/{total} bytes")
            }
            Report::ImagePushed { at, door } => format!("{at}  {door}  lock image confirmed"),
            Report::ImageFailed { at, door, reason } => {
                format!("{at}  {door}  lock image not sent: {reason}")
            }
            Report::BusLost { at, bus, problem } => {
                format!("{at}  bus {bus} lost: {problem}; opening it again")
            }
            Report::BusBack { at, bus } => format!("{at}  bus {bus} open again"),
            Report::JournalFailed { at, message } => format!("{at}  journal: {message}"),
        };
        line.push('\n');
        line
    }
}

/// A PD's power report in words: `power failure` or `power restored`.
pub(super) fn power_words(failure: bool) -> &'static str {
    match failure {
        true => "power failure",
        false => "power restored",
    }
}

/// A PD's tamper report in words, as journaled: `enclosure open` or `tamper cleared`.
pub(super) fn tamper_words(tamper: bool) -> &'static str {
    match tamper {
        true => "enclosure open",
        false => "tamper cleared",
    }
}

/// `2026-11-23T08:00:00Z  main  opened  ana (granted)`.
fn decision_line(
    at: &str,
    door: &str,
    outcome: Outcome,
    reason: Option<Reason>,
    user: &Option<String>,
    card: &Option<String>,
    detail: &Option<String>,
) -> String {
    let mut line = format!("{at}  {door}  {}", outcome.words());
    if let Some(card) = card {
        line += &format!(" {card}");
    }
    if let Some(user) = user {
        line += &format!("  {user}");
    }
    if let Some(reason) = reason {
        line += &format!(" ({reason})");
    }
    if let Some(detail) = detail {
        line += &format!(": {detail}");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown_card() -> Report {
        Report::Decision {
            at: "2026-11-23T09:00:05Z".into(),
            site: "clerkenwell".into(),
            door: "ldn_street".into(),
            outcome: Outcome::UnknownCard,
            reason: Some(Reason::UnknownCredential),
            user: None,
            card: Some("983041".into()),
            detail: Some("read as 15:1".into()),
        }
    }

    #[test]
    fn a_decision_is_one_line_for_people() {
        assert_eq!(
            unknown_card().human_line(),
            "2026-11-23T09:00:05Z  ldn_street  unknown card 983041 (unknown_credential): read as 15:1\n"
        );
    }

    #[test]
    fn a_decision_is_one_json_object_on_one_line() {
        let line = unknown_card().json_line();
        assert_eq!(line.matches('\n').count(), 1);
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["version"], 1);
        assert_eq!(value["event"], "decision");
        assert_eq!(value["outcome"], "unknown_card");
        assert_eq!(value["reason"], "unknown_credential");
        assert_eq!(value["card"], "983041");
    }

    #[test]
    fn faults_and_refused_audit_records_say_their_cause_and_address() {
        let fault = Report::ReaderFault {
            at: "2026-11-23T09:00:00Z".into(),
            door: "main".into(),
            address: 1,
            cause: "wrong_key",
            detail: "wrong key: the PD's cryptogram does not verify".into(),
        };
        assert_eq!(
            fault.human_line(),
            "2026-11-23T09:00:00Z  main  reader fault (address 1): wrong key: the PD's cryptogram does not verify\n"
        );
        let value: serde_json::Value = serde_json::from_str(&fault.json_line()).unwrap();
        assert_eq!(value["event"], "reader_fault");
        assert_eq!(value["cause"], "wrong_key");
        assert_eq!(value["address"], 1);
        let refused = Report::AuditRefused {
            at: "2026-11-23T09:00:00Z".into(),
            door: "store".into(),
            address: 2,
            cause: "not_a_lock",
            detail: "the door is not an offline lock".into(),
        };
        assert!(refused
            .human_line()
            .contains("store  audit record refused (address 2): the door is not"));
        let value: serde_json::Value = serde_json::from_str(&refused.json_line()).unwrap();
        assert_eq!(value["event"], "audit_refused");
        assert_eq!(value["cause"], "not_a_lock");
    }

    #[test]
    fn a_refused_policy_keeps_its_drawing_out_of_json() {
        let report = Report::PolicyRefused {
            at: "2026-11-23T09:00:00Z".into(),
            path: "hq.acl".into(),
            message: "the policy `hq.acl` has 1 error and cannot be queried".into(),
            diagnostics: Vec::new(),
            drawn: "error[E0102]: …\n".into(),
        };
        assert!(report.human_line().starts_with("error[E0102]"));
        assert!(!report.json_line().contains("E0102"));
    }
}
