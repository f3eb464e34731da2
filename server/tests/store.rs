//! Differential tests of the LSP document store: random `didChange` sequences applied to real
//! files must leave the text, the syntax tree, the model and the findings exactly as a fresh
//! open of the final text would, after every step.
//!
//! Each case opens one file (the examples, the rule and syntax fixtures, the grammar's samples,
//! and the shared corpus beside the checkout when present), negotiates UTF-8 or UTF-16
//! positions, and sends up to 10 `didChange`s of 1–5 changes each, as an editor does: ranged
//! inserts, deletes and replacements (multi-byte characters, CRLF, pasted pieces of the file),
//! positions past the end of a line or of the text, inside a character or a surrogate pair,
//! reversed ranges, and now and then a whole-text replacement. Every change is applied to a
//! plain string as well, by an independent implementation of the protocol's rules, and after
//! each `didChange`:
//!
//! - the document's text equals that string, and so does the tree's;
//! - the tree equals a fresh parse: same S-expression, same byte ranges and points for every
//!   node (right after the reparse when it has no syntax error; otherwise once analysis asked
//!   for it, as a tree with errors is then parsed whole); it was never rebuilt behind the
//!   scenes ([`Document::resyncs`] stays 0);
//! - the model, the syntax errors and the findings (with their LSP diagnostics) equal those of
//!   the final text opened afresh;
//! - the documents thread ([`DocumentStore`], as `didChange` reaches it) holds the same text and
//!   model.
//!
//! `PROPTEST_CASES` sets the number of cases; `XSGUARD_LONG=1` runs 1,000 instead of 48.
//! Failures are kept in `tests/store.proptest-regressions`.

mod common;

use std::path::Path;
use std::sync::{Arc, LazyLock, OnceLock};

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};
use xsguard::lsp::convert::Encoding;
use xsguard::lsp::documents::{Document, DocumentStore, Snapshot};
use xsguard::lsp::engine::Engine;
use xsguard::syntax::{SyntaxTree, parse};

/// The files edits start from: every `.xs` file the repository carries, then the shared corpus
/// when present.
static FILES: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in [
        "examples",
        "server/tests/fixtures",
        "tree-sitter-xanoscript/test/samples",
    ] {
        collect(&root.join(dir), &root, &mut files);
    }
    let carried = files.len();
    assert!(carried > 100, "the repository's fixtures are found");
    if let Some(corpus) = common::corpus_dir() {
        collect(&corpus, &corpus, &mut files);
    }
    eprintln!(
        "{carried} carried files, {} corpus files",
        files.len() - carried
    );
    files
});

/// The `.xs` files under `dir` that are UTF-8, named relative to `root`.
fn collect(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    out.extend(
        common::xs_sources(dir, root)
            .into_iter()
            .filter_map(|s| Some((s.path, String::from_utf8(s.bytes).ok()?))),
    );
}

/// Where a change starts or ends.
#[derive(Clone, Debug)]
enum Point {
    /// The position of a byte offset (`selector` modulo the length, moved back to a character
    /// boundary), optionally with a few columns added, which may go past the end of the line or
    /// into the middle of a character.
    Offset { selector: u32, extra: u32 },
    /// A raw line and column, often far past the text.
    Raw { line: u32, column: u32 },
}

#[derive(Clone, Debug)]
enum End {
    /// An insertion.
    Same,
    /// Up to this many bytes after the start.
    After(u32),
    /// Anywhere, possibly before the start.
    Elsewhere(Point),
}

#[derive(Clone, Debug)]
enum Change {
    Ranged {
        start: Point,
        end: End,
        text: Text,
    },
    /// The whole text replaced.
    Full(Text),
}

#[derive(Clone, Debug)]
enum Text {
    Literal(String),
    /// Bytes `start..start+len` of the text before the change (moved to character
    /// boundaries): a paste of a piece of the file.
    Copy {
        start: u32,
        len: u32,
    },
}

fn point() -> impl Strategy<Value = Point> {
    prop_oneof![
        6 => (any::<u32>(), prop_oneof![4 => Just(0u32), 1 => 0u32..4, 1 => 0u32..200])
            .prop_map(|(selector, extra)| Point::Offset { selector, extra }),
        1 => (
            prop_oneof![0u32..8, 0u32..400, Just(u32::MAX)],
            prop_oneof![0u32..8, 0u32..200, Just(u32::MAX)],
        )
            .prop_map(|(line, column)| Point::Raw { line, column }),
    ]
}

