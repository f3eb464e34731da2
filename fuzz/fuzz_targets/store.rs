//! The LSP document store: arbitrary `didChange` sequences leave the text, the tree, the model
//! and the findings exactly as a fresh open of the final text would, after every `didChange`.
//!
//! Input: the opening text, then `0xFF`, then the edit script (`0xFF` never occurs in UTF-8, so
//! a plain `.xs` seed is a text whose script is its own bytes). Script bytes, read in order: one
//! for the encoding, then for each change (at most 32) a flag byte (bit 0: last change of its
//! `didChange`; bits 1-2: what the text is; bits 3-4: how the range ends; bit 5: a raw far
//! position), two bytes of start offset, one of length, one for the text.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};
use xsguard::lsp::convert::Encoding;
use xsguard::lsp::documents::{Document, Snapshot};
use xsguard::lsp::engine::Engine;
use xsguard::syntax::parse;

const PIECES: &[&str] = &[
    "",
    "{",
    "}",
    "\n",
    "\r\n",
    "\r",
    " ",
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
    "é",
    "名前",
    "😀",
    "👍🏽",
    "\u{feff}",
    "\0",
    "// note\n",
    "\"\"\"\n",
    "db.get user {\n",
    "field_value = $auth.id\n",
    "query q verb=GET {\n",
    "stack {\r\n",
    "  }\r\n",
    "auth = \"user\"\n",
    "|trim",
    " as $v",
    "api_group g {\n",
    "input {\n  text name?\n}\n",
];

struct Script<'a>(&'a [u8]);

impl Script<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(first)
    }
}

fn units(ch: char, encoding: Encoding) -> u32 {
    match encoding {
        Encoding::Utf8 => ch.len_utf8() as u32,
        Encoding::Utf16 => ch.len_utf16() as u32,
    }
}

fn floor(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Line starts and content ends as positions see them (only `\n` ends a line; a `\r` before it
/// belongs to the line ending).
fn lines(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices('\n') {
        let end = if i > start && text.as_bytes()[i - 1] == b'\r' {
            i - 1
        } else {
            i
        };
        out.push((start, end));
        start = i + 1;
    }
    out.push((start, text.len()));
    out
}

/// The offset of a position, independently of the server: clamped to the line's content and
/// to the text; a column inside a character means its start.
fn offset_of(text: &str, position: Position, encoding: Encoding) -> usize {
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

fn position_of(text: &str, offset: usize, extra: u32, encoding: Encoding) -> Position {
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column: u32 = before[line_start..]
        .chars()
        .map(|c| units(c, encoding))
        .sum();
    Position::new(line, column + extra)
}

/// What the user sees of a snapshot.
fn observed(engine: &Engine, snapshot: Snapshot) -> String {
    let model = format!("{:?}", snapshot.file.model);
    let syntax = format!("{:?}", snapshot.syntax);
    let outcome = engine.analyze(vec![snapshot]);
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    let analysis = &outcome.analyses[0];
    format!(
        "{model}\n{syntax}\n{:?}\n{:?}",
        analysis.findings, analysis.diagnostics
    )
}

fn engine(encoding: Encoding) -> Engine {
    let lock = Arc::new(OnceLock::new());
    lock.set(encoding).unwrap();
    Engine::new(lock)
}

fuzz_target!(|data: &[u8]| {
    let (text, script) = match data.iter().rposition(|&b| b == 0xFF) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, data),
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let mut script = Script(script);
    let encoding = match script.byte() {
        Some(b) if b & 1 == 1 => Encoding::Utf8,
        _ => Encoding::Utf16,
    };
    let uri = Uri::from_file_path("/fuzz/store.xs").unwrap();
    let mut doc = Document::new(uri.clone(), 1, 1, text.to_string());
    let edited_engine = engine(encoding);
    let mut text = text.to_string();
    let mut version = 1;
    let mut events = Vec::new();
    // At most 32 changes, so each input stays fast.
    for _ in 0..32 {
        let (Some(flags), Some(hi), Some(lo), Some(len), Some(pick)) = (
            script.byte(),
            script.byte(),
            script.byte(),
            script.byte(),
            script.byte(),
        ) else {
            break;
        };
        let selector = usize::from(hi) << 8 | usize::from(lo);
        let start_offset = floor(&text, selector % (text.len() + 1));
        let new_text = match (flags >> 1) & 3 {
            0 | 1 => PIECES[usize::from(pick) % PIECES.len()].to_string(),
            2 => {
                let from = floor(&text, usize::from(pick) * 37 % (text.len() + 1));
                text[from..floor(&text, from + usize::from(len)).max(from)].to_string()
            }
            _ => char::from_u32(0x80 + u32::from(pick) * 331)
                .unwrap_or('\u{fffd}')
                .to_string(),
        };
        let start = if flags & 0x20 != 0 {
            Position::new(u32::from(hi) % 8, u32::from(lo) * 3)
        } else {
            position_of(&text, start_offset, 0, encoding)
        };
        let end = match (flags >> 3) & 3 {
            0 => start,
            1 | 2 => {
                let from = offset_of(&text, start, encoding);
                position_of(
                    &text,
                    floor(&text, from + usize::from(len) % 64),
                    0,
                    encoding,
                )
            }
            _ => {
                let other = floor(&text, usize::from(len) * 101 % (text.len() + 1));
                position_of(&text, other, u32::from(pick % 3), encoding)
            }
        };
        let event = if flags == 0xFE {
            TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: new_text,
            }
        } else {
            TextDocumentContentChangeEvent {
                range: Some(Range::new(start, end)),
                range_length: None,
                text: new_text,
            }
        };
        match event.range {
            None => text = event.text.clone(),
            Some(range) => {
                let a = offset_of(&text, range.start, encoding);
                let b = offset_of(&text, range.end, encoding);
                text.replace_range(a.min(b)..a.max(b), &event.text);
            }
        }
        events.push(event);
        if flags & 1 == 0 {
            continue;
        }
        version += 1;
        doc.apply_changes(version, &std::mem::take(&mut events), encoding);
        assert_eq!(doc.text(), text);
        assert_eq!(doc.syntax().text(), text);
        assert_eq!(doc.resyncs(), 0, "the tree was rebuilt");
        let fresh_tree = parse(text.clone());
        // A reparse without errors is the tree of a whole parse; with errors, error recovery
        // may differ, and analysis gets a whole parse (compared after the snapshot).
        if !doc.syntax().tree().root_node().has_error() {
            assert_eq!(
                doc.syntax().tree().root_node().to_sexp(),
                fresh_tree.tree().root_node().to_sexp()
            );
        }
        let mut fresh = Document::new(uri.clone(), 1, version, text.clone());
        assert_eq!(
            observed(&edited_engine, doc.snapshot()),
            observed(&engine(encoding), fresh.snapshot())
        );
        assert_eq!(
            doc.syntax().tree().root_node().to_sexp(),
            fresh_tree.tree().root_node().to_sexp()
        );
    }
});
