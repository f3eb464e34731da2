//! Analysis of open documents against the workspace index, and the results kept for code
//! actions, hover and pulled diagnostics.
//!
//! Everything here is synchronous and may take milliseconds: callers run it on a blocking
//! thread, never on the message loop.

use std::collections::{BTreeMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

use dashmap::DashMap;
use rayon::prelude::*;
use tower_lsp_server::ls_types::{Diagnostic, Uri};

use super::convert::Encoding;
use super::diagnostics::to_diagnostic;
use super::documents::{Snapshot, panic_message};
use super::index::{Index, Project};
use crate::finding::Finding;
use crate::host::check::{CheckedFile, SyntaxIssue, check_file};
use crate::host::reuse::{Reusable, check_reusing};
use crate::rules::RuleSelection;
use crate::workspace::config::RuleLevel;
use crate::workspace::{FileModel, Workspace};

/// Checks one file of a workspace; [`check_file`] unless a test swaps it.
pub type Checker = fn(&FileModel, &[SyntaxIssue], &Workspace, &RuleSelection) -> CheckedFile;

/// The findings of one version of one open document.
#[derive(Debug)]
pub struct Analysis {
    pub uri: Uri,
    pub session: u64,
    pub version: i32,
    /// The [`Engine`] epoch the findings were computed in.
    pub epoch: u64,
    pub file: Arc<FileModel>,
    /// How many syntax errors the text has: a fix may not add one.
    pub syntax_errors: usize,
    pub findings: Vec<Finding>,
    /// The findings as diagnostics, in the same order.
    pub diagnostics: Vec<Diagnostic>,
    /// What the next analysis of the document may take over.
    reusable: Reusable,
}

impl Analysis {
    /// How many objects took their findings over from the previous analysis.
    pub fn reused_objects(&self) -> usize {
        self.reusable.reused
    }
}

/// What one round of analysis produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub analyses: Vec<Arc<Analysis>>,
    /// Some document changed what it declares for others, so other open documents were checked
    /// again too.
    pub declarations_changed: bool,
    /// Internal errors not reported before.
    pub problems: Vec<String>,
}

/// The index, the rule selection and the latest analysis of each open document.
pub struct Engine {
    index: RwLock<Index>,
    selection: RwLock<Arc<RuleSelection>>,
    encoding: Arc<OnceLock<Encoding>>,
    cache: DashMap<Uri, Arc<Analysis>>,
    /// Bumped whenever something other than a document's own text may change its findings
    /// (declarations, files on disk, settings): analyses of an older epoch are stale.
    epoch: AtomicU64,
    /// Bumped with `epoch` except when declarations only moved within their file: findings
    /// kept for reuse stay good then (see [`super::reuse`]).
    settings_epoch: AtomicU64,
    /// Replaces the object-by-object check with reuse, for tests.
    checker: Option<Checker>,
    reported: Mutex<HashSet<String>>,
}

impl Engine {
    pub fn new(encoding: Arc<OnceLock<Encoding>>) -> Self {
        Self {
            index: RwLock::new(Index::default()),
            selection: RwLock::new(Arc::new(RuleSelection::all())),
            encoding,
            cache: DashMap::new(),
            epoch: AtomicU64::new(0),
            settings_epoch: AtomicU64::new(0),
            checker: None,
            reported: Mutex::new(HashSet::new()),
        }
    }

    /// An engine that checks files with `checker`, whole, keeping nothing for reuse.
    pub fn with_checker(encoding: Arc<OnceLock<Encoding>>, checker: Checker) -> Self {
        Self {
            checker: Some(checker),
            ..Self::new(encoding)
        }
    }

    fn encoding(&self) -> Encoding {
        self.encoding.get().copied().unwrap_or_default()
    }

