//! The tree-sitter queries shipped for editors compile against the grammar and use the capture
//! names their editor knows, and the Helix configuration has the fields Helix reads.
//!
//! - `tree-sitter-xanoscript/queries/*.scm`: the grammar's own (tree-sitter CLI, GitHub)
//! - `editors/neovim/queries/xanoscript/*.scm`: nvim-treesitter capture names
//! - `editors/helix/runtime/queries/xanoscript/*.scm`: Helix theme scopes
//! - `editors/helix/languages.toml`: `[[language]]`, `[language-server.xsguard]`, `[[grammar]]`

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use tree_sitter::{Language, Parser, Query, QueryCursor, StreamingIterator};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("server/ is inside the repository")
        .to_path_buf()
}

fn language() -> Language {
    tree_sitter_xanoscript::LANGUAGE.into()
}

const GRAMMAR_QUERIES: &str = "tree-sitter-xanoscript/queries";
const NEOVIM_QUERIES: &str = "editors/neovim/queries/xanoscript";
const HELIX_QUERIES: &str = "editors/helix/runtime/queries/xanoscript";

/// The `.scm` files of a folder, by name.
fn query_files(dir: &str) -> BTreeMap<String, String> {
    let path = repo().join(dir);
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())) {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "scm") {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            files.insert(name, std::fs::read_to_string(&p).unwrap());
        }
    }
    files
}

fn compile(dir: &str, name: &str, text: &str) -> Query {
    Query::new(&language(), text).unwrap_or_else(|e| {
        panic!(
            "{dir}/{name}.scm does not compile against the grammar: {e} (row {}, column {})",
            e.row + 1,
            e.column + 1
        )
    })
}

/// Compiles every query of a folder and checks the expected ones are there.
fn compile_all(dir: &str, expected: &[&str]) -> BTreeMap<String, Query> {
    let files = query_files(dir);
    for name in expected {
        assert!(files.contains_key(*name), "{dir}/{name}.scm is missing");
    }
    files
        .iter()
        .map(|(name, text)| (name.clone(), compile(dir, name, text)))
        .collect()
}

/// Capture names without the private ones (`@_name`, used only by predicates).
fn public_captures(query: &Query) -> BTreeSet<&str> {
    query
        .capture_names()
        .iter()
        .copied()
        .filter(|c| !c.starts_with('_'))
        .collect()
}

fn assert_captures_within(dir: &str, name: &str, query: &Query, known: &[&str]) {
    let unknown: Vec<_> = public_captures(query)
        .into_iter()
        .filter(|c| !known.contains(c))
        .collect();
    assert!(
        unknown.is_empty(),
        "{dir}/{name}.scm uses captures its editor does not know: {unknown:?}"
    );
}

/// The sample files the grammar's tests parse, plus the example app.
fn samples() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "xs") {
                out.push(p);
            }
        }
    }
    let mut paths = Vec::new();
    walk(
        &repo().join("tree-sitter-xanoscript/test/samples"),
        &mut paths,
    );
    walk(&repo().join("examples"), &mut paths);
    paths.sort();
    assert!(paths.len() >= 5, "too few sample files: {paths:?}");
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

/// Every (capture, text) pair a query yields on the samples, predicates applied.
fn captured_texts(query: &Query) -> BTreeSet<(String, String)> {
    let mut parser = Parser::new();
    parser.set_language(&language()).unwrap();
    let mut seen = BTreeSet::new();
    for (_, text) in samples() {
        let tree = parser.parse(&text, None).unwrap();
        let mut cursor = QueryCursor::new();
        let mut matches = cursor.matches(query, tree.root_node(), text.as_bytes());
        while let Some(m) = matches.next() {
            for c in m.captures {
                let name = query.capture_names()[c.index as usize];
                let node_text = c.node.utf8_text(text.as_bytes()).unwrap();
                seen.insert((name.to_string(), node_text.to_string()));
            }
        }
    }
    seen
}

fn assert_captured(seen: &BTreeSet<(String, String)>, capture: &str, text: &str) {
    assert!(
        seen.contains(&(capture.to_string(), text.to_string())),
        "no @{capture} on `{text}` in the samples; captured with that name: {:?}",
        seen.iter()
            .filter(|(c, _)| c == capture)
            .map(|(_, t)| t)
            .take(12)
            .collect::<Vec<_>>()
    );
}

// ---------------------------------------------------------------- the grammar's own queries

