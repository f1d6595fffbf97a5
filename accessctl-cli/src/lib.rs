//! The `accessctl` command-line tool, as a library: [`run`] is the whole program.
//!
//! The tool is thin: it parses arguments (clap), loads policies from files and
//! directories, hands them to `accessctl-core`, renders what comes back (diagnostics
//! for people, JSON, GitHub annotations) and edits files atomically. It holds no
//! policy logic: every judgement and every decision comes from the core. Exit codes
//! mean one thing everywhere: 0 success, 1 a negative answer, 2 a usage error,
//! unreadable input or an I/O failure.
//!
//! Adding a command: a variant of [`args::Command`]
//! with its argument struct (with a `--format`), an arm in [`args::Command::format`], a
//! module under [`commands`] whose `run(&Args, &mut Console) -> Result<Exit, CliError>`
//! prints its answer and says how it ended, and one arm in [`dispatch`]. Errors that
//! prevent an answer are rendered here, in the command's format.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod args;
pub mod census;
pub mod commands;
pub mod console;
pub mod demo;
pub mod diff;
pub mod error;
pub mod exit;
pub mod render;
pub mod table;

pub use accessctl_controller::{atomic, instant, journal, keystore, load, offline, query};

/// The door controller: the `accessctl-controller` crate.
pub use accessctl_controller as controller;

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use serde::Serialize;

use crate::args::{Cli, Command, OutputFormat, UserCommand};
use crate::console::Console;
use crate::controller::PolicyError;
use crate::error::CliError;
use crate::exit::Exit;
use crate::render::json::{self as json_render, JsonDiagnostic, JsonError, SCHEMA_VERSION};
use crate::render::{github, human};

/// Runs the tool with the process's arguments and streams; returns its exit code.
pub fn run() -> ExitCode {
    let (stdout, stderr) = (io::stdout(), io::stderr());
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    // Not `stdin.lock()`: held for the whole run, it would block the commands that
    // read standard input themselves (`sim lock`'s thread); this locks only while it
    // reads, and reads only when a command asks the person to confirm.
    let stdin = io::stdin();
    let on_terminal = stdin.is_terminal();
    let mut input = io::BufReader::new(stdin);
    let mut console = Console {
        color: !no_color && io::stdout().is_terminal(),
        err_color: !no_color && io::stderr().is_terminal(),
        out: &mut out,
        err: &mut err,
        terminal: if on_terminal { Some(&mut input) } else { None },
    };
    run_with(std::env::args_os(), &mut console).into()
}

/// Runs the tool with `args` (the program name first) on `console`.
pub fn run_with<I, T>(args: I, console: &mut Console<'_>) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => return usage(&error, console),
    };
    let exit = match dispatch(&cli.command, console) {
        Ok(exit) => exit,
        Err(error) => {
            // Reporting may fail too (a closed pipe): the exit code says it anyway.
            let _ = report(&error, cli.command.format(), console);
            Exit::Failure
        }
    };
    match console.out.flush() {
        Ok(()) => exit,
        Err(_) => Exit::Failure,
    }
}

/// Runs one command.
pub fn dispatch(command: &Command, console: &mut Console<'_>) -> Result<Exit, CliError> {
    match command {
        Command::Validate(args) => commands::validate::run(args, console),
        Command::Fmt(args) => commands::fmt::run(args, console),
        Command::Check(args) => commands::check::run(args, console),
        Command::WhoCan(args) => commands::who_can::run(args, console),
        Command::WhatCan(args) => commands::what_can::run(args, console),
        Command::Test(args) => commands::test::run(args, console),
        Command::Diff(args) => commands::diff::run(args, console),
        Command::Review(args) => commands::review::run(args, console),
        Command::Keys(args) => commands::keys::run(args, console),
        Command::Codes(args) => commands::codes::run(args, console),
        Command::Lock(args) => commands::lock::run(args, console),
        Command::Key(args) => commands::card_key::run(args, console),
        Command::Encoder(args) => commands::encoder::run(args, console),
        Command::Sim(args) => commands::sim::run(args, console),
        Command::Demo(args) => commands::demo::run(args, console),
        Command::Controller(args) => commands::controller::run(args, console),
        Command::Journal(args) => commands::journal::run(args, console),
        Command::Zone(args) => commands::zone::run(args, console),
        Command::Bulk(args) => commands::bulk::run(args, console),
        Command::User(args) => match &args.command {
            UserCommand::List(args) => commands::user_list::run(args, console),
            UserCommand::Show(args) => commands::user_show::run(args, console),
            UserCommand::Add(args) => commands::user_edit::add(args, console),
            UserCommand::Set(args) => commands::user_edit::set(args, console),
            UserCommand::Rm(args) => commands::user_edit::rm(args, console),
        },
    }
}

