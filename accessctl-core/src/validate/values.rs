//! Value checks: written literals to typed values (E03xx, and E0405's length rule).
//!
//! Owns the rules for time zones, times of day and ranges, dates, email and IP
//! addresses, card numbers, PINs, admin rights, capacities, durations, reader
//! numbers and strings that must not be empty. Each function reports what is wrong at the literal's span and returns the
//! typed value, or `None` when there is none.
//!
//! It must never look up names, never print a secret (a PIN, a QR code, a mobile key,
//! a space code) in a message, and never panic on any literal.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{AdminRights, Minute, TimeRange};
use crate::suggest;
use crate::syntax::ast::{self, Ident, Number, Str};
use chrono::NaiveDate;
use std::net::IpAddr;

/// A time zone, by IANA name (E0301).
pub(super) fn timezone(name: &Str, diags: &mut Vec<Diagnostic>) -> Option<chrono_tz::Tz> {
    if let Ok(tz) = name.value.parse::<chrono_tz::Tz>() {
        return Some(tz);
    }
    let zones = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
    let help = match suggest::nearest(&name.value, zones) {
        Some(near) => format!("did you mean `{near}`?"),
        None => "use an IANA time zone name such as `Europe/Paris`".to_owned(),
    };
    diags.push(
        Diagnostic::error(
            Code::InvalidTimezone,
            name.span,
            format!("unknown time zone `{}`", name.value),
        )
        .with_label("not an IANA time zone name")
        .with_help(help),
    );
    None
}

/// A time that starts a range: `00:00` to `23:59` (E0302).
fn start_minute(time: &ast::Time, diags: &mut Vec<Diagnostic>) -> Option<Minute> {
    if time.hour <= 23 && time.minute <= 59 {
        return Some(Minute::from(time.hour) * 60 + Minute::from(time.minute));
    }
    let help = if (time.hour, time.minute) == (24, 0) {
        "`24:00` may only end a range; start at `00:00` instead"
    } else {
        "hours go from 00 to 23 and minutes from 00 to 59"
    };
    diags.push(malformed_time(time, help));
    None
}

/// A time that ends a range: `00:00` to `23:59`, or `24:00` (E0302).
fn end_minute(time: &ast::Time, diags: &mut Vec<Diagnostic>) -> Option<Minute> {
    if (time.hour, time.minute) == (24, 0) {
        return Some(24 * 60);
    }
    if time.hour <= 23 && time.minute <= 59 {
        return Some(Minute::from(time.hour) * 60 + Minute::from(time.minute));
    }
    let help = "hours go from 00 to 23 and minutes from 00 to 59; `24:00` ends a day";
    diags.push(malformed_time(time, help));
    None
}

fn malformed_time(time: &ast::Time, help: &str) -> Diagnostic {
    Diagnostic::error(
        Code::MalformedTime,
        time.span,
        format!("`{:02}:{:02}` is not a time of day", time.hour, time.minute),
    )
    .with_label("no such time")
    .with_help(help)
}

/// A time range with valid ends that covers some time (E0302, E0303). An end at or
/// before the start crosses midnight.
pub(super) fn time_range(range: &ast::TimeRange, diags: &mut Vec<Diagnostic>) -> Option<TimeRange> {
    let start = start_minute(&range.start, diags);
    let end = end_minute(&range.end, diags);
    let (start, end) = (start?, end?);
    if start == end {
        diags.push(
            Diagnostic::error(
                Code::EmptyTimeRange,
                range.span,
                "this time range starts and ends at the same time",
            )
            .with_label("covers no time")
            .with_help("write `00:00-24:00` for a whole day, or give a later end"),
        );
        return None;
    }
    Some(TimeRange { start, end })
}

