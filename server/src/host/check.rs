//! Runs the enabled rules over a set of files that form one workspace.
//!
//! Each file is parsed and lowered once; the workspace index is built over all of them; then
//! every enabled check runs on every file. A panic inside one check is caught and reported as
//! an internal error of that rule: the other rules' findings are still returned.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use rayon::prelude::*;

use crate::finding::{Finding, Fix, Location, RelatedLocation, Severity};
use crate::fix::placeholders;
use crate::model::{Object, Span};
use crate::rules::{Context, Diagnostic, RULES, Rule, RuleSelection, rule};
use crate::syntax::{ColumnUnit, LineIndex, SyntaxTree, parse, syntax_errors};
use crate::workspace::suppression::{Suppression, parse_suppressions};
use crate::workspace::{Config, FileModel, Workspace, did_you_mean};

/// One input file.
#[derive(Clone, Debug)]
pub struct Source {
    /// The path as reported in findings.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// One file after checking: its text (as decoded) and what was found in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedFile {
    /// The path as reported in findings.
    pub path: String,
    /// The decoded text; invalid UTF-8 sequences are replaced with U+FFFD.
    pub text: Arc<str>,
    /// Findings ordered by position.
    pub findings: Vec<Finding>,
    /// Checks that failed on this file (a bug in xsguard, reported apart from findings).
    pub internal_errors: Vec<String>,
    /// Findings a suppression comment turned off (SARIF reports them as suppressed).
    pub suppressed: Vec<SuppressedFinding>,
}

/// A finding and the reason of the comment that suppressed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuppressedFinding {
    pub finding: Finding,
    pub reason: Option<String>,
}

/// Checks the contents of one file on its own (single-file mode).
pub fn check_bytes(path: &str, bytes: &[u8], selection: &RuleSelection) -> CheckedFile {
    let source = Source {
        path: path.to_string(),
        bytes: bytes.to_vec(),
    };
    check_sources(vec![source], Config::default(), selection)
        .pop()
        .expect("one file in, one file out")
}

/// A syntax error: where, and what to say.
pub type SyntaxIssue = (std::ops::Range<usize>, String);

/// A parsed file with what the parser found wrong with it.
pub struct Parsed {
    pub model: Arc<FileModel>,
    pub syntax: Vec<SyntaxIssue>,
}

/// The syntax errors of a parsed text, as `check_file` takes them.
pub fn syntax_issues(tree: &SyntaxTree) -> Vec<SyntaxIssue> {
    syntax_errors(tree)
        .into_iter()
        .map(|e| (e.range, e.message))
        .collect()
}

/// Decodes, parses and lowers one file.
pub fn parse_source(source: &Source) -> Parsed {
    let (text, invalid_at) = match std::str::from_utf8(&source.bytes) {
        Ok(text) => (text.to_owned(), None),
        Err(error) => (
            String::from_utf8_lossy(&source.bytes).into_owned(),
            Some(error.valid_up_to()),
        ),
    };
    let tree: SyntaxTree = parse(text);
    let mut syntax = Vec::new();
    if let Some(valid_up_to) = invalid_at {
        // The lossy text matches the original up to the first invalid byte.
        let position = tree.line_index().line_col(valid_up_to, ColumnUnit::Char);
        let first_char = tree.text().chars().next().map_or(0, char::len_utf8);
        syntax.push((
            0..first_char,
            format!(
                "file is not valid UTF-8 (first invalid byte at {}:{}); invalid bytes were read as U+FFFD",
                position.line + 1,
                position.column + 1
            ),
        ));
    }
    syntax.extend(syntax_issues(&tree));
    Parsed {
        model: Arc::new(FileModel::new(source.path.clone(), &tree)),
        syntax,
    }
}

/// Checks files that form one workspace. Results come back in the order of `sources`.
pub fn check_sources(
    sources: Vec<Source>,
    config: Config,
    selection: &RuleSelection,
) -> Vec<CheckedFile> {
    check_workspace(sources, config, selection).1
}

/// Like [`check_sources`], also returning the workspace index (for reports such as the audit).
pub fn check_workspace(
    sources: Vec<Source>,
    config: Config,
    selection: &RuleSelection,
) -> (Workspace, Vec<CheckedFile>) {
    check_workspace_with_progress(sources, config, selection, &|| {})
}

/// [`check_workspace`], calling `tick` once per file parsed and once per file checked.
pub fn check_workspace_with_progress(
    sources: Vec<Source>,
    config: Config,
    selection: &RuleSelection,
    tick: &(dyn Fn() + Sync),
) -> (Workspace, Vec<CheckedFile>) {
    let all = vec![true; sources.len()];
    let (ws, checked) = check_reported(sources, &all, config, selection, tick);
    (ws, checked.into_iter().flatten().collect())
}

