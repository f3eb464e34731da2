//! The Xano workspace a file belongs to, found from the file itself.
//!
//! Findings depend on the whole app (an endpoint's tables, functions, api group and
//! middleware live in other files), so whoever checks a file, alone or in a folder, first finds
//! the folder that holds its whole workspace, the *root*:
//!
//! 1. the nearest folder at or above it with an `xsguard.toml`;
//! 2. else the nearest one laid out as Xano writes a workspace: an export (`workspace.xs` or
//!    `branch.xs`, or two of `apis/`, `tables/`, `functions/`, `middlewares/`, `addons/`,
//!    `tasks/`) or a `xano workspace pull` (`workspace/workspace.xs`, or two of `api/`,
//!    `table/`, `function/`, `middleware/`, `addon/`, `task/`);
//! 3. else the nearest folder with `.git` (the repository);
//! 4. else the fallback the caller gives (the folder it was asked to check).
//!
//! A root holds the `.xs` files below it except those of a deeper root: two apps side by side
//! in one repository are two workspaces.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::config::CONFIG_FILE;
use super::files::Discovery;

/// Why a folder is a root.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RootMarker {
    /// It has an `xsguard.toml`.
    Config,
    /// It is laid out as a Xano export or pull.
    XanoLayout,
    /// It is a git repository's top folder.
    Git,
    /// Nothing marks it: it is the folder the caller named.
    Given,
}

impl RootMarker {
    /// What the marker says, for messages: "the folder with `xsguard.toml`".
    pub fn describe(self) -> &'static str {
        match self {
            RootMarker::Config => "has an xsguard.toml",
            RootMarker::XanoLayout => "is laid out as a Xano workspace",
            RootMarker::Git => "is the top of a git repository",
            RootMarker::Given => "was named on the command line",
        }
    }
}

/// The root of a workspace.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Root {
    /// The folder, with every link resolved.
    pub dir: PathBuf,
    pub marker: RootMarker,
}

/// Folders of an export, as `xano` writes them.
const EXPORT_FOLDERS: &[&str] = &[
    "apis",
    "tables",
    "functions",
    "middlewares",
    "addons",
    "tasks",
];

/// Folders of `xano workspace pull`.
const PULL_FOLDERS: &[&str] = &["api", "table", "function", "middleware", "addon", "task"];

/// Folders that hold part of a workspace and are never its root (an api group may be named
/// `table`, and then `apis/` holds `table/` beside `function/`).
const NEVER_ROOTS: &[&str] = &["apis", "api"];

/// Finds roots, remembering what it learned about each folder (a walk asks about the same
/// folders again and again).
#[derive(Debug, Default)]
pub struct RootFinder {
    markers: HashMap<PathBuf, Option<RootMarker>>,
    /// The root found from each folder a search started in: the files of one folder ask once.
    roots: HashMap<PathBuf, Option<Root>>,
}

impl RootFinder {
    pub fn new() -> Self {
        Self::default()
    }

    /// The root of the workspace that holds `path` (a file or a folder), or `fallback` (marked
    /// [`RootMarker::Given`]) when no folder above it is marked. Both are resolved first; a
    /// path that cannot be resolved is taken as it is, made absolute.
    pub fn root_of(&mut self, path: &Path, fallback: &Path) -> Root {
        let resolved = resolve(path);
        let start = if resolved.is_dir() {
            resolved.as_path()
        } else {
            resolved.parent().unwrap_or(&resolved)
        };
        let found = self.marked_root(start);
        found.unwrap_or_else(|| Root {
            dir: resolve(fallback),
            marker: RootMarker::Given,
        })
    }

    /// [`RootFinder::root_of`] for a file whose path and fallback are already resolved (as a
    /// walk gives them): no system call but for folders not seen before.
    pub fn root_of_file(&mut self, resolved_file: &Path, resolved_fallback: &Path) -> Root {
        let start = resolved_file.parent().unwrap_or(resolved_file);
        self.marked_root(start).unwrap_or_else(|| Root {
            dir: resolved_fallback.to_path_buf(),
            marker: RootMarker::Given,
        })
    }

    /// The nearest folder at or above `start` with the strongest marker.
    fn marked_root(&mut self, start: &Path) -> Option<Root> {
        if let Some(known) = self.roots.get(start) {
            return known.clone();
        }
        let found = self.search(start);
        self.roots.insert(start.to_path_buf(), found.clone());
        found
    }

