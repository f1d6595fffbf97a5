//! The secure channel key given to a simulated device: `--scbk HEX`, `--scbk-file
//! FILE` or the environment variable `ACCESSCTL_SCBK`.
//!
//! Owns where the key comes from and the rule that a key file may be read by nobody but
//! its owner (the key store's rule: on Unix, a mode with any of the bits `0o077` is
//! refused, checked on the file opened). A command line is visible to every user of
//! the machine (`ps`, `/proc/PID/cmdline`); a private file and the environment (only
//! the process's owner can read `/proc/PID/environ`) are not. It must never print, log
//! or echo a key, nor the text of a file or variable meant to hold one.

use std::ffi::OsStr;
use std::fs;
use std::io::{self, Read};
use std::path::Path;

use accessctl_devices::osdp::secure::Scbk;
use thiserror::Error;

use crate::args::parse_scbk;
use crate::load::display;

/// The environment variable that stands for `--scbk`.
pub const SCBK_VARIABLE: &str = "ACCESSCTL_SCBK";

/// Permission bits that let other users at a key file (group and others).
const EXPOSING_BITS: u32 = 0o077;

/// The largest key file read, in bytes: a key and some white space.
const MAX_KEY_FILE_BYTES: u64 = 1024;

/// Why the key given cannot be used.
#[derive(Debug, Error)]
pub enum ChannelKeyError {
    /// The file cannot be opened or read.
    #[error("cannot read the key file `{path}`: {source}")]
    Unreadable {
        /// The file.
        path: String,
        /// What the system said.
        source: io::Error,
    },
    /// Other users may read the file.
    #[error("the key file `{path}` can be read by other users (mode {mode:04o}); refused")]
    Exposed {
        /// The file.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
    /// The file holds something else than a key.
    #[error("`{path}` does not hold a secure channel key (32 hexadecimal digits)")]
    Malformed {
        /// The file.
        path: String,
    },
    /// The environment variable holds something else than a key.
    #[error("{SCBK_VARIABLE} does not hold a secure channel key (32 hexadecimal digits)")]
    Environment,
}

impl ChannelKeyError {
    /// The stable `kind` of the error in JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            ChannelKeyError::Unreadable { .. } => "unreadable",
            ChannelKeyError::Exposed { .. } => "key_file_exposed",
            ChannelKeyError::Malformed { .. } | ChannelKeyError::Environment => "invalid_key",
        }
    }

    /// How to fix it.
    pub fn help(&self) -> Option<String> {
        match self {
            ChannelKeyError::Exposed { path, .. } => Some(format!(
                "run `chmod 600 {path}` so that only its owner can read it"
            )),
            ChannelKeyError::Malformed { .. } => {
                Some("write the key alone in the file, as 32 hexadecimal digits".into())
            }
            ChannelKeyError::Environment => Some(format!(
                "set {SCBK_VARIABLE} to 32 hexadecimal digits, or unset it"
            )),
            ChannelKeyError::Unreadable { .. } => None,
        }
    }
}

/// The key given: `--scbk`, else the one in `--scbk-file`, else `ACCESSCTL_SCBK` when
/// it is set and not empty; `None` when none is.
pub fn given(
    argument: Option<&Scbk>,
    file: Option<&Path>,
) -> Result<Option<Scbk>, ChannelKeyError> {
    choose(argument, file, std::env::var_os(SCBK_VARIABLE).as_deref())
}

/// [`given`], with the environment variable's value passed in.
fn choose(
    argument: Option<&Scbk>,
    file: Option<&Path>,
    variable: Option<&OsStr>,
) -> Result<Option<Scbk>, ChannelKeyError> {
    if let Some(key) = argument {
        return Ok(Some(key.clone()));
    }
    if let Some(path) = file {
        return read_key_file(path).map(Some);
    }
    match variable {
        Some(value) if !value.is_empty() => {
            let text = value.to_str().ok_or(ChannelKeyError::Environment)?;
            parse_scbk(text.trim())
                .map(Some)
                .map_err(|_| ChannelKeyError::Environment)
        }
        _ => Ok(None),
    }
}

