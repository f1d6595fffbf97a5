//! The `appointment` item (`appointment NAME on DATE HH:MM-HH:MM { … }`, at the top
//! level or in an account): its doors, guests with their credentials, organizer,
//! subject, description and `remote`.
//!
//! It must never judge whether the guest or the hours are allowed: the validator does.

use super::{PResult, Parser};
use crate::syntax::ast::{Appointment, AppointmentClause, Guest, GuestCredential, Str};
use crate::syntax::lexer::{Keyword, Kind};

const APPOINTMENT_CLAUSES: &str = "an appointment holds `doors`, `guest`, `organizer`, \
     `subject`, `description` and `remote` clauses";

impl Parser<'_> {
    /// `appointment NAME on DATE HH:MM-HH:MM { … }`
    pub(super) fn appointment(&mut self) -> PResult<Appointment> {
        self.bump();
        let name = self.name("an appointment name")?;
        if self.eat_keyword(Keyword::On).is_none() {
            return Err(self.expected("`on` after the appointment name"));
        }
        let date = self.date("the appointment's date (`YYYY-MM-DD`) after `on`")?;
        let range = self.time_range("the appointment's hours (`16:45-17:45`)")?;
        let body = self.block("`{` to open the appointment", Self::appointment_clause)?;
        Ok(Appointment {
            name,
            date,
            range,
            body,
        })
    }

    fn appointment_clause(&mut self) -> PResult<AppointmentClause> {
        let Some(keyword) = self.keyword() else {
            return Err(self.expected_clause("an appointment clause", APPOINTMENT_CLAUSES));
        };
        Ok(match keyword {
            Keyword::Doors => self
                .after_keyword(|p| p.targets("a target after `doors`"))
                .map(AppointmentClause::Doors)?,
            Keyword::Guest => AppointmentClause::Guest(self.guest()?),
            Keyword::Organizer => self
                .after_keyword(|p| p.string("a string after `organizer`"))
                .map(AppointmentClause::Organizer)?,
            Keyword::Subject => self
                .after_keyword(|p| p.string("a string after `subject`"))
                .map(AppointmentClause::Subject)?,
            Keyword::Description => self
                .after_keyword(|p| p.string("a string after `description`"))
                .map(AppointmentClause::Description)?,
            Keyword::Remote => AppointmentClause::Remote(self.flag()),
            _ => return Err(self.expected_clause("an appointment clause", APPOINTMENT_CLAUSES)),
        })
    }

    /// `guest "Name" [<email>] [qr "…"] [pin "…"] [mobile "…"]`
    fn guest(&mut self) -> PResult<Guest> {
        self.bump();
        let name = self.string("the guest's name as a string after `guest`")?;
        let email = self.at(Kind::Email).then(|| self.email());
        let mut credentials = Vec::new();
        while let Some(keyword) = self.keyword() {
            let credential: fn(Str) -> GuestCredential = match keyword {
                Keyword::Qr => GuestCredential::Qr,
                Keyword::Pin => GuestCredential::Pin,
                Keyword::Mobile => GuestCredential::Mobile,
                _ => break,
            };
            self.bump();
            credentials.push(credential(self.string("a string after the credential")?));
        }
        Ok(Guest {
            name,
            email,
            credentials,
        })
    }
}
