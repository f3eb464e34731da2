//! Code actions: each finding's quick fixes, "Suppress XS### here", and
//! `source.fixAll.xsguard`.
//!
//! When the client can resolve actions, the list carries no edits (computing "fix all" means
//! checking the file again after each round of fixes); `codeAction/resolve` fills them in,
//! provided the document is still at the version the action was made for.

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, DocumentChanges, OneOf,
    OptionalVersionedTextDocumentIdentifier, Range as LspRange, TextDocumentEdit,
    TextEdit as LspTextEdit, Uri, WorkspaceEdit,
};

use super::capabilities::{ClientSupport, FIX_ALL};
use super::convert::{self, Encoding};
use super::diagnostics::fix_edits;
use super::engine::{Analysis, Engine};
use crate::finding::{Applicability, Finding, TextEdit};
use crate::fix::{apply_edits, indent_at, insert_lines_before};
use crate::host::check::{fix_keeps_syntax, syntax_error_count};

/// What a suppression says until someone writes the reason.
pub const REASON_PLACEHOLDER: &str = crate::fix::placeholders::REASON;

/// Rounds of fix-and-check for "fix all": a fix can reveal or shift another finding.
const MAX_ROUNDS: usize = 4;

/// Which action an unresolved code action stands for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "camelCase")]
enum Target {
    /// Fix number `fix` of the finding of `code` at `start..end` (bytes).
    Fix {
        code: String,
        start: usize,
        end: usize,
        fix: usize,
    },
    Suppress {
        code: String,
        start: usize,
        end: usize,
    },
    FixAll,
}

/// The `data` of an unresolved code action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct ActionData {
    uri: Uri,
    version: i32,
    #[serde(flatten)]
    target: Target,
}

