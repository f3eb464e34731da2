//! The pre-launch audit: what an attacker sees of the backend (endpoint inventory, api groups,
//! tables), every finding grouped by checklist section, and the checks no source can show.
//!
//! [`Audit::build`] gathers the facts; `markdown`, `html` and `json` render them.

mod html;
mod markdown;

use std::collections::BTreeSet;

use serde::Serialize;

use crate::finding::Severity;
use crate::host::check::CheckedFile;
use crate::model::Object;
use crate::model::object_statements;
use crate::semantics::api_group::{self, CorsPolicy, CorsWritten, Swagger};
use crate::semantics::endpoint;
use crate::semantics::statements::{Db, runs_sql};
use crate::workspace::calls::CallPath;
use crate::workspace::{Workspace, is_personal_name};

pub use html::render as html;
pub use markdown::render as markdown;

/// One endpoint of the inventory.
#[derive(Debug, Serialize)]
pub struct EndpointRow {
    pub verb: String,
    pub path: String,
    pub api_group: Option<String>,
    /// The auth table, when the endpoint requires authentication.
    pub auth: Option<String>,
    pub reads: Vec<String>,
    pub writes: Vec<String>,
    /// Codes of the findings in the endpoint's file.
    pub findings: Vec<String>,
    pub file: String,
    pub line: u32,
}

#[derive(Debug, Serialize)]
pub struct ApiGroup {
    pub name: String,
    /// "off", "token" or "public".
    pub swagger: String,
    /// "custom: a, b", "wildcard" or "default (wildcard)".
    pub cors: String,
    pub active: bool,
    pub endpoints: usize,
    pub file: String,
}

#[derive(Debug, Serialize)]
pub struct Table {
    pub name: String,
    pub auth: bool,
    pub owner_field: Option<String>,
    pub sensitive_fields: Vec<String>,
    /// Fields that look sensitive or personal but are not flagged `sensitive = true`.
    pub unflagged_candidates: Vec<String>,
    pub file: String,
}

#[derive(Debug, Serialize)]
pub struct AuditFinding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub path: String,
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Serialize)]
pub struct Section {
    pub title: &'static str,
    pub findings: Vec<AuditFinding>,
}

