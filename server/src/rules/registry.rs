//! The list of every rule, and selection by code prefix.

use std::fmt;

use super::rule::Rule;

/// All rules, ordered by code.
pub static RULES: &[Rule] = &[
    super::xs000_syntax_error::RULE,
    super::xs001_suppression_without_reason::RULE,
    super::xs002_unused_suppression::RULE,
    super::xs003_unfilled_placeholder::RULE,
    super::xs101_unauthenticated_data_access::RULE,
    super::xs102_idor_request_id::RULE,
    super::xs103_mass_assignment::RULE,
    super::xs104_missing_rate_limit::RULE,
    super::xs105_webhook_signature_unverified::RULE,
    super::xs201_sensitive_field_unflagged::RULE,
    super::xs202_response_exposes_record::RULE,
    super::xs203_sensitive_data_logged::RULE,
    super::xs204_public_personal_data::RULE,
    super::xs301_public_swagger::RULE,
    super::xs302_permissive_cors::RULE,
    super::xs303_long_lived_token::RULE,
    super::xs401_sql_injection::RULE,
    super::xs402_ssrf::RULE,
    super::xs403_code_injection::RULE,
    super::xs501_hardcoded_secret::RULE,
    super::xs502_test_credential::RULE,
    super::xs503_weak_hash::RULE,
];

/// The rule with this exact code.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.code == code)
}

/// Whether `code` names a rule: what a configuration is validated against.
pub fn is_known(code: &str) -> bool {
    rule(code).is_some()
}

/// A `--select`/`--ignore` entry that matches no rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectorError {
    /// The selector as written.
    pub selector: String,
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown rule selector `{}`: no rule code starts with it (use a code such as `XS000`, a prefix such as `XS0`, or `ALL`)",
            self.selector
        )
    }
}

impl std::error::Error for SelectorError {}

/// The set of rules to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSelection {
    enabled: Vec<&'static Rule>,
}

impl Default for RuleSelection {
    fn default() -> Self {
        Self::all()
    }
}

impl RuleSelection {
    /// Every rule.
    pub fn all() -> Self {
        Self {
            enabled: RULES.iter().collect(),
        }
    }

    /// Rules chosen by code selectors, as `--select` and `--ignore` take them.
    ///
    /// A selector is a code, a code prefix (`XS1` means every `XS1xx` rule) or `ALL`; case does
    /// not matter. An empty `select` means `ALL`. When a rule matches both lists, the longer
    /// (more specific) selector wins, and `ignore` wins a tie, so `--select XS1 --ignore XS101`
    /// and `--select XS101 --ignore XS1` both do what they say.
    pub fn from_selectors<S: AsRef<str>>(
        select: &[S],
        ignore: &[S],
    ) -> Result<Self, SelectorError> {
        let select = parse_selectors(select)?;
        let ignore = parse_selectors(ignore)?;
        let select = if select.is_empty() {
            vec![String::new()]
        } else {
            select
        };
        let enabled = RULES
            .iter()
            .filter(|rule| {
                let selected = specificity(&select, rule.code);
                let ignored = specificity(&ignore, rule.code);
                match (selected, ignored) {
                    (Some(s), Some(i)) => s > i,
                    (Some(_), None) => true,
                    (None, _) => false,
                }
            })
            .collect();
        Ok(Self { enabled })
    }

    /// Whether the rule with this code runs.
    pub fn is_enabled(&self, code: &str) -> bool {
        self.enabled.iter().any(|rule| rule.code == code)
    }

    /// The rules that run, ordered by code.
    pub fn rules(&self) -> impl Iterator<Item = &'static Rule> + '_ {
        self.enabled.iter().copied()
    }
}

/// Normalized prefixes; `ALL` becomes the empty prefix, which every code starts with.
fn parse_selectors<S: AsRef<str>>(selectors: &[S]) -> Result<Vec<String>, SelectorError> {
    let mut prefixes = Vec::new();
    for raw in selectors {
        for part in raw.as_ref().split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let upper = part.to_ascii_uppercase();
            let prefix = if upper == "ALL" { String::new() } else { upper };
            if !RULES.iter().any(|rule| rule.code.starts_with(&prefix)) {
                return Err(SelectorError {
                    selector: part.to_owned(),
                });
            }
            prefixes.push(prefix);
        }
    }
    Ok(prefixes)
}

/// Length of the longest selector that matches `code`.
fn specificity(prefixes: &[String], code: &str) -> Option<usize> {
    prefixes
        .iter()
        .filter(|prefix| code.starts_with(prefix.as_str()))
        .map(String::len)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    fn codes(selection: &RuleSelection) -> Vec<&'static str> {
        selection.rules().map(|rule| rule.code).collect()
    }

    #[test]
    fn registry_is_ordered_and_well_formed() {
        assert!(RULES.windows(2).all(|pair| pair[0].code < pair[1].code));
        for rule in RULES {
            assert!(rule.code.starts_with("XS") && rule.code.len() == 5);
            assert!(
                rule.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-')
            );
            assert!(!rule.summary.is_empty());
        }
        assert_eq!(rule("XS000").map(|r| r.name), Some("syntax-error"));
        assert_eq!(rule("XS000").map(|r| r.severity), Some(Severity::Error));
        assert_eq!(rule("XS999"), None);
    }

    #[test]
    fn selection_by_code_prefix_and_all() {
        let none: [&str; 0] = [];
        let all = codes(&RuleSelection::from_selectors(&none, &none).unwrap());
        assert_eq!(all.len(), RULES.len());
        assert_eq!(
            codes(&RuleSelection::from_selectors(&["ALL"], &none).unwrap()),
            all
        );
        assert_eq!(
            codes(&RuleSelection::from_selectors(&["xs00"], &none).unwrap()),
            ["XS000", "XS001", "XS002", "XS003"]
        );
        assert_eq!(
            codes(&RuleSelection::from_selectors(&["XS000, XS3"], &none).unwrap()),
            ["XS000", "XS301", "XS302", "XS303"]
        );
        assert!(
            !codes(&RuleSelection::from_selectors(&none, &["XS000"]).unwrap()).contains(&"XS000")
        );
        assert!(codes(&RuleSelection::from_selectors(&["XS000"], &["XS000"]).unwrap()).is_empty());
        // The more specific selector wins.
        assert_eq!(
            codes(&RuleSelection::from_selectors(&["XS000"], &["XS"]).unwrap()),
            ["XS000"]
        );
        assert_eq!(
            codes(&RuleSelection::from_selectors(&["XS1"], &["XS101"]).unwrap()),
            ["XS102", "XS103", "XS104", "XS105"]
        );
    }

    #[test]
    fn unknown_selectors_are_errors() {
        let none: [&str; 0] = [];
        let error = RuleSelection::from_selectors(&["XS9"], &none).unwrap_err();
        assert_eq!(error.selector, "XS9");
        assert!(error.to_string().contains("`XS9`"));
        assert!(RuleSelection::from_selectors(&none, &["XS000,nope"]).is_err());
    }
}
