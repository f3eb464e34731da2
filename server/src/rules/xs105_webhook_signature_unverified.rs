//! ## What it does
//! Reports a webhook endpoint that uses its payload before verifying who sent it. An endpoint
//! without `auth` is taken for a webhook receiver when a word of its path or of its api group
//! is `webhook`, `hook` or `callback` (whole snake, kebab or camelCase words, plural too, and
//! compounds such as `stripeWebhook`), or when it reads a signature header
//! (`stripe-signature`, `x-hub-signature-256`, `x-shopify-hmac-sha256`, any header whose name
//! has the word `signature`, `sig` or `hmac`). The payload is `$input`, the raw request body
//! (`util.get_raw_input`) and the query string, and values taken from them (also records read
//! with them); it is used when it reaches a database write, an outbound request, an email, a
//! Redis write, an auth token, or a function that is not in the workspace. Functions run by the
//! endpoint are followed, for uses and for verification alike. The message names the first
//! unverified use (related location) and, when there is one, the check that comes too late or
//! does not guard it.
//!
//! A verification is, in the endpoint, a function it runs (at any depth) or its middleware:
//! - an `hmac_*` filter result compared (`==`, `!=`, `|equals`, `|in`, `|contains`) with a
//!   request value (a header, an input, a part of the body) in a `precondition`, in a
//!   condition whose branch throws or returns, or in the condition of the branch that uses the
//!   payload; also through a variable holding the comparison or a function returning it;
//! - `security.jws_decode` / `jwe_decode` (statement or filter), an `api.lambda` that computes
//!   an HMAC and throws on mismatch;
//! - a keyed hash: `md5`/`sha*` of a value that includes an `$env` secret (PayFast's scheme);
//! - a shared secret: a request value compared with an `$env` secret or a secret column
//!   (`$input.token == $env.WEBHOOK_TOKEN`), or a record looked up by a secret token from the
//!   request that must exist. A static token is weaker than a signature (it does not protect
//!   the body and can be replayed) but it does authenticate the sender, so it is accepted;
//! - an allow-list of the provider's addresses (`$env.$remote_ip|in:[...]`), for providers
//!   that do not sign (M-Pesa).
//!
//! The verification must run before the use and guard it: a check placed after the payload is
//! written, in another branch, or only when the signature header is present does not count.
//!
//! ## Why is this bad?
//! A webhook URL is public and guessable; without a signature check anyone can post forged
//! events: mark orders paid, upgrade subscriptions, create or delete records in the name of the
//! provider (CWE-345: Insufficient Verification of Data Authenticity; OWASP API8:2023 Security
//! Misconfiguration and API10:2023 Unsafe Consumption of APIs).
//!
//! ## Example
//! ```xs
//! query "stripe/webhook" verb=POST {
//!   api_group = "billing"
//!   input {
//!     json data
//!     text type
//!   }
//!   stack {
//!     conditional {
//!       if ($input.type == "checkout.session.completed") {
//!         db.edit order {
//!           field_name = "id"
//!           field_value = $input.data.object.metadata.order_id
//!           data = {status: "paid"}
//!         } as $order
//!       }
//!     }
//!   }
//!   response = {received: true}
//! }
//! ```
//!
//! ## Fix
//! Compute the HMAC of the raw body with the provider's signing secret and compare it with the
//! signature header before anything else (Stripe signs `"<t>.<raw body>"` and sends
//! `t=...,v1=...` in `Stripe-Signature`):
//! ```xs
//!     util.get_raw_input {
//!       encoding = "raw"
//!     } as $raw
//!     var $header {
//!       value = $env.$http_headers|get:"stripe-signature":""
//!     }
//!     var $parts {
//!       value = $header|split:","
//!     }
//!     var $timestamp {
//!       value = $parts|first|replace:"t=":""
//!     }
//!     var $expected {
//!       value = "v1="|concat:(($timestamp ~ "." ~ $raw)|hmac_sha256:$env.STRIPE_WEBHOOK_SECRET:false):""
//!     }
//!     precondition ($expected|in:$parts) {
//!       error_type = "accessdenied"
//!       error = "Invalid signature"
//!     }
//! ```
//! Also reject old timestamps to stop replays. No automatic fix: the header, the signed
//! message and the secret depend on the provider.
//!
//! ## Not flagged
//! - Endpoints with `auth` (the caller is a user, not a provider), and endpoints of an
//!   `api_group` with `active = false`.
//! - OAuth redirect callbacks: an endpoint matched only by `callback` whose path or group has
//!   an OAuth word (`oauth`, `auth`, `login`, `sso`, `openid`...) or that takes a `code`,
//!   `state` or `oauth_verifier` input. They are protected by `state` and the code exchange,
//!   not by a signature.
//! - Endpoints that send or manage webhooks rather than receive them: path words such as
//!   `send`, `trigger`, `test`, `dispatch`, `register`, `subscribe`, `settings`, `list`,
//!   edits of one item (`PATCH webhook/{id}`), generated CRUD of a `webhook` table, and
//!   requests to a webhook URL (`$env.SLACK_WEBHOOK_URL`, `https://hooks.slack.com/...`),
//!   which send a webhook rather than use a received one.
//! - Endpoints that use nothing of the payload (a verification handshake that echoes a
//!   challenge, a bare acknowledgement), and payload ids that are only used to fetch the real
//!   object back from the provider's API with the endpoint's own credentials (an `api.request`
//!   GET to a literal host carrying an `$env` secret or an `Authorization` header): the data
//!   then comes from the provider, not from the request. Other GET requests to a literal host
//!   read rather than use; what they return is followed.
//! - Words that merely contain `hook` (`hookah`) and a function outside the workspace that is
//!   given the signature header or named like a verifier (`verify_signature`): it may verify.
//! - Disabled (`!`) statements and filters, which neither use nor verify.

use std::borrow::Cow;
use std::collections::HashSet;