/// The actions for `range` of an analysed document.
pub fn code_actions(
    engine: &Engine,
    analysis: &Analysis,
    range: LspRange,
    only: Option<&[CodeActionKind]>,
    support: ClientSupport,
    encoding: Encoding,
) -> Vec<CodeActionOrCommand> {
    let wanted = |kind: &CodeActionKind| {
        only.is_none_or(|only| {
            only.iter().any(|o| {
                let (o, k) = (o.as_str(), kind.as_str());
                k == o || k.starts_with(&format!("{o}."))
            })
        })
    };
    let bytes = convert::byte_range(&analysis.file.line_index, range, encoding);
    let mut actions = Vec::new();
    if wanted(&CodeActionKind::QUICKFIX) {
        let mut suppressions: Vec<(String, usize)> = Vec::new();
        for (i, finding) in analysis.findings.iter().enumerate() {
            if !touches(&finding.range, &bytes) {
                continue;
            }
            for (fix, proposed) in finding.fixes.iter().enumerate() {
                if !fix_keeps_syntax(&analysis.file.text, proposed, analysis.syntax_errors) {
                    continue;
                }
                let target = Target::Fix {
                    code: finding.code.to_string(),
                    start: finding.range.start,
                    end: finding.range.end,
                    fix,
                };
                actions.push(action(engine, analysis, i, target, support, encoding));
            }
            let line = crate::fix::line_start(&analysis.file.text, finding.range.start);
            let key = (finding.code.to_string(), line);
            if can_suppress(finding) && !suppressions.contains(&key) {
                suppressions.push(key);
                let target = Target::Suppress {
                    code: finding.code.to_string(),
                    start: finding.range.start,
                    end: finding.range.end,
                };
                actions.push(action(engine, analysis, i, target, support, encoding));
            }
        }
    }
    let fixable = analysis.findings.iter().any(is_safely_fixable);
    if fixable && wanted(&FIX_ALL) {
        actions.push(action(
            engine,
            analysis,
            usize::MAX,
            Target::FixAll,
            support,
            encoding,
        ));
    }
    actions
        .into_iter()
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

/// Fills in the edit of an action made without one. An action for another version of the
/// document comes back as it was: it no longer applies.
pub fn resolve(
    engine: &Engine,
    analysis: &Analysis,
    mut action: CodeAction,
    support: ClientSupport,
    encoding: Encoding,
) -> CodeAction {
    let Some(data) = action
        .data
        .as_ref()
        .and_then(|d| serde_json::from_value::<ActionData>(d.clone()).ok())
    else {
        return action;
    };
    if data.uri != analysis.uri || data.version != analysis.version {
        return action;
    }
    let edit = match &data.target {
        Target::FixAll => fix_all_edit(engine, analysis),
        Target::Fix {
            code,
            start,
            end,
            fix,
        } => find(analysis, code, *start, *end)
            .and_then(|f| f.fixes.get(*fix))
            .filter(|fix| fix_keeps_syntax(&analysis.file.text, fix, analysis.syntax_errors))
            .map(|fix| fix.edits.clone()),
        Target::Suppress { code, start, end } => find(analysis, code, *start, *end)
            .map(|f| vec![suppression_edit(&analysis.file.text, f)]),
    };
    if let Some(edits) = edit {
        action.edit = Some(workspace_edit(analysis, &edits, support, encoding));
    }
    action
}

/// One code action; `finding` indexes `analysis.findings` (unused for "fix all").
fn action(
    engine: &Engine,
    analysis: &Analysis,
    finding: usize,
    target: Target,
    support: ClientSupport,
    encoding: Encoding,
) -> CodeAction {
    let found = analysis.findings.get(finding);
    let diagnostics = analysis.diagnostics.get(finding).map(|d| vec![d.clone()]);
    let (title, kind, preferred) = match (&target, found) {
        (Target::Fix { fix, .. }, Some(f)) => (
            f.fixes[*fix].title.clone(),
            CodeActionKind::QUICKFIX,
            // A finding's one fix, and a safe one: clearly the right one.
            f.fixes.len() == 1 && f.fixes[0].applicability == Applicability::Safe,
        ),
        (Target::Suppress { code, .. }, _) => (
            format!("Suppress {code} here"),
            CodeActionKind::QUICKFIX,
            false,
        ),
        _ => (
            "Fix all safely fixable xsguard problems".to_string(),
            FIX_ALL,
            false,
        ),
    };
    let mut action = CodeAction {
        title,
        kind: Some(kind),
        diagnostics,
        is_preferred: preferred.then_some(true),
        data: serde_json::to_value(ActionData {
            uri: analysis.uri.clone(),
            version: analysis.version,
            target,
        })
        .ok(),
        ..Default::default()
    };
    if !support.resolve_edit {
        action = resolve(engine, analysis, action, support, encoding);
        action.data = None;
    }
    action
}

/// Whether a finding and a requested range meet (an empty request range at either end of the
/// finding counts: that is where the cursor sits).
fn touches(finding: &Range<usize>, request: &Range<usize>) -> bool {
    finding.start <= request.end && request.start <= finding.end
}

/// Syntax errors and suppression problems are not suppressed; everything else may be.
fn can_suppress(finding: &Finding) -> bool {
    !matches!(finding.code, "XS000" | "XS001" | "XS002")
}

fn is_safely_fixable(finding: &Finding) -> bool {
    finding.applicable_fix(false).is_some()
}

fn find<'a>(analysis: &'a Analysis, code: &str, start: usize, end: usize) -> Option<&'a Finding> {
    analysis
        .findings
        .iter()
        .find(|f| f.code == code && f.range == (start..end))
}

/// `// xsguard-ignore XS###: <placeholder>` on its own line before the finding's line,
/// indented like that line.
pub fn suppression_edit(text: &str, finding: &Finding) -> TextEdit {
    let at = finding.range.start.min(text.len());
    let comment = format!("// xsguard-ignore {}: {REASON_PLACEHOLDER}", finding.code);
    insert_lines_before(text, at, indent_at(text, at), &[comment])
}

