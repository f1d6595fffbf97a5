//! `--as ADMIN [--from IP]` for the selection commands (`user list`, `user show`,
//! `bulk`): who acts, and their refusals shown.
//!
//! Owns reading the actor (the address from `--from`, else the first word of
//! `SSH_CLIENT`) and printing what the core's `authorize` refused, in human form or as
//! one JSON document, for an exit 1 that writes nothing. It must never judge a power
//! itself: `authorize::{visible, require, authorize}` do.

use accessctl_core::authorize::{Actor, Violation};
use serde::Serialize;

use crate::args::{ActorArgs, Format};
use crate::commands::review::ssh_client;
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
use crate::render::json::{self, SCHEMA_VERSION};

/// The actor `--as` names, if any.
pub fn actor(args: &ActorArgs) -> Option<Actor<'_>> {
    let admin = args.admin.as_deref()?;
    Some(Actor {
        admin,
        from: args.from.or_else(ssh_client),
    })
}

/// Prints `violations` (each with its rule) and says the run was refused: exit 1,
/// nothing written.
pub fn refused(
    violations: &[Violation],
    format: Format,
    console: &mut Console<'_>,
) -> Result<Exit, CliError> {
    match format {
        Format::Human => {
            let mut text = String::new();
            for v in violations {
                text += &format!("refused ({}): {}\n", v.rule, v.message);
            }
            text += "nothing was written\n";
            console.out.write_all(text.as_bytes())?;
        }
        Format::Json => console.out.write_all(&json::document(&Refused {
            version: SCHEMA_VERSION,
            status: "refused",
            violations,
        }))?,
    }
    Ok(Exit::Negative)
}

/// The refusal as JSON (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Refused<'a> {
    version: u32,
    status: &'static str,
    violations: &'a [Violation],
}

/// An actor without powers (unknown, no admin right, wrong address) as a violation.
pub fn violation(admin: &str, error: &accessctl_core::authorize::ActorError) -> Violation {
    Violation {
        rule: error.rule(),
        user: admin.to_owned(),
        message: error.to_string(),
        span: None,
    }
}
