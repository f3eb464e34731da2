//! ## What it does
//! Reports `security.create_auth_token` when the token it issues lives longer than the
//! configured limit (`token-expiry-days`, 30 days by default): `expiration` (in seconds) is
//! missing, larger than the limit (literally, through a `var`, or as simple arithmetic such as
//! `86400 * 90`), or taken from the request, so the caller chooses how long the token lives.
//!
//! ## Why is this bad?
//! Xano auth tokens cannot be revoked one by one: a token that leaks (a log, a shared device,
//! an XSS) stays valid until it expires. Long lifetimes turn a short incident into months of
//! access (CWE-613: Insufficient Session Expiration; OWASP API2:2023 Broken Authentication).
//!
//! ## Example
//! ```xs
//! security.create_auth_token {
//!   table = "user"
//!   extras = {}
//!   expiration = 31536000
//!   id = $user.id
//! } as $authToken
//! ```
//!
//! ## Fix
//! Give the token a short life and let the client sign in (or refresh) again:
//! ```xs
//! security.create_auth_token {
//!   table = "user"
//!   extras = {}
//!   expiration = 86400
//!   id = $user.id
//! } as $authToken
//! ```
//! The fix sets (or inserts) `expiration = 86400` (one day, Xano's usual default), or the
//! configured limit when that is shorter. Check that your front end handles expired tokens.
//!
//! ## Not flagged
//! An `expiration` within the limit; a value read from an environment variable or computed in
//! a way the source does not settle (`$env.TOKEN_TTL`); disabled statements.

use crate::finding::{Fix, Severity, TextEdit};
use crate::fix::indent_at;
use crate::model::{BinaryOp, Expr, ExprKind, Statement};

use super::context::{Context, Diagnostic};
use super::edits;
use super::rule::Rule;
use crate::analysis::callers::InputTaint;
use crate::analysis::flow::{Flow, function_input_taint, target_name};
use crate::model::enabled_statements;

pub const CODE: &str = "XS303";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "long-lived-token",
    severity: Severity::Info,
    cwe: Some("CWE-613"),
    summary: "An auth token has no expiration or one longer than the configured limit.",
    fixable: true,
    safe_fixes: false,
    check: Some(check),
};

const DAY: i64 = 86_400;

pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    let limit_days = i64::from(ctx.config().token_expiry_days);
    let limit = limit_days.saturating_mul(DAY);
    let mut out = Vec::new();
    for object in ctx.all_objects() {
        let Some(stack) = object.stack() else {
            continue;
        };
        let statements = enabled_statements(stack);
        let tokens: Vec<&&Statement> = statements
            .iter()
            .filter(|s| s.name.value == "security.create_auth_token")
            .collect();
        if tokens.is_empty() {
            continue;
        }
        // In a function, an input is request-controlled when some endpoint fills it from the
        // request.
        let taint = match object.kind.value.as_str() {
            "query" => Some(InputTaint::All),
            "function" => object
                .name
                .as_ref()
                .and_then(|n| function_input_taint(ctx.ws, &n.value)),
            _ => None,
        };
        let flow = taint.map(|t| Flow::of(object, t));
        for s in tokens {
            let in_function = object.kind.value == "function";
            if let Some(d) = check_token(ctx, &statements, flow.as_ref(), in_function, s, limit) {
                out.push(d);
            }
        }
    }
    out
}

fn check_token(
    ctx: &Context,
    statements: &[&Statement],
    flow: Option<&Flow>,
    in_function: bool,
    s: &Statement,
    limit: i64,
) -> Option<Diagnostic> {
    let limit_text = describe(limit);
    let table = s
        .attribute("table")
        .and_then(|a| a.value.string_value())
        .map(|t| format!(" for `{t}`"))
        .unwrap_or_default();
    let fixed = DAY.min(limit).max(60);
    let (range, message) = match s.attribute("expiration") {
        None => (
            s.name.span.clone(),
            format!(
                "`security.create_auth_token`{table} sets no `expiration`; tokens should expire within {limit_text}"
            ),
        ),
        Some(attr) => {
            if let Some(taint) = flow.and_then(|f| f.taint(&attr.value)) {
                (
                    attr.span.clone(),
                    format!(
                        "the token's `expiration` comes from {}{}: the caller decides how long the token lives",
                        taint.source,
                        if in_function {
                            ", which an endpoint fills from the request"
                        } else {
                            ""
                        }
                    ),
                )
            } else {
                let seconds = seconds_of(&attr.value, statements, 0)?;
                if seconds <= limit {
                    return None;
                }
                let written = ctx.source(&attr.value.span).trim();
                let shown = if written == seconds.to_string() {
                    format!("`expiration = {written}`")
                } else {
                    format!("`expiration = {written}`, {seconds} seconds")
                };
                (
                    attr.span.clone(),
                    format!(
                        "the token{table} lives {} ({shown}), longer than the limit of {limit_text}",
                        describe(seconds)
                    ),
                )
            }
        }
    };
    let fix = fix(ctx, s, fixed);
    Some(
        Diagnostic::new(CODE, range, message)
            .with_help("A stolen token works until it expires: keep access tokens short-lived and renew them")
            .with_severity(Severity::Info)
            .with_fix(fix),
    )
}

