//! What an api group says about itself: whether it is active, who may read its Swagger
//! documentation and which origins its CORS setting lets in.

use crate::model::{Attribute, Block, Expr, ExprKind, Object};

use super::literal_name;

/// Whether the group serves requests (`active = false` switches it off).
pub fn active(group: &Object) -> bool {
    group
        .attribute("active")
        .and_then(|a| a.value.as_bool())
        .unwrap_or(true)
}

/// Who may read the group's API documentation.
#[derive(Debug, Clone, Copy)]
pub enum Swagger<'a> {
    /// No `swagger` setting: Xano publishes the documentation.
    Default,
    /// `swagger = false`, or `{active: false}`.
    Off(&'a Attribute),
    /// `swagger = true`, or active without a token (an empty or null token is none).
    Public(&'a Attribute),
    /// Active, behind a token.
    Token(&'a Attribute),
    /// A value that is not a literal: nothing is known.
    Unknown(&'a Attribute),
}

/// The group's `swagger` setting.
pub fn swagger(group: &Object) -> Swagger<'_> {
    let Some(attr) = group.attribute("swagger") else {
        return Swagger::Default;
    };
    let value = &attr.value;
    match &value.kind {
        ExprKind::Bool(true) => Swagger::Public(attr),
        ExprKind::Bool(false) => Swagger::Off(attr),
        ExprKind::Object(_) => {
            if !value.get("active").and_then(Expr::as_bool).unwrap_or(true) {
                Swagger::Off(attr)
            } else if value.get("token").is_some_and(|t| {
                !matches!(t.string_value(), Some("")) && !matches!(t.kind, ExprKind::Null)
            }) {
                Swagger::Token(attr)
            } else {
                Swagger::Public(attr)
            }
        }
        _ => Swagger::Unknown(attr),
    }
}

/// Where the group's CORS setting is written.
#[derive(Debug, Clone, Copy)]
pub enum CorsWritten<'a> {
    /// Nowhere: Xano's default applies.
    Missing,
    /// `cors = {...}`, the setting Xano reads.
    Attribute(&'a Attribute),
    /// A `cors { ... }` block, which Xano does not read; its values are judged anyway, with
    /// the spellings people use there.
    Block(&'a Block),
}

/// Which origins may call the group from a browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsPolicy {
    /// No setting: every origin, with credentials.
    Default,
    /// A mode that lets every origin in (`default`, `wildcard`, ...), lower case.
    OpenMode(String),
    /// Set, but no origins listed: every origin.
    NoOrigins,
    /// The wildcard origin `*` is listed.
    Wildcard { credentials: bool },
    /// The `null` origin is listed.
    NullOrigin,
    /// Only these origins (lower case).
    Origins(Vec<String>),
    /// Not a literal (`cors = false`, a reference): nothing is known.
    Unknown,
}

/// The group's CORS setting.
#[derive(Debug, Clone)]
pub struct Cors<'a> {
    pub written: CorsWritten<'a>,
    pub policy: CorsPolicy,
}

/// Mode names that let every origin in.
const OPEN_MODES: &[&str] = &["default", "wildcard", "*", "all", "any", "open"];

/// The group's CORS setting: the `cors` attribute, else a `cors { ... }` block.
pub fn cors(group: &Object) -> Cors<'_> {
    if let Some(attr) = group.attribute("cors") {
        return Cors {
            written: CorsWritten::Attribute(attr),
            policy: attribute_policy(&attr.value),
        };
    }
    let block = group
        .body
        .statements()
        .find(|s| s.name.value == "cors")
        .and_then(|s| s.body.as_ref());
    match block {
        Some(block) => {
            let origins = block
                .attribute("origins")
                .or_else(|| block.attribute("allow_origins"))
                .map(|a| &a.value);
            let credentials = block
                .attribute("credentials")
                .or_else(|| block.attribute("allow_credentials"))
                .and_then(|a| a.value.as_bool())
                .unwrap_or(false);
            Cors {
                written: CorsWritten::Block(block),
                policy: match origins {
                    Some(origins) => origins_policy(origins, credentials),
                    None => CorsPolicy::NoOrigins,
                },
            }
        }
        None => Cors {
            written: CorsWritten::Missing,
            policy: CorsPolicy::Default,
        },
    }
}

