//! The encoder's operations (Salto's edition, update and automatic key update): what
//! an encoder does with the card in its field, given the site's card keys.
//!
//! Owns the order of an operation — find the card, read its key through the card
//! memory of `accessctl_devices::card_memory`, judge it with the core's
//! [`CardKeys::status`], and write an edition ([`CardKeys::encode`]) or an update
//! ([`CardKeys::refresh`]) back — and its refusals: another user's key (`invalid user
//! key`, as Salto's encoder says when the wrong key is placed on it), a key whose
//! structure must change on `update` (`re-edition required`), a key that is not
//! authentic. It speaks to cards only through `CardIo` (a PN532 or a simulated card),
//! reads no clock (instants come from the caller), renders nothing, journals nothing
//! (its outcomes are data the caller reports), and never returns or shows a secret.

use accessctl_core::card_key::{read_header, RefreshError, StatusError};
use accessctl_core::card_key::{CardKeys, EncodeError, KeyImage, KeyImageError, KeyStatus};
use accessctl_core::model::UserId;
use accessctl_core::Timestamp;
use accessctl_devices::card_io::{CardInField, CardIo, CardIoError};
use accessctl_devices::card_memory::area::capacity;
use accessctl_devices::card_memory::{
    read_card, write_card, CardError, CardRead, CardSecrets, Geometry, Personalisation, Written,
};
use thiserror::Error;

/// Why an encoder operation did not complete.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EncoderError {
    /// No card in the field.
    #[error("no card on the encoder")]
    NoCard,
    /// The card or the encoder failed, or the key does not fit the card.
    #[error(transparent)]
    Card(#[from] CardError),
    /// The policy gives nothing that can be put on a key.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The card holds no key of this site.
    #[error("the card holds no key (blank, or its key was left half-written)")]
    NoKey,
    /// The card's key is not readable.
    #[error("the card's key is unreadable: {0}")]
    Image(#[from] KeyImageError),
    /// The key belongs to no user of the policy.
    #[error("the card's key belongs to no user of the policy")]
    UnknownHolder,
    /// The operation is refused because of the key's status: another user's key
    /// (`invalid user key`), a re-edition required on `update`, a key not authentic.
    #[error("{0}")]
    Refused(KeyStatus),
}

impl From<CardIoError> for EncoderError {
    fn from(error: CardIoError) -> EncoderError {
        EncoderError::Card(CardError::Io(error))
    }
}

impl From<StatusError> for EncoderError {
    fn from(error: StatusError) -> EncoderError {
        match error {
            StatusError::Image(e) => EncoderError::Image(e),
            StatusError::Policy(e) => EncoderError::Encode(e),
        }
    }
}

impl From<RefreshError> for EncoderError {
    fn from(error: RefreshError) -> EncoderError {
        match error {
            RefreshError::Image(e) => EncoderError::Image(e),
            RefreshError::Policy(e) => EncoderError::Encode(e),
            RefreshError::Refused(status) => EncoderError::Refused(status),
        }
    }
}

/// The card in the field and its memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardInfo {
    /// The card.
    pub card: CardInField,
    /// Bytes of its key area.
    pub area: usize,
    /// The largest key image it takes.
    pub largest: usize,
    /// The largest key image whose write, cut short, keeps the card's old key.
    pub safe: usize,
}

/// The card in the field, if any: type, UID, memory.
pub fn info(io: &mut dyn CardIo) -> Result<Option<CardInfo>, EncoderError> {
    let Some(card) = io.detect()? else {
        return Ok(None);
    };
    let geometry = Geometry::of(card.card_type);
    let (largest, safe) = capacity(geometry);
    Ok(Some(CardInfo {
        card,
        area: geometry.area_len(),
        largest,
        safe,
    }))
}

/// The key a card holds, judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRead {
    /// The card and its key area.
    pub card: CardRead,
    /// The key's generation on the card.
    pub generation: u32,
    /// The image.
    pub image: KeyImage,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its holder.
    pub holder: UserId,
    /// Its status against the policy.
    pub status: KeyStatus,
}

fn detect(io: &mut dyn CardIo) -> Result<CardInField, EncoderError> {
    io.detect()?.ok_or(EncoderError::NoCard)
}

