//! ## What it does
//! Reports a suppression comment that suppresses nothing: no finding of the listed codes starts
//! on the line it applies to (or, for `xsguard-ignore-file`, anywhere in the file).
//!
//! ## Why is this bad?
//! A stale suppression is noise today and silently hides a real finding tomorrow, when the code
//! below it changes.
//!
//! ## Example
//! ```xs
//! // xsguard-ignore XS102: checked by the precondition below
//! db.get order {
//!   field_name = "id"
//!   field_value = $auth.id
//! } as $order
//! ```
//!
//! ## Fix
//! None automatic: delete the comment.
//!
//! ## Not flagged
//! Suppressions of rules that did not run (deselected with `--select`/`--ignore` or switched off
//! in `xsguard.toml`).

use crate::finding::Severity;

use super::rule::Rule;

pub const CODE: &str = "XS002";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "unused-suppression",
    severity: Severity::Info,
    cwe: None,
    summary: "An `xsguard-ignore` comment suppresses nothing.",
    fixable: false,
    safe_fixes: false,
    check: None,
};
