//! Data flow inside one object's stack: which variables hold request-controlled values, and
//! which hold records read from (or written to) which table.
//!
//! The analysis is flow-insensitive and conservative for taint (a variable is request-controlled
//! when any of its definitions is), computed to a fixed point over the object's enabled
//! statements. Disabled (`!`) statements are ignored, as Xano ignores them.

use std::collections::{HashMap, HashSet};

use crate::model::object_statements;
use crate::model::{Expr, ExprKind, Object, Segment, Span, Statement, VarPath};
use crate::semantics::literal_name;
use crate::semantics::statements::{Db, QueryReturn, VarWrite, loop_item, reads_raw_request};
use crate::workspace::Workspace;
use crate::workspace::calls::CallPath;

use super::callers::{ArgumentTaint, InputTaint, caller_taint};

/// Where a request-controlled value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taint {
    /// Human description: "`$input.order_id`", "the raw request body".
    pub source: String,
    /// The input field when the source is one (`order_id`).
    pub input: Option<String>,
}

/// What a record variable holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub table: String,
    /// The statement that produced it (`db.get`, `db.query`, `db.add`, ...).
    pub statement: String,
    pub statement_span: Span,
    /// `true` for lists (`db.query` without a single return).
    pub list: bool,
    /// The read's `output = [...]` field list, when it has one.
    pub output: Option<Vec<String>>,
}

/// The data-flow facts of one stack.
#[derive(Debug, Default)]
pub struct Flow {
    tainted: HashMap<String, Taint>,
    records: HashMap<String, Record>,
    input_taint: Option<InputTaint>,
}

impl Flow {
    /// Analyses the stack of `object` with the given input taint.
    pub fn of(object: &Object, input_taint: InputTaint) -> Self {
        let statements = object_statements(object);
        let mut flow = Flow {
            input_taint: Some(input_taint),
            ..Flow::default()
        };
        // Records first: they do not depend on taint.
        for s in &statements {
            flow.bind_record(s);
        }
        for _ in 0..8 {
            let before = flow.tainted.len();
            for s in &statements {
                flow.bind_taint(s);
            }
            if flow.tainted.len() == before {
                break;
            }
        }
        flow
    }

    /// An endpoint's flow: every `$input` is request-controlled.
    pub fn endpoint(object: &Object) -> Self {
        Self::of(object, InputTaint::All)
    }

    /// Why `expr` is request-controlled, if it is. Filters do not clear it: a count of request
    /// values is still the caller's choice. Whether a filter leaves text that could carry SQL
    /// or code is the injection engine's question (`analysis::injection`).
    pub fn taint(&self, expr: &Expr) -> Option<Taint> {
        match &expr.kind {
            ExprKind::Var(path) => self.var_taint(path),
            ExprKind::Filtered { value, filters } => self.taint(value).or_else(|| {
                filters
                    .iter()
                    .flat_map(|f| &f.arguments)
                    .find_map(|a| self.taint(a))
            }),
            ExprKind::ExpressionLiteral(text) => self.text_taint(text),
            _ => {
                // Any part of a composite value.
                let mut children: Vec<&Expr> = expr.descendants();
                children.remove(0);
                children.into_iter().find_map(|c| match &c.kind {
                    ExprKind::Var(_)
                    | ExprKind::Filtered { .. }
                    | ExprKind::ExpressionLiteral(_) => self.taint(c),
                    _ => None,
                })
            }
        }
    }

    /// Taint of a variable path: `$input.x`, a tainted stack variable, request headers.
    fn var_taint(&self, path: &VarPath) -> Option<Taint> {
        match path.root.as_str() {
            "input" => {
                let field = path.first_field().map(str::to_string);
                let tainted = match self.input_taint.as_ref()? {
                    InputTaint::All => true,
                    InputTaint::Only(set) => field.as_ref().is_none_or(|f| set.contains(f)),
                    InputTaint::None => false,
                };
                tainted.then(|| Taint {
                    source: match &field {
                        Some(f) => format!("`$input.{f}`"),
                        None => "`$input`".to_string(),
                    },
                    input: field,
                })
            }
            "env" => match path.first_field() {
                Some(h @ ("$http_headers" | "$request_querystring" | "$request_uri")) => {
                    Some(Taint {
                        source: format!("`$env.{h}`"),
                        input: None,
                    })
                }
                _ => None,
            },
            "var" => {
                let name = path.first_field()?;
                self.tainted.get(name).cloned()
            }
            name => self.tainted.get(name).cloned(),
        }
    }

