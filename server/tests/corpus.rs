//! Every app of the shared corpus of real XanoScript (when present beside the checkout) checks
//! without an internal error, XS000 appears only on the files the grammar lists as invalid, and
//! every fix offered on a corpus file applies without adding a syntax error.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use xsguard::host::check::check_sources;

mod common;
use common::{corpus_dir, message_shape_problem, xs_sources};
use xsguard::fix::apply_fix;
use xsguard::rules::RuleSelection;
use xsguard::syntax::{parse, syntax_errors};
use xsguard::workspace::Config;

fn known_invalid() -> BTreeSet<String> {
    let list = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tree-sitter-xanoscript/KNOWN_INVALID.md"),
    )
    .unwrap();
    list.lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|r| r.split_once('`'))
        .map(|(p, _)| p.to_string())
        .collect()
}

#[test]
fn corpus_checks_without_internal_errors_or_unexpected_syntax_errors() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("corpus not present; skipping");
        return;
    };
    let known = known_invalid();
    let mut apps: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "LICENSES"))
        .collect();
    apps.sort();
    let mut problems = Vec::new();
    let mut files = 0;
    let mut findings = 0;
    let mut fixes = 0;
    for app in apps {
        let checked = check_sources(
            xs_sources(&app, &corpus),
            Config::default(),
            &RuleSelection::all(),
        );
        for file in checked {
            files += 1;
            findings += file.findings.len();
            // Every offered fix, applied alone, leaves a file with no new syntax error.
            let errors = syntax_errors(&parse(file.text.to_string())).len();
            for finding in &file.findings {
                for fix in &finding.fixes {
                    fixes += 1;
                    match apply_fix(&file.text, fix) {
                        Some(fixed) if syntax_errors(&parse(fixed.clone())).len() <= errors => {}
                        Some(_) => problems.push(format!(
                            "{}: fix `{}` adds a syntax error",
                            file.path, fix.title
                        )),
                        None => problems.push(format!(
                            "{}: fix `{}` has invalid edits",
                            file.path, fix.title
                        )),
                    }
                }
            }
            problems.extend(file.internal_errors.iter().cloned());
            problems.extend(
                file.findings
                    .iter()
                    .filter_map(|f| message_shape_problem(&f.message))
                    .map(|p| format!("{}: {p}", file.path)),
            );
            if !known.contains(&file.path) {
                problems.extend(file.findings.iter().filter(|f| f.code == "XS000").map(|f| {
                    format!(
                        "{}:{}:{}: {}",
                        f.path, f.start.line, f.start.column, f.message
                    )
                }));
            }
        }
    }
    eprintln!("corpus: {files} files, {findings} findings, {fixes} fixes applied");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
