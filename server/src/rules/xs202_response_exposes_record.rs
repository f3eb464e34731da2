//! ## What it does
//! Reports an endpoint whose `response` returns records of a table that has sensitive fields
//! (XS201's names, `password` type, `sensitive = true`) with those fields still in them. The
//! records come from `db.get`, `db.query`, `db.add`, `db.edit`, `db.patch`, `db.add_or_edit`,
//! a literal `db.direct_query` SELECT, or an addon whose query reads the table; they reach the
//! response directly, inside an object or list, through variables, loops (`array.push`), filters
//! that keep them (`|first`, `|filter`, `|set`, `|merge`, `|json_encode`), an `api.lambda` that
//! returns them, or the response of a function run with `function.run` (followed into the
//! function, with a depth bound).
//!
//! The finding is reported at the read (or the addon reference); when the read is in a function,
//! it is reported at the endpoint's `function.run` line with the read as a related location.
//!
//! ## Why is this bad?
//! A whole record carries every column: the password hash, reset and API tokens, identity numbers.
//! Whoever calls the endpoint receives them, and clients often keep responses in local storage
//! or logs (CWE-200: Exposure of Sensitive Information to an Unauthorized Actor;
//! OWASP API3:2023 Broken Object Property Level Authorization).
//!
//! ## Example
//! ```xs
//! query "auth/me" verb=GET {
//!   api_group = "Authentication"
//!   auth = "user"
//!   input {
//!   }
//!   stack {
//!     db.get user {
//!       field_name = "id"
//!       field_value = $auth.id
//!     } as $user
//!   }
//!   response = $user
//! }
//! ```
//!
//! ## Fix
//! Return only the fields the client needs, with an `output` list on the read:
//! ```xs
//!     db.get user {
//!       field_name = "id"
//!       field_value = $auth.id
//!       output = ["id", "created_at", "name", "email"]
//!     } as $user
//! ```
//! The fix adds (or narrows) the read's `output` list to the table's columns without the sensitive
//! ones, keeping the paging fields of a paged query, `eval` values and addon results. Check the
//! list: clients that used a removed field must do without it.
//!
//! ## Not flagged
//! - Reads whose `output` leaves the sensitive fields out, and addon references with such an
//!   `output`.
//! - Records cleaned before they are returned: `|unset:"password"`, `|pick:[...]`, a hand-built
//!   object (`{id: $user.id, name: $user.name}`), `array.map` / `|map` building new objects,
//!   an `api.lambda` returning fields extracted from them.
//! - Records used only inside the stack (preconditions, writes, lookups).
//! - Reads that return counts or booleans (`return = {type: "count"}`, `"exists"`, `"aggregate"`).
//! - Columns declared with `visibility = "internal"`: Xano leaves them out of database responses
//!   (unless the read's `output` names them).
//! - A record the stack has checked to be null (`precondition ($user == null)`) before returning it.
//! - Tables whose definition is not in the workspace (a single file alone says nothing about
//!   the table's columns), and endpoints of an `api_group` with `active = false`.
//! - A single field returned on purpose (`response = {key: $row.api_key}`): that is a choice, not
//!   a whole record.

use crate::analysis::exposure::{Analyzer, ExposedRead, OriginKind, list_names, list_some};
use crate::semantics::endpoint;
use crate::workspace::sensitivity::DataKind;

use super::context::{Context, Diagnostic};
use super::output_fix::output_fix;
use crate::finding::Severity;

use super::rule::Rule;

pub const CODE: &str = "XS202";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "response-exposes-record",
    severity: Severity::Warning,
    cwe: Some("CWE-200"),
    summary: "A response returns whole records of a table that has sensitive fields.",
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
        if ctx.ws.in_inactive_group(endpoint) {
            continue;
        }
        let analysis = analyzer.response(ctx.file, endpoint);
        let label = endpoint::label(endpoint);
        for read in analyzer.exposed_reads(&analysis, DataKind::Sensitive) {
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
            let them = if read.fields.len() > 1 { "them" } else { "it" };
            let advice = match origin.kind {
                OriginKind::Addon { .. } => {
                    format!("give the addon reference an `output` that leaves {them} out")
                }
                OriginKind::DirectQuery => format!("select the columns without {them}"),
                OriginKind::Read => format!("leave {them} out with `output`"),
            };
            let message = format!(
                "the response of `{label}` returns `{}` records from {source} with the sensitive field{plural} {some}",
                origin.table,
            );
            let help =
                format!("Whoever calls it receives {fields} of every record returned: {advice}");
            let mut d = Diagnostic::new(CODE, origin.head.clone(), message).with_help(help);
            if let Some(fix) = output_fix(ctx, origin, DataKind::Sensitive, &read.fields) {
                d = d.with_fix(fix);
            }
            d
        }
        Some(call) => {
            let message = format!(
                "through this call, the response of `{label}` returns `{}` records from {source} with the sensitive field{plural} {some}",
                origin.table,
            );
            let help = format!(
                "Whoever calls it receives {fields}: leave them out with an `output` on the read in the function, or drop them before the response"
            );
            Diagnostic::new(CODE, call.clone(), message)
                .with_help(help)
                .with_related(
                    &origin.path,
                    origin.head.clone(),
                    format!(
                        "`{}` records read here, without an `output` that leaves out {fields}",
                        origin.table
                    ),
                )
        }
    }
}
