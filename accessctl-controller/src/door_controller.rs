//! The controller's loop: the policy, the bound doors, the OSDP bus and the journal.
//!
//! Owns [`Controller`]: starting the control panel with one PD per bound door (its
//! secure channel key derived from the key store, install mode or clear text only when
//! asked), turning each [`ControlPanelEvent`] into verdicts, submitted commands,
//! journal events and [`Report`]s (a PD's faults as `reader_fault`, a lock's audit
//! records only once [`lock_audit`] believes them), ending waits (PIN entries, second
//! factors), and
//! following the policy files: an edit that validates replaces the policy in force and
//! pushes the memory image of every bound offline lock by file transfer; one that does
//! not is reported and the previous policy stays. It must never decide (the pure
//! [`DoorReader`] asks the core), print (callers render the reports), or show a key.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use accessctl_core::offline::code::door_code_key;
use accessctl_core::secret::Key;
use accessctl_devices::osdp::control_panel::{
    ControlPanel, ControlPanelBus, ControlPanelEvent, Entropy, PdFault, PdSetup, PdStatus,
    Security, Timing,
};
use accessctl_devices::osdp::{Address, Command, FileType, KeySet, Reply};
use accessctl_devices::transport::{Transport, TransportError};

use crate::audit::{
    lock_audit, AuditChannel, AuditSource, SentImage, SentImages, SENT_IMAGES_KEPT,
};
use crate::clock::WallClock;
use crate::door::{DoorBinding, DoorContext};
use crate::error::ControllerError;
use crate::guard::KeypadGuard;
use crate::journal::{Event, EventKind, Journal};
use crate::load::display;
use crate::offline::{utc, OfflinePolicy};
use crate::policy_error::PolicyError;
use crate::presence::PresenceStore;
use crate::read;
use crate::reader::{DoorReader, Now};
use crate::report::{power_words, tamper_words, Diagnosed, Report};
use crate::scbk::door_scbk;
use crate::verdict::Verdict;
use crate::watch::PolicyWatch;

/// The file type of a lock image sent by `osdp_FILETRANSFER`: opaque (1), the image's
/// own header says what it is.
pub const IMAGE_FILE_TYPE: FileType = FileType::OPAQUE;

/// How the controller talks to its PDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A secure channel with each door's own key, derived from the key store.
    Secure,
    /// A secure channel opened with the install key SCBK-D, then each PD given its own
    /// key by `osdp_KEYSET`.
    Install,
    /// Clear text, no secure channel.
    Clear,
}

impl Channel {
    /// `secure`, `install` or `clear`.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Secure => "secure",
            Channel::Install => "install",
            Channel::Clear => "clear",
        }
    }
}

/// What a controller is started with.
#[derive(Debug, Clone)]
pub struct ControllerSetup {
    /// The policy's PATH (a file or a directory), watched for edits.
    pub policy: PathBuf,
    /// The key store for every site, instead of the ones the policy names.
    pub keystore: Option<PathBuf>,
    /// The doors served, each with its PD's address.
    pub doors: Vec<DoorBinding>,
    /// Secure channel, install mode or clear text.
    pub channel: Channel,
    /// The control panel's timing.
    pub timing: Timing,
    /// The wall clock decisions are taken at.
    pub clock: WallClock,
}

/// One bound door.
#[derive(Debug)]
struct Bound {
    binding: DoorBinding,
    reader: DoorReader,
    /// The lock image must be sent when the PD is online and free.
    image_due: bool,
    /// A lock image is on its way.
    sending: bool,
    /// The last quarter of an image reported.
    quarter: usize,
    /// In install mode, the PD has been sent its own key.
    keyed: bool,
    /// The images last sent, to check the lock's audit records by.
    sent_images: SentImages,
}

