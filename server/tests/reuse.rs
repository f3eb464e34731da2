//! The language server checks an edited document object by object and keeps the findings of
//! the endpoints an edit did not touch (`host::reuse`). These tests hold both to what checking
//! the whole text afresh finds:
//!
//! - every carried file, the corpus when present, and whole apps written as one file (objects
//!   that point at each other within the file), checked object by object, give the findings of
//!   `check_file`;
//! - a document of many objects edited at places all through it (typing, new lines, a brace
//!   that breaks the rest, inside endpoints, functions and tables) gives after every edit the
//!   findings of `check_file` on the text as it then is.

mod common;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};
use xsguard::host::check::{check_file, check_file_at_once, check_objects, parse_source};
use xsguard::lsp::convert::{self, Encoding};
use xsguard::lsp::documents::Document;
use xsguard::lsp::engine::Engine;
use xsguard::rules::RuleSelection;
use xsguard::workspace::{Config, Workspace};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// One app as one file: every file of `dir` one after the other.
fn app_as_one_file(dir: &Path) -> String {
    common::xs_sources(dir, dir)
        .into_iter()
        .map(|s| String::from_utf8_lossy(&s.bytes).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rule fixtures of each rule as one file.
fn fixtures_as_one_file_per_rule() -> Vec<(String, String)> {
    let dir = root().join("server/tests/fixtures/rules");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            out.push((format!("{name}-all.xs"), app_as_one_file(&path)));
        }
    }
    out.sort();
    out
}

#[test]
fn objects_one_at_a_time_find_what_the_whole_file_finds() {
    let mut sources = Vec::new();
    for dir in ["examples", "server/tests/fixtures"] {
        sources.extend(common::xs_sources(&root().join(dir), root()));
    }
    if let Some(corpus) = common::corpus_dir() {
        sources.extend(common::xs_sources(&corpus, &corpus));
    }
    let mut joined = vec![(
        "shop-all.xs".to_string(),
        app_as_one_file(&root().join("examples/shop")),
    )];
    joined.extend(fixtures_as_one_file_per_rule());
    sources.extend(
        joined
            .into_iter()
            .map(|(path, text)| xsguard::host::check::Source {
                path,
                bytes: text.into_bytes(),
            }),
    );
    assert!(sources.len() > 400, "the carried files are found");
    let selection = RuleSelection::all();
    let mut objects = 0;
    for source in &sources {
        let parsed = parse_source(source);
        objects += parsed.model.model.objects.len();
        let ws = Workspace::single(parsed.model.clone(), Config::default());
        let whole = check_file(&parsed.model, &parsed.syntax, &ws, &selection);
        let (one_by_one, _) =
            check_objects(&parsed.model, &parsed.syntax, &ws, &selection, &mut |_| {
                None
            });
        assert_eq!(
            one_by_one.findings, whole.findings,
            "{}: findings differ when checked object by object",
            source.path
        );
        assert_eq!(one_by_one.suppressed, whole.suppressed, "{}", source.path);
    }
    assert!(objects > sources.len(), "some files hold several objects");
}

#[test]
fn a_large_file_checked_in_parallel_finds_what_one_pass_finds() {
    // The files of the example app and of the rule fixtures that parse cleanly, one after the
    // other, as many times as it takes.
    let mut parts = Vec::new();
    for dir in ["examples", "server/tests/fixtures/rules"] {
        for source in common::xs_sources(&root().join(dir), root()) {
            let text = String::from_utf8_lossy(&source.bytes).into_owned();
            if !xsguard::syntax::parse(text.as_str())
                .tree()
                .root_node()
                .has_error()
            {
                parts.push(text);
            }
        }
    }
    let once = parts.join("\n");
    let mut text = String::new();
    while text.matches("\n}").count() < 300 {
        text.push_str(&once);
        text.push('\n');
    }
    let source = xsguard::host::check::Source {
        path: "large.xs".to_string(),
        bytes: text.into_bytes(),
    };
    let parsed = parse_source(&source);
    assert!(
        parsed.model.model.objects.len() >= 256,
        "{} objects: too few for the parallel path",
        parsed.model.model.objects.len()
    );
    let ws = Workspace::single(parsed.model.clone(), Config::default());
    let selection = RuleSelection::all();
    let parallel = check_file(&parsed.model, &parsed.syntax, &ws, &selection);
    let at_once = check_file_at_once(&parsed.model, &parsed.syntax, &ws, &selection);
    assert!(parallel.findings.len() > 100, "{}", parallel.findings.len());
    assert_eq!(parallel.findings, at_once.findings);
    assert_eq!(parallel.suppressed, at_once.suppressed);
}

/// An edit at `at`: insert `text`, or delete `delete` bytes.
struct Edit {
    at: usize,
    delete: usize,
    text: &'static str,
}

fn change(doc: &Document, edit: &Edit) -> TextDocumentContentChangeEvent {
    let index = doc.syntax().line_index();
    let start = convert::position(index, edit.at, Encoding::Utf16);
    let end: Position = convert::position(index, edit.at + edit.delete, Encoding::Utf16);
    TextDocumentContentChangeEvent {
        range: Some(Range::new(start, end)),
        range_length: None,
        text: edit.text.to_string(),
    }
}

