//! Findings grouped by rule: one folded line per rule with its count, opening onto the rule's
//! documentation and its clusters of places, each with the code, the message and the fix.

use std::fmt::Write as _;

use super::text::{blocks, esc, inline};
use super::{plural, severity_word};
use crate::audit::findings::{AuditFinding, Snippet};
use crate::audit::{Audit, Cluster, RuleGroup};
use crate::rules::documentation;

pub fn render(out: &mut String, audit: &Audit) {
    let total: usize = audit.rules.iter().map(|g| g.count).sum();
    writeln!(
        out,
        "<section id=\"findings\"><h2>Findings by rule<span class=\"sub\">{total} {} in {} {}; open a rule for its places and fixes</span></h2>",
        plural(total, "finding", "findings"),
        audit.rules.len(),
        plural(audit.rules.len(), "rule", "rules"),
    )
    .unwrap();
    if audit.rules.is_empty() {
        out.push_str("<p class=\"muted\">No findings.</p>\n");
    }
    for g in &audit.rules {
        rule(out, audit, g);
    }
    out.push_str("</section>\n");
}

fn rule(out: &mut String, audit: &Audit, g: &RuleGroup) {
    let class = g.severity.as_str();
    let blocking = if g.blocking > 0 {
        format!("<span class=\"badge block\">{} blocking</span>", g.blocking)
    } else {
        "<span></span>".to_string()
    };
    write!(
        out,
        "<details class=\"rule\" id=\"rule-{}\"><summary><span class=\"badge {class}\">{}</span>\
         <span class=\"title\"><b>{} {}</b> <span class=\"muted\">· {}</span></span>{blocking}\
         <span class=\"count\">{}</span></summary>\n<div class=\"rule-body\">",
        esc(g.code),
        severity_word(g.severity),
        esc(g.code),
        esc(g.name),
        esc(g.section),
        g.count,
    )
    .unwrap();
    write!(out, "<p>{}</p>", inline(g.summary)).unwrap();
    if let Some(doc) = documentation(g.code) {
        write!(
            out,
            "<details class=\"doc\" id=\"doc-{}\"><summary>About {} {}: what it finds, why it matters, how to fix it</summary>{}</details>",
            esc(g.code),
            esc(g.code),
            esc(g.name),
            blocks(doc)
        )
        .unwrap();
    }
    for c in &g.clusters {
        cluster(out, audit, c);
    }
    out.push_str("</div></details>\n");
}

fn cluster(out: &mut String, audit: &Audit, c: &Cluster) {
    let members: Vec<&AuditFinding> = c
        .findings
        .iter()
        .filter_map(|id| audit.finding(id))
        .collect();
    let Some(first) = members.first() else {
        return;
    };
    write!(out, "<div class=\"cluster\" id=\"{}\">", esc(&c.id)).unwrap();
    if members.len() == 1 {
        finding(out, first, true);
        out.push_str("</div>\n");
        return;
    }
    // The places differ only in the names their messages quote: say it once, fix it once,
    // then list where.
    write!(
        out,
        "<p class=\"msg\"><b>{} places</b> {}</p>",
        members.len(),
        match &first.help {
            Some(help) => inline(help),
            None => inline(&first.message),
        }
    )
    .unwrap();
    if let Some(fix) = &first.fix {
        write!(
            out,
            "<p class=\"remedy\">{} <span class=\"muted\">(the same edit in each file; shown for <code>{}</code>)</span></p>",
            inline(&fix.title),
            esc(&first.path)
        )
        .unwrap();
        diff(out, &fix.diff);
    }
    out.push_str("<ul class=\"places\">");
    for f in &members {
        write!(
            out,
            "<li><details class=\"place\" id=\"{}\"><summary><code>{}:{}</code> {}{}</summary>",
            esc(&f.id),
            esc(&f.path),
            f.line,
            esc(&f.place.label),
            if f.blocking {
                " <span class=\"badge block\">blocking</span>"
            } else {
                ""
            }
        )
        .unwrap();
        finding(out, f, false);
        out.push_str("</details></li>");
    }
    out.push_str("</ul></div>\n");
}

/// One place: where, the code, the message and the fix (the diff when the rule offers one,
/// else its help). `anchored`: the place is not inside a fold that carries its id.
fn finding(out: &mut String, f: &AuditFinding, anchored: bool) {
    let anchor = if anchored {
        format!(" id=\"{}\"", esc(&f.id))
    } else {
        String::new()
    };
    write!(out, "<div class=\"finding\"{anchor}>").unwrap();
    {
        write!(
            out,
            "<p class=\"msg\">{}{}</p>",
            if f.blocking && anchored {
                "<span class=\"badge block\">blocking</span> "
            } else {
                ""
            },
            inline(&f.message)
        )
        .unwrap();
    }
    write!(
        out,
        "<div class=\"loc\"><code>{}:{}:{}</code> · {}{}</div>",
        esc(&f.path),
        f.line,
        f.column,
        esc(&f.place.label),
        if documentation(f.code).is_some() {
            format!(
                " · <a href=\"#doc-{}\">about {}</a>",
                esc(f.code),
                esc(f.code)
            )
        } else {
            String::new()
        }
    )
    .unwrap();
    snippet(out, &f.snippet);
    if let Some(help) = &f.help {
        write!(out, "<p class=\"help\">{}</p>", inline(help)).unwrap();
    }
    if let Some(fix) = &f.fix {
        write!(
            out,
            "<p class=\"fixtitle\"><b>Fix:</b> {}<span class=\"badge\">{}</span></p>",
            inline(&fix.title),
            if fix.applicability == "safe" {
                "xsguard fix applies it"
            } else {
                "xsguard fix --unsafe-fixes"
            }
        )
        .unwrap();
        diff(out, &fix.diff);
    }
    out.push_str("</div>");
}

fn snippet(out: &mut String, s: &Snippet) {
    out.push_str("<pre class=\"snippet\">");
    for (i, line) in s.lines.iter().enumerate() {
        let n = s.first_line + i as u32;
        let hit = n >= s.marked[0] && n <= s.marked[1];
        write!(
            out,
            "<span{}><i>{n}</i>{}</span>",
            if hit { " class=\"hit\"" } else { "" },
            esc(line)
        )
        .unwrap();
    }
    out.push_str("</pre>");
}

fn diff(out: &mut String, diff: &str) {
    out.push_str("<pre class=\"diff\">");
    for line in diff.lines() {
        let class = match line.as_bytes().first() {
            Some(b'+') => " class=\"add\"",
            Some(b'-') => " class=\"del\"",
            Some(b'@') => " class=\"hunk\"",
            _ => "",
        };
        write!(out, "<span{class}>{}</span>", esc(line)).unwrap();
    }
    out.push_str("</pre>");
}
