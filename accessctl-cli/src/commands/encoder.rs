//! `accessctl encoder info|write|read|update|watch --port serial:PATH[:BAUD]`: a
//! PN532 card encoder.
//!
//! Owns opening the encoder (the PN532 client of `accessctl_devices::pn532` on the
//! port), calling the controller crate's encoder operations
//! (`accessctl_controller::encoder`) with the site's card keys, and rendering their
//! outcomes, human or JSON (the key's status as `key status` writes it). Exit codes: 0
//! done (or up to date), 1 a negative answer (no card for `info`; a key refused:
//! another user's, re-edition required on `update`, not authentic; a status other than
//! up to date for `read`), 2 errors (the port, the PN532, no card, a card pulled away).
//! It must never print a key or a card's secrets, and never judge a key itself.
//! `watch` reports each card on the console; it does not journal them.

use std::time::Duration;

use accessctl_controller::encoder::{
    self, CardInfo, EncoderError, KeyRead, KeyWritten, Presented, Station, Update,
};
use accessctl_core::card_key::{CardKeys, KeyStatus};
use accessctl_core::model::{KeyOptions, SiteId, UserId};
use accessctl_core::secret::Key;
use accessctl_core::Timestamp;
use accessctl_devices::card_io::CardInField;
use accessctl_devices::card_memory::CardError;
use accessctl_devices::pn532::client::{ClientError, Pn532, Timeouts};
use accessctl_devices::transport::{self, TransportError};
use serde::Serialize;
use thiserror::Error;

use crate::args::{
    CardPolicyArgs, EncoderArgs, EncoderCommand, EncoderInfoArgs, EncoderReadArgs,
    EncoderUpdateArgs, EncoderWatchArgs, EncoderWriteArgs, Format, PortArgs,
};
use crate::commands::card_key::{Holder, Judged};
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
use crate::instant;
use crate::offline::{resolve, OfflineError, OfflinePolicy};
use crate::render::json::{self, SCHEMA_VERSION};

/// Why an encoder command cannot answer.
#[derive(Debug, Error)]
pub enum EncoderCommandError {
    /// The port cannot be opened.
    #[error(transparent)]
    Port(#[from] TransportError),
    /// The PN532 does not answer as one.
    #[error("the encoder: {0}")]
    Pn532(#[from] ClientError),
    /// The operation failed on the card.
    #[error(transparent)]
    Operation(#[from] EncoderError),
    /// The policy has several sites and none was named.
    #[error("the policy has several sites ({sites}): say which site's card keys to use")]
    SiteRequired {
        /// The sites, comma-separated.
        sites: String,
    },
}

impl EncoderCommandError {
    /// The stable `kind` in JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            EncoderCommandError::Port(_) => "port",
            EncoderCommandError::Pn532(_) => "encoder",
            EncoderCommandError::SiteRequired { .. } => "site_required",
            EncoderCommandError::Operation(error) => match error {
                EncoderError::NoCard => "no_card",
                EncoderError::Card(CardError::TooLarge(_)) => "too_large",
                EncoderError::Card(CardError::Io(_)) => "card_failed",
                EncoderError::Card(
                    CardError::ForeignSector { .. } | CardError::ForeignTag | CardError::WrongPack,
                ) => "foreign_card",
                EncoderError::Card(_) => "card_failed",
                EncoderError::NoKey => "no_key",
                EncoderError::Image(_) => "invalid_image",
                EncoderError::UnknownHolder => "unknown_holder",
                EncoderError::Encode(_) => "cannot_encode",
                EncoderError::Refused(status) => status.code(),
            },
        }
    }

    /// How to fix it, when known.
    pub fn help(&self) -> Option<String> {
        match self {
            EncoderCommandError::Port(_) | EncoderCommandError::Pn532(_) => Some(
                "check the encoder is plugged in and the port and baud rate, as in \
                 `--port serial:/dev/ttyUSB0:115200`"
                    .into(),
            ),
            EncoderCommandError::SiteRequired { .. } => Some("pass --site SITE".into()),
            EncoderCommandError::Operation(EncoderError::NoCard) => {
                Some("place the card on the encoder and try again".into())
            }
            EncoderCommandError::Operation(EncoderError::Card(CardError::Io(_))) => Some(
                "keep the card on the encoder until the command ends; a write cut short \
                 leaves the card's old key, so it can be tried again"
                    .into(),
            ),
            EncoderCommandError::Operation(EncoderError::NoKey) => {
                Some("write a key with `accessctl encoder write`".into())
            }
            _ => None,
        }
    }
}

/// Runs `encoder`.
pub fn run(args: &EncoderArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    match &args.command {
        EncoderCommand::Info(args) => info(args, console),
        EncoderCommand::Write(args) => write(args, console),
        EncoderCommand::Read(args) => read(args, console),
        EncoderCommand::Update(args) => update(args, console),
        EncoderCommand::Watch(args) => watch(args, console),
    }
}

fn open(port: &PortArgs) -> Result<Pn532, EncoderCommandError> {
    let transport = transport::open(&port.port)?;
    Ok(Pn532::open(transport, Timeouts::default())?)
}

fn emit(
    console: &mut Console<'_>,
    format: Format,
    answer: &impl Serialize,
    human: &str,
) -> Result<(), CliError> {
    match format {
        Format::Human => console.out.write_all(human.as_bytes())?,
        Format::Json => console.out.write_all(&json::document(answer))?,
    }
    Ok(())
}

/// The card as shown (schema in `docs/cli.md`).
#[derive(Serialize)]
struct CardShown {
    #[serde(rename = "type")]
    card_type: String,
    uid: String,
}

impl CardShown {
    fn new(card: &CardInField) -> CardShown {
        CardShown {
            card_type: card.card_type.to_string(),
            uid: card.uid.iter().map(|b| format!("{b:02X}")).collect(),
        }
    }

