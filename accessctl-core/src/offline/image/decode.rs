//! The decoder: bytes of layout version 1 to image contents.
//!
//! Owns reading each section and checking every rule of the layout (magic, version,
//! reserved bytes, order and ranges, indexes in range), so that only canonical images
//! are read. It checks no tag (the callers do, before or after) and never panics: a
//! short or broken input is a [`DecodeError`] naming the byte offset of the problem.

use super::{
    Calendar, DayRanges, DaySpan, Digest, Entry, HolderRecord, HolidayRanges, ImageContents,
    MinuteSpan, OffsetChange, Rule, WeeklySchedule, DIGEST_LEN, LAYOUT_VERSION, MAGIC, NO_SCHEDULE,
};
use crate::model::ReaderModes;
use crate::time::Timestamp;
use thiserror::Error;

/// Why bytes are not a lock image.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// The bytes end before what the layout requires.
    #[error("the image is truncated at byte {offset}: {what} is missing")]
    Truncated {
        /// Where the missing part starts.
        offset: usize,
        /// What is missing.
        what: &'static str,
    },
    /// The first four bytes are not `ACLI`.
    #[error("not a lock image: the first bytes are not the magic `ACLI`")]
    BadMagic,
    /// A layout version this build does not read.
    #[error("byte 4: layout version {version} is not supported (this build reads version {LAYOUT_VERSION})")]
    UnsupportedVersion {
        /// The version found.
        version: u8,
    },
    /// A field breaks a rule of the layout.
    #[error("byte {offset}: {problem}")]
    Malformed {
        /// Where the field starts.
        offset: usize,
        /// Which rule it breaks.
        problem: Malformed,
    },
    /// Bytes between the last section and the trailer.
    #[error("byte {offset}: {count} unexpected bytes before the trailer")]
    TrailingBytes {
        /// Where they start.
        offset: usize,
        /// How many.
        count: usize,
    },
    /// The tag does not match the lock key: the image was changed or is another lock's.
    #[error("the image is not authentic: its tag does not match this lock's key")]
    NotAuthentic,
}

impl DecodeError {
    /// The byte offset of the problem (0 for a bad tag, which concerns every byte).
    pub fn offset(&self) -> usize {
        match self {
            DecodeError::Truncated { offset, .. }
            | DecodeError::Malformed { offset, .. }
            | DecodeError::TrailingBytes { offset, .. } => *offset,
            DecodeError::BadMagic | DecodeError::NotAuthentic => 0,
            DecodeError::UnsupportedVersion { .. } => 4,
        }
    }
}

/// The rules of the layout a field can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Malformed {
    /// Reader or factor bits beyond the five media.
    #[error("unknown reader mode bits")]
    UnknownModes,
    /// A reserved field is not zero.
    #[error("reserved bytes must be zero")]
    Reserved,
    /// The door name is not UTF-8.
    #[error("the door name is not UTF-8")]
    DoorName,
    /// The horizon is not after the issue instant.
    #[error("the horizon must come after the issue instant")]
    Horizon,
    /// A UTC offset of a day or more.
    #[error("a UTC offset must be less than a day")]
    Offset,
    /// Offset changes out of order or outside the window.
    #[error("offset changes must be ascending, after the issue instant and before the horizon")]
    Transition,
    /// Holiday spans reversed, out of order, overlapping or touching.
    #[error("holiday spans must be ascending, disjoint and not touching")]
    HolidaySpan,
    /// A minute beyond 1440.
    #[error("a minute must be at most 1440")]
    Minute,
    /// Open minutes reversed, out of order, overlapping or touching.
    #[error("open minute ranges must be ascending, disjoint and not touching")]
    MinuteSpan,
    /// A calendar index beyond the calendars.
    #[error("calendar index out of range")]
    CalendarIndex,
    /// Calendar indexes not strictly ascending.
    #[error("calendar indexes must be strictly ascending")]
    CalendarOrder,
    /// A schedule index beyond the schedules.
    #[error("schedule index out of range")]
    ScheduleIndex,
    /// An access rule of a kind this version does not know.
    #[error("unknown access rule kind")]
    RuleKind,
    /// An access rule repeating a schedule, or with "no schedule" before its end.
    #[error("an access rule must not repeat a schedule and may end with \"no schedule\" only")]
    RuleSchedules,
    /// An `inactive` rule with schedules.
    #[error("an inactive access rule has no schedules")]
    InactiveRule,
    /// An access rule index beyond the rules.
    #[error("access rule index out of range")]
    RuleIndex,
    /// A holder index beyond the holders.
    #[error("holder index out of range")]
    HolderIndex,
    /// Digests not strictly ascending.
    #[error("digests must be strictly ascending")]
    DigestOrder,
    /// A digest both among the credentials and the revoked ones.
    #[error("a credential cannot be both valid and revoked")]
    RevokedAndValid,
}

