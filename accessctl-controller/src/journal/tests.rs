//! Unit tests of the journal on in-memory databases.

use super::*;
use accessctl_core::Reason;

fn opened(at: i64, door: &str, user: &str) -> Event {
    Event {
        reason: Some(Reason::Granted),
        user: Some(user.to_owned()),
        ..Event::new(at, "hq", door, EventKind::Opened)
    }
}

fn journal() -> Journal {
    Journal::in_memory().expect("an in-memory journal opens")
}

#[test]
fn a_new_journal_is_at_the_latest_schema() {
    assert_eq!(journal().schema_version().unwrap(), schema::latest());
}

#[test]
fn migrating_again_changes_nothing() {
    let mut journal = journal();
    journal.record(&opened(10, "main", "ana")).unwrap();
    schema::migrate(&mut journal.conn, schema::latest()).unwrap();
    assert_eq!(journal.query(&Query::default()).unwrap().len(), 1);
}

/// A journal at schema version 1 holding `events`, of the kinds version 1 knew.
fn version_1(events: &[Event]) -> Journal {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    for event in events {
        conn.execute(
            "INSERT INTO events (at, site, door, kind, reason, user, card, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                event.at,
                event.site,
                event.door,
                event.kind.code(),
                event.reason.map(|reason| reason.code()),
                event.user,
                event.card,
                event.detail,
            ],
        )
        .unwrap();
    }
    let path = ":memory:".into();
    let controller = "c-v1".into();
    Journal {
        conn,
        path,
        controller,
    }
}

#[test]
fn version_2_moves_only_version_1s_unreadable_reads_to_their_kind() {
    let detail = "unreadable card: no accepted format reads 35-bit frames";
    let unreadable = Event {
        detail: Some(detail.to_owned()),
        ..Event::new(10, "hq", "main", EventKind::Denied)
    };
    let refused = Event {
        reason: Some(Reason::NotGranted),
        user: Some("bob".to_owned()),
        ..Event::new(20, "hq", "main", EventKind::Denied)
    };
    let tamper = Event {
        detail: Some("enclosure open".to_owned()),
        ..Event::new(30, "hq", "main", EventKind::Tamper)
    };
    let mut journal = version_1(&[unreadable.clone(), refused.clone(), tamper.clone()]);
    schema::migrate(&mut journal.conn, 1).unwrap();
    assert_eq!(journal.schema_version().unwrap(), schema::latest());
    let entries = journal.query(&Query::default()).unwrap();
    let oldest_first: Vec<Event> = entries.into_iter().rev().map(|e| e.event).collect();
    let moved = Event {
        kind: EventKind::UnreadableCard,
        ..unreadable
    };
    assert_eq!(oldest_first, [moved, refused, tamper]);
    let power = Event {
        detail: Some("power restored".to_owned()),
        ..Event::new(40, "hq", "main", EventKind::Power)
    };
    journal.record(&power).unwrap();
    assert_eq!(journal.query(&Query::default()).unwrap()[0].event, power);
    let card = journal.conn.execute(
        "INSERT INTO events (at, site, door, kind, card) VALUES (50, 'hq', 'main', 'power', '1')",
        [],
    );
    assert!(card.is_err(), "the card check survives the rebuild");
}

#[test]
fn events_come_back_as_recorded_newest_first() {
    let mut journal = journal();
    let unknown = Event {
        card: Some("12345678".to_owned()),
        reason: Some(Reason::UnknownCredential),
        ..Event::new(20, "hq", "main", EventKind::UnknownCard)
    };
    journal.record(&opened(10, "main", "ana")).unwrap();
    journal.record(&unknown).unwrap();
    let entries = journal.query(&Query::default()).unwrap();
    let events: Vec<&Event> = entries.iter().map(|entry| &entry.event).collect();
    assert_eq!(events, [&unknown, &opened(10, "main", "ana")]);
}

