//! The audit as one self-contained HTML page: summary first, sortable inventory, findings.

use std::fmt::Write as _;

use super::Audit;
use crate::finding::Severity;

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn join(items: &[String]) -> String {
    if items.is_empty() {
        "<span class=\"muted\">—</span>".into()
    } else {
        esc(&items.join(", "))
    }
}

const STYLE: &str = r#"
:root { --err: #c62828; --warn: #b26a00; --info: #1565c0; --ok: #2e7d32; --line: #e0e0e0; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d1d1f; background: #f7f7f9; }
header { background: #1d2433; color: #fff; padding: 28px 40px; }
header h1 { margin: 0 0 6px; font-size: 26px; }
header p { margin: 0; opacity: .8; }
main { padding: 24px 40px 60px; max-width: 1400px; }
.cards { display: flex; flex-wrap: wrap; gap: 14px; margin: 0 0 18px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 14px 20px; min-width: 150px; }
.card .n { font-size: 30px; font-weight: 700; }
.card.error .n { color: var(--err); } .card.warning .n { color: var(--warn); } .card.info .n { color: var(--info); }
.sections { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 8px; }
.sections a { background: #fff; border: 1px solid var(--line); border-radius: 999px; padding: 4px 12px; color: inherit; text-decoration: none; }
.sections a b { margin-left: 6px; }
h2 { margin-top: 36px; border-bottom: 2px solid var(--line); padding-bottom: 6px; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef0f4; cursor: pointer; user-select: none; white-space: nowrap; }
th[aria-sort="ascending"]::after { content: " ▲"; } th[aria-sort="descending"]::after { content: " ▼"; }
tr.noauth td.auth { color: var(--err); font-weight: 600; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; }
.muted { color: #999; }
.badge { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 12px; font-weight: 600; color: #fff; }
.badge.error { background: var(--err); } .badge.warning { background: var(--warn); } .badge.info { background: var(--info); }
ul.findings { list-style: none; padding: 0; }
ul.findings li { background: #fff; border: 1px solid var(--line); border-left: 4px solid var(--line); border-radius: 6px; padding: 8px 12px; margin: 6px 0; }
ul.findings li.error { border-left-color: var(--err); } ul.findings li.warning { border-left-color: var(--warn); } ul.findings li.info { border-left-color: var(--info); }
.where { color: #555; font-size: 13px; }
ul.manual li { margin: 6px 0; }
"#;

const SCRIPT: &str = r#"
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, column) {
    th.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].textContent.trim(), y = b.cells[column].textContent.trim();
        var order = x.localeCompare(y, undefined, { numeric: true });
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"#;

fn severity_class(s: Severity) -> &'static str {
    s.as_str()
}

pub fn render(audit: &Audit) -> String {
    let c = &audit.counts;
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<title>Pre-launch security audit — xsguard</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<header><h1>Pre-launch security audit</h1>");
    write!(
        out,
        "<p>{} files · {} endpoints · {} api groups · {} tables</p></header>\n<main>\n",
        audit.files,
        audit.endpoints.len(),
        audit.api_groups.len(),
        audit.tables.len()
    )
    .unwrap();

    out.push_str("<section id=\"summary\"><div class=\"cards\">");
    for (class, label, n) in [
        ("error", "errors", c.error),
        ("warning", "warnings", c.warning),
        ("info", "notes", c.info),
    ] {
        write!(
            out,
            "<div class=\"card {class}\"><div class=\"n\">{n}</div>{label}</div>"
        )
        .unwrap();
    }
    let unauthenticated = audit.endpoints.iter().filter(|e| e.auth.is_none()).count();
    write!(
        out,
        "<div class=\"card\"><div class=\"n\">{unauthenticated}</div>endpoints without auth</div>"
    )
    .unwrap();
    out.push_str("</div><div class=\"sections\">");
    for (i, s) in audit.sections.iter().enumerate() {
        write!(
            out,
            "<a href=\"#section-{i}\">{}<b>{}</b></a>",
            esc(s.title),
            s.findings.len()
        )
        .unwrap();
    }
    out.push_str("</div></section>\n");

    out.push_str("<h2 id=\"inventory\">Endpoint inventory</h2>\n<p>Every endpoint an attacker can call. Click a column to sort. Look for endpoints nobody meant to ship and for <code>auth</code> left empty.</p>\n");
    out.push_str("<table class=\"sortable\" id=\"endpoints\"><thead><tr><th>verb</th><th>path</th><th>api group</th><th>auth</th><th>reads</th><th>writes</th><th>findings</th><th>file</th></tr></thead><tbody>\n");
    for e in &audit.endpoints {
        let row_class = if e.auth.is_none() {
            " class=\"noauth\""
        } else {
            ""
        };
        writeln!(
            out,
            "<tr{row_class}><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"auth\">{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}:{}</code></td></tr>",
            esc(&e.verb),
            esc(&e.path),
            e.api_group.as_deref().map_or("<span class=\"muted\">—</span>".to_string(), esc),
            e.auth.as_deref().map_or("none".to_string(), esc),
            join(&e.reads),
            join(&e.writes),
            join(&e.findings),
            esc(&e.file),
            e.line
        )
        .unwrap();
    }
    out.push_str("</tbody></table>\n");

    out.push_str("<h2 id=\"groups\">API groups</h2>\n<table class=\"sortable\"><thead><tr><th>name</th><th>swagger</th><th>CORS</th><th>active</th><th>endpoints</th><th>file</th></tr></thead><tbody>\n");
    for g in &audit.api_groups {
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(&g.name),
            esc(&g.swagger),
            esc(&g.cors),
            g.active,
            g.endpoints,
            esc(&g.file)
        )
        .unwrap();
    }
    out.push_str("</tbody></table>\n");

    out.push_str("<h2 id=\"tables\">Tables</h2>\n<table class=\"sortable\"><thead><tr><th>name</th><th>auth</th><th>owner field</th><th>sensitive fields</th><th>unflagged candidates</th><th>file</th></tr></thead><tbody>\n");
    for t in &audit.tables {
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(&t.name),
            if t.auth { "yes" } else { "" },
            t.owner_field.as_deref().map_or("<span class=\"muted\">—</span>".to_string(), esc),
            join(&t.sensitive_fields),
            join(&t.unflagged_candidates),
            esc(&t.file)
        )
        .unwrap();
    }
    out.push_str("</tbody></table>\n");

    out.push_str("<h2 id=\"findings\">Findings by checklist section</h2>\n");
    for (i, s) in audit.sections.iter().enumerate() {
        writeln!(
            out,
            "<h3 id=\"section-{i}\">{} ({})</h3>",
            esc(s.title),
            s.findings.len()
        )
        .unwrap();
        if s.findings.is_empty() {
            out.push_str("<p class=\"muted\">Nothing found.</p>\n");
            continue;
        }
        out.push_str("<ul class=\"findings\">\n");
        for f in &s.findings {
            let class = severity_class(f.severity);
            writeln!(
                out,
                "<li class=\"{class}\"><span class=\"badge {class}\">{}</span> <b>{} {}</b> {}<div class=\"where\"><code>{}:{}:{}</code></div></li>",
                f.severity,
                f.code,
                esc(f.name),
                esc(&f.message),
                esc(&f.path),
                f.line,
                f.column
            )
            .unwrap();
        }
        out.push_str("</ul>\n");
    }

    out.push_str("<h2 id=\"manual\">Checks no source can show</h2>\n<p>Do these by hand in the Xano dashboard before launch.</p>\n<ul class=\"manual\">\n");
    for m in &audit.manual_checks {
        writeln!(
            out,
            "<li><label><input type=\"checkbox\"> <b>{}</b>: {}.</label></li>",
            esc(m.item),
            esc(m.why)
        )
        .unwrap();
    }
    out.push_str("</ul>\n</main>\n<script>");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}
