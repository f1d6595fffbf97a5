//! What a PD answers to each command, once the command is known to be authentic and in
//! its turn.
//!
//! Owns `PeripheralDevice::execute`: one arm per command code, giving the reply and
//! queueing the events the application must act on. It never looks at framing,
//! sequence numbers or the MAC chain (see `device`), and never carries out an output,
//! a LED or a baud rate change itself.

use std::time::{Duration, Instant};

use super::device::PeripheralDevice;
use super::event::PeripheralEvent;
use crate::osdp::command::{ComSettings, Command, KeySet, KeyType};
use crate::osdp::header::Address;
use crate::osdp::reply::{InputStatus, Nak, NakCode, OutputStatus, ReaderStatus, Reply};

impl PeripheralDevice {
    /// Carries out `command` (received sealed when `secure`) at `now`: its reply.
    pub(super) fn execute(&mut self, command: Command, secure: bool, now: Instant) -> Reply {
        match command {
            Command::Poll => self.poll(secure),
            Command::Id(_) => Reply::PdId(self.id),
            Command::Cap(_) => Reply::PdCap(self.capabilities.clone()),
            Command::LStat => Reply::LStatR(self.reports.local_status()),
            Command::IStat => Reply::IStatR(InputStatus(self.inputs.clone())),
            Command::OStat => Reply::OStatR(OutputStatus(self.outputs.clone())),
            Command::RStat => Reply::RStatR(ReaderStatus(self.readers.clone())),
            Command::Out(records) => self.acknowledge(PeripheralEvent::Output(records)),
            Command::Led(records) => self.acknowledge(PeripheralEvent::Led(records)),
            Command::Buz(buzzer) => self.acknowledge(PeripheralEvent::Buzzer(buzzer)),
            Command::Text(text) => self.acknowledge(PeripheralEvent::Text(text)),
            Command::ComSet(settings) => self.com_set(settings),
            Command::KeySet(key_set) => self.key_set(key_set, secure),
            // A handshake message without its security block, or inside a session.
            Command::Chlng(_) | Command::Scrypt(_) => nak(NakCode::SECURITY_CONDITIONS),
            Command::AcuRxSize(size) => {
                self.cp_max_reply = Some(size.max_len);
                Reply::Ack
            }
            Command::FileTransfer(fragment) => {
                let (status, file) = self.files.receive(&fragment);
                if let Some((file_type, contents)) = file {
                    self.events.push_back(PeripheralEvent::FileReceived {
                        file_type,
                        contents,
                    });
                }
                Reply::FtStat(status)
            }
            Command::Mfg(_) => nak(NakCode::UNKNOWN_COMMAND),
            Command::Abort => {
                self.files.abort();
                Reply::Ack
            }
            Command::KeepActive(keep) => {
                if secure {
                    let longer = self
                        .offline_after
                        .saturating_add(Duration::from_millis(keep.millis.into()));
                    self.extend_session(now.checked_add(longer));
                }
                Reply::Ack
            }
        }
    }

    /// `osdp_POLL`: the oldest report, or `osdp_ACK`. A PD holding a key reports only
    /// inside the secure channel; no PD reports in answer to sequence 0.
    fn poll(&mut self, secure: bool) -> Reply {
        if (secure || !self.keyed) && !self.reports_held {
            self.reports.pop().unwrap_or(Reply::Ack)
        } else {
            Reply::Ack
        }
    }

    fn acknowledge(&mut self, event: PeripheralEvent) -> Reply {
        self.events.push_back(event);
        Reply::Ack
    }

    /// `osdp_COMSET`: the new address is in force from the next command (this reply
    /// still carries the old one); the baud rate is the application's to switch.
    fn com_set(&mut self, settings: ComSettings) -> Reply {
        let address = Address::new(settings.address).filter(|address| !address.is_broadcast());
        match address {
            Some(address) if settings.baud_rate != 0 => {
                self.address = address;
                self.events.push_back(PeripheralEvent::ComSet(settings));
                Reply::Com(settings)
            }
            _ => nak(NakCode::RECORD),
        }
    }

    /// `osdp_KEYSET`: only inside a secure channel; the key is used from the next
    /// handshake on, and the session under way goes on.
    fn key_set(&mut self, key_set: KeySet, secure: bool) -> Reply {
        if !secure {
            return nak(NakCode::SECURITY_CONDITIONS);
        }
        if key_set.key_type != KeyType::SCBK {
            return nak(NakCode::RECORD);
        }
        if self.channel.set_key(key_set.key.clone()).is_err() {
            return nak(NakCode::SECURITY_CONDITIONS);
        }
        self.keyed = true;
        self.acknowledge(PeripheralEvent::KeySet(key_set.key))
    }
}

fn nak(code: NakCode) -> Reply {
    Reply::Nak(Nak::new(code))
}
