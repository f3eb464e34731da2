//! End-to-end tests of `xsguard fix`, `rules` and `explain`, and of the generated docs/rules.md.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

fn xsguard(dir: &Path, args: &[&str]) -> Output {
    common::xsguard_in(dir, args)
}

/// The findings of `check --format json`.
fn findings(out: &Output) -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["findings"].as_array().unwrap().clone()
}

/// A finding's path, without a leading `./`.
fn path_of(finding: &serde_json::Value) -> String {
    finding["path"]
        .as_str()
        .unwrap()
        .trim_start_matches("./")
        .to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// A scratch copy of a fixture folder.
fn scratch(name: &str, from: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xsguard-commands-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(from);
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

const GROUP: &str = "api_group shop {\r\n  canonical = \"shop-v1\"\r\n}\r\n";

#[test]
fn fix_diff_writes_nothing_and_fix_is_idempotent() {
    let dir = scratch("fix", "tests/fixtures/rules/xs301");
    std::fs::write(dir.join("crlf.xs"), GROUP).unwrap();

    let diff = xsguard(&dir, &["fix", "--diff", "--select", "XS301", "."]);
    assert_eq!(diff.status.code(), Some(1), "{}", text(&diff.stderr));
    let out = text(&diff.stdout);
    assert!(out.contains("+  swagger = {active: false}"), "{out}");
    assert!(out.contains("Would fix 4 findings in 4 files"), "{out}");
    assert_eq!(
        std::fs::read_to_string(dir.join("crlf.xs")).unwrap(),
        GROUP,
        "--diff must not write"
    );

    let first = xsguard(&dir, &["fix", "--select", "XS301", "."]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stdout));
    assert!(text(&first.stdout).contains("Fixed 4 findings in 4 files (0 remaining)"));
    // The fix keeps the file's CRLF line endings and indentation.
    assert_eq!(
        std::fs::read_to_string(dir.join("crlf.xs")).unwrap(),
        "api_group shop {\r\n  canonical = \"shop-v1\"\r\n  swagger = {active: false}\r\n}\r\n"
    );
    let before: Vec<_> = ["crlf.xs", "flag_missing.xs", "ok_token.xs"]
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .into();

    let second = xsguard(&dir, &["fix", "--select", "XS301", "."]);
    assert_eq!(second.status.code(), Some(0));
    assert!(text(&second.stdout).contains("Fixed 0 findings in 0 files"));
    let after: Vec<_> = ["crlf.xs", "flag_missing.xs", "ok_token.xs"]
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .into();
    assert_eq!(before, after);

    let check = xsguard(&dir, &["check", "--select", "XS301", "."]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stdout));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn rules_lists_every_rule_and_explain_shows_its_documentation() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let table = xsguard(here, &["rules"]);
    assert_eq!(table.status.code(), Some(0));
    let table = text(&table.stdout);
    for rule in xsguard::rules::RULES {
        assert!(
            table.contains(rule.code) && table.contains(rule.name),
            "{} missing",
            rule.code
        );
    }

    let explain = xsguard(here, &["explain", "xs301"]);
    assert_eq!(explain.status.code(), Some(0));
    let doc = text(&explain.stdout);
    assert!(
        doc.starts_with("XS301 public-swagger (warning, CWE-200)"),
        "{doc}"
    );
    assert!(doc.contains("## Why is this bad?"));
    assert_eq!(
        text(&xsguard(here, &["explain", "public-swagger"]).stdout),
        doc
    );

    let unknown = xsguard(here, &["explain", "XS999"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("unknown rule `XS999`"));
}

#[test]
fn every_rule_is_documented() {
    for rule in xsguard::rules::RULES {
        let doc = xsguard::rules::documentation(rule.code)
            .unwrap_or_else(|| panic!("{} has no documentation", rule.code));
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Fix",
            "## Not flagged",
        ] {
            assert!(doc.contains(section), "{}: missing `{section}`", rule.code);
        }
    }
}

/// docs/rules.md is generated; `XSGUARD_UPDATE_DOCS=1 cargo test` rewrites it.
#[test]
fn rules_reference_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules.md");
    let generated = xsguard::cli::rules_doc::markdown();
    if std::env::var_os("XSGUARD_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/rules.md is stale: run `XSGUARD_UPDATE_DOCS=1 cargo test -p xsguard --test commands`"
    );
}

