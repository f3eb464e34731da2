//! `xsguard audit`: the committed example report stays current, and the HTML page renders in a
//! headless browser without console errors (when Debian's chromium is installed).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn audit(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xsguard"))
        .arg("audit")
        .args(args)
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
    for heading in [
        "## Endpoint inventory",
        "## API groups",
        "## Tables",
        "## Findings by checklist section",
        "## Checks no source can show",
    ] {
        assert!(generated.contains(heading), "missing {heading}");
    }
    assert!(
        generated.contains("| GET | `user` | public | **none** | user |"),
        "the ghost endpoint is in the inventory"
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
