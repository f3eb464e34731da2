//! Document and workspace symbols: every endpoint (with its verb, path, api group and auth),
//! function, table and the rest, so that an audit can start from the inventory.

use std::ops::Range;

use tower_lsp_server::ls_types::{
    DocumentSymbol, DocumentSymbolResponse, Location, SymbolInformation, SymbolKind, Uri,
};

use super::convert::{self, Encoding};
use super::index::Index;
use crate::model::Object;
use crate::semantics::endpoint;
use crate::workspace::FileModel;

/// Most symbols a workspace search returns.
const MAX_WORKSPACE_SYMBOLS: usize = 5_000;

/// A symbol in byte ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Symbol {
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: Range<usize>,
    selection: Range<usize>,
    /// For endpoints: the api group.
    container: Option<String>,
    children: Vec<Symbol>,
}

/// The symbols of one file, nested when the client takes nesting.
pub fn document_symbols(
    file: &FileModel,
    uri: &Uri,
    encoding: Encoding,
    hierarchical: bool,
) -> DocumentSymbolResponse {
    let symbols: Vec<Symbol> = file.model.objects.iter().map(object_symbol).collect();
    if hierarchical {
        DocumentSymbolResponse::Nested(symbols.iter().map(|s| nested(s, file, encoding)).collect())
    } else {
        let mut flat = Vec::new();
        for symbol in &symbols {
            flat.push(information(
                symbol,
                file,
                uri,
                encoding,
                symbol.container.clone(),
            ));
            for child in &symbol.children {
                flat.push(information(
                    child,
                    file,
                    uri,
                    encoding,
                    Some(symbol.name.clone()),
                ));
            }
        }
        DocumentSymbolResponse::Flat(flat)
    }
}

/// The objects of every indexed file whose name matches `query` (a case-insensitive
/// subsequence, as editors filter), open documents in their edited state.
pub fn workspace_symbols(index: &Index, query: &str, encoding: Encoding) -> Vec<SymbolInformation> {
    let query: Vec<char> = query
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut out = Vec::new();
    for project in index.projects() {
        let mut files: Vec<&std::sync::Arc<FileModel>> = project.ws.files().collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        for file in files {
            let uri = match project.open_file(&file.path) {
                Some(open) => open.key.clone(),
                None => match convert::uri_of(&file.path) {
                    Some(uri) => uri,
                    None => continue,
                },
            };
            for object in &file.model.objects {
                let symbol = object_symbol(object);
                if matches(&query, &symbol.name) {
                    out.push(information(
                        &symbol,
                        file,
                        &uri,
                        encoding,
                        symbol.container.clone(),
                    ));
                    if out.len() >= MAX_WORKSPACE_SYMBOLS {
                        return out;
                    }
                }
            }
        }
    }
    out
}

fn matches(query: &[char], name: &str) -> bool {
    let mut wanted = query.iter().peekable();
    for c in name.to_lowercase().chars() {
        if wanted.peek() == Some(&&c) {
            wanted.next();
        }
    }
    wanted.peek().is_none()
}