/// Indexes every file of `sources` (the whole workspace) and runs the rules on those that
/// `reported` marks, which come back in the same places; the others are context, read for
/// what they declare. Calls `tick` once per file parsed and once per file checked.
pub fn check_reported(
    sources: Vec<Source>,
    reported: &[bool],
    config: Config,
    selection: &RuleSelection,
    tick: &(dyn Fn() + Sync),
) -> (Workspace, Vec<Option<CheckedFile>>) {
    let parsed: Vec<Parsed> = sources
        .par_iter()
        .map(|s| {
            let parsed = parse_source(s);
            tick();
            parsed
        })
        .collect();
    // The models hold the decoded text; the raw bytes are not needed any more.
    drop(sources);
    let mut ws = Workspace::new(config);
    for p in &parsed {
        ws.insert(p.model.clone());
    }
    ws.reindex();
    let checked = parsed
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            reported.get(i).copied().unwrap_or(false).then(|| {
                let checked = check_file(&p.model, &p.syntax, &ws, selection);
                tick();
                checked
            })
        })
        .collect();
    (ws, checked)
}

/// Checks one file of a workspace whose index is built. Fixes are as the rules propose them:
/// rules offer none inside an object with a syntax error, and whoever applies one (`xsguard
/// fix`, a code action) first tests it with [`fix_keeps_syntax`], which parses the file again —
/// too costly to do for every fix of every check.
pub fn check_file(
    file: &FileModel,
    syntax: &[SyntaxIssue],
    ws: &Workspace,
    selection: &RuleSelection,
) -> CheckedFile {
    if file.model.objects.len() < PARALLEL_OBJECTS {
        return check_file_at_once(file, syntax, ws, selection);
    }
    // A large file is checked object by object on every core, as the language server checks
    // it: each rule reports on an object from that object and the workspace alone.
    let per_object: Vec<(RuleDiagnostics, Vec<String>)> = file
        .model
        .objects
        .par_iter()
        .map(|object| {
            let mut errors = Vec::new();
            let found = run_checks(
                || Context::object(file, ws, object),
                &file.path,
                selection,
                &mut errors,
            );
            (found, errors)
        })
        .collect();
    let (mut found, mut internal_errors) = (Vec::new(), Vec::new());
    for (diagnostics, errors) in per_object {
        found.extend(diagnostics);
        for error in errors {
            if !internal_errors.contains(&error) {
                internal_errors.push(error);
            }
        }
    }
    finish(file, syntax, ws, selection, found, internal_errors)
}

/// [`check_file`] with the rules shown every object of the file at once, in one thread.
pub fn check_file_at_once(
    file: &FileModel,
    syntax: &[SyntaxIssue],
    ws: &Workspace,
    selection: &RuleSelection,
) -> CheckedFile {
    let mut internal_errors = Vec::new();
    let found = run_checks(
        || Context::new(file, ws),
        &file.path,
        selection,
        &mut internal_errors,
    );
    finish(file, syntax, ws, selection, found, internal_errors)
}

/// From this many objects on, a file's objects are checked in parallel.
const PARALLEL_OBJECTS: usize = 256;

