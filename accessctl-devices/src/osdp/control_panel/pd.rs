//! The control panel's link with one PD: where it stands in its online sequence, its
//! sequence numbers, the command awaiting a reply and its retries, its secure channel,
//! its queue of commands and its file transfer.
//!
//! Owns [`PdLink`]. It builds each command frame once (sealed when the secure channel is
//! up) and sends the same bytes again on a retry, so a retry repeats the sequence
//! number and never breaks the MAC chain. It never decides which PD speaks next (the
//! panel does), never reads a clock and never falls back to clear text when a secure
//! channel was asked for: a failed handshake makes the PD offline.

use std::collections::VecDeque;
use std::time::Instant;

use super::event::ControlPanelEvent;
use super::fault::{PdFault, ReaderRange};
use super::file::{FileSender, FileStep, FILE_FRAME_OVERHEAD};
use super::timing::{later, Timing};
use super::{PdStatus, Security};
use crate::osdp::check::Check;
use crate::osdp::command::{Command, KeySet, ReportRequest};
use crate::osdp::frame::Frame;
use crate::osdp::header::{Address, Direction, Header, Sequence};
use crate::osdp::reply::{
    Capability, CapabilityFunction, DeviceId, LocalStatus, Nak, NakCode, Reply,
};
use crate::osdp::secure::{ControlPanelChannel, Scbk, SecureError};

/// What a PD link needs from the panel while it works.
pub(super) struct Context<'a> {
    /// The current instant.
    pub now: Instant,
    /// The panel's timing.
    pub timing: &'a Timing,
    /// Where events go.
    pub events: &'a mut VecDeque<ControlPanelEvent>,
}

/// When a PD link has something to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wake {
    /// As soon as the bus is free.
    Now,
    /// From this instant on.
    At(Instant),
    /// Not before a reply or a timeout.
    Never,
}

/// The next step of the online sequence, or polling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Send `osdp_POLL` with sequence 0 (from this instant on, when offline).
    Restart { not_before: Option<Instant> },
    /// Send `osdp_CHLNG`.
    Challenge,
    /// `osdp_SCRYPT` is prepared; send it.
    Cryptogram,
    /// Send `osdp_ID`.
    Identify,
    /// Send `osdp_CAP`.
    Capabilities,
    /// Send `osdp_LSTAT`.
    LocalStatus,
    /// Online: commands, file fragments, polls.
    Polling,
}

/// What a command sent was for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Purpose {
    Restart,
    Challenge,
    Cryptogram,
    Identify,
    Capabilities,
    LocalStatus,
    Poll,
    /// A submitted command, by code; with the key it sets, for `osdp_KEYSET`.
    Command {
        code: u8,
        new_key: Option<Scbk>,
    },
    File,
}

/// A command frame built once, sent or to be sent, with its retries counted.
#[derive(Debug)]
struct Outgoing {
    bytes: Vec<u8>,
    sequence: Sequence,
    purpose: Purpose,
    /// How many times it was sent again after a timeout.
    retries: u8,
    /// When the reply is due (sent) or when it may go (parked after `osdp_BUSY`).
    at: Option<Instant>,
}

/// The CP's state for one PD.
#[derive(Debug)]
pub(super) struct PdLink {
    address: Address,
    security: Security,
    channel: Option<ControlPanelChannel>,
    phase: Phase,
    /// The sequence number of the last command built.
    sequence: Sequence,
    /// The command awaiting its reply.
    pending: Option<Outgoing>,
    /// A command built and not yet sent: `osdp_SCRYPT`, or one the PD was busy for.
    prepared: Option<Outgoing>,
    queue: VecDeque<Command>,
    file: Option<FileSender>,
    last_was_file: bool,
    next_poll: Option<Instant>,
    online: bool,
    id: Option<DeviceId>,
    local: LocalStatus,
    fragment_limit: Option<usize>,
    capabilities: Option<Vec<Capability>>,
    /// The reader numbers its capabilities declare.
    readers: ReaderRange,
    /// The fault last reported, until it comes online.
    fault: Option<PdFault>,
}

