//! `xsguard fix`: applies the fixes of the findings `check` reports, never leaving a file that
//! parses worse.
//!
//! Fixing runs in rounds, since one fix can shift another that overlapped it, and can bring out
//! a finding the first check did not show (an endpoint given `auth` is then checked for
//! ownership). Fixes of such findings are told apart, by their fingerprint, and listed, so
//! nothing is fixed behind the user's back; and a second `xsguard fix` finds nothing left to do.

use std::collections::HashSet;

use super::fingerprint::fingerprints;
use crate::finding::{Finding, TextEdit};
use crate::fix::apply_edits;
use crate::host::check::{CheckedFile, Source, check_reported};
use crate::host::check::{fix_keeps_syntax, syntax_error_count};
use crate::rules::RuleSelection;
use crate::workspace::Config;

/// Rounds of check-and-fix: a fix can shift another finding that overlapped it.
const MAX_ROUNDS: usize = 4;

/// One file the fixes change.
pub struct Change {
    /// Index of the file in the sources.
    pub index: usize,
    pub path: String,
    /// The bytes as read.
    pub before: Vec<u8>,
    pub after: String,
    /// Findings the change fixes.
    pub fixed: usize,
}

impl Change {
    /// The text as read (the file is valid UTF-8, or it would not be changed).
    pub fn before_text(&self) -> &str {
        std::str::from_utf8(&self.before).unwrap_or_default()
    }
}

/// What fixing did.
pub struct Outcome {
    pub changes: Vec<Change>,
    /// Findings left after fixing.
    pub remaining: Vec<Finding>,
    /// Findings that were not there before fixing (a fix brought them out), fixed in a later
    /// round, each with the title of the fix.
    pub later: Vec<(Finding, String)>,
    /// Reported files left alone, with the reason.
    pub skipped: Vec<String>,
}

impl Outcome {
    pub fn fixed(&self) -> usize {
        self.changes.iter().map(|c| c.fixed).sum()
    }
}

/// Applies fixes to the `reported` files of `sources` (one workspace) in place; the files on
/// disk are not touched.
pub fn fix_all(
    sources: &mut [Source],
    reported: &[bool],
    config: &Config,
    selection: &RuleSelection,
    unsafe_fixes: bool,
) -> Outcome {
    let originals: Vec<Vec<u8>> = sources.iter().map(|s| s.bytes.clone()).collect();
    let mut skipped = Vec::new();
    // Fixes are computed on the decoded text: a file that is not UTF-8 would lose its bytes.
    let fixable: Vec<bool> = sources
        .iter()
        .zip(reported)
        .map(|(source, &reported)| {
            let valid = std::str::from_utf8(&source.bytes).is_ok();
            if reported && !valid {
                skipped.push(format!(
                    "`{}` is not valid UTF-8: left as it is",
                    source.path
                ));
            }
            reported && valid
        })
        .collect();
    let check = |sources: &[Source]| -> Vec<Option<CheckedFile>> {
        check_reported(
            sources.to_vec(),
            reported,
            config.clone(),
            selection,
            &|| {},
        )
        .1
    };
    let mut checked = check(sources);
    let known: HashSet<String> = checked.iter().flatten().flat_map(fingerprints).collect();
    let mut fixed = vec![0; sources.len()];
    let mut later = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let mut changed = false;
        for (i, file) in checked.iter().enumerate() {
            let Some(file) = file.as_ref().filter(|_| fixable[i]) else {
                continue;
            };
            if let Some((text, applied)) = fix_file(file, unsafe_fixes) {
                let prints = fingerprints(file);
                for (n, title) in &applied {
                    if !known.contains(&prints[*n]) {
                        later.push((file.findings[*n].clone(), title.clone()));
                    }
                }
                sources[i].bytes = text.into_bytes();
                fixed[i] += applied.len();
                changed = true;
            }
        }
        if !changed {
            break;
        }
        checked = check(sources);
    }
    let remaining = checked
        .iter()
        .flatten()
        .flat_map(|file| file.findings.iter().cloned())
        .collect();
    let changes = sources
        .iter()
        .zip(originals)
        .enumerate()
        .filter(|(_, (s, original))| s.bytes != *original)
        .map(|(index, (s, before))| Change {
            index,
            path: s.path.clone(),
            before,
            after: String::from_utf8_lossy(&s.bytes).into_owned(),
            fixed: fixed[index],
        })
        .collect();
    Outcome {
        changes,
        remaining,
        later,
        skipped,
    }
}

/// The file with the first applicable fix of each finding applied, skipping fixes that would
/// add a syntax error or whose edits overlap one already taken, and the findings fixed (by
/// their place in the file's findings) with the fix's title; `None` when nothing applies or
/// the result would parse worse.
fn fix_file(file: &CheckedFile, unsafe_fixes: bool) -> Option<(String, Vec<(usize, String)>)> {
    let mut edits: Vec<TextEdit> = Vec::new();
    let mut applied = Vec::new();
    let errors_before = syntax_error_count(&file.text);
    for (n, finding) in file.findings.iter().enumerate() {
        let Some(fix) = finding.fixes.iter().find(|fix| {
            (unsafe_fixes || fix.applicability == crate::finding::Applicability::Safe)
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
        applied.push((n, fix.title.clone()));
    }
    if applied.is_empty() {
        return None;
    }
    let text = apply_edits(&file.text, &edits)?;
    (syntax_error_count(&text) <= errors_before && *text != *file.text).then_some((text, applied))
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
