//! ## What it does
//! Reports an authenticated endpoint that gets, edits, patches or deletes a record of a
//! user-owned table (the auth table, or a table with an owner field such as `user_id`) chosen by
//! a value from the request (`field_value = $input.order_id`,
//! `where = $db.order.id == $input.order_id`), with no ownership check on that record before the
//! response or the write. For `db.query` and `db.get`, the selection must be on the table's `id`
//! or a foreign key and the rows must reach the response or be written; results only used in a
//! `precondition` do not count. Also reported: a new or edited record attached to a parent
//! record of a user-owned table chosen by the request (`data = {project_id: $input.project_id}`)
//! without checking the caller owns that parent.
//!
//! Operations inside functions are followed through `function.run` and reported at the
//! endpoint's `function.run` line, with the function's statement as a related location. Writes
//! are errors, reads are warnings.
//!
//! ## Why is this bad?
//! Any signed-in user can read or change everybody else's records by changing an id in the
//! request: an insecure direct object reference (CWE-639: Authorization Bypass Through
//! User-Controlled Key; OWASP API1:2023 Broken Object Level Authorization).
//!
//! ## Example
//! ```xs
//! query "orders/{order_id}" verb=GET {
//!   api_group = "shop"
//!   auth = "user"
//!   input {
//!     int order_id
//!   }
//!   stack {
//!     db.get order {
//!       field_name = "id"
//!       field_value = $input.order_id
//!     } as $order
//!   }
//!   response = $order
//! }
//! ```
//!
//! ## Fix
//! Check the owner before using the record:
//! ```xs
//!     db.get order {
//!       field_name = "id"
//!       field_value = $input.order_id
//!     } as $order
//!     precondition ($order.user_id == $auth.id) {
//!       error_type = "accessdenied"
//!       error = "Not allowed"
//!     }
//! ```
//! The fixes offered, where they apply: for the auth table selected by its id, use `$auth.id`
//! instead of the request value; for a `db.query`, append `&& $db.<table>.<owner> == $auth.id`
//! to its `where`; for `db.get`, insert that `precondition` after the lookup; for `db.edit`,
//! `db.patch` and `db.del`, insert a `db.get` of the record and the `precondition` before the
//! write. The owner field comes from the table's schema (`user_id` when unknown).
//!
//! ## Not flagged
//! - Endpoints without `auth` (XS101's business).
//! - Selections by `$auth.id` or values read with it; `where` clauses with a conjunct that
//!   compares a column with the caller's identity (`&& $db.order.user_id == $auth.id`).
//! - Records whose owner field (or a parent record's) is compared with `$auth.id` in a
//!   `precondition` or a condition that stops the request, or that is guarded by such an `if`.
//! - Request values compared with the caller's identity, or used to look up a record scoped
//!   to the caller (a membership row) that a condition requires.
//! - Endpoints gated by a role check on the caller (`$auth.role == "admin"`, `is_admin` on the
//!   caller's own record, also inside a function such as `validate_admin`).
//! - Reads whose rows never reach the response nor a write (existence checks, counts); reads
//!   of the auth table that only return fields that are neither sensitive, personal nor owner
//!   fields (a public profile).
//! - Tables that are not user-owned. Without table definitions only the table named by the
//!   endpoint's `auth` is known to be user-owned. An owner-named column that points at a table
//!   of the workspace other than an auth table (`account_id` referencing an `account` table) is
//!   a tenant, not the caller, and does not make its table user-owned.

use std::collections::HashSet;

use crate::analysis::access::{
    DataOp, Endpoint, Scope, Sel, exposed_risky_fields, is_auth_table_here, is_authenticated,
    is_creator_field, is_foreign_key, is_role_check, is_user_owned_here, mentions_var,
};
use crate::finding::{Fix, Severity, TextEdit};
use crate::model::{BinaryOp, Expr, ExprKind, Object, PairKey, Span, Statement};
use crate::semantics::statements::{Db, QueryReturn};
use crate::workspace::Workspace;

use super::context::{Context, Diagnostic};
use super::edits;
use super::rule::Rule;

pub const CODE: &str = "XS102";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "idor-request-id",
    severity: Severity::Error,
    cwe: Some("CWE-639"),
    summary: "A record of a user-owned table is selected by an id from the request with no ownership check.",
    fixable: true,
    safe_fixes: false,
    check: Some(check),
};

pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for endpoint in ctx.endpoints() {
        if !is_authenticated(ctx.ws, endpoint) {
            continue;
        }
        let ep = ctx.endpoint(endpoint);
        if ep.role_gate().is_some() {
            continue;
        }
        let mut found: Vec<Diagnostic> = Vec::new();
        for op in ep.data_ops() {
            for d in [check_op(ctx, &ep, &op), check_attach(ctx, &ep, &op)]
                .into_iter()
                .flatten()
            {
                // A function run once may hold the same write in several places.
                if !found
                    .iter()
                    .any(|f| f.range == d.range && f.message == d.message)
                {
                    found.push(d);
                }
            }
        }
        out.extend(found);
    }
    out
}

/// A request-controlled selection of a record.
struct Selection<'a> {
    field: String,
    value: &'a Expr,
    origin: String,
}

fn check_op(ctx: &Context, ep: &Endpoint, op: &DataOp) -> Option<Diagnostic> {
    let ws = ctx.ws;
    if !matches!(
        op.db,
        Db::Get | Db::Query | Db::Edit | Db::Patch | Db::Del | Db::AddOrEdit
    ) {
        return None;
    }
    let table = op.table.as_deref().filter(|t| !t.is_empty())?;
    if !is_user_owned_here(ws, ep.object, table) {
        return None;
    }
    // `data = {}` changes nothing.
    if op
        .stmt
        .attribute("data")
        .is_some_and(|d| matches!(&d.value.kind, ExprKind::Object(p) if p.is_empty()))
        && matches!(op.db, Db::Edit | Db::Patch)
    {
        return None;
    }
    let scope = &ep.scopes[op.scope];
    let selectors = crate::analysis::access::selectors(op.stmt);
    // A conjunct comparing a column with the caller's identity scopes the selection.
    if selectors.iter().any(|(_, v)| scope.is_auth_derived(v)) {
        return None;
    }
    let auth_table = is_auth_table_here(ws, ep.object, table);
    let read = matches!(op.db, Db::Get | Db::Query);
    let all = crate::analysis::access::all_selectors(op.stmt);
    let selection = all.iter().find_map(|(field, value)| {
        let origin = scope.origin(value)?;
        let keyed = if read {
            is_key_field(ws, table, field)
        } else {
            true
        };
        keyed.then(|| Selection {
            field: field.clone(),
            value,
            origin,
        })
    })?;
    // Shared content listed by its creator (`where created_by == $input.author`): a filter of
    // records everyone may see, not a reference to someone's private record.
    if read
        && !selection.field.eq_ignore_ascii_case("id")
        && ws
            .owner_field(table)
            .is_some_and(|c| is_creator_field(&c.name))
    {
        return None;
    }
    let guards = ep.guards_of(op.scope, op.index);
    if guards.iter().any(|g| is_role_check(scope, g)) {
        return None;
    }
    let mut writes_it = !read;
    if read {
        if !op.returns_rows() {
            return None;
        }
        // Returning only the id the caller sent reveals nothing.
        let exposure = ep
            .exposure(op.scope, op.stmt)
            .filter(|sel| !matches!(sel, Sel::Only(f) if f.iter().all(|x| x == "id")));
        let alias = op.stmt.alias_name();
        let written = alias.is_some_and(|a| used_in_write(scope, a));
        if exposure.is_none() && !written {
            return None;
        }
        // Other users' public profile fields are not an insecure reference.
        if auth_table
            && !written
            && let Some(sel) = &exposure
        {
            let output = op
                .stmt
                .attribute("output")
                .and_then(|a| crate::analysis::flow::string_list(&a.value));
            let risky = exposed_risky_fields(ws, table, sel, output.as_deref());
            if risky.is_some_and(|r| r.is_empty()) {
                return None;
            }
        }
        writes_it = written;
    }
    if ep.origin_authorized(&selection.origin, &guards) {
        return None;
    }
    Some(report(
        ctx, ep, op, table, &selection, auth_table, writes_it,
    ))
}

/// The fields a read may select a record by: `id`, a foreign key, or (without a schema) any
/// `<x>_id`.
fn is_key_field(ws: &Workspace, table: &str, field: &str) -> bool {
    if field.eq_ignore_ascii_case("id") {
        return true;
    }
    match ws.table(table) {
        Some(_) => is_foreign_key(ws, table, field).is_some(),
        None => false,
    }
}

/// Whether a record (or a value taken from it) selects the target of a write of the stack.
fn used_in_write(scope: &Scope, alias: &str) -> bool {
    let written = scope.write_selector_vars();
    !written.is_empty() && scope.family(&[alias]).iter().any(|v| written.contains(v))
}