fn literal() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "",
        "{",
        "}",
        "\n",
        "\r\n",
        "\r",
        " ",
        "  ",
        "=",
        "\"",
        "'",
        "`",
        "$",
        "|",
        ":",
        "(",
        ")",
        "[",
        "]",
        ",",
        "é",
        "名前",
        "😀",
        "👍🏽",
        "\u{feff}",
        "\0",
        "\t",
        "// note\n",
        "\"\"\"\n",
        "db.get user {\n",
        "field_value = $auth.id\n",
        "query q verb=GET {\n",
        "stack {\r\n",
        "  }\r\n",
        "response = $x\n",
        "auth = \"user\"\n",
        "|trim|to_int",
        " as $v",
        "api_group g {\n",
        "table t {\n  schema {\n    int id\n  }\n}\n",
        "text name?\n",
        "input {\n",
    ]);
    prop_oneof![
        4 => prop::collection::vec(pieces, 0..5).prop_map(|v| v.concat()),
        1 => "(\\PC|\r\n|\n|\r){0,16}",
    ]
}

fn text() -> impl Strategy<Value = Text> {
    prop_oneof![
        5 => literal().prop_map(Text::Literal),
        1 => (any::<u32>(), 0u32..300).prop_map(|(start, len)| Text::Copy { start, len }),
    ]
}

fn change() -> impl Strategy<Value = Change> {
    let end = prop_oneof![
        3 => Just(End::Same),
        5 => prop_oneof![0u32..8, 0u32..80, 0u32..2000].prop_map(End::After),
        1 => point().prop_map(End::Elsewhere),
    ];
    prop_oneof![
        40 => (point(), end, text()).prop_map(|(start, end, text)| Change::Ranged { start, end, text }),
        1 => text().prop_map(Change::Full),
    ]
}

/// The largest character boundary at or before `offset`.
fn floor(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn units(ch: char, encoding: Encoding) -> u32 {
    match encoding {
        Encoding::Utf8 => ch.len_utf8() as u32,
        Encoding::Utf16 => ch.len_utf16() as u32,
    }
}

/// The lines of `text` as the protocol positions see them (LSP 3.17): a line ends at `\n`,
/// `\r\n` or a lone `\r`. Each as (start, end of content).
fn lines(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let ending = match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => 2,
            b'\r' | b'\n' => 1,
            _ => 0,
        };
        if ending == 0 {
            i += 1;
            continue;
        }
        out.push((start, i));
        i += ending;
        start = i;
    }
    out.push((start, text.len()));
    out
}

/// The byte offset of a position, written independently of the server: a line past the end is
/// the end of the text, a column past the end of a line is the end of its content, a column
/// inside a character is that character's start.
fn reference_offset(text: &str, position: Position, encoding: Encoding) -> usize {
    let lines = lines(text);
    let Some(&(start, end)) = lines.get(position.line as usize) else {
        return text.len();
    };
    let mut counted = 0u32;
    for (i, ch) in text[start..end].char_indices() {
        if position.character < counted + units(ch, encoding) {
            return start + i;
        }
        counted += units(ch, encoding);
    }
    end
}

/// The position of a byte offset (a character boundary not inside a line ending), plus
/// `extra` columns.
fn position_of(text: &str, offset: usize, extra: u32, encoding: Encoding) -> Position {
    let all = lines(text);
    let line = all
        .iter()
        .rposition(|(start, _)| *start <= offset)
        .unwrap_or(0);
    let line_start = all[line].0;
    let line = line as u32;
    let column: u32 = text[line_start..offset]
        .chars()
        .map(|c| units(c, encoding))
        .sum();
    Position::new(line, column.saturating_add(extra))
}

fn resolve(point: &Point, text: &str, encoding: Encoding) -> Position {
    match *point {
        Point::Offset { selector, extra } => {
            let offset = floor(text, selector as usize % (text.len() + 1));
            position_of(text, offset, extra, encoding)
        }
        Point::Raw { line, column } => Position::new(line, column),
    }
}

