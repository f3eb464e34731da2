//! ## What it does
//! Reports an endpoint that can be used to guess credentials or to trigger account flows in
//! bulk, with no rate limit on the way:
//! - it checks a password (`security.check_password`, in its stack or a function it runs),
//!   whether or not it has `auth` (a change-password or re-authentication endpoint lets a
//!   stolen session guess the account's password);
//! - it has no `auth` and issues an auth token (`security.create_auth_token` for an auth
//!   table): log-in, sign-up, magic-link and one-time-code endpoints;
//! - it has no `auth` and its path looks like a log-in, sign-up / register, password reset /
//!   forgot password, one-time code (otp, 2fa, mfa), verification or magic-link endpoint, and
//!   it takes what such an endpoint is attacked with: an e-mail, phone or user name, a
//!   password, code or token (verification paths: a code or token). With `auth`, only
//!   one-time-code paths (otp, 2fa, mfa, totp) taking a code are reported: a second factor
//!   checked without a limit is a bypass.
//!
//! A rate limit is an enabled `redis.ratelimit` in the stack, in a function it runs (nested
//! calls are followed) or in a `pre` middleware of the endpoint, its api group or a branch
//! (`middleware = {query: {pre: [...]}}`); a hand-rolled counter (`redis.incr` whose result a
//! later condition tests) and an account lockout (a write of a `failed_attempts`,
//! `login_attempts`, `locked_until`... column, or to a `login_attempt` table) count too. A
//! `redis.ratelimit` that runs only after the password check has passed (a `precondition` or
//! `throw` between them stops failed attempts first) counts nothing and is reported.
//!
//! ## Why is this bad?
//! Without a limit an attacker can try passwords, leaked credential lists, one-time codes or
//! reset tokens as fast as the server answers, create accounts in bulk, and flood users with
//! reset and magic-link e-mails or SMS (CWE-307: Improper Restriction of Excessive
//! Authentication Attempts; OWASP API2:2023 Broken Authentication and API4:2023 Unrestricted
//! Resource Consumption).
//!
//! ## Example
//! ```xs
//! query "auth/login" verb=POST {
//!   api_group = "auth"
//!   input {
//!     email email
//!     text password
//!   }
//!   stack {
//!     db.get user {
//!       field_name = "email"
//!       field_value = $input.email
//!     } as $user
//!     security.check_password {
//!       text_password = $input.password
//!       hash_password = $user.password
//!     } as $ok
//!     precondition ($ok) {
//!       error_type = "accessdenied"
//!       error = "Invalid credentials"
//!     }
//!     security.create_auth_token {
//!       table = "user"
//!       id = $user.id
//!     } as $token
//!   }
//!   response = {authToken: $token}
//! }
//! ```
//!
//! ## Fix
//! Limit the attempts first thing in the stack, per client IP (and, for a log-in, per
//! submitted account too):
//! ```xs
//!     redis.ratelimit {
//!       key = "auth/login:" ~ $env.$remote_ip ~ ":" ~ $input.email
//!       max = 5
//!       ttl = 60
//!       error = "Too many attempts, try again later"
//!     }
//! ```
//! The fix inserts such a block as the first statement of the endpoint's stack (opening a
//! one-line `stack { ... }`), keyed by the path and `$env.$remote_ip`, plus `$input.email`
//! (or `username`, `phone`) when a password is checked or the path is a log-in; endpoints with
//! `auth` are keyed by `$auth.id` instead. `max = 5` and `ttl = 60` are placeholders: choose
//! limits that fit the endpoint. A disabled `redis.ratelimit` at the top of the stack can be
//! enabled instead. When a `redis.ratelimit` exists but runs after the password check, move
//! it before the check; no automatic fix is offered then.
//!
//! ## Not flagged
//! - Endpoints with any enabled `redis.ratelimit`, hand-rolled counter or lockout, wherever it
//!   sits (also inside a `conditional` branch: the rule does not judge conditions or keys),
//!   and endpoints whose `pre` middleware rate-limits (`active: false` entries do not count).
//!   A middleware, or a `function.run` of a function, that the workspace does not define may
//!   hold the limit: the endpoint is not reported when such a call can run for a failed attempt
//!   (before the password check, or with nothing stopping the request in between).
//! - Endpoints with `auth` that issue a token (refreshing the caller's own token, or an admin
//!   creating accounts or impersonating a user: no secret is guessed), and endpoints with
//!   `auth` whose path looks like a log-in, verification or reset (the caller is known and
//!   limited to their own account).
//! - Token refresh endpoints (`refresh` in the path) and external sign-in flows that take no
//!   password (`oauth`, `sso`, `openid`, `oidc`, `saml`, `callback` or a provider such as
//!   `google` or `keycloak` in the path, or a `security.jws_decode` / `jwe_decode` of the
//!   provider's token before the token is issued): there is no short secret to guess.
//! - Paths that only resemble these flows: no input to attack with (a `GET
//!   users/verify-status` taking only an e-mail), a `PATCH` or `DELETE` verb, a `{param}`
//!   that is a record id (`meeting_registration/{id}`), or a stack that reads `$auth` (an
//!   export whose `auth` was emptied: XS101's business).
//! - Endpoints with an empty stack, endpoints of an `api_group` with `active = false`, and
//!   disabled statements.

