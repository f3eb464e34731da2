//! Shared questions of the injection rules (XS401 SQL, XS402 SSRF, XS403 code injection).
//!
//! The rules ask the same things of a sink (`db.direct_query`, `api.request`, `api.lambda`, ...):
//! which parts of the text it receives come from the request, through which construct they got
//! there (concatenation, a filter, a Twig template, a lambda), and whether an allow-list test
//! against literals stands before it. [`Stack`] answers them for one object's stack.
//!
//! Taint here follows the catalogue's terms for XS4xx: `$input.*` (unless the input is declared
//! with a type Xano validates to a number, boolean, date, uuid or enum), request headers, the
//! query string and the raw body; a numeric or boolean coercion cleans a value. Values read from
//! the database or returned by outside services are not request-controlled. A function's inputs
//! are request-controlled when some endpoint (or tool, middleware) passes them a request value;
//! with no workspace around the file, every function input counts.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use crate::analysis::callers::{self, ArgumentTaint, InputTaint};
use crate::analysis::flow::target_name;
use crate::model::enabled_statements;
use crate::model::{BinaryOp, Expr, ExprKind, Filter, Object, PairKey, Span, Statement, VarPath};
use crate::semantics::filters::FilterResult;
use crate::semantics::statements::{VarWrite, loop_item, reads_raw_request};
use crate::workspace::calls::{CallPath, is_call};
use crate::workspace::{FileModel, Workspace};

/// Where a request-controlled value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tainted {
    /// Human description: "`$input.name`", "the raw request body".
    pub source: String,
    /// The input field when the source is one.
    pub input: Option<String>,
    /// Escaped for SQL, not for other sinks: `|sql_esc`, `|sql_alias`, `|replace:"'":""`, or
    /// lambda code that doubles quotes itself.
    pub sql_escaped: bool,
}

/// What the value is used for: decides which filters make it harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Sql,
    Url,
    Code,
}

/// How a request value got into the text a sink receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum How {
    /// The text is the request value itself.
    Whole,
    /// `"..." ~ $input.x`.
    Concat,
    /// A text filter: `|concat`, `|sprintf`, `|replace`, `|join`, ...
    Filter(String),
    /// A `{{ }}` Twig output (`util.template_engine`, `parser = "template_engine"`).
    Template,
    /// The result of an `api.lambda` whose code reads the request.
    Lambda,
    /// The response of a function given a request value.
    Function(String),
}

impl How {
    /// A phrase for messages: "by concatenation (`~`)".
    pub fn phrase(&self) -> String {
        match self {
            How::Whole => "taken as a whole".into(),
            How::Concat => "by concatenation (`~`)".into(),
            How::Filter(f) => format!("with `|{f}`"),
            How::Template => "through a `{{ }}` template".into(),
            How::Lambda => "by an `api.lambda` that reads it".into(),
            How::Function(f) => format!("by function `{f}`"),
        }
    }
}

/// A request value found in a built text.
#[derive(Debug, Clone)]
pub struct Hit {
    pub taint: Tainted,
    pub how: How,
    /// The expression holding the value, in the checked file.
    pub at: Span,
    /// Whether `at` is exactly the request value's expression (usable in a fix).
    pub exact: bool,
    /// The path of that expression when it is a variable (`$input.host`, `$body.url`).
    pub leaf: Option<String>,
    /// Variables the value went through: name and defining statement.
    pub via: Vec<(String, Span)>,
}

/// One part of a built text.
#[derive(Debug, Clone)]
pub enum Piece {
    /// Literal text, with the literal's span when it is one in the checked file.
    Lit(String, Option<Span>),
    /// Text that is not request-controlled but not known either (`$env.BASE`, a record field).
    Opaque,
    Tainted(Hit),
}

/// The possible texts of a value: one list of pieces per way it can be built.
pub type Alternatives = Vec<Vec<Piece>>;

const MAX_ALTERNATIVES: usize = 16;
const MAX_RESOLVE_DEPTH: usize = 12;
const MAX_RESOLVE_STEPS: usize = 2_000;
/// Definitions of a variable followed at one use (the latest ones).
const MAX_DEFINITIONS: usize = 6;
const MAX_EXPR_DEPTH: usize = 64;

/// Input types Xano validates to a number, boolean, date, uuid or one of listed values.
const CLEAN_INPUT_TYPES: &[&str] = &[
    "int",
    "integer",
    "decimal",
    "number",
    "bool",
    "boolean",
    "timestamp",
    "date",
    "uuid",
    "enum",
];

/// One object's stack, with what is request-controlled in it.
pub struct Stack<'a> {
    pub ws: &'a Workspace,
    pub object: &'a Object,
    /// The statements that run, in source order, nested ones included.
    pub statements: Vec<&'a Statement>,
    inputs: InputTaint,
    clean_inputs: HashSet<String>,
    tainted: HashMap<String, Tainted>,
    defs: HashMap<String, Vec<&'a Statement>>,
    /// The calls that led here from the object the analysis started in.
    path: CallPath,
    /// Results of called functions, by call statement and the inputs it taints.
    calls: RefCell<CallResults>,
    /// Resolution steps left for the current [`Stack::pieces`] call: long chains of
    /// `var.update` statements would otherwise be resolved again at every step.
    budget: Cell<usize>,
}

/// Results of called functions, keyed by call statement and the inputs it taints.
type CallResults = HashMap<(usize, String), Option<(Tainted, String)>>;

impl<'a> Stack<'a> {
    pub fn new(ws: &'a Workspace, object: &'a Object, inputs: InputTaint) -> Self {
        Self::with_path(ws, object, inputs, CallPath::start(object))
    }

