//! Hover: a finding's rule documentation, and what the workspace knows about a table where a
//! table is named (`auth = "user"`, `$auth.id`, `db.get order`, `table = "user"`, a table's own
//! name).

use std::ops::Range;

use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use super::convert::{self, Encoding};
use super::diagnostics::rule_href;
use crate::finding::Finding;
use crate::model::{Argument, Attribute, Block, Expr, ExprKind, Item, Object, Statement};
use crate::rules::{documentation, rule};
use crate::workspace::{FileModel, Workspace};

/// What is under the cursor, as far as hover is concerned.
#[derive(Debug, PartialEq, Eq)]
enum TableMention {
    /// `auth = "user"` of an endpoint.
    EndpointAuth(String),
    /// `$auth...` in an object of this kind whose `auth` names this table (`None`: it has no
    /// `auth`).
    AuthVariable { kind: String, table: Option<String> },
    /// Any other place naming a table.
    Table(String),
}

/// The hover at byte `offset` of `file`, given its findings and the workspace.
pub fn hover(
    file: &FileModel,
    findings: &[Finding],
    ws: &Workspace,
    offset: usize,
    encoding: Encoding,
) -> Option<Hover> {
    let mut sections = Vec::new();
    let mut range: Option<Range<usize>> = None;
    let mut codes: Vec<&str> = Vec::new();
    for finding in findings
        .iter()
        .filter(|f| f.range.start <= offset && offset <= f.range.end)
    {
        if codes.contains(&finding.code) {
            continue;
        }
        codes.push(finding.code);
        sections.push(rule_section(finding));
        range.get_or_insert(finding.range.clone());
    }
    if let Some((mention, span)) = table_mention(file, offset) {
        sections.push(mention_section(&mention, ws));
        range = Some(span);
    }
    if sections.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: sections.join("\n\n---\n\n"),
        }),
        range: range.map(|r| convert::range(&file.line_index, &r, encoding)),
    })
}

fn rule_section(finding: &Finding) -> String {
    let mut out = format!(
        "**{} {}** ({})",
        finding.code, finding.name, finding.severity
    );
    if let Some(cwe) = finding.cwe {
        out.push_str(&format!(" · {cwe}"));
    }
    out.push_str(&format!("\n\n{}", finding.message));
    if let Some(help) = &finding.help {
        out.push_str(&format!("\n\n{help}"));
    }
    for fix in &finding.fixes {
        out.push_str(&format!(
            "\n\nFix ({}): {}",
            fix.applicability.as_str(),
            fix.title
        ));
    }
    if let Some(doc) = documentation(finding.code) {
        out.push_str("\n\n");
        out.push_str(&demote_headings(doc.trim()));
    } else if let Some(rule) = rule(finding.code) {
        out.push_str(&format!("\n\n{}", rule.summary));
    }
    if let Some(href) = rule_href(finding.code) {
        out.push_str(&format!("\n\n[Rule reference]({})", href.as_str()));
    }
    out
}