    fn human(&self) -> String {
        format!("{} {}", self.card_type, self.uid)
    }
}

/// `encoder info` (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Info {
    version: u32,
    firmware: String,
    card: Option<CardMemory>,
}

#[derive(Serialize)]
struct CardMemory {
    #[serde(flatten)]
    card: CardShown,
    key_area: usize,
    largest_key: usize,
    safe_key: usize,
}

/// Runs `encoder info`.
fn info(args: &EncoderInfoArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let mut pn532 = open(&args.port)?;
    let firmware = pn532.firmware();
    let card = encoder::info(&mut pn532).map_err(EncoderCommandError::from)?;
    let answer = Info {
        version: SCHEMA_VERSION,
        firmware: format!("{}.{}", firmware.version, firmware.revision),
        card: card.as_ref().map(|c: &CardInfo| CardMemory {
            card: CardShown::new(&c.card),
            key_area: c.area,
            largest_key: c.largest,
            safe_key: c.safe,
        }),
    };
    let mut human = format!("encoder: PN532 firmware {}\n", answer.firmware);
    human += &match &answer.card {
        Some(card) => format!(
            "card:    {}, key area {} bytes: keys of up to {} bytes, and up to {} bytes \
             with the old key kept if the card is pulled mid-write\n",
            card.card.human(),
            card.key_area,
            card.largest_key,
            card.safe_key
        ),
        None => "card:    none in the field\n".into(),
    };
    emit(console, args.port.format.value, &answer, &human)?;
    let _ = pn532.close();
    Ok(Exit::answer(answer.card.is_some()))
}

/// The policy, its site and the site's card key.
struct Site {
    policy: OfflinePolicy,
    site: SiteId,
    key: Key,
}

impl Site {
    fn load(args: &CardPolicyArgs, user: Option<&str>) -> Result<Site, CliError> {
        let policy = OfflinePolicy::load(&args.policy.path, args.store.keystore.as_deref())?;
        let site = match (user, args.site.as_deref()) {
            (Some(user), named) => {
                let user = policy.query.user(user)?;
                policy.site_for_user(user, named)?
            }
            (None, Some(named)) => policy.site_named(named)?,
            (None, None) if policy.query.policy.sites.len() == 1 => SiteId(0),
            (None, None) => {
                let sites = policy.query.policy.sites.iter().map(|s| s.name.as_str());
                return Err(EncoderCommandError::SiteRequired {
                    sites: sites.collect::<Vec<_>>().join(", "),
                }
                .into());
            }
        };
        let key = policy.site_key(site)?;
        Ok(Site { policy, site, key })
    }

