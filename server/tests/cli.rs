//! End-to-end tests of `xsguard check`: the real binary on fixture files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/syntax")
}

mod common;
use common::xsguard_in;

fn xsguard(args: &[&str]) -> Output {
    xsguard_in(&fixtures(), args)
}

fn status(output: &Output) -> i32 {
    output.status.code().expect("xsguard exits normally")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON document")
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().expect("findings is an array")
}

/// `(path, line, column, message)` of each finding.
fn summary(report: &Value) -> Vec<(String, u64, u64, String)> {
    findings(report)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["range"]["start"]["line"].as_u64().unwrap(),
                f["range"]["start"]["column"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn valid_file_passes() {
    let output = xsguard(&["check", "valid_endpoint.xs"]);
    assert_eq!(status(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), "Checked 1 file: all checks passed.\n");
    assert_eq!(stderr(&output), "");

    let report = json(&xsguard(&[
        "check",
        "--format",
        "json",
        "valid_endpoint.xs",
    ]));
    assert_eq!(
        report,
        serde_json::json!({
            "version": 1,
            "files": 1,
            "isolated": false,
            "fixable": {"safe": 0, "unsafe": 0},
            "findings": []
        })
    );
}

#[test]
fn json_report_of_the_fixture_directory() {
    let output = xsguard_in(
        &fixtures().join(".."),
        &["check", "--format", "json", "syntax"],
    );
    assert_eq!(status(&output), 1, "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["version"], 1);
    assert_eq!(report["files"], 5);
    assert_eq!(
        summary(&report),
        vec![
            (
                "syntax/deleted_brace.xs".to_owned(),
                10,
                9,
                "unclosed `{` opened at 10:9".to_owned()
            ),
            (
                "syntax/missing_equals.xs".to_owned(),
                7,
                24,
                "unexpected `trim` after `filters`; expected `=`".to_owned()
            ),
            (
                "syntax/not_utf8.xs".to_owned(),
                1,
                1,
                "file is not valid UTF-8 (first invalid byte at 1:7); invalid bytes were read as U+FFFD"
                    .to_owned()
            ),
            (
                "syntax/stray_token.xs".to_owned(),
                9,
                35,
                "unexpected `&` after `1.2`".to_owned()
            ),
        ]
    );
    let first = &findings(&report)[0];
    assert_eq!(
        first,
        &serde_json::json!({
            "path": "syntax/deleted_brace.xs",
            "range": {"start": {"line": 10, "column": 9}, "end": {"line": 10, "column": 10}},
            "code": "XS000",
            "name": "syntax-error",
            "severity": "error",
            "message": "unclosed `{` opened at 10:9",
            "fixes": []
        })
    );
    let missing_equals = &findings(&report)[1];
    assert_eq!(missing_equals["range"]["end"]["column"], 28);
}

#[test]
fn human_report_shape() {
    let output = xsguard(&["check", "missing_equals.xs", "deleted_brace.xs"]);
    assert_eq!(status(&output), 1);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    // Sorted by path: deleted_brace.xs comes first although it was named second.
    assert_eq!(
        lines[0],
        "deleted_brace.xs:10:9: error XS000 unclosed `{` opened at 10:9"
    );
    assert!(
        lines.contains(
            &"missing_equals.xs:7:24: error XS000 unexpected `trim` after `filters`; expected `=`"
        ),
        "{text}"
    );
    // The excerpt shows the source line and marks the range.
    assert!(text.contains("10 |   stack {"), "{text}");
    assert!(text.contains("    text title filters trim"), "{text}");
    assert!(text.contains("^^^^"), "{text}");
    assert_eq!(
        lines.last(),
        Some(&"Checked 2 files: found 2 problems in 2 files.")
    );
    assert!(!text.contains('\u{1b}'), "no color when NO_COLOR is set");
}

#[test]
fn single_problem_summary_is_singular() {
    let output = xsguard(&["check", "stray_token.xs"]);
    assert_eq!(status(&output), 1);
    assert!(stdout(&output).ends_with("\nChecked 1 file: found 1 problem in 1 file.\n"));
}

#[test]
fn non_utf8_file_is_reported_and_still_parsed() {
    let report = json(&xsguard(&["check", "--format", "json", "not_utf8.xs"]));
    let findings = findings(&report);
    assert_eq!(
        findings.len(),
        1,
        "the rest of the file parses: {findings:?}"
    );
    assert_eq!(findings[0]["code"], "XS000");
    assert_eq!(
        findings[0]["range"]["start"],
        serde_json::json!({"line": 1, "column": 1})
    );
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("file is not valid UTF-8")
    );
}

#[test]
fn select_and_ignore() {
    let args = [
        "check",
        "--format",
        "json",
        "stray_token.xs",
        "deleted_brace.xs",
    ];
    let all = json(&xsguard(&args));
    assert_eq!(findings(&all).len(), 2);

    for selection in [
        ["--select", "XS000"],
        ["--select", "XS0"],
        ["--select", "ALL"],
        ["--select", "xs"],
    ] {
        let output = xsguard(&[&args[..], &selection[..]].concat());
        assert_eq!(status(&output), 1);
        assert_eq!(json(&output), all, "{selection:?}");
    }

    let output = xsguard(&[&args[..], &["--ignore", "XS000"][..]].concat());
    assert_eq!(status(&output), 0);
    let report = json(&output);
    assert_eq!(report["files"], 2);
    assert!(findings(&report).is_empty());

    // The more specific selector wins.
    let output = xsguard(&[&args[..], &["--select", "XS000", "--ignore", "XS"][..]].concat());
    assert_eq!(findings(&json(&output)).len(), 2);
    let output = xsguard(&[&args[..], &["--select", "XS", "--ignore", "XS000"][..]].concat());
    assert_eq!(status(&output), 0);
}

#[test]
fn unknown_rule_code_is_a_usage_error() {
    let output = xsguard(&["check", "--select", "XS9", "valid_endpoint.xs"]);
    assert_eq!(status(&output), 2);
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).starts_with("xsguard: error: unknown rule selector `XS9`"),
        "{}",
        stderr(&output)
    );
    let output = xsguard(&["check", "--ignore", "XS000,bogus", "valid_endpoint.xs"]);
    assert_eq!(status(&output), 2);
    assert!(stderr(&output).contains("`bogus`"));
}