/// A door controller running on one bus.
pub struct Controller {
    setup: ControllerSetup,
    policy: OfflinePolicy,
    doors: Vec<Bound>,
    bus: ControlPanelBus,
    journal: Journal,
    /// Who is inside the anti-passback zones; `None`: the journal's database.
    presence: Option<Box<dyn PresenceStore + Send>>,
    watch: PolicyWatch,
    /// The bus failed and waits for [`Controller::reconnect`].
    lost: bool,
}

impl std::fmt::Debug for Controller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controller")
            .field("policy", &self.setup.policy)
            .field("doors", &self.doors)
            .field("bus", &self.bus)
            .finish_non_exhaustive()
    }
}

impl Controller {
    /// Loads the policy and binds the doors, then opens the bus with `connect` (which
    /// may wait for a peer) and starts the control panel on it, every PD from sequence
    /// 0; events go to `journal`. `entropy` fills the secure channel's random numbers
    /// (see [`os_entropy`]). A policy or binding that will not do is refused before
    /// the bus is opened.
    pub fn new(
        setup: ControllerSetup,
        journal: Journal,
        entropy: Entropy,
        connect: impl FnOnce() -> Result<Box<dyn Transport>, TransportError>,
    ) -> Result<Controller, ControllerError> {
        let policy = OfflinePolicy::load(&setup.policy, setup.keystore.as_deref())?;
        check_bindings(&setup.doors)?;
        let mut doors = Vec::with_capacity(setup.doors.len());
        let mut pds = Vec::with_capacity(setup.doors.len());
        for binding in &setup.doors {
            let context = resolve(&policy, &binding.door)?;
            let security = match setup.channel {
                Channel::Secure => {
                    Security::Secure(door_scbk(&policy, context.id).map_err(PolicyError::from)?)
                }
                Channel::Install => Security::Install,
                Channel::Clear => Security::Clear,
            };
            pds.push(PdSetup {
                address: binding.address,
                security,
            });
            let guard = restore_guard(&journal, &policy, &context)?;
            doors.push(Bound {
                image_due: context.offline_lock,
                binding: binding.clone(),
                reader: DoorReader::guarded(context, guard),
                sending: false,
                quarter: 0,
                keyed: false,
                sent_images: SentImages::restored(
                    &journal
                        .sent_images(&binding.door)
                        .map_err(ControllerError::from)?,
                ),
            });
        }
        let panel = ControlPanel::new(pds, setup.timing, entropy).map_err(ControllerError::from)?;
        let transport = connect().map_err(ControllerError::from)?;
        let watch = PolicyWatch::new(&setup.policy, std::time::Instant::now());
        Ok(Controller {
            bus: ControlPanelBus::new(panel, transport),
            setup,
            policy,
            doors,
            journal,
            presence: None,
            watch,
            lost: false,
        })
    }

    /// The report that the controller started, with its bus named `bus`.
    pub fn started(&self, bus: &str) -> Report {
        Report::Started {
            at: utc(self.now().wall),
            bus: bus.to_owned(),
            doors: self.setup.doors.iter().map(ToString::to_string).collect(),
            channel: self.setup.channel.name(),
        }
    }

    /// Runs the bus until something happens or `max_wait` passed (less when a wait
    /// ends or the policy files are due a look); returns what happened.
    pub fn step(&mut self, max_wait: Duration) -> Result<Vec<Report>, ControllerError> {
        let wait = self.wait_bound(max_wait);
        if self.lost {
            return Err(ControllerError::BusLost);
        }
        let mut reports = Vec::new();
        let events = match self.bus.step(wait) {
            Ok(events) => events,
            Err(error) => {
                self.line_lost(&error, &mut reports)?;
                return Ok(reports);
            }
        };
        let now = self.now();
        for event in events {
            self.on_event(event, now, &mut reports)?;
        }
        for index in 0..self.doors.len() {
            let presence: &mut dyn PresenceStore = match self.presence.as_mut() {
                Some(store) => store.as_mut(),
                None => &mut self.journal,
            };
            let verdicts = match self.doors.get_mut(index) {
                Some(door) => door.reader.tick(&self.policy.query, now, presence),
                None => Vec::new(),
            };
            self.carry_out(index, verdicts, now, &mut reports)?;
        }
        if self.watch.changed(now.mono) {
            self.reload_at(now, &mut reports)?;
        }
        Ok(reports)
    }

