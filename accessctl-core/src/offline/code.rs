//! Algorithmic offline codes: numeric codes that a lock with no network verifies by
//! itself, with only its secret and its clock.
//!
//! Owns the scheme (how the server derives a code for a window from a door's secret,
//! and how the lock recovers the window from the code and checks it), and the lock's
//! keypad state ([`CodeVerifier`]: wrong-entry lockout, one-time codes already used).
//! It must never read a clock or draw randomness (instants and variants come from the
//! caller), never show a code by accident ([`OfflineCode`] has no `Display` and a
//! redacted `Debug`), and never compare check digits in variable time.
//!
//! # Keys
//!
//! Each door has its own code key, [`door_code_key`]: `Key::derive("offline-code",
//! door name)` of the site key. The server holds the site key and issues codes for any
//! door; a lock holds only its own door's code key. A code for one door is therefore
//! worthless at another, and a lock taken apart reveals no other door's codes.
//!
//! # The digits
//!
//! A code is **ten decimal digits**, `WWWW CCCCC K`:
//!
//! | digits | part | content |
//! |---|---|---|
//! | 1–4 | window field `W` | which window: class (use and length), variant, start (table below) |
//! | 5–9 | check part `C` | `HMAC-SHA256(door code key, "accessctl offline code v1" ‖ class ‖ variant ‖ start)`: the tag's first 8 bytes as a big-endian integer, modulo 10⁵, with leading zeros |
//! | 10 | check digit `K` | the Damm check digit of digits 1–9 |
//!
//! In the tag's input, `class` is one byte (the class number below), `variant` one
//! byte, and `start` the window's start as 8 big-endian bytes of seconds since
//! 1970-01-01T00:00Z.
//!
//! ## The window field
//!
//! The values 0000–9999 of `W` are shared out between 23 classes of windows. A class
//! whose starts are carried modulo `M` units, with `V` variants, takes `M × V` values
//! from its base: `W = base + variant × M + (start ÷ unit) mod M`. A window starts on a
//! whole unit since the epoch (a whole UTC hour, or a UTC midnight for the longest
//! classes) and lasts the class's length; the issuer rounds the requested start down
//! to the unit. The period is `M` units; the margin is how long before its start and
//! after its end the lock still recognizes a code as its own (half of what the period
//! leaves beside the window).
//!
//! | `W` | class | use | length | unit | `M` | period | `V` | margin |
//! |---|---|---|---|---|---|---|---|---|
//! | 0000–0287 | 0 | once | 1 h | hour | 72 | 3 d | 4 | 35.5 h |
//! | 0288–0575 | 1 | once | 2 h | hour | 72 | 3 d | 4 | 35 h |
//! | 0576–0863 | 2 | once | 4 h | hour | 72 | 3 d | 4 | 34 h |
//! | 0864–1151 | 3 | once | 8 h | hour | 72 | 3 d | 4 | 32 h |
//! | 1152–1439 | 4 | once | 12 h | hour | 72 | 3 d | 4 | 30 h |
//! | 1440–1727 | 5 | once | 24 h | hour | 72 | 3 d | 4 | 24 h |
//! | 1728–1871 | 6 | repeat | 1 h | hour | 72 | 3 d | 2 | 35.5 h |
//! | 1872–2015 | 7 | repeat | 2 h | hour | 72 | 3 d | 2 | 35 h |
//! | 2016–2159 | 8 | repeat | 3 h | hour | 72 | 3 d | 2 | 34.5 h |
//! | 2160–2303 | 9 | repeat | 4 h | hour | 72 | 3 d | 2 | 34 h |
//! | 2304–2447 | 10 | repeat | 6 h | hour | 72 | 3 d | 2 | 33 h |
//! | 2448–2591 | 11 | repeat | 8 h | hour | 72 | 3 d | 2 | 32 h |
//! | 2592–2735 | 12 | repeat | 12 h | hour | 72 | 3 d | 2 | 30 h |
//! | 2736–2879 | 13 | repeat | 24 h | hour | 72 | 3 d | 2 | 24 h |
//! | 2880–3119 | 14 | repeat | 2 d | hour | 240 | 10 d | 1 | 4 d |
//! | 3120–3359 | 15 | repeat | 3 d | hour | 240 | 10 d | 1 | 3.5 d |
//! | 3360–3599 | 16 | repeat | 5 d | hour | 240 | 10 d | 1 | 2.5 d |
//! | 3600–4943 | 17 | repeat | 7 d | hour | 1344 | 56 d | 1 | 24.5 d |
//! | 4944–6287 | 18 | repeat | 14 d | hour | 1344 | 56 d | 1 | 21 d |
//! | 6288–7631 | 19 | repeat | 28 d | hour | 1344 | 56 d | 1 | 14 d |
//! | 7632–8361 | 20 | repeat | 91 d | day | 730 | 730 d | 1 | 319.5 d |
//! | 8362–9091 | 21 | repeat | 182 d | day | 730 | 730 d | 1 | 274 d |
//! | 9092–9821 | 22 | repeat | 365 d | day | 730 | 730 d | 1 | 182.5 d |
//!
//! `W` = 9822–9999 is reserved: no code carries it. Variants let the server give up to
//! four guests of the same door and hour distinct one-time codes (two for repeatable
//! codes of a day or less), so that one guest's entry never uses up another's code.
//!
//! ## How the lock recovers the window
//!
//! From `W` the lock reads the class, the variant and the residue `r`. Of all the
//! starts that leave the residue `r`, one period apart, exactly one lies in
//! `[now − length − margin, now + margin)`: that is the window's start. The lock then
//! recomputes the check part with one HMAC and compares it in constant time. It
//! searches nothing: one candidate, one HMAC (about a microsecond), whatever the code.
//! A code entered more than a margin before its start, or more than a margin after
//! its end, is read as the window of another period and refused as a wrong code.
//!
//! # Acceptance
//!
//! A code whose check part matches is accepted when `start − drift ≤ now < end +
//! drift`, with a **drift tolerance of 15 minutes** ([`DRIFT_TOLERANCE`]): a lock clock
//! off by 20 ppm, a common crystal, drifts about 10.5 minutes a year. Earlier it is
//! refused as not yet valid, later as expired. A one-time code is accepted once; the
//! verifier remembers it until `end + drift`, after which it could not be accepted
//! anyway, and then forgets it. That memory is bounded ([`DEFAULT_MEMORY`] codes by
//! default, 16 bytes each); when it is full of codes still valid, a new one-time code
//! is refused ([`CodeRefusal::MemoryFull`]) rather than an older one forgotten.
//!
//! # Wrong entries and lockout
//!
//! The keypad's one rule, [`crate::lockout`], shared with PINs and space codes; for
//! offline codes it reads:
//!
//! - An entry that is not ten digits, or whose Damm digit is wrong, is refused as
//!   mistyped and **not counted**: no key ever makes such a code, so refusing it
//!   teaches nothing and counting it protects nothing. The Damm digit catches every
//!   single-digit error and every swap of adjacent digits, so most typos cost nothing.
//! - Any other entry whose check part does not match is a **strike**. On the 5th,
//!   10th, 15th… strike the keypad locks: the n-th lockout lasts 5 min × 2ⁿ⁻¹, at most
//!   24 h — 5, 10, 20, 40, 80, 160, 320, 640, 1280 minutes, then 24 h each. While
//!   locked, every entry is refused unread.
//! - Strikes and lockouts are forgiven 7 days after the last strike.
//! - An accepted code forgives nothing: otherwise the holder of one valid code could
//!   interleave it with guesses and guess without limit.
//!
//! # Guess probability, and why
//!
//! **Per attempt: 10⁻⁵.** For each window field exactly one of the 10⁵ check parts is
//! accepted, and HMAC-SHA256 under an unknown key behaves as a random function, so a
//! guess matches with probability 1/10⁵ (reducing a 64-bit value modulo 10⁵ adds a
//! bias below 10⁵/2⁶⁴ ≈ 5.4 × 10⁻¹⁵); n distinct guesses match with probability at
//! most n/10⁵. The attacker can always pick a field whose window contains the present
//! (a 365-day class, say), so 10⁻⁵ is also the best he can do; a guess that matches a
//! genuine code of another time (not yet valid, expired) is counted as a success too.
//!
//! **Per day: at most 45 wrong entries, so at most 45 × 10⁻⁵ = 4.5 × 10⁻⁴.** Strikes
//! come in batches of five between lockouts. From a clean state, batches start at
//! minutes 0, 5, 15, 35, 75, 155, 315, 635 and 1275; the tenth cannot start before
//! 1275 + 1280 = 2555 > 1440. Later days give fewer: once the lockouts reach 24 h,
//! five per day.
//!
//! **Per year: at most about 2,100 wrong entries, so at most about 2.1 %.** Waiting
//! to be forgiven and starting afresh pays best after nine batches: 45 entries per
//! 1275 + 7 × 1440 = 11,355 minutes, about 5.71 a day; 365 × 5.71 + 45 ≈ 2,130.
//! That is an attacker at one keypad every day of a year, each attempt logged.
//!
//! **Why these numbers.** Ten digits is about what people accept to type (the market's
//! offline PINs have 6 to 9). Four digits of window field are the least that carry a
//! start, a length up to a year, the use and variants while letting the lock recover
//! the window without searching; the Damm digit costs one digit and buys typo
//! detection (so that legitimate users rarely collect strikes) and a guarantee that
//! any single changed digit is refused; the five digits left are the check. Doubling
//! lockouts hold the first day to 45 attempts; the 24-hour cap bounds how long a
//! prankster can keep the keypad shut (cards still work); the 7-day forgiveness lets a
//! legitimate user's rare strikes fade.
//!
//! The tests check all of it: the round trip for every class, every single-digit
//! change refused, drift edges, one-time reuse, other doors, the lockout schedule, the
//! 45 and 2,130 bounds by simulation, and the empirical guess rate (with a
//! deterministic seed and binomial bounds at several check widths).