use crate::analysis::access::{
    DefSource, Endpoint, Placed, Scope, VerificationKind, comparisons, derived_vars, expr_mentions,
    is_authenticated, is_ghost_shape, is_token_column, response_roots, var_name,
};
use crate::model::{Argument, BinaryOp, Expr, ExprKind, Object, Segment, Span, Statement};
use crate::semantics::endpoint::{self, describe, header_span, path, verb};
use crate::semantics::names::snake_words;
use crate::semantics::statements::{Db, decodes_token, is_external_db, reads_raw_request};
use crate::workspace::calls::is_call;

use crate::finding::Severity;

use super::rule::Rule;
use crate::rules::context::{Context, Diagnostic};

pub const CODE: &str = "XS105";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "webhook-signature-unverified",
    severity: Severity::Warning,
    cwe: Some("CWE-345"),
    summary: "A webhook endpoint uses its payload without verifying the sender's signature.",
    fixable: false,
    safe_fixes: false,
    check: Some(check),
};

/// Words of a path or api group that name a webhook receiver.
const HOOK_WORDS: &[&str] = &[
    "webhook",
    "webhooks",
    "hook",
    "hooks",
    "callback",
    "callbacks",
];

/// Words of an OAuth redirect callback.
const OAUTH_WORDS: &[&str] = &[
    "oauth",
    "oauth2",
    "auth",
    "authorize",
    "authorization",
    "openid",
    "oidc",
    "sso",
    "saml",
    "login",
    "signin",
    "social",
];

/// Inputs of an OAuth redirect callback.
const OAUTH_INPUTS: &[&str] = &["code", "state", "oauth_token", "oauth_verifier", "id_token"];

/// Path words of endpoints that send, test or manage webhooks instead of receiving them.
const NOT_RECEIVER_WORDS: &[&str] = &[
    "send",
    "trigger",
    "test",
    "fire",
    "dispatch",
    "emit",
    "outgoing",
    "outbound",
    "register",
    "subscribe",
    "unsubscribe",
    "setup",
    "settings",
    "config",
    "configure",
    "list",
    "manage",
];

/// Statements that act on data other than database writes.
const OTHER_SINKS: &[&str] = &[
    "api.request",
    "stream.from_request",
    "util.send_email",
    "security.create_auth_token",
    "redis.set",
    "redis.push",
    "redis.unshift",
];

pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    ctx.endpoints()
        .filter_map(|e| check_endpoint(ctx, e))
        .collect()
}

/// Why the endpoint is taken for a webhook receiver.
enum Why {
    PathWord(String),
    GroupWord(String, String),
    Header(String),
}

impl Why {
    fn phrase(&self) -> String {
        match self {
            Why::PathWord(w) => format!("its path has the word `{w}`"),
            Why::GroupWord(g, _) => format!("its api group is `{g}`"),
            Why::Header(h) => format!("it reads the `{h}` header"),
        }
    }

    /// What the endpoint receives.
    fn noun(&self) -> &'static str {
        match self {
            Why::PathWord(w) | Why::GroupWord(_, w) if is_callback_word(w) => "callbacks",
            _ => "webhooks",
        }
    }
}

fn check_endpoint(ctx: &Context, endpoint: &Object) -> Option<Diagnostic> {
    let ws = ctx.ws;
    if is_authenticated(ws, endpoint) || ws.in_inactive_group(endpoint) {
        return None;
    }
    let ep = ctx.endpoint(endpoint);
    let headers = signature_headers(&ep);
    let why = match headers.first() {
        Some(h) => Why::Header(h.clone()),
        None => {
            let why = hook_word(endpoint)?;
            if !receives(&ep, &why) {
                return None;
            }
            why
        }
    };
    let verification = ep.verification();
    if verification
        .as_ref()
        .is_some_and(|v| v.middleware.is_some())
    {
        return None;
    }
    let facts = scope_facts(&ep);
    let mut checks = checks(&ep, &facts);
    if let Some(v) = &verification
        && let Some(stmt) = v.stmt.filter(|_| v.kind != VerificationKind::Hmac)
        && let Some(p) = ep.scopes[v.scope]
            .statements
            .iter()
            .find(|p| std::ptr::eq(p.stmt, stmt))
    {
        checks.push(Check {
            scope: v.scope,
            index: p.index,
        });
    }
    let guard_checks = verifying_guards(&ep, &facts);
    let mut uses = uses(&ep, &facts);
    uses.sort_by_key(|u| ep.scopes[u.scope].position(u.index));
    let mut found = None;
    for u in uses {
        if let Err((late, elsewhere)) = verified(&ep, &checks, &guard_checks, &u) {
            found = Some((u, late, elsewhere));
            break;
        }
    }
    let (unverified, late, elsewhere) = found?;
    let refetched = facts.iter().any(|f| !f.refetches.is_empty());
    Some(report(
        ctx,
        &ep,
        Report {
            why,
            headers,
            u: unverified,
            late,
            elsewhere,
            refetched,
        },
    ))
}

/// Whether a use is verified; if not, a check that runs after it and one that does not guard it.
fn verified<'c>(
    ep: &Endpoint,
    checks: &'c [Check],
    guard_checks: &[&Expr],
    u: &Use,
) -> Result<(), (Option<&'c Check>, Option<&'c Check>)> {
    let pos = ep.scopes[u.scope].position(u.index);
    let guards = ep.guards_of(u.scope, u.index);
    if guards
        .iter()
        .any(|g| guard_checks.iter().any(|c| std::ptr::eq(*c, *g)))
    {
        return Ok(());
    }
    let mut late = None;
    let mut elsewhere = None;
    for c in checks {
        let cpos = ep.scopes[c.scope].position(c.index);
        let cguards = ep.guards_of(c.scope, c.index);
        let covers = cguards
            .iter()
            .all(|g| guards.iter().any(|h| std::ptr::eq(*g, *h)));
        if cpos < pos && covers {
            return Ok(());
        }
        if cpos > pos && covers {
            late.get_or_insert(c);
        } else {
            elsewhere.get_or_insert(c);
        }
    }
    Err((late, elsewhere))
}

