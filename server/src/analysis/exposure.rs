//! Shared questions of the data-exposure rules (XS201–XS204): which names and fields hold
//! credentials or regulated personal data, which records of which tables reach an endpoint's
//! response (through variables, object literals, filters, loops, `api.lambda`, `function.run`
//! and addons) and with which fields left in, and which values must never be logged.
//!
//! The response analysis walks an object's stack in order, keeping for every variable the records
//! it may hold. An assignment in straight-line code replaces what a variable held; one inside a
//! branch or loop adds to it, so `var.update $u { value = $u|unset:"password" }` cleans `$u` while a
//! conditional cleaning does not hide the other path. Loop bodies are walked twice so that values
//! carried from one iteration to the next are seen.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::analysis::flow::string_list;
use crate::model::{
    Block, Expr, ExprKind, Filter, Item, Object, PairKey, Segment, Span, Statement,
};
use crate::semantics::names::snake_words;
use crate::semantics::statements::{Db, QueryReturn, VarWrite, decodes_token, loop_item};
use crate::workspace::calls::{CallPath, is_call};
use crate::workspace::sensitivity::{DataField, DataKind, table_fields_of_kind};
use crate::workspace::{FileModel, ObjectRef, Workspace};

// ---------------------------------------------------------------------------------------------
// Records reaching a response
// ---------------------------------------------------------------------------------------------

/// How a record entered the analysed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginKind {
    /// `db.get`, `db.query`, `db.add`, `db.edit`, `db.patch`, `db.add_or_edit`.
    Read,
    /// An `addon` reference of a read (the records the addon's query attaches).
    Addon { addon: String },
    /// `db.direct_query` with a literal SQL text naming the table.
    DirectQuery,
}

/// Where records of a table are produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub kind: OriginKind,
    /// The table, as written.
    pub table: String,
    /// The statement name (`db.get`, ...).
    pub statement: String,
    /// The file holding the read (or the addon reference).
    pub path: String,
    /// The construct to report: the statement or the addon entry.
    pub span: Span,
    /// The head of the statement (`db.get user`), or the addon entry, for the primary range.
    pub head: Span,
    /// Field lists that restrict what the records carry (read `output`, addon `output`, the SELECT
    /// columns), each one a whitelist; entries may be `items.x` for paged results.
    pub outputs: Vec<Vec<String>>,
    /// For a write: the fields the request itself wrote into the record (`data` keys with
    /// request values). `None` for reads.
    pub supplied: Option<Vec<String>>,
    /// For `db.add`: the record holds only what `data` wrote (and defaults), so the fields
    /// written from other values are the only ones it can reveal.
    pub created: Option<Vec<String>>,
    /// Whether the read's result is a paged list (`items.x` in an output list).
    pub paged: bool,
    /// `eval` values of a query that copy a column of a joined table: (key, table, column).
    pub evals: Vec<(String, String, String)>,
}

impl Origin {
    /// Where the records come from, as a message names it.
    pub fn describe(&self) -> String {
        match &self.kind {
            OriginKind::Addon { addon } => format!("addon `{addon}`"),
            OriginKind::DirectQuery => "a `db.direct_query` SELECT".to_string(),
            OriginKind::Read => format!("`{} {}`", self.statement, self.table),
        }
    }
}

/// A record somewhere inside a value.
#[derive(Debug, Clone)]
pub struct Exposure {
    pub origin: Rc<Origin>,
    /// Where in the value the record sits (`["user"]` for `{user: $u}`).
    pub at: Vec<String>,
    /// Fields removed from the record (`|unset:"password"`), relative to the record.
    pub removed: Vec<String>,
    /// Fields kept (`|pick`), relative to the record; `None` keeps all.
    pub picked: Option<Vec<String>>,
    /// The `function.run` statement of the analysed object the record came through.
    pub via: Option<Span>,
}

impl Exposure {
    fn new(origin: Rc<Origin>) -> Self {
        Self {
            origin,
            at: Vec::new(),
            removed: Vec::new(),
            picked: None,
            via: None,
        }
    }

    /// Whether the field at `path` (relative to the record) is still in the value.
    pub fn carries(&self, path: &str) -> bool {
        let first = path.split('.').next().unwrap_or(path);
        if self
            .removed
            .iter()
            .any(|r| path == r || path.starts_with(&format!("{r}.")))
        {
            return false;
        }
        if let Some(picked) = &self.picked
            && !picked.iter().any(|p| p == first || p == path)
        {
            return false;
        }
        self.origin
            .outputs
            .iter()
            .all(|list| output_keeps(list, path, self.origin.paged))
    }
}

/// Whether an `output` whitelist keeps the field at `path`.
fn output_keeps(list: &[String], path: &str, paged: bool) -> bool {
    list.iter().any(|entry| {
        let entry = if paged {
            entry.strip_prefix("items.").unwrap_or(entry)
        } else {
            entry.as_str()
        };
        entry == path
            || path.starts_with(&format!("{entry}."))
            || entry.starts_with(&format!("{path}."))
    })
}

/// What one object's analysis found.
#[derive(Debug, Default)]
pub struct ResponseAnalysis {
    /// Records that reach the response (or a `return` of the stack).
    pub exposures: Vec<Exposure>,
}

/// The data a response analysis shares across objects: callee results by function name.
pub struct Analyzer<'a> {
    ws: &'a Workspace,
    cache: RefCell<HashMap<String, Rc<Vec<Exposure>>>>,
    id_tables: std::cell::OnceCell<HashMap<String, String>>,
    fields: RefCell<FieldCache>,
    parsed: RefCell<HashMap<String, Option<Rc<Expr>>>>,
}

type Env = HashMap<String, Vec<Exposure>>;

/// The fields of a kind of each table, by lowercase table name.
type FieldCache = HashMap<(String, DataKind), Rc<Vec<DataField>>>;

struct Walk<'w, 'a> {
    an: &'w Analyzer<'a>,
    path: &'a str,
    env: Env,
    returns: Vec<Exposure>,
    inputs: Option<&'w HashMap<String, Vec<Exposure>>>,
    calls: CallPath,
    /// Request-controlled values of the object (for what a write's request supplied).
    flow: Option<crate::analysis::flow::Flow>,
    /// Tables of the object's `dblink` inputs.
    dblinks: Vec<String>,
    object: Option<&'a Object>,
    in_loop: bool,
}

