//! ## What it does
//! Reports string literals that are credentials, wherever they are in a file: in attributes,
//! object values, field defaults, filter arguments (`sprintf`, `replace`, `base64_encode`,
//! `hmac_sha256`, `jws_encode`), headers of `api.request`, and inside `api.lambda` code.
//! A literal is a credential when it has a known vendor format (Stripe `sk_live_`/`rk_live_`/
//! `whsec_`, AWS `AKIA…`, GitHub `ghp_`/`github_pat_`, Slack `xox…-` and webhook URLs, Google
//! `AIza…`, OpenAI/Anthropic `sk-…`, SendGrid, Mailgun, JWTs, PEM private keys), when it is a
//! long `Bearer` token, when it is given to a credential parameter (`api_key`, `secret`,
//! `password`, `token`, `Authorization`, `Cookie`, `X-API-Key` and `X-<vendor>-Key` headers such
//! as `X-RapidAPI-Key`, the key of a crypto filter, a password in a connection URL) whatever its
//! length, or when a high-entropy value of 16+ characters is given to a name that looks like a
//! secret (`jwt_secret_v2`, `stripe_key`).
//! Literals in disabled statements are reported too: they still ship with the code.
//!
//! ## Why is this bad?
//! Source is copied into exports, repositories, snapshots and screenshots; anyone who reads it
//! can use the credential, and rotating it means a code change
//! (CWE-798: Use of Hard-coded Credentials; OWASP API8:2023 Security Misconfiguration).
//!
//! ## Example
//! ```xs
//! api.request {
//!   url = "https://api.stripe.com/v1/charges"
//!   method = "POST"
//!   headers = ["Authorization: Bearer sk_live_4eC39HqLyjWDarjtT1zdp7dc"]
//! } as $charge
//! ```
//!
//! ## Fix
//! Keep the value in an environment variable:
//! ```xs
//! api.request {
//!   url = "https://api.stripe.com/v1/charges"
//!   method = "POST"
//!   headers = [("Authorization: Bearer " ~ $env.STRIPE_SECRET_KEY)]
//! } as $charge
//! ```
//! The fix replaces the literal (or the credential part of a header string) with
//! `$env.<NAME>`, the name derived from the key or header; define that variable in the
//! workspace's environment variables before deploying, and rotate the exposed value. Inside
//! `api.lambda` code the literal becomes `$env.<NAME>`, which lambdas can read.
//!
//! ## Not flagged
//! `$env.*` references and templates (`{{ $env.KEY }}`, `"Bearer %s"` filled from `$env`),
//! placeholders (`YOUR_API_KEY`, `xxxx`, `<token>`; weak or placeholder passwords such as
//! `password` and `changeme` are XS502's business), the `swagger` token of an api group (Xano's
//! own design), publishable keys (`pk_live_…`, `public_key`), UUIDs, digests and ids, URLs,
//! and data in test blocks (`test` clauses, `mock` values, `workflow_test` objects), where only
//! known vendor formats are reported.

use std::collections::HashSet;
use std::ops::Range;

use crate::analysis::flow::target_name;
use crate::analysis::secrets::{
    self, CodeString, LiteralForm, Place, bearer_tokens, code_strings, credential_header, env_name,
    is_credential_name, is_hex, is_password_name, is_placeholder, is_secret_like_name,
    is_weak_password, known_secrets, literal_content, looks_like_algorithm, looks_random, redact,
    url_passwords, url_service, var_last_name,
};
use crate::finding::{Fix, TextEdit};
use crate::model::enabled_statements;
use crate::model::{Expr, ExprKind, Object, Statement};
use crate::semantics::statements::VarWrite;

use super::context::{Context, Diagnostic};
use crate::finding::Severity;

use super::rule::Rule;

pub const CODE: &str = "XS501";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "hardcoded-secret",
    severity: Severity::Error,
    cwe: Some("CWE-798"),
    summary: "A string literal looks like a credential.",
    fixable: true,
    safe_fixes: false,
    check: Some(check),
};

pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    let mut found: Vec<Candidate> = Vec::new();
    // Header strings filled in by filters (`"Authorization: Bearer %s"|sprintf:...`): their own
    // text is a template, their filter arguments carry the credential.
    let mut templates: HashSet<usize> = HashSet::new();
    // The walk visits one object after the other: its literal variables are found once.
    let mut literal_vars: Option<(usize, Vec<(&str, &Expr)>)> = None;
    secrets::walk(ctx.all_objects(), |expr, scope| {
        if let ExprKind::Filtered { value, filters } = &expr.kind
            && filters.iter().any(|f| fills_template(&f.name.value))
        {
            templates.insert(base(value).span.start);
        }
        match &expr.kind {
            ExprKind::String(value) => {
                let template = templates.contains(&expr.span.start);
                check_string(ctx, expr, value, scope, template, &mut found);
            }
            ExprKind::ExpressionLiteral(_) => check_code(ctx, expr, scope, Lang::Xs, &mut found),
            ExprKind::Var(path) if !scope.in_test && !scope.field_default => {
                // A literal kept in a variable and used where a credential goes.
                let id = scope.object as *const _ as usize;
                if literal_vars.as_ref().is_none_or(|(o, _)| *o != id) {
                    literal_vars = Some((id, string_vars(scope.object)));
                }
                let vars = literal_vars.as_ref().map_or(&[][..], |(_, v)| v.as_slice());
                let name = if path.segments.is_empty() {
                    Some(path.root.as_str())
                } else if path.root == "var" && path.segments.len() == 1 {
                    path.first_field()
                } else {
                    None
                };
                if let Some(name) = name
                    && let Some((_, literal)) = vars.iter().find(|(n, _)| *n == name)
                {
                    check_var_use(ctx, expr, name, literal, scope, &mut found);
                }
            }
            _ => {}
        }
    });
    // One finding per secret: the most specific reason wins where reasons overlap.
    found.sort_by_key(|c| (c.range.start, c.priority));
    let mut out: Vec<Diagnostic> = Vec::new();
    let mut covered_to = 0;
    for c in found {
        // Sorted by start: a candidate overlaps an earlier one exactly when it starts before
        // the furthest end seen.
        if c.range.start < covered_to {
            continue;
        }
        covered_to = c.range.end.max(c.range.start + 1);
        let mut d = Diagnostic::new(CODE, c.range, c.message).with_help(
            "Everyone who can read the code, its exports and its history has the secret: move it to an environment variable and rotate it",
        );
        if let Some((range, message)) = c.related {
            d = d.with_related(&ctx.file.path, range, message);
        }
        if let Some(fix) = c.fix {
            d = d.with_fix(fix);
        }
        out.push(d);
    }
    out
}

