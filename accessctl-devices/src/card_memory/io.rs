//! Reading, personalising and writing a card over [`CardIo`].
//!
//! Owns the order of the card commands: a Classic sector authenticated with its
//! derived key A to read and key B to write (a blank sector with the transport key,
//! once, to personalise it: its trailer written with the derived keys and access bits
//! `78 77 88`), an NTAG authenticated with its derived password (its PACK checked,
//! so that a card which does not know it is refused), a blank NTAG personalised
//! (PACK, PWD, then ACCESS with PROT, then AUTH0 = 4 last, which turns the protection
//! on), and a key written as [`area::plan_write`] orders it. A card that refuses a key
//! is selected again (`detect`) before the next try, as a card halts on a failed
//! authentication. It must never write a unit before the whole plan is known (an image
//! too large is refused first), and never return or print a secret.

use super::area::{self, AreaRead, LayoutError, TooLarge};
use super::{
    sector_of, trailer_block, CardSecrets, Geometry, Unit, NTAG_FIRST_PAGE, NTAG_PROT,
    TRANSPORT_KEY,
};
use crate::card_io::{CardInField, CardIo, CardIoError, KeySlot};
use thiserror::Error;

/// Whether a card has been personalised for the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Personalisation {
    /// Every sector (or the NTAG's configuration) still has the transport keys.
    Blank,
    /// Every sector answers the site's derived keys (or the NTAG its password).
    Personalised,
    /// Some sectors are personalised, others blank: a personalisation cut short.
    Partial,
}

/// A card read: its personalisation and its key area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRead {
    /// The card.
    pub card: CardInField,
    /// Its personalisation.
    pub personalisation: Personalisation,
    /// Its key area.
    pub area: AreaRead,
}

/// A key written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The card.
    pub card: CardInField,
    /// The slot written.
    pub slot: u8,
    /// The key's generation.
    pub generation: u32,
    /// Whether the card was personalised by this write.
    pub personalised: bool,
    /// Units written (blocks or pages), trailers and configuration included.
    pub units: usize,
}

