//! Writing a fixed file back without ever losing what was there.
//!
//! The new text goes to a temporary file in the same folder, is flushed to disk and given the
//! original's permissions, and only then renamed over the original: the rename is atomic, so a
//! reader (or a crash, or a full disk) sees the old file or the new one, never a part. Nothing
//! is written over a file that changed since it was read (an editor saved it meanwhile) or that
//! is gone (it stays gone), and a file that cannot be written is left untouched.

use std::io::Write as _;
use std::path::Path;

use crate::workspace::files::display_path;

/// Why a file was not replaced.
#[derive(Debug, PartialEq, Eq)]
pub enum NotWritten {
    /// Its bytes are no longer those that were read.
    Changed,
    /// It was deleted (or moved) since it was read.
    Vanished,
    /// Writing failed; the original is as it was.
    Failed(String),
}

impl NotWritten {
    /// The message for `path`.
    pub fn message(&self, path: &Path) -> String {
        let path = display_path(path);
        match self {
            NotWritten::Changed => {
                format!("`{path}` changed since it was read: not fixed (run `xsguard fix` again)")
            }
            NotWritten::Vanished => format!("`{path}` was removed since it was read: not fixed"),
            NotWritten::Failed(error) => {
                format!("cannot write `{path}`: {error}; the file is unchanged")
            }
        }
    }
}

/// Replaces the file at `path`, whose bytes were `expected` when read, with `new`.
pub fn replace_file(path: &Path, expected: &[u8], new: &[u8]) -> Result<(), NotWritten> {
    // A link is followed: the file it points to is fixed and the link stays a link.
    let target = match std::fs::canonicalize(path) {
        Ok(target) => target,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(NotWritten::Vanished);
        }
        Err(error) => return Err(NotWritten::Failed(error.to_string())),
    };
    let unchanged = || match std::fs::read(&target) {
        Ok(current) if current == expected => Ok(()),
        Ok(_) => Err(NotWritten::Changed),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Err(NotWritten::Vanished),
        Err(error) => Err(NotWritten::Failed(error.to_string())),
    };
    unchanged()?;
    let failed = |error: std::io::Error| NotWritten::Failed(error.to_string());
    let metadata = std::fs::metadata(&target).map_err(failed)?;
    // Renaming over a file needs only the folder to be writable; a file its owner made
    // read-only must stay as it is.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&target)
        .map_err(failed)?;
    let dir = target
        .parent()
        .ok_or_else(|| NotWritten::Failed("the file has no folder".to_string()))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut temporary = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".xsguard")
        .tempfile_in(dir)
        .map_err(failed)?;
    temporary.write_all(new).map_err(failed)?;
    temporary.as_file().sync_all().map_err(failed)?;
    std::fs::set_permissions(temporary.path(), metadata.permissions()).map_err(failed)?;
    // Once more, as late as possible: an editor may have saved while the new text was written.
    unchanged()?;
    temporary
        .persist(&target)
        .map_err(|error| NotWritten::Failed(error.error.to_string()))?;
    sync_folder(dir);
    Ok(())
}

/// Flushes the folder's entry for the renamed file (where the platform allows it), so the new
/// file survives a crash as well as the old one would have.
fn sync_folder(dir: &Path) {
    #[cfg(unix)]
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("xsguard-write-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".xsguard"))
            .collect()
    }

    #[test]
    fn replaces_only_what_was_read() {
        let dir = scratch("replace");
        let file = dir.join("a.xs");
        std::fs::write(&file, "old").unwrap();
        assert_eq!(replace_file(&file, b"old", b"new"), Ok(()));
        assert_eq!(std::fs::read(&file).unwrap(), b"new");
        assert_eq!(
            replace_file(&file, b"old", b"newer"),
            Err(NotWritten::Changed)
        );
        assert_eq!(std::fs::read(&file).unwrap(), b"new");
        std::fs::remove_file(&file).unwrap();
        assert_eq!(
            replace_file(&file, b"new", b"newer"),
            Err(NotWritten::Vanished)
        );
        assert!(!file.exists(), "a deleted file stays deleted");
        assert!(leftovers(&dir).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn keeps_permissions_links_and_read_only_files() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("perms");
        let file = dir.join("a.xs");
        std::fs::write(&file, "old").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.join("link.xs");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert_eq!(replace_file(&link, b"old", b"new"), Ok(()));
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&file).unwrap(), b"new");
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);

        // Root may write anything: the read-only case only means something for other users.
        let read_only = dir.join("ro.xs");
        std::fs::write(&read_only, "old").unwrap();
        std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o444)).unwrap();
        if std::fs::OpenOptions::new()
            .write(true)
            .open(&read_only)
            .is_err()
        {
            assert!(matches!(
                replace_file(&read_only, b"old", b"new"),
                Err(NotWritten::Failed(_))
            ));
            assert_eq!(std::fs::read(&read_only).unwrap(), b"old");
        }
        assert!(leftovers(&dir).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