use std::collections::HashSet;

use crate::analysis::access::{
    Endpoint, Scope, is_authenticated, maybe_auth_table, mentions_var, path_words,
    placed_statements,
};
use crate::finding::{Fix, TextEdit};
use crate::model::{ExprKind, Object, PairKey, Span, Statement};
use crate::semantics::endpoint::{self, describe, header_span, path, verb};
use crate::semantics::literal_name;
use crate::semantics::names::snake_words;
use crate::semantics::statements::{Db, decodes_token};
use crate::workspace::Workspace;
use crate::workspace::calls::{CallPath, is_call};

use crate::finding::Severity;

use super::edits;
use super::rule::Rule;
use crate::rules::context::{Context, Diagnostic};

pub const CODE: &str = "XS104";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "missing-rate-limit",
    severity: Severity::Warning,
    cwe: Some("CWE-307"),
    summary: "A login, sign-up, reset or token endpoint has no `redis.ratelimit`.",
    fixable: true,
    safe_fixes: false,
    check: Some(check),
};

pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    let mut branch: Option<Vec<String>> = None;
    let mut out = Vec::new();
    for endpoint in ctx.endpoints() {
        if let Some(d) = check_endpoint(ctx, endpoint, &mut branch) {
            out.push(d);
        }
    }
    out
}

/// What a path looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Login,
    Signup,
    Reset,
    Otp,
    Verify,
    Magic,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Login => "a log-in",
            Kind::Signup => "a sign-up",
            Kind::Reset => "a password reset",
            Kind::Otp => "a one-time code check",
            Kind::Verify => "a verification",
            Kind::Magic => "a magic link",
        }
    }

    fn harm(self) -> &'static str {
        match self {
            Kind::Login => "credentials can be guessed without limit",
            Kind::Signup => "accounts can be created in bulk",
            Kind::Reset => "reset messages can be sent and reset codes guessed without limit",
            Kind::Otp => "codes can be sent or guessed without limit",
            Kind::Verify => "verification codes and tokens can be guessed without limit",
            Kind::Magic => {
                "magic links can be requested (e-mails sent) and their tokens tried without limit"
            }
        }
    }
}