    /// Taint of expression text kept verbatim (backtick literals, lambda code).
    fn text_taint(&self, text: &str) -> Option<Taint> {
        if let Some(at) = text.find("$input") {
            let field: String = text[at + 6..]
                .strip_prefix('.')
                .map(|rest| {
                    rest.chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect()
                })
                .unwrap_or_default();
            let tainted = match self.input_taint.as_ref()? {
                InputTaint::All => true,
                InputTaint::Only(set) => field.is_empty() || set.contains(&field),
                InputTaint::None => false,
            };
            if tainted {
                return Some(Taint {
                    source: if field.is_empty() {
                        "`$input`".into()
                    } else {
                        format!("`$input.{field}`")
                    },
                    input: (!field.is_empty()).then_some(field),
                });
            }
        }
        self.tainted
            .iter()
            .find(|(name, _)| mentions_var(text, name))
            .map(|(_, t)| t.clone())
    }

    fn set_taint(&mut self, name: &str, taint: Taint) {
        self.tainted.entry(name.to_string()).or_insert(taint);
    }

    fn bind_taint(&mut self, s: &Statement) {
        let name = s.name.value.as_str();
        // Statements that write into their first argument: `var $x`, `var.update $x`, `array.push $x`.
        let target = s
            .first_expr()
            .and_then(|e| e.as_var())
            .map(|v| target_name(v).to_string());
        let value = s.attribute("value").map(|a| &a.value);
        match name {
            _ if VarWrite::of(name).is_some_and(VarWrite::carries_value) => {
                if let (Some(target), Some(t)) = (target, value.and_then(|v| self.taint(v))) {
                    self.set_taint(&target, t);
                }
            }
            _ if reads_raw_request(name) => {
                if let Some(alias) = s.alias_name() {
                    self.set_taint(
                        alias,
                        Taint {
                            source: "the raw request body".into(),
                            input: None,
                        },
                    );
                }
            }
            "api.lambda" => {
                let code = s.attribute("code").and_then(|a| a.value.string_value());
                if let (Some(alias), Some(t)) =
                    (s.alias_name(), code.and_then(|c| self.text_taint(c)))
                {
                    self.set_taint(alias, t);
                }
            }
            "foreach" => {
                // `foreach ($input.items) { each as $item { ... } }`
                let Some(t) = s.first_expr().and_then(|e| self.taint(e)) else {
                    return;
                };
                if let Some(alias) = loop_item(s) {
                    self.set_taint(alias, t);
                }
            }
            _ if name.starts_with("array.")
                || name.starts_with("text.")
                || name.starts_with("object.") =>
            {
                // Transformations of a tainted value return a tainted value.
                let source = s.first_expr().or(value);
                if let (Some(alias), Some(t)) = (s.alias_name(), source.and_then(|e| self.taint(e)))
                {
                    self.set_taint(alias, t);
                }
            }
            _ => {}
        }
    }

    fn bind_record(&mut self, s: &Statement) {
        let name = s.name.value.as_str();
        let list = match name {
            "db.query" => {
                let returns = QueryReturn::of(s);
                if !returns.rows() {
                    // A count, a flag or an aggregate is no record of the table.
                    return;
                }
                returns.many()
            }
            _ if Db::of(name).is_some_and(Db::returns_record) => false,
            _ if VarWrite::of(name).is_some_and(VarWrite::replaces) => {
                // `var $y { value = $x }` and `var $y { value = $list|first }` carry the record.
                let (Some(target), Some(value)) = (
                    s.first_expr()
                        .and_then(|e| e.as_var())
                        .map(|v| target_name(v).to_string()),
                    s.attribute("value").map(|a| &a.value),
                ) else {
                    return;
                };
                if let Some(record) = self.record_through(value) {
                    self.records.entry(target).or_insert(record);
                }
                return;
            }
            _ => return,
        };
        let (Some(alias), Some(table)) = (s.alias_name(), s.target_name()) else {
            return;
        };
        if !s.alias_filters.is_empty() && s.alias_filters.iter().any(|f| f.name.value == "get") {
            // `as $x|get:"id"` binds one field, not the record.
            return;
        }
        let output = s.attribute("output").and_then(|a| string_list(&a.value));
        self.records.insert(
            alias.to_string(),
            Record {
                table: table.value.clone(),
                statement: name.to_string(),
                statement_span: s.span.clone(),
                list,
                output,
            },
        );
    }

    /// The record `expr` evaluates to, through variables and element-picking filters.
    pub fn record_of(&self, expr: &Expr) -> Option<Record> {
        self.record_through(expr)
    }

