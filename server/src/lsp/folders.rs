//! The workspace folders on disk: reading them into the index (with progress for large
//! trees), following changes of their files, and showing problems of their `xsguard.toml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use tower_lsp_server::ls_types::{
    Diagnostic, DiagnosticSeverity, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, FileChangeType, FileSystemWatcher, GlobPattern,
    MessageType, NumberOrString, Position, Range as LspRange, Registration, Uri,
    WorkspaceFoldersChangeEvent,
};

use super::convert;
use super::index::{Plan, Project, read_model};
use super::shared::Event;
use super::shared::Shared;
use crate::syntax::{ColumnUnit, LineCol, LineIndex};
use crate::workspace::config::{CONFIG_FILE, ConfigError};

/// Folders with more `.xs` files than this show indexing progress.
const LARGE_TREE: usize = 100;

/// How often indexing progress is reported.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

impl Shared {
    /// Asks the client to report changes of `.xs` files and `xsguard.toml`.
    pub(super) async fn watch_files(&self) {
        if !self.support().watch_files {
            return;
        }
        let watchers = ["**/*.xs", &format!("**/{CONFIG_FILE}")]
            .into_iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.to_string()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: "xsguard-watch".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(error) = self.client.register_capability(vec![registration]).await {
            self.log(
                MessageType::WARNING,
                format!("cannot watch files ({error}); changes on disk are not seen"),
            )
            .await;
        }
    }

    /// Reads every `.xs` file under `roots` into the index, showing progress for large trees.
    pub(super) async fn index_folders(self: &Arc<Self>, roots: Vec<PathBuf>) {
        if roots.is_empty() {
            return;
        }
        let plans = tokio::task::spawn_blocking(move || {
            let mut plans: Vec<Plan> = Vec::new();
            for plan in roots.iter().flat_map(|folder| Plan::for_folder(folder)) {
                // Two folders inside one workspace give it once.
                if !plans.iter().any(|p| p.root == plan.root) {
                    plans.push(plan);
                }
            }
            plans
        })
        .await
        .unwrap_or_default();
        self.load_plans(plans).await;
    }

    /// Indexes the workspace of a document that no project holds, found from the document's
    /// own path (a client may give no folder, or open a file outside them), and checks the
    /// open documents again with it.
    pub(super) async fn locate(self: Arc<Self>, uri: Uri, path: PathBuf) {
        let indexed = self.find_workspace(path).await;
        self.locating.remove(&uri);
        self.located.notify_waiters();
        if indexed {
            self.send(Event::RecheckAll);
        } else {
            // It waited in the scheduler: check it now.
            self.send(Event::Changed(uri));
        }
    }

    /// [`Shared::locate`]'s search; whether it indexed a new workspace.
    async fn find_workspace(self: &Arc<Self>, path: PathBuf) -> bool {
        // Folders the client gave are indexed first: the document may be in one.
        self.wait_ready().await;
        let _one_at_a_time = self.locate_one.lock().await;
        let key = path.to_string_lossy().into_owned();
        if self
            .engine
            .read(|index| index.project_for(&key).root().is_some())
        {
            return false;
        }
        let plan = tokio::task::spawn_blocking(move || Plan::for_file(&path))
            .await
            .ok()
            .flatten();
        let Some(plan) = plan else {
            return false;
        };
        let known = self.engine.read(|index| index.roots().contains(&plan.root));
        if known || !Path::new(&key).starts_with(&plan.root) {
            return false;
        }
        self.load_plans(vec![plan]).await;
        true
    }

