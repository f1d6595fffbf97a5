//! The peripheral device's side of the secure channel.
//!
//! Owns [`PeripheralChannel`], a state machine:
//!
//! ```text
//! Idle ──accept_chlng()──▶ Challenged ──accept_scrypt()──▶ Established ── open() / seal()
//!   ▲    (from any state)       │                              │
//!   └────────── any error, reset() ────────────────────────────┘
//! ```
//!
//! It answers the handshake, opens commands and seals replies. It refuses the default
//! key SCBK-D unless install mode was allowed explicitly, and then for one handshake
//! only (BRIEF §11, libosdp's `ENFORCE_SECURE`/install mode). It draws no random
//! numbers (the caller passes RND.B) and sends nothing.

use super::crypto::SessionKeys;
use super::error::SecureError;
use super::key::{constant_time_eq, Scbk};
use super::session::Session;
use crate::osdp::command::{Challenge, Command, ServerCryptogram};
use crate::osdp::frame::Frame;
use crate::osdp::header::{Direction, Header};
use crate::osdp::reply::{ClientCryptogram, InitialRmac, Reply};
use crate::osdp::security_block::{KeySelector, SecurityBlock};

/// The PD end of a secure channel.
///
/// ```
/// use accessctl_devices::osdp::secure::{ControlPanelChannel, PeripheralChannel, SecureError};
/// use accessctl_devices::osdp::{Address, Check, Header, Sequence};
///
/// let header = Header::command(Address::new(1).unwrap(), Sequence::ZERO, Check::Crc16);
/// let mut cp = ControlPanelChannel::install_mode();
/// let mut pd = PeripheralChannel::new(None, *b"PD-00001");
///
/// // A PD refuses the default key unless told otherwise.
/// let chlng = cp.challenge(header, [1; 8])?;
/// assert_eq!(pd.accept_chlng(&chlng, [2; 8]), Err(SecureError::InstallModeRefused));
///
/// pd.allow_install_mode();
/// let chlng = cp.challenge(header, [1; 8])?;
/// let ccrypt = pd.accept_chlng(&chlng, [2; 8])?;
/// let rmac_i = pd.accept_scrypt(&cp.accept_ccrypt(&ccrypt, header)?)?;
/// cp.accept_rmac_i(&rmac_i)?;
/// assert!(pd.is_established());
/// assert!(!pd.install_mode_allowed()); // used up
/// # Ok::<(), SecureError>(())
/// ```
#[derive(Debug)]
pub struct PeripheralChannel {
    key: Option<Scbk>,
    client_id: [u8; 8],
    install_mode: bool,
    state: State,
}

/// Where the PD stands.
#[derive(Debug, Default)]
enum State {
    #[default]
    Idle,
    Challenged {
        keys: SessionKeys,
        cp_random: [u8; 8],
        pd_random: [u8; 8],
        selector: KeySelector,
    },
    Established(Session),
}

impl PeripheralChannel {
    /// A PD with base key `key` (`None` before provisioning; SCBK-D counts as none) and
    /// client UID `client_id`, install mode off.
    pub fn new(key: Option<Scbk>, client_id: [u8; 8]) -> Self {
        Self {
            key: key.filter(|key| !key.is_default()),
            client_id,
            install_mode: false,
            state: State::Idle,
        }
    }

    /// Allows one handshake with the default key SCBK-D, to be provisioned (a
    /// deliberate act: a button held at boot, a configuration card).
    pub fn allow_install_mode(&mut self) {
        self.install_mode = true;
    }

    /// Whether a handshake with SCBK-D would be accepted.
    pub fn install_mode_allowed(&self) -> bool {
        self.install_mode
    }

    /// Stores `key` (from an `osdp_KEYSET` received in the session) for the next
    /// handshakes, and leaves install mode. The session under way goes on.
    ///
    /// Errors with [`SecureError::InstallModeRefused`] when `key` is SCBK-D.
    pub fn set_key(&mut self, key: Scbk) -> Result<(), SecureError> {
        if key.is_default() {
            return Err(SecureError::InstallModeRefused);
        }
        self.key = Some(key);
        self.install_mode = false;
        Ok(())
    }

    /// Whether a session is established.
    pub fn is_established(&self) -> bool {
        matches!(self.state, State::Established(_))
    }

    /// Ends the session or handshake under way (on a command with sequence number 0,
    /// or a timeout).
    pub fn reset(&mut self) {
        self.state = State::Idle;
    }

