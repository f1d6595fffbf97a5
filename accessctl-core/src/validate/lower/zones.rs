//! Lowering of anti-passback zones.
//!
//! Owns the rules of zones: every entry and exit names a door (E0201, E0208) of the
//! zone's own site when the zone stands in one (E0702), with a reader number up to
//! 255 (E0319); a zone has an entry (E0903) and an `antipassback` clause (E0904)
//! whose duration, for `timed`, is one (E0318); `antipassback`, `per` and
//! `unreachable` are given once (E0212); and no reader of a door is listed twice,
//! whether both ways in one zone (E0901) or again in the same or another zone
//! (E0902), so that a passage at a reader crosses at most one zone, one way.
//!
//! It must never look at presence or decisions: a zone here is doors and a rule.

use super::once::Once;
use super::places::own_site;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{self, Direction, DoorId, Policy, SiteId, Target, Tracking, ZoneKind};
use crate::source::Span;
use crate::syntax::ast::{self, Passback, ZoneClause};
use crate::validate::names::Names;
use crate::validate::values;

/// One `entry` or `exit` clause, resolved, with where it is written.
struct Listing {
    zone: usize,
    door: DoorId,
    reader: Option<u8>,
    direction: Direction,
    span: Span,
}

/// Lowers every zone of `names` into `policy`, then checks that no reader is listed
/// twice.
pub(super) fn lower(names: &Names<'_>, policy: &mut Policy, diags: &mut Vec<Diagnostic>) {
    let mut listings = Vec::new();
    policy.zones = (names.zones.iter().enumerate())
        .map(|(index, (z, site))| zone(names, index, z, *site, &mut listings, diags))
        .collect();
    readers_once(names, &listings, diags);
}

fn zone(
    names: &Names<'_>,
    index: usize,
    zone: &ast::Zone,
    site: Option<SiteId>,
    listings: &mut Vec<Listing>,
    diags: &mut Vec<Diagnostic>,
) -> model::Zone {
    let mut once = Once::new("zone");
    let mut kind = None;
    let mut tracking = Tracking::default();
    let mut unreachable = None;
    let mut doors = Vec::new();
    for entry in &zone.body.entries {
        let at = entry.span;
        match &entry.node {
            ZoneClause::Entry(door) | ZoneClause::Exit(door) => {
                let direction = match entry.node {
                    ZoneClause::Exit(_) => Direction::Exit,
                    _ => Direction::Entry,
                };
                let Some(lowered) = zone_door(names, door, direction, site, diags) else {
                    continue;
                };
                listings.push(Listing {
                    zone: index,
                    door: lowered.door,
                    reader: lowered.reader,
                    direction,
                    span: at,
                });
                doors.push(lowered);
            }
            ZoneClause::Antipassback(rule) if once.first("antipassback", at, diags) => {
                kind = zone_kind(rule, diags);
            }
            ZoneClause::Per(word) if once.first("per", at, diags) => tracking = word.kind,
            ZoneClause::Unreachable(word) if once.first("unreachable", at, diags) => {
                unreachable = Some(word.kind);
            }
            _ => {}
        }
    }
    check_complete(zone, diags);
    let kind = kind.unwrap_or(ZoneKind::Hard);
    model::Zone {
        name: zone.name.name.clone(),
        title: zone.title.as_ref().map(|t| t.value.clone()),
        site,
        doors,
        kind,
        tracking,
        unreachable: unreachable.unwrap_or_else(|| kind.default_fail_mode()),
    }
}

/// `DOOR [reader N]`, resolved: a door of the zone's site, a reader number that is one.
fn zone_door(
    names: &Names<'_>,
    door: &ast::ZoneDoor,
    direction: Direction,
    site: Option<SiteId>,
    diags: &mut Vec<Diagnostic>,
) -> Option<model::ZoneDoor> {
    let id = names.door(&door.door, diags)?;
    if let Some(site) = site {
        own_site(
            names,
            Target::Door(id),
            site,
            door.door.span,
            "a zone",
            diags,
        );
    }
    let reader = match &door.reader {
        Some(number) => Some(values::reader(number, diags)?),
        None => None,
    };
    Some(model::ZoneDoor {
        door: id,
        reader,
        direction,
    })
}

