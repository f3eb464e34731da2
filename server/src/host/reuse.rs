//! Keeping the rules' findings of the objects a keystroke did not touch.
//!
//! The server checks an open document object by object ([`check_objects`]) and keeps what the
//! rules said about each endpoint, function and api group. On the next analysis of the
//! document, an object whose text is unchanged takes its findings over, moved to where its text
//! now is, provided nothing else they came from may have changed:
//!
//! - the settings and rule selection, and the file's line ending and indentation unit, which
//!   fixes are written in;
//! - what any file of the project declares (tables, functions, api groups...), by content
//!   ([`Project::declared_generation`]) — except that when the one change since is the
//!   document's own edit of functions, the endpoints that may not call them (their text names
//!   none of them, nor a function that does) keep their findings;
//! - every other file a finding points into, which must not have been replaced since;
//! - for a function: the callers whose data reaches it. It is checked again when an edited
//!   object may call it (directly or through other functions), when it may call an edited
//!   function, when a caller of an edited function may pass it what that returns, or when
//!   another file changed;
//! - for an api group: the endpoints that join it. It is checked again when an edited object
//!   names it or when another file changed.
//!
//! Other objects (tables, tasks, triggers...) are few and are checked every time.

use crate::analysis::injection::ENTRY_KINDS;
use crate::model::{Object, Span, TextChange};
use crate::rules::{Diagnostic, RuleSelection};
use crate::workspace::FileModel;

use super::check::{CheckedFile, ObjectFindings, RuleDiagnostics, SyntaxIssue, check_objects};
use super::project::Project;

/// What the next analysis of the same document may take over, and what it depended on.
#[derive(Debug, Default)]
pub struct Reusable {
    /// The engine's settings epoch (rule selection, configuration) when checked.
    settings: u64,
    /// The project's [`Project::declared_generation`] when checked.
    declared: u64,
    /// The newest [`Project::generation`] of the project's other files when checked.
    others: u64,
    /// The file's line ending and indentation unit.
    style: (&'static str, String),
    /// Kept objects in text order.
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

/// What changed since the previous analysis that findings of unchanged objects may depend on.
struct Since<'a> {
    change: TextChange,
    /// Functions the edit changed and every function that may call one of them (empty when
    /// no function changed).
    callers: Vec<String>,
    /// Functions the edited objects (before or after the edit) may call.
    reached: Vec<String>,
    /// The texts of the edited objects, before and after.
    edited: Vec<&'a str>,
    /// No other file of the project was replaced.
    others_unchanged: bool,
}

impl Since<'_> {
    /// Whether the findings of `object` (unchanged itself) may have changed.
    fn affects(&self, object: &Object, source: &str) -> bool {
        let name = object.name.as_ref().map_or("", |n| n.value.as_str());
        match object.kind.value.as_str() {
            "query" => self.callers.iter().any(|n| source.contains(n.as_str())),
            "function" => {
                !self.others_unchanged
                    || self.callers.iter().any(|n| n == name)
                    || self.reached.iter().any(|n| n == name)
            }
            "api_group" => {
                !self.others_unchanged || self.edited.iter().any(|text| text.contains(name))
            }
            _ => true,
        }
    }
}

/// Checks `file`, reusing from `previous` (the last analysis of the same document) the findings
/// of objects whose text did not change.
pub fn check_reusing<K: Clone>(
    file: &FileModel,
    syntax: &[SyntaxIssue],
    project: &Project<K>,
    selection: &RuleSelection,
    settings: u64,
    previous: Option<(&FileModel, &Reusable)>,
) -> (CheckedFile, Reusable) {
    let style = (
        crate::fix::line_ending(&file.text),
        crate::fix::indent_unit(&file.text),
    );
    let declared = project.declared_generation();
    let others = project.newest_generation_except(&file.path);
    let usable = previous.filter(|(_, kept)| kept.settings == settings && kept.style == style);
    let since = usable.and_then(|(old, kept)| {
        let change = TextChange::between(&old.text, &file.text);
        let edited = edited_objects(old, file, &change);
        let own_edit =
            kept.declared + 1 == declared && project.declared_by() == Some(file.path.as_str());
        let changed_functions = match edited_functions(&edited) {
            Some(names) if kept.declared == declared || own_edit => names,
            _ => return None,
        };
        let functions = project_functions(project);
        let edited: Vec<&str> = edited.into_iter().map(|(_, text)| text).collect();
        let callers = may_call(&functions, changed_functions);
        // What an edited function returns reaches the functions its callers pass it on to.
        let mut sources = edited.clone();
        if !callers.is_empty() {
            let calls_edited = |text: &&str| callers.iter().any(|n| text.contains(n.as_str()));
            sources.extend(entry_points(project).filter(calls_edited));
            sources.extend(
                functions
                    .iter()
                    .filter(|(name, _)| callers.iter().any(|n| n == name))
                    .map(|(_, text)| *text),
            );
        }
        Some(Since {
            change,
            reached: reached_from(&functions, &sources),
            callers,
            edited,
            others_unchanged: kept.others == others,
        })
    });
    let mut reused = 0;
    let mut reuse = |object: &Object| {
        let ((_, kept), since) = (usable?, since.as_ref()?);
        let source = file.text.get(object.span.clone()).unwrap_or("");
        if !is_kept_kind(object) || since.affects(object, source) {
            return None;
        }
        let old = since.change.map_new(&object.span)?;
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
            .map(|(rule, d)| Some((*rule, moved(d, &file.path, &since.change)?)))
            .collect::<Option<RuleDiagnostics>>()?;
        reused += 1;
        Some(diagnostics)
    };
    let (checked, objects) = check_objects(file, syntax, &project.ws, selection, &mut reuse);
    let objects = objects
        .into_iter()
        .filter(|o| {
            let objects = &file.model.objects;
            objects
                .binary_search_by_key(&o.span.start, |object| object.span.start)
                .is_ok_and(|i| objects[i].span == o.span && is_kept_kind(&objects[i]))
        })
        .map(|findings| Kept {
            foreign: foreign(&findings, &file.path, project),
            findings,
        })
        .collect();
    let reusable = Reusable {
        settings,
        declared,
        others,
        style,
        objects,
        reused,
    };
    (checked, reusable)
}

