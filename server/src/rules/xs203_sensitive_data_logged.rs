//! ## What it does
//! Reports a sensitive value written to a log:
//! - `debug.log` (and `datadog.log` / `datadog.log_bulk`) of a sensitive value;
//! - inside `util.post_process`, a sensitive value sent out (`api.request`, `function.run`,
//!   `util.send_email`, realtime events) after the response;
//! - a create or update of a log-like table (its name has the word log, audit, history, event,
//!   webhook or request) whose `data` holds a sensitive value, such as `$input` or the raw request
//!   body stored whole;
//! - `function.run` of a logging function (named with log or audit, such as Xano's template
//!   `create_event_log`, or a function whose stack logs that input) given a sensitive value.
//!
//! Sensitive values are: an input XS201 considers sensitive (named like a credential or regulated
//! personal data, of type `password`, or marked `sensitive = true`); `$input` as a whole when the
//! inputs include such a field or personal data (e-mail, phone, name, address); the raw request
//! body (`util.get_raw_input`, `util.get_all_input`); the token returned by
//! `security.create_auth_token`; the response of an OAuth token request (`.../token`, or one sent
//! with `grant_type` / `client_secret`); a record read from the database that carries a sensitive
//! column (`$user`, `$user.password`); an environment variable named like a secret
//! (`$env.STRIPE_SECRET_KEY`). Values derived from them through `var`, filters and concatenation
//! count too.
//!
//! ## Why is this bad?
//! Logs and log tables are read by more people, kept longer and protected less than the data
//! itself; Xano's request history and debug output are visible to the whole team. A password or
//! token there can be replayed, and personal data there escapes deletion requests
//! (CWE-532: Insertion of Sensitive Information into Log File; OWASP API8:2023 Security
//! Misconfiguration).
//!
//! ## Example
//! ```xs
//! query "auth/login" verb=POST {
//!   api_group = "Authentication"
//!   input {
//!     email email
//!     text password
//!   }
//!   stack {
//!     debug.log {
//!       value = $input
//!     }
//!   }
//!   response = null
//! }
//! ```
//!
//! ## Fix
//! Log identifiers and outcomes, not secrets (`{user_id: $user.id, ok: true}`); store in log tables
//! the fields that are needed, not the whole request. For `debug.log`, the fix offered switches the
//! statement off (`!debug.log`), which Xano keeps in the stack without running it.
//!
//! ## Not flagged
//! - Values that no longer hold the secret: lengths and tests (`|strlen`, `|count`, `|is_empty`,
//!   comparisons), `|unset` of the input.
//! - `$input` as a whole when no input is sensitive or personal (`{page, per_page}`).
//! - Writes of the whole request to tables that are not log-like (that is XS103's business), and
//!   sensitive values stored in ordinary tables (`db.edit user {data = {password: ...}}`).
//! - Records whose sensitive columns the read's `output` leaves out, or that Xano hides
//!   (`visibility = "internal"`) unless the `output` names them.
//! - Disabled statements and `workflow_test` objects.

use std::collections::{HashMap, HashSet};

use crate::analysis::callers::InputTaint;
use crate::analysis::exposure::is_log_table;
use crate::analysis::flow::Flow;
use crate::finding::{Fix, TextEdit};
use crate::model::{BinaryOp, Expr, ExprKind, Object, Segment, Statement};
use crate::model::{enabled_statements, object_statements};
use crate::semantics::filters::FilterResult;
use crate::semantics::statements::{Db, VarWrite, reads_raw_request};
use crate::workspace::calls::is_call;
use crate::workspace::is_personal_name;
use crate::workspace::sensitivity::{
    DataKind, field_sensitivity, is_flagged, nested_schema, sensitive_word, table_fields_of_kind,
};

use super::context::{Context, Diagnostic};
use crate::finding::Severity;

use super::rule::Rule;

pub const CODE: &str = "XS203";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "sensitive-data-logged",
    severity: Severity::Warning,
    cwe: Some("CWE-532"),
    summary: "A sensitive value or the whole request is logged or stored in a log table.",
    fixable: true,
    safe_fixes: false,
    check: Some(check),
};

