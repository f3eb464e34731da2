//! Builds the model from a tree-sitter tree.
//!
//! Nodes that are errors, or that hold an error where the model needs a part, are skipped.
//! Nesting deeper than [`MAX_DEPTH`] is cut off (kept as [`ExprKind::Other`] or left out), so
//! hostile input cannot exhaust the stack.

use std::collections::HashMap;
use std::num::NonZeroU16;
use std::sync::OnceLock;

use tree_sitter::Node;

use super::expr::{BinaryOp, Expr, ExprKind, Filter, Pair, PairKey, Segment, VarPath};
use super::{
    Argument, Attribute, Block, Field, FieldList, Item, Object, SourceFile, Statement, Text,
};

const MAX_DEPTH: usize = 200;

/// The model of the file whose text is `src` and whose tree's root is `root`.
pub fn lower(root: Node, src: &str) -> SourceFile {
    let mut file = SourceFile::default();
    let l = Lower { src };
    let mut cursor = root.walk();
    for child in root.children(&mut cursor) {
        match child.kind() {
            "object" => file.objects.extend(l.object(child)),
            // Objects that error recovery wrapped: keep the ones that are still whole.
            "ERROR" => {
                let mut inner = child.walk();
                for c in child.children(&mut inner) {
                    if c.kind() == "object" {
                        file.objects.extend(l.object(c));
                    }
                }
            }
            _ => {}
        }
    }
    collect_comments(root, src, &mut file.comments);
    file
}

/// Comments in source order, found with one cursor walk over the tree.
fn collect_comments(root: Node, src: &str, out: &mut Vec<Text>) {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.kind() == "comment" {
            out.push(Text {
                value: src[node.byte_range()].to_string(),
                span: node.byte_range(),
            });
        } else if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// Field ids by name, looked up once: tree-sitter's own lookup by name is a linear scan.
fn field_id(name: &str) -> NonZeroU16 {
    static IDS: OnceLock<HashMap<String, NonZeroU16>> = OnceLock::new();
    let ids = IDS.get_or_init(|| {
        let language = crate::syntax::language();
        (1..=language.field_count() as u16)
            .filter_map(|id| {
                Some((
                    language.field_name_for_id(id)?.to_string(),
                    NonZeroU16::new(id)?,
                ))
            })
            .collect()
    });
    ids.get(name).copied().unwrap_or(NonZeroU16::MAX)
}

fn child<'t>(node: Node<'t>, name: &str) -> Option<Node<'t>> {
    node.child_by_field_id(field_id(name).get())
}

struct Lower<'s> {
    src: &'s str,
}

