//! Shared questions of the access rules (XS101–XS105): does an endpoint authenticate or verify
//! its caller, which tables does it read and write (also through `function.run`), which of its
//! reads reach the response and through which fields, which values derive from the caller's
//! identity, and which records are ownership-checked.
//!
//! An endpoint is analysed as a list of [`Scope`]s: its own stack, then every function it runs
//! (followed through [`CallPath`], at most [`MAX_SCOPES`] scopes). Each scope knows which of
//! its inputs carry request values and which carry the caller's identity, as passed by its caller.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::analysis::callers::InputTaint;
use crate::analysis::flow::{Flow, tainted_arguments};
use crate::model::{
    Argument, BinaryOp, Expr, ExprKind, Item, Object, PairKey, Segment, Statement, VarPath,
};
use crate::semantics::endpoint;
use crate::semantics::filters::FilterResult;
use crate::semantics::literal_name;
use crate::semantics::names::{has_word, snake_words};
use crate::semantics::statements::{Db, QueryReturn, VarWrite, decodes_token, loop_item};
use crate::workspace::calls::{CallPath, is_call};
use crate::workspace::{Workspace, is_personal_name};

/// At most this many stacks are analysed for one endpoint.
pub const MAX_SCOPES: usize = 48;

// ---------------------------------------------------------------------------------------------
// Endpoint facts that need no data flow.
// ---------------------------------------------------------------------------------------------

/// Whether the endpoint is authenticated: `auth` names an auth table (any non-empty value when
/// the table is not defined in the workspace).
pub fn is_authenticated(ws: &Workspace, endpoint: &Object) -> bool {
    endpoint::auth(endpoint).is_some_and(|t| ws.table(t).is_none_or(|info| info.is_auth))
}

/// Whether `table` may be an auth table: it is one, or its definition is not known.
pub fn maybe_auth_table(ws: &Workspace, table: &str) -> bool {
    match ws.table(table) {
        Some(info) => info.is_auth,
        None => true,
    }
}

/// Whether `table` is the auth table of this endpoint: an auth table of the workspace, or the
/// table its own `auth` names (the only evidence a single file gives).
pub fn is_auth_table_here(ws: &Workspace, endpoint: &Object, table: &str) -> bool {
    match ws.table(table) {
        Some(info) => info.is_auth,
        None => endpoint::auth(endpoint).is_some_and(|a| a.eq_ignore_ascii_case(table)),
    }
}

/// Whether a table is user-owned for this endpoint (see [`is_auth_table_here`]).
pub fn is_user_owned_here(ws: &Workspace, endpoint: &Object, table: &str) -> bool {
    ws.is_user_owned(table) || is_auth_table_here(ws, endpoint, table)
}

/// The words of an endpoint path, without `{param}` segments.
pub fn path_words(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|seg| !seg.starts_with('{'))
        .flat_map(snake_words)
        .collect()
}

/// Whether the path and verb match Xano's generated CRUD for `table`:
/// `GET|POST <table>`, `GET|PATCH|PUT|DELETE <table>/{<table>_id}`.
pub fn is_ghost_shape(path: &str, verb: &str, table: &str) -> bool {
    let p = path.trim_matches('/').to_ascii_lowercase();
    let t = crud_name(table);
    if t.is_empty() {
        return false;
    }
    if p == t {
        return matches!(verb, "GET" | "POST");
    }
    if p == format!("{t}/{{{t}_id}}") {
        return matches!(verb, "GET" | "PATCH" | "PUT" | "DELETE");
    }
    false
}

/// A table name as generated CRUD paths write it: lower case, each run of other characters
/// (spaces, emoji) replaced by `_`.
fn crud_name(table: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in table.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c.to_ascii_lowercase());
            gap = false;
        } else if !gap {
            out.push('_');
            gap = true;
        }
    }
    out
}

/// The active `pre` middleware named by an endpoint and by its api group.
pub fn middleware_objects<'a>(ws: &'a Workspace, endpoint: &'a Object) -> Vec<&'a Object> {
    let mut names = Vec::new();
    let mut add = |object: &Object| {
        let Some(pre) = object
            .attribute("middleware")
            .and_then(|a| a.value.get("pre"))
        else {
            return;
        };
        let ExprKind::Array(items) = &pre.kind else {
            return;
        };
        for item in items {
            let name = match &item.kind {
                ExprKind::String(s) => Some(s.clone()),
                ExprKind::Object(_) => {
                    let active = item.get("active").and_then(Expr::as_bool).unwrap_or(true);
                    item.get("name")
                        .and_then(|n| n.string_value())
                        .filter(|_| active)
                        .map(str::to_string)
                }
                _ => None,
            };
            names.extend(name.filter(|n| !n.is_empty()));
        }
    };
    add(endpoint);
    if let Some(group) = endpoint::api_group(endpoint).and_then(|g| ws.api_group(g)) {
        add(group.object.object());
    }
    names
        .iter()
        .filter_map(|n| ws.middleware(n))
        .map(|r| r.object())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Statements in order, with the conditions that guard them.
// ---------------------------------------------------------------------------------------------

/// An enabled statement of a stack, with its execution order and the `if`/`elseif` conditions
/// it is nested in.
#[derive(Debug, Clone)]
pub struct Placed<'a> {
    pub stmt: &'a Statement,
    pub index: usize,
    pub guards: Vec<&'a Expr>,
}

/// The enabled statements of an object's stack, in order, with their guards.
pub fn placed_statements(object: &Object) -> Vec<Placed<'_>> {
    let Some(stack) = object.stack() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // (items iterator, guard pushed by the block's owner)
    let mut stack_iters: Vec<(std::slice::Iter<'_, Item>, Option<&Expr>)> =
        vec![(stack.items.iter(), None)];
    let mut guards: Vec<&Expr> = Vec::new();
    while let Some((top, _)) = stack_iters.last_mut() {
        match top.next() {
            Some(Item::Statement(s)) if !s.disabled => {
                out.push(Placed {
                    stmt: s,
                    index: out.len(),
                    guards: guards.clone(),
                });
                if let Some(body) = &s.body {
                    let guard = match s.name.value.as_str() {
                        "if" | "elseif" => s.first_expr(),
                        _ => None,
                    };
                    if let Some(g) = guard {
                        guards.push(g);
                    }
                    stack_iters.push((body.items.iter(), guard));
                }
            }
            Some(_) => {}
            None => {
                if let Some((_, Some(_))) = stack_iters.pop() {
                    guards.pop();
                }
            }
        }
    }
    out
}

/// Whether a block (an `if` branch) stops the request: it throws, returns early or stops.
fn stops(stmt: &Statement) -> bool {
    stmt.body.as_ref().is_some_and(|b| {
        b.walk_statements().iter().any(|s| {
            !s.disabled && matches!(s.name.value.as_str(), "throw" | "return" | "debug.stop")
        })
    })
}

/// The comparisons (`==`, `!=`, `===`, `!==`, `in`) inside a condition.
pub fn comparisons(cond: &Expr) -> Vec<(&Expr, &Expr)> {
    cond.walk()
        .filter_map(|e| match &e.kind {
            ExprKind::Binary {
                op: BinaryOp::Compare,
                operator,
                left,
                right,
            } if matches!(
                operator.trim_end_matches('?'),
                "==" | "!=" | "===" | "!==" | "in" | "not in"
            ) =>
            {
                Some((left.as_ref(), right.as_ref()))
            }
            _ => None,
        })
        .collect()
}

/// The top-level `&&` conjuncts of an expression.
pub fn conjuncts(expr: &Expr) -> Vec<&Expr> {
    let mut out = Vec::new();
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Binary {
                op: BinaryOp::And,
                left,
                right,
                ..
            } => {
                stack.push(right);
                stack.push(left);
            }
            _ => out.push(e),
        }
    }
    out
}

/// `$db.<table>.<column>` → the column (the table part is not checked: joins use aliases).
pub fn db_column(expr: &Expr) -> Option<&str> {
    let v = expr.as_var()?;
    if v.root != "db" {
        return None;
    }
    let names: Vec<&str> = v.field_names().collect();
    match names.as_slice() {
        [_, column, ..] => Some(column),
        // Views write `$db.<column>`.
        [column] => Some(column),
        [] => None,
    }
}

/// The `$db` column and the other operand of each `==`/`in` conjunct of a `where`.
pub fn where_equalities(expr: &Expr) -> Vec<(&str, &Expr)> {
    conjuncts(expr)
        .into_iter()
        .filter_map(column_equality)
        .collect()
}

/// Every `$db` column equality anywhere in a `where`, also under `||`.
pub fn where_all_equalities(expr: &Expr) -> Vec<(&str, &Expr)> {
    expr.walk().filter_map(column_equality).collect()
}

