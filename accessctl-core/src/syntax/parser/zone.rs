//! The anti-passback `zone` item (top level or inside a site): its entry and exit
//! doors or readers, `antipassback hard|soft|timed DURATION`, `per user|card` and
//! `unreachable open|closed`.
//!
//! It must never judge whether the doors exist or the rule makes sense: the
//! validator does.

use super::{PResult, Parser};
use crate::syntax::ast::{
    Duration, FailMode, Passback, Tracking, Word, Zone, ZoneClause, ZoneDoor,
};
use crate::syntax::lexer::{Keyword, Kind};

const ZONE_CLAUSES: &str = "a zone holds `entry`, `exit`, `antipassback`, `per` and \
     `unreachable` clauses";

impl Parser<'_> {
    /// `zone NAME ["Title"] { … }`
    pub(super) fn zone(&mut self) -> PResult<Zone> {
        self.bump();
        let name = self.name("a zone name")?;
        let title = self.title()?;
        let body = self.block("`{` to open the zone", Self::zone_clause)?;
        Ok(Zone { name, title, body })
    }

    /// A zone clause: each starts with a contextual keyword (a name elsewhere, so that
    /// a door may still be called `exit`).
    fn zone_clause(&mut self) -> PResult<ZoneClause> {
        let token = self.peek();
        let word = if token.kind == Kind::Name {
            self.slice(token)
        } else {
            ""
        };
        match word {
            "entry" => self
                .after_keyword(|p| p.zone_door("entry"))
                .map(ZoneClause::Entry),
            "exit" => self
                .after_keyword(|p| p.zone_door("exit"))
                .map(ZoneClause::Exit),
            "antipassback" => self
                .after_keyword(Self::passback)
                .map(ZoneClause::Antipassback),
            "per" => self.after_keyword(Self::tracking).map(ZoneClause::Per),
            "unreachable" => self
                .after_keyword(Self::fail_mode)
                .map(ZoneClause::Unreachable),
            _ => Err(self.expected_clause("a zone clause", ZONE_CLAUSES)),
        }
    }

    /// `DOOR [reader N]`, after `entry` or `exit`.
    fn zone_door(&mut self, after: &str) -> PResult<ZoneDoor> {
        let door = self.name(&format!("a door name after `{after}`"))?;
        let reader = if self.at_word("reader") {
            self.bump();
            Some(self.number("a reader number after `reader`")?)
        } else {
            None
        };
        Ok(ZoneDoor { door, reader })
    }

    /// `hard`, `soft` or `timed DURATION`, after `antipassback`.
    fn passback(&mut self) -> PResult<Passback> {
        let token = self.peek();
        let word = if token.kind == Kind::Name {
            self.slice(token)
        } else {
            ""
        };
        match word {
            "hard" => Ok(Passback::Hard(self.flag())),
            "soft" => Ok(Passback::Soft(self.flag())),
            "timed" => {
                let keyword = self.flag();
                Ok(Passback::Timed(keyword, self.duration()?))
            }
            _ => {
                let failed = self.expected("`hard`, `soft` or `timed` after `antipassback`");
                self.help_last(
                    "write `antipassback hard`, `antipassback soft` or `antipassback timed 30m`",
                );
                Err(failed)
            }
        }
    }

    /// `30m`: digits directly followed by a unit, both kept as written.
    fn duration(&mut self) -> PResult<Duration> {
        if !self.at(Kind::Duration) {
            let failed = self.expected("a duration (`30m`) after `timed`");
            self.help_last("a duration is a number directly followed by its unit: `30m` or `2h`");
            return Err(failed);
        }
        let token = self.bump();
        let text = self.slice(token);
        let split = text
            .find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(text.len());
        let (digits, unit) = text.split_at_checked(split).unwrap_or((text, ""));
        Ok(Duration {
            digits: digits.to_owned(),
            unit: unit.to_owned(),
            span: self.token_span(token),
        })
    }

    /// `user` or `card`, after `per`.
    fn tracking(&mut self) -> PResult<Word<Tracking>> {
        let kind = match self.keyword() {
            Some(Keyword::User) => Tracking::User,
            Some(Keyword::Card) => Tracking::Card,
            _ => {
                let failed = self.expected("`user` or `card` after `per`");
                self.help_last("a zone tracks presence `per user` (the default) or `per card`");
                return Err(failed);
            }
        };
        Ok(Word {
            kind,
            span: self.flag(),
        })
    }

    /// `open` or `closed`, after `unreachable`.
    fn fail_mode(&mut self) -> PResult<Word<FailMode>> {
        let token = self.peek();
        let kind = (token.kind == Kind::Name)
            .then(|| FailMode::from_keyword(self.slice(token)))
            .flatten();
        match kind {
            Some(kind) => Ok(Word {
                kind,
                span: self.flag(),
            }),
            None => {
                let failed = self.expected("`open` or `closed` after `unreachable`");
                self.help_last(
                    "`unreachable open` lets people pass unchecked while the presence store \
                     is out of reach; `unreachable closed` refuses them",
                );
                Err(failed)
            }
        }
    }
}