    /// Reloads the policy now, as after an edit of its files.
    pub fn reload(&mut self) -> Result<Vec<Report>, ControllerError> {
        let mut reports = Vec::new();
        self.reload_at(self.now(), &mut reports)?;
        Ok(reports)
    }

    /// The policy in force.
    pub fn policy(&self) -> &OfflinePolicy {
        &self.policy
    }

    /// The event journal.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// Keeps who is inside the anti-passback zones in `store` (a zone's shared store,
    /// for zones spanning several controllers) instead of the journal's database.
    pub fn set_presence(&mut self, store: Box<dyn PresenceStore + Send>) {
        self.presence = Some(store);
    }

    /// Where the PD of the door named `door` stands.
    pub fn status(&mut self, door: &str) -> Option<PdStatus> {
        let address = self
            .doors
            .iter()
            .find(|d| d.binding.door == door)?
            .binding
            .address;
        self.bus.panel_mut().status(address)
    }

    /// Takes decisions at `clock` from now on (a demo's scripted day).
    pub fn set_clock(&mut self, clock: WallClock) {
        self.setup.clock = clock;
    }

    /// The time zone of the first bound door's site, where a written instant without
    /// an offset is read.
    pub fn zone(&self) -> chrono_tz::Tz {
        match self.doors.first() {
            Some(door) => self.policy.query.zone_of(door.reader.door().id),
            None => chrono_tz::UTC,
        }
    }

    /// Both clocks, now.
    pub fn now(&self) -> Now {
        self.setup.clock.now()
    }

    fn wait_bound(&self, max_wait: Duration) -> Duration {
        let now = std::time::Instant::now();
        self.doors
            .iter()
            .filter_map(|d| d.reader.next_deadline())
            .chain(std::iter::once(self.watch.next_look()))
            .map(|due| due.saturating_duration_since(now))
            .fold(max_wait, Duration::min)
    }

    /// Whether the bus failed and waits for [`Controller::reconnect`].
    pub fn bus_lost(&self) -> bool {
        self.lost
    }

    /// Carries on over `transport`, the bus opened again after it failed; the PDs
    /// come back online (and are journaled so) as they answer.
    pub fn reconnect(&mut self, transport: Box<dyn Transport>) -> Report {
        self.bus.replace_transport(transport);
        self.lost = false;
        Report::BusBack {
            at: utc(self.now().wall),
            bus: self.bus.transport_name().to_owned(),
        }
    }

    /// The bus failed: every PD on it goes offline at once, journaled as when one
    /// stops answering, and the controller waits for [`Controller::reconnect`].
    fn line_lost(
        &mut self,
        error: &TransportError,
        reports: &mut Vec<Report>,
    ) -> Result<(), ControllerError> {
        let now = self.now();
        self.lost = true;
        reports.push(Report::BusLost {
            at: utc(now.wall),
            bus: error.connection().to_owned(),
            problem: error.problem(),
        });
        self.bus.panel_mut().line_lost(now.mono);
        let events: Vec<_> = std::iter::from_fn(|| self.bus.panel_mut().next_event()).collect();
        for event in events {
            self.on_event(event, now, reports)?;
        }
        Ok(())
    }

    fn door_at(&self, address: Address) -> Option<usize> {
        self.doors.iter().position(|d| d.binding.address == address)
    }

