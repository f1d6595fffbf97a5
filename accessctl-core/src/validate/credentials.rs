//! Unique credentials: no card, QR code, mobile key or PIN held twice (E0401–E0404).
//!
//! Owns one table per kind of credential over every user and appointment guest of the
//! policy. Cards compare by numeric value (`0042` is card 42). A duplicate is reported
//! at the second holder with the first one shown.
//!
//! It must never print a PIN, QR code or mobile key (a card number is printed: it is
//! written on the card), and never judge a credential's form (that is
//! [`super::values`]).

use super::names::Names;
use super::values;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{AppointmentClause, GuestCredential, UserClause};
use rustc_hash::FxHashMap as HashMap;
use std::collections::hash_map::Entry;
use std::hash::Hash;

/// Who holds a credential.
#[derive(Clone, Copy)]
enum Holder<'a> {
    User(&'a str),
    Guest {
        guest: &'a str,
        appointment: &'a str,
    },
}

impl std::fmt::Display for Holder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Holder::User(name) => write!(f, "`{name}`"),
            Holder::Guest { guest, appointment } => {
                write!(f, "guest `{guest}` of appointment `{appointment}`")
            }
        }
    }
}

/// Which table a secret credential goes to.
#[derive(Clone, Copy)]
enum Secret {
    Pin,
    Qr,
    Mobile,
}

impl Secret {
    fn code(self) -> Code {
        match self {
            Secret::Pin => Code::DuplicatePin,
            Secret::Qr => Code::DuplicateQr,
            Secret::Mobile => Code::DuplicateMobile,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Secret::Pin => "PIN",
            Secret::Qr => "QR code",
            Secret::Mobile => "mobile key",
        }
    }
}

/// Every credential seen so far, with where and by whom it was first held.
struct Held<'a> {
    cards: HashMap<u64, (Span, Holder<'a>)>,
    pins: HashMap<&'a str, (Span, Holder<'a>)>,
    qrs: HashMap<&'a str, (Span, Holder<'a>)>,
    mobiles: HashMap<&'a str, (Span, Holder<'a>)>,
}

/// Reports every credential held twice in the policy.
pub(super) fn check(names: &Names<'_>, diags: &mut Vec<Diagnostic>) {
    let mut held = Held::with_capacity(names.users.len());
    for (user, _) in &names.users {
        let holder = Holder::User(&user.name.name);
        for entry in user.body.iter().flat_map(|b| &b.entries) {
            match &entry.node {
                UserClause::Card(number) => {
                    if let Some(value) = values::card_value(number) {
                        held.card(value, &number.digits, number.span, holder, diags);
                    }
                }
                UserClause::Pin(s) => held.secret(Secret::Pin, &s.value, s.span, holder, diags),
                UserClause::Qr(s) => held.secret(Secret::Qr, &s.value, s.span, holder, diags),
                UserClause::Mobile(s) => {
                    held.secret(Secret::Mobile, &s.value, s.span, holder, diags)
                }
                _ => {}
            }
        }
    }
    for (appointment, _) in &names.appointments {
        for entry in &appointment.body.entries {
            let AppointmentClause::Guest(guest) = &entry.node else {
                continue;
            };
            let holder = Holder::Guest {
                guest: &guest.name.value,
                appointment: &appointment.name.name,
            };
            for credential in &guest.credentials {
                let (kind, s) = match credential {
                    GuestCredential::Pin(s) => (Secret::Pin, s),
                    GuestCredential::Qr(s) => (Secret::Qr, s),
                    GuestCredential::Mobile(s) => (Secret::Mobile, s),
                };
                held.secret(kind, &s.value, s.span, holder, diags);
            }
        }
    }
}

impl<'a> Held<'a> {
    /// Tables sized for about one card and one PIN per user.
    fn with_capacity(users: usize) -> Held<'a> {
        Held {
            cards: HashMap::with_capacity_and_hasher(users, Default::default()),
            pins: HashMap::with_capacity_and_hasher(users, Default::default()),
            qrs: HashMap::default(),
            mobiles: HashMap::default(),
        }
    }

    fn card(
        &mut self,
        value: u64,
        digits: &str,
        at: Span,
        holder: Holder<'a>,
        diags: &mut Vec<Diagnostic>,
    ) {
        let Some((first, owner)) = first_holder(&mut self.cards, value, at, holder) else {
            return;
        };
        diags.push(
            Diagnostic::error(
                Code::DuplicateCard,
                at,
                format!("card `{digits}` is already held by {owner}"),
            )
            .with_label("held again here")
            .with_secondary(first, "first held here")
            .with_help("a card belongs to one holder: remove it from one of them"),
        );
    }

    fn secret(
        &mut self,
        kind: Secret,
        value: &'a str,
        at: Span,
        holder: Holder<'a>,
        diags: &mut Vec<Diagnostic>,
    ) {
        if value.is_empty() {
            return; // reported as an empty value already
        }
        let table = match kind {
            Secret::Pin => &mut self.pins,
            Secret::Qr => &mut self.qrs,
            Secret::Mobile => &mut self.mobiles,
        };
        let Some((first, owner)) = first_holder(table, value, at, holder) else {
            return;
        };
        let what = kind.what();
        diags.push(
            Diagnostic::error(
                kind.code(),
                at,
                format!("this {what} is already held by {owner}"),
            )
            .with_label("held again here")
            .with_secondary(first, "first held here")
            .with_help(format!(
                "every {what} must be unique in the policy: give this holder another one"
            )),
        );
    }
}

/// Records `key` for `holder`; if someone held it first, returns where and who.
fn first_holder<'a, K: Hash + Eq>(
    table: &mut HashMap<K, (Span, Holder<'a>)>,
    key: K,
    at: Span,
    holder: Holder<'a>,
) -> Option<(Span, Holder<'a>)> {
    match table.entry(key) {
        Entry::Occupied(first) => Some(*first.get()),
        Entry::Vacant(slot) => {
            slot.insert((at, holder));
            None
        }
    }
}