#[test]
fn edits_all_through_a_document_keep_its_findings_exact() {
    let text = app_as_one_file(&root().join("examples/shop"));
    let path = "/xsguard-reuse/app.xs";
    let uri = Uri::from_str(&format!("file://{path}")).unwrap();
    let engine = Engine::new(Arc::default());
    let mut doc = Document::new(uri, 1, 1, text.clone());
    engine.analyze(vec![doc.snapshot()]);
    let selection = RuleSelection::all();

    // Places spread through the text, each at the start of a word so that typing there
    // renames something (a table, a variable, an attribute).
    let starts: Vec<usize> = text
        .char_indices()
        .zip(text.chars().skip(1))
        .filter(|((_, c), next)| !c.is_alphanumeric() && next.is_alphanumeric())
        .map(|((i, c), _)| i + c.len_utf8())
        .collect();
    let step = (starts.len() / 40).max(1);
    let mut version = 1;
    let mut reused_somewhere = false;
    for &at in starts.iter().step_by(step) {
        // Type a letter, break the file with a brace, add a line; each time take it back.
        for inserted in ["x", "}", "\n"] {
            let edit = Edit {
                at,
                delete: 0,
                text: inserted,
            };
            let undo = Edit {
                at,
                delete: 1,
                text: "",
            };
            for e in [edit, undo] {
                version += 1;
                let event = change(&doc, &e);
                doc.apply_changes(version, &[event], Encoding::Utf16);
                let snapshot = doc.snapshot();
                let outcome = engine.analyze(vec![snapshot.clone()]);
                let analysis = &outcome.analyses[0];
                let expected = engine.read(|index| {
                    let ws = &index.project_for(path).ws;
                    check_file(&snapshot.file, &snapshot.syntax, ws, &selection)
                });
                assert_eq!(
                    analysis.findings, expected.findings,
                    "after inserting {:?} / deleting {} at {at} (version {version})",
                    e.text, e.delete
                );
                reused_somewhere |= analysis.reused_objects() > 0;
            }
        }
    }
    assert!(reused_somewhere, "findings were kept across edits");
}

/// A function's findings depend on what its callers pass it, and an api group's on the
/// endpoints that join it: edits of an endpoint must check them again, and edits of a
/// function the endpoints that call it.
#[test]
fn edits_of_an_endpoint_recheck_the_function_and_group_it_reaches() {
    let text = r#"api_group "Public API" {
  canonical = "public-api"
  cors = {
    mode       : "custom"
    origins    : ["*"]
    headers    : ["Content-Type"]
    credentials: false
    max_age    : 600
  }
}

query "catalogue" verb=GET {
  api_group = "Public API"
  input {
    text q
  }

  stack {
    function.run "catalogue/search" {
      input = {term: $input.q}
    } as $items
  }

  response = $items
}

function "catalogue/search" {
  input {
    text term
    int limit?=20
  }

  stack {
    db.direct_query {
      sql = "SELECT * FROM x1_9 WHERE title ILIKE '%" ~ $input.term ~ "%' LIMIT " ~ $input.limit
      response_type = "list"
    } as $items
  }

  response = $items
}
"#;
    let path = "/xsguard-reuse/catalogue.xs";
    let uri = Uri::from_str(&format!("file://{path}")).unwrap();
    let engine = Engine::new(Arc::default());
    // A second file makes this a workspace, where a function's inputs are what its callers
    // pass (checked alone, a function's inputs count as the request's).
    let table = "table item {\n  schema {\n    int id\n    text title\n  }\n}\n";
    let mut other = Document::new(
        Uri::from_str("file:///xsguard-reuse/item.xs").unwrap(),
        1,
        1,
        table.to_string(),
    );
    engine.analyze(vec![other.snapshot()]);
    let mut doc = Document::new(uri, 1, 1, text.to_string());
    let first = engine.analyze(vec![doc.snapshot()]).analyses[0]
        .findings
        .clone();
    let selection = RuleSelection::all();
    let mut version = 1;
    let mut changed_elsewhere = false;
    for (find, replace) in [
        ("{term: $input.q}", "{term: \"shoes\"}"),
        ("{term: \"shoes\"}", "{term: $input.q}"),
        ("verb=GET", "verb=DELETE"),
        ("verb=DELETE", "verb=GET"),
        ("api_group = \"Public API\"", "api_group = \"Other\""),
        ("api_group = \"Other\"", "api_group = \"Public API\""),
        // And an edit of the function, the endpoint's findings.
        ("db.direct_query {", "db.query item {"),
        ("db.query item {", "db.direct_query {"),
    ] {
        let current = doc.text();
        let at = current.find(find).unwrap();
        version += 1;
        let event = change(
            &doc,
            &Edit {
                at,
                delete: find.len(),
                text: replace,
            },
        );
        doc.apply_changes(version, &[event], Encoding::Utf16);
        let snapshot = doc.snapshot();
        let analysis = engine.analyze(vec![snapshot.clone()]).analyses[0].clone();
        let expected = engine.read(|index| {
            let ws = &index.project_for(path).ws;
            check_file(&snapshot.file, &snapshot.syntax, ws, &selection)
        });
        assert_eq!(
            analysis.findings, expected.findings,
            "after replacing {find:?} with {replace:?}"
        );
        // Some edit of the endpoint changed what is found outside it.
        let query = snapshot.file.model.objects[1].span.clone();
        let outside = |findings: &[xsguard::Finding]| -> Vec<String> {
            findings
                .iter()
                .filter(|f| !query.contains(&f.range.start))
                .map(|f| format!("{} {} {:?}", f.code, f.message, f.fixes))
                .collect()
        };
        changed_elsewhere |= outside(&analysis.findings) != outside(&first);
    }
    assert!(
        changed_elsewhere,
        "the edits change findings of the function or the group"
    );
}
