//! `gen-reference-site [--small] [--seed N]`: prints the generated reference site
//! (BRIEF §7) to standard output, and its size and generation time to standard
//! error. Owns only argument handling; the generator lives in the library.

use accessctl_benches::{reference_site, SiteParams};
use std::io::Write as _;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let params = match parse_args(std::env::args().skip(1)) {
        Ok(params) => params,
        Err(message) => {
            eprintln!("gen-reference-site: {message}");
            eprintln!("usage: gen-reference-site [--small] [--seed N] > site.acl");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let text = reference_site(&params);
    let elapsed = started.elapsed();
    if let Err(error) = std::io::stdout().lock().write_all(text.as_bytes()) {
        eprintln!("gen-reference-site: cannot write the site: {error}");
        return ExitCode::from(2);
    }
    eprintln!(
        "generated {} bytes ({} users, {} doors, {} schedules, {} sub-accounts) in {:.3} s",
        text.len(),
        params.users,
        params.doors,
        params.schedules,
        params.subaccounts,
        elapsed.as_secs_f64()
    );
    ExitCode::SUCCESS
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<SiteParams, String> {
    let mut params = SiteParams::reference();
    let mut args = args.peekable();
    let mut seed = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--small" => params = SiteParams::small(),
            "--seed" => {
                let value = args.next().ok_or("`--seed` needs a number")?;
                seed = Some(value.parse().map_err(|_| format!("`{value}` is no seed"))?);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if let Some(seed) = seed {
        params.seed = seed;
    }
    Ok(params)
}
