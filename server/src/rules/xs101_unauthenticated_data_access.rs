//! ## What it does
//! Reports an endpoint without `auth` that writes any table (`db.add`, `db.edit`, `db.patch`,
//! `db.add_or_edit`, `db.del`, `db.bulk.*`, `db.truncate`, a `db.direct_query` that is not a
//! literal SELECT), or that returns records of a user-owned table (the auth table, or a table
//! with an owner field such as `user_id`) through fields that are sensitive, personal or owner
//! fields. Reads and writes are followed through `function.run` and query addons. When the path
//! and verb have the shape of Xano's generated CRUD (`<table>`, `<table>/{<table>_id}`), the
//! message says so: these are the "ghost endpoints" left public after scaffolding.
//!
//! Writes are errors, reads are warnings.
//!
//! ## Why is this bad?
//! Anyone on the internet can call the endpoint: list other people's records, change or delete
//! them (CWE-306: Missing Authentication for Critical Function; OWASP API2:2023 Broken
//! Authentication and API5:2023 Broken Function Level Authorization).
//!
//! ## Example
//! ```xs
//! query "post/{post_id}" verb=DELETE {
//!   api_group = "blog"
//!   input {
//!     int post_id
//!   }
//!   stack {
//!     db.del post {
//!       field_name = "id"
//!       field_value = $input.post_id
//!     }
//!   }
//!   response = null
//! }
//! ```
//!
//! ## Fix
//! Require a signed-in caller:
//! ```xs
//! query "post/{post_id}" verb=DELETE {
//!   api_group = "blog"
//!   auth = "user"
//!   ...
//! }
//! ```
//! The fix inserts `auth = "<auth table>"` after the `api_group` line (or first in the body).
//! It is offered when the workspace has exactly one auth table, or none is known (then it
//! proposes `user` and its title asks to check the name). Then make sure the endpoint only
//! touches the caller's own records (XS102).
//!
//! ## Not flagged
//! - Endpoints with `auth`, and endpoints of an `api_group` with `active = false`.
//! - Endpoints that verify the caller themselves before touching data, in their stack, a
//!   function they run or their middleware: `security.jws_decode` / `jwe_decode`, an HMAC
//!   signature compared with a value, a request header or input compared with an `$env` secret,
//!   or a lookup of a record by a secret token from the request that must exist.
//! - Login, signup and other endpoints that check a password or issue the auth token
//!   (`security.check_password`, `security.create_auth_token`), and password-reset style
//!   endpoints (path with reset, forgot, magic, otp, verify...) that only write the auth table:
//!   rate limiting them is XS104's business.
//! - Reads of tables that are not user-owned; counts and existence checks; reads whose rows do
//!   not reach the response, or reach it only through fields that are neither sensitive,
//!   personal nor owner fields (an `output` list, a `pick`, a hand-built object: a public
//!   profile); reads restricted by a literal public condition (`$db.post.status == "published"`)
//!   whose `output` leaves out owner and sensitive fields.
//! - Disabled (`!`) statements.
//!
//! Without table definitions (a single file), only writes are reported: which tables are
//! user-owned is unknown.

use std::collections::BTreeSet;

use crate::analysis::access::{
    DataOp, Endpoint, OpKind, Sel, is_authenticated, is_ghost_shape, maybe_auth_table, path_words,
    risky_columns, where_equalities,
};
use crate::analysis::exposure::list_some;
use crate::analysis::flow::string_list;
use crate::finding::{Fix, Severity};
use crate::model::{Expr, ExprKind, Object, Statement};
use crate::semantics::endpoint::{self, describe, header_span, path, verb};
use crate::semantics::names::has_word;
use crate::semantics::statements::{Db, QueryReturn};
use crate::workspace::Workspace;

use super::context::{Context, Diagnostic, code_list};
use super::edits;
use super::rule::Rule;

pub const CODE: &str = "XS101";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "unauthenticated-data-access",
    severity: Severity::Error,
    cwe: Some("CWE-306"),
    summary: "An endpoint without `auth` reads user-owned data or writes any table.",
    fixable: true,
    safe_fixes: false,
    check: Some(check),
};

pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    ctx.endpoints()
        .filter_map(|e| check_endpoint(ctx, e))
        .collect()
}

/// One reason to report the endpoint.
struct Reason<'a> {
    op: DataOp<'a>,
    /// What the endpoint does, short, for the message.
    phrase: String,
    /// The same with the columns and how the table is user-owned, for the help.
    detail: String,
    write: bool,
    table: Option<String>,
}

