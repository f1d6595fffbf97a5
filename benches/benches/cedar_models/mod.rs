//! Two Cedar models of a generated site, for the side-by-side benchmark against the
//! `cedar-policy` crate (and the test that checks they agree with the engine).
//!
//! Owns what both models share: the caller's side of a Cedar integration
//! ([`Caller`]: the card table, the entity ids of users and doors, the site zones
//! and holiday calendars that turn an instant into local facts) and [`CedarModel`],
//! a policy set with its entities that answers a [`CardRequest`]. The models
//! themselves live in `natural` (one `permit` per access level, `forbid`s for the
//! other rules) and `fastest` (one `permit` over precomputed attributes); the
//! schedule encodings both use live in `schedule`.
//!
//! Scope: the questions are card presentations at a door, online, as the
//! benchmarks ask. Both models encode every rule of `docs/decisions.md` that such a
//! question can meet — readers and second factors, offline locks, inactive users,
//! validity, sub-account ceilings, the most specific grants and their schedules
//! (weekly ranges, midnight crossings, holidays), door schedules. Guests, space
//! codes and remote openings are left out: no card reaches them.

#![allow(dead_code)] // the benchmark and the test each use a part

pub mod fastest;
pub mod natural;
pub mod schedule;

use accessctl_benches::workload::CardRequest;
use accessctl_core::model::{Credential, Policy, ReaderModes, Target};
use accessctl_core::time::{CompiledCalendar, LocalTime, ZoneTable};
use cedar_policy::{
    Authorizer, Context, Decision, Entities, EntityId, EntityTypeName, EntityUid, PolicySet,
    Request, RestrictedExpression,
};
use rustc_hash::FxHashMap;
use std::str::FromStr;
use std::sync::Arc;

/// What the caller knows about the local time at a door: the facts both models'
/// contexts are made of.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    /// Local day number (days since 1970-01-01).
    pub day: i32,
    /// 0 for Monday … 6 for Sunday.
    pub weekday: u8,
    /// Minutes since local midnight.
    pub minute: u16,
    /// Bit `i`: holiday calendar `i` holds today.
    pub today: u32,
    /// Bit `i`: holiday calendar `i` holds yesterday.
    pub yesterday: u32,
}

/// The caller's side of a Cedar integration, shared by both models: Cedar knows
/// no card numbers, zones or calendars, so the caller resolves them.
pub struct Caller {
    cards: FxHashMap<u64, u32>,
    users: Vec<EntityUid>,
    doors: Vec<EntityUid>,
    door_sites: Vec<u32>,
    zones: Vec<ZoneTable>,
    calendars: Vec<(String, CompiledCalendar)>,
    action: EntityUid,
    /// The slot length (minutes) of the fastest model's schedules.
    pub granularity: u16,
    /// The kinds of day the calendars make (see `schedule::day_kinds`).
    pub day_kinds: Vec<u32>,
}

impl Caller {
    /// The tables of `policy`.
    ///
    /// # Errors
    /// If a guest holds a card (the models leave guests out).
    pub fn new(policy: &Policy) -> Result<Caller, String> {
        if policy.appointments.iter().any(|a| {
            a.guests.iter().any(|g| {
                g.credentials
                    .iter()
                    .any(|c| matches!(c, Credential::Card(_)))
            })
        }) {
            return Err("a guest holds a card".into());
        }
        let mut cards = FxHashMap::default();
        for (i, user) in policy.users.iter().enumerate() {
            for credential in &user.credentials {
                if let Credential::Card(n) = credential {
                    cards.entry(*n).or_insert(i as u32);
                }
            }
        }
        Ok(Caller {
            cards,
            users: policy.users.iter().map(|u| uid("User", &u.name)).collect(),
            doors: policy.doors.iter().map(|d| uid("Door", &d.name)).collect(),
            door_sites: policy.doors.iter().map(|d| d.site.0).collect(),
            zones: policy
                .sites
                .iter()
                .map(|s| ZoneTable::new(s.timezone))
                .collect(),
            calendars: policy
                .calendars
                .iter()
                .map(|c| (c.name.clone(), CompiledCalendar::new(c)))
                .collect(),
            action: uid("Action", "open"),
            granularity: schedule::granularity(policy),
            day_kinds: schedule::day_kinds(policy),
        })
    }

    /// The local facts at `door` (an index) at `at`.
    pub fn facts(&self, door: usize, at: accessctl_core::Timestamp) -> Facts {
        let site = self.door_sites.get(door).copied().unwrap_or(0) as usize;
        let offset = self.zones.get(site).map_or(0, |z| z.offset_at(at));
        let local = LocalTime::at(at, offset);
        let holds = |day: i32| {
            self.calendars
                .iter()
                .enumerate()
                .filter(|(_, (_, c))| c.contains(day))
                .fold(0u32, |bits, (i, _)| bits | 1 << i)
        };
        Facts {
            day: local.day,
            weekday: local.weekday() as u8,
            minute: local.minute,
            today: holds(local.day),
            yesterday: holds(local.day - 1),
        }
    }

