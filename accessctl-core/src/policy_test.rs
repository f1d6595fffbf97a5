//! Policy tests: expectations written beside a policy, run against its compiled form.
//!
//! Owns [`Expectation`] — what the author of a `test "…" { … }` block expects the
//! decision engine to answer, with every name already resolved by the validator —,
//! [`run`], which asks the engine each expectation's question and says whether the
//! answer matches, and the text that describes an expectation and a decision back in
//! messages.
//!
//! It must never parse text nor resolve names (the validator builds expectations),
//! never read a clock, and never print a keypad code, QR code or mobile key: they show
//! as `"…"` in descriptions, like every secret of a policy.

use std::fmt::Write as _;

use crate::compile::CompiledPolicy;
use crate::decide::{self, Decision, Presented, Reason, Request};
use crate::model::{AppointmentId, DoorId, Policy, UserId};
use crate::source::Span;
use crate::time::Timestamp;

/// One expectation of a policy test: "this subject may (not) open this door at this
/// instant [, for this reason]".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// The title of the test it belongs to.
    pub title: String,
    /// Where the expectation is written, from its subject to its last word.
    pub span: Span,
    /// Who asks to open.
    pub subject: Subject,
    /// The door.
    pub door: DoorId,
    /// When (a written local time resolved in the door's site zone).
    pub at: Timestamp,
    /// The site's network is down.
    pub offline: bool,
    /// `may` (true) or `may not` (false).
    pub allowed: bool,
    /// The reason the decision must give, when written (`because …`).
    pub because: Option<Reason>,
}

/// Who asks to open, in an expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A user, whatever the medium.
    User(UserId),
    /// A user opening over the network.
    Remote(UserId),
    /// The guest with this email, in every appointment that invites it (at least one):
    /// allowed when one of those appointments allows (see [`Expectation::decide`]).
    Guest {
        /// The email as written in the test.
        email: String,
        /// The appointments inviting it, with the guest's position in each, in policy
        /// order.
        guests: Vec<(AppointmentId, u32)>,
    },
    /// Credentials presented together at the door's reader.
    Credentials(Credentials),
}

/// Credentials presented at a reader, owned (see [`Presented`] for the borrowed form
/// the engine reads).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// A card number.
    pub card: Option<u64>,
    /// A code typed on the keypad.
    pub pin: Option<String>,
    /// A QR code.
    pub qr: Option<String>,
    /// A mobile key.
    pub mobile: Option<String>,
}

impl Credentials {
    /// The credentials as the engine reads them.
    pub fn presented(&self) -> Presented<'_> {
        Presented {
            card: self.card,
            pin: self.pin.as_deref(),
            qr: self.qr.as_deref(),
            mobile: self.mobile.as_deref(),
        }
    }
}

/// The run of one expectation: the engine's decision, and whether it is the one
/// expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome<'e> {
    /// The expectation run.
    pub expectation: &'e Expectation,
    /// What the engine decided.
    pub decision: Decision,
    /// The decision allows exactly when `may` was written, and gives the reason
    /// written after `because`, if any.
    pub passed: bool,
}

/// Runs every expectation against `compiled`, in order.
///
/// ```
/// use accessctl_core::{check, policy_test, CompiledPolicy, Sources};
///
/// let mut sources = Sources::new();
/// sources.add("hq.acl", r#"
/// site hq { timezone "Europe/Paris"  door main  door vault }
/// account acme { user ana "Ana" { card 42  allow main } }
/// test "Ana's doors" {
///   ana may open main at 2026-11-23T09:00
///   card 42 may not open vault at 2026-11-23T09:00 because not_granted
/// }
/// "#);
/// let checked = check(&sources);
/// let policy = checked.policy.expect("valid policy");
/// let outcomes = policy_test::run(&CompiledPolicy::new(&policy), &checked.tests);
/// assert!(outcomes.iter().all(|outcome| outcome.passed));
/// ```
pub fn run<'e>(compiled: &CompiledPolicy, expectations: &'e [Expectation]) -> Vec<Outcome<'e>> {
    expectations
        .iter()
        .map(|expectation| {
            let decision = expectation.decide(compiled);
            Outcome {
                expectation,
                decision,
                passed: expectation.is_met_by(&decision),
            }
        })
        .collect()
}

