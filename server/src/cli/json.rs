//! `--format json`: one JSON document with every finding.

use serde::Serialize;

use super::summary::{Fixable, Summary};
use crate::finding::{Applicability, Location, Severity};
use crate::host::check::CheckedFile;
use crate::syntax::LineIndex;

/// Bumped when the document's shape changes incompatibly.
const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    /// Files findings were reported for.
    files: usize,
    /// Only the named paths were read, without the rest of their workspace.
    isolated: bool,
    /// Findings `xsguard fix` repairs, and those only `--unsafe-fixes` repairs.
    fixable: JsonFixable,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonFixable {
    safe: usize,
    #[serde(rename = "unsafe")]
    unsafe_only: usize,
}

#[derive(Serialize)]
struct JsonRange {
    start: Location,
    end: Location,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    path: &'a str,
    range: JsonRange,
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    fixes: Vec<JsonFix<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cwe: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    path: &'a str,
    range: JsonRange,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    applicability: Applicability,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    range: JsonRange,
    new_text: &'a str,
}

/// The JSON document for these files; positions are 1-based lines and 1-based columns counted
/// in characters.
pub fn render(files: &[CheckedFile], summary: &Summary) -> String {
    let mut findings = Vec::new();
    for file in files {
        if file.findings.is_empty() {
            continue;
        }
        let index = LineIndex::new(&file.text);
        let range = |r: &std::ops::Range<usize>| JsonRange {
            start: Location::of_offset(&index, r.start),
            end: Location::of_offset(&index, r.end),
        };
        for finding in &file.findings {
            findings.push(JsonFinding {
                path: &finding.path,
                range: JsonRange {
                    start: finding.start,
                    end: finding.end,
                },
                code: finding.code,
                name: finding.name,
                severity: finding.severity,
                message: &finding.message,
                help: finding.help.as_deref(),
                fixes: finding
                    .fixes
                    .iter()
                    .map(|fix| JsonFix {
                        title: &fix.title,
                        applicability: fix.applicability,
                        edits: fix
                            .edits
                            .iter()
                            .map(|edit| JsonEdit {
                                range: range(&edit.range),
                                new_text: &edit.new_text,
                            })
                            .collect(),
                    })
                    .collect(),
                cwe: finding.cwe,
                related: finding
                    .related
                    .iter()
                    .map(|r| JsonRelated {
                        path: &r.path,
                        range: JsonRange {
                            start: r.start,
                            end: r.end,
                        },
                        message: &r.message,
                    })
                    .collect(),
            });
        }
    }
    let fixable = Fixable::of(files);
    let report = Report {
        version: FORMAT_VERSION,
        files: summary.checked_files,
        isolated: summary.isolated,
        fixable: JsonFixable {
            safe: fixable.safe,
            unsafe_only: fixable.unsafe_only,
        },
        findings,
    };
    let mut out = serde_json::to_string_pretty(&report).unwrap_or_default();
    out.push('\n');
    out
}
