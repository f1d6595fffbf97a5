//! The changes beside access: users added, removed or changed (account, validity,
//! schedule, flags, admin rights, credentials), sub-accounts' ceilings, schedules,
//! holiday calendars and doors.
//!
//! Owns matching each of them by name across the two sides and their texts. It must
//! never print a secret: PINs, QR codes and mobile keys are named, never shown.

use crate::model::{
    AccountId, AdminRights, CalendarId, Credential, DoorId, ReaderModes, Schedule, ScheduleId,
    User, UserId,
};
use crate::source::Span;

use super::origin::UserOrigin;
use super::side::{Changes, Side};
use super::window::days_text;
use super::{Cause, Change, Clause, Subject, Version};

/// Every change, by subject then name.
pub(crate) fn changes(o: &Side<'_>, n: &Side<'_>, flags: &Changes) -> Vec<Change> {
    let mut out = Vec::new();
    users(o, n, &mut out);
    accounts(o, n, &mut out);
    schedules(o, n, flags, &mut out);
    calendars(o, n, &mut out);
    doors(o, n, &mut out);
    out.sort_by(|a, b| (a.subject, &a.name).cmp(&(b.subject, &b.name)));
    out
}

struct Builder<'o> {
    subject: Subject,
    name: String,
    out: &'o mut Vec<Change>,
}

impl Builder<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        field: &'static str,
        old: Option<String>,
        new: Option<String>,
        widens: bool,
        old_span: Option<Span>,
        new_span: Option<Span>,
    ) {
        let mut clauses = Vec::new();
        let text = |v: &Option<String>| match v {
            Some(v) => format!("{field} {v}"),
            None => field.to_string(),
        };
        if let Some(span) = old_span {
            clauses.push(Clause {
                version: Version::Old,
                text: text(&old),
                span,
            });
        }
        if let Some(span) = new_span {
            clauses.push(Clause {
                version: Version::New,
                text: text(&new),
                span,
            });
        }
        self.out.push(Change {
            subject: self.subject,
            name: self.name.clone(),
            field,
            old,
            new,
            widens,
            cause: Cause { clauses },
        });
    }
}

fn on_off(flag: bool) -> Option<String> {
    Some(if flag { "on" } else { "off" }.to_string())
}

fn rights_text(rights: AdminRights) -> String {
    let words = rights.to_words();
    if words.is_empty() {
        "none".into()
    } else {
        words.join(" ")
    }
}

fn validity_text(user: &User) -> String {
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    match (user.validity.from, user.validity.to) {
        (None, None) => "always".into(),
        (from, to) => format!("{}..{}", date(from), date(to)),
    }
}

fn credential_text(credentials: &[Credential]) -> String {
    let texts: Vec<String> = (credentials.iter())
        .map(|c| match c {
            Credential::Card(n) => format!("card {n}"),
            Credential::Pin(_) => "pin".into(),
            Credential::Qr(_) => "qr".into(),
            Credential::Mobile(_) => "mobile".into(),
        })
        .collect();
    if texts.is_empty() {
        "none".into()
    } else {
        texts.join(", ")
    }
}