/// The protocol change a generated change stands for, against `text`.
fn event(change: &Change, text: &str, encoding: Encoding) -> TextDocumentContentChangeEvent {
    let literal = |t: &Text| match t {
        Text::Literal(s) => s.clone(),
        Text::Copy { start, len } => {
            let start = floor(text, *start as usize % (text.len() + 1));
            let end = floor(text, start + *len as usize).max(start);
            text[start..end].to_string()
        }
    };
    match change {
        Change::Full(t) => TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: literal(t),
        },
        Change::Ranged {
            start,
            end,
            text: t,
        } => {
            let start = resolve(start, text, encoding);
            let end = match end {
                End::Same => start,
                End::After(len) => {
                    let from = reference_offset(text, start, encoding);
                    let to = floor(text, from + *len as usize);
                    position_of(text, to, 0, encoding)
                }
                End::Elsewhere(point) => resolve(point, text, encoding),
            };
            TextDocumentContentChangeEvent {
                range: Some(Range::new(start, end)),
                range_length: None,
                text: literal(t),
            }
        }
    }
}

/// Applies one change to a plain string.
fn reference_apply(text: &mut String, change: &TextDocumentContentChangeEvent, encoding: Encoding) {
    let Some(range) = change.range else {
        *text = change.text.clone();
        return;
    };
    let a = reference_offset(text, range.start, encoding);
    let b = reference_offset(text, range.end, encoding);
    text.replace_range(a.min(b)..a.max(b), &change.text);
}

/// Every node's kind, byte range, points and flags, in document order.
fn nodes(tree: &SyntaxTree) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = tree.tree().walk();
    'walk: loop {
        let node = cursor.node();
        out.push(format!(
            "{} {:?} {:?}-{:?} e{} m{} x{}",
            node.kind(),
            node.byte_range(),
            node.start_position(),
            node.end_position(),
            node.is_error(),
            node.is_missing(),
            node.is_extra(),
        ));
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    out
}

/// What the user sees of a snapshot: model, syntax errors, findings and diagnostics.
fn observed(engine: &Engine, snapshot: Snapshot) -> String {
    let model = format!("{:?}", snapshot.file.model);
    let syntax = format!("{:?}", snapshot.syntax);
    let outcome = engine.analyze(vec![snapshot]);
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    let analysis = &outcome.analyses[0];
    format!(
        "model: {model}\nsyntax: {syntax}\nfindings: {:#?}\ndiagnostics: {:#?}",
        analysis.findings, analysis.diagnostics
    )
}

fn encoding_lock(encoding: Encoding) -> Arc<OnceLock<Encoding>> {
    let lock = Arc::new(OnceLock::new());
    lock.set(encoding).unwrap();
    lock
}

