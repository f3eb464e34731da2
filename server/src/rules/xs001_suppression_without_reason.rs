//! ## What it does
//! Reports a suppression comment (`// xsguard-ignore XS102` or `// xsguard-ignore-file XS301`)
//! that gives no reason after a colon.
//!
//! ## Why is this bad?
//! A suppression turns a security finding off for good. Without a reason the next reviewer
//! cannot tell a deliberate, checked exception from a silenced alarm.
//!
//! ## Example
//! ```xs
//! // xsguard-ignore XS101
//! query "public/products" verb=GET {
//! ```
//!
//! ## Fix
//! None automatic: write why the code is safe.
//! ```xs
//! // xsguard-ignore XS101: product list is public by design, no owner fields returned
//! ```
//!
//! ## Not flagged
//! Suppressions with a reason.

use crate::finding::Severity;

use super::rule::Rule;

pub const CODE: &str = "XS001";

/// The rule: its metadata and its check, beside its documentation.
pub const RULE: Rule = Rule {
    code: CODE,
    name: "suppression-without-reason",
    severity: Severity::Info,
    cwe: None,
    summary: "An `xsguard-ignore` comment gives no reason.",
    fixable: false,
    safe_fixes: false,
    check: None,
};