/// Reads and judges the key of the card in the field at `at`: its holder found from the
/// key, or `expected` when given (another user's key is then `invalid user key`).
pub fn read(
    io: &mut dyn CardIo,
    keys: &CardKeys<'_>,
    expected: Option<UserId>,
    at: Timestamp,
) -> Result<KeyRead, EncoderError> {
    let card = detect(io)?;
    read_in_field(io, keys, &card, expected, at)
}

fn read_in_field(
    io: &mut dyn CardIo,
    keys: &CardKeys<'_>,
    card: &CardInField,
    expected: Option<UserId>,
    at: Timestamp,
) -> Result<KeyRead, EncoderError> {
    let secrets = CardSecrets::new(keys.card_key(), &card.uid);
    let read = read_card(io, card, &secrets)?;
    let stored = read.area.key.clone().ok_or(EncoderError::NoKey)?;
    let header = read_header(&stored.image)?;
    let holder = match expected {
        Some(user) => user,
        None => keys
            .user_with(header.holder)
            .ok_or(EncoderError::UnknownHolder)?,
    };
    let status = keys.status(&stored.image, holder, at)?;
    let image = KeyImage::decode(&stored.image)?;
    Ok(KeyRead {
        card: read,
        generation: stored.generation,
        image,
        bytes: stored.image,
        holder,
        status,
    })
}

/// A key written to a card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyWritten {
    /// The write.
    pub written: Written,
    /// The image written.
    pub image: KeyImage,
    /// Its bytes.
    pub bytes: usize,
}

/// Writes a fresh key for `user` (an edition), issued at `issued` and expiring at
/// `expiry`, personalising a blank card. The card's current key, whoever's it is, is
/// replaced: this is what `key encode` writes, put on the card.
pub fn write(
    io: &mut dyn CardIo,
    keys: &CardKeys<'_>,
    user: UserId,
    issued: Timestamp,
    expiry: Timestamp,
) -> Result<KeyWritten, EncoderError> {
    let image = keys.encode(user, issued, expiry)?;
    let bytes = image.to_bytes().map_err(EncodeError::from)?;
    let card = detect(io)?;
    let secrets = CardSecrets::new(keys.card_key(), &card.uid);
    let written = write_card(io, &card, &secrets, &bytes)?;
    Ok(KeyWritten {
        written,
        image,
        bytes: bytes.len(),
    })
}

/// What an update did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// The key was up to date: nothing written.
    UpToDate(Box<KeyRead>),
    /// The key was rewritten within its structure.
    Updated {
        /// The key as read.
        before: Box<KeyRead>,
        /// The key written.
        after: Box<KeyWritten>,
    },
}

/// The expiry of a renewed key: `expiry` if given, else the key's own life from
/// `issued` on (its revalidation period).
fn renewed_expiry(image: &KeyImage, issued: Timestamp, expiry: Option<Timestamp>) -> Timestamp {
    expiry.unwrap_or_else(|| {
        let life = image.expiry.0.saturating_sub(image.issued.0).max(1);
        Timestamp(issued.0.saturating_add(life))
    })
}

/// Updates the key of the card in the field within its structure, at `at`: refused
/// with `invalid user key` when it is not `expected`'s (when given), with
/// `re-edition required` when its structure must change, and when not authentic.
pub fn update(
    io: &mut dyn CardIo,
    keys: &CardKeys<'_>,
    expected: Option<UserId>,
    at: Timestamp,
    expiry: Option<Timestamp>,
) -> Result<Update, EncoderError> {
    let card = detect(io)?;
    let before = read_in_field(io, keys, &card, expected, at)?;
    match &before.status {
        KeyStatus::UpToDate => return Ok(Update::UpToDate(Box::new(before))),
        KeyStatus::UpdateRequired { .. } | KeyStatus::Expired { .. } => {}
        refused => return Err(EncoderError::Refused(refused.clone())),
    }
    let after = refresh(io, keys, &card, &before, at, expiry)?;
    Ok(Update::Updated {
        before: Box::new(before),
        after: Box::new(after),
    })
}

