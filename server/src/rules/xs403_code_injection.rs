//! ## What it does
//! Reports code that runs a request-controlled value as code:
//! - `api.lambda` JavaScript that passes a request value (`$input.x`, `$input["x"]`, a
//!   request-controlled `$var.x`, or a JavaScript variable assigned from one) to `eval`,
//!   `Function`, `require`, `import()`, the `vm` module, or `child_process` calls (`exec`,
//!   `execSync`, `spawn`, ...);
//! - `api.lambda` code, or the code of a `|lambda*` filter, built by concatenating a request
//!   value into the JavaScript text;
//! - `util.template_engine` rendering a template that is itself request-controlled (taken from
//!   the request or built with request text), rather than request data rendered into a literal
//!   template.
//!
//! Inside a function the rule looks at the inputs endpoints pass request values to; a
//! function checked on its own counts all its inputs.
//!
//! ## Why is this bad?
//! The caller chooses code the server runs: JavaScript in the lambda runtime (with its
//! environment variables and network access), shell commands, or Twig expressions that read
//! every variable of the stack, `$env` secrets included
//! (CWE-94: Improper Control of Generation of Code; OWASP Top 10 A03:2021 Injection).
//!
//! ## Example
//! ```xs
//! query "calc/evaluate" verb=POST {
//!   input {
//!     text expression
//!   }
//!   stack {
//!     api.lambda {
//!       code = """
//!         return eval($input.expression);
//!         """
//!       timeout = 5
//!     } as $result
//!   }
//!   response = $result
//! }
//! ```
//!
//! ## Fix
//! Treat request values as data: parse them (`JSON.parse`, a small expression parser, a map
//! of allowed operations) instead of evaluating them, load only modules named by literals,
//! pass arguments to `execFile`/`spawn` as an array with a literal command, and render request
//! data into a literal template (`{{ $input.name }}`) instead of rendering a template the
//! request supplies. No automatic fix is offered: the right replacement depends on what the
//! code is for.
//!
//! ## Not flagged
//! Lambdas that only read request values as data; `require` of literal module names;
//! `RegExp.exec` (`exec(` counts only when the code uses `child_process`); calls inside
//! JavaScript comments or string literals; literal Twig templates that print request values;
//! code or templates built from database values; values coerced with `to_int` and similar or
//! declared `int`/`decimal`/`bool`/`enum` inputs; a value checked against literals first
//! (`precondition ($input.op in ["+", "-"])`); disabled statements.

use crate::analysis::injection::{self, Hit, How, InputOrigin, Piece, Purpose, Stack};
use crate::model::{Expr, ExprKind, Filter, Span, Statement};

use super::context::{Context, Diagnostic};
use crate::finding::Severity;

use super::rule::Rule;

pub const CODE: &str = "XS403";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "code-injection",
    severity: Severity::Warning,
    cwe: Some("CWE-94"),
    summary: "Lambda code or a template is built from a request-controlled value.",
    fixable: false,
    safe_fixes: false,
    check: Some(check),
};

/// Filters whose argument is JavaScript, and the position of that argument.
fn lambda_filter_code(f: &Filter) -> Option<&Expr> {
    match f.name.value.as_str() {
        "lambda" | "lambda_map" | "lambda_filter" | "lambda_some" | "lambda_every"
        | "lambda_find" | "lambda_findIndex" => f.arguments.first(),
        "lambda_reduce" => f.arguments.get(1),
        _ => None,
    }
}

/// The `|lambda*` filters used anywhere in a statement's own attributes and arguments.
fn lambda_filters(s: &Statement) -> Vec<&Filter> {
    let mut exprs: Vec<&Expr> = s
        .body
        .iter()
        .flat_map(|b| b.attributes())
        .map(|a| &a.value)
        .collect();
    exprs.extend(s.arguments.iter().filter_map(|a| match a {
        crate::model::Argument::Expr(e) => Some(e),
        _ => None,
    }));
    let mut out = Vec::new();
    for e in exprs {
        for d in e.walk() {
            if let ExprKind::Filtered { filters, .. } = &d.kind {
                out.extend(
                    filters
                        .iter()
                        .filter(|f| !f.disabled && lambda_filter_code(f).is_some()),
                );
            }
        }
    }
    out
}

fn is_sink(s: &Statement) -> bool {
    matches!(s.name.value.as_str(), "api.lambda" | "util.template_engine")
        || !lambda_filters(s).is_empty()
}

pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    let text = ctx.text();
    let scopes = injection::scopes(ctx.ws, ctx.all_objects(), is_sink, |scope| {
        !findings(text, scope).is_empty()
    });
    let mut out = Vec::new();
    for (scope, origin) in &scopes {
        for found in findings(text, scope) {
            out.push(diagnostic(ctx, origin, found));
        }
    }
    out
}

enum Kind {
    /// A call in lambda code (`eval(`, `require(`, `execSync(`...), whether it is a
    /// child-process call, and what holds the code (`` `api.lambda` ``, `` `|lambda_map` ``).
    Call {
        call: String,
        process: bool,
        what: String,
        /// The value as the code writes it, when that is not the request value itself.
        reference: Option<String>,
    },
    /// Lambda code (or a lambda filter's code) built with request text.
    BuiltCode(String),
    /// A Twig template taken from or built with request text.
    Template,
}

struct Found {
    range: Span,
    hit: Hit,
    kind: Kind,
}

