//! What an attacker sees of the backend, folded: the endpoints (filterable by who may call
//! them, generated-CRUD shape, writes, returned user data, api group and verb; sortable), the
//! api groups and the tables. Columns have fixed widths so the page never scrolls sideways;
//! long file names are cut, with the whole name on hover.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::plural;
use super::text::{esc, inline};
use crate::audit::{Audit, Reach};

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "<span class=\"muted\">—</span>".into()
    } else {
        esc(&items.join(", "))
    }
}

pub fn render(out: &mut String, audit: &Audit) {
    let e = &audit.endpoints;
    let public = e.iter().filter(|r| r.reach == Reach::Public).count();
    let ghosts = e.iter().filter(|r| r.generated_crud.is_some()).count();
    let writes = e.iter().filter(|r| !r.writes.is_empty()).count();
    let user_data = e.iter().filter(|r| !r.returns_user_data.is_empty()).count();
    out.push_str("<section id=\"inventory\"><h2>What an attacker sees<span class=\"sub\">every endpoint, api group and table of the sources</span></h2>\n");
    write!(
        out,
        "<details class=\"fold\" id=\"inventory-endpoints\"><summary>Endpoint inventory \
         <span class=\"muted\">{} {} · {public} without auth · {ghosts} generated-CRUD {} · {writes} {} · {user_data} {} user data</span></summary>\n<div class=\"fold-body\">",
        e.len(),
        plural(e.len(), "endpoint", "endpoints"),
        plural(ghosts, "shape", "shapes"),
        plural(writes, "writes", "write"),
        plural(user_data, "returns", "return"),
    )
    .unwrap();
    out.push_str("<p class=\"muted\">Look for endpoints nobody meant to ship (generated CRUD left in place) and for <code>auth</code> left empty. Click a column to sort.</p>");
    filters(out, audit);
    out.push_str(
        "<table class=\"sortable\" id=\"endpoints\"><colgroup><col style=\"width:6%\"><col style=\"width:21%\">\
         <col style=\"width:11%\"><col style=\"width:8%\"><col style=\"width:12%\"><col style=\"width:12%\">\
         <col style=\"width:11%\"><col style=\"width:19%\"></colgroup>\
         <thead><tr><th>verb</th><th>path</th><th>api group</th><th>auth</th><th>reads</th><th>writes</th><th>findings</th><th>file</th></tr></thead><tbody>\n",
    );
    for r in e {
        let group = r.api_group.as_deref().unwrap_or("");
        let auth = match (&r.auth, r.reach) {
            (_, Reach::Public) => "<td class=\"public\">none</td>".to_string(),
            (Some(a), Reach::Internal) => format!(
                "<td>{} <span class=\"muted\">(inactive group)</span></td>",
                esc(a)
            ),
            (None, Reach::Internal) => {
                "<td><span class=\"muted\">inactive group</span></td>".to_string()
            }
            (Some(a), _) => format!("<td>{}</td>", esc(a)),
            (None, _) => "<td></td>".to_string(),
        };
        let place = format!("{}:{}", r.file, r.line);
        writeln!(
            out,
            "<tr data-reach=\"{}\" data-ghost=\"{}\" data-writes=\"{}\" data-userdata=\"{}\" data-group=\"{}\" data-verb=\"{}\"{}>\
             <td>{}</td><td class=\"path\"><code>{}</code></td><td>{}</td>{auth}<td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"cut\" title=\"{}\"><code>{}</code></td></tr>",
            match r.reach {
                Reach::Public => "public",
                Reach::Authenticated => "authenticated",
                Reach::Internal => "internal",
            },
            u8::from(r.generated_crud.is_some()),
            u8::from(!r.writes.is_empty()),
            u8::from(!r.returns_user_data.is_empty()),
            esc(group),
            esc(&r.verb),
            if r.generated_crud.is_some() { " class=\"ghost\"" } else { "" },
            esc(&r.verb),
            esc(&r.path),
            if group.is_empty() { "<span class=\"muted\">—</span>".to_string() } else { esc(group) },
            list(&r.reads),
            list(&r.writes),
            list(&r.findings),
            esc(&place),
            esc(&place),
        )
        .unwrap();
    }
    out.push_str("</tbody></table></div></details>\n");

    writeln!(
        out,
        "<details class=\"fold\" id=\"inventory-groups\"><summary>API groups <span class=\"muted\">{}</span></summary><div class=\"fold-body\">\
         <table class=\"sortable\"><colgroup><col style=\"width:18%\"><col style=\"width:13%\"><col style=\"width:30%\"><col style=\"width:8%\"><col style=\"width:9%\"><col style=\"width:22%\"></colgroup>\
         <thead><tr><th>name</th><th>swagger</th><th>CORS</th><th>active</th><th>endpoints</th><th>file</th></tr></thead><tbody>",
        audit.api_groups.len()
    )
    .unwrap();
    for g in &audit.api_groups {
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"cut\" title=\"{}\"><code>{}</code></td></tr>",
            esc(&g.name),
            esc(&g.swagger),
            inline(&g.cors),
            if g.active { "yes" } else { "no" },
            g.endpoints,
            esc(&g.file),
            esc(&g.file)
        )
        .unwrap();
    }
    out.push_str("</tbody></table></div></details>\n");

    writeln!(
        out,
        "<details class=\"fold\" id=\"inventory-tables\"><summary>Tables <span class=\"muted\">{}</span></summary><div class=\"fold-body\">\
         <table class=\"sortable\"><colgroup><col style=\"width:16%\"><col style=\"width:7%\"><col style=\"width:12%\"><col style=\"width:22%\"><col style=\"width:22%\"><col style=\"width:21%\"></colgroup>\
         <thead><tr><th>name</th><th>auth</th><th>owner field</th><th>sensitive fields</th><th>unflagged candidates</th><th>file</th></tr></thead><tbody>",
        audit.tables.len()
    )
    .unwrap();
    for t in &audit.tables {
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"cut\" title=\"{}\"><code>{}</code></td></tr>",
            esc(&t.name),
            if t.auth { "yes" } else { "" },
            t.owner_field.as_deref().map_or("<span class=\"muted\">—</span>".to_string(), esc),
            list(&t.sensitive_fields),
            list(&t.unflagged_candidates),
            esc(&t.file),
            esc(&t.file)
        )
        .unwrap();
    }
    out.push_str("</tbody></table></div></details>\n</section>\n");
}

