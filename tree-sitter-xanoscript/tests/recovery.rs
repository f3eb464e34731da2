//! Error recovery: damage in one place must not lose the complete objects, statements,
//! attributes and fields outside the damaged region.
//!
//! Three kinds of damage are applied to the grammar's samples and to a spread of corpus files:
//! the file cut at many byte offsets (text typed so far), one `}` deleted, one stray token
//! inserted. Every unit that lies wholly before the damaged line must be found again, with the
//! same kind and byte range and without an error inside it.

mod common;

use std::collections::HashSet;
use std::path::PathBuf;

use common::{
    Unit, corpus_dir, line_end, line_start, parse, parser, sample_files, units, xs_files,
};

/// Sample files, plus every `stride`-th corpus file when the corpus is present.
fn files(stride: usize) -> Vec<(String, String)> {
    let mut paths: Vec<PathBuf> = sample_files();
    if let Some(dir) = corpus_dir() {
        paths.extend(
            xs_files(&dir)
                .into_iter()
                .step_by(stride)
                .map(|p| dir.join(p)),
        );
    }
    paths
        .into_iter()
        .filter_map(|p| {
            let text = String::from_utf8(std::fs::read(&p).ok()?).ok()?;
            Some((p.display().to_string(), text))
        })
        .collect()
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

struct Check {
    parser: tree_sitter::Parser,
    cases: usize,
    failures: Vec<String>,
}

impl Check {
    /// Parses `damaged` and checks that every unit of `original` ending before `limit`
    /// survives, and with `after = Some((from, shift))` also every unit starting at or after
    /// `from`, moved by `shift` bytes.
    fn run(
        &mut self,
        name: &str,
        what: &str,
        original: &[Unit],
        damaged: &str,
        limit: usize,
        after: Option<(usize, usize)>,
    ) {
        self.cases += 1;
        let tree = parse(&mut self.parser, damaged);
        let found: HashSet<Unit> = units(tree.root_node()).into_iter().collect();
        let before = original.iter().filter(|u| u.end <= limit).cloned();
        let later = after.into_iter().flat_map(|(from, shift)| {
            original
                .iter()
                .filter(move |u| u.start >= from)
                .map(move |u| Unit {
                    kind: u.kind,
                    start: u.start + shift,
                    end: u.end + shift,
                })
        });
        for unit in before.chain(later) {
            if !found.contains(&unit) {
                self.failures.push(format!(
                    "{name}: {what}: lost {} at bytes {}..{}",
                    unit.kind, unit.start, unit.end
                ));
                return;
            }
        }
    }
}

fn clean_units(parser: &mut tree_sitter::Parser, text: &str) -> Option<Vec<Unit>> {
    let tree = parse(parser, text);
    (!tree.root_node().has_error()).then(|| units(tree.root_node()))
}

#[test]
fn damage_keeps_units_outside_the_damaged_region() {
    let mut check = Check {
        parser: parser(),
        cases: 0,
        failures: Vec::new(),
    };
    for (name, text) in files(25) {
        let Some(original) = clean_units(&mut check.parser, &text) else {
            continue;
        };

        // Cut at about 40 offsets spread over the file.
        let step = (text.len() / 40).max(1);
        for cut in (1..text.len()).step_by(step) {
            let cut = floor_char_boundary(&text, cut);
            let limit = line_start(&text, cut);
            check.run(
                &name,
                &format!("cut at {cut}"),
                &original,
                &text[..cut],
                limit,
                None,
            );
        }

        // Delete each of up to 10 closing braces.
        for (i, _) in text
            .match_indices('}')
            .step_by(text.matches('}').count().div_ceil(10).max(1))
        {
            let damaged = format!("{}{}", &text[..i], &text[i + 1..]);
            let limit = line_start(&text, i);
            check.run(
                &name,
                &format!("`}}` deleted at {i}"),
                &original,
                &damaged,
                limit,
                None,
            );
        }

        // Insert a stray token at the end of up to 10 lines: the lines after it survive too.
        // (A trailing operator or `=` is not stray: it takes the next line as its operand.)
        const STRAY: &str = " ) @";
        let line_ends: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
        for &i in line_ends
            .iter()
            .step_by(line_ends.len().div_ceil(10).max(1))
        {
            let damaged = format!("{}{STRAY}{}", &text[..i], &text[i..]);
            let after = Some((line_end(&text, i), STRAY.len()));
            check.run(
                &name,
                &format!("stray token at {i}"),
                &original,
                &damaged,
                line_start(&text, i),
                after,
            );
        }
    }
    eprintln!(
        "recovery: {} damaged parses, {} failures",
        check.cases,
        check.failures.len()
    );
    assert!(check.cases > 0);
    assert!(check.failures.is_empty(), "{}", check.failures.join("\n"));
}
