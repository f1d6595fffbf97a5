//! The encoder: image contents to the bytes of layout version 1.
//!
//! Owns writing each section in the order and widths the layout gives, and refusing
//! contents whose counts do not fit the layout's fields. It never reorders, dedupes
//! or judges the contents: the sealer checks the result with the decoder.

use super::{
    Calendar, DayRanges, DecodeError, Entry, ImageContents, Rule, WeeklySchedule, HEADER_LEN,
    LAYOUT_VERSION, MAGIC, NO_SCHEDULE,
};
use thiserror::Error;

/// Why contents could not be sealed into an image.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SealError {
    /// More items than the layout's count field holds.
    #[error("{count} {what} do not fit in a lock image (at most {limit})")]
    TooMany {
        /// What was counted.
        what: &'static str,
        /// How many there are.
        count: usize,
        /// The most the layout holds.
        limit: usize,
    },
    /// Contents the decoder would refuse (out of order, dangling index, …).
    #[error("the contents break the image layout: {0}")]
    Invalid(DecodeError),
    /// A schedule index of `0xffff`, which the layout keeps for "no schedule".
    #[error("schedule index 65535 is reserved for \"no schedule\"")]
    ReservedIndex,
}

/// Bytes written so far.
struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, value: u8) {
        self.0.push(value);
    }

    fn u16(&mut self, value: u16) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    fn i32(&mut self, value: i32) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    fn i64(&mut self, value: i64) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    fn bytes(&mut self, value: &[u8]) {
        self.0.extend_from_slice(value);
    }
}

/// `count` as a `u16` count field.
fn count16(what: &'static str, count: usize) -> Result<u16, SealError> {
    u16::try_from(count).map_err(|_| SealError::TooMany {
        what,
        count,
        limit: usize::from(u16::MAX),
    })
}

/// `count` as a `u8` count field.
fn count8(what: &'static str, count: usize) -> Result<u8, SealError> {
    u8::try_from(count).map_err(|_| SealError::TooMany {
        what,
        count,
        limit: usize::from(u8::MAX),
    })
}

/// The image's bytes before the trailer.
pub(super) fn body(image: &ImageContents) -> Result<Vec<u8>, SealError> {
    let mut w = Writer(Vec::with_capacity(len(image)));
    header(&mut w, image)?;
    for change in &image.transitions {
        w.i64(change.at.0);
        w.i32(change.offset);
    }
    for calendar in &image.calendars {
        write_calendar(&mut w, calendar)?;
    }
    for schedule in &image.schedules {
        write_schedule(&mut w, schedule)?;
    }
    for rule in &image.rules {
        write_rule(&mut w, rule)?;
    }
    for holder in &image.holders {
        w.u16(holder.valid_from);
        w.u16(holder.valid_to);
        w.u16(holder.rule);
    }
    image.space_codes.iter().for_each(|d| w.bytes(d));
    image
        .credentials
        .iter()
        .for_each(|e| write_entry(&mut w, e));
    image
        .revocations
        .iter()
        .for_each(|e| write_entry(&mut w, e));
    Ok(w.0)
}

fn header(w: &mut Writer, image: &ImageContents) -> Result<(), SealError> {
    w.bytes(&MAGIC);
    w.u8(LAYOUT_VERSION);
    w.u8(image.readers.bits());
    w.u8(image.required.bits());
    w.u8(count8("bytes of door name", image.door.len())?);
    w.i64(image.issued.0);
    w.i64(image.horizon.0);
    w.i32(image.base_offset);
    w.u16(image.door_schedule.unwrap_or(NO_SCHEDULE));
    let counts = [
        ("offset changes", image.transitions.len()),
        ("holiday calendars", image.calendars.len()),
        ("schedules", image.schedules.len()),
        ("access rules", image.rules.len()),
        ("holders", image.holders.len()),
        ("space codes", image.space_codes.len()),
        ("credentials", image.credentials.len()),
        ("revoked credentials", image.revocations.len()),
    ];
    for (what, count) in counts {
        w.u16(count16(what, count)?);
    }
    w.u16(0);
    w.bytes(image.door.as_bytes());
    Ok(())
}

fn write_calendar(w: &mut Writer, calendar: &Calendar) -> Result<(), SealError> {
    w.u16(count16(
        "holiday spans in a calendar",
        calendar.spans.len(),
    )?);
    for span in &calendar.spans {
        w.u16(span.first);
        w.u16(span.last);
    }
    Ok(())
}

fn write_schedule(w: &mut Writer, schedule: &WeeklySchedule) -> Result<(), SealError> {
    for day in &schedule.weekly {
        write_day(w, day)?;
    }
    write_indexes(w, "closing calendars", &schedule.closed_on)?;
    w.u8(count8("holiday rules", schedule.holiday_rules.len())?);
    for rule in &schedule.holiday_rules {
        write_indexes(w, "calendars of a holiday rule", &rule.calendars)?;
        write_day(w, &rule.ranges)?;
    }
    Ok(())
}

fn write_indexes(w: &mut Writer, what: &'static str, indexes: &[u16]) -> Result<(), SealError> {
    w.u8(count8(what, indexes.len())?);
    indexes.iter().for_each(|&i| w.u16(i));
    Ok(())
}

fn write_day(w: &mut Writer, day: &DayRanges) -> Result<(), SealError> {
    w.u16(day.spill);
    w.u8(count8("ranges in a day", day.open.len())?);
    for span in &day.open {
        w.u16(span.start);
        w.u16(span.end);
    }
    Ok(())
}

fn write_rule(w: &mut Writer, rule: &Rule) -> Result<(), SealError> {
    match rule {
        Rule::Schedules(schedules) => {
            w.u8(0);
            w.u8(count8("schedules in an access rule", schedules.len())?);
            schedules
                .iter()
                .for_each(|s| w.u16(s.unwrap_or(NO_SCHEDULE)));
        }
        Rule::Inactive => {
            w.u8(1);
            w.u8(0);
        }
    }
    Ok(())
}

fn write_entry(w: &mut Writer, entry: &Entry) {
    w.bytes(&entry.digest);
    w.u16(entry.holder);
}

/// The length of the image's bytes before the trailer.
pub(super) fn len(image: &ImageContents) -> usize {
    let day = |d: &DayRanges| 3 + 4 * d.open.len();
    let schedule = |s: &WeeklySchedule| {
        s.weekly.iter().map(day).sum::<usize>()
            + 1
            + 2 * s.closed_on.len()
            + 1
            + s.holiday_rules
                .iter()
                .map(|r| 1 + 2 * r.calendars.len() + day(&r.ranges))
                .sum::<usize>()
    };
    let rule = |r: &Rule| match r {
        Rule::Schedules(s) => 2 + 2 * s.len(),
        Rule::Inactive => 2,
    };
    HEADER_LEN
        + image.door.len()
        + 12 * image.transitions.len()
        + image
            .calendars
            .iter()
            .map(|c| 2 + 4 * c.spans.len())
            .sum::<usize>()
        + image.schedules.iter().map(schedule).sum::<usize>()
        + image.rules.iter().map(rule).sum::<usize>()
        + 6 * image.holders.len()
        + super::DIGEST_LEN * image.space_codes.len()
        + 8 * (image.credentials.len() + image.revocations.len())
}
