//! Edits that know the model, for the rules' fixes: where a new attribute or statement goes in
//! a block and how it is indented, so that no rule counts lines or spaces itself. Lines are
//! given without indentation; an empty line stays empty.

use crate::finding::TextEdit;
use crate::fix::{indent_at, insert_lines_after, insert_lines_before, line_end, line_ending_at};
use crate::model::{Attribute, Block, Span, Statement};

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
        return after_attribute(ctx, attr, lines);
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

/// Adds `lines` right after `attr`, at its indentation.
pub fn after_attribute(ctx: &Context, attr: &Attribute, lines: &[String]) -> TextEdit {
    let text = ctx.text();
    insert_lines_after(text, attr.span.end, indent_at(text, attr.span.start), lines)
}

/// Adds `lines` right after `stmt`, at its indentation.
pub fn after_statement(ctx: &Context, stmt: &Statement, lines: &[String]) -> TextEdit {
    let text = ctx.text();
    insert_lines_after(text, stmt.span.end, indent_at(text, stmt.span.start), lines)
}

/// Adds `lines` right before `stmt`, at its indentation.
pub fn before_statement(ctx: &Context, stmt: &Statement, lines: &[String]) -> TextEdit {
    let text = ctx.text();
    insert_lines_before(
        text,
        stmt.span.start,
        indent_at(text, stmt.span.start),
        lines,
    )
}

/// Adds `lines` as the first lines of `block` (the body of the statement or object that starts
/// at `owner_start`), indented like its first item, or one step in from the owner. A blank line
/// separates them from the items already there. A block written on one line (`stack {}`,
/// `stack { statement }`) is opened so that each line stands on its own.
pub fn prepend_to_block(
    ctx: &Context,
    owner_start: usize,
    block: &Block,
    lines: &[String],
) -> Option<Vec<TextEdit>> {
    let text = ctx.text();
    let unit = ctx.indent_unit();
    let open = block.span.start + text.get(block.span.clone())?.find('{')?;
    let base = indent_at(text, owner_start);
    let after_open = open + 1;
    let eol_at = line_end(text, after_open);
    let rest = &text[after_open..eol_at];
    if rest.trim().is_empty() {
        // The block's `{` ends its line: the new lines go on the lines after it.
        let first = block.items.first().map(|i| i.span().start);
        let indent = match first {
            Some(at) if at > eol_at => indent_at(text, at).to_string(),
            _ => format!("{base}{unit}"),
        };
        let mut lines = lines.to_vec();
        if first.is_some() {
            lines.push(String::new());
        }
        return Some(vec![insert_lines_after(text, open, &indent, &lines)]);
    }
    let eol = line_ending_at(text, open);
    let inner = format!("{base}{unit}");
    let gap = rest.len() - rest.trim_start().len();
    let closes = rest.trim_start().starts_with('}');
    let mut new_text = String::new();
    for line in lines {
        new_text.push_str(eol);
        new_text.push_str(&inner);
        new_text.push_str(line);
    }
    new_text.push_str(eol);
    new_text.push_str(if closes { base } else { &inner });
    let mut edits = vec![TextEdit {
        range: after_open..after_open + gap,
        new_text,
    }];
    // `{ statement }`: the closing brace goes on a line of its own too.
    let close = block.span.end.saturating_sub(1);
    if !closes && close > after_open && close < eol_at && text.as_bytes()[close] == b'}' {
        let before = text[..close].trim_end_matches([' ', '\t']).len();
        edits.push(TextEdit {
            range: before..close,
            new_text: format!("{eol}{base}"),
        });
    }
    Some(edits)
}

/// Writes `new_text` over `span`.
pub fn replace(span: &Span, new_text: impl Into<String>) -> TextEdit {
    TextEdit {
        range: span.clone(),
        new_text: new_text.into(),
    }
}