/// A calendar date that exists (E0304).
pub(super) fn date(date: &ast::Date, diags: &mut Vec<Diagnostic>) -> Option<NaiveDate> {
    let found = NaiveDate::from_ymd_opt(
        i32::from(date.year),
        u32::from(date.month),
        u32::from(date.day),
    );
    if found.is_none() {
        diags.push(
            Diagnostic::error(
                Code::MalformedDate,
                date.span,
                format!(
                    "`{:04}-{:02}-{:02}` is not a date",
                    date.year, date.month, date.day
                ),
            )
            .with_label("no such day")
            .with_help("write an existing day as `YYYY-MM-DD`"),
        );
    }
    found
}

/// E0305 when `to` comes before `from`; `what` names the range ("validity window").
pub(super) fn ordered_dates(
    from: NaiveDate,
    to: NaiveDate,
    to_date: &ast::Date,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    if to >= from {
        return true;
    }
    diags.push(
        Diagnostic::error(
            Code::EndBeforeStart,
            to_date.span,
            format!("this {what} ends on {to} before it starts on {from}"),
        )
        .with_label("ends before the start")
        .with_help("swap the two dates, or correct the end"),
    );
    false
}

/// An email address: one `@`, a local part, a domain with a dot, no spaces (E0306).
pub(super) fn email(address: &Str, diags: &mut Vec<Diagnostic>) -> bool {
    if let Some(problem) = email_problem(&address.value) {
        diags.push(
            Diagnostic::error(
                Code::MalformedEmail,
                address.span,
                format!("`{}` is not an email address", address.value),
            )
            .with_label(problem)
            .with_help("write an address such as `ana@example.com`"),
        );
        return false;
    }
    true
}

fn email_problem(address: &str) -> Option<&'static str> {
    if address.chars().any(char::is_whitespace) {
        return Some("an address has no spaces");
    }
    let mut parts = address.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Some("an address has exactly one `@`");
    };
    if local.is_empty() {
        return Some("nothing before the `@`");
    }
    let labels_ok = domain.contains('.') && domain.split('.').all(|label| !label.is_empty());
    if !labels_ok {
        return Some("the domain needs a dot between non-empty parts");
    }
    None
}

/// An IPv4 or IPv6 address (E0307).
pub(super) fn ip(address: &Str, diags: &mut Vec<Diagnostic>) -> Option<IpAddr> {
    let parsed = address.value.parse::<IpAddr>().ok();
    if parsed.is_none() {
        diags.push(
            Diagnostic::error(
                Code::MalformedIp,
                address.span,
                format!("`{}` is not an IP address", address.value),
            )
            .with_label("not an IPv4 or IPv6 address")
            .with_help("write one address such as `192.0.2.10` or `2001:db8::1`"),
        );
    }
    parsed
}

/// The value of a card number, or `None` if it is not one (reports nothing).
pub(super) fn card_value(number: &Number) -> Option<u64> {
    if number.digits.is_empty() || !number.digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number.digits.parse::<u64>().ok()
}

/// A card number that fits in 64 bits (E0308).
pub(super) fn card(number: &Number, diags: &mut Vec<Diagnostic>) -> Option<u64> {
    let value = card_value(number);
    if value.is_none() {
        diags.push(
            Diagnostic::error(
                Code::MalformedCard,
                number.span,
                format!("card number `{}` does not fit in 64 bits", number.digits),
            )
            .with_label("too large for a card number")
            .with_help("a card number is at most 18446744073709551615"),
        );
    }
    value
}

/// A PIN of 4 to 12 ASCII digits (E0309). The value is never printed.
pub(super) fn pin(code: &Str, diags: &mut Vec<Diagnostic>) -> bool {
    let digits = code.value.bytes().all(|b| b.is_ascii_digit());
    let length = code.value.len();
    if digits && (4..=12).contains(&length) {
        return true;
    }
    let label = if digits {
        format!("{length} digits")
    } else {
        "not only digits".to_owned()
    };
    diags.push(
        Diagnostic::error(
            Code::MalformedPin,
            code.span,
            "a PIN must be 4 to 12 digits",
        )
        .with_label(label)
        .with_help("write a PIN of 4 to 12 digits, such as `\"482913\"`"),
    );
    false
}