fn users(o: &Side<'_>, n: &Side<'_>, out: &mut Vec<Change>) {
    for (i, user) in (0u32..).zip(&n.policy.users) {
        let fallback = UserOrigin::default();
        let origin = n.origins.users.get(i as usize).unwrap_or(&fallback);
        let mut b = Builder {
            subject: Subject::User,
            name: user.name.clone(),
            out,
        };
        let Some(&oid) = o.users.get(user.name.as_str()) else {
            let account = n.account_path(user.account).to_string();
            b.push("added", None, Some(account), false, None, Some(origin.span));
            continue;
        };
        let Some(old) = o.user(oid) else { continue };
        let oo = o.origins.users.get(oid.index()).unwrap_or(&fallback);
        let or = |s: Option<Span>, o: Span| Some(s.unwrap_or(o));
        let (os, ns) = (oo.span, origin.span);
        let (op, np) = (o.account_path(old.account), n.account_path(user.account));
        if op != np {
            b.push(
                "account",
                Some(op.into()),
                Some(np.into()),
                false,
                Some(os),
                Some(ns),
            );
        }
        if old.validity != user.validity {
            let (ov, nv) = (validity_text(old), validity_text(user));
            b.push(
                "validity",
                Some(ov),
                Some(nv),
                false,
                or(oo.valid, os),
                or(origin.valid, ns),
            );
        }
        let schedule = |side: &Side<'_>, s: Option<ScheduleId>| {
            Some(s.map_or("none".to_string(), |s| side.schedule_name(s).to_string()))
        };
        let (osched, nsched) = (schedule(o, old.schedule), schedule(n, user.schedule));
        if osched != nsched {
            let spans = (or(oo.schedule, os), or(origin.schedule, ns));
            b.push("schedule", osched, nsched, false, spans.0, spans.1);
        }
        let flags = [
            (
                "inactive",
                !old.active,
                !user.active,
                oo.inactive,
                origin.inactive,
                false,
            ),
            (
                "remote",
                old.remote,
                user.remote,
                oo.remote,
                origin.remote,
                true,
            ),
            (
                "offline",
                old.offline,
                user.offline,
                oo.offline,
                origin.offline,
                true,
            ),
        ];
        for (field, was, is, ospan, nspan, widening) in flags {
            if was != is {
                let widens = widening && is;
                b.push(
                    field,
                    on_off(was),
                    on_off(is),
                    widens,
                    or(ospan, os),
                    or(nspan, ns),
                );
            }
        }
        let rights = |u: &User| u.admin.as_ref().map_or(AdminRights::empty(), |a| a.rights);
        let (or_, nr) = (rights(old), rights(user));
        if or_ != nr {
            let widens = !or_.contains(nr);
            let spans = (or(oo.admin, os), or(origin.admin, ns));
            let texts = (Some(rights_text(or_)), Some(rights_text(nr)));
            b.push("admin", texts.0, texts.1, widens, spans.0, spans.1);
        }
        let ip = |u: &User| u.admin.as_ref().and_then(|a| a.ip);
        if !nr.is_empty() && ip(old) != ip(user) {
            let text = |u: &User| Some(ip(u).map_or("any".to_string(), |ip| ip.to_string()));
            let widens = ip(old).is_some();
            let spans = (or(oo.admin, os), or(origin.admin, ns));
            b.push("ip", text(old), text(user), widens, spans.0, spans.1);
        }
        if old.credentials != user.credentials {
            let widens = (user.credentials.iter()).any(|c| !old.credentials.contains(c));
            let first = |v: &[Span], o: Span| Some(v.first().copied().unwrap_or(o));
            b.push(
                "credentials",
                Some(credential_text(&old.credentials)),
                Some(credential_text(&user.credentials)),
                widens,
                first(&oo.credentials, os),
                first(&origin.credentials, ns),
            );
        }
    }
    for (i, user) in (0u32..).zip(&o.policy.users) {
        if !n.users.contains_key(user.name.as_str()) {
            let span = o.origins.users.get(i as usize).map(|u| u.span);
            let account = Some(o.account_path(user.account).to_string());
            Builder {
                subject: Subject::User,
                name: user.name.clone(),
                out,
            }
            .push("removed", account, None, false, span, None);
            let _ = UserId(i);
        }
    }
}

/// The door names of a sub-account's own ceiling, sorted.
fn ceiling_doors<'a>(side: &Side<'a>, account: AccountId) -> Option<Vec<&'a str>> {
    let set = (side.compiled.accounts.get(account.index()))
        .and_then(|a| a.own_ceiling)
        .and_then(|s| side.compiled.set(s))?;
    let mut doors: Vec<&str> = set.iter().map(|d| side.door_name(d)).collect();
    doors.sort_unstable();
    Some(doors)
}