/// Why a card cannot be read or written.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CardError {
    /// The encoder or the card failed.
    #[error(transparent)]
    Io(#[from] CardIoError),
    /// The image does not fit.
    #[error(transparent)]
    TooLarge(#[from] TooLarge),
    /// The key area read is not the card's.
    #[error(transparent)]
    Layout(#[from] LayoutError),
    /// A Classic sector answers neither the site's key nor the transport key.
    #[error("sector {sector} answers neither this site's key nor the transport key: the card belongs to another site or system")]
    ForeignSector {
        /// The sector.
        sector: u8,
    },
    /// An NTAG protected by a password that is not this site's.
    #[error("the tag is protected by another password: it belongs to another site or system")]
    ForeignTag,
    /// An NTAG that accepted the password but answered another PACK.
    #[error("the tag answered the password with a wrong PACK: it is not the card it claims to be")]
    WrongPack,
}

/// Reads the card in the field.
pub fn read_card(
    io: &mut dyn CardIo,
    card: &CardInField,
    secrets: &CardSecrets,
) -> Result<CardRead, CardError> {
    let geometry = Geometry::of(card.card_type);
    let (personalisation, bytes) = if geometry.is_classic() {
        read_classic(io, geometry, secrets)?
    } else {
        read_ntag(io, geometry, secrets)?
    };
    let area = area::read_area(geometry, secrets, &bytes)?;
    Ok(CardRead {
        card: card.clone(),
        personalisation,
        area,
    })
}

/// Writes `image` to the card in the field (read first), personalising it if blank.
pub fn write_card(
    io: &mut dyn CardIo,
    card: &CardInField,
    secrets: &CardSecrets,
    image: &[u8],
) -> Result<Written, CardError> {
    let geometry = Geometry::of(card.card_type);
    // Refused on its size before anything is read or written.
    let empty = AreaRead {
        slots: [area::SlotState::Empty; 2],
        key: None,
    };
    area::plan_write(geometry, secrets, &empty, image)?;
    let read = read_card(io, card, secrets)?;
    let plan = area::plan_write(geometry, secrets, &read.area, image)?;
    let mut units = 0;
    let personalised = read.personalisation != Personalisation::Personalised;
    if personalised {
        units += if geometry.is_classic() {
            personalise_classic(io, geometry, secrets)?
        } else {
            personalise_ntag(io, geometry, secrets)?
        };
    }
    let all = geometry.units();
    let mut session = Session::default();
    for write in &plan.writes {
        match all.get(write.unit) {
            Some(Unit::Block(block)) => {
                session.write_block(io, secrets, *block, &write.data)?;
            }
            Some(Unit::Page(page)) => {
                if !session.ntag_authenticated {
                    ntag_authenticate(io, secrets)?;
                    session.ntag_authenticated = true;
                }
                io.write_page(*page, array(&write.data))?;
            }
            None => continue,
        }
        units += 1;
    }
    Ok(Written {
        card: card.clone(),
        slot: plan.slot,
        generation: plan.generation,
        personalised,
        units,
    })
}

/// Authentication state across the writes of one plan.
#[derive(Default)]
struct Session {
    classic_sector: Option<u8>,
    ntag_authenticated: bool,
}

impl Session {
    fn write_block(
        &mut self,
        io: &mut dyn CardIo,
        secrets: &CardSecrets,
        block: u8,
        data: &[u8],
    ) -> Result<(), CardError> {
        let sector = sector_of(block);
        if self.classic_sector != Some(sector) {
            io.authenticate(block, KeySlot::B, secrets.key_b(sector))?;
            self.classic_sector = Some(sector);
        }
        io.write_block(block, array(data))?;
        Ok(())
    }
}

fn array<const N: usize>(data: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.iter_mut().zip(data).for_each(|(o, d)| *o = *d);
    out
}

/// How a Classic sector answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SectorKeys {
    Derived,
    Transport,
}

/// Authenticates `sector` for reading: the derived key A, else the transport key.
fn open_sector(
    io: &mut dyn CardIo,
    secrets: &CardSecrets,
    sector: u8,
) -> Result<SectorKeys, CardError> {
    let block = trailer_block(sector);
    match io.authenticate(block, KeySlot::A, secrets.key_a(sector)) {
        Ok(()) => return Ok(SectorKeys::Derived),
        Err(CardIoError::AuthenticationFailed { .. } | CardIoError::Nak { .. }) => {}
        Err(other) => return Err(other.into()),
    }
    reselect(io)?;
    match io.authenticate(block, KeySlot::A, TRANSPORT_KEY) {
        Ok(()) => Ok(SectorKeys::Transport),
        Err(CardIoError::AuthenticationFailed { .. } | CardIoError::Nak { .. }) => {
            reselect(io)?;
            Err(CardError::ForeignSector { sector })
        }
        Err(other) => Err(other.into()),
    }
}

/// Selects the card again after a refused authentication (the card halts).
fn reselect(io: &mut dyn CardIo) -> Result<(), CardError> {
    match io.detect()? {
        Some(_) => Ok(()),
        None => Err(CardIoError::Removed.into()),
    }
}

fn read_classic(
    io: &mut dyn CardIo,
    geometry: Geometry,
    secrets: &CardSecrets,
) -> Result<(Personalisation, Vec<u8>), CardError> {
    let mut bytes = Vec::with_capacity(geometry.area_len());
    let (mut derived, mut transport) = (0usize, 0usize);
    for sector in geometry.sectors() {
        match open_sector(io, secrets, sector)? {
            SectorKeys::Derived => derived += 1,
            SectorKeys::Transport => transport += 1,
        }
        for block in super::data_blocks(sector) {
            bytes.extend_from_slice(&io.read_block(block)?);
        }
    }
    Ok((personalisation(derived, transport), bytes))
}

fn personalisation(derived: usize, transport: usize) -> Personalisation {
    match (derived, transport) {
        (_, 0) => Personalisation::Personalised,
        (0, _) => Personalisation::Blank,
        _ => Personalisation::Partial,
    }
}

/// Writes the derived trailer of every sector still on the transport key.
fn personalise_classic(
    io: &mut dyn CardIo,
    geometry: Geometry,
    secrets: &CardSecrets,
) -> Result<usize, CardError> {
    let mut written = 0;
    for sector in geometry.sectors() {
        if open_sector(io, secrets, sector)? == SectorKeys::Derived {
            continue;
        }
        io.write_block(trailer_block(sector), secrets.trailer(sector))?;
        written += 1;
    }
    Ok(written)
}

/// Authenticates with the derived password and checks the PACK.
fn ntag_authenticate(io: &mut dyn CardIo, secrets: &CardSecrets) -> Result<(), CardError> {
    let pack = io.password_auth(secrets.password())?;
    if !accessctl_core::secret::constant_time_eq(&pack, &secrets.pack()) {
        return Err(CardError::WrongPack);
    }
    Ok(())
}

/// How the tag answers: the site's password with the protection on
/// (`Personalised`), the site's password with the protection not yet on (`Partial`:
/// a personalisation cut short), or no password (`Blank`).
fn ntag_open(
    io: &mut dyn CardIo,
    geometry: Geometry,
    secrets: &CardSecrets,
) -> Result<Personalisation, CardError> {
    let [cfg0, ..] = geometry.config_pages();
    let unprotected = |config: &[u8; 16]| {
        let auth0 = config.get(3).copied().unwrap_or(0);
        auth0 > geometry.last_user_page().saturating_add(5)
    };
    match ntag_authenticate(io, secrets) {
        Ok(()) => {
            let config = io.read_pages(cfg0)?;
            let prot = config.get(4).is_some_and(|access| access & NTAG_PROT != 0);
            let protected = config.get(3) == Some(&NTAG_FIRST_PAGE) && prot;
            return Ok(if protected {
                Personalisation::Personalised
            } else {
                Personalisation::Partial
            });
        }
        Err(CardError::Io(CardIoError::AuthenticationFailed { .. } | CardIoError::Nak { .. })) => {}
        Err(other) => return Err(other),
    }
    reselect(io)?;
    let config = match io.read_pages(cfg0) {
        Ok(config) => config,
        Err(CardIoError::Nak { .. } | CardIoError::AuthenticationFailed { .. }) => {
            reselect(io)?;
            return Err(CardError::ForeignTag);
        }
        Err(other) => return Err(other.into()),
    };
    if unprotected(&config) {
        Ok(Personalisation::Blank)
    } else {
        Err(CardError::ForeignTag)
    }
}

fn read_ntag(
    io: &mut dyn CardIo,
    geometry: Geometry,
    secrets: &CardSecrets,
) -> Result<(Personalisation, Vec<u8>), CardError> {
    let state = ntag_open(io, geometry, secrets)?;
    let len = geometry.area_len();
    let mut bytes = Vec::with_capacity(len.saturating_add(16));
    let mut page = NTAG_FIRST_PAGE;
    while bytes.len() < len {
        bytes.extend_from_slice(&io.read_pages(page)?);
        page = page.saturating_add(4);
    }
    bytes.truncate(len);
    Ok((state, bytes))
}

/// Sets the PACK and the password, then ACCESS (PROT), then AUTH0 = 4, which turns the
/// protection on, and authenticates.
fn personalise_ntag(
    io: &mut dyn CardIo,
    geometry: Geometry,
    secrets: &CardSecrets,
) -> Result<usize, CardError> {
    let [cfg0, cfg1, pwd, pack] = geometry.config_pages();
    let config = io.read_pages(cfg0)?;
    let [pack0, pack1] = secrets.pack();
    // PACK before PWD: a tag that knows the site's password always answers its PACK.
    io.write_page(pack, [pack0, pack1, 0, 0])?;
    io.write_page(pwd, secrets.password())?;
    let access = config.get(4).copied().unwrap_or(0) | NTAG_PROT;
    // ACCESS keeps its other bits (AUTHLIM stays as it is: 0, no limit, on a blank
    // tag, so that wrong passwords never lock a card for good).
    io.write_page(
        cfg1,
        [
            access,
            config.get(5).copied().unwrap_or(0),
            config.get(6).copied().unwrap_or(0),
            config.get(7).copied().unwrap_or(0),
        ],
    )?;
    io.write_page(
        cfg0,
        [
            config.first().copied().unwrap_or(0),
            config.get(1).copied().unwrap_or(0),
            config.get(2).copied().unwrap_or(0),
            NTAG_FIRST_PAGE,
        ],
    )?;
    ntag_authenticate(io, secrets)?;
    Ok(4)
}