    /// The names of the calendars of `bits`, as a Cedar set of strings.
    pub fn calendar_set(&self, bits: u32) -> RestrictedExpression {
        RestrictedExpression::new_set(
            self.calendars
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, (name, _))| RestrictedExpression::new_string(name.clone())),
        )
    }

    /// The index in `day_kinds` of a day held by the calendars of `bits`.
    pub fn kind_of(&self, bits: u32) -> usize {
        self.day_kinds.binary_search(&bits).unwrap_or(0)
    }

    /// The name of calendar `i`.
    pub fn calendar_name(&self, i: usize) -> &str {
        self.calendars.get(i).map_or("", |(name, _)| name)
    }
}

/// How a model turns the caller's facts into its context.
pub type ContextOf = fn(&Caller, &Facts) -> Context;

/// A Cedar model of a site: its policies, its entities, and its context.
pub struct CedarModel {
    /// `natural` or `fastest`.
    pub name: &'static str,
    /// Policies in the set.
    pub policy_count: usize,
    /// Entities in the store.
    pub entity_count: usize,
    caller: Arc<Caller>,
    policies: PolicySet,
    entities: Entities,
    context: ContextOf,
    authorizer: Authorizer,
}

impl CedarModel {
    /// Parses the policy text and builds the entity store.
    ///
    /// # Errors
    /// A Cedar parse or entity error, as text.
    pub fn new(
        name: &'static str,
        caller: Arc<Caller>,
        policy_text: &str,
        entities: Vec<cedar_policy::Entity>,
        context: ContextOf,
    ) -> Result<CedarModel, String> {
        let policies = PolicySet::from_str(policy_text).map_err(|e| format!("{name}: {e}"))?;
        let entity_count = entities.len();
        let entities =
            Entities::from_entities(entities, None).map_err(|e| format!("{name}: {e}"))?;
        Ok(CedarModel {
            name,
            policy_count: policies.policies().count(),
            entity_count,
            caller,
            policies,
            entities,
            context,
            authorizer: Authorizer::new(),
        })
    }

    /// The Cedar request for a card presentation: the caller's work (card lookup,
    /// local time, context). `None` when nobody holds the card.
    pub fn request(&self, card: &CardRequest) -> Option<Request> {
        let caller = &self.caller;
        let user = caller.users.get(*caller.cards.get(&card.card)? as usize)?;
        let door = card.door.index();
        let facts = caller.facts(door, card.at);
        let context = (self.context)(caller, &facts);
        Request::new(
            user.clone(),
            caller.action.clone(),
            caller.doors.get(door)?.clone(),
            context,
            None,
        )
        .ok()
    }

    /// Whether Cedar allows a card presentation, and the errors it met evaluating
    /// the policies (none in a sound model).
    pub fn answer(&self, card: &CardRequest) -> (bool, Vec<String>) {
        let Some(request) = self.request(card) else {
            return (false, Vec::new());
        };
        let response = self
            .authorizer
            .is_authorized(&request, &self.policies, &self.entities);
        let errors = response.diagnostics().errors().map(ToString::to_string);
        (response.decision() == Decision::Allow, errors.collect())
    }

    /// Whether Cedar allows a prepared request.
    pub fn authorize(&self, request: &Request) -> bool {
        let response = self
            .authorizer
            .is_authorized(request, &self.policies, &self.entities);
        response.decision() == Decision::Allow
    }

    /// The whole answer to a card presentation, caller's work included.
    pub fn is_allowed(&self, card: &CardRequest) -> bool {
        self.request(card).is_some_and(|r| self.authorize(&r))
    }
}

/// The entity uid `Type::"id"`.
pub fn uid(kind: &str, id: &str) -> EntityUid {
    let kind = EntityTypeName::from_str(kind).unwrap_or_else(|e| panic!("type `{kind}`: {e}"));
    EntityUid::from_type_name_and_id(kind, EntityId::new(id))
}

/// The Cedar entity a target stands for (doors are children of their sites,
/// groups and paths).
pub fn target_uid(policy: &Policy, target: Target) -> EntityUid {
    let name = |kind: &str, name: Option<&String>| uid(kind, name.map_or("", |n| n.as_str()));
    match target {
        Target::Site(s) => name("Site", policy.sites.get(s.index()).map(|s| &s.name)),
        Target::Door(d) => name("Door", policy.doors.get(d.index()).map(|d| &d.name)),
        Target::Group(g) => name("Group", policy.groups.get(g.index()).map(|g| &g.name)),
        Target::Path(p) => name("Path", policy.paths.get(p.index()).map(|p| &p.name)),
    }
}

