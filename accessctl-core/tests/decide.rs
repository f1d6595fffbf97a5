//! Named tests of the decision procedure, `docs/decisions.md`, one topic per module.
//!
//! Each test writes a small policy in the policy language, checks and compiles it, and
//! asks the engine about one credential, door and instant, asserting the reason code
//! and, where the spec pins them, the holder, the target that reached the door (via),
//! the schedule and the ceiling. Instants are written as people write them, in the
//! local time of the door's site (`2026-11-23T09:00`), or with an offset where the
//! local time is repeated or skipped by a daylight-saving change.
//!
//! Every answer is also asked of the naive reference evaluator
//! (`support/reference.rs`) and the two must agree on every part, so these tests pin
//! the reference that the differential test (`tests/differential.rs`) trusts.
//!
//! Dates used throughout: 2026-11-23 is a Monday, 2026-11-27 a Friday, 2026-05-07 a
//! Thursday, 2026-12-25 a Friday; Paris changes to summer time on Sunday 2026-03-29
//! and back on Sunday 2026-10-25.

use accessctl_core::compile::Holder;
use accessctl_core::decide::{
    Decision, Movement, Occupant, PassbackCheck, Presence, Presented, Reason, Request, Subject,
};
use accessctl_core::model::Direction;
use accessctl_core::model::{AppointmentId, DoorId, Grant, Policy, Target, UserId};
use accessctl_core::time::WrittenTimestamp;
use accessctl_core::{check, CompiledPolicy, Sources, Timestamp};

use crate::support::reference;

// ---------------------------------------------------------------------------------
// The shared helper: a compiled policy and the questions asked of it.

/// A small policy, compiled, with the questions the tests ask of it.
struct Site {
    policy: Policy,
    engine: CompiledPolicy,
}

/// Checks a policy text, failing the test on any error.
fn checked(text: &str) -> Policy {
    let mut sources = Sources::new();
    sources.add("test.acl", text);
    let checked = check(&sources);
    let errors: Vec<String> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "the test policy is invalid: {errors:#?}");
    checked.policy.expect("a valid policy")
}

impl Site {
    /// Checks and compiles a policy text.
    fn new(text: &str) -> Site {
        Site::compile(checked(text))
    }

    /// Compiles a model (for policies mutated past the validator).
    fn compile(policy: Policy) -> Site {
        let engine = CompiledPolicy::new(&policy);
        Site { policy, engine }
    }

    fn door(&self, name: &str) -> DoorId {
        self.policy
            .door_named(name)
            .unwrap_or_else(|| panic!("no door `{name}`"))
    }

    fn user_id(&self, name: &str) -> UserId {
        self.policy
            .user_named(name)
            .unwrap_or_else(|| panic!("no user `{name}`"))
    }

    /// "May user `name` open …", whatever the medium.
    fn user(&self, name: &str) -> Subject<'static> {
        Subject::User(self.user_id(name))
    }

    /// A remote opening by user `name`.
    fn remote(&self, name: &str) -> Subject<'static> {
        Subject::Remote(self.user_id(name))
    }

    /// "May guest number `guest` of appointment `name` open …".
    fn guest(&self, name: &str, guest: u32) -> Subject<'static> {
        let index = self
            .policy
            .appointments
            .iter()
            .position(|a| a.name == name)
            .unwrap_or_else(|| panic!("no appointment `{name}`"));
        Subject::Guest(AppointmentId(index as u32), guest)
    }

    /// The instant written `at`, read in the zone of `door`'s site.
    fn instant(&self, door: DoorId, at: &str) -> Timestamp {
        let site = self.policy.doors[door.index()].site;
        let zone = self.policy.sites[site.index()].timezone;
        WrittenTimestamp::parse(at)
            .and_then(|w| w.resolve(zone))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Asks, with the site's network up.
    fn ask(&self, subject: Subject<'_>, door: &str, at: &str) -> Decision {
        self.ask_when(subject, door, at, false)
    }

    /// Asks, with the site's network down.
    fn ask_offline(&self, subject: Subject<'_>, door: &str, at: &str) -> Decision {
        self.ask_when(subject, door, at, true)
    }

    fn ask_when(&self, subject: Subject<'_>, door: &str, at: &str, offline: bool) -> Decision {
        let door = self.door(door);
        self.request(Request {
            subject,
            door,
            at: self.instant(door, at),
            offline,
        })
    }

    /// The engine's decision, after checking that the reference gives the same.
    fn request(&self, request: Request<'_>) -> Decision {
        let decision = self.engine.decide(&request);
        let engine = reference::Answer {
            reason: decision.reason,
            holder: decision.holder,
            via: decision.via,
            schedule: decision.schedule,
            ceiling: decision.ceiling,
        };
        let expected = reference::decide(&self.policy, &request);
        assert_eq!(
            engine, expected,
            "engine (left) and reference (right) on {request:?}"
        );
        decision
    }

    /// Asks at reader `reader` of `door`, at a zone door, against `presence`; checks
    /// the reference gives the same decision and passage.
    fn pass(
        &self,
        subject: Subject<'_>,
        door: &str,
        reader: u8,
        at: &str,
        presence: Presence,
    ) -> Decision {
        let door = self.door(door);
        let request = Request {
            subject,
            door,
            at: self.instant(door, at),
            offline: false,
        };
        self.pass_request(&request, reader, presence)
    }

    fn pass_request(&self, request: &Request<'_>, reader: u8, presence: Presence) -> Decision {
        let decision = self.engine.decide_passage(request, reader, presence);
        let (expected, passage) =
            reference::decide_passage(&self.policy, request, reader, presence);
        assert_eq!(decision.reason, expected.reason, "reason on {request:?}");
        assert_eq!(decision.holder, expected.holder, "holder on {request:?}");
        let engine = decision.passage.map(|p| reference::PassageAnswer {
            zone: p.zone,
            direction: p.direction,
            occupant: p.occupant,
            check: p.check,
            record: p.record(),
        });
        assert_eq!(engine, passage, "passage on {request:?}");
        decision
    }

    /// The movement `direction` at the written instant `at` at `door`.
    fn movement(&self, door: &str, direction: Direction, at: &str) -> Presence {
        Presence::last(Movement {
            direction,
            at: self.instant(self.door(door), at),
        })
    }

    /// The reason of asking `subject` at each written instant, in order.
    fn reasons(&self, subject: Subject<'_>, door: &str, instants: &[&str]) -> Vec<Reason> {
        instants
            .iter()
            .map(|at| self.ask(subject, door, at).reason)
            .collect()
    }

    /// Minutes of the local day `date` (`YYYY-MM-DD`) at which `subject` may open
    /// `door`, counting the instants of a repeated hour twice.
    fn open_minutes(&self, subject: Subject<'_>, door: &str, date: &str) -> usize {
        let id = self.door(door);
        let first = self.instant(id, &format!("{date}T00:00")).0;
        let next = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("a date")
            + chrono::Duration::days(1);
        let last = self.instant(id, &format!("{next}T00:00")).0;
        (first..last)
            .step_by(60)
            .filter(|&at| {
                let request = Request {
                    subject,
                    door: id,
                    at: Timestamp(at),
                    offline: false,
                };
                self.request(request).allowed()
            })
            .count()
    }

    // Names, for assertions.

    fn holder(&self, decision: &Decision) -> Option<String> {
        decision.holder.map(|holder| match holder {
            Holder::User { user } => self.policy.users[user.index()].name.clone(),
            Holder::Guest { appointment, guest } => {
                let appointment = &self.policy.appointments[appointment.index()];
                let guest = &appointment.guests[guest as usize].name;
                format!("guest {guest} of {}", appointment.name)
            }
            Holder::SpaceCode { code } => format!("space code #{}", code + 1),
        })
    }

    fn via(&self, decision: &Decision) -> Option<String> {
        let p = &self.policy;
        decision.via.map(|via| match via {
            Target::Door(d) => format!("door {}", p.doors[d.index()].name),
            Target::Group(g) => format!("group {}", p.groups[g.index()].name),
            Target::Path(x) => format!("path {}", p.paths[x.index()].name),
            Target::Site(s) => format!("site {}", p.sites[s.index()].name),
        })
    }

    fn schedule(&self, decision: &Decision) -> Option<String> {
        decision
            .schedule
            .map(|s| self.policy.schedules[s.index()].name.clone())
    }

    /// The sub-account named `name@parent@…`.
    fn ceiling(&self, decision: &Decision) -> Option<String> {
        decision.ceiling.map(|account| {
            let names: Vec<&str> = self
                .policy
                .ancestry(account)
                .map(|a| self.policy.accounts[a.index()].name.as_str())
                .collect();
            names.join("@")
        })
    }
}

fn card(number: u64) -> Subject<'static> {
    Subject::Credentials(Presented {
        card: Some(number),
        ..Presented::default()
    })
}