    fn record_through(&self, expr: &Expr) -> Option<Record> {
        match &expr.kind {
            ExprKind::Var(path) => {
                let name = match path.root.as_str() {
                    "var" => path.first_field()?,
                    root => root,
                };
                let mut record = self.records.get(name)?.clone();
                let skip = usize::from(path.root == "var");
                let rest = &path.segments[skip.min(path.segments.len())..];
                match rest.first() {
                    None => Some(record),
                    // `$list.items` (paged results) and `$list[0]` stay records of the table.
                    Some(Segment::Field(f)) if record.list && f == "items" => Some(record),
                    Some(Segment::Index(_)) if record.list => {
                        record.list = false;
                        Some(record)
                    }
                    _ => None,
                }
            }
            ExprKind::Filtered { value, filters } => {
                let mut record = self.record_through(value)?;
                for f in filters {
                    match f.name.value.as_str() {
                        "first" | "last" => record.list = false,
                        "filter" | "sort" | "slice" | "reverse" | "unique" | "shuffle"
                        | "safe_array" | "merge" => {}
                        // Anything else (`|get`, `|pick`, `|unset`, `|count`) changes what the value is.
                        _ => return None,
                    }
                }
                Some(record)
            }
            _ => None,
        }
    }

    /// Every variable name holding a record, with the record.
    pub fn records(&self) -> impl Iterator<Item = (&String, &Record)> {
        self.records.iter()
    }

    /// Whether the variable `name` is request-controlled.
    pub fn is_tainted_var(&self, name: &str) -> bool {
        self.tainted.contains_key(name)
    }
}

/// The variable a statement writes: `$x` for `$x`, `$var.x` and `$x.a[0]`.
pub fn target_name(path: &VarPath) -> &str {
    if path.root == "var" {
        path.first_field().unwrap_or("var")
    } else {
        &path.root
    }
}

