//! `accessctl key encode --policy P --user U --expires T -o FILE` and `accessctl key
//! status --policy P --user U --image FILE [--at T]`: data-on-card keys.
//!
//! Owns writing a user's card key image to a file (what an encoder writes to a card),
//! and telling the status of a key image read from a card against the current policy:
//! exit 0 when up to date, 1 for update required, re-edition required, invalid user
//! key, expired or not authentic. It must never print a key, and never judge a key
//! itself: `accessctl_core::keys` does.

use accessctl_core::card_key::{CardKeys, KeyChanges, KeyImage, KeyStatus, StatusError};
use accessctl_core::model::{SiteId, UserId};
use accessctl_core::Timestamp;
use chrono_tz::Tz;
use serde::Serialize;

use crate::args::{Format, KeyArgs, KeyCommand, KeyEncodeArgs, KeyStatusArgs};
use crate::atomic::{self, Existing};
use crate::census::plural;
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
use crate::instant;
use crate::load::display;
use crate::offline::{read_image, resolve, OfflineError, OfflinePolicy};
use crate::render::json::{self, SCHEMA_VERSION};

/// Permissions of a new key image file: a key image is authenticated, not secret.
const KEY_IMAGE_MODE: u32 = 0o644;

/// Runs `key`.
pub fn run(args: &KeyArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    match &args.command {
        KeyCommand::Encode(args) => encode(args, console),
        KeyCommand::Status(args) => status(args, console),
    }
}

/// The user and site named on the command line, with the site's zone.
pub(crate) struct Holder {
    pub(crate) user: UserId,
    pub(crate) name: String,
    pub(crate) site: SiteId,
    pub(crate) site_name: String,
    pub(crate) zone: Tz,
}

impl Holder {
    pub(crate) fn find(
        policy: &OfflinePolicy,
        user: &str,
        site: Option<&str>,
    ) -> Result<Holder, CliError> {
        let user_id = policy.query.user(user)?;
        let site = policy.site_for_user(user_id, site)?;
        Ok(Holder {
            user: user_id,
            name: user.to_owned(),
            site,
            site_name: policy.site_name(site).to_owned(),
            zone: policy.zone_of_site(site),
        })
    }
}

/// Runs `key encode`.
fn encode(args: &KeyEncodeArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let policy = OfflinePolicy::load(&args.policy.path, args.store.keystore.as_deref())?;
    let holder = Holder::find(&policy, &args.user, args.site.as_deref())?;
    let issued = resolve("--at", args.at.as_ref(), holder.zone)?;
    let expiry = resolve("--expires", Some(&args.expires), holder.zone)?;
    let site_key = policy.site_key(holder.site)?;
    let query = &policy.query;
    let keys = CardKeys::new(&query.policy, &query.compiled, holder.site, &site_key)
        .map_err(OfflineError::from)?;
    let image = keys
        .encode(holder.user, issued, expiry)
        .map_err(OfflineError::from)?;
    let bytes = image.to_bytes().map_err(|source| OfflineError::CardKey {
        path: display(&args.output),
        source,
    })?;
    atomic::write(&args.output, &bytes, KEY_IMAGE_MODE, Existing::Replace)?;
    let answer = Encoded::new(&holder, display(&args.output), &image, bytes.len());
    match args.format.value {
        Format::Human => console.out.write_all(answer.human().as_bytes())?,
        Format::Json => console.out.write_all(&json::document(&answer))?,
    }
    Ok(Exit::Success)
}

/// A key written (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Encoded {
    version: u32,
    file: String,
    user: String,
    site: String,
    bytes: usize,
    issued: String,
    expires: String,
    timezone: &'static str,
    card: Option<u64>,
    offline: bool,
    doors: usize,
    door_slots: u16,
    schedules: usize,
    revocations: usize,
}

impl Encoded {
    fn new(holder: &Holder, file: String, image: &KeyImage, bytes: usize) -> Encoded {
        Encoded {
            version: SCHEMA_VERSION,
            file,
            user: holder.name.clone(),
            site: holder.site_name.clone(),
            bytes,
            issued: instant::show(image.issued, holder.zone),
            expires: instant::show(image.expiry, holder.zone),
            timezone: holder.zone.name(),
            card: image.card,
            offline: image.offline,
            doors: image.doors.len(),
            door_slots: image.capacity.door_slots,
            schedules: image.timetable.schedules.len(),
            revocations: image.revocations.len(),
        }
    }

    fn human(&self) -> String {
        let mut out = format!(
            "wrote {}: {} bytes, the card key of user {} for site {}\n",
            self.file, self.bytes, self.user, self.site
        );
        out += &format!("  issued:   {} ({})\n", self.issued, self.timezone);
        out += &format!("  expires:  {}\n", self.expires);
        out += &format!(
            "  carries:  {} ({} slots), {}, {}\n",
            plural(self.doors, "door"),
            self.door_slots,
            plural(self.schedules, "schedule"),
            plural(self.revocations, "revocation")
        );
        let offline = if self.offline { "yes" } else { "no" };
        out += &format!("  offline:  {offline}\n");
        out
    }
}