/// A cursor over the bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let truncated = DecodeError::Truncated {
            offset: self.at,
            what,
        };
        let end = self.at.checked_add(n).ok_or(truncated.clone())?;
        let taken = self.bytes.get(self.at..end).ok_or(truncated)?;
        self.at = end;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], DecodeError> {
        let at = self.at;
        let taken = self.take(N, what)?;
        <[u8; N]>::try_from(taken).map_err(|_| DecodeError::Truncated { offset: at, what })
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        self.array::<1>(what).map(|[b]| b)
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, DecodeError> {
        self.array(what).map(u16::from_le_bytes)
    }

    fn i32(&mut self, what: &'static str) -> Result<i32, DecodeError> {
        self.array(what).map(i32::from_le_bytes)
    }

    fn i64(&mut self, what: &'static str) -> Result<i64, DecodeError> {
        self.array(what).map(i64::from_le_bytes)
    }

    /// Fails with `problem` at `offset` unless `ok`.
    fn check(offset: usize, ok: bool, problem: Malformed) -> Result<(), DecodeError> {
        if ok {
            Ok(())
        } else {
            Err(DecodeError::Malformed { offset, problem })
        }
    }
}

/// The header's counts of each section.
struct Counts {
    transitions: u16,
    calendars: u16,
    schedules: u16,
    rules: u16,
    holders: u16,
    space_codes: u16,
    credentials: u16,
    revocations: u16,
}

/// Reads the bytes before the trailer.
pub(super) fn parse(body: &[u8]) -> Result<ImageContents, DecodeError> {
    let mut r = Reader { bytes: body, at: 0 };
    let (mut image, counts) = header(&mut r)?;
    image.transitions = transitions(&mut r, &image, counts.transitions)?;
    image.calendars = repeat(counts.calendars, || calendar(&mut r))?;
    image.schedules = repeat(counts.schedules, || schedule(&mut r, counts.calendars))?;
    let door_schedule = image.door_schedule.is_none_or(|s| s < counts.schedules);
    Reader::check(28, door_schedule, Malformed::ScheduleIndex)?;
    image.rules = repeat(counts.rules, || rule(&mut r, counts.schedules))?;
    image.holders = repeat(counts.holders, || holder(&mut r, counts.rules))?;
    image.space_codes = digests(&mut r, counts.space_codes)?;
    image.credentials = entries(&mut r, counts.credentials, counts.holders)?;
    let revocations_at = r.at;
    image.revocations = entries(&mut r, counts.revocations, counts.holders)?;
    let disjoint = disjoint(&image.credentials, &image.revocations);
    Reader::check(revocations_at, disjoint, Malformed::RevokedAndValid)?;
    if r.at < body.len() {
        return Err(DecodeError::TrailingBytes {
            offset: r.at,
            count: body.len() - r.at,
        });
    }
    Ok(image)
}

fn repeat<T>(
    count: u16,
    mut item: impl FnMut() -> Result<T, DecodeError>,
) -> Result<Vec<T>, DecodeError> {
    // No capacity from the count: a forged count must not make us allocate.
    let mut items = Vec::new();
    for _ in 0..count {
        items.push(item()?);
    }
    Ok(items)
}

