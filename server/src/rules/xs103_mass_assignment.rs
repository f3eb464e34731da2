//! ## What it does
//! Reports a `db.add`, `db.edit`, `db.patch` or `db.add_or_edit` of an endpoint whose `data` is
//! the whole request: `$input`, the raw request body (`util.get_raw_input`), or a value built
//! from them only by `pick` (of keys that are not a literal list), `unset`, `set`,
//! `filter_null`, `filter_empty_text` or `merge`, directly or through a `var` or a function run
//! with `input = $input`. Xano's generated PATCH idiom ``data = `$input|pick:($raw_input|keys)` ``
//! is one, and so is a free-form `json` input of the endpoint written whole
//! (`data = $input.data` with `json data` among the inputs). Also reports a create or edit of a
//! user-owned table whose owner field (`user_id`, `owner_id`...) is taken from the request
//! instead of `$auth.id` (owner spoofing).
//!
//! ## Why is this bad?
//! The caller decides which columns are written: `role`, `is_admin`, `user_id`, `balance`,
//! whatever the inputs (or a `dblink` input, which exposes every column) let through
//! (CWE-915: Improperly Controlled Modification of Dynamically-Determined Object Attributes;
//! OWASP API3:2023 Broken Object Property Level Authorization). A request-chosen owner field
//! creates records in someone else's name.
//!
//! ## Example
//! ```xs
//! query "profile" verb=PATCH {
//!   api_group = "account"
//!   auth = "user"
//!   input {
//!     dblink {
//!       table = "user"
//!     }
//!   }
//!   stack {
//!     db.patch user {
//!       field_name = "id"
//!       field_value = $auth.id
//!       data = $input
//!     } as $user
//!   }
//!   response = $user
//! }
//! ```
//!
//! ## Fix
//! Write an explicit object of the columns the caller may set, and take the owner from the
//! session:
//! ```xs
//!       data = {name: $input.name, avatar: $input.avatar}
//! ```
//! No automatic fix: which columns are safe is a product decision. The help lists the
//! table's columns that look privileged when the schema is known.
//!
//! ## Not flagged
//! - `data` objects built field by field, `pick` of a literal list of keys, and the raw
//!   request stored as the value of one column (`data = {payload: $raw_input}`).
//! - Owner fields set from `$auth.id` or values read with it, or from a request value that a
//!   condition compares with the caller; owner fields set by endpoints gated by a role check
//!   (an admin creating records for others) and by endpoints without `auth` (XS101's business).
//! - Writes of functions, tasks and triggers that no endpoint passes the request to, and
//!   disabled statements.

use crate::analysis::access::{
    DataOp, DefSource, Endpoint, Scope, is_auth_table_here, is_authenticated, is_escalation_name,
    is_foreign_key, is_role_check, privileged_columns, var_name,
};
use crate::model::{Expr, ExprKind, Object, PairKey, Span, Statement};
use crate::semantics::names::snake_words;
use crate::semantics::statements::reads_raw_request;
use crate::workspace::Workspace;

use crate::finding::Severity;

use super::rule::Rule;
use crate::rules::context::{Context, Diagnostic, code_list};

pub const CODE: &str = "XS103";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "mass-assignment",
    severity: Severity::Warning,
    cwe: Some("CWE-915"),
    summary: "A database write takes its data from the whole request, or its owner field from the request.",
    fixable: false,
    safe_fixes: false,
    check: Some(check),
};

/// Transformations that keep a request object whole.
const KEEPING: &[&str] = &[
    "pick",
    "unset",
    "unpick",
    "filter_null",
    "filter_empty_text",
    "filter_empty",
    "filter_empty_object",
    "filter_empty_array",
    "merge",
    "merge_recursive",
    "set",
    "set_ifnotnull",
    "set_ifnotempty",
    "set_conditional",
];

pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    for endpoint in ctx.endpoints() {
        let ep = ctx.endpoint(endpoint);
        let whole = whole_input_scopes(&ep);
        for op in ep.data_ops() {
            if !op.db.writes_record() {
                continue;
            }
            let found =
                mass_assignment(ctx, &ep, &op, &whole).or_else(|| owner_spoofing(ctx, &ep, &op));
            if let Some(d) = found
                && !out
                    .iter()
                    .any(|f| f.range == d.range && f.message == d.message)
            {
                out.push(d);
            }
        }
    }
    out
}