    fn with_path(
        ws: &'a Workspace,
        object: &'a Object,
        inputs: InputTaint,
        path: CallPath,
    ) -> Self {
        let statements = object.stack().map(enabled_statements).unwrap_or_default();
        let clean_inputs = object
            .fields("input")
            .map(|list| {
                list.fields
                    .iter()
                    .filter(|f| {
                        CLEAN_INPUT_TYPES.contains(&f.ty.value.to_ascii_lowercase().as_str())
                    })
                    .filter_map(|f| f.name.as_ref().map(|n| n.value.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let mut defs: HashMap<String, Vec<&Statement>> = HashMap::new();
        for s in &statements {
            if let Some(name) = defined_name(s) {
                defs.entry(name).or_default().push(s);
            }
        }
        let mut scope = Stack {
            ws,
            object,
            statements,
            inputs,
            clean_inputs,
            tainted: HashMap::new(),
            defs,
            path,
            calls: RefCell::new(HashMap::new()),
            budget: Cell::new(0),
        };
        scope.propagate();
        scope
    }

    /// Variables holding request values, to a fixed point (flow-insensitive: a variable is
    /// request-controlled when any of its definitions is).
    fn propagate(&mut self) {
        let statements = self.statements.clone();
        for _ in 0..8 {
            let before = self.tainted.len();
            for s in &statements {
                if let Some((name, t)) = self.statement_taint(s) {
                    self.tainted.entry(name).or_insert(t);
                }
            }
            if self.tainted.len() == before {
                break;
            }
        }
    }

    /// The variable a statement makes request-controlled, if any.
    fn statement_taint(&self, s: &Statement) -> Option<(String, Tainted)> {
        let name = s.name.value.as_str();
        let value = s.attribute("value").map(|a| &a.value);
        let target = || {
            s.first_expr()
                .and_then(Expr::as_var)
                .map(|v| target_name(v).to_string())
        };
        let alias = || s.alias_name().map(str::to_string);
        let result = match name {
            _ if VarWrite::of(name).is_some_and(VarWrite::carries_value) => {
                return Some((target()?, self.taint_raw(value?, 0)?));
            }
            _ if reads_raw_request(name) => Some(Tainted {
                source: match s.alias_name() {
                    Some(a) => format!("the raw request body (`${a}`)"),
                    None => "the raw request body".into(),
                },
                input: None,
                sql_escaped: false,
            }),
            "api.lambda" => {
                let code = s.attribute("code").map(|a| &a.value)?;
                match code.string_value() {
                    // Code that escapes quotes itself (`.replace(/'/g, "''")`) builds SQL
                    // strings that stay strings.
                    Some(text) => self.js_taint(&strip_js(text), text).map(|mut t| {
                        t.sql_escaped |= escapes_sql_quotes(text);
                        t
                    }),
                    None => self.taint_raw(code, 0),
                }
            }
            "util.template_engine" => {
                let v = value?;
                match v.string_value() {
                    Some(text) => self.twig_taint(text, Purpose::Code),
                    None => self.taint_raw(v, 0),
                }
            }
            "foreach" => {
                let t = self.taint_raw(s.first_expr()?, 0)?;
                return Some((loop_item(s)?.to_string(), t));
            }
            _ if is_call(s) => self.call_result(s).map(|(t, _)| t),
            "stream.from_csv" | "stream.from_jsonl" | "storage.read_file_resource" => {
                self.taint_raw(value?, 0)
            }
            // Tests, counts and searches give booleans and numbers.
            "text.contains" | "text.icontains" | "text.starts_with" | "text.istarts_with"
            | "text.ends_with" | "text.iends_with" | "array.has" | "array.every"
            | "array.find_index" | "array.filter_count" => None,
            _ if name.starts_with("array.")
                || name.starts_with("text.")
                || name.starts_with("object.") =>
            {
                s.first_expr()
                    .and_then(|e| self.taint_raw(e, 0))
                    .or_else(|| value.and_then(|v| self.taint_raw(v, 0)))
            }
            _ => None,
        };
        let t = result?;
        if s.alias_filters
            .iter()
            .any(|f| !f.disabled && is_clean(&f.name.value))
        {
            return None;
        }
        Some((alias()?, t))
    }

    /// Whether the response of a called function carries a request value it was given.
    fn call_result(&self, s: &Statement) -> Option<(Tainted, String)> {
        let (callee, path) = self.path.enter(self.ws, s)?;
        let name = s.target_name()?.value.clone();
        let inputs = self.tainted_arguments(s);
        let key = match &inputs {
            InputTaint::None => return None,
            InputTaint::All => "*".to_string(),
            InputTaint::Only(set) => {
                let mut names: Vec<&String> = set.iter().collect();
                names.sort();
                names
                    .iter()
                    .map(|n| n.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            }
        };
        let key = (s.span.start, key);
        if let Some(cached) = self.calls.borrow().get(&key) {
            return cached.clone();
        }
        let object = callee.object();
        let result = object.attribute("response").and_then(|response| {
            let inner = Stack::with_path(self.ws, object, inputs, path);
            inner.taint_raw(&response.value, 0).map(|t| (t, name))
        });
        self.calls.borrow_mut().insert(key, result.clone());
        result
    }

    /// The inputs of a called function that receive request values from this stack.
    pub fn tainted_arguments(&self, call: &Statement) -> InputTaint {
        let Some(input) = call.attribute("input").map(|a| &a.value) else {
            return InputTaint::None;
        };
        match &input.kind {
            ExprKind::Object(pairs) => {
                let set: HashSet<String> = pairs
                    .iter()
                    .filter(|p| !p.disabled)
                    .filter(|p| self.taint_raw(&p.value, 0).is_some())
                    .filter_map(|p| match &p.key {
                        PairKey::Name(k) => Some(k.value.clone()),
                        PairKey::Expr(_) => None,
                    })
                    .collect();
                if set.is_empty() {
                    InputTaint::None
                } else {
                    InputTaint::Only(set)
                }
            }
            _ if self.taint_raw(input, 0).is_some() => InputTaint::All,
            _ => InputTaint::None,
        }
    }

    /// Why `expr` is request-controlled for `purpose`, if it is.
    pub fn taint(&self, expr: &Expr, purpose: Purpose) -> Option<Tainted> {
        self.taint_raw(expr, 0)
            .filter(|t| !(purpose == Purpose::Sql && t.sql_escaped))
    }

    fn taint_raw(&self, expr: &Expr, depth: usize) -> Option<Tainted> {
        if depth > MAX_EXPR_DEPTH {
            return None;
        }
        let d = depth + 1;
        match &expr.kind {
            ExprKind::Var(path) => self.var_taint(path),
            ExprKind::Filtered { value, filters } => {
                let mut state = self.taint_raw(value, d);
                for f in filters.iter().filter(|f| !f.disabled) {
                    state = self.filter_taint(state, f, d);
                }
                state
            }
            ExprKind::Binary {
                op,
                operator,
                left,
                right,
                ..
            } => match op {
                BinaryOp::Additive if operator == "~" => {
                    prefer(self.taint_raw(left, d), self.taint_raw(right, d))
                }
                BinaryOp::Coalesce => prefer(self.taint_raw(left, d), self.taint_raw(right, d)),
                // Arithmetic gives numbers; comparisons and logic give booleans.
                _ => None,
            },
            ExprKind::Ternary {
                then, otherwise, ..
            } => prefer(
                then.as_deref().and_then(|t| self.taint_raw(t, d)),
                self.taint_raw(otherwise, d),
            ),
            ExprKind::Object(pairs) => pairs.iter().filter(|p| !p.disabled).fold(None, |acc, p| {
                let key = match &p.key {
                    PairKey::Expr(k) => self.taint_raw(k, d),
                    PairKey::Name(_) => None,
                };
                prefer(prefer(acc, key), self.taint_raw(&p.value, d))
            }),
            ExprKind::Array(items) => items
                .iter()
                .fold(None, |acc, i| prefer(acc, self.taint_raw(i, d))),
            ExprKind::Spread(inner) => self.taint_raw(inner, d),
            ExprKind::Access { object, .. } => self.taint_raw(object, d),
            ExprKind::ExpressionLiteral(text) => {
                let parsed = parse_expression(text)?;
                self.taint_raw(&parsed, d)
            }
            _ => None,
        }
    }

    fn filter_taint(&self, state: Option<Tainted>, f: &Filter, depth: usize) -> Option<Tainted> {
        let name = f.name.value.as_str();
        if is_clean(name) {
            return None;
        }
        match name {
            "sql_esc" | "sql_alias" => state.map(|mut t| {
                t.sql_escaped = true;
                t
            }),
            // Removing or doubling single quotes keeps the value inside its SQL string.
            "replace" if removes_quotes(f) => state.map(|mut t| {
                t.sql_escaped = true;
                t
            }),
            // A key of a trusted value picks trusted data; the default may come from the request.
            "get" => state.or_else(|| {
                f.arguments
                    .iter()
                    .skip(1)
                    .find_map(|a| self.taint_raw(a, depth))
            }),
            _ if joins(name) => f
                .arguments
                .iter()
                .fold(state, |acc, a| prefer(acc, self.taint_raw(a, depth))),
            _ => state,
        }
    }

    /// Taint of a variable path.
    fn var_taint(&self, path: &VarPath) -> Option<Tainted> {
        match path.root.as_str() {
            "input" => self.input_taint(path.first_field()),
            "env" => match path.first_field() {
                Some(h @ ("$http_headers" | "$request_querystring" | "$request_uri")) => {
                    // Name the header when it is a literal key: `$env.$http_headers["x-tenant"]`.
                    let key = match path.segments.get(1) {
                        Some(crate::model::Segment::Index(k)) => {
                            k.string_value().map(|k| format!("[\"{k}\"]"))
                        }
                        Some(crate::model::Segment::Field(f)) => Some(format!(".{f}")),
                        None => None,
                    };
                    Some(Tainted {
                        source: format!("`$env.{h}{}`", key.unwrap_or_default()),
                        input: None,
                        sql_escaped: false,
                    })
                }
                _ => None,
            },
            "var" => self.tainted.get(path.first_field()?).cloned(),
            "auth" | "db" | "this" | "index" | "parent" | "result" | "output" | "response"
            | "error" | "toolset" => None,
            name => self.tainted.get(name).cloned(),
        }
    }

    /// Taint of `$input.<field>` (or the whole `$input` when `field` is `None`).
    fn input_taint(&self, field: Option<&str>) -> Option<Tainted> {
        let allowed = match &self.inputs {
            InputTaint::All => true,
            InputTaint::Only(set) => field.is_none_or(|f| set.contains(f)),
            InputTaint::None => false,
        };
        if !allowed || field.is_some_and(|f| self.clean_inputs.contains(f)) {
            return None;
        }
        Some(Tainted {
            source: match field {
                Some(f) => format!("`$input.{f}`"),
                None => "`$input`".to_string(),
            },
            input: field.map(str::to_string),
            sql_escaped: false,
        })
    }

    /// Taint of a `$name` reference written in text (Twig, JavaScript): `name` is the path
    /// after `$` (`input.x`, `var.y`, `y`, `env.$http_headers`).
    fn text_ref_taint(&self, root: &str, field: Option<&str>) -> Option<Tainted> {
        match root {
            "input" => self.input_taint(field),
            "env" => match field {
                Some(h @ ("$http_headers" | "$request_querystring" | "$request_uri")) => {
                    Some(Tainted {
                        source: format!("`$env.{h}`"),
                        input: None,
                        sql_escaped: false,
                    })
                }
                _ => None,
            },
            "var" => self.tainted.get(field?).cloned(),
            "auth" | "db" | "this" | "index" | "parent" | "result" | "output" | "response"
            | "error" | "toolset" | "args" => None,
            name => self.tainted.get(name).cloned(),
        }
    }

    /// The first request value referenced in a piece of text (stripped of comments and
    /// string contents when it is code; `original` gives the field names).
    pub fn refs_taint(&self, code: &str, original: &str) -> Option<Tainted> {
        text_refs(code, original)
            .into_iter()
            .find_map(|r| self.text_ref_taint(&r.root, r.field.as_deref()))
    }

    /// The request value read by JavaScript code (stripped by [`strip_js`]).
    fn js_taint(&self, stripped: &str, original: &str) -> Option<Tainted> {
        self.refs_taint(stripped, original)
    }

    /// The first `{{ }}` output of a Twig template that prints a request value unescaped.
    pub fn twig_taint(&self, template: &str, purpose: Purpose) -> Option<Tainted> {
        twig_outputs(template)
            .into_iter()
            .find_map(|o| self.twig_output_taint(&o, purpose))
    }

    /// Every `{{ }}` output of a Twig template that prints a request value unescaped, with the
    /// stack variable it prints when that is not the request value itself (`$count_query`).
    pub fn twig_taints(&self, template: &str, purpose: Purpose) -> Vec<(Tainted, Option<String>)> {
        twig_outputs(template)
            .into_iter()
            .filter_map(|o| {
                let t = self.twig_output_taint(&o, purpose)?;
                let printed = text_refs(&o.expr, &o.expr)
                    .into_iter()
                    .find(|r| !matches!(r.root.as_str(), "input" | "env"))
                    .map(|r| match (r.root.as_str(), r.field) {
                        ("var", Some(f)) => f,
                        (root, _) => root.to_string(),
                    });
                Some((t, printed))
            })
            .collect()
    }

    fn twig_output_taint(&self, out: &TwigOutput, purpose: Purpose) -> Option<Tainted> {
        let cleaned = out.filters.iter().any(|f| {
            is_clean(f)
                || matches!(f.as_str(), "length" | "abs" | "round" | "number_format")
                || (purpose == Purpose::Sql && matches!(f.as_str(), "sql_esc" | "sql_alias"))
        });
        if cleaned || out.numeric {
            return None;
        }
        let keep = |t: Tainted| !(purpose == Purpose::Sql && t.sql_escaped);
        let direct = text_refs(&out.expr, &out.expr)
            .into_iter()
            .filter_map(|r| self.text_ref_taint(&r.root, r.field.as_deref()))
            .find(|t| keep(t.clone()));
        direct.or_else(|| {
            out.locals.iter().find_map(|(name, value)| {
                let mentioned = word_positions(&out.expr, name).next().is_some();
                mentioned
                    .then(|| {
                        text_refs(value, value)
                            .into_iter()
                            .filter_map(|r| self.text_ref_taint(&r.root, r.field.as_deref()))
                            .find(|t| keep(t.clone()))
                    })
                    .flatten()
            })
        })
    }

    /// The last statement defining variable `name` before offset `before`.
    pub fn last_definition(&self, name: &str, before: usize) -> Option<Span> {
        self.defs_before(name, before)
            .last()
            .map(|s| s.span.clone())
    }

    /// The statements defining variable `name` that come before offset `before`.
    fn defs_before(&self, name: &str, before: usize) -> Vec<&'a Statement> {
        let all = self.defs.get(name).map(Vec::as_slice).unwrap_or_default();
        let earlier: Vec<&Statement> = all
            .iter()
            .copied()
            .filter(|s| s.span.start < before)
            .collect();
        let skip = earlier.len().saturating_sub(MAX_DEFINITIONS);
        earlier[skip..].to_vec()
    }

    /// The possible texts of `expr` (used before offset `before`), split into literal,
    /// opaque and request-controlled pieces. Variables are followed to their definitions.
    pub fn pieces(&self, expr: &Expr, before: usize, purpose: Purpose) -> Alternatives {
        self.budget.set(MAX_RESOLVE_STEPS);
        let mut alts = self.pieces_in(expr, How::Whole, before, 0, None, &[]);
        if purpose == Purpose::Sql {
            for p in alts.iter_mut().flatten() {
                if matches!(p, Piece::Tainted(h) if h.taint.sql_escaped) {
                    *p = Piece::Opaque;
                }
            }
        }
        alts
    }

    fn pieces_in(
        &self,
        expr: &Expr,
        how: How,
        before: usize,
        depth: usize,
        anchor: Option<&Span>,
        via: &[(String, Span)],
    ) -> Alternatives {
        let steps = self.budget.get();
        if depth > MAX_RESOLVE_DEPTH || steps == 0 {
            return vec![vec![self.single(expr, how, anchor, via)]];
        }
        self.budget.set(steps - 1);
        let d = depth + 1;
        let lit_span = || anchor.is_none().then(|| expr.span.clone());
        match &expr.kind {
            ExprKind::String(s) => vec![vec![Piece::Lit(s.clone(), lit_span())]],
            ExprKind::Number(n) => vec![vec![Piece::Lit(n.clone(), None)]],
            ExprKind::Binary {
                op: BinaryOp::Additive,
                operator,
                left,
                right,
            } if operator == "~" => product(
                self.pieces_in(left, How::Concat, before, d, anchor, via),
                self.pieces_in(right, How::Concat, before, d, anchor, via),
            ),
            ExprKind::Binary {
                op: BinaryOp::Coalesce,
                left,
                right,
                ..
            } => union(
                self.pieces_in(left, how.clone(), before, d, anchor, via),
                self.pieces_in(right, how, before, d, anchor, via),
            ),
            ExprKind::Ternary {
                then, otherwise, ..
            } => {
                let first = match then {
                    Some(t) => self.pieces_in(t, how.clone(), before, d, anchor, via),
                    None => Vec::new(),
                };
                union(
                    first,
                    self.pieces_in(otherwise, how, before, d, anchor, via),
                )
            }
            ExprKind::Filtered { value, filters } => {
                self.filtered_pieces(expr, value, filters, how, before, d, anchor, via)
            }
            ExprKind::Var(path) => self.var_pieces(expr, path, how, before, d, anchor, via),
            ExprKind::ExpressionLiteral(text) => match parse_expression(text) {
                Some(parsed) => {
                    let anchor = anchor.unwrap_or(&expr.span);
                    self.pieces_in(&parsed, how, before, d, Some(anchor), via)
                }
                None => vec![vec![Piece::Opaque]],
            },
            _ => vec![vec![self.single(expr, how, anchor, via)]],
        }
    }

    /// One piece for a whole expression: request-controlled or not.
    fn single(
        &self,
        expr: &Expr,
        how: How,
        anchor: Option<&Span>,
        via: &[(String, Span)],
    ) -> Piece {
        match self.taint_raw(expr, 0) {
            Some(taint) => Piece::Tainted(Hit {
                taint,
                how,
                at: anchor.cloned().unwrap_or_else(|| expr.span.clone()),
                exact: anchor.is_none(),
                leaf: expr.as_var().map(full_key),
                via: via.to_vec(),
            }),
            None => Piece::Opaque,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn filtered_pieces(
        &self,
        whole: &Expr,
        value: &Expr,
        filters: &[Filter],
        how: How,
        before: usize,
        d: usize,
        anchor: Option<&Span>,
        via: &[(String, Span)],
    ) -> Alternatives {
        let active: Vec<&Filter> = filters.iter().filter(|f| !f.disabled).collect();
        // `[a, b]|join:"/"` with a literal array: the elements in order.
        let mut alts = match (&value.kind, active.first()) {
            (ExprKind::Array(items), Some(f)) if f.name.value == "join" => {
                let sep = f.arguments.first();
                let mut acc: Alternatives = vec![Vec::new()];
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        acc = match sep {
                            Some(s) => product(
                                acc,
                                self.pieces_in(
                                    s,
                                    How::Filter("join".into()),
                                    before,
                                    d,
                                    anchor,
                                    via,
                                ),
                            ),
                            None => acc,
                        };
                    }
                    acc = product(
                        acc,
                        self.pieces_in(item, How::Filter("join".into()), before, d, anchor, via),
                    );
                }
                return self.apply_filters(acc, &active[1..], whole, before, d, anchor, via);
            }
            _ => self.pieces_in(value, how, before, d, anchor, via),
        };
        alts = self.apply_filters(alts, &active, whole, before, d, anchor, via);
        alts
    }

    #[allow(clippy::too_many_arguments)]
    fn apply_filters(
        &self,
        mut alts: Alternatives,
        filters: &[&Filter],
        whole: &Expr,
        before: usize,
        d: usize,
        anchor: Option<&Span>,
        via: &[(String, Span)],
    ) -> Alternatives {
        for f in filters {
            let name = f.name.value.as_str();
            let args = &f.arguments;
            let arg_pieces = |i: usize| -> Alternatives {
                match args.get(i) {
                    Some(a) => {
                        self.pieces_in(a, How::Filter(name.to_string()), before, d, anchor, via)
                    }
                    None => vec![Vec::new()],
                }
            };
            alts = if is_clean(name) {
                vec![vec![Piece::Opaque]]
            } else {
                match name {
                    // `a|concat:b:sep` is `a ~ sep ~ b`.
                    "concat" => product(product(alts, arg_pieces(1)), arg_pieces(0)),
                    "sprintf" => self.sprintf_pieces(alts, args, before, d, anchor, via),
                    "replace" if !removes_quotes(f) => {
                        self.replace_pieces(alts, args, before, d, anchor, via)
                    }
                    "url_addarg" => {
                        let query = vec![vec![Piece::Lit("?".into(), None)]];
                        product(product(product(alts, query), arg_pieces(0)), arg_pieces(1))
                    }
                    _ if name == "sql_esc"
                        || name == "sql_alias"
                        || (name == "replace" && removes_quotes(f)) =>
                    {
                        for alt in &mut alts {
                            for p in alt.iter_mut() {
                                if let Piece::Tainted(h) = p {
                                    h.taint.sql_escaped = true;
                                }
                            }
                        }
                        alts
                    }
                    "first_notnull" | "first_notempty" => union(alts, arg_pieces(0)),
                    // Text transforms that keep the value's place and nature.
                    "trim" | "ltrim" | "rtrim" | "to_lower" | "to_upper" | "capitalize"
                    | "unaccent" | "strip_html" | "to_text" | "url_encode"
                    | "url_encode_rfc3986" | "escape" | "text_escape" | "addslashes" | "substr" => {
                        alts
                    }
                    _ => {
                        let tainted = alts
                            .iter()
                            .flatten()
                            .any(|p| matches!(p, Piece::Tainted(_)))
                            || (joins(name) && args.iter().any(|a| self.taint_raw(a, 0).is_some()))
                            || (name == "get"
                                && args.iter().skip(1).any(|a| self.taint_raw(a, 0).is_some()));
                        let kept = alts.iter().flatten().find_map(|p| match p {
                            Piece::Tainted(h) => Some(h.clone()),
                            _ => None,
                        });
                        if !tainted {
                            vec![vec![Piece::Opaque]]
                        } else if let Some(mut h) = kept {
                            // Text-building filters say how the value got in; extracting
                            // ones (`|get`, `|first`, `|json_decode`) keep what was said.
                            if joins(name) {
                                h.how = How::Filter(name.to_string());
                            }
                            vec![vec![Piece::Tainted(h)]]
                        } else {
                            vec![vec![self.single(
                                whole,
                                How::Filter(name.to_string()),
                                anchor,
                                via,
                            )]]
                        }
                    }
                }
            };
        }
        alts
    }

    /// `"...%s..."|sprintf:a:b`: the format's literal parts with the arguments between them.
    fn sprintf_pieces(
        &self,
        alts: Alternatives,
        args: &[Expr],
        before: usize,
        d: usize,
        anchor: Option<&Span>,
        via: &[(String, Span)],
    ) -> Alternatives {
        let format = match alts.as_slice() {
            [alt] => match alt.as_slice() {
                [Piece::Lit(text, span)] => Some((text.clone(), span.clone())),
                _ => None,
            },
            _ => None,
        };
        let how = How::Filter("sprintf".into());
        let Some((format, span)) = format else {
            // Unknown format: the arguments go somewhere in it.
            let mut out = alts;
            for a in args {
                out = product(out, self.pieces_in(a, how.clone(), before, d, anchor, via));
            }
            return out;
        };
        let mut out: Alternatives = vec![Vec::new()];
        let mut rest = format.as_str();
        let mut next = 0;
        while let Some(at) = rest.find('%') {
            let after = &rest[at + 1..];
            if let Some(escaped) = after.strip_prefix('%') {
                out = product(
                    out,
                    vec![vec![Piece::Lit(rest[..at + 1].to_string(), span.clone())]],
                );
                rest = escaped;
                continue;
            }
            let spec_len = after
                .find(|c: char| c.is_ascii_alphabetic())
                .map_or(after.len(), |i| i + 1);
            let conversion = after[..spec_len].chars().last().unwrap_or('s');
            out = product(
                out,
                vec![vec![Piece::Lit(rest[..at].to_string(), span.clone())]],
            );
            let arg = args.get(next);
            next += 1;
            let numeric = matches!(
                conversion,
                'd' | 'i' | 'u' | 'f' | 'F' | 'e' | 'E' | 'x' | 'X' | 'o' | 'b' | 'c' | 'g' | 'G'
            );
            out = match arg {
                Some(_) if numeric => product(out, vec![vec![Piece::Opaque]]),
                Some(a) => product(out, self.pieces_in(a, how.clone(), before, d, anchor, via)),
                None => out,
            };
            rest = &after[spec_len..];
        }
        product(out, vec![vec![Piece::Lit(rest.to_string(), span)]])
    }

    /// `"...{x}..."|replace:"{x}":$value`: the literal split where the search text occurs.
    fn replace_pieces(
        &self,
        alts: Alternatives,
        args: &[Expr],
        before: usize,
        d: usize,
        anchor: Option<&Span>,
        via: &[(String, Span)],
    ) -> Alternatives {
        let how = How::Filter("replace".into());
        let replacement = match args.get(1) {
            Some(a) => self.pieces_in(a, how.clone(), before, d, anchor, via),
            None => return alts,
        };
        let search = args
            .first()
            .and_then(Expr::string_value)
            .filter(|s| !s.is_empty());
        let replaced_tainted = replacement
            .iter()
            .flatten()
            .any(|p| matches!(p, Piece::Tainted(_)));
        if !replaced_tainted {
            return alts;
        }
        let mut out = Vec::new();
        for alt in alts {
            let mut acc: Alternatives = vec![Vec::new()];
            let mut found = false;
            for piece in alt {
                match (&piece, search) {
                    (Piece::Lit(text, span), Some(search)) if text.contains(search) => {
                        found = true;
                        for (i, part) in text.split(search).enumerate() {
                            if i > 0 {
                                acc = product(acc, replacement.clone());
                            }
                            acc = product(
                                acc,
                                vec![vec![Piece::Lit(part.to_string(), span.clone())]],
                            );
                        }
                    }
                    _ => acc = product(acc, vec![vec![piece.clone()]]),
                }
            }
            if !found && search.is_none() {
                // Unknown search text: the value may land anywhere, so put it first.
                acc = product(replacement.clone(), acc);
            }
            out.extend(acc);
        }
        out.truncate(MAX_ALTERNATIVES);
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn var_pieces(
        &self,
        expr: &Expr,
        path: &VarPath,
        how: How,
        before: usize,
        d: usize,
        anchor: Option<&Span>,
        via: &[(String, Span)],
    ) -> Alternatives {
        let (name, rest) = match path.root.as_str() {
            "var" => match path.first_field() {
                Some(f) => (f, &path.segments[1..]),
                None => return vec![vec![self.single(expr, how, anchor, via)]],
            },
            "input" | "env" | "auth" | "db" | "this" | "index" | "parent" | "result" | "output"
            | "response" | "error" => {
                return vec![vec![self.single(expr, how, anchor, via)]];
            }
            root => (root, &path.segments[..]),
        };
        let defs = self.defs_before(name, before);
        // Each step resolves to definitions strictly before the current one, so
        // self-references (`var.update $x { value = $x ~ ... }`) end.
        if !rest.is_empty() || defs.is_empty() {
            return vec![vec![self.single(expr, how, anchor, via)]];
        }
        let mut out = Vec::new();
        for def in defs {
            let mut chain = via.to_vec();
            chain.push((name.to_string(), def.span.clone()));
            let alts = self.def_pieces(def, expr, how.clone(), d, anchor, &chain);
            out = union(out, alts);
        }
        out
    }

    /// The texts a variable holds after one of its defining statements.
    fn def_pieces(
        &self,
        def: &Statement,
        var_expr: &Expr,
        how: How,
        d: usize,
        anchor: Option<&Span>,
        via: &[(String, Span)],
    ) -> Alternatives {
        let value = def.attribute("value").map(|a| &a.value);
        let at = def.span.start;
        let earlier = |s: &Stack<'a>| {
            s.pieces_in(var_expr, how.clone(), at, d, anchor, &via[..via.len() - 1])
        };
        let tainted_piece = |t: Tainted, how: How| {
            vec![vec![Piece::Tainted(Hit {
                taint: t,
                how,
                at: anchor.cloned().unwrap_or_else(|| def.span.clone()),
                exact: false,
                leaf: None,
                via: via.to_vec(),
            })]]
        };
        match def.name.value.as_str() {
            "var" | "var.update" => match value {
                Some(v) => self.pieces_in(v, how, at, d, anchor, via),
                None => vec![vec![Piece::Opaque]],
            },
            "text.append" => match value {
                Some(v) => product(
                    earlier(self),
                    self.pieces_in(v, How::Concat, at, d, anchor, via),
                ),
                None => earlier(self),
            },
            "text.prepend" => match value {
                Some(v) => product(
                    self.pieces_in(v, How::Concat, at, d, anchor, via),
                    earlier(self),
                ),
                None => earlier(self),
            },
            "util.template_engine" => match value {
                Some(v) => match v.string_value() {
                    Some(text) => self.twig_pieces(
                        text,
                        anchor.cloned().unwrap_or_else(|| v.span.clone()),
                        via,
                    ),
                    None => match self.taint_raw(v, 0) {
                        Some(t) => tainted_piece(t, How::Template),
                        None => vec![vec![Piece::Opaque]],
                    },
                },
                None => vec![vec![Piece::Opaque]],
            },
            "api.lambda" => match self.statement_taint(def) {
                Some((_, t)) => tainted_piece(t, How::Lambda),
                None => vec![vec![Piece::Opaque]],
            },
            _ if is_call(def) => match self.call_result(def) {
                Some((t, name)) => tainted_piece(t, How::Function(name)),
                None => vec![vec![Piece::Opaque]],
            },
            // Loop variables, array builders, results of other statements: what the stack's
            // taint says of the variable.
            _ => match defined_name(def).and_then(|n| self.tainted.get(&n).cloned()) {
                Some(t) => tainted_piece(t, how),
                None => vec![vec![Piece::Opaque]],
            },
        }
    }

    /// The output of a literal Twig template: its text with request values where `{{ }}`
    /// prints them.
    fn twig_pieces(&self, template: &str, span: Span, via: &[(String, Span)]) -> Alternatives {
        let mut alt = Vec::new();
        let mut last = 0;
        for out in twig_outputs(template) {
            alt.push(Piece::Lit(template[last..out.start].to_string(), None));
            last = out.end;
            match self.twig_output_taint(&out, Purpose::Url) {
                Some(taint) => alt.push(Piece::Tainted(Hit {
                    taint,
                    how: How::Template,
                    at: span.clone(),
                    exact: false,
                    leaf: None,
                    via: via.to_vec(),
                })),
                None => alt.push(Piece::Opaque),
            }
        }
        alt.push(Piece::Lit(template[last..].to_string(), None));
        vec![alt]
    }

    /// Whether the request value of `hit` is checked against literals before `sink` runs: a
    /// `precondition` with an allow-list test, a `conditional` branch taken only for allowed
    /// values (or one that throws for the others), a `switch` on the value.
    pub fn allow_listed(&self, sink: &Statement, hit: &Hit) -> bool {
        let names = self.guard_names(hit);
        if names.is_empty() {
            return false;
        }
        for s in &self.statements {
            let inside = s.span.start <= sink.span.start && sink.span.end <= s.span.end;
            let before = s.span.end <= sink.span.start;
            match s.name.value.as_str() {
                "precondition"
                    if before
                        && s.first_expr()
                            .is_some_and(|c| self.positive_test(c, &names, 0)) =>
                {
                    return true;
                }
                "if" | "elseif"
                    if inside
                        && s.first_expr()
                            .is_some_and(|c| self.positive_test(c, &names, 0)) =>
                {
                    return true;
                }
                "if" | "elseif" if before => {
                    let exits = s.body.as_ref().is_some_and(|b| {
                        b.statements().any(|c| {
                            !c.disabled && matches!(c.name.value.as_str(), "throw" | "return")
                        })
                    });
                    if exits
                        && s.first_expr()
                            .is_some_and(|c| self.negative_test(c, &names, 0))
                    {
                        return true;
                    }
                }
                "switch" if inside => {
                    let on_value = s.first_expr().is_some_and(|e| self.mentions(e, &names));
                    let in_case = s.body.as_ref().is_some_and(|b| {
                        b.statements().any(|c| {
                            c.name.value == "case"
                                && c.span.start <= sink.span.start
                                && sink.span.end <= c.span.end
                        })
                    });
                    if on_value && in_case {
                        return true;
                    }
                }
                _ => {}
            }
        }
        false
    }

    /// The names a test of the hit's value may use: its input, the variables it went through,
    /// and the variables derived from them.
    fn guard_names(&self, hit: &Hit) -> HashSet<String> {
        let mut names = HashSet::new();
        if let Some(input) = &hit.taint.input {
            names.insert(format!("$input.{input}"));
        }
        if let Some(rest) = hit.taint.source.strip_prefix("`$env.") {
            let field: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                .collect();
            names.insert(format!("$env.{field}"));
        }
        for (v, _) in &hit.via {
            names.insert(format!("${v}"));
        }
        if let Some(leaf) = &hit.leaf {
            names.insert(leaf.clone());
        }
        if names.is_empty() {
            return names;
        }
        // Variables computed from those names (`var $host { value = $input.url|url_parse }`).
        for _ in 0..4 {
            let before = names.len();
            for s in &self.statements {
                if !VarWrite::of_statement(s).is_some_and(VarWrite::builds_text) {
                    continue;
                }
                let Some(target) = defined_name(s) else {
                    continue;
                };
                let derived = s
                    .attribute("value")
                    .is_some_and(|a| self.mentions(&a.value, &names));
                if derived {
                    names.insert(format!("${target}"));
                }
            }
            if names.len() == before {
                break;
            }
        }
        names
    }

    fn mentions(&self, expr: &Expr, names: &HashSet<String>) -> bool {
        expr.walk().any(|e| match &e.kind {
            ExprKind::Var(path) => {
                names.contains(&var_key(path)) || names.contains(&full_key(path))
            }
            ExprKind::ExpressionLiteral(text) => {
                parse_expression(text).is_some_and(|p| self.mentions(&p, names))
            }
            _ => false,
        })
    }

    /// Whether `e` is the value itself, possibly through filters that keep it (`|trim`,
    /// `|to_lower`, `|url_parse|get:"host"`), and not a count, an emptiness test or the like.
    fn mentions_value(&self, e: &Expr, names: &HashSet<String>) -> bool {
        match &e.kind {
            ExprKind::Var(path) => {
                names.contains(&var_key(path)) || names.contains(&full_key(path))
            }
            ExprKind::Filtered { value, filters } => {
                let keeps = filters
                    .iter()
                    .filter(|f| !f.disabled)
                    .all(|f| !is_clean(&f.name.value));
                keeps && self.mentions_value(value, names)
            }
            ExprKind::Access { object, .. } => self.mentions_value(object, names),
            _ => false,
        }
    }

    /// A test that holds only for allowed values: `== "literal"`, `in [literals]`,
    /// `|starts_with:"https://host/"`, conjunctions with one, disjunctions of them.
    fn positive_test(&self, e: &Expr, names: &HashSet<String>, depth: usize) -> bool {
        if depth > MAX_EXPR_DEPTH {
            return false;
        }
        let d = depth + 1;
        match &e.kind {
            ExprKind::Binary {
                op: BinaryOp::And,
                left,
                right,
                ..
            } => self.positive_test(left, names, d) || self.positive_test(right, names, d),
            ExprKind::Binary {
                op: BinaryOp::Or,
                left,
                right,
                ..
            } => self.positive_test(left, names, d) && self.positive_test(right, names, d),
            ExprKind::Binary {
                op: BinaryOp::Compare,
                operator,
                left,
                right,
            } => match operator.as_str() {
                "==" | "===" => {
                    (self.mentions_value(left, names) && self.is_literal(right))
                        || (self.mentions_value(right, names) && self.is_literal(left))
                }
                "in" => self.mentions_value(left, names) && self.is_literal_list(right),
                _ => false,
            },
            ExprKind::Unary { op, operand } if op == "!" => self.negative_test(operand, names, d),
            ExprKind::Filtered { value, filters } => {
                let Some(last) = filters.iter().rev().find(|f| !f.disabled) else {
                    return false;
                };
                let arg = last.arguments.first();
                // The filters before the test must keep the value (`|trim|starts_with:...`).
                let before: Vec<Filter> = filters
                    .iter()
                    .take_while(|f| !std::ptr::eq(*f, last))
                    .cloned()
                    .collect();
                let tested = Expr {
                    kind: ExprKind::Filtered {
                        value: value.clone(),
                        filters: before,
                    },
                    span: e.span.clone(),
                };
                let subject = self.mentions_value(&tested, names);
                match last.name.value.as_str() {
                    "in" => subject && arg.is_some_and(|a| self.is_literal_list(a)),
                    "equals" => subject && arg.is_some_and(|a| self.is_literal(a)),
                    "starts_with" | "istarts_with" | "ends_with" | "iends_with" => {
                        subject && arg.and_then(Expr::string_value).is_some_and(names_a_host)
                    }
                    "regex_matches" => subject && arg.is_some_and(|a| a.string_value().is_some()),
                    // `["a", "b"]|contains:$value` and `$allowed|has:$value`.
                    "contains" | "has" => {
                        self.is_literal_list(&tested)
                            && arg.is_some_and(|a| self.mentions_value(a, names))
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// A test that holds for values outside the allowed ones (the branch then throws).
    fn negative_test(&self, e: &Expr, names: &HashSet<String>, depth: usize) -> bool {
        if depth > MAX_EXPR_DEPTH {
            return false;
        }
        let d = depth + 1;
        match &e.kind {
            ExprKind::Binary {
                op: BinaryOp::Or,
                left,
                right,
                ..
            } => self.negative_test(left, names, d) || self.negative_test(right, names, d),
            ExprKind::Binary {
                op: BinaryOp::And,
                left,
                right,
                ..
            } => self.negative_test(left, names, d) && self.negative_test(right, names, d),
            ExprKind::Binary {
                op: BinaryOp::Compare,
                operator,
                left,
                right,
            } => match operator.as_str() {
                "!=" | "!==" => {
                    (self.mentions_value(left, names) && self.is_literal(right))
                        || (self.mentions_value(right, names) && self.is_literal(left))
                }
                "not in" => self.mentions_value(left, names) && self.is_literal_list(right),
                "==" | "===" => {
                    // `($value in [...]) == false`
                    let is_false = |x: &Expr| x.as_bool() == Some(false);
                    (is_false(right) && self.positive_test(left, names, d))
                        || (is_false(left) && self.positive_test(right, names, d))
                }
                _ => false,
            },
            ExprKind::Unary { op, operand } if op == "!" => self.positive_test(operand, names, d),
            _ => false,
        }
    }

    /// A literal, a configured value (`$env.X`), or a variable only ever set to literals.
    fn is_literal(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::String(s) => !s.is_empty(),
            ExprKind::Number(_) => true,
            ExprKind::Var(path) if path.root == "env" => {
                !path.first_field().is_some_and(|f| f.starts_with('$'))
            }
            ExprKind::Var(path) => self.var_always(path, |v| self.is_literal(v)),
            _ => false,
        }
    }

    fn is_literal_list(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Array(items) => !items.is_empty() && items.iter().all(|i| self.is_literal(i)),
            ExprKind::Var(path) if path.root == "env" => {
                !path.first_field().is_some_and(|f| f.starts_with('$'))
            }
            ExprKind::Filtered { value, .. } => {
                matches!(&value.kind, ExprKind::Var(p) if p.root == "env")
                    || self.is_literal_list(value)
            }
            ExprKind::Var(path) => self.var_always(path, |v| self.is_literal_list(v)),
            _ => false,
        }
    }

    fn var_always(&self, path: &VarPath, test: impl Fn(&Expr) -> bool) -> bool {
        let name = match path.root.as_str() {
            "var" => path.first_field(),
            "input" | "auth" | "db" => None,
            root => Some(root),
        };
        let Some(defs) = name.and_then(|n| self.defs.get(n)) else {
            return false;
        };
        let simple = path.segments.len() == usize::from(path.root == "var");
        simple
            && !defs.is_empty()
            && defs.iter().all(|s| {
                VarWrite::of_statement(s).is_some_and(VarWrite::replaces)
                    && s.attribute("value").is_some_and(|a| test(&a.value))
            })
    }
}

/// Whether filter `name` leaves a number, a flag or a digest: no text survives it.
fn is_clean(name: &str) -> bool {
    FilterResult::of(name).is_some_and(FilterResult::is_clean)
}

/// Whether filter `name` joins its arguments into its result.
fn joins(name: &str) -> bool {
    FilterResult::of(name) == Some(FilterResult::Joins)
}

/// The variable a text-building or result-binding statement defines.
fn defined_name(s: &Statement) -> Option<String> {
    if VarWrite::of_statement(s).is_some_and(VarWrite::keeps_value) {
        return s
            .first_expr()
            .and_then(Expr::as_var)
            .map(|v| target_name(v).to_string());
    }
    s.alias_name().map(str::to_string)
}

/// The name a test must use to be about a value: `$input.x`, `$name`, `$env.$http_headers`.
fn var_key(path: &VarPath) -> String {
    match path.root.as_str() {
        "input" | "env" => match path.first_field() {
            Some(f) => format!("${}.{f}", path.root),
            None => format!("${}", path.root),
        },
        "var" => format!("${}", path.first_field().unwrap_or("var")),
        root => format!("${root}"),
    }
}

/// The dotted path of a variable up to its first index: `$body.callback.url`, `$input.host`.
pub fn full_key(path: &VarPath) -> String {
    let root = match path.root.as_str() {
        "var" => path.first_field().unwrap_or("var"),
        r => r,
    };
    let skip = usize::from(path.root == "var");
    let mut key = format!("${root}");
    for f in path.field_names().skip(skip) {
        key.push('.');
        key.push_str(f);
    }
    key
}

/// Whether a `starts_with` argument pins more than the scheme (`"https://"` alone does not).
fn names_a_host(prefix: &str) -> bool {
    let rest = match prefix.find("://") {
        Some(i) => &prefix[i + 3..],
        None => prefix,
    };
    !rest.is_empty()
        && !prefix
            .trim_end_matches(':')
            .chars()
            .all(|c| c.is_ascii_alphabetic())
}

/// JavaScript that escapes single quotes for SQL: `s.replace(/'/g, "''")`, `replaceAll("'", ...)`.
fn escapes_sql_quotes(code: &str) -> bool {
    code.contains("/'/g") || code.contains("replaceAll(\"'\"") || code.contains("replaceAll('\\''")
}

/// `|replace:"'":""` or `|replace:"'":"''"`: a value that can no longer end an SQL string.
fn removes_quotes(f: &Filter) -> bool {
    let search = f.arguments.first().and_then(Expr::string_value);
    let replacement = f.arguments.get(1).and_then(Expr::string_value);
    search == Some("'") && matches!(replacement, Some("" | "''" | "\\'"))
}

/// The taint that matters most: an unescaped one first.
fn prefer(a: Option<Tainted>, b: Option<Tainted>) -> Option<Tainted> {
    match (&a, &b) {
        (Some(x), _) if !x.sql_escaped => a,
        (_, Some(y)) if !y.sql_escaped => b,
        _ => a.or(b),
    }
}

fn product(left: Alternatives, right: Alternatives) -> Alternatives {
    let mut out = Vec::new();
    for l in &left {
        for r in &right {
            if out.len() >= MAX_ALTERNATIVES {
                return out;
            }
            let mut alt = l.clone();
            alt.extend(r.iter().cloned());
            out.push(alt);
        }
    }
    out
}

fn union(mut left: Alternatives, right: Alternatives) -> Alternatives {
    left.extend(right);
    left.truncate(MAX_ALTERNATIVES);
    left
}

/// The expression inside an expression literal (`` `$a|concat:$b` ``), parsed on its own.
/// Its spans refer to the parsed text, not to the file.
pub fn parse_expression(text: &str) -> Option<Expr> {
    if text.len() > 20_000 {
        return None;
    }
    thread_local! {
        static PARSED: RefCell<HashMap<String, Option<Expr>>> = RefCell::new(HashMap::new());
    }
    if let Some(hit) = PARSED.with(|c| c.borrow().get(text).cloned()) {
        return hit;
    }
    let parsed = parse_expression_uncached(text);
    PARSED.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() > 4096 {
            cache.clear();
        }
        cache.insert(text.to_string(), parsed.clone());
    });
    parsed
}

fn parse_expression_uncached(text: &str) -> Option<Expr> {
    let indented: String = text.replace('\n', "\n      ");
    let src = format!(
        "query x verb=GET {{\n  stack {{\n    var $x {{\n      value = {indented}\n    }}\n  }}\n  response = null\n}}\n"
    );
    let file = FileModel::parse("expression.xs", &src);
    let object = file.model.objects.first()?;
    let statement = object.stack()?.statements().next()?;
    statement.attribute("value").map(|a| a.value.clone())
}

/// A `$name` reference in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRef {
    pub root: String,
    pub field: Option<String>,
    /// Byte offset of the `$`.
    pub at: usize,
}

/// The `$root.field` / `$root["field"]` references of `code` (where `code` has `$` at a
/// position, the names are read from `original`, which has the same length).
pub fn text_refs(code: &str, original: &str) -> Vec<TextRef> {
    let bytes = code.as_bytes();
    let orig = original.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let prev_ident = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let start = i;
        i += 1;
        let root_end = ident_end(orig, i);
        if prev_ident || root_end == i {
            continue;
        }
        let root = String::from_utf8_lossy(&orig[i..root_end]).into_owned();
        let mut j = root_end;
        let mut field = None;
        // `.name`, `?.name`, `.$name`, `["name"]`, `['name']`
        if orig.get(j) == Some(&b'?') && orig.get(j + 1) == Some(&b'.') {
            j += 1;
        }
        if orig.get(j) == Some(&b'.') {
            let k = j + 1;
            let dollar = usize::from(orig.get(k) == Some(&b'$'));
            let end = ident_end(orig, k + dollar);
            if end > k + dollar {
                field = Some(String::from_utf8_lossy(&orig[k..end]).into_owned());
                j = end;
            }
        } else if orig.get(j) == Some(&b'[')
            && let Some(&q @ (b'"' | b'\'')) = orig.get(j + 1)
        {
            let k = j + 2;
            if let Some(len) = orig[k.min(orig.len())..].iter().position(|&c| c == q) {
                field = Some(String::from_utf8_lossy(&orig[k..k + len]).into_owned());
                j = k + len;
            }
        }
        out.push(TextRef {
            root,
            field,
            at: start,
        });
        i = j.max(start + 1);
    }
    out
}

fn ident_end(bytes: &[u8], from: usize) -> usize {
    let mut j = from;
    while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
        j += 1;
    }
    j
}

/// Offsets where `word` occurs as a whole identifier in `text` (not after `.` or `$`).
pub fn word_positions<'t>(text: &'t str, word: &'t str) -> impl Iterator<Item = usize> + 't {
    let bytes = text.as_bytes();
    text.match_indices(word).filter_map(move |(i, _)| {
        let before_ok = i == 0 || {
            let b = bytes[i - 1];
            !(b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'.')
        };
        let end = i + word.len();
        let after_ok = end >= bytes.len() || {
            let b = bytes[end];
            !(b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
        };
        (before_ok && after_ok && !word.is_empty()).then_some(i)
    })
}

/// One `{{ ... }}` output of a Twig template.
#[derive(Debug, Clone)]
pub struct TwigOutput {
    pub start: usize,
    pub end: usize,
    /// The expression before its filters.
    pub expr: String,
    pub filters: Vec<String>,
    /// Arithmetic on the value (`{{ $input.id + 0 }}`) prints a number.
    pub numeric: bool,
    /// Twig variables set before it (`{% set x = ... %}`, `{% for x in ... %}`), with their values.
    pub locals: Vec<(String, String)>,
}

/// The `{{ }}` outputs of a Twig template.
pub fn twig_outputs(template: &str) -> Vec<TwigOutput> {
    let mut out = Vec::new();
    let mut locals: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while let Some(open) = template[i..].find('{').map(|o| o + i) {
        let rest = &template[open..];
        let (close_tag, is_output) = if rest.starts_with("{{") {
            ("}}", true)
        } else if rest.starts_with("{%") {
            ("%}", false)
        } else if rest.starts_with("{#") {
            ("#}", false)
        } else {
            i = open + 1;
            continue;
        };
        let Some(close) = rest[2..].find(close_tag).map(|c| open + 2 + c) else {
            break;
        };
        let inner = template[open + 2..close]
            .trim_matches(|c: char| c == '-' || c == '~' || c.is_whitespace());
        let end = close + 2;
        if is_output {
            let mut parts = split_filters(inner);
            let expr = parts.remove(0);
            let numeric =
                expr.chars().any(|c| matches!(c, '+' | '*' | '/' | '%')) || expr.contains(" - ");
            out.push(TwigOutput {
                start: open,
                end,
                expr,
                filters: parts
                    .iter()
                    .map(|f| {
                        f.trim()
                            .split(|c: char| c == '(' || c.is_whitespace())
                            .next()
                            .unwrap_or("")
                            .to_string()
                    })
                    .collect(),
                numeric,
                locals: locals.clone(),
            });
        } else if close_tag == "%}" {
            if let Some(set) = inner.strip_prefix("set ") {
                if let Some((name, value)) = set.split_once('=') {
                    locals.push((name.trim().to_string(), value.trim().to_string()));
                }
            } else if let Some(each) = inner.strip_prefix("for ")
                && let Some((names, value)) = each.split_once(" in ")
            {
                for n in names.split(',') {
                    locals.push((n.trim().to_string(), value.trim().to_string()));
                }
            }
        }
        i = end;
    }
    out
}

/// `a|f(x)|g` → `["a", "f(x)", "g"]`, ignoring `||` and pipes inside brackets or strings.
fn split_filters(text: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                '|' if depth == 0 => {
                    if chars.get(i + 1) == Some(&'|') {
                        if let Some(p) = parts.last_mut() {
                            p.push_str("||")
                        }
                        i += 2;
                        continue;
                    }
                    parts.push(String::new());
                    i += 1;
                    continue;
                }
                _ => {}
            },
        }
        if let Some(p) = parts.last_mut() {
            p.push(c);
        }
        i += 1;
    }
    parts.into_iter().map(|p| p.trim().to_string()).collect()
}

