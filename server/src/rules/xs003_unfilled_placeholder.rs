//! ## What it does
//! Reports a placeholder that a fix wrote for you to fill in and that is still in the code:
//! the origin `https://REPLACE-ME.example.com` (XS302's fix), the host
//! `REPLACE-ME.example.com` in an allow-list (XS402's fix) and `$env.REPLACE_ME`.
//!
//! ## Why is this bad?
//! Unsafe fixes cannot know your front end's origin or the hosts a request may call, so they
//! write a value that is obviously not real. Shipped as it is, the CORS setting refuses your own
//! front end and the allow-list refuses every real host; worse, `xsguard fix --unsafe-fixes`
//! followed by `xsguard check` would pass without anyone having chosen the value. This rule
//! keeps the finding open until a person does.
//!
//! ## Example
//! ```xs
//! api_group "shop" {
//!   cors = {origins: ["https://REPLACE-ME.example.com"]}
//! }
//! ```
//!
//! ## Fix
//! None automatic: write the real value.
//! ```xs
//! api_group "shop" {
//!   cors = {origins: ["https://shop.example.org"]}
//! }
//! ```
//!
//! ## Not flagged
//! A placeholder in a comment (a note about it is not a value), and names that only start like
//! one (`$env.REPLACE_MENU`). The suppression reason the editor writes (`TODO: why this is safe`)
//! is XS001's: it counts as no reason.

use crate::fix::line_start;
use crate::fix::placeholders::{self, Placeholder};

use super::context::{Context, Diagnostic};
use crate::finding::Severity;

use super::rule::Rule;

pub const CODE: &str = "XS003";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "unfilled-placeholder",
    severity: Severity::Warning,
    cwe: None,
    summary: "A placeholder a fix wrote for you to fill in is still in the code.",
    fixable: false,
    safe_fixes: false,
    check: Some(check),
};

pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    let text = ctx.text();
    let mut out = Vec::new();
    for object in ctx.all_objects() {
        let span = object.span.clone();
        let Some(inside) = text.get(span.clone()) else {
            continue;
        };
        for (range, placeholder) in placeholders::find(inside) {
            let range = range.start + span.start..range.end + span.start;
            if in_comment(text, range.start) {
                continue;
            }
            out.push(diagnostic(range, placeholder));
        }
    }
    out
}

/// Whether the line holding `offset` is a comment (XanoScript comments fill their line).
fn in_comment(text: &str, offset: usize) -> bool {
    text[line_start(text, offset)..offset]
        .trim_start()
        .starts_with("//")
}

fn diagnostic(range: std::ops::Range<usize>, placeholder: Placeholder) -> Diagnostic {
    let value = placeholder.text();
    let (message, help) = match placeholder {
        Placeholder::Origin => (
            format!("the placeholder `{value}` is still here, where a real origin or URL belongs"),
            "A fix wrote it for you to replace: write your front end's origin (for CORS) or the URL prefix the request may call",
        ),
        Placeholder::Host => (
            format!(
                "the placeholder host `{value}` is still here, where the hosts the request may call belong"
            ),
            "A fix wrote it for you to replace: list the hosts this request may call",
        ),
        Placeholder::EnvVar => (
            format!(
                "the placeholder `{value}` is still here, where an environment variable belongs"
            ),
            "Name the environment variable that holds the value, and define it in the workspace's settings",
        ),
    };
    Diagnostic::new(CODE, range, message).with_help(help)
}
