//! Expressions as values rules can ask questions of.

use smallvec::SmallVec;

use super::{Span, Text};

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    /// `$input.order_id`, `$auth.id`, `$env.$http_headers["x"]`: a variable with a path.
    Var(VarPath),
    String(String),
    Number(String),
    Bool(bool),
    Null,
    Now,
    /// A bare word in value position (`history = inherit`).
    Word(String),
    Object(Vec<Pair>),
    Array(Vec<Expr>),
    Spread(Box<Expr>),
    Unary {
        op: String,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        /// The operator as written: `==`, `not in`, `~`.
        operator: String,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Ternary {
        condition: Box<Expr>,
        then: Option<Box<Expr>>,
        otherwise: Box<Expr>,
    },
    /// `value|filter:arg|filter`.
    Filtered {
        value: Box<Expr>,
        filters: Vec<Filter>,
    },
    /// A member or index on something that is not a variable: `($rows|first).id`.
    Access {
        object: Box<Expr>,
        segments: Vec<Segment>,
    },
    /// `` `expr` `` or ```` ``` ```` blocks: the expression text, kept verbatim.
    ExpressionLiteral(String),
    /// `!int "5"`.
    Tagged {
        tag: String,
        value: String,
    },
    /// Text that did not parse as any of the above (kept so spans stay honest).
    Other(String),
}

/// `$root.a[0].b`: the variable (without `$`) and its path.
#[derive(Debug, Clone)]
pub struct VarPath {
    pub root: String,
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone)]
pub enum Segment {
    /// `.name`, `.0` and `.$remote_ip` (kept with its `$`).
    Field(String),
    /// `[expr]` and `.["key"]`.
    Index(Box<Expr>),
}

#[derive(Debug, Clone)]
pub struct Pair {
    pub key: PairKey,
    pub value: Expr,
    pub disabled: bool,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum PairKey {
    /// `name:`, `"quoted name":`, `post.created_at:`.
    Name(Text),
    /// `$input.key:` (a computed key).
    Expr(Box<Expr>),
}

/// `|name:arg:arg`, also the filters of field declarations.
#[derive(Debug, Clone)]
pub struct Filter {
    pub name: Text,
    pub disabled: bool,
    pub arguments: Vec<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Coalesce,
    Or,
    And,
    /// `==`, `!=`, `<`, ..., the word operators of database expressions, `~` as regex.
    Compare,
    Range,
    /// `+`, `-`, `~` (concatenation), `&`.
    Additive,
    Multiplicative,
}

impl Expr {
    /// The text of a string literal.
    pub fn string_value(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_var(&self) -> Option<&VarPath> {
        match &self.kind {
            ExprKind::Var(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            ExprKind::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The value of key `key` in an object literal.
    pub fn get(&self, key: &str) -> Option<&Expr> {
        match &self.kind {
            ExprKind::Object(pairs) => pairs.iter().find_map(|p| match &p.key {
                PairKey::Name(k) if k.value == key && !p.disabled => Some(&p.value),
                _ => None,
            }),
            _ => None,
        }
    }

    /// This expression and every expression inside it, depth first, without recursion.
    pub fn descendants(&self) -> Vec<&Expr> {
        self.walk().collect()
    }

    /// [`Expr::descendants`] one at a time, so that a search can stop at the first match.
    pub fn walk(&self) -> Walk<'_> {
        let mut stack = SmallVec::new();
        stack.push(self);
        Walk { stack }
    }
}

/// The iterator of [`Expr::walk`].
pub struct Walk<'a> {
    stack: SmallVec<[&'a Expr; 16]>,
}

impl<'a> Iterator for Walk<'a> {
    type Item = &'a Expr;

    fn next(&mut self) -> Option<&'a Expr> {
        let e = self.stack.pop()?;
        let before = self.stack.len();
        match &e.kind {
            ExprKind::Var(v) => push_segments(&mut self.stack, &v.segments),
            ExprKind::Object(pairs) => {
                for p in pairs {
                    if let PairKey::Expr(k) = &p.key {
                        self.stack.push(k);
                    }
                    self.stack.push(&p.value);
                }
            }
            ExprKind::Array(items) => self.stack.extend(items.iter()),
            ExprKind::Spread(inner) => self.stack.push(inner),
            ExprKind::Unary { operand, .. } => self.stack.push(operand),
            ExprKind::Binary { left, right, .. } => {
                self.stack.push(left);
                self.stack.push(right);
            }
            ExprKind::Ternary {
                condition,
                then,
                otherwise,
            } => {
                self.stack.push(condition);
                self.stack.extend(then.as_deref());
                self.stack.push(otherwise);
            }
            ExprKind::Filtered { value, filters } => {
                self.stack.push(value);
                for f in filters {
                    self.stack.extend(f.arguments.iter());
                }
            }
            ExprKind::Access { object, segments } => {
                self.stack.push(object);
                push_segments(&mut self.stack, segments);
            }
            _ => {}
        }
        // Visit children in source order.
        self.stack[before..].reverse();
        Some(e)
    }
}

fn push_segments<'a>(stack: &mut SmallVec<[&'a Expr; 16]>, segments: &'a [Segment]) {
    for s in segments {
        if let Segment::Index(i) = s {
            stack.push(i);
        }
    }
}

impl VarPath {
    /// The names of the leading `.field` segments: `$input.user.id` → `["user", "id"]`.
    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().map_while(|s| match s {
            Segment::Field(f) => Some(f.as_str()),
            Segment::Index(_) => None,
        })
    }

    /// The first field name, if the path starts with one.
    pub fn first_field(&self) -> Option<&str> {
        self.field_names().next()
    }
}

impl Expr {
    /// The word of a bare identifier value (`verb=GET`, `history = inherit`).
    pub fn kind_word(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Word(w) => Some(w),
            _ => None,
        }
    }
}