#[derive(Debug, Serialize)]
pub struct ManualItem {
    pub item: &'static str,
    pub why: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

/// Everything the report shows.
#[derive(Debug, Serialize)]
pub struct Audit {
    pub files: usize,
    pub counts: Counts,
    pub endpoints: Vec<EndpointRow>,
    pub api_groups: Vec<ApiGroup>,
    pub tables: Vec<Table>,
    pub sections: Vec<Section>,
    pub manual_checks: Vec<ManualItem>,
}

/// The checklist sections of the catalogue, by the rule family digit.
const SECTIONS: &[(&str, &str)] = &[
    ("XS0", "Syntax and suppressions"),
    ("XS1", "Access control"),
    ("XS2", "Data exposure"),
    ("XS3", "Configuration"),
    ("XS4", "Injection"),
    ("XS5", "Secrets and residue"),
];

const MANUAL: &[(&str, &str)] = &[
    (
        "Two-factor authentication on every Xano account",
        "a stolen team password is a stolen backend; 2FA is the only thing between them",
    ),
    (
        "Team list and roles reviewed",
        "former collaborators and over-broad roles keep access nobody remembers granting",
    ),
    (
        "Metadata API tokens and their scopes",
        "a leaked token with write scope can change every endpoint without touching the source",
    ),
    (
        "Instance security policy (inactivity timeout, SSO hosts, IP rules)",
        "session and network limits are set on the instance, not in `.xs` files",
    ),
    (
        "A non-live data source and branch for development",
        "testing against live data turns every experiment into a production incident",
    ),
    (
        "Sandbox previews",
        "preview environments often run with live credentials and no auth in front",
    ),
    (
        "Test accounts in the live data source",
        "test users with known passwords are the easiest way in",
    ),
    (
        "Direct Database Connector allow-list",
        "a database port open to any address bypasses every endpoint check",
    ),
    (
        "Request History and Audit Logs reviewed",
        "they show who already probed the API and whether secrets were logged",
    ),
    (
        "A manual backup before launch",
        "the first incident after launch should not also be data loss",
    ),
];

impl Audit {
    /// Gathers the audit of a checked workspace.
    pub fn build(ws: &Workspace, checked: &[CheckedFile]) -> Self {
        let mut counts = Counts {
            error: 0,
            warning: 0,
            info: 0,
        };
        let mut sections: Vec<Section> = SECTIONS
            .iter()
            .map(|(_, title)| Section {
                title,
                findings: Vec::new(),
            })
            .collect();
        for file in checked {
            for f in &file.findings {
                match f.severity {
                    Severity::Error => counts.error += 1,
                    Severity::Warning => counts.warning += 1,
                    Severity::Info => counts.info += 1,
                }
                let i = SECTIONS
                    .iter()
                    .position(|(prefix, _)| f.code.starts_with(prefix))
                    .unwrap_or(0);
                sections[i].findings.push(AuditFinding {
                    code: f.code,
                    name: f.name,
                    severity: f.severity,
                    message: f.message.clone(),
                    path: f.path.clone(),
                    line: f.start.line,
                    column: f.start.column,
                });
            }
        }
        let mut endpoints = Vec::new();
        let mut api_groups = Vec::new();
        let mut tables = Vec::new();
        // The inventory covers the files asked for; the rest of the workspace is context.
        for checked in checked {
            let Some(file) = ws.file(&checked.path) else {
                continue;
            };
            let codes: Vec<String> = checked
                .findings
                .iter()
                .map(|f| f.code.to_string())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            for object in &file.model.objects {
                let line = file.line_index.line_of(object.span.start) as u32 + 1;
                match object.kind.value.as_str() {
                    "query" => {
                        endpoints.push(endpoint_row(ws, object, &file.path, line, codes.clone()))
                    }
                    "api_group" => api_groups.push(api_group(object, &file.path)),
                    _ => {}
                }
            }
        }
        let reported: BTreeSet<&str> = checked.iter().map(|c| c.path.as_str()).collect();
        for t in ws
            .tables()
            .filter(|t| reported.contains(t.object.file.path.as_str()))
        {
            let sensitive: Vec<String> = ws
                .sensitive_columns(&t.name)
                .iter()
                .map(|c| c.name.clone())
                .collect();
            let candidates = t
                .columns
                .iter()
                .filter(|c| {
                    !c.flagged_sensitive
                        && (sensitive.contains(&c.name) || is_personal_name(&c.name))
                })
                .map(|c| c.name.clone())
                .collect();
            tables.push(Table {
                name: t.name.clone(),
                auth: t.is_auth,
                owner_field: ws.owner_field(&t.name).map(|c| c.name.clone()),
                sensitive_fields: sensitive,
                unflagged_candidates: candidates,
                file: t.object.file.path.clone(),
            });
        }
        Audit {
            files: checked.len(),
            counts,
            endpoints,
            api_groups,
            tables,
            sections,
            manual_checks: MANUAL
                .iter()
                .map(|(item, why)| ManualItem { item, why })
                .collect(),
        }
        .sorted()
    }

    /// One report of several workspaces' audits (a run over paths of more than one app).
    pub fn merge(parts: Vec<Audit>) -> Self {
        let mut parts = parts.into_iter();
        let Some(mut all) = parts.next() else {
            return Audit::build(&Workspace::default(), &[]);
        };
        for part in parts {
            all.files += part.files;
            all.counts.error += part.counts.error;
            all.counts.warning += part.counts.warning;
            all.counts.info += part.counts.info;
            all.endpoints.extend(part.endpoints);
            all.api_groups.extend(part.api_groups);
            all.tables.extend(part.tables);
            for (into, from) in all.sections.iter_mut().zip(part.sections) {
                into.findings.extend(from.findings);
            }
        }
        all.sorted()
    }