/// The word of the path or api group that names a webhook receiver.
fn hook_word(endpoint: &Object) -> Option<Why> {
    let hooky = |w: &str| HOOK_WORDS.contains(&w) || w.contains("webhook");
    let words = path_words_all(path(endpoint));
    if let Some(w) = words.iter().find(|w| hooky(w)) {
        return Some(Why::PathWord(w.clone()));
    }
    let group = endpoint::api_group(endpoint)?;
    snake_words(group)
        .into_iter()
        .find(|w| hooky(w))
        .map(|w| Why::GroupWord(group.to_string(), w))
}

fn path_words_all(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|seg| !seg.starts_with('{'))
        .flat_map(snake_words)
        .collect()
}

fn is_callback_word(w: &str) -> bool {
    matches!(w, "callback" | "callbacks")
}

/// Whether an endpoint named like a webhook receives one: not an OAuth redirect callback, not
/// an endpoint that sends, tests or manages webhooks.
fn receives(ep: &Endpoint, why: &Why) -> bool {
    let endpoint = ep.object;
    let words = path_words_all(path(endpoint));
    let group_words: Vec<String> = endpoint::api_group(endpoint)
        .map(snake_words)
        .unwrap_or_default();
    let word = match why {
        Why::PathWord(w) | Why::GroupWord(_, w) => w.as_str(),
        Why::Header(_) => return true,
    };
    let only_callback = is_callback_word(word)
        && !words.iter().chain(group_words.iter()).any(|w| {
            (HOOK_WORDS.contains(&w.as_str()) && !is_callback_word(w)) || w.contains("webhook")
        });
    if only_callback && is_oauth_callback(endpoint, &words, &group_words) {
        return false;
    }
    if words
        .iter()
        .any(|w| NOT_RECEIVER_WORDS.contains(&w.as_str()))
    {
        return false;
    }
    let verb = verb(endpoint);
    let p = path(endpoint);
    if matches!(verb.as_str(), "PATCH" | "PUT" | "DELETE") && p.contains('{') {
        // Editing one configured webhook.
        return false;
    }
    // Generated CRUD of a webhook table.
    !ep.data_ops()
        .iter()
        .filter_map(|op| op.table.as_deref())
        .any(|t| is_ghost_shape(p, &verb, t))
}