fn check_endpoint(ctx: &Context, endpoint: &Object) -> Option<Diagnostic> {
    let ws = ctx.ws;
    if is_authenticated(ws, endpoint) || ws.in_inactive_group(endpoint) {
        return None;
    }
    let ep = ctx.endpoint(endpoint);
    if ep.credential_statement().is_some() {
        return None;
    }
    let mut ops = ep.data_ops();
    if let Some(v) = ep.verification() {
        // Only what runs before the verification is open to anyone.
        ops.retain(|op| {
            ep.position(op) < v.pos && !v.lookup.is_some_and(|l| std::ptr::eq(l, op.stmt))
        });
    }
    if is_credential_recovery(ws, endpoint, &ops) {
        return None;
    }
    let mut findings: Vec<Reason> = Vec::new();
    for op in ops {
        if let Some(f) = judge(ws, &ep, op) {
            findings.push(f);
        }
    }
    if findings.is_empty() {
        return None;
    }
    Some(report(ctx, endpoint, &ep, findings))
}

/// Password-reset style endpoints that only write the auth table: public by nature.
fn is_credential_recovery(ws: &Workspace, endpoint: &Object, ops: &[DataOp]) -> bool {
    const WORDS: &[&str] = &[
        "reset",
        "forgot",
        "password",
        "magic",
        "otp",
        "verify",
        "verification",
        "confirm",
        "activate",
        "recover",
        "recovery",
    ];
    let words = path_words(path(endpoint));
    let looks = words.iter().any(|w| WORDS.contains(&w.as_str()));
    looks
        && ops
            .iter()
            .filter(|o| o.is_write())
            .all(|o| o.table.as_deref().is_some_and(|t| maybe_auth_table(ws, t)))
}

fn judge<'a>(ws: &Workspace, ep: &Endpoint<'a>, op: DataOp<'a>) -> Option<Reason<'a>> {
    match &op.kind {
        OpKind::Write => {
            let phrase = match &op.table {
                Some(t) if t.is_empty() => {
                    format!(
                        "{} a table whose name is empty in the export",
                        write_verb(op.db)
                    )
                }
                Some(t) => format!("{} `{t}`", write_verb(op.db)),
                None => "runs SQL that is not a literal SELECT (`db.direct_query`)".to_string(),
            };
            Some(Reason {
                table: op.table.clone(),
                op,
                detail: phrase.clone(),
                phrase,
                write: true,
            })
        }
        OpKind::Read => {
            let table = op.table.clone()?;
            if !ws.is_user_owned(&table) || !op.returns_rows() {
                return None;
            }
            let sel = ep.exposure(op.scope, op.stmt)?;
            let output = op
                .stmt
                .attribute("output")
                .and_then(|a| string_list(&a.value));
            if is_public_by_design(ws, &table, op.stmt, output.as_deref()) {
                return None;
            }
            let mut exposed = exposed_risky(ws, &table, &sel, output.as_deref());
            // Addons attach more records to the rows.
            let addon = addon_exposure(ws, op.stmt);
            if exposed.is_empty() && addon.is_none() {
                return None;
            }
            let mut phrase = Vec::new();
            let mut detail = Vec::new();
            if !exposed.is_empty() {
                exposed.truncate(4);
                phrase.push(format!(
                    "returns `{table}` records with {}",
                    list_some(&exposed, 2)
                ));
                detail.push(format!(
                    "returns `{table}` records with {} ({})",
                    code_list(&exposed),
                    ownership(ws, &table)
                ));
            }
            if let Some((addon_table, fields)) = addon {
                phrase.push(if exposed.is_empty() {
                    format!(
                        "attaches `{addon_table}` records with {} through an addon",
                        list_some(&fields, 2)
                    )
                } else {
                    format!("attaches `{addon_table}` records through an addon")
                });
                detail.push(format!(
                    "attaches `{addon_table}` records with {} through an addon ({})",
                    code_list(&fields),
                    ownership(ws, &addon_table)
                ));
            }
            let (phrase, detail) = (phrase.join(", and "), detail.join(", and "));
            Some(Reason {
                table: Some(table),
                op,
                phrase,
                detail,
                write: false,
            })
        }
        OpKind::Select(tables) => {
            let owned: Vec<&String> = tables.iter().filter(|t| ws.is_user_owned(t)).collect();
            if owned.is_empty() {
                return None;
            }
            ep.exposure(op.scope, op.stmt)?;
            let phrase = format!("returns rows of {} through a SQL query", code_list(&owned));
            let detail = format!("{phrase} ({})", ownership(ws, owned[0]));
            let table = owned[0].clone();
            Some(Reason {
                table: Some(table),
                op,
                detail,
                phrase,
                write: false,
            })
        }
    }
}