/// Why the endpoint needs a limit.
enum Trigger<'a> {
    /// `security.check_password` at a scope and statement index.
    Password(usize, usize, &'a Statement),
    /// `security.create_auth_token` in an endpoint without `auth`.
    Token(usize, &'a Statement),
    /// Only the path says it.
    Path(Kind),
}

/// Something that may limit attempts, with its global execution position.
struct Limiter<'a> {
    pos: Vec<usize>,
    /// An enabled `redis.ratelimit` (not a counter, lockout or unknown function).
    ratelimit: Option<(usize, &'a Statement)>,
}

fn check_endpoint(
    ctx: &Context,
    endpoint: &Object,
    branch: &mut Option<Vec<String>>,
) -> Option<Diagnostic> {
    let ws = ctx.ws;
    if ws.in_inactive_group(endpoint) || placed_statements(endpoint).is_empty() {
        return None;
    }
    let authed = is_authenticated(ws, endpoint);
    let words = path_words(path(endpoint));
    let kind = path_kind(&words);
    let ep = ctx.endpoint(endpoint);

    let password = first_statement(&ep, |s| s.name.value == "security.check_password");
    let trigger = if let Some((s, i, stmt)) = password {
        Trigger::Password(s, i, stmt)
    } else if authed {
        // With `auth`, only a second factor checked by path.
        let k = kind.filter(|k| *k == Kind::Otp)?;
        if !takes_secret(endpoint) {
            return None;
        }
        Trigger::Path(k)
    } else {
        if (external_identity(&words) && !takes_password(endpoint))
            || words.iter().any(|w| w == "refresh")
        {
            return None;
        }
        let token = first_statement(&ep, |s| {
            s.name.value == "security.create_auth_token"
                && s.attribute("table")
                    .and_then(|a| literal_name(&a.value))
                    .is_none_or(|t| maybe_auth_table(ws, t))
        });
        match token {
            Some((s, i, stmt)) => {
                let pos = ep.scopes[s].position(i);
                // A provider's signed token decoded before: an external sign-in.
                let decoded = ep.scopes.iter().any(|sc| {
                    sc.statements
                        .iter()
                        .any(|q| decodes_token(&q.stmt.name.value) && sc.position(q.index) < pos)
                });
                if decoded && !takes_password(endpoint) {
                    return None;
                }
                Trigger::Token(s, stmt)
            }
            None => {
                let k = kind?;
                if !path_shape_fits(endpoint, k) || reads_auth(ctx, endpoint) {
                    return None;
                }
                let ok = match k {
                    Kind::Verify => takes_secret(endpoint),
                    _ => takes_secret(endpoint) || takes_identity(endpoint),
                };
                if !ok {
                    return None;
                }
                Trigger::Path(k)
            }
        }
    };

    let branch = branch.get_or_insert_with(|| branch_middleware(ws));
    if middleware_limits(ws, endpoint, branch) {
        return None;
    }
    let limiters = limiters(ws, &ep);
    let trigger_pos = match &trigger {
        Trigger::Password(s, i, _) => Some(ep.scopes[*s].position(*i)),
        _ => None,
    };
    let mut late: Option<(usize, &Statement)> = None;
    for l in &limiters {
        let effective = match (&trigger, &trigger_pos) {
            (Trigger::Password(..), Some(tp)) => l.pos < *tp || !stops_between(&ep, tp, &l.pos),
            _ => true,
        };
        if effective {
            return None;
        }
        if late.is_none() {
            late = l.ratelimit;
        }
    }

    let what = describe(endpoint);
    let nowhere =
        "There is no `redis.ratelimit` in its stack, the functions it runs or its middleware";
    let limit =
        "add a `redis.ratelimit` keyed by IP (and by account where there is one) before the check";
    let diag = match &trigger {
        Trigger::Password(s, _, stmt) => {
            let scope = &ep.scopes[*s];
            let (through, range) = reached_through(scope, stmt);
            let (message, help) = match late {
                Some(_) => (
                    format!(
                        "`{what}` checks a password{through}, but its `redis.ratelimit` runs only after the check has passed"
                    ),
                    "A failed `security.check_password` stops the request first, so failed attempts are never counted: move the limit before the check".to_string(),
                ),
                None => {
                    let harm = match kind {
                        _ if authed => {
                            "a stolen session can guess the account's password without limit"
                        }
                        Some(k @ (Kind::Magic | Kind::Otp | Kind::Verify | Kind::Reset)) => {
                            k.harm()
                        }
                        _ => "passwords can be guessed without limit",
                    };
                    (
                        format!(
                            "`{what}` checks a password{through} (`security.check_password`) with no rate limit"
                        ),
                        format!("{nowhere}: {harm}; {limit}"),
                    )
                }
            };
            let mut d = Diagnostic::new(CODE, range, message).with_help(help);
            if scope.via.is_some() {
                d = d.with_related(
                    scope.path,
                    statement_head(stmt),
                    "`security.check_password` checks the password here",
                );
            }
            if let Some((ls, rl)) = late {
                d = d.with_related(
                    ep.scopes[ls].path,
                    statement_head(rl),
                    "this `redis.ratelimit` runs after the password check",
                );
            }
            d
        }
        Trigger::Token(s, stmt) => {
            let scope = &ep.scopes[*s];
            let (through, range) = reached_through(scope, stmt);
            let harm = match kind {
                Some(k) => k.harm(),
                None => "whatever it checks before issuing the token can be tried without limit",
            };
            let mut d = Diagnostic::new(
                CODE,
                range,
                format!(
                    "`{what}` has no `auth` and issues an auth token{through} (`security.create_auth_token`) with no rate limit"
                ),
            )
            .with_help(format!("{nowhere}: {harm}; {limit}"));
            if scope.via.is_some() {
                d = d.with_related(
                    scope.path,
                    statement_head(stmt),
                    "`security.create_auth_token` issues the token here",
                );
            }
            d
        }
        Trigger::Path(k) => {
            let message = if authed {
                format!(
                    "`{what}` looks like {} (a second factor) and has no rate limit",
                    k.noun()
                )
            } else {
                format!(
                    "`{what}` has no `auth`, looks like {} and has no rate limit",
                    k.noun()
                )
            };
            Diagnostic::new(CODE, header_span(endpoint), message)
                .with_help(format!("{nowhere}: {}; {limit}", k.harm()))
        }
    };
    if late.is_some() {
        return Some(diag);
    }
    let mut diag = diag;
    if let Some(fix) = enable_fix(endpoint, diag.range.start) {
        diag = diag.with_fix(fix);
    }
    let per_account = matches!(trigger, Trigger::Password(..)) || kind == Some(Kind::Login);
    if let Some(fix) = insert_fix(ctx, endpoint, authed, per_account) {
        diag = diag.with_fix(fix);
    }
    Some(diag)
}

/// The first statement, in execution order over every scope, that matches: its scope, index and
/// statement.
fn first_statement<'a>(
    ep: &Endpoint<'a>,
    matches: impl Fn(&Statement) -> bool,
) -> Option<(usize, usize, &'a Statement)> {
    ep.scopes
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.statements.iter().map(move |p| (i, s, p)))
        .filter(|(_, _, p)| matches(p.stmt))
        .min_by_key(|(_, s, p)| s.position(p.index))
        .map(|(i, _, p)| (i, p.index, p.stmt))
}

