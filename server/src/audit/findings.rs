//! Each finding as the report shows it: where it is (which object, who can reach it, what is
//! at stake there), the code around it, and its fix as a diff.

use serde::Serialize;

use super::inventory::{EndpointFacts, Reach};
use crate::finding::{Finding, Severity};
use crate::fix::apply_fix;

/// The checklist sections of the catalogue (docs/security-rules.md). A rule's section is its
/// family digit, except where the catalogue files it elsewhere.
pub const SECTIONS: &[&str] = &[
    "Syntax and suppressions",
    "Access control",
    "Data exposure",
    "Configuration",
    "Injection",
    "Secrets and residue",
];

/// The section of a rule code, as an index into [`SECTIONS`].
pub fn section_of(code: &str) -> usize {
    // The catalogue lists XS204 (public personal data) under Configuration and XS003
    // (unfilled placeholder) under Secrets and residue.
    match code {
        "XS204" => 3,
        "XS003" => 5,
        _ => code
            .as_bytes()
            .get(2)
            .and_then(|d| (*d as char).to_digit(10))
            .map_or(0, |d| (d as usize).min(SECTIONS.len() - 1)),
    }
}

/// What kind of object a finding is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    Endpoint,
    Function,
    ApiGroup,
    Table,
    Other,
}

/// Where a finding is, and what an attacker gains there.
#[derive(Clone, Debug, Serialize)]
pub struct Place {
    pub kind: PlaceKind,
    /// `GET user/{user_id}`, `function orders_load`, `api group public`, `table user`.
    pub label: String,
    pub reach: Reach,
    /// The endpoint (or the endpoints that reach the function) writes tables.
    pub writes: bool,
    /// It returns personal data or credentials, or the table holds them.
    pub personal_data: bool,
    /// The rule is about credentials or secrets in the source.
    pub credentials: bool,
}

/// Lines of the file around the finding.
#[derive(Clone, Debug, Serialize)]
pub struct Snippet {
    /// 1-based number of the first line shown.
    pub first_line: u32,
    pub lines: Vec<String>,
    /// 1-based lines the finding covers (within those shown).
    pub marked: [u32; 2],
}

/// A fix the rule offers, as a unified diff of the file.
#[derive(Clone, Debug, Serialize)]
pub struct FixView {
    pub title: String,
    /// "safe" or "unsafe" (applied only with `--unsafe-fixes`).
    pub applicability: &'static str,
    /// Hunks (`@@ ... @@` and their lines) without the file header.
    pub diff: String,
}

#[derive(Debug, Serialize)]
pub struct AuditFinding {
    /// `F1`, `F2`, ... in report order; the page links to findings by it.
    pub id: String,
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Relative to the workspace root.
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub section: &'static str,
    pub help: Option<String>,
    pub fix: Option<FixView>,
    pub snippet: Snippet,
    pub place: Place,
    /// An error, or a finding on a public endpoint that writes or returns user data.
    pub blocking: bool,
    /// What an attacker gains: the order of "Fix first" (higher first).
    pub gain: u32,
}

impl AuditFinding {
    pub fn new(f: &Finding, path: String, text: &str, place: Place) -> Self {
        let blocking = f.severity == Severity::Error
            || (place.kind == PlaceKind::Endpoint
                && place.reach == Reach::Public
                && (place.writes || place.personal_data));
        let gain = gain(f.severity, &place);
        let secret = redacted_secret(f, text);
        let hide = |t: String| match &secret {
            Some((full, shown)) => t.replace(full.as_str(), shown),
            None => t,
        };
        let mut snippet = snippet(text, f.start.line, f.end.line);
        snippet.lines = snippet.lines.into_iter().map(hide).collect();
        AuditFinding {
            id: String::new(),
            code: f.code,
            name: f.name,
            severity: f.severity,
            message: f.message.clone(),
            path,
            line: f.start.line,
            column: f.start.column,
            end_line: f.end.line,
            section: SECTIONS[section_of(f.code)],
            help: f.help.clone(),
            fix: f.fixes.first().and_then(|fix| {
                Some(FixView {
                    title: fix.title.clone(),
                    applicability: fix.applicability.as_str(),
                    diff: hide(hunks(text, &apply_fix(text, fix)?)),
                })
            }),
            snippet,
            place,
            blocking,
            gain,
        }
    }

    /// The one line that says what to do: the fix's title, else the help text.
    pub fn remedy(&self) -> Option<&str> {
        self.fix
            .as_ref()
            .map(|f| f.title.as_str())
            .or(self.help.as_deref())
    }
}

