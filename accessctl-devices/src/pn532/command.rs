//! PN532 commands and responses, typed: what goes inside an information frame.
//!
//! Owns [`Command`] (host to PN532), [`Response`] (PN532 to host; its code is the
//! command's plus one), [`TargetA`] (an ISO 14443-A target as `InListPassiveTarget`
//! and `InAutoPoll` describe it), the status byte's meaning ([`status`]) and
//! [`PayloadError`]. Offsets in errors count from the command or response code (byte
//! 0 of the frame's data). What it must never do: frame bytes (that is
//! [`super::frame`]) or decide what to send next (that is the client).

use std::fmt;

/// Command codes.
pub mod code {
    /// Diagnose (the communication line test echoes its parameters).
    pub const DIAGNOSE: u8 = 0x00;
    /// GetFirmwareVersion.
    pub const GET_FIRMWARE_VERSION: u8 = 0x02;
    /// GetGeneralStatus.
    pub const GET_GENERAL_STATUS: u8 = 0x04;
    /// ReadRegister.
    pub const READ_REGISTER: u8 = 0x06;
    /// WriteRegister.
    pub const WRITE_REGISTER: u8 = 0x08;
    /// SetParameters.
    pub const SET_PARAMETERS: u8 = 0x12;
    /// SAMConfiguration.
    pub const SAM_CONFIGURATION: u8 = 0x14;
    /// PowerDown.
    pub const POWER_DOWN: u8 = 0x16;
    /// RFConfiguration.
    pub const RF_CONFIGURATION: u8 = 0x32;
    /// InDataExchange.
    pub const IN_DATA_EXCHANGE: u8 = 0x40;
    /// InCommunicateThru.
    pub const IN_COMMUNICATE_THRU: u8 = 0x42;
    /// InDeselect.
    pub const IN_DESELECT: u8 = 0x44;
    /// InListPassiveTarget.
    pub const IN_LIST_PASSIVE_TARGET: u8 = 0x4A;
    /// InRelease.
    pub const IN_RELEASE: u8 = 0x52;
    /// InAutoPoll.
    pub const IN_AUTO_POLL: u8 = 0x60;
}

/// The status byte of `InDataExchange`, `InCommunicateThru`, `InDeselect` and
/// `InRelease` (its low 6 bits; bit 6 is "more information", bit 7 NAD).
pub mod status {
    /// Success.
    pub const OK: u8 = 0x00;
    /// The target did not answer in time.
    pub const TIMEOUT: u8 = 0x01;
    /// MIFARE authentication error (or a card refusing the operation).
    pub const MIFARE_ERROR: u8 = 0x14;
    /// The command is not acceptable in the current context (no target selected).
    pub const WRONG_CONTEXT: u8 = 0x27;
    /// The target has been released.
    pub const RELEASED: u8 = 0x29;
    /// The card disappeared from the field.
    pub const CARD_DISAPPEARED: u8 = 0x2B;

    /// The error code of a status byte (its low 6 bits).
    pub fn error(status: u8) -> u8 {
        status & 0x3F
    }
}

/// `InListPassiveTarget` modulation (BrTy) for ISO 14443-A at 106 kbit/s.
pub const BRTY_106_A: u8 = 0x00;

