//! Keeping the rules' findings of the endpoints a keystroke did not touch.
//!
//! The server checks an open document object by object ([`check_objects`]) and keeps what the
//! rules said about each endpoint. On the next analysis of the document, an endpoint whose
//! text is unchanged takes its findings over, moved to where its text now is, provided nothing
//! else they came from may have changed:
//!
//! - the settings and rule selection ([`Reusable::settings`]);
//! - what any file of the project declares (tables, functions, api groups...), by content
//!   ([`Project::declared_generation`]);
//! - every other file a finding points into, which must not have been replaced since;
//! - the file's line ending and indentation unit, which fixes are written in.
//!
//! Only endpoints are kept: what the rules say about a function depends on every endpoint that
//! calls it, so functions and the other objects are checked again each time.

use crate::check::{CheckedFile, ObjectFindings, RuleDiagnostics, SyntaxIssue, check_objects};
use crate::model::{Object, Span, TextChange};
use crate::rules::{Diagnostic, RuleSelection};
use crate::workspace::FileModel;

use super::index::Project;

/// What the next analysis of the same document may take over, and what it depended on.
#[derive(Debug, Default)]
pub struct Reusable {
    /// The engine's settings epoch (rule selection, configuration) when checked.
    settings: u64,
    /// The project's [`Project::declared_generation`] when checked.
    declared: u64,
    /// The file's line ending and indentation unit.
    style: (&'static str, String),
    /// Endpoints in text order.
    objects: Vec<Kept>,
    /// How many objects took their findings over from the previous analysis.
    pub reused: usize,
}

#[derive(Debug)]
struct Kept {
    findings: ObjectFindings,
    /// The other files the findings point into, with their [`Project::generation`].
    foreign: Vec<(String, u64)>,
}

/// Checks `file`, reusing from `previous` (the last analysis of the same document) the findings
/// of endpoints whose text did not change.
pub fn check_reusing(
    file: &FileModel,
    syntax: &[SyntaxIssue],
    project: &Project,
    selection: &RuleSelection,
    settings: u64,
    previous: Option<(&FileModel, &Reusable)>,
) -> (CheckedFile, Reusable) {
    let style = (
        crate::fix::line_ending(&file.text),
        crate::fix::indent_unit(&file.text),
    );
    let declared = project.declared_generation();
    let usable = previous.filter(|(_, kept)| {
        kept.settings == settings && kept.declared == declared && kept.style == style
    });
    let change = usable.map(|(old, _)| TextChange::between(&old.text, &file.text));
    let mut reused = 0;
    let mut reuse = |object: &Object| {
        let ((_, kept), change) = (usable?, change.as_ref()?);
        if !is_kept_kind(object) {
            return None;
        }
        let old = change.map_new(&object.span)?;
        let i = kept
            .objects
            .binary_search_by_key(&old.start, |k| k.findings.span.start)
            .ok()?;
        let entry = &kept.objects[i];
        let current = entry.findings.span == old
            && entry
                .foreign
                .iter()
                .all(|(path, generation)| project.generation(path) == *generation);
        if !current {
            return None;
        }
        let diagnostics = entry
            .findings
            .diagnostics
            .iter()
            .map(|(rule, d)| Some((*rule, moved(d, &file.path, change)?)))
            .collect::<Option<RuleDiagnostics>>()?;
        reused += 1;
        Some(diagnostics)
    };
    let (checked, objects) = check_objects(file, syntax, &project.ws, selection, &mut reuse);
    let objects = objects
        .into_iter()
        .filter(|o| {
            file.model
                .objects
                .iter()
                .any(|object| object.span == o.span && is_kept_kind(object))
        })
        .map(|findings| Kept {
            foreign: foreign(&findings, &file.path, project),
            findings,
        })
        .collect();
    let reusable = Reusable {
        settings,
        declared,
        style,
        objects,
        reused,
    };
    (checked, reusable)
}

/// Whether the findings of an object depend on it and the declarations alone.
fn is_kept_kind(object: &Object) -> bool {
    object.kind.value == "query" && !object.damaged
}

/// The other files a set of findings points into.
fn foreign(findings: &ObjectFindings, path: &str, project: &Project) -> Vec<(String, u64)> {
    let mut paths: Vec<&str> = findings
        .diagnostics
        .iter()
        .flat_map(|(_, d)| d.related.iter().map(|r| r.path.as_str()))
        .filter(|p| *p != path)
        .collect();
    paths.sort_unstable();
    paths.dedup();
    paths
        .into_iter()
        .map(|p| (p.to_string(), project.generation(p)))
        .collect()
}

/// A diagnostic of the old text placed in the new one; `None` when some range of it in this
/// file touches the change.
fn moved(d: &Diagnostic, path: &str, change: &TextChange) -> Option<Diagnostic> {
    let map = |range: &Span| change.map_old(range);
    let mut d = d.clone();
    d.range = map(&d.range)?;
    for related in &mut d.related {
        if related.path == path {
            related.range = map(&related.range)?;
        }
    }
    for fix in &mut d.fixes {
        for edit in &mut fix.edits {
            edit.range = map(&edit.range)?;
        }
    }
    Some(d)
}
