//! `xsguard fix`: applies the fixes of findings, never leaving a file that parses worse.

use crate::check::{CheckedFile, Source, check_sources};
use crate::check::{fix_keeps_syntax, syntax_error_count};
use crate::finding::{Applicability, TextEdit};
use crate::fix::apply_edits;
use crate::rules::RuleSelection;
use crate::workspace::Config;

/// Rounds of check-and-fix: a fix can reveal or shift another finding.
const MAX_ROUNDS: usize = 4;

/// One file the fixes change.
pub struct Change {
    pub path: String,
    pub before: String,
    pub after: String,
}

/// What fixing did.
pub struct Outcome {
    pub changes: Vec<Change>,
    /// Findings fixed.
    pub fixed: usize,
    /// Findings left after fixing.
    pub remaining: usize,
}

/// Applies fixes to `sources` in place (the files on disk are not touched).
pub fn fix_all(
    sources: &mut [Source],
    config: &Config,
    selection: &RuleSelection,
    unsafe_fixes: bool,
) -> Outcome {
    let originals: Vec<Vec<u8>> = sources.iter().map(|s| s.bytes.clone()).collect();
    let mut fixed = 0;
    let mut checked = check_sources(sources.to_vec(), config.clone(), selection);
    for _ in 0..MAX_ROUNDS {
        let mut changed = false;
        for (source, file) in sources.iter_mut().zip(&checked) {
            if let Some((text, count)) = fix_file(file, unsafe_fixes) {
                source.bytes = text.into_bytes();
                fixed += count;
                changed = true;
            }
        }
        if !changed {
            break;
        }
        checked = check_sources(sources.to_vec(), config.clone(), selection);
    }
    let remaining = checked.iter().map(|f| f.findings.len()).sum();
    let changes = sources
        .iter()
        .zip(originals)
        .filter(|(s, original)| s.bytes != *original)
        .map(|(s, original)| Change {
            path: s.path.clone(),
            before: String::from_utf8_lossy(&original).into_owned(),
            after: String::from_utf8_lossy(&s.bytes).into_owned(),
        })
        .collect();
    Outcome {
        changes,
        fixed,
        remaining,
    }
}

/// The file with the first applicable fix of each finding that keeps the syntax applied, skipping fixes whose edits
/// overlap one already taken; `None` when nothing applies or the result would parse worse.
fn fix_file(file: &CheckedFile, unsafe_fixes: bool) -> Option<(String, usize)> {
    let mut edits: Vec<TextEdit> = Vec::new();
    let mut count = 0;
    let errors_before = syntax_error_count(&file.text);
    for finding in &file.findings {
        let Some(fix) = finding.fixes.iter().find(|fix| {
            (unsafe_fixes || fix.applicability == Applicability::Safe)
                && fix_keeps_syntax(&file.text, fix, errors_before)
        }) else {
            continue;
        };
        let overlaps = fix.edits.iter().any(|e| {
            edits.iter().any(|t| {
                e.range.start < t.range.end.max(t.range.start + 1)
                    && t.range.start < e.range.end.max(e.range.start + 1)
            })
        });
        if overlaps {
            continue;
        }
        edits.extend(fix.edits.iter().cloned());
        count += 1;
    }
    if count == 0 {
        return None;
    }
    let text = apply_edits(&file.text, &edits)?;
    (syntax_error_count(&text) <= errors_before && *text != *file.text).then_some((text, count))
}

/// A unified diff of one file, as `diff -u` prints it.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("a/{}", path.trim_start_matches('/')),
            &format!("b/{}", path.trim_start_matches('/')),
        )
        .to_string()
}
