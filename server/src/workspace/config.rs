//! `xsguard.toml`: the workspace's settings.
//!
//! ```toml
//! auth-tables = ["user"]            # tables that hold the signed-in accounts
//! owner-fields = ["user_id", "owner_id"]
//! sensitive-names = ["password", "api_key"]
//! token-expiry-days = 30
//! exclude = ["vendor/**"]
//!
//! [severity]
//! XS301 = "off"
//! XS102 = "error"
//! ```
//!
//! A file that does not parse, or names an unknown key, rule or severity, is an error with its
//! line and column: settings are never dropped silently.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::finding::Severity;

/// Whether a rule code exists. The rules sit above the workspace, so whoever loads a configuration
/// passes their registry in.
pub type KnownRule = fn(&str) -> bool;

/// The file name looked up at the workspace root.
pub const CONFIG_FILE: &str = "xsguard.toml";

/// Owner-field names of the catalogue (`<auth table>_id` is added per auth table).
pub const DEFAULT_OWNER_FIELDS: &[&str] = &[
    "user_id",
    "owner_id",
    "created_by",
    "author_id",
    "account_id",
];

/// Names (whole snake_case words) that mark credentials, secrets or regulated personal data.
pub const DEFAULT_SENSITIVE_NAMES: &[&str] = &[
    "password",
    "passcode",
    "pin",
    "secret",
    "token",
    "api_key",
    "apikey",
    "access_key",
    "private_key",
    "client_secret",
    "refresh_token",
    "otp",
    "ssn",
    "social_security",
    "tax_id",
    "passport",
    "credit_card",
    "card_number",
    "cvv",
    "cvc",
    "iban",
    "account_number",
    "routing_number",
    "dob",
    "date_of_birth",
];

/// A rule's configured severity: a level, or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    Level(Severity),
}

/// Settings after defaults are applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Auth tables named by the user; empty means "the tables with `auth = true`".
    pub auth_tables: Vec<String>,
    pub owner_fields: Vec<String>,
    pub sensitive_names: Vec<String>,
    pub token_expiry_days: u32,
    pub exclude: Vec<String>,
    pub severity: BTreeMap<String, RuleLevel>,
    /// Where the settings came from, if from a file.
    pub source: Option<PathBuf>,
    /// Where each entry of `auth-tables` and `owner-fields` is written (1-based line and
    /// column), for warnings about names the workspace does not have.
    pub positions: Positions,
}

/// Places of list entries in the settings file, in list order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Positions {
    pub auth_tables: Vec<(usize, usize)>,
    pub owner_fields: Vec<(usize, usize)>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            auth_tables: Vec::new(),
            owner_fields: DEFAULT_OWNER_FIELDS.iter().map(|s| s.to_string()).collect(),
            sensitive_names: DEFAULT_SENSITIVE_NAMES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            token_expiry_days: 30,
            exclude: Vec::new(),
            severity: BTreeMap::new(),
            source: None,
            positions: Positions::default(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    auth_tables: Option<Vec<Spanned<String>>>,
    owner_fields: Option<Vec<Spanned<String>>>,
    sensitive_names: Option<Vec<String>>,
    token_expiry_days: Option<u32>,
    exclude: Option<Vec<Spanned<String>>>,
    severity: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
}

