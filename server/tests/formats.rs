//! `check` for CI: SARIF, GitHub annotations, fingerprints, baselines, `--fail-on`, stdin.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn xsguard(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xsguard"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the xsguard binary runs");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

const GROUP: &str = "api_group shop {\n  canonical = \"shop-v1\"\n  swagger = true\n}\n";
const SUPPRESSED: &str = "// xsguard-ignore XS301: docs are for partners and the group is behind a VPN\napi_group partners {\n  canonical = \"p\"\n}\n";

fn workspace(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xsguard-formats-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("apis")).unwrap();
    std::fs::write(dir.join("apis/shop.xs"), GROUP).unwrap();
    std::fs::write(dir.join("apis/partners.xs"), SUPPRESSED).unwrap();
    dir
}

#[test]
fn sarif_is_valid_and_complete() {
    let dir = workspace("sarif");
    let out = xsguard(
        &dir,
        &[
            "check",
            "--select",
            "XS0,XS301",
            "--format",
            "sarif",
            "apis",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let log: serde_sarif::sarif::Sarif = serde_json::from_slice(&out.stdout).expect("typed SARIF");
    assert_eq!(log.version.to_string().trim_matches('"'), "2.1.0");
    let run = &log.runs[0];
    let driver = &run.tool.driver;
    assert_eq!(driver.name, "xsguard");
    let rules = driver.rules.as_ref().unwrap();
    assert_eq!(rules.len(), xsguard::rules::RULES.len());
    for rule in rules {
        assert!(
            rule.short_description.is_some() && rule.full_description.is_some(),
            "{}",
            rule.id
        );
        let help = rule.help.as_ref().unwrap();
        assert!(help.markdown.as_ref().is_some_and(|m| !m.is_empty()));
        assert!(rule.default_configuration.is_some());
        let props = serde_json::to_value(rule.properties.as_ref().unwrap()).unwrap();
        assert!(
            props["security-severity"]
                .as_str()
                .is_some_and(|s| s.parse::<f64>().is_ok())
        );
        // The XS00x rules are about xsguard's own comments and placeholders, not a weakness.
        if !rule.id.starts_with("XS00") {
            assert!(
                props["tags"].to_string().contains("CWE-"),
                "{} has no CWE tag",
                rule.id
            );
        }
    }

    let results = run.results.as_ref().unwrap();
    assert_eq!(results.len(), 2, "one finding and one suppressed finding");
    let open = results.iter().find(|r| r.suppressions.is_none()).unwrap();
    assert_eq!(open.rule_id.as_deref(), Some("XS301"));
    let location = open.locations.as_ref().unwrap()[0]
        .physical_location
        .as_ref()
        .unwrap();
    assert_eq!(
        location.artifact_location.as_ref().unwrap().uri.as_deref(),
        Some("apis/shop.xs")
    );
    let region = location.region.as_ref().unwrap();
    assert_eq!((region.start_line, region.start_column), (Some(3), Some(3)));
    assert!(
        open.partial_fingerprints
            .as_ref()
            .is_some_and(|p| !p.is_empty())
    );
    let fix = &open.fixes.as_ref().unwrap()[0];
    let replacement = &fix.artifact_changes[0].replacements[0];
    assert_eq!(
        replacement
            .inserted_content
            .as_ref()
            .unwrap()
            .text
            .as_deref(),
        Some("swagger = {active: false}")
    );
    let properties = serde_json::to_value(fix.properties.as_ref().unwrap()).unwrap();
    assert_eq!(properties["applicability"], "safe");

    let suppressed = results.iter().find(|r| r.suppressions.is_some()).unwrap();
    let justification = suppressed.suppressions.as_ref().unwrap()[0]
        .justification
        .clone();
    assert_eq!(
        justification.as_deref(),
        Some("docs are for partners and the group is behind a VPN")
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// `check --select XS0,XS301 --baseline baseline.json` with `args` after it.
fn with_baseline(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec![
        "check",
        "--select",
        "XS0,XS301",
        "--baseline",
        "baseline.json",
    ];
    all.extend_from_slice(args);
    xsguard(dir, &all, None)
}

#[test]
fn fingerprints_survive_inserted_lines_and_baselines_round_trip() {
    let dir = workspace("baseline");
    let fingerprint = |dir: &Path| {
        let out = xsguard(
            dir,
            &[
                "check",
                "--select",
                "XS0,XS301",
                "--format",
                "sarif",
                "apis/shop.xs",
            ],
            None,
        );
        let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        log["runs"][0]["results"][0]["partialFingerprints"].to_string()
    };
    let before = fingerprint(&dir);

    let written = xsguard(
        &dir,
        &[
            "check",
            "--select",
            "XS0,XS301",
            "--write-baseline",
            "baseline.json",
            "apis",
        ],
        None,
    );
    assert_eq!(written.status.code(), Some(0), "{}", text(&written.stderr));
    assert!(text(&written.stdout).contains("Wrote 1 finding"));

    // Lines inserted above the finding move it but change neither fingerprint nor baseline match.
    std::fs::write(
        dir.join("apis/shop.xs"),
        format!("// Shop endpoints\n// owned by the web team\n\n{GROUP}"),
    )
    .unwrap();
    assert_eq!(fingerprint(&dir), before);
    let quiet = with_baseline(&dir, &["apis"]);
    assert_eq!(quiet.status.code(), Some(0), "{}", text(&quiet.stdout));
    assert_eq!(
        text(&quiet.stderr),
        "xsguard: 1 finding hidden by the baseline `baseline.json`.\n"
    );

    // A new finding is reported; the accepted one is not.
    std::fs::write(
        dir.join("apis/legacy.xs"),
        "api_group legacy {\n  canonical = \"legacy\"\n}\n",
    )
    .unwrap();
    let new = with_baseline(&dir, &["--format", "json", "apis"]);
    assert_eq!(new.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&new.stdout).unwrap();
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["apis/legacy.xs"]);

    // Once the accepted finding is fixed, its entry is stale, and the run says so.
    std::fs::write(
        dir.join("apis/shop.xs"),
        GROUP.replace("swagger = true", "swagger = {active: false}"),
    )
    .unwrap();
    let stale = with_baseline(&dir, &["apis"]);
    let notes = text(&stale.stderr);
    assert!(
        notes.contains("0 findings hidden by the baseline")
            && notes.contains(
                "warning: 1 entry of the baseline for the files checked matches no finding"
            )
            && notes.contains("  apis/shop.xs: XS301 "),
        "{notes}"
    );
    // Entries of files a run does not check are not stale.
    let other = with_baseline(&dir, &["apis/partners.xs"]);
    assert!(
        !text(&other.stderr).contains("no finding any more"),
        "{}",
        text(&other.stderr)
    );

    let bad = xsguard(
        &dir,
        &[
            "check",
            "--select",
            "XS0,XS301",
            "--baseline",
            "apis/shop.xs",
            "apis",
        ],
        None,
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("is not an xsguard baseline"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn fail_on_statistics_github_and_stdin() {
    let dir = workspace("misc");
    // XS301 is a warning: `--fail-on error` passes, `--fail-on warning` fails.
    assert_eq!(
        xsguard(
            &dir,
            &[
                "check",
                "--select",
                "XS0,XS301",
                "--fail-on",
                "error",
                "apis"
            ],
            None
        )
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        xsguard(
            &dir,
            &[
                "check",
                "--select",
                "XS0,XS301",
                "--fail-on",
                "warning",
                "apis"
            ],
            None
        )
        .status
        .code(),
        Some(1)
    );

    let stats = text(
        &xsguard(
            &dir,
            &["check", "--select", "XS0,XS301", "--statistics", "apis"],
            None,
        )
        .stdout,
    );
    assert_eq!(stats.trim(), "1  XS301  [*] public-swagger");
    let stats: serde_json::Value = serde_json::from_slice(
        &xsguard(
            &dir,
            &[
                "check",
                "--select",
                "XS0,XS301",
                "--statistics",
                "--format",
                "json",
                "apis",
            ],
            None,
        )
        .stdout,
    )
    .expect("--statistics --format json is JSON");
    assert_eq!(
        stats,
        serde_json::json!([{"code": "XS301", "name": "public-swagger", "count": 1, "fixable": 1, "unsafe_fixable": 0}])
    );

    let github = text(
        &xsguard(
            &dir,
            &[
                "check",
                "--select",
                "XS0,XS301",
                "--format",
                "github",
                "apis",
            ],
            None,
        )
        .stdout,
    );
    assert!(
        github.starts_with("::warning file=apis/shop.xs,line=3,col=3,endLine=3,endColumn=17,title=XS301 public-swagger::"),
        "{github}"
    );

    let piped = xsguard(
        &dir,
        &[
            "check",
            "--select",
            "XS0,XS301",
            "-",
            "--stdin-filename",
            "apis/piped.xs",
            "--format",
            "json",
        ],
        Some(GROUP),
    );
    assert_eq!(piped.status.code(), Some(1), "{}", text(&piped.stderr));
    let report: serde_json::Value = serde_json::from_slice(&piped.stdout).unwrap();
    assert_eq!(report["files"], 1);
    assert_eq!(report["findings"][0]["path"], "apis/piped.xs");
    assert_eq!(report["findings"][0]["cwe"], "CWE-200");

    let clean = xsguard(
        &dir,
        &["check", "--select", "XS0,XS301", "-"],
        Some("api_group a {\n  canonical = \"a\"\n  swagger = {active: false}\n}\n"),
    );
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stdout));

    let quiet = text(
        &xsguard(
            &dir,
            &["check", "--select", "XS0,XS301", "--quiet", "apis"],
            None,
        )
        .stdout,
    );
    assert!(
        quiet.starts_with("apis/shop.xs:3:3: warning XS301") && !quiet.contains("Found"),
        "{quiet}"
    );

    let config = xsguard(
        &dir,
        &[
            "check",
            "--select",
            "XS0,XS301",
            "--config",
            "missing.toml",
            "apis",
        ],
        None,
    );
    assert_eq!(config.status.code(), Some(2));
    std::fs::write(dir.join("x.toml"), "[severity]\nXS301 = \"off\"\n").unwrap();
    assert_eq!(
        xsguard(
            &dir,
            &[
                "check",
                "--select",
                "XS0,XS301",
                "--config",
                "x.toml",
                "apis"
            ],
            None
        )
        .status
        .code(),
        Some(0)
    );
    std::fs::write(dir.join("bad.toml"), "owner-fields = 3\n").unwrap();
    let bad = xsguard(
        &dir,
        &[
            "check",
            "--select",
            "XS0,XS301",
            "--config",
            "bad.toml",
            "apis",
        ],
        None,
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("bad.toml:1:"),
        "{}",
        text(&bad.stderr)
    );
    let _ = std::fs::remove_dir_all(dir);
}
