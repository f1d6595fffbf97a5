//! Reference resolution: a written name to a typed id.
//!
//! Owns the lookups of targets (doors, groups, paths, sites), lone doors, schedules
//! and holiday calendars in the symbol tables of [`Names`], and the errors when they
//! fail: unknown names (E0201–E0207) with a "did you mean" suggestion drawn from the
//! right name space, and names of the wrong kind (E0208). The `quiet_*` lookups
//! report nothing: later stages use them to re-read references already checked.
//!
//! It must never define names nor judge anything but whether a name exists and has
//! the kind asked for.

use super::names::{kind_word, Names};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{CalendarId, DoorId, ScheduleId, Target};
use crate::suggest;
use crate::syntax::ast::{self, Ident, TargetKind};

impl<'a> Names<'a> {
    /// Resolves a target, reporting why it cannot be.
    pub fn target(&self, target: &ast::Target, diags: &mut Vec<Diagnostic>) -> Option<Target> {
        let name = &target.name;
        let found = self.places.get(name.name.as_str()).copied();
        match (&target.kind, found) {
            (None, Some(place)) => Some(place),
            (Some(kind), Some(place)) if kind_of(place) == kind.kind => Some(place),
            (Some(kind), Some(place)) => {
                diags.push(self.wrong_kind(kind.span.to(name.span), name, kind.kind, place));
                None
            }
            (Some(kind), None) => {
                diags.push(self.unknown_place(name, Some(kind.kind)));
                None
            }
            (None, None) => {
                diags.push(self.unknown_place(name, None));
                None
            }
        }
    }

    /// Resolves a target already checked, reporting nothing.
    pub fn quiet_target(&self, target: &ast::Target) -> Option<Target> {
        let place = self.places.get(target.name.name.as_str()).copied()?;
        match &target.kind {
            Some(kind) if kind.kind != kind_of(place) => None,
            _ => Some(place),
        }
    }

    /// Resolves a name that must be a door (a member of a group or path).
    pub fn door(&self, name: &Ident, diags: &mut Vec<Diagnostic>) -> Option<DoorId> {
        match self.places.get(name.name.as_str()).copied() {
            Some(Target::Door(door)) => Some(door),
            Some(place) => {
                diags.push(self.wrong_kind(name.span, name, TargetKind::Door, place));
                None
            }
            None => {
                diags.push(self.unknown_place(name, Some(TargetKind::Door)));
                None
            }
        }
    }

    /// Resolves a schedule name.
    pub fn schedule(&self, name: &Ident, diags: &mut Vec<Diagnostic>) -> Option<ScheduleId> {
        let found = self
            .schedule_ids
            .get(name.name.as_str())
            .copied()
            .map(ScheduleId);
        if found.is_none() {
            let candidates = self.schedules.iter().map(|s| s.name.name.as_str());
            diags.push(unknown(Code::UnknownSchedule, "schedule", name, candidates));
        }
        found
    }

    /// Resolves a holiday calendar name.
    pub fn calendar(&self, name: &Ident, diags: &mut Vec<Diagnostic>) -> Option<CalendarId> {
        let found = self
            .calendar_ids
            .get(name.name.as_str())
            .copied()
            .map(CalendarId);
        if found.is_none() {
            let candidates = self.calendars.iter().map(|c| c.name.name.as_str());
            diags.push(unknown(
                Code::UnknownCalendar,
                "holiday calendar",
                name,
                candidates,
            ));
        }
        found
    }

    fn unknown_place(&self, name: &Ident, kind: Option<TargetKind>) -> Diagnostic {
        let sites = self.sites.iter().map(|s| s.name.name.as_str());
        let doors = self.doors.iter().map(|(d, _)| d.name.name.as_str());
        let groups = self.groups.iter().map(|(g, _)| g.name.name.as_str());
        let paths = self.paths.iter().map(|(p, _)| p.name.name.as_str());
        match kind {
            None => {
                let all = sites.chain(doors).chain(groups).chain(paths);
                unknown(Code::UnknownTarget, "target", name, all)
            }
            Some(TargetKind::Site) => unknown(Code::UnknownSite, "site", name, sites),
            Some(TargetKind::Door) => unknown(Code::UnknownDoor, "door", name, doors),
            Some(TargetKind::Group) => unknown(Code::UnknownGroup, "group", name, groups),
            Some(TargetKind::Path) => unknown(Code::UnknownPath, "path", name, paths),
        }
    }

    /// E0208: `name` names `place` where a `wanted` is required.
    fn wrong_kind(
        &self,
        span: crate::Span,
        name: &Ident,
        wanted: TargetKind,
        place: Target,
    ) -> Diagnostic {
        let is = kind_word(place);
        let wanted = wanted.as_str();
        let diag = Diagnostic::error(
            Code::WrongKind,
            span,
            format!("`{}` is a {is}, not a {wanted}", name.name),
        )
        .with_label(format!("a {wanted} is required here"))
        .with_help(format!(
            "name a {wanted} here, or write `{is} {}` where any target is allowed",
            name.name
        ));
        match self.place_span(place) {
            Some(first) => diag.with_secondary(first, format!("`{}` is defined here", name.name)),
            None => diag,
        }
    }
}

/// Where a target is written, from its kind word (if any) to its name.
pub(super) fn target_span(target: &ast::Target) -> crate::Span {
    match &target.kind {
        Some(kind) => kind.span.to(target.name.span),
        None => target.name.span,
    }
}

/// The kind of a resolved place.
pub(super) fn kind_of(place: Target) -> TargetKind {
    match place {
        Target::Site(_) => TargetKind::Site,
        Target::Door(_) => TargetKind::Door,
        Target::Group(_) => TargetKind::Group,
        Target::Path(_) => TargetKind::Path,
    }
}

/// An unknown-name error with a suggestion from `candidates` when one is close.
pub(super) fn unknown<'c>(
    code: Code,
    what: &str,
    name: &Ident,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Diagnostic {
    let help = match suggest::nearest(&name.name, candidates) {
        Some(near) => format!("did you mean `{near}`?"),
        None if code == Code::UnknownTarget => {
            "declare a site, door, group or path with this name, or check the spelling".to_owned()
        }
        None => format!(
            "declare a {what} named `{}`, or check the spelling",
            name.name
        ),
    };
    let label = match code {
        Code::UnknownTarget => "no site, door, group or path has this name".to_owned(),
        _ => format!("no {what} has this name"),
    };
    Diagnostic::error(code, name.span, format!("unknown {what} `{}`", name.name))
        .with_label(label)
        .with_help(help)
}
