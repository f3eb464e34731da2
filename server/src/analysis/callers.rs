//! Which inputs of a function its callers fill with request values. A function's own `$input`
//! is request-controlled only where some entry point, directly or through other functions,
//! passes it one; the value-flow engines answer "which arguments of this call are tainted", and
//! this module follows the calls (through [`CallPath`]) and joins the answers.

use std::collections::HashSet;

use crate::model::{Object, Span, Statement, object_statements};
use crate::workspace::calls::CallPath;
use crate::workspace::{ObjectRef, Workspace};

/// Which `$input` fields count as request-controlled in a stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputTaint {
    /// Every input (an endpoint, or a function analysed without its callers).
    All,
    /// Only these inputs (a function whose callers pass request values to them).
    Only(HashSet<String>),
    /// No input (a task, a trigger).
    None,
}

impl InputTaint {
    /// The inputs tainted by either side: what several callers pass, together.
    pub fn join(self, other: InputTaint) -> InputTaint {
        match (self, other) {
            (InputTaint::All, _) | (_, InputTaint::All) => InputTaint::All,
            (InputTaint::Only(mut a), InputTaint::Only(b)) => {
                a.extend(b);
                InputTaint::Only(a)
            }
            (InputTaint::Only(a), InputTaint::None) | (InputTaint::None, InputTaint::Only(a)) => {
                InputTaint::Only(a)
            }
            (InputTaint::None, InputTaint::None) => InputTaint::None,
        }
    }

    /// Joins `taint` into what was found so far (nothing yet: `None`).
    pub fn join_into(found: &mut Option<InputTaint>, taint: InputTaint) {
        *found = Some(match found.take() {
            Some(f) => f.join(taint),
            None => taint,
        });
    }
}

/// A value-flow analysis of one stack that can be carried into the functions it calls.
pub trait ArgumentTaint<'w>: Sized {
    /// The inputs of the function `call` runs that receive request values from this stack.
    fn tainted_arguments(&self, call: &Statement) -> InputTaint;

    /// The same analysis of `function`'s stack, given which of its inputs are tainted and the
    /// path of calls that led to it.
    fn enter(&self, function: &'w Object, inputs: InputTaint, path: CallPath) -> Self;
}

/// What the callers of a function pass it.
#[derive(Debug, Default)]
pub struct CallerTaint {
    /// The inputs entry points fill with request values; `None` when no entry point calls the
    /// function within the call depth.
    pub inputs: Option<InputTaint>,
    /// The calls in entry points that start a path passing it a request value, in workspace
    /// order: the entry point and the call's range.
    pub callers: Vec<(ObjectRef, Span)>,
}

/// The taint `function`'s inputs receive from the entry points that reach it. `analyse` builds
/// the analysis of an entry point's own stack, or `None` for objects that are not entry points.
pub fn caller_taint<'w, T: ArgumentTaint<'w>>(
    ws: &'w Workspace,
    function: &str,
    analyse: impl Fn(&'w Object) -> Option<T>,
) -> CallerTaint {
    let mut out = CallerTaint::default();
    // Only entry points whose calls can lead to the function need their analysis.
    for entry in ws.reaching(function) {
        // The workspace's own copy of the file, so that the analysis may borrow it for `'w`.
        let Some(file) = ws.file(&entry.file.path) else {
            continue;
        };
        let object = &file.model.objects[entry.index];
        let Some(scope) = analyse(object) else {
            continue;
        };
        let path = CallPath::start(object);
        for call in object_statements(object) {
            let mut reached = None;
            reach(ws, &scope, call, &path, function, &mut reached);
            if let Some(taint) = reached {
                if taint != InputTaint::None {
                    out.callers.push((entry.clone(), call.span.clone()));
                }
                InputTaint::join_into(&mut out.inputs, taint);
            }
        }
    }
    out
}

fn reach<'w, T: ArgumentTaint<'w>>(
    ws: &'w Workspace,
    scope: &T,
    call: &Statement,
    path: &CallPath,
    target: &str,
    found: &mut Option<InputTaint>,
) {
    let Some((callee, inner)) = path.enter(ws, call) else {
        return;
    };
    let taint = scope.tainted_arguments(call);
    let function = callee.object();
    if function.name.as_ref().is_some_and(|n| n.value == target) {
        InputTaint::join_into(found, taint);
        return;
    }
    if taint == InputTaint::None {
        return;
    }
    let inner_scope = scope.enter(function, taint, inner.clone());
    for s in object_statements(function) {
        reach(ws, &inner_scope, s, &inner, target, found);
    }
}
