//! `accessctl demo [SITE]`: a shipped example site run end to end on this machine —
//! controllers, simulated readers and an offline lock over TCP on loopback, a scripted
//! day printed decision by decision, then the event journal.
//!
//! Owns the command: choosing the site, setting the stage up, printing each step as
//! it is played, then the journal, and the exit code (0 when every step went as the
//! script says, 1 otherwise). It must never decide: see [`crate::demo`].

use crate::args::{DemoArgs, Format};
use crate::commands::sim::SimError;
use crate::console::Console;
use crate::controller::{ControllerError, Report};
use crate::demo::show::{journal_table, step_line, StepJson};
use crate::demo::{site, Stage, SITES};
use crate::error::CliError;
use crate::exit::Exit;
use crate::journal::{Journal, Query};
use crate::render::json::SCHEMA_VERSION;

/// Runs `demo`.
pub fn run(args: &DemoArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let Some(site) = site(&args.site) else {
        let known: Vec<&str> = SITES.iter().map(|s| s.name).collect();
        return Err(SimError::UnknownSite {
            name: args.site.clone(),
            known: known.join(", "),
        }
        .into());
    };
    let human = args.format.value == Format::Human;
    if human {
        let title = format!("accessctl demo: {}, {}\n", site.name, site.day.1);
        console.out.write_all(title.as_bytes())?;
    }
    let mut stage = Stage::set_up(site)?;
    if human {
        for report in &stage.preamble {
            console.out.write_all(online_line(report).as_bytes())?;
        }
    }
    let mut all_expected = true;
    for step in site.steps {
        let played = stage.play(step)?;
        all_expected &= played.as_expected();
        let line = match args.format.value {
            Format::Human => step_line(&played),
            Format::Json => json_line(&StepJson::new(&played)),
        };
        console.out.write_all(line.as_bytes())?;
        console.out.flush()?;
    }
    stage.stop();
    let journal = Journal::open(stage.journal()).map_err(ControllerError::from)?;
    let mut entries = journal
        .query(&Query::default())
        .map_err(ControllerError::from)?;
    // Oldest first; the two controllers race within a minute, so door names break ties.
    entries
        .sort_by(|a, b| (a.event.at, &a.event.door, a.id).cmp(&(b.event.at, &b.event.door, b.id)));
    if let Some(kept) = &args.journal {
        let mut copy = Journal::open(kept).map_err(ControllerError::from)?;
        copy.append(&entries).map_err(ControllerError::from)?;
    }
    match args.format.value {
        Format::Human => {
            let head = format!("\njournal ({} events):\n", entries.len());
            console.out.write_all(head.as_bytes())?;
            console
                .out
                .write_all(journal_table(&entries, stage.zone()).as_bytes())?;
        }
        Format::Json => {
            for entry in &entries {
                console.out.write_all(
                    json_line(&serde_json::json!({ "version": SCHEMA_VERSION, "journal": entry }))
                        .as_bytes(),
                )?;
            }
        }
    }
    Ok(Exit::answer(all_expected))
}

/// `00:00  club_entree  reader online (address 1, secure channel)`.
fn online_line(report: &Report) -> String {
    match report {
        Report::ReaderOnline {
            door,
            address,
            secure,
            ..
        } => {
            let channel = if *secure { "secure channel" } else { "clear" };
            format!("00:00  {door:<12} online (address {address}, {channel})\n")
        }
        other => crate::render::report::human_line(other),
    }
}

/// `value` on one line.
fn json_line(value: &impl serde::Serialize) -> String {
    let mut line = serde_json::to_string(value).unwrap_or_default();
    line.push('\n');
    line
}