#[test]
fn grammar_queries_compile() {
    let queries = compile_all(GRAMMAR_QUERIES, &["highlights", "locals", "tags"]);
    let seen = captured_texts(&queries["highlights"]);
    assert_captured(&seen, "keyword", "query");
    assert_captured(&seen, "function.builtin", "db.get");
}

// ---------------------------------------------------------------- Neovim

/// nvim-treesitter's standard captures (CONTRIBUTING.md) that Neovim's default colour scheme
/// links, plus `@spell`.
const NVIM_HIGHLIGHTS: &[&str] = &[
    "variable",
    "variable.builtin",
    "variable.parameter",
    "variable.member",
    "constant",
    "constant.builtin",
    "module",
    "label",
    "string",
    "string.documentation",
    "string.regexp",
    "string.escape",
    "string.special",
    "string.special.symbol",
    "string.special.url",
    "string.special.path",
    "character",
    "boolean",
    "number",
    "number.float",
    "type",
    "type.builtin",
    "type.definition",
    "attribute",
    "property",
    "function",
    "function.builtin",
    "function.call",
    "function.method",
    "constructor",
    "operator",
    "keyword",
    "keyword.function",
    "keyword.operator",
    "keyword.import",
    "keyword.type",
    "keyword.modifier",
    "keyword.repeat",
    "keyword.return",
    "keyword.exception",
    "keyword.conditional",
    "keyword.conditional.ternary",
    "keyword.directive",
    "punctuation.delimiter",
    "punctuation.bracket",
    "punctuation.special",
    "comment",
    "comment.documentation",
    "spell",
    "nospell",
    "none",
];

#[test]
fn neovim_queries_compile_with_nvim_treesitter_captures() {
    let queries = compile_all(
        NEOVIM_QUERIES,
        &["highlights", "locals", "folds", "indents"],
    );
    for (name, query) in &queries {
        let known: &[&str] = match name.as_str() {
            "highlights" => NVIM_HIGHLIGHTS,
            "folds" => &["fold"],
            "indents" => &[
                "indent.begin",
                "indent.end",
                "indent.branch",
                "indent.dedent",
                "indent.auto",
                "indent.ignore",
                "indent.align",
                "indent.zero",
            ],
            "locals" => &[
                "local.scope",
                "local.definition",
                "local.definition.var",
                "local.definition.parameter",
                "local.definition.function",
                "local.definition.type",
                "local.definition.field",
                "local.reference",
            ],
            other => panic!("{NEOVIM_QUERIES}/{other}.scm: Neovim does not read this query"),
        };
        assert_captures_within(NEOVIM_QUERIES, name, query, known);
    }
    let seen = captured_texts(&queries["highlights"]);
    for (capture, text) in [
        ("keyword.type", "query"),
        ("keyword.type", "table"),
        ("type.definition", "\"orders/{order_id}\""),
        ("property", "api_group"),
        ("keyword", "stack"),
        ("function.builtin", "db.get"),
        ("keyword.conditional", "if"),
        ("keyword.conditional", "conditional"),
        ("keyword.repeat", "foreach"),
        ("keyword.exception", "try_catch"),
        ("keyword.exception", "precondition"),
        ("type.builtin", "text"),
        ("variable.member", "order_id"),
        ("variable.builtin", "$input"),
        ("variable.builtin", "$auth"),
        ("variable", "$order"),
        ("function.call", "trim"),
        ("keyword.operator", "not in"),
        ("boolean", "true"),
        ("string.regexp", "/^[a-z]+$/i"),
    ] {
        assert_captured(&seen, capture, text);
    }
    let folds = captured_texts(&queries["folds"]);
    assert!(folds.iter().any(|(c, _)| c == "fold"));
}

// ---------------------------------------------------------------- Helix

/// Helix's theme scopes (book: Themes → Scopes), the ones a query may use.
const HELIX_HIGHLIGHTS: &[&str] = &[
    "attribute",
    "type",
    "type.builtin",
    "type.parameter",
    "type.enum",
    "type.enum.variant",
    "constructor",
    "constant",
    "constant.builtin",
    "constant.builtin.boolean",
    "constant.character",
    "constant.character.escape",
    "constant.numeric",
    "constant.numeric.integer",
    "constant.numeric.float",
    "string",
    "string.regexp",
    "string.special",
    "string.special.path",
    "string.special.url",
    "string.special.symbol",
    "comment",
    "comment.line",
    "comment.block",
    "comment.block.documentation",
    "variable",
    "variable.builtin",
    "variable.parameter",
    "variable.other",
    "variable.other.member",
    "label",
    "punctuation",
    "punctuation.delimiter",
    "punctuation.bracket",
    "punctuation.special",
    "keyword",
    "keyword.control",
    "keyword.control.conditional",
    "keyword.control.repeat",
    "keyword.control.import",
    "keyword.control.return",
    "keyword.control.exception",
    "keyword.operator",
    "keyword.directive",
    "keyword.function",
    "keyword.storage",
    "keyword.storage.type",
    "keyword.storage.modifier",
    "operator",
    "function",
    "function.builtin",
    "function.method",
    "function.macro",
    "function.special",
    "tag",
    "namespace",
    "special",
];