/// For each scope, whether its `$input` is the whole request: the endpoint's own, or a
/// function given `input = $input` by a scope whose `$input` is.
fn whole_input_scopes(ep: &Endpoint) -> Vec<bool> {
    let mut whole = vec![false; ep.scopes.len()];
    for (i, scope) in ep.scopes.iter().enumerate() {
        whole[i] = match scope.parent {
            None => true,
            Some((parent, call)) => {
                whole[parent]
                    && call.attribute("input").is_some_and(|a| {
                        matches!(&a.value.kind, ExprKind::Var(v) if v.root == "input" && v.segments.is_empty())
                    })
            }
        };
    }
    whole
}

/// What whole request value an expression is, if it is one.
fn whole_request(scope: &Scope, whole_input: bool, expr: &Expr, depth: usize) -> Option<String> {
    if depth > 8 {
        return None;
    }
    match &expr.kind {
        ExprKind::Var(v) if v.segments.is_empty() || (v.root == "var" && v.segments.len() == 1) => {
            if v.root == "input" {
                return whole_input.then(|| "`$input`".to_string());
            }
            let name = var_name(v)?;
            if is_raw_var(scope, name) {
                return Some("the raw request body".to_string());
            }
            let defs = scope.defs.map.get(name)?;
            // Every definition must be whole: a variable reassigned to a clean object is not.
            let mut found = None;
            for d in defs {
                match &d.source {
                    DefSource::Expr(e) if d.copy && d.key.is_none() => {
                        found = Some(whole_request(scope, whole_input, e, depth + 1)?);
                    }
                    _ => return None,
                }
            }
            found
        }
        // A free-form `json` input of the endpoint is a request object too: the caller sends
        // whatever keys it likes (`data = $input.data`).
        ExprKind::Var(v)
            if v.root == "input" && v.segments.len() == 1 && scope.parent.is_none() =>
        {
            let crate::model::Segment::Field(name) = &v.segments[0] else {
                return None;
            };
            is_json_input(scope.object, name)
                .then(|| format!("`$input.{name}` (a `json` input: any object the caller sends)"))
        }
        ExprKind::Filtered { value, filters } => {
            let live: Vec<_> = filters.iter().filter(|f| !f.disabled).collect();
            if !live
                .iter()
                .all(|f| KEEPING.contains(&f.name.value.as_str()))
            {
                return None;
            }
            // `pick` of a literal list is an allow-list.
            if live.iter().any(|f| {
                f.name.value == "pick"
                    && f.arguments
                        .first()
                        .is_some_and(|a| matches!(a.kind, ExprKind::Array(_)))
            }) {
                return None;
            }
            if let Some(w) = whole_request(scope, whole_input, value, depth + 1) {
                return Some(w);
            }
            // `{...}|merge:$input` takes the whole request too.
            live.iter()
                .filter(|f| f.name.value.starts_with("merge"))
                .flat_map(|f| f.arguments.iter())
                .find_map(|a| whole_request(scope, whole_input, a, depth + 1))
        }
        ExprKind::Object(pairs) => pairs.iter().find_map(|p| match &p.value.kind {
            ExprKind::Spread(inner) if !p.disabled => {
                whole_request(scope, whole_input, inner, depth + 1)
            }
            _ => None,
        }),
        ExprKind::Spread(inner) => whole_request(scope, whole_input, inner, depth + 1),
        ExprKind::ExpressionLiteral(text) => whole_request_text(scope, whole_input, text),
        _ => None,
    }
}

/// Whether the object declares `name` as a `json` input (free-form, no schema).
fn is_json_input(object: &Object, name: &str) -> bool {
    object.fields("input").is_some_and(|inputs| {
        inputs
            .fields
            .iter()
            .any(|f| f.ty.value == "json" && f.name.as_ref().is_some_and(|n| n.value == name))
    })
}

fn is_raw_var(scope: &Scope, name: &str) -> bool {
    if name == "raw_input" && !scope.defs.map.contains_key(name) {
        return true;
    }
    scope
        .statements
        .iter()
        .any(|p| reads_raw_request(&p.stmt.name.value) && p.stmt.alias_name() == Some(name))
}

/// A backtick expression: `$input|pick:($raw_input|keys)` followed by keeping filters.
fn whole_request_text(scope: &Scope, whole_input: bool, text: &str) -> Option<String> {
    let t = text.trim();
    let rest = t.strip_prefix('$')?;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let after = rest[name.len()..].trim_start();
    let base = if name == "input" {
        whole_input.then(|| "`$input`".to_string())?
    } else if is_raw_var(scope, &name) {
        "the raw request body".to_string()
    } else {
        return None;
    };
    if after.is_empty() {
        return Some(base);
    }
    if !after.starts_with('|') {
        return None;
    }
    // The names of the top-level filters.
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut names = Vec::new();
    let chars: Vec<char> = after.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
        } else if c == '"' || c == '\'' {
            quote = Some(c);
        } else if c == '(' || c == '[' || c == '{' {
            depth += 1;
        } else if c == ')' || c == ']' || c == '}' {
            depth -= 1;
        } else if c == '|' && depth == 0 {
            let name: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_alphanumeric() || **c == '_')
                .collect();
            let literal_pick = name == "pick" && chars.get(i + 6) == Some(&'[');
            if literal_pick {
                return None;
            }
            names.push(name);
        }
        i += 1;
    }
    names
        .iter()
        .all(|n| KEEPING.contains(&n.as_str()))
        .then_some(base)
}

