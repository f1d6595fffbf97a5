//! The replies a peripheral device (PD) sends to a control panel (CP).
//!
//! Owns [`Reply`]: one variant per reply code this crate speaks, named after the
//! standard's `osdp_…` names, each holding its data type; and the code constants in
//! [`code`]. Decoding is exact, as for [`Command`](super::Command). Nothing here
//! decides what a card read or a status means for a door.

mod capability;
mod card;
mod file_status;
mod handshake;
mod identity;
mod keypad;
mod nak;
mod status;

pub use capability::{Capability, CapabilityFunction};
pub use card::{FormattedCard, RawCard, RawFormat};
pub use file_status::{FileTransferAction, FileTransferCode, FileTransferStatus};
pub use handshake::{ClientCryptogram, InitialRmac};
pub use identity::DeviceId;
pub use keypad::Keypad;
pub use nak::{Nak, NakCode};
pub use status::{InputStatus, LocalStatus, OutputStatus, ReaderStatus, ReaderTamper};

use super::command::ComSettings;
use super::manufacturer::Manufacturer;
use super::payload::message_enum;

message_enum! {
    /// A reply, PD to CP.
    ///
    /// ```
    /// use accessctl_devices::osdp::{RawCard, Reply};
    /// use accessctl_devices::wiegand::{self, formats};
    ///
    /// // A 26-bit card, facility 1, number 1, read by reader 0.
    /// let reply = Reply::decode(0x50, &[0x00, 0x01, 0x1A, 0x00, 0x80, 0x80, 0x00, 0x80])?;
    /// let Reply::Raw(card) = reply else { unreachable!() };
    /// let card = wiegand::detect(&card.to_wiegand()?, &[formats::H10301])?;
    /// assert_eq!(card.to_string(), "1:1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub enum Reply / code / UnknownReply / "osdp_" {
        /// `osdp_ACK`: done, nothing to report.
        Ack = 0x40, ACK;
        /// `osdp_NAK`: refused, with a reason.
        Nak(Nak) = 0x41, NAK;
        /// `osdp_PDID`: identification.
        PdId(DeviceId) = 0x45, PDID;
        /// `osdp_PDCAP`: capabilities.
        PdCap(Vec<Capability>) = 0x46, PDCAP;
        /// `osdp_LSTATR`: local status.
        LStatR(LocalStatus) = 0x48, LSTATR;
        /// `osdp_ISTATR`: input status.
        IStatR(InputStatus) = 0x49, ISTATR;
        /// `osdp_OSTATR`: output status.
        OStatR(OutputStatus) = 0x4A, OSTATR;
        /// `osdp_RSTATR`: readers' tamper status.
        RStatR(ReaderStatus) = 0x4B, RSTATR;
        /// `osdp_RAW`: a card read, raw bits.
        Raw(RawCard) = 0x50, RAW;
        /// `osdp_FMT`: a card read, as characters (deprecated).
        Fmt(FormattedCard) = 0x51, FMT;
        /// `osdp_KEYPAD`: keys pressed.
        Keypad(Keypad) = 0x53, KEYPAD;
        /// `osdp_COM`: the address and baud rate now in force.
        Com(ComSettings) = 0x54, COM;
        /// `osdp_CCRYPT`: the PD's answer to a challenge (with `SCS_12`).
        CCrypt(ClientCryptogram) = 0x76, CCRYPT;
        /// `osdp_RMAC_I`: the initial reply MAC (with `SCS_14`).
        RmacI(InitialRmac) = 0x78, RMAC_I;
        /// `osdp_BUSY`: busy, ask again.
        Busy = 0x79, BUSY;
        /// `osdp_FTSTAT`: file transfer status.
        FtStat(FileTransferStatus) = 0x7A, FTSTAT;
        /// `osdp_MFGREP`: a manufacturer-specific reply.
        MfgRep(Manufacturer) = 0x90, MFGREP;
    }
}
