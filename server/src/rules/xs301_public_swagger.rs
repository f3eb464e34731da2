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
use crate::model::Object;
use crate::semantics::api_group::{self, Swagger};
use crate::semantics::endpoint::header_span;

use super::context::{Context, Diagnostic};
use super::edits;
use crate::finding::Severity;

use super::rule::Rule;

/// Why public documentation matters and what to do, for every finding of the rule.
const HELP: &str = "Public documentation lists every endpoint, input and response of the group for anyone to probe: switch it off, or require a token";

pub const CODE: &str = "XS301";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "public-swagger",
    severity: Severity::Warning,
    cwe: Some("CWE-200"),
    summary: "An api group publishes its Swagger documentation without a token.",
    fixable: true,
    safe_fixes: true,
    check: Some(check),
};

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
    match api_group::swagger(group) {
        Swagger::Default => {
            let message = format!(
                "api group `{name}` has no `swagger` setting, so its API documentation is public (Xano's default)"
            );
            Some(
                Diagnostic::new(CODE, header_span(group), message)
                    .with_help(HELP)
                    .with_fix(insert_fix(ctx, group)),
            )
        }
        Swagger::Public(attr) => {
            let message =
                format!("api group `{name}` publishes its API documentation without a token");
            let fix = Fix {
                applicability: crate::finding::Applicability::Safe,
                title: format!("Set `{DISABLED}`"),
                edits: vec![edits::replace(&attr.span, DISABLED)],
            };
            Some(
                Diagnostic::new(CODE, attr.span.clone(), message)
                    .with_help(HELP)
                    .with_fix(fix),
            )
        }
        Swagger::Off(_) | Swagger::Token(_) | Swagger::Unknown(_) => None,
    }
}

/// Inserts the setting after `canonical = ...`, or as the first line of the body.
fn insert_fix(ctx: &Context, group: &Object) -> Fix {
    let after = group
        .attribute("canonical")
        .or_else(|| group.body.attributes().next());
    Fix {
        applicability: crate::finding::Applicability::Safe,
        title: format!("Add `{DISABLED}`"),
        edits: vec![edits::add_to_block(
            ctx,
            group.span.start,
            &group.body,
            after,
            &[DISABLED.to_string()],
        )],
    }
}