/// The edit that applies every safe fix, in rounds, as `xsguard fix` does: the first fix of
/// each finding, skipping fixes that overlap one already taken, never leaving more syntax
/// errors than there were.
fn fix_all_edit(engine: &Engine, analysis: &Analysis) -> Option<Vec<TextEdit>> {
    let original: &str = &analysis.file.text;
    let mut text = original.to_string();
    let mut findings = analysis.findings.clone();
    for round in 0..MAX_ROUNDS {
        let mut edits: Vec<TextEdit> = Vec::new();
        let errors = syntax_error_count(&text);
        for fix in findings
            .iter()
            .filter_map(|f| f.applicable_fix(false))
            .filter(|fix| fix_keeps_syntax(&text, fix, errors))
        {
            let overlaps = fix.edits.iter().any(|e| {
                edits.iter().any(|t| {
                    e.range.start < t.range.end.max(t.range.start + 1)
                        && t.range.start < e.range.end.max(e.range.start + 1)
                })
            });
            if !overlaps {
                edits.extend(fix.edits.iter().cloned());
            }
        }
        let Some(next) = apply_edits(&text, &edits) else {
            break;
        };
        if next == text || syntax_error_count(&next) > errors {
            break;
        }
        text = next;
        if round + 1 < MAX_ROUNDS {
            findings = engine.check_text(&analysis.file.path, &text);
        }
    }
    (text != original).then(|| vec![minimal_edit(original, &text)])
}

/// One edit turning `before` into `after`: the part between their common prefix and suffix.
fn minimal_edit(before: &str, after: &str) -> TextEdit {
    let change = crate::model::TextChange::between(before, after);
    TextEdit {
        range: change.start..change.old_end,
        new_text: after[change.start..change.new_end].to_string(),
    }
}

