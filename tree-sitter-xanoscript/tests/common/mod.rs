#![allow(dead_code)] // each test binary uses a different subset
//! Helpers shared by the grammar's integration tests.

use std::path::{Path, PathBuf};

use tree_sitter::{Node, Parser, Tree};

pub fn parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_xanoscript::LANGUAGE.into())
        .expect("XanoScript grammar loads");
    parser
}

pub fn parse(parser: &mut Parser, text: &str) -> Tree {
    parser.parse(text, None).expect("parse returns a tree")
}

/// The shared corpus of real `.xs` files, when this checkout has one beside it
/// (`XSGUARD_CORPUS` overrides the location).
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("XSGUARD_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
    };
    dir.is_dir().then_some(dir)
}

/// Every `.xs` file under `dir`, sorted, as paths relative to `dir`.
pub fn xs_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("corpus directory is readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "xs") {
                out.push(path.strip_prefix(dir).expect("under dir").to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// The grammar's own sample files, always present.
pub fn sample_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test/samples");
    xs_files(&dir).into_iter().map(|p| dir.join(p)).collect()
}

/// A syntactic unit whose survival error recovery must guarantee.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Unit {
    pub kind: &'static str,
    pub start: usize,
    pub end: usize,
}

const UNIT_KINDS: &[&str] = &["object", "statement", "attribute", "field_declaration"];

/// Objects, statements, attributes and fields of `root` that contain no error.
pub fn units(root: Node) -> Vec<Unit> {
    let mut out = Vec::new();
    let mut cursor = root.walk();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if let Some(kind) = UNIT_KINDS.iter().find(|k| **k == node.kind())
            && !node.has_error()
        {
            out.push(Unit {
                kind,
                start: node.start_byte(),
                end: node.end_byte(),
            });
        }
        stack.extend(node.children(&mut cursor));
    }
    out
}

pub fn first_error(root: Node) -> Option<Node> {
    let mut cursor = root.walk();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            return Some(node);
        }
        if node.has_error() {
            stack.extend(node.children(&mut cursor));
        }
    }
    None
}

/// Byte offset of the start of the line holding `offset`.
pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// Byte offset just after the line holding `offset` (after its `\n`).
pub fn line_end(text: &str, offset: usize) -> usize {
    text[offset..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1)
}
