//! What several test files need: the shared corpus beside the checkout, `.xs` files as
//! sources, and how long the property tests run.

#![allow(dead_code)] // Each test crate uses a different part.

use std::path::{Path, PathBuf};

use xsguard::host::check::Source;

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
    xs_paths(dir)
        .into_iter()
        .map(|path| Source {
            path: path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/"),
            bytes: std::fs::read(&path).unwrap(),
        })
        .collect()
}

/// The `.xs` files under `dir`, sorted.
pub fn xs_paths(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "xs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Runs the xsguard binary with `args` in `dir`, without color.
pub fn xsguard_in(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_xsguard"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the xsguard binary runs")
}

/// Whether the long runs are asked for (`XSGUARD_LONG=1`).
pub fn long() -> bool {
    std::env::var_os("XSGUARD_LONG").is_some()
}

/// How many cases a property test runs: `PROPTEST_CASES`, else `long` under `XSGUARD_LONG=1`,
/// else `short`.
pub fn cases(short: u32, long: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(if self::long() { long } else { short })
}

/// A message says what is wrong in one sentence of about 160 characters; the rest goes to the
/// help. Names (paths, tables, values) are the user's and may be long, so a quoted name counts
/// as at most 30 characters.
pub fn message_shape_problem(message: &str) -> Option<String> {
    let mut shown = String::new();
    for (i, part) in message.split('`').enumerate() {
        if i % 2 == 1 {
            shown.push('`');
            shown.extend(part.chars().take(28));
            shown.push('`');
        } else {
            shown.push_str(part);
        }
    }
    if shown.chars().count() > 160 {
        return Some(format!("longer than 160 characters: {message}"));
    }
    let prose: String = message
        .split('`')
        .step_by(2)
        .collect::<Vec<_>>()
        .join("`x`");
    let breaks = prose
        .as_bytes()
        .windows(3)
        .any(|w| matches!(w[0], b'.' | b'!' | b'?') && w[1] == b' ' && w[2].is_ascii_uppercase());
    if breaks || prose.trim_end().ends_with('.') {
        return Some(format!("more than one sentence: {message}"));
    }
    None
}

/// Copies the folder `from` to `to`, recursively.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
