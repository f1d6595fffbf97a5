//! The host side of a PN532: one command at a time, its ACK, its response, timeouts;
//! and the [`CardIo`] operations over it.
//!
//! Owns [`Exchange`] (sans I/O: one command's progress, fed bytes and instants),
//! [`Pn532`] (the blocking driver over a [`Transport`]: wake-up, SAMConfiguration, the
//! firmware version, then commands), [`Timeouts`] and [`ClientError`]. A response
//! that arrives with a bad checksum is asked again with a NACK (once); a response
//! that arrives without its ACK is taken (the ACK was lost, the command was done); an
//! ACK or a response that does not come in time is a [`ClientError::Timeout`].
//!
//! What it must never do: retry a card operation on its own (a NACK asks the PN532 to
//! repeat its answer, not to repeat the operation), or panic on anything the PN532
//! sends.

use std::time::{Duration, Instant};

use super::command::{
    code, status, Command, FirmwareVersion, PayloadError, Response, TargetA, BRTY_106_A,
};
use super::frame::{Direction, Frame, FrameError, FrameReader, WAKE_UP};
use crate::card_io::{CardInField, CardIo, CardIoError, CardType, KeySlot};
use crate::transport::{Transport, TransportError};

/// How long the client waits for the PN532.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// From the end of a command to its ACK.
    pub ack: Duration,
    /// From the ACK to the response.
    pub response: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            ack: Duration::from_millis(200),
            response: Duration::from_millis(1000),
        }
    }
}

/// Why a command got no usable response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The transport failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// Nothing came in time.
    #[error("no {waiting_for} from the PN532 within {after:?}")]
    Timeout {
        /// `ACK` or `response`.
        waiting_for: &'static str,
        /// How long the client waited.
        after: Duration,
    },
    /// A response frame was malformed, and asking again did not help.
    #[error("malformed frame from the PN532: {0}")]
    Frame(FrameError),
    /// A response's data were malformed.
    #[error("malformed response from the PN532: {0}")]
    Payload(PayloadError),
    /// The PN532 answered its error frame (it could not parse the command).
    #[error("the PN532 refused command `{code:#04x}` (error frame)")]
    ErrorFrame {
        /// The command's code.
        code: u8,
    },
    /// A response to another command.
    #[error("response `{found:#04x}` to command `{command:#04x}`")]
    UnexpectedResponse {
        /// The command's code.
        command: u8,
        /// The response's code.
        found: u8,
    },
    /// A PN532 that does not say it is one (GetFirmwareVersion's IC is not `0x32`).
    #[error("not a PN532: the firmware version says IC `{ic:#04x}`")]
    NotPn532 {
        /// The IC byte.
        ic: u8,
    },
}

/// Where an [`Exchange`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    AwaitAck,
    AwaitResponse,
}

/// What an [`Exchange`] needs next, or its outcome.
#[derive(Debug)]
pub enum Progress {
    /// Nothing yet: wait for bytes until the deadline.
    Waiting {
        /// When to give up (call [`Exchange::handle_timeout`]).
        deadline: Instant,
    },
    /// Send these bytes (a NACK), then wait.
    Send(Vec<u8>),
    /// The response.
    Done(Response),
    /// The command failed.
    Failed(ClientError),
}

/// One command's progress, sans I/O: [`Exchange::start`] gives the bytes to send; the
/// bytes received go to [`Exchange::handle_input`]; a deadline passed, to
/// [`Exchange::handle_timeout`].
#[derive(Debug)]
pub struct Exchange {
    command: u8,
    stage: Stage,
    deadline: Instant,
    timeouts: Timeouts,
    reader: FrameReader,
    nacks_left: u8,
}

impl Exchange {
    /// Starts `command` at `now`; returns the exchange and the frame to send.
    pub fn start(command: &Command, timeouts: Timeouts, now: Instant) -> (Exchange, Vec<u8>) {
        let bytes = Frame::command(command.encode()).encode();
        let exchange = Exchange {
            command: command.code(),
            stage: Stage::AwaitAck,
            deadline: now + timeouts.ack,
            timeouts,
            reader: FrameReader::new(),
            nacks_left: 1,
        };
        (exchange, bytes)
    }