/// The reason whose stable code is `code` (`outside_schedule`), if any.
pub fn reason_named(code: &str) -> Option<Reason> {
    Reason::ALL.into_iter().find(|reason| reason.code() == code)
}

impl Expectation {
    /// The engine's decision on this expectation's question. A guest invited to
    /// several appointments is allowed when one of them allows (the first that does
    /// decides); otherwise the denial is that of the appointment that came closest to
    /// opening, the one that passed the most steps of the guest's decision (the first
    /// written, on a tie).
    pub fn decide(&self, compiled: &CompiledPolicy) -> Decision {
        let request = |subject| Request {
            subject,
            door: self.door,
            at: self.at,
            offline: self.offline,
        };
        match &self.subject {
            Subject::User(user) => compiled.decide(&request(decide::Subject::User(*user))),
            Subject::Remote(user) => compiled.decide(&request(decide::Subject::Remote(*user))),
            Subject::Credentials(credentials) => compiled.decide(&request(
                decide::Subject::Credentials(credentials.presented()),
            )),
            Subject::Guest { guests, .. } => {
                let decisions = guests.iter().map(|&(appointment, guest)| {
                    compiled.decide(&request(decide::Subject::Guest(appointment, guest)))
                });
                closest(decisions).unwrap_or_else(|| nobody(self.door))
            }
        }
    }

    /// Whether `decision` is the one expected.
    pub fn is_met_by(&self, decision: &Decision) -> bool {
        decision.allowed() == self.allowed && self.because.is_none_or(|r| r == decision.reason)
    }

    /// The expectation as a line of the language, names and instant as the policy
    /// knows them (the instant in the door's local time, with its offset), secrets
    /// hidden: `ana may not open r2 at 2026-11-23T09:00+01:00 because outside_schedule`.
    pub fn describe(&self, policy: &Policy) -> String {
        let mut text = subject_text(&self.subject, policy);
        text.push_str(if self.allowed { " may" } else { " may not" });
        let _ = write!(
            text,
            " open {} at {}",
            door_name(policy, self.door),
            local_instant(policy, self.door, self.at)
        );
        if self.offline {
            text.push_str(" offline");
        }
        if let Some(reason) = self.because {
            let _ = write!(text, " because {}", reason.code());
        }
        text
    }
}

impl Outcome<'_> {
    /// What the engine answered, for a message: `allowed (granted)` or
    /// `denied (outside_schedule: the user's schedule is closed)`.
    pub fn verdict(&self) -> String {
        let reason = self.decision.reason;
        let answer = if self.decision.allowed() {
            "allowed"
        } else {
            "denied"
        };
        format!("{answer} ({}: {})", reason.code(), reason.summary())
    }
}

/// Of decisions on one guest's appointments, the first that allows, else the one that
/// went furthest.
fn closest(decisions: impl Iterator<Item = Decision>) -> Option<Decision> {
    let mut best: Option<Decision> = None;
    for decision in decisions {
        if decision.allowed() {
            return Some(decision);
        }
        if best.is_none_or(|b| progress(decision.reason) > progress(b.reason)) {
            best = Some(decision);
        }
    }
    best
}

/// How far a guest's decision went before it denied (`docs/decisions.md`, step 5).
fn progress(reason: Reason) -> u8 {
    match reason {
        Reason::OfflineNotAllowed => 1,
        Reason::BeyondCeiling => 2,
        Reason::NotGranted => 3,
        Reason::AppointmentNotNow => 4,
        Reason::DoorClosed => 5,
        _ => 0,
    }
}

/// The denial of a guest no appointment invites (the validator never builds one).
fn nobody(door: DoorId) -> Decision {
    Decision {
        reason: Reason::UnknownCredential,
        holder: None,
        via: None,
        schedule: None,
        ceiling: None,
        door,
        passage: None,
    }
}

