//! ## What it does
//! Reports literal test or backdoor credentials:
//! - accounts created or seeded with a test e-mail (`test@test.com`, `admin@admin.com`,
//!   `*@example.com`, `demo@…`) or a guessable password (`password`, `password123`, `123456`,
//!   `admin`, `changeme`): `db.add`/`db.edit`/`db.patch`/`db.add_or_edit`/`db.bulk.add` data of
//!   an account table, `items` of an auth table, and any object that pairs an e-mail with a
//!   password (the `input` of a `function.run`, the `params` of a login request);
//! - accounts looked up by a test e-mail (`field_value = "test@test.com"`,
//!   `where = $db.user.email == "qa@example.com"`);
//! - `security.check_password` given a literal guessable password;
//! - `$input.email` / `$input.password` (or a variable holding them) compared with a literal: a
//!   login that works for whoever knows the value.
//!
//! Disabled statements are reported too: the literal still ships with the code.
//!
//! ## Why is this bad?
//! Test accounts and default passwords are the first thing an attacker tries, and a
//! comparison with a literal is a backdoor that no password reset closes
//! (CWE-798: Use of Hard-coded Credentials; OWASP API2:2023 Broken Authentication).
//!
//! ## Example
//! ```xs
//! conditional {
//!   if ($input.email == "dev@acme.io" && $input.password == "letmein") {
//!     var $is_admin { value = true }
//!   }
//! }
//! ```
//!
//! ## Fix
//! Remove the comparison and the seeded account; create test accounts in a test data source,
//! never in code that runs against live data. No automatic fix.
//!
//! ## Not flagged
//! Literals inside test blocks (`test "…" { … }` clauses, `mock` values, `workflow_test`
//! objects); test e-mails written to tables that are not accounts or sent mail to; checks of
//! inputs against the empty string or against other inputs; non-guessable passwords given to
//! accounts (hard-coded secrets are XS501's business).

use std::collections::HashMap;

use crate::analysis::flow::target_name;
use crate::analysis::secrets::{
    self, Place, is_email_name, is_password_name, is_test_email, is_weak_password, redact,
};
use crate::model::{BinaryOp, Expr, ExprKind, Object, PairKey, Span, Statement};
use crate::semantics::names::snake_words;
use crate::semantics::statements::{Db, VarWrite};
use crate::workspace::Workspace;

use super::context::{Context, Diagnostic};
use crate::finding::Severity;

use super::rule::Rule;

pub const CODE: &str = "XS502";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "test-credential",
    severity: Severity::Warning,
    cwe: Some("CWE-798"),
    summary: "Literal test or backdoor credentials are used to create or match accounts.",
    fixable: false,
    safe_fixes: false,
    check: Some(check),
};

pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    // Comparisons are merged per statement: `email == ... && password == ...` is one backdoor.
    let mut backdoors: Vec<(Span, Span, Vec<String>, bool)> = Vec::new();
    let mut backdoor_at: HashMap<(usize, usize), usize> = HashMap::new();
    // The walk visits one object after the other: its input variables are found once.
    let mut credential_vars: Option<(usize, Vec<Source>)> = None;
    secrets::walk(ctx.all_objects(), |expr, scope| {
        if scope.in_test {
            return;
        }
        let object_id = scope.object as *const Object as usize;
        if credential_vars
            .as_ref()
            .is_none_or(|(id, _)| *id != object_id)
        {
            credential_vars = Some((object_id, input_vars(scope.object)));
        }
        let vars = credential_vars
            .as_ref()
            .map_or(&[][..], |(_, v)| v.as_slice());
        match &expr.kind {
            ExprKind::Object(pairs) if !pairs.is_empty() => {
                if let Some(d) = account_object(ctx, expr, scope) {
                    out.push(d);
                }
            }
            ExprKind::Binary {
                op: BinaryOp::Compare,
                operator,
                left,
                right,
            } if matches!(operator.as_str(), "==" | "===") => {
                let found = backdoor(ctx.ws, left, right, scope, vars)
                    .or_else(|| backdoor(ctx.ws, right, left, scope, vars));
                if let Some(Compared::Lookup(desc)) = found {
                    let message = match scope.statement.and_then(|s| {
                        Some((s.name.value.as_str(), s.target_name()?.value.as_str()))
                    }) {
                        Some((name, table)) => format!("`{name} {table}` {desc}"),
                        None => desc,
                    };
                    out.push(
                        Diagnostic::new(
                            CODE,
                            expr.span.clone(),
                            format!("{message}{}", note(scope.in_disabled)),
                        )
                        .with_help(HELP),
                    );
                } else if let Some(Compared::Login(desc)) = found {
                    let at = scope
                        .statement
                        .map_or(expr.span.clone(), |s| s.span.clone());
                    match backdoor_at.get(&(at.start, at.end)) {
                        Some(&i) => {
                            let b = &mut backdoors[i];
                            b.1 = b.1.start.min(expr.span.start)..b.1.end.max(expr.span.end);
                            b.2.push(desc);
                        }
                        None => {
                            backdoor_at.insert((at.start, at.end), backdoors.len());
                            backdoors.push((at, expr.span.clone(), vec![desc], scope.in_disabled))
                        }
                    }
                }
            }
            _ => {}
        }
        if let Some(stmt) = scope.statement
            && scope.attribute.is_some()
            && scope.key == scope.attribute
            && let Some(literal) = expr.string_value()
            && let Some(d) = statement_literal(ctx, stmt, scope, expr, literal)
        {
            out.push(d);
        }
    });
    for (_, range, descs, disabled) in backdoors {
        let message = format!(
            "hard-coded credential check (a backdoor): {}{}",
            descs.join(" and "),
            note(disabled)
        );
        let help = format!(
            "Whoever knows {} passes the check, in every environment: remove it and sign test accounts in like any other",
            if descs.len() > 1 {
                "these values"
            } else {
                "the value"
            },
        );
        out.push(Diagnostic::new(CODE, range, message).with_help(help));
    }
    for object in ctx.all_objects() {
        if object.kind.value != "workflow_test" {
            out.extend(fixed_account_tokens(ctx, object));
        }
    }
    out.sort_by_key(|d| d.range.start);
    out
}

/// `security.create_auth_token` for an account picked by a literal (`id = 42`, or the record of
/// `db.get user { field_value = "c8aa…" }`): whoever calls the code signs in as that account.
fn fixed_account_tokens(ctx: &Context, object: &Object) -> Vec<Diagnostic> {
    let statements = object
        .stack()
        .map(crate::model::enabled_statements)
        .unwrap_or_default();
    let mut out = Vec::new();
    for s in &statements {
        if s.name.value != "security.create_auth_token" {
            continue;
        }
        let Some(id) = s.attribute("id") else {
            continue;
        };
        if let Some(lit) = plain_literal(&id.value) {
            out.push(Diagnostic::new(
                CODE,
                id.span.clone(),
                format!(
                    "`security.create_auth_token` issues a token for the hard-coded account id `{lit}`"
                ),
            ).with_help("Whoever reaches this statement is signed in as that account: issue tokens only for the account a check proved"));
            continue;
        }
        // `$user.id` where `$user` comes from a lookup by a literal.
        let Some(path) = id.value.as_var() else {
            continue;
        };
        if path.segments.len() != 1 || path.first_field() != Some("id") {
            continue;
        }
        let record = path.root.as_str();
        let lookups: Vec<&&Statement> = statements
            .iter()
            .filter(|l| l.alias_name() == Some(record))
            .collect();
        // Only when every definition of the record is such a lookup.
        let [lookup] = lookups.as_slice() else {
            continue;
        };
        if Db::of_statement(lookup) != Some(Db::Get) {
            continue;
        }
        let Some(table) = lookup.target_name() else {
            continue;
        };
        if !is_account_table(ctx.ws, &table.value) {
            continue;
        }
        let Some(value) = lookup.attribute("field_value") else {
            continue;
        };
        let Some(lit) = plain_literal(&value.value) else {
            continue;
        };
        let field = lookup
            .attribute("field_name")
            .and_then(|a| a.value.string_value())
            .unwrap_or("id");
        let message = format!(
            "`security.create_auth_token` issues a token for the hard-coded account `{table}` with `{field}` = `{}`: whoever calls this signs in as that account",
            redact_id(&lit),
            table = table.value
        );
        out.push(
            Diagnostic::new(CODE, id.span.clone(), message)
                .with_help(HELP)
                .with_related(
                    &ctx.file.path,
                    value.span.clone(),
                    format!(
                        "the account is picked by this literal in `db.get {}`",
                        table.value
                    ),
                ),
        );
    }
    out
}

