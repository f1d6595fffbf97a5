//! A query's conditions, said once for every store: which column each field of a
//! [`Query`] tests, how, and against what, and the order events come back in.
//!
//! Owns the meaning of a [`Query`] in SQL terms. Each store writes these conditions
//! in its own dialect (placeholders, lists); it must never add a condition of its
//! own, so that the same query selects the same events in SQLite and in PostgreSQL.

use super::Query;

/// How a condition tests its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Test {
    /// `column = value`
    Equals,
    /// `column >= value`
    AtLeast,
    /// `column < value`
    Before,
    /// The column equals one of the values.
    AnyOf,
}

impl Test {
    /// The SQL operator of a test against one value (`None` for [`Test::AnyOf`],
    /// which each dialect writes its own way).
    pub(crate) fn operator(self) -> Option<&'static str> {
        match self {
            Test::Equals => Some("="),
            Test::AtLeast => Some(">="),
            Test::Before => Some("<"),
            Test::AnyOf => None,
        }
    }
}

/// What a condition tests its column against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Operand {
    /// A text.
    Text(String),
    /// An integer.
    Integer(i64),
    /// Several texts (for [`Test::AnyOf`]).
    Texts(Vec<String>),
}

/// One condition of a query: `column test operand`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Condition {
    /// The column, quoted where SQL needs it (`"user"`, a keyword in PostgreSQL).
    pub column: &'static str,
    /// How it is tested.
    pub test: Test,
    /// Against what.
    pub operand: Operand,
}

/// The order of a query's answer: newest first, ties by controller, then sequence
/// number, descending.
pub(crate) const NEWEST_FIRST: &str = "ORDER BY at DESC, controller DESC, seq DESC";

impl Query {
    /// The conditions this query asks for, and only those (so a store can pick the
    /// index that serves them), in a fixed order.
    pub(crate) fn conditions(&self) -> Vec<Condition> {
        let text = |column, value: &String| Condition {
            column,
            test: Test::Equals,
            operand: Operand::Text(value.clone()),
        };
        let mut conditions = Vec::new();
        conditions.extend(self.door.as_ref().map(|door| text("door", door)));
        conditions.extend(self.since.map(|since| Condition {
            column: "at",
            test: Test::AtLeast,
            operand: Operand::Integer(since),
        }));
        conditions.extend(self.until.map(|until| Condition {
            column: "at",
            test: Test::Before,
            operand: Operand::Integer(until),
        }));
        conditions.extend(self.kind.map(|kind| text("kind", &kind.code().to_owned())));
        conditions.extend(self.user.as_ref().map(|user| text("\"user\"", user)));
        conditions.extend(self.card.as_ref().map(|card| text("card", card)));
        let any_of = |column, values: Vec<String>| {
            (!values.is_empty()).then_some(Condition {
                column,
                test: Test::AnyOf,
                operand: Operand::Texts(values),
            })
        };
        let codes = |codes: Vec<&str>| codes.into_iter().map(str::to_owned).collect();
        conditions.extend(any_of(
            "kind",
            codes(self.kinds.iter().map(|k| k.code()).collect()),
        ));
        conditions.extend(any_of("door", self.doors.clone()));
        conditions.extend(any_of("\"user\"", self.users.clone()));
        conditions.extend(any_of(
            "medium",
            codes(self.media.iter().map(|m| m.code()).collect()),
        ));
        conditions.extend(any_of(
            "access_type",
            codes(self.access_types.iter().map(|a| a.code()).collect()),
        ));
        conditions
    }
}

/// `WHERE a AND b …` from the conditions as a store wrote them, or nothing.
pub(crate) fn where_clause(written: &[String]) -> String {
    match written.is_empty() {
        true => String::new(),
        false => format!(" WHERE {}", written.join(" AND ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::EventKind;

    #[test]
    fn only_the_fields_asked_for_become_conditions() {
        assert!(Query::default().conditions().is_empty());
        let query = Query {
            door: Some("main".into()),
            until: Some(10),
            kinds: vec![EventKind::Opened, EventKind::Denied],
            ..Query::default()
        };
        let columns: Vec<_> = query
            .conditions()
            .iter()
            .map(|c| (c.column, c.test))
            .collect();
        assert_eq!(
            columns,
            [
                ("door", Test::Equals),
                ("at", Test::Before),
                ("kind", Test::AnyOf)
            ]
        );
    }

    #[test]
    fn lists_become_one_condition_each_and_empty_lists_none() {
        use crate::journal::{AccessType, Medium};
        let query = Query {
            doors: vec!["main".into(), "side".into()],
            users: vec!["ana".into()],
            media: vec![Medium::Badge, Medium::Pin],
            access_types: vec![AccessType::Appointment],
            since: Some(5),
            ..Query::default()
        };
        let conditions = query.conditions();
        let columns: Vec<_> = conditions.iter().map(|c| (c.column, c.test)).collect();
        assert_eq!(
            columns,
            [
                ("at", Test::AtLeast),
                ("door", Test::AnyOf),
                ("\"user\"", Test::AnyOf),
                ("medium", Test::AnyOf),
                ("access_type", Test::AnyOf),
            ]
        );
        let media = conditions.iter().find(|c| c.column == "medium").unwrap();
        assert_eq!(
            media.operand,
            Operand::Texts(vec!["badge".into(), "pin".into()])
        );
        let access = conditions.iter().find(|c| c.column == "access_type");
        assert_eq!(
            access.unwrap().operand,
            Operand::Texts(vec!["appointment".into()])
        );
    }
}
