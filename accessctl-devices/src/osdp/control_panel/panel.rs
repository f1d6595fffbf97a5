//! The control panel itself: the PDs of one bus, served in turn, one command
//! outstanding at a time.
//!
//! Owns [`ControlPanel`]: the round robin among PD links, the frame reader for the
//! bus's bytes (a partial reply dropped after
//! [`INTER_CHARACTER_GAP`](crate::osdp::INTER_CHARACTER_GAP) of silence or at the reply
//! timeout, the bytes after its start searched again), the reply timeout of the
//! command outstanding and the queue of events.
//! What each PD's conversation holds lives in [`pd`](super::pd); this file never builds
//! a command itself and never reads a clock.

use std::collections::VecDeque;
use std::fmt;
use std::time::Instant;

use super::error::ControlPanelError;
use super::event::ControlPanelEvent;
use super::file::FileSender;
use super::pd::{Context, PdLink, Wake};
use super::timing::Timing;
use super::{PdSetup, PdStatus, Security};
use crate::osdp::command::{Command, FileType};
use crate::osdp::header::Address;
use crate::osdp::reader::FrameReader;
use crate::osdp::secure::ControlPanelChannel;

/// Where the control panel draws its random numbers (RND.A of each handshake).
pub type Entropy = Box<dyn FnMut(&mut [u8]) + Send>;

/// A sans-io OSDP control panel driving several PDs on one bus.
///
/// Feed it the bus's bytes with [`ControlPanel::handle_input`], send what
/// [`ControlPanel::poll_transmit`] returns, call `poll_transmit` again by
/// [`ControlPanel::next_deadline`], and take the events out with
/// [`ControlPanel::next_event`]. [`ControlPanelBus`](super::ControlPanelBus) does all
/// that over a transport.
///
/// ```
/// use std::time::Instant;
/// use accessctl_devices::osdp::control_panel::{ControlPanel, PdSetup, Security, Timing};
/// use accessctl_devices::osdp::{Address, Command, Frame};
///
/// let address = Address::new(1).unwrap();
/// let pds = vec![PdSetup { address, security: Security::Clear }];
/// let mut panel = ControlPanel::new(pds, Timing::default(), Box::new(|_: &mut [u8]| {}))?;
/// let bytes = panel.poll_transmit(Instant::now()).unwrap();
/// let frame = Frame::decode(&bytes)?;
/// assert_eq!(frame.to_command()?, Command::Poll);
/// assert_eq!(frame.header.sequence.value(), 0);
/// assert!(panel.poll_transmit(Instant::now()).is_none()); // awaiting the reply
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ControlPanel {
    pds: Vec<PdLink>,
    timing: Timing,
    entropy: Entropy,
    reader: FrameReader,
    /// The PD whose reply is awaited.
    outstanding: Option<usize>,
    /// The PD served last.
    turn: usize,
    events: VecDeque<ControlPanelEvent>,
    /// The last instant the panel was given.
    last_now: Option<Instant>,
}

impl fmt::Debug for ControlPanel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ControlPanel")
            .field("pds", &self.pds)
            .field("timing", &self.timing)
            .field("outstanding", &self.outstanding)
            .finish_non_exhaustive()
    }
}

impl ControlPanel {
    /// A control panel for `pds`, each started at once (sequence 0). `entropy` fills
    /// the random numbers of the secure channel handshakes.
    ///
    /// Errors when two PDs share an address, a PD has the broadcast address, or
    /// [`Security::Secure`] holds the default key SCBK-D.
    pub fn new(
        pds: Vec<PdSetup>,
        timing: Timing,
        entropy: Entropy,
    ) -> Result<Self, ControlPanelError> {
        let mut links: Vec<PdLink> = Vec::with_capacity(pds.len());
        for setup in pds {
            let address = setup.address;
            if address.is_broadcast() {
                return Err(ControlPanelError::BroadcastAddress { address });
            }
            if links.iter().any(|link| link.address() == address) {
                return Err(ControlPanelError::DuplicateAddress { address });
            }
            let channel = channel_for(&setup)?;
            links.push(PdLink::new(address, setup.security, channel));
        }
        Ok(Self {
            turn: links.len().saturating_sub(1),
            pds: links,
            timing,
            entropy,
            reader: FrameReader::new(),
            outstanding: None,
            events: VecDeque::new(),
            last_now: None,
        })
    }