/// Bounds for the recursion over nested blocks and expressions.
const MAX_NESTING: usize = 48;

impl<'a> Analyzer<'a> {
    pub fn new(ws: &'a Workspace) -> Self {
        Self {
            ws,
            cache: RefCell::new(HashMap::new()),
            id_tables: std::cell::OnceCell::new(),
            fields: RefCell::new(HashMap::new()),
            parsed: RefCell::new(HashMap::new()),
        }
    }

    /// Tables by the id that `x1_33`-style direct-query names use; exported files carry it as
    /// their name prefix (`tables/33_user.xs`).
    fn id_tables(&self) -> &HashMap<String, String> {
        self.id_tables.get_or_init(|| {
            let mut id_tables = HashMap::new();
            for table in self.ws.tables() {
                let path = &table.object.file.path;
                let base = path.rsplit('/').next().unwrap_or(path);
                if let Some((id, _)) = base.split_once('_')
                    && !id.is_empty()
                    && id.bytes().all(|b| b.is_ascii_digit())
                {
                    id_tables.insert(id.to_string(), table.name.clone());
                }
            }
            id_tables
        })
    }

    /// The paths of the fields of `kind` of a table (cached).
    pub fn fields_of_kind(&self, table: &str, kind: DataKind) -> Rc<Vec<DataField>> {
        let key = (table.to_ascii_lowercase(), kind);
        if let Some(hit) = self.fields.borrow().get(&key) {
            return hit.clone();
        }
        let list: Rc<Vec<DataField>> = Rc::new(table_fields_of_kind(self.ws, table, kind));
        self.fields.borrow_mut().insert(key, list.clone());
        list
    }

    /// A backtick expression literal, parsed once.
    fn parsed(&self, text: &str) -> Option<Rc<Expr>> {
        if let Some(hit) = self.parsed.borrow().get(text) {
            return hit.clone();
        }
        let parsed = parse_expression(text).map(Rc::new);
        self.parsed
            .borrow_mut()
            .insert(text.to_string(), parsed.clone());
        parsed
    }

    /// Groups the response exposures of an endpoint by where they are reported, with the union
    /// of the fields of `kind` they leave in.
    pub fn exposed_reads(&self, analysis: &ResponseAnalysis, kind: DataKind) -> Vec<ExposedRead> {
        exposed_reads_with(analysis, kind, |table| self.fields_of_kind(table, kind))
    }

    pub fn workspace(&self) -> &'a Workspace {
        self.ws
    }

    /// The records reaching the response of `object` (an endpoint or a function) of `file`.
    pub fn response(&self, file: &'a FileModel, object: &'a Object) -> ResponseAnalysis {
        let mut walk = Walk {
            an: self,
            path: &file.path,
            env: Env::new(),
            returns: Vec::new(),
            inputs: None,
            calls: CallPath::start(object),
            flow: None,
            dblinks: Vec::new(),
            object: None,
            in_loop: false,
        };
        let exposures = walk.object_response(object);
        ResponseAnalysis { exposures }
    }

    /// The records a function returns, for callers (cached when no records are passed in).
    fn function_response(
        &self,
        callee: &'a ObjectRef,
        inputs: &HashMap<String, Vec<Exposure>>,
        calls: CallPath,
    ) -> Rc<Vec<Exposure>> {
        let file: &'a FileModel = &callee.file;
        let object: &'a Object = &file.model.objects[callee.index];
        let name = object.name.as_ref().map_or("", |n| n.value.as_str());
        let cacheable = inputs.values().all(Vec::is_empty);
        if cacheable && let Some(hit) = self.cache.borrow().get(name) {
            return hit.clone();
        }
        let mut walk = Walk {
            an: self,
            path: &file.path,
            env: Env::new(),
            returns: Vec::new(),
            inputs: (!cacheable).then_some(inputs),
            calls,
            flow: None,
            dblinks: Vec::new(),
            object: None,
            in_loop: false,
        };
        let result = Rc::new(walk.object_response(object));
        if cacheable {
            self.cache
                .borrow_mut()
                .insert(name.to_string(), result.clone());
        }
        result
    }
}

impl<'w, 'a> Walk<'w, 'a> {
    fn object_response(&mut self, object: &'a Object) -> Vec<Exposure> {
        self.object = Some(object);
        if let Some(list) = object.fields("input") {
            self.dblinks = list
                .fields
                .iter()
                .filter(|f| f.ty.value == "dblink" && f.name.is_none())
                .filter_map(|f| f.attribute("table"))
                .filter_map(|a| crate::semantics::literal_name(&a.value).map(str::to_string))
                .collect();
        }
        if let Some(stack) = object.stack() {
            self.block(stack, false, 0);
        }
        let mut out = std::mem::take(&mut self.returns);
        if let Some(response) = object.attribute("response") {
            out.extend(self.contents(&response.value, None, 0));
        }
        out
    }

    fn bind(&mut self, name: &str, value: Vec<Exposure>, conditional: bool) {
        if conditional {
            self.env.entry(name.to_string()).or_default().extend(value);
        } else {
            self.env.insert(name.to_string(), value);
        }
        // Keep long loops over unions from growing without bound.
        if let Some(list) = self.env.get_mut(name)
            && list.len() > 64
        {
            list.truncate(64);
        }
    }

    fn block(&mut self, block: &'a Block, conditional: bool, depth: usize) {
        if depth > MAX_NESTING {
            return;
        }
        for item in &block.items {
            if let Item::Statement(s) = item
                && !s.disabled
            {
                self.statement(s, conditional, depth);
            }
        }
    }

    fn body_of(&mut self, s: &'a Statement, conditional: bool, depth: usize) {
        let Some(body) = &s.body else { return };
        let name = s.name.value.as_str();
        // Loop bodies run their statements in order: an update there replaces what the variable
        // held (the loop variable itself is cleaned this way), as in straight-line code.
        let straight = matches!(
            name,
            "group" | "db.transaction" | "stack" | "try" | "foreach" | "for" | "while" | "each"
        );
        // A loop body is walked twice (values carried between iterations), once for the
        // outermost loop only: inner loops are walked again by it.
        let looping = matches!(name, "foreach" | "for" | "while") && !self.in_loop;
        let conditional = conditional || !straight;
        if looping {
            self.in_loop = true;
            self.block(body, conditional, depth + 1);
            self.block(body, conditional, depth + 1);
            self.in_loop = false;
        } else {
            self.block(body, conditional, depth + 1);
        }
    }