fn mentions_var(text: &str, name: &str) -> bool {
    let needle = format!("${name}");
    text.match_indices(&needle).any(|(i, _)| {
        !text[i + needle.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// The strings of an array literal of strings.
pub fn string_list(expr: &Expr) -> Option<Vec<String>> {
    match &expr.kind {
        ExprKind::Array(items) => items
            .iter()
            .map(|i| i.string_value().map(str::to_string))
            .collect(),
        _ => None,
    }
}

/// The inputs of the callee that receive request-controlled values from the caller:
/// `function.run f { input = {id: $input.id} }` → `{"id"}`. `input = $input` passes all.
pub fn tainted_arguments(call: &Statement, caller: &Flow) -> InputTaint {
    let Some(input) = call.attribute("input").map(|a| &a.value) else {
        return InputTaint::None;
    };
    match &input.kind {
        ExprKind::Object(pairs) => {
            let set: HashSet<String> = pairs
                .iter()
                .filter(|p| caller.taint(&p.value).is_some())
                .filter_map(|p| match &p.key {
                    crate::model::PairKey::Name(k) => Some(k.value.clone()),
                    crate::model::PairKey::Expr(_) => None,
                })
                .collect();
            if set.is_empty() {
                InputTaint::None
            } else {
                InputTaint::Only(set)
            }
        }
        _ if caller.taint(input).is_some() => InputTaint::All,
        _ => InputTaint::None,
    }
}

impl ArgumentTaint<'_> for Flow {
    fn tainted_arguments(&self, call: &Statement) -> InputTaint {
        tainted_arguments(call, self)
    }

    fn enter(&self, function: &Object, inputs: InputTaint, _: CallPath) -> Self {
        Flow::of(function, inputs)
    }
}

/// For a function, the inputs some endpoint (directly or through other functions) passes
/// request-controlled values to. `None` when no endpoint calls it.
pub fn function_input_taint(ws: &Workspace, function: &str) -> Option<InputTaint> {
    caller_taint(ws, function, |object| {
        (object.kind.value == "query").then(|| Flow::endpoint(object))
    })
    .inputs
}

/// The literal name given to a statement attribute (`table = "user"`).
pub fn attribute_name<'a>(s: &'a Statement, key: &str) -> Option<&'a str> {
    s.attribute(key).and_then(|a| literal_name(&a.value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::FileModel;

    fn endpoint_flow(stack: &str) -> (FileModel, Vec<String>) {
        let src = format!(
            "query x verb=POST {{\n  input {{\n    int id\n  }}\n  stack {{\n{stack}\n  }}\n  response = null\n}}\n"
        );
        let file = FileModel::parse("x.xs", &src);
        let flow = Flow::endpoint(&file.model.objects[0]);
        let mut tainted: Vec<String> = flow.tainted.keys().cloned().collect();
        tainted.sort();
        (file, tainted)
    }

    #[test]
    fn taint_follows_vars_filters_raw_input_and_loops() {
        let (_, tainted) = endpoint_flow(
            "    var $a { value = $input.id }\n    var $b { value = $a|trim }\n    util.get_raw_input as $raw\n    var $c { value = 3 }\n    foreach ($raw.items) {\n      each as $item {\n        var $d { value = $item.x }\n      }\n    }\n    db.get user {\n      field_name = \"id\"\n      field_value = $a\n    } as $u\n",
        );
        assert_eq!(tainted, ["a", "b", "d", "item", "raw"]);
    }

    #[test]
    fn records_follow_reads_and_vars() {
        let (file, _) = endpoint_flow(
            "    db.query order {\n      where = $db.order.id > 0\n      output = [\"id\", \"total\"]\n    } as $orders\n    var $first { value = $orders|first }\n    db.get user {\n      field_name = \"id\"\n      field_value = 1\n    } as $u|get:\"id\"\n",
        );
        let flow = Flow::endpoint(&file.model.objects[0]);
        let orders = flow.records.get("orders").unwrap();
        assert_eq!((orders.table.as_str(), orders.list), ("order", true));
        assert_eq!(
            orders.output.as_deref(),
            Some(&["id".to_string(), "total".to_string()][..])
        );
        assert!(!flow.records.get("first").unwrap().list);
        assert!(!flow.records.contains_key("u"));
    }

    // What callers pass a function, as the endpoints' flows see it.
    mod caller_taint {
        use std::sync::Arc;

        use super::super::*;
        use crate::workspace::{Config, FileModel};

        fn workspace(files: &[(&str, &str)]) -> Workspace {
            let mut ws = Workspace::new(Config::default());
            for (path, text) in files {
                ws.insert(Arc::new(FileModel::parse(*path, text)));
            }
            ws.reindex();
            ws
        }

        fn endpoint(name: &str, call: &str) -> String {
            format!(
                "query {name} verb=POST {{\n  input {{\n    int a\n    int b\n  }}\n  stack {{\n    {call}\n  }}\n  response = null\n}}\n"
            )
        }

        const SINK: &str = "function sink {\n  input {\n    int x\n    int y\n  }\n  stack {\n  }\n  response = null\n}\n";

        fn endpoints_only(object: &Object) -> Option<Flow> {
            (object.kind.value == "query").then(|| Flow::endpoint(object))
        }

        #[test]
        fn joins_what_every_entry_point_passes_directly_or_through_functions() {
            let ws = workspace(&[
                ("sink.xs", SINK),
                (
                    "one.xs",
                    &endpoint(
                        "one",
                        "function.run sink {\n      input = {x: $input.a, y: 1}\n    }",
                    ),
                ),
                (
                    "relay.xs",
                    "function relay {\n  input {\n    int v\n  }\n  stack {\n    function.run sink {\n      input = {y: $input.v}\n    }\n  }\n  response = null\n}\n",
                ),
                (
                    "two.xs",
                    &endpoint(
                        "two",
                        "function.run relay {\n      input = {v: $input.b}\n    }",
                    ),
                ),
                (
                    "three.xs",
                    &endpoint(
                        "three",
                        "function.run sink {\n      input = {x: 1, y: 2}\n    }",
                    ),
                ),
            ]);
            let found = caller_taint(&ws, "sink", endpoints_only);
            assert_eq!(
                found.inputs,
                Some(InputTaint::Only(["x", "y"].map(String::from).into()))
            );
            // `three` calls it with constants only: a caller, but not one passing request values.
            let callers: Vec<&str> = found
                .callers
                .iter()
                .map(|(e, _)| e.file.path.as_str())
                .collect();
            assert_eq!(callers, ["one.xs", "two.xs"]);
        }

        #[test]
        fn a_function_no_entry_point_reaches_has_no_caller_taint() {
            let ws = workspace(&[
                ("sink.xs", SINK),
                (
                    "task.xs",
                    "task nightly {\n  stack {\n    function.run sink {\n      input = {x: 1}\n    }\n  }\n}\n",
                ),
            ]);
            let found = caller_taint(&ws, "sink", endpoints_only);
            assert_eq!(found.inputs, None);
            assert!(found.callers.is_empty());
        }

        #[test]
        fn join_keeps_the_widest_taint() {
            let only =
                |names: &[&str]| InputTaint::Only(names.iter().map(|n| n.to_string()).collect());
            assert_eq!(only(&["a"]).join(only(&["b"])), only(&["a", "b"]));
            assert_eq!(only(&["a"]).join(InputTaint::All), InputTaint::All);
            assert_eq!(InputTaint::None.join(only(&["a"])), only(&["a"]));
            assert_eq!(InputTaint::None.join(InputTaint::None), InputTaint::None);
            let mut found = None;
            InputTaint::join_into(&mut found, InputTaint::None);
            assert_eq!(found, Some(InputTaint::None));
        }
    }
}