    fn link_mut(&mut self, address: Address) -> Result<&mut PdLink, ControlPanelError> {
        self.pds
            .iter_mut()
            .find(|link| link.address() == address)
            .ok_or(ControlPanelError::UnknownPd { address })
    }

    /// Queues a command for a PD; sent on its next turn once it is online (sealed if
    /// its secure channel is up). Commands still queued when the PD goes offline are
    /// dropped: a strike pulse must not fire minutes late.
    ///
    /// Errors when no PD has this address, the command is one of the handshake's
    /// (`osdp_CHLNG`, `osdp_SCRYPT`), or it cannot be encoded.
    pub fn submit(&mut self, address: Address, command: Command) -> Result<(), ControlPanelError> {
        if matches!(command, Command::Chlng(_) | Command::Scrypt(_)) {
            return Err(ControlPanelError::ReservedCommand {
                code: command.code(),
            });
        }
        command.encode_data()?;
        self.link_mut(address)?.submit(command);
        Ok(())
    }

    /// Starts sending a file (`osdp_FILETRANSFER` fragments of at most
    /// [`Timing::fragment_len`] bytes, fewer when the PD asks, following each
    /// `osdp_FTSTAT`'s delay). Progress and the outcome come as events. The PD's
    /// other traffic and the other PDs' polls go on in between.
    ///
    /// Errors when no PD has this address, a transfer to it is under way, or the file
    /// is longer than 4 GiB.
    pub fn send_file(
        &mut self,
        address: Address,
        file_type: FileType,
        contents: Vec<u8>,
    ) -> Result<(), ControlPanelError> {
        if u32::try_from(contents.len()).is_err() {
            return Err(ControlPanelError::FileTooLarge {
                len: contents.len(),
            });
        }
        let fragment_len = self.timing.fragment_len;
        let link = self.link_mut(address)?;
        if link.has_file() {
            return Err(ControlPanelError::FileTransferBusy { address });
        }
        link.send_file(FileSender::new(file_type, contents, fragment_len));
        Ok(())
    }

