//! Builds the model from a tree-sitter tree.
//!
//! Nodes that are errors, or that hold an error where the model needs a part, are skipped.
//! Nesting deeper than [`MAX_DEPTH`] is cut off (kept as [`ExprKind::Other`] or left out), so
//! hostile input cannot exhaust the stack.

use std::cell::RefCell;
use std::sync::OnceLock;

use smallvec::SmallVec;
use tree_sitter::{Node, TreeCursor};

use super::change::{Shift, TextChange};
use super::expr::{BinaryOp, Expr, ExprKind, Filter, Pair, PairKey, Segment, VarPath};
use super::{
    Argument, Attribute, Block, Field, FieldList, Item, Object, SourceFile, Statement, Text,
};

const MAX_DEPTH: usize = 200;

/// The model of the file whose text is `src` and whose tree's root is `root`.
pub fn lower(root: Node, src: &str) -> SourceFile {
    let mut file = SourceFile::default();
    let l = Lower::new(root, src);
    for child in l.children(root) {
        match child.kind() {
            "object" => file.objects.extend(l.object(child, None)),
            // Objects that error recovery wrapped: keep the ones that are still whole.
            "ERROR" => {
                for c in l.children(child) {
                    if c.kind() == "object" {
                        file.objects.extend(l.object(c, None));
                    }
                }
            }
            _ => {}
        }
    }
    collect_comments(root, src, &mut file.comments);
    file
}

/// Comments in source order. Every comment starts with `//`, so only the places where the text
/// has one are looked up in the tree: far cheaper than visiting every node.
pub(super) fn collect_comments(root: Node, src: &str, out: &mut Vec<Text>) {
    let mut from = 0;
    while let Some(found) = src[from..].find("//") {
        let at = from + found;
        from = at + 2;
        let Some(node) = root.descendant_for_byte_range(at, at + 2) else {
            continue;
        };
        if node.kind() == "comment" && node.start_byte() == at {
            out.push(Text {
                value: src[node.byte_range()].to_string(),
                span: node.byte_range(),
            });
            from = from.max(node.end_byte());
        }
    }
}

/// The grammar's field ids, looked up by name once.
struct Fields {
    alias: u16,
    alternative: u16,
    argument: u16,
    array: u16,
    attribute: u16,
    body: u16,
    condition: u16,
    consequence: u16,
    default: u16,
    disabled: u16,
    filter: u16,
    filters: u16,
    index: u16,
    key: u16,
    kind: u16,
    left: u16,
    name: u16,
    nullable: u16,
    object: u16,
    operator: u16,
    optional: u16,
    property: u16,
    right: u16,
    tag: u16,
    ty: u16,
    value: u16,
}

fn fields() -> &'static Fields {
    static FIELDS: OnceLock<Fields> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let language = crate::syntax::language();
        // A name the grammar lacks gets an id no child carries.
        let id = |name: &str| {
            language
                .field_id_for_name(name)
                .map_or(u16::MAX, |id| id.get())
        };
        Fields {
            alias: id("alias"),
            alternative: id("alternative"),
            argument: id("argument"),
            array: id("array"),
            attribute: id("attribute"),
            body: id("body"),
            condition: id("condition"),
            consequence: id("consequence"),
            default: id("default"),
            disabled: id("disabled"),
            filter: id("filter"),
            filters: id("filters"),
            index: id("index"),
            key: id("key"),
            kind: id("kind"),
            left: id("left"),
            name: id("name"),
            nullable: id("nullable"),
            object: id("object"),
            operator: id("operator"),
            optional: id("optional"),
            property: id("property"),
            right: id("right"),
            tag: id("tag"),
            ty: id("type"),
            value: id("value"),
        }
    })
}

/// A node's children with their field ids, read in one pass: tree-sitter's lookup by field
/// walks the children again on every call.
struct Parts<'t> {
    items: SmallVec<[(u16, Node<'t>); 8]>,
}

impl<'t> Parts<'t> {
    fn get(&self, field: u16) -> Option<Node<'t>> {
        self.items
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, n)| *n)
    }

    fn has(&self, field: u16) -> bool {
        self.get(field).is_some()
    }

    fn all(&self, field: u16) -> impl Iterator<Item = Node<'t>> + '_ {
        self.items
            .iter()
            .filter(move |(f, _)| *f == field)
            .map(|(_, n)| *n)
    }
}

