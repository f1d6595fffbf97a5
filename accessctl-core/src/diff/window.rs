//! Time windows: the local instants one access has and another lacks, exactly.
//!
//! Owns the enumeration of `plus \ minus` over local (date, minute): the date axis is
//! cut where either validity starts or ends; in each piece the difference is a weekly
//! pattern (seven minute bitmaps, from the compiled schedules' weekly ranges), and the
//! days a holiday calendar touches (and the day after each, for ranges past midnight)
//! are computed one by one and kept where they differ from their weekday. Pieces
//! with the same pattern that touch are merged. Also the text of a window and the
//! instants inside it. It must never read a clock.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

use crate::model::Weekdays;
use crate::time::{DayMinutes, LocalTime};

use super::access::Access;
use super::side::Side;
use super::{DayWindow, MinuteRange, WeeklyWindow, Window};

/// One piece of the date axis, `start..=end` (day numbers; `i32::MIN`/`MAX`
/// unbounded).
struct Piece {
    start: i32,
    end: i32,
    weekly: [DayMinutes; 7],
    days: Vec<(i32, DayMinutes)>,
}

/// The local instants `plus` allows and `minus` does not.
pub(crate) fn windows(
    minus: Option<(&Side<'_>, &Access)>,
    plus: Option<(&Side<'_>, &Access)>,
) -> Vec<Window> {
    let Some((ps, pa)) = plus else {
        return Vec::new();
    };
    let mut points = BTreeSet::new();
    for access in [Some(pa), minus.map(|m| m.1)].into_iter().flatten() {
        if access.from != i32::MIN {
            points.insert(access.from);
        }
        if access.to != i32::MAX {
            points.insert(access.to.saturating_add(1));
        }
    }
    let mut holidays = BTreeSet::new();
    pa.holiday_days(ps, &mut holidays);
    if let Some((ms, ma)) = minus {
        ma.holiday_days(ms, &mut holidays);
    }
    let mut starts: Vec<i32> = vec![i32::MIN];
    starts.extend(points.into_iter().filter(|&p| p != i32::MIN));
    let mut pieces: Vec<Piece> = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let end = starts
            .get(i + 1)
            .map_or(i32::MAX, |next| next.saturating_sub(1));
        let day = if start != i32::MIN {
            start
        } else if end != i32::MAX {
            end
        } else {
            0
        };
        if !pa.valid(day) {
            continue;
        }
        let minus_valid = minus.filter(|(_, ma)| ma.valid(day));
        let mut weekly = [DayMinutes::default(); 7];
        for (w, minutes) in weekly.iter_mut().enumerate() {
            let taken = minus_valid
                .map(|(ms, ma)| ma.weekly(ms, w))
                .unwrap_or_default();
            *minutes = pa.weekly(ps, w).difference(taken);
        }
        let mut days = Vec::new();
        for &d in holidays.range(start..=end) {
            let taken = minus.map(|(ms, ma)| ma.on(ms, d)).unwrap_or_default();
            let gained = pa.on(ps, d).difference(taken);
            let weekday = LocalTime { day: d, minute: 0 }.weekday();
            if weekly.get(weekday) != Some(&gained) {
                days.push((d, gained));
            }
        }
        if weekly.iter().all(DayMinutes::is_empty) && days.is_empty() {
            continue;
        }
        match pieces.last_mut() {
            Some(last) if last.end.checked_add(1) == Some(start) && last.weekly == weekly => {
                last.end = end;
                last.days.extend(days);
            }
            _ => pieces.push(Piece {
                start,
                end,
                weekly,
                days,
            }),
        }
    }
    pieces.into_iter().map(Piece::window).collect()
}

impl Piece {
    fn window(self) -> Window {
        let mut weekly: Vec<WeeklyWindow> = Vec::new();
        for (w, minutes) in self.weekly.iter().enumerate() {
            let ranges = to_ranges(minutes);
            if ranges.is_empty() {
                continue;
            }
            let day = Weekdays::from_bits_truncate(1 << w);
            match weekly.iter_mut().find(|x| x.ranges == ranges) {
                Some(found) => found.days |= day,
                None => weekly.push(WeeklyWindow { days: day, ranges }),
            }
        }
        Window {
            from: (self.start != i32::MIN)
                .then(|| date_of(self.start))
                .flatten(),
            to: (self.end != i32::MAX).then(|| date_of(self.end)).flatten(),
            weekly,
            days: (self.days.iter())
                .filter_map(|(d, m)| {
                    Some(DayWindow {
                        date: date_of(*d)?,
                        ranges: to_ranges(m),
                    })
                })
                .collect(),
        }
    }
}

fn to_ranges(minutes: &DayMinutes) -> Vec<MinuteRange> {
    (minutes.ranges().into_iter())
        .map(|(start, end)| MinuteRange { start, end })
        .collect()
}

/// The date of a day number.
pub(crate) fn date_of(day: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1970, 1, 1)?
        .checked_add_signed(chrono::TimeDelta::try_days(i64::from(day))?)
}

