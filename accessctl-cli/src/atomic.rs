//! Atomic file edits: a file is either left as it was or replaced whole.
//!
//! Owns the one way the tool writes a file: write the new text to a temporary file in
//! the same directory, flush it to disk, give it the old file's permissions, and
//! rename it over the old one (a rename within a directory is atomic). A reader sees
//! the old text or the new one, never a half-written file. The edit is refused when
//! the file changed since it was read or is locked (someone else is editing it), or is
//! read-only; the check and the rename happen under an exclusive lock on the file.
//! A symbolic link is followed: its target is replaced, the link stays. This module
//! must never write a file in place, nor leave a temporary file behind on failure.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::load::display;

/// Why a file was not replaced; it is left as it was.
#[derive(Debug, Error)]
pub enum EditError {
    /// The file, its directory or the temporary file could not be read or written.
    #[error("cannot write `{path}`: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        source: io::Error,
    },
    /// The file's text is not what it was when read.
    #[error("`{path}` changed while it was being formatted; left as it is")]
    Changed {
        /// The file.
        path: String,
    },
    /// Another process holds the file's lock.
    #[error("`{path}` is being edited by another process; left as it is")]
    Locked {
        /// The file.
        path: String,
    },
    /// The file is read-only.
    #[error("`{path}` is read-only; left as it is")]
    ReadOnly {
        /// The file.
        path: String,
    },
    /// The file exists and was not to be replaced.
    #[error("`{path}` already exists; left as it is")]
    Exists {
        /// The file.
        path: String,
    },
}

/// What [`write()`] does when the file already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Leave it as it is and fail with [`EditError::Exists`] (checked by the rename
    /// itself, so a file created meanwhile is never overwritten).
    Refuse,
    /// Replace it whole, under its lock.
    Replace,
}

/// Replaces the text of `path`, which must still be `expected`, by `contents`.
pub fn replace(path: &Path, expected: &str, contents: &str) -> Result<(), EditError> {
    let io_error = |source| EditError::Io {
        path: display(path),
        source,
    };
    let target = fs::canonicalize(path).map_err(io_error)?;
    let permissions = fs::metadata(&target).map_err(io_error)?.permissions();
    if permissions.readonly() {
        return Err(EditError::ReadOnly {
            path: display(path),
        });
    }
    let dir = parent(&target);
    let mut temp = tempfile::Builder::new()
        .prefix(".accessctl-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(io_error)?;
    temp.write_all(contents.as_bytes()).map_err(io_error)?;
    temp.as_file().sync_all().map_err(io_error)?;
    fs::set_permissions(temp.path(), permissions).map_err(io_error)?;
    // Held until the rename is done, so that a second accessctl cannot slip an edit
    // between the check and the rename.
    let guard = lock(&target, path)?;
    if fs::read(&target).map_err(io_error)? != expected.as_bytes() {
        return Err(EditError::Changed {
            path: display(path),
        });
    }
    temp.persist(&target).map_err(|e| io_error(e.error))?;
    drop(guard);
    sync_dir(&dir);
    Ok(())
}

/// Writes `contents` as the whole of `path`, creating it or (with
/// [`Existing::Replace`]) replacing it: a temporary file in the same directory, created
/// with the Unix permissions `mode` (less the process's umask) so that the contents
/// are never readable more widely, flushed to disk and renamed over `path`. Unlike
/// [`replace`], a replaced file gets `mode`, not its old permissions.
pub fn write(path: &Path, contents: &[u8], mode: u32, existing: Existing) -> Result<(), EditError> {
    let io_error = |source| EditError::Io {
        path: display(path),
        source,
    };
    // A symbolic link is followed: its target is written, the link stays.
    let target = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = parent(&target);
    let mut temp = temporary(&dir, mode).map_err(io_error)?;
    temp.write_all(contents).map_err(io_error)?;
    temp.as_file().sync_all().map_err(io_error)?;
    match existing {
        Existing::Refuse => {
            temp.persist_noclobber(&target).map_err(|e| {
                if e.error.kind() == io::ErrorKind::AlreadyExists {
                    EditError::Exists {
                        path: display(path),
                    }
                } else {
                    io_error(e.error)
                }
            })?;
        }
        Existing::Replace => {
            let guard = if target.exists() {
                Some(lock(&target, path)?)
            } else {
                None
            };
            temp.persist(&target).map_err(|e| io_error(e.error))?;
            drop(guard);
        }
    }
    sync_dir(&dir);
    Ok(())
}

/// A temporary file in `dir`, created with permissions `mode` where the system has
/// Unix permissions.
fn temporary(dir: &Path, mode: u32) -> io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".accessctl-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    builder.tempfile_in(dir)
}

/// An exclusive advisory lock on `target` against a second writer.
fn lock(target: &Path, path: &Path) -> Result<fs::File, EditError> {
    let file = fs::File::open(target).map_err(|source| EditError::Io {
        path: display(path),
        source,
    })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(EditError::Locked {
            path: display(path),
        }),
        Err(fs::TryLockError::Error(source)) => Err(EditError::Io {
            path: display(path),
            source,
        }),
    }
}

fn parent(file: &Path) -> PathBuf {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Flushes the directory entry of the rename to disk where the system allows it. The
/// rename has happened either way; a system that cannot sync directories loses
/// nothing but durability across a power cut, so a failure here is not reported.
fn sync_dir(dir: &Path) {
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_replaced_and_keeps_its_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.acl");
        fs::write(&path, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        }
        replace(&path, "old", "new\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o640);
        }
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.acl");
        fs::write(&path, "someone else's").unwrap();
        let err = replace(&path, "old", "new").unwrap_err();
        assert!(matches!(err, EditError::Changed { .. }), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "someone else's");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_is_written_with_its_mode_and_kept_unless_replacing() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.keys");
        write(&path, b"one", 0o600, Existing::Refuse).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let err = write(&path, b"two", 0o600, Existing::Refuse).unwrap_err();
        assert!(matches!(err, EditError::Exists { .. }), "{err}");
        assert_eq!(fs::read(&path).unwrap(), b"one");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        write(&path, b"three", 0o600, Existing::Replace).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"three");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a replaced file gets the mode asked for");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.acl");
        let link = dir.path().join("link.acl");
        fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        replace(&link, "old", "new").unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
    }
}
