//! Findings as protocol diagnostics.
//!
//! Each diagnostic carries its rule code, a link to the rule's section of docs/rules.md,
//! `source: "xsguard"`, the related places in other files, and in `data` the finding's fixes as
//! text edits in the client's positions (so a client can apply them without asking).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location as LspLocation, NumberOrString, Position, Range as LspRange, TextEdit as LspTextEdit,
    Uri,
};

use super::convert::{self, Encoding};
use crate::finding::{Applicability, Finding, Fix, Severity};
use crate::rules::RULES;
use crate::syntax::LineIndex;
use crate::workspace::{FileModel, Workspace};

/// What `Diagnostic.source` says.
pub const SOURCE: &str = "xsguard";

/// Where the rule reference is published.
const RULES_DOC: &str = "https://github.com/xsguard/xsguard/blob/main/docs/rules.md";

/// The `data` of a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticData {
    pub rule: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cwe: Option<String>,
    /// What the one-sentence message leaves out: why it matters and what to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub fixes: Vec<FixData>,
}

/// One fix of a finding, in client positions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixData {
    pub title: String,
    /// `safe` (`xsguard fix` and fix-all apply it) or `unsafe` (to apply one by one, looking).
    pub applicability: Applicability,
    pub edits: Vec<LspTextEdit>,
}

/// The link to a rule's section of docs/rules.md.
pub fn rule_href(code: &str) -> Option<Uri> {
    // Parsed once: a file with hundreds of findings would otherwise parse hundreds of URIs per
    // keystroke.
    static HREFS: OnceLock<HashMap<&'static str, Uri>> = OnceLock::new();
    HREFS
        .get_or_init(|| {
            RULES
                .iter()
                .filter_map(|rule| {
                    let href = Uri::from_str(&format!("{RULES_DOC}#{}", rule.anchor())).ok()?;
                    Some((rule.code, href))
                })
                .collect()
        })
        .get(code)
        .cloned()
}

/// The edits of a fix in client positions.
pub fn fix_edits(fix: &Fix, index: &LineIndex, encoding: Encoding) -> Vec<LspTextEdit> {
    fix.edits
        .iter()
        .map(|e| {
            LspTextEdit::new(
                convert::range(index, &e.range, encoding),
                e.new_text.clone(),
            )
        })
        .collect()
}

/// A finding in `file` (open as `uri`) as a diagnostic.
pub fn to_diagnostic(
    finding: &Finding,
    uri: &Uri,
    file: &FileModel,
    ws: &Workspace,
    encoding: Encoding,
) -> Diagnostic {
    let index = &file.line_index;
    let related: Vec<DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .filter_map(|r| {
            let (uri, range) = if r.path == file.path {
                (uri.clone(), convert::range(index, &r.range, encoding))
            } else {
                let uri = convert::uri_of(&r.path)?;
                let range = match ws.file(&r.path) {
                    Some(other) => convert::range(&other.line_index, &r.range, encoding),
                    // Not indexed: the 1-based character columns are the best there is.
                    None => LspRange::new(
                        Position::new(
                            r.start.line.saturating_sub(1),
                            r.start.column.saturating_sub(1),
                        ),
                        Position::new(r.end.line.saturating_sub(1), r.end.column.saturating_sub(1)),
                    ),
                };
                (uri, range)
            };
            Some(DiagnosticRelatedInformation {
                location: LspLocation::new(uri, range),
                message: r.message.clone(),
            })
        })
        .collect();
    let data = DiagnosticData {
        rule: finding.name.to_string(),
        cwe: finding.cwe.map(str::to_string),
        help: finding.help.clone(),
        fixes: finding
            .fixes
            .iter()
            .map(|fix| FixData {
                title: fix.title.clone(),
                applicability: fix.applicability,
                edits: fix_edits(fix, index, encoding),
            })
            .collect(),
    };
    Diagnostic {
        range: convert::range(index, &finding.range, encoding),
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.code.to_string())),
        code_description: rule_href(finding.code).map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: finding.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        // An unused suppression is dead text: editors fade it out.
        tags: (finding.code == "XS002").then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: serde_json::to_value(data).ok(),
    }
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::check::{check_file, syntax_issues};
    use crate::rules::RuleSelection;
    use crate::syntax::parse;
    use crate::workspace::Config;
    use std::sync::Arc;

    #[test]
    fn a_finding_becomes_a_full_diagnostic() {
        let text = "api_group \"🛒 shop\" {\n  canonical = \"shop-v1\"\n}\n";
        let tree = parse(text);
        let file = Arc::new(FileModel::new("/w/g.xs", &tree));
        let ws = Workspace::single(file.clone(), Config::default());
        let checked = check_file(&file, &syntax_issues(&tree), &ws, &RuleSelection::all());
        let finding = checked
            .findings
            .iter()
            .find(|f| f.code == "XS301")
            .expect("XS301 reports a group without swagger");
        let uri = Uri::from_str("file:///w/g.xs").unwrap();
        let d = to_diagnostic(finding, &uri, &file, &ws, Encoding::Utf16);
        assert_eq!(d.code, Some(NumberOrString::String("XS301".into())));
        assert_eq!(d.source.as_deref(), Some("xsguard"));
        assert_eq!(
            d.code_description.unwrap().href.as_str(),
            "https://github.com/xsguard/xsguard/blob/main/docs/rules.md#xs301-public-swagger"
        );
        // `api_group "🛒 shop"`: the cart is two UTF-16 units.
        assert_eq!(d.range.end, Position::new(0, 19));
        let data: DiagnosticData = serde_json::from_value(d.data.unwrap()).unwrap();
        assert_eq!(data.rule, "public-swagger");
        assert_eq!(data.fixes.len(), 1);
        assert_eq!(data.fixes[0].edits[0].range.start, Position::new(1, 23));
    }
}
