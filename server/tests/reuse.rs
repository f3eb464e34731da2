//! The language server checks an edited document object by object and keeps the findings of
//! the endpoints an edit did not touch (`lsp::reuse`). These tests hold both to what checking
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
use xsguard::check::{check_file, check_objects, parse_source};
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
            .map(|(path, text)| xsguard::check::Source {
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
        // Type a letter and take it back, break the file with a brace and mend it, add a line.
        for (edit, undo) in [
            (
                Edit {
                    at,
                    delete: 0,
                    text: "x",
                },
                Edit {
                    at,
                    delete: 1,
                    text: "",
                },
            ),
            (
                Edit {
                    at,
                    delete: 0,
                    text: "}",
                },
                Edit {
                    at,
                    delete: 1,
                    text: "",
                },
            ),
            (
                Edit {
                    at,
                    delete: 0,
                    text: "\n",
                },
                Edit {
                    at,
                    delete: 1,
                    text: "",
                },
            ),
        ] {
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