/// Variables of an object set once, by `var`, to a string literal.
fn string_vars(object: &Object) -> Vec<(&str, &Expr)> {
    let statements = object.stack().map(enabled_statements).unwrap_or_default();
    let mut out: Vec<(&str, &Expr)> = Vec::new();
    let mut written: Vec<&str> = Vec::new();
    for s in &statements {
        let target = s
            .first_expr()
            .and_then(Expr::as_var)
            .filter(|_| s.name.value.starts_with("var") || s.name.value.contains('.'))
            .map(target_name)
            .into_iter()
            .chain(s.alias_name());
        for t in target {
            written.push(t);
            if s.name.value == "var"
                && let Some(v) = s.attribute("value")
                && v.value.string_value().is_some()
            {
                out.push((t, &v.value));
            }
        }
    }
    out.retain(|(n, _)| written.iter().filter(|w| *w == n).count() == 1);
    out
}

/// A variable holding a string literal, used where a credential goes: reported at the
/// literal, with the use as related location.
fn check_var_use(
    ctx: &Context,
    use_: &Expr,
    name: &str,
    literal: &Expr,
    scope: &Place,
    out: &mut Vec<Candidate>,
) {
    let Some(value) = literal.string_value() else {
        return;
    };
    let v = value.trim();
    // Where the variable goes, and the name that makes it a credential there.
    let sink: Option<(String, String)> = if let Some(fa) = scope.filter_arg {
        let header = fa
            .base
            .string_value()
            .and_then(credential_header)
            .map(|h| h.name.to_string());
        match (fa.filter, header) {
            ("sprintf" | "concat" | "append" | "prepend", Some(h)) => {
                Some((h.clone(), format!("the `{h}` header")))
            }
            ("replace", Some(h)) if fa.index == 1 => Some((h.clone(), format!("the `{h}` header"))),
            (f, _) if crypto_filter_env(f).is_some() && !looks_like_algorithm(v) => Some((
                "secret_key".to_string(),
                format!("the key of the `{f}` filter"),
            )),
            ("set" | "set_conditional" | "set_ifnotempty" | "set_ifnotnull" | "url_addarg", _)
                if fa.index == 1 =>
            {
                fa.args
                    .first()
                    .and_then(Expr::string_value)
                    .filter(|k| is_credential_name(k))
                    .map(|k| (k.to_string(), format!("`{k}`")))
            }
            _ => None,
        }
    } else if let Some(left) = scope.concat_left.and_then(Expr::string_value) {
        credential_header(left)
            .filter(|h| h.value.is_empty())
            .map(|h| (h.name.to_string(), format!("the `{}` header", h.name)))
    } else {
        scope
            .key
            .filter(|k| *k != "value" && matches!(judge_key(k, scope), KeyVerdict::Credential))
            .map(|k| (k.to_string(), place(scope, Some(k))))
    };
    let Some((key, where_)) = sink else {
        return;
    };
    if !is_credential_value(v, &key) {
        return;
    }
    let Some((content, _)) = literal_content(ctx.text(), &literal.span) else {
        return;
    };
    let c = Ctx { ctx, scope };
    let env = if is_credential_name(name) || is_secret_like_name(name) {
        env_name(name, None)
    } else {
        let what = header_env(&key, None, None);
        env_name(&format!("{name}_{what}"), None)
    };
    let replace = Replace::Whole(literal.span.clone());
    // The literal sits in a `var` statement, not disabled and not a field default.
    let defining = Place {
        in_disabled: false,
        field_default: false,
        ..scope.clone()
    };
    let fix = Ctx {
        ctx,
        scope: &defining,
    }
    .fix(&replace, content.clone(), &env);
    out.push(Candidate {
        range: content,
        priority: 4,
        message: format!(
            "`${name}` holds a hard-coded credential (`{}`, {} characters) that is used as {where_}{}",
            redact(v, 4),
            v.chars().count(),
            c.disabled_note()
        ),
        fix,
        related: Some((use_.span.clone(), format!("`${name}` is used as {where_} here"))),
    });
}

/// Filters that fill a template string with their arguments.
fn fills_template(name: &str) -> bool {
    matches!(
        name,
        "sprintf" | "replace" | "concat" | "prepend" | "append"
    )
}

fn base(mut e: &Expr) -> &Expr {
    for _ in 0..64 {
        match &e.kind {
            ExprKind::Filtered { value, .. } => e = value,
            _ => break,
        }
    }
    e
}

