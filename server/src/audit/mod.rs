//! The pre-launch audit: a verdict and what to fix first, every finding grouped by rule with
//! its place, code and fix, what an attacker sees of the backend (endpoint inventory, api
//! groups, tables), and the checks no source can show.
//!
//! [`Audit::build`] gathers the facts of one workspace from what the host reported;
//! [`Audit::merge`] joins workspaces; `markdown`, `html` and [`Audit::json`] render them. The
//! audit decides nothing about findings: it orders and groups what the rules reported.
//! docs/audit-json.md documents the JSON.

mod checklist;
mod findings;
mod html;
mod inventory;
mod markdown;
mod ranking;
mod run;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde::Serialize;

use crate::analysis::exposure::Analyzer;
use crate::finding::{Finding, Severity};
use crate::host::check::CheckedFile;
use crate::model::Object;
use crate::workspace::{FileModel, Workspace};

pub use checklist::ManualItem;
pub use findings::{AuditFinding, Place, PlaceKind};
pub use html::render as html;
pub use inventory::{ApiGroup, EndpointFacts, EndpointRow, Reach, Table};
pub use markdown::render as markdown;
pub use ranking::{Cluster, RuleGroup, TopIssue, Verdict};
pub use run::RunInfo;

/// The version of the JSON layout; fields are only added within a version.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Serialize)]
pub struct Section {
    pub title: &'static str,
    pub findings: Vec<AuditFinding>,
}

#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

impl Counts {
    fn add(&mut self, s: Severity) {
        match s {
            Severity::Error => self.error += 1,
            Severity::Warning => self.warning += 1,
            Severity::Info => self.info += 1,
        }
    }
}

/// Everything the report shows.
#[derive(Debug, Serialize)]
pub struct Audit {
    pub schema_version: u32,
    pub run: RunInfo,
    pub files: usize,
    pub counts: Counts,
    pub verdict: Verdict,
    pub top_issues: Vec<TopIssue>,
    pub rules: Vec<RuleGroup>,
    pub endpoints: Vec<EndpointRow>,
    pub api_groups: Vec<ApiGroup>,
    pub tables: Vec<Table>,
    pub sections: Vec<Section>,
    pub manual_checks: &'static [ManualItem],
    /// Where the paths of the report are relative to, when it covers one workspace.
    #[serde(skip)]
    root: Option<String>,
}

/// `one` or `many`, as `n` asks.
fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

impl Audit {
    /// How much the audit covers: `24 files · 14 endpoints · 4 api groups · 4 tables`.
    fn size(&self) -> String {
        let count = |n: usize, one, many| format!("{n} {}", plural(n, one, many));
        [
            count(self.files, "file", "files"),
            count(self.endpoints.len(), "endpoint", "endpoints"),
            count(self.api_groups.len(), "api group", "api groups"),
            count(self.tables.len(), "table", "tables"),
        ]
        .join(" · ")
    }

    /// Gathers the audit of a checked workspace; `root` is its folder (paths are shown
    /// relative to it).
    pub fn build(ws: &Workspace, checked: &[CheckedFile], root: Option<&Path>) -> Self {
        let relative = |path: &str| relative_path(path, root);
        let analyzer = Analyzer::new(ws);
        let mut facts = FactCache::default();
        let mut found = Vec::new();
        let mut endpoints = Vec::new();
        let mut api_groups = Vec::new();
        // The inventory covers the files asked for; the rest of the workspace is context.
        for checked in checked {
            let shown = relative(&checked.path);
            let Some(file) = ws.file(&checked.path) else {
                for f in &checked.findings {
                    let place =
                        findings::other_place(PlaceKind::Other, shown.clone(), false, f.code);
                    found.push(AuditFinding::new(f, shown.clone(), &checked.text, place));
                }
                continue;
            };
            for f in &checked.findings {
                let place = place_of(ws, &analyzer, &mut facts, file, f, &shown);
                found.push(AuditFinding::new(f, shown.clone(), &checked.text, place));
            }
            for (index, object) in file.model.objects.iter().enumerate() {
                let line = file.line_index.line_of(object.span.start) as u32 + 1;
                match object.kind.value.as_str() {
                    "query" => {
                        let codes: Vec<String> = checked
                            .findings
                            .iter()
                            .filter(|f| object_at(file, f.range.start) == Some(index))
                            .map(|f| f.code.to_string())
                            .collect::<BTreeSet<_>>()
                            .into_iter()
                            .collect();
                        let facts = facts.endpoint(ws, &analyzer, file, index);
                        endpoints.push(inventory::endpoint_row(
                            object,
                            &facts,
                            shown.clone(),
                            line,
                            codes,
                        ));
                    }
                    "api_group" => api_groups.push(inventory::api_group(object, shown.clone())),
                    _ => {}
                }
            }
        }
        let reported: BTreeSet<&str> = checked.iter().map(|c| c.path.as_str()).collect();
        let tables = ws
            .tables()
            .filter(|t| reported.contains(t.object.file.path.as_str()))
            .map(|t| inventory::table(ws, t, relative(&t.object.file.path)))
            .collect();
        Audit {
            schema_version: SCHEMA_VERSION,
            run: RunInfo::new(workspace_name(ws, root), String::new()),
            files: checked.len(),
            counts: Counts::default(),
            verdict: ranking::verdict(&[]),
            top_issues: Vec::new(),
            rules: Vec::new(),
            endpoints,
            api_groups,
            tables,
            sections: vec![Section {
                title: "",
                findings: found,
            }],
            manual_checks: checklist::MANUAL,
            root: root.map(|r| r.display().to_string()),
        }
        .finish()
    }

