//! ## What it does
//! Reports the `md5` and `sha1` filters (and their `hmac_` forms) applied to a password: an
//! input named like one (`password`, `new_password`, `pwd`, `passcode`, `pin`) or declared with
//! type `password`, a record's password column (`$user.password`), or a variable holding any
//! of them, also salted or concatenated (`($salt ~ $input.password)|md5`). Passwords passed to
//! a function that hashes its input this way are reported at the `function.run`, with the
//! hashing as a related location.
//!
//! ## Why is this bad?
//! MD5 and SHA-1 are fast: a graphics card tries billions of guesses a second, so a leaked
//! table of such hashes gives up most passwords in hours, salt or no salt
//! (CWE-916: Use of Password Hash With Insufficient Computational Effort; OWASP API2:2023
//! Broken Authentication).
//!
//! ## Example
//! ```xs
//! db.add legacy_user {
//!   data = {email: $input.email, password_hash: $input.password|md5}
//! } as $user
//! ```
//!
//! ## Fix
//! Store the password in a field of type `password`, which Xano hashes with bcrypt, and check
//! it with `security.check_password`:
//! ```xs
//! db.add user {
//!   data = {email: $input.email, password: $input.password}
//! } as $user
//! ```
//! No automatic fix: existing hashes have to be migrated (rehash at the next successful login).
//!
//! ## Not flagged
//! `md5`/`sha1` of values that are not passwords (e-mails for Gravatar, file contents, reset
//! tokens, cache keys, random values from `security.create_password` stored as API keys);
//! disabled statements; test blocks.

use std::collections::HashSet;

use crate::analysis::flow::target_name;
use crate::analysis::secrets::{self, is_password_name};
use crate::model::enabled_statements;
use crate::model::{Expr, ExprKind, Filter, Object, PairKey, Segment, Span, Statement, VarPath};
use crate::semantics::statements::VarWrite;
use crate::workspace::calls::{CallPath, is_call};
use crate::workspace::{ObjectRef, Workspace};

use super::context::{Context, Diagnostic};
use crate::finding::Severity;

use super::rule::Rule;

pub const CODE: &str = "XS503";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "weak-hash",
    severity: Severity::Warning,
    cwe: Some("CWE-916"),
    summary: "`md5` or `sha1` is applied to a password-like value.",
    fixable: false,
    safe_fixes: false,
    check: Some(check),
};

const HELP: &str = "A leaked hash of this kind gives up most passwords in hours: store passwords in a `password` field (bcrypt) and check them with `security.check_password`";

const WEAK: &[&str] = &["md5", "sha1", "hmac_md5", "hmac_sha1"];

pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for object in ctx.all_objects() {
        let passwords = Passwords::of(object, &HashSet::new());
        for hit in passwords.hashes() {
            let message = format!(
                "{} is hashed with `{}`, which is fast to brute-force",
                describe(ctx.source(&hit.source)),
                hit.filter
            );
            out.push(Diagnostic::new(CODE, hit.span, message).with_help(HELP));
        }
        out.extend(calls(ctx, object, &passwords));
    }
    out
}

fn describe(source: &str) -> String {
    format!("the password `{}`", source.trim())
}

/// A weak hash of a password.
struct Hit {
    /// The filtered expression.
    span: Span,
    filter: String,
    /// The password value inside it.
    source: Span,
}

/// Which values of one object are passwords.
struct Passwords<'a> {
    object: &'a Object,
    /// Inputs that hold passwords: by name, by type, or given one by a caller.
    inputs: HashSet<String>,
    /// Stack variables that hold passwords.
    vars: HashSet<String>,
}