const HELIX_TEXTOBJECTS: &[&str] = &[
    "function.inside",
    "function.around",
    "class.inside",
    "class.around",
    "test.inside",
    "test.around",
    "parameter.inside",
    "parameter.around",
    "comment.inside",
    "comment.around",
    "entry.inside",
    "entry.around",
];

#[test]
fn helix_queries_compile_with_helix_scopes() {
    let queries = compile_all(
        HELIX_QUERIES,
        &["highlights", "locals", "indents", "textobjects", "tags"],
    );
    for (name, query) in &queries {
        let known: &[&str] = match name.as_str() {
            "highlights" => HELIX_HIGHLIGHTS,
            "indents" => &[
                "indent",
                "outdent",
                "indent.always",
                "outdent.always",
                "align",
                "anchor",
                "extend",
                "extend.prevent-once",
            ],
            "textobjects" => HELIX_TEXTOBJECTS,
            "locals" => &[
                "local.scope",
                "local.reference",
                "local.definition",
                "local.definition.variable",
                "local.definition.variable.parameter",
            ],
            "tags" => &[
                "name",
                "definition.function",
                "definition.module",
                "definition.struct",
                "definition.type",
                "definition.constant",
            ],
            other => panic!("{HELIX_QUERIES}/{other}.scm: Helix does not read this query"),
        };
        assert_captures_within(HELIX_QUERIES, name, query, known);
    }
    let seen = captured_texts(&queries["highlights"]);
    for (capture, text) in [
        ("keyword.storage.type", "query"),
        ("type", "\"orders/{order_id}\""),
        ("variable.other.member", "api_group"),
        ("function.builtin", "db.get"),
        ("keyword.control.conditional", "if"),
        ("keyword.control.repeat", "foreach"),
        ("keyword.control.exception", "try_catch"),
        ("type.builtin", "text"),
        ("variable.builtin", "$input"),
        ("variable", "$order"),
        ("function", "trim"),
        ("keyword.operator", "not in"),
        ("constant.builtin.boolean", "true"),
        ("constant.numeric", "1"),
        ("string", "\"user\""),
    ] {
        assert_captured(&seen, capture, text);
    }
    let tags = captured_texts(&queries["tags"]);
    assert_captured(&tags, "name", "\"orders/{order_id}\"");
    let objects = captured_texts(&queries["textobjects"]);
    assert!(objects.iter().any(|(c, _)| c == "class.around"));
    assert!(
        objects
            .iter()
            .any(|(c, t)| c == "function.around" && t.starts_with("db.get"))
    );
}

// ---------------------------------------------------------------- Helix languages.toml

fn helix_config() -> toml::Table {
    let path = repo().join("editors/helix/languages.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn str_array<'a>(value: Option<&'a toml::Value>, what: &str) -> Vec<&'a str> {
    value
        .and_then(|v| v.as_array())
        .unwrap_or_else(|| panic!("{what} must be an array"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("{what} holds a non-string"))
        })
        .collect()
}

/// Helix rejects unknown keys (`deny_unknown_fields`) in these tables.
fn assert_known_keys(table: &toml::Table, known: &[&str], what: &str) {
    let unknown: Vec<_> = table
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "{what}: keys Helix does not know: {unknown:?}"
    );
}

