//! A minimal card in memory for the card memory's unit tests: Classic sectors with
//! trailers (keys checked, the access bits `78 77 88` enforced: key B to write) and
//! NTAG pages with their configuration (PWD, PACK, AUTH0, PROT), and a field that can
//! be cut after any number of operations. The simulated cards of `pn532::sim::card`
//! are the full model; this one keeps the tests of this module self-contained.

// Everything from `super`, so that the controller's encoder tests can include this
// file with `#[path]` beside the same names.
use super::{
    data_blocks, sector_of, trailer_block, CardInField, CardIo, CardIoError, CardType, Geometry,
    KeySlot, PERSONALISED_ACCESS,
};

#[derive(Debug, Clone)]
pub struct TestCard {
    pub card: CardInField,
    pub memory: Vec<[u8; 16]>,
    pub pages: Vec<[u8; 4]>,
    authenticated: Option<(u8, KeySlot)>,
    ntag_authenticated: bool,
    halted: bool,
    /// Operations left before the card leaves the field (`None`: never).
    pub operations_left: Option<usize>,
    pub operations: usize,
}

impl TestCard {
    pub fn blank(card_type: CardType, uid: &[u8]) -> TestCard {
        let geometry = Geometry::of(card_type);
        let blocks = match card_type {
            CardType::Classic1k => 64,
            CardType::Classic4k => 256,
            _ => 0,
        };
        let mut memory = vec![[0u8; 16]; blocks];
        if geometry.is_classic() {
            for sector in 0..if blocks == 64 { 16 } else { 40 } {
                let mut trailer = [0xFF; 16];
                trailer[6..10].copy_from_slice(&[0xFF, 0x07, 0x80, 0x69]);
                memory[usize::from(trailer_block(sector))] = trailer;
            }
        }
        let page_count = match card_type {
            CardType::Ntag215 => 135,
            CardType::Ntag216 => 231,
            _ => 0,
        };
        let mut pages = vec![[0u8; 4]; page_count];
        if !geometry.is_classic() {
            let [cfg0, cfg1, pwd, _] = geometry.config_pages();
            pages[usize::from(cfg0)] = [0x04, 0, 0, 0xFF];
            pages[usize::from(cfg1)] = [0, 0x05, 0, 0];
            pages[usize::from(pwd)] = [0xFF; 4];
        }
        TestCard {
            card: CardInField {
                card_type,
                uid: uid.to_vec(),
            },
            memory,
            pages,
            authenticated: None,
            ntag_authenticated: false,
            halted: false,
            operations_left: None,
            operations: 0,
        }
    }

    /// Puts the card back in the field, with no cut.
    pub fn back(&mut self) {
        self.operations_left = None;
        self.authenticated = None;
        self.ntag_authenticated = false;
        self.halted = false;
    }

    fn step(&mut self) -> Result<(), CardIoError> {
        self.operations += 1;
        match &mut self.operations_left {
            Some(0) => Err(CardIoError::Removed),
            Some(n) => {
                *n -= 1;
                Ok(())
            }
            None => Ok(()),
        }
    }

    fn ready(&mut self) -> Result<(), CardIoError> {
        self.step()?;
        if self.halted {
            return Err(CardIoError::Nak {
                address: 0,
                code: 0x4,
            });
        }
        Ok(())
    }

    fn geometry(&self) -> Geometry {
        Geometry::of(self.card.card_type)
    }

    fn ntag_protected(&self, page: u8, reading: bool) -> bool {
        let [cfg0, cfg1, ..] = self.geometry().config_pages();
        let auth0 = self.pages[usize::from(cfg0)][3];
        let prot = self.pages[usize::from(cfg1)][0] & 0x80 != 0;
        page >= auth0 && (!reading || prot) && !self.ntag_authenticated
    }
}

