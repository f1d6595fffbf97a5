//! Sending one lock's memory image over OSDP and waiting for the lock to confirm it:
//! the work of `accessctl lock push`.
//!
//! Owns the blocking exchange with one PD: wait for it to come online (giving it its
//! own key first in install mode), send the image by `osdp_FILETRANSFER`
//! ([`IMAGE_FILE_TYPE`]), report progress, and end when the PD confirms the whole file,
//! refuses it, or the time runs out. It must never build an image itself
//! (`OfflinePolicy::lock_image` does) nor show a key.

use std::time::{Duration, Instant};

use accessctl_devices::osdp::control_panel::{ControlPanelBus, ControlPanelEvent};
use accessctl_devices::osdp::secure::Scbk;
use accessctl_devices::osdp::{Address, Command, KeySet};

use crate::door_controller::{nak_text, IMAGE_FILE_TYPE};
use crate::error::ControllerError;

/// The code of `osdp_FILETRANSFER`, whose refusal ends a push.
const FILE_TRANSFER: u8 = 0x7C;

/// How long one bus step waits at most.
const STEP: Duration = Duration::from_millis(100);

/// How a push ended, when it ended without an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pushed {
    /// The PD confirmed the whole image.
    Confirmed,
    /// The PD refused it, or did not confirm it in time; why, in words.
    Failed(String),
}

/// What happened during a push, for the caller to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushStep {
    /// The PD is online (through a secure channel or not).
    Online {
        /// Whether its secure channel is up.
        secure: bool,
    },
    /// In install mode, the PD was sent its own key.
    KeySet,
    /// Bytes accepted so far, of the total.
    Progress {
        /// Accepted.
        sent: usize,
        /// The image's size.
        total: usize,
    },
    /// The PD went offline; the image will be sent again when it is back.
    Offline,
}

/// Sends `image` to the PD at `address` on `bus` within `timeout`. With `install_key`,
/// the PD (reached through the install key) is first given that key.
pub fn push_image(
    bus: &mut ControlPanelBus,
    address: Address,
    install_key: Option<Scbk>,
    image: &[u8],
    timeout: Duration,
    on_step: &mut dyn FnMut(PushStep),
) -> Result<Pushed, ControllerError> {
    let start = Instant::now();
    let mut online_once = false;
    let mut install_key = install_key;
    while start.elapsed() < timeout {
        for event in bus.step(STEP.min(timeout.saturating_sub(start.elapsed())))? {
            match event {
                ControlPanelEvent::Online { secure, .. } => {
                    online_once = true;
                    on_step(PushStep::Online { secure });
                    if let Some(key) = install_key.take().filter(|_| secure) {
                        bus.panel_mut()
                            .submit(address, Command::KeySet(KeySet::scbk(key)))?;
                        on_step(PushStep::KeySet);
                    }
                    bus.panel_mut()
                        .send_file(address, IMAGE_FILE_TYPE, image.to_vec())?;
                }
                ControlPanelEvent::Offline { .. } => on_step(PushStep::Offline),
                ControlPanelEvent::FileProgress { sent, total, .. } => {
                    on_step(PushStep::Progress { sent, total });
                }
                ControlPanelEvent::FileSent { .. } => return Ok(Pushed::Confirmed),
                // A lock refusing the image (not authentic, or older than the one in
                // force) answers the transfer "unrecognized file contents".
                ControlPanelEvent::FileFailed { reason, .. } => {
                    return Ok(Pushed::Failed(format!(
                        "the lock did not take the image: {reason}"
                    )));
                }
                ControlPanelEvent::Nak {
                    command: FILE_TRANSFER,
                    nak,
                    ..
                } => {
                    return Ok(Pushed::Failed(format!(
                        "the lock refused the image: {}",
                        nak_text(&nak)
                    )));
                }
                _ => {}
            }
        }
    }
    if !online_once {
        return Err(ControllerError::NotOnline {
            address,
            waited: timeout,
        });
    }
    Ok(Pushed::Failed(format!(
        "the lock did not confirm the image within {} s",
        timeout.as_secs()
    )))
}