    /// One report of several workspaces' audits (a run over paths of more than one app):
    /// paths then start with each workspace's folder.
    pub fn merge(parts: Vec<Audit>) -> Self {
        let several = parts.len() > 1;
        let mut parts = parts.into_iter();
        let Some(mut all) = parts.next() else {
            return Audit::build(&Workspace::default(), &[], None);
        };
        if !several {
            return all;
        }
        all.prefix_paths();
        let mut names = vec![all.run.workspace.clone()];
        for mut part in parts {
            part.prefix_paths();
            names.push(part.run.workspace.clone());
            all.files += part.files;
            all.endpoints.extend(part.endpoints);
            all.api_groups.extend(part.api_groups);
            all.tables.extend(part.tables);
            for (into, from) in all.sections.iter_mut().zip(part.sections) {
                into.findings.extend(from.findings);
            }
        }
        all.run.workspace = names.join(", ");
        all.root = None;
        all.finish()
    }

    /// Records the command line that produced the report.
    pub fn with_command(mut self, command: String) -> Self {
        self.run.command = command;
        self
    }

    fn prefix_paths(&mut self) {
        let Some(root) = self.root.take() else {
            return;
        };
        let name = Path::new(&root)
            .file_name()
            .map_or(root.clone(), |n| n.to_string_lossy().into_owned());
        let join = |p: &mut String| *p = format!("{name}/{p}");
        self.sections
            .iter_mut()
            .flat_map(|s| &mut s.findings)
            .for_each(|f| join(&mut f.path));
        self.endpoints.iter_mut().for_each(|e| join(&mut e.file));
        self.api_groups.iter_mut().for_each(|g| join(&mut g.file));
        self.tables.iter_mut().for_each(|t| join(&mut t.file));
    }

    /// In report order: findings numbered, grouped and ranked; each api group's endpoints
    /// counted.
    fn finish(mut self) -> Self {
        let mut all: Vec<AuditFinding> = self.sections.drain(..).flat_map(|s| s.findings).collect();
        all.sort_by(|a, b| {
            (
                findings::section_of(a.code),
                a.severity,
                a.code,
                &a.path,
                a.line,
                a.column,
            )
                .cmp(&(
                    findings::section_of(b.code),
                    b.severity,
                    b.code,
                    &b.path,
                    b.line,
                    b.column,
                ))
        });
        self.counts = Counts::default();
        for (i, f) in all.iter_mut().enumerate() {
            f.id = format!("F{}", i + 1);
            self.counts.add(f.severity);
        }
        self.rules = ranking::rule_groups(&all);
        self.top_issues = ranking::top_issues(&self.rules, &all);
        self.verdict = ranking::verdict(&all);
        let mut sections: Vec<Section> = findings::SECTIONS
            .iter()
            .map(|title| Section {
                title,
                findings: Vec::new(),
            })
            .collect();
        for f in all {
            sections[findings::section_of(f.code)].findings.push(f);
        }
        self.sections = sections;
        self.tables
            .sort_by(|a, b| (&a.name, &a.file).cmp(&(&b.name, &b.file)));
        self.endpoints.sort_by(|a, b| {
            (&a.api_group, &a.path, &a.verb).cmp(&(&b.api_group, &b.path, &b.verb))
        });
        self.api_groups
            .sort_by(|a, b| (&a.file, &a.name).cmp(&(&b.file, &b.name)));
        for g in &mut self.api_groups {
            g.endpoints = self
                .endpoints
                .iter()
                .filter(|e| e.api_group.as_deref() == Some(g.name.as_str()))
                .count();
        }
        self
    }