/// One admin right or `all` (E0310).
pub(super) fn right(word: &Ident, diags: &mut Vec<Diagnostic>) -> Option<AdminRights> {
    let found = AdminRights::from_word(&word.name);
    if found.is_none() {
        let words = AdminRights::words().chain(std::iter::once("all"));
        let help = match suggest::nearest(&word.name, words) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!(
                "admin rights are {}, or `all`",
                AdminRights::words().collect::<Vec<_>>().join(" ")
            ),
        };
        diags.push(
            Diagnostic::error(
                Code::UnknownRight,
                word.span,
                format!("unknown admin right `{}`", word.name),
            )
            .with_label("not an admin right")
            .with_help(help),
        );
    }
    found
}

/// The union of admin rights, skipping (and reporting) unknown ones.
pub(super) fn rights(words: &[Ident], diags: &mut Vec<Diagnostic>) -> AdminRights {
    words
        .iter()
        .filter_map(|w| right(w, diags))
        .fold(AdminRights::empty(), |acc, r| acc | r)
}

/// A lock memory capacity from 1 to `u32::MAX` (E0311).
pub(super) fn capacity(number: &Number, diags: &mut Vec<Diagnostic>) -> Option<u32> {
    let value = number.digits.parse::<u32>().ok().filter(|n| *n > 0);
    if value.is_none() {
        diags.push(
            Diagnostic::error(
                Code::InvalidCapacity,
                number.span,
                format!("capacity `{}` is out of range", number.digits),
            )
            .with_label("must be from 1 to 4294967295")
            .with_help("give how many entries the lock's memory holds, or leave `capacity` out"),
        );
    }
    value
}

/// A string that must not be empty (E0312); `what` names it ("QR code").
pub(super) fn non_empty(value: &Str, what: &str, diags: &mut Vec<Diagnostic>) -> bool {
    if !value.value.is_empty() {
        return true;
    }
    diags.push(
        Diagnostic::error(Code::EmptyValue, value.span, format!("empty {what}"))
            .with_label("nothing between the quotes")
            .with_help(format!("give the {what}, or remove the clause")),
    );
    false
}

/// A permanent space code of exactly 6 characters (E0405). The code is not printed.
pub(super) fn space_code(code: &Str, diags: &mut Vec<Diagnostic>) -> bool {
    let length = code.value.chars().count();
    if length == 6 {
        return true;
    }
    diags.push(
        Diagnostic::error(
            Code::SpaceCodeLength,
            code.span,
            "a permanent space code must be exactly 6 characters",
        )
        .with_label(format!("{length} characters"))
        .with_help("write a code of exactly 6 characters"),
    );
    false
}

/// A duration in whole minutes, from `1m` to `24h` (E0318): digits directly followed
/// by `m` (minutes) or `h` (hours).
pub(super) fn duration(duration: &ast::Duration, diags: &mut Vec<Diagnostic>) -> Option<u32> {
    let written = format!("{}{}", duration.digits, duration.unit);
    let per_unit = match duration.unit.as_str() {
        "m" => 1,
        "h" => 60,
        unit => {
            let help = match unit.get(..1) {
                Some(near @ ("m" | "h")) => format!("write `{}{near}`", duration.digits),
                _ => "durations are written in minutes (`30m`) or hours (`2h`)".to_owned(),
            };
            diags.push(invalid_duration(duration, &written, "unknown unit", help));
            return None;
        }
    };
    let minutes = duration
        .digits
        .parse::<u32>()
        .ok()
        .and_then(|n| n.checked_mul(per_unit));
    match minutes {
        Some(m) if (1..=crate::model::MAX_TIMED_MINUTES).contains(&m) => Some(m),
        Some(0) => {
            let help = "a timed zone refuses re-entry for at least one minute; write \
                        `antipassback hard` to refuse it until an exit";
            diags.push(invalid_duration(
                duration,
                &written,
                "zero",
                help.to_owned(),
            ));
            None
        }
        _ => {
            let help = "a timed zone refuses re-entry for at most `24h`; write \
                        `antipassback hard` to refuse it until an exit";
            diags.push(invalid_duration(
                duration,
                &written,
                "too long",
                help.to_owned(),
            ));
            None
        }
    }
}