mod layout;
mod verifier;

pub use crate::lockout::{FIRST_LOCKOUT, FORGIVE_AFTER, MAX_LOCKOUT, STRIKES_PER_LOCKOUT};
pub use layout::{CHECK_DIGITS, CODE_LENGTH, FIELD_DIGITS};
pub use verifier::{CodeVerifier, UsedCodes, DEFAULT_MEMORY};

use crate::secret::{constant_time_eq, Key};
use crate::time::Timestamp;
use layout::{Class, CLASSES};
use serde::Serialize;
use thiserror::Error;

/// Seconds a lock's clock may be off: codes are accepted this long before their start
/// and after their end.
pub const DRIFT_TOLERANCE: i64 = 15 * 60;

/// The label that starts the input of every check-part tag.
const LABEL: &[u8] = b"accessctl offline code v1";

/// The code key of a door: `site_key.derive("offline-code", door name)`. The lock of
/// that door holds it; the server derives it when issuing.
pub fn door_code_key(site_key: &Key, door: &str) -> Key {
    site_key.derive("offline-code", door.as_bytes())
}

/// The lengths (in hours) offered for one-time (`once`) or repeatable codes, shortest
/// first.
pub fn durations(once: bool) -> impl Iterator<Item = u32> {
    CLASSES
        .iter()
        .filter(move |c| c.once == once)
        .map(|c| c.hours)
}