fn is_oauth_callback(endpoint: &Object, words: &[String], group_words: &[String]) -> bool {
    if words
        .iter()
        .chain(group_words.iter())
        .any(|w| OAUTH_WORDS.contains(&w.as_str()))
    {
        return true;
    }
    endpoint.fields("input").is_some_and(|l| {
        l.fields.iter().any(|f| {
            f.name
                .as_ref()
                .is_some_and(|n| OAUTH_INPUTS.contains(&n.value.to_ascii_lowercase().as_str()))
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Signature headers.
// ---------------------------------------------------------------------------------------------

fn is_signature_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower == "verif-hash" {
        return true;
    }
    if lower.contains(' ') || lower.len() > 64 {
        return false;
    }
    snake_words(&lower)
        .iter()
        .any(|w| matches!(w.as_str(), "signature" | "sig" | "hmac"))
}

fn is_headers_root(v: &crate::model::VarPath) -> bool {
    v.root == "env" && v.first_field() == Some("$http_headers")
}

/// The signature headers the endpoint's stacks read, in order, as written.
fn signature_headers(ep: &Endpoint) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |name: &str| {
        if is_signature_header(name) && !out.iter().any(|o| o.eq_ignore_ascii_case(name)) {
            out.push(name.to_string());
        }
    };
    for scope in &ep.scopes {
        // Variables holding the whole header map.
        let header_vars = derived_vars(&scope.defs, &|e| match &e.kind {
            ExprKind::Var(v) => is_headers_root(v) && v.segments.len() == 1,
            _ => false,
        });
        let is_map = |e: &Expr| match &e.kind {
            ExprKind::Var(v) => {
                (is_headers_root(v) && v.segments.len() == 1)
                    || (v.segments.is_empty() || (v.root == "var" && v.segments.len() == 1))
                        && var_name(v).is_some_and(|n| header_vars.contains(n))
            }
            _ => false,
        };
        let mut reads_headers = false;
        let mut literals: Vec<&str> = Vec::new();
        for p in &scope.statements {
            for e in statement_exprs(p.stmt) {
                for d in e.walk() {
                    match &d.kind {
                        ExprKind::Var(v) => {
                            let key_at = if is_headers_root(v) {
                                reads_headers = true;
                                Some(1)
                            } else if var_name(v).is_some_and(|n| header_vars.contains(n)) {
                                Some(usize::from(v.root == "var"))
                            } else {
                                None
                            };
                            if let Some(k) = key_at.and_then(|k| v.segments.get(k)) {
                                match k {
                                    Segment::Field(f) => push(f),
                                    Segment::Index(i) => {
                                        if let Some(s) = i.string_value() {
                                            push(s)
                                        }
                                    }
                                }
                            }
                        }
                        ExprKind::Filtered { value, filters } if is_map(value) => {
                            if let Some(f) = filters.iter().find(|f| !f.disabled)
                                && matches!(f.name.value.as_str(), "get" | "has")
                                && let Some(s) = f.arguments.first().and_then(|a| a.string_value())
                            {
                                push(s);
                            }
                        }
                        ExprKind::ExpressionLiteral(t) if t.contains("$http_headers") => {
                            reads_headers = true;
                        }
                        ExprKind::String(s) => literals.push(s),
                        _ => {}
                    }
                }
            }
        }
        // Header names written elsewhere (a list of names, a lambda) once headers are read.
        if reads_headers {
            for s in literals {
                push(s);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Per-scope facts: payload values, HMAC values, verdicts.
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct Facts {
    /// Variables holding the payload or values taken from it.
    payload: HashSet<String>,
    /// Payload paths (`event` + `[id]`) only used to fetch the object back from the provider.
    vouched: Vec<(String, Vec<String>)>,
    /// Statement indices of authenticated fetches back from the provider.
    refetches: HashSet<usize>,
    /// Variables holding an HMAC.
    hmac: HashSet<String>,
    /// Variables holding an `$env` secret.
    secret: HashSet<String>,
    /// Variables holding the verdict of a verification (a function or lambda result).
    verdicts: HashSet<String>,
    returns_hmac: bool,
    returns_verdict: bool,
}

fn scope_facts(ep: &Endpoint) -> Vec<Facts> {
    let mut all: Vec<Facts> = (0..ep.scopes.len()).map(|_| Facts::default()).collect();
    // Callees come after their callers: compute them first.
    for i in (0..ep.scopes.len()).rev() {
        let scope = &ep.scopes[i];
        let mut f = Facts::default();
        // Payload, before and after discounting the fetches back from the provider.
        let raw = payload_vars(scope, &f);
        let secret = derived_vars(&scope.defs, &is_env_secret);
        for p in &scope.statements {
            if let Some(vouched) = refetch(scope, p.stmt, &raw, &secret) {
                f.refetches.insert(p.index);
                f.vouched.extend(vouched);
            }
        }
        f.payload = payload_vars(scope, &f);
        f.secret = secret;
        // Call results: HMACs and verdicts computed by callees.
        let mut hmac_seeds: HashSet<String> = HashSet::new();
        for (j, child) in ep.scopes.iter().enumerate() {
            let Some((parent, call)) = child.parent else {
                continue;
            };
            if parent != i {
                continue;
            }
            if let Some(alias) = call.alias_name() {
                if all[j].returns_hmac {
                    hmac_seeds.insert(alias.to_string());
                }
                if all[j].returns_verdict {
                    f.verdicts.insert(alias.to_string());
                }
            }
        }
        for p in &scope.statements {
            if p.stmt.name.value == "api.lambda"
                && let (Some(alias), Some(code)) = (p.stmt.alias_name(), lambda_code(p.stmt))
                && computes_hmac(code)
            {
                hmac_seeds.insert(alias.to_string());
                if compares(code) {
                    f.verdicts.insert(alias.to_string());
                }
            }
        }
        let seed = |e: &Expr| {
            is_hmac_expr(e)
                || matches!(&e.kind, ExprKind::Var(v) if var_name(v).is_some_and(|n| hmac_seeds.contains(n)))
        };
        f.hmac = derived_vars(&scope.defs, &seed);
        f.hmac.extend(hmac_seeds);
        let verdict_seed = |e: &Expr| matches!(&e.kind, ExprKind::Var(v) if var_name(v).is_some_and(|n| f.verdicts.contains(n)));
        let derived_verdicts = derived_vars(&scope.defs, &verdict_seed);
        f.verdicts.extend(derived_verdicts);
        if scope.parent.is_some() {
            let roots = response_roots(scope.object, &scope.statements);
            f.returns_hmac = roots.iter().any(|r| is_hmac(&f, r));
            f.returns_verdict = scope
                .with_definitions(roots)
                .into_iter()
                .any(|e| verifies(scope, &f, e));
        }
        all[i] = f;
    }
    all
}

/// An HMAC, or a hash of a value that includes an `$env` secret (a keyed hash, as PayFast
/// signs).
fn is_hmac_expr(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Filtered { filters, .. } => filters.iter().any(|f| {
            !f.disabled
                && (f.name.value.starts_with("hmac_")
                    || (matches!(
                        f.name.value.as_str(),
                        "md5" | "sha1" | "sha256" | "sha384" | "sha512"
                    ) && e.walk().any(is_env_secret)))
        }),
        ExprKind::ExpressionLiteral(t) => t.contains("|hmac_"),
        _ => false,
    }
}

fn is_hmac(f: &Facts, e: &Expr) -> bool {
    expr_mentions(e, &f.hmac, &is_hmac_expr)
}

fn is_env_secret(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Var(v) => v.root == "env" && v.first_field().is_some_and(|f| !f.starts_with('$')),
        ExprKind::ExpressionLiteral(t) => t.contains("$env.") && !t.contains("$env.$"),
        _ => false,
    }
}

fn lambda_code(s: &Statement) -> Option<&str> {
    s.attribute("code").and_then(|a| a.value.string_value())
}

fn computes_hmac(code: &str) -> bool {
    let lower = code.to_ascii_lowercase();
    lower.contains("createhmac") || lower.contains("hmac")
}

fn compares(code: &str) -> bool {
    code.contains("==") || code.contains("!=") || code.contains("timingSafeEqual")
}

/// The expressions of a statement itself: arguments and the attributes of its body (nested
/// statements are placed on their own).
fn statement_exprs(s: &Statement) -> Vec<&Expr> {
    let mut out = Vec::new();
    for a in &s.arguments {
        match a {
            Argument::Expr(e) => out.push(e),
            Argument::Attribute(attr) => out.push(&attr.value),
            Argument::Name(_) | Argument::String(_) => {}
        }
    }
    if let Some(body) = &s.body {
        out.extend(body.attributes().map(|a| &a.value));
    }
    out.extend(s.alias_filters.iter().flat_map(|f| f.arguments.iter()));
    out
}

/// The names of the variables a piece of verbatim text mentions (`$x`, `$var.x`).
fn text_refs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        rest = &rest[at + 1..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name == "var" {
            let after = &rest[3..];
            if let Some(field) = after.strip_prefix('.') {
                let f: String = field
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push(f);
                continue;
            }
        }
        if !name.is_empty() {
            out.push(name);
        }
    }
    out
}

/// Whether a variable path is one of the vouched paths.
fn is_vouched(f: &Facts, v: &crate::model::VarPath) -> bool {
    let Some(name) = var_name(v).or(if v.root == "input" {
        Some("input")
    } else {
        None
    }) else {
        return false;
    };
    let skip = usize::from(v.root == "var");
    let fields: Vec<&str> = v
        .segments
        .iter()
        .skip(skip)
        .map_while(|s| match s {
            Segment::Field(f) => Some(f.as_str()),
            Segment::Index(i) => i.string_value(),
        })
        .collect();
    f.vouched.iter().any(|(n, path)| {
        n == name && path.len() <= fields.len() && path.iter().zip(&fields).all(|(a, b)| a == b)
    })
}

/// The payload expression an expression mentions, if any (the first, in source order).
fn payload_in<'e>(scope: &Scope, f: &Facts, e: &'e Expr) -> Option<&'e Expr> {
    e.walk().find(|d| match &d.kind {
        ExprKind::Var(v) => {
            if is_vouched(f, v) {
                return false;
            }
            match v.root.as_str() {
                "input" => scope.flow.taint(d).is_some(),
                "env" => v.first_field() == Some("$request_querystring"),
                _ => var_name(v).is_some_and(|n| f.payload.contains(n)),
            }
        }
        ExprKind::ExpressionLiteral(t) => {
            (t.contains("$input") && scope.flow.taint(d).is_some())
                || text_refs(t).iter().any(|n| f.payload.contains(n))
        }
        _ => false,
    })
}

/// The variables of a scope holding the payload (given the facts' vouched paths and fetches).
fn payload_vars(scope: &Scope, f: &Facts) -> HashSet<String> {
    let mut current = Facts {
        vouched: f.vouched.clone(),
        ..Facts::default()
    };
    let vouched_whole: HashSet<&str> = f
        .vouched
        .iter()
        .filter(|(_, p)| p.is_empty())
        .map(|(n, _)| n.as_str())
        .collect();
    for p in &scope.statements {
        if reads_raw_request(&p.stmt.name.value)
            && let Some(alias) = p.stmt.alias_name()
        {
            current.payload.insert(alias.to_string());
        }
    }
    for _ in 0..64 {
        let before = current.payload.len();
        for (name, defs) in &scope.defs.map {
            if current.payload.contains(name) || vouched_whole.contains(name.as_str()) {
                continue;
            }
            let hit = defs.iter().any(|d| {
                !f.refetches.contains(&d.index)
                    && match &d.source {
                        DefSource::Expr(e) => payload_in(scope, &current, e).is_some(),
                        DefSource::Text(t) => {
                            t.contains("$input")
                                || text_refs(t).iter().any(|n| current.payload.contains(n))
                        }
                    }
            });
            if hit {
                current.payload.insert(name.clone());
            }
        }
        // Records chosen by the payload.
        for (name, read) in &scope.defs.reads {
            if current.payload.contains(name) || vouched_whole.contains(name.as_str()) {
                continue;
            }
            if statement_exprs(read)
                .iter()
                .any(|e| payload_in(scope, &current, e).is_some())
            {
                current.payload.insert(name.clone());
            }
        }
        if current.payload.len() == before {
            break;
        }
    }
    current.payload
}

/// An authenticated fetch of a payload id back from the provider: a GET to a literal host
/// carrying an `$env` secret or an `Authorization` header. Gives the payload paths it uses.
fn refetch(
    scope: &Scope,
    s: &Statement,
    payload: &HashSet<String>,
    secret: &HashSet<String>,
) -> Option<Vec<(String, Vec<String>)>> {
    if !matches!(s.name.value.as_str(), "api.request" | "stream.from_request") {
        return None;
    }
    if !fixed_get(s) {
        return None;
    }
    let url = &s.attribute("url")?.value;
    let authenticated = statement_exprs(s).iter().any(|e| {
        expr_mentions(e, secret, &is_env_secret)
            || e.walk().any(|d| {
                d.string_value().is_some_and(|t| {
                    let l = t.to_ascii_lowercase();
                    l.contains("authorization") || l.contains("bearer ")
                })
            })
    });
    if !authenticated {
        return None;
    }
    let facts = Facts {
        payload: payload.clone(),
        ..Facts::default()
    };
    let mut vouched = Vec::new();
    let mut parts = vec![url];
    parts.extend(s.attribute("params").map(|a| &a.value));
    for part in parts {
        for d in part.walk() {
            let ExprKind::Var(v) = &d.kind else { continue };
            if payload_in(scope, &facts, d).is_none_or(|p| !std::ptr::eq(p, d)) {
                continue;
            }
            let (name, skip) = match var_name(v) {
                Some(n) => (n.to_string(), usize::from(v.root == "var")),
                None if v.root == "input" => ("input".to_string(), 0),
                None => continue,
            };
            let fields: Vec<String> = v
                .segments
                .iter()
                .skip(skip)
                .map_while(|s| match s {
                    Segment::Field(f) => Some(f.clone()),
                    Segment::Index(i) => i.string_value().map(str::to_string),
                })
                .collect();
            if name == "input" && fields.is_empty() {
                continue;
            }
            vouched.push((name, fields));
        }
    }
    (!vouched.is_empty()).then_some(vouched)
}

/// A GET request (the default method) to a fixed host.
fn fixed_get(s: &Statement) -> bool {
    let method = s
        .attribute("method")
        .and_then(|a| a.value.string_value())
        .unwrap_or("GET");
    method.eq_ignore_ascii_case("GET") && s.attribute("url").is_some_and(|u| fixed_host(&u.value))
}

/// Whether a URL's scheme and host are fixed: a literal `scheme://host/...` prefix, or a base
/// read from `$env`.
fn fixed_host(url: &Expr) -> bool {
    let mut e = url;
    loop {
        match &e.kind {
            ExprKind::String(s) => {
                let Some(rest) = s.split_once("://").map(|(_, r)| r) else {
                    return false;
                };
                return rest.find('/').is_some_and(|i| i > 0);
            }
            ExprKind::Binary {
                op: BinaryOp::Additive,
                left,
                ..
            } => e = left,
            ExprKind::Filtered { value, .. } => e = value,
            ExprKind::Var(_) => return is_env_secret(e),
            _ => return false,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Verification.
// ---------------------------------------------------------------------------------------------

/// A statement that verifies the sender, and stops the request when it fails.
struct Check {
    scope: usize,
    index: usize,
}

/// The two sides of each equality-like comparison in a condition: `==`, `!=`, `===`, `!==`,
/// `in`, and the `equals`, `not_equals`, `contains` and `in` filters.
fn equalities(cond: &Expr) -> Vec<(Cow<'_, Expr>, Cow<'_, Expr>)> {
    let mut out: Vec<_> = comparisons(cond)
        .into_iter()
        .map(|(left, right)| (Cow::Borrowed(left), Cow::Borrowed(right)))
        .collect();
    for d in cond.walk() {
        let ExprKind::Filtered { value, filters } = &d.kind else {
            continue;
        };
        for (k, f) in filters.iter().enumerate() {
            if f.disabled
                || !matches!(
                    f.name.value.as_str(),
                    "equals" | "not_equals" | "contains" | "in"
                )
            {
                continue;
            }
            let Some(arg) = f.arguments.first() else {
                continue;
            };
            let left = if k == 0 {
                Cow::Borrowed(value.as_ref())
            } else {
                Cow::Owned(Expr {
                    kind: ExprKind::Filtered {
                        value: value.clone(),
                        filters: filters[..k].to_vec(),
                    },
                    span: d.span.clone(),
                })
            };
            out.push((left, Cow::Borrowed(arg)));
        }
    }
    out
}

fn is_literal(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::String(_) | ExprKind::Number(_) | ExprKind::Bool(_) | ExprKind::Null
    )
}

/// Whether a value comes from the request (a header, an input, the body); in a function, any
/// of its inputs.
fn is_request(scope: &Scope, f: &Facts, e: &Expr) -> bool {
    scope.flow.taint(e).is_some()
        || payload_in(scope, f, e).is_some()
        || (scope.parent.is_some()
            && e.walk().any(|d| match &d.kind {
                ExprKind::Var(v) => v.root == "input",
                ExprKind::ExpressionLiteral(t) => t.contains("$input"),
                _ => false,
            }))
}

/// Whether a value is a secret of the server: an `$env` value, or a secret-named field of a
/// value that does not come from the request (`$integration.webhook_secret`).
fn is_secret(scope: &Scope, f: &Facts, e: &Expr) -> bool {
    if expr_mentions(e, &f.secret, &is_env_secret) {
        return true;
    }
    if scope.flow.taint(e).is_some() {
        return false;
    }
    e.walk().any(|d| match &d.kind {
        ExprKind::Var(v) => {
            var_name(v).is_some()
                && v.field_names()
                    .last()
                    .is_some_and(|n| is_token_column(n) || n.contains("secret"))
        }
        _ => false,
    })
}

/// Whether an expression compares an HMAC (or a secret) with a request value.
fn verifies(scope: &Scope, f: &Facts, e: &Expr) -> bool {
    equalities(e).into_iter().any(|(l, r)| {
        let (l, r) = (l.as_ref(), r.as_ref());
        // An allow-list of the provider's addresses.
        let ip_vs = |a: &Expr, b: &Expr| {
            is_remote_ip(scope, a)
                && !matches!(b.kind, ExprKind::Null)
                && !is_request(scope, f, b)
                && !is_remote_ip(scope, b)
        };
        if ip_vs(l, r) || ip_vs(r, l) {
            return true;
        }
        if is_literal(l) || is_literal(r) {
            return false;
        }
        let hmac_vs =
            |a: &Expr, b: &Expr| is_hmac(f, a) && !is_hmac(f, b) && is_request(scope, f, b);
        let secret_vs = |a: &Expr, b: &Expr| {
            is_secret(scope, f, a) && !is_request(scope, f, a) && is_request(scope, f, b)
        };
        hmac_vs(l, r) || hmac_vs(r, l) || secret_vs(l, r) || secret_vs(r, l)
    })
}

/// Whether a value is the caller's IP address.
fn is_remote_ip(scope: &Scope, e: &Expr) -> bool {
    let ip = |d: &Expr| matches!(&d.kind, ExprKind::Var(v) if v.root == "env" && v.first_field() == Some("$remote_ip"));
    let vars = derived_vars(&scope.defs, &ip);
    expr_mentions(e, &vars, &ip)
}

/// Whether a condition verifies the sender: a verifying comparison, itself or in the
/// definitions of the variables it tests, or a verdict returned by a function or a lambda.
fn condition_verifies<'a>(scope: &Scope<'a>, f: &Facts, cond: &'a Expr) -> bool {
    expr_mentions(cond, &f.verdicts, &|_| false)
        || scope
            .with_definitions(vec![cond])
            .into_iter()
            .any(|e| verifies(scope, f, e))
}

/// Whether a block stops the request.
fn stops(s: &Statement) -> bool {
    s.body.as_ref().is_some_and(|b| {
        b.walk_statements().iter().any(|s| {
            !s.disabled && matches!(s.name.value.as_str(), "throw" | "return" | "debug.stop")
        })
    })
}

/// The statements of every scope that verify the sender and stop the request on failure.
fn checks(ep: &Endpoint, facts: &[Facts]) -> Vec<Check> {
    let mut out = Vec::new();
    for (i, scope) in ep.scopes.iter().enumerate() {
        let f = &facts[i];
        let mut push = |index: usize| out.push(Check { scope: i, index });
        for (index, cond) in scope.gates() {
            if condition_verifies(scope, f, cond) {
                push(index);
            }
        }
        for p in &scope.statements {
            let s = p.stmt;
            let name = s.name.value.as_str();
            // `conditional { if (valid) { ... } else { throw } }`
            if name == "conditional"
                && let Some(body) = &s.body
            {
                let branches: Vec<&Statement> = body.statements().filter(|b| !b.disabled).collect();
                let else_stops = branches.iter().any(|b| b.name.value == "else" && stops(b));
                if else_stops
                    && let Some(cond) = branches
                        .iter()
                        .find(|b| b.name.value == "if")
                        .and_then(|b| b.first_expr())
                    && condition_verifies(scope, f, cond)
                {
                    push(p.index);
                }
            }
            if decodes_token(name) {
                push(p.index);
                continue;
            }
            if name == "api.lambda"
                && lambda_code(s).is_some_and(|c| computes_hmac(c) && c.contains("throw"))
            {
                push(p.index);
                continue;
            }
            if statement_exprs(s).iter().any(|e| {
                e.walk().any(|d| match &d.kind {
                    ExprKind::Filtered { filters, .. } => filters.iter().any(|f| {
                        !f.disabled && matches!(f.name.value.as_str(), "jws_decode" | "jwe_decode")
                    }),
                    _ => false,
                })
            }) {
                push(p.index);
                continue;
            }
            if is_call(s) && !has_callee_scope(ep, i, s) && looks_like_verifier(scope, s) {
                push(p.index);
            }
        }
    }
    out
}

/// The `if`/`elseif` conditions that verify the sender: what they guard is verified.
fn verifying_guards<'a>(ep: &Endpoint<'a>, facts: &[Facts]) -> Vec<&'a Expr> {
    let mut out = Vec::new();
    for (i, scope) in ep.scopes.iter().enumerate() {
        for p in &scope.statements {
            if matches!(p.stmt.name.value.as_str(), "if" | "elseif")
                && let Some(cond) = p.stmt.first_expr()
                && condition_verifies(scope, &facts[i], cond)
            {
                out.push(cond);
            }
        }
    }
    out
}

fn has_callee_scope(ep: &Endpoint, scope: usize, call: &Statement) -> bool {
    ep.scopes.iter().any(|s| {
        s.parent
            .is_some_and(|(p, c)| p == scope && std::ptr::eq(c, call))
    })
}

/// A function outside the workspace that may verify: named like a verifier, or given a
/// request header.
fn looks_like_verifier(scope: &Scope, call: &Statement) -> bool {
    let named = call.target_name().is_some_and(|n| {
        snake_words(&n.value).iter().any(|w| {
            matches!(
                w.as_str(),
                "verify" | "verification" | "validate" | "signature" | "hmac" | "authenticate"
            )
        })
    });
    named
        || call.attribute("input").is_some_and(|a| {
            a.value.walk().any(|d| match &d.kind {
                ExprKind::Var(v) => is_headers_root(v),
                _ => scope
                    .flow
                    .taint(d)
                    .is_some_and(|t| t.source.contains("$http_headers")),
            })
        })
}

// ---------------------------------------------------------------------------------------------
// Uses of the payload.
// ---------------------------------------------------------------------------------------------

/// A statement that acts on the payload.
struct Use<'a> {
    scope: usize,
    index: usize,
    stmt: &'a Statement,
    /// The payload expression it uses.
    value: &'a Expr,
}