/// `$db.t.col == value` (either way round, or `in`/`includes`/`contains`): the column and the
/// value.
fn column_equality(e: &Expr) -> Option<(&str, &Expr)> {
    match &e.kind {
        ExprKind::Binary {
            op: BinaryOp::Compare,
            operator,
            left,
            right,
        } if matches!(
            operator.trim_end_matches('?'),
            "==" | "===" | "in" | "includes" | "contains"
        ) =>
        {
            match (db_column(left), db_column(right)) {
                (Some(col), None) => Some((col, right.as_ref())),
                (None, Some(col)) => Some((col, left.as_ref())),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Like [`selectors`], with the equalities under `||` of a `where` too.
pub fn all_selectors(s: &Statement) -> Vec<(String, &Expr)> {
    selection(s, where_all_equalities)
}

/// The name a variable path writes or reads: `$x` for `$x`, `$var.x`, `$x.a`.
pub fn var_name(path: &VarPath) -> Option<&str> {
    match path.root.as_str() {
        "var" => path.first_field(),
        "input" | "auth" | "env" | "db" | "$" | "this" | "output" | "error" | "response"
        | "index" | "parent" | "result" => None,
        root => Some(root),
    }
}

/// The field path after the variable name (`$x.a.b` → `[a, b]`, `$var.x.a` → `[a]`).
fn var_fields(path: &VarPath) -> &[Segment] {
    let skip = usize::from(path.root == "var");
    &path.segments[skip.min(path.segments.len())..]
}

/// Every `$name` (with its first field) mentioned in verbatim text (lambda code, backticks).
fn text_mentions(text: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let word = |i: usize| {
        let rest = &text[i..];
        let n = rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
            .map_or(rest.len(), |(k, _)| k);
        &rest[..n]
    };
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let name = word(i + 1);
            if !name.is_empty() {
                let mut j = i + 1 + name.len();
                let mut name = name.to_string();
                let mut field = None;
                if bytes.get(j) == Some(&b'.') {
                    let f = word(j + 1);
                    if name == "var" && !f.is_empty() {
                        name = f.to_string();
                        j += 1 + f.len();
                        if bytes.get(j) == Some(&b'.') {
                            let g = word(j + 1);
                            field = (!g.is_empty()).then(|| g.to_string());
                        }
                    } else if !f.is_empty() {
                        field = Some(f.to_string());
                    }
                }
                out.push((name, field));
                i = j;
                continue;
            }
        }
        i += 1;
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Definitions of variables, and values derived from a seed.
// ---------------------------------------------------------------------------------------------

/// What a variable's value is built from.
#[derive(Debug, Clone)]
pub enum DefSource<'a> {
    Expr(&'a Expr),
    /// Verbatim code that mentions variables (`api.lambda`).
    Text(&'a str),
}

#[derive(Debug, Clone)]
pub struct Def<'a> {
    pub source: DefSource<'a>,
    /// `var.update $x.key` sets one key of `$x`.
    pub key: Option<String>,
    /// The value *is* the variable's value (a `var`), not an input of the statement that
    /// produced it (`db.add ... as $x`).
    pub copy: bool,
    pub index: usize,
}

/// The definitions of every variable of a stack.
#[derive(Debug, Default)]
pub struct Defs<'a> {
    pub map: HashMap<String, Vec<Def<'a>>>,
    /// Variables bound to a read of a table: name → the reading statement.
    pub reads: HashMap<String, &'a Statement>,
    /// Variables bound by `function.run`: name → the call.
    pub calls: HashMap<String, &'a Statement>,
}

impl<'a> Defs<'a> {
    pub fn of(statements: &[Placed<'a>]) -> Self {
        let mut defs = Defs::default();
        for p in statements {
            let s = p.stmt;
            let name = s.name.value.as_str();
            if let Some(write) = VarWrite::of(name) {
                let Some(target) = s.first_expr().and_then(|e| e.as_var()) else {
                    continue;
                };
                let Some(var) = var_name(target) else {
                    continue;
                };
                let key = match var_fields(target).first() {
                    Some(Segment::Field(f)) if write == VarWrite::Update => Some(f.clone()),
                    _ => None,
                };
                if let Some(value) = s.attribute("value") {
                    defs.push(var, &value.value, key, write.replaces(), p.index);
                }
                continue;
            }
            if name == "foreach" {
                if let (Some(alias), Some(list)) = (loop_item(s), s.first_expr()) {
                    defs.push(alias, list, None, true, p.index);
                }
                continue;
            }
            let Some(alias) = s.alias_name() else {
                continue;
            };
            let db = Db::of(name);
            if matches!(db, Some(Db::Get | Db::Query)) {
                defs.reads.insert(alias.to_string(), s);
                continue;
            }
            if is_call(s) {
                defs.calls.insert(alias.to_string(), s);
            }
            if db.is_some_and(Db::writes_record) {
                // The written record is its `data` (plus ids and defaults).
                if let Some(data) = s.attribute("data") {
                    defs.push(alias, &data.value, None, true, p.index);
                }
                continue;
            }
            if name.starts_with("array.") {
                // `array.find ($list) if (...) as $x` holds elements of the list.
                if let Some(e) = s.first_expr() {
                    defs.push(alias, e, None, true, p.index);
                }
            } else if let Some(e) = s.first_expr() {
                defs.push(alias, e, None, false, p.index);
            }
            for attr in s.body.iter().flat_map(|b| b.attributes()) {
                match (&attr.value.kind, attr.key.value.as_str()) {
                    (ExprKind::String(code), "code") => {
                        defs.map.entry(alias.to_string()).or_default().push(Def {
                            source: DefSource::Text(code),
                            key: None,
                            copy: false,
                            index: p.index,
                        })
                    }
                    _ => defs.push(alias, &attr.value, None, false, p.index),
                }
            }
        }
        defs
    }

    fn push(&mut self, var: &str, expr: &'a Expr, key: Option<String>, copy: bool, index: usize) {
        self.map.entry(var.to_string()).or_default().push(Def {
            source: DefSource::Expr(expr),
            key,
            copy,
            index,
        });
    }
}

/// Whether an expression (or verbatim text in it) mentions one of `vars` or satisfies `seed`.
/// The variables an expression mentions, as [`expr_mentions`] finds them.
fn mentioned_vars(expr: &Expr) -> Vec<String> {
    let mut out = Vec::new();
    for d in expr.walk() {
        match &d.kind {
            ExprKind::Var(path) => out.extend(var_name(path).map(str::to_string)),
            ExprKind::ExpressionLiteral(text) => {
                out.extend(text_mentions(text).into_iter().map(|(n, _)| n));
            }
            _ => {}
        }
    }
    out
}

pub fn expr_mentions(expr: &Expr, vars: &HashSet<String>, seed: &dyn Fn(&Expr) -> bool) -> bool {
    expr.walk().any(|d| {
        seed(d)
            || match &d.kind {
                ExprKind::Var(path) => var_name(path).is_some_and(|n| vars.contains(n)),
                ExprKind::ExpressionLiteral(text) => {
                    text_mentions(text).iter().any(|(n, _)| vars.contains(n))
                }
                _ => false,
            }
    })
}

/// The variables whose value derives from a value satisfying `seed` (through `var`, statement
/// results and loops; reads of tables are not followed).
pub fn derived_vars(defs: &Defs, seed: &dyn Fn(&Expr) -> bool) -> HashSet<String> {
    let mut set: HashSet<String> = HashSet::new();
    for _ in 0..=defs.map.len().min(64) {
        let before = set.len();
        for (name, list) in &defs.map {
            if set.contains(name) {
                continue;
            }
            let hit = list.iter().any(|d| match &d.source {
                DefSource::Expr(e) => expr_mentions(e, &set, seed),
                DefSource::Text(t) => text_mentions(t).iter().any(|(n, _)| set.contains(n)),
            });
            if hit {
                set.insert(name.clone());
            }
        }
        if set.len() == before {
            break;
        }
    }
    set
}

// ---------------------------------------------------------------------------------------------
// Which fields of a value reach the response.
// ---------------------------------------------------------------------------------------------

/// Which fields of a value are used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sel {
    Whole,
    Only(BTreeSet<String>),
    Except(BTreeSet<String>),
}

impl Sel {
    fn only(f: &str) -> Sel {
        Sel::Only(BTreeSet::from([f.to_string()]))
    }

    fn union(&self, other: &Sel) -> Sel {
        match (self, other) {
            (Sel::Whole, _) | (_, Sel::Whole) => Sel::Whole,
            (Sel::Only(a), Sel::Only(b)) => Sel::Only(a | b),
            (Sel::Except(a), Sel::Except(b)) => Sel::Except(a & b),
            (Sel::Only(a), Sel::Except(b)) | (Sel::Except(b), Sel::Only(a)) => Sel::Except(b - a),
        }
    }

    /// The keys of an object this selection keeps.
    fn keeps(&self, key: &str) -> bool {
        match self {
            Sel::Whole => true,
            Sel::Only(s) => s.contains(key),
            Sel::Except(s) => !s.contains(key),
        }
    }

    /// The columns this selection exposes out of `columns`.
    pub fn apply<'c>(&self, columns: &'c [String]) -> Vec<&'c String> {
        columns
            .iter()
            .filter(|c| self.keeps(c.split('.').next().unwrap_or(c)))
            .collect()
    }
}

/// The variables of a stack whose values reach `roots` (its response), with the fields used.
pub fn reaching(roots: &[&Expr], defs: &Defs) -> HashMap<String, Sel> {
    let mut vars: HashMap<String, Sel> = HashMap::new();
    let mut work: Vec<(&Expr, Sel)> = roots.iter().map(|r| (*r, Sel::Whole)).collect();
    let mut text_work: Vec<&str> = Vec::new();
    let mut steps = 0usize;
    let reach_var = |name: &str, sel: Sel, vars: &mut HashMap<String, Sel>| -> Option<Sel> {
        let merged = match vars.get(name) {
            Some(old) => {
                let m = old.union(&sel);
                if &m == old {
                    return None;
                }
                m
            }
            None => sel,
        };
        vars.insert(name.to_string(), merged.clone());
        Some(merged)
    };
    loop {
        steps += 1;
        if steps > 20_000 {
            break;
        }
        let mut newly: Vec<(String, Sel)> = Vec::new();
        if let Some(text) = text_work.pop() {
            for (name, field) in text_mentions(text) {
                let sel = field.map_or(Sel::Whole, |f| Sel::only(&f));
                if let Some(s) = reach_var(&name, sel, &mut vars) {
                    newly.push((name, s));
                }
            }
        } else if let Some((expr, sel)) = work.pop() {
            match &expr.kind {
                ExprKind::Var(path) => {
                    if let Some(name) = var_name(path) {
                        let sel = field_sel(var_fields(path), sel);
                        if let Some(s) = reach_var(name, sel, &mut vars) {
                            newly.push((name.to_string(), s));
                        }
                    }
                }
                ExprKind::Filtered { value, filters } => {
                    let live: Vec<_> = filters.iter().filter(|f| !f.disabled).collect();
                    if live.iter().any(|f| {
                        FilterResult::of(&f.name.value).is_some_and(FilterResult::drops_data)
                    }) {
                        continue;
                    }
                    let mut inner = sel.clone();
                    let mut except: BTreeSet<String> = BTreeSet::new();
                    for f in &live {
                        let arg_str = f.arguments.first().and_then(|a| a.string_value());
                        match f.name.value.as_str() {
                            "get" => {
                                if let Some(k) = arg_str {
                                    inner = Sel::only(k);
                                    break;
                                }
                            }
                            "pick" => {
                                if let Some(list) = f
                                    .arguments
                                    .first()
                                    .and_then(crate::analysis::flow::string_list)
                                {
                                    inner = Sel::Only(list.into_iter().collect());
                                    break;
                                }
                            }
                            "unset" => {
                                if let Some(k) = arg_str {
                                    except.insert(k.to_string());
                                }
                            }
                            "map" | "lambda_map" => {
                                if let Some(fields) = f.arguments.first().and_then(element_fields) {
                                    inner = Sel::Only(fields);
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    if !except.is_empty() {
                        inner = match inner {
                            Sel::Whole => Sel::Except(except),
                            Sel::Except(e) => Sel::Except(&e | &except),
                            Sel::Only(o) => Sel::Only(&o - &except),
                        };
                    }
                    work.push((value, inner));
                    for f in &live {
                        if matches!(f.name.value.as_str(), "get" | "pick" | "unset" | "map") {
                            continue;
                        }
                        for a in &f.arguments {
                            work.push((a, Sel::Whole));
                        }
                    }
                }
                ExprKind::Object(pairs) => {
                    for p in pairs.iter().filter(|p| !p.disabled) {
                        let keep = match &p.key {
                            PairKey::Name(k) => sel.keeps(&k.value),
                            PairKey::Expr(_) => true,
                        };
                        if keep {
                            let inner = match &p.value.kind {
                                ExprKind::Spread(_) => sel.clone(),
                                _ => Sel::Whole,
                            };
                            work.push((&p.value, inner));
                        }
                    }
                }
                ExprKind::Array(items) => work.extend(items.iter().map(|i| (i, sel.clone()))),
                ExprKind::Spread(inner) => work.push((inner, sel)),
                ExprKind::Unary { op, operand } if op != "!" => work.push((operand, sel)),
                ExprKind::Binary {
                    op, left, right, ..
                } => match op {
                    BinaryOp::Compare | BinaryOp::And | BinaryOp::Or => {}
                    BinaryOp::Coalesce => {
                        work.push((left, sel.clone()));
                        work.push((right, sel));
                    }
                    _ => {
                        work.push((left, Sel::Whole));
                        work.push((right, Sel::Whole));
                    }
                },
                ExprKind::Ternary {
                    then, otherwise, ..
                } => {
                    if let Some(t) = then {
                        work.push((t, sel.clone()));
                    }
                    work.push((otherwise, sel));
                }
                ExprKind::Access { object, segments } => {
                    work.push((object, field_sel(segments, sel)));
                }
                ExprKind::ExpressionLiteral(text) => text_work.push(text),
                _ => {}
            }
        } else {
            break;
        }
        for (name, sel) in newly {
            for d in defs.map.get(&name).into_iter().flatten() {
                if let Some(k) = &d.key
                    && !sel.keeps(k)
                {
                    continue;
                }
                match &d.source {
                    DefSource::Expr(e) => {
                        let inner = if d.copy && d.key.is_none() {
                            sel.clone()
                        } else {
                            Sel::Whole
                        };
                        work.push((e, inner));
                    }
                    DefSource::Text(t) => text_work.push(t),
                }
            }
        }
    }
    vars
}

/// The selection made by a field path after a value: `.items` and indexes keep the record,
/// the first other field selects it.
fn field_sel(segments: &[Segment], sel: Sel) -> Sel {
    for s in segments {
        match s {
            Segment::Field(f) if f == "items" => {}
            Segment::Field(f) if f.chars().all(|c| c.is_ascii_digit()) => {}
            Segment::Field(f) => return Sel::only(f),
            Segment::Index(i) => {
                if let Some(k) = i.string_value() {
                    return Sel::only(k);
                }
            }
        }
    }
    sel
}

/// The fields `$$.f` / `$this.f` a `map` argument builds its elements from, when it uses no
/// whole element.
fn element_fields(arg: &Expr) -> Option<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for d in arg.walk() {
        if let ExprKind::Var(v) = &d.kind
            && (v.root == "$" || v.root == "this")
        {
            match v.first_field() {
                Some(f) => {
                    out.insert(f.to_string());
                }
                None => return None,
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The expressions a stack returns: its `response` and the values of `return` statements.
pub fn response_roots<'a>(object: &'a Object, statements: &[Placed<'a>]) -> Vec<&'a Expr> {
    let mut roots: Vec<&Expr> = object
        .attribute("response")
        .map(|a| &a.value)
        .into_iter()
        .collect();
    for p in statements {
        if p.stmt.name.value == "return" {
            roots.extend(p.stmt.attribute("value").map(|a| &a.value));
        }
    }
    roots
}

// ---------------------------------------------------------------------------------------------
// Scopes: the endpoint's stack and the functions it runs.
// ---------------------------------------------------------------------------------------------

/// One stack run for an endpoint.
pub struct Scope<'a> {
    pub object: &'a Object,
    /// The file holding the object, as the workspace names it.
    pub path: &'a str,
    pub statements: Vec<Placed<'a>>,
    pub flow: Flow,
    pub defs: Defs<'a>,
    /// The caller scope and the call statement in it.
    pub parent: Option<(usize, &'a Statement)>,
    /// The `function.run` of the endpoint through which this scope runs.
    pub via: Option<&'a Statement>,
    /// The calls from the endpoint to this scope.
    pub calls: CallPath,
    /// Execution position of the call that starts the scope (empty for the endpoint).
    pub pos: Vec<usize>,
    /// For each request-controlled input, the endpoint-level value it carries (`input.id`).
    pub origins: HashMap<String, String>,
    /// Variables (and `input.x` for inputs) holding the caller's identity or values read with it.
    pub auth_vars: HashSet<String>,
    auth_inputs: HashSet<String>,
    reaching: std::cell::OnceCell<HashMap<String, Sel>>,
    /// See [`Scope::dependents`].
    dependents: std::cell::OnceCell<HashMap<String, Vec<String>>>,
    /// See [`Scope::auth_dependents`].
    auth_dependents: std::cell::OnceCell<HashMap<String, Vec<String>>>,
    /// See [`Scope::write_selector_vars`].
    write_selector_vars: std::cell::OnceCell<HashSet<String>>,
}

/// What [`Scope::compute_auth_vars`] reads of a stack's conditions: the variables they mention,
/// and the variables each side of each of their comparisons mentions.
struct ConditionTerms<'e> {
    vars: HashSet<String>,
    sides: Vec<(&'e Expr, Vec<String>, &'e Expr, Vec<String>)>,
}

impl<'e> ConditionTerms<'e> {
    fn of(conds: &[&'e Expr]) -> Self {
        ConditionTerms {
            vars: vars_mentioned_by(conds),
            sides: conds
                .iter()
                .flat_map(|c| comparisons(c))
                .map(|(l, r)| (l, mentioned_vars(l), r, mentioned_vars(r)))
                .collect(),
        }
    }
}

impl<'a> Scope<'a> {
    fn new(
        object: &'a Object,
        path: &'a str,
        taint: InputTaint,
        auth_inputs: HashSet<String>,
        origins: HashMap<String, String>,
    ) -> Self {
        let statements = placed_statements(object);
        let defs = Defs::of(&statements);
        let mut scope = Scope {
            object,
            path,
            flow: Flow::of(object, taint),
            defs,
            statements,
            parent: None,
            via: None,
            calls: CallPath::start(object),
            pos: Vec::new(),
            origins,
            auth_vars: HashSet::new(),
            auth_inputs,
            reaching: std::cell::OnceCell::new(),
            dependents: std::cell::OnceCell::new(),
            auth_dependents: std::cell::OnceCell::new(),
            write_selector_vars: std::cell::OnceCell::new(),
        };
        // A request id that selects a record verified as the caller's is as good as the
        // caller's identity (`precondition ($arch.owner == $auth.id)` vouches for
        // `$input.arch_id`).
        let conditions = scope.conditions();
        let terms = ConditionTerms::of(&conditions);
        for _ in 0..3 {
            scope.auth_vars = scope.compute_auth_vars(&terms);
            let extra: Vec<String> = scope
                .defs
                .reads
                .iter()
                .filter(|(alias, _)| scope.auth_vars.contains(*alias))
                .flat_map(|(_, read)| selectors(read))
                .filter(|(field, _)| field.eq_ignore_ascii_case("id"))
                .filter_map(|(_, v)| match &v.kind {
                    ExprKind::Var(p) if p.root == "input" && p.segments.len() == 1 => {
                        p.first_field().map(str::to_string)
                    }
                    _ => None,
                })
                .filter(|f| !scope.auth_inputs.contains(f))
                .collect();
            if extra.is_empty() {
                break;
            }
            scope.auth_inputs.extend(extra);
        }
        scope
    }

    /// Global execution position of a statement of this scope.
    pub fn position(&self, index: usize) -> Vec<usize> {
        let mut p = self.pos.clone();
        p.push(index);
        p
    }

    /// Whether the expression is (or reads) the caller's identity: `$auth.*`, an input given
    /// `$auth.id` by the caller, or a value derived from them.
    pub fn is_auth_derived(&self, expr: &Expr) -> bool {
        expr_mentions(expr, &self.auth_vars, &|e| self.auth_seed(e))
    }

    fn auth_seed(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Var(v) => {
                v.root == "auth"
                    || (v.root == "input"
                        && v.first_field()
                            .is_some_and(|f| self.auth_inputs.contains(f)))
            }
            ExprKind::ExpressionLiteral(t) => t.contains("$auth"),
            _ => false,
        }
    }

    fn compute_auth_vars(&self, terms: &ConditionTerms) -> HashSet<String> {
        let seed = |e: &Expr| self.auth_seed(e);
        // Values taken from the caller's identity, then everything defined from them.
        let mut queue: Vec<&str> = Vec::new();
        for (name, list) in &self.defs.map {
            if list.iter().any(|d| match &d.source {
                DefSource::Expr(e) => e.walk().any(seed),
                DefSource::Text(t) => t.contains("$auth"),
            }) {
                queue.push(name);
            }
        }
        // Records read with the caller's identity are the caller's.
        for (name, s) in &self.defs.reads {
            if selectors(s).iter().any(|(_, v)| v.walk().any(seed)) {
                queue.push(name);
            }
        }
        let derived = self.auth_dependents();
        let mut set: HashSet<String> = HashSet::new();
        for _ in 0..8 {
            while let Some(name) = queue.pop() {
                if set.insert(name.to_string()) {
                    queue.extend(derived.get(name).into_iter().flatten().map(String::as_str));
                }
            }
            // Records a condition verifies as the caller's: a field compared with the caller's
            // identity, or a row scoped to the caller and to the record (a membership) that a
            // condition requires.
            {
                // Without a condition nothing is verified; checking each read against every
                // other made long stacks quadratic.
                if terms.sides.is_empty() && terms.vars.is_empty() {
                    break;
                }
                // Sides compared with the caller's identity.
                let anchored: Vec<&[String]> = terms
                    .sides
                    .iter()
                    .flat_map(|(l, l_vars, r, r_vars)| {
                        let left = expr_mentions(r, &set, &seed).then_some(l_vars.as_slice());
                        let right = expr_mentions(l, &set, &seed).then_some(r_vars.as_slice());
                        left.into_iter().chain(right)
                    })
                    .collect();
                // Rows of the caller's that a condition requires, with the variables their
                // selectors mention.
                let members: Vec<(&String, Vec<String>)> = self
                    .defs
                    .reads
                    .iter()
                    .filter(|(m, _)| set.contains(*m) && terms.vars.contains(*m))
                    .map(|(m, read)| {
                        let vars = all_selectors(read)
                            .into_iter()
                            .flat_map(|(_, v)| mentioned_vars(v))
                            .collect();
                        (m, vars)
                    })
                    .collect();
                if anchored.is_empty() && members.is_empty() {
                    break;
                }
                for name in self.defs.reads.keys() {
                    if set.contains(name) {
                        continue;
                    }
                    let family = self.family(&[name.as_str()]);
                    let compared = anchored
                        .iter()
                        .any(|vars| vars.iter().any(|v| family.contains(v)));
                    let member = members
                        .iter()
                        .any(|(m, vars)| *m != name && vars.iter().any(|v| family.contains(v)));
                    if compared || member {
                        queue.push(name);
                    }
                }
            }
            if queue.is_empty() {
                break;
            }
        }
        set
    }

    /// The endpoint-level origin of a request-controlled value (`input.order_id`, or the
    /// description of the source).
    pub fn origin(&self, expr: &Expr) -> Option<String> {
        let taint = self.flow.taint(expr)?;
        Some(match &taint.input {
            Some(i) => self
                .origins
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("input.{i}")),
            None => taint.source.clone(),
        })
    }

    /// The variables whose values reach this stack's response, with the fields used.
    pub fn reaching(&self) -> &HashMap<String, Sel> {
        self.reaching
            .get_or_init(|| reaching(&response_roots(self.object, &self.statements), &self.defs))
    }

    /// The gates of the stack: `precondition` conditions and `if` conditions of branches that
    /// stop the request, with their statement index.
    pub fn gates(&self) -> Vec<(usize, &'a Expr)> {
        self.statements
            .iter()
            .filter_map(|p| match p.stmt.name.value.as_str() {
                "precondition" => p.stmt.first_expr().map(|c| (p.index, c)),
                "if" | "elseif" if stops(p.stmt) => p.stmt.first_expr().map(|c| (p.index, c)),
                _ => None,
            })
            .collect()
    }
}

impl<'a> Scope<'a> {
    /// The variables holding a record read as one of `seeds` or values taken from it, and the
    /// records read with those values (its parents, grand-parents...).
    pub fn family(&self, seeds: &[&str]) -> HashSet<String> {
        let mut set: HashSet<String> = seeds.iter().map(|s| s.to_string()).collect();
        let mut queue: Vec<String> = set.iter().cloned().collect();
        let dependents = self.dependents();
        while let Some(name) = queue.pop() {
            for dependent in dependents.get(&name).into_iter().flatten() {
                if set.insert(dependent.clone()) {
                    queue.push(dependent.clone());
                }
            }
        }
        set
    }

    /// For each variable, the variables whose definition or read selectors mention it. Built
    /// once per scope: [`Scope::family`] is asked for every record read, and scanning every
    /// definition each time made long stacks quadratic.
    fn dependents(&self) -> &HashMap<String, Vec<String>> {
        self.dependents.get_or_init(|| self.dependents_map(true))
    }

    /// Like [`Scope::dependents`], but verbatim code (`api.lambda`) counts as coming from the
    /// caller's identity only when it names `$auth` itself.
    fn auth_dependents(&self) -> &HashMap<String, Vec<String>> {
        self.auth_dependents
            .get_or_init(|| self.dependents_map(false))
    }

    fn dependents_map(&self, text: bool) -> HashMap<String, Vec<String>> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        let mut add = |mentioned: Vec<String>, by: &String| {
            for m in mentioned {
                out.entry(m).or_default().push(by.clone());
            }
        };
        for (name, list) in &self.defs.map {
            for d in list {
                match &d.source {
                    DefSource::Expr(e) => add(mentioned_vars(e), name),
                    DefSource::Text(t) if text => {
                        add(text_mentions(t).into_iter().map(|(n, _)| n).collect(), name)
                    }
                    DefSource::Text(_) => {}
                }
            }
        }
        for (name, read) in &self.defs.reads {
            for (_, value) in selectors(read) {
                add(mentioned_vars(value), name);
            }
        }
        for list in out.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        out
    }

    /// The variables the selectors of the stack's writes mention (`field_value = $order.id`).
    /// Built once per scope: it is asked for every record read.
    pub fn write_selector_vars(&self) -> &HashSet<String> {
        self.write_selector_vars.get_or_init(|| {
            self.statements
                .iter()
                .filter(|p| Db::of_statement(p.stmt).is_some_and(Db::writes))
                .flat_map(|p| all_selectors(p.stmt))
                .flat_map(|(_, value)| mentioned_vars(value))
                .collect()
        })
    }

    /// Whether the expression carries the endpoint-level request value `origin`.
    pub fn carries(&self, expr: &Expr, origin: &str) -> bool {
        expr.walk().any(|d| match &d.kind {
            ExprKind::Var(_) => self.origin(d).is_some_and(|o| o == origin),
            _ => false,
        })
    }

    /// Every `if`/`elseif` condition and gate condition of the stack, with the definitions of
    /// the variables they test (`var $can_view { value = $post.user_id == $auth.id }`).
    pub fn conditions(&self) -> Vec<&'a Expr> {
        let mut out: Vec<&'a Expr> = self.gates().into_iter().map(|(_, c)| c).collect();
        for p in &self.statements {
            if matches!(p.stmt.name.value.as_str(), "if" | "elseif") {
                out.extend(p.stmt.first_expr());
            }
        }
        self.with_definitions(out)
    }

    /// Conditions plus the definitions of the variables they mention, a few levels deep.
    pub fn with_definitions(&self, conds: Vec<&'a Expr>) -> Vec<&'a Expr> {
        let mut out = conds.clone();
        let mut seen: HashSet<&str> = HashSet::new();
        let mut frontier = conds;
        for _ in 0..4 {
            let mut next = Vec::new();
            for c in &frontier {
                for d in c.walk() {
                    let ExprKind::Var(v) = &d.kind else { continue };
                    let Some(name) = var_name(v) else { continue };
                    let Some((key, defs)) = self.defs.map.get_key_value(name) else {
                        continue;
                    };
                    if !seen.insert(key.as_str()) {
                        continue;
                    }
                    for def in defs {
                        if let (DefSource::Expr(e), true) = (&def.source, def.copy) {
                            next.push(*e);
                        }
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            out.extend(next.iter().copied());
            frontier = next;
        }
        out
    }
}

/// The selectors of a read or write: `(field, value)` of `field_name`/`field_value`, and the
/// equalities of a `where`.
pub fn selectors(s: &Statement) -> Vec<(String, &Expr)> {
    selection(s, where_equalities)
}

/// `field_name`/`field_value` (the field `id` when unnamed), then what `equalities` finds in
/// the `where`.
fn selection<'s>(
    s: &'s Statement,
    equalities: fn(&'s Expr) -> Vec<(&'s str, &'s Expr)>,
) -> Vec<(String, &'s Expr)> {
    let mut out = Vec::new();
    if let Some(value) = s.attribute("field_value") {
        let field = s
            .attribute("field_name")
            .and_then(|a| literal_name(&a.value))
            .unwrap_or("id");
        out.push((field.to_string(), &value.value));
    }
    if let Some(w) = s.attribute("where") {
        for (col, value) in equalities(&w.value) {
            out.push((col.to_string(), value));
        }
    }
    out
}

/// An endpoint with the stacks it runs.
pub struct Endpoint<'a> {
    pub ws: &'a Workspace,
    pub object: &'a Object,
    pub path: &'a str,
    pub scopes: Vec<Scope<'a>>,
}

impl<'a> Endpoint<'a> {
    pub fn new(ws: &'a Workspace, object: &'a Object, path: &'a str) -> Self {
        let origins = object
            .fields("input")
            .map(|l| {
                l.fields
                    .iter()
                    .filter_map(|f| f.name.as_ref())
                    .map(|n| (n.value.clone(), format!("input.{}", n.value)))
                    .collect()
            })
            .unwrap_or_default();
        let root = Scope::new(object, path, InputTaint::All, HashSet::new(), origins);
        let mut scopes = vec![root];
        let mut next = 0;
        while next < scopes.len() {
            let parent = next;
            next += 1;
            let calls: Vec<(usize, &'a Statement)> = scopes[parent]
                .statements
                .iter()
                .filter(|p| is_call(p.stmt))
                .map(|p| (p.index, p.stmt))
                .collect();
            for (index, call) in calls {
                if scopes.len() >= MAX_SCOPES {
                    break;
                }
                let caller = &scopes[parent];
                let Some((callee, calls)) = caller.calls.enter(ws, call) else {
                    continue;
                };
                let taint = tainted_arguments(call, &caller.flow);
                let (origins, auth_inputs) = call_arguments(caller, call);
                let mut scope = Scope::new(
                    callee.object(),
                    callee.file.path.as_str(),
                    taint,
                    auth_inputs,
                    origins,
                );
                scope.parent = Some((parent, call));
                scope.via = Some(caller.via.unwrap_or(call));
                scope.calls = calls;
                scope.pos = caller.position(index);
                scopes.push(scope);
            }
        }
        Endpoint {
            ws,
            object,
            path,
            scopes,
        }
    }

    /// The enabled statements of every scope, with their scope index.
    pub fn all_statements(&self) -> impl Iterator<Item = (usize, &Placed<'a>)> {
        self.scopes
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.statements.iter().map(move |p| (i, p)))
    }

    /// The table reads and writes of every scope.
    pub fn data_ops(&self) -> Vec<DataOp<'a>> {
        let mut out = Vec::new();
        for (scope, p) in self.all_statements() {
            let s = p.stmt;
            let name = s.name.value.as_str();
            let table = s.target_name().map(|t| t.value.clone());
            let Some(db) = Db::of(name) else { continue };
            let kind = match db {
                _ if db.reads() => OpKind::Read,
                _ if db.writes() => OpKind::Write,
                Db::DirectQuery => match literal_select_tables(s) {
                    Some(tables) => OpKind::Select(tables),
                    None => OpKind::Write,
                },
                _ => continue,
            };
            out.push(DataOp {
                scope,
                index: p.index,
                stmt: s,
                table: if db == Db::DirectQuery { None } else { table },
                kind,
                db,
            });
        }
        out
    }

    /// Whether the values a read binds reach the endpoint's response, and through which
    /// fields (`None`: they do not).
    pub fn exposure(&self, scope: usize, read: &Statement) -> Option<Sel> {
        let alias = read.alias_name()?;
        let mut sel = self.scopes.get(scope)?.reaching().get(alias)?.clone();
        if let Some(k) = read
            .alias_filters
            .iter()
            .find(|f| f.name.value == "get")
            .and_then(|f| f.arguments.first())
            .and_then(|a| a.string_value())
        {
            sel = Sel::only(k);
        }
        // Up the call chain: the call's result must reach the caller's response.
        let mut current = scope;
        let mut steps = 0;
        while let Some((parent, call)) = self.scopes[current].parent {
            steps += 1;
            if steps > MAX_SCOPES {
                return None;
            }
            let alias = call.alias_name()?;
            self.scopes[parent].reaching().get(alias)?;
            current = parent;
        }
        Some(sel)
    }

    /// The first statement (in any scope) that authenticates the caller or issues a token for
    /// an auth table: `security.check_password`, `security.create_auth_token`.
    pub fn credential_statement(&self) -> Option<(usize, &'a Statement)> {
        self.all_statements().find_map(|(i, p)| {
            let s = p.stmt;
            match s.name.value.as_str() {
                "security.check_password" => Some((i, s)),
                "security.create_auth_token" => {
                    let table = s.attribute("table").and_then(|a| literal_name(&a.value));
                    table
                        .is_none_or(|t| maybe_auth_table(self.ws, t))
                        .then_some((i, s))
                }
                _ => None,
            }
        })
    }

    /// How the endpoint verifies its caller itself, and where (the first verification in
    /// execution order). Middleware verification counts as before everything.
    pub fn verification(&self) -> Option<Verification<'a>> {
        for mw in middleware_objects(self.ws, self.object) {
            let scope = Scope::new(mw, "", InputTaint::None, HashSet::new(), HashMap::new());
            if let Some(mut v) = scope_verification(&scope, 0) {
                v.pos = Vec::new();
                v.middleware = mw.name.as_ref().map(|n| n.value.clone());
                return Some(v);
            }
        }
        self.scopes
            .iter()
            .enumerate()
            .filter_map(|(i, s)| scope_verification(s, i))
            .min_by(|a, b| a.pos.cmp(&b.pos))
    }

    /// Global position of an operation.
    pub fn position(&self, op: &DataOp) -> Vec<usize> {
        self.scopes[op.scope].position(op.index)
    }

    /// A role check on the caller's own record that gates the stack (`$auth.role == "admin"`,
    /// `$user.is_admin` of the caller's record), in any scope.
    pub fn role_gate(&self) -> Option<(usize, usize)> {
        for (i, scope) in self.scopes.iter().enumerate() {
            for (index, cond) in scope.gates() {
                if is_role_check(scope, cond) {
                    return Some((i, index));
                }
            }
        }
        None
    }

    /// The conditions guarding an operation: its own `if` conditions and those of the calls
    /// leading to its scope.
    pub fn guards_of(&self, scope: usize, index: usize) -> Vec<&'a Expr> {
        let mut out = Vec::new();
        let mut current = Some((scope, index));
        let mut steps = 0;
        while let Some((s, i)) = current {
            steps += 1;
            if steps > MAX_SCOPES {
                break;
            }
            let sc = &self.scopes[s];
            if let Some(p) = sc.statements.get(i) {
                out.extend(p.guards.iter().copied());
            }
            current = sc.parent.and_then(|(parent, call)| {
                self.scopes[parent]
                    .statements
                    .iter()
                    .find(|p| std::ptr::eq(p.stmt, call))
                    .map(|p| (parent, p.index))
            });
        }
        out
    }

    /// Whether the request value `origin` (`input.order_id`) is authorized somewhere in the
    /// stacks: compared with the caller's identity in a condition, or used to select a record
    /// that is then compared with the caller (its owner field, or a parent's), or a record
    /// scoped to the caller (a membership) that a condition requires.
    pub fn origin_authorized(&self, origin: &str, extra: &[&Expr]) -> bool {
        for scope in &self.scopes {
            let mut conds = scope.conditions();
            conds.extend(extra.iter().copied());
            // Every way of authorizing below goes through a condition.
            if conds.is_empty() {
                continue;
            }
            // The value itself compared with the caller.
            let direct = conds.iter().any(|c| {
                comparisons(c).into_iter().any(|(l, r)| {
                    (scope.carries(l, origin) && scope.is_auth_derived(r))
                        || (scope.carries(r, origin) && scope.is_auth_derived(l))
                })
            });
            if direct {
                return true;
            }
            let mut selected: Vec<&str> = Vec::new();
            for (alias, read) in &scope.defs.reads {
                if all_selectors(read)
                    .iter()
                    .any(|(_, v)| scope.carries(v, origin))
                {
                    selected.push(alias);
                }
            }
            for (alias, call) in &scope.defs.calls {
                let passes = call
                    .attribute("input")
                    .is_some_and(|i| scope.carries(&i.value, origin));
                if passes {
                    selected.push(alias);
                }
            }
            let family = scope.family(&selected);
            // A row scoped to the caller and to the chosen record (a membership) that a
            // condition requires.
            let tested = vars_mentioned_by(&conds);
            for (alias, read) in &scope.defs.reads {
                if !tested.contains(alias) {
                    continue;
                }
                let refers = all_selectors(read).iter().any(|(_, v)| {
                    scope.carries(v, origin) || expr_mentions(v, &family, &|_| false)
                });
                let scoped = selectors(read)
                    .iter()
                    .any(|(_, v)| scope.is_auth_derived(v));
                if refers && scoped {
                    return true;
                }
            }
            if !selected.is_empty() {
                // Checked to belong to a shared record (a public channel, a tournament): the
                // record is reached through that context, which has no owner to protect.
                let shared: Vec<&str> = scope
                    .defs
                    .reads
                    .iter()
                    .filter(|(alias, read)| {
                        !family.contains(*alias)
                            && read
                                .target_name()
                                .is_some_and(|t| self.is_shared_table(&t.value))
                    })
                    .map(|(alias, _)| alias.as_str())
                    .collect();
                if !shared.is_empty() {
                    let context = scope.family(&shared);
                    let consistent = conds.iter().any(|c| {
                        comparisons(c).into_iter().any(|(l, r)| {
                            let fl = expr_mentions(l, &family, &|_| false);
                            let fr = expr_mentions(r, &family, &|_| false);
                            let cl = expr_mentions(l, &context, &|_| false);
                            let cr = expr_mentions(r, &context, &|_| false);
                            (fl && cr && !fr) || (fr && cl && !fl)
                        })
                    });
                    if consistent {
                        return true;
                    }
                }
                if conds
                    .iter()
                    .any(|c| compares_with_caller(scope, c, &family) || tests_public(c, &family))
                {
                    return true;
                }
            }
        }
        false
    }

    /// A table with no owner to protect: not user-owned, or known only by its creator
    /// (`created_by`, `author_id`: shared content such as channels or tournaments).
    pub fn is_shared_table(&self, table: &str) -> bool {
        if self.ws.table(table).is_none() || is_auth_table_here(self.ws, self.object, table) {
            return false;
        }
        match self.ws.owner_field(table) {
            None => true,
            Some(c) => is_creator_field(&c.name),
        }
    }
}

/// Origins and identity-carrying inputs of a call's arguments.
fn call_arguments(caller: &Scope, call: &Statement) -> (HashMap<String, String>, HashSet<String>) {
    let mut origins = HashMap::new();
    let mut auth = HashSet::new();
    let Some(input) = call.attribute("input").map(|a| &a.value) else {
        return (origins, auth);
    };
    match &input.kind {
        ExprKind::Object(pairs) => {
            for p in pairs.iter().filter(|p| !p.disabled) {
                let PairKey::Name(k) = &p.key else { continue };
                if let Some(o) = caller.origin(&p.value) {
                    origins.insert(k.value.clone(), o);
                }
                if caller.is_auth_derived(&p.value) {
                    auth.insert(k.value.clone());
                }
            }
        }
        // `input = $input` passes every input under its own name.
        ExprKind::Var(v) if v.root == "input" && v.segments.is_empty() => {
            origins = caller.origins.clone();
            auth = caller.auth_inputs.clone();
        }
        _ => {}
    }
    (origins, auth)
}

/// What an operation does to a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpKind {
    Read,
    Write,
    /// A literal SELECT, with the tables it names.
    Select(Vec<String>),
}

/// One read or write of a table.
#[derive(Debug, Clone)]
pub struct DataOp<'a> {
    pub scope: usize,
    pub index: usize,
    pub stmt: &'a Statement,
    /// The table (absent for `db.direct_query`).
    pub table: Option<String>,
    pub kind: OpKind,
    /// The statement, as the catalogue knows it.
    pub db: Db,
}

impl DataOp<'_> {
    pub fn is_write(&self) -> bool {
        self.kind == OpKind::Write
    }

    pub fn name(&self) -> &str {
        &self.stmt.name.value
    }

    /// Whether the read returns rows (not a count, an existence flag, an aggregate or `db.has`).
    pub fn returns_rows(&self) -> bool {
        match self.db {
            Db::Has => false,
            Db::Query => QueryReturn::of(self.stmt).rows(),
            _ => true,
        }
    }
}

/// The tables of a `db.direct_query` whose `sql` is a literal that only SELECTs; `None` when
/// it may write (not a literal, or any writing keyword).
pub fn literal_select_tables(s: &Statement) -> Option<Vec<String>> {
    let sql = s.attribute("sql")?.value.string_value()?;
    let words = snake_words(sql);
    let first = words.first()?;
    if !matches!(first.as_str(), "select" | "with") {
        return None;
    }
    const WRITING: &[&str] = &[
        "insert", "update", "delete", "drop", "alter", "truncate", "create", "grant", "merge",
        "replace", "call", "copy", "lock",
    ];
    let lower = sql.to_ascii_lowercase();
    let tokens: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '"' || c == '`'))
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.iter().any(|t| WRITING.contains(t)) {
        return None;
    }
    let mut tables = Vec::new();
    for w in tokens.windows(2) {
        if w[0] == "from" || w[0] == "join" {
            let t = w[1].trim_matches(|c| c == '"' || c == '`');
            let t = t.rsplit('.').next().unwrap_or(t);
            if !t.is_empty() && !tables.iter().any(|x: &String| x == t) {
                tables.push(t.to_string());
            }
        }
    }
    Some(tables)
}