impl Lower<'_> {
    fn text(&self, node: Node) -> Text {
        Text {
            value: self.src[node.byte_range()].to_string(),
            span: node.byte_range(),
        }
    }

    /// A name as written, without quotes when it is a string.
    fn name(&self, node: Node) -> Text {
        match node.kind() {
            "string" => Text {
                value: self.string_value(node),
                span: node.byte_range(),
            },
            _ => self.text(node),
        }
    }

    fn string_value(&self, node: Node) -> String {
        let raw = &self.src[node.byte_range()];
        let quote = raw.chars().next().unwrap_or('"');
        let inner = raw
            .strip_prefix(quote)
            .and_then(|r| r.strip_suffix(quote))
            .unwrap_or(raw);
        unescape(inner, quote)
    }

    fn object(&self, node: Node) -> Option<Object> {
        let kind = self.text(child(node, "kind")?);
        let body = self.block(child(node, "body")?, 0);
        let mut cursor = node.walk();
        let header = node
            .children_by_field_id(field_id("attribute"), &mut cursor)
            .filter_map(|a| self.inline_attribute(a))
            .tight();
        Some(Object {
            kind,
            name: child(node, "name").map(|n| self.name(n)),
            header,
            body,
            span: node.byte_range(),
            damaged: node.has_error(),
        })
    }

    fn inline_attribute(&self, node: Node) -> Option<Attribute> {
        let key = self.text(child(node, "key")?);
        let value_node = child(node, "value")?;
        let value = match value_node.kind() {
            "identifier" => Expr {
                kind: ExprKind::Word(self.text(value_node).value),
                span: value_node.byte_range(),
            },
            _ => self.expr(value_node, 0),
        };
        Some(Attribute {
            key,
            value,
            span: node.byte_range(),
        })
    }

    fn block(&self, node: Node, depth: usize) -> Block {
        let mut items = Vec::new();
        if depth < MAX_DEPTH {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                let item = match child.kind() {
                    "attribute" => self.attribute(child, depth).map(Item::Attribute),
                    "statement" => self.statement(child, depth).map(Item::Statement),
                    "field_list" => Some(Item::Fields(self.field_list(child, depth))),
                    _ => None,
                };
                items.extend(item);
            }
        }
        items.shrink_to_fit();
        Block {
            items,
            span: node.byte_range(),
        }
    }

    fn attribute(&self, node: Node, depth: usize) -> Option<Attribute> {
        let key = self.text(child(node, "key")?);
        let value = self.expr(child(node, "value")?, depth + 1);
        Some(Attribute {
            key,
            value,
            span: node.byte_range(),
        })
    }

    fn statement(&self, node: Node, depth: usize) -> Option<Statement> {
        let name = self.text(child(node, "name")?);
        let mut cursor = node.walk();
        let arguments = node
            .children_by_field_id(field_id("argument"), &mut cursor)
            .filter(|a| !a.is_error() && !a.is_missing())
            .map(|a| match a.kind() {
                "identifier" | "path" => Argument::Name(self.text(a)),
                "string" => Argument::String(self.name(a)),
                "inline_attribute" => match self.inline_attribute(a) {
                    Some(attr) => Argument::Attribute(attr),
                    None => Argument::Expr(self.other(a)),
                },
                _ => Argument::Expr(self.expr(a, depth + 1)),
            })
            .tight();
        let alias_filters = node
            .children_by_field_id(field_id("filter"), &mut cursor)
            .map(|f| self.filter(f, depth + 1))
            .tight();
        Some(Statement {
            name,
            disabled: child(node, "disabled").is_some(),
            arguments,
            body: child(node, "body").map(|b| self.block(b, depth + 1)),
            alias: child(node, "alias").map(|a| self.expr(a, depth + 1)),
            alias_filters,
            span: node.byte_range(),
        })
    }

    fn field_list(&self, node: Node, depth: usize) -> FieldList {
        let kind = child(node, "kind").map_or_else(|| self.text(node), |k| self.text(k));
        let mut cursor = node.walk();
        let fields = node
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "field_declaration")
            .filter_map(|c| self.field(c, depth + 1))
            .tight();
        FieldList {
            kind,
            fields,
            span: node.byte_range(),
        }
    }

    fn field(&self, node: Node, depth: usize) -> Option<Field> {
        let ty = self.text(child(node, "type")?);
        let filters = match child(node, "filters") {
            Some(f) => {
                let mut cursor = f.walk();
                f.named_children(&mut cursor)
                    .map(|c| self.filter(c, depth + 1))
                    .tight()
            }
            None => Vec::new(),
        };
        Some(Field {
            ty,
            is_array: child(node, "array").is_some(),
            nullable: child(node, "nullable").is_some(),
            name: child(node, "name").map(|n| self.text(n)),
            optional: child(node, "optional").is_some(),
            default: child(node, "default").map(|d| self.expr(d, depth + 1)),
            filters,
            body: child(node, "body").map(|b| self.block(b, depth + 1)),
            span: node.byte_range(),
        })
    }

    fn filter(&self, node: Node, depth: usize) -> Filter {
        let name = child(node, "name").map_or_else(|| self.text(node), |n| self.text(n));
        let mut cursor = node.walk();
        let arguments = match node.kind() {
            // `@:dbo=12`: keep the table id as the argument.
            "table_link_filter" => child(node, "value")
                .map(|v| self.expr(v, depth + 1))
                .into_iter()
                .tight(),
            _ => node
                .children_by_field_id(field_id("argument"), &mut cursor)
                .map(|a| self.expr(a, depth + 1))
                .tight(),
        };
        Filter {
            name,
            disabled: child(node, "disabled").is_some(),
            arguments,
            span: node.byte_range(),
        }
    }

    fn other(&self, node: Node) -> Expr {
        Expr {
            kind: ExprKind::Other(self.src[node.byte_range()].to_string()),
            span: node.byte_range(),
        }
    }

    fn expr(&self, node: Node, depth: usize) -> Expr {
        if depth > MAX_DEPTH || node.is_error() || node.is_missing() {
            return self.other(node);
        }
        let span = node.byte_range();
        let d = depth + 1;
        let field = |name: &str| child(node, name);
        let kind = match node.kind() {
            "variable" => ExprKind::Var(VarPath {
                root: self.src[span.clone()][1..].to_string(),
                segments: Vec::new(),
            }),
            "member_expression" | "subscript_expression" => return self.access(node, depth),
            "parenthesized_expression" => match node.named_child(0) {
                Some(inner) => return self.expr(inner, d),
                None => ExprKind::Other(String::new()),
            },
            "string" => ExprKind::String(self.string_value(node)),
            "raw_string" => ExprKind::String(raw_block_value(&self.src[span.clone()])),
            "expression_literal" => {
                let raw = &self.src[span.clone()];
                ExprKind::ExpressionLiteral(raw.trim_matches('`').to_string())
            }
            "raw_expression" => {
                ExprKind::ExpressionLiteral(raw_block_value(&self.src[span.clone()]))
            }
            "number" => ExprKind::Number(self.src[span.clone()].to_string()),
            "timestamp" => ExprKind::String(self.src[span.clone()].to_string()),
            "boolean" => ExprKind::Bool(&self.src[span.clone()] == "true"),
            "null" => ExprKind::Null,
            "now" => ExprKind::Now,
            "identifier" => ExprKind::Word(self.src[span.clone()].to_string()),
            "tagged_literal" => ExprKind::Tagged {
                tag: field("tag").map(|t| self.text(t).value).unwrap_or_default(),
                value: field("value")
                    .map(|v| self.string_value(v))
                    .unwrap_or_default(),
            },
            "object_literal" => {
                let mut cursor = node.walk();
                let pairs = node
                    .named_children(&mut cursor)
                    .filter_map(|c| match c.kind() {
                        "pair" => self.pair(c, d),
                        "spread_element" => Some(Pair {
                            key: PairKey::Name(Text {
                                value: "...".into(),
                                span: c.byte_range(),
                            }),
                            value: self.spread(c, d),
                            disabled: false,
                            span: c.byte_range(),
                        }),
                        _ => None,
                    })
                    .tight();
                ExprKind::Object(pairs)
            }
            "array_literal" => {
                let mut cursor = node.walk();
                let items = node
                    .named_children(&mut cursor)
                    .filter(|c| c.kind() != "comment" && !c.is_error())
                    .map(|c| {
                        if c.kind() == "spread_element" {
                            self.spread(c, d)
                        } else {
                            self.expr(c, d)
                        }
                    })
                    .tight();
                ExprKind::Array(items)
            }
            "unary_expression" => ExprKind::Unary {
                op: field("operator")
                    .map(|o| self.text(o).value)
                    .unwrap_or_default(),
                operand: Box::new(
                    field("argument").map_or_else(|| self.other(node), |a| self.expr(a, d)),
                ),
            },
            "binary_expression" => {
                let operator = field("operator")
                    .map(|o| self.text(o).value)
                    .unwrap_or_default();
                ExprKind::Binary {
                    op: binary_op(&operator),
                    operator,
                    left: Box::new(
                        field("left").map_or_else(|| self.other(node), |a| self.expr(a, d)),
                    ),
                    right: Box::new(
                        field("right").map_or_else(|| self.other(node), |a| self.expr(a, d)),
                    ),
                }
            }
            "ternary_expression" => ExprKind::Ternary {
                condition: Box::new(
                    field("condition").map_or_else(|| self.other(node), |a| self.expr(a, d)),
                ),
                then: field("consequence").map(|a| Box::new(self.expr(a, d))),
                otherwise: Box::new(
                    field("alternative").map_or_else(|| self.other(node), |a| self.expr(a, d)),
                ),
            },
            "filter_expression" => {
                let mut cursor = node.walk();
                ExprKind::Filtered {
                    value: Box::new(
                        field("value").map_or_else(|| self.other(node), |a| self.expr(a, d)),
                    ),
                    filters: node
                        .children_by_field_id(field_id("filter"), &mut cursor)
                        .map(|f| self.filter(f, d))
                        .tight(),
                }
            }
            _ => ExprKind::Other(self.src[span.clone()].to_string()),
        };
        Expr { kind, span }
    }

    fn spread(&self, node: Node, depth: usize) -> Expr {
        let inner = node
            .named_child(0)
            .map_or_else(|| self.other(node), |c| self.expr(c, depth));
        Expr {
            kind: ExprKind::Spread(Box::new(inner)),
            span: node.byte_range(),
        }
    }

    fn pair(&self, node: Node, depth: usize) -> Option<Pair> {
        let key_node = child(node, "key")?;
        let key = match key_node.kind() {
            "identifier" | "dotted_name" => PairKey::Name(self.text(key_node)),
            "string" => PairKey::Name(self.name(key_node)),
            _ => PairKey::Expr(Box::new(self.expr(key_node, depth))),
        };
        Some(Pair {
            key,
            value: self.expr(child(node, "value")?, depth),
            disabled: child(node, "disabled").is_some(),
            span: node.byte_range(),
        })
    }

    /// Flattens `$a.b[0].c` into one variable path; other objects keep an access chain.
    fn access(&self, node: Node, depth: usize) -> Expr {
        let mut segments = Vec::new();
        let mut current = node;
        let mut steps = 0;
        while matches!(current.kind(), "member_expression" | "subscript_expression")
            && steps < MAX_DEPTH
        {
            if current.kind() == "member_expression" {
                let property = child(current, "property")
                    .map(|p| self.text(p).value)
                    .unwrap_or_default();
                segments.push(Segment::Field(property));
            } else {
                let index = child(current, "index")
                    .map_or_else(|| self.other(current), |i| self.expr(i, depth + 1));
                segments.push(Segment::Index(Box::new(index)));
            }
            match child(current, "object") {
                Some(object) => current = object,
                None => return self.other(node),
            }
            steps += 1;
        }
        segments.reverse();
        let kind = match self.expr(current, depth + 1) {
            Expr {
                kind: ExprKind::Var(mut v),
                ..
            } => {
                v.segments.extend(segments);
                ExprKind::Var(v)
            }
            object => ExprKind::Access {
                object: Box::new(object),
                segments,
            },
        };
        Expr {
            kind,
            span: node.byte_range(),
        }
    }
}