/// Opens `FILES[file]`, applies `steps` and compares after each.
fn run_case(file: usize, utf8: bool, steps: &[Vec<Change>]) -> Result<(), TestCaseError> {
    let (name, start) = &FILES[file % FILES.len()];
    let encoding = if utf8 {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let uri = Uri::from_file_path(format!("/xsguard-store/{name}")).unwrap();
    let mut doc = Document::new(uri.clone(), 1, 1, start.clone());
    let engine = Engine::new(encoding_lock(encoding));
    observed(&engine, doc.snapshot());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let store = DocumentStore::spawn(encoding_lock(encoding), |_| {});
    store.open(uri.clone(), 1, 1, start.clone());

    let mut text = start.clone();
    for (step, changes) in steps.iter().enumerate() {
        let version = step as i32 + 2;
        let mut events = Vec::new();
        for change in changes {
            let event = event(change, &text, encoding);
            reference_apply(&mut text, &event, encoding);
            events.push(event);
        }
        doc.apply_changes(version, &events, encoding);
        store.change(uri.clone(), version, events.clone());
        let context = || format!("{name}, {encoding:?}, step {step}: {events:#?}");

        prop_assert_eq!(&doc.text(), &text, "text after {}", context());
        prop_assert_eq!(doc.syntax().text(), text.as_str());
        prop_assert_eq!(doc.resyncs(), 0, "tree rebuilt after {}", context());
        let fresh_tree = parse(text.clone());
        // A reparse that leaves no error builds the tree of a whole parse. (With errors, error
        // recovery may take another path than on a whole parse; analysis then gets a whole
        // parse, checked below.)
        if !doc.syntax().tree().root_node().has_error() {
            prop_assert_eq!(
                doc.syntax().tree().root_node().to_sexp(),
                fresh_tree.tree().root_node().to_sexp(),
                "reparsed tree after {}",
                context()
            );
            prop_assert_eq!(
                nodes(doc.syntax()),
                nodes(&fresh_tree),
                "reparsed nodes after {}",
                context()
            );
        }

        let mut fresh = Document::new(uri.clone(), 1, version, text.clone());
        let fresh_engine = Engine::new(encoding_lock(encoding));
        let edited = observed(&engine, doc.snapshot());
        prop_assert_eq!(
            &edited,
            &observed(&fresh_engine, fresh.snapshot()),
            "findings after {}",
            context()
        );
        // The tree analysis saw.
        prop_assert_eq!(
            doc.syntax().tree().root_node().to_sexp(),
            fresh_tree.tree().root_node().to_sexp(),
            "tree after {}",
            context()
        );
        prop_assert_eq!(
            nodes(doc.syntax()),
            nodes(&fresh_tree),
            "nodes after {}",
            context()
        );
        prop_assert_eq!(doc.syntax().line_index(), fresh_tree.line_index());

        let from_store = runtime
            .block_on(store.snapshot(&uri))
            .expect("the document is open");
        prop_assert_eq!(from_store.version, version);
        prop_assert_eq!(&*from_store.file.text, text.as_str());
        prop_assert_eq!(
            format!("{:?}", from_store.file.model),
            format!("{:?}", doc.snapshot().file.model)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: common::cases(48, 1000),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("tests/store.proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn edits_through_the_store_match_a_fresh_open(
        file in any::<usize>(),
        utf8 in any::<bool>(),
        steps in prop::collection::vec(prop::collection::vec(change(), 1..6), 1..11),
    ) {
        run_case(file, utf8, &steps)?;
    }
}

/// The reference position rules agree with the examples the protocol gives.
#[test]
fn reference_positions() {
    let text = "a😀b\r\nxé\n";
    let at = |line, character, encoding| {
        reference_offset(text, Position::new(line, character), encoding)
    };
    assert_eq!(at(0, 3, Encoding::Utf16), 5);
    assert_eq!(at(0, 2, Encoding::Utf16), 1, "inside the surrogate pair");
    assert_eq!(at(0, 99, Encoding::Utf16), 6, "before the CR");
    assert_eq!(at(1, 2, Encoding::Utf8), 9, "inside é");
    assert_eq!(at(1, 3, Encoding::Utf8), 11);
    assert_eq!(at(2, 0, Encoding::Utf8), 12);
    assert_eq!(at(7, 0, Encoding::Utf8), 12);
    assert_eq!(
        position_of(text, 5, 0, Encoding::Utf16),
        Position::new(0, 3)
    );
    assert_eq!(position_of(text, 5, 0, Encoding::Utf8), Position::new(0, 5));
    // A lone `\r` ends a line.
    let text = "a\rb\r\nc";
    let at =
        |line, character| reference_offset(text, Position::new(line, character), Encoding::Utf8);
    assert_eq!((at(1, 0), at(1, 9), at(2, 0)), (2, 3, 5));
    assert_eq!(position_of(text, 2, 0, Encoding::Utf8), Position::new(1, 0));
}

/// A document whose update is still being applied holds up only itself: here the update of
/// `big.xs` is held (its event handler waits) until `small.xs`, opened after it, has answered a
/// snapshot; then `big.xs` answers with every update sent before.
#[test]
fn documents_do_not_wait_for_each_other() {
    let big = Uri::from_file_path("/xsguard-store/big.xs").unwrap();
    let small = Uri::from_file_path("/xsguard-store/small.xs").unwrap();
    let (release, held) = std::sync::mpsc::channel::<()>();
    let held = std::sync::Mutex::new(held);
    let held_uri = big.clone();
    let store = DocumentStore::spawn(encoding_lock(Encoding::Utf16), move |event| {
        if matches!(&event, xsguard::lsp::documents::DocumentEvent::Changed(u) if *u == held_uri) {
            // Waits until the test lets it go (or gives up, so a failing test still ends).
            let _ = held
                .lock()
                .unwrap()
                .recv_timeout(std::time::Duration::from_secs(30));
        }
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    store.open(big.clone(), 1, 1, "table a {\n}\n".into());
    store.change(
        big.clone(),
        2,
        vec![TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: "table b {\n}\n".into(),
        }],
    );
    store.open(small.clone(), 1, 7, "table s {\n}\n".into());
    let answer = runtime.block_on(async {
        tokio::time::timeout(std::time::Duration::from_secs(10), store.snapshot(&small)).await
    });
    let snapshot = answer
        .expect("the small document answers while the big one is held")
        .expect("the small document is open");
    assert_eq!(snapshot.version, 7);
    release.send(()).unwrap();
    release.send(()).unwrap();
    let big_snapshot = runtime.block_on(store.snapshot(&big)).unwrap();
    assert_eq!(big_snapshot.version, 2);
    assert_eq!(&*big_snapshot.file.text, "table b {\n}\n");
}