    fn search(&mut self, start: &Path) -> Option<Root> {
        let mut best: Option<(RootMarker, &Path)> = None;
        for dir in start.ancestors() {
            let Some(marker) = self.marker(dir) else {
                continue;
            };
            if best.is_none_or(|(found, _)| marker < found) {
                best = Some((marker, dir));
            }
            if marker == RootMarker::Config {
                break;
            }
        }
        best.map(|(marker, dir)| Root {
            dir: dir.to_path_buf(),
            marker,
        })
    }

    /// The strongest marker of `dir` itself.
    fn marker(&mut self, dir: &Path) -> Option<RootMarker> {
        if let Some(known) = self.markers.get(dir) {
            return *known;
        }
        let marker = marker_of(dir);
        self.markers.insert(dir.to_path_buf(), marker);
        marker
    }
}

/// What a folder holds of the names that mark a root, read from one listing of it (a walk asks
/// about every folder it enters, and a dozen lookups per folder cost more than the listing).
#[derive(Default)]
struct Marks {
    config: bool,
    git: bool,
    files: Vec<&'static str>,
    folders: Vec<&'static str>,
}

impl Marks {
    fn read(dir: &Path) -> Self {
        let mut marks = Marks::default();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return marks;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            let Some(known) = mark_name(name) else {
                continue;
            };
            // A link counts as what it leads to; one that leads nowhere counts as nothing.
            let kind = match entry.file_type() {
                Ok(t) if t.is_symlink() => std::fs::metadata(entry.path()).map(|m| m.file_type()),
                other => other,
            };
            let Ok(kind) = kind else {
                continue;
            };
            match known {
                CONFIG_FILE => marks.config = true,
                ".git" => marks.git = true,
                _ if kind.is_dir() => marks.folders.push(known),
                _ if kind.is_file() => marks.files.push(known),
                _ => {}
            }
        }
        marks
    }

    fn file(&self, name: &str) -> bool {
        self.files.contains(&name)
    }

    fn folders(&self, names: &[&str]) -> usize {
        names.iter().filter(|n| self.folders.contains(n)).count()
    }
}

/// The name as [`Marks`] keeps it, when it is one that marks a root.
fn mark_name(name: &str) -> Option<&'static str> {
    [
        CONFIG_FILE,
        ".git",
        "workspace.xs",
        "branch.xs",
        "workspace",
    ]
    .iter()
    .chain(EXPORT_FOLDERS)
    .chain(PULL_FOLDERS)
    .find(|n| **n == name)
    .copied()
}

fn marker_of(dir: &Path) -> Option<RootMarker> {
    let marks = Marks::read(dir);
    if marks.config {
        return Some(RootMarker::Config);
    }
    let named_as_part = dir
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| NEVER_ROOTS.contains(&n));
    if !named_as_part && is_xano_layout(dir, &marks) {
        return Some(RootMarker::XanoLayout);
    }
    if marks.git {
        return Some(RootMarker::Git);
    }
    None
}

fn is_xano_layout(dir: &Path, marks: &Marks) -> bool {
    marks.file("workspace.xs")
        || marks.file("branch.xs")
        || (marks.folders(&["workspace"]) == 1
            && dir.join("workspace").join("workspace.xs").is_file())
        || marks.folders(EXPORT_FOLDERS) >= 2
        || marks.folders(PULL_FOLDERS) >= 2
}

/// The `.xs` files of the workspace at `root`: those below it that no deeper root claims, and
/// none that `exclude` (relative to the root) names. Links that loop or lead nowhere are in
/// `skipped`, unreadable entries in `errors`.
pub fn workspace_files(
    root: &Root,
    exclude: &globset::GlobSet,
    finder: &mut RootFinder,
) -> Discovery {
    let mut discovery = super::files::discover(std::slice::from_ref(&root.dir));
    discovery.empty.clear();
    let files = std::mem::take(&mut discovery.files);
    discovery.files = claimed_files(root, files, exclude, finder);
    discovery
}

/// Of `files` (found by a walk of `root` or of a folder above it), those of the workspace at
/// `root`, as [`workspace_files`] takes them.
pub fn claimed_files(
    root: &Root,
    files: impl IntoIterator<Item = super::files::FoundFile>,
    exclude: &globset::GlobSet,
    finder: &mut RootFinder,
) -> Vec<super::files::FoundFile> {
    files
        .into_iter()
        .filter(|file| {
            let Ok(relative) = file.canonical.strip_prefix(&root.dir) else {
                return false;
            };
            !exclude.is_match(relative)
                && finder.root_of_file(&file.canonical, &root.dir).dir == root.dir
        })
        .collect()
}

