//! Parser throughput: a full parse of every corpus file, and the incremental reparse after a
//! one-character edit in a large file (what each keystroke in an editor costs).
//!
//! Uses ../shared/corpus when present (set `XSGUARD_CORPUS` to point elsewhere), else the
//! grammar's own samples. Figures go to docs/performance.md.

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tree_sitter::{InputEdit, Parser, Point, Tree};

fn corpus_files() -> Vec<String> {
    let dir = std::env::var_os("XSGUARD_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    let dir = if dir.is_dir() {
        dir
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("test/samples")
    };
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "xs") {
                out.push(String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned());
            }
        }
    }
    out
}

fn parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_xanoscript::LANGUAGE.into())
        .unwrap();
    parser
}

fn point_at(text: &str, byte: usize) -> Point {
    let before = &text[..byte];
    let row = before.matches('\n').count();
    let column = byte - before.rfind('\n').map_or(0, |i| i + 1);
    Point { row, column }
}

fn full_parse(c: &mut Criterion) {
    let files = corpus_files();
    let bytes: usize = files.iter().map(String::len).sum();
    let mut parser = parser();
    let mut group = c.benchmark_group("full_parse");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function(
        format!("corpus ({} files, {} KB)", files.len(), bytes / 1024),
        |b| {
            b.iter(|| {
                for text in &files {
                    std::hint::black_box(parser.parse(text, None).unwrap());
                }
            })
        },
    );
    group.finish();
}

/// A large file: the biggest corpus file, or the samples repeated into one long function.
fn large_file(files: &[String]) -> String {
    let biggest = files
        .iter()
        .max_by_key(|t| t.len())
        .cloned()
        .unwrap_or_default();
    if biggest.len() >= 100_000 {
        return biggest;
    }
    let mut text = String::from("function big {\n  stack {\n");
    while text.len() < 200_000 {
        text.push_str(
            "    var $total {\n      value = ($items|filter:$$.active == true)|count\n    }\n",
        );
        text.push_str("    db.get user {\n      field_name = \"id\"\n      field_value = $auth.id\n    } as $me\n");
    }
    text.push_str("  }\n  response = null\n}\n");
    text
}

fn incremental_reparse(c: &mut Criterion) {
    let text = large_file(&corpus_files());
    let mut parser = parser();
    let tree = parser.parse(&text, None).unwrap();
    // Type one character inside a string near the middle of the file.
    let middle = text.len() / 2;
    let at = text[middle..].find('"').map_or(middle, |i| middle + i + 1);
    let mut edited = text.clone();
    edited.insert(at, 'x');
    let edit = InputEdit {
        start_byte: at,
        old_end_byte: at,
        new_end_byte: at + 1,
        start_position: point_at(&text, at),
        old_end_position: point_at(&text, at),
        new_end_position: point_at(&edited, at + 1),
    };
    let lines = text.lines().count();
    c.bench_function(
        &format!("incremental_reparse ({lines} lines, 1 char typed)"),
        |b| {
            b.iter_batched(
                || {
                    let mut old: Tree = tree.clone();
                    old.edit(&edit);
                    old
                },
                |old| std::hint::black_box(parser.parse(&edited, Some(&old)).unwrap()),
                criterion::BatchSize::SmallInput,
            )
        },
    );
    c.bench_function(&format!("full_reparse ({lines} lines)"), |b| {
        b.iter(|| std::hint::black_box(parser.parse(&edited, None).unwrap()))
    });
}

criterion_group!(benches, full_parse, incremental_reparse);
criterion_main!(benches);
