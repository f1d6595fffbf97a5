//! The `schedule` item (rules of weekdays with time ranges, `except holidays CAL`,
//! `holidays CAL` with hours) and the `holidays` item, a calendar of dates and
//! inclusive date ranges.
//!
//! It must never judge dates or overlapping ranges: the validator does.

use super::{PResult, Parser};
use crate::syntax::ast::{
    DaySpec, Holiday, Holidays, Ident, Schedule, ScheduleRule, Weekday, Word,
};
use crate::syntax::lexer::{Keyword, Kind};

const SCHEDULE_RULES: &str = "a rule starts with weekdays (`mon..fri 08:00-19:00`), \
     `except holidays CAL` or `holidays CAL 10:00-16:00`; weekdays are written `mon` \
     `tue` `wed` `thu` `fri` `sat` `sun`";
const HOLIDAY_DAYS: &str = "a holiday is a date, `2026-12-25`, or an inclusive range, \
     `2026-08-01..2026-08-15`, with an optional label string";

impl Parser<'_> {
    /// `schedule NAME { … }`
    pub(super) fn schedule(&mut self) -> PResult<Schedule> {
        self.bump();
        let name = self.name("a schedule name")?;
        let body = self.block("`{` to open the schedule", Self::schedule_rule)?;
        Ok(Schedule { name, body })
    }

    fn schedule_rule(&mut self) -> PResult<ScheduleRule> {
        if self.weekday_ahead() {
            let days = self.day_specs()?;
            let ranges = self.time_ranges("a time range (`08:00-19:00`) after the days")?;
            return Ok(ScheduleRule::Weekly { days, ranges });
        }
        match self.keyword() {
            Some(Keyword::Except) => {
                self.bump();
                if self.eat_keyword(Keyword::Holidays).is_none() {
                    return Err(self.expected("`holidays` after `except`"));
                }
                let calendars = self.calendars("a holiday calendar after `except holidays`")?;
                Ok(ScheduleRule::Except { calendars })
            }
            Some(Keyword::Holidays) => {
                self.bump();
                let calendars = self.calendars("a holiday calendar after `holidays`")?;
                let ranges = self.time_ranges("a time range (`10:00-16:00`) or a calendar")?;
                Ok(ScheduleRule::Holidays { calendars, ranges })
            }
            _ => Err(self.expected_clause("a schedule rule", SCHEDULE_RULES)),
        }
    }

    fn weekday_ahead(&self) -> bool {
        self.at(Kind::Name) && Weekday::from_keyword(self.slice(self.peek())).is_some()
    }

    /// `mon..fri,sat`
    fn day_specs(&mut self) -> PResult<Vec<DaySpec>> {
        let mut days = vec![self.day_spec()?];
        while self.at(Kind::Comma) {
            self.bump();
            days.push(self.day_spec()?);
        }
        Ok(days)
    }

    /// `mon` or `mon..fri`
    fn day_spec(&mut self) -> PResult<DaySpec> {
        let first = self.weekday()?;
        if !self.at(Kind::DotDot) {
            return Ok(DaySpec::Day(first));
        }
        self.bump();
        Ok(DaySpec::Range(first, self.weekday()?))
    }

    fn weekday(&mut self) -> PResult<Word<Weekday>> {
        let token = self.peek();
        let day = (token.kind == Kind::Name)
            .then(|| Weekday::from_keyword(self.slice(token)))
            .flatten();
        match day {
            Some(kind) => Ok(Word {
                kind,
                span: self.flag(),
            }),
            None => {
                let failed = self.expected("a weekday");
                self.help_last("weekdays are written `mon` `tue` `wed` `thu` `fri` `sat` `sun`");
                Err(failed)
            }
        }
    }

    /// Calendar names, at least one; in a schedule, the list also ends at a weekday
    /// (where the next rule starts).
    fn calendars(&mut self, what: &str) -> PResult<Vec<Ident>> {
        let mut calendars = vec![self.name(what)?];
        while self.at(Kind::Name) && !self.weekday_ahead() {
            calendars.push(self.ident());
        }
        Ok(calendars)
    }

    /// `holidays NAME { … }`
    pub(super) fn holidays(&mut self) -> PResult<Holidays> {
        self.bump();
        let name = self.name("a calendar name")?;
        let body = self.block("`{` to open the calendar", Self::holiday)?;
        Ok(Holidays { name, body })
    }

    /// `2026-12-25 ["Noël"]` or `2026-08-01..2026-08-15 ["Fermeture"]`
    fn holiday(&mut self) -> PResult<Holiday> {
        if !self.at(Kind::Date) {
            return Err(self.expected_clause("a holiday date", HOLIDAY_DAYS));
        }
        let from = self.date("a date")?;
        let to = if self.at(Kind::DotDot) {
            self.bump();
            Some(self.date("the last day of the range after `..`")?)
        } else {
            None
        };
        let label = self.title()?;
        Ok(Holiday { from, to, label })
    }
}