    /// In report order, with each api group's endpoints counted.
    fn sorted(mut self) -> Self {
        for s in &mut self.sections {
            s.findings.sort_by(|a, b| {
                (a.severity, a.code, &a.path, a.line).cmp(&(b.severity, b.code, &b.path, b.line))
            });
        }
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

    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).expect("audit serializes") + "\n"
    }
}

fn endpoint_row(
    ws: &Workspace,
    object: &Object,
    file: &str,
    line: u32,
    findings: Vec<String>,
) -> EndpointRow {
    let (mut reads, mut writes) = (BTreeSet::new(), BTreeSet::new());
    collect_tables(
        ws,
        object,
        &CallPath::start(object),
        &mut reads,
        &mut writes,
    );
    EndpointRow {
        verb: endpoint::verb(object),
        path: endpoint::path(object).to_string(),
        api_group: endpoint::api_group(object)
            .filter(|g| !g.is_empty())
            .map(str::to_string),
        auth: endpoint::auth(object).map(str::to_string),
        reads: reads.into_iter().collect(),
        writes: writes.into_iter().collect(),
        findings,
        file: file.to_string(),
        line,
    }
}

/// Tables a stack reads and writes, following `function.run` into functions.
fn collect_tables(
    ws: &Workspace,
    object: &Object,
    path: &CallPath,
    reads: &mut BTreeSet<String>,
    writes: &mut BTreeSet<String>,
) {
    let statements = object_statements(object);
    for s in &statements {
        let name = s.name.value.as_str();
        let Some(table) = s.target_name().map(|t| t.value.clone()) else {
            continue;
        };
        match Db::of(name) {
            Some(db) if db.reads() || db == Db::Schema => {
                reads.insert(table);
            }
            Some(db) if db.writes() => {
                writes.insert(table);
            }
            _ if name.starts_with("db.bulk.") => {
                writes.insert(table);
            }
            _ => {}
        }
    }
    if statements.iter().any(|s| runs_sql(&s.name.value)) {
        writes.insert("(raw SQL)".to_string());
    }
    for (_, callee, inner) in path.calls(ws, &statements) {
        collect_tables(ws, callee.object(), &inner, reads, writes);
    }
}

fn api_group(object: &Object, file: &str) -> ApiGroup {
    let name = object
        .name
        .as_ref()
        .map_or_else(String::new, |n| n.value.clone());
    let swagger = match api_group::swagger(object) {
        Swagger::Default => "public (default)",
        Swagger::Off(_) => "off",
        Swagger::Public(_) => "public",
        Swagger::Token(_) => "token",
        Swagger::Unknown(_) => "unknown (not a literal)",
    }
    .to_string();
    let cors_setting = api_group::cors(object);
    let mut cors = match cors_setting.policy {
        CorsPolicy::Default => "default (wildcard)".to_string(),
        CorsPolicy::OpenMode(mode) => format!("wildcard ({mode})"),
        CorsPolicy::NoOrigins => "no origins listed (every origin)".to_string(),
        CorsPolicy::Wildcard { credentials: true } => "wildcard (*, with credentials)".to_string(),
        CorsPolicy::Wildcard { credentials: false } => "wildcard (*)".to_string(),
        CorsPolicy::NullOrigin => "the null origin".to_string(),
        CorsPolicy::Origins(origins) => format!("custom: {}", origins.join(", ")),
        CorsPolicy::Unknown => "unknown (not a literal)".to_string(),
    };
    if matches!(cors_setting.written, CorsWritten::Block(_)) {
        cors.push_str(" (written as a `cors { }` block)");
    }
    ApiGroup {
        name,
        swagger,
        cors,
        active: api_group::active(object),
        endpoints: 0,
        file: file.to_string(),
    }
}