fn object_symbol(object: &Object) -> Symbol {
    let kind_word = object.kind.value.as_str();
    let name = object.name.as_ref().map(|n| n.value.clone());
    let selection = object
        .name
        .as_ref()
        .map_or(object.kind.span.clone(), |n| n.span.clone());
    let mut symbol = Symbol {
        name: name.clone().unwrap_or_else(|| kind_word.to_string()),
        detail: Some(kind_word.to_string()),
        kind: SymbolKind::OBJECT,
        range: object.span.clone(),
        selection,
        container: None,
        children: Vec::new(),
    };
    match kind_word {
        "query" => {
            let verb = endpoint::written_verb(object).map(str::to_ascii_uppercase);
            let path = name.unwrap_or_default();
            symbol.name = match verb {
                Some(verb) => format!("{verb} {path}"),
                None => path,
            };
            symbol.kind = SymbolKind::METHOD;
            let group = endpoint::api_group(object).map(str::to_string);
            let auth = match endpoint::auth(object) {
                Some(table) => format!("auth {table}"),
                None => "no auth".to_string(),
            };
            symbol.detail = Some(match &group {
                Some(group) => format!("api group {group} · {auth}"),
                None => auth,
            });
            symbol.container = group;
        }
        "function" | "middleware" | "addon" | "tool" => symbol.kind = SymbolKind::FUNCTION,
        "api_group" => symbol.kind = SymbolKind::NAMESPACE,
        "task" | "run.job" | "run.service" => symbol.kind = SymbolKind::EVENT,
        k if k.ends_with("_trigger") => symbol.kind = SymbolKind::EVENT,
        "table" => {
            symbol.kind = SymbolKind::STRUCT;
            if object
                .attribute("auth")
                .and_then(|a| a.value.as_bool())
                .unwrap_or(false)
            {
                symbol.detail = Some("auth table".to_string());
            }
            symbol.children = object
                .fields("schema")
                .map(|schema| {
                    schema
                        .fields
                        .iter()
                        .filter_map(|field| {
                            let name = field.name.as_ref()?;
                            let sensitive = field
                                .attribute("sensitive")
                                .and_then(|a| a.value.as_bool())
                                .unwrap_or(false);
                            Some(Symbol {
                                name: name.value.clone(),
                                detail: Some(if sensitive {
                                    format!("{} · sensitive", field.ty.value)
                                } else {
                                    field.ty.value.clone()
                                }),
                                kind: SymbolKind::FIELD,
                                range: field.span.clone(),
                                selection: name.span.clone(),
                                container: None,
                                children: Vec::new(),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
        }
        _ => {}
    }
    if symbol.name.is_empty() {
        // Clients reject symbols without a name.
        symbol.name = kind_word.to_string();
    }
    symbol
}

#[allow(deprecated)] // `deprecated` is a required field of the protocol type.
fn nested(symbol: &Symbol, file: &FileModel, encoding: Encoding) -> DocumentSymbol {
    let index = &file.line_index;
    // The selection must lie inside the range.
    let selection = symbol.selection.start.max(symbol.range.start)
        ..symbol
            .selection
            .end
            .min(symbol.range.end)
            .max(symbol.selection.start.max(symbol.range.start));
    DocumentSymbol {
        name: symbol.name.clone(),
        detail: symbol.detail.clone(),
        kind: symbol.kind,
        tags: None,
        deprecated: None,
        range: convert::range(index, &symbol.range, encoding),
        selection_range: convert::range(index, &selection, encoding),
        children: (!symbol.children.is_empty()).then(|| {
            symbol
                .children
                .iter()
                .map(|c| nested(c, file, encoding))
                .collect()
        }),
    }
}

#[allow(deprecated)] // `deprecated` is a required field of the protocol type.
fn information(
    symbol: &Symbol,
    file: &FileModel,
    uri: &Uri,
    encoding: Encoding,
    container: Option<String>,
) -> SymbolInformation {
    SymbolInformation {
        name: symbol.name.clone(),
        kind: symbol.kind,
        tags: None,
        deprecated: None,
        location: Location::new(
            uri.clone(),
            convert::range(&file.line_index, &symbol.range, encoding),
        ),
        container_name: container,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    const FILE: &str = "query \"orders/{id}\" verb=GET {\n  api_group = \"shop\"\n  stack {\n  }\n  response = 1\n}\n\ntable user {\n  auth = true\n  schema {\n    int id\n    text token {\n      sensitive = true\n    }\n  }\n}\n";

    #[test]
    fn endpoints_show_verb_path_group_and_auth() {
        let file = FileModel::parse("/w/a.xs", FILE);
        let uri = Uri::from_str("file:///w/a.xs").unwrap();
        let DocumentSymbolResponse::Nested(symbols) =
            document_symbols(&file, &uri, Encoding::Utf16, true)
        else {
            panic!("nested symbols")
        };
        assert_eq!(symbols[0].name, "GET orders/{id}");
        assert_eq!(
            symbols[0].detail.as_deref(),
            Some("api group shop · no auth")
        );
        assert_eq!(symbols[0].kind, SymbolKind::METHOD);
        assert_eq!(symbols[1].name, "user");
        assert_eq!(symbols[1].detail.as_deref(), Some("auth table"));
        let columns = symbols[1].children.as_ref().unwrap();
        assert_eq!(columns[1].name, "token");
        assert_eq!(columns[1].detail.as_deref(), Some("text · sensitive"));

        let DocumentSymbolResponse::Flat(flat) =
            document_symbols(&file, &uri, Encoding::Utf16, false)
        else {
            panic!("flat symbols")
        };
        assert_eq!(flat.len(), 4);
        assert_eq!(flat[0].container_name.as_deref(), Some("shop"));
    }

    #[test]
    fn subsequence_matching() {
        let q = |s: &str| s.chars().collect::<Vec<_>>();
        assert!(matches(&q("getord"), "get orders/{id}"));
        assert!(matches(&q(""), "anything"));
        assert!(!matches(&q("post"), "GET orders"));
    }
}