#[test]
fn queries_filter_by_kind_and_limit() {
    let mut journal = journal();
    let offline = Event::new(15, "hq", "main", EventKind::ReaderOffline);
    let events = [
        opened(10, "main", "ana"),
        offline.clone(),
        opened(20, "main", "bo"),
    ];
    journal.record_many(&events).unwrap();
    let kind = Query {
        kind: Some(EventKind::ReaderOffline),
        ..Query::default()
    };
    assert_eq!(journal.query(&kind).unwrap()[0].event, offline);
    let limit = Query {
        limit: Some(1),
        ..Query::default()
    };
    let newest = journal.query(&limit).unwrap();
    assert_eq!(newest.len(), 1);
    assert_eq!(newest[0].event.user.as_deref(), Some("bo"));
}

#[test]
fn a_card_number_is_refused_outside_unknown_cards() {
    let mut journal = journal();
    let event = Event {
        card: Some("999".to_owned()),
        ..opened(10, "main", "ana")
    };
    let error = journal.record(&event).unwrap_err();
    assert!(
        matches!(error, JournalError::InvalidEvent { .. }),
        "{error}"
    );
    assert!(journal.query(&Query::default()).unwrap().is_empty());
}

#[test]
fn an_instant_iso_8601_cannot_write_is_refused() {
    let mut journal = journal();
    for at in [i64::MIN, 253_402_300_800, i64::MAX] {
        let error = journal.record(&opened(at, "main", "ana")).unwrap_err();
        assert!(
            matches!(error, JournalError::InvalidEvent { .. }),
            "{at}: {error}"
        );
    }
    assert!(journal.query(&Query::default()).unwrap().is_empty());
    journal
        .record(&opened(253_402_300_799, "main", "ana"))
        .unwrap();
}

#[test]
fn an_unknown_stored_kind_is_an_error_not_a_panic() {
    let journal = journal();
    journal
        .conn
        .execute_batch(
            "PRAGMA ignore_check_constraints = ON;
             INSERT INTO events (controller, seq, at, site, door, kind)
                 VALUES ('c-1', 1, 1, 'hq', 'main', 'exploded');",
        )
        .unwrap();
    let error = journal.query(&Query::default()).unwrap_err();
    assert!(error.to_string().contains("exploded"), "{error}");
}

#[test]
fn kinds_and_reasons_round_trip_through_their_codes() {
    for kind in EventKind::ALL {
        assert_eq!(EventKind::from_code(kind.code()), Some(kind));
    }
    for reason in Reason::ALL {
        assert_eq!(reason_from_code(reason.code()), Some(reason));
    }
}

#[test]
fn events_serialize_with_snake_case_codes() {
    let json = serde_json::to_value(opened(10, "main", "ana")).unwrap();
    assert_eq!(json["kind"], "opened");
    assert_eq!(json["reason"], "granted");
}

#[test]
fn purge_keeps_events_exactly_at_the_cutoff() {
    let mut journal = journal();
    let day = 24 * 60 * 60;
    let now = 100 * day;
    let events = [
        opened(now - 60 * day - 1, "main", "old"),
        opened(now - 60 * day, "main", "edge"),
    ];
    journal.record_many(&events).unwrap();
    assert_eq!(journal.purge(now, DEFAULT_RETENTION).unwrap(), 1);
    let left = journal.query(&Query::default()).unwrap();
    assert_eq!(left[0].event.user.as_deref(), Some("edge"));
}