    /// Reads the index.
    pub fn read<R>(&self, f: impl FnOnce(&Index) -> R) -> R {
        f(&self.index.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Changes the index; `f` returns whether findings of open documents may change, and if so
    /// their analyses become stale.
    pub fn update(&self, f: impl FnOnce(&mut Index) -> bool) -> bool {
        let changed = self.update_index(f);
        if changed {
            self.invalidate();
        }
        changed
    }

    fn update_index(&self, f: impl FnOnce(&mut Index) -> bool) -> bool {
        let mut index = self.index.write().unwrap_or_else(PoisonError::into_inner);
        let changed = f(&mut index);
        for project in index.projects_mut() {
            project.refresh();
        }
        changed
    }

    /// Marks every analysis stale, and every finding kept for reuse.
    pub fn invalidate(&self) {
        self.settings_epoch.fetch_add(1, Ordering::SeqCst);
        self.epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// Uses the editor's rule severities (over those of `xsguard.toml`).
    pub fn set_editor_severity(&self, severity: BTreeMap<String, RuleLevel>) {
        self.update(|index| {
            index.set_editor_severity(severity);
            true
        });
    }

    pub fn set_selection(&self, selection: RuleSelection) {
        *self
            .selection
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(selection);
        self.invalidate();
    }

    /// The latest analysis of a document, if it is still current for `snapshot`.
    pub fn cached(&self, snapshot: &Snapshot) -> Option<Arc<Analysis>> {
        let analysis = self.cache.get(&snapshot.uri)?.clone();
        let current = analysis.session == snapshot.session
            && analysis.version == snapshot.version
            && analysis.epoch == self.epoch.load(Ordering::SeqCst);
        current.then_some(analysis)
    }

    /// The analysis of a snapshot: the cached one if current, else a fresh one. `None` when
    /// the document was closed meanwhile.
    pub fn analysis(&self, snapshot: Snapshot) -> Option<(Arc<Analysis>, Outcome)> {
        if let Some(analysis) = self.cached(&snapshot) {
            return Some((analysis, Outcome::default()));
        }
        let uri = snapshot.uri.clone();
        let outcome = self.analyze(vec![snapshot]);
        let analysis = outcome.analyses.iter().find(|a| a.uri == uri).cloned()?;
        Some((analysis, outcome))
    }

    /// Drops what is known of a closed document; returns whether other open documents need
    /// checking again.
    pub fn close(&self, uri: &Uri, path: &str) -> bool {
        self.cache.remove(uri);
        self.update(|index| index.project_for_mut(path).close(path))
    }

    /// Puts the snapshots in the index and checks them, and, when one changed what it declares
    /// for other files, every other open document of its project.
    pub fn analyze(&self, snapshots: Vec<Snapshot>) -> Outcome {
        let mut problems: Vec<String> = snapshots.iter().filter_map(|s| s.fault.clone()).collect();
        let mut targets: Vec<String> = snapshots.iter().map(|s| s.file.path.clone()).collect();
        let mut declarations_changed = false;
        // Declarations that changed in content are seen by the reuse of findings through the
        // project's declared generation; so only the analyses become stale here.
        self.update_index(|index| {
            for snapshot in &snapshots {
                let project = index.project_for_mut(&snapshot.file.path);
                if project.update_open(snapshot.into()) {
                    declarations_changed = true;
                    targets.extend(project.open_files().map(|o| o.file.path.clone()));
                }
            }
            declarations_changed
        });
        if declarations_changed {
            self.epoch.fetch_add(1, Ordering::SeqCst);
        }
        targets.sort();
        targets.dedup();

        let epoch = self.epoch.load(Ordering::SeqCst);
        let selection = self
            .selection
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let encoding = self.encoding();
        let settings = self.settings_epoch.load(Ordering::SeqCst);
        let index = self.index.read().unwrap_or_else(PoisonError::into_inner);
        let analyse = |path: &String| {
            let project = index.project_for(path);
            let open = project.open_file(path)?;
            let previous = self.cache.get(&open.key).map(|a| a.clone());
            let previous = previous.as_deref().map(|a| (a.file.as_ref(), &a.reusable));
            let (findings, errors, reusable) = if project.is_excluded(path) {
                (Vec::new(), Vec::new(), Reusable::default())
            } else {
                self.check(
                    &open.file,
                    &open.syntax,
                    project,
                    &selection,
                    settings,
                    previous,
                )
            };
            let diagnostics = findings
                .iter()
                .map(|f| to_diagnostic(f, &open.key, &open.file, &project.ws, encoding))
                .collect();
            let analysis = Arc::new(Analysis {
                uri: open.key.clone(),
                session: open.session,
                version: open.version,
                epoch,
                file: open.file.clone(),
                syntax_errors: open.syntax.len(),
                findings,
                diagnostics,
                reusable,
            });
            Some((analysis, errors))
        };
        // One document (a keystroke) is checked on this thread: handing it to the pool would
        // only add a hop.
        let results: Vec<(Arc<Analysis>, Vec<String>)> = if targets.len() == 1 {
            targets.iter().filter_map(analyse).collect()
        } else {
            targets.par_iter().filter_map(analyse).collect()
        };
        drop(index);

        let mut analyses = Vec::with_capacity(results.len());
        for (analysis, errors) in results {
            problems.extend(errors);
            self.store(&analysis);
            analyses.push(analysis);
        }
        Outcome {
            analyses,
            declarations_changed,
            problems: self.first_reports(problems),
        }
    }

    /// Checks a file, reusing what it can of `previous`, and turns a panic outside the rules
    /// (which the checks already guard) into an internal error too.
    fn check(
        &self,
        file: &FileModel,
        syntax: &[SyntaxIssue],
        project: &Project,
        selection: &RuleSelection,
        settings: u64,
        previous: Option<(&FileModel, &Reusable)>,
    ) -> (Vec<Finding>, Vec<String>, Reusable) {
        match catch_unwind(AssertUnwindSafe(|| match self.checker {
            Some(checker) => (
                checker(file, syntax, &project.ws, selection),
                Reusable::default(),
            ),
            None => check_reusing(file, syntax, project, selection, settings, previous),
        })) {
            Ok((checked, reusable)) => (checked.findings, checked.internal_errors, reusable),
            Err(panic) => (
                Vec::new(),
                vec![format!(
                    "internal error while checking `{}`: {}",
                    file.path,
                    panic_message(&*panic)
                )],
                Reusable::default(),
            ),
        }
    }

    /// Keeps an analysis unless a newer one of the same document is already kept.
    fn store(&self, analysis: &Arc<Analysis>) {
        let newer_kept = self.cache.get(&analysis.uri).is_some_and(|kept| {
            kept.session == analysis.session
                && (kept.version, kept.epoch) > (analysis.version, analysis.epoch)
        });
        if !newer_kept {
            self.cache.insert(analysis.uri.clone(), analysis.clone());
        }
    }

    /// The problems not reported before (a rule that fails on a file fails on every keystroke;
    /// the log gets it once).
    fn first_reports(&self, problems: Vec<String>) -> Vec<String> {
        let mut reported = self.reported.lock().unwrap_or_else(PoisonError::into_inner);
        problems
            .into_iter()
            .filter(|p| reported.insert(p.clone()))
            .collect()
    }

    /// Checks a text as if it were the document at `path` (for fixes applied in rounds).
    pub fn check_text(&self, path: &str, text: &str) -> Vec<Finding> {
        let tree = crate::syntax::parse(text.to_string());
        let file = FileModel::new(path.to_string(), &tree);
        let syntax = crate::host::check::syntax_issues(&tree);
        let selection = self
            .selection
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let index = self.index.read().unwrap_or_else(PoisonError::into_inner);
        let project = index.project_for(path);
        if project.is_excluded(path) {
            return Vec::new();
        }
        match self.checker {
            Some(checker) => checker(&file, &syntax, &project.ws, &selection).findings,
            None => check_file(&file, &syntax, &project.ws, &selection).findings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;
    use std::str::FromStr;

    fn snapshot(path: &str, version: i32, text: &str) -> Snapshot {
        let tree = parse(text);
        Snapshot {
            uri: Uri::from_str(&format!("file://{path}")).unwrap(),
            session: 1,
            version,
            file: Arc::new(FileModel::new(path, &tree)),
            syntax: crate::host::check::syntax_issues(&tree).into(),
            fault: None,
        }
    }

    const GROUP: &str = "api_group shop {\n  canonical = \"shop-v1\"\n}\n";

    /// Reports an internal error for every file, like `check_file` does when a rule panics.
    fn failing_rule(
        file: &FileModel,
        syntax: &[SyntaxIssue],
        ws: &Workspace,
        selection: &RuleSelection,
    ) -> CheckedFile {
        let mut checked = check_file(file, syntax, ws, selection);
        checked.internal_errors.push(format!(
            "internal error in rule XS999 while checking `{}`",
            file.path
        ));
        checked
    }

    fn panicking(
        file: &FileModel,
        _: &[SyntaxIssue],
        _: &Workspace,
        _: &RuleSelection,
    ) -> CheckedFile {
        if file.path.ends_with("bad.xs") {
            panic!("boom");
        }
        CheckedFile {
            path: file.path.clone(),
            text: file.text.clone(),
            findings: Vec::new(),
            internal_errors: Vec::new(),
            suppressed: Vec::new(),
        }
    }

    #[test]
    fn an_internal_error_is_reported_once_and_findings_survive() {
        let engine = Engine::with_checker(Arc::default(), failing_rule);
        let first = engine.analyze(vec![snapshot("/w/g.xs", 1, GROUP)]);
        assert_eq!(first.problems.len(), 1);
        assert!(first.analyses[0].findings.iter().any(|f| f.code == "XS301"));
        let second = engine.analyze(vec![snapshot("/w/g.xs", 2, GROUP)]);
        assert!(second.problems.is_empty());
        assert_eq!(
            second.analyses[0].diagnostics.len(),
            first.analyses[0].diagnostics.len()
        );
    }

    #[test]
    fn a_panicking_checker_does_not_stop_other_documents() {
        let engine = Engine::with_checker(Arc::default(), panicking);
        let outcome = engine.analyze(vec![
            snapshot("/w/bad.xs", 1, GROUP),
            snapshot("/w/good.xs", 1, GROUP),
        ]);
        assert_eq!(outcome.analyses.len(), 2);
        assert_eq!(outcome.problems.len(), 1);
        assert!(outcome.problems[0].contains("boom"));
    }

    #[test]
    fn analyses_are_cached_per_version_and_epoch() {
        let engine = Engine::new(Arc::default());
        let s1 = snapshot("/w/g.xs", 1, GROUP);
        let (a1, _) = engine.analysis(s1.clone()).unwrap();
        let (again, _) = engine.analysis(s1.clone()).unwrap();
        assert!(Arc::ptr_eq(&a1, &again));
        engine.set_selection(RuleSelection::from_selectors(&["XS0"], &[] as &[&str]).unwrap());
        assert!(engine.cached(&s1).is_none());
        let (a2, _) = engine.analysis(s1).unwrap();
        assert!(a2.findings.iter().all(|f| f.code != "XS301"));
    }

    #[test]
    fn a_changed_table_rechecks_other_open_documents() {
        let engine = Engine::new(Arc::default());
        let query =
            "query posts verb=GET {\n  stack {\n    db.query post as $p\n  }\n  response = $p\n}\n";
        engine.analyze(vec![snapshot("/w/q.xs", 1, query)]);
        let table = "table post {\n  schema {\n    int id\n    int user_id\n  }\n}\n";
        let outcome = engine.analyze(vec![snapshot("/w/t.xs", 1, table)]);
        assert!(outcome.declarations_changed);
        let mut uris: Vec<_> = outcome
            .analyses
            .iter()
            .map(|a| a.uri.as_str().to_string())
            .collect();
        uris.sort();
        assert_eq!(uris, ["file:///w/q.xs", "file:///w/t.xs"]);
    }
}