/// How a table is user-owned, for messages.
fn ownership(ws: &Workspace, table: &str) -> String {
    if ws.table(table).is_some_and(|t| t.is_auth) {
        "the auth table".to_string()
    } else {
        match ws.owner_field(table) {
            Some(c) => format!("user-owned through `{}`", c.name),
            None => "user-owned".to_string(),
        }
    }
}

/// The sensitive, personal and owner columns a selection exposes, within the read's `output`.
fn exposed_risky(ws: &Workspace, table: &str, sel: &Sel, output: Option<&[String]>) -> Vec<String> {
    let risky = risky_columns(ws, table);
    let in_output = |c: &str| {
        output.is_none_or(|o| {
            o.iter().any(|f| {
                f.split('.')
                    .next()
                    .is_some_and(|f| f.eq_ignore_ascii_case(c))
            })
        })
    };
    sel.apply(&risky)
        .into_iter()
        .filter(|c| in_output(c))
        .cloned()
        .collect()
}

/// A literal public condition (`$db.post.public == true`, `$db.post.status == "published"`)
/// with an `output` that leaves out owner and sensitive fields.
fn is_public_by_design(
    ws: &Workspace,
    table: &str,
    read: &Statement,
    output: Option<&[String]>,
) -> bool {
    const PUBLIC_COLUMNS: &[&str] = &[
        "public",
        "published",
        "visible",
        "visibility",
        "status",
        "listed",
        "active",
        "approved",
        "state",
        "shared",
    ];
    let Some(output) = output else {
        return false;
    };
    let Some(w) = read.attribute("where") else {
        return false;
    };
    let public = where_equalities(&w.value).iter().any(|(col, value)| {
        PUBLIC_COLUMNS.iter().any(|p| has_word(col, p))
            && matches!(value.kind, ExprKind::Bool(true) | ExprKind::String(_))
    });
    if !public {
        return false;
    }
    let sensitive = ws.sensitive_columns(table);
    !output.iter().any(|f| {
        let f = f.split('.').next().unwrap_or(f);
        ws.is_owner_name(f) || sensitive.iter().any(|c| c.name.eq_ignore_ascii_case(f))
    })
}

/// The first addon of a read that attaches records of a user-owned table with risky fields.
fn addon_exposure(ws: &Workspace, read: &Statement) -> Option<(String, Vec<String>)> {
    let addons = read.attribute("addon")?;
    let entries: Vec<&Expr> = match &addons.value.kind {
        ExprKind::Array(items) => items.iter().collect(),
        ExprKind::Object(pairs) => pairs.iter().map(|p| &p.value).collect(),
        _ => Vec::new(),
    };
    for entry in entries {
        let Some(name) = entry.get("name").and_then(|n| n.string_value()) else {
            continue;
        };
        let Some(addon) = ws.addon(name) else {
            continue;
        };
        let query = crate::analysis::access::placed_statements(addon.object())
            .into_iter()
            .find(|p| Db::of_statement(p.stmt) == Some(Db::Query));
        let Some(query) = query else { continue };
        let Some(table) = query.stmt.target_name().map(|t| t.value.clone()) else {
            continue;
        };
        if !ws.is_user_owned(&table) || !QueryReturn::of(query.stmt).rows() {
            continue;
        }
        let output = entry.get("output").and_then(string_list);
        let mut exposed = exposed_risky(ws, &table, &Sel::Whole, output.as_deref());
        if !exposed.is_empty() {
            exposed.truncate(4);
            return Some((table, exposed));
        }
    }
    None
}

fn write_verb(statement: Db) -> &'static str {
    match statement {
        Db::Add => "adds records to",
        Db::Edit | Db::Patch => "edits records of",
        Db::AddOrEdit => "adds or edits records of",
        Db::Del => "deletes records of",
        Db::Truncate => "empties",
        Db::BulkDelete => "bulk-deletes records of",
        _ => "bulk-writes records of",
    }
}

