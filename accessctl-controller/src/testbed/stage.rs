//! The demo's stage: a site set up on this machine and its day played out.
//!
//! Owns [`Stage`]: putting together what [`setup`](super::setup) builds (two door
//! controllers on TCP buses on loopback sharing one journal — the readers' and the
//! offline lock's —, the simulated devices on their threads), the loop that runs the
//! controllers while waiting for what a step brings, and each step's [`Played`]
//! outcome. Every decision is the controller's (the core's engine) or the lock's (the
//! core's offline evaluator); the stage only watches. The controllers' clocks are
//! frozen at each step's minute, so the day reads the same every run.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant as Monotonic};

use accessctl_core::offline::{ImageMap, KeypadOutcome, LockHolder};
use accessctl_core::Timestamp;
use accessctl_devices::osdp::Address;
use accessctl_devices::sim::{
    AloneDecision, ControlPanelResponse, LockEvent, LockOutcome, Presentation, ReaderEvent,
};
use accessctl_devices::transport::TcpTransport;
use chrono_tz::Tz;
use tempfile::TempDir;

use super::devices::{start_lock, start_readers, DeviceThread, News, Order};
use super::played::{decision_at, no_decision, played, Played};
use super::script::{Action, Site, Step};
use super::setup::{
    address, at, build_lock, build_readers, controller, frozen, listen, local, write_keys,
    write_policy, Bus,
};

use super::error::TestbedError;
use crate::offline::OfflinePolicy;
use crate::{Controller, ControllerError, Report};

/// How long a controller step waits for its bus.
const STEP: Duration = Duration::from_millis(5);

/// How long a step waits for a decision.
const DECISION_WAIT: Duration = Duration::from_secs(5);

/// How long, after a decision, the stage gathers the commands the door's device got,
/// unless the buzzer (the controller's last command, opened or refused) came sooner.
const ANSWER_GRACE: Duration = Duration::from_secs(1);

/// The site running on this machine.
pub struct Stage {
    site: &'static Site,
    zone: Tz,
    policy: OfflinePolicy,
    map: ImageMap,
    entries: usize,
    journal: PathBuf,
    readers_controller: Controller,
    lock_controller: Controller,
    /// The lock's bus, where it connects again once its network is back.
    lock_bus: TcpListener,
    /// How many decisions the lock took alone, to be uploaded when it is back.
    alone_decisions: usize,
    readers: DeviceThread,
    lock: DeviceThread,
    news: Receiver<News>,
    /// Reports of the preamble (devices coming online).
    pub preamble: Vec<Report>,
    /// The temporary directory, removed when the stage ends.
    _dir: TempDir,
}

