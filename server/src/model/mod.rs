//! A typed view of one XanoScript file, built from its syntax tree.
//!
//! The model mirrors the grammar's generic shapes (objects, blocks of attributes, statements and
//! field lists, expressions) as owned values with byte spans, so that rules read XanoScript the
//! way the catalogue describes it and never touch tree-sitter nodes. Parts of the tree that did
//! not parse are left out: rules see every complete construct and nothing invented.

mod change;
mod expr;
mod lower;
mod reuse;
#[cfg(test)]
mod tests;

pub use change::{Shift, TextChange};
pub use expr::{BinaryOp, Expr, ExprKind, Filter, Pair, PairKey, Segment, VarPath};
pub use lower::lower;
pub use reuse::lower_reusing;

use std::ops::Range;

/// A byte range in the file's text.
pub type Span = Range<usize>;

/// A piece of source text with its span; for quoted names `value` is the unquoted text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub value: String,
    pub span: Span,
}

/// One file: its top-level objects and every comment line.
#[derive(Debug, Clone, Default)]
pub struct SourceFile {
    pub objects: Vec<Object>,
    pub comments: Vec<Text>,
}

/// A top-level construct: `query "orders/{id}" verb=GET { ... }`, `table user { ... }`.
#[derive(Debug, Clone)]
pub struct Object {
    /// `query`, `function`, `table`, `run.job`, ... as written.
    pub kind: Text,
    pub name: Option<Text>,
    /// Attributes written after the name, such as `verb=GET`.
    pub header: Vec<Attribute>,
    pub body: Block,
    pub span: Span,
    /// The object holds a syntax error: its model may be partial, and no fix edits it.
    pub damaged: bool,
}

/// The `{ ... }` of an object, a statement or a field.
#[derive(Debug, Clone, Default)]
pub struct Block {
    pub items: Vec<Item>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Item {
    Attribute(Attribute),
    Statement(Statement),
    Fields(FieldList),
}

/// `key = value`.
#[derive(Debug, Clone)]
pub struct Attribute {
    pub key: Text,
    pub value: Expr,
    pub span: Span,
}

/// `[!]name.space [arguments] [{ body }] [as $target[|filters]]`.
#[derive(Debug, Clone)]
pub struct Statement {
    /// The dotted name as written: `db.get`, `var`, `conditional`.
    pub name: Text,
    pub disabled: bool,
    pub arguments: Vec<Argument>,
    pub body: Option<Block>,
    /// The target of `as`, usually a variable.
    pub alias: Option<Expr>,
    /// Filters applied to the result before it is bound: `as $x|get:"id":null`.
    pub alias_filters: Vec<Filter>,
    pub span: Span,
}

/// What may follow a statement's name.
#[derive(Debug, Clone)]
pub enum Argument {
    /// A bare name or unquoted path: the table of `db.get user`, `function.run a/b`, `if`.
    Name(Text),
    /// A quoted name: `function.run "a/b"`.
    String(Text),
    /// `$x`, `$cfg.limits[0]`, `(condition)`, a number.
    Expr(Expr),
    /// `verb=GET`.
    Attribute(Attribute),
}

/// `input { ... }`, `schema { ... }`, `output { ... }`.
#[derive(Debug, Clone)]
pub struct FieldList {
    pub kind: Text,
    pub fields: Vec<Field>,
    pub span: Span,
}

/// `text[] ?name? ?= default filters=trim|lower { sensitive = true }`.
#[derive(Debug, Clone)]
pub struct Field {
    pub ty: Text,
    pub is_array: bool,
    pub nullable: bool,
    /// Absent for `dblink { ... }`.
    pub name: Option<Text>,
    pub optional: bool,
    pub default: Option<Expr>,
    pub filters: Vec<Filter>,
    pub body: Option<Block>,
    pub span: Span,
}

impl Object {
    /// The first attribute of the body named `key` (`auth`, `api_group`, `response`, ...).
    pub fn attribute(&self, key: &str) -> Option<&Attribute> {
        self.body.attribute(key)
    }

    /// A header attribute such as `verb`.
    pub fn header(&self, key: &str) -> Option<&Attribute> {
        self.header.iter().find(|a| a.key.value == key)
    }