/// A command from the host to the PN532.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Command {
    /// Diagnose: a test number and its parameters (test 0 echoes them back).
    Diagnose {
        /// NumTst.
        test: u8,
        /// InParam.
        parameters: Vec<u8>,
    },
    /// GetFirmwareVersion.
    GetFirmwareVersion,
    /// GetGeneralStatus.
    GetGeneralStatus,
    /// ReadRegister of each address.
    ReadRegister {
        /// The registers (SFR or XRAM addresses).
        addresses: Vec<u16>,
    },
    /// WriteRegister: (address, value) pairs.
    WriteRegister {
        /// The writes.
        writes: Vec<(u16, u8)>,
    },
    /// SetParameters.
    SetParameters {
        /// The flags byte.
        flags: u8,
    },
    /// SAMConfiguration (mode 1: normal, no SAM).
    SamConfiguration {
        /// Mode.
        mode: u8,
        /// Timeout, in 50 ms steps (virtual card mode only), when sent.
        timeout: Option<u8>,
        /// Whether the IRQ pin is driven, when sent.
        irq: Option<u8>,
    },
    /// PowerDown.
    PowerDown {
        /// WakeUpEnable.
        wake_up_enable: u8,
        /// GenerateIRQ, when sent.
        generate_irq: Option<u8>,
    },
    /// RFConfiguration: a configuration item and its data.
    RfConfiguration {
        /// CfgItem.
        item: u8,
        /// ConfigurationData.
        data: Vec<u8>,
    },
    /// InListPassiveTarget.
    InListPassiveTarget {
        /// MaxTg (1 or 2).
        max_targets: u8,
        /// BrTy, the modulation ([`BRTY_106_A`] for the cards an encoder writes).
        modulation: u8,
        /// InitiatorData (for type A: a UID to select only that card).
        initiator_data: Vec<u8>,
    },
    /// InDataExchange with a target: a MIFARE command the PN532 passes on (handling
    /// Classic authentication itself).
    InDataExchange {
        /// Tg.
        target: u8,
        /// DataOut.
        data: Vec<u8>,
    },
    /// InCommunicateThru: raw bytes to the selected target.
    InCommunicateThru {
        /// DataOut.
        data: Vec<u8>,
    },
    /// InDeselect (0: every target).
    InDeselect {
        /// Tg.
        target: u8,
    },
    /// InRelease (0: every target).
    InRelease {
        /// Tg.
        target: u8,
    },
    /// InAutoPoll.
    InAutoPoll {
        /// PollNr (0xFF: forever).
        poll_count: u8,
        /// Period, in 150 ms steps.
        period: u8,
        /// The target types polled for.
        types: Vec<u8>,
    },
}

/// GetFirmwareVersion's answer (a PN532 v1.6 answers `32 01 06 07`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FirmwareVersion {
    /// IC: `0x32` for a PN532.
    pub ic: u8,
    /// Version.
    pub version: u8,
    /// Revision.
    pub revision: u8,
    /// Supported protocols (bits: ISO 14443-A, ISO 14443-B, ISO 18092).
    pub support: u8,
}

impl FirmwareVersion {
    /// A PN532 v1.6 as the chip reports itself.
    pub const PN532_V1_6: FirmwareVersion = FirmwareVersion {
        ic: 0x32,
        version: 0x01,
        revision: 0x06,
        support: 0x07,
    };
}

impl fmt::Display for FirmwareVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PN5{:02X} v{}.{} (support {:#04x})",
            self.ic, self.version, self.revision, self.support
        )
    }
}

/// A response from the PN532.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Response {
    /// Diagnose: what the test returned.
    Diagnose {
        /// OutParam.
        data: Vec<u8>,
    },
    /// GetFirmwareVersion.
    FirmwareVersion(FirmwareVersion),
    /// GetGeneralStatus, its bytes as sent.
    GeneralStatus {
        /// Err, Field, NbTg, targets, SAM status.
        data: Vec<u8>,
    },
    /// ReadRegister: one value per address.
    ReadRegister {
        /// The values.
        values: Vec<u8>,
    },
    /// WriteRegister done.
    WriteRegister,
    /// SetParameters done.
    SetParameters,
    /// SAMConfiguration done.
    SamConfiguration,
    /// PowerDown: its status.
    PowerDown {
        /// Status.
        status: u8,
    },
    /// RFConfiguration done.
    RfConfiguration,
    /// InListPassiveTarget: how many targets, then their data (as [`TargetA`] for
    /// type A, see [`Response::targets_a`]).
    InListPassiveTarget {
        /// NbTg.
        count: u8,
        /// TargetData of each.
        data: Vec<u8>,
    },
    /// InDataExchange: status, then what the target answered.
    InDataExchange {
        /// Status.
        status: u8,
        /// DataIn.
        data: Vec<u8>,
    },
    /// InCommunicateThru: status, then what the target answered.
    InCommunicateThru {
        /// Status.
        status: u8,
        /// DataIn.
        data: Vec<u8>,
    },
    /// InDeselect: status.
    InDeselect {
        /// Status.
        status: u8,
    },
    /// InRelease: status.
    InRelease {
        /// Status.
        status: u8,
    },
    /// InAutoPoll: each target found, its type and data.
    InAutoPoll {
        /// (type, TargetData) of each.
        targets: Vec<(u8, Vec<u8>)>,
    },
}