fn accounts(o: &Side<'_>, n: &Side<'_>, out: &mut Vec<Change>) {
    for (i, account) in (0u32..).zip(&n.policy.accounts) {
        let id = AccountId(i);
        let path = n.account_path(id).to_string();
        let origin = n
            .origins
            .accounts
            .get(i as usize)
            .cloned()
            .unwrap_or_default();
        let mut b = Builder {
            subject: Subject::Account,
            name: path.clone(),
            out,
        };
        let Some(&oid) = o.accounts.get(&path) else {
            b.push("added", None, None, false, None, Some(origin.span));
            continue;
        };
        let oo = o
            .origins
            .accounts
            .get(oid.index())
            .cloned()
            .unwrap_or_default();
        let spans = (
            Some(oo.ceiling.unwrap_or(oo.span)),
            Some(origin.ceiling.unwrap_or(origin.span)),
        );
        let (od, nd) = (ceiling_doors(o, oid), ceiling_doors(n, id));
        if od != nd {
            let widens = match (&od, &nd) {
                (Some(od), Some(nd)) => nd.iter().any(|d| !od.contains(d)),
                (Some(_), None) => true,
                _ => false,
            };
            let text = |d: Option<Vec<&str>>| {
                Some(d.map_or("unbounded".to_string(), |d| {
                    if d.is_empty() {
                        "none".to_string()
                    } else {
                        d.join(" ")
                    }
                }))
            };
            b.push(
                "ceiling doors",
                text(od),
                text(nd),
                widens,
                spans.0,
                spans.1,
            );
        }
        let old_ceiling = o
            .policy
            .accounts
            .get(oid.index())
            .and_then(|a| a.ceiling.as_ref());
        let new_ceiling = account.ceiling.as_ref();
        let rights = |c: Option<&crate::model::Ceiling>| c.map(|c| c.rights);
        if rights(old_ceiling) != rights(new_ceiling) {
            let (orr, nrr) = (rights(old_ceiling), rights(new_ceiling));
            let widens = match (orr, nrr) {
                (Some(a), Some(b)) => !a.contains(b),
                (Some(_), None) => true,
                _ => false,
            };
            let text = |r: Option<AdminRights>| Some(r.map_or("unbounded".into(), rights_text));
            b.push(
                "ceiling rights",
                text(orr),
                text(nrr),
                widens,
                spans.0,
                spans.1,
            );
        }
        let schedule = |side: &Side<'_>, c: Option<&crate::model::Ceiling>| {
            Some(
                c.and_then(|c| c.schedule)
                    .map_or("none".into(), |s| side.schedule_name(s).to_string()),
            )
        };
        let (os, ns) = (schedule(o, old_ceiling), schedule(n, new_ceiling));
        if os != ns {
            b.push("ceiling schedule", os, ns, false, spans.0, spans.1);
        }
    }
    for (i, _) in (0u32..).zip(&o.policy.accounts) {
        let path = o.account_path(AccountId(i)).to_string();
        if !n.accounts.contains_key(&path) {
            let span = o.origins.accounts.get(i as usize).map(|a| a.span);
            Builder {
                subject: Subject::Account,
                name: path,
                out,
            }
            .push("removed", None, None, false, span, None);
        }
    }
}

/// A schedule's rules, as written in names.
pub(crate) fn schedule_text(side: &Side<'_>, schedule: &Schedule) -> String {
    let calendars = |ids: &[CalendarId]| {
        let names: Vec<&str> = ids.iter().map(|c| side.calendar_name(*c)).collect();
        names.join(" ")
    };
    let ranges = |r: &[crate::model::TimeRange]| {
        let texts: Vec<String> = (r.iter())
            .map(|r| {
                let range = super::MinuteRange {
                    start: r.start,
                    end: r.end,
                };
                range.to_string()
            })
            .collect();
        texts.join(" ")
    };
    let mut parts: Vec<String> = (schedule.weekly.iter())
        .map(|w| format!("{} {}", days_text(w.days), ranges(&w.ranges)))
        .collect();
    if !schedule.closed_on.is_empty() {
        parts.push(format!(
            "except holidays {}",
            calendars(&schedule.closed_on)
        ));
    }
    for rule in &schedule.holiday_rules {
        parts.push(format!(
            "holidays {} {}",
            calendars(&rule.calendars),
            ranges(&rule.ranges)
        ));
    }
    if parts.is_empty() {
        "never open".into()
    } else {
        parts.join(", ")
    }
}

fn schedules(o: &Side<'_>, n: &Side<'_>, _flags: &Changes, out: &mut Vec<Change>) {
    for (i, schedule) in (0u32..).zip(&n.policy.schedules) {
        let span = n.origins.schedules.get(i as usize).copied();
        let mut b = Builder {
            subject: Subject::Schedule,
            name: schedule.name.clone(),
            out,
        };
        let new_text = Some(schedule_text(n, schedule));
        let Some(&oid) = o.schedules.get(schedule.name.as_str()) else {
            b.push("added", None, new_text, false, None, span);
            continue;
        };
        let same = o.schedule_keys.get(oid.index()) == n.schedule_keys.get(i as usize);
        if !same {
            let old = o.policy.schedules.get(oid.index());
            let old_text = old.map(|s| schedule_text(o, s));
            let old_span = o.origins.schedules.get(oid.index()).copied();
            b.push("rules", old_text, new_text, false, old_span, span);
        }
    }
    for (i, schedule) in (0u32..).zip(&o.policy.schedules) {
        if !n.schedules.contains_key(schedule.name.as_str()) {
            let span = o.origins.schedules.get(i as usize).copied();
            Builder {
                subject: Subject::Schedule,
                name: schedule.name.clone(),
                out,
            }
            .push(
                "removed",
                Some(schedule_text(o, schedule)),
                None,
                false,
                span,
                None,
            );
        }
    }
}

fn calendar_text(side: &Side<'_>, id: CalendarId) -> String {
    let Some(calendar) = side.policy.calendars.get(id.index()) else {
        return String::new();
    };
    let days: Vec<String> = (calendar.holidays.iter())
        .map(|h| {
            if h.days.from == h.days.to {
                h.days.from.to_string()
            } else {
                format!("{}..{}", h.days.from, h.days.to)
            }
        })
        .collect();
    days.join(" ")
}

