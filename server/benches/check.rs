//! `check` over a whole workspace: the shared corpus (2,721 real files) when present, else the
//! bundled example app. Figures go to docs/performance.md.

// The allocator of the `xsguard` binary (see src/main.rs), so that the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use xsguard::host::check::check_sources;
use xsguard::rules::RuleSelection;
use xsguard::workspace::Config;

fn input_dir() -> PathBuf {
    common::corpus_dir()
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples"))
}

fn check(c: &mut Criterion) {
    let dir = input_dir();
    let sources = common::xs_sources(&dir, &dir);
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