    /// When the exchange gives up if nothing more comes.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Bytes received at `now`.
    pub fn handle_input(&mut self, bytes: &[u8], now: Instant) -> Progress {
        self.reader.push(bytes);
        while let Some(frame) = self.reader.next_frame() {
            match frame {
                Ok(Frame::Ack) => {
                    if self.stage == Stage::AwaitAck {
                        self.stage = Stage::AwaitResponse;
                        self.deadline = now + self.timeouts.response;
                    }
                }
                Ok(Frame::Nack) => {}
                Ok(Frame::Error) => {
                    return Progress::Failed(ClientError::ErrorFrame { code: self.command })
                }
                Ok(Frame::Information {
                    direction: Direction::ToPn532,
                    ..
                }) => {}
                Ok(Frame::Information { data, .. }) => {
                    let found = data.first().copied().unwrap_or(0);
                    if found != self.command.wrapping_add(1) {
                        return Progress::Failed(ClientError::UnexpectedResponse {
                            command: self.command,
                            found,
                        });
                    }
                    return match Response::decode(&data) {
                        Ok(response) => Progress::Done(response),
                        Err(error) => Progress::Failed(ClientError::Payload(error)),
                    };
                }
                Err(error) => {
                    if self.nacks_left == 0 {
                        return Progress::Failed(ClientError::Frame(error));
                    }
                    self.nacks_left -= 1;
                    self.reader.clear();
                    self.stage = Stage::AwaitResponse;
                    self.deadline = now + self.timeouts.response;
                    return Progress::Send(Frame::Nack.encode());
                }
            }
        }
        Progress::Waiting {
            deadline: self.deadline,
        }
    }

    /// Time passed without bytes, up to `now`.
    pub fn handle_timeout(&mut self, now: Instant) -> Progress {
        if now < self.deadline {
            return Progress::Waiting {
                deadline: self.deadline,
            };
        }
        let (waiting_for, after) = match self.stage {
            Stage::AwaitAck => ("ACK", self.timeouts.ack),
            Stage::AwaitResponse => ("response", self.timeouts.response),
        };
        Progress::Failed(ClientError::Timeout { waiting_for, after })
    }
}

/// The largest read from the transport at once.
const READ_LEN: usize = 512;

/// A PN532 on a transport, driven from the host; a [`CardIo`] over it.
pub struct Pn532<T: Transport = Box<dyn Transport>> {
    transport: T,
    timeouts: Timeouts,
    firmware: FirmwareVersion,
    card: Option<CardInField>,
    /// Bytes exchanged on the wire (both ways), for the wire time of an operation.
    wire_bytes: u64,
}

impl<T: Transport> std::fmt::Debug for Pn532<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pn532")
            .field("transport", &self.transport.name())
            .field("firmware", &self.firmware)
            .field("card", &self.card)
            .finish()
    }
}

impl<T: Transport> Pn532<T> {
    /// Wakes the PN532 on `transport` up (HSU wake-up, SAMConfiguration normal mode)
    /// and reads its firmware version.
    pub fn open(transport: T, timeouts: Timeouts) -> Result<Self, ClientError> {
        let mut pn532 = Pn532 {
            transport,
            timeouts,
            firmware: FirmwareVersion::PN532_V1_6,
            card: None,
            wire_bytes: 0,
        };
        pn532.transport.send(&WAKE_UP)?;
        pn532.wire_bytes += WAKE_UP.len() as u64;
        pn532.transport.flush_input()?;
        pn532.execute(&Command::SamConfiguration {
            mode: 0x01,
            timeout: Some(0x14),
            irq: Some(0x01),
        })?;
        match pn532.execute(&Command::GetFirmwareVersion)? {
            Response::FirmwareVersion(version) if version.ic == 0x32 => pn532.firmware = version,
            Response::FirmwareVersion(version) => {
                return Err(ClientError::NotPn532 { ic: version.ic })
            }
            other => {
                return Err(ClientError::UnexpectedResponse {
                    command: code::GET_FIRMWARE_VERSION,
                    found: other.code(),
                })
            }
        }
        // Few retries on the air, so that a card gone is told quickly.
        pn532.execute(&Command::RfConfiguration {
            item: 0x05,
            data: vec![0xFF, 0x01, 0x02],
        })?;
        Ok(pn532)
    }