impl PdLink {
    /// A link with the PD at `address`, to be started at once. The channel is built by
    /// the caller, who checked the key.
    pub(super) fn new(
        address: Address,
        security: Security,
        channel: Option<ControlPanelChannel>,
    ) -> Self {
        Self {
            address,
            security,
            channel,
            phase: Phase::Restart { not_before: None },
            sequence: Sequence::ZERO,
            pending: None,
            prepared: None,
            queue: VecDeque::new(),
            file: None,
            last_was_file: false,
            next_poll: None,
            online: false,
            id: None,
            local: LocalStatus::default(),
            fragment_limit: None,
            capabilities: None,
            readers: ReaderRange::default(),
            fault: None,
        }
    }

    /// The PD's address.
    pub(super) fn address(&self) -> Address {
        self.address
    }

    /// Where the PD stands.
    pub(super) fn status(&self) -> PdStatus {
        if self.online {
            PdStatus::Online {
                secure: self.is_secure(),
            }
        } else {
            PdStatus::Offline
        }
    }

    fn is_secure(&self) -> bool {
        self.channel
            .as_ref()
            .is_some_and(ControlPanelChannel::is_established)
    }

    /// Queues `command` for the PD's next turns.
    pub(super) fn submit(&mut self, command: Command) {
        self.queue.push_back(command);
    }

    /// Whether a file transfer is under way.
    pub(super) fn has_file(&self) -> bool {
        self.file.is_some()
    }

    /// Starts a file transfer.
    pub(super) fn send_file(&mut self, mut sender: FileSender) {
        if let Some(limit) = self.fragment_limit {
            sender.limit_fragment(limit);
        }
        self.file = Some(sender);
    }

    /// When the reply to the command outstanding is due.
    pub(super) fn reply_due(&self) -> Option<Instant> {
        self.pending.as_ref().and_then(|pending| pending.at)
    }

    /// Whether a command awaits its reply.
    pub(super) fn is_waiting(&self) -> bool {
        self.pending.is_some()
    }

    /// When this link has something to send.
    pub(super) fn wake(&self) -> Wake {
        if self.pending.is_some() {
            return Wake::Never;
        }
        if let Some(prepared) = &self.prepared {
            return prepared.at.map_or(Wake::Now, Wake::At);
        }
        match self.phase {
            Phase::Restart { not_before } => not_before.map_or(Wake::Now, Wake::At),
            Phase::Polling => self.polling_wake(),
            _ => Wake::Now,
        }
    }

    fn polling_wake(&self) -> Wake {
        if !self.queue.is_empty() {
            return Wake::Now;
        }
        let file = self.file.as_ref().map(FileSender::ready_at);
        let times = [file, Some(self.next_poll)];
        match times.into_iter().flatten().min() {
            Some(None) => Wake::Now,
            Some(Some(at)) => Wake::At(at),
            None => Wake::Now,
        }
    }

    /// Builds and returns the next command to send at `now`, and awaits its reply.
    pub(super) fn transmit(
        &mut self,
        cx: &mut Context<'_>,
        entropy: &mut dyn FnMut(&mut [u8]),
    ) -> Option<Vec<u8>> {
        let outgoing = match self.prepared.take() {
            Some(prepared) => Ok(prepared),
            None => self.build_next(cx, entropy)?,
        };
        match outgoing {
            Ok(mut outgoing) => {
                outgoing.at = Some(later(cx.now, cx.timing.reply_timeout));
                let bytes = outgoing.bytes.clone();
                self.pending = Some(outgoing);
                Some(bytes)
            }
            Err(_) => {
                self.fail(cx);
                None
            }
        }
    }

    /// The command the phase calls for, built; `None` when there is nothing to send.
    fn build_next(
        &mut self,
        cx: &mut Context<'_>,
        entropy: &mut dyn FnMut(&mut [u8]),
    ) -> Option<Result<Outgoing, SecureError>> {
        let report = ReportRequest::default();
        Some(match self.phase {
            Phase::Restart { .. } => self.restart_poll(),
            Phase::Challenge => self.challenge(entropy),
            // The SCRYPT frame was lost with a failure: start over.
            Phase::Cryptogram => Err(SecureError::NotEstablished),
            Phase::Identify => self.build(Purpose::Identify, &Command::Id(report)),
            Phase::Capabilities => self.build(Purpose::Capabilities, &Command::Cap(report)),
            Phase::LocalStatus => self.build(Purpose::LocalStatus, &Command::LStat),
            Phase::Polling => return self.build_polling(cx),
        })
    }

