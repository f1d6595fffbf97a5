//! What the offline commands (`keys`, `codes`, `lock`, `key`) share: the policy with
//! the key store each site names, the keys of a door and of a site, their errors, and
//! how windows and instants are shown.
//!
//! Owns finding a site's key store (the `keystore "FILE"` of its site block, relative
//! to the directory of the policy file that says it, unless `--keystore FILE` names
//! another), choosing the key a door's lock and codes derive from (the lock's own key
//! if the store gives it one, else its site's key), reading `--for` durations, and the
//! errors of these commands. It must never print or return key material to a
//! renderer: keys go from the store to the core and nowhere else.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use accessctl_core::card_key::{EncodeError, KeyImageError};
use accessctl_core::model::{DoorId, ReaderModes, SiteId, UserId};
use accessctl_core::offline::code::IssueError;
use accessctl_core::offline::{build_image, lock_key, BuildError, BuiltImage, DecodeError, Issue};
use accessctl_core::secret::Key;
use accessctl_core::syntax::ast::{File, Item, SiteClause};
use accessctl_core::time::{TimestampError, WrittenTimestamp};
use accessctl_core::{check, suggest, CompiledPolicy, Sources, Timestamp};
use chrono_tz::Tz;
use serde::Serialize;
use thiserror::Error;

use crate::instant;
use crate::keystore::{KeyStore, KeystoreError};
use crate::load::{display, load_policy};
use crate::policy_error::PolicyError;
use crate::query::QueryPolicy;

/// The largest image file read (a lock image of 4,000 entries is under 64 KiB; a card
/// key under 1 MiB).
const MAX_IMAGE_BYTES: u64 = 16 << 20;

/// Why an offline command cannot answer (exit 2).
#[derive(Debug, Error)]
pub enum OfflineError {
    /// The key store cannot be used.
    #[error(transparent)]
    Keystore(#[from] KeystoreError),
    /// A site names no key store and `--keystore` was not given.
    #[error("site `{site}` names no key store")]
    NoKeystore {
        /// The site.
        site: String,
    },
    /// A written instant of some option names no instant at the site.
    #[error("{option}: {source}")]
    Timestamp {
        /// The option (`--from`, `--expires`, `--at`).
        option: &'static str,
        /// Why.
        source: TimestampError,
    },
    /// No code of the scheme covers the window asked for.
    #[error("no {use_} code covers {length} from the start given: the longest window lasts {}", hours_text(*.longest))]
    NoCoveringCode {
        /// `one-time` or `repeatable`.
        use_: &'static str,
        /// The length asked for, as written.
        length: String,
        /// The longest offered, in hours.
        longest: u32,
    },
    /// The core refused to issue the code.
    #[error("cannot issue the code: {0}")]
    Issue(#[from] IssueError),
    /// An image file cannot be read.
    #[error("cannot read `{path}`: {source}")]
    ReadFile {
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// A file is not a lock image.
    #[error("`{path}` is not a readable lock image: {source}")]
    LockImage {
        /// The file.
        path: String,
        /// Why, with the byte offset.
        source: DecodeError,
    },
    /// A file is not a card key image.
    #[error("`{path}` is not a readable card key: {source}")]
    CardKey {
        /// The file.
        path: String,
        /// Why, with the byte offset.
        source: KeyImageError,
    },
    /// A lock image cannot be built (other than for capacity, a negative answer).
    #[error("cannot build the lock image: {0}")]
    Build(BuildError),
    /// A card key cannot be written or judged.
    #[error("cannot write the card key: {0}")]
    Encode(#[from] EncodeError),
    /// A site name the policy does not have.
    #[error("unknown site `{name}`")]
    UnknownSite {
        /// The name asked for.
        name: String,
        /// The nearest known name.
        suggestion: Option<String>,
    },
    /// The user's doors lie in several sites (or none) and `--site` was not given.
    #[error(
        "say which site's key to use for user `{user}`: the policy has several sites ({sites})"
    )]
    SiteRequired {
        /// The user.
        user: String,
        /// The candidate sites, comma-separated.
        sites: String,
    },
}

impl OfflineError {
    /// The stable `kind` of the error in JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            OfflineError::Keystore(KeystoreError::Exposed { .. }) => "keystore_exposed",
            OfflineError::Keystore(KeystoreError::Exists { .. }) => "keystore_exists",
            OfflineError::Keystore(KeystoreError::NoSiteKey { .. }) => "missing_key",
            OfflineError::Keystore(KeystoreError::Write(_)) => "edit_failed",
            OfflineError::Keystore(_) => "keystore_unreadable",
            OfflineError::NoKeystore { .. } => "no_keystore",
            OfflineError::Timestamp { .. } => "invalid_instant",
            OfflineError::NoCoveringCode { .. } | OfflineError::Issue(_) => "cannot_issue",
            OfflineError::ReadFile { .. } => "unreadable",
            OfflineError::LockImage { .. } | OfflineError::CardKey { .. } => "invalid_image",
            OfflineError::Build(_) => "cannot_build",
            OfflineError::Encode(_) => "cannot_encode",
            OfflineError::UnknownSite { .. } => "unknown_site",
            OfflineError::SiteRequired { .. } => "site_required",
        }
    }

