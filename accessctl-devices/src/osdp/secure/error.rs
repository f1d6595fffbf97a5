//! What can go wrong in the secure channel.
//!
//! Owns [`SecureError`] and the NAK reason a PD answers each error with. An error never
//! carries a key, a session key or a full MAC.

use crate::osdp::error::{EncodeError, PayloadError};
use crate::osdp::header::Direction;
use crate::osdp::reply::NakCode;

/// Why a secure-channel step failed.
///
/// A failed receiving step (`accept_…`, `open`) ends the session or the handshake under
/// way, unless the error is [`SecureError::Payload`] (the message was authentic, its
/// data malformed): the CP must start a new handshake. A failed `seal` changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecureError {
    /// A secured message was sealed or opened with no session established.
    #[error("no secure channel is established")]
    NotEstablished,
    /// A handshake message arrived out of order, or another message arrived instead.
    #[error("expected {expected}, got message code `{code:#04x}`")]
    UnexpectedMessage {
        /// What the handshake was waiting for (`"osdp_CCRYPT"`, …).
        expected: &'static str,
        /// The code received.
        code: u8,
    },
    /// A handshake message without its security block type (`SCS_11`–`SCS_14`), or
    /// naming another key than the handshake began with.
    #[error(
        "{message} must carry security block type `{kind:#04x}` with the key of the handshake"
    )]
    WrongSecurityBlock {
        /// The message (`"osdp_CHLNG"`, …).
        message: &'static str,
        /// The block type it must carry.
        kind: u8,
    },
    /// The peer's cryptogram does not prove it holds the key.
    #[error("the {side} cryptogram does not match: the peer does not hold this key")]
    BadCryptogram {
        /// `"client"` (the PD's, checked by the CP) or `"server"` (the CP's, checked by
        /// the PD).
        side: &'static str,
    },
    /// The PD refused the CP's cryptogram (`SCS_14` with `0xFF`).
    #[error("the PD refused the CP's cryptogram")]
    CryptogramRefused,
    /// The initial R-MAC is not the one the session keys give.
    #[error("the initial R-MAC does not match the session keys")]
    BadInitialRmac,
    /// A message's MAC does not match: altered, replayed or out of order.
    #[error("MAC mismatch: the message was altered, replayed or is out of order")]
    MacMismatch,
    /// A message without MAC inside an established session.
    #[error("unsecured message code `{code:#04x}` inside the secure channel")]
    Plaintext {
        /// The message code.
        code: u8,
    },
    /// A secured message travelling the wrong way (a reply given to the PD side).
    #[error("a secured message in the wrong direction")]
    WrongDirection,
    /// A message out of turn: commands and replies alternate, so a second reply to one
    /// command (a replay) or a second command before the reply is refused.
    #[error("a {direction} out of turn: commands and replies alternate")]
    OutOfTurn {
        /// The direction of the message refused.
        direction: Direction,
    },
    /// Encrypted data whose length is not a whole number of 16-byte blocks.
    #[error("encrypted data of {len} bytes is not a whole number of 16-byte blocks")]
    BadBlockLength {
        /// The length.
        len: usize,
    },
    /// Decrypted data without the `0x80` end marker in its last block.
    #[error("decrypted data has no end marker")]
    BadPadding,
    /// The handshake asked for the default key SCBK-D, and install mode is not allowed.
    #[error("the default key SCBK-D is refused outside install mode")]
    InstallModeRefused,
    /// The handshake asked for the PD's own key, and the PD has none yet.
    #[error("this PD has no secure channel base key; provision one in install mode")]
    NoKey,
    /// The peer answered with `osdp_NAK`.
    #[error("the PD answered NAK: {code:?}")]
    Refused {
        /// Its reason.
        code: NakCode,
    },
    /// The message passed the MAC check but its data do not decode.
    #[error(transparent)]
    Payload(#[from] PayloadError),
    /// The message to seal cannot be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

impl SecureError {
    /// The reason a PD gives in its `osdp_NAK` when receiving a command fails this way.
    pub fn nak_code(&self) -> NakCode {
        match self {
            SecureError::Payload(PayloadError::UnknownCommand { .. }) => NakCode::UNKNOWN_COMMAND,
            SecureError::Payload(_) => NakCode::COMMAND_LENGTH,
            SecureError::InstallModeRefused
            | SecureError::NoKey
            | SecureError::BadCryptogram { .. } => NakCode::UNSUPPORTED_SECURITY,
            _ => NakCode::SECURITY_CONDITIONS,
        }
    }
}