// ---------------------------------------------------------------------------------------------
// Verification of the caller by the stack itself.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerificationKind {
    /// `security.jws_decode` / `jwe_decode` (statement or filter).
    Token,
    /// An HMAC filter compared with a value.
    Hmac,
    /// A request value compared with an `$env` secret.
    SharedSecret,
    /// A record looked up by a secret token column from the request, and required to exist.
    TokenLookup,
}

#[derive(Debug, Clone)]
pub struct Verification<'a> {
    pub kind: VerificationKind,
    pub scope: usize,
    pub stmt: Option<&'a Statement>,
    pub pos: Vec<usize>,
    pub middleware: Option<String>,
    /// A read that performs the verification (the token lookup), not a data access.
    pub lookup: Option<&'a Statement>,
}

fn is_hmac_filter(name: &str) -> bool {
    name.starts_with("hmac_")
}

fn is_env_secret(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Var(v) => v.root == "env" && v.first_field().is_some_and(|f| !f.starts_with('$')),
        ExprKind::ExpressionLiteral(t) => t.contains("$env.") && !t.contains("$env.$"),
        _ => false,
    }
}

/// Whether a column name looks like a secret used to identify a caller.
pub fn is_token_column(name: &str) -> bool {
    [
        "token",
        "api_key",
        "apikey",
        "secret",
        "key",
        "hash",
        "access_key",
    ]
    .iter()
    .any(|w| has_word(name, w))
}