fn subject_text(subject: &Subject, policy: &Policy) -> String {
    match subject {
        Subject::User(user) => user_name(policy, *user),
        Subject::Remote(user) => format!("remote {}", user_name(policy, *user)),
        Subject::Guest { email, .. } => format!("guest {email:?}"),
        Subject::Credentials(credentials) => credentials_text(credentials),
    }
}

/// `card 42 + pin "…"`: card numbers shown (they are printed on the cards), codes and
/// keys hidden.
fn credentials_text(credentials: &Credentials) -> String {
    let mut parts = Vec::new();
    if let Some(card) = credentials.card {
        parts.push(format!("card {card}"));
    }
    for (kind, value) in [
        ("pin", &credentials.pin),
        ("qr", &credentials.qr),
        ("mobile", &credentials.mobile),
    ] {
        if value.is_some() {
            parts.push(format!("{kind} \"…\""));
        }
    }
    parts.join(" + ")
}

fn user_name(policy: &Policy, user: UserId) -> String {
    policy
        .users
        .get(user.index())
        .map_or_else(|| format!("user #{}", user.0), |u| u.name.clone())
}

fn door_name(policy: &Policy, door: DoorId) -> String {
    policy
        .doors
        .get(door.index())
        .map_or_else(|| format!("door #{}", door.0), |d| d.name.clone())
}