fn filters(out: &mut String, audit: &Audit) {
    let groups: BTreeSet<&str> = audit
        .endpoints
        .iter()
        .filter_map(|e| e.api_group.as_deref())
        .collect();
    let verbs: BTreeSet<&str> = audit.endpoints.iter().map(|e| e.verb.as_str()).collect();
    out.push_str(
        "<div class=\"filters\" id=\"endpoint-filters\">\
         <input type=\"search\" name=\"q\" placeholder=\"Filter by text\" aria-label=\"Filter endpoints by text\">\
         <label><input type=\"checkbox\" name=\"public\"> no auth</label>\
         <label><input type=\"checkbox\" name=\"ghost\"> generated CRUD</label>\
         <label><input type=\"checkbox\" name=\"writes\"> writes</label>\
         <label><input type=\"checkbox\" name=\"userdata\"> returns user data</label>\
         <select name=\"group\" aria-label=\"api group\"><option value=\"\">every api group</option>",
    );
    for g in groups {
        write!(out, "<option value=\"{}\">{}</option>", esc(g), esc(g)).unwrap();
    }
    out.push_str(
        "</select><select name=\"verb\" aria-label=\"verb\"><option value=\"\">every verb</option>",
    );
    for v in verbs {
        write!(out, "<option value=\"{}\">{}</option>", esc(v), esc(v)).unwrap();
    }
    out.push_str("</select><button type=\"button\" id=\"endpoint-reset\">Reset</button><span class=\"shown\" id=\"endpoints-shown\"></span></div>");
}