fn scope_verification<'a>(scope: &Scope<'a>, index: usize) -> Option<Verification<'a>> {
    let mut found: Vec<Verification<'a>> = Vec::new();
    let hmac_vars = derived_vars(&scope.defs, &|e| match &e.kind {
        ExprKind::Filtered { filters, .. } => filters
            .iter()
            .any(|f| !f.disabled && is_hmac_filter(&f.name.value)),
        ExprKind::ExpressionLiteral(t) => t.contains("|hmac_"),
        _ => false,
    });
    let secret_vars = derived_vars(&scope.defs, &is_env_secret);
    let is_hmac = |e: &Expr| {
        expr_mentions(e, &hmac_vars, &|d| match &d.kind {
            ExprKind::Filtered { filters, .. } => filters
                .iter()
                .any(|f| !f.disabled && is_hmac_filter(&f.name.value)),
            _ => false,
        })
    };
    let is_secret = |e: &Expr| expr_mentions(e, &secret_vars, &is_env_secret);
    let is_request = |e: &Expr| scope.flow.taint(e).is_some();
    let literal = |e: &Expr| {
        matches!(
            e.kind,
            ExprKind::String(_) | ExprKind::Number(_) | ExprKind::Bool(_) | ExprKind::Null
        )
    };
    for p in &scope.statements {
        let s = p.stmt;
        if decodes_token(&s.name.value) {
            found.push(Verification {
                kind: VerificationKind::Token,
                scope: index,
                stmt: Some(s),
                pos: scope.position(p.index),
                middleware: None,
                lookup: None,
            });
        }
    }
    // Token lookups: a read selected by a secret column from the request, required to exist.
    let mut lookups: HashMap<String, &'a Statement> = HashMap::new();
    for (alias, read) in &scope.defs.reads {
        if selectors(read)
            .iter()
            .any(|(col, v)| is_token_column(col) && is_request(v))
        {
            lookups.insert(alias.clone(), read);
        }
    }
    // `security.check_password` of a request value against a stored hash.
    let checks: HashSet<String> = scope
        .statements
        .iter()
        .filter(|p| p.stmt.name.value == "security.check_password")
        .filter_map(|p| p.stmt.alias_name().map(str::to_string))
        .collect();
    for (index_in_scope, cond) in scope.gates() {
        let pos = scope.position(index_in_scope);
        let stmt = scope.statements.get(index_in_scope).map(|p| p.stmt);
        let mut push = |kind, lookup| {
            found.push(Verification {
                kind,
                scope: index,
                stmt,
                pos: pos.clone(),
                middleware: None,
                lookup,
            })
        };
        for (l, r) in comparisons(cond) {
            if (is_hmac(l) && !literal(r)) || (is_hmac(r) && !literal(l)) {
                push(VerificationKind::Hmac, None);
            } else if (is_request(l) && is_secret(r)) || (is_request(r) && is_secret(l)) {
                push(VerificationKind::SharedSecret, None);
            }
        }
        let mentioned: Vec<(&String, &&Statement)> = lookups
            .iter()
            .filter(|(alias, _)| {
                expr_mentions(cond, &HashSet::from([(*alias).clone()]), &|_| false)
            })
            .collect();
        if let Some((_, read)) = mentioned.first() {
            push(VerificationKind::TokenLookup, Some(*read));
        }
        if expr_mentions(cond, &checks, &|_| false) {
            push(VerificationKind::TokenLookup, None);
        }
    }
    found.into_iter().min_by(|a, b| a.pos.cmp(&b.pos))
}

