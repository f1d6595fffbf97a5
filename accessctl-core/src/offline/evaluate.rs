//! The offline evaluator: how a lock decides from its memory image alone.
//!
//! Owns the steps of `docs/decisions.md` as a lock with no network runs them, with
//! the same reason codes: a permanent space code typed alone; the holder of every
//! presented credential (by digest); media and factors; a deactivated holder; the
//! validity window; the schedules of the holder's grants; the door's own schedule.
//! Local time comes from the offset changes the image carries. A credential the image
//! does not hold is `unknown_credential`: the lock cannot tell more. It never reads a
//! clock (the caller passes the instant), never allocates, and never panics, whatever
//! the contents.

use super::image::{
    Calendar, DayRanges, ImageContents, LockImage, PresentedDigests, Rule, WeeklySchedule,
};
use crate::decide::{Presented, Reason};
use crate::model::ReaderModes;
use crate::time::{LocalTime, Timestamp};

/// Who the lock recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "kind", content = "index", rename_all = "snake_case")]
pub enum LockHolder {
    /// A holder of the image (index into its holders).
    Holder(u16),
    /// A permanent space code of the image (index into its space codes).
    SpaceCode(u16),
}

/// What a lock decided, and why; [`ImageMap::decision`](super::ImageMap::decision)
/// turns it back into the engine's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockDecision {
    /// Why; says whether it is an allow.
    pub reason: Reason,
    /// The holder or space code recognised.
    pub holder: Option<LockHolder>,
    /// The schedule that decided (image index): open on `granted`, closed on
    /// `outside_schedule`, the door's on `door_closed`.
    pub schedule: Option<u16>,
    /// Whether the instant lies in `[issue, horizon)`, where the image answers
    /// exactly; outside, the lock keeps deciding with the offsets it knows and should
    /// ask for a new image.
    pub within_horizon: bool,
}

impl LockDecision {
    /// Whether the door opens.
    pub fn allowed(&self) -> bool {
        self.reason.is_allow()
    }

    fn because(mut self, reason: Reason) -> LockDecision {
        self.reason = reason;
        self
    }
}

/// Denies early with a decision.
type Step<T> = Result<T, LockDecision>;

impl LockImage {
    /// Decides whether `presented` opens this lock's door at `at`, from the image
    /// alone, as `CompiledPolicy::decide` would in offline mode.
    pub fn decide(&self, presented: &Presented<'_>, at: Timestamp) -> LockDecision {
        self.contents.decide_digests(&self.digests(presented), at)
    }
}

impl ImageContents {
    /// Decides from the digests of the presented credentials (what
    /// [`LockImage::decide`] runs once it has computed them).
    pub fn decide_digests(&self, presented: &PresentedDigests, at: Timestamp) -> LockDecision {
        let start = LockDecision {
            reason: Reason::Granted,
            holder: None,
            schedule: None,
            within_horizon: self.issued <= at && at < self.horizon,
        };
        match self.decide_steps(presented, at, start) {
            Ok(decision) | Err(decision) => decision,
        }
    }

    fn decide_steps(
        &self,
        presented: &PresentedDigests,
        at: Timestamp,
        decision: LockDecision,
    ) -> Step<LockDecision> {
        if let Some(decided) = self.space_code(presented, decision) {
            return Ok(decided);
        }
        let (holder, media) = self.identify(presented, decision)?;
        let decision = LockDecision {
            holder: Some(LockHolder::Holder(holder)),
            ..decision
        };
        if !self.readers.contains(media) {
            return Err(decision.because(Reason::MediumNotAccepted));
        }
        if !self.required.is_empty() && !media.contains(self.required) {
            return Err(decision.because(Reason::SecondFactorRequired));
        }
        let local = LocalTime::at(at, self.offset_at(at));
        self.decide_holder(holder, local, decision)
    }

    /// Step 1: a code typed alone that is one of the door's space codes.
    fn space_code(
        &self,
        presented: &PresentedDigests,
        decision: LockDecision,
    ) -> Option<LockDecision> {
        let PresentedDigests {
            keypad: Some(code),
            card: None,
            qr: None,
            mobile: None,
        } = presented
        else {
            return None;
        };
        let slot = self.space_codes.binary_search(code).ok()?;
        let decision = LockDecision {
            holder: Some(LockHolder::SpaceCode(u16::try_from(slot).ok()?)),
            ..decision
        };
        Some(if self.readers.contains(ReaderModes::PIN) {
            decision.because(Reason::SpaceCode)
        } else {
            decision.because(Reason::MediumNotAccepted)
        })
    }

