//! What an attacker sees of the backend: each endpoint (who may call it, what it reads, writes
//! and returns), each api group's settings, each table's sensitive columns.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::analysis::access::{is_authenticated, is_ghost_shape};
use crate::analysis::exposure::Analyzer;
use crate::model::{Object, object_statements};
use crate::semantics::api_group::{self, CorsPolicy, CorsWritten, Swagger};
use crate::semantics::endpoint;
use crate::semantics::statements::{Db, runs_sql};
use crate::workspace::calls::CallPath;
use crate::workspace::sensitivity::DataKind;
use crate::workspace::{FileModel, TableInfo, Workspace, is_personal_name};

/// Who can call an endpoint (or reach code through one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reach {
    /// Anyone on the internet: no `auth`, or an `auth` that names no auth table.
    Public,
    /// Signed-in users of an auth table.
    Authenticated,
    /// Nobody from outside directly: a table, a function no endpoint runs, an endpoint of an
    /// inactive api group.
    Internal,
}

/// One endpoint of the inventory.
#[derive(Debug, Serialize)]
pub struct EndpointRow {
    pub verb: String,
    pub path: String,
    pub api_group: Option<String>,
    /// The auth table, when the endpoint requires authentication.
    pub auth: Option<String>,
    pub reach: Reach,
    pub reads: Vec<String>,
    pub writes: Vec<String>,
    /// Tables whose records reach the response with personal data or credentials in them.
    pub returns_user_data: Vec<String>,
    /// The table whose generated CRUD endpoint this path and verb look like (a "ghost" left in
    /// place after Xano generated it).
    pub generated_crud: Option<String>,
    /// Codes of the findings reported in the endpoint.
    pub findings: Vec<String>,
    /// Relative to the workspace root.
    pub file: String,
    pub line: u32,
}

/// What the ranking of findings needs to know about an endpoint.
#[derive(Clone, Debug)]
pub struct EndpointFacts {
    pub label: String,
    pub reach: Reach,
    pub reads: Vec<String>,
    pub writes: Vec<String>,
    pub returns_user_data: Vec<String>,
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

/// Who can call the endpoint and what it does with data.
pub fn endpoint_facts(
    ws: &Workspace,
    analyzer: &Analyzer,
    file: &FileModel,
    object: &Object,
) -> EndpointFacts {
    let (mut reads, mut writes) = (BTreeSet::new(), BTreeSet::new());
    collect_tables(
        ws,
        object,
        &CallPath::start(object),
        &mut reads,
        &mut writes,
    );
    let reach = if ws.in_inactive_group(object) {
        Reach::Internal
    } else if is_authenticated(ws, object) {
        Reach::Authenticated
    } else {
        Reach::Public
    };
    let mut returned = BTreeSet::new();
    if ws.has_tables() {
        let analysis = analyzer.response(file, object);
        for kind in [DataKind::Personal, DataKind::Sensitive] {
            for read in analyzer.exposed_reads(&analysis, kind) {
                returned.insert(read.origin.table.clone());
            }
        }
    }
    EndpointFacts {
        label: endpoint::label(object),
        reach,
        reads: reads.into_iter().collect(),
        writes: writes.into_iter().collect(),
        returns_user_data: returned.into_iter().collect(),
    }
}

pub fn endpoint_row(
    object: &Object,
    facts: &EndpointFacts,
    file: String,
    line: u32,
    findings: Vec<String>,
) -> EndpointRow {
    let verb = endpoint::verb(object);
    let path = endpoint::path(object).to_string();
    let generated_crud = facts
        .reads
        .iter()
        .chain(&facts.writes)
        .find(|t| is_ghost_shape(&path, &verb, t))
        .cloned();
    EndpointRow {
        verb,
        path,
        api_group: endpoint::api_group(object)
            .filter(|g| !g.is_empty())
            .map(str::to_string),
        auth: endpoint::auth(object).map(str::to_string),
        reach: facts.reach,
        reads: facts.reads.clone(),
        writes: facts.writes.clone(),
        returns_user_data: facts.returns_user_data.clone(),
        generated_crud,
        findings,
        file,
        line,
    }
}

/// Tables a stack reads and writes, following `function.run` into functions.
pub fn collect_tables(
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

pub fn api_group(object: &Object, file: String) -> ApiGroup {
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
        file,
    }
}

pub fn table(ws: &Workspace, t: &TableInfo, file: String) -> Table {
    let sensitive: Vec<String> = ws
        .sensitive_columns(&t.name)
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let candidates = t
        .columns
        .iter()
        .filter(|c| {
            !c.flagged_sensitive && (sensitive.contains(&c.name) || is_personal_name(&c.name))
        })
        .map(|c| c.name.clone())
        .collect();
    Table {
        name: t.name.clone(),
        auth: t.is_auth,
        owner_field: ws.owner_field(&t.name).map(|c| c.name.clone()),
        sensitive_fields: sensitive,
        unflagged_candidates: candidates,
        file,
    }
}