/// Edits of the analysed document as a workspace edit, tied to its version when the client
/// takes versioned edits (so a stale edit is refused rather than misapplied).
fn workspace_edit(
    analysis: &Analysis,
    edits: &[TextEdit],
    support: ClientSupport,
    encoding: Encoding,
) -> WorkspaceEdit {
    let fix = crate::finding::Fix {
        title: String::new(),
        applicability: crate::finding::Applicability::Unsafe,
        edits: edits.to_vec(),
    };
    let edits: Vec<LspTextEdit> = fix_edits(&fix, &analysis.file.line_index, encoding);
    if support.document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: analysis.uri.clone(),
                    version: Some(analysis.version),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..Default::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(analysis.uri.clone(), edits)])),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::documents::Snapshot;
    use crate::syntax::parse;
    use crate::workspace::FileModel;
    use std::str::FromStr;
    use std::sync::Arc;
    use tower_lsp_server::ls_types::Position;

    /// An engine running the syntax rules and XS301 only, so that the test does not depend on
    /// what other rules say about the same text.
    fn engine() -> Engine {
        let engine = Engine::new(Arc::default());
        engine.set_selection(
            crate::rules::RuleSelection::from_selectors(&["XS0", "XS301"], &[]).unwrap(),
        );
        engine
    }

    fn analysed(engine: &Engine, text: &str) -> Arc<Analysis> {
        let tree = parse(text);
        let snapshot = Snapshot {
            uri: Uri::from_str("file:///w/g.xs").unwrap(),
            session: 1,
            version: 7,
            file: Arc::new(FileModel::new("/w/g.xs", &tree)),
            syntax: crate::host::check::syntax_issues(&tree).into(),
            fault: None,
        };
        engine.analysis(snapshot).unwrap().0
    }

    fn edits_of(action: &CodeAction) -> Vec<LspTextEdit> {
        let edit = action.edit.as_ref().expect("the action has an edit");
        match &edit.document_changes {
            Some(DocumentChanges::Edits(edits)) => edits[0]
                .edits
                .iter()
                .map(|e| match e {
                    OneOf::Left(e) => e.clone(),
                    OneOf::Right(a) => a.text_edit.clone(),
                })
                .collect(),
            _ => edit
                .changes
                .as_ref()
                .unwrap()
                .values()
                .next()
                .unwrap()
                .clone(),
        }
    }

    const TWO_GROUPS: &str = "api_group a {\r\n  canonical = \"a\"\r\n}\r\n\r\napi_group b {\r\n  canonical = \"b\"\r\n}\r\n";

    #[test]
    fn quick_fix_suppression_and_fix_all() {
        let engine = engine();
        let analysis = analysed(&engine, TWO_GROUPS);
        let cursor = LspRange::new(Position::new(0, 3), Position::new(0, 3));
        let actions = code_actions(
            &engine,
            &analysis,
            cursor,
            None,
            ClientSupport::default(),
            Encoding::Utf16,
        );
        let titles: Vec<String> = actions
            .iter()
            .map(|a| match a {
                CodeActionOrCommand::CodeAction(a) => a.title.clone(),
                CodeActionOrCommand::Command(c) => c.title.clone(),
            })
            .collect();
        assert_eq!(
            titles,
            [
                "Add `swagger = {active: false}`",
                "Suppress XS301 here",
                "Fix all safely fixable xsguard problems"
            ]
        );
        let CodeActionOrCommand::CodeAction(suppress) = &actions[1] else {
            panic!()
        };
        let edits = edits_of(suppress);
        assert_eq!(
            edits[0].new_text,
            "// xsguard-ignore XS301: TODO: why this is safe\r\n"
        );
        let CodeActionOrCommand::CodeAction(fix_all) = &actions[2] else {
            panic!()
        };
        assert_eq!(fix_all.kind, Some(FIX_ALL));
        let edit = &edits_of(fix_all)[0];
        assert!(edit.new_text.contains("swagger = {active: false}\r\n"));
        assert_eq!(edit.new_text.matches("swagger").count(), 2, "{edit:?}");
    }

    #[test]
    fn resolve_fills_in_edits_for_the_current_version_only() {
        let engine = engine();
        let analysis = analysed(&engine, TWO_GROUPS);
        let support = ClientSupport {
            resolve_edit: true,
            document_changes: true,
            ..Default::default()
        };
        let only = [CodeActionKind::SOURCE_FIX_ALL];
        let everywhere = LspRange::new(Position::new(0, 0), Position::new(9, 0));
        let actions = code_actions(
            &engine,
            &analysis,
            everywhere,
            Some(&only),
            support,
            Encoding::Utf16,
        );
        assert_eq!(actions.len(), 1);
        let CodeActionOrCommand::CodeAction(unresolved) = actions[0].clone() else {
            panic!()
        };
        assert!(unresolved.edit.is_none());
        let resolved = resolve(
            &engine,
            &analysis,
            unresolved.clone(),
            support,
            Encoding::Utf16,
        );
        assert_eq!(edits_of(&resolved).len(), 1);

        let mut stale = unresolved;
        let mut data: ActionData = serde_json::from_value(stale.data.clone().unwrap()).unwrap();
        data.version = 6;
        stale.data = Some(serde_json::to_value(data).unwrap());
        assert!(
            resolve(&engine, &analysis, stale, support, Encoding::Utf16)
                .edit
                .is_none()
        );
    }

    #[test]
    fn suppression_is_indented_like_the_finding_line() {
        let text = "query q verb=GET {\n  stack {\n    db.get user as $u\n  }\n}\n";
        let at = text.find("db.get").unwrap();
        let rule = crate::rules::rule("XS102").unwrap();
        let index = crate::syntax::LineIndex::new(text);
        let finding = rule.finding("/w/q.xs", &index, at + 3..at + 10, "m");
        let edit = suppression_edit(text, &finding);
        let fixed = apply_edits(text, &[edit]).unwrap();
        assert!(
            fixed.contains(
                "  stack {\n    // xsguard-ignore XS102: TODO: why this is safe\n    db.get"
            ),
            "{fixed}"
        );
    }

    #[test]
    fn minimal_edit_keeps_common_ends() {
        let e = minimal_edit("a😀b", "a😁b");
        assert_eq!(e.range, 1..5);
        assert_eq!(e.new_text, "😁");
        let e = minimal_edit("aaa", "aaaa");
        assert_eq!((e.range.clone(), e.new_text.as_str()), (3..3, "a"));
    }
}
