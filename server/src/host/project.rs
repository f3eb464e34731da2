//! The workspace as an editor session knows it: one project per workspace folder, each with its
//! `xsguard.toml`, the `.xs` files read from disk and the open documents, which stand in for
//! their files on disk while they are open.
//!
//! Each project keeps a fingerprint of what every file declares for the others (tables,
//! functions, api groups, ...): when it changes, the open files of that project are checked
//! again, since their findings may depend on it.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use globset::GlobSet;
use rayon::prelude::*;

use crate::rules;
use crate::workspace::config::{CONFIG_FILE, ConfigError, RuleLevel};
use crate::workspace::files::Discovery;
use crate::workspace::root::{RootFinder, resolve, workspace_of_file, workspaces_in};
use crate::workspace::{Config, FileModel, Workspace};

use super::check::SyntaxIssue;

/// An open document as the index holds it. `K` is how the front names documents (the language
/// server: by URI).
#[derive(Clone, Debug)]
pub struct OpenFile<K> {
    pub key: K,
    pub session: u64,
    pub version: i32,
    pub file: Arc<FileModel>,
    pub syntax: Arc<[SyntaxIssue]>,
}

/// The files under one workspace folder (or, for the loose project, outside all of them).
#[derive(Debug)]
pub struct Project<K> {
    root: Option<PathBuf>,
    /// The directory of the `xsguard.toml` in use (exclude patterns are relative to it).
    config_dir: Option<PathBuf>,
    /// The index the rules see.
    pub ws: Workspace,
    /// Files as read from disk.
    disk: HashMap<String, Arc<FileModel>>,
    /// Open documents by path.
    open: HashMap<String, OpenFile<K>>,
    /// What each file in `ws` declares for the others: with its place, and its text alone.
    fingerprints: HashMap<String, (u64, u64)>,
    /// Bumped whenever what some file declares changes other than by moving in its file.
    declared_generation: u64,
    /// The file whose change bumped `declared_generation` last.
    declared_by: Option<String>,
    /// When each file in `ws` was last replaced, from one counter across projects.
    generations: HashMap<String, u64>,
    excluded: GlobSet,
    /// Why `xsguard.toml` was not used, if it was not.
    pub config_error: Option<ConfigError>,
    /// Rule severities as `xsguard.toml` sets them.
    file_severity: BTreeMap<String, RuleLevel>,
    /// Rule severities as the editor settings set them; they win.
    editor_severity: BTreeMap<String, RuleLevel>,
    /// `ws` needs a `reindex` before use.
    stale: bool,
}

/// What loading a folder will read, found before reading it (to know whether to show progress).
#[derive(Debug)]
pub struct Plan {
    pub root: PathBuf,
    /// Where its `xsguard.toml` is, or would be: the folder or the nearest directory above it
    /// that has one, as `xsguard check` looks for it.
    pub config_dir: PathBuf,
    pub config: Result<Config, ConfigError>,
    pub files: Vec<PathBuf>,
}

/// Folders a document's workspace may be looked for in, walking at most this many entries
/// (see [`Plan::for_file`]).
const LOOSE_WALK_LIMIT: usize = 50_000;

impl Plan {
    /// Reads the folder's settings and lists its `.xs` files, as `xsguard check` would.
    pub fn discover(root: &Path) -> Self {
        let files = crate::workspace::files::discover(&[root.to_path_buf()])
            .files
            .into_iter()
            .map(|f| f.path)
            .collect();
        Self::with_files(root, files)
    }

    /// The workspaces of a folder the client watches, as `xsguard check <folder>` finds them:
    /// one per root below it, or the whole workspace it lies in.
    pub fn for_folder(folder: &Path) -> Vec<Self> {
        let mut finder = RootFinder::new();
        let resolved = resolve(folder);
        workspaces_in(folder, &mut finder)
            .into_iter()
            .map(|(root, found)| Self::named_from(folder, &resolved, &root.dir, found))
            .collect()
    }

    /// The workspace of a document that no project holds, found from the document itself;
    /// `None` when it has no folder on disk or finding it would walk too much.
    pub fn for_file(file: &Path) -> Option<Self> {
        let folder = file.parent().filter(|folder| folder.is_dir())?;
        let resolved = resolve(folder);
        let mut finder = RootFinder::new();
        let (root, found) = workspace_of_file(file, LOOSE_WALK_LIMIT, &mut finder)?;
        Some(Self::named_from(folder, &resolved, &root.dir, found))
    }