/// The request value a written value carries: directly, or through a record read with it.
fn carried_origin(scope: &Scope, value: &Expr) -> Option<String> {
    if let Some(o) = scope.origin(value) {
        return Some(o);
    }
    for (alias, read) in &scope.defs.reads {
        let family = scope.family(&[alias.as_str()]);
        if !crate::analysis::access::expr_mentions(value, &family, &|_| false) {
            continue;
        }
        let origin = crate::analysis::access::all_selectors(read)
            .iter()
            .find_map(|(_, v)| scope.origin(v));
        if origin.is_some() {
            return origin;
        }
    }
    None
}

fn owner_name(ws: &Workspace, endpoint: &Object, table: &str) -> String {
    if is_auth_table_here(ws, endpoint, table) {
        return "id".to_string();
    }
    ws.owner_field(table)
        .map_or_else(|| "user_id".to_string(), |c| c.name.clone())
}

fn report(
    ctx: &Context,
    ep: &Endpoint,
    op: &DataOp,
    table: &str,
    selection: &Selection,
    auth_table: bool,
    writes_it: bool,
) -> Diagnostic {
    let ws = ctx.ws;
    let owner = owner_name(ws, ep.object, table);
    let source = describe_value(ctx, ep, op, selection.value, &selection.origin);
    let list = op.db == Db::Query && QueryReturn::of(op.stmt) != QueryReturn::Single;
    let (action, what) = match op.db {
        Db::Get | Db::Query if writes_it => ("reads and then writes", "record"),
        Db::Query if list => ("returns", "rows"),
        Db::Get | Db::Query => ("returns", "record"),
        Db::Del => ("deletes", "record"),
        Db::AddOrEdit => ("adds or edits", "record"),
        _ => ("edits", "record"),
    };
    let (it, is) = if what == "rows" {
        ("they", "are")
    } else {
        ("it", "is")
    };
    let (check, compare) = if auth_table {
        (
            format!("checking that {it} {is} the caller's own"),
            "`id` with `$auth.id`".to_string(),
        )
    } else {
        let belongs = if what == "rows" { "belong" } else { "belongs" };
        (
            format!("checking that {it} {belongs} to the caller"),
            format!("`{owner}` with `$auth.id`"),
        )
    };
    let impact = if writes_it || !matches!(op.db, Db::Get | Db::Query) {
        "change"
    } else {
        "read"
    };
    let article = if what == "rows" { "" } else { "the " };
    let scope = &ep.scopes[op.scope];
    let (lead, through) = match scope.via {
        Some(call) => (
            format!(
                "`function.run \"{}\"` {action} {article}`{table}` {what}",
                call.target_name().map_or("", |n| n.value.as_str())
            ),
            format!(
                "It does so through `{} {table}` in the function. ",
                op.name()
            ),
        ),
        None => (
            format!("`{} {table}` {action} {article}{what}", op.name()),
            String::new(),
        ),
    };
    let message = format!(
        "{lead} whose `{}` is {source}, without {check}",
        selection.field
    );
    let help = format!(
        "{through}Any signed-in user can {impact} other users' records by sending their ids: compare {compare} first, or select by `$auth.id`"
    );
    let severity = if writes_it {
        Severity::Error
    } else {
        Severity::Warning
    };
    let (range, in_endpoint) = match scope.via {
        Some(call) => (statement_head(call), false),
        None => (statement_head(op.stmt), true),
    };
    let mut diag = Diagnostic::new(CODE, range, message)
        .with_help(help)
        .with_severity(severity);
    if !in_endpoint {
        diag = diag.with_related(
            scope.path,
            op.stmt.span.clone(),
            format!("`{} {table}` selects the record here", op.name()),
        );
        return diag;
    }
    for fix in fixes(ctx, ep, op, table, &owner, selection, auth_table) {
        diag = diag.with_fix(fix);
    }
    diag
}

/// How to name the request value in a message: the endpoint input it comes from.
fn describe_value(ctx: &Context, ep: &Endpoint, op: &DataOp, value: &Expr, origin: &str) -> String {
    let written = if op.scope == 0 {
        ctx.source(&value.span).trim().to_string()
    } else {
        String::new()
    };
    let from = match origin.strip_prefix("input.") {
        Some(i) => format!("`$input.{i}`"),
        None => origin.to_string(),
    };
    let _ = ep;
    if !written.is_empty()
        && !written.contains('\n')
        && written.len() <= 60
        && written != from.trim_matches('`')
    {
        format!("`{written}` (from {from})")
    } else {
        format!("taken from {from}")
    }
}

/// `db.get order` / `function.run "x"`: the statement name and its target.
fn statement_head(s: &Statement) -> Span {
    match s.target_name() {
        Some(t) if t.span.start >= s.name.span.start => s.name.span.start..t.span.end,
        _ => s.name.span.clone(),
    }
}