pub(super) struct Lower<'s, 't> {
    src: &'s str,
    /// One cursor for the whole tree: making one allocates. Each use reads a node's children
    /// and lets go before anything recurses.
    cursor: RefCell<TreeCursor<'t>>,
    /// How `src` differs from the text of the previous model, when lowering reuses its parts.
    change: Option<TextChange>,
}

impl<'s, 't> Lower<'s, 't> {
    pub(super) fn new(root: Node<'t>, src: &'s str) -> Self {
        Self {
            src,
            cursor: RefCell::new(root.walk()),
            change: None,
        }
    }

    /// Lowering that copies, from the blocks of previous objects it is given, the items whose
    /// text `change` left as it was.
    pub(super) fn reusing(mut self, change: TextChange) -> Self {
        self.change = Some(change);
        self
    }

    /// The item of `old` that `node` is, unchanged: copied and moved to where `node` is.
    fn kept_item(&self, node: Node<'t>, old: Option<&Block>) -> Option<Item> {
        let old = old?;
        let range = node.byte_range();
        let span = self.change?.map_new(&range)?;
        let item = old.item_at(span.start)?;
        let same_kind = matches!(
            (item, node.kind()),
            (Item::Attribute(_), "attribute")
                | (Item::Statement(_), "statement")
                | (Item::Fields(_), "field_list")
        );
        if !same_kind || item.span() != &span {
            return None;
        }
        let mut item = item.clone();
        item.shift(range.start as isize - span.start as isize);
        Some(item)
    }