impl<'a> Passwords<'a> {
    fn of(object: &'a Object, seeded: &HashSet<String>) -> Self {
        let mut inputs: HashSet<String> = seeded.clone();
        if let Some(list) = object.fields("input") {
            for f in &list.fields {
                if let Some(name) = &f.name
                    && (f.ty.value.eq_ignore_ascii_case("password")
                        || is_password_name(&name.value))
                {
                    inputs.insert(name.value.clone());
                }
            }
        }
        let mut p = Passwords {
            object,
            inputs,
            vars: HashSet::new(),
        };
        let statements = object.stack().map(enabled_statements).unwrap_or_default();
        for _ in 0..8 {
            let before = p.vars.len();
            for s in &statements {
                p.bind(s);
            }
            if p.vars.len() == before {
                break;
            }
        }
        p
    }

    fn bind(&mut self, s: &Statement) {
        let name = s.name.value.as_str();
        let value = s.attribute("value").map(|a| &a.value);
        let holds = |e: &Expr| self.password_in(e).is_some() && !ends_hashed(e);
        match name {
            _ if VarWrite::of(name).is_some_and(VarWrite::builds_text) => {
                if let (Some(target), Some(v)) = (s.first_expr().and_then(Expr::as_var), value)
                    && holds(v)
                {
                    let t = target_name(target).to_string();
                    self.vars.insert(t);
                }
            }
            _ if name.starts_with("text.") || name.starts_with("array.") => {
                if let Some(alias) = s.alias_name()
                    && s.first_expr().or(value).is_some_and(holds)
                {
                    self.vars.insert(alias.to_string());
                }
            }
            _ => {}
        }
    }

    /// Whether a variable path is a password.
    fn is_password_path(&self, path: &VarPath) -> bool {
        let fields: Vec<&str> = path
            .segments
            .iter()
            .filter_map(|s| match s {
                Segment::Field(f) => Some(f.as_str()),
                Segment::Index(i) => i.string_value(),
            })
            .collect();
        match path.root.as_str() {
            "input" => {
                fields.first().is_some_and(|f| self.inputs.contains(*f))
                    || fields.iter().any(|f| is_password_name(f))
            }
            "var" => {
                fields
                    .first()
                    .is_some_and(|f| self.vars.contains(*f) || is_password_name(f))
                    || fields.iter().skip(1).any(|f| is_password_name(f))
            }
            "auth" | "db" | "this" | "index" | "response" | "error" => false,
            root => {
                self.vars.contains(root)
                    || is_password_name(root)
                    || fields.iter().any(|f| is_password_name(f))
            }
        }
    }

    /// The first password value inside `expr`.
    fn password_in(&self, expr: &Expr) -> Option<Span> {
        expr.walk().find_map(|e| match &e.kind {
            ExprKind::Var(path) if self.is_password_path(path) => Some(e.span.clone()),
            ExprKind::ExpressionLiteral(text) => self
                .vars
                .iter()
                .find(|v| mentions(text, v))
                .map(|_| e.span.clone()),
            _ => None,
        })
    }

    /// The weak hashes of passwords in the object's enabled, non-test code.
    fn hashes(&self) -> Vec<Hit> {
        let mut out = Vec::new();
        secrets::walk_object(self.object, &mut |expr, scope| {
            if scope.in_disabled || scope.in_test {
                return;
            }
            let ExprKind::Filtered { value, filters } = &expr.kind else {
                return;
            };
            let Some(i) = filters
                .iter()
                .position(|f| !f.disabled && WEAK.contains(&f.name.value.as_str()))
            else {
                return;
            };
            // What reaches the weak filter: the value and the arguments of earlier filters.
            let source = self.password_in(value).or_else(|| {
                filters[..i]
                    .iter()
                    .flat_map(|f: &Filter| &f.arguments)
                    .find_map(|a| self.password_in(a))
            });
            if let Some(source) = source {
                out.push(Hit {
                    span: expr.span.clone(),
                    filter: filters[i].name.value.clone(),
                    source,
                });
            }
        });
        out
    }
}

/// Whether the value is already a digest (`$x|sha256`): a hash of it is not a password hash.
fn ends_hashed(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Filtered { filters, .. } => filters.last().is_some_and(|f| {
            matches!(
                f.name.value.as_str(),
                "md5"
                    | "sha1"
                    | "sha256"
                    | "sha384"
                    | "sha512"
                    | "hmac_md5"
                    | "hmac_sha1"
                    | "hmac_sha256"
                    | "hmac_sha384"
                    | "hmac_sha512"
            )
        }),
        _ => false,
    }
}

