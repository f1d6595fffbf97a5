//! `accessctl review [--as ADMIN [--from IP]] [--fail-on-widening] [--max-affected N]
//! OLD NEW`: the delegated review for CI.
//!
//! Owns the findings of a review and how they are shown: each side read as `diff`
//! reads it (a path or `git:REV:PATH`, a side with errors refused with its
//! diagnostics), every change checked by the core's `authorize` against ADMIN's
//! powers (the address from `--from`, else the first word of `SSH_CLIENT`), and, with
//! `--fail-on-widening` or `--max-affected`, the core's semantic diff judged; each
//! finding at its `file:line:col` in NEW with its rule, in human, JSON or GitHub
//! annotations. Exit 0 when nothing is found, 1 when anything is, 2 when a side
//! cannot be read or is invalid. It must never judge a change itself: the core does.

use std::net::IpAddr;

use accessctl_core::authorize::{self, Actor};
use accessctl_core::diff;
use accessctl_core::Span;
use serde::Serialize;

use crate::args::{OutputFormat, ReviewArgs};
use crate::census::plural;
use crate::commands::diff::Side;
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
use crate::render::json::{self, SCHEMA_VERSION};
use crate::render::{github, human, Location};

/// Runs `review`.
pub fn run(args: &ReviewArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let old = Side::read(&args.old)?;
    let new = Side::read(&args.new)?;
    let from = args.from.or_else(ssh_client);
    let mut findings: Vec<Finding> = Vec::new();
    if let Some(admin) = &args.actor {
        let actor = Actor {
            admin: admin.as_str(),
            from,
        };
        findings.extend(
            authorize::authorize(&old.checked, &new.checked, &actor)
                .into_iter()
                .map(|v| Finding {
                    rule: v.rule.as_str(),
                    user: v.user,
                    message: v.message,
                    span: v.span,
                }),
        );
    }
    let mut affected = None;
    let mut widens = None;
    if args.fail_on_widening || args.max_affected.is_some() {
        let changes = diff::diff(&old.checked, &new.checked);
        affected = Some(changes.affected_users());
        widens = Some(changes.widens());
        if args.fail_on_widening {
            findings.extend(widenings(&changes));
        }
        if let Some(max) = args.max_affected {
            let touched = changes.affected_users();
            if touched > max {
                findings.push(Finding {
                    rule: "affected",
                    user: String::new(),
                    message: format!(
                        "this change touches {}, more than the {max} allowed",
                        plural(touched, "user")
                    ),
                    span: None,
                });
            }
        }
    }
    let review = Review {
        args,
        from,
        old: &old,
        new: &new,
        findings,
        affected,
        widens,
    };
    match OutputFormat::from(args.format.value) {
        OutputFormat::Human => console.out.write_all(&review.human(console.color))?,
        OutputFormat::Json => console.out.write_all(&json::document(&review.document()))?,
        OutputFormat::Github => console.out.write_all(review.github().as_bytes())?,
    }
    Ok(Exit::answer(review.findings.is_empty()))
}

/// The address in `SSH_CLIENT` (`ADDRESS PORT PORT`), if any.
pub(crate) fn ssh_client() -> Option<IpAddr> {
    let value = std::env::var("SSH_CLIENT").ok()?;
    value.split_whitespace().next()?.parse().ok()
}

/// One finding per door someone gains, at the clause of NEW behind it; one per other
/// change that widens.
fn widenings(changes: &diff::PolicyDiff) -> Vec<Finding> {
    let in_new = |cause: &diff::Cause| {
        cause
            .clauses
            .iter()
            .find(|c| c.version == diff::Version::New)
            .map(|c| c.span)
    };
    let gained = changes.access.iter().filter(|a| a.gained).map(|a| Finding {
        rule: "widening",
        user: a.user.clone(),
        message: format!("`{}` gains door `{}`", a.user, a.door),
        span: in_new(&a.cause),
    });
    let other = changes
        .changes
        .iter()
        .filter(|c| c.widens)
        .map(|c| Finding {
            rule: "widening",
            user: c.name.clone(),
            message: format!("`{}` widens: {} changed", c.name, c.field),
            span: in_new(&c.cause),
        });
    gained.chain(other).collect()
}

/// One thing the review refuses.
struct Finding {
    /// `visibility`, `right`, `ceiling`, `schedule`, `ip`, `widening` or `affected`.
    rule: &'static str,
    user: String,
    message: String,
    span: Option<Span>,
}

struct Review<'a> {
    args: &'a ReviewArgs,
    from: Option<IpAddr>,
    old: &'a Side,
    new: &'a Side,
    findings: Vec<Finding>,
    affected: Option<usize>,
    widens: Option<bool>,
}

impl Review<'_> {
    /// `review OLD → NEW as lea: 2 violations` or `…: no violation`.
    fn summary(&self) -> String {
        let who = match &self.args.actor {
            Some(admin) => format!(" as `{admin}`"),
            None => String::new(),
        };
        let verdict = match self.findings.len() {
            0 => "no violation".to_owned(),
            n => plural(n, "violation"),
        };
        format!(
            "review {} -> {}{who}: {verdict}\n",
            self.old.spec, self.new.spec
        )
    }

    fn human(&self, color: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for f in &self.findings {
            let label = format!("breaks the {} rule", f.rule);
            out.extend(human::finding(
                &self.new.sources,
                f.rule,
                &f.message,
                f.span,
                &label,
                color,
            ));
        }
        out.extend(self.summary().into_bytes());
        out
    }

    fn github(&self) -> String {
        let mut out: String = self
            .findings
            .iter()
            .map(|f| github::finding(&self.new.sources, f.rule, &f.message, f.span))
            .collect();
        out.push_str(&self.summary());
        out
    }

    fn document(&self) -> Document<'_> {
        Document {
            version: SCHEMA_VERSION,
            old: &self.old.spec,
            new: &self.new.spec,
            actor: self.args.actor.as_deref().map(|admin| JsonActor {
                admin,
                from: self.from.map(|f| f.to_string()),
            }),
            ok: self.findings.is_empty(),
            widens: self.widens,
            affected_users: self.affected,
            max_affected: self.args.max_affected,
            violations: self
                .findings
                .iter()
                .map(|f| JsonFinding {
                    rule: f.rule,
                    user: &f.user,
                    message: &f.message,
                    location: f.span.and_then(|s| Location::of(&self.new.sources, s)),
                })
                .collect(),
        }
    }
}

/// The JSON document of `review` (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    old: &'a str,
    new: &'a str,
    actor: Option<JsonActor<'a>>,
    ok: bool,
    widens: Option<bool>,
    affected_users: Option<usize>,
    max_affected: Option<usize>,
    violations: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonActor<'a> {
    admin: &'a str,
    from: Option<String>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    user: &'a str,
    message: &'a str,
    location: Option<Location>,
}