    /// A plan for the workspace at `root` (resolved), its paths named as seen from `given`
    /// (whose resolved path is `resolved`): documents come with the client's paths, which
    /// need not be resolved, and a file must have one name in the index.
    fn named_from(given: &Path, resolved: &Path, root: &Path, found: Discovery) -> Self {
        let shown = seen_from(given, resolved, root);
        let files = found
            .files
            .into_iter()
            .map(|f| match f.canonical.strip_prefix(root) {
                Ok(relative) => shown.join(relative),
                Err(_) => f.path,
            })
            .collect();
        Self::with_files(&shown, files)
    }

    fn with_files(root: &Path, files: Vec<PathBuf>) -> Self {
        let config_dir = root
            .ancestors()
            .find(|dir| dir.join(CONFIG_FILE).is_file())
            .unwrap_or(root)
            .to_path_buf();
        let config = Config::discover(&config_dir, rules::is_known);
        let excluded = config
            .as_ref()
            .map(Config::exclude_matcher)
            .unwrap_or_else(|_| GlobSet::empty());
        let files = files
            .into_iter()
            .filter(|file| !is_excluded(&excluded, Some(&config_dir), file))
            .collect();
        Self {
            root: root.to_path_buf(),
            config_dir,
            config,
            files,
        }
    }
}

/// The resolved folder `dir` as named from `given` (resolved: `resolved`): below it, or one
/// of its ancestors, when those resolve to `dir`; else `dir` itself.
fn seen_from(given: &Path, resolved: &Path, dir: &Path) -> PathBuf {
    if let Ok(relative) = dir.strip_prefix(resolved) {
        return if relative.as_os_str().is_empty() {
            given.to_path_buf()
        } else {
            given.join(relative)
        };
    }
    if let Ok(relative) = resolved.strip_prefix(dir) {
        let up = relative.components().count();
        if let Some(ancestor) = given.ancestors().nth(up)
            && resolve(ancestor) == dir
        {
            return ancestor.to_path_buf();
        }
    }
    dir.to_path_buf()
}

impl<K: Clone> Project<K> {
    /// A project with no files: the loose one, or a folder before it is loaded.
    pub fn empty(root: Option<PathBuf>) -> Self {
        Self {
            config_dir: root.clone(),
            root,
            ws: Workspace::new(Config::default()),
            disk: HashMap::new(),
            open: HashMap::new(),
            fingerprints: HashMap::new(),
            declared_generation: 0,
            declared_by: None,
            generations: HashMap::new(),
            excluded: GlobSet::empty(),
            config_error: None,
            file_severity: BTreeMap::new(),
            editor_severity: BTreeMap::new(),
            stale: false,
        }
    }

    /// Reads and models the files of a plan in parallel, counting them in `done`.
    pub fn load(plan: Plan, done: &AtomicUsize) -> Self {
        let mut project = Self::empty(Some(plan.root));
        project.config_dir = Some(plan.config_dir);
        project.set_config(plan.config);
        let models: Vec<Arc<FileModel>> = plan
            .files
            .par_iter()
            .filter_map(|path| {
                let bytes = std::fs::read(path).ok();
                done.fetch_add(1, Ordering::Relaxed);
                Some(Arc::new(read_model(path, bytes?)))
            })
            .collect();
        for model in models {
            project
                .fingerprints
                .insert(model.path.clone(), fingerprint(&model));
            project.ws.insert(model.clone());
            project.disk.insert(model.path.clone(), model);
        }
        project.refresh();
        project
    }

    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// The `xsguard.toml` this folder uses (or would use).
    pub fn config_file(&self) -> Option<PathBuf> {
        Some(self.config_dir.as_ref()?.join(CONFIG_FILE))
    }

    /// Whether `path` lies in this project's folder.
    pub fn contains(&self, path: &str) -> bool {
        self.root
            .as_deref()
            .is_some_and(|root| Path::new(path).starts_with(root))
    }

    /// Whether `xsguard.toml` excludes `path` from checking.
    pub fn is_excluded(&self, path: &str) -> bool {
        is_excluded(&self.excluded, self.config_dir.as_deref(), Path::new(path))
    }

    /// Uses new settings (or the defaults, keeping the error, when they could not be read).
    pub fn set_config(&mut self, config: Result<Config, ConfigError>) {
        let config = match config {
            Ok(config) => {
                self.config_error = None;
                config
            }
            Err(error) => {
                self.config_error = Some(error);
                Config::default()
            }
        };
        self.excluded = config.exclude_matcher();
        self.file_severity = config.severity.clone();
        self.ws.config = config;
        self.apply_severity();
        self.stale = true;
    }

    /// Uses the editor's rule severities.
    pub fn set_editor_severity(&mut self, severity: BTreeMap<String, RuleLevel>) {
        self.editor_severity = severity;
        self.apply_severity();
    }

