//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it.

use serde::Serialize;
use serde::ser::SerializeSeq;
use serde_json::{Value, json};

use super::fingerprint::{fingerprints, normalize_path, suppressed_fingerprints};
use crate::finding::{Applicability, Location, Severity};
use crate::host::check::CheckedFile;
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
        "helpUri": format!("{DOCS}#{}", rule.anchor()),
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {
            "tags": tags,
            "security-severity": security_severity(rule),
            "precision": "high",
            "problem.severity": match rule.severity { Severity::Error => "error", Severity::Warning => "warning", Severity::Info => "recommendation" },
        },
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

fn region(start: Location, end: Location) -> Region {
    Region {
        start_line: start.line,
        start_column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Artifact {
    uri: String,
    uri_base_id: &'static str,
}

fn artifact(path: &str) -> Artifact {
    Artifact {
        uri: uri(path),
        uri_base_id: "%SRCROOT%",
    }
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

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: Artifact,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation<'a> {
    id: usize,
    message: Text<'a>,
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: Text<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: Artifact,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
struct FixProperties {
    /// `safe`: `xsguard fix` applies it; `unsafe`: only with `--unsafe-fixes`.
    applicability: Applicability,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Text<'a>,
    artifact_changes: [ArtifactChange<'a>; 1],
    properties: FixProperties,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    justification: &'a str,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "xsguardFindingHash/v1")]
    hash: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text<'a>,
    locations: [ResultLocation; 1],
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression<'a>; 1]>,
}

/// The results of every file, built one file at a time as they are written.
struct Results<'a>(&'a [CheckedFile]);

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for file in self.0 {
            let index = LineIndex::new(&file.text);
            let loc = |offset: usize| Location::of_offset(&index, offset);
            let entries = file
                .findings
                .iter()
                .zip(fingerprints(file))
                .map(|(f, p)| (f, p, None))
                .chain(
                    file.suppressed
                        .iter()
                        .zip(suppressed_fingerprints(file))
                        .map(|(s, p)| (&s.finding, p, Some(s.reason.as_deref().unwrap_or("")))),
                );
            for (finding, hash, suppression) in entries {
                let result = SarifResult {
                    rule_id: finding.code,
                    rule_index: RULES
                        .iter()
                        .position(|r| r.code == finding.code)
                        .unwrap_or(0),
                    level: level(finding.severity),
                    message: Text {
                        text: &finding.message,
                    },
                    locations: [ResultLocation {
                        physical_location: PhysicalLocation {
                            artifact_location: artifact(&finding.path),
                            region: region(finding.start, finding.end),
                        },
                    }],
                    partial_fingerprints: Fingerprints { hash },
                    related_locations: finding
                        .related
                        .iter()
                        .enumerate()
                        .map(|(i, r)| RelatedLocation {
                            id: i + 1,
                            message: Text { text: &r.message },
                            physical_location: PhysicalLocation {
                                artifact_location: artifact(&r.path),
                                region: region(r.start, r.end),
                            },
                        })
                        .collect(),
                    fixes: finding
                        .fixes
                        .iter()
                        .map(|fix| SarifFix {
                            description: Text { text: &fix.title },
                            artifact_changes: [ArtifactChange {
                                artifact_location: artifact(&finding.path),
                                replacements: fix
                                    .edits
                                    .iter()
                                    .map(|e| Replacement {
                                        deleted_region: region(
                                            loc(e.range.start),
                                            loc(e.range.end),
                                        ),
                                        inserted_content: Text { text: &e.new_text },
                                    })
                                    .collect(),
                            }],
                            properties: FixProperties {
                                applicability: fix.applicability,
                            },
                        })
                        .collect(),
                    suppressions: suppression.map(|justification| {
                        [Suppression {
                            kind: "inSource",
                            justification,
                        }]
                    }),
                };
                seq.serialize_element(&result)?;
            }
        }
        seq.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Value,
    column_kind: &'static str,
    original_uri_base_ids: Value,
    results: Results<'a>,
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

/// Writes the SARIF log of these files to `out`, one result at a time: no second copy of the
/// findings is built, however many there are.
pub fn write(out: &mut dyn std::io::Write, files: &[CheckedFile]) -> std::io::Result<()> {
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: json!({"driver": {
                "name": "xsguard",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/xsguard/xsguard",
                "rules": RULES.iter().map(rule_descriptor).collect::<Vec<_>>(),
            }}),
            column_kind: "unicodeCodePoints",
            original_uri_base_ids: json!({"%SRCROOT%": {"uri": "./"}}),
            results: Results(files),
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}