fn attribute_policy(cors: &Expr) -> CorsPolicy {
    if !matches!(cors.kind, ExprKind::Object(_)) {
        return CorsPolicy::Unknown;
    }
    let mode = cors
        .get("mode")
        .and_then(literal_name)
        .unwrap_or("default")
        .to_ascii_lowercase();
    if OPEN_MODES.contains(&mode.as_str()) {
        return CorsPolicy::OpenMode(mode);
    }
    let credentials = cors
        .get("credentials")
        .and_then(Expr::as_bool)
        .unwrap_or(false);
    match cors.get("origins") {
        Some(origins) => origins_policy(origins, credentials),
        None => CorsPolicy::NoOrigins,
    }
}

fn origins_policy(origins: &Expr, credentials: bool) -> CorsPolicy {
    let values: Vec<&str> = match &origins.kind {
        ExprKind::Array(items) => items.iter().filter_map(Expr::string_value).collect(),
        ExprKind::String(s) => vec![s.as_str()],
        _ => return CorsPolicy::Unknown,
    };
    let values: Vec<String> = values
        .iter()
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect();
    if values
        .iter()
        .any(|v| v == "*" || v == "https://*" || v == "http://*")
    {
        CorsPolicy::Wildcard { credentials }
    } else if values.iter().any(|v| v == "null") {
        CorsPolicy::NullOrigin
    } else {
        CorsPolicy::Origins(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lower;
    use crate::syntax::parse;

    fn group(body: &str) -> Object {
        let text = format!("api_group shop {{\n{body}\n}}\n");
        let tree = parse(text.as_str());
        lower(tree.tree().root_node(), &text).objects.remove(0)
    }

    #[test]
    fn swagger_settings() {
        assert!(matches!(swagger(&group("")), Swagger::Default));
        assert!(matches!(
            swagger(&group("swagger = false")),
            Swagger::Off(_)
        ));
        assert!(matches!(
            swagger(&group("swagger = {active: false}")),
            Swagger::Off(_)
        ));
        assert!(matches!(
            swagger(&group("swagger = true")),
            Swagger::Public(_)
        ));
        assert!(matches!(
            swagger(&group("swagger = {token: \"\"}")),
            Swagger::Public(_)
        ));
        assert!(matches!(
            swagger(&group("swagger = {token: null}")),
            Swagger::Public(_)
        ));
        assert!(matches!(
            swagger(&group("swagger = {token: \"s3\"}")),
            Swagger::Token(_)
        ));
        assert!(matches!(
            swagger(&group("swagger = $env.DOCS")),
            Swagger::Unknown(_)
        ));
    }

    #[test]
    fn cors_settings() {
        assert_eq!(cors(&group("")).policy, CorsPolicy::Default);
        assert_eq!(
            cors(&group("cors = {mode: \"Default\"}")).policy,
            CorsPolicy::OpenMode("default".into())
        );
        assert_eq!(
            cors(&group("cors = {mode: \"custom\"}")).policy,
            CorsPolicy::NoOrigins
        );
        assert_eq!(
            cors(&group(
                "cors = {mode: \"custom\", origins: [\"*\"], credentials: true}"
            ))
            .policy,
            CorsPolicy::Wildcard { credentials: true }
        );
        assert_eq!(
            cors(&group(
                "cors = {mode: \"custom\", origins: \"https://a.com, null\"}"
            ))
            .policy,
            CorsPolicy::NullOrigin
        );
        assert_eq!(
            cors(&group(
                "cors = {mode: \"custom\", origins: [\"https://A.com\"]}"
            ))
            .policy,
            CorsPolicy::Origins(vec!["https://a.com".into()])
        );
        assert_eq!(cors(&group("cors = false")).policy, CorsPolicy::Unknown);
        let written = group("cors {\n  allow_origins = [\"*\"]\n}");
        let block = cors(&written);
        assert!(matches!(block.written, CorsWritten::Block(_)));
        assert_eq!(block.policy, CorsPolicy::Wildcard { credentials: false });
    }

    #[test]
    fn active_by_default() {
        assert!(active(&group("")));
        assert!(!active(&group("active = false")));
    }
}