    fn apply_severity(&mut self) {
        let mut merged = self.file_severity.clone();
        merged.extend(self.editor_severity.iter().map(|(k, v)| (k.clone(), *v)));
        self.ws.config.severity = merged;
    }

    /// Puts an open document's latest version in place of its file. Returns whether what it
    /// declares for other files changed.
    pub fn update_open(&mut self, open: OpenFile<K>) -> bool {
        let path = open.file.path.clone();
        let file = open.file.clone();
        self.open.insert(path.clone(), open);
        if self.is_excluded(&path) {
            return false;
        }
        self.put(&path, Some(file))
    }

    /// Returns a closed document's path to its file on disk. Returns whether what it declares
    /// changed.
    pub fn close(&mut self, path: &str) -> bool {
        if self.open.remove(path).is_none() || self.is_excluded(path) {
            return false;
        }
        let on_disk = self.disk.get(path).cloned();
        self.put(path, on_disk)
    }

    /// Records a file's new contents on disk (`None`: deleted). An open document keeps standing
    /// in for it. Returns whether what the workspace sees declared changed.
    pub fn update_disk(&mut self, path: &str, model: Option<Arc<FileModel>>) -> bool {
        match &model {
            Some(model) => self.disk.insert(path.to_string(), model.clone()),
            None => self.disk.remove(path),
        };
        if self.open.contains_key(path) || self.is_excluded(path) {
            return false;
        }
        self.put(path, model)
    }

    /// Replaces (or removes) the file the rules see at `path`.
    ///
    /// The by-name maps hold only what files declare for others, so they need rebuilding only
    /// when that changed: typing inside an endpoint costs no reindex.
    fn put(&mut self, path: &str, model: Option<Arc<FileModel>>) -> bool {
        let before = self.fingerprints.get(path).copied();
        let after = model.as_deref().map(fingerprint);
        match model {
            Some(model) => self.ws.insert(model),
            None => {
                self.ws.remove(path);
            }
        }
        match after {
            Some(f) => self.fingerprints.insert(path.to_string(), f),
            None => self.fingerprints.remove(path),
        };
        self.generations
            .insert(path.to_string(), GENERATION.fetch_add(1, Ordering::Relaxed));
        let (before, after) = (before.unwrap_or(EMPTY), after.unwrap_or(EMPTY));
        if before.1 != after.1 {
            self.declared_generation += 1;
            self.declared_by = Some(path.to_string());
        }
        let changed = before != after;
        self.stale |= changed;
        changed
    }

    /// Changes whenever what a file declares for others changes in content (not when it only
    /// moves within its file).
    pub fn declared_generation(&self) -> u64 {
        self.declared_generation
    }

    /// The newest [`Project::generation`] of the files other than `path`.
    pub fn newest_generation_except(&self, path: &str) -> u64 {
        self.generations
            .iter()
            .filter(|(p, _)| p.as_str() != path)
            .map(|(_, g)| *g)
            .max()
            .unwrap_or(0)
    }

    /// The file whose change last changed [`Project::declared_generation`].
    pub fn declared_by(&self) -> Option<&str> {
        self.declared_by.as_deref()
    }

    /// When the file at `path` was last replaced (0: never, or not in this project).
    pub fn generation(&self, path: &str) -> u64 {
        self.generations.get(path).copied().unwrap_or(0)
    }

    /// Rebuilds the by-name maps after changes.
    pub fn refresh(&mut self) {
        if self.stale {
            self.ws.reindex();
            self.stale = false;
        }
    }

    pub fn open_file(&self, path: &str) -> Option<&OpenFile<K>> {
        self.open.get(path)
    }

    pub fn open_files(&self) -> impl Iterator<Item = &OpenFile<K>> {
        self.open.values()
    }

    /// Files read from disk.
    pub fn disk_file_count(&self) -> usize {
        self.disk.len()
    }
}

/// The model of a file on disk. Unlike an open document, its syntax errors are not needed:
/// nothing is reported for a file nobody has open.
pub fn read_model(path: &Path, bytes: Vec<u8>) -> FileModel {
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    FileModel::new(path.to_string_lossy(), &crate::syntax::parse(text))
}

/// Counts replacements of files in every project (see [`Project::generation`]).
static GENERATION: AtomicU64 = AtomicU64::new(1);

/// The fingerprints of a file that declares nothing.
const EMPTY: (u64, u64) = (0, 0);

