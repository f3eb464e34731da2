//! A file checked alone, or a folder of an app, gets the findings the whole-app check gives
//! it: the command line finds the app's workspace from the path and reads the rest of it for
//! context.
//!
//! Checked for every endpoint file of the example app and of three corpus apps (when the
//! corpus is present), and for each app's `apis/` folder.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

mod common;
use common::{corpus_dir, xs_paths};

/// Runs `xsguard check --format json` in-process on `path`; returns the findings by file, with
/// related places resolved (they are named as seen from where the check ran).
fn findings(path: &Path, extra: &[&str]) -> BTreeMap<String, Vec<Value>> {
    let mut args = vec!["xsguard", "check", "--format", "json"];
    args.extend_from_slice(extra);
    let path = path.to_str().unwrap();
    args.push(path);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = xsguard::cli::run(args, &mut out, &mut err, false);
    assert!(
        status < 2,
        "check {path} failed: {}",
        String::from_utf8_lossy(&err)
    );
    let report: Value = serde_json::from_slice(&out).unwrap();
    let mut by_file: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for mut finding in report["findings"].as_array().unwrap().clone() {
        for related in finding["related"].as_array_mut().into_iter().flatten() {
            let resolved = std::fs::canonicalize(related["path"].as_str().unwrap()).unwrap();
            related["path"] = Value::String(resolved.display().to_string());
        }
        by_file
            .entry(finding["path"].as_str().unwrap().to_string())
            .or_default()
            .push(finding);
    }
    by_file
}

/// Every file of `app/apis` alone, and `app/apis` as a folder, against the whole app.
/// Returns (files checked alone, findings compared).
fn same_as_whole_app(app: &Path) -> (usize, usize) {
    let app = std::fs::canonicalize(app).unwrap();
    let whole = findings(&app, &[]);
    let apis = app.join("apis");
    let mut compared = 0;
    let endpoints = xs_paths(&apis);
    assert!(
        !endpoints.is_empty(),
        "{} has no apis/ files",
        app.display()
    );
    for file in &endpoints {
        let key = file.display().to_string();
        let alone = findings(file, &[]);
        let expected = whole.get(&key).cloned().unwrap_or_default();
        let got = alone.get(&key).cloned().unwrap_or_default();
        assert_eq!(
            got, expected,
            "{key}: checked alone gives other findings than in the whole app"
        );
        compared += expected.len();
    }
    let folder = findings(&apis, &[]);
    for (key, expected) in whole
        .iter()
        .filter(|(k, _)| Path::new(k).starts_with(&apis))
    {
        assert_eq!(
            folder.get(key),
            Some(expected),
            "{key}: `check apis` gives other findings than the whole app"
        );
    }
    (endpoints.len(), compared)
}

#[test]
fn the_example_app_from_any_entry_point() {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/shop");
    let (files, compared) = same_as_whole_app(&app);
    assert!(
        files >= 10 && compared >= 10,
        "{files} files, {compared} findings"
    );

    // The endpoint that returns a user record needs `tables/user.xs` to be known.
    let me = std::fs::canonicalize(app.join("apis/shop/me_GET.xs")).unwrap();
    let codes = |by_file: &BTreeMap<String, Vec<Value>>| -> Vec<String> {
        by_file
            .values()
            .flatten()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(codes(&findings(&me, &[])).contains(&"XS202".to_string()));
    assert!(!codes(&findings(&me, &["--isolated"])).contains(&"XS202".to_string()));
}

#[test]
fn three_corpus_apps_from_any_entry_point() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("corpus not present; skipped");
        return;
    };
    for app in [
        "jake-xano+bookmarks",
        "corewebsolutions+The-Daily-Drip",
        "betop+JobBoost",
    ] {
        let (files, compared) = same_as_whole_app(&corpus.join(app));
        eprintln!("{app}: {files} files checked alone, {compared} findings compared");
        assert!(compared > 0, "{app}: no findings to compare");
    }
}
