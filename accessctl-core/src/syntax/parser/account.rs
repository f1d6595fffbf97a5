//! The `account` item and what an account holds: users and their clauses
//! (credentials, validity, tags, schedule, `allow`, `key` options, `admin` and `created_by`), sub-accounts (the one
//! recursive construct, refused deeper than [`MAX_SUBACCOUNT_DEPTH`]) and the
//! `ceiling` on what the account may grant (an account's appointments are parsed by
//! [`appointment`](super::appointment)).
//!
//! It must never judge whether a user's rights fit the ceiling: the validator does.

use super::{PResult, Parser, MAX_SUBACCOUNT_DEPTH};
use crate::syntax::ast::{Account, AccountClause, Ceiling, KeyOption, User, UserClause, Word};
use crate::syntax::lexer::{Keyword, Kind};

const ACCOUNT_CLAUSES: &str =
    "an account holds `user`, `subaccount`, `appointment` and `ceiling` clauses";
const USER_CLAUSES: &str = "a user holds `email`, `card`, `pin`, `qr`, `mobile`, `remote`, \
     `offline`, `inactive`, `valid`, `tags`, `schedule`, `allow`, `key`, `admin` and `created_by` clauses";

impl Parser<'_> {
    /// `account NAME ["Title"] { … }`, or `subaccount …` when `sub`.
    pub(super) fn account(&mut self, sub: bool) -> PResult<Account> {
        let keyword = self.bump();
        if sub && self.subaccount_depth >= MAX_SUBACCOUNT_DEPTH {
            return Err(self.too_deep(keyword));
        }
        let name = self.name(if sub {
            "a sub-account name"
        } else {
            "an account name"
        })?;
        let title = self.title()?;
        self.subaccount_depth += usize::from(sub);
        let body = self.block("`{` to open the account", Self::account_clause)?;
        self.subaccount_depth -= usize::from(sub);
        Ok(Account {
            sub,
            name,
            title,
            body,
        })
    }

    fn account_clause(&mut self) -> PResult<AccountClause> {
        match self.keyword() {
            Some(Keyword::Ceiling) => self.ceiling().map(AccountClause::Ceiling),
            Some(Keyword::User) => self.user().map(AccountClause::User),
            Some(Keyword::Subaccount) => self.account(true).map(AccountClause::Subaccount),
            Some(Keyword::Appointment) => self.appointment().map(AccountClause::Appointment),
            Some(Keyword::Account) => {
                let failed = self.expected_clause("an account clause", ACCOUNT_CLAUSES);
                self.help_last("nest an account with `subaccount`, or close this one with `}`");
                Err(failed)
            }
            _ => Err(self.expected_clause("an account clause", ACCOUNT_CLAUSES)),
        }
    }

    /// `ceiling [doors TARGET…] [rights RIGHT…] [schedule NAME]`, parts in any order,
    /// each at most once.
    fn ceiling(&mut self) -> PResult<Ceiling> {
        self.bump();
        let mut ceiling = Ceiling {
            doors: None,
            rights: None,
            schedule: None,
        };
        while let Some(part) = self.keyword() {
            let given = match part {
                Keyword::Doors => ceiling.doors.is_some(),
                Keyword::Rights => ceiling.rights.is_some(),
                Keyword::Schedule => ceiling.schedule.is_some(),
                _ => break,
            };
            if given {
                return Err(self.repeated_part(part));
            }
            self.ceiling_part(part, &mut ceiling)?;
        }
        Ok(ceiling)
    }

    fn ceiling_part(&mut self, part: Keyword, ceiling: &mut Ceiling) -> PResult<()> {
        self.bump();
        match part {
            Keyword::Doors => ceiling.doors = Some(self.targets("a target after `doors`")?),
            Keyword::Rights => ceiling.rights = Some(self.rights("an admin right after `rights`")?),
            _ => ceiling.schedule = Some(self.name("a schedule name after `schedule`")?),
        }
        Ok(())
    }

    /// `user NAME ["Full name"] [{ … }]`
    fn user(&mut self) -> PResult<User> {
        self.bump();
        let name = self.name("a user name")?;
        let title = self.title()?;
        let body = self.optional_block(Self::user_clause)?;
        Ok(User { name, title, body })
    }

    fn user_clause(&mut self) -> PResult<UserClause> {
        let Some(keyword) = self.keyword() else {
            return Err(self.expected_clause("a user clause", USER_CLAUSES));
        };
        Ok(match keyword {
            Keyword::Email => self
                .after_keyword(|p| p.string("an email string after `email`"))
                .map(UserClause::Email)?,
            Keyword::Card => self
                .after_keyword(|p| p.number("a card number (digits) after `card`"))
                .map(UserClause::Card)?,
            Keyword::Pin => self
                .after_keyword(|p| p.string("a PIN string after `pin`"))
                .map(UserClause::Pin)?,
            Keyword::Qr => self
                .after_keyword(|p| p.string("a QR code string after `qr`"))
                .map(UserClause::Qr)?,
            Keyword::Mobile => self
                .after_keyword(|p| p.string("a mobile key string after `mobile`"))
                .map(UserClause::Mobile)?,
            Keyword::Remote => UserClause::Remote(self.flag()),
            Keyword::Offline => UserClause::Offline(self.flag()),
            Keyword::Inactive => UserClause::Inactive(self.flag()),
            Keyword::Valid => self.valid()?,
            Keyword::Tags => self
                .after_keyword(|p| p.names("a tag after `tags`"))
                .map(UserClause::Tags)?,
            Keyword::Schedule => self
                .after_keyword(|p| p.name("a schedule name after `schedule`"))
                .map(UserClause::Schedule)?,
            Keyword::Allow => self.allow()?,
            Keyword::Admin => self.admin()?,
            Keyword::CreatedBy => self
                .after_keyword(|p| p.name("an admin's user name after `created_by`"))
                .map(UserClause::CreatedBy)?,
            Keyword::Key => self.after_keyword(Self::key_options).map(UserClause::Key)?,
            _ => return Err(self.expected_clause("a user clause", USER_CLAUSES)),
        })
    }

    /// Consumes the clause's keyword, then parses its value with `value`.
    pub(super) fn after_keyword<T>(
        &mut self,
        value: impl FnOnce(&mut Self) -> PResult<T>,
    ) -> PResult<T> {
        self.bump();
        value(self)
    }

    /// `valid [DATE]..[DATE]`
    fn valid(&mut self) -> PResult<UserClause> {
        self.bump();
        let from = self.optional_date()?;
        if !self.at(Kind::DotDot) {
            let failed = self.expected("`..` in the validity window");
            self.help_last(
                "write `valid 2026-01-01..2026-12-31`; either end may be left out, \
                 as in `valid 2026-01-01..`",
            );
            return Err(failed);
        }
        self.bump();
        let to = self.optional_date()?;
        Ok(UserClause::Valid { from, to })
    }

    /// `allow TARGET… [schedule NAME]`
    fn allow(&mut self) -> PResult<UserClause> {
        self.bump();
        let targets = self.targets("a target after `allow`")?;
        let schedule = match self.eat_keyword(Keyword::Schedule) {
            Some(_) => Some(self.name("a schedule name after `schedule`")?),
            None => None,
        };
        Ok(UserClause::Allow { targets, schedule })
    }

    /// `audit`, `antipassback`, one or both, after `key`.
    fn key_options(&mut self) -> PResult<Vec<Word<KeyOption>>> {
        let mut options = Vec::new();
        loop {
            let token = self.peek();
            let kind = match (token.kind, self.slice(token)) {
                (Kind::Name, "audit") => KeyOption::Audit,
                (Kind::Name, "antipassback") => KeyOption::Antipassback,
                _ => break,
            };
            self.bump();
            options.push(Word {
                kind,
                span: self.token_span(token),
            });
        }
        if options.is_empty() {
            let failed = self.expected("`audit` or `antipassback` after `key`");
            self.help_last(
                "a key option is `audit` (an audit trail on the key) or `antipassback`: \
                 write `key audit antipassback`",
            );
            return Err(failed);
        }
        Ok(options)
    }

    /// `admin RIGHT… [ip "ADDRESS"]`
    fn admin(&mut self) -> PResult<UserClause> {
        self.bump();
        let rights = self.rights("an admin right after `admin`")?;
        let ip = match self.eat_keyword(Keyword::Ip) {
            Some(_) => Some(self.string("an address string after `ip`")?),
            None => None,
        };
        Ok(UserClause::Admin { rights, ip })
    }
}