/// Runs `key status`.
fn status(args: &KeyStatusArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let policy = OfflinePolicy::load(&args.policy.path, args.store.keystore.as_deref())?;
    let holder = Holder::find(&policy, &args.user, args.site.as_deref())?;
    let at = resolve("--at", args.at.as_ref(), holder.zone)?;
    let bytes = read_image(&args.image)?;
    let site_key = policy.site_key(holder.site)?;
    let query = &policy.query;
    let keys = CardKeys::new(&query.policy, &query.compiled, holder.site, &site_key)
        .map_err(OfflineError::from)?;
    let status = keys
        .status(&bytes, holder.user, at)
        .map_err(|error| match error {
            StatusError::Image(source) => OfflineError::CardKey {
                path: display(&args.image),
                source,
            },
            StatusError::Policy(source) => OfflineError::Encode(source),
        })?;
    let answer = Judged::new(&policy, &holder, at, &status);
    match args.format.value {
        Format::Human => console.out.write_all(answer.human().as_bytes())?,
        Format::Json => console.out.write_all(&json::document(&answer))?,
    }
    Ok(Exit::answer(status == KeyStatus::UpToDate))
}

/// A key's status (schema in `docs/cli.md`).
#[derive(Serialize)]
pub(crate) struct Judged {
    version: u32,
    status: &'static str,
    pub(crate) summary: String,
    pub(crate) user: String,
    site: String,
    at: String,
    timezone: &'static str,
    changes: Vec<&'static str>,
    reedition: Option<&'static str>,
    holder: Option<String>,
    expired_at: Option<String>,
}

impl Judged {
    pub(crate) fn new(
        policy: &OfflinePolicy,
        holder: &Holder,
        at: Timestamp,
        status: &KeyStatus,
    ) -> Judged {
        let mut judged = Judged {
            version: SCHEMA_VERSION,
            status: status.code(),
            summary: String::new(),
            user: holder.name.clone(),
            site: holder.site_name.clone(),
            at: instant::show(at, holder.zone),
            timezone: holder.zone.name(),
            changes: Vec::new(),
            reedition: None,
            holder: None,
            expired_at: None,
        };
        judged.summary = match status {
            KeyStatus::UpToDate => "the key carries what the policy gives now".into(),
            KeyStatus::UpdateRequired { changes } => {
                judged.changes = change_names(*changes);
                format!(
                    "{} changed; any updater point can refresh the key",
                    judged.changes.join(", ")
                )
            }
            KeyStatus::ReeditionRequired { why } => {
                judged.reedition = Some(reedition_code(why));
                format!("{why}; only an encoder can rewrite the key")
            }
            KeyStatus::InvalidUserKey { holder: owner } => {
                judged.holder = owner
                    .and_then(|u| policy.query.policy.users.get(u.index()))
                    .map(|u| u.name.clone());
                match &judged.holder {
                    Some(owner) => format!("the key belongs to user {owner}, not {}", holder.name),
                    None => format!("the key belongs to another user than {}", holder.name),
                }
            }
            KeyStatus::Expired { at: expiry } => {
                let shown = instant::show(*expiry, holder.zone);
                judged.expired_at = Some(shown.clone());
                format!("the key expired at {shown}; an updater point can renew it")
            }
            KeyStatus::NotAuthentic => format!(
                "the key was not written with the card key of site {} (forged, damaged or another site's)",
                holder.site_name
            ),
        };
        judged
    }

    pub(crate) fn human(&self) -> String {
        let status = self
            .status
            .replace('_', " ")
            .replace("reedition", "re-edition");
        let mut out = format!("{status}: {}\n", self.summary);
        out += &format!("  user:  {} (site {})\n", self.user, self.site);
        out += &format!("  at:    {} ({})\n", self.at, self.timezone);
        out
    }
}

/// `["doors", "timetable"]`.
fn change_names(changes: KeyChanges) -> Vec<&'static str> {
    [
        ("validity", KeyChanges::VALIDITY),
        ("doors", KeyChanges::DOORS),
        ("timetable", KeyChanges::TIMETABLE),
        ("revocations", KeyChanges::REVOCATIONS),
    ]
    .into_iter()
    .filter(|(_, change)| changes.contains(*change))
    .map(|(name, _)| name)
    .collect()
}

/// The stable code of a reason for re-edition.
fn reedition_code(why: &accessctl_core::card_key::ReeditionReason) -> &'static str {
    use accessctl_core::card_key::ReeditionReason as Why;
    match why {
        Why::Layout { .. } => "layout",
        Why::OfflineAccess { .. } => "offline_access",
        Why::Card { .. } => "card",
        Why::KeyOptions { .. } => "key_options",
        Why::Doors { .. } => "doors",
        Why::Timetable { .. } => "timetable",
        Why::Revocations { .. } => "revocations",
    }
}
