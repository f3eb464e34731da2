//! What a rule sees (one file in its workspace) and what it returns.

use std::collections::HashMap;

use crate::analysis::access::Endpoint;
use crate::analysis::injection::{Hit, InputOrigin};
use crate::finding::{Fix, Severity};
use crate::model::{Object, Span};
use crate::workspace::{Config, FileModel, Workspace};

/// One file being checked, with the workspace around it.
pub struct Context<'a> {
    pub file: &'a FileModel,
    pub ws: &'a Workspace,
    /// The one object of the file the rules look at, when not all of them: the language
    /// server checks an edited file object by object and keeps the findings of the objects an
    /// edit did not touch.
    only: Option<&'a Object>,
    /// The endpoints in view analysed up front (see [`Context::analysed`]).
    endpoints: Vec<Endpoint<'a>>,
    /// Where each of them is in `endpoints`, by the address of its object: a file of many
    /// endpoints asks once per endpoint and rule.
    by_object: HashMap<*const Object, usize>,
}

impl<'a> Context<'a> {
    pub fn new(file: &'a FileModel, ws: &'a Workspace) -> Self {
        Self {
            file,
            ws,
            only: None,
            endpoints: Vec::new(),
            by_object: HashMap::new(),
        }
    }

    /// A context that shows the rules one object of the file alone.
    pub fn object(file: &'a FileModel, ws: &'a Workspace, object: &'a Object) -> Self {
        Self {
            only: Some(object),
            ..Self::new(file, ws)
        }
    }

    /// This context with its endpoints analysed once for all the rules that follow their
    /// stacks and calls (access control rules each did it again).
    pub fn analysed(mut self) -> Self {
        let endpoints: Vec<Endpoint<'a>> = self
            .endpoints()
            .map(|o| Endpoint::new(self.ws, o, &self.file.path))
            .collect();
        self.by_object = endpoints
            .iter()
            .enumerate()
            .map(|(i, e)| (e.object as *const Object, i))
            .collect();
        self.endpoints = endpoints;
        self
    }

    /// The analysis of one of the file's endpoints: its stack and the functions it runs.
    pub fn endpoint(&self, object: &'a Object) -> EndpointRef<'_, 'a> {
        match self
            .by_object
            .get(&(object as *const Object))
            .map(|&i| &self.endpoints[i])
        {
            Some(ep) => EndpointRef::Shared(ep),
            None => EndpointRef::Owned(Box::new(Endpoint::new(self.ws, object, &self.file.path))),
        }
    }

    pub fn text(&self) -> &'a str {
        &self.file.text
    }

    /// One indentation step as the file writes it, for fixes that insert lines.
    pub fn indent_unit(&self) -> &'a str {
        self.file.indent_unit()
    }

    pub fn config(&self) -> &'a Config {
        &self.ws.config
    }

    /// The file's objects in view: all of them, or the one the context was made for.
    pub fn all_objects(&self) -> impl Iterator<Item = &'a Object> + 'a {
        let objects: &'a [Object] = match self.only {
            Some(only) => std::slice::from_ref(only),
            None => &self.file.model.objects,
        };
        objects.iter()
    }

    /// The file's objects in view of one kind (`query`, `table`, `api_group`, ...).
    pub fn objects(&self, kind: &'a str) -> impl Iterator<Item = &'a Object> + 'a {
        self.all_objects().filter(move |o| o.kind.value == kind)
    }

    /// The file's endpoints (`query` objects).
    pub fn endpoints(&self) -> impl Iterator<Item = &'a Object> + 'a {
        self.objects("query")
    }

    /// The source text of a span.
    pub fn source(&self, span: &Span) -> &'a str {
        self.file.text.get(span.clone()).unwrap_or("")
    }
}

/// An endpoint analysis, shared from the context or made for one caller.
pub enum EndpointRef<'c, 'a> {
    Shared(&'c Endpoint<'a>),
    Owned(Box<Endpoint<'a>>),
}

impl<'a> std::ops::Deref for EndpointRef<'_, 'a> {
    type Target = Endpoint<'a>;

    fn deref(&self) -> &Endpoint<'a> {
        match self {
            EndpointRef::Shared(ep) => ep,
            EndpointRef::Owned(ep) => ep,
        }
    }
}

/// A place elsewhere that explains a finding (the statement behind a `function.run`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// The file, as the workspace names it.
    pub path: String,
    pub range: Span,
    pub message: String,
}

/// What a rule reports; the checker adds path, positions and severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub range: Span,
    pub message: String,
    /// Why it matters and what to do: the rest of what the one-sentence message leaves out.
    pub help: Option<String>,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
    /// Overrides the rule's default severity (XS101 is an error for writes, a warning for reads).
    pub severity: Option<Severity>,
}

impl Diagnostic {
    pub fn new(code: &'static str, range: Span, message: impl Into<String>) -> Self {
        Self {
            code,
            range,
            message: message.into(),
            help: None,
            related: Vec::new(),
            fixes: Vec::new(),
            severity: None,
        }
    }

    pub fn with_related(mut self, path: &str, range: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            path: path.to_string(),
            range,
            message: message.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }
}

/// Who acts on `table`, for a message: the `function.run` the endpoint calls when the
/// operation is inside a function (and then, for the help, the statement there, as "It
/// {doing} through `db.edit t` in the function. "), else the statement itself.
pub fn acting_statement(
    ep: &Endpoint,
    op: &crate::analysis::access::DataOp,
    table: &str,
    doing: &str,
) -> (String, String) {
    match ep.scopes[op.scope].via {
        Some(call) => (
            format!(
                "`function.run \"{}\"`",
                call.target_name().map_or("", |n| n.value.as_str())
            ),
            format!(
                "It {doing} through `{} {table}` in the function. ",
                op.name()
            ),
        ),
        None => (format!("`{} {table}`", op.name()), String::new()),
    }
}

/// Names as a message lists them: `` `a`, `b`, `c` ``.
pub fn code_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Related locations for a finding: the variables a value went through and, for a
/// function, the entry points calling it.
pub fn related_of(
    diagnostic: Diagnostic,
    path: &str,
    hit: Option<&Hit>,
    origin: &InputOrigin,
) -> Diagnostic {
    let mut d = diagnostic;
    if let Some(hit) = hit {
        for (name, span) in hit.via.iter().take(3) {
            d = d.with_related(path, span.clone(), format!("`${name}` is set here"));
        }
    }
    if let InputOrigin::FunctionCalled { callers } = origin {
        for c in callers.iter().take(3) {
            d = d.with_related(
                &c.path,
                c.span.clone(),
                format!("called from {} with a request value", c.what),
            );
        }
    }
    d
}
