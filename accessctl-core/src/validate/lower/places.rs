//! Lowering of sites, doors, groups, paths and permanent space codes.
//!
//! Owns the rules local to a site: a time zone given once (E0701, E0301), site and
//! door clauses given once (E0212) and their values (E0211 external ids, E0311
//! capacity, E0312 empty ids, E0704 two-factor doors, E0316 and E0317 card formats),
//! groups, paths and space codes holding doors of their own site only (E0702), paths
//! of two doors or more with no door twice in a row (E0703), space codes of 6
//! characters (E0405).
//!
//! It must never compare space codes with each other (that is
//! [`crate::validate::space_codes`]) nor check who may open a door.

use super::once::{keyword_span, Once};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{self, Connectivity, DoorId, Policy, ReaderMode, ReaderModes, SiteId, Target};
use crate::source::Span;
use crate::syntax::ast::{self, DoorClause, Ident, SiteClause, Word};
use crate::validate::card_formats::card_formats;
use crate::validate::names::{kind_word, Names};
use crate::validate::resolve::target_span;
use crate::validate::{id, values};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Lowers every site, door, group, path and space code of `names` into `policy`.
pub(super) fn lower(names: &Names<'_>, policy: &mut Policy, diags: &mut Vec<Diagnostic>) {
    policy.sites = names.sites.iter().map(|s| site(s, diags)).collect();
    let mut external_ids = HashMap::default();
    for (index, (door, site)) in names.doors.iter().enumerate() {
        let lowered = self::door(names, door, *site, &mut external_ids, diags);
        if let Some(owner) = policy.sites.get_mut(site.index()) {
            owner.doors.push(DoorId(id(index)));
        }
        policy.doors.push(lowered);
    }
    policy.groups = names
        .groups
        .iter()
        .map(|(g, s)| group(names, g, *s, diags))
        .collect();
    policy.paths = names
        .paths
        .iter()
        .map(|(p, s)| path(names, p, *s, diags))
        .collect();
    policy.space_codes = names
        .codes
        .iter()
        .map(|(c, s)| space_code(names, c, *s, diags))
        .collect();
}

fn site(site: &ast::Site, diags: &mut Vec<Diagnostic>) -> model::Site {
    let mut once = Once::new("site");
    let mut timezone = None;
    let mut has_timezone = false;
    let mut keystore = None;
    let mut formats = Vec::new();
    for entry in &site.body.entries {
        match &entry.node {
            SiteClause::Timezone(zone) if once.first("timezone", entry.span, diags) => {
                has_timezone = true;
                timezone = values::timezone(zone, diags);
            }
            SiteClause::Keystore(file) if once.first("keystore", entry.span, diags) => {
                values::non_empty(file, "key store file name", diags);
                keystore = Some(file.value.clone());
            }
            SiteClause::Cards(names) if once.first("cards", entry.span, diags) => {
                formats = card_formats(names, diags);
            }
            _ => {}
        }
    }
    if !has_timezone {
        diags.push(missing_timezone(&site.name));
    }
    model::Site {
        name: site.name.name.clone(),
        title: site.title.as_ref().map(|t| t.value.clone()),
        timezone: timezone.unwrap_or(chrono_tz::UTC),
        keystore,
        card_formats: formats,
        doors: Vec::new(),
    }
}

fn missing_timezone(name: &Ident) -> Diagnostic {
    Diagnostic::error(
        Code::MissingTimezone,
        name.span,
        format!("site `{}` has no time zone", name.name),
    )
    .with_label("every local time of this site needs a zone")
    .with_help("add a clause such as `timezone \"Europe/Paris\"` to the site")
}

fn door<'a>(
    names: &Names<'a>,
    door: &'a ast::Door,
    site: SiteId,
    external_ids: &mut HashMap<&'a str, Span>,
    diags: &mut Vec<Diagnostic>,
) -> model::Door {
    let mut lowered = model::Door {
        name: door.name.name.clone(),
        title: door.title.as_ref().map(|t| t.value.clone()),
        site,
        external_id: None,
        readers: ReaderModes::all(),
        schedule: None,
        connectivity: Connectivity::Online,
        capacity: None,
        required: ReaderModes::empty(),
        card_formats: None,
    };
    let mut once = Once::new("door");
    let mut require = None;
    for entry in door.body.iter().flat_map(|b| &b.entries) {
        let at = entry.span;
        match &entry.node {
            DoorClause::Id(value) if once.first("id", at, diags) => {
                external_id(value, external_ids, diags);
                lowered.external_id = Some(value.value.clone());
            }
            DoorClause::Readers(modes) if once.first("readers", at, diags) => {
                lowered.readers = modes_of(modes);
            }
            DoorClause::Schedule(name) if once.first("schedule", at, diags) => {
                lowered.schedule = names.schedule(name, diags);
            }
            DoorClause::Offline(_) if once.first("offline", at, diags) => {
                lowered.connectivity = Connectivity::Offline;
            }
            DoorClause::Capacity(n) if once.first("capacity", at, diags) => {
                lowered.capacity = values::capacity(n, diags);
            }
            DoorClause::Require(modes) if once.first("require", at, diags) => {
                require = Some((modes, keyword_span(at, "require")));
            }
            DoorClause::Cards(names) if once.first("cards", at, diags) => {
                lowered.card_formats = Some(card_formats(names, diags));
            }
            _ => {}
        }
    }
    if let Some((modes, at)) = require {
        lowered.required = factors(&door.name, modes, at, lowered.readers, diags);
    }
    lowered
}