/// The key in `path`, which only its owner may read: 32 hexadecimal digits, white
/// space around them ignored.
fn read_key_file(path: &Path) -> Result<Scbk, ChannelKeyError> {
    let unreadable = |source| ChannelKeyError::Unreadable {
        path: display(path),
        source,
    };
    let malformed = || ChannelKeyError::Malformed {
        path: display(path),
    };
    let file = fs::File::open(path).map_err(unreadable)?;
    // The handle's metadata, so that the file checked is the file read.
    let metadata = file.metadata().map_err(unreadable)?;
    check_private(path, &metadata)?;
    let mut bytes = Vec::new();
    file.take(MAX_KEY_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(malformed());
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| malformed())?;
    parse_scbk(text.trim()).map_err(|_| malformed())
}

/// Refuses a key file that users other than its owner may read or write.
#[cfg(unix)]
fn check_private(path: &Path, metadata: &fs::Metadata) -> Result<(), ChannelKeyError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & EXPOSING_BITS != 0 {
        return Err(ChannelKeyError::Exposed {
            path: display(path),
            mode,
        });
    }
    Ok(())
}

/// Systems without Unix permissions protect files otherwise.
#[cfg(not(unix))]
fn check_private(_path: &Path, _metadata: &fs::Metadata) -> Result<(), ChannelKeyError> {
    let _ = EXPOSING_BITS;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "00112233445566778899aabbccddeeff";

    fn key() -> Scbk {
        parse_scbk(HEX).unwrap()
    }

    #[cfg(unix)]
    fn key_file(dir: &Path, text: &str, mode: u32) -> std::path::PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("reader.scbk");
        fs::write(&path, text).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    #[test]
    fn the_argument_comes_first_then_the_file_then_the_environment() {
        let other = parse_scbk(&"ab".repeat(16)).unwrap();
        let variable = Some(OsStr::new(HEX));
        let chosen = choose(Some(&other), None, variable).unwrap();
        assert!(chosen == Some(other));
        assert!(choose(None, None, variable).unwrap() == Some(key()));
        assert!(choose(None, None, Some(OsStr::new(""))).unwrap().is_none());
        assert!(choose(None, None, None).unwrap().is_none());
        let wrong = choose(None, None, Some(OsStr::new("0011"))).unwrap_err();
        assert!(matches!(wrong, ChannelKeyError::Environment));
        assert!(!wrong.to_string().contains("0011"));
    }

    #[cfg(unix)]
    #[test]
    fn a_private_file_is_read_and_an_exposed_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = key_file(dir.path(), &format!("  {HEX}\n"), 0o600);
        assert!(choose(None, Some(&path), None).unwrap() == Some(key()));
        let path = key_file(dir.path(), HEX, 0o640);
        let exposed = choose(None, Some(&path), None).unwrap_err();
        assert!(matches!(
            exposed,
            ChannelKeyError::Exposed { mode: 0o640, .. }
        ));
        assert_eq!(exposed.kind(), "key_file_exposed");
        assert!(exposed.help().unwrap().contains("chmod 600"));
    }

    #[cfg(unix)]
    #[test]
    fn a_file_holding_something_else_is_refused_without_showing_it() {
        let dir = tempfile::tempdir().unwrap();
        for text in [
            format!("{HEX}{HEX}"),
            "x".repeat(2000),
            format!("key = {HEX}"),
        ] {
            let path = key_file(dir.path(), &text, 0o600);
            let error = choose(None, Some(&path), None).unwrap_err();
            assert!(
                matches!(error, ChannelKeyError::Malformed { .. }),
                "{error}"
            );
            assert!(!error.to_string().contains(HEX));
            assert!(!format!("{error:?}").contains(HEX));
        }
        let missing = choose(None, Some(&dir.path().join("none")), None).unwrap_err();
        assert_eq!(missing.kind(), "unreadable");
    }
}
