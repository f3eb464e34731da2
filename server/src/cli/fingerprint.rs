//! Fingerprints of findings that stay the same when unrelated lines move.
//!
//! A fingerprint hashes the rule code, the file path, the trimmed text of the finding's first
//! line and of its range, and how many findings with the same code and line text come before it
//! in the file. Lines inserted above a finding change none of these.

use crate::finding::Finding;
use crate::host::check::CheckedFile;

/// 64-bit FNV-1a: stable across runs, platforms and Rust versions (unlike `DefaultHasher`).
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

fn line_text(text: &str, offset: usize) -> &str {
    let start = crate::fix::line_start(text, offset);
    let end = crate::fix::line_end(text, offset);
    text.get(start..end).unwrap_or("").trim()
}

/// Normalizes whitespace so re-indentation does not change the fingerprint.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The fingerprint of every finding of a file, in the file's finding order.
pub fn fingerprints(file: &CheckedFile) -> Vec<String> {
    fingerprint_list(&file.text, file.findings.iter())
}

/// The fingerprints of the suppressed findings of a file.
pub fn suppressed_fingerprints(file: &CheckedFile) -> Vec<String> {
    fingerprint_list(&file.text, file.suppressed.iter().map(|s| &s.finding))
}

fn fingerprint_list<'a>(text: &str, findings: impl Iterator<Item = &'a Finding>) -> Vec<String> {
    let mut seen: Vec<(String, &str, String)> = Vec::new();
    findings
        .map(|f| {
            let line = squash(line_text(text, f.range.start));
            let snippet: String = squash(text.get(f.range.clone()).unwrap_or(""))
                .chars()
                .take(200)
                .collect();
            let occurrence = seen
                .iter()
                .filter(|(l, c, s)| *l == line && *c == f.code && *s == snippet)
                .count();
            seen.push((line.clone(), f.code, snippet.clone()));
            format!(
                "{:016x}",
                fnv1a(&[
                    f.code,
                    &normalize_path(&f.path),
                    &line,
                    &snippet,
                    &occurrence.to_string()
                ])
            )
        })
        .collect()
}

/// Paths compare with `/` separators and without a leading `./`.
pub fn normalize_path(path: &str) -> String {
    let path = path.replace('\\', "/");
    path.strip_prefix("./").unwrap_or(&path).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::check::check_bytes;
    use crate::rules::RuleSelection;

    #[test]
    fn stable_when_lines_are_inserted_above() {
        let text = "api_group shop {\n  canonical = \"shop\"\n  swagger = true\n}\n";
        let moved = format!("// a comment\n// another\n\n{text}");
        let a = check_bytes("g.xs", text.as_bytes(), &RuleSelection::all());
        let b = check_bytes("g.xs", moved.as_bytes(), &RuleSelection::all());
        assert!(!a.findings.is_empty());
        assert_eq!(fingerprints(&a), fingerprints(&b));
        let other = check_bytes("h.xs", text.as_bytes(), &RuleSelection::all());
        assert_ne!(
            fingerprints(&a),
            fingerprints(&other),
            "the path is part of the fingerprint"
        );
    }
}
