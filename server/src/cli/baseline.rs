//! Baselines: a file of accepted findings, so CI fails only on new ones.
//!
//! `xsguard check --write-baseline FILE` records the current findings by fingerprint;
//! `xsguard check --baseline FILE` then reports only findings whose fingerprint is not in it.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::fingerprint::{fingerprints, normalize_path};
use crate::host::check::CheckedFile;

const BASELINE_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    findings: Vec<BaselineEntry>,
}

/// One accepted finding; code, path and message are there for people reading the file.
#[derive(Serialize, Deserialize)]
struct BaselineEntry {
    fingerprint: String,
    code: String,
    path: String,
    message: String,
}

/// Writes the baseline of these findings.
pub fn write(path: &Path, files: &[CheckedFile]) -> Result<usize, String> {
    let mut findings = Vec::new();
    for file in files {
        for (finding, fingerprint) in file.findings.iter().zip(fingerprints(file)) {
            findings.push(BaselineEntry {
                fingerprint,
                code: finding.code.to_string(),
                path: normalize_path(&finding.path),
                message: finding.message.clone(),
            });
        }
    }
    let count = findings.len();
    let text = serde_json::to_string_pretty(&BaselineFile {
        version: BASELINE_VERSION,
        findings,
    })
    .map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n")
        .map_err(|e| format!("cannot write baseline `{}`: {e}", path.display()))?;
    Ok(count)
}

/// The findings a baseline file accepts.
pub struct Baseline {
    entries: Vec<BaselineEntry>,
}

/// What applying a baseline did.
pub struct Applied {
    /// Findings it hid.
    pub hidden: usize,
    /// Its entries for the files checked that matched no finding, as `path: CODE message`.
    pub stale: Vec<String>,
}

/// Reads a baseline file.
pub fn read(path: &Path) -> Result<Baseline, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read baseline `{}`: {e}", path.display()))?;
    let file: BaselineFile = serde_json::from_str(&text)
        .map_err(|e| format!("`{}` is not an xsguard baseline: {e}", path.display()))?;
    if file.version != BASELINE_VERSION {
        return Err(format!(
            "baseline `{}` has version {}, expected {BASELINE_VERSION}",
            path.display(),
            file.version
        ));
    }
    Ok(Baseline {
        entries: file.findings,
    })
}

/// Drops the findings the baseline accepts.
pub fn filter(files: &mut [CheckedFile], baseline: &Baseline) -> Applied {
    let accepted: BTreeSet<&str> = baseline
        .entries
        .iter()
        .map(|e| e.fingerprint.as_str())
        .collect();
    let mut matched: BTreeSet<String> = BTreeSet::new();
    let mut checked_paths: BTreeSet<String> = BTreeSet::new();
    let mut hidden = 0;
    for file in files.iter_mut() {
        checked_paths.insert(normalize_path(&file.path));
        let prints = fingerprints(file);
        let mut keep = prints.iter().map(|p| !accepted.contains(p.as_str()));
        let before = file.findings.len();
        file.findings.retain(|_| keep.next().unwrap_or(true));
        hidden += before - file.findings.len();
        matched.extend(prints.into_iter().filter(|p| accepted.contains(p.as_str())));
    }
    // Entries of files this run did not check may well still hold.
    let stale = baseline
        .entries
        .iter()
        .filter(|e| checked_paths.contains(&e.path) && !matched.contains(&e.fingerprint))
        .map(|e| format!("{}: {} {}", e.path, e.code, e.message))
        .collect();
    Applied { hidden, stale }
}