/// Object kinds with a stack that can log.
const STACK_KINDS: &[&str] = &[
    "query",
    "function",
    "task",
    "middleware",
    "tool",
    "table_trigger",
    "realtime_trigger",
    "workspace_trigger",
    "agent_trigger",
    "mcp_server_trigger",
];

/// Statements inside `util.post_process` that send a value out of the stack.
const OUTBOUND: &[&str] = &[
    "api.request",
    "api.call",
    "function.run",
    "function.call",
    "util.send_email",
    "api.realtime_event",
    "realtime.publish",
    "datadog.log",
    "datadog.log_bulk",
    "datadog.metric",
    "datadog.metric_bulk",
];

/// Why a logged secret matters and what to log instead.
const LOG_HELP: &str = "Logs keep values in clear and are read by more people, and tools, than the data itself: log an id or a masked value instead";

pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for object in ctx.all_objects() {
        if !STACK_KINDS.contains(&object.kind.value.as_str()) || !has_sink(object) {
            continue;
        }
        let secrets = Secrets::of(ctx, object);
        check_object(ctx, object, &secrets, &mut out);
    }
    out
}

/// Whether a stack logs at all (most do not: skip the analysis).
fn has_sink(object: &Object) -> bool {
    object_statements(object).iter().any(|s| {
        let name = s.name.value.as_str();
        matches!(
            name,
            "debug.log"
                | "datadog.log"
                | "datadog.log_bulk"
                | "util.post_process"
                | "function.run"
                | "function.call"
        ) || (Db::of(name).is_some_and(Db::stores_values)
            && s.target_name().is_some_and(|t| is_log_table(&t.value)))
    })
}

/// What counts as sensitive in one object's stack.
struct Secrets<'a> {
    /// Sensitive inputs by name, with why.
    inputs: HashMap<String, String>,
    /// The sensitive or personal input that makes `$input` as a whole sensitive.
    whole_input: Option<String>,
    /// Variables holding a sensitive value, with a description of it.
    vars: HashMap<String, String>,
    /// Record variables and their tables' sensitive fields.
    records: HashMap<String, (String, Vec<String>, bool)>,
    ctx: &'a Context<'a>,
}

impl<'a> Secrets<'a> {
    fn of(ctx: &'a Context<'a>, object: &Object) -> Self {
        let mut inputs = HashMap::new();
        let mut whole_input: Option<String> = None;
        let mut personal: Option<String> = None;
        if let Some(list) = object.fields("input") {
            for field in &list.fields {
                if field.ty.value == "dblink" && field.name.is_none() {
                    let table = field
                        .attribute("table")
                        .and_then(|a| crate::semantics::literal_name(&a.value));
                    if let Some(table) = table {
                        let linked = table_fields_of_kind(ctx.ws, table, DataKind::Sensitive)
                            .into_iter()
                            .chain(table_fields_of_kind(ctx.ws, table, DataKind::Personal))
                            .find(|f| !f.internal);
                        if let Some(f) = linked {
                            whole_input.get_or_insert(f.path);
                        }
                    }
                    continue;
                }
                let Some(name) = &field.name else { continue };
                if is_flagged(field) || field_sensitivity(ctx.ws, field).is_some() {
                    inputs.insert(
                        name.value.clone(),
                        format!("the sensitive input `$input.{}`", name.value),
                    );
                    whole_input.get_or_insert(name.value.clone());
                } else if nested_schema(field).is_some_and(|s| {
                    s.fields
                        .iter()
                        .any(|f| is_flagged(f) || field_sensitivity(ctx.ws, f).is_some())
                }) {
                    inputs.insert(
                        name.value.clone(),
                        format!(
                            "the input `$input.{}`, which holds sensitive fields",
                            name.value
                        ),
                    );
                    whole_input.get_or_insert(name.value.clone());
                } else if is_personal_name(&name.value) || field.ty.value == "email" {
                    personal.get_or_insert(name.value.clone());
                }
            }
        }
        let flow = Flow::of(object, InputTaint::All);
        let mut records = HashMap::new();
        for (var, record) in flow.records() {
            let outputs: Vec<Vec<String>> = record.output.iter().cloned().collect();
            let mut fields: Vec<String> = if ctx.ws.table(&record.table).is_some() {
                table_fields_of_kind(ctx.ws, &record.table, DataKind::Sensitive)
                    .into_iter()
                    .filter(|f| f.returned_by(&outputs, false))
                    .map(|f| f.path)
                    .collect()
            } else {
                // An unknown table (`db.get ""` in exported templates): its `output` names what
                // the record holds.
                record
                    .output
                    .iter()
                    .flatten()
                    .filter(|f| f.as_str() == "password" || sensitive_word(ctx.ws, f, "").is_some())
                    .cloned()
                    .collect()
            };
            if let Some(output) = &record.output {
                fields.retain(|f| {
                    output.iter().any(|o| {
                        o == f || f.starts_with(&format!("{o}.")) || o.starts_with(&format!("{f}."))
                    })
                });
            }
            if !fields.is_empty() {
                records.insert(var.clone(), (record.table.clone(), fields, record.list));
            }
        }
        let mut secrets = Secrets {
            inputs,
            whole_input: whole_input.or(personal),
            vars: HashMap::new(),
            records,
            ctx,
        };
        secrets.derive(object);
        secrets
    }