// ---------------------------------------------------------------------------------------------
// Authorization: role checks and ownership checks.
// ---------------------------------------------------------------------------------------------

const ROLE_WORDS: &[&str] = &[
    "role",
    "roles",
    "admin",
    "is_admin",
    "superuser",
    "staff",
    "permission",
    "permissions",
    "privilege",
    "privileges",
    "scope",
    "scopes",
    "access_level",
    "user_type",
    "account_type",
];

/// Whether a condition checks a role of the caller: a role-named field of `$auth` or of a
/// value derived from the caller's identity.
pub fn is_role_check(scope: &Scope, cond: &Expr) -> bool {
    cond.walk().any(|d| match &d.kind {
        ExprKind::Var(v) => {
            let derived = v.root == "auth"
                || var_name(v).is_some_and(|n| scope.auth_vars.contains(n))
                || (v.root == "input"
                    && v.first_field()
                        .is_some_and(|f| scope.auth_inputs.contains(f)));
            derived
                && v.field_names()
                    .any(|f| ROLE_WORDS.iter().any(|w| has_word(f, w)))
        }
        _ => false,
    })
}

/// Whether the comparison `(l, r)` sets a value derived from `vars` against the caller's
/// identity.
pub fn compares_with_caller(scope: &Scope, cond: &Expr, vars: &HashSet<String>) -> bool {
    comparisons(cond).into_iter().any(|(l, r)| {
        let lv = expr_mentions(l, vars, &|_| false);
        let rv = expr_mentions(r, vars, &|_| false);
        (lv && scope.is_auth_derived(r)) || (rv && scope.is_auth_derived(l))
    })
}

