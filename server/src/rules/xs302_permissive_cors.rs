//! ## What it does
//! Reports an `api_group` whose CORS policy lets any web site call it from a browser: no `cors`
//! setting (Xano's default answers every origin, with credentials allowed), a `cors` whose
//! `mode` is the default or wildcard mode, `origins` that contain `*` (or the `null` origin of
//! sandboxed pages and local files), or credentials allowed together with a wildcard origin.
//!
//! ## Why is this bad?
//! With a wildcard policy any page a signed-in user visits can script requests to the API and
//! read the answers; with credentials allowed the browser attaches the user's cookies too. CORS
//! is what keeps other sites' scripts from reading your API's answers in your users' browsers
//! (CWE-942: Permissive Cross-domain Policy with Untrusted Domains; OWASP API8:2023 Security
//! Misconfiguration).
//!
//! ## Example
//! ```xs
//! api_group shop {
//!   canonical = "shop-v1"
//!   cors = {
//!     mode       : "custom"
//!     origins    : ["*"]
//!     credentials: true
//!   }
//! }
//! ```
//!
//! ## Fix
//! List the origins of your own front ends:
//! ```xs
//! api_group shop {
//!   canonical = "shop-v1"
//!   cors = {
//!     mode       : "custom"
//!     origins    : ["https://app.example.com"]
//!     methods    : ["GET", "POST"]
//!     headers    : ["Authorization", "Content-Type"]
//!     credentials: false
//!     max_age    : 3600
//!   }
//! }
//! ```
//! The fix writes (or rewrites) a custom `cors` block. Origins already listed stay (without
//! `*` and `null`); when none is left the origin is the placeholder
//! `https://REPLACE-ME.example.com`, to replace with your front end's origin before deploying.
//! `methods` are the verbs the group's endpoints use unless the block lists some; existing
//! `headers`, `credentials` and `max_age` values are kept.
//!
//! ## Not flagged
//! A custom `cors` with explicit origins (`http://localhost:5173` included), with or without
//! credentials; an empty `origins` list; api groups with `active = false`, which nothing
//! outside Xano can reach.

use crate::finding::{Fix, Severity, TextEdit};
use crate::fix::{indent_at, line_ending_at};
use crate::model::{Expr, ExprKind, Object};
use crate::semantics::api_group::{self, CorsPolicy, CorsWritten};
use crate::semantics::endpoint::header_span;

use super::context::{Context, Diagnostic};
use super::edits;
use super::rule::Rule;

pub const CODE: &str = "XS302";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "permissive-cors",
    severity: Severity::Warning,
    cwe: Some("CWE-942"),
    summary: "An api group allows any origin (no `cors`, wildcard mode or `*` origin).",
    fixable: true,
    safe_fixes: false,
    check: Some(check),
};

/// The origin the fix writes: obviously not a real one, and reported by XS003 until replaced.
use crate::fix::placeholders::ORIGIN as ORIGIN_PLACEHOLDER;

const VERBS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    ctx.objects("api_group")
        .filter_map(|group| check_group(ctx, group))
        .collect()
}

fn check_group(ctx: &Context, group: &Object) -> Option<Diagnostic> {
    if !api_group::active(group) {
        return None;
    }
    let name = group
        .name
        .as_ref()
        .map_or("this group", |n| n.value.as_str());
    let cors = api_group::cors(group);
    let (range, attribute) = match cors.written {
        CorsWritten::Attribute(attr) => (attr.span.clone(), Some(attr)),
        CorsWritten::Block(block) => (block.span.clone(), None),
        CorsWritten::Missing => (header_span(group), None),
    };
    let message = match &cors.policy {
        CorsPolicy::Origins(_) | CorsPolicy::Unknown => return None,
        CorsPolicy::Default => format!(
            "api group `{name}` has no `cors` setting, so Xano's default applies: every origin may call it, with credentials"
        ),
        CorsPolicy::OpenMode(mode) if mode == "default" => format!(
            "api group `{name}` uses CORS mode `default`, which lets every origin call it, with credentials"
        ),
        CorsPolicy::OpenMode(mode) => {
            format!("api group `{name}` uses CORS mode `{mode}`, which lets every origin call it")
        }
        CorsPolicy::NoOrigins => format!(
            "api group `{name}` sets CORS without listing origins, so every origin may call it"
        ),
        CorsPolicy::Wildcard { credentials: true } => format!(
            "api group `{name}` allows credentials for the wildcard origin `*`: any web site can make signed-in requests and read the answers"
        ),
        CorsPolicy::Wildcard { credentials: false } => format!(
            "api group `{name}` allows the wildcard origin `*`: any web site can call it from a browser"
        ),
        CorsPolicy::NullOrigin => format!(
            "api group `{name}` allows the `null` origin, which any sandboxed page or local file can claim"
        ),
    };
    let fix = fix(ctx, group, attribute.map(|a| (a.span.clone(), &a.value)));
    Some(
        Diagnostic::new(CODE, range, message)
            .with_help("A browser sends the user's session to the group from any page an allowed origin serves: list only your own front ends' origins")
            .with_fix(fix),
    )
}