fn header(r: &mut Reader<'_>) -> Result<(ImageContents, Counts), DecodeError> {
    if r.array::<4>("the magic")? != MAGIC {
        return Err(DecodeError::BadMagic);
    }
    let version = r.u8("the layout version")?;
    if version != LAYOUT_VERSION {
        return Err(DecodeError::UnsupportedVersion { version });
    }
    let readers = modes(r, "the reader modes")?;
    let required = modes(r, "the required factors")?;
    let name_len = r.u8("the door name's length")?;
    let issued = Timestamp(r.i64("the issue instant")?);
    let horizon = Timestamp(r.i64("the horizon")?);
    Reader::check(16, horizon > issued, Malformed::Horizon)?;
    let base_offset = offset(r, "the base offset")?;
    let door_schedule = r.u16("the door schedule")?;
    let counts = counts(r)?;
    Reader::check(46, r.u16("the reserved field")? == 0, Malformed::Reserved)?;
    let name_at = r.at;
    let name = r.take(usize::from(name_len), "the door name")?;
    let door = std::str::from_utf8(name).map_err(|_| DecodeError::Malformed {
        offset: name_at,
        problem: Malformed::DoorName,
    })?;
    let image = ImageContents {
        door: door.to_owned(),
        readers,
        required,
        issued,
        horizon,
        base_offset,
        transitions: Vec::new(),
        door_schedule: (door_schedule != NO_SCHEDULE).then_some(door_schedule),
        calendars: Vec::new(),
        schedules: Vec::new(),
        rules: Vec::new(),
        holders: Vec::new(),
        space_codes: Vec::new(),
        credentials: Vec::new(),
        revocations: Vec::new(),
    };
    Ok((image, counts))
}

fn modes(r: &mut Reader<'_>, what: &'static str) -> Result<ReaderModes, DecodeError> {
    let at = r.at;
    let bits = r.u8(what)?;
    ReaderModes::from_bits(bits).ok_or(DecodeError::Malformed {
        offset: at,
        problem: Malformed::UnknownModes,
    })
}

fn offset(r: &mut Reader<'_>, what: &'static str) -> Result<i32, DecodeError> {
    let at = r.at;
    let offset = r.i32(what)?;
    Reader::check(at, offset.unsigned_abs() < 86_400, Malformed::Offset)?;
    Ok(offset)
}

fn counts(r: &mut Reader<'_>) -> Result<Counts, DecodeError> {
    Ok(Counts {
        transitions: r.u16("the count of offset changes")?,
        calendars: r.u16("the count of calendars")?,
        schedules: r.u16("the count of schedules")?,
        rules: r.u16("the count of access rules")?,
        holders: r.u16("the count of holders")?,
        space_codes: r.u16("the count of space codes")?,
        credentials: r.u16("the count of credentials")?,
        revocations: r.u16("the count of revoked credentials")?,
    })
}

fn transitions(
    r: &mut Reader<'_>,
    image: &ImageContents,
    count: u16,
) -> Result<Vec<OffsetChange>, DecodeError> {
    let mut previous = image.issued;
    repeat(count, || {
        let at_offset = r.at;
        let at = Timestamp(r.i64("an offset change")?);
        let ordered = at > previous && at < image.horizon;
        Reader::check(at_offset, ordered, Malformed::Transition)?;
        previous = at;
        let offset = offset(r, "an offset change's offset")?;
        Ok(OffsetChange { at, offset })
    })
}

fn calendar(r: &mut Reader<'_>) -> Result<Calendar, DecodeError> {
    let count = r.u16("a calendar's count of spans")?;
    let mut next_free: u32 = 0;
    let spans = repeat(count, || {
        let at = r.at;
        let first = r.u16("a holiday span")?;
        let last = r.u16("a holiday span")?;
        let ordered = u32::from(first) >= next_free && first <= last;
        Reader::check(at, ordered, Malformed::HolidaySpan)?;
        next_free = u32::from(last) + 2;
        Ok(DaySpan { first, last })
    })?;
    Ok(Calendar { spans })
}

fn schedule(r: &mut Reader<'_>, calendars: u16) -> Result<WeeklySchedule, DecodeError> {
    let mut schedule = WeeklySchedule::default();
    for day in &mut schedule.weekly {
        *day = day_ranges(r)?;
    }
    schedule.closed_on = calendar_indexes(r, calendars)?;
    let rules = r.u8("a schedule's count of holiday rules")?;
    schedule.holiday_rules = repeat(u16::from(rules), || {
        Ok(HolidayRanges {
            calendars: calendar_indexes(r, calendars)?,
            ranges: day_ranges(r)?,
        })
    })?;
    Ok(schedule)
}

fn calendar_indexes(r: &mut Reader<'_>, calendars: u16) -> Result<Vec<u16>, DecodeError> {
    let count = r.u8("a count of calendars")?;
    let mut previous: Option<u16> = None;
    repeat(u16::from(count), || {
        let at = r.at;
        let index = r.u16("a calendar index")?;
        Reader::check(at, index < calendars, Malformed::CalendarIndex)?;
        Reader::check(
            at,
            previous.is_none_or(|p| index > p),
            Malformed::CalendarOrder,
        )?;
        previous = Some(index);
        Ok(index)
    })
}

