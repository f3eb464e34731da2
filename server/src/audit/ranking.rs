//! The order of the report: findings grouped by rule, identical ones (same rule, same advice,
//! same fix) gathered into one cluster, clusters ranked by what an attacker gains, and the
//! verdict those give.

use std::collections::BTreeMap;

use serde::Serialize;

use super::findings::AuditFinding;
use crate::finding::Severity;
use crate::rules::rule;

/// Findings of one rule that say the same thing but for the names they quote, with the same
/// advice and fix (45 api groups on Xano's default CORS policy), shown once with their places.
#[derive(Debug, Serialize)]
pub struct Cluster {
    pub id: String,
    /// The message of its first place; the others differ only in the names they quote.
    pub message: String,
    pub remedy: Option<String>,
    pub severity: Severity,
    pub gain: u32,
    pub blocking: usize,
    /// Ids of its findings, highest gain first.
    pub findings: Vec<String>,
}

/// Every finding of one rule.
#[derive(Debug, Serialize)]
pub struct RuleGroup {
    pub code: &'static str,
    pub name: &'static str,
    pub summary: &'static str,
    pub section: &'static str,
    /// The most severe of its findings.
    pub severity: Severity,
    pub count: usize,
    pub blocking: usize,
    pub gain: u32,
    pub clusters: Vec<Cluster>,
}

