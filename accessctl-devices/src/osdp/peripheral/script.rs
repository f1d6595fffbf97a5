//! A scripted control panel for the PD's tests: builds commands with the codec and the
//! CP side of the secure channel, numbers them, and reads the PD's replies. Test-only.

use std::time::Instant;

use super::{PeripheralDevice, PeripheralSetup};
use crate::osdp::command::Command;
use crate::osdp::reply::{Capability, CapabilityFunction, DeviceId, Reply};
use crate::osdp::secure::{ControlPanelChannel, Scbk};
use crate::osdp::{Address, Check, Frame, Header, Sequence};

/// A known key for the tests.
pub(super) const KEY: [u8; 16] = [0x5A; 16];

/// A PD setup at `address` with three inputs, two outputs, one reader.
pub(super) fn setup(address: u8, scbk: Option<Scbk>) -> PeripheralSetup {
    let capability = |function, count| Capability {
        function,
        compliance: 1,
        count,
    };
    PeripheralSetup {
        address: Address::new(address).unwrap(),
        scbk,
        allow_install_mode: false,
        id: DeviceId {
            vendor: [0x0A, 0x0B, 0x0C],
            model: 2,
            version: 3,
            serial: 0x1234_5678,
            firmware: [1, 0, 7],
        },
        capabilities: vec![
            capability(CapabilityFunction::CONTACT_STATUS, 3),
            capability(CapabilityFunction::OUTPUT_CONTROL, 2),
            capability(CapabilityFunction::READERS, 1),
            capability(CapabilityFunction::COMMUNICATION_SECURITY, 1),
        ],
        max_file_len: 16,
    }
}

/// A PD drawing a fixed, known stream of random bytes.
pub(super) fn device(setup: PeripheralSetup) -> PeripheralDevice {
    let mut counter = 0u8;
    PeripheralDevice::new(
        setup,
        Box::new(move |bytes: &mut [u8]| {
            for byte in bytes {
                counter = counter.wrapping_add(1);
                *byte = counter;
            }
        }),
    )
}

/// The CP of one PD.
pub(super) struct Cp {
    pub(super) address: Address,
    pub(super) sequence: Sequence,
    pub(super) channel: Option<ControlPanelChannel>,
}

impl Cp {
    pub(super) fn new(address: u8) -> Self {
        Self {
            address: Address::new(address).unwrap(),
            sequence: Sequence::ZERO,
            channel: None,
        }
    }

    /// The header of a command numbered `sequence`.
    pub(super) fn header(&self, sequence: u8) -> Header {
        Header::command(self.address, Sequence::new(sequence).unwrap(), Check::Crc16)
    }

    /// The header of the next command (1, 2, 3, 1, …).
    pub(super) fn next_header(&mut self) -> Header {
        self.sequence = self.sequence.next();
        Header::command(self.address, self.sequence, Check::Crc16)
    }

    /// `command` as the next frame, sealed when a session is up.
    pub(super) fn frame(&mut self, command: &Command) -> Frame {
        let header = self.next_header();
        self.frame_with(header, command)
    }

    /// `command` with `header`, sealed when a session is up.
    pub(super) fn frame_with(&mut self, header: Header, command: &Command) -> Frame {
        match self
            .channel
            .as_mut()
            .filter(|channel| channel.is_established())
        {
            Some(channel) => channel.seal(header, command).unwrap(),
            None => Frame::command(header, command).unwrap(),
        }
    }

    /// The reply `bytes` carry, opened if sealed.
    pub(super) fn read(&mut self, bytes: &[u8]) -> Reply {
        let frame = Frame::decode(bytes).unwrap();
        match (&mut self.channel, frame.security) {
            (Some(channel), Some(_)) => channel.open(&frame).unwrap(),
            (channel, _) => {
                if let Some(channel) = channel {
                    channel.reset();
                }
                frame.to_reply().unwrap()
            }
        }
    }

    /// Sends `command` as the next frame; the PD's reply.
    pub(super) fn ask(
        &mut self,
        pd: &mut PeripheralDevice,
        command: &Command,
        now: Instant,
    ) -> Reply {
        let bytes = self.frame(command).encode().unwrap();
        let answer = pd.handle_input(&bytes, now).expect("the PD answers");
        self.read(&answer)
    }

    /// Runs the handshake with `key` (SCBK-D: install mode); the PD's refusal, if any.
    pub(super) fn handshake(
        &mut self,
        pd: &mut PeripheralDevice,
        key: &Scbk,
        now: Instant,
    ) -> Result<(), Reply> {
        let mut channel = if key.is_default() {
            ControlPanelChannel::install_mode()
        } else {
            ControlPanelChannel::new(key.clone()).unwrap()
        };
        let header = self.next_header();
        let chlng = channel.challenge(header, [0xB0; 8]).unwrap();
        let ccrypt =
            Frame::decode(&pd.handle_input(&chlng.encode().unwrap(), now).unwrap()).unwrap();
        let sent = self.sequence;
        let header = self.next_header();
        let scrypt = channel.accept_ccrypt(&ccrypt, header).map_err(|_| {
            self.sequence = sent; // nothing sent after all
            ccrypt.to_reply().unwrap()
        })?;
        let rmac_i =
            Frame::decode(&pd.handle_input(&scrypt.encode().unwrap(), now).unwrap()).unwrap();
        channel
            .accept_rmac_i(&rmac_i)
            .map_err(|_| rmac_i.to_reply().unwrap())?;
        self.channel = Some(channel);
        Ok(())
    }
}
