//! ## What it does
//! Reports a `db.direct_query` (or `db.external.<engine>.direct_query`) whose SQL text is built
//! from a request-controlled value: by concatenation (`~`), with a text filter (`|concat`,
//! `|sprintf`, `|replace`, ...), through a `{{ }}` output when `parser = "template_engine"`, by
//! an `api.lambda` or a function that assembles the string, or whose `?:raw` placeholder
//! receives such a value. Variables are followed to their definitions (`var $sql { ... }`,
//! `var.update`, `text.append`). Inside a function the rule looks at the inputs endpoints
//! pass request values to; a function checked on its own counts all its inputs.
//!
//! ## Why is this bad?
//! The request value becomes SQL code: a quote in it ends the string literal and the rest runs
//! as SQL, so a caller can read every table of the workspace (direct queries see them all),
//! change or delete rows, or bypass the query's own conditions
//! (CWE-89: SQL Injection; OWASP Top 10 A03:2021 Injection).
//!
//! ## Example
//! ```xs
//! query "customers/search" verb=GET {
//!   input {
//!     text name
//!   }
//!   stack {
//!     db.direct_query {
//!       sql = "SELECT id, name FROM x1_3 WHERE name = '" ~ $input.name ~ "'"
//!       response_type = "list"
//!     } as $rows
//!   }
//!   response = $rows
//! }
//! ```
//!
//! ## Fix
//! Put a `?` placeholder in the SQL and pass the value as a statement argument; the database
//! then treats it as data:
//! ```xs
//! db.direct_query {
//!   sql = "SELECT id, name FROM x1_3 WHERE name = ?"
//!   arg = $input.name
//!   response_type = "list"
//! } as $rows
//! ```
//! When the SQL is one concatenation of literals and request values (written in `sql` or in a
//! variable used only there), the fix does exactly this: each value becomes a `?` (its
//! surrounding quotes removed) and an `arg = ...` line, in order. (Xano takes one `arg` line
//! per placeholder; an array in a single `arg` is rejected as a wrong parameter count.)
//! Identifiers such as a sort column cannot be placeholders: check them against a list of
//! literals first (`precondition ($input.sort in ["name", "created_at"])`). With
//! `parser = "template_engine"`, escape text with `|sql_esc`.
//!
//! ## Not flagged
//! Values passed with `arg` for `?` placeholders; values coerced with `to_int`, `to_decimal`,
//! `to_bool` (or computed with arithmetic, counts, comparisons) and inputs declared `int`,
//! `decimal`, `bool`, `timestamp`, `date`, `uuid` or `enum`, which Xano validates; Twig outputs
//! escaped with `|sql_esc`; `{{ }}` text when the parser is not `template_engine` (it is then
//! plain SQL text); values read from the database, `$env` settings and literals (a `?:raw`
//! table name picked from literals); a value first checked against literals (a `precondition`
//! with `in [...]` or `==`, a conditional branch or `switch` on it, a literal map indexed by
//! it); disabled statements; functions that only tasks or triggers call (workspace mode).

use crate::analysis::injection::{self, Hit, How, InputOrigin, Piece, Purpose, Stack};
use crate::finding::{Fix, TextEdit};
use crate::fix::line_end;
use crate::model::{Attribute, BinaryOp, Expr, ExprKind, Span, Statement};
use crate::semantics::statements::runs_sql;

use super::context::{Context, Diagnostic};
use crate::finding::Severity;

use super::edits;
use super::rule::Rule;

pub const CODE: &str = "XS401";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "sql-injection",
    severity: Severity::Error,
    cwe: Some("CWE-89"),
    summary: "Raw SQL is built from a request-controlled value.",
    fixable: true,
    safe_fixes: false,
    check: Some(check),
};

/// `db.direct_query` and `db.external.<engine>.direct_query`.
fn is_sink(s: &Statement) -> bool {
    runs_sql(&s.name.value)
}

pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    let scopes = injection::scopes(ctx.ws, ctx.all_objects(), is_sink, |scope| {
        !findings(scope).is_empty()
    });
    let mut out = Vec::new();
    for (scope, origin) in &scopes {
        for found in findings(scope) {
            out.push(diagnostic(ctx, scope, origin, found));
        }
    }
    out
}

enum Kind {
    /// Request values are part of the SQL text.
    Built,
    /// A `{{ }}` output prints a request value (`parser = "template_engine"`).
    Template,
    /// A `?:raw` placeholder receives a request value: the span of its `arg`.
    RawPlaceholder(Span),
}