/// Diagnostics with the rule that reported each.
pub type RuleDiagnostics = Vec<(&'static Rule, Diagnostic)>;

/// What the rules reported about one object of a file, as [`check_objects`] hands it back for
/// reuse.
#[derive(Clone, Debug)]
pub struct ObjectFindings {
    /// The object's span in the text checked.
    pub span: Span,
    /// Each reported diagnostic with its rule, before configuration and suppressions.
    pub diagnostics: RuleDiagnostics,
}

/// [`check_file`], one object at a time (the language server's way): an object's diagnostics
/// come from `reuse` when it has them, else from the rules. Returns, besides the checked file,
/// the diagnostics of each object whose every rule ran to the end.
///
/// Gives the same findings as [`check_file`] as long as each rule reports on each object from
/// that object and the workspace alone (tests hold every rule to that).
pub fn check_objects(
    file: &FileModel,
    syntax: &[SyntaxIssue],
    ws: &Workspace,
    selection: &RuleSelection,
    reuse: &mut dyn FnMut(&Object) -> Option<RuleDiagnostics>,
) -> (CheckedFile, Vec<ObjectFindings>) {
    let mut internal_errors = Vec::new();
    let mut found = Vec::new();
    let mut objects = Vec::with_capacity(file.model.objects.len());
    for object in &file.model.objects {
        let diagnostics = match reuse(object) {
            Some(diagnostics) => diagnostics,
            None => {
                let errors_before = internal_errors.len();
                let diagnostics = run_checks(
                    || Context::object(file, ws, object),
                    &file.path,
                    selection,
                    &mut internal_errors,
                );
                if internal_errors.len() > errors_before {
                    found.extend(diagnostics);
                    continue;
                }
                diagnostics
            }
        };
        found.extend(diagnostics.iter().cloned());
        objects.push(ObjectFindings {
            span: object.span.clone(),
            diagnostics,
        });
    }
    let checked = finish(file, syntax, ws, selection, found, internal_errors);
    (checked, objects)
}

/// Runs the enabled checks on the context `make` builds; a check that panics becomes an
/// internal error and the others still report.
fn run_checks<'a>(
    make: impl Fn() -> Context<'a>,
    path: &str,
    selection: &RuleSelection,
    internal_errors: &mut Vec<String>,
) -> RuleDiagnostics {
    let enabled = |code: &str| selection.is_enabled(code);
    let follows_endpoints = ["XS101", "XS102", "XS103", "XS104", "XS105"]
        .iter()
        .any(|code| enabled(code));
    let ctx = if follows_endpoints {
        // A panic here is reported by the rules themselves, which redo the analysis.
        catch_unwind(AssertUnwindSafe(|| make().analysed())).unwrap_or_else(|_| make())
    } else {
        make()
    };
    let mut found = Vec::new();
    for rule in RULES.iter().filter(|r| enabled(r.code)) {
        let Some(check) = rule.check else {
            continue;
        };
        match catch_unwind(AssertUnwindSafe(|| check(&ctx))) {
            Ok(diagnostics) => found.extend(diagnostics.into_iter().map(|d| (rule, d))),
            Err(_) => internal_errors.push(format!(
                "internal error in rule {} while checking `{path}`",
                rule.code
            )),
        }
    }
    found
}

/// Turns the rules' diagnostics and the syntax errors into the file's findings: severities
/// from the configuration, then suppressions, in the order of the text.
fn finish(
    file: &FileModel,
    syntax: &[SyntaxIssue],
    ws: &Workspace,
    selection: &RuleSelection,
    found: RuleDiagnostics,
    internal_errors: Vec<String>,
) -> CheckedFile {
    let mut findings = Vec::new();
    if let Some(syntax_rule) = rule("XS000").filter(|r| selection.is_enabled(r.code)) {
        for (range, message) in syntax {
            findings.extend(to_finding(
                file,
                ws,
                syntax_rule,
                Diagnostic::new("XS000", range.clone(), message.clone()),
            ));
        }
    }
    findings.extend(
        found
            .into_iter()
            .filter_map(|(rule, d)| to_finding(file, ws, rule, d)),
    );
    let suppressions = parse_suppressions(&file.model.comments, &file.text);
    let (mut findings, suppressed) =
        apply_suppressions(file, ws, findings, &suppressions, selection);
    findings.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
    CheckedFile {
        path: file.path.clone(),
        text: file.text.clone(),
        findings,
        internal_errors,
        suppressed,
    }
}

/// Whether a fix applies cleanly and leaves `text` with no more syntax errors than the
/// `syntax_errors_now` it has: whatever a rule proposes, a fix never breaks the user's file.
pub fn fix_keeps_syntax(text: &str, fix: &Fix, syntax_errors_now: usize) -> bool {
    crate::fix::apply_fix(text, fix)
        .is_some_and(|fixed| syntax_error_count(&fixed) <= syntax_errors_now)
}

/// How many syntax errors `text` has (a full parse).
pub fn syntax_error_count(text: &str) -> usize {
    syntax_errors(&parse(text.to_string())).len()
}

/// Turns a rule's diagnostic into a finding, or `None` when the configuration turns it off.
fn to_finding(
    file: &FileModel,
    ws: &Workspace,
    rule: &'static Rule,
    d: Diagnostic,
) -> Option<Finding> {
    let severity = ws
        .config
        .severity_of(rule.code, d.severity.unwrap_or(rule.severity))?;
    let mut finding = rule.finding(file.path.clone(), &file.line_index, d.range, d.message);
    finding.severity = severity;
    finding.help = d.help;
    finding.fixes = d.fixes;
    // A damaged object's model may be missing parts, so an edit computed from it is a guess.
    // Objects are in file order and do not overlap: the ones that may hold `offset` are the
    // last to start at or before it and, where they touch, the one before that.
    let damaged = |offset: usize| {
        let objects = &file.model.objects;
        let at = objects.partition_point(|o| o.span.start <= offset);
        objects[at.saturating_sub(2)..at]
            .iter()
            .any(|o| o.damaged && offset <= o.span.end)
    };
    if damaged(finding.range.start) {
        finding.fixes.clear();
    }
    finding
        .fixes
        .retain(|fix| !fix.edits.iter().any(|edit| damaged(edit.range.start)));
    finding.related = d
        .related
        .into_iter()
        .map(|r| {
            let index: &LineIndex = ws.file(&r.path).map_or(&file.line_index, |f| &f.line_index);
            RelatedLocation {
                start: Location::of_offset(index, r.range.start),
                end: Location::of_offset(index, r.range.end),
                path: r.path,
                range: r.range,
                message: r.message,
            }
        })
        .collect();
    Some(finding)
}