    /// `osdp_POLL` with sequence 0: the PD resets its side of the conversation.
    fn restart_poll(&mut self) -> Result<Outgoing, SecureError> {
        if let Some(channel) = &mut self.channel {
            channel.reset();
        }
        self.sequence = Sequence::ZERO;
        let header = Header::command(self.address, Sequence::ZERO, Check::Crc16);
        let frame = Frame::command(header, &Command::Poll)?;
        Ok(self.outgoing(frame, Purpose::Restart)?)
    }

    fn challenge(&mut self, entropy: &mut dyn FnMut(&mut [u8])) -> Result<Outgoing, SecureError> {
        let header = self.next_header();
        let mut cp_random = [0; 8];
        entropy(&mut cp_random);
        let channel = self.channel.as_mut().ok_or(SecureError::NotEstablished)?;
        let frame = channel.challenge(header, cp_random)?;
        Ok(self.outgoing(frame, Purpose::Challenge)?)
    }

    /// The next command while online: a submitted one, a file fragment, or a poll.
    fn build_polling(&mut self, cx: &Context<'_>) -> Option<Result<Outgoing, SecureError>> {
        if let Some(command) = self.queue.pop_front() {
            let purpose = Purpose::Command {
                code: command.code(),
                new_key: match &command {
                    Command::KeySet(KeySet { key, .. }) => Some(key.clone()),
                    _ => None,
                },
            };
            return Some(self.build(purpose, &command));
        }
        let poll_due = self.next_poll.is_none_or(|at| at <= cx.now);
        let file_ready = self.file.as_ref().is_some_and(|f| f.is_ready(cx.now));
        if file_ready && !(poll_due && self.last_was_file) {
            let fragment = self.file.as_mut()?.next_fragment();
            self.last_was_file = true;
            return Some(self.build(Purpose::File, &Command::FileTransfer(fragment)));
        }
        if poll_due {
            self.last_was_file = false;
            return Some(self.build(Purpose::Poll, &Command::Poll));
        }
        None
    }

    fn next_header(&self) -> Header {
        Header::command(self.address, self.sequence.next(), Check::Crc16)
    }

    /// `command` with the next sequence number, sealed when the channel is up.
    fn build(&mut self, purpose: Purpose, command: &Command) -> Result<Outgoing, SecureError> {
        let header = self.next_header();
        let frame = match &mut self.channel {
            Some(channel) if channel.is_established() => channel.seal(header, command)?,
            Some(_) => return Err(SecureError::NotEstablished),
            None => Frame::command(header, command)?,
        };
        Ok(self.outgoing(frame, purpose)?)
    }

    /// `frame` encoded, its sequence number now the link's.
    fn outgoing(
        &mut self,
        frame: Frame,
        purpose: Purpose,
    ) -> Result<Outgoing, crate::osdp::EncodeError> {
        let bytes = frame.encode()?;
        self.sequence = frame.header.sequence;
        Ok(Outgoing {
            bytes,
            sequence: frame.header.sequence,
            purpose,
            retries: 0,
            at: None,
        })
    }

    /// The reply to the command outstanding is late: the same bytes to send again, or
    /// `None` when the retries are used up (the PD is then offline).
    pub(super) fn timeout(&mut self, cx: &mut Context<'_>) -> Option<Vec<u8>> {
        let pending = self.pending.as_mut()?;
        if pending.retries < cx.timing.retries {
            pending.retries += 1;
            pending.at = Some(later(cx.now, cx.timing.reply_timeout));
            return Some(pending.bytes.clone());
        }
        self.no_answer(cx);
        self.fail(cx);
        None
    }

    /// Whether `frame` answers the command outstanding: a reply from this PD with its
    /// sequence number.
    pub(super) fn is_answer(&self, frame: &Frame) -> bool {
        self.pending.as_ref().is_some_and(|pending| {
            frame.header.direction == Direction::Reply
                && frame.header.address == self.address
                && frame.header.sequence == pending.sequence
        })
    }