    /// How to fix it, when known.
    pub fn help(&self) -> Option<String> {
        match self {
            OfflineError::Keystore(error) => error.help(),
            OfflineError::NoKeystore { site } => Some(format!(
                "add `keystore \"{site}.keys\"` to site `{site}`, or pass --keystore FILE"
            )),
            OfflineError::UnknownSite {
                suggestion: Some(s),
                ..
            } => Some(format!("did you mean `{s}`?")),
            OfflineError::SiteRequired { .. } => Some("pass --site SITE".into()),
            OfflineError::NoCoveringCode { .. } => {
                Some("ask for a shorter length, or issue several codes one after the other".into())
            }
            _ => None,
        }
    }
}

/// A valid policy with the key store of each of its sites.
pub struct OfflinePolicy {
    /// The policy, compiled, with names found as the queries find them.
    pub query: QueryPolicy,
    /// The key store of each site, by site index (`None`: the site names none).
    stores: Vec<Option<PathBuf>>,
}

impl OfflinePolicy {
    /// Loads, checks and compiles the policy at `path`; every site's key store is
    /// `keystore` when given, else the file its site block names.
    pub fn load(path: &Path, keystore: Option<&Path>) -> Result<OfflinePolicy, PolicyError> {
        let loaded = load_policy(path)?;
        let checked = check(&loaded.sources);
        let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
        let policy = match checked.policy {
            Some(policy) if errors == 0 => policy,
            _ => {
                return Err(PolicyError::InvalidPolicy {
                    path: loaded.path,
                    sources: Box::new(loaded.sources),
                    diagnostics: checked.diagnostics,
                    errors,
                })
            }
        };
        let named = named_stores(&checked.files, &loaded.sources);
        let stores = policy
            .sites
            .iter()
            .map(|site| match keystore {
                Some(file) => Some(file.to_path_buf()),
                None => named.get(&site.name).cloned(),
            })
            .collect();
        let compiled = CompiledPolicy::new(&policy);
        Ok(OfflinePolicy {
            query: QueryPolicy { policy, compiled },
            stores,
        })
    }

    /// The key store of `site`.
    pub fn store_of(&self, site: SiteId) -> Result<&Path, OfflineError> {
        self.stores
            .get(site.index())
            .and_then(Option::as_deref)
            .ok_or_else(|| OfflineError::NoKeystore {
                site: self.site_name(site).to_owned(),
            })
    }

    /// The key of `site`, read from its store.
    pub fn site_key(&self, site: SiteId) -> Result<Key, OfflineError> {
        let path = self.store_of(site)?;
        let store = KeyStore::open(path)?;
        let name = self.site_name(site);
        store
            .site_key(name)
            .cloned()
            .ok_or_else(|| no_site_key(path, name))
    }

    /// The key `door`'s lock image and offline codes derive from: the lock's own key
    /// when its site's store gives it one, else the site key.
    pub fn door_key(&self, door: DoorId) -> Result<Key, OfflineError> {
        let site = self.site_of(door);
        let path = self.store_of(site)?;
        let store = KeyStore::open(path)?;
        if let Some(key) = store.lock_key(self.door_name(door)) {
            return Ok(key.clone());
        }
        let name = self.site_name(site);
        store
            .site_key(name)
            .cloned()
            .ok_or_else(|| no_site_key(path, name))
    }

    /// The memory image of `door`'s offline lock issued at `issued`, authenticated
    /// with the lock key derived from [`OfflinePolicy::door_key`]: what `lock image`
    /// writes and `lock push` and the controller send. A door whose entries exceed
    /// its capacity is an [`OfflineError::Build`].
    pub fn lock_image(&self, door: DoorId, issued: Timestamp) -> Result<BuiltImage, OfflineError> {
        let key = lock_key(&self.door_key(door)?, self.door_name(door));
        let query = &self.query;
        build_image(
            &query.policy,
            &query.compiled,
            door,
            &key,
            Issue::at(issued),
        )
        .map_err(OfflineError::Build)
    }

