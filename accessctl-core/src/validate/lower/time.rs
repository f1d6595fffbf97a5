//! Lowering of schedules and holiday calendars.
//!
//! Owns turning weekly rules into weekday sets (`fri..mon` wraps over the weekend) and
//! minute ranges (`24:00` is minute 1440), resolving the calendars a schedule names,
//! and checking holiday dates (E0304) and ranges (E0305).
//!
//! It must never evaluate a schedule at an instant nor know about time zones: the
//! decision engine does, in the zone of the door's site.

use crate::diagnostic::Diagnostic;
use crate::model::{self, HolidayRule, Policy, Weekday, Weekdays, WeeklyRule};
use crate::syntax::ast::{self, DaySpec, ScheduleRule};
use crate::validate::names::Names;
use crate::validate::values;

/// Lowers every schedule and holiday calendar of `names` into `policy`.
pub(super) fn lower(names: &Names<'_>, policy: &mut Policy, diags: &mut Vec<Diagnostic>) {
    policy.schedules = names
        .schedules
        .iter()
        .map(|s| schedule(names, s, diags))
        .collect();
    policy.calendars = names.calendars.iter().map(|c| calendar(c, diags)).collect();
}

fn schedule(
    names: &Names<'_>,
    schedule: &ast::Schedule,
    diags: &mut Vec<Diagnostic>,
) -> model::Schedule {
    let mut lowered = model::Schedule {
        name: schedule.name.name.clone(),
        weekly: Vec::new(),
        closed_on: Vec::new(),
        holiday_rules: Vec::new(),
    };
    for entry in &schedule.body.entries {
        match &entry.node {
            ScheduleRule::Weekly { days, ranges } => lowered.weekly.push(WeeklyRule {
                days: weekdays(days),
                ranges: time_ranges(ranges, diags),
            }),
            ScheduleRule::Except { calendars } => lowered
                .closed_on
                .extend(calendars.iter().filter_map(|c| names.calendar(c, diags))),
            ScheduleRule::Holidays { calendars, ranges } => {
                lowered.holiday_rules.push(HolidayRule {
                    calendars: calendars
                        .iter()
                        .filter_map(|c| names.calendar(c, diags))
                        .collect(),
                    ranges: time_ranges(ranges, diags),
                });
            }
        }
    }
    lowered
}

fn time_ranges(ranges: &[ast::TimeRange], diags: &mut Vec<Diagnostic>) -> Vec<model::TimeRange> {
    ranges
        .iter()
        .filter_map(|r| values::time_range(r, diags))
        .collect()
}

/// The set of days a list of day specs covers.
pub(super) fn weekdays(days: &[DaySpec]) -> Weekdays {
    days.iter().fold(Weekdays::empty(), |acc, spec| {
        acc | match spec {
            DaySpec::Day(day) => Weekdays::from(day.kind),
            DaySpec::Range(first, last) => day_range(first.kind, last.kind),
        }
    })
}

/// The days from `first` to `last` inclusive, wrapping past Sunday when `last` comes
/// before `first` in the week.
fn day_range(first: Weekday, last: Weekday) -> Weekdays {
    let (first, last) = (first.index(), last.index());
    Weekday::ALL
        .into_iter()
        .filter(|d| {
            let i = d.index();
            if first <= last {
                first <= i && i <= last
            } else {
                i >= first || i <= last
            }
        })
        .fold(Weekdays::empty(), |acc, d| acc | Weekdays::from(d))
}

fn calendar(calendar: &ast::Holidays, diags: &mut Vec<Diagnostic>) -> model::HolidayCalendar {
    model::HolidayCalendar {
        name: calendar.name.name.clone(),
        holidays: calendar
            .body
            .entries
            .iter()
            .filter_map(|e| holiday(&e.node, diags))
            .collect(),
    }
}

fn holiday(holiday: &ast::Holiday, diags: &mut Vec<Diagnostic>) -> Option<model::Holiday> {
    let from = values::date(&holiday.from, diags);
    let to = match &holiday.to {
        Some(last) => values::date(last, diags).map(|to| (to, last)),
        None => from.map(|from| (from, &holiday.from)),
    };
    let (from, (to, last)) = (from?, to?);
    if !values::ordered_dates(from, to, last, "holiday range", diags) {
        return None;
    }
    Some(model::Holiday {
        days: model::DateRange { from, to },
        label: holiday.label.as_ref().map(|l| l.value.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_ranges_wrap_over_the_weekend() {
        assert_eq!(
            day_range(Weekday::Mon, Weekday::Fri),
            Weekdays::MON | Weekdays::TUE | Weekdays::WED | Weekdays::THU | Weekdays::FRI
        );
        assert_eq!(
            day_range(Weekday::Fri, Weekday::Mon),
            Weekdays::FRI | Weekdays::SAT | Weekdays::SUN | Weekdays::MON
        );
        assert_eq!(day_range(Weekday::Wed, Weekday::Wed), Weekdays::WED);
    }
}
