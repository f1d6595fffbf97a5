//! An admin's view of an anti-passback zone: who is inside, and the reset of one
//! occupant's state.
//!
//! Owns [`inside`] (`zone show`: the zone found by name in the policy, its occupants
//! from the presence store, longest inside first) and [`reset`] (`zone reset`: every
//! state the store keeps for a user or a card in the zone forgotten, and journaled as
//! a `presence_reset` event whose door is the zone's name), in the store `--journal`
//! names ([`ZoneStore`]): a controller's local database, or a fleet's PostgreSQL,
//! whose shared presence table holds who is inside the zones spanning controllers.
//! It must never decide, never print (callers render what it returns), never create
//! a store that does not exist, and never keep a PIN or a key.

use accessctl_core::model::{Credential, Tracking, ZoneKind};
use accessctl_core::Timestamp;
use serde::Serialize;

use crate::instant::utc;
use crate::journal::postgres::{Database, Postgres};
use crate::journal::StoreError;
use crate::journal::{Event, EventKind, Journal, JournalError, Location};
use crate::policy_error::PolicyError;
use crate::presence::postgres::PostgresPresence;
use crate::presence::{OccupantKey, PresenceError, PresenceStore, Whereabouts};
use crate::query::QueryPolicy;

/// Why a zone cannot be shown or reset.
#[derive(Debug, thiserror::Error)]
pub enum ZoneError {
    /// The zone or user is not in the policy.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// The presence store failed.
    #[error(transparent)]
    Presence(#[from] PresenceError),
    /// The reset could not be journaled.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The fleet's database could not record the reset.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// `--journal` names no file; a zone command never creates one.
    #[error("journal {}: no such file", path.display())]
    Missing {
        /// The path given.
        path: std::path::PathBuf,
    },
}

/// The controller id under which a reset made on a fleet's database is journaled
/// there (an admin's tool has no spool, hence no id of its own).
pub const FLEET_ADMIN: &str = "zone-admin";

/// Where an admin finds who is inside a zone, as `--journal` names it.
pub enum ZoneStore {
    /// A controller's local database: its presence table and its journal.
    Journal(Journal),
    /// A fleet's PostgreSQL: the presence its controllers share, and its events.
    Fleet {
        /// The shared presence table.
        presence: Box<PostgresPresence>,
        /// The fleet's journal, where a reset is recorded.
        events: Box<Postgres>,
    },
}

impl ZoneStore {
    /// Opens the store at `location`, which must exist: a journal file, or a fleet's
    /// database (reached now, so that an unreachable one is an error, not an empty
    /// zone).
    pub fn open(location: &Location) -> Result<ZoneStore, ZoneError> {
        match location {
            Location::Sqlite(path) if !path.exists() => {
                Err(ZoneError::Missing { path: path.clone() })
            }
            Location::Sqlite(path) => Ok(ZoneStore::Journal(Journal::open(path)?)),
            Location::Postgres(database) => ZoneStore::fleet(database),
        }
    }

    fn fleet(database: &Database) -> Result<ZoneStore, ZoneError> {
        let presence = Box::new(PostgresPresence::connect(database)?);
        let events = Box::new(Postgres::connect_existing(database).map_err(StoreError::from)?);
        Ok(ZoneStore::Fleet { presence, events })
    }

    /// The presence store within.
    pub fn presence(&mut self) -> &mut dyn PresenceStore {
        match self {
            ZoneStore::Journal(journal) => journal,
            ZoneStore::Fleet { presence, .. } => presence.as_mut(),
        }
    }
}

/// [`reset`] in `store`, the reset journaled there (on a fleet's database, as the
/// next event of [`FLEET_ADMIN`]).
pub fn reset_recorded(
    policy: &QueryPolicy,
    zone: &str,
    whose: &Whose,
    store: &mut ZoneStore,
    at: Timestamp,
) -> Result<Reset, ZoneError> {
    let done = reset(policy, zone, whose, store.presence(), at)?;
    match store {
        ZoneStore::Journal(journal) => journal.record(&done.event)?,
        ZoneStore::Fleet { events, .. } => {
            events.record_next(FLEET_ADMIN, &done.event)?;
        }
    }
    Ok(done)
}

/// Whose state a reset forgets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whose {
    /// A user by name: as a user, and by each of their cards (a `per card` zone).
    User(String),
    /// A card by number: as a card, and as its holder (a `per user` zone).
    Card(u64),
}

/// A zone and who is inside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZoneView {
    /// The zone's name.
    pub zone: String,
    /// Its title, if it has one.
    pub title: Option<String>,
    /// Its rule: `hard`, `soft` or `timed N min`.
    pub kind: String,
    /// Whose presence it tracks: `user` or `card`.
    pub tracking: &'static str,
    /// Who is inside, longest first.
    pub inside: Vec<Whereabouts>,
}

