//! Diagnostics: what is wrong with a policy, where, and how to fix it.
//!
//! Owns the [`Diagnostic`] value every stage (parser, validator) reports through and
//! the catalogue of stable [`Code`]s. It renders nothing: the CLI turns diagnostics
//! into text, JSON or CI annotations. Messages are lowercase without a final period,
//! with user input in backticks; a `help` says how to fix the problem.

use crate::source::Span;
use serde::Serialize;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Legal but suspicious; the policy still loads.
    Warning,
    /// The policy cannot be used as written.
    Error,
}

/// A place in the source with a short note about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say there; may be empty.
    pub message: String,
}

/// One problem found in a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The stable code, e.g. `E0201`.
    pub code: Code,
    /// What is wrong, lowercase, no final period.
    pub message: String,
    /// The place the problem is reported at.
    pub primary: Label,
    /// Other places worth showing (the first definition of a duplicate, …).
    pub secondary: Vec<Label>,
    /// How to fix it, when we know.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error with code `code` at `span`.
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, span, message)
    }

    /// A warning with code `code` at `span`.
    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, span, message)
    }

    fn new(severity: Severity, code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            primary: Label {
                span,
                message: String::new(),
            },
            secondary: Vec::new(),
            help: None,
        }
    }

    /// Sets the note shown under the primary place.
    pub fn with_label(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary.message = message.into();
        self
    }

    /// Adds another place to show.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets how to fix it.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

macro_rules! codes {
    ($($(#[doc = $doc:literal])* $name:ident = $code:literal,)*) => {
        /// The stable code of a diagnostic. Codes never change meaning once released;
        /// `docs/diagnostics.md` lists them all.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $($(#[doc = $doc])* $name,)*
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];

            /// The code as written in output, e.g. `E0201`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => $code,)* }
            }

            /// The one-line summary of the code.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$name => concat!($($doc),*).trim_ascii(),)* }
            }
        }
    };
}