    fn statement(&mut self, s: &'a Statement, conditional: bool, depth: usize) {
        let name = s.name.value.as_str();
        let value = s.attribute("value").map(|a| &a.value);
        match name {
            _ if Db::of(name).is_some_and(Db::returns_record) => {
                let records = self.read(s);
                self.bind_alias(s, records, conditional);
            }
            "db.direct_query" => {
                let records = self.direct_query(s);
                self.bind_alias(s, records, conditional);
            }
            _ if VarWrite::of(name).is_some_and(VarWrite::replaces) => {
                let Some(target) = s.first_expr().and_then(Expr::as_var) else {
                    return;
                };
                let (root, rest) = split_var(target);
                let Some(value) = value else { return };
                let records = self.contents(value, None, 0);
                if rest.is_empty() {
                    self.bind(root, records, conditional);
                } else if records.is_empty() && is_blank(value) {
                    // `var.update $u.password { value = null }` clears the field.
                    let path = rest.join(".");
                    if let Some(list) = self.env.get_mut(root) {
                        *list = unset(std::mem::take(list), &path);
                    }
                } else {
                    let nested = prefix(records, &rest);
                    self.bind(root, nested, true);
                }
            }
            "array.push" | "array.unshift" | "array.merge" => {
                let Some(target) = s.first_expr().and_then(Expr::as_var) else {
                    return;
                };
                let (root, rest) = split_var(target);
                let records = value.map(|v| self.contents(v, None, 0)).unwrap_or_default();
                let nested = prefix(records, &rest);
                self.bind(root, nested, true);
            }
            "array.pop" | "array.shift" => {
                if let Some(source) = s.first_expr() {
                    let records = self.contents(source, None, 0);
                    self.bind_alias(s, records, conditional);
                }
            }
            "array.filter" | "array.find" | "array.partition" | "array.group_by" => {
                if let Some(source) = s.first_expr() {
                    let records = self.contents(source, None, 0);
                    self.bind_alias(s, records, conditional);
                }
            }
            "array.map" => {
                if let (Some(source), Some(by)) = (s.first_expr(), s.attribute("by")) {
                    let this = self.contents(source, None, 0);
                    let records = self.contents(&by.value, Some(&this), 0);
                    self.bind_alias(s, records, conditional);
                }
            }
            "array.union" | "array.difference" | "array.intersection" => {
                let mut records = s
                    .first_expr()
                    .map(|e| self.contents(e, None, 0))
                    .unwrap_or_default();
                if name == "array.union"
                    && let Some(v) = value
                {
                    records.extend(self.contents(v, None, 0));
                }
                self.bind_alias(s, records, conditional);
            }
            "object.values" | "object.entries" => {
                let records = value.map(|v| self.contents(v, None, 0)).unwrap_or_default();
                let records = records.into_iter().filter(|e| !e.at.is_empty()).collect();
                self.bind_alias(s, records, conditional);
            }
            "foreach" => {
                if let Some(source) = s.first_expr() {
                    let records = self.contents(source, None, 0);
                    if let Some(alias) = loop_item(s) {
                        self.bind(alias, records, conditional);
                    }
                }
                self.body_of(s, conditional, depth);
            }
            _ if is_call(s) => {
                let records = self.call(s);
                self.bind_alias(s, records, conditional);
            }
            "api.lambda" => {
                let code = s.attribute("code").and_then(|a| a.value.string_value());
                let records = code.map(|c| self.lambda(c)).unwrap_or_default();
                self.bind_alias(s, records, conditional);
            }
            "precondition" => {
                // `precondition ($user == null)`: past it, `$user` holds no record.
                if !conditional && let Some(name) = s.first_expr().and_then(null_tested) {
                    self.env.remove(name);
                }
            }
            "return" => {
                if let Some(v) = value {
                    let records = self.contents(v, None, 0);
                    self.returns.extend(records);
                }
            }
            _ => self.body_of(s, conditional, depth),
        }
    }

    /// Binds a statement's result (`as $x`, `as $x|filters`, `as $x.path`).
    fn bind_alias(&mut self, s: &Statement, records: Vec<Exposure>, conditional: bool) {
        let Some(alias) = s.alias.as_ref().and_then(Expr::as_var) else {
            return;
        };
        let records = self.apply_filters(records, &s.alias_filters, 0);
        let (root, rest) = split_var(alias);
        if rest.is_empty() {
            self.bind(root, records, conditional);
        } else {
            let nested = prefix(records, &rest);
            self.bind(root, nested, true);
        }
    }

    fn origin(&self, s: &Statement, table: &str, kind: OriginKind) -> Origin {
        let head_end = s
            .target_name()
            .map_or(s.name.span.end, |t| t.span.end.max(s.name.span.end));
        Origin {
            kind,
            table: table.to_string(),
            statement: s.name.value.clone(),
            path: self.path.to_string(),
            span: s.span.clone(),
            head: s.name.span.start..head_end,
            outputs: Vec::new(),
            supplied: None,
            created: None,
            paged: false,
            evals: Vec::new(),
        }
    }