/// What a reset forgot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reset {
    /// The zone's name.
    pub zone: String,
    /// What the store held for the occupant, before (empty: nothing).
    pub was: Vec<Whereabouts>,
    /// The journal's record of the reset.
    pub event: Event,
}

/// Who is inside the zone named `zone`, from `store`.
pub fn inside(
    policy: &QueryPolicy,
    zone: &str,
    store: &mut dyn PresenceStore,
) -> Result<ZoneView, ZoneError> {
    let found = find(policy, zone)?;
    let inside = store.inside(&found.name)?;
    Ok(ZoneView {
        zone: found.name.clone(),
        title: found.title.clone(),
        kind: kind_words(found.kind),
        tracking: match found.tracking {
            Tracking::User => "user",
            Tracking::Card => "card",
        },
        inside,
    })
}

/// Forgets every state `store` keeps of `whose` in the zone named `zone` (their next
/// passage there is a first one), and says what the journal should record of it, at
/// `at`.
pub fn reset(
    policy: &QueryPolicy,
    zone: &str,
    whose: &Whose,
    store: &mut dyn PresenceStore,
    at: Timestamp,
) -> Result<Reset, ZoneError> {
    let found = find(policy, zone)?;
    let (user, keys) = occupants(policy, whose)?;
    let mut was = Vec::new();
    for key in &keys {
        was.extend(store.reset(&found.name, key)?);
    }
    let site = found
        .site
        .and_then(|site| policy.policy.sites.get(site.index()))
        .map_or(String::new(), |site| site.name.clone());
    let event = Event {
        user,
        detail: Some(reset_words(&found.name, whose, &was)),
        ..Event::new(at.0, &site, &found.name, EventKind::PresenceReset)
    };
    Ok(Reset {
        zone: found.name.clone(),
        was,
        event,
    })
}

/// The zone named `name`.
fn find<'p>(
    policy: &'p QueryPolicy,
    name: &str,
) -> Result<&'p accessctl_core::model::Zone, PolicyError> {
    let zones = &policy.policy.zones;
    zones
        .iter()
        .find(|zone| zone.name == name)
        .ok_or_else(|| PolicyError::UnknownName {
            kind: "zone",
            name: name.to_owned(),
            suggestion: accessctl_core::suggest::nearest(
                name,
                zones.iter().map(|z| z.name.as_str()),
            )
            .map(str::to_owned),
        })
}

/// The user named (for the event), and every key `whose` may be kept under.
fn occupants(
    policy: &QueryPolicy,
    whose: &Whose,
) -> Result<(Option<String>, Vec<OccupantKey>), PolicyError> {
    let users = &policy.policy.users;
    let cards_of = |user: &accessctl_core::model::User| {
        user.credentials
            .iter()
            .filter_map(|c| match c {
                Credential::Card(number) => Some(OccupantKey::card(*number)),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    match whose {
        Whose::User(name) => {
            let id = policy.user(name)?;
            let user = users.get(id.index());
            let mut keys = vec![OccupantKey::user(name)];
            keys.extend(user.map(cards_of).unwrap_or_default());
            Ok((Some(name.clone()), keys))
        }
        Whose::Card(number) => {
            let holder = users
                .iter()
                .find(|u| u.credentials.contains(&Credential::Card(*number)));
            let mut keys = vec![OccupantKey::card(*number)];
            keys.extend(holder.map(|u| OccupantKey::user(&u.name)));
            Ok((holder.map(|u| u.name.clone()), keys))
        }
    }
}

/// The reset in words: whose, and what was recorded.
fn reset_words(zone: &str, whose: &Whose, was: &[Whereabouts]) -> String {
    let whose = match whose {
        Whose::User(name) => format!("user {name}"),
        Whose::Card(number) => format!("card {number}"),
    };
    let recorded: Vec<String> = was
        .iter()
        .map(|w| {
            let state = match w.inside() {
                true => "inside since",
                false => "out since",
            };
            format!(
                "{} {state} {} through {}",
                w.occupant,
                utc(w.movement.at),
                w.door
            )
        })
        .collect();
    match recorded.is_empty() {
        true => format!("anti-passback state of {whose} reset in zone `{zone}` (nothing recorded)"),
        false => format!(
            "anti-passback state of {whose} reset in zone `{zone}` (was: {})",
            recorded.join(", ")
        ),
    }
}

/// The zone's rule in words, e.g. `hard`, `timed 30 min`.
pub fn kind_words(kind: ZoneKind) -> String {
    match kind {
        ZoneKind::Timed { minutes } => format!("timed {minutes} min"),
        other => other.as_str().to_owned(),
    }
}
