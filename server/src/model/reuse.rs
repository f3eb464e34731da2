//! Reusing the model of a previous version of a text.
//!
//! After a keystroke only one object of a file has changed; the others have the same text,
//! perhaps further along. An object whose text did not change lowers to the same model, moved
//! by as many bytes as its text moved, so [`lower_reusing`] copies it from the previous model
//! and moves its spans instead of walking its syntax tree again. Within the edited object, the
//! same holds for the items of its blocks (statements, attributes, field lists) the edit did
//! not touch.
//!
//! Every struct is taken apart field by field below, so that a span added to the model fails
//! to compile here until it is moved too.

use tree_sitter::Node;

use super::expr::{Expr, ExprKind, Filter, Pair, PairKey, Segment};
use super::lower::Lower;
use super::{
    Argument, Attribute, Block, Field, FieldList, Item, Object, SourceFile, Span, Statement, Text,
};

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

/// The model of `src`, copying from `previous` (the model of `old_src`) every object whose
/// text is unchanged. Only a tree without syntax errors is reused from: there every object is
/// parsed from its own text alone, whereas error recovery may read the same text otherwise.
pub fn lower_reusing(root: Node, src: &str, old_src: &str, previous: &SourceFile) -> SourceFile {
    if root.has_error() || previous.objects.iter().any(|o| o.damaged) {
        return super::lower(root, src);
    }
    let change = TextChange::between(old_src, src);
    let l = Lower::new(root, src).reusing(change);
    let mut file = SourceFile::default();
    for node in l.children(root) {
        if node.kind() != "object" {
            continue;
        }
        let range = node.byte_range();
        let kept = change.map_new(&range).and_then(|old| {
            let i = previous
                .objects
                .binary_search_by_key(&old.start, |o| o.span.start)
                .ok()?;
            Some(&previous.objects[i]).filter(|o| o.span == old)
        });
        match kept {
            Some(object) => {
                let mut object = object.clone();
                object.shift(range.start as isize - object.span.start as isize);
                file.objects.push(object);
            }
            None => {
                // The edited object: its previous version starts where it does.
                let before = previous
                    .objects
                    .binary_search_by_key(&range.start, |o| o.span.start)
                    .ok()
                    .map(|i| &previous.objects[i]);
                file.objects.extend(l.object(node, before));
            }
        }
    }
    super::lower::collect_comments(root, src, &mut file.comments);
    file
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_changed_region() {
        let c = TextChange::between("abcdef", "abXYdef");
        assert_eq!((c.start, c.old_end, c.new_end), (2, 3, 4));
        assert_eq!(c.map_old(&(0..2)), Some(0..2));
        assert_eq!(c.map_old(&(3..6)), Some(4..7));
        assert_eq!(c.map_old(&(1..4)), None);
        assert_eq!(c.map_new(&(4..7)), Some(3..6));
        // A pure insertion: an empty range at the insertion point has no single image.
        let c = TextChange::between("abc", "abxc");
        assert_eq!(c.map_old(&(2..2)), None);
        assert_eq!(c.map_old(&(0..2)), Some(0..2));
        assert_eq!(c.map_old(&(2..3)), Some(3..4));
        // Repeated characters: prefix and suffix never overlap.
        let c = TextChange::between("aaa", "aaaa");
        assert!(c.start <= c.old_end && c.old_end <= 3 && c.new_end <= 4);
        assert_eq!(c.delta(), 1);
        let same = TextChange::between("abc", "abc");
        assert_eq!(same.map_old(&(0..3)), Some(0..3));
    }

    #[test]
    fn keeps_characters_whole() {
        // `é` and `è` share their first byte, `é` and `©` their last: the change takes the whole
        // characters.
        let c = TextChange::between("aéb", "aèb");
        assert_eq!((c.start, c.old_end, c.new_end), (1, 3, 3));
        let c = TextChange::between("xé", "x©");
        assert_eq!((c.start, c.old_end, c.new_end), (1, 3, 3));
    }
}
