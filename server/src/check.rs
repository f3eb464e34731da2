//! Runs the enabled rules over the bytes of one file.

use crate::finding::Finding;
use crate::rules::{RuleSelection, rule};
use crate::syntax::{ColumnUnit, parse, syntax_errors};

/// One file after checking: its text (as decoded) and what was found in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedFile {
    /// The path as reported in findings.
    pub path: String,
    /// The decoded text; invalid UTF-8 sequences are replaced with U+FFFD.
    pub text: String,
    /// Findings ordered by position.
    pub findings: Vec<Finding>,
}

/// Checks the contents of one file.
pub fn check_bytes(path: &str, bytes: &[u8], selection: &RuleSelection) -> CheckedFile {
    let (text, invalid_at) = match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), None),
        Err(error) => (
            String::from_utf8_lossy(bytes).into_owned(),
            Some(error.valid_up_to()),
        ),
    };
    let syntax = parse(text);
    let index = syntax.line_index();
    let mut findings = Vec::new();
    if let Some(syntax_rule) = rule("XS000").filter(|r| selection.is_enabled(r.code)) {
        if let Some(valid_up_to) = invalid_at {
            // The lossy text matches the original up to the first invalid byte.
            let position = index.line_col(valid_up_to, ColumnUnit::Char);
            let first_char = syntax.text().chars().next().map_or(0, char::len_utf8);
            findings.push(Finding::new(
                syntax_rule,
                path,
                index,
                0..first_char,
                format!(
                    "file is not valid UTF-8 (first invalid byte at {}:{}); invalid bytes were read as U+FFFD",
                    position.line + 1,
                    position.column + 1
                ),
            ));
        }
        for error in syntax_errors(&syntax) {
            findings.push(Finding::new(
                syntax_rule,
                path,
                index,
                error.range,
                error.message,
            ));
        }
    }
    findings.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
    CheckedFile {
        path: path.to_owned(),
        text: syntax.into_text(),
        findings,
    }
}