/// A reason to report, before overlapping reasons are merged.
struct Candidate {
    /// The secret's bytes in the file.
    range: Range<usize>,
    /// Lower is more specific.
    priority: u8,
    message: String,
    fix: Option<Fix>,
    /// Where the value is used, when that is what makes it a credential.
    related: Option<(Range<usize>, String)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    /// `api.lambda` code and `lambda` filter arguments: JavaScript.
    Js,
    /// Backtick expression literals: XanoScript.
    Xs,
    /// JSON, HTML or other text inside a plain string: scanned for `"key": "value"` pairs,
    /// with a stricter idea of a credential and no automatic edit.
    Text,
}

/// How to take a secret out of a literal.
enum Replace {
    /// The whole literal (or the whole code string) becomes `$env.NAME`.
    Whole(Range<usize>),
    /// Part of a quoted XanoScript literal: `("prefix" ~ $env.NAME ~ "suffix")`.
    Split {
        literal: Range<usize>,
        content: Range<usize>,
        quote: char,
        lang: Lang,
    },
    /// No automatic edit (a secret inside prose or a multi-line block).
    None,
}

/// The place a literal sits, for messages: "`$stripe_key`", "`client_secret` in `params` of
/// `api.request`", "the code of `api.lambda`".
fn place(scope: &Place, key: Option<&str>) -> String {
    let stmt = scope.statement.map(|s| s.name.value.as_str());
    if scope.field_default
        && let Some(k) = scope.key
    {
        return format!("the default of `{k}`");
    }
    if let Some(fa) = scope.filter_arg
        && key.is_none()
    {
        let mut parent = scope.clone();
        parent.filter_arg = None;
        parent.key = fa.owner_key;
        return format!(
            "the `{}` filter in {}",
            fa.filter,
            place(&parent, fa.owner_key)
        );
    }
    if scope.code {
        return match stmt {
            Some(s) => format!("the code of `{s}`"),
            None => "lambda code".to_string(),
        };
    }
    if let (Some(s), Some(k)) = (scope.statement, key)
        && VarWrite::of_statement(s).is_some_and(VarWrite::replaces)
        && scope.attribute == Some("value")
        && s.first_expr()
            .and_then(Expr::as_var)
            .is_some_and(|v| crate::analysis::flow::target_name(v) == k)
    {
        return format!("`${k}`");
    }
    let attr = scope.attribute.filter(|a| Some(*a) != key);
    let mut out = match key {
        Some(k) => format!("`{k}`"),
        None => match attr {
            Some(a) => format!("`{a}`"),
            None => "a string".to_string(),
        },
    };
    if key.is_some()
        && let Some(a) = attr
    {
        out.push_str(&format!(" in `{a}`"));
    }
    match stmt {
        Some(s) if !VarWrite::of(s).is_some_and(VarWrite::replaces) => {
            let target = scope
                .statement
                .filter(|st| st.name.value.starts_with("db."))
                .and_then(|st| st.target_name())
                .map(|t| format!(" {}", t.value))
                .unwrap_or_default();
            out.push_str(&format!(" of `{s}{target}`"));
        }
        Some(_) => {}
        None => {
            if let Some(n) = scope.object.name.as_ref() {
                out.push_str(&format!(" of {} `{}`", scope.object.kind.value, n.value));
            }
        }
    }
    out
}

/// A service name for env variable names: the host of the statement's `url`, the cloud
/// provider, the e-mail provider.
fn service_hint(stmt: Option<&Statement>) -> Option<String> {
    let s = stmt?;
    if let Some(url) = s.attribute("url").and_then(|a| first_string(&a.value)) {
        return url_service(url);
    }
    let name = s.name.value.as_str();
    for (prefix, hint) in [
        ("cloud.aws", "aws"),
        ("cloud.azure", "azure"),
        ("cloud.google", "google"),
        ("cloud.algolia", "algolia"),
        ("cloud.elasticsearch", "elasticsearch"),
        ("db.external.postgres", "postgres"),
        ("db.external.mysql", "mysql"),
        ("db.external.mssql", "mssql"),
        ("db.external.oracle", "oracle"),
        ("db.external.snowflake", "snowflake"),
        ("zip.", "zip"),
    ] {
        if name.starts_with(prefix) {
            return Some(hint.to_string());
        }
    }
    if name == "util.send_email" {
        return s
            .attribute("service_provider")
            .and_then(|a| a.value.string_value())
            .map(str::to_string);
    }
    None
}

/// The first string literal of an expression (`"https://x/" ~ $id` → `https://x/`).
fn first_string(e: &Expr) -> Option<&str> {
    e.walk().find_map(Expr::string_value)
}

struct Ctx<'c, 'a> {
    ctx: &'c Context<'a>,
    scope: &'c Place<'a>,
}

impl Ctx<'_, '_> {
    fn fix(&self, replace: &Replace, secret: Range<usize>, env: &str) -> Option<Fix> {
        // A field default must stay a literal: the fix is to drop it, which is the author's call.
        if self.scope.field_default {
            return None;
        }
        let text = self.ctx.text();
        let var = format!("$env.{env}");
        let edit = match replace {
            Replace::None => return None,
            Replace::Whole(range) => TextEdit {
                range: range.clone(),
                new_text: var.clone(),
            },
            Replace::Split {
                literal,
                content,
                quote,
                lang,
            } => {
                let prefix = text.get(content.start..secret.start)?;
                let suffix = text.get(secret.end..content.end)?;
                let join = if *lang == Lang::Js { " + " } else { " ~ " };
                let mut parts = Vec::new();
                if !prefix.is_empty() {
                    parts.push(format!("{quote}{prefix}{quote}"));
                }
                parts.push(var.clone());
                if !suffix.is_empty() {
                    parts.push(format!("{quote}{suffix}{quote}"));
                }
                let joined = parts.join(join);
                let new_text = if *lang == Lang::Xs && parts.len() > 1 {
                    format!("({joined})")
                } else {
                    joined
                };
                TextEdit {
                    range: literal.clone(),
                    new_text,
                }
            }
        };
        Some(Fix {
            applicability: crate::finding::Applicability::Unsafe,
            title: format!(
                "Replace the literal with `{var}` (define `{env}` in the workspace's environment variables, then rotate the exposed value)"
            ),
            edits: vec![edit],
        })
    }