    /// The records a database read or write returns, with those its addons attach.
    fn read(&mut self, s: &'a Statement) -> Vec<Exposure> {
        let Some(table) = s.target_name() else {
            return Vec::new();
        };
        let db = Db::of_statement(s);
        let query = db == Some(Db::Query);
        if query && !QueryReturn::of(s).rows() {
            return Vec::new();
        }
        let ret = s.attribute("return").map(|a| &a.value);
        let paged = query && ret.and_then(|r| r.get("paging")).is_some();
        let mut origin = self.origin(s, &table.value, OriginKind::Read);
        origin.paged = paged;
        origin.evals = joined_evals(s);
        if let Some(output) = s.attribute("output") {
            // An output that is not a literal list hides what it keeps: trust it.
            origin
                .outputs
                .push(string_list(&output.value).unwrap_or_default());
        }
        if db.is_some_and(Db::writes_record) {
            let linked = self
                .dblinks
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&table.value));
            let (mut from_request, mut from_elsewhere) = (Vec::new(), Vec::new());
            if self.flow.is_none()
                && let Some(object) = self.object
            {
                self.flow = Some(crate::analysis::flow::Flow::of(
                    object,
                    crate::analysis::callers::InputTaint::All,
                ));
            }
            if let Some(ExprKind::Object(pairs)) = s.attribute("data").map(|a| &a.value.kind) {
                for p in pairs.iter().filter(|p| !p.disabled) {
                    if let PairKey::Name(k) = &p.key {
                        let request = self
                            .flow
                            .as_ref()
                            .is_some_and(|f| f.taint(&p.value).is_some());
                        if request {
                            from_request.push(k.value.clone());
                        } else {
                            from_elsewhere.push(k.value.clone());
                        }
                    }
                }
            }
            if db == Some(Db::Add) {
                // A `dblink` input writes every column from the request.
                origin.created = Some(if linked { Vec::new() } else { from_elsewhere });
            }
            origin.supplied = Some(from_request);
        }
        let mut out = vec![Exposure::new(Rc::new(origin))];
        if let Some(addon) = s.attribute("addon") {
            out.extend(self.addons(&addon.value, paged));
        }
        out
    }

    /// The records attached by `addon = [{name, input, as, output}]` (or the keyed form).
    fn addons(&self, value: &'a Expr, paged: bool) -> Vec<Exposure> {
        let mut entries: Vec<(&'a Expr, Option<String>)> = Vec::new();
        match &value.kind {
            ExprKind::Array(items) => entries.extend(items.iter().map(|e| (e, None))),
            ExprKind::Object(pairs) => {
                for p in pairs.iter().filter(|p| !p.disabled) {
                    if let PairKey::Name(k) = &p.key {
                        entries.push((&p.value, Some(k.value.clone())));
                    }
                }
            }
            _ => {}
        }
        let mut out = Vec::new();
        for (entry, key) in entries {
            let Some(name) = entry.get("name").and_then(Expr::string_value) else {
                continue;
            };
            let Some(addon_ref) = self.an.ws.addon(name) else {
                continue;
            };
            let addon = addon_ref.object();
            let Some(read) = crate::model::object_statements(addon)
                .into_iter()
                .find(|s| matches!(Db::of_statement(s), Some(Db::Query | Db::Get)))
            else {
                continue;
            };
            let Some(table) = read.target_name() else {
                continue;
            };
            if Db::of_statement(read) == Some(Db::Query) && !QueryReturn::of(read).rows() {
                continue;
            }
            let mut outputs = Vec::new();
            if let Some(output) = read.attribute("output") {
                outputs.push(string_list(&output.value).unwrap_or_default());
            }
            if let Some(output) = entry.get("output") {
                outputs.push(string_list(output).unwrap_or_default());
            }
            let as_path = entry
                .get("as")
                .and_then(Expr::string_value)
                .map(str::to_string)
                .or(key)
                .unwrap_or_else(|| name.to_string());
            let mut at: Vec<String> = as_path.split('.').map(str::to_string).collect();
            while at.first().is_some_and(|f| f == "items") && (paged || at.len() > 1) {
                at.remove(0);
            }
            let origin = Origin {
                kind: OriginKind::Addon {
                    addon: name.to_string(),
                },
                table: table.value.clone(),
                statement: "addon".to_string(),
                path: self.path.to_string(),
                span: entry.span.clone(),
                head: entry.span.clone(),
                outputs,
                supplied: None,
                created: None,
                paged: false,
                evals: Vec::new(),
            };
            let mut exposure = Exposure::new(Rc::new(origin));
            exposure.at = at;
            out.push(exposure);
        }
        out
    }

    /// `db.direct_query` with a literal `SELECT ... FROM <table>`.
    fn direct_query(&self, s: &Statement) -> Vec<Exposure> {
        let Some(sql) = s.attribute("sql").and_then(|a| a.value.string_value()) else {
            return Vec::new();
        };
        let Some((table_word, columns)) = parse_select(sql) else {
            return Vec::new();
        };
        let table = if self.an.ws.table(&table_word).is_some() {
            table_word
        } else {
            // `x1_33`: workspace 1, table 33.
            let id = table_word
                .strip_prefix('x')
                .and_then(|rest| rest.split_once('_'))
                .map(|(_, id)| id.to_string());
            match id.and_then(|id| self.an.id_tables().get(&id).cloned()) {
                Some(t) => t,
                None => return Vec::new(),
            }
        };
        let mut origin = self.origin(s, &table, OriginKind::DirectQuery);
        if let Some(columns) = columns {
            origin.outputs.push(columns);
        }
        vec![Exposure::new(Rc::new(origin))]
    }

    fn call(&mut self, s: &'a Statement) -> Vec<Exposure> {
        let Some((callee, calls)) = self.calls.enter(self.an.ws, s) else {
            return Vec::new();
        };
        let mut inputs: HashMap<String, Vec<Exposure>> = HashMap::new();
        if let Some(ExprKind::Object(pairs)) = s.attribute("input").map(|a| &a.value.kind) {
            for p in pairs.iter().filter(|p| !p.disabled) {
                if let PairKey::Name(k) = &p.key {
                    let records = self.contents(&p.value, None, 0);
                    inputs.insert(k.value.clone(), records);
                }
            }
        }
        let result = self.an.function_response(callee, &inputs, calls);
        let head_end = s
            .target_name()
            .map_or(s.name.span.end, |name| name.span.end.max(s.name.span.end));
        result
            .iter()
            .cloned()
            .map(|mut e| {
                // Records the caller passed in come back as the caller's own.
                if !self.owns(&e) {
                    e.via = Some(s.name.span.start..head_end);
                }
                e
            })
            .collect()
    }

    /// Whether an exposure's origin belongs to the object being walked (passed in by it).
    fn owns(&self, e: &Exposure) -> bool {
        self.env
            .values()
            .flatten()
            .any(|mine| Rc::ptr_eq(&mine.origin, &e.origin))
    }

    /// The records an `api.lambda` passes on: those of `$var.x` that its code returns whole.
    fn lambda(&self, code: &str) -> Vec<Exposure> {
        let mut out = Vec::new();
        for (name, records) in &self.env {
            if records.is_empty() {
                continue;
            }
            if lambda_passes_on(code, name) {
                out.extend(records.iter().cloned());
            }
        }
        out
    }

    /// The records inside the value of `expr`.
    fn contents(&self, expr: &Expr, this: Option<&Vec<Exposure>>, depth: usize) -> Vec<Exposure> {
        if depth > MAX_NESTING {
            return Vec::new();
        }
        let d = depth + 1;
        match &expr.kind {
            ExprKind::Var(path) => {
                let (base, segments): (Vec<Exposure>, &[Segment]) = match path.root.as_str() {
                    "var" => match path.segments.first() {
                        Some(Segment::Field(name)) => (
                            self.env.get(name.as_str()).cloned().unwrap_or_default(),
                            &path.segments[1..],
                        ),
                        _ => return Vec::new(),
                    },
                    "this" | "$" => (this.cloned().unwrap_or_default(), &path.segments[..]),
                    "input" => match (self.inputs, path.segments.first()) {
                        (Some(inputs), Some(Segment::Field(name))) => (
                            inputs.get(name.as_str()).cloned().unwrap_or_default(),
                            &path.segments[1..],
                        ),
                        _ => return Vec::new(),
                    },
                    // `$auth`, `$env`, `$db` never hold records; other names may be variables.
                    "auth" | "env" | "db" => return Vec::new(),
                    root => (
                        self.env.get(root).cloned().unwrap_or_default(),
                        &path.segments[..],
                    ),
                };
                access(base, segments)
            }
            ExprKind::Filtered { value, filters } => {
                let base = self.contents(value, this, d);
                self.apply_filters_with(base, filters, this, d)
            }
            ExprKind::Object(pairs) => {
                let mut out = Vec::new();
                for p in pairs.iter().filter(|p| !p.disabled) {
                    let key: Vec<String> = match &p.key {
                        PairKey::Name(k) => k.value.split('.').map(str::to_string).collect(),
                        PairKey::Expr(_) => vec!["*".to_string()],
                    };
                    out.extend(prefix(self.contents(&p.value, this, d), &key));
                }
                out
            }
            ExprKind::Array(items) => items
                .iter()
                .flat_map(|i| self.contents(i, this, d))
                .collect(),
            ExprKind::Spread(inner) => self.contents(inner, this, d),
            ExprKind::Ternary {
                condition,
                then,
                otherwise,
            } => {
                let mut out = match then {
                    Some(t) => self.contents(t, this, d),
                    None => self.contents(condition, this, d),
                };
                out.extend(self.contents(otherwise, this, d));
                out
            }
            ExprKind::Binary {
                op: crate::model::BinaryOp::Coalesce,
                left,
                right,
                ..
            } => {
                let mut out = self.contents(left, this, d);
                out.extend(self.contents(right, this, d));
                out
            }
            ExprKind::Access { object, segments } => {
                access(self.contents(object, this, d), segments)
            }
            ExprKind::ExpressionLiteral(text) => match self.an.parsed(text) {
                Some(parsed) => self.contents(&parsed, this, d),
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    fn apply_filters(
        &self,
        records: Vec<Exposure>,
        filters: &[Filter],
        depth: usize,
    ) -> Vec<Exposure> {
        self.apply_filters_with(records, filters, None, depth)
    }

    fn apply_filters_with(
        &self,
        mut records: Vec<Exposure>,
        filters: &[Filter],
        this: Option<&Vec<Exposure>>,
        depth: usize,
    ) -> Vec<Exposure> {
        for f in filters.iter().filter(|f| !f.disabled) {
            let args = &f.arguments;
            let arg_str = |i: usize| args.get(i).and_then(Expr::string_value);
            records = match f.name.value.as_str() {
                // Filters that keep the records (or the list of them) as they are.
                "first"
                | "last"
                | "filter"
                | "sort"
                | "slice"
                | "reverse"
                | "unique"
                | "shuffle"
                | "safe_array"
                | "flatten"
                | "json_encode"
                | "filter_null"
                | "filter_empty"
                | "filter_empty_text"
                | "filter_empty_array"
                | "filter_empty_object"
                | "filter_false"
                | "filter_zero"
                | "first_notnull"
                | "first_notempty"
                | "index_by"
                | "yaml_encode"
                | "to_text"
                | "pop"
                | "shift"
                | "diff"
                | "intersect"
                | "diff_assoc"
                | "intersect_assoc" => records,
                "merge" | "merge_recursive" | "push" | "append" | "prepend" | "unshift"
                | "concat" => {
                    for a in args {
                        records.extend(self.contents(a, this, depth + 1));
                    }
                    records
                }
                "set" | "set_conditional" | "set_ifnotempty" | "set_ifnotnull" => {
                    let Some(key) = arg_str(0) else {
                        continue;
                    };
                    if f.name.value == "set" {
                        records = unset(records, key);
                    }
                    if let Some(v) = args.get(1) {
                        let key: Vec<String> = key.split('.').map(str::to_string).collect();
                        records.extend(prefix(self.contents(v, this, depth + 1), &key));
                    }
                    records
                }
                "unset" | "unpick" => {
                    let keys: Vec<String> = args
                        .iter()
                        .flat_map(|a| {
                            string_list(a)
                                .or_else(|| a.string_value().map(|s| vec![s.to_string()]))
                                .unwrap_or_default()
                        })
                        .collect();
                    for key in keys {
                        records = unset(records, &key);
                    }
                    records
                }
                "pick" => match args.first().and_then(string_list) {
                    Some(keys) => pick(records, &keys),
                    None => Vec::new(),
                },
                "get" => {
                    let mut out = match arg_str(0) {
                        Some(key) => {
                            let segments: Vec<Segment> = key
                                .split('.')
                                .map(|k| Segment::Field(k.to_string()))
                                .collect();
                            access(records, &segments)
                        }
                        None => Vec::new(),
                    };
                    if let Some(default) = args.get(1) {
                        out.extend(self.contents(default, this, depth + 1));
                    }
                    out
                }
                "map" | "transform" => match args.first() {
                    Some(arg) => self.contents(arg, Some(&records), depth + 1),
                    None => Vec::new(),
                },
                // Anything else (counts, tests, encodings of single values, lambdas) yields a
                // value that is not the record.
                _ => Vec::new(),
            };
        }
        records
    }
}

fn split_var(path: &crate::model::VarPath) -> (&str, Vec<String>) {
    let mut fields = path.field_names();
    if path.root == "var" {
        match fields.next() {
            Some(first) => (first, fields.map(str::to_string).collect()),
            None => ("var", Vec::new()),
        }
    } else {
        (&path.root, fields.map(str::to_string).collect())
    }
}

/// `eval = {author_email: $db.author.email}` with `join = {author: {table: "user", ...}}`: the
/// eval keys that copy a column of a joined table.
fn joined_evals(s: &Statement) -> Vec<(String, String, String)> {
    let (Some(join), Some(eval)) = (s.attribute("join"), s.attribute("eval")) else {
        return Vec::new();
    };
    let ExprKind::Object(aliases) = &join.value.kind else {
        return Vec::new();
    };
    let table_of = |alias: &str| -> Option<String> {
        aliases.iter().find_map(|p| match &p.key {
            PairKey::Name(k) if k.value == alias => p
                .value
                .get("table")
                .and_then(crate::semantics::literal_name)
                .map(str::to_string),
            _ => None,
        })
    };
    let ExprKind::Object(pairs) = &eval.value.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in pairs.iter().filter(|p| !p.disabled) {
        let PairKey::Name(key) = &p.key else { continue };
        let value = match &p.value.kind {
            ExprKind::Filtered { value, .. } => value.as_ref(),
            _ => &p.value,
        };
        let Some(path) = value.as_var() else { continue };
        if path.root != "db" {
            continue;
        }
        let mut fields = path.field_names();
        if let (Some(alias), Some(column)) = (fields.next(), fields.next())
            && let Some(table) = table_of(alias)
        {
            out.push((key.value.clone(), table, column.to_string()));
        }
    }
    out
}

/// The variable a condition requires to be null: `$x == null`, `null == $x`, `$x|is_null`.
fn null_tested(condition: &Expr) -> Option<&str> {
    fn var_name(e: &Expr) -> Option<&str> {
        let path = e.as_var()?;
        let (root, rest) = (path.root.as_str(), path.segments.as_slice());
        match (root, rest) {
            ("var", [Segment::Field(name)]) => Some(name.as_str()),
            (root, []) if !matches!(root, "input" | "auth" | "env" | "var") => Some(root),
            _ => None,
        }
    }
    match &condition.kind {
        ExprKind::Binary {
            operator,
            left,
            right,
            ..
        } if operator == "==" || operator == "===" => match (&left.kind, &right.kind) {
            (_, ExprKind::Null) => var_name(left),
            (ExprKind::Null, _) => var_name(right),
            _ => None,
        },
        ExprKind::Filtered { value, filters }
            if filters.len() == 1 && filters[0].name.value == "is_null" =>
        {
            var_name(value)
        }
        _ => None,
    }
}

fn is_blank(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Null) || matches!(&e.kind, ExprKind::String(s) if s.is_empty())
}

fn prefix(records: Vec<Exposure>, key: &[String]) -> Vec<Exposure> {
    records
        .into_iter()
        .map(|mut e| {
            let mut at = key.to_vec();
            at.extend(e.at);
            e.at = at;
            e
        })
        .collect()
}

/// Follows member and index segments into a value's records.
fn access(records: Vec<Exposure>, segments: &[Segment]) -> Vec<Exposure> {
    let mut records = records;
    for segment in segments {
        let Segment::Field(name) = segment else {
            // `[0]`, `[$i]`: an element of a list keeps its records.
            continue;
        };
        if name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        records = records
            .into_iter()
            .filter_map(|mut e| match e.at.first() {
                Some(first) if first == name => {
                    e.at.remove(0);
                    Some(e)
                }
                // Paged lists: `$page.items` holds the records.
                _ if name == "items" && e.at.first().is_none_or(|f| f != "items") => Some(e),
                // A single field of the record (`$user.name`) is a choice, not the record.
                _ => None,
            })
            .collect();
        if records.is_empty() {
            break;
        }
    }
    records
}

/// Removes the field at dotted `key` (relative to the value) from the records inside it.
fn unset(records: Vec<Exposure>, key: &str) -> Vec<Exposure> {
    let key: Vec<&str> = key.split('.').collect();
    records
        .into_iter()
        .filter_map(|mut e| {
            let common = e.at.len().min(key.len());
            if e.at[..common]
                .iter()
                .map(String::as_str)
                .ne(key[..common].iter().copied())
            {
                return Some(e);
            }
            if key.len() <= e.at.len() {
                // The record itself (or what holds it) is removed.
                return None;
            }
            e.removed.push(key[e.at.len()..].join("."));
            Some(e)
        })
        .collect()
}

/// Keeps only the keys `keys` of the value.
fn pick(records: Vec<Exposure>, keys: &[String]) -> Vec<Exposure> {
    records
        .into_iter()
        .filter_map(|mut e| match e.at.first() {
            Some(first) => keys
                .iter()
                .any(|k| k.split('.').next() == Some(first.as_str()))
                .then_some(e),
            None => {
                let keys: Vec<String> = keys.to_vec();
                e.picked = Some(match e.picked.take() {
                    Some(old) => old.into_iter().filter(|k| keys.contains(k)).collect(),
                    None => keys,
                });
                Some(e)
            }
        })
        .collect()
}

/// Parses the text of a backtick expression literal into an expression.
fn parse_expression(text: &str) -> Option<Expr> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.len() > 4000 {
        return None;
    }
    let source =
        format!("function f {{\n  input {{\n  }}\n  stack {{\n  }}\n  response = {trimmed}\n}}\n");
    let file = FileModel::parse("expr.xs", &source);
    let object = file.model.objects.into_iter().next()?;
    object.body.items.into_iter().find_map(|i| match i {
        Item::Attribute(a) if a.key.value == "response" => Some(a.value),
        _ => None,
    })
}

/// `SELECT <columns> FROM <table>` of a literal SQL text: the table and the selected column names
/// (`None` for `*`).
pub fn parse_select(sql: &str) -> Option<(String, Option<Vec<String>>)> {
    let lower = sql.to_ascii_lowercase();
    let select = find_word(&lower, "select", 0)?;
    let from = find_word(&lower, "from", select + 6)?;
    let columns_text = &sql[select + 6..from];
    let after = sql[from + 4..].trim_start();
    let table: String = after
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '"' | '`' | '.'))
        .filter(|c| !matches!(c, '"' | '`'))
        .collect();
    let table = table.rsplit('.').next().unwrap_or(&table).to_string();
    if table.is_empty() {
        return None;
    }
    let mut columns = Vec::new();
    for part in split_top_level(columns_text) {
        let part = part.trim();
        let lower = part.to_ascii_lowercase();
        let source = match find_word(&lower, "as", 0) {
            Some(i) => part[..i].trim(),
            None => part,
        };
        if source == "*" || source.ends_with(".*") {
            return Some((table, None));
        }
        // `c.email`, `lower(u.email)`: every identifier the expression reads.
        for word in source
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .filter(|w| !w.is_empty())
        {
            let column = word.rsplit('.').next().unwrap_or(word);
            if !column.is_empty() && !column.bytes().all(|b| b.is_ascii_digit()) {
                columns.push(column.to_string());
            }
        }
    }
    Some((table, Some(columns)))
}