    /// Step 2: the one holder of every presented credential, and the media.
    fn identify(
        &self,
        presented: &PresentedDigests,
        decision: LockDecision,
    ) -> Step<(u16, ReaderModes)> {
        let unknown = decision.because(Reason::UnknownCredential);
        let found = [
            (ReaderModes::BADGE, presented.card),
            (ReaderModes::PIN, presented.keypad),
            (ReaderModes::QR, presented.qr),
            (ReaderModes::MOBILE, presented.mobile),
        ];
        let mut media = ReaderModes::empty();
        let mut holders = [None; 4];
        for ((medium, digest), holder) in found.iter().zip(holders.iter_mut()) {
            if let Some(digest) = digest {
                media |= *medium;
                *holder = Some(self.holder_of(digest).ok_or(unknown)?);
            }
        }
        let mut known = holders.iter().flatten();
        let first = *known.next().ok_or(unknown)?;
        if known.any(|h| *h != first) {
            return Err(decision.because(Reason::FactorsMismatch));
        }
        Ok((first, media))
    }

    /// The holder of a digest, among the credentials then the revoked ones.
    fn holder_of(&self, digest: &super::image::Digest) -> Option<u16> {
        let find = |entries: &[super::image::Entry]| {
            entries
                .binary_search_by(|e| e.digest.cmp(digest))
                .ok()
                .and_then(|i| entries.get(i))
                .map(|e| e.holder)
        };
        find(&self.credentials).or_else(|| find(&self.revocations))
    }

    /// Steps 6.3 to 6.9 for a holder of the image.
    fn decide_holder(
        &self,
        holder: u16,
        local: LocalTime,
        decision: LockDecision,
    ) -> Step<LockDecision> {
        let unknown = decision.because(Reason::UnknownCredential);
        let record = self.holders.get(usize::from(holder)).ok_or(unknown)?;
        let rule = self.rules.get(usize::from(record.rule)).ok_or(unknown)?;
        let Rule::Schedules(schedules) = rule else {
            return Err(decision.because(Reason::Inactive));
        };
        let day = local.day;
        if day < i32::from(record.valid_from) || day > i32::from(record.valid_to) {
            return Err(decision.because(Reason::OutsideValidity));
        }
        let open = schedules.iter().find(|s| self.is_open(**s, local));
        let Some(&schedule) = open else {
            let first = schedules.first().copied().flatten();
            return Err(LockDecision {
                schedule: first,
                ..decision.because(Reason::OutsideSchedule)
            });
        };
        if !self.is_open(self.door_schedule, local) {
            return Err(LockDecision {
                schedule: self.door_schedule,
                ..decision.because(Reason::DoorClosed)
            });
        }
        Ok(LockDecision {
            schedule,
            ..decision
        })
    }

    /// The UTC offset in force at `at`: the last change at or before it, else the
    /// offset at issue.
    pub fn offset_at(&self, at: Timestamp) -> i32 {
        let i = self.transitions.partition_point(|c| c.at <= at);
        i.checked_sub(1)
            .and_then(|i| self.transitions.get(i))
            .map_or(self.base_offset, |c| c.offset)
    }

    /// Whether the schedule at image index `schedule` is open (`None`: always; an
    /// index out of range: never).
    fn is_open(&self, schedule: Option<u16>, local: LocalTime) -> bool {
        match schedule {
            None => true,
            Some(i) => self
                .schedules
                .get(usize::from(i))
                .is_some_and(|s| s.is_open(local, &self.calendars)),
        }
    }
}

impl WeeklySchedule {
    /// Whether the schedule is open at `local`: a range starting that day covers the
    /// minute, or one starting the day before spills over it.
    pub fn is_open(&self, local: LocalTime, calendars: &[Calendar]) -> bool {
        let today = self.ranges_on(local.day, local.weekday(), calendars);
        if today.is_some_and(|r| r.contains(local.minute)) {
            return true;
        }
        let yesterday_weekday = (local.weekday() + 6) % 7;
        let yesterday = self.ranges_on(local.day.saturating_sub(1), yesterday_weekday, calendars);
        yesterday.is_some_and(|r| local.minute < r.spill)
    }

    /// The ranges that start on `day`, or `None` when it is closed.
    fn ranges_on(&self, day: i32, weekday: usize, calendars: &[Calendar]) -> Option<&DayRanges> {
        let in_any = |ids: &[u16]| {
            ids.iter().any(|&id| {
                calendars
                    .get(usize::from(id))
                    .is_some_and(|c| c.contains(day))
            })
        };
        if let Some(rule) = self.holiday_rules.iter().find(|r| in_any(&r.calendars)) {
            return Some(&rule.ranges);
        }
        if in_any(&self.closed_on) {
            return None;
        }
        self.weekly.get(weekday)
    }
}

impl DayRanges {
    /// Whether `minute` of the day itself is open.
    fn contains(&self, minute: u16) -> bool {
        let i = self.open.partition_point(|s| s.end <= minute);
        self.open.get(i).is_some_and(|s| s.start <= minute)
    }
}

impl Calendar {
    /// Whether local day `day` is one of its holidays.
    pub fn contains(&self, day: i32) -> bool {
        let i = self.spans.partition_point(|s| i32::from(s.last) < day);
        self.spans.get(i).is_some_and(|s| i32::from(s.first) <= day)
    }
}