/// An ISO 14443-A target as `InListPassiveTarget` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TargetA {
    /// Tg, the number later commands name it by.
    pub number: u8,
    /// SENS_RES (ATQA), as sent.
    pub sens_res: [u8; 2],
    /// SEL_RES (SAK).
    pub sel_res: u8,
    /// NFCID1, the UID.
    pub uid: Vec<u8>,
    /// ATS, when the target speaks ISO 14443-4 (SAK bit `0x20`), its length byte
    /// included.
    pub ats: Option<Vec<u8>>,
}

impl TargetA {
    /// Its bytes in a response.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![
            self.number,
            self.sens_res[0],
            self.sens_res[1],
            self.sel_res,
        ];
        out.push(u8::try_from(self.uid.len()).unwrap_or(0));
        out.extend_from_slice(&self.uid);
        if let Some(ats) = &self.ats {
            out.extend_from_slice(ats);
        }
        out
    }

    /// Decodes `count` targets from `data`.
    pub fn decode_all(count: u8, data: &[u8], base: usize) -> Result<Vec<TargetA>, PayloadError> {
        let mut cursor = Cursor { data, at: 0, base };
        let mut targets = Vec::new();
        for _ in 0..count {
            let number = cursor.u8()?;
            let sens_res = [cursor.u8()?, cursor.u8()?];
            let sel_res = cursor.u8()?;
            let len = cursor.u8()?;
            let uid = cursor.take(usize::from(len))?.to_vec();
            let ats = if sel_res & 0x20 != 0 {
                let at = cursor.at;
                let len = cursor.u8()?;
                if len == 0 {
                    return Err(PayloadError::Invalid {
                        offset: base + at,
                        what: "ATS length 0",
                    });
                }
                let rest = cursor.take(usize::from(len) - 1)?;
                let mut ats = vec![len];
                ats.extend_from_slice(rest);
                Some(ats)
            } else {
                None
            };
            targets.push(TargetA {
                number,
                sens_res,
                sel_res,
                uid,
                ats,
            });
        }
        cursor.end()?;
        Ok(targets)
    }
}

/// Why a command's or response's data were refused. Offsets count from its code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// No code at all.
    #[error("empty frame data: no command or response code")]
    Empty,
    /// A code this crate does not know.
    #[error("unknown code `{code:#04x}` at offset 0")]
    UnknownCode {
        /// The code.
        code: u8,
    },
    /// Fewer bytes than the fields need.
    #[error("truncated at offset {offset}: {needed} more bytes needed")]
    Truncated {
        /// Where the missing bytes start.
        offset: usize,
        /// How many.
        needed: usize,
    },
    /// Bytes after the last field.
    #[error("{count} unexpected bytes at offset {offset}")]
    Trailing {
        /// Where they start.
        offset: usize,
        /// How many.
        count: usize,
    },
    /// A field's value is impossible.
    #[error("invalid value at offset {offset}: {what}")]
    Invalid {
        /// Where.
        offset: usize,
        /// What is wrong.
        what: &'static str,
    },
}

impl PayloadError {
    /// The byte offset of the problem (0 for the code).
    pub fn offset(&self) -> usize {
        match self {
            PayloadError::Empty | PayloadError::UnknownCode { .. } => 0,
            PayloadError::Truncated { offset, .. }
            | PayloadError::Trailing { offset, .. }
            | PayloadError::Invalid { offset, .. } => *offset,
        }
    }
}

struct Cursor<'a> {
    data: &'a [u8],
    at: usize,
    base: usize,
}