fn statement_head(s: &Statement) -> Span {
    match s.target_name() {
        Some(t) if t.span.start >= s.name.span.start => s.name.span.start..t.span.end,
        _ => s.name.span.clone(),
    }
}

/// What the endpoint's path looks like, from its words.
fn path_kind(words: &[String]) -> Option<Kind> {
    let has = |w: &str| words.iter().any(|x| x == w);
    let pair = |a: &str, b: &str| words.windows(2).any(|p| p[0] == a && p[1] == b);
    let passwordish = has("password") || has("passcode") || has("pin") || has("pass");
    if has("magic") || has("passwordless") {
        return Some(Kind::Magic);
    }
    if ["otp", "totp", "2fa", "mfa", "twofa"]
        .iter()
        .any(|w| has(w))
        || pair("two", "factor")
    {
        return Some(Kind::Otp);
    }
    if has("forgot") || passwordish || has("reset") || has("recover") || has("recovery") {
        return Some(Kind::Reset);
    }
    if has("signup") || pair("sign", "up") || has("register") || has("registration") {
        return Some(Kind::Signup);
    }
    if has("login") || has("signin") || has("logon") || pair("log", "in") || pair("sign", "in") {
        return Some(Kind::Login);
    }
    let confirms = has("confirm")
        && ["email", "account", "phone", "signup", "registration"]
            .iter()
            .any(|w| has(w));
    if has("verify") || has("verification") || confirms {
        return Some(Kind::Verify);
    }
    None
}