/// `resource in X` (`resource == X` for a door) for one target.
pub fn resource_in(policy: &Policy, target: Target) -> String {
    let op = if matches!(target, Target::Door(_)) {
        "=="
    } else {
        "in"
    };
    format!("resource {op} {}", target_uid(policy, target))
}

/// Door grants beat paths, paths beat groups, groups beat sites.
pub fn specificity(target: Target) -> usize {
    match target {
        Target::Site(_) => 0,
        Target::Group(_) => 1,
        Target::Path(_) => 2,
        Target::Door(_) => 3,
    }
}

/// Reader modes as a Cedar set of strings.
pub fn media_set(modes: ReaderModes) -> RestrictedExpression {
    let names = [
        (ReaderModes::BADGE, "badge"),
        (ReaderModes::PIN, "pin"),
        (ReaderModes::QR, "qr"),
        (ReaderModes::MOBILE, "mobile"),
        (ReaderModes::REMOTE, "remote"),
    ];
    RestrictedExpression::new_set(
        names
            .iter()
            .filter(|(mode, _)| modes.contains(*mode))
            .map(|(_, name)| RestrictedExpression::new_string((*name).to_string())),
    )
}

/// A Cedar set of strings.
pub fn string_set<'a>(items: impl IntoIterator<Item = &'a str>) -> RestrictedExpression {
    RestrictedExpression::new_set(
        items
            .into_iter()
            .map(|s| RestrictedExpression::new_string(s.to_string())),
    )
}

/// A Cedar set of entity uids.
pub fn uid_set(items: impl IntoIterator<Item = EntityUid>) -> RestrictedExpression {
    RestrictedExpression::new_set(items.into_iter().map(RestrictedExpression::new_entity_uid))
}

/// A Cedar long.
pub fn long(value: i64) -> RestrictedExpression {
    RestrictedExpression::new_long(value)
}

/// A Cedar boolean.
pub fn boolean(value: bool) -> RestrictedExpression {
    RestrictedExpression::new_bool(value)
}

/// The attributes of a door both models give it: readers, required factors, and
/// whether it is an offline lock.
pub fn door_basics(door: &accessctl_core::model::Door) -> Vec<(String, RestrictedExpression)> {
    use accessctl_core::model::Connectivity;
    vec![
        ("readers".into(), media_set(door.readers)),
        ("required".into(), media_set(door.required)),
        (
            "offline".into(),
            boolean(door.connectivity == Connectivity::Offline),
        ),
    ]
}

/// The attributes of a user both models give it: active, offline access, and the
/// validity window as local day numbers (unbounded ends far away).
pub fn user_basics(user: &accessctl_core::model::User) -> Vec<(String, RestrictedExpression)> {
    use accessctl_core::time::day_number;
    let from = user
        .validity
        .from
        .map_or(i64::from(i32::MIN), |d| i64::from(day_number(d)));
    let to = user
        .validity
        .to
        .map_or(i64::from(i32::MAX), |d| i64::from(day_number(d)));
    vec![
        ("active".into(), boolean(user.active)),
        ("offline".into(), boolean(user.offline)),
        ("valid_from".into(), long(from)),
        ("valid_to".into(), long(to)),
    ]
}

/// The doors each target reaches, per user: the sets of doors reached by the
/// user's grants more specific than each specificity (0, 1, 2).
pub fn doors_above(policy: &Policy, user: &accessctl_core::model::User) -> [Vec<usize>; 3] {
    let mut above: [Vec<usize>; 3] = Default::default();
    for grant in &user.grants {
        for &target in &grant.targets {
            let spec = specificity(target);
            for (k, set) in above.iter_mut().enumerate() {
                if spec > k {
                    set.extend(policy.doors_of(target).map(|d| d.index()));
                }
            }
        }
    }
    for set in &mut above {
        set.sort_unstable();
        set.dedup();
    }
    above
}

/// The effective schedule of a grant: its own, else the user's, else the
/// nearest sub-account default.
pub fn effective_schedule(
    policy: &Policy,
    user: &accessctl_core::model::User,
    grant: &accessctl_core::model::Grant,
) -> Option<accessctl_core::model::ScheduleId> {
    grant.schedule.or(user.schedule).or_else(|| {
        policy
            .ancestry(user.account)
            .filter_map(|a| policy.accounts.get(a.index()))
            .find_map(|a| a.ceiling.as_ref().and_then(|c| c.schedule))
    })
}