    /// Variables that take a sensitive value, to a fixed point.
    fn derive(&mut self, object: &Object) {
        let statements = object_statements(object);
        for s in &statements {
            let name = s.name.value.as_str();
            let Some(alias) = s.alias_name() else {
                continue;
            };
            let what = match name {
                _ if reads_raw_request(name) => "the raw request body",
                "security.create_auth_token" => "the auth token from `security.create_auth_token`",
                "api.request" if is_token_request(s) => {
                    "the response of a token request (it holds the issued tokens)"
                }
                _ => continue,
            };
            self.vars.insert(alias.to_string(), what.to_string());
        }
        for _ in 0..6 {
            let before = self.vars.len();
            for s in &statements {
                let target = match s.name.value.as_str() {
                    name if VarWrite::of(name).is_some_and(VarWrite::keeps_value) => s
                        .first_expr()
                        .and_then(Expr::as_var)
                        .map(|v| crate::analysis::flow::target_name(v).to_string()),
                    _ => None,
                };
                let Some(target) = target else { continue };
                if self.vars.contains_key(&target) {
                    continue;
                }
                if let Some(what) = s
                    .attribute("value")
                    .and_then(|v| self.describe(&v.value, 0))
                {
                    self.vars.insert(target, what);
                }
            }
            if self.vars.len() == before {
                break;
            }
        }
    }

