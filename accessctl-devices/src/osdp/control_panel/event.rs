//! What the control panel reports to its owner.
//!
//! Owns [`ControlPanelEvent`]. Events carry what the PDs said, translated into the
//! codec's types; they never carry a key, and deciding what a card read means is the
//! owner's business.

use super::fault::PdFault;
use crate::osdp::header::Address;
use crate::osdp::reply::{DeviceId, FormattedCard, Keypad, Nak, RawCard, Reply};

/// Something that happened on the bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlPanelEvent {
    /// A PD went through its online sequence (after being offline or never seen).
    Online {
        /// The PD.
        address: Address,
        /// Whether its secure channel is established.
        secure: bool,
        /// Its identification, when it answered `osdp_ID`.
        id: Option<DeviceId>,
    },
    /// A PD that was online stopped answering (or its secure channel failed). Sent once
    /// per loss.
    Offline {
        /// The PD.
        address: Address,
    },
    /// A card read, as bits (`osdp_RAW`).
    Card {
        /// The PD.
        address: Address,
        /// The read.
        card: RawCard,
    },
    /// A card read, as characters (`osdp_FMT`).
    FormattedCard {
        /// The PD.
        address: Address,
        /// The read.
        card: FormattedCard,
    },
    /// Keys pressed (`osdp_KEYPAD`).
    Keypad {
        /// The PD.
        address: Address,
        /// The keys.
        keypad: Keypad,
    },
    /// The PD's tamper switch changed (`osdp_LSTATR`).
    Tamper {
        /// The PD.
        address: Address,
        /// Whether the enclosure is open.
        tamper: bool,
    },
    /// The PD's power state changed (`osdp_LSTATR`).
    Power {
        /// The PD.
        address: Address,
        /// Whether power failed.
        failure: bool,
    },
    /// The PD refused a command.
    Nak {
        /// The PD.
        address: Address,
        /// The code of the command refused.
        command: u8,
        /// Its reason.
        nak: Nak,
    },
    /// A file fragment was accepted.
    FileProgress {
        /// The PD.
        address: Address,
        /// Bytes accepted so far.
        sent: usize,
        /// The file's size.
        total: usize,
    },
    /// The PD accepted and processed the whole file.
    FileSent {
        /// The PD.
        address: Address,
    },
    /// The file transfer ended without success.
    FileFailed {
        /// The PD.
        address: Address,
        /// Why, in words.
        reason: String,
    },
    /// A PD cannot be brought online (a wrong key, malformed capabilities, no answer:
    /// sent once per change of cause, not on every retry, and again only after it was
    /// online or failed otherwise), or one of its reports was refused (a reader it does
    /// not declare: sent for every report dropped).
    Fault {
        /// The PD.
        address: Address,
        /// What is wrong.
        fault: PdFault,
    },
    /// Any other reply worth surfacing: `osdp_PDCAP`, `osdp_ISTATR`, `osdp_OSTATR`,
    /// `osdp_RSTATR`, `osdp_COM`, `osdp_MFGREP`, the `osdp_ACK` of a submitted command.
    Reply {
        /// The PD.
        address: Address,
        /// The reply.
        reply: Reply,
    },
}
