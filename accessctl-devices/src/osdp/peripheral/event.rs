//! What a PD tells its application: the link's state and the commands to carry out.
//!
//! Owns [`PeripheralEvent`]. An event is produced once the command was accepted (and
//! only once, however often the CP repeats it); carrying it out — switching a relay,
//! persisting a key — is the application's job, never this module's.

use crate::osdp::command::TextOutput;
use crate::osdp::command::{BuzzerControl, ComSettings, FileType, LedControl, OutputControl};
use crate::osdp::secure::Scbk;

/// Something the application of a PD must know or do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeripheralEvent {
    /// The CP talks to this PD (again), or the security of the link changed: `secure`
    /// tells whether a secure channel session is now up.
    Online {
        /// Whether a secure channel session is up.
        secure: bool,
    },
    /// No command came for `offline_after`: the CP lost this PD.
    Offline,
    /// `osdp_OUT`: set these outputs.
    Output(Vec<OutputControl>),
    /// `osdp_LED`: set these reader LEDs.
    Led(Vec<LedControl>),
    /// `osdp_BUZ`: sound the buzzer.
    Buzzer(BuzzerControl),
    /// `osdp_TEXT`: show this text.
    Text(TextOutput),
    /// A whole file arrived through `osdp_FILETRANSFER`. When the application judges
    /// files ([`PeripheralDevice::set_judge_files`]), the CP hears "finishing" until
    /// it calls [`PeripheralDevice::judge_file`].
    ///
    /// [`PeripheralDevice::set_judge_files`]: super::PeripheralDevice::set_judge_files
    /// [`PeripheralDevice::judge_file`]: super::PeripheralDevice::judge_file
    FileReceived {
        /// Its type, as the CP gave it.
        file_type: FileType,
        /// Its bytes.
        contents: Vec<u8>,
    },
    /// `osdp_KEYSET`: this is the PD's secure channel base key from the next handshake
    /// on; persisting it is the application's job. Prints redacted.
    KeySet(Scbk),
    /// `osdp_COMSET`: answer at this address (already in force) and switch the line to
    /// this baud rate (the application's job), now that `osdp_COM` was sent.
    ComSet(ComSettings),
}
