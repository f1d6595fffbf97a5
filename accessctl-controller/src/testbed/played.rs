//! What one step of the demo's day gave: the decision (the controller's or the
//! lock's), what the door's device was made to do, and whether it is what the script
//! says.
//!
//! Owns [`Played`] and reading it off a controller's decision report. It never
//! decides and never holds a PIN.

use accessctl_devices::sim::ControlPanelResponse;

use super::script::Step;
use crate::{Outcome, Report};

/// What one step of the day gave.
#[derive(Debug, Clone)]
pub struct Played {
    /// The step.
    pub step: Step,
    /// The door, if the step is at one.
    pub door: String,
    /// How it ended, for people: `opened`, `denied`, `unknown card`, …
    pub outcome: String,
    /// Whether the door opened.
    pub opened: bool,
    /// Whether the lock decided alone.
    pub alone: bool,
    /// The engine's reason code, when one was given.
    pub reason: Option<String>,
    /// The holder recognised (the user's name in the policy), when known.
    pub user: Option<String>,
    /// An unknown card's number.
    pub card: Option<String>,
    /// More (a parity failure, a space code…).
    pub detail: Option<String>,
    /// What the door's device was made to do.
    pub did: String,
}

impl Played {
    /// Whether it went as the script says.
    pub fn as_expected(&self) -> bool {
        self.step.opens.is_none_or(|opens| opens == self.opened)
    }
}

/// `report` if it is a decision at `door` (a door waiting for a second factor
/// included).
pub fn decision_at(report: Report, door: &str) -> Option<Report> {
    match &report {
        Report::Decision { door: at, .. } if at == door => Some(report),
        _ => None,
    }
}

/// A step turned into what it gave, from the controller's decision.
pub fn played(step: &Step, door: &str, report: Report, response: &ControlPanelResponse) -> Played {
    let Report::Decision {
        outcome,
        reason,
        user,
        card,
        detail,
        ..
    } = report
    else {
        return no_decision(step, door);
    };
    Played {
        step: *step,
        door: door.to_owned(),
        outcome: outcome.words().to_owned(),
        opened: outcome == Outcome::Opened && response.opened(),
        alone: false,
        reason: reason.map(|r| r.code().to_owned()),
        user,
        card,
        detail,
        did: response.to_string(),
    }
}

/// A step no decision came for.
pub fn no_decision(step: &Step, door: &str) -> Played {
    Played {
        step: *step,
        door: door.to_owned(),
        outcome: "no decision".to_owned(),
        opened: false,
        alone: false,
        reason: None,
        user: None,
        card: None,
        detail: Some("nothing came back in time".to_owned()),
        did: "nothing".to_owned(),
    }
}
