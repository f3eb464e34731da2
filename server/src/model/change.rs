//! How a text changed, and moving the spans of a model by the bytes its text moved.

use super::expr::{Expr, ExprKind, Filter, Pair, PairKey, Segment};
use super::{Argument, Attribute, Block, Field, FieldList, Item, Object, Span, Statement, Text};

/// How one text became another: the bytes `start..old_end` of the old text were replaced by
/// `start..new_end` of the new, and everything around them is the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextChange {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
}

impl TextChange {
    /// The smallest change from `old` to `new`: their common prefix and suffix are kept, both
    /// ending on character boundaries of both texts.
    pub fn between(old: &str, new: &str) -> Self {
        let (a, b) = (old.as_bytes(), new.as_bytes());
        let mut prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
        while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
            prefix -= 1;
        }
        let room = a.len().min(b.len()) - prefix;
        let mut suffix = a
            .iter()
            .rev()
            .zip(b.iter().rev())
            .take(room)
            .take_while(|(x, y)| x == y)
            .count();
        while !old.is_char_boundary(a.len() - suffix) || !new.is_char_boundary(b.len() - suffix) {
            suffix -= 1;
        }
        Self {
            start: prefix,
            old_end: a.len() - suffix,
            new_end: b.len() - suffix,
        }
    }

    /// How many bytes later the text after the change starts.
    pub fn delta(&self) -> isize {
        self.new_end as isize - self.old_end as isize
    }

    /// Where a range of the old text is in the new one; `None` when it overlaps the change
    /// (or is an empty range exactly where text was inserted, which could go either way).
    pub fn map_old(&self, range: &Span) -> Option<Span> {
        map(range, self.start, self.old_end, self.delta())
    }

    /// Where a range of the new text was in the old one; `None` when it overlaps the change.
    pub fn map_new(&self, range: &Span) -> Option<Span> {
        map(range, self.start, self.new_end, -self.delta())
    }
}

/// `range` kept before `start`, moved by `delta` from `end` on.
fn map(range: &Span, start: usize, end: usize, delta: isize) -> Option<Span> {
    let ambiguous = range.is_empty() && start == end && range.start == start;
    if ambiguous {
        None
    } else if range.end <= start {
        Some(range.clone())
    } else if range.start >= end {
        Some(moved(range.start, delta)..moved(range.end, delta))
    } else {
        None
    }
}

fn moved(offset: usize, delta: isize) -> usize {
    offset.saturating_add_signed(delta)
}

/// Moving every span of a part of the model by the same number of bytes.
pub trait Shift {
    fn shift(&mut self, delta: isize);
}

impl Shift for Span {
    fn shift(&mut self, delta: isize) {
        *self = moved(self.start, delta)..moved(self.end, delta);
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, delta: isize) {
        if let Some(x) = self {
            x.shift(delta);
        }
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, delta: isize) {
        for x in self {
            x.shift(delta);
        }
    }
}

impl<T: Shift> Shift for Box<T> {
    fn shift(&mut self, delta: isize) {
        (**self).shift(delta);
    }
}

impl Shift for Text {
    fn shift(&mut self, delta: isize) {
        let Text { value: _, span } = self;
        span.shift(delta);
    }
}

impl Shift for Object {
    fn shift(&mut self, delta: isize) {
        let Object {
            kind,
            name,
            header,
            body,
            span,
            damaged: _,
        } = self;
        kind.shift(delta);
        name.shift(delta);
        header.shift(delta);
        body.shift(delta);
        span.shift(delta);
    }
}

impl Shift for Block {
    fn shift(&mut self, delta: isize) {
        let Block { items, span } = self;
        items.shift(delta);
        span.shift(delta);
    }
}

impl Shift for Item {
    fn shift(&mut self, delta: isize) {
        match self {
            Item::Attribute(a) => a.shift(delta),
            Item::Statement(s) => s.shift(delta),
            Item::Fields(f) => f.shift(delta),
        }
    }
}

impl Shift for Attribute {
    fn shift(&mut self, delta: isize) {
        let Attribute { key, value, span } = self;
        key.shift(delta);
        value.shift(delta);
        span.shift(delta);
    }
}

impl Shift for Statement {
    fn shift(&mut self, delta: isize) {
        let Statement {
            name,
            disabled: _,
            arguments,
            body,
            alias,
            alias_filters,
            span,
        } = self;
        name.shift(delta);
        arguments.shift(delta);
        body.shift(delta);
        alias.shift(delta);
        alias_filters.shift(delta);
        span.shift(delta);
    }
}

impl Shift for Argument {
    fn shift(&mut self, delta: isize) {
        match self {
            Argument::Name(t) | Argument::String(t) => t.shift(delta),
            Argument::Expr(e) => e.shift(delta),
            Argument::Attribute(a) => a.shift(delta),
        }
    }
}

impl Shift for FieldList {
    fn shift(&mut self, delta: isize) {
        let FieldList { kind, fields, span } = self;
        kind.shift(delta);
        fields.shift(delta);
        span.shift(delta);
    }
}

impl Shift for Field {
    fn shift(&mut self, delta: isize) {
        let Field {
            ty,
            is_array: _,
            nullable: _,
            name,
            optional: _,
            default,
            filters,
            body,
            span,
        } = self;
        ty.shift(delta);
        name.shift(delta);
        default.shift(delta);
        filters.shift(delta);
        body.shift(delta);
        span.shift(delta);
    }
}

impl Shift for Filter {
    fn shift(&mut self, delta: isize) {
        let Filter {
            name,
            disabled: _,
            arguments,
            span,
        } = self;
        name.shift(delta);
        arguments.shift(delta);
        span.shift(delta);
    }
}

impl Shift for Pair {
    fn shift(&mut self, delta: isize) {
        let Pair {
            key,
            value,
            disabled: _,
            span,
        } = self;
        match key {
            PairKey::Name(t) => t.shift(delta),
            PairKey::Expr(e) => e.shift(delta),
        }
        value.shift(delta);
        span.shift(delta);
    }
}

impl Shift for Segment {
    fn shift(&mut self, delta: isize) {
        match self {
            Segment::Field(_) => {}
            Segment::Index(e) => e.shift(delta),
        }
    }
}

impl Shift for Expr {
    fn shift(&mut self, delta: isize) {
        let Expr { kind, span } = self;
        span.shift(delta);
        match kind {
            ExprKind::Var(v) => v.segments.shift(delta),
            ExprKind::Object(pairs) => pairs.shift(delta),
            ExprKind::Array(items) => items.shift(delta),
            ExprKind::Spread(inner) => inner.shift(delta),
            ExprKind::Unary { op: _, operand } => operand.shift(delta),
            ExprKind::Binary {
                op: _,
                operator: _,
                left,
                right,
            } => {
                left.shift(delta);
                right.shift(delta);
            }
            ExprKind::Ternary {
                condition,
                then,
                otherwise,
            } => {
                condition.shift(delta);
                then.shift(delta);
                otherwise.shift(delta);
            }
            ExprKind::Filtered { value, filters } => {
                value.shift(delta);
                filters.shift(delta);
            }
            ExprKind::Access { object, segments } => {
                object.shift(delta);
                segments.shift(delta);
            }
            ExprKind::String(_)
            | ExprKind::Number(_)
            | ExprKind::Bool(_)
            | ExprKind::Null
            | ExprKind::Now
            | ExprKind::Word(_)
            | ExprKind::ExpressionLiteral(_)
            | ExprKind::Tagged { .. }
            | ExprKind::Other(_) => {}
        }
    }
}