/// Drops suppressed findings and reports suppressions without a reason (XS001) or without
/// effect (XS002).
fn apply_suppressions(
    file: &FileModel,
    ws: &Workspace,
    findings: Vec<Finding>,
    suppressions: &[Suppression],
    selection: &RuleSelection,
) -> (Vec<Finding>, Vec<SuppressedFinding>) {
    let mut used = vec![false; suppressions.len()];
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for f in findings {
        let hit = suppressions
            .iter()
            .position(|s| s.covers(f.code, f.range.start, &file.text));
        match hit {
            Some(i) => {
                used[i] = true;
                suppressed.push(SuppressedFinding {
                    finding: f,
                    reason: suppressions[i].reason.clone(),
                });
            }
            None => kept.push(f),
        }
    }
    for (s, used) in suppressions.iter().zip(used) {
        if s.reason.is_none()
            && let Some(rule) = rule("XS001").filter(|r| selection.is_enabled(r.code))
        {
            let comment = file.text.get(s.span.clone()).unwrap_or("");
            let message = if comment.contains(placeholders::REASON) {
                format!(
                    "suppression of {} still has the placeholder reason `{}`",
                    s.codes.join(", "),
                    placeholders::REASON
                )
            } else {
                format!(
                    "suppression of {} gives no reason; write `// xsguard-ignore {}: <why this is safe>`",
                    s.codes.join(", "),
                    s.codes.join(", ")
                )
            };
            kept.extend(to_finding(
                file,
                ws,
                rule,
                Diagnostic::new("XS001", s.span.clone(), message),
            ));
        }
        let unknown: Vec<&String> = s.codes.iter().filter(|c| rule(c).is_none()).collect();
        if !unknown.is_empty()
            && let Some(rule) = rule("XS002").filter(|r| selection.is_enabled(r.code))
        {
            let known: Vec<&str> = RULES.iter().map(|r| r.code).collect();
            for code in unknown {
                let range = code_range(&file.text, &s.span, code);
                let message = format!(
                    "`{code}` is not a rule code, so this suppression can never apply{}",
                    did_you_mean(code, &known)
                );
                kept.extend(to_finding(
                    file,
                    ws,
                    rule,
                    Diagnostic::new("XS002", range, message)
                        .with_help("`xsguard rules` lists the codes")
                        .with_severity(Severity::Warning),
                ));
            }
            continue;
        }
        // Only a suppression of rules that ran can be known to be unused.
        let all_ran = !s.codes.is_empty()
            && s.codes.iter().all(|c| {
                selection.is_enabled(c)
                    && rule(c).is_some_and(|r| ws.config.severity_of(c, r.severity).is_some())
            });
        if !used
            && all_ran
            && let Some(rule) = rule("XS002").filter(|r| selection.is_enabled(r.code))
        {
            let target = if s.file_wide {
                "in this file"
            } else {
                "on the next line"
            };
            let message = format!(
                "suppression of {} matches no finding {target}",
                s.codes.join(", ")
            );
            kept.extend(to_finding(
                file,
                ws,
                rule,
                Diagnostic::new("XS002", s.span.clone(), message),
            ));
        }
    }
    (kept, suppressed)
}

/// Where `code` is written in the suppression comment at `comment` (the comment when it cannot
/// be found, as codes are compared upper-cased).
fn code_range(text: &str, comment: &Span, code: &str) -> Span {
    text.get(comment.clone())
        .and_then(|c| c.to_ascii_uppercase().find(code))
        .map_or(comment.clone(), |at| {
            comment.start + at..comment.start + at + code.len()
        })
}

/// The severity a finding of `code` would have, for reports that list rules.
pub fn effective_severity(config: &Config, rule: &Rule) -> Option<Severity> {
    config.severity_of(rule.code, rule.severity)
}