impl<'a> Cursor<'a> {
    fn new(data: &'a [u8]) -> Self {
        Cursor {
            data,
            at: 0,
            base: 1,
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], PayloadError> {
        let slice = self
            .data
            .get(self.at..self.at + n)
            .ok_or_else(|| PayloadError::Truncated {
                offset: self.base + self.data.len(),
                needed: (self.at + n).saturating_sub(self.data.len()),
            })?;
        self.at += n;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, PayloadError> {
        Ok(self.take(1)?.first().copied().unwrap_or(0))
    }

    fn optional(&mut self) -> Option<u8> {
        let value = self.data.get(self.at).copied();
        if value.is_some() {
            self.at += 1;
        }
        value
    }

    fn rest(&mut self) -> &'a [u8] {
        let rest = self.data.get(self.at..).unwrap_or_default();
        self.at = self.data.len();
        rest
    }

    fn end(&self) -> Result<(), PayloadError> {
        if self.at < self.data.len() {
            Err(PayloadError::Trailing {
                offset: self.base + self.at,
                count: self.data.len() - self.at,
            })
        } else {
            Ok(())
        }
    }
}

impl Command {
    /// The command code.
    pub fn code(&self) -> u8 {
        use code::*;
        match self {
            Command::Diagnose { .. } => DIAGNOSE,
            Command::GetFirmwareVersion => GET_FIRMWARE_VERSION,
            Command::GetGeneralStatus => GET_GENERAL_STATUS,
            Command::ReadRegister { .. } => READ_REGISTER,
            Command::WriteRegister { .. } => WRITE_REGISTER,
            Command::SetParameters { .. } => SET_PARAMETERS,
            Command::SamConfiguration { .. } => SAM_CONFIGURATION,
            Command::PowerDown { .. } => POWER_DOWN,
            Command::RfConfiguration { .. } => RF_CONFIGURATION,
            Command::InListPassiveTarget { .. } => IN_LIST_PASSIVE_TARGET,
            Command::InDataExchange { .. } => IN_DATA_EXCHANGE,
            Command::InCommunicateThru { .. } => IN_COMMUNICATE_THRU,
            Command::InDeselect { .. } => IN_DESELECT,
            Command::InRelease { .. } => IN_RELEASE,
            Command::InAutoPoll { .. } => IN_AUTO_POLL,
        }
    }

    /// Its bytes in a frame: the code, then the parameters.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![self.code()];
        match self {
            Command::Diagnose { test, parameters } => {
                out.push(*test);
                out.extend_from_slice(parameters);
            }
            Command::GetFirmwareVersion | Command::GetGeneralStatus => {}
            Command::ReadRegister { addresses } => {
                for address in addresses {
                    out.extend_from_slice(&address.to_be_bytes());
                }
            }
            Command::WriteRegister { writes } => {
                for (address, value) in writes {
                    out.extend_from_slice(&address.to_be_bytes());
                    out.push(*value);
                }
            }
            Command::SetParameters { flags } => out.push(*flags),
            Command::SamConfiguration { mode, timeout, irq } => {
                out.push(*mode);
                if let Some(timeout) = timeout {
                    out.push(*timeout);
                    out.extend(irq);
                }
            }
            Command::PowerDown {
                wake_up_enable,
                generate_irq,
            } => {
                out.push(*wake_up_enable);
                out.extend(generate_irq);
            }
            Command::RfConfiguration { item, data } => {
                out.push(*item);
                out.extend_from_slice(data);
            }
            Command::InListPassiveTarget {
                max_targets,
                modulation,
                initiator_data,
            } => {
                out.extend_from_slice(&[*max_targets, *modulation]);
                out.extend_from_slice(initiator_data);
            }
            Command::InDataExchange { target, data } => {
                out.push(*target);
                out.extend_from_slice(data);
            }
            Command::InCommunicateThru { data } => out.extend_from_slice(data),
            Command::InDeselect { target } | Command::InRelease { target } => out.push(*target),
            Command::InAutoPoll {
                poll_count,
                period,
                types,
            } => {
                out.extend_from_slice(&[*poll_count, *period]);
                out.extend_from_slice(types);
            }
        }
        out
    }