fn report(ctx: &Context, endpoint: &Object, ep: &Endpoint, findings: Vec<Reason>) -> Diagnostic {
    let write = findings.iter().any(|f| f.write);
    let mut phrases: Vec<String> = Vec::new();
    let mut details: Vec<String> = Vec::new();
    for f in &findings {
        let mut d = f.detail.clone();
        if let Some(call) = ep.scopes[f.op.scope].via {
            let name = call.target_name().map_or("", |n| n.value.as_str());
            d.push_str(&format!(" (through `function.run \"{name}\"`)"));
        }
        if !details.contains(&d) {
            details.push(d);
            phrases.push(f.phrase.clone());
        }
    }
    let more = match phrases.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    let verb = verb(endpoint);
    let ghost: BTreeSet<&str> = findings
        .iter()
        .filter(|f| ghost_matches(&verb, &f.op))
        .filter_map(|f| f.table.as_deref())
        .filter(|t| is_ghost_shape(path(endpoint), &verb, t))
        .collect();
    let missing = match endpoint.attribute("auth") {
        None => "has no `auth`".to_string(),
        Some(_) => match endpoint::auth(endpoint) {
            None => "has an empty `auth`".to_string(),
            Some(t) => format!("has `auth = \"{t}\"`, which is not an auth table"),
        },
    };
    let ghost_note = if ghost.is_empty() {
        ""
    } else {
        " (a ghost endpoint)"
    };
    let message = format!(
        "`{}` {missing}, so anyone can call it: it {}{more}{ghost_note}",
        describe(endpoint),
        phrases[0]
    );
    let mut help = String::new();
    if let Some(t) = ghost.iter().next() {
        help.push_str(&format!(
            "Its path and verb are those of Xano's generated CRUD for `{t}`: a \"ghost endpoint\" left public. "
        ));
    }
    if details.len() > 1 || details[0] != phrases[0] {
        help.push_str(&format!("Without signing in, it {}. ", details.join("; ")));
    }
    help.push_str(
        "Require a signed-in caller with `auth = \"<auth table>\"`, or, if it is public by design, suppress this with the reason",
    );
    let mut diag = Diagnostic::new(CODE, header_span(endpoint), message)
        .with_help(help)
        .with_severity(if write {
            Severity::Error
        } else {
            Severity::Warning
        });
    for f in findings.iter().take(6) {
        let scope = &ep.scopes[f.op.scope];
        let what = match (f.write, f.table.as_deref()) {
            (true, Some(t)) if !t.is_empty() => format!("writes `{t}` here"),
            (true, Some(_)) => "writes here".to_string(),
            (true, None) => "runs SQL here".to_string(),
            (false, Some(t)) => format!("reads `{t}` here"),
            (false, None) => "reads here".to_string(),
        };
        let path = if f.op.scope == 0 {
            ctx.file.path.as_str()
        } else {
            scope.path
        };
        diag = diag.with_related(
            path,
            f.op.stmt.span.clone(),
            format!("{what} (`{}`)", f.op.name()),
        );
    }
    if let Some(fix) = auth_fix(ctx, endpoint) {
        diag = diag.with_fix(fix);
    }
    diag
}

/// Whether the operation is the one generated CRUD would do for the verb.
fn ghost_matches(verb: &str, op: &DataOp) -> bool {
    match verb {
        "GET" => matches!(op.db, Db::Get | Db::Query),
        "POST" => op.db == Db::Add,
        "PATCH" | "PUT" => matches!(op.db, Db::Edit | Db::Patch | Db::AddOrEdit),
        "DELETE" => op.db == Db::Del,
        _ => false,
    }
}

/// `auth = "<auth table>"` after the `api_group` line, or first in the body.
fn auth_fix(ctx: &Context, endpoint: &Object) -> Option<Fix> {
    let tables = ctx.ws.auth_tables();
    let (table, title) = match tables.as_slice() {
        [one] => (
            one.clone(),
            format!("Require a signed-in caller: add `auth = \"{one}\"`"),
        ),
        [] => (
            "user".to_string(),
            "Require a signed-in caller: add `auth = \"user\"` (check that `user` is your auth table)"
                .to_string(),
        ),
        _ => return None,
    };
    let line = format!("auth = \"{table}\"");
    // A present but empty `auth`, or one naming a table that is not an auth table.
    let edit = match endpoint.attribute("auth") {
        Some(attr) => edits::replace(&attr.span, line),
        None => edits::add_to_block(
            ctx,
            endpoint.span.start,
            &endpoint.body,
            endpoint.attribute("api_group"),
            &[line],
        ),
    };
    Some(Fix {
        applicability: crate::finding::Applicability::Unsafe,
        title,
        edits: vec![edit],
    })
}