    fn on_event(
        &mut self,
        event: ControlPanelEvent,
        now: Now,
        reports: &mut Vec<Report>,
    ) -> Result<(), ControllerError> {
        let address = event_address(&event);
        let Some(index) = self.door_at(address) else {
            return Ok(());
        };
        let query = &self.policy.query;
        let presence: &mut dyn PresenceStore = match self.presence.as_mut() {
            Some(store) => store.as_mut(),
            None => &mut self.journal,
        };
        let verdicts = match (&event, self.doors.get_mut(index)) {
            (ControlPanelEvent::Card { card, .. }, Some(door)) => {
                let read = read::raw_card(card, &door.reader.door().formats);
                door.reader.card(query, card.reader, &read, now, presence)
            }
            (ControlPanelEvent::FormattedCard { card, .. }, Some(door)) => {
                let read = read::formatted_card(card);
                door.reader.card(query, card.reader, &read, now, presence)
            }
            (ControlPanelEvent::Keypad { keypad, .. }, Some(door)) => {
                door.reader
                    .keys(query, keypad.reader, &keypad.digits, now, presence)
            }
            _ => return self.on_bus_event(index, event, now, reports),
        };
        self.carry_out(index, verdicts, now, reports)
    }

    /// Events other than reads: presence, tamper, power, refusals, file transfer.
    fn on_bus_event(
        &mut self,
        index: usize,
        event: ControlPanelEvent,
        now: Now,
        reports: &mut Vec<Report>,
    ) -> Result<(), ControllerError> {
        let at = utc(now.wall);
        let Some(door) = self.doors.get_mut(index) else {
            return Ok(());
        };
        let name = door.binding.door.clone();
        let address = door.binding.address;
        match event {
            ControlPanelEvent::Online { secure, .. } => {
                door.sending = false;
                self.log(index, EventKind::ReaderOnline, None, now, reports);
                reports.push(Report::ReaderOnline {
                    at: at.clone(),
                    door: name.clone(),
                    address: address.value(),
                    secure,
                });
                self.install_key(index, secure, now, reports)?;
                self.push_if_due(index, now, reports);
            }
            ControlPanelEvent::Offline { .. } => {
                if door.sending {
                    door.sending = false;
                    door.image_due = true;
                }
                self.log(index, EventKind::ReaderOffline, None, now, reports);
                reports.push(Report::ReaderOffline {
                    at,
                    door: name,
                    address: address.value(),
                });
            }
            ControlPanelEvent::Tamper { tamper, .. } => {
                let detail = tamper_words(tamper);
                self.log(index, EventKind::Tamper, Some(detail), now, reports);
                reports.push(Report::Tamper {
                    at,
                    door: name,
                    tamper,
                });
            }
            ControlPanelEvent::Power { failure, .. } => {
                let detail = power_words(failure);
                self.log(index, EventKind::Power, Some(detail), now, reports);
                reports.push(Report::Power {
                    at,
                    door: name,
                    failure,
                });
            }
            ControlPanelEvent::Nak { command, nak, .. } => {
                reports.push(Report::Nak {
                    at,
                    door: name,
                    command,
                    nak: nak_text(&nak),
                });
            }
            ControlPanelEvent::FileProgress { sent, total, .. } => {
                let quarter = sent.saturating_mul(4) / total.max(1);
                if quarter > door.quarter && sent < total {
                    door.quarter = quarter;
                    reports.push(Report::ImageProgress {
                        at,
                        door: name,
                        sent,
                        total,
                    });
                }
            }
            ControlPanelEvent::FileSent { .. } => {
                door.sending = false;
                reports.push(Report::ImagePushed { at, door: name });
                self.push_if_due(index, now, reports);
            }
            ControlPanelEvent::FileFailed { reason, .. } => {
                door.sending = false;
                reports.push(Report::ImageFailed {
                    at,
                    door: name,
                    reason,
                });
                self.push_if_due(index, now, reports);
            }
            ControlPanelEvent::Reply {
                reply: Reply::MfgRep(upload),
                ..
            } => self.audit(index, &upload, now, reports),
            ControlPanelEvent::Fault { fault, .. } => self.reader_fault(index, fault, now, reports),
            _ => {}
        }
        Ok(())
    }