    /// Decodes a command from a frame's data (code first).
    pub fn decode(data: &[u8]) -> Result<Command, PayloadError> {
        use code::*;
        let (&code, rest) = data.split_first().ok_or(PayloadError::Empty)?;
        let mut c = Cursor::new(rest);
        let command = match code {
            DIAGNOSE => Command::Diagnose {
                test: c.u8()?,
                parameters: c.rest().to_vec(),
            },
            GET_FIRMWARE_VERSION => Command::GetFirmwareVersion,
            GET_GENERAL_STATUS => Command::GetGeneralStatus,
            READ_REGISTER => {
                if rest.len() % 2 != 0 {
                    return Err(PayloadError::Truncated {
                        offset: 1 + rest.len(),
                        needed: 1,
                    });
                }
                let addresses = rest
                    .chunks_exact(2)
                    .filter_map(|pair| <[u8; 2]>::try_from(pair).ok().map(u16::from_be_bytes))
                    .collect();
                c.rest();
                Command::ReadRegister { addresses }
            }
            WRITE_REGISTER => {
                if rest.len() % 3 != 0 {
                    return Err(PayloadError::Truncated {
                        offset: 1 + rest.len(),
                        needed: 3 - rest.len() % 3,
                    });
                }
                let writes = rest
                    .chunks_exact(3)
                    .filter_map(|t| match *t {
                        [high, low, value] => Some((u16::from_be_bytes([high, low]), value)),
                        _ => None,
                    })
                    .collect();
                c.rest();
                Command::WriteRegister { writes }
            }
            SET_PARAMETERS => Command::SetParameters { flags: c.u8()? },
            SAM_CONFIGURATION => {
                let mode = c.u8()?;
                let timeout = c.optional();
                let irq = c.optional();
                Command::SamConfiguration { mode, timeout, irq }
            }
            POWER_DOWN => Command::PowerDown {
                wake_up_enable: c.u8()?,
                generate_irq: c.optional(),
            },
            RF_CONFIGURATION => Command::RfConfiguration {
                item: c.u8()?,
                data: c.rest().to_vec(),
            },
            IN_LIST_PASSIVE_TARGET => Command::InListPassiveTarget {
                max_targets: c.u8()?,
                modulation: c.u8()?,
                initiator_data: c.rest().to_vec(),
            },
            IN_DATA_EXCHANGE => Command::InDataExchange {
                target: c.u8()?,
                data: c.rest().to_vec(),
            },
            IN_COMMUNICATE_THRU => Command::InCommunicateThru {
                data: c.rest().to_vec(),
            },
            IN_DESELECT => Command::InDeselect { target: c.u8()? },
            IN_RELEASE => Command::InRelease { target: c.u8()? },
            IN_AUTO_POLL => Command::InAutoPoll {
                poll_count: c.u8()?,
                period: c.u8()?,
                types: c.rest().to_vec(),
            },
            code => return Err(PayloadError::UnknownCode { code }),
        };
        c.end()?;
        Ok(command)
    }
}

impl Response {
    /// The response code (the command's plus one).
    pub fn code(&self) -> u8 {
        use code::*;
        1 + match self {
            Response::Diagnose { .. } => DIAGNOSE,
            Response::FirmwareVersion(_) => GET_FIRMWARE_VERSION,
            Response::GeneralStatus { .. } => GET_GENERAL_STATUS,
            Response::ReadRegister { .. } => READ_REGISTER,
            Response::WriteRegister => WRITE_REGISTER,
            Response::SetParameters => SET_PARAMETERS,
            Response::SamConfiguration => SAM_CONFIGURATION,
            Response::PowerDown { .. } => POWER_DOWN,
            Response::RfConfiguration => RF_CONFIGURATION,
            Response::InListPassiveTarget { .. } => IN_LIST_PASSIVE_TARGET,
            Response::InDataExchange { .. } => IN_DATA_EXCHANGE,
            Response::InCommunicateThru { .. } => IN_COMMUNICATE_THRU,
            Response::InDeselect { .. } => IN_DESELECT,
            Response::InRelease { .. } => IN_RELEASE,
            Response::InAutoPoll { .. } => IN_AUTO_POLL,
        }
    }