fn binary_op(operator: &str) -> BinaryOp {
    match operator {
        "??" => BinaryOp::Coalesce,
        "||" => BinaryOp::Or,
        "&&" => BinaryOp::And,
        ".." => BinaryOp::Range,
        "+" | "-" | "~" | "&" => BinaryOp::Additive,
        "*" | "/" | "%" => BinaryOp::Multiplicative,
        _ => BinaryOp::Compare,
    }
}

/// The content of a `"""` / `'''` / ```` ``` ```` block: the lines between the delimiters with
/// the closing line's indentation removed, as Xano reads it.
fn raw_block_value(raw: &str) -> String {
    let body = raw.get(3..raw.len().saturating_sub(3)).unwrap_or("");
    let mut lines: Vec<&str> = body.split('\n').collect();
    // The opening line holds only the delimiter; the last line only the closing indentation.
    if !lines.is_empty() {
        lines.remove(0);
    }
    let indent = lines.last().map_or(0, |l| l.len() - l.trim_start().len());
    lines.pop();
    lines
        .iter()
        .map(|l| {
            let l = l.strip_suffix('\r').unwrap_or(l);
            let cut = l.len() - l.trim_start().len();
            &l[cut.min(indent)..]
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn unescape(inner: &str, quote: char) -> String {
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') if quote == '"' => out.push('\n'),
            Some('t') if quote == '"' => out.push('\t'),
            Some('r') if quote == '"' => out.push('\r'),
            Some(c @ ('\\' | '"' | '\'' | '/')) => out.push(c),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Collects without spare capacity: a workspace keeps thousands of models alive, and a
/// doubled vector of statements wastes hundreds of bytes per block.
trait Tight<T> {
    fn tight(self) -> Vec<T>;
}

impl<T, I: Iterator<Item = T>> Tight<T> for I {
    fn tight(self) -> Vec<T> {
        let mut v: Vec<T> = self.collect();
        v.shrink_to_fit();
        v
    }
}
