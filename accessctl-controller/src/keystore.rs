//! The key store: the secrets file (TOML) holding each site's key and, where a lock
//! has one of its own, that lock's key. Policy files only name it.
//!
//! ```toml
//! # accessctl key store: secret keys. Keep it private (chmod 600), out of version control.
//! version = 1
//!
//! [sites.hq]
//! key = "…64 hexadecimal digits…"
//!
//! [locks.store]
//! key = "…64 hexadecimal digits…"
//! ```
//!
//! Owns the file's format (documented in `docs/cli.md`), the rule that nobody but its
//! owner may read it (on Unix, a mode with any of the bits `0o077` is refused with the
//! fix), reading it, writing it atomically (created with mode 0600 from the start), and
//! drawing new keys from the operating system's random source. It must never print,
//! log or serialize a key anywhere but into the store file itself, and never echo the
//! file's text in an error: a TOML error shows only its line, column and message, with
//! anything that looks like key material redacted.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read};
use std::path::Path;

use accessctl_core::secret::{Key, KEY_LEN};
use serde::{Deserialize, Deserializer, Serialize};
use thiserror::Error;

use crate::atomic::{self, EditError, Existing};
use crate::load::display;

/// The format version this build reads and writes.
pub const STORE_VERSION: i64 = 1;

/// The Unix permissions of a key store: read and write for its owner only.
pub const STORE_MODE: u32 = 0o600;

/// Permission bits that let other users at a key store (group and others).
const EXPOSING_BITS: u32 = 0o077;

/// The largest key store read, in bytes (a store of 10,000 locks is about 1 MB).
const MAX_STORE_BYTES: u64 = 16 << 20;

/// The first line of every store written.
const HEADER: &str = "# accessctl key store: secret keys. Keep it private (chmod 600), \
                      out of version control.\n";

/// Why a key store cannot be used.
#[derive(Debug, Error)]
pub enum KeystoreError {
    /// The file cannot be opened or read.
    #[error("cannot read the key store `{path}`: {source}")]
    Unreadable {
        /// The file.
        path: String,
        /// What the system said.
        source: io::Error,
    },
    /// Other users may read the file.
    #[error("the key store `{path}` can be read by other users (mode {mode:04o}); refused")]
    Exposed {
        /// The file.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
    /// The file is not a key store of this format.
    #[error("the key store `{path}` is malformed at line {line}, column {column}: {message}")]
    Malformed {
        /// The file.
        path: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// What is wrong (never key material).
        message: String,
    },
    /// The file has a version this build does not read.
    #[error(
        "the key store `{path}` has version {found}; this build reads version {STORE_VERSION}"
    )]
    Version {
        /// The file.
        path: String,
        /// The version found.
        found: i64,
    },
    /// The file exists and was not to be replaced.
    #[error("the key store `{path}` already exists")]
    Exists {
        /// The file.
        path: String,
    },
    /// The store holds no key for a site.
    #[error("the key store `{path}` has no key for site `{site}`")]
    NoSiteKey {
        /// The file.
        path: String,
        /// The site.
        site: String,
    },
    /// The operating system's random source failed.
    #[error("cannot draw a new key from the system's random source: {0}")]
    Entropy(io::Error),
    /// The file could not be written.
    #[error(transparent)]
    Write(EditError),
}

impl KeystoreError {
    /// How to fix it, when known.
    pub fn help(&self) -> Option<String> {
        match self {
            KeystoreError::Exposed { path, .. } => Some(format!(
                "run `chmod 600 {path}` so that only its owner can read it"
            )),
            KeystoreError::Unreadable { source, .. }
                if source.kind() == io::ErrorKind::NotFound =>
            {
                Some("create it with `accessctl keys init --policy POLICY`".into())
            }
            KeystoreError::Exists { .. } => Some(
                "pass --force to replace it: every lock image, offline code and card key \
                 made with its keys then stops working"
                    .into(),
            ),
            KeystoreError::NoSiteKey { site, .. } => Some(format!(
                "add a `[sites.{site}]` table with a key, or start a new store with \
                 `accessctl keys init --force`"
            )),
            _ => None,
        }
    }
}

/// The keys of one store. `Debug` shows names only: [`Key`]'s own `Debug` is redacted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyStore {
    /// Site name → site key.
    sites: BTreeMap<String, Key>,
    /// Door name → the key of that door's lock, replacing the site key for it.
    locks: BTreeMap<String, Key>,
}

impl KeyStore {
    /// An empty store.
    pub fn new() -> KeyStore {
        KeyStore::default()
    }