/// The shortest offered length of at least `hours`, if any.
pub fn covering_hours(hours: u32, once: bool) -> Option<u32> {
    durations(once).find(|&h| h >= hours)
}

/// How many distinct codes the scheme offers for one door and window of this length
/// and use (0 when the length is not offered).
pub fn variants(hours: u32, once: bool) -> u8 {
    class_of(hours, once).map_or(0, |(_, c)| c.variants)
}

/// What the server asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CodeRequest {
    /// When the window starts; rounded down to the class's unit (an hour, or a UTC
    /// midnight for 91 days and more).
    pub start: Timestamp,
    /// The window's length in hours: one of [`durations`].
    pub hours: u32,
    /// Accepted once, or any number of times within the window.
    pub once: bool,
    /// Which of the [`variants`] codes for this window (from 0).
    pub variant: u8,
}

/// The window a code opens in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct CodeWindow {
    /// First instant (before the drift tolerance).
    pub start: Timestamp,
    /// First instant after the window (before the drift tolerance).
    pub end: Timestamp,
    /// Accepted only once.
    pub once: bool,
    /// Which of the codes for this window.
    pub variant: u8,
}

/// A ten-digit offline code. It is a credential: it has no `Display`, its `Debug` is
/// redacted, and its digits are read with [`OfflineCode::expose_digits`] only.
#[derive(Clone, PartialEq, Eq)]
pub struct OfflineCode([u8; CODE_LENGTH]);