/// Hashes of what a file declares for other files, every object but endpoints: with each
/// object's place (rules point into other files by byte range), and of their text alone.
fn fingerprint(file: &FileModel) -> (u64, u64) {
    let mut placed = DefaultHasher::new();
    let mut text = DefaultHasher::new();
    let mut any = false;
    for object in &file.model.objects {
        if object.kind.value == "query" {
            continue;
        }
        any = true;
        let source = file.text.get(object.span.clone());
        object.span.start.hash(&mut placed);
        source.hash(&mut placed);
        source.hash(&mut text);
    }
    if any {
        (placed.finish().max(1), text.finish().max(1))
    } else {
        EMPTY
    }
}

fn is_excluded(excluded: &GlobSet, root: Option<&Path>, path: &Path) -> bool {
    if excluded.is_empty() {
        return false;
    }
    let relative = root
        .and_then(|root| path.strip_prefix(root).ok())
        .unwrap_or(path);
    excluded.is_match(relative)
}

/// Every project: one per workspace folder, and one for documents outside all of them.
#[derive(Debug)]
pub struct Index<K> {
    folders: Vec<Project<K>>,
    loose: Project<K>,
    /// The editor's rule severities, given to every project.
    editor_severity: BTreeMap<String, RuleLevel>,
}

impl<K: Clone> Default for Index<K> {
    fn default() -> Self {
        Self {
            folders: Vec::new(),
            loose: Project::empty(None),
            editor_severity: BTreeMap::new(),
        }
    }
}

impl<K: Clone> Index<K> {
    /// Uses the editor's rule severities in every project.
    pub fn set_editor_severity(&mut self, severity: BTreeMap<String, RuleLevel>) {
        for project in self.projects_mut() {
            project.set_editor_severity(severity.clone());
        }
        self.editor_severity = severity;
    }

    /// Adds (or replaces) the project of a folder. Open documents of the folder that other
    /// projects held move to it.
    pub fn add(&mut self, mut project: Project<K>) {
        let Some(root) = project.root.clone() else {
            return;
        };
        self.remove(&root);
        project.set_editor_severity(self.editor_severity.clone());
        let moving: Vec<OpenFile<K>> = self
            .projects()
            .flat_map(|p| p.open_files())
            .filter(|o| Path::new(&o.file.path).starts_with(&root))
            .cloned()
            .collect();
        for open in moving {
            self.project_for_mut(&open.file.path).close(&open.file.path);
            project.update_open(open);
        }
        self.folders.push(project);
        // The deepest folder claims a file first.
        self.folders
            .sort_by_key(|p| std::cmp::Reverse(p.root.as_ref().map_or(0, |r| r.as_os_str().len())));
        for project in self.projects_mut() {
            project.refresh();
        }
    }

    /// Drops the project of a folder; its open documents move to the project that now holds
    /// their path.
    pub fn remove(&mut self, root: &Path) -> Option<Project<K>> {
        let at = self
            .folders
            .iter()
            .position(|p| p.root.as_deref() == Some(root))?;
        let removed = self.folders.remove(at);
        for open in removed.open_files() {
            self.project_for_mut(&open.file.path)
                .update_open(open.clone());
        }
        for project in self.projects_mut() {
            project.refresh();
        }
        Some(removed)
    }

    /// The folders with a project.
    pub fn roots(&self) -> Vec<PathBuf> {
        self.folders.iter().filter_map(|p| p.root.clone()).collect()
    }

    /// The project that holds `path`.
    pub fn project_for(&self, path: &str) -> &Project<K> {
        self.folders
            .iter()
            .find(|p| p.contains(path))
            .unwrap_or(&self.loose)
    }

    pub fn project_for_mut(&mut self, path: &str) -> &mut Project<K> {
        match self.folders.iter().position(|p| p.contains(path)) {
            Some(at) => &mut self.folders[at],
            None => &mut self.loose,
        }
    }

    /// The project of a folder.
    pub fn project_at_mut(&mut self, root: &Path) -> Option<&mut Project<K>> {
        self.folders
            .iter_mut()
            .find(|p| p.root.as_deref() == Some(root))
    }

    pub fn projects(&self) -> impl Iterator<Item = &Project<K>> {
        self.folders.iter().chain(std::iter::once(&self.loose))
    }

    pub fn projects_mut(&mut self) -> impl Iterator<Item = &mut Project<K>> {
        self.folders
            .iter_mut()
            .chain(std::iter::once(&mut self.loose))
    }

