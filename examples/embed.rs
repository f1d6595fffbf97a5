//! Embedding accessctl-core in a program: load a policy, compile it, decide, explain.
//!
//! ```sh
//! cargo run -p accessctl-core --example embed                       # Ana at the main door, Monday 09:00
//! cargo run -p accessctl-core --example embed -- examples/coworking ana bureau_r2 2026-11-23T09:00
//! ```
//!
//! Arguments: a policy directory (or `.acl` file), a user, a door, and an instant
//! (`YYYY-MM-DDTHH:MM`, local time of the door's site, or with an offset). The core
//! reads no file and no clock: this program reads the files and passes their text in.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use accessctl_core::decide::{Request, Subject};
use accessctl_core::time::WrittenTimestamp;
use accessctl_core::{check, CompiledPolicy, Sources};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let policy = args
        .next()
        .unwrap_or_else(|| "examples/coworking".to_owned());
    let user = args.next().unwrap_or_else(|| "ana".to_owned());
    let door = args.next().unwrap_or_else(|| "entree".to_owned());
    let at = args.next().unwrap_or_else(|| "2026-11-23T09:00".to_owned());
    match run(Path::new(&policy), &user, &door, &at) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Decides whether `user` may open `door` at `at` and prints why; `Ok(allowed)`.
fn run(path: &Path, user: &str, door: &str, at: &str) -> Result<bool, String> {
    // 1. Load: the caller reads the files; the core only sees their text.
    let sources = load(path)?;

    // 2. Check: parse and validate every file together.
    let checked = check(&sources);
    for diagnostic in &checked.diagnostics {
        let span = diagnostic.primary.span;
        let file = sources.get(span.file);
        let (line, col) = file.line_col(span.range().start);
        let file = file.name();
        eprintln!(
            "{file}:{line}:{col}: {}: {}",
            diagnostic.code, diagnostic.message
        );
    }
    let policy = checked.policy.ok_or("the policy has errors")?;

    // 3. Compile once; the index is immutable and may be shared between threads.
    let compiled = CompiledPolicy::new(&policy);

    // 4. Ask.
    let user_id = policy.user_named(user).ok_or(format!("no user `{user}`"))?;
    let door_id = policy.door_named(door).ok_or(format!("no door `{door}`"))?;
    let site = policy
        .doors
        .get(door_id.index())
        .and_then(|d| policy.sites.get(d.site.index()))
        .ok_or("the door has no site")?;
    let instant = WrittenTimestamp::parse(at)
        .and_then(|written| written.resolve(site.timezone))
        .map_err(|e| e.to_string())?;
    let decision = compiled.decide(&Request {
        subject: Subject::User(user_id),
        door: door_id,
        at: instant,
        offline: false,
    });

    // 5. Explain, with the policy's names.
    let verdict = if decision.allowed() {
        "allowed"
    } else {
        "denied"
    };
    println!(
        "{user} at {door}, {at} ({}): {verdict}: {} ({})",
        site.timezone,
        decision.reason.summary(),
        decision.reason.code()
    );
    for step in decision.explain(&policy) {
        println!("  {step}");
    }
    Ok(decision.allowed())
}

/// The `.acl` files of `path` (a file, or a directory read recursively in name order).
fn load(path: &Path) -> Result<Sources, String> {
    let mut files = Vec::new();
    collect(path, &mut files).map_err(|e| format!("{}: {e}", path.display()))?;
    files.sort();
    let mut sources = Sources::new();
    for file in files {
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        sources.add(file.display().to_string(), text);
    }
    Ok(sources)
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_file() {
        files.push(path.to_owned());
        return Ok(());
    }
    for entry in std::fs::read_dir(path)? {
        let entry = entry?.path();
        if entry.is_dir() {
            collect(&entry, files)?;
        } else if entry.extension().is_some_and(|e| e == "acl") {
            files.push(entry);
        }
    }
    Ok(())
}
