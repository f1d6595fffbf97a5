//! The demo's set-up: what a site needs before its day can be played — its policy
//! files and a fresh key store in a directory, its controllers on listening TCP
//! buses, its offline lock with a sealed image, its readers — and the clocks.
//!
//! Owns building each of these from the policy exactly as the commands do (`lock
//! image` for the image, `controller run` for the controller and the secure channel
//! keys). It must never decide, nor write a key anywhere but into the key store.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant as Monotonic};

use accessctl_core::offline::code::door_code_key;
use accessctl_core::offline::{build_image, lock_key, ImageMap, Issue, LockImage};
use accessctl_core::time::WrittenTimestamp;
use accessctl_core::Timestamp;
use accessctl_devices::osdp::control_panel::Timing;
use accessctl_devices::osdp::Address;
use accessctl_devices::sim::{peripheral_setup, SimKind, SimLock, SimLockSetup, SimReader};
use accessctl_devices::transport::{TcpTransport, Transport};
use chrono_tz::Tz;

use super::script::Site;
use crate::atomic::Existing;

use super::error::TestbedError;
use crate::formats::door_formats;
use crate::journal::Journal;
use crate::keystore::{fresh_key, KeyStore, KeystoreError};
use crate::offline::{OfflineError, OfflinePolicy};
use crate::scbk::door_scbk;
use crate::{Channel, Controller, ControllerError, ControllerSetup, DoorBinding, WallClock};

/// How long the lock waits without its controller before it decides alone.
const LOCK_OFFLINE_AFTER: Duration = Duration::from_secs(1);

/// A clock that shows `instant` and does not move (its start lies a day ahead).
pub fn frozen(instant: Timestamp) -> WallClock {
    let now = Monotonic::now();
    WallClock::StartedAt {
        start: instant,
        since: now.checked_add(Duration::from_secs(86_400)).unwrap_or(now),
    }
}

/// The instant of `time` on the site's day, in `zone`.
pub fn at(site: &Site, time: &str, zone: Tz) -> Result<Timestamp, TestbedError> {
    let written = WrittenTimestamp::parse(&format!("{}T{time}", site.day.0))?;
    Ok(written.resolve(zone)?)
}

/// The PD address `number`.
pub fn address(number: u8) -> Result<Address, TestbedError> {
    Address::new(number).ok_or(TestbedError::Address(number))
}

/// A listening bus on a free loopback port.
pub fn listen() -> Result<TcpListener, TestbedError> {
    TcpListener::bind("127.0.0.1:0").map_err(TestbedError::Io)
}

/// `127.0.0.1:PORT` of a listening bus.
pub fn local(listener: &TcpListener) -> Result<String, TestbedError> {
    Ok(listener.local_addr().map_err(TestbedError::Io)?.to_string())
}

/// Writes the site's policy files in `dir/policy`.
pub fn write_policy(dir: &Path, site: &Site) -> Result<PathBuf, TestbedError> {
    let policy = dir.join("policy");
    std::fs::create_dir(&policy).map_err(TestbedError::Io)?;
    for (name, text) in site.files {
        std::fs::write(policy.join(name), text).map_err(TestbedError::Io)?;
    }
    Ok(policy)
}

/// A key store with a fresh key for each of the site's sites.
pub fn write_keys(dir: &Path, site: &Site) -> Result<PathBuf, TestbedError> {
    let path = dir.join("demo.keys");
    let mut store = KeyStore::new();
    for name in site.sites {
        store.set_site_key(name, fresh_key()?);
    }
    store.save(&path, Existing::Refuse)?;
    Ok(path)
}

/// What a controller of the demo is started with.
pub struct Bus<'a> {
    /// The policy's directory.
    pub policy: &'a Path,
    /// The key store.
    pub keys: &'a Path,
    /// The doors it serves, with their PD addresses.
    pub doors: Vec<(&'static str, u8)>,
    /// The shared journal.
    pub journal: &'a Path,
    /// The listening bus its devices connect to.
    pub listener: &'a TcpListener,
    /// Its clock, frozen at the start of the day.
    pub start: Timestamp,
}

/// A controller for `bus.doors` on the bus `bus.listener` accepts, through the secure
/// channel, its clock frozen at `bus.start`.
pub fn controller(bus: &Bus<'_>) -> Result<Controller, TestbedError> {
    let doors = bus
        .doors
        .iter()
        .map(|(door, number)| {
            Ok(DoorBinding {
                door: (*door).to_owned(),
                address: address(*number)?,
            })
        })
        .collect::<Result<Vec<_>, TestbedError>>()?;
    let setup = ControllerSetup {
        policy: bus.policy.to_path_buf(),
        keystore: Some(bus.keys.to_path_buf()),
        doors,
        channel: Channel::Secure,
        timing: Timing::default(),
        clock: frozen(bus.start),
    };
    let journal = Journal::open(bus.journal).map_err(ControllerError::from)?;
    let listener = bus.listener;
    let controller = Controller::new(setup, journal, entropy()?, || {
        TcpTransport::accept(listener).map(|t| Box::new(t) as Box<dyn Transport>)
    })?;
    Ok(controller)
}

/// The offline lock, with what its image holds.
pub struct BuiltLock {
    /// The simulated lock, its image in force.
    pub lock: SimLock,
    /// Image indexes back to the policy.
    pub map: ImageMap,
    /// Entries of its image.
    pub entries: usize,
}

/// The site's offline lock: its image built at `start` and sealed with its key, its
/// secure channel key and card formats from the policy.
pub fn build_lock(
    policy: &OfflinePolicy,
    site: &Site,
    start: Timestamp,
) -> Result<BuiltLock, TestbedError> {
    let door = policy.query.door(site.lock.0)?;
    let key = lock_key(&policy.door_key(door)?, site.lock.0);
    let query = &policy.query;
    let built = build_image(&query.policy, &query.compiled, door, &key, Issue::at(start))
        .map_err(OfflineError::Build)?;
    let image =
        LockImage::decode(&built.bytes, &key).map_err(|source| OfflineError::LockImage {
            path: site.lock.0.to_owned(),
            source,
        })?;
    let scbk = door_scbk(policy, door)?;
    let code_key = door_code_key(&policy.door_key(door)?, site.lock.0);
    let setup = SimLockSetup {
        peripheral: peripheral_setup(SimKind::Lock, address(site.lock.1)?, Some(scbk), false),
        lock_key: key,
        formats: door_formats(&query.policy, door),
        offline_after: LOCK_OFFLINE_AFTER,
        code_key: Some(code_key),
    };
    Ok(BuiltLock {
        lock: SimLock::new(setup, Some(image), entropy()?),
        entries: built.contents.entries(),
        map: built.map,
    })
}

/// The site's readers, each with its door's secure channel key.
pub fn build_readers(policy: &OfflinePolicy, site: &Site) -> Result<Vec<SimReader>, TestbedError> {
    let mut readers = Vec::new();
    for (door, number) in site.readers {
        let scbk = door_scbk(policy, policy.query.door(door)?)?;
        let setup = peripheral_setup(SimKind::Reader, address(*number)?, Some(scbk), false);
        readers.push(SimReader::new(setup, entropy()?));
    }
    Ok(readers)
}

/// Random bytes from the operating system for a device's secure channel.
pub fn entropy() -> Result<accessctl_devices::sim::Entropy, TestbedError> {
    crate::os_entropy().map_err(|e| TestbedError::from(KeystoreError::Entropy(e)))
}