    fn disabled_note(&self) -> &'static str {
        if self.scope.in_disabled {
            " (in a disabled statement, which still ships with the code)"
        } else {
            ""
        }
    }
}

/// How a literal meets its name.
enum Role {
    /// Given to the name; the text says where.
    Given(String),
    /// Compared with a request value; the text is that value as written.
    Compared(String),
}

/// What to do with a literal given to a name.
enum KeyVerdict {
    Credential,
    SecretLike,
    Neither,
}

fn judge_key(key: &str, scope: &Place) -> KeyVerdict {
    if is_credential_name(key) {
        return KeyVerdict::Credential;
    }
    // Statement attributes that are credentials by position: the `key` of a crypto statement,
    // the `key`/`secret`/`account_key` of cloud storage.
    if let Some(s) = scope.statement {
        let name = s.name.value.as_str();
        if scope.attribute == Some(key)
            && (name.starts_with("security.") && matches!(key, "key" | "secret")
                || name.starts_with("cloud.")
                    && matches!(key, "key" | "secret" | "account_key" | "access_key"))
        {
            return KeyVerdict::Credential;
        }
    }
    if is_secret_like_name(key) {
        KeyVerdict::SecretLike
    } else {
        KeyVerdict::Neither
    }
}

/// Whether a literal given to a credential parameter is a real value rather than a
/// placeholder, a label, a field name or prose.
fn is_credential_value(value: &str, key: &str) -> bool {
    let v = value.trim();
    if is_placeholder(v) {
        return false;
    }
    // Weak or placeholder passwords are XS502's business.
    if is_password_name(key) && is_weak_password(v) {
        return false;
    }
    let norm = |s: &str| s.to_ascii_lowercase().replace(['_', '-', ' '], "");
    if norm(v) == norm(key) {
        return false;
    }
    // Prose: a label or a message (`"Password must be 8 characters"`).
    if v.contains(char::is_whitespace) {
        return false;
    }
    // A field, variable or constant name (`access_token`, `accessToken`, `TOKEN_EXPIRED`,
    // `password_hash`), or a one-word label (`Passwort`).
    let wordy = v
        .bytes()
        .all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'.' | b'-'));
    if wordy {
        let lower = v.to_ascii_lowercase();
        let names_credential = [
            "token", "password", "passwd", "secret", "key", "auth", "cookie",
        ]
        .iter()
        .any(|w| lower.contains(w));
        let joined = v.contains(['_', '-', '.']) && !v.starts_with(['_', '-', '.']);
        let label = v.len() >= 3
            && v.as_bytes()[0].is_ascii_uppercase()
            && v.bytes().skip(1).all(|b| b.is_ascii_lowercase());
        if names_credential || joined || label {
            return false;
        }
    }
    if v.starts_with("pk_live_") || v.starts_with("pk_test_") {
        return false;
    }
    // Too short to be anyone's credential (`"c"`), or a small number (a game's secret number).
    if v.chars().count() < 3 || v.len() < 6 && v.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if (v.starts_with("http://") || v.starts_with("https://") || v.starts_with('/'))
        && url_passwords(v).is_empty()
    {
        return false;
    }
    !matches!(
        v.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "enabled" | "disabled"
    )
}