    /// Every finding, in report order.
    pub fn findings(&self) -> impl Iterator<Item = &AuditFinding> {
        self.sections.iter().flat_map(|s| &s.findings)
    }

    /// A finding by its id.
    pub fn finding(&self, id: &str) -> Option<&AuditFinding> {
        self.findings().find(|f| f.id == id)
    }

    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).expect("audit serializes") + "\n"
    }
}

/// Facts of endpoints, computed once each: a function's findings ask for those of every
/// endpoint that runs it.
#[derive(Default)]
struct FactCache {
    endpoints: HashMap<(String, usize), EndpointFacts>,
}

impl FactCache {
    fn endpoint(
        &mut self,
        ws: &Workspace,
        analyzer: &Analyzer,
        file: &FileModel,
        index: usize,
    ) -> EndpointFacts {
        self.endpoints
            .entry((file.path.clone(), index))
            .or_insert_with(|| {
                inventory::endpoint_facts(ws, analyzer, file, &file.model.objects[index])
            })
            .clone()
    }
}

/// The object of the file a byte offset is in.
fn object_at(file: &FileModel, offset: usize) -> Option<usize> {
    file.model
        .objects
        .iter()
        .position(|o| o.span.start <= offset && offset < o.span.end.max(o.span.start + 1))
}

fn place_of(
    ws: &Workspace,
    analyzer: &Analyzer,
    facts: &mut FactCache,
    file: &FileModel,
    f: &Finding,
    shown: &str,
) -> Place {
    let Some(index) = object_at(file, f.range.start) else {
        return findings::other_place(PlaceKind::Other, shown.to_string(), false, f.code);
    };
    let object: &Object = &file.model.objects[index];
    let name = object.name.as_ref().map_or("", |n| n.value.as_str());
    match object.kind.value.as_str() {
        "query" => findings::endpoint_place(&facts.endpoint(ws, analyzer, file, index), f.code),
        "function" => {
            let callers: Vec<EndpointFacts> = ws
                .reaching(name)
                .iter()
                .filter(|r| r.object().kind.value == "query")
                .map(|r| facts.endpoint(ws, analyzer, &r.file, r.index))
                .collect();
            findings::function_place(name, &callers, f.code)
        }
        "api_group" => findings::other_place(
            PlaceKind::ApiGroup,
            format!("api group {name}"),
            false,
            f.code,
        ),
        "table" => {
            let holds =
                !ws.sensitive_columns(name).is_empty() || !ws.personal_columns(name).is_empty();
            findings::other_place(PlaceKind::Table, format!("table {name}"), holds, f.code)
        }
        kind => findings::other_place(
            PlaceKind::Other,
            if name.is_empty() {
                kind.to_string()
            } else {
                format!("{kind} {name}")
            },
            false,
            f.code,
        ),
    }
}

/// A path of the report, relative to the workspace root when it is under it.
fn relative_path(path: &str, root: Option<&Path>) -> String {
    let Some(root) = root else {
        return path.to_string();
    };
    let on_disk = Path::new(path);
    let absolute = std::fs::canonicalize(on_disk).unwrap_or_else(|_| on_disk.to_path_buf());
    match absolute.strip_prefix(root) {
        Ok(rest) if !rest.as_os_str().is_empty() => rest.to_string_lossy().replace('\\', "/"),
        _ => path.to_string(),
    }
}

/// The name a `workspace "..."` object gives, else the root folder's.
fn workspace_name(ws: &Workspace, root: Option<&Path>) -> String {
    ws.files()
        .flat_map(|f| &f.model.objects)
        .filter(|o| o.kind.value == "workspace")
        .find_map(|o| o.name.as_ref().map(|n| n.value.clone()))
        .filter(|n| !n.trim().is_empty())
        .or_else(|| {
            root.and_then(|r| r.file_name())
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "workspace".to_string())
}