    /// The firmware version the PN532 reported.
    pub fn firmware(&self) -> FirmwareVersion {
        self.firmware
    }

    /// The transport (a test's simulated PN532, to inject faults).
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Bytes sent and received so far (frames, ACKs and the wake-up).
    pub fn wire_bytes(&self) -> u64 {
        self.wire_bytes
    }

    /// Sends `command` and waits for its response.
    pub fn execute(&mut self, command: &Command) -> Result<Response, ClientError> {
        let (mut exchange, bytes) = Exchange::start(command, self.timeouts, Instant::now());
        self.transport.send(&bytes)?;
        self.wire_bytes += bytes.len() as u64;
        let mut buf = [0u8; READ_LEN];
        loop {
            let now = Instant::now();
            let wait = exchange.deadline().saturating_duration_since(now);
            let n = self.transport.receive(&mut buf, wait)?;
            let progress = if n == 0 {
                exchange.handle_timeout(Instant::now())
            } else {
                self.wire_bytes += n as u64;
                exchange.handle_input(buf.get(..n).unwrap_or_default(), Instant::now())
            };
            match progress {
                Progress::Waiting { .. } => {}
                Progress::Send(bytes) => {
                    self.transport.send(&bytes)?;
                    self.wire_bytes += bytes.len() as u64;
                }
                Progress::Done(response) => return Ok(response),
                Progress::Failed(error) => return Err(error),
            }
        }
    }

    /// Closes as libnfc does: InRelease, RF field off, PowerDown.
    pub fn close(mut self) -> Result<(), ClientError> {
        self.execute(&Command::InRelease { target: 0 })?;
        self.execute(&Command::RfConfiguration {
            item: 0x01,
            data: vec![0x00],
        })?;
        self.execute(&Command::PowerDown {
            wake_up_enable: 0xF0,
            generate_irq: None,
        })?;
        Ok(())
    }

    fn link(error: ClientError) -> CardIoError {
        CardIoError::Link(error.to_string())
    }

    fn select(&mut self) -> Result<Option<TargetA>, CardIoError> {
        let response = self
            .execute(&Command::InListPassiveTarget {
                max_targets: 1,
                modulation: BRTY_106_A,
                initiator_data: Vec::new(),
            })
            .map_err(Self::link)?;
        let targets = response
            .targets_a()
            .unwrap_or(Ok(Vec::new()))
            .map_err(|e| Self::link(ClientError::Payload(e)))?;
        Ok(targets.into_iter().next())
    }

    /// After a failed card operation: selects the card again. `Ok` when the same card
    /// is still in the field; [`CardIoError::Removed`] otherwise.
    fn reselect(&mut self) -> Result<(), CardIoError> {
        let uid = self.card.as_ref().map(|c| c.uid.clone());
        match self.select()? {
            Some(target) if Some(&target.uid) == uid.as_ref() => Ok(()),
            _ => {
                self.card = None;
                Err(CardIoError::Removed)
            }
        }
    }

    fn require_card(&self) -> Result<Vec<u8>, CardIoError> {
        self.card
            .as_ref()
            .map(|c| c.uid.clone())
            .ok_or(CardIoError::NoCard)
    }

    /// One MIFARE command through InDataExchange (or InCommunicateThru with `raw`);
    /// a failure is told apart: the card gone, an authentication refused, a NAK.
    fn card_command(
        &mut self,
        data: Vec<u8>,
        raw: bool,
        address: u8,
        authentication: bool,
    ) -> Result<Vec<u8>, CardIoError> {
        self.require_card()?;
        let command = if raw {
            Command::InCommunicateThru { data }
        } else {
            Command::InDataExchange { target: 1, data }
        };
        let (code, data) = match self.execute(&command).map_err(Self::link)? {
            Response::InDataExchange { status, data }
            | Response::InCommunicateThru { status, data } => (status::error(status), data),
            other => {
                return Err(Self::link(ClientError::UnexpectedResponse {
                    command: command.code(),
                    found: other.code(),
                }))
            }
        };
        if code == status::OK {
            return Ok(data);
        }
        if matches!(code, status::CARD_DISAPPEARED | status::RELEASED) {
            self.card = None;
            return Err(CardIoError::Removed);
        }
        // A refused authentication halts a real card, and a timeout may be the card
        // gone: select it again to tell.
        self.reselect()?;
        if authentication {
            Err(CardIoError::AuthenticationFailed { block: address })
        } else {
            Err(CardIoError::Nak { address, code })
        }
    }