fn calendars(o: &Side<'_>, n: &Side<'_>, out: &mut Vec<Change>) {
    for (i, calendar) in (0u32..).zip(&n.policy.calendars) {
        let span = n.origins.calendars.get(i as usize).copied();
        let mut b = Builder {
            subject: Subject::Holidays,
            name: calendar.name.clone(),
            out,
        };
        let new_text = Some(calendar_text(n, CalendarId(i)));
        match o.calendars.get(calendar.name.as_str()) {
            None => b.push("added", None, new_text, false, None, span),
            Some(&oid) => {
                if o.calendar_keys.get(oid.index()) != n.calendar_keys.get(i as usize) {
                    let old_span = o.origins.calendars.get(oid.index()).copied();
                    b.push(
                        "days",
                        Some(calendar_text(o, oid)),
                        new_text,
                        false,
                        old_span,
                        span,
                    );
                }
            }
        }
    }
    for (i, calendar) in (0u32..).zip(&o.policy.calendars) {
        if !n.calendars.contains_key(calendar.name.as_str()) {
            let span = o.origins.calendars.get(i as usize).copied();
            Builder {
                subject: Subject::Holidays,
                name: calendar.name.clone(),
                out,
            }
            .push(
                "removed",
                Some(calendar_text(o, CalendarId(i))),
                None,
                false,
                span,
                None,
            );
        }
    }
}

fn modes_text(modes: ReaderModes) -> String {
    if modes.is_empty() {
        return "none".into();
    }
    let words: Vec<&str> = (crate::syntax::ast::ReaderMode::ALL.iter())
        .filter(|m| modes.contains(ReaderModes::from(**m)))
        .map(|m| m.as_str())
        .collect();
    words.join(" ")
}

fn doors(o: &Side<'_>, n: &Side<'_>, out: &mut Vec<Change>) {
    for (i, door) in (0u32..).zip(&n.policy.doors) {
        let origin = n.origins.doors.get(i as usize).cloned().unwrap_or_default();
        let mut b = Builder {
            subject: Subject::Door,
            name: door.name.clone(),
            out,
        };
        let site = |side: &Side<'_>, d: &crate::model::Door| {
            side.policy
                .sites
                .get(d.site.index())
                .map_or(String::new(), |s| s.name.clone())
        };
        let Some(&oid) = o.doors.get(door.name.as_str()) else {
            b.push(
                "added",
                None,
                Some(site(n, door)),
                false,
                None,
                Some(origin.span),
            );
            continue;
        };
        let Some(old) = o.policy.doors.get(oid.index()) else {
            continue;
        };
        let oo = o
            .origins
            .doors
            .get(oid.index())
            .cloned()
            .unwrap_or_default();
        let spans = (Some(oo.span), Some(origin.span));
        if site(o, old) != site(n, door) {
            b.push(
                "site",
                Some(site(o, old)),
                Some(site(n, door)),
                false,
                spans.0,
                spans.1,
            );
        }
        let schedule = |side: &Side<'_>, s: Option<ScheduleId>| {
            Some(s.map_or("none".to_string(), |s| side.schedule_name(s).to_string()))
        };
        let (os, ns) = (schedule(o, old.schedule), schedule(n, door.schedule));
        if os != ns {
            let widens = door.schedule.is_none();
            let sched_spans = (
                Some(oo.schedule.unwrap_or(oo.span)),
                Some(origin.schedule.unwrap_or(origin.span)),
            );
            b.push("schedule", os, ns, widens, sched_spans.0, sched_spans.1);
        }
        if old.readers != door.readers {
            let widens = !old.readers.contains(door.readers);
            let texts = (
                Some(modes_text(old.readers)),
                Some(modes_text(door.readers)),
            );
            b.push("readers", texts.0, texts.1, widens, spans.0, spans.1);
        }
        if old.required != door.required {
            let widens = !door.required.contains(old.required);
            let texts = (
                Some(modes_text(old.required)),
                Some(modes_text(door.required)),
            );
            b.push("require", texts.0, texts.1, widens, spans.0, spans.1);
        }
    }
    for (i, door) in (0u32..).zip(&o.policy.doors) {
        if !n.doors.contains_key(door.name.as_str()) {
            let span = o.origins.doors.get(i as usize).map(|d| d.span);
            Builder {
                subject: Subject::Door,
                name: door.name.clone(),
                out,
            }
            .push("removed", None, None, false, span, None);
            let _ = DoorId(i);
        }
    }
}