fn invalid_duration(
    duration: &ast::Duration,
    written: &str,
    label: &str,
    help: String,
) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidDuration,
        duration.span,
        format!("`{written}` is not a duration"),
    )
    .with_label(label)
    .with_help(help)
}

/// A reader number of a door's controller, `0` to `255` (E0319).
pub(super) fn reader(number: &Number, diags: &mut Vec<Diagnostic>) -> Option<u8> {
    if let Ok(reader) = number.digits.parse::<u8>() {
        return Some(reader);
    }
    diags.push(
        Diagnostic::error(
            Code::InvalidReader,
            number.span,
            format!("`{}` is not a reader number", number.digits),
        )
        .with_label("beyond 255")
        .with_help("readers are numbered from 0 to 255 on the door's controller, as in OSDP"),
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn t(hour: u8, minute: u8) -> ast::Time {
        ast::Time {
            hour,
            minute,
            span: Span::default(),
        }
    }

    fn s(value: &str) -> Str {
        Str {
            value: value.to_owned(),
            span: Span::default(),
        }
    }

    fn range(a: ast::Time, b: ast::Time) -> ast::TimeRange {
        ast::TimeRange {
            start: a,
            end: b,
            span: Span::default(),
        }
    }

    #[test]
    fn times_and_ranges() {
        let mut d = Vec::new();
        assert_eq!(
            time_range(&range(t(22, 0), t(6, 0)), &mut d),
            Some(TimeRange {
                start: 1320,
                end: 360
            })
        );
        assert_eq!(
            time_range(&range(t(0, 0), t(24, 0)), &mut d),
            Some(TimeRange {
                start: 0,
                end: 1440
            })
        );
        assert!(d.is_empty());
        assert_eq!(time_range(&range(t(24, 0), t(6, 0)), &mut d), None);
        assert_eq!(time_range(&range(t(8, 60), t(9, 0)), &mut d), None);
        assert_eq!(time_range(&range(t(8, 0), t(24, 1)), &mut d), None);
        assert_eq!(time_range(&range(t(8, 0), t(8, 0)), &mut d), None);
        let codes: Vec<_> = d.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [
                Code::MalformedTime,
                Code::MalformedTime,
                Code::MalformedTime,
                Code::EmptyTimeRange
            ]
        );
    }

    #[test]
    fn emails() {
        for good in ["a@b.co", "ana.m+x@mail.example.com"] {
            assert_eq!(email_problem(good), None, "{good}");
        }
        for bad in [
            "", "a", "@b.co", "a@b", "a@@b.co", "a@b..co", "a b@c.de", "a@.co", "a@co.",
        ] {
            assert!(email_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn pins_cards_and_zones() {
        let mut d = Vec::new();
        assert!(pin(&s("1234"), &mut d));
        assert!(pin(&s("123456789012"), &mut d));
        assert!(!pin(&s("123"), &mut d));
        assert!(!pin(&s("1234567890123"), &mut d));
        assert!(!pin(&s("12a4"), &mut d));
        assert!(!pin(&s("１２３４"), &mut d));
        let n = |digits: &str| Number {
            digits: digits.to_owned(),
            span: Span::default(),
        };
        assert_eq!(card_value(&n("0042")), Some(42));
        assert_eq!(card_value(&n("18446744073709551616")), None);
        assert!(timezone(&s("Europe/Paris"), &mut d).is_some());
        d.clear();
        assert!(timezone(&s("Europe/Pariss"), &mut d).is_none());
        assert_eq!(
            d.first().and_then(|d| d.help.clone()).as_deref(),
            Some("did you mean `Europe/Paris`?")
        );
    }
}
