//! `check` over a whole workspace: the shared corpus (2,721 real files) when present, else the
//! bundled example app. Figures go to docs/performance.md.

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use xsguard::check::{Source, check_sources};
use xsguard::rules::RuleSelection;
use xsguard::workspace::Config;

fn input_dir() -> PathBuf {
    let corpus = std::env::var_os("XSGUARD_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    if corpus.is_dir() {
        corpus
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
    }
}

fn sources(dir: &Path) -> Vec<Source> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "xs") {
                out.push(Source {
                    path: path.display().to_string(),
                    bytes: std::fs::read(&path).unwrap(),
                });
            }
        }
    }
    out
}

fn check(c: &mut Criterion) {
    let sources = sources(&input_dir());
    let bytes: usize = sources.iter().map(|s| s.bytes.len()).sum();
    let selection = RuleSelection::all();
    let mut group = c.benchmark_group("check");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.bench_function(
        format!(
            "workspace ({} files, {} KB), all rules",
            sources.len(),
            bytes / 1024
        ),
        |b| b.iter(|| check_sources(sources.clone(), Config::default(), &selection)),
    );
    group.finish();
}

criterion_group!(benches, check);
criterion_main!(benches);
