//! ## What it does
//! Reports an outbound request (`api.request`, `stream.from_request`,
//! `ai.external.mcp.*`, `api.microservice`) whose URL lets a request-controlled value decide the
//! scheme, the host or the port: the whole URL comes from the request, or a request value is
//! placed before the first `/` that follows `scheme://host`. Variables and text filters
//! (`|concat`, `|sprintf`, `|replace`, expression literals) are followed to see where each
//! value lands in the URL. Inside a function the rule looks at the inputs endpoints pass
//! request values to; a function checked on its own counts all its inputs.
//!
//! ## Why is this bad?
//! The server makes the request from inside the platform's network with its own credentials:
//! a caller can reach internal services and cloud metadata endpoints, scan ports, or receive
//! the headers and tokens the request carries on a host they own
//! (CWE-918: Server-Side Request Forgery; OWASP API7:2023 Server Side Request Forgery).
//!
//! ## Example
//! ```xs
//! query "links/preview" verb=GET {
//!   input {
//!     text url
//!   }
//!   stack {
//!     api.request {
//!       url = $input.url
//!       method = "GET"
//!     } as $page
//!   }
//!   response = $page.response.result
//! }
//! ```
//!
//! ## Fix
//! Keep the scheme and host literal and let the request choose only the path or query
//! (`"https://api.example.com/items/" ~ $input.id`), or check the value against an allow-list
//! before the request:
//! ```xs
//! precondition ($input.url|starts_with:"https://api.example.com/") {
//!   error_type = "inputerror"
//!   error = "URL not allowed"
//! }
//! ```
//! The fix inserts such a `precondition` before the request with the placeholder host
//! `REPLACE-ME.example.com`, to be replaced with the hosts the endpoint may call.
//!
//! ## Not flagged
//! A value appended after a literal `scheme://host/` prefix (path, `?query`, `#fragment`,
//! `|url_addarg`); a value appended to a base URL read from `$env` or the database (its host is
//! not the request's to choose); URLs read from the database; values coerced with `to_int` and
//! similar, or picked from a literal map (`{eu: "https://eu.example.com"}|get:$input.region`);
//! a value checked against literals before the request (`precondition` with `in [...]`, `==`
//! or `|starts_with:"https://host/"`, a conditional branch or `switch` on it, or a branch that
//! throws for other values); `api.call`, whose target is an endpoint of the workspace named by
//! a literal path; disabled statements; functions that only tasks or triggers call (workspace
//! mode). Checks that do not pin a host (`!= ""`, `|starts_with:"https://"`) do not count.

use crate::analysis::injection::{self, Hit, How, InputOrigin, Piece, Purpose, Stack};
use crate::finding::{Fix, Severity};
use crate::fix::line_end;
use crate::model::{Attribute, Span, Statement};

use super::context::{Context, Diagnostic};
use super::edits;
use super::rule::Rule;

pub const CODE: &str = "XS402";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "ssrf",
    severity: Severity::Warning,
    cwe: Some("CWE-918"),
    summary: "An outbound request's scheme, host or port comes from the request.",
    fixable: true,
    safe_fixes: false,
    check: Some(check),
};

/// Reported by XS003 until the user writes the real hosts.
use crate::fix::placeholders::HOST as PLACEHOLDER_HOST;

/// The URL attribute of an outbound request, and whether it holds only a host.
fn url_of(s: &Statement) -> Option<(&Attribute, bool)> {
    match s.name.value.as_str() {
        "api.request"
        | "stream.from_request"
        | "ai.external.mcp.tool.list"
        | "ai.external.mcp.tool.run"
        | "ai.external.mcp.server_details" => s.attribute("url").map(|a| (a, false)),
        "api.microservice" => s.attribute("host").map(|a| (a, true)),
        _ => None,
    }
}

fn is_sink(s: &Statement) -> bool {
    matches!(
        s.name.value.as_str(),
        "api.request"
            | "stream.from_request"
            | "ai.external.mcp.tool.list"
            | "ai.external.mcp.tool.run"
            | "ai.external.mcp.server_details"
            | "api.microservice"
    )
}

pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    let scopes = injection::scopes(ctx.ws, ctx.all_objects(), is_sink, |scope| {
        !findings(scope).is_empty()
    });
    let mut out = Vec::new();
    for (scope, origin) in &scopes {
        for found in findings(scope) {
            out.push(diagnostic(ctx, origin, found));
        }
    }
    out
}

/// Which part of the URL the request value decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Whole,
    Host,
    Port,
    SchemeOrHost,
}

struct Found<'a> {
    statement: &'a Statement,
    url: &'a Attribute,
    hit: Hit,
    part: Part,
    /// The value is the whole host: `"https://" ~ $host ~ "/path"`.
    whole_host: bool,
}

