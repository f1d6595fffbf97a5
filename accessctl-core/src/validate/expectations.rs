//! Policy tests: the expectations of `test` blocks, resolved against the model.
//!
//! Owns turning each written expectation into a [`policy_test::Expectation`]: its
//! subject (a user, E0214; the email of an appointment's guest, E0215; a card number,
//! E0308), its door (E0201, E0208), its instant read in the door's site zone (E0313,
//! E0314) and its reason (E0315), which must agree with `may` or `may not` (E0801).
//!
//! It must never decide anything (`policy_test` runs the expectations), never add to
//! the model (expectations live beside it), and never print a keypad code, QR code or
//! mobile key in a message.

use super::names::Names;
use super::resolve;
use super::values;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{AppointmentId, DoorId, Policy, UserId};
use crate::policy_test::{self, Credentials, Expectation, Subject};
use crate::suggest;
use crate::syntax::ast::{self, DateTime, Entry, Ident, Str, TestCredential, TestSubject};
use crate::time::{Timestamp, TimestampError, WrittenTimestamp};
use crate::Reason;
use rustc_hash::FxHashMap as HashMap;

/// The expectations of every test of `names`, in source order; an expectation with an
/// error is reported and left out.
pub(super) fn lower(
    names: &Names<'_>,
    policy: &Policy,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Expectation> {
    if names.tests.is_empty() {
        return Vec::new();
    }
    let resolver = Resolver::new(names, policy);
    let mut expectations = Vec::new();
    for test in &names.tests {
        for entry in &test.body.entries {
            expectations.extend(resolver.expectation(&test.title.value, entry, diags));
        }
    }
    expectations
}

/// A problem already reported.
struct Reported;

/// What expectations are resolved against.
struct Resolver<'n, 'a> {
    names: &'n Names<'a>,
    policy: &'n Policy,
    /// Users by name (the first definition wins).
    users: HashMap<&'a str, UserId>,
}

impl<'n, 'a> Resolver<'n, 'a> {
    fn new(names: &'n Names<'a>, policy: &'n Policy) -> Resolver<'n, 'a> {
        let mut users = HashMap::default();
        for (index, (user, _)) in names.users.iter().enumerate() {
            users
                .entry(user.name.name.as_str())
                .or_insert(UserId(super::id(index)));
        }
        Resolver {
            names,
            policy,
            users,
        }
    }

    /// Resolves every part of one expectation, reporting each problem.
    fn expectation(
        &self,
        title: &str,
        entry: &Entry<ast::Expectation>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Expectation> {
        let written = &entry.node;
        let subject = self.subject(&written.subject, diags);
        let door = self.names.door(&written.door, diags);
        let at = self.instant(&written.at, door, diags);
        let because = because(written, diags);
        Some(Expectation {
            title: title.to_owned(),
            span: entry.span,
            subject: subject.ok()?,
            door: door?,
            at: at.ok()?,
            offline: written.offline.is_some(),
            allowed: written.allowed,
            because: because.ok()?,
        })
    }

    fn subject(
        &self,
        subject: &TestSubject,
        diags: &mut Vec<Diagnostic>,
    ) -> Result<Subject, Reported> {
        match subject {
            TestSubject::User(name) => self.user(name, diags).map(Subject::User),
            TestSubject::Remote(name) => self.user(name, diags).map(Subject::Remote),
            TestSubject::Guest(email) => self.guest(email, diags),
            TestSubject::Credentials(written) => credentials(written, diags),
        }
    }

    /// A user by name (E0214).
    fn user(&self, name: &Ident, diags: &mut Vec<Diagnostic>) -> Result<UserId, Reported> {
        if let Some(&user) = self.users.get(name.name.as_str()) {
            return Ok(user);
        }
        let candidates = self.names.users.iter().map(|(u, _)| u.name.name.as_str());
        diags.push(resolve::unknown(
            Code::UnknownUser,
            "user",
            name,
            candidates,
        ));
        Err(Reported)
    }

    /// Every appointment's guest whose email is `email`, ignoring ASCII case (E0215).
    fn guest(&self, email: &Str, diags: &mut Vec<Diagnostic>) -> Result<Subject, Reported> {
        let guests: Vec<(AppointmentId, u32)> = self
            .invited()
            .filter(|(_, _, address)| address.eq_ignore_ascii_case(&email.value))
            .map(|(appointment, guest, _)| (appointment, guest))
            .collect();
        if !guests.is_empty() {
            return Ok(Subject::Guest {
                email: email.value.clone(),
                guests,
            });
        }
        let near = suggest::nearest(&email.value, self.invited().map(|(_, _, a)| a));
        let help = match near {
            Some(near) => format!("did you mean `{near}`?"),
            None => "name a guest by the email written in its appointment".to_owned(),
        };
        diags.push(
            Diagnostic::error(
                Code::UnknownGuest,
                email.span,
                format!("no appointment invites a guest `{}`", email.value),
            )
            .with_label("no guest has this email")
            .with_help(help),
        );
        Err(Reported)
    }

    /// Every guest of every appointment: its appointment, position and email.
    fn invited(&self) -> impl Iterator<Item = (AppointmentId, u32, &'n str)> + 'n {
        self.policy
            .appointments
            .iter()
            .enumerate()
            .flat_map(|(a, appointment)| {
                let id = AppointmentId(super::id(a));
                appointment
                    .guests
                    .iter()
                    .enumerate()
                    .map(move |(g, guest)| (id, super::id(g), guest.email.as_str()))
            })
    }

    /// The instant written, read in the zone of the door's site (E0313, E0314).
    fn instant(
        &self,
        at: &DateTime,
        door: Option<DoorId>,
        diags: &mut Vec<Diagnostic>,
    ) -> Result<Timestamp, Reported> {
        let written = WrittenTimestamp::parse(&at.text).map_err(|_| {
            diags.push(malformed_instant(at));
            Reported
        })?;
        let site = door
            .and_then(|d| self.policy.doors.get(d.index()))
            .and_then(|d| self.policy.sites.get(d.site.index()))
            .ok_or(Reported)?;
        written.resolve(site.timezone).map_err(|error| {
            diags.push(unresolved_instant(at, &site.name, error));
            Reported
        })
    }
}

/// Credentials joined by `+` (the parser keeps one of each kind), card numbers checked
/// (E0308).
fn credentials(
    written: &[TestCredential],
    diags: &mut Vec<Diagnostic>,
) -> Result<Subject, Reported> {
    let mut credentials = Credentials::default();
    let mut failed = false;
    for credential in written {
        match credential {
            TestCredential::Card(number) => {
                credentials.card = values::card(number, diags);
                failed |= credentials.card.is_none();
            }
            TestCredential::Pin(code) => credentials.pin = Some(code.value.clone()),
            TestCredential::Qr(code) => credentials.qr = Some(code.value.clone()),
            TestCredential::Mobile(key) => credentials.mobile = Some(key.value.clone()),
        }
    }
    if failed {
        return Err(Reported);
    }
    Ok(Subject::Credentials(credentials))
}

/// The reason after `because`, known (E0315) and agreeing with `may` or `may not`
/// (E0801).
fn because(
    written: &ast::Expectation,
    diags: &mut Vec<Diagnostic>,
) -> Result<Option<Reason>, Reported> {
    let Some(code) = &written.because else {
        return Ok(None);
    };
    let Some(reason) = policy_test::reason_named(&code.name) else {
        diags.push(unknown_reason(code));
        return Err(Reported);
    };
    if reason.is_allow() != written.allowed {
        diags.push(contradictory_reason(code, reason, written.allowed));
        return Err(Reported);
    }
    Ok(Some(reason))
}

/// `` `granted`, `appointment`, … `` for every reason that allows (or denies).
fn codes(allow: bool) -> String {
    let codes: Vec<String> = Reason::ALL
        .into_iter()
        .filter(|r| r.is_allow() == allow)
        .map(|r| format!("`{}`", r.code()))
        .collect();
    codes.join(", ")
}

fn unknown_reason(code: &Ident) -> Diagnostic {
    let all = Reason::ALL.into_iter().map(Reason::code);
    let listed = format!(
        "the reasons that allow are {}; those that deny are {}",
        codes(true),
        codes(false)
    );
    let help = match suggest::nearest(&code.name, all) {
        Some(near) => format!("did you mean `{near}`? {listed}"),
        None => listed,
    };
    Diagnostic::error(
        Code::UnknownReason,
        code.span,
        format!("unknown reason `{}`", code.name),
    )
    .with_label("no decision gives this reason")
    .with_help(help)
}

fn contradictory_reason(code: &Ident, reason: Reason, allowed: bool) -> Diagnostic {
    let (does, says, fix) = if allowed {
        (
            "denies",
            "may",
            format!("write `may not`, or a reason that allows: {}", codes(true)),
        )
    } else {
        (
            "allows",
            "may not",
            format!("write `may`, or a reason that denies: {}", codes(false)),
        )
    };
    Diagnostic::error(
        Code::ContradictoryReason,
        code.span,
        format!(
            "`{}` {does}, but the expectation says `{says}`",
            reason.code()
        ),
    )
    .with_label(format!("a reason that {does}"))
    .with_help(fix)
}

fn malformed_instant(at: &DateTime) -> Diagnostic {
    Diagnostic::error(
        Code::MalformedInstant,
        at.span,
        format!("`{}` is not an instant", at.text),
    )
    .with_label("no such date, time or offset")
    .with_help(
        "write YYYY-MM-DDTHH:MM[:SS], optionally followed by `Z` or an offset of at most \
         18 hours such as `+01:00`; months go from 01 to 12, hours from 00 to 23",
    )
}

fn unresolved_instant(at: &DateTime, site: &str, error: TimestampError) -> Diagnostic {
    match error {
        TimestampError::Skipped { zone, .. } => Diagnostic::error(
            Code::AmbiguousInstant,
            at.span,
            format!(
                "`{}` never happens at site `{site}`: {zone} skips it",
                at.text
            ),
        )
        .with_label("the clocks jump over this local time")
        .with_help("write the offset from UTC explicitly (`+01:00`), or a time the clocks show"),
        TimestampError::Ambiguous {
            zone,
            first,
            second,
            ..
        } => Diagnostic::error(
            Code::AmbiguousInstant,
            at.span,
            format!(
                "`{}` happens twice at site `{site}`: {zone} goes back over it",
                at.text
            ),
        )
        .with_label("the clocks show this local time twice")
        .with_help(format!(
            "write which one with its offset: `{first}` or `{second}`"
        )),
        TimestampError::Malformed(_) => malformed_instant(at),
    }
}