fn pin(code: &'static str) -> Subject<'static> {
    Subject::Credentials(Presented {
        pin: Some(code),
        ..Presented::default()
    })
}

fn qr(code: &'static str) -> Subject<'static> {
    Subject::Credentials(Presented {
        qr: Some(code),
        ..Presented::default()
    })
}

fn mobile(key: &'static str) -> Subject<'static> {
    Subject::Credentials(Presented {
        mobile: Some(key),
        ..Presented::default()
    })
}

fn card_and_pin(number: u64, code: &'static str) -> Subject<'static> {
    Subject::Credentials(Presented {
        card: Some(number),
        pin: Some(code),
        ..Presented::default()
    })
}

/// Adds a grant of `targets` to user `user`, as a bad edit that slipped past the
/// validator would.
fn slip_grant(policy: &mut Policy, user: &str, targets: Vec<Target>) {
    let user = policy.user_named(user).expect("declared user");
    policy.users[user.index()].grants.push(Grant {
        targets,
        schedule: None,
    });
}

fn door_target(policy: &Policy, name: &str) -> Target {
    Target::Door(policy.door_named(name).expect("declared door"))
}

// ---------------------------------------------------------------------------------

/// Step 2: who presented the credentials.
mod identification {
    use super::*;

    const POLICY: &str = r#"
        site hq { timezone "Europe/Paris"  door main }
        account acme {
          user ana { card 1  pin "1111"  qr "QR-ANA"  mobile "MK-ANA"  allow main }
          user bob { card 2  pin "2222"  inactive  allow main }
        }
    "#;
    const MONDAY: &str = "2026-11-23T09:00";

    #[test]
    fn an_unknown_credential_of_any_medium_is_unknown_credential() {
        let site = Site::new(POLICY);
        for subject in [card(99), pin("9999"), qr("QR-X"), mobile("MK-X")] {
            let decision = site.ask(subject, "main", MONDAY);
            assert_eq!(decision.reason, Reason::UnknownCredential);
            assert_eq!(decision.holder, None);
        }
    }

    #[test]
    fn every_medium_names_its_holder() {
        let site = Site::new(POLICY);
        for subject in [card(1), pin("1111"), qr("QR-ANA"), mobile("MK-ANA")] {
            let decision = site.ask(subject, "main", MONDAY);
            assert_eq!(decision.reason, Reason::Granted);
            assert_eq!(site.holder(&decision).as_deref(), Some("ana"));
            assert_eq!(site.via(&decision).as_deref(), Some("door main"));
        }
    }

    #[test]
    fn a_user_whose_access_control_is_not_activated_is_inactive() {
        let site = Site::new(POLICY);
        let decision = site.ask(card(2), "main", MONDAY);
        assert_eq!(decision.reason, Reason::Inactive);
        assert_eq!(site.holder(&decision).as_deref(), Some("bob"));
    }

    #[test]
    fn an_unknown_credential_outranks_a_mismatch_among_three() {
        let site = Site::new(POLICY);
        let three = Subject::Credentials(Presented {
            card: Some(1),
            pin: Some("2222"),
            qr: Some("QR-X"),
            mobile: None,
        });
        let decision = site.ask(three, "main", MONDAY);
        assert_eq!(decision.reason, Reason::UnknownCredential);
        let mismatch = site.ask(card_and_pin(1, "2222"), "main", MONDAY);
        assert_eq!(mismatch.reason, Reason::FactorsMismatch);
        assert_eq!(mismatch.holder, None);
    }

    #[test]
    fn a_query_naming_no_holder_is_unknown_credential() {
        let site = Site::new(POLICY);
        for subject in [
            Subject::User(UserId(99)),
            Subject::Remote(UserId(99)),
            Subject::Guest(AppointmentId(0), 0),
        ] {
            let decision = site.ask(subject, "main", MONDAY);
            assert_eq!(decision.reason, Reason::UnknownCredential);
            assert_eq!(decision.holder, None);
        }
    }

    #[test]
    fn a_door_the_policy_does_not_have_is_unknown_door() {
        let site = Site::new(POLICY);
        let decision = site.request(Request {
            subject: card(1),
            door: DoorId(99),
            at: Timestamp(1_795_426_200),
            offline: false,
        });
        assert_eq!(decision.reason, Reason::UnknownDoor);
    }
}

/// Step 6.4: validity windows are inclusive local dates of the door's site.
mod validity {
    use super::*;

    /// Kiritimati is UTC+14 and Los Angeles UTC-8/-7: for ten to fourteen hours a
    /// day their local date is not UTC's.
    const POLICY: &str = r#"
        site atoll { timezone "Pacific/Kiritimati"  door gate }
        site coast { timezone "America/Los_Angeles"  door dock }
        account acme {
          user ana { card 1  valid 2026-03-01..2026-03-31  allow gate dock }
          user bob { card 2  valid 2026-03-01..  allow gate }
          user cy { card 3  valid ..2026-03-31  allow gate }
        }
    "#;

    #[test]
    fn the_first_local_day_counts_while_utc_is_still_the_day_before() {
        let site = Site::new(POLICY);
        let gate = site.door("gate");
        assert_eq!(
            site.instant(gate, "2026-03-01T00:00"),
            site.instant(gate, "2026-02-28T10:00Z")
        );
        let first = site.ask(card(1), "gate", "2026-03-01T00:00");
        assert_eq!(first.reason, Reason::Granted);
        let before = site.ask(card(1), "gate", "2026-02-28T23:59");
        assert_eq!(before.reason, Reason::OutsideValidity);
        assert_eq!(site.holder(&before).as_deref(), Some("ana"));
    }

    #[test]
    fn the_day_after_the_last_is_outside_while_utc_is_still_the_last() {
        let site = Site::new(POLICY);
        let last = site.ask(card(1), "gate", "2026-03-31T23:59");
        assert_eq!(last.reason, Reason::Granted);
        // 2026-04-01T00:00 in Kiritimati is 2026-03-31T10:00Z.
        let after = site.ask(card(1), "gate", "2026-03-31T10:00Z");
        assert_eq!(after.reason, Reason::OutsideValidity);
    }

    #[test]
    fn west_of_utc_the_local_date_decides_both_edges() {
        let site = Site::new(POLICY);
        // 2026-02-28T20:00 in Los Angeles is already 2026-03-01 in UTC.
        let reasons = site.reasons(
            card(1),
            "dock",
            &[
                "2026-02-28T20:00",
                "2026-02-28T23:59",
                "2026-03-01T00:00",
                "2026-03-31T23:59", // 2026-04-01T06:59Z
                "2026-04-01T00:00",
            ],
        );
        use Reason::{Granted, OutsideValidity};
        assert_eq!(
            reasons,
            [
                OutsideValidity,
                OutsideValidity,
                Granted,
                Granted,
                OutsideValidity
            ]
        );
    }

    #[test]
    fn an_open_end_is_unbounded() {
        let site = Site::new(POLICY);
        let late = site.ask(card(2), "gate", "2030-01-01T12:00");
        assert_eq!(late.reason, Reason::Granted);
        let early = site.ask(card(2), "gate", "2026-02-28T12:00");
        assert_eq!(early.reason, Reason::OutsideValidity);
        let long_ago = site.ask(card(3), "gate", "2020-01-01T12:00");
        assert_eq!(long_ago.reason, Reason::Granted);
        let later = site.ask(card(3), "gate", "2026-04-01T12:00");
        assert_eq!(later.reason, Reason::OutsideValidity);
    }
}

/// Step 6.6: what reaches the door, and which grants count.
mod reach {
    use super::*;

    const POLICY: &str = r#"
        site hq {
          timezone "Europe/Paris"
          door main  door lab  door r2  door annex
          group floor = main lab
          group wing = lab annex
          path to_r2 = main -> r2
        }
        schedule mornings { mon..sun 06:00-12:00 }
        schedule evenings { mon..sun 18:00-22:00 }
        account acme {
          user ana { card 1  allow main }
          user bob { card 2  allow group floor }
          user cy { card 3  allow path to_r2 }
          user dee { card 4  allow site hq }
          user eve { card 5  allow group floor schedule mornings  allow lab schedule evenings }
          user fay { card 6  allow site hq schedule mornings  allow path to_r2 schedule evenings }
          user gus { card 7  allow group floor schedule mornings  allow path to_r2 schedule evenings }
          user hal { card 8  allow group floor schedule mornings  allow group wing schedule evenings }
        }
        appointment visit on 2026-05-07 09:00-12:00 {
          doors group floor
          guest "Gil" <gil@example.com> qr "QR-GIL"
        }
    "#;
    const MORNING: &str = "2026-11-23T09:00";
    const AFTERNOON: &str = "2026-11-23T15:00";
    const EVENING: &str = "2026-11-23T19:00";

    fn granted_via(site: &Site, subject: Subject<'_>, door: &str, at: &str) -> Option<String> {
        let decision = site.ask(subject, door, at);
        assert_eq!(decision.reason, Reason::Granted, "{door} at {at}");
        site.via(&decision)
    }

    #[test]
    fn a_door_reached_directly() {
        let site = Site::new(POLICY);
        let decision = site.ask(card(1), "main", MORNING);
        assert_eq!(decision.reason, Reason::Granted);
        assert_eq!(site.holder(&decision).as_deref(), Some("ana"));
        assert_eq!(site.via(&decision).as_deref(), Some("door main"));
        assert_eq!(site.schedule(&decision), None);
    }

    #[test]
    fn a_door_reached_by_group_path_or_site() {
        let site = Site::new(POLICY);
        let via = |n, door| granted_via(&site, card(n), door, MORNING);
        assert_eq!(via(2, "lab").as_deref(), Some("group floor"));
        assert_eq!(via(3, "r2").as_deref(), Some("path to_r2"));
        assert_eq!(via(4, "annex").as_deref(), Some("site hq"));
    }

    #[test]
    fn a_door_reached_by_an_appointment() {
        let site = Site::new(POLICY);
        let decision = site.ask(qr("QR-GIL"), "lab", "2026-05-07T10:00");
        assert_eq!(decision.reason, Reason::Appointment);
        assert_eq!(
            site.holder(&decision).as_deref(),
            Some("guest Gil of visit")
        );
        assert_eq!(site.via(&decision).as_deref(), Some("group floor"));
    }

    #[test]
    fn a_door_no_grant_reaches_is_not_granted() {
        let site = Site::new(POLICY);
        let decision = site.ask(card(1), "lab", MORNING);
        assert_eq!(decision.reason, Reason::NotGranted);
        assert_eq!(site.holder(&decision).as_deref(), Some("ana"));
        assert_eq!(decision.via, None);
        let outside_the_path = site.ask(card(3), "lab", MORNING);
        assert_eq!(outside_the_path.reason, Reason::NotGranted);
    }

    #[test]
    fn a_door_grant_beats_a_group_grant() {
        let site = Site::new(POLICY);
        let morning = site.ask(card(5), "lab", MORNING);
        assert_eq!(morning.reason, Reason::OutsideSchedule);
        assert_eq!(site.via(&morning).as_deref(), Some("door lab"));
        assert_eq!(site.schedule(&morning).as_deref(), Some("evenings"));
        let evening = site.ask(card(5), "lab", EVENING);
        assert_eq!(evening.reason, Reason::Granted);
        assert_eq!(site.schedule(&evening).as_deref(), Some("evenings"));
        // The group's other door keeps the group's schedule.
        let main = site.ask(card(5), "main", MORNING);
        assert_eq!(site.via(&main).as_deref(), Some("group floor"));
        assert_eq!(site.schedule(&main).as_deref(), Some("mornings"));
    }

    #[test]
    fn a_path_grant_beats_a_site_grant_and_a_group_grant() {
        let site = Site::new(POLICY);
        for n in [6, 7] {
            let morning = site.ask(card(n), "main", MORNING);
            assert_eq!(morning.reason, Reason::OutsideSchedule);
            assert_eq!(site.via(&morning).as_deref(), Some("path to_r2"));
            assert_eq!(
                granted_via(&site, card(n), "main", EVENING).as_deref(),
                Some("path to_r2")
            );
        }
        assert_eq!(
            granted_via(&site, card(6), "annex", MORNING).as_deref(),
            Some("site hq")
        );
    }

    #[test]
    fn equally_specific_grants_open_when_either_schedule_is_open() {
        let site = Site::new(POLICY);
        let morning = granted_via(&site, card(8), "lab", MORNING);
        assert_eq!(morning.as_deref(), Some("group floor"));
        let evening = granted_via(&site, card(8), "lab", EVENING);
        assert_eq!(evening.as_deref(), Some("group wing"));
        let afternoon = site.ask(card(8), "lab", AFTERNOON);
        assert_eq!(afternoon.reason, Reason::OutsideSchedule);
        // The first grant written is the one named.
        assert_eq!(site.via(&afternoon).as_deref(), Some("group floor"));
        assert_eq!(site.schedule(&afternoon).as_deref(), Some("mornings"));
    }
}

/// Steps 3 and 6.1: the media a door's readers accept, and remote openings.
mod media {
    use super::*;

    const POLICY: &str = r#"
        site hq {
          timezone "Europe/Paris"
          door badge_only { readers badge }
          door keypad { readers pin qr }
          door lobby
        }
        account acme {
          user ana { card 1  pin "1111"  qr "QR-ANA"  mobile "MK-ANA"  remote  allow site hq }
          user bob { card 2  allow site hq }
        }
    "#;
    const MONDAY: &str = "2026-11-23T09:00";

    #[test]
    fn a_door_whose_readers_refuse_the_medium() {
        let site = Site::new(POLICY);
        let decision = site.ask(pin("1111"), "badge_only", MONDAY);
        assert_eq!(decision.reason, Reason::MediumNotAccepted);
        assert_eq!(site.holder(&decision).as_deref(), Some("ana"));
        assert_eq!(
            site.ask(card(1), "keypad", MONDAY).reason,
            Reason::MediumNotAccepted
        );
        assert_eq!(
            site.ask(qr("QR-ANA"), "keypad", MONDAY).reason,
            Reason::Granted
        );
        // Every medium presented must be accepted.
        let both = site.ask(card_and_pin(1, "1111"), "badge_only", MONDAY);
        assert_eq!(both.reason, Reason::MediumNotAccepted);
    }

    #[test]
    fn a_door_without_readers_accepts_every_medium() {
        let site = Site::new(POLICY);
        let subjects = [
            card(1),
            pin("1111"),
            qr("QR-ANA"),
            mobile("MK-ANA"),
            site.remote("ana"),
        ];
        for subject in subjects {
            assert_eq!(site.ask(subject, "lobby", MONDAY).reason, Reason::Granted);
        }
    }

    #[test]
    fn a_remote_opening_by_a_user_without_the_remote_flag() {
        let site = Site::new(POLICY);
        let decision = site.ask(site.remote("bob"), "lobby", MONDAY);
        assert_eq!(decision.reason, Reason::RemoteNotAllowed);
        assert_eq!(site.holder(&decision).as_deref(), Some("bob"));
    }

    #[test]
    fn a_remote_opening_needs_a_reader_that_accepts_remote() {
        let site = Site::new(POLICY);
        let decision = site.ask(site.remote("ana"), "badge_only", MONDAY);
        assert_eq!(decision.reason, Reason::MediumNotAccepted);
    }

    #[test]
    fn a_query_presents_no_medium() {
        let site = Site::new(POLICY);
        for door in ["badge_only", "keypad", "lobby"] {
            assert_eq!(
                site.ask(site.user("bob"), door, MONDAY).reason,
                Reason::Granted
            );
        }
    }
}

/// Step 4: doors that require two factors of one user.
mod two_factors {
    use super::*;

    const POLICY: &str = r#"
        site hq {
          timezone "Europe/Paris"
          door safe { readers badge pin remote  require badge pin }
          door lobby
        }
        account acme {
          user ana { card 1  pin "1111"  remote  allow site hq }
          user bob { card 2  pin "2222"  allow site hq }
        }
    "#;
    const MONDAY: &str = "2026-11-23T09:00";

    #[test]
    fn card_and_pin_of_one_user_open() {
        let site = Site::new(POLICY);
        let decision = site.ask(card_and_pin(1, "1111"), "safe", MONDAY);
        assert_eq!(decision.reason, Reason::Granted);
        assert_eq!(site.holder(&decision).as_deref(), Some("ana"));
    }

    #[test]
    fn one_factor_alone_is_second_factor_required() {
        let site = Site::new(POLICY);
        for subject in [card(1), pin("1111")] {
            let decision = site.ask(subject, "safe", MONDAY);
            assert_eq!(decision.reason, Reason::SecondFactorRequired);
            assert_eq!(site.holder(&decision).as_deref(), Some("ana"));
        }
    }

    #[test]
    fn factors_of_two_users_are_factors_mismatch() {
        let site = Site::new(POLICY);
        let decision = site.ask(card_and_pin(1, "2222"), "safe", MONDAY);
        assert_eq!(decision.reason, Reason::FactorsMismatch);
        assert_eq!(decision.holder, None);
        let with_unknown = site.ask(card_and_pin(1, "9999"), "safe", MONDAY);
        assert_eq!(with_unknown.reason, Reason::UnknownCredential);
    }

    #[test]
    fn a_remote_opening_never_satisfies_a_requirement() {
        let site = Site::new(POLICY);
        let decision = site.ask(site.remote("ana"), "safe", MONDAY);
        assert_eq!(decision.reason, Reason::SecondFactorRequired);
    }

    #[test]
    fn a_query_or_a_one_factor_door_is_not_bound() {
        let site = Site::new(POLICY);
        assert_eq!(
            site.ask(site.user("ana"), "safe", MONDAY).reason,
            Reason::Granted
        );
        let both = site.ask(card_and_pin(2, "2222"), "lobby", MONDAY);
        assert_eq!(both.reason, Reason::Granted);
    }
}

/// Steps 6.7 and 6.8, and the schedule rules: user schedules, per-door exceptions,
/// sub-account defaults, door schedules, holidays and ranges past midnight.
mod schedules {
    use super::*;

    const POLICY: &str = r#"
        site hq {
          timezone "Europe/Paris"
          door main  door lab
          door gym { schedule gym_hours }
          door night_door { schedule nights }
        }
        holidays feries { 2026-12-25 "Noël"  2027-01-01 }
        holidays closure { 2026-08-10..2026-08-14 }
        schedule office { mon..fri 08:00-19:00  except holidays feries }
        schedule evenings { mon..fri 18:00-22:00 }
        schedule nights { fri 22:00-02:00 }
        schedule gym_hours { mon..sun 07:00-21:00  holidays feries 09:00-12:00 }
        schedule late { mon..sun 20:00-02:00  except holidays feries }
        account acme {
          user ana { card 1  schedule office  allow main  allow lab schedule evenings }
          user fay { card 6  allow site hq }
          user gil { card 7  schedule evenings  allow gym }
          user hank { card 8  schedule nights  allow main }
          subaccount tenants {
            ceiling doors site hq schedule office
            user bob { card 2  allow main }
            user cy { card 3  schedule evenings  allow main }
            subaccount team {
              ceiling doors site hq
              user dan { card 4  allow main }
            }
            subaccount night_team {
              ceiling doors site hq schedule late
              user eli { card 5  allow main }
            }
          }
        }
    "#;
    const MONDAY_09: &str = "2026-11-23T09:00";
    const MONDAY_20: &str = "2026-11-23T20:00";

    #[test]
    fn the_user_schedule_binds_every_door() {
        let site = Site::new(POLICY);
        let open = site.ask(card(1), "main", MONDAY_09);
        assert_eq!(open.reason, Reason::Granted);
        assert_eq!(site.schedule(&open).as_deref(), Some("office"));
        let closed = site.ask(card(1), "main", MONDAY_20);
        assert_eq!(closed.reason, Reason::OutsideSchedule);
        assert_eq!(site.schedule(&closed).as_deref(), Some("office"));
    }

    #[test]
    fn a_per_door_exception_replaces_the_user_schedule_on_that_door_only() {
        let site = Site::new(POLICY);
        let morning = site.ask(card(1), "lab", MONDAY_09);
        assert_eq!(morning.reason, Reason::OutsideSchedule);
        assert_eq!(site.schedule(&morning).as_deref(), Some("evenings"));
        let evening = site.ask(card(1), "lab", MONDAY_20);
        assert_eq!(evening.reason, Reason::Granted);
        assert_eq!(site.schedule(&evening).as_deref(), Some("evenings"));
    }

    #[test]
    fn a_sub_account_default_applies_to_members_without_a_schedule() {
        let site = Site::new(POLICY);
        let bob = site.ask(card(2), "main", MONDAY_20);
        assert_eq!(bob.reason, Reason::OutsideSchedule);
        assert_eq!(site.schedule(&bob).as_deref(), Some("office"));
        // A member's own schedule replaces the default.
        let cy = site.ask(card(3), "main", MONDAY_20);
        assert_eq!(cy.reason, Reason::Granted);
        assert_eq!(site.schedule(&cy).as_deref(), Some("evenings"));
    }

    #[test]
    fn the_nearest_sub_account_with_a_default_gives_it() {
        let site = Site::new(POLICY);
        let dan = site.ask(card(4), "main", MONDAY_20);
        assert_eq!(site.schedule(&dan).as_deref(), Some("office"));
        assert_eq!(dan.reason, Reason::OutsideSchedule);
        let eli = site.ask(card(5), "main", MONDAY_20);
        assert_eq!(site.schedule(&eli).as_deref(), Some("late"));
        assert_eq!(eli.reason, Reason::Granted);
    }

    #[test]
    fn no_schedule_anywhere_is_always_open() {
        let site = Site::new(POLICY);
        let sunday_night = site.ask(card(6), "main", "2026-11-29T03:00");
        assert_eq!(sunday_night.reason, Reason::Granted);
        assert_eq!(sunday_night.schedule, None);
    }

    #[test]
    fn the_door_schedule_binds_too_and_is_named() {
        let site = Site::new(POLICY);
        let open = site.ask(card(7), "gym", "2026-11-23T19:00");
        assert_eq!(open.reason, Reason::Granted);
        let door_shut = site.ask(card(7), "gym", "2026-11-23T21:30");
        assert_eq!(door_shut.reason, Reason::DoorClosed);
        assert_eq!(site.schedule(&door_shut).as_deref(), Some("gym_hours"));
        assert_eq!(site.via(&door_shut).as_deref(), Some("door gym"));
        // The user's schedule is asked first.
        let user_shut = site.ask(card(7), "gym", "2026-11-23T10:00");
        assert_eq!(user_shut.reason, Reason::OutsideSchedule);
        assert_eq!(site.schedule(&user_shut).as_deref(), Some("evenings"));
    }

    #[test]
    fn holidays_close_a_schedule_that_excepts_them() {
        let site = Site::new(POLICY);
        let christmas = site.ask(card(1), "main", "2026-12-25T09:00");
        assert_eq!(christmas.reason, Reason::OutsideSchedule);
        let eve = site.ask(card(1), "main", "2026-12-24T09:00");
        assert_eq!(eve.reason, Reason::Granted);
        // A calendar the schedule does not name closes nothing.
        let closure = site.ask(card(1), "main", "2026-08-11T09:00");
        assert_eq!(closure.reason, Reason::Granted);
    }

    #[test]
    fn holiday_rule_ranges_replace_the_weekly_ones() {
        let site = Site::new(POLICY);
        let reasons = site.reasons(
            card(6),
            "gym",
            &[
                "2026-12-25T08:00",
                "2026-12-25T09:00",
                "2026-12-25T11:59",
                "2026-12-25T12:00",
                "2026-12-26T08:00",
            ],
        );
        use Reason::{DoorClosed, Granted};
        assert_eq!(reasons, [DoorClosed, Granted, Granted, DoorClosed, Granted]);
    }

    #[test]
    fn a_range_belongs_to_the_day_it_starts_on() {
        let site = Site::new(POLICY);
        let reasons = site.reasons(
            card(8),
            "main",
            &[
                "2026-11-27T01:00", // Friday before its range
                "2026-11-27T21:59",
                "2026-11-27T22:00",
                "2026-11-28T01:00", // Saturday, the Friday range still runs
                "2026-11-28T01:59",
                "2026-11-28T02:00",
                "2026-11-29T01:00", // Sunday: no range started on Saturday
            ],
        );
        use Reason::{Granted, OutsideSchedule as Out};
        assert_eq!(reasons, [Out, Out, Granted, Granted, Granted, Out, Out]);
    }

    #[test]
    fn a_door_schedule_past_midnight_binds_the_next_morning() {
        let site = Site::new(POLICY);
        let saturday = site.ask(card(6), "night_door", "2026-11-28T01:00");
        assert_eq!(saturday.reason, Reason::Granted);
        let sunday = site.ask(card(6), "night_door", "2026-11-29T01:00");
        assert_eq!(sunday.reason, Reason::DoorClosed);
        assert_eq!(site.schedule(&sunday).as_deref(), Some("nights"));
    }

    #[test]
    fn a_range_started_on_a_holiday_eve_runs_into_the_holiday_but_not_after() {
        let site = Site::new(POLICY);
        let reasons = site.reasons(
            card(5),
            "main",
            &[
                "2026-12-24T23:00",
                "2026-12-25T01:00",
                "2026-12-25T21:00",
                "2026-12-26T01:00",
                "2026-12-26T21:00",
            ],
        );
        use Reason::{Granted, OutsideSchedule as Out};
        assert_eq!(reasons, [Granted, Granted, Out, Out, Granted]);
    }
}

/// Local time across daylight-saving changes, and in zones far from UTC.
mod daylight_saving {
    use super::*;

    const POLICY: &str = r#"
        site paris { timezone "Europe/Paris"  door main }
        site auckland { timezone "Pacific/Auckland"  door wharf }
        site atoll { timezone "Pacific/Kiritimati"  door hut }
        site coast { timezone "America/Los_Angeles"  door dock }
        schedule wide { sun 01:00-04:00 }
        schedule changeover { sun 02:00-03:00 }
        schedule hour_after { sun 03:00-04:00 }
        schedule la_fold { sun 01:00-02:00 }
        schedule mornings { mon 09:00-10:00 }
        schedule nights { fri 22:00-02:00 }
        account acme {
          user wide { card 1  schedule wide  allow site paris }
          user change { card 2  schedule changeover  allow site paris site auckland site coast }
          user after { card 3  schedule hour_after  allow site paris }
          user monday { card 4  schedule mornings  allow site paris site atoll }
          user fold { card 5  schedule la_fold  allow site coast }
          user night { card 6  schedule nights  allow site coast site atoll }
        }
    "#;

    #[test]
    fn spring_forward_in_paris_a_range_around_the_change() {
        let site = Site::new(POLICY);
        let reasons = site.reasons(
            card(1),
            "main",
            &[
                "2026-03-29T00:59+01:00",
                "2026-03-29T01:00+01:00",
                "2026-03-29T01:59+01:00",
                "2026-03-29T03:00+02:00", // one minute later by the clock of the sun
                "2026-03-29T03:59+02:00",
                "2026-03-29T04:00+02:00",
            ],
        );
        use Reason::{Granted, OutsideSchedule as Out};
        assert_eq!(reasons, [Out, Granted, Granted, Granted, Granted, Out]);
        // 01:00-04:00 on the wall clock lasts two hours that night.
        assert_eq!(site.open_minutes(card(1), "main", "2026-03-29"), 120);
    }

    #[test]
    fn spring_forward_in_paris_the_skipped_hour_never_opens() {
        let site = Site::new(POLICY);
        assert_eq!(site.open_minutes(card(2), "main", "2026-03-29"), 0);
        let after = site.ask(card(3), "main", "2026-03-29T01:00Z");
        assert_eq!(after.reason, Reason::Granted, "03:00 local, the hour after");
    }

    #[test]
    fn fall_back_in_paris_the_repeated_hour_opens_twice() {
        let site = Site::new(POLICY);
        let reasons = site.reasons(
            card(2),
            "main",
            &[
                "2026-10-25T01:59+02:00",
                "2026-10-25T02:30+02:00", // first pass
                "2026-10-25T02:30+01:00", // repeated hour
                "2026-10-25T02:59+01:00",
                "2026-10-25T03:00+01:00",
            ],
        );
        use Reason::{Granted, OutsideSchedule as Out};
        assert_eq!(reasons, [Out, Granted, Granted, Granted, Out]);
        assert_eq!(site.open_minutes(card(2), "main", "2026-10-25"), 120);
    }

    #[test]
    fn fall_back_in_paris_a_range_around_the_change_and_the_hour_after() {
        let site = Site::new(POLICY);
        assert_eq!(site.open_minutes(card(1), "main", "2026-10-25"), 240);
        let after = site.reasons(
            card(3),
            "main",
            &[
                "2026-10-25T02:30+02:00",
                "2026-10-25T02:30+01:00",
                "2026-10-25T03:00+01:00",
                "2026-10-25T03:59+01:00",
                "2026-10-25T04:00+01:00",
            ],
        );
        use Reason::{Granted, OutsideSchedule as Out};
        assert_eq!(after, [Out, Out, Granted, Granted, Out]);
    }

    #[test]
    fn weekly_hours_keep_to_the_wall_clock_across_the_change() {
        let site = Site::new(POLICY);
        let reasons = site.reasons(
            card(4),
            "main",
            &[
                "2026-03-23T08:30Z", // 09:30 winter time
                "2026-03-30T07:30Z", // 09:30 summer time
                "2026-03-30T08:30Z", // 10:30 summer time
            ],
        );
        use Reason::{Granted, OutsideSchedule as Out};
        assert_eq!(reasons, [Granted, Granted, Out]);
    }

    #[test]
    fn auckland_repeats_and_skips_an_hour_in_the_other_season() {
        let site = Site::new(POLICY);
        // 2026-04-05: 03:00 NZDT goes back to 02:00 NZST.
        let fold = site.reasons(
            card(2),
            "wharf",
            &[
                "2026-04-05T02:30+13:00",
                "2026-04-05T02:30+12:00",
                "2026-04-05T03:00+12:00",
            ],
        );
        use Reason::{Granted, OutsideSchedule as Out};
        assert_eq!(fold, [Granted, Granted, Out]);
        // 2026-09-27: 02:00 NZST jumps to 03:00 NZDT.
        assert_eq!(site.open_minutes(card(2), "wharf", "2026-09-27"), 0);
    }

    #[test]
    fn kiritimati_opens_on_its_own_monday_while_utc_is_sunday() {
        let site = Site::new(POLICY);
        let reasons = site.reasons(
            card(4),
            "hut",
            &[
                "2026-11-22T19:30Z", // Monday 09:30 local
                "2026-11-23T09:30Z", // Monday in UTC, 23:30 local
            ],
        );
        assert_eq!(reasons, [Reason::Granted, Reason::OutsideSchedule]);
    }

    #[test]
    fn los_angeles_repeats_one_oclock_and_skips_two_oclock() {
        let site = Site::new(POLICY);
        // 2026-11-01: 02:00 PDT goes back to 01:00 PST.
        let fold = site.reasons(
            card(5),
            "dock",
            &[
                "2026-11-01T01:30-07:00",
                "2026-11-01T01:30-08:00",
                "2026-11-01T02:00-08:00",
            ],
        );
        use Reason::{Granted, OutsideSchedule as Out};
        assert_eq!(fold, [Granted, Granted, Out]);
        // 2026-03-08: 02:00 PST jumps to 03:00 PDT.
        assert_eq!(site.open_minutes(card(2), "dock", "2026-03-08"), 0);
    }

    #[test]
    fn ranges_past_midnight_west_and_east_of_utc() {
        let site = Site::new(POLICY);
        for door in ["dock", "hut"] {
            let reasons = site.reasons(
                card(6),
                door,
                &["2026-11-27T23:00", "2026-11-28T01:00", "2026-11-29T01:00"],
            );
            use Reason::{Granted, OutsideSchedule as Out};
            assert_eq!(reasons, [Granted, Granted, Out], "{door}");
        }
    }
}

/// Steps 5.2 and 6.5: every ancestor sub-account's door ceiling bounds decisions,
/// even for grants and appointments that slipped past the validator.
mod ceilings {
    use super::*;

    const POLICY: &str = r#"
        site hq {
          timezone "Europe/Paris"
          door main  door lab  door vault
          group floor = main lab
        }
        account acme {
          user root { card 9  allow site hq }
          subaccount tenants {
            ceiling doors main lab
            subaccount team {
              ceiling doors main
              user bob { card 1  allow main }
              appointment visit on 2026-05-07 09:00-12:00 {
                doors main
                guest "Gil" <gil@example.com> qr "QR-GIL"
              }
            }
          }
          subaccount bare {
            ceiling rights users
            user zed { card 2 }
          }
        }
    "#;
    const MONDAY: &str = "2026-11-23T09:00";

    /// The policy with grants beyond bob's and zed's ceilings.
    fn slipped() -> Policy {
        let mut policy = checked(POLICY);
        let lab = door_target(&policy, "lab");
        let vault = door_target(&policy, "vault");
        let floor = Target::Group(accessctl_core::model::GroupId(0));
        slip_grant(&mut policy, "bob", vec![lab, vault, floor]);
        slip_grant(
            &mut policy,
            "zed",
            vec![Target::Site(accessctl_core::model::SiteId(0))],
        );
        policy
    }

    #[test]
    fn the_validator_refuses_a_grant_beyond_the_ceiling() {
        let mut sources = Sources::new();
        sources.add(
            "bad.acl",
            POLICY.replace("allow main }", "allow main lab }"),
        );
        let checked = check(&sources);
        assert!(checked.policy.is_none());
        assert!(checked
            .diagnostics
            .iter()
            .any(|d| d.code.to_string() == "E0601"));
    }

    #[test]
    fn a_slipped_grant_is_bounded_by_the_nearest_ceiling_that_leaves_the_door_out() {
        let site = Site::compile(slipped());
        for door in ["lab", "vault"] {
            let decision = site.ask(card(1), door, MONDAY);
            assert_eq!(decision.reason, Reason::BeyondCeiling, "{door}");
            assert_eq!(site.holder(&decision).as_deref(), Some("bob"));
            assert_eq!(
                site.ceiling(&decision).as_deref(),
                Some("team@tenants@acme")
            );
        }
        assert_eq!(site.ask(card(1), "main", MONDAY).reason, Reason::Granted);
    }

    #[test]
    fn an_ancestor_ceiling_bounds_a_child_ceiling_wider_than_itself() {
        let mut policy = slipped();
        let (lab, vault) = (door_target(&policy, "lab"), door_target(&policy, "vault"));
        let team = policy
            .accounts
            .iter()
            .position(|a| a.name == "team")
            .expect("declared");
        let ceiling = policy.accounts[team]
            .ceiling
            .as_mut()
            .expect("a sub-account");
        ceiling.doors.extend([lab, vault]);
        let site = Site::compile(policy);
        let vault = site.ask(card(1), "vault", MONDAY);
        assert_eq!(vault.reason, Reason::BeyondCeiling);
        assert_eq!(site.ceiling(&vault).as_deref(), Some("tenants@acme"));
        let lab = site.ask(card(1), "lab", MONDAY);
        assert_eq!(lab.reason, Reason::Granted);
        assert_eq!(site.via(&lab).as_deref(), Some("door lab"));
    }

    #[test]
    fn a_ceiling_without_doors_opens_nothing() {
        let site = Site::compile(slipped());
        let decision = site.ask(card(2), "main", MONDAY);
        assert_eq!(decision.reason, Reason::BeyondCeiling);
        assert_eq!(site.ceiling(&decision).as_deref(), Some("bare@acme"));
    }

    #[test]
    fn a_top_level_account_is_bounded_by_nothing() {
        let site = Site::compile(slipped());
        for door in ["main", "lab", "vault"] {
            assert_eq!(site.ask(card(9), door, MONDAY).reason, Reason::Granted);
        }
    }

    #[test]
    fn a_slipped_appointment_door_is_bounded_for_guests() {
        let mut policy = checked(POLICY);
        let lab = door_target(&policy, "lab");
        policy.appointments[0].targets.push(lab);
        let site = Site::compile(policy);
        let decision = site.ask(qr("QR-GIL"), "lab", "2026-05-07T10:00");
        assert_eq!(decision.reason, Reason::BeyondCeiling);
        assert_eq!(
            site.holder(&decision).as_deref(),
            Some("guest Gil of visit")
        );
        assert_eq!(
            site.ceiling(&decision).as_deref(),
            Some("team@tenants@acme")
        );
        let main = site.ask(qr("QR-GIL"), "main", "2026-05-07T10:00");
        assert_eq!(main.reason, Reason::Appointment);
    }
}

/// Step 5: appointments open their doors on one local day, within their range.
mod appointments {
    use super::*;

    const POLICY: &str = r#"
        site hq {
          timezone "Europe/Paris"
          door main { readers badge qr mobile }
          door r2  door lab
          door shop { schedule shop_hours }
          path to_r2 = main -> r2
        }
        site atoll { timezone "Pacific/Kiritimati"  door hut }
        schedule shop_hours { mon..fri 09:00-17:00 }
        appointment demo on 2026-05-07 16:45-17:45 {
          doors path to_r2 shop
          guest "Ana" <ana@example.com> qr "QR-ANA"
          guest "Bo" <bo@example.com> pin "5555"
        }
        appointment island on 2026-05-07 08:00-09:00 {
          doors hut
          guest "Kai" <kai@example.com> mobile "MK-KAI"
        }
    "#;

    #[test]
    fn guests_open_the_appointment_doors_within_its_range() {
        let site = Site::new(POLICY);
        let decision = site.ask(qr("QR-ANA"), "main", "2026-05-07T16:45");
        assert_eq!(decision.reason, Reason::Appointment);
        assert_eq!(site.holder(&decision).as_deref(), Some("guest Ana of demo"));
        assert_eq!(site.via(&decision).as_deref(), Some("path to_r2"));
        let r2 = site.ask(qr("QR-ANA"), "r2", "2026-05-07T17:44");
        assert_eq!(r2.reason, Reason::Appointment);
    }

    #[test]
    fn the_range_is_half_open() {
        let site = Site::new(POLICY);
        let reasons = site.reasons(
            qr("QR-ANA"),
            "main",
            &[
                "2026-05-07T16:44",
                "2026-05-07T16:45",
                "2026-05-07T17:44",
                "2026-05-07T17:45",
            ],
        );
        use Reason::{Appointment, AppointmentNotNow as NotNow};
        assert_eq!(reasons, [NotNow, Appointment, Appointment, NotNow]);
    }

    #[test]
    fn then_never_again() {
        let site = Site::new(POLICY);
        let reasons = site.reasons(
            qr("QR-ANA"),
            "main",
            &[
                "2026-05-06T17:00", // the day before
                "2026-05-08T17:00", // the day after
                "2026-05-14T17:00", // same time next week
                "2027-05-07T17:00", // same date next year
            ],
        );
        assert_eq!(reasons, [Reason::AppointmentNotNow; 4]);
    }

    #[test]
    fn not_other_doors() {
        let site = Site::new(POLICY);
        let decision = site.ask(qr("QR-ANA"), "lab", "2026-05-07T17:00");
        assert_eq!(decision.reason, Reason::NotGranted);
        assert_eq!(decision.via, None);
        let other_site = site.ask(qr("QR-ANA"), "hut", "2026-05-07T08:30");
        assert_eq!(other_site.reason, Reason::NotGranted);
    }

    #[test]
    fn the_door_schedule_still_binds_guests() {
        let site = Site::new(POLICY);
        let open = site.ask(qr("QR-ANA"), "shop", "2026-05-07T16:50");
        assert_eq!(open.reason, Reason::Appointment);
        let closed = site.ask(qr("QR-ANA"), "shop", "2026-05-07T17:10");
        assert_eq!(closed.reason, Reason::DoorClosed);
        assert_eq!(site.schedule(&closed).as_deref(), Some("shop_hours"));
        assert_eq!(site.via(&closed).as_deref(), Some("door shop"));
    }

    #[test]
    fn a_guest_medium_must_be_accepted_and_a_guest_query_presents_none() {
        let site = Site::new(POLICY);
        let keypad = site.ask(pin("5555"), "main", "2026-05-07T17:00");
        assert_eq!(keypad.reason, Reason::MediumNotAccepted);
        assert_eq!(site.holder(&keypad).as_deref(), Some("guest Bo of demo"));
        let query = site.ask(site.guest("demo", 1), "main", "2026-05-07T17:00");
        assert_eq!(query.reason, Reason::Appointment);
    }

    #[test]
    fn guests_are_refused_offline() {
        let site = Site::new(POLICY);
        let decision = site.ask_offline(qr("QR-ANA"), "main", "2026-05-07T17:00");
        assert_eq!(decision.reason, Reason::OfflineNotAllowed);
    }

    #[test]
    fn the_appointment_day_is_the_local_day_of_the_door() {
        let site = Site::new(POLICY);
        let reasons = site.reasons(
            mobile("MK-KAI"),
            "hut",
            &[
                "2026-05-06T18:30Z", // 2026-05-07T08:30 local
                "2026-05-07T18:30Z", // 2026-05-08T08:30 local
            ],
        );
        assert_eq!(reasons, [Reason::Appointment, Reason::AppointmentNotNow]);
    }
}

/// Step 1: permanent space codes.
mod space_codes {
    use super::*;

    const POLICY: &str = r#"
        site hq {
          timezone "Europe/Paris"
          door main { schedule office }
          door lab { readers badge pin  require badge pin }
          door side { readers badge }
          door r2
          door shed { offline }
          group lobby = main side
          code "483920" on group lobby lab shed
          code "771100" on r2
        }
        schedule office { mon..fri 08:00-19:00 }
        account acme {
          user ana { card 1  pin "771100"  allow main side }
        }
    "#;
    const SUNDAY_NIGHT: &str = "2026-11-29T03:00";

    #[test]
    fn a_space_code_opens_its_doors_at_any_time_online_and_offline() {
        let site = Site::new(POLICY);
        for decision in [
            site.ask(pin("483920"), "main", SUNDAY_NIGHT),
            site.ask_offline(pin("483920"), "main", SUNDAY_NIGHT),
        ] {
            assert_eq!(decision.reason, Reason::SpaceCode);
            assert_eq!(site.holder(&decision).as_deref(), Some("space code #1"));
            assert_eq!(site.via(&decision).as_deref(), Some("group lobby"));
            assert_eq!(decision.schedule, None);
        }
    }

    #[test]
    fn no_two_factor_rule_applies_to_a_space_code() {
        let site = Site::new(POLICY);
        let decision = site.ask(pin("483920"), "lab", SUNDAY_NIGHT);
        assert_eq!(decision.reason, Reason::SpaceCode);
        assert_eq!(site.via(&decision).as_deref(), Some("door lab"));
    }

    #[test]
    fn a_space_code_opens_an_offline_lock() {
        let site = Site::new(POLICY);
        let decision = site.ask(pin("483920"), "shed", SUNDAY_NIGHT);
        assert_eq!(decision.reason, Reason::SpaceCode);
    }

    #[test]
    fn a_space_code_needs_a_keypad() {
        let site = Site::new(POLICY);
        let decision = site.ask(pin("483920"), "side", SUNDAY_NIGHT);
        assert_eq!(decision.reason, Reason::MediumNotAccepted);
        assert_eq!(site.holder(&decision).as_deref(), Some("space code #1"));
    }

    #[test]
    fn a_space_code_opens_no_other_door() {
        let site = Site::new(POLICY);
        let decision = site.ask(pin("483920"), "r2", SUNDAY_NIGHT);
        assert_eq!(decision.reason, Reason::NotGranted);
        assert_eq!(site.holder(&decision).as_deref(), Some("space code #1"));
        assert_eq!(decision.via, None);
    }

    #[test]
    fn a_space_code_typed_with_another_credential_is_not_one() {
        let site = Site::new(POLICY);
        let decision = site.ask(card_and_pin(1, "483920"), "main", "2026-11-23T09:00");
        assert_eq!(decision.reason, Reason::UnknownCredential);
    }

    #[test]
    fn a_pin_equal_to_another_door_space_code_is_read_as_its_holder_pin() {
        let site = Site::new(POLICY);
        let code = site.ask(pin("771100"), "r2", SUNDAY_NIGHT);
        assert_eq!(code.reason, Reason::SpaceCode);
        assert_eq!(site.holder(&code).as_deref(), Some("space code #2"));
        let ana = site.ask(pin("771100"), "main", "2026-11-23T09:00");
        assert_eq!(ana.reason, Reason::Granted);
        assert_eq!(site.holder(&ana).as_deref(), Some("ana"));
        // As her PIN it obeys every rule a user's credential obeys.
        let closed = site.ask(pin("771100"), "main", SUNDAY_NIGHT);
        assert_eq!(closed.reason, Reason::DoorClosed);
        let side = site.ask(pin("771100"), "side", SUNDAY_NIGHT);
        assert_eq!(side.reason, Reason::MediumNotAccepted);
        assert_eq!(site.holder(&side).as_deref(), Some("ana"));
    }
}

/// Steps 5.1 and 6.2: the site's network down, and standalone locks.
mod offline {
    use super::*;

    const POLICY: &str = r#"
        site hq {
          timezone "Europe/Paris"
          door main
          door shed { offline }
          door office_door { schedule office }
          code "483920" on main shed
        }
        schedule office { mon..fri 08:00-19:00 }
        account acme {
          user ana { card 1  offline  remote  allow site hq }
          user bob { card 2  allow site hq }
          user cy { card 3  offline  allow site hq }
        }
        appointment visit on 2026-11-23 08:00-18:00 {
          doors main shed
          guest "Gil" <gil@example.com> qr "QR-GIL"
        }
    "#;
    const MONDAY: &str = "2026-11-23T09:00";

    #[test]
    fn only_users_with_offline_access_open_offline() {
        let site = Site::new(POLICY);
        assert_eq!(site.ask(card(2), "main", MONDAY).reason, Reason::Granted);
        let bob = site.ask_offline(card(2), "main", MONDAY);
        assert_eq!(bob.reason, Reason::OfflineNotAllowed);
        assert_eq!(site.holder(&bob).as_deref(), Some("bob"));
        let ana = site.ask_offline(card(1), "main", MONDAY);
        assert_eq!(ana.reason, Reason::Granted);
    }

    #[test]
    fn an_offline_lock_is_always_offline() {
        let site = Site::new(POLICY);
        assert_eq!(
            site.ask(card(2), "shed", MONDAY).reason,
            Reason::OfflineNotAllowed
        );
        assert_eq!(site.ask(card(1), "shed", MONDAY).reason, Reason::Granted);
        assert_eq!(
            site.ask(qr("QR-GIL"), "shed", MONDAY).reason,
            Reason::OfflineNotAllowed
        );
    }

    #[test]
    fn remote_openings_are_refused_offline() {
        let site = Site::new(POLICY);
        assert_eq!(
            site.ask(site.remote("ana"), "main", MONDAY).reason,
            Reason::Granted
        );
        let down = site.ask_offline(site.remote("ana"), "main", MONDAY);
        assert_eq!(down.reason, Reason::OfflineNotAllowed);
        let lock = site.ask(site.remote("ana"), "shed", MONDAY);
        assert_eq!(lock.reason, Reason::OfflineNotAllowed);
        // A user without the remote flag is told so first.
        let cy = site.ask_offline(site.remote("cy"), "main", MONDAY);
        assert_eq!(cy.reason, Reason::RemoteNotAllowed);
    }

    #[test]
    fn guests_are_online_only_and_space_codes_work_offline() {
        let site = Site::new(POLICY);
        assert_eq!(
            site.ask(qr("QR-GIL"), "main", MONDAY).reason,
            Reason::Appointment
        );
        let guest = site.ask_offline(qr("QR-GIL"), "main", MONDAY);
        assert_eq!(guest.reason, Reason::OfflineNotAllowed);
        for door in ["main", "shed"] {
            let code = site.ask_offline(pin("483920"), door, MONDAY);
            assert_eq!(code.reason, Reason::SpaceCode, "{door}");
        }
    }

    #[test]
    fn the_door_schedule_binds_offline_too() {
        let site = Site::new(POLICY);
        let decision = site.ask_offline(card(1), "office_door", "2026-11-29T10:00");
        assert_eq!(decision.reason, Reason::DoorClosed);
        assert_eq!(site.schedule(&decision).as_deref(), Some("office"));
    }
}

// ---------------------------------------------------------------------------------
// Anti-passback zones: the last step, against the presence the controller passes.

mod anti_passback {
    use super::*;

    /// A pool behind one turnstile (reader 0 outside, reader 1 inside), a gym behind a
    /// gate with a soft rule, a sauna behind a timed one, tracked per card; `ana`
    /// holds a card and a PIN, `bob` only a PIN and no gym, the space code opens
    /// the pool.
    const CENTRE: &str = r#"
        site centre {
          timezone "Europe/Paris"
          door turnstile { readers badge pin qr remote }
          door gate
          door sauna_door
          door office
          code "739154" on turnstile
          zone pool "Bassin" {
            entry turnstile reader 0
            exit turnstile reader 1
            antipassback hard
          }
          zone gym { entry gate  antipassback soft }
          zone sauna {
            entry sauna_door reader 0
            exit sauna_door reader 1
            antipassback timed 30m
            per card
            unreachable closed
          }
        }
        schedule day { mon..sun 07:00-22:00 }
        account club {
          user ana { card 42  pin "1234"  remote  allow turnstile gate sauna_door }
          user bob { pin "5678"  allow turnstile sauna_door schedule day }
        }
        appointment visit on 2026-11-23 09:00-12:00 {
          doors turnstile
          guest "Vi" <vi@example.com> qr "VISIT-1"
        }
    "#;

    fn centre() -> Site {
        Site::new(CENTRE)
    }

    const AT: &str = "2026-11-23T10:00";

    #[test]
    fn a_first_entry_is_clear_and_says_what_to_record() {
        let site = centre();
        let decision = site.pass(card(42), "turnstile", 0, AT, Presence::NONE);
        assert_eq!(decision.reason, Reason::Granted);
        let passage = decision.passage.expect("a zone door");
        assert_eq!(passage.zone, site.policy.zone_named("pool").unwrap());
        assert_eq!(passage.direction, Direction::Entry);
        assert_eq!(passage.check, PassbackCheck::Clear);
        assert_eq!(
            passage.occupant,
            Some(Occupant::User {
                user: site.user_id("ana")
            })
        );
        let record = passage.record().expect("an entry to store");
        assert_eq!(record.direction, Direction::Entry);
        assert_eq!(record.at, site.instant(site.door("turnstile"), AT));
    }

    #[test]
    fn a_hard_zone_refuses_a_second_entry_without_an_exit() {
        let site = centre();
        let inside = site.movement("turnstile", Direction::Entry, "2026-11-23T09:00");
        let decision = site.pass(card(42), "turnstile", 0, AT, inside);
        assert_eq!(decision.reason, Reason::AntiPassback);
        assert!(!decision.allowed());
        let passage = decision.passage.unwrap();
        assert_eq!(passage.check, PassbackCheck::Refused);
        assert_eq!(passage.record(), None);
        // Per user: her PIN is the same occupant, refused too.
        let by_pin = site.pass(pin("1234"), "turnstile", 0, AT, inside);
        assert_eq!(by_pin.reason, Reason::AntiPassback);
    }

    #[test]
    fn an_entry_after_an_exit_is_clear() {
        let site = centre();
        let left = site.movement("turnstile", Direction::Exit, "2026-11-23T09:55");
        let decision = site.pass(card(42), "turnstile", 0, AT, left);
        assert_eq!(decision.reason, Reason::Granted);
        assert_eq!(decision.passage.unwrap().check, PassbackCheck::Clear);
    }

    #[test]
    fn exits_are_never_refused_and_an_exit_after_an_exit_is_reported() {
        let site = centre();
        let inside = site.movement("turnstile", Direction::Entry, "2026-11-23T09:00");
        let out = site.pass(card(42), "turnstile", 1, AT, inside);
        let passage = out.passage.unwrap();
        assert_eq!(
            (out.reason, passage.check),
            (Reason::Granted, PassbackCheck::Clear)
        );
        assert_eq!(passage.direction, Direction::Exit);
        assert_eq!(passage.record().map(|m| m.direction), Some(Direction::Exit));
        // Never seen coming in: allowed (nobody is kept in), clear.
        let unknown = site.pass(card(42), "turnstile", 1, AT, Presence::NONE);
        assert_eq!(unknown.passage.unwrap().check, PassbackCheck::Clear);
        // Out twice: she came in behind someone; allowed and reported.
        let left = site.movement("turnstile", Direction::Exit, "2026-11-23T09:00");
        let twice = site.pass(card(42), "turnstile", 1, AT, left);
        assert!(twice.allowed());
        assert_eq!(twice.passage.unwrap().check, PassbackCheck::Violation);
    }

    #[test]
    fn a_soft_zone_allows_a_second_entry_and_reports_it() {
        let site = centre();
        let inside = site.movement("gate", Direction::Entry, "2026-11-23T09:00");
        let decision = site.pass(card(42), "gate", 0, AT, inside);
        assert_eq!(decision.reason, Reason::Granted);
        let passage = decision.passage.unwrap();
        assert_eq!(passage.check, PassbackCheck::Violation);
        assert!(passage.record().is_some(), "a violation is still a passage");
        // Every reader of the gate is an entry.
        let other = site.pass(card(42), "gate", 3, AT, inside);
        assert_eq!(other.passage.unwrap().direction, Direction::Entry);
    }

    #[test]
    fn a_timed_zone_allows_re_entry_once_its_minutes_have_passed() {
        let site = centre();
        let entered = |at| site.movement("sauna_door", Direction::Entry, at);
        let too_soon = site.pass(
            card(42),
            "sauna_door",
            0,
            AT,
            entered("2026-11-23T09:30:01"),
        );
        assert_eq!(too_soon.reason, Reason::AntiPassback);
        let on_time = site.pass(card(42), "sauna_door", 0, AT, entered("2026-11-23T09:30"));
        assert_eq!(on_time.reason, Reason::Granted);
        assert_eq!(on_time.passage.unwrap().check, PassbackCheck::Clear);
        // An entry recorded after the request (clocks apart): not yet 30 minutes.
        let ahead = site.pass(card(42), "sauna_door", 0, AT, entered("2026-11-23T10:05"));
        assert_eq!(ahead.reason, Reason::AntiPassback);
    }

    #[test]
    fn per_card_tracks_the_card_and_the_holder_without_one() {
        let site = centre();
        let by_card = site.pass(card(42), "sauna_door", 0, AT, Presence::NONE);
        assert_eq!(
            by_card.passage.unwrap().occupant,
            Some(Occupant::Card { number: 42 })
        );
        let by_pin = site.pass(pin("5678"), "sauna_door", 0, AT, Presence::NONE);
        assert_eq!(
            by_pin.passage.unwrap().occupant,
            Some(Occupant::User {
                user: site.user_id("bob")
            })
        );
    }

    #[test]
    fn an_unreachable_store_follows_the_zone_rule() {
        let site = centre();
        // pool: hard, so closed by default.
        let pool = site.pass(card(42), "turnstile", 0, AT, Presence::Unreachable);
        assert_eq!(pool.reason, Reason::AntiPassback);
        assert_eq!(pool.passage.unwrap().check, PassbackCheck::FailedClosed);
        // gym: soft, so open by default; the entry is still to be recorded.
        let gym = site.pass(card(42), "gate", 0, AT, Presence::Unreachable);
        assert_eq!(gym.reason, Reason::Granted);
        assert_eq!(gym.passage.unwrap().check, PassbackCheck::FailedOpen);
        assert!(gym.passage.unwrap().record().is_some());
        // sauna: timed, written `unreachable closed`.
        let sauna = site.pass(card(42), "sauna_door", 1, AT, Presence::Unreachable);
        assert_eq!(sauna.passage.unwrap().check, PassbackCheck::FailedClosed);
    }

    #[test]
    fn the_check_comes_after_every_other_rule() {
        let site = centre();
        let inside = site.movement("turnstile", Direction::Entry, "2026-11-23T09:00");
        // Bob's schedule is closed at 23:00: that reason wins, nothing to record.
        let late = site.pass(pin("5678"), "turnstile", 0, "2026-11-23T23:00", inside);
        assert_eq!(late.reason, Reason::OutsideSchedule);
        let passage = late.passage.unwrap();
        assert_eq!(
            (passage.check, passage.record()),
            (PassbackCheck::NotChecked, None)
        );
        // Bob has no gym: not granted, whatever the presence.
        let gym = site.pass(pin("5678"), "gate", 0, AT, Presence::Unreachable);
        assert_eq!(gym.reason, Reason::NotGranted);
        // An unknown card: no occupant, not checked.
        let unknown = site.pass(card(7), "turnstile", 0, AT, Presence::Unreachable);
        assert_eq!(unknown.reason, Reason::UnknownCredential);
        assert_eq!(unknown.passage.unwrap().occupant, None);
    }

    #[test]
    fn remote_openings_and_space_codes_pass_unchecked() {
        let site = centre();
        let inside = site.movement("turnstile", Direction::Entry, "2026-11-23T09:00");
        let remote = site.pass(site.remote("ana"), "turnstile", 0, AT, inside);
        assert_eq!(remote.reason, Reason::Granted);
        assert_eq!(remote.passage.unwrap().check, PassbackCheck::NotChecked);
        assert_eq!(remote.passage.unwrap().record(), None);
        let code = site.pass(pin("739154"), "turnstile", 0, AT, Presence::Unreachable);
        assert_eq!(code.reason, Reason::SpaceCode);
        assert_eq!(code.passage.unwrap().occupant, None);
        assert_eq!(code.passage.unwrap().check, PassbackCheck::NotChecked);
    }

    #[test]
    fn a_guest_is_tracked_like_a_user() {
        let site = centre();
        let guest = qr("VISIT-1");
        let first = site.pass(guest, "turnstile", 0, AT, Presence::NONE);
        assert_eq!(first.reason, Reason::Appointment);
        let entered = first.passage.unwrap().record().map(Presence::last).unwrap();
        let again = site.pass(guest, "turnstile", 0, "2026-11-23T10:30", entered);
        assert_eq!(again.reason, Reason::AntiPassback);
    }

    #[test]
    fn offline_decisions_do_not_check_anti_passback() {
        let site = centre();
        let inside = site.movement("turnstile", Direction::Entry, "2026-11-23T09:00");
        let door = site.door("turnstile");
        let request = Request {
            subject: pin("739154"),
            door,
            at: site.instant(door, AT),
            offline: true,
        };
        let code = site.pass_request(&request, 0, inside);
        assert_eq!(code.reason, Reason::SpaceCode);
        let text = r#"
            site s { timezone "UTC"  door lock { offline }
              zone z { entry lock  antipassback hard } }
            account a { user u { card 1  offline  allow lock } }
        "#;
        let site = Site::new(text);
        let lock = site.door("lock");
        let request = Request {
            subject: card(1),
            door: lock,
            at: site.instant(lock, AT),
            offline: false,
        };
        let entered = Presence::last(Movement {
            direction: Direction::Entry,
            at: site.instant(lock, "2026-11-23T09:00"),
        });
        let decision = site.pass_request(&request, 0, entered);
        assert_eq!(decision.reason, Reason::Granted);
        let passage = decision.passage.unwrap();
        assert_eq!(
            (passage.check, passage.record()),
            (PassbackCheck::Offline, None)
        );
    }

    #[test]
    fn a_reader_in_no_zone_and_plain_decide_know_no_passage() {
        let site = centre();
        let door = site.door("turnstile");
        let request = Request {
            subject: card(42),
            door,
            at: site.instant(door, AT),
            offline: false,
        };
        assert_eq!(site.engine.decide(&request).passage, None);
        assert_eq!(
            site.pass(card(42), "turnstile", 2, AT, Presence::Unreachable)
                .passage,
            None
        );
        assert_eq!(
            site.pass(card(42), "office", 0, AT, Presence::Unreachable)
                .reason,
            Reason::NotGranted
        );
        assert_eq!(
            site.engine.zone_door(door, 1),
            site.policy.zone_named("pool").map(|z| (z, Direction::Exit))
        );
    }

    #[test]
    fn crossing_says_whose_presence_to_look_up() {
        let site = centre();
        let door = site.door("sauna_door");
        let request = |subject| Request {
            subject,
            door,
            at: site.instant(door, AT),
            offline: false,
        };
        let crossing = site
            .engine
            .crossing(&request(card(42)), 0)
            .expect("a crossing");
        assert_eq!(crossing.zone, site.policy.zone_named("sauna").unwrap());
        assert_eq!(crossing.direction, Direction::Entry);
        assert_eq!(crossing.occupant, Occupant::Card { number: 42 });
        // Nothing to look up where the passage is denied anyway, or no zone.
        assert_eq!(site.engine.crossing(&request(card(7)), 0), None);
        assert_eq!(site.engine.crossing(&request(card(42)), 5), None);
    }

    #[test]
    fn explain_names_the_zone_and_the_check() {
        let site = centre();
        let inside = site.movement("turnstile", Direction::Entry, "2026-11-23T09:00");
        let decision = site.pass(card(42), "turnstile", 0, AT, inside);
        let steps: Vec<String> = decision
            .explain(&site.policy)
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            steps,
            [
                "user ana of account club",
                "through door turnstile",
                "entry of zone pool: passback refused"
            ]
        );
    }
}