    /// Reads the store at `path`, refusing it when other users may read it.
    pub fn open(path: &Path) -> Result<KeyStore, KeystoreError> {
        let unreadable = |source| KeystoreError::Unreadable {
            path: display(path),
            source,
        };
        let file = fs::File::open(path).map_err(unreadable)?;
        // The handle's metadata, so that the file checked is the file read.
        let metadata = file.metadata().map_err(unreadable)?;
        check_private(path, &metadata)?;
        let mut bytes = Vec::new();
        file.take(MAX_STORE_BYTES)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes());
            malformed(path, &text, at, "the file is not UTF-8 text")
        })?;
        KeyStore::parse(path, &text)
    }

    /// Reads a store's text; `path` only names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<KeyStore, KeystoreError> {
        let header: Header = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        if header.version != Some(STORE_VERSION) {
            return match header.version {
                Some(found) => Err(KeystoreError::Version {
                    path: display(path),
                    found,
                }),
                None => Err(malformed(path, text, 0, "missing `version = 1`")),
            };
        }
        let file: StoreFile = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        Ok(KeyStore {
            sites: file.sites.into_iter().map(|(n, e)| (n, e.key)).collect(),
            locks: file.locks.into_iter().map(|(n, e)| (n, e.key)).collect(),
        })
    }

    /// Sets the key of site `site`.
    pub fn set_site_key(&mut self, site: &str, key: Key) {
        self.sites.insert(site.to_owned(), key);
    }

    /// The key of site `site`, if the store has one.
    pub fn site_key(&self, site: &str) -> Option<&Key> {
        self.sites.get(site)
    }

    /// The key of the lock at door `door`, if the store gives it its own.
    pub fn lock_key(&self, door: &str) -> Option<&Key> {
        self.locks.get(door)
    }

    /// The sites with a key, in name order.
    pub fn sites(&self) -> impl Iterator<Item = &str> {
        self.sites.keys().map(String::as_str)
    }

    /// How many locks have a key of their own.
    pub fn lock_count(&self) -> usize {
        self.locks.len()
    }

    /// The store's text, keys included: only for writing the store file.
    pub fn to_toml(&self) -> String {
        let file = StoreText {
            version: STORE_VERSION,
            sites: hex_entries(&self.sites),
            locks: hex_entries(&self.locks),
        };
        // Serializing maps of strings cannot fail; an empty body would be refused when
        // read back, never taken for a store without keys.
        let body = toml::to_string(&file).unwrap_or_default();
        format!("{HEADER}{body}")
    }

    /// Writes the store at `path`, atomically, with mode 0600.
    pub fn save(&self, path: &Path, existing: Existing) -> Result<(), KeystoreError> {
        atomic::write(path, self.to_toml().as_bytes(), STORE_MODE, existing).map_err(|e| match e {
            EditError::Exists { .. } => KeystoreError::Exists {
                path: display(path),
            },
            other => KeystoreError::Write(other),
        })
    }
}

/// Refuses a store that users other than its owner may read or write.
#[cfg(unix)]
fn check_private(path: &Path, metadata: &fs::Metadata) -> Result<(), KeystoreError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & EXPOSING_BITS != 0 {
        return Err(KeystoreError::Exposed {
            path: display(path),
            mode,
        });
    }
    Ok(())
}

/// Systems without Unix permissions protect files otherwise.
#[cfg(not(unix))]
fn check_private(_path: &Path, _metadata: &fs::Metadata) -> Result<(), KeystoreError> {
    let _ = EXPOSING_BITS;
    Ok(())
}

/// A fresh key from the operating system's random source.
pub fn fresh_key() -> Result<Key, KeystoreError> {
    let mut entropy = [0u8; KEY_LEN];
    fs::File::open("/dev/urandom")
        .and_then(|mut source| source.read_exact(&mut entropy))
        .map_err(KeystoreError::Entropy)?;
    Ok(Key::from_entropy(entropy))
}

/// The version line alone, read first so that a newer store is named as such rather
/// than as malformed.
#[derive(Deserialize)]
struct Header {
    version: Option<i64>,
}

/// The store file, as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoreFile {
    #[allow(dead_code)]
    version: i64,
    #[serde(default)]
    sites: BTreeMap<String, StoredKey>,
    #[serde(default)]
    locks: BTreeMap<String, StoredKey>,
}

/// One `[sites.NAME]` or `[locks.DOOR]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredKey {
    #[serde(deserialize_with = "hex_key")]
    key: Key,
}

/// The store file, as written.
#[derive(Serialize)]
struct StoreText<'a> {
    version: i64,
    sites: BTreeMap<&'a str, KeyText>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    locks: BTreeMap<&'a str, KeyText>,
}

/// One table, as written.
#[derive(Serialize)]
struct KeyText {
    key: String,
}

fn hex_entries(keys: &BTreeMap<String, Key>) -> BTreeMap<&str, KeyText> {
    keys.iter()
        .map(|(name, key)| {
            let text = KeyText {
                key: key.expose_hex(),
            };
            (name.as_str(), text)
        })
        .collect()
}

/// Reads 64 hexadecimal digits as a key; the error names what is wrong, never the
/// digits.
fn hex_key<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Key, D::Error> {
    let text = String::deserialize(deserializer)?;
    Key::from_hex(&text).map_err(serde::de::Error::custom)
}