/// A mistyped code in a suppression is a warning that names the code meant; the reason the
/// editor writes for the user to fill counts as none.
#[test]
fn suppression_typos_and_placeholder_reasons_are_reported() {
    let dir = std::env::temp_dir().join(format!("xsguard-commands-typos-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let group = |name: &str| format!("api_group {name} {{\n  canonical = \"{name}\"\n}}\n");
    std::fs::write(
        dir.join("typo.xs"),
        format!("// xsguard-ignore XS3O1: internal group\n{}", group("a")),
    )
    .unwrap();
    std::fs::write(
        dir.join("placeholder.xs"),
        format!(
            "// xsguard-ignore XS301: TODO: why this is safe\n{}",
            group("b")
        ),
    )
    .unwrap();
    let out = xsguard(
        &dir,
        &["check", "--format", "json", "--select", "XS0,XS301", "."],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let found: Vec<(String, String, String, String, u64)> = findings(&out)
        .iter()
        .map(|f| {
            (
                path_of(f),
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
                f["range"]["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let typo: Vec<_> = found.iter().filter(|f| f.0 == "typo.xs").collect();
    // The typo suppresses nothing: the finding it meant to hide stays.
    assert_eq!(typo.len(), 2, "{found:?}");
    assert!(typo.iter().any(|f| f.1 == "XS301"), "{found:?}");
    let warning = typo.iter().find(|f| f.1 == "XS002").unwrap();
    assert_eq!(warning.2, "warning");
    assert!(
        warning.3.contains("`XS3O1` is not a rule code")
            && warning.3.contains("did you mean `XS301`?"),
        "{}",
        warning.3
    );
    // It points at the code in the comment, `// xsguard-ignore ` being 18 characters.
    assert_eq!(warning.4, 19);
    let placeholder: Vec<_> = found.iter().filter(|f| f.0 == "placeholder.xs").collect();
    // Suppressed, but the placeholder reason is no reason.
    assert_eq!(
        placeholder.iter().map(|f| f.1.as_str()).collect::<Vec<_>>(),
        ["XS001"],
        "{found:?}"
    );
    assert!(
        placeholder[0].3.contains("placeholder reason"),
        "{}",
        placeholder[0].3
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn suppressions_and_excludes() {
    let dir =
        std::env::temp_dir().join(format!("xsguard-commands-suppress-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("legacy")).unwrap();
    let group = |name: &str| format!("api_group {name} {{\n  canonical = \"{name}\"\n}}\n");
    std::fs::write(
        dir.join("quiet.xs"),
        format!(
            "// xsguard-ignore XS301: internal group behind the VPN\n{}",
            group("a")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("reasonless.xs"),
        format!("// xsguard-ignore XS301\n{}", group("b")),
    )
    .unwrap();
    std::fs::write(dir.join("unused.xs"), "// xsguard-ignore-file XS301: nothing to hide\napi_group c {\n  canonical = \"c\"\n  swagger = {active: false}\n}\n").unwrap();
    std::fs::write(dir.join("legacy/old.xs"), group("d")).unwrap();
    std::fs::write(dir.join("xsguard.toml"), "exclude = [\"legacy/**\"]\n").unwrap();

    let out = xsguard(
        &dir,
        &["check", "--format", "json", "--select", "XS0,XS301", "."],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let mut seen: Vec<(String, String)> = findings(&out)
        .iter()
        .map(|f| (path_of(f), f["code"].as_str().unwrap().to_string()))
        .collect();
    seen.sort();
    let expect = |p: &str, c: &str| (p.to_string(), c.to_string());
    // quiet.xs is suppressed with a reason; reasonless.xs is suppressed but reported (XS001);
    // unused.xs's suppression matches nothing (XS002); legacy/ is excluded.
    assert_eq!(
        seen,
        [
            expect("reasonless.xs", "XS001"),
            expect("unused.xs", "XS002")
        ]
    );
    let _ = std::fs::remove_dir_all(dir);
}
