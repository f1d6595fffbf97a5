//! The control panel's side of the secure channel.
//!
//! Owns [`ControlPanelChannel`], a state machine:
//!
//! ```text
//! Idle ──challenge()──▶ Challenged ──accept_ccrypt()──▶ CryptogramSent ──accept_rmac_i()──▶ Established
//!   ▲                        │                               │                                │
//!   └──────── any error, reset() ────────────────────────────┴────────── seal() / open() ─────┘
//! ```
//!
//! It builds and checks the handshake frames and seals commands and opens replies once
//! established. It draws no random numbers (the caller passes RND.A), keeps no
//! sequence numbers and sends nothing: the control panel's polling loop does.

use super::crypto::{Block, SessionKeys};
use super::error::SecureError;
use super::key::{constant_time_eq, Scbk};
use super::session::Session;
use crate::osdp::command::{Challenge, Command, ServerCryptogram};
use crate::osdp::frame::Frame;
use crate::osdp::header::{Direction, Header};
use crate::osdp::reply::{ClientCryptogram, InitialRmac, Reply};
use crate::osdp::security_block::{KeySelector, SecurityBlock};

/// The CP end of a secure channel with one PD.
///
/// ```
/// use accessctl_devices::osdp::secure::{ControlPanelChannel, PeripheralChannel, Scbk};
/// use accessctl_devices::osdp::{Address, Check, Command, Header, Reply, Sequence};
///
/// let key = Scbk::new([7; 16]);
/// let mut cp = ControlPanelChannel::new(key.clone())?;
/// let mut pd = PeripheralChannel::new(Some(key), *b"PD-00001");
/// let header = Header::command(Address::new(1).unwrap(), Sequence::ZERO.next(), Check::Crc16);
///
/// let chlng = cp.challenge(header, [0xB0; 8])?;          // RND.A from the caller's entropy
/// let ccrypt = pd.accept_chlng(&chlng, [0xA0; 8])?;      // RND.B from the PD's entropy
/// let scrypt = cp.accept_ccrypt(&ccrypt, header)?;
/// let rmac_i = pd.accept_scrypt(&scrypt)?;
/// cp.accept_rmac_i(&rmac_i)?;
///
/// let poll = cp.seal(header, &Command::Poll)?;
/// assert_eq!(pd.open(&poll)?, Command::Poll);
/// let ack = pd.seal(poll.header.reply(), &Reply::Ack)?;
/// assert_eq!(cp.open(&ack)?, Reply::Ack);
/// # Ok::<(), accessctl_devices::osdp::secure::SecureError>(())
/// ```
#[derive(Debug)]
pub struct ControlPanelChannel {
    key: Scbk,
    selector: KeySelector,
    state: State,
}

/// Where the CP stands.
#[derive(Debug, Default)]
enum State {
    #[default]
    Idle,
    Challenged {
        cp_random: [u8; 8],
    },
    CryptogramSent {
        keys: SessionKeys,
        expected_rmac: Block,
    },
    Established(Session),
}

impl ControlPanelChannel {
    /// A channel using the PD's own base key.
    ///
    /// Errors with [`SecureError::InstallModeRefused`] when `key` is SCBK-D: the
    /// default key is only for [`ControlPanelChannel::install_mode`].
    pub fn new(key: Scbk) -> Result<Self, SecureError> {
        if key.is_default() {
            return Err(SecureError::InstallModeRefused);
        }
        Ok(Self {
            key,
            selector: KeySelector::Scbk,
            state: State::Idle,
        })
    }

    /// A channel using the default key SCBK-D, to provision a PD in install mode: open
    /// the channel, send `osdp_KEYSET` with the PD's new key, then switch with
    /// [`ControlPanelChannel::set_key`].
    pub fn install_mode() -> Self {
        Self {
            key: Scbk::DEFAULT,
            selector: KeySelector::Default,
            state: State::Idle,
        }
    }

    /// Uses `key` from the next handshake on (after the PD acknowledged `osdp_KEYSET`).
    /// The session under way, if any, goes on.
    pub fn set_key(&mut self, key: Scbk) -> Result<(), SecureError> {
        let fresh = Self::new(key)?;
        self.key = fresh.key;
        self.selector = fresh.selector;
        Ok(())
    }

    /// Whether a session is established.
    pub fn is_established(&self) -> bool {
        matches!(self.state, State::Established(_))
    }

    /// Ends the session or handshake under way.
    pub fn reset(&mut self) {
        self.state = State::Idle;
    }

    /// Begins a handshake: the `osdp_CHLNG` frame (with `SCS_11`) carrying `cp_random`
    /// (RND.A, 8 bytes of fresh entropy). Ends any session under way.
    pub fn challenge(&mut self, header: Header, cp_random: [u8; 8]) -> Result<Frame, SecureError> {
        self.state = State::Idle;
        let mut frame = Frame::command(header, &Command::Chlng(Challenge { cp_random }))?;
        frame.security = Some(SecurityBlock::Scs11(self.selector));
        self.state = State::Challenged { cp_random };
        Ok(frame)
    }

