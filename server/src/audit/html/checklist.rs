//! The checks no source can show: ticks kept in the browser (per workspace) with a progress
//! count, and for each where in Xano's dashboard to look.

use std::fmt::Write as _;

use super::text::{esc, inline};
use crate::audit::Audit;

pub fn render(out: &mut String, audit: &Audit) {
    let n = audit.manual_checks.len();
    write!(
        out,
        "<section id=\"checklist-section\"><h2>Checks no source can show\
         <span class=\"sub\"><span id=\"checklist-progress\">0 of {n} done</span><span class=\"progress\"><i id=\"checklist-bar\"></i></span></span></h2>\n\
         <p class=\"muted\">Do these by hand in the Xano dashboard before launch. Ticks are kept in this browser for workspace <b>{}</b>.</p>\n<ul class=\"checklist\" id=\"checklist\">\n",
        esc(&audit.run.workspace)
    )
    .unwrap();
    for m in audit.manual_checks {
        writeln!(
            out,
            "<li id=\"check-{}\"><label><input type=\"checkbox\" value=\"{}\"><span><b class=\"item\">{}</b>: {}.</span><span class=\"where\">Where: {}</span></label></li>",
            esc(m.id),
            esc(m.id),
            inline(m.item),
            inline(m.why),
            inline(m.where_to_look)
        )
        .unwrap();
    }
    out.push_str("</ul>\n</section>\n");
}
