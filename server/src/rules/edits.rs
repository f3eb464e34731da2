//! Edits that know the model, for the rules' fixes: where a new attribute goes in a block and
//! how it is indented, so that no rule counts lines or spaces itself.

use crate::finding::TextEdit;
use crate::fix::{indent_at, insert_lines_after};
use crate::model::{Attribute, Block, Span};

use super::context::Context;

/// Adds `lines` to `block`, the body of the object or statement that starts at `owner_start`:
/// right after `after` at its indentation, else as the block's first lines, indented like its
/// first item (or one step in from the owner when the block is empty or its items are not
/// indented deeper than the owner).
pub fn add_to_block(
    ctx: &Context,
    owner_start: usize,
    block: &Block,
    after: Option<&Attribute>,
    lines: &[String],
) -> TextEdit {
    let text = ctx.text();
    if let Some(attr) = after {
        return insert_lines_after(text, attr.span.end, indent_at(text, attr.span.start), lines);
    }
    let outer = indent_at(text, owner_start);
    let inner = block
        .items
        .first()
        .map(|item| indent_at(text, item.span().start))
        .filter(|indent| indent.len() > outer.len())
        .map_or_else(|| format!("{outer}{}", ctx.indent_unit()), str::to_string);
    insert_lines_after(text, block.span.start, &inner, lines)
}

/// Writes `new_text` over `span`.
pub fn replace(span: &Span, new_text: impl Into<String>) -> TextEdit {
    TextEdit {
        range: span.clone(),
        new_text: new_text.into(),
    }
}
