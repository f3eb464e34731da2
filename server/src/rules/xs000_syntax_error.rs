//! ## What it does
//! Reports text that is not valid XanoScript: a missing `}` or `=`, a stray token, a string
//! that runs past its line, or a file that is not valid UTF-8. The message says what was
//! expected where ("unclosed `{` opened at 12:3", "unexpected `trim` after `filters`; expected
//! `=`").
//!
//! ## Why is this bad?
//! Xano rejects the file, and every other rule sees only the parts that parsed: a security
//! finding can hide behind a syntax error.
//!
//! ## Example
//! ```xs
//! query orders verb=GET {
//!   stack {
//!     db.query order {
//!       where = $db.order.user_id == $auth.id
//!     } as $orders
//!   response = $orders
//! }
//! ```
//!
//! ## Fix
//! None automatic: add what the message says is missing.
//!
//! ## Not flagged
//! Constructs the official parser accepts, including unknown `ns.name` statements and new
//! object kinds (their meaning is not checked here).

use crate::finding::Severity;

use super::rule::Rule;

pub const CODE: &str = "XS000";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "syntax-error",
    severity: Severity::Error,
    cwe: None,
    summary: "The file is not valid XanoScript, or not valid UTF-8.",
    fixable: false,
    safe_fixes: false,
    check: None,
};