fn mentions(text: &str, var: &str) -> bool {
    let needle = format!("${var}");
    text.match_indices(&needle).any(|(i, _)| {
        text[i + needle.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
    })
}

/// Passwords passed to functions that hash them weakly, reported at the `function.run`.
fn calls(ctx: &Context, object: &Object, passwords: &Passwords) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let statements = object.stack().map(enabled_statements).unwrap_or_default();
    for s in statements {
        if !is_call(s) {
            continue;
        }
        let seeds = password_arguments(s, passwords);
        if seeds.is_empty() {
            continue;
        }
        let Some(name) = s.target_name() else {
            continue;
        };
        let Some((function, inner)) = CallPath::start(object).enter(ctx.ws, s) else {
            continue;
        };
        let mut visited = HashSet::new();
        if let Some((path, hit, callee)) =
            callee_hash(ctx.ws, function, &seeds, &inner, &mut visited)
        {
            let arg = seeds
                .iter()
                .map(|(_, src)| src.as_str())
                .next()
                .unwrap_or("the password");
            let message = format!(
                "the password `{arg}` is passed to `{}`, which hashes it with `{}`",
                name.value, hit.filter
            );
            out.push(
                Diagnostic::new(CODE, s.span.start..name.span.end, message)
                    .with_help(HELP)
                    .with_related(
                        &path,
                        hit.span,
                        format!("`{callee}` hashes it with `{}` here", hit.filter),
                    ),
            );
        }
    }
    out
}

/// The inputs of a call that receive a password: (input name, source text of the value).
fn password_arguments(s: &Statement, passwords: &Passwords) -> Vec<(String, String)> {
    let Some(input) = s.attribute("input") else {
        return Vec::new();
    };
    let ExprKind::Object(pairs) = &input.value.kind else {
        return Vec::new();
    };
    pairs
        .iter()
        .filter_map(|p| {
            let PairKey::Name(k) = &p.key else {
                return None;
            };
            passwords.password_in(&p.value)?;
            let src = match &p.value.kind {
                ExprKind::Var(v) => format!("${}{}", v.root, path_text(v)),
                _ => k.value.clone(),
            };
            Some((k.value.clone(), src))
        })
        .collect()
}

fn path_text(v: &VarPath) -> String {
    v.field_names().map(|f| format!(".{f}")).collect()
}

/// The first weak hash a function applies to the seeded inputs (following its own calls),
/// when the function would not report it itself (the input is not named like a password).
fn callee_hash(
    ws: &Workspace,
    callee: &ObjectRef,
    seeds: &[(String, String)],
    path: &CallPath,
    visited: &mut HashSet<String>,
) -> Option<(String, Hit, String)> {
    let object = callee.object();
    let name = object.name.as_ref()?.value.as_str();
    if !visited.insert(name.to_string()) {
        return None;
    }
    let seeded: HashSet<String> = seeds
        .iter()
        .map(|(k, _)| k.clone())
        .filter(|k| !is_password_name(k))
        .collect();
    if seeded.is_empty() {
        return None;
    }
    let own: Vec<Span> = Passwords::of(object, &HashSet::new())
        .hashes()
        .into_iter()
        .map(|h| h.span)
        .collect();
    let with = Passwords::of(object, &seeded);
    if let Some(hit) = with.hashes().into_iter().find(|h| !own.contains(&h.span)) {
        return Some((callee.file.path.clone(), hit, name.to_string()));
    }
    let statements = object.stack().map(enabled_statements).unwrap_or_default();
    for (s, function, inner) in path.calls(ws, &statements) {
        let next = password_arguments(s, &with);
        if next.is_empty() {
            continue;
        }
        if let Some(found) = callee_hash(ws, function, &next, &inner, visited) {
            return Some(found);
        }
    }
    None
}
