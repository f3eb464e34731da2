//! What an endpoint (`query`) says about itself: its verb, path, `auth` and api group.

use crate::model::{Object, Span};

use super::literal_name;

/// The table named by the endpoint's `auth = "..."`, when it names one.
pub fn auth(endpoint: &Object) -> Option<&str> {
    endpoint
        .attribute("auth")
        .and_then(|a| literal_name(&a.value))
        .filter(|s| !s.trim().is_empty())
}

/// The api group the endpoint joins, by its `api_group = "..."`.
pub fn api_group(endpoint: &Object) -> Option<&str> {
    endpoint
        .attribute("api_group")
        .and_then(|a| literal_name(&a.value))
}

/// The verb as written, when it is.
pub fn written_verb(endpoint: &Object) -> Option<&str> {
    endpoint.header("verb").and_then(|a| literal_name(&a.value))
}

/// The verb, upper case (`GET` when absent, as Xano reads it).
pub fn verb(endpoint: &Object) -> String {
    written_verb(endpoint).unwrap_or("GET").to_ascii_uppercase()
}

/// The endpoint's path as written (its name).
pub fn path(endpoint: &Object) -> &str {
    endpoint.name.as_ref().map_or("", |n| n.value.as_str())
}

/// `VERB path`, the verb upper case.
pub fn describe(endpoint: &Object) -> String {
    format!("{} {}", verb(endpoint), path(endpoint))
}

/// `verb path` as written (`path` alone when no verb is written; `?` when the path is missing).
pub fn label(endpoint: &Object) -> String {
    let name = endpoint.name.as_ref().map_or("?", |n| n.value.as_str());
    match written_verb(endpoint) {
        Some(verb) => format!("{verb} {name}"),
        None => name.to_string(),
    }
}

/// The span from the object's kind to its name: where object-level findings are reported.
pub fn header_span(object: &Object) -> Span {
    match &object.name {
        Some(n) => object.kind.span.start..n.span.end,
        None => object.kind.span.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lower;
    use crate::syntax::parse;

    fn endpoint(text: &str) -> Object {
        let tree = parse(text);
        lower(tree.tree().root_node(), text).objects.remove(0)
    }

    #[test]
    fn reads_what_the_endpoint_says() {
        let e = endpoint(
            "query \"users/{id}\" verb=patch {\n  api_group = \"Admin\"\n  auth = \"user\"\n  stack {\n  }\n}\n",
        );
        assert_eq!(auth(&e), Some("user"));
        assert_eq!(api_group(&e), Some("Admin"));
        assert_eq!(verb(&e), "PATCH");
        assert_eq!(describe(&e), "PATCH users/{id}");
        assert_eq!(label(&e), "patch users/{id}");
    }

    #[test]
    fn blank_auth_and_missing_verb() {
        let e = endpoint("query health {\n  auth = \"  \"\n  stack {\n  }\n}\n");
        assert_eq!(auth(&e), None);
        assert_eq!(verb(&e), "GET");
        assert_eq!(label(&e), "health");
    }
}