/// A string or number literal.
fn plain_literal(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::String(s) if !s.trim().is_empty() => Some(s.clone()),
        ExprKind::Number(n) => Some(n.clone()),
        _ => None,
    }
}

fn redact_id(s: &str) -> String {
    if s.chars().count() > 12 {
        redact(s, 8)
    } else {
        s.to_string()
    }
}

/// Why a test account in shipped code matters, for the findings without a more precise help.
const HELP: &str = "Test accounts and fixed credentials ship to every environment, the live one too: create test data in a non-live data source, not in the code";

fn note(disabled: bool) -> &'static str {
    if disabled {
        " (in a disabled statement, which still ships)"
    } else {
        ""
    }
}

/// Whether a table holds accounts: an auth table, or, when the workspace does not define it,
/// a table named like one (`user`, `users`, `accounts`, `admins`).
fn is_account_table(ws: &Workspace, name: &str) -> bool {
    if let Some(t) = ws.table(name) {
        return t.is_auth;
    }
    if ws.is_auth_table(name) {
        return true;
    }
    snake_words(name).last().is_some_and(|w| {
        matches!(
            w.as_str(),
            "user" | "users" | "account" | "accounts" | "member" | "members" | "admin" | "admins"
        )
    })
}

/// What a credential literal of an object is: `the test e-mail `x``, `the password `y``.
fn credential_literals(expr: &Expr) -> Vec<(Span, String, bool)> {
    let ExprKind::Object(pairs) = &expr.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in pairs {
        let PairKey::Name(k) = &p.key else { continue };
        let Some(v) = p.value.string_value() else {
            continue;
        };
        if is_email_name(&k.value) && is_test_email(v) {
            out.push((p.value.span.clone(), format!("the test e-mail `{v}`"), true));
        } else if is_password_name(&k.value) && is_weak_password(v) && !v.trim().is_empty() {
            out.push((
                p.value.span.clone(),
                format!("the guessable password `{}`", shown(v)),
                false,
            ));
        }
    }
    out
}

/// A weak password is shown whole; anything else only in part.
fn shown(v: &str) -> String {
    if v.chars().count() <= 16 {
        v.to_string()
    } else {
        redact(v, 6)
    }
}

/// Whether the object has a key with a literal value that `pred` accepts.
fn has_key(expr: &Expr, pred: impl Fn(&str, &str) -> bool) -> bool {
    match &expr.kind {
        ExprKind::Object(pairs) => pairs
            .iter()
            .any(|p| match (&p.key, p.value.string_value()) {
                (PairKey::Name(k), Some(v)) => pred(&k.value, v),
                _ => false,
            }),
        _ => false,
    }
}