/// Whether an object's findings are kept for reuse.
fn is_kept_kind(object: &Object) -> bool {
    matches!(
        object.kind.value.as_str(),
        "query" | "function" | "api_group"
    ) && !object.damaged
}

/// The objects that are not in both `old` and `new` with the same text, each with its text:
/// those the edit touched, and those a syntax error took away or gave back.
fn edited_objects<'a>(
    old: &'a FileModel,
    new: &'a FileModel,
    change: &TextChange,
) -> Vec<(&'a Object, &'a str)> {
    let kept_in = |objects: &[Object], object: &Object, span: Option<Span>| {
        span.is_some_and(|span| {
            objects
                .binary_search_by_key(&span.start, |o| o.span.start)
                .is_ok_and(|i| {
                    let other = &objects[i];
                    other.span == span
                        && other.kind.value == object.kind.value
                        && other.damaged == object.damaged
                })
        })
    };
    let text =
        |file: &'a FileModel, object: &Object| file.text.get(object.span.clone()).unwrap_or("");
    let gone = old
        .model
        .objects
        .iter()
        .filter(|o| !kept_in(&new.model.objects, o, change.map_old(&o.span)))
        .map(|o| (o, text(old, o)));
    let came = new
        .model
        .objects
        .iter()
        .filter(|o| !kept_in(&old.model.objects, o, change.map_new(&o.span)))
        .map(|o| (o, text(new, o)));
    gone.chain(came).collect()
}

/// The names of the edited objects that declare something, when all of them are functions.
fn edited_functions(edited: &[(&Object, &str)]) -> Option<Vec<String>> {
    let mut names = Vec::new();
    for (object, _) in edited {
        match object.kind.value.as_str() {
            "query" => {}
            "function" if !object.damaged => names.push(object.name.as_ref()?.value.clone()),
            _ => return None,
        }
    }
    Some(names)
}

/// Every function of the project: its name and text.
fn project_functions<K: Clone>(project: &Project<K>) -> Vec<(&str, &str)> {
    project
        .ws
        .files()
        .flat_map(|file| {
            file.model.objects.iter().filter_map(|o| {
                let name = o.name.as_ref().filter(|_| o.kind.value == "function")?;
                Some((name.value.as_str(), file.text.get(o.span.clone())?))
            })
        })
        .collect()
}

/// The text of every object of the project whose inputs come from outside (endpoints, tools,
/// middleware, realtime triggers).
fn entry_points<K: Clone>(project: &Project<K>) -> impl Iterator<Item = &str> {
    project.ws.files().flat_map(|file| {
        file.model.objects.iter().filter_map(|o| {
            ENTRY_KINDS
                .contains(&o.kind.value.as_str())
                .then(|| file.text.get(o.span.clone()))
                .flatten()
        })
    })
}

/// `names` and every function that may call one of them, directly or through others: those
/// whose text names one.
fn may_call(functions: &[(&str, &str)], mut names: Vec<String>) -> Vec<String> {
    loop {
        let more: Vec<String> = functions
            .iter()
            .filter(|(name, source)| {
                !names.iter().any(|n| n == name)
                    && names.iter().any(|n| source.contains(n.as_str()))
            })
            .map(|(name, _)| name.to_string())
            .collect();
        if more.is_empty() {
            return names;
        }
        names.extend(more);
    }
}

/// The functions `texts` may call, directly or through others: those named in them, and those
/// named in the functions found so far.
fn reached_from(functions: &[(&str, &str)], texts: &[&str]) -> Vec<String> {
    let mut reached: Vec<String> = Vec::new();
    let mut frontier: Vec<&str> = texts.to_vec();
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for (name, source) in functions {
            if !reached.iter().any(|n| n == name) && frontier.iter().any(|t| t.contains(name)) {
                reached.push(name.to_string());
                next.push(*source);
            }
        }
        frontier = next;
    }
    reached
}

/// The other files a set of findings points into.
fn foreign<K: Clone>(
    findings: &ObjectFindings,
    path: &str,
    project: &Project<K>,
) -> Vec<(String, u64)> {
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
