//! A simulated PN532: answers a host's frames as the chip does, with a simulated card
//! in its field, and injects faults.
//!
//! Owns [`SimPn532`] (sans I/O: fed bytes and instants, returns the bytes to send; run
//! it on a transport with [`crate::sim::SimLink`]), [`Faults`] and the simulated
//! cards of [`card`]. It acknowledges every well-formed command with an ACK, then
//! answers it; a command it cannot parse gets the error frame; a host's NACK gets the
//! last response again; a frame with a bad checksum gets nothing (the host times out).
//! It answers what libnfc 1.8.0 sends when it opens, lists, reads and closes: Diagnose
//! (echo), GetFirmwareVersion (`32 01 06 07`), SetParameters, ReadRegister and
//! WriteRegister (values kept), SAMConfiguration, RFConfiguration, InListPassiveTarget
//! (type A at 106 kbit/s; other modulations find nothing), InAutoPoll (which waits for a card as the chip
//! polls: see [`SimPn532::poll`]), InDataExchange,
//! InCommunicateThru, InDeselect, InRelease and PowerDown.
//!
//! What it must never do: panic on any byte a host sends, or decide anything about the
//! card's contents (the card's rules are [`card`]'s).

pub mod card;

use std::collections::HashMap;
use std::time::Instant;

use super::command::{status, Command, FirmwareVersion, Response, TargetA, BRTY_106_A};
use super::frame::{Frame, FrameReader};
use crate::sim::SimDevice;
use card::{ExchangeError, SimCard};

/// Faults the simulated PN532 injects, each counted down as it fires.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// The next this many responses go out with a wrong data checksum (the ACK is
    /// sent intact).
    pub bad_checksums: u32,
    /// The next this many ACKs are not sent (the response is).
    pub dropped_acks: u32,
    /// The next this many commands get no answer at all: neither ACK nor response.
    pub silences: u32,
}

/// The InAutoPoll target type for a MIFARE card (ISO 14443-A, 106 kbit/s).
const AUTO_POLL_MIFARE: u8 = 0x10;

/// A simulated PN532 v1.6 on a serial line, with a card.
#[derive(Debug, Clone)]
pub struct SimPn532 {
    card: SimCard,
    reader: FrameReader,
    last_response: Option<Vec<u8>>,
    registers: HashMap<u16, u8>,
    /// Whether InListPassiveTarget or InAutoPoll selected the card as target 1.
    target: bool,
    faults: Faults,
    /// Commands answered (every well-formed one), for tests.
    commands: u64,
    /// An InAutoPoll waiting for a card: its types and when it gives up (`None`:
    /// never).
    polling: Option<(Vec<u8>, Option<Instant>)>,
}

impl SimPn532 {
    /// A PN532 with `card` in (or near) its field.
    pub fn new(card: SimCard) -> Self {
        SimPn532 {
            card,
            reader: FrameReader::new(),
            last_response: None,
            registers: HashMap::new(),
            target: false,
            faults: Faults::default(),
            commands: 0,
            polling: None,
        }
    }

    /// The card.
    pub fn card(&self) -> &SimCard {
        &self.card
    }

    /// The card, to change it (take it out of the field, inject a removal).
    pub fn card_mut(&mut self) -> &mut SimCard {
        &mut self.card
    }

    /// The faults still to inject.
    pub fn faults_mut(&mut self) -> &mut Faults {
        &mut self.faults
    }

    /// How many well-formed commands it answered.
    pub fn commands(&self) -> u64 {
        self.commands
    }

