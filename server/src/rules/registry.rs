//! Every rule's code, name, default severity and summary, and selection by code prefix.

use std::fmt;
use std::ops::Range;

use crate::finding::{Finding, Location, Severity};
use crate::syntax::LineIndex;

/// Metadata of one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable code such as `XS000`; the first digit after `XS` is the family.
    pub code: &'static str,
    /// Kebab-case name such as `syntax-error`.
    pub name: &'static str,
    /// Severity a finding of this rule has unless configured otherwise.
    pub severity: Severity,
    /// The weakness the rule reports, as a CWE identifier.
    pub cwe: Option<&'static str>,
    /// What the rule reports, in one line.
    pub summary: &'static str,
    /// Whether the rule offers automatic fixes at all (where its findings allow one).
    pub fixable: bool,
    /// Whether its fixes keep the endpoint's behaviour for honest callers and need no value
    /// chosen by the user, so `xsguard fix` applies them without `--unsafe-fixes`.
    pub safe_fixes: bool,
}

impl Rule {
    /// The anchor of the rule's section in docs/rules.md.
    pub fn anchor(&self) -> String {
        format!("{}-{}", self.code.to_ascii_lowercase(), self.name)
    }

    /// A finding of this rule over `range`, with the rule's default severity and no fixes.
    pub fn finding(
        &self,
        path: impl Into<String>,
        index: &LineIndex,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            path: path.into(),
            start: Location::of_offset(index, range.start),
            end: Location::of_offset(index, range.end),
            range,
            code: self.code,
            name: self.name,
            severity: self.severity,
            message: message.into(),
            help: None,
            fixes: Vec::new(),
            cwe: self.cwe,
            related: Vec::new(),
        }
    }
}

/// All rules, ordered by code.
pub static RULES: &[Rule] = &[
    Rule {
        code: "XS000",
        name: "syntax-error",
        severity: Severity::Error,
        cwe: None,
        summary: "The file is not valid XanoScript, or not valid UTF-8.",
        fixable: false,
        safe_fixes: false,
    },
    Rule {
        code: "XS001",
        name: "suppression-without-reason",
        severity: Severity::Info,
        cwe: None,
        summary: "An `xsguard-ignore` comment gives no reason.",
        fixable: false,
        safe_fixes: false,
    },
    Rule {
        code: "XS002",
        name: "unused-suppression",
        severity: Severity::Info,
        cwe: None,
        summary: "An `xsguard-ignore` comment suppresses nothing.",
        fixable: false,
        safe_fixes: false,
    },
    Rule {
        code: "XS003",
        name: "unfilled-placeholder",
        severity: Severity::Warning,
        cwe: None,
        summary: "A placeholder a fix wrote for you to fill in is still in the code.",
        fixable: false,
        safe_fixes: false,
    },
    Rule {
        code: "XS101",
        name: "unauthenticated-data-access",
        severity: Severity::Error,
        cwe: Some("CWE-306"),
        summary: "An endpoint without `auth` reads user-owned data or writes any table.",
        fixable: true,
        safe_fixes: false,
    },
    Rule {
        code: "XS102",
        name: "idor-request-id",
        severity: Severity::Error,
        cwe: Some("CWE-639"),
        summary: "A record of a user-owned table is selected by an id from the request with no ownership check.",
        fixable: true,
        safe_fixes: false,
    },
    Rule {
        code: "XS103",
        name: "mass-assignment",
        severity: Severity::Warning,
        cwe: Some("CWE-915"),
        summary: "A database write takes its data from the whole request, or its owner field from the request.",
        fixable: false,
        safe_fixes: false,
    },
    Rule {
        code: "XS104",
        name: "missing-rate-limit",
        severity: Severity::Warning,
        cwe: Some("CWE-307"),
        summary: "A login, sign-up, reset or token endpoint has no `redis.ratelimit`.",
        fixable: true,
        safe_fixes: false,
    },
    Rule {
        code: "XS105",
        name: "webhook-signature-unverified",
        severity: Severity::Warning,
        cwe: Some("CWE-345"),
        summary: "A webhook endpoint uses its payload without verifying the sender's signature.",
        fixable: false,
        safe_fixes: false,
    },
    Rule {
        code: "XS201",
        name: "sensitive-field-unflagged",
        severity: Severity::Warning,
        cwe: Some("CWE-359"),
        summary: "A field named or typed like a credential or personal data lacks `sensitive = true`.",
        fixable: true,
        safe_fixes: true,
    },
    Rule {
        code: "XS202",
        name: "response-exposes-record",
        severity: Severity::Warning,
        cwe: Some("CWE-200"),
        summary: "A response returns whole records of a table that has sensitive fields.",
        fixable: true,
        safe_fixes: false,
    },
    Rule {
        code: "XS203",
        name: "sensitive-data-logged",
        severity: Severity::Warning,
        cwe: Some("CWE-532"),
        summary: "A sensitive value or the whole request is logged or stored in a log table.",
        fixable: true,
        safe_fixes: false,
    },
    Rule {
        code: "XS204",
        name: "public-personal-data",
        severity: Severity::Warning,
        cwe: Some("CWE-359"),
        summary: "An endpoint without `auth` returns personal data of a table.",
        fixable: true,
        safe_fixes: false,
    },
    Rule {
        code: "XS301",
        name: "public-swagger",
        severity: Severity::Warning,
        cwe: Some("CWE-200"),
        summary: "An api group publishes its Swagger documentation without a token.",
        fixable: true,
        safe_fixes: true,
    },
    Rule {
        code: "XS302",
        name: "permissive-cors",
        severity: Severity::Warning,
        cwe: Some("CWE-942"),
        summary: "An api group allows any origin (no `cors`, wildcard mode or `*` origin).",
        fixable: true,
        safe_fixes: false,
    },
    Rule {
        code: "XS303",
        name: "long-lived-token",
        severity: Severity::Info,
        cwe: Some("CWE-613"),
        summary: "An auth token has no expiration or one longer than the configured limit.",
        fixable: true,
        safe_fixes: false,
    },
    Rule {
        code: "XS401",
        name: "sql-injection",
        severity: Severity::Error,
        cwe: Some("CWE-89"),
        summary: "Raw SQL is built from a request-controlled value.",
        fixable: true,
        safe_fixes: false,
    },
    Rule {
        code: "XS402",
        name: "ssrf",
        severity: Severity::Warning,
        cwe: Some("CWE-918"),
        summary: "An outbound request's scheme, host or port comes from the request.",
        fixable: true,
        safe_fixes: false,
    },
    Rule {
        code: "XS403",
        name: "code-injection",
        severity: Severity::Warning,
        cwe: Some("CWE-94"),
        summary: "Lambda code or a template is built from a request-controlled value.",
        fixable: false,
        safe_fixes: false,
    },
    Rule {
        code: "XS501",
        name: "hardcoded-secret",
        severity: Severity::Error,
        cwe: Some("CWE-798"),
        summary: "A string literal looks like a credential.",
        fixable: true,
        safe_fixes: false,
    },
    Rule {
        code: "XS502",
        name: "test-credential",
        severity: Severity::Warning,
        cwe: Some("CWE-798"),
        summary: "Literal test or backdoor credentials are used to create or match accounts.",
        fixable: false,
        safe_fixes: false,
    },
    Rule {
        code: "XS503",
        name: "weak-hash",
        severity: Severity::Warning,
        cwe: Some("CWE-916"),
        summary: "`md5` or `sha1` is applied to a password-like value.",
        fixable: false,
        safe_fixes: false,
    },
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