/// Prints clap's message: help and version on standard output (exit 0), usage errors
/// on standard error (exit 2).
fn usage(error: &clap::Error, console: &mut Console<'_>) -> Exit {
    let (stream, color, exit) = if error.use_stderr() {
        (&mut console.err, console.err_color, Exit::Failure)
    } else {
        (&mut console.out, console.color, Exit::Success)
    };
    let styled = error.render();
    let text = if color {
        styled.ansi().to_string()
    } else {
        styled.to_string()
    };
    match stream
        .write_all(text.as_bytes())
        .and_then(|()| stream.flush())
    {
        Ok(()) if error.exit_code() == 0 => exit,
        _ => Exit::Failure,
    }
}

/// The JSON document of an error that prevented an answer.
#[derive(Serialize)]
struct ErrorDocument {
    version: u32,
    error: JsonError,
    /// The policy's diagnostics, when the error is that it has some.
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnostics: Option<Vec<JsonDiagnostic>>,
}

/// Prints `error` the way the command's output goes: on standard error for people, as
/// the JSON document on standard output, as an annotation for GitHub.
fn report(error: &CliError, format: OutputFormat, console: &mut Console<'_>) -> io::Result<()> {
    if let CliError::Output(_) = error {
        return Ok(());
    }
    let help = error.help();
    match format {
        OutputFormat::Human => {
            if let CliError::Policy(PolicyError::InvalidPolicy {
                sources,
                diagnostics,
                ..
            }) = error
            {
                let drawn = human::diagnostics(sources, diagnostics, console.err_color);
                console.err.write_all(&drawn)?;
            }
            let message = error.to_string();
            let drawn = human::error(error.code(), &message, help.as_deref(), console.err_color);
            console.err.write_all(&drawn)
        }
        OutputFormat::Json => {
            let diagnostics = match error {
                CliError::Policy(PolicyError::InvalidPolicy {
                    sources,
                    diagnostics,
                    ..
                }) => Some(JsonDiagnostic::all(sources, diagnostics)),
                _ => None,
            };
            let document = ErrorDocument {
                version: SCHEMA_VERSION,
                error: JsonError::new(error),
                diagnostics,
            };
            console.out.write_all(&json_render::document(&document))
        }
        OutputFormat::Github => {
            let code = error.code().unwrap_or("error");
            console
                .out
                .write_all(github::error(code, &error.to_string()).as_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_captured(args: &[&str]) -> (Exit, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut console = Console {
            out: &mut out,
            err: &mut err,
            color: false,
            err_color: false,
            terminal: None,
        };
        let exit = run_with(
            std::iter::once("accessctl").chain(args.iter().copied()),
            &mut console,
        );
        let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
        (exit, text(out), text(err))
    }

    #[test]
    fn an_error_is_one_json_document_on_standard_output() {
        let args = [
            "what-can",
            "--policy",
            "no/such/dir",
            "--user",
            "ana",
            "--format",
            "json",
        ];
        let (exit, out, err) = run_captured(&args);
        assert_eq!(exit, Exit::Failure);
        assert!(err.is_empty(), "{err}");
        let document: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(document["error"]["kind"], "unreadable");
        assert_eq!(document["error"]["code"], "E0705");
    }

    #[test]
    fn usage_errors_go_to_standard_error_and_help_to_standard_output() {
        let (exit, out, err) = run_captured(&["check", "--door", "main"]);
        assert_eq!(exit, Exit::Failure);
        assert!(out.is_empty());
        assert!(err.contains("--policy"), "{err}");
        let (exit, out, _) = run_captured(&["--help"]);
        assert_eq!(exit, Exit::Success);
        assert!(out.contains("validate"), "{out}");
    }
}
