//! `xsguard audit`: the committed example report stays current, and the HTML page renders in a
//! headless browser without console errors (when Debian's chromium is installed).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Reports made with a fixed date (`SOURCE_DATE_EPOCH`), so that they can be compared.
fn audit(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xsguard"))
        .arg("audit")
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1796700000")
        .current_dir(root())
        .output()
        .unwrap()
}

/// docs/example-audit.md is `xsguard audit examples`; `XSGUARD_UPDATE_DOCS=1` rewrites it.
#[test]
fn example_audit_is_current() {
    let out = audit(&["examples"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = String::from_utf8(out.stdout).unwrap();
    let mut at = 0;
    for heading in [
        "# Pre-launch security audit: shop",
        "## Verdict: Not ready to launch",
        "## Fix first",
        "## Findings by rule",
        "## Endpoint inventory",
        "## API groups",
        "## Tables",
        "## Checks no source can show",
    ] {
        let found = generated[at..].find(heading);
        assert!(found.is_some(), "missing {heading}, or out of order");
        at += found.unwrap();
    }
    assert!(
        generated.contains("2026-12-08 03:20 UTC · xsguard ")
            && generated.contains("`xsguard audit examples --format markdown`"),
        "the header says when, which version and which command"
    );
    assert!(
        generated.contains("| GET | `user` (generated CRUD) | public | **none** | user |"),
        "the ghost endpoint is in the inventory"
    );
    assert!(
        !generated.contains("sk_live_51HxQ2m"),
        "the report cuts the hard-coded secret as the finding's message does"
    );
    let path = root().join("docs/example-audit.md");
    if std::env::var_os("XSGUARD_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/example-audit.md is stale: run `XSGUARD_UPDATE_DOCS=1 cargo test -p xsguard --test audit`"
    );
}

#[test]
fn json_audit_has_every_part() {
    let out = audit(&["examples", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["endpoints"].as_array().unwrap().len() >= 12);
    let me = report["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "me")
        .unwrap();
    assert_eq!(
        (me["verb"].as_str(), me["auth"].as_str()),
        (Some("GET"), Some("user"))
    );
    assert_eq!(me["reads"][0], "user");
    let user = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "user")
        .unwrap();
    assert_eq!(user["auth"], true);
    assert_eq!(report["manual_checks"].as_array().unwrap().len(), 10);
    assert!(
        report["manual_checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["where_to_look"].as_str().is_some_and(|w| !w.is_empty()))
    );

    // What docs/audit-json.md promises.
    assert_eq!(report["schema_version"], 2);
    assert_eq!(report["run"]["workspace"], "shop");
    assert_eq!(report["run"]["generated_at"], "2026-12-08T03:20:00Z");
    assert_eq!(
        report["run"]["command"],
        "xsguard audit examples --format json"
    );
    assert_eq!(report["verdict"]["ready"], false);
    let top = report["top_issues"].as_array().unwrap();
    assert!(!top.is_empty() && top.len() <= 8);
    let gains: Vec<u64> = top.iter().map(|t| t["gain"].as_u64().unwrap()).collect();
    assert!(
        top.iter().all(|t| t["blocking"] == true) || gains.windows(2).all(|w| w[0] >= w[1]),
        "ranked by gain"
    );
    let ghost = report["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "user" && e["verb"] == "GET")
        .unwrap();
    assert_eq!(
        (&ghost["reach"], &ghost["generated_crud"]),
        (&serde_json::json!("public"), &serde_json::json!("user"))
    );
    assert_eq!(
        ghost["file"], "apis/public/users_GET.xs",
        "paths are relative to the root"
    );
    let findings: Vec<&serde_json::Value> = report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["findings"].as_array().unwrap())
        .collect();
    let grouped: usize = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["clusters"].as_array().unwrap())
        .map(|c| c["findings"].as_array().unwrap().len())
        .sum();
    assert_eq!(grouped, findings.len(), "each finding is in one cluster");
    let with_fix = findings.iter().find(|f| f["code"] == "XS401").unwrap();
    assert!(with_fix["fix"]["diff"].as_str().unwrap().starts_with("@@ "));
    assert!(with_fix["snippet"]["lines"].as_array().unwrap().len() >= 3);
    assert_eq!(with_fix["place"]["reach"], "public");
}

#[test]
fn html_audit_renders_without_console_errors() {
    let dir = std::env::temp_dir().join(format!("xsguard-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("audit.html");
    let out = audit(&["examples", "--format", "html", "-o", page.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>")
            && html.contains("<table class=\"sortable\" id=\"endpoints\">")
            && html.contains("id=\"verdict\"")
            && html.contains("<ol class=\"top\">")
            && html.contains("<details class=\"rule\" id=\"rule-XS101\">")
            && html.contains("id=\"checklist\"")
    );
    assert!(
        html.contains("has no <code>auth</code>") && !html.contains("has no `auth`"),
        "Markdown in messages is rendered"
    );
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "the page is self-contained"
    );

    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        eprintln!("chromium not installed; skipping the browser check");
        return;
    }
    let profile = dir.join("profile");
    let browser = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            &format!("file://{}", page.display()),
        ])
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&browser.stdout);
    let log = String::from_utf8_lossy(&browser.stderr);
    assert!(
        dom.contains("id=\"endpoints\"") && dom.contains("Pre-launch security audit"),
        "page did not render: {log}"
    );
    let console_errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught") || l.contains("SyntaxError"))
        .collect();
    assert!(
        console_errors.is_empty(),
        "console errors: {console_errors:#?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
