//! `accessctl lock image --policy P --door D -o FILE [--at T]`, `accessctl lock
//! inspect FILE [--policy P]` and `accessctl lock push --policy P --door D --bus
//! CONNECTION --address A`: the memory image of a door's offline lock.
//!
//! `lock push` sends the image to the lock's PD by OSDP file transfer
//! ([`crate::controller::push`]) and exits 0 once the lock confirms it.
//!
//! Owns writing a built image atomically, telling its size and entry counts, refusing
//! a door whose image would exceed its capacity (exit 1, naming the door and the
//! count), and showing what an image file holds, with its authenticity when a policy
//! gives the key (exit 1 when not authentic). It must never print a key or a
//! credential digest, and never build or read an image itself: the core's `offline`
//! module does.

use std::path::Path;
use std::time::Duration;

use accessctl_devices::osdp::control_panel::{
    ControlPanel, ControlPanelBus, PdSetup, Security, Timing,
};
use accessctl_devices::transport;

use accessctl_core::offline::{lock_key, BuildError, ImageSummary, UnverifiedImage};
use chrono_tz::Tz;
use serde::Serialize;

use crate::args::{Format, LockArgs, LockCommand, LockImageArgs, LockInspectArgs, LockPushArgs};
use crate::atomic::{self, Existing};
use crate::census::plural;
use crate::commands::controller::channel as commands_channel;
use crate::console::Console;
use crate::controller::push::{push_image, PushStep, Pushed};
use crate::controller::scbk::door_scbk;
use crate::controller::{os_entropy, Channel, ControllerError};
use crate::error::CliError;
use crate::exit::Exit;
use crate::instant;
use crate::load::display;
use crate::offline::{mode_names, read_image, resolve, utc, OfflineError, OfflinePolicy};
use crate::query::DoorView;
use crate::render::json::{self, SCHEMA_VERSION};

/// Permissions of a new image file: an image holds digests, not secrets.
const IMAGE_MODE: u32 = 0o644;

/// Runs `lock`.
pub fn run(args: &LockArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    match &args.command {
        LockCommand::Image(args) => image(args, console),
        LockCommand::Inspect(args) => inspect(args, console),
        LockCommand::Push(args) => push(args, console),
    }
}

/// Runs `lock image`.
fn image(args: &LockImageArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let policy = OfflinePolicy::load(&args.policy.path, args.store.keystore.as_deref())?;
    let door = policy.query.door(&args.door)?;
    let zone = policy.query.zone_of(door);
    let issued = resolve("--at", args.at.as_ref(), zone)?;
    let query = &policy.query;
    let capacity = query
        .policy
        .doors
        .get(door.index())
        .and_then(|d| d.capacity);
    let door_view = query.door_view(door);
    let answer = match policy.lock_image(door, issued) {
        Ok(built) => {
            atomic::write(&args.output, &built.bytes, IMAGE_MODE, Existing::Replace)?;
            let summary = SummaryView::new(&built.contents.summary(), zone);
            Built::written(door_view, display(&args.output), capacity, summary)
        }
        Err(OfflineError::Build(error)) => Built::refused(door_view, capacity, refusal(error)?),
        Err(error) => return Err(error.into()),
    };
    match args.format.value {
        Format::Human => console.out.write_all(answer.human().as_bytes())?,
        Format::Json => console.out.write_all(&json::document(&answer))?,
    }
    Ok(Exit::answer(answer.built))
}

/// A build error that is a negative answer (the door's memory is too small), or the
/// error that stops the command.
fn refusal(error: BuildError) -> Result<Refusal, OfflineError> {
    let message = error.to_string();
    match error {
        BuildError::OverCapacity { entries, .. } => Ok(Refusal {
            refusal: "over_capacity",
            message,
            count: entries,
        }),
        BuildError::TooLarge { count, .. } => Ok(Refusal {
            refusal: "too_large",
            message,
            count,
        }),
        other => Err(OfflineError::Build(other)),
    }
}

/// Why no image was written.
#[derive(Serialize)]
struct Refusal {
    refusal: &'static str,
    message: String,
    count: usize,
}

/// What `lock image` did (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Built {
    version: u32,
    built: bool,
    door: DoorView,
    file: Option<String>,
    capacity: Option<u32>,
    image: Option<SummaryView>,
    #[serde(flatten)]
    refusal: Option<Refusal>,
}

impl Built {
    fn written(door: DoorView, file: String, capacity: Option<u32>, image: SummaryView) -> Built {
        Built {
            version: SCHEMA_VERSION,
            built: true,
            door,
            file: Some(file),
            capacity,
            image: Some(image),
            refusal: None,
        }
    }

    fn refused(door: DoorView, capacity: Option<u32>, refusal: Refusal) -> Built {
        Built {
            version: SCHEMA_VERSION,
            built: false,
            door,
            file: None,
            capacity,
            image: None,
            refusal: Some(refusal),
        }
    }