/// The workspaces a folder holds or belongs to, each with its files, as a client that watches
/// the folder needs them: the roots of the files below it (two apps side by side are two
/// workspaces), and, when the folder lies inside a workspace (`apis/` of an export), that
/// whole workspace. A folder without `.xs` files is one empty workspace. Files keep the
/// paths the walk of `folder` gave them; workspaces above it are walked from their root.
pub fn workspaces_in(folder: &Path, finder: &mut RootFinder) -> Vec<(Root, Discovery)> {
    let resolved = resolve(folder);
    let mut walked = super::files::discover(&[folder.to_path_buf()]);
    walked.empty.clear();
    let mut by_root: Vec<(Root, Discovery)> = Vec::new();
    for file in std::mem::take(&mut walked.files) {
        let root = finder.root_of_file(&file.canonical, &resolved);
        match by_root.iter_mut().find(|(r, _)| *r == root) {
            Some((_, found)) => found.files.push(file),
            None => by_root.push((
                root,
                Discovery {
                    files: vec![file],
                    ..Discovery::default()
                },
            )),
        }
    }
    if by_root.is_empty() {
        by_root.push((finder.root_of(folder, folder), Discovery::default()));
    }
    // What the walk could not read belongs to the folder's first workspace.
    by_root[0].1.errors = std::mem::take(&mut walked.errors);
    by_root[0].1.skipped = std::mem::take(&mut walked.skipped);
    let none = globset::GlobSet::empty();
    for (root, found) in &mut by_root {
        if root.dir != resolved && resolved.starts_with(&root.dir) {
            *found = workspace_files(root, &none, finder);
        }
    }
    by_root
}

/// The workspace of a file that no watched folder holds (a document opened on its own), or
/// `None` when finding it would mean walking more than `limit` entries: a root marked only by
/// `.git`, or none (the file's folder), may be a home directory.
pub fn workspace_of_file(
    file: &Path,
    limit: usize,
    finder: &mut RootFinder,
) -> Option<(Root, Discovery)> {
    let folder = file.parent()?;
    let root = finder.root_of(file, folder);
    let bounded = matches!(root.marker, RootMarker::Git | RootMarker::Given);
    let mut found = if bounded {
        super::files::discover_at_most(std::slice::from_ref(&root.dir), limit)?
    } else {
        super::files::discover(std::slice::from_ref(&root.dir))
    };
    found.empty.clear();
    let files = std::mem::take(&mut found.files);
    found.files = claimed_files(&root, files, &globset::GlobSet::empty(), finder);
    Some((root, found))
}