fn findings<'a>(scope: &Stack<'a>) -> Vec<Found<'a>> {
    let mut out = Vec::new();
    for s in scope.statements.iter().copied() {
        let Some((url, host_only)) = url_of(s) else {
            continue;
        };
        let alts = scope.pieces(&url.value, s.span.start, Purpose::Url);
        for mut alt in alts {
            if host_only {
                alt.insert(0, Piece::Lit("scheme://".into(), None));
            }
            let Some((i, hit)) = alt.iter().enumerate().find_map(|(i, p)| match p {
                Piece::Tainted(h) => Some((i, h.clone())),
                _ => None,
            }) else {
                continue;
            };
            let Some(part) = decided_part(&alt[..i]) else {
                continue;
            };
            if scope.allow_listed(s, &hit) {
                continue;
            }
            let not_empty = |p: &&Piece| !matches!(p, Piece::Lit(t, _) if t.is_empty());
            let after_scheme = matches!(
                alt[..i].iter().rev().find(not_empty),
                Some(Piece::Lit(t, _)) if t.ends_with("://")
            );
            let ends_host = match alt[i + 1..].iter().find(not_empty) {
                None => true,
                Some(Piece::Lit(t, _)) => t.starts_with(['/', ':', '?', '#']),
                Some(_) => false,
            };
            out.push(Found {
                statement: s,
                url,
                hit,
                part,
                whole_host: part == Part::Host && after_scheme && ends_host,
            });
            break;
        }
    }
    out
}

/// What a value placed after `prefix` decides, or `None` when the host is already fixed.
fn decided_part(prefix: &[Piece]) -> Option<Part> {
    const OPAQUE: char = '\u{1}';
    let mut text = String::new();
    for p in prefix {
        match p {
            Piece::Lit(t, _) => text.push_str(t),
            Piece::Opaque | Piece::Tainted(_) => text.push(OPAQUE),
        }
    }
    if text.is_empty() {
        return Some(Part::Whole);
    }
    // A base URL from `$env` or the database: its host is configuration, not the caller's.
    if text.starts_with(OPAQUE) {
        return None;
    }
    let authority = if let Some(i) = text.find("://") {
        &text[i + 3..]
    } else if let Some(rest) = text.strip_prefix("//") {
        rest
    } else if text.starts_with('/') || text.contains(['?', '#']) {
        // A relative path, or a query string: the host is not in play.
        return None;
    } else {
        return Some(Part::SchemeOrHost);
    };
    if authority.contains(['/', '?', '#']) {
        return None;
    }
    let host_part = authority.rsplit('@').next().unwrap_or(authority);
    if host_part.contains(':') && !host_part.starts_with('[') {
        Some(Part::Port)
    } else {
        Some(Part::Host)
    }
}

fn diagnostic(ctx: &Context, origin: &InputOrigin, found: Found) -> Diagnostic {
    let statement = &found.statement.name.value;
    let hit = &found.hit;
    let source = &hit.taint.source;
    let via = match hit.via.first() {
        Some((name, _)) => format!(" (through `${name}`)"),
        None => String::new(),
    };
    let how = match &hit.how {
        How::Whole | How::Concat => String::new(),
        How::Template => ", printed by a `{{ }}` template".to_string(),
        other => format!(", {}", other.phrase()),
    };
    let what = match found.part {
        Part::Whole => format!("sends its request to a URL taken from {source}{via}{how}"),
        Part::Host => format!("lets {source} decide the host of its URL{via}{how}"),
        Part::Port => format!("lets {source} decide the host and port of its URL{via}{how}"),
        Part::SchemeOrHost => {
            format!("lets {source} decide the scheme or host of its URL{via}{how}")
        }
    };
    let note = injection::origin_note(origin);
    let message = format!("`{statement}` {what} (SSRF)");
    let help = format!(
        "A caller can make the server call internal addresses or hosts they own{note}: build the URL from a fixed host, or check the value against an allow-list first"
    );
    let range = first_line(ctx, &found.url.span);
    let mut d = Diagnostic::new(CODE, range, message).with_help(help);
    d = super::context::related_of(d, &ctx.file.path, Some(hit), origin);
    let inside = found.url.span.start <= hit.at.start && hit.at.end <= found.url.span.end;
    if !inside && hit.via.is_empty() {
        d = d.with_related(
            &ctx.file.path,
            hit.at.clone(),
            format!("{source} enters the URL here"),
        );
    }
    if let Some(fix) = allow_list_fix(ctx, &found) {
        d = d.with_fix(fix);
    }
    d
}

fn first_line(ctx: &Context, span: &Span) -> Span {
    let end = line_end(ctx.text(), span.start).min(span.end);
    span.start..end.max(span.start)
}

/// Inserts `precondition (<value> in ["REPLACE-ME.example.com"])` (or a `starts_with` test
/// for a whole URL) before the request.
fn allow_list_fix(ctx: &Context, found: &Found) -> Option<Fix> {
    let hit = &found.hit;
    if !hit.exact || hit.leaf.is_none() {
        return None;
    }
    let text = ctx.text();
    let value = text.get(hit.at.clone())?;
    if value.contains(['\n', '\r']) {
        return None;
    }
    let condition = match found.part {
        Part::Whole => format!("{value}|starts_with:\"https://{PLACEHOLDER_HOST}/\""),
        Part::Host if found.whole_host => format!("{value} in [\"{PLACEHOLDER_HOST}\"]"),
        _ => return None,
    };
    let unit = ctx.indent_unit();
    let lines = vec![
        format!("precondition ({condition}) {{"),
        format!("{unit}error_type = \"inputerror\""),
        format!("{unit}error = \"Host not allowed\""),
        "}".to_string(),
        String::new(),
    ];
    Some(Fix {
        applicability: crate::finding::Applicability::Unsafe,
        title: format!(
            "Insert an allow-list `precondition` on `{value}` before the request (replace the placeholder `{PLACEHOLDER_HOST}`)"
        ),
        edits: vec![edits::before_statement(ctx, found.statement, &lines)],
    })
}
