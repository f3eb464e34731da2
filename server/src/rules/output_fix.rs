//! The fix XS202 and XS204 share: keep a read's columns of one kind out of what it returns, by
//! adding an `output` list of the table's other columns or narrowing the one it has.

use crate::analysis::exposure::{Origin, OriginKind, list_names};
use crate::analysis::flow::string_list;
use crate::finding::{Applicability, Fix};
use crate::fix::{indent_at, line_ending_at};
use crate::model::{Expr, ExprKind, PairKey};
use crate::workspace::sensitivity::{DataKind, output_without, table_fields_of_kind};

use super::context::Context;
use super::edits;

/// The paging fields Xano returns around `items` for a paged query.
const PAGING_FIELDS: &[&str] = &[
    "itemsReceived",
    "curPage",
    "nextPage",
    "prevPage",
    "offset",
    "perPage",
];

/// A fix for a read of `file` whose records expose fields of `kind`: add an `output` list of the
/// table's other columns, or narrow the one it has.
pub fn output_fix(
    ctx: &Context,
    origin: &Origin,
    kind: DataKind,
    exposed: &[String],
) -> Option<Fix> {
    let (ws, file) = (ctx.ws, ctx.file);
    if origin.kind != OriginKind::Read || origin.path != file.path {
        return None;
    }
    let text = &file.text;
    // Only the object that holds the read: objects are in file order.
    let objects = &file.model.objects;
    let at = objects.partition_point(|o| o.span.start <= origin.span.start);
    let statement = objects[at.checked_sub(1)?]
        .stack()?
        .walk_statements()
        .into_iter()
        .find(|s| s.span == origin.span)?;
    let body = statement.body.as_ref()?;
    let mut hidden: Vec<String> = table_fields_of_kind(ws, &origin.table, kind)
        .into_iter()
        .filter(|f| f.returned_by(&origin.outputs, origin.paged))
        .map(|f| f.path)
        .collect();
    // `eval` keys that copy such a column of a joined table.
    hidden.extend(
        exposed
            .iter()
            .filter(|f| origin.evals.iter().any(|(k, _, _)| k == *f))
            .cloned(),
    );
    let visible = output_without(ws, &origin.table, kind)?;
    let items = |name: &str| {
        if origin.paged {
            format!("items.{name}")
        } else {
            name.to_string()
        }
    };
    let existing = statement.attribute("output");
    let list: Vec<String> = match existing.map(|a| string_list(&a.value)) {
        Some(Some(entries)) => {
            let mut out = Vec::new();
            for entry in entries {
                let bare = if origin.paged {
                    entry.strip_prefix("items.").unwrap_or(&entry).to_string()
                } else {
                    entry.clone()
                };
                let inner = format!("{bare}.");
                if hidden
                    .iter()
                    .any(|h| *h == bare || bare.starts_with(&format!("{h}.")))
                {
                    continue;
                }
                if hidden.iter().any(|h| h.starts_with(&inner)) {
                    out.extend(
                        visible
                            .iter()
                            .filter(|v| v.starts_with(&inner))
                            .map(|v| items(v)),
                    );
                    continue;
                }
                out.push(entry);
            }
            out
        }
        Some(None) => return None,
        None => {
            let mut out: Vec<String> = Vec::new();
            if origin.paged {
                out.extend(PAGING_FIELDS.iter().map(|s| s.to_string()));
                let totals = statement
                    .attribute("return")
                    .and_then(|r| r.value.get("paging"))
                    .and_then(|p| p.get("totals"))
                    .and_then(Expr::as_bool)
                    .unwrap_or(false);
                if totals {
                    out.push("itemsTotal".to_string());
                    out.push("pageTotal".to_string());
                }
            }
            out.extend(visible.iter().map(|v| items(v)));
            if let Some(ExprKind::Object(pairs)) =
                statement.attribute("eval").map(|a| &a.value.kind)
            {
                for p in pairs.iter().filter(|p| !p.disabled) {
                    if let PairKey::Name(k) = &p.key
                        && !hidden.contains(&k.value)
                    {
                        out.push(items(&k.value));
                    }
                }
            }
            if let Some(addon) = statement.attribute("addon") {
                match &addon.value.kind {
                    ExprKind::Array(entries) => {
                        for e in entries {
                            if let Some(path) = e
                                .get("as")
                                .and_then(Expr::string_value)
                                .or_else(|| e.get("name").and_then(Expr::string_value))
                            {
                                out.push(path.to_string());
                            }
                        }
                    }
                    ExprKind::Object(pairs) => {
                        for p in pairs.iter().filter(|p| !p.disabled) {
                            if let PairKey::Name(k) = &p.key {
                                out.push(k.value.clone());
                            }
                        }
                    }
                    _ => {}
                }
            }
            out
        }
    };
    if list.is_empty() {
        return None;
    }
    let quoted: Vec<String> = list.iter().map(|f| format!("{f:?}")).collect();
    let removed: Vec<String> = match existing.map(|a| string_list(&a.value)) {
        Some(Some(entries)) => entries.into_iter().filter(|e| !list.contains(e)).collect(),
        _ => hidden.clone(),
    };
    let names = list_names(&removed);
    let anchor = match existing {
        Some(attr) => attr,
        None => body.attributes().last()?,
    };
    let indent = indent_at(text, anchor.span.start);
    let one_line = format!("output = [{}]", quoted.join(", "));
    let lines: Vec<String> = if indent.len() + one_line.len() <= 100 {
        vec![one_line]
    } else {
        let unit = file.indent_unit();
        let mut lines = vec!["output = [".to_string()];
        lines.extend(quoted.iter().map(|q| format!("{unit}{q}")));
        lines.push("]".to_string());
        lines
    };
    let edit = match existing {
        Some(_) => {
            let eol = line_ending_at(text, anchor.span.start);
            edits::replace(&anchor.span, lines.join(&format!("{eol}{indent}")))
        }
        None => edits::after_attribute(ctx, anchor, &lines),
    };
    let title = match existing {
        Some(_) => format!("Remove {names} from the read's `output` list"),
        None => format!("Add an `output` list without {names} (check the fields it keeps)"),
    };
    Some(Fix {
        applicability: Applicability::Unsafe,
        title,
        edits: vec![edit],
    })
}