/// `path` with its links resolved, or made absolute when it cannot be (it does not exist).
pub fn resolve(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| super::files::absolute(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xsguard-root-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        resolve(&dir)
    }

    fn mkdirs(root: &Path, dirs: &[&str]) {
        for d in dirs {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
    }

    #[test]
    fn export_pull_config_git_and_fallback() {
        let dir = scratch("kinds");
        mkdirs(
            &dir,
            &[
                "export/apis/shop",
                "export/tables",
                "pull/api/shop",
                "pull/function",
                "repo/.git",
                "repo/loose",
                "plain/sub",
                "configured/deep/apis/x",
                "configured/deep/tables",
            ],
        );
        std::fs::write(dir.join("configured/xsguard.toml"), "").unwrap();
        let mut finder = RootFinder::new();
        let root =
            |finder: &mut RootFinder, p: &str| finder.root_of(&dir.join(p), &dir.join("plain"));

        let r = root(&mut finder, "export/apis/shop/a.xs");
        assert_eq!(
            (r.dir, r.marker),
            (dir.join("export"), RootMarker::XanoLayout)
        );
        let r = root(&mut finder, "pull/api/shop");
        assert_eq!(
            (r.dir, r.marker),
            (dir.join("pull"), RootMarker::XanoLayout)
        );
        let r = root(&mut finder, "repo/loose/a.xs");
        assert_eq!((r.dir, r.marker), (dir.join("repo"), RootMarker::Git));
        // A configuration file above a layout wins: it is the user's word.
        let r = root(&mut finder, "configured/deep/apis/x/a.xs");
        assert_eq!(
            (r.dir, r.marker),
            (dir.join("configured"), RootMarker::Config)
        );
        let r = root(&mut finder, "plain/sub/a.xs");
        assert_eq!((r.dir, r.marker), (dir.join("plain"), RootMarker::Given));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn markers_may_be_links_or_a_git_file_but_not_dangling_links() {
        use std::os::unix::fs::symlink;
        let dir = scratch("links");
        mkdirs(
            &dir,
            &[
                "shared/tables",
                "linked/apis/x",
                "worktree/loose",
                "dangling/sub",
                "plain",
            ],
        );
        // A folder of the layout may be a link to one elsewhere.
        symlink(dir.join("shared/tables"), dir.join("linked/tables")).unwrap();
        // A git worktree has a `.git` file.
        std::fs::write(dir.join("worktree/.git"), "gitdir: elsewhere\n").unwrap();
        // A link to a missing configuration is no configuration.
        symlink(dir.join("missing.toml"), dir.join("dangling/xsguard.toml")).unwrap();
        let mut finder = RootFinder::new();
        let mut root = |p: &str| finder.root_of(&dir.join(p), &dir.join("plain"));
        let r = root("linked/apis/x/a.xs");
        assert_eq!(
            (r.dir, r.marker),
            (dir.join("linked"), RootMarker::XanoLayout)
        );
        let r = root("worktree/loose/a.xs");
        assert_eq!((r.dir, r.marker), (dir.join("worktree"), RootMarker::Git));
        let r = root("dangling/sub/a.xs");
        assert_eq!((r.dir, r.marker), (dir.join("plain"), RootMarker::Given));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_root_leaves_the_files_of_deeper_roots_out() {
        let dir = scratch("nested");
        mkdirs(
            &dir,
            &[
                "repo/.git",
                "repo/app/apis/g",
                "repo/app/tables",
                "repo/tools",
            ],
        );
        for file in [
            "repo/tools/a.xs",
            "repo/app/apis/g/b.xs",
            "repo/app/tables/t.xs",
        ] {
            std::fs::write(dir.join(file), "").unwrap();
        }
        let mut finder = RootFinder::new();
        let repo = finder.root_of(&dir.join("repo/tools/a.xs"), &dir);
        let files = workspace_files(&repo, &globset::GlobSet::empty(), &mut finder).files;
        assert_eq!(files.len(), 1, "{files:?}");
        assert!(files[0].path.ends_with("tools/a.xs"));
        let app = finder.root_of(&dir.join("repo/app/apis/g/b.xs"), &dir);
        let mut exclude = globset::GlobSetBuilder::new();
        exclude.add(globset::Glob::new("tables/**").unwrap());
        let files = workspace_files(&app, &exclude.build().unwrap(), &mut finder).files;
        assert_eq!(files.len(), 1, "{files:?}");
        assert!(files[0].path.ends_with("g/b.xs"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn api_groups_named_like_folders_do_not_make_a_root() {
        let dir = scratch("groups");
        mkdirs(&dir, &["app/apis/table", "app/apis/function", "app/tables"]);
        let r = RootFinder::new().root_of(&dir.join("app/apis/table/a.xs"), &dir);
        assert_eq!(r.dir, dir.join("app"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_folder_holds_its_workspaces_or_belongs_to_one() {
        let dir = scratch("within");
        mkdirs(
            &dir,
            &[
                "two/shop/apis/a",
                "two/shop/tables",
                "two/kiosk/apis/a",
                "two/kiosk/tables",
            ],
        );
        for app in ["shop", "kiosk"] {
            std::fs::write(dir.join(format!("two/{app}/apis/a/e.xs")), "").unwrap();
            std::fs::write(dir.join(format!("two/{app}/tables/t.xs")), "").unwrap();
        }
        let mut finder = RootFinder::new();
        let mut found: Vec<(PathBuf, usize)> = workspaces_in(&dir.join("two"), &mut finder)
            .into_iter()
            .map(|(root, d)| (root.dir, d.files.len()))
            .collect();
        found.sort();
        assert_eq!(
            found,
            [(dir.join("two/kiosk"), 2), (dir.join("two/shop"), 2)]
        );
        // `apis/` alone brings in its app.
        let found = workspaces_in(&dir.join("two/shop/apis"), &mut finder);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0.dir, dir.join("two/shop"));
        assert_eq!(found[0].1.files.len(), 2);
        // So does a file opened on its own.
        let (root, files) =
            workspace_of_file(&dir.join("two/kiosk/apis/a/e.xs"), 10, &mut finder).unwrap();
        assert_eq!((root.dir, files.files.len()), (dir.join("two/kiosk"), 2));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
