//! The audit as Markdown (docs/example-audit.md is this for examples/).

use std::fmt::Write as _;

use super::Audit;

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

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

pub fn render(audit: &Audit) -> String {
    let mut out = String::from("# Pre-launch security audit\n\n");
    let c = &audit.counts;
    writeln!(
        out,
        "{} files checked: **{} {}**, **{} {}**, {} {}. {} endpoints, {} api groups, {} tables.\n",
        audit.files,
        c.error,
        plural(c.error, "error", "errors"),
        c.warning,
        plural(c.warning, "warning", "warnings"),
        c.info,
        plural(c.info, "note", "notes"),
        audit.endpoints.len(),
        audit.api_groups.len(),
        audit.tables.len()
    )
    .unwrap();
    out.push_str("| section | findings |\n|---|---|\n");
    for s in &audit.sections {
        writeln!(out, "| {} | {} |", s.title, s.findings.len()).unwrap();
    }

    out.push_str("\n## Endpoint inventory\n\nEvery endpoint an attacker can call. Look for endpoints nobody meant to ship (generated CRUD left in place) and for `auth` left empty.\n\n");
    out.push_str("| verb | path | api group | auth | reads | writes | findings | file |\n|---|---|---|---|---|---|---|---|\n");
    for e in &audit.endpoints {
        writeln!(
            out,
            "| {} | `{}` | {} | {} | {} | {} | {} | {}:{} |",
            e.verb,
            cell(&e.path),
            e.api_group.as_deref().map_or("—".to_string(), cell),
            e.auth
                .as_deref()
                .map_or("**none**".to_string(), |a| format!("`{}`", cell(a))),
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

    out.push_str("\n## Findings by checklist section\n");
    for s in &audit.sections {
        write!(out, "\n### {} ({})\n\n", s.title, s.findings.len()).unwrap();
        if s.findings.is_empty() {
            out.push_str("Nothing found.\n");
            continue;
        }
        for f in &s.findings {
            writeln!(
                out,
                "- **{} {}** ({}) `{}:{}:{}` — {}",
                f.code, f.name, f.severity, f.path, f.line, f.column, f.message
            )
            .unwrap();
        }
    }

    out.push_str("\n## Checks no source can show\n\nDo these by hand in the Xano dashboard before launch.\n\n");
    for m in &audit.manual_checks {
        writeln!(out, "- [ ] **{}**: {}.", m.item, m.why).unwrap();
    }
    out
}