/// The number of seconds an expression settles to: a literal, simple arithmetic, or a `var`
/// set once to such a value.
fn seconds_of(expr: &Expr, statements: &[&Statement], depth: usize) -> Option<i64> {
    if depth > 8 {
        return None;
    }
    match &expr.kind {
        ExprKind::Number(n) => n.parse::<f64>().ok().map(|f| f as i64),
        ExprKind::String(s) => s.trim().parse::<i64>().ok(),
        ExprKind::Filtered { value, filters }
            if filters
                .iter()
                .all(|f| matches!(f.name.value.as_str(), "to_int" | "to_decimal" | "round")) =>
        {
            seconds_of(value, statements, depth + 1)
        }
        ExprKind::Binary {
            op: BinaryOp::Multiplicative | BinaryOp::Additive,
            operator,
            left,
            right,
        } => {
            let l = seconds_of(left, statements, depth + 1)?;
            let r = seconds_of(right, statements, depth + 1)?;
            match operator.as_str() {
                "*" => l.checked_mul(r),
                "+" => l.checked_add(r),
                "-" => l.checked_sub(r),
                "/" if r != 0 => Some(l / r),
                _ => None,
            }
        }
        ExprKind::Var(path) if path.segments.is_empty() || path.root == "var" => {
            let name = target_name(path);
            // Only a variable assigned once, by `var`, has a value the source settles.
            let mut writes = statements.iter().filter(|st| {
                st.first_expr()
                    .and_then(Expr::as_var)
                    .is_some_and(|v| target_name(v) == name)
                    || st.alias_name() == Some(name)
            });
            let first = writes.next()?;
            if writes.next().is_some() || first.name.value != "var" {
                return None;
            }
            let value = first.attribute("value")?;
            seconds_of(&value.value, statements, depth + 1)
        }
        _ => None,
    }
}

/// A duration in words: "30 days", "1 year", "12 hours".
fn describe(seconds: i64) -> String {
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    if seconds >= 365 * DAY && seconds % (365 * DAY) == 0 {
        plural(seconds / (365 * DAY), "year")
    } else if seconds >= DAY && seconds % DAY == 0 {
        plural(seconds / DAY, "day")
    } else if seconds >= 3600 && seconds % 3600 == 0 {
        plural(seconds / 3600, "hour")
    } else if seconds >= DAY {
        format!("about {}", plural(seconds / DAY, "day"))
    } else {
        plural(seconds, "second")
    }
}

fn fix(ctx: &Context, s: &Statement, seconds: i64) -> Fix {
    let text = ctx.text();
    let line = format!("expiration = {seconds}");
    let title = format!("Set `{line}` ({})", describe(seconds));
    let edit = match s.attribute("expiration") {
        Some(attr) => edits::replace(&attr.span, line),
        None => {
            let body = s.body.as_ref();
            // After `extras` (where Xano writes it), else after the last attribute.
            let anchor = body.and_then(|b| {
                b.attribute("extras")
                    .or_else(|| b.attribute("table"))
                    .or_else(|| b.attributes().last())
            });
            match body {
                Some(b) => edits::add_to_block(ctx, s.span.start, b, anchor, &[line]),
                None => {
                    // `security.create_auth_token as $t` without a body: give it one.
                    let at = s.name.span.end;
                    let outer = indent_at(text, s.span.start);
                    let eol = crate::fix::line_ending_at(text, s.span.start);
                    TextEdit {
                        range: at..at,
                        new_text: format!(
                            " {{{eol}{outer}{}{line}{eol}{outer}}}",
                            ctx.indent_unit()
                        ),
                    }
                }
            }
        }
    };
    Fix {
        applicability: crate::finding::Applicability::Unsafe,
        title,
        edits: vec![edit],
    }
}
