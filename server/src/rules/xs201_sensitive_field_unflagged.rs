//! ## What it does
//! Reports a table column, or an input of an endpoint, function, middleware or tool, that holds a
//! credential, a secret or regulated personal data but is not marked `sensitive = true`:
//! - every field of type `password`;
//! - a field whose name contains, as whole snake_case words, one of the sensitive names
//!   (configurable with `sensitive-names`; by default password, passcode, pin, secret, token,
//!   api_key, apikey, access_key, private_key, client_secret, refresh_token, otp, ssn,
//!   social_security, tax_id, passport, credit_card, card_number, cvv, cvc, iban, account_number,
//!   routing_number, dob, date_of_birth; with a birth-date name configured, the spellings
//!   `birthdate`, `birth_date` and `birthday` count too).
//!
//! It also reports a `dblink` input whose table has such columns and does not hide them with
//! `override`: the endpoint then accepts, for example, the `password` column from the request.
//!
//! ## Why is this bad?
//! Xano treats a field marked `sensitive` as such: its value is masked where Xano records what
//! went through the API (request history, logs), which every team member with access can read.
//! Unmarked, passwords, reset tokens and identity numbers are kept there in clear text
//! (CWE-359: Exposure of Private Personal Information to an Unauthorized Actor;
//! OWASP API3:2023 Broken Object Property Level Authorization).
//!
//! ## Example
//! ```xs
//! table user {
//!   auth = true
//!   schema {
//!     int id
//!     email email
//!     password password
//!     text reset_token?
//!   }
//! }
//! ```
//!
//! ## Fix
//! Mark the field, the way Xano writes it:
//! ```xs
//!     password password {
//!       sensitive = true
//!     }
//! ```
//! The fix adds the `{ }` block after the field (or a `sensitive = true` line inside the block it
//! already has, or turns `sensitive = false` into `true`). For a `dblink` input it adds
//! `override = {password: {hidden: true}}` for the sensitive columns of the linked table.
//!
//! ## Not flagged
//! - Names that only contain a sensitive word as part of another word (`pincode`, `spinner`,
//!   `input_tokens`, `passwords`).
//! - Facts *about* a secret rather than the secret: the sensitive word followed by a word such as
//!   `count`, `expires`, `at`, `sent`, `attempts`, `length`, `type`, `status`, `verified`,
//!   `changed`, `prefix`, `last4`, `hint`, `name`, `url` or (for credentials) `id`:
//!   `token_count`, `password_reset_expires_at`, `otp_attempts`, `api_key_prefix`, `token_id`.
//! - Fields whose type cannot hold the value: `bool`, `enum`, `decimal`, `timestamp` and `date`
//!   (except birth dates), geo, vector and media types (except for identity documents such as a
//!   passport scan).
//! - `object` fields with a schema: their own fields are checked instead.
//! - `dblink` columns hidden with `override = {field: {hidden: true}}` or declared with
//!   `visibility = "private"` or `"internal"` (Xano does not offer those as inputs).

use crate::finding::{Fix, TextEdit};
use crate::fix::{indent_at, insert_lines_after, line_ending_at};
use crate::model::{Expr, ExprKind, Field, Item, Object, PairKey};

use crate::workspace::sensitivity::{field_sensitivity, is_flagged, nested_schema};

use super::context::{Context, Diagnostic};
use super::edits;
use crate::finding::Severity;

use super::rule::Rule;

pub const CODE: &str = "XS201";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "sensitive-field-unflagged",
    severity: Severity::Warning,
    cwe: Some("CWE-359"),
    summary: "A field named or typed like a credential or personal data lacks `sensitive = true`.",
    fixable: true,
    safe_fixes: true,
    check: Some(check),
};

/// Object kinds whose inputs are checked.
const INPUT_KINDS: &[&str] = &["query", "function", "middleware", "tool"];

pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for object in ctx.all_objects() {
        let kind = object.kind.value.as_str();
        let (list, owner) = if kind == "table" {
            (
                object.fields("schema"),
                format!("table `{}`", name_of(object)),
            )
        } else if INPUT_KINDS.contains(&kind) {
            (object.fields("input"), owner_label(object))
        } else {
            continue;
        };
        let Some(list) = list else { continue };
        check_fields(ctx, &list.fields, "", &owner, kind == "table", &mut out, 0);
    }
    out
}