    /// Why `expr` holds a sensitive value, if it does.
    fn describe(&self, expr: &Expr, depth: usize) -> Option<String> {
        if depth > 48 {
            return None;
        }
        let d = depth + 1;
        match &expr.kind {
            ExprKind::Var(path) => self.describe_var(&path.root, &path.segments),
            ExprKind::Filtered { value, filters } => {
                let active: Vec<&str> = filters
                    .iter()
                    .filter(|f| !f.disabled)
                    .map(|f| f.name.value.as_str())
                    .collect();
                // A length or a flag holds nothing of the value; `keys` keeps only the field
                // names, and the field `unset` names is taken out.
                let forgets = |f: &&str| {
                    FilterResult::of(f).is_some_and(FilterResult::forgets_value)
                        || matches!(*f, "keys" | "unset")
                };
                if active.iter().any(forgets) {
                    return None;
                }
                // `$input|pick:["email"]`, `$input|get:"password"`: judge the fields kept.
                if let ExprKind::Var(path) = &value.kind
                    && path.root == "input"
                    && path.segments.is_empty()
                    && let Some(first) = filters.iter().find(|f| !f.disabled)
                {
                    match first.name.value.as_str() {
                        "pick" => {
                            let keys = first
                                .arguments
                                .first()
                                .and_then(crate::analysis::flow::string_list)?;
                            return keys.iter().find_map(|k| self.inputs.get(k).cloned());
                        }
                        "get" => {
                            let key = first.arguments.first().and_then(Expr::string_value)?;
                            return self.inputs.get(key).cloned();
                        }
                        _ => {}
                    }
                }
                self.describe(value, d).or_else(|| {
                    filters
                        .iter()
                        .filter(|f| !f.disabled)
                        .flat_map(|f| &f.arguments)
                        .find_map(|a| self.describe(a, d))
                })
            }
            ExprKind::Binary {
                op, left, right, ..
            } => match op {
                BinaryOp::Compare | BinaryOp::And | BinaryOp::Or | BinaryOp::Range => None,
                _ => self.describe(left, d).or_else(|| self.describe(right, d)),
            },
            ExprKind::Unary { op, operand } if op != "!" => self.describe(operand, d),
            ExprKind::Object(pairs) => pairs
                .iter()
                .filter(|p| !p.disabled)
                .find_map(|p| self.describe(&p.value, d)),
            ExprKind::Array(items) => items.iter().find_map(|i| self.describe(i, d)),
            ExprKind::Spread(inner) => self.describe(inner, d),
            ExprKind::Ternary {
                then, otherwise, ..
            } => then
                .as_deref()
                .and_then(|t| self.describe(t, d))
                .or_else(|| self.describe(otherwise, d)),
            ExprKind::Access { object, .. } => self.describe(object, d),
            ExprKind::ExpressionLiteral(text) => {
                let source = format!(
                    "function f {{\n  input {{\n  }}\n  stack {{\n  }}\n  response = {}\n}}\n",
                    text.trim()
                );
                if text.len() > 4000 {
                    return None;
                }
                let file = crate::workspace::FileModel::parse("expr.xs", &source);
                let object = file.model.objects.first()?;
                let value = &object.attribute("response")?.value;
                self.describe(value, d)
            }
            _ => None,
        }
    }

    fn describe_var(&self, root: &str, segments: &[Segment]) -> Option<String> {
        let fields: Vec<&str> = segments
            .iter()
            .map_while(|s| match s {
                Segment::Field(f) => Some(f.as_str()),
                Segment::Index(_) => None,
            })
            .collect();
        match root {
            "input" => match fields.first() {
                None if segments.is_empty() => self
                    .whole_input
                    .as_ref()
                    .map(|f| format!("the whole `$input`, including `{f}`,")),
                Some(first) => self.inputs.get(*first).cloned(),
                None => None,
            },
            "env" => {
                let name = fields.first()?;
                if name.starts_with('$') {
                    return None;
                }
                sensitive_word(self.ctx.ws, name, "").map(|_| format!("the secret `$env.{name}`"))
            }
            "auth" | "db" | "this" | "$" => None,
            _ => {
                let (name, rest): (&str, &[&str]) = if root == "var" {
                    let (first, rest) = fields.split_first()?;
                    (first, rest)
                } else {
                    (root, &fields[..])
                };
                if rest.is_empty()
                    && let Some(what) = self.vars.get(name)
                {
                    return Some(what.clone());
                }
                if let Some(what) = self.vars.get(name)
                    && !what.starts_with("the sensitive")
                {
                    // A field of the raw body or of the token result is still that data.
                    return Some(what.clone());
                }
                let (table, sensitive, list) = self.records.get(name)?;
                let path = rest.join(".");
                if path.is_empty() {
                    let fields = crate::analysis::exposure::list_some(sensitive, 1);
                    let what = if *list { "records" } else { "record" };
                    return Some(if table.is_empty() {
                        format!("a whole {what}, with {fields},")
                    } else {
                        format!("the whole `{table}` {what}, with {fields},")
                    });
                }
                sensitive
                    .iter()
                    .find(|f| {
                        path == **f
                            || path.starts_with(&format!("{f}."))
                            || f.starts_with(&format!("{path}."))
                    })
                    .map(|f| {
                        if table.is_empty() {
                            format!("the sensitive column `{f}` of a record")
                        } else {
                            format!("the sensitive column `{f}` of a `{table}` record")
                        }
                    })
            }
        }
    }
}

