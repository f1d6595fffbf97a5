//! A fleet end to end: two `accessctl controller run` processes, at two sites, journal
//! into one PostgreSQL (`--journal postgres://…`, each through its own spool). The
//! server is stopped while cards are read: both keep deciding, their events wait in
//! the spools, and once the server is back every event is there exactly once, in
//! each controller's order. Needs a real PostgreSQL (a cluster of its own, which it
//! stops): without one it fails.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use accessctl_cli::journal::postgres::Postgres;
use accessctl_cli::journal::{EventStore, Journal, Query};
use accessctl_devices::osdp::peripheral::{PeripheralBus, Report};

use crate::controller::{accept, address, h10301, listen, pd, text, Scene, Site};
use crate::journal_postgres::postgres_server::Server;
use crate::support::run_in;

/// How long the flushed events may take to reach the server once it is back.
const FLUSH_PATIENCE: Duration = Duration::from_secs(60);

/// One controller of the fleet: its id, its door and the card that opens it.
struct Member {
    id: &'static str,
    door: &'static str,
    card: u64,
}

const FLEET: [Member; 2] = [
    Member {
        id: "ldn-1",
        door: "ldn_street",
        card: 1_000_001,
    },
    Member {
        id: "nyc-1",
        door: "nyc_lobby",
        card: 1_000_002,
    },
];

/// Each member's controller, running against `url` with its spool in the site's
/// directory, its reader online.
fn start(site: &Site, url: &str) -> Vec<Scene> {
    FLEET
        .iter()
        .map(|member| turnstile(site, url, member.door, member.id))
        .collect()
}

/// Presents each member's card `times` times at its reader, each decided in turn.
fn badge(scenes: &mut [Scene], times: usize) {
    for _ in 0..times {
        for (scene, member) in scenes.iter_mut().zip(&FLEET) {
            let device = scene.bus.device_mut(address(1)).unwrap();
            device.report(Report::Card(h10301(member.card)));
            scene.run_until("the opening", |s| {
                s.line("decision").is_some_and(|l| l["outcome"] == "opened")
            });
        }
    }
}

/// Each controller's sequence numbers in the fleet's database, ascending.
fn sequences(store: &mut Postgres) -> BTreeMap<String, Vec<i64>> {
    let mut found: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for entry in store.query(&Query::default()).unwrap() {
        found.entry(entry.controller).or_default().push(entry.id);
    }
    for ids in found.values_mut() {
        ids.sort_unstable();
    }
    found
}

/// The number of events each member's spool holds that the server has not confirmed.
fn pending(site: &Site) -> Vec<u64> {
    FLEET
        .iter()
        .map(|member| {
            let spool = site.dir.path().join(format!("{}.spool.db", member.id));
            Journal::open(&spool).unwrap().pending().unwrap()
        })
        .collect()
}

/// The number of events each member's spool recorded in all.
fn recorded(site: &Site) -> Vec<i64> {
    FLEET
        .iter()
        .map(|member| {
            let spool = site.dir.path().join(format!("{}.spool.db", member.id));
            let all = Journal::open(&spool)
                .unwrap()
                .query(&Query::default())
                .unwrap();
            i64::try_from(all.len()).unwrap()
        })
        .collect()
}

#[test]
fn two_controllers_on_one_postgresql_lose_and_repeat_nothing_across_an_outage() {
    let server = Server::start();
    let database = server.fresh_database("cli_fleet");
    let url = database.name().to_owned();
    let site = Site::example("flex-office");
    let mut scenes = start(&site, &url);
    badge(&mut scenes, 3);

    server.stop();
    badge(&mut scenes, 5);
    assert!(
        pending(&site).iter().all(|n| *n >= 5),
        "the doors kept deciding and their events wait in the spools: {:?}",
        pending(&site)
    );
    std::thread::sleep(Duration::from_secs(2));
    server.restart();
    badge(&mut scenes, 2);

    let end = Instant::now() + FLUSH_PATIENCE;
    while pending(&site).iter().any(|n| *n > 0) {
        assert!(Instant::now() < end, "never flushed: {:?}", pending(&site));
        for scene in &mut scenes {
            scene.bus.step(Duration::from_millis(50)).unwrap();
        }
    }
    // The controllers stop first: closing the buses first would journal the readers
    // offline after the last flush.
    for scene in scenes {
        let Scene {
            controller, bus, ..
        } = scene;
        drop(controller);
        drop(bus);
    }
    assert_eq!(
        pending(&site),
        [0, 0],
        "nothing recorded after the last flush"
    );

    let mut store = Postgres::connect(&database).unwrap();
    let found = sequences(&mut store);
    for (member, n) in FLEET.iter().zip(recorded(&site)) {
        let expected: Vec<i64> = (1..=n).collect();
        assert_eq!(
            found.get(member.id),
            Some(&expected),
            "{}: every event of its spool once, none lost",
            member.id
        );
    }
    let opened = store
        .query(&Query {
            kind: Some(accessctl_cli::journal::EventKind::Opened),
            ..Query::default()
        })
        .unwrap();
    for member in &FLEET {
        let at_door = opened
            .iter()
            .filter(|e| e.event.door == member.door)
            .count();
        assert_eq!(at_door, 10, "{}: ten openings", member.door);
    }
}

