//! Reading a key image of layout version 1.
//!
//! Owns checking every field of the layout, in order, and building the
//! [`KeyImage`]: counts within capacities, unused space zero, reserved bits clear,
//! doors and revocations in strictly ascending order, door masks naming carried
//! schedules, minutes and day ranges in range, calendar indexes that exist. The
//! first problem is reported with its byte offset. It never authenticates (the caller
//! checks the tag) and never panics.

use super::image::{
    read_header, Capacity, CardCalendar, CardHolidayRule, CardSchedule, DoorEntry, ImageProblem,
    KeyImage, KeyImageError, Minutes, Revocation, Timetable, ALWAYS, DOOR_RECORD_LEN,
    LAYOUT_VERSION, MAX_SCHEDULES, REVOCATION_RECORD_LEN, TAG_LEN,
};
use super::reader::Reader;
use crate::time::Timestamp;

/// Counts of the sections: what is used of each capacity.
struct Used {
    doors: usize,
    timetable: usize,
    revocations: usize,
}

pub(super) fn decode(bytes: &[u8]) -> Result<KeyImage, KeyImageError> {
    let header = read_header(bytes)?;
    let mut reader = Reader::new(bytes, 0);
    if header.version != LAYOUT_VERSION {
        return Err(reader.error_at(2, ImageProblem::UnknownLayout(header.version)));
    }
    reader.take(11)?;
    let (offline, card, key_options) = options(&mut reader)?;
    let issued = Timestamp(reader.i64()?);
    let expiry = Timestamp(reader.i64()?);
    let valid_from = reader.i32()?;
    let valid_to = reader.i32()?;
    let (capacity, used) = capacities(&mut reader)?;
    let doors = doors(&mut reader, capacity.door_slots, used.doors)?;
    let timetable = timetable(&mut reader, capacity.timetable_bytes, used.timetable)?;
    check_masks(&doors, timetable.schedules.len())?;
    let revocations = revocations(&mut reader, capacity.revocation_slots, used.revocations)?;
    let tag = reader.array::<TAG_LEN>()?;
    if reader.remaining() > 0 {
        return Err(reader.error(ImageProblem::TrailingBytes(reader.remaining())));
    }
    Ok(KeyImage {
        holder: header.holder,
        offline,
        card,
        key_options,
        issued,
        expiry,
        valid_from,
        valid_to,
        capacity,
        doors,
        timetable,
        revocations,
        tag,
    })
}

/// Bytes 11–19: the options byte and the card number.
fn options(
    reader: &mut Reader<'_>,
) -> Result<(bool, Option<u64>, crate::model::KeyOptions), KeyImageError> {
    let at = reader.offset();
    let options = reader.u8()?;
    let card = reader.u64()?;
    KeyImage::read_options(options, card)
        .map_err(|bits| reader.error_at(at, ImageProblem::ReservedBits(bits)))
}

/// Bytes 44–53: each section's capacity and use.
fn capacities(reader: &mut Reader<'_>) -> Result<(Capacity, Used), KeyImageError> {
    let door_slots = reader.u16()?;
    let doors = count_within(reader, 2, usize::from(door_slots))?;
    let timetable_bytes = reader.u16()?;
    let timetable = count_within(reader, 2, usize::from(timetable_bytes))?;
    let revocation_slots = reader.u8()?;
    let revocations = count_within(reader, 1, usize::from(revocation_slots))?;
    let capacity = Capacity {
        door_slots,
        timetable_bytes,
        revocation_slots,
    };
    let used = Used {
        doors,
        timetable,
        revocations,
    };
    Ok((capacity, used))
}

/// Reads a count `width` bytes wide that must not exceed `capacity`.
fn count_within(
    reader: &mut Reader<'_>,
    width: usize,
    capacity: usize,
) -> Result<usize, KeyImageError> {
    let at = reader.offset();
    let used = if width == 1 {
        usize::from(reader.u8()?)
    } else {
        usize::from(reader.u16()?)
    };
    if used > capacity {
        return Err(reader.error_at(at, ImageProblem::OverCapacity { used, capacity }));
    }
    Ok(used)
}

fn doors(
    reader: &mut Reader<'_>,
    slots: u16,
    used: usize,
) -> Result<Vec<DoorEntry>, KeyImageError> {
    let mut doors: Vec<DoorEntry> = Vec::with_capacity(used);
    for _ in 0..used {
        let at = reader.offset();
        let door = DoorEntry {
            door: reader.array()?,
            schedules: reader.u16()?,
        };
        if doors.last().is_some_and(|last| last.door >= door.door) {
            return Err(reader.error_at(at, ImageProblem::Unordered));
        }
        doors.push(door);
    }
    let unused = usize::from(slots) - used;
    reader.zeros(unused * DOOR_RECORD_LEN)?;
    Ok(doors)
}

