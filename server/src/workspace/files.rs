//! Which `.xs` files a set of paths holds: the one walk the command line and the language
//! server share.
//!
//! A file named directly is always taken, whatever its extension. Directories are walked for
//! `.xs` files, skipping hidden entries and anything excluded by `.gitignore`, `.ignore` or
//! git's exclude files, whether or not the directory is inside a git repository. Symbolic
//! links are followed; a link that loops back into the walk or points nowhere is reported as
//! skipped, never dropped without a word. A file reached twice (through a link, or by naming it
//! twice) is taken once.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use ignore::WalkBuilder;
use rayon::prelude::*;

/// One file found, as the user can recognise it and as the file system resolves it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundFile {
    /// The path as found: the named path, or the walked directory joined with the entry.
    pub path: PathBuf,
    /// The path with every link resolved (the file's identity).
    pub canonical: PathBuf,
}

/// Files found under the given paths, and what could not be read.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Files to check, sorted by path, without duplicates.
    pub files: Vec<FoundFile>,
    /// One message per path or directory entry that could not be read.
    pub errors: Vec<String>,
    /// Entries passed over on purpose, with the reason (links that loop or lead nowhere).
    pub skipped: Vec<String>,
    /// The named paths under which no `.xs` file was found.
    pub empty: Vec<PathBuf>,
}

/// Expands `paths` into files.
pub fn discover(paths: &[PathBuf]) -> Discovery {
    discover_within(paths, usize::MAX).unwrap_or_default()
}

/// [`discover`], or `None` as soon as the walk has met more than `limit` entries: for a caller
/// that did not choose the folder (the language server looking around a document it was
/// given) and must not walk a home directory.
pub fn discover_at_most(paths: &[PathBuf], limit: usize) -> Option<Discovery> {
    discover_within(paths, limit)
}

fn discover_within(paths: &[PathBuf], limit: usize) -> Option<Discovery> {
    let mut discovery = Discovery::default();
    let mut budget = limit;
    // Each file with its resolved path when the walk knows it (no link on the way).
    let mut found: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    for path in paths {
        let before = found.len();
        match std::fs::metadata(path) {
            Err(error) => {
                discovery.errors.push(cannot_read(path, &error));
                continue;
            }
            Ok(metadata) if metadata.is_dir() => {
                walk(path, &mut found, &mut discovery, &mut budget)?
            }
            Ok(_) => found.push((path.clone(), None)),
        }
        if found.len() == before {
            discovery.empty.push(path.clone());
        }
    }
    found.sort();
    // Resolving a path takes system calls per component: done only where a link may be on
    // the way, and on every core.
    let canonical: Vec<PathBuf> = found
        .par_iter()
        .map(|(file, known)| match known {
            Some(known) => known.clone(),
            None => std::fs::canonicalize(file).unwrap_or_else(|_| absolute(file)),
        })
        .collect();
    let mut seen = HashSet::new();
    discovery.files = found
        .into_iter()
        .zip(canonical)
        .filter(|(_, canonical)| seen.insert(canonical.clone()))
        .map(|((path, _), canonical)| FoundFile { path, canonical })
        .collect();
    Some(discovery)
}

/// Walks `dir`; `None` when it meets more entries than `budget` has left.
fn walk(
    dir: &Path,
    found: &mut Vec<(PathBuf, Option<PathBuf>)>,
    discovery: &mut Discovery,
    budget: &mut usize,
) -> Option<()> {
    let resolved_dir = std::fs::canonicalize(dir).ok();
    // Links met on the way (followed): files below one need resolving one by one.
    let mut links: Vec<PathBuf> = Vec::new();
    let walker = WalkBuilder::new(dir)
        .require_git(false)
        .follow_links(true)
        .build();
    for entry in walker {
        *budget = budget.checked_sub(1)?;
        match entry {
            Ok(entry) => {
                if entry.path_is_symlink() {
                    links.push(entry.path().to_path_buf());
                }
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file && entry.path().extension().is_some_and(|ext| ext == "xs") {
                    let path = entry.into_path();
                    let known = resolved_dir
                        .as_ref()
                        .filter(|_| !links.iter().any(|link| path.starts_with(link)));
                    let canonical = known
                        .and_then(|resolved| Some(resolved.join(path.strip_prefix(dir).ok()?)));
                    found.push((path, canonical));
                }
            }
            Err(error) => match skipped_link(&error) {
                Some(reason) => discovery.skipped.push(reason),
                None => discovery
                    .errors
                    .push(format!("cannot read `{}`: {error}", dir.display())),
            },
        }
    }
    Some(())
}