fn weekday_index(date: NaiveDate) -> usize {
    date.weekday().num_days_from_monday() as usize
}

const DAY_WORDS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// `mon..fri,sun`: runs of consecutive days.
pub(crate) fn days_text(days: Weekdays) -> String {
    let has = |i: usize| days.contains(Weekdays::from_bits_truncate(1 << i));
    let mut parts = Vec::new();
    let mut i = 0;
    while i < 7 {
        if !has(i) {
            i += 1;
            continue;
        }
        let start = i;
        while i + 1 < 7 && has(i + 1) {
            i += 1;
        }
        let first = DAY_WORDS.get(start).copied().unwrap_or("");
        let last = DAY_WORDS.get(i).copied().unwrap_or("");
        parts.push(if start == i {
            first.to_string()
        } else {
            format!("{first}..{last}")
        });
        i += 1;
    }
    parts.join(",")
}

fn hm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

impl std::fmt::Display for MinuteRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", hm(self.start), hm(self.end))
    }
}

fn ranges_text(ranges: &[MinuteRange]) -> String {
    if ranges.is_empty() {
        return "closed".into();
    }
    let texts: Vec<String> = ranges.iter().map(ToString::to_string).collect();
    texts.join(" ")
}

impl Window {
    /// Whether the window is every minute of every day (within its dates).
    pub fn is_always(&self) -> bool {
        self.days.is_empty()
            && matches!(self.weekly.as_slice(), [w] if w.days == Weekdays::all()
                && w.ranges == [MinuteRange { start: 0, end: 1440 }])
    }

    /// The window as people read it: `mon..fri 18:00-20:00 from 2026-03-01`, the
    /// days a holiday changes in brackets (`[2026-12-25 closed]`).
    pub fn describe(&self) -> String {
        let mut out = String::new();
        if self.is_always() {
            out.push_str("at any time");
        } else {
            let weekly: Vec<String> = (self.weekly.iter())
                .map(|w| format!("{} {}", days_text(w.days), ranges_text(&w.ranges)))
                .collect();
            out.push_str(&weekly.join(", "));
            if !self.days.is_empty() {
                let days: Vec<String> = (self.days.iter())
                    .map(|d| format!("{} {}", d.date, ranges_text(&d.ranges)))
                    .collect();
                if !out.is_empty() {
                    out.push(' ');
                }
                let _ = write!(out, "[{}]", days.join(", "));
            }
        }
        match (self.from, self.to) {
            (Some(from), Some(to)) if from == to => {
                let _ = write!(out, " on {from}");
            }
            (Some(from), Some(to)) => {
                let _ = write!(out, " from {from} to {to}");
            }
            (Some(from), None) => {
                let _ = write!(out, " from {from}");
            }
            (None, Some(to)) => {
                let _ = write!(out, " until {to}");
            }
            (None, None) => {}
        }
        out
    }

    /// The minutes of `date` inside the window.
    pub fn ranges_on(&self, date: NaiveDate) -> &[MinuteRange] {
        if self.from.is_some_and(|f| date < f) || self.to.is_some_and(|t| date > t) {
            return &[];
        }
        if let Some(day) = self.days.iter().find(|d| d.date == date) {
            return &day.ranges;
        }
        let day = Weekdays::from_bits_truncate(1 << weekday_index(date));
        (self.weekly.iter())
            .find(|w| w.days.contains(day))
            .map_or(&[], |w| &w.ranges)
    }

    /// Local instants inside the window, earliest dates first (a few per day, at
    /// most a year and a bit of days looked at): for picking one a zone does not
    /// skip.
    pub fn instants(&self) -> impl Iterator<Item = (NaiveDate, u16)> + '_ {
        let first_listed = self
            .days
            .iter()
            .find(|d| !d.ranges.is_empty())
            .map(|d| d.date);
        let anchor = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default();
        let start = match (self.from, self.to) {
            (Some(from), _) => from,
            (None, Some(to)) => to.checked_sub_days(chrono::Days::new(60)).unwrap_or(to),
            (None, None) => anchor,
        };
        let dates = first_listed.into_iter().chain(start.iter_days().take(400));
        dates.flat_map(move |date| {
            (self.ranges_on(date).iter())
                .flat_map(|r| {
                    let middle = r.start + (r.end - r.start) / 2;
                    [r.start, middle, r.end.saturating_sub(1).max(r.start)]
                })
                .map(move |m| (date, m))
                .collect::<Vec<_>>()
        })
    }
}
