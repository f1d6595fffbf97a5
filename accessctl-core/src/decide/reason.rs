//! Why a door opened or stayed shut: the stable reason codes.
//!
//! Owns the list of reasons, their stable snake_case codes and one-line summaries.
//! Codes never change meaning once released; `docs/decisions.md` lists them.

use serde::Serialize;

/// Why a decision went the way it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// Allowed: a grant reaches the door and every schedule is open.
    Granted,
    /// Allowed: a guest within the appointment's day and hours.
    Appointment,
    /// Allowed: a permanent space code of the door.
    SpaceCode,
    /// Denied: the door does not exist.
    UnknownDoor,
    /// Denied: nobody holds the credential.
    UnknownCredential,
    /// Denied: the factors presented belong to different holders.
    FactorsMismatch,
    /// Denied: the door's reader does not accept a medium presented.
    MediumNotAccepted,
    /// Denied: the door requires factors that were not all presented.
    SecondFactorRequired,
    /// Denied: the user may not open remotely.
    RemoteNotAllowed,
    /// Denied: the door is offline and the holder has no offline access.
    OfflineNotAllowed,
    /// Denied: the user's access control is not activated.
    Inactive,
    /// Denied: the local date is outside the user's validity window.
    OutsideValidity,
    /// Denied: the door is outside a sub-account ceiling.
    BeyondCeiling,
    /// Denied: no grant, appointment or code reaches the door.
    NotGranted,
    /// Denied: the user's schedule on this door is closed.
    OutsideSchedule,
    /// Denied: the door's own schedule is closed.
    DoorClosed,
    /// Denied: the guest came outside the appointment's day or hours.
    AppointmentNotNow,
    /// Denied: an anti-passback zone refuses the passage (a second entry without an
    /// exit, a re-entry too soon, or the presence store out of reach of a zone that
    /// fails closed).
    AntiPassback,
}

impl Reason {
    /// Every reason, in catalogue order.
    pub const ALL: [Reason; 18] = [
        Reason::Granted,
        Reason::Appointment,
        Reason::SpaceCode,
        Reason::UnknownDoor,
        Reason::UnknownCredential,
        Reason::FactorsMismatch,
        Reason::MediumNotAccepted,
        Reason::SecondFactorRequired,
        Reason::RemoteNotAllowed,
        Reason::OfflineNotAllowed,
        Reason::Inactive,
        Reason::OutsideValidity,
        Reason::BeyondCeiling,
        Reason::NotGranted,
        Reason::OutsideSchedule,
        Reason::DoorClosed,
        Reason::AppointmentNotNow,
        Reason::AntiPassback,
    ];

    /// Whether this reason opens the door.
    pub fn is_allow(self) -> bool {
        matches!(
            self,
            Reason::Granted | Reason::Appointment | Reason::SpaceCode
        )
    }

    /// The stable code, e.g. `outside_schedule`.
    pub fn code(self) -> &'static str {
        match self {
            Reason::Granted => "granted",
            Reason::Appointment => "appointment",
            Reason::SpaceCode => "space_code",
            Reason::UnknownDoor => "unknown_door",
            Reason::UnknownCredential => "unknown_credential",
            Reason::FactorsMismatch => "factors_mismatch",
            Reason::MediumNotAccepted => "medium_not_accepted",
            Reason::SecondFactorRequired => "second_factor_required",
            Reason::RemoteNotAllowed => "remote_not_allowed",
            Reason::OfflineNotAllowed => "offline_not_allowed",
            Reason::Inactive => "inactive",
            Reason::OutsideValidity => "outside_validity",
            Reason::BeyondCeiling => "beyond_ceiling",
            Reason::NotGranted => "not_granted",
            Reason::OutsideSchedule => "outside_schedule",
            Reason::DoorClosed => "door_closed",
            Reason::AppointmentNotNow => "appointment_not_now",
            Reason::AntiPassback => "anti_passback",
        }
    }

    /// A sentence for people.
    pub fn summary(self) -> &'static str {
        match self {
            Reason::Granted => "a grant reaches the door and its schedules are open",
            Reason::Appointment => "a guest within the appointment's day and hours",
            Reason::SpaceCode => "a permanent space code of the door",
            Reason::UnknownDoor => "the door does not exist",
            Reason::UnknownCredential => "nobody holds this credential",
            Reason::FactorsMismatch => "the factors presented belong to different holders",
            Reason::MediumNotAccepted => "the door's reader does not accept this medium",
            Reason::SecondFactorRequired => "the door requires another factor",
            Reason::RemoteNotAllowed => "the user may not open remotely",
            Reason::OfflineNotAllowed => "the door is offline and the holder has no offline access",
            Reason::Inactive => "the user's access control is not activated",
            Reason::OutsideValidity => "the date is outside the user's validity window",
            Reason::BeyondCeiling => "the door is outside a sub-account ceiling",
            Reason::NotGranted => "nothing grants this door",
            Reason::OutsideSchedule => "the user's schedule is closed",
            Reason::DoorClosed => "the door's own schedule is closed",
            Reason::AppointmentNotNow => "outside the appointment's day or hours",
            Reason::AntiPassback => "an anti-passback zone refuses this passage",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}