    /// The next bytes to put on the bus now, if any: a command to one PD, or the same
    /// command again when its reply is late. Half duplex: nothing new goes out while a
    /// command awaits its reply.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        self.last_now = Some(now);
        self.settle_input(now);
        if let Some(index) = self.outstanding {
            return self.retry(index, now);
        }
        let count = self.pds.len();
        for step in 1..=count {
            let index = (self.turn + step) % count;
            if let Some(bytes) = self.transmit(index, now) {
                self.turn = index;
                self.outstanding = Some(index);
                self.reader.clear();
                return Some(bytes);
            }
        }
        None
    }

    /// The bytes of the outstanding command again when its reply is late; clears the
    /// outstanding command when its PD gave up.
    fn retry(&mut self, index: usize, now: Instant) -> Option<Vec<u8>> {
        let timing = self.timing;
        let link = self.pds.get_mut(index)?;
        if link.reply_due().is_some_and(|due| due > now) {
            return None;
        }
        let mut cx = Context {
            now,
            timing: &timing,
            events: &mut self.events,
        };
        let again = link.timeout(&mut cx);
        if !link.is_waiting() {
            self.outstanding = None;
            return self.poll_transmit(now);
        }
        self.reader.clear();
        again
    }

    /// The command PD `index` has to send at `now`, if any.
    fn transmit(&mut self, index: usize, now: Instant) -> Option<Vec<u8>> {
        let timing = self.timing;
        let link = self.pds.get_mut(index)?;
        let ready = match link.wake() {
            Wake::Now => true,
            Wake::At(at) => at <= now,
            Wake::Never => false,
        };
        if !ready {
            return None;
        }
        let mut cx = Context {
            now,
            timing: &timing,
            events: &mut self.events,
        };
        link.transmit(&mut cx, &mut *self.entropy)
    }

    /// Bytes received from the bus. A reply counts only when it comes from the PD
    /// whose command is outstanding, with that command's sequence number; anything
    /// else (noise, a bad CRC, another PD, an old reply) is ignored and the command
    /// runs into its timeout. A frame that stops coming for
    /// [`INTER_CHARACTER_GAP`](crate::osdp::INTER_CHARACTER_GAP) is dropped and the bytes
    /// after its start searched again, so a reply behind line noise still counts.
    pub fn handle_input(&mut self, bytes: &[u8], now: Instant) {
        self.last_now = Some(now);
        self.reader.push_at(bytes, now);
        self.take_replies(now);
    }

    /// Drops the partial frame the line's silence, or the reply timeout of the command
    /// outstanding, has ended, and takes the replies found behind it.
    fn settle_input(&mut self, now: Instant) {
        self.reader.expire(now);
        let late = self
            .outstanding
            .and_then(|index| self.pds.get(index))
            .and_then(PdLink::reply_due)
            .is_some_and(|due| due <= now);
        if late {
            self.reader.end_burst();
        }
        self.take_replies(now);
    }

    /// Hands the frames received whole to the PD awaiting its reply.
    fn take_replies(&mut self, now: Instant) {
        while let Some(read) = self.reader.next_frame() {
            let (Ok(frame), Some(index)) = (read, self.outstanding) else {
                continue;
            };
            let timing = self.timing;
            let Some(link) = self.pds.get_mut(index) else {
                continue;
            };
            if !link.is_answer(&frame) {
                continue;
            }
            let mut cx = Context {
                now,
                timing: &timing,
                events: &mut self.events,
            };
            link.handle_reply(&frame, &mut cx);
            if !link.is_waiting() {
                self.outstanding = None;
            }
        }
    }

    /// The line itself is gone (a serial port unplugged, a TCP peer that closed):
    /// every PD is taken offline at once — an [`ControlPanelEvent::Offline`] for each
    /// that was online, a [`ControlPanelEvent::FileFailed`] for a transfer under way —
    /// and retried from sequence 0 after `offline_retry`, as when one stops answering.
    pub fn line_lost(&mut self, now: Instant) {
        self.last_now = Some(now);
        self.outstanding = None;
        self.reader.clear();
        let timing = self.timing;
        for link in &mut self.pds {
            let mut cx = Context {
                now,
                timing: &timing,
                events: &mut self.events,
            };
            link.line_lost(&mut cx);
        }
    }

    /// When [`ControlPanel::poll_transmit`] must next be called: the outstanding
    /// command's reply timeout (or sooner, the instant a partial reply is dropped
    /// unless more bytes come), or the earliest instant a PD has something to send (the
    /// last instant the panel was given, when one has something now). `None` when
    /// nothing is scheduled, or before the panel was given any instant.
    pub fn next_deadline(&self) -> Option<Instant> {
        if let Some(index) = self.outstanding {
            let reply_due = self.pds.get(index).and_then(PdLink::reply_due);
            return [reply_due, self.reader.deadline()]
                .into_iter()
                .flatten()
                .min();
        }
        self.pds
            .iter()
            .filter_map(|link| match link.wake() {
                Wake::Now => self.last_now,
                Wake::At(at) => Some(at),
                Wake::Never => None,
            })
            .min()
    }

    /// The next event, oldest first.
    pub fn next_event(&mut self) -> Option<ControlPanelEvent> {
        self.events.pop_front()
    }

    /// Where the PD at `address` stands; `None` when no PD has this address.
    pub fn status(&self, address: Address) -> Option<PdStatus> {
        self.pds
            .iter()
            .find(|link| link.address() == address)
            .map(PdLink::status)
    }
}

/// The secure channel `setup` asks for, if any.
fn channel_for(setup: &PdSetup) -> Result<Option<ControlPanelChannel>, ControlPanelError> {
    match &setup.security {
        Security::Clear => Ok(None),
        Security::Install => Ok(Some(ControlPanelChannel::install_mode())),
        Security::Secure(key) => ControlPanelChannel::new(key.clone())
            .map(Some)
            .map_err(|_| ControlPanelError::DefaultKey {
                address: setup.address,
            }),
    }
}