#[test]
fn nonexistent_path_is_an_io_error() {
    let output = xsguard(&["check", "no_such_file.xs"]);
    assert_eq!(status(&output), 2);
    assert_eq!(
        stderr(&output).lines().next(),
        Some(
            "xsguard: error: cannot read `no_such_file.xs`: No such file or directory (os error 2)"
        )
    );
    assert!(!stdout(&output).contains("All checks passed"));

    // Readable paths are still checked and reported; the status stays 2.
    let output = xsguard(&[
        "check",
        "--format",
        "json",
        "no_such_file.xs",
        "stray_token.xs",
    ]);
    assert_eq!(status(&output), 2);
    assert_eq!(findings(&json(&output)).len(), 1);
}

#[test]
fn empty_folders_and_paths_without_xs_files_are_errors() {
    let dir = scratch_dir("empty");
    std::fs::create_dir_all(dir.join("nothing")).unwrap();
    std::fs::write(dir.join("notes.txt"), "not XanoScript").unwrap();
    for (args, message) in [
        (
            &["check", "nothing"][..],
            "xsguard: error: no .xs files in `nothing`",
        ),
        (&["check", "."][..], "xsguard: error: no .xs files in `.`"),
        (
            &["audit", "nothing"][..],
            "xsguard: error: no .xs files in `nothing`",
        ),
        (
            &["fix", "nothing"][..],
            "xsguard: error: no .xs files in `nothing`",
        ),
        (
            &["check", "missing"][..],
            "xsguard: error: cannot read `missing`: No such file or directory (os error 2)",
        ),
    ] {
        let output = xsguard_in(&dir, args);
        assert_eq!(status(&output), 2, "{args:?}");
        assert_eq!(stderr(&output).lines().next(), Some(message), "{args:?}");
        assert_eq!(
            stdout(&output),
            "",
            "{args:?}: nothing may look like a clean run"
        );
    }
    // A folder of only links that lead nowhere says so.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("gone.xs"), dir.join("nothing/link.xs")).unwrap();
        let output = xsguard_in(&dir, &["check", "nothing"]);
        assert_eq!(status(&output), 2);
        assert!(
            stderr(&output)
                .contains("warning: skipped `nothing/link.xs`: the link points to nothing"),
            "{}",
            stderr(&output)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn settings_that_name_nothing_are_warned_about_with_their_place() {
    let dir = scratch_dir("typos");
    std::fs::create_dir_all(dir.join("tables")).unwrap();
    std::fs::write(
        dir.join("tables/user.xs"),
        "table user {\n  auth = true\n  schema {\n    int id\n  }\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("xsguard.toml"),
        "# owners\nauth-tables = [\"user\", \"usr\"]\n",
    )
    .unwrap();
    let output = xsguard_in(&dir, &["check", "tables"]);
    assert_eq!(status(&output), 0, "{}", stderr(&output));
    let config = std::fs::canonicalize(dir.join("xsguard.toml")).unwrap();
    assert_eq!(
        stderr(&output),
        format!(
            "xsguard: warning: {}:2:25: `auth-tables` names `usr`, which no table of the workspace defines (did you mean `user`?)\n",
            config.display()
        )
    );
    // A settings file that is a folder is an error, not something to pass over.
    std::fs::remove_file(dir.join("xsguard.toml")).unwrap();
    std::fs::create_dir_all(dir.join("xsguard.toml")).unwrap();
    let output = xsguard_in(&dir, &["check", "tables"]);
    assert_eq!(status(&output), 2);
    assert!(
        stderr(&output).contains("xsguard.toml: cannot read the file"),
        "{}",
        stderr(&output)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn color_is_forced_by_force_color_and_off_by_default_in_pipes() {
    let colored = Command::new(env!("CARGO_BIN_EXE_xsguard"))
        .args(["check", "stray_token.xs"])
        .current_dir(fixtures())
        .env("FORCE_COLOR", "1")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&colored.stdout).contains('\u{1b}'));
    let plain = Command::new(env!("CARGO_BIN_EXE_xsguard"))
        .args(["check", "stray_token.xs"])
        .current_dir(fixtures())
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains('\u{1b}'));
}

#[test]
fn clap_usage_errors_exit_with_2() {
    for args in [
        &["check", "--format", "xml", "valid_endpoint.xs"][..],
        &["check", "--no-such-flag"][..],
        &["frobnicate"][..],
        &[][..],
    ] {
        let output = xsguard(args);
        assert_eq!(status(&output), 2, "{args:?}");
        assert!(!stderr(&output).is_empty(), "{args:?}");
    }
    let help = xsguard(&["check", "--help"]);
    assert_eq!(status(&help), 0);
    assert!(stdout(&help).contains("--select"));
}

/// A scratch directory, empty on return. Outside the repository: a folder inside it would be
/// checked as part of the repository's workspace.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xsguard-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The tree is built at run time: a committed `.gitignore` would keep git itself from
/// committing the file it excludes.
#[test]
fn directories_honour_gitignore_and_take_only_xs_files() {
    let root = scratch_dir("gitignore-tree");
    let project = root.join("project");
    let copy = |fixture: &str, to: &str| {
        let target = project.join(to);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(fixtures().join(fixture), target).unwrap();
    };
    copy("valid_endpoint.xs", "apis/shop/orders_GET.xs");
    copy("stray_token.xs", "functions/with_tax.xs");
    copy("deleted_brace.xs", "apis/shop/draft.xs");
    copy("deleted_brace.xs", "notes.txt");
    copy("deleted_brace.xs", ".hidden/old.xs");
    std::fs::write(project.join(".gitignore"), "# scratch work\ndraft.xs\n").unwrap();

    let output = xsguard_in(&root, &["check", "--format", "json", "project"]);
    assert_eq!(status(&output), 1, "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(
        report["files"], 2,
        "only the two visible, non-ignored .xs files"
    );
    assert_eq!(
        summary(&report),
        vec![(
            "project/functions/with_tax.xs".to_owned(),
            9,
            35,
            "unexpected `&` after `1.2`".to_owned()
        )]
    );

    // A file named on the command line is checked even when ignored or not ending in `.xs`.
    let output = xsguard_in(
        &root,
        &[
            "check",
            "--format",
            "json",
            "project/apis/shop/draft.xs",
            "project/notes.txt",
        ],
    );
    let report = json(&output);
    assert_eq!(report["files"], 2);
    let paths: Vec<String> = summary(&report).into_iter().map(|f| f.0).collect();
    assert_eq!(paths, ["project/apis/shop/draft.xs", "project/notes.txt"]);

    // Naming a file twice, or a file inside a named directory, checks it once.
    let output = xsguard_in(
        &root,
        &[
            "check",
            "--format",
            "json",
            "project",
            "project/functions/with_tax.xs",
        ],
    );
    assert_eq!(json(&output)["files"], 2);
}

#[test]
fn garbage_input_never_crashes() {
    let root = scratch_dir("garbage");
    let inputs: [&[u8]; 7] = [
        b"",
        b"\xff\xfe\x00\x01{{{{",
        b"}}}}]]]))))",
        b"query \"\"\"\n{\n",
        "😀 query x { \u{0} }".as_bytes(),
        b"query x verb=GET {\r\n  response = \"a\r\n}\r\n",
        b"\"\"\"",
    ];
    for (i, bytes) in inputs.iter().enumerate() {
        std::fs::write(root.join(format!("g{i}.xs")), bytes).unwrap();
    }
    let output = xsguard_in(&root, &["check", "--format", "json", "."]);
    assert!(matches!(status(&output), 0 | 1), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["files"], inputs.len());
    for finding in findings(&report) {
        let start = &finding["range"]["start"];
        assert!(start["line"].as_u64().unwrap() >= 1);
        assert!(start["column"].as_u64().unwrap() >= 1);
    }
    let output = xsguard_in(&root, &["check", "."]);
    assert!(matches!(status(&output), 0 | 1), "{}", stderr(&output));
}
