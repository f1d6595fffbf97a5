//! What an edit changes in one user ([`UserPatch`]), the values it takes as an admin
//! types them (`--valid 2026-01-01..2026-06-30`, `--allow "group communs"`), and the
//! patch applied to a user's syntax tree, clause by clause.
//!
//! A new clause goes after the user's last clause of the same kind, or after the last
//! one of a kind that comes before it in the canonical order (`email card pin qr mobile
//! remote offline inactive valid tags schedule allow admin created_by`). A clause left empty by a
//! removal (`tags` without a tag) goes. It must never judge what only the validator
//! can (a PIN's length, a schedule's fit in a ceiling): the checked result does.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::locate::Names;
use super::{empty_block, ident, string, EditRefused};
use crate::model::AdminRights;
use crate::source::Span;
use crate::syntax::ast::{
    Date, Entry, Ident, Number, Target, TargetKind, Trivia, User, UserClause, Word,
};

/// A value an edit sets, clears or leaves as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "op", content = "value")]
pub enum Field<T> {
    /// Left as it is.
    #[default]
    Keep,
    /// Set to this value (replacing any).
    Set(T),
    /// Removed.
    Clear,
}

impl<T> Field<T> {
    /// Whether the field is left as it is.
    pub fn is_keep(&self) -> bool {
        matches!(self, Field::Keep)
    }
}

/// Every change `user add` and `user set` can make to one user. The default changes
/// nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UserPatch {
    /// The full name (`user NAME "Full name"`).
    pub title: Option<String>,
    /// `email "…"`, replacing any.
    pub email: Option<String>,
    /// `card DIGITS` clauses added.
    pub cards_added: Vec<String>,
    /// Cards taken from the user (compared by value: `0042` is `42`).
    pub cards_removed: Vec<String>,
    /// `pin "…"`.
    #[serde(skip)]
    pub pin: Field<String>,
    /// Tags added (to the first `tags` clause).
    pub tags_added: Vec<String>,
    /// Tags removed (from every `tags` clause).
    pub tags_removed: Vec<String>,
    /// Targets granted, as written: `entree`, `group communs`, `site cowork`.
    pub allow: Vec<String>,
    /// Targets taken out of the user's grants, as written.
    pub deny: Vec<String>,
    /// `schedule NAME`, the user's own.
    pub schedule: Field<String>,
    /// `valid FROM..TO`.
    pub valid: Field<ValidWindow>,
    /// `offline` set (`Some(true)`) or removed (`Some(false)`).
    pub offline: Option<bool>,
    /// `remote` set or removed.
    pub remote: Option<bool>,
    /// `inactive` set or removed.
    pub inactive: Option<bool>,
    /// Admin rights added (words of `docs/language.md`, or `all`).
    pub admin_added: Vec<String>,
    /// Admin rights removed (`all`: the whole `admin` clause).
    pub admin_removed: Vec<String>,
    /// `created_by NAME`: the admin who created the user.
    pub created_by: Option<String>,
}

impl UserPatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self == &UserPatch::default()
    }
}

/// A validity window, either end open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ValidWindow {
    /// First valid day.
    pub from: Option<NaiveDate>,
    /// Last valid day.
    pub to: Option<NaiveDate>,
}