fn day_ranges(r: &mut Reader<'_>) -> Result<DayRanges, DecodeError> {
    let at = r.at;
    let spill = r.u16("a spill end")?;
    Reader::check(at, spill <= 1440, Malformed::Minute)?;
    let count = r.u8("a count of ranges")?;
    let mut next_free: u32 = 0;
    let open = repeat(u16::from(count), || {
        let at = r.at;
        let start = r.u16("a range")?;
        let end = r.u16("a range")?;
        Reader::check(at, end <= 1440, Malformed::Minute)?;
        let ordered = u32::from(start) >= next_free && start < end;
        Reader::check(at, ordered, Malformed::MinuteSpan)?;
        next_free = u32::from(end) + 1;
        Ok(MinuteSpan { start, end })
    })?;
    Ok(DayRanges { spill, open })
}

fn rule(r: &mut Reader<'_>, schedules: u16) -> Result<Rule, DecodeError> {
    let at = r.at;
    let kind = r.u8("an access rule's kind")?;
    let count = r.u8("an access rule's count of schedules")?;
    match kind {
        0 => rule_schedules(r, count, schedules).map(Rule::Schedules),
        1 => {
            Reader::check(at + 1, count == 0, Malformed::InactiveRule)?;
            Ok(Rule::Inactive)
        }
        _ => Err(DecodeError::Malformed {
            offset: at,
            problem: Malformed::RuleKind,
        }),
    }
}

fn rule_schedules(
    r: &mut Reader<'_>,
    count: u8,
    schedules: u16,
) -> Result<Vec<Option<u16>>, DecodeError> {
    let mut seen: Vec<Option<u16>> = Vec::new();
    for _ in 0..count {
        let at = r.at;
        let index = r.u16("a schedule index")?;
        let schedule = (index != NO_SCHEDULE).then_some(index);
        Reader::check(
            at,
            schedule.is_none_or(|s| s < schedules),
            Malformed::ScheduleIndex,
        )?;
        let fresh = !seen.contains(&schedule) && !seen.contains(&None);
        Reader::check(at, fresh, Malformed::RuleSchedules)?;
        seen.push(schedule);
    }
    Ok(seen)
}

fn holder(r: &mut Reader<'_>, rules: u16) -> Result<HolderRecord, DecodeError> {
    let valid_from = r.u16("a holder's first day")?;
    let valid_to = r.u16("a holder's last day")?;
    let at = r.at;
    let rule = r.u16("a holder's access rule")?;
    Reader::check(at, rule < rules, Malformed::RuleIndex)?;
    Ok(HolderRecord {
        valid_from,
        valid_to,
        rule,
    })
}

fn digests(r: &mut Reader<'_>, count: u16) -> Result<Vec<Digest>, DecodeError> {
    let mut previous: Option<Digest> = None;
    repeat(count, || {
        let at = r.at;
        let digest = r.array::<DIGEST_LEN>("a space code digest")?;
        let ordered = previous.is_none_or(|p| digest > p);
        Reader::check(at, ordered, Malformed::DigestOrder)?;
        previous = Some(digest);
        Ok(digest)
    })
}

fn entries(r: &mut Reader<'_>, count: u16, holders: u16) -> Result<Vec<Entry>, DecodeError> {
    let mut previous: Option<Digest> = None;
    repeat(count, || {
        let at = r.at;
        let digest = r.array::<DIGEST_LEN>("a credential digest")?;
        let ordered = previous.is_none_or(|p| digest > p);
        Reader::check(at, ordered, Malformed::DigestOrder)?;
        previous = Some(digest);
        let holder_at = r.at;
        let holder = r.u16("a credential's holder")?;
        Reader::check(holder_at, holder < holders, Malformed::HolderIndex)?;
        Ok(Entry { digest, holder })
    })
}

/// Whether two lists sorted by digest share no digest.
fn disjoint(a: &[Entry], b: &[Entry]) -> bool {
    let (mut a, mut b) = (a.iter().peekable(), b.iter().peekable());
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        match x.digest.cmp(&y.digest) {
            std::cmp::Ordering::Less => {
                a.next();
            }
            std::cmp::Ordering::Greater => {
                b.next();
            }
            std::cmp::Ordering::Equal => return false,
        }
    }
    true
}