    fn human(&self) -> String {
        let (Some(file), Some(image)) = (&self.file, &self.image) else {
            let message = self.refusal.as_ref().map_or("", |r| r.message.as_str());
            return format!(
                "refused: {message}; no image written\n  door:  {}\n",
                self.door
            );
        };
        let capacity = self
            .capacity
            .map_or(String::new(), |c| format!(" of a capacity of {c}"));
        let mut out = format!(
            "wrote {file}: {} bytes, the lock image of door {}\n",
            image.bytes, self.door
        );
        out += &format!("  entries:  {}{capacity}\n", image.counts.entries_line());
        out += &image.human_body();
        out
    }
}

/// Runs `lock push`: builds the image as `lock image` does and sends it to the lock's
/// PD by file transfer; exit 0 when the lock confirms it, 1 when it refuses it or does
/// not confirm it in time.
fn push(args: &LockPushArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let policy = OfflinePolicy::load(&args.policy.path, args.store.keystore.as_deref())?;
    let door = policy.query.door(&args.door)?;
    let zone = policy.query.zone_of(door);
    let issued = resolve("--at", args.at.as_ref(), zone)?;
    let image = policy.lock_image(door, issued)?.bytes;
    let channel = commands_channel(args.channel);
    let scbk = match channel {
        Channel::Clear => None,
        _ => Some(door_scbk(&policy, door)?),
    };
    let security = match (channel, scbk.clone()) {
        (Channel::Secure, Some(key)) => Security::Secure(key),
        (Channel::Install, _) => Security::Install,
        _ => Security::Clear,
    };
    let setup = PdSetup {
        address: args.address,
        security,
    };
    let entropy = os_entropy().map_err(CliError::Output)?;
    let panel = ControlPanel::new(vec![setup], Timing::default(), entropy)
        .map_err(ControllerError::from)?;
    let transport = transport::open(&args.bus).map_err(ControllerError::from)?;
    let mut bus = ControlPanelBus::new(panel, transport);
    let human = args.format.value == Format::Human;
    if human {
        let line = format!(
            "sending the lock image of door {} ({} bytes) to PD {} on {}\n",
            policy.query.door_view(door),
            image.len(),
            args.address.value(),
            args.bus
        );
        console.out.write_all(line.as_bytes())?;
        console.out.flush()?;
    }
    let install_key = scbk.filter(|_| channel == Channel::Install);
    let timeout = Duration::from_secs(args.timeout);
    let out = &mut console.out;
    let outcome = push_image(
        &mut bus,
        args.address,
        install_key,
        &image,
        timeout,
        &mut |step| {
            if human {
                // A closed output shows on the final write below.
                let _ = out.write_all(push_step_line(&step).as_bytes());
                let _ = out.flush();
            }
        },
    )?;
    let answer = PushAnswer {
        version: SCHEMA_VERSION,
        pushed: outcome == Pushed::Confirmed,
        door: policy.query.door_view(door),
        address: args.address.value(),
        bus: args.bus.to_string(),
        bytes: image.len(),
        reason: match &outcome {
            Pushed::Confirmed => None,
            Pushed::Failed(reason) => Some(reason.clone()),
        },
    };
    match args.format.value {
        Format::Human => console.out.write_all(answer.human().as_bytes())?,
        Format::Json => console.out.write_all(&json::document(&answer))?,
    }
    Ok(Exit::answer(answer.pushed))
}

/// One line of a push's progress.
fn push_step_line(step: &PushStep) -> String {
    match step {
        PushStep::Online { secure: true } => "  PD online (secure channel)\n".to_owned(),
        PushStep::Online { secure: false } => "  PD online (clear)\n".to_owned(),
        PushStep::KeySet => "  PD given its own secure channel key\n".to_owned(),
        PushStep::Progress { sent, total } => format!("  {sent}/{total} bytes\n"),
        PushStep::Offline => "  PD offline; the image is sent again when it is back\n".to_owned(),
    }
}

/// What `lock push` did (schema in `docs/cli.md`).
#[derive(Serialize)]
struct PushAnswer {
    version: u32,
    pushed: bool,
    door: DoorView,
    address: u8,
    bus: String,
    bytes: usize,
    reason: Option<String>,
}

impl PushAnswer {
    fn human(&self) -> String {
        match &self.reason {
            None => format!(
                "confirmed: the lock of door {} holds the new image\n",
                self.door
            ),
            Some(reason) => format!("not confirmed: {reason}\n"),
        }
    }
}