/// Whether a condition requires a record of `vars` to be public (`$post.public`,
/// `$post.visibility == "public"`, `$post.status == "published"`): visible to everyone by design.
pub fn tests_public(cond: &Expr, vars: &HashSet<String>) -> bool {
    const FIELDS: &[&str] = &[
        "public",
        "published",
        "visible",
        "visibility",
        "shared",
        "listed",
    ];
    const VALUES: &[&str] = &["public", "published", "visible", "shared", "listed", "live"];
    cond.walk().any(|d| {
        let ExprKind::Var(v) = &d.kind else {
            return false;
        };
        if !var_name(v).is_some_and(|n| vars.contains(n)) {
            return false;
        }
        v.field_names()
            .any(|f| FIELDS.iter().any(|w| has_word(f, w)))
    }) || comparisons(cond).into_iter().any(|(l, r)| {
        let mentions = |e: &Expr| expr_mentions(e, vars, &|_| false);
        let public_literal = |e: &Expr| {
            e.string_value()
                .is_some_and(|s| VALUES.contains(&s.to_ascii_lowercase().as_str()))
        };
        (mentions(l) && public_literal(r)) || (mentions(r) && public_literal(l))
    })
}

/// `created_by`, `author_id` and their variants: who made a record, not who may use it.
pub fn is_creator_field(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("created_by") || n.starts_with("author")
}