/// `at` in the local time of the door's site, with its offset (UTC when the door is
/// unknown); seconds only when there are some.
fn local_instant(policy: &Policy, door: DoorId, at: Timestamp) -> String {
    let Some(utc) = chrono::DateTime::from_timestamp(at.0, 0) else {
        return format!("@{}", at.0);
    };
    let format = if at.0.rem_euclid(60) == 0 {
        "%Y-%m-%dT%H:%M%:z"
    } else {
        "%Y-%m-%dT%H:%M:%S%:z"
    };
    let zone = policy
        .doors
        .get(door.index())
        .and_then(|d| policy.sites.get(d.site.index()))
        .map(|s| s.timezone);
    match zone {
        Some(zone) => utc.with_timezone(&zone).format(format).to_string(),
        None => utc.format(format).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check, Sources};

    const POLICY: &str = r#"
site hq { timezone "Europe/Paris"  door main  door vault { readers badge pin  require badge pin } }
schedule days { mon..fri 08:00-19:00 }
account acme { user ana { card 42  pin "1234"  schedule days  allow main vault } }
appointment early on 2026-05-07 08:00-09:00 { doors main  guest "A" <a@example.com> }
appointment late on 2026-05-07 16:00-17:00 { doors vault  guest "A" <a@example.com> }
test "t" {
  ana may open main at 2026-11-23T09:00
  card 42 + pin "1234" may open vault at 2026-11-23T09:00:30 because granted
  guest "a@example.com" may open main at 2026-05-07T08:30
}
"#;

    fn policy() -> (Policy, Vec<Expectation>) {
        let mut sources = Sources::new();
        sources.add("p.acl", POLICY);
        let checked = check(&sources);
        assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
        (checked.policy.unwrap(), checked.tests)
    }

    fn decision(reason: Reason) -> Decision {
        Decision {
            reason,
            ..nobody(DoorId(0))
        }
    }

    #[test]
    fn expectations_keep_title_door_instant_and_subject() {
        let (policy, tests) = policy();
        assert_eq!(tests.len(), 3);
        let first = &tests[0];
        assert_eq!(first.title, "t");
        assert_eq!(first.door, policy.door_named("main").unwrap());
        // 09:00 in Paris in November is 08:00 UTC.
        assert_eq!(first.at, Timestamp(1_795_420_800));
        assert!(first.allowed && !first.offline && first.because.is_none());
        let Subject::Credentials(credentials) = &tests[1].subject else {
            panic!("credentials")
        };
        assert_eq!(credentials.presented().card, Some(42));
        assert_eq!(credentials.presented().pin, Some("1234"));
        assert!(matches!(&tests[2].subject, Subject::Guest { guests, .. } if guests.len() == 2));
    }

    #[test]
    fn run_decides_every_expectation_in_order() {
        let (policy, tests) = policy();
        let outcomes = run(&CompiledPolicy::new(&policy), &tests);
        let reasons: Vec<_> = outcomes.iter().map(|o| o.decision.reason).collect();
        assert_eq!(
            reasons,
            [Reason::Granted, Reason::Granted, Reason::Appointment]
        );
        assert!(outcomes.iter().all(|o| o.passed));
        assert!(std::ptr::eq(outcomes[1].expectation, &tests[1]));
    }

    #[test]
    fn a_guest_takes_an_allow_else_the_furthest_denial() {
        let (policy, tests) = policy();
        let compiled = CompiledPolicy::new(&policy);
        let mut guest = tests[2].clone();
        // At 16:30 the early appointment is over (not now) and the late one does
        // not hold `main` (not granted): "not now" went further.
        guest.at = Timestamp(guest.at.0 + 8 * 3600);
        assert_eq!(guest.decide(&compiled).reason, Reason::AppointmentNotNow);
        guest.door = policy.door_named("vault").unwrap();
        assert_eq!(guest.decide(&compiled).reason, Reason::Appointment);
        guest.subject = Subject::Guest {
            email: "nobody@example.com".to_owned(),
            guests: Vec::new(),
        };
        assert_eq!(guest.decide(&compiled).reason, Reason::UnknownCredential);
        let order = [
            Reason::NotGranted,
            Reason::DoorClosed,
            Reason::AppointmentNotNow,
        ];
        let best = closest(order.into_iter().map(decision)).unwrap();
        assert_eq!(best.reason, Reason::DoorClosed);
        let allow = [
            Reason::OfflineNotAllowed,
            Reason::Appointment,
            Reason::DoorClosed,
        ];
        let best = closest(allow.into_iter().map(decision)).unwrap();
        assert_eq!(best.reason, Reason::Appointment);
        assert!(closest(std::iter::empty()).is_none());
    }

    #[test]
    fn an_expectation_is_met_by_the_allow_and_the_reason_written() {
        let (_, tests) = policy();
        let mut expectation = tests[0].clone();
        assert!(expectation.is_met_by(&decision(Reason::Granted)));
        assert!(expectation.is_met_by(&decision(Reason::SpaceCode)));
        assert!(!expectation.is_met_by(&decision(Reason::NotGranted)));
        expectation.because = Some(Reason::Granted);
        assert!(!expectation.is_met_by(&decision(Reason::SpaceCode)));
        expectation.allowed = false;
        expectation.because = None;
        assert!(expectation.is_met_by(&decision(Reason::DoorClosed)));
        assert!(!expectation.is_met_by(&decision(Reason::Granted)));
    }

    #[test]
    fn descriptions_name_things_show_local_time_and_hide_codes() {
        let (policy, tests) = policy();
        let described: Vec<String> = tests.iter().map(|e| e.describe(&policy)).collect();
        assert_eq!(
            described,
            [
                "ana may open main at 2026-11-23T09:00+01:00",
                "card 42 + pin \"…\" may open vault at 2026-11-23T09:00:30+01:00 because granted",
                "guest \"a@example.com\" may open main at 2026-05-07T08:30+02:00",
            ]
        );
        let mut odd = tests[0].clone();
        odd.subject = Subject::Remote(UserId(99));
        odd.door = DoorId(99);
        odd.allowed = false;
        odd.offline = true;
        assert_eq!(
            odd.describe(&policy),
            "remote user #99 may not open door #99 at 2026-11-23T08:00+00:00 offline"
        );
        let all = Credentials {
            card: None,
            pin: Some("1".to_owned()),
            qr: Some("q".to_owned()),
            mobile: Some("m".to_owned()),
        };
        assert_eq!(
            credentials_text(&all),
            "pin \"…\" + qr \"…\" + mobile \"…\""
        );
    }

    #[test]
    fn verdicts_say_allowed_or_denied_and_why() {
        let (_, tests) = policy();
        let outcome = Outcome {
            expectation: &tests[0],
            decision: decision(Reason::OutsideSchedule),
            passed: false,
        };
        assert_eq!(
            outcome.verdict(),
            "denied (outside_schedule: the user's schedule is closed)"
        );
    }
}