/// The verbs of the endpoints that join the group (`api_group = "<name>"`), in the usual
/// order; every verb when none is known.
fn group_verbs(ctx: &Context, group: &Object) -> Vec<&'static str> {
    let Some(name) = group.name.as_ref().map(|n| n.value.as_str()) else {
        return VERBS.to_vec();
    };
    let verbs = ctx.ws.group_verbs(name);
    let used = VERBS.map(|v| verbs.iter().any(|u| u == v));
    if used.iter().any(|u| *u) {
        VERBS
            .iter()
            .zip(used)
            .filter_map(|(v, u)| u.then_some(*v))
            .collect()
    } else {
        VERBS.to_vec()
    }
}

/// Writes the `cors` block, replacing the current one or inserting it after the settings Xano
/// exports before it.
fn fix(ctx: &Context, group: &Object, current: Option<(crate::model::Span, &Expr)>) -> Fix {
    let text = ctx.text();
    let verbs = group_verbs(ctx, group);
    let quoted = |items: &[&str]| {
        items
            .iter()
            .map(|v| format!("\"{v}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let kept = |key: &str| {
        current
            .as_ref()
            .and_then(|(span, value)| {
                let v = value.get(key)?;
                // A value kept as written.
                text.get(v.span.clone())
                    .filter(|_| span.start <= v.span.start)
            })
            .map(str::to_string)
    };
    let list = |key: &str| {
        kept(key).filter(|h| h.starts_with('[') && !h.contains('*') && !h.contains('\n'))
    };
    // Origins already listed stay, minus the wildcard and `null`.
    let origins: Vec<String> = current
        .as_ref()
        .and_then(|(_, value)| match &value.get("origins")?.kind {
            ExprKind::Array(items) => Some(
                items
                    .iter()
                    .filter_map(Expr::string_value)
                    .map(str::trim)
                    .filter(|o| {
                        !o.is_empty()
                            && !o.contains(['*', '"', '\\'])
                            && !o.eq_ignore_ascii_case("null")
                    })
                    .map(|o| format!("\"{o}\""))
                    .collect(),
            ),
            _ => None,
        })
        .unwrap_or_default();
    let placeholder = origins.is_empty();
    let origins = if placeholder {
        format!("[\"{ORIGIN_PLACEHOLDER}\"]")
    } else {
        format!("[{}]", origins.join(", "))
    };
    let methods = list("methods").unwrap_or_else(|| format!("[{}]", quoted(&verbs)));
    let headers = list("headers")
        .unwrap_or_else(|| format!("[{}]", quoted(&["Authorization", "Content-Type"])));
    let credentials = kept("credentials").unwrap_or_else(|| "false".into());
    let max_age = kept("max_age").unwrap_or_else(|| "3600".into());
    let entries = [
        ("mode", "\"custom\"".to_string()),
        ("origins", origins),
        ("methods", methods),
        ("headers", headers),
        ("credentials", credentials),
        ("max_age", max_age),
    ];
    let width = entries.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let unit = ctx.indent_unit();
    let title = if placeholder {
        format!(
            "Restrict CORS to your own origins (replace the placeholder `{ORIGIN_PLACEHOLDER}` with your front end's origin)"
        )
    } else {
        "Allow only the origins already listed (custom mode, no wildcard)".to_string()
    };
    let body_lines = |inner: &str| -> Vec<String> {
        entries
            .iter()
            .map(|(k, v)| format!("{inner}{k:<width$}: {v}"))
            .collect()
    };
    match current {
        Some((span, _)) => {
            let outer = indent_at(text, span.start).to_string();
            let inner = format!("{outer}{unit}");
            let eol = line_ending_at(text, span.start);
            let mut new_text = String::from("cors = {");
            for line in body_lines(&inner) {
                new_text.push_str(eol);
                new_text.push_str(&line);
            }
            new_text.push_str(eol);
            new_text.push_str(&outer);
            new_text.push('}');
            Fix {
                applicability: crate::finding::Applicability::Unsafe,
                title,
                edits: vec![TextEdit {
                    range: span,
                    new_text,
                }],
            }
        }
        None => {
            // Xano exports `cors` after these settings; put it where the exporter would.
            let before = [
                "canonical",
                "description",
                "active",
                "swagger",
                "docs",
                "tags",
                "history",
            ];
            let anchor = group
                .body
                .attributes()
                .filter(|a| before.contains(&a.key.value.as_str()))
                .last()
                .or_else(|| group.body.attributes().next());
            let mut lines = vec!["cors = {".to_string()];
            lines.extend(body_lines(unit));
            lines.push("}".to_string());
            Fix {
                applicability: crate::finding::Applicability::Unsafe,
                title,
                edits: vec![edits::add_to_block(
                    ctx,
                    group.span.start,
                    &group.body,
                    anchor,
                    &lines,
                )],
            }
        }
    }
}