fn check_string(
    ctx: &Context,
    expr: &Expr,
    value: &str,
    scope: &Place,
    template: bool,
    out: &mut Vec<Candidate>,
) {
    // The swagger token of an api group is how Xano protects its documentation.
    if scope.object.kind.value == "api_group" && scope.attribute == Some("swagger") {
        return;
    }
    if matches!(scope.attribute, Some("guid" | "canonical")) && scope.statement.is_none() {
        return;
    }
    let text = ctx.text();
    let Some((content, form)) = literal_content(text, &expr.span) else {
        return;
    };
    let c = Ctx { ctx, scope };
    let Some(raw) = text.get(content.clone()) else {
        return;
    };
    let whole = Replace::Whole(expr.span.clone());
    let split = match form {
        LiteralForm::Quoted(q) => Replace::Split {
            literal: expr.span.clone(),
            content: content.clone(),
            quote: q,
            lang: Lang::Xs,
        },
        LiteralForm::Block => Replace::None,
    };
    let hint = service_hint(scope.statement);
    let key_env = |key: &str| match (hint.as_deref(), key) {
        // The names AWS's own tools read.
        (Some("aws"), "key" | "access_key") => "AWS_ACCESS_KEY_ID".to_string(),
        (Some("aws"), "secret") => "AWS_SECRET_ACCESS_KEY".to_string(),
        _ => env_name(key, hint.as_deref()),
    };

    // Vendor formats: everywhere, test data included.
    for k in known_secrets(raw) {
        let range = content.start + k.range.start..content.start + k.range.end;
        let is_whole = raw.trim() == &raw[k.range.clone()];
        let env = match scope.key.filter(|key| {
            !secrets::is_generic_name(key)
                && matches!(
                    judge_key(key, scope),
                    KeyVerdict::Credential | KeyVerdict::SecretLike
                )
        }) {
            Some(key) => key_env(key),
            None => k.env.to_string(),
        };
        let replace = if scope.code {
            code_replace(raw, &content, k.range.clone())
        } else if is_whole {
            Replace::Whole(expr.span.clone())
        } else {
            match &split {
                Replace::Split { .. } => clone_split(&split),
                _ => Replace::None,
            }
        };
        let secret = &raw[k.range.clone()];
        let message = format!(
            "{} is hard-coded in {} (`{}`){}: anyone who can read the source can use it",
            article(k.kind),
            place(scope, scope.key),
            shown_secret(secret),
            c.disabled_note()
        );
        out.push(Candidate {
            fix: c.fix(&replace, range.clone(), &env),
            range,
            priority: 0,
            related: None,
            message,
        });
    }
    if scope.in_test {
        return;
    }
    if scope.code {
        check_code(ctx, expr, scope, Lang::Js, out);
        return;
    }

    // A credential header written as one string: `"X-API-Key: abc"`.
    if let Some(h) = credential_header(raw) {
        let secret = h.value.clone();
        let token = &raw[secret.clone()];
        if !template && !token.is_empty() && is_credential_value(token, h.name) {
            let range = content.start + secret.start..content.start + secret.end;
            let env = header_env(h.name, h.scheme, hint.as_deref());
            let message = format!(
                "the `{}` header{} carries a hard-coded credential (`{}`){}",
                h.name,
                stmt_suffix(scope),
                redact(token, 4),
                c.disabled_note()
            );
            out.push(Candidate {
                fix: c.fix(&clone_split(&split), range.clone(), &env),
                range,
                priority: 1,
                related: None,
                message,
            });
        }
        return;
    }

    // The value of a header built by concatenation: `"Authorization: Bearer " ~ "abc"`.
    if let Some(left) = scope.concat_left.and_then(Expr::string_value)
        && let Some(h) = credential_header(left)
            .map(|h| {
                (
                    h.name.to_string(),
                    h.scheme.map(str::to_string),
                    h.value.is_empty(),
                )
            })
            .or_else(|| {
                let l = left.trim().to_ascii_lowercase();
                matches!(l.as_str(), "bearer" | "basic" | "token").then(|| {
                    (
                        "Authorization".to_string(),
                        Some(left.trim().to_string()),
                        true,
                    )
                })
            })
        && h.2
    {
        report_value(&c, expr, value, &h.0, None, out, 1, |key| {
            header_env(key, h.1.as_deref(), hint.as_deref())
        });
        return;
    }

    // The argument that fills a header template or keys a crypto filter.
    if let Some(fa) = scope.filter_arg {
        let base_header = fa
            .base
            .string_value()
            .and_then(credential_header)
            .map(|h| (h.name.to_string(), h.scheme.map(str::to_string)));
        let fills = match fa.filter {
            "sprintf" | "concat" | "append" | "prepend" => true,
            "replace" => fa.index == 1,
            _ => false,
        };
        if let Some((name, scheme)) = base_header.filter(|_| fills) {
            let v = value.trim();
            if v.chars().count() >= 6 && is_credential_value(v, &name) {
                let search = (fa.filter == "replace")
                    .then(|| template_search(ctx, expr))
                    .flatten();
                let env = match (search, hint.as_deref()) {
                    (Some(s), Some(h)) => env_name(&format!("{h}_{s}"), None),
                    (Some(s), None) => env_name(&s, None),
                    (None, h) => header_env(&name, scheme.as_deref(), h),
                };
                let message = format!(
                    "the `{name}` header{} is filled with a hard-coded credential (`{}`, {} characters){}",
                    stmt_suffix(scope),
                    redact(v, 4),
                    v.chars().count(),
                    c.disabled_note()
                );
                out.push(Candidate {
                    fix: c.fix(&whole, content.clone(), &env),
                    range: content.clone(),
                    priority: 1,
                    related: None,
                    message,
                });
            }
            return;
        }
        if let Some(env) = crypto_filter_env(fa.filter)
            && !looks_like_algorithm(value)
            && !is_placeholder(value)
            && !value.contains(char::is_whitespace)
        {
            let message = format!(
                "the key of {} is hard-coded (`{}`){}",
                place(scope, None),
                redact(value, 4),
                c.disabled_note()
            );
            out.push(Candidate {
                fix: c.fix(&whole, content.clone(), env),
                range: content.clone(),
                priority: 2,
                related: None,
                message,
            });
            return;
        }
    }

    // Passwords in connection URLs.
    for r in url_passwords(raw) {
        let range = content.start + r.start..content.start + r.end;
        let env = match (scope.key.filter(|k| *k != "value"), hint.as_deref()) {
            (Some(k), Some(h)) if !k.contains(h) => env_name(&format!("{h}_{k}"), None),
            (Some(k), _) => env_name(k, None),
            (None, Some(h)) => env_name(&format!("{h}_url"), None),
            (None, None) => "DATABASE_URL".to_string(),
        };
        let message = format!(
            "the URL in {} embeds a hard-coded password{}",
            place(scope, scope.key),
            c.disabled_note()
        );
        // The whole URL moves to the environment: it is one setting.
        out.push(Candidate {
            fix: c.fix(&whole, content.clone(), &env),
            range,
            priority: 2,
            related: None,
            message,
        });
    }

    // Credentials in a URL's query string.
    for r in secrets::url_query_credentials(raw) {
        let range = content.start + r.start..content.start + r.end;
        let param = raw[..r.start]
            .rsplit(['?', '&'])
            .next()
            .unwrap_or("")
            .trim_end_matches('=');
        let message = format!(
            "the URL in {} carries a hard-coded `{param}` (`{}`){}",
            place(scope, scope.key),
            redact(&raw[r.clone()], 4),
            c.disabled_note()
        );
        out.push(Candidate {
            fix: c.fix(
                &clone_split(&split),
                range.clone(),
                &env_name(param, hint.as_deref()),
            ),
            range,
            priority: 2,
            related: None,
            message,
        });
    }

    // A value given to a credential parameter, or a random one given to a secret-like name.
    let named = scope
        .key
        .filter(|k| !(*k == "value" && scope.statement.is_none()))
        // `report_value` says where the key is given only when it reports.
        .map(|k| (k.to_string(), None))
        .or_else(|| {
            // `$input.api_key == "..."`, `$env.$http_headers["x-api-key"] == "..."`; passwords
            // compared with literals are XS502's backdoors.
            let other = scope.compared_with?;
            let (root, name) = compared_name(other)?;
            (matches!(root, "input" | "env")
                && value.trim().chars().count() >= 6
                && !is_password_name(name)
                && (is_credential_name(name) || secrets::is_credential_header_name(name)))
            .then(|| {
                let shown = ctx.source(&other.span).trim().to_string();
                (name.to_string(), Some(Role::Compared(shown)))
            })
        })
        .or_else(|| {
            // `$obj|set:"client_secret":"..."`, `$url|url_addarg:"api_key":"..."`.
            let fa = scope.filter_arg?;
            if !matches!(
                fa.filter,
                "set" | "set_conditional" | "set_ifnotempty" | "set_ifnotnull" | "url_addarg"
            ) || fa.index != 1
            {
                return None;
            }
            let key = fa.args.first()?.string_value()?;
            let mut parent = scope.clone();
            parent.filter_arg = None;
            parent.key = fa.owner_key;
            let where_ = place(&parent, fa.owner_key);
            Some((
                key.to_string(),
                Some(Role::Given(format!(
                    "`{key}` (set by `|{}` in {where_})",
                    fa.filter
                ))),
            ))
        });
    if let Some((key, role)) = named {
        report_value(&c, expr, value, &key, role, out, 3, |k| key_env(k));
    }

    // JSON, HTML pages and other text: `"apiKey": "…"` pairs inside the string.
    let trimmed = value.trim_start();
    if (form == LiteralForm::Block || trimmed.starts_with('{') || trimmed.starts_with('['))
        && !raw.contains("\\\"")
    {
        check_code(ctx, expr, scope, Lang::Text, out);
    }

    // `Bearer <token>` anywhere else.
    for r in bearer_tokens(raw) {
        let range = content.start + r.start..content.start + r.end;
        let message = format!(
            "a hard-coded bearer token (`{}`) in {}{}",
            redact(&raw[r.clone()], 4),
            place(scope, scope.key),
            c.disabled_note()
        );
        out.push(Candidate {
            fix: c.fix(
                &clone_split(&split),
                range.clone(),
                &env_name("Authorization", hint.as_deref()),
            ),
            range,
            priority: 2,
            related: None,
            message,
        });
    }
}

