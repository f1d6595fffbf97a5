//! The controller's reports as the CLI prints them: one line for people, or one JSON
//! object per line (the schema of `docs/cli.md`, `controller run`).
//!
//! Owns the text and JSON forms of [`Report`]. It must never show a PIN or a key: the
//! reports hold none.

#[cfg(test)]
use accessctl_controller::report::Diagnosed;
use accessctl_controller::report::{power_words, Report};
use accessctl_controller::Outcome;
use accessctl_core::Reason;
use serde::Serialize;

use crate::render::human;
use crate::render::json::{JsonDiagnostic, SCHEMA_VERSION};

/// A report line for programs: the schema version, then the report's fields.
#[derive(Serialize)]
struct Line<'a> {
    version: u32,
    #[serde(flatten)]
    report: &'a Report,
    /// A refused policy's diagnostics.
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnostics: Option<Vec<JsonDiagnostic>>,
}

/// One JSON object on one line.
pub fn json_line(report: &Report) -> String {
    let diagnostics = match report {
        Report::PolicyRefused {
            diagnosed: Some(diagnosed),
            ..
        } => JsonDiagnostic::all(&diagnosed.sources, &diagnosed.diagnostics),
        _ => Vec::new(),
    };
    let refused = matches!(report, Report::PolicyRefused { .. });
    let line = Line {
        version: SCHEMA_VERSION,
        report,
        diagnostics: refused.then_some(diagnostics),
    };
    // A report holds strings, numbers and booleans only: it always serializes.
    let mut text = serde_json::to_string(&line).unwrap_or_default();
    text.push('\n');
    text
}

/// One line for people (more for a refused policy's diagnostics).
pub fn human_line(report: &Report) -> String {
    let mut line = match report {
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
            diagnosed,
        } => {
            let drawn = diagnosed.as_ref().map_or_else(String::new, |d| {
                let text = human::diagnostics(&d.sources, &d.diagnostics, false);
                String::from_utf8_lossy(&text).into_owned()
            });
            format!(
                "{drawn}{at}  policy {path} refused, the previous one stays in force: {message}"
            )
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
            human_line(&unknown_card()),
            "2026-11-23T09:00:05Z  ldn_street  unknown card 983041 (unknown_credential): read as 15:1\n"
        );
    }

    #[test]
    fn a_decision_is_one_json_object_on_one_line() {
        let line = json_line(&unknown_card());
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
            human_line(&fault),
            "2026-11-23T09:00:00Z  main  reader fault (address 1): wrong key: the PD's cryptogram does not verify\n"
        );
        let value: serde_json::Value = serde_json::from_str(&json_line(&fault)).unwrap();
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
        assert!(human_line(&refused)
            .contains("store  audit record refused (address 2): the door is not"));
        let value: serde_json::Value = serde_json::from_str(&json_line(&refused)).unwrap();
        assert_eq!(value["event"], "audit_refused");
        assert_eq!(value["cause"], "not_a_lock");
    }

    #[test]
    fn a_refused_policy_is_drawn_for_people_and_listed_in_json() {
        let mut sources = accessctl_core::Sources::new();
        sources.add(
            "hq.acl",
            "site hq { timezone \"UTC\"  door main }\naccount a { user u \"U\" { allow mian } }\n",
        );
        let diagnostics = accessctl_core::check(&sources).diagnostics;
        let diagnosed = Diagnosed {
            sources,
            diagnostics,
        };
        let report = Report::PolicyRefused {
            at: "2026-11-23T09:00:00Z".into(),
            path: "hq.acl".into(),
            message: "the policy `hq.acl` has 1 error and cannot be queried".into(),
            diagnosed: Some(std::sync::Arc::new(diagnosed)),
        };
        let human = human_line(&report);
        assert!(human.starts_with("error[E0207]"), "{human}");
        let value: serde_json::Value = serde_json::from_str(&json_line(&report)).unwrap();
        assert_eq!(value["event"], "policy_refused");
        assert_eq!(value["diagnostics"][0]["code"], "E0207", "{value}");
        assert!(!json_line(&report).contains("^^^^"), "no drawing in JSON");
    }
}