fn statement_head(s: &Statement) -> Span {
    match s.target_name() {
        Some(t) if t.span.start >= s.name.span.start => s.name.span.start..t.span.end,
        _ => s.name.span.clone(),
    }
}

/// The range to report at and the related location for an operation in a function.
fn placement<'a>(ep: &Endpoint<'a>, op: &DataOp<'a>) -> (Span, Option<(&'a str, String)>) {
    let scope = &ep.scopes[op.scope];
    match scope.via {
        Some(call) => (
            statement_head(call),
            Some((
                scope.path,
                format!(
                    "`{} {}` writes here",
                    op.name(),
                    op.table.as_deref().unwrap_or("")
                ),
            )),
        ),
        None => (statement_head(op.stmt), None),
    }
}

/// Who writes, for the message, and the statement inside a function, for the help.
fn lead(ep: &Endpoint, op: &DataOp, table: &str) -> (String, String) {
    super::context::acting_statement(ep, op, table, "writes")
}

const ADVICE: &str =
    "Write only the columns the caller may set, one by one (`data = {name: $input.name}`)";

fn mass_assignment(
    ctx: &Context,
    ep: &Endpoint,
    op: &DataOp,
    whole: &[bool],
) -> Option<Diagnostic> {
    let scope = &ep.scopes[op.scope];
    let data = op.stmt.attribute("data")?;
    let what = whole_request(scope, whole[op.scope], &data.value, 0)?;
    let table = op.table.as_deref().unwrap_or("");
    let ws = ctx.ws;
    let privileged = privileged_columns(ws, table);
    let (lead, through) = lead(ep, op, table);
    let message = format!(
        "{lead} writes {what} as a `{table}` record, so the caller chooses which columns are set"
    );
    let mut help = through;
    if what == "`$input`" {
        // `$input` holds the declared inputs only: it is as wide as they are.
        match reachable_inputs(ep.object) {
            Reach::Dblink(t, hidden) => {
                // Every column the override does not hide can be set: privileged ones, and
                // foreign keys (moving the record under another parent).
                let target = if t.is_empty() {
                    table.to_string()
                } else {
                    t.clone()
                };
                if let Some(info) = ws.table(&target) {
                    let open: Vec<String> = info
                        .columns
                        .iter()
                        .map(|c| c.name.clone())
                        .filter(|c| {
                            !c.eq_ignore_ascii_case("id")
                                && !hidden.iter().any(|h| h.eq_ignore_ascii_case(c))
                        })
                        .filter(|c| {
                            privileged.iter().any(|p| p.eq_ignore_ascii_case(c))
                                || is_foreign_key(ws, &target, c).is_some()
                        })
                        .collect();
                    if open.is_empty() {
                        return None;
                    }
                    let mut shown = open;
                    shown.truncate(6);
                    help.push_str(&format!(
                        "Its `dblink` input lets the caller set {} of `{target}`. {ADVICE}",
                        code_list(&shown)
                    ));
                    let (range, related) = placement(ep, op);
                    let mut diag = Diagnostic::new(CODE, range, message).with_help(help);
                    if let Some((path, msg)) = related {
                        diag = diag.with_related(path, op.stmt.span.clone(), msg);
                    }
                    return Some(diag);
                }
                help.push_str(&format!("The `dblink` input exposes every column of `{t}`"));
                if !hidden.is_empty() {
                    help.push_str(&format!(" except the hidden {}", code_list(&hidden)));
                }
                help.push_str(". ");
            }
            Reach::Fields(names) => {
                let reached: Vec<&String> = names
                    .iter()
                    .filter(|n| {
                        is_escalation_name(ws, n)
                            && (ws.table(table).is_none()
                                || privileged.iter().any(|c| c.eq_ignore_ascii_case(n)))
                    })
                    .collect();
                if reached.is_empty() {
                    return None;
                }
                if reached.len() == 1 {
                    help.push_str(&format!(
                        "The input {} reaches a privileged column. ",
                        code_list(&reached)
                    ));
                } else {
                    help.push_str(&format!(
                        "The inputs {} reach privileged columns. ",
                        code_list(&reached)
                    ));
                }
            }
        }
    }
    if !privileged.is_empty() {
        let mut shown = privileged.clone();
        shown.truncate(6);
        help.push_str(&format!(
            "Columns of `{table}` that look privileged: {}. ",
            code_list(&shown)
        ));
    } else if ws.table(table).is_none() {
        help.push_str("Privileged columns such as `role`, `is_admin` or `user_id` can be set. ");
    }
    help.push_str(ADVICE);
    let (range, related) = placement(ep, op);
    let mut diag = Diagnostic::new(CODE, range, message).with_help(help);
    if let Some((path, msg)) = related {
        diag = diag.with_related(path, op.stmt.span.clone(), msg);
    }
    Some(diag)
}

