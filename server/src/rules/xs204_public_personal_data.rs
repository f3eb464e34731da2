//! ## What it does
//! Reports an endpoint without `auth` whose response returns records of a table that holds
//! personal data, with the personal fields still in them: columns whose snake_case words include
//! email, phone, mobile, address, birth, first_name, last_name or full_name, columns of type
//! `email`, and columns marked `sensitive = true`. Records are followed as for XS202 (variables,
//! objects, filters, loops, `api.lambda`, `function.run`, addons); a literal `db.direct_query`
//! SELECT counts with its column list in the role of `output`.
//!
//! The finding is reported at the read (or the addon reference), or at the `function.run` line
//! when the read is in a function.
//!
//! ## Why is this bad?
//! Anyone on the internet can call the endpoint, page through it and collect names, e-mail
//! addresses and phone numbers: the harvest target of the pre-launch audit, typically a forgotten
//! generated `GET /user` or `GET /user/{user_id}` (CWE-359: Exposure of Private Personal
//! Information to an Unauthorized Actor; OWASP API3:2023 Broken Object Property Level
//! Authorization).
//!
//! ## Example
//! ```xs
//! query "user/{user_id}" verb=GET {
//!   api_group = "Public"
//!   input {
//!     int user_id
//!   }
//!   stack {
//!     db.get user {
//!       field_name = "id"
//!       field_value = $input.user_id
//!     } as $user
//!   }
//!   response = $user
//! }
//! ```
//!
//! ## Fix
//! Require authentication (`auth = "user"`), or return only public fields:
//! ```xs
//!     db.get user {
//!       field_name = "id"
//!       field_value = $input.user_id
//!       output = ["id", "display_name", "avatar"]
//!     } as $user
//! ```
//! The fix offered adds (or narrows) the read's `output` list without the personal fields; check
//! that the public page still has what it needs.
//!
//! ## Not flagged
//! - Endpoints with `auth`, and endpoints of an `api_group` with `active = false`.
//! - Endpoints that authenticate the caller or issue their token (`security.check_password`,
//!   `security.create_auth_token`, `security.jws_decode` / `jwe_decode`): login, signup and
//!   magic-link flows return the caller's own record.
//! - Reads whose `output` (or SELECT column list) leaves the personal fields out, records cleaned
//!   with `|unset` / `|pick` or rebuilt by hand, and records only used inside the stack.
//! - A record returned by a write when its personal fields are those the request itself supplied
//!   (`db.add contact {data = {email: $input.email}}` returning the new row).
//! - Compounds that are not personal data themselves: `email_template`, `email_verified`,
//!   `phone_type`, `address_id`.
//! - An `address` in a table that holds no other personal data and is not about people (a club's
//!   or a venue's address); in `user`, `customer`, `member`, `contact`, ... tables it counts.
//! - Columns declared with `visibility = "internal"` (never returned by Xano), and tables whose
//!   definition is not in the workspace.

use crate::analysis::exposure::{
    Analyzer, ExposedRead, authenticates_caller, list_names, list_some,
};
use crate::semantics::endpoint;
use crate::workspace::sensitivity::DataKind;

use super::context::{Context, Diagnostic};
use super::output_fix::output_fix;
use crate::finding::Severity;

use super::rule::Rule;

pub const CODE: &str = "XS204";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "public-personal-data",
    severity: Severity::Warning,
    cwe: Some("CWE-359"),
    summary: "An endpoint without `auth` returns personal data of a table.",
    fixable: true,
    safe_fixes: false,
    check: Some(check),
};

pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    if !ctx.ws.has_tables() {
        return Vec::new();
    }
    let analyzer = Analyzer::new(ctx.ws);
    let mut out = Vec::new();
    for endpoint in ctx.endpoints() {
        if endpoint::auth(endpoint).is_some()
            || ctx.ws.in_inactive_group(endpoint)
            || authenticates_caller(endpoint, ctx.ws)
        {
            continue;
        }
        let analysis = analyzer.response(ctx.file, endpoint);
        let label = endpoint::label(endpoint);
        for read in analyzer.exposed_reads(&analysis, DataKind::Personal) {
            out.push(diagnostic(ctx, &read, &label));
        }
    }
    out
}

fn diagnostic(ctx: &Context, read: &ExposedRead, label: &str) -> Diagnostic {
    let origin = &read.origin;
    let fields = list_names(&read.fields);
    let some = list_some(&read.fields, 2);
    let plural = if read.fields.len() > 1 { "s" } else { "" };
    let source = origin.describe();
    match &read.via {
        None => {
            let message = format!(
                "`{label}` has no `auth` and returns `{}` records with the personal field{plural} {some} to anyone",
                origin.table,
            );
            let mut d = Diagnostic::new(CODE, origin.head.clone(), message).with_help(format!(
                "The records come from {source}; anyone can collect {fields}: require `auth`, or leave them out with `output`"
            ));
            if let Some(fix) = output_fix(ctx, origin, DataKind::Personal, &read.fields) {
                d = d.with_fix(fix);
            }
            d
        }
        Some(call) => {
            let message = format!(
                "`{label}` has no `auth` and, through this call, returns `{}` records with the personal field{plural} {some} to anyone",
                origin.table,
            );
            Diagnostic::new(CODE, call.clone(), message)
                .with_help(format!(
                    "The records come from {source} in the function; anyone can collect {fields}: require `auth`, or leave them out with an `output` on that read"
                ))
                .with_related(
                &origin.path,
                origin.head.clone(),
                format!("`{}` records read here", origin.table),
            )
        }
    }
}