/// E0312 for an empty id, E0211 for an id another door already has.
fn external_id<'a>(
    value: &'a ast::Str,
    seen: &mut HashMap<&'a str, Span>,
    diags: &mut Vec<Diagnostic>,
) {
    if !values::non_empty(value, "external id", diags) {
        return;
    }
    if let Some(first) = seen.get(value.value.as_str()) {
        diags.push(
            Diagnostic::error(
                Code::DuplicateDoorId,
                value.span,
                format!(
                    "external id `{}` is already used by another door",
                    value.value
                ),
            )
            .with_label("used again here")
            .with_secondary(*first, "first used here")
            .with_help("give each door the id of its own controller"),
        );
        return;
    }
    seen.insert(&value.value, value.span);
}

fn modes_of(modes: &[Word<ReaderMode>]) -> ReaderModes {
    modes.iter().fold(ReaderModes::empty(), |acc, m| {
        acc | ReaderModes::from(m.kind)
    })
}

/// The factors of a two-factor door: at least two different media, each accepted by
/// the door's readers (E0704).
fn factors(
    door: &Ident,
    modes: &[Word<ReaderMode>],
    at: Span,
    readers: ReaderModes,
    diags: &mut Vec<Diagnostic>,
) -> ReaderModes {
    let required = modes_of(modes);
    if required.bits().count_ones() < 2 {
        diags.push(
            Diagnostic::error(
                Code::MalformedFactors,
                at,
                format!(
                    "door `{}` requires fewer than two different media",
                    door.name
                ),
            )
            .with_label("a two-factor door needs two media or more")
            .with_help("list two media or more, such as `require badge pin`, or remove `require`"),
        );
    }
    for mode in modes.iter().filter(|m| !readers.contains(m.kind.into())) {
        let word = mode.kind.as_str();
        diags.push(
            Diagnostic::error(
                Code::MalformedFactors,
                mode.span,
                format!(
                    "door `{}` requires `{word}` but its readers do not accept it",
                    door.name
                ),
            )
            .with_label("not among the door's readers")
            .with_help(format!(
                "add `{word}` to `readers`, or remove it from `require`"
            )),
        );
    }
    required
}

fn group(
    names: &Names<'_>,
    group: &ast::Group,
    site: SiteId,
    diags: &mut Vec<Diagnostic>,
) -> model::DoorGroup {
    let mut seen = HashSet::default();
    let doors = group
        .doors
        .iter()
        .filter_map(|name| {
            let door = names.door(name, diags)?;
            own_site(names, Target::Door(door), site, name.span, "a group", diags);
            Some(door)
        })
        .filter(|door| seen.insert(*door))
        .collect();
    model::DoorGroup {
        name: group.name.name.clone(),
        site,
        doors,
    }
}

fn path(
    names: &Names<'_>,
    path: &ast::PathDecl,
    site: SiteId,
    diags: &mut Vec<Diagnostic>,
) -> model::Path {
    if path.doors.len() < 2 {
        diags.push(
            Diagnostic::error(
                Code::MalformedPath,
                path.name.span,
                format!("path `{}` has fewer than two doors", path.name.name),
            )
            .with_label("a path goes from one door to another")
            .with_help("list two doors or more, such as `path p = a -> b`, or use a group"),
        );
    }
    let mut previous: Option<&str> = None;
    let mut doors = Vec::with_capacity(path.doors.len());
    for name in &path.doors {
        if previous == Some(name.name.as_str()) {
            diags.push(repeated_door(path, name));
        }
        previous = Some(&name.name);
        if let Some(door) = names.door(name, diags) {
            own_site(names, Target::Door(door), site, name.span, "a path", diags);
            doors.push(door);
        }
    }
    model::Path {
        name: path.name.name.clone(),
        site,
        doors,
    }
}

fn repeated_door(path: &ast::PathDecl, door: &Ident) -> Diagnostic {
    Diagnostic::error(
        Code::MalformedPath,
        door.span,
        format!(
            "door `{}` follows itself in path `{}`",
            door.name, path.name.name
        ),
    )
    .with_label("the same door twice in a row")
    .with_help("remove the repeated door")
}

fn space_code(
    names: &Names<'_>,
    code: &ast::SpaceCode,
    site: SiteId,
    diags: &mut Vec<Diagnostic>,
) -> model::SpaceCode {
    values::space_code(&code.code, diags);
    let targets = code
        .targets
        .iter()
        .filter_map(|t| {
            let place = names.target(t, diags)?;
            own_site(names, place, site, target_span(t), "a space code", diags);
            Some(place)
        })
        .collect();
    model::SpaceCode {
        code: code.code.value.clone(),
        site,
        targets,
    }
}

/// E0702 when `place` lies outside `site`; `owner` says what may hold only doors of
/// its own site ("a group").
pub(super) fn own_site(
    names: &Names<'_>,
    place: Target,
    site: SiteId,
    at: Span,
    owner: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(other) = names.site_of(place).filter(|s| *s != site) else {
        return;
    };
    let (own, other) = (names.site_name(site), names.site_name(other));
    let message = match place {
        Target::Site(_) => format!("site `{other}` is not site `{own}`"),
        _ => format!(
            "{} `{}` belongs to site `{other}`, not to site `{own}`",
            kind_word(place),
            names.place_name(place)
        ),
    };
    diags.push(
        Diagnostic::error(Code::ForeignDoor, at, message)
            .with_label("a door of another site")
            .with_help(format!("{owner} holds only doors of its own site `{own}`")),
    );
}