enum Reach {
    /// A `dblink` input: every column of the table, but the hidden ones.
    Dblink(String, Vec<String>),
    /// The declared input names.
    Fields(Vec<String>),
}

/// What the endpoint's declared inputs let a caller send.
fn reachable_inputs(endpoint: &Object) -> Reach {
    let Some(inputs) = endpoint.fields("input") else {
        return Reach::Fields(Vec::new());
    };
    for f in &inputs.fields {
        if f.ty.value == "dblink" {
            let table = f
                .attribute("table")
                .and_then(|a| a.value.string_value())
                .unwrap_or("")
                .to_string();
            let hidden = f
                .attribute("override")
                .map(|o| match &o.value.kind {
                    ExprKind::Object(pairs) => pairs
                        .iter()
                        .filter(|p| {
                            p.value
                                .get("hidden")
                                .and_then(Expr::as_bool)
                                .unwrap_or(false)
                        })
                        .filter_map(|p| match &p.key {
                            PairKey::Name(k) => Some(k.value.clone()),
                            PairKey::Expr(_) => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                })
                .unwrap_or_default();
            return Reach::Dblink(table, hidden);
        }
    }
    Reach::Fields(
        inputs
            .fields
            .iter()
            .filter_map(|f| f.name.as_ref().map(|n| n.value.clone()))
            .collect(),
    )
}

fn owner_spoofing(ctx: &Context, ep: &Endpoint, op: &DataOp) -> Option<Diagnostic> {
    let ws = ctx.ws;
    if !is_authenticated(ws, ep.object) {
        return None;
    }
    let table = op.table.as_deref().filter(|t| !t.is_empty())?;
    if !ws.is_user_owned(table) || is_auth_table_here(ws, ep.object, table) {
        return None;
    }
    if ep.role_gate().is_some() {
        return None;
    }
    let scope = &ep.scopes[op.scope];
    let guards = ep.guards_of(op.scope, op.index);
    if guards.iter().any(|g| is_role_check(scope, g)) {
        return None;
    }
    let data = op.stmt.attribute("data")?;
    let ExprKind::Object(pairs) = &data.value.kind else {
        return None;
    };
    for p in pairs.iter().filter(|p| !p.disabled) {
        let PairKey::Name(key) = &p.key else { continue };
        if !ws.is_owner_name(&key.value) || !refers_to_auth(ws, table, &key.value) {
            continue;
        }
        let Some(origin) = scope.origin(&p.value) else {
            continue;
        };
        if scope.is_auth_derived(&p.value) || ep.origin_authorized(&origin, &guards) {
            continue;
        }
        let from = match origin.strip_prefix("input.") {
            Some(i) => format!("`$input.{i}`"),
            None => origin.clone(),
        };
        let (lead, through) = lead(ep, op, table);
        let message = format!(
            "{lead} takes the owner field `{}` from {from} instead of `$auth.id`",
            key.value
        );
        let help = format!(
            "{through}A caller can create or move records in another user's name: set `{}` to `$auth.id`",
            key.value
        );
        let (range, related) = placement(ep, op);
        let mut diag = Diagnostic::new(CODE, range, message).with_help(help);
        if let Some((path, msg)) = related {
            diag = diag.with_related(path, p.span.clone(), msg);
        }
        return Some(diag);
    }
    None
}

/// Whether an owner-named column points at an auth table (or its target is unknown): an
/// `account_id` pointing at an `account` table is a tenant, not the caller.
fn refers_to_auth(ws: &Workspace, table: &str, column: &str) -> bool {
    let Some(col) = ws.table(table).and_then(|t| {
        t.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(column))
    }) else {
        return true;
    };
    match col.references.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => ws.table(r).is_none_or(|t| t.is_auth),
        None => {
            // `account_id` with an `account` table of its own is a tenant.
            let words = snake_words(column);
            let stem = words.first().map(String::as_str).unwrap_or("");
            ws.table(stem).is_none_or(|t| t.is_auth)
        }
    }
}