    /// Its bytes in a frame: the code, then the parameters.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![self.code()];
        match self {
            Response::Diagnose { data }
            | Response::GeneralStatus { data }
            | Response::ReadRegister { values: data } => out.extend_from_slice(data),
            Response::FirmwareVersion(v) => {
                out.extend_from_slice(&[v.ic, v.version, v.revision, v.support])
            }
            Response::WriteRegister
            | Response::SetParameters
            | Response::SamConfiguration
            | Response::RfConfiguration => {}
            Response::PowerDown { status }
            | Response::InDeselect { status }
            | Response::InRelease { status } => out.push(*status),
            Response::InListPassiveTarget { count, data } => {
                out.push(*count);
                out.extend_from_slice(data);
            }
            Response::InDataExchange { status, data }
            | Response::InCommunicateThru { status, data } => {
                out.push(*status);
                out.extend_from_slice(data);
            }
            Response::InAutoPoll { targets } => {
                out.push(u8::try_from(targets.len()).unwrap_or(0));
                for (kind, data) in targets {
                    out.push(*kind);
                    out.push(u8::try_from(data.len()).unwrap_or(0));
                    out.extend_from_slice(data);
                }
            }
        }
        out
    }

    /// Decodes a response from a frame's data (code first).
    pub fn decode(data: &[u8]) -> Result<Response, PayloadError> {
        use code::*;
        let (&response_code, rest) = data.split_first().ok_or(PayloadError::Empty)?;
        let mut c = Cursor::new(rest);
        let response = match response_code.wrapping_sub(1) {
            _ if response_code % 2 == 0 => {
                return Err(PayloadError::UnknownCode {
                    code: response_code,
                })
            }
            DIAGNOSE => Response::Diagnose {
                data: c.rest().to_vec(),
            },
            GET_FIRMWARE_VERSION => Response::FirmwareVersion(FirmwareVersion {
                ic: c.u8()?,
                version: c.u8()?,
                revision: c.u8()?,
                support: c.u8()?,
            }),
            GET_GENERAL_STATUS => Response::GeneralStatus {
                data: c.rest().to_vec(),
            },
            READ_REGISTER => Response::ReadRegister {
                values: c.rest().to_vec(),
            },
            WRITE_REGISTER => Response::WriteRegister,
            SET_PARAMETERS => Response::SetParameters,
            SAM_CONFIGURATION => Response::SamConfiguration,
            POWER_DOWN => Response::PowerDown { status: c.u8()? },
            RF_CONFIGURATION => Response::RfConfiguration,
            IN_LIST_PASSIVE_TARGET => Response::InListPassiveTarget {
                count: c.u8()?,
                data: c.rest().to_vec(),
            },
            IN_DATA_EXCHANGE => Response::InDataExchange {
                status: c.u8()?,
                data: c.rest().to_vec(),
            },
            IN_COMMUNICATE_THRU => Response::InCommunicateThru {
                status: c.u8()?,
                data: c.rest().to_vec(),
            },
            IN_DESELECT => Response::InDeselect { status: c.u8()? },
            IN_RELEASE => Response::InRelease { status: c.u8()? },
            IN_AUTO_POLL => {
                let count = c.u8()?;
                let mut targets = Vec::new();
                for _ in 0..count {
                    let kind = c.u8()?;
                    let len = c.u8()?;
                    targets.push((kind, c.take(usize::from(len))?.to_vec()));
                }
                Response::InAutoPoll { targets }
            }
            _ => {
                return Err(PayloadError::UnknownCode {
                    code: response_code,
                })
            }
        };
        c.end()?;
        Ok(response)
    }

    /// The type A targets of an `InListPassiveTarget` response (`None` for another
    /// response).
    pub fn targets_a(&self) -> Option<Result<Vec<TargetA>, PayloadError>> {
        match self {
            Response::InListPassiveTarget { count, data } => {
                Some(TargetA::decode_all(*count, data, 2))
            }
            _ => None,
        }
    }
}
