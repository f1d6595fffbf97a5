//! Exit statuses: what a run of the tool answers, as a process exit code.
//!
//! Owns the one meaning of each code (BRIEF §6): 0 success, 1 a negative answer, 2 a
//! usage error, unreadable input or I/O failure. It must never grow a fourth code, nor
//! give one of these another meaning in some command.

use std::process::ExitCode;

/// How a run ended. Ordered by gravity, so that the worst of several outcomes is
/// their maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Exit {
    /// 0: valid, allowed, nothing to change.
    #[default]
    Success,
    /// 1: a negative answer: invalid policy, access denied, `fmt --check` found changes.
    Negative,
    /// 2: usage error, unreadable input, I/O failure.
    Failure,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Negative => 1,
            Exit::Failure => 2,
        }
    }

    /// [`Exit::Success`] when `ok`, else [`Exit::Negative`].
    pub fn answer(ok: bool) -> Exit {
        if ok {
            Exit::Success
        } else {
            Exit::Negative
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}