fn uses<'a>(ep: &Endpoint<'a>, facts: &[Facts]) -> Vec<Use<'a>> {
    let mut out = Vec::new();
    for (i, scope) in ep.scopes.iter().enumerate() {
        let f = &facts[i];
        for p in &scope.statements {
            if !is_sink(ep, i, scope, f, p) {
                continue;
            }
            let found: Vec<&Expr> = statement_exprs(p.stmt)
                .into_iter()
                .flat_map(|e| e.descendants())
                .filter(|d| payload_in(scope, f, d).is_some_and(|x| std::ptr::eq(x, *d)))
                .collect();
            // Name the request itself rather than a value computed from it.
            let value = found
                .iter()
                .find(|d| is_direct_payload(scope, d))
                .or(found.first())
                .copied();
            if let Some(value) = value {
                out.push(Use {
                    scope: i,
                    index: p.index,
                    stmt: p.stmt,
                    value,
                });
            }
        }
    }
    out
}

/// Whether a request goes to a webhook URL: `$env.SLACK_WEBHOOK_URL`, `https://hooks.slack.com/...`.
fn targets_webhook(s: &Statement) -> bool {
    let Some(url) = s.attribute("url") else {
        return false;
    };
    url.value.walk().any(|d| match &d.kind {
        ExprKind::Var(v) if v.root == "env" => v.first_field().is_some_and(|f| {
            snake_words(f)
                .iter()
                .any(|w| w.contains("webhook") || w == "hook" || w == "hooks")
        }),
        ExprKind::String(t) => {
            let l = t.to_ascii_lowercase();
            l.contains("webhook") || l.contains("://hooks.") || l.contains("/hooks/")
        }
        _ => false,
    })
}

