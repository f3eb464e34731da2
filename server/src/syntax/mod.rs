//! Parsing: text to tree-sitter tree, incremental edits, positions and syntax errors.

mod brackets;
mod errors;
mod expected;
mod line_index;
mod parse;

pub use brackets::{Bracket, BracketReport, Unclosed, Unmatched, check_brackets};
pub use errors::{SyntaxError, syntax_errors};
pub use line_index::{ColumnUnit, LineCol, LineIndex};
pub use parse::{SyntaxTree, language, parse};
