//! `--format github`: GitHub Actions workflow commands, one annotation per finding.

use crate::finding::Severity;
use crate::host::check::CheckedFile;

/// Escapes a property value or message as workflow commands require.
fn escape(text: &str, property: bool) -> String {
    let mut out = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

pub fn render(files: &[CheckedFile]) -> String {
    let mut out = String::new();
    for file in files {
        for f in &file.findings {
            let command = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            out.push_str(&format!(
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                escape(&super::fingerprint::normalize_path(&f.path), true),
                f.start.line,
                f.start.column,
                f.end.line,
                f.end.column,
                escape(&format!("{} {}", f.code, f.name), true),
                escape(&f.message, false),
            ));
        }
    }
    out
}
