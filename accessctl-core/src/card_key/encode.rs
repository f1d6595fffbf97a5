//! Writing a key image of layout version 1.
//!
//! Owns turning a [`KeyImage`] into bytes, section by section, with zero padding up
//! to each section's capacity, and refusing counts the layout cannot write. It never
//! computes the tag (the image's `sign` does) and never panics.

use super::image::{
    CardCalendar, CardSchedule, ImageProblem, KeyImage, KeyImageError, Minutes, Timetable,
    DOOR_RECORD_LEN, HEADER_LEN, LAYOUT_VERSION, MAGIC, MAX_SCHEDULES, REVOCATION_RECORD_LEN,
};

/// Every byte of `image` before its tag.
pub(super) fn body(image: &KeyImage) -> Result<Vec<u8>, KeyImageError> {
    let capacity = image.capacity;
    let door_slots = usize::from(capacity.door_slots);
    let timetable_at = HEADER_LEN + DOOR_RECORD_LEN * door_slots;
    let timetable = timetable_bytes(&image.timetable, timetable_at)?;
    fits(46, image.doors.len(), door_slots)?;
    fits(50, timetable.len(), usize::from(capacity.timetable_bytes))?;
    fits(
        53,
        image.revocations.len(),
        usize::from(capacity.revocation_slots),
    )?;
    let mut out = Vec::with_capacity(timetable_at + usize::from(capacity.timetable_bytes));
    header(image, timetable.len(), &mut out);
    for door in &image.doors {
        out.extend_from_slice(&door.door);
        out.extend_from_slice(&door.schedules.to_be_bytes());
    }
    pad(&mut out, timetable_at);
    out.extend_from_slice(&timetable);
    pad(
        &mut out,
        timetable_at + usize::from(capacity.timetable_bytes),
    );
    for revocation in &image.revocations {
        out.extend_from_slice(&revocation.holder);
        out.extend_from_slice(&revocation.before.0.to_be_bytes());
    }
    let revocations_at = timetable_at + usize::from(capacity.timetable_bytes);
    pad(
        &mut out,
        revocations_at + REVOCATION_RECORD_LEN * usize::from(capacity.revocation_slots),
    );
    Ok(out)
}

/// Bytes 0–53. The counts fit their fields: `body` checked them against capacities
/// of the same widths.
fn header(image: &KeyImage, timetable_len: usize, out: &mut Vec<u8>) {
    let capacity = image.capacity;
    out.extend_from_slice(&MAGIC);
    out.push(LAYOUT_VERSION);
    out.extend_from_slice(&image.holder);
    out.push(image.options());
    out.extend_from_slice(&image.card.unwrap_or(0).to_be_bytes());
    out.extend_from_slice(&image.issued.0.to_be_bytes());
    out.extend_from_slice(&image.expiry.0.to_be_bytes());
    out.extend_from_slice(&image.valid_from.to_be_bytes());
    out.extend_from_slice(&image.valid_to.to_be_bytes());
    out.extend_from_slice(&capacity.door_slots.to_be_bytes());
    out.extend_from_slice(&narrow::<u16>(image.doors.len()).to_be_bytes());
    out.extend_from_slice(&capacity.timetable_bytes.to_be_bytes());
    out.extend_from_slice(&narrow::<u16>(timetable_len).to_be_bytes());
    out.push(capacity.revocation_slots);
    out.push(narrow::<u8>(image.revocations.len()));
}

fn narrow<T: TryFrom<usize> + Default>(n: usize) -> T {
    T::try_from(n).unwrap_or_default()
}

fn fits(offset: usize, used: usize, capacity: usize) -> Result<(), KeyImageError> {
    if used <= capacity {
        return Ok(());
    }
    Err(KeyImageError {
        offset,
        problem: ImageProblem::OverCapacity { used, capacity },
    })
}

fn pad(out: &mut Vec<u8>, to: usize) {
    out.resize(to.max(out.len()), 0);
}

/// The timetable's content (without padding); `at` is its image offset, for errors.
pub(super) fn timetable_bytes(timetable: &Timetable, at: usize) -> Result<Vec<u8>, KeyImageError> {
    let mut writer = Writer {
        out: Vec::new(),
        at,
    };
    writer.count("calendars", timetable.calendars.len(), 255)?;
    for calendar in &timetable.calendars {
        writer.calendar(calendar)?;
    }
    writer.count("schedules", timetable.schedules.len(), MAX_SCHEDULES)?;
    for schedule in &timetable.schedules {
        writer.schedule(schedule)?;
    }
    Ok(writer.out)
}

struct Writer {
    out: Vec<u8>,
    at: usize,
}

impl Writer {
    /// Writes a one-byte count, refusing more than `limit`.
    fn count(
        &mut self,
        what: &'static str,
        count: usize,
        limit: usize,
    ) -> Result<(), KeyImageError> {
        match u8::try_from(count) {
            Ok(byte) if count <= limit => {
                self.out.push(byte);
                Ok(())
            }
            _ => Err(KeyImageError {
                offset: self.at + self.out.len(),
                problem: ImageProblem::TooMany { what, count, limit },
            }),
        }
    }

    fn calendar(&mut self, calendar: &CardCalendar) -> Result<(), KeyImageError> {
        self.count("ranges in a calendar", calendar.days.len(), 255)?;
        for (first, last) in &calendar.days {
            self.out.extend_from_slice(&first.to_be_bytes());
            self.out.extend_from_slice(&last.to_be_bytes());
        }
        Ok(())
    }

    fn schedule(&mut self, schedule: &CardSchedule) -> Result<(), KeyImageError> {
        for day in &schedule.weekly {
            self.ranges(day)?;
        }
        self.indexes(&schedule.closed_on)?;
        self.count("holiday rules", schedule.holidays.len(), 255)?;
        for rule in &schedule.holidays {
            self.indexes(&rule.calendars)?;
            self.ranges(&rule.ranges)?;
        }
        Ok(())
    }

    fn ranges(&mut self, ranges: &[Minutes]) -> Result<(), KeyImageError> {
        self.count("ranges in a day", ranges.len(), 255)?;
        for (start, end) in ranges {
            self.out.extend_from_slice(&start.to_be_bytes());
            self.out.extend_from_slice(&end.to_be_bytes());
        }
        Ok(())
    }

    fn indexes(&mut self, indexes: &[u8]) -> Result<(), KeyImageError> {
        self.count("calendar references", indexes.len(), 255)?;
        self.out.extend_from_slice(indexes);
        Ok(())
    }
}