/// JavaScript with comments and the contents of string literals blanked out (same length,
/// newlines kept), so that searches only see code. Template literals keep their `${ }` code.
pub fn strip_js(code: &str) -> String {
    let bytes = code.as_bytes();
    let mut out = bytes.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for b in out.iter_mut().take(to.min(bytes.len())).skip(from) {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    };
    let mut i = 0;
    // Brace depths at which a template literal resumes after `${ ... }`.
    let mut template_resume: Vec<i32> = Vec::new();
    let mut depth = 0i32;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = code[i..].find('\n').map_or(bytes.len(), |e| i + e);
                blank(&mut out, i, end);
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = code[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |e| i + 2 + e + 2);
                blank(&mut out, i, end);
                i = end;
            }
            b'"' | b'\'' => {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != c && bytes[j] != b'\n' {
                    if bytes[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                blank(&mut out, i + 1, j.min(bytes.len()));
                i = j + 1;
            }
            b'`' => i = template_text(bytes, &mut out, i + 1, &mut template_resume, depth, blank),
            b'{' => {
                depth += 1;
                i += 1;
            }
            b'}' => {
                depth -= 1;
                if template_resume.last() == Some(&depth) {
                    template_resume.pop();
                    i = template_text(bytes, &mut out, i + 1, &mut template_resume, depth, blank);
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| code.to_string())
}

/// Blanks template-literal text from `from` up to its end or to a `${`, whose code resumes.
fn template_text(
    bytes: &[u8],
    out: &mut Vec<u8>,
    from: usize,
    resume: &mut Vec<i32>,
    depth: i32,
    blank: impl Fn(&mut Vec<u8>, usize, usize),
) -> usize {
    let mut j = from;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'`' => {
                blank(out, from, j);
                return j + 1;
            }
            b'$' if bytes.get(j + 1) == Some(&b'{') => {
                blank(out, from, j);
                resume.push(depth);
                // The `{` is counted by the caller's loop.
                return j + 1;
            }
            _ => j += 1,
        }
    }
    blank(out, from, bytes.len());
    bytes.len()
}