/// An object literal that creates, seeds or submits an account with test credentials.
fn account_object(ctx: &Context, expr: &Expr, scope: &Place) -> Option<Diagnostic> {
    let found = credential_literals(expr);
    if found.is_empty() {
        return None;
    }
    let stmt = scope.statement;
    let what = if let Some(s) = stmt
        && let Some(db) = Db::of_statement(s).filter(|db| db.stores_values())
        && matches!(scope.attribute, Some("data" | "items"))
        && let Some(table) = s.target_name()
        && (is_account_table(ctx.ws, &table.value) || has_key(expr, |k, _| is_password_name(k)))
    {
        let verb = if db.adds() { "creates" } else { "writes" };
        format!("`{} {}` {verb} an account with", s.name.value, table.value)
    } else if stmt.is_none()
        && scope.object.kind.value == "table"
        && scope.attribute == Some("items")
        && scope
            .object
            .name
            .as_ref()
            .is_some_and(|n| is_account_table(ctx.ws, &n.value))
    {
        format!(
            "table `{}` seeds an account with",
            scope.object.name.as_ref().map_or("", |n| n.value.as_str())
        )
    } else if has_key(expr, |k, v| is_email_name(k) && v.contains('@'))
        && has_key(expr, |k, _| is_password_name(k))
    {
        let at = match (stmt, scope.attribute) {
            (Some(s), Some(a)) => format!("`{a}` of `{}`", s.name.value),
            (Some(s), None) => format!("`{}`", s.name.value),
            (None, Some(a)) => format!("`{a}`"),
            (None, None) => "this object".to_string(),
        };
        format!("{at} submits account credentials with")
    } else {
        return None;
    };
    let list: Vec<&str> = found.iter().map(|(_, d, _)| d.as_str()).collect();
    let message = format!("{what} {}{}", list.join(" and "), note(scope.in_disabled));
    Some(Diagnostic::new(CODE, found[0].0.clone(), message).with_help(HELP))
}

/// The submitted e-mail or password, as an input or a variable holding it.
#[derive(Debug, Clone)]
struct Source {
    /// The variable's name (`pw`), or the input's path for the input itself.
    name: String,
    /// The input it comes from: `$input.password`.
    input: String,
    password: bool,
}

impl Source {
    fn describe(&self) -> String {
        if self.name == self.input {
            format!("`{}`", self.input)
        } else {
            format!("`${}` (from `{}`)", self.name, self.input)
        }
    }
}

/// Variables of an object that hold the submitted e-mail or password:
/// `var $pw { value = $input.password|trim }`.
fn input_vars(object: &Object) -> Vec<Source> {
    let Some(stack) = object.stack() else {
        return Vec::new();
    };
    let statements = stack.walk_statements();
    let mut vars: Vec<Source> = Vec::new();
    for _ in 0..4 {
        let before = vars.len();
        for s in &statements {
            if !VarWrite::of_statement(s).is_some_and(VarWrite::replaces) {
                continue;
            }
            let (Some(target), Some(value)) = (
                s.first_expr().and_then(Expr::as_var).map(target_name),
                s.attribute("value"),
            ) else {
                continue;
            };
            if vars.iter().any(|v| v.name == target) {
                continue;
            }
            if let Some(src) = credential_source(&value.value, &vars) {
                vars.push(Source {
                    name: target.to_string(),
                    ..src
                });
            }
        }
        if vars.len() == before {
            break;
        }
    }
    vars
}

/// The submitted e-mail or password an expression is, through normalising filters.
fn credential_source(expr: &Expr, vars: &[Source]) -> Option<Source> {
    let mut e = expr;
    for _ in 0..16 {
        match &e.kind {
            ExprKind::Filtered { value, filters }
                if filters.iter().all(|f| {
                    matches!(
                        f.name.value.as_str(),
                        "trim"
                            | "to_lower"
                            | "to_upper"
                            | "lower"
                            | "upper"
                            | "to_text"
                            | "ltrim"
                            | "rtrim"
                            | "unaccent"
                    )
                }) =>
            {
                e = value;
            }
            _ => break,
        }
    }
    let path = e.as_var()?;
    if path.root == "input" {
        let field = path.first_field()?;
        let password = is_password_name(field);
        if path.field_names().count() == 1 && (is_email_name(field) || password) {
            let input = format!("$input.{field}");
            return Some(Source {
                name: input.clone(),
                input,
                password,
            });
        }
        return None;
    }
    if path.segments.is_empty() || path.root == "var" && path.segments.len() == 1 {
        let name = target_name(path);
        return vars.iter().find(|v| v.name == name).cloned();
    }
    None
}

