//! The call graph: which function a `function.run` runs, and which objects reach a function
//! through their calls. Built once per version of the workspace. Every analysis that follows a
//! call into the function it runs does so through [`CallPath::enter`], the one place that
//! resolves the call, bounds the depth and refuses recursion.

use std::collections::{HashMap, HashSet};

use crate::model::{Object, Statement, object_statements};

use super::{ObjectRef, Workspace};

/// How many calls deep a function is followed from the object whose stack runs it.
pub const MAX_CALL_DEPTH: usize = 4;

/// Whether a statement runs a function.
pub fn is_call(statement: &Statement) -> bool {
    matches!(
        statement.name.value.as_str(),
        "function.run" | "function.call"
    )
}

/// The functions a walk has followed calls into, from the object it started in. Analyses carry
/// one along as they descend, so that what they follow is decided here: a call is followed when
/// the workspace defines its function, the walk is less than [`MAX_CALL_DEPTH`] calls deep, and
/// the function is not already on the path (nor the function the walk started in).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallPath {
    start: Option<String>,
    functions: Vec<String>,
}

impl CallPath {
    /// The path of a walk starting in `object`'s own stack.
    pub fn start(object: &Object) -> Self {
        CallPath {
            start: (object.kind.value == "function")
                .then(|| object.name.as_ref().map(|n| n.value.clone()))
                .flatten(),
            functions: Vec::new(),
        }
    }

    /// How many calls below the starting object the walk is: 0 in its own stack.
    pub fn depth(&self) -> usize {
        self.functions.len()
    }

    /// The function `statement` runs and the path inside it, when the call is followed.
    pub fn enter<'w>(
        &self,
        ws: &'w Workspace,
        statement: &Statement,
    ) -> Option<(&'w ObjectRef, CallPath)> {
        if self.depth() >= MAX_CALL_DEPTH {
            return None;
        }
        let callee = ws.callee(statement)?;
        let name = &statement.target_name()?.value;
        if self.start.as_ref() == Some(name) || self.functions.contains(name) {
            return None;
        }
        let mut inner = self.clone();
        inner.functions.push(name.clone());
        Some((callee, inner))
    }

    /// The calls of `statements` this path follows, with their functions and inner paths.
    pub fn calls<'w, 's>(
        &'s self,
        ws: &'w Workspace,
        statements: &'s [&'s Statement],
    ) -> impl Iterator<Item = (&'s Statement, &'w ObjectRef, CallPath)> + 's
    where
        'w: 's,
    {
        statements
            .iter()
            .filter_map(move |s| self.enter(ws, s).map(|(f, inner)| (*s, f, inner)))
    }
}

/// For every function name, the objects whose stacks call it (each once, in file order).
#[derive(Debug, Default)]
pub struct CallGraph {
    callers: HashMap<String, Vec<ObjectRef>>,
}

impl CallGraph {
    pub(super) fn build(ws: &Workspace) -> Self {
        let mut files: Vec<_> = ws.files().collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut callers: HashMap<String, Vec<ObjectRef>> = HashMap::new();
        for file in files {
            for (index, object) in file.model.objects.iter().enumerate() {
                let mut called = HashSet::new();
                for statement in object_statements(object) {
                    let Some(name) = statement.target_name().filter(|_| is_call(statement)) else {
                        continue;
                    };
                    if called.insert(name.value.as_str()) {
                        callers
                            .entry(name.value.clone())
                            .or_default()
                            .push(ObjectRef {
                                file: file.clone(),
                                index,
                            });
                    }
                }
            }
        }
        Self { callers }
    }
}

impl Workspace {
    /// The function a `function.run` (or `function.call`) statement runs, when the workspace
    /// defines it.
    pub fn callee(&self, statement: &Statement) -> Option<&ObjectRef> {
        if !is_call(statement) {
            return None;
        }
        self.function(&statement.target_name()?.value)
    }