/// Whether an expression mentions the variable.
pub fn mentions_var(expr: &Expr, name: &str) -> bool {
    expr.walk().any(|d| match &d.kind {
        ExprKind::Var(path) => var_name(path) == Some(name),
        ExprKind::ExpressionLiteral(text) => text_mentions(text).iter().any(|(n, _)| n == name),
        _ => false,
    })
}

/// Every variable some of `exprs` mentions, as [`mentions_var`] finds them.
fn vars_mentioned_by(exprs: &[&Expr]) -> HashSet<String> {
    exprs.iter().flat_map(|e| mentioned_vars(e)).collect()
}

/// Words that make a column privileged when they end its name (`role`, `user_role`,
/// `is_admin`, `email_verified`, `credit_balance`).
const PRIVILEGED_WORDS: &[&str] = &[
    "role",
    "roles",
    "admin",
    "permission",
    "permissions",
    "privilege",
    "privileges",
    "verified",
    "approved",
    "balance",
    "credit",
    "credits",
    "plan",
    "tier",
    "subscription",
    "paid",
    "banned",
    "blocked",
    "superuser",
    "staff",
    "scopes",
];

/// Whether a column name looks privileged by itself: an owner field, a credential, or a name
/// ending in a role, verification, balance or plan word.
pub fn is_privileged_name(ws: &Workspace, name: &str) -> bool {
    let words = snake_words(name);
    ws.is_owner_name(name)
        || ws.is_sensitive_name(name)
        || words
            .last()
            .is_some_and(|w| PRIVILEGED_WORDS.contains(&w.as_str()))
}

