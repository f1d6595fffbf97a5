//! The scripted day of the demo: the shipped example it runs and what happens, minute
//! by minute, at its doors.
//!
//! Owns the sports-centre example's text (compiled into the tool, so the demo runs
//! from anywhere), which doors are wired to readers and which is the offline lock,
//! and the [`Step`]s of the day with the outcome each must have. It must never decide:
//! the expected outcomes are checked against what the controller and the lock did.

/// A shipped example site the demo can run.
pub struct Site {
    /// Its name on the command line.
    pub name: &'static str,
    /// Its policy files: name and text.
    pub files: &'static [(&'static str, &'static str)],
    /// Its sites' names, for the key store.
    pub sites: &'static [&'static str],
    /// The doors with a reader on the controller's bus, and their PD addresses.
    pub readers: &'static [(&'static str, u8)],
    /// The door of the offline lock on its own bus, and its PD address.
    pub lock: (&'static str, u8),
    /// The day, as a local date, and its title.
    pub day: (&'static str, &'static str),
    /// What happens.
    pub steps: &'static [Step],
}

/// What happens at one minute of the day.
#[derive(Debug, Clone, Copy)]
pub struct Step {
    /// Local time, `HH:MM`.
    pub time: &'static str,
    /// What is done.
    pub action: Action,
    /// Who or what, for people (never a PIN's digits).
    pub who: &'static str,
    /// Whether the door must open (`None`: nothing opens, e.g. a network cut).
    pub opens: Option<bool>,
}

/// One action of the day.
#[derive(Debug, Clone, Copy)]
pub enum Action {
    /// A presentation (in `sim lock`'s input syntax) at a door's reader or lock.
    Present {
        /// The door.
        door: &'static str,
        /// `card NUMBER [FORMAT]`, `bits …`, `pin DIGITS`.
        presentation: &'static str,
    },
    /// The offline lock's network link is cut.
    CutLock,
    /// The offline lock's network link is back: it uploads what it decided alone.
    RestoreLock,
}

/// The sports centre (the Neop seed): badges and PINs at the club-house, badge and
/// PIN together at the cash office, an appointment guest on a padel court, and a
/// court's lock that keeps working during a network cut.
pub const SPORTS_CENTRE: Site = Site {
    name: "sports-centre",
    files: &[(
        "centre.acl",
        include_str!("../../../examples/sports-centre/centre.acl"),
    )],
    sites: &["courts", "padel", "club"],
    readers: &[("club_entree", 1), ("padel_2", 2), ("caisse", 4)],
    lock: ("court_1", 3),
    day: ("2026-03-14", "Saturday 14 March 2026, Europe/Paris"),
    steps: &[
        Step {
            time: "08:05",
            action: Action::Present {
                door: "club_entree",
                presentation: "card 3300000101",
            },
            who: "Marc, the coach, badges",
            opens: Some(true),
        },
        Step {
            time: "08:12",
            action: Action::Present {
                door: "club_entree",
                presentation: "card 3300000102",
            },
            who: "Théo badges (his grants stop at the courts)",
            opens: Some(false),
        },
        Step {
            time: "08:40",
            action: Action::Present {
                door: "caisse",
                presentation: "card 3300000001",
            },
            who: "Sylvie badges at the cash office (badge and PIN required)",
            opens: Some(false),
        },
        Step {
            time: "08:40",
            action: Action::Present {
                door: "caisse",
                presentation: "pin 7316",
            },
            who: "Sylvie types her PIN",
            opens: Some(true),
        },
        Step {
            time: "09:30",
            action: Action::Present {
                door: "club_entree",
                presentation: "pin 839201",
            },
            who: "Julie types her PIN",
            opens: Some(true),
        },
        Step {
            time: "09:41",
            action: Action::Present {
                door: "club_entree",
                presentation: "pin 102938",
            },
            who: "Inès types her PIN (no access right yet)",
            opens: Some(false),
        },
        Step {
            time: "10:00",
            action: Action::Present {
                door: "club_entree",
                presentation: "card 50000:42 h10306",
            },
            who: "a badge nobody holds",
            opens: Some(false),
        },
        Step {
            time: "10:20",
            action: Action::Present {
                door: "club_entree",
                presentation: "card 3300000101 corp1000-35",
            },
            who: "a 35-bit Corporate 1000 badge (the site reads H10306)",
            opens: Some(false),
        },
        Step {
            time: "10:25",
            action: Action::Present {
                door: "club_entree",
                presentation: "bits 1110001001011001000010001011001010",
            },
            who: "a badge read with a flipped bit (bad parity)",
            opens: Some(false),
        },
        Step {
            time: "11:00",
            action: Action::Present {
                door: "court_1",
                presentation: "card 3300000101",
            },
            who: "Marc badges at court 1's lock (online)",
            opens: Some(true),
        },
        Step {
            time: "12:00",
            action: Action::CutLock,
            who: "the network to court 1's lock is cut",
            opens: None,
        },
        Step {
            time: "12:10",
            action: Action::Present {
                door: "court_1",
                presentation: "card 3300000001",
            },
            who: "Sylvie, the manager (offline access), badges",
            opens: Some(true),
        },
        Step {
            time: "12:15",
            action: Action::Present {
                door: "court_1",
                presentation: "card 3300000101",
            },
            who: "Marc badges (no offline access)",
            opens: Some(false),
        },
        Step {
            time: "12:20",
            action: Action::Present {
                door: "court_1",
                presentation: "pin 739154",
            },
            who: "the space's emergency code is typed",
            opens: Some(true),
        },
        Step {
            time: "13:00",
            action: Action::RestoreLock,
            who: "the network to court 1's lock is back",
            opens: None,
        },
        Step {
            time: "18:30",
            action: Action::Present {
                door: "padel_2",
                presentation: "pin 4072913",
            },
            who: "Romain, an appointment guest, types his code",
            opens: Some(true),
        },
        Step {
            time: "19:30",
            action: Action::Present {
                door: "padel_2",
                presentation: "pin 4072913",
            },
            who: "Romain comes back after his booked hour",
            opens: Some(false),
        },
    ],
};

/// Every site the demo ships.
pub const SITES: &[Site] = &[SPORTS_CENTRE];

/// The site named `name`.
pub fn site(name: &str) -> Option<&'static Site> {
    SITES.iter().find(|site| site.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use accessctl_devices::sim::Presentation;

    #[test]
    fn every_presentation_reads_and_every_door_is_wired() {
        let site = site("sports-centre").unwrap();
        for step in site.steps {
            if let Action::Present { door, presentation } = step.action {
                assert!(
                    presentation.parse::<Presentation>().is_ok(),
                    "{presentation}"
                );
                let wired = site.readers.iter().any(|(d, _)| *d == door) || site.lock.0 == door;
                assert!(wired, "{door}");
            }
        }
    }
}