    /// The site of `door`.
    pub fn site_of(&self, door: DoorId) -> SiteId {
        self.query
            .policy
            .doors
            .get(door.index())
            .map_or(SiteId(0), |d| d.site)
    }

    /// The name of `site`.
    pub fn site_name(&self, site: SiteId) -> &str {
        self.query
            .policy
            .sites
            .get(site.index())
            .map_or("", |s| s.name.as_str())
    }

    /// The name of `door`.
    pub fn door_name(&self, door: DoorId) -> &str {
        self.query
            .policy
            .doors
            .get(door.index())
            .map_or("", |d| d.name.as_str())
    }

    /// The zone of `site`.
    pub fn zone_of_site(&self, site: SiteId) -> Tz {
        self.query
            .policy
            .sites
            .get(site.index())
            .map_or(chrono_tz::UTC, |s| s.timezone)
    }

    /// The site whose card keys `user` carries: `named` if given, else the only site
    /// of the policy, else the only site the user's grants reach.
    pub fn site_for_user(&self, user: UserId, named: Option<&str>) -> Result<SiteId, OfflineError> {
        let policy = &self.query.policy;
        if let Some(name) = named {
            return self.site_named(name);
        }
        if policy.sites.len() == 1 {
            return Ok(SiteId(0));
        }
        let mut reached: Vec<SiteId> = Vec::new();
        let grants = policy
            .users
            .get(user.index())
            .map_or(&[][..], |u| &u.grants);
        let doors = grants
            .iter()
            .flat_map(|g| g.targets.iter())
            .flat_map(|&t| policy.doors_of(t));
        for door in doors {
            let site = self.site_of(door);
            if !reached.contains(&site) {
                reached.push(site);
            }
        }
        match reached.as_slice() {
            [only] => Ok(*only),
            _ => Err(OfflineError::SiteRequired {
                user: policy
                    .users
                    .get(user.index())
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                sites: policy
                    .sites
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// The site named `name`.
    pub fn site_named(&self, name: &str) -> Result<SiteId, OfflineError> {
        let sites = &self.query.policy.sites;
        sites
            .iter()
            .position(|s| s.name == name)
            .and_then(|i| u32::try_from(i).ok())
            .map(SiteId)
            .ok_or_else(|| OfflineError::UnknownSite {
                name: name.to_owned(),
                suggestion: suggest::nearest(name, sites.iter().map(|s| s.name.as_str()))
                    .map(str::to_owned),
            })
    }

    /// Every site with its key store: the sites of each store, stores in path order.
    pub fn sites_by_store(&self) -> Result<BTreeMap<PathBuf, Vec<String>>, OfflineError> {
        let mut stores: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
        for (i, site) in self.query.policy.sites.iter().enumerate() {
            let id = SiteId(u32::try_from(i).unwrap_or(u32::MAX));
            let path = self.store_of(id)?;
            stores
                .entry(path.to_path_buf())
                .or_default()
                .push(site.name.clone());
        }
        Ok(stores)
    }
}

fn no_site_key(path: &Path, site: &str) -> OfflineError {
    KeystoreError::NoSiteKey {
        path: display(path),
        site: site.to_owned(),
    }
    .into()
}

/// The key store each site's block names, resolved against the directory of the
/// file that names it.
fn named_stores(files: &[File], sources: &Sources) -> BTreeMap<String, PathBuf> {
    let mut stores = BTreeMap::new();
    for (file, (_, source)) in files.iter().zip(sources.iter()) {
        let dir = Path::new(source.name()).parent().unwrap_or(Path::new(""));
        for item in &file.items {
            let Item::Site(site) = &item.node else {
                continue;
            };
            let named = site.body.entries.iter().find_map(|c| match &c.node {
                SiteClause::Keystore(file) => Some(&file.value),
                _ => None,
            });
            if let Some(name) = named {
                stores.insert(site.name.name.clone(), dir.join(name));
            }
        }
    }
    stores
}

/// An instant written for `option`, read in `zone` (now when not written).
pub fn resolve(
    option: &'static str,
    written: Option<&WrittenTimestamp>,
    zone: Tz,
) -> Result<Timestamp, OfflineError> {
    instant::resolve(written, zone, instant::now())
        .map_err(|source| OfflineError::Timestamp { option, source })
}

/// The bytes of an image file (lock image or card key), at most 16 MiB.
pub fn read_image(path: &Path) -> Result<Vec<u8>, OfflineError> {
    let unreadable = |source| OfflineError::ReadFile {
        path: display(path),
        source,
    };
    let file = fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    file.take(MAX_IMAGE_BYTES)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    Ok(bytes)
}

/// A length of time written on the command line: `90m`, `2h`, `3d`, `1w`, or several
/// such parts (`1d12h`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenDuration {
    /// As written.
    pub text: String,
    /// In seconds.
    pub seconds: i64,
}

/// The longest duration read: ten years.
const MAX_DURATION: i64 = 10 * 366 * 86_400;

impl WrittenDuration {
    /// Parses `90m`, `2h`, `3d`, `1w` or a sequence of such parts.
    pub fn parse(text: &str) -> Result<WrittenDuration, String> {
        let malformed = || {
            format!("`{text}` is not a duration: write a number and a unit, m, h, d or w (90m, 2h, 3d, 1w)")
        };
        let mut seconds: i64 = 0;
        let mut number = String::new();
        for c in text.trim().chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let unit = match c {
                'm' => 60,
                'h' => 3_600,
                'd' => 86_400,
                'w' => 7 * 86_400,
                _ => return Err(malformed()),
            };
            let count: i64 = number.parse().map_err(|_| malformed())?;
            number.clear();
            seconds = count
                .checked_mul(unit)
                .and_then(|s| seconds.checked_add(s))
                .filter(|s| *s <= MAX_DURATION)
                .ok_or_else(|| format!("`{text}` is longer than ten years"))?;
        }
        if !number.is_empty() || seconds == 0 {
            return Err(malformed());
        }
        Ok(WrittenDuration {
            text: text.trim().to_owned(),
            seconds,
        })
    }
}

/// A time window as shown: in the site's local time and in UTC.
#[derive(Debug, Clone, Serialize)]
pub struct WindowView {
    /// Start, local time of the site (RFC 3339).
    pub start: String,
    /// End (first instant after the window), local time of the site.
    pub end: String,
    /// Start in UTC.
    pub start_utc: String,
    /// End in UTC.
    pub end_utc: String,
    /// The site's zone.
    pub timezone: &'static str,
    /// Start, seconds since 1970.
    pub unix_start: i64,
    /// End, seconds since 1970.
    pub unix_end: i64,
}

impl WindowView {
    /// `[start, end)` shown in `zone`.
    pub fn new(start: Timestamp, end: Timestamp, zone: Tz) -> WindowView {
        WindowView {
            start: instant::show(start, zone),
            end: instant::show(end, zone),
            start_utc: utc(start),
            end_utc: utc(end),
            timezone: zone.name(),
            unix_start: start.0,
            unix_end: end.0,
        }
    }

    /// Two lines: local and UTC.
    pub fn human(&self, indent: &str) -> String {
        format!(
            "{} → {} ({})\n{indent}{} → {} (UTC)\n",
            self.start, self.end, self.timezone, self.start_utc, self.end_utc
        )
    }
}

/// A window's length: `2 hours`, `14 days`.
pub fn hours_text(hours: u32) -> String {
    if hours >= 48 && hours.is_multiple_of(24) {
        format!("{} days", hours / 24)
    } else if hours == 1 {
        "1 hour".to_owned()
    } else {
        format!("{hours} hours")
    }
}

/// `at` in UTC, ISO 8601 with `Z`: `2026-11-23T08:00:00Z` (see [`instant::utc`]).
pub use crate::instant::utc;

/// The names of reader modes: `["badge", "pin"]`.
pub fn mode_names(modes: ReaderModes) -> Vec<&'static str> {
    [
        ("badge", ReaderModes::BADGE),
        ("pin", ReaderModes::PIN),
        ("qr", ReaderModes::QR),
        ("mobile", ReaderModes::MOBILE),
        ("remote", ReaderModes::REMOTE),
    ]
    .into_iter()
    .filter(|(_, mode)| modes.contains(*mode))
    .map(|(name, _)| name)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_minutes_hours_days_and_weeks() {
        let seconds = |t: &str| WrittenDuration::parse(t).map(|d| d.seconds);
        assert_eq!(seconds("90m"), Ok(5_400));
        assert_eq!(seconds("2h"), Ok(7_200));
        assert_eq!(seconds("3d"), Ok(259_200));
        assert_eq!(seconds("1w"), Ok(604_800));
        assert_eq!(seconds("1d12h"), Ok(129_600));
        for bad in [
            "",
            "2",
            "h",
            "2x",
            "0h",
            "-2h",
            "99999999999999999999w",
            "1000w",
        ] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn instants_are_shown_in_utc_with_z() {
        assert_eq!(utc(Timestamp(1_795_424_400)), "2026-11-23T09:00:00Z");
        assert_eq!(hours_text(336), "14 days");
        assert_eq!(hours_text(24), "24 hours");
        assert_eq!(hours_text(1), "1 hour");
        assert_eq!(
            mode_names(ReaderModes::BADGE | ReaderModes::PIN),
            ["badge", "pin"]
        );
    }
}
