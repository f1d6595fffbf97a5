//! The simulated lock's persistent memory: what its keypad must not forget when the
//! lock restarts.
//!
//! Owns the file behind `sim lock --state`: a JSON document holding the keypad's
//! wrong entries and lockout and the one-time offline codes already used
//! ([`KeypadMemory`]), read once at start and written atomically (mode 0600) after
//! every keypad entry the lock decides alone. A missing file is a lock that has seen
//! nothing; an unreadable or malformed one stops the lock rather than let it forget
//! its strikes. It holds no secret: no key, no PIN, no code's digits.

use std::io;
use std::path::{Path, PathBuf};

use accessctl_core::offline::KeypadMemory;
use thiserror::Error;

use crate::atomic::{self, EditError, Existing};
use crate::load::display;

/// The format version written in the file.
const VERSION: u32 = 1;

/// Why the lock's memory cannot be read or kept.
#[derive(Debug, Error)]
pub enum MemoryError {
    /// The file exists but cannot be read.
    #[error("cannot read the lock's memory `{path}`: {source}")]
    Read {
        /// The file.
        path: String,
        /// What failed.
        source: io::Error,
    },
    /// The file is not a lock memory this version writes.
    #[error("`{path}` is not a lock memory: {problem}")]
    Malformed {
        /// The file.
        path: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The file could not be written.
    #[error(transparent)]
    Write(#[from] EditError),
}

/// The document as written.
#[derive(serde::Serialize, serde::Deserialize)]
struct Document {
    version: u32,
    keypad: KeypadMemory,
}

/// Where the memory of the lock whose image is `image` is kept unless told.
pub fn default_path(image: &Path) -> PathBuf {
    let mut name = image.as_os_str().to_owned();
    name.push(".state");
    PathBuf::from(name)
}

/// Reads the memory at `path`; a missing file is a fresh memory.
pub fn load(path: &Path) -> Result<KeypadMemory, MemoryError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(KeypadMemory::default()),
        Err(source) => {
            return Err(MemoryError::Read {
                path: display(path),
                source,
            })
        }
    };
    let malformed = |problem: String| MemoryError::Malformed {
        path: display(path),
        problem,
    };
    let document: Document = serde_json::from_str(&text).map_err(|e| malformed(e.to_string()))?;
    if document.version != VERSION {
        return Err(malformed(format!(
            "version {} is not {VERSION}",
            document.version
        )));
    }
    Ok(document.keypad)
}

/// Keeps `memory` at `path`, atomically.
pub fn save(path: &Path, memory: &KeypadMemory) -> Result<(), MemoryError> {
    let document = Document {
        version: VERSION,
        keypad: memory.clone(),
    };
    let text = serde_json::to_string_pretty(&document).unwrap_or_default();
    atomic::write(path, text.as_bytes(), 0o600, Existing::Replace)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use accessctl_core::lockout::Lockout;
    use accessctl_core::Timestamp;

    #[test]
    fn a_memory_survives_its_file_and_a_bad_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bikes.img.state");
        assert_eq!(load(&path).unwrap(), KeypadMemory::default());
        let mut lockout = Lockout::default();
        lockout.strike(Timestamp(1_000));
        let memory = KeypadMemory {
            lockout,
            ..KeypadMemory::default()
        };
        save(&path, &memory).unwrap();
        assert_eq!(load(&path).unwrap(), memory);
        std::fs::write(&path, "{\"version\": 1").unwrap();
        let error = load(&path).unwrap_err().to_string();
        assert!(error.contains("is not a lock memory"), "{error}");
        assert_eq!(
            default_path(Path::new("a/bikes.img")),
            PathBuf::from("a/bikes.img.state")
        );
    }
}