#[test]
fn queries_filter_by_user_card_and_several_kinds() {
    let mut journal = journal();
    let unknown = Event {
        card: Some("42".to_owned()),
        ..Event::new(30, "hq", "main", EventKind::UnknownCard)
    };
    let tamper = Event::new(40, "hq", "main", EventKind::Tamper);
    let events = [
        opened(10, "main", "ana"),
        opened(20, "main", "bo"),
        unknown.clone(),
        tamper.clone(),
    ];
    journal.record_many(&events).unwrap();
    let ana = Query {
        user: Some("ana".to_owned()),
        ..Query::default()
    };
    let found = journal.query(&ana).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].event.at, 10);
    let card = Query {
        card: Some("42".to_owned()),
        ..Query::default()
    };
    assert_eq!(journal.query(&card).unwrap()[0].event, unknown);
    let kinds = Query {
        kinds: vec![EventKind::Tamper, EventKind::UnknownCard],
        since: Some(11),
        ..Query::default()
    };
    let found: Vec<Event> = journal
        .query(&kinds)
        .unwrap()
        .into_iter()
        .map(|entry| entry.event)
        .collect();
    assert_eq!(found, [tamper, unknown]);
    let nobody = Query {
        user: Some("ana".to_owned()),
        kinds: vec![EventKind::Denied],
        ..Query::default()
    };
    assert!(journal.query(&nobody).unwrap().is_empty());
}

#[test]
fn every_event_gets_the_next_sequence_number_of_its_controller() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let mut journal = Journal::open(&path).unwrap();
    let id = journal.controller_id().to_owned();
    assert!(id.starts_with("c-") && id.len() == 18, "{id}");
    let first = journal.record_many(&[opened(10, "main", "ana"), opened(11, "main", "bob")]);
    assert_eq!(
        first.unwrap().iter().map(|e| e.id).collect::<Vec<_>>(),
        [1, 2]
    );
    drop(journal);
    let mut again = Journal::open(&path).unwrap();
    assert_eq!(again.controller_id(), id, "the identity survives a restart");
    let third = again.record_many(&[opened(12, "main", "ana")]).unwrap();
    assert_eq!(
        (third[0].id, third[0].controller.as_str()),
        (3, id.as_str())
    );
    let refused = again.claim_controller_id("door-1").unwrap_err();
    assert!(
        matches!(refused, JournalError::ControllerIdKept { .. }),
        "{refused}"
    );
    again.claim_controller_id(&id).unwrap();
}

#[test]
fn a_controller_id_is_claimed_before_the_first_event_only() {
    let mut journal = journal();
    journal.claim_controller_id("door-1").unwrap();
    journal.record(&opened(10, "main", "ana")).unwrap();
    let entries = journal.query(&Query::default()).unwrap();
    assert_eq!(entries[0].controller, "door-1");
    journal.claim_controller_id("door-1").unwrap();
    assert!(journal.claim_controller_id("door-2").is_err());
    assert!(journal.claim_controller_id("").is_err());
}

#[test]
fn version_3_rows_become_this_controllers_with_their_ids_as_sequence_numbers() {
    let mut journal = version_1(&[opened(10, "main", "ana"), opened(20, "main", "bob")]);
    schema::migrate(&mut journal.conn, 1).unwrap();
    let reopened = Journal::prepare(journal.conn, ":memory:".into()).unwrap();
    let entries = reopened.query(&Query::default()).unwrap();
    let identities: Vec<(i64, &str)> = entries
        .iter()
        .map(|e| (e.id, e.controller.as_str()))
        .collect();
    let id = reopened.controller_id();
    assert_eq!(identities, [(2, id), (1, id)]);
}

#[test]
fn an_identity_appended_twice_is_kept_once() {
    let mut source = journal();
    let entries = source
        .record_many(&[opened(10, "main", "ana"), opened(20, "main", "bob")])
        .unwrap();
    let mut store = journal();
    assert_eq!(store.append(&entries).unwrap(), 2);
    assert_eq!(store.append(&entries).unwrap(), 0);
    assert_eq!(store.query(&Query::default()).unwrap().len(), 2);
    // Its own identities appended move its next sequence number past them.
    let own = Entry {
        id: 7,
        controller: store.controller_id().to_owned(),
        event: opened(30, "main", "cy"),
    };
    assert_eq!(store.append(&[own]).unwrap(), 1);
    assert_eq!(
        store.record_many(&[opened(40, "main", "dee")]).unwrap()[0].id,
        8
    );
}