    /// Checks the PD's `osdp_CCRYPT` and answers with the `osdp_SCRYPT` frame (with
    /// `SCS_13`) to send with `header`.
    ///
    /// Errors when the reply is not the expected one, or when the client cryptogram
    /// does not match (the PD does not hold the key); the handshake is then over.
    pub fn accept_ccrypt(&mut self, reply: &Frame, header: Header) -> Result<Frame, SecureError> {
        let State::Challenged { cp_random } = std::mem::take(&mut self.state) else {
            return Err(unexpected("osdp_CHLNG first", reply));
        };
        let answer = self.client_answer(reply)?;
        let keys = SessionKeys::derive(&self.key, &cp_random);
        let expected = keys.client_cryptogram(&cp_random, &answer.pd_random);
        if !constant_time_eq(&expected, &answer.cryptogram) {
            return Err(SecureError::BadCryptogram { side: "client" });
        }
        let cryptogram = keys.server_cryptogram(&cp_random, &answer.pd_random);
        let mut frame = Frame::command(header, &Command::Scrypt(ServerCryptogram { cryptogram }))?;
        frame.security = Some(SecurityBlock::Scs13(self.selector));
        let expected_rmac = keys.initial_rmac(&cryptogram);
        self.state = State::CryptogramSent {
            keys,
            expected_rmac,
        };
        Ok(frame)
    }

    /// The `osdp_CCRYPT` data of `reply`, once its direction and block are checked.
    fn client_answer(&self, reply: &Frame) -> Result<ClientCryptogram, SecureError> {
        check_reply(reply)?;
        if reply.security != Some(SecurityBlock::Scs12(self.selector)) {
            return Err(SecureError::WrongSecurityBlock {
                message: "osdp_CCRYPT",
                kind: 0x12,
            });
        }
        match reply.to_reply()? {
            Reply::CCrypt(answer) => Ok(answer),
            _ => Err(unexpected("osdp_CCRYPT", reply)),
        }
    }

    /// Checks the PD's `osdp_RMAC_I`; the session is established when it matches.
    pub fn accept_rmac_i(&mut self, reply: &Frame) -> Result<(), SecureError> {
        let State::CryptogramSent {
            keys,
            expected_rmac,
        } = std::mem::take(&mut self.state)
        else {
            return Err(unexpected("osdp_SCRYPT first", reply));
        };
        check_reply(reply)?;
        match reply.security {
            Some(SecurityBlock::Scs14(true)) => {}
            Some(SecurityBlock::Scs14(false)) => return Err(SecureError::CryptogramRefused),
            _ => {
                return Err(SecureError::WrongSecurityBlock {
                    message: "osdp_RMAC_I",
                    kind: 0x14,
                })
            }
        }
        let Reply::RmacI(InitialRmac { mac }) = reply.to_reply()? else {
            return Err(unexpected("osdp_RMAC_I", reply));
        };
        if !constant_time_eq(&mac, &expected_rmac) {
            return Err(SecureError::BadInitialRmac);
        }
        self.state = State::Established(Session::new(keys, mac));
        Ok(())
    }

    /// `command` as a secured frame with `header`: data encrypted (`SCS_17`), or in
    /// clear when it has none (`SCS_15`), MAC appended.
    ///
    /// Send the frame once: retrying means re-sending the same bytes, never sealing
    /// again, or the MAC chain breaks.
    pub fn seal(&mut self, header: Header, command: &Command) -> Result<Frame, SecureError> {
        let State::Established(session) = &mut self.state else {
            return Err(SecureError::NotEstablished);
        };
        session.seal(Frame::command(header, command)?)
    }

    /// The reply a secured frame carries, once its MAC is checked and its data
    /// decrypted.
    ///
    /// Any failure but a payload that does not decode ends the session. A plain
    /// `osdp_NAK` is the PD's way to say it dropped the session: it ends it here too,
    /// as [`SecureError::Refused`]. A plain `osdp_BUSY` (which a PD sends before looking
    /// at the command) comes back as [`Reply::Busy`] and moves nothing: send the same
    /// command frame again later.
    pub fn open(&mut self, reply: &Frame) -> Result<Reply, SecureError> {
        let State::Established(session) = &mut self.state else {
            return Err(SecureError::NotEstablished);
        };
        if is_plain_busy(reply) {
            return Ok(Reply::Busy);
        }
        let opened = session.open(reply, Direction::Reply);
        let (code, data) = match opened {
            Ok(opened) => opened,
            Err(error) => {
                self.state = State::Idle;
                return Err(refusal(reply).unwrap_or(error));
            }
        };
        Ok(Reply::decode_at(code, &data, reply.data_offset())?)
    }
}

/// Checks that `reply` is a reply, and not a NAK.
fn check_reply(reply: &Frame) -> Result<(), SecureError> {
    if let Some(error) = refusal(reply) {
        return Err(error);
    }
    if reply.header.direction != Direction::Reply {
        return Err(SecureError::WrongDirection);
    }
    Ok(())
}

/// Whether `reply` is an `osdp_BUSY` without security block.
fn is_plain_busy(reply: &Frame) -> bool {
    reply.security.is_none()
        && reply.header.direction == Direction::Reply
        && reply.code == crate::osdp::reply::code::BUSY
        && reply.data.is_empty()
}

/// The refusal a plain `osdp_NAK` carries.
fn refusal(reply: &Frame) -> Option<SecureError> {
    if reply.security.is_some() || reply.header.direction != Direction::Reply {
        return None;
    }
    match reply.to_reply() {
        Ok(Reply::Nak(nak)) => Some(SecureError::Refused { code: nak.code }),
        _ => None,
    }
}

fn unexpected(expected: &'static str, frame: &Frame) -> SecureError {
    SecureError::UnexpectedMessage {
        expected,
        code: frame.code,
    }
}