/// The request value a literal is compared with: `$input.api_key`,
/// `$env.$http_headers["x-api-key"]`, `$env.$http_headers|get:"x-api-key"`.
fn compared_name(e: &Expr) -> Option<(&str, &str)> {
    match &e.kind {
        ExprKind::Var(v) => Some((v.root.as_str(), var_last_name(e)?)),
        ExprKind::Filtered { value, filters } => {
            let root = value.as_var()?.root.as_str();
            let get = filters.iter().find(|f| f.name.value == "get")?;
            Some((root, get.arguments.first()?.string_value()?))
        }
        _ => None,
    }
}

/// Reports a literal given to `key` when the key makes it a credential.
#[allow(clippy::too_many_arguments)]
fn report_value(
    c: &Ctx,
    expr: &Expr,
    value: &str,
    key: &str,
    role: Option<Role>,
    out: &mut Vec<Candidate>,
    priority: u8,
    env: impl Fn(&str) -> String,
) {
    let text = c.ctx.text();
    let Some((content, _)) = literal_content(text, &expr.span) else {
        return;
    };
    // `Authorization: "Bearer abc"` as an object value: the credential is after the scheme.
    let header_like = takes_scheme(key);
    let (scheme, secret) = if header_like {
        secrets::split_scheme(text, content.clone())
    } else {
        (None, content.clone())
    };
    let token = text.get(secret.clone()).unwrap_or("");
    let verdict = if header_like {
        KeyVerdict::Credential
    } else {
        judge_key(key, c.scope)
    };
    let (is_secret, what) = match verdict {
        KeyVerdict::Credential => (
            !token.is_empty()
                && is_credential_value(&unescape_like(token, value, scheme.is_none()), key),
            "a hard-coded credential",
        ),
        KeyVerdict::SecretLike => {
            let v = value.trim();
            let strong = !snake_words_has_only_key(key);
            (
                looks_random(v) && (strong || !is_hex(v) && !is_object_id(v)) && !is_placeholder(v),
                "a hard-coded secret-looking value",
            )
        }
        KeyVerdict::Neither => (false, ""),
    };
    if !is_secret {
        return;
    }
    let whole = scheme.is_none();
    let replace = if whole {
        Replace::Whole(expr.span.clone())
    } else {
        match literal_content(text, &expr.span) {
            Some((content, LiteralForm::Quoted(q))) => Replace::Split {
                literal: expr.span.clone(),
                content,
                quote: q,
                lang: Lang::Xs,
            },
            _ => Replace::None,
        }
    };
    let shown = redact(token, 4);
    let n = token.chars().count();
    let plural = if n == 1 { "" } else { "s" };
    let message = if priority == 1 {
        // The value completes a header string.
        format!(
            "the `{key}` header{} is built from {what} (`{shown}`, {n} character{plural}){}",
            stmt_suffix(c.scope),
            c.disabled_note()
        )
    } else {
        let (subject, verb) = match role {
            Some(Role::Compared(other)) => (format!("`{other}`"), "is compared with"),
            Some(Role::Given(place)) => (place, "is given"),
            None => (place(c.scope, Some(key)), "is given"),
        };
        format!(
            "{} {verb} {what} (`{shown}`, {n} character{plural}){}",
            subject,
            c.disabled_note()
        )
    };
    out.push(Candidate {
        fix: c.fix(&replace, secret.clone(), &env(key)),
        range: secret,
        priority,
        message,
        related: None,
    });
}