/// What a comparison with a literal is.
enum Compared {
    /// The submitted e-mail or password checked against a literal.
    Login(String),
    /// An account column matched with a test value in a query.
    Lookup(String),
}

/// A comparison of the submitted e-mail/password (or an account column in a `where`) with a
/// literal: its description.
fn backdoor(
    ws: &Workspace,
    side: &Expr,
    other: &Expr,
    scope: &Place,
    vars: &[Source],
) -> Option<Compared> {
    let literal = literal_of(other)?;
    if literal.trim().is_empty() {
        return None;
    }
    if let Some(src) = credential_source(side, vars) {
        let shown = if src.password && !is_weak_password(literal) {
            redact(literal, 3)
        } else {
            literal.to_string()
        };
        return Some(Compared::Login(format!(
            "{} is compared with the literal `{shown}`",
            src.describe()
        )));
    }
    // `$db.user.email == "qa@example.com"` in a query of an account table.
    let path = side.as_var()?;
    if path.root != "db" {
        return None;
    }
    let names: Vec<&str> = path.field_names().collect();
    let (table, column) = match names.as_slice() {
        [t, c] => (Some(*t), *c),
        [c] => (None, *c),
        _ => return None,
    };
    let table = table.map(str::to_string).or_else(|| {
        scope
            .statement
            .and_then(|s| s.target_name())
            .map(|t| t.value.clone())
    })?;
    if !is_account_table(ws, &table) {
        return None;
    }
    if is_email_name(column) && is_test_email(literal) {
        Some(Compared::Lookup(format!(
            "looks up the test or default account `{literal}`"
        )))
    } else if is_password_name(column) && is_weak_password(literal) {
        Some(Compared::Lookup(format!(
            "looks up accounts by the guessable password `{literal}`"
        )))
    } else {
        None
    }
}

/// A string literal, through normalising filters (`"Admin@Acme.io"|to_lower`).
fn literal_of(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::String(s) => Some(s),
        ExprKind::Filtered { value, .. } => value.string_value(),
        _ => None,
    }
}

/// Literals given to statement attributes: `text_password` of `security.check_password`,
/// `field_value` of a lookup by e-mail.
fn statement_literal(
    ctx: &Context,
    stmt: &Statement,
    scope: &Place,
    expr: &Expr,
    literal: &str,
) -> Option<Diagnostic> {
    let name = stmt.name.value.as_str();
    let attr = scope.attribute?;
    if name == "security.check_password" && attr == "text_password" && is_weak_password(literal) {
        let message = format!(
            "`security.check_password` checks the guessable literal password `{}` instead of the submitted one{}",
            shown(literal),
            note(scope.in_disabled)
        );
        return Some(Diagnostic::new(CODE, expr.span.clone(), message).with_help(HELP));
    }
    if attr == "field_value"
        && Db::of(name).is_some_and(Db::selects_one)
        && is_test_email(literal)
        && let Some(table) = stmt.target_name()
        && is_account_table(ctx.ws, &table.value)
        && stmt
            .attribute("field_name")
            .and_then(|a| a.value.string_value())
            .is_some_and(is_email_name)
    {
        let message = format!(
            "`{name} {}` looks up the test or default account `{literal}`{}",
            table.value,
            note(scope.in_disabled)
        );
        return Some(Diagnostic::new(CODE, expr.span.clone(), message).with_help(HELP));
    }
    None
}