impl CardIo for TestCard {
    fn detect(&mut self) -> Result<Option<CardInField>, CardIoError> {
        if self.step().is_err() {
            return Ok(None);
        }
        self.halted = false;
        self.authenticated = None;
        self.ntag_authenticated = false;
        Ok(Some(self.card.clone()))
    }

    fn authenticate(&mut self, block: u8, slot: KeySlot, key: [u8; 6]) -> Result<(), CardIoError> {
        self.ready()?;
        let trailer = self
            .memory
            .get(usize::from(trailer_block(sector_of(block))))
            .copied()
            .ok_or(CardIoError::Nak {
                address: 0,
                code: 0x0,
            })?;
        let expected = match slot {
            KeySlot::A => &trailer[0..6],
            KeySlot::B => &trailer[10..16],
        };
        if expected == key {
            self.authenticated = Some((sector_of(block), slot));
            Ok(())
        } else {
            self.halted = true;
            self.authenticated = None;
            Err(CardIoError::AuthenticationFailed { block })
        }
    }

    fn read_block(&mut self, block: u8) -> Result<[u8; 16], CardIoError> {
        self.ready()?;
        if self.authenticated.map(|a| a.0) != Some(sector_of(block)) {
            return Err(CardIoError::Nak {
                address: 0,
                code: 0x4,
            });
        }
        let mut data = self.memory[usize::from(block)];
        if block == trailer_block(sector_of(block)) {
            data[0..6].fill(0);
        }
        Ok(data)
    }

    fn write_block(&mut self, block: u8, data: [u8; 16]) -> Result<(), CardIoError> {
        self.ready()?;
        let sector = sector_of(block);
        let Some((authed, slot)) = self.authenticated else {
            return Err(CardIoError::Nak {
                address: 0,
                code: 0x4,
            });
        };
        let trailer = self.memory[usize::from(trailer_block(sector))];
        let personalised = trailer[6..9] == PERSONALISED_ACCESS;
        let writable = data_blocks(sector).contains(&block) || block == trailer_block(sector);
        if authed != sector || !writable || (personalised && slot != KeySlot::B) || block == 0 {
            return Err(CardIoError::Nak {
                address: 0,
                code: 0x4,
            });
        }
        self.memory[usize::from(block)] = data;
        Ok(())
    }

    fn read_pages(&mut self, page: u8) -> Result<[u8; 16], CardIoError> {
        self.ready()?;
        if usize::from(page) >= self.pages.len() || self.ntag_protected(page, true) {
            self.halted = true;
            return Err(CardIoError::Nak {
                address: 0,
                code: 0x0,
            });
        }
        let [_, _, pwd, pack] = self.geometry().config_pages();
        let mut out = [0u8; 16];
        for (i, chunk) in out.chunks_mut(4).enumerate() {
            let at = (usize::from(page) + i) % self.pages.len();
            let hidden = at == usize::from(pwd) || at == usize::from(pack);
            if !hidden {
                chunk.copy_from_slice(&self.pages[at]);
            }
        }
        Ok(out)
    }

    fn write_page(&mut self, page: u8, data: [u8; 4]) -> Result<(), CardIoError> {
        self.ready()?;
        if page < 4 || usize::from(page) >= self.pages.len() || self.ntag_protected(page, false) {
            self.halted = true;
            return Err(CardIoError::Nak {
                address: 0,
                code: 0x0,
            });
        }
        self.pages[usize::from(page)] = data;
        Ok(())
    }

    fn password_auth(&mut self, password: [u8; 4]) -> Result<[u8; 2], CardIoError> {
        self.ready()?;
        let [_, _, pwd, pack] = self.geometry().config_pages();
        if self.pages[usize::from(pwd)] == password {
            self.ntag_authenticated = true;
            let pack = self.pages[usize::from(pack)];
            Ok([pack[0], pack[1]])
        } else {
            self.halted = true;
            Err(CardIoError::AuthenticationFailed { block: 0 })
        }
    }

    fn release(&mut self) -> Result<(), CardIoError> {
        self.step()
    }
}