fn find_word(haystack: &str, word: &str, from: usize) -> Option<usize> {
    let bytes = haystack.as_bytes();
    let mut start = from;
    while let Some(i) = haystack.get(start..)?.find(word) {
        let at = start + i;
        let before = at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
        let end = at + word.len();
        let after =
            end >= bytes.len() || !(bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_');
        if before && after {
            return Some(at);
        }
        start = at + word.len();
    }
    None
}

fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

// ---------------------------------------------------------------------------------------------
// api.lambda
// ---------------------------------------------------------------------------------------------

/// Array methods that return (some of) the same elements.
const KEEPING_METHODS: &[&str] = &[
    "filter",
    "slice",
    "sort",
    "concat",
    "reverse",
    "find",
    "values",
    "flat",
    "splice",
    "at",
    "toSorted",
    "toReversed",
];

/// Whether the JavaScript `code` of an `api.lambda` returns the records of `$var.<name>` (or
/// elements of them) whole, rather than values extracted from them.
pub fn lambda_passes_on(code: &str, name: &str) -> bool {
    let needle = format!("$var.{name}");
    if !mentions(code, &needle) {
        return false;
    }
    // Identifiers holding the records: `const a = $var.x || []`, `for (const s of a)`,
    // `byId.set(s.id, s)`.
    let mut carriers: Vec<String> = vec![needle];
    for _ in 0..3 {
        for line in code.lines() {
            let line = line.trim();
            if let Some((lhs, rhs)) = declaration(line)
                && carries(rhs, &carriers)
                && !carriers.contains(&lhs)
            {
                carriers.push(lhs);
            }
            if let Some((var, source)) = for_of(line)
                && carries(source, &carriers)
                && !carriers.contains(&var)
            {
                carriers.push(var);
            }
            if let Some((object, args)) = mutation(line)
                && carries(args, &carriers)
                && !carriers.contains(&object)
            {
                carriers.push(object);
            }
        }
    }
    code.match_indices("return").any(|(i, _)| {
        let rest = &code[i + 6..];
        let end = rest.find([';', '\n']).unwrap_or(rest.len());
        carries(&rest[..end], &carriers)
    })
}

fn mentions(text: &str, id: &str) -> bool {
    occurrences(text, id).next().is_some()
}

fn occurrences<'t>(text: &'t str, id: &'t str) -> impl Iterator<Item = usize> + 't {
    text.match_indices(id).filter_map(move |(i, _)| {
        let head = &text[..i];
        let before = head.chars().next_back().is_some_and(|c| {
            c.is_alphanumeric()
                || c == '_'
                || (c == '.' && !id.starts_with('$') && !head.ends_with("..."))
        });
        let after = text[i + id.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        (!before && !after).then_some(i + id.len())
    })
}

/// Whether `expr` evaluates to (a collection of) whole records held by `carriers`.
fn carries(expr: &str, carriers: &[String]) -> bool {
    carriers.iter().any(|c| {
        occurrences(expr, c).any(|end| {
            let rest = &expr[end..];
            let Some(member) = rest.strip_prefix('.').or_else(|| rest.strip_prefix("?.")) else {
                // `[...a, ...b]`, `a || []`, `a[0]`: the records themselves.
                return true;
            };
            let method: String = member
                .chars()
                .take_while(|ch| ch.is_alphanumeric() || *ch == '_')
                .collect();
            if KEEPING_METHODS.contains(&method.as_str()) {
                return true;
            }
            if method == "map" || method == "flatMap" {
                // `.map(e => e.id)` extracts a field; `.map(e => ({...e, x}))` keeps the record.
                let body = &member[method.len()..];
                let arrow = body.find("=>").map(|i| &body[i + 2..]).unwrap_or("");
                let arrow = arrow.trim_start();
                return arrow.starts_with("({...")
                    || arrow.starts_with("({ ...")
                    || arrow.starts_with("Object.assign");
            }
            false
        })
    })
}

fn declaration(line: &str) -> Option<(String, &str)> {
    let rest = line
        .strip_prefix("const ")
        .or_else(|| line.strip_prefix("let "))
        .or_else(|| line.strip_prefix("var "))
        .unwrap_or(line);
    let (lhs, rhs) = rest.split_once('=')?;
    if rhs.starts_with(['=', '>']) || lhs.ends_with(['!', '<', '>', '=']) {
        return None;
    }
    let lhs = lhs.trim();
    if lhs.is_empty()
        || !lhs
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    {
        return None;
    }
    Some((lhs.to_string(), rhs))
}

fn for_of(line: &str) -> Option<(String, &str)> {
    let start = line.find("for")?;
    let rest = line[start + 3..].trim_start().strip_prefix('(')?;
    let rest = rest
        .trim_start()
        .trim_start_matches("const ")
        .trim_start_matches("let ")
        .trim_start_matches("var ");
    let (var, source) = rest.split_once(" of ")?;
    let var = var.trim();
    if var.is_empty() || !var.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    Some((var.to_string(), source))
}

fn mutation(line: &str) -> Option<(String, &str)> {
    for method in [".push(", ".set(", ".add(", ".unshift("] {
        if let Some(i) = line.find(method) {
            let object: String = line[..i]
                .chars()
                .rev()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if !object.is_empty() {
                return Some((object, &line[i + method.len()..]));
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Endpoints
// ---------------------------------------------------------------------------------------------

/// Lists names for a message: "`a`, `b` and `c`".
pub fn list_names(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The first `shown` names as [`list_names`] lists them, then how many more there are: for
/// messages, which stay one short sentence (the help lists them all).
pub fn list_some(names: &[String], shown: usize) -> String {
    if names.len() <= shown {
        return list_names(names);
    }
    let quoted: Vec<String> = names[..shown].iter().map(|n| format!("`{n}`")).collect();
    format!("{} and {} more", quoted.join(", "), names.len() - shown)
}

/// The fields of kind `kind` that an exposure still carries, among the table's `candidates`.
/// For personal data, fields the request itself wrote into a returned record do not count: the
/// caller already has them.
pub fn exposed_fields(
    exposure: &Exposure,
    kind: DataKind,
    candidates: &[DataField],
) -> Vec<String> {
    let supplied = |path: &str| {
        let first = path.split('.').next().unwrap_or(path);
        kind == DataKind::Personal
            && (exposure
                .origin
                .supplied
                .as_ref()
                .is_some_and(|s| s.iter().any(|f| f == first))
                || exposure
                    .origin
                    .created
                    .as_ref()
                    .is_some_and(|c| !c.iter().any(|f| f == first)))
    };
    candidates
        .iter()
        .filter(|f| {
            f.returned_by(&exposure.origin.outputs, exposure.origin.paged)
                && exposure.carries(&f.path)
                && !supplied(&f.path)
        })
        .map(|f| f.path.clone())
        .collect()
}

/// One reportable place: an origin (or the call it came through) and the fields it exposes.
#[derive(Debug, Clone)]
pub struct ExposedRead {
    pub origin: Rc<Origin>,
    pub via: Option<Span>,
    pub fields: Vec<String>,
}

fn exposed_reads_with(
    analysis: &ResponseAnalysis,
    kind: DataKind,
    fields_of: impl Fn(&str) -> Rc<Vec<DataField>>,
) -> Vec<ExposedRead> {
    let mut out: Vec<ExposedRead> = Vec::new();
    for e in &analysis.exposures {
        let mut fields = exposed_fields(e, kind, &fields_of(&e.origin.table));
        for (key, table, column) in &e.origin.evals {
            let joined = fields_of(table);
            let hit = joined.iter().any(|f| f.path == *column && !f.internal);
            if hit && e.carries(key) && !fields.contains(key) {
                fields.push(key.clone());
            }
        }
        if fields.is_empty() {
            continue;
        }
        let same = |r: &ExposedRead| {
            r.origin.path == e.origin.path && r.origin.span == e.origin.span && r.via == e.via
        };
        match out.iter_mut().find(|r| same(r)) {
            Some(existing) => {
                for f in fields {
                    if !existing.fields.contains(&f) {
                        existing.fields.push(f);
                    }
                }
            }
            None => out.push(ExposedRead {
                origin: e.origin.clone(),
                via: e.via.clone(),
                fields,
            }),
        }
    }
    out.sort_by_key(|r| {
        (
            r.via.as_ref().map_or(r.origin.span.start, |v| v.start),
            r.origin.span.start,
        )
    });
    out
}

/// Whether the stack authenticates its caller or issues their token (login, signup, magic link).
pub fn authenticates_caller(object: &Object, ws: &Workspace) -> bool {
    let statements = crate::model::object_statements(object);
    let direct = |stmts: &[&Statement]| {
        stmts.iter().any(|s| {
            let name = s.name.value.as_str();
            matches!(
                name,
                "security.check_password" | "security.create_auth_token"
            ) || decodes_token(name)
        })
    };
    if direct(&statements) {
        return true;
    }
    CallPath::start(object)
        .calls(ws, &statements)
        .any(|(_, callee, _)| direct(&crate::model::object_statements(callee.object())))
}

// ---------------------------------------------------------------------------------------------
// Logging
// ---------------------------------------------------------------------------------------------

/// Whether a table name looks like a log: its words include log, audit, history, event, webhook
/// or request (singular or plural), or a word ending in `log` (`changelog`) other than `blog`,
/// `catalog`, `backlog`, `dialog`.
pub fn is_log_table(name: &str) -> bool {
    snake_words(name).iter().any(|w| {
        let w = w.as_str();
        let stem = w.strip_suffix('s').unwrap_or(w);
        matches!(
            stem,
            "log" | "audit" | "history" | "histories" | "event" | "webhook" | "request"
        ) || w == "histories"
            || ((w.ends_with("log") || w.ends_with("logs"))
                && !matches!(
                    stem,
                    "blog" | "catalog" | "backlog" | "dialog" | "analog" | "prolog" | "vlog"
                ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_lists() {
        assert_eq!(
            parse_select("SELECT * FROM x1_33;"),
            Some(("x1_33".to_string(), None))
        );
        assert_eq!(
            parse_select("select c.id AS cid, lower(c.email) as e FROM \"user\" c"),
            Some((
                "user".to_string(),
                Some(vec!["id".into(), "lower".into(), "email".into()])
            ))
        );
    }

    #[test]
    fn lambdas_that_pass_records_on() {
        let merge = "const a = $var.default_schedules || [];\nconst byId = new Map();\nfor (const s of [...a]) byId.set(s.id, s);\nreturn Array.from(byId.values());";
        assert!(lambda_passes_on(merge, "default_schedules"));
        let ids = "const entries = $var.entries || [];\nconst ids = entries.map(e => e.schedule_id).filter(v => v != null);\nreturn [...new Set(ids)];";
        assert!(!lambda_passes_on(ids, "entries"));
        let total = "let total = 0;\nconst entries = $var.entries || [];\nfor (const e of entries) {\n let mask = e.days_mask || 0;\n}\nreturn total;";
        assert!(!lambda_passes_on(total, "entries"));
        assert!(lambda_passes_on("return $var.users;", "users"));
        assert!(!lambda_passes_on("return $var.users.length;", "users"));
    }

    #[test]
    fn log_tables() {
        assert!(is_log_table("request_log") && is_log_table("webhook_events"));
        assert!(is_log_table("audit") && is_log_table("changelog") && is_log_table("AuditLogs"));
        assert!(!is_log_table("blog_post") && !is_log_table("catalog") && !is_log_table("login"));
    }
}
