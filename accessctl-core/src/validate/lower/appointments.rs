//! Lowering of appointments and their guests.
//!
//! Owns each appointment: its day (E0304), its range within that day (E0302, E0303;
//! crossing midnight is E0501, `24:00` ends the day), its doors and guests (at least
//! one of each, E0503), guests' emails (E0502, E0306) and credentials (E0309, E0312),
//! and the once-only details (E0212).
//!
//! It must never check that a guest's credential is unique or that the doors stay
//! within the owning sub-account's ceiling: later stages do.

use super::once::Once;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{self, AccountId, Credential, Policy, TimeRange};
use crate::syntax::ast::{self, AppointmentClause, GuestCredential};
use crate::validate::names::Names;
use crate::validate::values;

/// Lowers every appointment of `names` into `policy`.
pub(super) fn lower(names: &Names<'_>, policy: &mut Policy, diags: &mut Vec<Diagnostic>) {
    policy.appointments = names
        .appointments
        .iter()
        .map(|(a, account)| appointment(names, a, *account, diags))
        .collect();
}

fn appointment(
    names: &Names<'_>,
    appointment: &ast::Appointment,
    account: Option<AccountId>,
    diags: &mut Vec<Diagnostic>,
) -> model::Appointment {
    let mut lowered = model::Appointment {
        name: appointment.name.name.clone(),
        account,
        date: values::date(&appointment.date, diags).unwrap_or_default(),
        range: one_day(&appointment.range, diags).unwrap_or(TimeRange { start: 0, end: 0 }),
        targets: Vec::new(),
        guests: Vec::new(),
        organizer: None,
        subject: None,
        description: None,
        remote: false,
    };
    let mut once = Once::new("appointment");
    let mut written_targets = 0;
    for entry in &appointment.body.entries {
        let at = entry.span;
        match &entry.node {
            AppointmentClause::Doors(targets) => {
                written_targets += targets.len();
                let resolved = targets.iter().filter_map(|t| names.target(t, diags));
                lowered.targets.extend(resolved);
            }
            AppointmentClause::Guest(guest) => lowered.guests.push(self::guest(guest, diags)),
            AppointmentClause::Organizer(s) if once.first("organizer", at, diags) => {
                lowered.organizer = Some(s.value.clone());
            }
            AppointmentClause::Subject(s) if once.first("subject", at, diags) => {
                lowered.subject = Some(s.value.clone());
            }
            AppointmentClause::Description(s) if once.first("description", at, diags) => {
                lowered.description = Some(s.value.clone());
            }
            AppointmentClause::Remote(_) => lowered.remote |= once.first("remote", at, diags),
            _ => {}
        }
    }
    if written_targets == 0 || lowered.guests.is_empty() {
        diags.push(empty(
            appointment,
            written_targets == 0,
            lowered.guests.is_empty(),
        ));
    }
    lowered
}

/// A range within one day: crossing midnight is E0501 (`24:00` ends the day).
fn one_day(range: &ast::TimeRange, diags: &mut Vec<Diagnostic>) -> Option<TimeRange> {
    let lowered = values::time_range(range, diags)?;
    if lowered.crosses_midnight() {
        diags.push(
            Diagnostic::error(
                Code::AppointmentCrossesMidnight,
                range.span,
                "an appointment may not cross midnight",
            )
            .with_label("ends before it starts")
            .with_help(
                "end the appointment by `24:00`, or split it into two appointments on two days",
            ),
        );
        return None;
    }
    Some(lowered)
}

fn guest(guest: &ast::Guest, diags: &mut Vec<Diagnostic>) -> model::Guest {
    let email = match &guest.email {
        Some(email) => {
            values::email(email, diags);
            email.value.clone()
        }
        None => {
            diags.push(
                Diagnostic::error(
                    Code::GuestWithoutEmail,
                    guest.name.span,
                    format!("guest `{}` has no email address", guest.name.value),
                )
                .with_label("the access is sent by email")
                .with_help(format!(
                    "write the address after the name: `guest \"{}\" <name@example.com>`",
                    guest.name.value
                )),
            );
            String::new()
        }
    };
    let credentials = guest
        .credentials
        .iter()
        .filter_map(|c| match c {
            GuestCredential::Qr(s) => {
                values::non_empty(s, "QR code", diags).then(|| Credential::Qr(s.value.clone()))
            }
            GuestCredential::Pin(s) => {
                values::pin(s, diags).then(|| Credential::Pin(s.value.clone()))
            }
            GuestCredential::Mobile(s) => values::non_empty(s, "mobile key", diags)
                .then(|| Credential::Mobile(s.value.clone())),
        })
        .collect();
    model::Guest {
        name: guest.name.value.clone(),
        email,
        credentials,
    }
}

fn empty(appointment: &ast::Appointment, no_door: bool, no_guest: bool) -> Diagnostic {
    let missing = match (no_door, no_guest) {
        (true, true) => "no door and no guest",
        (true, false) => "no door",
        _ => "no guest",
    };
    Diagnostic::error(
        Code::EmptyAppointment,
        appointment.name.span,
        format!("appointment `{}` has {missing}", appointment.name.name),
    )
    .with_label("it would open nothing for anyone")
    .with_help("give it `doors TARGET…` and at least one `guest \"Name\" <email>`")
}
