//! ## What it does
//! Reports an `api_group` whose generated Swagger (OpenAPI) documentation is public: `swagger`
//! absent (Xano's default is public), `swagger = true`, or `swagger = {active: true}` without a
//! `token`.
//!
//! ## Why is this bad?
//! Public API documentation hands an attacker the full inventory of endpoints, their inputs and
//! which ones skip authentication: the map for every other attack in this catalogue
//! (CWE-200: Exposure of Sensitive Information; OWASP API9:2023 Improper Inventory Management).
//!
//! ## Example
//! ```xs
//! api_group shop {
//!   canonical = "shop-v1"
//! }
//! ```
//!
//! ## Fix
//! Turn the documentation off, or protect it with a token:
//! ```xs
//! api_group shop {
//!   canonical = "shop-v1"
//!   swagger = {active: false}
//! }
//! ```
//! The fix inserts (or replaces the value with) `swagger = {active: false}`.
//!
//! ## Not flagged
//! `swagger = {active: false}`, `swagger = false`, and any `swagger` with a `token` (the token
//! itself is Xano's design and is not reported as a hard-coded secret either).

use crate::finding::Fix;
use crate::fix::{indent_at, insert_lines_after};
use crate::model::{Expr, ExprKind, Object};

use super::context::{Context, Diagnostic};

/// Why public documentation matters and what to do, for every finding of the rule.
const HELP: &str = "Public documentation lists every endpoint, input and response of the group for anyone to probe: switch it off, or require a token";

pub const CODE: &str = "XS301";

const DISABLED: &str = "swagger = {active: false}";

pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    ctx.objects("api_group")
        .filter_map(|group| check_group(ctx, group))
        .collect()
}

fn check_group(ctx: &Context, group: &Object) -> Option<Diagnostic> {
    let name = group
        .name
        .as_ref()
        .map_or("this group", |n| n.value.as_str());
    match group.attribute("swagger") {
        None => {
            let range = group.name.as_ref().map_or(group.kind.span.clone(), |n| {
                group.kind.span.start..n.span.end
            });
            let message = format!(
                "api group `{name}` has no `swagger` setting, so its API documentation is public (Xano's default)"
            );
            Some(
                Diagnostic::new(CODE, range, message)
                    .with_help(HELP)
                    .with_fix(insert_fix(ctx, group)),
            )
        }
        Some(attr) if is_public(&attr.value) => {
            let message =
                format!("api group `{name}` publishes its API documentation without a token");
            let fix = Fix {
                applicability: crate::finding::Applicability::Safe,
                title: format!("Set `{DISABLED}`"),
                edits: vec![crate::finding::TextEdit {
                    range: attr.span.clone(),
                    new_text: DISABLED.to_string(),
                }],
            };
            Some(
                Diagnostic::new(CODE, attr.span.clone(), message)
                    .with_help(HELP)
                    .with_fix(fix),
            )
        }
        Some(_) => None,
    }
}

/// `true`, or an object that is active (explicitly or by default) and has no token.
fn is_public(value: &Expr) -> bool {
    match &value.kind {
        ExprKind::Bool(b) => *b,
        ExprKind::Object(_) => {
            let active = value.get("active").and_then(Expr::as_bool).unwrap_or(true);
            let token = value.get("token").is_some_and(|t| {
                !matches!(t.string_value(), Some("")) && !matches!(t.kind, ExprKind::Null)
            });
            active && !token
        }
        _ => false,
    }
}

/// Inserts the setting after `canonical = ...`, or as the first line of the body.
fn insert_fix(ctx: &Context, group: &Object) -> Fix {
    let text = ctx.text();
    let (anchor, indent) = match group
        .attribute("canonical")
        .or_else(|| group.body.attributes().next())
    {
        Some(attr) => (attr.span.end, indent_at(text, attr.span.start).to_string()),
        None => {
            let outer = indent_at(text, group.span.start).to_string();
            (
                group.body.span.start,
                format!("{outer}{}", ctx.indent_unit()),
            )
        }
    };
    Fix {
        applicability: crate::finding::Applicability::Safe,
        title: format!("Add `{DISABLED}`"),
        edits: vec![insert_lines_after(
            text,
            anchor,
            &indent,
            &[DISABLED.to_string()],
        )],
    }
}