#[test]
fn the_spool_holds_what_is_not_flushed_and_the_purge_keeps_it() {
    let mut local = journal();
    let events: Vec<Event> = (1..=5).map(|n| opened(n * 10, "main", "ana")).collect();
    local.record_many(&events).unwrap();
    let mut shared = journal();
    assert_eq!(local.pending().unwrap(), 5);
    let flushed = spool::flush_once(&mut local, &mut shared, 3).unwrap();
    assert_eq!(
        flushed,
        spool::Flushed {
            sent: 3,
            new: 3,
            through: 3
        }
    );
    assert_eq!(local.pending().unwrap(), 2);
    // Everything is old, but only the three flushed may go.
    assert_eq!(local.purge(1_000_000, Duration::from_secs(1)).unwrap(), 3);
    assert_eq!(
        local
            .spooled(10)
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect::<Vec<_>>(),
        [4, 5]
    );
    // A crash after the store committed but before the watermark moved: sent again,
    // stored once.
    let batch = local.spooled(10).unwrap();
    shared.append(&batch).unwrap();
    let again = spool::flush_once(&mut local, &mut shared, 10).unwrap();
    assert_eq!(
        again,
        spool::Flushed {
            sent: 2,
            new: 0,
            through: 5
        }
    );
    assert_eq!(shared.query(&Query::default()).unwrap().len(), 5);
    assert_eq!(
        spool::flush_once(&mut local, &mut shared, 10).unwrap().sent,
        0
    );
}

#[test]
fn a_new_target_receives_the_whole_journal() {
    let mut local = journal();
    local
        .record_many(&[opened(10, "main", "ana"), opened(20, "main", "bob")])
        .unwrap();
    let mut first = journal();
    spool::flush_once(&mut local, &mut first, 10).unwrap();
    assert_eq!(local.pending().unwrap(), 0);
    local.spool_to("postgres://other@/fleet").unwrap();
    assert_eq!(local.pending().unwrap(), 2);
}

/// A decision presented by `medium` under `access`, by `user` at `door`.
fn decided(at: i64, door: &str, user: &str, medium: Medium, access: AccessType) -> Event {
    Event {
        medium: Some(medium),
        access_type: Some(access),
        ..opened(at, door, user)
    }
}

#[test]
fn media_and_access_types_round_trip_through_their_codes() {
    for medium in Medium::ALL {
        assert_eq!(Medium::from_code(medium.code()), Some(medium));
    }
    for access in AccessType::ALL {
        assert_eq!(AccessType::from_code(access.code()), Some(access));
    }
    assert_eq!(Medium::from_code("smartphone"), None);
    let json =
        serde_json::to_value(decided(1, "main", "ana", Medium::Qr, AccessType::SpaceCode)).unwrap();
    assert_eq!(
        (&json["medium"], &json["access_type"]),
        (&"qr".into(), &"space_code".into())
    );
    let none = serde_json::to_value(Event::new(1, "hq", "main", EventKind::Tamper)).unwrap();
    assert!(
        none["medium"].is_null() && none["access_type"].is_null(),
        "{none}"
    );
}