/// Reads `FROM..TO` (`2026-01-01..2026-06-30`, `2026-01-01..`, `..2026-06-30`).
pub fn parse_valid(text: &str) -> Result<ValidWindow, EditRefused> {
    let malformed = |reason: &str| EditRefused::Malformed {
        what: "validity window",
        value: text.to_owned(),
        reason: reason.to_owned(),
    };
    let Some((from, to)) = text.trim().split_once("..") else {
        return Err(malformed(
            "write FROM..TO with dates as YYYY-MM-DD, as in 2026-01-01..2026-06-30 (either end may be left out)",
        ));
    };
    let date = |part: &str| -> Result<Option<NaiveDate>, EditRefused> {
        let part = part.trim();
        if part.is_empty() {
            return Ok(None);
        }
        NaiveDate::parse_from_str(part, "%Y-%m-%d")
            .ok()
            .filter(|d| (1..=9999).contains(&d.year()))
            .map(Some)
            .ok_or_else(|| {
                malformed(&format!(
                    "`{part}` is not a calendar date written YYYY-MM-DD"
                ))
            })
    };
    let window = ValidWindow {
        from: date(from)?,
        to: date(to)?,
    };
    match (window.from, window.to) {
        (None, None) => Err(malformed(
            "give at least one end (to remove the window, use --no-valid)",
        )),
        (Some(from), Some(to)) if from > to => Err(malformed(&format!(
            "it ends ({to}) before it starts ({from})"
        ))),
        _ => Ok(window),
    }
}

