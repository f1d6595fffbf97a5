//! One peripheral device: the frames for it in, its replies out.
//!
//! Owns [`PeripheralDevice`] and the path of a frame through it: addressing, the
//! sequence number verdict, the secure channel (handshake, opening, refusing clear
//! text), sealing the reply, remembering it for a repeat, and the link's online state;
//! and the bytes in: frames no longer than its receive buffer, a partial one dropped
//! after [`INTER_CHARACTER_GAP`](crate::osdp::INTER_CHARACTER_GAP) of silence. What
//! each command means is `command`'s business; it never reads a clock or blocks.

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

use super::event::PeripheralEvent;
use super::file::FileReceiver;
use super::report::{Report, Reports};
use super::sequence::{Link, Verdict};
use super::{PeripheralSetup, DEFAULT_OFFLINE_AFTER};
use crate::osdp::command::Command;
use crate::osdp::header::{Address, Direction};
use crate::osdp::reader::{FrameReader, DEFAULT_MAX_FRAME_LEN};
use crate::osdp::reply::{
    Capability, CapabilityFunction, DeviceId, Nak, NakCode, ReaderTamper, Reply,
};
use crate::osdp::secure::{PeripheralChannel, SecureError};
use crate::osdp::security_block::SecurityBlock;
use crate::osdp::Frame;

/// A source of random bytes (RND.B of the secure channel handshake).
pub type Entropy = Box<dyn FnMut(&mut [u8]) + Send>;

/// A PD: feed it the bytes of its bus, send what it answers, carry out its events.
///
/// ```
/// use std::time::Instant;
/// use accessctl_devices::osdp::peripheral::{PeripheralDevice, PeripheralSetup};
/// use accessctl_devices::osdp::{Address, Check, Command, DeviceId, Frame, Header, Reply, Sequence};
///
/// let address = Address::new(0x65).unwrap();
/// let setup = PeripheralSetup {
///     address,
///     scbk: None,
///     allow_install_mode: false,
///     id: DeviceId::default(),
///     capabilities: vec![],
///     max_file_len: 0,
/// };
/// let mut pd = PeripheralDevice::new(setup, Box::new(|bytes: &mut [u8]| bytes.fill(4)));
/// let poll = Frame::command(Header::command(address, Sequence::ZERO, Check::Crc16), &Command::Poll)?;
/// let answer = pd.handle_input(&poll.encode()?, Instant::now()).unwrap();
/// assert_eq!(Frame::decode(&answer)?.to_reply()?, Reply::Ack);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PeripheralDevice {
    pub(super) address: Address,
    pub(super) id: DeviceId,
    pub(super) capabilities: Vec<Capability>,
    pub(super) channel: PeripheralChannel,
    /// Whether the PD holds a key of its own: clear commands are then restricted.
    pub(super) keyed: bool,
    entropy: Entropy,
    reader: FrameReader,
    link: Link,
    pub(super) reports: Reports,
    pub(super) files: FileReceiver,
    pub(super) events: VecDeque<PeripheralEvent>,
    pub(super) inputs: Vec<u8>,
    pub(super) outputs: Vec<u8>,
    pub(super) readers: Vec<ReaderTamper>,
    pub(super) cp_max_reply: Option<u16>,
    pub(super) offline_after: Duration,
    last_command: Option<Instant>,
    online: bool,
    pub(super) session_expires: Option<Instant>,
    /// Whether `osdp_POLL` must answer `osdp_ACK` whatever waits.
    pub(super) reports_held: bool,
}

impl fmt::Debug for PeripheralDevice {
    /// Shows the state, never a key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeripheralDevice")
            .field("address", &self.address)
            .field("secure", &self.channel.is_established())
            .field("online", &self.online)
            .field("reports", &self.reports.len())
            .finish_non_exhaustive()
    }
}

