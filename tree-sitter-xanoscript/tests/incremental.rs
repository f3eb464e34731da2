//! Incremental reparsing after a keystroke reuses the lines around it.
//!
//! The editor reparses on every keystroke; in a long `stack` or a long list literal that must
//! not mean lexing every line after the edit again. tree-sitter reuses a line only when the
//! parse state before it accepts the same tokens as when the line was first parsed, which the
//! shapes of `lines()` and `separated()` in grammar.js and the absence of a `word` token
//! provide. The parser's log says how many tokens
//! it lexed, so the test counts them instead of timing anything.

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::{parse, parser};
use tree_sitter::{InputEdit, LogType, Parser, Point, Tree};

/// One endpoint whose stack holds `steps` pairs of statements (a read and a `var`).
fn long_stack(steps: usize) -> String {
    let mut text = String::from(
        "query \"orders/long\" verb=POST {\n  auth = \"user\"\n  input {\n    int order_id\n  }\n\n  stack {\n",
    );
    for i in 0..steps {
        text.push_str(&format!(
            "    db.get order {{\n      field_name = \"id\"\n      field_value = $input.order_id\n    }} as $order_{i}\n\n    var $total_{i} {{\n      value = $order_{i}.total|round:2\n    }}\n"
        ));
    }
    text.push_str("  }\n\n  response = $order_0\n}\n");
    text
}

fn point_at(text: &str, offset: usize) -> Point {
    let before = &text[..offset];
    let row = before.matches('\n').count();
    let column = offset - before.rfind('\n').map_or(0, |i| i + 1);
    Point::new(row, column)
}

/// Inserts `inserted` at `at`, reparses with the old tree and returns the new tree and the
/// number of tokens the parser lexed.
fn edit_and_count(
    parser: &mut Parser,
    text: &mut String,
    tree: &mut Tree,
    at: usize,
    inserted: &str,
) -> (Tree, usize) {
    let start = point_at(text, at);
    text.insert_str(at, inserted);
    tree.edit(&InputEdit {
        start_byte: at,
        old_end_byte: at,
        new_end_byte: at + inserted.len(),
        start_position: start,
        old_end_position: start,
        new_end_position: Point::new(start.row, start.column + inserted.len()),
    });
    let lexed = Rc::new(Cell::new(0));
    let counter = lexed.clone();
    parser.set_logger(Some(Box::new(move |kind, message| {
        if kind == LogType::Parse && message.starts_with("lexed_lookahead") {
            counter.set(counter.get() + 1);
        }
    })));
    let new_tree = parser
        .parse(text.as_str(), Some(tree))
        .expect("parse returns a tree");
    parser.set_logger(None);
    (new_tree, lexed.get())
}

/// One function whose stack sets a list of `items` objects, one per line and key.
fn long_list(items: usize) -> String {
    let mut text =
        String::from("function \"seed\" {\n  stack {\n    var $data {\n      value = [\n");
    for i in 0..items {
        text.push_str(&format!(
            "        {{\n          \"name\": \"item {i}\",\n          \"tags\": [\"a\", \"b\"],\n          \"rank\": {i}\n        }},\n"
        ));
    }
    text.push_str("      ]\n    }\n  }\n\n  response = $data\n}\n");
    text
}

#[test]
fn a_keystroke_in_a_long_stack_lexes_only_near_the_edit() {
    keystroke_lexes_only_near_the_edit(long_stack, "= \"id");
}

#[test]
fn a_keystroke_in_a_long_list_lexes_only_near_the_edit() {
    keystroke_lexes_only_near_the_edit(long_list, "\"item");
}

/// Types one character after `marker` in the middle of texts of 50 and 500 steps.
fn keystroke_lexes_only_near_the_edit(text_of: fn(usize) -> String, marker: &str) {
    for steps in [50, 500] {
        let mut text = text_of(steps);
        let mut parser = parser();
        let mut tree = parse(&mut parser, &text);
        let middle = text.len() / 2;
        let at = middle + text[middle..].find(marker).expect("a place to type in") + marker.len();

        let (new_tree, lexed) = edit_and_count(&mut parser, &mut text, &mut tree, at, "x");

        assert!(
            !new_tree.root_node().has_error(),
            "{}",
            new_tree.root_node().to_sexp()
        );
        let fresh = parse(&mut parser, &text);
        assert_eq!(new_tree.root_node().to_sexp(), fresh.root_node().to_sexp());
        // The edited string and the tokens next to it; the same for 50 and 500 steps.
        assert!(
            lexed <= 10,
            "{steps} steps: {lexed} tokens lexed after one keystroke"
        );
    }
}