impl OfflineCode {
    /// The code's ten digits: only to hand the code to its holder.
    pub fn expose_digits(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Reads ten digits typed on a keypad or pasted (spaces and hyphens are ignored),
    /// with a correct check digit.
    pub fn parse(text: &str) -> Result<OfflineCode, CodeRefusal> {
        let mut digits = [0u8; CODE_LENGTH];
        let mut count = 0usize;
        for byte in text.bytes().filter(|b| *b != b' ' && *b != b'-') {
            let slot = digits.get_mut(count).ok_or(CodeRefusal::Mistyped)?;
            if !byte.is_ascii_digit() {
                return Err(CodeRefusal::Mistyped);
            }
            *slot = byte;
            count += 1;
        }
        if count != CODE_LENGTH || layout::damm(&digits) != 0 {
            return Err(CodeRefusal::Mistyped);
        }
        Ok(OfflineCode(digits))
    }

    /// The window field, digits 1–4.
    fn field(&self) -> u16 {
        let field = self.0.get(..FIELD_DIGITS).unwrap_or_default();
        field
            .iter()
            .fold(0u16, |acc, d| acc * 10 + u16::from(d.wrapping_sub(b'0')))
    }

    /// The check part, digits 5–9.
    fn check(&self) -> &[u8] {
        self.0
            .get(FIELD_DIGITS..FIELD_DIGITS + CHECK_DIGITS)
            .unwrap_or_default()
    }
}

impl std::fmt::Debug for OfflineCode {
    /// Never shows the digits.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OfflineCode(<redacted>)")
    }
}

/// A code and the window it opens in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCode {
    /// The code to hand over.
    pub code: OfflineCode,
    /// Its window (the requested start rounded down to the class's unit).
    pub window: CodeWindow,
}

/// Why a code cannot be issued.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IssueError {
    /// No class has this length and use.
    #[error(
        "no {} code lasts {hours} hours",
        if *once { "one-time" } else { "repeatable" }
    )]
    UnsupportedDuration {
        /// The length asked for.
        hours: u32,
        /// The use asked for.
        once: bool,
    },
    /// The variant is past the class's last.
    #[error("variant {variant} does not exist: this window has {variants} variants, from 0")]
    NoSuchVariant {
        /// The variant asked for.
        variant: u8,
        /// How many the class has.
        variants: u8,
    },
    /// The start is too far from the epoch to compute with.
    #[error("the start `{0}` is out of range")]
    OutOfRange(i64),
}

/// Why an entered code does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error, Serialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum CodeRefusal {
    /// Not ten digits, or a wrong check digit: a typo, never counted as a strike.
    #[error("mistyped: a code is ten digits with a valid last digit")]
    Mistyped,
    /// The check part does not match: a strike.
    #[error("wrong code")]
    WrongCode {
        /// The keypad locked on this strike, until then.
        locked_until: Option<Timestamp>,
    },
    /// A genuine code, entered before its window.
    #[error("not yet valid: the code opens from {}", .starts.0)]
    NotYetValid {
        /// When it starts (before the drift tolerance).
        starts: Timestamp,
    },
    /// A genuine code, entered after its window.
    #[error("expired: the code closed at {}", .ended.0)]
    Expired {
        /// When it ended (before the drift tolerance).
        ended: Timestamp,
    },
    /// A one-time code already accepted.
    #[error("already used: this one-time code was accepted before")]
    AlreadyUsed,
    /// The keypad is locked after repeated wrong entries.
    #[error("locked out until {}", .until.0)]
    LockedOut {
        /// When entries are read again.
        until: Timestamp,
    },
    /// A genuine one-time code, refused because the lock's memory of used one-time
    /// codes is full of codes still valid.
    #[error("the lock cannot remember another one-time code before some expire")]
    MemoryFull,
}

impl CodeRefusal {
    /// A stable identifier for scripts.
    pub fn code(&self) -> &'static str {
        match self {
            CodeRefusal::Mistyped => "mistyped",
            CodeRefusal::WrongCode { .. } => "wrong_code",
            CodeRefusal::NotYetValid { .. } => "not_yet_valid",
            CodeRefusal::Expired { .. } => "expired",
            CodeRefusal::AlreadyUsed => "already_used",
            CodeRefusal::LockedOut { .. } => "locked_out",
            CodeRefusal::MemoryFull => "memory_full",
        }
    }
}