    /// Checks a lock's audit record, then journals the decision it says the lock took
    /// alone, or its refusal.
    fn audit(
        &mut self,
        index: usize,
        upload: &accessctl_devices::osdp::Manufacturer,
        now: Now,
        reports: &mut Vec<Report>,
    ) {
        let Some(door) = self.doors.get(index) else {
            return;
        };
        let address = door.binding.address;
        let secure = matches!(
            self.bus.panel_mut().status(address),
            Some(PdStatus::Online { secure: true })
        );
        let channel = match (self.setup.channel, secure) {
            (Channel::Clear, _) => AuditChannel::Keyless,
            (Channel::Install, _) => AuditChannel::InstallKey,
            (Channel::Secure, true) => AuditChannel::OwnKey,
            (Channel::Secure, false) => AuditChannel::Clear,
        };
        let source = AuditSource {
            door: door.reader.door(),
            address,
            channel,
            images: &door.sent_images,
            now: now.wall,
        };
        if let Some((event, report)) = lock_audit(upload, &source) {
            self.record(&event, now, reports);
            reports.push(report);
        }
    }

    /// Journals and reports a PD that cannot be brought online, or a report refused.
    fn reader_fault(&mut self, index: usize, fault: PdFault, now: Now, reports: &mut Vec<Report>) {
        let Some(door) = self.doors.get(index) else {
            return;
        };
        let (name, address) = (door.binding.door.clone(), door.binding.address.value());
        let detail = format!("{fault} (address {address})");
        self.log(index, EventKind::ReaderFault, Some(&detail), now, reports);
        reports.push(Report::ReaderFault {
            at: utc(now.wall),
            door: name,
            address,
            cause: fault.code(),
            detail: fault.to_string(),
        });
    }

    /// In install mode, gives a PD whose install-key channel just opened its own key.
    fn install_key(
        &mut self,
        index: usize,
        secure: bool,
        now: Now,
        reports: &mut Vec<Report>,
    ) -> Result<(), ControllerError> {
        let Some(door) = self.doors.get_mut(index) else {
            return Ok(());
        };
        if self.setup.channel != Channel::Install || !secure || door.keyed {
            return Ok(());
        }
        let Ok(scbk) = door_scbk(&self.policy, door.reader.door().id) else {
            return Ok(());
        };
        door.keyed = true;
        let name = door.binding.door.clone();
        self.bus
            .panel_mut()
            .submit(door.binding.address, Command::KeySet(KeySet::scbk(scbk)))?;
        reports.push(Report::KeySet {
            at: utc(now.wall),
            door: name,
        });
        Ok(())
    }

    /// Submits a verdict's commands, journals its event and reports it.
    fn carry_out(
        &mut self,
        index: usize,
        verdicts: Vec<Verdict>,
        now: Now,
        reports: &mut Vec<Report>,
    ) -> Result<(), ControllerError> {
        let Some(door) = self.doors.get(index) else {
            return Ok(());
        };
        let address = door.binding.address;
        let (site, name) = (
            door.reader.door().site.clone(),
            door.reader.door().name.clone(),
        );
        for verdict in verdicts {
            for command in &verdict.commands {
                self.bus.panel_mut().submit(address, command.clone())?;
            }
            if let Some(event) = &verdict.event {
                self.record(event, now, reports);
            }
            reports.push(Report::of_verdict(&verdict, &site, &name, now.wall));
        }
        self.keep_keypad_memory(index, now, reports);
        Ok(())
    }

    /// Keeps the door's keypad memory in the journal when it changed, so that a
    /// restart forgives no wrong entry and forgets no used code.
    fn keep_keypad_memory(&mut self, index: usize, now: Now, reports: &mut Vec<Report>) {
        let Some(door) = self.doors.get_mut(index) else {
            return;
        };
        let Some(memory) = door.reader.keypad_memory_due() else {
            return;
        };
        let name = door.reader.door().name.clone();
        if let Err(error) = self.journal.keep_keypad_memory(&name, &memory) {
            reports.push(Report::JournalFailed {
                at: utc(now.wall),
                message: error.to_string(),
            });
        }
    }