fn name_of(object: &Object) -> &str {
    object.name.as_ref().map_or("?", |n| n.value.as_str())
}

fn owner_label(object: &Object) -> String {
    match object.kind.value.as_str() {
        "query" => format!("endpoint `{}`", crate::semantics::endpoint::label(object)),
        kind => format!("{kind} `{}`", name_of(object)),
    }
}

fn check_fields(
    ctx: &Context,
    fields: &[Field],
    prefix: &str,
    owner: &str,
    is_table: bool,
    out: &mut Vec<Diagnostic>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    for field in fields {
        if field.ty.value == "dblink" && field.name.is_none() {
            if !is_table && let Some(d) = check_dblink(ctx, field, owner) {
                out.push(d);
            }
            continue;
        }
        let Some(name) = &field.name else { continue };
        let path = format!("{prefix}{}", name.value);
        if let Some(schema) = nested_schema(field) {
            check_fields(
                ctx,
                &schema.fields,
                &format!("{path}."),
                owner,
                is_table,
                out,
                depth + 1,
            );
            continue;
        }
        if is_flagged(field) {
            continue;
        }
        let Some(reason) = field_sensitivity(ctx.ws, field) else {
            continue;
        };
        let what = if is_table { "column" } else { "input" };
        let why = reason.describe();
        let message =
            format!("{owner} {what} `{path}` is {why} but is not marked `sensitive = true`");
        let range = field.ty.span.start..name.span.end;
        let mut diagnostic = Diagnostic::new(CODE, range, message).with_help(
            "Xano masks a sensitive value in request history, logs and the debugger; unflagged, it is kept there in clear: add `sensitive = true`",
        );
        if let Some(fix) = flag_fix(ctx, field) {
            diagnostic = diagnostic.with_fix(fix);
        }
        out.push(diagnostic);
    }
}

/// Adds `sensitive = true` to a field: a new block, a line in its block, or `false` → `true`.
fn flag_fix(ctx: &Context, field: &Field) -> Option<Fix> {
    let text = ctx.text();
    let title = "Mark the field `sensitive = true`".to_string();
    let indent = indent_at(text, field.span.start).to_string();
    let unit = ctx.indent_unit();
    let eol = line_ending_at(text, field.span.start);
    let edit = match &field.body {
        None => TextEdit {
            range: field.span.end..field.span.end,
            new_text: format!(" {{{eol}{indent}{unit}sensitive = true{eol}{indent}}}"),
        },
        Some(body) => {
            if let Some(existing) = body.attribute("sensitive") {
                edits::replace(&existing.value.span, "true")
            } else {
                let body_text = text.get(body.span.clone())?;
                if !body_text.starts_with('{') || !body_text.ends_with('}') {
                    return None;
                }
                if body_text.contains('\n') {
                    // Xano writes `sensitive` right after the `description`.
                    edits::add_to_block(
                        ctx,
                        field.span.start,
                        body,
                        body.attribute("description"),
                        &["sensitive = true".into()],
                    )
                } else {
                    // A one-line block holds one attribute: rewrite it in the multi-line form.
                    let mut lines = Vec::new();
                    for item in &body.items {
                        let Item::Attribute(a) = item else {
                            return None;
                        };
                        lines.push(text.get(a.span.clone())?.trim().to_string());
                    }
                    lines.push("sensitive = true".to_string());
                    let mut new_text = String::from("{");
                    for line in lines {
                        new_text.push_str(&format!("{eol}{indent}{unit}{line}"));
                    }
                    new_text.push_str(&format!("{eol}{indent}}}"));
                    TextEdit {
                        range: body.span.clone(),
                        new_text,
                    }
                }
            }
        }
    };
    Some(Fix {
        applicability: crate::finding::Applicability::Safe,
        title,
        edits: vec![edit],
    })
}

