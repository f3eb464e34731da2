//! The code map of docs/architecture.md holds: every module imports only from the layers below
//! its own, no files import each other in a circle, only the language server knows LSP and only
//! the MCP server knows MCP.
//!
//! Imports are read from the sources: `crate::`, `super::` and `self::` paths (in `use` lines
//! and inline), and, in a module, paths that start with one of its child modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, lowest first. A module may use its own layer's modules and those of lower layers.
/// `finding` and `fix` are the vocabulary of results and text edits every layer may speak;
/// `audit` and `lsp` are fronts that do not know each other; `cli` is the binary's entry, which
/// also starts the servers and the audit; `mcp`, the MCP server, sits beside it: it answers with
/// the command line's own check run and formats, and `cli` starts it (only the circle test
/// keeps the two from knowing each other both ways).
const LAYERS: &[&[&str]] = &[
    &["syntax"],
    &["finding", "fix"],
    &["model"],
    &["semantics"],
    &["workspace"],
    &["analysis"],
    &["rules"],
    &["host"],
    &["audit", "lsp"],
    &["cli", "mcp"],
];

/// Fronts of one layer that must still not import each other.
const APART: &[(&str, &str)] = &[
    ("audit", "lsp"),
    ("lsp", "audit"),
    ("mcp", "lsp"),
    ("mcp", "audit"),
];

/// Vocabulary a layer may not speak although it lies below: the analysis returns facts, and the
/// rules word them as findings and propose the fixes.
const UNSPOKEN: &[(&str, &str)] = &[("analysis", "finding"), ("analysis", "fix")];

/// A module's path (`rules::context`) and its source.
struct Module {
    path: String,
    file: String,
    text: String,
}

fn modules_under(src: &Path) -> Vec<Module> {
    let mut out = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            out.push(Module {
                path: parts.join("::"),
                file: path.strip_prefix(src).unwrap().display().to_string(),
                text: std::fs::read_to_string(&path).unwrap(),
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The text without comments (doc links are not imports) and without string literals.
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                    }
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
                out.push_str("\"\"");
            }
            // A char literal such as '"' or '\"' must not open a string.
            '\'' if chars.clone().nth(1) == Some('\'') => {
                chars.next();
                chars.next();
                out.push_str("' '");
            }
            '\'' if chars.peek() == Some(&'\\') => {
                chars.next();
                chars.next();
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                }
                out.push_str("' '");
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every path in `code` written as `a::b::c`, with the line it is on; a `use a::{b, c::d}` group
/// yields `a::b` and `a::c::d`.
fn paths_in(code: &str) -> Vec<(usize, Vec<String>)> {
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    while i < bytes.len() {
        if bytes[i] == b'\n' {
            line += 1;
            i += 1;
            continue;
        }
        let starts = is_ident(bytes[i])
            && !bytes[i].is_ascii_digit()
            && (i == 0 || !(is_ident(bytes[i - 1]) || bytes[i - 1] == b':'));
        if !starts {
            i += 1;
            continue;
        }
        let (segments, end) = path_at(code, i);
        i = end.max(i + 1);
        if segments.len() < 2 && !code[end..].starts_with("::{") {
            continue;
        }
        if code[end..].starts_with("::{") {
            for group in group_items(code, end + 2) {
                let mut full = segments.clone();
                full.extend(group);
                out.push((line, full));
            }
            // The group's items were read with it; lines inside it still count.
            let close = group_end(code, end + 2);
            line += code[i..close].matches('\n').count();
            i = close;
        } else {
            out.push((line, segments));
        }
    }
    out
}

/// The identifiers of the path starting at `at`, and where it ends.
fn path_at(code: &str, at: usize) -> (Vec<String>, usize) {
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut segments = Vec::new();
    let mut i = at;
    loop {
        let start = i;
        while i < bytes.len() && is_ident(bytes[i]) {
            i += 1;
        }
        segments.push(code[start..i].to_string());
        let next = i + 2;
        if code[i..].starts_with("::") && next < bytes.len() && is_ident(bytes[next]) {
            i = next;
        } else {
            return (segments, i);
        }
    }
}

/// Just after the `}` closing the group that opens at `open`.
fn group_end(code: &str, open: usize) -> usize {
    let mut depth = 0;
    for (i, b) in code.bytes().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// The first path of each item of the `{...}` group opening at `open`.
fn group_items(code: &str, open: usize) -> Vec<Vec<String>> {
    let bytes = code.as_bytes();
    let mut items = Vec::new();
    let mut depth = 0;
    let mut item_start = true;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                depth += 1;
                item_start = depth == 1;
            }
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            b',' if depth == 1 => item_start = true,
            b if depth == 1 && item_start && (b.is_ascii_alphabetic() || b == b'_') => {
                let (segments, end) = path_at(code, i);
                if code[end..].starts_with("::{") {
                    for inner in group_items(code, end + 2) {
                        items.push(segments.iter().cloned().chain(inner).collect());
                    }
                } else if segments[0] != "self" {
                    items.push(segments);
                }
                item_start = false;
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    items
}

/// The module a path written in `from` names: the longest prefix that is a module.
fn resolve(from: &str, path: &[String], modules: &BTreeSet<String>) -> Option<String> {
    let mut base: Vec<&str> = if from.is_empty() {
        Vec::new()
    } else {
        from.split("::").collect()
    };
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        Some("super") => {
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        // A bare path counts only when it starts with a child module of `from`.
        Some(first) => {
            let child = if from.is_empty() {
                first.to_string()
            } else {
                format!("{from}::{first}")
            };
            if !modules.contains(&child) {
                return None;
            }
        }
        None => return None,
    }
    let mut full: Vec<&str> = base;
    full.extend(rest.iter().map(String::as_str));
    (1..=full.len())
        .rev()
        .map(|n| full[..n].join("::"))
        .find(|candidate| modules.contains(candidate))
}

/// One import: `from` (at `file:line`) uses `to`.
struct Edge {
    from: String,
    to: String,
    file: String,
    line: usize,
}

fn edges(modules: &[Module]) -> Vec<Edge> {
    let names: BTreeSet<String> = modules.iter().map(|m| m.path.clone()).collect();
    let mut out = Vec::new();
    for m in modules {
        for (line, path) in paths_in(&code_of(&m.text)) {
            let Some(to) = resolve(&m.path, &path, &names) else {
                continue;
            };
            // A module using its parent's re-exports, or itself, is not an edge between files.
            let ancestor = m.path.starts_with(&format!("{to}::")) || to.is_empty();
            if to != m.path && !ancestor {
                out.push(Edge {
                    from: m.path.clone(),
                    to,
                    file: m.file.clone(),
                    line,
                });
            }
        }
    }
    out
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or(module)
}

fn layer_of(top: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&top))
}

