//! What a check reports: a problem at a place in a file, with optional fixes.

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::syntax::{ColumnUnit, LineIndex};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Almost certainly a bug or a vulnerability.
    Error,
    /// Likely a mistake; worth a look.
    Warning,
    /// Worth knowing; often intentional.
    Info,
}

impl Severity {
    /// The lowercase word used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A 1-based line and a 1-based column counted in characters, as people read positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl Location {
    /// The location of a byte offset.
    pub fn of_offset(index: &LineIndex, offset: usize) -> Self {
        let position = index.line_col(offset, ColumnUnit::Char);
        Self {
            line: position.line + 1,
            column: position.column + 1,
        }
    }
}

/// A replacement of the bytes in `range` with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TextEdit {
    /// Byte range in the file's text.
    pub range: Range<usize>,
    /// Text that replaces the range.
    pub new_text: String,
}

/// Whether a fix may be applied without a person looking at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the behaviour for honest callers and needs no value chosen by the user: `xsguard
    /// fix` applies it.
    Safe,
    /// Changes behaviour, or inserts a placeholder to fill in: applied only with
    /// `--unsafe-fixes`, or one by one in the editor.
    Unsafe,
}

impl Applicability {
    /// The lowercase word used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// A named set of edits that resolves a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What applying the fix does, e.g. "Add `auth = \"user\"`".
    pub title: String,
    /// Edits to apply together; their ranges do not overlap.
    pub edits: Vec<TextEdit>,
    pub applicability: Applicability,
}

/// One problem found in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The file, as the user named it (joined with the path found under a named directory).
    pub path: String,
    /// Byte range in the file's text.
    pub range: Range<usize>,
    /// Where `range` starts.
    pub start: Location,
    /// Where `range` ends.
    pub end: Location,
    /// Rule code, e.g. `XS000`.
    pub code: &'static str,
    /// Rule name, e.g. `syntax-error`.
    pub name: &'static str,
    /// Severity of this finding.
    pub severity: Severity,
    /// What is wrong, in a sentence.
    pub message: String,
    /// Why it matters and what to do, when one sentence does not say it all.
    pub help: Option<String>,
    /// Ways to fix it; may be empty.
    pub fixes: Vec<Fix>,
    /// The weakness, as a CWE identifier.
    pub cwe: Option<&'static str>,
    /// Other places that explain the finding.
    pub related: Vec<RelatedLocation>,
}

/// A place, possibly in another file, that explains a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RelatedLocation {
    pub path: String,
    #[serde(skip)]
    pub range: Range<usize>,
    pub start: Location,
    pub end: Location,
    pub message: String,
}

impl Finding {
    /// The first fix `xsguard fix` may apply: any with `unsafe_fixes`, else a safe one.
    pub fn applicable_fix(&self, unsafe_fixes: bool) -> Option<&Fix> {
        self.fixes
            .iter()
            .find(|fix| unsafe_fixes || fix.applicability == Applicability::Safe)
    }

    /// How the finding can be fixed: by its safest fix, or not at all.
    pub fn fixability(&self) -> Option<Applicability> {
        self.fixes.iter().map(|fix| fix.applicability).min()
    }
}