fn refresh(
    io: &mut dyn CardIo,
    keys: &CardKeys<'_>,
    card: &CardInField,
    before: &KeyRead,
    at: Timestamp,
    expiry: Option<Timestamp>,
) -> Result<KeyWritten, EncoderError> {
    let expiry = renewed_expiry(&before.image, at, expiry);
    let image = keys.refresh(&before.bytes, before.holder, at, expiry)?;
    let bytes = image.to_bytes().map_err(EncodeError::from)?;
    let secrets = CardSecrets::new(keys.card_key(), &card.uid);
    let written = write_card(io, card, &secrets, &bytes)?;
    Ok(KeyWritten {
        written,
        image,
        bytes: bytes.len(),
    })
}

/// What an automatic update station did with one card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presented {
    /// The key was up to date.
    UpToDate(Box<KeyRead>),
    /// The key was updated within its structure.
    Updated {
        /// The key as read.
        before: Box<KeyRead>,
        /// The key written.
        after: Box<KeyWritten>,
    },
    /// The key was re-edited (only with `--edit`).
    Reedited {
        /// The key as read.
        before: Box<KeyRead>,
        /// The key written.
        after: Box<KeyWritten>,
    },
    /// The key needs what the station does not do (a re-edition without `--edit`),
    /// or is refused (not authentic).
    Left(Box<KeyRead>),
    /// The card could not be handled: blank, another site's, a key of no user, pulled
    /// away mid-write.
    Failed {
        /// The card.
        card: CardInField,
        /// Why.
        error: EncoderError,
    },
}

/// An automatic key update station (Salto's "Run update reader"): every card
/// presented is read, updated when it needs it, re-edited only when `edit`; a card
/// is handled once while it stays in the field.
#[derive(Debug, Clone, Default)]
pub struct Station {
    edit: bool,
    last: Option<Vec<u8>>,
}

impl Station {
    /// A station that re-edits keys when `edit`.
    pub fn new(edit: bool) -> Station {
        Station { edit, last: None }
    }

    /// Looks at the field once at `at`: `None` when there is no card or the card was
    /// already handled; else what was done with the card newly presented.
    pub fn poll(
        &mut self,
        io: &mut dyn CardIo,
        keys: &CardKeys<'_>,
        at: Timestamp,
    ) -> Result<Option<Presented>, EncoderError> {
        let card = match io.detect() {
            Ok(Some(card)) => card,
            Ok(None) | Err(CardIoError::NoCard | CardIoError::Removed) => {
                self.last = None;
                return Ok(None);
            }
            Err(other) => return Err(other.into()),
        };
        if self.last.as_deref() == Some(card.uid.as_slice()) {
            return Ok(None);
        }
        self.last = Some(card.uid.clone());
        let presented = self.handle(io, keys, &card, at).unwrap_or_else(|error| {
            if matches!(
                error,
                EncoderError::Card(CardError::Io(CardIoError::Removed))
            ) {
                self.last = None;
            }
            Presented::Failed {
                card: card.clone(),
                error,
            }
        });
        let _ = io.release();
        Ok(Some(presented))
    }

    fn handle(
        &self,
        io: &mut dyn CardIo,
        keys: &CardKeys<'_>,
        card: &CardInField,
        at: Timestamp,
    ) -> Result<Presented, EncoderError> {
        let before = read_in_field(io, keys, card, None, at)?;
        Ok(match &before.status {
            KeyStatus::UpToDate => Presented::UpToDate(Box::new(before)),
            KeyStatus::UpdateRequired { .. } | KeyStatus::Expired { .. } => {
                let after = refresh(io, keys, card, &before, at, None)?;
                Presented::Updated {
                    before: Box::new(before),
                    after: Box::new(after),
                }
            }
            KeyStatus::ReeditionRequired { .. } if self.edit => {
                let expiry = renewed_expiry(&before.image, at, None);
                let image = keys.encode(before.holder, at, expiry)?;
                let bytes = image.to_bytes().map_err(EncodeError::from)?;
                let secrets = CardSecrets::new(keys.card_key(), &card.uid);
                let written = write_card(io, card, &secrets, &bytes)?;
                Presented::Reedited {
                    before: Box::new(before),
                    after: Box::new(KeyWritten {
                        written,
                        image,
                        bytes: bytes.len(),
                    }),
                }
            }
            _ => Presented::Left(Box::new(before)),
        })
    }
}

/// Whether a card read was personalised for the site.
pub fn personalised(read: &CardRead) -> bool {
    read.personalisation == Personalisation::Personalised
}

#[cfg(test)]
mod tests;
