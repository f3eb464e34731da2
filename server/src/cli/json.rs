//! `--format json`: one JSON document with every finding.

use serde::Serialize;

use crate::check::CheckedFile;
use crate::finding::{Location, Severity};
use crate::syntax::LineIndex;

/// Bumped when the document's shape changes incompatibly.
const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    files: usize,
    findings: Vec<JsonFinding<'a>>,
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
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    range: JsonRange,
    new_text: &'a str,
}

/// The JSON document for these files; positions are 1-based lines and 1-based columns counted
/// in characters.
pub fn render(files: &[CheckedFile]) -> String {
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
    let report = Report {
        version: FORMAT_VERSION,
        files: files.len(),
        findings,
    };
    let mut out = serde_json::to_string_pretty(&report).unwrap_or_default();
    out.push('\n');
    out
}