struct Found<'a> {
    statement: &'a Statement,
    sql: &'a Attribute,
    hits: Vec<Hit>,
    kind: Kind,
}

fn findings<'a>(scope: &Stack<'a>) -> Vec<Found<'a>> {
    let mut out = Vec::new();
    for s in scope.statements.iter().copied().filter(|s| is_sink(s)) {
        let Some(sql) = s.attribute("sql").or_else(|| s.attribute("code")) else {
            continue;
        };
        let template = s
            .attribute("parser")
            .and_then(|a| a.value.string_value())
            .is_some_and(|p| p == "template_engine");
        let alts = scope.pieces(&sql.value, s.span.start, Purpose::Sql);
        let mut hits: Vec<Hit> = Vec::new();
        for p in alts.iter().flatten() {
            if let Piece::Tainted(h) = p
                && !hits.iter().any(|x| x.taint.source == h.taint.source)
                && !scope.allow_listed(s, h)
            {
                hits.push(h.clone());
            }
        }
        if !hits.is_empty() {
            out.push(Found {
                statement: s,
                sql,
                hits,
                kind: Kind::Built,
            });
            continue;
        }
        if template {
            for p in alts.iter().flatten() {
                let Piece::Lit(text, span) = p else { continue };
                for (taint, printed) in scope.twig_taints(text, Purpose::Sql) {
                    let at = span.clone().unwrap_or_else(|| sql.value.span.clone());
                    let hit = Hit {
                        taint,
                        how: How::Template,
                        at: at.clone(),
                        exact: false,
                        leaf: None,
                        via: printed
                            .and_then(|v| {
                                Some((v.clone(), scope.last_definition(&v, s.span.start)?))
                            })
                            .into_iter()
                            .collect(),
                    };
                    if !scope.allow_listed(s, &hit)
                        && !hits.iter().any(|x| x.taint.source == hit.taint.source)
                    {
                        hits.push(hit);
                    }
                }
            }
            if !hits.is_empty() {
                out.push(Found {
                    statement: s,
                    sql,
                    hits,
                    kind: Kind::Template,
                });
                continue;
            }
        }
        if let Some(found) = raw_placeholder(scope, s, sql, &alts) {
            out.push(found);
        }
    }
    out
}

/// A `?:raw` placeholder whose `arg` is request-controlled (only for literal SQL, where the
/// placeholders can be counted).
fn raw_placeholder<'a>(
    scope: &Stack<'a>,
    s: &'a Statement,
    sql: &'a Attribute,
    alts: &[Vec<Piece>],
) -> Option<Found<'a>> {
    let [alt] = alts else { return None };
    let mut text = String::new();
    for p in alt {
        match p {
            Piece::Lit(t, _) => text.push_str(t),
            _ => return None,
        }
    }
    let raws = placeholders(&text);
    if !raws.iter().any(|r| *r) {
        return None;
    }
    let args = arguments(s);
    for (i, raw) in raws.iter().enumerate() {
        let Some((value, span)) = args.get(i) else {
            break;
        };
        if !raw {
            continue;
        }
        let Some(taint) = scope.taint(value, Purpose::Sql) else {
            continue;
        };
        let hit = Hit {
            taint,
            how: How::Whole,
            at: value.span.clone(),
            exact: true,
            leaf: value.as_var().map(injection::full_key),
            via: Vec::new(),
        };
        if scope.allow_listed(s, &hit) {
            continue;
        }
        return Some(Found {
            statement: s,
            sql,
            hits: vec![hit],
            kind: Kind::RawPlaceholder(span.clone()),
        });
    }
    None
}

/// For each `?` placeholder outside SQL string literals, whether it is `?:raw`.
fn placeholders(sql: &str) -> Vec<bool> {
    let mut out = Vec::new();
    let mut in_string = false;
    let bytes = sql.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\'' => in_string = !in_string,
            b'?' if !in_string => out.push(sql[i + 1..].starts_with(":raw")),
            _ => {}
        }
    }
    out
}

