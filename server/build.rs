//! Collects each rule's documentation (the `//!` comment at the top of `src/rules/xsNNN_*.rs`)
//! so `xsguard explain`, `xsguard rules` and docs/rules.md show the text that lives beside the
//! rule's code.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new("src/rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<(String, String)> = Vec::new();
    for entry in std::fs::read_dir(dir).expect("src/rules exists") {
        let path = entry.expect("directory entry").path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let Some(code) = stem
            .get(..5)
            .filter(|c| c.starts_with("xs") && c[2..].chars().all(|d| d.is_ascii_digit()))
        else {
            continue;
        };
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("rule file is readable");
        let doc: Vec<&str> = text
            .lines()
            .map_while(|l| l.strip_prefix("//!"))
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect();
        entries.push((code.to_ascii_uppercase(), doc.join("\n").trim().to_string()));
    }
    entries.sort();
    let mut out = String::from(
        "/// Each rule's documentation, by code.\npub static RULE_DOCS: &[(&str, &str)] = &[\n",
    );
    for (code, doc) in entries {
        writeln!(out, "    ({code:?}, {doc:?}),").unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("rule_docs.rs");
    std::fs::write(dest, out).unwrap();
}