impl Stage {
    /// Sets `site` up: files, keys, controllers, devices; returns once every device is
    /// online.
    pub fn set_up(site: &'static Site) -> Result<Stage, TestbedError> {
        let dir = TempDir::new().map_err(TestbedError::Io)?;
        let policy_dir = write_policy(dir.path(), site)?;
        let keys = write_keys(dir.path(), site)?;
        let policy = OfflinePolicy::load(&policy_dir, Some(&keys))?;
        let zone = policy.query.zone_of(policy.query.door(site.lock.0)?);
        let start = at(site, "00:00", zone)?;
        let lock = build_lock(&policy, site, start)?;
        let readers = build_readers(&policy, site)?;
        let (sender, news) = mpsc::channel();
        let (readers_bus, lock_bus) = (listen()?, listen()?);
        let readers_thread = start_readers(local(&readers_bus)?, readers, sender.clone());
        let lock_thread = start_lock(local(&lock_bus)?, lock.lock, sender);
        let journal = dir.path().join("journal.db");
        let bus = |doors: &[(&'static str, u8)], listener| Bus {
            policy: &policy_dir,
            keys: &keys,
            doors: doors.to_vec(),
            journal: &journal,
            listener,
            start,
        };
        let readers_controller = controller(&bus(site.readers, &readers_bus))?;
        let lock_controller = controller(&bus(&[site.lock], &lock_bus))?;
        let mut stage = Stage {
            site,
            zone,
            policy,
            entries: lock.entries,
            map: lock.map,
            journal: journal.clone(),
            readers_controller,
            lock_controller,
            lock_bus,
            alone_decisions: 0,
            readers: readers_thread,
            lock: lock_thread,
            news,
            preamble: Vec::new(),
            _dir: dir,
        };
        stage.wait_online()?;
        Ok(stage)
    }

    /// The zone the day is lived in.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The journal's file.
    pub fn journal(&self) -> &Path {
        &self.journal
    }

    /// How many entries the lock's image holds (space codes, credentials, revoked
    /// credentials).
    pub fn image_entries(&self) -> usize {
        self.entries
    }

    /// Plays one step.
    pub fn play(&mut self, step: &Step) -> Result<Played, TestbedError> {
        let instant = at(self.site, step.time, self.zone)?;
        self.set_clocks(instant);
        match step.action {
            Action::CutLock => self.cut(step),
            Action::RestoreLock => self.restore(step),
            Action::Present { door, presentation } => {
                let presentation: Presentation =
                    presentation.parse().map_err(TestbedError::Presentation)?;
                if door == self.site.lock.0 {
                    self.at_lock(step, presentation, instant)
                } else {
                    self.at_reader(step, door, presentation, instant)
                }
            }
        }
    }

    /// Stops the devices.
    pub fn stop(&mut self) {
        self.readers.stop();
        self.lock.stop();
    }

    fn set_clocks(&mut self, instant: Timestamp) {
        self.readers_controller.set_clock(frozen(instant));
        self.lock_controller.set_clock(frozen(instant));
    }

    /// Runs the controllers until every device is online.
    fn wait_online(&mut self) -> Result<(), TestbedError> {
        let mut online: Vec<String> = Vec::new();
        let wanted = self.site.readers.len() + 1;
        let deadline = Monotonic::now() + DECISION_WAIT * 2;
        while online.len() < wanted && Monotonic::now() < deadline {
            let (reports, _) = self.pump()?;
            for report in reports {
                if let Report::ReaderOnline {
                    door, secure: true, ..
                } = &report
                {
                    if !online.contains(door) {
                        online.push(door.clone());
                        self.preamble.push(report);
                    }
                }
            }
        }
        if online.len() < wanted {
            return Err(not_online(&online));
        }
        // The two controllers race: show the doors in the site's order.
        let site = self.site;
        let rank = |report: &Report| match report {
            Report::ReaderOnline { door, .. } => site
                .readers
                .iter()
                .chain(std::iter::once(&site.lock))
                .position(|(d, _)| d == door),
            _ => None,
        };
        self.preamble.sort_by_key(rank);
        Ok(())
    }

    /// One turn of each controller and the devices' news.
    fn pump(&mut self) -> Result<(Vec<Report>, Vec<News>), TestbedError> {
        let mut reports = self.readers_controller.step(STEP)?;
        // While the lock's bus is gone (the network cut), its controller waits.
        if !self.lock_controller.bus_lost() {
            reports.extend(self.lock_controller.step(STEP)?);
        }
        let news = std::iter::from_fn(|| self.news.try_recv().ok()).collect();
        Ok((reports, news))
    }

    /// A presentation at a door with a reader.
    fn at_reader(
        &mut self,
        step: &Step,
        door: &str,
        presentation: Presentation,
        instant: Timestamp,
    ) -> Result<Played, TestbedError> {
        let address = self
            .site
            .readers
            .iter()
            .find(|(d, _)| *d == door)
            .map_or(Ok(Address::BROADCAST), |(_, a)| address(*a))?;
        let _ = self
            .readers
            .orders
            .send(Order::Present(address, presentation, instant));
        self.await_decision(step, door, |news| match news {
            News::Reader(from, ReaderEvent::ControlPanel(response)) if *from == address => {
                Some(response.clone())
            }
            _ => None,
        })
    }

    /// A presentation at the offline lock: reported while online, else decided alone.
    fn at_lock(
        &mut self,
        step: &Step,
        presentation: Presentation,
        instant: Timestamp,
    ) -> Result<Played, TestbedError> {
        let _ = self
            .lock
            .orders
            .send(Order::Present(Address::BROADCAST, presentation, instant));
        let deadline = Monotonic::now() + DECISION_WAIT;
        let mut early = Vec::new();
        while Monotonic::now() < deadline {
            let (reports, news) = self.pump()?;
            early.extend(reports);
            for item in news {
                match item {
                    News::LockOutcome(LockOutcome::Alone(decision)) => {
                        self.alone_decisions += 1;
                        return Ok(self.alone(step, &decision));
                    }
                    News::LockOutcome(LockOutcome::Reported) => {
                        return self.await_decision_with(
                            step,
                            self.site.lock.0,
                            early,
                            lock_answer,
                        );
                    }
                    _ => {}
                }
            }
        }
        Ok(no_decision(step, self.site.lock.0))
    }

    /// What the lock decided alone, in the policy's names.
    fn alone(&self, step: &Step, decision: &AloneDecision) -> Played {
        let decided = match decision {
            AloneDecision::Decided { decision, .. }
            | AloneDecision::Keypad(KeypadOutcome::Decided(decision)) => Some(decision),
            _ => None,
        };
        let user = match decided {
            Some(decision) => match decision.holder {
                Some(LockHolder::Holder(index)) => self.holder_name(index),
                Some(LockHolder::SpaceCode(_)) => Some("a space code".to_owned()),
                None => None,
            },
            _ => None,
        };
        Played {
            step: *step,
            door: self.site.lock.0.to_owned(),
            outcome: if decision.allowed() {
                "opened"
            } else {
                "denied"
            }
            .to_owned(),
            opened: decision.allowed(),
            alone: true,
            reason: Some(decision.code().to_owned()),
            user,
            card: None,
            detail: None,
            did: if decision.allowed() {
                "strike released by the lock".to_owned()
            } else {
                "nothing".to_owned()
            },
        }
    }

    fn holder_name(&self, index: u16) -> Option<String> {
        let user = self.map.holders.get(usize::from(index))?;
        let user = self.policy.query.policy.users.get(user.index())?;
        Some(user.name.clone())
    }

    /// The lock's link cut; returns once the lock noticed.
    fn cut(&mut self, step: &Step) -> Result<Played, TestbedError> {
        let _ = self.lock.orders.send(Order::Cut);
        let deadline = Monotonic::now() + DECISION_WAIT;
        let mut noticed = false;
        while !noticed && Monotonic::now() < deadline {
            let (_, news) = self.pump()?;
            noticed = news
                .iter()
                .any(|n| matches!(n, News::Lock(LockEvent::Offline)));
        }
        Ok(Played {
            step: *step,
            door: self.site.lock.0.to_owned(),
            outcome: if noticed { "offline" } else { "still online" }.to_owned(),
            opened: false,
            alone: noticed,
            reason: None,
            user: None,
            card: None,
            detail: Some(format!(
                "the lock decides alone from its image ({} entries)",
                self.image_entries()
            )),
            did: "nothing".to_owned(),
        })
    }

    /// The lock's network is back: it connects again, and the controller journals
    /// what it decided alone, at the instants it decided.
    fn restore(&mut self, step: &Step) -> Result<Played, TestbedError> {
        let _ = self.lock.orders.send(Order::Restore);
        let transport = TcpTransport::accept(&self.lock_bus).map_err(ControllerError::from)?;
        self.lock_controller.reconnect(Box::new(transport));
        let deadline = Monotonic::now() + DECISION_WAIT;
        let mut uploaded = 0;
        let expected = self.alone_decisions;
        while uploaded < expected && Monotonic::now() < deadline {
            let (reports, _) = self.pump()?;
            uploaded += reports.iter().filter(|r| is_upload(r)).count();
        }
        Ok(Played {
            step: *step,
            door: self.site.lock.0.to_owned(),
            outcome: "online".to_owned(),
            opened: false,
            alone: false,
            reason: None,
            user: None,
            card: None,
            detail: Some(format!(
                "the lock uploads the {uploaded} decisions it took alone, journaled at their instants"
            )),
            did: "nothing".to_owned(),
        })
    }

    fn await_decision(
        &mut self,
        step: &Step,
        door: &str,
        answer: impl Fn(&News) -> Option<ControlPanelResponse>,
    ) -> Result<Played, TestbedError> {
        self.await_decision_with(step, door, Vec::new(), answer)
    }

    /// Runs until the controller decided at `door` (reports already seen in `early`),
    /// then gathers the commands its device got for a moment.
    fn await_decision_with(
        &mut self,
        step: &Step,
        door: &str,
        early: Vec<Report>,
        answer: impl Fn(&News) -> Option<ControlPanelResponse>,
    ) -> Result<Played, TestbedError> {
        let mut decided = early.into_iter().find_map(|r| decision_at(r, door));
        let mut response = ControlPanelResponse::default();
        let deadline = Monotonic::now() + DECISION_WAIT;
        let mut grace_end: Option<Monotonic> = None;
        loop {
            let now = Monotonic::now();
            let answered = decided.is_some() && !response.buzzers.is_empty();
            if answered
                || grace_end.is_some_and(|end| now >= end)
                || (decided.is_none() && now >= deadline)
            {
                break;
            }
            let (reports, news) = self.pump()?;
            for report in reports {
                if decided.is_none() {
                    decided = decision_at(report, door);
                }
            }
            for item in &news {
                if let Some(part) = answer(item) {
                    response.outputs.extend(part.outputs);
                    response.leds.extend(part.leds);
                    response.buzzers.extend(part.buzzers);
                }
            }
            if decided.is_some() && grace_end.is_none() {
                grace_end = Some(Monotonic::now() + ANSWER_GRACE);
            }
        }
        let Some(report) = decided else {
            return Ok(no_decision(step, door));
        };
        Ok(played(step, door, report, &response))
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The lock's part of the controller's answer.
fn lock_answer(news: &News) -> Option<ControlPanelResponse> {
    match news {
        News::Lock(LockEvent::ControlPanel(response)) => Some(response.clone()),
        _ => None,
    }
}

/// The error of a stage whose devices did not all come online.
fn not_online(online: &[String]) -> TestbedError {
    TestbedError::NotOnline {
        online: if online.is_empty() {
            "none".to_owned()
        } else {
            online.join(", ")
        },
    }
}

/// Whether `report` is a decision the lock took alone, uploaded and believed.
fn is_upload(report: &Report) -> bool {
    matches!(report, Report::Decision { detail: Some(detail), .. }
        if detail.starts_with("decided by the lock alone"))
}