/// The statement's `arg` values in order (several `arg` lines, or one array), with the span
/// of each `arg` attribute.
fn arguments(s: &Statement) -> Vec<(&Expr, Span)> {
    let attrs: Vec<&Attribute> = s
        .body
        .iter()
        .flat_map(|b| b.attributes())
        .filter(|a| a.key.value == "arg")
        .collect();
    match attrs.as_slice() {
        [single] => match &single.value.kind {
            ExprKind::Array(items) => items.iter().map(|i| (i, single.span.clone())).collect(),
            _ => vec![(&single.value, single.span.clone())],
        },
        _ => attrs.iter().map(|a| (&a.value, a.span.clone())).collect(),
    }
}

fn diagnostic(ctx: &Context, scope: &Stack, origin: &InputOrigin, found: Found) -> Diagnostic {
    let statement = &found.statement.name.value;
    let first = &found.hits[0];
    let sources = describe_sources(&found.hits);
    let via = match first.via.first() {
        Some((name, _)) => format!(" (through `${name}`)"),
        None => String::new(),
    };
    let note = injection::origin_note(origin);
    let bind =
        "pass the values as bound arguments (`?` in the SQL, values in `arg`), never in its text";
    let (range, message, help) = match &found.kind {
        Kind::Built => {
            let (what, harm) = match &first.how {
                How::Whole => (
                    format!("runs SQL taken from {sources}{via}"),
                    "A caller can run any query",
                ),
                how => (
                    format!("runs SQL built from {sources} {}{via}", how.phrase()),
                    "A caller can rewrite the query",
                ),
            };
            (
                first_line(ctx, &found.sql.span),
                format!("`{statement}` {what} (SQL injection)"),
                format!("{harm}{note}: {bind}"),
            )
        }
        Kind::Template => {
            let printed = match first.via.first() {
                Some((name, _)) => format!("`${name}` (built from {sources})"),
                None => sources.clone(),
            };
            (
                first_line(ctx, &found.sql.span),
                format!(
                    "`{statement}` prints {printed} into its SQL through a `{{{{ }}}}` template without `|sql_esc` (SQL injection)"
                ),
                format!(
                    "With `parser = \"template_engine\"` the value becomes part of the SQL text, so a caller can rewrite the query{note}: {bind}, or escape it with `|sql_esc`"
                ),
            )
        }
        Kind::RawPlaceholder(span) => (
            span.clone(),
            format!(
                "`{statement}` passes {sources} to a `?:raw` placeholder, which puts it into the SQL unescaped (SQL injection)"
            ),
            format!("A caller can rewrite the query{note}: use a plain `?` placeholder"),
        ),
    };
    let mut d = Diagnostic::new(CODE, range, message).with_help(help);
    d = super::context::related_of(d, &ctx.file.path, Some(first), origin);
    let outside = !(found.sql.span.start <= first.at.start && first.at.end <= found.sql.span.end);
    if outside && first.via.is_empty() && matches!(found.kind, Kind::Built | Kind::Template) {
        d = d.with_related(
            &ctx.file.path,
            first.at.clone(),
            format!("{} enters the SQL here", first.taint.source),
        );
    }
    if matches!(found.kind, Kind::Built)
        && found.hits.iter().all(|h| h.how == How::Concat)
        && let Some(fix) = concat_fix(ctx, scope, found.statement, found.sql)
    {
        d = d.with_fix(fix);
    }
    d
}

/// "`$input.a`", "`$input.a` and `$input.b`", "`$input.a`, `$input.b` and 2 more".
fn describe_sources(hits: &[Hit]) -> String {
    let names: Vec<&str> = hits.iter().map(|h| h.taint.source.as_str()).collect();
    match names.as_slice() {
        [] => "a request value".into(),
        [one] => one.to_string(),
        [a, b] => format!("{a} and {b}"),
        [a, b, rest @ ..] => format!("{a}, {b} and {} more", rest.len()),
    }
}

/// The part of `span` on its first line (a multi-line SQL block is marked by its first line).
fn first_line(ctx: &Context, span: &Span) -> Span {
    let end = line_end(ctx.text(), span.start).min(span.end);
    span.start..end.max(span.start)
}