/// The imports that go up a layer, into a front beside, or out of the map.
fn layer_violations(modules: &[Module]) -> Vec<String> {
    let mut out = Vec::new();
    for edge in edges(modules) {
        let (from, to) = (top(&edge.from), top(&edge.to));
        if from == to || matches!(from, "lib" | "main") {
            continue;
        }
        let problem = match (layer_of(from), layer_of(to)) {
            (None, _) => Some(format!("module `{from}` is in no layer")),
            (_, None) => Some(format!("module `{to}` is in no layer")),
            (Some(a), Some(b)) if b > a => {
                Some(format!("`{from}` may not know `{to}`, a layer above it"))
            }
            _ if APART.contains(&(from, to)) => {
                Some(format!("`{from}` may not know `{to}`, another front"))
            }
            _ if UNSPOKEN.contains(&(from, to)) => Some(format!(
                "`{from}` returns facts: findings and fixes (`{to}`) are the rules' to make"
            )),
            _ => None,
        };
        if let Some(problem) = problem {
            out.push(format!(
                "{}:{}: {} uses {}: {problem}",
                edge.file, edge.line, edge.from, edge.to
            ));
        }
    }
    out
}

/// Groups of two or more modules that import each other in a circle (Tarjan's algorithm).
fn circles(modules: &[Module]) -> Vec<Vec<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = modules
        .iter()
        .map(|m| (m.path.clone(), BTreeSet::new()))
        .collect();
    for edge in edges(modules) {
        graph.entry(edge.from).or_default().insert(edge.to);
    }
    let names: Vec<&String> = graph.keys().collect();
    let at: BTreeMap<&String, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let succ: Vec<Vec<usize>> = names
        .iter()
        .map(|n| {
            graph[*n]
                .iter()
                .filter_map(|t| at.get(t).copied())
                .collect()
        })
        .collect();

    struct State {
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(v: usize, succ: &[Vec<usize>], s: &mut State) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for &w in &succ[v] {
            match s.index[w] {
                None => {
                    visit(w, succ, s);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(i) if s.on_stack[w] => s.low[v] = s.low[v].min(i),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                s.out.push(component);
            }
        }
    }
    let n = names.len();
    let mut state = State {
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if state.index[v].is_none() {
            visit(v, &succ, &mut state);
        }
    }
    state
        .out
        .into_iter()
        .map(|c| {
            let mut names: Vec<String> = c.into_iter().map(|i| names[i].clone()).collect();
            names.sort();
            names
        })
        .collect()
}

