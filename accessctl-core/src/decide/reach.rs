//! Reach: whether a user's grants reach a door within every ceiling, whatever the
//! instant.
//!
//! Owns the time-free part of a user's decision, for selections such as
//! `user list --can-open DOOR`: the same ceiling and grant steps [`CompiledPolicy::decide`]
//! takes, without the media, the offline rule, the user's state, validity or any
//! schedule. It must never re-derive them: it calls the steps `decide` calls.

use crate::compile::CompiledPolicy;
use crate::model::{DoorId, ScheduleId, Target, UserId};

use super::{Decision, Reason};

/// How a user's grants reach a door: the grant target, and the schedule that then
/// applies to the user on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantReach {
    /// The target of the first of the most specific grants reaching the door.
    pub via: Target,
    /// That grant's schedule, else the user's own, else the nearest sub-account
    /// default; `None`: at any time. The door's own schedule binds on top.
    pub schedule: Option<ScheduleId>,
}

impl CompiledPolicy {
    /// How `user`'s grants reach `door`, if they do and the door lies within the door
    /// ceiling of the user's sub-account and of every ancestor; `None` otherwise (and
    /// for a user or door the policy does not have).
    ///
    /// Time, media, state (`inactive`), validity and the schedules' hours are left
    /// out: this answers "do this user's grants open this door at some time?", which
    /// the decision at an instant then narrows.
    pub fn grant_reaching(&self, user: UserId, door: DoorId) -> Option<GrantReach> {
        let compiled = self.users.get(user.index())?;
        self.doors.get(door.index())?;
        let decision = Decision::new(door, Reason::NotGranted);
        self.check_ceiling(compiled.account, decision).ok()?;
        let grants = self.user_grants(compiled);
        let reaching = grants.iter().filter(|g| self.reaches(g.reach, door));
        let best = reaching.clone().map(|g| g.specificity).max()?;
        reaching
            .filter(|g| g.specificity == best)
            .map(|g| GrantReach {
                via: g.target,
                schedule: g.schedule.or(compiled.base_schedule),
            })
            .next()
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Target;
    use crate::{check, CompiledPolicy, Sources};

    const POLICY: &str = r#"
site hq { timezone "Europe/Paris"  door main  door lab  door roof  group all = main lab roof }
schedule never { mon 00:00-00:01 }
account acme {
  user ana "Ana" { inactive  schedule never  allow group all  allow lab }
  user bob "Bob" { allow main }
  subaccount team {
    ceiling doors main lab
    user cid "Cid" { allow main lab }
  }
}
"#;

    #[test]
    fn grants_reach_doors_within_ceilings_whatever_the_time_or_state() {
        let mut sources = Sources::new();
        sources.add("p.acl", POLICY);
        let mut policy = check(&sources).policy.unwrap();
        let door = |n| policy.door_named(n).unwrap();
        let user = |n| policy.user_named(n).unwrap();
        // A grant beyond the ceiling, which the validator would refuse: the engine
        // bounds it anyway.
        let (cid, roof) = (user("cid"), door("roof"));
        policy.users[cid.index()].grants[0]
            .targets
            .push(Target::Door(roof));
        let compiled = CompiledPolicy::new(&policy);
        let door = |n| policy.door_named(n).unwrap();
        let user = |n| policy.user_named(n).unwrap();
        // Inactive, on a schedule that is almost never open: reached all the same,
        // by the most specific grant.
        let reach = compiled.grant_reaching(user("ana"), door("lab")).unwrap();
        assert_eq!(reach.via, Target::Door(door("lab")));
        assert_eq!(reach.schedule, policy.users[user("ana").index()].schedule);
        assert!(compiled.grant_reaching(user("ana"), door("roof")).is_some());
        assert_eq!(compiled.grant_reaching(user("bob"), door("lab")), None);
        // Granted the roof, but the sub-account's ceiling leaves it out.
        assert!(compiled.grant_reaching(user("cid"), door("main")).is_some());
        assert_eq!(compiled.grant_reaching(user("cid"), door("roof")), None);
        // Out of range: no answer, no panic.
        let far = crate::model::UserId(99);
        assert_eq!(compiled.grant_reaching(far, door("main")), None);
        assert_eq!(
            compiled.grant_reaching(user("bob"), crate::model::DoorId(99)),
            None
        );
    }
}