fn zone_kind(rule: &Passback, diags: &mut Vec<Diagnostic>) -> Option<ZoneKind> {
    match rule {
        Passback::Hard(_) => Some(ZoneKind::Hard),
        Passback::Soft(_) => Some(ZoneKind::Soft),
        Passback::Timed(_, after) => {
            values::duration(after, diags).map(|minutes| ZoneKind::Timed { minutes })
        }
    }
}

/// E0903 for a zone without an entry, E0904 for one without `antipassback`.
fn check_complete(zone: &ast::Zone, diags: &mut Vec<Diagnostic>) {
    let name = &zone.name;
    let listed =
        |clause: fn(&ZoneClause) -> bool| zone.body.entries.iter().any(|e| clause(&e.node));
    if !listed(|c| matches!(c, ZoneClause::Entry(_))) {
        diags.push(
            Diagnostic::error(
                Code::EmptyZone,
                name.span,
                format!("zone `{}` has no entry", name.name),
            )
            .with_label("anti-passback is checked where people come in")
            .with_help(
                "list the doors that lead in, such as `entry turnstile` or `entry main reader 0`",
            ),
        );
    }
    if !listed(|c| matches!(c, ZoneClause::Antipassback(_))) {
        diags.push(
            Diagnostic::error(
                Code::MissingAntipassback,
                name.span,
                format!("zone `{}` has no `antipassback` clause", name.name),
            )
            .with_label("which rule holds here is not said")
            .with_help("add `antipassback hard`, `antipassback soft` or `antipassback timed 30m`"),
        );
    }
}

/// E0901 and E0902: each reader of a door is listed at most once in all zones.
fn readers_once(names: &Names<'_>, listings: &[Listing], diags: &mut Vec<Diagnostic>) {
    for (later_index, later) in listings.iter().enumerate() {
        let earlier = listings.get(..later_index).unwrap_or_default();
        let clash = earlier.iter().find(|first| {
            first.door == later.door
                && (first.reader.is_none()
                    || later.reader.is_none()
                    || first.reader == later.reader)
        });
        if let Some(first) = clash {
            diags.push(listed_twice(names, first, later));
        }
    }
}

fn listed_twice(names: &Names<'_>, first: &Listing, later: &Listing) -> Diagnostic {
    let door = names.door_name(later.door);
    let what = match (first.reader, later.reader) {
        (Some(reader), Some(_)) => format!("reader {reader} of door `{door}`"),
        _ => format!("door `{door}`"),
    };
    let zone = zone_name(names, later.zone);
    let first_word = first.direction.as_str();
    if first.zone == later.zone && first.direction != later.direction {
        return Diagnostic::error(
            Code::ZoneBothWays,
            later.span,
            format!("{what} is both an entry and an exit of zone `{zone}`"),
        )
        .with_label(format!("also an {}", later.direction.as_str()))
        .with_secondary(first.span, format!("an {first_word} here"))
        .with_help(format!(
            "a reader leads one way: name the door's readers apart, such as \
             `entry {door} reader 0` and `exit {door} reader 1`"
        ));
    }
    let (message, help) = if first.zone == later.zone {
        (
            format!("{what} is listed twice in zone `{zone}`"),
            "list each door, or each reader of a door, once".to_owned(),
        )
    } else {
        (
            format!(
                "{what} is already in zone `{}`",
                zone_name(names, first.zone)
            ),
            format!(
                "a reader belongs to at most one zone, so that a passage crosses one zone \
                 one way; give each zone its own readers, such as `entry {door} reader 0`"
            ),
        )
    };
    Diagnostic::error(Code::ZoneReaderTwice, later.span, message)
        .with_label("listed again here")
        .with_secondary(first.span, format!("first listed here, as an {first_word}"))
        .with_help(help)
}

fn zone_name<'a>(names: &Names<'a>, zone: usize) -> &'a str {
    names
        .zones
        .get(zone)
        .map_or("", |(z, _)| z.name.name.as_str())
}