/// One line of "Fix first".
#[derive(Debug, Serialize)]
pub struct TopIssue {
    pub cluster: String,
    /// The finding the line links to (the cluster's first).
    pub finding: String,
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub blocking: bool,
    pub gain: u32,
    pub message: String,
    /// `GET user · apis/public/users_GET.xs:2`.
    pub place: String,
    pub path: String,
    pub line: u32,
    /// How many places share it.
    pub count: usize,
    pub remedy: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Verdict {
    /// No blocking finding.
    pub ready: bool,
    pub blocking: usize,
    /// Blocking because they are errors.
    pub blocking_errors: usize,
    /// Blocking because they are on public endpoints that write or return user data.
    pub blocking_public: usize,
    pub headline: String,
}

/// How many lines "Fix first" shows: what fits the first screen beside the verdict.
pub const TOP_ISSUES: usize = 8;

pub fn rule_groups(findings: &[AuditFinding]) -> Vec<RuleGroup> {
    let mut by_rule: BTreeMap<&'static str, Vec<&AuditFinding>> = BTreeMap::new();
    for f in findings {
        by_rule.entry(f.code).or_default().push(f);
    }
    let mut groups: Vec<RuleGroup> = by_rule
        .into_iter()
        .map(|(code, found)| {
            let mut by_advice: BTreeMap<[String; 3], Vec<&AuditFinding>> = BTreeMap::new();
            for f in &found {
                let key = [
                    masked(&f.message),
                    f.help.as_deref().map_or(String::new(), masked),
                    f.fix.as_ref().map_or(String::new(), |x| masked(&x.title)),
                ];
                by_advice.entry(key).or_default().push(f);
            }
            let mut clusters: Vec<Cluster> = by_advice
                .into_values()
                .map(|mut members| {
                    members.sort_by(|a, b| b.gain.cmp(&a.gain).then(a.id.cmp(&b.id)));
                    let first = members[0];
                    Cluster {
                        id: String::new(),
                        message: first.message.clone(),
                        remedy: first.remedy().map(str::to_string),
                        severity: members.iter().map(|f| f.severity).min().unwrap(),
                        gain: first.gain,
                        blocking: members.iter().filter(|f| f.blocking).count(),
                        findings: members.iter().map(|f| f.id.clone()).collect(),
                    }
                })
                .collect();
            clusters.sort_by_key(rank);
            let first = found[0];
            let meta = rule(code);
            RuleGroup {
                code,
                name: first.name,
                summary: meta.map_or("", |r| r.summary),
                section: first.section,
                severity: found.iter().map(|f| f.severity).min().unwrap(),
                count: found.len(),
                blocking: found.iter().filter(|f| f.blocking).count(),
                gain: clusters.iter().map(|c| c.gain).max().unwrap_or(0),
                clusters,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        (b.blocking > 0, b.gain, a.severity, a.code).cmp(&(
            a.blocking > 0,
            a.gain,
            b.severity,
            b.code,
        ))
    });
    let mut n = 0;
    for c in groups.iter_mut().flat_map(|g| &mut g.clusters) {
        n += 1;
        c.id = format!("C{n}");
    }
    groups
}

/// A message with what it quotes (names of groups, tables, endpoints: the `code` spans) left
/// out: findings that read the same once masked are the same mistake in several places.
fn masked(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quoted = false;
    for c in text.chars() {
        if c == '`' {
            quoted = !quoted;
            if quoted {
                out.push('…');
            }
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

/// Blocking first, then by gain, then the larger cluster.
fn rank(c: &Cluster) -> (bool, std::cmp::Reverse<u32>, std::cmp::Reverse<usize>) {
    (
        c.blocking == 0,
        std::cmp::Reverse(c.gain),
        std::cmp::Reverse(c.findings.len()),
    )
}

pub fn top_issues(groups: &[RuleGroup], findings: &[AuditFinding]) -> Vec<TopIssue> {
    let by_id: BTreeMap<&str, &AuditFinding> =
        findings.iter().map(|f| (f.id.as_str(), f)).collect();
    let mut clusters: Vec<(&RuleGroup, &Cluster)> = groups
        .iter()
        .flat_map(|g| g.clusters.iter().map(move |c| (g, c)))
        .collect();
    clusters.sort_by(|a, b| rank(a.1).cmp(&rank(b.1)).then(a.0.code.cmp(b.0.code)));
    clusters
        .into_iter()
        .take(TOP_ISSUES)
        .filter_map(|(g, c)| {
            let first = by_id.get(c.findings[0].as_str())?;
            Some(TopIssue {
                cluster: c.id.clone(),
                finding: first.id.clone(),
                code: g.code,
                name: g.name,
                severity: c.severity,
                blocking: c.blocking > 0,
                gain: c.gain,
                message: first.message.clone(),
                place: first.place.label.clone(),
                path: first.path.clone(),
                line: first.line,
                count: c.findings.len(),
                remedy: c.remedy.clone(),
            })
        })
        .collect()
}

pub fn verdict(findings: &[AuditFinding]) -> Verdict {
    let blocking = findings.iter().filter(|f| f.blocking).count();
    let blocking_errors = findings
        .iter()
        .filter(|f| f.blocking && f.severity == Severity::Error)
        .count();
    let warnings = findings
        .iter()
        .filter(|f| f.severity != Severity::Error)
        .count();
    let headline = match (blocking, warnings) {
        (0, 0) => "No findings: finish the manual checks, then launch".to_string(),
        (0, n) => format!(
            "No blocking issues: review {n} {} before launch",
            if n == 1 { "warning" } else { "warnings" }
        ),
        (n, _) => format!(
            "Not ready to launch: {n} blocking {}",
            if n == 1 { "issue" } else { "issues" }
        ),
    };
    Verdict {
        ready: blocking == 0,
        blocking,
        blocking_errors,
        blocking_public: blocking - blocking_errors,
        headline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_that_differ_only_in_what_they_quote_read_the_same() {
        let a = "api group `Billing` has no `cors` setting, so Xano's default applies";
        let b = "api group `Admin` has no `cors` setting, so Xano's default applies";
        assert_eq!(masked(a), masked(b));
        assert_ne!(
            masked("`GET x` has no `auth`: it deletes records of `order`"),
            masked("`GET x` has no `auth`: it runs SQL that is not a literal SELECT")
        );
    }

    #[test]
    fn the_verdict_counts_what_blocks() {
        assert!(verdict(&[]).ready);
        assert_eq!(
            verdict(&[]).headline,
            "No findings: finish the manual checks, then launch"
        );
    }
}