    fn keys(&self) -> Result<CardKeys<'_>, CliError> {
        let query = &self.policy.query;
        Ok(
            CardKeys::new(&query.policy, &query.compiled, self.site, &self.key)
                .map_err(OfflineError::from)?,
        )
    }

    fn holder(&self, user: UserId) -> Result<Holder, CliError> {
        let name = self
            .policy
            .query
            .policy
            .users
            .get(user.index())
            .map(|u| u.name.clone())
            .unwrap_or_default();
        Holder::find(&self.policy, &name, Some(self.policy.site_name(self.site)))
    }

    fn at(
        &self,
        written: Option<&accessctl_core::time::WrittenTimestamp>,
    ) -> Result<Timestamp, CliError> {
        let zone = self.policy.zone_of_site(self.site);
        Ok(resolve("--at", written, zone)?)
    }
}

/// A key written (schema in `docs/cli.md`).
#[derive(Serialize)]
struct WrittenShown {
    version: u32,
    user: String,
    site: String,
    card: CardShown,
    slot: u8,
    generation: u32,
    personalised: bool,
    bytes: usize,
    issued: String,
    expires: String,
    timezone: &'static str,
    doors: usize,
    door_slots: u16,
    key_options: Vec<&'static str>,
}

fn option_names(options: KeyOptions) -> Vec<&'static str> {
    [
        ("audit", KeyOptions::AUDIT),
        ("antipassback", KeyOptions::ANTIPASSBACK),
    ]
    .into_iter()
    .filter(|(_, o)| options.contains(*o))
    .map(|(name, _)| name)
    .collect()
}

impl WrittenShown {
    fn new(holder: &Holder, written: &KeyWritten) -> WrittenShown {
        WrittenShown {
            version: SCHEMA_VERSION,
            user: holder.name.clone(),
            site: holder.site_name.clone(),
            card: CardShown::new(&written.written.card),
            slot: written.written.slot,
            generation: written.written.generation,
            personalised: written.written.personalised,
            bytes: written.bytes,
            issued: instant::show(written.image.issued, holder.zone),
            expires: instant::show(written.image.expiry, holder.zone),
            timezone: holder.zone.name(),
            doors: written.image.doors.len(),
            door_slots: written.image.capacity.door_slots,
            key_options: option_names(written.image.key_options),
        }
    }

    fn human(&self, verb: &str) -> String {
        let mut out = format!(
            "{verb} the key of user {} for site {} on card {}: {} bytes, slot {}, generation {}{}\n",
            self.user,
            self.site,
            self.card.human(),
            self.bytes,
            self.slot,
            self.generation,
            if self.personalised { ", card personalised" } else { "" }
        );
        out += &format!("  issued:   {} ({})\n", self.issued, self.timezone);
        out += &format!("  expires:  {}\n", self.expires);
        out += &format!("  doors:    {} ({} slots)\n", self.doors, self.door_slots);
        if !self.key_options.is_empty() {
            out += &format!("  options:  {}\n", self.key_options.join(" "));
        }
        out
    }
}

/// Runs `encoder write`.
fn write(args: &EncoderWriteArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let site = Site::load(&args.card, Some(&args.user))?;
    let keys = site.keys()?;
    let user = site.policy.query.user(&args.user)?;
    let holder = site.holder(user)?;
    let issued = site.at(args.card.at.as_ref())?;
    let expiry = resolve("--expires", Some(&args.expires), holder.zone)?;
    let mut pn532 = open(&args.port)?;
    let written = encoder::write(&mut pn532, &keys, user, issued, expiry)
        .map_err(EncoderCommandError::from)?;
    let _ = pn532.close();
    let answer = WrittenShown::new(&holder, &written);
    emit(
        console,
        args.port.format.value,
        &answer,
        &answer.human("wrote"),
    )?;
    Ok(Exit::Success)
}

/// A key read (schema in `docs/cli.md`): `key status`'s document, with the card.
#[derive(Serialize)]
struct ReadShown {
    #[serde(flatten)]
    judged: Judged,
    card: CardShown,
    generation: u32,
    issued: String,
    expires: String,
    key_options: Vec<&'static str>,
}

impl ReadShown {
    fn new(site: &Site, at: Timestamp, read: &KeyRead) -> Result<ReadShown, CliError> {
        let holder = site.holder(read.holder)?;
        Ok(ReadShown {
            judged: Judged::new(&site.policy, &holder, at, &read.status),
            card: CardShown::new(&read.card.card),
            generation: read.generation,
            issued: instant::show(read.image.issued, holder.zone),
            expires: instant::show(read.image.expiry, holder.zone),
            key_options: option_names(read.image.key_options),
        })
    }