    /// Journals a door event of `kind`.
    fn log(
        &mut self,
        index: usize,
        kind: EventKind,
        detail: Option<&str>,
        now: Now,
        reports: &mut Vec<Report>,
    ) {
        let Some(door) = self.doors.get(index) else {
            return;
        };
        let context = door.reader.door();
        let event = Event {
            detail: detail.map(str::to_owned),
            ..Event::new(now.wall.0, &context.site, &context.name, kind)
        };
        self.record(&event, now, reports);
    }

    fn record(&mut self, event: &Event, now: Now, reports: &mut Vec<Report>) {
        if let Err(error) = self.journal.record(event) {
            reports.push(Report::JournalFailed {
                at: utc(now.wall),
                message: error.to_string(),
            });
        }
    }

    /// Loads the policy again; on success it replaces the one in force and every
    /// bound offline lock is due its new image.
    fn reload_at(&mut self, now: Now, reports: &mut Vec<Report>) -> Result<(), ControllerError> {
        let at = utc(now.wall);
        let path = display(&self.setup.policy);
        let loaded = OfflinePolicy::load(&self.setup.policy, self.setup.keystore.as_deref())
            .and_then(|policy| {
                let contexts = self
                    .doors
                    .iter()
                    .map(|d| resolve(&policy, &d.binding.door))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((policy, contexts))
            });
        let (policy, contexts) = match loaded {
            Ok(loaded) => loaded,
            Err(error) => {
                reports.push(refused(at, path, &error));
                return Ok(());
            }
        };
        self.policy = policy;
        for (door, context) in self.doors.iter_mut().zip(contexts) {
            door.image_due = context.offline_lock;
            let code_key = code_key(&self.policy, &context);
            door.reader.set_door(context, code_key);
        }
        reports.push(Report::PolicyReloaded { at, path });
        for index in 0..self.doors.len() {
            self.push_if_due(index, now, reports);
        }
        Ok(())
    }

    /// Sends the door's lock image if one is due, its PD is online and no transfer to
    /// it is under way.
    fn push_if_due(&mut self, index: usize, now: Now, reports: &mut Vec<Report>) {
        let Some(door) = self.doors.get(index) else {
            return;
        };
        let address = door.binding.address;
        let online = matches!(
            self.bus.panel_mut().status(address),
            Some(PdStatus::Online { .. })
        );
        if !door.image_due || door.sending || !online {
            return;
        }
        let (id, name) = (door.reader.door().id, door.binding.door.clone());
        let at = utc(now.wall);
        let built = self.policy.lock_image(id, now.wall);
        let Some(door) = self.doors.get_mut(index) else {
            return;
        };
        door.image_due = false;
        let image = match built {
            Ok(built) => {
                let policy = &self.policy.query.policy;
                let sent = SentImage::new(built.contents.issued, &built.map, policy);
                let kept = serde_json::to_string(&sent).unwrap_or_default();
                let issued = sent.issued.0;
                door.sent_images.push(sent);
                let keep = self
                    .journal
                    .keep_sent_image(&name, issued, &kept, SENT_IMAGES_KEPT);
                if let Err(error) = keep {
                    reports.push(Report::JournalFailed {
                        at: at.clone(),
                        message: error.to_string(),
                    });
                }
                built.bytes
            }
            Err(error) => {
                reports.push(Report::ImageFailed {
                    at,
                    door: name,
                    reason: error.to_string(),
                });
                return;
            }
        };
        let bytes = image.len();
        match self
            .bus
            .panel_mut()
            .send_file(address, IMAGE_FILE_TYPE, image)
        {
            Ok(()) => {
                door.sending = true;
                door.quarter = 0;
                reports.push(Report::ImagePush {
                    at,
                    door: name,
                    bytes,
                });
            }
            Err(error) => reports.push(Report::ImageFailed {
                at,
                door: name,
                reason: error.to_string(),
            }),
        }
    }
}

/// The offline-code key of `door`, when its key store gives one.
fn code_key(policy: &OfflinePolicy, door: &DoorContext) -> Option<Key> {
    let root = policy.door_key(door.id).ok()?;
    Some(door_code_key(&root, &door.name))
}