/// What is wrong with a configuration file, or worth a warning, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line and column, when the problem has a place.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(
                f,
                "{}:{line}:{column}: {}",
                self.path.display(),
                self.message
            ),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads `xsguard.toml` from `dir` if there is one. An entry of that name that is not a
    /// readable file (a folder, a link to nothing) is an error, not a file to pass over.
    pub fn discover(dir: &Path, known: KnownRule) -> Result<Self, ConfigError> {
        let path = dir.join(CONFIG_FILE);
        if std::fs::symlink_metadata(&path).is_ok() {
            Self::load(&path, known)
        } else {
            Ok(Self::default())
        }
    }

    /// Reads and validates a configuration file.
    pub fn load(path: &Path, known: KnownRule) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            position: None,
            message: format!("cannot read the file: {e}"),
        })?;
        let mut config = Self::parse(&text, known).map_err(|(position, message)| ConfigError {
            path: path.to_path_buf(),
            position,
            message,
        })?;
        config.source = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parses the text of a configuration file; errors carry a 1-based (line, column).
    pub fn parse(text: &str, known: KnownRule) -> Result<Self, (Option<(usize, usize)>, String)> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let position = e.span().map(|span| line_col(text, span.start));
            (position, e.message().trim().to_string())
        })?;
        let mut config = Self::default();
        let place = |s: &Spanned<String>| line_col(text, s.span().start + 1);
        if let Some(v) = raw.auth_tables {
            config.positions.auth_tables = v.iter().map(place).collect();
            config.auth_tables = v.into_iter().map(Spanned::into_inner).collect();
        }
        if let Some(v) = raw.owner_fields {
            config.positions.owner_fields = v.iter().map(place).collect();
            config.owner_fields = v.into_iter().map(Spanned::into_inner).collect();
        }
        if let Some(v) = raw.sensitive_names {
            config.sensitive_names = v.into_iter().map(|s| s.to_ascii_lowercase()).collect();
        }
        if let Some(days) = raw.token_expiry_days {
            config.token_expiry_days = days;
        }
        if let Some(v) = raw.exclude {
            for pattern in &v {
                globset::Glob::new(pattern.as_ref()).map_err(|e| {
                    (
                        Some(place(pattern)),
                        format!("invalid exclude pattern `{}`: {e}", pattern.as_ref()),
                    )
                })?;
            }
            config.exclude = v.into_iter().map(Spanned::into_inner).collect();
        }
        for (code, level) in raw.severity.unwrap_or_default() {
            let position = Some(line_col(text, code.span().start));
            let (code, level) = (code.into_inner(), level.into_inner());
            let code_upper = code.to_ascii_uppercase();
            if !known(&code_upper) {
                return Err((position, format!("unknown rule `{code}` in [severity]")));
            }
            let level = match level.as_str() {
                "off" => RuleLevel::Off,
                "info" => RuleLevel::Level(Severity::Info),
                "warning" => RuleLevel::Level(Severity::Warning),
                "error" => RuleLevel::Level(Severity::Error),
                other => {
                    return Err((
                        position,
                        format!(
                            "severity of {code} must be one of \"off\", \"info\", \"warning\", \"error\", not \"{other}\""
                        ),
                    ));
                }
            };
            config.severity.insert(code_upper, level);
        }
        Ok(config)
    }

    /// The severity of `code`, or `None` when it is switched off.
    pub fn severity_of(&self, code: &str, default: Severity) -> Option<Severity> {
        match self.severity.get(code) {
            Some(RuleLevel::Off) => None,
            Some(RuleLevel::Level(level)) => Some(*level),
            None => Some(default),
        }
    }

    /// A matcher for `exclude`, relative to the workspace root.
    pub fn exclude_matcher(&self) -> globset::GlobSet {
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in &self.exclude {
            if let Ok(glob) = globset::Glob::new(pattern) {
                builder.add(glob);
            }
        }
        builder
            .build()
            .unwrap_or_else(|_| globset::GlobSet::empty())
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.chars().count(), |i| before[i + 1..].chars().count())
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(code: &str) -> bool {
        matches!(code, "XS000" | "XS101")
    }

    #[test]
    fn defaults_when_empty() {
        let config = Config::parse("", known).unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(config.token_expiry_days, 30);
    }

    #[test]
    fn reads_every_setting() {
        let config = Config::parse(
            "auth-tables = [\"account\"]\nowner-fields = [\"tenant_id\"]\ntoken-expiry-days = 7\nexclude = [\"old/**\"]\n[severity]\nXS000 = \"warning\"\n",
            known,
        )
        .unwrap();
        assert_eq!(config.auth_tables, ["account"]);
        assert_eq!(config.positions.auth_tables, [(1, 17)]);
        assert_eq!(config.owner_fields, ["tenant_id"]);
        assert_eq!(config.token_expiry_days, 7);
        assert!(config.exclude_matcher().is_match("old/a.xs"));
        assert_eq!(
            config.severity_of("XS000", Severity::Error),
            Some(Severity::Warning)
        );
    }

    #[test]
    fn errors_name_the_line() {
        let (position, message) =
            Config::parse("auth-tables = [\"user\"]\nowner-feilds = []\n", known).unwrap_err();
        assert_eq!(position.map(|p| p.0), Some(2));
        assert!(message.contains("owner-feilds"), "{message}");

        let (position, message) =
            Config::parse("[severity]\nXS000 = \"loud\"\n", known).unwrap_err();
        assert_eq!(position, Some((2, 1)));
        assert!(message.contains("\"loud\""), "{message}");

        let (_, message) = Config::parse("[severity]\nXS999 = \"off\"\n", known).unwrap_err();
        assert!(message.contains("unknown rule `XS999`"), "{message}");

        // The entry itself, not the first mention of its code (here in a comment).
        let (position, _) =
            Config::parse("# XS101 is noisy\n[severity]\nXS101 = \"loud\"\n", known).unwrap_err();
        assert_eq!(position, Some((3, 1)));

        let (position, _) = Config::parse("token-expiry-days = \"long\"\n", known).unwrap_err();
        assert_eq!(position.map(|p| p.0), Some(1));
    }
}
