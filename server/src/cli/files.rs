//! Which files a `check` covers.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use ignore::WalkBuilder;
use rayon::prelude::*;

/// Files found under the given paths, and the paths that could not be read.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Files to check, as paths the user can recognise, sorted and without duplicates.
    pub files: Vec<PathBuf>,
    /// One message per path or directory entry that could not be read.
    pub errors: Vec<String>,
}

/// Expands `paths` into files.
///
/// A file named directly is always checked, whatever its extension and whatever ignore files
/// say. Directories are walked for `.xs` files, skipping hidden entries and anything excluded
/// by `.gitignore`, `.ignore` or git's exclude files, whether or not the directory is inside a
/// git repository.
pub fn discover(paths: &[PathBuf]) -> Discovery {
    let mut discovery = Discovery::default();
    for path in paths {
        match std::fs::metadata(path) {
            Err(error) => discovery.errors.push(cannot_read(path, &error)),
            Ok(metadata) if metadata.is_dir() => walk(path, &mut discovery),
            Ok(_) => discovery.files.push(path.clone()),
        }
    }
    discovery.files.sort();
    // Resolving each path takes system calls per component: done on every core.
    let canonical: Vec<PathBuf> = discovery
        .files
        .par_iter()
        .map(|file| std::fs::canonicalize(file).unwrap_or_else(|_| file.clone()))
        .collect();
    let mut seen = HashSet::new();
    let mut canonical = canonical.into_iter();
    discovery
        .files
        .retain(|_| canonical.next().is_some_and(|c| seen.insert(c)));
    discovery
}

fn walk(dir: &Path, discovery: &mut Discovery) {
    let walker = WalkBuilder::new(dir).require_git(false).build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file && entry.path().extension().is_some_and(|ext| ext == "xs") {
                    discovery.files.push(entry.into_path());
                }
            }
            Err(error) => discovery
                .errors
                .push(format!("cannot read `{}`: {error}", dir.display())),
        }
    }
}

/// The message for a path that cannot be read.
pub fn cannot_read(path: &Path, error: &std::io::Error) -> String {
    format!("cannot read `{}`: {error}", path.display())
}