/// A dangerous call found in JavaScript code.
#[derive(Debug, Clone)]
pub struct JsSink {
    /// `eval(`, `new Function(`, `require(`, `execSync(`...
    pub call: String,
    /// A `child_process` call (a shell command rather than JavaScript).
    pub process: bool,
    /// What the code passes, as written: `$var.name`, `name` (a JavaScript variable).
    pub reference: String,
    /// Offset of the call's name in the code.
    pub at: usize,
    /// Offset just past the closing parenthesis.
    pub end: usize,
    pub taint: Tainted,
}

/// Calls in JavaScript code that run their argument as code or as a command.
const JS_CODE_SINKS: &[&str] = &[
    "eval",
    "Function",
    "require",
    "import",
    "runInNewContext",
    "runInThisContext",
    "runInContext",
    "compileFunction",
    "Script",
];
const JS_PROCESS_SINKS: &[&str] = &[
    "exec",
    "execSync",
    "execFile",
    "execFileSync",
    "spawn",
    "spawnSync",
    "fork",
];

impl Stack<'_> {
    /// The calls of `original` (JavaScript) that receive a request value: `eval`, `Function`,
    /// `require`, `import()`, `vm` and, when the code uses `child_process`, its calls.
    pub fn js_sinks(&self, original: &str) -> Vec<JsSink> {
        let code = strip_js(original);
        let locals = self.js_tainted_locals(&code, original);
        let child_process = original.contains("child_process");
        let mut out = Vec::new();
        let sinks = JS_CODE_SINKS
            .iter()
            .map(|s| (*s, false))
            .chain(JS_PROCESS_SINKS.iter().map(|s| (*s, true)));
        for (name, needs_child_process) in sinks {
            if needs_child_process && !child_process {
                continue;
            }
            for at in word_positions_js(&code, name) {
                // `vm.Script(`: only as a member of `vm`; `Function(` never as a member.
                let member = at > 0 && code.as_bytes()[at - 1] == b'.';
                let ok = match name {
                    "Script" => code[..at].ends_with("vm."),
                    "Function" | "require" | "import" => !member,
                    _ => true,
                };
                if !ok {
                    continue;
                }
                let after = at + name.len();
                let Some(open) = code[after..]
                    .find(|c: char| !c.is_whitespace())
                    .map(|o| after + o)
                    .filter(|&o| code.as_bytes()[o] == b'(')
                else {
                    continue;
                };
                let close = matching_paren(&code, open);
                let args = &code[open + 1..close.min(code.len())];
                let args_orig = &original[open + 1..close.min(original.len())];
                let direct = text_refs(args, args_orig).into_iter().find_map(|r| {
                    let t = self.text_ref_taint(&r.root, r.field.as_deref())?;
                    let written = match &r.field {
                        Some(f) => format!("${}.{f}", r.root),
                        None => format!("${}", r.root),
                    };
                    Some((t, written))
                });
                let found = direct.or_else(|| {
                    locals
                        .iter()
                        .find(|(l, _)| word_positions(args, l).next().is_some())
                        .map(|(l, t)| (t.clone(), l.clone()))
                });
                if let Some((taint, reference)) = found {
                    let call = if name == "Function" && code[..at].trim_end().ends_with("new") {
                        "new Function(".to_string()
                    } else {
                        format!("{name}(")
                    };
                    out.push(JsSink {
                        call,
                        reference,
                        process: needs_child_process,
                        at,
                        end: (close + 1).min(code.len()),
                        taint,
                    });
                }
            }
        }
        out.sort_by_key(|s| s.at);
        out
    }

    /// JavaScript variables assigned from request values: `const code = $input.code;`,
    /// `const { a } = $input;`, to a fixed point.
    fn js_tainted_locals(&self, code: &str, original: &str) -> Vec<(String, Tainted)> {
        let assignments = js_assignments(code);
        let mut locals: Vec<(String, Tainted)> = Vec::new();
        for _ in 0..6 {
            let before = locals.len();
            for (names, rhs) in &assignments {
                let rhs_code = &code[rhs.clone()];
                let rhs_orig = &original[rhs.clone()];
                let taint = self.refs_taint(rhs_code, rhs_orig).or_else(|| {
                    locals
                        .iter()
                        .find(|(l, _)| word_positions(rhs_code, l).next().is_some())
                        .map(|(_, t)| t.clone())
                });
                if let Some(t) = taint {
                    for n in names {
                        if !locals.iter().any(|(l, _)| l == n) {
                            locals.push((n.clone(), t.clone()));
                        }
                    }
                }
            }
            if locals.len() == before {
                break;
            }
        }
        locals
    }
}