    /// Takes the reply to the command outstanding.
    pub(super) fn handle_reply(&mut self, frame: &Frame, cx: &mut Context<'_>) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        if is_plain_busy(frame) {
            return self.park(pending, cx);
        }
        match pending.purpose {
            Purpose::Challenge => self.accept_ccrypt(frame, cx),
            Purpose::Cryptogram => self.accept_rmac_i(frame, cx),
            _ => self.accept_reply(frame, pending, cx),
        }
    }

    fn accept_ccrypt(&mut self, frame: &Frame, cx: &mut Context<'_>) {
        let header = self.next_header();
        let scrypt = self
            .channel
            .as_mut()
            .ok_or(SecureError::NotEstablished)
            .and_then(|channel| channel.accept_ccrypt(frame, header));
        let prepared = scrypt.and_then(|frame| Ok(self.outgoing(frame, Purpose::Cryptogram)?));
        match prepared {
            Ok(prepared) => {
                self.prepared = Some(prepared);
                self.phase = Phase::Cryptogram;
            }
            Err(error) => self.handshake_failed(&error, cx),
        }
    }

    fn accept_rmac_i(&mut self, frame: &Frame, cx: &mut Context<'_>) {
        let accepted = self
            .channel
            .as_mut()
            .ok_or(SecureError::NotEstablished)
            .and_then(|channel| channel.accept_rmac_i(frame));
        match accepted {
            Ok(()) => self.phase = Phase::Identify,
            Err(error) => self.handshake_failed(&error, cx),
        }
    }

    /// The handshake failed: a fault (a wrong key, or no secure channel), offline.
    fn handshake_failed(&mut self, error: &SecureError, cx: &mut Context<'_>) {
        self.fault(cx, PdFault::of_handshake(error));
        self.fail(cx);
    }

    /// A reply to anything but the handshake: opened (when secure), then acted on.
    fn accept_reply(&mut self, frame: &Frame, pending: Outgoing, cx: &mut Context<'_>) {
        let reply = match &mut self.channel {
            Some(channel) if channel.is_established() => channel.open(frame),
            _ => frame.to_reply().map_err(SecureError::from),
        };
        let reply = match reply {
            Ok(reply) => reply,
            Err(SecureError::Payload(_)) if pending.purpose == Purpose::Capabilities => {
                return self.bad_capabilities(cx);
            }
            Err(SecureError::Payload(_)) if !self.is_secure() => {
                // Unreadable in clear: as good as lost; wait for the timeout.
                self.pending = Some(pending);
                return;
            }
            Err(_) => return self.session_lost(cx),
        };
        if reply == Reply::Busy {
            return self.park(pending, cx);
        }
        self.next_poll = Some(later(cx.now, cx.timing.poll_interval));
        self.act_on(reply, pending.purpose, cx);
    }

    /// The PD was busy: send the same bytes again after a poll interval.
    fn park(&mut self, mut pending: Outgoing, cx: &Context<'_>) {
        pending.at = Some(later(cx.now, cx.timing.poll_interval));
        self.prepared = Some(pending);
    }

    /// What a reply means, given the command it answers.
    fn act_on(&mut self, reply: Reply, purpose: Purpose, cx: &mut Context<'_>) {
        if purpose == Purpose::Restart {
            // Any answer to sequence 0 says the PD is there.
            return self.after_restart();
        }
        if let Reply::Nak(nak) = &reply {
            if self.nak_restarts(nak) {
                return self.session_lost(cx);
            }
        }
        match purpose {
            Purpose::Identify => {
                if let Reply::PdId(id) = reply {
                    self.id = Some(id);
                }
                self.phase = Phase::Capabilities;
            }
            Purpose::Capabilities => self.accept_capabilities(reply, cx),
            Purpose::LocalStatus => self.come_online(reply, cx),
            Purpose::File => self.file_status(reply, cx),
            Purpose::Command { code, new_key } => self.command_reply(code, new_key, reply, cx),
            Purpose::Poll => self.report(reply, Command::Poll.code(), cx),
            Purpose::Restart | Purpose::Challenge | Purpose::Cryptogram => {}
        }
    }

    /// The answer to `osdp_CAP`: the PD's capabilities, unless they declare a function
    /// twice (then a fault, offline). Without a PDCAP, reader 0 alone is its.
    fn accept_capabilities(&mut self, reply: Reply, cx: &mut Context<'_>) {
        self.readers = ReaderRange::default();
        if let Reply::PdCap(capabilities) = reply {
            match ReaderRange::of(&capabilities) {
                Ok(readers) => self.readers = readers,
                Err(_) => return self.bad_capabilities(cx),
            }
            self.fragment_limit = fragment_limit(&capabilities);
            self.capabilities = Some(capabilities);
        }
        self.phase = Phase::LocalStatus;
    }

    /// The PD's `osdp_PDCAP` cannot be used: a fault, offline, tried again later.
    fn bad_capabilities(&mut self, cx: &mut Context<'_>) {
        self.fault(cx, PdFault::BadCapabilities);
        self.fail(cx);
    }

    /// Whether a NAK says the conversation must start over: a sequence error, or (with
    /// a secure channel) a security reason.
    fn nak_restarts(&self, nak: &Nak) -> bool {
        nak.code == NakCode::SEQUENCE
            || (self.channel.is_some()
                && matches!(
                    nak.code,
                    NakCode::SECURITY_CONDITIONS | NakCode::UNSUPPORTED_SECURITY
                ))
    }

    fn after_restart(&mut self) {
        self.phase = if self.channel.is_some() {
            Phase::Challenge
        } else {
            Phase::Identify
        };
    }

    fn come_online(&mut self, reply: Reply, cx: &mut Context<'_>) {
        self.phase = Phase::Polling;
        self.fault = None;
        if !self.online {
            self.online = true;
            let (secure, id) = (self.is_secure(), self.id);
            self.emit(cx, |address| ControlPanelEvent::Online {
                address,
                secure,
                id,
            });
            if let Some(capabilities) = self.capabilities.clone() {
                let reply = Reply::PdCap(capabilities);
                self.emit(cx, |address| ControlPanelEvent::Reply { address, reply });
            }
        }
        self.report(reply, Command::LStat.code(), cx);
    }

    fn command_reply(
        &mut self,
        code: u8,
        new_key: Option<Scbk>,
        reply: Reply,
        cx: &mut Context<'_>,
    ) {
        if reply == Reply::Ack {
            if let Some(key) = new_key {
                self.adopt_key(key);
            }
            self.emit(cx, |address| ControlPanelEvent::Reply { address, reply });
            return;
        }
        self.report(reply, code, cx);
    }

    /// The PD acknowledged `osdp_KEYSET`: its next handshakes use `key`.
    fn adopt_key(&mut self, key: Scbk) {
        if let Some(channel) = &mut self.channel {
            if channel.set_key(key.clone()).is_ok() {
                self.security = Security::Secure(key);
            }
        }
    }

    /// Events for what a PD reported, in answer to the command `code`.
    fn report(&mut self, reply: Reply, code: u8, cx: &mut Context<'_>) {
        if let Err(fault) = self.check_reader(&reply) {
            return self.emit(cx, |address| ControlPanelEvent::Fault { address, fault });
        }
        let event: Box<dyn FnOnce(Address) -> ControlPanelEvent> = match reply {
            Reply::Ack | Reply::Busy => return,
            Reply::LStatR(status) => return self.local_status(status, cx),
            Reply::Raw(card) => Box::new(|address| ControlPanelEvent::Card { address, card }),
            Reply::Fmt(card) => {
                Box::new(|address| ControlPanelEvent::FormattedCard { address, card })
            }
            Reply::Keypad(keypad) => {
                Box::new(|address| ControlPanelEvent::Keypad { address, keypad })
            }
            Reply::Nak(nak) => Box::new(move |address| ControlPanelEvent::Nak {
                address,
                command: code,
                nak,
            }),
            reply => Box::new(|address| ControlPanelEvent::Reply { address, reply }),
        };
        self.emit(cx, event);
    }

    /// Whether a card read or key press comes from a reader the PD declares.
    fn check_reader(&self, reply: &Reply) -> Result<(), PdFault> {
        match reply {
            Reply::Raw(card) => self.readers.check(card.reader),
            Reply::Fmt(card) => self.readers.check(card.reader),
            Reply::Keypad(keypad) => self.readers.check(keypad.reader),
            _ => Ok(()),
        }
    }

    /// Events for the changes `status` brings.
    fn local_status(&mut self, status: LocalStatus, cx: &mut Context<'_>) {
        let before = std::mem::replace(&mut self.local, status);
        if before.tamper != status.tamper {
            let tamper = status.tamper;
            self.emit(cx, |address| ControlPanelEvent::Tamper { address, tamper });
        }
        if before.power_failure != status.power_failure {
            let failure = status.power_failure;
            self.emit(cx, |address| ControlPanelEvent::Power { address, failure });
        }
    }

    /// The answer to a file fragment.
    fn file_status(&mut self, reply: Reply, cx: &mut Context<'_>) {
        let step = match (&reply, self.file.as_mut()) {
            (_, None) => return self.report(reply, Command::Poll.code(), cx),
            (Reply::FtStat(status), Some(file)) => file.accept_status(status, cx.now),
            (Reply::Nak(nak), Some(_)) => {
                FileStep::Failed(format!("the PD refused: {:?}", nak.code))
            }
            (other, Some(_)) => FileStep::Failed(format!(
                "unexpected reply `{:#04x}` to a fragment",
                other.code()
            )),
        };
        self.file_step(step, cx);
    }

    fn file_step(&mut self, step: FileStep, cx: &mut Context<'_>) {
        match step {
            FileStep::Progress { sent, total } => {
                self.emit(cx, |address| ControlPanelEvent::FileProgress {
                    address,
                    sent,
                    total,
                });
            }
            FileStep::Finishing => {}
            FileStep::Done { rebooting } => {
                self.file = None;
                self.emit(cx, |address| ControlPanelEvent::FileSent { address });
                if rebooting {
                    self.go_offline(cx);
                }
            }
            FileStep::Failed(reason) => {
                self.file = None;
                self.emit(cx, |address| ControlPanelEvent::FileFailed {
                    address,
                    reason,
                });
            }
        }
    }

    /// The secure channel (or the PD's idea of the sequence) is gone: start over with
    /// sequence 0 and a new handshake, staying online if it succeeds.
    fn session_lost(&mut self, cx: &mut Context<'_>) {
        if let Some(channel) = &mut self.channel {
            channel.reset();
        }
        self.prepared = None;
        self.pending = None;
        if self.phase != Phase::Polling {
            return self.go_offline(cx);
        }
        self.phase = Phase::Restart { not_before: None };
    }

    /// The line to the PD is gone: offline, as if it stopped answering.
    pub(super) fn line_lost(&mut self, cx: &mut Context<'_>) {
        self.go_offline(cx);
    }

    /// A command went unanswered, or the handshake failed: offline.
    fn fail(&mut self, cx: &mut Context<'_>) {
        self.go_offline(cx);
    }

    /// Declares the PD offline (an event if it was online), drops what was queued for
    /// it, and tries it again after `offline_retry`.
    fn go_offline(&mut self, cx: &mut Context<'_>) {
        if let Some(channel) = &mut self.channel {
            channel.reset();
        }
        self.pending = None;
        self.prepared = None;
        self.queue.clear();
        self.next_poll = None;
        self.phase = Phase::Restart {
            not_before: Some(later(cx.now, cx.timing.offline_retry)),
        };
        if self.file.take().is_some() {
            let reason = "the PD went offline".to_string();
            self.emit(cx, |address| ControlPanelEvent::FileFailed {
                address,
                reason,
            });
        }
        if self.online {
            self.online = false;
            // The event says it: later retries without an answer stay quiet.
            self.fault.get_or_insert(PdFault::NoAnswer);
            self.emit(cx, |address| ControlPanelEvent::Offline { address });
        }
    }

    /// Reports `fault` unless it is the one last reported since the PD was online.
    fn fault(&mut self, cx: &mut Context<'_>, fault: PdFault) {
        if self.fault != Some(fault) {
            self.fault = Some(fault);
            self.emit(cx, |address| ControlPanelEvent::Fault { address, fault });
        }
    }

    /// The retries ran out: a fault for a PD that was not online (for one that was,
    /// the `Offline` event says it).
    fn no_answer(&mut self, cx: &mut Context<'_>) {
        if !self.online {
            self.fault(cx, PdFault::NoAnswer);
        }
    }

    fn emit(&self, cx: &mut Context<'_>, event: impl FnOnce(Address) -> ControlPanelEvent) {
        cx.events.push_back(event(self.address));
    }
}

/// The largest file fragment a PD's receive buffer allows, if it announced one.
fn fragment_limit(capabilities: &[Capability]) -> Option<usize> {
    capabilities
        .iter()
        .find(|capability| capability.function == CapabilityFunction::RECEIVE_BUFFER)
        .map(|capability| {
            let size = usize::from(capability.compliance) | usize::from(capability.count) << 8;
            size.saturating_sub(FILE_FRAME_OVERHEAD).max(1)
        })
}

/// Whether `frame` is an `osdp_BUSY` without security block: the PD did not look at
/// the command, which goes again unchanged.
fn is_plain_busy(frame: &Frame) -> bool {
    frame.security.is_none() && frame.code == Reply::Busy.code() && frame.data.is_empty()
}
