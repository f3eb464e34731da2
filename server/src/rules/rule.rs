//! One rule's metadata and check, as each rule's module declares it.

use std::ops::Range;

use crate::finding::{Finding, Location, Severity};
use crate::syntax::LineIndex;

/// One rule: its metadata and its check. Each rule's module declares its own (`RULE`), beside
/// its documentation.
#[derive(Clone, Copy, Debug)]
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
    /// What the rule checks; `None` for the rules the parser and the suppression comments
    /// report (XS000–XS002).
    pub check: Option<super::CheckFn>,
}

/// A rule is its code.
impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Eq for Rule {}

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