/// Every door mask is [`ALWAYS`] alone, or names carried schedules only.
fn check_masks(doors: &[DoorEntry], schedules: usize) -> Result<(), KeyImageError> {
    let allowed: u16 = (1u16 << schedules.min(MAX_SCHEDULES)) - 1;
    for (i, door) in doors.iter().enumerate() {
        let mask = door.schedules;
        if mask != ALWAYS && (mask == 0 || mask & !allowed != 0) {
            let at = super::image::HEADER_LEN + i * DOOR_RECORD_LEN + 8;
            return Err(KeyImageError {
                offset: at,
                problem: ImageProblem::BadMask(mask),
            });
        }
    }
    Ok(())
}

fn timetable(
    reader: &mut Reader<'_>,
    capacity: u16,
    used: usize,
) -> Result<Timetable, KeyImageError> {
    let at = reader.offset();
    let area = reader.take(usize::from(capacity))?;
    let mut inner = Reader::new(area, at);
    let timetable = TimetableReader { reader: &mut inner }.read()?;
    let parsed = usize::from(capacity) - inner.remaining();
    if parsed != used {
        let stated = used;
        return Err(KeyImageError {
            offset: at,
            problem: ImageProblem::TimetableLength { parsed, stated },
        });
    }
    inner.zeros(inner.remaining())?;
    Ok(timetable)
}

fn revocations(
    reader: &mut Reader<'_>,
    slots: u8,
    used: usize,
) -> Result<Vec<Revocation>, KeyImageError> {
    let mut revocations: Vec<Revocation> = Vec::with_capacity(used);
    for _ in 0..used {
        let at = reader.offset();
        let revocation = Revocation {
            holder: reader.array()?,
            before: Timestamp(reader.i64()?),
        };
        if revocations
            .last()
            .is_some_and(|last| last.holder >= revocation.holder)
        {
            return Err(reader.error_at(at, ImageProblem::Unordered));
        }
        revocations.push(revocation);
    }
    reader.zeros((usize::from(slots) - used) * REVOCATION_RECORD_LEN)?;
    Ok(revocations)
}

/// Reads the timetable's content.
struct TimetableReader<'r, 'a> {
    reader: &'r mut Reader<'a>,
}

impl TimetableReader<'_, '_> {
    fn read(&mut self) -> Result<Timetable, KeyImageError> {
        let count = self.reader.u8()?;
        let mut calendars = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            calendars.push(self.calendar()?);
        }
        let at = self.reader.offset();
        let count = self.reader.u8()?;
        if usize::from(count) > MAX_SCHEDULES {
            return Err(self
                .reader
                .error_at(at, ImageProblem::TooManySchedules(count)));
        }
        let mut schedules = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            schedules.push(self.schedule(calendars.len())?);
        }
        Ok(Timetable {
            calendars,
            schedules,
        })
    }

    fn calendar(&mut self) -> Result<CardCalendar, KeyImageError> {
        let count = self.reader.u8()?;
        let mut days = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            let at = self.reader.offset();
            let (first, last) = (self.reader.i32()?, self.reader.i32()?);
            if first > last {
                return Err(self
                    .reader
                    .error_at(at, ImageProblem::ReversedDays(first, last)));
            }
            days.push((first, last));
        }
        Ok(CardCalendar { days })
    }

    fn schedule(&mut self, calendars: usize) -> Result<CardSchedule, KeyImageError> {
        let mut schedule = CardSchedule::default();
        for day in schedule.weekly.iter_mut() {
            *day = self.ranges()?;
        }
        schedule.closed_on = self.indexes(calendars)?;
        let count = self.reader.u8()?;
        for _ in 0..count {
            let calendars = self.indexes(calendars)?;
            let ranges = self.ranges()?;
            schedule
                .holidays
                .push(CardHolidayRule { calendars, ranges });
        }
        Ok(schedule)
    }

    fn ranges(&mut self) -> Result<Vec<Minutes>, KeyImageError> {
        let count = self.reader.u8()?;
        let mut ranges = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            let at = self.reader.offset();
            let start = self.reader.u16()?;
            if start >= 1440 {
                return Err(self.reader.error_at(at, ImageProblem::BadMinute(start)));
            }
            let end = self.reader.u16()?;
            if end > 1440 {
                return Err(self.reader.error_at(at + 2, ImageProblem::BadMinute(end)));
            }
            ranges.push((start, end));
        }
        Ok(ranges)
    }

    fn indexes(&mut self, calendars: usize) -> Result<Vec<u8>, KeyImageError> {
        let count = self.reader.u8()?;
        let at = self.reader.offset();
        let indexes = self.reader.take(usize::from(count))?;
        match indexes.iter().position(|i| usize::from(*i) >= calendars) {
            Some(bad) => {
                let index = indexes.get(bad).copied().unwrap_or_default();
                Err(self
                    .reader
                    .error_at(at + bad, ImageProblem::BadCalendar(index)))
            }
            None => Ok(indexes.to_vec()),
        }
    }
}