    /// Bytes from the host; returns what the PN532 sends back (ACKs and responses,
    /// possibly several frames), if anything.
    pub fn handle_input(&mut self, bytes: &[u8], now: Instant) -> Option<Vec<u8>> {
        self.reader.push(bytes);
        let mut out = Vec::new();
        while let Some(frame) = self.reader.next_frame() {
            match frame {
                Ok(Frame::Nack) => {
                    if let Some(last) = self.last_response.clone() {
                        out.extend(self.maybe_corrupt(last));
                    }
                }
                // An ACK from the host aborts the command in progress.
                Ok(Frame::Ack) => self.polling = None,
                Ok(Frame::Error) | Err(_) => {}
                Ok(Frame::Information { direction, data }) => {
                    if direction != super::frame::Direction::ToPn532 {
                        continue;
                    }
                    self.polling = None;
                    self.answer(&data, now, &mut out);
                }
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// Lets time pass: an InAutoPoll waiting for a card answers once one is in the
    /// field, or with no target when its polls are over.
    pub fn poll(&mut self, now: Instant) -> Option<Vec<u8>> {
        let (types, deadline) = self.polling.take()?;
        let response = match self.auto_poll(&types) {
            Some(response) => response,
            None if deadline.is_some_and(|deadline| now >= deadline) => Response::InAutoPoll {
                targets: Vec::new(),
            },
            None => {
                self.polling = Some((types, deadline));
                return None;
            }
        };
        let frame = Frame::response(response.encode()).encode();
        self.last_response = Some(frame.clone());
        Some(self.maybe_corrupt(frame))
    }

    /// The card, when it is in the field and one of `types` finds it.
    fn auto_poll(&mut self, types: &[u8]) -> Option<Response> {
        let mifare = types.iter().any(|t| matches!(*t, 0x00 | AUTO_POLL_MIFARE));
        if mifare && self.card.select() {
            self.target = true;
            Some(Response::InAutoPoll {
                targets: vec![(AUTO_POLL_MIFARE, self.target_a().encode())],
            })
        } else {
            None
        }
    }

    fn answer(&mut self, data: &[u8], now: Instant, out: &mut Vec<u8>) {
        if self.faults.silences > 0 {
            self.faults.silences -= 1;
            return;
        }
        if self.faults.dropped_acks > 0 {
            self.faults.dropped_acks -= 1;
        } else {
            out.extend_from_slice(&Frame::Ack.encode());
        }
        let response = match Command::decode(data) {
            Ok(Command::InAutoPoll {
                poll_count,
                period,
                types,
            }) => {
                self.commands += 1;
                self.target = false;
                match self.auto_poll(&types) {
                    Some(response) => Frame::response(response.encode()).encode(),
                    None => {
                        // The chip polls PollNr times, Period x 150 ms each (0xFF: until
                        // a card comes).
                        let polls = u32::from(poll_count) * u32::from(period.max(1));
                        let deadline = (poll_count != 0xFF).then(|| {
                            now + std::time::Duration::from_millis(150 * u64::from(polls))
                        });
                        self.polling = Some((types, deadline));
                        return;
                    }
                }
            }
            Ok(command) => {
                self.commands += 1;
                Frame::response(self.execute(command).encode()).encode()
            }
            Err(_) => Frame::Error.encode(),
        };
        self.last_response = Some(response.clone());
        out.extend(self.maybe_corrupt(response));
    }

    /// A response as sent: with a wrong data checksum while that fault lasts.
    fn maybe_corrupt(&mut self, mut response: Vec<u8>) -> Vec<u8> {
        if self.faults.bad_checksums > 0 {
            self.faults.bad_checksums -= 1;
            let dcs = response.len().saturating_sub(2);
            if let Some(byte) = response.get_mut(dcs) {
                *byte ^= 0x5A;
            }
        }
        response
    }

    fn target_a(&self) -> TargetA {
        let (sak, atqa) = self.card.sak_atqa();
        TargetA {
            number: 1,
            sens_res: atqa,
            sel_res: sak,
            uid: self.card.uid().to_vec(),
            ats: None,
        }
    }

    fn exchange_status(result: Result<Vec<u8>, ExchangeError>) -> (u8, Vec<u8>) {
        match result {
            Ok(data) => (status::OK, data),
            Err(ExchangeError::NoAnswer) => (status::TIMEOUT, Vec::new()),
            Err(ExchangeError::Authentication | ExchangeError::Nak(_)) => {
                (status::MIFARE_ERROR, Vec::new())
            }
        }
    }

    /// Carries out one command.
    fn execute(&mut self, command: Command) -> Response {
        match command {
            Command::Diagnose { test, parameters } => {
                let mut data = vec![test];
                data.extend(parameters);
                Response::Diagnose { data }
            }
            Command::GetFirmwareVersion => Response::FirmwareVersion(FirmwareVersion::PN532_V1_6),
            Command::GetGeneralStatus => Response::GeneralStatus {
                data: vec![0x00, 0x01, u8::from(self.target), 0x00],
            },
            Command::ReadRegister { addresses } => Response::ReadRegister {
                values: addresses
                    .iter()
                    .map(|a| self.registers.get(a).copied().unwrap_or(0))
                    .collect(),
            },
            Command::WriteRegister { writes } => {
                self.registers.extend(writes);
                Response::WriteRegister
            }
            Command::SetParameters { .. } => Response::SetParameters,
            Command::SamConfiguration { .. } => Response::SamConfiguration,
            Command::RfConfiguration { .. } => Response::RfConfiguration,
            Command::PowerDown { .. } => {
                self.release();
                Response::PowerDown { status: status::OK }
            }
            Command::InListPassiveTarget {
                modulation,
                initiator_data,
                ..
            } => {
                self.target = false;
                let wanted = initiator_data.is_empty() || initiator_data == self.card.uid();
                if modulation == BRTY_106_A && wanted && self.card.select() {
                    self.target = true;
                    Response::InListPassiveTarget {
                        count: 1,
                        data: self.target_a().encode(),
                    }
                } else {
                    Response::InListPassiveTarget {
                        count: 0,
                        data: Vec::new(),
                    }
                }
            }
            Command::InAutoPoll { types, .. } => {
                self.target = false;
                self.auto_poll(&types).unwrap_or(Response::InAutoPoll {
                    targets: Vec::new(),
                })
            }
            Command::InDataExchange { target, data } => {
                if !self.target || target != 1 {
                    return Response::InDataExchange {
                        status: status::WRONG_CONTEXT,
                        data: Vec::new(),
                    };
                }
                let (status, data) = Self::exchange_status(self.card.exchange(&data, false));
                Response::InDataExchange { status, data }
            }
            Command::InCommunicateThru { data } => {
                if !self.target {
                    return Response::InCommunicateThru {
                        status: status::WRONG_CONTEXT,
                        data: Vec::new(),
                    };
                }
                let (status, data) = Self::exchange_status(self.card.exchange(&data, true));
                Response::InCommunicateThru { status, data }
            }
            Command::InDeselect { .. } => {
                self.release();
                Response::InDeselect { status: status::OK }
            }
            Command::InRelease { .. } => {
                self.release();
                Response::InRelease { status: status::OK }
            }
        }
    }

    fn release(&mut self) {
        self.target = false;
        self.card.halt();
    }
}

impl SimDevice for SimPn532 {
    fn handle_input(&mut self, bytes: &[u8], now: Instant) -> Option<Vec<u8>> {
        SimPn532::handle_input(self, bytes, now)
    }

    fn handle_timeout(&mut self, _now: Instant) {}
}

/// A transport whose peer is a [`SimPn532`] in the same thread: what is sent is
/// answered at once, and the answer waits to be received. No clock, no thread, no
/// pseudo-terminal: for tests and benchmarks of the client.
#[derive(Debug)]
pub struct SimTransport {
    /// The simulated PN532 answering.
    pub device: SimPn532,
    pending: std::collections::VecDeque<u8>,
}

impl SimTransport {
    /// A transport to `device`.
    pub fn new(device: SimPn532) -> Self {
        SimTransport {
            device,
            pending: std::collections::VecDeque::new(),
        }
    }
}

impl crate::transport::Transport for SimTransport {
    fn name(&self) -> &str {
        "sim:pn532"
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), crate::transport::TransportError> {
        if let Some(reply) = self.device.handle_input(bytes, Instant::now()) {
            self.pending.extend(reply);
        }
        Ok(())
    }

    fn receive(
        &mut self,
        buf: &mut [u8],
        _timeout: std::time::Duration,
    ) -> Result<usize, crate::transport::TransportError> {
        let count = buf.len().min(self.pending.len());
        for (slot, byte) in buf.iter_mut().zip(self.pending.drain(..count)) {
            *slot = byte;
        }
        Ok(count)
    }

    fn flush_input(&mut self) -> Result<(), crate::transport::TransportError> {
        self.pending.clear();
        Ok(())
    }
}