fn fixes(
    ctx: &Context,
    ep: &Endpoint,
    op: &DataOp,
    table: &str,
    owner: &str,
    selection: &Selection,
    auth_table: bool,
) -> Vec<Fix> {
    let mut out = Vec::new();
    let value_text = ctx.source(&selection.value.span).trim().to_string();
    // The auth table selected by its own id: the caller's id is the only right value.
    if auth_table && selection.field.eq_ignore_ascii_case("id") {
        out.push(Fix {
            applicability: crate::finding::Applicability::Unsafe,
            title: format!("Use `$auth.id` instead of `{value_text}` (the input becomes unused)"),
            edits: vec![TextEdit {
                range: selection.value.span.clone(),
                new_text: "$auth.id".to_string(),
            }],
        });
    }
    let identifier = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
    let stmt = op.stmt;
    let unit = ctx.indent_unit();
    match op.db {
        Db::Query if !auth_table => {
            if let Some(w) = stmt.attribute("where")
                && identifier(table)
            {
                let clause = format!("$db.{table}.{owner} == $auth.id");
                let loose = matches!(
                    &w.value.kind,
                    ExprKind::Binary {
                        op: BinaryOp::Or | BinaryOp::Coalesce,
                        ..
                    } | ExprKind::Ternary { .. }
                );
                let mut edits = Vec::new();
                if loose {
                    edits.push(TextEdit {
                        range: w.value.span.start..w.value.span.start,
                        new_text: "(".to_string(),
                    });
                }
                edits.push(TextEdit {
                    range: w.value.span.end..w.value.span.end,
                    new_text: format!("{} && {clause}", if loose { ")" } else { "" }),
                });
                out.push(Fix {
                    applicability: crate::finding::Applicability::Unsafe,
                    title: format!(
                        "Only match the caller's rows: add `&& {clause}` to the `where`"
                    ),
                    edits,
                });
            }
        }
        Db::Get => {
            if let Some(alias) = stmt.alias_name() {
                let mut lines = vec![String::new()];
                lines.extend(precondition_lines(alias, owner, unit));
                out.push(Fix {
                    applicability: crate::finding::Applicability::Unsafe,
                    title: format!(
                        "Check the owner: insert `precondition (${alias}.{owner} == $auth.id)` after the lookup"
                    ),
                    edits: vec![edits::after_statement(ctx, stmt, &lines)],
                });
            }
        }
        Db::Edit | Db::Patch | Db::Del => {
            let field = stmt
                .attribute("field_name")
                .map(|a| ctx.source(&a.value.span).trim().to_string())
                .unwrap_or_else(|| "\"id\"".to_string());
            if identifier(table) && !value_text.contains('\n') && !field.contains('\n') {
                let var = fresh_name(ep.object, &format!("{table}_record"));
                let mut lines = vec![
                    format!("db.get {table} {{"),
                    format!("{unit}field_name = {field}"),
                    format!("{unit}field_value = {value_text}"),
                    format!("}} as ${var}"),
                    String::new(),
                ];
                lines.extend(precondition_lines(&var, owner, unit));
                lines.push(String::new());
                out.push(Fix {
                    applicability: crate::finding::Applicability::Unsafe,
                    title: format!(
                        "Check the owner first: insert a `db.get {table}` and `precondition (${var}.{owner} == $auth.id)` before the write"
                    ),
                    edits: vec![edits::before_statement(ctx, stmt, &lines)],
                });
            }
        }
        _ => {}
    }
    out
}

fn precondition_lines(var: &str, owner: &str, unit: &str) -> Vec<String> {
    vec![
        format!("precondition (${var}.{owner} == $auth.id) {{"),
        format!("{unit}error_type = \"accessdenied\""),
        format!("{unit}error = \"Not allowed\""),
        "}".to_string(),
    ]
}

