//! Fix safety over every file the repository carries and the shared corpus of real XanoScript
//! (beside the checkout, when present), with every rule on:
//!
//! - every offered fix, applied alone, applies cleanly and adds no syntax error (XS000); for
//!   the corpus `tests/corpus.rs` does this part;
//! - fixing everything (`xsguard fix`, with and without `--unsafe-fixes`) adds no syntax error,
//!   and fixing a second time changes nothing.
//!
//! The workspaces: each rule's fixture folder (with its `xsguard.toml`), the syntax fixtures,
//! the examples, the grammar's samples, and each app of the corpus. A debug build checks every
//! fourth corpus app by default (the small ones); `XSGUARD_LONG=1` checks all of them.

use std::path::{Path, PathBuf};

use xsguard::host::check::{Source, check_sources};

mod common;
use common::{corpus_dir, xs_sources};
use xsguard::cli::fix::fix_all;
use xsguard::fix::apply_fix;
use xsguard::rules::RuleSelection;
use xsguard::syntax::{parse, syntax_errors};
use xsguard::workspace::Config;

fn long() -> bool {
    std::env::var_os("XSGUARD_LONG").is_some()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn subdirectories(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

struct Workspace {
    name: String,
    sources: Vec<Source>,
    config: Config,
}

fn workspace(dir: &Path, base: &Path) -> Workspace {
    Workspace {
        name: dir.strip_prefix(base).unwrap_or(dir).display().to_string(),
        sources: xs_sources(dir, base),
        config: Config::discover(dir, xsguard::rules::is_known).unwrap_or_else(|e| panic!("{e}")),
    }
}

/// The workspaces the repository carries.
fn carried() -> Vec<Workspace> {
    let root = root();
    let mut out: Vec<Workspace> = subdirectories(&root.join("server/tests/fixtures/rules"))
        .iter()
        .map(|dir| workspace(dir, &root))
        .collect();
    for dir in [
        "server/tests/fixtures/syntax",
        "examples/shop",
        "tree-sitter-xanoscript/test/samples",
    ] {
        out.push(workspace(&root.join(dir), &root));
    }
    out
}

/// The corpus apps to check: all with `XSGUARD_LONG`, else every fourth by size, smallest
/// first (so the default run stays short in a debug build).
fn corpus() -> Vec<Workspace> {
    let Some(corpus) = corpus_dir() else {
        eprintln!("corpus not present; only the carried files are checked");
        return Vec::new();
    };
    let mut apps: Vec<Workspace> = subdirectories(&corpus)
        .iter()
        .filter(|dir| dir.file_name().is_some_and(|n| n != "LICENSES"))
        .map(|dir| workspace(dir, &corpus))
        .collect();
    apps.sort_by_key(|w| (w.sources.len(), w.name.clone()));
    if !long() {
        apps = apps.into_iter().step_by(4).collect();
    }
    apps
}

fn syntax_error_count(text: &str) -> usize {
    syntax_errors(&parse(text.to_string())).len()
}

/// Every offered fix alone: applies, adds no syntax error. Returns how many were applied.
fn each_fix_alone(ws: &Workspace, problems: &mut Vec<String>) -> usize {
    let mut applied = 0;
    let checked = check_sources(ws.sources.clone(), ws.config.clone(), &RuleSelection::all());
    for file in &checked {
        problems.extend(file.internal_errors.iter().cloned());
        let before = syntax_error_count(&file.text);
        for finding in &file.findings {
            for fix in &finding.fixes {
                applied += 1;
                match apply_fix(&file.text, fix) {
                    Some(fixed) if syntax_error_count(&fixed) <= before => {}
                    Some(_) => problems.push(format!(
                        "{}: fix `{}` of {} adds a syntax error",
                        file.path, fix.title, finding.code
                    )),
                    None => problems.push(format!(
                        "{}: fix `{}` of {} has invalid edits",
                        file.path, fix.title, finding.code
                    )),
                }
            }
        }
    }
    applied
}

/// Fixes everything twice: the first pass adds no syntax error, the second changes nothing.
/// Returns how many findings the first pass fixed.
fn fix_twice(ws: &Workspace, unsafe_fixes: bool, problems: &mut Vec<String>) -> usize {
    let all = RuleSelection::all();
    let mut sources = ws.sources.clone();
    let every = vec![true; sources.len()];
    let first = fix_all(&mut sources, &every, &ws.config, &all, unsafe_fixes);
    for change in &first.changes {
        if syntax_error_count(&change.after) > syntax_error_count(change.before_text()) {
            problems.push(format!(
                "{}: fixing everything (unsafe fixes: {unsafe_fixes}) adds a syntax error",
                change.path
            ));
        }
    }
    let second = fix_all(&mut sources, &every, &ws.config, &all, unsafe_fixes);
    for change in &second.changes {
        problems.push(format!(
            "{}: a second `fix` (unsafe fixes: {unsafe_fixes}) changes it again:\n{}",
            change.path,
            xsguard::cli::fix::unified_diff(&change.path, change.before_text(), &change.after)
        ));
    }
    first.fixed()
}

fn report(what: &str, problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{what}: {} problems\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn fixes_on_carried_files_are_safe_and_fixing_twice_changes_nothing() {
    let mut problems = Vec::new();
    let (mut files, mut alone, mut fixed) = (0, 0, [0, 0]);
    for ws in carried() {
        files += ws.sources.len();
        alone += each_fix_alone(&ws, &mut problems);
        fixed[0] += fix_twice(&ws, false, &mut problems);
        fixed[1] += fix_twice(&ws, true, &mut problems);
    }
    eprintln!(
        "carried: {files} files, {alone} fixes applied alone; `fix` fixed {} findings, {} with unsafe fixes",
        fixed[0], fixed[1]
    );
    report("carried files", problems);
}

#[test]
fn fixing_the_corpus_twice_changes_nothing() {
    let mut problems = Vec::new();
    let (mut apps, mut files, mut fixed) = (0, 0, [0, 0]);
    for ws in corpus() {
        apps += 1;
        files += ws.sources.len();
        fixed[0] += fix_twice(&ws, false, &mut problems);
        fixed[1] += fix_twice(&ws, true, &mut problems);
    }
    eprintln!(
        "corpus: {apps} apps, {files} files; `fix` fixed {} findings, {} with unsafe fixes",
        fixed[0], fixed[1]
    );
    report("corpus", problems);
}
