//! Editor settings: what `initializationOptions` and `workspace/didChangeConfiguration` (or a
//! `workspace/configuration` answer) may say.
//!
//! ```json
//! { "xsguard": {
//!     "severity": { "XS301": "off", "XS303": "error" },
//!     "select": ["XS1", "XS301"], "ignore": ["XS104"],
//!     "debounceMs": 150 } }
//! ```
//!
//! The object may come with or without the `xsguard` wrapper. Keys the server does not know are
//! ignored: editors send their own (such as the path of the server binary) in the same section.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::finding::Severity;
use crate::rules::{RuleSelection, rule};
use crate::workspace::config::RuleLevel;

/// How long after the last keystroke diagnostics are computed, unless configured.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(150);

/// Longest the debounce may be set to.
const MAX_DEBOUNCE_MS: u64 = 5_000;

/// The settings as the editor sent them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    /// Per-rule severity (`off`, `info`, `warning`, `error`), over what `xsguard.toml` says.
    pub severity: BTreeMap<String, String>,
    /// Rules to run, as `xsguard check --select` takes them; empty means all.
    pub select: Vec<String>,
    /// Rules not to run, as `--ignore` takes them.
    pub ignore: Vec<String>,
    /// Quiet time after an edit before diagnostics are computed, in milliseconds.
    pub debounce_ms: Option<u64>,
}

impl Settings {
    /// Reads settings from a JSON value; `None` when the value holds no settings at all (a
    /// client that only announces that something changed sends `null`).
    pub fn from_value(value: &Value) -> Result<Option<Self>, String> {
        let section = match value {
            Value::Null => return Ok(None),
            Value::Object(map) => match map.get("xsguard") {
                Some(Value::Null) => return Ok(None),
                Some(inner) => inner,
                None if map.is_empty() => return Ok(None),
                None => value,
            },
            _ => return Err("xsguard settings must be a JSON object".to_string()),
        };
        serde_json::from_value(section.clone())
            .map(Some)
            .map_err(|e| format!("invalid xsguard settings: {e}"))
    }

    /// The rules these settings enable.
    pub fn selection(&self) -> Result<RuleSelection, String> {
        RuleSelection::from_selectors(&self.select, &self.ignore).map_err(|e| e.to_string())
    }

    /// The severity overrides that are valid, and a message for each one that is not.
    pub fn severity_overrides(&self) -> (BTreeMap<String, RuleLevel>, Vec<String>) {
        let mut overrides = BTreeMap::new();
        let mut problems = Vec::new();
        for (code, level) in &self.severity {
            let code = code.trim().to_ascii_uppercase();
            if rule(&code).is_none() {
                problems.push(format!(
                    "severity: `{code}` is not a rule code (like XS301)"
                ));
                continue;
            }
            let level = match level.trim().to_ascii_lowercase().as_str() {
                "off" => RuleLevel::Off,
                "info" => RuleLevel::Level(Severity::Info),
                "warning" => RuleLevel::Level(Severity::Warning),
                "error" => RuleLevel::Level(Severity::Error),
                other => {
                    problems.push(format!(
                        "severity of {code} must be one of off, info, warning, error, not `{other}`"
                    ));
                    continue;
                }
            };
            overrides.insert(code, level);
        }
        (overrides, problems)
    }

    /// The debounce delay.
    pub fn debounce(&self) -> Duration {
        self.debounce_ms.map_or(DEFAULT_DEBOUNCE, |ms| {
            Duration::from_millis(ms.min(MAX_DEBOUNCE_MS))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_wrapped_and_bare_sections() {
        let wrapped = json!({"xsguard": {"ignore": ["XS301"], "debounceMs": 20, "path": "/x"}});
        let bare = json!({"ignore": ["XS301"], "debounceMs": 20});
        for value in [wrapped, bare] {
            let settings = Settings::from_value(&value).unwrap().unwrap();
            assert_eq!(settings.ignore, ["XS301"]);
            assert_eq!(settings.debounce(), Duration::from_millis(20));
            assert!(!settings.selection().unwrap().is_enabled("XS301"));
        }
    }

    #[test]
    fn severity_overrides_are_checked() {
        let value = json!({"severity": {"xs301": "off", "XS303": "Error", "XS999": "off", "XS101": "loud"}});
        let settings = Settings::from_value(&value).unwrap().unwrap();
        let (overrides, problems) = settings.severity_overrides();
        assert_eq!(overrides.get("XS301"), Some(&RuleLevel::Off));
        assert_eq!(
            overrides.get("XS303"),
            Some(&RuleLevel::Level(Severity::Error))
        );
        assert_eq!(overrides.len(), 2);
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn null_means_ask_the_client() {
        assert_eq!(Settings::from_value(&Value::Null), Ok(None));
        assert_eq!(Settings::from_value(&json!({"xsguard": null})), Ok(None));
        assert_eq!(Settings::from_value(&json!({})), Ok(None));
    }

    #[test]
    fn bad_settings_are_reported() {
        assert!(Settings::from_value(&json!({"select": "XS1"})).is_err());
        assert!(Settings::from_value(&json!(3)).is_err());
        let unknown = Settings {
            select: vec!["XS999".into()],
            ..Settings::default()
        };
        assert!(unknown.selection().is_err());
        let slow = Settings {
            debounce_ms: Some(u64::MAX),
            ..Settings::default()
        };
        assert_eq!(slow.debounce(), Duration::from_millis(MAX_DEBOUNCE_MS));
    }
}
