//! Why a PD is not usable, or why one of its reports was refused.
//!
//! Owns [`PdFault`], the typed cause the control panel gives with
//! [`ControlPanelEvent::Fault`](super::ControlPanelEvent::Fault), and [`ReaderRange`],
//! the reader numbers a PD's `osdp_PDCAP` declares. It judges nothing itself and never
//! carries a key, a cryptogram or the bytes of a report.

use std::fmt;

use crate::osdp::reply::{Capability, CapabilityFunction};
use crate::osdp::secure::SecureError;

/// What is wrong with a PD, as the control panel found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PdFault {
    /// The secure-channel handshake failed on the cryptograms: the PD holds another
    /// key than the one the CP was given.
    WrongKey,
    /// The PD answered the challenge with something else than its cryptogram (a NAK,
    /// a reply in clear): it has no key or does not open a secure channel.
    NoSecureChannel,
    /// The PD's `osdp_PDCAP` cannot be read, or declares a function twice.
    BadCapabilities,
    /// The PD never answered its online sequence (nothing on the line, or another
    /// address).
    NoAnswer,
    /// A card read or key press from a reader the PD does not declare; the report was
    /// dropped.
    UndeclaredReader {
        /// The reader number the report gave.
        reader: u8,
        /// How many readers the PD declares (numbered from 0).
        declared: u8,
    },
}

impl PdFault {
    /// The stable code of the cause: `wrong_key`, `no_secure_channel`,
    /// `bad_capabilities`, `no_answer` or `undeclared_reader`.
    pub fn code(self) -> &'static str {
        match self {
            PdFault::WrongKey => "wrong_key",
            PdFault::NoSecureChannel => "no_secure_channel",
            PdFault::BadCapabilities => "bad_capabilities",
            PdFault::NoAnswer => "no_answer",
            PdFault::UndeclaredReader { .. } => "undeclared_reader",
        }
    }

    /// The fault a failed handshake step shows: a cryptogram that does not verify
    /// (either side's) is a wrong key, anything else a PD without a secure channel.
    pub(super) fn of_handshake(error: &SecureError) -> PdFault {
        match error {
            SecureError::BadCryptogram { .. }
            | SecureError::CryptogramRefused
            | SecureError::BadInitialRmac => PdFault::WrongKey,
            _ => PdFault::NoSecureChannel,
        }
    }
}

impl fmt::Display for PdFault {
    /// Words for people: `wrong key: the PD's cryptogram does not verify`, …
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdFault::WrongKey => f.write_str("wrong key: the PD's cryptogram does not verify"),
            PdFault::NoSecureChannel => {
                f.write_str("no secure channel: the PD did not answer the challenge")
            }
            PdFault::BadCapabilities => f.write_str("bad capabilities: its PDCAP is malformed"),
            PdFault::NoAnswer => f.write_str("no answer"),
            PdFault::UndeclaredReader { reader, declared } => {
                let plural = if *declared == 1 { "" } else { "s" };
                write!(
                    f,
                    "report from reader {reader} refused: the PD declares {declared} reader{plural}"
                )
            }
        }
    }
}

/// The reader numbers a PD may report from: `0..count` of the readers function of its
/// `osdp_PDCAP`, or reader 0 alone (its own) when it does not list that function, as
/// many single-reader PDs (libosdp's among them) do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ReaderRange {
    count: u8,
}

impl Default for ReaderRange {
    /// Reader 0 alone: a PD whose capabilities are not known yet.
    fn default() -> Self {
        Self { count: 1 }
    }
}

impl ReaderRange {
    /// The range `capabilities` declare; `Err` when they declare a function twice.
    pub(super) fn of(capabilities: &[Capability]) -> Result<ReaderRange, PdFault> {
        for (i, capability) in capabilities.iter().enumerate() {
            let earlier = capabilities.iter().take(i);
            if earlier.clone().any(|c| c.function == capability.function) {
                return Err(PdFault::BadCapabilities);
            }
        }
        Ok(capabilities
            .iter()
            .find(|c| c.function == CapabilityFunction::READERS)
            .map_or_else(ReaderRange::default, |c| ReaderRange { count: c.count }))
    }

    /// The fault of a report from `reader`, if it is outside the range.
    pub(super) fn check(self, reader: u8) -> Result<(), PdFault> {
        if reader < self.count {
            Ok(())
        } else {
            Err(PdFault::UndeclaredReader {
                reader,
                declared: self.count,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capability(function: CapabilityFunction, count: u8) -> Capability {
        Capability {
            function,
            compliance: 0,
            count,
        }
    }

    #[test]
    fn readers_are_those_declared_or_the_pds_own() {
        let none = ReaderRange::of(&[capability(CapabilityFunction::OUTPUT_CONTROL, 1)]);
        assert_eq!(none.map(|r| r.check(0)), Ok(Ok(())));
        let seven = PdFault::UndeclaredReader {
            reader: 7,
            declared: 1,
        };
        assert_eq!(none.map(|r| r.check(7)), Ok(Err(seven)));
        let two = ReaderRange::of(&[capability(CapabilityFunction::READERS, 2)]).unwrap();
        assert_eq!(two.check(1), Ok(()));
        assert!(two.check(2).is_err());
        let zero = ReaderRange::of(&[capability(CapabilityFunction::READERS, 0)]).unwrap();
        assert!(zero.check(0).is_err(), "a PD that says it has no reader");
    }

    #[test]
    fn a_function_declared_twice_is_bad_capabilities() {
        let twice = [
            capability(CapabilityFunction::READERS, 1),
            capability(CapabilityFunction::READERS, 8),
        ];
        assert_eq!(ReaderRange::of(&twice), Err(PdFault::BadCapabilities));
    }

    #[test]
    fn faults_have_stable_codes_and_words() {
        assert_eq!(PdFault::WrongKey.code(), "wrong_key");
        assert_eq!(PdFault::NoAnswer.to_string(), "no answer");
        let fault = PdFault::UndeclaredReader {
            reader: 7,
            declared: 1,
        };
        assert_eq!(fault.code(), "undeclared_reader");
        assert_eq!(
            fault.to_string(),
            "report from reader 7 refused: the PD declares 1 reader"
        );
    }
}