/// Whether a caller setting this column through a declared input is an escalation: owner
/// fields, roles, flags, balances. Credentials are left out: a user choosing their own e-mail or
/// password at sign-up is the point of the endpoint.
pub fn is_escalation_name(ws: &Workspace, name: &str) -> bool {
    ws.is_owner_name(name)
        || snake_words(name)
            .last()
            .is_some_and(|w| PRIVILEGED_WORDS.contains(&w.as_str()))
}

/// The columns of a table that look privileged: owner fields, credentials (sensitive
/// columns), roles, verification flags, balances, plans.
pub fn privileged_columns(ws: &Workspace, table: &str) -> Vec<String> {
    let Some(info) = ws.table(table) else {
        return Vec::new();
    };
    let sensitive: Vec<&str> = ws
        .sensitive_columns(table)
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    info.columns
        .iter()
        .filter(|c| is_privileged_name(ws, &c.name) || sensitive.contains(&c.name.as_str()))
        .map(|c| c.name.clone())
        .collect()
}

/// The columns of a table that must not reach a public response: sensitive, personal and owner
/// fields.
pub fn risky_columns(ws: &Workspace, table: &str) -> Vec<String> {
    let Some(info) = ws.table(table) else {
        return Vec::new();
    };
    let sensitive: Vec<&str> = ws
        .sensitive_columns(table)
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    info.columns
        .iter()
        .filter(|c| {
            ws.is_owner_name(&c.name)
                || sensitive.contains(&c.name.as_str())
                || is_personal_name(&c.name)
                || c.ty == "email"
                || c.ty == "password"
        })
        .map(|c| c.name.clone())
        .collect()
}

/// Whether a column name marks sensitive, personal or owner data (no schema needed).
pub fn is_risky_name(ws: &Workspace, name: &str) -> bool {
    let first = name.split('.').next().unwrap_or(name);
    ws.is_sensitive_name(first)
        || is_personal_name(first)
        || ws.is_owner_name(first)
        || has_word(first, "password")
}

/// The sensitive, personal and owner fields of `table` that a selection of a read exposes,
/// within the read's `output` list. Without a schema the names themselves are judged; `None`
/// when nothing tells which fields are exposed (a whole record of an unknown table).
pub fn exposed_risky_fields(
    ws: &Workspace,
    table: &str,
    sel: &Sel,
    output: Option<&[String]>,
) -> Option<Vec<String>> {
    let in_output = |c: &str| {
        output.is_none_or(|o| {
            o.iter().any(|f| {
                f.split('.')
                    .next()
                    .is_some_and(|f| f.eq_ignore_ascii_case(c))
            })
        })
    };
    if ws.table(table).is_some() {
        let risky = risky_columns(ws, table);
        return Some(
            sel.apply(&risky)
                .into_iter()
                .filter(|c| in_output(c))
                .cloned()
                .collect(),
        );
    }
    let candidates: Vec<String> = match (output, sel) {
        (Some(o), _) => o
            .iter()
            .map(|f| f.split('.').next().unwrap_or(f).to_string())
            .collect(),
        (None, Sel::Only(fields)) => fields.iter().cloned().collect(),
        _ => return None,
    };
    Some(
        sel.apply(&candidates)
            .into_iter()
            .filter(|c| in_output(c) && is_risky_name(ws, c))
            .cloned()
            .collect(),
    )
}

/// Whether a column is a foreign key: declared with `table = ...`, or an int/uuid `<x>_id`.
pub fn is_foreign_key(ws: &Workspace, table: &str, column: &str) -> Option<Option<String>> {
    let info = ws.table(table)?;
    let col = info
        .columns
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(column))?;
    if let Some(r) = col.references.as_ref().filter(|r| !r.is_empty()) {
        return Some(Some(r.clone()));
    }
    if matches!(col.ty.as_str(), "int" | "uuid") && col.name.to_ascii_lowercase().ends_with("_id") {
        let stem = &col.name[..col.name.len() - 3];
        let target = ws.table(stem).map(|t| t.name.clone());
        return Some(target);
    }
    None
}

/// Arguments of a statement that name something, used when the model leaves them untyped.
pub fn argument_names(s: &Statement) -> Vec<&str> {
    s.arguments
        .iter()
        .filter_map(|a| match a {
            Argument::Name(t) | Argument::String(t) => Some(t.value.as_str()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::FileModel;

    fn file(src: &str) -> FileModel {
        FileModel::parse("x.xs", src)
    }

    #[test]
    fn reaching_follows_vars_objects_and_field_filters() {
        let f = file(
            "query x verb=GET {\n  input {\n    int id\n  }\n  stack {\n    db.get user {\n      field_name = \"id\"\n      field_value = $input.id\n    } as $u\n    var $profile {\n      value = {name: $u.name, pic: $u.avatar}\n    }\n    db.query post {\n      where = $db.post.id > 0\n    } as $posts\n    var $safe {\n      value = $posts|unset:\"user_id\"\n    }\n  }\n  response = {p: $profile, posts: $safe}\n}\n",
        );
        let obj = &f.model.objects[0];
        let placed = placed_statements(obj);
        let defs = Defs::of(&placed);
        let r = reaching(&response_roots(obj, &placed), &defs);
        assert_eq!(
            r.get("u"),
            Some(&Sel::Only(BTreeSet::from([
                "avatar".to_string(),
                "name".to_string()
            ])))
        );
        assert_eq!(
            r.get("posts"),
            Some(&Sel::Except(BTreeSet::from(["user_id".to_string()])))
        );
    }

    #[test]
    fn guards_and_gates() {
        let f = file(
            "query x verb=GET {\n  input {\n    int id\n  }\n  stack {\n    conditional {\n      if ($auth.role != \"admin\") {\n        throw {\n          name = \"x\"\n          value = \"y\"\n        }\n      }\n    }\n    db.del post {\n      field_name = \"id\"\n      field_value = $input.id\n    }\n  }\n  response = null\n}\n",
        );
        let obj = &f.model.objects[0];
        let scope = Scope::new(obj, "x.xs", InputTaint::All, HashSet::new(), HashMap::new());
        let gates = scope.gates();
        assert_eq!(gates.len(), 1);
        assert!(is_role_check(&scope, gates[0].1));
        let throw = scope
            .statements
            .iter()
            .find(|p| p.stmt.name.value == "throw")
            .unwrap();
        assert_eq!(throw.guards.len(), 1);
        let del = scope
            .statements
            .iter()
            .find(|p| p.stmt.name.value == "db.del")
            .unwrap();
        assert!(del.guards.is_empty());
    }

    #[test]
    fn literal_selects() {
        let f = file(
            "query x verb=GET {\n  input {\n  }\n  stack {\n    db.direct_query {\n      sql = \"SELECT id FROM post JOIN user ON user.id = post.user_id\"\n    } as $a\n    db.direct_query {\n      sql = \"DELETE FROM post\"\n    } as $b\n  }\n  response = null\n}\n",
        );
        let st = placed_statements(&f.model.objects[0]);
        assert_eq!(
            literal_select_tables(st[0].stmt),
            Some(vec!["post".to_string(), "user".to_string()])
        );
        assert_eq!(literal_select_tables(st[1].stmt), None);
    }

    #[test]
    fn mentions_in_text() {
        assert_eq!(
            text_mentions("return $var.user.email + $input.x"),
            vec![
                ("user".to_string(), Some("email".to_string())),
                ("input".to_string(), Some("x".to_string()))
            ]
        );
    }
}