fn toml_error(path: &Path, text: &str, error: &toml::de::Error) -> KeystoreError {
    let at = error.span().map_or(0, |span| span.start);
    malformed(path, text, at, &redact(error.message()))
}

fn malformed(path: &Path, text: &str, offset: usize, message: &str) -> KeystoreError {
    let (line, column) = line_col(text, offset);
    KeystoreError::Malformed {
        path: display(path),
        line,
        column,
        message: message.to_owned(),
    }
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// `message` with every run of 16 or more hexadecimal digits replaced by
/// `<redacted>`: a parser's message may quote a value, and a value here may be a key.
fn redact(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut run = String::new();
    for c in message.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_hexdigit() {
            run.push(c);
            continue;
        }
        if run.len() >= 16 {
            out.push_str("<redacted>");
        } else {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> Key {
        Key::from_entropy([byte; KEY_LEN])
    }

    #[test]
    fn a_store_round_trips_through_its_text() {
        let mut store = KeyStore::new();
        store.set_site_key("hq", key(1));
        store.set_site_key("annexe", key(2));
        let text = store.to_toml();
        assert!(text.starts_with("# accessctl key store"));
        assert!(text.contains("version = 1"));
        assert!(text.contains("[sites.hq]"));
        assert!(!text.contains("[locks]"));
        let read = KeyStore::parse(Path::new("s.keys"), &text).unwrap();
        assert_eq!(read, store);
        assert_eq!(read.sites().collect::<Vec<_>>(), ["annexe", "hq"]);
    }

    #[test]
    fn lock_keys_are_read_beside_site_keys() {
        let hex = key(3).expose_hex();
        let text =
            format!("version = 1\n[sites.hq]\nkey = \"{hex}\"\n[locks.store]\nkey = \"{hex}\"\n");
        let store = KeyStore::parse(Path::new("s.keys"), &text).unwrap();
        assert_eq!(store.lock_key("store"), Some(&key(3)));
        assert_eq!(store.lock_key("main"), None);
        assert_eq!(store.lock_count(), 1);
    }

    #[test]
    fn errors_name_the_place_and_never_the_key() {
        let hex = key(4).expose_hex();
        let bad = [
            format!("version = 1\n[sites.hq]\nkey = \"{}\"\n", &hex[..62]),
            format!("version = 1\n[sites.hq]\nkey = \"{hex}\"\nkye = \"{hex}\"\n"),
            format!("version = 1\n[sites.hq]\nkey = {{ k = \"{hex}\" }}\n"),
            format!("version = 1\n[sites]\nhq = \"{hex}\"\n"),
            format!("[sites.hq]\nkey = \"{hex}\"\n"),
            format!("version = 1\n[sites.hq]\nkey = \"{hex}\n"),
        ];
        for text in bad {
            let err = KeyStore::parse(Path::new("s.keys"), &text).unwrap_err();
            let shown = err.to_string();
            assert!(matches!(err, KeystoreError::Malformed { .. }), "{shown}");
            assert!(!shown.contains(&hex[..16]), "{shown}");
            assert!(shown.contains("s.keys"), "{shown}");
        }
        let err = KeyStore::parse(Path::new("s.keys"), "version = 2\n").unwrap_err();
        assert!(
            matches!(err, KeystoreError::Version { found: 2, .. }),
            "{err}"
        );
    }

    #[test]
    fn malformed_keys_are_placed_on_their_line() {
        let text = "version = 1\n\n[sites.hq]\nkey = \"00\"\n";
        match KeyStore::parse(Path::new("s.keys"), text) {
            Err(KeystoreError::Malformed { line, message, .. }) => {
                assert_eq!(line, 4);
                assert!(message.contains("32 bytes"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn long_hexadecimal_runs_are_redacted() {
        assert_eq!(
            redact("found `0123456789abcdef0123` here, 2026"),
            "found `<redacted>` here, 2026"
        );
        assert_eq!(redact("line 12"), "line 12");
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }

    #[cfg(unix)]
    #[test]
    fn a_store_is_written_private_and_refused_when_exposed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.keys");
        let mut store = KeyStore::new();
        store.set_site_key("hq", fresh_key().unwrap());
        store.save(&path, Existing::Refuse).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(KeyStore::open(&path).unwrap(), store);
        let again = store.save(&path, Existing::Refuse).unwrap_err();
        assert!(matches!(again, KeystoreError::Exists { .. }), "{again}");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        let err = KeyStore::open(&path).unwrap_err();
        assert!(
            matches!(err, KeystoreError::Exposed { mode: 0o640, .. }),
            "{err}"
        );
        assert!(err.help().unwrap().contains("chmod 600"));
    }

    #[test]
    fn fresh_keys_differ() {
        assert_ne!(fresh_key().unwrap(), fresh_key().unwrap());
    }
}