    /// The objects whose stacks reach `function` within [`MAX_CALL_DEPTH`] calls: those that
    /// run it, those that run a function that runs it, and so on. Ordered by path, then by
    /// place in the file.
    pub fn reaching(&self, function: &str) -> Vec<ObjectRef> {
        let graph = self
            .derived
            .call_graph
            .get_or_init(|| CallGraph::build(self));
        let mut seen: HashSet<(String, usize)> = HashSet::new();
        let mut found = Vec::new();
        let mut level = vec![function.to_string()];
        for _ in 0..MAX_CALL_DEPTH {
            let mut next = Vec::new();
            for name in &level {
                for caller in graph.callers.get(name).into_iter().flatten() {
                    if !seen.insert((caller.file.path.clone(), caller.index)) {
                        continue;
                    }
                    let object = caller.object();
                    // A function is reached through by its name: the one the name runs.
                    if object.kind.value == "function"
                        && let Some(called) = object.name.as_ref()
                        && self.function(&called.value).is_some_and(|f| {
                            f.file.path == caller.file.path && f.index == caller.index
                        })
                    {
                        next.push(called.value.clone());
                    }
                    found.push(caller.clone());
                }
            }
            level = next;
        }
        found.sort_by(|a, b| (a.file.path.as_str(), a.index).cmp(&(b.file.path.as_str(), b.index)));
        found
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::workspace::{Config, FileModel};

    fn function(name: &str, calls: &str) -> String {
        format!(
            "function {name} {{\n  stack {{\n    function.run {calls} as $r\n  }}\n  response = $r\n}}\n"
        )
    }

    #[test]
    fn reaches_through_at_most_the_depth_bound() {
        let mut ws = Workspace::new(Config::default());
        // e -> f1 -> f2 -> f3 -> f4 -> f5
        ws.insert(Arc::new(FileModel::parse(
            "e.xs",
            "query e verb=GET {\n  stack {\n    function.run f1 as $r\n  }\n  response = $r\n}\n",
        )));
        for i in 1..=5 {
            let text = function(&format!("f{i}"), &format!("f{}", i + 1));
            ws.insert(Arc::new(FileModel::parse(format!("f{i}.xs"), &text)));
        }
        ws.reindex();
        let names = |target: &str| -> Vec<String> {
            ws.reaching(target)
                .iter()
                .map(|r| r.object().name.as_ref().unwrap().value.clone())
                .collect()
        };
        assert_eq!(names("f1"), ["e"]);
        assert_eq!(names("f2"), ["e", "f1"]);
        assert_eq!(names("f4"), ["e", "f1", "f2", "f3"]);
        // Five calls away: beyond the bound.
        assert_eq!(names("f5"), ["f1", "f2", "f3", "f4"]);
        let call = &object_statements(ws.function("f1").unwrap().object())[0];
        assert_eq!(ws.callee(call).unwrap().file.path, "f2.xs");
    }

    /// The functions a walk from `start` enters, depth first, through `CallPath::enter`.
    fn walked(ws: &Workspace, object: &Object, path: &CallPath, out: &mut Vec<String>) {
        let statements = object_statements(object);
        for (_, callee, inner) in path.calls(ws, &statements) {
            out.push(callee.object().name.as_ref().unwrap().value.clone());
            walked(ws, callee.object(), &inner, out);
        }
    }

    #[test]
    fn a_path_follows_known_functions_to_the_bound_and_never_twice_on_one_path() {
        let mut ws = Workspace::new(Config::default());
        // e -> f1 -> f2 -> f3 -> f4 -> f5, and f1 -> missing; g -> g, h -> i -> h.
        ws.insert(Arc::new(FileModel::parse(
            "e.xs",
            "query e verb=GET {\n  stack {\n    function.run f1 as $r\n    function.run missing as $m\n  }\n  response = $r\n}\n",
        )));
        for i in 1..=5 {
            let text = function(&format!("f{i}"), &format!("f{}", i + 1));
            ws.insert(Arc::new(FileModel::parse(format!("f{i}.xs"), &text)));
        }
        for (name, calls) in [("g", "g"), ("h", "i"), ("i", "h")] {
            ws.insert(Arc::new(FileModel::parse(
                format!("{name}.xs"),
                &function(name, calls),
            )));
        }
        ws.reindex();
        let walk = |start: &Object| {
            let mut out = Vec::new();
            walked(&ws, start, &CallPath::start(start), &mut out);
            out
        };
        let endpoint = &ws.file("e.xs").unwrap().model.objects[0];
        // Four calls deep, and no further; an undefined function is not entered.
        assert_eq!(walk(endpoint), ["f1", "f2", "f3", "f4"]);
        // A function that runs itself, or runs its caller, is not entered again.
        assert!(walk(ws.function("g").unwrap().object()).is_empty());
        assert_eq!(walk(ws.function("h").unwrap().object()), ["i"]);
        let f1 = CallPath::start(endpoint)
            .enter(&ws, object_statements(endpoint)[0])
            .unwrap()
            .1;
        assert_eq!(f1.depth(), 1);
    }
}