/// Names whose values start with an auth scheme (`Bearer abc`).
fn takes_scheme(key: &str) -> bool {
    matches!(
        key.to_ascii_lowercase().as_str(),
        "authorization" | "proxy-authorization" | "proxy_authorization"
    )
}

/// The unescaped value when the whole literal is the credential, else the source slice.
fn unescape_like(slice: &str, value: &str, whole: bool) -> String {
    if whole {
        value.to_string()
    } else {
        slice.to_string()
    }
}

/// Whether a value is a public object id of a well-known API (`price_1Nq…`, `cus_…`).
fn is_object_id(v: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "price_", "prod_", "cus_", "sub_", "pi_", "acct_", "evt_", "ch_", "in_", "pm_", "seti_",
        "si_", "plan_", "txn_", "po_", "tr_", "cs_", "prc_", "ii_", "il_", "card_", "src_", "tok_",
    ];
    PREFIXES.iter().any(|p| v.starts_with(p))
}

/// Whether a name's only secret-like word is a bare `key` (`lookup_key`): then hex digests
/// are not taken for secrets.
fn snake_words_has_only_key(name: &str) -> bool {
    let words = crate::semantics::names::snake_words(name);
    !words.iter().any(|w| {
        matches!(
            w.as_str(),
            "secret"
                | "token"
                | "password"
                | "apikey"
                | "private"
                | "salt"
                | "hmac"
                | "jwt"
                | "signing"
                | "credential"
                | "credentials"
                | "auth"
                | "bearer"
                | "pepper"
        )
    })
}

/// The env variable for a crypto filter's key.
fn crypto_filter_env(filter: &str) -> Option<&'static str> {
    match filter {
        "hmac_md5" | "hmac_sha1" | "hmac_sha256" | "hmac_sha384" | "hmac_sha512" => {
            Some("HMAC_SECRET")
        }
        "encrypt" | "decrypt" => Some("ENCRYPTION_KEY"),
        "jws_encode" | "jws_decode" | "jwe_encode" | "jwe_decode" => Some("JWT_SECRET"),
        "secureid_encode" | "secureid_decode" => Some("SECUREID_SALT"),
        _ => None,
    }
}

/// The env variable for a header's credential.
fn header_env(name: &str, scheme: Option<&str>, hint: Option<&str>) -> String {
    let lower = name.to_ascii_lowercase();
    if lower == "authorization" || lower == "proxy-authorization" {
        let what = match scheme.map(str::to_ascii_lowercase).as_deref() {
            Some("basic") => "basic_auth",
            _ => "api_token",
        };
        return env_name(what, hint);
    }
    env_name(name, hint)
}

