//! What a caller can get wrong when setting up or instructing the control panel.
//!
//! Owns [`ControlPanelError`]. Nothing a PD sends produces one: a PD's faults become
//! events (`Nak`, `Offline`, `FileFailed`). No error carries a key.

use crate::osdp::error::EncodeError;
use crate::osdp::header::Address;

/// Why the control panel refused a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ControlPanelError {
    /// Two PDs were given the same address.
    #[error("two PDs share address {address}")]
    DuplicateAddress {
        /// The address.
        address: Address,
    },
    /// A PD cannot use the broadcast address 0x7F.
    #[error("a PD cannot have the broadcast address {address}")]
    BroadcastAddress {
        /// The address.
        address: Address,
    },
    /// No PD has this address on this bus.
    #[error("no PD at address {address} on this bus")]
    UnknownPd {
        /// The address.
        address: Address,
    },
    /// `Security::Secure` was given the default key SCBK-D: ask for `Security::Install`.
    #[error("PD {address}: the default key SCBK-D is only used in install mode")]
    DefaultKey {
        /// The PD's address.
        address: Address,
    },
    /// The handshake commands belong to the control panel itself.
    #[error("command code `{code:#04x}` is sent by the control panel itself")]
    ReservedCommand {
        /// The command code.
        code: u8,
    },
    /// A file transfer to this PD is already under way.
    #[error("PD {address}: a file transfer is already under way")]
    FileTransferBusy {
        /// The PD's address.
        address: Address,
    },
    /// The file is longer than the 32-bit size field allows.
    #[error("a file of {len} bytes is too long for osdp_FILETRANSFER")]
    FileTooLarge {
        /// Its length.
        len: usize,
    },
    /// The command cannot be encoded (a field too long for its length byte, …).
    #[error("the command cannot be encoded: {0}")]
    Encode(#[from] EncodeError),
}