    /// The folders an `xsguard.toml` at `path` may apply to: those at or below its directory.
    pub fn config_users(&self, path: &Path) -> Vec<PathBuf> {
        let Some(dir) = path
            .parent()
            .filter(|_| path.file_name().is_some_and(|n| n == CONFIG_FILE))
        else {
            return Vec::new();
        };
        self.folders
            .iter()
            .filter_map(|p| p.root.clone())
            .filter(|root| root.starts_with(dir))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(path: &str, version: i32, text: &str) -> OpenFile<String> {
        OpenFile {
            key: format!("file://{path}"),
            session: 1,
            version,
            file: Arc::new(FileModel::parse(path, text)),
            syntax: Vec::new().into(),
        }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xsguard-index-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("tables")).unwrap();
        dir
    }

    const POST: &str = "table post {\n  schema {\n    int id\n  }\n}\n";
    const POST_OWNED: &str = "table post {\n  schema {\n    int id\n    int user_id\n  }\n}\n";
    const QUERY: &str =
        "query posts verb=GET {\n  stack {\n    db.query post as $p\n  }\n  response = $p\n}\n";

    #[test]
    fn loads_a_folder_and_tracks_declarations() {
        let dir = temp_dir("load");
        std::fs::write(dir.join("tables/post.xs"), POST).unwrap();
        std::fs::write(dir.join("xsguard.toml"), "exclude = [\"vendor/**\"]\n").unwrap();
        std::fs::create_dir_all(dir.join("vendor")).unwrap();
        std::fs::write(dir.join("vendor/x.xs"), POST_OWNED).unwrap();
        let plan = Plan::discover(&dir);
        assert_eq!(plan.files.len(), 1, "{:?}", plan.files);
        let done = AtomicUsize::new(0);
        let mut index = Index::<String>::default();
        index.add(Project::load(plan, &done));
        assert_eq!(done.load(Ordering::Relaxed), 1);

        let table_path = dir.join("tables/post.xs").to_string_lossy().into_owned();
        let query_path = dir.join("q.xs").to_string_lossy().into_owned();
        let project = index.project_for_mut(&query_path);
        assert!(project.ws.table("post").is_some());
        assert!(project.ws.owner_field("post").is_none());

        // An endpoint declares nothing for others; editing the table does.
        assert!(!project.update_open(open(&query_path, 1, QUERY)));
        assert!(project.update_open(open(&table_path, 1, POST_OWNED)));
        project.refresh();
        assert_eq!(project.ws.owner_field("post").unwrap().name, "user_id");
        // Closing the table returns to the file on disk.
        assert!(project.close(&table_path));
        project.refresh();
        assert!(project.ws.owner_field("post").is_none());
        // A change on disk counts unless the file is open.
        let model = Arc::new(FileModel::parse(&table_path, POST_OWNED));
        assert!(project.update_disk(&table_path, Some(model)));
        // Opening it with the same declarations changes nothing for others.
        assert!(!project.update_open(open(&table_path, 2, POST_OWNED)));
        assert!(!project.update_disk(&table_path, None));
        assert!(project.is_excluded(&dir.join("vendor/y.xs").to_string_lossy()));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn settings_come_from_the_nearest_xsguard_toml_above() {
        let dir = temp_dir("upward");
        std::fs::write(dir.join("xsguard.toml"), "exclude = [\"app/gen/**\"]\n").unwrap();
        std::fs::create_dir_all(dir.join("app/gen")).unwrap();
        std::fs::write(dir.join("app/gen/x.xs"), POST).unwrap();
        std::fs::write(dir.join("app/y.xs"), POST).unwrap();
        let plan = Plan::discover(&dir.join("app"));
        assert_eq!(plan.config_dir, dir);
        assert_eq!(plan.files, [dir.join("app/y.xs")]);
        let mut index = Index::<String>::default();
        index.add(Project::load(plan, &AtomicUsize::new(0)));
        assert_eq!(
            index.config_users(&dir.join("xsguard.toml")),
            [dir.join("app")]
        );
        assert!(index.config_users(&dir.join("other.toml")).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn documents_outside_folders_go_to_the_loose_project() {
        let dir = temp_dir("loose");
        let mut index = Index::<String>::default();
        let outside = "/elsewhere/a.xs";
        index
            .project_for_mut(outside)
            .update_open(open(outside, 1, POST));
        index.add(Project::load(Plan::discover(&dir), &AtomicUsize::new(0)));
        assert!(index.project_for(outside).root().is_none());
        let inside = dir.join("b.xs").to_string_lossy().into_owned();
        index
            .project_for_mut(&inside)
            .update_open(open(&inside, 1, POST));
        index.project_for_mut(&inside).refresh();
        assert!(index.project_for(&inside).ws.table("post").is_some());
        // Removing the folder moves its open document to the loose project.
        index.remove(&dir).unwrap();
        assert!(index.project_for(&inside).open_file(&inside).is_some());
        assert!(index.project_for(&inside).root().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