fn findings(text: &str, scope: &Stack) -> Vec<Found> {
    let mut out = Vec::new();
    for s in scope.statements.iter().copied() {
        match s.name.value.as_str() {
            "api.lambda" => {
                if let Some(code) = s.attribute("code") {
                    lambda_code(
                        text,
                        scope,
                        s,
                        &code.value,
                        &code.span,
                        "`api.lambda`",
                        &mut out,
                    );
                }
            }
            "util.template_engine" => {
                let Some(value) = s.attribute("value") else {
                    continue;
                };
                if value.value.string_value().is_some() {
                    continue;
                }
                if let Some(hit) = built_hit(scope, s, &value.value) {
                    out.push(Found {
                        range: first_line(text, &value.span),
                        hit,
                        kind: Kind::Template,
                    });
                }
            }
            _ => {}
        }
        for f in lambda_filters(s) {
            let Some(code) = lambda_filter_code(f) else {
                continue;
            };
            let what = format!("`|{}`", f.name.value);
            lambda_code(text, scope, s, code, &f.span, &what, &mut out);
        }
    }
    out
}

/// Checks JavaScript given to a lambda: built from request text, or passing request values to
/// a dangerous call.
fn lambda_code(
    text: &str,
    scope: &Stack,
    s: &Statement,
    code: &Expr,
    holder: &Span,
    what: &str,
    out: &mut Vec<Found>,
) {
    let Some(source) = code.string_value() else {
        if let Some(hit) = built_hit(scope, s, code) {
            out.push(Found {
                range: first_line(text, holder),
                hit,
                kind: Kind::BuiltCode(what.to_string()),
            });
        }
        return;
    };
    // In a `"""` block the code is the file's text, so calls can be pointed at exactly.
    let (offset, js) = match injection::raw_block_content(text, &code.span) {
        Some((offset, raw)) => (Some(offset), raw),
        None => (None, source.to_string()),
    };
    for sink in scope.js_sinks(&js).into_iter().take(5) {
        let hit = Hit {
            taint: sink.taint.clone(),
            how: How::Whole,
            at: holder.clone(),
            exact: false,
            leaf: None,
            via: Vec::new(),
        };
        if scope.allow_listed(s, &hit) {
            continue;
        }
        let range = match offset {
            Some(o) => {
                let start = o + sink.at;
                let end = (o + sink.end).min(crate::fix::line_end(text, start).max(start));
                start..end
            }
            None => first_line(text, holder),
        };
        out.push(Found {
            range,
            hit,
            kind: Kind::Call {
                call: sink.call.clone(),
                process: sink.process,
                what: what.to_string(),
                reference: (format!("`{}`", sink.reference) != sink.taint.source)
                    .then(|| sink.reference.clone()),
            },
        });
    }
}

/// The first request value in a built text (code or template), unless allow-listed.
fn built_hit(scope: &Stack, s: &Statement, value: &Expr) -> Option<Hit> {
    scope
        .pieces(value, s.span.start, Purpose::Code)
        .into_iter()
        .flatten()
        .filter_map(|p| match p {
            Piece::Tainted(h) => Some(h),
            _ => None,
        })
        .find(|h| !scope.allow_listed(s, h))
}

fn first_line(text: &str, span: &Span) -> Span {
    let end = crate::fix::line_end(text, span.start).min(span.end);
    span.start..end.max(span.start)
}

fn diagnostic(ctx: &Context, origin: &InputOrigin, found: Found) -> Diagnostic {
    let hit = &found.hit;
    let source = &hit.taint.source;
    let via = match hit.via.first() {
        Some((name, _)) => format!(" (through `${name}`)"),
        None => String::new(),
    };
    let note = injection::origin_note(origin);
    let passed = match &found.kind {
        Kind::Call {
            reference: Some(r), ..
        } => format!("`{r}` (from {source})"),
        _ => source.clone(),
    };
    let js = "A caller can run any JavaScript on the server";
    let twig = "A caller can run Twig code that reads the stack and `$env`";
    let (message, harm, advice) = match &found.kind {
        Kind::Call {
            call,
            process: true,
            what,
            ..
        } => (
            format!("{what} passes {passed} to child_process `{call}` (command injection)"),
            "A caller can run shell commands on the server",
            "pass the value as an argument array (`execFile`), never in a command line",
        ),
        Kind::Call { call, what, .. }
            if call.starts_with("require(") || call.starts_with("import(") =>
        {
            (
                format!("{what} passes {passed} to `{call}` (code injection)"),
                "A caller can load any module or file the runtime can reach",
                "pick the module from a fixed list",
            )
        }
        Kind::Call { call, what, .. } => (
            format!("{what} passes {passed} to `{call}` (code injection)"),
            js,
            "treat the value as data, never as code",
        ),
        Kind::BuiltCode(what) => match &hit.how {
            How::Whole => (
                format!("{what} runs code taken from {source}{via} (code injection)"),
                js,
                "treat the value as data, never as code",
            ),
            how => (
                format!(
                    "{what} code is built from {source} {}{via} (code injection)",
                    how.phrase()
                ),
                js,
                "pass the value in as data (`$var`, `$input`), never in the code's text",
            ),
        },
        Kind::Template => match &hit.how {
            How::Whole => (
                format!(
                    "`util.template_engine` renders a template taken from {source}{via} (template injection)"
                ),
                twig,
                "keep the template fixed and pass the value as a variable",
            ),
            how => (
                format!(
                    "`util.template_engine` renders a template built from {source} {}{via} (template injection)",
                    how.phrase()
                ),
                twig,
                "keep the template fixed and pass the value as a variable",
            ),
        },
    };
    let help = format!("{harm}{note}: {advice}");
    let d = Diagnostic::new(CODE, found.range.clone(), message).with_help(help);
    super::context::related_of(d, &ctx.file.path, Some(hit), origin)
}
