//! Loading policies from disk: a PATH is one `.acl` file, or a directory searched
//! recursively for `.acl` files, read in path order.
//!
//! Owns finding the files of a PATH and reading them as UTF-8 text into
//! [`Sources`], named by the path as the user wrote it (so diagnostics show relative
//! paths when given relative ones). It must never judge the text (the core does) and
//! never write anything.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use accessctl_core::Sources;
use thiserror::Error;

/// How deep a directory walk goes before it gives up (a guard against cycles that
/// slip past the symbolic-link check, such as bind mounts).
const MAX_DEPTH: usize = 64;

/// Why a PATH gave no policy text.
#[derive(Debug, Error)]
pub enum LoadError {
    /// The path does not exist or cannot be read.
    #[error("cannot read `{path}`: {source}")]
    Unreadable {
        /// The path, as given.
        path: String,
        /// What the system said.
        source: io::Error,
    },
    /// A file named directly does not end in `.acl`.
    #[error("`{path}` is not an `.acl` file")]
    NotPolicyFile {
        /// The path, as given.
        path: String,
    },
    /// A directory holds no `.acl` file, at any depth.
    #[error("`{path}` holds no `.acl` file")]
    NoPolicyFile {
        /// The path, as given.
        path: String,
    },
    /// A file is not UTF-8 text.
    #[error("`{path}` is not UTF-8 text (invalid byte at offset {offset})")]
    NotText {
        /// The file.
        path: String,
        /// Where the first invalid byte stands.
        offset: usize,
    },
    /// A directory nests deeper than the walk goes.
    #[error("`{path}` nests directories more than {MAX_DEPTH} levels deep")]
    TooDeep {
        /// The directory.
        path: String,
    },
}

/// One policy read from disk.
#[derive(Debug, Clone)]
pub struct LoadedPolicy {
    /// The PATH as given.
    pub path: String,
    /// Its files, named as shown in diagnostics, in the order read.
    pub sources: Sources,
}

/// Reads every file of `path` as one policy.
pub fn load_policy(path: &Path) -> Result<LoadedPolicy, LoadError> {
    let mut sources = Sources::new();
    for file in policy_files(path)? {
        let text = read_text(&file)?;
        sources.add(display(&file), text);
    }
    Ok(LoadedPolicy {
        path: display(path),
        sources,
    })
}

/// The `.acl` files `path` stands for: itself if it is a file (which must end in
/// `.acl`), else every `.acl` file under it, sorted by path. Hidden entries (whose name
/// starts with `.`) and symbolic links to directories are skipped in a walk.
pub fn policy_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let metadata = fs::metadata(path).map_err(|source| unreadable(path, source))?;
    if !metadata.is_dir() {
        return if is_policy_file(path) {
            Ok(vec![path.to_path_buf()])
        } else {
            Err(LoadError::NotPolicyFile {
                path: display(path),
            })
        };
    }
    let mut files = Vec::new();
    walk(path, 0, &mut files)?;
    if files.is_empty() {
        return Err(LoadError::NoPolicyFile {
            path: display(path),
        });
    }
    files.sort();
    Ok(files)
}

/// Reads `path` as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    let bytes = fs::read(path).map_err(|source| unreadable(path, source))?;
    String::from_utf8(bytes).map_err(|e| LoadError::NotText {
        path: display(path),
        offset: e.utf8_error().valid_up_to(),
    })
}

/// `path` as shown to people.
pub fn display(path: &Path) -> String {
    path.display().to_string()
}

fn walk(dir: &Path, depth: usize, files: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    if depth > MAX_DEPTH {
        return Err(LoadError::TooDeep { path: display(dir) });
    }
    let entries = fs::read_dir(dir).map_err(|source| unreadable(dir, source))?;
    for entry in entries {
        let entry = entry.map_err(|source| unreadable(dir, source))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = entry
            .file_type()
            .map_err(|source| unreadable(&path, source))?;
        if kind.is_dir() {
            walk(&path, depth + 1, files)?;
        } else if is_policy_file(&path) && !is_link_to_dir(&path, kind) {
            files.push(path);
        }
    }
    Ok(())
}

fn is_link_to_dir(path: &Path, kind: fs::FileType) -> bool {
    kind.is_symlink() && fs::metadata(path).is_ok_and(|m| m.is_dir())
}

fn is_policy_file(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "acl")
}

fn unreadable(path: &Path, source: io::Error) -> LoadError {
    LoadError::Unreadable {
        path: display(path),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_is_walked_in_path_order_skipping_hidden_entries() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("b/c")).unwrap();
        fs::create_dir_all(root.join(".git")).unwrap();
        for name in [
            "z.acl",
            "b/c/a.acl",
            "b/x.acl",
            "a.txt",
            ".git/h.acl",
            ".h.acl",
        ] {
            fs::write(root.join(name), "").unwrap();
        }
        let files = policy_files(root).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|f| f.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["b/c/a.acl", "b/x.acl", "z.acl"]);
    }

    #[test]
    fn missing_empty_and_foreign_paths_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert!(matches!(
            policy_files(&root.join("nope")),
            Err(LoadError::Unreadable { .. })
        ));
        assert!(matches!(
            policy_files(root),
            Err(LoadError::NoPolicyFile { .. })
        ));
        fs::write(root.join("a.txt"), "").unwrap();
        assert!(matches!(
            policy_files(&root.join("a.txt")),
            Err(LoadError::NotPolicyFile { .. })
        ));
    }

    #[test]
    fn a_file_that_is_not_utf8_is_refused_with_the_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.acl");
        fs::write(&path, b"site \xff").unwrap();
        let err = read_text(&path).unwrap_err();
        assert!(matches!(err, LoadError::NotText { offset: 5, .. }), "{err}");
    }
}