/// A `dblink` input whose table has sensitive columns it does not hide.
fn check_dblink(ctx: &Context, field: &Field, owner: &str) -> Option<Diagnostic> {
    let table = field
        .attribute("table")
        .and_then(|a| crate::semantics::literal_name(&a.value))?;
    let info = ctx.ws.table(table)?;
    let schema_object = info.object.object();
    let schema = schema_object.fields("schema")?;
    let override_value = field.attribute("override").map(|a| &a.value);
    let mut exposed = Vec::new();
    let mut conflicting = false;
    for column in &schema.fields {
        let Some(name) = &column.name else { continue };
        let sensitive = is_flagged(column) || field_sensitivity(ctx.ws, column).is_some();
        if !sensitive || nested_schema(column).is_some() || hidden_from_inputs(column) {
            continue;
        }
        match override_value.and_then(|o| o.get(&name.value)) {
            Some(entry) if entry.get("hidden").and_then(Expr::as_bool) == Some(true) => {}
            Some(_) => {
                conflicting = true;
                exposed.push(name.value.clone());
            }
            None => exposed.push(name.value.clone()),
        }
    }
    if exposed.is_empty() {
        return None;
    }
    let names = crate::analysis::exposure::list_names(&exposed);
    let message = format!(
        "`dblink` input of {owner} accepts the sensitive column{} {names} of table `{}`",
        if exposed.len() > 1 { "s" } else { "" },
        info.name,
    );
    let mut diagnostic = Diagnostic::new(CODE, field.ty.span.clone(), message).with_help(format!(
        "A caller can send {} with the request: hide {} with `override = {{name: {{hidden: true}}}}`",
        if exposed.len() > 1 { "them" } else { "it" },
        if exposed.len() > 1 { "them" } else { "it" },
    ));
    if !conflicting && let Some(fix) = dblink_fix(ctx, field, &exposed) {
        diagnostic = diagnostic.with_fix(fix);
    }
    Some(diagnostic)
}

/// Columns Xano does not offer as inputs.
fn hidden_from_inputs(column: &Field) -> bool {
    column
        .attribute("visibility")
        .and_then(|a| a.value.string_value())
        .is_some_and(|v| v.eq_ignore_ascii_case("private") || v.eq_ignore_ascii_case("internal"))
}

fn dblink_fix(ctx: &Context, field: &Field, exposed: &[String]) -> Option<Fix> {
    let text = ctx.text();
    let entries: Vec<String> = exposed
        .iter()
        .map(|f| format!("{f}: {{hidden: true}}"))
        .collect();
    let body = field.body.as_ref()?;
    let edit = match body.attribute("override") {
        None => {
            let anchor = body.attribute("table")?;
            let indent = indent_at(text, anchor.span.start).to_string();
            let one_line = format!("override = {{{}}}", entries.join(", "));
            let lines = if indent.len() + one_line.len() <= 100 {
                vec![one_line]
            } else {
                // The exporter's long form: one entry a line, keys padded to align the colons.
                let width = exposed.iter().map(String::len).max().unwrap_or(0);
                let unit = ctx.indent_unit();
                let mut lines = vec!["override = {".to_string()];
                lines.extend(
                    exposed
                        .iter()
                        .map(|f| format!("{unit}{f:<width$}: {{hidden: true}}")),
                );
                lines.push("}".to_string());
                lines
            };
            insert_lines_after(text, anchor.span.end, &indent, &lines)
        }
        Some(attr) => {
            let ExprKind::Object(pairs) = &attr.value.kind else {
                return None;
            };
            let value_text = text.get(attr.value.span.clone())?;
            if !value_text.ends_with('}') {
                return None;
            }
            let close = attr.value.span.end - 1;
            if value_text.contains('\n') {
                let indent = pairs
                    .iter()
                    .find(|p| matches!(p.key, PairKey::Name(_)))
                    .map(|p| indent_at(text, p.span.start).to_string())
                    .unwrap_or_else(|| {
                        format!("{}{}", indent_at(text, attr.span.start), ctx.indent_unit())
                    });
                crate::fix::insert_lines_before(text, close, &indent, &entries)
            } else {
                let separator = if pairs.is_empty() { "" } else { ", " };
                let before_close = text[..close].trim_end().len();
                TextEdit {
                    range: before_close..before_close,
                    new_text: format!("{separator}{}", entries.join(", ")),
                }
            }
        }
    };
    Some(Fix {
        applicability: crate::finding::Applicability::Safe,
        title: format!(
            "Hide {} from the `dblink` input with `override`",
            crate::analysis::exposure::list_names(exposed)
        ),
        edits: vec![edit],
    })
}