#[test]
fn helix_languages_toml_has_what_helix_reads() {
    let config = helix_config();
    assert_known_keys(
        &config,
        &["language", "language-server", "grammar", "use-grammars"],
        "top level",
    );

    // [[language]]
    let languages = config["language"]
        .as_array()
        .expect("[[language]] is an array of tables");
    let lang = languages
        .iter()
        .filter_map(|l| l.as_table())
        .find(|l| l.get("name").and_then(|n| n.as_str()) == Some("xanoscript"))
        .expect("a [[language]] named xanoscript");
    assert_known_keys(
        lang,
        &[
            "name",
            "language-id",
            "scope",
            "injection-regex",
            "file-types",
            "shebangs",
            "roots",
            "comment-token",
            "comment-tokens",
            "block-comment-tokens",
            "indent",
            "language-servers",
            "grammar",
            "auto-format",
            "formatter",
            "soft-wrap",
            "text-width",
            "rulers",
            "workspace-lsp-roots",
            "auto-pairs",
            "diagnostic-severity",
            "debugger",
            "path-completion",
            "word-completion",
            "persistent-diagnostic-sources",
        ],
        "[[language]]",
    );
    assert_eq!(lang["scope"].as_str(), Some("source.xanoscript"));
    assert_eq!(str_array(lang.get("file-types"), "file-types"), ["xs"]);
    let roots = str_array(lang.get("roots"), "roots");
    assert!(roots.contains(&"xsguard.toml"), "roots: {roots:?}");
    assert_eq!(lang["comment-token"].as_str(), Some("//"));
    let indent = lang["indent"].as_table().expect("indent is a table");
    assert_known_keys(indent, &["tab-width", "unit"], "indent");
    let width = indent["tab-width"]
        .as_integer()
        .expect("indent.tab-width is an integer");
    let unit = indent["unit"].as_str().expect("indent.unit is a string");
    assert!(unit == "\t" || (unit.len() as i64 == width && unit.chars().all(|c| c == ' ')));
    let servers: Vec<&str> = lang["language-servers"]
        .as_array()
        .expect("language-servers is an array")
        .iter()
        .map(|s| {
            s.as_str()
                .or_else(|| s.get("name").and_then(|n| n.as_str()))
                .expect("a language server is a name or {name = ...}")
        })
        .collect();
    assert_eq!(servers, ["xsguard"]);
    let grammar_name = lang
        .get("grammar")
        .and_then(|g| g.as_str())
        .unwrap_or("xanoscript");
    if let Some(pairs) = lang.get("auto-pairs") {
        let pairs = pairs.as_table().expect("auto-pairs is a table");
        for (open, close) in pairs {
            assert_eq!(open.chars().count(), 1, "auto-pairs key {open:?}");
            assert_eq!(
                close.as_str().map(|c| c.chars().count()),
                Some(1),
                "auto-pairs {open:?}"
            );
        }
    }

    // [language-server.xsguard]
    let server = config["language-server"]["xsguard"]
        .as_table()
        .expect("[language-server.xsguard]");
    assert_known_keys(
        server,
        &[
            "command",
            "args",
            "environment",
            "config",
            "timeout",
            "required-root-patterns",
        ],
        "[language-server.xsguard]",
    );
    assert_eq!(server["command"].as_str(), Some("xsguard"));
    assert_eq!(str_array(server.get("args"), "args"), ["lsp"]);
    if let Some(config) = server.get("config") {
        let severity = config.get("severity").and_then(|s| s.as_table());
        assert!(
            severity.is_some(),
            "config.severity is the server's per-rule override table"
        );
    }

    // [[grammar]]
    let grammars = config["grammar"]
        .as_array()
        .expect("[[grammar]] is an array of tables");
    let grammar = grammars
        .iter()
        .filter_map(|g| g.as_table())
        .find(|g| g.get("name").and_then(|n| n.as_str()) == Some(grammar_name))
        .unwrap_or_else(|| panic!("a [[grammar]] named {grammar_name}"));
    assert_known_keys(grammar, &["name", "source"], "[[grammar]]");
    let source = grammar["source"]
        .as_table()
        .expect("grammar.source is a table");
    if let Some(path) = source.get("path") {
        assert!(path.is_str());
    } else {
        assert_known_keys(source, &["git", "rev", "subpath"], "grammar.source");
        let git = source["git"].as_str().expect("grammar.source.git");
        assert!(git.starts_with("https://"), "grammar.source.git: {git}");
        assert!(
            !source["rev"]
                .as_str()
                .expect("grammar.source.rev")
                .is_empty()
        );
        let subpath = source["subpath"].as_str().expect("grammar.source.subpath");
        let dir = repo().join(subpath);
        assert!(
            dir.join("src/parser.c").is_file() && dir.join("src/scanner.c").is_file(),
            "grammar.source.subpath {subpath} holds no src/parser.c and src/scanner.c"
        );
    }

    // The queries sit where Helix's runtime looks for them: runtime/queries/<language name>/.
    let highlights = repo()
        .join("editors/helix/runtime/queries")
        .join("xanoscript")
        .join("highlights.scm");
    assert!(highlights.is_file(), "{}", highlights.display());
}
