//! Lowering: the syntax tree to the domain model.
//!
//! Owns building every entity of the [`Policy`] from its declaration, in the order
//! [`Names`] numbered them, checking each value on the way (through
//! [`super::values`]) and resolving each reference (through [`super::resolve`]). One
//! file per family: [`places`] (sites, doors, groups, paths, space codes), [`time`]
//! (schedules, holiday calendars), [`accounts`] (accounts, sub-accounts, ceilings),
//! [`users`], [`appointments`] and [`zones`] (anti-passback zones); [`once`] reports
//! clauses given twice.
//!
//! It must never check rules that span several entities (unique credentials,
//! delegation, warnings: later stages do) and never panic: where a value is wrong it
//! reports it and puts a placeholder in the model, which is then never handed out.

mod accounts;
mod appointments;
mod once;
mod places;
mod time;
mod users;
mod zones;

use super::names::Names;
use crate::diagnostic::Diagnostic;
use crate::model::Policy;

/// Builds the model of every declaration in `names`, reporting what is wrong.
pub(super) fn lower(names: &Names<'_>, diags: &mut Vec<Diagnostic>) -> Policy {
    let mut policy = Policy::default();
    places::lower(names, &mut policy, diags);
    time::lower(names, &mut policy, diags);
    accounts::lower(names, &mut policy, diags);
    users::lower(names, &mut policy, diags);
    appointments::lower(names, &mut policy, diags);
    zones::lower(names, &mut policy, diags);
    policy
}