/// A zone spanning two controllers: its two turnstiles, each on its own.
const SPANNING_ZONE: &str = r#"site hq {
  timezone "Europe/Paris"
  door north
  door south
  zone hall "Main hall" {
    entry north reader 0
    exit north reader 1
    entry south reader 0
    exit south reader 1
    antipassback hard
  }
}

account acme {
  user ana "Ana" {
    card 65537
    allow north south
  }
}
"#;

/// `controller run` as controller `id` for `door` on the fleet's database at `url`,
/// its spool in the site's directory, its reader online.
fn turnstile(site: &Site, url: &str, door: &str, id: &str) -> Scene {
    let scbk = site.scbk(door);
    let (listener, bus) = listen();
    let spool = site.dir.path().join(format!("{id}.spool.db"));
    let journal = [
        "--journal",
        url,
        "--spool",
        text(&spool),
        "--controller-id",
        id,
    ];
    let at = ["--at", "2026-11-23T09:00"];
    let controller = site.controller_journaled(&bus, &[&format!("{door}=1")], &journal, &at);
    let bus = PeripheralBus::new(vec![pd(1, Some(scbk))], accept(listener));
    let mut scene = Scene::new(bus, controller);
    scene.run_until("the reader online", |s| s.line("reader_online").is_some());
    scene
}

/// Ana's card at the entry reader of `scene`'s turnstile: the decision line.
fn enter(scene: &mut Scene) -> serde_json::Value {
    let device = scene.bus.device_mut(address(1)).unwrap();
    device.report(Report::Card(h10301(65_537)));
    scene.run_until("the decision", |s| s.line("decision").is_some());
    scene.line("decision").unwrap().clone()
}

#[test]
fn a_zone_spanning_two_controllers_shares_who_is_inside_through_postgresql() {
    let database = crate::journal_postgres::postgres_server::fresh_database("cli_fleet_zone");
    let url = database.name().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("hq.acl");
    std::fs::write(&policy, SPANNING_ZONE).unwrap();
    let site = Site::new(dir, policy);
    let mut north = turnstile(&site, &url, "north", "north-1");
    let mut south = turnstile(&site, &url, "south", "south-1");

    let entered = enter(&mut north);
    assert_eq!(entered["outcome"], "opened", "{entered}");
    // Her card, passed back to a friend at the other turnstile, on the other
    // controller: that controller knows she is inside.
    let again = enter(&mut south);
    assert_eq!(again["outcome"], "denied", "{again}");
    assert_eq!(again["reason"], "anti_passback", "{again}");

    let zone = |words: &[&str]| {
        let mut args = vec!["zone"];
        args.extend(words);
        args.extend(["--policy", text(&site.policy), "--journal", &url]);
        args.extend(["--format", "json"]);
        run_in(site.dir.path(), &args)
    };
    let shown = zone(&["show", "hall"]);
    assert_eq!(shown.code, Some(0), "{shown:?}");
    let shown: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(shown["inside"].as_array().unwrap().len(), 1, "{shown}");
    assert_eq!(shown["inside"][0]["name"], "ana", "{shown}");
    assert_eq!(shown["inside"][0]["door"], "north", "{shown}");

    let reset = zone(&["reset", "hall", "--user", "ana"]);
    assert_eq!(reset.code, Some(0), "{reset:?}");
    let after = enter(&mut south);
    assert_eq!(after["outcome"], "opened", "after the reset: {after}");
    drop((north, south));

    let mut store = Postgres::connect(&database).unwrap();
    let resets = store
        .query(&Query {
            kind: Some(accessctl_cli::journal::EventKind::PresenceReset),
            ..Query::default()
        })
        .unwrap();
    assert_eq!(resets.len(), 1, "{resets:?}");
    assert_eq!(resets[0].controller, "zone-admin");
    assert_eq!(resets[0].event.user.as_deref(), Some("ana"));
}