impl PeripheralDevice {
    /// A PD as `setup` describes it, drawing its random numbers from `entropy`.
    pub fn new(setup: PeripheralSetup, entropy: Entropy) -> Self {
        let keyed = setup.scbk.as_ref().is_some_and(|key| !key.is_default());
        let mut channel = PeripheralChannel::new(setup.scbk, client_id(&setup.id));
        if setup.allow_install_mode {
            channel.allow_install_mode();
        }
        let count = |function| count_of(&setup.capabilities, function);
        Self {
            address: setup.address,
            id: setup.id,
            inputs: vec![0; count(CapabilityFunction::CONTACT_STATUS)],
            outputs: vec![0; count(CapabilityFunction::OUTPUT_CONTROL)],
            readers: vec![ReaderTamper::NORMAL; count(CapabilityFunction::READERS)],
            reader: FrameReader::with_max_len(receive_buffer(&setup.capabilities)),
            capabilities: setup.capabilities,
            channel,
            keyed,
            entropy,
            link: Link::default(),
            reports: Reports::default(),
            files: FileReceiver::new(setup.max_file_len),
            events: VecDeque::new(),
            cp_max_reply: None,
            offline_after: DEFAULT_OFFLINE_AFTER,
            last_command: None,
            online: false,
            session_expires: None,
            reports_held: false,
        }
    }

    /// Bytes from the bus, received at `now`: the reply bytes to send, when complete
    /// commands for this PD (or broadcast) arrived. Frames for other addresses, replies
    /// of other PDs and frames with a bad CRC or checksum get no answer.
    ///
    /// A frame announcing more than the PD's receive buffer (its
    /// [`RECEIVE_BUFFER`](CapabilityFunction::RECEIVE_BUFFER) capability, else
    /// [`DEFAULT_MAX_FRAME_LEN`]) is refused from its header; one that stops coming for
    /// [`INTER_CHARACTER_GAP`](crate::osdp::INTER_CHARACTER_GAP) is dropped, and the
    /// bytes after its start searched again for a command. Call it without bytes when
    /// the line stays silent: a command found then behind noise is answered.
    pub fn handle_input(&mut self, bytes: &[u8], now: Instant) -> Option<Vec<u8>> {
        self.reader.push_at(bytes, now);
        let mut out: Option<Vec<u8>> = None;
        while let Some(result) = self.reader.next_frame() {
            let Ok(frame) = result else { continue };
            if let Some(reply) = self.handle_frame(&frame, now) {
                out.get_or_insert_with(Vec::new).extend_from_slice(&reply);
            }
        }
        out
    }

    /// One decoded frame received at `now`: the reply bytes to send, if it is a command
    /// for this PD. A bus hosting several PDs hands each frame to the one it names.
    pub fn handle_frame(&mut self, frame: &Frame, now: Instant) -> Option<Vec<u8>> {
        let header = frame.header;
        if header.direction != Direction::Command
            || (header.address != self.address && !header.address.is_broadcast())
        {
            return None;
        }
        self.handle_timeout(now);
        self.mark_alive(now);
        let secure_before = self.is_secure();
        let bytes = match self.link.judge(header.sequence, frame.code) {
            Verdict::Repeat(bytes) => return Some(bytes),
            Verdict::OutOfOrder => return encode(&nak(frame, NakCode::SEQUENCE)?),
            Verdict::Reset => self.restart(frame, now),
            Verdict::Next => self.answer(frame, now),
        }?;
        self.link.answered(header.sequence, frame.code, &bytes);
        if self.is_secure() != secure_before {
            self.events.push_back(PeripheralEvent::Online {
                secure: self.is_secure(),
            });
        }
        Some(bytes)
    }

    /// Lets time pass: at `now`, a PD that heard nothing for `offline_after` goes
    /// offline (dropping any file transfer), and a secure channel session idle that
    /// long ends (unless `osdp_KEEPACTIVE` asked for longer).
    pub fn handle_timeout(&mut self, now: Instant) {
        let secure_before = self.is_secure();
        if self.session_expires.is_some_and(|expires| now >= expires) {
            self.channel.reset();
            self.session_expires = None;
        }
        if self.online && !self.is_online(now) {
            self.online = false;
            self.files.abort();
            self.events.push_back(PeripheralEvent::Offline);
        } else if self.online && secure_before && !self.is_secure() {
            self.events
                .push_back(PeripheralEvent::Online { secure: false });
        }
    }

    /// Queues something to report on a later `osdp_POLL` (oldest first). While the PD
    /// holds a key, reports go out only inside the secure channel.
    pub fn report(&mut self, report: Report) {
        self.reports.push(report);
    }

    /// The next event for the application, oldest first.
    pub fn next_event(&mut self) -> Option<PeripheralEvent> {
        self.events.pop_front()
    }

