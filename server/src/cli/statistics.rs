//! `--statistics`: how many findings each rule has, most frequent first.

use serde::Serialize;

use crate::finding::Applicability;
use crate::host::check::CheckedFile;

#[derive(Serialize)]
struct Row {
    code: &'static str,
    name: &'static str,
    count: usize,
    /// Findings `xsguard fix` repairs.
    fixable: usize,
    /// Findings only `--unsafe-fixes` repairs.
    unsafe_fixable: usize,
}

fn rows(files: &[CheckedFile]) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for f in files.iter().flat_map(|file| &file.findings) {
        let at = match rows.iter().position(|r| r.code == f.code) {
            Some(at) => at,
            None => {
                rows.push(Row {
                    code: f.code,
                    name: f.name,
                    count: 0,
                    fixable: 0,
                    unsafe_fixable: 0,
                });
                rows.len() - 1
            }
        };
        let row = &mut rows[at];
        row.count += 1;
        match f.fixability() {
            Some(Applicability::Safe) => row.fixable += 1,
            Some(Applicability::Unsafe) => row.unsafe_fixable += 1,
            None => {}
        }
    }
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    rows
}

/// An aligned table: count, code, fix marker, name.
pub fn table(files: &[CheckedFile]) -> String {
    let rows = rows(files);
    let width = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    rows.iter()
        .map(|r| {
            let marker = if r.fixable > 0 {
                "[*]"
            } else if r.unsafe_fixable > 0 {
                "[~]"
            } else {
                "   "
            };
            format!("{:>width$}  {}  {marker} {}\n", r.count, r.code, r.name)
        })
        .collect()
}

/// The same rows as a JSON array.
pub fn json(files: &[CheckedFile]) -> String {
    serde_json::to_string_pretty(&rows(files)).unwrap_or_default() + "\n"
}