    fn fixed<const N: usize>(data: Vec<u8>, address: u8) -> Result<[u8; N], CardIoError> {
        let len = data.len();
        data.try_into().map_err(|_| {
            CardIoError::Link(format!(
                "the card answered {len} bytes for block or page {address}, expected {N}"
            ))
        })
    }
}

impl<T: Transport> CardIo for Pn532<T> {
    fn detect(&mut self) -> Result<Option<CardInField>, CardIoError> {
        self.card = None;
        let Some(TargetA {
            uid,
            sel_res: sak,
            sens_res: atqa,
            ..
        }) = self.select()?
        else {
            return Ok(None);
        };
        let card_type = match (sak, atqa) {
            (0x08, _) => CardType::Classic1k,
            (0x18, _) => CardType::Classic4k,
            (0x00, [0x00, 0x44]) => {
                self.card = Some(CardInField {
                    card_type: CardType::Ntag215,
                    uid: uid.clone(),
                });
                let version = self.card_command(vec![0x60], true, 0, false)?;
                match version.get(6) {
                    Some(0x11) => CardType::Ntag215,
                    Some(0x13) => CardType::Ntag216,
                    _ => {
                        self.card = None;
                        return Err(CardIoError::Link(format!(
                            "unsupported NFC Forum Type 2 tag (version {version:02X?})"
                        )));
                    }
                }
            }
            _ => {
                return Err(CardIoError::Link(format!(
                    "unsupported card: SAK {sak:#04x}, ATQA {:02X}{:02X}",
                    atqa[0], atqa[1]
                )))
            }
        };
        let card = CardInField { card_type, uid };
        self.card = Some(card.clone());
        Ok(Some(card))
    }

    fn authenticate(&mut self, block: u8, slot: KeySlot, key: [u8; 6]) -> Result<(), CardIoError> {
        let uid = self.require_card()?;
        let mut data = vec![slot.command(), block];
        data.extend_from_slice(&key);
        // The last four bytes of the UID (all of a 4-byte one).
        data.extend_from_slice(uid.get(uid.len().saturating_sub(4)..).unwrap_or_default());
        self.card_command(data, false, block, true).map(|_| ())
    }

    fn read_block(&mut self, block: u8) -> Result<[u8; 16], CardIoError> {
        let data = self.card_command(vec![0x30, block], false, block, false)?;
        Self::fixed(data, block)
    }

    fn write_block(&mut self, block: u8, data: [u8; 16]) -> Result<(), CardIoError> {
        let mut command = vec![0xA0, block];
        command.extend_from_slice(&data);
        self.card_command(command, false, block, false).map(|_| ())
    }

    fn read_pages(&mut self, page: u8) -> Result<[u8; 16], CardIoError> {
        let data = self.card_command(vec![0x30, page], false, page, false)?;
        Self::fixed(data, page)
    }

    fn write_page(&mut self, page: u8, data: [u8; 4]) -> Result<(), CardIoError> {
        let mut command = vec![0xA2, page];
        command.extend_from_slice(&data);
        self.card_command(command, false, page, false).map(|_| ())
    }

    fn password_auth(&mut self, password: [u8; 4]) -> Result<[u8; 2], CardIoError> {
        let mut command = vec![0x1B];
        command.extend_from_slice(&password);
        let data = self.card_command(command, true, 0, true)?;
        Self::fixed(data, 0)
    }

    fn release(&mut self) -> Result<(), CardIoError> {
        self.card = None;
        self.execute(&Command::InRelease { target: 0 })
            .map_err(Self::link)
            .map(|_| ())
    }
}