/// Rule docs use `##` headings, which are too loud inside a hover.
fn demote_headings(doc: &str) -> String {
    let mut fenced = false;
    doc.lines()
        .map(|line| {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
            }
            match line.strip_prefix("## ") {
                Some(title) if !fenced => format!("#### {title}"),
                _ => line.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn mention_section(mention: &TableMention, ws: &Workspace) -> String {
    match mention {
        TableMention::EndpointAuth(table) => format!(
            "Callers must be signed in: `$auth` is their `{table}` record.\n\n{}",
            table_summary(ws, table)
        ),
        TableMention::AuthVariable {
            table: Some(table), ..
        } => format!(
            "`$auth`: the signed-in caller's `{table}` record.\n\n{}",
            table_summary(ws, table)
        ),
        TableMention::AuthVariable { kind, table: None } if kind == "query" => {
            "`$auth` is empty here: this endpoint has no `auth`, so nobody is signed in."
                .to_string()
        }
        TableMention::AuthVariable { kind, table: None } => format!(
            "`$auth`: the signed-in caller of whatever runs this {kind}; empty when that endpoint has no `auth`."
        ),
        TableMention::Table(table) => table_summary(ws, table),
    }
}

/// What the workspace index knows of a table.
pub fn table_summary(ws: &Workspace, name: &str) -> String {
    let Some(table) = ws.table(name) else {
        return if ws.has_tables() {
            format!("Table `{name}` is not defined in this workspace.")
        } else {
            format!("Table `{name}`: no table definitions are indexed.")
        };
    };
    let mut out = format!("**table `{}`**", table.name);
    if table.is_auth {
        out.push_str(" — auth table (holds the accounts that sign in)");
    }
    out.push_str(&format!("\n\nDefined in `{}`", table.object.file.path));
    let owner = match ws.owner_field(&table.name) {
        Some(column) => format!("`{}`", column.name),
        None if table.is_auth => "none needed (each record is an account)".to_string(),
        None => "none (records are not owned by a user)".to_string(),
    };
    out.push_str(&format!("\n\n- Owner field: {owner}"));
    let sensitive: Vec<String> = ws
        .sensitive_columns(&table.name)
        .iter()
        .map(|c| {
            if c.flagged_sensitive {
                format!("`{}`", c.name)
            } else {
                format!("`{}` (not flagged `sensitive = true`)", c.name)
            }
        })
        .collect();
    let sensitive = if sensitive.is_empty() {
        "none".to_string()
    } else {
        sensitive.join(", ")
    };
    out.push_str(&format!("\n- Sensitive fields: {sensitive}"));
    out.push_str(&format!("\n- Columns: {}", table.columns.len()));
    out
}

/// The table mentioned at `offset`, with the span of the mention.
fn table_mention(file: &FileModel, offset: usize) -> Option<(TableMention, Range<usize>)> {
    let object = file
        .model
        .objects
        .iter()
        .find(|o| o.span.start <= offset && offset <= o.span.end)?;
    if object.kind.value == "table"
        && let Some(name) = &object.name
        && contains(&name.span, offset)
    {
        return Some((TableMention::Table(name.value.clone()), name.span.clone()));
    }
    let auth_table = object
        .attribute("auth")
        .and_then(|a| a.value.string_value())
        .map(str::to_string);
    let mut found = None;
    visit(object, offset, &mut |node| {
        let mention = match node {
            Node::Attribute(a) if a.key.value == "auth" && object.kind.value != "table" => a
                .value
                .string_value()
                .map(|t| (TableMention::EndpointAuth(t.to_string()), a.span.clone())),
            Node::Attribute(a) if a.key.value == "table" => a
                .value
                .string_value()
                .map(|t| (TableMention::Table(t.to_string()), a.value.span.clone())),
            Node::Statement(s) if s.name.value.starts_with("db.") => s
                .target_name()
                .filter(|t| contains(&t.span, offset))
                .map(|t| (TableMention::Table(t.value.clone()), t.span.clone())),
            Node::Expr(e) => match &e.kind {
                ExprKind::Var(path) if path.root == "auth" && contains(&e.span, offset) => Some((
                    TableMention::AuthVariable {
                        kind: object.kind.value.clone(),
                        table: auth_table.clone(),
                    },
                    e.span.clone(),
                )),
                _ => None,
            },
            _ => None,
        };
        // Later (more deeply nested) mentions win.
        if mention.is_some() {
            found = mention;
        }
    });
    found
}

fn contains(span: &Range<usize>, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// A part of the model that may name a table.
enum Node<'a> {
    Attribute(&'a Attribute),
    Statement(&'a Statement),
    Expr(&'a Expr),
}

/// Calls `f` on every attribute, statement and expression of `object` whose span holds
/// `offset`, outermost first. Nesting is walked with an explicit stack: a file may nest deeply.
fn visit<'a>(object: &'a Object, offset: usize, f: &mut impl FnMut(Node<'a>)) {
    let mut blocks: Vec<&'a Block> = vec![&object.body];
    let mut exprs: Vec<&'a Expr> = Vec::new();
    for attribute in &object.header {
        if contains(&attribute.span, offset) {
            f(Node::Attribute(attribute));
            exprs.push(&attribute.value);
        }
    }
    while let Some(block) = blocks.pop() {
        for item in &block.items {
            match item {
                Item::Attribute(a) if contains(&a.span, offset) => {
                    f(Node::Attribute(a));
                    exprs.push(&a.value);
                }
                Item::Statement(s) if contains(&s.span, offset) => {
                    f(Node::Statement(s));
                    for argument in &s.arguments {
                        match argument {
                            Argument::Expr(e) => exprs.push(e),
                            Argument::Attribute(a) if contains(&a.span, offset) => {
                                f(Node::Attribute(a));
                                exprs.push(&a.value);
                            }
                            _ => {}
                        }
                    }
                    exprs.extend(s.alias.as_ref());
                    blocks.extend(s.body.as_ref());
                }
                Item::Fields(list) if contains(&list.span, offset) => {
                    for field in list.fields.iter().filter(|f| contains(&f.span, offset)) {
                        exprs.extend(field.default.as_ref());
                        blocks.extend(field.body.as_ref());
                    }
                }
                _ => {}
            }
        }
    }
    for expr in exprs {
        for e in expr.walk() {
            if contains(&e.span, offset) {
                f(Node::Expr(e));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::Config;
    use std::sync::Arc;

    const USER: &str = "table user {\n  auth = true\n  schema {\n    int id\n    password password\n    text api_key {\n      sensitive = true\n    }\n  }\n}\n";
    const ORDER: &str = "table order {\n  schema {\n    int id\n    int user_id {\n      table = \"user\"\n    }\n  }\n}\n";
    const QUERY: &str = "query \"orders/{id}\" verb=GET {\n  api_group = \"shop\"\n  auth = \"user\"\n  stack {\n    db.get order {\n      field_name = \"id\"\n      field_value = $input.id\n    } as $order\n    precondition ($order.user_id == $auth.id)\n  }\n  response = $order\n}\n";

    fn workspace() -> (Workspace, Arc<FileModel>) {
        let query = Arc::new(FileModel::parse("/w/q.xs", QUERY));
        let mut ws = Workspace::new(Config::default());
        ws.insert(Arc::new(FileModel::parse("/w/user.xs", USER)));
        ws.insert(Arc::new(FileModel::parse("/w/order.xs", ORDER)));
        ws.insert(query.clone());
        ws.reindex();
        (ws, query)
    }

    fn hover_text(at: &str, nth: usize) -> String {
        let (ws, query) = workspace();
        let offset = QUERY.match_indices(at).nth(nth).unwrap().0 + 1;
        match hover(&query, &[], &ws, offset, Encoding::Utf16).map(|h| h.contents) {
            Some(HoverContents::Markup(m)) => m.value,
            other => panic!("no hover at {at:?}: {other:?}"),
        }
    }

    #[test]
    fn auth_attribute_summarises_the_auth_table() {
        let text = hover_text("auth = \"user\"", 0);
        assert!(text.contains("**table `user`** — auth table"), "{text}");
        assert!(text.contains("`password` (not flagged"), "{text}");
        assert!(text.contains("`api_key`"), "{text}");
    }

    #[test]
    fn auth_variable_and_db_target() {
        let text = hover_text("$auth.id", 0);
        assert!(
            text.starts_with("`$auth`: the signed-in caller's `user` record"),
            "{text}"
        );
        let text = hover_text("order {", 0);
        assert!(text.contains("**table `order`**"), "{text}");
        assert!(text.contains("Owner field: `user_id`"), "{text}");
    }

    #[test]
    fn auth_variable_without_auth_depends_on_the_object() {
        let ws = Workspace::new(Config::default());
        let function = FileModel::parse(
            "/w/f.xs",
            "function f {\n  stack {\n    var $x { value = $auth.id }\n  }\n  response = $x\n}\n",
        );
        let offset = function.text.find("$auth").unwrap() + 1;
        let Some(HoverContents::Markup(m)) =
            hover(&function, &[], &ws, offset, Encoding::Utf16).map(|h| h.contents)
        else {
            panic!("a hover on $auth")
        };
        assert!(
            m.value.contains("whatever runs this function"),
            "{}",
            m.value
        );
    }

    #[test]
    fn nothing_to_say_elsewhere() {
        let (ws, query) = workspace();
        assert!(hover(&query, &[], &ws, 2, Encoding::Utf16).is_none());
    }

    #[test]
    fn headings_in_code_blocks_stay() {
        assert_eq!(
            demote_headings("## A\n```\n## not a heading\n```"),
            "#### A\n```\n## not a heading\n```"
        );
    }
}