/// Issues the code of `request` for the door whose code key is `door_key`.
///
/// ```
/// use accessctl_core::offline::code::{check_code, door_code_key, issue, CodeRequest};
/// use accessctl_core::secret::Key;
/// use accessctl_core::Timestamp;
///
/// let site_key = Key::from_entropy([7; 32]);
/// let main = door_code_key(&site_key, "main");
/// let start = Timestamp(1_795_424_400); // 2026-11-23T09:00Z
/// let issued = issue(&main, &CodeRequest { start, hours: 4, once: true, variant: 0 })?;
/// assert_eq!(issued.code.expose_digits().len(), 10);
/// assert_eq!(issued.window.end, Timestamp(start.0 + 4 * 3600));
///
/// // The lock of `main`, at 10:30, with nothing but its key and its clock.
/// let entered = issued.code.expose_digits();
/// assert_eq!(check_code(&main, entered, Timestamp(start.0 + 5400)), Ok(issued.window));
/// # Ok::<(), accessctl_core::offline::code::IssueError>(())
/// ```
pub fn issue(door_key: &Key, request: &CodeRequest) -> Result<IssuedCode, IssueError> {
    let (index, class) =
        class_of(request.hours, request.once).ok_or(IssueError::UnsupportedDuration {
            hours: request.hours,
            once: request.once,
        })?;
    if request.variant >= class.variants {
        return Err(IssueError::NoSuchVariant {
            variant: request.variant,
            variants: class.variants,
        });
    }
    let out_of_range = IssueError::OutOfRange(request.start.0);
    let start = request
        .start
        .0
        .div_euclid(class.unit)
        .checked_mul(class.unit)
        .ok_or(out_of_range.clone())?;
    let end = start
        .checked_add(class.length())
        .ok_or(out_of_range.clone())?;
    let field = layout::field(index, request.variant, start).ok_or(out_of_range)?;
    let window = CodeWindow {
        start: Timestamp(start),
        end: Timestamp(end),
        once: request.once,
        variant: request.variant,
    };
    Ok(IssuedCode {
        code: write_code(door_key, index, field, window),
        window,
    })
}

/// The ten digits of a code.
fn write_code(door_key: &Key, class: usize, field: u16, window: CodeWindow) -> OfflineCode {
    let mut digits = [b'0'; CODE_LENGTH];
    let mut value = field;
    for digit in digits.iter_mut().take(FIELD_DIGITS).rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
    if let Some(check) = digits.get_mut(FIELD_DIGITS..FIELD_DIGITS + CHECK_DIGITS) {
        layout::check_part(&tag(door_key, class, window), check);
    }
    let damm = layout::damm(digits.get(..CODE_LENGTH - 1).unwrap_or_default());
    if let Some(last) = digits.last_mut() {
        *last = b'0' + damm;
    }
    OfflineCode(digits)
}

/// Checks an entered code as a lock would, without a lock's memory: no lockout, no
/// record of one-time codes. [`CodeVerifier::verify`] adds both; use this one on the
/// server side (to tell a caller what a code is) or in tests.
pub fn check_code(
    door_key: &Key,
    entered: &str,
    now: Timestamp,
) -> Result<CodeWindow, CodeRefusal> {
    let code = OfflineCode::parse(entered)?;
    check_parts(door_key, code.field(), code.check(), now)
}

/// Checks a window field and check part (of any width up to 8 digits, which sets
/// the odds of a guess: the tests use narrow ones to measure them).
fn check_parts(
    door_key: &Key,
    field: u16,
    check: &[u8],
    now: Timestamp,
) -> Result<CodeWindow, CodeRefusal> {
    let wrong = CodeRefusal::WrongCode { locked_until: None };
    let (index, variant, residue) = layout::split_field(field).ok_or(wrong)?;
    let class = CLASSES.get(index).ok_or(wrong)?;
    let start = layout::resolve_start(class, residue, now.0);
    let window = CodeWindow {
        start: Timestamp(start),
        end: Timestamp(start.saturating_add(class.length())),
        once: class.once,
        variant,
    };
    let mut expected = [0u8; 8];
    let expected = expected.get_mut(..check.len()).ok_or(wrong)?;
    layout::check_part(&tag(door_key, index, window), expected);
    if !constant_time_eq(expected, check) {
        return Err(wrong);
    }
    if now.0 < window.start.0.saturating_sub(DRIFT_TOLERANCE) {
        return Err(CodeRefusal::NotYetValid {
            starts: window.start,
        });
    }
    if now.0 >= window.end.0.saturating_add(DRIFT_TOLERANCE) {
        return Err(CodeRefusal::Expired { ended: window.end });
    }
    Ok(window)
}

/// The tag whose head is a window's check part.
fn tag(door_key: &Key, class: usize, window: CodeWindow) -> crate::secret::Tag {
    let class = u8::try_from(class).unwrap_or(u8::MAX);
    door_key.tag_parts(&[
        LABEL,
        &[class],
        &[window.variant],
        &window.start.0.to_be_bytes(),
    ])
}

/// The class of a length and use, with its index.
fn class_of(hours: u32, once: bool) -> Option<(usize, &'static Class)> {
    CLASSES
        .iter()
        .enumerate()
        .find(|(_, c)| c.hours == hours && c.once == once)
}

#[cfg(test)]
mod tests;