    /// The field list of the given kind (`input`, `schema`, `output`).
    pub fn fields(&self, kind: &str) -> Option<&FieldList> {
        self.body.fields(kind)
    }

    /// The `stack { ... }` block.
    pub fn stack(&self) -> Option<&Block> {
        self.body
            .statements()
            .find(|s| s.name.value == "stack")
            .and_then(|s| s.body.as_ref())
    }
}

impl Item {
    pub fn span(&self) -> &Span {
        match self {
            Item::Attribute(a) => &a.span,
            Item::Statement(s) => &s.span,
            Item::Fields(f) => &f.span,
        }
    }
}

impl Block {
    /// The item that starts at byte `start`.
    pub fn item_at(&self, start: usize) -> Option<&Item> {
        let i = self
            .items
            .binary_search_by_key(&start, |item| item.span().start)
            .ok()?;
        Some(&self.items[i])
    }

    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.items.iter().filter_map(|i| match i {
            Item::Attribute(a) => Some(a),
            _ => None,
        })
    }

    pub fn statements(&self) -> impl Iterator<Item = &Statement> {
        self.items.iter().filter_map(|i| match i {
            Item::Statement(s) => Some(s),
            _ => None,
        })
    }

    pub fn attribute(&self, key: &str) -> Option<&Attribute> {
        self.attributes().find(|a| a.key.value == key)
    }

    pub fn fields(&self, kind: &str) -> Option<&FieldList> {
        self.items.iter().find_map(|i| match i {
            Item::Fields(f) if f.kind.value == kind => Some(f),
            _ => None,
        })
    }

    /// Every statement in this block and in the blocks nested in it, in source order, depth
    /// first. Nesting is walked with an explicit stack so deep files cannot overflow.
    pub fn walk_statements(&self) -> Vec<&Statement> {
        self.statements_where(|_| true)
    }

    /// [`Block::walk_statements`], keeping only the statements `keep` accepts and not looking
    /// inside the others.
    fn statements_where(&self, keep: impl Fn(&Statement) -> bool) -> Vec<&Statement> {
        let mut out = Vec::new();
        let mut stack: Vec<std::slice::Iter<'_, Item>> = vec![self.items.iter()];
        while let Some(top) = stack.last_mut() {
            match top.next() {
                Some(Item::Statement(s)) if keep(s) => {
                    out.push(s);
                    if let Some(body) = &s.body {
                        stack.push(body.items.iter());
                    }
                }
                Some(_) => {}
                None => {
                    stack.pop();
                }
            }
        }
        out
    }
}

impl Statement {
    /// The first argument that names something: the table of `db.get user`, the function of
    /// `function.run "a/b"`.
    pub fn target_name(&self) -> Option<&Text> {
        self.arguments.iter().find_map(|a| match a {
            Argument::Name(t) | Argument::String(t) => Some(t),
            _ => None,
        })
    }

    /// The first expression argument: `var $x`, `precondition (cond)`.
    pub fn first_expr(&self) -> Option<&Expr> {
        self.arguments.iter().find_map(|a| match a {
            Argument::Expr(e) => Some(e),
            _ => None,
        })
    }

    pub fn attribute(&self, key: &str) -> Option<&Attribute> {
        self.body.as_ref().and_then(|b| b.attribute(key))
    }

    /// The variable bound by `as $name`, without the `$`.
    pub fn alias_name(&self) -> Option<&str> {
        match &self.alias.as_ref()?.kind {
            ExprKind::Var(path) if path.segments.is_empty() => Some(&path.root),
            _ => None,
        }
    }
}

impl Field {
    /// An attribute of the field's `{ ... }` block, such as `sensitive` or `table`.
    pub fn attribute(&self, key: &str) -> Option<&Attribute> {
        self.body.as_ref().and_then(|b| b.attribute(key))
    }
}

/// The statements of a block and its nested blocks that Xano executes (not disabled, nor inside
/// a disabled one), in order.
pub fn enabled_statements(block: &Block) -> Vec<&Statement> {
    block.statements_where(|s| !s.disabled)
}

/// The statements of `object`'s stack that run.
pub fn object_statements(object: &Object) -> Vec<&Statement> {
    object.stack().map(enabled_statements).unwrap_or_default()
}
