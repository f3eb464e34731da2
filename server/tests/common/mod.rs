//! What several test files need: the shared corpus beside the checkout, and `.xs` files as
//! sources.

use std::path::{Path, PathBuf};

use xsguard::check::Source;

/// The shared corpus (`XSGUARD_CORPUS`, else `../shared/corpus` beside the checkout), when
/// present.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("XSGUARD_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
    };
    dir.is_dir().then_some(dir)
}

/// The `.xs` files under `dir`, sorted, named by their path relative to `base`.
pub fn xs_sources(dir: &Path, base: &Path) -> Vec<Source> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "xs") {
                out.push(Source {
                    path: path
                        .strip_prefix(base)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                    bytes: std::fs::read(&path).unwrap(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}
