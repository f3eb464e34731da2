//! The audit as Markdown, in the page's order: verdict, what to fix first, findings by rule,
//! inventory, checklist (docs/example-audit.md is this for examples/).

use std::fmt::Write as _;

use super::{Audit, AuditFinding, Reach, plural};
use crate::finding::Severity;

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "—".to_string()
    } else {
        cell(&items.join(", "))
    }
}

fn word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

pub fn render(audit: &Audit) -> String {
    let run = &audit.run;
    let c = &audit.counts;
    let mut out = format!("# Pre-launch security audit: {}\n\n", run.workspace);
    writeln!(
        out,
        "{} · xsguard {} · `{}`\n\n{}\n",
        run.date_shown(),
        run.xsguard_version,
        run.command,
        audit.size(),
    )
    .unwrap();

    let v = &audit.verdict;
    writeln!(out, "## Verdict: {}\n", v.headline).unwrap();
    if v.blocking > 0 {
        writeln!(
            out,
            "{} blocking: {} {}, and {} on public endpoints that write or return user data.\n",
            v.blocking,
            v.blocking_errors,
            plural(v.blocking_errors, "error", "errors"),
            v.blocking_public
        )
        .unwrap();
    }
    writeln!(
        out,
        "**{} {}**, **{} {}**, {} {}.\n",
        c.error,
        plural(c.error, "error", "errors"),
        c.warning,
        plural(c.warning, "warning", "warnings"),
        c.info,
        plural(c.info, "note", "notes"),
    )
    .unwrap();
    out.push_str("| section | findings |\n|---|---|\n");
    for s in &audit.sections {
        writeln!(out, "| {} | {} |", s.title, s.findings.len()).unwrap();
    }

    out.push_str("\n## Fix first\n\nRanked by what an attacker gains: public before signed-in, writes and personal data or credentials first.\n\n");
    if audit.top_issues.is_empty() {
        out.push_str("Nothing to fix in the sources.\n");
    }
    for (i, t) in audit.top_issues.iter().enumerate() {
        let more = if t.count > 1 {
            format!(" (and {} more)", t.count - 1)
        } else {
            String::new()
        };
        writeln!(
            out,
            "{}. **{}** {} {} — {} · {} `{}:{}`{more}{}",
            i + 1,
            if t.blocking {
                "blocking"
            } else {
                word(t.severity)
            },
            t.code,
            t.name,
            t.message,
            t.place,
            t.path,
            t.line,
            t.remedy
                .as_deref()
                .map_or(String::new(), |r| format!(". Fix: {r}")),
        )
        .unwrap();
    }

    out.push_str("\n## Findings by rule\n");
    for g in &audit.rules {
        write!(
            out,
            "\n### {} {} ({} · {} · {})\n\n{} `xsguard explain {}` tells more.\n\n",
            g.code,
            g.name,
            word(g.severity),
            g.section,
            g.count,
            g.summary,
            g.code
        )
        .unwrap();
        for cluster in &g.clusters {
            let members: Vec<&AuditFinding> = cluster
                .findings
                .iter()
                .filter_map(|id| audit.finding(id))
                .collect();
            let Some(first) = members.first() else {
                continue;
            };
            if members.len() == 1 {
                finding(&mut out, first);
                continue;
            }
            writeln!(
                out,
                "- **{} places**: {}",
                members.len(),
                first.help.as_deref().unwrap_or(&first.message)
            )
            .unwrap();
            if let Some(fix) = &first.fix {
                writeln!(out, "  Fix (the same edit in each): {}", fix.title).unwrap();
            }
            for f in &members {
                writeln!(
                    out,
                    "  - `{}:{}` {} — {}",
                    f.path, f.line, f.place.label, f.message
                )
                .unwrap();
            }
        }
    }
    if audit.rules.is_empty() {
        out.push_str("\nNo findings.\n");
    }

    out.push_str("\n## Endpoint inventory\n\nEvery endpoint an attacker can call. Look for endpoints nobody meant to ship (generated CRUD left in place) and for `auth` left empty.\n\n");
    out.push_str("| verb | path | api group | auth | reads | writes | findings | file |\n|---|---|---|---|---|---|---|---|\n");
    for e in &audit.endpoints {
        let auth = match (&e.auth, e.reach) {
            (_, Reach::Public) => "**none**".to_string(),
            (Some(a), _) => format!("`{}`", cell(a)),
            (None, _) => "—".to_string(),
        };
        writeln!(
            out,
            "| {} | `{}`{} | {} | {} | {} | {} | {} | {}:{} |",
            e.verb,
            cell(&e.path),
            if e.generated_crud.is_some() {
                " (generated CRUD)"
            } else {
                ""
            },
            e.api_group.as_deref().map_or("—".to_string(), cell),
            auth,
            list(&e.reads),
            list(&e.writes),
            list(&e.findings),
            cell(&e.file),
            e.line
        )
        .unwrap();
    }

    out.push_str("\n## API groups\n\n| name | swagger | CORS | active | endpoints | file |\n|---|---|---|---|---|---|\n");
    for g in &audit.api_groups {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&g.name),
            g.swagger,
            cell(&g.cors),
            g.active,
            g.endpoints,
            cell(&g.file)
        )
        .unwrap();
    }

    out.push_str("\n## Tables\n\n| name | auth | owner field | sensitive fields | unflagged candidates | file |\n|---|---|---|---|---|---|\n");
    for t in &audit.tables {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&t.name),
            if t.auth { "yes" } else { "" },
            t.owner_field.as_deref().unwrap_or("—"),
            list(&t.sensitive_fields),
            list(&t.unflagged_candidates),
            cell(&t.file)
        )
        .unwrap();
    }

    out.push_str("\n## Checks no source can show\n\nDo these by hand in the Xano dashboard before launch.\n\n");
    for m in audit.manual_checks {
        writeln!(
            out,
            "- [ ] **{}**: {}. Where: {}.",
            m.item, m.why, m.where_to_look
        )
        .unwrap();
    }
    out
}

fn finding(out: &mut String, f: &AuditFinding) {
    writeln!(
        out,
        "- {}`{}:{}` {} — {}",
        if f.blocking { "**blocking** " } else { "" },
        f.path,
        f.line,
        f.place.label,
        f.message
    )
    .unwrap();
    match (&f.fix, &f.help) {
        (Some(fix), _) => {
            writeln!(out, "  Fix: {}", fix.title).unwrap();
            out.push_str("  ```diff\n");
            for line in fix.diff.lines() {
                writeln!(out, "  {line}").unwrap();
            }
            out.push_str("  ```\n");
        }
        (None, Some(help)) => writeln!(out, "  {help}").unwrap(),
        (None, None) => {}
    }
}