/// The guard of `door`'s keypads as the journal kept it (fresh if it kept none).
fn restore_guard(
    journal: &Journal,
    policy: &OfflinePolicy,
    door: &DoorContext,
) -> Result<KeypadGuard, ControllerError> {
    let code_key = code_key(policy, door);
    match journal.keypad_memory(&door.name)? {
        None => Ok(KeypadGuard::new(code_key)),
        Some(memory) => KeypadGuard::restored(code_key, &memory).map_err(|error| {
            ControllerError::KeypadMemory {
                door: door.name.clone(),
                problem: error.to_string(),
            }
        }),
    }
}

/// Refuses bindings that name a door or an address twice.
fn check_bindings(bindings: &[DoorBinding]) -> Result<(), ControllerError> {
    for (i, binding) in bindings.iter().enumerate() {
        let earlier = bindings.iter().take(i);
        let problem = earlier.clone().find_map(|other| {
            if other.door == binding.door {
                Some("the door is bound twice")
            } else if other.address == binding.address {
                Some("another door has this address")
            } else {
                None
            }
        });
        if let Some(problem) = problem {
            return Err(ControllerError::Binding {
                binding: binding.to_string(),
                problem,
            });
        }
    }
    Ok(())
}

/// The door named `name` in `policy`.
fn resolve(policy: &OfflinePolicy, name: &str) -> Result<DoorContext, PolicyError> {
    let id = policy.query.door(name)?;
    let name = policy.door_name(id);
    DoorContext::resolve(&policy.query.policy, name).ok_or_else(|| PolicyError::UnknownName {
        kind: "door",
        name: name.to_owned(),
        suggestion: None,
    })
}

/// The report of a policy that could not replace the one in force.
fn refused(at: String, path: String, error: &PolicyError) -> Report {
    let diagnosed = match error {
        PolicyError::InvalidPolicy {
            sources,
            diagnostics,
            ..
        } => Some(std::sync::Arc::new(Diagnosed {
            sources: (**sources).clone(),
            diagnostics: diagnostics.clone(),
        })),
        _ => None,
    };
    Report::PolicyRefused {
        at,
        path,
        message: error.to_string(),
        diagnosed,
    }
}

/// A NAK's reason in words.
pub(crate) fn nak_text(nak: &accessctl_devices::osdp::Nak) -> String {
    match nak.code.name() {
        Some(name) => name.to_owned(),
        None => format!("error code {:#04x}", nak.code.0),
    }
}

/// The PD address an event is about.
fn event_address(event: &ControlPanelEvent) -> Address {
    match event {
        ControlPanelEvent::Online { address, .. }
        | ControlPanelEvent::Offline { address }
        | ControlPanelEvent::Card { address, .. }
        | ControlPanelEvent::FormattedCard { address, .. }
        | ControlPanelEvent::Keypad { address, .. }
        | ControlPanelEvent::Tamper { address, .. }
        | ControlPanelEvent::Power { address, .. }
        | ControlPanelEvent::Nak { address, .. }
        | ControlPanelEvent::FileProgress { address, .. }
        | ControlPanelEvent::FileSent { address }
        | ControlPanelEvent::FileFailed { address, .. }
        | ControlPanelEvent::Fault { address, .. }
        | ControlPanelEvent::Reply { address, .. } => *address,
    }
}

/// Random bytes from the operating system (`/dev/urandom`), for the secure channel's
/// challenges; fails when the source cannot be opened.
pub fn os_entropy() -> std::io::Result<Entropy> {
    let mut source = File::open(Path::new("/dev/urandom"))?;
    Ok(Box::new(move |buf: &mut [u8]| {
        // /dev/urandom does not run dry; should a read fail, the handshake's
        // cryptograms will not match and the channel stays closed.
        if source.read_exact(buf).is_err() {
            buf.fill(0);
        }
    }))
}