/// `$input...`, the raw body, or a record read with them.
fn is_direct_payload(scope: &Scope, e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Var(v) if v.root == "input" => true,
        ExprKind::Var(v) => var_name(v).is_some_and(|n| {
            scope.defs.reads.contains_key(n)
                || scope.statements.iter().any(|p| {
                    reads_raw_request(&p.stmt.name.value) && p.stmt.alias_name() == Some(n)
                })
        }),
        _ => false,
    }
}

fn is_sink(ep: &Endpoint, i: usize, scope: &Scope, f: &Facts, p: &Placed) -> bool {
    let s = p.stmt;
    let name = s.name.value.as_str();
    let db = Db::of(name);
    if db.is_some_and(Db::writes) || db == Some(Db::DirectQuery) || is_external_db(name) {
        return true;
    }
    if OTHER_SINKS.contains(&name) {
        // A GET to a fixed host reads, like a database read: what it returns is used later.
        // Posting to a webhook is sending one, not using a received one.
        return !f.refetches.contains(&p.index) && !fixed_get(s) && !targets_webhook(s);
    }
    is_call(s) && !has_callee_scope(ep, i, s) && !looks_like_verifier(scope, s)
}

// ---------------------------------------------------------------------------------------------
// The report.
// ---------------------------------------------------------------------------------------------

