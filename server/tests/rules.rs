//! Fixture tests of every rule.
//!
//! Each rule has a folder `tests/fixtures/rules/xsNNN/` of `.xs` files checked together as one
//! workspace (plus an optional `xsguard.toml`). Files named `flag_*.xs` must get at least one
//! finding of the rule, files named `ok_*.xs` none (also when checked alone, without their
//! neighbours); other files (tables, functions) are context. The findings are snapshotted, and
//! every offered fix is applied alone: the fixed file must parse with no new syntax error and
//! lose a finding of the rule.

use std::path::{Path, PathBuf};

mod common;

use common::message_shape_problem;
use xsguard::finding::Applicability;
use xsguard::fix::apply_fix;
use xsguard::host::check::{CheckedFile, Source, check_sources};
use xsguard::rules::RuleSelection;
use xsguard::workspace::Config;

fn fixture_dir(code: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules")
        .join(code.to_ascii_lowercase())
}

fn load(dir: &Path) -> Vec<Source> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "xs") {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(Source {
                    path: rel,
                    bytes: std::fs::read(&path).unwrap(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn config(dir: &Path) -> Config {
    Config::discover(dir, xsguard::rules::is_known).unwrap_or_else(|e| panic!("{e}"))
}

fn run(code: &str, sources: Vec<Source>, config: &Config) -> Vec<CheckedFile> {
    let selection = RuleSelection::from_selectors(&[code, "XS000"], &[] as &[&str]).unwrap();
    check_sources(sources, config.clone(), &selection)
}

fn count(file: &CheckedFile, code: &str) -> usize {
    file.findings.iter().filter(|f| f.code == code).count()
}

fn render(files: &[CheckedFile]) -> String {
    let mut out = String::new();
    for file in files {
        for f in &file.findings {
            out.push_str(&format!(
                "{}:{}:{}: {} {} {}\n",
                f.path, f.start.line, f.start.column, f.severity, f.code, f.message
            ));
            for r in &f.related {
                out.push_str(&format!(
                    "    related {}:{}:{}: {}\n",
                    r.path, r.start.line, r.start.column, r.message
                ));
            }
            if let Some(help) = &f.help {
                out.push_str(&format!("    help: {help}\n"));
            }
            for fix in &f.fixes {
                out.push_str(&format!("    fix: {}\n", fix.title));
            }
        }
    }
    out
}

fn check_rule(code: &str) {
    let code = &code.to_ascii_uppercase();
    let dir = fixture_dir(code);
    let sources = load(&dir);
    let config = config(&dir);
    assert!(
        sources.iter().any(|s| s.path.contains("flag_")),
        "{code}: no flag_ fixture"
    );
    assert!(
        sources.iter().any(|s| s.path.contains("ok_")),
        "{code}: no ok_ fixture"
    );
    let files = run(code, sources.clone(), &config);
    let fixes: usize = files
        .iter()
        .flat_map(|f| &f.findings)
        .filter(|f| f.code == code.as_str())
        .map(|f| f.fixes.len())
        .sum();
    let registered = xsguard::rules::rule(code).expect("a registered rule");
    let fixable = registered.fixable;
    // What `xsguard rules` and `fix` say about a rule's fixes is what its fixes are.
    let wanted = if registered.safe_fixes {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    for fix in files
        .iter()
        .flat_map(|f| &f.findings)
        .filter(|f| f.code == code.as_str())
        .flat_map(|f| &f.fixes)
    {
        assert_eq!(
            fix.applicability, wanted,
            "{code}: fix `{}` is {:?}, the registry says safe_fixes = {}",
            fix.title, fix.applicability, registered.safe_fixes
        );
    }
    assert_eq!(
        fixes > 0,
        fixable,
        "{code}: the registry says fixable = {fixable}, the fixtures show {fixes} fixes"
    );

    for file in &files {
        let name = file.path.rsplit('/').next().unwrap();
        let syntax = count(file, "XS000");
        assert_eq!(
            syntax,
            0,
            "{code}: fixture {} has a syntax error:\n{}",
            file.path,
            render(std::slice::from_ref(file))
        );
        if name.starts_with("flag_") {
            assert!(
                count(file, code) > 0,
                "{code}: {} should be flagged",
                file.path
            );
        }
        if name.starts_with("ok_") {
            assert_eq!(
                count(file, code),
                0,
                "{code}: {} must not be flagged:\n{}",
                file.path,
                render(std::slice::from_ref(file))
            );
            // Checked alone, a file may get fewer findings but never a wrong one.
            let alone = run(
                code,
                vec![
                    sources
                        .iter()
                        .find(|s| s.path == file.path)
                        .unwrap()
                        .clone(),
                ],
                &config,
            );
            assert_eq!(
                count(&alone[0], code),
                0,
                "{code}: {} is flagged when checked alone:\n{}",
                file.path,
                render(&alone)
            );
        }
    }
    insta::assert_snapshot!(code.to_ascii_lowercase(), render(&files));

    // Every fix, applied alone, parses and removes a finding of the rule.
    for (i, file) in files.iter().enumerate() {
        for finding in file.findings.iter().filter(|f| f.code == code) {
            for fix in &finding.fixes {
                let fixed = apply_fix(&file.text, fix).unwrap_or_else(|| {
                    panic!("{code}: fix `{}` in {} has bad edits", fix.title, file.path)
                });
                let mut changed = sources.clone();
                changed[i].bytes = fixed.clone().into_bytes();
                let after = run(code, changed, &config);
                assert_eq!(
                    count(&after[i], "XS000"),
                    0,
                    "{code}: fix `{}` breaks the syntax of {}:\n{fixed}\n{}",
                    fix.title,
                    file.path,
                    render(&after[i..=i])
                );
                assert!(
                    count(&after[i], code) < count(file, code),
                    "{code}: fix `{}` does not remove the finding in {}:\n{fixed}",
                    fix.title,
                    file.path
                );
            }
        }
    }
}

macro_rules! rule_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_rule(stringify!($name));
            }
        )*
    };
}

rule_tests!(
    xs003, xs101, xs102, xs103, xs104, xs105, xs201, xs202, xs203, xs204, xs301, xs302, xs303,
    xs401, xs402, xs403, xs501, xs502, xs503,
);

#[test]
fn messages_are_one_short_sentence_and_the_rest_is_help() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("../examples")];
    for entry in std::fs::read_dir(root.join("tests/fixtures/rules")).unwrap() {
        dirs.push(entry.unwrap().path());
    }
    let mut problems = Vec::new();
    let mut findings = 0;
    for dir in dirs {
        let sources = load(&dir);
        let config = config(&dir);
        for file in check_sources(sources, config, &RuleSelection::default()) {
            for f in &file.findings {
                findings += 1;
                if let Some(p) = message_shape_problem(&f.message) {
                    problems.push(format!("{} {}: {p}", file.path, f.code));
                }
                let meta = matches!(f.code, "XS000" | "XS001" | "XS002");
                if !meta && f.help.is_none() {
                    problems.push(format!("{} {}: no help: {}", file.path, f.code, f.message));
                }
            }
        }
    }
    assert!(findings > 300, "only {findings} findings");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
