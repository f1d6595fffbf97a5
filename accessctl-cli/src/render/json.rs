//! Diagnostics, errors and explanation steps for programs: the JSON objects of the
//! stable schema in `docs/cli.md`.
//!
//! ```json
//! { "severity": "error", "code": "E0201", "summary": "a reference to a door that does not exist",
//!   "message": "unknown door `mian`", "file": "policy.acl", "line": 1, "column": 47,
//!   "end_line": 1, "end_column": 51, "label": null, "related": [],
//!   "help": "did you mean `main`?" }
//! ```
//!
//! Owns the field names and their meaning; adding a field is allowed, renaming or
//! removing one never is. It must never print anything itself: commands put these
//! objects into their documents.

use accessctl_core::decide::Step;
use accessctl_core::diagnostic::Label;
use accessctl_core::{Diagnostic, Severity, Sources};
use serde::Serialize;

use super::Location;

/// The version of every JSON document the tool prints; raised only on an
/// incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// One diagnostic, as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct JsonDiagnostic {
    /// `error` or `warning`.
    pub severity: Severity,
    /// The stable code, e.g. `E0201`.
    pub code: &'static str,
    /// The code's one-line summary from the catalogue.
    pub summary: &'static str,
    /// What is wrong.
    pub message: String,
    /// Where (the primary place), flattened into the object; absent fields when the
    /// diagnostic points into no file.
    #[serde(flatten)]
    pub location: Option<Location>,
    /// The note at the primary place, if any.
    pub label: Option<String>,
    /// Other places worth showing (the first definition of a duplicate, …).
    pub related: Vec<JsonLabel>,
    /// How to fix it, when known.
    pub help: Option<String>,
}

/// A secondary place of a diagnostic.
#[derive(Debug, Clone, Serialize)]
pub struct JsonLabel {
    /// Where.
    #[serde(flatten)]
    pub location: Option<Location>,
    /// What is said there (may be empty).
    pub message: String,
}

impl JsonDiagnostic {
    /// `diagnostic` with its places looked up in `sources`.
    pub fn new(sources: &Sources, diagnostic: &Diagnostic) -> JsonDiagnostic {
        let label = &diagnostic.primary.message;
        JsonDiagnostic {
            severity: diagnostic.severity,
            code: diagnostic.code.as_str(),
            summary: diagnostic.code.summary(),
            message: diagnostic.message.clone(),
            location: Location::of(sources, diagnostic.primary.span),
            label: (!label.is_empty()).then(|| label.clone()),
            related: diagnostic
                .secondary
                .iter()
                .map(|l| JsonLabel::new(sources, l))
                .collect(),
            help: diagnostic.help.clone(),
        }
    }

    /// Every diagnostic of `diagnostics`, in order.
    pub fn all(sources: &Sources, diagnostics: &[Diagnostic]) -> Vec<JsonDiagnostic> {
        diagnostics
            .iter()
            .map(|d| JsonDiagnostic::new(sources, d))
            .collect()
    }
}

impl JsonLabel {
    fn new(sources: &Sources, label: &Label) -> JsonLabel {
        JsonLabel {
            location: Location::of(sources, label.span),
            message: label.message.clone(),
        }
    }
}

/// An error that prevented an answer, as JSON: `{"kind": "unknown_door", "code": null,
/// "message": "unknown door `mian`", "help": "did you mean `main`?"}`.
#[derive(Debug, Clone, Serialize)]
pub struct JsonError {
    /// The stable kind of the error (see `docs/cli.md`).
    pub kind: &'static str,
    /// The diagnostic code that goes with it, if any (`E0705`).
    pub code: Option<&'static str>,
    /// What went wrong.
    pub message: String,
    /// How to fix it, when known.
    pub help: Option<String>,
}

impl JsonError {
    /// The JSON form of `error`.
    pub fn new(error: &crate::error::CliError) -> JsonError {
        JsonError {
            kind: error.kind(),
            code: error.code(),
            message: error.to_string(),
            help: error.help(),
        }
    }
}

/// One step of a decision's explanation, as JSON: the core's fields and the sentence
/// people read, `{"step": "schedule", "name": "office", "open": false, "text":
/// "schedule office: closed"}`.
#[derive(Debug, Clone, Serialize)]
pub struct JsonStep {
    /// The step's kind and fields, as the core names them.
    #[serde(flatten)]
    pub step: Step,
    /// The step as a sentence.
    pub text: String,
}

impl JsonStep {
    /// Every step of `steps`, with its sentence.
    pub fn all(steps: Vec<Step>) -> Vec<JsonStep> {
        steps
            .into_iter()
            .map(|step| JsonStep {
                text: step.to_string(),
                step,
            })
            .collect()
    }
}

/// `value` as pretty JSON followed by a line break.
pub fn document(value: &impl Serialize) -> Vec<u8> {
    match serde_json::to_vec_pretty(value) {
        Ok(mut bytes) => {
            bytes.push(b'\n');
            bytes
        }
        // Serializing plain structs of strings and numbers cannot fail; say so in JSON
        // rather than print nothing.
        Err(e) => format!("{{\"version\":{SCHEMA_VERSION},\"error\":{{\"kind\":\"internal\",\"message\":{:?}}}}}\n", e.to_string()).into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accessctl_core::{Code, FileId, Span};

    #[test]
    fn a_diagnostic_has_its_place_flattened() {
        let mut sources = Sources::new();
        sources.add("p.acl", "door a\ngroup g = mian\n");
        let d = Diagnostic::error(Code::UnknownDoor, Span::new(FileId(0), 17, 21), "m")
            .with_secondary(Span::new(FileId(0), 5, 6), "here")
            .with_help("h");
        let value = serde_json::to_value(JsonDiagnostic::new(&sources, &d)).unwrap();
        assert_eq!(value["code"], "E0201");
        assert_eq!(value["severity"], "error");
        assert_eq!(value["file"], "p.acl");
        assert_eq!(
            (value["line"].as_u64(), value["column"].as_u64()),
            (Some(2), Some(11))
        );
        assert_eq!(value["end_column"], 15);
        assert_eq!(value["label"], serde_json::Value::Null);
        assert_eq!(value["related"][0]["column"], 6);
        assert_eq!(value["related"][0]["message"], "here");
        assert_eq!(value["help"], "h");
    }
}