/// Whether the verb and path fit the flow: log-in and reset flows are `GET`, `POST` or `PUT`
/// (sign-ups `POST` or `PUT`), and a `{param}` of the path is a secret (`reset/{token}`), not
/// a record id (`meeting_registration/{id}`).
fn path_shape_fits(endpoint: &Object, kind: Kind) -> bool {
    let verb = verb(endpoint);
    let verb_fits = match kind {
        Kind::Signup => matches!(verb.as_str(), "POST" | "PUT"),
        _ => matches!(verb.as_str(), "GET" | "POST" | "PUT"),
    };
    verb_fits
        && path(endpoint)
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .all(|param| {
                snake_words(param)
                    .iter()
                    .any(|w| SECRET_WORDS.contains(&w.as_str()))
            })
}

/// Whether the endpoint's stack reads `$auth`: it expects a signed-in caller (an export whose
/// `auth` was emptied is XS101's business, not a public flow).
fn reads_auth(ctx: &Context, endpoint: &Object) -> bool {
    let Some(stack) = endpoint.stack() else {
        return false;
    };
    let text = ctx.source(&stack.span);
    text.match_indices("$auth").any(|(i, m)| {
        !text[i + m.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// External sign-in flows: the provider authenticates the user.
fn external_identity(words: &[String]) -> bool {
    words.iter().any(|w| {
        matches!(
            w.as_str(),
            "oauth"
                | "oauth2"
                | "sso"
                | "openid"
                | "oidc"
                | "saml"
                | "callback"
                | "keycloak"
                | "auth0"
                | "okta"
                | "cognito"
                | "firebase"
                | "supabase"
                | "clerk"
                | "google"
                | "apple"
                | "facebook"
                | "github"
                | "microsoft"
                | "azure"
                | "linkedin"
        )
    })
}

const SECRET_WORDS: &[&str] = &[
    "password", "passwd", "pwd", "pass", "passcode", "pin", "otp", "totp", "code", "token",
    "secret", "hash", "nonce",
];

const IDENTITY_WORDS: &[&str] = &[
    "email",
    "mail",
    "phone",
    "mobile",
    "username",
    "login",
    "msisdn",
    "identifier",
];

/// The endpoint's declared inputs: (type, name).
fn inputs(endpoint: &Object) -> Vec<(&str, &str)> {
    endpoint
        .fields("input")
        .map(|l| {
            l.fields
                .iter()
                .map(|f| {
                    (
                        f.ty.value.as_str(),
                        f.name.as_ref().map_or("", |n| n.value.as_str()),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn takes_password(endpoint: &Object) -> bool {
    inputs(endpoint).iter().any(|(ty, name)| {
        *ty == "password"
            || snake_words(name)
                .iter()
                .any(|w| matches!(w.as_str(), "password" | "passwd" | "pwd" | "pass"))
    })
}

fn takes_secret(endpoint: &Object) -> bool {
    inputs(endpoint).iter().any(|(ty, name)| {
        *ty == "password"
            || snake_words(name)
                .iter()
                .any(|w| SECRET_WORDS.contains(&w.as_str()))
    })
}

fn takes_identity(endpoint: &Object) -> bool {
    inputs(endpoint).iter().any(|(ty, name)| {
        *ty == "email"
            || *ty == "dblink"
            || snake_words(name)
                .iter()
                .any(|w| IDENTITY_WORDS.contains(&w.as_str()))
    })
}

/// Whether a stopping statement (`precondition`, `throw`, `return`, `debug.stop`) runs strictly
/// between two positions.
fn stops_between(ep: &Endpoint, from: &[usize], to: &[usize]) -> bool {
    ep.scopes.iter().any(|s| {
        s.statements.iter().any(|p| {
            matches!(
                p.stmt.name.value.as_str(),
                "precondition" | "throw" | "return" | "debug.stop"
            ) && {
                let pos = s.position(p.index);
                pos.as_slice() > from && pos.as_slice() < to
            }
        })
    })
}

/// Every statement of the endpoint's scopes that may limit attempts.
fn limiters<'a>(ws: &Workspace, ep: &Endpoint<'a>) -> Vec<Limiter<'a>> {
    let mut out = Vec::new();
    for (i, scope) in ep.scopes.iter().enumerate() {
        for p in &scope.statements {
            let s = p.stmt;
            let pos = || scope.position(p.index);
            match s.name.value.as_str() {
                "redis.ratelimit" => out.push(Limiter {
                    pos: pos(),
                    ratelimit: Some((i, s)),
                }),
                "redis.incr" => {
                    // A counter that a later condition tests.
                    let tested = s.alias_name().is_some_and(|name| {
                        scope.statements.iter().any(|q| {
                            q.index > p.index
                                && (q.guards.iter().any(|g| mentions_var(g, name))
                                    || (matches!(
                                        q.stmt.name.value.as_str(),
                                        "precondition" | "if" | "elseif" | "switch"
                                    ) && q
                                        .stmt
                                        .first_expr()
                                        .is_some_and(|e| mentions_var(e, name))))
                        })
                    });
                    if tested {
                        out.push(Limiter {
                            pos: pos(),
                            ratelimit: None,
                        });
                    }
                }
                _ if Db::of_statement(s).is_some_and(Db::writes_record) && is_lockout_write(s) => {
                    out.push(Limiter {
                        pos: pos(),
                        ratelimit: None,
                    });
                }
                _ if is_call(s) => {
                    // A function the workspace does not define may hold the limit.
                    let unknown = s.target_name().is_some_and(|n| {
                        !n.value.trim().is_empty() && ws.function(&n.value).is_none()
                    });
                    if unknown {
                        out.push(Limiter {
                            pos: pos(),
                            ratelimit: None,
                        });
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Words of a column or table that keep count of failed attempts or lock an account.
fn is_lockout_name(name: &str) -> bool {
    snake_words(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "attempt" | "attempts" | "lockout" | "locked" | "lock" | "failures"
        )
    })
}

fn is_lockout_write(s: &Statement) -> bool {
    if s.target_name().is_some_and(|t| is_lockout_name(&t.value)) {
        return true;
    }
    let Some(data) = s.attribute("data") else {
        return false;
    };
    let ExprKind::Object(pairs) = &data.value.kind else {
        return false;
    };
    pairs.iter().filter(|p| !p.disabled).any(|p| match &p.key {
        PairKey::Name(k) => is_lockout_name(&k.value),
        PairKey::Expr(_) => false,
    })
}

/// The names of the active `pre` middleware an object's `middleware` lists (`pre` at the top,
/// or under `query` for branches).
fn pre_middleware(object: &Object, under_query: bool) -> Vec<String> {
    let Some(mw) = object.attribute("middleware").map(|a| &a.value) else {
        return Vec::new();
    };
    let mw = if under_query {
        mw.get("query")
    } else {
        Some(mw)
    };
    let Some(ExprKind::Array(items)) = mw.and_then(|m| m.get("pre")).map(|p| &p.kind) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match &item.kind {
            ExprKind::String(s) => Some(s.clone()),
            ExprKind::Object(_) => {
                let active = item.get("active").and_then(|a| a.as_bool()).unwrap_or(true);
                item.get("name")
                    .and_then(|n| n.string_value())
                    .filter(|_| active)
                    .map(str::to_string)
            }
            _ => None,
        })
        .filter(|n| !n.trim().is_empty())
        .collect()
}

/// The `pre` query middleware that branches (and the workspace object) apply to every endpoint.
fn branch_middleware(ws: &Workspace) -> Vec<String> {
    let mut out = Vec::new();
    for file in ws.files() {
        for object in &file.model.objects {
            if matches!(object.kind.value.as_str(), "branch" | "workspace") {
                out.extend(pre_middleware(object, true));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether a `pre` middleware of the endpoint, its api group or a branch rate-limits, or is not
/// defined in the workspace (it may).
fn middleware_limits(ws: &Workspace, endpoint: &Object, branch: &[String]) -> bool {
    let mut names = pre_middleware(endpoint, false);
    if let Some(group) = endpoint::api_group(endpoint).and_then(|g| ws.api_group(g)) {
        names.extend(pre_middleware(group.object.object(), false));
    }
    names.extend(branch.iter().cloned());
    names.iter().any(|n| match ws.middleware(n) {
        None => true,
        Some(mw) => {
            let object = mw.object();
            object_limits(ws, object, &CallPath::start(object), &mut HashSet::new())
        }
    })
}

/// Whether a stack (or a function it runs) holds an enabled `redis.ratelimit` or `redis.incr`,
/// or runs a function the workspace does not define.
fn object_limits(
    ws: &Workspace,
    object: &Object,
    path: &CallPath,
    seen: &mut HashSet<String>,
) -> bool {
    for p in placed_statements(object) {
        match p.stmt.name.value.as_str() {
            "redis.ratelimit" | "redis.incr" => return true,
            _ if is_call(p.stmt) => {
                let Some(name) = p.stmt.target_name().map(|n| n.value.as_str()) else {
                    continue;
                };
                if name.trim().is_empty() || !seen.insert(name.to_string()) {
                    continue;
                }
                if ws.function(name).is_none() {
                    return true;
                }
                if let Some((f, inner)) = path.enter(ws, p.stmt)
                    && object_limits(ws, f.object(), &inner, seen)
                {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// Removes the `!` of a disabled `redis.ratelimit` written directly in the endpoint's stack
/// before `before` (the reported statement; the endpoint head sits before the stack, so path
/// findings take any).
fn enable_fix(endpoint: &Object, before: usize) -> Option<Fix> {
    let stack = endpoint.stack()?;
    let s = stack.statements().find(|s| {
        s.disabled
            && s.name.value == "redis.ratelimit"
            && (s.span.start < before || before < stack.span.start)
    })?;
    if s.span.start >= s.name.span.start {
        return None;
    }
    Some(Fix {
        applicability: crate::finding::Applicability::Unsafe,
        title: "Enable the disabled `redis.ratelimit` (remove its `!`)".to_string(),
        edits: vec![TextEdit {
            range: s.span.start..s.name.span.start,
            new_text: String::new(),
        }],
    })
}

/// The input that names the account for a per-account key.
fn account_input(endpoint: &Object) -> Option<&str> {
    let names = inputs(endpoint);
    ["email", "username", "user_name", "phone", "login"]
        .iter()
        .find_map(|want| {
            names
                .iter()
                .find(|(_, n)| n.eq_ignore_ascii_case(want))
                .map(|(_, n)| *n)
        })
}

/// Inserts a `redis.ratelimit` as the first statement of the endpoint's stack.
fn insert_fix(ctx: &Context, endpoint: &Object, authed: bool, per_account: bool) -> Option<Fix> {
    let stack = endpoint
        .body
        .statements()
        .find(|s| s.name.value == "stack")?;
    let body = stack.body.as_ref()?;
    let key_path: String = path(endpoint)
        .chars()
        .filter(|c| !matches!(c, '"' | '\\' | '\r' | '\n'))
        .collect();
    // A signed-in caller is limited per account (a stolen session may change IPs).
    let (key, by) = if authed {
        (
            format!("\"{key_path}:\" ~ $auth.id"),
            "the signed-in account (`$auth.id`)".to_string(),
        )
    } else {
        match account_input(endpoint).filter(|_| per_account) {
            Some(a) => (
                format!("\"{key_path}:\" ~ $env.$remote_ip ~ \":\" ~ $input.{a}"),
                format!("the caller's IP and `$input.{a}`"),
            ),
            None => (
                format!("\"{key_path}:\" ~ $env.$remote_ip"),
                "the caller's IP".to_string(),
            ),
        }
    };
    let unit = ctx.indent_unit();
    let lines = vec![
        "redis.ratelimit {".to_string(),
        format!("{unit}key = {key}"),
        format!("{unit}max = 5"),
        format!("{unit}ttl = 60"),
        format!("{unit}error = \"Too many attempts, try again later\""),
        "}".to_string(),
    ];
    let edits = edits::prepend_to_block(ctx, stack.span.start, body, &lines)?;
    Some(Fix {
        applicability: crate::finding::Applicability::Unsafe,
        title: format!(
            "Insert a `redis.ratelimit` keyed by {by} first in the stack (`max = 5`, `ttl = 60` are placeholders: tune them)"
        ),
        edits,
    })
}

/// How the endpoint reaches `stmt` of `scope` (` through `function.run "x"``, or nothing) and
/// where to report it: the `function.run` line of the endpoint, or the statement itself.
fn reached_through(scope: &Scope, stmt: &Statement) -> (String, Span) {
    match scope.via {
        Some(call) => (
            format!(
                " through `function.run \"{}\"`",
                call.target_name().map_or("", |n| n.value.as_str())
            ),
            statement_head(call),
        ),
        None => (String::new(), statement_head(stmt)),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::workspace::{Config, FileModel};

    const LOGIN: &str = "query \"auth/login\" verb=POST {\n  api_group = \"auth\"\n  input {\n    email email\n    text password\n  }\n  stack {\n    db.get user {\n      field_name = \"email\"\n      field_value = $input.email\n    } as $user\n    security.check_password {\n      text_password = $input.password\n      hash_password = $user.password\n    } as $ok\n  }\n  response = $ok\n}\n";

    fn findings(files: &[(&str, &str)]) -> usize {
        let mut ws = Workspace::new(Config::default());
        for (path, text) in files {
            ws.insert(Arc::new(FileModel::parse(*path, text)));
        }
        ws.reindex();
        let file = ws.file("login.xs").unwrap().clone();
        check(&Context::new(&file, &ws)).len()
    }

    #[test]
    fn branch_middleware_counts() {
        let limit = "middleware throttle {\n  input {\n    json vars\n  }\n  stack {\n    redis.ratelimit {\n      key = $env.$remote_ip\n      max = 5\n      ttl = 60\n      error = \"slow down\"\n    }\n  }\n  response = null\n}\n";
        let branch = |active: bool| {
            format!(
                "branch \"main\" {{\n  middleware = {{query: {{pre: [{{name: \"throttle\", active: {active}}}]}}}}\n}}\n"
            )
        };
        assert_eq!(findings(&[("login.xs", LOGIN)]), 1);
        assert_eq!(
            findings(&[
                ("login.xs", LOGIN),
                ("mw.xs", limit),
                ("branch.xs", &branch(true))
            ]),
            0
        );
        assert_eq!(
            findings(&[
                ("login.xs", LOGIN),
                ("mw.xs", limit),
                ("branch.xs", &branch(false))
            ]),
            1
        );
    }
}