fn sources() -> Vec<Module> {
    modules_under(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

#[test]
fn every_module_imports_only_from_the_layers_below() {
    let modules = sources();
    assert!(modules.len() > 50, "read {} modules", modules.len());
    let violations = layer_violations(&modules);
    assert!(
        violations.is_empty(),
        "imports against the layers:\n{}",
        violations.join("\n")
    );
}

#[test]
fn no_modules_import_each_other_in_a_circle() {
    let found = circles(&sources());
    assert!(found.is_empty(), "import circles: {found:?}");
}

#[test]
fn only_the_language_server_knows_lsp() {
    for m in sources() {
        if m.path == "lsp" || m.path.starts_with("lsp::") {
            continue;
        }
        let code = code_of(&m.text);
        assert!(
            !code.contains("tower_lsp_server") && !code.contains("ls_types"),
            "{} names LSP types",
            m.file
        );
    }
}

#[test]
fn only_the_mcp_server_knows_mcp() {
    for m in sources() {
        if m.path == "mcp" || m.path.starts_with("mcp::") {
            continue;
        }
        assert!(
            !code_of(&m.text).contains("rmcp"),
            "{} names MCP types",
            m.file
        );
    }
}

#[test]
fn an_upward_import_or_a_circle_is_caught() {
    let mut modules = sources();
    let at = modules.iter().position(|m| m.path == "workspace").unwrap();
    modules[at].text.push_str("\nuse crate::rules::Rule;\n");
    let violations = layer_violations(&modules);
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(
        violations[0].contains("workspace uses rules: `workspace` may not know `rules`"),
        "{}",
        violations[0]
    );
    let at = modules
        .iter()
        .position(|m| m.path == "analysis::flow")
        .unwrap();
    modules[at].text.push_str("\nuse crate::finding::Fix;\n");
    let violations = layer_violations(&modules);
    assert!(
        violations
            .iter()
            .any(|v| v.contains("analysis::flow uses finding: `analysis` returns facts")),
        "{violations:?}"
    );
    let found = circles(&modules);
    assert!(
        found
            .iter()
            .any(|c| c.contains(&"workspace".to_string()) && c.contains(&"rules".to_string())),
        "{found:?}"
    );
}

#[test]
fn the_command_line_and_the_mcp_server_know_each_other_one_way_only() {
    let mut modules = sources();
    assert!(circles(&modules).is_empty());
    let at = modules.iter().position(|m| m.path == "cli::json").unwrap();
    modules[at].text.push_str("\nuse crate::mcp::run;\n");
    assert!(layer_violations(&modules).is_empty());
    let found = circles(&modules);
    assert!(
        found
            .iter()
            .any(|c| c.contains(&"cli::json".to_string()) && c.contains(&"mcp".to_string())),
        "{found:?}"
    );
}

#[test]
fn paths_are_read_from_use_groups_and_relative_paths() {
    let code = code_of(
        "use crate::{model::Object, rules::{Context, Rule}};\n// crate::cli::x\nlet s = \"crate::lsp::y\";\nsuper::check::run();\n",
    );
    let paths: Vec<String> = paths_in(&code)
        .into_iter()
        .map(|(_, p)| p.join("::"))
        .collect();
    assert_eq!(
        paths,
        [
            "crate::model::Object",
            "crate::rules::Context",
            "crate::rules::Rule",
            "super::check::run"
        ]
    );
    let modules: BTreeSet<String> = ["model", "rules", "host", "host::check", "host::reuse"]
        .map(String::from)
        .into();
    let path = |p: &str| p.split("::").map(String::from).collect::<Vec<_>>();
    assert_eq!(
        resolve("host::reuse", &path("super::check::run"), &modules).as_deref(),
        Some("host::check")
    );
    assert_eq!(
        resolve("host", &path("reuse::Reusable"), &modules).as_deref(),
        Some("host::reuse")
    );
    assert_eq!(resolve("host", &path("std::fmt"), &modules), None);
}