/// Runs `lock inspect`.
fn inspect(args: &LockInspectArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let bytes = read_image(&args.file)?;
    let image = UnverifiedImage::read(&bytes).map_err(|source| OfflineError::LockImage {
        path: display(&args.file),
        source,
    })?;
    let (zone, authentic) = match &args.policy {
        Some(path) => {
            let (zone, authentic) = authenticate(path, args, &image)?;
            (zone, Some(authentic))
        }
        None => (chrono_tz::UTC, None),
    };
    let answer = Inspected {
        version: SCHEMA_VERSION,
        file: display(&args.file),
        image: SummaryView::new(&image.summary(), zone),
        authentic,
    };
    match args.format.value {
        Format::Human => console.out.write_all(answer.human().as_bytes())?,
        Format::Json => console.out.write_all(&json::document(&answer))?,
    }
    Ok(Exit::answer(authentic != Some(false)))
}

/// The zone of the image's door and whether the image is authentic under its key.
fn authenticate(
    path: &Path,
    args: &LockInspectArgs,
    image: &UnverifiedImage<'_>,
) -> Result<(Tz, bool), CliError> {
    let policy = OfflinePolicy::load(path, args.store.keystore.as_deref())?;
    let door = policy.query.door(&image.contents().door)?;
    let key = lock_key(&policy.door_key(door)?, policy.door_name(door));
    Ok((policy.query.zone_of(door), image.is_authentic(&key)))
}

/// What `lock inspect` shows (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Inspected {
    version: u32,
    file: String,
    image: SummaryView,
    authentic: Option<bool>,
}

impl Inspected {
    fn human(&self) -> String {
        let image = &self.image;
        let mut out = format!(
            "{}: lock image of door {}, layout version {}, {} bytes\n",
            self.file, image.door, image.layout_version, image.bytes
        );
        out += &format!("  entries:  {}\n", image.counts.entries_line());
        out += &image.human_body();
        out += match self.authentic {
            Some(true) => "  authentic: yes (its tag matches the lock key from the key store)\n",
            Some(false) => {
                "  authentic: NO (its tag does not match the lock key from the key store)\n"
            }
            None => "  authentic: not checked (give --policy to check it with the key store)\n",
        };
        out
    }
}

/// An image's header and counts, without digests or keys.
#[derive(Serialize)]
struct SummaryView {
    layout_version: u8,
    door: String,
    bytes: usize,
    issued: String,
    horizon: String,
    issued_utc: String,
    horizon_utc: String,
    timezone: &'static str,
    readers: Vec<&'static str>,
    required: Vec<&'static str>,
    utc_offset_seconds: i32,
    offset_changes: usize,
    door_schedule: bool,
    counts: Counts,
}

/// How many of each thing an image holds.
#[derive(Serialize)]
struct Counts {
    entries: usize,
    space_codes: usize,
    credentials: usize,
    revocations: usize,
    holders: usize,
    rules: usize,
    schedules: usize,
    calendars: usize,
    holidays: usize,
}

impl Counts {
    /// `3 (1 space code, 2 credentials, 0 revocations)`.
    fn entries_line(&self) -> String {
        format!(
            "{} ({}, {}, {})",
            self.entries,
            plural(self.space_codes, "space code"),
            plural(self.credentials, "credential"),
            plural(self.revocations, "revocation")
        )
    }
}

impl SummaryView {
    fn new(summary: &ImageSummary, zone: Tz) -> SummaryView {
        SummaryView {
            layout_version: summary.layout_version,
            door: summary.door.clone(),
            bytes: summary.bytes,
            issued: instant::show(summary.issued, zone),
            horizon: instant::show(summary.horizon, zone),
            issued_utc: utc(summary.issued),
            horizon_utc: utc(summary.horizon),
            timezone: zone.name(),
            readers: mode_names(summary.readers),
            required: mode_names(summary.required),
            utc_offset_seconds: summary.base_offset,
            offset_changes: summary.transitions.len(),
            door_schedule: summary.door_schedule,
            counts: Counts {
                entries: summary.entries,
                space_codes: summary.space_codes,
                credentials: summary.credentials,
                revocations: summary.revocations,
                holders: summary.holders,
                rules: summary.rules,
                schedules: summary.schedules,
                calendars: summary.calendars,
                holidays: summary.holidays,
            },
        }
    }

    /// The lines after the entries.
    fn human_body(&self) -> String {
        let c = &self.counts;
        let mut out = format!("  issued:   {} ({})\n", self.issued, self.timezone);
        out += &format!("  horizon:  {}\n", self.horizon);
        out += &format!(
            "  holders:  {}, {}, {}, {}\n",
            c.holders,
            plural(c.rules, "access rule"),
            plural(c.schedules, "schedule"),
            plural(c.calendars, "holiday calendar")
        );
        let readers = if self.readers.is_empty() {
            "none".to_owned()
        } else {
            self.readers.join(" ")
        };
        out += &format!("  readers:  {readers}");
        if !self.required.is_empty() {
            out += &format!(" (requires {})", self.required.join(" + "));
        }
        out += "\n";
        out += &format!(
            "  offsets:  UTC{} at issue, {} before the horizon\n",
            offset_text(self.utc_offset_seconds),
            plural(self.offset_changes, "change")
        );
        out
    }
}

/// `+01:00`.
fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}
