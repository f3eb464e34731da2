//! The call graph: which function a `function.run` runs, and which objects reach a function
//! through their calls. Built once per version of the workspace, with one depth bound that every
//! analysis following calls uses.

use std::collections::{HashMap, HashSet};

use crate::model::{Statement, object_statements};

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
}
