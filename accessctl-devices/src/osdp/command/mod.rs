//! The commands a control panel (CP) sends to a peripheral device (PD).
//!
//! Owns [`Command`]: one variant per command code this crate speaks, named after the
//! standard's `osdp_…` names, each holding its data type; and the code constants in
//! [`code`]. Decoding is exact: a command's data must have exactly the length its
//! fields say, so `decode(encode(c)) == c` and `encode(decode(bytes)) == bytes`.
//! Nothing here sends, retries or decides what a command means for a door.

mod buzzer;
mod comset;
mod file_transfer;
mod handshake;
mod keyset;
mod led;
mod output;
mod request;
mod text;

pub use buzzer::{BuzzerControl, ToneCode};
pub use comset::ComSettings;
pub use file_transfer::{FileTransfer, FileType};
pub use handshake::{Challenge, ServerCryptogram};
pub use keyset::{KeySet, KeyType};
pub use led::{
    LedColor, LedControl, PermanentLed, PermanentLedCode, TemporaryLed, TemporaryLedCode,
};
pub use output::{OutputControl, OutputControlCode};
pub use request::{AcuRxSize, KeepActive, ReportRequest};
pub use text::{TextCommand, TextOutput};

use super::manufacturer::Manufacturer;
use super::payload::message_enum;

message_enum! {
    /// A command, CP to PD.
    ///
    /// ```
    /// use accessctl_devices::osdp::{Command, OutputControl, OutputControlCode};
    ///
    /// // Pulse the strike (output 0) for 3 s.
    /// let open = Command::Out(vec![OutputControl {
    ///     output: 0,
    ///     code: OutputControlCode::TEMPORARY_ON,
    ///     timer: 30,
    /// }]);
    /// assert_eq!(open.code(), 0x68);
    /// assert_eq!(open.encode_data()?, [0x00, 0x05, 0x1E, 0x00]);
    /// assert_eq!(Command::decode(0x68, &[0x00, 0x05, 0x1E, 0x00])?, open);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub enum Command / code / UnknownCommand / "osdp_" {
        /// `osdp_POLL`: anything to report?
        Poll = 0x60, POLL;
        /// `osdp_ID`: send your identification (`osdp_PDID`).
        Id(ReportRequest) = 0x61, ID;
        /// `osdp_CAP`: send your capabilities (`osdp_PDCAP`).
        Cap(ReportRequest) = 0x62, CAP;
        /// `osdp_LSTAT`: send your local status (`osdp_LSTATR`).
        LStat = 0x64, LSTAT;
        /// `osdp_ISTAT`: send your input status (`osdp_ISTATR`).
        IStat = 0x65, ISTAT;
        /// `osdp_OSTAT`: send your output status (`osdp_OSTATR`).
        OStat = 0x66, OSTAT;
        /// `osdp_RSTAT`: send your readers' tamper status (`osdp_RSTATR`).
        RStat = 0x67, RSTAT;
        /// `osdp_OUT`: set outputs; one or more records.
        Out(Vec<OutputControl>) = 0x68, OUT;
        /// `osdp_LED`: set reader LEDs; one or more records.
        Led(Vec<LedControl>) = 0x69, LED;
        /// `osdp_BUZ`: sound a reader's buzzer.
        Buz(BuzzerControl) = 0x6A, BUZ;
        /// `osdp_TEXT`: show text on a reader.
        Text(TextOutput) = 0x6B, TEXT;
        /// `osdp_COMSET`: change address and baud rate (answered by `osdp_COM`).
        ComSet(ComSettings) = 0x6E, COMSET;
        /// `osdp_KEYSET`: set a new secure channel base key (only inside a secure
        /// channel, encrypted).
        KeySet(KeySet) = 0x75, KEYSET;
        /// `osdp_CHLNG`: begin a secure channel handshake (with `SCS_11`).
        Chlng(Challenge) = 0x76, CHLNG;
        /// `osdp_SCRYPT`: the CP's cryptogram (with `SCS_13`).
        Scrypt(ServerCryptogram) = 0x77, SCRYPT;
        /// `osdp_ACURXSIZE`: the largest reply the CP accepts.
        AcuRxSize(AcuRxSize) = 0x7B, ACURXSIZE;
        /// `osdp_FILETRANSFER`: one fragment of a file (answered by `osdp_FTSTAT`).
        FileTransfer(FileTransfer) = 0x7C, FILETRANSFER;
        /// `osdp_MFG`: a manufacturer-specific command.
        Mfg(Manufacturer) = 0x80, MFG;
        /// `osdp_ABORT`: stop the multi-part message or file transfer under way.
        Abort = 0xA2, ABORT;
        /// `osdp_KEEPACTIVE`: keep the secure channel up a while longer.
        KeepActive(KeepActive) = 0xA7, KEEPACTIVE;
    }
}