    fn human(&self) -> String {
        let mut out = self.judged.human();
        out += &format!(
            "  card:  {}, generation {}\n",
            self.card.human(),
            self.generation
        );
        out += &format!(
            "  key:   issued {}, expires {}\n",
            self.issued, self.expires
        );
        out
    }
}

fn expected_user(site: &Site, user: Option<&str>) -> Result<Option<UserId>, CliError> {
    Ok(match user {
        Some(user) => Some(site.policy.query.user(user)?),
        None => None,
    })
}

/// Runs `encoder read`.
fn read(args: &EncoderReadArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let site = Site::load(&args.card, args.user.as_deref())?;
    let keys = site.keys()?;
    let expected = expected_user(&site, args.user.as_deref())?;
    let at = site.at(args.card.at.as_ref())?;
    let mut pn532 = open(&args.port)?;
    let read = encoder::read(&mut pn532, &keys, expected, at).map_err(EncoderCommandError::from)?;
    let _ = pn532.close();
    let answer = ReadShown::new(&site, at, &read)?;
    emit(console, args.port.format.value, &answer, &answer.human())?;
    Ok(Exit::answer(read.status == KeyStatus::UpToDate))
}

/// An update (schema in `docs/cli.md`).
#[derive(Serialize)]
struct UpdateShown {
    version: u32,
    action: &'static str,
    status: &'static str,
    summary: String,
    user: Option<String>,
    card: Option<CardShown>,
    written: Option<WrittenShown>,
}

/// Runs `encoder update`.
fn update(args: &EncoderUpdateArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let site = Site::load(&args.card, args.user.as_deref())?;
    let keys = site.keys()?;
    let expected = expected_user(&site, args.user.as_deref())?;
    let at = site.at(args.card.at.as_ref())?;
    let zone = site.policy.zone_of_site(site.site);
    let expiry = match &args.expires {
        Some(written) => Some(resolve("--expires", Some(written), zone)?),
        None => None,
    };
    let mut pn532 = open(&args.port)?;
    let outcome = encoder::update(&mut pn532, &keys, expected, at, expiry);
    let _ = pn532.close();
    let (answer, human, exit) = match outcome {
        Ok(Update::UpToDate(read)) => {
            let shown = ReadShown::new(&site, at, &read)?;
            let human = format!("up to date: nothing written\n{}", shown.human());
            (
                UpdateShown {
                    version: SCHEMA_VERSION,
                    action: "none",
                    status: read.status.code(),
                    summary: shown.judged.summary.clone(),
                    user: Some(shown.judged.user.clone()),
                    card: Some(shown.card),
                    written: None,
                },
                human,
                Exit::Success,
            )
        }
        Ok(Update::Updated { before, after }) => {
            let holder = site.holder(before.holder)?;
            let written = WrittenShown::new(&holder, &after);
            let before_shown = ReadShown::new(&site, at, &before)?;
            let human = format!(
                "{}: {}\n{}",
                before.status.code().replace('_', " "),
                before_shown.judged.summary,
                written.human("updated")
            );
            (
                UpdateShown {
                    version: SCHEMA_VERSION,
                    action: "updated",
                    status: before.status.code(),
                    summary: before_shown.judged.summary.clone(),
                    user: Some(holder.name.clone()),
                    card: Some(CardShown::new(&before.card.card)),
                    written: Some(written),
                },
                human,
                Exit::Success,
            )
        }
        Err(EncoderError::Refused(status)) => {
            let user = match (&status, expected) {
                (_, Some(user)) => Some(site.holder(user)?.name),
                _ => None,
            };
            let summary = refusal(&site, &status, user.as_deref());
            let human = format!("refused, {status}: {summary}\n");
            (
                UpdateShown {
                    version: SCHEMA_VERSION,
                    action: "refused",
                    status: status.code(),
                    summary,
                    user,
                    card: None,
                    written: None,
                },
                human,
                Exit::Negative,
            )
        }
        Err(other) => return Err(EncoderCommandError::from(other).into()),
    };
    emit(console, args.port.format.value, &answer, &human)?;
    Ok(exit)
}