/// Rewrites a simple concatenation `"... '" ~ $input.x ~ "' ..."` into `"... ?"` and adds
/// one `arg = $input.x` line per value.
fn concat_fix(ctx: &Context, scope: &Stack, s: &Statement, sql: &Attribute) -> Option<Fix> {
    let template = s
        .attribute("parser")
        .and_then(|a| a.value.string_value())
        .is_some_and(|p| p == "template_engine");
    if template || !arguments(s).is_empty() {
        return None;
    }
    let target = match &sql.value.kind {
        ExprKind::Binary { .. } => &sql.value,
        ExprKind::Var(path) => single_use_definition(ctx, scope, s, path)?,
        _ => return None,
    };
    let operands = concat_operands(target)?;
    let text = ctx.text();
    let mut sql_text = String::new();
    let mut args = Vec::new();
    let mut skip_quote = false;
    for (i, op) in operands.iter().enumerate() {
        match &op.kind {
            ExprKind::String(value) => {
                let raw = text.get(op.span.clone())?;
                if raw.starts_with("\"\"\"")
                    || raw.starts_with("'''")
                    || value.contains(['?', '\n', '\r'])
                {
                    return None;
                }
                let value = if skip_quote {
                    value.strip_prefix('\'')?
                } else {
                    value.as_str()
                };
                skip_quote = false;
                sql_text.push_str(value);
            }
            _ => {
                scope.taint(op, Purpose::Sql)?;
                let quoted_before = sql_text.ends_with('\'');
                let quoted_after = operands
                    .get(i + 1)
                    .and_then(|n| n.string_value())
                    .is_some_and(|n| n.starts_with('\''));
                if quoted_before != quoted_after {
                    return None;
                }
                if quoted_before {
                    sql_text.pop();
                    skip_quote = true;
                }
                sql_text.push('?');
                args.push(text.get(op.span.clone())?.to_string());
            }
        }
    }
    if args.is_empty() {
        return None;
    }
    let literal = format!(
        "\"{}\"",
        sql_text.replace('\\', "\\\\").replace('"', "\\\"")
    );
    let lines: Vec<String> = args.iter().map(|a| format!("arg = {a}")).collect();
    let title = match args.as_slice() {
        [one] => format!("Pass `{one}` as `arg` with a `?` placeholder"),
        _ => format!(
            "Pass the {} values as `arg` lines with `?` placeholders",
            args.len()
        ),
    };
    let mut edits = vec![
        TextEdit {
            range: target.span.clone(),
            new_text: literal,
        },
        edits::after_attribute(ctx, sql, &lines),
    ];
    edits.sort_by_key(|e| e.range.start);
    if edits[0].range.end > edits[1].range.start {
        return None;
    }
    Some(Fix {
        title,
        edits,
        applicability: crate::finding::Applicability::Unsafe,
    })
}

/// The concatenation a variable holds when its one definition is `var $x { value = a ~ b }`
/// and the SQL is its only use.
fn single_use_definition<'a>(
    ctx: &Context,
    scope: &Stack<'a>,
    sink: &Statement,
    path: &crate::model::VarPath,
) -> Option<&'a Expr> {
    let name = match path.root.as_str() {
        "var" => path.first_field()?,
        root => root,
    };
    if path.segments.len() != usize::from(path.root == "var") {
        return None;
    }
    let defs: Vec<&Statement> = scope
        .statements
        .iter()
        .copied()
        .filter(|st| {
            st.first_expr()
                .and_then(Expr::as_var)
                .is_some_and(|v| crate::analysis::flow::target_name(v) == name)
                || st.alias_name() == Some(name)
        })
        .collect();
    let [def] = defs.as_slice() else { return None };
    if def.name.value != "var" || def.span.start > sink.span.start {
        return None;
    }
    let value = &def.attribute("value")?.value;
    if !matches!(value.kind, ExprKind::Binary { .. }) {
        return None;
    }
    // One mention besides the definition: the `sql` itself.
    let object_text = ctx.source(&scope.object.span);
    let uses = [format!("${name}"), format!("$var.{name}")]
        .iter()
        .map(|needle| {
            object_text
                .match_indices(needle.as_str())
                .filter(|(i, _)| {
                    let next = object_text[i + needle.len()..].chars().next();
                    let prev = object_text[..*i].chars().next_back();
                    !next.is_some_and(|c| c.is_alphanumeric() || c == '_')
                        && !prev.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
                })
                .count()
        })
        .sum::<usize>();
    (uses == 2).then_some(value)
}

/// The operands of a `~` chain, left to right.
fn concat_operands(expr: &Expr) -> Option<Vec<&Expr>> {
    let mut out = Vec::new();
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        if out.len() > 64 {
            return None;
        }
        match &e.kind {
            ExprKind::Binary {
                op: BinaryOp::Additive,
                operator,
                left,
                right,
            } if operator == "~" => {
                stack.push(right);
                stack.push(left);
            }
            _ => out.push(e),
        }
    }
    Some(out)
}
