//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it.

use serde_json::{Value, json};

use super::fingerprint::{fingerprints, normalize_path, suppressed_fingerprints};
use super::rules_doc::anchor;
use crate::check::CheckedFile;
use crate::finding::{Location, Severity};
use crate::rules::{RULES, Rule, documentation};
use crate::syntax::LineIndex;

const DOCS: &str = "https://github.com/xsguard/xsguard/blob/main/docs/rules.md";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// GitHub ranks security alerts by this 0–10 score.
fn security_severity(rule: &Rule) -> &'static str {
    match (rule.code, rule.severity) {
        ("XS401" | "XS101" | "XS102" | "XS501", _) => "8.8",
        (_, Severity::Error) => "7.5",
        (_, Severity::Warning) => "5.3",
        (_, Severity::Info) => "3.1",
    }
}

fn rule_descriptor(rule: &Rule) -> Value {
    let doc = documentation(rule.code).unwrap_or(rule.summary);
    // The first paragraph after "What it does" is the full description.
    let full = doc
        .split("\n\n")
        .find(|p| !p.starts_with("##"))
        .map(|p| {
            p.trim_start_matches("## What it does")
                .trim()
                .replace('\n', " ")
        })
        .unwrap_or_else(|| rule.summary.to_string());
    let mut tags = vec![json!("security")];
    if let Some(cwe) = rule.cwe {
        tags.push(json!(cwe));
        tags.push(json!(format!("external/cwe/{}", cwe.to_ascii_lowercase())));
    }
    json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full},
        "help": {"text": doc, "markdown": doc},
        "helpUri": format!("{DOCS}#{}", anchor(rule)),
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {
            "tags": tags,
            "security-severity": security_severity(rule),
            "precision": "high",
            "problem.severity": match rule.severity { Severity::Error => "error", Severity::Warning => "warning", Severity::Info => "recommendation" },
        },
    })
}

fn region(start: Location, end: Location) -> Value {
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

fn artifact(path: &str) -> Value {
    json!({"uri": uri(path), "uriBaseId": "%SRCROOT%"})
}

/// A repository-relative URI: relative to the working directory when the path is under it.
fn uri(path: &str) -> String {
    let p = std::path::Path::new(path);
    let relative = match std::env::current_dir() {
        Ok(cwd) if p.is_absolute() => p
            .strip_prefix(&cwd)
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned(),
        _ => path.to_string(),
    };
    normalize_path(&relative)
        .split('/')
        .map(percent_encode)
        .collect::<Vec<_>>()
        .join("/")
}

fn percent_encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b'+'
            | b'{'
            | b'}' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The SARIF log of these files.
pub fn render(files: &[CheckedFile]) -> String {
    let mut results = Vec::new();
    for file in files {
        let index = LineIndex::new(&file.text);
        let loc = |offset: usize| Location::of_offset(&index, offset);
        let prints = fingerprints(file);
        let entries = file
            .findings
            .iter()
            .zip(prints)
            .map(|(f, p)| (f, p, None))
            .chain(
                file.suppressed
                    .iter()
                    .zip(suppressed_fingerprints(file))
                    .map(|(s, p)| (&s.finding, p, Some(s.reason.clone().unwrap_or_default()))),
            );
        for (finding, fingerprint, suppression) in entries {
            let rule_index = RULES
                .iter()
                .position(|r| r.code == finding.code)
                .unwrap_or(0);
            let mut result = json!({
                "ruleId": finding.code,
                "ruleIndex": rule_index,
                "level": level(finding.severity),
                "message": {"text": finding.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": artifact(&finding.path),
                    "region": region(finding.start, finding.end),
                }}],
                "partialFingerprints": {"xsguardFindingHash/v1": fingerprint},
            });
            if !finding.related.is_empty() {
                result["relatedLocations"] = finding
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        json!({
                            "id": i + 1,
                            "message": {"text": r.message},
                            "physicalLocation": {"artifactLocation": artifact(&r.path), "region": region(r.start, r.end)},
                        })
                    })
                    .collect();
            }
            if !finding.fixes.is_empty() {
                result["fixes"] = finding
                    .fixes
                    .iter()
                    .map(|fix| {
                        json!({
                            "description": {"text": fix.title},
                            "artifactChanges": [{
                                "artifactLocation": artifact(&finding.path),
                                "replacements": fix.edits.iter().map(|e| json!({
                                    "deletedRegion": region(loc(e.range.start), loc(e.range.end)),
                                    "insertedContent": {"text": e.new_text},
                                })).collect::<Vec<_>>(),
                            }],
                        })
                    })
                    .collect();
            }
            if let Some(justification) = suppression {
                result["suppressions"] =
                    json!([{"kind": "inSource", "justification": justification}]);
            }
            results.push(result);
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "xsguard",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/xsguard/xsguard",
                "rules": RULES.iter().map(rule_descriptor).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"%SRCROOT%": {"uri": "./"}},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).expect("SARIF serializes") + "\n"
}
