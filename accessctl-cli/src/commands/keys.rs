//! `accessctl keys init --policy P [--keystore FILE] [--force]`: create the key store
//! of a policy, with a fresh key for every site.
//!
//! Owns deciding which store files to write (one per distinct `keystore` the sites
//! name, or the one `--keystore` gives), refusing to replace an existing store without
//! `--force` (exit 2, nothing written), and telling what was created. Keys come from
//! the operating system's random source; lock keys are derived from site keys by the
//! core, so a new store holds site keys only. It must never print a key, nor write a
//! store readable by other users.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::args::{Format, KeysArgs, KeysCommand, KeysInitArgs};
use crate::atomic::Existing;
use crate::census::plural;
use crate::console::Console;
use crate::error::CliError;
use crate::exit::Exit;
use crate::keystore::{fresh_key, KeyStore, KeystoreError};
use crate::load::display;
use crate::offline::OfflinePolicy;
use crate::render::json::{self, SCHEMA_VERSION};

/// Runs `keys`.
pub fn run(args: &KeysArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    match &args.command {
        KeysCommand::Init(args) => init(args, console),
    }
}

/// Runs `keys init`.
fn init(args: &KeysInitArgs, console: &mut Console<'_>) -> Result<Exit, CliError> {
    let loaded = OfflinePolicy::load(&args.policy.path, args.store.keystore.as_deref())?;
    let plan = loaded.sites_by_store()?;
    if !args.force {
        refuse_existing(plan.keys())?;
    }
    let existing = if args.force {
        Existing::Replace
    } else {
        Existing::Refuse
    };
    let mut created = Vec::new();
    for (path, sites) in &plan {
        created.push(create(path, sites, existing)?);
    }
    let answer = Answer {
        version: SCHEMA_VERSION,
        sites: created.iter().map(|s| s.sites.len()).sum(),
        stores: created,
    };
    match args.format.value {
        Format::Human => console.out.write_all(answer.human().as_bytes())?,
        Format::Json => console.out.write_all(&json::document(&answer))?,
    }
    Ok(Exit::Success)
}

/// Fails on the first store that already exists, before anything is written.
fn refuse_existing<'a>(paths: impl Iterator<Item = &'a PathBuf>) -> Result<(), KeystoreError> {
    for path in paths {
        if path.symlink_metadata().is_ok() {
            return Err(KeystoreError::Exists {
                path: display(path),
            });
        }
    }
    Ok(())
}

/// Writes one store with a fresh key for each of `sites`.
fn create(path: &Path, sites: &[String], existing: Existing) -> Result<StoreView, CliError> {
    let replaced = path.symlink_metadata().is_ok();
    let mut store = KeyStore::new();
    for site in sites {
        store.set_site_key(site, fresh_key()?);
    }
    store.save(path, existing)?;
    Ok(StoreView {
        path: display(path),
        sites: sites.to_vec(),
        locks: store.lock_count(),
        replaced,
    })
}

/// What `keys init` did (schema in `docs/cli.md`).
#[derive(Serialize)]
struct Answer {
    version: u32,
    stores: Vec<StoreView>,
    sites: usize,
}

/// One store written: its path and the names of its keys, never the keys.
#[derive(Serialize)]
struct StoreView {
    path: String,
    sites: Vec<String>,
    locks: usize,
    replaced: bool,
}

impl Answer {
    fn human(&self) -> String {
        let mut out = String::new();
        for store in &self.stores {
            let verb = if store.replaced {
                "replaced"
            } else {
                "created"
            };
            out += &format!(
                "{verb} {} (mode 0600): {} ({})\n",
                store.path,
                plural(store.sites.len(), "site key"),
                store.sites.join(", ")
            );
        }
        out += &format!(
            "{} in {}; keys are never printed: keep the files private and out of version control\n",
            plural(self.sites, "site key"),
            plural(self.stores.len(), "key store")
        );
        out
    }
}