/// The search text of the `replace` whose replacement is `arg` (`PUB` of `|replace:"PUB":"…"`).
fn template_search(ctx: &Context, arg: &Expr) -> Option<String> {
    // The search literal sits just before the replacement: `:"PUB":"value"`.
    let text = ctx.text();
    let before = text.get(..arg.span.start)?.trim_end().strip_suffix(':')?;
    let before = before.trim_end();
    let q = before.chars().last()?;
    if q != '"' && q != '\'' {
        return None;
    }
    let inner = &before[..before.len() - 1];
    let start = inner.rfind(q)?;
    let search = &inner[start + 1..];
    (!search.is_empty()
        && search
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_'))
    .then(|| search.to_string())
}

fn clone_split(r: &Replace) -> Replace {
    match r {
        Replace::Split {
            literal,
            content,
            quote,
            lang,
        } => Replace::Split {
            literal: literal.clone(),
            content: content.clone(),
            quote: *quote,
            lang: *lang,
        },
        Replace::Whole(r) => Replace::Whole(r.clone()),
        Replace::None => Replace::None,
    }
}

/// How to replace a vendor-format secret found inside lambda code.
fn code_replace(raw: &str, content: &Range<usize>, secret: Range<usize>) -> Replace {
    for s in code_strings(raw) {
        if s.content.start <= secret.start && secret.end <= s.content.end && s.quote != '`' {
            return code_string_replace(&s, content.start, secret.clone(), Lang::Js);
        }
    }
    Replace::None
}

fn code_string_replace(s: &CodeString, offset: usize, secret: Range<usize>, lang: Lang) -> Replace {
    if lang == Lang::Text {
        return Replace::None;
    }
    if s.content == secret {
        Replace::Whole(offset + s.literal.start..offset + s.literal.end)
    } else {
        Replace::Split {
            literal: offset + s.literal.start..offset + s.literal.end,
            content: offset + s.content.start..offset + s.content.end,
            quote: s.quote,
            lang,
        }
    }
}

/// Literals inside code (lambda JavaScript, backtick expressions): credentials given to
/// names, credential headers, bearer tokens; vendor formats are found by the caller for
/// lambda code and here for expression literals.
fn check_code(ctx: &Context, expr: &Expr, scope: &Place, lang: Lang, out: &mut Vec<Candidate>) {
    let text = ctx.text();
    // The code's text in the file: the content of the literal, or the backtick block.
    let content = match literal_content(text, &expr.span) {
        Some((content, _)) => content,
        None => {
            let raw = text.get(expr.span.clone()).unwrap_or("");
            let ticks = if raw.starts_with("```") { 3 } else { 1 };
            if raw.len() < 2 * ticks {
                return;
            }
            expr.span.start + ticks..expr.span.end - ticks
        }
    };
    let Some(code) = text.get(content.clone()) else {
        return;
    };
    let c = Ctx { ctx, scope };
    if lang == Lang::Xs {
        for k in known_secrets(code) {
            let range = content.start + k.range.start..content.start + k.range.end;
            let replace = code_strings(code)
                .iter()
                .find(|s| s.content.start <= k.range.start && k.range.end <= s.content.end)
                .map_or(Replace::None, |s| {
                    code_string_replace(s, content.start, range.clone(), Lang::Xs)
                });
            let secret = &code[k.range.clone()];
            out.push(Candidate {
                fix: c.fix(&replace, range.clone(), k.env),
                message: format!(
                    "{} is hard-coded in {} (`{}`){}",
                    article(k.kind),
                    place(scope, scope.key),
                    shown_secret(secret),
                    c.disabled_note()
                ),
                range,
                priority: 0,
                related: None,
            });
        }
        if scope.in_test {
            return;
        }
    }
    let where_ = match lang {
        Lang::Js => place(scope, None),
        Lang::Xs => format!("the expression in {}", place(scope, scope.key)),
        Lang::Text => format!("the text of {}", place(scope, scope.key)),
    };
    // In free text only values that look machine-made count.
    let strong = |token: &str| {
        lang != Lang::Text
            || token.chars().count() >= 8
                && token.bytes().any(|b| b.is_ascii_digit())
                && token.bytes().any(|b| b.is_ascii_alphabetic())
    };
    for s in code_strings(code) {
        let value = &code[s.content.clone()];
        let abs = content.start + s.content.start..content.start + s.content.end;
        if value.contains('\\') || value.contains("${") {
            continue;
        }
        // `"Authorization: Bearer abc"` as a code string.
        if let Some(h) = credential_header(value) {
            let token = &value[h.value.clone()];
            if !token.is_empty() && is_credential_value(token, h.name) && strong(token) {
                let range = abs.start + h.value.start..abs.start + h.value.end;
                out.push(Candidate {
                    fix: c.fix(
                        &code_string_replace(&s, content.start, range.clone(), lang),
                        range.clone(),
                        &header_env(h.name, h.scheme, None),
                    ),
                    message: format!(
                        "the `{}` header in {where_} carries a hard-coded credential (`{}`){}",
                        h.name,
                        redact(token, 4),
                        c.disabled_note()
                    ),
                    range,
                    priority: 1,
                    related: None,
                });
            }
            continue;
        }
        if let Some(key) = s.key.as_deref() {
            let header_like = takes_scheme(key);
            let (scheme, secret) = if header_like {
                secrets::split_scheme(code, s.content.clone())
            } else {
                (None, s.content.clone())
            };
            let token = &code[secret.clone()];
            let verdict = if header_like || is_credential_name(key) {
                KeyVerdict::Credential
            } else if is_secret_like_name(key) {
                KeyVerdict::SecretLike
            } else {
                KeyVerdict::Neither
            };
            let is_secret = match verdict {
                // Comparing a password with a literal is XS502's backdoor.
                KeyVerdict::Credential => {
                    (!s.compared || !is_password_name(key))
                        && !token.is_empty()
                        && is_credential_value(token, key)
                        && strong(token)
                }
                KeyVerdict::SecretLike => {
                    looks_random(token) && (!snake_words_has_only_key(key) || !is_hex(token))
                }
                KeyVerdict::Neither => false,
            };
            if is_secret {
                let range = content.start + secret.start..content.start + secret.end;
                let env = if header_like {
                    header_env(key, scheme, None)
                } else {
                    env_name(key, None)
                };
                out.push(Candidate {
                    fix: c.fix(
                        &code_string_replace(&s, content.start, range.clone(), lang),
                        range.clone(),
                        &env,
                    ),
                    message: format!(
                        "`{key}` in {where_} is given a hard-coded credential (`{}`, {} characters){}",
                        redact(token, 4),
                        token.chars().count(),
                        c.disabled_note()
                    ),
                    range,
                    priority: 3,
 related: None,
                });
                continue;
            }
        }
        for r in bearer_tokens(value) {
            let range = abs.start + r.start..abs.start + r.end;
            out.push(Candidate {
                fix: c.fix(
                    &code_string_replace(&s, content.start, range.clone(), lang),
                    range.clone(),
                    "API_TOKEN",
                ),
                message: format!(
                    "a hard-coded bearer token (`{}`) in {where_}{}",
                    redact(&value[r.clone()], 4),
                    c.disabled_note()
                ),
                range,
                priority: 2,
                related: None,
            });
        }
    }
}

fn stmt_suffix(scope: &Place) -> String {
    scope
        .statement
        .map(|s| format!(" of `{}`", s.name.value))
        .unwrap_or_default()
}

/// What a message shows of a vendor-format secret: a private key's header line, or the
/// prefix and a few characters.
fn shown_secret(secret: &str) -> String {
    if secret.starts_with("-----BEGIN ") {
        return secret.lines().next().unwrap_or(secret).trim().to_string();
    }
    redact(secret, prefix_len(secret))
}

/// How much of a vendor-format secret to show: its prefix and a few characters.
fn prefix_len(secret: &str) -> usize {
    let prefix = secret.find(['_', '-']).map_or(4, |i| i + 1);
    let prefix = if secret.starts_with("sk_live_") || secret.starts_with("rk_live_") {
        8
    } else {
        prefix
    };
    (prefix + 4).min(12)
}

fn article(kind: &str) -> String {
    let a = if kind.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{a} {kind}")
}