    /// A node's children with their field ids.
    fn parts(&self, node: Node<'t>) -> Parts<'t> {
        let mut items = SmallVec::new();
        let mut cursor = self.cursor.borrow_mut();
        cursor.reset(node);
        if cursor.goto_first_child() {
            loop {
                items.push((cursor.field_id().map_or(0, |f| f.get()), cursor.node()));
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        Parts { items }
    }

    /// A node's children.
    pub(super) fn children(&self, node: Node<'t>) -> SmallVec<[Node<'t>; 8]> {
        let mut out = SmallVec::new();
        let mut cursor = self.cursor.borrow_mut();
        cursor.reset(node);
        if cursor.goto_first_child() {
            loop {
                out.push(cursor.node());
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        out
    }

    /// A node's named children.
    fn named_children(&self, node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
        self.children(node).into_iter().filter(|c| c.is_named())
    }

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

    /// The object at `node`; `old`, the previous version of an edited object, lends it the
    /// items the edit did not touch (see [`Lower::reusing`]).
    pub(super) fn object(&self, node: Node<'t>, old: Option<&Object>) -> Option<Object> {
        let f = fields();
        let parts = self.parts(node);
        let kind = self.text(parts.get(f.kind)?);
        let body = self.block(parts.get(f.body)?, 0, old.map(|o| &o.body));
        let header = parts
            .all(f.attribute)
            .filter_map(|a| self.inline_attribute(a))
            .tight();
        Some(Object {
            kind,
            name: parts.get(f.name).map(|n| self.name(n)),
            header,
            body,
            span: node.byte_range(),
            damaged: node.has_error(),
        })
    }

    fn inline_attribute(&self, node: Node<'t>) -> Option<Attribute> {
        let f = fields();
        let parts = self.parts(node);
        let key = self.text(parts.get(f.key)?);
        let value_node = parts.get(f.value)?;
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

    fn block(&self, node: Node<'t>, depth: usize, old: Option<&Block>) -> Block {
        let mut items = Vec::new();
        if depth < MAX_DEPTH {
            for child in self.named_children(node) {
                if let Some(kept) = self.kept_item(child, old) {
                    items.push(kept);
                    continue;
                }
                let item = match child.kind() {
                    "attribute" => self.attribute(child, depth).map(Item::Attribute),
                    "statement" => {
                        // The edited statement: its own items may still be kept.
                        let before =
                            old.and_then(|b| b.item_at(child.start_byte()))
                                .and_then(|item| match item {
                                    Item::Statement(s) => Some(s),
                                    _ => None,
                                });
                        self.statement(child, depth, before).map(Item::Statement)
                    }
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

    fn attribute(&self, node: Node<'t>, depth: usize) -> Option<Attribute> {
        let f = fields();
        let parts = self.parts(node);
        let key = self.text(parts.get(f.key)?);
        let value = self.expr(parts.get(f.value)?, depth + 1);
        Some(Attribute {
            key,
            value,
            span: node.byte_range(),
        })
    }

    fn statement(
        &self,
        node: Node<'t>,
        depth: usize,
        old: Option<&Statement>,
    ) -> Option<Statement> {
        let f = fields();
        let parts = self.parts(node);
        let name = self.text(parts.get(f.name)?);
        let arguments = parts
            .all(f.argument)
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
        let alias_filters = parts
            .all(f.filter)
            .map(|n| self.filter(n, depth + 1))
            .tight();
        Some(Statement {
            name,
            disabled: parts.has(f.disabled),
            arguments,
            body: parts
                .get(f.body)
                .map(|b| self.block(b, depth + 1, old.and_then(|s| s.body.as_ref()))),
            alias: parts.get(f.alias).map(|a| self.expr(a, depth + 1)),
            alias_filters,
            span: node.byte_range(),
        })
    }

    fn field_list(&self, node: Node<'t>, depth: usize) -> FieldList {
        let kind = self
            .parts(node)
            .get(fields().kind)
            .map_or_else(|| self.text(node), |k| self.text(k));
        let fields = self
            .named_children(node)
            .filter(|c| c.kind() == "field_declaration")
            .filter_map(|c| self.field(c, depth + 1))
            .tight();
        FieldList {
            kind,
            fields,
            span: node.byte_range(),
        }
    }

    fn field(&self, node: Node<'t>, depth: usize) -> Option<Field> {
        let f = fields();
        let parts = self.parts(node);
        let ty = self.text(parts.get(f.ty)?);
        let filters = match parts.get(f.filters) {
            Some(list) => self
                .named_children(list)
                .map(|c| self.filter(c, depth + 1))
                .tight(),
            None => Vec::new(),
        };
        Some(Field {
            ty,
            is_array: parts.has(f.array),
            nullable: parts.has(f.nullable),
            name: parts.get(f.name).map(|n| self.text(n)),
            optional: parts.has(f.optional),
            default: parts.get(f.default).map(|d| self.expr(d, depth + 1)),
            filters,
            body: parts.get(f.body).map(|b| self.block(b, depth + 1, None)),
            span: node.byte_range(),
        })
    }

    fn filter(&self, node: Node<'t>, depth: usize) -> Filter {
        let f = fields();
        let parts = self.parts(node);
        let name = parts
            .get(f.name)
            .map_or_else(|| self.text(node), |n| self.text(n));
        let arguments = match node.kind() {
            // `@:dbo=12`: keep the table id as the argument.
            "table_link_filter" => parts
                .get(f.value)
                .map(|v| self.expr(v, depth + 1))
                .into_iter()
                .tight(),
            _ => parts
                .all(f.argument)
                .map(|a| self.expr(a, depth + 1))
                .tight(),
        };
        Filter {
            name,
            disabled: parts.has(f.disabled),
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

    fn expr(&self, node: Node<'t>, depth: usize) -> Expr {
        if depth > MAX_DEPTH || node.is_error() || node.is_missing() {
            return self.other(node);
        }
        let span = node.byte_range();
        let d = depth + 1;
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
            // Each kind with parts has its own function, so that the stack frame of this one,
            // which nesting repeats, stays small.
            "tagged_literal" => self.tagged(node),
            "object_literal" => self.object_literal(node, d),
            "array_literal" => self.array_literal(node, d),
            "unary_expression" => self.unary(node, d),
            "binary_expression" => self.binary(node, d),
            "ternary_expression" => self.ternary(node, d),
            "filter_expression" => self.filtered(node, d),
            _ => ExprKind::Other(self.src[span.clone()].to_string()),
        };
        Expr { kind, span }
    }

    fn tagged(&self, node: Node<'t>) -> ExprKind {
        let f = fields();
        let parts = self.parts(node);
        ExprKind::Tagged {
            tag: parts
                .get(f.tag)
                .map(|t| self.text(t).value)
                .unwrap_or_default(),
            value: parts
                .get(f.value)
                .map(|v| self.string_value(v))
                .unwrap_or_default(),
        }
    }

    fn object_literal(&self, node: Node<'t>, d: usize) -> ExprKind {
        let pairs = self
            .named_children(node)
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

    fn array_literal(&self, node: Node<'t>, d: usize) -> ExprKind {
        let items = self
            .named_children(node)
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

    fn unary(&self, node: Node<'t>, d: usize) -> ExprKind {
        let f = fields();
        let parts = self.parts(node);
        ExprKind::Unary {
            op: parts
                .get(f.operator)
                .map(|o| self.text(o).value)
                .unwrap_or_default(),
            operand: Box::new(self.part(node, &parts, f.argument, d)),
        }
    }

    fn binary(&self, node: Node<'t>, d: usize) -> ExprKind {
        let f = fields();
        let parts = self.parts(node);
        let operator = parts
            .get(f.operator)
            .map(|o| self.text(o).value)
            .unwrap_or_default();
        ExprKind::Binary {
            op: binary_op(&operator),
            operator,
            left: Box::new(self.part(node, &parts, f.left, d)),
            right: Box::new(self.part(node, &parts, f.right, d)),
        }
    }

    fn ternary(&self, node: Node<'t>, d: usize) -> ExprKind {
        let f = fields();
        let parts = self.parts(node);
        ExprKind::Ternary {
            condition: Box::new(self.part(node, &parts, f.condition, d)),
            then: parts.get(f.consequence).map(|a| Box::new(self.expr(a, d))),
            otherwise: Box::new(self.part(node, &parts, f.alternative, d)),
        }
    }

    fn filtered(&self, node: Node<'t>, d: usize) -> ExprKind {
        let f = fields();
        let parts = self.parts(node);
        ExprKind::Filtered {
            value: Box::new(self.part(node, &parts, f.value, d)),
            filters: parts.all(f.filter).map(|n| self.filter(n, d)).tight(),
        }
    }

    /// The expression in one field of `node`; the whole node as text when it is missing.
    fn part(&self, node: Node<'t>, parts: &Parts<'t>, field: u16, depth: usize) -> Expr {
        parts
            .get(field)
            .map_or_else(|| self.other(node), |a| self.expr(a, depth))
    }

    fn spread(&self, node: Node<'t>, depth: usize) -> Expr {
        let inner = node
            .named_child(0)
            .map_or_else(|| self.other(node), |c| self.expr(c, depth));
        Expr {
            kind: ExprKind::Spread(Box::new(inner)),
            span: node.byte_range(),
        }
    }

    fn pair(&self, node: Node<'t>, depth: usize) -> Option<Pair> {
        let f = fields();
        let parts = self.parts(node);
        let key_node = parts.get(f.key)?;
        let key = match key_node.kind() {
            "identifier" | "dotted_name" => PairKey::Name(self.text(key_node)),
            "string" => PairKey::Name(self.name(key_node)),
            _ => PairKey::Expr(Box::new(self.expr(key_node, depth))),
        };
        Some(Pair {
            key,
            value: self.expr(parts.get(f.value)?, depth),
            disabled: parts.has(f.disabled),
            span: node.byte_range(),
        })
    }

    /// Flattens `$a.b[0].c` into one variable path; other objects keep an access chain.
    fn access(&self, node: Node<'t>, depth: usize) -> Expr {
        let f = fields();
        let mut segments = Vec::new();
        let mut current = node;
        let mut steps = 0;
        while matches!(current.kind(), "member_expression" | "subscript_expression")
            && steps < MAX_DEPTH
        {
            let parts = self.parts(current);
            if current.kind() == "member_expression" {
                let property = parts
                    .get(f.property)
                    .map(|p| self.text(p).value)
                    .unwrap_or_default();
                segments.push(Segment::Field(property));
            } else {
                let index = self.part(current, &parts, f.index, depth + 1);
                segments.push(Segment::Index(Box::new(index)));
            }
            match parts.get(f.object) {
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