    /// Whether a command for this PD arrived within the last `offline_after`.
    pub fn is_online(&self, now: Instant) -> bool {
        self.last_command.is_some_and(|last| {
            now.checked_duration_since(last)
                .is_none_or(|idle| idle < self.offline_after)
        })
    }

    /// Whether a secure channel session is up.
    pub fn is_secure(&self) -> bool {
        self.channel.is_established()
    }

    /// How long without a command before the PD counts as offline (default
    /// [`DEFAULT_OFFLINE_AFTER`]); also how long a secure session may stay idle.
    pub fn set_offline_after(&mut self, offline_after: Duration) {
        self.offline_after = offline_after;
    }

    /// Whether the application judges each file received before the CP hears it
    /// processed (default: no, a whole file is answered processed at once). When it
    /// does, the last fragment and every empty fragment after it are answered
    /// "finishing" until [`PeripheralDevice::judge_file`] gives the verdict on the
    /// file of the [`PeripheralEvent::FileReceived`] event.
    pub fn set_judge_files(&mut self, judge: bool) {
        self.files.set_judged(judge);
    }

    /// The application's verdict on the file it was last given (with
    /// [`PeripheralDevice::set_judge_files`]): the CP's next fragment is answered
    /// "processed" when `accepted`, "unrecognized file contents" otherwise. `false`
    /// when no file awaits a verdict: none received, already judged, or the transfer
    /// was dropped since (`osdp_ABORT`, a link reset, offline).
    pub fn judge_file(&mut self, accepted: bool) -> bool {
        self.files.judge(accepted)
    }

    /// The longest frame the PD takes: its receive buffer.
    pub fn max_frame_len(&self) -> usize {
        receive_buffer(&self.capabilities)
    }

    /// The address this PD answers to (changed by `osdp_COMSET`).
    pub fn address(&self) -> Address {
        self.address
    }

    /// The largest reply the CP said it accepts (`osdp_ACURXSIZE`), if it said.
    pub fn cp_max_reply_len(&self) -> Option<u16> {
        self.cp_max_reply
    }

    /// Sets input `index` active or not, as `osdp_ISTATR` reports; `false` when the PD
    /// has no such input (see the contact status capability).
    pub fn set_input(&mut self, index: usize, active: bool) -> bool {
        set(&mut self.inputs, index, u8::from(active))
    }

    /// Sets output `index` active or not, as `osdp_OSTATR` reports; `false` when the
    /// PD has no such output (see the output control capability).
    pub fn set_output(&mut self, index: usize, active: bool) -> bool {
        set(&mut self.outputs, index, u8::from(active))
    }

    /// Sets the state of reader `index`, as `osdp_RSTATR` reports; `false` when the PD
    /// has no such reader (see the readers capability).
    pub fn set_reader(&mut self, index: usize, state: ReaderTamper) -> bool {
        set(&mut self.readers, index, state)
    }

    /// Keeps the secure channel session up until `until` at least.
    pub(super) fn extend_session(&mut self, until: Option<Instant>) {
        self.session_expires = self.session_expires.max(until);
    }

    fn mark_alive(&mut self, now: Instant) {
        self.last_command = Some(now);
        if !self.online {
            self.online = true;
            self.events.push_back(PeripheralEvent::Online {
                secure: self.is_secure(),
            });
        }
    }

    /// Sequence 0: the CP starts over; the reply bytes to `frame`.
    fn restart(&mut self, frame: &Frame, now: Instant) -> Option<Vec<u8>> {
        self.link.reset();
        self.channel.reset();
        self.session_expires = None;
        self.files.abort();
        // A retried sequence 0 is a new reset, not a repeat: a report given now could
        // be lost, so reports wait for sequence 1.
        self.reports_held = true;
        let answer = self.answer(frame, now);
        self.reports_held = false;
        answer
    }

    /// The reply bytes to `frame`, a command in its turn.
    fn answer(&mut self, frame: &Frame, now: Instant) -> Option<Vec<u8>> {
        let reply = match frame.security {
            Some(SecurityBlock::Scs11(_)) => self.challenge(frame),
            Some(SecurityBlock::Scs13(_)) => self.server_cryptogram(frame, now),
            Some(_) => self.sealed(frame, now),
            None => self.clear(frame, now),
        }?;
        encode(&reply)
    }