/// What a refused key needs, in words.
fn refusal(site: &Site, status: &KeyStatus, user: Option<&str>) -> String {
    match status {
        KeyStatus::InvalidUserKey { holder } => {
            let owner = holder
                .and_then(|u| site.policy.query.policy.users.get(u.index()))
                .map(|u| u.name.clone());
            match (owner, user) {
                (Some(owner), Some(user)) => {
                    format!("the card holds the key of user {owner}, not {user}'s")
                }
                (None, Some(user)) => format!("the card holds another user's key, not {user}'s"),
                _ => "the card holds another user's key".into(),
            }
        }
        KeyStatus::ReeditionRequired { .. } => {
            "only an edition can rewrite it: `accessctl encoder write`, or `encoder watch --edit`"
                .into()
        }
        KeyStatus::NotAuthentic => "the key was not written with this site's card key".into(),
        other => other.to_string(),
    }
}

/// One card at the station (one JSON line).
#[derive(Serialize)]
struct PresentedShown {
    version: u32,
    at: String,
    card: CardShown,
    action: &'static str,
    status: Option<&'static str>,
    user: Option<String>,
    generation: Option<u32>,
    message: String,
}

/// Runs `encoder watch`: polls the field until interrupted or `--count` cards.
fn watch(args: &EncoderWatchArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let site = Site::load(&args.card, None)?;
    let keys = site.keys()?;
    let zone = site.policy.zone_of_site(site.site);
    let mut pn532 = open(&args.port)?;
    let mut station = Station::new(args.edit);
    let mut seen = 0u64;
    if args.port.format.value == Format::Human {
        let edit = if args.edit { ", re-editing keys" } else { "" };
        console.out.write_all(
            format!(
                "watching the encoder for site {}{edit}: present cards (Ctrl-C stops)\n",
                site.policy.site_name(site.site)
            )
            .as_bytes(),
        )?;
        console.out.flush()?;
    }
    while args.count.is_none_or(|count| seen < count) {
        let at = resolve("--at", None, zone)?;
        let Some(presented) = station
            .poll(&mut pn532, &keys, at)
            .map_err(EncoderCommandError::from)?
        else {
            std::thread::sleep(Duration::from_millis(100));
            continue;
        };
        seen += 1;
        let shown = presented_shown(&site, at, &presented);
        match args.port.format.value {
            Format::Human => {
                let user = shown.user.as_deref().unwrap_or("-");
                console.out.write_all(
                    format!(
                        "{} {} {user}: {}\n",
                        shown.at,
                        shown.card.human(),
                        shown.message
                    )
                    .as_bytes(),
                )?;
            }
            Format::Json => {
                let mut line = serde_json::to_vec(&shown).unwrap_or_default();
                line.push(b'\n');
                console.out.write_all(&line)?;
            }
        }
        console.out.flush()?;
    }
    let _ = pn532.close();
    Ok(Exit::Success)
}

fn presented_shown(site: &Site, at: Timestamp, presented: &Presented) -> PresentedShown {
    let zone = site.policy.zone_of_site(site.site);
    let name = |user: UserId| {
        site.policy
            .query
            .policy
            .users
            .get(user.index())
            .map(|u| u.name.clone())
    };
    let (card, action, status, user, generation, message) = match presented {
        Presented::UpToDate(read) => (
            &read.card.card,
            "none",
            Some(read.status.code()),
            name(read.holder),
            Some(read.generation),
            "up to date".to_string(),
        ),
        Presented::Updated { before, after } => (
            &before.card.card,
            "updated",
            Some(before.status.code()),
            name(before.holder),
            Some(after.written.generation),
            format!(
                "{} → updated (generation {})",
                before.status, after.written.generation
            ),
        ),
        Presented::Reedited { before, after } => (
            &before.card.card,
            "reedited",
            Some(before.status.code()),
            name(before.holder),
            Some(after.written.generation),
            format!(
                "{} → re-edited (generation {})",
                before.status, after.written.generation
            ),
        ),
        Presented::Left(read) => (
            &read.card.card,
            "left",
            Some(read.status.code()),
            name(read.holder),
            Some(read.generation),
            format!(
                "{}: left as it is (re-edit it with --edit or `encoder write`)",
                read.status
            ),
        ),
        Presented::Failed { card, error } => (card, "failed", None, None, None, error.to_string()),
    };
    PresentedShown {
        version: SCHEMA_VERSION,
        at: instant::show(at, zone),
        card: CardShown::new(card),
        action,
        status,
        user,
        generation,
        message,
    }
}
