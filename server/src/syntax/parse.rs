//! A parsed XanoScript text that can be edited in place and reparsed incrementally.

use std::ops::Range;

use tree_sitter::{InputEdit, Language, Parser, Point, Tree};

use super::line_index::LineIndex;

/// The XanoScript language as tree-sitter sees it.
pub fn language() -> Language {
    tree_sitter_xanoscript::LANGUAGE.into()
}

/// The text of one file together with its syntax tree and line index.
///
/// All three always describe the same text: [`SyntaxTree::edit`] updates them together.
#[derive(Debug, Clone)]
pub struct SyntaxTree {
    text: String,
    tree: Tree,
    lines: LineIndex,
}

/// Parses `text` from scratch.
pub fn parse(text: impl Into<String>) -> SyntaxTree {
    SyntaxTree::new(text.into())
}

impl SyntaxTree {
    /// Parses `text` from scratch.
    pub fn new(text: String) -> Self {
        let tree = reparse(&text, None);
        let lines = LineIndex::new(&text);
        Self { text, tree, lines }
    }

    /// The source text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Gives up the tree and returns the text.
    pub fn into_text(self) -> String {
        self.text
    }

    /// The tree-sitter tree over [`SyntaxTree::text`].
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The line index over [`SyntaxTree::text`].
    pub fn line_index(&self) -> &LineIndex {
        &self.lines
    }

    /// Replaces the bytes in `range` with `new_text` and reparses, reusing the unchanged parts of
    /// the old tree.
    ///
    /// A range past the end of the text is clamped to it, and range ends inside a multi-byte
    /// character move back to the start of that character, so any range is accepted. Returns the
    /// byte range that was actually replaced.
    pub fn edit(&mut self, range: Range<usize>, new_text: &str) -> Range<usize> {
        let start = floor_char_boundary(&self.text, range.start);
        let old_end = floor_char_boundary(&self.text, range.end).max(start);
        let new_end = start + new_text.len();

        // Points must be computed on the text before the replacement, and tree-sitter's columns
        // are bytes since the last `\n` (a `\r` counts as a column).
        let start_position = point_at(&self.text, start);
        let old_end_position = point_at(&self.text, old_end);
        let new_end_position = advance_point(start_position, new_text);

        self.text.replace_range(start..old_end, new_text);
        self.tree.edit(&InputEdit {
            start_byte: start,
            old_end_byte: old_end,
            new_end_byte: new_end,
            start_position,
            old_end_position,
            new_end_position,
        });
        self.tree = reparse(&self.text, Some(&self.tree));
        self.lines = LineIndex::new(&self.text);
        start..old_end
    }
}

fn reparse(text: &str, old_tree: Option<&Tree>) -> Tree {
    thread_local! {
        // A parser keeps its stacks and lexer buffers between parses; checking a workspace
        // parses thousands of files per thread.
        static PARSER: std::cell::RefCell<Option<Parser>> = const { std::cell::RefCell::new(None) };
    }
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let parser = slot.get_or_insert_with(|| {
            let mut parser = Parser::new();
            // Only fails when the grammar was generated for an ABI this tree-sitter does not
            // support, which the build pins; it does not depend on the input.
            parser
                .set_language(&language())
                .expect("the XanoScript grammar matches the tree-sitter version");
            parser
        });
        // `parse` returns `None` only after a timeout or cancellation, and neither is set.
        parser
            .parse(text, old_tree)
            .expect("parsing without a timeout always yields a tree")
    })
}

/// The largest char boundary of `text` at or before `offset`.
pub(crate) fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The tree-sitter position of a byte offset: row = `\n`s before it, column = bytes since the
/// last `\n`.
fn point_at(text: &str, offset: usize) -> Point {
    advance_point(Point::new(0, 0), &text[..offset])
}