fn check_object(ctx: &Context, object: &Object, secrets: &Secrets, out: &mut Vec<Diagnostic>) {
    let Some(stack) = object.stack() else { return };
    let statements = enabled_statements(stack);
    // Statements inside an enabled `util.post_process`.
    let mut post: HashSet<usize> = HashSet::new();
    for s in &statements {
        if s.name.value == "util.post_process"
            && let Some(body) = &s.body
        {
            for inner in enabled_statements(body) {
                post.insert(inner.span.start);
            }
        }
    }
    for s in &statements {
        let name = s.name.value.as_str();
        let in_post = post.contains(&s.span.start);
        if matches!(name, "debug.log" | "datadog.log" | "datadog.log_bulk") {
            if let Some((attr, what)) = sensitive_attribute(s, secrets) {
                let place = if attr == "value" {
                    String::new()
                } else {
                    format!(" (in `{attr}`)")
                };
                let message = format!("`{name}` writes {what}{place} to the log");
                let mut d = Diagnostic::new(CODE, s.name.span.clone(), message).with_help(LOG_HELP);
                if name == "debug.log" {
                    d = d.with_fix(Fix {
                        applicability: crate::finding::Applicability::Unsafe,
                        title: "Switch the `debug.log` statement off (`!debug.log`)".to_string(),
                        edits: vec![TextEdit {
                            range: s.name.span.start..s.name.span.start,
                            new_text: "!".to_string(),
                        }],
                    });
                }
                out.push(d);
            }
            continue;
        }
        if Db::of(name).is_some_and(Db::stores_values) {
            let Some(table) = s.target_name() else {
                continue;
            };
            if !is_log_table(&table.value) {
                continue;
            }
            let data = s.attribute("data").or_else(|| s.attribute("items"));
            if let Some(what) = data.and_then(|d| secrets.describe(&d.value, 0)) {
                let message = format!(
                    "`{name} {}` stores {what} in the log-like table `{}`",
                    table.value, table.value
                );
                let range = s.name.span.start..table.span.end.max(s.name.span.end);
                out.push(Diagnostic::new(CODE, range, message).with_help(LOG_HELP));
            }
            continue;
        }
        if is_call(s)
            && let Some(d) = check_log_call(ctx, s, secrets)
        {
            out.push(d);
            continue;
        }
        if in_post
            && OUTBOUND.contains(&name)
            && let Some((attr, what)) = sensitive_attribute(s, secrets)
        {
            let target = s
                .target_name()
                .map(|t| format!(" {}", t.value))
                .unwrap_or_default();
            let message = format!(
                "`{name}{target}` in `util.post_process` sends {what} (in `{attr}`) out after the response"
            );
            out.push(Diagnostic::new(CODE, s.name.span.clone(), message).with_help(
                "What `util.post_process` sends leaves after the response, where no one checks it: send an id or a masked value instead",
            ));
        }
    }
    let _ = ctx;
}

/// Which inputs of a function end up in a log.
enum Logged {
    /// The function is a logger by its name (`create_event_log`, `audit`): every input.
    All,
    /// These inputs are written whole to a log sink, at the given statement.
    Some(Vec<(String, crate::model::Span)>),
}

/// Whether a function name says it writes a log: a word `log`, `audit` (or plural), or a word
/// ending in `log` such as `changelog`.
fn is_logger_name(name: &str) -> bool {
    let last = name.rsplit('/').next().unwrap_or(name);
    crate::semantics::names::snake_words(last).iter().any(|w| {
        matches!(w.as_str(), "log" | "logs" | "audit" | "audits" | "logger")
            || (w.ends_with("log")
                && !matches!(
                    w.as_str(),
                    "blog" | "catalog" | "backlog" | "dialog" | "analog"
                ))
    })
}