/// The secret a finding's message shows cut (`sk_live_51Hx…`), and how it shows it: the report
/// is shared and printed, so its snippets and diffs cut it the same way.
fn redacted_secret(f: &Finding, text: &str) -> Option<(String, String)> {
    let found = text.get(f.range.clone())?;
    f.message.split('`').skip(1).step_by(2).find_map(|span| {
        let prefix = span.strip_suffix('…')?;
        if prefix.len() < 4 {
            return None;
        }
        let start = found.find(prefix)?;
        let secret: String = found[start..]
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '`'))
            .collect();
        (secret.len() > prefix.len()).then(|| (secret, span.to_string()))
    })
}

/// Public before authenticated before internal; writes and personal data or credentials
/// next; severity last, so that a warning on a public write outranks an error nobody reaches.
fn gain(severity: Severity, place: &Place) -> u32 {
    let reach = match place.reach {
        Reach::Public => 100,
        Reach::Authenticated => 40,
        Reach::Internal => 20,
    };
    let writes = if place.writes { 30 } else { 0 };
    let data = if place.personal_data || place.credentials {
        30
    } else {
        0
    };
    let severity = match severity {
        Severity::Error => 25,
        Severity::Warning => 10,
        Severity::Info => 0,
    };
    reach + writes + data + severity
}

/// The place of a finding in an endpoint, from the endpoint's facts.
pub fn endpoint_place(facts: &EndpointFacts, code: &str) -> Place {
    Place {
        kind: PlaceKind::Endpoint,
        label: facts.label.clone(),
        reach: facts.reach,
        writes: !facts.writes.is_empty(),
        personal_data: !facts.returns_user_data.is_empty(),
        credentials: is_credential_rule(code),
    }
}

/// The place of a finding in a function, from the endpoints that run it.
pub fn function_place(name: &str, callers: &[EndpointFacts], code: &str) -> Place {
    let reach = callers
        .iter()
        .map(|c| c.reach)
        .min()
        .unwrap_or(Reach::Internal);
    let exposed: Vec<&EndpointFacts> = callers.iter().filter(|c| c.reach == reach).collect();
    Place {
        kind: PlaceKind::Function,
        label: format!("function {name}"),
        reach,
        writes: exposed.iter().any(|c| !c.writes.is_empty()),
        personal_data: exposed.iter().any(|c| !c.returns_user_data.is_empty()),
        credentials: is_credential_rule(code),
    }
}

pub fn other_place(kind: PlaceKind, label: String, personal_data: bool, code: &str) -> Place {
    Place {
        kind,
        label,
        // An api group's settings (CORS, Swagger) face the internet whatever its endpoints ask.
        reach: if kind == PlaceKind::ApiGroup {
            Reach::Public
        } else {
            Reach::Internal
        },
        writes: false,
        personal_data,
        credentials: is_credential_rule(code),
    }
}

/// Rules of the "Secrets and residue" family report credentials written in the source.
fn is_credential_rule(code: &str) -> bool {
    section_of(code) == 5
}

const CONTEXT: u32 = 2;
const MAX_SNIPPET: u32 = 9;

fn snippet(text: &str, start: u32, end: u32) -> Snippet {
    let lines: Vec<&str> = text.lines().collect();
    let last = lines.len().max(1) as u32;
    let start = start.clamp(1, last);
    let end = end.clamp(start, last);
    let first = start.saturating_sub(CONTEXT).max(1);
    let until = (end + CONTEXT).min(last).min(first + MAX_SNIPPET - 1);
    Snippet {
        first_line: first,
        lines: (first..=until)
            .filter_map(|n| lines.get(n as usize - 1))
            .map(|l| l.trim_end_matches('\r').to_string())
            .collect(),
        marked: [start, end.min(until)],
    }
}

/// The hunks of a unified diff, two lines of context, without the `---`/`+++` header.
fn hunks(before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(2)
        .iter_hunks()
        .map(|h| h.to_string())
        .collect::<String>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_follow_the_catalogue() {
        assert_eq!(SECTIONS[section_of("XS101")], "Access control");
        assert_eq!(SECTIONS[section_of("XS204")], "Configuration");
        assert_eq!(SECTIONS[section_of("XS003")], "Secrets and residue");
        assert_eq!(SECTIONS[section_of("XS000")], "Syntax and suppressions");
    }

    #[test]
    fn snippets_keep_context_and_mark_the_finding() {
        let text = "a\nb\nc\nd\ne\nf\n";
        let s = snippet(text, 4, 4);
        assert_eq!((s.first_line, s.lines.len(), s.marked), (2, 5, [4, 4]));
        let s = snippet(text, 1, 1);
        assert_eq!((s.first_line, s.lines.len()), (1, 3));
    }
}