codes! {
    // Syntax: E01xx
    /// a character that starts no token
    UnexpectedCharacter = "E0101",
    /// a string with no closing quote
    UnterminatedString = "E0102",
    /// a token where the grammar expects another
    UnexpectedToken = "E0103",
    /// a backslash escape the language does not know
    InvalidEscape = "E0104",
    /// a `{` with no matching `}`
    UnclosedBlock = "E0105",
    /// a reserved word used as a name
    ReservedWord = "E0106",
    /// a part given twice in one clause (e.g. `doors` twice in a ceiling)
    RepeatedPart = "E0107",

    // Names and references: E02xx
    /// a reference to a door that does not exist
    UnknownDoor = "E0201",
    /// a reference to a door group that does not exist
    UnknownGroup = "E0202",
    /// a reference to a path that does not exist
    UnknownPath = "E0203",
    /// a reference to a schedule that does not exist
    UnknownSchedule = "E0204",
    /// a reference to a holiday calendar that does not exist
    UnknownCalendar = "E0205",
    /// a reference to a site that does not exist
    UnknownSite = "E0206",
    /// a name that is no site, door, group or path
    UnknownTarget = "E0207",
    /// a reference of the wrong kind (a group named where a path is required)
    WrongKind = "E0208",
    /// a name defined twice
    DuplicateName = "E0210",
    /// a door external id used by two doors
    DuplicateDoorId = "E0211",
    /// a clause that may appear once given twice (two time zones, two emails, …)
    DuplicateClause = "E0212",
    /// an account that does not exist
    UnknownAccount = "E0213",
    /// a reference to a user that does not exist (in a policy test)
    UnknownUser = "E0214",
    /// an email that no appointment's guest has (in a policy test)
    UnknownGuest = "E0215",

    // Values: E03xx
    /// a time zone that is not an IANA name
    InvalidTimezone = "E0301",
    /// a time of day that does not exist (`25:00`, `08:61`)
    MalformedTime = "E0302",
    /// a time range that covers no time (`08:00-08:00`)
    EmptyTimeRange = "E0303",
    /// a date that does not exist (`2026-02-30`)
    MalformedDate = "E0304",
    /// a validity window or date range whose end comes before its start
    EndBeforeStart = "E0305",
    /// an email address that is not one
    MalformedEmail = "E0306",
    /// an IP address that is not one
    MalformedIp = "E0307",
    /// a card number that is not a number or does not fit in 64 bits
    MalformedCard = "E0308",
    /// a PIN that is not 4 to 12 digits
    MalformedPin = "E0309",
    /// an admin right the language does not know
    UnknownRight = "E0310",
    /// a door memory capacity of zero or beyond 32 bits
    InvalidCapacity = "E0311",
    /// an empty QR code, mobile key or external id
    EmptyValue = "E0312",
    /// an instant that is not one (`2026-02-30T09:00`, `2026-11-23T25:00`)
    MalformedInstant = "E0313",
    /// a local instant that the door's site skips or repeats (daylight-saving changes)
    AmbiguousInstant = "E0314",
    /// a decision reason code the engine does not know (in a policy test)
    UnknownReason = "E0315",
    /// a card format the language does not know (in `cards`)
    UnknownCardFormat = "E0316",
    /// a card format listed twice in one `cards` clause
    RepeatedCardFormat = "E0317",
    /// a duration that is not one (`timed 0m`, `timed 30s`, beyond 24 hours)
    InvalidDuration = "E0318",
    /// a reader number beyond 255 (`entry main reader 300`)
    InvalidReader = "E0319",

    // Credentials and codes: E04xx
    /// a card number held twice in a site
    DuplicateCard = "E0401",
    /// a QR code held twice in a site
    DuplicateQr = "E0402",
    /// a mobile key held twice in a site
    DuplicateMobile = "E0403",
    /// a PIN held twice in a site
    DuplicatePin = "E0404",
    /// a permanent space code that is not exactly 6 characters
    SpaceCodeLength = "E0405",
    /// two permanent space codes alike on one door
    SpaceCodeCollision = "E0406",

    // Appointments: E05xx
    /// an appointment whose range crosses midnight
    AppointmentCrossesMidnight = "E0501",
    /// a guest with no email address
    GuestWithoutEmail = "E0502",
    /// an appointment with no door or no guest
    EmptyAppointment = "E0503",

    // Delegation: E06xx
    /// a grant that reaches beyond a sub-account's door ceiling
    GrantBeyondCeiling = "E0601",
    /// admin rights beyond a sub-account's rights ceiling
    RightsBeyondCeiling = "E0602",
    /// a sub-account ceiling wider than its parent's
    CeilingBeyondParent = "E0603",
    /// a ceiling on a top-level account
    CeilingOnAccount = "E0604",
    /// a `created_by` naming a user who holds no admin right
    CreatorNotAdmin = "E0605",
    /// a `created_by` naming an admin of an account the user is not in, nor below
    CreatorOutOfReach = "E0606",

    // Structure: E07xx
    /// a site with no time zone
    MissingTimezone = "E0701",
    /// a group, path or space code naming a door of another site
    ForeignDoor = "E0702",
    /// a path with fewer than two doors, or a door twice in a row
    MalformedPath = "E0703",
    /// a door requiring a factor its readers do not accept, or fewer than two factors
    MalformedFactors = "E0704",
    /// a policy with no file, or a file that cannot be read as text
    NoPolicy = "E0705",

    // Policy tests: E08xx
    /// an expectation whose `because` reason contradicts its `may` or `may not`
    ContradictoryReason = "E0801",

    // Anti-passback zones: E09xx
    /// a door reader that is both an entry and an exit of one zone
    ZoneBothWays = "E0901",
    /// a door reader listed twice, in one zone or in two
    ZoneReaderTwice = "E0902",
    /// a zone with no entry
    EmptyZone = "E0903",
    /// a zone with no `antipassback` clause
    MissingAntipassback = "E0904",

    // Warnings: W01xx
    /// a schedule nobody uses
    UnusedSchedule = "W0101",
    /// a door nobody can open
    UnreachableDoor = "W0102",
    /// a user with no credential
    UserWithoutCredential = "W0103",
    /// a holiday calendar nobody uses
    UnusedCalendar = "W0104",
    /// a door group or path nobody uses
    UnusedGroup = "W0105",
    /// an offline lock in an anti-passback zone, where the zone is never checked
    OfflineZoneDoor = "W0106",
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert_eq!(s.len(), 5);
            assert!(s.starts_with('E') || s.starts_with('W'));
            assert!(!code.summary().is_empty());
        }
    }
}