    /// Answers an `osdp_CHLNG` with the `osdp_CCRYPT` frame (with `SCS_12`), drawing on
    /// `pd_random` (RND.B, 8 bytes of fresh entropy). Ends any session under way.
    ///
    /// Errors when the frame is not a challenge, when it asks for SCBK-D outside install
    /// mode, or for the PD's key when it has none; answer with `osdp_NAK` and
    /// [`SecureError::nak_code`].
    pub fn accept_chlng(
        &mut self,
        command: &Frame,
        pd_random: [u8; 8],
    ) -> Result<Frame, SecureError> {
        self.state = State::Idle;
        let (selector, Challenge { cp_random }) = challenge(command)?;
        let key = self.key_for(selector)?;
        let keys = SessionKeys::derive(&key, &cp_random);
        let answer = ClientCryptogram {
            client_id: self.client_id,
            pd_random,
            cryptogram: keys.client_cryptogram(&cp_random, &pd_random),
        };
        let mut frame = Frame::reply(command.header.reply(), &Reply::CCrypt(answer))?;
        frame.security = Some(SecurityBlock::Scs12(selector));
        self.state = State::Challenged {
            keys,
            cp_random,
            pd_random,
            selector,
        };
        Ok(frame)
    }

    /// The key `selector` names, if this PD may use it.
    fn key_for(&self, selector: KeySelector) -> Result<Scbk, SecureError> {
        match selector {
            KeySelector::Default if self.install_mode => Ok(Scbk::DEFAULT),
            KeySelector::Default => Err(SecureError::InstallModeRefused),
            KeySelector::Scbk => self.key.clone().ok_or(SecureError::NoKey),
        }
    }

    /// Checks the CP's `osdp_SCRYPT` and answers with the `osdp_RMAC_I` frame (with
    /// `SCS_14`); the session is then established (and install mode used up, if the
    /// handshake used SCBK-D).
    ///
    /// Errors when the frame is not the expected one or the server cryptogram does not
    /// match; the handshake is then over.
    pub fn accept_scrypt(&mut self, command: &Frame) -> Result<Frame, SecureError> {
        let State::Challenged {
            keys,
            cp_random,
            pd_random,
            selector,
        } = std::mem::take(&mut self.state)
        else {
            return Err(unexpected("osdp_CHLNG first", command));
        };
        let ServerCryptogram { cryptogram } = server_cryptogram(command, selector)?;
        let expected = keys.server_cryptogram(&cp_random, &pd_random);
        if !constant_time_eq(&expected, &cryptogram) {
            return Err(SecureError::BadCryptogram { side: "server" });
        }
        let mac = keys.initial_rmac(&cryptogram);
        let mut frame = Frame::reply(command.header.reply(), &Reply::RmacI(InitialRmac { mac }))?;
        frame.security = Some(SecurityBlock::Scs14(true));
        if selector == KeySelector::Default {
            self.install_mode = false;
        }
        self.state = State::Established(Session::new(keys, mac));
        Ok(frame)
    }

    /// The command a secured frame carries, once its MAC is checked and its data
    /// decrypted.
    ///
    /// Any failure but a payload that does not decode ends the session; answer with
    /// `osdp_NAK` and [`SecureError::nak_code`].
    pub fn open(&mut self, command: &Frame) -> Result<Command, SecureError> {
        let State::Established(session) = &mut self.state else {
            return Err(SecureError::NotEstablished);
        };
        let (code, data) = session.open(command, Direction::Command).inspect_err(|_| {
            self.state = State::Idle;
        })?;
        Ok(Command::decode_at(code, &data, command.data_offset())?)
    }

    /// `reply` as a secured frame with `header` (the command's
    /// [`Header::reply`]): data encrypted (`SCS_18`), or in clear when it has none
    /// (`SCS_16`), MAC appended. Keep the bytes to answer a repeated command.
    pub fn seal(&mut self, header: Header, reply: &Reply) -> Result<Frame, SecureError> {
        let State::Established(session) = &mut self.state else {
            return Err(SecureError::NotEstablished);
        };
        session.seal(Frame::reply(header, reply)?)
    }
}

/// The key selector and data of an `osdp_CHLNG` frame.
fn challenge(command: &Frame) -> Result<(KeySelector, Challenge), SecureError> {
    if command.header.direction != Direction::Command {
        return Err(SecureError::WrongDirection);
    }
    let Some(SecurityBlock::Scs11(selector)) = command.security else {
        return Err(SecureError::WrongSecurityBlock {
            message: "osdp_CHLNG",
            kind: 0x11,
        });
    };
    match command.to_command()? {
        Command::Chlng(challenge) => Ok((selector, challenge)),
        _ => Err(unexpected("osdp_CHLNG", command)),
    }
}

/// The data of an `osdp_SCRYPT` frame for a handshake begun with `selector`.
fn server_cryptogram(
    command: &Frame,
    selector: KeySelector,
) -> Result<ServerCryptogram, SecureError> {
    if command.header.direction != Direction::Command {
        return Err(SecureError::WrongDirection);
    }
    if command.security != Some(SecurityBlock::Scs13(selector)) {
        return Err(SecureError::WrongSecurityBlock {
            message: "osdp_SCRYPT",
            kind: 0x13,
        });
    }
    match command.to_command()? {
        Command::Scrypt(cryptogram) => Ok(cryptogram),
        _ => Err(unexpected("osdp_SCRYPT", command)),
    }
}

fn unexpected(expected: &'static str, frame: &Frame) -> SecureError {
    SecureError::UnexpectedMessage {
        expected,
        code: frame.code,
    }
}