/// Whole-word occurrences of a JavaScript identifier (a `$` or letter before it breaks it).
fn word_positions_js<'t>(code: &'t str, word: &'t str) -> impl Iterator<Item = usize> + 't {
    let bytes = code.as_bytes();
    code.match_indices(word).filter_map(move |(i, _)| {
        let before_ok = i == 0 || {
            let b = bytes[i - 1];
            !(b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
        };
        let end = i + word.len();
        let after_ok = end >= bytes.len() || {
            let b = bytes[end];
            !(b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
        };
        (before_ok && after_ok).then_some(i)
    })
}

/// The offset of the `)` matching the `(` at `open` (or the end of the text).
fn matching_paren(code: &str, open: usize) -> usize {
    let mut depth = 0i32;
    for (i, c) in code[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return open + i;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// `const x = rhs`, `let {a, b: c} = rhs`, `x = rhs`, `x += rhs`: the assigned names and the
/// range of the right-hand side (to `;` or the end of the line at bracket depth 0).
fn js_assignments(code: &str) -> Vec<(Vec<String>, std::ops::Range<usize>)> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'=' {
            i += 1;
            continue;
        }
        let next = bytes.get(i + 1).copied();
        let prev = if i > 0 { bytes[i - 1] } else { b' ' };
        if matches!(next, Some(b'=') | Some(b'>')) || matches!(prev, b'=' | b'!' | b'<' | b'>') {
            i += 2;
            continue;
        }
        // Left-hand side: back over whitespace and an operator like `+`.
        let mut l = i;
        if l > 0 && matches!(bytes[l - 1], b'+' | b'|' | b'&' | b'?') {
            l -= 1;
        }
        let lhs_end = code[..l].trim_end().len();
        let names = match bytes.get(lhs_end.wrapping_sub(1)) {
            Some(b'}') | Some(b']') => {
                let close = bytes[lhs_end - 1];
                let open_char = if close == b'}' { '{' } else { '[' };
                match code[..lhs_end - 1].rfind(open_char) {
                    Some(open) => pattern_names(&code[open + 1..lhs_end - 1]),
                    None => Vec::new(),
                }
            }
            Some(b) if b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$' => {
                let start = code[..lhs_end]
                    .char_indices()
                    .rev()
                    .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                    .map_or(0, |(p, c)| p + c.len_utf8());
                let is_member = start > 0 && bytes[start - 1] == b'.';
                if is_member {
                    Vec::new()
                } else {
                    vec![code[start..lhs_end].to_string()]
                }
            }
            _ => Vec::new(),
        };
        let rhs_start = i + 1;
        let mut depth = 0i32;
        let mut j = rhs_start;
        while j < bytes.len() {
            match bytes[j] {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                }
                b';' if depth == 0 => break,
                b',' if depth == 0 => break,
                b'\n' if depth == 0 => {
                    // A line ending in an operator continues the expression.
                    let so_far = code[rhs_start..j].trim_end();
                    if !so_far.ends_with(['+', '(', ',', '?', ':', '|', '&', '='])
                        && !so_far.is_empty()
                    {
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        if !names.is_empty() {
            out.push((names, rhs_start..j));
        }
        i = j.max(i + 1);
    }
    out
}

/// The names bound by a destructuring pattern's inside: `a, b: c, d = 1, ...e`.
fn pattern_names(inner: &str) -> Vec<String> {
    inner
        .split(',')
        .filter_map(|part| {
            let part = part.trim().trim_start_matches("...");
            let part = part.split('=').next().unwrap_or("").trim();
            let name = part.rsplit(':').next().unwrap_or("").trim();
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
            valid.then(|| name.to_string())
        })
        .collect()
}

/// The content of a `"""` / `'''` block as written in the file, with its offset: the lines
/// between the delimiters, indentation included, so offsets map back to the file.
pub fn raw_block_content(text: &str, span: &Span) -> Option<(usize, String)> {
    let raw = text.get(span.clone())?;
    if !(raw.starts_with("\"\"\"") || raw.starts_with("'''")) {
        return None;
    }
    let first_nl = raw.find('\n')? + 1;
    let last_nl = raw.rfind('\n')?;
    if last_nl < first_nl {
        return Some((span.start + first_nl, String::new()));
    }
    Some((span.start + first_nl, raw[first_nl..last_nl].to_string()))
}

/// How the inputs of an object count for the injection rules, and who makes them count.
#[derive(Debug, Clone)]
pub enum InputOrigin {
    /// An endpoint, tool, middleware or realtime trigger (its kind): every input comes from
    /// outside.
    Entry(String),
    /// A function checked with no workspace around it: its inputs count as request-controlled.
    FunctionAlone,
    /// A function whose callers pass request values to these inputs.
    FunctionCalled { callers: Vec<Caller> },
}

/// An entry point reaching a function with request values.
#[derive(Debug, Clone)]
pub struct Caller {
    pub path: String,
    /// The `function.run` statement in the entry point.
    pub span: Span,
    /// "endpoint `orders/search`".
    pub what: String,
}

/// Object kinds whose inputs come from outside the workspace.
pub const ENTRY_KINDS: &[&str] = &["query", "tool", "middleware", "realtime_trigger"];

/// The objects of the file the injection rules analyse, each with the scope to analyse
/// it in. `has_sink` tells which objects are worth analysing (a cheap statement-name test);
/// `finds` tells whether a scope has something to report, so that callers of a function are
/// only looked up when needed.
pub fn scopes<'a>(
    ws: &'a Workspace,
    objects: impl Iterator<Item = &'a Object>,
    has_sink: impl Fn(&Statement) -> bool,
    finds: impl Fn(&Stack<'a>) -> bool,
) -> Vec<(Stack<'a>, InputOrigin)> {
    let mut out = Vec::new();
    for object in objects {
        let kind = object.kind.value.as_str();
        let is_entry = ENTRY_KINDS.contains(&kind);
        if !is_entry && kind != "function" {
            continue;
        }
        let Some(stack) = object.stack() else {
            continue;
        };
        if !enabled_statements(stack).iter().any(|s| has_sink(s)) {
            continue;
        }
        let scope = Stack::new(ws, object, InputTaint::All);
        if is_entry {
            out.push((scope, InputOrigin::Entry(kind.to_string())));
            continue;
        }
        if !finds(&scope) {
            continue;
        }
        if !workspace_mode(ws) {
            out.push((scope, InputOrigin::FunctionAlone));
            continue;
        }
        let Some(name) = object.name.as_ref().map(|n| n.value.as_str()) else {
            continue;
        };
        let (taint, callers) = caller_taint(ws, name);
        match taint {
            // Called from entry points: the inputs they fill with request values count, and
            // so do headers and the raw body the function reads itself.
            Some(inputs) => {
                let scope = Stack::new(ws, object, inputs);
                if finds(&scope) {
                    out.push((scope, InputOrigin::FunctionCalled { callers }));
                }
            }
            // Entry points are known and none calls it: its inputs come from elsewhere
            // (tasks, triggers). With no entry point in the workspace at all, nothing is known.
            None if has_entries(ws) => {}
            None => out.push((scope, InputOrigin::FunctionAlone)),
        }
    }
    out
}

/// Whether the file is checked among others (a folder) rather than alone.
fn workspace_mode(ws: &Workspace) -> bool {
    ws.files().nth(1).is_some()
}

fn has_entries(ws: &Workspace) -> bool {
    ws.files().any(|f| {
        f.model
            .objects
            .iter()
            .any(|o| ENTRY_KINDS.contains(&o.kind.value.as_str()))
    })
}

impl<'a> ArgumentTaint<'a> for Stack<'a> {
    fn tainted_arguments(&self, call: &Statement) -> InputTaint {
        Stack::tainted_arguments(self, call)
    }

    fn enter(&self, function: &'a Object, inputs: InputTaint, path: CallPath) -> Self {
        Stack::with_path(self.ws, function, inputs, path)
    }
}

/// For a function, the inputs some entry point (directly or through other functions) passes
/// request values to, and the entry points' calls that start it. `None` when no entry point
/// calls it.
pub fn caller_taint(ws: &Workspace, function: &str) -> (Option<InputTaint>, Vec<Caller>) {
    let found = callers::caller_taint(ws, function, |object| {
        (ENTRY_KINDS.contains(&object.kind.value.as_str()) && object.stack().is_some())
            .then(|| Stack::new(ws, object, InputTaint::All))
    });
    let callers = found
        .callers
        .into_iter()
        .map(|(entry, span)| {
            let object = entry.object();
            let kind = match object.kind.value.as_str() {
                "query" => "endpoint",
                kind => kind,
            };
            Caller {
                path: entry.file.path.clone(),
                span,
                what: format!(
                    "{kind} `{}`",
                    object.name.as_ref().map_or("", |n| n.value.as_str())
                ),
            }
        })
        .collect();
    (found.inputs, callers)
}

/// The message tail that says why a function's input counts as request-controlled.
pub fn origin_note(origin: &InputOrigin) -> String {
    match origin {
        InputOrigin::Entry(kind) if kind == "tool" => {
            " (a tool's inputs are chosen by the agent or MCP client that calls it)".to_string()
        }
        InputOrigin::Entry(_) => String::new(),
        InputOrigin::FunctionAlone => {
            " (function inputs count as request-controlled: no caller is known)".to_string()
        }
        InputOrigin::FunctionCalled { callers } => match callers.first() {
            Some(c) if callers.len() > 1 => format!(
                " (passed a request value by {} and {} other caller(s))",
                c.what,
                callers.len() - 1
            ),
            Some(c) => format!(" (passed a request value by {})", c.what),
            None => String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_js_comments_and_strings() {
        let code = "const a = \"eval(x)\"; // eval($input.y)\neval(`run ${$input.z}`)";
        let s = strip_js(code);
        assert_eq!(s.len(), code.len());
        assert!(!s.contains("eval(x)"));
        assert!(!s.contains("$input.y"));
        assert!(s.contains("${$input.z}"));
        assert!(s.contains("eval("));
    }

    #[test]
    fn finds_text_refs() {
        let refs = text_refs(
            "a $input.x + $var.y + $input[\"z w\"] $env.$http_headers",
            "a $input.x + $var.y + $input[\"z w\"] $env.$http_headers",
        );
        let got: Vec<(String, Option<String>)> =
            refs.into_iter().map(|r| (r.root, r.field)).collect();
        assert_eq!(
            got,
            [
                ("input".to_string(), Some("x".to_string())),
                ("var".to_string(), Some("y".to_string())),
                ("input".to_string(), Some("z w".to_string())),
                ("env".to_string(), Some("$http_headers".to_string())),
            ]
        );
    }

    #[test]
    fn reads_twig_outputs() {
        let outs = twig_outputs(
            "a {% set q = $input.q %}{{ $input.x|sql_esc }} b {{ q }} {{ $input.id + 0 }}",
        );
        assert_eq!(outs.len(), 3);
        assert_eq!(outs[0].filters, ["sql_esc"]);
        assert_eq!(outs[1].locals, [("q".to_string(), "$input.q".to_string())]);
        assert!(outs[2].numeric);
    }

    #[test]
    fn finds_js_assignments() {
        let code = "const { a, b: c } = $input;\nlet d = a + 1\nx.y = 2;";
        let got: Vec<Vec<String>> = js_assignments(code).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            got,
            [
                vec!["a".to_string(), "c".to_string()],
                vec!["d".to_string()]
            ]
        );
    }

    #[test]
    fn parses_expression_literals() {
        let e = parse_expression("$env.base|concat:\"/\"|concat:$input.id").unwrap();
        assert!(matches!(e.kind, ExprKind::Filtered { .. }));
    }
}
