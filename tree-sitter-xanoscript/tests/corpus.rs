//! Every file of the shared corpus of real XanoScript parses without an error, except the
//! files listed in KNOWN_INVALID.md, which are broken themselves.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{corpus_dir, first_error, parse, parser, sample_files, xs_files};

fn known_invalid() -> BTreeSet<String> {
    let list =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("KNOWN_INVALID.md"))
            .expect("KNOWN_INVALID.md is readable");
    list.lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`'))
        .map(|(path, _)| path.to_string())
        .collect()
}

#[test]
fn samples_parse_without_errors() {
    let mut parser = parser();
    for path in sample_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let tree = parse(&mut parser, &text);
        assert!(
            first_error(tree.root_node()).is_none(),
            "{} has a syntax error: {}",
            path.display(),
            tree.root_node().to_sexp()
        );
    }
}

#[test]
fn corpus_parses_except_known_invalid_files() {
    let Some(dir) = corpus_dir() else {
        eprintln!("corpus not present; skipping the corpus walk");
        return;
    };
    let known = known_invalid();
    let mut parser = parser();
    let mut unexpected = Vec::new();
    let mut still_failing = BTreeSet::new();
    let files = xs_files(&dir);
    for rel in &files {
        let bytes = std::fs::read(dir.join(rel)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let tree = parse(&mut parser, &text);
        let key = rel.to_string_lossy().replace('\\', "/");
        if let Some(err) = first_error(tree.root_node()) {
            if known.contains(&key) {
                still_failing.insert(key);
            } else {
                let p = err.start_position();
                unexpected.push(format!(
                    "{key}:{}:{}: {}",
                    p.row + 1,
                    p.column + 1,
                    err.to_sexp()
                ));
            }
        }
    }
    let fixed: Vec<_> = known.difference(&still_failing).collect();
    eprintln!(
        "corpus: {} files, {} known invalid, {} unexpected failures",
        files.len(),
        still_failing.len(),
        unexpected.len()
    );
    assert!(
        unexpected.is_empty(),
        "new parse failures:\n{}",
        unexpected.join("\n")
    );
    assert!(
        fixed.is_empty(),
        "listed in KNOWN_INVALID.md but parse now (remove them): {fixed:?}"
    );
    assert!(
        known.len() * 100 <= files.len() * 3,
        "more than 3% of the corpus is listed as invalid"
    );
}
