//! Unit tests of the decision steps fixed after review against `docs/decisions.md`:
//! identification with three credentials, holders named directly, space codes that
//! are also a holder's PIN, and ceilings over guests. The full set of named semantics
//! lives in `tests/decide.rs`.

use super::*;
use crate::model::{Credential, Policy, Target};
use crate::{check, Sources};

/// Monday 2026-11-23, 09:30 UTC (10:30 in Paris).
const MONDAY: Timestamp = Timestamp(1_795_426_200);

const POLICY: &str = r#"
site hq {
  timezone "Europe/Paris"
  door main  door lab  door r2
  code "771100" on r2
}
account acme {
  user ana { card 1  pin "771100"  allow main }
  user bob { card 2  qr "QR-BOB"  allow main }
  subaccount team {
    ceiling doors main
    appointment visit on 2026-11-23 08:00-12:00 {
      doors main
      guest "Gil" <gil@example.com> qr "QR-GIL"
    }
  }
}
"#;

fn policy() -> Policy {
    let mut sources = Sources::new();
    sources.add("unit.acl", POLICY);
    check(&sources).policy.expect("a valid policy")
}

fn ask(compiled: &CompiledPolicy, subject: Subject<'_>, door: u32) -> Decision {
    compiled.decide(&Request {
        subject,
        door: DoorId(door),
        at: MONDAY,
        offline: false,
    })
}

fn typed(presented: Presented<'_>) -> Subject<'_> {
    Subject::Credentials(presented)
}

#[test]
fn an_unknown_credential_is_reported_before_a_mismatch() {
    let compiled = CompiledPolicy::new(&policy());
    let three = Presented {
        card: Some(1),
        qr: Some("QR-BOB"),
        mobile: Some("nobody's"),
        ..Presented::default()
    };
    assert_eq!(
        ask(&compiled, typed(three), 0).reason,
        Reason::UnknownCredential
    );
    let two = Presented {
        mobile: None,
        ..three
    };
    assert_eq!(
        ask(&compiled, typed(two), 0).reason,
        Reason::FactorsMismatch
    );
}

#[test]
fn a_holder_named_directly_must_exist() {
    let compiled = CompiledPolicy::new(&policy());
    for subject in [
        Subject::User(UserId(7)),
        Subject::Remote(UserId(7)),
        Subject::Guest(AppointmentId(0), 1),
        Subject::Guest(AppointmentId(3), 0),
    ] {
        let decision = ask(&compiled, subject, 0);
        assert_eq!(decision.reason, Reason::UnknownCredential, "{subject:?}");
        assert_eq!(decision.holder, None);
    }
}

#[test]
fn a_space_code_not_covering_the_door_is_read_as_its_holder_pin() {
    let compiled = CompiledPolicy::new(&policy());
    let code = typed(Presented {
        pin: Some("771100"),
        ..Presented::default()
    });
    let r2 = ask(&compiled, code, 2);
    assert_eq!(r2.reason, Reason::SpaceCode);
    assert_eq!(r2.via, Some(Target::Door(DoorId(2))));
    let main = ask(&compiled, code, 0);
    assert_eq!(main.reason, Reason::Granted);
    assert_eq!(main.holder, Some(Holder::User { user: UserId(0) }));
}

#[test]
fn a_space_code_no_one_holds_is_not_granted_elsewhere() {
    let mut policy = policy();
    policy.users[0]
        .credentials
        .retain(|c| c == &Credential::Card(1));
    let compiled = CompiledPolicy::new(&policy);
    let code = typed(Presented {
        pin: Some("771100"),
        ..Presented::default()
    });
    let main = ask(&compiled, code, 0);
    assert_eq!(main.reason, Reason::NotGranted);
    assert_eq!(main.holder, Some(Holder::SpaceCode { code: 0 }));
}

#[test]
fn guests_of_a_sub_account_are_bounded_by_its_ceiling() {
    let mut policy = policy();
    policy.appointments[0].targets.push(Target::Door(DoorId(1)));
    let compiled = CompiledPolicy::new(&policy);
    let guest = typed(Presented {
        qr: Some("QR-GIL"),
        ..Presented::default()
    });
    let lab = ask(&compiled, guest, 1);
    assert_eq!(lab.reason, Reason::BeyondCeiling);
    assert_eq!(lab.ceiling, Some(AccountId(1)));
    let main = ask(&compiled, guest, 0);
    assert_eq!(main.reason, Reason::Appointment);
    assert_eq!(main.via, Some(Target::Door(DoorId(0))));
}

#[test]
fn a_decision_stays_small_enough_to_return_by_value() {
    // The hot path returns a `Decision` by value; the passage must not double it.
    let size = std::mem::size_of::<super::Decision>();
    assert!(size <= 96, "a decision is {size} bytes");
}