/// The position reached after `text` when starting at `start`.
fn advance_point(start: Point, text: &str) -> Point {
    match text.rfind('\n') {
        Some(last_newline) => Point::new(
            start.row + text.bytes().filter(|&b| b == b'\n').count(),
            text.len() - last_newline - 1,
        ),
        None => Point::new(start.row, start.column + text.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENDPOINT: &str = r#"// Lists the caller's orders
query "orders/{id}" verb=GET {
  api_group = "shop"
  auth = "user"

  input {
    int id filters=min:1
    text? note? filters=trim
  }

  stack {
    db.get order {
      field_name = "id"
      field_value = $input.id
    } as $order

    precondition ($order.owner_id == $auth.id) {
      error_type = "accessdenied"
      error = "Not your order"
    }

    var $label { value = "Bestellung 😀 注文"|trim }
  }

  response = {order: $order, label: $label}
}
"#;

    fn assert_matches_fresh_parse(tree: &SyntaxTree) {
        let fresh = parse(tree.text());
        assert_eq!(
            tree.tree().root_node().to_sexp(),
            fresh.tree().root_node().to_sexp(),
            "incremental tree differs from a fresh parse of:\n{}",
            tree.text()
        );
        assert_eq!(tree.line_index(), &LineIndex::new(tree.text()));
    }

    #[test]
    fn parses_an_endpoint_without_errors() {
        let tree = parse(ENDPOINT);
        assert!(!tree.tree().root_node().has_error());
        assert_eq!(tree.tree().root_node().kind(), "source_file");
    }

    #[test]
    fn hand_picked_edits_match_a_fresh_parse() {
        let mut tree = parse(ENDPOINT);
        let edits: &[(&str, &str)] = &[
            // Delete a closing brace.
            ("    } as $order", "     as $order"),
            // Put it back.
            ("     as $order", "    } as $order"),
            // Insert a line with multi-byte characters.
            ("  response", "  var $é { value = \"名\" }\n  response"),
            // Break an attribute.
            ("auth = \"user\"", "auth \"user\""),
            // Switch line endings of one line to CRLF.
            ("  api_group = \"shop\"\n", "  api_group = \"shop\"\r\n"),
            // Replace a multi-line region.
            ("  input {\n    int id filters=min:1\n", "  input {\n"),
        ];
        for (old, new) in edits {
            let start = tree.text().find(old).expect("edit target present");
            tree.edit(start..start + old.len(), new);
            assert_matches_fresh_parse(&tree);
        }
        // Append at the very end and delete everything.
        let len = tree.text().len();
        tree.edit(len..len, "\n// trailing\n");
        assert_matches_fresh_parse(&tree);
        let len = tree.text().len();
        tree.edit(0..len, "");
        assert_matches_fresh_parse(&tree);
        assert_eq!(tree.text(), "");
    }

    #[test]
    // A reversed range is exactly what this test feeds in.
    #[allow(clippy::reversed_empty_ranges)]
    fn out_of_range_and_mid_character_edits_are_clamped() {
        let mut tree = parse("a😀b");
        // 2 is inside the emoji: both ends move back to its start.
        assert_eq!(tree.edit(2..3, "x"), 1..1);
        assert_eq!(tree.text(), "ax😀b");
        assert_eq!(tree.edit(100..200, "!"), 7..7);
        assert_eq!(tree.text(), "ax😀b!");
        // 4 is inside the emoji (bytes 2..6); an end before the start becomes the start.
        assert_eq!(tree.edit(4..1, ""), 2..2);
        assert_eq!(tree.text(), "ax😀b!");
        assert_matches_fresh_parse(&tree);
    }

    /// A small linear congruential generator: deterministic and dependency-free.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }

        fn below(&mut self, bound: usize) -> usize {
            (self.next() % bound.max(1) as u64) as usize
        }
    }

    #[test]
    fn random_edits_match_a_fresh_parse() {
        const SNIPPETS: &[&str] = &[
            "{",
            "}",
            "\n",
            "\r\n",
            " ",
            "=",
            "$input.id",
            "\"text\"",
            "db.get user {\n",
            "as $x",
            "|trim",
            "😀",
            "名",
            "// note\n",
            "(",
            ")",
            "[1, 2]",
            "\"\"\"\nraw\n\"\"\"\n",
            "!",
            "verb=POST",
            "x",
        ];
        let mut rng = Lcg(0x5eed);
        let mut tree = parse(ENDPOINT);
        for _ in 0..300 {
            let len = tree.text().len();
            let start = floor_char_boundary(tree.text(), rng.below(len + 1));
            let end = floor_char_boundary(tree.text(), start + rng.below(12));
            let insert = if rng.below(3) == 0 {
                ""
            } else {
                SNIPPETS[rng.below(SNIPPETS.len())]
            };
            tree.edit(start..end, insert);
            assert_matches_fresh_parse(&tree);
            // Keep the text from shrinking to nothing.
            if tree.text().len() < 40 {
                let len = tree.text().len();
                tree.edit(len..len, ENDPOINT);
            }
        }
        assert_matches_fresh_parse(&tree);
    }

    #[test]
    fn points_count_bytes_since_the_last_newline() {
        assert_eq!(point_at("ab\r\ncd", 6), Point::new(1, 2));
        assert_eq!(point_at("a😀", 5), Point::new(0, 5));
        assert_eq!(advance_point(Point::new(3, 4), "xy"), Point::new(3, 6));
        assert_eq!(
            advance_point(Point::new(3, 4), "x\ny\nzz"),
            Point::new(5, 2)
        );
    }
}