/// A variable name not yet bound in the object.
fn fresh_name(object: &Object, base: &str) -> String {
    let base: String = base
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let taken: HashSet<String> = object
        .stack()
        .map(|s| {
            s.walk_statements()
                .iter()
                .filter_map(|st| {
                    st.alias_name().map(str::to_string).or_else(|| {
                        st.first_expr()
                            .and_then(|e| e.as_var())
                            .map(|v| v.root.clone())
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    if !taken.contains(&base) {
        return base;
    }
    (2..100)
        .map(|n| format!("{base}{n}"))
        .find(|n| !taken.contains(n))
        .unwrap_or(base)
}

/// A write that attaches its record to a parent of a user-owned table chosen by the request.
fn check_attach(ctx: &Context, ep: &Endpoint, op: &DataOp) -> Option<Diagnostic> {
    let ws = ctx.ws;
    if !op.db.writes_record() {
        return None;
    }
    let table = op.table.as_deref().filter(|t| !t.is_empty())?;
    ws.table(table)?;
    if !ws.is_user_owned(table) {
        return None;
    }
    let data = op.stmt.attribute("data")?;
    let ExprKind::Object(pairs) = &data.value.kind else {
        return None;
    };
    let scope = &ep.scopes[op.scope];
    let guards = ep.guards_of(op.scope, op.index);
    if guards.iter().any(|g| is_role_check(scope, g)) {
        return None;
    }
    for pair in pairs.iter().filter(|p| !p.disabled) {
        let PairKey::Name(key) = &pair.key else {
            continue;
        };
        if ws.is_owner_name(&key.value) {
            continue;
        }
        let Some(Some(parent)) = is_foreign_key(ws, table, &key.value) else {
            continue;
        };
        if !ws.is_user_owned(&parent) || ws.table(&parent).is_some_and(|t| t.is_auth) {
            continue;
        }
        // Parents known only by their creator (`created_by`, `author_id`) are shared content
        // (channels, tournaments, posts): adding to them is what they are for.
        let Some(parent_owner) = ws.owner_field(&parent).map(|c| c.name.clone()) else {
            continue;
        };
        if is_creator_field(&parent_owner) {
            continue;
        }
        let Some(origin) = carried_origin(scope, &pair.value) else {
            continue;
        };
        if scope.is_auth_derived(&pair.value) || ep.origin_authorized(&origin, &guards) {
            continue;
        }
        let from = match origin.strip_prefix("input.") {
            Some(i) => format!("`$input.{i}`"),
            None => origin.clone(),
        };
        let (lead, through) = super::context::acting_statement(ep, op, table, "does so");
        let message = format!(
            "{lead} attaches the record to the `{parent}` chosen by {from} (`{}`), without checking that the caller owns it",
            key.value
        );
        let help = format!(
            "{through}Any signed-in user can add to other users' records: compare `{parent_owner}` of that `{parent}` with `$auth.id` first"
        );
        let (range, in_endpoint) = match scope.via {
            Some(call) => (statement_head(call), false),
            None => (statement_head(op.stmt), true),
        };
        let mut diag = Diagnostic::new(CODE, range, message)
            .with_help(help)
            .with_severity(Severity::Error);
        if !in_endpoint {
            diag = diag.with_related(
                scope.path,
                op.stmt.span.clone(),
                format!("`{} {table}` writes `{}` here", op.name(), key.value),
            );
            return Some(diag);
        }
        let unit = ctx.indent_unit();
        // The parent already read into a variable: check it right after the read.
        let fetched = scope.defs.reads.iter().find(|(alias, read)| {
            read.target_name()
                .is_some_and(|t| t.value.eq_ignore_ascii_case(&parent))
                && mentions_var(&pair.value, alias)
        });
        if let Some((alias, read)) = fetched {
            let mut lines = vec![String::new()];
            lines.extend(precondition_lines(alias, &parent_owner, unit));
            diag = diag.with_fix(Fix {
                applicability: crate::finding::Applicability::Unsafe,
                title: format!(
                    "Check the caller owns the `{parent}`: insert `precondition (${alias}.{parent_owner} == $auth.id)` after its lookup"
                ),
                edits: vec![edits::after_statement(ctx, read, &lines)],
            });
            return Some(diag);
        }
        let value_text = ctx.source(&pair.value.span).trim().to_string();
        let identifier = parent.chars().all(|c| c.is_alphanumeric() || c == '_');
        if identifier && !value_text.contains('\n') && !mentions_var(&pair.value, "$") {
            let var = fresh_name(ep.object, &parent);
            let mut lines = vec![
                format!("db.get {parent} {{"),
                format!("{unit}field_name = \"id\""),
                format!("{unit}field_value = {value_text}"),
                format!("}} as ${var}"),
                String::new(),
            ];
            lines.extend(precondition_lines(&var, &parent_owner, unit));
            lines.push(String::new());
            diag = diag.with_fix(Fix {
                applicability: crate::finding::Applicability::Unsafe,
                title: format!(
                    "Check the caller owns the `{parent}`: insert a `db.get {parent}` and `precondition (${var}.{parent_owner} == $auth.id)` before the write"
                ),
                edits: vec![edits::before_statement(ctx, op.stmt, &lines)],
            });
        }
        return Some(diag);
    }
    None
}