/// The message for a link the walk passes over, or `None` for a real read error.
fn skipped_link(error: &ignore::Error) -> Option<String> {
    let mut error = error;
    let mut at: Option<&Path> = None;
    loop {
        match error {
            ignore::Error::WithPath { path, err } => {
                at = Some(path);
                error = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                error = err;
            }
            ignore::Error::Loop { child, .. } => {
                return Some(format!(
                    "skipped `{}`: the link leads back into a folder already walked",
                    display_path(child)
                ));
            }
            ignore::Error::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
                let link = at.filter(|p| {
                    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
                })?;
                return Some(format!(
                    "skipped `{}`: the link points to nothing",
                    display_path(link)
                ));
            }
            _ => return None,
        }
    }
}

/// `path` made absolute against the working directory, without resolving links (for paths
/// that cannot be resolved).
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A path as findings name it. Bytes that are not UTF-8 are written `\xNN`, so two names
/// that differ only there stay apart (a lossy conversion would name both `caf�.xs`).
pub fn display_path(path: &Path) -> String {
    if let Some(text) = path.to_str() {
        return text.to_string();
    }
    #[cfg(unix)]
    {
        use std::fmt::Write as _;
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in path.as_os_str().as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for byte in chunk.invalid() {
                let _ = write!(out, "\\x{byte:02X}");
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        path.to_string_lossy().into_owned()
    }
}

/// The message for a path that cannot be read.
pub fn cannot_read(path: &Path, error: &std::io::Error) -> String {
    format!("cannot read `{}`: {error}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xsguard-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_bounded_walk_gives_up_on_large_trees() {
        let dir = scratch("bounded");
        for i in 0..10 {
            std::fs::write(dir.join(format!("f{i}.xs")), "").unwrap();
        }
        let paths = std::slice::from_ref(&dir);
        // The folder itself and its ten files.
        assert_eq!(discover_at_most(paths, 11).map(|d| d.files.len()), Some(10));
        assert!(discover_at_most(paths, 10).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_once_and_bad_links_reported() {
        let dir = scratch("links");
        std::fs::create_dir_all(dir.join("real")).unwrap();
        std::fs::write(dir.join("real/a.xs"), "").unwrap();
        std::os::unix::fs::symlink(dir.join("real"), dir.join("alias")).unwrap();
        std::os::unix::fs::symlink(dir.join("real/a.xs"), dir.join("b.xs")).unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("real/loop")).unwrap();
        std::os::unix::fs::symlink(dir.join("gone.xs"), dir.join("dangling.xs")).unwrap();
        let found = discover(std::slice::from_ref(&dir));
        assert_eq!(found.files.len(), 1, "{:?}", found.files);
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        assert!(
            found.skipped.iter().any(|s| s.contains("loop")),
            "{:?}",
            found.skipped
        );
        assert!(
            found.skipped.iter().any(|s| s.contains("dangling.xs")),
            "{:?}",
            found.skipped
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_stay_apart() {
        use std::os::unix::ffi::OsStrExt;
        let e9 = Path::new(std::ffi::OsStr::from_bytes(b"caf\xe9.xs"));
        let e8 = Path::new(std::ffi::OsStr::from_bytes(b"caf\xe8.xs"));
        assert_eq!(display_path(e9), "caf\\xE9.xs");
        assert_ne!(display_path(e9), display_path(e8));
        assert_eq!(display_path(Path::new("apis/é.xs")), "apis/é.xs");
    }

    #[test]
    fn empty_and_missing_paths_are_told_apart() {
        let dir = scratch("empty");
        std::fs::write(dir.join("notes.txt"), "").unwrap();
        let found = discover(&[dir.clone(), dir.join("missing")]);
        assert!(found.files.is_empty());
        assert_eq!(found.empty, std::slice::from_ref(&dir));
        assert_eq!(found.errors.len(), 1);
        assert!(found.errors[0].contains("missing"), "{:?}", found.errors);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