    /// Reads the files of `plans` into the index, one project each, showing progress for
    /// large trees.
    async fn load_plans(self: &Arc<Self>, plans: Vec<Plan>) {
        let total: usize = plans.iter().map(|p| p.files.len()).sum();
        let done = Arc::new(AtomicUsize::new(0));
        let (finished, progress) = tokio::sync::watch::channel(false);
        if total > LARGE_TREE && self.support().work_done_progress {
            tokio::spawn(self.clone().report_progress(total, done.clone(), progress));
        }
        let counter = done.clone();
        let projects = tokio::task::spawn_blocking(move || {
            plans
                .into_iter()
                .map(|plan| Project::load(plan, &counter))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        let roots: Vec<PathBuf> = projects
            .iter()
            .filter_map(|p| p.root().map(Path::to_path_buf))
            .collect();
        let shared = self.clone();
        // Each settings file with its error and its warnings (names of tables or columns that
        // the workspaces using it do not have), read once the projects are indexed.
        let configs = tokio::task::spawn_blocking(move || {
            let mut configs: BTreeMap<PathBuf, (Option<ConfigError>, Vec<ConfigError>)> =
                BTreeMap::new();
            shared.engine.update(|index| {
                for project in projects {
                    index.add(project);
                }
                for project in index.projects() {
                    let added = project.root().is_some_and(|r| roots.iter().any(|a| a == r));
                    let Some(file) = project.config_file().filter(|_| added) else {
                        continue;
                    };
                    let entry = configs.entry(file).or_default();
                    if entry.0.is_none() {
                        entry.0 = project.config_error.clone();
                    }
                    for warning in project.ws.config_warnings() {
                        if !entry.1.contains(&warning) {
                            entry.1.push(warning);
                        }
                    }
                }
                true
            });
            configs
        })
        .await
        .unwrap_or_default();
        let _ = finished.send(true);
        for (path, (error, warnings)) in configs {
            self.publish_config(&path, error, warnings).await;
        }
    }

    /// Shows indexing progress until `finished`, once the client has accepted the progress
    /// token. Indexing never waits for that answer: a client that does not give it sees no
    /// progress, and nothing else changes.
    async fn report_progress(
        self: Arc<Self>,
        total: usize,
        done: Arc<AtomicUsize>,
        mut finished: tokio::sync::watch::Receiver<bool>,
    ) {
        let token = NumberOrString::String(format!(
            "xsguard-index-{}",
            self.progress_tokens.fetch_add(1, Ordering::Relaxed)
        ));
        if self
            .client
            .create_work_done_progress(token.clone())
            .await
            .is_err()
        {
            return;
        }
        let progress = self
            .client
            .progress(token, "xsguard: indexing")
            .with_percentage(0)
            .with_message(format!("0/{total} files"))
            .begin()
            .await;
        while !*finished.borrow() {
            tokio::select! {
                changed = finished.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
                () = tokio::time::sleep(PROGRESS_INTERVAL) => {
                    let n = done.load(Ordering::Relaxed);
                    let percentage = (n * 100 / total.max(1)) as u32;
                    progress
                        .report_with_message(format!("{n}/{total} files"), percentage)
                        .await;
                }
            }
        }
        progress
            .finish_with_message(format!("{total} files indexed"))
            .await;
    }

    /// Shows (or clears) the problems of an `xsguard.toml` as diagnostics on it: the error that
    /// keeps it from being used, and warnings about entries that name nothing.
    async fn publish_config(
        &self,
        path: &Path,
        error: Option<ConfigError>,
        warnings: Vec<ConfigError>,
    ) {
        let Some(uri) = convert::uri_of(&path.to_string_lossy()) else {
            return;
        };
        let had_problems = self
            .config_errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&uri);
        if error.is_none() && warnings.is_empty() {
            if had_problems {
                self.config_errors
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(&uri);
                self.client.publish_diagnostics(uri, Vec::new(), None).await;
            }
            return;
        }
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let index = LineIndex::new(&text);
        let diagnostic = |problem: &ConfigError, severity, message: String| Diagnostic {
            range: self.config_range(&index, problem.position),
            severity: Some(severity),
            source: Some(super::diagnostics::SOURCE.to_string()),
            message,
            ..Default::default()
        };
        let mut diagnostics = Vec::new();
        if let Some(error) = &error {
            diagnostics.push(diagnostic(
                error,
                DiagnosticSeverity::ERROR,
                format!("{}; default settings are used", error.message),
            ));
        }
        for warning in &warnings {
            diagnostics.push(diagnostic(
                warning,
                DiagnosticSeverity::WARNING,
                warning.message.clone(),
            ));
        }
        self.config_errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(uri.clone());
        self.client
            .publish_diagnostics(uri, diagnostics, None)
            .await;
        if let Some(error) = error {
            self.client
                .show_message(MessageType::WARNING, format!("xsguard: {error}"))
                .await;
        }
    }

    /// The rest of the line from a 1-based line and column in a settings file.
    fn config_range(&self, index: &LineIndex, position: Option<(usize, usize)>) -> LspRange {
        let Some((line, column)) = position else {
            return LspRange::new(Position::new(0, 0), Position::new(0, 0));
        };
        let start = index.offset(
            LineCol::new(
                line.saturating_sub(1) as u32,
                column.saturating_sub(1) as u32,
            ),
            ColumnUnit::Char,
        );
        let end = index
            .line_range(index.line_of(start))
            .map_or(start, |r| r.end);
        convert::range(index, &(start..end), self.encoding())
    }

    /// Applies changes of files on disk to the index.
    pub(super) async fn files_changed(self: &Arc<Self>, params: DidChangeWatchedFilesParams) {
        let mut configs: Vec<PathBuf> = Vec::new();
        let mut sources: Vec<(String, Option<Vec<u8>>)> = Vec::new();
        for change in params.changes {
            let Some(path) = convert::file_path(&change.uri).map(|p| p.into_owned()) else {
                continue;
            };
            if path.file_name().is_some_and(|n| n == CONFIG_FILE) {
                configs.push(path);
            } else if path.extension().is_some_and(|e| e == "xs") {
                let bytes = if change.typ == FileChangeType::DELETED {
                    None
                } else {
                    std::fs::read(&path).ok()
                };
                sources.push((path.to_string_lossy().into_owned(), bytes));
            }
        }
        // Settings decide which files count, so a folder whose settings changed is read again.
        let mut roots: Vec<PathBuf> = self
            .engine
            .read(|index| configs.iter().flat_map(|c| index.config_users(c)).collect());
        roots.sort();
        roots.dedup();
        if !roots.is_empty() {
            self.index_folders(roots).await;
        }
        if sources.is_empty() {
            if !configs.is_empty() {
                self.send(Event::RecheckAll);
            }
            return;
        }
        let shared = self.clone();
        let changed = tokio::task::spawn_blocking(move || {
            let models: Vec<(String, Option<_>)> = sources
                .into_iter()
                .map(|(path, bytes)| {
                    let model = bytes.map(|bytes| Arc::new(read_model(Path::new(&path), bytes)));
                    (path, model)
                })
                .collect();
            shared.engine.update(|index| {
                let mut changed = false;
                for (path, model) in models {
                    let project = index.project_for_mut(&path);
                    if project.root().is_some() {
                        changed |= project.update_disk(&path, model);
                    }
                }
                changed
            })
        })
        .await
        .unwrap_or(true);
        if changed || !configs.is_empty() {
            self.send(Event::RecheckAll);
        }
    }

    /// Folders added to and removed from the workspace.
    pub(super) async fn change_folders(self: &Arc<Self>, event: WorkspaceFoldersChangeEvent) {
        let removed: Vec<PathBuf> = event
            .removed
            .iter()
            .filter_map(|f| convert::file_path(&f.uri).map(|p| p.into_owned()))
            .collect();
        let added: Vec<PathBuf> = event
            .added
            .iter()
            .filter_map(|f| convert::file_path(&f.uri).map(|p| p.into_owned()))
            .collect();
        {
            let mut roots = self.roots.lock().unwrap_or_else(PoisonError::into_inner);
            roots.retain(|r| !removed.contains(r));
            roots.extend(added.iter().cloned());
        }
        let shared = self.clone();
        let _ = tokio::task::spawn_blocking(move || {
            shared.engine.update(|index| {
                let mut changed = false;
                // A folder may hold several workspaces; those it brought in from above it stay
                // while a document of theirs may still be open.
                for folder in &removed {
                    for root in index.roots() {
                        if root.starts_with(folder) {
                            changed |= index.remove(&root).is_some();
                        }
                    }
                }
                changed
            })
        })
        .await;
        self.index_folders(added).await;
        self.send(Event::RecheckAll);
    }
}