#[test]
fn queries_filter_by_doors_users_media_and_access_types() {
    let mut journal = journal();
    journal
        .record_many(&[
            decided(10, "main", "ana", Medium::Badge, AccessType::Permanent),
            decided(20, "side", "guest", Medium::Pin, AccessType::Appointment),
            decided(30, "back", "bob", Medium::Badge, AccessType::Appointment),
            decided(40, "main", "bob", Medium::Code, AccessType::SpaceCode),
            Event::new(50, "hq", "main", EventKind::Tamper),
        ])
        .unwrap();
    let at = |query: Query| -> Vec<i64> {
        journal
            .query(&query)
            .unwrap()
            .iter()
            .map(|e| e.event.at)
            .collect()
    };
    let doors = Query {
        doors: vec!["main".into(), "side".into()],
        ..Query::default()
    };
    assert_eq!(at(doors), [50, 40, 20, 10]);
    let users = Query {
        users: vec!["bob".into(), "guest".into()],
        ..Query::default()
    };
    assert_eq!(at(users), [40, 30, 20]);
    let badge_appointment = Query {
        media: vec![Medium::Badge],
        access_types: vec![AccessType::Appointment],
        ..Query::default()
    };
    assert_eq!(at(badge_appointment), [30]);
    let media = Query {
        media: vec![Medium::Pin, Medium::Code],
        since: Some(25),
        ..Query::default()
    };
    assert_eq!(at(media), [40]);
    let access = Query {
        access_types: vec![AccessType::SpaceCode, AccessType::Permanent],
        doors: vec!["main".into()],
        ..Query::default()
    };
    assert_eq!(at(access), [40, 10]);
}

#[test]
fn a_window_filtered_by_medium_access_type_or_user_reads_its_index() {
    let journal = journal();
    let window = |query: Query| Query {
        since: Some(10),
        until: Some(20),
        ..query
    };
    for (query, index) in [
        (
            window(Query {
                media: vec![Medium::Badge, Medium::Pin],
                ..Query::default()
            }),
            "events_medium_at",
        ),
        (
            window(Query {
                access_types: vec![AccessType::Appointment],
                ..Query::default()
            }),
            "events_access_type_at",
        ),
        (
            window(Query {
                users: vec!["ana".into(), "bob".into()],
                ..Query::default()
            }),
            "events_user_at",
        ),
    ] {
        let plan = journal.plan(&query).unwrap().join("\n");
        assert!(plan.contains(index), "{query:?}: {plan}");
    }
}

#[test]
fn a_version_5_journal_is_read_with_no_medium_nor_access_type() {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    for (step, sql) in schema::MIGRATIONS.iter().take(5).enumerate() {
        conn.execute_batch(sql).unwrap();
        conn.pragma_update(None, "user_version", step as i64 + 1)
            .unwrap();
    }
    conn.execute(
        "INSERT INTO events (controller, seq, at, site, door, kind, reason, user)
         SELECT id, 1, 10, 'hq', 'main', 'opened', 'granted', 'ana' FROM controller",
        [],
    )
    .unwrap();
    conn.execute("UPDATE controller SET next_seq = 2", [])
        .unwrap();
    schema::migrate(&mut conn, 5).unwrap();
    let controller = conn
        .query_row("SELECT id FROM controller", [], |row| row.get(0))
        .unwrap();
    let mut journal = Journal {
        conn,
        path: ":memory:".into(),
        controller,
    };
    assert_eq!(journal.schema_version().unwrap(), schema::latest());
    let old = journal.query(&Query::default()).unwrap();
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].event, opened(10, "main", "ana"));
    assert_eq!(
        (old[0].event.medium, old[0].event.access_type),
        (None, None)
    );
    let badges = Query {
        media: vec![Medium::Badge],
        ..Query::default()
    };
    assert!(
        journal.query(&badges).unwrap().is_empty(),
        "an old row has no medium"
    );
    journal
        .record(&decided(
            20,
            "main",
            "bob",
            Medium::Badge,
            AccessType::Permanent,
        ))
        .unwrap();
    assert_eq!(journal.query(&badges).unwrap().len(), 1);
}

#[test]
fn an_unknown_stored_medium_is_an_error_not_a_panic() {
    let journal = journal();
    journal
        .conn
        .execute_batch(
            "PRAGMA ignore_check_constraints = ON;
             INSERT INTO events (controller, seq, at, site, door, kind, medium)
                 VALUES ('c-1', 1, 1, 'hq', 'main', 'opened', 'telepathy');",
        )
        .unwrap();
    let error = journal.query(&Query::default()).unwrap_err();
    assert!(error.to_string().contains("telepathy"), "{error}");
}