fn statement_head(s: &Statement) -> Span {
    match s.target_name() {
        Some(t) if t.span.start >= s.name.span.start => s.name.span.start..t.span.end,
        _ => s.name.span.clone(),
    }
}

fn head_text(s: &Statement) -> String {
    match s.target_name() {
        Some(t) if s.name.value.starts_with("function.") => {
            format!("{} \"{}\"", s.name.value, t.value)
        }
        Some(t) => format!("{} {}", s.name.value, t.value),
        None => s.name.value.clone(),
    }
}

fn short(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 48 {
        let cut: String = one_line.chars().take(45).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}

/// A disabled statement of the endpoint's stack that would take part in a verification.
fn disabled_check(endpoint: &Object) -> Option<String> {
    let stack = endpoint.stack()?;
    stack
        .walk_statements()
        .into_iter()
        .filter(|s| s.disabled)
        .find(|s| {
            statement_exprs(s).iter().any(|e| {
                e.walk().any(|d| {
                    is_hmac_expr(d)
                        || d.string_value().is_some_and(is_signature_header)
                        || matches!(&d.kind, ExprKind::Var(v) if is_headers_root(v))
                })
            })
        })
        .map(|s| s.name.value.clone())
}

/// What is reported about an endpoint.
struct Report<'f, 'a> {
    why: Why,
    headers: Vec<String>,
    u: Use<'a>,
    /// A check that covers the use but runs after it.
    late: Option<&'f Check>,
    /// A check that does not guard the use.
    elsewhere: Option<&'f Check>,
    /// Whether the endpoint fetches an object back from the provider.
    refetched: bool,
}

fn report(ctx: &Context, ep: &Endpoint, finding: Report) -> Diagnostic {
    let Report {
        why,
        headers,
        u,
        late,
        elsewhere,
        refetched,
    } = finding;
    let u = &u;
    let scope = &ep.scopes[u.scope];
    let text = ctx
        .ws
        .file(scope.path)
        .map(|f| f.text.clone())
        .unwrap_or_else(|| ctx.file.text.clone());
    let value = short(text.get(u.value.span.clone()).unwrap_or("the payload"));
    let read = match &u.value.kind {
        ExprKind::Var(v) => var_name(v).and_then(|n| scope.defs.reads.get(n)),
        _ => None,
    };
    let shown = format!("`{value}`");
    let found_with = match read {
        Some(read) => format!(
            "`{value}` is of a record `{}` finds with the payload. ",
            head_text(read)
        ),
        None => String::new(),
    };
    let name = u.stmt.name.value.as_str();
    let verb = if name.starts_with("db.") {
        "writes"
    } else if name.starts_with("function.") {
        "passes"
    } else if name.starts_with("redis.") {
        "stores"
    } else if name == "security.create_auth_token" {
        "issues a token for"
    } else {
        "sends"
    };
    let action = if name.starts_with("function.") {
        format!(
            "`{}` (not in the workspace) is given {shown}",
            head_text(u.stmt)
        )
    } else {
        match scope.via {
            Some(call) => format!("`{}` {verb} {shown}", head_text(call)),
            None => format!("`{}` {verb} {shown}", head_text(u.stmt)),
        }
    };
    let (problem, detail, advice) = if late.is_some() {
        (
            "before the signature is checked",
            String::new(),
            "move the check before the first use of the payload",
        )
    } else if elsewhere.is_some() {
        (
            "outside the signature check, which runs only under a condition",
            String::new(),
            "verify the signature unconditionally, before the payload is used",
        )
    } else {
        let mut detail = match headers.first() {
            Some(h) => {
                format!("The `{h}` header is read but never compared with an HMAC of the body")
            }
            None => {
                "No signature header is read and no HMAC, signed token or shared secret is checked"
                    .to_string()
            }
        };
        if let Some(d) = disabled_check(ep.object) {
            detail.push_str(&format!(" (the disabled `{d}` does not run)"));
        } else if refetched {
            detail.push_str(
                " (it fetches the object back from the provider, but uses the posted body)",
            );
        }
        detail.push_str(". ");
        (
            "without verifying the sender",
            detail,
            "compare an HMAC of the raw body (`hmac_sha256` keyed with the provider's signing secret) with the signature header first, or fetch the object back from the provider's API",
        )
    };
    let message = format!(
        "`{}` receives {}, and {action} {problem}",
        describe(ep.object),
        why.noun(),
    );
    let through = match scope.via {
        Some(_) if !name.starts_with("function.") => {
            format!(
                "It does so through `{}` in the function. ",
                head_text(u.stmt)
            )
        }
        _ => String::new(),
    };
    let help = format!(
        "It is taken for a receiver because {}. {through}{found_with}{detail}Anyone who finds the URL can forge events: {advice}",
        why.phrase()
    );
    let mut diag = Diagnostic::new(CODE, header_span(ep.object), message).with_help(help);
    diag = diag.with_related(
        scope.path,
        statement_head(u.stmt),
        format!("the payload is used here: `{value}`"),
    );
    if let Some((c, msg)) = late
        .map(|c| {
            (
                c,
                "the signature is checked here, after the payload is used",
            )
        })
        .or_else(|| {
            elsewhere.map(|c| {
                (
                    c,
                    "the signature is checked here, under a condition the use does not depend on",
                )
            })
        })
    {
        let cs = &ep.scopes[c.scope];
        if let Some(p) = cs.statements.get(c.index) {
            diag = diag.with_related(cs.path, statement_head(p.stmt), msg);
        }
    }
    diag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_headers_by_word() {
        for h in [
            "stripe-signature",
            "X-Hub-Signature-256",
            "x-shopify-hmac-sha256",
            "x-sig",
            "verif-hash",
        ] {
            assert!(is_signature_header(h), "{h}");
        }
        for h in ["x-tenant", "content-type", "signatures of the parties"] {
            assert!(!is_signature_header(h), "{h}");
        }
    }

    #[test]
    fn hook_words_are_whole_words() {
        let words = |p: &str| path_words_all(p);
        assert!(words("zapierHook").contains(&"hook".to_string()));
        assert!(words("webhooks/{provider}").contains(&"webhooks".to_string()));
        assert!(
            !words("hookah/orders")
                .iter()
                .any(|w| HOOK_WORDS.contains(&w.as_str()))
        );
        assert!(words("stripewebhook").iter().any(|w| w.contains("webhook")));
    }

    #[test]
    fn fixed_hosts() {
        let file = crate::workspace::FileModel::parse(
            "x.xs",
            "query x verb=GET {\n  stack {\n    var $a { value = \"https://api.stripe.com/v1/events/\" ~ $input.id }\n    var $b { value = \"https://\" ~ $input.host ~ \"/x\" }\n  }\n  response = null\n}\n",
        );
        let stack = file.model.objects[0].stack().unwrap();
        let values: Vec<&Expr> = stack
            .statements()
            .map(|s| &s.attribute("value").unwrap().value)
            .collect();
        assert!(fixed_host(values[0]));
        assert!(!fixed_host(values[1]));
    }
}