/// Reads a target as written in a policy: `entree`, `group communs`, `door r2`,
/// `path vers_r2`, `site cowork`.
pub fn parse_target(text: &str) -> Result<Target, EditRefused> {
    let malformed = |reason: &str| EditRefused::Malformed {
        what: "target",
        value: text.to_owned(),
        reason: reason.to_owned(),
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    let (kind, name) = match words.as_slice() {
        [name] => (None, *name),
        [kind, name] => {
            let kind = match *kind {
                "site" => TargetKind::Site,
                "door" => TargetKind::Door,
                "group" => TargetKind::Group,
                "path" => TargetKind::Path,
                _ => {
                    return Err(malformed(
                        "a target is a name, or `site`, `door`, `group` or `path` and a name",
                    ))
                }
            };
            (Some(kind), *name)
        }
        _ => {
            return Err(malformed(
                "a target is a name, or `site`, `door`, `group` or `path` and a name",
            ))
        }
    };
    if !is_name(name) {
        return Err(malformed(
            "a name starts with a letter or `_` and holds letters, digits, `_` and `-`",
        ));
    }
    Ok(Target {
        kind: kind.map(|kind| Word {
            kind,
            span: Span::default(),
        }),
        name: ident(name),
    })
}

/// Whether `text` is a name of the language.
pub(super) fn is_name(text: &str) -> bool {
    let mut bytes = text.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `value` checked as a name of kind `what`.
pub(super) fn checked_name(what: &'static str, value: &str) -> Result<(), EditRefused> {
    if is_name(value) {
        Ok(())
    } else {
        Err(EditRefused::Malformed {
            what,
            value: value.to_owned(),
            reason: "a name starts with a letter or `_` and holds letters, digits, `_` and `-`"
                .to_owned(),
        })
    }
}

/// A card number's value.
fn card_value(digits: &str) -> Result<u64, EditRefused> {
    let malformed = |reason: &str| EditRefused::Malformed {
        what: "card number",
        value: digits.to_owned(),
        reason: reason.to_owned(),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed("a card number is digits only"));
    }
    digits
        .parse::<u64>()
        .map_err(|_| malformed("too large for a card number"))
}

/// The canonical rank of a clause kind, for placing new clauses.
fn rank(clause: &UserClause) -> u8 {
    match clause {
        UserClause::Email(_) => 0,
        UserClause::Card(_) => 1,
        UserClause::Pin(_) => 2,
        UserClause::Qr(_) => 3,
        UserClause::Mobile(_) => 4,
        UserClause::Remote(_) => 5,
        UserClause::Offline(_) => 6,
        UserClause::Inactive(_) => 7,
        UserClause::Valid { .. } => 8,
        UserClause::Tags(_) => 9,
        UserClause::Schedule(_) => 10,
        UserClause::Allow { .. } => 11,
        UserClause::Key(_) => 12,
        UserClause::Admin { .. } => 13,
        UserClause::CreatedBy(_) => 14,
    }
}

/// The clauses of a user, created when it was written without a block.
fn clauses(user: &mut User) -> &mut Vec<Entry<UserClause>> {
    &mut user.body.get_or_insert_with(empty_block).entries
}

/// Puts `clause` after the last clause of its rank or below.
fn insert(user: &mut User, clause: UserClause) {
    let rank_of = rank(&clause);
    let entries = clauses(user);
    let at = entries
        .iter()
        .rposition(|e| rank(&e.node) <= rank_of)
        .map_or(0, |i| i + 1);
    entries.insert(
        at,
        Entry {
            trivia: Trivia::default(),
            node: clause,
            span: Span::default(),
        },
    );
}

/// Puts `clause` in place of the first clause `matches` picks (keeping its comments)
/// and removes the others; inserts it when there is none.
fn replace(user: &mut User, matches: impl Fn(&UserClause) -> bool, clause: UserClause) {
    let entries = clauses(user);
    match entries.iter().position(|e| matches(&e.node)) {
        Some(at) => {
            let mut index = 0;
            entries.retain(|e| {
                let keep = index <= at || !matches(&e.node);
                index += 1;
                keep
            });
            if let Some(entry) = entries.get_mut(at) {
                entry.node = clause;
            }
        }
        None => insert(user, clause),
    }
}

/// Removes every clause `matches` picks; whether any was.
fn remove(user: &mut User, matches: impl Fn(&UserClause) -> bool) -> bool {
    let Some(body) = user.body.as_mut() else {
        return false;
    };
    let before = body.entries.len();
    body.entries.retain(|e| !matches(&e.node));
    let removed = body.entries.len() != before;
    if removed {
        if let Some(first) = body.entries.first_mut() {
            first.trivia.blank_line_before = false;
        }
    }
    removed
}

/// A clause `offline`, `remote` or `inactive` set or removed.
fn flag(
    user: &mut User,
    set: Option<bool>,
    make: fn(Span) -> UserClause,
    is: fn(&UserClause) -> bool,
) {
    let held = user
        .body
        .iter()
        .flat_map(|b| &b.entries)
        .any(|e| is(&e.node));
    match set {
        Some(true) if !held => insert(user, make(Span::default())),
        Some(false) => {
            remove(user, is);
        }
        _ => {}
    }
}

fn date(day: NaiveDate) -> Date {
    Date {
        year: u16::try_from(day.year()).unwrap_or(0),
        month: u8::try_from(day.month()).unwrap_or(0),
        day: u8::try_from(day.day()).unwrap_or(0),
        span: Span::default(),
    }
}

/// Whether a written target is the one `wanted` names (its kind too, when given).
fn same_target(written: &Target, wanted: &Target) -> bool {
    written.name.name == wanted.name.name
        && match (&wanted.kind, &written.kind) {
            (Some(w), Some(k)) => w.kind == k.kind,
            (Some(_), None) | (None, _) => true,
        }
}

/// `group communs`, as written.
pub(super) fn target_text(target: &Target) -> String {
    match &target.kind {
        Some(kind) => format!("{} {}", kind.kind.as_str(), target.name.name),
        None => target.name.name.clone(),
    }
}

/// Applies `patch` to `user`, keeping `names` (card holders) up to date.
pub(super) fn apply(
    user: &mut User,
    patch: &UserPatch,
    names: &mut Names,
) -> Result<(), EditRefused> {
    let handle = user.name.name.clone();
    if let Some(title) = &patch.title {
        user.title = Some(string(title));
    }
    if let Some(email) = &patch.email {
        replace(
            user,
            |c| matches!(c, UserClause::Email(_)),
            UserClause::Email(string(email)),
        );
    }
    cards(user, &handle, patch, names)?;
    match &patch.pin {
        Field::Keep => {}
        Field::Set(pin) => {
            replace(
                user,
                |c| matches!(c, UserClause::Pin(_)),
                UserClause::Pin(string(pin)),
            );
        }
        Field::Clear => {
            remove(user, |c| matches!(c, UserClause::Pin(_)));
        }
    }
    flag(user, patch.remote, UserClause::Remote, |c| {
        matches!(c, UserClause::Remote(_))
    });
    flag(user, patch.offline, UserClause::Offline, |c| {
        matches!(c, UserClause::Offline(_))
    });
    flag(user, patch.inactive, UserClause::Inactive, |c| {
        matches!(c, UserClause::Inactive(_))
    });
    match &patch.valid {
        Field::Keep => {}
        Field::Set(window) => {
            let valid = UserClause::Valid {
                from: window.from.map(date),
                to: window.to.map(date),
            };
            replace(user, |c| matches!(c, UserClause::Valid { .. }), valid);
        }
        Field::Clear => {
            remove(user, |c| matches!(c, UserClause::Valid { .. }));
        }
    }
    tags(user, patch, names)?;
    match &patch.schedule {
        Field::Keep => {}
        Field::Set(name) => {
            names.schedule(name)?;
            replace(
                user,
                |c| matches!(c, UserClause::Schedule(_)),
                UserClause::Schedule(ident(name)),
            );
        }
        Field::Clear => {
            remove(user, |c| matches!(c, UserClause::Schedule(_)));
        }
    }
    grants(user, &handle, patch, names)?;
    admin(user, patch)?;
    if let Some(creator) = &patch.created_by {
        checked_name("admin name", creator)?;
        replace(
            user,
            |c| matches!(c, UserClause::CreatedBy(_)),
            UserClause::CreatedBy(ident(creator)),
        );
    }
    Ok(())
}

fn cards(
    user: &mut User,
    handle: &str,
    patch: &UserPatch,
    names: &mut Names,
) -> Result<(), EditRefused> {
    for digits in &patch.cards_removed {
        let value = card_value(digits)?;
        let removed = remove(
            user,
            |c| matches!(c, UserClause::Card(n) if n.digits.parse::<u64>().ok() == Some(value)),
        );
        if !removed {
            return Err(EditRefused::CardNotHeld {
                user: handle.to_owned(),
                card: digits.clone(),
            });
        }
        names.cards.remove(&value);
    }
    for digits in &patch.cards_added {
        let value = card_value(digits)?;
        match names.cards.get(&value) {
            Some(holder) if holder == handle => continue,
            Some(holder) => {
                return Err(EditRefused::CardHeld {
                    card: digits.clone(),
                    holder: holder.clone(),
                })
            }
            None => {}
        }
        names.cards.insert(value, handle.to_owned());
        insert(
            user,
            UserClause::Card(Number {
                digits: digits.clone(),
                span: Span::default(),
            }),
        );
    }
    Ok(())
}

fn tags(user: &mut User, patch: &UserPatch, names: &mut Names) -> Result<(), EditRefused> {
    for tag in &patch.tags_removed {
        names.known_tag(tag)?;
        if let Some(body) = user.body.as_mut() {
            for entry in &mut body.entries {
                if let UserClause::Tags(list) = &mut entry.node {
                    list.retain(|t| &t.name != tag);
                }
            }
        }
        remove(
            user,
            |c| matches!(c, UserClause::Tags(list) if list.is_empty()),
        );
    }
    for tag in &patch.tags_added {
        checked_name("tag", tag)?;
        let entries = clauses(user);
        let mut first = None;
        let mut held = false;
        for entry in entries.iter_mut() {
            if let UserClause::Tags(list) = &mut entry.node {
                held |= list.iter().any(|t| &t.name == tag);
                first.get_or_insert(list);
            }
        }
        if held {
            continue;
        }
        names.tags.insert(tag.clone());
        match first {
            Some(list) => list.push(ident(tag)),
            None => insert(user, UserClause::Tags(vec![ident(tag)])),
        }
    }
    Ok(())
}

fn grants(
    user: &mut User,
    handle: &str,
    patch: &UserPatch,
    names: &Names,
) -> Result<(), EditRefused> {
    for text in &patch.deny {
        let wanted = parse_target(text)?;
        names.target(&wanted, text)?;
        let mut found = false;
        let mut written = Vec::new();
        if let Some(body) = user.body.as_mut() {
            for entry in &mut body.entries {
                if let UserClause::Allow { targets, schedule } = &mut entry.node {
                    written.push(grant_text(targets, schedule.as_ref()));
                    let before = targets.len();
                    targets.retain(|t| !same_target(t, &wanted));
                    found |= targets.len() != before;
                }
            }
        }
        if !found {
            return Err(EditRefused::NotGranted {
                user: handle.to_owned(),
                target: text.clone(),
                grants: written,
            });
        }
        remove(
            user,
            |c| matches!(c, UserClause::Allow { targets, .. } if targets.is_empty()),
        );
    }
    let mut new = Vec::new();
    for text in &patch.allow {
        let wanted = parse_target(text)?;
        names.target(&wanted, text)?;
        let held = user.body.iter().flat_map(|b| &b.entries).any(|e| {
            matches!(&e.node, UserClause::Allow { targets, schedule: None }
                if targets.iter().any(|t| t == &wanted))
        });
        if !held && !new.iter().any(|t: &Target| t == &wanted) {
            new.push(wanted);
        }
    }
    if new.is_empty() {
        return Ok(());
    }
    let plain = clauses(user).iter_mut().find_map(|e| match &mut e.node {
        UserClause::Allow {
            targets,
            schedule: None,
        } => Some(targets),
        _ => None,
    });
    match plain {
        Some(targets) => targets.extend(new),
        None => insert(
            user,
            UserClause::Allow {
                targets: new,
                schedule: None,
            },
        ),
    }
    Ok(())
}

/// `group communs entree schedule soirees`, as written.
fn grant_text(targets: &[Target], schedule: Option<&Ident>) -> String {
    let mut text = format!(
        "allow {}",
        targets
            .iter()
            .map(target_text)
            .collect::<Vec<_>>()
            .join(" ")
    );
    if let Some(schedule) = schedule {
        text.push_str(" schedule ");
        text.push_str(&schedule.name);
    }
    text
}

fn right(word: &str) -> Result<(), EditRefused> {
    if AdminRights::from_word(word).is_some() {
        return Ok(());
    }
    Err(EditRefused::UnknownRight {
        right: word.to_owned(),
        suggestion: crate::suggest::nearest(word, AdminRights::words()).map(str::to_owned),
    })
}

fn admin(user: &mut User, patch: &UserPatch) -> Result<(), EditRefused> {
    for word in &patch.admin_removed {
        right(word)?;
        if word == "all" {
            remove(user, |c| matches!(c, UserClause::Admin { .. }));
            continue;
        }
        if let Some(body) = user.body.as_mut() {
            for entry in &mut body.entries {
                if let UserClause::Admin { rights, .. } = &mut entry.node {
                    if rights.iter().any(|r| r.name == "all") {
                        *rights = AdminRights::words()
                            .filter(|w| *w != "all")
                            .map(ident)
                            .collect();
                    }
                    rights.retain(|r| &r.name != word);
                }
            }
        }
        remove(
            user,
            |c| matches!(c, UserClause::Admin { rights, .. } if rights.is_empty()),
        );
    }
    for word in &patch.admin_added {
        right(word)?;
        let existing = clauses(user).iter_mut().find_map(|e| match &mut e.node {
            UserClause::Admin { rights, .. } => Some(rights),
            _ => None,
        });
        match existing {
            Some(rights) => {
                if rights.iter().any(|r| r.name == "all" || &r.name == word) {
                    continue;
                }
                if word == "all" {
                    *rights = vec![ident("all")];
                } else {
                    rights.push(ident(word));
                }
            }
            None => insert(
                user,
                UserClause::Admin {
                    rights: vec![ident(word)],
                    ip: None,
                },
            ),
        }
    }
    Ok(())
}
