//! The closing lines of a human report: how many files were checked, what was found, and
//! how much of it `xsguard fix` can repair.

use crate::finding::Applicability;
use crate::host::check::CheckedFile;

/// What a run covered, besides its findings.
#[derive(Clone, Copy, Debug, Default)]
pub struct Summary {
    /// Files findings were reported for (context files not counted).
    pub checked_files: usize,
    /// Some path could not be read or used: a clean result must not claim everything passed.
    pub incomplete: bool,
    /// Only the named paths were read, without their workspace.
    pub isolated: bool,
}

/// How many findings each kind of fix repairs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fixable {
    /// Fixed by `xsguard fix`.
    pub safe: usize,
    /// Fixed only with `--unsafe-fixes`.
    pub unsafe_only: usize,
}

impl Fixable {
    pub fn of(files: &[CheckedFile]) -> Self {
        let mut counts = Self::default();
        for finding in files.iter().flat_map(|f| &f.findings) {
            match finding.fixability() {
                Some(Applicability::Safe) => counts.safe += 1,
                Some(Applicability::Unsafe) => counts.unsafe_only += 1,
                None => {}
            }
        }
        counts
    }
}

/// The marker a fixable finding carries in its header line.
pub fn marker(fixability: Option<Applicability>) -> &'static str {
    match fixability {
        Some(Applicability::Safe) => "[*] ",
        Some(Applicability::Unsafe) => "[~] ",
        None => "",
    }
}

/// The summary lines (without a final newline): what was checked and found, then what is
/// fixable. `passed` is painted by the caller.
pub fn lines(
    summary: &Summary,
    problems: usize,
    files_with_problems: usize,
    fixable: Fixable,
) -> (String, Option<String>) {
    let files = plural(summary.checked_files, "file", "files");
    let scope = if summary.isolated {
        let whose = if summary.checked_files == 1 {
            "its"
        } else {
            "their"
        };
        format!(
            "Checked {} {files} in isolation (without the rest of {whose} workspace)",
            summary.checked_files
        )
    } else {
        format!("Checked {} {files}", summary.checked_files)
    };
    let first = if problems == 0 && summary.incomplete {
        format!("{scope}: no problems found, but some paths could not be read or used.")
    } else if problems == 0 {
        format!("{scope}: all checks passed.")
    } else {
        format!(
            "{scope}: found {problems} {} in {files_with_problems} {}.",
            plural(problems, "problem", "problems"),
            plural(files_with_problems, "file", "files"),
        )
    };
    let second = match (fixable.safe, fixable.unsafe_only) {
        (0, 0) => None,
        (safe, 0) => Some(format!("[*] {safe} fixable with `xsguard fix`.")),
        (0, more) => Some(format!(
            "[~] {more} fixable with `xsguard fix --unsafe-fixes` (review those fixes: they change behaviour or leave a value to fill in)."
        )),
        (safe, more) => Some(format!(
            "[*] {safe} fixable with `xsguard fix` ([~] {more} more with `--unsafe-fixes`)."
        )),
    };
    (first, second)
}

pub fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}
