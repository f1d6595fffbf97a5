//! The `site` item and what a site holds: its clauses (`timezone`, `keystore`,
//! `cards`), its doors and their clauses, door groups, paths and space codes (a
//! site's `zone` clause is parsed by [`zone`](super::zone)).
//!
//! It must never check that a door, group or card format exists: the validator does.

use super::values::card_formats_help;
use super::{PResult, Parser};
use crate::syntax::ast::{Door, DoorClause, Group, Ident, PathDecl, Site, SiteClause, SpaceCode};
use crate::syntax::lexer::{Keyword, Kind};

const SITE_CLAUSES: &str = "a site holds `timezone`, `keystore`, `cards`, `door`, `group`, \
     `path`, `code` and `zone` clauses";
const DOOR_CLAUSES: &str = "a door holds `id`, `readers`, `cards`, `schedule`, `offline`, \
     `capacity` and `require` clauses";

impl Parser<'_> {
    /// `site NAME ["Title"] { … }`
    pub(super) fn site(&mut self) -> PResult<Site> {
        self.bump();
        let name = self.name("a site name")?;
        let title = self.title()?;
        let body = self.block("`{` to open the site", Self::site_clause)?;
        Ok(Site { name, title, body })
    }

    fn site_clause(&mut self) -> PResult<SiteClause> {
        match self.keyword() {
            Some(Keyword::Timezone) => {
                self.bump();
                let zone = self.string("a time zone string after `timezone`")?;
                Ok(SiteClause::Timezone(zone))
            }
            Some(Keyword::Keystore) => {
                self.bump();
                let file = self.string("a key store file name after `keystore`")?;
                Ok(SiteClause::Keystore(file))
            }
            Some(Keyword::Cards) => self.card_formats().map(SiteClause::Cards),
            Some(Keyword::Door) => self.door().map(SiteClause::Door),
            Some(Keyword::Group) => self.group().map(SiteClause::Group),
            Some(Keyword::Path) => self.path().map(SiteClause::Path),
            Some(Keyword::Code) => self.space_code().map(SiteClause::Code),
            Some(Keyword::Zone) => self.zone().map(SiteClause::Zone),
            _ => Err(self.expected_clause("a site clause", SITE_CLAUSES)),
        }
    }

    /// `door NAME ["Title"] [{ … }]`
    fn door(&mut self) -> PResult<Door> {
        self.bump();
        let name = self.name("a door name")?;
        let title = self.title()?;
        let body = self.optional_block(Self::door_clause)?;
        Ok(Door { name, title, body })
    }

    fn door_clause(&mut self) -> PResult<DoorClause> {
        let Some(keyword) = self.keyword() else {
            return Err(self.expected_clause("a door clause", DOOR_CLAUSES));
        };
        Ok(match keyword {
            Keyword::Id => {
                self.bump();
                DoorClause::Id(self.string("an external id string after `id`")?)
            }
            Keyword::Readers => {
                self.bump();
                DoorClause::Readers(self.reader_modes("readers")?)
            }
            Keyword::Schedule => {
                self.bump();
                DoorClause::Schedule(self.name("a schedule name after `schedule`")?)
            }
            Keyword::Offline => DoorClause::Offline(self.flag()),
            Keyword::Capacity => {
                self.bump();
                DoorClause::Capacity(self.number("a number after `capacity`")?)
            }
            Keyword::Require => {
                self.bump();
                DoorClause::Require(self.reader_modes("require")?)
            }
            Keyword::Cards => DoorClause::Cards(self.card_formats()?),
            _ => return Err(self.expected_clause("a door clause", DOOR_CLAUSES)),
        })
    }

    /// `cards FORMAT…`: Wiegand format names, at least one (the validator knows them).
    fn card_formats(&mut self) -> PResult<Vec<Ident>> {
        self.bump();
        if !self.at(Kind::Name) {
            let failed = self.expected("a card format name after `cards`");
            self.help_last(&card_formats_help());
            return Err(failed);
        }
        self.names("a card format name after `cards`")
    }

    /// `group NAME = DOOR…`
    fn group(&mut self) -> PResult<Group> {
        self.bump();
        let name = self.name("a group name")?;
        self.expect(Kind::Equals, "`=` after the group name")?;
        let doors = self.names("a door name after `=`")?;
        Ok(Group { name, doors })
    }

    /// `path NAME = DOOR -> DOOR …`
    fn path(&mut self) -> PResult<PathDecl> {
        self.bump();
        let name = self.name("a path name")?;
        self.expect(Kind::Equals, "`=` after the path name")?;
        let mut doors = vec![self.name("a door name after `=`")?];
        while self.at(Kind::Arrow) {
            self.bump();
            doors.push(self.name("a door name after `->`")?);
        }
        Ok(PathDecl { name, doors })
    }

    /// `code "XXXXXX" on TARGET…`
    fn space_code(&mut self) -> PResult<SpaceCode> {
        self.bump();
        let code = self.string("the code as a string after `code` (`code \"483920\"`)")?;
        if self.eat_keyword(Keyword::On).is_none() {
            return Err(self.expected("`on` after the space code"));
        }
        let targets = self.targets("a target after `on`")?;
        Ok(SpaceCode { code, targets })
    }
}