    fn challenge(&mut self, frame: &Frame) -> Option<Frame> {
        let mut pd_random = [0; 8];
        (self.entropy)(&mut pd_random);
        self.session_expires = None;
        match self.channel.accept_chlng(frame, pd_random) {
            Ok(reply) => Some(reply),
            Err(error) => nak(frame, error.nak_code()),
        }
    }

    fn server_cryptogram(&mut self, frame: &Frame, now: Instant) -> Option<Frame> {
        match self.channel.accept_scrypt(frame) {
            Ok(reply) => {
                self.session_expires = now.checked_add(self.offline_after);
                Some(reply)
            }
            Err(error) => nak(frame, error.nak_code()),
        }
    }

    /// A secured command: opened, carried out, its reply sealed. A failure to open
    /// ends the session and is answered in clear.
    fn sealed(&mut self, frame: &Frame, now: Instant) -> Option<Frame> {
        let reply = match self.channel.open(frame) {
            Ok(command) => {
                self.extend_session(now.checked_add(self.offline_after));
                self.execute(command, true, now)
            }
            // Authentic, but its data do not decode: the session goes on.
            Err(error @ SecureError::Payload(_)) => Reply::Nak(Nak::new(error.nak_code())),
            Err(error) => return nak(frame, error.nak_code()),
        };
        let header = frame.header.reply();
        match self.channel.seal(header, &reply) {
            Ok(sealed) => Some(sealed),
            Err(_) => self
                .channel
                .seal(header, &Reply::Nak(Nak::new(NakCode::RECORD)))
                .ok(),
        }
    }

    /// A command in clear: refused inside a session, and outside one when the PD holds
    /// a key, unless it may come in clear.
    fn clear(&mut self, frame: &Frame, now: Instant) -> Option<Frame> {
        if self.channel.is_established() {
            // Ends the session: clear text inside it is refused.
            let error = self.channel.open(frame).err()?;
            self.session_expires = None;
            return nak(frame, error.nak_code());
        }
        let command = match frame.to_command() {
            Ok(command) => command,
            Err(error) => return nak(frame, SecureError::Payload(error).nak_code()),
        };
        if self.keyed && !allowed_in_clear(&command) {
            return nak(frame, NakCode::SECURITY_CONDITIONS);
        }
        let reply = self.execute(command, false, now);
        Frame::reply(frame.header.reply(), &reply)
            .ok()
            .or_else(|| nak(frame, NakCode::RECORD))
    }
}

/// The commands a PD holding a key answers outside a secure channel.
fn allowed_in_clear(command: &Command) -> bool {
    matches!(
        command,
        Command::Poll | Command::Id(_) | Command::Cap(_) | Command::Chlng(_) | Command::Scrypt(_)
    )
}

/// The `osdp_NAK` in clear answering `frame`.
fn nak(frame: &Frame, code: NakCode) -> Option<Frame> {
    Frame::reply(frame.header.reply(), &Reply::Nak(Nak::new(code))).ok()
}

fn encode(frame: &Frame) -> Option<Vec<u8>> {
    frame.encode().ok()
}

/// The client UID a PD presents in the handshake: vendor code (first two bytes), model,
/// version, serial number (little-endian), as libosdp builds it.
fn client_id(id: &DeviceId) -> [u8; 8] {
    let [v0, v1, _] = id.vendor;
    let [s0, s1, s2, s3] = id.serial.to_le_bytes();
    [v0, v1, id.model, id.version, s0, s1, s2, s3]
}

/// The receive buffer the capabilities announce (low byte in the compliance, high byte
/// in the count), [`DEFAULT_MAX_FRAME_LEN`] when they announce none.
fn receive_buffer(capabilities: &[Capability]) -> usize {
    capabilities
        .iter()
        .find(|capability| capability.function == CapabilityFunction::RECEIVE_BUFFER)
        .map(|capability| usize::from(capability.compliance) | usize::from(capability.count) << 8)
        .filter(|&size| size > 0)
        .unwrap_or(DEFAULT_MAX_FRAME_LEN)
}

/// The count of the first capability with `function`, 0 without one.
fn count_of(capabilities: &[Capability], function: CapabilityFunction) -> usize {
    capabilities
        .iter()
        .find(|capability| capability.function == function)
        .map_or(0, |capability| usize::from(capability.count))
}

fn set<T>(slots: &mut [T], index: usize, value: T) -> bool {
    match slots.get_mut(index) {
        Some(slot) => {
            *slot = value;
            true
        }
        None => false,
    }
}