fn logged_inputs(ctx: &Context, function: &str) -> Option<(Logged, Option<String>)> {
    let callee = ctx.ws.function(function);
    if is_logger_name(function) {
        return Some((Logged::All, callee.map(|c| c.file.path.clone())));
    }
    let callee = callee?;
    let object = callee.object();
    let mut logged = Vec::new();
    for s in object_statements(object) {
        let name = s.name.value.as_str();
        let value = if matches!(name, "debug.log" | "datadog.log" | "datadog.log_bulk") {
            s.attribute("value").or_else(|| s.attribute("message"))
        } else if Db::of(name).is_some_and(Db::stores_values)
            && s.target_name().is_some_and(|t| is_log_table(&t.value))
        {
            s.attribute("data")
        } else {
            None
        };
        let Some(value) = value else { continue };
        for e in value.value.walk() {
            if let ExprKind::Var(path) = &e.kind
                && path.root == "input"
                && path.segments.len() == 1
                && let Some(field) = path.first_field()
            {
                logged.push((field.to_string(), s.name.span.clone()));
            }
        }
    }
    (!logged.is_empty()).then(|| (Logged::Some(logged), Some(callee.file.path.clone())))
}

/// `function.run` of a logging function with a sensitive argument.
fn check_log_call(ctx: &Context, s: &Statement, secrets: &Secrets) -> Option<Diagnostic> {
    let function = s.target_name()?;
    let (logged, path) = logged_inputs(ctx, &function.value)?;
    let input = s.attribute("input")?;
    let ExprKind::Object(pairs) = &input.value.kind else {
        return None;
    };
    for pair in pairs.iter().filter(|p| !p.disabled) {
        let crate::model::PairKey::Name(key) = &pair.key else {
            continue;
        };
        let sink = match &logged {
            Logged::All => Some(None),
            Logged::Some(list) => list
                .iter()
                .find(|(k, _)| *k == key.value)
                .map(|(_, span)| Some(span.clone())),
        };
        let Some(sink) = sink else { continue };
        let Some(what) = secrets.describe(&pair.value, 0) else {
            continue;
        };
        let message = format!(
            "`function.run {}` passes {what} as its `{}` input, which the function writes to a log",
            function.value, key.value
        );
        let range = s.name.span.start..function.span.end.max(s.name.span.end);
        let mut d = Diagnostic::new(CODE, range, message).with_help(LOG_HELP);
        if let (Some(span), Some(path)) = (sink, &path) {
            d = d.with_related(path, span, format!("`$input.{}` is logged here", key.value));
        }
        return Some(d);
    }
    None
}

/// An `api.request` that obtains tokens: an OAuth token endpoint (`.../token`) or a request that
/// sends `grant_type` / `client_secret`.
fn is_token_request(s: &Statement) -> bool {
    let url_says_token = s.attribute("url").is_some_and(|a| {
        a.value.walk().any(|e| {
            e.string_value().is_some_and(|u| {
                let path = u.split(['?', '#']).next().unwrap_or(u).to_ascii_lowercase();
                path.rsplit('/')
                    .any(|segment| segment == "token" || segment == "oauth2token")
            })
        })
    });
    let params_say_token = s.attribute("params").is_some_and(|a| {
        a.value.walk().any(|e| match &e.kind {
            ExprKind::String(v) => matches!(v.as_str(), "grant_type" | "client_secret"),
            ExprKind::Object(pairs) => pairs.iter().any(|p| {
                matches!(&p.key, crate::model::PairKey::Name(k)
                    if matches!(k.value.as_str(), "grant_type" | "client_secret"))
            }),
            _ => false,
        })
    });
    url_says_token || params_say_token
}

/// The first attribute of a statement whose value is sensitive, with why.
fn sensitive_attribute<'s>(s: &'s Statement, secrets: &Secrets) -> Option<(&'s str, String)> {
    let body = s.body.as_ref()?;
    body.attributes()
        .filter(|a| !matches!(a.key.value.as_str(), "description" | "disabled" | "mock"))
        .find_map(|a| {
            secrets
                .describe(&a.value, 0)
                .map(|what| (a.key.value.as_str(), what))
        })
}
