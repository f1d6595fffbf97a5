//! Atomic file edits: a file is either left as it was or replaced whole.
//!
//! Owns the one way the tool writes a file: write the new text to a temporary file in
//! the same directory, flush it to disk, give it the old file's permissions, and
//! rename it over the old one (a rename within a directory is atomic). A reader sees
//! the old text or the new one, never a half-written file. The edit is refused when
//! the file changed since it was read or is locked (someone else is editing it), or is
//! read-only; the check and the rename happen under an exclusive lock on the file.
//! A symbolic link is followed: its target is replaced, the link stays.
//!
//! A temporary file (`.accessctl-XXXXXX.tmp`) is locked (an exclusive advisory lock)
//! by its writer from its creation until it is renamed or removed; the system drops
//! the lock when the writer dies, even by `kill -9`. So the first write into a
//! directory (once per process) sweeps it: every temporary file whose lock nobody
//! holds was left by a dead writer, and is removed. A writer whose file was swept
//! between its creation and its lock sees it unlinked and makes another.
//!
//! This module must never write a file in place, nor leave a temporary file behind on
//! failure, nor remove a file that is not one of its temporary files or that a live
//! writer holds.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use thiserror::Error;

use crate::load::display;

/// The names of temporary files: this prefix, [`TEMP_RANDOM_LEN`] random letters or
/// digits, [`TEMP_SUFFIX`].
const TEMP_PREFIX: &str = ".accessctl-";

/// The end of a temporary file's name.
const TEMP_SUFFIX: &str = ".tmp";

/// How many random letters or digits a temporary file's name holds.
const TEMP_RANDOM_LEN: usize = 6;

/// How many temporary files are made, each swept by another process before it was
/// locked, before giving up.
const TEMP_ATTEMPTS: usize = 4;

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
    #[error("`{path}` changed while it was being formatted; nothing was written: run fmt again")]
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
    sweep(&dir);
    let mut temp = temporary(&dir, None).map_err(io_error)?;
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
    sweep(&dir);
    let mut temp = temporary(&dir, Some(mode)).map_err(io_error)?;
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

/// A temporary file in `dir`, locked, created with permissions `mode` (default 0600)
/// where the system has Unix permissions.
fn temporary(dir: &Path, mode: Option<u32>) -> io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .rand_bytes(TEMP_RANDOM_LEN);
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    for _ in 0..TEMP_ATTEMPTS {
        let temp = builder.tempfile_in(dir)?;
        // Waits for a sweeper that took it first, then sees whether it removed it.
        temp.as_file().lock()?;
        if still_linked(temp.as_file())? {
            return Ok(temp);
        }
    }
    Err(io::Error::other(
        "another process kept removing the temporary files made for the write",
    ))
}

/// Whether `file` still has a name (a sweeper did not unlink it).
#[cfg(unix)]
fn still_linked(file: &fs::File) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    Ok(file.metadata()?.nlink() > 0)
}

/// Systems without Unix links are not swept.
#[cfg(not(unix))]
fn still_linked(_file: &fs::File) -> io::Result<bool> {
    Ok(true)
}

/// Removes from `dir` the temporary files of dead writers, the first time this process
/// writes into `dir`. Tidying only: a failure is ignored, the write goes on.
fn sweep(dir: &Path) {
    static SWEPT: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());
    let first = SWEPT
        .lock()
        .map_or(true, |mut swept| swept.insert(dir.to_path_buf()));
    if !first {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let regular = entry.file_type().is_ok_and(|kind| kind.is_file());
        if regular && is_temporary_name(&entry.file_name()) {
            remove_if_stale(&entry.path());
        }
    }
}

/// Whether `name` is that of a temporary file of this module.
fn is_temporary_name(name: &OsStr) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    name.strip_prefix(TEMP_PREFIX)
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
        .is_some_and(|random| {
            random.len() == TEMP_RANDOM_LEN && random.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Removes the temporary file `path` if no process holds its lock, holding it meanwhile
/// so that its writer, were it just starting, sees the file gone and makes another.
#[cfg(unix)]
fn remove_if_stale(path: &Path) {
    use std::os::unix::fs::MetadataExt;
    let Ok(file) = fs::File::open(path) else {
        return;
    };
    let (Ok(opened), Ok(())) = (file.metadata(), file.try_lock()) else {
        return;
    };
    // Still the file locked, not one renamed into place since it was opened.
    let same = fs::symlink_metadata(path)
        .is_ok_and(|now| now.dev() == opened.dev() && now.ino() == opened.ino());
    if same {
        let _ = fs::remove_file(path);
    }
}

/// Systems without Unix links are not swept.
#[cfg(not(unix))]
fn remove_if_stale(_path: &Path) {}

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

    /// Names `dir/name` a file holding `text`.
    fn file(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn only_the_temporary_files_of_this_module_are_recognised() {
        assert!(is_temporary_name(OsStr::new(".accessctl-aB3dE9.tmp")));
        for name in [
            ".accessctl-notes.tmp",
            ".accessctl-aB3dE9.tmp.bak",
            "accessctl-aB3dE9.tmp",
            ".accessctl-aB-dE9.tmp",
            ".accessctl-.tmp",
        ] {
            assert!(!is_temporary_name(OsStr::new(name)), "{name}");
        }
    }

    #[test]
    fn a_temporary_file_is_locked_while_it_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let temp = temporary(dir.path(), None).unwrap();
        assert!(is_temporary_name(temp.path().file_name().unwrap()));
        let other = fs::File::open(temp.path()).unwrap();
        assert!(matches!(
            other.try_lock(),
            Err(fs::TryLockError::WouldBlock)
        ));
        drop(temp);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn a_write_sweeps_the_temporary_files_of_dead_writers_only() {
        let dir = tempfile::tempdir().unwrap();
        let stale = file(dir.path(), ".accessctl-Dead01.tmp", "half");
        let held = file(dir.path(), ".accessctl-Live01.tmp", "being written");
        let writer = fs::File::open(&held).unwrap();
        writer.lock().unwrap();
        let other = file(dir.path(), ".accessctl-mine.tmp", "not ours");
        let path = file(dir.path(), "a.acl", "old");
        replace(&path, "old", "new").unwrap();
        assert!(!stale.exists());
        assert!(held.exists() && other.exists());
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        drop(writer);

        // A second directory, swept by `write`.
        let second = tempfile::tempdir().unwrap();
        let stale = file(second.path(), ".accessctl-Dead02.tmp", "half");
        write(&second.path().join("s.keys"), b"k", 0o600, Existing::Refuse).unwrap();
        assert!(!stale.exists());
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
